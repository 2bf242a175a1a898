// Joining and splitting along a dimension.

/// Concatenates tensors of equal shape except along `dim`.
public func cat(_ tensors: [Tensor], dim: Int = 0) -> Tensor {
    guard let first = tensors.first else { fail("cat", "needs at least one tensor") }
    let d = first.normalizedDim(dim, "cat")
    var total = 0
    for t in tensors {
        if t.rank != first.rank || t.dtype != first.dtype || (0..<first.rank).contains(where: { $0 != d && t.shape[$0] != first.shape[$0] }) {
            fail("cat", "shapes \(tensors.map { shapeString($0.shape) }.joined(separator: ", ")) (dtypes \(tensors.map { $0.dtype.rawValue })) differ outside dimension \(d)")
        }
        total += t.shape[d]
    }
    var shape = first.shape
    shape[d] = total
    let out = Tensor(uninitializedShape: shape, dtype: first.dtype)
    var start = 0
    var starts: [Int] = []
    for t in tensors {
        starts.append(start)
        let region = Tensor(storage: out.storage, shape: t.shape, strides: out.strides, offset: start * out.strides[d])
        region.assignStrided(from: t)
        start += t.shape[d]
    }
    if Autograd.shouldRecord(tensors) {
        out.recorded("cat", tensors, inputsSaved: false) { g, n in
            (0..<n.inputs.count).map { i in
                n.needsGrad(i) ? g.narrow(dim: d, start: starts[i], length: n.input(i).shape[d]) : nil
            }
        }
    }
    return out
}

/// Stacks tensors of equal shape along a new dimension `dim`.
public func stack(_ tensors: [Tensor], dim: Int = 0) -> Tensor {
    guard let first = tensors.first else { fail("stack", "needs at least one tensor") }
    if let bad = tensors.first(where: { $0.shape != first.shape }) {
        fail("stack", "all tensors must have the same shape; got \(shapeString(first.shape)) and \(shapeString(bad.shape))")
    }
    return cat(tensors.map { $0.unsqueeze(dim) }, dim: dim < 0 ? dim : dim)
}

extension Tensor {
    /// Splits into pieces of `size` along `dim` (the last may be smaller); views.
    public func split(size: Int, dim: Int = 0) -> [Tensor] {
        let d = normalizedDim(dim, "split")
        if size <= 0 { fail("split", "size must be positive, got \(size)") }
        return stride(from: 0, to: shape[d], by: size).map { narrow(dim: d, start: $0, length: Swift.min(size, shape[d] - $0)) }
    }

    /// Splits into pieces of the given sizes along `dim`; views.
    public func split(sizes: [Int], dim: Int = 0) -> [Tensor] {
        let d = normalizedDim(dim, "split")
        if sizes.reduce(0, +) != shape[d] { fail("split", "sizes \(sizes) do not add up to dimension \(d) of size \(shape[d])") }
        var start = 0
        return sizes.map { s in defer { start += s }; return narrow(dim: d, start: start, length: s) }
    }

    /// Splits into `chunks` nearly equal pieces along `dim` (PyTorch's `chunk`); views.
    public func chunk(_ chunks: Int, dim: Int = 0) -> [Tensor] {
        let d = normalizedDim(dim, "chunk")
        if chunks <= 0 { fail("chunk", "chunks must be positive, got \(chunks)") }
        return split(size: Swift.max(1, (shape[d] + chunks - 1) / chunks), dim: d)
    }
}
