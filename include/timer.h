/*
 * Timers (common/timer.c), as in Xen: each CPU keeps its pending timers in
 * a heap with an overflow list (include/timer_queue.h); the LAPIC timer
 * interrupt only raises TIMER_SOFTIRQ, whose handler runs every expired
 * timer and arms the clock event device for the next deadline. A timer
 * fires no earlier than its expiry and no later than expiry + slack (plus
 * the hardware's latency), on the CPU it belongs to; the slack lets one
 * interrupt serve several timers (range timers, seed 002).
 *
 * Timer states: INACTIVE -> (set_timer) IN_HEAP or IN_LIST -> (expiry or
 * stop_timer) INACTIVE; kill_timer() -> KILLED from any state, for good.
 *
 * Concurrency (every call but kill_timer is safe from any context but NMI,
 * on any CPU, including from timer callbacks, its own included):
 *  - init_timer(): the timer must not be pending; makes it INACTIVE on cpu.
 *  - set_timer(), set_timer_range(): (re)arm; a pending timer is moved.
 *    Ignored on a KILLED timer.
 *  - stop_timer(): disarms; the callback may still be running (on the
 *    timer's CPU) when it returns.
 *  - migrate_timer(): moves the timer (pending or not) to new_cpu's queue,
 *    locking both CPUs' queues, lower CPU first.
 *  - kill_timer(): disarms for good; on return the callback is not running
 *    on any CPU. Not from the timer's own callback; may spin.
 *  - The callback runs in TIMER_SOFTIRQ on the timer's CPU, interrupts
 *    enabled, with no timer lock held; it may re-arm, stop, migrate or
 *    (not its own) kill timers.
 */
#ifndef KAIROS_TIMER_H
#define KAIROS_TIMER_H

#include <timer_queue.h>
#include <types.h>

/* A timer's slack that means "the global timer_slop" (default 50 us). */
#define TIMER_SLACK_DEFAULT ((s_time_t)-1)

void init_timer(struct timer *timer, void (*function)(void *data), void *data,
		unsigned int cpu);

/* Fires at expires, within the timer's slack (timer_set_slack()). */
void set_timer(struct timer *timer, s_time_t expires);

/* Fires within [expires, expires + slack]; slack >= 0. */
void set_timer_range(struct timer *timer, s_time_t expires, s_time_t slack);

/* The slack set_timer() uses for this timer (TIMER_SLACK_DEFAULT or >= 0). */
void timer_set_slack(struct timer *timer, s_time_t slack);

void stop_timer(struct timer *timer);
void migrate_timer(struct timer *timer, unsigned int new_cpu);
void kill_timer(struct timer *timer);

/* True if the timer is pending (IN_HEAP or IN_LIST). */
bool timer_is_active(const struct timer *timer);

/* The expiry last set (meaningful while active). */
s_time_t timer_expires(const struct timer *timer);

/* The global default slack, timer_slop= (ns). */
s_time_t timer_slop(void);

/* Per-CPU counters. */
struct timer_stats {
	u64 interrupts;	     /* timer interrupts taken */
	u64 softirqs;	     /* timer_softirq_action() runs */
	u64 expired;	     /* callbacks run */
	u64 reprograms;	     /* clock event device armed */
	u64 overflow_adds;   /* timers that went to the list */
	u64 heap_grows;	     /* heap reallocations */
	u64 heap_grow_fails; /* ... that failed (timers stayed on the list) */
	unsigned int pending;
	unsigned int heap_limit;
};
void timer_get_stats(unsigned int cpu, struct timer_stats *out);

/*
 * Prints every online CPU's heap and list: expiry relative to now, window,
 * callback symbol and data. Any context but NMI (takes each CPU's lock in
 * turn; bounded output per CPU).
 */
void dump_timerq(void);

/* Boot CPU, once, after time_init(): TIMER_SOFTIRQ and the interrupt. */
void timer_subsys_init(void);

/* Each CPU (boot CPU included) while it comes up: its clock event hook. */
void timer_cpu_init(void);

#endif /* KAIROS_TIMER_H */
