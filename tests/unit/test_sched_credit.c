/*
 * Host tests of the credit policy (common/sched/credit.c) through the
 * real core on the simulated machine (tests/unit/sched_sim.h): shares
 * that follow weights over a long run, the boost of a waking vCPU, caps,
 * and work conservation across CPUs, stealing included.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "host_support.h"
#include "sched_sim.h"
#include "sim_machine.h"

#include <sched.h>
#include <systime.h>

/* libc's, declared here: <string.h> on the include path is the kernel's. */
char *strstr(const char *haystack, const char *needle);

#define RATELIMIT MICROSECS(500) /* sched_ratelimit_us= below */

/* sim_teardown(), and the accounting timer has stopped with the domains. */
static int teardown(void **state)
{
	sim_teardown(state);
	assert_int_equal(sim_armed_deadline(0), 0);
	return 0;
}

/* Fails unless ran is within tol of share of total. */
static void assert_share(s_time_t ran, s_time_t total, double share, double tol)
{
	double got = (double)ran / (double)total;

	if (got < share - tol || got > share + tol)
		fail_msg("share %.4f, expected %.4f +- %.4f", got, share, tol);
}

/* Weights 256/512/256 on one CPU for 10 s: 25%, 50%, 25% (+-1%). */
static void test_shares_follow_weights(void **state)
{
	struct domain *a = sim_domain("name=a weight=256 affinity=0");
	struct domain *b = sim_domain("name=b weight=512 affinity=0");
	struct domain *c = sim_domain("name=c weight=256 affinity=0");
	s_time_t start = NOW();

	sim_domain_start(a);
	sim_domain_start(b);
	sim_domain_start(c);
	sim_run_for(SECONDS(10));
	assert_share(sim_vcpu_ran(a->vcpus[0]), NOW() - start, 0.25, 0.01);
	assert_share(sim_vcpu_ran(b->vcpus[0]), NOW() - start, 0.50, 0.01);
	assert_share(sim_vcpu_ran(c->vcpus[0]), NOW() - start, 0.25, 0.01);
}

/*
 * A vCPU that wakes with credit left is boosted ahead of two spinners:
 * it runs within the rate limit of waking, where without the boost it
 * would wait behind a slice of each.
 */
static void test_boost_on_wake(void **state)
{
	struct domain *h1 = sim_domain("name=h1 affinity=0");
	struct domain *h2 = sim_domain("name=h2 affinity=0");
	struct domain *io = sim_domain("name=io affinity=0");

	sim_vcpu_set_burst(io->vcpus[0], MICROSECS(200), MILLISECS(5));
	sim_domain_start(h1);
	sim_domain_start(h2);
	sim_domain_start(io);
	sim_run_for(SECONDS(2));
	assert_true(sim_vcpu_max_wake_latency(io->vcpus[0]) <= RATELIMIT);
	/* It got every burst: 200 us in each 5.2-6.2 ms. */
	assert_true(sim_vcpu_ran(io->vcpus[0]) >= SECONDS(2) / 31);
}

/* cap=25 alone on a CPU: a quarter of it, and the CPU idles the rest. */
static void test_cap(void **state)
{
	struct domain *d = sim_domain("name=capped cap=25 affinity=1");
	s_time_t start;

	sim_domain_start(d);
	sim_run_for(MILLISECS(90));
	start = NOW();
	sim_run_for(SECONDS(3));
	assert_share(sim_vcpu_ran_between(d->vcpus[0], start, NOW()),
		     NOW() - start, 0.25, 0.01);
}

/*
 * Three spinners on two CPUs keep both busy. Credit is shared per CPU
 * (the file's header): the two placed together get a quarter each.
 */
static void test_work_conserving(void **state)
{
	struct domain *d = sim_domain("name=three vcpus=3");
	s_time_t start = NOW(), sum = 0;
	unsigned int i;

	sim_domain_start(d);
	sim_run_for(SECONDS(3));
	for (i = 0; i < 3; i++) {
		sum += sim_vcpu_ran(d->vcpus[i]);
		assert_true(sim_vcpu_ran(d->vcpus[i]) >=
			    (NOW() - start) / 2 - MILLISECS(30));
	}
	assert_share(sum, 2 * (NOW() - start), 1.0, 0.001);
}

/*
 * A storm of wake-ups (80 us of work, then a 20 us sleep) beside spinners
 * of weights 1:2:4 on one CPU: the storm, of weight 1, gets 1/8 of the
 * CPU, and the spinners their weights' shares of the rest; none starves.
 */

/*
 * A storm of wake-ups (80 us of work, then a 20 us sleep) beside spinners
 * of weights 1:2:4 on one CPU, all four with full savings from sleeping
 * first (as the guests do before their start=): the storm, of weight 1,
 * gets 1/8 of the CPU and the spinners their weights' shares. Measured
 * 13.8/13.1/26.4/46.7%: the heaviest gives up 3 points to the sleeps'
 * preemptions, hence 4 points of slack; before the fix to a preempted
 * turn and to the accounting, w1 and w2 got nothing.
 */
static void test_wake_storm_keeps_shares(void **state)
{
	struct domain *d[4] = {
		sim_domain("name=storm weight=256 affinity=0"),
		sim_domain("name=w1 weight=256 affinity=0"),
		sim_domain("name=w2 weight=512 affinity=0"),
		sim_domain("name=w4 weight=1024 affinity=0"),
	};
	static const double share[4] = {0.125, 0.125, 0.25, 0.5};
	s_time_t start;
	unsigned int i;

	for (i = 0; i < 4; i++) {
		sim_vcpu_set_burst(d[i]->vcpus[0], MICROSECS(100),
				   MILLISECS(50));
		sim_domain_start(d[i]);
	}
	sim_run_for(MILLISECS(500));
	sim_vcpu_set_burst(d[0]->vcpus[0], MICROSECS(80), MICROSECS(20));
	for (i = 1; i < 4; i++)
		sim_vcpu_set_burst(d[i]->vcpus[0], 0, 0);
	sim_run_for(MILLISECS(300));
	start = NOW();
	sim_run_for(SECONDS(3));
	for (i = 0; i < 4; i++)
		assert_share(sim_vcpu_ran_between(d[i]->vcpus[0], start, NOW()),
			     NOW() - start, share[i], 0.04);
}

/*
 * Stealing: x is pinned to CPU 0, the sleeper s to CPU 1 (1 ms of every
 * 2 ms), and z, free to run on either, is placed on CPU 0 beside x.
 * Without stealing CPU 1 would idle half the time while x and z split
 * CPU 0; CPU 1 takes z from CPU 0's queue when s sleeps, so both CPUs
 * stay busy.
 */
static void test_idle_cpu_steals(void **state)
{
	struct domain *x = sim_domain("name=x affinity=0");
	struct domain *s = sim_domain("name=s affinity=1");
	struct domain *z = sim_domain("name=z affinity=0-1");
	s_time_t start = NOW(), total;

	assert_int_equal(z->vcpus[0]->processor, 0);
	sim_vcpu_set_burst(s->vcpus[0], MILLISECS(1), MILLISECS(1));
	sim_domain_start(x);
	sim_domain_start(s);
	sim_domain_start(z);
	sim_run_for(SECONDS(3));
	total = sim_vcpu_ran(x->vcpus[0]) + sim_vcpu_ran(s->vcpus[0]) +
		sim_vcpu_ran(z->vcpus[0]);
	/* Both CPUs are busy all the time; without stealing, 1.5 CPUs. */
	assert_share(total, 2 * (NOW() - start), 1.0, 0.01);
	sim_assert_report_has(z, "migrations by stealing");
	assert_false(strstr(host_printk_output(), " 0 migrations by stealing"));
}

/*
 * A vCPU preempted on a busy CPU moves to an idle one at once: m (9 ms
 * of every 10, free to run anywhere) starts on CPU 0 beside the pinned
 * spinner x while CPU 1 idles. Waking boosted, m preempts x; when x's
 * turn comes m waits in CPU 0's queue, and CPU 1 must come for it then,
 * not at some later accounting period (the matrix once saw m wait 803 ms
 * of 3 s and never move, in sched-credit-migrate).
 */
static void test_preempted_vcpu_moves_to_idle_cpu(void **state)
{
	struct domain *x = sim_domain("name=x affinity=0");
	struct domain *hold = sim_domain("name=hold affinity=1");
	struct domain *m = sim_domain("name=m affinity=0-1");
	s_time_t start;

	assert_int_equal(m->vcpus[0]->processor, 0);
	sim_domain_destroy(hold);
	sim_vcpu_set_burst(m->vcpus[0], MILLISECS(9), MILLISECS(1));
	sim_domain_start(x);
	sim_domain_start(m);
	start = NOW();
	/* Its boost (1 ms) ends at the first wake-up, 10 ms in: m then waits. */
	sim_run_for(MILLISECS(15));
	assert_ptr_equal(sim_running_at(1, NOW() - 1), m->vcpus[0]);
	sim_run_for(SECONDS(3) - MILLISECS(15));
	/* Alone on CPU 1, m runs 90% of the time, x all of CPU 0. */
	assert_share(sim_vcpu_ran(m->vcpus[0]), NOW() - start, 0.90, 0.03);
	assert_share(sim_vcpu_ran(x->vcpus[0]), NOW() - start, 1.00, 0.03);
	sim_assert_report_has(m, "migrations by stealing");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_shares_follow_weights, teardown),
		cmocka_unit_test_teardown(test_boost_on_wake, teardown),
		cmocka_unit_test_teardown(test_cap, teardown),
		cmocka_unit_test_teardown(test_work_conserving, teardown),
		cmocka_unit_test_teardown(test_wake_storm_keeps_shares,
					  teardown),
		cmocka_unit_test_teardown(test_idle_cpu_steals, teardown),
		cmocka_unit_test_teardown(test_preempted_vcpu_moves_to_idle_cpu,
					  teardown),
	};

	sched_sim_boot(2, "sched=credit sched_ratelimit_us=500");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
