/*
 * The virtual local APIC of an HVM vCPU (arch/x86/hvm/vlapic.c): xAPIC
 * (the MMIO page at HVM_LAPIC_BASE, which the nested page tables leave
 * unmapped so that every access exits) and x2APIC (MSRs 0x800-0x8ff)
 * register files, interrupt acceptance (IRR, ISR, TMR, PPR), IPIs between
 * the vCPUs of one domain (fixed, NMI, INIT, start-up) and the timer in
 * one-shot, periodic and TSC-deadline modes, each backed by an ordinary
 * timer of the timer core on the vCPU's CPU (Intel SDM Vol. 3A, chapter
 * 11 "Advanced Programmable Interrupt Controller"; AMD APM Vol. 2, 16).
 *
 * The timer's input clock is 1 GHz, as QEMU's: one count is one
 * nanosecond times the divide configuration.
 *
 * Interrupts from devices arrive as messages from the I/O APIC
 * (vioapic.h, vlapic_deliver_msg()); the EOI of a level-triggered one
 * (its TMR bit set) goes back to the I/O APIC (vioapic_eoi()).
 *
 * Concurrency: the register file belongs to the vCPU and changes only
 * in its own exits (on its CPU), except
 *  - IRR: set by any CPU (vlapic_set_irq(), atomic), cleared by the vCPU;
 *  - TMR: set or cleared by any CPU as it sets the vector's IRR bit
 *    (atomic, before the IRR bit), read by the vCPU at EOI;
 *  - the timer's fields: under timer_lock, since the timer callback runs
 *    in TIMER_SOFTIRQ on the vCPU's CPU while the vCPU may be descheduled.
 */
#ifndef ASM_X86_HVM_VLAPIC_H
#define ASM_X86_HVM_VLAPIC_H

#include <spinlock.h>
#include <timer.h>
#include <types.h>

struct domain;
struct vcpu;

/* Register offsets (SDM Vol. 3A, table 11-1). */
#define APIC_ID	      0x020
#define APIC_LVR      0x030
#define APIC_TASKPRI  0x080
#define APIC_ARBPRI   0x090
#define APIC_PROCPRI  0x0a0
#define APIC_EOI      0x0b0
#define APIC_RRR      0x0c0
#define APIC_LDR      0x0d0
#define APIC_DFR      0x0e0
#define APIC_SPIV     0x0f0
#define APIC_ISR      0x100
#define APIC_TMR      0x180
#define APIC_IRR      0x200
#define APIC_ESR      0x280
#define APIC_LVT_CMCI 0x2f0
#define APIC_ICR      0x300
#define APIC_ICR2     0x310
#define APIC_LVTT     0x320
#define APIC_LVTTHMR  0x330
#define APIC_LVTPC    0x340
#define APIC_LVT0     0x350
#define APIC_LVT1     0x360
#define APIC_LVTERR   0x370
#define APIC_TMICT    0x380
#define APIC_TMCCT    0x390
#define APIC_TDCR     0x3e0
#define APIC_SELF_IPI 0x3f0 /* x2APIC only */

#define MSR_IA32_APICBASE     0x1b
#define APICBASE_BSP	      (1ULL << 8)
#define APICBASE_EXTD	      (1ULL << 10) /* x2APIC mode */
#define APICBASE_ENABLE	      (1ULL << 11)
#define MSR_IA32_TSC_DEADLINE 0x6e0
#define MSR_X2APIC_FIRST      0x800
#define MSR_X2APIC_LAST	      0x8ff

/* The version register: version 0x14, six LVT entries (max index 5). */
#define VLAPIC_VERSION 0x00050014

struct vlapic {
	struct vcpu *vcpu;
	u32 regs[64];	      /* by offset >> 4, 0x000-0x3f0; not IRR/ISR/TMR */
	unsigned long irr[4]; /* requested vectors; set atomically by any CPU */
	unsigned long isr[4]; /* in service */
	unsigned long tmr[4]; /* accepted as level-triggered (any CPU) */
	u64 apic_base;	      /* IA32_APIC_BASE as the guest sees it */
	u32 esr_pending;      /* errors since the last ESR write */

	/* The timer (timer_lock). */
	spinlock_t timer_lock;
	struct timer timer;   /* on the vCPU's CPU, armed only while unmasked */
	s_time_t timer_start; /* one-shot/periodic: when the count was loaded */
	s_time_t timer_deadline; /* the next expiry in system time; 0 none */
	s_time_t timer_period;	 /* one count load, in ns */
	u64 tsc_deadline; /* TSC-deadline mode: the guest TSC value; 0 none */
	u64 timer_fires;  /* interrupts raised by the timer */
	u64 timer_missed; /* periodic periods folded into one (no burst) */
};

/* Sets up v's APIC in its reset state (xAPIC, software-disabled). */
void vlapic_init(struct vcpu *v, bool bsp);

/* Kills the timer; the vCPU runs nowhere. */
void vlapic_destroy(struct vcpu *v);

/* The INIT signal: every register back to its reset value but the ID. */
void vlapic_reset(struct vcpu *v);

/*
 * MMIO access to the xAPIC page (offset within it, size 1..8): 0, or
 * -EINVAL when the guest should not get what it asked for (the caller
 * reports the access once). Reads of unknown offsets return 0.
 */
int vlapic_mmio_read(struct vcpu *v, unsigned int offset, unsigned int size,
		     u64 *val);
int vlapic_mmio_write(struct vcpu *v, unsigned int offset, unsigned int size,
		      u64 val);

/*
 * The APIC's MSRs: IA32_APIC_BASE, IA32_TSC_DEADLINE and the x2APIC
 * range. 0, or -EINVAL: the guest gets #GP (a register that does not
 * exist in the current mode, a reserved bit, an illegal transition).
 */
bool vlapic_msr_owned(u32 msr);
int vlapic_msr_read(struct vcpu *v, u32 msr, u64 *val);
int vlapic_msr_write(struct vcpu *v, u32 msr, u64 val);

/* True if the xAPIC page is where the guest reaches its APIC now. */
bool vlapic_xapic_mode(const struct vcpu *v);

/*
 * Requests vector on v (from an IPI, the timer, a device): IRR set and v
 * woken or prodded. Vectors 0-15 are illegal: the receive-illegal-vector
 * error is recorded instead. Any context, any CPU.
 */
void vlapic_set_irq(struct vcpu *v, u8 vector);

/* Delivery modes of an interrupt message (SDM Vol. 3A, 11.6.1). */
#define VLAPIC_DM_FIXED	 0
#define VLAPIC_DM_LOWEST 1
#define VLAPIC_DM_NMI	 4
#define VLAPIC_DM_INIT	 5

/*
 * An interrupt message from a device of d (the I/O APIC), delivered as
 * an IPI with the same fields is: to every vCPU whose APIC matches dest,
 * an xAPIC-format 8-bit destination (0xff: every APIC; to an APIC in
 * x2APIC mode it is an x2APIC ID or, logical, a cluster-0 logical ID), in
 * physical or logical mode; lowest priority to the first vCPU that
 * matches. Fixed and lowest priority set the vector's TMR bit if level,
 * else clear it; NMI and INIT as from the ICR; other modes deliver
 * nothing. Any CPU, any context but NMI; takes no vLAPIC lock: waking a
 * halted vCPU takes the scheduler's, and an INIT that leaves the domain
 * nothing to run crashes it (hvm_check_stuck()).
 */
void vlapic_deliver_msg(struct domain *d, u8 dest, bool logical,
			unsigned int mode, u8 vector, bool level);

/*
 * The highest requested vector whose priority class is above the
 * in-service one (ignoring TPR), or -1. With *blocked_by_tpr set if TPR
 * keeps it from being delivered now. On v's CPU.
 */
int vlapic_pending_vector(struct vcpu *v, bool *blocked_by_tpr);

/* The guest takes vector: IRR -> ISR (at injection). On v's CPU. */
void vlapic_accept(struct vcpu *v, u8 vector);

/* TPR bits 7:4, for the VMCB's V_TPR, and back from the guest's CR8. */
u8 vlapic_tpr_class(const struct vcpu *v);
void vlapic_set_tpr_class(struct vcpu *v, u8 cls);

/* Moves the timer to cpu (with the vCPU). */
void vlapic_move_timer(struct vcpu *v, unsigned int cpu);

/* One line of the APIC's state for the 'q' key. */
void vlapic_dump(struct vcpu *v);

#endif /* ASM_X86_HVM_VLAPIC_H */
