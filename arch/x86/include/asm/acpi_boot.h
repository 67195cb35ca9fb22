/*
 * Finding and mapping the firmware's ACPI tables at boot
 * (arch/x86/acpi_boot.c). Parsing is common/acpi.c; the result is
 * acpi_info (include/acpi.h).
 *
 * Concurrency: boot CPU only, once, before other CPUs start; acpi_info and
 * acpi_disabled are read-only afterwards.
 */
#ifndef ASM_X86_ACPI_BOOT_H
#define ASM_X86_ACPI_BOOT_H

#include <types.h>

/* Set by acpi=off: the boot goes on with one CPU and no ACPI timers. */
extern bool acpi_disabled;

/*
 * Finds the RSDP (the multiboot2 copy, else, on BIOS boots, the BIOS area
 * scan), maps and parses the tables into acpi_info and prints them.
 * Returns 0; -ENODEV for acpi=off; -ENOENT if no RSDP was found; or
 * acpi_parse()'s error. On any error acpi_info is all zero and one line
 * says so. Boot CPU, once, after memory_init() (it needs ioremap() and the
 * final direct map).
 */
int acpi_boot_init(void);

#endif /* ASM_X86_ACPI_BOOT_H */
