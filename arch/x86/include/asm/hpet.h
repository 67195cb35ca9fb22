/*
 * The HPET (arch/x86/hpet.c): IA-PC HPET (High Precision Event Timers)
 * Specification 1.0a. The first event timer block the ACPI HPET table
 * describes serves as
 *   - the clocksource "hpet" (rating 250): the main counter, 64-bit when
 *     COUNT_SIZE_CAP says so, else (or with `hpet=32bit`) its low 32 bits;
 *   - the clock event device "hpet" (rating 100, global, wired to the boot
 *     CPU): comparator 0, one-shot, edge-triggered, on ISA IRQ 0 through
 *     LegacyReplacement routing, which it shares with the PIT (see
 *     asm/platform_timer.h: the device whose setup() ran last owns IRQ 0).
 * `hpet=off` leaves the HPET alone entirely (docs/command-line.md).
 *
 * Concurrency: hpet_init() runs on the boot CPU, first from time_init()
 * (tests may call it again: it returns the first result). The counter
 * reads are safe from any context on any CPU. The clock event device
 * follows include/clockevent.h: programmed by the boot CPU, with
 * interrupts off or from its own handler; while it serves the broadcast,
 * from any CPU under the broadcast's lock (its interrupt still comes to
 * the boot CPU, whose handler races an arming only harmlessly: the
 * broadcast re-arms after every interrupt it is given).
 */
#ifndef ASM_X86_HPET_H
#define ASM_X86_HPET_H

#include <clockevent.h>
#include <clocksource.h>
#include <types.h>

/*
 * Maps and checks the HPET the ACPI table names (COUNTER_CLK_PERIOD
 * non-zero and at most 100 ns), resets and starts its main counter, checks
 * that it advances, and registers the clocksource and the clock event
 * device (the latter with why_unusable set if IRQ 0 cannot be reached).
 * Reports the outcome on the log, a refusal with its reason. Returns true
 * if the HPET is in use. Boot CPU; idempotent: later calls return the
 * first result.
 */
bool hpet_init(void);

/* The main counter as the clocksource reads it: in [0, its mask]. */
u64 hpet_read_counter(void);

/* The main counter's low 32 bits, read with a 32-bit access. */
u32 hpet_read_counter32(void);

/* The main counter's rate in Hz (rounded), 0 if the HPET is not in use. */
u64 hpet_hz(void);

/* True if the HPET runs in 32-bit mode (hardware, or `hpet=32bit`). */
bool hpet_is_32bit(void);

/* The devices, for tests (registered only if hpet_init() succeeded). */
extern struct clocksource hpet_clocksource;
extern struct clock_event_device hpet_event_device;

#endif /* ASM_X86_HPET_H */
