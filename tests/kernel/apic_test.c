/*
 * The local APIC on the boot CPU: identity and mode against CPUID and the
 * command line, the registers apic_init_boot_cpu() set, and IPIs that come
 * back to this CPU. The harness tells the suite which mode to expect with
 * ktest_apic_mode=xapic|x2apic (tests/harness/matrix.py); without it the
 * mode is only checked against what CPUID and IA32_APIC_BASE allow.
 */
#include <asm/apic.h>
#include <asm/lapic_timer.h>
#include <asm/desc.h>
#include <asm/processor.h>
#include <asm/traps.h>
#include <cycles.h>
#include <irq.h>
#include <ktest.h>
#include <param.h>
#include <percpu.h>
#include <printk.h>

/*
 * Two test vectors in the top priority class (0xf), below the APIC's own,
 * and a marker one class lower.
 */
#define TEST_VECTOR	   0xf0
#define TEST_STRAY_VECTOR  0xf1 /* no handler: do_irq() must EOI it */
#define TEST_MARKER_VECTOR 0xe0 /* lower priority than TEST_VECTOR */
/* 10^9 TSC cycles: a fraction of a second, ages for a self-IPI. */
#define IPI_WAIT_CYCLES	  1000000000UL
#define CPUID1_ECX_X2APIC (1U << 21) /* SDM Vol. 2A, CPUID, table 3-10 */
#define CPUID_LEAF_X2APIC 0xb	     /* EDX: x2APIC ID (SDM Vol. 3A, 11.4.6) */
#define XAPIC_ID_SHIFT	  24	     /* CPUID.1:EBX[31:24], initial APIC ID */
/* Spins with interrupts off, long enough for a self-IPI to be pending. */
#define MASKED_WAIT_SPINS 10000

/* Until setup.c calls apic_init_boot_cpu(), there is nothing to test. */
#define SKIP_UNLESS_APIC_READY(t)                                   \
	do {                                                        \
		if (!apic_ready())                                  \
			KT_SKIP(t, "the local APIC is not set up"); \
	} while (0)

static char expected_mode[8];
string_param("ktest_apic_mode", expected_mode);

/* Per CPU: once APs are online, an all-but-self IPI reaches them too. */
static DEFINE_PER_CPU(unsigned int, test_ipis);
static DEFINE_PER_CPU(unsigned int, marker_ipis);

static void test_ipi_interrupt(struct cpu_user_regs *regs)
{
	if (regs->vector == TEST_MARKER_VECTOR)
		this_cpu(marker_ipis)++;
	else
		this_cpu(test_ipis)++;
	apic_eoi();
}

/* Waits, interrupts on, until this CPU took n test IPIs; false on timeout. */
static bool wait_for_test_ipis(unsigned int n)
{
	u64 start = get_cycles();

	while (READ_ONCE(this_cpu(test_ipis)) < n) {
		if (get_cycles() - start > IPI_WAIT_CYCLES)
			return false;
		cpu_relax();
	}
	return true;
}

static bool isr_bit(u8 vector)
{
	return apic_read(APIC_ISR + (vector / 32) * 0x10) &
	       (1U << (vector % 32));
}

static bool irr_bit(u8 vector)
{
	return apic_read(APIC_IRR + (vector / 32) * 0x10) &
	       (1U << (vector % 32));
}

static u32 read_esr(void)
{
	apic_write(APIC_ESR, 0); /* latch, then read (SDM Vol. 3A, 11.5.3) */
	return apic_read(APIC_ESR);
}

static void boot_cpu_is_bsp(struct ktest *t)
{
	KT_EXPECT_TRUE(t, apic_is_bsp());
	KT_EXPECT_EQ(t, smp_processor_id(), 0);
}

/*
 * Leaf 0xb gives the whole x2APIC ID; leaf 1 only 8 bits, and QEMU 10
 * overflows its logical-processor count (EBX[23:16]) into them with more
 * than 255 CPUs in a package, so use leaf 1 only where 0xb is missing. In
 * xAPIC mode the ID is the x2APIC ID's low 8 bits (SDM Vol. 3A, 11.12.5.1).
 */
static void apic_id_matches_cpuid(struct ktest *t)
{
	struct cpuid_regs r;
	u32 id;

	SKIP_UNLESS_APIC_READY(t);
	cpuid(0, &r);
	if (r.eax >= CPUID_LEAF_X2APIC) {
		cpuid_count(CPUID_LEAF_X2APIC, 0, &r);
		id = r.edx;
	} else {
		cpuid(1, &r);
		id = r.ebx >> XAPIC_ID_SHIFT;
	}
	if (apic_mode() == APIC_MODE_XAPIC)
		id &= 0xff;
	KT_EXPECT_EQ(t, apic_id(), id);
}

/* x2APIC mode only where CPUID offers it, and IA32_APIC_BASE agrees. */
static void mode_matches_cpuid(struct ktest *t)
{
	u64 base = rdmsr(MSR_IA32_APIC_BASE);
	struct cpuid_regs r;
	bool x2apic;

	SKIP_UNLESS_APIC_READY(t);
	x2apic = apic_mode() == APIC_MODE_X2APIC;
	cpuid(1, &r);
	KT_EXPECT_TRUE(t, base & APIC_BASE_ENABLE);
	KT_EXPECT_EQ(t, !!(base & APIC_BASE_EXTD), x2apic);
	if (x2apic)
		KT_EXPECT_TRUE(t, r.ecx & CPUID1_ECX_X2APIC);
}

/* The mode the harness expects from the CPU model and x2apic= it chose. */
static void mode_matches_cmdline(struct ktest *t)
{
	SKIP_UNLESS_APIC_READY(t);
	if (!expected_mode[0])
		KT_SKIP(t, "no ktest_apic_mode= on the command line");
	KT_EXPECT_STREQ(t, apic_mode() == APIC_MODE_X2APIC ? "x2apic" : "xapic",
			expected_mode);
}

static void registers_are_set_up(struct ktest *t)
{
	u32 svr;

	SKIP_UNLESS_APIC_READY(t);
	svr = apic_read(APIC_SVR);
	KT_EXPECT_TRUE(t, svr & APIC_SVR_ENABLED);
	KT_EXPECT_EQ(t, svr & 0xff, SPURIOUS_VECTOR);
	KT_EXPECT_EQ(t, apic_read(APIC_TPR), 0);
	KT_EXPECT_EQ(t, apic_read(APIC_LVT_ERROR),
		     APIC_ERROR_VECTOR); /* unmasked, fixed */
	/* The timer belongs to the clock event layer (lapic_timer.c). */
	if (clockevent_this_cpu() == &lapic_deadline_device ||
	    clockevent_this_cpu() == &lapic_oneshot_device) {
		KT_EXPECT_EQ(t, apic_read(APIC_LVT_TIMER) & 0xff,
			     LOCAL_TIMER_VECTOR);
		KT_EXPECT_TRUE(t,
			       !(apic_read(APIC_LVT_TIMER) & APIC_LVT_MASKED));
	} else {
		KT_EXPECT_TRUE(t, apic_read(APIC_LVT_TIMER) & APIC_LVT_MASKED);
	}
	KT_EXPECT_TRUE(t, apic_read(APIC_LVT_LINT0) & APIC_LVT_MASKED);
	KT_EXPECT_TRUE(t, apic_read(APIC_LVT_LINT1) & APIC_LVT_MASKED);
}

static void self_ipi_arrives(struct ktest *t)
{
	unsigned int before = this_cpu(test_ipis);

	SKIP_UNLESS_APIC_READY(t);
	set_irq_handler(TEST_VECTOR, test_ipi_interrupt);
	KT_EXPECT_EQ(t, apic_send_ipi_self(TEST_VECTOR), 0);
	KT_EXPECT_TRUE(t, wait_for_test_ipis(before + 1));
	KT_EXPECT_EQ(t, this_cpu(test_ipis), before + 1);
	KT_EXPECT_TRUE(t, !isr_bit(TEST_VECTOR));
	set_irq_handler(TEST_VECTOR, NULL);
}

static void ipi_to_own_id_arrives(struct ktest *t)
{
	unsigned int before = this_cpu(test_ipis);

	SKIP_UNLESS_APIC_READY(t);
	set_irq_handler(TEST_VECTOR, test_ipi_interrupt);
	KT_EXPECT_EQ(t, apic_send_ipi(apic_id(), APIC_DM_FIXED, TEST_VECTOR),
		     0);
	KT_EXPECT_TRUE(t, wait_for_test_ipis(before + 1));
	KT_EXPECT_EQ(t, this_cpu(test_ipis), before + 1);
	set_irq_handler(TEST_VECTOR, NULL);
}

/* With interrupts off the IPI waits in the IRR, and arrives at sti. */
static void ipi_waits_while_interrupts_off(struct ktest *t)
{
	unsigned int before = this_cpu(test_ipis), i;
	bool pending;

	SKIP_UNLESS_APIC_READY(t);
	set_irq_handler(TEST_VECTOR, test_ipi_interrupt);
	local_irq_disable();
	KT_EXPECT_EQ(t, apic_send_ipi_self(TEST_VECTOR), 0);
	for (i = 0; i < MASKED_WAIT_SPINS; i++)
		cpu_relax();
	pending = irr_bit(TEST_VECTOR);
	KT_EXPECT_EQ(t, this_cpu(test_ipis), before);
	local_irq_enable();
	KT_EXPECT_TRUE(t, pending);
	KT_EXPECT_TRUE(t, wait_for_test_ipis(before + 1));
	set_irq_handler(TEST_VECTOR, NULL);
}

/*
 * The shorthand excludes the sender. A self-IPI of lower priority sent
 * after it is the marker: had the first one come here, it would have been
 * taken first (SDM Vol. 3A, 11.8.3), so once the marker is in, it is late.
 */
static void allbutself_skips_self(struct ktest *t)
{
	unsigned int before = this_cpu(test_ipis);
	unsigned int markers = this_cpu(marker_ipis);
	u64 start;

	SKIP_UNLESS_APIC_READY(t);
	set_irq_handler(TEST_VECTOR, test_ipi_interrupt);
	set_irq_handler(TEST_MARKER_VECTOR, test_ipi_interrupt);
	KT_EXPECT_EQ(t, apic_send_ipi_allbutself(TEST_VECTOR), 0);
	KT_EXPECT_EQ(t, apic_send_ipi_self(TEST_MARKER_VECTOR), 0);
	start = get_cycles();
	while (READ_ONCE(this_cpu(marker_ipis)) == markers &&
	       get_cycles() - start < IPI_WAIT_CYCLES)
		cpu_relax();
	KT_EXPECT_EQ(t, this_cpu(marker_ipis), markers + 1);
	KT_EXPECT_EQ(t, this_cpu(test_ipis), before);
	set_irq_handler(TEST_VECTOR, NULL);
	set_irq_handler(TEST_MARKER_VECTOR, NULL);
}

/*
 * The error handler must EOI: the test vector shares its priority class
 * (0xf), so it could not come in after an error interrupt left in service.
 */
static void error_interrupt_is_acknowledged(struct ktest *t)
{
	unsigned long errors = apic_error_count();
	unsigned int before = this_cpu(test_ipis);

	SKIP_UNLESS_APIC_READY(t);
	pr_info("apic test: a deliberate error interrupt with an empty ESR follows\n");
	KT_EXPECT_EQ(t, apic_send_ipi_self(APIC_ERROR_VECTOR), 0);
	set_irq_handler(TEST_VECTOR, test_ipi_interrupt);
	KT_EXPECT_EQ(t, apic_send_ipi_self(TEST_VECTOR), 0);
	KT_EXPECT_TRUE(t, wait_for_test_ipis(before + 1));
	KT_EXPECT_EQ(t, apic_error_count(), errors + 1);
	KT_EXPECT_TRUE(t, !isr_bit(APIC_ERROR_VECTOR));
	set_irq_handler(TEST_VECTOR, NULL);
}

/* An interrupt nobody claimed is EOI'd all the same by do_irq(). */
static void stray_interrupt_is_acknowledged(struct ktest *t)
{
	unsigned long strays = irq_count(TEST_STRAY_VECTOR);
	unsigned int before = this_cpu(test_ipis);

	SKIP_UNLESS_APIC_READY(t);
	pr_info("apic test: a deliberate unexpected interrupt on vector %#x follows\n",
		TEST_STRAY_VECTOR);
	KT_EXPECT_EQ(t, apic_send_ipi_self(TEST_STRAY_VECTOR), 0);
	set_irq_handler(TEST_VECTOR, test_ipi_interrupt);
	KT_EXPECT_EQ(t, apic_send_ipi_self(TEST_VECTOR), 0);
	KT_EXPECT_TRUE(t, wait_for_test_ipis(before + 1));
	KT_EXPECT_EQ(t, irq_count(TEST_STRAY_VECTOR), strays + 1);
	KT_EXPECT_TRUE(t, !isr_bit(TEST_STRAY_VECTOR));
	set_irq_handler(TEST_VECTOR, NULL);
}

/* Nothing above was an error for the APIC (an illegal vector, say). */
static void esr_is_clean(struct ktest *t)
{
	SKIP_UNLESS_APIC_READY(t);
	KT_EXPECT_EQ(t, read_esr(), 0);
}

KTEST_SUITE(apic, KTEST_CASE(boot_cpu_is_bsp),
	    KTEST_CASE(apic_id_matches_cpuid), KTEST_CASE(mode_matches_cpuid),
	    KTEST_CASE(mode_matches_cmdline), KTEST_CASE(registers_are_set_up),
	    KTEST_CASE(self_ipi_arrives), KTEST_CASE(ipi_to_own_id_arrives),
	    KTEST_CASE(ipi_waits_while_interrupts_off),
	    KTEST_CASE(allbutself_skips_self),
	    KTEST_CASE(error_interrupt_is_acknowledged),
	    KTEST_CASE(stray_interrupt_is_acknowledged),
	    KTEST_CASE(esr_is_clean));
