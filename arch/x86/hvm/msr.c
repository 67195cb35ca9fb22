/*
 * The MSRs an HVM guest reaches through RDMSR and WRMSR exits. The
 * segment-base, SYSCALL and SYSENTER MSRs never exit (they are switched
 * with the VMCB, svm.c's permission map); the local APIC's are the
 * virtual APIC's; the few below are emulated; every other one raises #GP,
 * as on a CPU without it, and the first ones a domain touches are
 * logged (a bounded number of lines), so that a guest that needs more
 * says what.
 */
#include <asm/boot.h>
#include <asm/hvm/hvm.h>
#include <asm/hvm/vmcb.h>
#include <asm/processor.h>
#include <domain.h>
#include <errno.h>
#include <printk.h>

#define MSR_IA32_TSC	     0x10
#define MSR_IA32_PATCH_LEVEL 0x8b /* AMD; Intel's BIOS_SIGN_ID */
#define MSR_IA32_PAT	     0x277
#define MSR_TSC_AUX	     0xc0000103

#define EFER_LMA   (1ULL << 10)
#define EFER_FFXSR (1ULL << 14)
#define EFER_GUEST (EFER_SCE | EFER_LME | EFER_NXE | EFER_FFXSR)

/* Lines about MSRs that are not emulated, per domain. */
#define UNKNOWN_MSR_LINES 16

static void report_unknown(struct vcpu *v, u32 msr, bool write, u64 val)
{
	struct hvm_domain *hd = v->domain->hvm;
	unsigned int n =
		__atomic_fetch_add(&hd->nr_msrs_reported, 1, __ATOMIC_RELAXED);

	if (n < UNKNOWN_MSR_LINES)
		printk("(d%u) [hvm: %s MSR %#x%s is not emulated: #GP]\n",
		       v->domain->domid, write ? "wrmsr" : "rdmsr", msr,
		       write ? "" : "");
	else if (n == UNKNOWN_MSR_LINES)
		printk("(d%u) [hvm: more MSRs that are not emulated; no longer reported]\n",
		       v->domain->domid);
	(void)val;
}

/* A PAT value whose every entry is a memory type (SDM Vol. 3A 13.12.2). */
static bool pat_valid(u64 pat)
{
	unsigned int i;

	for (i = 0; i < 8; i++) {
		u8 type = (pat >> (8 * i)) & 0xff;

		if (type != 0 && type != 1 && (type < 4 || type > 7))
			return false;
	}
	return true;
}

static int efer_write(struct vmcb *vmcb, u64 val)
{
	u64 old = vmcb->efer;

	if (val & ~(EFER_GUEST | EFER_LMA))
		return -EINVAL;
	/* LME may not change while paging is on (SDM Vol. 3A 10.8.5). */
	if ((vmcb->cr0 & X86_CR0_PG) && ((val ^ old) & EFER_LME))
		return -EINVAL;
	/* LMA is the CPU's to set; the guest's value of it is ignored. */
	vmcb->efer = (val & EFER_GUEST) | (old & EFER_LMA) | EFER_SVME;
	return 0;
}

int hvm_msr_read(struct vcpu *v, u32 msr, u64 *val)
{
	struct vmcb *vmcb = v->hvm->svm.vmcb;

	if (vlapic_msr_owned(msr))
		return vlapic_msr_read(v, msr, val);
	if (hvm_pvclock_msr_owned(msr))
		return hvm_pvclock_msr_read(v, msr, val);
	switch (msr) {
	case MSR_IA32_TSC:
		*val = rdtsc() + vmcb->tsc_offset;
		return 0;
	case MSR_IA32_PATCH_LEVEL:
		*val = 0;
		return 0;
	case MSR_IA32_PAT:
		*val = vmcb->g_pat;
		return 0;
	case MSR_EFER:
		*val = vmcb->efer & ~EFER_SVME;
		return 0;
	case MSR_TSC_AUX:
		*val = v->hvm->tsc_aux;
		return 0;
	default:
		report_unknown(v, msr, false, 0);
		return -EINVAL;
	}
}

int hvm_msr_write(struct vcpu *v, u32 msr, u64 val)
{
	struct vmcb *vmcb = v->hvm->svm.vmcb;

	if (vlapic_msr_owned(msr))
		return vlapic_msr_write(v, msr, val);
	if (hvm_pvclock_msr_owned(msr))
		return hvm_pvclock_msr_write(v, msr, val);
	switch (msr) {
	case MSR_IA32_TSC:
		/* This vCPU's TSC jumps; the others keep theirs. */
		vmcb->tsc_offset = val - rdtsc();
		return 0;
	case MSR_IA32_PATCH_LEVEL:
		return 0; /* a microcode update trigger: nothing to load */
	case MSR_IA32_PAT:
		if (!pat_valid(val))
			return -EINVAL;
		vmcb->g_pat = val;
		return 0;
	case MSR_EFER:
		return efer_write(vmcb, val);
	case MSR_TSC_AUX:
		if (val >> 32)
			return -EINVAL;
		v->hvm->tsc_aux = val;
		return 0;
	default:
		report_unknown(v, msr, true, val);
		return -EINVAL;
	}
}
