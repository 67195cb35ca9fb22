/*
 * Clock event devices: "interrupt me at absolute system time T". Each CPU
 * has one active device (the LAPIC timer, in TSC-deadline or one-shot
 * mode); the HPET comparator and the PIT are global devices wired to the
 * boot CPU, registered for the boot CPU's use and for tests. See
 * docs/time.md.
 *
 * The device contract (what a driver implements):
 *   set_next_event(dev, t) arms the device for absolute time t, with
 *   min_delta_ns <= t - NOW() <= max_delta_ns (the caller clamps), and
 *   returns true if an interrupt will come, at or after t; false if it may
 *   never come because t passed before the device was armed (a comparator
 *   that matches on equality would then wait for a full wrap). A
 *   count-down device always interrupts and may return true for a t just
 *   past. The interrupt calls dev->event_handler(dev) in IRQ context
 *   after acknowledging it.
 *
 * The per-CPU layer on top (reprogram_timer()) keeps each CPU's deadline,
 * clamps long deadlines to max_delta_ns and re-arms on the early
 * interrupt that clamping causes, so its handler only ever runs at or
 * after the deadline it asked for.
 *
 * Concurrency: a device is programmed only by the CPU it interrupts, with
 * interrupts off or from its own handler; reprogram_timer() and
 * clockevent_set_handler() act on the calling CPU only.
 */
#ifndef KAIROS_CLOCKEVENT_H
#define KAIROS_CLOCKEVENT_H

#include <types.h>

struct clock_event_device {
	const char *name;
	int rating;
	bool per_cpu; /* one per CPU (LAPIC); else one device for CPU 0 */
	s_time_t min_delta_ns;
	s_time_t max_delta_ns;
	/* Makes the device ready on the calling CPU (masked, not armed). */
	void (*setup)(struct clock_event_device *dev);
	bool (*set_next_event)(struct clock_event_device *dev, s_time_t t);
	/* Disarms: no interrupt until the next set_next_event(). */
	void (*shutdown)(struct clock_event_device *dev);
	void (*event_handler)(struct clock_event_device *dev);
	const char *why_unusable; /* NULL if usable */
};

/* Adds dev to the registry; a full registry is a bug (ASSERT). */
void clockevent_register(struct clock_event_device *dev);

/* The registered device with this name, or NULL. */
struct clock_event_device *clockevent_find(const char *name);

/* The i-th registered device in registration order, or NULL past the end. */
struct clock_event_device *clockevent_by_index(unsigned int i);

/*
 * Makes dev the calling CPU's device (a per-CPU one, or a global one on
 * CPU 0) and sets it up. Boot CPU in time_init(), each AP while it calls
 * in; interrupts off.
 */
void clockevent_bind_this_cpu(struct clock_event_device *dev);

/* The calling CPU's device, or NULL if it has none. */
struct clock_event_device *clockevent_this_cpu(void);

/*
 * Asks for an interrupt on the calling CPU at system time deadline, which
 * replaces any earlier request; 0 cancels. Returns true if the interrupt
 * is armed (or the request cancelled), false if the deadline is not in the
 * future (closer than the device's min_delta_ns): then nothing is armed
 * and the caller must run the expired work itself. The handler runs in IRQ
 * context, at or after the deadline, once per accepted request.
 * Interrupts off, or from the handler.
 */
bool reprogram_timer(s_time_t deadline);

/* The deadline the calling CPU is armed for; 0 if none. */
s_time_t clockevent_armed_deadline(void);

typedef void (*clockevent_handler_t)(void);

/*
 * Sets the function the calling CPU's timer interrupt calls (IRQ context)
 * when a reprogram_timer() deadline is reached (NULL: none, the interrupt
 * is only counted) and returns the previous one. The timer core installs
 * its own on every CPU; a test that borrows the device puts it back and
 * raises TIMER_SOFTIRQ so that the timers re-arm. Interrupts off.
 */
clockevent_handler_t clockevent_set_handler(clockevent_handler_t fn);

/* Interrupts that reached a handler / early ones re-armed, on this CPU. */
u64 clockevent_fired_count(void);
u64 clockevent_early_count(void);

#endif /* KAIROS_CLOCKEVENT_H */
