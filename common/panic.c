/*
 * panic(): report a fatal error and stop the machine.
 */
#include <console.h>
#include <irq.h>
#include <panic.h>
#include <percpu.h>
#include <printk.h>
#include <shutdown.h>
#include <smp.h>

static bool panicking;

void panic(const char *fmt, ...)
{
	char msg[256];
	va_list args;

	local_irq_disable();
	if (__atomic_exchange_n(&panicking, true, __ATOMIC_SEQ_CST)) {
		/* A second panic (another CPU, or from inside the first). */
		machine_exit(EXIT_FAIL);
	}
	va_start(args, fmt);
	vsnprintf(msg, sizeof(msg), fmt, args);
	va_end(args);

	console_force_emergency();
	pr_emerg("\n");
	pr_emerg("**** PANIC on CPU %u: %s\n", smp_processor_id(), msg);
	dump_backtrace();
	smp_send_stop();
	pr_emerg("**** System stopped%s\n",
		 under_test_harness() ? "; exiting with the failure code" : "");
	machine_exit(EXIT_FAIL);
}
