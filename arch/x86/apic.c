/*
 * The local APIC: mode choice, per-CPU set-up, EOI, IPIs and the error
 * interrupt, in xAPIC (MMIO) or x2APIC (MSR) mode. SDM Vol. 3A, chapter 11.
 */
#include <asm/apic.h>
#include <asm/cycles.h>
#include <asm/desc.h>
#include <asm/mm.h>
#include <asm/processor.h>
#include <asm/traps.h>
#include <errno.h>
#include <irq.h>
#include <page.h>
#include <panic.h>
#include <param.h>
#include <percpu.h>
#include <printk.h>

/* CPUID feature bits (SDM Vol. 2A, CPUID, tables 3-10 and 3-11). */
#define CPUID1_EDX_APIC	       (1U << 9)
#define CPUID1_ECX_X2APIC      (1U << 21)
#define CPUID1_ECX_TSCDEADLINE (1U << 24)
#define CPUID7_EDX_ARCH_CAP    (1U << 29) /* IA32_ARCH_CAPABILITIES exists */

/*
 * A CPU may be locked in x2APIC mode, which then cannot be left (SDM Vol.
 * 4, table 2-2: IA32_ARCH_CAPABILITIES bit 21 enumerates
 * IA32_XAPIC_DISABLE_STATUS, whose bit 0 says xAPIC mode is gone).
 */
#define MSR_IA32_ARCH_CAPABILITIES	0x10a
#define ARCH_CAP_XAPIC_DISABLE_STATUS	(1UL << 21)
#define MSR_IA32_XAPIC_DISABLE_STATUS	0xbd
#define XAPIC_DISABLE_STATUS_LEGACY_OFF (1UL << 0)

/* x2APIC registers are MSRs 0x800 + offset / 16 (SDM Vol. 3A, 11.12.1.2). */
#define MSR_X2APIC_BASE 0x800
#define X2APIC_MSR(reg) (MSR_X2APIC_BASE + ((reg) >> 4))

/* Interrupt command register (SDM Vol. 3A, 11.6.1 and 11.12.9). */
#define ICR_DELIVERY_PENDING  (1U << 12) /* xAPIC only */
#define ICR_LEVEL_ASSERT      (1U << 14)
#define ICR_DEST_SELF	      (1U << 18)
#define ICR_DEST_ALL_BUT_SELF (3U << 18)
#define XAPIC_ICR_DEST_SHIFT  24 /* in ICR_HIGH */
#define X2APIC_ICR_DEST_SHIFT 32
#define X2APIC_BROADCAST_ID   0xffffffffU

/*
 * STARTUP vectors 0xa0-0xbf are reserved (MultiProcessor Specification
 * 1.4, B.4.2): they would start CPUs in the VGA window.
 */
#define SIPI_VECTOR_RESERVED_LO 0xa0
#define SIPI_VECTOR_RESERVED_HI 0xbf

/* Version register (SDM Vol. 3A, 11.4.8, figure 11-7). */
#define VERSION_NUMBER(v)  ((v)&0xff)
#define VERSION_MAX_LVT(v) (((v) >> 16) & 0xff) /* LVT entries minus one */
/* LVT entries past the first four, in the order they were added (11.5.1). */
#define MAX_LVT_WITH_PERF    4
#define MAX_LVT_WITH_THERMAL 5
#define MAX_LVT_WITH_CMCI    6

/* The xAPIC ID sits in bits 31:24 of the ID register (SDM 11.4.6). */
#define XAPIC_ID_SHIFT 24

/*
 * How long the xAPIC ICR may stay busy. Real hardware delivers in well
 * under a microsecond; 10^8 TSC cycles is at least 20 ms on any TSC below
 * 5 GHz, long enough that only a wedged APIC bus reaches it.
 */
#define ICR_IDLE_TIMEOUT_CYCLES 100000000UL

/* Error reports printed in full before they are thinned out. */
#define ERROR_REPORTS_IN_FULL 10

/* An in-service bit can only be left over from firmware: bound the EOIs. */
#define STALE_ISR_MAX_EOIS 256

/* x2apic=off refuses x2APIC where it can (docs/command-line.md). */
static bool opt_x2apic = true;
boolean_param("x2apic", opt_x2apic);

/* Chosen once on the boot CPU, read-only afterwards. */
static enum apic_mode chosen_mode;
static bool apic_up;		/* apic_init_boot_cpu() has run */
static volatile u8 *xapic_mmio; /* the LAPIC page, xAPIC mode only */
static paddr_t xapic_phys;

static unsigned long error_count;
static bool icr_stuck_reported;

/* ------------------------------------------------------------------------
 * Register access
 */

static inline u32 xapic_read(unsigned int reg)
{
	return *(volatile u32 *)(xapic_mmio + reg);
}

static inline void xapic_write(unsigned int reg, u32 val)
{
	*(volatile u32 *)(xapic_mmio + reg) = val;
}

/*
 * Whether an xAPIC register has an x2APIC MSR for this access (SDM Vol.
 * 3A, 11.12.1.2, table 11-6). APR, RRD, DFR and ICR_HIGH have none; a
 * RDMSR or WRMSR the table does not allow raises #GP.
 */
static bool x2apic_access_ok(unsigned int reg, bool write)
{
	if (reg & 0xf)
		return false;
	switch (reg) {
	case APIC_ID:
	case APIC_VERSION:
	case APIC_PPR:
	case APIC_LDR: /* derived from the x2APIC ID (11.12.10.2) */
	case APIC_ISR ... APIC_IRR + 0x70:
	case APIC_TIMER_CCR:
		return !write;
	case APIC_EOI:
	case APIC_SELF_IPI:
		return write;
	case APIC_ICR_LOW:
		/* A 32-bit write would clear the destination (bits 63:32). */
		return !write;
	case APIC_TPR:
	case APIC_SVR:
	case APIC_ESR:
	case APIC_LVT_CMCI:
	case APIC_LVT_TIMER ... APIC_LVT_ERROR:
	case APIC_TIMER_ICR:
	case APIC_TIMER_DCR:
		return true;
	default:
		return false;
	}
}

u32 apic_read(unsigned int reg)
{
	ASSERT(apic_up);
	if (chosen_mode == APIC_MODE_X2APIC) {
		ASSERT(x2apic_access_ok(reg, false));
		return (u32)rdmsr(X2APIC_MSR(reg));
	}
	ASSERT(reg < APIC_SELF_IPI && (reg & 0xf) == 0);
	return xapic_read(reg);
}

void apic_write(unsigned int reg, u32 val)
{
	ASSERT(apic_up);
	if (chosen_mode == APIC_MODE_X2APIC) {
		ASSERT(x2apic_access_ok(reg, true));
		wrmsr(X2APIC_MSR(reg), val);
		return;
	}
	ASSERT(reg < APIC_SELF_IPI && (reg & 0xf) == 0);
	xapic_write(reg, val);
}

bool apic_ready(void)
{
	return READ_ONCE(apic_up);
}

enum apic_mode apic_mode(void)
{
	ASSERT(apic_up);
	return chosen_mode;
}

u32 apic_id(void)
{
	if (apic_mode() == APIC_MODE_X2APIC)
		return (u32)rdmsr(X2APIC_MSR(APIC_ID));
	return xapic_read(APIC_ID) >> XAPIC_ID_SHIFT;
}

bool apic_is_bsp(void)
{
	return rdmsr(MSR_IA32_APIC_BASE) & APIC_BASE_BSP;
}

void apic_eoi(void)
{
	/* Only 0 may be written in x2APIC mode (SDM Vol. 3A, 11.12.1.2). */
	if (chosen_mode == APIC_MODE_X2APIC)
		wrmsr(X2APIC_MSR(APIC_EOI), 0);
	else
		xapic_write(APIC_EOI, 0);
}

static bool vector_in_service(u8 vector)
{
	/* Bit vector % 32 of ISR register vector / 32 (SDM 11.8.4). */
	return apic_read(APIC_ISR + (vector / 32) * 0x10) &
	       (1U << (vector % 32));
}

bool apic_eoi_if_in_service(u8 vector)
{
	if (!apic_ready() || !vector_in_service(vector))
		return false;
	apic_eoi();
	return true;
}

/* ------------------------------------------------------------------------
 * Interprocessor interrupts
 */

/* Spins until the xAPIC has sent the last IPI; false if it never does. */
static bool xapic_icr_wait_idle(void)
{
	u64 start = get_cycles();

	while (xapic_read(APIC_ICR_LOW) & ICR_DELIVERY_PENDING) {
		if (get_cycles() - start > ICR_IDLE_TIMEOUT_CYCLES) {
			if (!__atomic_exchange_n(&icr_stuck_reported, true,
						 __ATOMIC_RELAXED))
				pr_err("APIC: ICR still busy after %lu cycles on CPU %u; IPI not sent (reported once)\n",
				       ICR_IDLE_TIMEOUT_CYCLES,
				       smp_processor_id());
			return false;
		}
		cpu_relax();
	}
	return true;
}

/*
 * The xAPIC ICR takes two writes, destination first, and the write of the
 * low half sends (SDM Vol. 3A, 11.6.1). A sender that interrupts another
 * on this CPU (an IRQ handler, or an NMI, which no cli keeps out) between
 * the two writes would leave its own destination behind; so every sender
 * restores ICR_HIGH to what it found, and the interrupted one's low write
 * still goes where it meant. Waiting for idle before the write keeps an
 * interrupted sender's IPI from being overwritten while in flight; waiting
 * after it makes the return value say whether this IPI left.
 */
static int xapic_icr_send(u32 dest, u32 low)
{
	u32 saved_high;
	int rc = 0;

	if (!xapic_icr_wait_idle())
		return -EBUSY;
	saved_high = xapic_read(APIC_ICR_HIGH);
	xapic_write(APIC_ICR_HIGH, dest << XAPIC_ICR_DEST_SHIFT);
	xapic_write(APIC_ICR_LOW, low);
	if (!xapic_icr_wait_idle())
		rc = -EBUSY;
	xapic_write(APIC_ICR_HIGH, saved_high);
	return rc;
}

/*
 * In x2APIC mode one WRMSR hands the whole message, destination included,
 * to the LAPIC (SDM Vol. 3A, 11.12.9). Nothing is half-written for another
 * sender to disturb, and the SDM removed the delivery-status bit as not
 * needed: the LAPIC takes care of getting the message out, so there is
 * nothing to poll or wait for. That WRMSR is not serializing, though, and
 * may complete before earlier stores are visible to other CPUs (11.12.3):
 * the fence makes sure that what the receiver reads was written first.
 */
static void x2apic_icr_send(u32 dest, u32 low)
{
	__asm__ __volatile__("mfence; lfence" ::: "memory");
	wrmsr(X2APIC_MSR(APIC_ICR_LOW),
	      ((u64)dest << X2APIC_ICR_DEST_SHIFT) | low);
}

static int icr_send(u32 dest, u32 low)
{
	if (apic_mode() == APIC_MODE_X2APIC) {
		x2apic_icr_send(dest, low);
		return 0;
	}
	return xapic_icr_send(dest, low);
}

int apic_send_ipi(u32 dest, enum apic_delivery dm, u8 vector)
{
	u32 low = dm | ICR_LEVEL_ASSERT;

	switch (dm) {
	case APIC_DM_FIXED:
		/* 0-15 are illegal, 16-31 belong to exceptions (11.5.2). */
		ASSERT(vector >= NR_EXCEPTIONS);
		low |= vector;
		break;
	case APIC_DM_STARTUP:
		ASSERT(vector < SIPI_VECTOR_RESERVED_LO ||
		       vector > SIPI_VECTOR_RESERVED_HI);
		low |= vector;
		break;
	case APIC_DM_NMI:
	case APIC_DM_INIT:
		break;
	default:
		ASSERT(!"unknown delivery mode");
	}
	if (apic_mode() == APIC_MODE_X2APIC ? dest == X2APIC_BROADCAST_ID
					    : dest > XAPIC_MAX_ID)
		return -EINVAL;
	return icr_send(dest, low);
}

int apic_send_ipi_allbutself(u8 vector)
{
	ASSERT(vector >= NR_EXCEPTIONS);
	return icr_send(0, APIC_DM_FIXED | ICR_LEVEL_ASSERT |
				   ICR_DEST_ALL_BUT_SELF | vector);
}

int apic_send_ipi_self(u8 vector)
{
	ASSERT(vector >= NR_EXCEPTIONS);
	if (apic_mode() == APIC_MODE_X2APIC) {
		/*
		 * The SELF IPI register: a fixed, edge, self-directed IPI in
		 * one write (SDM Vol. 3A, 11.12.11). No fence: the handler
		 * runs on this CPU, which sees its own stores in order.
		 */
		wrmsr(X2APIC_MSR(APIC_SELF_IPI), vector);
		return 0;
	}
	return xapic_icr_send(0, APIC_DM_FIXED | ICR_LEVEL_ASSERT |
					 ICR_DEST_SELF | vector);
}

/* ------------------------------------------------------------------------
 * The error interrupt
 */

/* ESR bits (SDM Vol. 3A, 11.5.3, figure 11-9); 0-1: Pentium, P6 only */
static const char *const esr_bit_names[8] = {
	[0] = "send checksum",
	[1] = "receive checksum",
	[2] = "send accept",
	[3] = "receive accept",
	[4] = "redirectable IPI",
	[5] = "send illegal vector",
	[6] = "receive illegal vector",
	[7] = "illegal register address",
};

/*
 * Writing the ESR latches the errors seen since the last write into it and
 * clears the older ones; only then does a read return them (SDM Vol. 3A,
 * 11.5.3). Only 0 may be written in x2APIC mode.
 */
static u32 read_esr(void)
{
	apic_write(APIC_ESR, 0);
	return apic_read(APIC_ESR);
}

static void describe_esr(u32 esr, char *buf, size_t size)
{
	size_t len = 0;
	unsigned int bit;

	buf[0] = '\0';
	for (bit = 0; bit < ARRAY_SIZE(esr_bit_names) && len < size; bit++)
		if (esr & (1U << bit))
			len += snprintf(buf + len, size - len, "%s%s",
					len ? ", " : "", esr_bit_names[bit]);
	if (len == 0)
		snprintf(buf, size, "no error latched");
}

/*
 * Counts every error interrupt; prints the first few and then only every
 * power-of-two count, so that a stuck error source cannot flood the
 * console (there is no clock to rate-limit by yet).
 */
static void apic_error_interrupt(struct cpu_user_regs *regs)
{
	u32 esr = read_esr();
	unsigned long n = __atomic_add_fetch(&error_count, 1, __ATOMIC_RELAXED);
	char what[128];

	if (n <= ERROR_REPORTS_IN_FULL || (n & (n - 1)) == 0) {
		describe_esr(esr, what, sizeof(what));
		pr_warn("APIC error on CPU %u (APIC ID %u): ESR %#x (%s); %lu so far\n",
			smp_processor_id(), apic_id(), esr, what, n);
	}
	apic_eoi();
}

unsigned long apic_error_count(void)
{
	return __atomic_load_n(&error_count, __ATOMIC_RELAXED);
}

/* ------------------------------------------------------------------------
 * Mode choice and set-up
 */

/*
 * Puts this CPU's LAPIC into chosen_mode through the transitions the SDM
 * allows (Vol. 3A, 11.12.5.1): disabled -> xAPIC -> x2APIC,
 * and x2APIC -> disabled -> xAPIC; x2APIC -> xAPIC directly raises #GP.
 * Leaving x2APIC resets every register but the ID, which set_up_registers()
 * programs anyway.
 */
static void enter_chosen_mode(void)
{
	u64 base = rdmsr(MSR_IA32_APIC_BASE);

	if (chosen_mode == APIC_MODE_XAPIC && (base & APIC_BASE_EXTD)) {
		base &= ~(APIC_BASE_ENABLE | APIC_BASE_EXTD);
		wrmsr(MSR_IA32_APIC_BASE, base);
	}
	if (!(base & APIC_BASE_ENABLE)) {
		base |= APIC_BASE_ENABLE;
		wrmsr(MSR_IA32_APIC_BASE, base);
	}
	if (chosen_mode == APIC_MODE_X2APIC && !(base & APIC_BASE_EXTD)) {
		base |= APIC_BASE_EXTD;
		wrmsr(MSR_IA32_APIC_BASE, base);
	}
	/* Every CPU's LAPIC must answer at the one address we mapped (11.4.5). */
	if (chosen_mode == APIC_MODE_XAPIC &&
	    (base & APIC_BASE_ADDR_MASK) != xapic_phys) {
		base = (base & ~APIC_BASE_ADDR_MASK) | xapic_phys;
		wrmsr(MSR_IA32_APIC_BASE, base);
	}
}

/* True if this CPU cannot leave x2APIC mode (MSR_IA32_XAPIC_DISABLE_STATUS). */
static bool __init x2apic_locked(void)
{
	struct cpuid_regs r;

	cpuid(0, &r);
	if (r.eax < 7)
		return false;
	cpuid_count(7, 0, &r);
	if (!(r.edx & CPUID7_EDX_ARCH_CAP) ||
	    !(rdmsr(MSR_IA32_ARCH_CAPABILITIES) &
	      ARCH_CAP_XAPIC_DISABLE_STATUS))
		return false;
	return rdmsr(MSR_IA32_XAPIC_DISABLE_STATUS) &
	       XAPIC_DISABLE_STATUS_LEGACY_OFF;
}

/*
 * Decides the mode on the boot CPU; *why is a note for the boot log ("" if
 * there is nothing to explain).
 */
static enum apic_mode __init choose_mode(const char **why)
{
	u64 base = rdmsr(MSR_IA32_APIC_BASE);
	struct cpuid_regs r;
	u32 id;

	cpuid(1, &r);
	*why = "";
	if (base & APIC_BASE_EXTD) {
		if (opt_x2apic)
			return APIC_MODE_X2APIC;
		if (x2apic_locked()) {
			*why = " (x2apic=off ignored: the CPU is locked in x2APIC mode)";
			return APIC_MODE_X2APIC;
		}
		/*
		 * Going back keeps only the low 8 bits of the x2APIC ID as the
		 * xAPIC ID (11.12.5.1): a larger ID would alias another CPU's.
		 */
		id = (u32)rdmsr(X2APIC_MSR(APIC_ID));
		if (id > XAPIC_MAX_ID) {
			*why = " (x2apic=off ignored: the firmware enabled x2APIC and the boot CPU's APIC ID does not fit xAPIC)";
			return APIC_MODE_X2APIC;
		}
		*why = " (the firmware enabled x2APIC; left for x2apic=off)";
		return APIC_MODE_XAPIC;
	}
	if (!(r.ecx & CPUID1_ECX_X2APIC)) {
		*why = " (the CPU has no x2APIC)";
		return APIC_MODE_XAPIC;
	}
	if (!opt_x2apic) {
		*why = " (x2APIC refused by x2apic=off)";
		return APIC_MODE_XAPIC;
	}
	return APIC_MODE_X2APIC;
}

/* Sets the registers the same way on every CPU; interrupts off. */
static void set_up_registers(void)
{
	unsigned int max_lvt = VERSION_MAX_LVT(apic_read(APIC_VERSION));
	unsigned int eois = 0;
	u32 esr;
	int i;

	/*
	 * Software-enable first: while disabled, the LVT mask bits stay set
	 * whatever we write (SDM Vol. 3A, 11.4.7.2), and the error LVT must
	 * not be masked. Nothing fires meanwhile: IF is clear, the PIC is
	 * masked, and the LVTs below are masked before IF is set.
	 */
	apic_write(APIC_SVR, APIC_SVR_ENABLED | SPURIOUS_VECTOR);
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED); /* issue 4 arms it */
	apic_write(APIC_LVT_LINT0, APIC_LVT_MASKED);
	apic_write(APIC_LVT_LINT1, APIC_LVT_MASKED);
	if (max_lvt >= MAX_LVT_WITH_PERF)
		apic_write(APIC_LVT_PERF, APIC_LVT_MASKED);
	if (max_lvt >= MAX_LVT_WITH_THERMAL)
		apic_write(APIC_LVT_THERMAL, APIC_LVT_MASKED);
	if (max_lvt >= MAX_LVT_WITH_CMCI)
		apic_write(APIC_LVT_CMCI, APIC_LVT_MASKED);
	apic_write(APIC_LVT_ERROR, APIC_ERROR_VECTOR); /* fixed, unmasked */

	esr = read_esr();
	if (esr)
		pr_info("APIC: CPU %u: ESR %#x left from before, cleared\n",
			smp_processor_id(), esr);
	apic_write(APIC_TPR, 0); /* accept every priority class (11.8.3.1) */

	/*
	 * An interrupt the firmware took but never EOI'd would block its
	 * priority class and every lower one for good (11.8.4): EOI it.
	 */
	for (i = 7; i >= 0 && eois < STALE_ISR_MAX_EOIS; i--) {
		while (apic_read(APIC_ISR + i * 0x10) &&
		       eois < STALE_ISR_MAX_EOIS) {
			apic_eoi();
			eois++;
		}
	}
	if (eois)
		pr_info("APIC: CPU %u: %u interrupts left in service, EOI'd\n",
			smp_processor_id(), eois);
}

/* The CPU features issue 4 cares about, next to the mode, at debug level. */
static void __init report_firmware_state(u64 fw_base)
{
	const char *state = "xAPIC";
	struct cpuid_regs r;

	if (!(fw_base & APIC_BASE_ENABLE))
		state = "disabled";
	else if (fw_base & APIC_BASE_EXTD)
		state = "x2APIC";
	cpuid(1, &r);
	pr_debug(
		"APIC: firmware left IA32_APIC_BASE %#lx (%s); CPUID: x2APIC %s, TSC-deadline %s\n",
		fw_base, state, r.ecx & CPUID1_ECX_X2APIC ? "yes" : "no",
		r.ecx & CPUID1_ECX_TSCDEADLINE ? "yes" : "no");
}

void __init apic_init_boot_cpu(void)
{
	u64 fw_base = rdmsr(MSR_IA32_APIC_BASE);
	struct cpuid_regs r;
	const char *why;
	u32 version;

	ASSERT(!local_irq_is_enabled());
	ASSERT(!apic_up);
	report_firmware_state(fw_base);

	/*
	 * A globally disabled LAPIC also hides CPUID.1:EDX.APIC (11.4.3), so
	 * ask CPUID only once it is on. IA32_APIC_BASE itself exists on
	 * every 64-bit CPU.
	 */
	if (!(fw_base & APIC_BASE_ENABLE))
		wrmsr(MSR_IA32_APIC_BASE, fw_base | APIC_BASE_ENABLE);
	cpuid(1, &r);
	if (!(r.edx & CPUID1_EDX_APIC))
		panic("APIC: this CPU has no local APIC; Kairos needs one");

	chosen_mode = choose_mode(&why);
	if (chosen_mode == APIC_MODE_XAPIC) {
		xapic_phys = rdmsr(MSR_IA32_APIC_BASE) & APIC_BASE_ADDR_MASK;
		xapic_mmio = ioremap(xapic_phys, PAGE_SIZE);
		if (!xapic_mmio)
			panic("APIC: cannot map the xAPIC page at %#lx",
			      xapic_phys);
	}
	enter_chosen_mode();
	apic_up = true;

	set_irq_handler(APIC_ERROR_VECTOR, apic_error_interrupt);
	set_up_registers();

	version = apic_read(APIC_VERSION);
	if (chosen_mode == APIC_MODE_X2APIC)
		pr_info("APIC: x2APIC mode, boot CPU APIC ID %u, version %#x, %u LVT entries%s\n",
			apic_id(), VERSION_NUMBER(version),
			VERSION_MAX_LVT(version) + 1, why);
	else
		pr_info("APIC: xAPIC mode at %#lx, boot CPU APIC ID %u, version %#x, %u LVT entries%s\n",
			xapic_phys, apic_id(), VERSION_NUMBER(version),
			VERSION_MAX_LVT(version) + 1, why);
	ASSERT(apic_is_bsp());
}

void apic_init_secondary(void)
{
	ASSERT(!local_irq_is_enabled());
	ASSERT(apic_up);
	enter_chosen_mode();
	set_up_registers();
}
