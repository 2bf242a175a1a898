// Max, average and adaptive average pooling over [N, C, H, W] images.

/// The pooled length of a dimension (PyTorch's pooling_output_shape):
/// ⌊(L + 2p − d·(k − 1) − 1 + (ceil ? s − 1 : 0)) / s⌋ + 1, minus one if a ceil-mode window would
/// start past the input and its left padding.
func pooledLength(_ length: Int, kernel k: Int, stride s: Int, pad p: Int, dilation d: Int, ceilMode: Bool) -> Int {
    let numerator = length + 2 * p - d * (k - 1) - 1 + (ceilMode ? s - 1 : 0)
    var out = (numerator >= 0 ? numerator / s : -((-numerator + s - 1) / s)) + 1
    if ceilMode && (out - 1) * s >= length + p { out -= 1 }
    return out
}

/// Validated kernel, stride, padding and dilation pairs and the output size of a 2-D pooling.
private struct PoolArguments {
    let k: (Int, Int), s: (Int, Int), p: (Int, Int), d: (Int, Int), outH: Int, outW: Int

    init(_ op: String, _ x: Tensor, kernelSize: [Int], stride: [Int]?, padding: [Int], dilation: [Int], ceilMode: Bool) {
        x.checkImage(op)
        let kernel = spatialPair(kernelSize, op, "kernelSize")
        k = kernel
        if let stride, !stride.isEmpty { s = spatialPair(stride, op, "stride") } else { s = kernel }
        p = spatialPair(padding, op, "padding")
        d = spatialPair(dilation, op, "dilation")
        if k.0 <= 0 || k.1 <= 0 { fail(op, "kernel size should be greater than zero, but got kernelSize \(kernelSize)") }
        if s.0 <= 0 || s.1 <= 0 { fail(op, "stride should be greater than zero, but got stride \([s.0, s.1])") }
        if d.0 <= 0 || d.1 <= 0 { fail(op, "dilation should be greater than zero, but got dilation \(dilation)") }
        if p.0 < 0 || p.1 < 0 || p.0 > (d.0 * (k.0 - 1) + 1) / 2 || p.1 > (d.1 * (k.1 - 1) + 1) / 2 {
            fail(op, "pad should be at most half of effective kernel size, but got padding \([p.0, p.1]), kernelSize \([k.0, k.1]) and dilation \([d.0, d.1])")
        }
        let h = x.shape[x.rank - 2], w = x.shape[x.rank - 1]
        outH = pooledLength(h, kernel: k.0, stride: s.0, pad: p.0, dilation: d.0, ceilMode: ceilMode)
        outW = pooledLength(w, kernel: k.1, stride: s.1, pad: p.1, dilation: d.1, ceilMode: ceilMode)
        if outH < 1 || outW < 1 {
            fail(op, "Given input size: \(shapeString(x.shape)). Calculated output size: [\(outH), \(outW)]. Output size is too small")
        }
    }
}

/// Max pooling that also returns where each maximum came from, like PyTorch's
/// `F.max_pool2d(..., return_indices=True)`.
///
/// - Returns: `output` `[N, C, Hout, Wout]` and `indices` (int64, same shape): the flat position
///   `h·W + w` of the chosen element inside its `[H, W]` input plane (the first maximum in
///   row-major window order).
public func maxPool2dWithIndices(_ x: Tensor, kernelSize: [Int], stride: [Int]? = nil, padding: [Int] = [0, 0],
                                 dilation: [Int] = [1, 1], ceilMode: Bool = false) -> (output: Tensor, indices: Tensor) {
    let op = "maxPool2d"
    let a = PoolArguments(op, x, kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode)
    let h = x.shape[x.rank - 2], w = x.shape[x.rank - 1]
    let lead = Array(x.shape.dropLast(2)), planes = lead.reduce(1, *)
    let g = PoolGeometry(planes: planes, inH: h, inW: w, outH: a.outH, outW: a.outW, kH: a.k.0, kW: a.k.1,
                         strideH: a.s.0, strideW: a.s.1, padH: a.p.0, padW: a.p.1, dilationH: a.d.0, dilationW: a.d.1)
    let xd = x.contiguousData
    let y = Tensor(uninitializedShape: lead + [a.outH, a.outW], dtype: x.dtype)
    let indices = Tensor(uninitializedShape: y.shape, dtype: .int64)
    switch x.dtype {
    case .float32: maxPoolForward(g, xd.basePointer(Float.self), y.basePointer(Float.self), indices.basePointer(Int64.self))
    case .float64: maxPoolForward(g, xd.basePointer(Double.self), y.basePointer(Double.self), indices.basePointer(Int64.self))
    case .int64: fail(op, "needs a floating-point input")
    }
    // Once the maxima are chosen, the pooling is the linear map "gather at indices".
    selectionMap(op, inputShape: x.shape, indices: indices).record(y, input: x)
    return (y, indices)
}

/// y = x[indices] per plane and its adjoint, the scatter-add back to the input planes.
private func selectionMap(_ op: String, inputShape: [Int], indices: Tensor) -> LinearMap {
    let inPlane = inputShape[inputShape.count - 2] * inputShape[inputShape.count - 1]
    let outShape = indices.shape, outPlane = outShape[outShape.count - 2] * outShape[outShape.count - 1]
    let planes = indices.count / Swift.max(outPlane, 1)
    return LinearMap(name: op, adjointName: op + "Backward", saved: [indices], forward: { x in
        let y = Tensor(uninitializedShape: outShape, dtype: x.dtype)
        switch x.dtype {
        case .float32: gatherPlanes(planes: planes, inPlane: inPlane, outPlane: outPlane, x.basePointer(Float.self), indices.basePointer(Int64.self), y.basePointer(Float.self))
        default: gatherPlanes(planes: planes, inPlane: inPlane, outPlane: outPlane, x.basePointer(Double.self), indices.basePointer(Int64.self), y.basePointer(Double.self))
        }
        return y
    }, adjoint: { dy in
        let dx = Tensor(uninitializedShape: inputShape, dtype: dy.dtype)
        switch dy.dtype {
        case .float32: scatterPlanes(planes: planes, inPlane: inPlane, outPlane: outPlane, dy.basePointer(Float.self), indices.basePointer(Int64.self), dx.basePointer(Float.self))
        default: scatterPlanes(planes: planes, inPlane: inPlane, outPlane: outPlane, dy.basePointer(Double.self), indices.basePointer(Int64.self), dx.basePointer(Double.self))
        }
        return dx
    })
}

/// Max pooling over windows of `kernelSize`, like PyTorch's `F.max_pool2d`.
///
/// - Parameters:
///   - x: `[N, C, H, W]` (or `[C, H, W]`).
///   - kernelSize: `[k]` or `[kH, kW]`.
///   - stride: defaults to `kernelSize`.
///   - padding: implicit −∞ on each side (at most half the effective kernel size).
///   - dilation: spacing between window elements.
///   - ceilMode: round the output size up, so that a partial window at the end counts
///     (a window never starts in the right padding).
/// - Returns: `[N, C, Hout, Wout]`, `Hout = ⌊(H + 2p − d·(k − 1) − 1) / s⌋ + 1` (⌈⌉ with ceilMode).
///   The gradient goes to the element that was the maximum (the first one on ties).
public func maxPool2d(_ x: Tensor, kernelSize: [Int], stride: [Int]? = nil, padding: [Int] = [0, 0],
                      dilation: [Int] = [1, 1], ceilMode: Bool = false) -> Tensor {
    maxPool2dWithIndices(x, kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode).output
}

/// Average pooling, like PyTorch's `F.avg_pool2d`.
///
/// - Parameters:
///   - x: `[N, C, H, W]` (or `[C, H, W]`).
///   - kernelSize: `[k]` or `[kH, kW]`; stride defaults to it.
///   - padding: implicit zeros on each side (at most half the kernel size).
///   - ceilMode: round the output size up (see `maxPool2d`).
///   - countIncludePad: divide by the window size including padded zeros (PyTorch's default)
///     rather than by the number of input elements in the window.
///   - divisorOverride: divide every window sum by this number instead.
public func avgPool2d(_ x: Tensor, kernelSize: [Int], stride: [Int]? = nil, padding: [Int] = [0, 0],
                      ceilMode: Bool = false, countIncludePad: Bool = true, divisorOverride: Int? = nil) -> Tensor {
    let op = "avgPool2d"
    let a = PoolArguments(op, x, kernelSize: kernelSize, stride: stride, padding: padding, dilation: [1, 1], ceilMode: ceilMode)
    if let divisorOverride, divisorOverride == 0 { fail(op, "divisor must be not zero") }
    let h = x.shape[x.rank - 2], w = x.shape[x.rank - 1]
    let wh = BoxWindows.avgPool(length: h, output: a.outH, kernel: a.k.0, stride: a.s.0, pad: a.p.0, includePad: countIncludePad)
    let ww = BoxWindows.avgPool(length: w, output: a.outW, kernel: a.k.1, stride: a.s.1, pad: a.p.1, includePad: countIncludePad)
    return boxAverageMap(op, inputShape: x.shape, wh, ww, divisorOverride: divisorOverride)(x)
}

/// Adaptive average pooling to a fixed output size, like PyTorch's `F.adaptive_avg_pool2d`:
/// output (i, j) averages rows ⌊i·H/Hout⌋ ..< ⌈(i + 1)·H/Hout⌉ and the matching columns
/// (windows may overlap). `outputSize` is `[Hout, Wout]` or `[s]` for a square output.
public func adaptiveAvgPool2d(_ x: Tensor, outputSize: [Int]) -> Tensor {
    let op = "adaptiveAvgPool2d"
    x.checkImage(op)
    let (oh, ow) = spatialPair(outputSize, op, "outputSize")
    let h = x.shape[x.rank - 2], w = x.shape[x.rank - 1]
    if oh <= 0 || ow <= 0 { fail(op, "outputSize must be positive, got \(outputSize)") }
    if h == 0 || w == 0 { fail(op, "expected a non-empty input plane, got shape \(shapeString(x.shape))") }
    let wh = BoxWindows.adaptive(length: h, output: oh), ww = BoxWindows.adaptive(length: w, output: ow)
    return boxAverageMap(op, inputShape: x.shape, wh, ww, divisorOverride: nil)(x)
}

/// Window averages as a linear map, with their adjoint.
private func boxAverageMap(_ op: String, inputShape: [Int], _ wh: BoxWindows, _ ww: BoxWindows, divisorOverride: Int?) -> LinearMap {
    let h = inputShape[inputShape.count - 2], w = inputShape[inputShape.count - 1]
    let lead = Array(inputShape.dropLast(2)), planes = lead.reduce(1, *)
    let outShape = lead + [wh.start.count, ww.start.count]
    return LinearMap(name: op, adjointName: op + "Backward", forward: { x in
        let y = Tensor(uninitializedShape: outShape, dtype: x.dtype)
        switch x.dtype {
        case .float32: boxAverageForward(planes: planes, inH: h, inW: w, wh, ww, divisorOverride: divisorOverride, x.basePointer(Float.self), y.basePointer(Float.self))
        case .float64: boxAverageForward(planes: planes, inH: h, inW: w, wh, ww, divisorOverride: divisorOverride, x.basePointer(Double.self), y.basePointer(Double.self))
        case .int64: fail(op, "needs a floating-point input")
        }
        return y
    }, adjoint: { dy in
        let dx = Tensor(uninitializedShape: inputShape, dtype: dy.dtype)
        switch dy.dtype {
        case .float32: boxAverageBackward(planes: planes, inH: h, inW: w, wh, ww, divisorOverride: divisorOverride, dy.basePointer(Float.self), dx.basePointer(Float.self))
        default: boxAverageBackward(planes: planes, inH: h, inW: w, wh, ww, divisorOverride: divisorOverride, dy.basePointer(Double.self), dx.basePointer(Double.self))
        }
        return dx
    })
}
