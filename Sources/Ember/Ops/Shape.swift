// Views and shape manipulation. Views share storage with their source; their backward rules
// map the gradient back to the source's shape.

extension Tensor {
    /// A view (or, for non-contiguous tensors, a copy) with a new shape holding the same elements
    /// in row-major order. One dimension may be -1: it is inferred.
    public func reshape(_ newShape: [Int]) -> Tensor {
        let target = inferShape(newShape, "reshape")
        if target == shape { return self }
        let source = isContiguous ? self : contiguous()
        let out = Tensor(storage: source.storage, shape: target, strides: Tensor.contiguousStrides(target), offset: source.offset)
        if Autograd.shouldRecord(source) {
            let original = source.shape
            out.recorded("reshape", [source], inputsSaved: false) { g, _ in [g.reshape(original)] }
        }
        return out
    }

    /// Like `reshape`, but stops instead of copying when the tensor is not contiguous
    /// (PyTorch's `view`).
    public func view(_ newShape: [Int]) -> Tensor {
        if !isContiguous {
            fail("view", "a non-contiguous tensor of shape \(shapeString(shape)) with strides \(strides) cannot be viewed as \(shapeString(newShape)); use reshape(_:) or contiguous()")
        }
        return reshape(newShape)
    }

    /// Merges dimensions `startDim...endDim` into one (PyTorch's `flatten`).
    public func flatten(startDim: Int = 0, endDim: Int = -1) -> Tensor {
        if rank == 0 { return reshape([1]) }
        let s = normalizedDim(startDim, "flatten"), e = normalizedDim(endDim, "flatten")
        if s > e { fail("flatten", "startDim \(startDim) comes after endDim \(endDim) for shape \(shapeString(shape))") }
        let merged = shape[s...e].reduce(1, *)
        return reshape(Array(shape[..<s]) + [merged] + Array(shape[(e + 1)...]))
    }

    func inferShape(_ newShape: [Int], _ op: String) -> [Int] {
        var target = newShape
        let known = newShape.filter { $0 != -1 }.reduce(1, *)
        let unknown = newShape.indices.filter { newShape[$0] == -1 }
        if unknown.count > 1 || newShape.contains(where: { $0 < -1 }) {
            fail(op, "invalid shape \(shapeString(newShape)) (at most one -1, no other negative sizes)")
        }
        if let u = unknown.first {
            if known == 0 || count % known != 0 {
                fail(op, "shape \(shapeString(newShape)) is invalid for an input of \(count) elements (shape \(shapeString(shape)))")
            }
            target[u] = count / known
        }
        if target.reduce(1, *) != count {
            fail(op, "shape \(shapeString(newShape)) is invalid for an input of \(count) elements (shape \(shapeString(shape)))")
        }
        return target
    }

    /// Inserts a dimension of size 1 at `dim`.
    public func unsqueeze(_ dim: Int) -> Tensor {
        let d = dim < 0 ? dim + rank + 1 : dim
        if d < 0 || d > rank { fail("unsqueeze", "dimension \(dim) out of range for shape \(shapeString(shape))") }
        var s = shape, st = strides
        s.insert(1, at: d)
        st.insert(d < rank ? strides[d] * shape[d] : 1, at: d)
        return makeView("unsqueeze", shape: s, strides: st, offset: offset) { g in g.squeeze(d) }
    }

    /// Removes the dimension `dim` if its size is 1, or every size-1 dimension when `dim` is nil.
    public func squeeze(_ dim: Int? = nil) -> Tensor {
        var s: [Int] = [], st: [Int] = []
        let d = dim.map { normalizedDim($0, "squeeze") }
        for i in 0..<rank where !(shape[i] == 1 && (d == nil || d == i)) {
            s.append(shape[i]); st.append(strides[i])
        }
        if s == shape { return self }
        let original = shape
        return makeView("squeeze", shape: s, strides: st, offset: offset) { g in g.reshape(original) }
    }

    /// Swaps two dimensions (a view).
    public func transposed(_ dim0: Int, _ dim1: Int) -> Tensor {
        let a = normalizedDim(dim0, "transpose"), b = normalizedDim(dim1, "transpose")
        var order = Array(0..<rank)
        order.swapAt(a, b)
        return permute(order)
    }

    /// The transpose of a matrix (a view); for rank < 2 the tensor itself.
    public var T: Tensor { rank < 2 ? self : transposed(0, 1) }

    /// Reorders the dimensions (a view): dimension i of the result is dimension `order[i]` of self.
    public func permute(_ order: [Int]) -> Tensor {
        let dims = order.map { normalizedDim($0, "permute") }
        if dims.count != rank || Set(dims).count != rank {
            fail("permute", "order \(order) is not a permutation of the \(rank) dimensions of shape \(shapeString(shape))")
        }
        var inverse = [Int](repeating: 0, count: rank)
        for (i, d) in dims.enumerated() { inverse[d] = i }
        return makeView("permute", shape: dims.map { shape[$0] }, strides: dims.map { strides[$0] }, offset: offset) { g in
            g.permute(inverse)
        }
    }

    /// Repeats size-1 dimensions (and new leading ones) to `newShape` without copying; -1 keeps
    /// a size. The gradient is summed back.
    public func expand(_ newShape: [Int]) -> Tensor {
        if newShape.count < rank { fail("expand", "cannot expand shape \(shapeString(shape)) to fewer dimensions \(shapeString(newShape))") }
        let lead = newShape.count - rank
        var target = newShape
        var st = [Int](repeating: 0, count: newShape.count)
        for i in 0..<newShape.count {
            if i < lead {
                if newShape[i] < 0 { fail("expand", "-1 is not allowed for the new leading dimension \(i) in \(shapeString(newShape))") }
                continue
            }
            let d = i - lead
            if newShape[i] == -1 { target[i] = shape[d] }
            if shape[d] == target[i] { st[i] = strides[d] } else if shape[d] == 1 { st[i] = 0 } else {
                fail("expand", "the size \(shape[d]) of dimension \(d) must be 1 to expand shape \(shapeString(shape)) to \(shapeString(newShape))")
            }
        }
        if target == shape { return self }
        let original = shape
        return makeView("expand", shape: target, strides: st, offset: offset) { g in g.sumTo(original) }
    }

    /// Expands to the shape of `other`.
    public func expand(as other: Tensor) -> Tensor { expand(other.shape) }

    /// Elements `start..<end` (step `step`) along `dim`, as a view. Negative positions count
    /// from the end, like Python slices.
    public func slice(dim: Int = 0, start: Int = 0, end: Int? = nil, step: Int = 1) -> Tensor {
        let d = normalizedDim(dim, "slice")
        if step <= 0 { fail("slice", "step must be positive, got \(step)") }
        let size = shape[d]
        func clampIndex(_ i: Int) -> Int { Swift.min(Swift.max(i < 0 ? i + size : i, 0), size) }
        let lo = clampIndex(start), hi = Swift.max(clampIndex(end ?? size), lo)
        let n = (hi - lo + step - 1) / step
        var s = shape, st = strides
        s[d] = n
        st[d] = strides[d] * step
        if lo == 0 && n == size && step == 1 { return self }
        let original = shape
        return makeView("slice", shape: s, strides: st, offset: offset + lo * strides[d]) { g in
            g.sliceBackward(into: original, dim: d, start: lo, step: step)
        }
    }

    /// `length` elements from `start` along `dim`, as a view (PyTorch's `narrow`).
    public func narrow(dim: Int, start: Int, length: Int) -> Tensor {
        let d = normalizedDim(dim, "narrow")
        if start < 0 || length < 0 || start + length > shape[d] {
            fail("narrow", "start \(start) + length \(length) exceeds dimension \(d) of size \(shape[d])")
        }
        return slice(dim: d, start: start, end: start + length)
    }

    /// The sub-tensor at `index` along `dim`, with that dimension removed (a view).
    public func select(dim: Int, index: Int) -> Tensor {
        let d = normalizedDim(dim, "select")
        let i = index < 0 ? index + shape[d] : index
        if i < 0 || i >= shape[d] { fail("select", "index \(index) is out of range for dimension \(d) of size \(shape[d])") }
        return slice(dim: d, start: i, end: i + 1).squeeze(d)
    }

    /// The sub-tensor at `index` of the first dimension: `x[0]` is the first row.
    public subscript(_ index: Int) -> Tensor { select(dim: 0, index: index) }

    /// The elements `range` of the first dimension: `x[0..<2]` are the first two rows.
    public subscript(_ range: Range<Int>) -> Tensor { slice(dim: 0, start: range.lowerBound, end: range.upperBound) }

    /// Indexes several leading dimensions at once: integers select, ranges slice.
    /// `x[0, 1..<3]` is row 0, columns 1 and 2.
    public subscript(_ indices: TensorIndex...) -> Tensor {
        var t = self
        var d = 0
        for index in indices {
            switch index {
            case .at(let i): t = t.select(dim: d, index: i)
            case .range(let r): t = t.slice(dim: d, start: r.lowerBound, end: r.upperBound); d += 1
            case .all: d += 1
            }
        }
        return t
    }

    /// Scatters the gradient of a slice back into zeros of the source shape. Differentiable:
    /// its own gradient is the slice again.
    func sliceBackward(into shape: [Int], dim: Int, start: Int, step: Int) -> Tensor {
        let out = Tensor.zeros(shape, dtype: dtype)
        var st = out.strides
        st[dim] *= step
        let region = Tensor(storage: out.storage, shape: self.shape, strides: st, offset: start * out.strides[dim])
        region.assignStrided(from: self)
        if Autograd.shouldRecord(self) {
            let len = self.shape[dim]
            out.recorded("sliceBackward", [self], inputsSaved: false) { g, _ in
                [g.slice(dim: dim, start: start, end: start + (len - 1) * step + 1, step: step)]
            }
        }
        return out
    }

    /// Writes `source` (same shape) into this possibly strided view, without history.
    func assignStrided(from source: Tensor) {
        let src = source.isContiguous ? source : source.contiguousCopy()
        func run<T>(_: T.Type) {
            let ps = src.basePointer(T.self), pd = basePointer(T.self)
            forEachRow(shape: shape, stridesA: strides, stridesB: strides) { o, a, _, n, sa, _ in
                for i in 0..<n { pd[a + i * sa] = ps[o + i] }
            }
        }
        switch dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        case .int64: run(Int64.self)
        }
    }

    private func makeView(_ op: String, shape s: [Int], strides st: [Int], offset o: Int,
                          _ back: @escaping (Tensor) -> Tensor) -> Tensor {
        let out = Tensor(storage: storage, shape: s, strides: st, offset: o)
        if Autograd.shouldRecord(self) {
            out.recorded(op, [self], inputsSaved: false) { g, _ in [back(g)] }
        }
        return out
    }

    /// A copy converted to `dtype` (the tensor itself if it already has it). Conversions between
    /// float types are differentiable.
    public func to(_ newType: DType) -> Tensor {
        if newType == dtype { return self }
        let out = Tensor(uninitializedShape: shape, dtype: newType)
        let n = count
        let src = isContiguous ? self : contiguousCopy()
        switch (dtype, newType) {
        case (.float32, .float64): let s = src.basePointer(Float.self), d = out.basePointer(Double.self); for i in 0..<n { d[i] = Double(s[i]) }
        case (.float64, .float32): let s = src.basePointer(Double.self), d = out.basePointer(Float.self); for i in 0..<n { d[i] = Float(s[i]) }
        case (.int64, .float32): let s = src.basePointer(Int64.self), d = out.basePointer(Float.self); for i in 0..<n { d[i] = Float(s[i]) }
        case (.int64, .float64): let s = src.basePointer(Int64.self), d = out.basePointer(Double.self); for i in 0..<n { d[i] = Double(s[i]) }
        case (.float32, .int64): let s = src.basePointer(Float.self), d = out.basePointer(Int64.self); for i in 0..<n { d[i] = Int64(s[i]) }
        case (.float64, .int64): let s = src.basePointer(Double.self), d = out.basePointer(Int64.self); for i in 0..<n { d[i] = Int64(s[i]) }
        default: break
        }
        if newType.isFloatingPoint && Autograd.shouldRecord(self) {
            let original = dtype
            out.recorded("to", [self], inputsSaved: false) { g, _ in [g.to(original)] }
        }
        return out
    }
}

/// One entry of a multi-dimensional subscript: `x[0, 1..<3, .all]`.
public enum TensorIndex: ExpressibleByIntegerLiteral {
    /// Selects one position and removes the dimension.
    case at(Int)
    /// Keeps the positions of a range.
    case range(Range<Int>)
    /// Keeps the whole dimension.
    case all

    public init(integerLiteral value: Int) { self = .at(value) }
}

extension TensorIndex {
    /// Keeps the positions of a range.
    public static func r(_ range: Range<Int>) -> TensorIndex { .range(range) }
}
