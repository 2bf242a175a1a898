#ifndef CEMBER_KERNELS_H
#define CEMBER_KERNELS_H
/// Returns 1 when the CPU supports AVX2 and FMA (x86-64), 0 otherwise.
int ember_cpu_has_avx2_fma(void);
#endif
