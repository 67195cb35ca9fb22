/*
 * Stopping the machine, and the test verdict through QEMU's isa-debug-exit
 * device (QEMU hw/misc/debugexit.c: a write of v makes QEMU exit with
 * status (v << 1) | 1).
 */
#include <asm/io.h>
#include <asm/processor.h>
#include <irq.h>
#include <param.h>
#include <shutdown.h>

#define ISA_DEBUG_EXIT_PORT 0xf4
#define DEBUG_EXIT_PASS	    0x10 /* QEMU exit status 33 */
#define DEBUG_EXIT_FAIL	    0x11 /* QEMU exit status 35 */

/* Only with the option: port 0xf4 may belong to something on real boards. */
static bool opt_debug_exit;
boolean_param("debug_exit", opt_debug_exit);

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

void machine_exit(enum exit_status status)
{
	local_irq_disable();
	if (opt_debug_exit)
		outb(ISA_DEBUG_EXIT_PORT,
		     status == EXIT_PASS ? DEBUG_EXIT_PASS : DEBUG_EXIT_FAIL);
	/* Still here: no such device. */
	machine_halt();
}
