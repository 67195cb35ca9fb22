/*
 * The hypercall dispatcher (common/hypercall.c): validates and runs one
 * call from the current vCPU. public/abi.h is the ABI.
 */
#ifndef KAIROS_HYPERCALL_H
#define KAIROS_HYPERCALL_H

#include <types.h>

/*
 * Runs hypercall nr with its arguments for the current vCPU and returns
 * the value for the guest's %rax (>= 0, or -errno). Interrupts enabled;
 * a call that blocks or yields returns normally and the switch happens
 * on the way out to the guest.
 */
long do_hypercall(u64 nr, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5);

/* Calls made so far, per call number (the 's' debug key, tests). */
u64 hypercall_count(unsigned int nr);

#endif /* KAIROS_HYPERCALL_H */
