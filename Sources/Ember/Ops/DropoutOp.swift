/// Zeroes each element with probability `p` and scales the others by 1/(1 - p) while
/// `training` (PyTorch's `F.dropout`); returns the input unchanged otherwise.
public func dropout(_ x: Tensor, p: Double = 0.5, training: Bool = true, generator: Generator? = nil) -> Tensor {
    if !(0...1).contains(p) { fail("dropout", "probability has to be between 0 and 1, but got \(p)") }
    if !training || p == 0 { return x }
    if p == 1 { return x * 0 }
    let g = generator ?? Generator.default
    let mask = Tensor(uninitializedShape: x.shape, dtype: x.dtype)
    let n = mask.count
    let keep = 1 - p
    switch x.dtype {
    case .float32:
        // compare 24-bit uniforms against the keep probability; kept elements carry the scale
        let ptr = mask.basePointer(Float.self), scale = Float(1 / keep)
        let threshold = UInt64(keep * Double(1 << 24))
        for i in 0..<n { ptr[i] = (g.next() >> 40) < threshold ? scale : 0 }
    case .float64:
        let ptr = mask.basePointer(Double.self), scale = 1 / keep
        for i in 0..<n { ptr[i] = g.nextDouble() < keep ? scale : 0 }
    case .int64: fail("dropout", "needs a floating-point tensor")
    }
    let out = withNoGrad { x.detach() * mask }
    if Autograd.shouldRecord(x) {
        out.recorded("dropout", [x], saved: [mask], inputsSaved: false) { g, n in [g * n.saved[0]] }
    }
    return out
}
