/*
 * The exits whose meaning depends on the instruction: without decode
 * assists (QEMU's TCG has none) a nested page fault gives only the
 * guest-physical address, and a CR write nothing at all, so the
 * instruction is fetched from the guest's memory through its own page
 * tables (guest_walk.c), decoded (x86_decode.c) and carried out here,
 * and RIP advances by its decoded length. The same fetch checks the
 * instructions of the other exits (hvm_insn_length()), whose length is
 * otherwise only known from next-RIP save.
 *
 * MMIO: the local APIC's page goes to the virtual APIC, the I/O APIC's
 * to the virtual I/O APIC; the platform's holes and everything else
 * above RAM read as all ones and ignore writes
 * (the first pages a domain touches are logged); the BIOS area is
 * read-only. An instruction outside the decoder's forms crashes the
 * domain with its bytes in the report.
 */
#include <asm/boot.h>
#include <asm/hvm/guest_walk.h>
#include <asm/hvm/hvm.h>
#include <asm/hvm/platform.h>
#include <asm/hvm/vioapic.h>
#include <asm/hvm/vmcb.h>
#include <asm/hvm/x86_decode.h>
#include <domain.h>
#include <errno.h>
#include <page.h>
#include <printk.h>
#include <string.h>

#define INSN_MAX 15
/* Lines about MMIO outside any device, per domain. */
#define UNKNOWN_MMIO_LINES 16

/* CR4 bits (SDM Vol. 3A, 2.5). */
#define CR4_VME	       (1ULL << 0)
#define CR4_PVI	       (1ULL << 1)
#define CR4_TSD	       (1ULL << 2)
#define CR4_DE	       (1ULL << 3)
#define CR4_PSE	       (1ULL << 4)
#define CR4_PAE	       (1ULL << 5)
#define CR4_PGE	       (1ULL << 7)
#define CR4_PCE	       (1ULL << 8)
#define CR4_OSFXSR     (1ULL << 9)
#define CR4_OSXMMEXCPT (1ULL << 10)
#define CR4_UMIP       (1ULL << 11)
#define CR4_FSGSBASE   (1ULL << 16)
#define CR4_OSXSAVE    (1ULL << 18)
#define CR4_SMEP       (1ULL << 20)
#define CR4_SMAP       (1ULL << 21)
/* A change in these invalidates the guest's TLB (SDM Vol. 3A 4.10.4.1). */
#define CR4_TLB_BITS (CR4_PSE | CR4_PAE | CR4_PGE | CR4_SMEP)
#define EFER_LMA     (1ULL << 10)

/* The frame's registers in encoding order, and back. */
static void regs_to_gpr(const struct cpu_user_regs *r, u64 gpr[16])
{
	const u64 g[16] = {r->rax, r->rcx, r->rdx, r->rbx, r->rsp, r->rbp,
			   r->rsi, r->rdi, r->r8,  r->r9,  r->r10, r->r11,
			   r->r12, r->r13, r->r14, r->r15};

	memcpy(gpr, g, sizeof(g));
}

static void gpr_to_regs(const u64 gpr[16], struct cpu_user_regs *r)
{
	r->rax = gpr[0];
	r->rcx = gpr[1];
	r->rdx = gpr[2];
	r->rbx = gpr[3];
	r->rsp = gpr[4];
	r->rbp = gpr[5];
	r->rsi = gpr[6];
	r->rdi = gpr[7];
	r->r8 = gpr[8];
	r->r9 = gpr[9];
	r->r10 = gpr[10];
	r->r11 = gpr[11];
	r->r12 = gpr[12];
	r->r13 = gpr[13];
	r->r14 = gpr[14];
	r->r15 = gpr[15];
}

static void walk_ctx(struct vcpu *v, const struct hvm_guest_state *st,
		     struct guest_walk_ctx *ctx)
{
	*ctx = (struct guest_walk_ctx){.cr0 = st->cr0,
				       .cr3 = st->cr3,
				       .cr4 = st->cr4,
				       .efer = st->efer,
				       .read_gpa = hvm_walk_read_gpa,
				       .opaque = v->domain};
}

/*
 * Fetches the instruction at CS:RIP, as many of its 15 bytes as are
 * readable; returns how many (0: not even the first byte), with the
 * guest state in *st.
 */
static unsigned int fetch(struct vcpu *v, const struct cpu_user_regs *regs,
			  u8 *bytes, struct hvm_guest_state *st)
{
	struct guest_walk_ctx ctx;
	unsigned int n = 0;

	hvm_get_guest_state(v, st);
	walk_ctx(v, st, &ctx);
	while (n < INSN_MAX) {
		u64 linear = st->cs_base + regs->rip + n, gpa;
		unsigned int chunk;
		u32 pf_error;

		if (!st->long_mode)
			linear &= 0xffffffff;
		chunk = min((u64)(INSN_MAX - n),
			    PAGE_SIZE - (linear & (PAGE_SIZE - 1)));
		if (guest_walk(&ctx, linear,
			       GUEST_WALK_FETCH |
				       (st->cpl == 3 ? GUEST_WALK_USER : 0),
			       &gpa, &pf_error) ||
		    hvm_copy_from_gpa(v->domain, bytes + n, gpa, chunk))
			break;
		n += chunk;
	}
	return n;
}

/* "0f 22 e0": the bytes, for a crash report. */
static void format_bytes(char *buf, size_t size, const u8 *bytes,
			 unsigned int n)
{
	size_t at = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < n && at + 4 < size; i++)
		at += snprintf(buf + at, size - at, "%s%02x", i ? " " : "",
			       bytes[i]);
	if (!n)
		snprintf(buf, size, "(not readable)");
}

static void crash_with_bytes(struct vcpu *v, struct cpu_user_regs *regs,
			     const char *what, const u8 *bytes, unsigned int n)
{
	char hex[INSN_MAX * 3 + 16], why[192];

	format_bytes(hex, sizeof(hex), bytes, n);
	snprintf(why, sizeof(why), "%s at rip %#lx (bytes %s)", what,
		 (unsigned long)regs->rip, hex);
	regs->vector = 0;
	domain_crash(v->domain, why, regs);
}

/* Skips legacy prefixes and (in 64-bit mode) REX; returns their count. */
static unsigned int prefix_length(const u8 *bytes, unsigned int n,
				  bool long_mode)
{
	unsigned int i = 0;

	while (i < n) {
		u8 b = bytes[i];

		if (b == 0x66 || b == 0x67 || b == 0xf0 || b == 0xf2 ||
		    b == 0xf3 || b == 0x26 || b == 0x2e || b == 0x36 ||
		    b == 0x3e || b == 0x64 || b == 0x65 ||
		    (long_mode && (b & 0xf0) == 0x40))
			i++;
		else
			break;
	}
	return i;
}

unsigned int hvm_insn_length(struct vcpu *v, struct cpu_user_regs *regs,
			     const u8 *opcode, unsigned int opcode_len,
			     const char *what)
{
	struct hvm_guest_state st;
	u8 bytes[INSN_MAX];
	unsigned int n = fetch(v, regs, bytes, &st), p;
	char reason[64];

	p = prefix_length(bytes, n, st.long_mode);
	if (p + opcode_len <= n && !memcmp(bytes + p, opcode, opcode_len))
		return p + opcode_len;
	/* Another vCPU rewrote the code under it, or a bug: say which. */
	snprintf(reason, sizeof(reason), "%s exit, but no %s instruction", what,
		 what);
	crash_with_bytes(v, regs, reason, bytes, n);
	return 0;
}

/* ------------------------------------------------------------------ */
/* MMIO                                                                */

/* Says, for the first pages, that gpa is not a device. */
static void report_unknown_mmio(struct vcpu *v, u64 gpa, bool write)
{
	struct hvm_domain *hd = v->domain->hvm;
	unsigned int n =
		__atomic_fetch_add(&hd->nr_mmio_reported, 1, __ATOMIC_RELAXED);

	if (n < UNKNOWN_MMIO_LINES)
		printk("(d%u) [hvm: %s at guest-physical %#lx: no RAM or device there; reads all ones, writes are ignored]\n",
		       v->domain->domid, write ? "write" : "read",
		       (unsigned long)gpa);
	else if (n == UNKNOWN_MMIO_LINES)
		printk("(d%u) [hvm: more accesses outside RAM and devices; no longer reported]\n",
		       v->domain->domid);
}

/* True if [gpa, gpa + size) lies in the page at base. */
static bool in_page(u64 gpa, unsigned int size, u64 base)
{
	return (gpa & PAGE_MASK) == base &&
	       ((gpa + size - 1) & PAGE_MASK) == base;
}

static u64 mmio_read(struct vcpu *v, u64 gpa, unsigned int size)
{
	u64 val, ones = size == 8 ? ~0ULL : (1ULL << (8 * size)) - 1;

	if (in_page(gpa, size, HVM_LAPIC_BASE) &&
	    vlapic_mmio_read(v, gpa & (PAGE_SIZE - 1), size, &val) == 0)
		return val;
	if (in_page(gpa, size, HVM_IOAPIC_BASE))
		return vioapic_mmio_read(v->domain, gpa & (PAGE_SIZE - 1),
					 size);
	/* An access that starts in RAM and runs into a hole reads RAM's part. */
	if (gpa < v->domain->hvm->mem &&
	    !hvm_copy_from_gpa(v->domain, &val, gpa, size))
		return val & ones;
	report_unknown_mmio(v, gpa, false);
	return ones;
}

static void mmio_write(struct vcpu *v, u64 gpa, unsigned int size, u64 val)
{
	if (in_page(gpa, size, HVM_LAPIC_BASE) &&
	    vlapic_mmio_write(v, gpa & (PAGE_SIZE - 1), size, val) == 0)
		return;
	if (in_page(gpa, size, HVM_IOAPIC_BASE)) {
		vioapic_mmio_write(v->domain, gpa & (PAGE_SIZE - 1), size, val);
		return;
	}
	if (gpa >= HVM_OPTION_ROM_START && gpa < HVM_BIOS_END)
		return; /* the option-ROM and firmware areas are ROM */
	report_unknown_mmio(v, gpa, true);
}

void hvm_handle_npf(struct vcpu *v, struct cpu_user_regs *regs, u64 gpa,
		    u64 error)
{
	struct hvm_guest_state st;
	struct x86_insn insn;
	u8 bytes[INSN_MAX];
	unsigned int n;
	u64 gpr[16], val;
	char why[96];
	int rc;

	if (error & SVM_NPF_GUEST_WALK) {
		snprintf(
			why, sizeof(why),
			"its page tables are at guest-physical %#lx, which is not RAM",
			(unsigned long)gpa);
		regs->vector = 0;
		domain_crash(v->domain, why, regs);
		return;
	}
	n = fetch(v, regs, bytes, &st);
	rc = x86_decode(bytes, n, (enum x86_mode)st.mode, &insn);
	if (rc || !insn.has_mem ||
	    (insn.op != X86_OP_MOV_STORE && insn.op != X86_OP_MOV_LOAD &&
	     insn.op != X86_OP_XCHG)) {
		snprintf(why, sizeof(why),
			 "%s instruction for MMIO at guest-physical %#lx",
			 rc == -ENODATA ? "an unreadable" : "an unsupported",
			 (unsigned long)gpa);
		crash_with_bytes(v, regs, why, bytes, n);
		return;
	}
	regs_to_gpr(regs, gpr);
	switch (insn.op) {
	case X86_OP_MOV_STORE:
		mmio_write(v, gpa, insn.mem_size,
			   x86_insn_store_value(&insn, gpr));
		break;
	case X86_OP_MOV_LOAD:
		val = mmio_read(v, gpa, insn.mem_size);
		x86_insn_write_reg(&insn, gpr, val);
		break;
	default: /* XCHG: the old value to the register, the register's out */
		val = mmio_read(v, gpa, insn.mem_size);
		mmio_write(v, gpa, insn.mem_size,
			   x86_insn_store_value(&insn, gpr));
		x86_insn_write_reg(&insn, gpr, val);
		break;
	}
	gpr_to_regs(gpr, regs);
	hvm_advance_rip(v, regs, insn.len);
}

/* ------------------------------------------------------------------ */
/* CR4                                                                 */

/* The CR4 bits this guest may set: those its CPUID offers. */
static u64 cr4_allowed(struct vcpu *v)
{
	u64 allowed = CR4_VME | CR4_PVI | CR4_TSD | CR4_DE | CR4_PSE | CR4_PAE |
		      CR4_PGE | CR4_PCE | CR4_OSFXSR | CR4_OSXMMEXCPT;
	u32 l1[4], l7[4];

	hvm_cpuid(v, 1, 0, l1);
	hvm_cpuid(v, 7, 0, l7);
	if (l1[2] & (1U << 26))
		allowed |= CR4_OSXSAVE;
	if (l7[1] & (1U << 0))
		allowed |= CR4_FSGSBASE;
	if (l7[1] & (1U << 7))
		allowed |= CR4_SMEP;
	if (l7[1] & (1U << 20))
		allowed |= CR4_SMAP;
	if (l7[2] & (1U << 2))
		allowed |= CR4_UMIP;
	return allowed;
}

/* MOV to CR8: the task priority class (SDM Vol. 3A 11.8.6.1). */
static bool write_cr8(struct vcpu *v, u64 val)
{
	if (val & ~0xfULL)
		return false;
	vlapic_set_tpr_class(v, (u8)val);
	return true;
}

/* MOV to CR4: only what CPUID offers; a paging change flushes the TLB. */
static bool write_cr4(struct vcpu *v, const struct hvm_guest_state *st, u64 val)
{
	struct vmcb *vmcb = v->hvm->svm.vmcb;

	if ((val & ~cr4_allowed(v)) ||
	    ((vmcb->efer & EFER_LMA) && !(val & CR4_PAE)))
		return false;
	if ((val ^ vmcb->cr4) & CR4_TLB_BITS)
		v->hvm->svm.asid = 0; /* a fresh ASID: an empty TLB */
	vmcb->cr4 = val;
	return true;
}

void hvm_handle_cr_write(struct vcpu *v, struct cpu_user_regs *regs,
			 unsigned int cr)
{
	struct hvm_guest_state st;
	struct x86_insn insn;
	u8 bytes[INSN_MAX];
	unsigned int n = fetch(v, regs, bytes, &st);
	char what[48];
	u64 gpr[16], val;
	bool ok;

	if (x86_decode(bytes, n, (enum x86_mode)st.mode, &insn) ||
	    insn.op != X86_OP_MOV_TO_CR || insn.cr != cr) {
		snprintf(what, sizeof(what),
			 "a CR%u write exit, but no MOV to CR%u", cr, cr);
		crash_with_bytes(v, regs, what, bytes, n);
		return;
	}
	regs_to_gpr(regs, gpr);
	val = gpr[insn.reg];
	if (!st.long_mode)
		val &= 0xffffffff;
	ok = cr == 8 ? write_cr8(v, val) : write_cr4(v, &st, val);
	if (!ok) {
		hvm_inject_gp(v); /* reserved or not offered bits */
		return;
	}
	hvm_advance_rip(v, regs, insn.len);
}
