// Reductions over dimensions, with keepDim, and their backward rules.

extension Tensor {
    func normalizedDims(_ dims: [Int]?, _ op: String) -> [Int] {
        guard let dims else { return Array(0..<rank) }
        let ds = dims.map { normalizedDim($0, op) }
        if Set(ds).count != ds.count { fail(op, "dimension \(dims) repeated") }
        return ds.sorted()
    }

    /// The shape after reducing `dims` (kept as size 1 when `keepDim`).
    func reducedShape(_ dims: [Int], keepDim: Bool) -> [Int] {
        var s: [Int] = []
        for d in 0..<rank {
            if dims.contains(d) { if keepDim { s.append(1) } } else { s.append(shape[d]) }
        }
        return s
    }

    /// Sum of all elements (a 0-d tensor).
    public func sum() -> Tensor { sum(dims: Array(0..<rank), keepDim: false) }

    /// Sum over one dimension.
    public func sum(dim: Int, keepDim: Bool = false) -> Tensor { sum(dims: [dim], keepDim: keepDim) }

    /// Sum over the given dimensions; `keepDim` keeps them with size 1.
    public func sum(dims: [Int], keepDim: Bool = false) -> Tensor {
        if dtype == .int64 { return to(.float64).sum(dims: dims, keepDim: keepDim).to(.int64) }
        let ds = normalizedDims(dims, "sum")
        let kept = reducedShape(ds, keepDim: true)
        let outShape = reducedShape(ds, keepDim: keepDim)
        let out: Tensor
        if ds.isEmpty {
            out = contiguousCopy()
        } else {
            let raw = withNoGrad { sumKept(ds) }
            out = Tensor(storage: raw.storage, shape: outShape, strides: Tensor.contiguousStrides(outShape), offset: 0)
        }
        if Autograd.shouldRecord(self) {
            let inputShape = shape
            out.recorded("sum", [self], inputsSaved: false) { g, _ in
                [g.reshape(kept).expand(inputShape)]
            }
        }
        return out
    }

    /// Sum over sorted dims, keeping them as size 1. No history.
    private func sumKept(_ ds: [Int]) -> Tensor {
        let x = isContiguous ? self : contiguousCopy()
        // A run of adjacent dimensions reduces in one pass as [outer, r, inner].
        let isRun = ds.last! - ds.first! + 1 == ds.count
        if !isRun {
            var t = x
            for d in ds.reversed() { t = t.sumKept([d]) }
            return t
        }
        let outer = shape[..<ds.first!].reduce(1, *)
        let r = ds.reduce(1) { $0 * shape[$1] }
        let inner = shape[(ds.last! + 1)...].reduce(1, *)
        let out = Tensor(uninitializedShape: reducedShape(ds, keepDim: true), dtype: dtype)
        switch dtype {
        case .float32: reduceSum(x.basePointer(Float.self), outer: outer, r: r, inner: inner, out.basePointer(Float.self))
        case .float64: reduceSum(x.basePointer(Double.self), outer: outer, r: r, inner: inner, out.basePointer(Double.self))
        case .int64: fail("sum", "int64")
        }
        return out
    }

    /// Mean of all elements (a 0-d tensor).
    public func mean() -> Tensor { mean(dims: Array(0..<rank), keepDim: false) }

    /// Mean over one dimension.
    public func mean(dim: Int, keepDim: Bool = false) -> Tensor { mean(dims: [dim], keepDim: keepDim) }

    /// Mean over the given dimensions.
    public func mean(dims: [Int], keepDim: Bool = false) -> Tensor {
        if dtype == .int64 { fail("mean", "needs a floating-point tensor; convert with to(.float32)") }
        let ds = normalizedDims(dims, "mean")
        let n = ds.reduce(1) { $0 * shape[$1] }
        return sum(dims: ds, keepDim: keepDim) / Double(n)
    }

    /// Variance over the given dimensions (all when nil), with Bessel's correction by default
    /// (`correction: 1`, PyTorch's `unbiased=True`); `correction: 0` gives the biased variance.
    public func variance(dims: [Int]? = nil, correction: Int = 1, keepDim: Bool = false) -> Tensor {
        let ds = normalizedDims(dims, "var")
        let n = ds.reduce(1) { $0 * shape[$1] }
        let centered = self - mean(dims: ds, keepDim: true)
        return (centered * centered).sum(dims: ds, keepDim: keepDim) / Double(Swift.max(n - correction, 0))
    }

    /// Variance over one dimension.
    public func variance(dim: Int, correction: Int = 1, keepDim: Bool = false) -> Tensor {
        variance(dims: [dim], correction: correction, keepDim: keepDim)
    }

    /// Standard deviation over the given dimensions (all when nil), with Bessel's correction by default.
    public func std(dims: [Int]? = nil, correction: Int = 1, keepDim: Bool = false) -> Tensor {
        variance(dims: dims, correction: correction, keepDim: keepDim).sqrt()
    }

    /// Standard deviation over one dimension.
    public func std(dim: Int, correction: Int = 1, keepDim: Bool = false) -> Tensor {
        std(dims: [dim], correction: correction, keepDim: keepDim)
    }

    /// The largest element (a 0-d tensor). The gradient is shared evenly among tied maxima.
    public func max() -> Tensor { extreme(dims: Array(0..<rank), keepDim: false, isMax: true) }
    /// The smallest element (a 0-d tensor).
    public func min() -> Tensor { extreme(dims: Array(0..<rank), keepDim: false, isMax: false) }
    /// The largest values along `dim` (PyTorch's `amax`).
    public func max(dim: Int, keepDim: Bool = false) -> Tensor { extreme(dims: [dim], keepDim: keepDim, isMax: true) }
    /// The smallest values along `dim` (PyTorch's `amin`).
    public func min(dim: Int, keepDim: Bool = false) -> Tensor { extreme(dims: [dim], keepDim: keepDim, isMax: false) }

    /// The positions of the largest values along `dim`, as int64 (first one on ties).
    public func argmax(dim: Int, keepDim: Bool = false) -> Tensor { extremeIndex(dim: dim, keepDim: keepDim, isMax: true) }
    /// The positions of the smallest values along `dim`, as int64.
    public func argmin(dim: Int, keepDim: Bool = false) -> Tensor { extremeIndex(dim: dim, keepDim: keepDim, isMax: false) }
    /// The flat position of the largest element, as a 0-d int64 tensor.
    public func argmax() -> Tensor { reshape([-1]).argmax(dim: 0) }

    private func extremeKept(_ d: Int, isMax: Bool) -> (Tensor, Tensor) {
        if shape[d] == 0 { fail(isMax ? "max" : "min", "cannot reduce an empty dimension \(d) of shape \(shapeString(shape))") }
        let x = isContiguous ? self : contiguousCopy()
        let outer = shape[..<d].reduce(1, *), r = shape[d], inner = shape[(d + 1)...].reduce(1, *)
        var ks = shape; ks[d] = 1
        let out = Tensor(uninitializedShape: ks, dtype: dtype == .int64 ? .float64 : dtype)
        let idx = Tensor(uninitializedShape: ks, dtype: .int64)
        switch dtype {
        case .float32: reduceExtreme(x.basePointer(Float.self), outer: outer, r: r, inner: inner, isMax: isMax, out.basePointer(Float.self), idx.basePointer(Int64.self))
        case .float64: reduceExtreme(x.basePointer(Double.self), outer: outer, r: r, inner: inner, isMax: isMax, out.basePointer(Double.self), idx.basePointer(Int64.self))
        case .int64:
            let xd = x.to(.float64)
            reduceExtreme(xd.basePointer(Double.self), outer: outer, r: r, inner: inner, isMax: isMax, out.basePointer(Double.self), idx.basePointer(Int64.self))
        }
        return (out, idx)
    }

    private func extreme(dims: [Int], keepDim: Bool, isMax: Bool) -> Tensor {
        let ds = normalizedDims(dims, isMax ? "max" : "min")
        var v = self.detach()
        for d in ds.reversed() { v = v.extremeKept(d, isMax: isMax).0 }
        if dtype == .int64 { v = v.to(.int64) }
        let outShape = reducedShape(ds, keepDim: keepDim)
        let out = Tensor(storage: v.storage, shape: outShape, strides: Tensor.contiguousStrides(outShape), offset: 0)
        if Autograd.shouldRecord(self) {
            let kept = reducedShape(ds, keepDim: true)
            let keptValue = Tensor(storage: v.storage, shape: kept, strides: Tensor.contiguousStrides(kept), offset: 0)
            out.recorded(isMax ? "max" : "min", [self], saved: [keptValue]) { g, n in
                let x = n.input(0)
                let mask = x.detach().eq(n.saved[0])
                let ties = mask.sum(dims: ds, keepDim: true)
                return [g.reshape(kept) * mask / ties]
            }
        }
        return out
    }

    private func extremeIndex(dim: Int, keepDim: Bool, isMax: Bool) -> Tensor {
        let d = normalizedDim(dim, isMax ? "argmax" : "argmin")
        let idx = extremeKept(d, isMax: isMax).1
        return keepDim ? idx : idx.squeeze(d)
    }
}
