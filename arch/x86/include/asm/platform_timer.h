/*
 * ISA IRQ 0 and the two global clock event devices that can drive it
 * (arch/x86/platform_timer.c): the PIT's channel 0 (Intel 8254 datasheet)
 * and the HPET's comparator 0 in LegacyReplacement mode (IA-PC HPET
 * Specification 1.0a, 2.3.5, LEG_RT_CNF: with it set, comparator 0 takes
 * the place of the PIT on IRQ 0, and the PIT's output is disconnected).
 *
 * Exactly one device owns IRQ 0 at a time: the one whose setup() ran
 * last, which claims it with platform_timer_claim_irq0(). The claim makes
 * the previous owner release the line first (the HPET turns
 * LegacyReplacement off, the PIT stops channel 0), then routes IRQ 0 to
 * PLATFORM_TIMER_VECTOR on the calling CPU. One handler serves the vector:
 * it signals EOI, lets the owner acknowledge its device, and calls the
 * owner's event_handler if the owner says the interrupt answers an armed
 * request. Arming a device that does not own IRQ 0 is a bug (ASSERTed in
 * set_next_event()): its interrupt would go nowhere.
 *
 * Concurrency: the owner changes only on the boot CPU with interrupts off
 * (a device's setup(), or a test), and IRQ 0 is delivered to the boot CPU
 * only, so the handler never races a change of owner.
 */
#ifndef ASM_X86_PLATFORM_TIMER_H
#define ASM_X86_PLATFORM_TIMER_H

#include <types.h>

/*
 * The vector of ISA IRQ 0: the first one above the legacy PIC's remapped
 * range 0x20-0x2f (asm/desc.h), and in priority class 3, below the IPIs.
 */
#define PLATFORM_TIMER_VECTOR 0x30
#define PLATFORM_TIMER_IRQ    0 /* ISA IRQ 0: PIT channel 0, HPET timer 0 */

struct clock_event_device;

/* What the owner of IRQ 0 does when the line is used or taken away. */
struct irq0_owner_ops {
	/*
	 * IRQ context, after the EOI: acknowledges the device (if it needs
	 * it) and returns true if the interrupt answers an armed request, so
	 * that dev->event_handler must run; false for a stray one.
	 */
	bool (*interrupt)(struct clock_event_device *dev);
	/* Another device claims IRQ 0: stop driving it. Interrupts off. */
	void (*release)(struct clock_event_device *dev);
};

/*
 * Makes dev the owner of IRQ 0: the previous owner (if another device)
 * releases the line, then IRQ 0 is routed, again, through the MADT's
 * overrides to PLATFORM_TIMER_VECTOR on the calling CPU, and unmasked.
 * Returns the GSI; a negative errno from io_apic_route_isa_irq() if IRQ 0
 * cannot be routed (nobody owns it then). Boot CPU, interrupts off.
 */
int platform_timer_claim_irq0(struct clock_event_device *dev,
			      const struct irq0_owner_ops *ops);

/*
 * If dev owns IRQ 0: dev releases it, the I/O APIC entry is masked and
 * nobody owns it any more; otherwise nothing. Boot CPU, interrupts off.
 */
void platform_timer_release_irq0(struct clock_event_device *dev);

/* The device that owns IRQ 0, or NULL. Any context (a hint off CPU 0). */
struct clock_event_device *platform_timer_irq0_owner(void);

/* Interrupts on PLATFORM_TIMER_VECTOR that no armed request explained. */
unsigned long platform_timer_stray_count(void);

#endif /* ASM_X86_PLATFORM_TIMER_H */
