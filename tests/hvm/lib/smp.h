/*
 * The other CPUs: started by INIT-SIPI-SIPI (SDM Vol. 3A 8.4.4.1), one at
 * a time, each through trampoline.S and entry.S to ap_main(), which
 * brings its LAPIC up in the boot CPU's mode and then idles in HLT with
 * interrupts on, waiting for work.
 *
 * Work: the boot CPU posts a function to one AP's slot and wakes it with
 * a fixed IPI (VECTOR_WORK); the AP runs the function with interrupts on
 * and marks it done. One piece of work per AP at a time. Only the boot
 * CPU posts work.
 */
#ifndef HVM_SMP_H
#define HVM_SMP_H

#include "cpu.h"

typedef void (*work_fn_t)(void *arg);

struct smp_boot_report {
	unsigned int listed;   /* enabled CPUs in the MADT, boot CPU included */
	unsigned int started;  /* APs that came up */
	u32 missing[MAX_CPUS]; /* APIC IDs that never answered */
	unsigned int nr_missing;
	unsigned int over_limit; /* enabled CPUs beyond MAX_CPUS */
	u64 elapsed_ns;		 /* for the whole bring-up */
	u64 ap_ns[MAX_CPUS];	 /* per slot: INIT to online */
};

extern struct smp_boot_report smp_boot;

/* Starts every enabled MADT CPU but this one (boot CPU, interrupts on). */
void smp_start_aps(void);

/* Posts fn(arg) to slot's AP and wakes it; waits for its previous work. */
void smp_call(unsigned int slot, work_fn_t fn, void *arg);

/* Waits up to timeout_ns for slot's work to finish; false on timeout. */
bool smp_wait(unsigned int slot, u64 timeout_ns);

/* Both, on every online AP, then fn(arg) here; false if an AP timed out. */
bool smp_call_all(work_fn_t fn, void *arg, u64 timeout_ns);

/* Moves every online CPU's LAPIC to mode (the APs first); fatal on failure. */
void smp_set_lapic_mode(enum lapic_mode mode);

/* The slot of the online CPU with this APIC ID, or -1. */
int slot_of_apic_id(u32 apic_id);

#endif /* HVM_SMP_H */
