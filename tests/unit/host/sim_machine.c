/*
 * The simulated machine (tests/unit/host/sim_machine.h): CPUs, clock,
 * clock event devices and IPIs for host tests of common/timer.c,
 * common/softirq.c and the scheduler, and the kernel heap on libc's (so
 * that the sanitizers see every allocation).
 */
#include "sim_machine.h"

#include <asm/system.h>
#include <clockevent.h>
#include <cpumask.h>
#include <panic.h>
#include <percpu.h>
#include <setjmp.h>
#include <smp.h>
#include <softirq.h>
#include <stdlib.h>
#include <string.h>
#include <symbols.h>
#include <systime.h>
#include <trace.h>
#include <xmalloc.h>

/* More rounds of softirqs than this without quiescing is a livelock. */
#define SIM_MAX_ROUNDS 100000

struct sim_cpu {
	s_time_t deadline; /* the clock event device's; 0: disarmed */
	clockevent_handler_t handler;
	s_time_t event_at; /* the CPU event's; 0: none */
	sim_event_fn event_fn;
	u64 interrupts;
	u64 ipis;
};

static struct sim_cpu sim_cpus[NR_CPUS];
static unsigned int sim_nr_cpus;
static s_time_t sim_time;
/* Where sim_abandon_stack() goes back to: the CPU's softirq run. */
static jmp_buf softirq_run_jmp;
static bool in_softirq_run;

unsigned int nr_cpu_ids;
unsigned int trace_classes; /* tracing stays off */

/* ------------------------------------------------------------------ */
/* The machine                                                         */

void sim_init(unsigned int nr_cpus)
{
	unsigned int cpu;

	ASSERT(nr_cpus > 0 && nr_cpus <= NR_CPUS && !sim_nr_cpus);
	sim_nr_cpus = nr_cpus;
	nr_cpu_ids = nr_cpus;
	for (cpu = 0; cpu < nr_cpus; cpu++) {
		if (percpu_alloc_area(cpu))
			panic("no memory for CPU %u's per-CPU area", cpu);
		cpumask_set_cpu(cpu, &cpu_online_map);
	}
	local_irq_enable();
	sim_enter(0);
}

void sim_enter(unsigned int cpu)
{
	ASSERT(cpu < sim_nr_cpus);
	percpu_enter(cpu);
}

s_time_t sim_now(void)
{
	return sim_time;
}

s_time_t get_s_time(void)
{
	return sim_time;
}

bool time_ready(void)
{
	return true;
}

/* Runs cpu's softirqs once through; true if any was pending. */
static bool run_cpu_softirqs(unsigned int cpu)
{
	sim_enter(cpu);
	if (!softirq_pending())
		return false;
	ASSERT(!in_softirq_run);
	in_softirq_run = true;
	if (setjmp(softirq_run_jmp) == 0)
		do_softirq();
	/* else: switched away; what is still pending runs next round. */
	in_softirq_run = false;
	ASSERT(local_irq_is_enabled());
	return true;
}

void sim_run_softirqs(void)
{
	unsigned int rounds, cpu;
	bool ran = true;

	for (rounds = 0; ran; rounds++) {
		if (rounds == SIM_MAX_ROUNDS)
			panic("softirqs still pending after %u rounds",
			      SIM_MAX_ROUNDS);
		ran = false;
		for (cpu = 0; cpu < sim_nr_cpus; cpu++)
			ran |= run_cpu_softirqs(cpu);
	}
	sim_enter(0);
}

void sim_abandon_stack(void)
{
	ASSERT(in_softirq_run);
	longjmp(softirq_run_jmp, 1);
}

/* The CPU whose clock event (else CPU event) comes first, with *when. */
static bool next_event(s_time_t *when, unsigned int *cpu_out, bool *is_clock)
{
	bool found = false;
	unsigned int cpu;

	for (cpu = 0; cpu < sim_nr_cpus; cpu++) {
		struct sim_cpu *c = &sim_cpus[cpu];

		if (c->deadline && (!found || c->deadline < *when)) {
			*when = c->deadline;
			*cpu_out = cpu;
			*is_clock = true;
			found = true;
		}
		if (c->event_at && (!found || c->event_at < *when)) {
			*when = c->event_at;
			*cpu_out = cpu;
			*is_clock = false;
			found = true;
		}
	}
	return found;
}

/* cpu's timer interrupt: the handler in IRQ context, interrupts off. */
static void fire_clock_event(unsigned int cpu)
{
	struct sim_cpu *c = &sim_cpus[cpu];

	c->deadline = 0;
	c->interrupts++;
	sim_enter(cpu);
	local_irq_disable();
	irq_enter();
	if (c->handler)
		c->handler();
	irq_exit();
	local_irq_enable();
}

static void fire_cpu_event(unsigned int cpu)
{
	struct sim_cpu *c = &sim_cpus[cpu];
	sim_event_fn fn = c->event_fn;

	c->event_at = 0;
	c->event_fn = NULL;
	sim_enter(cpu);
	fn(cpu);
}

void sim_run_until(s_time_t end)
{
	unsigned int cpu = 0;
	bool is_clock = false;
	s_time_t when = 0;

	ASSERT(end >= sim_time);
	for (;;) {
		sim_run_softirqs();
		if (!next_event(&when, &cpu, &is_clock) || when > end)
			break;
		/* A deadline already past fires now (late, never early). */
		if (when > sim_time)
			sim_time = when;
		if (is_clock)
			fire_clock_event(cpu);
		else
			fire_cpu_event(cpu);
	}
	sim_time = end;
	sim_enter(0);
}

void sim_run_for(s_time_t delta)
{
	sim_run_until(sim_time + delta);
}

void sim_set_cpu_event(unsigned int cpu, s_time_t t, sim_event_fn fn)
{
	ASSERT(cpu < sim_nr_cpus && (!t || fn));
	sim_cpus[cpu].event_at = t;
	sim_cpus[cpu].event_fn = t ? fn : NULL;
}

s_time_t sim_armed_deadline(unsigned int cpu)
{
	return sim_cpus[cpu].deadline;
}

u64 sim_interrupts(unsigned int cpu)
{
	return sim_cpus[cpu].interrupts;
}

u64 sim_ipis(unsigned int cpu)
{
	return sim_cpus[cpu].ipis;
}

/* ------------------------------------------------------------------ */
/* include/clockevent.h: one exact one-shot device per CPU             */

bool reprogram_timer(s_time_t deadline)
{
	struct sim_cpu *c = &sim_cpus[smp_processor_id()];

	if (deadline && deadline <= sim_time)
		return false;
	c->deadline = deadline;
	return true;
}

s_time_t clockevent_armed_deadline(void)
{
	return sim_cpus[smp_processor_id()].deadline;
}

clockevent_handler_t clockevent_set_handler(clockevent_handler_t fn)
{
	struct sim_cpu *c = &sim_cpus[smp_processor_id()];
	clockevent_handler_t old = c->handler;

	c->handler = fn;
	return old;
}

/* ------------------------------------------------------------------ */
/* include/smp.h: event-check IPIs, counted                            */

void smp_send_event_check_cpu(unsigned int cpu)
{
	ASSERT(cpu < sim_nr_cpus);
	sim_cpus[cpu].ipis++;
}

void smp_send_event_check_mask(const cpumask_t *mask)
{
	unsigned int cpu;

	for_each_cpu (cpu, mask)
		smp_send_event_check_cpu(cpu);
}

/* ------------------------------------------------------------------ */
/* What the code under test links against besides                      */

void __trace(unsigned int event, u32 a, u64 b, u64 c)
{
}

const char *symbols_lookup(unsigned long addr, unsigned long *offset,
			   unsigned long *size)
{
	return NULL;
}

void *xmalloc_bytes(size_t size)
{
	return malloc(size ? size : 1);
}

void *xzalloc_bytes(size_t size)
{
	return calloc(1, size ? size : 1);
}

void *xmalloc_array_bytes(size_t size, size_t n)
{
	size_t bytes;

	if (__builtin_mul_overflow(size, n, &bytes))
		return NULL;
	return xmalloc_bytes(bytes);
}

void xfree(void *p)
{
	free(p);
}

/* include/string.h's, which not every host libc has. */
size_t strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = 0;

	while (src[len])
		len++;
	if (size) {
		size_t n = len < size - 1 ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}
