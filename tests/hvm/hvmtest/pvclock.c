/*
 * pvclock: KVM's paravirtual clock as a guest OS uses it (Linux's
 * Documentation/virt/kvm/x86/cpuid.rst and msr.rst; docs/hvm.md "The TSC
 * and kvmclock"): the KVM signature found by a scan of the hypervisor
 * leaves, CLOCKSOURCE2, a per-vCPU time record that gives the TSC's rate
 * the calibration against the PM timer finds and the same time on every
 * vCPU, the wall clock, and #GP for a record that is not in one page of
 * RAM. Without the signature (bare QEMU's TCG has none) every case
 * skips, unless expect_kvmclock=1 says it must be there.
 */
#include "hvmtest.h"
#include "options.h"
#include "smp.h"
#include "time.h"
#include "traps.h"

#define KVM_FEATURE_CLOCKSOURCE2 (1U << 3)
#define MSR_KVM_WALL_CLOCK_NEW	 0x4b564d00
#define MSR_KVM_SYSTEM_TIME_NEW	 0x4b564d01
#define SYSTEM_TIME_ENABLE	 1ULL
#define PVCLOCK_TSC_STABLE_BIT	 (1U << 0)
/* Two vCPUs' readings of one instant may differ by this (rounding). */
#define CROSS_VCPU_SLACK_NS 2
#define WORK_TIMEOUT_NS	    (1000 * NSEC_PER_MSEC)

struct time_info {
	u32 version;
	u32 pad0;
	u64 tsc_timestamp;
	u64 system_time;
	u32 mul;
	signed char shift;
	u8 flags;
	u8 pad[2];
} __packed;

struct wall_clock {
	u32 version;
	u32 sec;
	u32 nsec;
} __packed;

/* One record per vCPU, each in a page of its own; then two spare pages. */
static struct time_info records[MAX_CPUS][4096 / sizeof(struct time_info)]
	__attribute__((aligned(4096)));
static u8 spare[2][4096] __attribute__((aligned(4096)));
static struct wall_clock wall __attribute__((aligned(64)));

/* The KVM leaves' base (0x40000000 + n * 0x100), or 0. */
static u32 kvm_base(void)
{
	u32 base;

	if (!(cpuid(1).ecx & (1U << 31)))
		return 0;
	for (base = 0x40000000; base < 0x40010000; base += 0x100) {
		struct cpuid_regs r = cpuid(base);
		char sig[12];

		memcpy(sig, &r.ebx, 4);
		memcpy(sig + 4, &r.ecx, 4);
		memcpy(sig + 8, &r.edx, 4);
		if (memcmp(sig, "KVMKVMKVM\0\0\0", 12) == 0 && r.eax > base)
			return base;
	}
	return 0;
}

/* The base, or 0 after skipping (or failing, if it must be there). */
static u32 need_kvm(struct test *t)
{
	u32 base = kvm_base();

	if (!base) {
		if (option_bool("expect_kvmclock", false))
			test_fail(t, __FILE__, __LINE__,
				  "no KVM signature in the hypervisor leaves");
		else
			test_skip(t, "no KVM signature (not on Kairos)");
	}
	return base;
}

/* ns since the record's timestamp at TSC tsc, as msr.rst computes it. */
static u64 record_ns(const volatile struct time_info *ti, u64 tsc)
{
	u64 delta = tsc - ti->tsc_timestamp;

	delta = ti->shift >= 0 ? delta << ti->shift : delta >> -ti->shift;
	return ti->system_time +
	       (u64)(((unsigned __int128)delta * ti->mul) >> 32);
}

/* The TSC rate a record's scale stands for, in Hz. */
static u64 record_hz(const volatile struct time_info *ti)
{
	u64 hz = muldiv64(NSEC_PER_SEC, 1ULL << 32, ti->mul);

	return ti->shift >= 0 ? hz >> ti->shift : hz << -ti->shift;
}

static void register_record(void *unused)
{
	(void)unused;
	wrmsr(MSR_KVM_SYSTEM_TIME_NEW,
	      (u64)(uintptr_t)records[this_slot()] | SYSTEM_TIME_ENABLE);
}

static void signature(struct test *t)
{
	u32 base = need_kvm(t);

	if (!base)
		return;
	test_diag(t, "KVM leaves at %#x, features %#x", base,
		  cpuid(base + 1).eax);
	CHECK(t, cpuid(base + 1).eax & KVM_FEATURE_CLOCKSOURCE2,
	      "no CLOCKSOURCE2 in %#x EAX", base + 1);
}

static void rate_matches_calibration(struct test *t)
{
	volatile struct time_info *ti = records[0];
	u64 hz, diff, bound, value;

	if (!need_kvm(t))
		return;
	register_record(NULL);
	CHECK(t, (ti->version & 1) == 0 && ti->version != 0,
	      "version %u after the write", ti->version);
	CHECK(t,
	      rdmsr(MSR_KVM_SYSTEM_TIME_NEW) ==
		      ((u64)(uintptr_t)ti | SYSTEM_TIME_ENABLE),
	      "the MSR does not read back what was written");
	hz = record_hz(ti);
	diff = hz > clocks.tsc_hz ? hz - clocks.tsc_hz : clocks.tsc_hz - hz;
	/* The calibration's own bound, plus 100 ppm for Kairos's. */
	bound = muldiv64(clocks.tsc_hz, clocks.tsc_error_ppm + 100, 1000000);
	test_diag(t,
		  "kvmclock rate %lu Hz (mul %u, shift %d, flags %#x); "
		  "against the PM timer %lu Hz +- %u ppm",
		  (unsigned long)hz, ti->mul, ti->shift, ti->flags,
		  (unsigned long)clocks.tsc_hz, clocks.tsc_error_ppm);
	CHECK(t, diff <= bound, "kvmclock's rate is %lu Hz off",
	      (unsigned long)diff);
	CHECK(t, ti->flags & PVCLOCK_TSC_STABLE_BIT,
	      "no PVCLOCK_TSC_STABLE_BIT (Kairos keeps time from the TSC)");
	/* Time goes on: a later reading is later, at the record's rate. */
	value = record_ns(ti, rdtsc_ordered());
	delay_ns(NSEC_PER_MSEC);
	CHECK(t, record_ns(ti, rdtsc_ordered()) >= value + NSEC_PER_MSEC,
	      "1 ms later the clock moved less than 1 ms");
}

/* Each vCPU's record, read at one TSC value, gives one time. */
static void same_time_on_every_vcpu(struct test *t)
{
	u64 tsc, t0, tn;
	unsigned int i;

	if (!need_kvm(t))
		return;
	if (nr_cpus_online < 2) {
		test_skip(t, "one vCPU");
		return;
	}
	CHECK(t, smp_call_all(register_record, NULL, WORK_TIMEOUT_NS),
	      "an AP did not register its record");
	tsc = rdtsc_ordered();
	t0 = record_ns(records[0], tsc);
	for (i = 1; i < nr_cpus_online; i++) {
		tn = record_ns(records[i], tsc);
		CHECK(t, (tn > t0 ? tn - t0 : t0 - tn) <= CROSS_VCPU_SLACK_NS,
		      "vCPU %u's record says %lu ns, vCPU 0's %lu ns", i,
		      (unsigned long)tn, (unsigned long)t0);
		CHECK(t, records[i][0].flags == records[0][0].flags,
		      "vCPU %u's flags %#x, vCPU 0's %#x", i,
		      records[i][0].flags, records[0][0].flags);
	}
}

static void wall_clock(struct test *t)
{
	if (!need_kvm(t))
		return;
	wrmsr(MSR_KVM_WALL_CLOCK_NEW, (u64)(uintptr_t)&wall);
	test_diag(t, "wall clock at guest time 0: %u.%09u", wall.sec,
		  wall.nsec);
	CHECK(t, (wall.version & 1) == 0, "version %u is odd", wall.version);
	/* After 2023-11-14 and before 2100: a date, not garbage. */
	CHECK(t, wall.sec > 1700000000U && wall.sec < 4102444800U,
	      "wall clock %u s", wall.sec);
	CHECK(t, wall.nsec < NSEC_PER_SEC, "nsec %u", wall.nsec);
}

static void record_outside_a_page_is_refused(struct test *t)
{
	u64 across = (u64)(uintptr_t)&spare[0][4096 - 16];

	if (!need_kvm(t))
		return;
	CHECK(t,
	      wrmsr_safe(MSR_KVM_SYSTEM_TIME_NEW,
			 across | SYSTEM_TIME_ENABLE) == VEC_GP,
	      "a record across a page boundary was accepted");
	CHECK(t,
	      wrmsr_safe(MSR_KVM_SYSTEM_TIME_NEW,
			 0xfee00000ULL | SYSTEM_TIME_ENABLE) == VEC_GP,
	      "a record in the local APIC's page was accepted");
	CHECK(t, wrmsr_safe(MSR_KVM_WALL_CLOCK_NEW, 0xfec00000ULL) == VEC_GP,
	      "a wall clock in the I/O APIC's page was accepted");
	/* Disabled: the address is not used, so anything goes. */
	CHECK(t, wrmsr_safe(MSR_KVM_SYSTEM_TIME_NEW, across) < 0,
	      "a disabled record was refused");
}

DEFINE_SUITE(pvclock, false, TEST_CASE(signature),
	     TEST_CASE(rate_matches_calibration),
	     TEST_CASE(same_time_on_every_vcpu), TEST_CASE(wall_clock),
	     TEST_CASE(record_outside_a_page_is_refused));
