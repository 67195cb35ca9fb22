/*
 * I/O APICs (arch/x86/io_apic.c): routing of legacy (ISA) IRQs to local
 * APIC vectors through the I/O APICs the MADT lists. Registers follow the
 * Intel 82093AA I/O APIC datasheet (order no. 290566-001), section 3; the
 * tables are ACPI 6.5, 5.2.12.3 (I/O APIC) and 5.2.12.5 (interrupt source
 * override).
 *
 * Every route is fixed delivery to one physical APIC ID. Acknowledgement:
 * a handler for a routed vector calls apic_eoi() and nothing else, for
 * edge and level triggered routes alike. For a level-triggered route the
 * local APIC broadcasts that EOI to the I/O APICs (SDM Vol. 3A, 11.8.5),
 * which clears the entry's Remote IRR bit (82093AA, 3.2.4) and lets the
 * next interrupt through; we never set "suppress EOI broadcast" in the
 * LAPIC's SVR, so no directed EOI to the I/O APIC is needed.
 *
 * Concurrency: io_apic_init() runs once on the boot CPU, interrupts off,
 * after apic_init_boot_cpu() and before any AP starts. The other calls may
 * be made from any CPU and any context but NMI: one spinlock, taken with
 * interrupts off, serialises the index/data register pairs.
 */
#ifndef ASM_X86_IO_APIC_H
#define ASM_X86_IO_APIC_H

#include <types.h>

/* ISA IRQs are 0-15 (ACPI 6.5, 5.2.12.5). */
#define NR_ISA_IRQS 16

/*
 * Maps every usable MADT I/O APIC, masks all its redirection entries and
 * reports it on the log; one without a usable address or that reads as
 * absent is skipped with a warning. With none, says that legacy IRQs are
 * unavailable. Boot CPU, once, interrupts off.
 */
void io_apic_init(void);

/* True if io_apic_init() found at least one usable I/O APIC. */
bool io_apic_ready(void);

/*
 * Routes ISA IRQ irq (0-15) to vector (0x20-0xfe) on the CPU with APIC ID
 * dest_apic_id, following the MADT's interrupt source overrides (the GSI,
 * the polarity, the trigger mode; ISA's default is edge triggered, active
 * high). The entry is left masked: io_apic_unmask_gsi() the returned GSI
 * once a handler is registered. Returns the GSI; -EINVAL for an irq,
 * vector or destination out of range (the I/O APIC's destination field
 * has 8 bits, so APIC IDs above XAPIC_MAX_ID, 0xfe, cannot be reached
 * without interrupt remapping, in x2APIC mode too; 0xff is the broadcast
 * ID), or for an IRQ with no override whose identity GSI another ISA IRQ's
 * override has taken; -ENOENT if no I/O APIC has the GSI.
 */
int io_apic_route_isa_irq(unsigned int irq, u8 vector, u32 dest_apic_id);

/* Masks or unmasks the redirection entry of gsi; no-op if none has it. */
void io_apic_mask_gsi(u32 gsi);
void io_apic_unmask_gsi(u32 gsi);

#endif /* ASM_X86_IO_APIC_H */
