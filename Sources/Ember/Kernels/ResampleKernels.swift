// Separable resampling of contiguous [planes, H, W] images: nearest neighbour and bilinear,
// forward and adjoint (scatter-add with the same weights).

/// One output position of a bilinear resampling along one dimension: l0·in[i0] + l1·in[i1].
struct LinearTap<T: TensorFloat> {
    var i0: Int, i1: Int, l0: T, l1: T
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
func bilinearForward<T: TensorFloat>(planes: Int, inH: Int, inW: Int, _ th: [LinearTap<T>], _ tw: [LinearTap<T>],
                                     _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>) {
    let oH = th.count, oW = tw.count
    th.withUnsafeBufferPointer { th in tw.withUnsafeBufferPointer { tw in
        parallelRanges(planes, grain: planeGrain(4 * oH * oW)) { lo, hi in
            for p in lo..<hi {
                let src = x + p * inH * inW, dst = y + p * oH * oW
                for i in 0..<oH {
                    let t = th[i], r0 = src + t.i0 * inW, r1 = src + t.i1 * inW
                    let out = dst + i * oW
                    for j in 0..<oW {
                        let u = tw[j]
                        out[j] = t.l0 * (u.l0 * r0[u.i0] + u.l1 * r0[u.i1]) + t.l1 * (u.l0 * r1[u.i0] + u.l1 * r1[u.i1])
                    }
                }
            }
        }
    } }
}

/// The adjoint of `bilinearForward`: each dy spreads to its four taps. Overwrites dx.
func bilinearBackward<T: TensorFloat>(planes: Int, inH: Int, inW: Int, _ th: [LinearTap<T>], _ tw: [LinearTap<T>],
                                      _ dy: UnsafePointer<T>, _ dx: UnsafeMutablePointer<T>) {
    let oH = th.count, oW = tw.count
    th.withUnsafeBufferPointer { th in tw.withUnsafeBufferPointer { tw in
        parallelRanges(planes, grain: planeGrain(4 * oH * oW + inH * inW)) { lo, hi in
            for p in lo..<hi {
                let src = dy + p * oH * oW, dst = dx + p * inH * inW
                dst.update(repeating: 0, count: inH * inW)
                for i in 0..<oH {
                    let t = th[i], r0 = dst + t.i0 * inW, r1 = dst + t.i1 * inW
                    let g = src + i * oW
                    for j in 0..<oW {
                        let u = tw[j]
                        let gh0 = t.l0 * g[j], gh1 = t.l1 * g[j]
                        r0[u.i0] += u.l0 * gh0; r0[u.i1] += u.l1 * gh0
                        r1[u.i0] += u.l0 * gh1; r1[u.i1] += u.l1 * gh1
                    }
                }
            }
        }
    } }
}
