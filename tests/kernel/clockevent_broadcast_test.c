/*
 * The clock event broadcast (common/clockevent_broadcast.c), where it
 * serves the CPUs (lapic_timer=off, or a machine without a usable LAPIC
 * timer): every CPU is on it; exact timers on every CPU, their deadlines
 * interleaved across the CPUs (and some shared by all of them) so that
 * the one global device serves them in turn, each run once, on their
 * CPU, never before their expiry and within kt_latency_bound() after it;
 * a deadline moved later re-arms the device for the next earliest; and
 * the broadcast's invariant (armed for the earliest published deadline)
 * holds at every step. Skipped where a per-CPU device serves the CPUs.
 */
#include <atomic.h>
#include <clockevent.h>
#include <ktest.h>
#include <printk.h>
#include <smp.h>
#include <string.h>
#include <systime.h>
#include <timer.h>
#include <xmalloc.h>

#include "deferred_helpers.h"
#include "every_cpu.h"

/* Timers per CPU, and the gap between two consecutive deadlines. */
#define SHOTS_PER_CPU 16
#define SHOT_STEP     MICROSECS(400)

#define US(ns) ((long)((ns) / NSEC_PER_USEC))

#define SKIP_UNLESS_BROADCAST(t)                                         \
	do {                                                             \
		if (!clockevent_broadcast_global())                      \
			KT_SKIP(t, "the CPUs have a clock event device " \
				   "of their own: no broadcast");        \
	} while (0)

struct bshot {
	struct timer timer;
	s_time_t expires;
	unsigned int cpu;
	atomic_t fires;
	volatile s_time_t fired_at;
	volatile int ran_on;
};

static atomic_t shots_run;

static void bshot_fn(void *data)
{
	struct bshot *s = data;

	if (atomic_inc_return(&s->fires) == 1) {
		s->fired_at = NOW();
		s->ran_on = smp_processor_id();
	}
	atomic_inc(&shots_run);
}

static bool on_broadcast(void)
{
	return clockevent_on_broadcast();
}

static void every_cpu_is_on_the_broadcast(struct ktest *t)
{
	struct clockevent_broadcast_stats st;

	SKIP_UNLESS_BROADCAST(t);
	KT_EXPECT_EQ(t, cpus_failing(on_broadcast), 0);
	clockevent_broadcast_get_stats(&st);
	KT_EXPECT_EQ(t, st.cpus, num_online_cpus());
	KT_EXPECT_TRUE(t, clockevent_broadcast_consistent());
	pr_info("clockevent_broadcast: %u CPUs on %s\n", st.cpus,
		clockevent_broadcast_global()->name);
}

/*
 * The expiry of CPU index i's k-th timer among n CPUs: even rounds
 * interleave the CPUs one step apart, odd rounds give every CPU the same
 * deadline (one interrupt, several deliveries).
 */
static s_time_t interleaved_expiry(s_time_t base, unsigned int k,
				   unsigned int i, unsigned int n)
{
	s_time_t round = base + (s_time_t)k * (n + 1) * SHOT_STEP;

	return k % 2 ? round : round + (s_time_t)i * SHOT_STEP;
}

/* Sets n CPUs' SHOTS_PER_CPU timers each, interleaved from base. */
static void set_all(struct bshot *s, unsigned int n, s_time_t base)
{
	unsigned int cpu, i = 0, k, j = 0;

	atomic_set(&shots_run, 0);
	for_each_online_cpu (cpu) {
		for (k = 0; k < SHOTS_PER_CPU; k++, j++) {
			if (!s[j].timer.function) {
				s[j].cpu = cpu;
				s[j].ran_on = -1;
				init_timer(&s[j].timer, bshot_fn, &s[j], cpu);
			}
			s[j].expires = interleaved_expiry(base, k, i, n);
			set_timer_range(&s[j].timer, s[j].expires, 0);
		}
		i++;
	}
}

/* Fails t for each shot that did not run once, on time, on its CPU. */
static s_time_t check_bshots(struct ktest *t, struct bshot *s, unsigned int nr)
{
	s_time_t worst = 0, late;
	unsigned int j;

	for (j = 0; j < nr; j++) {
		if (atomic_read(&s[j].fires) != 1) {
			ktest_fail(t, __FILE__, __LINE__,
				   "CPU %u's timer %u ran %d times", s[j].cpu,
				   j, atomic_read(&s[j].fires));
			continue;
		}
		KT_EXPECT_EQ(t, s[j].ran_on, (int)s[j].cpu);
		late = s[j].fired_at - s[j].expires;
		if (late < 0)
			ktest_fail(t, __FILE__, __LINE__,
				   "CPU %u's timer ran %ld ns early", s[j].cpu,
				   (long)-late);
		else if (late > kt_latency_bound())
			ktest_fail(
				t, __FILE__, __LINE__,
				"CPU %u's timer ran %ld us late (bound %ld us, %s)",
				s[j].cpu, US(late), US(kt_latency_bound()),
				kt_latency_bound_source());
		if (late > worst)
			worst = late;
	}
	return worst;
}

static void timers_on_every_cpu_fire_on_time(struct ktest *t)
{
	unsigned int n = num_online_cpus(), k, nr;
	struct clockevent_broadcast_stats before, after;
	s_time_t base, took, worst;
	bool all_set_in_time;
	struct bshot *s;

	SKIP_UNLESS_BROADCAST(t);
	s = xmalloc_array(struct bshot, n * SHOTS_PER_CPU);
	KT_ASSERT_TRUE(t, s != NULL);
	memset(s, 0, n * SHOTS_PER_CPU * sizeof(*s));
	clockevent_broadcast_get_stats(&before);
	/*
	 * A first pass far out measures how long setting them takes (a
	 * remote CPU's lock may be held by a vCPU the host is not running);
	 * the deadlines then start twice that far ahead, so that normally
	 * every one is served through the device.
	 */
	base = NOW() + SECONDS(60);
	set_all(s, n, base);
	took = NOW() - (base - SECONDS(60));
	base = NOW() + 2 * took + MILLISECS(5);
	set_all(s, n, base);
	all_set_in_time = NOW() < base;
	nr = n * SHOTS_PER_CPU;
	KT_EXPECT_TRUE(t, clockevent_broadcast_consistent());
	KT_EXPECT_TRUE(t, kt_wait_until(atomic_read(&shots_run) >= (int)nr,
					KT_WAIT_LIMIT));
	kt_idle_for(MILLISECS(5)); /* a second run would show by now */
	KT_EXPECT_TRUE(t, clockevent_broadcast_consistent());
	worst = check_bshots(t, s, nr);
	clockevent_broadcast_get_stats(&after);
	pr_info("clockevent_broadcast: %u exact timers on %u CPUs: worst %ld us late (bound %ld us, %s); %lu device interrupts, %lu IPIs\n",
		nr, n, US(worst), US(kt_latency_bound()),
		kt_latency_bound_source(),
		(unsigned long)(after.interrupts - before.interrupts),
		(unsigned long)(after.ipis - before.ipis));
	/* Late setting (a host stall) lets the timer core run them itself. */
	if (n > 1 && all_set_in_time)
		KT_EXPECT_TRUE(t, after.ipis > before.ipis);
	for (k = 0; k < nr; k++)
		kill_timer(&s[k].timer);
	xfree(s);
}

/* ------------------------------------------------------------------ */

static volatile s_time_t fired_at;
static unsigned int nr_fired;

static void record_fire(void)
{
	if (nr_fired++ == 0)
		fired_at = NOW();
}

/*
 * On the boot CPU, with its handler borrowed: a deadline moved later
 * leaves the device armed for the earliest deadline still published (not
 * the withdrawn one), and fires once, at or after its new time.
 */
static void moved_deadline_rearms_the_device(struct ktest *t)
{
	struct clockevent_broadcast_stats st;
	clockevent_handler_t lent;
	s_time_t first, second;
	unsigned long flags;
	bool consistent;

	SKIP_UNLESS_BROADCAST(t);
	flags = local_irq_save();
	fired_at = 0;
	nr_fired = 0;
	lent = clockevent_set_handler(record_fire);
	first = NOW() + MILLISECS(5);
	second = NOW() + MILLISECS(30);
	reprogram_timer(first);
	reprogram_timer(second);
	clockevent_broadcast_get_stats(&st);
	consistent = clockevent_broadcast_consistent();
	local_irq_restore(flags);

	KT_EXPECT_TRUE(t, consistent);
	KT_EXPECT_TRUE(t, st.armed_for != first);
	KT_EXPECT_TRUE(t, st.armed_for != 0 && st.armed_for <= second);
	while (!READ_ONCE(nr_fired) && NOW() < second + KT_WAIT_LIMIT)
		cpu_relax();
	mdelay(2); /* a second interrupt would show by now */

	flags = local_irq_save();
	reprogram_timer(0);
	clockevent_set_handler(lent);
	raise_softirq(TIMER_SOFTIRQ); /* the timer core re-arms */
	consistent = clockevent_broadcast_consistent();
	local_irq_restore(flags);
	KT_EXPECT_EQ(t, nr_fired, 1);
	KT_EXPECT_TRUE(t, fired_at >= second);
	KT_EXPECT_TRUE(t, consistent);
	if (nr_fired)
		pr_info("clockevent_broadcast: moved deadline fired %ld us after it\n",
			US(fired_at - second));
}

KTEST_SUITE(clockevent_broadcast, KTEST_CASE(every_cpu_is_on_the_broadcast),
	    KTEST_CASE(timers_on_every_cpu_fire_on_time),
	    KTEST_CASE(moved_deadline_rearms_the_device));
