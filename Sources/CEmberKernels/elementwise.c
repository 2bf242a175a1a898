/*
 * Fused elementwise helpers. FP contraction is off so that every operation is rounded on its own,
 * in the order of the formulas in CEmberKernels.h (matching PyTorch's CPU kernels).
 */
#include "CEmberKernels.h"
#include <math.h>

#pragma STDC FP_CONTRACT OFF
#if defined(__clang__)
#pragma clang fp contract(off)
#endif

/* PyTorch's lerp: w < 0.5 ? a + w*(b-a) : b - (b-a)*(1-w). */
static inline float lerp_ref(float a, float b, float w) {
    const float d = b - a;
    return w < 0.5f ? a + w * d : b - d * (1.0f - w);
}

void ember_adam_f32_ref(ptrdiff_t n, float *p, const float *g, float *m, float *v, float beta1,
                        float beta2, float stepSize, float sqrtBiasCorrection2, float eps,
                        float weightDecay, float paramScale) {
    const float w1 = 1.0f - beta1, w2 = 1.0f - beta2;
    for (ptrdiff_t i = 0; i < n; ++i) {
        float pi = p[i];
        if (paramScale != 1.0f) pi = pi * paramScale;
        float gi = g[i];
        if (weightDecay != 0.0f) gi = gi + weightDecay * pi;
        const float mi = lerp_ref(m[i], gi, w1);
        const float vi = v[i] * beta2 + (w2 * gi) * gi;
        const float denom = sqrtf(vi) / sqrtBiasCorrection2 + eps;
        m[i] = mi;
        v[i] = vi;
        p[i] = pi - (stepSize * mi) / denom;
    }
}

#if defined(__x86_64__)
#include <immintrin.h>
#define EMBER_AVX2 __attribute__((target("avx2,fma")))

EMBER_AVX2 void ember_adam_f32_avx2(ptrdiff_t n, float *p, const float *g, float *m, float *v,
                                    float beta1, float beta2, float stepSize,
                                    float sqrtBiasCorrection2, float eps, float weightDecay,
                                    float paramScale) {
    const float w1 = 1.0f - beta1;
    const __m256 vw1 = _mm256_set1_ps(w1), vomw1 = _mm256_set1_ps(1.0f - w1);
    const __m256 vb2 = _mm256_set1_ps(beta2), vw2 = _mm256_set1_ps(1.0f - beta2);
    const __m256 vstep = _mm256_set1_ps(stepSize), vbc2 = _mm256_set1_ps(sqrtBiasCorrection2);
    const __m256 veps = _mm256_set1_ps(eps), vwd = _mm256_set1_ps(weightDecay);
    const __m256 vscale = _mm256_set1_ps(paramScale);
    const int scale = paramScale != 1.0f, decay = weightDecay != 0.0f, low = w1 < 0.5f;
    ptrdiff_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 pi = _mm256_loadu_ps(p + i);
        if (scale) pi = _mm256_mul_ps(pi, vscale);
        __m256 gi = _mm256_loadu_ps(g + i);
        if (decay) gi = _mm256_add_ps(gi, _mm256_mul_ps(vwd, pi));
        const __m256 mo = _mm256_loadu_ps(m + i);
        const __m256 d = _mm256_sub_ps(gi, mo);
        const __m256 mi = low ? _mm256_add_ps(mo, _mm256_mul_ps(vw1, d))
                              : _mm256_sub_ps(gi, _mm256_mul_ps(d, vomw1));
        const __m256 vi = _mm256_add_ps(_mm256_mul_ps(_mm256_loadu_ps(v + i), vb2),
                                        _mm256_mul_ps(_mm256_mul_ps(vw2, gi), gi));
        const __m256 denom = _mm256_add_ps(_mm256_div_ps(_mm256_sqrt_ps(vi), vbc2), veps);
        _mm256_storeu_ps(m + i, mi);
        _mm256_storeu_ps(v + i, vi);
        _mm256_storeu_ps(p + i, _mm256_sub_ps(pi, _mm256_div_ps(_mm256_mul_ps(vstep, mi), denom)));
    }
    if (i < n)
        ember_adam_f32_ref(n - i, p + i, g + i, m + i, v + i, beta1, beta2, stepSize,
                           sqrtBiasCorrection2, eps, weightDecay, paramScale);
}
#else
void ember_adam_f32_avx2(ptrdiff_t n, float *p, const float *g, float *m, float *v, float beta1,
                         float beta2, float stepSize, float sqrtBiasCorrection2, float eps,
                         float weightDecay, float paramScale) {
    ember_adam_f32_ref(n, p, g, m, v, beta1, beta2, stepSize, sqrtBiasCorrection2, eps, weightDecay,
                       paramScale);
}
#endif

/* ------------------------------------------------------------------ exp / sigmoid / tanh --- */
/*
 * exp: Cephes expf. x = n*ln2 + r with |r| <= ln2/2 (ln2 split in two constants so n*ln2 is
 * exact), e^r by a degree-7 polynomial, then multiplied by 2^n as two factors 2^(n/2) and
 * 2^(n - n/2) so results near the overflow (n = 128) and in the denormal range stay correct.
 * Max relative error about 2 ulp on [-87, 88]; exp(x) = +inf above 88.7228, 0 below -103.97,
 * NaN stays NaN.
 * sigmoid(x) = 1 / (1 + exp(-x)); tanh: odd polynomial (Cephes tanhf) for |x| < 0.625,
 * else sign(x) * (1 - 2 / (exp(2|x|) + 1)).
 */

void ember_exp_f32_ref(ptrdiff_t n, const float *x, float *y) {
    for (ptrdiff_t i = 0; i < n; ++i) y[i] = expf(x[i]);
}

void ember_sigmoid_f32_ref(ptrdiff_t n, const float *x, float *y) {
    for (ptrdiff_t i = 0; i < n; ++i) y[i] = 1.0f / (1.0f + expf(-x[i]));
}

void ember_tanh_f32_ref(ptrdiff_t n, const float *x, float *y) {
    for (ptrdiff_t i = 0; i < n; ++i) y[i] = tanhf(x[i]);
}

#if defined(__x86_64__)

EMBER_AVX2 static inline __m256 exp256(__m256 x) {
    const __m256 hi = _mm256_set1_ps(88.72283935546875f), lo = _mm256_set1_ps(-103.972084f);
    const __m256 overflow = _mm256_cmp_ps(x, hi, _CMP_GT_OQ);
    const __m256 nan = _mm256_cmp_ps(x, x, _CMP_UNORD_Q);
    const __m256 x0 = x;
    x = _mm256_min_ps(_mm256_max_ps(x, lo), hi);
    __m256 fx = _mm256_floor_ps(_mm256_fmadd_ps(x, _mm256_set1_ps(1.44269504088896341f),
                                                _mm256_set1_ps(0.5f)));
    __m256 r = _mm256_fnmadd_ps(fx, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(fx, _mm256_set1_ps(-2.12194440e-4f), r);
    const __m256 z = _mm256_mul_ps(r, r);
    __m256 p = _mm256_set1_ps(1.9875691500E-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507E-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073E-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894E-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459E-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201E-1f));
    p = _mm256_fmadd_ps(p, z, _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    const __m256i n = _mm256_cvtps_epi32(fx);
    const __m256i n1 = _mm256_srai_epi32(n, 1), n2 = _mm256_sub_epi32(n, n1);
    const __m256i bias = _mm256_set1_epi32(127);
    const __m256 s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n1, bias), 23));
    const __m256 s2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n2, bias), 23));
    p = _mm256_mul_ps(_mm256_mul_ps(p, s1), s2);
    p = _mm256_blendv_ps(p, _mm256_set1_ps(__builtin_inff()), overflow);
    return _mm256_blendv_ps(p, x0, nan); /* NaN in, NaN out */
}

EMBER_AVX2 static inline __m256 sigmoid256(__m256 x) {
    const __m256 one = _mm256_set1_ps(1.0f);
    const __m256 e = exp256(_mm256_sub_ps(_mm256_setzero_ps(), x));
    return _mm256_div_ps(one, _mm256_add_ps(one, e));
}

EMBER_AVX2 static inline __m256 tanh256(__m256 x) {
    const __m256 signMask = _mm256_set1_ps(-0.0f);
    const __m256 ax = _mm256_andnot_ps(signMask, x);
    /* Large |x|: 1 - 2 / (e^{2|x|} + 1) with the sign of x. */
    const __m256 one = _mm256_set1_ps(1.0f), two = _mm256_set1_ps(2.0f);
    const __m256 e = exp256(_mm256_mul_ps(two, ax));
    __m256 big = _mm256_sub_ps(one, _mm256_div_ps(two, _mm256_add_ps(e, one)));
    big = _mm256_or_ps(big, _mm256_and_ps(x, signMask));
    /* Small |x|: x + x^3 P(x^2). */
    const __m256 z = _mm256_mul_ps(x, x);
    __m256 p = _mm256_set1_ps(-5.70498872745E-3f);
    p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(2.06390887954E-2f));
    p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(-5.37397155531E-2f));
    p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(1.33314422036E-1f));
    p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(-3.33332819422E-1f));
    const __m256 small = _mm256_fmadd_ps(_mm256_mul_ps(p, z), x, x);
    return _mm256_blendv_ps(big, small, _mm256_cmp_ps(ax, _mm256_set1_ps(0.625f), _CMP_LT_OQ));
}

/* Applies F to n floats; the tail goes through a zero-padded 8-float buffer (same arithmetic). */
#define UNARY_AVX2(NAME, F)                                                              \
    EMBER_AVX2 void NAME(ptrdiff_t n, const float *x, float *y) {                        \
        ptrdiff_t i = 0;                                                                 \
        for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, F(_mm256_loadu_ps(x + i)));   \
        if (i < n) {                                                                     \
            float t[8] = {0};                                                            \
            for (ptrdiff_t j = 0; j < n - i; ++j) t[j] = x[i + j];                       \
            _mm256_storeu_ps(t, F(_mm256_loadu_ps(t)));                                  \
            for (ptrdiff_t j = 0; j < n - i; ++j) y[i + j] = t[j];                       \
        }                                                                                \
    }

UNARY_AVX2(ember_exp_f32_avx2, exp256)
UNARY_AVX2(ember_sigmoid_f32_avx2, sigmoid256)
UNARY_AVX2(ember_tanh_f32_avx2, tanh256)

#else
void ember_exp_f32_avx2(ptrdiff_t n, const float *x, float *y) { ember_exp_f32_ref(n, x, y); }
void ember_sigmoid_f32_avx2(ptrdiff_t n, const float *x, float *y) { ember_sigmoid_f32_ref(n, x, y); }
void ember_tanh_f32_avx2(ptrdiff_t n, const float *x, float *y) { ember_tanh_f32_ref(n, x, y); }
#endif
