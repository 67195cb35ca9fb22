/*
 * Per-CPU areas for host unit tests (include/percpu.h): each simulated CPU
 * gets a heap copy of the template that tests/unit/host/percpu.ld
 * brackets, and percpu_enter() makes the calling thread play that CPU.
 * The template itself is never written, as in the kernel.
 */
#include <errno.h>
#include <panic.h>
#include <percpu.h>
#include <stdlib.h>
#include <string.h>

_Thread_local unsigned long host_this_cpu_offset;
unsigned long per_cpu_offset[NR_CPUS];
DEFINE_PER_CPU(unsigned int, cpu_id);

extern char __per_cpu_start[], __per_cpu_end[];

/* The copies, kept where the leak checker sees them reachable. */
static char *areas[NR_CPUS];

int percpu_alloc_area(unsigned int cpu)
{
	size_t size = __per_cpu_end - __per_cpu_start;
	char *area = aligned_alloc(64, size);

	if (!area)
		return -ENOMEM;
	memcpy(area, __per_cpu_start, size);
	free(areas[cpu]);
	areas[cpu] = area;
	per_cpu_offset[cpu] = (unsigned long)(area - __per_cpu_start);
	per_cpu(cpu_id, cpu) = cpu;
	return 0;
}

void percpu_enter(unsigned int cpu)
{
	ASSERT(per_cpu_offset[cpu] != 0);
	host_this_cpu_offset = per_cpu_offset[cpu];
}

void percpu_init_boot_cpu(void)
{
	if (percpu_alloc_area(0))
		panic("no memory for CPU 0's per-CPU area");
	percpu_enter(0);
}
