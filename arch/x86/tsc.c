/*
 * The time stamp counter: CPUID facts, IA32_TSC_ADJUST, calibration
 * against the platform clocks, and the cross-CPU warp check.
 * SDM Vol. 3B, 18.17 (Time-Stamp Counter); docs/time.md.
 */
#include <asm/lapic_timer.h>
#include <asm/processor.h>
#include <asm/rtc.h>
#include <asm/tsc.h>
#include <clocksource.h>
#include <cpumask.h>
#include <irq.h>
#include <panic.h>
#include <printk.h>
#include <smp.h>
#include <spinlock.h>
#include <systime.h>
#include <time_scale.h>

/* Paired reads per sample: the narrowest bracket of these wins. */
#define CALIB_TRIES 16
/* A counter that has not moved after this many TSC cycles is dead. */
#define CALIB_STALL_CYCLES (1ULL << 34)
/* Below this many reference ticks a window says nothing useful. */
#define CALIB_MIN_TICKS 16
#define PPM		1000000ULL

struct tsc_features tsc_features;

/* ------------------------------------------------------------------ */
/* CPUID                                                               */

#define CPUID_1_ECX_TSC_DEADLINE  (1U << 24)
#define CPUID_1_ECX_HYPERVISOR	  (1U << 31)
#define CPUID_7_EBX_TSC_ADJUST	  (1U << 1)
#define CPUID_80000007_EDX_INVTSC (1U << 8)
#define CPUID_HV_BASE		  0x40000000
#define CPUID_HV_TIMING		  0x40000010 /* EAX: TSC kHz (VMware, KVM) */

bool tsc_adjust_on_this_cpu(void)
{
	struct cpuid_regs r;

	cpuid(0, &r);
	if (r.eax < 7)
		return false;
	cpuid_count(7, 0, &r);
	return r.ebx & CPUID_7_EBX_TSC_ADJUST;
}

/* "GenuineIntel" in CPUID 0's EBX, EDX, ECX. */
#define CPUID_INTEL_EBX 0x756e6547
#define CPUID_INTEL_EDX 0x49656e69
#define CPUID_INTEL_ECX 0x6c65746e

/* The leaves tsc_cpuid_rate() reads, on this CPU. */
static void read_rate_leaves(struct tsc_cpuid_leaves *l)
{
	struct cpuid_regs r;
	u32 base_family;

	*l = (struct tsc_cpuid_leaves){0};
	cpuid(0, &r);
	l->max_leaf = r.eax;
	l->intel = r.ebx == CPUID_INTEL_EBX && r.edx == CPUID_INTEL_EDX &&
		   r.ecx == CPUID_INTEL_ECX;
	cpuid(1, &r);
	/* SDM Vol. 2A, CPUID leaf 1: display family and model. */
	base_family = (r.eax >> 8) & 0xf;
	l->family = base_family == 0xf ? base_family + ((r.eax >> 20) & 0xff)
				       : base_family;
	l->model = (r.eax >> 4) & 0xf;
	if (base_family == 6 || base_family == 0xf)
		l->model |= ((r.eax >> 16) & 0xf) << 4;
	if (l->max_leaf >= 0x15) {
		cpuid(0x15, &r);
		l->l15_eax = r.eax;
		l->l15_ebx = r.ebx;
		l->l15_ecx = r.ecx;
	}
	if (l->max_leaf >= 0x16) {
		cpuid(0x16, &r);
		l->l16_eax = r.eax;
	}
}

void tsc_probe_features(struct tsc_features *f)
{
	struct tsc_cpuid_leaves leaves;
	struct cpuid_regs r;
	u32 max, max_ext;

	*f = (struct tsc_features){0};
	read_rate_leaves(&leaves);
	cpuid(0, &r);
	max = r.eax;
	cpuid(1, &r);
	f->deadline = r.ecx & CPUID_1_ECX_TSC_DEADLINE;
	f->hypervisor = r.ecx & CPUID_1_ECX_HYPERVISOR;
	f->adjust = tsc_adjust_on_this_cpu();
	f->intel = leaves.intel;
	tsc_cpuid_rate(&leaves, &f->cpuid);
	if (max >= 0x16) {
		cpuid(0x16, &r);
		f->cpuid16_hz = (u64)(r.eax & 0xffff) * 1000000;
	}
	cpuid(0x80000000, &r);
	max_ext = r.eax;
	if (max_ext >= 0x80000007) {
		cpuid(0x80000007, &r);
		f->invariant = r.edx & CPUID_80000007_EDX_INVTSC;
	}
	if (f->hypervisor) {
		cpuid(CPUID_HV_BASE, &r);
		if (r.eax >= CPUID_HV_TIMING && r.eax < CPUID_HV_BASE + 0x100) {
			cpuid(CPUID_HV_TIMING, &r);
			f->hv_hz = (u64)r.eax * 1000;
		}
	}
}

/* ------------------------------------------------------------------ */
/* IA32_TSC_ADJUST (SDM Vol. 3B, 18.17.3)                              */

s64 tsc_adjust_sync(s64 want)
{
	s64 found;

	if (!tsc_features.adjust)
		return want;
	found = (s64)rdmsr(MSR_IA32_TSC_ADJUST);
	if (found != want)
		wrmsr(MSR_IA32_TSC_ADJUST, (u64)want);
	return found;
}

/* ------------------------------------------------------------------ */
/* Paired reads                                                        */

/*
 * One reading of a counter with the TSC read on both sides. The counter's
 * value belongs to some instant between the two TSC reads; the narrower
 * the bracket, the better we know which. An SMI or a host preemption
 * shows up as a wide bracket, and the narrowest of CALIB_TRIES wins.
 */
struct paired_sample {
	u64 tsc;   /* the middle of the bracket */
	u64 value; /* the counter */
	u64 width; /* the bracket, in TSC cycles */
};

/* The narrowest-bracketed of CALIB_TRIES readings of read(). */
static struct paired_sample paired_read(u64 (*read)(void))
{
	struct paired_sample best = {.width = ~0ULL};
	unsigned int i;

	for (i = 0; i < CALIB_TRIES; i++) {
		u64 t0 = rdtsc_ordered();
		u64 v = read();
		u64 t1 = rdtsc_ordered();

		if (t1 - t0 < best.width)
			best = (struct paired_sample){
				.tsc = t0 + (t1 - t0) / 2,
				.value = v,
				.width = t1 - t0,
			};
	}
	return best;
}

/*
 * The error bound of a rate measured between two samples, in ppm: the two
 * half-brackets of TSC uncertainty over the TSC interval, plus one tick of
 * the counter's quantisation (the difference of two truncated readings is
 * within one tick of the true difference) over the ticks counted.
 */
static u32 error_ppm(const struct paired_sample *a,
		     const struct paired_sample *b, u64 ticks)
{
	u64 dtsc = b->tsc - a->tsc;
	u64 e = mul_div_u64((a->width + b->width) / 2 + 1, PPM, dtsc);

	e += (PPM + ticks - 1) / ticks;
	return e > UINT32_MAX ? UINT32_MAX : (u32)e;
}

/* ------------------------------------------------------------------ */
/* Boot calibration                                                    */

struct calib_counter {
	u64 (*read)(void);
	u64 mask;
	struct paired_sample start, end;
	u64 last, ticks; /* extended across wraps while the window runs */
};

static u64 lapic_count_read(void)
{
	return lapic_timer_free_run_count();
}

/* Advances c->ticks by the counter's progress since the last look. */
static void counter_track(struct calib_counter *c)
{
	u64 now = c->read() & c->mask;

	c->ticks += clocksource_delta(now, c->last, c->mask);
	c->last = now;
}

/* Sets up the references: every registered non-TSC clocksource. */
static unsigned int collect_references(struct tsc_calibration_result *out,
				       struct calib_counter *ctr)
{
	struct clocksource *cs;
	unsigned int i, n = 0;

	for (i = 0; (cs = clocksource_by_rating(i)) != NULL; i++) {
		if ((cs->flags & CLOCKSOURCE_IS_TSC) ||
		    n + 1 >= TSC_MAX_REFERENCES)
			continue;
		out->ref[n] = (struct tsc_calibration){.name = cs->name,
						       .hz = cs->hz};
		ctr[n] = (struct calib_counter){.read = cs->read,
						.mask = cs->mask};
		n++;
	}
	/* The LAPIC timer's input clock, measured in the same window. */
	out->ref[n] = (struct tsc_calibration){.name = "lapic", .hz = 0};
	ctr[n] = (struct calib_counter){.read = lapic_count_read,
					.mask = 0xffffffffULL};
	return n + 1;
}

/* True once the first counter (the best-rated) has covered window_us. */
static bool window_done(struct calib_counter *ctr,
			const struct tsc_calibration *ref, u64 window_us,
			u64 tsc_start)
{
	counter_track(&ctr[0]);
	if (ref[0].hz &&
	    ctr[0].ticks >= mul_div_u64(window_us, ref[0].hz, 1000000))
		return true;
	/* A dead first counter: give up after a bounded number of cycles. */
	return rdtsc_ordered() - tsc_start > CALIB_STALL_CYCLES;
}

/* Fills ref->result_hz, error and validity from its two samples. */
static void rate_from_samples(struct tsc_calibration *ref,
			      struct calib_counter *c)
{
	u64 dtsc = c->end.tsc - c->start.tsc;
	u64 ticks = c->ticks;

	ref->valid = dtsc > 0 && ticks >= CALIB_MIN_TICKS;
	if (!ref->valid)
		return;
	ref->error_ppm = error_ppm(&c->start, &c->end, ticks);
	/* For a counter of known rate, the TSC's rate; else the counter's
	 * ticks per TSC tick, turned into Hz once the TSC's rate is known. */
	ref->result_hz = ref->hz ? mul_div_u64(dtsc, ref->hz, ticks) : 0;
}

/* The rates a and b differ by at most their two error bounds plus slack. */
static bool rates_agree(u64 a, u32 ea, u64 b, u32 eb, u32 slack_ppm)
{
	u64 diff = a > b ? a - b : b - a;

	return mul_div_u64(diff, PPM, a) <= (u64)ea + eb + slack_ppm;
}

/*
 * Chooses the reference: the best-rated valid one that another valid one
 * agrees with; with no agreement at all, the best-rated valid one.
 */
static int choose_reference(struct tsc_calibration_result *out,
			    unsigned int nr_platform)
{
	unsigned int i, j;
	int first_valid = -1;

	for (i = 0; i < nr_platform; i++) {
		if (!out->ref[i].valid)
			continue;
		if (first_valid < 0)
			first_valid = i;
		for (j = 0; j < nr_platform; j++)
			if (j != i && out->ref[j].valid &&
			    rates_agree(out->ref[i].result_hz,
					out->ref[i].error_ppm,
					out->ref[j].result_hz,
					out->ref[j].error_ppm, 0))
				return i;
	}
	return first_valid;
}

void tsc_calibrate(u64 window_us, struct tsc_calibration_result *out)
{
	struct calib_counter ctr[TSC_MAX_REFERENCES];
	unsigned int i, n, nr_platform;
	u64 t_begin, t_end;

	*out = (struct tsc_calibration_result){.chosen = -1};
	lapic_timer_free_run_start();
	n = collect_references(out, ctr);
	nr_platform = n - 1;
	out->nr = n;

	t_begin = rdtsc_ordered();
	for (i = 0; i < n; i++) {
		ctr[i].start = paired_read(ctr[i].read);
		ctr[i].last = ctr[i].start.value & ctr[i].mask;
	}
	/* Every counter is tracked while the window runs, so none wraps
	 * unseen (the PIT wraps every 55 ms). */
	while (nr_platform && !window_done(ctr, out->ref, window_us, t_begin))
		for (i = 1; i < n; i++)
			counter_track(&ctr[i]);
	for (i = 0; i < n; i++) {
		ctr[i].end = paired_read(ctr[i].read);
		ctr[i].ticks +=
			clocksource_delta(ctr[i].end.value & ctr[i].mask,
					  ctr[i].last, ctr[i].mask);
		rate_from_samples(&out->ref[i], &ctr[i]);
	}
	t_end = rdtsc_ordered();

	out->chosen = choose_reference(out, nr_platform);
	if (out->chosen < 0)
		return;
	out->tsc_hz = out->ref[out->chosen].result_hz;
	out->error_ppm = out->ref[out->chosen].error_ppm;
	for (i = 0; i < n; i++) {
		struct tsc_calibration *r = &out->ref[i];
		u64 dtsc = ctr[i].end.tsc - ctr[i].start.tsc;

		r->window_ns = mul_div_u64(dtsc, NSEC_PER_SEC, out->tsc_hz);
		if (i < nr_platform)
			r->agrees = r->valid &&
				    rates_agree(out->tsc_hz, out->error_ppm,
						r->result_hz, r->error_ppm, 0);
	}
	/* The LAPIC's rate: its ticks over the TSC interval, in Hz. */
	if (out->ref[nr_platform].valid) {
		struct calib_counter *c = &ctr[nr_platform];

		out->lapic_hz = mul_div_u64(c->ticks, out->tsc_hz,
					    c->end.tsc - c->start.tsc);
		out->ref[nr_platform].result_hz = out->lapic_hz;
		out->ref[nr_platform].agrees = true;
	}
	out->took_ns = mul_div_u64(t_end - t_begin, NSEC_PER_SEC, out->tsc_hz);
}

/* ------------------------------------------------------------------ */
/* The last resort: the RTC's update cycle                             */

/*
 * Waits for the RTC's seconds register to change and brackets the change:
 * from the TSC before the last read of the old value to the TSC after the
 * first read of the new one. Reads during an update are skipped: they
 * only widen the bracket. (The UIP bit's own fall would do on hardware,
 * but QEMU derives it from a timer that fires milliseconds late under
 * TCG; the register's value it computes from the clock at each read.)
 * False if no change came within CALIB_STALL_CYCLES.
 */
static bool rtc_edge(struct paired_sample *s)
{
	u64 start = rdtsc_ordered(), last_old = start;
	int old = -1;

	for (;;) {
		u64 before = rdtsc_ordered();
		int sec = rtc_read_seconds();
		u64 after = rdtsc_ordered();

		if (sec >= 0 && old < 0) {
			old = sec;
			last_old = before;
		} else if (sec >= 0 && sec == old) {
			last_old = before;
		} else if (sec >= 0) {
			*s = (struct paired_sample){
				.tsc = last_old + (after - last_old) / 2,
				.width = after - last_old,
			};
			return true;
		}
		if (after - start > CALIB_STALL_CYCLES)
			return false;
	}
}

bool tsc_calibrate_rtc(u64 *hz, u32 *err_ppm)
{
	struct paired_sample a, b;
	u64 dtsc, e;

	/* The first change only starts the second; the next one ends it. */
	if (!rtc_edge(&a) || !rtc_edge(&b) || b.tsc <= a.tsc)
		return false;
	dtsc = b.tsc - a.tsc;
	/* Each bracket holds its change: no quantisation term. */
	e = mul_div_u64((a.width + b.width) / 2 + 1, PPM, dtsc);
	*hz = dtsc;
	*err_ppm = e > UINT32_MAX ? UINT32_MAX : (u32)e;
	return true;
}

u64 tsc_lapic_rate(u64 hz, u64 window_us)
{
	struct paired_sample a, b;
	u64 end;

	lapic_timer_free_run_start();
	a = paired_read(lapic_count_read);
	end = a.tsc + mul_div_u64(window_us, hz, 1000000);
	while (rdtsc_ordered() < end)
		cpu_relax();
	b = paired_read(lapic_count_read);
	if (b.value <= a.value || b.tsc <= a.tsc)
		return 0;
	return mul_div_u64(b.value - a.value, hz, b.tsc - a.tsc);
}

/* ------------------------------------------------------------------ */
/* Refinement over a longer window                                     */

void tsc_refine_begin(struct tsc_refinement *r, struct clocksource *cs)
{
	struct paired_sample s = paired_read(cs->read);

	*r = (struct tsc_refinement){
		.cs = cs, .tsc0 = s.tsc, .ref0 = s.value, .width0 = s.width};
}

u64 tsc_refine_finish(struct tsc_refinement *r, u32 *err_ppm, u64 *window_ns)
{
	struct paired_sample a = {
		.tsc = r->tsc0, .value = r->ref0, .width = r->width0};
	struct paired_sample b = paired_read(r->cs->read);
	u64 ticks = clocksource_delta(b.value, a.value, r->cs->mask);
	u64 hz;

	if (ticks < CALIB_MIN_TICKS || b.tsc <= a.tsc)
		return 0;
	hz = mul_div_u64(b.tsc - a.tsc, r->cs->hz, ticks);
	*err_ppm = error_ppm(&a, &b, ticks);
	*window_ns = mul_div_u64(ticks, NSEC_PER_SEC, r->cs->hz);
	return hz;
}

/* ------------------------------------------------------------------ */
/* The warp check                                                      */

/*
 * Every CPU takes the lock, reads the clock, compares with the value the
 * previous holder (any CPU) read and leaves its own. The lock orders the
 * readings, so a smaller value than the last one is a clock behind
 * another CPU's: a warp. Linux's check_tsc_warp() does the same pairwise.
 *
 * All CPUs stop at one end time, each after at least one reading, and the
 * lock is only tried: a CPU that gets to run late (an emulator's vCPU
 * thread, descheduled) reads once and leaves, and no CPU waits in a
 * queue behind a holder that is not running. With a ticket lock and a
 * window per CPU, 300 vCPUs on two host cores took 27 s here; on
 * hardware every CPU starts within microseconds, so the window is the
 * same.
 */
struct warp_check {
	u64 (*read)(void);
	s_time_t end;
	spinlock_t lock;
	u64 last;
	u64 max_warp;
	u64 checks;
};

/* One reading against the last one, if the lock is free; true if taken. */
static bool warp_check_once(struct warp_check *w)
{
	unsigned long flags = local_irq_save();
	bool taken = spin_trylock(&w->lock);

	if (taken) {
		u64 prev = w->last, now = w->read();

		w->last = now;
		w->checks++;
		if (now < prev && prev - now > w->max_warp)
			w->max_warp = prev - now;
		spin_unlock(&w->lock);
	}
	local_irq_restore(flags);
	return taken;
}

static void warp_check_cpu(void *arg)
{
	struct warp_check *w = arg;
	bool read_once = false;

	do {
		if (warp_check_once(w))
			read_once = true;
		cpu_relax();
	} while (!read_once || NOW() < w->end);
}

u64 clock_warp_check(u64 (*read)(void), s_time_t duration_ns, u64 *checks)
{
	static struct warp_check w;

	ASSERT(local_irq_is_enabled());
	w = (struct warp_check){.read = read, .end = NOW() + duration_ns};
	spin_lock_init(&w.lock);
	on_selected_cpus(&cpu_online_map, warp_check_cpu, &w, true);
	if (checks)
		*checks = w.checks;
	return w.max_warp;
}
