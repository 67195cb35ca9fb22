/*
 * Host unit-test stand-in for arch/x86/include/asm/barrier.h: the tests may
 * run on any host architecture, so the barriers are the compiler's fences,
 * each at least as strong as the kernel's promise (an acquire fence orders
 * loads before later loads, a release fence stores after earlier stores).
 */
#ifndef HOST_ASM_BARRIER_H
#define HOST_ASM_BARRIER_H

#define smp_mb()  __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define smp_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define smp_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)

#endif /* HOST_ASM_BARRIER_H */
