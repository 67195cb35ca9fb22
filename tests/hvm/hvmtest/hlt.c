/*
 * hlt: HLT as an idle loop uses it. With the LAPIC timer armed, HLT
 * (entered as STI; HLT, so that nothing slips in between) wakes at the
 * timer and never before it; with interrupts on and nothing armed, it
 * wakes for an IPI from another vCPU; and a halted AP wakes for an IPI.
 * The time halted and the wake-up latencies are reported.
 */
#include "hvmtest.h"
#include "lapic.h"
#include "probe.h"
#include "smp.h"
#include "time.h"
#include "traps.h"

#define VECTOR_WAKE	0x60
#define VECTOR_WATCHDOG 0x61
#define TIMER_ROUNDS	2
#define IPI_DELAY_NS	(5 * NSEC_PER_MSEC)
#define WATCHDOG_NS	(1000 * NSEC_PER_MSEC)
#define AP_WAKE_SAMPLES 50
#define WORK_TIMEOUT_NS (1000 * NSEC_PER_MSEC)

static const u64 timer_delays_ns[] = {
	1 * NSEC_PER_MSEC,
	5 * NSEC_PER_MSEC,
	20 * NSEC_PER_MSEC,
};

static struct probe timer_probe, wake_probe, watchdog_probe;
static u64 halted[ARRAY_SIZE(timer_delays_ns) * TIMER_ROUNDS];
static u64 latency[AP_WAKE_SAMPLES];

/*
 * Halts until *flag is set, with interrupts off around each check;
 * returns the number of wake-ups that found *flag still clear.
 */
static unsigned int halt_until(volatile u32 *flag)
{
	unsigned int other = 0;

	cli();
	while (!READ_ONCE(*flag)) {
		sti_hlt();
		cli();
		other += !READ_ONCE(*flag);
	}
	sti();
	return other;
}

static void timer_wakeup(struct test *t)
{
	unsigned int round, i, n = 0, other = 0;

	lapic_timer_stop();
	probe_install(&timer_probe, VECTOR_TIMER);
	lapic_write(APIC_TDCR, lapic_tdcr_for(1));
	for (round = 0; round < TIMER_ROUNDS; round++)
		for (i = 0; i < ARRAY_SIZE(timer_delays_ns); i++) {
			u64 ns = timer_delays_ns[i];
			u64 count = lapic_count_for_ns(ns, 1), t0, woke;

			timer_probe.count = 0;
			cli();
			lapic_write(APIC_LVT_TIMER,
				    LVT_TIMER_ONESHOT | VECTOR_TIMER);
			t0 = rdtsc_ordered();
			lapic_write(APIC_TMICT, (u32)count);
			other += halt_until(&timer_probe.count);
			woke = rdtsc_ordered();
			if (!CHECK(t,
				   timer_probe.stamp[0] - t0 >=
					   lapic_count_min_tsc(count, 1),
				   "woken %lu ns into a %lu ns timer",
				   (unsigned long)tsc_to_ns(
					   timer_probe.stamp[0] - t0),
				   (unsigned long)ns))
				goto out;
			halted[n] = tsc_to_ns(woke - t0);
			latency[n] = halted[n] > ns ? halted[n] - ns : 0;
			if (!CHECK(t, latency[n] <= expect.max_latency_ns,
				   "halted %lu ns for a %lu ns timer",
				   (unsigned long)halted[n], (unsigned long)ns))
				goto out;
			n++;
		}
out:
	lapic_timer_stop();
	probe_remove(&timer_probe);
	if (other)
		test_diag(t, "%u wake-ups before the timer's interrupt", other);
	test_report_ns(t, "halted", halted, n);
	test_report_ns(t, "latency", latency, n);
}

/* ---- Woken by another vCPU ---------------------------------------------- */

static struct {
	u32 target;	  /* the halting CPU's APIC ID */
	u64 sent;	  /* TSC when the wake IPI went */
	volatile u32 ack; /* the halting CPU woke */
	bool watchdog;	  /* a second IPI was needed */
} waker;

static void waker_work(void *unused)
{
	u64 start;

	delay_ns(IPI_DELAY_NS);
	waker.sent = rdtsc_ordered();
	lapic_send_ipi(waker.target,
		       ICR_FIXED | ICR_LEVEL_ASSERT | VECTOR_WAKE);
	start = rdtsc_ordered();
	while (!READ_ONCE(waker.ack) &&
	       rdtsc_ordered() - start < ns_to_tsc(WATCHDOG_NS))
		cpu_relax();
	if (!READ_ONCE(waker.ack)) {
		waker.watchdog = true;
		lapic_send_ipi(waker.target,
			       ICR_FIXED | ICR_LEVEL_ASSERT | VECTOR_WATCHDOG);
	}
}

static unsigned int first_ap(void)
{
	unsigned int i;

	for (i = 1; i < MAX_CPUS; i++)
		if (cpus[i].online)
			return i;
	return 0;
}

static void woken_by_ipi(struct test *t)
{
	unsigned int ap = first_ap(), other;
	u64 t0, woke;
	bool done;

	if (!ap) {
		test_skip(t, "one vCPU");
		return;
	}
	lapic_timer_stop(); /* nothing armed here */
	probe_install(&wake_probe, VECTOR_WAKE);
	probe_install(&watchdog_probe, VECTOR_WATCHDOG);
	memset(&waker, 0, sizeof(waker));
	waker.target = lapic_id();
	cli();
	smp_call(ap, waker_work, NULL);
	t0 = rdtsc_ordered();
	other = 0;
	while (!wake_probe.count && !watchdog_probe.count) {
		sti_hlt();
		cli();
		other += !wake_probe.count && !watchdog_probe.count;
	}
	woke = rdtsc_ordered();
	waker.ack = 1;
	sti();
	done = smp_wait(ap, WATCHDOG_NS + WORK_TIMEOUT_NS);
	CHECK(t, done, "CPU %u did not finish", ap);
	CHECK(t, !waker.watchdog && wake_probe.count == 1, "woken by %s",
	      wake_probe.count ? "the IPI and the watchdog"
			       : "the watchdog IPI only");
	CHECK(t, wake_probe.stamp[0] >= waker.sent,
	      "the wake handler ran before the IPI was sent");
	if (other)
		test_diag(t, "%u wake-ups before the IPI", other);
	test_diag(t, "halted %lu us; IPI to handler %lu ns",
		  (unsigned long)(tsc_to_ns(woke - t0) / NSEC_PER_USEC),
		  (unsigned long)(wake_probe.stamp[0] >= waker.sent
					  ? tsc_to_ns(wake_probe.stamp[0] -
						      waker.sent)
					  : 0));
	probe_remove(&wake_probe);
	probe_remove(&watchdog_probe);
}

/* ---- A halted AP woken by an IPI ------------------------------------------ */

static volatile u64 ap_woke_at;

static void stamp_work(void *unused)
{
	ap_woke_at = rdtsc_ordered();
}

static void ap_wakeup(struct test *t)
{
	unsigned int ap = first_ap(), i, n = 0;

	if (!ap) {
		test_skip(t, "one vCPU");
		return;
	}
	for (i = 0; i < AP_WAKE_SAMPLES; i++) {
		u64 t0;

		delay_ns(NSEC_PER_MSEC); /* it is back in HLT by now */
		t0 = rdtsc_ordered();
		smp_call(ap, stamp_work, NULL);
		if (!CHECK(t, smp_wait(ap, WORK_TIMEOUT_NS),
			   "CPU %u did not wake", ap))
			break;
		latency[n++] =
			ap_woke_at >= t0 ? tsc_to_ns(ap_woke_at - t0) : 0;
	}
	test_report_ns(t, "wake latency", latency, n);
}

DEFINE_SUITE(hlt, true, TEST_CASE(timer_wakeup), TEST_CASE(woken_by_ipi),
	     TEST_CASE(ap_wakeup));
