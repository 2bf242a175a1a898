import CEmberKernels

// im2col / col2im: the unfolding that turns a convolution into one GEMM.

/// The shape of a 2-D convolution seen from the convolution's side: `in` is the image it reads
/// (conv2d's input, or conv_transpose2d's output) and `out` the image it produces.
struct ConvGeometry: Equatable {
    var batch: Int
    var inChannels: Int, inH: Int, inW: Int
    var outChannels: Int, outH: Int, outW: Int
    var kH: Int, kW: Int
    var strideH: Int, strideW: Int
    /// Zeros added before the first row / column (the bottom/right padding only shows in outH/outW).
    var padTop: Int, padLeft: Int
    var dilationH: Int, dilationW: Int
    var groups: Int

    var inPlane: Int { inH * inW }
    var outPlane: Int { outH * outW }
    /// Rows of the column matrix of one group: (Cin/groups)·kH·kW.
    var groupRows: Int { inChannels / groups * kH * kW }
    var isPointwise: Bool {
        kH == 1 && kW == 1 && strideH == 1 && strideW == 1 && padTop == 0 && padLeft == 0
            && inH == outH && inW == outW
    }
}

/// The output positions `lo..<hi` (of `count`) whose source `o·stride + offset` lies in `0..<size`.
@inline(__always)
func validRange(offset: Int, stride: Int, size: Int, count: Int) -> (Int, Int) {
    let lo = offset >= 0 ? 0 : Swift.min(count, (-offset + stride - 1) / stride)
    let hi = size - offset <= 0 ? 0 : Swift.min(count, (size - offset + stride - 1) / stride)
    return (lo, Swift.max(lo, hi))
}

/// Unfolds one image [C, inH, inW] into columns, rows `ld` apart:
/// col[(c·kH + a)·kW + b][oh·outW + ow] = x[c][oh·sH − padTop + a·dH][ow·sW − padLeft + b·dW] (0 outside).
func im2col<T: TensorFloat>(_ x: UnsafePointer<T>, _ g: ConvGeometry, channels: Int,
                            _ col: UnsafeMutablePointer<T>, ld: Int) {
    let taps = g.kH * g.kW
    if T.self == Float.self && g.strideH == 1 && g.strideW == 1 && g.dilationH == 1 && g.dilationW == 1 {
        // Whole channels through the C kernel (AVX2 row copies, no per-row calls).
        let xf = UnsafeRawPointer(x).assumingMemoryBound(to: Float.self)
        let cf = UnsafeMutableRawPointer(col).assumingMemoryBound(to: Float.self)
        let avx2 = VectorKernels.avx2
        parallelRanges(channels, grain: Swift.max(1, 16384 / Swift.max(1, taps * g.outPlane))) { lo, hi in
            for c in lo..<hi {
                let src = xf + c * g.inPlane, dst = cf + c * taps * ld
                if avx2 {
                    ember_im2col_s1_f32_avx2(src, g.inH, g.inW, g.outH, g.outW, g.kH, g.kW, g.padTop, g.padLeft, dst, ld)
                } else {
                    ember_im2col_s1_f32_ref(src, g.inH, g.inW, g.outH, g.outW, g.kH, g.kW, g.padTop, g.padLeft, dst, ld)
                }
            }
        }
        return
    }
    parallelRanges(channels * taps, grain: Swift.max(1, 16384 / Swift.max(1, g.outPlane))) { lo, hi in
        for r in lo..<hi {
            let c = r / taps, a = r % taps / g.kW, b = r % g.kW
            im2colRow(x + c * g.inPlane, g, a: a, b: b, col + r * ld, ld: ld)
        }
    }
}

/// One row (channel c, tap (a, b)) of `im2col`.
@inline(__always)
private func im2colRow<T: TensorFloat>(_ plane: UnsafePointer<T>, _ g: ConvGeometry, a: Int, b: Int,
                                       _ row: UnsafeMutablePointer<T>, ld: Int) {
    let H = g.inH, W = g.inW, oH = g.outH, oW = g.outW, sW = g.strideW, sH = g.strideH
    let off = b * g.dilationW - g.padLeft
    let (wLo, wHi) = validRange(offset: off, stride: sW, size: W, count: oW)
    var ih = a * g.dilationH - g.padTop
    var dst = row
    for _ in 0..<oH {
        if ih < 0 || ih >= H {
            dst.update(repeating: 0, count: oW)
        } else {
            let src = plane + ih * W + off
            for ow in 0..<wLo { dst[ow] = 0 }
            if sW == 1 {
                (dst + wLo).update(from: src + wLo, count: wHi - wLo)
            } else {
                for ow in wLo..<wHi { dst[ow] = src[ow * sW] }
            }
            for ow in wHi..<oW { dst[ow] = 0 }
        }
        ih += sH
        dst += oW
    }
}

/// The adjoint of `im2col`: adds every column entry back to the pixel it was read from.
/// `x` ([C, inH, inW]) is accumulated into, not overwritten.
func col2im<T: TensorFloat>(_ col: UnsafePointer<T>, ld: Int, _ g: ConvGeometry, channels: Int,
                            _ x: UnsafeMutablePointer<T>) {
    let taps = g.kH * g.kW
    // Threads split channels: the taps of one channel write to the same pixels.
    parallelRanges(channels, grain: Swift.max(1, 16384 / Swift.max(1, taps * g.outPlane))) { lo, hi in
        for c in lo..<hi {
            for t in 0..<taps {
                col2imRow(col + (c * taps + t) * ld, g, a: t / g.kW, b: t % g.kW, x + c * g.inPlane)
            }
        }
    }
}

/// One row (channel c, tap (a, b)) of `col2im`.
@inline(__always)
private func col2imRow<T: TensorFloat>(_ row: UnsafePointer<T>, _ g: ConvGeometry, a: Int, b: Int,
                                       _ plane: UnsafeMutablePointer<T>) {
    let H = g.inH, W = g.inW, oH = g.outH, oW = g.outW, sW = g.strideW, sH = g.strideH
    let off = b * g.dilationW - g.padLeft
    let (wLo, wHi) = validRange(offset: off, stride: sW, size: W, count: oW)
    var ih = a * g.dilationH - g.padTop
    var src = row
    for _ in 0..<oH {
        if ih >= 0 && ih < H {
            let dst = plane + ih * W + off
            if sW == 1 {
                for ow in wLo..<wHi { dst[ow] += src[ow] }
            } else {
                for ow in wLo..<wHi { dst[ow * sW] += src[ow] }
            }
        }
        ih += sH
        src += oW
    }
}
