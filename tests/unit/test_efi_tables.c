/*
 * The RSDP through the EFI system table (common/efi_tables.c), on system
 * tables built in synthetic physical memory (tests/fuzz/acpi_image.c) as
 * OVMF lays them out: the 64-bit and 32-bit structures of UEFI 2.10, 4.3,
 * a configuration table with the vendor GUIDs OVMF lists around the ACPI
 * ones, then broken on purpose. map() hands out exact-size copies, so
 * AddressSanitizer catches any read past what was asked for.
 */
#include <acpi.h>
#include <compiler.h>
#include <efi_tables.h>
#include <errno.h>
#include <string.h>

#include "acpi_image.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#define IMAGE_BASE     0x7f9e000ULL
#define IMAGE_CAPACITY (64 * 1024)
#define RSDP_V1_PA     0x000f5a40ULL /* anywhere: only the address is used */
#define RSDP_V2_PA     0x07fbe014ULL

static struct acpi_image im;
static struct acpi_mem mem;

/* EFI_GUIDs in memory order (Data1-3 little-endian). */
static const u8 guid_acpi20[16] = {0x71, 0xe8, 0x68, 0x88, 0xf1, 0xe4,
				   0xd3, 0x11, 0xbc, 0x22, 0x00, 0x80,
				   0xc7, 0x3c, 0x88, 0x81};
static const u8 guid_acpi10[16] = {0x30, 0x2d, 0x9d, 0xeb, 0x88, 0x2d,
				   0xd3, 0x11, 0x9a, 0x16, 0x00, 0x90,
				   0x27, 0x3f, 0xc1, 0x4d};
/* DXE services 05ad34ba-6f02-4214-952e-4da0398e2bb9 */
static const u8 guid_dxe[16] = {0xba, 0x34, 0xad, 0x05, 0x02, 0x6f, 0x14, 0x42,
				0x95, 0x2e, 0x4d, 0xa0, 0x39, 0x8e, 0x2b, 0xb9};
/* SMBIOS 3 f2fd1544-9794-4a2c-992e-e5bbcf20e394 */
static const u8 guid_smbios3[16] = {0x44, 0x15, 0xfd, 0xf2, 0x94, 0x97,
				    0x2c, 0x4a, 0x99, 0x2e, 0xe5, 0xbb,
				    0xcf, 0x20, 0xe3, 0x94};

struct entry {
	const u8 *guid;
	u64 table;
};

static void put_le(u8 *p, u64 v, unsigned int width)
{
	for (unsigned int i = 0; i < width; i++)
		p[i] = (u8)(v >> (8 * i));
}

/*
 * Builds a system table (is64: 120 bytes, else 72) whose configuration
 * table holds entries; returns its address. count overrides the entry
 * count when not ~0.
 */
static u64 build(bool is64, const struct entry *entries, unsigned int n,
		 u64 count)
{
	unsigned int word = is64 ? 8 : 4, esize = 16 + word;
	u32 st_size = is64 ? 120 : 72;
	u64 st = acpi_image_alloc(&im, st_size, 8);
	u64 ct = acpi_image_alloc(&im, n ? n * esize : 1, 8);
	u8 *p = acpi_image_at(&im, st);

	put_le(p, EFI_SYSTEM_TABLE_SIGNATURE, 8);
	put_le(p + 8, (2U << 16) | 70, 4); /* revision 2.70 */
	put_le(p + 12, st_size, 4);
	put_le(p + (is64 ? 104 : 64), count == ~0ULL ? n : count, word);
	put_le(p + (is64 ? 112 : 68), ct, word);
	for (unsigned int i = 0; i < n; i++) {
		u8 *e = acpi_image_at(&im, ct + i * esize);

		memcpy(e, entries[i].guid, 16);
		put_le(e + 16, entries[i].table, word);
	}
	return st;
}

static int setup(void **state)
{
	(void)state;
	acpi_image_init(&im, IMAGE_BASE, IMAGE_CAPACITY);
	mem = acpi_image_mem(&im);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	acpi_image_free(&im);
	return 0;
}

/* OVMF's order: DXE services, ACPI 2.0 and 1.0 after others, SMBIOS 3. */
static const struct entry ovmf[] = {
	{guid_dxe, 0x7fe4000},
	{guid_acpi10, RSDP_V1_PA},
	{guid_acpi20, RSDP_V2_PA},
	{guid_smbios3, 0x7f54000},
};

static void acpi20_wins_64bit(void **state)
{
	u64 st = build(true, ovmf, 4, ~0ULL), pa = 0;
	enum efi_rsdp_guid which;

	(void)state;
	assert_int_equal(efi_find_rsdp(&mem, st, true, &pa, &which), 0);
	assert_int_equal(pa, RSDP_V2_PA);
	assert_int_equal(which, EFI_RSDP_ACPI_20);
}

static void acpi20_wins_32bit(void **state)
{
	u64 st = build(false, ovmf, 4, ~0ULL), pa = 0;
	enum efi_rsdp_guid which;

	(void)state;
	assert_int_equal(efi_find_rsdp(&mem, st, false, &pa, &which), 0);
	assert_int_equal(pa, RSDP_V2_PA);
	assert_int_equal(which, EFI_RSDP_ACPI_20);
}

/* Only the 1.0 entry, or a 2.0 one with no table: the 1.0 RSDP. */
static void acpi10_alone(void **state)
{
	const struct entry only10[] = {{guid_dxe, 0x7fe4000},
				       {guid_acpi20, 0},
				       {guid_acpi10, RSDP_V1_PA}};
	u64 st = build(true, only10, 3, ~0ULL), pa = 0;
	enum efi_rsdp_guid which;

	(void)state;
	assert_int_equal(efi_find_rsdp(&mem, st, true, &pa, &which), 0);
	assert_int_equal(pa, RSDP_V1_PA);
	assert_int_equal(which, EFI_RSDP_ACPI_10);
}

static void no_acpi_entry(void **state)
{
	const struct entry none[] = {{guid_dxe, 0x7fe4000},
				     {guid_smbios3, 0x7f54000}};
	u64 st = build(true, none, 2, ~0ULL), pa = 0;
	enum efi_rsdp_guid which;

	(void)state;
	assert_int_equal(efi_find_rsdp(&mem, st, true, &pa, &which), -ENOENT);
	assert_int_equal(which, EFI_RSDP_NONE);
	st = build(true, none, 0, ~0ULL);
	assert_int_equal(efi_find_rsdp(&mem, st, true, &pa, &which), -ENOENT);
}

static void broken_tables(void **state)
{
	u64 st, pa = 0;
	enum efi_rsdp_guid which;

	(void)state;
	assert_int_equal(efi_find_rsdp(&mem, 0, true, &pa, &which), -EINVAL);
	/* A bad signature. */
	st = build(true, ovmf, 4, ~0ULL);
	acpi_image_at(&im, st)[0] ^= 1;
	assert_int_equal(efi_find_rsdp(&mem, st, true, &pa, &which), -EINVAL);
	/* A header smaller than the structure: a 32-bit table read as 64. */
	st = build(false, ovmf, 4, ~0ULL);
	assert_int_equal(efi_find_rsdp(&mem, st, true, &pa, &which), -EINVAL);
	/* An absurd count. */
	st = build(true, ovmf, 4, EFI_MAX_CONFIG_TABLES + 1);
	assert_int_equal(efi_find_rsdp(&mem, st, true, &pa, &which), -EINVAL);
	/* A count past the table: its end is not in memory. */
	st = build(true, ovmf, 4, EFI_MAX_CONFIG_TABLES);
	assert_int_equal(efi_find_rsdp(&mem, st, true, &pa, &which), -EFAULT);
	/* A system table outside memory. */
	assert_int_equal(efi_find_rsdp(&mem, IMAGE_BASE + IMAGE_CAPACITY, true,
				       &pa, &which),
			 -EFAULT);
	/* Entries but no table pointer. */
	st = build(true, ovmf, 4, ~0ULL);
	put_le(acpi_image_at(&im, st) + 112, 0, 8);
	assert_int_equal(efi_find_rsdp(&mem, st, true, &pa, &which), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(acpi20_wins_64bit, setup,
						teardown),
		cmocka_unit_test_setup_teardown(acpi20_wins_32bit, setup,
						teardown),
		cmocka_unit_test_setup_teardown(acpi10_alone, setup, teardown),
		cmocka_unit_test_setup_teardown(no_acpi_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(broken_tables, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
