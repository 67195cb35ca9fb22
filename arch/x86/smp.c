/*
 * Cross-CPU function calls and stopping the other CPUs, by IPI.
 */
#include <asm/apic.h>
#include <asm/traps.h>
#include <atomic.h>
#include <cpumask.h>
#include <errno.h>
#include <irq.h>
#include <panic.h>
#include <percpu.h>
#include <smp.h>
#include <spinlock.h>
#include <trace.h>

#define CALL_FUNCTION_VECTOR 0xfb
/* Only wakes the CPU: it then looks for work (softirqs will use it too). */
#define EVENT_CHECK_VECTOR 0xfc
/* Bounded wait for stopped CPUs, in pause loops: a fatal path never hangs. */
#define STOP_WAIT_SPINS 100000000UL

static DEFINE_SPINLOCK(call_lock);

static struct call_data {
	void (*fn)(void *);
	void *arg;
	bool wait;
	cpumask_t pending; /* CPUs that have yet to read (or finish) the call */
} call_data;

static void call_function_interrupt(struct cpu_user_regs *regs)
{
	unsigned int cpu = smp_processor_id();
	void (*fn)(void *) = READ_ONCE(call_data.fn);
	void *arg = READ_ONCE(call_data.arg);

	apic_eoi();
	if (!call_data.wait) {
		smp_mb();
		cpumask_clear_cpu(cpu, &call_data.pending);
		fn(arg);
		return;
	}
	fn(arg);
	smp_mb();
	cpumask_clear_cpu(cpu, &call_data.pending);
}

void on_selected_cpus(const cpumask_t *mask, void (*fn)(void *), void *arg,
		      bool wait)
{
	unsigned int self = smp_processor_id(), cpu;

	ASSERT(local_irq_is_enabled());
	spin_lock(&call_lock);
	call_data.fn = fn;
	call_data.arg = arg;
	call_data.wait = wait;
	cpumask_and(&call_data.pending, mask, &cpu_online_map);
	cpumask_clear_cpu(self, &call_data.pending);
	smp_mb();
	for_each_cpu (cpu, &call_data.pending) {
		trace(TRACE_CLASS_IRQ, TRACE_IPI_SEND, CALL_FUNCTION_VECTOR,
		      cpu, 0);
		apic_send_ipi(cpu_apic_id[cpu], APIC_DM_FIXED,
			      CALL_FUNCTION_VECTOR);
	}
	if (cpumask_test_cpu(self, mask)) {
		local_irq_disable();
		fn(arg);
		local_irq_enable();
	}
	while (!cpumask_empty(&call_data.pending))
		cpu_relax();
	spin_unlock(&call_lock);
}

void smp_call_function(void (*fn)(void *), void *arg, bool wait)
{
	cpumask_t others;

	cpumask_copy(&others, &cpu_online_map);
	cpumask_clear_cpu(smp_processor_id(), &others);
	on_selected_cpus(&others, fn, arg, wait);
}

static volatile bool stopping;
static atomic_t cpus_stopped;

bool smp_stop_requested(void)
{
	return READ_ONCE(stopping);
}

void smp_stopped_by_nmi(void)
{
	atomic_inc(&cpus_stopped);
	for (;;)
		__asm__ __volatile__("cli; hlt");
}

void smp_send_stop(void)
{
	unsigned int self = smp_processor_id(), cpu;
	int others = num_online_cpus() - 1;
	unsigned long spins;

	if (others <= 0 ||
	    __atomic_exchange_n(&stopping, true, __ATOMIC_SEQ_CST))
		return;
	for_each_online_cpu (cpu)
		if (cpu != self)
			apic_send_ipi(cpu_apic_id[cpu], APIC_DM_NMI, 0);
	for (spins = 0; spins < STOP_WAIT_SPINS; spins++) {
		if (atomic_read(&cpus_stopped) >= others)
			return;
		cpu_relax();
	}
}

/*
 * Idle work: one slot per CPU, run by that CPU's idle loop with interrupts
 * enabled. CLAIMED marks a slot being filled, so that a second poster sees
 * it busy before the first has written arg.
 */
#define IDLE_WORK_CLAIMED ((void (*)(void *))1)

struct idle_work {
	void (*fn)(void *);
	void *arg;
};
static DEFINE_PER_CPU(struct idle_work, idle_work);

static void event_check_interrupt(struct cpu_user_regs *regs)
{
	apic_eoi();
}

int smp_call_in_idle(unsigned int cpu, void (*fn)(void *), void *arg)
{
	struct idle_work *w;
	void (*expected)(void *) = NULL;

	if (cpu == smp_processor_id() || !cpu_online(cpu) || !fn)
		return -EINVAL;
	w = &per_cpu(idle_work, cpu);
	if (!__atomic_compare_exchange_n(&w->fn, &expected, IDLE_WORK_CLAIMED,
					 false, __ATOMIC_ACQUIRE,
					 __ATOMIC_RELAXED))
		return -EBUSY;
	w->arg = arg;
	__atomic_store_n(&w->fn, fn, __ATOMIC_RELEASE);
	return apic_send_ipi(cpu_apic_id[cpu], APIC_DM_FIXED,
			     EVENT_CHECK_VECTOR);
}

bool idle_work_pending(void)
{
	void (*fn)(void *) =
		__atomic_load_n(&this_cpu(idle_work).fn, __ATOMIC_ACQUIRE);

	return fn && fn != IDLE_WORK_CLAIMED;
}

void idle_run_work(void)
{
	struct idle_work *w = &this_cpu(idle_work);
	void (*fn)(void *) = __atomic_load_n(&w->fn, __ATOMIC_ACQUIRE);
	void *arg;

	if (!fn || fn == IDLE_WORK_CLAIMED)
		return;
	arg = w->arg;
	/* Free the slot first: fn may post new work to this CPU. */
	__atomic_store_n(&w->fn, NULL, __ATOMIC_RELEASE);
	fn(arg);
}

void smp_send_event_check_cpu(unsigned int cpu)
{
	trace(TRACE_CLASS_IRQ, TRACE_IPI_SEND, EVENT_CHECK_VECTOR, cpu, 0);
	apic_send_ipi(cpu_apic_id[cpu], APIC_DM_FIXED, EVENT_CHECK_VECTOR);
}

void smp_send_event_check_mask(const cpumask_t *mask)
{
	unsigned int self = smp_processor_id(), cpu;
	cpumask_t others, targets;

	cpumask_copy(&others, &cpu_online_map);
	cpumask_clear_cpu(self, &others);
	cpumask_and(&targets, mask, &others);
	if (cpumask_empty(&targets))
		return;
	if (cpumask_equal(&targets, &others)) {
		trace(TRACE_CLASS_IRQ, TRACE_IPI_SEND, EVENT_CHECK_VECTOR,
		      ~0ULL, 0);
		apic_send_ipi_allbutself(EVENT_CHECK_VECTOR);
		return;
	}
	for_each_cpu (cpu, &targets)
		smp_send_event_check_cpu(cpu);
}

void __init smp_init_ipis(void)
{
	set_irq_handler(CALL_FUNCTION_VECTOR, call_function_interrupt);
	set_irq_handler(EVENT_CHECK_VECTOR, event_check_interrupt);
}
