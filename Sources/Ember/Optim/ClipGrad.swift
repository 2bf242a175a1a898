import Foundation

/// Rescales the gradients of `params` so that their total norm is at most `maxNorm`
/// (PyTorch's `torch.nn.utils.clip_grad_norm_`), and returns the total norm before clipping.
///
/// The total norm is the `normType`-norm of all gradients taken together, as if concatenated
/// into one vector (`.infinity` for the largest absolute value). When it exceeds `maxNorm`, every
/// gradient is multiplied in place by `maxNorm / (total + 1e-6)`; otherwise nothing changes.
/// Parameters without a gradient are ignored; with no gradients at all the result is 0.
/// As in PyTorch, a NaN or infinite total norm turns the gradients into NaN.
///
/// ```swift
/// loss.backward()
/// let norm = clipGradNorm(model.parameters(), maxNorm: 1.0)
/// opt.step()
/// ```
@discardableResult
public func clipGradNorm(_ params: [Tensor], maxNorm: Double, normType: Double = 2) -> Double {
    if !(normType > 0) { fail("clipGradNorm", "normType must be positive or .infinity, got \(normType)") }
    let grads = params.compactMap(\.grad)
    if grads.isEmpty { return 0 }
    var accumulated = 0.0  // max |g| for the infinity norm, Σ|g|^p otherwise (in Double)
    for g in grads {
        let g = g.isContiguous ? g : g.contiguousCopy()
        switch g.dtype {
        case .float32: accumulated = g.withUnsafeBufferPointer(as: Float.self) { accumulateNorm($0, normType, accumulated) }
        case .float64: accumulated = g.withUnsafeBufferPointer(as: Double.self) { accumulateNorm($0, normType, accumulated) }
        case .int64: fail("clipGradNorm", "gradients must be floating-point, got \(g.dtype)")
        }
    }
    let total = normType == .infinity ? accumulated
        : normType == 2 ? accumulated.squareRoot() : Foundation.pow(accumulated, 1 / normType)
    let coefficient = maxNorm / (total + 1e-6)
    if !(coefficient >= 1) {  // clamp(max: 1): scaling by 1 would change nothing; NaN still scales
        for p in params { if let g = p.grad { scaleGradient(p, g, by: coefficient) } }
    }
    return total
}

/// Clamps every gradient element of `params` into [−clipValue, clipValue] in place
/// (PyTorch's `torch.nn.utils.clip_grad_value_`). Parameters without a gradient are ignored.
public func clipGradValue(_ params: [Tensor], clipValue: Double) {
    if !(clipValue >= 0) { fail("clipGradValue", "clipValue must be non-negative, got \(clipValue)") }
    for p in params {
        guard let g = p.grad else { continue }
        let target = ownedGradient(p, g)
        switch target.dtype {
        case .float32: clamp(target, Float(clipValue))
        case .float64: clamp(target, clipValue)
        case .int64: fail("clipGradValue", "gradients must be floating-point, got \(g.dtype)")
        }
    }
}

private func accumulateNorm<T: TensorFloat>(_ values: UnsafeBufferPointer<T>, _ p: Double, _ start: Double) -> Double {
    var acc = start
    if p == .infinity {
        for v in values { let a = Double(Swift.abs(v)); acc = a > acc || a.isNaN ? a : acc }
    } else if p == 2 {
        for v in values { let d = Double(v); acc += d * d }
    } else if p == 1 {
        for v in values { acc += Double(Swift.abs(v)) }
    } else {
        for v in values { acc += Foundation.pow(Double(Swift.abs(v)), p) }
    }
    return acc
}

/// The gradient of `p` as a tensor that can be written in place (contiguous, not part of a graph).
private func ownedGradient(_ p: Tensor, _ g: Tensor) -> Tensor {
    if g.isContiguous && !g.requiresGrad { return g }
    let copy = g.detach().contiguousCopy()
    p.grad = copy
    return copy
}

private func scaleGradient(_ p: Tensor, _ g: Tensor, by coefficient: Double) {
    let target = ownedGradient(p, g)
    switch target.dtype {
    case .float32:
        let c = Float(coefficient)
        target.withUnsafeMutableBufferPointer(as: Float.self) { b in for i in b.indices { b[i] *= c } }
    case .float64:
        target.withUnsafeMutableBufferPointer(as: Double.self) { b in for i in b.indices { b[i] *= coefficient } }
    case .int64: break
    }
}

private func clamp<T: TensorFloat>(_ g: Tensor, _ c: T) {
    g.withUnsafeMutableBufferPointer(as: T.self) { b in
        for i in b.indices { let v = b[i]; b[i] = v < -c ? -c : (v > c ? c : v) }  // NaN stays NaN
    }
}
