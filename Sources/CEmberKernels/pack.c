/*
 * Panel packing for SGEMM. A block X (kc x mn, logically) is copied into ceil(mn / W) panels of
 * W columns each; panel q is stored at dst + q*W*kc, step p of it holding
 *
 *     dst[q*W*kc + p*W + j] = X[p, q*W + j]   for j < W   (0 where q*W + j >= mn),
 *
 * where X[p, j] = src[p*ld + j] ("copy" form: B, or A^T, as stored) or X[p, j] = src[j*ld + p]
 * ("transpose" form: A, or B^T, as stored). The micro-kernels read panels packed this way.
 */
#include "CEmberKernels.h"
#include <string.h>

void ember_pack_panels_ref(int transposed, ptrdiff_t kc, ptrdiff_t mn, ptrdiff_t W,
                           const float *src, ptrdiff_t ld, float *dst) {
    for (ptrdiff_t q = 0; q < mn; q += W) {
        const ptrdiff_t w = mn - q < W ? mn - q : W;
        float *panel = dst + q * kc;
        for (ptrdiff_t p = 0; p < kc; ++p) {
            float *d = panel + p * W;
            if (transposed) {
                for (ptrdiff_t j = 0; j < w; ++j) d[j] = src[(q + j) * ld + p];
            } else {
                const float *s = src + p * ld + q;
                for (ptrdiff_t j = 0; j < w; ++j) d[j] = s[j];
            }
            for (ptrdiff_t j = w; j < W; ++j) d[j] = 0.0f;
        }
    }
}

#if defined(__x86_64__)
#include <immintrin.h>
#define EMBER_AVX2 __attribute__((target("avx2,fma")))

/* Copy form, full panels of constant width: p outer so each source row is read contiguously. */
#define COPY_FULL(WIDTH)                                                                 \
    for (ptrdiff_t p = 0; p < kc; ++p) {                                                 \
        const float *s = src + p * ld;                                                   \
        float *d = dst + p * (WIDTH);                                                    \
        for (ptrdiff_t q = 0; q < full; q += (WIDTH)) memcpy(d + q * kc, s + q, sizeof(float) * (WIDTH)); \
    }

/* Transposes a 4 x 8 block (rows s0..s3, 8 consecutive floats each) into 8 groups of 4 floats,
   group t going to d + t*W. */
EMBER_AVX2 static inline void tr4x8(const float *s0, const float *s1, const float *s2,
                                    const float *s3, float *d, ptrdiff_t W) {
    const __m256 r0 = _mm256_loadu_ps(s0), r1 = _mm256_loadu_ps(s1);
    const __m256 r2 = _mm256_loadu_ps(s2), r3 = _mm256_loadu_ps(s3);
    const __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
    const __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
    const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    const __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    _mm_storeu_ps(d + 0 * W, _mm256_castps256_ps128(u0));
    _mm_storeu_ps(d + 1 * W, _mm256_castps256_ps128(u1));
    _mm_storeu_ps(d + 2 * W, _mm256_castps256_ps128(u2));
    _mm_storeu_ps(d + 3 * W, _mm256_castps256_ps128(u3));
    _mm_storeu_ps(d + 4 * W, _mm256_extractf128_ps(u0, 1));
    _mm_storeu_ps(d + 5 * W, _mm256_extractf128_ps(u1, 1));
    _mm_storeu_ps(d + 6 * W, _mm256_extractf128_ps(u2, 1));
    _mm_storeu_ps(d + 7 * W, _mm256_extractf128_ps(u3, 1));
}

EMBER_AVX2 void ember_pack_panels_avx2(int transposed, ptrdiff_t kc, ptrdiff_t mn, ptrdiff_t W,
                                       const float *src, ptrdiff_t ld, float *dst) {
    const ptrdiff_t full = mn / W * W; /* columns in full panels */
    if (!transposed) {
        switch (W) {
        case 32: COPY_FULL(32) break;
        case 16: COPY_FULL(16) break;
        case 12: COPY_FULL(12) break;
        case 6: COPY_FULL(6) break;
        default: ember_pack_panels_ref(0, kc, full, W, src, ld, dst);
        }
    } else if (W % 4 == 0 || W == 6) {
        /* The W source rows of a panel are short streams (kc floats each) that the hardware
           prefetcher barely learns, and they often come from DRAM (im2col matrices): prefetch the
           next panel's lines, a few per 4 x 8 block so the miss queue never fills up. */
        const ptrdiff_t lines = (kc * 4 + 63) / 64 + 1; /* lines per row, +1 for misalignment */
        const ptrdiff_t steps = (kc / 8) * (W / 4);     /* 4 x 8 blocks per panel */
        const ptrdiff_t perStep = steps > 0 ? (W * lines + steps - 1) / steps : 0;
        const int dense = ld * 4 <= 256; /* rows this close form one contiguous stream */
        for (ptrdiff_t q = 0; q < full; q += W) {
            float *panel = dst + q * kc;
            if (dense && q + 3 * W <= mn) {
                /* One contiguous range per panel: fetch the one two panels ahead in one go. */
                const char *from = (const char *)(src + (q + 2 * W) * ld);
                const ptrdiff_t bytes = W * ld * 4 + 64;
                for (ptrdiff_t off = 0; off < bytes; off += 64) _mm_prefetch(from + off, _MM_HINT_T0);
            }
            const int prefetch = !dense && q + 2 * W <= mn;
            ptrdiff_t pfRow = 0, pfLine = 0;
            const ptrdiff_t groups = W / 4 * 4; /* rows handled by 4 x 8 transposes */
            ptrdiff_t p = 0;
            for (; p + 8 <= kc; p += 8) {
                for (ptrdiff_t j = 0; j < groups; j += 4) {
                    const float *s = src + (q + j) * ld + p;
                    tr4x8(s, s + ld, s + 2 * ld, s + 3 * ld, panel + p * W + j, W);
                    if (prefetch) {
                        for (ptrdiff_t t = 0; t < perStep && pfRow < W; ++t) {
                            _mm_prefetch((const char *)(src + (q + W + pfRow) * ld) + pfLine * 64,
                                         _MM_HINT_T0);
                            if (++pfLine == lines) { pfLine = 0; ++pfRow; }
                        }
                    }
                }
                for (ptrdiff_t j = groups; j < W; ++j) { /* W == 6: rows 4, 5 */
                    const float *s = src + (q + j) * ld + p;
                    for (int t = 0; t < 8; ++t) panel[(p + t) * W + j] = s[t];
                }
            }
            for (; p < kc; ++p)
                for (ptrdiff_t j = 0; j < W; ++j) panel[p * W + j] = src[(q + j) * ld + p];
        }
    } else {
        ember_pack_panels_ref(1, kc, full, W, src, ld, dst);
    }
    if (full < mn) /* the zero-padded edge panel */
        ember_pack_panels_ref(transposed, kc, mn - full, W, transposed ? src + full * ld : src + full,
                              ld, dst + full * kc);
}
#else
void ember_pack_panels_avx2(int transposed, ptrdiff_t kc, ptrdiff_t mn, ptrdiff_t W,
                            const float *src, ptrdiff_t ld, float *dst) {
    ember_pack_panels_ref(transposed, kc, mn, W, src, ld, dst);
}
#endif
