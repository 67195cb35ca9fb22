/*
 * The platform timers on the real devices: every non-TSC clocksource
 * advances at its nominal rate, timed by the PIT and independent of
 * NOW(); the HPET's 32-bit reads and the PM timer's 24-bit wrap; the RTC
 * gives a plausible date; the HPET and PIT clock event devices fire at or
 * after a deadline 2 ms ahead (these need NOW()), hand IRQ 0 over to each
 * other, and stay quiet once shut down or refused.
 *
 * Boot CPU only: the devices are global and wired to it. Each case calls
 * the drivers' init functions itself (they are idempotent), so the suite
 * does not depend on what time_init() chose.
 */
#include <acpi.h>
#include <asm/delay.h>
#include <asm/hpet.h>
#include <asm/io.h>
#include <asm/pit.h>
#include <asm/platform_timer.h>
#include <asm/pmtimer.h>
#include <asm/rtc.h>
#include <clockevent.h>
#include <clocksource.h>
#include <irq.h>
#include <ktest.h>
#include <printk.h>
#include <systime.h>

/*
 * Rates: a window of one full PIT count (mode 0, 65535 ticks, 54.9 ms),
 * or of the same length on a reference, read so that the true window is
 * bracketed (see struct window). Under emulation a host preemption can
 * hide the window's end for milliseconds: a try whose bracket is wider
 * than the tolerance proves nothing and is retried.
 */
#define RATE_TOLERANCE_PPM 20000 /* 2%: the clocks, and the bracket */
#define RATE_TRIES	   10
#define PPM		   1000000ULL
#define WINDOW_PIT_TICKS   PIT_MAX_COUNT
/* Far longer than a full PIT count (55 ms) even on a slow emulator. */
#define OUT2_SPINS_MAX 200000000UL
/* Polls of a reference while the PIT is tracked against it; bounded. */
#define TRACK_POLLS_MAX 100000000UL
/* Reads within which a running counter must change. */
#define ADVANCE_SPINS 1000000U

/* 2024-01-01 00:00 UTC (Bochs's time0 in the harness) and 2100-01-01. */
#define PLAUSIBLE_SECS_MIN 1704067200LL
#define PLAUSIBLE_SECS_MAX 4102444800LL

/* Clock event devices: how far ahead, how long to wait, quiet period. */
#define EVENT_LEAD  MILLISECS(2)
#define EVENT_WAIT  SECONDS(1)
#define EVENT_QUIET MILLISECS(10)
/*
 * Tries at arming EVENT_LEAD ahead, or at shutting down before the
 * deadline. Under TCG on a loaded host the vCPU can stall for milliseconds
 * inside one HPET register access (3 to 13 ms measured, against
 * EVENT_LEAD's 2), so the deadline may really pass while a comparator is
 * programmed (refusing it is then right) or before the shutdown.
 */
#define ARM_TRIES 5

static void init_platform_timers(void)
{
	hpet_init();
	pmtimer_init();
	pit_init();
}

/* ---------------------------------------------------------------------------
 * Clocksources
 */

/*
 * Ticks a counter made over a window: in [lo, hi] for certain, want if the
 * counter runs at its nominal rate.
 */
struct window {
	u64 lo, hi, want;
};

/* The bracket is narrow enough to judge, and the nominal rate fits it. */
static bool window_agrees(const struct window *w)
{
	u64 slack = w->want * RATE_TOLERANCE_PPM / PPM;

	return w->hi - w->lo <= slack && w->lo <= w->want + slack &&
	       w->hi + slack >= w->want;
}

/* How far the bracket's middle is from want, in ppm. */
static u64 window_error_ppm(const struct window *w)
{
	u64 mid = w->lo + (w->hi - w->lo) / 2;

	return (mid > w->want ? mid - w->want : w->want - mid) * PPM / w->want;
}

/*
 * Ticks of cs while PIT channel 2 counts WINDOW_PIT_TICKS in mode 0, as
 * pit_delay_us() times it, with cs read around the count's start and
 * around each poll of OUT2. Interrupts off. False if OUT2 never rose.
 */
static bool window_by_pit(const struct clocksource *cs, struct window *w)
{
	unsigned long flags = local_irq_save(), spins;
	u64 start_lo, start_hi, last_low, end_hi = 0;
	bool rose = false;

	pit_channel2_taken_for_delay();
	outb(PORT_B, (inb(PORT_B) & ~PORT_B_SPEAKER) | PORT_B_GATE2);
	outb(PIT_MODE_CMD, PIT_CH2_MODE0);
	outb(PIT_CH2_DATA, WINDOW_PIT_TICKS & 0xff);
	start_lo = cs->read();
	outb(PIT_CH2_DATA, WINDOW_PIT_TICKS >> 8); /* the count starts */
	start_hi = cs->read();
	last_low = start_lo;
	for (spins = 0; spins < OUT2_SPINS_MAX; spins++) {
		u64 before = cs->read();

		if (inb(PORT_B) & PORT_B_OUT2) {
			end_hi = cs->read();
			rose = true;
			break;
		}
		last_low = before; /* read before a poll that saw OUT2 low */
	}
	local_irq_restore(flags);
	/* Mode 0: OUT2 rises N + 1 ticks after a count N is written. */
	w->want = cs->hz * (WINDOW_PIT_TICKS + 1) / PIT_HZ;
	w->lo = clocksource_delta(last_low, start_hi, cs->mask);
	w->hi = clocksource_delta(end_hi, start_lo, cs->mask);
	return rose;
}

/*
 * Ticks of the PIT clocksource while ref covers as long a window, the PIT
 * read just before and after each read of ref, so that its count at the
 * two ref reads that delimit the window is bracketed. A PIT wrap missed
 * during a preemption shows as a window far off: the try fails. False if
 * ref stalled.
 */
static bool window_by_ref(const struct clocksource *pit,
			  const struct clocksource *ref, struct window *w)
{
	u64 want_ref = ref->hz * (WINDOW_PIT_TICKS + 1) / PIT_HZ;
	unsigned long flags = local_irq_save(), polls = 0;
	u64 p, last, r0, r, acc, acc_before, start_slack;

	/* acc: PIT ticks since the first read; at r0 it was in [0, slack]. */
	pit_clocksource_start();
	last = pit->read();
	r0 = ref->read();
	p = pit->read();
	acc = start_slack = clocksource_delta(p, last, pit->mask);
	last = p;
	do {
		p = pit->read();
		acc += clocksource_delta(p, last, pit->mask);
		last = p;
		acc_before = acc; /* at a moment before r */
		r = ref->read();
		p = pit->read();
		acc += clocksource_delta(p, last, pit->mask);
		last = p; /* acc: at a moment after r */
	} while (clocksource_delta(r, r0, ref->mask) < want_ref &&
		 ++polls < TRACK_POLLS_MAX);
	local_irq_restore(flags);
	w->want = clocksource_delta(r, r0, ref->mask) * PIT_HZ / ref->hz;
	w->lo = acc_before - start_slack;
	w->hi = acc;
	return polls < TRACK_POLLS_MAX;
}

/* The first registered clocksource other than the TSC and the PIT. */
static const struct clocksource *pit_reference(void)
{
	struct clocksource *cs;

	for (unsigned int i = 0; (cs = clocksource_by_rating(i)); i++)
		if (!(cs->flags & CLOCKSOURCE_IS_TSC) && cs != &pit_clocksource)
			return cs;
	return NULL;
}

static bool counter_moves(const struct clocksource *cs)
{
	u64 first = cs->read();

	for (unsigned int i = 0; i < ADVANCE_SPINS; i++)
		if (cs->read() != first)
			return true;
	return false;
}

/*
 * Up to RATE_TRIES windows of cs, by the PIT or (for the PIT itself, whose
 * channel 2 the PIT window would take) by ref; true once one agrees. *w
 * is the last window measured.
 */
static bool rate_agrees(const struct clocksource *cs,
			const struct clocksource *ref, struct window *w)
{
	for (unsigned int i = 0; i < RATE_TRIES; i++) {
		bool measured =
			ref ? window_by_ref(cs, ref, w) : window_by_pit(cs, w);

		if (measured && window_agrees(w))
			return true;
	}
	return false;
}

static void clocksources_run_at_their_rate(struct ktest *t)
{
	struct clocksource *cs;
	unsigned int checked = 0;

	init_platform_timers();
	for (unsigned int i = 0; (cs = clocksource_by_rating(i)); i++) {
		const struct clocksource *ref = NULL;
		struct window w;
		bool ok;

		if (cs->flags & CLOCKSOURCE_IS_TSC)
			continue;
		checked++;
		if (!counter_moves(cs)) {
			ktest_fail(t, __FILE__, __LINE__, "%s does not count",
				   cs->name);
			continue;
		}
		KT_EXPECT_TRUE(t, cs->read() <= cs->mask);
		if (!pit_present()) {
			/* The boot calibration cross-checks it, if anything can. */
			pr_info("platform_timer: %s counts; no PIT to time it by\n",
				cs->name);
			continue;
		}
		if (cs == &pit_clocksource) {
			ref = pit_reference();
			if (!ref) {
				pr_info("platform_timer: pit counts; no other clocksource to time it by\n");
				continue;
			}
		}
		ok = rate_agrees(cs, ref, &w);
		pr_info("platform_timer: %s: %lu-%lu ticks in %lu us by %s (nominal %lu Hz: %lu): %lu ppm off\n",
			cs->name, w.lo, w.hi,
			(WINDOW_PIT_TICKS + 1) * 1000000UL / PIT_HZ,
			ref ? ref->name : "the PIT", cs->hz, w.want,
			window_error_ppm(&w));
		if (!ok)
			ktest_fail(
				t, __FILE__, __LINE__,
				"%s: no window in %u tries within %u ppm of its nominal %lu Hz, with a bracket that narrow",
				cs->name, RATE_TRIES, RATE_TOLERANCE_PPM,
				cs->hz);
	}
	if (!checked)
		KT_SKIP(t, "no platform clocksource registered");
}

static void hpet_32bit_reads(struct ktest *t)
{
	u64 before, after;
	u32 low;

	if (!hpet_init())
		KT_SKIP(t, "no HPET in use");
	KT_EXPECT_EQ(t, hpet_clocksource.mask,
		     hpet_is_32bit() ? 0xffffffffULL : ~0ULL);

	/* The low half, read alone, lies between two full reads. */
	for (unsigned int i = 0; i < 1000; i++) {
		before = hpet_read_counter();
		low = hpet_read_counter32();
		after = hpet_read_counter();
		if (!KT_EXPECT_TRUE(t, (u32)(low - (u32)before) <=
					       (u32)(after - before)))
			break;
	}
	KT_EXPECT_TRUE(t, !hpet_is_32bit() || after <= 0xffffffffULL);
	/* Across the 32-bit wrap. */
	KT_EXPECT_EQ(t, clocksource_delta(0x10, 0xfffffff0ULL, 0xffffffffULL),
		     0x20);
	KT_EXPECT_EQ(t, clocksource_delta(0, 0xffffffffULL, 0xffffffffULL), 1);
}

static void pmtimer_wrap_is_handled(struct ktest *t)
{
	const u64 mask24 = 0xffffff;
	u64 a, b, d, want;

	/* The arithmetic at the 24-bit wrap, first without the device. */
	KT_EXPECT_EQ(t, clocksource_delta(0x000005, 0xfffffb, mask24), 10);
	KT_EXPECT_EQ(t, clocksource_delta(0, mask24, mask24), 1);
	KT_EXPECT_EQ(t, clocksource_delta(0x123456, 0x123456, mask24), 0);
	KT_EXPECT_EQ(t, clocksource_delta(0x123455, 0x123456, mask24), mask24);

	if (!pmtimer_init())
		KT_SKIP(t, "no ACPI PM timer in use");
	KT_EXPECT_TRUE(t, pmtimer_clocksource.mask == mask24 ||
				  pmtimer_clocksource.mask == 0xffffffffULL);
	/* A live read: in range, and 1 ms is about 3580 ticks. */
	a = pmtimer_read();
	if (!pit_delay_us(1000))
		ndelay_spin(MILLISECS(1)); /* no PIT: by system time */
	b = pmtimer_read();
	KT_EXPECT_TRUE(t, a <= pmtimer_clocksource.mask &&
				  b <= pmtimer_clocksource.mask);
	d = clocksource_delta(b, a, pmtimer_clocksource.mask);
	want = PMTIMER_HZ / 1000;
	/*
	 * Never much less; more only by what the host's scheduling adds
	 * between the reads (5 ms seen in CI beside other emulators): up to
	 * 500 ms, far below the 24-bit wrap at 4.7 s.
	 */
	if (d < want / 2 || d > want * 500)
		ktest_fail(
			t, __FILE__, __LINE__,
			"1 ms is %lu PM timer ticks (from %#lx to %#lx), expected about %lu",
			d, a, b, want);
}

static void rtc_date_is_plausible(struct ktest *t)
{
	s64 secs;

	if (acpi_info.fadt.cmos_rtc_not_present)
		KT_SKIP(t, "the FADT says there is no CMOS RTC");
	secs = rtc_read_wallclock();
	KT_EXPECT_TRUE(t, secs >= PLAUSIBLE_SECS_MIN);
	KT_EXPECT_TRUE(t, secs < PLAUSIBLE_SECS_MAX);
}

/* ---------------------------------------------------------------------------
 * Clock event devices
 */

static s_time_t fired_at;     /* NOW() at the first interrupt */
static unsigned int nr_fired; /* handler calls since the last reset */

static void record_event(struct clock_event_device *dev)
{
	if (nr_fired++ == 0)
		fired_at = NOW();
}

/* Waits, interrupts enabled, until the handler ran or until give_up. */
static void wait_for_event(s_time_t give_up)
{
	while (!READ_ONCE(nr_fired) && NOW() < give_up)
		cpu_relax();
}

static void wait_quietly(s_time_t ns)
{
	s_time_t end = NOW() + ns;

	while (NOW() < end)
		cpu_relax();
}

/* Why dev cannot be tested here, or NULL. */
static const char *event_device_untestable(struct clock_event_device *dev)
{
	if (!time_ready())
		return "system time is not running";
	if (!dev)
		return "not registered";
	if (dev->why_unusable)
		return dev->why_unusable;
	if (clockevent_this_cpu() == dev)
		return "it is this CPU's timer: testing it would steal its deadlines";
	if (clockevent_broadcast_global())
		return "IRQ 0 drives the clock event broadcast: taking it would steal every CPU's deadlines (the clockevent_broadcast suite tests that device)";
	return NULL;
}

struct event_test {
	struct clock_event_device *dev;
	struct clock_event_device *prev_owner; /* of IRQ 0 */
	void (*prev_handler)(struct clock_event_device *dev);
};

/* Takes dev over for the test: our handler, dev owns IRQ 0. */
static void event_test_begin(struct event_test *e,
			     struct clock_event_device *dev)
{
	unsigned long flags = local_irq_save();

	e->dev = dev;
	e->prev_owner = platform_timer_irq0_owner();
	e->prev_handler = dev->event_handler;
	nr_fired = 0;
	fired_at = 0;
	dev->event_handler = record_event;
	dev->setup(dev);
	local_irq_restore(flags);
}

/*
 * Arms dev for delay from now (interrupts off); returns its answer and,
 * in *answered_at, NOW() just after it.
 */
static bool event_test_arm_at(struct event_test *e, s_time_t delay,
			      s_time_t *deadline, s_time_t *answered_at)
{
	unsigned long flags = local_irq_save();
	bool armed;

	WRITE_ONCE(nr_fired, 0);
	*deadline = NOW() + delay;
	armed = e->dev->set_next_event(e->dev, *deadline);
	*answered_at = NOW();
	local_irq_restore(flags);
	return armed;
}

/* Arms dev for delay from now (interrupts off); returns its answer. */
static bool event_test_arm(struct event_test *e, s_time_t delay,
			   s_time_t *deadline)
{
	s_time_t answered_at;

	return event_test_arm_at(e, delay, deadline, &answered_at);
}

/*
 * Arms dev EVENT_LEAD ahead, again while it refuses a deadline that had
 * passed by its answer (ARM_TRIES); a deadline refused while still ahead
 * fails t. Returns whether dev took one.
 */
static bool event_test_arm_ahead(struct ktest *t, struct event_test *e,
				 s_time_t *deadline)
{
	s_time_t answered_at;
	unsigned int try;

	for (try = 0; try < ARM_TRIES; try++) {
		if (event_test_arm_at(e, EVENT_LEAD, deadline, &answered_at))
			return true;
		if (answered_at < *deadline) {
			ktest_fail(t, __FILE__, __LINE__,
				   "%s refused a deadline still %ld ns ahead",
				   e->dev->name,
				   (long)(*deadline - answered_at));
			return false;
		}
		pr_info("platform_timer: %s: the %ld ns lead had passed when it answered (%ld ns late; the host stalled us); again\n",
			e->dev->name, (long)EVENT_LEAD,
			(long)(answered_at - *deadline));
	}
	return false;
}

/*
 * Arms dev EVENT_LEAD ahead and shuts it down at once, interrupts off,
 * again while the deadline had passed by the shutdown (ARM_TRIES: the
 * interrupt may then rightly be on its way), then waits past the
 * deadline. Returns whether a shutdown came in time; fails t if none did.
 */
static bool event_test_arm_shut_down(struct ktest *t, struct event_test *e)
{
	s_time_t deadline, shut_at;
	unsigned long flags;
	unsigned int try;

	for (try = 0; try < ARM_TRIES; try++) {
		flags = local_irq_save();
		WRITE_ONCE(nr_fired, 0);
		deadline = NOW() + EVENT_LEAD;
		e->dev->set_next_event(e->dev, deadline);
		e->dev->shutdown(e->dev);
		shut_at = NOW();
		local_irq_restore(flags);
		if (shut_at < deadline) {
			wait_quietly(EVENT_LEAD + EVENT_QUIET);
			return true;
		}
		wait_quietly(EVENT_QUIET); /* let a due interrupt land */
		pr_info("platform_timer: %s: shut down %ld ns after the deadline (the host stalled us); again\n",
			e->dev->name, (long)(shut_at - deadline));
	}
	ktest_fail(t, __FILE__, __LINE__,
		   "%s: no shutdown before the deadline in %u tries",
		   e->dev->name, ARM_TRIES);
	return false;
}

/* Shuts dev down and gives IRQ 0 back to whoever had it. */
static void event_test_end(struct event_test *e)
{
	unsigned long flags = local_irq_save();

	e->dev->shutdown(e->dev);
	e->dev->event_handler = e->prev_handler;
	if (!e->prev_owner)
		platform_timer_release_irq0(e->dev);
	else if (e->prev_owner != e->dev)
		e->prev_owner->setup(e->prev_owner);
	local_irq_restore(flags);
}

/*
 * A deadline EVENT_LEAD ahead fires once, not before it; a shut-down
 * device stays quiet. A deadline already past is refused by a comparator
 * (false, and nothing fires: past_fires false) but met late by a
 * count-down, which always ends in an interrupt (true: past_fires).
 */
static void check_event_device(struct ktest *t, const char *name,
			       bool past_fires)
{
	struct clock_event_device *dev = clockevent_find(name);
	const char *why = event_device_untestable(dev);
	struct event_test e;
	s_time_t deadline;
	bool armed;

	if (why)
		KT_SKIP(t, why);
	event_test_begin(&e, dev);
	KT_EXPECT_TRUE(t, platform_timer_irq0_owner() == dev);

	armed = event_test_arm_ahead(t, &e, &deadline);
	wait_for_event(deadline + EVENT_WAIT);
	wait_quietly(EVENT_QUIET); /* one-shot: no second interrupt */
	KT_EXPECT_TRUE(t, armed);
	KT_EXPECT_EQ(t, READ_ONCE(nr_fired), 1);
	if (nr_fired && fired_at < deadline)
		ktest_fail(t, __FILE__, __LINE__, "%s fired %ld ns early", name,
			   (long)(deadline - fired_at));
	if (nr_fired)
		pr_info("platform_timer: %s fired %ld ns after its deadline\n",
			name, (long)(fired_at - deadline));

	/* Armed, then shut down: nothing. */
	if (event_test_arm_shut_down(t, &e))
		KT_EXPECT_EQ(t, READ_ONCE(nr_fired), 0);

	/* A deadline already past. */
	armed = event_test_arm(&e, -MILLISECS(1), &deadline);
	KT_EXPECT_EQ(t, armed, past_fires);
	wait_for_event(NOW() + (past_fires ? EVENT_WAIT : EVENT_QUIET));
	wait_quietly(EVENT_QUIET);
	KT_EXPECT_EQ(t, READ_ONCE(nr_fired), past_fires ? 1 : 0);
	KT_EXPECT_TRUE(t, !nr_fired || fired_at >= deadline);
	event_test_end(&e);
}

static void pit_event_fires_after_deadline(struct ktest *t)
{
	init_platform_timers();
	check_event_device(t, "pit", true);
}

static void hpet_event_fires_after_deadline(struct ktest *t)
{
	init_platform_timers();
	check_event_device(t, "hpet", false);
}

/*
 * IRQ 0 changes hands: with the HPET holding it in LegacyReplacement
 * mode, the PIT's setup() takes it back (the HPET turns LegacyReplacement
 * off) and the PIT fires; the HPET then gets it back.
 */
static void irq0_goes_to_the_last_set_up(struct ktest *t)
{
	struct clock_event_device *hpet;
	struct event_test e;

	init_platform_timers();
	hpet = clockevent_find("hpet");
	if (event_device_untestable(hpet))
		KT_SKIP(t,
			"the HPET's clock event device is not testable here");
	event_test_begin(&e, hpet);
	KT_EXPECT_TRUE(t, platform_timer_irq0_owner() == hpet);
	check_event_device(t, "pit", true);
	KT_EXPECT_TRUE(t, platform_timer_irq0_owner() == hpet);
	event_test_end(&e);
}

KTEST_SUITE(platform_timer, KTEST_CASE(clocksources_run_at_their_rate),
	    KTEST_CASE(hpet_32bit_reads), KTEST_CASE(pmtimer_wrap_is_handled),
	    KTEST_CASE(rtc_date_is_plausible),
	    KTEST_CASE(pit_event_fires_after_deadline),
	    KTEST_CASE(hpet_event_fires_after_deadline),
	    KTEST_CASE(irq0_goes_to_the_last_set_up));
