#include "CEmberKernels.h"

int ember_cpu_has_avx2_fma(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return 0;
#endif
}

int ember_cpu_has_avx512f(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    /* compiler-rt / libgcc only report avx512f when the OS also saves the zmm/opmask state. */
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx2") &&
           __builtin_cpu_supports("fma");
#else
    return 0;
#endif
}

ptrdiff_t ember_atomic_fetch_add(ptrdiff_t *counter, ptrdiff_t delta) {
    return __atomic_fetch_add(counter, delta, __ATOMIC_SEQ_CST);
}

ptrdiff_t ember_atomic_load(const ptrdiff_t *p) { return __atomic_load_n(p, __ATOMIC_SEQ_CST); }

void ember_atomic_store(ptrdiff_t *p, ptrdiff_t value) { __atomic_store_n(p, value, __ATOMIC_SEQ_CST); }

int ember_atomic_cas(ptrdiff_t *p, ptrdiff_t expected, ptrdiff_t desired) {
    return __atomic_compare_exchange_n(p, &expected, desired, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

void ember_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}
