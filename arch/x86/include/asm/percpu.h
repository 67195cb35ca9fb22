/*
 * x86-64 per-CPU access: GS base points at the CPU's copy of the per-CPU
 * template, whose first word holds that copy's offset from the template
 * (arch/x86/percpu.c), so one GS-relative load yields it.
 */
#ifndef ASM_X86_PERCPU_H
#define ASM_X86_PERCPU_H

static inline unsigned long arch_this_cpu_offset(void)
{
	unsigned long off;

	__asm__("mov %%gs:0, %0" : "=r"(off));
	return off;
}

#endif /* ASM_X86_PERCPU_H */
