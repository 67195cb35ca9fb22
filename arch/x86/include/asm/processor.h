/* CPU registers, CPUID, MSRs and the time-stamp counter. */
#ifndef ASM_X86_PROCESSOR_H
#define ASM_X86_PROCESSOR_H

#include <types.h>

struct cpuid_regs {
	u32 eax, ebx, ecx, edx;
};

static inline void cpuid_count(u32 leaf, u32 subleaf, struct cpuid_regs *r)
{
	__asm__ __volatile__("cpuid"
			     : "=a"(r->eax), "=b"(r->ebx), "=c"(r->ecx),
			       "=d"(r->edx)
			     : "a"(leaf), "c"(subleaf));
}

static inline void cpuid(u32 leaf, struct cpuid_regs *r)
{
	cpuid_count(leaf, 0, r);
}

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;

	__asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static inline void wrmsr(u32 msr, u64 val)
{
	__asm__ __volatile__("wrmsr" ::"c"(msr), "a"((u32)val),
			     "d"((u32)(val >> 32))
			     : "memory");
}

static inline u64 rdtsc(void)
{
	u32 lo, hi;

	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

#define DEFINE_CR_ACCESSORS(n)                                               \
	static inline unsigned long read_cr##n(void)                         \
	{                                                                    \
		unsigned long v;                                             \
		__asm__ __volatile__("mov %%cr" #n ", %0" : "=r"(v));        \
		return v;                                                    \
	}                                                                    \
	static inline void write_cr##n(unsigned long v)                      \
	{                                                                    \
		__asm__ __volatile__("mov %0, %%cr" #n ::"r"(v) : "memory"); \
	}
DEFINE_CR_ACCESSORS(0)
DEFINE_CR_ACCESSORS(2)
DEFINE_CR_ACCESSORS(3)
DEFINE_CR_ACCESSORS(4)
#undef DEFINE_CR_ACCESSORS

static inline void halt(void)
{
	__asm__ __volatile__("hlt" ::: "memory");
}

/* Enables interrupts and halts atomically: no wake-up is lost (SDM STI). */
static inline void safe_halt(void)
{
	__asm__ __volatile__("sti; hlt" ::: "memory");
}

/* Writes extended control register index (XSETBV; SDM Vol. 1, 13.3). */
static inline void xsetbv(u32 index, u64 value)
{
	__asm__ __volatile__("xsetbv" ::"c"(index), "a"((u32)value),
			     "d"((u32)(value >> 32))
			     : "memory");
}

static inline u64 xgetbv(u32 index)
{
	u32 lo, hi;

	__asm__ __volatile__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(index));
	return ((u64)hi << 32) | lo;
}

static inline void invlpg(const void *va)
{
	__asm__ __volatile__("invlpg (%0)" ::"r"(va) : "memory");
}

#define MSR_GS_BASE	   0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102

#endif /* ASM_X86_PROCESSOR_H */
