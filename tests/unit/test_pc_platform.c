/*
 * Host unit tests of an HVM domain's firmware-side data
 * (arch/x86/hvm/pc_platform.c): the e820 map, the multiboot information
 * block and the ACPI tables.
 *
 * The ACPI tables are built into the synthetic physical memory of
 * tests/fuzz/acpi_image.c standing for the BIOS area, then found and
 * parsed by the project's own parser (common/acpi.c) exactly as the
 * kernel would on a BIOS boot; the accessor hands the parser exact-size
 * copies, so AddressSanitizer checks every read. What the parser does not
 * keep (the FACS, the DSDT's AML, the X_ blocks) is read back from the
 * bytes directly.
 */
/*
 * Project headers first: glibc's <sys/cdefs.h> defines __always_inline too,
 * and only a redefinition inside a system header goes unreported.
 */
#include <acpi.h>
#include <asm/hvm/pc_platform.h>
#include <asm/hvm/platform.h>
#include <compiler.h>
#include <errno.h>
#include <multiboot1_image.h>
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

#define KIB (1UL << 10)
#define MIB (1UL << 20)
#define GIB (1UL << 30)

static char err[256];

/* The project's <string.h> has no strstr. */
static bool contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (strncmp(hay, needle, n) == 0)
			return true;
	return false;
}

/* rc is a refusal whose whole message contains every word given. */
static void check_refused(int rc, const char *const *words, unsigned int n)
{
	unsigned int i;

	assert_int_equal(rc, -EINVAL);
	assert_true(strlen(err) > 0);
	assert_true(strnlen(err, sizeof(err)) < sizeof(err) - 1);
	for (i = 0; i < n; i++)
		if (!contains(err, words[i]))
			fail_msg("no \"%s\" in err: \"%s\"", words[i], err);
}

#define expect_refused(rc, ...)                                    \
	do {                                                       \
		static const char *const words_[] = {__VA_ARGS__}; \
		check_refused((rc), words_, ARRAY_SIZE(words_));   \
	} while (0)

static u8 sum(const u8 *p, size_t len)
{
	u8 s = 0;

	while (len--)
		s += *p++;
	return s;
}

/* ------------------------------------------------------------------------
 * The e820 map
 */

/* What the layout says address a is: RAM, reserved, or 0 (nothing). */
static u32 layout_type(u64 a, u64 mem)
{
	if (a < HVM_LOW_RAM_END)
		return HVM_E820_RAM;
	if (a < HVM_EBDA_END)
		return HVM_E820_RESERVED;
	if (a < HVM_VGA_HOLE_END)
		return 0;
	if (a < HVM_BIOS_END)
		return HVM_E820_RESERVED;
	if (a < mem)
		return HVM_E820_RAM;
	return 0;
}

/* What the map says address a is. */
static u32 map_type(const struct hvm_e820_entry *map, int n, u64 a)
{
	int i;

	for (i = 0; i < n; i++)
		if (a >= map[i].addr && a - map[i].addr < map[i].size)
			return map[i].type;
	return 0;
}

static void check_e820(u64 mem)
{
	static const u64 fixed[] = {
		0,	  0x9000,     0x9fbff,	  0x9fc00, 0x9ffff,
		0xa0000,  0xdffff,    0xe0000,	  0xfffff, 0x100000,
		0x100001, 0xfee00000, 0xffffffff,
	};
	struct hvm_e820_entry map[HVM_E820_NR_ENTRIES + 2];
	u64 ram = 0, reserved = 0;
	int n, i;

	memset(map, 0xa5, sizeof(map));
	n = hvm_e820_build(mem, map, ARRAY_SIZE(map));
	assert_int_equal(n, HVM_E820_NR_ENTRIES);
	for (i = 0; i < n; i++) {
		assert_true(map[i].size > 0);
		assert_true(map[i].type == HVM_E820_RAM ||
			    map[i].type == HVM_E820_RESERVED);
		/* Sorted and disjoint. */
		if (i)
			assert_true(map[i].addr >=
				    map[i - 1].addr + map[i - 1].size);
		if (map[i].type == HVM_E820_RAM)
			ram += map[i].size;
		else
			reserved += map[i].size;
	}
	/* Exactly the layout: its sizes, and every boundary's type. */
	assert_int_equal(ram, HVM_LOW_RAM_END + mem - HVM_HIGH_RAM_START);
	assert_int_equal(reserved, 1 * KIB + 128 * KIB);
	for (i = 0; i < (int)ARRAY_SIZE(fixed); i++)
		assert_int_equal(map_type(map, n, fixed[i]),
				 layout_type(fixed[i], mem));
	assert_int_equal(map_type(map, n, mem - 1), HVM_E820_RAM);
	assert_int_equal(map_type(map, n, mem), 0);
	assert_int_equal(map[n - 1].addr + map[n - 1].size, mem);
	/* Nothing written past what was returned. */
	assert_int_equal(map[n].type, 0xa5a5a5a5);
}

static void test_e820_sizes(void **state)
{
	check_e820(HVM_MEM_MIN);
	check_e820(2 * MIB);
	check_e820(255 * MIB);
	check_e820(3 * GIB);
	check_e820(HVM_MEM_MAX);
	check_e820(1 * GIB + 4 * KIB);
}

static void test_e820_exact(void **state)
{
	struct hvm_e820_entry map[HVM_E820_NR_ENTRIES];

	assert_int_equal(hvm_e820_build(255 * MIB, map, ARRAY_SIZE(map)), 4);
	assert_int_equal(map[0].addr, 0);
	assert_int_equal(map[0].size, 0x9fc00);
	assert_int_equal(map[0].type, 1);
	assert_int_equal(map[1].addr, 0x9fc00);
	assert_int_equal(map[1].size, 0x400);
	assert_int_equal(map[1].type, 2);
	assert_int_equal(map[2].addr, 0xe0000);
	assert_int_equal(map[2].size, 0x20000);
	assert_int_equal(map[2].type, 2);
	assert_int_equal(map[3].addr, 0x100000);
	assert_int_equal(map[3].size, 254 * MIB);
	assert_int_equal(map[3].type, 1);
}

static void test_e820_refused(void **state)
{
	struct hvm_e820_entry map[HVM_E820_NR_ENTRIES];

	assert_int_equal(hvm_e820_build(0, map, 4), -EINVAL);
	assert_int_equal(hvm_e820_build(1 * MIB, map, 4), -EINVAL);
	assert_int_equal(hvm_e820_build(HVM_MEM_MIN - 4 * KIB, map, 4),
			 -EINVAL);
	assert_int_equal(hvm_e820_build(2 * MIB + 1, map, 4), -EINVAL);
	assert_int_equal(hvm_e820_build(HVM_MEM_MAX + 4 * KIB, map, 4),
			 -EINVAL);
	assert_int_equal(hvm_e820_build(4 * GIB, map, 4), -EINVAL);
	assert_int_equal(hvm_e820_build(64 * MIB, map, 3), -ENOSPC);
	assert_int_equal(hvm_e820_build(64 * MIB, NULL, 0), -ENOSPC);
}

/* ------------------------------------------------------------------------
 * The multiboot information block
 */

static u8 region[HVM_MB1_INFO_SIZE];

static int build_info(u64 mem, const char *cmdline, const char *name,
		      u32 *info_gpa)
{
	memset(region, 0xa5, sizeof(region));
	memset(err, 'X', sizeof(err));
	return hvm_mb1_info_build(region, sizeof(region), HVM_MB1_INFO_START,
				  mem, cmdline, name, info_gpa, err,
				  sizeof(err));
}

/* The bytes at guest-physical gpa, which must be in the region. */
static const u8 *at(u32 gpa, size_t len)
{
	assert_true(gpa >= HVM_MB1_INFO_START);
	assert_true(gpa - HVM_MB1_INFO_START + len <= sizeof(region));
	return region + (gpa - HVM_MB1_INFO_START);
}

/* A NUL-terminated string at gpa, read the way a kernel would. */
static const char *string_at(u32 gpa)
{
	const char *s = (const char *)at(gpa, 1);

	assert_true(strnlen(s, region + sizeof(region) - (const u8 *)s) <
		    (size_t)(region + sizeof(region) - (const u8 *)s));
	return s;
}

static void check_info(u64 mem, const char *cmdline, const char *name)
{
	struct hvm_e820_entry map[HVM_E820_NR_ENTRIES];
	struct mb1_info mbi;
	u32 info_gpa = 0, pos, end, end_of_strings;
	int i = 0;

	assert_int_equal(build_info(mem, cmdline, name, &info_gpa), 0);
	assert_string_equal(err, "");
	assert_int_equal(info_gpa, HVM_MB1_INFO_START);
	memcpy(&mbi, at(info_gpa, sizeof(mbi)), sizeof(mbi));

	assert_int_equal(mbi.flags, MB1_INFO_MEMORY | MB1_INFO_CMDLINE |
					    MB1_INFO_MODS | MB1_INFO_MMAP |
					    MB1_INFO_BOOT_LOADER_NAME);
	assert_int_equal(mbi.flags, 0x24d);
	/* 3.3: lower memory from 0 (at most 640), upper from 1 MiB. */
	assert_int_equal(mbi.mem_lower, 639);
	assert_int_equal(mbi.mem_upper, (mem - MIB) / KIB);
	assert_int_equal(mbi.mods_count, 0);
	assert_string_equal(string_at(mbi.cmdline), cmdline ? cmdline : "");
	assert_string_equal(string_at(mbi.boot_loader_name), name ? name : "");
	/* Nothing else claimed. */
	assert_int_equal(mbi.boot_device, 0);
	assert_int_equal(mbi.framebuffer_addr, 0);
	assert_int_equal(mbi.vbe_control_info, 0);

	/* The memory map, walked as a kernel walks it, is the e820 map. */
	assert_int_equal(hvm_e820_build(mem, map, ARRAY_SIZE(map)), 4);
	assert_int_equal(mbi.mmap_addr % 8, 0);
	assert_int_equal(mbi.mmap_length, 4 * sizeof(struct mb1_mmap_entry));
	pos = mbi.mmap_addr;
	end = mbi.mmap_addr + mbi.mmap_length;
	while (pos < end) {
		struct mb1_mmap_entry e;

		memcpy(&e, at(pos, sizeof(e)), sizeof(e));
		assert_int_equal(e.size, 20);
		assert_true(i < 4);
		assert_int_equal(e.base_addr, map[i].addr);
		assert_int_equal(e.length, map[i].size);
		assert_int_equal(e.type, map[i].type == HVM_E820_RAM
						 ? MB1_MMAP_AVAILABLE
						 : MB1_MMAP_RESERVED);
		pos += e.size + sizeof(e.size);
		i++;
	}
	assert_int_equal(i, 4);

	/* No two pieces overlap; everything after them is zero. */
	assert_true(mbi.mmap_addr >= info_gpa + sizeof(mbi));
	assert_true(mbi.boot_loader_name >= end);
	assert_true(mbi.cmdline > mbi.boot_loader_name);
	end_of_strings = mbi.cmdline + strlen(string_at(mbi.cmdline)) + 1;
	for (pos = end_of_strings; pos < HVM_MB1_INFO_END; pos++)
		assert_int_equal(*at(pos, 1), 0);
}

static void test_info_fields(void **state)
{
	check_info(255 * MIB, "hvmtest test=timer lapic_mode=x2apic",
		   "Kairos 0.1.0");
	check_info(HVM_MEM_MIN, "", "Kairos 0.1.0");
	check_info(3 * GIB, "a", "");
	check_info(64 * MIB, NULL, NULL);
}

/* mem_upper for 3 GiB: 3071 MiB in KiB. */
static void test_info_mem_upper(void **state)
{
	struct mb1_info mbi;
	u32 gpa;

	assert_int_equal(build_info(3 * GIB, "x", "Kairos", &gpa), 0);
	memcpy(&mbi, region, sizeof(mbi));
	assert_int_equal(mbi.mem_upper, 3071 * 1024);
	assert_int_equal(mbi.mem_lower, 639);
}

/* The longest command line fits exactly; one byte more is refused. */
static void test_info_cmdline_limit(void **state)
{
	static char line[HVM_MB1_INFO_SIZE + 16];
	const char *name = "Kairos 0.1.0";
	struct mb1_info mbi;
	size_t max;
	u32 gpa;
	char word[64];

	/* Find the limit from the refusal's own words, then check both. */
	memset(line, 'c', sizeof(line) - 1);
	expect_refused(build_info(64 * MIB, line, name, &gpa),
		       "command line does not fit", "at most",
		       "[0x9000, 0x10000)");
	max = HVM_MB1_INFO_SIZE - 120 - 96 - strlen(name) - 1 - 1;
	snprintf(word, sizeof(word), "at most %zu bytes", max);
	assert_true(contains(err, word));

	line[max] = '\0';
	assert_int_equal(build_info(64 * MIB, line, name, &gpa), 0);
	memcpy(&mbi, region, sizeof(mbi));
	assert_int_equal(strlen(string_at(mbi.cmdline)), max);
	assert_int_equal(mbi.cmdline + max + 1, HVM_MB1_INFO_END);

	line[max] = 'c';
	line[max + 1] = '\0';
	expect_refused(build_info(64 * MIB, line, name, &gpa),
		       "command line does not fit");
	/* Refused before anything was written (build_info() filled 0xa5). */
	assert_int_equal(region[0], 0xa5);
}

static void test_info_name_limit(void **state)
{
	static char name[HVM_MB1_INFO_SIZE];
	u32 gpa;

	memset(name, 'n', sizeof(name) - 1);
	expect_refused(build_info(64 * MIB, "", name, &gpa),
		       "boot loader name does not fit");
}

static void test_info_refused(void **state)
{
	u32 gpa;

	expect_refused(build_info(1 * MIB, "", "", &gpa), "domain memory",
		       "0x100000", "2 MiB to 3 GiB");
	expect_refused(build_info(64 * MIB + 1, "", "", &gpa), "domain memory");
	expect_refused(hvm_mb1_info_build(region, 100, HVM_MB1_INFO_START,
					  64 * MIB, "", "", &gpa, err,
					  sizeof(err)),
		       "100 bytes", "need");
	expect_refused(hvm_mb1_info_build(region, sizeof(region),
					  HVM_MB1_INFO_START + 4, 64 * MIB, "",
					  "", &gpa, err, sizeof(err)),
		       "0x9004", "not 8-byte aligned");
	expect_refused(hvm_mb1_info_build(region, sizeof(region), 0xfffff000,
					  64 * MIB, "", "", &gpa, err,
					  sizeof(err)),
		       "crosses 4 GiB");
	expect_refused(hvm_mb1_info_build(region, sizeof(region),
					  HVM_VGA_HOLE_START, 64 * MIB, "", "",
					  &gpa, err, sizeof(err)),
		       "[0xa0000, 0xa7000)", "not in usable RAM");
	/* Above 1 MiB is usable RAM too. */
	assert_int_equal(hvm_mb1_info_build(region, sizeof(region), 0x200000,
					    64 * MIB, "", "", &gpa, err,
					    sizeof(err)),
			 0);
	assert_int_equal(gpa, 0x200000);
}

/* ------------------------------------------------------------------------
 * ACPI tables: found and parsed by common/acpi.c
 */

static struct acpi_image im;
static struct acpi_mem amem;
/* About 100 KiB with NR_CPUS entries: static, not on the stack. */
static struct acpi_info ai;

static int setup(void **state)
{
	host_printk_reset();
	acpi_image_init(&im, HVM_BIOS_START, HVM_BIOS_SIZE);
	im.used = HVM_BIOS_SIZE;
	amem = acpi_image_mem(&im);
	memset(&ai, 0xa5, sizeof(ai));
	return 0;
}

static int teardown(void **state)
{
	acpi_image_free(&im);
	return 0;
}

/* The BIOS area's bytes at guest-physical gpa. */
static const u8 *bios(u64 gpa, size_t len)
{
	assert_true(gpa >= HVM_BIOS_START);
	assert_true(gpa - HVM_BIOS_START + len <= HVM_BIOS_SIZE);
	return im.buf + (gpa - HVM_BIOS_START);
}

static int build_acpi(unsigned int nr_vcpus, const char *oem_id)
{
	u32 rsdp = 0;
	int rc;

	memset(im.buf, 0xa5, HVM_BIOS_SIZE);
	memset(err, 'X', sizeof(err));
	rc = hvm_acpi_build(im.buf, HVM_BIOS_SIZE, HVM_BIOS_START, nr_vcpus,
			    oem_id, &rsdp, err, sizeof(err));
	if (rc == 0) {
		assert_string_equal(err, "");
		assert_int_equal(rsdp, HVM_RSDP_GPA);
	}
	return rc;
}

/* Finds the RSDP by the BIOS-area scan and parses everything. */
static void find_and_parse(void)
{
	u64 rsdp = 0;

	assert_int_equal(acpi_find_rsdp_bios(&amem, &rsdp), 0);
	assert_int_equal(rsdp, HVM_RSDP_GPA);
	assert_int_equal(acpi_parse_at(&amem, rsdp, &ai), 0);
	/* The parser found nothing to warn about. */
	if (contains(host_printk_output(), "acpi: "))
		fail_msg("warnings:\n%s", host_printk_output());
}

/* A table's header, and a check that its bytes sum to zero. */
static struct hvm_acpi_header table_at(u64 gpa, const char *sig)
{
	struct hvm_acpi_header h;

	memcpy(&h, bios(gpa, sizeof(h)), sizeof(h));
	assert_memory_equal(h.signature, sig, 4);
	assert_true(h.length >= sizeof(h));
	assert_int_equal(sum(bios(gpa, h.length), h.length), 0);
	assert_memory_equal(h.oem_table_id, HVM_ACPI_OEM_TABLE_ID, 8);
	assert_int_equal(h.oem_revision, HVM_ACPI_OEM_REVISION);
	assert_memory_equal(h.creator_id, HVM_ACPI_CREATOR_ID, 4);
	assert_int_equal(h.creator_revision, HVM_ACPI_CREATOR_REVISION);
	return h;
}

static void check_machine(unsigned int nr_vcpus)
{
	unsigned int i;

	assert_int_equal(build_acpi(nr_vcpus, NULL), 0);
	find_and_parse();

	/* The RSDP and the root table. */
	assert_int_equal(ai.rsdp_revision, 2);
	assert_string_equal(ai.oem_id, "KAIROS");
	assert_true(ai.root_is_xsdt);
	assert_int_equal(ai.nr_tables, 2);
	assert_string_equal(ai.tables[0].sig, "FACP");
	assert_string_equal(ai.tables[1].sig, "APIC");
	assert_false(ai.tables[0].ignored);
	assert_false(ai.tables[1].ignored);
	assert_int_equal(ai.tables[0].revision, HVM_ACPI_FADT_REVISION);
	assert_int_equal(ai.tables[0].length, 276);

	/* The MADT: every vCPU, an x2APIC entry with its number as ID. */
	assert_true(ai.madt_present);
	assert_int_equal(ai.lapic_addr, HVM_LAPIC_BASE);
	assert_false(ai.lapic_addr_override);
	assert_false(ai.pcat_compat);
	assert_int_equal(ai.nr_cpus, min(nr_vcpus, (unsigned int)NR_CPUS));
	assert_int_equal(ai.nr_cpus_enabled, ai.nr_cpus);
	assert_int_equal(ai.nr_cpus_absent, 0);
	assert_int_equal(ai.nr_cpus_dropped,
			 nr_vcpus - min(nr_vcpus, (unsigned int)NR_CPUS));
	for (i = 0; i < ai.nr_cpus; i++) {
		assert_int_equal(ai.cpus[i].apic_id, i);
		assert_int_equal(ai.cpus[i].uid, i);
		assert_true(ai.cpus[i].enabled);
		assert_true(ai.cpus[i].x2apic_entry);
	}
	/* One I/O APIC from GSI 0; only the SCI is overridden. */
	assert_int_equal(ai.nr_ioapics, 1);
	assert_int_equal(ai.ioapics[0].id, HVM_IOAPIC_ID);
	assert_int_equal(ai.ioapics[0].addr, HVM_IOAPIC_BASE);
	assert_int_equal(ai.ioapics[0].gsi_base, 0);
	assert_int_equal(ai.nr_overrides, 1);
	assert_int_equal(ai.overrides[0].bus, 0);
	assert_int_equal(ai.overrides[0].irq, ai.fadt.sci_irq);
	assert_int_equal(ai.overrides[0].gsi, ai.fadt.sci_irq);
	assert_int_equal(ai.overrides[0].flags,
			 ACPI_MPS_POLARITY_HIGH | ACPI_MPS_TRIGGER_LEVEL);
	assert_int_equal(ai.nr_nmi_sources, 0);
	assert_int_equal(ai.nr_lapic_nmis, 0);

	/* The FADT. */
	assert_true(ai.fadt.present);
	assert_int_equal(ai.fadt.revision, 6);
	assert_int_equal(ai.fadt.length, 276);
	assert_int_equal(ai.fadt.pm_timer_port, HVM_PM_TMR_BLK);
	assert_false(ai.fadt.pm_timer_32bit);
	assert_true(ai.fadt.pm_timer_from_x);
	assert_false(ai.fadt.hw_reduced);
	assert_int_equal(ai.fadt.sci_irq, HVM_SCI_IRQ);
	assert_int_equal(ai.fadt.century, 0);
	assert_true(ai.fadt.boot_arch_valid);
	assert_true(ai.fadt.vga_not_present);
	assert_false(ai.fadt.i8042);
	assert_true(ai.fadt.legacy_devices);
	assert_false(ai.fadt.cmos_rtc_not_present);
	assert_false(ai.hpet.present);
	assert_false(ai.mcfg_present);
}

static void test_acpi_machines(void **state)
{
	check_machine(1);
	check_machine(2);
	check_machine(4);
	check_machine(32);
	/* x2APIC IDs past the xAPIC range. */
	check_machine(255);
	check_machine(256);
	check_machine(1000);
}

/* The RSDP and the root tables, byte by byte. */
static void test_acpi_rsdp_and_roots(void **state)
{
	struct hvm_acpi_header rsdt_h, xsdt_h;
	struct hvm_acpi_rsdp r;
	u32 rsdt_entries[2];
	u64 xsdt_entries[2];

	assert_int_equal(build_acpi(4, NULL), 0);
	memcpy(&r, bios(HVM_RSDP_GPA, sizeof(r)), sizeof(r));
	assert_memory_equal(r.signature, "RSD PTR ", 8);
	assert_int_equal(sum(bios(HVM_RSDP_GPA, 20), 20), 0);
	assert_int_equal(sum(bios(HVM_RSDP_GPA, 36), 36), 0);
	assert_memory_equal(r.oem_id, "KAIROS", 6);
	assert_int_equal(r.revision, 2);
	assert_int_equal(r.length, 36);
	assert_int_equal(r.xsdt_address >> 32, 0);

	rsdt_h = table_at(r.rsdt_address, "RSDT");
	xsdt_h = table_at(r.xsdt_address, "XSDT");
	assert_int_equal(rsdt_h.length, 36 + 2 * 4);
	assert_int_equal(xsdt_h.length, 36 + 2 * 8);
	assert_int_equal(rsdt_h.revision, 1);
	memcpy(rsdt_entries, bios(r.rsdt_address + 36, 8), 8);
	memcpy(xsdt_entries, bios(r.xsdt_address + 36, 16), 16);
	assert_int_equal(rsdt_entries[0], xsdt_entries[0]);
	assert_int_equal(rsdt_entries[1], xsdt_entries[1]);
	table_at(rsdt_entries[0], "FACP");
	table_at(rsdt_entries[1], "APIC");
}

/* What the parser does not keep: the FADT's other fields, the FACS. */
static void test_acpi_fadt_fields(void **state)
{
	struct hvm_acpi_rsdp r;
	struct hvm_acpi_fadt f;
	struct hvm_acpi_facs facs;
	u32 fadt_gpa;

	assert_int_equal(build_acpi(2, NULL), 0);
	memcpy(&r, bios(HVM_RSDP_GPA, sizeof(r)), sizeof(r));
	memcpy(&fadt_gpa, bios(r.rsdt_address + 36, 4), 4);
	table_at(fadt_gpa, "FACP");
	memcpy(&f, bios(fadt_gpa, sizeof(f)), sizeof(f));

	assert_int_equal(f.header.revision, 6);
	assert_int_equal(f.minor_version, 5);
	assert_int_equal(f.header.length, sizeof(f));
	/* 5.2.9: FIRMWARE_CTRL or X_FIRMWARE_CTRL, never both. */
	assert_int_not_equal(f.firmware_ctrl, 0);
	assert_int_equal(f.x_firmware_ctrl, 0);
	assert_int_equal(f.x_dsdt, f.dsdt);
	table_at(f.dsdt, "DSDT");

	assert_int_equal(f.sci_int, 9);
	assert_int_equal(f.smi_cmd, 0);
	assert_int_equal(f.acpi_enable, 0);
	assert_int_equal(f.acpi_disable, 0);
	assert_int_equal(f.pm1a_evt_blk, 0x600);
	assert_int_equal(f.pm1_evt_len, 4);
	assert_int_equal(f.pm1a_cnt_blk, 0x604);
	assert_int_equal(f.pm1_cnt_len, 2);
	assert_int_equal(f.pm_tmr_blk, 0x608);
	assert_int_equal(f.pm_tmr_len, 4);
	assert_int_equal(f.pm1b_evt_blk, 0);
	assert_int_equal(f.pm1b_cnt_blk, 0);
	assert_int_equal(f.pm2_cnt_blk, 0);
	assert_int_equal(f.gpe0_blk, 0);
	assert_true(f.p_lvl2_lat > 100);
	assert_true(f.p_lvl3_lat > 1000);

	/* The X_ forms say the same in system I/O space. */
	assert_int_equal(f.x_pm1a_evt_blk.space_id, HVM_ACPI_GAS_SYSTEM_IO);
	assert_int_equal(f.x_pm1a_evt_blk.bit_width, 32);
	assert_int_equal(f.x_pm1a_evt_blk.address, 0x600);
	assert_int_equal(f.x_pm1a_cnt_blk.space_id, HVM_ACPI_GAS_SYSTEM_IO);
	assert_int_equal(f.x_pm1a_cnt_blk.bit_width, 16);
	assert_int_equal(f.x_pm1a_cnt_blk.address, 0x604);
	assert_int_equal(f.x_pm_tmr_blk.space_id, HVM_ACPI_GAS_SYSTEM_IO);
	assert_int_equal(f.x_pm_tmr_blk.bit_width, 32);
	assert_int_equal(f.x_pm_tmr_blk.access_size, HVM_ACPI_GAS_ACCESS_U32);
	assert_int_equal(f.x_pm_tmr_blk.address, 0x608);
	assert_int_equal(f.x_pm1b_evt_blk.address, 0);
	assert_int_equal(f.x_gpe0_blk.address, 0);
	assert_int_equal(f.sleep_control_reg.address, 0);

	/* Flags: WBINVD, 24-bit timer, the reset register, not reduced. */
	assert_true(f.flags & HVM_ACPI_FADT_WBINVD);
	assert_false(f.flags & HVM_ACPI_FADT_TMR_VAL_EXT);
	assert_true(f.flags & HVM_ACPI_FADT_RESET_REG_SUP);
	assert_false(f.flags & HVM_ACPI_FADT_HW_REDUCED);
	assert_int_equal(f.reset_reg.space_id, HVM_ACPI_GAS_SYSTEM_IO);
	assert_int_equal(f.reset_reg.bit_width, 8);
	assert_int_equal(f.reset_reg.access_size, HVM_ACPI_GAS_ACCESS_U8);
	assert_int_equal(f.reset_reg.address, 0xcf9);
	assert_int_equal(f.reset_value, 0x06);
	assert_int_equal(f.iapc_boot_arch,
			 HVM_ACPI_BOOT_LEGACY_DEVICES |
				 HVM_ACPI_BOOT_VGA_NOT_PRESENT);
	assert_memory_equal(&f.hypervisor_vendor_id, "KAIROS\0\0", 8);

	/* The FACS: 64 bytes on a 64-byte boundary, no checksum. */
	assert_int_equal(f.firmware_ctrl % 64, 0);
	memcpy(&facs, bios(f.firmware_ctrl, sizeof(facs)), sizeof(facs));
	assert_memory_equal(facs.signature, "FACS", 4);
	assert_int_equal(facs.length, 64);
	assert_int_equal(facs.version, HVM_ACPI_FACS_VERSION);
	assert_int_equal(facs.firmware_waking_vector, 0);
	assert_int_equal(facs.global_lock, 0);
	assert_int_equal(facs.flags, 0);
}

/* The DSDT: exactly Name (\_S5, Package () { 5, 5, 0, 0 }). */
static void test_acpi_dsdt_s5(void **state)
{
	static const u8 expected[] = {
		0x08, '\\', '_',  'S',	'5',  '_',  0x12, 0x08,
		0x04, 0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00,
	};
	struct hvm_acpi_rsdp r;
	struct hvm_acpi_fadt f;
	struct hvm_acpi_header h;
	const u8 *aml;
	u32 fadt_gpa;

	assert_int_equal(HVM_ACPI_S5_SLP_TYP, 5);
	assert_int_equal(build_acpi(1, NULL), 0);
	memcpy(&r, bios(HVM_RSDP_GPA, sizeof(r)), sizeof(r));
	memcpy(&fadt_gpa, bios(r.rsdt_address + 36, 4), 4);
	memcpy(&f, bios(fadt_gpa, sizeof(f)), sizeof(f));
	h = table_at(f.x_dsdt, "DSDT");
	assert_int_equal(h.revision, 2);
	assert_int_equal(h.length, 36 + sizeof(expected));
	assert_int_equal(HVM_ACPI_DSDT_AML_LEN, sizeof(expected));
	aml = bios(f.x_dsdt + 36, sizeof(expected));
	assert_memory_equal(aml, expected, sizeof(expected));

	/*
	 * Decoded as an interpreter would: NameOp, the root-anchored name,
	 * a package whose PkgLength covers exactly the rest, 4 elements,
	 * the first a ByteConst that is the SLP_TYP PM1a_CNT will see.
	 */
	assert_int_equal(aml[0], 0x08);
	assert_memory_equal(aml + 1, "\\_S5_", 5);
	assert_int_equal(aml[6], 0x12);
	assert_int_equal(aml[7] >> 6, 0);
	assert_int_equal(6 + 1 + (aml[7] & 0x3f), sizeof(expected));
	assert_int_equal(aml[8], 4);
	assert_int_equal(aml[9], 0x0a);
	assert_int_equal(aml[10], HVM_ACPI_S5_SLP_TYP);
	/* The power-off write the PM1a control emulation must recognise. */
	assert_int_equal((HVM_ACPI_S5_SLP_TYP << HVM_PM1_CNT_SLP_TYP_SHIFT) &
				 ~HVM_PM1_CNT_SLP_TYP_MASK,
			 0);
	assert_int_equal((HVM_ACPI_S5_SLP_TYP << HVM_PM1_CNT_SLP_TYP_SHIFT) |
				 HVM_PM1_CNT_SLP_EN,
			 0x3400);
}

/* The MADT byte by byte, and the area past the tables. */
static void test_acpi_madt_and_rest(void **state)
{
	struct hvm_acpi_rsdp r;
	struct hvm_acpi_madt m;
	struct hvm_acpi_header h;
	u32 madt_gpa;
	u64 end, pa;
	unsigned int i;

	assert_int_equal(build_acpi(3, NULL), 0);
	memcpy(&r, bios(HVM_RSDP_GPA, sizeof(r)), sizeof(r));
	memcpy(&madt_gpa, bios(r.rsdt_address + 40, 4), 4);
	h = table_at(madt_gpa, "APIC");
	assert_int_equal(h.revision, HVM_ACPI_MADT_REVISION);
	/* The I/O APIC (12 bytes), the SCI's override (10), the CPUs. */
	assert_int_equal(h.length, 44 + 12 + 10 + 3 * 16);
	memcpy(&m, bios(madt_gpa, sizeof(m)), sizeof(m));
	assert_int_equal(m.lapic_address, 0xfee00000);
	assert_int_equal(m.flags, 0);
	for (i = 0; i < 3; i++) {
		struct hvm_acpi_madt_x2apic e;

		memcpy(&e, bios(madt_gpa + 66 + i * 16, 16), 16);
		assert_int_equal(e.type, 9);
		assert_int_equal(e.length, 16);
		assert_int_equal(e.reserved, 0);
		assert_int_equal(e.x2apic_id, i);
		assert_int_equal(e.flags, 1);
		assert_int_equal(e.uid, i);
	}
	/* The MADT is last; the stale 0xa5 bytes are gone everywhere. */
	end = madt_gpa + h.length;
	for (pa = end; pa < HVM_BIOS_END; pa++)
		assert_int_equal(*bios(pa, 1), 0);
	for (pa = HVM_BIOS_START; pa < end; pa++)
		assert_int_not_equal(*bios(pa, 1), 0xa5);
}

/*
 * The MADT's interrupt entries byte by byte (5.2.12.3, 5.2.12.5), and
 * what an OS derives from them: COM1's IRQ 4 has no override, so it is
 * GSI 4, edge-triggered and active high as ISA wires it, on the I/O
 * APIC's pin 4; the SCI is on a pin of its own, level, active high.
 */
static void test_acpi_madt_interrupts(void **state)
{
	static const u8 ioapic[] = {
		1, 12, 0, 0, 0x00, 0x00, 0xc0, 0xfe, 0, 0, 0, 0,
	};
	static const u8 sci_override[] = {
		2, 10, 0, 9, 9, 0, 0, 0, 0x0d, 0x00,
	};
	struct hvm_acpi_rsdp r;
	u32 madt_gpa;
	unsigned int i;

	assert_int_equal(build_acpi(2, NULL), 0);
	memcpy(&r, bios(HVM_RSDP_GPA, sizeof(r)), sizeof(r));
	memcpy(&madt_gpa, bios(r.rsdt_address + 40, 4), 4);
	table_at(madt_gpa, "APIC");
	assert_memory_equal(bios(madt_gpa + 44, 12), ioapic, sizeof(ioapic));
	assert_memory_equal(bios(madt_gpa + 56, 10), sci_override,
			    sizeof(sci_override));

	find_and_parse();
	for (i = 0; i < ai.nr_overrides; i++)
		assert_int_not_equal(ai.overrides[i].irq, HVM_COM1_IRQ);
	assert_int_equal(HVM_COM1_GSI, HVM_COM1_IRQ);
	assert_true(HVM_COM1_GSI >= ai.ioapics[0].gsi_base &&
		    HVM_COM1_GSI < ai.ioapics[0].gsi_base + HVM_IOAPIC_PINS);
	assert_int_not_equal(HVM_COM1_GSI, ai.overrides[0].gsi);
	assert_int_equal(ai.fadt.sci_irq, HVM_SCI_IRQ);
	assert_true(HVM_SCI_IRQ < HVM_IOAPIC_PINS);
}

static void test_acpi_oem_id(void **state)
{
	struct hvm_acpi_rsdp r;
	struct hvm_acpi_header h;

	assert_int_equal(build_acpi(2, "ABC"), 0);
	find_and_parse();
	assert_string_equal(ai.oem_id, "ABC   ");
	memcpy(&r, bios(HVM_RSDP_GPA, sizeof(r)), sizeof(r));
	memcpy(&h, bios(r.rsdt_address, sizeof(h)), sizeof(h));
	assert_memory_equal(h.oem_id, "ABC   ", 6);

	expect_refused(build_acpi(2, ""), "OEM ID", "1 to 6");
	expect_refused(build_acpi(2, "KAIROS7"), "OEM ID \"KAIROS7\"");
	expect_refused(build_acpi(2, "A\nB"), "OEM ID", "printable");
	expect_refused(build_acpi(2, "a very long OEM identifier indeed"),
		       "OEM ID \"a very l\"");
}

/* As many vCPUs as the 128 KiB area holds, and one more. */
static void test_acpi_vcpu_limits(void **state)
{
	unsigned int max;
	u64 rsdp;
	char *num;

	expect_refused(build_acpi(0, NULL), "0 vCPUs", "1 to ");
	expect_refused(build_acpi(100000, NULL), "100000 vCPUs",
		       "131072-byte ACPI area", "1 to ");
	for (num = err; strncmp(num, "1 to ", 5) != 0; num++)
		assert_true(*num);
	max = strtoul(num + 5, NULL, 10);
	/* The fixed tables take well under 1 KiB; 16 bytes per vCPU. */
	assert_true(max > (HVM_BIOS_SIZE - 1024) / 16);
	assert_true(max <= HVM_BIOS_SIZE / 16);

	assert_int_equal(build_acpi(max, NULL), 0);
	expect_refused(build_acpi(max + 1, NULL), "vCPUs", "1 to ");
	/* The full table still parses (the CPUs past NR_CPUS dropped). */
	assert_int_equal(build_acpi(max, NULL), 0);
	assert_int_equal(acpi_find_rsdp_bios(&amem, &rsdp), 0);
	assert_int_equal(acpi_parse_at(&amem, rsdp, &ai), 0);
	assert_int_equal(ai.nr_cpus + ai.nr_cpus_dropped, max);
}

static void test_acpi_area_refused(void **state)
{
	u32 rsdp;

	expect_refused(hvm_acpi_build(im.buf, HVM_BIOS_SIZE, HVM_BIOS_START + 8,
				      1, NULL, &rsdp, err, sizeof(err)),
		       "0xe0008", "not 16-byte aligned");
	expect_refused(hvm_acpi_build(im.buf, HVM_BIOS_SIZE, 0xfffff000, 1,
				      NULL, &rsdp, err, sizeof(err)),
		       "crosses 4 GiB");
	expect_refused(hvm_acpi_build(im.buf, 512, HVM_BIOS_START, 1, NULL,
				      &rsdp, err, sizeof(err)),
		       "512 bytes is too small");
	/* The same build at the real place is fine. */
	assert_int_equal(hvm_acpi_build(im.buf, HVM_BIOS_SIZE, HVM_BIOS_START,
					1, NULL, &rsdp, err, sizeof(err)),
			 0);
}

static void test_err_buffer_small(void **state)
{
	char small[6];
	u32 gpa;

	memset(small, 'X', sizeof(small));
	assert_int_equal(hvm_acpi_build(im.buf, HVM_BIOS_SIZE, HVM_BIOS_START,
					0, NULL, &gpa, small, sizeof(small)),
			 -EINVAL);
	assert_string_equal(small, "0 vCP");
	assert_int_equal(hvm_mb1_info_build(region, sizeof(region),
					    HVM_MB1_INFO_START, 0, "", "", &gpa,
					    small, 0),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_e820_sizes),
		cmocka_unit_test(test_e820_exact),
		cmocka_unit_test(test_e820_refused),
		cmocka_unit_test(test_info_fields),
		cmocka_unit_test(test_info_mem_upper),
		cmocka_unit_test(test_info_cmdline_limit),
		cmocka_unit_test(test_info_name_limit),
		cmocka_unit_test(test_info_refused),
		cmocka_unit_test_setup_teardown(test_acpi_machines, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_acpi_rsdp_and_roots, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_acpi_fadt_fields, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_acpi_dsdt_s5, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_acpi_madt_and_rest, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_acpi_madt_interrupts,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_acpi_oem_id, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_acpi_vcpu_limits, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_acpi_area_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_err_buffer_small, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
