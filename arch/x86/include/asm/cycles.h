/* get_cycles(): the TSC. Safe from any context. */
#ifndef ASM_X86_CYCLES_H
#define ASM_X86_CYCLES_H

#include <asm/processor.h>

static inline u64 get_cycles(void)
{
	return rdtsc();
}

#endif /* ASM_X86_CYCLES_H */
