// Elementwise arithmetic with NumPy broadcasting: forward kernels and backward rules side by side.

/// Applies `f` elementwise over broadcast operands into `out` (contiguous).
@inline(__always)
func binaryKernel<T: TensorFloat>(_ a: Tensor, _ b: Tensor, _ out: Tensor, _ f: (T, T) -> T) {
    let pa = UnsafePointer(a.basePointer(T.self)), pb = UnsafePointer(b.basePointer(T.self))
    let po = out.basePointer(T.self)
    let n = out.count
    let aFull = a.shape == out.shape && a.isContiguous
    let bFull = b.shape == out.shape && b.isContiguous
    if aFull && bFull {
        parallelElementwise(n) { lo, hi in for i in lo..<hi { po[i] = f(pa[i], pb[i]) } }
    } else if aFull && b.count == 1 {
        let s = pb[0]
        parallelElementwise(n) { lo, hi in for i in lo..<hi { po[i] = f(pa[i], s) } }
    } else if bFull && a.count == 1 {
        let s = pa[0]
        parallelElementwise(n) { lo, hi in for i in lo..<hi { po[i] = f(s, pb[i]) } }
    } else {
        let sa = a.broadcastStrides(to: out.shape), sb = b.broadcastStrides(to: out.shape)
        forEachRow(shape: out.shape, stridesA: sa, stridesB: sb) { o, ia, ib, len, ta, tb in
            if ta == 1 && tb == 1 {
                for i in 0..<len { po[o + i] = f(pa[ia + i], pb[ib + i]) }
            } else if ta == 1 && tb == 0 {
                let s = pb[ib]
                for i in 0..<len { po[o + i] = f(pa[ia + i], s) }
            } else {
                for i in 0..<len { po[o + i] = f(pa[ia + i * ta], pb[ib + i * tb]) }
            }
        }
    }
}

/// The forward half of a broadcasting binary op on float tensors.
@inline(__always)
func binaryForward(_ a: Tensor, _ b: Tensor, _ op: String,
                   _ f32: (Float, Float) -> Float, _ f64: (Double, Double) -> Double) -> Tensor {
    if a.dtype != b.dtype {
        fail(op, "dtypes differ: \(a.dtype) \(shapeString(a.shape)) and \(b.dtype) \(shapeString(b.shape)); convert one with to(_:)")
    }
    let shape = broadcastShape(a.shape, b.shape, op)
    let out = Tensor(uninitializedShape: shape, dtype: a.dtype)
    switch a.dtype {
    case .float32: binaryKernel(a, b, out, f32)
    case .float64: binaryKernel(a, b, out, f64)
    case .int64: fail(op, "needs floating-point tensors, got int64; convert with to(.float32)")
    }
    return out
}

/// Applies `f` elementwise to a (possibly strided) tensor into a new contiguous one.
@inline(__always)
func unaryKernel<T: TensorFloat>(_ x: Tensor, _ out: Tensor, _ f: (T) -> T) {
    let px = UnsafePointer(x.basePointer(T.self)), po = out.basePointer(T.self)
    if x.isContiguous {
        parallelElementwise(out.count) { lo, hi in for i in lo..<hi { po[i] = f(px[i]) } }
    } else {
        forEachRow(shape: x.shape, stridesA: x.strides, stridesB: x.strides) { o, ia, _, len, ta, _ in
            for i in 0..<len { po[o + i] = f(px[ia + i * ta]) }
        }
    }
}

/// The forward half of an elementwise unary op on a float tensor.
@inline(__always)
func unaryForward(_ x: Tensor, _ op: String, _ f32: (Float) -> Float, _ f64: (Double) -> Double) -> Tensor {
    let out = Tensor(uninitializedShape: x.shape, dtype: x.dtype)
    switch x.dtype {
    case .float32: unaryKernel(x, out, f32)
    case .float64: unaryKernel(x, out, f64)
    case .int64: fail(op, "needs a floating-point tensor, got int64 of shape \(shapeString(x.shape)); convert with to(.float32)")
    }
    return out
}

extension Tensor {
    /// Elementwise sum with broadcasting.
    public func adding(_ other: Tensor) -> Tensor {
        let out = binaryForward(self, other, "add", { $0 + $1 }, { $0 + $1 })
        if Autograd.shouldRecord(self, other) {
            let sa = shape, sb = other.shape
            out.recorded("add", [self, other], inputsSaved: false) { g, n in
                [n.needsGrad(0) ? g.sumTo(sa) : nil, n.needsGrad(1) ? g.sumTo(sb) : nil]
            }
        }
        return out
    }

    /// Elementwise difference with broadcasting.
    public func subtracting(_ other: Tensor) -> Tensor {
        let out = binaryForward(self, other, "sub", { $0 - $1 }, { $0 - $1 })
        if Autograd.shouldRecord(self, other) {
            let sa = shape, sb = other.shape
            out.recorded("sub", [self, other], inputsSaved: false) { g, n in
                [n.needsGrad(0) ? g.sumTo(sa) : nil, n.needsGrad(1) ? g.negated().sumTo(sb) : nil]
            }
        }
        return out
    }

    /// Elementwise product with broadcasting.
    public func multiplying(_ other: Tensor) -> Tensor {
        let out = binaryForward(self, other, "mul", { $0 * $1 }, { $0 * $1 })
        if Autograd.shouldRecord(self, other) {
            out.recorded("mul", [self, other]) { g, n in
                let a = n.input(0), b = n.input(1)
                return [n.needsGrad(0) ? (g * b).sumTo(a.shape) : nil,
                        n.needsGrad(1) ? (g * a).sumTo(b.shape) : nil]
            }
        }
        return out
    }

    /// Elementwise quotient with broadcasting.
    public func dividing(_ other: Tensor) -> Tensor {
        let out = binaryForward(self, other, "div", { $0 / $1 }, { $0 / $1 })
        if Autograd.shouldRecord(self, other) {
            out.recorded("div", [self, other]) { g, n in
                let a = n.input(0), b = n.input(1)
                // d(a/b)/da = 1/b ; d(a/b)/db = -a/b²
                return [n.needsGrad(0) ? (g / b).sumTo(a.shape) : nil,
                        n.needsGrad(1) ? (g.negated() * a / (b * b)).sumTo(b.shape) : nil]
            }
        }
        return out
    }

    /// Elementwise power `self^exponent` with broadcasting.
    public func pow(_ exponent: Tensor) -> Tensor {
        let out = binaryForward(self, exponent, "pow", { Float.pow($0, $1) }, { Double.pow($0, $1) })
        if Autograd.shouldRecord(self, exponent) {
            out.recorded("pow", [self, exponent]) { g, n in
                let a = n.input(0), b = n.input(1)
                // d(a^b)/da = b·a^(b-1) ; d(a^b)/db = a^b·ln a
                return [n.needsGrad(0) ? (g * b * a.pow(b - 1)).sumTo(a.shape) : nil,
                        n.needsGrad(1) ? (g * a.pow(b) * a.log()).sumTo(b.shape) : nil]
            }
        }
        return out
    }

    // MARK: Scalar forms

    /// Adds a scalar to every element.
    public func adding(_ s: Double) -> Tensor {
        let f = Float(s)
        let out = unaryForward(self, "add", { $0 + f }, { $0 + s })
        if Autograd.shouldRecord(self) { out.recorded("add", [self], inputsSaved: false) { g, _ in [g] } }
        return out
    }

    /// Multiplies every element by a scalar.
    public func multiplying(_ s: Double) -> Tensor {
        let f = Float(s)
        let out = unaryForward(self, "mul", { $0 * f }, { $0 * s })
        if Autograd.shouldRecord(self) { out.recorded("mul", [self], inputsSaved: false) { g, _ in [g * s] } }
        return out
    }

    /// Divides every element by a scalar.
    public func dividing(_ s: Double) -> Tensor {
        let f = Float(s)
        let out = unaryForward(self, "div", { $0 / f }, { $0 / s })
        if Autograd.shouldRecord(self) { out.recorded("div", [self], inputsSaved: false) { g, _ in [g / s] } }
        return out
    }

    /// `s - self`, elementwise.
    public func reverseSubtracting(_ s: Double) -> Tensor {
        let f = Float(s)
        let out = unaryForward(self, "rsub", { f - $0 }, { s - $0 })
        if Autograd.shouldRecord(self) { out.recorded("rsub", [self], inputsSaved: false) { g, _ in [g.negated()] } }
        return out
    }

    /// `s / self`, elementwise.
    public func reverseDividing(_ s: Double) -> Tensor {
        let f = Float(s)
        let out = unaryForward(self, "rdiv", { f / $0 }, { s / $0 })
        if Autograd.shouldRecord(self) {
            out.recorded("rdiv", [self]) { g, n in
                let x = n.input(0)
                return [g * (-s) / (x * x)]  // d(s/x)/dx = -s/x²
            }
        }
        return out
    }

    /// Elementwise negation.
    public func negated() -> Tensor {
        let out = unaryForward(self, "neg", { -$0 }, { -$0 })
        if Autograd.shouldRecord(self) { out.recorded("neg", [self], inputsSaved: false) { g, _ in [g.negated()] } }
        return out
    }
}

// MARK: Operators

extension Tensor {
    /// Elementwise sum with broadcasting.
    public static func + (a: Tensor, b: Tensor) -> Tensor { a.adding(b) }
    /// Elementwise difference with broadcasting.
    public static func - (a: Tensor, b: Tensor) -> Tensor { a.subtracting(b) }
    /// Elementwise product with broadcasting.
    public static func * (a: Tensor, b: Tensor) -> Tensor { a.multiplying(b) }
    /// Elementwise quotient with broadcasting.
    public static func / (a: Tensor, b: Tensor) -> Tensor { a.dividing(b) }
    /// Elementwise negation.
    public static prefix func - (a: Tensor) -> Tensor { a.negated() }

    /// Adds a scalar.
    public static func + (a: Tensor, s: Double) -> Tensor { a.adding(s) }
    /// Adds a scalar.
    public static func + (s: Double, a: Tensor) -> Tensor { a.adding(s) }
    /// Subtracts a scalar.
    public static func - (a: Tensor, s: Double) -> Tensor { a.adding(-s) }
    /// Subtracts from a scalar.
    public static func - (s: Double, a: Tensor) -> Tensor { a.reverseSubtracting(s) }
    /// Multiplies by a scalar.
    public static func * (a: Tensor, s: Double) -> Tensor { a.multiplying(s) }
    /// Multiplies by a scalar.
    public static func * (s: Double, a: Tensor) -> Tensor { a.multiplying(s) }
    /// Divides by a scalar.
    public static func / (a: Tensor, s: Double) -> Tensor { a.dividing(s) }
    /// Divides a scalar.
    public static func / (s: Double, a: Tensor) -> Tensor { a.reverseDividing(s) }


}
