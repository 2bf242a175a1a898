// Temporary straightforward GEMM (replaced by the packed AVX2 kernels).

/// C = alpha·op(A)·op(B) + beta·C, row-major. beta == 0 ignores C's previous contents.
func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
           a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
           beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
    gemmReference(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
}

/// Double-precision GEMM, same contract as `sgemm`.
func dgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Double,
           a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
           beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int) {
    gemmReference(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
}

func gemmReference<T: TensorFloat>(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: T,
                                   a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int,
                                   beta: T, c: UnsafeMutablePointer<T>, ldc: Int) {
    for i in 0..<m {
        let crow = c + i * ldc
        if beta == 0 { crow.update(repeating: 0, count: n) } else if beta != 1 { for j in 0..<n { crow[j] *= beta } }
        for p in 0..<k {
            let av = alpha * (transA ? a[p * lda + i] : a[i * lda + p])
            if av == 0 { continue }
            if transB {
                for j in 0..<n { crow[j] += av * b[j * ldb + p] }
            } else {
                let brow = b + p * ldb
                for j in 0..<n { crow[j] += av * brow[j] }
            }
        }
    }
}
