# Host unit tests of the ACPI table parser. The synthetic-memory builder is
# shared with the fuzz target (tests/fuzz/).
UNIT_TESTS += acpi
acpi_SRCS := tests/unit/test_acpi.c common/acpi.c tests/fuzz/acpi_image.c
acpi_CFLAGS := -Itests/fuzz
$(B)/unit/test_acpi: tests/fuzz/acpi_image.h
