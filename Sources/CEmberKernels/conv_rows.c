/* Shifted-row kernels of the direct convolution paths (ConvKernels.swift): a convolution with
 * very few output (or input) channels is a sum of shifted planes, so its inner loops are row
 * multiply-adds and row dot products. */
#include "CEmberKernels.h"
#include <math.h>

void ember_rows_axpy_f32_ref(ptrdiff_t rows, ptrdiff_t len, float alpha, const float *src,
                             ptrdiff_t srcStride, float *dst, ptrdiff_t dstStride) {
    for (ptrdiff_t r = 0; r < rows; ++r) {
        const float *s = src + r * srcStride;
        float *d = dst + r * dstStride;
        for (ptrdiff_t i = 0; i < len; ++i) d[i] += alpha * s[i];
    }
}

float ember_rows_dot_f32_ref(ptrdiff_t rows, ptrdiff_t len, const float *a, ptrdiff_t aStride,
                             const float *b, ptrdiff_t bStride) {
    float acc = 0.0f;
    for (ptrdiff_t r = 0; r < rows; ++r) {
        const float *x = a + r * aStride, *y = b + r * bStride;
        for (ptrdiff_t i = 0; i < len; ++i) acc += x[i] * y[i];
    }
    return acc;
}

#if defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("avx2,fma")))
static inline __m256i tail_mask(ptrdiff_t n) {
    const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n), idx);
}

__attribute__((target("avx2,fma")))
void ember_rows_axpy_f32_avx2(ptrdiff_t rows, ptrdiff_t len, float alpha, const float *src,
                              ptrdiff_t srcStride, float *dst, ptrdiff_t dstStride) {
    const __m256 va = _mm256_set1_ps(alpha);
    for (ptrdiff_t r = 0; r < rows; ++r) {
        const float *s = src + r * srcStride;
        float *d = dst + r * dstStride;
        ptrdiff_t i = 0;
        for (; i + 8 <= len; i += 8)
            _mm256_storeu_ps(d + i, _mm256_fmadd_ps(va, _mm256_loadu_ps(s + i), _mm256_loadu_ps(d + i)));
        /* Scalar tail: a masked store (vmaskmovps) is slow on AMD and blocks store-to-load
         * forwarding when the next tap updates the same row. */
        for (; i < len; ++i) d[i] = fmaf(alpha, s[i], d[i]);
    }
}

__attribute__((target("avx2,fma")))
float ember_rows_dot_f32_avx2(ptrdiff_t rows, ptrdiff_t len, const float *a, ptrdiff_t aStride,
                              const float *b, ptrdiff_t bStride) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    const ptrdiff_t rem = len & 7;
    const __m256i mask = tail_mask(rem);
    for (ptrdiff_t r = 0; r < rows; ++r) {
        const float *x = a + r * aStride, *y = b + r * bStride;
        ptrdiff_t i = 0;
        for (; i + 8 <= len; i += 8)
            acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i), acc0);
        if (rem)
            acc1 = _mm256_fmadd_ps(_mm256_maskload_ps(x + i, mask), _mm256_maskload_ps(y + i, mask), acc1);
    }
    acc0 = _mm256_add_ps(acc0, acc1);
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(acc0), _mm256_extractf128_ps(acc0, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    return _mm_cvtss_f32(s);
}
#else
void ember_rows_axpy_f32_avx2(ptrdiff_t rows, ptrdiff_t len, float alpha, const float *src,
                              ptrdiff_t srcStride, float *dst, ptrdiff_t dstStride) {
    ember_rows_axpy_f32_ref(rows, len, alpha, src, srcStride, dst, dstStride);
}
float ember_rows_dot_f32_avx2(ptrdiff_t rows, ptrdiff_t len, const float *a, ptrdiff_t aStride,
                              const float *b, ptrdiff_t bStride) {
    return ember_rows_dot_f32_ref(rows, len, a, aStride, b, bStride);
}
#endif
