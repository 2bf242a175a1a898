#ifndef CEMBER_KERNELS_H
#define CEMBER_KERNELS_H
/*
 * Ember's hot inner kernels, in C so that individual functions can be compiled for AVX2/FMA or
 * AVX-512F with `__attribute__((target(...)))` while the package itself builds for the baseline
 * CPU with no unsafe flags. Every vector kernel has a portable `_ref` twin with the same contract;
 * Swift asks the `ember_cpu_*` functions once and keeps a pointer to the variant to use.
 *
 * Conventions: all matrices are row-major; `ld*` is the distance in elements between the starts of
 * two consecutive rows; `ptrdiff_t` imports into Swift as `Int`. Wherever a `beta` appears,
 * beta == 0 means "overwrite": the old output is never read (so NaN/Inf garbage is ignored).
 */
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- CPU capabilities (cpu.c) --- */

/// 1 when the CPU (and OS) support AVX2 and FMA3 (x86-64 only), else 0.
int ember_cpu_has_avx2_fma(void);
/// 1 when the CPU (and OS, i.e. the zmm state is enabled in XCR0) support AVX-512F, else 0.
int ember_cpu_has_avx512f(void);

/* ------------------------------------------- atomics for the thread pool (cpu.c), seq_cst --- */

/// Atomically adds `delta` to `*counter` and returns the old value.
ptrdiff_t ember_atomic_fetch_add(ptrdiff_t *counter, ptrdiff_t delta);
ptrdiff_t ember_atomic_load(const ptrdiff_t *p);
void ember_atomic_store(ptrdiff_t *p, ptrdiff_t value);
/// If `*p == expected`, stores `desired` and returns 1; otherwise returns 0.
int ember_atomic_cas(ptrdiff_t *p, ptrdiff_t expected, ptrdiff_t desired);
/// A spin-wait hint (x86 `pause`, arm64 `yield`).
void ember_cpu_relax(void);

/* ---------------------------------------------------------- SGEMM micro-kernels (sgemm.c) --- */
/*
 * A micro-kernel computes one MR x NR tile of C from two packed panels:
 *
 *     C[i, j] = alpha * sum_{p < k} A[p*MR + i] * B[p*NR + j] + beta * C[i, j]
 *
 * for i < mr <= MR and j < nr <= NR (partial edge tiles write only the mr x nr corner; the packed
 * panels are zero-padded to full MR/NR, so the arithmetic is always on full tiles). `a` is an
 * MR-row panel of op(A) stored column by column (MR floats per k step), `b` an NR-column panel of
 * op(B) stored row by row (NR floats per k step). k may be 0 (then C = beta * C).
 */

/// 6 x 16 tile, 12 ymm accumulators (AVX2 + FMA). Packing: MR = 6, NR = 16.
void ember_sgemm_ukr_6x16_avx2(ptrdiff_t k, const float *a, const float *b, float *c, ptrdiff_t ldc,
                               float alpha, float beta, ptrdiff_t mr, ptrdiff_t nr);
/// 12 x 32 tile, 24 zmm accumulators (AVX-512F). Packing: MR = 12, NR = 32.
void ember_sgemm_ukr_12x32_avx512(ptrdiff_t k, const float *a, const float *b, float *c,
                                  ptrdiff_t ldc, float alpha, float beta, ptrdiff_t mr, ptrdiff_t nr);
/// Portable reference with the 6 x 16 packing of the AVX2 kernel (any CPU, any architecture).
void ember_sgemm_ukr_6x16_ref(ptrdiff_t k, const float *a, const float *b, float *c, ptrdiff_t ldc,
                              float alpha, float beta, ptrdiff_t mr, ptrdiff_t nr);

/*
 * Packing (pack.c): copies a kc x mn block X into ceil(mn / W) panels of width W, panel q at
 * dst + q*W*kc holding X[p, q*W + j] at [p*W + j] (zero past mn), where X[p, j] = src[p*ld + j]
 * when `transposed` == 0 and X[p, j] = src[j*ld + p] otherwise. B panels: X = op(B), W = NR;
 * A panels: X = op(A)^T, W = MR.
 */
void ember_pack_panels_avx2(int transposed, ptrdiff_t kc, ptrdiff_t mn, ptrdiff_t W,
                            const float *src, ptrdiff_t ld, float *dst);
void ember_pack_panels_ref(int transposed, ptrdiff_t kc, ptrdiff_t mn, ptrdiff_t W,
                           const float *src, ptrdiff_t ld, float *dst);

/* ------------------------------------------------------ matrix-vector kernels (sgemv.c) --- */

/// Row dot products: y[i*incy] = alpha * sum_{p<k} A[i*lda + p] * x[p] + beta * y[i*incy], i < m.
/// `x` is contiguous.
void ember_sgemv_dot_avx2(ptrdiff_t m, ptrdiff_t k, const float *a, ptrdiff_t lda, const float *x,
                          float *y, ptrdiff_t incy, float alpha, float beta);
void ember_sgemv_dot_ref(ptrdiff_t m, ptrdiff_t k, const float *a, ptrdiff_t lda, const float *x,
                         float *y, ptrdiff_t incy, float alpha, float beta);

/// Weighted row sums: y[j] = alpha * sum_{p<k} x[p*incx] * B[p*ldb + j] + beta * y[j], j < n.
/// `y` is contiguous.
void ember_sgemv_axpy_avx2(ptrdiff_t k, ptrdiff_t n, const float *b, ptrdiff_t ldb, const float *x,
                           ptrdiff_t incx, float *y, float alpha, float beta);
void ember_sgemv_axpy_ref(ptrdiff_t k, ptrdiff_t n, const float *b, ptrdiff_t ldb, const float *x,
                          ptrdiff_t incx, float *y, float alpha, float beta);

/* ------------------------------------------------------- elementwise helpers (elementwise.c) --- */

/*
 * One fused Adam step over n floats, PyTorch's `torch.optim.Adam` (single-tensor path) per element:
 *
 *     p     <- p * paramScale                              (AdamW decoupled decay: 1 - lr*wd; else 1)
 *     g'    =  g + weightDecay * p                         (classic Adam L2 decay; 0 for none)
 *     m     <- lerp(m, g', 1 - beta1)     = beta1*m + (1-beta1)*g'
 *     v     <- beta2 * v + (1 - beta2) * g' * g'
 *     denom =  sqrt(v) / sqrtBiasCorrection2 + eps         (eps added AFTER the division)
 *     p     <- p - (stepSize * m) / denom                  (stepSize = lr / (1 - beta1^t))
 *
 * with sqrtBiasCorrection2 = sqrt(1 - beta2^t). Operations are rounded one by one in the order
 * above (no FMA contraction), as PyTorch's CPU kernels do; `lerp` uses PyTorch's two-branch form.
 */
void ember_adam_f32_avx2(ptrdiff_t n, float *p, const float *g, float *m, float *v, float beta1,
                         float beta2, float stepSize, float sqrtBiasCorrection2, float eps,
                         float weightDecay, float paramScale);
void ember_adam_f32_ref(ptrdiff_t n, float *p, const float *g, float *m, float *v, float beta1,
                        float beta2, float stepSize, float sqrtBiasCorrection2, float eps,
                        float weightDecay, float paramScale);

/*
 * y[i] = f(x[i]) for i < n (x == y allowed). `_avx2`: Cephes-style polynomials, max relative
 * error about 2-3 ulp (exp: +inf above 88.7228, gradual underflow below -87.3);
 * sigmoid(x) = 1 / (1 + exp(-x)); tanh: odd polynomial for |x| < 0.625, else
 * sign(x) * (1 - 2 / (exp(2|x|) + 1)). `_ref`: libm expf / tanhf. NaN propagates.
 */
void ember_exp_f32_avx2(ptrdiff_t n, const float *x, float *y);
void ember_exp_f32_ref(ptrdiff_t n, const float *x, float *y);
void ember_sigmoid_f32_avx2(ptrdiff_t n, const float *x, float *y);
void ember_sigmoid_f32_ref(ptrdiff_t n, const float *x, float *y);
void ember_tanh_f32_avx2(ptrdiff_t n, const float *x, float *y);
void ember_tanh_f32_ref(ptrdiff_t n, const float *x, float *y);

#ifdef __cplusplus
}
#endif
#endif
