/*
 * Guest FPU state (asm/fpu.h): XSAVE/XRSTOR with the components enabled
 * in XCR0 when the CPU has XSAVE, FXSAVE64/FXRSTOR64 otherwise. Plain
 * XSAVE, not XSAVEOPT or XSAVES: the areas move between CPUs with their
 * vCPUs, and the standard format keeps them self-describing.
 */
#include <asm/boot.h>
#include <asm/fpu.h>
#include <asm/processor.h>
#include <compiler.h>
#include <panic.h>
#include <percpu.h>
#include <printk.h>
#include <smp.h>
#include <string.h>

#define CPUID1_ECX_XSAVE (1U << 26)
#define CPUID1_ECX_AVX	 (1U << 28)

#define FXSAVE_SIZE	 512
#define XSAVE_HDR_OFFSET 512 /* XSTATE_BV, XCOMP_BV, then reserved zeros */
#define FCW_OFFSET	 0
#define MXCSR_OFFSET	 24
#define FCW_DEFAULT	 0x37f
#define MXCSR_DEFAULT	 0x1f80

/* Decided by the boot CPU before any AP starts; read-only afterwards. */
static bool use_xsave;
static u64 xfeatures;
static unsigned int state_size = FXSAVE_SIZE;

unsigned int fpu_state_size(void)
{
	return state_size;
}

u64 fpu_xfeatures(void)
{
	return use_xsave ? xfeatures : 0;
}

void fpu_init_cpu(void)
{
	bool boot_cpu = smp_processor_id() == 0;
	struct cpuid_regs r;
	bool has_xsave;
	unsigned long cr0, cr4;

	cr0 = read_cr0();
	cr0 |= X86_CR0_MP | X86_CR0_NE;
	cr0 &= ~(X86_CR0_EM | X86_CR0_TS);
	write_cr0(cr0);

	cpuid(1, &r);
	has_xsave = r.ecx & CPUID1_ECX_XSAVE;
	cr4 = read_cr4() | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
	if (boot_cpu) {
		use_xsave = has_xsave;
		if (has_xsave)
			xfeatures = XFEATURE_X87 | XFEATURE_SSE |
				    (r.ecx & CPUID1_ECX_AVX ? XFEATURE_AVX : 0);
	} else if (use_xsave && !has_xsave) {
		panic("CPU%u lacks XSAVE, which the boot CPU has",
		      smp_processor_id());
	}
	if (use_xsave)
		cr4 |= X86_CR4_OSXSAVE;
	write_cr4(cr4);

	if (use_xsave) {
		cpuid_count(0xd, 0, &r);
		/* EDX:EAX: the components XCR0 may hold. */
		if ((xfeatures & ~(((u64)r.edx << 32) | r.eax)) != 0)
			panic("CPU%u: XSAVE cannot hold components %#llx",
			      smp_processor_id(),
			      (unsigned long long)xfeatures);
		xsetbv(0, xfeatures);
		/* EBX: the area size for what XCR0 now enables. */
		cpuid_count(0xd, 0, &r);
		if (boot_cpu)
			state_size = ROUNDUP(r.ebx, FPU_STATE_ALIGN);
		else if (r.ebx > state_size)
			panic("CPU%u needs a %u-byte XSAVE area, the boot CPU %u",
			      smp_processor_id(), r.ebx, state_size);
	}
	/* A defined state until a vCPU's is loaded. */
	u32 mxcsr = MXCSR_DEFAULT;

	__asm__ __volatile__("fninit; ldmxcsr %0" ::"m"(mxcsr) : "memory");

	if (boot_cpu)
		pr_info("FPU: %s, features x87 SSE%s, %u-byte state\n",
			use_xsave ? "XSAVE" : "FXSAVE",
			xfeatures & XFEATURE_AVX ? " AVX" : "", state_size);
}

void fpu_state_init(void *area)
{
	u8 *p = area;

	ASSERT(IS_ALIGNED((unsigned long)area, FPU_STATE_ALIGN));
	memset(area, 0, state_size);
	*(u16 *)(p + FCW_OFFSET) = FCW_DEFAULT;
	*(u32 *)(p + MXCSR_OFFSET) = MXCSR_DEFAULT;
	/* The x87 and SSE parts are as written; AVX in its initial state. */
	if (use_xsave)
		*(u64 *)(p + XSAVE_HDR_OFFSET) = XFEATURE_X87 | XFEATURE_SSE;
}

void fpu_save(void *area)
{
	ASSERT(IS_ALIGNED((unsigned long)area, FPU_STATE_ALIGN));
	if (use_xsave)
		__asm__ __volatile__("xsave64 (%0)" ::"r"(area),
				     "a"((u32)xfeatures),
				     "d"((u32)(xfeatures >> 32))
				     : "memory");
	else
		__asm__ __volatile__("fxsave64 (%0)" ::"r"(area) : "memory");
}

void fpu_restore(const void *area)
{
	ASSERT(IS_ALIGNED((unsigned long)area, FPU_STATE_ALIGN));
	if (use_xsave)
		__asm__ __volatile__("xrstor64 (%0)" ::"r"(area),
				     "a"((u32)xfeatures),
				     "d"((u32)(xfeatures >> 32))
				     : "memory");
	else
		__asm__ __volatile__("fxrstor64 (%0)" ::"r"(area) : "memory");
}
