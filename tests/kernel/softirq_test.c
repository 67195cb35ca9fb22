/*
 * Softirqs: a raised number runs once on the CPU it was raised on (or sent
 * to), from do_softirq() or the idle loop, never inside an interrupt
 * handler, never re-entered; lower numbers run first; a remote raise sends
 * an IPI only when it newly set the bit; process_pending_softirqs() runs
 * what is pending but SCHEDULE_SOFTIRQ, which do_softirq() then runs.
 *
 * The suite owns TEST_SOFTIRQ; its handler counts runs per CPU, indexed by
 * the CPU it finds itself on, so a run on the wrong CPU shows as a count
 * where none was expected.
 */
#include <asm/apic.h>
#include <atomic.h>
#include <cpumask.h>
#include <domain.h>
#include <irq.h>
#include <ktest.h>
#include <percpu.h>
#include <printk.h>
#include <smp.h>
#include <softirq.h>
#include <systime.h>
#include <tasklet.h>
#include <timer.h>

#include "deferred_helpers.h"

/* A run that should not happen has had this long to show up. */
#define SETTLE MILLISECS(20)

static atomic_t runs[NR_CPUS];	/* TEST_SOFTIRQ runs, by the CPU they ran on */
static atomic_t ran_in_irq;	/* ... with in_irq() true */
static atomic_t ran_irqs_off;	/* ... with interrupts disabled */
static atomic_t depth[NR_CPUS]; /* handlers running on each CPU */
static atomic_t reentered;	/* a handler found another one running */
static atomic_t order_seq;	/* ticket for the order log */
static int test_order = -1;	/* ticket the TEST handler took */
static bool nest_once; /* the handler raises itself, calls do_softirq() */

static void test_softirq_action(void)
{
	unsigned int cpu = smp_processor_id();

	if (atomic_inc_return(&depth[cpu]) != 1)
		atomic_inc(&reentered);
	if (in_irq())
		atomic_inc(&ran_in_irq);
	if (!local_irq_is_enabled())
		atomic_inc(&ran_irqs_off);
	atomic_inc(&runs[cpu]);
	WRITE_ONCE(test_order, atomic_inc_return(&order_seq));
	if (cpu == 0 && READ_ONCE(nest_once)) {
		WRITE_ONCE(nest_once, false);
		raise_softirq(TEST_SOFTIRQ);
		/* Nested: must return at once, leaving the bit for later. */
		do_softirq();
	}
	atomic_dec(&depth[cpu]);
}

/* open_softirq() takes a number once for the whole boot. */
static void ensure_test_softirq(void)
{
	static bool opened;

	if (!opened) {
		open_softirq(TEST_SOFTIRQ, test_softirq_action);
		opened = true;
	}
}

static void snapshot_runs(int *out)
{
	unsigned int cpu;

	for_each_online_cpu (cpu)
		out[cpu] = atomic_read(&runs[cpu]);
}

static int before[NR_CPUS];

static void raise_on_self_runs_on_do_softirq(struct ktest *t)
{
	u64 counted;

	ensure_test_softirq();
	snapshot_runs(before);
	counted = softirq_run_count(0, TEST_SOFTIRQ);
	raise_softirq(TEST_SOFTIRQ);
	KT_EXPECT_TRUE(t, softirq_pending());
	/* Nothing on this CPU runs softirqs behind the suite's back. */
	mdelay(2);
	KT_EXPECT_EQ(t, atomic_read(&runs[0]), before[0]);
	do_softirq();
	KT_EXPECT_EQ(t, atomic_read(&runs[0]), before[0] + 1);
	KT_EXPECT_EQ(t, softirq_run_count(0, TEST_SOFTIRQ), counted + 1);
	/* A raise through the remote call on oneself works the same. */
	cpu_raise_softirq(0, TEST_SOFTIRQ);
	do_softirq();
	KT_EXPECT_EQ(t, atomic_read(&runs[0]), before[0] + 2);
	KT_EXPECT_EQ(t, atomic_read(&reentered), 0);
}

static void raised_twice_runs_once(struct ktest *t)
{
	ensure_test_softirq();
	snapshot_runs(before);
	raise_softirq(TEST_SOFTIRQ);
	raise_softirq(TEST_SOFTIRQ);
	cpu_raise_softirq(0, TEST_SOFTIRQ);
	do_softirq();
	KT_EXPECT_EQ(t, atomic_read(&runs[0]), before[0] + 1);
	do_softirq();
	KT_EXPECT_EQ(t, atomic_read(&runs[0]), before[0] + 1);
}

/* Each CPU in mask ran exactly once more, every other CPU not at all. */
static void expect_runs_on(struct ktest *t, const cpumask_t *mask)
{
	unsigned int cpu;

	for_each_online_cpu (cpu) {
		int want = before[cpu] + cpumask_test_cpu(cpu, mask);
		int got = atomic_read(&runs[cpu]);

		if (got != want)
			ktest_fail(
				t, __FILE__, __LINE__,
				"CPU %u: TEST_SOFTIRQ ran %d times, expected %d",
				cpu, got - before[cpu], want - before[cpu]);
	}
}

static bool mask_has_run(const cpumask_t *mask)
{
	unsigned int cpu;

	for_each_cpu (cpu, mask)
		if (atomic_read(&runs[cpu]) <= before[cpu])
			return false;
	return true;
}

static void cpu_raise_runs_on_target(struct ktest *t)
{
	unsigned int cpu;
	cpumask_t others;

	ensure_test_softirq();
	if (num_online_cpus() < 2)
		KT_SKIP(t, "needs 2 CPUs or more");
	cpumask_copy(&others, &cpu_online_map);
	cpumask_clear_cpu(0, &others);
	snapshot_runs(before);
	for_each_cpu (cpu, &others)
		cpu_raise_softirq(cpu, TEST_SOFTIRQ);
	if (!kt_wait_until(mask_has_run(&others), KT_WAIT_LIMIT))
		ktest_fail(t, __FILE__, __LINE__,
			   "not every CPU ran its softirq within %ld s",
			   (long)(KT_WAIT_LIMIT / SECONDS(1)));
	kt_idle_for(SETTLE);
	/* CPU 0's bit was never set: do_softirq() must not run it here. */
	do_softirq();
	expect_runs_on(t, &others);
	KT_EXPECT_EQ(t, atomic_read(&ran_in_irq), 0);
	KT_EXPECT_EQ(t, atomic_read(&ran_irqs_off), 0);
}

static void cpumask_raise_reaches_the_mask(struct ktest *t)
{
	unsigned int cpu, round;
	cpumask_t mask;

	ensure_test_softirq();
	/* Every other CPU, with the caller; then every CPU. */
	for (round = 0; round < 2; round++) {
		cpumask_clear(&mask);
		for_each_online_cpu (cpu)
			if (round == 1 || cpu % 2 == 0)
				cpumask_set_cpu(cpu, &mask);
		snapshot_runs(before);
		cpumask_raise_softirq(&mask, TEST_SOFTIRQ);
		do_softirq();
		if (!kt_wait_until(mask_has_run(&mask), KT_WAIT_LIMIT))
			ktest_fail(t, __FILE__, __LINE__,
				   "round %u: not every CPU in the mask ran",
				   round);
		kt_idle_for(SETTLE);
		expect_runs_on(t, &mask);
	}
	KT_EXPECT_EQ(t, atomic_read(&ran_in_irq), 0);
}

/*
 * The second raise of a bit that is still pending must send no IPI. CPU 1
 * runs probe_ipis() from its idle loop with interrupts disabled, so the
 * softirq cannot run and IPIs stay in its LAPIC's IRR where it can see
 * them: the first raise must leave a new IRR bit (the event-check IPI),
 * which the probe then takes with a short interrupt window; the second
 * must leave none.
 */
static struct {
	int stage;	  /* handshake with CPU 0 */
	int vector;	  /* IRR bit the first raise left; -1: none */
	bool second_ipi;  /* the second raise left one too */
	bool ran_between; /* the softirq ran in the interrupt window */
} probe;

static bool irr_test(unsigned int vector)
{
	return apic_read(APIC_IRR + 0x10 * (vector / 32)) &
	       (1U << (vector % 32));
}

static bool wait_stage(int stage)
{
	s_time_t give_up = NOW() + KT_WAIT_LIMIT;

	while (READ_ONCE(probe.stage) < stage && NOW() < give_up)
		cpu_relax();
	return READ_ONCE(probe.stage) >= stage;
}

static void probe_ipis(void *unused)
{
	unsigned int cpu = smp_processor_id(), v;
	u32 irr_before[8];
	int runs_before;
	s_time_t give_up;

	local_irq_disable();
	for (v = 0; v < 8; v++)
		irr_before[v] = apic_read(APIC_IRR + 0x10 * v);
	runs_before = atomic_read(&runs[cpu]);
	WRITE_ONCE(probe.stage, 1);
	if (!wait_stage(2))
		goto out;
	/* The first raise: its IPI shows up as a new bit in the IRR. */
	give_up = NOW() + SECONDS(1);
	while (probe.vector < 0 && NOW() < give_up) {
		for (v = 0x20; v < 0x100; v++)
			if (irr_test(v) &&
			    !(irr_before[v / 32] & (1U << (v % 32)))) {
				probe.vector = v;
				break;
			}
		cpu_relax();
	}
	/* Take it (the handler only acknowledges; softirqs wait for idle). */
	local_irq_enable();
	udelay(200);
	local_irq_disable();
	probe.ran_between = atomic_read(&runs[cpu]) != runs_before;
	WRITE_ONCE(probe.stage, 3);
	if (!wait_stage(4))
		goto out;
	mdelay(20);
	probe.second_ipi = probe.vector >= 0 && irr_test(probe.vector);
out:
	smp_wmb();
	WRITE_ONCE(probe.stage, 5);
	local_irq_enable();
	/* Back in the idle loop, the softirq runs (once). */
}

static void remote_raise_twice_sends_one_ipi(struct ktest *t)
{
	ensure_test_softirq();
	if (num_online_cpus() < 2)
		KT_SKIP(t, "needs 2 CPUs or more");
	snapshot_runs(before);
	probe.stage = 0;
	probe.vector = -1;
	probe.second_ipi = probe.ran_between = false;
	KT_ASSERT_EQ(t, kt_call_in_idle(1, probe_ipis, NULL), 0);
	KT_ASSERT_TRUE(t, wait_stage(1));
	cpu_raise_softirq(1, TEST_SOFTIRQ);
	WRITE_ONCE(probe.stage, 2);
	KT_ASSERT_TRUE(t, wait_stage(3));
	cpu_raise_softirq(1, TEST_SOFTIRQ);
	cpu_raise_softirq(1, TEST_SOFTIRQ);
	WRITE_ONCE(probe.stage, 4);
	KT_ASSERT_TRUE(t, wait_stage(5));
	smp_rmb();
	KT_EXPECT_TRUE(t, kt_wait_until(atomic_read(&runs[1]) > before[1],
					KT_WAIT_LIMIT));
	kt_idle_for(SETTLE);
	KT_EXPECT_EQ(t, atomic_read(&runs[1]), before[1] + 1);
	pr_info("softirq_test: first raise left vector %#x in CPU 1's IRR; second raise %s\n",
		probe.vector, probe.second_ipi ? "sent another" : "sent none");
	if (!KT_EXPECT_TRUE(t, probe.vector >= 0))
		return;
	if (probe.ran_between)
		KT_SKIP(t, "the softirq ran on the way out of the interrupt: "
			   "a second IPI would be right");
	KT_EXPECT_TRUE(t, !probe.second_ipi);
}

/* Raised from interrupt context on each CPU: runs later, outside it. */
static void raise_from_irq(void *unused)
{
	raise_softirq(TEST_SOFTIRQ);
}

static void raise_in_irq_runs_outside_irq(struct ktest *t)
{
	cpumask_t others;

	ensure_test_softirq();
	KT_EXPECT_TRUE(t, !in_irq());
	if (num_online_cpus() < 2)
		KT_SKIP(t, "needs 2 CPUs or more");
	cpumask_copy(&others, &cpu_online_map);
	cpumask_clear_cpu(0, &others);
	snapshot_runs(before);
	atomic_set(&ran_in_irq, 0);
	atomic_set(&ran_irqs_off, 0);
	on_selected_cpus(&others, raise_from_irq, NULL, true);
	KT_EXPECT_TRUE(t, kt_wait_until(mask_has_run(&others), KT_WAIT_LIMIT));
	kt_idle_for(SETTLE);
	expect_runs_on(t, &others);
	KT_EXPECT_EQ(t, atomic_read(&ran_in_irq), 0);
	KT_EXPECT_EQ(t, atomic_read(&ran_irqs_off), 0);
}

static atomic_t irq_context_seen, irq_context_calls;

static void note_in_irq(void *unused)
{
	atomic_inc(&irq_context_calls);
	if (in_irq())
		atomic_inc(&irq_context_seen);
}

/* in_irq() is true in an interrupt handler and false outside. */
static void in_irq_only_in_interrupts(struct ktest *t)
{
	unsigned long flags;

	KT_EXPECT_TRUE(t, !in_irq());
	flags = local_irq_save();
	KT_EXPECT_TRUE(t, !in_irq());
	local_irq_restore(flags);
	if (num_online_cpus() < 2)
		KT_SKIP(t, "needs 2 CPUs or more for an interrupt handler");
	atomic_set(&irq_context_seen, 0);
	atomic_set(&irq_context_calls, 0);
	smp_call_function(note_in_irq, NULL, true);
	KT_EXPECT_EQ(t, atomic_read(&irq_context_calls), num_online_cpus() - 1);
	KT_EXPECT_EQ(t, atomic_read(&irq_context_seen), num_online_cpus() - 1);
}

/* A do_softirq() from inside a handler returns at once; no re-entry. */
static void nested_do_softirq_returns_at_once(struct ktest *t)
{
	ensure_test_softirq();
	snapshot_runs(before);
	atomic_set(&reentered, 0);
	WRITE_ONCE(nest_once, true);
	raise_softirq(TEST_SOFTIRQ);
	do_softirq();
	KT_EXPECT_EQ(t, atomic_read(&reentered), 0);
	/* The raise from inside the handler ran after it, in the same call. */
	KT_EXPECT_EQ(t, atomic_read(&runs[0]), before[0] + 2);
	KT_EXPECT_TRUE(t, !READ_ONCE(nest_once));
}

/* The order log: timer callback, tasklet, then TEST_SOFTIRQ. */
static int timer_order = -1, tasklet_order = -1;

static void order_timer_fn(void *unused)
{
	WRITE_ONCE(timer_order, atomic_inc_return(&order_seq));
}

static void order_tasklet_fn(void *unused)
{
	WRITE_ONCE(tasklet_order, atomic_inc_return(&order_seq));
}

/*
 * TIMER_SOFTIRQ (0), TASKLET_SOFTIRQ (2) and TEST_SOFTIRQ (3) all pending
 * at once run in that order, whatever order they were raised in. The
 * timer's softirq is raised first (an expired timer), then TEST's, then
 * the tasklet's; nothing runs softirqs on this CPU until do_softirq().
 */
static void lower_numbers_run_first(struct ktest *t)
{
	struct timer timer;
	struct tasklet tasklet;
	bool timer_pending;

	ensure_test_softirq();
	timer_order = tasklet_order = test_order = -1;
	init_timer(&timer, order_timer_fn, NULL, 0);
	tasklet_init(&tasklet, order_tasklet_fn, NULL);
	set_timer(&timer, NOW());
	/* The expired timer's interrupt raises TIMER_SOFTIRQ; wait for it. */
	timer_pending = ({
		s_time_t end = NOW() + KT_WAIT_LIMIT;

		while (!softirq_pending() && NOW() < end)
			cpu_relax();
		softirq_pending();
	});
	raise_softirq(TEST_SOFTIRQ);
	tasklet_schedule(&tasklet);
	KT_EXPECT_EQ(t, timer_order, -1);
	do_softirq();
	kill_timer(&timer);
	tasklet_kill(&tasklet);
	KT_ASSERT_TRUE(t, timer_pending);
	pr_info("softirq_test: ran in order timer %d, tasklet %d, test %d\n",
		timer_order, tasklet_order, test_order);
	KT_ASSERT_TRUE(t,
		       timer_order > 0 && tasklet_order > 0 && test_order > 0);
	KT_EXPECT_TRUE(t, timer_order < tasklet_order);
	KT_EXPECT_TRUE(t, tasklet_order < test_order);
}

static void count_tasklet_run(void *count)
{
	(*(int *)count)++;
}

/*
 * process_pending_softirqs() runs everything pending but
 * SCHEDULE_SOFTIRQ, which stays pending until do_softirq(). The suites
 * run before any domain is built, on the idle vCPU, so the schedule()
 * that do_softirq() then runs picks the idle vCPU again and returns.
 */
static void process_pending_runs_all_but_schedule(struct ktest *t)
{
	unsigned int cpu = smp_processor_id();
	struct tasklet tasklet;
	int tasklet_runs = 0;
	u64 scheduled;

	KT_ASSERT_TRUE(t, is_idle_vcpu(current));
	ensure_test_softirq();
	snapshot_runs(before);
	tasklet_init(&tasklet, count_tasklet_run, &tasklet_runs);
	scheduled = softirq_run_count(cpu, SCHEDULE_SOFTIRQ);
	raise_softirq(SCHEDULE_SOFTIRQ);
	raise_softirq(TEST_SOFTIRQ);
	tasklet_schedule(&tasklet);
	process_pending_softirqs();
	KT_EXPECT_EQ(t, atomic_read(&runs[cpu]), before[cpu] + 1);
	KT_EXPECT_EQ(t, tasklet_runs, 1);
	KT_EXPECT_EQ(t, softirq_run_count(cpu, SCHEDULE_SOFTIRQ), scheduled);
	KT_EXPECT_TRUE(t, softirq_pending());
	do_softirq();
	KT_EXPECT_EQ(t, softirq_run_count(cpu, SCHEDULE_SOFTIRQ),
		     scheduled + 1);
	KT_EXPECT_TRUE(t, is_idle_vcpu(current));
	tasklet_kill(&tasklet);
}

KTEST_SUITE(softirq, KTEST_CASE(raise_on_self_runs_on_do_softirq),
	    KTEST_CASE(raised_twice_runs_once),
	    KTEST_CASE(cpu_raise_runs_on_target),
	    KTEST_CASE(cpumask_raise_reaches_the_mask),
	    KTEST_CASE(remote_raise_twice_sends_one_ipi),
	    KTEST_CASE(raise_in_irq_runs_outside_irq),
	    KTEST_CASE(in_irq_only_in_interrupts),
	    KTEST_CASE(nested_do_softirq_returns_at_once),
	    KTEST_CASE(lower_numbers_run_first),
	    KTEST_CASE(process_pending_runs_all_but_schedule));
