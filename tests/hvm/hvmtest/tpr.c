/*
 * tpr: task priority as an OS uses it to hold interrupts off by class
 * (Intel SDM Vol. 3A 10.8.3): a fixed interrupt is delivered only when its
 * class (vector >> 4) is above the processor priority, which is the
 * higher of TPR's class and the class of the highest vector in service
 * (PPR, 10.8.3.1). Checked through the TPR register, through CR8 (64-bit
 * mode's view of TPR[7:4], 10.8.6.1) and with an interrupt in service.
 */
#include "hvmtest.h"
#include "lapic.h"
#include "probe.h"
#include "time.h"

#define PENDING_WAIT_NS	 (2 * NSEC_PER_MSEC)
#define DELIVERY_WAIT_NS (100 * NSEC_PER_MSEC)

/* One probe per class 4..7, vectors 0x45, 0x55, 0x65, 0x75. */
static struct probe probes[4];

static struct probe *class_probe(unsigned int class)
{
	return &probes[class - 4];
}

static u8 class_vector(unsigned int class)
{
	return (u8)(class << 4 | 5);
}

static void install(void)
{
	unsigned int c;

	for (c = 4; c <= 7; c++)
		probe_install(class_probe(c), class_vector(c));
}

static void uninstall(void)
{
	unsigned int c;

	for (c = 4; c <= 7; c++)
		probe_remove(class_probe(c));
}

/* Sets the task priority class through the register or CR8. */
static void set_class(bool cr8, unsigned int class)
{
	if (cr8)
		write_cr8(class);
	else
		lapic_write(APIC_TPR, class << 4);
}

static bool delivered(unsigned int class, u32 times)
{
	return wait_flag(&class_probe(class)->count, DELIVERY_WAIT_NS) &&
	       class_probe(class)->count == times;
}

static void blocks_by_class(struct test *t, bool cr8)
{
	install();
	set_class(cr8, 5);
	CHECK(t, lapic_read(APIC_TPR) == 0x50 && read_cr8() == 5,
	      "TPR %#x, CR8 %lu after setting class 5", lapic_read(APIC_TPR),
	      (unsigned long)read_cr8());
	lapic_self_ipi(class_vector(4));
	lapic_self_ipi(class_vector(5));
	lapic_self_ipi(class_vector(6));
	CHECK(t, delivered(6, 1), "class 6 above TPR class 5: %u deliveries",
	      class_probe(6)->count);
	delay_ns(PENDING_WAIT_NS);
	CHECK(t, class_probe(4)->count == 0 && class_probe(5)->count == 0,
	      "classes 4 and 5 delivered through TPR class 5 (%u, %u)",
	      class_probe(4)->count, class_probe(5)->count);
	CHECK(t,
	      lapic_vector_bit(APIC_IRR, class_vector(4)) &&
		      lapic_vector_bit(APIC_IRR, class_vector(5)),
	      "the blocked vectors are not pending in IRR");
	set_class(cr8, 4);
	CHECK(t, delivered(5, 1), "class 5 not delivered at TPR class 4");
	delay_ns(PENDING_WAIT_NS);
	CHECK(t, class_probe(4)->count == 0,
	      "class 4 delivered at TPR class 4");
	set_class(cr8, 0);
	CHECK(t, delivered(4, 1), "class 4 not delivered at TPR class 0");
	CHECK(t,
	      !lapic_vector_bit(APIC_IRR, class_vector(4)) &&
		      !lapic_vector_bit(APIC_IRR, class_vector(5)),
	      "IRR still set after delivery");
	uninstall();
}

static void tpr_register(struct test *t)
{
	blocks_by_class(t, false);
}

static void cr8(struct test *t)
{
	blocks_by_class(t, true);
}

/* Inside the class-6 handler, interrupts on: what gets through? */
static struct {
	u32 ppr;
	u32 lower_inside;  /* class 5 deliveries while 6 is in service */
	u32 higher_inside; /* class 7 deliveries (nesting) */
} in_service;

static void class6_hook(struct probe *p)
{
	in_service.ppr = lapic_read(APIC_PPR);
	sti();
	lapic_self_ipi(class_vector(5));
	lapic_self_ipi(class_vector(7));
	delay_ns(PENDING_WAIT_NS);
	in_service.lower_inside = class_probe(5)->count;
	in_service.higher_inside = class_probe(7)->count;
	cli();
	lapic_eoi();
}

static void in_service_priority(struct test *t)
{
	class_probe(6)->no_eoi = true;
	class_probe(6)->hook = class6_hook;
	install();
	lapic_write(APIC_TPR, 0);
	lapic_self_ipi(class_vector(6));
	CHECK(t, delivered(6, 1), "class 6 not delivered");
	CHECK(t, in_service.ppr == 0x60, "PPR %#x with vector %#x in service",
	      in_service.ppr, class_vector(6));
	CHECK(t, in_service.higher_inside == 1,
	      "class 7 delivered %u times while 6 was in service (must nest)",
	      in_service.higher_inside);
	CHECK(t, in_service.lower_inside == 0,
	      "class 5 delivered while 6 was in service");
	CHECK(t, delivered(5, 1), "class 5 not delivered after the EOI");
	class_probe(6)->no_eoi = false;
	class_probe(6)->hook = NULL;
	uninstall();
}

DEFINE_SUITE(tpr, true, TEST_CASE(tpr_register), TEST_CASE(cr8),
	     TEST_CASE(in_service_priority));
