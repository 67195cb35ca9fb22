/*
 * The paravirtual clock an HVM guest may use: KVM's kvmclock, as Linux's
 * arch/x86/kernel/kvmclock.c and Documentation/virt/kvm/x86/msr.rst and
 * cpuid.rst define it, and nothing else of KVM's interface.
 *
 * Why this and not a PIT or HPET to calibrate against: a guest that
 * measures the TSC against an emulated timer measures the hypervisor's
 * scheduling as well (a preemption in the middle of the measurement
 * skews it), and under TCG each of its port reads is an exit of tens of
 * microseconds. kvmclock gives the rate Kairos calibrated (with its
 * error bound, in the boot log) exactly, and Linux knows it: it then
 * takes the TSC frequency from it (X86_FEATURE_TSC_KNOWN_FREQ, no
 * refinement against a platform timer) and uses it as its clocksource,
 * or the TSC itself where that is invariant.
 *
 * What a guest finds:
 *  - CPUID 0x40000100: the signature "KVMKVMKVM\0\0\0", highest leaf
 *    0x40000101 (Kairos's own signature stays at 0x40000000; Linux scans
 *    every 0x100 for KVM's, as it does under Xen with Viridian);
 *    0x40000101 EAX: CLOCKSOURCE2 (the MSRs below), NOP_IO_DELAY (port
 *    0x80 delays are not needed) and, when the host's TSC is in sync on
 *    every CPU, CLOCKSOURCE_STABLE_BIT; no hints.
 *  - MSR 0x4b564d00 (WALL_CLOCK_NEW): a write of a guest-physical
 *    address fills a struct pvclock_wall_clock there with the wall time
 *    at the guest's system time 0.
 *  - MSR 0x4b564d01 (SYSTEM_TIME_NEW): a write of an address with bit 0
 *    set fills a struct pvclock_vcpu_time_info there for this vCPU; bit 0
 *    clear stops updates. Both read back what was written.
 *
 * Guest system time is a fixed linear function of the domain's TSC (0 at
 * TSC 0, at Kairos's calibrated rate), the same on every vCPU, so one
 * record written at registration stays right: none is rewritten when a
 * vCPU moves, because the host TSCs agree (they are checked at boot, and
 * without that check passing the stable bit is not offered).
 */
#include <asm/hvm/hvm.h>
#include <asm/hvm/vmcb.h>
#include <asm/processor.h>
#include <page.h>
#include <domain.h>
#include <errno.h>
#include <printk.h>
#include <string.h>
#include <systime.h>

#define KVM_CPUID_SIGNATURE 0x40000100
#define KVM_CPUID_FEATURES  0x40000101

#define KVM_FEATURE_CLOCKSOURCE2	   (1U << 3)
#define KVM_FEATURE_NOP_IO_DELAY	   (1U << 1)
#define KVM_FEATURE_CLOCKSOURCE_STABLE_BIT (1U << 24)

#define MSR_KVM_WALL_CLOCK_NEW	0x4b564d00
#define MSR_KVM_SYSTEM_TIME_NEW 0x4b564d01
#define KVM_SYSTEM_TIME_ENABLE	1ULL

#define PVCLOCK_TSC_STABLE_BIT (1U << 0)

/* msr.rst: "struct pvclock_vcpu_time_info", 32 bytes. */
struct pvclock_vcpu_time_info {
	u32 version; /* odd while the record is being written */
	u32 pad0;
	u64 tsc_timestamp; /* the vCPU's TSC when system_time was taken */
	u64 system_time;   /* guest nanoseconds at tsc_timestamp */
	u32 tsc_to_system_mul;
	s8 tsc_shift;
	u8 flags; /* PVCLOCK_* */
	u8 pad[2];
} __packed;
BUILD_BUG_ON(sizeof(struct pvclock_vcpu_time_info) != 32);

/* msr.rst: "struct pvclock_wall_clock", 12 bytes. */
struct pvclock_wall_clock {
	u32 version;
	u32 sec; /* Unix time at guest system time 0 */
	u32 nsec;
} __packed;
BUILD_BUG_ON(sizeof(struct pvclock_wall_clock) != 12);

void hvm_pvclock_init(struct domain *d)
{
	u64 hz = tsc_hz();
	s8 shift = 0;

	ASSERT(hz);
	/*
	 * ns = ((tsc << shift) * mul) >> 32, as the guest computes it: the
	 * smallest shift for which the multiplier stays below 2^32, so that
	 * it keeps as many bits as it can.
	 */
	while ((hz << shift) <= NSEC_PER_SEC)
		shift++;
	d->hvm->pvclock_shift = shift;
	d->hvm->pvclock_mul = (u32)(((u64)NSEC_PER_SEC << 32) / (hz << shift));
}

/* The guest's system time for the domain's TSC value tsc. */
static u64 guest_ns(const struct hvm_domain *hd, u64 tsc)
{
	return (u64)(((unsigned __int128)(tsc << hd->pvclock_shift) *
		      hd->pvclock_mul) >>
		     32);
}

bool hvm_pvclock_cpuid(struct vcpu *v, u32 leaf, u32 out[4])
{
	switch (leaf) {
	case KVM_CPUID_SIGNATURE:
		out[0] = KVM_CPUID_FEATURES;
		memcpy(&out[1], "KVMKVMKVM\0\0\0", 12);
		return true;
	case KVM_CPUID_FEATURES:
		out[0] = KVM_FEATURE_CLOCKSOURCE2 | KVM_FEATURE_NOP_IO_DELAY |
			 (tsc_reliable() ? KVM_FEATURE_CLOCKSOURCE_STABLE_BIT
					 : 0);
		out[1] = out[2] = out[3] = 0;
		return true;
	default:
		return false;
	}
}

bool hvm_pvclock_msr_owned(u32 msr)
{
	return msr == MSR_KVM_WALL_CLOCK_NEW || msr == MSR_KVM_SYSTEM_TIME_NEW;
}

int hvm_pvclock_msr_read(struct vcpu *v, u32 msr, u64 *val)
{
	*val = msr == MSR_KVM_WALL_CLOCK_NEW ? v->domain->hvm->pvclock_wall_msr
					     : v->hvm->pvclock_msr;
	return 0;
}

/* A record wholly in RAM and in one page, as msr.rst requires. */
static bool record_fits(u64 gpa, size_t len)
{
	return (gpa & (PAGE_SIZE - 1)) + len <= PAGE_SIZE;
}

static int write_wall_clock(struct vcpu *v, u64 gpa)
{
	struct hvm_domain *hd = v->domain->hvm;
	struct pvclock_wall_clock wc = {.version = 2};
	u64 now_ns = boot_wallclock() * NSEC_PER_SEC + NOW();
	u64 at_zero = now_ns - guest_ns(hd, rdtsc() + hd->tsc_offset);

	wc.sec = (u32)(at_zero / NSEC_PER_SEC);
	wc.nsec = (u32)(at_zero % NSEC_PER_SEC);
	if (!record_fits(gpa, sizeof(wc)) ||
	    hvm_copy_to_gpa(v->domain, gpa, &wc, sizeof(wc)))
		return -EINVAL;
	hd->pvclock_wall_msr = gpa;
	return 0;
}

/*
 * Writes *ti at gpa under the version protocol of msr.rst: the version
 * odd, then the body, then the version even, in that order, because
 * another vCPU may be reading the record (Linux's vDSO reads vCPU 0's
 * from every CPU).
 */
static int write_record(struct vcpu *v, u64 gpa,
			struct pvclock_vcpu_time_info *ti)
{
	struct domain *d = v->domain;
	u32 version = v->hvm->pvclock_version + 1;
	size_t body = offsetof(struct pvclock_vcpu_time_info, pad0);

	if (hvm_copy_to_gpa(d, gpa, &version, sizeof(version)))
		return -EINVAL;
	smp_wmb();
	if (hvm_copy_to_gpa(d, gpa + body, (u8 *)ti + body, sizeof(*ti) - body))
		return -EINVAL;
	smp_wmb();
	version++;
	v->hvm->pvclock_version = version;
	return hvm_copy_to_gpa(d, gpa, &version, sizeof(version));
}

static int write_system_time(struct vcpu *v, u64 val)
{
	struct hvm_domain *hd = v->domain->hvm;
	struct pvclock_vcpu_time_info ti = {
		.tsc_to_system_mul = hd->pvclock_mul,
		.tsc_shift = hd->pvclock_shift,
		.flags = tsc_reliable() ? PVCLOCK_TSC_STABLE_BIT : 0,
	};
	u64 gpa = val & ~KVM_SYSTEM_TIME_ENABLE;
	u64 host_tsc = rdtsc();

	if (val & KVM_SYSTEM_TIME_ENABLE) {
		if (!record_fits(gpa, sizeof(ti)))
			return -EINVAL;
		/* This vCPU's TSC (a WRMSR may have moved it), domain time. */
		ti.tsc_timestamp = host_tsc + v->hvm->svm.vmcb->tsc_offset;
		ti.system_time = guest_ns(hd, host_tsc + hd->tsc_offset);
		if (write_record(v, gpa, &ti))
			return -EINVAL;
	}
	v->hvm->pvclock_msr = val;
	return 0;
}

int hvm_pvclock_msr_write(struct vcpu *v, u32 msr, u64 val)
{
	if (msr == MSR_KVM_WALL_CLOCK_NEW)
		return write_wall_clock(v, val);
	return write_system_time(v, val);
}
