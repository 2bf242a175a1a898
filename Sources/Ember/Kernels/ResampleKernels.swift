// Separable resampling of contiguous [planes, H, W] images: nearest neighbour and bilinear,
// forward and adjoint (scatter-add with the same weights).

/// Bilinear taps along one dimension: output i = l0[i]·in[i0[i]] + l1[i]·in[i1[i]].
struct LinearTaps<T: TensorFloat> {
    var i0: [Int] = [], i1: [Int] = [], l0: [T] = [], l1: [T] = []
}

/// y[p, i, j] = x[p, rows[i], cols[j]].
func nearestForward<T: TensorFloat>(planes: Int, inH: Int, inW: Int, rows: [Int], cols: [Int],
                                    _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>) {
    let oH = rows.count, oW = cols.count
    rows.withUnsafeBufferPointer { r in cols.withUnsafeBufferPointer { c in
        parallelRanges(planes, grain: planeGrain(oH * oW)) { lo, hi in
            for p in lo..<hi {
                let src = x + p * inH * inW, dst = y + p * oH * oW
                for i in 0..<oH {
                    let row = src + r[i] * inW, out = dst + i * oW
                    for j in 0..<oW { out[j] = row[c[j]] }
                }
            }
        }
    } }
}

/// The adjoint of `nearestForward`: dx[p, rows[i], cols[j]] += dy[p, i, j]. Overwrites dx.
func nearestBackward<T: TensorFloat>(planes: Int, inH: Int, inW: Int, rows: [Int], cols: [Int],
                                     _ dy: UnsafePointer<T>, _ dx: UnsafeMutablePointer<T>) {
    let oH = rows.count, oW = cols.count
    rows.withUnsafeBufferPointer { r in cols.withUnsafeBufferPointer { c in
        parallelRanges(planes, grain: planeGrain(oH * oW + inH * inW)) { lo, hi in
            for p in lo..<hi {
                let src = dy + p * oH * oW, dst = dx + p * inH * inW
                dst.update(repeating: 0, count: inH * inW)
                for i in 0..<oH {
                    let row = dst + r[i] * inW, g = src + i * oW
                    for j in 0..<oW { row[c[j]] += g[j] }
                }
            }
        }
    } }
}

/// y = h0·(w0·x[r0, c0] + w1·x[r0, c1]) + h1·(w0·x[r1, c0] + w1·x[r1, c1]) (PyTorch's order).
func bilinearForward<T: TensorFloat>(planes: Int, inH: Int, inW: Int, _ th: LinearTaps<T>, _ tw: LinearTaps<T>,
                                     _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>) {
    let oH = th.i0.count, oW = tw.i0.count
    parallelRanges(planes, grain: planeGrain(4 * oH * oW)) { lo, hi in
        for p in lo..<hi {
            let src = x + p * inH * inW, dst = y + p * oH * oW
            for i in 0..<oH {
                let r0 = src + th.i0[i] * inW, r1 = src + th.i1[i] * inW, h0 = th.l0[i], h1 = th.l1[i]
                let out = dst + i * oW
                for j in 0..<oW {
                    let c0 = tw.i0[j], c1 = tw.i1[j], w0 = tw.l0[j], w1 = tw.l1[j]
                    out[j] = h0 * (w0 * r0[c0] + w1 * r0[c1]) + h1 * (w0 * r1[c0] + w1 * r1[c1])
                }
            }
        }
    }
}

/// The adjoint of `bilinearForward`: each dy spreads to its four taps. Overwrites dx.
func bilinearBackward<T: TensorFloat>(planes: Int, inH: Int, inW: Int, _ th: LinearTaps<T>, _ tw: LinearTaps<T>,
                                      _ dy: UnsafePointer<T>, _ dx: UnsafeMutablePointer<T>) {
    let oH = th.i0.count, oW = tw.i0.count
    parallelRanges(planes, grain: planeGrain(4 * oH * oW + inH * inW)) { lo, hi in
        for p in lo..<hi {
            let src = dy + p * oH * oW, dst = dx + p * inH * inW
            dst.update(repeating: 0, count: inH * inW)
            for i in 0..<oH {
                let r0 = dst + th.i0[i] * inW, r1 = dst + th.i1[i] * inW, h0 = th.l0[i], h1 = th.l1[i]
                let g = src + i * oW
                for j in 0..<oW {
                    let c0 = tw.i0[j], c1 = tw.i1[j], w0 = tw.l0[j], w1 = tw.l1[j]
                    let gh0 = h0 * g[j], gh1 = h1 * g[j]
                    r0[c0] += w0 * gh0; r0[c1] += w1 * gh0
                    r1[c0] += w0 * gh1; r1[c1] += w1 * gh1
                }
            }
        }
    }
}
