/*
 * Writes the seed corpus of fuzz_acpi (see its input format) into the
 * directory named by argv[1]: machines built with acpi_image.c, each the
 * mode byte followed by the memory image from address 0. Generated at
 * build time so that no binary blobs live in the tree.
 */
#include "acpi_image.h"

#include <compiler.h>
#include <string.h>

#include <stdio.h>
#include <stdlib.h>

#define IMAGE_CAPACITY (64 * 1024)

static const char *dir;

/* Writes mode + the image as <dir>/<name>. */
static void emit(const char *name, u8 mode, const struct acpi_image *im)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(&mode, 1, 1, f) != 1 ||
	    fwrite(im->buf, 1, im->used, f) != im->used || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

/* An empty image with room for the RSDP at address 0. */
static void rsdp_first(struct acpi_image *im)
{
	acpi_image_init(im, 0, IMAGE_CAPACITY);
	acpi_image_alloc(im, ACPI_RSDP_V2_LEN, 16);
}

/* The RSDT (and for revision 2 the XSDT) listing t, and the RSDP at 0. */
static void rsdp_finish(struct acpi_image *im, const u64 *t, unsigned int n,
			u8 rev)
{
	u64 rsdt = acpi_put_root(im, "RSDT", t, n);
	u64 xsdt = rev >= 2 ? acpi_put_root(im, "XSDT", t, n) : 0;

	acpi_put_rsdp(im, 0, rev, rsdt, xsdt);
}

static void machines(void)
{
	struct acpi_image im;

	acpi_image_init(&im, 0, IMAGE_CAPACITY);
	acpi_build_machine(&im, 4, 2);
	emit("q35-v2", 0x01, &im);
	emit("q35-v2-raw", 0x00, &im);
	emit("q35-v2-copy", 0x03, &im);
	emit("q35-v2-bios-rom", 0x05, &im);
	emit("q35-v2-bios-ebda", 0x0d, &im);
	acpi_image_free(&im);

	acpi_image_init(&im, 0, IMAGE_CAPACITY);
	acpi_build_machine(&im, 1, 0);
	emit("pc-v1", 0x01, &im);
	emit("pc-v1-bios", 0x05, &im);
	acpi_image_free(&im);
}

/* Every MADT entry type we read, in odd combinations. */
static void madt_zoo(void)
{
	struct acpi_image im;
	u64 t[1];

	rsdp_first(&im);
	t[0] = acpi_madt_begin(&im, 0xfee00000, 1);
	acpi_madt_lapic(&im, 0, 0, 1);
	acpi_madt_x2apic(&im, 0x100, 1, 1);
	acpi_madt_lapic(&im, 2, 2, 2);
	acpi_madt_x2apic(&im, 0x101, 3, 0);
	acpi_madt_lapic(&im, 4, 0xff, 0);
	acpi_madt_lapic(&im, 5, 1, 1);
	acpi_madt_ioapic(&im, 0, 0xfec00000, 0);
	acpi_madt_ioapic(&im, 1, 0xfec01000, 24);
	acpi_madt_override(&im, 0, 0, 2, 0);
	acpi_madt_override(&im, 0, 9, 9, 0xd);
	acpi_madt_nmi_source(&im, 0x5, 23);
	acpi_madt_lapic_nmi(&im, 0xff, 0x5, 1);
	acpi_madt_x2apic_nmi(&im, 0x100, 0, 1);
	acpi_madt_lapic_addr(&im, 0x100fee00000ULL);
	acpi_table_end(&im);
	rsdp_finish(&im, t, 1, 2);
	emit("madt-zoo", 0x01, &im);
	acpi_image_free(&im);
}

/* FADTs of every size, HPETs, MCFGs. */
static void fadt_hpet_mcfg(void)
{
	static const u32 fadt_lengths[] = {116, 244, 276};
	static const struct acpi_mcfg_region ecam[] = {
		{.base = 0xb0000000,
		 .segment = 0,
		 .bus_start = 0,
		 .bus_end = 0xff},
		{.base = 0xc0000000,
		 .segment = 1,
		 .bus_start = 0x10,
		 .bus_end = 0x1f},
	};
	struct acpi_fadt_spec f = {
		.revision = 1,
		.sci = 9,
		.pm_tmr_blk = 0x408,
		.pm_tmr_len = 4,
		.century = 0x32,
		.boot_arch = 0x3,
		.flags = 1U << 8,
		.x_pm_space = 1,
		.x_pm_addr = 0x408,
	};
	struct acpi_image im;
	u64 t[6];
	unsigned int i;

	rsdp_first(&im);
	for (i = 0; i < ARRAY_SIZE(fadt_lengths); i++) {
		f.length = fadt_lengths[i];
		f.revision = i == 0 ? 1 : 3 + 3 * (i - 1);
		f.flags = i == 2 ? 1U << 20 : 1U << 8;
		t[i] = acpi_put_fadt(&im, &f);
	}
	t[3] = acpi_put_hpet(&im, 0x8086a201, 0, 0xfed00000, 0, 128);
	t[4] = acpi_put_hpet(&im, 0x10de1f02, 0, 0xfed80000, 1, 64);
	t[5] = acpi_put_mcfg(&im, ecam, ARRAY_SIZE(ecam));
	rsdp_finish(&im, t, ARRAY_SIZE(t), 2);
	emit("fadt-hpet-mcfg", 0x01, &im);
	acpi_image_free(&im);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s <corpus-directory>\n", argv[0]);
		return 2;
	}
	dir = argv[1];
	machines();
	madt_zoo();
	fadt_hpet_mcfg();
	return 0;
}
