/// Sums a contiguous [outer, r, inner] block over its middle dimension into [outer, inner].
func reduceSum<T: TensorFloat>(_ x: UnsafePointer<T>, outer: Int, r: Int, inner: Int, _ out: UnsafeMutablePointer<T>) {
    if inner == 1 {
        parallelRanges(outer, grain: Swift.max(1, 32768 / Swift.max(r, 1))) { lo, hi in
            for o in lo..<hi {
                let row = x + o * r
                // eight partial sums: vectorisable and more accurate than one running sum
                var acc = SIMD8<T>()
                var j = 0
                while j + 8 <= r {
                    acc += UnsafeRawPointer(row + j).loadUnaligned(as: SIMD8<T>.self)
                    j += 8
                }
                var s = acc.sum()
                while j < r { s += row[j]; j += 1 }
                out[o] = s
            }
        }
    } else {
        parallelRanges(outer, grain: Swift.max(1, 32768 / Swift.max(r * inner, 1))) { lo, hi in
            for o in lo..<hi {
                let dst = out + o * inner
                dst.update(repeating: 0, count: inner)
                for j in 0..<r {
                    let src = x + (o * r + j) * inner
                    for i in 0..<inner { dst[i] += src[i] }
                }
            }
        }
    }
}

/// Max (or min) of a contiguous [outer, r, inner] block over its middle dimension, with the
/// index of the first extreme element. NaN wins, like PyTorch.
func reduceExtreme<T: TensorFloat>(_ x: UnsafePointer<T>, outer: Int, r: Int, inner: Int, isMax: Bool,
                                   _ out: UnsafeMutablePointer<T>, _ index: UnsafeMutablePointer<Int64>) {
    for o in 0..<outer {
        for i in 0..<inner {
            var best = x[o * r * inner + i]
            var bestJ = 0
            if !best.isNaN {
                for j in 1..<Swift.max(r, 1) {
                    let v = x[(o * r + j) * inner + i]
                    if v.isNaN { best = v; bestJ = j; break }
                    if isMax ? v > best : v < best { best = v; bestJ = j }
                }
            }
            out[o * inner + i] = best
            index[o * inner + i] = Int64(bestJ)
        }
    }
}
