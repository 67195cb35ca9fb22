/*
 * A deliberate panic on CPU 1, run only as test=selftest_panic_ap on two
 * or more CPUs: the harness (the "panic-ap" machine) checks the panic
 * report, CPU 1's message, registers and backtrace, then every other
 * CPU's from the stop NMI (CPU 0 caught in this case's wait, the others
 * in their idle loops), then the trace records, and QEMU's failure code.
 */
#include <ktest.h>
#include <panic.h>
#include <percpu.h>

#include "deferred_helpers.h"

/* CPU 1's idle loop runs this, outside interrupt context. */
static __noinline void selftest_panic_ap_trigger(void *unused)
{
	panic("selftest_panic_ap: deliberate panic on CPU %u",
	      smp_processor_id());
}

static void panic_on_cpu1_stops_every_cpu(struct ktest *t)
{
	if (num_online_cpus() < 2)
		KT_SKIP(t, "needs a second CPU");
	KT_ASSERT_EQ(t, kt_call_in_idle(1, selftest_panic_ap_trigger, NULL), 0);
	/* CPU 1's stop NMI ends this wait; its report shows it. */
	kt_idle_for(KT_WAIT_LIMIT);
	ktest_fail(t, __FILE__, __LINE__, "CPU 1 did not panic within %ld s",
		   (long)(KT_WAIT_LIMIT / NSEC_PER_SEC));
}

KTEST_SUITE_EXPLICIT(selftest_panic_ap,
		     KTEST_CASE(panic_on_cpu1_stops_every_cpu));
