/*
 * Host tests of the EDF policy (common/sched/edf.c) through the real
 * core on the simulated machine (tests/unit/sched_sim.h): admission
 * control, budgets enforced period by period, deadline order, and the
 * background in what reservations leave.
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

/* Up to 100% of a CPU is admitted, not a reservation more. */
static void test_admission(void **state)
{
	char err[256] = "";
	struct domain *a =
		sim_domain("name=a period=10ms budget=6ms affinity=0");

	assert_null(sim_domain_try("name=b period=10ms budget=5ms affinity=0",
				   err, sizeof(err)));
	assert_non_null(strstr(err, "EDF admission: vCPU 0"));
	assert_non_null(strstr(err, "50.0% of a CPU"));
	assert_non_null(strstr(err, "exceed 100%"));
	sim_domain("name=c period=10ms budget=4ms affinity=0"); /* 100% */
	/* Two vCPUs of 60%: one on each CPU, first fit. */
	assert_null(sim_domain_try("name=d period=10ms budget=6ms vcpus=2", err,
				   sizeof(err)));
	assert_non_null(strstr(err, "vCPU 1"));
	/* Freeing a's 60% makes room. */
	sim_domain_destroy(a);
	sim_domain("name=e period=20ms budget=12ms affinity=0");
	a = sim_domain("name=f period=10ms budget=6ms vcpus=1");
	assert_int_equal(a->vcpus[0]->processor, 1);
}

/*
 * A spinning reservation of 3 ms every 10 ms beside a spinning
 * background: in every period exactly its budget, never more.
 */
static void test_budget_enforced(void **state)
{
	struct domain *rt =
		sim_domain("name=rt period=10ms budget=3ms affinity=0");
	struct domain *bg = sim_domain("name=bg affinity=0");
	s_time_t phase = NOW(), t;

	sim_domain_start(rt);
	sim_domain_start(bg);
	sim_run_for(SECONDS(1));
	for (t = phase; t + MILLISECS(10) <= NOW(); t += MILLISECS(10))
		assert_int_equal(sim_vcpu_ran_between(rt->vcpus[0], t,
						      t + MILLISECS(10)),
				 MILLISECS(3));
	assert_true(sim_vcpu_ran(bg->vcpus[0]) >= MILLISECS(690));
	sim_assert_report_has(rt, "0 deadline misses");
}

/*
 * 40% + 30% + 25% with periods 5, 10 and 20 ms: no fixed-priority order
 * meets every deadline at 95%, EDF does. The shortest deadline goes
 * first.
 */
static void test_deadline_order(void **state)
{
	struct domain *slow =
		sim_domain("name=slow period=20ms budget=5ms affinity=0");
	struct domain *mid =
		sim_domain("name=mid period=10ms budget=3ms affinity=0");
	struct domain *fast =
		sim_domain("name=fast period=5ms budget=2ms affinity=0");
	const struct sim_switch *log;
	s_time_t phase = NOW(), t;
	unsigned int n;

	sim_log_reset();
	sim_domain_start(slow);
	sim_domain_start(mid);
	sim_domain_start(fast);
	sim_run_for(SECONDS(2));
	log = sim_log(&n);
	assert_true(n > 4);
	assert_ptr_equal(log[0].next, fast->vcpus[0]);
	assert_ptr_equal(log[1].next, mid->vcpus[0]);
	/* At 5 ms mid's budget is spent and fast's next job is due. */
	assert_ptr_equal(log[2].next, fast->vcpus[0]);
	assert_int_equal(log[2].at - log[0].at, MILLISECS(5));
	assert_ptr_equal(log[3].next, slow->vcpus[0]);
	for (t = phase; t + MILLISECS(20) <= NOW(); t += MILLISECS(20)) {
		assert_int_equal(sim_vcpu_ran_between(slow->vcpus[0], t,
						      t + MILLISECS(20)),
				 MILLISECS(5));
		assert_int_equal(sim_vcpu_ran_between(mid->vcpus[0], t,
						      t + MILLISECS(20)),
				 MILLISECS(6));
		assert_int_equal(sim_vcpu_ran_between(fast->vcpus[0], t,
						      t + MILLISECS(20)),
				 MILLISECS(8));
	}
	sim_assert_report_has(slow, "0 deadline misses");
	sim_assert_report_has(mid, "0 deadline misses");
	sim_assert_report_has(fast, "0 deadline misses");
}

/* A sleeper cannot save budget up: never more than its rate. */
static void test_sleeper_keeps_its_rate(void **state)
{
	struct domain *rt =
		sim_domain("name=nap period=10ms budget=2ms affinity=1");
	struct domain *bg = sim_domain("name=bg2 affinity=1");

	sim_vcpu_set_burst(rt->vcpus[0], MILLISECS(1), MILLISECS(3));
	sim_domain_start(rt);
	sim_domain_start(bg);
	sim_run_for(SECONDS(1));
	assert_true(sim_vcpu_ran(rt->vcpus[0]) <=
		    MILLISECS(200) + 2 * MILLISECS(2));
	assert_true(sim_vcpu_ran(rt->vcpus[0]) >= MILLISECS(150));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_admission, sim_teardown),
		cmocka_unit_test_teardown(test_budget_enforced, sim_teardown),
		cmocka_unit_test_teardown(test_deadline_order, sim_teardown),
		cmocka_unit_test_teardown(test_sleeper_keeps_its_rate,
					  sim_teardown),
	};

	sched_sim_boot(2, "sched=edf");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
