/*
 * The firmware's ACPI tables as the running kernel parsed them (QEMU q35
 * and pc, BIOS and UEFI): the RSDP was found, the MADT lists the boot CPU
 * and an I/O APIC, the FADT's PM timer ticks, and QEMU's HPET is there and
 * says what its table says.
 */
#include <acpi.h>
#include <asm/acpi_boot.h>
#include <asm/io.h>
#include <asm/mm.h>
#include <asm/processor.h>
#include <ktest.h>
#include <page.h>

#define ACPI_REQUIRED(t)                                         \
	do {                                                     \
		if (acpi_disabled)                               \
			KT_SKIP(t, "ACPI disabled by acpi=off"); \
	} while (0)

/* SDM Vol. 2A, CPUID: leaf 0BH EDX is the x2APIC ID, leaf 1 EBX[31:24]
 * the 8-bit initial APIC ID; leaf 0BH is absent if EBX reads 0. */
#define CPUID_EXT_TOPOLOGY 0xb

static u32 boot_cpu_apic_id(void)
{
	struct cpuid_regs r;

	cpuid(0, &r);
	if (r.eax >= CPUID_EXT_TOPOLOGY) {
		cpuid_count(CPUID_EXT_TOPOLOGY, 0, &r);
		if (r.ebx != 0)
			return r.edx;
	}
	cpuid(1, &r);
	return r.ebx >> 24;
}

static void rsdp_found(struct ktest *t)
{
	ACPI_REQUIRED(t);
	KT_EXPECT_TRUE(t, acpi_info.rsdp_source != ACPI_RSDP_UNKNOWN);
	KT_EXPECT_TRUE(t, acpi_info.root_pa != 0);
	KT_EXPECT_TRUE(t, acpi_info.nr_tables >= 3);
}

static void madt_lists_boot_cpu(struct ktest *t)
{
	u32 apic_id = boot_cpu_apic_id(), i;
	bool found = false;

	ACPI_REQUIRED(t);
	KT_ASSERT_TRUE(t, acpi_info.madt_present);
	KT_ASSERT_TRUE(t, acpi_info.nr_cpus >= 1);
	for (i = 0; i < acpi_info.nr_cpus; i++)
		if (acpi_info.cpus[i].apic_id == apic_id)
			found = acpi_info.cpus[i].enabled;
	KT_EXPECT_TRUE(t, found);
	KT_EXPECT_TRUE(t, acpi_info.nr_cpus_enabled >= 1);
	KT_EXPECT_TRUE(t, acpi_info.lapic_addr != 0 && (acpi_info.lapic_addr &
							(PAGE_SIZE - 1)) == 0);
}

static void madt_has_ioapic_and_irq0_override(struct ktest *t)
{
	bool irq0 = false;
	u32 i;

	ACPI_REQUIRED(t);
	KT_ASSERT_TRUE(t, acpi_info.nr_ioapics >= 1);
	KT_EXPECT_TRUE(t, acpi_info.ioapics[0].addr != 0);
	/* Every PC chipset wires the PIT to I/O APIC input 2. */
	for (i = 0; i < acpi_info.nr_overrides; i++)
		if (acpi_info.overrides[i].bus == 0 &&
		    acpi_info.overrides[i].irq == 0)
			irq0 = acpi_info.overrides[i].gsi == 2;
	KT_EXPECT_TRUE(t, irq0);
}

static void fadt_pm_timer_ticks(struct ktest *t)
{
	u32 mask, first, now = 0;
	unsigned int reads;

	ACPI_REQUIRED(t);
	KT_ASSERT_TRUE(t, acpi_info.fadt.present);
	KT_ASSERT_TRUE(t, acpi_info.fadt.pm_timer_port != 0);
	/* 4.8.3.3: 3.579545 MHz, so it moves within a few reads. */
	mask = acpi_info.fadt.pm_timer_32bit ? 0xffffffffU : 0xffffffU;
	first = inl(acpi_info.fadt.pm_timer_port) & mask;
	for (reads = 0; reads < 100000; reads++) {
		now = inl(acpi_info.fadt.pm_timer_port) & mask;
		if (now != first)
			break;
	}
	KT_EXPECT_TRUE(t, now != first);
}

/* The HPET's capabilities register (HPET spec 2.3.4) matches its table. */
static void hpet_matches_its_table(struct ktest *t)
{
	const struct acpi_hpet_info *h = &acpi_info.hpet;
	volatile u32 *regs;
	u32 gcap;

	ACPI_REQUIRED(t);
	KT_ASSERT_TRUE(t, h->present);
	KT_ASSERT_TRUE(t, h->address != 0);
	regs = ioremap(h->address, PAGE_SIZE);
	KT_ASSERT_TRUE(t, regs != NULL);
	gcap = regs[0];
	KT_EXPECT_EQ(t, gcap >> 16, h->pci_vendor);
	KT_EXPECT_EQ(t, ((gcap >> 8) & 0x1f) + 1, h->comparators);
	KT_EXPECT_EQ(t, !!(gcap & (1U << 13)), h->counter_64bit);
}

static void mcfg_regions_sane(struct ktest *t)
{
	u32 i;

	ACPI_REQUIRED(t);
	if (!acpi_info.mcfg_present)
		KT_SKIP(t, "no MCFG (QEMU pc has none)");
	KT_EXPECT_TRUE(t, acpi_info.nr_mcfg >= 1);
	for (i = 0; i < acpi_info.nr_mcfg; i++) {
		KT_EXPECT_TRUE(t, acpi_info.mcfg[i].bus_start <=
					  acpi_info.mcfg[i].bus_end);
		KT_EXPECT_TRUE(t, (acpi_info.mcfg[i].base & 0xfffff) == 0);
	}
}

static void acpi_off_leaves_nothing(struct ktest *t)
{
	if (!acpi_disabled)
		KT_SKIP(t, "ACPI enabled (boot with acpi=off to run this)");
	KT_EXPECT_EQ(t, acpi_info.nr_cpus, 0);
	KT_EXPECT_TRUE(t, !acpi_info.madt_present && !acpi_info.hpet.present &&
				  !acpi_info.fadt.present);
}

KTEST_SUITE(acpi, KTEST_CASE(rsdp_found), KTEST_CASE(madt_lists_boot_cpu),
	    KTEST_CASE(madt_has_ioapic_and_irq0_override),
	    KTEST_CASE(fadt_pm_timer_ticks), KTEST_CASE(hpet_matches_its_table),
	    KTEST_CASE(mcfg_regions_sane), KTEST_CASE(acpi_off_leaves_nothing));
