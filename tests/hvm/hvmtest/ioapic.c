/*
 * ioapic: the MADT's first I/O APIC as an OS programs it (Intel 82093AA
 * datasheet, 3.0; the EOI register of version 0x20), in each LAPIC mode
 * the run covers: the ID, version and arbitration registers, redirection
 * entries read back with their read-only bits, accesses a driver never
 * makes (they change nothing), and COM1's interrupt through the pin the
 * MADT maps ISA IRQ 4 to: the THR empty interrupt (raised by IER.ETBEI
 * going from 0 to 1) delivered at the programmed vector to each vCPU in
 * turn, fixed, lowest priority, logical, broadcast and NMI; none through
 * a masked pin nor with MCR.OUT2 clear; and a level-triggered pin's
 * remote IRR, held until the EOI and cleared by it, by the EOI register,
 * with the interrupt delivered again while the line stays asserted.
 *
 * COM1 is the console: each case holds it and restores it (no interrupt
 * enabled, DTR and RTS, OUT2 clear) and the pin (as it found it) before
 * it reports anything, so that nothing it prints raises the interrupt.
 */
#include "acpi.h"
#include "console.h"
#include "hvmtest.h"
#include "ioapic.h"
#include "lapic.h"
#include "smp.h"
#include "time.h"
#include "traps.h"

#define VECTOR_UART	 0x74
#define COM1_IRQ	 4
#define PC_IOAPIC_BASE	 0xfec00000ULL
#define DELIVERY_WAIT_NS (1000 * NSEC_PER_MSEC) /* an upper bound, not a wait */
#define QUIET_NS	 (5 * NSEC_PER_MSEC)	/* watched for "nothing came" */

#define UART_IER   1
#define UART_MCR   4
#define IER_ETBEI  0x02
#define MCR_NORMAL 0x03 /* DTR, RTS */
#define MCR_OUT2   0x08
#define MCR_LOOP   0x10

/* What the handler saw: any CPU may take the interrupt. */
static volatile u32 taken;	   /* interrupts on VECTOR_UART */
static volatile u32 taken_slots;   /* by slot: the CPUs that took one */
static volatile u32 taken_apic_id; /* the last one's CPU */
static volatile bool defer_eoi;	   /* the test sends the EOI itself */

static void uart_handler(struct trap_frame *f)
{
	__atomic_fetch_or(&taken_slots, 1U << this_slot(), __ATOMIC_SEQ_CST);
	WRITE_ONCE(taken_apic_id, this_cpu()->apic_id);
	atomic_inc_return(&taken);
	if (!defer_eoi)
		lapic_eoi();
}

static void handler_on(bool test_eois)
{
	taken = 0;
	taken_slots = 0;
	taken_apic_id = ~0U;
	defer_eoi = test_eois;
	set_irq_handler(VECTOR_UART, uart_handler);
}

static void handler_off(void)
{
	set_irq_handler(VECTOR_UART, NULL);
	defer_eoi = false;
}

/* Waits until *count reaches n or ns pass; returns *count. */
static u32 wait_count(volatile u32 *count, u32 n, u64 ns)
{
	u64 start = rdtsc_ordered();

	while (READ_ONCE(*count) < n && rdtsc_ordered() - start < ns_to_tsc(ns))
		cpu_relax();
	return READ_ONCE(*count);
}

static bool need_ioapic(struct test *t)
{
	if (ioapic_base())
		return true;
	test_skip(t, "no I/O APIC in the MADT");
	return false;
}

/*
 * COM1's pin: the GSI the MADT maps ISA IRQ 4 to (an override, else 4),
 * as an input of the first I/O APIC; *polarity the entry's polarity bit
 * for what the MADT says.
 */
static bool com1_pin(struct test *t, unsigned int *pin, u64 *polarity)
{
	u16 flags;
	u32 gsi = acpi_isa_irq_gsi(COM1_IRQ, &flags);

	if (!need_ioapic(t) ||
	    !CHECK(t,
		   gsi >= acpi.ioapic_gsi_base &&
			   gsi - acpi.ioapic_gsi_base < ioapic_nr_pins(),
		   "ISA IRQ 4 is GSI %u, no input of the I/O APIC (GSI %u on)",
		   gsi, acpi.ioapic_gsi_base))
		return false;
	*pin = gsi - acpi.ioapic_gsi_base;
	*polarity = (flags & ACPI_MPS_POLARITY_MASK) == ACPI_MPS_ACTIVE_LOW
			    ? RTE_ACTIVE_LOW
			    : 0;
	return true;
}

/* Holds the console with COM1 quiet: no interrupt enabled, MCR = mcr. */
static void uart_hold(u8 mcr)
{
	console_lock();
	console_flush();
	outb(COM1_BASE + UART_IER, 0);
	outb(COM1_BASE + UART_MCR, mcr);
}

static void uart_release(void)
{
	outb(COM1_BASE + UART_IER, 0);
	outb(COM1_BASE + UART_MCR, MCR_NORMAL);
	console_unlock();
}

/* COM1's THR empty interrupt, pending from now: ETBEI from 0 to 1. */
static void raise_thre(void)
{
	outb(COM1_BASE + UART_IER, 0);
	outb(COM1_BASE + UART_IER, IER_ETBEI);
}

/* ------------------------------------------------------------------ */
/* Registers                                                           */

static void madt_entry(struct test *t)
{
	u32 id;

	if (!need_ioapic(t))
		return;
	id = (ioapic_read(IOAPIC_REG_ID) >> 24) & 0xf;
	test_diag(
		t,
		"%u I/O APIC(s); the first ID %u at %#lx from GSI %u; %u overrides",
		acpi.nr_ioapics, acpi.ioapic_id,
		(unsigned long)acpi.ioapic_address, acpi.ioapic_gsi_base,
		acpi.nr_overrides);
	CHECK(t, acpi.ioapic_address == PC_IOAPIC_BASE,
	      "I/O APIC at %#lx, a PC's is at 0xfec00000",
	      (unsigned long)acpi.ioapic_address);
	CHECK(t, acpi.ioapic_gsi_base == 0,
	      "the first I/O APIC's GSIs start at %u, not 0",
	      acpi.ioapic_gsi_base);
	CHECK(t, id == (acpi.ioapic_id & 0xf), "ID register %u, the MADT's %u",
	      id, acpi.ioapic_id);
}

static void version(struct test *t)
{
	u32 v, after;

	if (!need_ioapic(t))
		return;
	v = ioapic_read(IOAPIC_REG_VER);
	ioapic_write(IOAPIC_REG_VER, ~v);
	after = ioapic_read(IOAPIC_REG_VER);
	test_diag(t,
		  "version register %#x: version %#x, %u redirection entries",
		  v, v & 0xff, ((v >> 16) & 0xff) + 1);
	CHECK(t, (v & 0xff) == 0x11 || (v & 0xff) == 0x20,
	      "version %#x: neither the 82093AA's 0x11 nor 0x20", v & 0xff);
	CHECK(t, ((v >> 16) & 0xff) + 1 == 24,
	      "%u redirection entries, a PC's I/O APIC has 24",
	      ((v >> 16) & 0xff) + 1);
	CHECK(t, after == v, "a write changed the version register to %#x",
	      after);
}

/* The ID's 4 bits are writable; arbitration follows it; IOREGSEL reads back. */
static void id_and_arbitration(struct test *t)
{
	u32 saved, id, other, got, arb, arb_after, sel, sel8;

	if (!need_ioapic(t))
		return;
	saved = ioapic_read(IOAPIC_REG_ID);
	id = (saved >> 24) & 0xf;
	other = id ^ 0x5;
	ioapic_write(IOAPIC_REG_ID, other << 24 | 0xf0ffffff);
	got = ioapic_read(IOAPIC_REG_ID);
	arb = ioapic_read(IOAPIC_REG_ARB);
	ioapic_write(IOAPIC_REG_ARB, 0);
	arb_after = ioapic_read(IOAPIC_REG_ARB);
	ioapic_write(IOAPIC_REG_ID, saved);
	mmio_write32(ioapic_base() + IOAPIC_IOREGSEL, 0x12);
	sel = mmio_read32(ioapic_base() + IOAPIC_IOREGSEL);
	sel8 = mmio_read8(ioapic_base() + IOAPIC_IOREGSEL);
	CHECK(t, got == other << 24,
	      "wrote ID %u with the reserved bits set: read %#x", other, got);
	CHECK(t, ((arb >> 24) & 0xf) == other,
	      "arbitration ID %u after the ID was set to %u", (arb >> 24) & 0xf,
	      other);
	CHECK(t, arb_after == arb, "a write changed the arbitration register");
	CHECK(t, ((ioapic_read(IOAPIC_REG_ID) >> 24) & 0xf) == id,
	      "ID %u after restoring %u",
	      (ioapic_read(IOAPIC_REG_ID) >> 24) & 0xf, id);
	CHECK(t, (sel & 0xff) == 0x12 && sel8 == 0x12,
	      "IOREGSEL reads %#x (a byte: %#x), wrote 0x12", sel, sel8);
}

/* Every field a driver sets reads back; delivery status, remote IRR stay 0. */
static void redirection_readback(struct test *t)
{
	const u64 a = RTE_MASKED | RTE_LEVEL | RTE_ACTIVE_LOW | RTE_LOGICAL |
		      RTE_LOWEST | 0x5a | RTE_DEST(0xa5);
	const u64 b = RTE_MASKED | RTE_NMI | 0xa5 | RTE_DEST(0x5a);
	const u64 ro = RTE_DELIVS | RTE_REMOTE_IRR;
	unsigned int pins[2], i, pin;
	u64 polarity, saved, got_a, got_b;

	if (!com1_pin(t, &pins[0], &polarity))
		return;
	pins[1] = ioapic_nr_pins() - 1;
	for (i = 0; i < ARRAY_SIZE(pins); i++) {
		pin = pins[i];
		saved = ioapic_read_rte(pin);
		ioapic_write_rte(pin, a | ro);
		got_a = ioapic_read_rte(pin);
		ioapic_write_rte(pin, b | ro);
		got_b = ioapic_read_rte(pin);
		ioapic_write_rte(pin, saved);
		CHECK(t, got_a == a, "pin %u: wrote %#lx (and %#lx), read %#lx",
		      pin, (unsigned long)a, (unsigned long)ro,
		      (unsigned long)got_a);
		CHECK(t, got_b == b, "pin %u: wrote %#lx (and %#lx), read %#lx",
		      pin, (unsigned long)b, (unsigned long)ro,
		      (unsigned long)got_b);
	}
}

/*
 * What a driver never does changes nothing: IOWIN written a byte or a
 * word at a time, register indices without a register (they read 0),
 * reads of the EOI register and of the page's unused offsets (0).
 */
static void bad_accesses(struct test *t)
{
	static const u8 no_register[] = {0x03, 0x0f, 0x40, 0x41, 0x80, 0xff};
	u64 table[32], entry = RTE_MASKED | 0x33, saved;
	unsigned int pins, pin, i, changed = 0, nonzero = 0;
	u8 low = IOAPIC_REG_REDIR, iowin8;
	u64 base;
	u32 eoi, unused;

	if (!need_ioapic(t))
		return;
	base = ioapic_base();
	pins = ioapic_nr_pins();
	pin = pins - 1;
	low += (u8)(2 * pin);
	saved = ioapic_read_rte(pin);
	ioapic_write_rte(pin, entry);
	for (i = 0; i < pins && i < ARRAY_SIZE(table); i++)
		table[i] = ioapic_read_rte(i);
	mmio_write32(base + IOAPIC_IOREGSEL, low);
	mmio_write8(base + IOAPIC_IOWIN, 0x44);
	mmio_write16(base + IOAPIC_IOWIN, 0x4444);
	iowin8 = mmio_read8(base + IOAPIC_IOWIN);
	for (i = 0; i < ARRAY_SIZE(no_register); i++) {
		ioapic_write(no_register[i], 0xffffffff);
		nonzero += ioapic_read(no_register[i]) != 0;
	}
	eoi = mmio_read32(base + IOAPIC_EOI);
	unused = mmio_read32(base + 0x20);
	for (i = 0; i < pins && i < ARRAY_SIZE(table); i++)
		changed += ioapic_read_rte(i) != table[i];
	ioapic_write_rte(pin, saved);
	CHECK(t, changed == 0,
	      "%u redirection entries changed (byte and word writes of IOWIN, writes of registers that do not exist)",
	      changed);
	CHECK(t, nonzero == 0,
	      "%u register indices without a register read non-zero", nonzero);
	CHECK(t, iowin8 == 0 || iowin8 == 0x33,
	      "a byte read of IOWIN gave %#x (entry %#lx)", iowin8,
	      (unsigned long)entry);
	CHECK(t, eoi == 0 && unused == 0,
	      "the EOI register reads %#x, offset 0x20 %#x", eoi, unused);
}

/* ------------------------------------------------------------------ */
/* COM1's interrupt                                                    */

struct delivery {
	u32 count;   /* interrupts (or NMIs) taken */
	u32 slots;   /* the CPUs that took them, by slot */
	u32 apic_id; /* the last one's */
};

/*
 * Programs pin with rte (unmasked), raises COM1's THR empty interrupt
 * once with MCR = mcr, and counts what arrives on *counter: until want
 * came (or DELIVERY_WAIT_NS passed), then for QUIET_NS more. The pin
 * is left as it was, the UART quiet.
 */
static struct delivery raise_once(unsigned int pin, u64 rte, u8 mcr,
				  volatile u32 *counter, u32 want)
{
	u64 saved = ioapic_read_rte(pin);
	struct delivery d;

	uart_hold(mcr);
	ioapic_write_rte(pin, rte);
	raise_thre();
	wait_count(counter, want, DELIVERY_WAIT_NS);
	delay_ns(QUIET_NS);
	ioapic_write_rte(pin, saved | RTE_MASKED);
	d = (struct delivery){.count = READ_ONCE(*counter),
			      .slots = taken_slots,
			      .apic_id = taken_apic_id};
	uart_release();
	ioapic_write_rte(pin, saved);
	return d;
}

/* Fixed, physical, edge: one interrupt at the vector, on each vCPU. */
static void thre_each_cpu(struct test *t)
{
	unsigned int pin, slot;
	u64 polarity;

	if (!com1_pin(t, &pin, &polarity))
		return;
	for (slot = 0; slot < nr_cpus_online; slot++) {
		u32 apic_id = cpus[slot].apic_id;
		struct delivery d;

		if (apic_id >= 0xff) {
			test_diag(
				t,
				"APIC ID %u is beyond a redirection entry's 8 bits",
				apic_id);
			continue;
		}
		handler_on(false);
		d = raise_once(pin,
			       RTE_FIXED | polarity | VECTOR_UART |
				       RTE_DEST(apic_id),
			       MCR_NORMAL | MCR_OUT2, &taken, 1);
		handler_off();
		if (!CHECK(t, d.count == 1 && d.apic_id == apic_id,
			   "to APIC ID %u (pin %u, vector %#x): %u interrupts, the last on APIC ID %d",
			   apic_id, pin, VECTOR_UART, d.count, (int)d.apic_id))
			break;
	}
	test_diag(t, "COM1 (ISA IRQ 4) is pin %u; THR empty taken on %u vCPUs",
		  pin, slot);
}

/* Lowest priority to one vCPU (physical): that one takes it. */
static void lowest_priority(struct test *t)
{
	unsigned int pin;
	u32 apic_id = cpus[nr_cpus_online - 1].apic_id;
	struct delivery d;
	u64 polarity;

	if (!com1_pin(t, &pin, &polarity))
		return;
	handler_on(false);
	d = raise_once(pin,
		       RTE_LOWEST | polarity | VECTOR_UART | RTE_DEST(apic_id),
		       MCR_NORMAL | MCR_OUT2, &taken, 1);
	handler_off();
	CHECK(t, d.count == 1 && d.apic_id == apic_id,
	      "lowest priority to APIC ID %u: %u interrupts, the last on APIC ID %d",
	      apic_id, d.count, (int)d.apic_id);
}

/* xAPIC: a flat logical destination names the LDR's bit, broadcast all. */
static void logical_and_broadcast(struct test *t)
{
	u32 all = nr_cpus_online >= 32 ? ~0U : (1U << nr_cpus_online) - 1;
	struct delivery logical, broadcast;
	unsigned int pin;
	u64 polarity;
	u32 ldr, dfr;

	if (t->mode != LAPIC_XAPIC) {
		test_skip(t, "xAPIC mode only (an xAPIC-format destination)");
		return;
	}
	if (!com1_pin(t, &pin, &polarity))
		return;
	ldr = lapic_read(APIC_LDR);
	dfr = lapic_read(APIC_DFR);
	lapic_write(APIC_DFR, 0xffffffff); /* the flat model */
	lapic_write(APIC_LDR, 1U << 24); /* logical ID bit 0; the APs' are 0 */
	handler_on(false);
	logical = raise_once(pin,
			     RTE_FIXED | RTE_LOGICAL | polarity | VECTOR_UART |
				     RTE_DEST(0x01),
			     MCR_NORMAL | MCR_OUT2, &taken, 1);
	lapic_write(APIC_LDR, ldr);
	lapic_write(APIC_DFR, dfr);
	handler_on(false);
	broadcast = raise_once(
		pin, RTE_FIXED | polarity | VECTOR_UART | RTE_DEST(0xff),
		MCR_NORMAL | MCR_OUT2, &taken, nr_cpus_online);
	handler_off();
	CHECK(t, logical.count == 1 && logical.slots == 1,
	      "logical destination 0x01 (the boot CPU's LDR): %u interrupts, CPUs %#x",
	      logical.count, logical.slots);
	CHECK(t, broadcast.count == nr_cpus_online && broadcast.slots == all,
	      "physical destination 0xff: %u interrupts on CPUs %#x, %u CPUs online",
	      broadcast.count, broadcast.slots, nr_cpus_online);
}

static void nmi(struct test *t)
{
	u32 apic_id = cpus[0].apic_id;
	volatile u32 *count = &nmi_count;
	struct delivery d;
	unsigned int pin;
	u64 polarity;
	u32 before;

	if (!com1_pin(t, &pin, &polarity))
		return;
	handler_on(false);
	nmi_allowed = true;
	before = nmi_count;
	d = raise_once(pin, RTE_NMI | polarity | RTE_DEST(apic_id),
		       MCR_NORMAL | MCR_OUT2, count, before + 1);
	nmi_allowed = false;
	handler_off();
	CHECK(t, d.count - before == 1 && taken == 0,
	      "delivery mode NMI: %u NMIs, %u interrupts", d.count - before,
	      taken);
}

/* A masked edge pin drops the edge; unmasking it sends nothing. */
static void masked_pin(struct test *t)
{
	u64 polarity, rte, saved;
	u32 masked, unmasked, edge;
	unsigned int pin;

	if (!com1_pin(t, &pin, &polarity))
		return;
	rte = RTE_FIXED | polarity | VECTOR_UART | RTE_DEST(cpus[0].apic_id);
	saved = ioapic_read_rte(pin);
	handler_on(false);
	uart_hold(MCR_NORMAL | MCR_OUT2);
	ioapic_write_rte(pin, rte | RTE_MASKED);
	raise_thre();
	delay_ns(QUIET_NS);
	masked = taken;
	ioapic_write_rte(pin, rte); /* the line is still asserted */
	delay_ns(QUIET_NS);
	unmasked = taken;
	raise_thre(); /* a new rising edge */
	edge = wait_count(&taken, unmasked + 1, DELIVERY_WAIT_NS);
	ioapic_write_rte(pin, saved | RTE_MASKED);
	uart_release();
	ioapic_write_rte(pin, saved);
	handler_off();
	CHECK(t, masked == 0, "%u interrupts through the masked pin", masked);
	CHECK(t, unmasked == masked,
	      "unmasking the edge pin with its line asserted delivered %u",
	      unmasked - masked);
	CHECK(t, edge == unmasked + 1,
	      "%u interrupts for a rising edge on the unmasked pin",
	      edge - unmasked);
}

/*
 * On a PC the UART's interrupt output reaches the pin only through a gate
 * that MCR.OUT2 opens; loopback mode forces OUT2 off. Opening the gate
 * with an interrupt pending is a rising edge.
 */
static void gate(struct test *t, u8 closed, const char *what)
{
	u64 polarity, rte, saved;
	unsigned int pin;
	u32 shut, open;

	if (!com1_pin(t, &pin, &polarity))
		return;
	rte = RTE_FIXED | polarity | VECTOR_UART | RTE_DEST(cpus[0].apic_id);
	saved = ioapic_read_rte(pin);
	handler_on(false);
	uart_hold(closed);
	ioapic_write_rte(pin, rte);
	raise_thre();
	delay_ns(QUIET_NS);
	shut = taken;
	outb(COM1_BASE + UART_MCR, MCR_NORMAL | MCR_OUT2);
	open = wait_count(&taken, 1, DELIVERY_WAIT_NS);
	ioapic_write_rte(pin, saved | RTE_MASKED);
	uart_release();
	ioapic_write_rte(pin, saved);
	handler_off();
	if (check_strict(t, shut == 0,
			 "%u interrupts with %s (QEMU's 16550 does not gate "
			 "its interrupt)",
			 shut, what))
		CHECK(t, open == 1,
		      "%u interrupts once OUT2 opened the gate with THR empty pending",
		      open);
}

static void out2_gate(struct test *t)
{
	gate(t, MCR_NORMAL, "MCR.OUT2 clear");
}

static void loopback_gate(struct test *t)
{
	gate(t, MCR_NORMAL | MCR_OUT2 | MCR_LOOP, "MCR in loopback mode");
}

/* ------------------------------------------------------------------ */
/* Level-triggered                                                     */

struct level_trace {
	u32 first, held, again, after, by_register;
	bool irr_set, tmr_set, remote_irr_held, lapic_irr_held, irr_again,
		irr_after, irr_by_register_set, irr_by_register_clear;
};

static bool remote_irr(unsigned int pin)
{
	return ioapic_read_rte(pin) & RTE_REMOTE_IRR;
}

/*
 * The boot CPU takes the pin's interrupt and leaves it in service: the
 * pin's remote IRR stays set and the asserted line sends nothing more
 * until the EOI, which sends it again; once the line is deasserted the
 * EOI only clears remote IRR. With the EOI register (version 0x20) the
 * same without the local APIC.
 */
static void level_trigger(struct test *t)
{
	struct level_trace r = {0};
	u64 polarity, rte, saved;
	unsigned int pin;
	bool eoi_register;

	if (!com1_pin(t, &pin, &polarity))
		return;
	eoi_register = (ioapic_read(IOAPIC_REG_VER) & 0xff) >= 0x20;
	rte = RTE_FIXED | RTE_LEVEL | polarity | VECTOR_UART |
	      RTE_DEST(cpus[0].apic_id);
	saved = ioapic_read_rte(pin);
	handler_on(true);
	uart_hold(MCR_NORMAL | MCR_OUT2);
	ioapic_write_rte(pin, rte);
	raise_thre();
	r.first = wait_count(&taken, 1, DELIVERY_WAIT_NS);
	r.irr_set = remote_irr(pin);
	r.tmr_set = lapic_vector_bit(APIC_TMR, VECTOR_UART);
	delay_ns(QUIET_NS);
	r.held = taken;
	r.remote_irr_held = remote_irr(pin);
	r.lapic_irr_held = lapic_vector_bit(APIC_IRR, VECTOR_UART);
	lapic_eoi(); /* the line is still asserted: sent again */
	r.again = wait_count(&taken, 2, DELIVERY_WAIT_NS);
	r.irr_again = remote_irr(pin);
	outb(COM1_BASE + UART_IER, 0); /* deasserted */
	lapic_eoi();
	delay_ns(QUIET_NS);
	r.after = taken;
	r.irr_after = remote_irr(pin);
	if (eoi_register) {
		raise_thre();
		r.by_register = wait_count(&taken, 3, DELIVERY_WAIT_NS);
		r.irr_by_register_set = remote_irr(pin);
		outb(COM1_BASE + UART_IER, 0);
		mmio_write32(ioapic_base() + IOAPIC_EOI, VECTOR_UART);
		r.irr_by_register_clear = !remote_irr(pin);
		lapic_eoi();
		delay_ns(QUIET_NS);
		r.by_register = taken;
	}
	ioapic_write_rte(pin, saved | RTE_MASKED);
	uart_release();
	ioapic_write_rte(pin, saved);
	handler_off();

	CHECK(t, r.first == 1, "%u interrupts from the asserted level pin",
	      r.first);
	CHECK(t, r.irr_set,
	      "remote IRR clear while the interrupt is in service");
	CHECK(t, r.tmr_set,
	      "the local APIC's TMR bit clear for a level interrupt");
	CHECK(t, r.held == 1 && r.remote_irr_held && !r.lapic_irr_held,
	      "before the EOI: %u interrupts, remote IRR %d, LAPIC IRR %d",
	      r.held, r.remote_irr_held, r.lapic_irr_held);
	CHECK(t, r.again == 2 && r.irr_again,
	      "the EOI with the line asserted: %u interrupts (expected 2), remote IRR %d",
	      r.again, r.irr_again);
	CHECK(t, r.after == 2 && !r.irr_after,
	      "the EOI with the line deasserted: %u interrupts (expected 2), remote IRR %d",
	      r.after, r.irr_after);
	if (!eoi_register) {
		test_diag(t, "version %#x: no EOI register",
			  ioapic_read(IOAPIC_REG_VER) & 0xff);
		return;
	}
	CHECK(t,
	      r.by_register == 3 && r.irr_by_register_set &&
		      r.irr_by_register_clear,
	      "EOI register: %u interrupts (expected 3), remote IRR set %d, cleared by the write %d",
	      r.by_register, r.irr_by_register_set, r.irr_by_register_clear);
}

DEFINE_SUITE(ioapic, true, TEST_CASE(madt_entry), TEST_CASE(version),
	     TEST_CASE(id_and_arbitration), TEST_CASE(redirection_readback),
	     TEST_CASE(bad_accesses), TEST_CASE(thre_each_cpu),
	     TEST_CASE(lowest_priority), TEST_CASE(logical_and_broadcast),
	     TEST_CASE(nmi), TEST_CASE(masked_pin), TEST_CASE(out2_gate),
	     TEST_CASE(loopback_gate), TEST_CASE(level_trigger));
