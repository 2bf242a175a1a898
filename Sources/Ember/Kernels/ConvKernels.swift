// Convolution as im2col + GEMM, processed in chunks of batch items, and its two adjoints.
//
// For a chunk of `nb` images the columns of all of them sit side by side in one matrix
// col [Cin·kH·kW, nb·P] (P = outH·outW), so each group needs one GEMM with N = nb·P:
//   forward        Y_g  = W_g · col_g                  [Cout/g, nb·P]
//   data gradient  dcol_g = W_gᵀ · dY_g,  then col2im  (also conv_transpose2d's forward)
//   weight gradient dW_g += dY_g · col_gᵀ
// A chunk of one image uses the NCHW tensors in place; larger chunks copy Y/dY to [C, nb·P].

/// C = op(A)·op(B) + beta·C through `sgemm`/`dgemm` (row-major), for either float type.
@inline(__always)
func gemm<T: TensorFloat>(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                          a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int,
                          beta: T, c: UnsafeMutablePointer<T>, ldc: Int) {
    if m == 0 || n == 0 { return }
    if T.self == Float.self {
        sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 1,
              a: UnsafeRawPointer(a).assumingMemoryBound(to: Float.self), lda: lda,
              b: UnsafeRawPointer(b).assumingMemoryBound(to: Float.self), ldb: ldb,
              beta: Float(beta), c: UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float.self), ldc: ldc)
    } else {
        dgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 1,
              a: UnsafeRawPointer(a).assumingMemoryBound(to: Double.self), lda: lda,
              b: UnsafeRawPointer(b).assumingMemoryBound(to: Double.self), ldb: ldb,
              beta: Double(beta), c: UnsafeMutableRawPointer(c).assumingMemoryBound(to: Double.self), ldc: ldc)
    }
}

/// A scratch buffer from the pool, released by `free()`.
struct Scratch<T> {
    let pointer: UnsafeMutablePointer<T>
    let bytes: Int
    init(count: Int) {
        bytes = Swift.max(count, 1) * MemoryLayout<T>.stride
        pointer = BufferPool.shared.allocate(byteCount: bytes).bindMemory(to: T.self, capacity: Swift.max(count, 1))
    }
    func free() { BufferPool.shared.release(UnsafeMutableRawPointer(pointer), byteCount: bytes) }
}

enum ConvKernels {
    /// How many images share one column matrix: enough for wide GEMMs (N ≥ 512), within 32 MiB.
    static func chunk<T>(_ g: ConvGeometry, _: T.Type) -> Int {
        let p = Swift.max(g.outPlane, 1)
        let rowBytes = g.inChannels * g.kH * g.kW * p * MemoryLayout<T>.stride
        let byMemory = Swift.max(1, (32 << 20) / Swift.max(rowBytes, 1))
        return Swift.max(1, Swift.min(g.batch, (512 + p - 1) / p, byMemory))
    }

    /// Copies images n0..<n0+nb of a [N, C, P] tensor into [C, nb·P].
    static func gatherChunk<T>(_ y: UnsafePointer<T>, channels: Int, plane: Int, n0: Int, nb: Int,
                               _ buf: UnsafeMutablePointer<T>) {
        for i in 0..<nb {
            for c in 0..<channels {
                (buf + c * nb * plane + i * plane).update(from: y + ((n0 + i) * channels + c) * plane, count: plane)
            }
        }
    }

    /// Writes [C, nb·P] back to images n0..<n0+nb of a [N, C, P] tensor, adding `bias[c]`.
    static func scatterChunk<T: TensorFloat>(_ buf: UnsafePointer<T>, channels: Int, plane: Int, n0: Int, nb: Int,
                                             bias: UnsafePointer<T>?, _ y: UnsafeMutablePointer<T>) {
        for i in 0..<nb {
            for c in 0..<channels {
                let src = buf + c * nb * plane + i * plane, dst = y + ((n0 + i) * channels + c) * plane
                if let bias {
                    let b = bias[c]
                    for p in 0..<plane { dst[p] = src[p] + b }
                } else {
                    dst.update(from: src, count: plane)
                }
            }
        }
    }

    /// Fills the columns of images n0..<n0+nb; returns the column matrix (x itself for a
    /// pointwise convolution of one image).
    static func columns<T: TensorFloat>(_ g: ConvGeometry, _ x: UnsafePointer<T>, n0: Int, nb: Int,
                                        _ col: UnsafeMutablePointer<T>) -> UnsafePointer<T> {
        let inImage = g.inChannels * g.inPlane
        if nb == 1 && g.isPointwise { return x + n0 * inImage }
        for i in 0..<nb {
            im2col(x + (n0 + i) * inImage, g, channels: g.inChannels, col + i * g.outPlane, ld: nb * g.outPlane)
        }
        return UnsafePointer(col)
    }

    /// y [N, Cout, outH, outW] = conv(x [N, Cin, inH, inW], w [Cout, Cin/g, kH, kW]) + bias.
    static func forward<T: TensorFloat>(_ g: ConvGeometry, x: UnsafePointer<T>, w: UnsafePointer<T>,
                                        bias: UnsafePointer<T>?, y: UnsafeMutablePointer<T>) {
        if g.batch == 0 || g.outPlane == 0 { return }
        let direct = useDirect(g)
        let xs = UncheckedSendable(x), ws = UncheckedSendable(w), bs = UncheckedSendable(bias), ys = UncheckedSendable(y)
        overBatch(g) { lo, hi in
            if direct {
                directForward(g, x: xs.value, w: ws.value, bias: bs.value, y: ys.value, n0: lo, n1: hi)
            } else {
                forwardRange(g, x: xs.value, w: ws.value, bias: bs.value, y: ys.value, n0: lo, n1: hi)
            }
        }
    }

    /// The forward convolution that computes the data gradient of a stride-1 convolution `g`
    /// (input dy, output dx, weights transposed and rotated), or nil where that does not apply.
    static func flippedGeometry(_ g: ConvGeometry) -> ConvGeometry? {
        guard g.groups == 1, g.strideH == 1, g.strideW == 1, g.dilationH == 1, g.dilationW == 1,
              g.padTop <= g.kH - 1, g.padLeft <= g.kW - 1, !g.isPointwise, !useDirect(g),
              // it computes every input pixel from a full window: no more work only for 'same' padding
              10 * g.inPlane <= 11 * g.outPlane else { return nil }
        return ConvGeometry(batch: g.batch, inChannels: g.outChannels, inH: g.outH, inW: g.outW,
                            outChannels: g.inChannels, outH: g.inH, outW: g.inW, kH: g.kH, kW: g.kW,
                            strideH: 1, strideW: 1, padTop: g.kH - 1 - g.padTop, padLeft: g.kW - 1 - g.padLeft,
                            dilationH: 1, dilationW: 1, groups: 1)
    }

    /// How many threads split the batch of a convolution (each then runs its im2col and GEMMs
    /// alone): all of them when every thread gets at least one image.
    static func batchThreads(_ g: ConvGeometry) -> Int {
        Swift.min(Threading.maxThreads, g.batch)
    }

    /// Runs `body(n0, n1)` over contiguous batch ranges, one per thread.
    static func overBatch(_ g: ConvGeometry, _ body: (Int, Int) -> Void) {
        overBatchIndexed(g) { _, lo, hi in body(lo, hi) }
    }

    /// The same, also passing the range's index in 0..<batchThreads(g) (every range is non-empty).
    static func overBatchIndexed(_ g: ConvGeometry, _ body: (Int, Int, Int) -> Void) {
        let t = batchThreads(g)
        if t <= 1 { body(0, 0, g.batch); return }
        parallelTasks(t) { i in
            body(i, g.batch * i / t, g.batch * (i + 1) / t)
        }
    }

    /// A direct (shifted multiply-add) kernel beats im2col + GEMM when one side of the GEMM is
    /// tiny: very few output channels (the GEMM degenerates to GEMV over a huge column matrix).
    static func useDirect(_ g: ConvGeometry) -> Bool {
        g.groups == 1 && g.outChannels <= 2 && g.dilationH == 1 && g.dilationW == 1
    }

    /// Direct forward for images n0..<n1: y[co] = bias[co] + Σ_{c,a,b} w[co,c,a,b] · shift(x[c]).
    static func directForward<T: TensorFloat>(_ g: ConvGeometry, x: UnsafePointer<T>, w: UnsafePointer<T>,
                                              bias: UnsafePointer<T>?, y: UnsafeMutablePointer<T>, n0: Int, n1: Int) {
        let P = g.outPlane, taps = g.kH * g.kW, oW = g.outW, oH = g.outH
        for n in n0..<n1 {
            for co in 0..<g.outChannels {
                let yp = y + (n * g.outChannels + co) * P
                yp.update(repeating: bias?[co] ?? 0, count: P)
                for c in 0..<g.inChannels {
                    let plane = x + (n * g.inChannels + c) * g.inPlane
                    let wc = w + (co * g.inChannels + c) * taps
                    for a in 0..<g.kH {
                        let (hLo, hHi) = validRange(offset: a - g.padTop, stride: g.strideH, size: g.inH, count: oH)
                        for b in 0..<g.kW {
                            let wv = wc[a * g.kW + b]
                            let off = b - g.padLeft
                            let (wLo, wHi) = validRange(offset: off, stride: g.strideW, size: g.inW, count: oW)
                            if wLo >= wHi || hLo >= hHi { continue }
                            if g.strideW == 1, VectorKernels.rowsAxpy(
                                hHi - hLo, wHi - wLo, wv, plane + (hLo * g.strideH + a - g.padTop) * g.inW + off + wLo,
                                g.strideH * g.inW, yp + hLo * oW + wLo, oW) { continue }
                            for oh in hLo..<hHi {
                                let src = plane + (oh * g.strideH + a - g.padTop) * g.inW + off
                                let dst = yp + oh * oW
                                if g.strideW == 1 {
                                    for ow in wLo..<wHi { dst[ow] += wv * src[ow] }
                                } else {
                                    for ow in wLo..<wHi { dst[ow] += wv * src[ow * g.strideW] }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Direct data gradient for images n0..<n1 (dx zeroed by the caller):
    /// dx[c] += Σ_{co,a,b} w[co,c,a,b] · unshift(dy[co]).
    static func directData<T: TensorFloat>(_ g: ConvGeometry, dy: UnsafePointer<T>, w: UnsafePointer<T>,
                                           dx: UnsafeMutablePointer<T>, n0: Int, n1: Int) {
        let P = g.outPlane, taps = g.kH * g.kW, oW = g.outW, oH = g.outH
        for n in n0..<n1 {
            for c in 0..<g.inChannels {
                let plane = dx + (n * g.inChannels + c) * g.inPlane
                for co in 0..<g.outChannels {
                    let dyp = dy + (n * g.outChannels + co) * P
                    let wc = w + (co * g.inChannels + c) * taps
                    for a in 0..<g.kH {
                        let (hLo, hHi) = validRange(offset: a - g.padTop, stride: g.strideH, size: g.inH, count: oH)
                        for b in 0..<g.kW {
                            let wv = wc[a * g.kW + b]
                            let off = b - g.padLeft
                            let (wLo, wHi) = validRange(offset: off, stride: g.strideW, size: g.inW, count: oW)
                            if wLo >= wHi || hLo >= hHi { continue }
                            if g.strideW == 1, VectorKernels.rowsAxpy(
                                hHi - hLo, wHi - wLo, wv, dyp + hLo * oW + wLo, oW,
                                plane + (hLo * g.strideH + a - g.padTop) * g.inW + off + wLo, g.strideH * g.inW) { continue }
                            for oh in hLo..<hHi {
                                let dst = plane + (oh * g.strideH + a - g.padTop) * g.inW + off
                                let src = dyp + oh * oW
                                if g.strideW == 1 {
                                    for ow in wLo..<wHi { dst[ow] += wv * src[ow] }
                                } else {
                                    for ow in wLo..<wHi { dst[ow * g.strideW] += wv * src[ow] }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Direct weight gradient over images n0..<n1, accumulated into dw:
    /// dw[co,c,a,b] += Σ_n ⟨dy[n,co], shift(x[n,c])⟩.
    static func directWeight<T: TensorFloat>(_ g: ConvGeometry, x: UnsafePointer<T>, dy: UnsafePointer<T>,
                                             dw: UnsafeMutablePointer<T>, n0: Int, n1: Int) {
        let P = g.outPlane, taps = g.kH * g.kW, oW = g.outW, oH = g.outH
        for n in n0..<n1 {
            for co in 0..<g.outChannels {
                let dyp = dy + (n * g.outChannels + co) * P
                for c in 0..<g.inChannels {
                    let plane = x + (n * g.inChannels + c) * g.inPlane
                    let wc = dw + (co * g.inChannels + c) * taps
                    for a in 0..<g.kH {
                        let (hLo, hHi) = validRange(offset: a - g.padTop, stride: g.strideH, size: g.inH, count: oH)
                        for b in 0..<g.kW {
                            let off = b - g.padLeft
                            let (wLo, wHi) = validRange(offset: off, stride: g.strideW, size: g.inW, count: oW)
                            if wLo >= wHi || hLo >= hHi { continue }
                            if g.strideW == 1, let dot = VectorKernels.rowsDot(
                                hHi - hLo, wHi - wLo, plane + (hLo * g.strideH + a - g.padTop) * g.inW + off + wLo,
                                g.strideH * g.inW, dyp + hLo * oW + wLo, oW) {
                                wc[a * g.kW + b] += dot
                                continue
                            }
                            var acc = SIMD8<T>()
                            var tail: T = 0
                            for oh in hLo..<hHi {
                                let src = plane + (oh * g.strideH + a - g.padTop) * g.inW + off
                                let d = dyp + oh * oW
                                var ow = wLo
                                if g.strideW == 1 {
                                    while ow + 8 <= wHi {
                                        let xv = UnsafeRawPointer(src + ow).loadUnaligned(as: SIMD8<T>.self)
                                        let dv = UnsafeRawPointer(d + ow).loadUnaligned(as: SIMD8<T>.self)
                                        acc = acc + xv * dv
                                        ow += 8
                                    }
                                    while ow < wHi { tail += src[ow] * d[ow]; ow += 1 }
                                } else {
                                    while ow < wHi { tail += src[ow * g.strideW] * d[ow]; ow += 1 }
                                }
                            }
                            wc[a * g.kW + b] += acc.sum() + tail
                        }
                    }
                }
            }
        }
    }

    static func forwardRange<T: TensorFloat>(_ g: ConvGeometry, x: UnsafePointer<T>, w: UnsafePointer<T>,
                                             bias: UnsafePointer<T>?, y: UnsafeMutablePointer<T>, n0 start: Int, n1 end: Int) {
        let P = g.outPlane, K = g.groupRows, coutG = g.outChannels / g.groups
        let nbMax = Swift.min(chunk(g, T.self), end - start)
        let col = Scratch<T>(count: g.inChannels * g.kH * g.kW * nbMax * P)
        let tmp = Scratch<T>(count: nbMax > 1 ? g.outChannels * nbMax * P : 0)
        defer { col.free(); tmp.free() }
        for n0 in stride(from: start, to: end, by: nbMax) {
            let nb = Swift.min(nbMax, end - n0), ld = nb * P
            let cols = columns(g, x, n0: n0, nb: nb, col.pointer)
            let direct = nb == 1
            let dst = direct ? y + n0 * g.outChannels * P : tmp.pointer
            if direct, let bias {
                for c in 0..<g.outChannels { (dst + c * P).update(repeating: bias[c], count: P) }
            }
            for grp in 0..<g.groups {
                gemm(transA: false, transB: false, m: coutG, n: ld, k: K,
                     a: w + grp * coutG * K, lda: K, b: cols + grp * K * ld, ldb: ld,
                     beta: direct && bias != nil ? 1 : 0, c: dst + grp * coutG * ld, ldc: ld)
            }
            if !direct { scatterChunk(tmp.pointer, channels: g.outChannels, plane: P, n0: n0, nb: nb, bias: bias, y) }
        }
    }

    /// dx [N, Cin, inH, inW] = convᵀ(dy [N, Cout, outH, outW], w): the input gradient of
    /// `forward`, and the forward of a transposed convolution. Overwrites dx.
    static func backwardData<T: TensorFloat>(_ g: ConvGeometry, dy: UnsafePointer<T>, w: UnsafePointer<T>,
                                             dx: UnsafeMutablePointer<T>) {
        let inImage = g.inChannels * g.inPlane
        if g.batch == 0 || g.outPlane == 0 { dx.update(repeating: 0, count: g.batch * inImage); return }
        if let fg = flippedGeometry(g) {
            // dx = conv(dy, w') with w'[c][co] = w[co][c] rotated by 180°: one forward convolution,
            // no column scatter (and a deep GEMM instead of one with k = Cout).
            let taps = g.kH * g.kW
            let wt = Scratch<T>(count: g.outChannels * g.groupRows)
            defer { wt.free() }
            for co in 0..<g.outChannels {
                for c in 0..<g.inChannels {
                    let src = w + (co * g.inChannels + c) * taps, dst = wt.pointer + (c * g.outChannels + co) * taps
                    for t in 0..<taps { dst[t] = src[taps - 1 - t] }
                }
            }
            forward(fg, x: dy, w: wt.pointer, bias: nil, y: dx)
            return
        }
        let direct = useDirect(g)
        let dys = UncheckedSendable(dy), ws = UncheckedSendable(w), dxs = UncheckedSendable(dx)
        overBatch(g) { lo, hi in
            if direct {
                (dxs.value + lo * inImage).update(repeating: 0, count: (hi - lo) * inImage)
                directData(g, dy: dys.value, w: ws.value, dx: dxs.value, n0: lo, n1: hi)
            } else {
                backwardDataRange(g, dy: dys.value, w: ws.value, dx: dxs.value, n0: lo, n1: hi)
            }
        }
    }

    static func backwardDataRange<T: TensorFloat>(_ g: ConvGeometry, dy: UnsafePointer<T>, w: UnsafePointer<T>,
                                                  dx: UnsafeMutablePointer<T>, n0 start: Int, n1 end: Int) {
        let P = g.outPlane, K = g.groupRows, coutG = g.outChannels / g.groups
        let inImage = g.inChannels * g.inPlane
        let nbMax = Swift.min(chunk(g, T.self), end - start)
        let col = Scratch<T>(count: g.inChannels * g.kH * g.kW * nbMax * P)
        let tmp = Scratch<T>(count: nbMax > 1 ? g.outChannels * nbMax * P : 0)
        defer { col.free(); tmp.free() }
        for n0 in stride(from: start, to: end, by: nbMax) {
            let nb = Swift.min(nbMax, end - n0), ld = nb * P
            let dyc: UnsafePointer<T>
            if nb == 1 {
                dyc = dy + n0 * g.outChannels * P
            } else {
                gatherChunk(dy, channels: g.outChannels, plane: P, n0: n0, nb: nb, tmp.pointer)
                dyc = UnsafePointer(tmp.pointer)
            }
            let pointwise = nb == 1 && g.isPointwise
            let dcol = pointwise ? dx + n0 * inImage : col.pointer
            for grp in 0..<g.groups {
                gemm(transA: true, transB: false, m: K, n: ld, k: coutG,
                     a: w + grp * coutG * K, lda: K, b: dyc + grp * coutG * ld, ldb: ld,
                     beta: 0, c: dcol + grp * K * ld, ldc: ld)
            }
            if pointwise { continue }
            (dx + n0 * inImage).update(repeating: 0, count: nb * inImage)
            for i in 0..<nb {
                col2im(col.pointer + i * P, ld: ld, g, channels: g.inChannels, dx + (n0 + i) * inImage)
            }
        }
    }

    /// dw [Cout, Cin/g, kH, kW] = Σ_n dy_n · col(x_n)ᵀ: the weight gradient of `forward`.
    /// Overwrites dw.
    static func backwardWeight<T: TensorFloat>(_ g: ConvGeometry, x: UnsafePointer<T>, dy: UnsafePointer<T>,
                                               dw: UnsafeMutablePointer<T>) {
        let count = g.outChannels * g.groupRows
        if g.batch == 0 || g.outPlane == 0 { dw.update(repeating: 0, count: count); return }
        let direct = useDirect(g)
        let t = batchThreads(g)
        // Thread 0 writes dw itself; the others fill private copies that are summed at the end.
        let extra = Scratch<T>(count: Swift.max(t - 1, 0) * count)
        defer { extra.free() }
        let xs = UncheckedSendable(x), dys = UncheckedSendable(dy), dws = UncheckedSendable(dw)
        let es = UncheckedSendable(extra.pointer)
        overBatchIndexed(g) { i, lo, hi in
            let out = i == 0 ? dws.value : es.value + (i - 1) * count
            if direct {
                out.update(repeating: 0, count: count)
                directWeight(g, x: xs.value, dy: dys.value, dw: out, n0: lo, n1: hi)
            } else {
                backwardWeightRange(g, x: xs.value, dy: dys.value, dw: out, n0: lo, n1: hi)
            }
        }
        for i in 1..<Swift.max(t, 1) {
            let src = extra.pointer + (i - 1) * count
            for j in 0..<count { dw[j] += src[j] }
        }
    }

    static func backwardWeightRange<T: TensorFloat>(_ g: ConvGeometry, x: UnsafePointer<T>, dy: UnsafePointer<T>,
                                                    dw: UnsafeMutablePointer<T>, n0 start: Int, n1 end: Int) {
        let P = g.outPlane, K = g.groupRows, coutG = g.outChannels / g.groups
        let nbMax = Swift.min(chunk(g, T.self), end - start)
        let col = Scratch<T>(count: g.inChannels * g.kH * g.kW * nbMax * P)
        let tmp = Scratch<T>(count: nbMax > 1 ? g.outChannels * nbMax * P : 0)
        defer { col.free(); tmp.free() }
        for n0 in stride(from: start, to: end, by: nbMax) {
            let nb = Swift.min(nbMax, end - n0), ld = nb * P
            let cols = columns(g, x, n0: n0, nb: nb, col.pointer)
            let dyc: UnsafePointer<T>
            if nb == 1 {
                dyc = dy + n0 * g.outChannels * P
            } else {
                gatherChunk(dy, channels: g.outChannels, plane: P, n0: n0, nb: nb, tmp.pointer)
                dyc = UnsafePointer(tmp.pointer)
            }
            for grp in 0..<g.groups {
                gemm(transA: false, transB: true, m: coutG, n: K, k: ld,
                     a: dyc + grp * coutG * ld, lda: ld, b: cols + grp * K * ld, ldb: ld,
                     beta: n0 == start ? 0 : 1, c: dw + grp * coutG * K, ldc: K)
            }
        }
    }
}
