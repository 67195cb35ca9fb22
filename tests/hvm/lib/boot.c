/*
 * boot_main(): the boot CPU's first C code (from entry.S), the start-up
 * every image shares (image.h), then the image's main.
 */
#include "acpi.h"
#include "bootinfo.h"
#include "console.h"
#include "image.h"
#include "lapic.h"
#include "options.h"
#include "time.h"
#include "traps.h"

#define PIC_MASTER_DATA 0x21
#define PIC_SLAVE_DATA	0xa1

void boot_main(u32 mbi);

static void print_acpi(void)
{
	char tables[32 * 5 + 1] = "";
	unsigned int i;

	if (!acpi.found) {
		printf("%s: ACPI: no RSDP in 0xe0000-0xfffff\n", image.name);
		return;
	}
	for (i = 0; i < acpi.nr_tables && i < ARRAY_SIZE(acpi.signatures);
	     i++) {
		strlcpy(tables + strlen(tables), " ",
			sizeof(tables) - strlen(tables));
		strlcpy(tables + strlen(tables), acpi.signatures[i],
			sizeof(tables) - strlen(tables));
	}
	printf("%s: ACPI: RSDP revision %u (OEM %s) at %#lx, %s lists%s\n",
	       image.name, acpi.revision, acpi.oem_id, (unsigned long)acpi.rsdp,
	       acpi.xsdt ? "XSDT" : "RSDT", tables);
	printf("%s: ACPI: MADT %u CPUs (%u enabled; %u Local APIC, %u Local "
	       "x2APIC entries), LAPIC at %#lx; PM timer port %#x%s, %s\n",
	       image.name, acpi.nr_cpus, acpi.nr_enabled, acpi.nr_type0,
	       acpi.nr_type9, (unsigned long)acpi.lapic_address,
	       acpi.pm_timer_port,
	       acpi.pm_timer_from_x ? " (X_PM_TMR_BLK)" : "",
	       acpi.pm_timer_32bit ? "32-bit" : "24-bit");
	if (acpi.nr_ioapics)
		printf("%s: ACPI: %u I/O APIC%s, the first ID %u at %#lx from "
		       "GSI %u; %u interrupt source override%s\n",
		       image.name, acpi.nr_ioapics,
		       acpi.nr_ioapics == 1 ? "" : "s", acpi.ioapic_id,
		       (unsigned long)acpi.ioapic_address, acpi.ioapic_gsi_base,
		       acpi.nr_overrides, acpi.nr_overrides == 1 ? "" : "s");
	for (i = 0; i < acpi.nr_overrides; i++)
		printf("%s: ACPI:   ISA IRQ %u -> GSI %u, flags %#x\n",
		       image.name, acpi.overrides[i].irq, acpi.overrides[i].gsi,
		       acpi.overrides[i].flags);
	if (acpi.problems[0])
		printf("%s: ACPI: problems: %s\n", image.name, acpi.problems);
}

void boot_main(u32 mbi)
{
	bootinfo_copy(mbi);
	cpus[0].online = true;
	console_init();
	traps_init_cpu();
	outb(PIC_MASTER_DATA, 0xff);
	outb(PIC_SLAVE_DATA, 0xff);
	printf("\n%s: Kairos HVM test kernel; command line: %s\n", image.name,
	       bootinfo.cmdline);
	options_init(image.name, image.options);
	printf("%s: memory: %u KiB low, %u KiB high, RAM below 4 GiB ends at "
	       "%#lx (%u map ranges)\n",
	       image.name, bootinfo.mem_lower, bootinfo.mem_upper,
	       (unsigned long)bootinfo.ram_end, bootinfo.nr_mmap);
	acpi_init();
	print_acpi();
	lapic_init(LAPIC_XAPIC);
	time_init();
	printf("%s: TSC %lu.%06lu MHz, error <= %u ppm (ACPI PM timer, %lu ms); "
	       "LAPIC timer %lu.%06lu MHz, error <= %u ppm\n",
	       image.name, (unsigned long)(clocks.tsc_hz / 1000000),
	       (unsigned long)(clocks.tsc_hz % 1000000), clocks.tsc_error_ppm,
	       (unsigned long)(clocks.tsc_window_ns / NSEC_PER_MSEC),
	       (unsigned long)(clocks.lapic_hz / 1000000),
	       (unsigned long)(clocks.lapic_hz % 1000000),
	       clocks.lapic_error_ppm);
	image.main();
}
