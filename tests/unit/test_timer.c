/*
 * Host tests of common/timer.c on the simulated machine
 * (tests/unit/host/sim_machine.h): set, stop and kill semantics, each
 * callback run once inside its window, expiry order, re-arming from the
 * callback, migration, and the tickless disarm. Time is simulated: a
 * simulated second costs only its events.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sim_machine.h"

#include <percpu.h>

#include <smp.h>
#include <softirq.h>
#include <systime.h>
#include <timer.h>

#define NR_SIM_CPUS 2
#define MAX_FIRES   256

/* What each callback saw: which timer, when, on which CPU. */
struct fire {
	struct timer *timer;
	s_time_t at;
	unsigned int cpu;
};

static struct fire fires[MAX_FIRES];
static unsigned int nr_fires;
static unsigned int rearms_left; /* for rearm_fn */

static void record_fn(void *data)
{
	assert_true(nr_fires < MAX_FIRES);
	fires[nr_fires++] = (struct fire){data, NOW(), smp_processor_id()};
}

static void rearm_fn(void *data)
{
	record_fn(data);
	if (rearms_left && rearms_left--)
		set_timer(data, NOW() + MILLISECS(1));
}

static int setup(void **state)
{
	nr_fires = 0;
	return 0;
}

/* No timer is left anywhere: the device is disarmed (tickless). */
static int teardown(void **state)
{
	unsigned int cpu;

	sim_run_for(MILLISECS(1));
	for (cpu = 0; cpu < NR_SIM_CPUS; cpu++)
		assert_int_equal(sim_armed_deadline(cpu), 0);
	return 0;
}

static void test_fires_once_in_window(void **state)
{
	struct timer t;
	s_time_t at = NOW() + MILLISECS(5);

	init_timer(&t, record_fn, &t, 0);
	set_timer_range(&t, at, MICROSECS(20));
	assert_true(timer_is_active(&t));
	assert_int_equal(timer_expires(&t), at);
	sim_run_until(at - 1);
	assert_int_equal(nr_fires, 0);
	sim_run_until(at + SECONDS(1));
	assert_int_equal(nr_fires, 1);
	assert_ptr_equal(fires[0].timer, &t);
	assert_true(fires[0].at >= at && fires[0].at <= at + MICROSECS(20));
	assert_int_equal(fires[0].cpu, 0);
	assert_false(timer_is_active(&t));
	kill_timer(&t);
}

static void test_stop_and_reset(void **state)
{
	struct timer t;
	s_time_t at = NOW() + MILLISECS(2);

	init_timer(&t, record_fn, &t, 1);
	set_timer(&t, at);
	stop_timer(&t);
	assert_false(timer_is_active(&t));
	sim_run_until(at + MILLISECS(10));
	assert_int_equal(nr_fires, 0);
	/* Set again, and moved later while pending: fires once, late. */
	set_timer(&t, NOW() + MILLISECS(1));
	set_timer(&t, NOW() + MILLISECS(3));
	sim_run_for(MILLISECS(2));
	assert_int_equal(nr_fires, 0);
	sim_run_for(MILLISECS(10));
	assert_int_equal(nr_fires, 1);
	assert_int_equal(fires[0].cpu, 1);
	kill_timer(&t);
}

static void test_killed_stays_dead(void **state)
{
	struct timer t;

	init_timer(&t, record_fn, &t, 0);
	set_timer(&t, NOW() + MILLISECS(1));
	kill_timer(&t);
	assert_false(timer_is_active(&t));
	set_timer(&t, NOW() + MILLISECS(1)); /* ignored */
	assert_false(timer_is_active(&t));
	sim_run_for(MILLISECS(10));
	assert_int_equal(nr_fires, 0);
}

static void test_expiry_order(void **state)
{
	static struct timer ts[64];
	s_time_t base = NOW();
	unsigned int i;

	/* Expiries scrambled (37 is prime to 64), no slack: exact order. */
	for (i = 0; i < 64; i++) {
		init_timer(&ts[i], record_fn, &ts[i], 0);
		timer_set_slack(&ts[i], 0);
		set_timer(&ts[i], base + MICROSECS(100) * (1 + (i * 37) % 64));
	}
	sim_run_for(SECONDS(1));
	assert_int_equal(nr_fires, 64);
	for (i = 0; i < 64; i++) {
		assert_int_equal(fires[i].at, timer_expires(fires[i].timer));
		if (i)
			assert_true(fires[i].at > fires[i - 1].at);
	}
	for (i = 0; i < 64; i++)
		kill_timer(&ts[i]);
}

/* Two timers inside one slack window cost one interrupt. */
static void test_slack_coalesces(void **state)
{
	struct timer a, b;
	s_time_t at = NOW() + MILLISECS(1);
	u64 irqs = sim_interrupts(0);

	init_timer(&a, record_fn, &a, 0);
	init_timer(&b, record_fn, &b, 0);
	set_timer_range(&a, at, MICROSECS(50));
	set_timer_range(&b, at + MICROSECS(10), MICROSECS(50));
	sim_run_for(MILLISECS(5));
	assert_int_equal(nr_fires, 2);
	assert_int_equal(sim_interrupts(0) - irqs, 1);
	assert_true(fires[0].at >= at + MICROSECS(10));
	assert_true(fires[1].at <= at + MICROSECS(50));
	kill_timer(&a);
	kill_timer(&b);
}

static void test_rearm_from_callback(void **state)
{
	struct timer t;
	unsigned int i;

	init_timer(&t, rearm_fn, &t, 1);
	timer_set_slack(&t, 0);
	rearms_left = 9;
	set_timer(&t, NOW() + MILLISECS(1));
	sim_run_for(SECONDS(1));
	assert_int_equal(nr_fires, 10);
	for (i = 1; i < 10; i++)
		assert_int_equal(fires[i].at - fires[i - 1].at, MILLISECS(1));
	kill_timer(&t);
}

static void test_migrate_pending(void **state)
{
	struct timer t;

	init_timer(&t, record_fn, &t, 0);
	set_timer(&t, NOW() + MILLISECS(1));
	migrate_timer(&t, 1);
	sim_run_for(MILLISECS(5));
	assert_int_equal(nr_fires, 1);
	assert_int_equal(fires[0].cpu, 1);
	kill_timer(&t);
}

/* A deadline already past fires at the next softirq run, not never. */
static void test_past_deadline_fires_now(void **state)
{
	struct timer t;

	sim_run_for(MILLISECS(1));
	init_timer(&t, record_fn, &t, 0);
	set_timer(&t, NOW() - MICROSECS(500));
	sim_run_softirqs();
	assert_int_equal(nr_fires, 1);
	assert_int_equal(fires[0].at, NOW());
	kill_timer(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fires_once_in_window,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_and_reset, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_killed_stays_dead, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_expiry_order, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_slack_coalesces, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rearm_from_callback, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_migrate_pending, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_past_deadline_fires_now,
						setup, teardown),
	};
	unsigned int cpu;

	sim_init(NR_SIM_CPUS);
	timer_subsys_init();
	for (cpu = 1; cpu < NR_SIM_CPUS; cpu++) {
		sim_enter(cpu);
		timer_cpu_init();
	}
	sim_enter(0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
