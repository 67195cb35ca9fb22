/*
 * apic: the local APIC's registers as an OS driver uses them (Intel SDM
 * Vol. 3A chapter 10), in each LAPIC mode the run covers: ID and version,
 * TPR, SVR software enable, LVT masks, ESR, ISR and IRR around a
 * self-IPI, x2APIC's SELF IPI register, the xAPIC to x2APIC switch, and
 * which accesses must #GP (x2APIC MSRs in xAPIC mode; reserved and
 * read-only registers in x2APIC mode: 10.12.1.2, table 10-6).
 */
#include "acpi.h"
#include "hvmtest.h"
#include "lapic.h"
#include "probe.h"
#include "time.h"
#include "traps.h"

#define VECTOR_SELF_TEST 0x45 /* class 4 */
#define VECTOR_SELF_MSR	 0x46
#define VECTOR_ILLEGAL	 15 /* reserved, no error code: harmless if delivered */
#define PENDING_WAIT_NS	 (2 * NSEC_PER_MSEC)
#define DELIVERY_WAIT_NS (100 * NSEC_PER_MSEC)

static const unsigned int lvt_regs[] = {APIC_LVT_TIMER, APIC_LVT_LINT0,
					APIC_LVT_LINT1, APIC_LVT_ERROR};

static unsigned int max_lvt(void)
{
	return (lapic_read(APIC_VERSION) >> 16) & 0xff;
}

/* Back to the state lapic_init() leaves, interrupts as they were. */
static void lapic_restore(struct test *t)
{
	bool on = irqs_enabled();

	cli();
	lapic_init(t->mode);
	if (on)
		sti();
}

static bool need_mode(struct test *t, enum lapic_mode mode)
{
	if (t->mode == mode)
		return true;
	test_skip(t, "%s mode only", lapic_mode_name(mode));
	return false;
}

static void id(struct test *t)
{
	u32 apic_id = lapic_id();

	CHECK(t, apic_id == cpus[0].apic_id, "ID %u, was %u at start-up",
	      apic_id, cpus[0].apic_id);
	CHECK(t, (apic_id & 0xff) == cpuid(1).ebx >> 24,
	      "ID %u, CPUID.1:EBX[31:24] %u", apic_id, cpuid(1).ebx >> 24);
	CHECK(t, acpi_find_cpu(apic_id) != NULL, "ID %u is not in the MADT",
	      apic_id);
	CHECK(t, rdmsr(MSR_IA32_APIC_BASE) & APIC_BASE_BSP,
	      "IA32_APIC_BASE.BSP clear on the boot CPU");
	if (t->mode == LAPIC_X2APIC) {
		/* The logical ID follows from the ID (10.12.10.2). */
		u32 ldr = ((apic_id >> 4) << 16) | (1U << (apic_id & 0xf));

		CHECK(t, lapic_read(APIC_LDR) == ldr, "LDR %#x, expected %#x",
		      lapic_read(APIC_LDR), ldr);
	}
}

static void version(struct test *t)
{
	u32 v = lapic_read(APIC_VERSION);

	test_diag(t, "version register %#x: version %#x, %u LVT entries", v,
		  v & 0xff, max_lvt() + 1);
	CHECK(t, (v & 0xff) >= 0x10 && (v & 0xff) <= 0x1f,
	      "version %#x is not an integrated APIC's (0x10-0x1f)", v & 0xff);
	CHECK(t, max_lvt() >= 3,
	      "max LVT entry %u: timer, LINT0, LINT1 and "
	      "error need 3",
	      max_lvt());
	if (t->mode == LAPIC_XAPIC) {
		lapic_write(APIC_VERSION, ~v);
		CHECK(t, lapic_read(APIC_VERSION) == v,
		      "a write changed the read-only version register");
	}
}

static void tpr(struct test *t)
{
	unsigned int v;

	for (v = 0; v < 256; v += 7) {
		lapic_write(APIC_TPR, v);
		if (!CHECK(t, lapic_read(APIC_TPR) == v,
			   "TPR %#x read back %#x", v, lapic_read(APIC_TPR)))
			break;
		/* CR8 is TPR[7:4] in 64-bit mode (10.8.6.1). */
		if (!CHECK(t, read_cr8() == v >> 4, "TPR %#x, CR8 %#lx", v,
			   (unsigned long)read_cr8()))
			break;
	}
	for (v = 0; v < 16; v++) {
		write_cr8(v);
		if (!CHECK(t, lapic_read(APIC_TPR) == v << 4,
			   "CR8 %u, TPR %#x (expected %#x)", v,
			   lapic_read(APIC_TPR), v << 4))
			break;
	}
	write_cr8(0);
	CHECK(t, lapic_read(APIC_TPR) == 0, "TPR %#x after CR8 = 0",
	      lapic_read(APIC_TPR));
}

static void svr(struct test *t)
{
	lapic_write(APIC_SVR, SVR_ENABLE | 0xf0);
	CHECK(t, lapic_read(APIC_SVR) == (SVR_ENABLE | 0xf0), "SVR %#x",
	      lapic_read(APIC_SVR));
	lapic_write(APIC_SVR, VECTOR_SPURIOUS);
	CHECK(t, lapic_read(APIC_SVR) == VECTOR_SPURIOUS,
	      "SVR %#x after the software disable", lapic_read(APIC_SVR));
	lapic_write(APIC_SVR, SVR_ENABLE | VECTOR_SPURIOUS);
	CHECK(t, lapic_read(APIC_SVR) == (SVR_ENABLE | VECTOR_SPURIOUS),
	      "SVR %#x after the software enable", lapic_read(APIC_SVR));
	lapic_restore(t);
}

/* Software disable masks every LVT and keeps them masked (10.4.7.2). */
static void svr_disable_masks_lvts(struct test *t)
{
	unsigned int i, unmasked = 0, kept = 0;

	lapic_write(APIC_LVT_TIMER, VECTOR_TIMER); /* unmasked, not armed */
	lapic_write(APIC_SVR, VECTOR_SPURIOUS);
	unmasked += !(lapic_read(APIC_LVT_TIMER) & LVT_MASKED);
	for (i = 0; i < ARRAY_SIZE(lvt_regs); i++) {
		lapic_write(lvt_regs[i], 0x40 + i);
		kept += !(lapic_read(lvt_regs[i]) & LVT_MASKED);
	}
	lapic_write(APIC_SVR, SVR_ENABLE | VECTOR_SPURIOUS);
	unmasked += !(lapic_read(APIC_LVT_TIMER) & LVT_MASKED);
	lapic_restore(t);
	if (check_strict(t, unmasked == 0,
			 "the software disable left the LVT timer unmasked"))
		check_strict(t, kept == 0,
			     "%u LVTs took an unmasked write while "
			     "software-disabled",
			     kept);
}

static void lvt_masks(struct test *t)
{
	unsigned int i;
	u32 v;

	for (i = 0; i < ARRAY_SIZE(lvt_regs); i++) {
		v = LVT_MASKED | (0x41 + i);
		lapic_write(lvt_regs[i], v);
		CHECK(t, lapic_read(lvt_regs[i]) == v,
		      "LVT %#x: wrote %#x, read %#x", lvt_regs[i], v,
		      lapic_read(lvt_regs[i]));
	}
	v = LVT_MASKED | LVT_TIMER_PERIODIC | 0x42;
	lapic_write(APIC_LVT_TIMER, v);
	CHECK(t, lapic_read(APIC_LVT_TIMER) == v,
	      "LVT timer periodic: wrote %#x, read %#x", v,
	      lapic_read(APIC_LVT_TIMER));
	v = LVT_MASKED | LVT_DELIVERY_NMI;
	lapic_write(APIC_LVT_LINT1, v);
	CHECK(t, lapic_read(APIC_LVT_LINT1) == v,
	      "LVT LINT1 NMI: wrote %#x, read %#x", v,
	      lapic_read(APIC_LVT_LINT1));
	v = LVT_MASKED | LVT_DELIVERY_EXTINT;
	lapic_write(APIC_LVT_LINT0, v);
	CHECK(t, lapic_read(APIC_LVT_LINT0) == v,
	      "LVT LINT0 ExtINT: wrote %#x, read %#x", v,
	      lapic_read(APIC_LVT_LINT0));
	lapic_restore(t);
}

static void esr(struct test *t)
{
	u32 e;

	/* A write latches the errors since the last write (10.5.3). */
	lapic_write(APIC_ESR, 0);
	lapic_write(APIC_ESR, 0);
	e = lapic_read(APIC_ESR);
	CHECK(t, e == 0, "ESR %#x with no error", e);
}

/* Vectors 0-15 are illegal: the send sets "send illegal vector" (10.5.3). */
static void esr_send_illegal_vector(struct test *t)
{
	static struct probe p;
	u32 e;

	/* An emulation that delivers it anyway must not look like a fault. */
	probe_install(&p, VECTOR_ILLEGAL);
	lapic_write(APIC_ESR, 0);
	lapic_send_ipi(0, ICR_SELF | ICR_FIXED | ICR_LEVEL_ASSERT |
				  VECTOR_ILLEGAL);
	delay_ns(PENDING_WAIT_NS);
	lapic_write(APIC_ESR, 0);
	e = lapic_read(APIC_ESR);
	lapic_write(APIC_ESR, 0);
	probe_remove(&p);
	test_diag(t, "self-IPI of vector %u: ESR %#x, delivered %u times",
		  VECTOR_ILLEGAL, e, p.count);
	CHECK(t, lapic_read(APIC_ESR) == 0, "ESR %#x after the next write",
	      lapic_read(APIC_ESR));
	if (check_strict(t, p.count == 0,
			 "a self-IPI of vector %u was delivered",
			 VECTOR_ILLEGAL))
		check_strict(t, e & ESR_SEND_ILLEGAL_VECTOR,
			     "ESR %#x after a self-IPI of vector %u: no send "
			     "illegal vector",
			     e, VECTOR_ILLEGAL);
}

static void isr_irr_self_ipi(struct test *t)
{
	static struct probe p;
	u8 vec = VECTOR_SELF_TEST;

	probe_install(&p, vec);
	/* Class 4 below TPR class 5: the interrupt waits in IRR. */
	lapic_write(APIC_TPR, 0x50);
	lapic_self_ipi(vec);
	delay_ns(PENDING_WAIT_NS);
	CHECK(t, p.count == 0, "delivered through TPR 0x50");
	CHECK(t, lapic_vector_bit(APIC_IRR, vec), "IRR bit %#x clear", vec);
	CHECK(t, !lapic_vector_bit(APIC_ISR, vec), "ISR bit %#x set", vec);
	CHECK(t, lapic_read(APIC_PPR) == 0x50, "PPR %#x, TPR 0x50",
	      lapic_read(APIC_PPR));
	lapic_write(APIC_TPR, 0);
	wait_flag(&p.count, DELIVERY_WAIT_NS);
	CHECK(t, p.count == 1, "%u deliveries once TPR was lowered", p.count);
	CHECK(t, p.isr_inside, "ISR bit clear inside the handler");
	CHECK(t, !p.irr_inside, "IRR bit still set inside the handler");
	CHECK(t, !lapic_vector_bit(APIC_ISR, vec), "ISR bit set after EOI");
	CHECK(t, !lapic_vector_bit(APIC_IRR, vec), "IRR bit set after EOI");
	CHECK(t, lapic_read(APIC_PPR) == 0, "PPR %#x after EOI",
	      lapic_read(APIC_PPR));
	probe_remove(&p);
}

static void self_ipi_msr(struct test *t)
{
	static struct probe p;

	if (!need_mode(t, LAPIC_X2APIC))
		return;
	probe_install(&p, VECTOR_SELF_MSR);
	wrmsr(MSR_X2APIC_BASE + APIC_SELF_IPI / 16, VECTOR_SELF_MSR);
	wait_flag(&p.count, DELIVERY_WAIT_NS);
	CHECK(t, p.count == 1, "%u deliveries of the SELF IPI", p.count);
	CHECK(t, p.isr_inside, "ISR bit clear inside the handler");
	probe_remove(&p);
}

static void x2apic_msrs_gp_in_xapic(struct test *t)
{
	static const u32 msrs[] = {0x802, 0x803, 0x808, 0x80b,
				   0x80f, 0x830, 0x838, 0x83f};
	unsigned int i;
	u64 v;

	if (!need_mode(t, LAPIC_XAPIC))
		return;
	if (!x2apic_supported()) {
		test_skip(t, "no x2APIC");
		return;
	}
	for (i = 0; i < ARRAY_SIZE(msrs); i++)
		CHECK(t, rdmsr_safe(msrs[i], &v) == VEC_GP,
		      "RDMSR %#x in xAPIC mode did not #GP", msrs[i]);
	CHECK(t, wrmsr_safe(0x808, 0x20) == VEC_GP,
	      "WRMSR of the x2APIC TPR in xAPIC mode did not #GP");
	CHECK(t, wrmsr_safe(0x80b, 0) == VEC_GP,
	      "WRMSR of the x2APIC EOI in xAPIC mode did not #GP");
	CHECK(t, lapic_read(APIC_TPR) == 0, "TPR %#x after the writes",
	      lapic_read(APIC_TPR));
}

static void switch_to_x2apic(struct test *t)
{
	u64 base = rdmsr(MSR_IA32_APIC_BASE);
	u64 keep = base & ~(APIC_BASE_EXTD | APIC_BASE_ENABLE);
	u32 xapic_id = lapic_id();
	u64 v;

	if (!need_mode(t, LAPIC_XAPIC))
		return;
	if (!x2apic_supported()) {
		test_skip(t, "no x2APIC");
		return;
	}
	cli();
	lapic_write(APIC_TPR, 0x30);
	/* xAPIC to x2APIC: a legal transition (10.12.5, figure 10-27). */
	if (!CHECK(t, wrmsr_safe(MSR_IA32_APIC_BASE, base | APIC_BASE_EXTD) < 0,
		   "the switch to x2APIC mode faulted"))
		goto out;
	CHECK(t,
	      rdmsr_safe(MSR_X2APIC_BASE + APIC_ID / 16, &v) < 0 &&
		      v == xapic_id,
	      "x2APIC ID %#lx, xAPIC ID %#x", (unsigned long)v, xapic_id);
	CHECK(t,
	      rdmsr_safe(MSR_X2APIC_BASE + APIC_TPR / 16, &v) < 0 && v == 0x30,
	      "TPR %#lx after the switch, was 0x30", (unsigned long)v);
	/* x2APIC straight back to xAPIC, or to EXTD without EN: illegal. */
	CHECK(t,
	      wrmsr_safe(MSR_IA32_APIC_BASE, keep | APIC_BASE_ENABLE) == VEC_GP,
	      "x2APIC to xAPIC without disabling did not #GP");
	CHECK(t,
	      wrmsr_safe(MSR_IA32_APIC_BASE, keep | APIC_BASE_EXTD) == VEC_GP,
	      "EXTD without EN did not #GP");
	CHECK(t, wrmsr_safe(MSR_IA32_APIC_BASE, keep) < 0,
	      "x2APIC to disabled faulted");
	CHECK(t, wrmsr_safe(MSR_IA32_APIC_BASE, keep | APIC_BASE_ENABLE) < 0,
	      "disabled to xAPIC faulted");
	this_cpu()->mode = LAPIC_XAPIC;
	CHECK(t, lapic_id() == xapic_id,
	      "xAPIC ID %u after the round trip, "
	      "was %u",
	      lapic_id(), xapic_id);
out:
	lapic_restore(t);
	sti();
}

struct msr_access {
	u32 msr;
	bool write;
	u64 value;
	const char *what;
};

/* The accesses an x2APIC must refuse with #GP (10.12.1.2, table 10-6). */
static const struct msr_access must_gp[] = {
	{0x801, false, 0, "reserved 0x801"},
	{0x804, false, 0, "reserved 0x804"},
	{0x80c, false, 0, "RRD (none in x2APIC mode)"},
	{0x80e, false, 0, "DFR (none in x2APIC mode)"},
	{0x83a, false, 0, "reserved 0x83a"},
	{0x83f, false, 0, "SELF IPI (write-only)"},
	{0x802, true, 0, "ID (read-only)"},
	{0x80d, true, 0, "LDR (read-only)"},
};

/* The same, for those bare QEMU's TCG (10.x) lets through. */
static const struct msr_access must_gp_strict[] = {
	{0x809, false, 0, "APR (none in x2APIC mode)"},
	{0x831, false, 0, "ICR bits 63:32 (none in x2APIC mode)"},
	{0x80b, false, 0, "EOI (write-only)"},
	{0x803, true, 0, "version (read-only)"},
	{0x80a, true, 0, "PPR (read-only)"},
	{0x839, true, 0, "current count (read-only)"},
	{0x80b, true, 1, "EOI with a non-zero value"},
	{0x828, true, 1, "ESR with a non-zero value"},
	{0x83f, true, 0x100, "SELF IPI with reserved bits"},
};

/* How many of the accesses did not #GP; the first one's name in what. */
static unsigned int count_no_gp(const struct msr_access *a, unsigned int n,
				const struct msr_access **first)
{
	unsigned int i, missed = 0;

	for (i = 0; i < n; i++) {
		u64 v;
		int vec = a[i].write ? wrmsr_safe(a[i].msr, a[i].value)
				     : rdmsr_safe(a[i].msr, &v);

		if (vec == VEC_GP)
			continue;
		if (!missed++)
			*first = &a[i];
	}
	return missed;
}

static void reserved_gp(struct test *t)
{
	const struct msr_access *a = NULL;
	unsigned int missed;

	if (!need_mode(t, LAPIC_X2APIC))
		return;
	missed = count_no_gp(must_gp, ARRAY_SIZE(must_gp), &a);
	lapic_restore(t);
	if (missed)
		CHECK(t, false,
		      "%u accesses did not #GP, the first %s %#x (%s)", missed,
		      a->write ? "WRMSR" : "RDMSR", a->msr, a->what);
}

static void reserved_gp_strict(struct test *t)
{
	const struct msr_access *a = NULL;
	unsigned int missed;

	if (!need_mode(t, LAPIC_X2APIC))
		return;
	missed = count_no_gp(must_gp_strict, ARRAY_SIZE(must_gp_strict), &a);
	lapic_restore(t);
	if (missed)
		check_strict(
			t, false,
			"%u of %u accesses did not #GP, the first %s %#x (%s)",
			missed, (unsigned int)ARRAY_SIZE(must_gp_strict),
			a->write ? "WRMSR" : "RDMSR", a->msr, a->what);
}

DEFINE_SUITE(apic, true, TEST_CASE(id), TEST_CASE(version), TEST_CASE(tpr),
	     TEST_CASE(svr), TEST_CASE(svr_disable_masks_lvts),
	     TEST_CASE(lvt_masks), TEST_CASE(esr),
	     TEST_CASE(esr_send_illegal_vector), TEST_CASE(isr_irr_self_ipi),
	     TEST_CASE(self_ipi_msr), TEST_CASE(x2apic_msrs_gp_in_xapic),
	     TEST_CASE(switch_to_x2apic), TEST_CASE(reserved_gp),
	     TEST_CASE(reserved_gp_strict));
