/*
 * For suites that check a per-CPU setting on every CPU: cpus_failing()
 * runs a check on the calling CPU (interrupts off, as the others run it
 * from the call-function IPI) and then on every other online CPU, and
 * returns how many CPUs it found wrong.
 */
#ifndef TESTS_KERNEL_EVERY_CPU_H
#define TESTS_KERNEL_EVERY_CPU_H

#include <asm/system.h>
#include <atomic.h>
#include <smp.h>

typedef bool (*cpu_check_fn)(void);

static atomic_t every_cpu_bad;

/* arg: the address of the cpu_check_fn to run. */
static inline void every_cpu_run(void *arg)
{
	if (!(*(cpu_check_fn *)arg)())
		atomic_inc(&every_cpu_bad);
}

/* check() returns true for a CPU set up right. Not reentrant. */
static inline int cpus_failing(cpu_check_fn check)
{
	unsigned long flags;

	atomic_set(&every_cpu_bad, 0);
	flags = local_irq_save();
	every_cpu_run(&check);
	local_irq_restore(flags);
	smp_call_function(every_cpu_run, &check, true);
	return atomic_read(&every_cpu_bad);
}

#endif /* TESTS_KERNEL_EVERY_CPU_H */
