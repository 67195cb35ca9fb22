/*
 * I/O APICs: discovery from the MADT, masking at boot, and routing of ISA
 * IRQs. Intel 82093AA I/O APIC datasheet (290566-001), section 3 for the
 * registers; ACPI 6.5, 5.2.12.3 and 5.2.12.5 for the tables.
 */
#include <acpi.h>
#include <asm/apic.h>
#include <asm/io_apic.h>
#include <asm/mm.h>
#include <compiler.h>
#include <errno.h>
#include <printk.h>
#include <spinlock.h>

/*
 * Memory-mapped registers (82093AA, 3.0, table 1): an index (IOREGSEL)
 * and a data window (IOWIN), both 32 bits wide, accessed as whole dwords.
 */
#define IOAPIC_REGSEL	 0x00
#define IOAPIC_WIN	 0x10
#define IOAPIC_MMIO_SIZE 0x20

/* Indirect registers (82093AA, 3.1, table 2). */
#define IOAPIC_REG_ID	    0x00
#define IOAPIC_REG_VER	    0x01
#define IOAPIC_REG_REDTBL   0x10 /* entry n: 0x10 + 2n (low), 0x11 + 2n */
#define IOAPIC_REDTBL_LO(n) (IOAPIC_REG_REDTBL + 2 * (n))
#define IOAPIC_REDTBL_HI(n) (IOAPIC_REG_REDTBL + 2 * (n) + 1)

/* Version register (82093AA, 3.2.2). */
#define IOAPIC_VER_VERSION(v)	((v)&0xff)
#define IOAPIC_VER_MAX_REDIR(v) (((v) >> 16) & 0xff) /* entries minus one */
#define IOAPIC_ABSENT		0xffffffffU	     /* nothing decodes it */

/* Redirection table entry, low dword (82093AA, 3.2.4). */
#define IOAPIC_RTE_VECTOR_MASK 0xffU
#define IOAPIC_RTE_DM_FIXED    (0U << 8)
#define IOAPIC_RTE_DEST_PHYS   (0U << 11)
#define IOAPIC_RTE_ACTIVE_LOW  (1U << 13)
#define IOAPIC_RTE_LEVEL       (1U << 15)
#define IOAPIC_RTE_MASKED      (1U << 16)
/* High dword: the destination, bits 63:56 of the entry. */
#define IOAPIC_RTE_DEST_SHIFT 24

/* The lowest vector an interrupt may use (0-31 are exceptions). */
#define FIRST_IRQ_VECTOR 0x20

struct io_apic {
	volatile u8 *mmio;
	u32 id;
	u32 gsi_base;
	unsigned int nr_entries;
};

/* Written once by io_apic_init(), read-only afterwards. */
static struct io_apic io_apics[ACPI_MAX_IOAPICS];
static unsigned int nr_io_apics;

/* Serialises IOREGSEL/IOWIN on every I/O APIC. */
static DEFINE_SPINLOCK(io_apic_lock);

/* Caller holds io_apic_lock (or is io_apic_init() on the boot CPU). */
static u32 io_apic_read(const struct io_apic *ioa, unsigned int reg)
{
	*(volatile u32 *)(ioa->mmio + IOAPIC_REGSEL) = reg;
	return *(volatile u32 *)(ioa->mmio + IOAPIC_WIN);
}

static void io_apic_write(const struct io_apic *ioa, unsigned int reg, u32 val)
{
	*(volatile u32 *)(ioa->mmio + IOAPIC_REGSEL) = reg;
	*(volatile u32 *)(ioa->mmio + IOAPIC_WIN) = val;
}

/* The I/O APIC whose inputs include gsi, or NULL; *pin gets the input. */
static struct io_apic *io_apic_for_gsi(u32 gsi, unsigned int *pin)
{
	for (unsigned int i = 0; i < nr_io_apics; i++) {
		struct io_apic *ioa = &io_apics[i];

		if (gsi >= ioa->gsi_base &&
		    gsi - ioa->gsi_base < ioa->nr_entries) {
			*pin = gsi - ioa->gsi_base;
			return ioa;
		}
	}
	return NULL;
}

static bool io_apic_setup_one(const struct acpi_ioapic *entry)
{
	struct io_apic *ioa = &io_apics[nr_io_apics];
	u32 ver;

	if (entry->addr == 0) {
		pr_warn("IOAPIC: id %u has no MMIO address, skipped\n",
			entry->id);
		return false;
	}
	ioa->mmio = ioremap(entry->addr, IOAPIC_MMIO_SIZE);
	if (!ioa->mmio) {
		pr_warn("IOAPIC: id %u at %#x: cannot map it, skipped\n",
			entry->id, entry->addr);
		return false;
	}
	ver = io_apic_read(ioa, IOAPIC_REG_VER);
	if (ver == IOAPIC_ABSENT) {
		pr_warn("IOAPIC: id %u at %#x: version reads %#x (absent), skipped\n",
			entry->id, entry->addr, ver);
		return false;
	}
	ioa->id = entry->id;
	ioa->gsi_base = entry->gsi_base;
	ioa->nr_entries = IOAPIC_VER_MAX_REDIR(ver) + 1;

	/* Whatever the firmware left, nothing is delivered until routed. */
	for (unsigned int pin = 0; pin < ioa->nr_entries; pin++) {
		io_apic_write(ioa, IOAPIC_REDTBL_LO(pin), IOAPIC_RTE_MASKED);
		io_apic_write(ioa, IOAPIC_REDTBL_HI(pin), 0);
	}

	pr_info("IOAPIC: id %u at %#x, GSIs %u-%u, version %#x\n", ioa->id,
		entry->addr, ioa->gsi_base, ioa->gsi_base + ioa->nr_entries - 1,
		IOAPIC_VER_VERSION(ver));
	return true;
}

void io_apic_init(void)
{
	unsigned long flags;

	if (acpi_info.nr_ioapics == 0) {
		pr_info("IOAPIC: none in the MADT; legacy IRQs unavailable\n");
		return;
	}
	flags = spin_lock_irqsave(&io_apic_lock);
	for (unsigned int i = 0; i < acpi_info.nr_ioapics; i++) {
		if (io_apic_setup_one(&acpi_info.ioapics[i]))
			nr_io_apics++;
	}
	spin_unlock_irqrestore(&io_apic_lock, flags);
	if (nr_io_apics == 0)
		pr_warn("IOAPIC: none usable; legacy IRQs unavailable\n");
}

bool io_apic_ready(void)
{
	return nr_io_apics > 0;
}

/* The ISA IRQ's override (bus 0, ACPI 6.5, 5.2.12.5), or NULL. */
static const struct acpi_irq_override *isa_override(unsigned int irq)
{
	for (unsigned int i = 0; i < acpi_info.nr_overrides; i++) {
		const struct acpi_irq_override *ov = &acpi_info.overrides[i];

		if (ov->bus == 0 && ov->irq == irq)
			return ov;
	}
	return NULL;
}

/* True if another ISA IRQ's override sends it to gsi. */
static bool gsi_taken_by_override(u32 gsi, unsigned int irq)
{
	for (unsigned int i = 0; i < acpi_info.nr_overrides; i++) {
		const struct acpi_irq_override *ov = &acpi_info.overrides[i];

		if (ov->bus == 0 && ov->irq != irq && ov->gsi == gsi)
			return true;
	}
	return false;
}

int io_apic_route_isa_irq(unsigned int irq, u8 vector, u32 dest_apic_id)
{
	const struct acpi_irq_override *ov;
	struct io_apic *ioa;
	unsigned int pin;
	unsigned long flags;
	u32 gsi, lo;

	if (irq >= NR_ISA_IRQS || vector < FIRST_IRQ_VECTOR || vector == 0xff ||
	    dest_apic_id > XAPIC_MAX_ID)
		return -EINVAL;

	/* ISA defaults: edge triggered, active high ("conforms"). */
	lo = IOAPIC_RTE_DM_FIXED | IOAPIC_RTE_DEST_PHYS | IOAPIC_RTE_MASKED |
	     vector;
	ov = isa_override(irq);
	if (ov) {
		gsi = ov->gsi;
		if ((ov->flags & ACPI_MPS_POLARITY_MASK) ==
		    ACPI_MPS_POLARITY_LOW)
			lo |= IOAPIC_RTE_ACTIVE_LOW;
		if ((ov->flags & ACPI_MPS_TRIGGER_MASK) ==
		    ACPI_MPS_TRIGGER_LEVEL)
			lo |= IOAPIC_RTE_LEVEL;
	} else {
		gsi = irq;
		if (gsi_taken_by_override(gsi, irq))
			return -EINVAL;
	}

	ioa = io_apic_for_gsi(gsi, &pin);
	if (!ioa)
		return -ENOENT;

	flags = spin_lock_irqsave(&io_apic_lock);
	/* Masked first, so no half-written entry can deliver. */
	io_apic_write(ioa, IOAPIC_REDTBL_LO(pin), IOAPIC_RTE_MASKED);
	io_apic_write(ioa, IOAPIC_REDTBL_HI(pin),
		      dest_apic_id << IOAPIC_RTE_DEST_SHIFT);
	io_apic_write(ioa, IOAPIC_REDTBL_LO(pin), lo);
	spin_unlock_irqrestore(&io_apic_lock, flags);
	return gsi;
}

static void io_apic_set_mask(u32 gsi, bool masked)
{
	struct io_apic *ioa;
	unsigned int pin;
	unsigned long flags;
	u32 lo;

	ioa = io_apic_for_gsi(gsi, &pin);
	if (!ioa)
		return;
	flags = spin_lock_irqsave(&io_apic_lock);
	lo = io_apic_read(ioa, IOAPIC_REDTBL_LO(pin));
	if (masked)
		lo |= IOAPIC_RTE_MASKED;
	else
		lo &= ~IOAPIC_RTE_MASKED;
	io_apic_write(ioa, IOAPIC_REDTBL_LO(pin), lo);
	spin_unlock_irqrestore(&io_apic_lock, flags);
}

void io_apic_mask_gsi(u32 gsi)
{
	io_apic_set_mask(gsi, true);
}

void io_apic_unmask_gsi(u32 gsi)
{
	io_apic_set_mask(gsi, false);
}
