/*
 * What CPUID tells an HVM guest: the host's processor, less what Kairos
 * does not virtualise, plus what its platform offers (docs/hvm.md, "What
 * a guest sees"): a local APIC with x2APIC and the TSC-deadline timer,
 * an always-running APIC timer (ARAT), the hypervisor bit and leaf
 * 0x4000_0000, the topology of the domain's vCPUs (one thread per core,
 * one package) and XSAVE limited to the components the hypervisor
 * switches. Features whose MSRs or instructions are not emulated
 * (machine check, MTRRs, performance counters, MONITOR, SVM, PKU, ...)
 * are hidden, so that a guest does not reach for them.
 */
#include <asm/boot.h>
#include <asm/fpu.h>
#include <asm/hvm/hvm.h>
#include <asm/hvm/vmcb.h>
#include <asm/processor.h>
#include <domain.h>
#include <string.h>
#include <systime.h>

#define BIT(n) (1U << (n))

/* Leaf 1 ECX, EDX (Intel SDM Vol. 2A, CPUID; AMD APM Vol. 3, E.3.2). */
#define L1_ECX_KEEP                                                         \
	(BIT(0) | BIT(1) | BIT(9) | BIT(12) | BIT(13) | BIT(19) | BIT(20) | \
	 BIT(22) | BIT(23) | BIT(25) | BIT(29) | BIT(30))
/* SSE3 PCLMUL SSSE3 FMA CX16 SSE4.1 SSE4.2 MOVBE POPCNT AES F16C RDRAND */
#define L1_ECX_X2APIC	   BIT(21)
#define L1_ECX_TSCDEADLINE BIT(24)
#define L1_ECX_XSAVE	   BIT(26)
#define L1_ECX_OSXSAVE	   BIT(27)
#define L1_ECX_AVX	   BIT(28)
#define L1_ECX_HYPERVISOR  BIT(31)
#define L1_EDX_KEEP                                                          \
	(BIT(0) | BIT(1) | BIT(2) | BIT(3) | BIT(4) | BIT(5) | BIT(6) |      \
	 BIT(8) | BIT(9) | BIT(11) | BIT(13) | BIT(15) | BIT(16) | BIT(17) | \
	 BIT(19) | BIT(23) | BIT(24) | BIT(25) | BIT(26))
/* FPU VME DE PSE TSC MSR PAE CX8 APIC SEP PGE CMOV PAT PSE36 CLFSH MMX
 * FXSR SSE SSE2; not MCE (7), MTRR (12), MCA (14), DS, ACPI, TM, PBE */
#define L1_EDX_HTT BIT(28)

/* Leaf 6 EAX: the APIC timer runs in every C-state (ARAT). */
#define L6_EAX_ARAT BIT(2)

/* Leaf 7.0 EBX: FSGSBASE BMI1 AVX2 SMEP BMI2 ERMS RDSEED ADX SMAP
 * CLFLUSHOPT CLWB SHA; ECX: UMIP; EDX: nothing. */
#define L7_EBX_KEEP                                                      \
	(BIT(0) | BIT(3) | BIT(5) | BIT(7) | BIT(8) | BIT(9) | BIT(18) | \
	 BIT(19) | BIT(20) | BIT(23) | BIT(24) | BIT(29))
#define L7_EBX_AVX2 BIT(5)
#define L7_ECX_KEEP BIT(2)

/* 8000_0001h ECX: LAHF CMP_LEGACY? no: LAHF ABM SSE4A MISALIGNSSE
 * 3DNOWPREFETCH XOP FMA4 TBM; not SVM, EXTAPIC, OSVW, IBS, SKINIT, WDT. */
#define E1_ECX_KEEP                                                       \
	(BIT(0) | BIT(5) | BIT(6) | BIT(7) | BIT(8) | BIT(11) | BIT(16) | \
	 BIT(21))
#define E1_ECX_ALTMOVCR8 BIT(4) /* LOCK MOV CR0 is MOV CR8 */
/* 8000_0001h EDX: the leaf-1 bits AMD repeats, SYSCALL, NX, MMXEXT,
 * FFXSR, 1 GiB pages, RDTSCP, LM, 3DNow!. */
#define E1_EDX_KEEP                                                      \
	(L1_EDX_KEEP | BIT(11) | BIT(20) | BIT(22) | BIT(25) | BIT(26) | \
	 BIT(27) | BIT(29) | BIT(30) | BIT(31))
#define E7_EDX_INVARIANT_TSC BIT(8)

#define HV_LEAF_BASE 0x40000000
#define HV_LEAF_MAX  0x40000000

/* XSAVE area layout of the standard format (SDM Vol. 1, 13.4). */
#define XSAVE_LEGACY_SIZE 512
#define XSAVE_HEADER_SIZE 64
#define XSAVE_AVX_OFFSET  576
#define XSAVE_AVX_SIZE	  256

static unsigned int xsave_size(u64 xcr0)
{
	return xcr0 & XFEATURE_AVX ? XSAVE_AVX_OFFSET + XSAVE_AVX_SIZE
				   : XSAVE_LEGACY_SIZE + XSAVE_HEADER_SIZE;
}

/* ceil(log2(n)) for the topology leaves' shift fields. */
static unsigned int order_of(unsigned int n)
{
	unsigned int s = 0;

	while ((1U << s) < n)
		s++;
	return s;
}

static void host_cpuid(u32 leaf, u32 subleaf, u32 out[4])
{
	struct cpuid_regs r;

	cpuid_count(leaf, subleaf, &r);
	out[0] = r.eax;
	out[1] = r.ebx;
	out[2] = r.ecx;
	out[3] = r.edx;
}

void hvm_cpuid(struct vcpu *v, u32 leaf, u32 subleaf, u32 out[4])
{
	struct vmcb *vmcb = v->hvm->svm.vmcb;
	unsigned int nr = v->domain->nr_vcpus;
	u64 xfeatures = fpu_xfeatures();
	u32 max_ext;

	host_cpuid(0x80000000, 0, out);
	max_ext = out[0] < 0x80000008 ? out[0] : 0x80000008;
	memset(out, 0, 4 * sizeof(u32));
	switch (leaf) {
	case 0:
		host_cpuid(0, 0, out);
		if (out[0] > 0xd)
			out[0] = 0xd;
		return;
	case 1:
		host_cpuid(1, 0, out);
		/* EBX: APIC ID, logical processors per package, CLFLUSH size. */
		out[1] = (v->vcpu_id << 24) | (min(nr, 255U) << 16) |
			 (out[1] & 0xff00);
		out[2] = (out[2] & L1_ECX_KEEP) | L1_ECX_X2APIC |
			 L1_ECX_TSCDEADLINE | L1_ECX_HYPERVISOR;
		if (xfeatures) {
			out[2] |= L1_ECX_XSAVE;
			if (xfeatures & XFEATURE_AVX)
				out[2] |= L1_ECX_AVX;
			if (vmcb->cr4 & X86_CR4_OSXSAVE)
				out[2] |= L1_ECX_OSXSAVE;
		}
		out[3] = (out[3] & L1_EDX_KEEP) | (nr > 1 ? L1_EDX_HTT : 0);
		return;
	case 6:
		out[0] = L6_EAX_ARAT;
		return;
	case 7:
		if (subleaf)
			return;
		host_cpuid(7, 0, out);
		out[0] = 0;
		out[1] &= L7_EBX_KEEP;
		if (!(xfeatures & XFEATURE_AVX))
			out[1] &= ~L7_EBX_AVX2;
		out[2] &= L7_ECX_KEEP;
		out[3] = 0;
		return;
	case 0xb:
		/* Extended topology: SMT level of 1, core level of nr. */
		if (subleaf == 0) {
			out[0] = 0;
			out[1] = 1;
			out[2] = (1U << 8) | subleaf;
		} else if (subleaf == 1) {
			out[0] = order_of(nr);
			out[1] = nr;
			out[2] = (2U << 8) | subleaf;
		} else {
			out[2] = subleaf;
		}
		out[3] = v->vcpu_id;
		return;
	case 0xd:
		if (!xfeatures)
			return;
		if (subleaf == 0) {
			out[0] = (u32)xfeatures;
			out[1] = xsave_size(v->hvm->xcr0);
			out[2] = xsave_size(xfeatures);
		} else if (subleaf == 2 && (xfeatures & XFEATURE_AVX)) {
			out[0] = XSAVE_AVX_SIZE;
			out[1] = XSAVE_AVX_OFFSET;
		}
		return; /* subleaf 1: no XSAVEOPT, XSAVEC, XSAVES */
	case HV_LEAF_BASE:
		out[0] = HV_LEAF_MAX;
		memcpy(&out[1], "KairosKairos", 12);
		return;
	case 0x80000000:
		host_cpuid(leaf, 0, out);
		out[0] = max_ext;
		return;
	case 0x80000001:
		if (leaf > max_ext)
			return;
		host_cpuid(leaf, 0, out);
		out[2] &= E1_ECX_KEEP | E1_ECX_ALTMOVCR8;
		out[3] &= E1_EDX_KEEP;
		return;
	case 0x80000002 ... 0x80000006:
		if (leaf <= max_ext)
			host_cpuid(leaf, 0, out); /* brand string, caches */
		return;
	case 0x80000007:
		if (leaf > max_ext)
			return;
		/*
		 * The guest's TSC is the host's, with one offset for every
		 * vCPU, running through HLT. Where Kairos keeps its own time
		 * from it (constant, in sync on every CPU: tsc_reliable()),
		 * that is what the invariant-TSC bit promises a guest, so it
		 * is set even where the host's CPUID lacks it (QEMU's TCG):
		 * without it Linux marks an AMD TSC unstable on 2 CPUs or
		 * more. Otherwise the bit is the host's.
		 */
		host_cpuid(leaf, 0, out);
		out[0] = out[1] = out[2] = 0;
		out[3] &= E7_EDX_INVARIANT_TSC;
		if (tsc_reliable())
			out[3] |= E7_EDX_INVARIANT_TSC;
		return;
	case 0x80000008:
		if (leaf > max_ext)
			return;
		host_cpuid(leaf, 0, out);
		out[0] &= 0xffff; /* physical and linear address sizes */
		out[1] = 0;
		/* ECX: cores - 1, and the APIC ID bits they need. */
		out[2] = (nr - 1) | (order_of(nr) << 12);
		out[3] = 0;
		return;
	default:
		/* unknown leaves read as zeros, as on AMD */
		hvm_pvclock_cpuid(v, leaf, out);
		return;
	}
}
