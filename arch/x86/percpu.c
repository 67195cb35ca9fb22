/*
 * Per-CPU areas: copies of the template section the linker script collects
 * between __per_cpu_start and __per_cpu_end.
 */
#include <asm/processor.h>
#include <errno.h>
#include <page_alloc.h>
#include <panic.h>
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

int percpu_alloc_area(unsigned int cpu)
{
	size_t size = __per_cpu_end - __per_cpu_start;
	unsigned int order = 0;
	char *area;

	while ((PAGE_SIZE << order) < size)
		order++;
	area = alloc_pages_virt(order);
	if (!area)
		return -ENOMEM;
	memcpy(area, __per_cpu_start, size);
	*(unsigned long *)area = (unsigned long)(area - __per_cpu_start);
	per_cpu_offset[cpu] = (unsigned long)(area - __per_cpu_start);
	per_cpu(cpu_id, cpu) = cpu;
	return 0;
}

void percpu_enter(unsigned int cpu)
{
	ASSERT(per_cpu_offset[cpu] != 0);
	wrmsr(MSR_GS_BASE,
	      (unsigned long)__per_cpu_start + per_cpu_offset[cpu]);
}

void __init percpu_init_boot_cpu(void)
{
	/* The boot CPU's area is reserved in .bss by the linker script. */
	percpu_install(0, __per_cpu_bsp_area);
}
