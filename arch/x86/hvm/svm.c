/*
 * AMD SVM: detection, the per-CPU set-up, one VMCB per vCPU, ASIDs, the
 * C half of the VMRUN loop (svm_entry.S) and the decoding of every exit
 * into a handler or a clean domain crash (AMD64 APM Vol. 2, chapter 15).
 *
 * What QEMU's TCG offers shapes the choices (docs/hvm.md): no next-RIP
 * save and no decode assists, so RIP is advanced by the length of an
 * instruction this code fetched and decoded itself, never by NRIP; no
 * VMCB clean bits, so nothing is cached across VMRUNs; no flush by ASID,
 * so a vCPU that moves to another CPU takes a fresh ASID there instead of
 * flushing its old one, and running out of ASIDs flushes everything.
 */
#include <asm/boot.h>
#include <asm/desc.h>
#include <asm/fpu.h>
#include <asm/hvm/hvm.h>
#include <asm/hvm/vmcb.h>
#include <asm/processor.h>
#include <asm/pte.h>
#include <domain.h>
#include <errno.h>
#include <hvm.h>
#include <page.h>
#include <page_alloc.h>
#include <percpu.h>
#include <printk.h>
#include <sched.h>
#include <smp.h>
#include <softirq.h>
#include <string.h>
#include <trace.h>

/* CPUID 8000_0001h ECX and 8000_000Ah EDX (APM Vol. 3, appendix E). */
#define CPUID_80000001_ECX_SVM (1U << 2)
#define CPUID_1_ECX_VMX	       (1U << 5)
#define CPUID_SVM_NP	       (1U << 0)
#define CPUID_SVM_NRIPS	       (1U << 3)
#define CPUID_SVM_DECODE       (1U << 7)
#define CPUID_SVM_VGIF	       (1U << 16)

/* The MSR permission map: 2 bits per MSR in three ranges (APM 15.11). */
#define MSRPM_PAGES 2
#define IOPM_ORDER  2 /* 12 KiB used of 16 */

#define X86_EFLAGS_RESERVED1 (1ULL << 1)
#define X86_EFLAGS_IF_BIT    (1ULL << 9)

/* The guest's PAT at reset (SDM Vol. 3A, 13.12.4). */
#define PAT_RESET_VALUE 0x0007040600070406ULL

/* Segment attributes, VMCB-packed (type, S, DPL, P, AVL, L, D/B, G). */
#define SEG_ATTR_CODE32 0xc9b /* execute/read, accessed, 32-bit, 4 KiB gran. */
#define SEG_ATTR_DATA32 0xc93 /* read/write, accessed, 32-bit, 4 KiB gran. */
#define SEG_ATTR_CODE16 0x09b
#define SEG_ATTR_DATA16 0x093
#define SEG_ATTR_LDT	0x082
#define SEG_ATTR_TSS32	0x08b /* busy 32-bit TSS */
#define SEG_ATTR_TSS16	0x083 /* busy 16-bit TSS, as at reset */
#define SEG_ATTR_L	(1U << 9)
#define SEG_ATTR_DB	(1U << 10)

struct svm_cpu {
	paddr_t hsave_pa;     /* VM_HSAVE_PA: where VMRUN saves the host */
	paddr_t host_vmcb_pa; /* the host's VMSAVE/VMLOAD state */
	u32 next_asid;
	u64 asid_generation;
};
static DEFINE_PER_CPU(struct svm_cpu, svm_cpu);

static bool svm_usable;
static char svm_reason[96] = "not probed yet";
static u32 svm_nr_asids;
static u32 svm_features; /* CPUID 8000_000Ah EDX */
static u8 *msrpm;	 /* shared by every vCPU: what exits */
static paddr_t msrpm_pa, iopm_pa;

const char *const hvm_exit_names[HVM_EXIT_NR] = {
	[HVM_EXIT_INTR] = "INTR",
	[HVM_EXIT_NMI] = "NMI",
	[HVM_EXIT_VINTR] = "VINTR",
	[HVM_EXIT_CPUID] = "CPUID",
	[HVM_EXIT_HLT] = "HLT",
	[HVM_EXIT_IO] = "I/O",
	[HVM_EXIT_MSR] = "MSR",
	[HVM_EXIT_MMIO] = "MMIO",
	[HVM_EXIT_CR] = "CR",
	[HVM_EXIT_XSETBV] = "XSETBV",
	[HVM_EXIT_RDTSCP] = "RDTSCP",
	[HVM_EXIT_IRET] = "IRET",
	[HVM_EXIT_EXCEPTION] = "exception",
	[HVM_EXIT_UD] = "#UD",
	[HVM_EXIT_SHUTDOWN] = "shutdown",
	[HVM_EXIT_INVALID] = "invalid",
	[HVM_EXIT_OTHER] = "other",
};

static inline void svm_vmsave(paddr_t pa)
{
	__asm__ __volatile__("vmsave %%rax" ::"a"(pa) : "memory");
}

/* ------------------------------------------------------------------ */
/* Detection and the per-CPU set-up                                   */

/* Why this CPU cannot run SVM guests, or NULL. */
static const char *svm_cpu_problem(void)
{
	struct cpuid_regs r, ext;

	cpuid(0x80000000, &ext);
	cpuid(0x80000001, &r);
	if (ext.eax < 0x8000000a || !(r.ecx & CPUID_80000001_ECX_SVM)) {
		cpuid(1, &r);
		return r.ecx & CPUID_1_ECX_VMX
			       ? "the CPU has Intel VMX, which Kairos does not "
				 "drive yet (only AMD SVM)"
			       : "the CPU has no SVM (AMD-V)";
	}
	if (rdmsr(MSR_VM_CR) & VM_CR_SVMDIS)
		return "SVM is disabled by the firmware (VM_CR.SVMDIS)";
	cpuid(0x8000000a, &r);
	if (!(r.edx & CPUID_SVM_NP))
		return "SVM without nested paging";
	if (r.ebx < 2)
		return "SVM with fewer than 2 ASIDs";
	return NULL;
}

/* Sets a bit pair of the MSR map: reads and writes of msr pass through. */
static void msrpm_allow(u32 msr)
{
	unsigned int base, bit;

	if (msr <= 0x1fff)
		base = 0;
	else if (msr >= 0xc0000000 && msr <= 0xc0001fff)
		base = 0x800 * 8, msr -= 0xc0000000;
	else
		return; /* outside the map: always intercepted */
	bit = base + msr * 2;
	msrpm[bit / 8] &= ~(3U << (bit % 8));
}

static int __init svm_alloc_maps(void)
{
	/*
	 * Every MSR exits but those VMLOAD/VMSAVE switch with the VMCB;
	 * every I/O port exits.
	 */
	static const u32 passthrough[] = {
		0x174,	    0x175,	0x176,	    /* SYSENTER_CS/ESP/EIP */
		0xc0000081, 0xc0000082, 0xc0000083, /* STAR, LSTAR, CSTAR */
		0xc0000084,			    /* SFMASK */
		0xc0000100, 0xc0000101, 0xc0000102, /* FS, GS, KERNEL_GS base */
	};
	unsigned int i;
	void *iopm;

	msrpm = alloc_pages_virt(1);
	iopm = alloc_pages_virt(IOPM_ORDER);
	if (!msrpm || !iopm)
		return -ENOMEM;
	memset(msrpm, 0xff, PAGE_SIZE * MSRPM_PAGES);
	memset(iopm, 0xff, PAGE_SIZE << IOPM_ORDER);
	for (i = 0; i < ARRAY_SIZE(passthrough); i++)
		msrpm_allow(passthrough[i]);
	msrpm_pa = virt_to_maddr(msrpm);
	iopm_pa = virt_to_maddr(iopm);
	return 0;
}

void __init hvm_init(void)
{
	const char *problem = svm_cpu_problem();
	struct cpuid_regs r;

	if (problem) {
		strlcpy(svm_reason, problem, sizeof(svm_reason));
		pr_info("HVM: unavailable: %s; type=hvm modules will be refused\n",
			svm_reason);
		return;
	}
	if (svm_alloc_maps()) {
		strlcpy(svm_reason, "no memory for the SVM permission maps",
			sizeof(svm_reason));
		pr_err("HVM: unavailable: %s\n", svm_reason);
		return;
	}
	cpuid(0x8000000a, &r);
	svm_nr_asids = r.ebx;
	svm_features = r.edx;
	svm_usable = true;
	svm_reason[0] = '\0';
	pr_info("HVM: AMD SVM revision %u with nested paging, %u ASIDs%s%s%s\n",
		r.eax & 0xff, svm_nr_asids,
		svm_features & CPUID_SVM_NRIPS ? ", next-RIP save" : "",
		svm_features & CPUID_SVM_DECODE ? ", decode assists" : "",
		svm_features & CPUID_SVM_VGIF ? ", VGIF" : "");
}

int hvm_cpu_prepare(unsigned int cpu)
{
	struct svm_cpu *sc = &per_cpu(svm_cpu, cpu);
	void *hsave, *host;

	if (!svm_usable)
		return 0;
	hsave = alloc_pages_virt(0);
	host = alloc_pages_virt(0);
	if (!hsave || !host) {
		if (hsave)
			free_pages_virt(hsave, 0);
		if (host)
			free_pages_virt(host, 0);
		return -ENOMEM;
	}
	memset(hsave, 0, PAGE_SIZE);
	memset(host, 0, PAGE_SIZE);
	sc->hsave_pa = virt_to_maddr(hsave);
	sc->host_vmcb_pa = virt_to_maddr(host);
	return 0;
}

void hvm_cpu_init(void)
{
	struct svm_cpu *sc = &this_cpu(svm_cpu);
	const char *problem;

	if (!svm_usable)
		return;
	problem = svm_cpu_problem();
	if (problem || !sc->hsave_pa) {
		/* HVM domains must be able to run on every CPU. */
		svm_usable = false;
		snprintf(svm_reason, sizeof(svm_reason), "CPU %u: %s",
			 smp_processor_id(),
			 problem ? problem : "no SVM host save area");
		pr_err("HVM: unavailable: %s\n", svm_reason);
		return;
	}
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	wrmsr(MSR_VM_HSAVE_PA, sc->hsave_pa);
	/* FS, GS, TR, LDTR and the syscall MSRs as the host keeps them. */
	svm_vmsave(sc->host_vmcb_pa);
	sc->next_asid = 1;
	sc->asid_generation = 1;
}

bool hvm_enabled(void)
{
	return svm_usable;
}

const char *hvm_disabled_reason(void)
{
	return svm_usable ? "" : svm_reason;
}

/* ------------------------------------------------------------------ */
/* VMCBs                                                               */

static void set_seg(struct vmcb_seg *s, u16 sel, u16 attrib, u32 limit,
		    u64 base)
{
	*s = (struct vmcb_seg){
		.sel = sel, .attrib = attrib, .limit = limit, .base = base};
}

int svm_vcpu_init(struct vcpu *v)
{
	struct hvm_vcpu *hv = v->hvm;
	struct hvm_domain *hd = v->domain->hvm;
	struct vmcb *vmcb = alloc_pages_virt(0);

	if (!vmcb)
		return -ENOMEM;
	memset(vmcb, 0, sizeof(*vmcb));
	hv->svm.vmcb = vmcb;
	hv->svm.vmcb_pa = virt_to_maddr(vmcb);

	/* #AC exits so that a guest cannot loop the CPU on it (AMD erratum). */
	vmcb->exception_intercepts = 1U << 17;
	vmcb->cr_write_intercepts = SVM_CR_INTERCEPT_CR4;
	vmcb->intercepts1 = SVM_INTERCEPT1_INTR | SVM_INTERCEPT1_NMI |
			    SVM_INTERCEPT1_CPUID | SVM_INTERCEPT1_HLT |
			    SVM_INTERCEPT1_IOIO | SVM_INTERCEPT1_MSR |
			    SVM_INTERCEPT1_SHUTDOWN | SVM_INTERCEPT1_INVD |
			    SVM_INTERCEPT1_RDPMC | SVM_INTERCEPT1_INVLPGA |
			    SVM_INTERCEPT1_RSM;
	vmcb->intercepts2 = SVM_INTERCEPT2_VMRUN | SVM_INTERCEPT2_VMMCALL |
			    SVM_INTERCEPT2_VMLOAD | SVM_INTERCEPT2_VMSAVE |
			    SVM_INTERCEPT2_STGI | SVM_INTERCEPT2_CLGI |
			    SVM_INTERCEPT2_SKINIT | SVM_INTERCEPT2_RDTSCP |
			    SVM_INTERCEPT2_MONITOR | SVM_INTERCEPT2_MWAIT |
			    SVM_INTERCEPT2_MWAIT_COND | SVM_INTERCEPT2_XSETBV |
			    SVM_INTERCEPT2_RDPRU;
	vmcb->iopm_base_pa = iopm_pa;
	vmcb->msrpm_base_pa = msrpm_pa;
	vmcb->tsc_offset = hd->tsc_offset;
	/* The guest's IF masks only virtual interrupts; CR8 is V_TPR. */
	vmcb->int_ctl = SVM_INT_V_INTR_MASKING;
	vmcb->np_enable = 1;
	vmcb->n_cr3 = hd->npt_root;
	vmcb->g_pat = PAT_RESET_VALUE;
	vmcb->efer = EFER_SVME;
	vmcb->dr6 = 0xffff0ff0;
	vmcb->dr7 = 0x400;
	hv->xcr0 = XFEATURE_X87;
	return 0;
}

void svm_vcpu_destroy(struct vcpu *v)
{
	if (v->hvm->svm.vmcb)
		free_pages_virt(v->hvm->svm.vmcb, 0);
	v->hvm->svm.vmcb = NULL;
}

/* Flat 32-bit protected mode, paging off, the given selectors, zeroed GPRs. */
static void set_flat32_entry(struct vcpu *v, u16 cs, u16 ds, u32 entry)
{
	struct vmcb *vmcb = v->hvm->svm.vmcb;
	struct cpu_user_regs *r = &v->user_regs;

	set_seg(&vmcb->cs, cs, SEG_ATTR_CODE32, 0xffffffff, 0);
	set_seg(&vmcb->ds, ds, SEG_ATTR_DATA32, 0xffffffff, 0);
	vmcb->es = vmcb->ss = vmcb->fs = vmcb->gs = vmcb->ds;
	set_seg(&vmcb->ldtr, 0, SEG_ATTR_LDT, 0xffff, 0);
	set_seg(&vmcb->tr, 0, SEG_ATTR_TSS32, 0xffff, 0);
	set_seg(&vmcb->gdtr, 0, 0, 0xffff, 0);
	set_seg(&vmcb->idtr, 0, 0, 0xffff, 0);
	vmcb->cpl = 0;
	vmcb->cr0 = X86_CR0_PE | (1U << 4); /* PE, ET */
	vmcb->cr3 = 0;
	vmcb->cr4 = 0;
	vmcb->efer = EFER_SVME;
	memset(r, 0, sizeof(*r));
	r->rip = entry;
	r->rflags = X86_EFLAGS_RESERVED1;
}

void svm_vcpu_set_multiboot_entry(struct vcpu *v, u32 entry, u32 eax, u32 ebx)
{
	/* Multiboot 0.6.96, 3.2 "Machine state": flat 32-bit segments. */
	set_flat32_entry(v, 0x08, 0x10, entry);
	v->user_regs.rax = eax;
	v->user_regs.rbx = ebx;
}

void svm_vcpu_set_linux_entry(struct vcpu *v, u32 entry, u32 zero_page)
{
	/*
	 * boot.rst, "32-bit Boot Protocol": __BOOT_CS (0x10) and __BOOT_DS
	 * (0x18) flat, interrupts off, ESI the zero page, EBP, EDI, EBX 0.
	 * The kernel loads its own GDT before it reloads a segment.
	 */
	set_flat32_entry(v, 0x10, 0x18, entry);
	v->user_regs.rsi = zero_page;
}

void svm_vcpu_set_sipi_state(struct vcpu *v, u8 vector)
{
	struct vmcb *vmcb = v->hvm->svm.vmcb;
	struct cpu_user_regs *r = hvm_guest_regs();
	struct cpuid_regs sig;

	/* SDM Vol. 3A, table 10-1 "IA-32 and Intel 64 Processor States
	 * Following Power-up, Reset, or INIT", and 9.4.4.2 for the SIPI. */
	set_seg(&vmcb->cs, (u16)vector << 8, SEG_ATTR_CODE16, 0xffff,
		(u64)vector << 12);
	set_seg(&vmcb->ds, 0, SEG_ATTR_DATA16, 0xffff, 0);
	vmcb->es = vmcb->ss = vmcb->fs = vmcb->gs = vmcb->ds;
	set_seg(&vmcb->ldtr, 0, SEG_ATTR_LDT, 0xffff, 0);
	set_seg(&vmcb->tr, 0, SEG_ATTR_TSS16, 0xffff, 0);
	set_seg(&vmcb->gdtr, 0, 0, 0xffff, 0);
	set_seg(&vmcb->idtr, 0, 0, 0xffff, 0);
	vmcb->cpl = 0;
	vmcb->cr0 = 0x60000010; /* CD, NW, ET */
	vmcb->cr2 = 0;
	vmcb->cr3 = 0;
	vmcb->cr4 = 0;
	vmcb->efer = EFER_SVME;
	vmcb->dr6 = 0xffff0ff0;
	vmcb->dr7 = 0x400;
	vmcb->g_pat = PAT_RESET_VALUE;
	vmcb->int_state = 0;
	vmcb->eventinj = 0;
	vmcb->int_ctl = SVM_INT_V_INTR_MASKING;
	vmcb->intercepts1 &= ~(SVM_INTERCEPT1_VINTR | SVM_INTERCEPT1_IRET);
	vmcb->cr_write_intercepts = SVM_CR_INTERCEPT_CR4;
	vmcb->star = vmcb->lstar = vmcb->cstar = vmcb->sfmask = 0;
	vmcb->kernel_gs_base = 0;
	vmcb->sysenter_cs = vmcb->sysenter_esp = vmcb->sysenter_eip = 0;
	memset(r, 0, sizeof(*r));
	cpuid(1, &sig);
	r->rdx = sig.eax; /* the processor signature, as after INIT */
	r->rflags = X86_EFLAGS_RESERVED1;
	v->hvm->xcr0 = XFEATURE_X87;
	v->hvm->svm.asid = 0; /* a fresh ASID: nothing stale in the TLB */
}

/* ------------------------------------------------------------------ */
/* Guest state for the emulators                                       */

struct cpu_user_regs *hvm_guest_regs(void)
{
	return (struct cpu_user_regs *)this_cpu(stack_top) - 1;
}

void hvm_get_guest_state(struct vcpu *v, struct hvm_guest_state *st)
{
	struct vmcb *vmcb = v->hvm->svm.vmcb;

	st->cr0 = vmcb->cr0;
	st->cr3 = vmcb->cr3;
	st->cr4 = vmcb->cr4;
	st->efer = vmcb->efer & ~EFER_SVME;
	st->cs_base = vmcb->cs.base;
	st->cpl = vmcb->cpl;
	st->long_mode = (vmcb->efer & (1ULL << 10)) && /* EFER.LMA */
			(vmcb->cs.attrib & SEG_ATTR_L);
	if (st->long_mode)
		st->mode = 2; /* X86_MODE_64 */
	else if ((vmcb->cr0 & X86_CR0_PE) && (vmcb->cs.attrib & SEG_ATTR_DB))
		st->mode = 1; /* X86_MODE_32 */
	else
		st->mode = 0; /* X86_MODE_16 (real, virtual-8086, 16-bit) */
}

u64 hvm_seg_base(struct vcpu *v, unsigned int seg)
{
	struct vmcb *vmcb = v->hvm->svm.vmcb;
	const struct vmcb_seg *segs[] = {&vmcb->es, &vmcb->cs, &vmcb->ss,
					 &vmcb->ds, &vmcb->fs, &vmcb->gs};

	return seg < ARRAY_SIZE(segs) ? segs[seg]->base : 0;
}

void hvm_advance_rip(struct vcpu *v, struct cpu_user_regs *regs,
		     unsigned int len)
{
	struct hvm_guest_state st;

	hvm_get_guest_state(v, &st);
	regs->rip += len;
	if (!st.long_mode)
		regs->rip &= 0xffffffff;
	/* The instruction is done: any STI or MOV SS shadow is over. */
	v->hvm->svm.vmcb->int_state &= ~SVM_INT_STATE_SHADOW;
}

void hvm_inject_exception(struct vcpu *v, u8 vector, bool has_error, u32 error)
{
	u64 ev = SVM_EVTINJ_VALID | SVM_EVTINJ_TYPE_EXC | vector;

	if (has_error)
		ev |= SVM_EVTINJ_EV | (u64)error << SVM_EVTINJ_ERR_SHIFT;
	v->hvm->pending_event = ev;
}

/* ------------------------------------------------------------------ */
/* ASIDs                                                               */

/* Gives v an ASID valid on this CPU; may ask VMRUN to flush the TLB. */
static void svm_assign_asid(struct vcpu *v, struct vmcb *vmcb)
{
	struct svm_cpu *sc = &this_cpu(svm_cpu);
	struct svm_vcpu *sv = &v->hvm->svm;
	unsigned int cpu = smp_processor_id();

	if (sv->asid && sv->asid_cpu == cpu &&
	    sv->asid_generation == sc->asid_generation)
		return;
	if (sc->next_asid >= svm_nr_asids) {
		/* Every ASID of this CPU was handed out: start over clean. */
		sc->asid_generation++;
		sc->next_asid = 1;
		vmcb->tlb_control = SVM_TLB_FLUSH_ALL;
	}
	sv->asid = sc->next_asid++;
	sv->asid_cpu = cpu;
	sv->asid_generation = sc->asid_generation;
	vmcb->asid = sv->asid;
}

/* ------------------------------------------------------------------ */
/* The way in                                                          */

struct vmcb_addresses {
	u64 guest, host; /* returned in %rax and %rdx */
};
struct vmcb_addresses svm_enter_prepare(struct cpu_user_regs *regs);
void svm_vmexit_handler(struct cpu_user_regs *regs);
void svm_vmrun_loop(void) __noreturn;
extern const char svm_vmrun_return[];

/*
 * Charges the time of the exit that just ended to its reason: at the
 * next VMRUN (entering), or when the vCPU leaves the CPU before that (a
 * HLT that blocks: the time halted is not the exit's).
 */
static void account_exit(struct hvm_vcpu *hv, bool entering)
{
	struct hvm_exit_stat *st = &hv->exits[hv->exit_reason];
	u64 cycles = rdtsc() - hv->exit_tsc;

	hv->exit_open = false;
	st->cycles += cycles;
	if (cycles > st->cycles_max)
		st->cycles_max = cycles;
	if (entering)
		trace(TRACE_CLASS_HVM, TRACE_HVM_ENTRY,
		      (u32)min(cycles, (u64)0xffffffff),
		      trace_vcpu_id(hv->vcpu), hv->exit_reason);
}

void hvm_exit_close(struct vcpu *v)
{
	if (v->hvm->exit_open)
		account_exit(v->hvm, false);
}

/* The INIT and SIPI that arrived for the current vCPU, applied here. */
static void apply_init_sipi(struct vcpu *v)
{
	struct hvm_vcpu *hv = v->hvm;

	if (!READ_ONCE(hv->sipi_pending))
		return;
	WRITE_ONCE(hv->sipi_pending, false);
	if (hv->reset_pending) {
		hv->reset_pending = false;
		vlapic_reset(v);
		hv->pending_event = 0;
		hv->nmi_pending = hv->nmi_blocked = false;
	}
	svm_vcpu_set_sipi_state(v, hv->sipi_vector);
}

struct vmcb_addresses svm_enter_prepare(struct cpu_user_regs *regs)
{
	struct vcpu *v;
	struct vmcb *vmcb;

	v = run_softirqs_before_entry();
	ASSERT(is_hvm_vcpu(v));
	ASSERT(regs == hvm_guest_regs());
	apply_init_sipi(v);
	vmcb = v->hvm->svm.vmcb;
	hvm_intr_assist(v);
	svm_assign_asid(v, vmcb);
	vmcb->rax = regs->rax;
	vmcb->rsp = regs->rsp;
	vmcb->rip = regs->rip;
	vmcb->rflags = regs->rflags | X86_EFLAGS_RESERVED1;
	if (v->hvm->exit_open)
		account_exit(v->hvm, true);
	return (struct vmcb_addresses){v->hvm->svm.vmcb_pa,
				       this_cpu(svm_cpu).host_vmcb_pa};
}

void hvm_resume(void)
{
	struct cpu_user_regs *frame = hvm_guest_regs();

	__asm__ __volatile__("mov %0, %%rsp; jmp svm_vmrun_loop" ::"r"(frame)
			     : "memory");
	__builtin_unreachable();
}

/* ------------------------------------------------------------------ */
/* The way out                                                         */

static unsigned int classify(u64 code)
{
	switch (code) {
	case SVM_EXIT_INTR:
		return HVM_EXIT_INTR;
	case SVM_EXIT_NMI:
		return HVM_EXIT_NMI;
	case SVM_EXIT_VINTR:
		return HVM_EXIT_VINTR;
	case SVM_EXIT_CPUID:
		return HVM_EXIT_CPUID;
	case SVM_EXIT_HLT:
		return HVM_EXIT_HLT;
	case SVM_EXIT_IOIO:
		return HVM_EXIT_IO;
	case SVM_EXIT_MSR:
		return HVM_EXIT_MSR;
	case SVM_EXIT_NPF:
		return HVM_EXIT_MMIO;
	case SVM_EXIT_CR4_WRITE:
	case SVM_EXIT_CR8_WRITE:
		return HVM_EXIT_CR;
	case SVM_EXIT_XSETBV:
		return HVM_EXIT_XSETBV;
	case SVM_EXIT_RDTSCP:
		return HVM_EXIT_RDTSCP;
	case SVM_EXIT_IRET:
		return HVM_EXIT_IRET;
	case SVM_EXIT_EXCP_BASE + 17:
		return HVM_EXIT_EXCEPTION;
	case SVM_EXIT_VMRUN ... SVM_EXIT_SKINIT:
	case SVM_EXIT_INVLPGA:
	case SVM_EXIT_MONITOR ... SVM_EXIT_MWAIT_COND:
	case SVM_EXIT_RDPRU:
	case SVM_EXIT_RSM:
		return HVM_EXIT_UD;
	case SVM_EXIT_SHUTDOWN:
		return HVM_EXIT_SHUTDOWN;
	case SVM_EXIT_INVALID:
		return HVM_EXIT_INVALID;
	default:
		return HVM_EXIT_OTHER;
	}
}

void hvm_show_state(struct vcpu *v)
{
	struct vmcb *vmcb = v->hvm->svm.vmcb;

	printk("  cs %04x base %lx attr %03x  ss %04x  cpl %u  efer %lx\n",
	       vmcb->cs.sel, (unsigned long)vmcb->cs.base, vmcb->cs.attrib,
	       vmcb->ss.sel, vmcb->cpl, (unsigned long)vmcb->efer);
	printk("  cr0 %lx  cr2 %lx  cr3 %lx  cr4 %lx  exit %#lx info %lx %lx\n",
	       (unsigned long)vmcb->cr0, (unsigned long)vmcb->cr2,
	       (unsigned long)vmcb->cr3, (unsigned long)vmcb->cr4,
	       (unsigned long)vmcb->exitcode, (unsigned long)vmcb->exitinfo1,
	       (unsigned long)vmcb->exitinfo2);
}

/* Crashes the current vCPU's domain, its registers in the report. */
static void crash(struct vcpu *v, struct cpu_user_regs *regs, const char *why)
{
	regs->vector = 0;
	domain_crash(v->domain, why, regs);
}

/* What the exit's hardware state says, folded into the vCPU's. */
static void sync_after_exit(struct vcpu *v, struct vmcb *vmcb)
{
	struct hvm_vcpu *hv = v->hvm;

	vmcb->tlb_control = SVM_TLB_NOTHING;
	vmcb->eventinj = 0;
	/* An event the exit interrupted is delivered again, exactly. */
	if (vmcb->exitintinfo & SVM_EVTINJ_VALID)
		hv->pending_event = vmcb->exitintinfo;
	vlapic_set_tpr_class(v, vmcb->int_ctl & SVM_INT_V_TPR_MASK);
}

/*
 * True if the VMCB's guest state is the host's own: the RIP where the
 * host resumes after VMRUN and the host's page tables. Only the CPU's
 * VMRUN writes that state, into the host save area, never into a guest's
 * VMCB; QEMU's TCG was seen to enter it as the guest's about once in 20
 * runs of hvm-fuzz (docs/hvm-test-kernels.md, "An open finding").
 */
static bool vmcb_holds_host_state(const struct vmcb *vmcb)
{
	return vmcb->rip == (u64)(unsigned long)svm_vmrun_return &&
	       vmcb->cr3 == (read_cr3() & PTE_ADDR_MASK);
}

/* HLT: block until an interrupt the guest can take (or an NMI). */
static void svm_halt(struct vcpu *v, struct cpu_user_regs *regs)
{
	unsigned int len =
		hvm_insn_length(v, regs, (const u8[]){0xf4}, 1, "HLT");

	if (!len)
		return;
	hvm_advance_rip(v, regs, len);
	set_bit(VPF_BLOCKED, &v->pause_flags);
	smp_mb(); /* the flag before the look at the APIC: hvm_vcpu_kick() */
	if (hvm_vcpu_has_wake_event(v)) {
		clear_bit(VPF_BLOCKED, &v->pause_flags);
		return;
	}
	v->hvm->halted_irq_off = !(regs->rflags & X86_EFLAGS_IF_BIT);
	trace(TRACE_CLASS_SCHED, TRACE_VCPU_BLOCK, 0, trace_vcpu_id(v), 0);
	if (v->hvm->halted_irq_off)
		hvm_check_stuck(v->domain);
	raise_softirq(SCHEDULE_SOFTIRQ);
}

static void svm_cpuid_exit(struct vcpu *v, struct cpu_user_regs *regs)
{
	unsigned int len =
		hvm_insn_length(v, regs, (const u8[]){0x0f, 0xa2}, 2, "CPUID");
	u32 out[4];

	if (!len)
		return;
	hvm_cpuid(v, (u32)regs->rax, (u32)regs->rcx, out);
	regs->rax = out[0];
	regs->rbx = out[1];
	regs->rcx = out[2];
	regs->rdx = out[3];
	hvm_advance_rip(v, regs, len);
}

static void svm_msr_exit(struct vcpu *v, struct cpu_user_regs *regs, bool write)
{
	const u8 op[2] = {0x0f, write ? 0x30 : 0x32};
	unsigned int len =
		hvm_insn_length(v, regs, op, 2, write ? "WRMSR" : "RDMSR");
	u32 msr = (u32)regs->rcx;
	u64 val;

	if (!len)
		return;
	if (write) {
		val = (regs->rdx << 32) | (u32)regs->rax;
		if (hvm_msr_write(v, msr, val)) {
			hvm_inject_gp(v);
			return;
		}
	} else {
		if (hvm_msr_read(v, msr, &val)) {
			hvm_inject_gp(v);
			return;
		}
		regs->rax = (u32)val;
		regs->rdx = val >> 32;
	}
	hvm_advance_rip(v, regs, len);
}

static void svm_xsetbv_exit(struct vcpu *v, struct cpu_user_regs *regs)
{
	unsigned int len = hvm_insn_length(
		v, regs, (const u8[]){0x0f, 0x01, 0xd1}, 3, "XSETBV");
	u64 val = (regs->rdx << 32) | (u32)regs->rax;
	u64 allowed = fpu_xfeatures();

	if (!len)
		return;
	/* SDM Vol. 1, 13.3: x87 always, AVX only with SSE, nothing else. */
	if ((u32)regs->rcx != 0 || v->hvm->svm.vmcb->cpl != 0 ||
	    !(val & XFEATURE_X87) || (val & ~allowed) ||
	    ((val & XFEATURE_AVX) && !(val & XFEATURE_SSE))) {
		hvm_inject_gp(v);
		return;
	}
	v->hvm->xcr0 = val;
	xsetbv(0, val);
	hvm_advance_rip(v, regs, len);
}

static void svm_rdtscp_exit(struct vcpu *v, struct cpu_user_regs *regs)
{
	unsigned int len = hvm_insn_length(
		v, regs, (const u8[]){0x0f, 0x01, 0xf9}, 3, "RDTSCP");
	u64 tsc;

	if (!len)
		return;
	tsc = rdtsc() + v->hvm->svm.vmcb->tsc_offset;
	regs->rax = (u32)tsc;
	regs->rdx = tsc >> 32;
	regs->rcx = (u32)v->hvm->tsc_aux;
	hvm_advance_rip(v, regs, len);
}

void svm_vmexit_handler(struct cpu_user_regs *regs)
{
	struct vcpu *v = current;
	struct hvm_vcpu *hv = v->hvm;
	struct vmcb *vmcb = hv->svm.vmcb;
	u64 code = vmcb->exitcode;
	char why[128];

	hv->exit_tsc = rdtsc();
	hv->exit_reason = classify(code);
	hv->exit_open = true;
	hv->exits[hv->exit_reason].count++;
	regs->rax = vmcb->rax;
	regs->rsp = vmcb->rsp;
	regs->rip = vmcb->rip;
	regs->rflags = vmcb->rflags;
	trace(TRACE_CLASS_HVM, TRACE_HVM_EXIT, hv->exit_reason,
	      trace_vcpu_id(v), regs->rip);
	sync_after_exit(v, vmcb);
	if (vmcb_holds_host_state(vmcb)) {
		crash(v, regs,
		      "the guest ran with the host's own state, which VMRUN "
		      "saves only in the host save area (an emulator fault)");
		return;
	}

	switch (code) {
	case SVM_EXIT_INTR:
	case SVM_EXIT_NMI:
		break; /* taken by the host at STGI already */
	case SVM_EXIT_VINTR:
		/* The window is open: hvm_intr_assist() injects now. */
		vmcb->int_ctl &= ~(SVM_INT_V_IRQ | SVM_INT_V_INTR_PRIO_MASK);
		vmcb->intercepts1 &= ~SVM_INTERCEPT1_VINTR;
		break;
	case SVM_EXIT_CPUID:
		svm_cpuid_exit(v, regs);
		break;
	case SVM_EXIT_HLT:
		svm_halt(v, regs);
		break;
	case SVM_EXIT_IOIO:
		hvm_handle_io(v, regs, vmcb->exitinfo1, vmcb->exitinfo2);
		break;
	case SVM_EXIT_MSR:
		svm_msr_exit(v, regs, vmcb->exitinfo1 == 1);
		break;
	case SVM_EXIT_NPF:
		hvm_handle_npf(v, regs, vmcb->exitinfo2, vmcb->exitinfo1);
		break;
	case SVM_EXIT_CR4_WRITE:
		hvm_handle_cr_write(v, regs, 4);
		break;
	case SVM_EXIT_CR8_WRITE:
		hvm_handle_cr_write(v, regs, 8);
		break;
	case SVM_EXIT_XSETBV:
		svm_xsetbv_exit(v, regs);
		break;
	case SVM_EXIT_RDTSCP:
		svm_rdtscp_exit(v, regs);
		break;
	case SVM_EXIT_RDPMC:
		/* No performance counters are offered (CPUID): #GP. */
		hvm_inject_gp(v);
		break;
	case SVM_EXIT_INVD: {
		unsigned int len = hvm_insn_length(
			v, regs, (const u8[]){0x0f, 0x08}, 2, "INVD");

		/* Dropping its caches would hurt others: a WBINVD-like no-op. */
		if (len)
			hvm_advance_rip(v, regs, len);
		break;
	}
	case SVM_EXIT_IRET:
		/* The NMI handler ends: the next NMI may come. */
		hv->nmi_blocked = false;
		vmcb->intercepts1 &= ~SVM_INTERCEPT1_IRET;
		break;
	case SVM_EXIT_EXCP_BASE + 17:
		/* #AC: the guest's own; give it back with its error code. */
		hvm_inject_exception(v, 17, true, (u32)vmcb->exitinfo1);
		break;
	case SVM_EXIT_VMRUN ... SVM_EXIT_SKINIT:
	case SVM_EXIT_INVLPGA:
	case SVM_EXIT_MONITOR ... SVM_EXIT_MWAIT_COND:
	case SVM_EXIT_RDPRU:
	case SVM_EXIT_RSM:
		/* The guest has no SVM, MONITOR or RDPRU (CPUID says so). */
		hvm_inject_ud(v);
		break;
	case SVM_EXIT_SHUTDOWN:
		crash(v, regs, "triple fault (shutdown)");
		break;
	case SVM_EXIT_INVALID:
		crash(v, regs,
		      "VMRUN refused the vCPU's state (VMEXIT_INVALID)");
		break;
	default:
		snprintf(why, sizeof(why), "unexpected SVM exit %#lx",
			 (unsigned long)code);
		crash(v, regs, why);
		break;
	}
}
