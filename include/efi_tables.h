/*
 * The ACPI RSDP from the EFI system table (common/efi_tables.c): the
 * system table's configuration table lists vendor tables by GUID, among
 * them the RSDP (UEFI 2.10, 4.3 "EFI System Table" and 4.6 "EFI
 * Configuration Table & Properties Table"; ACPI 6.5, 5.2.5.2). For a
 * loader that passes the multiboot2 EFI system table tag (11 or 12) but
 * no ACPI tag. Physical memory is read through struct acpi_mem, so host
 * tests feed it a synthetic system table.
 */
#ifndef KAIROS_EFI_TABLES_H
#define KAIROS_EFI_TABLES_H

#include <acpi.h>
#include <types.h>

/* "IBI SYST", EFI_SYSTEM_TABLE_SIGNATURE, read as a little-endian u64. */
#define EFI_SYSTEM_TABLE_SIGNATURE 0x5453595320494249ULL
/* More entries than this is a corrupt count, not a real firmware's list. */
#define EFI_MAX_CONFIG_TABLES 1024

/* Which configuration-table entry gave the RSDP. */
enum efi_rsdp_guid {
	EFI_RSDP_NONE = 0,
	EFI_RSDP_ACPI_10, /* ACPI_TABLE_GUID, eb9d2d30-2d88-11d3-... */
	EFI_RSDP_ACPI_20, /* EFI_ACPI_TABLE_GUID, 8868e871-e4f1-11d3-... */
};

/*
 * Finds the RSDP's physical address in the configuration table of the
 * EFI system table at st_pa, laid out for a 64-bit firmware if is64, else
 * a 32-bit one. The ACPI 2.0 entry wins over the 1.0 one wherever each
 * appears. Returns 0 with *rsdp_pa and *which set; -EINVAL for a bad
 * signature, header or entry count; -EFAULT if a table cannot be read;
 * -ENOENT if no entry names the RSDP. Reentrant.
 */
int efi_find_rsdp(const struct acpi_mem *m, u64 st_pa, bool is64, u64 *rsdp_pa,
		  enum efi_rsdp_guid *which);

#endif /* KAIROS_EFI_TABLES_H */
