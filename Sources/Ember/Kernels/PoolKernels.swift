// Pooling over contiguous [planes, H, W] images: max pooling with argmax indices, and box
// averages (avg_pool2d and adaptive_avg_pool2d) described by per-dimension windows.

/// The windows of a max pooling: output (i, j) looks at rows i·sH − pH + a·dH (a < kH) and
/// columns j·sW − pW + b·dW (b < kW) that lie inside the image.
struct PoolGeometry {
    var planes: Int
    var inH: Int, inW: Int, outH: Int, outW: Int
    var kH: Int, kW: Int, strideH: Int, strideW: Int, padH: Int, padW: Int, dilationH: Int, dilationW: Int
}

/// Work per chunk of planes worth a thread.
@inline(__always) func planeGrain(_ workPerPlane: Int) -> Int { Swift.max(1, 32768 / Swift.max(workPerPlane, 1)) }

/// The taps a0..<a1 of each output position that fall inside the input (computed once per call:
/// `validRange` divides).
@inline(__always)
private func windowRanges(output: Int, stride: Int, pad: Int, dilation: Int, kernel: Int, size: Int) -> [(start: Int, lo: Int, hi: Int)] {
    (0..<output).map { o in
        let start = o * stride - pad
        let (lo, hi) = validRange(offset: start, stride: dilation, size: size, count: kernel)
        return (start, lo, hi)
    }
}

/// y = max over each window; `indices` gets the flat position h·W + w of the first maximum in
/// row-major window order (NaN counts as a maximum, like PyTorch).
func maxPoolForward<T: TensorFloat>(_ g: PoolGeometry, _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>,
                                    _ indices: UnsafeMutablePointer<Int64>) {
    let inPlane = g.inH * g.inW, outPlane = g.outH * g.outW
    let rows = windowRanges(output: g.outH, stride: g.strideH, pad: g.padH, dilation: g.dilationH, kernel: g.kH, size: g.inH)
    let cols = windowRanges(output: g.outW, stride: g.strideW, pad: g.padW, dilation: g.dilationW, kernel: g.kW, size: g.inW)
    rows.withUnsafeBufferPointer { rows in cols.withUnsafeBufferPointer { cols in
        parallelRanges(g.planes, grain: planeGrain(outPlane * g.kH * g.kW)) { lo, hi in
            for p in lo..<hi {
                maxPoolPlane(x + p * inPlane, width: g.inW, dilationH: g.dilationH, dilationW: g.dilationW, rows, cols,
                             y + p * outPlane, indices + p * outPlane)
            }
        }
    } }
}

/// One plane of `maxPoolForward` (a plain function, so its loop bounds live in registers).
private func maxPoolPlane<T: TensorFloat>(_ src: UnsafePointer<T>, width W: Int, dilationH dH: Int, dilationW dW: Int,
                                          _ rows: UnsafeBufferPointer<(start: Int, lo: Int, hi: Int)>,
                                          _ cols: UnsafeBufferPointer<(start: Int, lo: Int, hi: Int)>,
                                          _ dst: UnsafeMutablePointer<T>, _ ind: UnsafeMutablePointer<Int64>) {
    var o = 0
    for (hs, a0, a1) in rows {
        for (ws, b0, b1) in cols {
            var best = -T.infinity
            var bestIndex = (hs + a0 * dH) * W + ws + b0 * dW
            var lastNaN = -1
            for a in a0..<a1 {
                let row = (hs + a * dH) * W + ws
                for b in b0..<b1 {
                    let i = row + b * dW, v = src[i]
                    // selects rather than branches: on real data `v > best` is unpredictable
                    let take = v > best
                    bestIndex = take ? i : bestIndex
                    best = take ? v : best
                    if v.isNaN { lastNaN = i }  // rare, so well predicted
                }
            }
            // PyTorch keeps replacing the maximum by every NaN it meets: the last NaN wins.
            if lastNaN >= 0 { best = src[lastNaN]; bestIndex = lastNaN }
            dst[o] = best
            ind[o] = Int64(bestIndex)
            o += 1
        }
    }
}

/// y[p, o] = x[p, indices[p, o]] (the max pooling as a linear map once the indices are known).
func gatherPlanes<T: TensorFloat>(planes: Int, inPlane: Int, outPlane: Int, _ x: UnsafePointer<T>,
                                  _ indices: UnsafePointer<Int64>, _ y: UnsafeMutablePointer<T>) {
    parallelRanges(planes, grain: planeGrain(outPlane)) { lo, hi in
        for p in lo..<hi {
            let src = x + p * inPlane, ind = indices + p * outPlane, dst = y + p * outPlane
            for o in 0..<outPlane { dst[o] = src[Int(ind[o])] }
        }
    }
}

/// The adjoint of `gatherPlanes`: dx[p, indices[p, o]] += dy[p, o]. Overwrites dx.
func scatterPlanes<T: TensorFloat>(planes: Int, inPlane: Int, outPlane: Int, _ dy: UnsafePointer<T>,
                                   _ indices: UnsafePointer<Int64>, _ dx: UnsafeMutablePointer<T>) {
    parallelRanges(planes, grain: planeGrain(inPlane + outPlane)) { lo, hi in
        for p in lo..<hi {
            let src = dy + p * outPlane, ind = indices + p * outPlane, dst = dx + p * inPlane
            dst.update(repeating: 0, count: inPlane)
            for o in 0..<outPlane { dst[Int(ind[o])] += src[o] }
        }
    }
}

/// Averaging windows along one dimension: output i averages positions start[i]..<end[i]
/// (already clipped to the input) and contributes the factor count[i] to its divisor.
struct BoxWindows {
    var start: [Int] = [], end: [Int] = [], count: [Int] = []

    /// avg_pool2d: window i·s − p ..< min(i·s − p + k, L + p); the divisor counts the padding
    /// (but not a ceil-mode overhang) when `includePad`, otherwise only the input positions.
    static func avgPool(length: Int, output: Int, kernel: Int, stride: Int, pad: Int, includePad: Bool) -> BoxWindows {
        var w = BoxWindows()
        for i in 0..<output {
            let s = i * stride - pad, e = Swift.min(s + kernel, length + pad)
            let cs = Swift.max(s, 0), ce = Swift.min(e, length)
            w.start.append(cs); w.end.append(ce); w.count.append(includePad ? e - s : ce - cs)
        }
        return w
    }

    /// adaptive_avg_pool2d: bin i is ⌊i·L/O⌋ ..< ⌈(i + 1)·L/O⌉.
    static func adaptive(length: Int, output: Int) -> BoxWindows {
        var w = BoxWindows()
        for i in 0..<output {
            let s = i * length / output, e = ((i + 1) * length + output - 1) / output
            w.start.append(s); w.end.append(e); w.count.append(e - s)
        }
        return w
    }
}

/// y[p, i, j] = Σ_{window} x / divisor, divisor = `divisorOverride` or countH[i]·countW[j].
func boxAverageForward<T: TensorFloat>(planes: Int, inH: Int, inW: Int, _ wh: BoxWindows, _ ww: BoxWindows,
                                       divisorOverride: Int?, _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>) {
    let oH = wh.start.count, oW = ww.start.count, inPlane = inH * inW
    parallelRanges(planes, grain: planeGrain(inPlane + oH * oW)) { lo, hi in
        for p in lo..<hi {
            let src = x + p * inPlane, dst = y + p * oH * oW
            for i in 0..<oH {
                for j in 0..<oW {
                    var acc: T = 0
                    for h in wh.start[i]..<wh.end[i] {
                        let row = src + h * inW
                        for w in ww.start[j]..<ww.end[j] { acc += row[w] }
                    }
                    let divisor = divisorOverride ?? wh.count[i] * ww.count[j]
                    dst[i * oW + j] = divisor == 0 ? 0 : acc / T(divisor)
                }
            }
        }
    }
}

/// The adjoint of `boxAverageForward`: every window spreads dy / divisor over its positions.
/// Overwrites dx.
func boxAverageBackward<T: TensorFloat>(planes: Int, inH: Int, inW: Int, _ wh: BoxWindows, _ ww: BoxWindows,
                                        divisorOverride: Int?, _ dy: UnsafePointer<T>, _ dx: UnsafeMutablePointer<T>) {
    let oH = wh.start.count, oW = ww.start.count, inPlane = inH * inW
    parallelRanges(planes, grain: planeGrain(inPlane + oH * oW)) { lo, hi in
        for p in lo..<hi {
            let src = dy + p * oH * oW, dst = dx + p * inPlane
            dst.update(repeating: 0, count: inPlane)
            for i in 0..<oH {
                for j in 0..<oW {
                    let divisor = divisorOverride ?? wh.count[i] * ww.count[j]
                    if divisor == 0 { continue }
                    let v = src[i * oW + j] / T(divisor)
                    for h in wh.start[i]..<wh.end[i] {
                        let row = dst + h * inW
                        for w in ww.start[j]..<ww.end[j] { row[w] += v }
                    }
                }
            }
        }
    }
}
