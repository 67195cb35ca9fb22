/*
 * libFuzzer target for the ACPI table parser (common/acpi.c).
 *
 * Input: byte 0 selects a mode, the rest is physical memory from address 0,
 * with the RSDP at address 0 (tables point at each other by their offsets
 * in the input). Mode bits:
 *   0x01  repair every checksum first (acpi_fix_checksums()), so that
 *         mutations reach the fields instead of dying at the sums
 *   0x02  parse a copy of the RSDP (as the multiboot2 tag passes it)
 *         instead of the RSDP in memory
 *   0x04  also lay the memory out as a BIOS would: the input at 0, the EBDA
 *         segment 0x9fc0 at 0x40e unless the input covers it, and a copy of
 *         the RSDP in the EBDA (0x08 set) or at 0xf0000 (0x08 clear); run
 *         the BIOS area scan and parse what it finds
 * Every map() returns an exact-size malloc'd copy (acpi_image.c), so
 * AddressSanitizer reports any read past what the parser asked for; the
 * invariants below must hold for any input.
 *
 *   make fuzz && build/fuzz/fuzz_acpi build/fuzz/corpus/fuzz_acpi
 */
#include <acpi.h>
#include <compiler.h>
#include <errno.h>
#include <string.h>

#include "acpi_image.h"
#include "host_support.h"

#include <stdio.h>
#include <stdlib.h>

#define MODE_FIX_CHECKSUMS 0x01
#define MODE_RSDP_COPY	   0x02
#define MODE_BIOS	   0x04
#define MODE_BIOS_IN_EBDA  0x08

#define LOW_MEM	      0x100000
#define EBDA_SEGMENT  0x9fc0
#define EBDA	      0x9fc00
#define ROM_RSDP      0xf0000
#define BDA_EBDA_WORD 0x40e
#define RSDP_COPY_MAX 64

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

/* About 100 KiB: static rather than on the stack. */
static struct acpi_info info;

/* Stops the run with a message (libFuzzer keeps the input as a crash). */
#define CHECK(cond)                                                       \
	do {                                                              \
		if (!(cond)) {                                            \
			fprintf(stderr, "invariant broken: %s\n", #cond); \
			abort();                                          \
		}                                                         \
	} while (0)

static void check_invariants(int rc)
{
	u32 a, b;

	CHECK(rc == 0 || rc == -EINVAL || rc == -EFAULT);
	CHECK(info.nr_cpus <= ACPI_MAX_CPUS);
	CHECK(info.nr_ioapics <= ACPI_MAX_IOAPICS);
	CHECK(info.nr_overrides <= ACPI_MAX_OVERRIDES);
	CHECK(info.nr_nmi_sources <= ACPI_MAX_NMI_SOURCES);
	CHECK(info.nr_lapic_nmis <= ACPI_MAX_LAPIC_NMIS);
	CHECK(info.nr_mcfg <= ACPI_MAX_MCFG);
	CHECK(info.nr_cpus_enabled + info.nr_cpus_online_capable ==
	      info.nr_cpus);
	for (a = 0; a < info.nr_cpus; a++) {
		CHECK(info.cpus[a].enabled != info.cpus[a].online_capable);
		CHECK(info.cpus[a].apic_id != 0xffffffff);
		CHECK(info.cpus[a].x2apic_entry || info.cpus[a].apic_id < 0xff);
		for (b = 0; b < a; b++)
			CHECK(info.cpus[b].apic_id != info.cpus[a].apic_id);
	}
	for (a = 0; a < info.nr_lapic_nmis; a++)
		CHECK(info.lapic_nmis[a].lint <= 1);
	for (a = 0; a < info.nr_mcfg; a++)
		CHECK(info.mcfg[a].bus_start <= info.mcfg[a].bus_end);
	if (info.hpet.present)
		CHECK(info.hpet.comparators >= 1 &&
		      info.hpet.comparators <= 32);
	if (!info.fadt.pm_timer_port)
		CHECK(!info.fadt.pm_timer_32bit);
	if (rc != 0)
		CHECK(!info.madt_present && !info.fadt.present &&
		      !info.hpet.present && !info.mcfg_present);
}

/* Parses the input as memory at 0, in place or from a copy of the RSDP. */
static void parse_flat(const u8 *data, size_t size, u8 mode)
{
	struct acpi_image im;
	struct acpi_mem mem;
	int rc;

	acpi_image_init(&im, 0, size);
	memcpy(im.buf, data, size);
	im.used = size;
	if (mode & MODE_FIX_CHECKSUMS)
		acpi_fix_checksums(im.buf, im.used, 0);
	mem = acpi_image_mem(&im);
	if (mode & MODE_RSDP_COPY) {
		size_t n = min(size, (size_t)RSDP_COPY_MAX);
		u8 *copy = malloc(n ? n : 1);

		if (!copy)
			abort();
		memcpy(copy, im.buf, n);
		rc = acpi_parse(&mem, copy, n, &info);
		free(copy);
	} else {
		rc = acpi_parse_at(&mem, 0, &info);
	}
	check_invariants(rc);
	acpi_info_print(&info);
	acpi_image_free(&im);
}

/* The first MiB as a BIOS leaves it, built around the input. */
static void parse_bios(const u8 *data, size_t size, u8 mode)
{
	static struct acpi_image low;
	struct acpi_mem mem;
	u64 pa = 0;
	int rc;

	if (!low.buf)
		acpi_image_init(&low, 0, LOW_MEM);
	memset(low.buf, 0, LOW_MEM);
	low.used = LOW_MEM;
	size = min(size, (size_t)LOW_MEM);
	memcpy(low.buf, data, size);
	if (mode & MODE_FIX_CHECKSUMS)
		acpi_fix_checksums(low.buf, LOW_MEM, 0);
	if (size < BDA_EBDA_WORD + 2) {
		low.buf[BDA_EBDA_WORD] = EBDA_SEGMENT & 0xff;
		low.buf[BDA_EBDA_WORD + 1] = EBDA_SEGMENT >> 8;
	}
	memcpy(low.buf + ((mode & MODE_BIOS_IN_EBDA) ? EBDA : ROM_RSDP),
	       low.buf, ACPI_RSDP_V2_LEN);
	mem = acpi_image_mem(&low);
	if (acpi_find_rsdp_bios(&mem, &pa) == 0) {
		CHECK(pa % 16 == 0 && pa < LOW_MEM);
		rc = acpi_parse_at(&mem, pa, &info);
		check_invariants(rc);
		acpi_info_print(&info);
	}
	acpi_image_release(&low);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	u8 mode;

	if (size < 1)
		return 0;
	mode = data[0];
	parse_flat(data + 1, size - 1, mode);
	if (mode & MODE_BIOS)
		parse_bios(data + 1, size - 1, mode);
	/* The captured log would fill up and stop exercising the formatting. */
	host_printk_reset();
	return 0;
}
