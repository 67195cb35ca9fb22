/*
 * ISA IRQ 0: which global clock event device owns it (the PIT's channel 0
 * or the HPET's comparator 0 in LegacyReplacement mode, IA-PC HPET
 * Specification 1.0a, 2.3.5), and the one handler of its vector. See
 * asm/platform_timer.h.
 */
#include <asm/apic.h>
#include <asm/io_apic.h>
#include <asm/platform_timer.h>
#include <asm/traps.h>
#include <clockevent.h>
#include <irq.h>
#include <panic.h>
#include <percpu.h>
#include <printk.h>

/* Written on the boot CPU with interrupts off; read by the IRQ handler. */
static struct clock_event_device *irq0_owner;
static const struct irq0_owner_ops *irq0_ops;
static int irq0_gsi = -1; /* the GSI IRQ 0 was last routed to */

static unsigned long stray_count;

static void platform_timer_interrupt(struct cpu_user_regs *regs)
{
	struct clock_event_device *dev = READ_ONCE(irq0_owner);

	apic_eoi();
	if (!dev || !irq0_ops->interrupt(dev) || !dev->event_handler) {
		stray_count++;
		return;
	}
	dev->event_handler(dev);
}

int platform_timer_claim_irq0(struct clock_event_device *dev,
			      const struct irq0_owner_ops *ops)
{
	struct clock_event_device *old = irq0_owner;
	int gsi;

	ASSERT(!local_irq_is_enabled() && smp_processor_id() == 0);
	if (old && old != dev)
		irq0_ops->release(old);
	WRITE_ONCE(irq0_owner, NULL);

	set_irq_handler(PLATFORM_TIMER_VECTOR, platform_timer_interrupt);
	gsi = io_apic_route_isa_irq(PLATFORM_TIMER_IRQ, PLATFORM_TIMER_VECTOR,
				    apic_id());
	if (gsi < 0) {
		pr_warn("%s: cannot route IRQ %u to vector %#x (error %d); device unusable\n",
			dev->name, PLATFORM_TIMER_IRQ, PLATFORM_TIMER_VECTOR,
			gsi);
		return gsi;
	}
	if (gsi != irq0_gsi)
		pr_info("IRQ %u (platform timer) is GSI %d, vector %#x, APIC ID %u\n",
			PLATFORM_TIMER_IRQ, gsi, PLATFORM_TIMER_VECTOR,
			apic_id());
	irq0_ops = ops;
	WRITE_ONCE(irq0_owner, dev);
	irq0_gsi = gsi;
	io_apic_unmask_gsi(gsi);
	return gsi;
}

void platform_timer_release_irq0(struct clock_event_device *dev)
{
	ASSERT(!local_irq_is_enabled() && smp_processor_id() == 0);
	if (!dev || irq0_owner != dev)
		return;
	irq0_ops->release(dev);
	io_apic_mask_gsi(irq0_gsi);
	WRITE_ONCE(irq0_owner, NULL);
}

struct clock_event_device *platform_timer_irq0_owner(void)
{
	return READ_ONCE(irq0_owner);
}

unsigned long platform_timer_stray_count(void)
{
	return READ_ONCE(stray_count);
}
