# Host unit tests of an HVM domain's firmware-side data: the e820 map, the
# multiboot information block and the ACPI tables, the tables found and
# parsed by the project's own ACPI parser over tests/fuzz/acpi_image.c's
# synthetic memory.
UNIT_TESTS += pc_platform
pc_platform_SRCS := tests/unit/test_pc_platform.c arch/x86/hvm/pc_platform.c \
	common/acpi.c common/reject.c tests/fuzz/acpi_image.c
pc_platform_CFLAGS := -Itests/fuzz -Iarch/x86/include
$(B)/unit/test_pc_platform: tests/fuzz/acpi_image.h \
	$(wildcard arch/x86/include/asm/hvm/*.h)
