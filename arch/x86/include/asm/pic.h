/*
 * The legacy 8259A pair. We never use it for interrupts: it is remapped
 * away from the exception vectors and masked, and only its spurious IRQs
 * (7 and 15) need care.
 */
#ifndef ASM_X86_PIC_H
#define ASM_X86_PIC_H

#include <types.h>

/* Remaps IRQs 0-15 to PIC_VECTOR_BASE.. and masks them all. Boot CPU. */
void pic_disable(void);

/* True if irq is a spurious IRQ 7/15 (its in-service bit is clear). */
bool pic_irq_is_spurious(unsigned int irq);

/* Acknowledges irq at the PIC(s). */
void pic_eoi(unsigned int irq);

#endif /* ASM_X86_PIC_H */
