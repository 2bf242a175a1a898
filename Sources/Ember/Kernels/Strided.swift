/// Iteration over the elements of strided (possibly broadcast) operands, one innermost row at a
/// time, with the output written contiguously.
///
/// `body(outStart, offsetA, offsetB, n, strideA, strideB)` is called for each row of `n` elements:
/// the output row starts at `outStart`, operand A's at `offsetA` with step `strideA`, and so on.
@inline(__always)
func forEachRow(shape: [Int], stridesA: [Int], stridesB: [Int],
                _ body: (Int, Int, Int, Int, Int, Int) -> Void) {
    let rank = shape.count
    if rank == 0 { body(0, 0, 0, 1, 0, 0); return }
    let n = shape[rank - 1]
    if n == 0 { return }
    var total = 1
    for d in shape { total *= d }
    if total == 0 { return }
    let outer = total / n
    let sa = stridesA[rank - 1], sb = stridesB[rank - 1]
    if rank == 1 { body(0, 0, 0, n, sa, sb); return }
    var index = [Int](repeating: 0, count: rank - 1)
    var oa = 0, ob = 0
    for r in 0..<outer {
        body(r * n, oa, ob, n, sa, sb)
        var d = rank - 2
        while d >= 0 {
            index[d] += 1
            oa += stridesA[d]
            ob += stridesB[d]
            if index[d] < shape[d] { break }
            oa -= stridesA[d] * shape[d]
            ob -= stridesB[d] * shape[d]
            index[d] = 0
            d -= 1
        }
    }
}

/// Three-operand form of `forEachRow` (for `where`).
@inline(__always)
func forEachRow3(shape: [Int], stridesA: [Int], stridesB: [Int], stridesC: [Int],
                 _ body: (Int, Int, Int, Int, Int, Int, Int, Int) -> Void) {
    let rank = shape.count
    if rank == 0 { body(0, 0, 0, 0, 1, 0, 0, 0); return }
    let n = shape[rank - 1]
    var total = 1
    for d in shape { total *= d }
    if total == 0 || n == 0 { return }
    let outer = total / n
    let sa = stridesA[rank - 1], sb = stridesB[rank - 1], sc = stridesC[rank - 1]
    var index = [Int](repeating: 0, count: max(rank - 1, 0))
    var oa = 0, ob = 0, oc = 0
    for r in 0..<outer {
        body(r * n, oa, ob, oc, n, sa, sb, sc)
        var d = rank - 2
        while d >= 0 {
            index[d] += 1
            oa += stridesA[d]; ob += stridesB[d]; oc += stridesC[d]
            if index[d] < shape[d] { break }
            oa -= stridesA[d] * shape[d]; ob -= stridesB[d] * shape[d]; oc -= stridesC[d] * shape[d]
            index[d] = 0
            d -= 1
        }
    }
}

/// Copies a strided view into a contiguous buffer.
@inline(__always)
func copyStrided<T>(from src: UnsafePointer<T>, shape: [Int], strides: [Int], to dst: UnsafeMutablePointer<T>) {
    forEachRow(shape: shape, stridesA: strides, stridesB: strides) { o, a, _, n, sa, _ in
        if sa == 1 {
            (dst + o).update(from: src + a, count: n)
        } else {
            for i in 0..<n { dst[o + i] = src[a + i * sa] }
        }
    }
}
