import CEmberKernels

// Float32 elementwise fast paths through the C kernels (AVX2/FMA chosen at run time, portable
// fallback otherwise).

enum VectorKernels {
    /// Whether the AVX2/FMA variants of the C kernels may run on this CPU.
    static let avx2: Bool = ember_cpu_has_avx2_fma() != 0

    typealias UnaryC = (Int, UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void

    static func exp(_ n: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        if avx2 { ember_exp_f32_avx2(n, x, y) } else { ember_exp_f32_ref(n, x, y) }
    }
    static func tanh(_ n: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        if avx2 { ember_tanh_f32_avx2(n, x, y) } else { ember_tanh_f32_ref(n, x, y) }
    }
    static func sigmoid(_ n: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        if avx2 { ember_sigmoid_f32_avx2(n, x, y) } else { ember_sigmoid_f32_ref(n, x, y) }
    }

    /// Runs a C unary kernel over a contiguous float32 tensor into a new one, in parallel chunks;
    /// nil when `x` is not a contiguous float32 tensor.
    static func unary(_ x: Tensor, _ kernel: UnaryC) -> Tensor? {
        guard x.dtype == .float32, x.isContiguous else { return nil }
        let out = Tensor(uninitializedShape: x.shape, dtype: .float32)
        let px = UnsafePointer(x.basePointer(Float.self)), po = out.basePointer(Float.self)
        parallelRanges(x.count, grain: 1 << 14) { lo, hi in kernel(hi - lo, px + lo, po + lo) }
        return out
    }

    /// Adam's element update, rounding like torch (see optim.c).
    static func adam(_ n: Int, _ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>,
                     _ m: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>,
                     w1: Float, b2: Float, c2: Float, negStep: Float, bc2: Float, eps: Float,
                     wd: Float, shrink: Float, coupled: Bool, decoupled: Bool) {
        if avx2 {
            ember_adam_torch_f32_avx2(n, p, g, m, v, w1, b2, c2, negStep, bc2, eps, wd, shrink,
                                      coupled ? 1 : 0, decoupled ? 1 : 0)
        } else {
            ember_adam_torch_f32_ref(n, p, g, m, v, w1, b2, c2, negStep, bc2, eps, wd, shrink,
                                     coupled ? 1 : 0, decoupled ? 1 : 0)
        }
    }

    /// Row multiply-add of the direct convolutions; false (nothing done) unless T is Float.
    @inline(__always)
    static func rowsAxpy<T>(_ rows: Int, _ len: Int, _ alpha: T, _ src: UnsafePointer<T>, _ srcStride: Int,
                            _ dst: UnsafeMutablePointer<T>, _ dstStride: Int) -> Bool {
        guard T.self == Float.self else { return false }
        let a = unsafeBitCast(alpha, to: Float.self)
        let s = UnsafeRawPointer(src).assumingMemoryBound(to: Float.self)
        let d = UnsafeMutableRawPointer(dst).assumingMemoryBound(to: Float.self)
        if avx2 { ember_rows_axpy_f32_avx2(rows, len, a, s, srcStride, d, dstStride) }
        else { ember_rows_axpy_f32_ref(rows, len, a, s, srcStride, d, dstStride) }
        return true
    }

    /// Row dot product of the direct convolutions; nil unless T is Float.
    @inline(__always)
    static func rowsDot<T>(_ rows: Int, _ len: Int, _ a: UnsafePointer<T>, _ aStride: Int,
                           _ b: UnsafePointer<T>, _ bStride: Int) -> T? {
        guard T.self == Float.self else { return nil }
        let x = UnsafeRawPointer(a).assumingMemoryBound(to: Float.self)
        let y = UnsafeRawPointer(b).assumingMemoryBound(to: Float.self)
        let r = avx2 ? ember_rows_dot_f32_avx2(rows, len, x, aStride, y, bStride)
                     : ember_rows_dot_f32_ref(rows, len, x, aStride, y, bStride)
        return unsafeBitCast(r, to: T.self)
    }
}
