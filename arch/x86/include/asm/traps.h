/* Exception and interrupt dispatch (arch/x86/traps.c). */
#ifndef ASM_X86_TRAPS_H
#define ASM_X86_TRAPS_H

#include <asm/regs.h>

/* Called by common_entry for every vector, interrupts disabled. */
void do_trap(struct cpu_user_regs *regs);

/* Sets up the boot CPU's stacks, GDT, TSS and the IDT. */
void trap_init(void);

/* Prints the registers of a trap frame (any context). */
void show_registers(const struct cpu_user_regs *regs);

/* Prints the frame-pointer chain from (rip, rbp), symbolically. */
void show_backtrace(unsigned long rip, unsigned long rbp);

/* Interrupts seen per vector, for debugging and tests. */
unsigned long irq_count(unsigned int vector);

#endif /* ASM_X86_TRAPS_H */
