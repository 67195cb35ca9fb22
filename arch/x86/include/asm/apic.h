/*
 * The local APIC (arch/x86/apic.c): one interface, two back ends chosen
 * once at boot on the boot CPU: xAPIC (MMIO through ioremap) or x2APIC
 * (MSRs). SDM Vol. 3A, chapter 11 (APIC) and 11.12 (x2APIC).
 *
 * Destinations are always physical APIC IDs (SDM Vol. 3A, 11.6.2.1): no
 * logical destination mode, so neither the DFR nor the LDR is programmed.
 *
 * Concurrency: apic_init_boot_cpu() runs once on the boot CPU before any AP
 * starts; apic_init_secondary() on each AP, on itself, interrupts off. All
 * other calls act on the calling CPU's own LAPIC and may be made from any
 * context, including IRQ and NMI; the IPI calls are safe against concurrent
 * senders on other CPUs (each CPU has its own ICR) and against a sender
 * that interrupts another on the same CPU (see apic.c, xapic_icr_send()).
 */
#ifndef ASM_X86_APIC_H
#define ASM_X86_APIC_H

#include <types.h>

/* Vectors the APIC code owns (interrupts go from 0x20 up, see desc.h). */
#define APIC_ERROR_VECTOR 0xfe
/* SPURIOUS_VECTOR (0xff) is defined in asm/desc.h. */

/* IA32_APIC_BASE (SDM Vol. 3A, 11.4.4, figure 11-5; 11.12.1). */
#define MSR_IA32_APIC_BASE  0x1b
#define APIC_BASE_BSP	    (1UL << 8)
#define APIC_BASE_EXTD	    (1UL << 10) /* x2APIC mode */
#define APIC_BASE_ENABLE    (1UL << 11)
#define APIC_BASE_ADDR_MASK 0x000ffffffffff000UL

/* The largest APIC ID an xAPIC can address; 0xff is the broadcast ID. */
#define XAPIC_MAX_ID 0xfe

enum apic_mode {
	APIC_MODE_XAPIC,
	APIC_MODE_X2APIC,
};

/* ICR delivery modes (SDM Vol. 3A, 11.6.1, figure 11-12). */
enum apic_delivery {
	APIC_DM_FIXED = 0x000,
	APIC_DM_NMI = 0x400,
	APIC_DM_INIT = 0x500,
	APIC_DM_STARTUP = 0x600,
};

/*
 * Chooses the mode (x2APIC when CPUID offers it or the firmware left it on,
 * unless x2apic=off and the firmware allows going back), enables the boot
 * CPU's LAPIC with the spurious and error vectors, task priority 0, LVTs
 * masked, and registers the error interrupt's handler. Reports the mode on
 * the log. Boot CPU, once, interrupts off, after memory_init().
 */
void apic_init_boot_cpu(void);

/*
 * The same set-up on an AP, in the mode the boot CPU chose (switching the
 * AP's LAPIC into it if the firmware left it in the other one).
 */
void apic_init_secondary(void);

/* True once apic_init_boot_cpu() has run (nothing else works before). */
bool apic_ready(void);

enum apic_mode apic_mode(void);

/* The calling CPU's APIC ID (32 bits in x2APIC mode, 8 in xAPIC). */
u32 apic_id(void);

/* True if the calling CPU is the bootstrap processor (IA32_APIC_BASE.BSP). */
bool apic_is_bsp(void);

/* Signals end of interrupt for the interrupt being serviced. */
void apic_eoi(void);

/*
 * For an interrupt that no handler claimed: signals EOI if the LAPIC has
 * vector in service (a software INT has not, and must not be EOI'd).
 * Returns true if it did. Safe before apic_init_boot_cpu() (returns false).
 */
bool apic_eoi_if_in_service(u8 vector);

/*
 * Sends an IPI with delivery mode dm to the CPU with APIC ID dest. vector is
 * the interrupt vector for FIXED (0x20-0xff), the trampoline's page number
 * for STARTUP (not 0xa0-0xbf), and ignored for INIT (sent as "assert",
 * edge: SDM Vol. 3A, 11.6.1; the Pentium 4 and later have no INIT
 * de-assert) and NMI. In xAPIC mode it
 * waits, bounded, for the delivery-status bit so that back-to-back IPIs are
 * not lost. Returns 0; -EINVAL if the mode cannot address dest (above
 * XAPIC_MAX_ID in xAPIC mode: such a CPU cannot be used); -EBUSY if the ICR
 * never became idle (logged once).
 */
int apic_send_ipi(u32 dest, enum apic_delivery dm, u8 vector);

/* A fixed-vector IPI to every CPU but the caller (shorthand). */
int apic_send_ipi_allbutself(u8 vector);

/* A fixed-vector IPI to the caller. */
int apic_send_ipi_self(u8 vector);

/* LAPIC registers by their xAPIC offset (SDM Vol. 3A, table 11-1). */
#define APIC_ID		 0x020
#define APIC_VERSION	 0x030
#define APIC_TPR	 0x080
#define APIC_APR	 0x090 /* xAPIC only */
#define APIC_PPR	 0x0a0
#define APIC_EOI	 0x0b0
#define APIC_RRD	 0x0c0 /* xAPIC only */
#define APIC_LDR	 0x0d0
#define APIC_DFR	 0x0e0 /* xAPIC only */
#define APIC_SVR	 0x0f0
#define APIC_ISR	 0x100 /* 8 registers, 0x100-0x170 */
#define APIC_TMR	 0x180 /* 8 registers, 0x180-0x1f0 */
#define APIC_IRR	 0x200 /* 8 registers, 0x200-0x270 */
#define APIC_ESR	 0x280
#define APIC_LVT_CMCI	 0x2f0
#define APIC_ICR_LOW	 0x300 /* in x2APIC mode, the whole 64-bit ICR */
#define APIC_ICR_HIGH	 0x310 /* xAPIC only */
#define APIC_LVT_TIMER	 0x320
#define APIC_LVT_THERMAL 0x330
#define APIC_LVT_PERF	 0x340
#define APIC_LVT_LINT0	 0x350
#define APIC_LVT_LINT1	 0x360
#define APIC_LVT_ERROR	 0x370
#define APIC_TIMER_ICR	 0x380
#define APIC_TIMER_CCR	 0x390
#define APIC_TIMER_DCR	 0x3e0
#define APIC_SELF_IPI	 0x3f0 /* x2APIC only (SDM Vol. 3A, 11.12.11) */

/* Register bits (SDM Vol. 3A, 11.5.1 figure 11-8, 11.9 figure 11-23). */
#define APIC_LVT_MASKED	 (1U << 16)
#define APIC_SVR_ENABLED (1U << 8)

/*
 * Raw register access in the chosen mode (timer code uses these). In
 * x2APIC mode a register that has no MSR for the access (DFR, ICR_HIGH, a
 * write to a read-only one...) is a bug, caught by an ASSERT: use
 * apic_send_ipi() for the ICR.
 */
u32 apic_read(unsigned int reg);
void apic_write(unsigned int reg, u32 val);

/* Error interrupts taken on all CPUs since boot, for tests and debug keys. */
unsigned long apic_error_count(void);

#endif /* ASM_X86_APIC_H */
