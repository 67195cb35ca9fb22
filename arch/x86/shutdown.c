/*
 * Stopping the machine, and the test verdict for the harness.
 *
 * Under debug_exit the verdict leaves three ways, so that every emulator the
 * harness drives can tell how a run ended:
 *  - a "debug_exit: verdict PASS|FAIL" line in the log, which the Bochs back
 *    end reads from the serial log (Bochs has no isa-debug-exit device);
 *  - QEMU's isa-debug-exit device (QEMU hw/misc/debugexit.c: a write of v
 *    makes QEMU exit with status (v << 1) | 1), which ends a QEMU run here;
 *  - "Shutdown" written to Bochs's shutdown port 0x8900 (Bochs
 *    iodev/unmapped.cc), which makes Bochs quit.
 */
#include <asm/io.h>
#include <asm/processor.h>
#include <irq.h>
#include <param.h>
#include <console.h>
#include <printk.h>
#include <shutdown.h>

#define ISA_DEBUG_EXIT_PORT 0xf4
#define DEBUG_EXIT_PASS	    0x10 /* QEMU exit status 33 */
#define DEBUG_EXIT_FAIL	    0x11 /* QEMU exit status 35 */

#define BOCHS_SHUTDOWN_PORT 0x8900

/*
 * Only with the option: ports 0xf4 and 0x8900 may belong to something on
 * real boards.
 */
static bool opt_debug_exit;
boolean_param("debug_exit", opt_debug_exit);

/* Set by the first machine_exit(): later callers skip the verdict line. */
static bool exiting;

bool under_test_harness(void)
{
	return opt_debug_exit;
}

void machine_halt(void)
{
	for (;;) {
		local_irq_disable();
		halt();
	}
}

/* Bochs matches the string byte by byte and quits on its last byte. */
static void bochs_shutdown(void)
{
	static const char magic[] = "Shutdown";
	const char *p;

	for (p = magic; *p; p++)
		outb(BOCHS_SHUTDOWN_PORT, *p);
}

void machine_exit(enum exit_status status)
{
	local_irq_disable();
	if (opt_debug_exit) {
		/*
		 * A fault while printing, or another CPU exiting at the same
		 * time, comes back here: one verdict line, then just the ports.
		 */
		if (!__atomic_exchange_n(&exiting, true, __ATOMIC_SEQ_CST))
			pr_emerg("debug_exit: verdict %s\n",
				 status == EXIT_PASS ? "PASS" : "FAIL");
		/* The emulator stops at once: the queued output first. */
		console_flush();
		outb(ISA_DEBUG_EXIT_PORT,
		     status == EXIT_PASS ? DEBUG_EXIT_PASS : DEBUG_EXIT_FAIL);
		bochs_shutdown();
	}
	/* Still here: neither device exists. */
	machine_halt();
}
