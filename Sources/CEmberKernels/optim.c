/* One-pass Adam/AdamW update that rounds exactly like PyTorch's CPU sequence of tensor ops
 * (see Sources/Ember/Optim/TorchArithmetic.swift):
 *   if decoupled: p = p * shrink
 *   if coupled:   g = fma(wd, p, g)
 *   m = |w1| < 0.5 ? fma(w1, g - m, m) : fma(w1 - 1, g - m, g)      (m.lerp_(g, w1))
 *   v = fma(c2 * g, g, v * b2)                                       (v.mul_(b2).addcmul_(g, g, c2))
 *   p = p + (negStep * m) / (sqrt(v) / bc2 + eps)                    (p.addcdiv_)
 */
#include "CEmberKernels.h"
#include <math.h>

static inline float lerp_torch(float s, float e, float w) {
    const float d = e - s;
    return fabsf(w) < 0.5f ? fmaf(w, d, s) : fmaf(w - 1.0f, d, e);
}

void ember_adam_torch_f32_ref(ptrdiff_t n, float *p, const float *g, float *m, float *v, float w1,
                              float b2, float c2, float negStep, float bc2, float eps, float wd,
                              float shrink, int coupled, int decoupled) {
    for (ptrdiff_t i = 0; i < n; ++i) {
        float pi = p[i], gi = g[i];
        if (decoupled) pi = pi * shrink;
        if (coupled) gi = fmaf(wd, pi, gi);
        const float mi = lerp_torch(m[i], gi, w1);
        m[i] = mi;
        const float vi = fmaf(c2 * gi, gi, v[i] * b2);
        v[i] = vi;
        const float denom = sqrtf(vi) / bc2 + eps;
        p[i] = pi + (negStep * mi) / denom;
    }
}

#if defined(__x86_64__)
#include <immintrin.h>
__attribute__((target("avx2,fma")))
void ember_adam_torch_f32_avx2(ptrdiff_t n, float *p, const float *g, float *m, float *v, float w1,
                               float b2, float c2, float negStep, float bc2, float eps, float wd,
                               float shrink, int coupled, int decoupled) {
    const __m256 vw = _mm256_set1_ps(fabsf(w1) < 0.5f ? w1 : w1 - 1.0f);
    const int low = fabsf(w1) < 0.5f;
    const __m256 vb2 = _mm256_set1_ps(b2), vc2 = _mm256_set1_ps(c2), vstep = _mm256_set1_ps(negStep);
    const __m256 vbc2 = _mm256_set1_ps(bc2), veps = _mm256_set1_ps(eps), vwd = _mm256_set1_ps(wd);
    const __m256 vshrink = _mm256_set1_ps(shrink);
    ptrdiff_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 pi = _mm256_loadu_ps(p + i), gi = _mm256_loadu_ps(g + i);
        if (decoupled) pi = _mm256_mul_ps(pi, vshrink);
        if (coupled) gi = _mm256_fmadd_ps(vwd, pi, gi);
        const __m256 mo = _mm256_loadu_ps(m + i);
        const __m256 d = _mm256_sub_ps(gi, mo);
        const __m256 mi = _mm256_fmadd_ps(vw, d, low ? mo : gi);
        _mm256_storeu_ps(m + i, mi);
        const __m256 vi = _mm256_fmadd_ps(_mm256_mul_ps(vc2, gi), gi, _mm256_mul_ps(_mm256_loadu_ps(v + i), vb2));
        _mm256_storeu_ps(v + i, vi);
        const __m256 denom = _mm256_add_ps(_mm256_div_ps(_mm256_sqrt_ps(vi), vbc2), veps);
        _mm256_storeu_ps(p + i, _mm256_add_ps(pi, _mm256_div_ps(_mm256_mul_ps(vstep, mi), denom)));
    }
    if (i < n)
        ember_adam_torch_f32_ref(n - i, p + i, g + i, m + i, v + i, w1, b2, c2, negStep, bc2, eps, wd,
                                 shrink, coupled, decoupled);
}
#else
void ember_adam_torch_f32_avx2(ptrdiff_t n, float *p, const float *g, float *m, float *v, float w1,
                               float b2, float c2, float negStep, float bc2, float eps, float wd,
                               float shrink, int coupled, int decoupled) {
    ember_adam_torch_f32_ref(n, p, g, m, v, w1, b2, c2, negStep, bc2, eps, wd, shrink, coupled, decoupled);
}
#endif
