// Matrix products: matmul (2-D and batched with broadcasting) and linear (x·Wᵀ + b).

/// How a 2-D strided view is handed to GEMM without copying: row-major, or the transpose of a
/// row-major matrix.
struct GEMMOperand {
    let tensor: Tensor  // keeps storage alive
    let transposed: Bool
    let ld: Int

    /// `rows`x`cols` matrix at `offset` with strides (rs, cs) inside `t`'s storage.
    static func make(_ t: Tensor, rows: Int, cols: Int, rs: Int, cs: Int) -> (GEMMOperand, Int)? {
        if (cs == 1 || cols == 1) && rs >= Swift.max(cols, 1) { return (GEMMOperand(tensor: t, transposed: false, ld: Swift.max(rs, 1)), 0) }
        if (rs == 1 || rows == 1) && cs >= Swift.max(rows, 1) { return (GEMMOperand(tensor: t, transposed: true, ld: Swift.max(cs, 1)), 0) }
        return nil
    }
}

@inline(__always)
func gemmDispatch(_ dtype: DType, transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                  a: UnsafeMutableRawPointer, lda: Int, b: UnsafeMutableRawPointer, ldb: Int,
                  beta: Double, c: UnsafeMutableRawPointer, ldc: Int) {
    if m == 0 || n == 0 { return }
    switch dtype {
    case .float32:
        sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 1,
              a: a.assumingMemoryBound(to: Float.self), lda: lda, b: b.assumingMemoryBound(to: Float.self), ldb: ldb,
              beta: Float(beta), c: c.assumingMemoryBound(to: Float.self), ldc: ldc)
    case .float64:
        dgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 1,
              a: a.assumingMemoryBound(to: Double.self), lda: lda, b: b.assumingMemoryBound(to: Double.self), ldb: ldb,
              beta: beta, c: c.assumingMemoryBound(to: Double.self), ldc: ldc)
    case .int64: fail("matmul", "needs floating-point tensors")
    }
}

extension Tensor {
    /// Matrix product with PyTorch's rules: 2-D × 2-D, batched (leading dimensions broadcast),
    /// and 1-D operands treated as a row (left) or a column (right) vector that is then removed.
    public func matmul(_ other: Tensor) -> Tensor {
        if rank == 0 || other.rank == 0 { fail("matmul", "both operands need at least one dimension, got \(shapeString(shape)) and \(shapeString(other.shape))") }
        if rank == 1 && other.rank == 1 { return (self * other).sum() }
        if rank == 1 { return unsqueeze(0).matmul(other).squeeze(-2) }
        if other.rank == 1 { return matmul(other.unsqueeze(1)).squeeze(-1) }
        return matmulND(other)
    }

    private func matmulND(_ other: Tensor) -> Tensor {
        let m = shape[rank - 2], k = shape[rank - 1], k2 = other.shape[other.rank - 2], n = other.shape[other.rank - 1]
        if k != k2 {
            fail("matmul", "\(shapeString(shape)) x \(shapeString(other.shape)): inner dimensions \(k) and \(k2) differ")
        }
        if dtype != other.dtype { fail("matmul", "dtypes differ: \(dtype) and \(other.dtype)") }
        let batch = broadcastShape(Array(shape.dropLast(2)), Array(other.shape.dropLast(2)), "matmul")
        let a = expand(batch + [m, k]), b = other.expand(batch + [k, n])
        let out = Tensor(uninitializedShape: batch + [m, n], dtype: dtype)
        let nb = batch.reduce(1, *)
        var aa = a, bb = b
        // Each batch item must be a plain or transposed row-major matrix; otherwise copy.
        if GEMMOperand.make(aa, rows: m, cols: k, rs: aa.strides[aa.rank - 2], cs: aa.strides[aa.rank - 1]) == nil { aa = aa.contiguousCopy() }
        if GEMMOperand.make(bb, rows: k, cols: n, rs: bb.strides[bb.rank - 2], cs: bb.strides[bb.rank - 1]) == nil { bb = bb.contiguousCopy() }
        let (opA, _) = GEMMOperand.make(aa, rows: m, cols: k, rs: aa.strides[aa.rank - 2], cs: aa.strides[aa.rank - 1])!
        let (opB, _) = GEMMOperand.make(bb, rows: k, cols: n, rs: bb.strides[bb.rank - 2], cs: bb.strides[bb.rank - 1])!
        let bytes = dtype.byteSize
        for i in 0..<nb {
            var rem = i, oa = aa.offset, ob = bb.offset
            for d in stride(from: batch.count - 1, through: 0, by: -1) {
                let idx = rem % batch[d]
                rem /= batch[d]
                oa += idx * aa.strides[d]
                ob += idx * bb.strides[d]
            }
            gemmDispatch(dtype, transA: opA.transposed, transB: opB.transposed, m: m, n: n, k: k,
                         a: aa.storage.raw + oa * bytes, lda: opA.ld, b: bb.storage.raw + ob * bytes, ldb: opB.ld,
                         beta: 0, c: out.storage.raw + i * m * n * bytes, ldc: n)
        }
        if k == 0 { out.fill(0) }
        if Autograd.shouldRecord(self, other) {
            out.recorded("matmul", [self, other]) { g, node in
                let x = node.input(0), y = node.input(1)
                // d(XY)/dX = G·Yᵀ ; d(XY)/dY = Xᵀ·G (summed over broadcast batch dimensions)
                return [node.needsGrad(0) ? g.matmul(y.transposed(-1, -2)).sumTo(x.shape) : nil,
                        node.needsGrad(1) ? x.transposed(-1, -2).matmul(g).sumTo(y.shape) : nil]
            }
        }
        return out
    }
}

/// y = x·Wᵀ + b for `x` of shape [..., in], `weight` [out, in] and `bias` [out]
/// (PyTorch's `F.linear`). The bias is added inside the GEMM pass.
public func linear(_ x: Tensor, weight: Tensor, bias: Tensor? = nil) -> Tensor {
    if weight.rank != 2 { fail("linear", "weight must be 2-D [out, in], got \(shapeString(weight.shape))") }
    let inF = weight.shape[1], outF = weight.shape[0]
    if x.rank < 1 || x.shape[x.rank - 1] != inF {
        fail("linear", "input \(shapeString(x.shape)) x weight \(shapeString(weight.shape))ᵀ: the input's last dimension must be \(inF)")
    }
    if let bias, bias.shape != [outF] { fail("linear", "bias shape \(shapeString(bias.shape)) must be [\(outF)] for weight \(shapeString(weight.shape))") }
    if x.dtype != weight.dtype || (bias != nil && bias!.dtype != weight.dtype) { fail("linear", "dtypes differ: input \(x.dtype), weight \(weight.dtype)") }
    let lead = Array(x.shape.dropLast())
    let rows = lead.reduce(1, *)
    let x2 = x.isContiguous ? x : x.contiguousCopy()
    let w = weight.isContiguous ? weight : weight.contiguousCopy()
    let out = Tensor(uninitializedShape: lead + [outF], dtype: x.dtype)
    var beta = 0.0
    if let bias {
        let bc = bias.contiguousCopy()
        let bytes = x.dtype.byteSize
        for r in 0..<rows { (out.storage.raw + r * outF * bytes).copyMemory(from: bc.storage.raw, byteCount: outF * bytes) }
        beta = 1
    }
    let bytes = x.dtype.byteSize
    gemmDispatch(x.dtype, transA: false, transB: true, m: rows, n: outF, k: inF,
                 a: x2.storage.raw + x2.offset * bytes, lda: inF, b: w.storage.raw + w.offset * bytes, ldb: inF,
                 beta: beta, c: out.storage.raw, ldc: outF)
    if inF == 0 && bias == nil { out.fill(0) }
    let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
    if Autograd.shouldRecord(inputs) {
        out.recorded("linear", inputs) { g, node in
            let x = node.input(0), w = node.input(1)
            let g2 = g.reshape([-1, outF])
            let x2 = x.reshape([-1, inF])
            // dX = G·W ; dW = Gᵀ·X ; db = Σ_rows G
            return [node.needsGrad(0) ? g2.matmul(w).reshape(x.shape) : nil,
                    node.needsGrad(1) ? g2.T.matmul(x2) : nil,
                    node.inputs.count > 2 && node.needsGrad(2) ? g2.sum(dim: 0) : nil]
        }
    }
    return out
}
