/*
 * Host tests of common/softirq.c on the simulated machine
 * (tests/unit/host/sim_machine.h): raising, the lowest number first, a
 * raise during a handler, the pending mask of each CPU and the IPIs a
 * remote raise costs, and process_pending_softirqs() leaving
 * SCHEDULE_SOFTIRQ alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "expect_panic.h"
#include "sim_machine.h"

#include <asm/system.h>
#include <percpu.h>
#include <softirq.h>

#define MAX_RUNS 64

static unsigned int runs[MAX_RUNS];
static unsigned int nr_runs;
/* A softirq each handler raises (once) while it runs; -1: none. */
static int raise_from[NR_SOFTIRQS];

static void record(unsigned int nr)
{
	assert_true(nr_runs < MAX_RUNS);
	runs[nr_runs++] = nr;
	if (raise_from[nr] >= 0) {
		raise_softirq(raise_from[nr]);
		raise_from[nr] = -1;
	}
	do_softirq(); /* nested: returns at once */
}

static void timer_handler(void)
{
	record(TIMER_SOFTIRQ);
}

static void schedule_handler(void)
{
	record(SCHEDULE_SOFTIRQ);
}

static void tasklet_handler(void)
{
	record(TASKLET_SOFTIRQ);
}

static void test_handler(void)
{
	record(TEST_SOFTIRQ);
}

static int setup(void **state)
{
	unsigned int i;

	nr_runs = 0;
	for (i = 0; i < NR_SOFTIRQS; i++)
		raise_from[i] = -1;
	return 0;
}

static void test_lowest_first(void **state)
{
	raise_softirq(TEST_SOFTIRQ);
	raise_softirq(TIMER_SOFTIRQ);
	raise_softirq(TASKLET_SOFTIRQ);
	raise_softirq(TIMER_SOFTIRQ); /* twice pending is once */
	assert_true(softirq_pending());
	do_softirq();
	assert_false(softirq_pending());
	assert_int_equal(nr_runs, 3);
	assert_int_equal(runs[0], TIMER_SOFTIRQ);
	assert_int_equal(runs[1], TASKLET_SOFTIRQ);
	assert_int_equal(runs[2], TEST_SOFTIRQ);
}

/* A lower number raised by a handler runs next, before higher pending. */
static void test_raise_during_handler(void **state)
{
	u64 before = softirq_run_count(0, TASKLET_SOFTIRQ);

	raise_from[SCHEDULE_SOFTIRQ] = TIMER_SOFTIRQ;
	raise_from[TIMER_SOFTIRQ] = TIMER_SOFTIRQ; /* itself: runs again */
	raise_softirq(SCHEDULE_SOFTIRQ);
	raise_softirq(TASKLET_SOFTIRQ);
	do_softirq();
	assert_int_equal(nr_runs, 4);
	assert_int_equal(runs[0], SCHEDULE_SOFTIRQ);
	assert_int_equal(runs[1], TIMER_SOFTIRQ);
	assert_int_equal(runs[2], TIMER_SOFTIRQ);
	assert_int_equal(runs[3], TASKLET_SOFTIRQ);
	assert_int_equal(softirq_run_count(0, TASKLET_SOFTIRQ), before + 1);
}

static void test_pending_per_cpu(void **state)
{
	u64 ipis1 = sim_ipis(1), ipis2 = sim_ipis(2), ipis0 = sim_ipis(0);
	cpumask_t mask;

	cpu_raise_softirq(1, TASKLET_SOFTIRQ);
	cpu_raise_softirq(1, TASKLET_SOFTIRQ); /* already on its way */
	cpu_raise_softirq(0, TEST_SOFTIRQ);    /* self: no IPI */
	assert_int_equal(sim_ipis(1), ipis1 + 1);
	assert_int_equal(sim_ipis(0), ipis0);
	assert_true(softirq_pending());
	sim_enter(2);
	assert_false(softirq_pending());
	sim_enter(1);
	assert_true(softirq_pending());
	/* CPU 1's bit is set already: the mask raise sends only to 2. */
	sim_enter(0);
	cpumask_clear(&mask);
	cpumask_set_cpu(1, &mask);
	cpumask_set_cpu(2, &mask);
	cpumask_raise_softirq(&mask, TASKLET_SOFTIRQ);
	assert_int_equal(sim_ipis(1), ipis1 + 1);
	assert_int_equal(sim_ipis(2), ipis2 + 1);
	sim_run_softirqs();
	assert_int_equal(nr_runs, 3);
	assert_int_equal(runs[0], TEST_SOFTIRQ); /* CPU 0 first */
	assert_int_equal(runs[1], TASKLET_SOFTIRQ);
	assert_int_equal(runs[2], TASKLET_SOFTIRQ);
	assert_int_equal(softirq_run_count(1, TASKLET_SOFTIRQ),
			 softirq_run_count(2, TASKLET_SOFTIRQ));
}

static void test_process_pending_skips_schedule(void **state)
{
	raise_softirq(SCHEDULE_SOFTIRQ);
	raise_softirq(TASKLET_SOFTIRQ);
	process_pending_softirqs();
	assert_int_equal(nr_runs, 1);
	assert_int_equal(runs[0], TASKLET_SOFTIRQ);
	assert_true(softirq_pending());
	do_softirq();
	assert_int_equal(nr_runs, 2);
	assert_int_equal(runs[1], SCHEDULE_SOFTIRQ);
}

static void run_with_irqs_off(void *unused)
{
	local_irq_disable();
	do_softirq();
}

static void test_needs_irqs_enabled(void **state)
{
	raise_softirq(TASKLET_SOFTIRQ);
	expect_panic(run_with_irqs_off, NULL, "local_irq_is_enabled");
	do_softirq();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_lowest_first, setup),
		cmocka_unit_test_setup(test_raise_during_handler, setup),
		cmocka_unit_test_setup(test_pending_per_cpu, setup),
		cmocka_unit_test_setup(test_process_pending_skips_schedule,
				       setup),
		cmocka_unit_test_setup(test_needs_irqs_enabled, setup),
	};

	sim_init(3);
	open_softirq(TIMER_SOFTIRQ, timer_handler);
	open_softirq(SCHEDULE_SOFTIRQ, schedule_handler);
	open_softirq(TASKLET_SOFTIRQ, tasklet_handler);
	open_softirq(TEST_SOFTIRQ, test_handler);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
