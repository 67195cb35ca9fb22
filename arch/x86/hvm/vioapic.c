/*
 * The virtual I/O APIC (asm/hvm/vioapic.h): registers, input lines and
 * the messages a redirection entry makes of them.
 *
 * A message goes out at once: there is no APIC bus to arbitrate for, so
 * the delivery status bit always reads idle. A level-triggered pin's
 * remote IRR is set when its message is sent, as on the front-side-bus
 * chips of version 0x20 (and in QEMU's model), which learn nothing of
 * acceptance; it is cleared by an EOI of the vector, from a vLAPIC or
 * through the EOI register, or by making the pin edge-triggered (what
 * Linux does to clear it on chips without the EOI register).
 *
 * NMI and INIT messages are edge-triggered whatever the entry's trigger
 * mode says (82093AA 3.2.4, "Delivery Mode"); ExtINT would need an 8259
 * to give the vector and there is none, so it, SMI and the reserved
 * modes deliver nothing (the first such pin is logged).
 */
#include <asm/hvm/hvm.h>
#include <asm/hvm/vioapic.h>
#include <asm/hvm/vlapic.h>
#include <domain.h>
#include <page.h>
#include <panic.h>
#include <printk.h>
#include <string.h>

/* Redirection entry fields (82093AA 3.2.4, "I/O Redirection Table"). */
#define RTE_VECTOR	 0xffULL
#define RTE_MODE_SHIFT	 8
#define RTE_MODE_MASK	 (7ULL << RTE_MODE_SHIFT)
#define RTE_LOGICAL	 (1ULL << 11)
#define RTE_DELIVS	 (1ULL << 12) /* delivery status: read-only, 0 */
#define RTE_POLARITY_LOW (1ULL << 13)
#define RTE_REMOTE_IRR	 (1ULL << 14) /* read-only */
#define RTE_LEVEL	 (1ULL << 15)
#define RTE_MASKED	 (1ULL << 16)
#define RTE_DEST_SHIFT	 56
/* What a write may change; bits 55:17 are reserved and read 0. */
#define RTE_WRITABLE                                                   \
	(RTE_VECTOR | RTE_MODE_MASK | RTE_LOGICAL | RTE_POLARITY_LOW | \
	 RTE_LEVEL | RTE_MASKED | (0xffULL << RTE_DEST_SHIFT))

#define MODE_FIXED  0
#define MODE_LOWEST 1
#define MODE_SMI    2
#define MODE_NMI    4
#define MODE_INIT   5
#define MODE_EXTINT 7

#define ID_SHIFT 24
#define ID_MASK	 0xfU /* four bits (82093AA 3.2.1) */

BUILD_BUG_ON(HVM_IOAPIC_PINS > 32); /* lines is one u32 */
BUILD_BUG_ON(VIOAPIC_REG_REDIR + 2 * HVM_IOAPIC_PINS > 0x100);

static struct vioapic *domain_vioapic(struct domain *d)
{
	return &d->hvm->vioapic;
}

static unsigned int rte_mode(u64 rte)
{
	return (rte & RTE_MODE_MASK) >> RTE_MODE_SHIFT;
}

/* True if the entry's messages are level-triggered: fixed and lowest only. */
static bool rte_level(u64 rte)
{
	unsigned int mode = rte_mode(rte);

	return (rte & RTE_LEVEL) && (mode == MODE_FIXED || mode == MODE_LOWEST);
}

static bool line_asserted(const struct vioapic *io, unsigned int pin)
{
	return io->lines & (1U << pin);
}

/* Says once per domain that a pin asked for a mode nothing delivers. */
static void report_undeliverable(struct vioapic *io, unsigned int pin)
{
	if (io->undeliverable_reported)
		return;
	io->undeliverable_reported = true;
	printk("(d%u) [hvm: I/O APIC pin %u is programmed for delivery mode %u (%s); nothing is delivered (said once)]\n",
	       io->domain->domid, pin, rte_mode(io->redir[pin]),
	       rte_mode(io->redir[pin]) == MODE_EXTINT
		       ? "ExtINT, and there is no 8259 PIC"
		       : "SMI or reserved");
}

/* Sends pin's message (lock held); a level pin's remote IRR is set. */
static void send(struct vioapic *io, unsigned int pin)
{
	u64 rte = io->redir[pin];
	unsigned int mode = rte_mode(rte);
	bool level = rte_level(rte);

	ASSERT(!(rte & RTE_MASKED));
	if (io->closed)
		return;
	if (mode != MODE_FIXED && mode != MODE_LOWEST && mode != MODE_NMI &&
	    mode != MODE_INIT) {
		report_undeliverable(io, pin);
		return;
	}
	if (level)
		io->redir[pin] |= RTE_REMOTE_IRR;
	io->messages++;
	vlapic_deliver_msg(io->domain, (u8)(rte >> RTE_DEST_SHIFT),
			   rte & RTE_LOGICAL, mode, (u8)(rte & RTE_VECTOR),
			   level);
}

/*
 * Delivers what a level pin owes now (lock held): a message if it is
 * unmasked, its line asserted and no earlier one awaits its EOI. An
 * edge pin owes nothing: only a rising edge sends.
 */
static void service(struct vioapic *io, unsigned int pin)
{
	u64 rte = io->redir[pin];

	if (rte_level(rte) && !(rte & (RTE_MASKED | RTE_REMOTE_IRR)) &&
	    line_asserted(io, pin))
		send(io, pin);
	ASSERT(io->closed || !rte_level(io->redir[pin]) ||
	       (io->redir[pin] & (RTE_MASKED | RTE_REMOTE_IRR)) ||
	       !line_asserted(io, pin));
}

void vioapic_set_irq(struct domain *d, unsigned int gsi, bool level)
{
	struct vioapic *io = domain_vioapic(d);
	unsigned long flags;
	bool was;

	ASSERT(gsi < HVM_IOAPIC_PINS);
	flags = spin_lock_irqsave(&io->lock);
	was = line_asserted(io, gsi);
	if (level)
		io->lines |= 1U << gsi;
	else
		io->lines &= ~(1U << gsi);
	if (rte_level(io->redir[gsi]))
		service(io, gsi);
	else if (level && !was && !(io->redir[gsi] & RTE_MASKED))
		send(io, gsi); /* a masked pin's edge is lost (3.2.4) */
	spin_unlock_irqrestore(&io->lock, flags);
}

void vioapic_eoi(struct domain *d, u8 vector)
{
	struct vioapic *io = domain_vioapic(d);
	unsigned long flags = spin_lock_irqsave(&io->lock);
	unsigned int pin;

	for (pin = 0; pin < HVM_IOAPIC_PINS; pin++) {
		u64 rte = io->redir[pin];

		if ((rte & RTE_VECTOR) != vector || !(rte & RTE_REMOTE_IRR))
			continue;
		io->redir[pin] = rte & ~RTE_REMOTE_IRR;
		service(io, pin);
	}
	spin_unlock_irqrestore(&io->lock, flags);
}

/* ------------------------------------------------------------------ */
/* Registers                                                           */

/* The register at index (lock held); 0 where there is none. */
static u32 read_reg(const struct vioapic *io, u8 index)
{
	unsigned int pin = (index - VIOAPIC_REG_REDIR) / 2;

	switch (index) {
	case VIOAPIC_REG_ID:
	case VIOAPIC_REG_ARB: /* loaded from the ID when it is written */
		return (u32)io->id << ID_SHIFT;
	case VIOAPIC_REG_VER:
		return VIOAPIC_VER_REG;
	}
	if (index < VIOAPIC_REG_REDIR || pin >= HVM_IOAPIC_PINS)
		return 0;
	return (u32)(io->redir[pin] >> (index & 1 ? 32 : 0));
}

/* One half of pin's entry written (lock held), then what it owes. */
static void write_redir(struct vioapic *io, unsigned int pin, bool high,
			u32 val)
{
	u64 old = io->redir[pin], rte;

	rte = high ? (old & 0xffffffffULL) | (u64)val << 32
		   : (old & ~0xffffffffULL) | val;
	rte = (rte & RTE_WRITABLE) | (old & RTE_REMOTE_IRR);
	/* An edge pin has no EOI to wait for (Linux relies on this). */
	if (!(rte & RTE_LEVEL))
		rte &= ~RTE_REMOTE_IRR;
	io->redir[pin] = rte;
	service(io, pin);
}

static void write_reg(struct vioapic *io, u8 index, u32 val)
{
	unsigned int pin = (index - VIOAPIC_REG_REDIR) / 2;

	if (index == VIOAPIC_REG_ID)
		io->id = (val >> ID_SHIFT) & ID_MASK;
	else if (index >= VIOAPIC_REG_REDIR && pin < HVM_IOAPIC_PINS)
		write_redir(io, pin, index & 1, val);
	/* The version and arbitration registers are read-only. */
}

u64 vioapic_mmio_read(struct domain *d, unsigned int offset, unsigned int size)
{
	struct vioapic *io = domain_vioapic(d);
	unsigned long flags;
	u64 val = 0;

	ASSERT(size >= 1 && size <= 8 && offset < PAGE_SIZE);
	flags = spin_lock_irqsave(&io->lock);
	if (offset == VIOAPIC_IOREGSEL && size <= 4)
		val = io->regsel;
	else if (offset == VIOAPIC_IOWIN && size == 4)
		val = read_reg(io, io->regsel);
	spin_unlock_irqrestore(&io->lock, flags);
	return val;
}

void vioapic_mmio_write(struct domain *d, unsigned int offset,
			unsigned int size, u64 val)
{
	struct vioapic *io = domain_vioapic(d);
	unsigned long flags;

	ASSERT(size >= 1 && size <= 8 && offset < PAGE_SIZE);
	flags = spin_lock_irqsave(&io->lock);
	if (offset == VIOAPIC_IOREGSEL && size <= 4)
		io->regsel = (u8)val;
	else if (offset == VIOAPIC_IOWIN && size == 4)
		write_reg(io, io->regsel, (u32)val);
	spin_unlock_irqrestore(&io->lock, flags);
	/* The EOI register: as the EOI a vLAPIC sends (it takes the lock). */
	if (offset == VIOAPIC_EOI && size == 4)
		vioapic_eoi(d, (u8)val);
}

void vioapic_destroy(struct domain *d)
{
	struct vioapic *io = domain_vioapic(d);
	unsigned long flags;

	if (!io->domain)
		return; /* the build failed before vioapic_init() */
	/* A sender holds the lock until its message is in the vCPU's IRR. */
	flags = spin_lock_irqsave(&io->lock);
	io->closed = true;
	spin_unlock_irqrestore(&io->lock, flags);
}

void vioapic_dump(struct domain *d)
{
	struct vioapic *io = domain_vioapic(d);
	unsigned long flags = spin_lock_irqsave(&io->lock);
	u32 unmasked = 0, remote_irr = 0;
	unsigned int pin;

	for (pin = 0; pin < HVM_IOAPIC_PINS; pin++) {
		unmasked |= !(io->redir[pin] & RTE_MASKED) << pin;
		remote_irr |= !!(io->redir[pin] & RTE_REMOTE_IRR) << pin;
	}
	printk("    I/O APIC: %lu messages; pins unmasked 0x%06x, asserted 0x%06x, remote IRR 0x%06x\n",
	       (unsigned long)io->messages, unmasked, io->lines, remote_irr);
	spin_unlock_irqrestore(&io->lock, flags);
}

void vioapic_init(struct domain *d)
{
	struct vioapic *io = domain_vioapic(d);
	unsigned int pin;

	memset(io, 0, sizeof(*io));
	spin_lock_init(&io->lock);
	io->domain = d;
	io->id = HVM_IOAPIC_ID;
	for (pin = 0; pin < HVM_IOAPIC_PINS; pin++)
		io->redir[pin] = RTE_MASKED;
}
