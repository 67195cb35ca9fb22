/*
 * Clock event devices: "interrupt me at absolute system time T". Each CPU
 * binds one device, chosen by rating (clockevent_choose()): the LAPIC
 * timer, in TSC-deadline or one-shot mode, where it is usable; else the
 * broadcast of a global device (the HPET's comparator 0 or the PIT's
 * channel 0, wired to the boot CPU), which serves every CPU's deadline
 * as Linux's tick broadcast does (common/clockevent_broadcast.c). See
 * docs/time.md.
 *
 * The device contract (what a driver implements):
 *   set_next_event(dev, t) arms the device for absolute time t, with
 *   min_delta_ns <= t - NOW() <= max_delta_ns (the caller clamps; 0 for
 *   max_delta_ns: no limit), and returns true if an interrupt will come,
 *   at or after t; false if it may never come because t passed before the
 *   device was armed (a comparator that matches on equality would then
 *   wait for a full wrap). A count-down device always interrupts and may
 *   return true for a t just past. The interrupt calls
 *   dev->event_handler(dev) in IRQ context after acknowledging it.
 *
 * The per-CPU layer on top (reprogram_timer()) keeps each CPU's deadline,
 * clamps long deadlines to max_delta_ns and re-arms on the early
 * interrupt that clamping causes, so its handler only ever runs at or
 * after the deadline it asked for.
 *
 * Concurrency: a per-CPU device is programmed only by the CPU it
 * interrupts, with interrupts off or from its own handler. A global
 * device serving the broadcast is programmed by the broadcast alone,
 * under its lock, from whichever CPU publishes a deadline; outside the
 * broadcast (tests, benchmarks) only by the boot CPU. reprogram_timer()
 * and clockevent_set_handler() act on the calling CPU only.
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
	/*
	 * Usable, but the command line passed it over (lapic_timer=oneshot
	 * for TSC-deadline mode): never chosen, still there for tests.
	 */
	const char *why_refused;
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

/*
 * Chooses the device every CPU binds: the usable, not refused, registered
 * device of the highest rating (equal ratings: the first registered). A
 * per-CPU device is returned as it is; a global one is returned as its
 * broadcast, started here. Logs the choice and why each better-rated
 * device was passed over. NULL if no device can be used. Boot CPU,
 * interrupts off, once every device is registered; again after one became
 * unusable (the caller then rebinds every CPU).
 */
struct clock_event_device *clockevent_choose(void);

/* Why dev cannot be chosen (unusable, or refused), or NULL if it can. */
const char *clockevent_why_not_chosen(const struct clock_event_device *dev);

/* Why the last clockevent_choose() chose what it chose, in words. */
const char *clockevent_choice_reason(void);

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

/* ------------------------------------------------------------------ */
/* The broadcast (common/clockevent_broadcast.c)                       */

/*
 * Where only a global device is usable, every CPU binds the broadcast
 * device (per_cpu, rated as the global device). Binding it on a CPU adds
 * the CPU to the broadcast; through it, the CPU publishes the deadline it
 * asks for. The global device is kept armed for the earliest published
 * deadline (never before it; past the device's reach, as far as it
 * reaches, and re-armed from there). Its interrupt, on the boot CPU,
 * takes every deadline that has come (or is closer than the device's
 * minimum) out of the broadcast and delivers it: on the boot CPU by
 * running its handler in place, on every other CPU by the timer broadcast
 * IPI, whose handler calls clockevent_broadcast_receive(). The per-CPU
 * layer then runs the CPU's handler at or after its deadline, as with a
 * device of its own.
 *
 * Concurrency: the published deadlines, the set of CPUs and the global
 * device's programming are under one spinlock, taken with interrupts off;
 * a CPU writes only its own deadline, and the delivery (IPIs, the handler
 * run in place) comes after the lock is dropped, so that a handler may
 * publish again at once.
 */

/*
 * Makes global the broadcast's device (its interrupt handler is taken,
 * the device set up) and returns the broadcast device to bind on each
 * CPU. Boot CPU, interrupts off.
 */
struct clock_event_device *
clockevent_broadcast_start(struct clock_event_device *global);

/* The global device serving the broadcast, or NULL if none was started. */
struct clock_event_device *clockevent_broadcast_global(void);

/* True if the calling CPU's device is the broadcast. */
bool clockevent_on_broadcast(void);

/*
 * The timer broadcast IPI's handler (IRQ context, after the EOI): runs
 * the calling CPU's clock event interrupt if the CPU is on the broadcast;
 * otherwise (it left the broadcast while the IPI was on its way) counts
 * it as stray.
 */
void clockevent_broadcast_receive(void);

struct clockevent_broadcast_stats {
	unsigned int cpus;  /* CPUs that have bound the broadcast */
	u64 interrupts;	    /* of the global device */
	u64 ipis;	    /* timer broadcast IPIs sent */
	u64 stray;	    /* IPIs that found their CPU off the broadcast */
	s_time_t armed_for; /* the earliest published deadline; 0: none */
};

/* A snapshot of the broadcast's counters (any context but NMI). */
void clockevent_broadcast_get_stats(struct clockevent_broadcast_stats *st);

/*
 * True if the broadcast's invariant holds: the global device is armed for
 * the earliest published deadline (none: disarmed). For tests; any
 * context but NMI.
 */
bool clockevent_broadcast_consistent(void);

/*
 * Logs which CPUs use the broadcast and of which device, one line; nothing
 * if the broadcast was not started. After the APs are up, boot CPU.
 */
void clockevent_broadcast_report(void);

#endif /* KAIROS_CLOCKEVENT_H */
