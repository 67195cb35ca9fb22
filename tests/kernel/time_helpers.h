/* Shared by the time suites (time_test.c, time_bench.c). */
#ifndef TESTS_KERNEL_TIME_HELPERS_H
#define TESTS_KERNEL_TIME_HELPERS_H

#include <asm/processor.h>
#include <asm/tsc.h>
#include <irq.h>
#include <percpu.h>
#include <systime.h>

/*
 * Waits up to timeout for the background TSC refinement, running the boot
 * CPU's clock housekeeping itself (suites run before the idle loop that
 * normally does). True once the refinement window has closed.
 */
static inline bool wait_for_refinement(s_time_t timeout)
{
	s_time_t end = NOW() + timeout;

	while (!tsc_refine_status()->done && NOW() < end) {
		unsigned long flags = local_irq_save();

		if (smp_processor_id() == 0)
			time_housekeeping();
		local_irq_restore(flags);
		cpu_relax();
	}
	return tsc_refine_status()->done;
}

#endif /* TESTS_KERNEL_TIME_HELPERS_H */
