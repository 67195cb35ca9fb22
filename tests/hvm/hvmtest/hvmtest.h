/*
 * The test kernel's suites (one file each) and the expectations the
 * command line sets (main.c; docs/hvm-test-kernels.md lists them).
 */
#ifndef HVMTEST_H
#define HVMTEST_H

#include "ktap.h"

struct expectations {
	unsigned int vcpus;	 /* expect_vcpus=: 0 = whatever the MADT says */
	bool x2apic;		 /* expect_x2apic=1 */
	bool x2apic_madt;	 /* expect_x2apic_madt=1 */
	bool tsc_deadline;	 /* expect_tsc_deadline=1 */
	bool arat;		 /* expect_arat=1 */
	bool hypervisor;	 /* expect_hypervisor=1 */
	bool strict;		 /* strict=1: the SDM rules QEMU's TCG breaks */
	u64 max_latency_ns;	 /* max_latency=: a timer's upper bound */
	unsigned int ipi_rounds; /* ipi_rounds=: the ping-pong's round trips */
};

extern struct expectations expect;

/*
 * A rule of the SDM that bare QEMU's TCG is known not to follow
 * (docs/hvm-test-kernels.md lists them): if !ok, fails the case under
 * strict=1, else marks it skipped with the message. Returns ok.
 */
bool check_strict(struct test *t, bool ok, const char *fmt, ...) __printf(3, 4);

extern const struct test_suite cpuid_suite, apic_suite, timer_suite, tpr_suite,
	smp_suite, hlt_suite, uart_suite, ioapic_suite, rtc_suite, fwcfg_suite,
	pvclock_suite;

/* bench=1: prints the BENCH figures of bench.c instead of running the
 * suites, then ends the machine. */
__noreturn void run_bench(void);

#endif /* HVMTEST_H */
