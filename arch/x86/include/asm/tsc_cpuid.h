/*
 * The TSC's rate as CPUID states it (arch/x86/tsc_cpuid.c): leaf 15h's
 * crystal ratio, with the crystal from ECX, from the SDM's table of
 * nominal crystal frequencies where ECX is 0, or derived from leaf 16h's
 * base frequency. Pure arithmetic on recorded leaves: host-tested
 * (tests/unit/test_tsc_cpuid.c). SDM Vol. 2A, CPUID leaves 15h and 16h;
 * SDM Vol. 3B, 18.7.3 (Determining the Processor Base Frequency).
 */
#ifndef ASM_X86_TSC_CPUID_H
#define ASM_X86_TSC_CPUID_H

#include <types.h>

/* The CPUID facts the rate depends on, as read on the boot CPU. */
struct tsc_cpuid_leaves {
	bool intel; /* vendor "GenuineIntel": the leaves mean this only there */
	u32 family; /* display family (base + extended) */
	u32 model;  /* display model (extended << 4 | base) */
	u32 max_leaf; /* CPUID 0:EAX */
	u32 l15_eax;  /* denominator of the TSC/crystal ratio */
	u32 l15_ebx;  /* numerator */
	u32 l15_ecx;  /* crystal Hz, 0 if not enumerated */
	u32 l16_eax;  /* base frequency, MHz (bits 15:0) */
};

/* What the leaves give: a rate, how it was found, how far to trust it. */
struct tsc_cpuid_rate {
	u64 hz;
	u64 crystal_hz;
	const char *how; /* static text, for the boot log */
	u32 tolerance_ppm;
};

/*
 * The TSC rate the leaves state, into *out; false (and *out zeroed) when
 * they state none: not Intel, no leaf 15h, a zero ratio term, or no
 * crystal from ECX, the model table or leaf 16h. Pure; reentrant.
 */
bool tsc_cpuid_rate(const struct tsc_cpuid_leaves *in,
		    struct tsc_cpuid_rate *out);

#endif /* ASM_X86_TSC_CPUID_H */
