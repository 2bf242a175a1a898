import Foundation

// Elementwise math functions. Rules that need the op's output use the saved (detached) output
// when only first derivatives are needed, and recompute it from the input under `createGraph`,
// so that second derivatives see the full graph.

extension Tensor {
    /// e^x, elementwise.
    public func exp() -> Tensor {
        let out = unaryForward(self, "exp", { Float.exp($0) }, { Double.exp($0) })
        if Autograd.shouldRecord(self) {
            out.recorded("exp", [self], saved: [out.detach()]) { g, n in
                [g * (Autograd.gradEnabled ? n.input(0).exp() : n.saved[0])]
            }
        }
        return out
    }

    /// Natural logarithm, elementwise.
    public func log() -> Tensor {
        let out = unaryForward(self, "log", { Float.log($0) }, { Double.log($0) })
        if Autograd.shouldRecord(self) {
            out.recorded("log", [self]) { g, n in [g / n.input(0)] }
        }
        return out
    }

    /// Square root, elementwise.
    public func sqrt() -> Tensor {
        let out = unaryForward(self, "sqrt", { $0.squareRoot() }, { $0.squareRoot() })
        if Autograd.shouldRecord(self) {
            out.recorded("sqrt", [self], saved: [out.detach()]) { g, n in
                // d√x/dx = 1 / (2√x)
                let y = Autograd.gradEnabled ? n.input(0).sqrt() : n.saved[0]
                return [g / (y * 2)]
            }
        }
        return out
    }

    /// 1/√x, elementwise.
    public func rsqrt() -> Tensor {
        let out = unaryForward(self, "rsqrt", { 1 / $0.squareRoot() }, { 1 / $0.squareRoot() })
        if Autograd.shouldRecord(self) {
            out.recorded("rsqrt", [self]) { g, n in
                // d x^(-1/2)/dx = -½ x^(-3/2)
                [g * n.input(0).pow(-1.5) * -0.5]
            }
        }
        return out
    }

    /// Absolute value, elementwise (gradient 0 at 0, like PyTorch).
    public func abs() -> Tensor {
        let out = unaryForward(self, "abs", { Swift.abs($0) }, { Swift.abs($0) })
        if Autograd.shouldRecord(self) {
            out.recorded("abs", [self]) { g, n in [g * n.input(0).detach().sign()] }
        }
        return out
    }

    /// -1, 0 or 1 by the sign of each element (not differentiable: its gradient is 0).
    public func sign() -> Tensor {
        let out = unaryForward(self, "sign", { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }, { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) })
        if Autograd.shouldRecord(self) {
            out.recorded("sign", [self], inputsSaved: false) { g, _ in [g * 0] }
        }
        return out
    }

    /// x², elementwise.
    public func square() -> Tensor {
        let out = unaryForward(self, "square", { $0 * $0 }, { $0 * $0 })
        if Autograd.shouldRecord(self) {
            out.recorded("square", [self]) { g, n in [g * n.input(0) * 2] }
        }
        return out
    }

    /// x raised to a scalar power, elementwise.
    public func pow(_ p: Double) -> Tensor {
        if p == 2 { return square() }
        let pf = Float(p)
        let out = unaryForward(self, "pow", { Float.pow($0, pf) }, { Double.pow($0, p) })
        if Autograd.shouldRecord(self) {
            out.recorded("pow", [self]) { g, n in
                // d x^p/dx = p·x^(p-1)
                p == 0 ? [g * 0] : [g * n.input(0).pow(p - 1) * p]
            }
        }
        return out
    }

    /// 1/x, elementwise.
    public func reciprocal() -> Tensor { reverseDividing(1) }

    /// Sine, elementwise.
    public func sin() -> Tensor {
        let out = unaryForward(self, "sin", { Foundation.sin($0) }, { Foundation.sin($0) })
        if Autograd.shouldRecord(self) { out.recorded("sin", [self]) { g, n in [g * n.input(0).cos()] } }
        return out
    }

    /// Cosine, elementwise.
    public func cos() -> Tensor {
        let out = unaryForward(self, "cos", { Foundation.cos($0) }, { Foundation.cos($0) })
        if Autograd.shouldRecord(self) { out.recorded("cos", [self]) { g, n in [g * n.input(0).sin().negated()] } }
        return out
    }

    /// Limits every element to [min, max] (either bound may be omitted). The gradient is passed
    /// where the input lies inside the bounds (bounds included) and is 0 outside, like PyTorch.
    public func clamp(min lo: Double? = nil, max hi: Double? = nil) -> Tensor {
        let l = lo ?? -.infinity, h = hi ?? .infinity
        let lf = Float(l), hf = Float(h)
        let out = unaryForward(self, "clamp", { Swift.min(Swift.max($0, lf), hf) }, { Swift.min(Swift.max($0, l), h) })
        if Autograd.shouldRecord(self) {
            out.recorded("clamp", [self]) { g, n in
                let x = n.input(0).detach()
                let mask = unaryForward(x, "clamp", { $0 >= lf && $0 <= hf ? 1 : 0 }, { $0 >= l && $0 <= h ? 1 : 0 })
                return [g * mask]
            }
        }
        return out
    }
}
