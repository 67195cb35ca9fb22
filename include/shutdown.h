/*
 * Stopping the machine (arch/x86/shutdown.c).
 *
 * Both calls may be made from any context; they never return.
 */
#ifndef KAIROS_SHUTDOWN_H
#define KAIROS_SHUTDOWN_H

#include <compiler.h>
#include <types.h>

enum exit_status {
	EXIT_PASS, /* every selected test passed */
	EXIT_FAIL, /* a test failed, or a fatal error */
};

/* Halts this CPU forever with interrupts disabled. */
void machine_halt(void) __noreturn;

/*
 * With debug_exit on the command line, prints the verdict line and reports
 * status through QEMU's isa-debug-exit device and Bochs's shutdown port
 * (the emulator exits); otherwise, or with neither device, halts like
 * machine_halt().
 */
void machine_exit(enum exit_status status) __noreturn;

/* True when debug_exit was given: a test harness is watching. */
bool under_test_harness(void);

#endif /* KAIROS_SHUTDOWN_H */
