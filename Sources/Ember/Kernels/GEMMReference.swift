// A straightforward GEMM: the reference the fast kernels are tested against.

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
