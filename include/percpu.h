/*
 * Per-CPU variables. DEFINE_PER_CPU places a variable in the per-CPU
 * template section; each CPU runs on its own copy of the template, reached
 * through this_cpu(name) (one GS-relative load plus an add) or, for another
 * CPU, per_cpu(name, cpu).
 *
 * Concurrency: this_cpu() is only meaningful while the caller cannot
 * migrate (hypervisor code never migrates between CPUs mid-function).
 * per_cpu() on another CPU's variable needs whatever locking that variable
 * documents.
 */
#ifndef KAIROS_PERCPU_H
#define KAIROS_PERCPU_H

#include <asm/percpu.h>
#include <compiler.h>
#include <config.h>

#define DECLARE_PER_CPU(type, name) extern __typeof__(type) per_cpu__##name
#define DEFINE_PER_CPU(type, name) \
	__section(".data.percpu") __typeof__(type) per_cpu__##name

/* Offset of each CPU's copy from the template; 0 means "no area yet". */
extern unsigned long per_cpu_offset[NR_CPUS];

/* Hides the pointer arithmetic from the optimiser (the template is not an object we index). */
#define RELOC_HIDE(ptr, off)                        \
	({                                          \
		unsigned long __p;                  \
		__asm__("" : "=r"(__p) : "0"(ptr)); \
		(__typeof__(ptr))(__p + (off));     \
	})

#define per_cpu(name, cpu) (*RELOC_HIDE(&per_cpu__##name, per_cpu_offset[cpu]))
#define this_cpu(name)	   (*RELOC_HIDE(&per_cpu__##name, arch_this_cpu_offset()))

DECLARE_PER_CPU(unsigned int, cpu_id);

/* The number of the calling CPU (0 is the boot CPU). */
#define smp_processor_id() (this_cpu(cpu_id))

/* Gives the boot CPU its per-CPU area; the first thing C code does. */
void percpu_init_boot_cpu(void);

/*
 * Allocates and fills CPU cpu's area from the template (boot CPU, before
 * starting that CPU). Returns 0 or -ENOMEM.
 */
int percpu_alloc_area(unsigned int cpu);

/* Makes the caller's per-CPU accesses reach CPU cpu's area (that CPU only). */
void percpu_enter(unsigned int cpu);

#endif /* KAIROS_PERCPU_H */
