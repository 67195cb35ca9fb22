/*
 * Cross-CPU function calls, and the NMIs that stop the other CPUs or have
 * them print their state.
 */
#include <asm/apic.h>
#include <asm/desc.h>
#include <asm/traps.h>
#include <atomic.h>
#include <clockevent.h>
#include <cpumask.h>
#include <cycles.h>
#include <errno.h>
#include <irq.h>
#include <panic.h>
#include <percpu.h>
#include <printk.h>
#include <smp.h>
#include <spinlock.h>
#include <systime.h>
#include <trace.h>

/*
 * Bounds of the NMI paths, in milliseconds of the waiting CPU's TSC: a
 * fatal path never hangs on a CPU that does not answer.
 */
#define STOP_ARRIVE_MS	     1000  /* every CPU takes the stop NMI */
#define REPORT_CPU_MS	     1000  /* one CPU prints its state */
#define STOP_REPORT_TOTAL_MS 20000 /* all the stopped CPUs' reports */
/* The TSC rate to assume before calibration (there is one CPU then). */
#define ASSUMED_TSC_HZ 4000000000UL

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

/* ------------------------------------------------------------------ */
/* NMIs: stopping the other CPUs, and their reports                     */

/* The TSC value ms milliseconds from now on the calling CPU. */
static u64 cycles_deadline(unsigned int ms)
{
	u64 hz = tsc_hz() ? tsc_hz() : ASSUMED_TSC_HZ;

	return get_cycles() + hz / 1000 * ms;
}

/*
 * The stop (smp_send_stop()). Written by the stopping CPU before its
 * NMIs go out; each stopped CPU marks itself arrived and, with report,
 * waits for its turn, prints, marks itself reported and halts.
 */
static struct {
	bool claimed;	/* by the first smp_send_stop() */
	bool requested; /* NMIs now stop (report is set by then) */
	bool report;
	bool reports_over; /* no more turns: stop waiting for one */
	int turn;	   /* the CPU whose report is due; -1: none */
	cpumask_t arrived;
	cpumask_t reported;
} stop = {.turn = -1};

/* The d key's dump (smp_dump_cpus()): one CPU at a time. */
static DEFINE_SPINLOCK(dump_lock);
static cpumask_t dump_pending; /* asked to print, not started yet */
static cpumask_t dump_done;

static void __noreturn stop_this_cpu(const struct cpu_user_regs *regs)
{
	unsigned int self = smp_processor_id();
	u64 end = cycles_deadline(STOP_ARRIVE_MS + STOP_REPORT_TOTAL_MS);

	cpumask_set_cpu(self, &stop.arrived);
	if (READ_ONCE(stop.report)) {
		while (READ_ONCE(stop.turn) != (int)self &&
		       !READ_ONCE(stop.reports_over) && get_cycles() < end)
			cpu_relax();
		if (READ_ONCE(stop.turn) == (int)self) {
			pr_emerg("*** CPU %u stopped by NMI:\n", self);
			show_execution_state(regs);
			smp_mb();
			cpumask_set_cpu(self, &stop.reported);
		}
	}
	for (;;)
		__asm__ __volatile__("cli; hlt");
}

bool smp_handle_nmi(const struct cpu_user_regs *regs)
{
	unsigned int self = smp_processor_id();

	if (READ_ONCE(stop.requested))
		stop_this_cpu(regs);
	if (!cpumask_test_and_clear_cpu(self, &dump_pending))
		return false;
	pr_emerg("*** CPU %u (by NMI):\n", self);
	show_execution_state(regs);
	smp_mb();
	cpumask_set_cpu(self, &dump_done);
	return true;
}

/* Gives each stopped CPU its turn to report, in CPU order, bounded. */
static void collect_reports(unsigned int self)
{
	u64 all_end = cycles_deadline(STOP_REPORT_TOTAL_MS), end;
	unsigned int cpu;

	for_each_online_cpu (cpu) {
		if (cpu == self)
			continue;
		if (!cpumask_test_cpu(cpu, &stop.arrived)) {
			pr_emerg(
				"*** CPU %u did not take the stop NMI within %u ms\n",
				cpu, STOP_ARRIVE_MS);
			continue;
		}
		if (get_cycles() >= all_end) {
			pr_emerg(
				"*** %u ms of reports are up: CPU %u and later not reported\n",
				STOP_REPORT_TOTAL_MS, cpu);
			break;
		}
		WRITE_ONCE(stop.turn, (int)cpu);
		end = cycles_deadline(REPORT_CPU_MS);
		while (!cpumask_test_cpu(cpu, &stop.reported) &&
		       get_cycles() < end)
			cpu_relax();
		if (!cpumask_test_cpu(cpu, &stop.reported))
			pr_emerg(
				"*** CPU %u: report not finished within %u ms\n",
				cpu, REPORT_CPU_MS);
	}
	WRITE_ONCE(stop.turn, -1);
	WRITE_ONCE(stop.reports_over, true);
}

void smp_send_stop(bool report)
{
	unsigned int self = smp_processor_id(), cpu;
	unsigned int others = num_online_cpus() - 1;
	u64 end;

	if (others == 0 ||
	    __atomic_exchange_n(&stop.claimed, true, __ATOMIC_SEQ_CST))
		return;
	/* Before requested: an NMI already on its way may see it. */
	WRITE_ONCE(stop.report, report);
	smp_wmb();
	WRITE_ONCE(stop.requested, true);
	smp_mb();
	for_each_online_cpu (cpu)
		if (cpu != self)
			apic_send_ipi(cpu_apic_id[cpu], APIC_DM_NMI, 0);
	end = cycles_deadline(STOP_ARRIVE_MS);
	while (cpumask_weight(&stop.arrived) < others && get_cycles() < end)
		cpu_relax();
	if (report)
		collect_reports(self);
}

void smp_dump_cpus(void)
{
	unsigned int self, cpu;
	u64 end;

	ASSERT(local_irq_is_enabled());
	spin_lock(&dump_lock);
	self = smp_processor_id();
	for_each_online_cpu (cpu) {
		if (cpu == self) {
			pr_emerg("*** CPU %u (running the dump):\n", cpu);
			dump_execution_state();
			continue;
		}
		cpumask_clear_cpu(cpu, &dump_done);
		cpumask_set_cpu(cpu, &dump_pending);
		smp_mb();
		apic_send_ipi(cpu_apic_id[cpu], APIC_DM_NMI, 0);
		end = cycles_deadline(REPORT_CPU_MS);
		while (!cpumask_test_cpu(cpu, &dump_done) && get_cycles() < end)
			cpu_relax();
		if (cpumask_test_cpu(cpu, &dump_done))
			continue;
		/* Whoever clears the request first owns it: the NMI or us. */
		if (cpumask_test_and_clear_cpu(cpu, &dump_pending))
			pr_emerg(
				"*** CPU %u: no answer to the NMI within %u ms\n",
				cpu, REPORT_CPU_MS);
		else
			pr_emerg(
				"*** CPU %u: report not finished within %u ms\n",
				cpu, REPORT_CPU_MS);
	}
	spin_unlock(&dump_lock);
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

/* A CPU on the clock event broadcast: its deadline has come. */
static void timer_broadcast_interrupt(struct cpu_user_regs *regs)
{
	apic_eoi();
	clockevent_broadcast_receive();
}

void smp_send_timer_broadcast(const cpumask_t *mask)
{
	unsigned int self = smp_processor_id(), cpu;

	for_each_cpu (cpu, mask) {
		if (cpu == self)
			continue;
		trace(TRACE_CLASS_IRQ, TRACE_IPI_SEND, TIMER_BROADCAST_VECTOR,
		      cpu, 0);
		apic_send_ipi(cpu_apic_id[cpu], APIC_DM_FIXED,
			      TIMER_BROADCAST_VECTOR);
	}
}

void __init smp_init_ipis(void)
{
	set_irq_handler(TIMER_BROADCAST_VECTOR, timer_broadcast_interrupt);
	set_irq_handler(CALL_FUNCTION_VECTOR, call_function_interrupt);
	set_irq_handler(EVENT_CHECK_VECTOR, event_check_interrupt);
}
