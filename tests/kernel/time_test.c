/*
 * System time: the TSC calibration agrees with every reference and with
 * the rate known from outside, the background refinement is consistent,
 * NOW() never goes backwards on one CPU or across CPUs, and
 * IA32_TSC_ADJUST and the warp check do what docs/time.md says: a TSC
 * skewed at boot (test_tsc_skew=) moves system time off the TSC.
 *
 * test_tsc_hz=<Hz> gives the TSC's true rate: the harness measures the
 * host's (QEMU TCG passes it through) or knows Bochs's `ips`. Without it
 * the cases that need it skip.
 */
#include <asm/lapic_timer.h>
#include <asm/processor.h>
#include <asm/tsc.h>
#include <clockevent.h>
#include <clocksource.h>
#include <cpumask.h>
#include <irq.h>
#include <ktest.h>
#include <param.h>
#include <percpu.h>
#include <printk.h>
#include <smp.h>
#include <string.h>
#include <systime.h>
#include <time_scale.h>

#include "time_helpers.h"

static u64 test_tsc_hz;
integer_param("test_tsc_hz", test_tsc_hz);

/*
 * How far the boot calibration may be from the known rate beyond its own
 * error bound: the harness's measurement of the host rate is good to a
 * few ppm, and QEMU's platform clocks follow the host's CLOCK_MONOTONIC,
 * which NTP may slew by up to 500 ppm (adjtimex's limit). Bochs needs 0.
 */
#define KNOWN_RATE_SLACK_PPM 600
/* References agree within their two bounds plus this (stated in docs). */
#define AGREEMENT_SLACK_PPM 100
#define PPM		    1000000ULL

static u64 ppm_apart(u64 a, u64 b)
{
	u64 d = a > b ? a - b : b - a;

	return mul_div_u64(d, PPM, b);
}

/* The platform clocks the calibration had (the last entry is the LAPIC). */
static unsigned int
nr_platform_references(const struct tsc_calibration_result *c)
{
	return c->nr ? c->nr - 1 : 0;
}

static void calibration_found_a_reference(struct ktest *t)
{
	const struct tsc_calibration_result *c = tsc_boot_calibration();

	if (!nr_platform_references(c)) {
		/* time.c's fallback: matches_known_rate checks its bound. */
		KT_EXPECT_TRUE(t, c->tsc_hz > 0 && c->chosen < 0);
		KT_SKIP(t,
			"no platform clock: the rate is the RTC's or CPUID's");
	}
	KT_ASSERT_TRUE(t, c->chosen >= 0);
	KT_EXPECT_TRUE(t, c->tsc_hz > 0);
	KT_EXPECT_TRUE(t, c->error_ppm < 1000);
	KT_EXPECT_TRUE(t, c->took_ns < MILLISECS(100));
	KT_EXPECT_TRUE(t, tsc_hz() == c->tsc_hz ||
				  tsc_hz() == tsc_refine_status()->hz);
}

static void references_agree(struct ktest *t)
{
	const struct tsc_calibration_result *c = tsc_boot_calibration();
	unsigned int i, valid = 0;

	if (!nr_platform_references(c))
		KT_SKIP(t, "no platform clock to calibrate against");
	KT_ASSERT_TRUE(t, c->chosen >= 0);
	for (i = 0; i + 1 < c->nr; i++) {
		const struct tsc_calibration *r = &c->ref[i];
		u64 apart;

		if (!r->valid)
			continue;
		valid++;
		apart = ppm_apart(r->result_hz, c->tsc_hz);
		pr_info("time_test: %s %lu Hz, %lu ppm from the chosen, bounds %u + %u\n",
			r->name, (unsigned long)r->result_hz,
			(unsigned long)apart, r->error_ppm, c->error_ppm);
		if (apart >
		    (u64)r->error_ppm + c->error_ppm + AGREEMENT_SLACK_PPM)
			ktest_fail(
				t, __FILE__, __LINE__,
				"%s is %lu ppm from %s (bounds %u + %u + %u)",
				r->name, (unsigned long)apart,
				c->ref[c->chosen].name, r->error_ppm,
				c->error_ppm, AGREEMENT_SLACK_PPM);
	}
	if (valid < 2)
		KT_SKIP(t, "fewer than two references");
}

static void matches_known_rate(struct ktest *t)
{
	const struct tsc_calibration_result *c = tsc_boot_calibration();
	u64 apart;

	if (!test_tsc_hz)
		KT_SKIP(t, "no test_tsc_hz= given");
	apart = ppm_apart(c->tsc_hz, test_tsc_hz);
	pr_info("time_test: boot calibration %lu Hz, known %lu Hz: %lu ppm apart (bound %u + %u)\n",
		(unsigned long)c->tsc_hz, (unsigned long)test_tsc_hz,
		(unsigned long)apart, c->error_ppm, KNOWN_RATE_SLACK_PPM);
	KT_EXPECT_TRUE(t, apart <= (u64)c->error_ppm + KNOWN_RATE_SLACK_PPM);
}

/*
 * The refinement narrows the bound, and is applied exactly when it is
 * consistent with the boot value. On hardware and in Bochs it must be;
 * under QEMU's TCG the guest TSC is the host's plus a forward jump
 * whenever a vCPU thread reads a host CPU whose TSC lags the last value
 * read (QEMU keeps its TSC monotonic that way), so over a second with
 * several vCPUs it can run tens of ppm fast and a refusal is right.
 */
static void refinement_is_consistent(struct ktest *t)
{
	const struct tsc_refine_status *r = tsc_refine_status();
	const struct tsc_calibration_result *c = tsc_boot_calibration();
	u64 apart;

	if (!r->started)
		KT_SKIP(t, "no reference to refine against");
	KT_ASSERT_TRUE(t, wait_for_refinement(SECONDS(5)));
	KT_ASSERT_TRUE(t, r->hz > 0);
	KT_EXPECT_TRUE(t, r->window_ns >= MILLISECS(900));
	KT_EXPECT_TRUE(t, r->error_ppm <= c->error_ppm);
	apart = ppm_apart(r->hz, c->tsc_hz);
	KT_EXPECT_EQ(t, r->applied, apart <= (u64)c->error_ppm + r->error_ppm);
	KT_EXPECT_EQ(t, tsc_hz(), r->applied ? r->hz : c->tsc_hz);
	if (!tsc_features.hypervisor)
		KT_EXPECT_TRUE(t, r->applied);
	if (test_tsc_hz && r->applied) {
		apart = ppm_apart(r->hz, test_tsc_hz);
		pr_info("time_test: refined %lu Hz, known %lu Hz: %lu ppm apart (bound %u + %u)\n",
			(unsigned long)r->hz, (unsigned long)test_tsc_hz,
			(unsigned long)apart, r->error_ppm,
			KNOWN_RATE_SLACK_PPM);
		KT_EXPECT_TRUE(t, apart <= (u64)r->error_ppm +
						   KNOWN_RATE_SLACK_PPM);
	}
}

static void system_clock_follows_option(struct ktest *t)
{
	const char *opt = clocksource_option();
	struct clocksource *cs = opt[0] ? clocksource_find(opt) : NULL;
	bool usable = cs && !cs->why_unusable &&
		      !(cs->flags & CLOCKSOURCE_NOT_FOR_NOW);

	pr_info("time_test: clocksource=%s, system clock %s\n",
		opt[0] ? opt : "(none)", system_clock_name());
	KT_EXPECT_TRUE(t, system_clock_name()[0] != '\0');
	KT_EXPECT_EQ(t, tsc_reliable(),
		     strcmp(system_clock_name(), "tsc") == 0);
	if (!opt[0])
		KT_SKIP(t, "no clocksource= given");
	if (usable)
		KT_EXPECT_STREQ(t, system_clock_name(), opt);
	else
		KT_EXPECT_TRUE(t, strcmp(system_clock_name(), opt) != 0);
}

/* NOW() as an unsigned counter for the warp check. */
static u64 now_as_u64(void)
{
	return (u64)NOW();
}

static void now_monotonic_across_cpus(struct ktest *t)
{
	u64 checks = 0, warp;

	warp = clock_warp_check(now_as_u64, MILLISECS(20), &checks);
	pr_info("time_test: %lu ordered NOW() readings on %u CPUs, largest step back %lu ns\n",
		(unsigned long)checks, num_online_cpus(), (unsigned long)warp);
	KT_EXPECT_EQ(t, warp, 0);
	KT_EXPECT_TRUE(t, checks >= num_online_cpus());
}

/*
 * The CPUs read NOW() in a fixed rotation, one at a time, handing an
 * atomic ticket on: the k-th online CPU of n reads at tickets k, k + n,
 * k + 2n, ..., and passes the ticket on only once its reading is taken.
 * Each reading must be no less than the one before it, which another CPU
 * took. Unlike the warp check's lock, which one CPU may win many times
 * over, every reading here follows another CPU's: TURNS rounds, or fewer
 * if TURNS_TIME runs out first (vCPU threads on a busy host hand over
 * slowly), but at least TURNS_MIN.
 */
#define TURNS	   1000
#define TURNS_MIN  4
#define TURNS_TIME MILLISECS(500)
#define TURNS_WAIT SECONDS(5) /* a CPU that never takes its turn */

static struct {
	u64 ticket; /* whose reading is next */
	unsigned int n;
	unsigned int index[NR_CPUS]; /* CPU number to place in the rotation */
	s_time_t last;		     /* the previous reading, by another CPU */
	s_time_t worst;		     /* the largest step back */
	u64 steps_back, readings;
	s_time_t end, give_up;
	bool stop, timed_out;
} turns;

static void take_turns(void *unused)
{
	unsigned int me = turns.index[smp_processor_id()], spins = 0;
	unsigned int r;

	for (r = 0; r < TURNS; r++) {
		u64 mine = (u64)r * turns.n + me;
		s_time_t now;

		while (__atomic_load_n(&turns.ticket, __ATOMIC_ACQUIRE) !=
		       mine) {
			if (READ_ONCE(turns.stop))
				return;
			if (++spins % 1024 == 0 && NOW() > turns.give_up) {
				WRITE_ONCE(turns.timed_out, true);
				WRITE_ONCE(turns.stop, true);
				return;
			}
			cpu_relax();
		}
		if (READ_ONCE(turns.stop))
			return;
		now = NOW();
		if (now < turns.last) {
			turns.steps_back++;
			if (turns.last - now > turns.worst)
				turns.worst = turns.last - now;
		}
		turns.last = now;
		turns.readings++;
		if (now >= turns.end)
			WRITE_ONCE(turns.stop, true);
		__atomic_store_n(&turns.ticket, mine + 1, __ATOMIC_RELEASE);
	}
}

static void now_monotonic_in_turns(struct ktest *t)
{
	unsigned int cpu, n = 0;

	if (num_online_cpus() < 2)
		KT_SKIP(t, "one CPU");
	memset(&turns, 0, sizeof(turns));
	for_each_online_cpu (cpu)
		turns.index[cpu] = n++;
	turns.n = n;
	turns.last = NOW();
	turns.end = turns.last + TURNS_TIME;
	turns.give_up = turns.end + TURNS_WAIT;
	on_selected_cpus(&cpu_online_map, take_turns, NULL, true);
	pr_info("time_test: %lu NOW() readings on %u CPUs in turn (%s): %lu steps back, the largest %ld ns\n",
		(unsigned long)turns.readings, n, system_clock_name(),
		(unsigned long)turns.steps_back, (long)turns.worst);
	KT_EXPECT_TRUE(t, !turns.timed_out);
	KT_EXPECT_TRUE(t, turns.readings >= (u64)TURNS_MIN * n);
	KT_EXPECT_EQ(t, turns.steps_back, 0);
}

static void now_monotonic_on_one_cpu(struct ktest *t)
{
	s_time_t prev = NOW(), end = prev + MILLISECS(20), now;
	unsigned long backwards = 0, reads = 0;

	do {
		now = NOW();
		backwards += now < prev;
		prev = now;
		reads++;
	} while (now < end);
	KT_EXPECT_EQ(t, backwards, 0);
	KT_EXPECT_TRUE(t, reads > 1);
}

/* A platform clock reading with NOW() on both sides, narrowest of 8. */
struct bracketed {
	s_time_t mid, width;
	u64 value;
};

static struct bracketed bracketed_read(struct clocksource *cs)
{
	struct bracketed best = {.width = STIME_MAX};
	unsigned int i;

	for (i = 0; i < 8; i++) {
		s_time_t a = NOW();
		u64 v = cs->read();
		s_time_t b = NOW();

		if (b - a < best.width)
			best = (struct bracketed){.mid = a + (b - a) / 2,
						  .width = b - a,
						  .value = v};
	}
	return best;
}

/*
 * NOW() advances at the rate of an independent clock: the best non-TSC
 * clocksource, over 50 ms, within 1000 ppm beyond the uncertainty of the
 * two bracketed readings (a host can preempt the emulator mid-read).
 */
static void now_advances_at_reference_rate(struct ktest *t)
{
	struct clocksource *cs = NULL;
	struct bracketed a, b;
	unsigned int i;
	u64 ticks, ns_ref, ns_now, diff, allowed;

	for (i = 0; (cs = clocksource_by_rating(i)) != NULL; i++)
		if (!(cs->flags & CLOCKSOURCE_IS_TSC) && cs->mask >= 0xffffff)
			break;
	if (!cs)
		KT_SKIP(t, "no platform clock that spans 50 ms");
	a = bracketed_read(cs);
	while (NOW() - a.mid < MILLISECS(50))
		cpu_relax();
	b = bracketed_read(cs);
	ticks = clocksource_delta(b.value, a.value, cs->mask);
	ns_ref = mul_div_u64(ticks, NSEC_PER_SEC, cs->hz);
	ns_now = (u64)(b.mid - a.mid);
	diff = ns_now > ns_ref ? ns_now - ns_ref : ns_ref - ns_now;
	allowed = (u64)(a.width + b.width) / 2 + ns_ref / 1000;
	pr_info("time_test: %lu ns by NOW() is %lu ns by %s (allowed difference %lu ns)\n",
		(unsigned long)ns_now, (unsigned long)ns_ref, cs->name,
		(unsigned long)allowed);
	KT_EXPECT_TRUE(t, diff <= allowed);
}

/*
 * stime_to_tsc() inverts NOW(): NOW() read between two TSC reads maps
 * back inside that bracket, and a millisecond later maps a millisecond of
 * TSC ticks further (within a few ticks of rounding).
 */
static void deadline_conversion_round_trips(struct ktest *t)
{
	u64 t0, t1, at_now, later, ms_ticks;
	s_time_t now;

	if (!tsc_reliable())
		KT_SKIP(t, "system time is not the TSC's");
	t0 = rdtsc_ordered();
	now = NOW();
	t1 = rdtsc_ordered();
	at_now = stime_to_tsc(now);
	later = stime_to_tsc(now + MILLISECS(1));
	ms_ticks = mul_div_u64(tsc_hz(), 1, 1000);
	KT_EXPECT_TRUE(t, at_now + 4 >= t0 && at_now <= t1 + 4);
	KT_EXPECT_TRUE(t, later - at_now + 4 >= ms_ticks &&
				  later - at_now <= ms_ticks + 4);
}

/* ------------------------------------------------------------------ */

static void tsc_adjust_is_restored(struct ktest *t)
{
	unsigned long flags;
	s64 found;
	u64 after;

	if (!tsc_features.adjust)
		KT_SKIP(t, "no IA32_TSC_ADJUST");
	flags = local_irq_save();
	/* Firmware that wrote the TSC leaves the MSR non-zero. */
	wrmsr(MSR_IA32_TSC_ADJUST, (u64)123456789);
	found = tsc_adjust_sync(0);
	after = rdmsr(MSR_IA32_TSC_ADJUST);
	local_irq_restore(flags);
	KT_EXPECT_EQ(t, found, 123456789);
	KT_EXPECT_EQ(t, after, 0);
}

struct skew_arg {
	s64 adjust;
};

static void set_adjust_here(void *arg)
{
	struct skew_arg *a = arg;

	wrmsr(MSR_IA32_TSC_ADJUST, (u64)a->adjust);
}

static s64 cpu_adjust[NR_CPUS];
static struct clock_event_device *cpu_device[NR_CPUS];

/* Each CPU's IA32_TSC_ADJUST and clock event device, as it is now. */
static void read_cpu_state(void *unused)
{
	unsigned int cpu = smp_processor_id();

	cpu_adjust[cpu] =
		tsc_features.adjust ? (s64)rdmsr(MSR_IA32_TSC_ADJUST) : 0;
	cpu_device[cpu] = clockevent_this_cpu();
}

/*
 * Every CPU's IA32_TSC_ADJUST is set to the boot CPU's at boot, so a
 * spread among them now is a TSC warp put there on purpose
 * (test_tsc_skew=, the bochs-tsc-warp machine). The boot warp check must
 * have found about that much, moved system time off the TSC, refused the
 * TSC-deadline timer and put every CPU's LAPIC timer in one-shot mode.
 */
static void skewed_tsc_moved_time_off_the_tsc(struct ktest *t)
{
	s64 lo = INT64_MAX, hi = INT64_MIN;
	unsigned int cpu, on_deadline = 0, bad_device = 0;
	u64 spread, warp = tsc_boot_warp();

	if (num_online_cpus() < 2)
		KT_SKIP(t, "one CPU");
	if (!tsc_features.adjust)
		KT_SKIP(t, "no IA32_TSC_ADJUST");
	on_selected_cpus(&cpu_online_map, read_cpu_state, NULL, true);
	for_each_online_cpu (cpu) {
		lo = cpu_adjust[cpu] < lo ? cpu_adjust[cpu] : lo;
		hi = cpu_adjust[cpu] > hi ? cpu_adjust[cpu] : hi;
		on_deadline += cpu_device[cpu] == &lapic_deadline_device;
		bad_device += !cpu_device[cpu] ||
			      cpu_device[cpu] != &lapic_oneshot_device;
	}
	spread = (u64)(hi - lo);
	if (!spread)
		KT_SKIP(t, "every CPU's IA32_TSC_ADJUST is the same");
	pr_info("time_test: IA32_TSC_ADJUST spread %lu cycles; the boot warp check found %lu; system time from %s; %u CPUs on TSC-deadline\n",
		(unsigned long)spread, (unsigned long)warp, system_clock_name(),
		on_deadline);
	KT_EXPECT_TRUE(t, warp >= spread / 2);
	KT_EXPECT_TRUE(t, !tsc_reliable());
	KT_EXPECT_TRUE(t, strcmp(system_clock_name(), "tsc") != 0);
	KT_EXPECT_TRUE(t, lapic_deadline_device.why_unusable != NULL);
	KT_EXPECT_EQ(t, on_deadline, 0);
	KT_EXPECT_EQ(t, bad_device, 0);
}

static u64 tsc_for_warp(void)
{
	return rdtsc_ordered();
}

/*
 * A CPU whose TSC is a billion cycles ahead puts the others behind it:
 * caught by the warp check; CPU 1's IA32_TSC_ADJUST is then put back as
 * it was, and the same check finds nothing, unless it was skewed at boot
 * (test_tsc_skew=), which the check must then still see. The system clock
 * is not switched: only the check runs.
 */
static void warp_check_catches_a_lagging_cpu(struct ktest *t)
{
	struct skew_arg skew = {.adjust = 1000000000LL};
	struct skew_arg back;
	cpumask_t one;
	u64 warp, clean, checks;

	if (num_online_cpus() < 2)
		KT_SKIP(t, "one CPU");
	if (!tsc_features.adjust)
		KT_SKIP(t, "no IA32_TSC_ADJUST to skew a TSC with");
	on_selected_cpus(&cpu_online_map, read_cpu_state, NULL, true);
	back.adjust = cpu_adjust[1];
	cpumask_clear(&one);
	cpumask_set_cpu(1, &one);
	on_selected_cpus(&one, set_adjust_here, &skew, true);
	warp = clock_warp_check(tsc_for_warp, MILLISECS(5), &checks);
	on_selected_cpus(&one, set_adjust_here, &back, true);
	clean = clock_warp_check(tsc_for_warp, MILLISECS(5), NULL);
	pr_info("time_test: warp with CPU 1 skewed: %lu cycles (%lu checks); after: %lu (CPU 1's IA32_TSC_ADJUST %ld, CPU 0's %ld)\n",
		(unsigned long)warp, (unsigned long)checks,
		(unsigned long)clean, (long)back.adjust, (long)cpu_adjust[0]);
	KT_EXPECT_TRUE(t, warp >= 900000000ULL);
	if (back.adjust == cpu_adjust[0])
		KT_EXPECT_EQ(t, clean, 0);
	else
		KT_EXPECT_TRUE(t, clean > 0);
}

static void rtc_gave_a_date(struct ktest *t)
{
	/* 2024-01-01 00:00:00 UTC; the firmware's clock is later. */
	KT_EXPECT_TRUE(t, boot_wallclock() >= 1704067200LL);
}

KTEST_SUITE(time, KTEST_CASE(calibration_found_a_reference),
	    KTEST_CASE(references_agree), KTEST_CASE(matches_known_rate),
	    KTEST_CASE(system_clock_follows_option),
	    KTEST_CASE(now_monotonic_on_one_cpu),
	    KTEST_CASE(now_monotonic_across_cpus),
	    KTEST_CASE(now_monotonic_in_turns),
	    KTEST_CASE(now_advances_at_reference_rate),
	    KTEST_CASE(deadline_conversion_round_trips),
	    KTEST_CASE(tsc_adjust_is_restored),
	    KTEST_CASE(skewed_tsc_moved_time_off_the_tsc),
	    KTEST_CASE(warp_check_catches_a_lagging_cpu),
	    KTEST_CASE(rtc_gave_a_date), KTEST_CASE(refinement_is_consistent));
