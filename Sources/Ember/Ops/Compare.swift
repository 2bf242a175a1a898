// Comparisons produce masks: tensors of 0 and 1 in the dtype of the inputs (float32 for int64
// inputs). Masks carry no gradient.

extension Tensor {
    func compare(_ other: Tensor, _ op: String, _ f: @escaping (Double, Double) -> Bool) -> Tensor {
        var a = self, b = other
        if a.dtype == .int64 || b.dtype == .int64 || a.dtype != b.dtype {
            a = a.dtype == .float64 ? a : a.to(.float64)
            b = b.dtype == .float64 ? b : b.to(.float64)
        }
        let out = withNoGrad { binaryForward(a.detach(), b.detach(), op, { f(Double($0), Double($1)) ? 1 : 0 }, { f($0, $1) ? 1 : 0 }) }
        let target: DType = self.dtype == .int64 ? .float32 : self.dtype
        return out.dtype == target ? out : withNoGrad { out.to(target) }
    }

    func compare(_ s: Double, _ op: String, _ f: @escaping (Double, Double) -> Bool) -> Tensor {
        let x = dtype == .int64 ? self.to(.float64) : self.detach()
        let out = withNoGrad { unaryForward(x, op, { f(Double($0), s) ? 1 : 0 }, { f($0, s) ? 1 : 0 }) }
        let target: DType = self.dtype == .int64 ? .float32 : self.dtype
        return out.dtype == target ? out : withNoGrad { out.to(target) }
    }

    /// 1 where self > other, else 0 (broadcasting).
    public func gt(_ other: Tensor) -> Tensor { compare(other, "gt", >) }
    /// 1 where self < other, else 0 (broadcasting).
    public func lt(_ other: Tensor) -> Tensor { compare(other, "lt", <) }
    /// 1 where self >= other, else 0 (broadcasting).
    public func ge(_ other: Tensor) -> Tensor { compare(other, "ge", >=) }
    /// 1 where self <= other, else 0 (broadcasting).
    public func le(_ other: Tensor) -> Tensor { compare(other, "le", <=) }
    /// 1 where self == other, else 0 (broadcasting).
    public func eq(_ other: Tensor) -> Tensor { compare(other, "eq", ==) }
    /// 1 where self != other, else 0 (broadcasting).
    public func ne(_ other: Tensor) -> Tensor { compare(other, "ne", !=) }
    /// 1 where self > s, else 0.
    public func gt(_ s: Double) -> Tensor { compare(s, "gt", >) }
    /// 1 where self < s, else 0.
    public func lt(_ s: Double) -> Tensor { compare(s, "lt", <) }
    /// 1 where self >= s, else 0.
    public func ge(_ s: Double) -> Tensor { compare(s, "ge", >=) }
    /// 1 where self <= s, else 0.
    public func le(_ s: Double) -> Tensor { compare(s, "le", <=) }
    /// 1 where self == s, else 0.
    public func eq(_ s: Double) -> Tensor { compare(s, "eq", ==) }
    /// 1 where self != s, else 0.
    public func ne(_ s: Double) -> Tensor { compare(s, "ne", !=) }

    /// Elementwise maximum of two tensors (broadcasting). Where they are equal the gradient is
    /// split evenly between both, like PyTorch.
    public func maximum(_ other: Tensor) -> Tensor { extremum(other, "maximum", isMax: true) }

    /// Elementwise minimum of two tensors (broadcasting). Ties split the gradient evenly.
    public func minimum(_ other: Tensor) -> Tensor { extremum(other, "minimum", isMax: false) }

    private func extremum(_ other: Tensor, _ op: String, isMax: Bool) -> Tensor {
        let out = isMax ? binaryForward(self, other, op, { Swift.max($0, $1) }, { Swift.max($0, $1) })
                        : binaryForward(self, other, op, { Swift.min($0, $1) }, { Swift.min($0, $1) })
        if Autograd.shouldRecord(self, other) {
            out.recorded(op, [self, other]) { g, n in
                let a = n.input(0).detach(), b = n.input(1).detach()
                // weight of a: 1 where a wins, ½ on ties, 0 where b wins
                let wa = withNoGrad { binaryForward(a, b, op, { isMax ? ($0 > $1 ? 1 : ($0 == $1 ? 0.5 : 0)) : ($0 < $1 ? 1 : ($0 == $1 ? 0.5 : 0)) },
                                                    { isMax ? ($0 > $1 ? 1 : ($0 == $1 ? 0.5 : 0)) : ($0 < $1 ? 1 : ($0 == $1 ? 0.5 : 0)) }) }
                return [n.needsGrad(0) ? (g * wa).sumTo(a.shape) : nil,
                        n.needsGrad(1) ? (g * (1 - wa)).sumTo(b.shape) : nil]
            }
        }
        return out
    }
}

/// Chooses elementwise from `a` where `condition` is nonzero and from `b` elsewhere, with
/// broadcasting (PyTorch's `torch.where`). Gradients flow to the chosen side only.
public func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
    if a.dtype != b.dtype { fail("where", "dtypes differ: \(a.dtype) and \(b.dtype)") }
    if a.dtype == .int64 { fail("where", "needs floating-point tensors") }
    let shape = broadcastShape(broadcastShape(condition.shape, a.shape, "where"), b.shape, "where")
    let cond = condition.dtype == a.dtype ? condition : condition.to(a.dtype)
    let out = Tensor(uninitializedShape: shape, dtype: a.dtype)
    func run<T: TensorFloat>(_: T.Type) {
        let pc = cond.basePointer(T.self), pa = a.basePointer(T.self), pb = b.basePointer(T.self)
        let po = out.basePointer(T.self)
        forEachRow3(shape: shape, stridesA: cond.broadcastStrides(to: shape), stridesB: a.broadcastStrides(to: shape),
                    stridesC: b.broadcastStrides(to: shape)) { o, ic, ia, ib, len, tc, ta, tb in
            for i in 0..<len { po[o + i] = pc[ic + i * tc] != 0 ? pa[ia + i * ta] : pb[ib + i * tb] }
        }
    }
    if a.dtype == .float32 { run(Float.self) } else { run(Double.self) }
    if Autograd.shouldRecord(a, b) {
        let mask = cond.ne(0).detach()
        out.recorded("where", [a, b], saved: [mask], inputsSaved: false) { g, n in
            let m = n.saved[0]
            return [n.needsGrad(0) ? (g * m).sumTo(n.input(0).shape) : nil,
                    n.needsGrad(1) ? (g * (1 - m)).sumTo(n.input(1).shape) : nil]
        }
    }
    return out
}
