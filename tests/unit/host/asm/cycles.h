/* Host stand-in: a counter that only moves forward. */
#ifndef HOST_ASM_CYCLES_H
#define HOST_ASM_CYCLES_H

#include <types.h>

static inline u64 get_cycles(void)
{
	return __builtin_ia32_rdtsc();
}

#endif /* HOST_ASM_CYCLES_H */
