/*
 * Host unit-test stand-in for arch/x86/include/asm/system.h: interrupt
 * control records the state but changes nothing. Each thread plays a CPU,
 * so each has its own interrupt flag (enabled when the thread starts), and
 * cpu_relax() yields so that a spinning thread lets the holder run even
 * when threads outnumber the host's cores.
 */
#ifndef HOST_ASM_SYSTEM_H
#define HOST_ASM_SYSTEM_H

#include <stdbool.h>

/* libc's, declared here: <sched.h> on the include path is the hypervisor's. */
int sched_yield(void);

extern _Thread_local bool host_irqs_enabled;

static inline void cpu_relax(void)
{
	sched_yield();
}

static inline void local_irq_disable(void)
{
	host_irqs_enabled = false;
}

static inline void local_irq_enable(void)
{
	host_irqs_enabled = true;
}

static inline unsigned long local_irq_save(void)
{
	unsigned long flags = host_irqs_enabled;

	host_irqs_enabled = false;
	return flags;
}

static inline void local_irq_restore(unsigned long flags)
{
	host_irqs_enabled = flags;
}

static inline bool local_irq_is_enabled(void)
{
	return host_irqs_enabled;
}

#endif /* HOST_ASM_SYSTEM_H */
