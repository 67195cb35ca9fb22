/*
 * The ACPI power management timer (arch/x86/pmtimer.c) as the clocksource
 * "acpi_pm" (rating 200): a free-running counter at 3.579545 MHz in the
 * FADT's PM_TMR_BLK (ACPI 6.5, 4.8.3.3 "Power Management Timer"), 24 bits
 * wide, or 32 when the FADT's TMR_VAL_EXT flag says so (5.2.9). It wraps
 * every 4.7 s (24 bits) or 20 minutes (32 bits); readers extend it with
 * clocksource_delta(). `acpi_pm=off` leaves it alone, `acpi_pm=24bit`
 * uses 24 bits even on a 32-bit timer (docs/command-line.md).
 *
 * Concurrency: pmtimer_init() runs on the boot CPU, first from
 * time_init() (tests may call it again: it returns the first result).
 * Reads are one IN instruction: safe from any context on any CPU.
 */
#ifndef ASM_X86_PMTIMER_H
#define ASM_X86_PMTIMER_H

#include <clocksource.h>
#include <types.h>

/* The PM timer's rate (ACPI 6.5, 4.8.3.3). */
#define PMTIMER_HZ 3579545UL

/*
 * Checks that the FADT names a PM timer on a platform with fixed hardware
 * and that it counts, then registers the clocksource; reports the outcome,
 * a refusal with its reason. Returns true if it is in use. Boot CPU;
 * idempotent: later calls return the first result.
 */
bool pmtimer_init(void);

/* The counter, masked to the width in use. */
u64 pmtimer_read(void);

/* The clocksource, for tests (registered if pmtimer_init() succeeded). */
extern struct clocksource pmtimer_clocksource;

#endif /* ASM_X86_PMTIMER_H */
