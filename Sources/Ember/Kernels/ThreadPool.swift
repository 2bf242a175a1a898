import CEmberKernels
import Dispatch
import Foundation

/// Process-wide threading settings of Ember's CPU kernels.
///
/// Kernels split their work over at most `maxThreads` threads (the calling thread included). The
/// default is the number of cores the process may run on; more threads than cores never helps a
/// compute-bound kernel and hurts badly when a core is busy elsewhere, so larger values are
/// clamped. Set `maxThreads = 1` to make every kernel run on the calling thread.
public enum Threading {
    /// Cores available to this process (`ProcessInfo.activeProcessorCount`, at least 1).
    public static let availableCores: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)

    nonisolated(unsafe) private static var _maxThreads: Int = availableCores

    /// Upper bound on the threads one kernel call uses, in `1 ... availableCores`. May be changed
    /// at any time; calls already running keep the value they started with.
    public static var maxThreads: Int {
        get { _maxThreads }
        set { _maxThreads = min(max(1, newValue), availableCores) }
    }

    /// How long an idle worker keeps polling for the next parallel region before it sleeps, in
    /// microseconds. Polling makes the hand-off to a worker take well under a microsecond instead
    /// of the 10-30 us of a sleep/wake-up (which is as long as a whole 128x256x512 GEMM), at the
    /// price of keeping that core busy for this long after each parallel region. 0 disables it.
    nonisolated(unsafe) public static var spinMicroseconds: Int = 200
}

/// A value that is moved across threads under the caller's guarantee that the threads touch
/// disjoint memory (raw pointers into one output buffer, closures used only until the fork-join
/// returns).
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// Runs `body(task)` for every `task` in `0 ..< tasks`, using up to `Threading.maxThreads`
/// threads including the caller, and returns when all have finished. Tasks are handed out
/// dynamically (a thread that finishes early takes the next one), so uneven tasks and a
/// momentarily descheduled core cost less than with a static split: if no worker shows up, the
/// caller simply runs every task itself. With one task, with `maxThreads == 1`, or when called
/// from inside another parallel region (or while another thread uses the pool), everything runs
/// inline on the calling thread.
func parallelTasks(_ tasks: Int, _ body: (Int) -> Void) {
    if tasks <= 0 { return }
    let threads = min(tasks, Threading.maxThreads)
    if threads <= 1 {
        for t in 0 ..< tasks { body(t) }
        return
    }
    if tasks > WorkerPool.maxTasks {
        // The pool's ticket holds at most 65535 tasks per region: deal out groups of tasks.
        let groups = WorkerPool.maxTasks
        WorkerPool.shared.run(tasks: groups, threads: threads) { g in
            for t in (tasks * g / groups) ..< (tasks * (g + 1) / groups) { body(t) }
        }
        return
    }
    WorkerPool.shared.run(tasks: tasks, threads: threads, body)
}

/// Splits `0 ..< count` into contiguous ranges of at least `minGrain` elements (one per thread,
/// at most `Threading.maxThreads`) and runs `body` on each; small work (`count < 2 * minGrain`)
/// stays on the calling thread with no synchronisation at all.
///
/// `minGrain` should be the number of elements whose processing costs a few microseconds (about
/// the price of handing work to a second thread): for example 16384 for a simple elementwise loop.
func parallelFor(count: Int, minGrain: Int = 1, body: (Range<Int>) -> Void) {
    if count <= 0 { return }
    let chunks = min(Threading.maxThreads, count / max(1, minGrain))
    if chunks <= 1 {
        body(0 ..< count)
        return
    }
    parallelTasks(chunks) { t in
        body((count * t / chunks) ..< (count * (t + 1) / chunks))
    }
}

/// The fork-join engine behind `parallelTasks`: `availableCores - 1` persistent worker threads
/// that poll for work for `Threading.spinMicroseconds` after each region, then sleep on a
/// condition variable.
///
/// Protocol. A region is published as one atomic word
/// `ticket = generation << 32 | tasks << 16 | next`. Any thread (the workers and the caller)
/// claims task `next` with a compare-and-swap of the whole word to `next + 1` while
/// next < tasks, runs it, then increments `done`; the caller returns once done == tasks. Because
/// the task count travels in the same word as the claim counter, a claim can only succeed while
/// its region is current and that task is unclaimed, so the caller is still waiting and the
/// region's body is alive: a late worker can never run a task of a finished region or a task
/// twice. (A region whose ticket reads (g, n, n) is exhausted; generations are 31 bits wide, so a
/// stale word could only match again after 2^31 regions.)
final class WorkerPool: @unchecked Sendable {
    static let shared = WorkerPool()

    /// The body of the current region; the caller keeps it alive until all its tasks are done.
    private final class Job {
        let body: (Int) -> Void
        init(_ body: @escaping (Int) -> Void) { self.body = body }
    }

    /// Most tasks in one region (16 bits of the ticket).
    static let maxTasks = 0xffff

    // Shared words, each on its own 128-byte line: 0 ticket, 16 done, 48 sleepers,
    // 64 participating workers.
    private let words: UnsafeMutablePointer<Int>
    private var ticket: UnsafeMutablePointer<Int> { words }
    private var done: UnsafeMutablePointer<Int> { words + 16 }
    private var sleepers: UnsafeMutablePointer<Int> { words + 48 }
    private var workerLimit: UnsafeMutablePointer<Int> { words + 64 }

    /// Claims the next task of region `g`: returns its index, or nil when the region is exhausted
    /// or no longer current. Retries lost races.
    @inline(__always)
    private func claim(generation g: Int) -> Int? {
        while true {
            let tk = ember_atomic_load(ticket)
            if tk >> 32 != g { return nil }
            let next = tk & 0xffff, tasks = (tk >> 16) & 0xffff
            if next >= tasks { return nil }
            if ember_atomic_cas(ticket, tk, tk + 1) != 0 { return next }
        }
    }

    /// The current region's Job, unretained (valid while the region is incomplete).
    nonisolated(unsafe) private var job: UnsafeMutableRawPointer?
    private var generation = 0
    private var started = false
    private let regionLock = NSLock()   // one region at a time; others run inline
    private let sleep = NSCondition()

    private init() {
        words = UnsafeMutablePointer<Int>.allocate(capacity: 80)
        words.initialize(repeating: 0, count: 80)
    }

    func run(tasks: Int, threads: Int, _ body: (Int) -> Void) {
        guard tasks <= WorkerPool.maxTasks, regionLock.try() else {
            for t in 0 ..< tasks { body(t) }
            return
        }
        defer { regionLock.unlock() }
        if !started { startWorkers() }
        withoutActuallyEscaping(body) { body in
            let box = Job(body)
            let unmanaged = Unmanaged.passUnretained(box)
            job = unmanaged.toOpaque()
            ember_atomic_store(workerLimit, threads - 1)
            ember_atomic_store(done, 0)
            generation = (generation + 1) & 0x7fff_ffff
            let g = generation
            ember_atomic_store(ticket, g << 32 | tasks << 16)
            if ember_atomic_load(sleepers) > 0 {
                sleep.lock()
                sleep.broadcast()
                sleep.unlock()
            }
            // The caller works too.
            while let t = claim(generation: g) {
                box.body(t)
                _ = ember_atomic_fetch_add(done, 1)
            }
            // Wait for tasks claimed by workers.
            var spins = 0
            while ember_atomic_load(done) < tasks {
                spins += 1
                if spins < 4096 { ember_cpu_relax() } else { sched_yield() }
            }
            job = nil
            withExtendedLifetime(box) {}
        }
    }

    private func startWorkers() {
        started = true
        let count = Threading.availableCores - 1
        for index in 0 ..< count {
            let pool = UncheckedSendable(self)
            let thread = Thread { pool.value.workerLoop(index: index) }
            thread.name = "ember-worker-\(index)"
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    /// Runs task `t` of the current region (only called after claiming it).
    @inline(never)
    private func runClaimed(_ t: Int) {
        if let raw = job {
            Unmanaged<Job>.fromOpaque(raw)._withUnsafeGuaranteedRef { $0.body(t) }
        }
        _ = ember_atomic_fetch_add(done, 1)
    }

    private func workerLoop(index: Int) {
        var seen = 0
        while true {
            // Wait for a new generation: poll, then sleep.
            var g = ember_atomic_load(ticket) >> 32
            if g == seen {
                let spinNs = UInt64(max(0, Threading.spinMicroseconds)) * 1000
                let start = DispatchTime.now().uptimeNanoseconds
                var spins = 0
                while g == seen {
                    ember_cpu_relax()
                    spins += 1
                    if spins & 255 == 0,
                       DispatchTime.now().uptimeNanoseconds - start >= spinNs {
                        sleep.lock()
                        _ = ember_atomic_fetch_add(sleepers, 1)
                        while ember_atomic_load(ticket) >> 32 == seen { sleep.wait() }
                        _ = ember_atomic_fetch_add(sleepers, -1)
                        sleep.unlock()
                    }
                    g = ember_atomic_load(ticket) >> 32
                }
            }
            seen = g
            if index >= ember_atomic_load(workerLimit) { continue }
            // Claim tasks of generation g until none are left.
            while let t = claim(generation: g) { runClaimed(t) }
        }
    }
}
