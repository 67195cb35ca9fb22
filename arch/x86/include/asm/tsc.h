/*
 * The time stamp counter (arch/x86/tsc.c): what the CPU says about it
 * (CPUID), IA32_TSC_ADJUST, calibration against the platform clocks and
 * the cross-CPU warp check. System time on top of it is arch/x86/time.c.
 * SDM Vol. 3B, 18.17 (Time-Stamp Counter).
 */
#ifndef ASM_X86_TSC_H
#define ASM_X86_TSC_H

#include <asm/tsc_cpuid.h>
#include <clocksource.h>
#include <types.h>

#define MSR_IA32_TSC_ADJUST   0x3b
#define MSR_IA32_TSC_DEADLINE 0x6e0

/* RDTSC that does not run ahead of earlier loads (LFENCE; SDM Vol. 2B). */
static inline u64 rdtsc_ordered(void)
{
	u32 lo, hi;

	__asm__ __volatile__("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
	return ((u64)hi << 32) | lo;
}

struct tsc_features {
	bool invariant;	 /* CPUID 80000007h:EDX[8] */
	bool deadline;	 /* CPUID 1:ECX[24], TSC-deadline LAPIC timer */
	bool adjust;	 /* CPUID 7:EBX[1], IA32_TSC_ADJUST */
	bool hypervisor; /* CPUID 1:ECX[31] */
	bool intel;	 /* GenuineIntel: leaves 15h/16h are consulted */
	struct tsc_cpuid_rate
		cpuid;	/* leaves 15h/16h; hz 0 if they state none */
	u64 cpuid16_hz; /* CPUID 16h base frequency; 0 if absent */
	u64 hv_hz;	/* hypervisor leaf 40000010h; 0 if absent */
};

/* Whether the calling CPU has IA32_TSC_ADJUST (CPUID 7:EBX[1]). */
bool tsc_adjust_on_this_cpu(void);

/* Reads the TSC's CPUID facts of the calling CPU (once, on the boot CPU). */
void tsc_probe_features(struct tsc_features *f);
extern struct tsc_features tsc_features;

/*
 * Makes the calling CPU's IA32_TSC_ADJUST equal want (0 on the boot CPU,
 * the boot CPU's value on the others), so that firmware that wrote one
 * CPU's TSC does not leave it out of step. Returns the value it found.
 * No-op returning want without the MSR. Interrupts off.
 */
s64 tsc_adjust_sync(s64 want);

/* One calibration reference: a counter, and what the calibration found. */
struct tsc_calibration {
	const char *name;
	u64 hz;	       /* the counter's rate; 0: measured against the TSC */
	u64 result_hz; /* the TSC rate it gives (the counter's, if hz == 0) */
	u32 error_ppm; /* measurement error bound, see docs/time.md */
	bool valid;    /* it advanced and gave a plausible rate */
	bool agrees;   /* within the two error bounds of the chosen one */
	u64 window_ns; /* how long the measurement lasted */
};

#define TSC_MAX_REFERENCES 5

struct tsc_calibration_result {
	unsigned int nr;
	struct tsc_calibration ref[TSC_MAX_REFERENCES];
	int chosen; /* index into ref[], -1 if none valid */
	u64 tsc_hz; /* 0 if no reference worked */
	u32 error_ppm;
	u64 took_ns;  /* wall time the calibration took */
	u64 lapic_hz; /* the LAPIC timer's input rate (divide by 1) */
};

/*
 * Calibrates the TSC against every registered non-TSC clocksource at
 * once, in one window of window_us, and the LAPIC timer's rate against
 * the result. Boot CPU, interrupts off or no interrupt that takes long.
 */
void tsc_calibrate(u64 window_us, struct tsc_calibration_result *out);

/*
 * The TSC's rate over one second of the CMOS RTC (the fall of its UIP bit
 * to the next), for a machine with no other clock: *hz and its error
 * bound from the two edges' brackets. False if the RTC's updates did not
 * come. Takes 1-2 s. Boot CPU, interrupts off.
 */
bool tsc_calibrate_rtc(u64 *hz, u32 *err_ppm);

/*
 * The LAPIC timer's input rate measured over window_us of a TSC whose
 * rate is hz (the LAPIC timer runs free meanwhile); 0 if it did not
 * count. Boot CPU, interrupts off.
 */
u64 tsc_lapic_rate(u64 hz, u64 window_us);

/*
 * A calibration that runs in the background: begin() takes the start
 * sample against cs now; finish() takes the end sample and returns the
 * TSC rate (0 if cs did not advance), with its error bound in *err_ppm.
 */
struct tsc_refinement {
	struct clocksource *cs;
	u64 tsc0, ref0, width0;
};
void tsc_refine_begin(struct tsc_refinement *r, struct clocksource *cs);
u64 tsc_refine_finish(struct tsc_refinement *r, u32 *err_ppm, u64 *window_ns);

/*
 * The warp check: every online CPU reads read() in turn under one lock
 * until duration_ns from the call (each at least once) and compares with
 * the last value any CPU read; returns the largest backwards step seen
 * (0: none) in read()'s units, and counts the comparisons in *checks.
 * Interrupts enabled; calls every CPU.
 */
u64 clock_warp_check(u64 (*read)(void), s_time_t duration_ns, u64 *checks);

/*
 * The boot warp check's finding (arch/x86/time.c): the largest step back
 * it saw, in TSC cycles; 0 if it saw none or did not run.
 */
u64 tsc_boot_warp(void);

/* What the boot calibration found (arch/x86/time.c keeps it for tests). */
const struct tsc_calibration_result *tsc_boot_calibration(void);

/* The background refinement's outcome. */
struct tsc_refine_status {
	bool started; /* a reference was there to refine against */
	bool done;    /* the window has closed */
	bool applied; /* its rate was consistent and is in use */
	const char *reference;
	u64 hz; /* the rate it measured (0: the reference stalled) */
	u32 error_ppm;
	u64 window_ns;
};
const struct tsc_refine_status *tsc_refine_status(void);

#endif /* ASM_X86_TSC_H */
