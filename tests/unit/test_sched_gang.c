/*
 * Host tests of the gang policy (common/sched/gang.c) through the real
 * core on the simulated machine (tests/unit/sched_sim.h), booted with
 * sched=gang sched_gang_slot=5ms on four CPUs: slots aligned to system
 * time and taken in turn with one for the background, members running
 * together on distinct CPUs and only in their gang's slot, admission,
 * and what a blocked or waking member does.
 *
 * The simulated clock events fire exactly at their deadlines, so every
 * switch at a boundary happens at the boundary itself: the tests check
 * exact times, and a start skew of 0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "host_support.h"
#include "sched_sim.h"
#include "sim_machine.h"

#include <domain_config.h>
#include <sched.h>
#include <systime.h>

/* libc's, declared here: <string.h> on the include path is the kernel's. */
char *strstr(const char *haystack, const char *needle);

#define NR_SIM_CPUS 4
#define SLOT	    MILLISECS(5) /* sched_gang_slot= on the command line */

/* The first time at or after NOW() where slot k has k % cycle == 0. */
static s_time_t next_cycle_start(unsigned int cycle)
{
	s_time_t len = SLOT * cycle;

	return (NOW() + len - 1) / len * len;
}

/* How many of d's vCPUs run at time t (each on the CPU it is placed on). */
static unsigned int running_members(struct domain *d, s_time_t t)
{
	unsigned int i, n = 0;

	for (i = 0; i < d->nr_vcpus; i++)
		if (sim_running_at(d->vcpus[i]->processor, t) == d->vcpus[i])
			n++;
	return n;
}

/* Fails unless the vCPUs of the domains are on pairwise distinct CPUs. */
static void assert_distinct_cpus(struct domain **doms, unsigned int nr)
{
	cpumask_t used = {0};
	unsigned int i, j;

	for (i = 0; i < nr; i++)
		for (j = 0; j < doms[i]->nr_vcpus; j++) {
			unsigned int cpu = doms[i]->vcpus[j]->processor;

			if (cpumask_test_cpu(cpu, &used))
				fail_msg("%s vCPU %u shares CPU %u",
					 doms[i]->name, j, cpu);
			cpumask_set_cpu(cpu, &used);
		}
}

/*
 * Two gangs covering every CPU and a background domain of a vCPU per
 * CPU, all spinning: slot k (5 ms, aligned to system time) goes to gang
 * a, gang b, then the background, in turn; every switch is at a slot
 * boundary, and each gets exactly a third of every CPU.
 */
static void test_slots_in_turn(void **state)
{
	struct domain *a = sim_domain("name=a vcpus=4 gang");
	struct domain *b = sim_domain("name=b vcpus=4 gang");
	struct domain *bg = sim_domain("name=bg vcpus=4");
	struct domain *owner[3] = {a, b, bg};
	const struct sim_switch *log;
	s_time_t start, t;
	unsigned int n, i, cpu;

	sim_run_until(next_cycle_start(3) + SLOT / 2); /* mid-slot */
	sim_log_reset();
	start = NOW();
	sim_domain_start(a);
	sim_domain_start(b);
	sim_domain_start(bg);
	sim_run_for(60 * SLOT);
	log = sim_log(&n);
	assert_true(n >= 59 * NR_SIM_CPUS);
	for (i = 0; i < n; i++)
		if (log[i].at != start && log[i].at % SLOT)
			fail_msg("switch at %ld ns, not a slot boundary",
				 (long)log[i].at);
	/* The middle of each whole slot: every CPU runs the slot's owner. */
	for (t = start + SLOT / 2; t + SLOT / 2 <= NOW(); t += SLOT) {
		struct domain *d = owner[(t / SLOT) % 3];

		for (cpu = 0; cpu < NR_SIM_CPUS; cpu++)
			assert_true(sim_running_at(cpu, t) != NULL &&
				    sim_running_at(cpu, t)->domain == d);
	}
	/* Whole cycles from the first boundary: a third each, exactly. */
	start += SLOT / 2;
	for (i = 0; i < 4; i++) {
		s_time_t end = start + 57 * SLOT;

		assert_int_equal(sim_vcpu_ran_between(a->vcpus[i], start, end),
				 19 * SLOT);
		assert_int_equal(sim_vcpu_ran_between(b->vcpus[i], start, end),
				 19 * SLOT);
		assert_int_equal(sim_vcpu_ran_between(bg->vcpus[i], start, end),
				 19 * SLOT);
	}
}

/*
 * Gangs of 2 and 3 vCPUs beside six background vCPUs (two queued on some
 * CPUs, so their round-robin slices meet the boundaries), all spinning:
 * sampled every 37 us for 150 slots, each gang has all its members
 * running or none, and only in its own slot; the CPUs its members leave
 * free run the background. Every slot starts every member, skew 0.
 */
static void test_members_run_together(void **state)
{
	struct domain *g2 = sim_domain("name=g2 vcpus=2 gang");
	struct domain *g3 = sim_domain("name=g3 vcpus=3 gang");
	struct domain *bg = sim_domain("name=bg vcpus=6");
	s_time_t start = NOW(), t;
	unsigned int samples = 0, cpu;

	assert_distinct_cpus(&g2, 1);
	assert_distinct_cpus(&g3, 1);
	sim_domain_start(bg);
	sim_domain_start(g3);
	sim_domain_start(g2);
	sim_run_for(150 * SLOT);
	for (t = start + MICROSECS(1); t < NOW(); t += MICROSECS(37)) {
		s64 k = t / SLOT;
		unsigned int in2 = running_members(g2, t);
		unsigned int in3 = running_members(g3, t);
		struct domain *owner = k % 3 == 0 ? g2 : k % 3 == 1 ? g3 : NULL;

		/* The first slot is partial: members wait for their own. */
		if (k == start / SLOT)
			continue;
		assert_int_equal(in2, owner == g2 ? 2 : 0);
		assert_int_equal(in3, owner == g3 ? 3 : 0);
		for (cpu = 0; cpu < NR_SIM_CPUS; cpu++) {
			struct vcpu *v = sim_running_at(cpu, t);

			/* No CPU idles: the background fills in. */
			assert_non_null(v);
			if (v->domain != g2 && v->domain != g3)
				assert_ptr_equal(v->domain, bg);
		}
		samples++;
	}
	assert_true(samples > 20000);
	sim_assert_report_has(g2, "0 partial; start skew min 0 ns");
	sim_assert_report_has(g2, "max 0 ns");
	sim_assert_report_has(g3, "0 partial; start skew min 0 ns");
	sim_assert_report_has(g3, "max 0 ns");
}

/* Fails unless domain_config_parse() refuses cmdline saying text. */
static void assert_config_refused(const char *cmdline, const char *text)
{
	struct domain_config cfg;
	char err[256] = "";

	assert_int_not_equal(domain_config_parse(cmdline, 1, 1UL << 30, &cfg,
						 err, sizeof(err)),
			     0);
	if (!strstr(err, text))
		fail_msg("refusal \"%s\" lacks \"%s\"", err, text);
}

/*
 * Admission: a gang's vCPUs go to distinct CPUs, also across the
 * domains of a named gang; a gang is refused, with the kernel's reason,
 * when it has more vCPUs than CPUs free of its gang; its CPUs come back
 * when a domain of it goes. The two domains of gang s run as one.
 */
static void test_admission(void **state)
{
	char err[256] = "";
	struct domain *s[2], *solo;

	assert_null(sim_domain_try("name=big vcpus=5 gang", err, sizeof(err)));
	assert_non_null(strstr(
		err,
		"gang big: its 5 vCPUs here need distinct CPUs of the affinity, and only 4 are free of the gang"));
	/* With the affinity given, the configuration itself is refused. */
	assert_config_refused(
		"name=pair vcpus=3 affinity=0-1 gang",
		"a gang runs its 3 vCPUs at once on distinct CPUs, but the affinity allows only 2");
	s[0] = sim_domain("name=s0 vcpus=2 gang=s");
	s[1] = sim_domain("name=s1 vcpus=2 gang=s");
	assert_distinct_cpus(s, 2);
	err[0] = '\0';
	assert_null(sim_domain_try("name=s2 gang=s", err, sizeof(err)));
	assert_non_null(strstr(
		err,
		"gang s: its 1 vCPU here need distinct CPUs of the affinity, and only 0 are free of the gang"));
	/* Another gang may use the same CPUs. */
	solo = sim_domain("name=solo vcpus=4 gang");
	assert_distinct_cpus(&solo, 1);
	sim_domain_start(s[0]);
	sim_domain_start(s[1]);
	sim_domain_start(solo);
	sim_run_for(30 * SLOT);
	sim_assert_report_has(s[0], "gang s of 4 vCPUs");
	sim_assert_report_has(s[0], "0 partial");
	sim_assert_report_has(s[1], "gang s of 4 vCPUs");
	/* s1's CPUs are free of gang s again once s1 is gone. */
	sim_domain_destroy(s[1]);
	s[1] = sim_domain("name=s3 vcpus=2 gang=s");
	assert_distinct_cpus(s, 2);
}

/*
 * One gang of two on CPUs 0 and 1, each CPU with a background vCPU:
 * member 0 spins; member 1 runs 1 ms and blocks for 2 ms. In each cycle
 * of two slots from its gang's slot start c, member 1 runs [c, c+1ms),
 * wakes at c+3ms inside the gang's slot and runs at once to c+4ms,
 * wakes at c+6ms in the background's slot and waits for the gang's next
 * slot (4 ms). Member 0 runs the whole gang slot regardless, and CPU 1
 * runs the background while member 1 is blocked.
 */
static void test_blocked_and_waking_member(void **state)
{
	struct domain *g = sim_domain("name=g vcpus=2 affinity=0-1 gang");
	struct domain *bg = sim_domain("name=bg vcpus=2 affinity=0-1");
	struct vcpu *m0 = g->vcpus[0], *m1 = g->vcpus[1];
	s_time_t c0, c;

	assert_int_equal(m0->processor, 0);
	assert_int_equal(m1->processor, 1);
	assert_int_equal(bg->vcpus[1]->processor, 1);
	sim_vcpu_set_burst(m1, MILLISECS(1), MILLISECS(2));
	c0 = next_cycle_start(2);
	sim_run_until(c0);
	sim_domain_start(g);
	sim_domain_start(bg);
	sim_run_for(40 * SLOT);
	for (c = c0; c + 2 * SLOT <= NOW(); c += 2 * SLOT) {
		assert_int_equal(sim_vcpu_ran_between(m0, c, c + SLOT), SLOT);
		assert_int_equal(
			sim_vcpu_ran_between(m0, c + SLOT, c + 2 * SLOT), 0);
		assert_int_equal(sim_vcpu_ran_between(m1, c, c + MILLISECS(1)),
				 MILLISECS(1));
		assert_int_equal(sim_vcpu_ran_between(m1, c + MILLISECS(1),
						      c + MILLISECS(3)),
				 0);
		assert_int_equal(sim_vcpu_ran_between(m1, c + MILLISECS(3),
						      c + MILLISECS(4)),
				 MILLISECS(1));
		assert_int_equal(sim_vcpu_ran_between(m1, c + MILLISECS(4),
						      c + 2 * SLOT),
				 0);
		/* Blocked in its slot: the background has its CPU. */
		assert_ptr_equal(sim_running_at(1, c + MILLISECS(2)),
				 bg->vcpus[1]);
		assert_ptr_equal(sim_running_at(1, c + MILLISECS(4) + 1),
				 bg->vcpus[1]);
	}
	assert_int_equal(sim_vcpu_max_wake_latency(m1), MILLISECS(4));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_slots_in_turn, sim_teardown),
		cmocka_unit_test_teardown(test_members_run_together,
					  sim_teardown),
		cmocka_unit_test_teardown(test_admission, sim_teardown),
		cmocka_unit_test_teardown(test_blocked_and_waking_member,
					  sim_teardown),
	};

	sched_sim_boot(NR_SIM_CPUS, "sched=gang sched_gang_slot=5ms");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
