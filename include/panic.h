/*
 * Fatal errors and assertions.
 *
 * panic() may be called from any context on any CPU; it never returns. It
 * prints the message, the calling CPU's registers and backtrace, then the
 * panic report (docs/design.md, "Traps"): every other CPU, stopped by NMI,
 * prints its registers and backtrace, then the last trace records of each
 * CPU; then the machine stops: under the test harness (debug_exit) QEMU
 * exits with the failure code, otherwise every CPU halts.
 */
#ifndef KAIROS_PANIC_H
#define KAIROS_PANIC_H

#include <compiler.h>
#include <types.h>

void panic(const char *fmt, ...) __printf(1, 2) __noreturn;

/* Prints the caller's backtrace, symbolically (any context). */
void dump_backtrace(void);

/* Prints the calling CPU's registers and its backtrace (any context). */
void dump_execution_state(void);

/*
 * The frame of every fatal report (panic(), fatal traps):
 *
 * fatal_error_begin() disables interrupts and claims the report for the
 * calling CPU. Returns true if it got it, false if this CPU is already
 * reporting (a fault or panic inside the report: the caller stops at
 * once). If another CPU is reporting, it does not return: the CPU waits
 * for that CPU's stop NMI, which prints where it is (and leaves through
 * machine_exit() after a minute if none comes).
 *
 * fatal_error_end(), once the caller printed its own state: stops the
 * other CPUs with their reports, prints each CPU's last trace records,
 * and leaves through machine_exit(EXIT_FAIL).
 */
bool fatal_error_begin(void);
void fatal_error_end(void) __noreturn;

#define BUG() panic("BUG at %s:%d", __FILE__, __LINE__)
#define BUG_ON(cond)                                                  \
	do {                                                          \
		if (unlikely(cond))                                   \
			panic("BUG_ON(%s) at %s:%d", #cond, __FILE__, \
			      __LINE__);                              \
	} while (0)

/* Invariants: checked in every build; the cost is a compare and a branch. */
#define ASSERT(cond)                                                   \
	do {                                                           \
		if (unlikely(!(cond)))                                 \
			panic("Assertion '%s' failed at %s:%d", #cond, \
			      __FILE__, __LINE__);                     \
	} while (0)

#endif /* KAIROS_PANIC_H */
