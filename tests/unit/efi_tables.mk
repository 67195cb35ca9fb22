# Host tests of the RSDP through the EFI system table. The synthetic
# physical memory is the ACPI tests' (tests/fuzz/acpi_image.c).
UNIT_TESTS += efi_tables
efi_tables_SRCS := tests/unit/test_efi_tables.c common/efi_tables.c \
	tests/fuzz/acpi_image.c
efi_tables_CFLAGS := -Itests/fuzz
$(B)/unit/test_efi_tables: tests/fuzz/acpi_image.h
