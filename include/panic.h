/*
 * Fatal errors and assertions.
 *
 * panic() may be called from any context on any CPU; it never returns. It
 * prints the message and a backtrace, then stops the machine: under the
 * test harness (debug_exit) QEMU exits with the failure code, otherwise
 * every CPU halts.
 */
#ifndef KAIROS_PANIC_H
#define KAIROS_PANIC_H

#include <compiler.h>

void panic(const char *fmt, ...) __printf(1, 2) __noreturn;

/* Prints the caller's backtrace, symbolically (any context). */
void dump_backtrace(void);

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
