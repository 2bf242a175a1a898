/*
 * Matrix-vector kernels for the skinny GEMM cases (N == 1 or M == 1), which are memory-bound and
 * gain nothing from packing: "dot" walks contiguous rows of A, "axpy" accumulates weighted rows.
 */
#include "CEmberKernels.h"

void ember_sgemv_dot_ref(ptrdiff_t m, ptrdiff_t k, const float *a, ptrdiff_t lda, const float *x,
                         float *y, ptrdiff_t incy, float alpha, float beta) {
    for (ptrdiff_t i = 0; i < m; ++i) {
        const float *ai = a + i * lda;
        float s = 0.0f;
        for (ptrdiff_t p = 0; p < k; ++p) s += ai[p] * x[p];
        float *yi = y + i * incy;
        *yi = beta == 0.0f ? alpha * s : alpha * s + beta * *yi;
    }
}

void ember_sgemv_axpy_ref(ptrdiff_t k, ptrdiff_t n, const float *b, ptrdiff_t ldb, const float *x,
                          ptrdiff_t incx, float *y, float alpha, float beta) {
    /* Work in blocks of 256 outputs so the partial sums stay in L1. */
    float acc[256];
    for (ptrdiff_t j0 = 0; j0 < n; j0 += 256) {
        const ptrdiff_t nb = n - j0 < 256 ? n - j0 : 256;
        for (ptrdiff_t j = 0; j < nb; ++j) acc[j] = 0.0f;
        for (ptrdiff_t p = 0; p < k; ++p) {
            const float xp = x[p * incx];
            const float *bp = b + p * ldb + j0;
            for (ptrdiff_t j = 0; j < nb; ++j) acc[j] += xp * bp[j];
        }
        for (ptrdiff_t j = 0; j < nb; ++j)
            y[j0 + j] = beta == 0.0f ? alpha * acc[j] : alpha * acc[j] + beta * y[j0 + j];
    }
}

#if defined(__x86_64__)
#include <immintrin.h>
#define EMBER_AVX2 __attribute__((target("avx2,fma")))

EMBER_AVX2 static inline float hsum256(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

EMBER_AVX2 static inline void store_y(float *y, float s, float alpha, float beta) {
    *y = beta == 0.0f ? alpha * s : alpha * s + beta * *y;
}

EMBER_AVX2 void ember_sgemv_dot_avx2(ptrdiff_t m, ptrdiff_t k, const float *a, ptrdiff_t lda,
                                     const float *x, float *y, ptrdiff_t incy, float alpha,
                                     float beta) {
    ptrdiff_t i = 0;
    for (; i + 4 <= m; i += 4) {
        const float *a0 = a + i * lda, *a1 = a0 + lda, *a2 = a1 + lda, *a3 = a2 + lda;
        __m256 s00 = _mm256_setzero_ps(), s01 = _mm256_setzero_ps();
        __m256 s10 = _mm256_setzero_ps(), s11 = _mm256_setzero_ps();
        __m256 s20 = _mm256_setzero_ps(), s21 = _mm256_setzero_ps();
        __m256 s30 = _mm256_setzero_ps(), s31 = _mm256_setzero_ps();
        ptrdiff_t p = 0;
        for (; p + 16 <= k; p += 16) {
            const __m256 x0 = _mm256_loadu_ps(x + p), x1 = _mm256_loadu_ps(x + p + 8);
            s00 = _mm256_fmadd_ps(_mm256_loadu_ps(a0 + p), x0, s00);
            s01 = _mm256_fmadd_ps(_mm256_loadu_ps(a0 + p + 8), x1, s01);
            s10 = _mm256_fmadd_ps(_mm256_loadu_ps(a1 + p), x0, s10);
            s11 = _mm256_fmadd_ps(_mm256_loadu_ps(a1 + p + 8), x1, s11);
            s20 = _mm256_fmadd_ps(_mm256_loadu_ps(a2 + p), x0, s20);
            s21 = _mm256_fmadd_ps(_mm256_loadu_ps(a2 + p + 8), x1, s21);
            s30 = _mm256_fmadd_ps(_mm256_loadu_ps(a3 + p), x0, s30);
            s31 = _mm256_fmadd_ps(_mm256_loadu_ps(a3 + p + 8), x1, s31);
        }
        for (; p + 8 <= k; p += 8) {
            const __m256 x0 = _mm256_loadu_ps(x + p);
            s00 = _mm256_fmadd_ps(_mm256_loadu_ps(a0 + p), x0, s00);
            s10 = _mm256_fmadd_ps(_mm256_loadu_ps(a1 + p), x0, s10);
            s20 = _mm256_fmadd_ps(_mm256_loadu_ps(a2 + p), x0, s20);
            s30 = _mm256_fmadd_ps(_mm256_loadu_ps(a3 + p), x0, s30);
        }
        float r0 = hsum256(_mm256_add_ps(s00, s01)), r1 = hsum256(_mm256_add_ps(s10, s11));
        float r2 = hsum256(_mm256_add_ps(s20, s21)), r3 = hsum256(_mm256_add_ps(s30, s31));
        for (; p < k; ++p) {
            const float xp = x[p];
            r0 += a0[p] * xp; r1 += a1[p] * xp; r2 += a2[p] * xp; r3 += a3[p] * xp;
        }
        store_y(y + (i + 0) * incy, r0, alpha, beta);
        store_y(y + (i + 1) * incy, r1, alpha, beta);
        store_y(y + (i + 2) * incy, r2, alpha, beta);
        store_y(y + (i + 3) * incy, r3, alpha, beta);
    }
    for (; i < m; ++i) {
        const float *a0 = a + i * lda;
        __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
        ptrdiff_t p = 0;
        for (; p + 16 <= k; p += 16) {
            s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a0 + p), _mm256_loadu_ps(x + p), s0);
            s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a0 + p + 8), _mm256_loadu_ps(x + p + 8), s1);
        }
        for (; p + 8 <= k; p += 8)
            s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a0 + p), _mm256_loadu_ps(x + p), s0);
        float r = hsum256(_mm256_add_ps(s0, s1));
        for (; p < k; ++p) r += a0[p] * x[p];
        store_y(y + i * incy, r, alpha, beta);
    }
}

EMBER_AVX2 static inline void axpy_finish(float *y, __m256 acc, __m256 va, __m256 vb, int mode) {
    acc = _mm256_mul_ps(acc, va);
    if (mode) acc = _mm256_fmadd_ps(vb, _mm256_loadu_ps(y), acc);
    _mm256_storeu_ps(y, acc);
}

EMBER_AVX2 void ember_sgemv_axpy_avx2(ptrdiff_t k, ptrdiff_t n, const float *b, ptrdiff_t ldb,
                                      const float *x, ptrdiff_t incx, float *y, float alpha,
                                      float beta) {
    const __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
    const int mode = beta != 0.0f;
    ptrdiff_t j = 0;
    for (; j + 64 <= n; j += 64) {
        __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps(), s2 = _mm256_setzero_ps(),
               s3 = _mm256_setzero_ps(), s4 = _mm256_setzero_ps(), s5 = _mm256_setzero_ps(),
               s6 = _mm256_setzero_ps(), s7 = _mm256_setzero_ps();
        const float *bp = b + j;
        for (ptrdiff_t p = 0; p < k; ++p, bp += ldb) {
            const __m256 xp = _mm256_set1_ps(x[p * incx]);
            s0 = _mm256_fmadd_ps(xp, _mm256_loadu_ps(bp + 0), s0);
            s1 = _mm256_fmadd_ps(xp, _mm256_loadu_ps(bp + 8), s1);
            s2 = _mm256_fmadd_ps(xp, _mm256_loadu_ps(bp + 16), s2);
            s3 = _mm256_fmadd_ps(xp, _mm256_loadu_ps(bp + 24), s3);
            s4 = _mm256_fmadd_ps(xp, _mm256_loadu_ps(bp + 32), s4);
            s5 = _mm256_fmadd_ps(xp, _mm256_loadu_ps(bp + 40), s5);
            s6 = _mm256_fmadd_ps(xp, _mm256_loadu_ps(bp + 48), s6);
            s7 = _mm256_fmadd_ps(xp, _mm256_loadu_ps(bp + 56), s7);
        }
        axpy_finish(y + j + 0, s0, va, vb, mode);
        axpy_finish(y + j + 8, s1, va, vb, mode);
        axpy_finish(y + j + 16, s2, va, vb, mode);
        axpy_finish(y + j + 24, s3, va, vb, mode);
        axpy_finish(y + j + 32, s4, va, vb, mode);
        axpy_finish(y + j + 40, s5, va, vb, mode);
        axpy_finish(y + j + 48, s6, va, vb, mode);
        axpy_finish(y + j + 56, s7, va, vb, mode);
    }
    for (; j + 8 <= n; j += 8) {
        __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
        const float *bp = b + j;
        ptrdiff_t p = 0;
        for (; p + 2 <= k; p += 2, bp += 2 * ldb) {
            s0 = _mm256_fmadd_ps(_mm256_set1_ps(x[p * incx]), _mm256_loadu_ps(bp), s0);
            s1 = _mm256_fmadd_ps(_mm256_set1_ps(x[(p + 1) * incx]), _mm256_loadu_ps(bp + ldb), s1);
        }
        if (p < k) s0 = _mm256_fmadd_ps(_mm256_set1_ps(x[p * incx]), _mm256_loadu_ps(bp), s0);
        axpy_finish(y + j, _mm256_add_ps(s0, s1), va, vb, mode);
    }
    if (j < n) ember_sgemv_axpy_ref(k, n - j, b + j, ldb, x, incx, y + j, alpha, beta);
}

#else

void ember_sgemv_dot_avx2(ptrdiff_t m, ptrdiff_t k, const float *a, ptrdiff_t lda, const float *x,
                          float *y, ptrdiff_t incy, float alpha, float beta) {
    ember_sgemv_dot_ref(m, k, a, lda, x, y, incy, alpha, beta);
}
void ember_sgemv_axpy_avx2(ptrdiff_t k, ptrdiff_t n, const float *b, ptrdiff_t ldb, const float *x,
                           ptrdiff_t incx, float *y, float alpha, float beta) {
    ember_sgemv_axpy_ref(k, n, b, ldb, x, incx, y, alpha, beta);
}
#endif
