/*
 * timer: the LAPIC timer as an OS's clock-event code uses it (Intel SDM
 * Vol. 3A 10.5.4): one-shot at several delays and divide settings,
 * periodic (the count of interrupts against the time elapsed, and no
 * burst after interrupts were held off), TSC-deadline (10.5.4.1: several
 * deadlines, zero disarms, a deadline in the past fires at once, a mode
 * change disarms, writes in the wrong mode are ignored), and masked.
 *
 * Every interrupt is checked never to be early: one-shot and periodic
 * against the LAPIC timer's calibration bound (time.h), TSC-deadline
 * against the deadline itself. The latency past the due time is bounded
 * by max_latency= (default 50 ms: TCG on shared host CPUs is noisy) and
 * reported as "# <suite>.<case> latency n= min= median= p99= max= ns".
 */
#include "hvmtest.h"
#include "lapic.h"
#include "probe.h"
#include "time.h"
#include "traps.h"

#define ONESHOT_ROUNDS	      3
#define PERIODIC_PERIODS      20
#define PERIODIC_HOLD_FROM    5 /* interrupts off after this many */
#define PERIODIC_HOLD_PERIODS 4
#define DEADLINE_ROUNDS	      3
/*
 * A timer disarmed before it is due must stay quiet: armed ARM_AHEAD_NS
 * ahead (long enough that a vCPU preempted between arming and disarming
 * does not see it fire), then watched for QUIET_WAIT_NS more.
 */
#define ARM_AHEAD_NS  (20 * NSEC_PER_MSEC)
#define QUIET_WAIT_NS (5 * NSEC_PER_MSEC)
#define MAX_SAMPLES   64

#define CPUID_1_ECX_TSC_DEADLINE (1U << 24)

static const u64 oneshot_delays_ns[] = {
	100 * NSEC_PER_USEC, 200 * NSEC_PER_USEC, 500 * NSEC_PER_USEC,
	1 * NSEC_PER_MSEC,   2 * NSEC_PER_MSEC,	  5 * NSEC_PER_MSEC,
	10 * NSEC_PER_MSEC,  20 * NSEC_PER_MSEC,
};

static const u64 deadline_delays_ns[] = {
	100 * NSEC_PER_USEC,
	1 * NSEC_PER_MSEC,
	5 * NSEC_PER_MSEC,
	20 * NSEC_PER_MSEC,
};

static struct probe timer_probe;
static u64 samples[MAX_SAMPLES];

/* How long to wait for an interrupt due in ns. */
static u64 wait_bound_ns(u64 ns)
{
	return ns + expect.max_latency_ns + 10 * NSEC_PER_MSEC;
}

static void timer_begin(void)
{
	lapic_timer_stop();
	probe_install(&timer_probe, VECTOR_TIMER);
}

static void timer_end(void)
{
	lapic_timer_stop();
	if (lapic_vector_bit(APIC_IRR, VECTOR_TIMER)) {
		/* A last expiry pending: let it in before the handler goes. */
		delay_ns(NSEC_PER_MSEC);
	}
	probe_remove(&timer_probe);
}

/* Signed TSC difference a - b in ns. */
static s64 signed_ns(u64 a, u64 b)
{
	return a >= b ? (s64)tsc_to_ns(a - b) : -(s64)tsc_to_ns(b - a);
}

/*
 * Judges one interrupt due at due (TSC), no earlier than earliest (TSC):
 * returns false (and fails the case) if early or too late; stores the
 * latency (ns, 0 if within the bound's early side) in *latency.
 */
static bool judge(struct test *t, const char *what, u64 stamp, u64 due,
		  u64 earliest, u64 *latency)
{
	s64 late = signed_ns(stamp, due);

	if (!CHECK(t, stamp >= earliest,
		   "%s: early by %ld ns (earliest allowed %ld ns before the "
		   "due time)",
		   what, -late, signed_ns(due, earliest)))
		return false;
	*latency = late > 0 ? (u64)late : 0;
	return CHECK(t, *latency <= expect.max_latency_ns,
		     "%s: %lu ns late (max_latency=%lu ns)", what,
		     (unsigned long)*latency,
		     (unsigned long)expect.max_latency_ns);
}

/* ---- One-shot --------------------------------------------------------- */

static bool oneshot_sample(struct test *t, u64 ns, unsigned int divisor,
			   u64 *latency)
{
	u64 count = lapic_count_for_ns(ns, divisor), t0, nominal;
	char what[48];

	snprintf(what, sizeof(what), "one-shot %lu us / %u",
		 (unsigned long)(ns / NSEC_PER_USEC), divisor);
	/* Stopped before the divisor changes: see divide_after_expiry. */
	lapic_write(APIC_TMICT, 0);
	timer_probe.count = 0;
	lapic_write(APIC_TDCR, lapic_tdcr_for(divisor));
	lapic_write(APIC_LVT_TIMER, LVT_TIMER_ONESHOT | VECTOR_TIMER);
	t0 = rdtsc_ordered();
	lapic_write(APIC_TMICT, (u32)count);
	if (!CHECK(t, wait_flag(&timer_probe.count, wait_bound_ns(ns)),
		   "%s: no interrupt", what))
		return false;
	nominal = muldiv64(count * divisor, clocks.tsc_hz, clocks.lapic_hz);
	if (!judge(t, what, timer_probe.stamp[0], t0 + nominal,
		   t0 + lapic_count_min_tsc(count, divisor), latency))
		return false;
	/* One-shot: the count stays at 0, and nothing more comes. */
	delay_ns(ns / 4 + 50 * NSEC_PER_USEC);
	return CHECK(t, lapic_read(APIC_TMCCT) == 0,
		     "%s: current count %u "
		     "after the interrupt",
		     what, lapic_read(APIC_TMCCT)) &&
	       CHECK(t, timer_probe.count == 1, "%s: %u interrupts", what,
		     timer_probe.count);
}

static void oneshot(struct test *t)
{
	unsigned int round, i, n = 0;

	timer_begin();
	for (round = 0; round < ONESHOT_ROUNDS; round++)
		for (i = 0; i < ARRAY_SIZE(oneshot_delays_ns); i++) {
			unsigned int divisor = 1U << ((i + round) % 8);

			if (!oneshot_sample(t, oneshot_delays_ns[i], divisor,
					    &samples[n]))
				goto out;
			n++;
		}
out:
	timer_end();
	test_report_ns(t, "latency", samples, n);
}

/* A zero initial count stops the timer; the current count counts down. */
static void oneshot_stop(struct test *t)
{
	u64 count = lapic_count_for_ns(ARM_AHEAD_NS, 1);
	u32 a, b;

	timer_begin();
	lapic_write(APIC_TDCR, lapic_tdcr_for(1));
	lapic_write(APIC_LVT_TIMER, LVT_TIMER_ONESHOT | VECTOR_TIMER);
	lapic_write(APIC_TMICT, (u32)count);
	a = lapic_read(APIC_TMCCT);
	delay_ns(100 * NSEC_PER_USEC);
	b = lapic_read(APIC_TMCCT);
	CHECK(t, a <= count && b < a, "current count %u then %u (initial %lu)",
	      a, b, (unsigned long)count);
	lapic_write(APIC_TMICT, 0);
	CHECK(t, lapic_read(APIC_TMCCT) == 0,
	      "current count %u after a zero "
	      "initial count",
	      lapic_read(APIC_TMCCT));
	delay_ns(ARM_AHEAD_NS + QUIET_WAIT_NS);
	CHECK(t, timer_probe.count == 0, "%u interrupts from a stopped timer",
	      timer_probe.count);
	timer_end();
}

/*
 * The divide configuration only scales a running count: written after a
 * one-shot timer expired, with the LVT timer written again as a driver
 * reprogramming the timer does, it starts nothing (10.5.4). Bare QEMU
 * (10.x) recomputes the spent count's expiry with the new divisor at the
 * LVT write and fires again.
 */
static void divide_after_expiry(struct test *t)
{
	u64 ns = 200 * NSEC_PER_USEC, count = lapic_count_for_ns(ns, 1);

	timer_begin();
	lapic_write(APIC_TDCR, lapic_tdcr_for(1));
	lapic_write(APIC_LVT_TIMER, LVT_TIMER_ONESHOT | VECTOR_TIMER);
	lapic_write(APIC_TMICT, (u32)count);
	if (CHECK(t, wait_flag(&timer_probe.count, wait_bound_ns(ns)),
		  "no interrupt")) {
		/* 128 times the spent count lasts 25.6 ms from its start. */
		lapic_write(APIC_TDCR, lapic_tdcr_for(128));
		lapic_write(APIC_LVT_TIMER, LVT_TIMER_ONESHOT | VECTOR_TIMER);
		delay_ns(128 * ns + QUIET_WAIT_NS);
		check_strict(t, timer_probe.count == 1,
			     "a divide configuration and LVT write after the "
			     "one-shot expired fired it again (%u interrupts)",
			     timer_probe.count);
	}
	timer_end();
}

static void masked(struct test *t)
{
	u64 count = lapic_count_for_ns(NSEC_PER_MSEC, 1);

	timer_begin();
	lapic_write(APIC_TDCR, lapic_tdcr_for(1));
	lapic_write(APIC_LVT_TIMER,
		    LVT_MASKED | LVT_TIMER_ONESHOT | VECTOR_TIMER);
	lapic_write(APIC_TMICT, (u32)count);
	delay_ns(NSEC_PER_MSEC + QUIET_WAIT_NS);
	CHECK(t, timer_probe.count == 0, "%u interrupts from a masked timer",
	      timer_probe.count);
	/* Masking stops the interrupt, not the count (10.5.4). */
	CHECK(t, lapic_read(APIC_TMCCT) == 0,
	      "current count %u: a masked timer stopped counting",
	      lapic_read(APIC_TMCCT));
	CHECK(t, !lapic_vector_bit(APIC_IRR, VECTOR_TIMER),
	      "the masked expiry is pending in IRR");
	/* Unmasking an expired one-shot timer delivers nothing either. */
	lapic_write(APIC_LVT_TIMER, LVT_TIMER_ONESHOT | VECTOR_TIMER);
	delay_ns(QUIET_WAIT_NS);
	CHECK(t, timer_probe.count == 0,
	      "%u interrupts after unmasking an expired timer",
	      timer_probe.count);
	timer_end();
}

/* ---- Periodic ---------------------------------------------------------- */

/*
 * PERIODIC_PERIODS interrupts of period ns; with hold, interrupts are
 * held off for PERIODIC_HOLD_PERIODS periods after PERIODIC_HOLD_FROM
 * of them: the expirations meanwhile collapse into one pending interrupt
 * (IRR holds one), so at most one arrives at once afterwards.
 */
static unsigned int periodic_run(struct test *t, u64 ns, unsigned int divisor,
				 bool hold, u64 *lat)
{
	u64 count = lapic_count_for_ns(ns, divisor), t0, period_min, nominal;
	unsigned int i, n;
	char what[48];

	snprintf(what, sizeof(what), "periodic %lu us / %u",
		 (unsigned long)(ns / NSEC_PER_USEC), divisor);
	nominal = muldiv64(count * divisor, clocks.tsc_hz, clocks.lapic_hz);
	period_min = lapic_count_min_tsc(count, divisor);
	timer_probe.count = 0;
	lapic_write(APIC_TDCR, lapic_tdcr_for(divisor));
	lapic_write(APIC_LVT_TIMER, LVT_TIMER_PERIODIC | VECTOR_TIMER);
	t0 = rdtsc_ordered();
	lapic_write(APIC_TMICT, (u32)count);
	if (hold) {
		u32 before, i_first;
		u64 sti_at, boundary, period_max;

		if (!CHECK(t,
			   wait_flag(&timer_probe.count,
				     wait_bound_ns(ns * PERIODIC_HOLD_FROM)),
			   "%s: no interrupt", what))
			goto stop;
		while (READ_ONCE(timer_probe.count) < PERIODIC_HOLD_FROM)
			cpu_relax();
		cli();
		before = timer_probe.count;
		delay_ns(ns * PERIODIC_HOLD_PERIODS + ns / 2);
		sti_at = rdtsc_ordered();
		sti();
		delay_ns(ns / 4);
		/*
		 * Until the first period boundary after STI only the one
		 * pending interrupt may arrive (IRR holds one); later ones
		 * may be the next periods', however late this vCPU ran.
		 * The boundary is the earliest that period could end with
		 * the calibration's error in every period so far: its index
		 * counted with the longest period the error allows, its time
		 * with the shortest (with the error of one period only, a
		 * run of ten periods drifted past it under load).
		 */
		period_max = 2 * nominal - period_min;
		boundary = t0 + ((sti_at - t0) / period_max + 1) * period_min;
		for (i = i_first = before;
		     i < timer_probe.count && i < PROBE_MAX_STAMPS; i++)
			if (timer_probe.stamp[i] >= boundary)
				break;
		CHECK(t, i - i_first <= 1,
		      "%s: %u interrupts at once after %u periods held off "
		      "(a burst)",
		      what, i - i_first, PERIODIC_HOLD_PERIODS);
	}
	for (i = 1; i <= PERIODIC_PERIODS; i++) {
		volatile u32 *c = &timer_probe.count;

		while (READ_ONCE(*c) < i) {
			if (rdtsc_ordered() - t0 >
			    ns_to_tsc(wait_bound_ns(
				    ns * (i + PERIODIC_HOLD_PERIODS + 1))))
				break;
			cpu_relax();
		}
		if (!CHECK(t, READ_ONCE(*c) >= i, "%s: interrupt %u never came",
			   what, i))
			break;
	}
stop:
	lapic_timer_stop();
	n = timer_probe.count < PERIODIC_PERIODS ? timer_probe.count
						 : PERIODIC_PERIODS;
	/*
	 * Interrupt i (from 1) is never before i periods; its latency is
	 * past the latest period boundary at or before it.
	 */
	for (i = 0; i < n; i++) {
		u64 stamp = timer_probe.stamp[i];
		u64 m = (stamp - t0) / nominal;

		if (m < i + 1)
			m = i + 1;
		if (!judge(t, what, stamp, t0 + m * nominal,
			   t0 + (i + 1) * period_min, &lat[i]))
			return i;
	}
	return n;
}

static void periodic(struct test *t)
{
	unsigned int n;

	timer_begin();
	n = periodic_run(t, NSEC_PER_MSEC, 16, true, samples);
	if (!t->failed)
		n += periodic_run(t, 500 * NSEC_PER_USEC, 1, false,
				  samples + n);
	timer_end();
	test_report_ns(t, "latency", samples, n);
}

/* ---- TSC-deadline -------------------------------------------------------- */

static bool need_tsc_deadline(struct test *t)
{
	if (cpuid(1).ecx & CPUID_1_ECX_TSC_DEADLINE)
		return true;
	if (expect.tsc_deadline)
		CHECK(t, false,
		      "no TSC-deadline timer (CPUID.1:ECX[24]), and "
		      "expect_tsc_deadline=1 expects it");
	else
		test_skip(t, "no TSC-deadline timer (CPUID.1:ECX[24])");
	return false;
}

/*
 * In xAPIC mode the MMIO write to the LVT must be ordered before a later
 * WRMSR of the deadline with MFENCE (10.5.4.1).
 */
static void deadline_mode(void)
{
	lapic_write(APIC_LVT_TIMER, LVT_TIMER_DEADLINE | VECTOR_TIMER);
	__asm__ __volatile__("mfence" ::: "memory");
}

static void tsc_deadline(struct test *t)
{
	unsigned int round, i, n = 0;

	if (!need_tsc_deadline(t))
		return;
	timer_begin();
	deadline_mode();
	for (round = 0; round < DEADLINE_ROUNDS; round++)
		for (i = 0; i < ARRAY_SIZE(deadline_delays_ns); i++) {
			u64 ns = deadline_delays_ns[i], deadline;
			u64 v;

			timer_probe.count = 0;
			deadline = rdtsc_ordered() + ns_to_tsc(ns);
			wrmsr(MSR_IA32_TSC_DEADLINE, deadline);
			if (!CHECK(t,
				   wait_flag(&timer_probe.count,
					     wait_bound_ns(ns)),
				   "deadline in %lu us: no interrupt",
				   (unsigned long)(ns / NSEC_PER_USEC)))
				goto out;
			/* Exact: the deadline is in TSC ticks already. */
			if (!judge(t, "TSC-deadline", timer_probe.stamp[0],
				   deadline, deadline, &samples[n]))
				goto out;
			n++;
			/* Firing disarms: the MSR reads 0 (10.5.4.1). */
			v = rdmsr(MSR_IA32_TSC_DEADLINE);
			if (!CHECK(t, v == 0,
				   "IA32_TSC_DEADLINE %#lx after the "
				   "interrupt",
				   (unsigned long)v))
				goto out;
		}
out:
	timer_end();
	test_report_ns(t, "latency", samples, n);
}

static void tsc_deadline_past(struct test *t)
{
	static const u64 past[] = {1, 0}; /* 1: long ago; 0: just before now */
	unsigned int i, n = 0;

	if (!need_tsc_deadline(t))
		return;
	timer_begin();
	deadline_mode();
	for (i = 0; i < ARRAY_SIZE(past); i++) {
		u64 written, deadline;

		timer_probe.count = 0;
		written = rdtsc_ordered();
		deadline = past[i] ? past[i] : written - 1;
		wrmsr(MSR_IA32_TSC_DEADLINE, deadline);
		if (!CHECK(t, wait_flag(&timer_probe.count, wait_bound_ns(0)),
			   "deadline %#lx in the past: no interrupt",
			   (unsigned long)deadline))
			break;
		if (!judge(t, "past deadline", timer_probe.stamp[0], written,
			   written, &samples[n]))
			break;
		n++;
	}
	timer_end();
	test_report_ns(t, "latency", samples, n);
}

/* Arms, disturbs, and checks that nothing fires; false if something did. */
static bool quiet(struct test *t, const char *what)
{
	delay_ns(ARM_AHEAD_NS + QUIET_WAIT_NS);
	return CHECK(t, timer_probe.count == 0, "%s: %u interrupts", what,
		     timer_probe.count);
}

static void tsc_deadline_disarm(struct test *t)
{
	u64 count = lapic_count_for_ns(ARM_AHEAD_NS, 1);

	if (!need_tsc_deadline(t))
		return;
	timer_begin();
	timer_probe.count = 0;
	/* Writing 0 disarms. */
	deadline_mode();
	wrmsr(MSR_IA32_TSC_DEADLINE, rdtsc_ordered() + ns_to_tsc(ARM_AHEAD_NS));
	wrmsr(MSR_IA32_TSC_DEADLINE, 0);
	if (!quiet(t, "deadline then 0"))
		goto out;
	/* Leaving TSC-deadline mode disarms. */
	wrmsr(MSR_IA32_TSC_DEADLINE, rdtsc_ordered() + ns_to_tsc(ARM_AHEAD_NS));
	lapic_write(APIC_LVT_TIMER, LVT_TIMER_ONESHOT | VECTOR_TIMER);
	if (!quiet(t, "deadline, then one-shot mode"))
		goto out;
	/* The modes are exclusive: in one-shot mode a deadline arms nothing. */
	wrmsr(MSR_IA32_TSC_DEADLINE, rdtsc_ordered() + ns_to_tsc(ARM_AHEAD_NS));
	if (!quiet(t, "a deadline written in one-shot mode"))
		goto out;
	/* Entering TSC-deadline mode disarms a running one-shot count. */
	lapic_write(APIC_TDCR, lapic_tdcr_for(1));
	lapic_write(APIC_TMICT, (u32)count);
	deadline_mode();
	if (!quiet(t, "one-shot count, then TSC-deadline mode"))
		goto out;
	/* In TSC-deadline mode the initial count is ignored. */
	lapic_write(APIC_TMICT, (u32)count);
	CHECK(t, lapic_read(APIC_TMCCT) == 0,
	      "current count %u in TSC-deadline mode", lapic_read(APIC_TMCCT));
	quiet(t, "an initial count written in TSC-deadline mode");
out:
	wrmsr(MSR_IA32_TSC_DEADLINE, 0);
	timer_end();
}

DEFINE_SUITE(timer, true, TEST_CASE(oneshot), TEST_CASE(oneshot_stop),
	     TEST_CASE(divide_after_expiry), TEST_CASE(masked),
	     TEST_CASE(periodic), TEST_CASE(tsc_deadline),
	     TEST_CASE(tsc_deadline_past), TEST_CASE(tsc_deadline_disarm));
