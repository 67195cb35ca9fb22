/*
 * hog: every vCPU spins for a while and reports the share of the CPU it
 * got, from its own run-state times (VCPUOP_get_runstate), for the
 * scheduler tests (credit weights and caps, EDF budgets).
 *
 * Args: seconds=<n> (default 3), expect=<lo>-<hi> (percent of one CPU
 * each vCPU must have had; unset: report only), block=<time> (default 0:
 * if set, block that long every 10 ms of wall time, a vCPU that sleeps;
 * every=<time> changes the 10 ms: block=20us every=100us is a storm of
 * wake-ups),
 * start=<time> (default 0: sleep until that system time first, e.g. past
 * the hypervisor's boot-time work such as the TSC refinement at ~1 s),
 * gap=<lo>-<hi> (milliseconds: the longest time the spinning vCPU went
 * without running, i.e. the longest preemption, must lie there; for the
 * round-robin slice test).
 *
  * The window runs from the first vCPU's start to seconds later. Then each
 * vCPU sleeps for 100 ms times its domain id before it reports, so that
 * the domains report one at a time: where console output is polled
 * (keys=off), a line holds its CPU for as long as the wire takes (10 ms in
 * Bochs), and one domain's report must not hold up another's reserved
 * vCPU. Each vCPU prints
 *
 *   SHARE <domain name> v<n>: ran <ms> ms of <ms> ms (<p.pp>%), waited <ms> ms,
 *         longest gap <us> us
 *
 * and, with expect=, a PASS or FAIL line for its share.
 */
#include <guest.h>

/* Percent (two decimals, as an integer) of part in whole. */
static unsigned long per10k(int64_t part, int64_t whole)
{
	return whole > 0 ? (unsigned long)(part * 10000 / whole) : 0;
}

/* "12-20" -> lo 1200, hi 2000 (hundredths of a percent); false if not. */
static bool parse_range(const char *s, unsigned long *lo, unsigned long *hi)
{
	unsigned long v[2] = {0, 0};
	unsigned int i = 0;

	for (; *s; s++) {
		if (*s == '-' && i == 0) {
			i = 1;
			continue;
		}
		if (*s < '0' || *s > '9' || v[i] > 100)
			return false;
		v[i] = v[i] * 10 + (unsigned long)(*s - '0');
	}
	if (i != 1 || v[0] > v[1] || v[1] > 100)
		return false;
	*lo = v[0] * 100;
	*hi = v[1] * 100;
	return true;
}

static void runstate(unsigned int vcpu, struct vcpu_runstate_info *rs)
{
	long ret = hc_vcpu_op(VCPUOP_get_runstate, vcpu, rs);

	if (ret < 0)
		guest_panic("VCPUOP_get_runstate: %ld", ret);
}

void guest_vcpu_main(unsigned int vcpu)
{
	uint64_t seconds = guest_arg_u64("seconds", 3);
	int64_t block_ns = guest_arg_ns("block", 0);
	int64_t every_ns = guest_arg_ns("every", 10 * NSEC_PER_MSEC);
	int64_t start_at = guest_arg_ns("start", 0);
	const char *expect = guest_arg("expect");
	const char *gap_expect = guest_arg("gap");
	unsigned long gap_lo = 0, gap_hi = 0;
	int64_t prev, gap = 0;
	struct vcpu_runstate_info a, b;
	unsigned long lo = 0, hi = 10000, got;
	int64_t start, end, ran, waited, next_block;
	uint64_t x = vcpu + 1;

	if (every_ns <= 0)
		guest_panic("every= must be more than 0");
	if (seconds == 0 || seconds > 600)
		guest_panic("seconds=%llu: expected 1 to 600",
			    (unsigned long long)seconds);
	if (expect && !parse_range(expect, &lo, &hi))
		guest_panic("expect=%s: expected <lo>-<hi> (percent)", expect);
	if (gap_expect && !parse_range(gap_expect, &gap_lo, &gap_hi))
		guest_panic("gap=%s: expected <lo>-<hi> (ms, at most 100)",
			    gap_expect);
	if (start_at > guest_now())
		guest_sleep_until(start_at);
	runstate(vcpu, &a);
	start = guest_now();
	end = start + (int64_t)seconds * NSEC_PER_SEC;
	next_block = start + every_ns;
	prev = start;
	while (guest_now() < end) {
		int64_t now;
		unsigned int j;

		for (j = 0; j < 256; j++)
			xorshift64s(&x);
		now = guest_now();
		if (now - prev > gap)
			gap = now - prev;
		prev = now;
		if (block_ns && now >= next_block) {
			guest_sleep_until(now + block_ns);
			next_block += every_ns;
			prev = guest_now(); /* sleeping is not a preemption */
		}
	}
	runstate(vcpu, &b);
	end = guest_now();
	guest_sleep_until(end + (int64_t)guest_si->domid * 100 * NSEC_PER_MSEC);
	ran = (int64_t)(b.time[RUNSTATE_running] - a.time[RUNSTATE_running]);
	waited = (int64_t)(b.time[RUNSTATE_runnable] -
			   a.time[RUNSTATE_runnable]);
	got = per10k(ran, end - start);
	printf("SHARE %s v%u: ran %lld ms of %lld ms (%lu.%02lu%%), waited %lld ms, longest gap %lld us (%llx)\n",
	       guest_si->name, vcpu, (long long)(ran / NSEC_PER_MSEC),
	       (long long)((end - start) / NSEC_PER_MSEC), got / 100, got % 100,
	       (long long)(waited / NSEC_PER_MSEC),
	       (long long)(gap / NSEC_PER_USEC), (unsigned long long)x);
	/* parse_range() gives hundredths: here they are microseconds * 10. */
	if (gap_expect)
		guest_check(gap >= (int64_t)gap_lo * 10000 &&
				    gap <= (int64_t)gap_hi * 10000,
			    "%s v%u: longest gap %lld us within %s ms",
			    guest_si->name, vcpu, (long long)(gap / 1000),
			    gap_expect);
	if (expect)
		guest_check(got >= lo && got <= hi,
			    "%s v%u: share %lu.%02lu%% within %s%%",
			    guest_si->name, vcpu, got / 100, got % 100, expect);
}
