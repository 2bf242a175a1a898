// embedding: table lookup by integer indices (PyTorch's F.embedding).

/// Looks up rows of `weight` by index, like PyTorch's `F.embedding`.
///
/// `output[i..., :] = weight[indices[i...], :]`. The gradient adds each output row's gradient to
/// the row it came from (repeated indices accumulate).
///
/// - Parameters:
///   - indices: int64 indices of any shape, each in `0..<weight.shape[0]`.
///   - weight: the table `[numEmbeddings, embeddingDim]`.
///   - paddingIndex: a row (negative counts from the end) that receives no gradient, e.g. the
///     index of a padding token.
/// - Returns: `indices.shape + [embeddingDim]`.
public func embedding(_ indices: Tensor, weight: Tensor, paddingIndex: Int? = nil) -> Tensor {
    let op = "embedding"
    if indices.dtype != .int64 {
        fail(op, "indices must be an int64 tensor, got \(indices.dtype) of shape \(shapeString(indices.shape)); convert with to(.int64)")
    }
    if weight.rank != 2 || !weight.dtype.isFloatingPoint {
        fail(op, "weight must be a floating-point table [numEmbeddings, embeddingDim], got \(weight.dtype) \(shapeString(weight.shape))")
    }
    let rows = weight.shape[0], dim = weight.shape[1]
    var padding = paddingIndex
    if let p = paddingIndex {
        padding = p < 0 ? p + rows : p
        if padding! < 0 || padding! >= rows {
            fail(op, "paddingIndex \(p) must be within the \(rows) rows of weight \(shapeString(weight.shape))")
        }
    }
    // The closures below hold `idx` (not a raw pointer into it), keeping the indices alive.
    let idx = indices.contiguousData, count = idx.count
    let check = idx.basePointer(Int64.self)
    for i in 0..<count where check[i] < 0 || Int(check[i]) >= rows {
        fail(op, "index \(check[i]) out of range for a table of \(rows) rows (weight \(shapeString(weight.shape)))")
    }
    let outShape = indices.shape + [dim], tableShape = weight.shape
    // The lookup's backward is the scatter-add, whose own backward is the lookup with the padding
    // row read as zeros (it received no gradient).
    func gather(_ table: Tensor, zeroIndex: Int?) -> Tensor {
        let out = Tensor(uninitializedShape: outShape, dtype: table.dtype)
        switch table.dtype {
        case .float32: gatherRows(table.basePointer(Float.self), dim: dim, idx.basePointer(Int64.self), count: count, zeroIndex: zeroIndex, out.basePointer(Float.self))
        default: gatherRows(table.basePointer(Double.self), dim: dim, idx.basePointer(Int64.self), count: count, zeroIndex: zeroIndex, out.basePointer(Double.self))
        }
        return out
    }
    let scatter = LinearMap(name: "embeddingBackward", adjointName: "embedding", saved: [idx], forward: { g in
        let table = Tensor(uninitializedShape: tableShape, dtype: g.dtype)
        switch g.dtype {
        case .float32: scatterAddRows(g.basePointer(Float.self), dim: dim, idx.basePointer(Int64.self), count: count, rows: rows, skipIndex: padding, table.basePointer(Float.self))
        default: scatterAddRows(g.basePointer(Double.self), dim: dim, idx.basePointer(Int64.self), count: count, rows: rows, skipIndex: padding, table.basePointer(Double.self))
        }
        return table
    }, adjoint: { gather($0, zeroIndex: padding) })
    return scatter.record(gather(weight.contiguousData, zeroIndex: nil), input: weight, adjoint: true)
}
