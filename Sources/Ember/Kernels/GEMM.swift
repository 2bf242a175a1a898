import CEmberKernels
import Foundation

// MARK: - Kernel selection

/// The instruction-set level of the C micro-kernels in use.
public enum KernelISA: Int, Comparable, Sendable, CustomStringConvertible {
    /// Plain C, any CPU and architecture.
    case portable = 0
    /// x86-64 AVX2 + FMA3 (Haswell, Zen 1 and later).
    case avx2 = 1
    /// x86-64 AVX-512F (Skylake-SP, Ice Lake, Zen 4 and later).
    case avx512 = 2

    public static func < (lhs: KernelISA, rhs: KernelISA) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String {
        switch self {
        case .portable: return "portable"
        case .avx2: return "avx2+fma"
        case .avx512: return "avx512f"
        }
    }

    /// The best level this CPU supports, asked once.
    public static let detected: KernelISA = {
        if ember_cpu_has_avx512f() != 0 { return .avx512 }
        if ember_cpu_has_avx2_fma() != 0 { return .avx2 }
        return .portable
    }()

    nonisolated(unsafe) private static var _active: KernelISA = detected

    /// The level the kernels use; defaults to `detected`. Setting a lower level is allowed (tests
    /// run every path that way); a level above `detected` is clamped to it.
    public static var active: KernelISA {
        get { _active }
        set { _active = min(newValue, detected) }
    }
}

typealias PanelPacker = @convention(c) (
    Int32, Int, Int, Int, UnsafePointer<Float>?, Int, UnsafeMutablePointer<Float>?
) -> Void

typealias SgemmMicroKernel = @convention(c) (
    Int, UnsafePointer<Float>?, UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, Int, Float,
    Float, Int, Int
) -> Void

/// Register tile and cache blocking of one micro-kernel.
///
/// BLIS blocking: for each NC-wide column block of C, each KC-deep slice of the K loop packs a
/// KC x NC block of op(B) (meant to stay in L3) and, for each MC-row block, an MC x KC block of
/// op(A) (meant to stay in L2); the micro-kernel then multiplies one KC x NR micro-panel of B
/// (reused from L1/L2 across the MC/MR calls) with successive MR x KC micro-panels of A.
///
/// The AVX-512 numbers were tuned on Zen 5 (48 KiB L1d, 1 MiB L2, 32 MiB L3): a deep KC = 768
/// halves the passes over C and makes the packing reads long streams, which gained 10-25% on
/// large and tall-skinny (im2col) products over KC = 256, and cost nothing at M = 128; the A block
/// is 144 x 768 x 4 = 432 KiB. The AVX2 numbers (KC = 384: B micro-panel 24 KiB in a 32 KiB L1,
/// A block 216 KiB in a 512 KiB L2) target Zen 2/3 and Haswell-class cores.
struct SgemmKernel {
    let isa: KernelISA
    let mr: Int
    let nr: Int
    let kc: Int
    let mc: Int
    let nc: Int
    let ukr: SgemmMicroKernel
    let pack: PanelPacker

    static func forISA(_ isa: KernelISA) -> SgemmKernel {
        switch isa {
        case .avx512: return avx512Config
        case .avx2: return avx2Config
        case .portable: return portableConfig
        }
    }
    static let avx512Config = make(.avx512)
    static let avx2Config = make(.avx2)
    static let portableConfig = make(.portable)

    private static func make(_ isa: KernelISA) -> SgemmKernel {
        switch isa {
        case .avx512:
            // 12 x 32 tile (24 zmm accumulators); B block KC*NC*4 = 12 MiB at most (L3).
            return SgemmKernel(isa: isa, mr: 12, nr: 32, kc: 768, mc: 144, nc: 2048,
                               ukr: ember_sgemm_ukr_12x32_avx512, pack: ember_pack_panels_avx2)
        case .avx2:
            // 6 x 16 tile (12 ymm accumulators); B block 6 MiB at most.
            return SgemmKernel(isa: isa, mr: 6, nr: 16, kc: 384, mc: 144, nc: 4096,
                               ukr: ember_sgemm_ukr_6x16_avx2, pack: ember_pack_panels_avx2)
        case .portable:
            return SgemmKernel(isa: isa, mr: 6, nr: 16, kc: 256, mc: 144, nc: 4096,
                               ukr: ember_sgemm_ukr_6x16_ref, pack: ember_pack_panels_ref)
        }
    }
}

/// Thresholds of the GEMM driver, in multiply-adds (m*n*k). Mutable for tuning experiments.
enum GEMMTuning {
    /// Below this many multiply-adds a GEMM runs on the calling thread. Handing a task to a
    /// polling worker costs about a microsecond; measured on Zen 5 with AVX-512, 2 threads lose
    /// at 48^3 (0.11 M), break even near 64^3 (0.26 M) and win by 1.5x at 128x64x128 (1 M).
    nonisolated(unsafe) static var minParallelWork = 150_000
    /// Work per task when a GEMM is split into more tasks than threads (dynamic balancing).
    nonisolated(unsafe) static var workPerTask = 64 << 20
}

// MARK: - Workspace

/// Packed-panel buffers of one running GEMM task. Kept in a free list and reused, so steady-state
/// GEMMs do not allocate; buffers only grow.
final class GEMMWorkspace {
    private(set) var a: UnsafeMutablePointer<Float>
    private(set) var b: UnsafeMutablePointer<Float>
    private var aCapacity = 0
    private var bCapacity = 0

    init() {
        a = UnsafeMutablePointer<Float>.allocate(capacity: 16)
        b = UnsafeMutablePointer<Float>.allocate(capacity: 16)
    }

    deinit {
        a.deallocate()
        b.deallocate()
    }

    private static func aligned(_ count: Int) -> UnsafeMutablePointer<Float> {
        UnsafeMutableRawPointer.allocate(byteCount: count * 4, alignment: 64)
            .bindMemory(to: Float.self, capacity: count)
    }

    func reserve(a aCount: Int, b bCount: Int) {
        if aCount > aCapacity {
            a.deallocate()
            a = Self.aligned(aCount)
            aCapacity = aCount
        }
        if bCount > bCapacity {
            b.deallocate()
            b = Self.aligned(bCount)
            bCapacity = bCount
        }
    }
}

/// A lock-protected free list of workspaces: one per concurrently running GEMM task.
final class GEMMWorkspacePool: @unchecked Sendable {
    static let shared = GEMMWorkspacePool()
    private var free: [GEMMWorkspace] = []
    private let lock = NSLock()

    func acquire() -> GEMMWorkspace {
        lock.lock()
        let w = free.popLast()
        lock.unlock()
        return w ?? GEMMWorkspace()
    }

    func release(_ w: GEMMWorkspace) {
        lock.lock()
        free.append(w)
        lock.unlock()
    }
}

// MARK: - SGEMM

/// Single-precision general matrix multiply, row-major:
///
///     C = alpha * op(A) * op(B) + beta * C,    op(A) is m x k, op(B) is k x n, C is m x n,
///
/// where op(X) = X, or X^T when the `trans` flag is set. `lda`, `ldb`, `ldc` are the row strides
/// of the matrices as stored (A is m x k, or k x m when transposed; likewise B). When beta == 0,
/// C's old contents are never read (NaN in C does not propagate); when alpha == 0 or k == 0,
/// A and B are not read.
///
/// Large products take the BLIS path (cache blocking, packing that absorbs the transposes, a
/// register-tiled C micro-kernel chosen by `KernelISA.active`, up to `Threading.maxThreads`
/// threads); m == 1 or n == 1 takes a matrix-vector path.
public func sgemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    precondition(m >= 0 && n >= 0 && k >= 0, "sgemm: negative dimension")
    precondition(ldc >= max(1, n), "sgemm: ldc < n")
    precondition(lda >= max(1, transA ? m : k), "sgemm: lda too small")
    precondition(ldb >= max(1, transB ? k : n), "sgemm: ldb too small")
    if m == 0 || n == 0 { return }
    if k == 0 || alpha == 0 {
        scaleMatrix(m: m, n: n, beta: beta, c: c, ldc: ldc)
        return
    }
    let isa = KernelISA.active
    if n == 1 || m == 1 {
        sgemv(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
              b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, isa: isa)
        return
    }
    let kernel = SgemmKernel.forISA(isa)
    let work = m * n * k
    let threads = work < GEMMTuning.minParallelWork ? 1 : Threading.maxThreads

    // Split C into tasks of whole micro-tiles along one dimension. Prefer the one whose split
    // duplicates less packing (splitting N makes every task pack its own copy of op(A), m*k
    // floats; splitting M its own op(B), k*n), unless it balances clearly worse.
    let nUnits = (n + kernel.nr - 1) / kernel.nr, mUnits = (m + kernel.mr - 1) / kernel.mr
    var tasks = 1
    var splitN = n >= m
    if threads > 1 {
        // One task per thread, or more for big products so a late or slow thread costs less.
        let wanted = max(threads, min(4 * threads, work / GEMMTuning.workPerTask))
        // Useful fraction of the threads' time when `units` tiles are dealt into tasks:
        // (units / threads) / (ceil(tasks / threads) * ceil(units / tasks)).
        func balance(_ units: Int) -> Double {
            let t = min(wanted, units)
            let makespan = ((t + threads - 1) / threads) * ((units + t - 1) / t)
            return Double(units) / Double(threads * makespan)
        }
        let (preferred, other) = splitN ? (nUnits, mUnits) : (mUnits, nUnits)
        if balance(other) > balance(preferred) + 0.15 { splitN.toggle() }
        // Every task beyond the first re-packs the other operand: a task W columns (rows) wide
        // spends about 20 / W of its time on that copy, so tasks narrower than 512 are only
        // made when needed to occupy the threads.
        let extent = splitN ? n : m
        tasks = min(max(threads, min(wanted, extent / 512)), splitN ? nUnits : mUnits)
    }
    let units = splitN ? nUnits : mUnits
    let args = UncheckedSendable((a, b, c))
    if tasks == 1 {
        let ws = GEMMWorkspacePool.shared.acquire()
        sgemmBlock(kernel, ws, transA, transB, 0 ..< m, 0 ..< n, k, alpha, a, lda, b, ldb,
                   beta, c, ldc)
        GEMMWorkspacePool.shared.release(ws)
        return
    }
    parallelTasks(tasks) { t in
        let (a, b, c) = args.value
        let lo = units * t / tasks, hi = units * (t + 1) / tasks
        let ws = GEMMWorkspacePool.shared.acquire()
        if splitN {
            let r = (lo * kernel.nr) ..< min(n, hi * kernel.nr)
            sgemmBlock(kernel, ws, transA, transB, 0 ..< m, r, k, alpha, a, lda, b, ldb,
                       beta, c, ldc)
        } else {
            let r = (lo * kernel.mr) ..< min(m, hi * kernel.mr)
            sgemmBlock(kernel, ws, transA, transB, r, 0 ..< n, k, alpha, a, lda, b, ldb,
                       beta, c, ldc)
        }
        GEMMWorkspacePool.shared.release(ws)
    }
}

/// Splits `total` into `ceil(total / block)` nearly equal blocks, each rounded up to a multiple
/// of `unit` (the last one takes the rest): avoids a thin last block (k = 260 with KC = 256 runs
/// as 132 + 128 rather than 256 + 4).
@inline(__always)
private func balancedBlock(_ total: Int, _ block: Int, _ unit: Int) -> Int {
    let count = (total + block - 1) / block
    let size = (total + count - 1) / count
    return min(block, (size + unit - 1) / unit * unit)
}

/// The BLIS loop nest over C[rows, cols] (all of k), on the calling thread.
private func sgemmBlock(
    _ kernel: SgemmKernel, _ ws: GEMMWorkspace, _ transA: Bool, _ transB: Bool,
    _ rows: Range<Int>, _ cols: Range<Int>, _ k: Int, _ alpha: Float,
    _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
    _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int
) {
    let mr = kernel.mr, nr = kernel.nr
    let mLen = rows.count, nLen = cols.count
    let kcMax = balancedBlock(k, kernel.kc, 1)
    let mcMax = balancedBlock(mLen, kernel.mc, mr)
    let ncMax = balancedBlock(nLen, kernel.nc, nr)
    ws.reserve(a: kcMax * ((mcMax + mr - 1) / mr * mr), b: kcMax * ((ncMax + nr - 1) / nr * nr))
    let pa = ws.a, pb = ws.b
    let ukr = kernel.ukr
    let pack = kernel.pack

    // Packs X = op(B)[p0 ..< p0+kc, j0 ..< j0+width] into NR-wide panels at pb.
    @inline(__always)
    func packB(_ p0: Int, _ kc: Int, _ j0: Int, _ width: Int) {
        if transB {
            pack(1, kc, width, nr, b + j0 * ldb + p0, ldb, pb)
        } else {
            pack(0, kc, width, nr, b + p0 * ldb + j0, ldb, pb)
        }
    }
    // Packs X = op(A)[i0 ..< i0+mc, p0 ..< p0+kc]^T into MR-wide panels at pa.
    @inline(__always)
    func packA(_ i0: Int, _ mc: Int, _ p0: Int, _ kc: Int) {
        if transA {
            pack(0, kc, mc, mr, a + p0 * lda + i0, lda, pa)
        } else {
            pack(1, kc, mc, mr, a + i0 * lda + p0, lda, pa)
        }
    }
    // Macro-kernel on C[i0 ..< i0+mc, j0 ..< j0+nc]: each B micro-panel stays in L1/L2 while the
    // A micro-panels stream past it.
    @inline(__always)
    func macroKernel(_ i0: Int, _ mc: Int, _ j0: Int, _ nc: Int, _ kc: Int, _ betaEff: Float) {
        if kc * nc <= 8192 {
            // The whole packed B block fits in L1 (small k or n: im2col GEMMs): walk C row block
            // by row block, so C is written as one forward stream the hardware prefetches well.
            var ir = 0
            while ir < mc {
                let aPanel = UnsafePointer(pa + ir * kc)
                let mrEff = min(mr, mc - ir)
                var jr = 0
                while jr < nc {
                    ukr(kc, aPanel, UnsafePointer(pb + jr * kc), c + (i0 + ir) * ldc + j0 + jr, ldc,
                        alpha, betaEff, mrEff, min(nr, nc - jr))
                    jr += nr
                }
                ir += mr
            }
            return
        }
        var jr = 0
        while jr < nc {
            let nrEff = min(nr, nc - jr)
            let bPanel = UnsafePointer(pb + jr * kc)
            var ir = 0
            while ir < mc {
                ukr(kc, UnsafePointer(pa + ir * kc), bPanel, c + (i0 + ir) * ldc + j0 + jr, ldc,
                    alpha, betaEff, min(mr, mc - ir), nrEff)
                ir += mr
            }
            jr += nr
        }
    }

    if mLen <= mcMax {
        // A single block of rows (small m, e.g. the batch-128 layers): pack op(A) once per KC
        // slice and walk N in narrow blocks whose packed B (~384 KiB) stays in L2 next to it; a
        // KC x NC block would round-trip through L3 while being used only mLen times per element.
        // (Capped at ncMax: the workspace holds kcMax x ncMax packed floats.)
        let ncSmall = min(ncMax, max(nr, (384 * 1024 / (kcMax * 4)) / nr * nr))
        var pc = 0
        while pc < k {
            let kc = min(kcMax, k - pc)
            let betaEff: Float = pc == 0 ? beta : 1
            packA(rows.lowerBound, mLen, pc, kc)
            var jc = cols.lowerBound
            while jc < cols.upperBound {
                let nc = min(ncSmall, cols.upperBound - jc)
                packB(pc, kc, jc, nc)
                macroKernel(rows.lowerBound, mLen, jc, nc, kc, betaEff)
                jc += nc
            }
            pc += kc
        }
        return
    }

    // General BLIS order: NC columns, then a KC slice of B packed once (L3), then MC rows of A
    // packed (L2), then the macro-kernel.
    var jc = cols.lowerBound
    while jc < cols.upperBound {
        let nc = min(ncMax, cols.upperBound - jc)
        var pc = 0
        while pc < k {
            let kc = min(kcMax, k - pc)
            let betaEff: Float = pc == 0 ? beta : 1
            packB(pc, kc, jc, nc)
            var ic = rows.lowerBound
            while ic < rows.upperBound {
                let mc = min(mcMax, rows.upperBound - ic)
                packA(ic, mc, pc, kc)
                macroKernel(ic, mc, jc, nc, kc, betaEff)
                ic += mc
            }
            pc += kc
        }
        jc += nc
    }
}

/// C = beta * C (beta == 0 writes zeros without reading C).
private func scaleMatrix(m: Int, n: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
    if beta == 1 { return }
    for i in 0 ..< m {
        let row = c + i * ldc
        if beta == 0 {
            row.update(repeating: 0, count: n)
        } else {
            for j in 0 ..< n { row[j] *= beta }
        }
    }
}

// MARK: - Matrix-vector path (m == 1 or n == 1)

/// GEMM with a single output column (n == 1) or row (m == 1), memory-bound: no packing, split
/// over threads by output ranges when large.
private func sgemv(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, isa: KernelISA
) {
    let dot = isa >= .avx2 ? ember_sgemv_dot_avx2 : ember_sgemv_dot_ref
    let axpy = isa >= .avx2 ? ember_sgemv_axpy_avx2 : ember_sgemv_axpy_ref
    // About 1 MFLOP per thread before splitting pays for the wake-up.
    let grainElements = 256 * 1024

    if n == 1 {
        // y[i] = sum_p op(A)[i, p] * x[p], x[p] = op(B)[p, 0], y[i] = C[i*ldc].
        let xStride = transB ? 1 : ldb
        if !transA {
            // Rows of A are contiguous: dot products with a contiguous x.
            withContiguous(b, count: k, stride: xStride) { x in
                let args = UncheckedSendable((a, x, c))
                let grain = max(4, grainElements / max(1, k))
                parallelFor(count: m, minGrain: grain) { r in
                    let (a, x, c) = args.value
                    dot(r.count, k, a + r.lowerBound * lda, lda, x, c + r.lowerBound * ldc, ldc,
                        alpha, beta)
                }
            }
        } else {
            // op(A)[i, p] = A[p*lda + i]: y = sum_p x[p] * A[p, :], contiguous along i.
            let args = UncheckedSendable((a, b, c))
            let grain = max(64, grainElements / max(1, k))
            parallelFor(count: m, minGrain: grain) { r in
                let (a, b, c) = args.value
                if ldc == 1 {
                    axpy(k, r.count, a + r.lowerBound, lda, b, xStride, c + r.lowerBound, alpha, beta)
                } else {
                    withUnsafeTemporaryAllocation(of: Float.self, capacity: r.count) { tmp in
                        let y = tmp.baseAddress!
                        for i in 0 ..< r.count { y[i] = beta == 0 ? 0 : c[(r.lowerBound + i) * ldc] }
                        axpy(k, r.count, a + r.lowerBound, lda, b, xStride, y, alpha, beta)
                        for i in 0 ..< r.count { c[(r.lowerBound + i) * ldc] = y[i] }
                    }
                }
            }
        }
        return
    }
    // m == 1: y[j] = sum_p x[p] * op(B)[p, j], x[p] = op(A)[0, p], y = C's first row (contiguous).
    let xStride = transA ? lda : 1
    if !transB {
        let args = UncheckedSendable((a, b, c))
        let grain = max(64, grainElements / max(1, k))
        parallelFor(count: n, minGrain: grain) { r in
            let (a, b, c) = args.value
            axpy(k, r.count, b + r.lowerBound, ldb, a, xStride, c + r.lowerBound, alpha, beta)
        }
    } else {
        // op(B)[p, j] = B[j*ldb + p]: rows of B are contiguous, dot each with x.
        withContiguous(a, count: k, stride: xStride) { x in
            let args = UncheckedSendable((b, x, c))
            let grain = max(4, grainElements / max(1, k))
            parallelFor(count: n, minGrain: grain) { r in
                let (b, x, c) = args.value
                dot(r.count, k, b + r.lowerBound * ldb, ldb, x, c + r.lowerBound, 1, alpha, beta)
            }
        }
    }
}

/// Calls `body` with `count` elements `src[i*stride]` laid out contiguously (no copy when
/// stride == 1).
private func withContiguous(
    _ src: UnsafePointer<Float>, count: Int, stride: Int, _ body: (UnsafePointer<Float>) -> Void
) {
    if stride == 1 || count <= 1 {
        body(src)
        return
    }
    withUnsafeTemporaryAllocation(of: Float.self, capacity: count) { tmp in
        let x = tmp.baseAddress!
        for i in 0 ..< count { x[i] = src[i * stride] }
        body(UnsafePointer(x))
    }
}

// MARK: - DGEMM

/// Double-precision GEMM with `sgemm`'s contract (row-major, C = alpha*op(A)*op(B) + beta*C,
/// beta == 0 ignores C). A simple cache-blocked loop meant for Float64 gradient checks, not speed.
public func dgemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Double,
    a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
    beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
) {
    precondition(m >= 0 && n >= 0 && k >= 0, "dgemm: negative dimension")
    if m == 0 || n == 0 { return }
    for i in 0 ..< m {
        let row = c + i * ldc
        if beta == 0 {
            row.update(repeating: 0, count: n)
        } else if beta != 1 {
            for j in 0 ..< n { row[j] *= beta }
        }
    }
    if k == 0 || alpha == 0 { return }
    // i-p-j order: the inner loop runs along a row of C and a row of op(B); op(B) is copied
    // row-major in 64-deep slices when transposed so the inner loop stays contiguous.
    let kb = 64
    let bSlice = UnsafeMutablePointer<Double>.allocate(capacity: kb * n)
    defer { bSlice.deallocate() }
    var p0 = 0
    while p0 < k {
        let pk = min(kb, k - p0)
        for p in 0 ..< pk {
            for j in 0 ..< n {
                bSlice[p * n + j] = transB ? b[j * ldb + p0 + p] : b[(p0 + p) * ldb + j]
            }
        }
        for i in 0 ..< m {
            let row = c + i * ldc
            for p in 0 ..< pk {
                let aip = alpha * (transA ? a[(p0 + p) * lda + i] : a[i * lda + p0 + p])
                let bp = bSlice + p * n
                for j in 0 ..< n { row[j] += aip * bp[j] }
            }
        }
        p0 += pk
    }
}
