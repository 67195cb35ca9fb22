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

/*
 * Prints a trap frame's registers and the symbolic backtrace of the
 * trapped context (fatal traps, NMI reports). Any context.
 */
void show_execution_state(const struct cpu_user_regs *regs);

/* Interrupts seen per vector, for debugging and tests. */
unsigned long irq_count(unsigned int vector);

/*
 * An interrupt handler: runs on the interrupted CPU's stack, interrupts
 * disabled, and acknowledges its interrupt itself (apic_eoi()), so that it
 * chooses when a new one of the same priority class may come in.
 */
typedef void (*irq_handler_t)(struct cpu_user_regs *regs);

/*
 * Routes vector (0x20-0xfe) to fn, or back to "unexpected" if fn is NULL.
 * A vector has one owner: claiming one that another handler holds is a
 * bug. Any context; register before the vector can fire.
 */
void set_irq_handler(u8 vector, irq_handler_t fn);

#endif /* ASM_X86_TRAPS_H */
