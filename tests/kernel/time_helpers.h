/* Shared by the time suites (time_test.c, time_bench.c). */
#ifndef TESTS_KERNEL_TIME_HELPERS_H
#define TESTS_KERNEL_TIME_HELPERS_H

#include <asm/processor.h>
#include <asm/tsc.h>
#include <irq.h>
#include <percpu.h>
#include <softirq.h>
#include <systime.h>

/*
 * Waits up to timeout for the background TSC refinement, running the boot
 * CPU's softirqs itself (suites run before the idle loop that normally
 * does: the refinement is a timer). True once the window has closed.
 */
static inline bool wait_for_refinement(s_time_t timeout)
{
	s_time_t end = NOW() + timeout;

	while (!tsc_refine_status()->done && NOW() < end) {
		process_pending_softirqs();
		cpu_relax();
	}
	return tsc_refine_status()->done;
}

#endif /* TESTS_KERNEL_TIME_HELPERS_H */
