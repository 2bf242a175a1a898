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
        let P = g.outPlane, K = g.groupRows, coutG = g.outChannels / g.groups
        if g.batch == 0 || P == 0 { return }
        let nbMax = chunk(g, T.self)
        let col = Scratch<T>(count: g.inChannels * g.kH * g.kW * nbMax * P)
        let tmp = Scratch<T>(count: nbMax > 1 ? g.outChannels * nbMax * P : 0)
        defer { col.free(); tmp.free() }
        for n0 in stride(from: 0, to: g.batch, by: nbMax) {
            let nb = Swift.min(nbMax, g.batch - n0), ld = nb * P
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
        let P = g.outPlane, K = g.groupRows, coutG = g.outChannels / g.groups
        let inImage = g.inChannels * g.inPlane
        dx.update(repeating: 0, count: g.batch * inImage)
        if g.batch == 0 || P == 0 { return }
        let nbMax = chunk(g, T.self)
        let col = Scratch<T>(count: g.inChannels * g.kH * g.kW * nbMax * P)
        let tmp = Scratch<T>(count: nbMax > 1 ? g.outChannels * nbMax * P : 0)
        defer { col.free(); tmp.free() }
        for n0 in stride(from: 0, to: g.batch, by: nbMax) {
            let nb = Swift.min(nbMax, g.batch - n0), ld = nb * P
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
            for i in 0..<nb {
                col2im(col.pointer + i * P, ld: ld, g, channels: g.inChannels, dx + (n0 + i) * inImage)
            }
        }
    }

    /// dw [Cout, Cin/g, kH, kW] = Σ_n dy_n · col(x_n)ᵀ: the weight gradient of `forward`.
    /// Overwrites dw.
    static func backwardWeight<T: TensorFloat>(_ g: ConvGeometry, x: UnsafePointer<T>, dy: UnsafePointer<T>,
                                               dw: UnsafeMutablePointer<T>) {
        let P = g.outPlane, K = g.groupRows, coutG = g.outChannels / g.groups
        if g.batch == 0 || P == 0 { dw.update(repeating: 0, count: g.outChannels * K); return }
        let nbMax = chunk(g, T.self)
        let col = Scratch<T>(count: g.inChannels * g.kH * g.kW * nbMax * P)
        let tmp = Scratch<T>(count: nbMax > 1 ? g.outChannels * nbMax * P : 0)
        defer { col.free(); tmp.free() }
        for n0 in stride(from: 0, to: g.batch, by: nbMax) {
            let nb = Swift.min(nbMax, g.batch - n0), ld = nb * P
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
                     beta: n0 == 0 ? 0 : 1, c: dw + grp * coutG * K, ldc: K)
            }
        }
    }
}
