/*
 * The hardware report (common/hwreport.c, docs/command-line.md
 * `hwreport`, debug key 'i'): in one block between marker lines, what
 * the kernel found (CPU, ACPI tables, timers, CPUs, memory) and what it
 * chose from it (clocksource, clock events, the TSC's rate) with the
 * reasons, for a user to paste into an issue.
 *
 * Concurrency: hwreport_print() runs on any CPU in thread context (the
 * end of boot, or the key tasklet), once the clocks and the APs are up;
 * it reads boot-time state that no longer changes, and prints.
 */
#ifndef KAIROS_HWREPORT_H
#define KAIROS_HWREPORT_H

#include <types.h>

#define HW_CPU_MAX_FEATURES 16

/* One CPU feature the report names, and whether the CPU has it. */
struct hw_cpu_feature {
	const char *name; /* short, lower case: "x2apic", "svm" */
	bool present;
};

/* The boot CPU as it describes itself (arch_hwreport_cpu()). */
struct hw_cpu_info {
	char vendor[13]; /* NUL-terminated */
	char brand[49];	 /* NUL-terminated; "" if the CPU has none */
	unsigned int family, model, stepping; /* with the extended fields */
	unsigned int nr_features;
	struct hw_cpu_feature features[HW_CPU_MAX_FEATURES];
};

/* Prints the report. Thread context, after boot (see above). */
void hwreport_print(void);

/* True if the command line asked for the report at the end of boot. */
bool hwreport_requested(void);

/* The arch part: fills info from the calling CPU. Any context. */
void arch_hwreport_cpu(struct hw_cpu_info *info);

#endif /* KAIROS_HWREPORT_H */
