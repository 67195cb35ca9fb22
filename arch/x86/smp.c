/*
 * Cross-CPU function calls and stopping the other CPUs, by IPI.
 */
#include <asm/apic.h>
#include <asm/traps.h>
#include <atomic.h>
#include <cpumask.h>
#include <irq.h>
#include <panic.h>
#include <percpu.h>
#include <smp.h>
#include <spinlock.h>

#define CALL_FUNCTION_VECTOR 0xfb
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
	for_each_cpu (cpu, &call_data.pending)
		apic_send_ipi(cpu_apic_id[cpu], APIC_DM_FIXED,
			      CALL_FUNCTION_VECTOR);
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

void __init smp_init_ipis(void)
{
	set_irq_handler(CALL_FUNCTION_VECTOR, call_function_interrupt);
}
