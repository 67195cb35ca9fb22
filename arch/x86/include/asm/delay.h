/*
 * Busy-wait delays before the TSC is calibrated (arch/x86/delay.c): timed
 * by PIT channel 2. A machine without an 8254 (pit_present() false, e.g.
 * QEMU's pit=off) gets no delay at all: the call returns false at once.
 * Boot CPU only (the PIT is one shared device, unlocked).
 */
#ifndef ASM_X86_DELAY_H
#define ASM_X86_DELAY_H

#include <types.h>

/* Waits at least us microseconds; false if there is no PIT or it never ticked. */
bool pit_delay_us(unsigned long us);

#endif /* ASM_X86_DELAY_H */
