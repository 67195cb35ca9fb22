/*
 * Figures for `make bench` (tests/bench/bench.py), never pass/fail on a
 * number: the cost of NOW() and of reading each clocksource, the cost of
 * reprogramming each clock event device, and each device's
 * deadline-to-interrupt latency. Each figure is one log line
 *     BENCH {"bench":...,"unit":...,"n":...,"min":...,"median":...,"p99":...,"max":...}
 * Explicit-only: `test=time_bench`.
 */
#include <asm/lapic_timer.h>
#include <asm/tsc.h>
#include <clockevent.h>
#include <clocksource.h>
#include <irq.h>
#include <ktest.h>
#include <percpu.h>
#include <printk.h>
#include <softirq.h>
#include <systime.h>

#include "time_helpers.h"

#define SAMPLES		 400
#define CALLS_PER_SAMPLE 64
#define LATENCY_SHOTS	 200
#define SHOT_WAIT	 SECONDS(2)

static u64 samples[SAMPLES];

/* Shell sort: few hundred values, no allocation. */
static void sort_u64(u64 *v, unsigned int n)
{
	static const unsigned int gaps[] = {132, 57, 23, 10, 4, 1};
	unsigned int g, i, j;

	for (g = 0; g < ARRAY_SIZE(gaps); g++)
		for (i = gaps[g]; i < n; i++) {
			u64 x = v[i];

			for (j = i; j >= gaps[g] && v[j - gaps[g]] > x;
			     j -= gaps[g])
				v[j] = v[j - gaps[g]];
			v[j] = x;
		}
}

/* Prints one BENCH line with the statistics of v[0..n). */
static void report(const char *bench, const char *key, const char *what,
		   const char *unit, u64 *v, unsigned int n)
{
	if (n == 0) {
		printk("BENCH {\"bench\":\"%s\",\"%s\":\"%s\",\"unit\":\"%s\",\"n\":0}\n",
		       bench, key, what, unit);
		return;
	}
	sort_u64(v, n);
	printk("BENCH {\"bench\":\"%s\",\"%s\":\"%s\",\"unit\":\"%s\",\"n\":%u,"
	       "\"min\":%lu,\"median\":%lu,\"p99\":%lu,\"max\":%lu}\n",
	       bench, key, what, unit, n, (unsigned long)v[0],
	       (unsigned long)v[n / 2], (unsigned long)v[(n * 99) / 100],
	       (unsigned long)v[n - 1]);
}

/* Cycles per call of read(), in batches (one RDTSC pair per batch). */
static void measure_read_cost(const char *name, u64 (*read)(void))
{
	unsigned int i, j;

	for (i = 0; i < SAMPLES; i++) {
		unsigned long flags = local_irq_save();
		u64 t0 = rdtsc_ordered();

		for (j = 0; j < CALLS_PER_SAMPLE; j++)
			(void)read();
		samples[i] = (rdtsc_ordered() - t0) / CALLS_PER_SAMPLE;
		local_irq_restore(flags);
	}
	report("now_cost", "clock", name, "cycles", samples, SAMPLES);
}

static u64 now_u64(void)
{
	return (u64)NOW();
}

static void now_cost(struct ktest *t)
{
	struct clocksource *cs;
	unsigned int i;

	measure_read_cost("NOW()", now_u64);
	for (i = 0; (cs = clocksource_by_rating(i)) != NULL; i++)
		measure_read_cost(cs->name, cs->read);
}

/* ------------------------------------------------------------------ */

static volatile s_time_t fired_at;

static void record_device_fire(struct clock_event_device *dev)
{
	fired_at = NOW();
}

static void record_cpu_fire(void)
{
	fired_at = NOW();
}

/*
 * How a device is driven: a per-CPU one through the clock event layer
 * (bound to the boot CPU, its handler borrowed from the timer core), so
 * the figures include reprogram_timer(); a global one directly.
 */
static bool arm(struct clock_event_device *dev, s_time_t t)
{
	return dev->per_cpu ? reprogram_timer(t) : dev->set_next_event(dev, t);
}

static void disarm(struct clock_event_device *dev)
{
	if (dev->per_cpu)
		reprogram_timer(0);
	else
		dev->shutdown(dev);
}

/* Sets dev up on the boot CPU; false if it cannot be used. */
static bool take_device(struct clock_event_device *dev)
{
	unsigned long flags;

	if (dev->why_unusable)
		return false;
	flags = local_irq_save();
	if (dev->per_cpu) {
		clockevent_bind_this_cpu(dev);
		clockevent_set_handler(record_cpu_fire);
	} else {
		dev->event_handler = record_device_fire;
		dev->setup(dev);
	}
	local_irq_restore(flags);
	return true;
}

/* Cycles per arming 10 ms ahead, then disarmed. */
static void measure_reprogram(struct clock_event_device *dev)
{
	unsigned int i;

	for (i = 0; i < SAMPLES; i++) {
		unsigned long flags = local_irq_save();
		s_time_t when = NOW() + MILLISECS(10);
		u64 t0 = rdtsc_ordered();

		arm(dev, when);
		samples[i] = rdtsc_ordered() - t0;
		disarm(dev);
		local_irq_restore(flags);
	}
	report("reprogram_cost", "device", dev->name, "cycles", samples,
	       SAMPLES);
}

/* Nanoseconds from deadline to the handler, deadlines 50 us to 2 ms out. */
static void measure_latency(struct clock_event_device *dev)
{
	unsigned int i, n = 0, lost = 0, refused = 0;
	unsigned long flags;
	u64 seed = 12345;

	for (i = 0; i < LATENCY_SHOTS; i++) {
		s_time_t delay, deadline, give_up;
		bool armed;

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		delay = MICROSECS(50) + (s_time_t)((seed >> 33) % 1950000);
		if (dev->max_delta_ns && delay > dev->max_delta_ns)
			delay = dev->max_delta_ns / 2;
		flags = local_irq_save();
		fired_at = 0;
		deadline = NOW() + delay;
		armed = arm(dev, deadline);
		local_irq_restore(flags);
		if (!armed) {
			refused++; /* passed before it was armed: no interrupt */
			continue;
		}
		give_up = deadline + SHOT_WAIT;
		while (!fired_at && NOW() < give_up)
			cpu_relax();
		if (!fired_at) {
			lost++;
			continue;
		}
		samples[n++] =
			fired_at > deadline ? (u64)(fired_at - deadline) : 0;
	}
	flags = local_irq_save();
	disarm(dev);
	local_irq_restore(flags);
	if (lost || refused)
		pr_warn("time_bench: %s: of %u shots, %u refused as already past, %u interrupts never came\n",
			dev->name, LATENCY_SHOTS, refused, lost);
	report("event_latency", "device", dev->name, "ns", samples, n);
}

static void clockevent_costs(struct ktest *t)
{
	struct clock_event_device *orig = clockevent_this_cpu();
	struct clock_event_device *dev;
	clockevent_handler_t handler;
	unsigned long flags;
	unsigned int i;

	flags = local_irq_save();
	handler = clockevent_set_handler(NULL);
	local_irq_restore(flags);
	for (i = 0; (dev = clockevent_by_index(i)) != NULL; i++) {
		if (!dev->per_cpu && smp_processor_id() != 0)
			continue;
		if (!dev->per_cpu && clockevent_broadcast_global()) {
			pr_info("time_bench: %s skipped: IRQ 0 serves the clock event broadcast\n",
				dev->name);
			continue;
		}
		if (!take_device(dev)) {
			pr_info("time_bench: %s skipped: %s\n", dev->name,
				dev->why_unusable);
			continue;
		}
		measure_reprogram(dev);
		measure_latency(dev);
	}
	/* The broadcast is no registered device: the boot CPU's own. */
	if (orig && clockevent_on_broadcast() && take_device(orig)) {
		measure_reprogram(orig);
		measure_latency(orig);
	}
	flags = local_irq_save();
	if (orig)
		clockevent_bind_this_cpu(orig);
	clockevent_set_handler(handler);
	raise_softirq(TIMER_SOFTIRQ); /* the timers' deadline was lost */
	local_irq_restore(flags);
}

/* Lets the refinement's log line land in the boot log for the runner. */
static void refinement(struct ktest *t)
{
	if (!tsc_refine_status()->started)
		KT_SKIP(t, "no reference to refine against");
	if (!wait_for_refinement(SECONDS(5)))
		KT_SKIP(t, "the refinement did not finish within 5 s");
}

KTEST_SUITE_EXPLICIT(time_bench, KTEST_CASE(now_cost),
		     KTEST_CASE(clockevent_costs), KTEST_CASE(refinement));
