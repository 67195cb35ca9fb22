/*
 * spinner: burns CPU on every vCPU for a while, for starvation and
 * fairness tests.
 *
 * Args: seconds=<n> (default 2).
 *
 * Each vCPU runs a small work loop until seconds have passed by
 * guest_now(), counting iterations and noting the longest gap between two
 * consecutive readings of the clock (time it was not running: preempted
 * by the hypervisor). Once a second vCPU 0 prints its progress. Each
 * vCPU prints its count and longest gap at the end; no events, no
 * hypercalls in the loop.
 */
#include <guest.h>

void guest_vcpu_main(unsigned int vcpu)
{
	uint64_t seconds = guest_arg_u64("seconds", 2);
	int64_t start = guest_now(), end, prev, gap = 0;
	int64_t next_report = start + NSEC_PER_SEC;
	uint64_t iters = 0, x = vcpu + 1;

	if (seconds > 3600)
		guest_panic("seconds=%llu: at most 3600",
			    (unsigned long long)seconds);
	end = start + (int64_t)seconds * NSEC_PER_SEC;
	prev = start;
	for (;;) {
		int64_t now;
		unsigned int j;

		for (j = 0; j < 256; j++)
			xorshift64s(&x);
		iters++;
		now = guest_now();
		if (now - prev > gap)
			gap = now - prev;
		prev = now;
		if (now >= end)
			break;
		if (vcpu == 0 && now >= next_report) {
			printf("spinner: vCPU 0 %llu iterations after %lld ms\n",
			       (unsigned long long)iters,
			       (long long)((now - start) / NSEC_PER_MSEC));
			next_report += NSEC_PER_SEC;
		}
	}
	printf("spinner: vCPU %u did %llu iterations in %llu s, longest gap "
	       "%lld us (%llx)\n",
	       vcpu, (unsigned long long)iters, (unsigned long long)seconds,
	       (long long)(gap / NSEC_PER_USEC), (unsigned long long)x);
}
