/*
 * Per-CPU areas: copies of the template section the linker script collects
 * between __per_cpu_start and __per_cpu_end.
 */
#include <asm/processor.h>
#include <percpu.h>
#include <string.h>

/* Must be first in the area: %gs:0 reads it (asm/percpu.h). */
__section(".data.percpu.first") unsigned long per_cpu__self_offset;

unsigned long per_cpu_offset[NR_CPUS];
DEFINE_PER_CPU(unsigned int, cpu_id);

extern char __per_cpu_start[], __per_cpu_end[], __per_cpu_bsp_area[];

/* Points GS at the copy at area and records its offset for CPU cpu. */
static void percpu_install(unsigned int cpu, char *area)
{
	unsigned long off = (unsigned long)(area - __per_cpu_start);

	memcpy(area, __per_cpu_start, __per_cpu_end - __per_cpu_start);
	*(unsigned long *)area = off;
	per_cpu_offset[cpu] = off;
	wrmsr(MSR_GS_BASE, (unsigned long)area);
	this_cpu(cpu_id) = cpu;
}

void __init percpu_init_boot_cpu(void)
{
	/* The boot CPU's area is reserved in .bss by the linker script. */
	percpu_install(0, __per_cpu_bsp_area);
}
