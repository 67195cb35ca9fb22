/*
 * Debug keys (common/keyhandler.c, docs/debug-keys.md), as Xen's
 * keyhandlers: a key typed on the serial console prints some state of the
 * hypervisor; `h` lists them.
 *
 * Input: the console's receive interrupt queues the characters (32 at
 * most; more are dropped, counted and reported) and schedules a tasklet on
 * the CPU that took it, which runs one handler per key in TASKLET_SOFTIRQ,
 * interrupts enabled: handlers may take locks, make cross-CPU calls and
 * print at length. Carriage returns and newlines are ignored.
 *
 * Concurrency: register_keyhandler() from any context but IRQ and NMI, on
 * any CPU. handle_keypress() runs the handler on the calling CPU,
 * interrupts enabled, outside IRQ context; its callers (the tasklet, and
 * the test suites on the boot CPU) are serialised, so handlers never run
 * concurrently with each other.
 */
#ifndef KAIROS_KEYHANDLER_H
#define KAIROS_KEYHANDLER_H

#include <types.h>

typedef void (*keyhandler_fn_t)(unsigned char key);

/*
 * Makes fn the handler of key (a printable ASCII character other than the
 * space), described by desc in the `h` list. A later registration replaces
 * an earlier one: the scheduler takes `r` over from its placeholder, the
 * domain code `q`. fn NULL removes the key.
 */
void register_keyhandler(unsigned char key, keyhandler_fn_t fn,
			 const char *desc);

/* True if key has a handler. */
bool keyhandler_registered(unsigned char key);

/*
 * Runs key's handler after a line naming it ("'a' pressed -> ..."), or
 * says in one line that there is none and points to `h`.
 */
void handle_keypress(unsigned char key);

/* Times key's handler ran, and keys that had none (for the tests). */
u64 keyhandler_count(unsigned char key);
u64 keyhandler_unknown_count(void);

/* True if keys typed on the console reach handle_keypress(). */
bool keyhandler_input_enabled(void);

/*
 * Boot CPU, once, after the other CPUs are up: registers the keys and,
 * unless keys=off, turns the console's input on.
 */
void keyhandler_init(void);

/* Arch parts of the dumps (arch/x86): */
void arch_dump_clocks(void);	 /* t: TSC calibration and refinement */
void arch_dump_interrupts(void); /* s: interrupts per vector */

#endif /* KAIROS_KEYHANDLER_H */
