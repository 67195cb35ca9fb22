/*
 * The virtual I/O APIC of an HVM domain (arch/x86/hvm/vioapic.c): one
 * 82093AA-style I/O APIC of version 0x20, as QEMU's PCs have, at
 * HVM_IOAPIC_BASE with HVM_IOAPIC_PINS inputs (GSIs 0-23). Its registers
 * are reached through IOREGSEL (offset 0x00) and IOWIN (0x10), and the
 * version-0x20 EOI register is at 0x40 (Intel 82093AA I/O Advanced
 * Programmable Interrupt Controller datasheet, 3.0 "Register
 * Description"; the EOI register from the ICH/PCH I/O APIC chapters).
 *
 * A device drives an input line (vioapic_set_irq()); the redirection
 * entry of that pin turns it into an interrupt message for the domain's
 * local APICs (vlapic_deliver_msg()): an edge-triggered pin on each
 * rising edge, a level-triggered one while the line is asserted, its
 * remote IRR set from the message until the vLAPIC's EOI of the vector
 * (or a write of the EOI register) clears it. A masked pin ignores
 * edges; a masked level pin is delivered when it is unmasked with its
 * line still asserted.
 *
 * What the guest may get wrong, and what it gets (as the chip, or where
 * the datasheet leaves it open, as QEMU's model): only an aligned 32-bit
 * access reaches IOWIN or the EOI register, other sizes and offsets read
 * 0 and ignore writes; IOREGSEL takes an access of 1, 2 or 4 bytes at
 * its start (bits 31:8 are reserved); a register index with no register
 * reads 0 and ignores writes; the version and arbitration registers and
 * the delivery status and remote IRR bits are read-only; reserved bits
 * read 0.
 *
 * Concurrency: each I/O APIC has a spinlock, taken with interrupts off,
 * that guards its registers and input lines; messages are delivered with
 * it held, so that a level pin's remote IRR and its message cannot be
 * seen apart. Every call below but vioapic_init() may run on any CPU (the
 * MMIO ones do, in the accessing vCPU's exit). The order of locks is
 * the domain's io_lock (the devices, which raise lines while they hold
 * it), then this lock, then what delivery takes (vlapic_deliver_msg()):
 * a vCPU's IRR and TMR are set atomically, waking a halted vCPU takes
 * the scheduler's locks, an INIT may crash the domain. A caller must hold
 * neither a scheduler lock nor a vLAPIC's timer_lock.
 */
#ifndef ASM_X86_HVM_VIOAPIC_H
#define ASM_X86_HVM_VIOAPIC_H

#include <asm/hvm/platform.h>
#include <spinlock.h>
#include <types.h>

struct domain;

/* Register offsets in the page (82093AA 3.0, table 1). */
#define VIOAPIC_IOREGSEL 0x00
#define VIOAPIC_IOWIN	 0x10
#define VIOAPIC_EOI	 0x40 /* version 0x20 */

/* Register indices through IOREGSEL (82093AA 3.0, table 2). */
#define VIOAPIC_REG_ID	  0x00
#define VIOAPIC_REG_VER	  0x01
#define VIOAPIC_REG_ARB	  0x02
#define VIOAPIC_REG_REDIR 0x10 /* entry n: 0x10 + 2n (low), + 1 (high) */

/* The version register: version 0x20, the highest entry's number. */
#define VIOAPIC_VERSION 0x20
#define VIOAPIC_VER_REG (VIOAPIC_VERSION | (HVM_IOAPIC_PINS - 1) << 16)

struct vioapic {
	spinlock_t lock;
	struct domain *domain;
	u8 regsel;		    /* IOREGSEL: the register IOWIN reaches */
	u8 id;			    /* the ID register's bits 27:24 */
	u32 lines;		    /* by pin: the input is asserted */
	u64 redir[HVM_IOAPIC_PINS]; /* the redirection table */
	u64 messages;		    /* interrupt messages sent */
	bool closed;		    /* vioapic_destroy(): the vCPUs are going */
	bool undeliverable_reported; /* an ExtINT (or SMI) pin was logged */
};

/* Sets up d's I/O APIC in its reset state (every pin masked). Build. */
void vioapic_init(struct domain *d);

/*
 * Stops all delivery before d's vCPUs are freed: a device may still drive
 * a line afterwards (console input races with the domain's end), and
 * nothing reaches a vCPU. Whoever frees d's HVM state, before it does.
 */
void vioapic_destroy(struct domain *d);

/*
 * A guest access of size bytes (1..8) at offset into the I/O APIC's page:
 * the value read (0 where no register answers), or a write carried out or
 * ignored (above). From the vCPU's MMIO exit.
 */
u64 vioapic_mmio_read(struct domain *d, unsigned int offset, unsigned int size);
void vioapic_mmio_write(struct domain *d, unsigned int offset,
			unsigned int size, u64 val);

/*
 * A device drives input gsi (< HVM_IOAPIC_PINS) to level (true:
 * asserted, whatever the pin's polarity says: the lines are logical, as
 * in QEMU's and Xen's models). Delivers what the pin's entry asks for.
 * Any CPU, any context but NMI; the caller may hold the domain's io_lock.
 */
void vioapic_set_irq(struct domain *d, unsigned int gsi, bool level);

/*
 * A local APIC's EOI of a level-triggered vector (its TMR bit was set):
 * every level pin of that vector has its remote IRR cleared and is
 * delivered again if its line is still asserted. Any CPU.
 */
void vioapic_eoi(struct domain *d, u8 vector);

/* One line of the pins' state for the 'q' key (by pin: bit n is pin n). */
void vioapic_dump(struct domain *d);

#endif /* ASM_X86_HVM_VIOAPIC_H */
