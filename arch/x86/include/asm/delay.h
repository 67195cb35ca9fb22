/*
 * Busy-wait delays before the TSC is calibrated (arch/x86/delay.c): timed
 * by PIT channel 2, which every PC-compatible machine we boot on has.
 * Boot CPU only (the PIT is one shared device, unlocked).
 */
#ifndef ASM_X86_DELAY_H
#define ASM_X86_DELAY_H

#include <types.h>

/* Waits at least us microseconds; returns false if the PIT never ticked. */
bool pit_delay_us(unsigned long us);

#endif /* ASM_X86_DELAY_H */
