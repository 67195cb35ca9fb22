/*
 * Tasklets: a tasklet runs on the CPU it was scheduled on, once however
 * often it was scheduled before it ran, again after its function returns
 * when it scheduled itself (never nested in itself), outside interrupt
 * context with interrupts enabled; tasklet_kill() waits for a running
 * function on another CPU, unqueues a queued tasklet, and no schedule
 * after it runs the function again.
 */
#include <atomic.h>
#include <cpumask.h>
#include <irq.h>
#include <ktest.h>
#include <percpu.h>
#include <printk.h>
#include <smp.h>
#include <softirq.h>
#include <systime.h>
#include <tasklet.h>

#include "deferred_helpers.h"

/* A run that should not happen has had this long to show up. */
#define SETTLE MILLISECS(20)

struct probe {
	struct tasklet tasklet;
	atomic_t runs;
	atomic_t running;	/* functions of this tasklet running now */
	atomic_t overlapped;	/* a run found another one running */
	atomic_t bad_context;	/* a run in IRQ context or with IRQs off */
	int ran_on;		/* CPU of the last run */
	int resched_left;	/* schedules itself again this many times */
	s_time_t spin;		/* busy time per run */
	volatile bool started;	/* the function has started (at least once) */
	volatile bool finished; /* ... and returned */
};

static void probe_fn(void *data)
{
	struct probe *p = data;

	if (atomic_inc_return(&p->running) != 1)
		atomic_inc(&p->overlapped);
	if (in_irq() || !local_irq_is_enabled())
		atomic_inc(&p->bad_context);
	WRITE_ONCE(p->ran_on, smp_processor_id());
	p->finished = false;
	smp_wmb();
	p->started = true;
	if (p->spin)
		udelay(p->spin / 1000);
	atomic_inc(&p->runs);
	if (p->resched_left > 0) {
		p->resched_left--;
		tasklet_schedule(&p->tasklet);
	}
	atomic_dec(&p->running);
	smp_wmb();
	p->finished = true;
}

static void probe_init(struct probe *p)
{
	memset(p, 0, sizeof(*p));
	p->ran_on = -1;
	tasklet_init(&p->tasklet, probe_fn, p);
}

static void expect_clean(struct ktest *t, struct probe *p)
{
	KT_EXPECT_EQ(t, atomic_read(&p->overlapped), 0);
	KT_EXPECT_EQ(t, atomic_read(&p->bad_context), 0);
}

static void runs_on_the_calling_cpu(struct ktest *t)
{
	struct probe p;

	probe_init(&p);
	tasklet_schedule(&p.tasklet);
	KT_EXPECT_TRUE(t, softirq_pending());
	do_softirq();
	KT_EXPECT_EQ(t, atomic_read(&p.runs), 1);
	KT_EXPECT_EQ(t, p.ran_on, 0);
	/* On oneself by number, too. */
	tasklet_schedule_on_cpu(&p.tasklet, 0);
	do_softirq();
	KT_EXPECT_EQ(t, atomic_read(&p.runs), 2);
	expect_clean(t, &p);
	tasklet_kill(&p.tasklet);
}

static struct probe per_cpu_probe[NR_CPUS];

static void runs_on_the_cpu_scheduled_on(struct ktest *t)
{
	unsigned int cpu;
	bool all;

	for_each_online_cpu (cpu) {
		probe_init(&per_cpu_probe[cpu]);
		tasklet_schedule_on_cpu(&per_cpu_probe[cpu].tasklet, cpu);
	}
	all = kt_wait_until(
		({
			bool done = true;

			for_each_online_cpu (cpu)
				done &= atomic_read(&per_cpu_probe[cpu].runs) >=
					1;
			done;
		}),
		KT_WAIT_LIMIT);
	kt_idle_for(SETTLE);
	KT_EXPECT_TRUE(t, all);
	for_each_online_cpu (cpu) {
		struct probe *p = &per_cpu_probe[cpu];

		if (atomic_read(&p->runs) != 1 || p->ran_on != (int)cpu)
			ktest_fail(
				t, __FILE__, __LINE__,
				"tasklet for CPU %u ran %d times, last on %d",
				cpu, atomic_read(&p->runs), p->ran_on);
		expect_clean(t, p);
		tasklet_kill(&p->tasklet);
	}
}

static void scheduled_twice_runs_once(struct ktest *t)
{
	struct probe p;

	probe_init(&p);
	tasklet_schedule(&p.tasklet);
	tasklet_schedule(&p.tasklet);
	tasklet_schedule_on_cpu(&p.tasklet, 0);
	do_softirq();
	do_softirq();
	KT_EXPECT_EQ(t, atomic_read(&p.runs), 1);
	tasklet_kill(&p.tasklet);
}

/* CPU 1 spins in idle work until CPU 0 releases it. */
static volatile bool hold_cpu, cpu_held;

static void hold_fn(void *unused)
{
	s_time_t give_up = NOW() + KT_WAIT_LIMIT;

	cpu_held = true;
	while (READ_ONCE(hold_cpu) && NOW() < give_up)
		cpu_relax();
	cpu_held = false;
}

static bool hold(unsigned int cpu)
{
	hold_cpu = true;
	cpu_held = false;
	if (kt_call_in_idle(cpu, hold_fn, NULL))
		return false;
	return kt_wait_until(cpu_held, KT_WAIT_LIMIT);
}

static void release(void)
{
	WRITE_ONCE(hold_cpu, false);
}

/* The same on another CPU, kept busy while the schedules arrive. */
static void scheduled_twice_remotely_runs_once(struct ktest *t)
{
	struct probe p;

	if (num_online_cpus() < 2)
		KT_SKIP(t, "needs 2 CPUs or more");
	probe_init(&p);
	KT_ASSERT_TRUE(t, hold(1));
	tasklet_schedule_on_cpu(&p.tasklet, 1);
	tasklet_schedule_on_cpu(&p.tasklet, 1);
	tasklet_schedule_on_cpu(&p.tasklet, 1);
	KT_EXPECT_EQ(t, atomic_read(&p.runs), 0);
	release();
	KT_EXPECT_TRUE(t,
		       kt_wait_until(atomic_read(&p.runs) >= 1, KT_WAIT_LIMIT));
	kt_idle_for(SETTLE);
	KT_EXPECT_EQ(t, atomic_read(&p.runs), 1);
	KT_EXPECT_EQ(t, p.ran_on, 1);
	expect_clean(t, &p);
	tasklet_kill(&p.tasklet);
}

static void rescheduled_by_itself_runs_again(struct ktest *t)
{
	struct probe p;
	unsigned int cpu = num_online_cpus() > 1 ? 1 : 0;

	probe_init(&p);
	p.resched_left = 1;
	tasklet_schedule(&p.tasklet);
	do_softirq();
	/* do_softirq() runs until nothing is pending: both runs are done. */
	KT_EXPECT_EQ(t, atomic_read(&p.runs), 2);
	expect_clean(t, &p);

	/* Five times in a row, on another CPU. */
	probe_init(&p);
	p.resched_left = 4;
	tasklet_schedule_on_cpu(&p.tasklet, cpu);
	KT_EXPECT_TRUE(t,
		       kt_wait_until(atomic_read(&p.runs) >= 5, KT_WAIT_LIMIT));
	kt_idle_for(SETTLE);
	KT_EXPECT_EQ(t, atomic_read(&p.runs), 5);
	KT_EXPECT_EQ(t, p.ran_on, (int)cpu);
	expect_clean(t, &p);
	tasklet_kill(&p.tasklet);
}

/*
 * tasklet_kill() while the function runs on CPU 1 returns only after it
 * returned; a schedule after the kill is ignored.
 */
static void kill_waits_for_running_function(struct ktest *t)
{
	struct probe p;
	s_time_t killed_at, took;

	if (num_online_cpus() < 2)
		KT_SKIP(t, "needs 2 CPUs or more");
	probe_init(&p);
	p.spin = MILLISECS(50);
	tasklet_schedule_on_cpu(&p.tasklet, 1);
	KT_ASSERT_TRUE(t, kt_wait_until(p.started, KT_WAIT_LIMIT));
	killed_at = NOW();
	tasklet_kill(&p.tasklet);
	took = NOW() - killed_at;
	smp_rmb();
	KT_EXPECT_TRUE(t, p.finished);
	KT_EXPECT_EQ(t, atomic_read(&p.running), 0);
	KT_EXPECT_EQ(t, atomic_read(&p.runs), 1);
	pr_info("tasklet_test: tasklet_kill() waited %ld us for a 50 ms function\n",
		(long)(took / 1000));
	/* Dead: schedules from anywhere do nothing. */
	p.spin = 0;
	tasklet_schedule_on_cpu(&p.tasklet, 1);
	tasklet_schedule(&p.tasklet);
	do_softirq();
	kt_idle_for(SETTLE);
	KT_EXPECT_EQ(t, atomic_read(&p.runs), 1);
	expect_clean(t, &p);
}

/* A queued tasklet killed before its CPU gets to it never runs. */
static void kill_unqueues_a_pending_tasklet(struct ktest *t)
{
	struct probe p;

	probe_init(&p);
	tasklet_schedule(&p.tasklet);
	tasklet_kill(&p.tasklet);
	do_softirq();
	KT_EXPECT_EQ(t, atomic_read(&p.runs), 0);
	if (num_online_cpus() < 2)
		KT_SKIP(t, "the remote part needs 2 CPUs or more");
	probe_init(&p);
	KT_ASSERT_TRUE(t, hold(1));
	tasklet_schedule_on_cpu(&p.tasklet, 1);
	tasklet_kill(&p.tasklet);
	release();
	kt_idle_for(SETTLE);
	KT_EXPECT_EQ(t, atomic_read(&p.runs), 0);
}

/*
 * A tasklet that keeps rescheduling itself on CPU 1 is killed from CPU 0
 * at arbitrary points of its run: after tasklet_kill() nothing runs.
 */
static void kill_stops_a_self_rescheduling_tasklet(struct ktest *t)
{
	struct probe p;
	unsigned int round;
	int runs;

	if (num_online_cpus() < 2)
		KT_SKIP(t, "needs 2 CPUs or more");
	for (round = 0; round < 20; round++) {
		probe_init(&p);
		p.resched_left = 1 << 30;
		p.spin = MICROSECS(20 * (round % 5));
		tasklet_schedule_on_cpu(&p.tasklet, 1);
		KT_ASSERT_TRUE(t, kt_wait_until(atomic_read(&p.runs) >= 1,
						KT_WAIT_LIMIT));
		udelay(37 * round);
		tasklet_kill(&p.tasklet);
		KT_EXPECT_EQ(t, atomic_read(&p.running), 0);
		runs = atomic_read(&p.runs);
		udelay(2000);
		if (atomic_read(&p.runs) != runs)
			ktest_fail(
				t, __FILE__, __LINE__,
				"round %u: ran %d more times after tasklet_kill()",
				round, atomic_read(&p.runs) - runs);
		expect_clean(t, &p);
	}
}

KTEST_SUITE(tasklet, KTEST_CASE(runs_on_the_calling_cpu),
	    KTEST_CASE(runs_on_the_cpu_scheduled_on),
	    KTEST_CASE(scheduled_twice_runs_once),
	    KTEST_CASE(scheduled_twice_remotely_runs_once),
	    KTEST_CASE(rescheduled_by_itself_runs_again),
	    KTEST_CASE(kill_waits_for_running_function),
	    KTEST_CASE(kill_unqueues_a_pending_tasklet),
	    KTEST_CASE(kill_stops_a_self_rescheduling_tasklet));
