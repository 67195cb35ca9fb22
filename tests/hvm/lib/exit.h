/*
 * The end of a run: the verdict leaves through the isa-debug-exit port
 * (0xf4), DEBUG_EXIT_PASS or DEBUG_EXIT_FAIL. Under QEMU the machine exits
 * at once with status (value << 1) | 1; on Kairos the domain ends. If the
 * write does not end the machine, the CPU halts with interrupts off.
 */
#ifndef HVM_EXIT_H
#define HVM_EXIT_H

#include "arch.h"

__noreturn void machine_exit(bool pass);

#endif /* HVM_EXIT_H */
