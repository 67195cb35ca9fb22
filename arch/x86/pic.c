/*
 * 8259A PIC: remapped and masked (Intel 8259A datasheet, ICW1-ICW4, OCW3).
 */
#include <asm/desc.h>
#include <asm/io.h>
#include <asm/pic.h>

#define PIC1_CMD  0x20
#define PIC1_DATA 0x21
#define PIC2_CMD  0xa0
#define PIC2_DATA 0xa1

#define ICW1_INIT_ICW4	0x11 /* edge triggered, cascade, ICW4 follows */
#define ICW4_8086	0x01
#define OCW2_EOI	0x20
#define OCW3_READ_ISR	0x0b
#define PIC_CASCADE_IRQ 2

void __init pic_disable(void)
{
	outb(PIC1_CMD, ICW1_INIT_ICW4);
	outb(PIC2_CMD, ICW1_INIT_ICW4);
	outb(PIC1_DATA, PIC_VECTOR_BASE); /* ICW2: vector base */
	outb(PIC2_DATA, PIC_VECTOR_BASE + 8);
	outb(PIC1_DATA, 1 << PIC_CASCADE_IRQ); /* ICW3: slave on IRQ 2 */
	outb(PIC2_DATA, PIC_CASCADE_IRQ);
	outb(PIC1_DATA, ICW4_8086);
	outb(PIC2_DATA, ICW4_8086);
	outb(PIC1_DATA, 0xff); /* OCW1: mask everything */
	outb(PIC2_DATA, 0xff);
}

static u8 pic_isr(u16 cmd_port)
{
	outb(cmd_port, OCW3_READ_ISR);
	return inb(cmd_port);
}

bool pic_irq_is_spurious(unsigned int irq)
{
	if (irq == 7)
		return !(pic_isr(PIC1_CMD) & 0x80);
	if (irq == 15 && !(pic_isr(PIC2_CMD) & 0x80)) {
		/* The master did see the cascade IRQ: it still wants an EOI. */
		outb(PIC1_CMD, OCW2_EOI);
		return true;
	}
	return false;
}

void pic_eoi(unsigned int irq)
{
	if (irq >= 8)
		outb(PIC2_CMD, OCW2_EOI);
	outb(PIC1_CMD, OCW2_EOI);
}
