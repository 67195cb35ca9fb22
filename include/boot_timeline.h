/*
 * The boot timeline: how long each phase of the boot took, measured on the
 * boot CPU's cycle counter from the first instruction of the hypervisor's
 * entry point (arch/x86/boot/head.S reads it there, before anything else).
 * Nothing the loader did before that is claimed. Cycles are turned into
 * time with the calibrated rate, so the report comes after time_init().
 *
 * Phases may leave gaps between them (the scheduler, the HVM set-up, the
 * debug keys...): those count as "rest", which is the total minus the
 * named phases, so the named phases and rest always add up to the total.
 *
 * Concurrency: boot CPU only, before the boot ends (the calls are __init).
 */
#ifndef KAIROS_BOOT_TIMELINE_H
#define KAIROS_BOOT_TIMELINE_H

#include <types.h>

enum boot_phase {
	BOOT_PHASE_EARLY,    /* first instruction to the first console line */
	BOOT_PHASE_MEMORY,   /* memory map, page tables, page allocator */
	BOOT_PHASE_ACPI,     /* CPU protections, ACPI, APIC, I/O APIC */
	BOOT_PHASE_CLOCKS,   /* platform clocks, TSC calibration, LAPIC timer */
	BOOT_PHASE_APS,	     /* AP bring-up: ends with every CPU online */
	BOOT_PHASE_TSC_SYNC, /* the TSC warp check across the CPUs */
	NR_BOOT_PHASES,
};

/* The cycle counter at the entry point's first instruction (head.S). */
extern u64 boot_entry_cycles;

/* Marks the start of phase now; BOOT_PHASE_EARLY starts at the entry. */
void boot_phase_begin(enum boot_phase phase);

/* Marks the end of phase now; a phase begun and not ended counts 0. */
void boot_phase_end(enum boot_phase phase);

/*
 * Ends the boot now and prints the one timeline line (the format is
 * parsed by tests/bench/bench.py and tests/harness/matrix.py):
 *   Boot timeline: early <ms>, memory <ms>, ..., rest <ms>; all CPUs
 *   online at <ms>, total <ms> (ms from the first instruction, TSC at <hz>)
 */
void boot_timeline_report(void);

#endif /* KAIROS_BOOT_TIMELINE_H */
