/*
 * System time: NOW() from the TSC by multiply and shift, or from the
 * platform clocksource when the TSC cannot be trusted; time_init() sets
 * up every clock the boot needs. docs/time.md explains the design.
 */
#include <acpi.h>
#include <asm/hpet.h>
#include <asm/lapic_timer.h>
#include <asm/pit.h>
#include <asm/pmtimer.h>
#include <asm/processor.h>
#include <asm/rtc.h>
#include <asm/tsc.h>
#include <clockevent.h>
#include <clocksource.h>
#include <cpumask.h>
#include <errno.h>
#include <irq.h>
#include <keyhandler.h>
#include <panic.h>
#include <param.h>
#include <percpu.h>
#include <printk.h>
#include <smp.h>
#include <softirq.h>
#include <string.h>
#include <systime.h>
#include <time_scale.h>
#include <timer.h>
#include <trace.h>

/* The boot calibration's window: about 10 ms buys a few ppm with an HPET. */
#define CALIB_WINDOW_US 10000
/* The background refinement's window (the issue asks for about a second). */
#define REFINE_WINDOW MILLISECS(1000)
/* How long each CPU takes part in the boot warp check. */
#define WARP_CHECK_TIME MILLISECS(10)
/* CPUID's frequencies are nominal: how far they may be from the truth. */
#define CPUID16_TOLERANCE_PPM 20000 /* a base frequency, in whole MHz */
#define HV_LEAF_TOLERANCE_PPM 1000
#define PPM		      1000000ULL

static bool opt_tsc_unstable;

static int __init parse_tsc(const char *value)
{
	if (value && strcmp(value, "unstable") == 0)
		opt_tsc_unstable = true;
	else if (value && strcmp(value, "reliable") == 0)
		opt_tsc_unstable = false;
	else
		return -EINVAL;
	return 0;
}
custom_param("tsc", parse_tsc, "tsc=unstable|reliable");

/*
 * test_tsc_skew=<cpu>:<cycles>, test-only: a real TSC warp for the boot
 * warp check to find. Once that AP has set its IA32_TSC_ADJUST to the
 * boot CPU's (0) in time_init_secondary(), it writes cycles there, which
 * moves its TSC by cycles - 0 (SDM Vol. 3B, 18.17.3): negative puts it
 * behind the others. docs/time.md, "The warp check".
 */
static struct {
	bool requested;
	bool done; /* applied, or refused with a message */
	unsigned int cpu;
	s64 cycles;
} test_skew;

/* Reads a decimal number of at most max from *s; advances *s past it. */
static int __init parse_decimal(const char **s, u64 max, u64 *out)
{
	const char *p = *s;
	u64 v = 0;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (u64)(*p - '0');
		if (v > max)
			return -ERANGE;
	}
	*s = p;
	*out = v;
	return 0;
}

static int __init parse_test_tsc_skew(const char *value)
{
	const char *s = value;
	bool negative;
	u64 cpu, cycles;

	if (!value || parse_decimal(&s, UINT32_MAX, &cpu) || *s++ != ':')
		return -EINVAL;
	negative = *s == '-';
	if (*s == '-' || *s == '+')
		s++;
	if (parse_decimal(&s, (u64)INT64_MAX, &cycles) || *s || !cycles)
		return -EINVAL;
	test_skew.requested = true;
	test_skew.done = false;
	test_skew.cpu = (unsigned int)cpu;
	test_skew.cycles = negative ? -(s64)cycles : (s64)cycles;
	return 0;
}
custom_param(
	"test_tsc_skew", parse_test_tsc_skew,
	"test_tsc_skew=<cpu>:<cycles> (an AP; cycles non-zero, negative behind)");

/* ------------------------------------------------------------------ */
/* System time from the TSC                                            */

/*
 * The TSC stamp and system time at one instant, and the scales from then
 * on. Written under a sequence count (by the boot CPU only: time_init(),
 * the refinement), read locklessly by every CPU.
 */
struct tsc_time {
	u64 tsc_stamp;
	s_time_t stime_stamp;
	struct time_scale tsc_to_ns;
	struct time_scale ns_to_tsc;
};

static struct {
	u32 seq; /* odd while the record changes */
	struct tsc_time t;
} __aligned(64) tsc_time;

static bool time_is_ready;
static bool use_tsc; /* NOW() from the TSC, else from platform_cs */
static u64 calibrated_tsc_hz;
static struct clocksource tsc_clocksource;

/* A consistent copy of the record, and the TSC read inside the same
 * sequence window (so a reading never pairs an old record with a TSC
 * value taken after a new record's stamp). */
static inline u64 read_tsc_time(struct tsc_time *out)
{
	u32 seq;
	u64 tsc;

	do {
		seq = READ_ONCE(tsc_time.seq);
		smp_rmb();
		*out = tsc_time.t;
		tsc = rdtsc_ordered();
		/* RDTSC must complete before the second look at seq. */
		__asm__ __volatile__("lfence" ::: "memory");
	} while ((seq & 1) || seq != READ_ONCE(tsc_time.seq));
	return tsc;
}

static s_time_t tsc_now(void)
{
	struct tsc_time t;
	u64 tsc = read_tsc_time(&t);

	return t.stime_stamp +
	       scale_delta_signed((s64)(tsc - t.tsc_stamp), &t.tsc_to_ns);
}

/* Starts a new record at this instant with the rate hz (boot CPU). */
static void set_tsc_rate(u64 hz)
{
	struct tsc_time t;
	u64 tsc;

	t = tsc_time.t;
	WRITE_ONCE(tsc_time.seq, tsc_time.seq + 1);
	smp_mb(); /* the odd count is visible before the stamp is taken */
	tsc = rdtsc_ordered();
	if (t.tsc_stamp || t.stime_stamp)
		t.stime_stamp += scale_delta_signed((s64)(tsc - t.tsc_stamp),
						    &t.tsc_to_ns);
	t.tsc_stamp = tsc;
	time_scale_init(&t.tsc_to_ns, hz, NSEC_PER_SEC);
	time_scale_init(&t.ns_to_tsc, NSEC_PER_SEC, hz);
	tsc_time.t = t;
	smp_wmb();
	WRITE_ONCE(tsc_time.seq, tsc_time.seq + 1);
	calibrated_tsc_hz = hz;
	tsc_clocksource.hz = hz;
}

u64 stime_to_tsc(s_time_t s)
{
	struct tsc_time t;
	s64 d;

	read_tsc_time(&t);
	d = s - t.stime_stamp;
	/*
	 * One nanosecond more than asked, rounded up: converted back by the
	 * rounding-down scale, the TSC value then reads as no less than s.
	 */
	if (d >= 0)
		return t.tsc_stamp + scale_delta_ceil((u64)d + 1, &t.ns_to_tsc);
	return t.tsc_stamp - scale_delta((u64)-d, &t.ns_to_tsc);
}

s_time_t tsc_to_stime(u64 tsc)
{
	struct tsc_time t;
	s64 d;

	read_tsc_time(&t);
	d = (s64)(tsc - t.tsc_stamp);
	/*
	 * One nanosecond past the rounded-down conversion: once NOW() reads
	 * that much, the TSC (from which NOW() is scaled down) is past tsc.
	 */
	if (d >= 0)
		return t.stime_stamp +
		       (s_time_t)scale_delta((u64)d, &t.tsc_to_ns) + 1;
	return t.stime_stamp - (s_time_t)scale_delta((u64)-d, &t.tsc_to_ns);
}

/* ------------------------------------------------------------------ */
/* System time from the platform clocksource                           */

static struct clocksource *platform_cs;
static s_time_t wrap_guard_period;
static struct time_scale platform_to_ns;
static u64 platform_base_raw;
static s_time_t platform_base_stime;
/* Ticks since platform_base_raw; its low bits tell the last raw value. */
static u64 platform_ticks;

/*
 * Extends the counter to 64 bits without a lock: every reader advances
 * platform_ticks by what the counter moved since the value it encodes,
 * with a compare-and-exchange, so the count only grows and no two readers
 * add the same ticks. A counter that wraps needs a read per wrap period:
 * the wrap guard timer makes sure of one.
 */
static u64 platform_read_ticks(void)
{
	u64 mask = platform_cs->mask;
	u64 old, new, raw;

	if (mask == ~0ULL)
		return platform_cs->read() - platform_base_raw;
	old = __atomic_load_n(&platform_ticks, __ATOMIC_ACQUIRE);
	do {
		raw = platform_cs->read();
		new = old +
		      clocksource_delta(raw, platform_base_raw + old, mask);
	} while (!__atomic_compare_exchange_n(&platform_ticks, &old, new, false,
					      __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE));
	return new;
}

static s_time_t platform_now(void)
{
	return platform_base_stime +
	       (s_time_t)scale_delta(platform_read_ticks(), &platform_to_ns);
}

/* Moves system time onto cs from now on, continuing from at least from. */
static void use_platform_clock(struct clocksource *cs, s_time_t from)
{
	platform_cs = cs;
	time_scale_init(&platform_to_ns, cs->hz, NSEC_PER_SEC);
	platform_base_raw = cs->read();
	platform_ticks = 0;
	platform_base_stime = from;
	/* A wrapping counter must be read twice per wrap (the guard). */
	wrap_guard_period =
		cs->mask == ~0ULL
			? 0
			: (s_time_t)scale_delta(cs->mask / 2, &platform_to_ns);
	smp_wmb();
	WRITE_ONCE(use_tsc, false);
}

/* ------------------------------------------------------------------ */
/* The interface                                                       */

s_time_t get_s_time(void)
{
	if (likely(READ_ONCE(use_tsc)))
		return tsc_now();
	if (!time_is_ready)
		return 0;
	return platform_now();
}

bool time_guest_record(struct guest_time_record *r)
{
	struct tsc_time t;
	u32 seq;

	do {
		seq = READ_ONCE(tsc_time.seq);
		smp_rmb();
		t = tsc_time.t;
		smp_rmb();
	} while ((seq & 1) || seq != READ_ONCE(tsc_time.seq));
	r->generation = seq + !READ_ONCE(use_tsc);
	r->tsc_stamp = t.tsc_stamp;
	r->stime_stamp = t.stime_stamp;
	r->mul = t.tsc_to_ns.mul;
	r->shift = t.tsc_to_ns.shift;
	return READ_ONCE(use_tsc);
}

u32 time_guest_record_generation(void)
{
	return READ_ONCE(tsc_time.seq) + !READ_ONCE(use_tsc);
}

const char *system_clock_name(void)
{
	if (!time_is_ready)
		return "";
	return READ_ONCE(use_tsc) ? "tsc" : platform_cs->name;
}

bool time_ready(void)
{
	return time_is_ready;
}

u64 tsc_hz(void)
{
	return calibrated_tsc_hz;
}

bool tsc_reliable(void)
{
	return time_is_ready && READ_ONCE(use_tsc);
}

void ndelay_spin(s_time_t ns)
{
	s_time_t end;

	if (!time_is_ready) {
		pit_delay_us((ns + 999) / 1000);
		return;
	}
	end = NOW() + ns;
	while (NOW() < end)
		cpu_relax();
}

/* ------------------------------------------------------------------ */
/* The TSC as a clocksource                                            */

static u64 tsc_read(void)
{
	return rdtsc_ordered();
}

static struct clocksource tsc_clocksource = {
	.name = "tsc",
	.rating = 300,
	.flags = CLOCKSOURCE_IS_TSC,
	.read = tsc_read,
	.mask = ~0ULL,
};

/* Why the TSC cannot keep system time on this machine; NULL if it can. */
static const char *tsc_unusable_reason(void)
{
	if (opt_tsc_unstable)
		return "tsc=unstable on the command line";
	/*
	 * Without the invariant-TSC bit the rate may follow P-states and
	 * stop in deep C-states. A hypervisor's virtual TSC is constant
	 * whatever it enumerates (QEMU's TCG does not set the bit).
	 */
	if (!tsc_features.invariant && !tsc_features.hypervisor)
		return "not invariant (CPUID 80000007h:EDX[8] clear)";
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Calibration report                                                  */

static struct tsc_calibration_result boot_calibration;

const struct tsc_calibration_result *tsc_boot_calibration(void)
{
	return &boot_calibration;
}

/* Prints "1234.567 MHz" for hz into buf. */
static const char *fmt_mhz(char *buf, size_t len, u64 hz)
{
	snprintf(buf, len, "%lu.%03lu MHz", (unsigned long)(hz / 1000000),
		 (unsigned long)(hz / 1000 % 1000));
	return buf;
}

/* Prints "1234.567890 MHz" (to the Hz) for hz into buf. */
static const char *fmt_mhz_hz(char *buf, size_t len, u64 hz)
{
	snprintf(buf, len, "%lu.%06lu MHz", (unsigned long)(hz / 1000000),
		 (unsigned long)(hz % 1000000));
	return buf;
}

/* Reports one CPUID-given frequency against the calibrated one. */
static void cross_check_cpuid(const char *what, u64 hz, u32 tolerance_ppm)
{
	u64 ref = boot_calibration.tsc_hz;
	u64 diff = hz > ref ? hz - ref : ref - hz;
	u64 ppm = mul_div_u64(diff, PPM, ref);
	char a[32];

	if (!hz)
		return;
	if (ppm <= tolerance_ppm + boot_calibration.error_ppm)
		pr_info("TSC: %s says %s: agrees (%lu ppm apart)\n", what,
			fmt_mhz(a, sizeof(a), hz), (unsigned long)ppm);
	else
		pr_warn("TSC: %s says %s: %lu ppm from the measured rate; ignored\n",
			what, fmt_mhz(a, sizeof(a), hz), (unsigned long)ppm);
}

static void report_calibration(void)
{
	const struct tsc_calibration_result *c = &boot_calibration;
	const struct tsc_calibration *chosen = &c->ref[c->chosen];
	char agreed[96] = "", a[32];
	unsigned int i;
	size_t len = 0;

	for (i = 0; i + 1 < c->nr; i++) {
		const struct tsc_calibration *r = &c->ref[i];

		if (!r->valid)
			pr_warn("TSC: reference %s did not advance; not used\n",
				r->name);
		else
			pr_info("TSC: against %s: %s, error <= %u ppm, %lu us window%s\n",
				r->name, fmt_mhz_hz(a, sizeof(a), r->result_hz),
				r->error_ppm,
				(unsigned long)(r->window_ns / 1000),
				i == (unsigned int)c->chosen ? " (chosen)"
				: r->agrees		     ? " (agrees)"
							     : " (DISAGREES)");
		if (r->valid && r->agrees && len < sizeof(agreed))
			len += snprintf(agreed + len, sizeof(agreed) - len,
					"%s%s", len ? ", " : "", r->name);
	}
	/* The one line the issue asks for (tests and make bench read it). */
	pr_info("TSC: %s, error <= %u ppm, reference %s, calibrated in %lu ms\n",
		fmt_mhz(a, sizeof(a), c->tsc_hz), c->error_ppm, chosen->name,
		(unsigned long)((c->took_ns + NSEC_PER_MSEC / 2) /
				NSEC_PER_MSEC));
	pr_info("TSC: references that agree: %s\n", agreed);
	cross_check_cpuid(tsc_features.cpuid.how, tsc_features.cpuid.hz,
			  tsc_features.cpuid.tolerance_ppm);
	cross_check_cpuid("CPUID 16h", tsc_features.cpuid16_hz,
			  CPUID16_TOLERANCE_PPM);
	cross_check_cpuid("the hypervisor (leaf 40000010h)", tsc_features.hv_hz,
			  HV_LEAF_TOLERANCE_PPM);
}

/* A rate stated rather than measured, and the bound it comes with. */
struct stated_rate {
	const char *reference;
	u64 hz;
	u32 tolerance_ppm;
};

/* What the TSC's rate came from when no platform clock counted. */
static const char *fallback_reference;

/* The best-bounded rate the CPU states, or NULL if it states none. */
static const struct stated_rate *best_stated_rate(struct stated_rate *rates,
						  unsigned int n)
{
	const struct stated_rate *best = NULL;
	unsigned int i;

	for (i = 0; i < n; i++)
		if (rates[i].hz &&
		    (!best || rates[i].tolerance_ppm < best->tolerance_ppm))
			best = &rates[i];
	return best;
}

/*
 * Without a platform reference: one second of the CMOS RTC's update
 * cycle, else the best-bounded rate the CPU states (leaf 15h, the
 * hypervisor's leaf, leaf 16h's whole MHz), else stop. A stated rate can
 * be checked against nothing, so its bound is only the nominal one. The
 * log says which, in the same summary line a measured rate gets. The
 * LAPIC timer's rate is then measured against the TSC.
 */
static u64 uncalibrated_fallback(void)
{
	const struct tsc_cpuid_rate *c = &tsc_features.cpuid;
	struct stated_rate rates[] = {
		{c->how, c->hz, c->tolerance_ppm},
		{"the hypervisor (leaf 40000010h)", tsc_features.hv_hz,
		 HV_LEAF_TOLERANCE_PPM},
		{"CPUID 16h base frequency", tsc_features.cpuid16_hz,
		 CPUID16_TOLERANCE_PPM},
	};
	const struct stated_rate *best;
	struct tsc_calibration_result *b = &boot_calibration;
	u64 t0 = rdtsc_ordered(), hz;
	u32 err;
	char a[32];

	pr_warn("TSC: no platform clock to calibrate against (no HPET, PM timer or PIT)\n");
	if (!acpi_info.fadt.cmos_rtc_not_present &&
	    tsc_calibrate_rtc(&hz, &err)) {
		b->tsc_hz = hz;
		b->error_ppm = err;
		b->took_ns =
			mul_div_u64(rdtsc_ordered() - t0, NSEC_PER_SEC, hz);
		fallback_reference = "rtc";
		pr_info("TSC: %s, error <= %u ppm, reference rtc (one second of its update cycle), calibrated in %lu ms\n",
			fmt_mhz(a, sizeof(a), hz), err,
			(unsigned long)(b->took_ns / NSEC_PER_MSEC));
		cross_check_cpuid(c->how, c->hz, c->tolerance_ppm);
		cross_check_cpuid("the hypervisor (leaf 40000010h)",
				  tsc_features.hv_hz, HV_LEAF_TOLERANCE_PPM);
		cross_check_cpuid("CPUID 16h", tsc_features.cpuid16_hz,
				  CPUID16_TOLERANCE_PPM);
	} else {
		best = best_stated_rate(rates,
					sizeof(rates) / sizeof(rates[0]));
		if (!best)
			panic("TSC: no clock to calibrate against (no HPET, PM timer, PIT or RTC) and no rate from CPUID 15h/16h or a hypervisor leaf: no bound can be stated");
		b->tsc_hz = best->hz;
		b->error_ppm = best->tolerance_ppm;
		fallback_reference = best->reference;
		pr_info("TSC: %s, error <= %u ppm, reference %s (stated, not measured), calibrated in 0 ms\n",
			fmt_mhz(a, sizeof(a), best->hz), best->tolerance_ppm,
			best->reference);
	}
	b->lapic_hz = tsc_lapic_rate(b->tsc_hz, CALIB_WINDOW_US);
	return b->tsc_hz;
}

/* ------------------------------------------------------------------ */
/* Background refinement and the wrap guard                            */

static struct tsc_refinement refinement;
static struct timer refine_timer, wrap_guard_timer;
static struct tsc_refine_status refine_status;
static s_time_t refine_due;

const struct tsc_refine_status *tsc_refine_status(void)
{
	return &refine_status;
}

static void refine_begin(void)
{
	const struct tsc_calibration_result *c = &boot_calibration;
	struct clocksource *cs;

	if (c->chosen < 0)
		return;
	cs = clocksource_find(c->ref[c->chosen].name);
	if (!cs)
		return;
	tsc_refine_begin(&refinement, cs);
	refine_status.started = true;
	refine_status.reference = cs->name;
	refine_due = NOW() + REFINE_WINDOW;
}

/*
 * Closes the refinement window. The longer window shrinks the error
 * bound; the result is applied only if it lies within the boot
 * calibration's bound (plus its own), since anything else means one of
 * the two measurements was disturbed beyond what its bound admits.
 */
static void refine_finish(void)
{
	struct tsc_refine_status *s = &refine_status;
	u64 old = calibrated_tsc_hz, diff;
	char a[32], b[32];

	refine_due = 0;
	s->hz = tsc_refine_finish(&refinement, &s->error_ppm, &s->window_ns);
	s->done = true;
	if (!s->hz) {
		pr_warn("TSC: refinement against %s failed: it did not advance\n",
			s->reference);
		return;
	}
	diff = s->hz > old ? s->hz - old : old - s->hz;
	diff = mul_div_u64(diff, PPM, old);
	if (diff > (u64)boot_calibration.error_ppm + s->error_ppm) {
		pr_warn("TSC: refinement over %lu ms against %s gives %s, %lu ppm from the boot value (bounds %u + %u ppm); kept %s\n",
			(unsigned long)(s->window_ns / NSEC_PER_MSEC),
			s->reference, fmt_mhz(a, sizeof(a), s->hz),
			(unsigned long)diff, boot_calibration.error_ppm,
			s->error_ppm, fmt_mhz(b, sizeof(b), old));
		return;
	}
	if (use_tsc)
		set_tsc_rate(s->hz);
	else
		calibrated_tsc_hz = tsc_clocksource.hz = s->hz;
	s->applied = true;
	trace_clock_changed();
	pr_info("TSC: refined to %s, error <= %u ppm, over %lu ms against %s (%lu ppm from the boot value)\n",
		fmt_mhz_hz(a, sizeof(a), s->hz), s->error_ppm,
		(unsigned long)(s->window_ns / NSEC_PER_MSEC), s->reference,
		(unsigned long)diff);
}

/* The t debug key's part: the TSC's rate, how it was found, how refined. */
void arch_dump_clocks(void)
{
	const struct tsc_calibration_result *c = &boot_calibration;
	const struct tsc_refine_status *r = &refine_status;
	char a[32], b[32];

	if (c->chosen < 0) {
		printk("TSC: %s, error <= %u ppm, reference %s (no platform clock to calibrate against)\n",
		       fmt_mhz_hz(a, sizeof(a), tsc_hz()), c->error_ppm,
		       fallback_reference);
		return;
	}
	printk("TSC: %s, error <= %u ppm (%s)\n",
	       fmt_mhz_hz(a, sizeof(a), tsc_hz()),
	       r->applied ? r->error_ppm : c->error_ppm,
	       r->applied ? "refined" : "boot calibration");
	printk("TSC boot calibration: %s, error <= %u ppm, reference %s, %lu us window\n",
	       fmt_mhz_hz(b, sizeof(b), c->tsc_hz), c->error_ppm,
	       c->ref[c->chosen].name,
	       (unsigned long)(c->ref[c->chosen].window_ns / NSEC_PER_USEC));
	if (!r->started)
		printk("TSC refinement: none (no reference to refine against)\n");
	else if (!r->done)
		printk("TSC refinement: in progress against %s\n",
		       r->reference);
	else if (!r->hz)
		printk("TSC refinement: failed (%s did not advance)\n",
		       r->reference);
	else
		printk("TSC refinement: %s, error <= %u ppm over %lu ms against %s; %s\n",
		       fmt_mhz_hz(b, sizeof(b), r->hz), r->error_ppm,
		       (unsigned long)(r->window_ns / NSEC_PER_MSEC),
		       r->reference,
		       r->applied ? "applied"
				  : "not applied (outside the boot bounds)");
}

/* The end of the refinement window, as a timer on the boot CPU. */
static void refine_timer_fn(void *unused)
{
	refine_finish();
}

/* Reads a narrow platform counter twice per wrap, so NOW() misses none. */
static void wrap_guard_fn(void *unused)
{
	(void)platform_read_ticks();
	set_timer(&wrap_guard_timer, NOW() + wrap_guard_period);
}

/* Starts the clocks' own timers on the boot CPU (timers exist by now). */
static void start_clock_timers(void)
{
	init_timer(&refine_timer, refine_timer_fn, NULL, 0);
	if (refine_due)
		set_timer(&refine_timer, refine_due);
	init_timer(&wrap_guard_timer, wrap_guard_fn, NULL, 0);
	if (!use_tsc && wrap_guard_period)
		set_timer(&wrap_guard_timer, NOW() + wrap_guard_period);
}

/* ------------------------------------------------------------------ */
/* Start-up                                                            */

static s64 boot_wallclock_secs = -1;
/*
 * The clock event device every CPU binds (clockevent_choose(): a LAPIC
 * timer mode, or the broadcast of the HPET or PIT); NULL if none.
 */
static struct clock_event_device *percpu_timer;
static s64 boot_tsc_adjust;
static u64 boot_warp; /* the warp check's finding, in cycles */

s64 boot_wallclock(void)
{
	return boot_wallclock_secs;
}

/* The CPUID facts on one line. */
static void report_features(void)
{
	const struct tsc_features *f = &tsc_features;

	pr_info("TSC: %s%s%s%s\n", f->invariant ? "invariant" : "not invariant",
		f->deadline ? ", TSC-deadline timer" : "",
		f->adjust ? ", IA32_TSC_ADJUST" : "",
		f->hypervisor ? ", under a hypervisor" : "");
	if (!f->intel)
		pr_info("TSC: not an Intel CPU: CPUID 15h/16h not consulted\n");
	else if (!f->cpuid.hz)
		pr_info("TSC: Intel CPU; CPUID 15h/16h state no rate\n");
	else
		pr_info("TSC: Intel CPU; %s: %lu kHz (nominal, <= %u ppm)\n",
			f->cpuid.how, (unsigned long)(f->cpuid.hz / 1000),
			f->cpuid.tolerance_ppm);
}

/* Registers the platform clocksources (each says why if it cannot). */
static void register_platform_clocks(void)
{
	hpet_init();
	pmtimer_init();
	pit_init();
}

/* Chooses the clocksource for system time and starts it at 0. */
static void start_system_time(void)
{
	struct clocksource *cs;

	tsc_clocksource.why_unusable = tsc_unusable_reason();
	if (tsc_clocksource.why_unusable)
		pr_warn("TSC: not used for system time: %s\n",
			tsc_clocksource.why_unusable);
	tsc_clocksource.hz = calibrated_tsc_hz;
	clocksource_register(&tsc_clocksource);
	cs = clocksource_select();
	if (!cs)
		panic("time: no clocksource can keep system time");
	set_tsc_rate(calibrated_tsc_hz);
	if (cs == &tsc_clocksource) {
		use_tsc = true;
	} else {
		use_platform_clock(cs, 0);
	}
	time_is_ready = true;
	pr_info("time: system time from %s%s\n", cs->name,
		cs == &tsc_clocksource ? " (multiply and shift)" : "");
}

void __init time_init(void)
{
	struct clock_event_device *dev;
	unsigned long flags = local_irq_save();

	tsc_probe_features(&tsc_features);
	report_features();
	boot_tsc_adjust = tsc_adjust_sync(0);
	if (boot_tsc_adjust)
		pr_warn("TSC: IA32_TSC_ADJUST was %ld on the boot CPU (firmware wrote the TSC); reset to 0\n",
			(long)boot_tsc_adjust);

	register_platform_clocks();
	tsc_calibrate(CALIB_WINDOW_US, &boot_calibration);
	if (boot_calibration.chosen >= 0)
		report_calibration();
	calibrated_tsc_hz = boot_calibration.tsc_hz ? boot_calibration.tsc_hz
						    : uncalibrated_fallback();
	start_system_time();
	printk_set_clock(get_s_time);

	lapic_timer_init(boot_calibration.lapic_hz);
	dev = percpu_timer = clockevent_choose();
	if (!dev)
		panic("time: no clock event device can interrupt (the log says why of each); timers cannot fire");
	clockevent_bind_this_cpu(dev);
	boot_wallclock_secs = rtc_read_wallclock();
	refine_begin();
	local_irq_restore(flags);
}

/* test_tsc_skew= on its AP, just after the sync to the boot CPU's 0. */
static void apply_test_skew(void)
{
	unsigned int cpu = smp_processor_id();
	s64 want = test_skew.cycles, got;

	test_skew.done = true;
	if (!tsc_adjust_on_this_cpu()) {
		pr_warn("TSC: test_tsc_skew=%u:%ld refused: CPU %u has no IA32_TSC_ADJUST (CPUID 7:EBX[1] clear); ignored\n",
			cpu, (long)want, cpu);
		return;
	}
	wrmsr(MSR_IA32_TSC_ADJUST, (u64)want);
	got = (s64)rdmsr(MSR_IA32_TSC_ADJUST);
	if (got != want) {
		pr_warn("TSC: test_tsc_skew=%u:%ld: IA32_TSC_ADJUST of CPU %u reads back %ld after the write\n",
			cpu, (long)want, cpu, (long)got);
		return;
	}
	pr_warn("TSC: test_tsc_skew: IA32_TSC_ADJUST of CPU %u set to %ld: its TSC is now %lu cycles %s the boot CPU's\n",
		cpu, (long)want,
		(unsigned long)(want < 0 ? -(u64)want : (u64)want),
		want < 0 ? "behind" : "ahead of");
}

void time_init_secondary(void)
{
	struct clock_event_device *dev = percpu_timer;
	s64 found = tsc_adjust_sync(0);

	if (found)
		pr_warn("TSC: IA32_TSC_ADJUST was %ld on CPU %u; set to 0 like the boot CPU\n",
			(long)found, smp_processor_id());
	if (test_skew.requested && test_skew.cpu == smp_processor_id())
		apply_test_skew();
	if (dev)
		clockevent_bind_this_cpu(dev);
}

/* TSC-deadline needs a TSC in sync: every CPU takes the next best. */
static void rebind_chosen(void *unused)
{
	clockevent_bind_this_cpu(percpu_timer);
	raise_softirq(TIMER_SOFTIRQ); /* the timers' deadline was lost */
}

static void switch_from_deadline(void)
{
	unsigned long flags;

	lapic_deadline_device.why_unusable =
		"the TSC is not in sync on every CPU";
	flags = local_irq_save();
	percpu_timer = clockevent_choose();
	local_irq_restore(flags);
	if (!percpu_timer) {
		pr_err("LAPIC timer: TSC-deadline mode needs a synced TSC, and no other clock event device is usable\n");
		return;
	}
	on_selected_cpus(&cpu_online_map, rebind_chosen, NULL, true);
	pr_warn("LAPIC timer: TSC-deadline mode left; every CPU uses %s\n",
		percpu_timer->name);
}

static u64 tsc_read_for_warp(void)
{
	return rdtsc_ordered();
}

static void __init check_tsc_sync(unsigned int n);

/* Says why test_tsc_skew= did nothing, if no AP took it up. */
static void __init report_unused_test_skew(unsigned int n)
{
	if (!test_skew.requested || test_skew.done)
		return;
	if (test_skew.cpu == 0)
		pr_warn("TSC: test_tsc_skew=0:%ld refused: CPU 0 is the boot CPU, whose TSC the others are synced to; ignored\n",
			(long)test_skew.cycles);
	else
		pr_warn("TSC: test_tsc_skew=%u:%ld refused: CPU %u is not online (%u CPU%s); ignored\n",
			test_skew.cpu, (long)test_skew.cycles, test_skew.cpu, n,
			n == 1 ? "" : "s");
}

u64 tsc_boot_warp(void)
{
	return boot_warp;
}

void __init time_init_late(void)
{
	unsigned int n = num_online_cpus();

	report_unused_test_skew(n);
	if (n >= 2 && use_tsc)
		check_tsc_sync(n);
	clockevent_broadcast_report();
	start_clock_timers();
}

/* The warp check; moves system time off the TSC if it finds a warp. */
static void __init check_tsc_sync(unsigned int n)
{
	u64 checks, warp;

	warp = clock_warp_check(tsc_read_for_warp, WARP_CHECK_TIME, &checks);
	boot_warp = warp;
	if (!warp) {
		pr_info("TSC: in sync on %u CPUs (%lu ordered reads in %lu ms, no step back)\n",
			n, (unsigned long)checks,
			(unsigned long)(WARP_CHECK_TIME / NSEC_PER_MSEC));
		return;
	}
	tsc_clocksource.why_unusable = "a CPU's TSC is behind another's";
	tsc_clocksource.flags |= CLOCKSOURCE_UNSTABLE;
	{
		struct clocksource *cs = clocksource_select();
		s_time_t skew =
			(s_time_t)scale_delta(warp, &tsc_time.t.tsc_to_ns);
		s_time_t step = skew + MILLISECS(1);

		pr_warn("TSC: CPUs out of sync by up to %lu cycles (%lu ns); system time moves to %s\n",
			(unsigned long)warp, (unsigned long)skew,
			cs ? cs->name : "nothing");
		if (!cs)
			panic("time: no clocksource can keep system time");
		/* Start past any reading a leading CPU has given out. */
		use_platform_clock(cs, NOW() + step);
		/*
		 * System time has stepped ahead of real time by step: the end
		 * of the refinement window (begun in time_init(), its timer
		 * set only next) moves with it, or the window would come out
		 * short by that much.
		 */
		if (refine_due)
			refine_due += step;
	}
	if (percpu_timer == &lapic_deadline_device)
		switch_from_deadline();
}
