/*
 * Host tests of the round-robin policy (common/sched/rr.c) through the
 * real core on the simulated machine (tests/unit/sched_sim.h), booted
 * with sched=rr sched_rr_slice=4ms: the order and length of slices, the
 * tickless lone vCPU, wake and sleep, and affinity.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sched_sim.h"
#include "sim_machine.h"

#include <sched.h>
#include <systime.h>

#define SLICE MILLISECS(4)

/* Three spinners on one CPU: a, b, c, a, b, c..., a slice each. */
static void test_order_and_slice(void **state)
{
	struct domain *d = sim_domain("name=rr3 vcpus=3 affinity=0");
	const struct sim_switch *log;
	unsigned int n, i;

	sim_log_reset();
	sim_domain_start(d);
	sim_run_for(MILLISECS(400));
	log = sim_log(&n);
	assert_true(n >= 99);
	for (i = 0; i + 1 < n; i++) {
		assert_int_equal(log[i].cpu, 0);
		assert_int_equal(log[i + 1].at - log[i].at, SLICE);
		if (i >= 3)
			assert_ptr_equal(log[i].next, log[i - 3].next);
		else if (i)
			assert_ptr_not_equal(log[i].next, log[i - 1].next);
	}
	assert_ptr_not_equal(log[0].next, log[2].next);
	for (i = 0; i < 3; i++) {
		s_time_t ran = sim_vcpu_ran(d->vcpus[i]);

		assert_true(ran >= MILLISECS(400) / 3 - SLICE &&
			    ran <= MILLISECS(400) / 3 + SLICE);
	}
}

/* Alone, a vCPU needs no preemption: no timer armed, no switch. */
static void test_alone_is_tickless(void **state)
{
	struct domain *d = sim_domain("name=solo affinity=1");
	unsigned int n;

	sim_domain_start(d);
	sim_run_for(MILLISECS(1));
	sim_log_reset();
	sim_run_for(SECONDS(2));
	sim_log(&n);
	assert_int_equal(n, 0);
	assert_int_equal(sim_armed_deadline(1), 0);
	assert_int_equal(sim_vcpu_ran(d->vcpus[0]), SECONDS(2) + MILLISECS(1));
}

/*
 * A sleeper beside a spinner: it runs each burst whole, and once awake
 * waits at most the rest of the spinner's slice.
 */
static void test_wake_and_sleep(void **state)
{
	struct domain *hog = sim_domain("name=hog affinity=0");
	struct domain *nap = sim_domain("name=nap affinity=0");
	s_time_t start = NOW();

	sim_vcpu_set_burst(nap->vcpus[0], MILLISECS(1), MILLISECS(9));
	sim_domain_start(hog);
	sim_domain_start(nap);
	sim_run_for(SECONDS(1));
	assert_true(sim_vcpu_max_wake_latency(nap->vcpus[0]) <= SLICE);
	/* Each cycle: at most a slice of wait, 1 ms of run, 9 ms asleep. */
	assert_true(sim_vcpu_ran(nap->vcpus[0]) >= SECONDS(1) / 14);
	assert_int_equal(sim_vcpu_ran(nap->vcpus[0]) +
				 sim_vcpu_ran(hog->vcpus[0]),
			 NOW() - start);

	/* Paused, the sleeper stays off the CPU; woken, it is back. */
	sim_vcpu_set_burst(nap->vcpus[0], 0, 0);
	sim_run_for(MILLISECS(20));
	set_bit(VPF_DOWN, &nap->vcpus[0]->pause_flags);
	vcpu_sleep_nosync(nap->vcpus[0]);
	sim_run_softirqs();
	start = sim_vcpu_ran(nap->vcpus[0]);
	sim_run_for(MILLISECS(100));
	assert_int_equal(sim_vcpu_ran(nap->vcpus[0]), start);
	clear_bit(VPF_DOWN, &nap->vcpus[0]->pause_flags);
	vcpu_wake(nap->vcpus[0]);
	sim_run_for(MILLISECS(100));
	assert_true(sim_vcpu_ran(nap->vcpus[0]) - start >= MILLISECS(48));
}

/* vCPUs run only where their affinity lets them, spread by load. */
static void test_affinity(void **state)
{
	struct domain *wide = sim_domain("name=wide vcpus=3 affinity=1-2");
	struct domain *pin = sim_domain("name=pin affinity=2");
	unsigned int i, on[3] = {0, 0, 0};

	for (i = 0; i < 3; i++)
		on[wide->vcpus[i]->processor]++;
	assert_int_equal(on[0], 0);
	assert_true(on[1] >= 1 && on[2] >= 1);
	assert_int_equal(pin->vcpus[0]->processor, 2);
	sim_domain_start(wide);
	sim_domain_start(pin);
	/* context_switch() asserts each switch-in is inside the affinity. */
	sim_run_for(SECONDS(1));
	assert_int_equal(sim_running_at(0, NOW()), NULL);
	assert_true(sim_vcpu_ran(pin->vcpus[0]) >= MILLISECS(300));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_order_and_slice, sim_teardown),
		cmocka_unit_test_teardown(test_alone_is_tickless, sim_teardown),
		cmocka_unit_test_teardown(test_wake_and_sleep, sim_teardown),
		cmocka_unit_test_teardown(test_affinity, sim_teardown),
	};

	sched_sim_boot(3, "sched=rr sched_rr_slice=4ms");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
