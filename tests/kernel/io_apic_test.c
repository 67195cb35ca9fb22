/*
 * I/O APIC routing: argument checks, and a real legacy interrupt, the PIT's
 * IRQ 0, routed through the MADT's override (IRQ 0 is GSI 2 on QEMU) to a
 * test vector on the boot CPU.
 */
#include <acpi.h>
#include <asm/apic.h>
#include <asm/delay.h>
#include <asm/io.h>
#include <asm/io_apic.h>
#include <asm/pit.h>
#include <asm/traps.h>
#include <errno.h>
#include <ktest.h>

#define TEST_VECTOR 0xd0 /* no other code or test uses it */
#define PIT_IRQ	    0

/* Intel 8254 datasheet: channel 0 as a rate generator (ports: asm/pit.h). */
#define PIT_CH0_MODE2 0x34  /* channel 0, lobyte/hibyte, mode 2, binary */
#define PIT_DIVISOR   11932 /* 1193182 Hz / 11932: about 100 Hz */

#define WANTED_TICKS 3
#define WAIT_STEP_US 1000
#define WAIT_STEPS   2000  /* 2 s: 200 ticks' worth at 100 Hz */
#define QUIET_US     50000 /* masked: 5 ticks' worth, none may arrive */

static unsigned int pit_ticks;

static void pit_interrupt(struct cpu_user_regs *regs)
{
	pit_ticks++;
	apic_eoi();
}

#define SKIP_UNLESS_IO_APIC(t)                            \
	do {                                              \
		if (!io_apic_ready())                     \
			KT_SKIP(t, "no usable I/O APIC"); \
	} while (0)

static void route_rejects_bad_args(struct ktest *t)
{
	SKIP_UNLESS_IO_APIC(t);
	KT_EXPECT_EQ(t, io_apic_route_isa_irq(NR_ISA_IRQS, TEST_VECTOR, 0),
		     -EINVAL);
	KT_EXPECT_EQ(t, io_apic_route_isa_irq(PIT_IRQ, 0x10, 0), -EINVAL);
	KT_EXPECT_EQ(t, io_apic_route_isa_irq(PIT_IRQ, TEST_VECTOR, 0xff),
		     -EINVAL);
	KT_EXPECT_EQ(t, io_apic_route_isa_irq(PIT_IRQ, TEST_VECTOR, 0x100),
		     -EINVAL);
}

/* The GSI IRQ 0 must land on: its override's, or 0. */
static u32 expected_pit_gsi(void)
{
	for (unsigned int i = 0; i < acpi_info.nr_overrides; i++) {
		const struct acpi_irq_override *ov = &acpi_info.overrides[i];

		if (ov->bus == 0 && ov->irq == PIT_IRQ)
			return ov->gsi;
	}
	return PIT_IRQ;
}

static bool wait_for_ticks(unsigned int n)
{
	for (unsigned int i = 0; i < WAIT_STEPS; i++) {
		if (READ_ONCE(pit_ticks) >= n)
			return true;
		if (!pit_delay_us(WAIT_STEP_US))
			return false;
	}
	return READ_ONCE(pit_ticks) >= n;
}

static void pit_irq0_is_delivered(struct ktest *t)
{
	unsigned int seen;
	int gsi;

	SKIP_UNLESS_IO_APIC(t);
	pit_init(); /* idempotent: finds out whether there is a PIT */
	if (!pit_present())
		KT_SKIP(t, "no PIT (channel 2 does not count)");
	pit_ticks = 0;
	set_irq_handler(TEST_VECTOR, pit_interrupt);
	gsi = io_apic_route_isa_irq(PIT_IRQ, TEST_VECTOR, apic_id());
	if (!KT_EXPECT_EQ(t, gsi, expected_pit_gsi()) || gsi < 0) {
		set_irq_handler(TEST_VECTOR, NULL);
		return;
	}

	outb(PIT_MODE_CMD, PIT_CH0_MODE2);
	outb(PIT_CH0_DATA, PIT_DIVISOR & 0xff);
	outb(PIT_CH0_DATA, PIT_DIVISOR >> 8);
	io_apic_unmask_gsi(gsi);

	KT_EXPECT_TRUE(t, wait_for_ticks(WANTED_TICKS));

	/* Masked, the still-running PIT must not get through. */
	io_apic_mask_gsi(gsi);
	pit_delay_us(WAIT_STEP_US); /* one already in flight may still land */
	seen = READ_ONCE(pit_ticks);
	pit_delay_us(QUIET_US);
	KT_EXPECT_EQ(t, READ_ONCE(pit_ticks), seen);

	outb(PIT_MODE_CMD, PIT_CH0_MODE0);
	set_irq_handler(TEST_VECTOR, NULL);
}

KTEST_SUITE(io_apic, KTEST_CASE(route_rejects_bad_args),
	    KTEST_CASE(pit_irq0_is_delivered));
