/*
 * The MADT's first I/O APIC, as an OS programs it (Intel 82093AA I/O
 * APIC datasheet, 3.0): registers through IOREGSEL and IOWIN, 32-bit
 * accesses only, and the version-0x20 EOI register.
 *
 * Concurrency: IOREGSEL is shared state, so one CPU at a time, and not
 * from an interrupt handler that could run between a caller's select and
 * its IOWIN access.
 */
#ifndef HVM_IOAPIC_H
#define HVM_IOAPIC_H

#include "arch.h"

/* Offsets in its page. */
#define IOAPIC_IOREGSEL 0x00
#define IOAPIC_IOWIN	0x10
#define IOAPIC_EOI	0x40

/* Register indices. */
#define IOAPIC_REG_ID	 0x00
#define IOAPIC_REG_VER	 0x01
#define IOAPIC_REG_ARB	 0x02
#define IOAPIC_REG_REDIR 0x10 /* pin n: 0x10 + 2n low, + 1 high */

/* Redirection entry fields (3.2.4). */
#define RTE_VECTOR     0xffULL
#define RTE_FIXED      (0ULL << 8)
#define RTE_LOWEST     (1ULL << 8)
#define RTE_NMI	       (4ULL << 8)
#define RTE_MODE_MASK  (7ULL << 8)
#define RTE_LOGICAL    (1ULL << 11)
#define RTE_DELIVS     (1ULL << 12) /* read-only */
#define RTE_ACTIVE_LOW (1ULL << 13)
#define RTE_REMOTE_IRR (1ULL << 14) /* read-only */
#define RTE_LEVEL      (1ULL << 15)
#define RTE_MASKED     (1ULL << 16)
#define RTE_DEST_SHIFT 56
#define RTE_DEST(id)   ((u64)(id) << RTE_DEST_SHIFT)

/* The base of its page: the MADT's address (0 if there is none). */
u64 ioapic_base(void);

u32 ioapic_read(u8 reg);
void ioapic_write(u8 reg, u32 value);

/*
 * Pin's redirection entry. A write that leaves the pin masked writes the
 * low half (the mask) first, one that unmasks it the high half
 * (the destination) first, so that no message goes out half-programmed.
 */
u64 ioapic_read_rte(unsigned int pin);
void ioapic_write_rte(unsigned int pin, u64 rte);

/* The number of redirection entries (the version register's bits 23:16 + 1). */
unsigned int ioapic_nr_pins(void);

#endif /* HVM_IOAPIC_H */
