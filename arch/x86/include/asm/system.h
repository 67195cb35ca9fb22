/* Interrupt-flag control and CPU pause for x86-64. */
#ifndef ASM_X86_SYSTEM_H
#define ASM_X86_SYSTEM_H

#include <types.h>

#define X86_EFLAGS_IF (1UL << 9) /* SDM Vol. 1, 3.4.3.3: interrupt enable */

static inline void cpu_relax(void)
{
	__asm__ __volatile__("pause" ::: "memory");
}

static inline void local_irq_disable(void)
{
	__asm__ __volatile__("cli" ::: "memory");
}

static inline void local_irq_enable(void)
{
	__asm__ __volatile__("sti" ::: "memory");
}

static inline unsigned long local_save_flags(void)
{
	unsigned long flags;

	__asm__ __volatile__("pushfq; popq %0" : "=r"(flags)::"memory");
	return flags;
}

/* Disables interrupts; returns the flags to hand to local_irq_restore(). */
static inline unsigned long local_irq_save(void)
{
	unsigned long flags = local_save_flags();

	local_irq_disable();
	return flags;
}

static inline void local_irq_restore(unsigned long flags)
{
	if (flags & X86_EFLAGS_IF)
		local_irq_enable();
}

static inline bool local_irq_is_enabled(void)
{
	return local_save_flags() & X86_EFLAGS_IF;
}

#endif /* ASM_X86_SYSTEM_H */
