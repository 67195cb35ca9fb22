/*
 * Calibration. Each reading of another clock is bracketed by two TSC
 * reads; the narrowest of several brackets is kept, and its width is the
 * TSC reading's uncertainty. Over a window of W TSC ticks with brackets
 * b0 and b1 wide, and a reference that counts n of its own ticks with a
 * quantum of one tick at each end, the rate's error is at most
 * (b0 + b1) / W + 2 / n, stated in ppm (rounded up).
 */
#include "acpi.h"
#include "lapic.h"
#include "time.h"
#include "traps.h"

#define TSC_WINDOW_NS	(20 * NSEC_PER_MSEC)
#define LAPIC_WINDOW_NS (10 * NSEC_PER_MSEC)
#define BRACKET_TRIES	8

struct clock_calibration clocks;

u32 pm_timer_read(void)
{
	u32 v = inl(acpi.pm_timer_port);

	return acpi.pm_timer_32bit ? v : v & 0xffffff;
}

struct bracket {
	u64 tsc;   /* the middle of the bracket */
	u64 width; /* its width in TSC ticks */
	u32 value; /* what the other clock read */
};

static struct bracket bracket_pm(void)
{
	struct bracket best = {.width = ~0ULL};
	unsigned int i;

	for (i = 0; i < BRACKET_TRIES; i++) {
		u64 a = rdtsc_ordered();
		u32 v = pm_timer_read();
		u64 b = rdtsc_ordered();

		if (b - a < best.width)
			best = (struct bracket){a + (b - a) / 2, b - a, v};
	}
	return best;
}

static struct bracket bracket_lapic(void)
{
	struct bracket best = {.width = ~0ULL};
	unsigned int i;

	for (i = 0; i < BRACKET_TRIES; i++) {
		u64 a = rdtsc_ordered();
		u32 v = lapic_read(APIC_TMCCT);
		u64 b = rdtsc_ordered();

		if (b - a < best.width)
			best = (struct bracket){a + (b - a) / 2, b - a, v};
	}
	return best;
}

/* The error bound in ppm, rounded up: (b0 + b1) / window + 2 / ticks. */
static u32 error_ppm(u64 b0, u64 b1, u64 window, u64 ticks)
{
	return (u32)(((b0 + b1) * 1000000 + window - 1) / window +
		     (2000000 + ticks - 1) / ticks);
}

static void calibrate_tsc(void)
{
	u32 mask = acpi.pm_timer_32bit ? 0xffffffff : 0xffffff;
	/* The window in PM ticks; the TSC's rate is not known yet. */
	u64 want = muldiv64(TSC_WINDOW_NS, ACPI_PM_TIMER_HZ, NSEC_PER_SEC);
	struct bracket start = bracket_pm(), end;
	u64 ticks = 0;
	u32 last = start.value;

	/* Poll, adding each step modulo the counter's width: wraps are fine. */
	do {
		u32 now = pm_timer_read();

		ticks += (now - last) & mask;
		last = now;
	} while (ticks < want);
	end = bracket_pm();
	ticks += (end.value - last) & mask;
	clocks.tsc_hz = muldiv64(end.tsc - start.tsc, ACPI_PM_TIMER_HZ, ticks);
	clocks.tsc_error_ppm =
		error_ppm(start.width, end.width, end.tsc - start.tsc, ticks);
	clocks.tsc_window_ns = muldiv64(ticks, NSEC_PER_SEC, ACPI_PM_TIMER_HZ);
}

static void calibrate_lapic_timer(void)
{
	struct bracket start, end;
	u64 counted;

	lapic_write(APIC_TDCR, lapic_tdcr_for(1));
	lapic_write(APIC_LVT_TIMER,
		    LVT_MASKED | LVT_TIMER_ONESHOT | VECTOR_TIMER);
	lapic_write(APIC_TMICT, 0xffffffff);
	start = bracket_lapic();
	delay_ns(LAPIC_WINDOW_NS);
	end = bracket_lapic();
	lapic_timer_stop();
	counted = start.value - end.value;
	if (end.value == 0 || counted == 0)
		fatal("LAPIC timer calibration: the count went from %u to %u",
		      start.value, end.value);
	clocks.lapic_hz = muldiv64(counted, clocks.tsc_hz, end.tsc - start.tsc);
	clocks.lapic_error_ppm =
		error_ppm(start.width, end.width, end.tsc - start.tsc, counted);
}

void time_init(void)
{
	if (!acpi.pm_timer_port)
		fatal("no ACPI PM timer in I/O space (FADT PM_TMR_BLK/X_PM_TMR_BLK)");
	calibrate_tsc();
	calibrate_lapic_timer();
}

void delay_ns(u64 ns)
{
	u64 start = rdtsc_ordered(), ticks = ns_to_tsc(ns);

	while (rdtsc_ordered() - start < ticks)
		cpu_relax();
}

bool wait_flag(volatile u32 *flag, u64 ns)
{
	u64 start = rdtsc_ordered(), ticks = ns_to_tsc(ns);

	while (!READ_ONCE(*flag)) {
		if (rdtsc_ordered() - start >= ticks)
			return READ_ONCE(*flag) != 0;
		cpu_relax();
	}
	return true;
}

u64 lapic_count_min_tsc(u64 count, unsigned int divisor)
{
	u64 ticks = muldiv64(count * divisor, clocks.tsc_hz, clocks.lapic_hz);

	return ticks - muldiv64(ticks, clocks.lapic_error_ppm, 1000000);
}

u64 lapic_count_for_ns(u64 ns, unsigned int divisor)
{
	u64 per = (u64)divisor * NSEC_PER_SEC;

	return ((unsigned __int128)ns * clocks.lapic_hz + per - 1) / per;
}
