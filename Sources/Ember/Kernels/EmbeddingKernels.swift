// Row gather and scatter-add for embedding lookups.

/// out[i, :] = table[indices[i], :] for i < count (rows of `dim` elements); rows whose index is
/// `zeroIndex` are written as zeros instead.
func gatherRows<T: TensorFloat>(_ table: UnsafePointer<T>, dim: Int, _ indices: UnsafePointer<Int64>, count: Int,
                                zeroIndex: Int?, _ out: UnsafeMutablePointer<T>) {
    parallelRanges(count, grain: Swift.max(1, 32768 / Swift.max(dim, 1))) { lo, hi in
        for i in lo..<hi {
            let row = Int(indices[i])
            if row == zeroIndex {
                (out + i * dim).update(repeating: 0, count: dim)
            } else {
                (out + i * dim).update(from: table + row * dim, count: dim)
            }
        }
    }
}

/// The adjoint of `gatherRows`: table[indices[i], :] += g[i, :], skipping `skipIndex`.
/// Overwrites `table` (`rows` rows); repeated indices accumulate.
func scatterAddRows<T: TensorFloat>(_ g: UnsafePointer<T>, dim: Int, _ indices: UnsafePointer<Int64>, count: Int,
                                    rows: Int, skipIndex: Int?, _ table: UnsafeMutablePointer<T>) {
    table.update(repeating: 0, count: rows * dim)
    for i in 0..<count {
        let row = Int(indices[i])
        if row == skipIndex { continue }
        let dst = table + row * dim, src = g + i * dim
        for j in 0..<dim { dst[j] += src[j] }
    }
}
