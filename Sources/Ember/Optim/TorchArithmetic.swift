// The element-wise arithmetic of PyTorch's CPU optimizer kernels, so that Ember's one-pass
// updates round exactly like torch's sequence of tensor ops (Fixtures/FIXTURES.md 7.4):
//   p.add_(g, alpha: a)         = fma(a, g, p)
//   v.addcmul_(x, y, value: c)  = fma(c·x, y, v)
//   p.addcdiv_(x, y, value: c)  = p + (c·x)/y          (no fma)
//   s.lerp_(e, w)               = |w| < 0.5 ? fma(w, e − s, s) : fma(w − 1, e − s, e)
// Every other op (mul_, sqrt, /, + eps) rounds on its own.

/// a·b + c with one rounding (torch's `add(alpha:)` and `addcmul`).
@inline(__always)
func fusedMultiplyAdd<T: TensorFloat>(_ a: T, _ b: T, _ c: T) -> T { c.addingProduct(a, b) }

/// torch.lerp(start, end, weight) for a scalar weight, as its CPU kernel evaluates it.
@inline(__always)
func torchLerp<T: TensorFloat>(_ start: T, _ end: T, _ weight: T) -> T {
    let d = end - start
    return Swift.abs(weight) < 0.5 ? fusedMultiplyAdd(weight, d, start) : fusedMultiplyAdd(weight - 1, d, end)
}

/// torch.maximum: the larger value, NaN if either is NaN.
@inline(__always)
func torchMaximum<T: TensorFloat>(_ a: T, _ b: T) -> T {
    if a.isNaN { return a }
    return b > a || b.isNaN ? b : a
}

extension Tensor {
    /// The element pointer of a contiguous state tensor the optimizer owns (no version bump).
    @inline(__always) func statePointer<T>(_: T.Type) -> UnsafeMutablePointer<T> { basePointer(T.self) }
}

/// Adds one to a per-parameter step counter (a 0-d float32 tensor, as PyTorch keeps it) and
/// returns the new count.
func incrementStep(_ counter: Tensor) -> Double {
    let p = counter.basePointer(Float.self)
    p[0] += 1
    return Double(p[0])
}

/// One optimizer's update rule: a single in-place pass over the elements `range` of a parameter,
/// its gradient and its state tensors, written once for `Float` and `Double`.
protocol ElementwiseUpdate {
    func run<T: TensorFloat>(_ param: UnsafeMutablePointer<T>, _ grad: UnsafePointer<T>, _ range: Range<Int>)
}

extension ElementwiseUpdate {
    /// Applies the update to `param` (bumping its version) with the contiguous gradient `grad`;
    /// large parameters are split across threads.
    func apply(to param: Tensor, grad: Tensor) {
        guard param.count > 0 else { return }
        switch param.dtype {
        case .float32:
            param.withUnsafeMutableBufferPointer(as: Float.self) { p in
                let p = p.baseAddress!, g = UnsafePointer(grad.basePointer(Float.self))
                parallelElementwise(param.count) { lo, hi in run(p, g, lo..<hi) }
            }
        case .float64:
            param.withUnsafeMutableBufferPointer(as: Double.self) { p in
                let p = p.baseAddress!, g = UnsafePointer(grad.basePointer(Double.self))
                parallelElementwise(param.count) { lo, hi in run(p, g, lo..<hi) }
            }
        case .int64:
            fail("optimizer step", "cannot update an int64 tensor")
        }
    }
}
