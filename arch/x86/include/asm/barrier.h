/*
 * SMP memory barriers for x86-64.
 *
 * x86 memory ordering for ordinary write-back memory is total store order
 * (Intel SDM Vol. 3A, 9.2.2 "Memory Ordering in P6 and More Recent
 * Processor Families"):
 *   - loads are not reordered with other loads;
 *   - stores are not reordered with other stores;
 *   - stores are not reordered with older loads;
 *   - a load MAY pass an older store to a different location: the store
 *     waits in the CPU's store buffer while the load reads the cache;
 *   - locked instructions (and XCHG with memory) are ordered with every
 *     load and store on both sides and drain the store buffer.
 *
 * So the only reordering the hardware does is store-then-load, and:
 *   - smp_rmb() and smp_wmb() need no instruction: they only stop the
 *     compiler from moving accesses across them;
 *   - smp_mb() must forbid store-then-load reordering, which needs a
 *     locked instruction or MFENCE. A locked OR of zero into the top of
 *     the stack does it on a line this CPU already owns, and is cheaper
 *     than MFENCE on most cores. MFENCE is only needed to also order
 *     non-temporal stores or write-combining memory, which these barriers
 *     do not promise (they are for CPU-to-CPU ordering of normal memory).
 *   - every locked read-modify-write (the atomics in include/atomic.h) is
 *     already a full barrier for the hardware; the compiler is kept from
 *     moving accesses across it by the memory order the atomic states.
 */
#ifndef ASM_X86_BARRIER_H
#define ASM_X86_BARRIER_H

static inline void smp_mb(void)
{
	__asm__ __volatile__("lock orq $0, (%%rsp)" ::: "memory", "cc");
}

static inline void smp_rmb(void)
{
	__asm__ __volatile__("" ::: "memory");
}

static inline void smp_wmb(void)
{
	__asm__ __volatile__("" ::: "memory");
}

#endif /* ASM_X86_BARRIER_H */
