/*
 * ticker: the periodic timer (VCPUOP_set_periodic_timer) on vCPU 0.
 *
 * Args: period=<time> (default 10ms), count=<n> ticks (default 100).
 *
 * Binds VIRQ_TIMER, arms the periodic timer and counts count ticks,
 * noting guest_now() at each. Tick k (from 1) is expected at
 * start + k * period, start being the time read just before arming: the
 * hypervisor arms at some time >= start and a missed period only delays
 * later ticks ("one event, not a burst"), so under the Xen semantics
 * (the first event one period after arming) no tick may come before its
 * expected time. Reports lateness (time - expected) min/median/p99/max,
 * how many ticks were more than a period late (periods missed), and the
 * mean interval. Other vCPUs do nothing.
 */
#include <guest.h>

#define COUNT_MAX 100000

struct ticker {
	int64_t *times;
	unsigned int count;
	volatile unsigned int seen;
	volatile int done;
};

static void tick(unsigned int vcpu, int64_t now, void *arg)
{
	struct ticker *t = arg;

	if (t->seen < t->count) {
		t->times[t->seen] = now;
		t->seen = t->seen + 1;
		if (t->seen == t->count)
			t->done = 1;
	}
}

void guest_vcpu_main(unsigned int vcpu)
{
	static struct ticker t;
	int64_t period = guest_arg_ns("period", 10 * NSEC_PER_MSEC);
	uint64_t count = guest_arg_u64("count", 100);
	unsigned int early = 0, missed = 0, k;
	int64_t start, after, last, worst_early = 0;
	long ret;

	if (vcpu != 0)
		return;
	if (count == 0 || count > COUNT_MAX)
		guest_panic("count=%llu: expected 1 to %u",
			    (unsigned long long)count, COUNT_MAX);
	if (period < VCPU_PERIODIC_MIN_NS)
		guest_panic("period=%lld ns: below VCPU_PERIODIC_MIN_NS",
			    (long long)period);
	t.count = (unsigned int)count;
	t.times = guest_alloc(count * sizeof(int64_t), 8);
	if (!t.times)
		guest_panic("no heap for %u samples", t.count);

	printf("ticker: %u ticks of %lld ns\n", t.count, (long long)period);
	ret = guest_timer_init(tick, &t);
	if (ret < 0)
		guest_panic("binding VIRQ_TIMER: %ld", ret);
	guest_events_enable();

	/*
	 * The hypervisor starts the phase at its NOW() inside the call, which
	 * lies in [start, after]: the early check below uses start, so it
	 * can only err towards lateness, by at most after - start.
	 */
	start = guest_now();
	ret = hc_set_periodic_timer(0, (uint64_t)period);
	after = guest_now();
	if (ret < 0)
		guest_panic("VCPUOP_set_periodic_timer: %ld", ret);
	/*
	 * Spin, do not block: as in Xen, the periodic timer only runs while
	 * its vCPU runs (a blocked vCPU is descheduled, and its periodic
	 * timer with it), so each tick arrives as an upcall into this loop.
	 */
	while (!t.done)
		cpu_relax();
	ret = hc_stop_periodic_timer(0);
	guest_check(ret == 0, "VCPUOP_stop_periodic_timer (%ld)", ret);

	/*
	 * The hypervisor keeps the phase: ticks are due at hstart + b * period
	 * (b = 1, 2, ...) where hstart, its NOW() in the hypercall, is at or
	 * after start; missed periods give one tick, not a burst. Each tick
	 * uses up at least one boundary, so tick k (from 0) comes at or after
	 * boundary k + 1: before start + (k + 1) * period it is early, whatever
	 * was coalesced. Its lateness is its distance from the boundary it
	 * follows, (t - start) mod period, exact to within hstart - start.
	 */
	last = t.times[t.count - 1];
	for (k = 0; k < t.count; k++) {
		int64_t since = t.times[k] - start;
		int64_t due = (int64_t)(k + 1) * period;

		if (since < due) {
			early++;
			if (since - due < worst_early)
				worst_early = since - due;
		}
		t.times[k] = since % period;
	}
	missed = (unsigned int)((last - start) / period) - t.count;
	printf("ticker: phase known to %lld ns (the set hypercall's span)\n",
	       (long long)(after - start));
	printf("ticker: mean interval %lld ns over %u ticks\n",
	       (long long)((last - start) / t.count), t.count);
	guest_stats_print("ticker lateness", t.times, t.count);
	printf("ticker: %u period(s) missed (coalesced into later ticks)\n",
	       missed);
	guest_check(
		early == 0,
		"no tick before its period boundary (%u early, worst %lld ns)",
		early, (long long)worst_early);
}
