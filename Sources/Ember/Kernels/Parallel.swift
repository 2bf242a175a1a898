import Dispatch
import Foundation

/// Wraps a value that is safe to share for the duration of a parallel loop.
struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// Runs `body(chunk)` for chunks 0..<chunks, on up to `Threading.maxThreads` threads.
@inline(__always)
func parallelChunks(_ chunks: Int, _ body: (Int) -> Void) {
    parallelTasks(chunks, body)
}

/// Splits 0..<n into at most `Threading.maxThreads` contiguous ranges of at least `grain`
/// elements and calls `body(lo, hi)` for each, in parallel when there is more than one.
@inline(__always)
func parallelRanges(_ n: Int, grain: Int, _ body: (Int, Int) -> Void) {
    let parts = min(Threading.maxThreads, n / max(grain, 1))
    if parts <= 1 { if n > 0 { body(0, n) }; return }
    let step = (n + parts - 1) / parts
    parallelChunks(parts) { c in
        let lo = c * step, hi = min(n, lo + step)
        if lo < hi { body(lo, hi) }
    }
}

/// Elementwise loops split across threads once they are large enough to pay for it.
@inline(__always)
func parallelElementwise(_ n: Int, _ body: (Int, Int) -> Void) {
    parallelRanges(n, grain: 1 << 16, body)
}
