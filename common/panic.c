/*
 * panic() and the frame of every fatal report: one CPU reports, the
 * others are stopped by NMI and report in turn, then the trace records,
 * then the machine stops (docs/design.md, "Traps").
 */
#include <console.h>
#include <cycles.h>
#include <irq.h>
#include <panic.h>
#include <percpu.h>
#include <printk.h>
#include <shutdown.h>
#include <smp.h>
#include <systime.h>
#include <trace_dump.h>

/* Trace records the report prints per CPU (trace_last_records() keeps 16). */
#define FATAL_TRACE_RECORDS 8
/*
 * How long a CPU that fails while another reports waits for that CPU's
 * stop NMI before it leaves by itself: well past the stop's own bounds
 * (smp_send_stop(): 1 s, then 20 s of reports).
 */
#define FATAL_PARK_SECONDS 60
#define ASSUMED_TSC_HZ	   4000000000UL

#define NO_CPU (-1)

/* The CPU reporting a fatal error. */
static int fatal_cpu = NO_CPU;

/* Another CPU reports: wait for its stop NMI, with a way out. */
static void __noreturn park_until_stopped(void)
{
	u64 hz = tsc_hz() ? tsc_hz() : ASSUMED_TSC_HZ;
	u64 end = get_cycles() + hz * FATAL_PARK_SECONDS;

	while (get_cycles() < end)
		cpu_relax();
	machine_exit(EXIT_FAIL);
}

bool fatal_error_begin(void)
{
	int self = (int)smp_processor_id(), owner = NO_CPU;

	local_irq_disable();
	if (__atomic_compare_exchange_n(&fatal_cpu, &owner, self, false,
					__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		return true;
	if (owner == self)
		return false;
	park_until_stopped();
}

void fatal_error_end(void)
{
	smp_send_stop(true);
	trace_dump_recent(FATAL_TRACE_RECORDS, KERN_EMERG);
	pr_emerg("System stopped%s\n",
		 under_test_harness() ? "; exiting with the failure code" : "");
	machine_exit(EXIT_FAIL);
}

void panic(const char *fmt, ...)
{
	char msg[256];
	va_list args;

	if (!fatal_error_begin()) {
		/* A panic inside the report: it is as far as it will get. */
		machine_exit(EXIT_FAIL);
	}
	va_start(args, fmt);
	vsnprintf(msg, sizeof(msg), fmt, args);
	va_end(args);

	console_force_emergency();
	pr_emerg("\n");
	pr_emerg("**** PANIC on CPU %u: %s\n", smp_processor_id(), msg);
	dump_execution_state();
	fatal_error_end();
}
