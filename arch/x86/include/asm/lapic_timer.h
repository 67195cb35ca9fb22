/*
 * The local APIC timer as a clock event device (arch/x86/lapic_timer.c),
 * in TSC-deadline mode where the CPU has it, else in one-shot mode with
 * the input rate calibrated against the same reference as the TSC. SDM
 * Vol. 3A, 11.5.4 (APIC Timer) and 11.5.4.1 (TSC-Deadline Mode).
 *
 * `lapic_timer=tsc-deadline|oneshot` forces a mode; TSC-deadline is
 * refused (with the reason, falling back to one-shot) without the CPUID
 * bit or without a TSC that is in sync on every CPU. `lapic_timer=off`
 * makes both modes unusable, so that every CPU falls back to the
 * broadcast of a global device (include/clockevent.h).
 *
 * Concurrency: the free-run calls are for tsc_calibrate() on the boot CPU
 * before the timer is in use; lapic_timer_init() runs once on the boot
 * CPU in time_init(); the device callbacks act on the calling CPU's LAPIC
 * (include/clockevent.h).
 */
#ifndef ASM_X86_LAPIC_TIMER_H
#define ASM_X86_LAPIC_TIMER_H

#include <clockevent.h>
#include <types.h>

/* The vector of every CPU's LAPIC timer interrupt. */
#define LOCAL_TIMER_VECTOR 0xfa

/* Starts the calling CPU's LAPIC timer counting down from 2^32 - 1,
 * divide by 1, interrupt masked. */
void lapic_timer_free_run_start(void);

/* Ticks counted since lapic_timer_free_run_start() (stops at 2^32 - 1). */
u64 lapic_timer_free_run_count(void);

/*
 * Registers the LAPIC devices with bus_hz (the timer's input rate, 0 if
 * it could not be measured), each with why it is unusable or refused,
 * and logs the mode the LAPIC timer would run in; clockevent_choose()
 * then picks among every registered device by rating.
 */
void lapic_timer_init(u64 bus_hz);

/* The devices, for tests (NULL if not registered). */
extern struct clock_event_device lapic_deadline_device;
extern struct clock_event_device lapic_oneshot_device;

#endif /* ASM_X86_LAPIC_TIMER_H */
