/*
 * Softirqs (include/softirq.h): per-CPU pending bits, run lowest number
 * first by do_softirq() at the outermost level, as in Xen's
 * common/softirq.c. An interrupt handler only raises; the idle loop (and,
 * with guests, the way back to ring 3) runs them.
 */
#include <atomic.h>
#include <irq.h>
#include <panic.h>
#include <percpu.h>
#include <smp.h>
#include <softirq.h>
#include <trace.h>

BUILD_BUG_ON(NR_SOFTIRQS > BITS_PER_LONG);

static softirq_handler_t softirq_handlers[NR_SOFTIRQS];

static DEFINE_PER_CPU(unsigned long, softirq_bits);
static DEFINE_PER_CPU(bool, in_softirq);
static DEFINE_PER_CPU(unsigned int, irq_depth);
static DEFINE_PER_CPU(u64[NR_SOFTIRQS], softirq_runs);

void open_softirq(unsigned int nr, softirq_handler_t handler)
{
	ASSERT(nr < NR_SOFTIRQS && handler);
	ASSERT(!softirq_handlers[nr] || softirq_handlers[nr] == handler);
	softirq_handlers[nr] = handler;
}

void raise_softirq(unsigned int nr)
{
	ASSERT(nr < NR_SOFTIRQS);
	trace(TRACE_CLASS_SOFTIRQ, TRACE_SOFTIRQ_RAISE, nr, smp_processor_id(),
	      0);
	set_bit(nr, &this_cpu(softirq_bits));
}

void cpu_raise_softirq(unsigned int cpu, unsigned int nr)
{
	ASSERT(nr < NR_SOFTIRQS && cpu_online(cpu));
	trace(TRACE_CLASS_SOFTIRQ, TRACE_SOFTIRQ_RAISE, nr, cpu, 0);
	/* A bit already set has an IPI, or a run, on its way. */
	if (!test_and_set_bit(nr, &per_cpu(softirq_bits, cpu)) &&
	    cpu != smp_processor_id())
		smp_send_event_check_cpu(cpu);
}

void cpumask_raise_softirq(const cpumask_t *mask, unsigned int nr)
{
	unsigned int cpu, self = smp_processor_id();
	cpumask_t kick;

	ASSERT(nr < NR_SOFTIRQS);
	cpumask_clear(&kick);
	for_each_cpu (cpu, mask) {
		if (!cpu_online(cpu))
			continue;
		if (!test_and_set_bit(nr, &per_cpu(softirq_bits, cpu)) &&
		    cpu != self)
			cpumask_set_cpu(cpu, &kick);
	}
	smp_send_event_check_mask(&kick);
}

bool softirq_pending(void)
{
	return READ_ONCE(this_cpu(softirq_bits)) != 0;
}

/* Runs pending softirqs except those in ignore; lowest number first. */
static void run_softirqs(unsigned long ignore)
{
	bool *busy = &this_cpu(in_softirq);

	ASSERT(local_irq_is_enabled());
	ASSERT(!in_irq());
	if (*busy)
		return; /* called from a handler: the outer loop goes on */
	*busy = true;
	for (;;) {
		unsigned long pending =
			READ_ONCE(this_cpu(softirq_bits)) & ~ignore;
		unsigned int nr;

		if (!pending)
			break;
		nr = __builtin_ctzl(pending);
		/* Cleared before the handler: a raise during it runs again. */
		test_and_clear_bit(nr, &this_cpu(softirq_bits));
		this_cpu(softirq_runs)[nr]++;
		ASSERT(softirq_handlers[nr]);
		trace(TRACE_CLASS_SOFTIRQ, TRACE_SOFTIRQ_ENTRY, nr, 0, 0);
		softirq_handlers[nr]();
		trace(TRACE_CLASS_SOFTIRQ, TRACE_SOFTIRQ_EXIT, nr, 0, 0);
	}
	*busy = false;
}

void do_softirq(void)
{
	run_softirqs(0);
}

void process_pending_softirqs(void)
{
	run_softirqs(1UL << SCHEDULE_SOFTIRQ);
}

void softirq_abandon_stack(void)
{
	ASSERT(!in_irq());
	if (this_cpu(in_softirq))
		trace(TRACE_CLASS_SOFTIRQ, TRACE_SOFTIRQ_EXIT, SCHEDULE_SOFTIRQ,
		      0, 0);
	this_cpu(in_softirq) = false;
}

u64 softirq_run_count(unsigned int cpu, unsigned int nr)
{
	ASSERT(nr < NR_SOFTIRQS);
	return per_cpu(softirq_runs, cpu)[nr];
}

void irq_enter(void)
{
	this_cpu(irq_depth)++;
}

void irq_exit(void)
{
	ASSERT(this_cpu(irq_depth) > 0);
	this_cpu(irq_depth)--;
}

bool in_irq(void)
{
	return this_cpu(irq_depth) != 0;
}
