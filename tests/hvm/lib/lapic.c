#include "lapic.h"
#include "traps.h"

#define XAPIC_ICR_IDLE_POLLS 1000000

u64 lapic_mmio_base;

bool x2apic_supported(void)
{
	return cpuid(1).ecx & (1U << 21);
}

const char *lapic_mode_name(enum lapic_mode mode)
{
	return mode == LAPIC_X2APIC ? "x2apic" : "xapic";
}

u32 lapic_read(unsigned int reg)
{
	if (lapic_mode() == LAPIC_X2APIC)
		return (u32)rdmsr(MSR_X2APIC_BASE + reg / 16);
	return mmio_read32(lapic_mmio_base + reg);
}

void lapic_write(unsigned int reg, u32 value)
{
	if (lapic_mode() == LAPIC_X2APIC)
		wrmsr(MSR_X2APIC_BASE + reg / 16, value);
	else
		mmio_write32(lapic_mmio_base + reg, value);
}

u32 lapic_id(void)
{
	u32 id = lapic_read(APIC_ID);

	return lapic_mode() == LAPIC_X2APIC ? id : id >> 24;
}

void lapic_send_ipi(u32 dest, u32 low)
{
	unsigned int n = 0;

	if (lapic_mode() == LAPIC_X2APIC) {
		/* One 64-bit MSR, no delivery status (10.12.9). */
		wrmsr(MSR_X2APIC_BASE + APIC_ICR_LOW / 16,
		      (u64)dest << 32 | low);
		return;
	}
	while ((lapic_read(APIC_ICR_LOW) & ICR_DELIVERY_STATUS) &&
	       n++ < XAPIC_ICR_IDLE_POLLS)
		cpu_relax();
	lapic_write(APIC_ICR_HIGH, dest << 24);
	lapic_write(APIC_ICR_LOW, low);
}

void lapic_self_ipi(u8 vector)
{
	lapic_send_ipi(0, ICR_SELF | ICR_FIXED | ICR_LEVEL_ASSERT | vector);
}

bool lapic_vector_bit(unsigned int base, u8 vector)
{
	return lapic_read(base + (vector / 32) * 0x10) & (1U << (vector % 32));
}

void lapic_timer_stop(void)
{
	lapic_write(APIC_LVT_TIMER, LVT_MASKED | VECTOR_TIMER);
	lapic_write(APIC_TMICT, 0);
}

u32 lapic_tdcr_for(unsigned int divisor)
{
	/* Bits 3, 1, 0: 000 = 2, 001 = 4, ... 110 = 128, 111 = 1. */
	unsigned int log2 = 0, code;

	while ((1U << log2) < divisor)
		log2++;
	code = log2 == 0 ? 7 : log2 - 1;
	return (code & 3) | ((code & 4) << 1);
}

bool lapic_set_mode(enum lapic_mode mode)
{
	u64 base = rdmsr(MSR_IA32_APIC_BASE);
	u64 keep = base & ~(APIC_BASE_EXTD | APIC_BASE_ENABLE);

	if (mode == LAPIC_X2APIC) {
		if (!(base & APIC_BASE_ENABLE) &&
		    wrmsr_safe(MSR_IA32_APIC_BASE, keep | APIC_BASE_ENABLE) >=
			    0)
			return false;
		if (wrmsr_safe(MSR_IA32_APIC_BASE,
			       keep | APIC_BASE_ENABLE | APIC_BASE_EXTD) >= 0)
			return false;
	} else {
		if ((base & APIC_BASE_EXTD) &&
		    wrmsr_safe(MSR_IA32_APIC_BASE, keep) >= 0)
			return false;
		if (wrmsr_safe(MSR_IA32_APIC_BASE, keep | APIC_BASE_ENABLE) >=
		    0)
			return false;
	}
	this_cpu()->mode = mode;
	return true;
}

void lapic_init(enum lapic_mode mode)
{
	if (lapic_mmio_base == 0)
		lapic_mmio_base = rdmsr(MSR_IA32_APIC_BASE) & APIC_BASE_ADDRESS;
	if (!lapic_set_mode(mode))
		fatal("cannot put the local APIC in %s mode",
		      lapic_mode_name(mode));
	lapic_write(APIC_SVR, SVR_ENABLE | VECTOR_SPURIOUS);
	lapic_write(APIC_TPR, 0);
	lapic_timer_stop();
	lapic_write(APIC_LVT_LINT0, LVT_MASKED);
	lapic_write(APIC_LVT_LINT1, LVT_MASKED);
	lapic_write(APIC_LVT_ERROR, LVT_MASKED | VECTOR_ERROR);
	if (((lapic_read(APIC_VERSION) >> 16) & 0xff) >= 4)
		lapic_write(APIC_LVT_PERF, LVT_MASKED);
	if (((lapic_read(APIC_VERSION) >> 16) & 0xff) >= 5)
		lapic_write(APIC_LVT_THERMAL, LVT_MASKED);
	/* ESR: a write latches the errors since the last (10.5.3). */
	lapic_write(APIC_ESR, 0);
	lapic_write(APIC_ESR, 0);
	this_cpu()->apic_id = lapic_id();
}
