/*
 * Per-CPU state. A CPU's slot is named by its stack: every CPU runs on
 * cpu_stacks[slot] (entry.S), interrupts included (no IST, no privilege
 * change), so this_cpu() needs no segment base and no MSR, and survives a
 * guest that scribbles on FS/GS bases (the fuzz kernel does).
 *
 * Slot 0 is the boot CPU; APs take slots 1.. in the order they reach
 * ap_entry32 (entry.S), whatever their APIC IDs.
 */
#ifndef HVM_CPU_H
#define HVM_CPU_H

#include "arch.h"

enum lapic_mode {
	LAPIC_XAPIC,  /* MMIO at the IA32_APIC_BASE address */
	LAPIC_X2APIC, /* MSRs 0x800-0x8ff */
};

struct cpu {
	unsigned int slot;    /* index in cpus[] */
	u32 apic_id;	      /* as read from its LAPIC when it came up */
	volatile bool online; /* set by the CPU itself once it runs C */
	enum lapic_mode mode; /* its LAPIC's mode: lapic.c keeps it current */
	/* The last expected fault (traps.h): vector or -1, error code. */
	volatile int fault_vector;
	volatile u64 fault_error;
	/* Work from the boot CPU (smp.h): run when work_seq != done_seq. */
	void (*volatile work_fn)(void *arg);
	void *volatile work_arg;
	volatile u32 work_seq, done_seq;
};

extern struct cpu cpus[MAX_CPUS];
extern u8 cpu_stacks[MAX_CPUS * CPU_STACK_SIZE];
extern unsigned int nr_cpus_online; /* boot CPU included */

static inline unsigned int this_slot(void)
{
	u64 rsp;

	__asm__ __volatile__("mov %%rsp, %0" : "=r"(rsp));
	return (unsigned int)((rsp - (u64)cpu_stacks) >> CPU_STACK_SHIFT);
}

static inline struct cpu *this_cpu(void)
{
	return &cpus[this_slot()];
}

#endif /* HVM_CPU_H */
