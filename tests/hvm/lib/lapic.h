/*
 * The local APIC behind one interface in both of its modes (SDM Vol. 3A
 * chapter 10): registers are named by their xAPIC MMIO offset; in x2APIC
 * mode the same register is MSR 0x800 + offset / 16 (10.12.1.2). Every
 * call acts on the calling CPU's LAPIC, in the mode that CPU's LAPIC is in
 * (cpus[].mode, which lapic_set_mode() keeps current).
 */
#ifndef HVM_LAPIC_H
#define HVM_LAPIC_H

#include "cpu.h"

/* Register offsets (SDM Vol. 3A table 10-1). */
#define APIC_ID		 0x020
#define APIC_VERSION	 0x030
#define APIC_TPR	 0x080
#define APIC_APR	 0x090
#define APIC_PPR	 0x0a0
#define APIC_EOI	 0x0b0
#define APIC_LDR	 0x0d0
#define APIC_DFR	 0x0e0
#define APIC_SVR	 0x0f0
#define APIC_ISR	 0x100 /* 8 registers, 0x10 apart */
#define APIC_TMR	 0x180
#define APIC_IRR	 0x200
#define APIC_ESR	 0x280
#define APIC_LVT_CMCI	 0x2f0
#define APIC_ICR_LOW	 0x300
#define APIC_ICR_HIGH	 0x310
#define APIC_LVT_TIMER	 0x320
#define APIC_LVT_THERMAL 0x330
#define APIC_LVT_PERF	 0x340
#define APIC_LVT_LINT0	 0x350
#define APIC_LVT_LINT1	 0x360
#define APIC_LVT_ERROR	 0x370
#define APIC_TMICT	 0x380 /* timer initial count */
#define APIC_TMCCT	 0x390 /* timer current count */
#define APIC_TDCR	 0x3e0 /* timer divide configuration */
#define APIC_SELF_IPI	 0x3f0 /* x2APIC only */

#define SVR_ENABLE	    (1U << 8)
#define LVT_MASKED	    (1U << 16)
#define LVT_TIMER_ONESHOT   (0U << 17)
#define LVT_TIMER_PERIODIC  (1U << 17)
#define LVT_TIMER_DEADLINE  (2U << 17)
#define LVT_TIMER_MODE_MASK (3U << 17)
#define LVT_DELIVERY_NMI    (4U << 8)
#define LVT_DELIVERY_EXTINT (7U << 8)

#define ICR_FIXED	    (0U << 8)
#define ICR_NMI		    (4U << 8)
#define ICR_INIT	    (5U << 8)
#define ICR_STARTUP	    (6U << 8)
#define ICR_DELIVERY_STATUS (1U << 12) /* xAPIC only */
#define ICR_LEVEL_ASSERT    (1U << 14)
#define ICR_SELF	    (1U << 18) /* destination shorthands */
#define ICR_ALL_INCL_SELF   (2U << 18)
#define ICR_ALL_BUT_SELF    (3U << 18)

#define ESR_SEND_ILLEGAL_VECTOR	   (1U << 5)
#define ESR_RECEIVE_ILLEGAL_VECTOR (1U << 6)

/*
 * The vectors the runtime and the shared suites' IPIs use (class =
 * vector >> 4); 0x40-0xcf are the suites' own.
 */
#define VECTOR_PING	0xd0
#define VECTOR_PONG	0xd1
#define VECTOR_TIMER	0xe0
#define VECTOR_WORK	0xf0 /* smp.c's work IPI */
#define VECTOR_ERROR	0xfe
#define VECTOR_SPURIOUS 0xff

/* The base of the xAPIC MMIO page (from the boot CPU's IA32_APIC_BASE). */
extern u64 lapic_mmio_base;

/* True if CPUID says x2APIC mode exists (leaf 1 ECX bit 21). */
bool x2apic_supported(void);

/*
 * Brings this CPU's LAPIC up in mode: IA32_APIC_BASE (x2APIC needs the
 * xAPIC enabled first: 10.12.5.1), SVR enabled with VECTOR_SPURIOUS, TPR
 * 0, every LVT masked, the timer stopped, ESR cleared. Interrupts off.
 */
void lapic_init(enum lapic_mode mode);

/*
 * Moves this CPU's LAPIC to mode through IA32_APIC_BASE (xAPIC to x2APIC
 * directly; x2APIC to xAPIC through disabled, which resets the LAPIC, so
 * lapic_init() follows). Returns false if the MSR write faulted.
 */
bool lapic_set_mode(enum lapic_mode mode);

/* This CPU's LAPIC mode. */
static inline enum lapic_mode lapic_mode(void)
{
	return this_cpu()->mode;
}

const char *lapic_mode_name(enum lapic_mode mode);

u32 lapic_read(unsigned int reg);
void lapic_write(unsigned int reg, u32 value);

/* The ID: bits 31:24 of APIC_ID in xAPIC mode, all 32 in x2APIC mode. */
u32 lapic_id(void);

static inline void lapic_eoi(void)
{
	lapic_write(APIC_EOI, 0);
}

/*
 * Sends an IPI: low is the ICR's low word (vector, delivery mode,
 * shorthand), dest an APIC ID (ignored with a shorthand). In xAPIC mode
 * waits (bounded) for the delivery status to go idle first.
 */
void lapic_send_ipi(u32 dest, u32 low);

/* A fixed IPI of vector to this CPU (the ICR's self shorthand). */
void lapic_self_ipi(u8 vector);

/* Bit vector of the 256-bit ISR, TMR or IRR (base APIC_ISR...) is set. */
bool lapic_vector_bit(unsigned int base, u8 vector);

/* Masks and stops the timer. */
void lapic_timer_stop(void);

/* The divide configuration's encoding for a divisor 1..128 (10.5.4). */
u32 lapic_tdcr_for(unsigned int divisor);

#endif /* HVM_LAPIC_H */
