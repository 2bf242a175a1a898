/* im2col of one channel for stride-1, dilation-1 convolutions (ConvKernels.swift / Im2Col.swift):
 * col[(a*kW + b)*ld + oh*oW + ow] = plane[(oh - padTop + a)*W + ow - padLeft + b], 0 outside. */
#include "CEmberKernels.h"
#include <string.h>

static inline void span_lo_hi(ptrdiff_t off, ptrdiff_t size, ptrdiff_t count, ptrdiff_t *lo, ptrdiff_t *hi) {
    ptrdiff_t l = off >= 0 ? 0 : -off;
    ptrdiff_t h = size - off;
    if (l > count) l = count;
    if (h > count) h = count;
    if (h < l) h = l;
    *lo = l; *hi = h;
}

#define IM2COL_BODY(COPY)                                                                          \
    for (ptrdiff_t a = 0; a < kH; ++a) {                                                           \
        for (ptrdiff_t b = 0; b < kW; ++b) {                                                       \
            float *dst = col + (a * kW + b) * ld;                                                  \
            const ptrdiff_t off = b - padLeft;                                                     \
            ptrdiff_t wLo, wHi;                                                                    \
            span_lo_hi(off, W, oW, &wLo, &wHi);                                                    \
            for (ptrdiff_t oh = 0; oh < oH; ++oh, dst += oW) {                                     \
                const ptrdiff_t ih = oh - padTop + a;                                              \
                if (ih < 0 || ih >= H || wLo >= wHi) {                                             \
                    for (ptrdiff_t i = 0; i < oW; ++i) dst[i] = 0.0f;                              \
                    continue;                                                                      \
                }                                                                                  \
                const float *src = plane + ih * W + off;                                           \
                for (ptrdiff_t i = 0; i < wLo; ++i) dst[i] = 0.0f;                                 \
                COPY                                                                               \
                for (ptrdiff_t i = wHi; i < oW; ++i) dst[i] = 0.0f;                                \
            }                                                                                      \
        }                                                                                          \
    }

void ember_im2col_s1_f32_ref(const float *plane, ptrdiff_t H, ptrdiff_t W, ptrdiff_t oH, ptrdiff_t oW,
                             ptrdiff_t kH, ptrdiff_t kW, ptrdiff_t padTop, ptrdiff_t padLeft,
                             float *col, ptrdiff_t ld) {
    IM2COL_BODY(for (ptrdiff_t i = wLo; i < wHi; ++i) dst[i] = src[i];)
}

#if defined(__x86_64__)
#include <immintrin.h>
__attribute__((target("avx2,fma")))
void ember_im2col_s1_f32_avx2(const float *plane, ptrdiff_t H, ptrdiff_t W, ptrdiff_t oH, ptrdiff_t oW,
                              ptrdiff_t kH, ptrdiff_t kW, ptrdiff_t padTop, ptrdiff_t padLeft,
                              float *col, ptrdiff_t ld) {
    IM2COL_BODY({
        ptrdiff_t i = wLo;
        for (; i + 8 <= wHi; i += 8) _mm256_storeu_ps(dst + i, _mm256_loadu_ps(src + i));
        if (i + 4 <= wHi) { _mm_storeu_ps(dst + i, _mm_loadu_ps(src + i)); i += 4; }
        for (; i < wHi; ++i) dst[i] = src[i];
    })
}
#else
void ember_im2col_s1_f32_avx2(const float *plane, ptrdiff_t H, ptrdiff_t W, ptrdiff_t oH, ptrdiff_t oW,
                              ptrdiff_t kH, ptrdiff_t kW, ptrdiff_t padTop, ptrdiff_t padLeft,
                              float *col, ptrdiff_t ld) {
    ember_im2col_s1_f32_ref(plane, H, W, oH, oW, kH, kW, padTop, padLeft, col, ld);
}
#endif
