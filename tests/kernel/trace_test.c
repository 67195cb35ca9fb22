/*
 * Tracing: the timer path leaves its records in order on the CPU where it
 * ran, with non-decreasing timestamps; a full ring drops and counts, and
 * the drain reports the hole first; classes switch recording on and off.
 * The frames themselves are decoded on the host (tests/harness/
 * test_ktrace.py, and the trace machines of the boot matrix).
 */
#include <irq.h>
#include <ktest.h>
#include <percpu.h>
#include <printk.h>
#include <softirq.h>
#include <systime.h>
#include <timer.h>
#include <trace.h>

#define RECENT 16

static volatile bool fired;

static void mark_fired(void *unused)
{
	fired = true;
}

/*
 * Position of the first record of event at or after from whose b (or c,
 * with match_c) is arg; -1 if none. Other timers (the boot's own, other
 * suites') may fire in between.
 */
static int find_event(const struct trace_record *r, int n, int from,
		      unsigned int event, bool match_c, u64 arg)
{
	for (int i = from; i < n; i++)
		if (r[i].event == event && (match_c ? r[i].c : r[i].b) == arg)
			return i;
	return -1;
}

static void timer_path_is_recorded_in_order(struct ktest *t)
{
	unsigned int saved = trace_classes, cpu = smp_processor_id();
	struct trace_record r[RECENT];
	struct timer tm;
	s_time_t give_up;
	int n, set, entry, fire, exit_, i;

	trace_set_classes(TRACE_CLASS_TIMER | TRACE_CLASS_SOFTIRQ);
	init_timer(&tm, mark_fired, NULL, cpu);
	fired = false;
	set_timer_range(&tm, NOW() + MILLISECS(1), 0);
	give_up = NOW() + SECONDS(2);
	while (!fired && NOW() < give_up)
		process_pending_softirqs();
	trace_set_classes(saved);
	kill_timer(&tm);
	KT_ASSERT_TRUE(t, fired);

	n = (int)trace_last_records(cpu, r, RECENT);
	set = find_event(r, n, 0, TRACE_TIMER_SET, false, (u64)&tm);
	fire = find_event(r, n, 0, TRACE_TIMER_FIRE, true, (u64)&tm);
	entry = -1;
	for (i = fire; i >= 0; i--)
		if (r[i].event == TRACE_SOFTIRQ_ENTRY &&
		    r[i].a == TIMER_SOFTIRQ) {
			entry = i;
			break;
		}
	exit_ = fire >= 0 ? find_event(r, n, fire, TRACE_SOFTIRQ_EXIT, false, 0)
			  : -1;
	KT_ASSERT_TRUE(t, set >= 0 && fire >= 0);
	KT_EXPECT_TRUE(t, set < entry && entry < fire && fire < exit_);
	KT_EXPECT_EQ(t, r[set].b, (u64)&tm);
	KT_EXPECT_EQ(t, r[fire].c, (u64)&tm);
	KT_EXPECT_EQ(t, r[fire].b, (u64)mark_fired);
	KT_EXPECT_EQ(t, r[set].a, 0); /* zero slack asked */
	for (i = 0; i < n; i++) {
		KT_EXPECT_EQ(t, r[i].cpu, cpu);
		if (i > 0)
			KT_EXPECT_TRUE(t, r[i].tsc >= r[i - 1].tsc);
	}
}

static void classes_switch_recording(struct ktest *t)
{
	unsigned int saved = trace_classes, cpu = smp_processor_id();
	u64 w0, w1, w2, d, dr;

	trace_set_classes(0);
	trace_get_counts(cpu, &w0, &d, &dr);
	trace(TRACE_CLASS_TIMER, TRACE_TIMER_STOP, 0, 1, 0);
	trace_get_counts(cpu, &w1, &d, &dr);
	trace_set_classes(TRACE_CLASS_TIMER);
	trace(TRACE_CLASS_TIMER, TRACE_TIMER_STOP, 0, 2, 0);
	trace(TRACE_CLASS_IDLE, TRACE_IDLE_ENTER, 0, 0, 0); /* class off */
	trace_get_counts(cpu, &w2, &d, &dr);
	trace_set_classes(saved);
	KT_EXPECT_EQ(t, w1, w0);
	/* Only the record whose class is on. */
	KT_EXPECT_EQ(t, w2, w1 + 1);
}

/*
 * Without a drain (CPU 0 is busy in this suite) the ring fills: further
 * records are dropped and counted; the drain then sends the hole as a
 * TRACE_LOST record before the rest.
 */
static void full_ring_drops_and_counts(struct ktest *t)
{
	unsigned int saved = trace_classes, cpu = smp_processor_id(), i;
	u64 w0, d0, dr0, w1, d1, dr1, w2, d2, dr2;

	trace_set_classes(TRACE_CLASS_TIMER);
	trace_get_counts(cpu, &w0, &d0, &dr0);
	for (i = 0; i < 20000; i++)
		trace(TRACE_CLASS_TIMER, TRACE_TIMER_STOP, 0, i, 0);
	trace_get_counts(cpu, &w1, &d1, &dr1);
	trace_set_classes(saved);
	KT_EXPECT_TRUE(t, d1 > d0);
	KT_EXPECT_EQ(t, (w1 - w0) + (d1 - d0), 20000);
	/* Drain it all (to the trace port: a burst of frames in the log). */
	while (trace_pending())
		trace_drain(1024);
	trace_get_counts(cpu, &w2, &d2, &dr2);
	KT_EXPECT_EQ(t, dr2, w2);
	KT_EXPECT_TRUE(t, !trace_pending());
	pr_info("trace_test: %lu written, %lu dropped, %lu drained\n",
		(unsigned long)(w1 - w0), (unsigned long)(d1 - d0),
		(unsigned long)(dr2 - dr0));
}

KTEST_SUITE(trace, KTEST_CASE(timer_path_is_recorded_in_order),
	    KTEST_CASE(classes_switch_recording),
	    KTEST_CASE(full_ring_drops_and_counts));
