/*
 * Host unit tests of the ACPI table parser (common/acpi.c).
 *
 * Tables are built into a synthetic physical memory image
 * (tests/fuzz/acpi_image.c) with correct lengths and checksums, then broken
 * on purpose. The image's accessor hands the parser a malloc'd copy of
 * exactly the bytes it asked for on every map(), so AddressSanitizer
 * reports any read past them.
 */
/*
 * Project headers first: glibc's <sys/cdefs.h> defines __always_inline too,
 * and only a redefinition inside a system header goes unreported.
 */
#include <acpi.h>
#include <compiler.h>
#include <errno.h>
#include <string.h>

#include "acpi_image.h"
#include "host_support.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

/* Where the synthetic tables live: an address like QEMU's, 16-aligned. */
#define IMAGE_BASE     0x7fe0000ULL
#define IMAGE_CAPACITY (256 * 1024)
#define LAPIC_DEFAULT  0xfee00000U

static struct acpi_image im;
static struct acpi_mem mem;
/* About 100 KiB with NR_CPUS entries: static, not on the stack. */
static struct acpi_info info;

static int setup(void **state)
{
	host_printk_reset();
	acpi_image_init(&im, IMAGE_BASE, IMAGE_CAPACITY);
	mem = acpi_image_mem(&im);
	/* acpi_parse() must clear whatever was there. */
	memset(&info, 0xa5, sizeof(info));
	return 0;
}

static int teardown(void **state)
{
	acpi_image_free(&im);
	return 0;
}

/* True if needle occurs in the log (include/string.h has no strstr). */
static bool printed(const char *needle)
{
	const char *log = host_printk_output();
	size_t n = strlen(needle);

	for (; *log; log++)
		if (strncmp(log, needle, n) == 0)
			return true;
	return false;
}

/* Fails with the whole log if needle was not printed. */
#define assert_printed(needle)                                                \
	do {                                                                  \
		if (!printed(needle))                                         \
			fail_msg("expected \"%s\" in the log:\n%s", (needle), \
				 host_printk_output());                       \
	} while (0)

#define assert_not_printed(needle)                                        \
	do {                                                              \
		if (printed(needle))                                      \
			fail_msg("did not expect \"%s\" in the log:\n%s", \
				 (needle), host_printk_output());         \
	} while (0)

/* The log says nothing at warning level (all "acpi: " lines are warnings). */
#define assert_no_warnings() assert_not_printed("acpi: ")

/* "acpi: <what> at 0x<pa>: <rest>" as the parser prints it. */
static const char *at(const char *what, u64 pa, const char *rest)
{
	static char buf[4][256];
	static unsigned int next;
	char *b = buf[next++ % ARRAY_SIZE(buf)];

	snprintf(b, sizeof(buf[0]), "acpi: %s at 0x%lx: %s", what, pa, rest);
	return b;
}

/* RSDP (revision rev) with an RSDT, and for rev >= 2 an XSDT, listing t. */
static u64 finish(const u64 *t, unsigned int n, u8 rev)
{
	u64 rsdt = acpi_put_root(&im, "RSDT", t, n);
	u64 xsdt = rev >= 2 ? acpi_put_root(&im, "XSDT", t, n) : 0;
	u64 rsdp = acpi_image_alloc(&im, ACPI_RSDP_V2_LEN, 16);

	acpi_put_rsdp(&im, rsdp, rev, rsdt, xsdt);
	return rsdp;
}

static int parse_at(u64 rsdp)
{
	return acpi_parse_at(&mem, rsdp, &info);
}

/* A MADT with the given CPUs as enabled xAPIC entries, nothing else. */
static u64 madt_with_cpus(unsigned int n)
{
	u64 pa = acpi_madt_begin(&im, LAPIC_DEFAULT, 1);
	unsigned int i;

	for (i = 0; i < n; i++)
		acpi_madt_lapic(&im, i, i, 1);
	acpi_madt_ioapic(&im, 0, 0xfec00000, 0);
	acpi_table_end(&im);
	return pa;
}

static const struct acpi_fadt_spec fadt_q35 = {
	.revision = 3,
	.length = 244,
	.sci = 9,
	.pm_tmr_blk = 0x608,
	.pm_tmr_len = 4,
	.century = 0x32,
	.boot_arch = 0x2,
	.flags = 0x84a5,
	.x_pm_space = 1,
	.x_pm_addr = 0x608,
};

/* ------------------------------------------------------------------------
 * A whole machine
 */

static void test_machine_v2(void **state)
{
	u64 rsdp = acpi_build_machine(&im, 4, 2);

	assert_int_equal(parse_at(rsdp), 0);
	assert_no_warnings();
	assert_int_equal(info.rsdp_revision, 2);
	assert_int_equal(info.rsdp_pa, rsdp);
	assert_string_equal(info.oem_id, "KAIROS");
	assert_true(info.root_is_xsdt);
	assert_int_equal(info.nr_tables, 4);
	assert_string_equal(info.tables[0].sig, "FACP");
	assert_string_equal(info.tables[1].sig, "APIC");
	assert_string_equal(info.tables[2].sig, "HPET");
	assert_string_equal(info.tables[3].sig, "MCFG");
	assert_string_equal(info.tables[1].oem_id, "KAIROS"); /* hwreport's */
	assert_int_equal(info.tables[1].revision, 5);
	assert_false(info.tables[1].ignored);

	assert_true(info.madt_present);
	assert_int_equal(info.nr_cpus, 4);
	assert_int_equal(info.nr_cpus_enabled, 4);
	assert_int_equal(info.lapic_addr, LAPIC_DEFAULT);
	assert_true(info.pcat_compat);
	assert_int_equal(info.nr_ioapics, 1);
	assert_int_equal(info.ioapics[0].addr, 0xfec00000);
	assert_int_equal(info.nr_overrides, 5);
	assert_int_equal(info.overrides[0].irq, 0);
	assert_int_equal(info.overrides[0].gsi, 2);
	assert_int_equal(info.overrides[1].flags,
			 ACPI_MPS_POLARITY_HIGH | ACPI_MPS_TRIGGER_LEVEL);
	assert_int_equal(info.nr_lapic_nmis, 1);
	assert_int_equal(info.lapic_nmis[0].uid, ACPI_UID_ALL);
	assert_int_equal(info.lapic_nmis[0].lint, 1);

	assert_true(info.hpet.present);
	assert_int_equal(info.hpet.address, 0xfed00000);
	assert_true(info.fadt.present);
	assert_int_equal(info.fadt.pm_timer_port, 0x608);
	assert_true(info.mcfg_present);
	assert_int_equal(info.nr_mcfg, 1);
	assert_int_equal(info.mcfg[0].base, 0xb0000000);
	assert_int_equal(info.mcfg[0].bus_end, 0xff);
}

static void test_machine_print(void **state)
{
	u64 rsdp = acpi_build_machine(&im, 4, 2);

	assert_int_equal(parse_at(rsdp), 0);
	info.rsdp_source = ACPI_RSDP_BIOS;
	host_printk_reset();
	acpi_info_print(&info);
	assert_printed(
		"ACPI: RSDP revision 2 (OEM KAIROS) from the BIOS area at 0x7fe0000\n");
	assert_printed("lists 4 tables: FACP APIC HPET MCFG\n");
	assert_printed(
		"ACPI: MADT: 4 CPUs (4 enabled), 1 I/O APIC, 5 overrides, LAPIC at 0xfee00000");
	assert_printed("ACPI: HPET at 0xfed00000, 3 comparators, 64-bit\n");
	assert_printed("ACPI: FADT: PM timer at port 0x608, 24-bit\n");
	assert_printed("ACPI: MCFG: 1 ECAM region\n");
	assert_printed("segment 0, buses 0x00-0xff at 0xb0000000\n");
}

static void test_print_without_tables(void **state)
{
	u64 t[1];

	t[0] = acpi_table_begin(&im, "WAET", 1, 4);
	acpi_put32(&im, 0);
	acpi_table_end(&im);
	assert_int_equal(parse_at(finish(t, 1, 0)), 0);
	host_printk_reset();
	acpi_info_print(&info);
	assert_printed("ACPI: RSDT at ");
	assert_printed("lists 1 table: WAET\n");
	assert_printed("ACPI: no MADT: one CPU, no I/O APIC\n");
	assert_printed("ACPI: no HPET\n");
	assert_printed("ACPI: no FADT: no PM timer\n");
	assert_not_printed("MCFG");
}

static void test_parse_copy_of_rsdp(void **state)
{
	u64 rsdp = acpi_build_machine(&im, 2, 2);
	u8 copy[ACPI_RSDP_V2_LEN];

	/* As the multiboot2 tag has it: a copy, away from the tables. */
	memcpy(copy, acpi_image_at(&im, rsdp), sizeof(copy));
	assert_int_equal(acpi_parse(&mem, copy, sizeof(copy), &info), 0);
	assert_int_equal(info.rsdp_pa, 0);
	assert_true(info.root_is_xsdt);
	assert_int_equal(info.nr_cpus, 2);
}

/* ------------------------------------------------------------------------
 * The RSDP
 */

static void test_rsdp_v1_uses_rsdt(void **state)
{
	u64 rsdp = acpi_build_machine(&im, 1, 0);

	assert_int_equal(parse_at(rsdp), 0);
	assert_no_warnings();
	assert_int_equal(info.rsdp_revision, 0);
	assert_false(info.root_is_xsdt);
	assert_int_equal(info.nr_cpus, 1);
}

static void test_rsdp_missing_or_short(void **state)
{
	u64 rsdp = acpi_build_machine(&im, 1, 0);
	u8 *r = acpi_image_at(&im, rsdp);

	assert_int_equal(acpi_parse(&mem, NULL, 0, &info), -EINVAL);
	assert_printed("acpi: RSDP missing; no ACPI tables\n");
	assert_false(info.madt_present);
	assert_int_equal(acpi_parse(&mem, r, 19, &info), -EINVAL);
	assert_printed("acpi: RSDP is shorter than 20 bytes; no ACPI tables\n");
}

static void test_rsdp_bad_signature(void **state)
{
	u64 rsdp = acpi_build_machine(&im, 1, 2);
	u8 *r = acpi_image_at(&im, rsdp);

	r[0] = 'X';
	acpi_image_checksum(&im, rsdp, 20, rsdp + 8);
	assert_int_equal(parse_at(rsdp), -EINVAL);
	assert_printed(
		"acpi: RSDP has no \"RSD PTR \" signature; no ACPI tables\n");
	assert_false(info.madt_present);
	assert_int_equal(info.nr_cpus, 0);
}

static void test_rsdp_v1_bad_checksum(void **state)
{
	u64 rsdp = acpi_build_machine(&im, 1, 0);

	acpi_image_at(&im, rsdp)[8] ^= 1;
	assert_int_equal(parse_at(rsdp), -EINVAL);
	assert_printed("acpi: RSDP checksum bad; no ACPI tables\n");
}

static void test_rsdp_v2_bad_checksum_of_v1_part(void **state)
{
	u64 rsdp = acpi_build_machine(&im, 1, 2);

	/* Byte 16 is in both sums: break the first, repair the second. */
	acpi_image_at(&im, rsdp)[16] ^= 0x40;
	acpi_image_checksum(&im, rsdp, 36, rsdp + 32);
	assert_int_equal(parse_at(rsdp), -EINVAL);
	assert_printed("acpi: RSDP checksum bad");
}

static void test_rsdp_v2_bad_extended_checksum(void **state)
{
	u64 rsdp = acpi_build_machine(&im, 3, 2);

	acpi_image_at(&im, rsdp)[32] ^= 1;
	assert_int_equal(parse_at(rsdp), 0);
	assert_printed(
		"acpi: RSDP revision 2: extended checksum bad; using the RSDT\n");
	assert_false(info.root_is_xsdt);
	assert_int_equal(info.nr_cpus, 3);
}

static void test_rsdp_v2_short_length_field(void **state)
{
	u64 rsdp = acpi_build_machine(&im, 1, 2);
	u8 *r = acpi_image_at(&im, rsdp);

	r[20] = 20;
	acpi_image_checksum(&im, rsdp, 20, rsdp + 8);
	acpi_image_checksum(&im, rsdp, 36, rsdp + 32);
	assert_int_equal(parse_at(rsdp), 0);
	assert_printed(
		"acpi: RSDP revision 2: Length field is implausible; using the RSDT\n");
	assert_false(info.root_is_xsdt);
}

static void test_rsdp_v2_copy_too_short(void **state)
{
	u64 rsdp = acpi_build_machine(&im, 1, 2);
	u8 copy[ACPI_RSDP_V1_LEN];

	/* An ACPI 1.0 tag that copied 20 bytes of a revision-2 RSDP. */
	memcpy(copy, acpi_image_at(&im, rsdp), sizeof(copy));
	assert_int_equal(acpi_parse(&mem, copy, sizeof(copy), &info), 0);
	assert_printed(
		"acpi: RSDP revision 2: only its 20-byte ACPI 1.0 part is available; using the RSDT\n");
	assert_false(info.root_is_xsdt);
	assert_int_equal(info.nr_cpus, 1);
}

static void test_rsdp_v2_length_past_copy(void **state)
{
	u64 rsdp = acpi_build_machine(&im, 1, 2);
	u8 copy[ACPI_RSDP_V2_LEN], sum = 0;
	unsigned int i;

	/* Length says 40, the copy has 36: the extra 4 must not be read. */
	memcpy(copy, acpi_image_at(&im, rsdp), sizeof(copy));
	copy[20] = 40;
	copy[8] = 0;
	for (i = 0; i < ACPI_RSDP_V1_LEN; i++)
		sum += copy[i];
	copy[8] = -sum;
	assert_int_equal(acpi_parse(&mem, copy, sizeof(copy), &info), 0);
	assert_printed(
		"Length field runs past the bytes available; using the RSDT\n");
}

static void test_rsdp_unreadable(void **state)
{
	assert_int_equal(acpi_parse_at(&mem, 0x1000, &info), -EFAULT);
	assert_printed("acpi: RSDP at 0x1000: not readable; no ACPI tables\n");
	assert_false(info.madt_present);
}

/* ------------------------------------------------------------------------
 * RSDT or XSDT
 */

/* XSDT lists a MADT with 2 CPUs, RSDT one with 1: which one was read. */
static u64 two_roots(u64 *xsdt_pa, u64 *rsdt_pa)
{
	u64 x_madt = madt_with_cpus(2), r_madt = madt_with_cpus(1);
	u64 rsdp;

	*xsdt_pa = acpi_put_root(&im, "XSDT", &x_madt, 1);
	*rsdt_pa = acpi_put_root(&im, "RSDT", &r_madt, 1);
	rsdp = acpi_image_alloc(&im, ACPI_RSDP_V2_LEN, 16);
	acpi_put_rsdp(&im, rsdp, 2, *rsdt_pa, *xsdt_pa);
	return rsdp;
}

static void test_xsdt_preferred(void **state)
{
	u64 xsdt, rsdt, rsdp = two_roots(&xsdt, &rsdt);

	assert_int_equal(parse_at(rsdp), 0);
	assert_no_warnings();
	assert_true(info.root_is_xsdt);
	assert_int_equal(info.root_pa, xsdt);
	assert_int_equal(info.nr_cpus, 2);
}

static void test_xsdt_bad_checksum_falls_back(void **state)
{
	u64 xsdt, rsdt, rsdp = two_roots(&xsdt, &rsdt);

	acpi_image_at(&im, xsdt)[9] ^= 0xff;
	assert_int_equal(parse_at(rsdp), 0);
	assert_printed(
		at("XSDT", xsdt, "checksum bad; falling back to the RSDT\n"));
	assert_false(info.root_is_xsdt);
	assert_int_equal(info.root_pa, rsdt);
	assert_int_equal(info.nr_cpus, 1);
}

static void test_xsdt_bad_signature_falls_back(void **state)
{
	u64 xsdt, rsdt, rsdp = two_roots(&xsdt, &rsdt);

	/* The XSDT pointer leads to an RSDT: what it promised is not there. */
	memcpy(acpi_image_at(&im, xsdt), "RSDT", 4);
	acpi_table_fix_checksum(&im, xsdt);
	assert_int_equal(parse_at(rsdp), 0);
	assert_printed(at(
		"XSDT", xsdt,
		"signature is \"RSDT\", not \"XSDT\"; falling back to the RSDT\n"));
	assert_int_equal(info.nr_cpus, 1);
}

static void test_xsdt_unreadable_falls_back(void **state)
{
	u64 xsdt, rsdt, rsdp = two_roots(&xsdt, &rsdt);

	im.hole_start = xsdt;
	im.hole_end = xsdt + 1;
	assert_int_equal(parse_at(rsdp), 0);
	assert_printed(
		at("XSDT", xsdt, "not readable; falling back to the RSDT\n"));
	assert_int_equal(info.nr_cpus, 1);
}

static void test_xsdt_zero_uses_rsdt(void **state)
{
	u64 madt = madt_with_cpus(1);
	u64 rsdt = acpi_put_root(&im, "RSDT", &madt, 1);
	u64 rsdp = acpi_image_alloc(&im, ACPI_RSDP_V2_LEN, 16);

	acpi_put_rsdp(&im, rsdp, 2, rsdt, 0);
	assert_int_equal(parse_at(rsdp), 0);
	assert_no_warnings();
	assert_false(info.root_is_xsdt);
	assert_int_equal(info.nr_cpus, 1);
}

static void test_no_usable_root(void **state)
{
	u64 xsdt, rsdt, rsdp = two_roots(&xsdt, &rsdt);

	acpi_image_at(&im, xsdt)[9] ^= 0xff;
	acpi_image_at(&im, rsdt)[9] ^= 0xff;
	assert_int_equal(parse_at(rsdp), -EINVAL);
	assert_printed(at("RSDT", rsdt, "checksum bad; no ACPI tables\n"));
	assert_false(info.madt_present);
}

static void test_xsdt_bad_and_no_rsdt(void **state)
{
	u64 madt = madt_with_cpus(1);
	u64 xsdt = acpi_put_root(&im, "XSDT", &madt, 1);
	u64 rsdp = acpi_image_alloc(&im, ACPI_RSDP_V2_LEN, 16);

	acpi_put_rsdp(&im, rsdp, 2, 0, xsdt);
	acpi_image_at(&im, xsdt)[9] ^= 0xff;
	assert_int_equal(parse_at(rsdp), -EINVAL);
	assert_printed(
		at("XSDT", xsdt, "checksum bad; and there is no RSDT\n"));
}

static void test_rsdp_lists_no_root(void **state)
{
	u64 rsdp = acpi_image_alloc(&im, ACPI_RSDP_V2_LEN, 16);

	acpi_put_rsdp(&im, rsdp, 2, 0, 0);
	assert_int_equal(parse_at(rsdp), -EINVAL);
	assert_printed("acpi: RSDP lists no root table; no ACPI tables\n");
}

static void test_root_stray_bytes(void **state)
{
	u64 madt = madt_with_cpus(2);
	u64 xsdt = acpi_table_begin(&im, "XSDT", 1, 4);
	u64 rsdp;

	acpi_put64(&im, madt);
	acpi_put8(&im, 0x12);
	acpi_put8(&im, 0x34);
	acpi_put8(&im, 0x56);
	acpi_table_end(&im);
	rsdp = acpi_image_alloc(&im, ACPI_RSDP_V2_LEN, 16);
	acpi_put_rsdp(&im, rsdp, 2, 0, xsdt);
	assert_int_equal(parse_at(rsdp), 0);
	assert_printed(at("XSDT", xsdt,
			  "3 stray bytes after the last entry; ignored\n"));
	assert_int_equal(info.nr_tables, 1);
	assert_int_equal(info.nr_cpus, 2);
}

static void test_root_entries_unreadable(void **state)
{
	u64 t[5];

	t[0] = 0;				/* null */
	t[1] = 0x123456789000ULL;		/* nothing there */
	t[2] = madt_with_cpus(2);		/* fine */
	t[3] = IMAGE_BASE + IMAGE_CAPACITY - 8; /* header past the image */
	t[4] = 0xfffffffffffffff0ULL;		/* header past 2^64 */
	assert_int_equal(parse_at(finish(t, 5, 2)), 0);
	assert_printed(
		"acpi: table 0 of the root table at 0x0: not readable; ignored\n");
	assert_printed(
		"acpi: table 1 of the root table at 0x123456789000: not readable; ignored\n");
	assert_printed("acpi: table 3 of the root table at ");
	assert_printed(
		"acpi: table 4 of the root table at 0xfffffffffffffff0: not readable; ignored\n");
	assert_int_equal(info.nr_tables, 5);
	assert_string_equal(info.tables[0].sig, "????");
	assert_true(info.tables[0].ignored);
	assert_string_equal(info.tables[2].sig, "APIC");
	assert_int_equal(info.nr_cpus, 2);
}

static void test_root_many_entries(void **state)
{
	u64 t[300];
	u64 ssdt = acpi_table_begin(&im, "SSDT", 2, 4);
	unsigned int i;

	acpi_table_end(&im);
	for (i = 0; i < ARRAY_SIZE(t); i++)
		t[i] = ssdt;
	t[40] = madt_with_cpus(3);
	assert_int_equal(parse_at(finish(t, ARRAY_SIZE(t), 2)), 0);
	assert_printed("lists 300 tables; only the first 256 are looked at\n");
	assert_int_equal(info.nr_tables, 300);
	assert_string_equal(info.tables[ACPI_MAX_TABLES - 1].sig, "SSDT");
	/* Past the remembered ones, tables are still parsed. */
	assert_int_equal(info.nr_cpus, 3);
	host_printk_reset();
	acpi_info_print(&info);
	assert_printed(" SSDT ...\n");
}

/* ------------------------------------------------------------------------
 * Table checks: a bad table is reported and skipped, the rest still count
 */

static void test_table_bad_checksum_skipped(void **state)
{
	u64 t[2];

	t[0] = madt_with_cpus(2);
	t[1] = acpi_put_fadt(&im, &fadt_q35);
	acpi_image_at(&im, t[0] + 50)[0] ^= 1;
	assert_int_equal(parse_at(finish(t, 2, 2)), 0);
	assert_printed(at("MADT", t[0], "checksum bad; table ignored\n"));
	assert_false(info.madt_present);
	assert_int_equal(info.nr_cpus, 0);
	assert_true(info.tables[0].ignored);
	assert_true(info.fadt.present);
	host_printk_reset();
	acpi_info_print(&info);
	assert_printed(": APIC(ignored) FACP\n");
}

static void test_table_length_checks(void **state)
{
	u64 t[4];

	t[0] = madt_with_cpus(1);
	t[1] = acpi_put_hpet(&im, 0x8086a201, 0, 0xfed00000, 0, 128);
	t[2] = acpi_put_fadt(&im, &fadt_q35);
	t[3] = acpi_put_mcfg(&im, NULL, 0);
	/* MADT shorter than its header; HPET absurdly long. */
	acpi_image_at(&im, t[0])[4] = 30;
	acpi_image_at(&im, t[1])[7] = 0x7f;
	/* FADT longer than the readable memory. */
	acpi_image_at(&im, t[2])[4] = 0;
	acpi_image_at(&im, t[2])[6] = 0x10;
	assert_int_equal(parse_at(finish(t, 4, 2)), 0);
	assert_printed(
		at("MADT", t[0],
		   "length 30 is below the minimum of 44; table ignored\n"));
	assert_printed(at(
		"HPET", t[1],
		"length 2130706488 is implausible (over 16 MiB); table ignored\n"));
	assert_printed(
		at("FADT", t[2],
		   "its 1048576 bytes are not readable; table ignored\n"));
	assert_false(info.madt_present);
	assert_false(info.hpet.present);
	assert_false(info.fadt.present);
	/* An MCFG without allocations is fine. */
	assert_true(info.mcfg_present);
	assert_int_equal(info.nr_mcfg, 0);
}

static void test_table_minimum_lengths(void **state)
{
	u64 t[3];

	t[0] = acpi_madt_begin(&im, LAPIC_DEFAULT, 0);
	acpi_table_end(&im); /* 44 bytes: a MADT without entries is valid */
	t[1] = acpi_table_begin(&im, "HPET", 1, 4);
	acpi_put32(&im, 0x8086a201);
	acpi_put_gas(&im, 0, 64, 0xfed00000);
	acpi_table_end(&im); /* 52 bytes: no room for the last fields */
	t[2] = acpi_table_begin(&im, "MCFG", 1, 4);
	acpi_put32(&im, 0);
	acpi_table_end(&im); /* 40 bytes */
	assert_int_equal(parse_at(finish(t, 3, 2)), 0);
	assert_true(info.madt_present);
	assert_int_equal(info.nr_cpus, 0);
	assert_printed(
		at("HPET", t[1],
		   "length 52 is below the minimum of 56; table ignored\n"));
	assert_printed(
		at("MCFG", t[2],
		   "length 40 is below the minimum of 44; table ignored\n"));
	assert_false(info.hpet.present);
	assert_false(info.mcfg_present);
}

/* An accessor whose memory changes under the parser: the MADT's length
 * field reads differently the second time. */
static u64 changing_pa;

static const void *changing_map(void *ctx, u64 pa, u64 len)
{
	const u8 *p = acpi_image_mem(&im).map(ctx, pa, len);

	if (p && pa == changing_pa && len > 36)
		((u8 *)p)[4] ^= 1;
	return p;
}

static void test_table_changes_between_reads(void **state)
{
	u64 t = madt_with_cpus(1);

	changing_pa = t;
	mem.map = changing_map;
	assert_int_equal(parse_at(finish(&t, 1, 2)), 0);
	assert_printed(
		at("MADT", t, "header changed between reads; table ignored\n"));
	assert_false(info.madt_present);
}

static void test_duplicate_tables(void **state)
{
	u64 t[4];

	t[0] = madt_with_cpus(1);
	t[1] = madt_with_cpus(2);
	t[2] = madt_with_cpus(3);
	t[3] = acpi_put_mcfg(&im, NULL, 0);
	/* The first MADT is bad, so the second is used; the third is extra. */
	acpi_image_at(&im, t[0])[9] ^= 1;
	assert_int_equal(parse_at(finish(t, 4, 2)), 0);
	assert_printed(at("MADT", t[0], "checksum bad; table ignored\n"));
	assert_printed(at("MADT", t[2], "a second MADT; table ignored\n"));
	assert_int_equal(info.nr_cpus, 2);
	assert_true(info.tables[0].ignored);
	assert_false(info.tables[1].ignored);
	assert_true(info.tables[2].ignored);
}

static void test_unknown_tables_not_read(void **state)
{
	u64 t[2];
	unsigned long maps;

	t[0] = acpi_table_begin(&im, "SSDT", 2, 4);
	acpi_put32(&im, 0xdeadbeef);
	acpi_table_end(&im);
	/* A bad checksum in a table we do not parse is none of our business. */
	acpi_image_at(&im, t[0])[9] ^= 1;
	t[1] = acpi_table_begin(&im,
				"\x01\x02\xff"
				"A",
				1, 4);
	acpi_table_end(&im);
	maps = im.maps;
	assert_int_equal(parse_at(finish(t, 2, 0)), 0);
	assert_no_warnings();
	assert_string_equal(info.tables[0].sig, "SSDT");
	assert_int_equal(info.tables[0].length, 40);
	assert_int_equal(info.tables[0].revision, 2);
	assert_string_equal(info.tables[1].sig, "???A");
	/* RSDP (1), RSDT (2), one header per table (2). */
	assert_int_equal(im.maps - maps, 5);
}

/* ------------------------------------------------------------------------
 * MADT
 */

static u64 madt_only(void)
{
	u64 t = im.cur;

	acpi_table_end(&im);
	return finish(&t, 1, 2);
}

static void test_madt_mixed_xapic_x2apic(void **state)
{
	acpi_madt_begin(&im, LAPIC_DEFAULT, 0);
	acpi_madt_lapic(&im, 0, 0, 1);
	acpi_madt_x2apic(&im, 0x100, 1, 1);
	acpi_madt_lapic(&im, 2, 7, 1);
	acpi_madt_x2apic(&im, 0xff, 3, 1); /* 0xff is a valid x2APIC ID */
	assert_int_equal(parse_at(madt_only()), 0);
	assert_no_warnings();
	assert_int_equal(info.nr_cpus, 4);
	assert_int_equal(info.cpus[0].apic_id, 0);
	assert_false(info.cpus[0].x2apic_entry);
	assert_int_equal(info.cpus[1].apic_id, 0x100);
	assert_int_equal(info.cpus[1].uid, 1);
	assert_true(info.cpus[1].x2apic_entry);
	assert_int_equal(info.cpus[2].apic_id, 7);
	assert_int_equal(info.cpus[2].uid, 2);
	assert_int_equal(info.cpus[3].apic_id, 0xff);
	assert_false(info.pcat_compat);
}

static void test_madt_order_kept(void **state)
{
	/* The boot CPU need not come first; the table order is kept. */
	acpi_madt_begin(&im, LAPIC_DEFAULT, 1);
	acpi_madt_lapic(&im, 3, 6, 1);
	acpi_madt_lapic(&im, 0, 0, 1);
	acpi_madt_lapic(&im, 1, 2, 1);
	assert_int_equal(parse_at(madt_only()), 0);
	assert_int_equal(info.cpus[0].apic_id, 6);
	assert_int_equal(info.cpus[1].apic_id, 0);
	assert_int_equal(info.cpus[2].apic_id, 2);
}

static void test_madt_enabled_and_online_capable(void **state)
{
	acpi_madt_begin(&im, LAPIC_DEFAULT, 1);
	acpi_madt_lapic(&im, 0, 0, 1);		/* enabled */
	acpi_madt_lapic(&im, 1, 1, 0);		/* not present: not a CPU */
	acpi_madt_lapic(&im, 2, 2, 2);		/* online-capable */
	acpi_madt_lapic(&im, 3, 3, 3);		/* enabled; bit 1 reserved */
	acpi_madt_x2apic(&im, 0x200, 4, 0);	/* not present */
	acpi_madt_x2apic(&im, 0x201, 5, 2);	/* online-capable */
	acpi_madt_lapic(&im, 6, 6, 0xfffffffc); /* reserved bits only */
	assert_int_equal(parse_at(madt_only()), 0);
	assert_no_warnings();
	assert_int_equal(info.nr_cpus, 4);
	assert_int_equal(info.nr_cpus_enabled, 2);
	assert_int_equal(info.nr_cpus_online_capable, 2);
	assert_int_equal(info.nr_cpus_absent, 3);
	assert_true(info.cpus[0].enabled);
	assert_int_equal(info.cpus[1].apic_id, 2);
	assert_false(info.cpus[1].enabled);
	assert_true(info.cpus[1].online_capable);
	assert_true(info.cpus[2].enabled);
	assert_false(info.cpus[2].online_capable);
	assert_int_equal(info.cpus[3].apic_id, 0x201);
	assert_true(info.cpus[3].online_capable);
	host_printk_reset();
	acpi_info_print(&info);
	assert_printed(
		"ACPI: MADT: 4 CPUs (2 enabled, 2 online-capable; 3 more not present), 0 I/O APICs, 0 overrides");
}

static void test_madt_invalid_ids(void **state)
{
	u64 rsdp;

	acpi_madt_begin(&im, LAPIC_DEFAULT, 1);
	acpi_madt_lapic(&im, 0, 0, 1);
	acpi_madt_lapic(&im, 0xfe, 0xff, 0);	 /* filler: silent */
	acpi_madt_lapic(&im, 1, 0xff, 1);	 /* enabled: reported */
	acpi_madt_x2apic(&im, 0xffffffff, 2, 1); /* reported */
	acpi_madt_x2apic(&im, 0xffffffff, 3, 0); /* filler: silent */
	rsdp = madt_only();
	assert_int_equal(parse_at(rsdp), 0);
	assert_int_equal(info.nr_cpus, 1);
	assert_printed(
		"local APIC entry at offset 60 has the invalid APIC ID 0xff; entry skipped\n");
	assert_printed(
		"x2APIC entry at offset 68 has the invalid APIC ID 0xffffffff; entry skipped\n");
	assert_not_printed("offset 52");
	assert_not_printed("offset 84");
}

static void test_madt_duplicates(void **state)
{
	acpi_madt_begin(&im, LAPIC_DEFAULT, 1);
	acpi_madt_lapic(&im, 0, 0, 1);
	acpi_madt_lapic(&im, 1, 1, 1);
	acpi_madt_lapic(&im, 9, 1, 1);	 /* same ID again */
	acpi_madt_x2apic(&im, 0, 10, 1); /* same ID in an x2APIC entry */
	acpi_madt_lapic(&im, 2, 2, 0);	 /* absent: no duplicate check */
	acpi_madt_lapic(&im, 3, 2, 1);
	assert_int_equal(parse_at(madt_only()), 0);
	assert_int_equal(info.nr_cpus, 3);
	assert_int_equal(info.cpus[1].uid, 1);
	assert_int_equal(info.cpus[2].apic_id, 2);
	assert_int_equal(info.cpus[2].uid, 3);
	assert_printed(
		"APIC ID 0x1 listed again by the entry at offset 60; that entry dropped\n");
	assert_printed(
		"APIC ID 0 listed again by the entry at offset 68; that entry dropped\n");
	assert_int_equal(info.nr_cpus_enabled, 3);
}

static void test_madt_address_override(void **state)
{
	acpi_madt_begin(&im, LAPIC_DEFAULT, 1);
	acpi_madt_lapic(&im, 0, 0, 1);
	acpi_madt_lapic_addr(&im, 0x100fee00000ULL);
	acpi_madt_lapic_addr(&im, 0x200fee00000ULL);
	assert_int_equal(parse_at(madt_only()), 0);
	assert_true(info.lapic_addr_override);
	assert_int_equal(info.lapic_addr, 0x100fee00000ULL);
	assert_printed(
		"a second local APIC address override at offset 64; entry skipped\n");
}

static void test_madt_overrides_and_nmis(void **state)
{
	acpi_madt_begin(&im, LAPIC_DEFAULT, 1);
	acpi_madt_override(&im, 0, 0, 2, 0);
	acpi_madt_override(&im, 0, 9, 20, 0xf);
	acpi_madt_nmi_source(&im, 0x5, 23);
	acpi_madt_lapic_nmi(&im, 0xff, 0x5, 1);
	acpi_madt_lapic_nmi(&im, 3, 0xd, 0);
	acpi_madt_x2apic_nmi(&im, 0xffffffff, 0, 1);
	acpi_madt_x2apic_nmi(&im, 0x1234, 0x5, 0);
	acpi_madt_lapic_nmi(&im, 1, 0, 2); /* no LINT2 */
	assert_int_equal(parse_at(madt_only()), 0);
	assert_int_equal(info.nr_overrides, 2);
	assert_int_equal(info.overrides[1].bus, 0);
	assert_int_equal(info.overrides[1].irq, 9);
	assert_int_equal(info.overrides[1].gsi, 20);
	assert_int_equal(info.overrides[1].flags & ACPI_MPS_POLARITY_MASK,
			 ACPI_MPS_POLARITY_LOW);
	assert_int_equal(info.overrides[1].flags & ACPI_MPS_TRIGGER_MASK,
			 ACPI_MPS_TRIGGER_LEVEL);
	assert_int_equal(info.nr_nmi_sources, 1);
	assert_int_equal(info.nmi_sources[0].gsi, 23);
	assert_int_equal(info.nmi_sources[0].flags, 0x5);
	assert_int_equal(info.nr_lapic_nmis, 4);
	assert_int_equal(info.lapic_nmis[0].uid, ACPI_UID_ALL);
	assert_int_equal(info.lapic_nmis[0].flags, 0x5);
	assert_int_equal(info.lapic_nmis[0].lint, 1);
	assert_int_equal(info.lapic_nmis[1].uid, 3);
	assert_int_equal(info.lapic_nmis[1].flags, 0xd);
	assert_int_equal(info.lapic_nmis[1].lint, 0);
	assert_int_equal(info.lapic_nmis[2].uid, ACPI_UID_ALL);
	assert_int_equal(info.lapic_nmis[3].uid, 0x1234);
	assert_int_equal(info.lapic_nmis[3].flags, 0x5);
	assert_printed("names LINT2; entry skipped\n");
}

/* A MADT whose last entry is raw bytes (to break it on purpose). */
static u64 madt_ending_with(const u8 *raw, size_t n)
{
	acpi_madt_begin(&im, LAPIC_DEFAULT, 1);
	acpi_madt_lapic(&im, 0, 0, 1);
	acpi_put_bytes(&im, raw, n);
	return im.cur;
}

static void test_madt_entry_length_zero(void **state)
{
	static const u8 raw[] = {0, 0, 0, 1, 1, 0, 0, 0};
	u64 madt = madt_ending_with(raw, sizeof(raw));

	acpi_madt_lapic(&im, 2, 2, 1); /* never reached */
	assert_int_equal(parse_at(madt_only()), 0);
	assert_printed(
		at("MADT", madt,
		   "entry at offset 52 (type 0) has length 0; walk ended\n"));
	assert_int_equal(info.nr_cpus, 1);
}

static void test_madt_entry_length_one(void **state)
{
	static const u8 raw[] = {9, 1};
	u64 madt = madt_ending_with(raw, sizeof(raw));

	acpi_madt_lapic(&im, 2, 2, 1);
	assert_int_equal(parse_at(madt_only()), 0);
	assert_printed(
		at("MADT", madt,
		   "entry at offset 52 (type 9) has length 1; walk ended\n"));
	assert_int_equal(info.nr_cpus, 1);
}

static void test_madt_entry_past_end(void **state)
{
	/* An x2APIC entry claiming 16 bytes with 8 left in the table. */
	static const u8 raw[] = {9, 16, 0, 0, 5, 0, 0, 0};
	u64 madt = madt_ending_with(raw, sizeof(raw));

	assert_int_equal(parse_at(madt_only()), 0);
	assert_printed(at(
		"MADT", madt,
		"entry at offset 52 (type 9, length 16) runs past the end of the table (60 bytes); walk ended\n"));
	assert_int_equal(info.nr_cpus, 1);
}

static void test_madt_entry_cut_off(void **state)
{
	static const u8 raw[] = {0};
	u64 madt = madt_ending_with(raw, sizeof(raw));

	assert_int_equal(parse_at(madt_only()), 0);
	assert_printed(at(
		"MADT", madt,
		"entry at offset 52 is cut off by the end of the table; walk ended\n"));
	assert_int_equal(info.nr_cpus, 1);
}

static void test_madt_entry_too_short_for_type(void **state)
{
	/* Self-consistent lengths that are too short for their types: each
	 * is skipped, and the walk goes on. */
	static const u8 raw[] = {0, 6, 1, 1, 1, 0, 9, 12, 0, 0, 2, 0,
				 0, 0, 1, 0, 0, 0, 1, 4,  0, 0, 2, 2};
	u64 madt = madt_ending_with(raw, sizeof(raw));

	acpi_madt_lapic(&im, 3, 3, 1);
	assert_int_equal(parse_at(madt_only()), 0);
	assert_printed(at(
		"MADT", madt,
		"type 0 entry at offset 52 is 6 bytes, shorter than 8; entry skipped\n"));
	assert_printed(at(
		"MADT", madt,
		"type 9 entry at offset 58 is 12 bytes, shorter than 16; entry skipped\n"));
	assert_printed(at(
		"MADT", madt,
		"type 1 entry at offset 70 is 4 bytes, shorter than 12; entry skipped\n"));
	assert_printed(at(
		"MADT", madt,
		"type 2 entry at offset 74 is 2 bytes, shorter than 10; entry skipped\n"));
	assert_int_equal(info.nr_cpus, 2);
	assert_int_equal(info.cpus[1].apic_id, 3);
	assert_int_equal(info.nr_ioapics, 0);
	assert_int_equal(info.nr_overrides, 0);
}

static void test_madt_longer_and_unknown_entries(void **state)
{
	/* A longer xAPIC entry (future revision) and two unknown types. */
	static const u8 raw[] = {0,    10,   5, 5, 1, 0,   0, 0, 0xee,
				 0xee, 0x7f, 4, 1, 2, 0xb, 3, 0};

	madt_ending_with(raw, sizeof(raw));
	acpi_madt_lapic(&im, 6, 6, 1);
	assert_int_equal(parse_at(madt_only()), 0);
	assert_no_warnings();
	assert_int_equal(info.nr_cpus, 3);
	assert_int_equal(info.cpus[1].apic_id, 5);
	assert_int_equal(info.cpus[2].apic_id, 6);
}

static void test_madt_ioapics(void **state)
{
	unsigned int i;

	acpi_madt_begin(&im, LAPIC_DEFAULT, 1);
	acpi_madt_ioapic(&im, 0, 0, 0); /* address 0: skipped */
	for (i = 0; i < ACPI_MAX_IOAPICS + 3; i++)
		acpi_madt_ioapic(&im, i + 1, 0xfec00000 + i * 0x1000, i * 24);
	assert_int_equal(parse_at(madt_only()), 0);
	assert_printed(
		"I/O APIC entry at offset 44 has address 0; entry skipped\n");
	assert_int_equal(info.nr_ioapics, ACPI_MAX_IOAPICS);
	assert_int_equal(info.nr_ioapics_dropped, 3);
	assert_int_equal(info.ioapics[1].id, 2);
	assert_int_equal(info.ioapics[1].addr, 0xfec01000);
	assert_int_equal(info.ioapics[1].gsi_base, 24);
	assert_printed(": 3 I/O APICs beyond the 16 kept; ignored\n");
}

static void test_madt_caps(void **state)
{
	unsigned int i;
	char msg[96];

	acpi_image_free(&im);
	acpi_image_init(&im, IMAGE_BASE, 4 << 20);
	acpi_madt_begin(&im, LAPIC_DEFAULT, 1);
	for (i = 0; i < ACPI_MAX_CPUS + 5; i++)
		acpi_madt_x2apic(&im, i, i, 1);
	for (i = 0; i < ACPI_MAX_OVERRIDES + 1; i++)
		acpi_madt_override(&im, 0, i, i, 0);
	for (i = 0; i < ACPI_MAX_NMI_SOURCES + 2; i++)
		acpi_madt_nmi_source(&im, 0, i);
	for (i = 0; i < ACPI_MAX_LAPIC_NMIS + 4; i++)
		acpi_madt_x2apic_nmi(&im, i, 0, 1);
	assert_int_equal(parse_at(madt_only()), 0);
	assert_int_equal(info.nr_cpus, ACPI_MAX_CPUS);
	assert_int_equal(info.nr_cpus_dropped, 5);
	assert_int_equal(info.cpus[ACPI_MAX_CPUS - 1].apic_id,
			 ACPI_MAX_CPUS - 1);
	assert_int_equal(info.nr_overrides, ACPI_MAX_OVERRIDES);
	assert_int_equal(info.nr_overrides_dropped, 1);
	assert_int_equal(info.nr_nmi_sources_dropped, 2);
	assert_int_equal(info.nr_lapic_nmis, ACPI_MAX_LAPIC_NMIS);
	assert_int_equal(info.nr_lapic_nmis_dropped, 4);
	snprintf(msg, sizeof(msg), ": 5 CPUs beyond the %u kept; ignored\n",
		 ACPI_MAX_CPUS);
	assert_printed(msg);
	assert_printed(
		": 1 interrupt source overrides beyond the 32 kept; ignored\n");
	assert_printed(": 2 NMI sources beyond the 16 kept; ignored\n");
	snprintf(msg, sizeof(msg),
		 ": 4 local APIC NMI entries beyond the %u kept; ignored\n",
		 ACPI_MAX_LAPIC_NMIS);
	assert_printed(msg);
}

/* ------------------------------------------------------------------------
 * HPET
 */

static u64 hpet_only(u32 block_id, u8 space, u64 addr)
{
	u64 t = acpi_put_hpet(&im, block_id, space, addr, 0, 0x80);

	return finish(&t, 1, 2);
}

static void test_hpet_fields(void **state)
{
	u64 t[2];

	/* Rev 1, 3 comparators, 64-bit, legacy capable, vendor 0x8086. */
	t[0] = acpi_put_hpet(&im, 0x8086a201, 0, 0xfed00000, 0, 0x80);
	/* A second block: counted, not used. */
	t[1] = acpi_put_hpet(&im, 0x10de1f02, 0, 0xfed80000, 1, 0x40);
	assert_int_equal(parse_at(finish(t, 2, 2)), 0);
	assert_true(info.hpet.present);
	assert_int_equal(info.hpet.address, 0xfed00000);
	assert_int_equal(info.hpet.hw_rev, 1);
	assert_int_equal(info.hpet.comparators, 3);
	assert_true(info.hpet.counter_64bit);
	assert_true(info.hpet.legacy_replacement);
	assert_int_equal(info.hpet.pci_vendor, 0x8086);
	assert_int_equal(info.hpet.number, 0);
	assert_int_equal(info.hpet.min_tick, 0x80);
	assert_int_equal(info.hpet.nr_extra, 1);
	assert_printed(
		"ACPI: HPET #1 at 0xfed80000 not used (only the first one is)\n");
}

static void test_hpet_32bit_max_comparators(void **state)
{
	assert_int_equal(parse_at(hpet_only(0x10de1f02, 0, 0xfed00000)), 0);
	assert_int_equal(info.hpet.comparators, 32);
	assert_false(info.hpet.counter_64bit);
	assert_false(info.hpet.legacy_replacement);
	assert_int_equal(info.hpet.hw_rev, 2);
	assert_int_equal(info.hpet.pci_vendor, 0x10de);
	host_printk_reset();
	acpi_info_print(&info);
	assert_printed("ACPI: HPET at 0xfed00000, 32 comparators, 32-bit\n");
}

static void test_hpet_io_space_ignored(void **state)
{
	u64 rsdp = hpet_only(0x8086a201, 1, 0xfed00000);

	assert_int_equal(parse_at(rsdp), 0);
	assert_printed(
		"base address is in address space 1, not system memory; table ignored\n");
	assert_false(info.hpet.present);
	assert_true(info.tables[0].ignored);
}

static void test_hpet_zero_address_ignored(void **state)
{
	assert_int_equal(parse_at(hpet_only(0x8086a201, 0, 0)), 0);
	assert_printed("base address is 0; table ignored\n");
	assert_false(info.hpet.present);
}

/* ------------------------------------------------------------------------
 * FADT
 */

static u64 fadt_only(const struct acpi_fadt_spec *f, u64 *pa)
{
	u64 t = acpi_put_fadt(&im, f);

	if (pa)
		*pa = t;
	return finish(&t, 1, 2);
}

static void test_fadt_q35(void **state)
{
	assert_int_equal(parse_at(fadt_only(&fadt_q35, NULL)), 0);
	assert_no_warnings();
	assert_true(info.fadt.present);
	assert_int_equal(info.fadt.revision, 3);
	assert_int_equal(info.fadt.length, 244);
	assert_int_equal(info.fadt.pm_timer_port, 0x608);
	assert_true(info.fadt.pm_timer_from_x);
	assert_false(info.fadt.pm_timer_32bit);
	assert_false(info.fadt.hw_reduced);
	assert_int_equal(info.fadt.sci_irq, 9);
	assert_int_equal(info.fadt.century, 0x32);
	assert_true(info.fadt.boot_arch_valid);
	assert_true(info.fadt.i8042);
	assert_false(info.fadt.legacy_devices);
	assert_false(info.fadt.vga_not_present);
	assert_false(info.fadt.cmos_rtc_not_present);
}

static void test_fadt_x_and_legacy_differ(void **state)
{
	struct acpi_fadt_spec f = fadt_q35;
	u64 pa;

	f.pm_tmr_blk = 0xb008;
	f.flags |= 1U << 8; /* TMR_VAL_EXT */
	assert_int_equal(parse_at(fadt_only(&f, &pa)), 0);
	assert_printed(at(
		"FADT", pa,
		"X_PM_TMR_BLK (0x608) and PM_TMR_BLK (0xb008) differ; using X_PM_TMR_BLK\n"));
	assert_int_equal(info.fadt.pm_timer_port, 0x608);
	assert_true(info.fadt.pm_timer_32bit);
	host_printk_reset();
	acpi_info_print(&info);
	assert_printed("ACPI: FADT: PM timer at port 0x608, 32-bit\n");
}

static void test_fadt_legacy_when_no_x(void **state)
{
	struct acpi_fadt_spec f = fadt_q35;

	f.x_pm_addr = 0;
	f.x_pm_space = 0;
	f.pm_tmr_blk = 0xb008;
	assert_int_equal(parse_at(fadt_only(&f, NULL)), 0);
	assert_no_warnings();
	assert_int_equal(info.fadt.pm_timer_port, 0xb008);
	assert_false(info.fadt.pm_timer_from_x);
}

static void test_fadt_x_in_memory_space(void **state)
{
	struct acpi_fadt_spec f = fadt_q35;
	u64 pa;

	f.x_pm_space = 0;
	f.x_pm_addr = 0xfe000608;
	f.pm_tmr_blk = 0x408;
	assert_int_equal(parse_at(fadt_only(&f, &pa)), 0);
	assert_printed(at(
		"FADT", pa,
		"X_PM_TMR_BLK 0xfe000608 in address space 0 is not an I/O port; using PM_TMR_BLK\n"));
	assert_int_equal(info.fadt.pm_timer_port, 0x408);
}

static void test_fadt_x_port_too_large(void **state)
{
	struct acpi_fadt_spec f = fadt_q35;

	f.x_pm_addr = 0x10608;
	assert_int_equal(parse_at(fadt_only(&f, NULL)), 0);
	assert_printed("not an I/O port; using PM_TMR_BLK\n");
	assert_int_equal(info.fadt.pm_timer_port, 0x608);
	assert_false(info.fadt.pm_timer_from_x);
}

static void test_fadt_legacy_port_too_large(void **state)
{
	struct acpi_fadt_spec f = fadt_q35;

	f.x_pm_addr = 0;
	f.pm_tmr_blk = 0x12345;
	assert_int_equal(parse_at(fadt_only(&f, NULL)), 0);
	assert_printed("PM_TMR_BLK 0x12345 is not an I/O port; no PM timer\n");
	assert_int_equal(info.fadt.pm_timer_port, 0);
}

static void test_fadt_pm_tmr_len_not_4(void **state)
{
	struct acpi_fadt_spec f = fadt_q35;
	u64 pa;

	f.pm_tmr_len = 3;
	f.flags |= 1U << 8;
	assert_int_equal(parse_at(fadt_only(&f, &pa)), 0);
	assert_printed(at("FADT", pa, "PM_TMR_LEN is 3, not 4; no PM timer\n"));
	assert_int_equal(info.fadt.pm_timer_port, 0);
	assert_false(info.fadt.pm_timer_32bit);
	host_printk_reset();
	acpi_info_print(&info);
	assert_printed("ACPI: FADT: no PM timer\n");
}

static void test_fadt_hw_reduced(void **state)
{
	struct acpi_fadt_spec f = fadt_q35;

	f.revision = 6;
	f.length = 276;
	f.flags = 1U << 20;
	f.boot_arch = 0x24; /* no VGA, no CMOS RTC */
	assert_int_equal(parse_at(fadt_only(&f, NULL)), 0);
	assert_no_warnings();
	assert_true(info.fadt.hw_reduced);
	assert_int_equal(info.fadt.pm_timer_port, 0);
	assert_true(info.fadt.vga_not_present);
	assert_true(info.fadt.cmos_rtc_not_present);
	assert_false(info.fadt.i8042);
	host_printk_reset();
	acpi_info_print(&info);
	assert_printed("ACPI: FADT: no PM timer (hardware-reduced ACPI)\n");
}

static void test_fadt_boot_arch_flags(void **state)
{
	struct acpi_fadt_spec f = fadt_q35;

	f.boot_arch = 0x1;
	assert_int_equal(parse_at(fadt_only(&f, NULL)), 0);
	assert_int_equal(info.fadt.boot_arch, 1);
	assert_true(info.fadt.legacy_devices);
	assert_false(info.fadt.i8042);
}

static void test_fadt_acpi1(void **state)
{
	/* ACPI 1.0: 116 bytes, revision 1, IAPC_BOOT_ARCH reserved. */
	struct acpi_fadt_spec f = fadt_q35;

	f.revision = 1;
	f.length = 116;
	f.boot_arch = 0; /* reserved, and zero */
	f.flags = 1U << 8;
	assert_int_equal(parse_at(fadt_only(&f, NULL)), 0);
	assert_no_warnings();
	assert_int_equal(info.fadt.pm_timer_port, 0x608);
	assert_false(info.fadt.pm_timer_from_x);
	assert_true(info.fadt.pm_timer_32bit);
	assert_false(info.fadt.boot_arch_valid);
	assert_true(info.fadt.legacy_devices);
	assert_true(info.fadt.i8042);
	assert_int_equal(info.fadt.century, 0x32);
}

static void test_fadt_short_lengths(void **state)
{
	struct acpi_fadt_spec f = fadt_q35;

	/* X_PM_TMR_BLK cut in half: the 32-bit field is used. */
	f.length = 214;
	f.pm_tmr_blk = 0x408;
	f.x_pm_addr = 0x608;
	assert_int_equal(parse_at(fadt_only(&f, NULL)), 0);
	assert_no_warnings();
	assert_int_equal(info.fadt.pm_timer_port, 0x408);
	acpi_image_release(&im);

	/* No flags field: 24-bit, not hardware-reduced. */
	f.length = 100;
	f.flags = 0xffffffff;
	assert_int_equal(parse_at(fadt_only(&f, NULL)), 0);
	assert_int_equal(info.fadt.pm_timer_port, 0x408);
	assert_false(info.fadt.pm_timer_32bit);
	assert_false(info.fadt.hw_reduced);
	assert_int_equal(info.fadt.century, 0);
	acpi_image_release(&im);

	/* PM_TMR_BLK but no PM_TMR_LEN: not a usable timer. */
	f.length = 88;
	assert_int_equal(parse_at(fadt_only(&f, NULL)), 0);
	assert_printed("PM_TMR_LEN is 0, not 4; no PM timer\n");
	assert_int_equal(info.fadt.pm_timer_port, 0);
	acpi_image_release(&im);

	/* Just the header. */
	f.length = 36;
	host_printk_reset();
	assert_int_equal(parse_at(fadt_only(&f, NULL)), 0);
	assert_no_warnings();
	assert_true(info.fadt.present);
	assert_int_equal(info.fadt.sci_irq, 0);
	assert_int_equal(info.fadt.pm_timer_port, 0);
}

/* ------------------------------------------------------------------------
 * MCFG
 */

static void test_mcfg_regions(void **state)
{
	struct acpi_mcfg_region r[ACPI_MAX_MCFG + 4];
	unsigned int i;
	u64 pa, rsdp;

	for (i = 0; i < ARRAY_SIZE(r); i++)
		r[i] = (struct acpi_mcfg_region){
			.base = 0xe0000000ULL + ((u64)i << 28),
			.segment = i,
			.bus_start = 0,
			.bus_end = 0xff,
		};
	r[1].bus_start = 0x80;
	r[1].bus_end = 0x7f; /* backwards */
	r[2].base = 0;
	r[3].bus_start = 0x40;
	r[3].bus_end = 0x40;
	pa = acpi_put_mcfg(&im, r, ARRAY_SIZE(r));
	rsdp = finish(&pa, 1, 2);
	assert_int_equal(parse_at(rsdp), 0);
	assert_printed(at(
		"MCFG", pa,
		"allocation at offset 60 (base 0xf0000000, buses 0x80-0x7f) is malformed; skipped\n"));
	assert_printed(at(
		"MCFG", pa,
		"allocation at offset 76 (base 0x0, buses 0x00-0xff) is malformed; skipped\n"));
	assert_int_equal(info.nr_mcfg, ACPI_MAX_MCFG);
	assert_int_equal(info.nr_mcfg_dropped, 2);
	assert_int_equal(info.mcfg[1].segment, 3);
	assert_int_equal(info.mcfg[1].bus_start, 0x40);
	assert_int_equal(info.mcfg[1].bus_end, 0x40);
	assert_int_equal(info.mcfg[1].base, 0xe0000000ULL + (3ULL << 28));
	assert_printed(": 2 ECAM regions beyond the 16 kept; ignored\n");
}

static void test_mcfg_stray_bytes(void **state)
{
	u64 pa = acpi_table_begin(&im, "MCFG", 1, 4);

	acpi_put64(&im, 0);
	acpi_put64(&im, 0xb0000000);
	acpi_put16(&im, 0);
	acpi_put8(&im, 0);
	acpi_put8(&im, 0xff);
	acpi_put32(&im, 0);
	acpi_put64(&im, 0xc0000000); /* half an allocation */
	acpi_table_end(&im);
	assert_int_equal(parse_at(finish(&pa, 1, 2)), 0);
	assert_printed(
		at("MCFG", pa,
		   "8 stray bytes after the last allocation; ignored\n"));
	assert_int_equal(info.nr_mcfg, 1);
}

/* ------------------------------------------------------------------------
 * The BIOS area scan (5.2.5.1)
 */

#define LOW_MEM (1U << 20)

/* An image of the first MiB (zeros), with room for tables above it. */
static void low_memory(u16 ebda_segment)
{
	acpi_image_free(&im);
	acpi_image_init(&im, 0, LOW_MEM + 64 * 1024);
	acpi_image_alloc(&im, LOW_MEM, 1);
	acpi_image_at(&im, 0x40e)[0] = ebda_segment;
	acpi_image_at(&im, 0x40e)[1] = ebda_segment >> 8;
}

/* An RSDP at pa (revision rev) whose RSDT lists a MADT with n CPUs. */
static void rsdp_in_low_memory(u64 pa, u8 rev, unsigned int n)
{
	u64 madt = madt_with_cpus(n);
	u64 rsdt = acpi_put_root(&im, "RSDT", &madt, 1);

	acpi_put_rsdp(&im, pa, rev, rsdt, 0);
}

static void test_bios_scan_ebda_hit(void **state)
{
	u64 pa = 0;

	low_memory(0x9fc0);
	rsdp_in_low_memory(0x9fc40, 0, 2);
	rsdp_in_low_memory(0xf5a30, 0, 3);
	assert_int_equal(acpi_find_rsdp_bios(&mem, &pa), 0);
	assert_int_equal(pa, 0x9fc40);
	assert_int_equal(acpi_parse_at(&mem, pa, &info), 0);
	assert_int_equal(info.nr_cpus, 2);
	assert_int_equal(info.rsdp_pa, 0x9fc40);
}

static void test_bios_scan_rom_hit(void **state)
{
	u64 pa = 0;

	low_memory(0);
	rsdp_in_low_memory(0xf5a30, 2, 3);
	assert_int_equal(acpi_find_rsdp_bios(&mem, &pa), 0);
	assert_int_equal(pa, 0xf5a30);
	assert_int_equal(acpi_parse_at(&mem, pa, &info), 0);
	assert_int_equal(info.rsdp_revision, 2);
	/* No XSDT in this RSDP: the RSDT is used, without complaint. */
	assert_false(info.root_is_xsdt);
	assert_int_equal(info.nr_cpus, 3);
	assert_no_warnings();
}

static void test_bios_scan_skips_bad_candidates(void **state)
{
	u64 pa = 0;

	low_memory(0x9fc0);
	/* EBDA: bad checksum. ROM: misaligned, then bad extended checksum,
	 * then a good one. */
	rsdp_in_low_memory(0x9fc00, 0, 1);
	acpi_image_at(&im, 0x9fc00)[8] ^= 1;
	rsdp_in_low_memory(0xe0008, 0, 1);
	rsdp_in_low_memory(0xe0040, 2, 1);
	acpi_image_at(&im, 0xe0040)[32] ^= 1;
	rsdp_in_low_memory(0xe0100, 2, 4);
	assert_int_equal(acpi_find_rsdp_bios(&mem, &pa), 0);
	assert_int_equal(pa, 0xe0100);
}

static void test_bios_scan_v2_length_checked(void **state)
{
	u64 pa = 0;
	u8 *r;

	low_memory(0);
	/* A 2.0 RSDP whose Length is implausible is no RSDP. */
	rsdp_in_low_memory(0xe0000, 2, 1);
	r = acpi_image_at(&im, 0xe0000);
	r[20] = 0;
	r[22] = 1; /* 64 KiB */
	acpi_image_checksum(&im, 0xe0000, 20, 0xe0008);
	acpi_image_checksum(&im, 0xe0000, 36, 0xe0000 + 32);
	/* At the very top: the 2.0 part would run past 1 MiB. */
	rsdp_in_low_memory(0xfffe0, 0, 1);
	acpi_image_at(&im, 0xfffe0)[15] = 2;
	acpi_image_checksum(&im, 0xfffe0, 20, 0xfffe8);
	im.used = LOW_MEM; /* nothing readable above 1 MiB, tables aside */
	assert_int_equal(acpi_find_rsdp_bios(&mem, &pa), -ENOENT);
}

static void test_bios_scan_ebda_out_of_range(void **state)
{
	u64 pa = 0;

	/* A real EBDA lies below 640 KiB: segment 0xf800 is not one. */
	low_memory(0xf800);
	rsdp_in_low_memory(0xf8000, 0, 2);
	rsdp_in_low_memory(0xe0000, 0, 1);
	assert_int_equal(acpi_find_rsdp_bios(&mem, &pa), 0);
	assert_int_equal(pa, 0xe0000);
}

static void test_bios_scan_none(void **state)
{
	u64 pa = 0x1234;

	low_memory(0x9fc0);
	/* The signature alone is not enough. */
	memcpy(acpi_image_at(&im, 0xe0000), "RSD PTR ", 8);
	assert_int_equal(acpi_find_rsdp_bios(&mem, &pa), -ENOENT);
	assert_int_equal(pa, 0x1234);
}

static void test_bios_scan_unreadable(void **state)
{
	u64 pa = 0;

	/* The default image has no low memory at all. */
	assert_int_equal(acpi_find_rsdp_bios(&mem, &pa), -ENOENT);
	low_memory(0x9fc0);
	rsdp_in_low_memory(0xe0040, 0, 1);
	im.hole_start = 0x9fc00;
	im.hole_end = 0xe0001; /* EBDA and the start of the ROM */
	assert_int_equal(acpi_find_rsdp_bios(&mem, &pa), -ENOENT);
}

/* ------------------------------------------------------------------------
 * Mutations: a fixed seed, thousands of broken images, no crash
 */

static u64 rng_state = 0x9e3779b97f4a7c15ULL;

static u32 rng(void)
{
	/* xorshift64*: deterministic, good enough to pick bytes. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (rng_state * 0x2545f4914f6cdd1dULL) >> 32;
}

/* What must hold for any input, even a hostile one. */
static void check_invariants(const struct acpi_info *i)
{
	u32 a, b;

	assert_true(i->nr_cpus <= ACPI_MAX_CPUS);
	assert_true(i->nr_ioapics <= ACPI_MAX_IOAPICS);
	assert_true(i->nr_overrides <= ACPI_MAX_OVERRIDES);
	assert_true(i->nr_nmi_sources <= ACPI_MAX_NMI_SOURCES);
	assert_true(i->nr_lapic_nmis <= ACPI_MAX_LAPIC_NMIS);
	assert_true(i->nr_mcfg <= ACPI_MAX_MCFG);
	assert_true(i->nr_cpus_enabled + i->nr_cpus_online_capable ==
		    i->nr_cpus);
	for (a = 0; a < i->nr_cpus; a++) {
		const struct acpi_cpu *c = &i->cpus[a];

		assert_true(c->enabled != c->online_capable);
		assert_true(c->apic_id != 0xffffffff);
		assert_true(c->x2apic_entry || c->apic_id < 0xff);
		for (b = 0; b < a; b++)
			assert_true(i->cpus[b].apic_id != c->apic_id);
	}
	for (a = 0; a < i->nr_lapic_nmis; a++)
		assert_true(i->lapic_nmis[a].lint <= 1);
	for (a = 0; a < i->nr_mcfg; a++)
		assert_true(i->mcfg[a].bus_start <= i->mcfg[a].bus_end);
	if (i->hpet.present)
		assert_true(i->hpet.comparators >= 1 &&
			    i->hpet.comparators <= 32 && i->hpet.address);
	if (i->fadt.pm_timer_port == 0)
		assert_false(i->fadt.pm_timer_32bit);
}

static void test_mutations(void **state)
{
	struct acpi_image seed;
	unsigned int iter, parsed = 0, madts = 0;

	acpi_image_init(&seed, IMAGE_BASE, 16 * 1024);
	acpi_build_machine(&seed, 8, 2);

	for (iter = 0; iter < 4000; iter++) {
		unsigned int flips = 1 + rng() % 8, k;
		size_t size = seed.used;
		int rc;

		acpi_image_free(&im);
		acpi_image_init(&im, IMAGE_BASE, size);
		memcpy(im.buf, seed.buf, size);
		for (k = 0; k < flips; k++) {
			u32 pos = rng() % size;

			switch (rng() % 4) {
			case 0: /* flip a bit */
				im.buf[pos] ^= 1u << (rng() % 8);
				break;
			case 1: /* any byte */
				im.buf[pos] = rng();
				break;
			case 2: /* a boundary value, often a length's top byte */
				im.buf[pos] = (u8[]){
					0, 1, 2, 0x7f, 0x80, 0xff}[rng() % 6];
				break;
			default: /* a small number where lengths live */
				im.buf[pos] = rng() % 64;
				break;
			}
		}
		/* Truncate: memory ends early, mid-table perhaps. */
		im.used = rng() % 8 ? size : rng() % size;
		/* Mostly repair the checksums, so the fields get parsed. */
		if (rng() % 4)
			acpi_fix_checksums(im.buf, im.used, im.base);

		rc = acpi_parse_at(&mem, IMAGE_BASE, &info);
		assert_true(rc == 0 || rc == -EINVAL || rc == -EFAULT);
		parsed += rc == 0;
		madts += info.madt_present;
		check_invariants(&info);
		acpi_info_print(&info);
		acpi_image_release(&im);
		host_printk_reset();
	}
	acpi_image_free(&seed);
	/* Both outcomes must have been exercised to mean anything. */
	assert_true(parsed > 400 && parsed < 3900);
	assert_true(madts > 400);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_machine_v2),
		T(test_machine_print),
		T(test_print_without_tables),
		T(test_parse_copy_of_rsdp),
		T(test_rsdp_v1_uses_rsdt),
		T(test_rsdp_missing_or_short),
		T(test_rsdp_bad_signature),
		T(test_rsdp_v1_bad_checksum),
		T(test_rsdp_v2_bad_checksum_of_v1_part),
		T(test_rsdp_v2_bad_extended_checksum),
		T(test_rsdp_v2_short_length_field),
		T(test_rsdp_v2_copy_too_short),
		T(test_rsdp_v2_length_past_copy),
		T(test_rsdp_unreadable),
		T(test_xsdt_preferred),
		T(test_xsdt_bad_checksum_falls_back),
		T(test_xsdt_bad_signature_falls_back),
		T(test_xsdt_unreadable_falls_back),
		T(test_xsdt_zero_uses_rsdt),
		T(test_no_usable_root),
		T(test_xsdt_bad_and_no_rsdt),
		T(test_rsdp_lists_no_root),
		T(test_root_stray_bytes),
		T(test_root_entries_unreadable),
		T(test_root_many_entries),
		T(test_table_bad_checksum_skipped),
		T(test_table_length_checks),
		T(test_table_minimum_lengths),
		T(test_table_changes_between_reads),
		T(test_duplicate_tables),
		T(test_unknown_tables_not_read),
		T(test_madt_mixed_xapic_x2apic),
		T(test_madt_order_kept),
		T(test_madt_enabled_and_online_capable),
		T(test_madt_invalid_ids),
		T(test_madt_duplicates),
		T(test_madt_address_override),
		T(test_madt_overrides_and_nmis),
		T(test_madt_entry_length_zero),
		T(test_madt_entry_length_one),
		T(test_madt_entry_past_end),
		T(test_madt_entry_cut_off),
		T(test_madt_entry_too_short_for_type),
		T(test_madt_longer_and_unknown_entries),
		T(test_madt_ioapics),
		T(test_madt_caps),
		T(test_hpet_fields),
		T(test_hpet_32bit_max_comparators),
		T(test_hpet_io_space_ignored),
		T(test_hpet_zero_address_ignored),
		T(test_fadt_q35),
		T(test_fadt_x_and_legacy_differ),
		T(test_fadt_legacy_when_no_x),
		T(test_fadt_x_in_memory_space),
		T(test_fadt_x_port_too_large),
		T(test_fadt_legacy_port_too_large),
		T(test_fadt_pm_tmr_len_not_4),
		T(test_fadt_hw_reduced),
		T(test_fadt_boot_arch_flags),
		T(test_fadt_acpi1),
		T(test_fadt_short_lengths),
		T(test_mcfg_regions),
		T(test_mcfg_stray_bytes),
		T(test_bios_scan_ebda_hit),
		T(test_bios_scan_rom_hit),
		T(test_bios_scan_skips_bad_candidates),
		T(test_bios_scan_v2_length_checked),
		T(test_bios_scan_ebda_out_of_range),
		T(test_bios_scan_none),
		T(test_bios_scan_unreadable),
		T(test_mutations),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
