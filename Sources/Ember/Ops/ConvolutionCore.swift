// The three linear maps of a convolution, each differentiated by the other two:
//
//   F(x, w)   = conv(x, w)                 (conv2d's forward)
//   D(dy, w)  = convᵀ(dy, w)               (conv2d's input gradient = conv_transpose2d's forward)
//   Wg(x, dy) = Σ dy ⊗ col(x)              (conv2d's weight gradient)
//
// With ⟨D(dy, w), x⟩ = ⟨dy, F(x, w)⟩ = ⟨Wg(x, dy), w⟩ every backward rule is again one of
// these ops, so gradients of any order (createGraph, gradient penalties) come for free.

/// F: y [N, Cout, outH, outW] = conv(x [N, Cin, inH, inW], w [Cout, Cin/g, kH, kW]) + bias.
func convolutionForward(_ x: Tensor, _ w: Tensor, _ bias: Tensor?, _ geometry: ConvGeometry, name: String = "conv2d") -> Tensor {
    var g = geometry
    g.batch = x.shape[0]
    let xd = x.contiguousData, wd = w.contiguousData, bd = bias?.contiguousData
    let y = Tensor(uninitializedShape: [g.batch, g.outChannels, g.outH, g.outW], dtype: x.dtype)
    func run<T: TensorFloat>(_: T.Type) {
        ConvKernels.forward(g, x: xd.basePointer(T.self), w: wd.basePointer(T.self),
                            bias: bd.map { UnsafePointer($0.basePointer(T.self)) }, y: y.basePointer(T.self))
    }
    switch x.dtype {
    case .float32: run(Float.self)
    case .float64: run(Double.self)
    case .int64: fail(name, "needs floating-point tensors")
    }
    let inputs = bias.map { [x, w, $0] } ?? [x, w]
    if Autograd.shouldRecord(inputs) {
        y.recorded(name, inputs, saved: [x.detach(), w.detach()], inputsSaved: false) { gy, n in
            let x = n.input(0), w = n.input(1)
            // dx = D(dy, w) ; dw = Wg(x, dy) ; db = Σ_{n,h,w} dy
            return [n.needsGrad(0) ? convolutionData(gy, w, nil, g) : nil,
                    n.needsGrad(1) ? convolutionWeight(x, gy, g) : nil,
                    n.inputs.count > 2 && n.needsGrad(2) ? gy.sum(dims: [0, 2, 3]) : nil]
        }
    }
    return y
}

/// D: dx [N, Cin, inH, inW] = convᵀ(dy [N, Cout, outH, outW], w) + bias (bias per Cin channel).
func convolutionData(_ dy: Tensor, _ w: Tensor, _ bias: Tensor?, _ geometry: ConvGeometry, name: String = "conv2dBackwardInput") -> Tensor {
    var g = geometry
    g.batch = dy.shape[0]
    let dyd = dy.contiguousData, wd = w.contiguousData
    let dx = Tensor(uninitializedShape: [g.batch, g.inChannels, g.inH, g.inW], dtype: dy.dtype)
    func run<T: TensorFloat>(_: T.Type) {
        ConvKernels.backwardData(g, dy: dyd.basePointer(T.self), w: wd.basePointer(T.self), dx: dx.basePointer(T.self))
    }
    switch dy.dtype {
    case .float32: run(Float.self)
    case .float64: run(Double.self)
    case .int64: fail(name, "needs floating-point tensors")
    }
    var out = dx
    if let bias { out = withNoGrad { dx + bias.reshape([1, g.inChannels, 1, 1]) } }
    let inputs = bias.map { [dy, w, $0] } ?? [dy, w]
    if Autograd.shouldRecord(inputs) {
        out.recorded(name, inputs, saved: [dy.detach(), w.detach()], inputsSaved: false) { gx, n in
            let dy = n.input(0), w = n.input(1)
            // ⟨D(dy, w), G⟩ = ⟨dy, F(G, w)⟩ = ⟨Wg(G, dy), w⟩
            return [n.needsGrad(0) ? convolutionForward(gx, w, nil, g) : nil,
                    n.needsGrad(1) ? convolutionWeight(gx, dy, g) : nil,
                    n.inputs.count > 2 && n.needsGrad(2) ? gx.sum(dims: [0, 2, 3]) : nil]
        }
    }
    return out
}

/// Wg: dw [Cout, Cin/g, kH, kW] = Σ_n dy_n · col(x_n)ᵀ.
func convolutionWeight(_ x: Tensor, _ dy: Tensor, _ geometry: ConvGeometry) -> Tensor {
    var g = geometry
    g.batch = x.shape[0]
    let xd = x.contiguousData, dyd = dy.contiguousData
    let dw = Tensor(uninitializedShape: [g.outChannels, g.inChannels / g.groups, g.kH, g.kW], dtype: x.dtype)
    func run<T: TensorFloat>(_: T.Type) {
        ConvKernels.backwardWeight(g, x: xd.basePointer(T.self), dy: dyd.basePointer(T.self), dw: dw.basePointer(T.self))
    }
    switch x.dtype {
    case .float32: run(Float.self)
    case .float64: run(Double.self)
    case .int64: fail("conv2dBackwardWeight", "needs floating-point tensors")
    }
    if Autograd.shouldRecord(x, dy) {
        dw.recorded("conv2dBackwardWeight", [x, dy], saved: [x.detach(), dy.detach()], inputsSaved: false) { gw, n in
            let x = n.input(0), dy = n.input(1)
            // ⟨Wg(x, dy), G⟩ = ⟨F(x, G), dy⟩ = ⟨x, D(dy, G)⟩
            return [n.needsGrad(0) ? convolutionData(dy, gw, nil, g) : nil,
                    n.needsGrad(1) ? convolutionForward(x, gw, nil, g) : nil]
        }
    }
    return dw
}
