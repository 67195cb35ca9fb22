/*
 * System time: signed nanoseconds since the clocks were set up at boot
 * (time_init()), the same on every CPU. See docs/time.md for the sources,
 * the math and the error bounds.
 *
 * NOW() is monotonic on each CPU and across CPUs: a reading that
 * happens-before a reading on another CPU is never larger. With a
 * reliable TSC it is one RDTSC, a multiply and a shift (no division, no
 * lock, no shared cache line written); otherwise it reads the platform
 * clocksource (docs/time.md, "When the TSC cannot be trusted").
 *
 * Concurrency: NOW() and the conversions are safe from any context,
 * including IRQ and NMI, on any CPU, once time_init() has returned; before
 * that NOW() returns 0.
 */
#ifndef KAIROS_SYSTIME_H
#define KAIROS_SYSTIME_H

#include <types.h>

#define NSEC_PER_USEC 1000LL
#define NSEC_PER_MSEC 1000000LL
#define NSEC_PER_SEC  1000000000LL

#define NANOSECS(n)  ((s_time_t)(n))
#define MICROSECS(u) ((s_time_t)(u)*NSEC_PER_USEC)
#define MILLISECS(m) ((s_time_t)(m)*NSEC_PER_MSEC)
#define SECONDS(s)   ((s_time_t)(s)*NSEC_PER_SEC)
#define STIME_MAX    ((s_time_t)INT64_MAX)

/* System time now, in nanoseconds since time_init(). */
s_time_t get_s_time(void);
#define NOW() get_s_time()

/* True once time_init() has set the clocks up. */
bool time_ready(void);

/*
 * The TSC value at which system time will be (or was) t, on any CPU whose
 * TSC is in sync. For TSC-deadline programming. Only meaningful while
 * tsc_reliable(); rounds up, so the TSC reaches the value no earlier
 * than t.
 */
u64 stime_to_tsc(s_time_t t);

/*
 * The inverse: the earliest system time at which the TSC has passed
 * tsc (rounded up, so a timer set for it never fires before the TSC
 * reads tsc while NOW() follows the TSC). Any context.
 */
s_time_t tsc_to_stime(u64 tsc);

/* The calibrated TSC rate in Hz (0 before time_init()). */
u64 tsc_hz(void);

/* True if NOW() comes from the TSC (invariant, in sync on every CPU). */
bool tsc_reliable(void);

/* The clocksource NOW() reads ("tsc", "hpet", ...); "" before time_init(). */
const char *system_clock_name(void);

/*
 * The TSC-to-system-time record that NOW() uses, for guests' time-info
 * pages: NOW() = stime_stamp + scale_delta_signed(tsc - tsc_stamp).
 */
struct guest_time_record {
	u32 generation; /* changes whenever the record does */
	u64 tsc_stamp;
	s_time_t stime_stamp;
	u64 mul;
	unsigned int shift;
};

/*
 * Fills *r; returns false if system time does not come from the TSC (the
 * record then does not give NOW()). Any context.
 */
bool time_guest_record(struct guest_time_record *r);

/* A cheap check of whether time_guest_record() would give a new record. */
u32 time_guest_record_generation(void);

/* Busy-waits at least ns nanoseconds by NOW(); any context. */
void ndelay_spin(s_time_t ns);
#define udelay(us) ndelay_spin(MICROSECS(us))
#define mdelay(ms) ndelay_spin(MILLISECS(ms))

/*
 * The wall-clock time the boot read from the CMOS RTC, in seconds since
 * 1970-01-01 00:00 UTC as the RTC keeps it (PC firmware usually keeps
 * local time); -1 if there is no usable RTC.
 */
s64 boot_wallclock(void);

/*
 * Sets up time on the boot CPU: registers the platform clocksources,
 * calibrates the TSC, starts system time, reads the RTC, and reports all
 * of it on the log. Boot CPU, once, interrupts enabled or not, after
 * acpi_boot_init() and apic_init_boot_cpu(), before smp_boot_cpus().
 */
void time_init(void);

/*
 * After every CPU is up: checks that no CPU's TSC is behind another's (the
 * warp check of docs/time.md) and switches system time to the platform
 * clock if one is; then starts the clocks' own timers (the refinement, a
 * narrow platform counter's wrap guard). Boot CPU, once, interrupts
 * enabled, after timer_subsys_init().
 */
void time_init_late(void);

/* The AP's part, on itself while it calls in (IA32_TSC_ADJUST). */
void time_init_secondary(void);

#endif /* KAIROS_SYSTIME_H */
