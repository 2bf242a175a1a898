/*
 * SGEMM micro-kernels: one MR x NR tile of C = alpha * Apanel * Bpanel + beta * C.
 * See CEmberKernels.h for the packed-panel layout. Blocking, packing and threading live in Swift
 * (Sources/Ember/Kernels/GEMM.swift).
 */
#include "CEmberKernels.h"

/* ------------------------------------------------------------------------ portable reference --- */

void ember_sgemm_ukr_6x16_ref(ptrdiff_t k, const float *a, const float *b, float *c, ptrdiff_t ldc,
                              float alpha, float beta, ptrdiff_t mr, ptrdiff_t nr) {
    float acc[6][16];
    for (int i = 0; i < 6; ++i)
        for (int j = 0; j < 16; ++j) acc[i][j] = 0.0f;
    for (ptrdiff_t p = 0; p < k; ++p) {
        for (int i = 0; i < 6; ++i) {
            const float ai = a[i];
            for (int j = 0; j < 16; ++j) acc[i][j] += ai * b[j];
        }
        a += 6;
        b += 16;
    }
    for (ptrdiff_t i = 0; i < mr; ++i) {
        float *ci = c + i * ldc;
        if (beta == 0.0f) {
            for (ptrdiff_t j = 0; j < nr; ++j) ci[j] = alpha * acc[i][j];
        } else {
            for (ptrdiff_t j = 0; j < nr; ++j) ci[j] = alpha * acc[i][j] + beta * ci[j];
        }
    }
}

#if defined(__x86_64__)
#include <immintrin.h>

#define EMBER_AVX2 __attribute__((target("avx2,fma")))
#define EMBER_AVX512 __attribute__((target("avx512f,avx2,fma")))

/* -------------------------------------------------------------------------- AVX2: 6 x 16 --- */

/* One k step: two 8-float loads of B, six broadcasts of A, twelve FMAs. */
#define AVX2_STEP(A, B)                                                             \
    do {                                                                            \
        const __m256 b0 = _mm256_loadu_ps((B));                                     \
        const __m256 b1 = _mm256_loadu_ps((B) + 8);                                 \
        __m256 t;                                                                   \
        t = _mm256_broadcast_ss((A) + 0);                                           \
        c00 = _mm256_fmadd_ps(t, b0, c00); c01 = _mm256_fmadd_ps(t, b1, c01);        \
        t = _mm256_broadcast_ss((A) + 1);                                           \
        c10 = _mm256_fmadd_ps(t, b0, c10); c11 = _mm256_fmadd_ps(t, b1, c11);        \
        t = _mm256_broadcast_ss((A) + 2);                                           \
        c20 = _mm256_fmadd_ps(t, b0, c20); c21 = _mm256_fmadd_ps(t, b1, c21);        \
        t = _mm256_broadcast_ss((A) + 3);                                           \
        c30 = _mm256_fmadd_ps(t, b0, c30); c31 = _mm256_fmadd_ps(t, b1, c31);        \
        t = _mm256_broadcast_ss((A) + 4);                                           \
        c40 = _mm256_fmadd_ps(t, b0, c40); c41 = _mm256_fmadd_ps(t, b1, c41);        \
        t = _mm256_broadcast_ss((A) + 5);                                           \
        c50 = _mm256_fmadd_ps(t, b0, c50); c51 = _mm256_fmadd_ps(t, b1, c51);        \
    } while (0)

/* Full-width row update: c[0..16) = alpha*acc + beta*c (beta == 0: overwrite, 1: accumulate). */
EMBER_AVX2 static inline void avx2_row16(float *c, __m256 lo, __m256 hi, __m256 va, __m256 vb,
                                         int mode) {
    lo = _mm256_mul_ps(lo, va);
    hi = _mm256_mul_ps(hi, va);
    if (mode == 1) {
        lo = _mm256_add_ps(lo, _mm256_loadu_ps(c));
        hi = _mm256_add_ps(hi, _mm256_loadu_ps(c + 8));
    } else if (mode == 2) {
        lo = _mm256_fmadd_ps(vb, _mm256_loadu_ps(c), lo);
        hi = _mm256_fmadd_ps(vb, _mm256_loadu_ps(c + 8), hi);
    }
    _mm256_storeu_ps(c, lo);
    _mm256_storeu_ps(c + 8, hi);
}

EMBER_AVX2 void ember_sgemm_ukr_6x16_avx2(ptrdiff_t k, const float *a, const float *b, float *c,
                                          ptrdiff_t ldc, float alpha, float beta, ptrdiff_t mr,
                                          ptrdiff_t nr) {
    __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
    __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
    __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
    __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
    __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
    __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();

    /* C tile: towards L2 now, into L1 shortly before the loop ends; for short k, the tile
       6 rows down (the macro-kernel's next call) instead. Same scheme as the AVX-512 kernel. */
    if (k >= 64) {
        for (ptrdiff_t i = 0; i < mr; ++i) {
            _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T1);
            _mm_prefetch((const char *)(c + i * ldc + 15), _MM_HINT_T1);
        }
    } else {
        const float *cn = c + 6 * ldc;
        for (ptrdiff_t i = 0; i < 6; ++i) {
            _mm_prefetch((const char *)(cn + i * ldc), _MM_HINT_T0);
            _mm_prefetch((const char *)(cn + i * ldc + 15), _MM_HINT_T0);
        }
    }

    ptrdiff_t p = 0;
    const ptrdiff_t kMain = k > 24 ? k - 24 : 0;
    for (int phase = 0; phase < 2; ++phase) {
        const ptrdiff_t end = phase == 0 ? kMain : k;
        for (; p + 4 <= end; p += 4) {
            _mm_prefetch((const char *)(a + 96), _MM_HINT_T0);
            AVX2_STEP(a, b);
            AVX2_STEP(a + 6, b + 16);
            AVX2_STEP(a + 12, b + 32);
            AVX2_STEP(a + 18, b + 48);
            a += 24;
            b += 64;
        }
        if (phase == 0 && k >= 64) {
            for (ptrdiff_t i = 0; i < mr; ++i) {
                _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);
                _mm_prefetch((const char *)(c + i * ldc + 15), _MM_HINT_T0);
            }
        }
    }
    for (; p < k; ++p) {
        AVX2_STEP(a, b);
        a += 6;
        b += 16;
    }

    const int mode = beta == 0.0f ? 0 : (beta == 1.0f ? 1 : 2);
    const __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
    if (mr == 6 && nr == 16) {
        avx2_row16(c + 0 * ldc, c00, c01, va, vb, mode);
        avx2_row16(c + 1 * ldc, c10, c11, va, vb, mode);
        avx2_row16(c + 2 * ldc, c20, c21, va, vb, mode);
        avx2_row16(c + 3 * ldc, c30, c31, va, vb, mode);
        avx2_row16(c + 4 * ldc, c40, c41, va, vb, mode);
        avx2_row16(c + 5 * ldc, c50, c51, va, vb, mode);
        return;
    }
    /* Edge tile: spill alpha*acc and write only the mr x nr corner. */
    float t[6][16];
    _mm256_storeu_ps(t[0], _mm256_mul_ps(c00, va)); _mm256_storeu_ps(t[0] + 8, _mm256_mul_ps(c01, va));
    _mm256_storeu_ps(t[1], _mm256_mul_ps(c10, va)); _mm256_storeu_ps(t[1] + 8, _mm256_mul_ps(c11, va));
    _mm256_storeu_ps(t[2], _mm256_mul_ps(c20, va)); _mm256_storeu_ps(t[2] + 8, _mm256_mul_ps(c21, va));
    _mm256_storeu_ps(t[3], _mm256_mul_ps(c30, va)); _mm256_storeu_ps(t[3] + 8, _mm256_mul_ps(c31, va));
    _mm256_storeu_ps(t[4], _mm256_mul_ps(c40, va)); _mm256_storeu_ps(t[4] + 8, _mm256_mul_ps(c41, va));
    _mm256_storeu_ps(t[5], _mm256_mul_ps(c50, va)); _mm256_storeu_ps(t[5] + 8, _mm256_mul_ps(c51, va));
    for (ptrdiff_t i = 0; i < mr; ++i) {
        float *ci = c + i * ldc;
        if (mode == 0) {
            for (ptrdiff_t j = 0; j < nr; ++j) ci[j] = t[i][j];
        } else if (mode == 1) {
            for (ptrdiff_t j = 0; j < nr; ++j) ci[j] += t[i][j];
        } else {
            for (ptrdiff_t j = 0; j < nr; ++j) ci[j] = t[i][j] + beta * ci[j];
        }
    }
}

/* ----------------------------------------------------------------------- AVX-512: 12 x 32 --- */

/* Row update under a column mask: c = alpha*acc + beta*c (mode 0: overwrite, 1: accumulate). */
EMBER_AVX512 static inline void avx512_row(float *c, __m512 acc, __mmask16 msk, __m512 va,
                                           __m512 vb, int mode) {
    __m512 r = _mm512_mul_ps(acc, va);
    if (mode == 1) {
        r = _mm512_add_ps(r, _mm512_maskz_loadu_ps(msk, c));
    } else if (mode == 2) {
        r = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(msk, c), r);
    }
    _mm512_mask_storeu_ps(c, msk, r);
}

#define Z_STEP(A, B)                                                                    \
    do {                                                                                \
        const __m512 b0 = _mm512_loadu_ps((B));                                         \
        const __m512 b1 = _mm512_loadu_ps((B) + 16);                                    \
        __m512 t;                                                                       \
        t = _mm512_set1_ps((A)[0]);  z00 = _mm512_fmadd_ps(t, b0, z00); z01 = _mm512_fmadd_ps(t, b1, z01); \
        t = _mm512_set1_ps((A)[1]);  z10 = _mm512_fmadd_ps(t, b0, z10); z11 = _mm512_fmadd_ps(t, b1, z11); \
        t = _mm512_set1_ps((A)[2]);  z20 = _mm512_fmadd_ps(t, b0, z20); z21 = _mm512_fmadd_ps(t, b1, z21); \
        t = _mm512_set1_ps((A)[3]);  z30 = _mm512_fmadd_ps(t, b0, z30); z31 = _mm512_fmadd_ps(t, b1, z31); \
        t = _mm512_set1_ps((A)[4]);  z40 = _mm512_fmadd_ps(t, b0, z40); z41 = _mm512_fmadd_ps(t, b1, z41); \
        t = _mm512_set1_ps((A)[5]);  z50 = _mm512_fmadd_ps(t, b0, z50); z51 = _mm512_fmadd_ps(t, b1, z51); \
        t = _mm512_set1_ps((A)[6]);  z60 = _mm512_fmadd_ps(t, b0, z60); z61 = _mm512_fmadd_ps(t, b1, z61); \
        t = _mm512_set1_ps((A)[7]);  z70 = _mm512_fmadd_ps(t, b0, z70); z71 = _mm512_fmadd_ps(t, b1, z71); \
        t = _mm512_set1_ps((A)[8]);  z80 = _mm512_fmadd_ps(t, b0, z80); z81 = _mm512_fmadd_ps(t, b1, z81); \
        t = _mm512_set1_ps((A)[9]);  z90 = _mm512_fmadd_ps(t, b0, z90); z91 = _mm512_fmadd_ps(t, b1, z91); \
        t = _mm512_set1_ps((A)[10]); za0 = _mm512_fmadd_ps(t, b0, za0); za1 = _mm512_fmadd_ps(t, b1, za1); \
        t = _mm512_set1_ps((A)[11]); zb0 = _mm512_fmadd_ps(t, b0, zb0); zb1 = _mm512_fmadd_ps(t, b1, zb1); \
    } while (0)

/* Edge variant for nr <= 16: only the left half of the 32-wide packed B panel is non-zero, so
   12 accumulators suffice (halves the cost of the last column panel, e.g. N = 100 = 3*32 + 4). */
#define H_STEP(A, B)                                                                    \
    do {                                                                                \
        const __m512 b0 = _mm512_loadu_ps((B));                                         \
        z0 = _mm512_fmadd_ps(_mm512_set1_ps((A)[0]), b0, z0);                           \
        z1 = _mm512_fmadd_ps(_mm512_set1_ps((A)[1]), b0, z1);                           \
        z2 = _mm512_fmadd_ps(_mm512_set1_ps((A)[2]), b0, z2);                           \
        z3 = _mm512_fmadd_ps(_mm512_set1_ps((A)[3]), b0, z3);                           \
        z4 = _mm512_fmadd_ps(_mm512_set1_ps((A)[4]), b0, z4);                           \
        z5 = _mm512_fmadd_ps(_mm512_set1_ps((A)[5]), b0, z5);                           \
        z6 = _mm512_fmadd_ps(_mm512_set1_ps((A)[6]), b0, z6);                           \
        z7 = _mm512_fmadd_ps(_mm512_set1_ps((A)[7]), b0, z7);                           \
        z8 = _mm512_fmadd_ps(_mm512_set1_ps((A)[8]), b0, z8);                           \
        z9 = _mm512_fmadd_ps(_mm512_set1_ps((A)[9]), b0, z9);                           \
        za = _mm512_fmadd_ps(_mm512_set1_ps((A)[10]), b0, za);                          \
        zb = _mm512_fmadd_ps(_mm512_set1_ps((A)[11]), b0, zb);                          \
    } while (0)

EMBER_AVX512 static void ukr_12x16_in_32_avx512(ptrdiff_t k, const float *a, const float *b,
                                                float *c, ptrdiff_t ldc, float alpha, float beta,
                                                ptrdiff_t mr, ptrdiff_t nr) {
    __m512 z0 = _mm512_setzero_ps(), z1 = _mm512_setzero_ps(), z2 = _mm512_setzero_ps();
    __m512 z3 = _mm512_setzero_ps(), z4 = _mm512_setzero_ps(), z5 = _mm512_setzero_ps();
    __m512 z6 = _mm512_setzero_ps(), z7 = _mm512_setzero_ps(), z8 = _mm512_setzero_ps();
    __m512 z9 = _mm512_setzero_ps(), za = _mm512_setzero_ps(), zb = _mm512_setzero_ps();
    for (ptrdiff_t i = 0; i < mr; ++i) _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);
    ptrdiff_t p = 0;
    for (; p + 2 <= k; p += 2) {
        H_STEP(a, b);
        H_STEP(a + 12, b + 32);
        a += 24;
        b += 64;
    }
    if (p < k) H_STEP(a, b);
    const int mode = beta == 0.0f ? 0 : (beta == 1.0f ? 1 : 2);
    const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
    const __mmask16 m0 = nr >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << nr) - 1u);
#define H_ROW(I, Z) if ((I) < mr) avx512_row(c + (I) * ldc, Z, m0, va, vb, mode);
    H_ROW(0, z0) H_ROW(1, z1) H_ROW(2, z2) H_ROW(3, z3) H_ROW(4, z4) H_ROW(5, z5)
    H_ROW(6, z6) H_ROW(7, z7) H_ROW(8, z8) H_ROW(9, z9) H_ROW(10, za) H_ROW(11, zb)
#undef H_ROW
}

EMBER_AVX512 void ember_sgemm_ukr_12x32_avx512(ptrdiff_t k, const float *a, const float *b,
                                               float *c, ptrdiff_t ldc, float alpha, float beta,
                                               ptrdiff_t mr, ptrdiff_t nr) {
    if (nr <= 16) {
        ukr_12x16_in_32_avx512(k, a, b, c, ldc, alpha, beta, mr, nr);
        return;
    }
    __m512 z00 = _mm512_setzero_ps(), z01 = _mm512_setzero_ps();
    __m512 z10 = _mm512_setzero_ps(), z11 = _mm512_setzero_ps();
    __m512 z20 = _mm512_setzero_ps(), z21 = _mm512_setzero_ps();
    __m512 z30 = _mm512_setzero_ps(), z31 = _mm512_setzero_ps();
    __m512 z40 = _mm512_setzero_ps(), z41 = _mm512_setzero_ps();
    __m512 z50 = _mm512_setzero_ps(), z51 = _mm512_setzero_ps();
    __m512 z60 = _mm512_setzero_ps(), z61 = _mm512_setzero_ps();
    __m512 z70 = _mm512_setzero_ps(), z71 = _mm512_setzero_ps();
    __m512 z80 = _mm512_setzero_ps(), z81 = _mm512_setzero_ps();
    __m512 z90 = _mm512_setzero_ps(), z91 = _mm512_setzero_ps();
    __m512 za0 = _mm512_setzero_ps(), za1 = _mm512_setzero_ps();
    __m512 zb0 = _mm512_setzero_ps(), zb1 = _mm512_setzero_ps();

    /* C tile: towards L2 now, into L1 shortly before the loop ends (an early L1 prefetch is
       evicted again by the streaming panels). When k is too short to hide a miss, prefetch the
       tile 12 rows further down instead: the macro-kernel's next call (harmless if not). */
    if (k >= 64) {
        for (ptrdiff_t i = 0; i < mr; ++i) {
            _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T1);
            _mm_prefetch((const char *)(c + i * ldc + 31), _MM_HINT_T1);
        }
    } else {
        const float *cn = c + 12 * ldc;
        for (ptrdiff_t i = 0; i < 12; ++i) {
            _mm_prefetch((const char *)(cn + i * ldc), _MM_HINT_T0);
            _mm_prefetch((const char *)(cn + i * ldc + 31), _MM_HINT_T0);
        }
    }

    ptrdiff_t p = 0;
    const ptrdiff_t kMain = k > 24 ? k - 24 : 0;
    for (int phase = 0; phase < 2; ++phase) {
        const ptrdiff_t end = phase == 0 ? kMain : k;
        for (; p + 4 <= end; p += 4) {
            _mm_prefetch((const char *)(a + 192), _MM_HINT_T0);
            Z_STEP(a, b);
            Z_STEP(a + 12, b + 32);
            _mm_prefetch((const char *)(a + 216), _MM_HINT_T0);
            Z_STEP(a + 24, b + 64);
            Z_STEP(a + 36, b + 96);
            a += 48;
            b += 128;
        }
        if (phase == 0 && k >= 64) {
            for (ptrdiff_t i = 0; i < mr; ++i) {
                _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);
                _mm_prefetch((const char *)(c + i * ldc + 31), _MM_HINT_T0);
            }
        }
    }
    for (; p < k; ++p) {
        Z_STEP(a, b);
        a += 12;
        b += 32;
    }

    const int mode = beta == 0.0f ? 0 : (beta == 1.0f ? 1 : 2);
    const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
    const __mmask16 m0 = nr >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << nr) - 1u);
    const __mmask16 m1 = nr >= 32 ? (__mmask16)0xFFFF
                                  : (nr <= 16 ? (__mmask16)0 : (__mmask16)((1u << (nr - 16)) - 1u));
#define Z_ROW(I, LO, HI)                                                    \
    if ((I) < mr) {                                                         \
        avx512_row(c + (I) * ldc, LO, m0, va, vb, mode);                    \
        if (m1) avx512_row(c + (I) * ldc + 16, HI, m1, va, vb, mode);       \
    }
    Z_ROW(0, z00, z01) Z_ROW(1, z10, z11) Z_ROW(2, z20, z21) Z_ROW(3, z30, z31)
    Z_ROW(4, z40, z41) Z_ROW(5, z50, z51) Z_ROW(6, z60, z61) Z_ROW(7, z70, z71)
    Z_ROW(8, z80, z81) Z_ROW(9, z90, z91) Z_ROW(10, za0, za1) Z_ROW(11, zb0, zb1)
#undef Z_ROW
}

#else /* !__x86_64__: the vector entry points forward to the reference so every symbol exists. */

void ember_sgemm_ukr_6x16_avx2(ptrdiff_t k, const float *a, const float *b, float *c, ptrdiff_t ldc,
                               float alpha, float beta, ptrdiff_t mr, ptrdiff_t nr) {
    ember_sgemm_ukr_6x16_ref(k, a, b, c, ldc, alpha, beta, mr, nr);
}

/* Never selected off x86 (ember_cpu_has_avx512f() is 0); a scalar 12 x 32 keeps the symbol honest. */
void ember_sgemm_ukr_12x32_avx512(ptrdiff_t k, const float *a, const float *b, float *c,
                                  ptrdiff_t ldc, float alpha, float beta, ptrdiff_t mr, ptrdiff_t nr) {
    for (ptrdiff_t i = 0; i < mr; ++i) {
        for (ptrdiff_t j = 0; j < nr; ++j) {
            float s = 0.0f;
            for (ptrdiff_t p = 0; p < k; ++p) s += a[p * 12 + i] * b[p * 32 + j];
            float *cij = c + i * ldc + j;
            *cij = beta == 0.0f ? alpha * s : alpha * s + beta * *cij;
        }
    }
}
#endif
