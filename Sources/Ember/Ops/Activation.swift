import Foundation

// Activation functions. Piecewise-linear ones multiply the gradient by a constant mask (their
// second derivative is 0 almost everywhere, so the rule is exact under createGraph too).

extension Tensor {
    /// max(0, x), elementwise.
    public func relu() -> Tensor {
        let out = unaryForward(self, "relu", { $0 > 0 ? $0 : 0 }, { $0 > 0 ? $0 : 0 })
        if Autograd.shouldRecord(self) {
            out.recorded("relu", [self], saved: [out.detach()], inputsSaved: false) { g, n in
                if !Autograd.gradEnabled {  // one fused pass: g·mask
                    return [binaryForward(g, n.saved[0], "reluBackward", { $1 > 0 ? $0 : $0 * 0 }, { $1 > 0 ? $0 : $0 * 0 })]
                }
                return [g * unaryForward(n.saved[0], "relu", { $0 > 0 ? 1 : 0 }, { $0 > 0 ? 1 : 0 })]
            }
        }
        return out
    }

    /// x for x > 0, `negativeSlope`·x otherwise (PyTorch's default slope is 0.01; GANs use 0.2).
    public func leakyRelu(negativeSlope: Double = 0.01) -> Tensor {
        let s = negativeSlope, sf = Float(s)
        let out = unaryForward(self, "leakyRelu", { $0 > 0 ? $0 : $0 * sf }, { $0 > 0 ? $0 : $0 * s })
        if Autograd.shouldRecord(self) {
            out.recorded("leakyRelu", [self]) { g, n in
                if !Autograd.gradEnabled {  // one fused pass: g·mask
                    return [binaryForward(g, n.input(0).detach(), "leakyReluBackward", { $1 > 0 ? $0 : $0 * sf }, { $1 > 0 ? $0 : $0 * s })]
                }
                return [g * unaryForward(n.input(0).detach(), "leakyRelu", { $0 > 0 ? 1 : sf }, { $0 > 0 ? 1 : s })]
            }
        }
        return out
    }

    /// The logistic function 1 / (1 + e^-x), elementwise.
    public func sigmoid() -> Tensor {
        let out = VectorKernels.unary(self, VectorKernels.sigmoid)
            ?? unaryForward(self, "sigmoid", { 1 / (1 + Float.exp(-$0)) }, { 1 / (1 + Double.exp(-$0)) })
        if Autograd.shouldRecord(self) {
            out.recorded("sigmoid", [self], saved: [out.detach()]) { g, n in
                // σ'(x) = σ(x)(1 - σ(x))
                if !Autograd.gradEnabled {
                    return [binaryForward(g, n.saved[0], "sigmoidBackward", { $0 * $1 * (1 - $1) }, { $0 * $1 * (1 - $1) })]
                }
                let y = n.input(0).sigmoid()
                return [g * y * (1 - y)]
            }
        }
        return out
    }

    /// Hyperbolic tangent, elementwise.
    public func tanh() -> Tensor {
        let out = VectorKernels.unary(self, VectorKernels.tanh)
            ?? unaryForward(self, "tanh", { Float.tanh($0) }, { Double.tanh($0) })
        if Autograd.shouldRecord(self) {
            out.recorded("tanh", [self], saved: [out.detach()]) { g, n in
                // tanh'(x) = 1 - tanh²(x)
                if !Autograd.gradEnabled {
                    return [binaryForward(g, n.saved[0], "tanhBackward", { $0 * (1 - $1 * $1) }, { $0 * (1 - $1 * $1) })]
                }
                let y = n.input(0).tanh()
                return [g * (1 - y * y)]
            }
        }
        return out
    }

    /// log(1 + e^(βx))/β, reverting to x where βx > `threshold` (PyTorch's defaults: β 1, threshold 20).
    public func softplus(beta: Double = 1, threshold: Double = 20) -> Tensor {
        let b = beta, t = threshold, bf = Float(beta), tf = Float(threshold)
        let out = unaryForward(self, "softplus",
                               { $0 * bf > tf ? $0 : Float.log1p(Float.exp($0 * bf)) / bf },
                               { $0 * b > t ? $0 : Double.log1p(Double.exp($0 * b)) / b })
        if Autograd.shouldRecord(self) {
            out.recorded("softplus", [self]) { g, n in
                // d/dx = σ(βx), or 1 above the threshold
                let x = n.input(0)
                let above = x.detach().multiplying(b).gt(t)
                return [g * (above + (1 - above) * (x * b).sigmoid())]
            }
        }
        return out
    }

    /// x for x > 0, α(e^x - 1) otherwise.
    public func elu(alpha: Double = 1) -> Tensor {
        let a = alpha, af = Float(alpha)
        let out = unaryForward(self, "elu", { $0 > 0 ? $0 : af * Float.expm1($0) }, { $0 > 0 ? $0 : a * Double.expm1($0) })
        if Autograd.shouldRecord(self) {
            out.recorded("elu", [self]) { g, n in
                // d/dx = 1 for x > 0, α·e^x otherwise
                let x = n.input(0)
                let pos = x.detach().gt(0)
                return [g * (pos + (1 - pos) * (x.clamp(max: 0).exp() * a))]  // clamp: no e^x overflow on the unused side
            }
        }
        return out
    }

    /// Gaussian error linear unit: x·Φ(x), exact (with erf) by default, or PyTorch's tanh
    /// approximation with `approximate: true`.
    public func gelu(approximate: Bool = false) -> Tensor {
        let c = (2 / Double.pi).squareRoot(), cf = Float(c)
        let invSqrt2 = 1 / 2.0.squareRoot(), i2f = Float(invSqrt2)
        let out = approximate
            ? unaryForward(self, "gelu", { 0.5 * $0 * (1 + Float.tanh(cf * ($0 + 0.044715 * $0 * $0 * $0))) },
                           { 0.5 * $0 * (1 + Double.tanh(c * ($0 + 0.044715 * $0 * $0 * $0))) })
            : unaryForward(self, "gelu", { 0.5 * $0 * (1 + Float.erf($0 * i2f)) }, { 0.5 * $0 * (1 + Double.erf($0 * invSqrt2)) })
        if Autograd.shouldRecord(self) {
            out.recorded("gelu", [self]) { g, n in
                let x = n.input(0)
                if approximate {
                    // u = c(x + 0.044715x³); d/dx = ½(1 + tanh u) + ½x(1 - tanh²u)·c(1 + 3·0.044715x²)
                    let th = ((x + x * x * x * 0.044715) * c).tanh()
                    return [g * ((th + 1) * 0.5 + x * 0.5 * (1 - th * th) * ((x * x * (3 * 0.044715) + 1) * c))]
                }
                // d/dx = Φ(x) + x·φ(x)
                let cdf = unaryForward(x.detach(), "gelu", { 0.5 * (1 + Float.erf($0 * i2f)) }, { 0.5 * (1 + Double.erf($0 * invSqrt2)) })
                let pdf = (x * x * -0.5).exp() * (1 / (2 * Double.pi).squareRoot())
                return [g * (cdf + x * pdf)]
            }
        }
        return out
    }

    /// Softmax along `dim`: e^x / Σ e^x, computed stably (the maximum is subtracted first).
    public func softmax(dim: Int) -> Tensor {
        let d = normalizedDim(dim, "softmax")
        let out = withNoGrad { () -> Tensor in
            let shifted = self - self.max(dim: d, keepDim: true)
            let e = shifted.exp()
            return e / e.sum(dim: d, keepDim: true)
        }
        if Autograd.shouldRecord(self) {
            out.recorded("softmax", [self], saved: [out.detach()]) { g, n in
                // dx = y ⊙ (g - Σ g⊙y)
                let y = Autograd.gradEnabled ? n.input(0).softmax(dim: d) : n.saved[0]
                return [y * (g - (g * y).sum(dim: d, keepDim: true))]
            }
        }
        return out
    }

    /// log(softmax(x)) along `dim`, computed stably as x - max - log Σ e^(x - max).
    public func logSoftmax(dim: Int) -> Tensor {
        let d = normalizedDim(dim, "logSoftmax")
        let out = withNoGrad { () -> Tensor in
            let shifted = self - self.max(dim: d, keepDim: true)
            return shifted - shifted.exp().sum(dim: d, keepDim: true).log()
        }
        if Autograd.shouldRecord(self) {
            out.recorded("logSoftmax", [self], saved: [out.detach()]) { g, n in
                // dx = g - softmax(x)·Σ g
                let y = Autograd.gradEnabled ? n.input(0).logSoftmax(dim: d) : n.saved[0]
                return [g - y.exp() * g.sum(dim: d, keepDim: true)]
            }
        }
        return out
    }
}
