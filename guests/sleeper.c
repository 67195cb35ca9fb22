/*
 * sleeper: single-shot sleeps on every vCPU (HYPERCALL_set_timer_op with
 * an absolute deadline, then SCHEDOP_block).
 *
 * Args: count=<n> sleeps per vCPU (default 100), sleep=<time> (default
 * 2ms; each sleep is sleep/2 .. 3*sleep/2, varied by a PRNG), start=<time>
 * (default 0: first sleep until that system time, e.g. until hogs beside
 * it run), p99_max=<time> (default none: the lateness p99 must be at most
 * that, the bound of a wake-up preemption test).
 *
 * The ABI promises the timer "never before the deadline": the VIRQ_TIMER
 * handler notes guest_now(), which must be >= the deadline every time.
 * Also checks that a deadline already passed fires at once and that
 * VCPU_SSHOTTMR_future refuses one with -KERR_ETIME. Reports lateness
 * (wake - deadline) min/median/p99/max per vCPU.
 */
#include <guest.h>

#define COUNT_MAX 100000

void guest_vcpu_main(unsigned int vcpu)
{
	uint64_t count = guest_arg_u64("count", 100);
	int64_t sleep = guest_arg_ns("sleep", 2 * NSEC_PER_MSEC);
	int64_t start_at = guest_arg_ns("start", 0);
	int64_t p99_max = guest_arg_ns("p99_max", 0);
	uint64_t rng = 0x5eed0000u + vcpu;
	unsigned int i, early = 0;
	int64_t *late, worst = 0, now, woke;
	struct vcpu_set_singleshot_timer sst = {0};
	char what[48];
	long ret;

	if (count == 0 || count > COUNT_MAX)
		guest_panic("count=%llu: expected 1 to %u",
			    (unsigned long long)count, COUNT_MAX);
	if (sleep < 2)
		guest_panic("sleep= must be at least 2ns");
	late = guest_alloc(count * sizeof(int64_t), 8);
	if (!late)
		guest_panic("no heap for %llu samples",
			    (unsigned long long)count);
	ret = guest_timer_init(NULL, NULL);
	if (ret < 0)
		guest_panic("vCPU %u: binding VIRQ_TIMER: %ld", vcpu, ret);
	guest_events_enable();
	if (start_at > guest_now())
		guest_sleep_until(start_at);

	for (i = 0; i < count; i++) {
		int64_t d = sleep / 2 +
			    (int64_t)(xorshift64s(&rng) % (uint64_t)sleep);
		int64_t deadline = guest_now() + d;

		woke = guest_sleep_until(deadline);
		if (woke < 0)
			guest_panic("vCPU %u: set_timer_op: %lld", vcpu,
				    (long long)woke);
		late[i] = woke - deadline;
		if (late[i] < 0) {
			early++;
			if (late[i] < worst)
				worst = late[i];
		}
	}
	guest_check(early == 0,
		    "vCPU %u: no wake before the deadline (%u early of %u, "
		    "worst %lld ns)",
		    vcpu, early, i, (long long)worst);
	snprintf(what, sizeof(what), "sleeper vCPU %u lateness", vcpu);
	guest_stats_print(what, late, count); /* sorts late[] */
	if (p99_max)
		guest_check(late[(count * 99) / 100] <= p99_max,
			    "vCPU %u: lateness p99 %lld ns at most %lld ns",
			    vcpu, (long long)late[(count * 99) / 100],
			    (long long)p99_max);

	/* A deadline already passed fires at once. */
	now = guest_now();
	woke = guest_sleep_until(now - NSEC_PER_MSEC);
	guest_check(woke >= now, "vCPU %u: a passed deadline fires (%lld)",
		    vcpu, (long long)(woke - now));

	/* VCPU_SSHOTTMR_future refuses a passed deadline. */
	sst.timeout_abs_ns = (uint64_t)(guest_now() - NSEC_PER_MSEC);
	sst.flags = VCPU_SSHOTTMR_future;
	ret = hc_vcpu_op(VCPUOP_set_singleshot_timer, vcpu, &sst);
	guest_check(ret == -KERR_ETIME,
		    "vCPU %u: VCPU_SSHOTTMR_future with a passed deadline is "
		    "-KERR_ETIME (%ld)",
		    vcpu, ret);

	/*
	 * The same through VCPUOP_set_singleshot_timer, in the future. Without
	 * VCPU_SSHOTTMR_future: a vCPU preempted for longer than `sleep`
	 * before the call (seen under credit on a loaded host) would be
	 * refused, rightly, with -KERR_ETIME; a passed deadline fires at once.
	 */
	sst.timeout_abs_ns = (uint64_t)(guest_now() + sleep);
	sst.flags = 0;
	{
		uint64_t c0 = guest_timer_count();
		bool flags = guest_events_save();

		ret = hc_vcpu_op(VCPUOP_set_singleshot_timer, vcpu, &sst);
		if (guest_check(ret == 0,
				"vCPU %u: VCPUOP_set_singleshot_timer (%ld)",
				vcpu, ret)) {
			while (guest_timer_count() == c0) {
				guest_block();
				guest_events_save();
			}
			guest_check(guest_timer_last() >=
					    (int64_t)sst.timeout_abs_ns,
				    "vCPU %u: VCPUOP single-shot not early "
				    "(%lld ns late)",
				    vcpu,
				    (long long)(guest_timer_last() -
						(int64_t)sst.timeout_abs_ns));
		}
		guest_events_restore(flags);
	}
}
