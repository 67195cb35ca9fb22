/*
 * Time: the TSC's rate, calibrated against the ACPI PM timer, and the
 * LAPIC timer's, calibrated against the TSC, each with an error bound.
 *
 * The bounds are what the "never early" checks allow: a timer programmed
 * for D TSC ticks (through the LAPIC timer's count) must not fire before
 * D * (1 - lapic_timer_error_ppm / 1e6) ticks after it was armed. The TSC
 * bound only matters where a time is printed in ns: the checks compare
 * TSC ticks with TSC ticks. The TSC-deadline timer needs no bound at all.
 */
#ifndef HVM_TIME_H
#define HVM_TIME_H

#include "arch.h"

#define NSEC_PER_USEC 1000ULL
#define NSEC_PER_MSEC 1000000ULL
#define NSEC_PER_SEC  1000000000ULL

#define ACPI_PM_TIMER_HZ 3579545 /* ACPI 6.5, 4.8.3.3 */

struct clock_calibration {
	u64 tsc_hz;
	u32 tsc_error_ppm;   /* against the PM timer: brackets and quantum */
	u64 tsc_window_ns;   /* how long the calibration measured */
	u64 lapic_hz;	     /* the LAPIC timer's input (divide by 1) */
	u32 lapic_error_ppm; /* of lapic_hz relative to the TSC */
};

extern struct clock_calibration clocks;

/*
 * Calibrates both (boot CPU, interrupts off, the LAPIC initialised): ~20
 * ms against the PM timer, ~10 ms for the LAPIC timer. Fatal without a PM
 * timer.
 */
void time_init(void);

static inline u64 tsc_to_ns(u64 ticks)
{
	return muldiv64(ticks, NSEC_PER_SEC, clocks.tsc_hz);
}

static inline u64 ns_to_tsc(u64 ns)
{
	return muldiv64(ns, clocks.tsc_hz, NSEC_PER_SEC);
}

/* Spins for at least ns (TSC-timed). */
void delay_ns(u64 ns);

/* Spins until *flag != 0 or ns have passed; returns *flag != 0. */
bool wait_flag(volatile u32 *flag, u64 ns);

/*
 * The TSC ticks a LAPIC timer count of count at divisor takes, at the
 * low end of the calibration's bound: a timer firing earlier is early.
 */
u64 lapic_count_min_tsc(u64 count, unsigned int divisor);

/* The LAPIC timer count (at divisor) that lasts at least ns. */
u64 lapic_count_for_ns(u64 ns, unsigned int divisor);

/* Reads the PM timer (masked to its width). */
u32 pm_timer_read(void);

#endif /* HVM_TIME_H */
