/// NumPy broadcasting: shapes are aligned at their last dimension; each pair of sizes must be
/// equal or contain a 1, and the result takes the larger.
func broadcastShape(_ a: [Int], _ b: [Int], _ op: String) -> [Int] {
    if a == b { return a }
    let rank = max(a.count, b.count)
    var out = [Int](repeating: 1, count: rank)
    for i in 0..<rank {
        let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
        let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
        if da == db || db == 1 { out[i] = da } else if da == 1 { out[i] = db } else {
            fail(op, "shapes \(shapeString(a)) and \(shapeString(b)) cannot be broadcast together (dimension \(i): \(da) vs \(db))")
        }
    }
    return out
}

extension Tensor {
    /// Strides that read this tensor as if expanded to `target` (0 along broadcast dimensions).
    func broadcastStrides(to target: [Int]) -> [Int] {
        let lead = target.count - rank
        var out = [Int](repeating: 0, count: target.count)
        for d in 0..<rank where shape[d] != 1 || target[lead + d] == 1 {
            out[lead + d] = shape[d] == 1 ? 0 : strides[d]
        }
        return out
    }

    /// Sums a broadcast gradient back down to `target` (the shape of the op's input).
    func sumTo(_ target: [Int]) -> Tensor {
        if shape == target { return self }
        let lead = rank - target.count
        var dims = Array(0..<lead)
        for (i, d) in target.enumerated() where d == 1 && shape[lead + i] != 1 { dims.append(lead + i) }
        if dims.isEmpty { return reshape(target) }
        return sum(dims: dims, keepDim: true).reshape(target)
    }
}
