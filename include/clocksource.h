/*
 * Clocksources: free-running counters that can be read at any time, with
 * a rating that orders them (Linux's scale: 300 and above for a counter
 * that is fast and exact, 100-299 usable, below 100 a last resort). The
 * registry knows each counter's width and rate; callers extend wrapping
 * counters with clocksource_delta().
 *
 * The x86 ones: tsc (300 when invariant), hpet (250), acpi_pm (200),
 * pit (110). The `clocksource=` option names the one system time runs on;
 * clocksource_select() refuses an unusable choice with a message and takes
 * the best-rated usable one instead.
 *
 * Concurrency: registration and selection happen on the boot CPU during
 * boot, before the APs start; read() is safe from any context on any CPU
 * unless the clocksource says otherwise (the PIT's latch-and-read is
 * serialised by its own lock).
 */
#ifndef KAIROS_CLOCKSOURCE_H
#define KAIROS_CLOCKSOURCE_H

#include <types.h>

#define CLOCKSOURCE_MAX 8

/* What system time can rely on; set by the driver before registering. */
#define CLOCKSOURCE_IS_TSC	(1U << 0) /* read() is RDTSC: per CPU */
#define CLOCKSOURCE_UNSTABLE	(1U << 1) /* rate or sync not trusted */
#define CLOCKSOURCE_NOT_FOR_NOW (1U << 2) /* wraps too fast to keep time */

struct clocksource {
	const char *name;
	int rating;
	unsigned int flags;
	u64 (*read)(void); /* the counter, counting up, in [0, mask] */
	u64 mask;	   /* 2^width - 1 */
	u64 hz;		   /* nominal rate (the TSC's is calibrated) */
	/*
	 * Why system time cannot run on it (for the refusal message); NULL
	 * if it can. read() works either way: an unusable clocksource still
	 * serves calibration.
	 */
	const char *why_unusable;
};

/* Adds cs to the registry; a full registry is a bug (ASSERT). */
void clocksource_register(struct clocksource *cs);

/* The registered clocksource with this name, or NULL. */
struct clocksource *clocksource_find(const char *name);

/* The i-th registered clocksource by falling rating, or NULL past the end. */
struct clocksource *clocksource_by_rating(unsigned int i);

/*
 * The clocksource for system time: the `clocksource=` choice if it is
 * registered and usable for NOW() (no why_unusable, not
 * CLOCKSOURCE_NOT_FOR_NOW), otherwise the best-rated usable one; a refused
 * choice is reported on the log with the reason. NULL if none is usable.
 */
struct clocksource *clocksource_select(void);

/* The `clocksource=` option as given ("" if none). */
const char *clocksource_option(void);

/*
 * Why system time cannot run on cs, written into buf (its why_unusable,
 * or how fast it wraps), or NULL if it can.
 */
const char *clocksource_why_not(const struct clocksource *cs, char *buf,
				size_t size);

/* Why the last clocksource_select() took what it took, in words. */
const char *clocksource_selection_reason(void);

/* Ticks from then to now of a counter of width mask, across one wrap. */
static inline u64 clocksource_delta(u64 now, u64 then, u64 mask)
{
	return (now - then) & mask;
}

#endif /* KAIROS_CLOCKSOURCE_H */
