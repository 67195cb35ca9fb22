/*
 * The local APIC timer: TSC-deadline and one-shot modes behind the clock
 * event interface. SDM Vol. 3A, 11.5.4 and 11.5.4.1.
 */
#include <asm/apic.h>
#include <asm/lapic_timer.h>
#include <asm/processor.h>
#include <asm/traps.h>
#include <asm/tsc.h>
#include <errno.h>
#include <panic.h>
#include <param.h>
#include <percpu.h>
#include <printk.h>
#include <string.h>
#include <systime.h>
#include <time_scale.h>

/* LVT timer modes, bits 18:17 (SDM Vol. 3A, 11.5.1, figure 11-8). */
#define LVT_TIMER_ONESHOT     (0U << 17)
#define LVT_TIMER_TSCDEADLINE (2U << 17)
/* Divide configuration 1011b: divide by 1 (SDM Vol. 3A, figure 11-10). */
#define TIMER_DIVIDE_BY_1 0xb
#define TIMER_MAX_COUNT	  0xffffffffULL
/*
 * Closer deadlines are not worth an interrupt: the entry alone takes
 * about this long, and the caller can run the work itself.
 */
#define LAPIC_MIN_DELTA_NS 1000
/* TSC-deadline reaches centuries; a year keeps every sum far from s64's end. */
#define DEADLINE_MAX_DELTA_NS SECONDS(365LL * 24 * 3600)

enum lapic_timer_choice {
	CHOOSE_AUTO,
	CHOOSE_DEADLINE,
	CHOOSE_ONESHOT,
	CHOOSE_OFF
};
static enum lapic_timer_choice opt_lapic_timer = CHOOSE_AUTO;

static int __init parse_lapic_timer(const char *value)
{
	if (value && strcmp(value, "tsc-deadline") == 0)
		opt_lapic_timer = CHOOSE_DEADLINE;
	else if (value && strcmp(value, "oneshot") == 0)
		opt_lapic_timer = CHOOSE_ONESHOT;
	else if (value && strcmp(value, "auto") == 0)
		opt_lapic_timer = CHOOSE_AUTO;
	else if (value && strcmp(value, "off") == 0)
		opt_lapic_timer = CHOOSE_OFF;
	else
		return -EINVAL;
	return 0;
}
custom_param("lapic_timer", parse_lapic_timer,
	     "lapic_timer=tsc-deadline|oneshot|auto|off");

/* Nanoseconds to LAPIC timer ticks at divide by 1. */
static struct time_scale ns_to_bus;

/* ------------------------------------------------------------------ */
/* Free-running count, for calibration                                 */

void lapic_timer_free_run_start(void)
{
	apic_write(APIC_LVT_TIMER,
		   APIC_LVT_MASKED | LVT_TIMER_ONESHOT | LOCAL_TIMER_VECTOR);
	apic_write(APIC_TIMER_DCR, TIMER_DIVIDE_BY_1);
	apic_write(APIC_TIMER_ICR, (u32)TIMER_MAX_COUNT);
}

u64 lapic_timer_free_run_count(void)
{
	return TIMER_MAX_COUNT - apic_read(APIC_TIMER_CCR);
}

/* ------------------------------------------------------------------ */
/* The interrupt                                                       */

/* The mode the calling CPU's timer was last set up in owns its interrupt. */
static DEFINE_PER_CPU(struct clock_event_device *, lapic_mode);

static void lapic_timer_interrupt(struct cpu_user_regs *regs)
{
	struct clock_event_device *dev = this_cpu(lapic_mode);

	apic_eoi();
	if (dev && dev->event_handler)
		dev->event_handler(dev);
}

/* ------------------------------------------------------------------ */
/* TSC-deadline mode                                                   */

static void deadline_setup(struct clock_event_device *dev)
{
	this_cpu(lapic_mode) = dev;
	apic_write(APIC_TIMER_ICR, 0);
	apic_write(APIC_LVT_TIMER, LVT_TIMER_TSCDEADLINE | LOCAL_TIMER_VECTOR);
	/*
	 * SDM Vol. 3A, 11.5.4.1: in xAPIC mode the LVT write is a memory
	 * write that a later WRMSR to IA32_TSC_DEADLINE may pass; MFENCE
	 * keeps the deadline from landing while the timer is still in the
	 * old mode.
	 */
	__asm__ __volatile__("mfence" ::: "memory");
	wrmsr(MSR_IA32_TSC_DEADLINE, 0);
}

static bool deadline_set_next_event(struct clock_event_device *dev, s_time_t t)
{
	wrmsr(MSR_IA32_TSC_DEADLINE, stime_to_tsc(t));
	return NOW() < t;
}

static void deadline_shutdown(struct clock_event_device *dev)
{
	wrmsr(MSR_IA32_TSC_DEADLINE, 0); /* 0 disarms (11.5.4.1) */
}

struct clock_event_device lapic_deadline_device = {
	.name = "tsc-deadline",
	.rating = 300,
	.per_cpu = true,
	.min_delta_ns = LAPIC_MIN_DELTA_NS,
	.max_delta_ns = DEADLINE_MAX_DELTA_NS,
	.setup = deadline_setup,
	.set_next_event = deadline_set_next_event,
	.shutdown = deadline_shutdown,
};

/* ------------------------------------------------------------------ */
/* One-shot mode                                                       */

static void oneshot_setup(struct clock_event_device *dev)
{
	this_cpu(lapic_mode) = dev;
	if (tsc_features.deadline)
		wrmsr(MSR_IA32_TSC_DEADLINE, 0);
	apic_write(APIC_TIMER_ICR, 0);
	apic_write(APIC_TIMER_DCR, TIMER_DIVIDE_BY_1);
	apic_write(APIC_LVT_TIMER, LVT_TIMER_ONESHOT | LOCAL_TIMER_VECTOR);
}

/*
 * The count is rounded up from the calibrated rate; if the rate was
 * measured high the interrupt comes late, if low, early by the error, and
 * the clock event layer re-arms for the rest (include/clockevent.h).
 */
static bool oneshot_set_next_event(struct clock_event_device *dev, s_time_t t)
{
	s_time_t delta = t - NOW();
	u64 count;

	if (delta <= 0)
		return false;
	count = scale_delta_ceil((u64)delta, &ns_to_bus);
	if (count == 0)
		count = 1;
	if (count > TIMER_MAX_COUNT)
		count = TIMER_MAX_COUNT;
	apic_write(APIC_TIMER_ICR, (u32)count);
	return NOW() < t;
}

static void oneshot_shutdown(struct clock_event_device *dev)
{
	apic_write(APIC_TIMER_ICR, 0); /* a zero count stops the timer */
}

struct clock_event_device lapic_oneshot_device = {
	.name = "lapic-oneshot",
	.rating = 250,
	.per_cpu = true,
	.min_delta_ns = LAPIC_MIN_DELTA_NS,
	.setup = oneshot_setup,
	.set_next_event = oneshot_set_next_event,
	.shutdown = oneshot_shutdown,
};

/* ------------------------------------------------------------------ */
/* Choosing                                                            */

/* Why TSC-deadline mode cannot be used; NULL if it can. */
static const char *deadline_unusable(void)
{
	if (!tsc_features.deadline)
		return "the CPU has no TSC-deadline timer (CPUID 1:ECX[24])";
	if (!tsc_reliable())
		return "the TSC is not in sync on every CPU";
	return NULL;
}

/* Sets the one-shot device's limits from bus_hz; why it is unusable. */
static const char *oneshot_prepare(u64 bus_hz)
{
	if (bus_hz == 0)
		return "the LAPIC timer did not count during calibration";
	time_scale_init(&ns_to_bus, NSEC_PER_SEC, bus_hz);
	lapic_oneshot_device.max_delta_ns =
		(s_time_t)(TIMER_MAX_COUNT * NSEC_PER_SEC / bus_hz);
	return NULL;
}

#define CPUID_6_EAX_ARAT (1U << 2)

/* CPUID 6:EAX[2], ARAT: the LAPIC timer keeps counting in every C-state. */
static bool lapic_timer_always_runs(void)
{
	struct cpuid_regs r;

	cpuid(0, &r);
	if (r.eax < 6)
		return false;
	cpuid(6, &r);
	return r.eax & CPUID_6_EAX_ARAT;
}

/*
 * Says whether the timer survives deep C-states. Without ARAT it stops in
 * C3 and deeper (SDM Vol. 3A, 11.5.4); Kairos's idle loop enters only C1
 * (STI; HLT, arch/x86/setup.c) and never MWAIT, so it keeps running.
 */
static void report_arat(void)
{
	if (lapic_timer_always_runs())
		pr_info("LAPIC timer: always running (ARAT, CPUID 6:EAX[2])\n");
	else
		pr_warn("LAPIC timer: no ARAT (CPUID 6:EAX[2] clear): deep C-states would stop it; idle uses only HLT (C1), where it runs\n");
}

/* Why lapic_timer=off: no LAPIC timer mode is used. */
#define LAPIC_TIMER_OFF "lapic_timer=off"

/* The mode every CPU will use, or NULL if neither is usable. */
static struct clock_event_device *preferred_mode(void)
{
	if (!lapic_deadline_device.why_unusable &&
	    !lapic_deadline_device.why_refused)
		return &lapic_deadline_device;
	if (!lapic_oneshot_device.why_unusable)
		return &lapic_oneshot_device;
	return NULL;
}

void lapic_timer_init(u64 bus_hz)
{
	struct clock_event_device *dev;

	lapic_deadline_device.why_unusable = deadline_unusable();
	lapic_oneshot_device.why_unusable = oneshot_prepare(bus_hz);
	if (opt_lapic_timer == CHOOSE_OFF) {
		lapic_deadline_device.why_unusable = LAPIC_TIMER_OFF;
		lapic_oneshot_device.why_unusable = LAPIC_TIMER_OFF;
	}
	if (opt_lapic_timer == CHOOSE_ONESHOT)
		lapic_deadline_device.why_refused = "lapic_timer=oneshot";
	clockevent_register(&lapic_deadline_device);
	clockevent_register(&lapic_oneshot_device);
	set_irq_handler(LOCAL_TIMER_VECTOR, lapic_timer_interrupt);

	if (opt_lapic_timer == CHOOSE_DEADLINE &&
	    lapic_deadline_device.why_unusable)
		pr_warn("LAPIC timer: tsc-deadline refused: %s; using one-shot\n",
			lapic_deadline_device.why_unusable);
	dev = preferred_mode();
	if (dev)
		report_arat();
	if (dev)
		pr_info("LAPIC timer: %s mode%s, input %lu.%03lu MHz, max %lu ms per shot\n",
			dev == &lapic_deadline_device ? "TSC-deadline"
						      : "one-shot",
			opt_lapic_timer == CHOOSE_AUTO ? "" : " (lapic_timer=)",
			(unsigned long)(bus_hz / 1000000),
			(unsigned long)(bus_hz / 1000 % 1000),
			(unsigned long)(dev->max_delta_ns / NSEC_PER_MSEC));
	else if (opt_lapic_timer == CHOOSE_OFF)
		pr_info("LAPIC timer: off (lapic_timer=off): not used on any CPU\n");
	else
		pr_err("LAPIC timer: unusable: %s\n",
		       lapic_oneshot_device.why_unusable);
}
