/*
 * Synthetic ACPI physical memory (acpi_image.h). Host code: it uses the C
 * library and aborts on misuse, since a broken builder is a broken test.
 */
#include "acpi_image.h"

#include <compiler.h>
#include <string.h>

#include <stdio.h>
#include <stdlib.h>

#define HDR_LEN	       36 /* 5.2.6 */
#define HDR_LENGTH     4
#define HDR_CHECKSUM   9
#define RSDP_CHECKSUM  8 /* 5.2.5.3 */
#define RSDP_XCHECKSUM 32
#define FIX_MAX	       32 /* root entries acpi_fix_checksums() repairs */

static void die(const char *what)
{
	fprintf(stderr, "acpi_image: %s\n", what);
	abort();
}

static void wr16(u8 *p, u16 v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static void wr32(u8 *p, u32 v)
{
	wr16(p, v);
	wr16(p + 2, v >> 16);
}

static void wr64(u8 *p, u64 v)
{
	wr32(p, v);
	wr32(p + 4, v >> 32);
}

static u32 rd32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static u64 rd64(const u8 *p)
{
	return rd32(p) | (u64)rd32(p + 4) << 32;
}

static u8 sum(const u8 *p, size_t len)
{
	u8 s = 0;

	while (len--)
		s += *p++;
	return s;
}

/* ---- The image and its accessor ---------------------------------------- */

void acpi_image_init(struct acpi_image *im, u64 base, size_t capacity)
{
	memset(im, 0, sizeof(*im));
	im->buf = calloc(1, capacity ? capacity : 1);
	if (!im->buf)
		die("out of memory");
	im->capacity = capacity;
	im->base = base;
}

void acpi_image_release(struct acpi_image *im)
{
	size_t i;

	for (i = 0; i < im->nr_copies; i++)
		free(im->copies[i]);
	im->nr_copies = 0;
}

void acpi_image_free(struct acpi_image *im)
{
	acpi_image_release(im);
	free(im->copies);
	free(im->buf);
	memset(im, 0, sizeof(*im));
}

static const void *image_map(void *ctx, u64 pa, u64 len)
{
	struct acpi_image *im = ctx;
	void *copy;

	im->maps++;
	if (len == 0 || pa < im->base || pa - im->base > im->used ||
	    len > im->used - (pa - im->base))
		return NULL;
	if (pa < im->hole_end && pa + len > im->hole_start)
		return NULL;
	if (im->nr_copies == im->max_copies) {
		size_t n = im->max_copies ? 2 * im->max_copies : 64;
		void **grown = realloc(im->copies, n * sizeof(*grown));

		if (!grown)
			die("out of memory");
		im->copies = grown;
		im->max_copies = n;
	}
	copy = malloc(len);
	if (!copy)
		die("out of memory");
	memcpy(copy, im->buf + (pa - im->base), len);
	im->copies[im->nr_copies++] = copy;
	return copy;
}

struct acpi_mem acpi_image_mem(struct acpi_image *im)
{
	return (struct acpi_mem){.map = image_map, .ctx = im};
}

u64 acpi_image_alloc(struct acpi_image *im, size_t len, size_t align)
{
	size_t off = ROUNDUP(im->used, align ? align : 1);

	if (off > im->capacity || len > im->capacity - off)
		die("image full");
	memset(im->buf + off, 0, len);
	im->used = off + len;
	return im->base + off;
}

u8 *acpi_image_at(struct acpi_image *im, u64 pa)
{
	if (pa < im->base || pa - im->base >= im->capacity)
		die("address outside the image");
	return im->buf + (pa - im->base);
}

void acpi_image_checksum(struct acpi_image *im, u64 pa, u32 len, u64 csum_pa)
{
	u8 *c = acpi_image_at(im, csum_pa);

	if (pa - im->base + len > im->capacity)
		die("checksum range outside the image");
	*c = 0;
	*c = -sum(acpi_image_at(im, pa), len);
}

/* ---- Tables ------------------------------------------------------------ */

u64 acpi_table_begin(struct acpi_image *im, const char *sig, u8 revision,
		     size_t align)
{
	u64 pa = acpi_image_alloc(im, HDR_LEN, align);
	u8 *h = acpi_image_at(im, pa);

	if (im->cur)
		die("a table is already being built");
	memcpy(h, sig, 4);
	h[8] = revision;
	memcpy(h + 10, "KAIROS", 6);
	memcpy(h + 16, "SYNTHTBL", 8);
	wr32(h + 24, 1);
	memcpy(h + 28, "KTST", 4);
	wr32(h + 32, 1);
	im->cur = pa;
	return pa;
}

static u8 *put(struct acpi_image *im, size_t n)
{
	if (!im->cur)
		die("no table is being built");
	return acpi_image_at(im, acpi_image_alloc(im, n, 1));
}

void acpi_put8(struct acpi_image *im, u8 v)
{
	*put(im, 1) = v;
}

void acpi_put16(struct acpi_image *im, u16 v)
{
	wr16(put(im, 2), v);
}

void acpi_put32(struct acpi_image *im, u32 v)
{
	wr32(put(im, 4), v);
}

void acpi_put64(struct acpi_image *im, u64 v)
{
	wr64(put(im, 8), v);
}

void acpi_put_bytes(struct acpi_image *im, const void *p, size_t n)
{
	if (n)
		memcpy(put(im, n), p, n);
}

void acpi_put_gas(struct acpi_image *im, u8 space, u8 bit_width, u64 addr)
{
	acpi_put8(im, space);
	acpi_put8(im, bit_width);
	acpi_put8(im, 0); /* bit offset */
	acpi_put8(im, 0); /* access size: legacy */
	acpi_put64(im, addr);
}

void acpi_table_fix_checksum(struct acpi_image *im, u64 pa)
{
	u32 len = rd32(acpi_image_at(im, pa) + HDR_LENGTH);

	acpi_image_checksum(im, pa, len, pa + HDR_CHECKSUM);
}

u32 acpi_table_end(struct acpi_image *im)
{
	u64 pa = im->cur;
	u32 len = im->base + im->used - pa;

	if (!pa)
		die("no table is being built");
	wr32(acpi_image_at(im, pa) + HDR_LENGTH, len);
	acpi_table_fix_checksum(im, pa);
	im->cur = 0;
	return len;
}

void acpi_put_rsdp(struct acpi_image *im, u64 pa, u8 revision, u32 rsdt,
		   u64 xsdt)
{
	u8 *r = acpi_image_at(im, pa);

	memcpy(r, "RSD PTR ", 8);
	memcpy(r + 9, "KAIROS", 6);
	r[15] = revision;
	wr32(r + 16, rsdt);
	if (revision >= 2) {
		wr32(r + 20, ACPI_RSDP_V2_LEN);
		wr64(r + 24, xsdt);
	}
	acpi_image_checksum(im, pa, ACPI_RSDP_V1_LEN, pa + RSDP_CHECKSUM);
	if (revision >= 2)
		acpi_image_checksum(im, pa, ACPI_RSDP_V2_LEN,
				    pa + RSDP_XCHECKSUM);
}

u64 acpi_put_root(struct acpi_image *im, const char *sig, const u64 *tables,
		  unsigned int n)
{
	bool xsdt = memcmp(sig, "XSDT", 4) == 0;
	u64 pa = acpi_table_begin(im, sig, 1, 4);
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (xsdt)
			acpi_put64(im, tables[i]);
		else
			acpi_put32(im, tables[i]);
	}
	acpi_table_end(im);
	return pa;
}

u64 acpi_madt_begin(struct acpi_image *im, u32 lapic_addr, u32 flags)
{
	u64 pa = acpi_table_begin(im, "APIC", 5, 1);

	acpi_put32(im, lapic_addr);
	acpi_put32(im, flags);
	return pa;
}

void acpi_madt_lapic(struct acpi_image *im, u8 uid, u8 apic_id, u32 flags)
{
	acpi_put8(im, 0);
	acpi_put8(im, 8);
	acpi_put8(im, uid);
	acpi_put8(im, apic_id);
	acpi_put32(im, flags);
}

void acpi_madt_x2apic(struct acpi_image *im, u32 apic_id, u32 uid, u32 flags)
{
	acpi_put8(im, 9);
	acpi_put8(im, 16);
	acpi_put16(im, 0);
	acpi_put32(im, apic_id);
	acpi_put32(im, flags);
	acpi_put32(im, uid);
}

void acpi_madt_ioapic(struct acpi_image *im, u8 id, u32 addr, u32 gsi_base)
{
	acpi_put8(im, 1);
	acpi_put8(im, 12);
	acpi_put8(im, id);
	acpi_put8(im, 0);
	acpi_put32(im, addr);
	acpi_put32(im, gsi_base);
}

void acpi_madt_override(struct acpi_image *im, u8 bus, u8 irq, u32 gsi,
			u16 flags)
{
	acpi_put8(im, 2);
	acpi_put8(im, 10);
	acpi_put8(im, bus);
	acpi_put8(im, irq);
	acpi_put32(im, gsi);
	acpi_put16(im, flags);
}

void acpi_madt_nmi_source(struct acpi_image *im, u16 flags, u32 gsi)
{
	acpi_put8(im, 3);
	acpi_put8(im, 8);
	acpi_put16(im, flags);
	acpi_put32(im, gsi);
}

void acpi_madt_lapic_nmi(struct acpi_image *im, u8 uid, u16 flags, u8 lint)
{
	acpi_put8(im, 4);
	acpi_put8(im, 6);
	acpi_put8(im, uid);
	acpi_put16(im, flags);
	acpi_put8(im, lint);
}

void acpi_madt_x2apic_nmi(struct acpi_image *im, u32 uid, u16 flags, u8 lint)
{
	static const u8 reserved[3];

	acpi_put8(im, 0xa);
	acpi_put8(im, 12);
	acpi_put16(im, flags);
	acpi_put32(im, uid);
	acpi_put8(im, lint);
	acpi_put_bytes(im, reserved, sizeof(reserved));
}

void acpi_madt_lapic_addr(struct acpi_image *im, u64 addr)
{
	acpi_put8(im, 5);
	acpi_put8(im, 12);
	acpi_put16(im, 0);
	acpi_put64(im, addr);
}

u64 acpi_put_hpet(struct acpi_image *im, u32 block_id, u8 space, u64 addr,
		  u8 number, u16 min_tick)
{
	u64 pa = acpi_table_begin(im, "HPET", 1, 1);

	acpi_put32(im, block_id);
	acpi_put_gas(im, space, 64, addr);
	acpi_put8(im, number);
	acpi_put16(im, min_tick);
	acpi_put8(im, 0); /* page protection */
	acpi_table_end(im);
	return pa;
}

u64 acpi_put_fadt(struct acpi_image *im, const struct acpi_fadt_spec *f)
{
	/* The 6.5 layout (276 bytes), then cut to f->length. */
	u8 body[276] = {0};
	u64 pa = acpi_table_begin(im, "FACP", f->revision, 4);

	wr16(body + 46, f->sci);
	wr32(body + 76, f->pm_tmr_blk);
	body[91] = f->pm_tmr_len;
	body[108] = f->century;
	wr16(body + 109, f->boot_arch);
	wr32(body + 112, f->flags);
	body[208] = f->x_pm_space;
	body[209] = 32; /* bit width */
	wr64(body + 212, f->x_pm_addr);
	if (f->length < HDR_LEN || f->length > sizeof(body))
		die("FADT length out of range");
	acpi_put_bytes(im, body + HDR_LEN, f->length - HDR_LEN);
	acpi_table_end(im);
	return pa;
}

u64 acpi_put_mcfg(struct acpi_image *im, const struct acpi_mcfg_region *r,
		  unsigned int n)
{
	u64 pa = acpi_table_begin(im, "MCFG", 1, 4);
	unsigned int i;

	acpi_put64(im, 0); /* reserved */
	for (i = 0; i < n; i++) {
		acpi_put64(im, r[i].base);
		acpi_put16(im, r[i].segment);
		acpi_put8(im, r[i].bus_start);
		acpi_put8(im, r[i].bus_end);
		acpi_put32(im, 0);
	}
	acpi_table_end(im);
	return pa;
}

u64 acpi_build_machine(struct acpi_image *im, unsigned int nr_cpus,
		       u8 rsdp_revision)
{
	static const struct acpi_mcfg_region ecam = {.base = 0xb0000000,
						     .segment = 0,
						     .bus_start = 0,
						     .bus_end = 0xff};
	const struct acpi_fadt_spec fadt = {
		.revision = 3,
		.length = 244,
		.sci = 9,
		.pm_tmr_blk = 0x608,
		.pm_tmr_len = 4,
		.century = 0x32,
		.boot_arch = 0x2, /* 8042 */
		.flags = 0x84a5,  /* QEMU's: no TMR_VAL_EXT */
		.x_pm_space = 1,
		.x_pm_addr = 0x608,
	};
	u64 rsdp, tables[4], rsdt, xsdt = 0;
	unsigned int i;

	if (im->used != 0 || nr_cpus > 255)
		die("acpi_build_machine needs an empty image and < 256 CPUs");
	rsdp = acpi_image_alloc(im, ACPI_RSDP_V2_LEN, 16);
	tables[0] = acpi_put_fadt(im, &fadt);
	/* One byte of padding: the MADT's fields land unaligned. */
	acpi_image_alloc(im, 1, 1);
	tables[1] = acpi_madt_begin(im, 0xfee00000, 1);
	for (i = 0; i < nr_cpus; i++)
		acpi_madt_lapic(im, i, i, 1);
	acpi_madt_ioapic(im, 0, 0xfec00000, 0);
	acpi_madt_override(im, 0, 0, 2, 0);
	acpi_madt_override(im, 0, 5, 5, 0xd);
	acpi_madt_override(im, 0, 9, 9, 0xd);
	acpi_madt_override(im, 0, 10, 10, 0xd);
	acpi_madt_override(im, 0, 11, 11, 0xd);
	acpi_madt_lapic_nmi(im, 0xff, 0, 1);
	acpi_table_end(im);
	tables[2] = acpi_put_hpet(im, 0x8086a201, 0, 0xfed00000, 0, 128);
	tables[3] = acpi_put_mcfg(im, &ecam, 1);
	rsdt = acpi_put_root(im, "RSDT", tables, ARRAY_SIZE(tables));
	if (rsdp_revision >= 2)
		xsdt = acpi_put_root(im, "XSDT", tables, ARRAY_SIZE(tables));
	acpi_put_rsdp(im, rsdp, rsdp_revision, rsdt, xsdt);
	return rsdp;
}

/* ---- Repairing mutated images ------------------------------------------ */

/* Fixes the table at pa if its header and length lie inside mem. */
static void fix_table(u8 *mem, size_t size, u64 base, u64 pa)
{
	u64 off = pa - base;
	u32 len;

	if (pa < base || off > size || size - off < HDR_LEN)
		return;
	len = rd32(mem + off + HDR_LENGTH);
	if (len < HDR_LEN || len > size - off)
		return;
	mem[off + HDR_CHECKSUM] = 0;
	mem[off + HDR_CHECKSUM] = -sum(mem + off, len);
}

/* Fixes the tables a root table at pa lists, then the root table. */
static void fix_root(u8 *mem, size_t size, u64 base, u64 pa, u32 esize)
{
	u64 off = pa - base;
	u32 len, i;

	if (pa < base || off > size || size - off < HDR_LEN)
		return;
	len = rd32(mem + off + HDR_LENGTH);
	if (len < HDR_LEN || len > size - off)
		return;
	/* A bounded number: this runs on every fuzz input. */
	for (i = HDR_LEN; i + esize <= len && i < HDR_LEN + FIX_MAX * esize;
	     i += esize) {
		u64 table =
			esize == 8 ? rd64(mem + off + i) : rd32(mem + off + i);

		if (table != pa)
			fix_table(mem, size, base, table);
	}
	fix_table(mem, size, base, pa);
}

void acpi_fix_checksums(u8 *mem, size_t size, u64 base)
{
	u32 len;

	if (size < ACPI_RSDP_V1_LEN)
		return;
	fix_root(mem, size, base, rd32(mem + 16), 4);
	if (mem[15] >= 2 && size >= ACPI_RSDP_V2_LEN)
		fix_root(mem, size, base, rd64(mem + 24), 8);
	mem[RSDP_CHECKSUM] = 0;
	mem[RSDP_CHECKSUM] = -sum(mem, ACPI_RSDP_V1_LEN);
	if (mem[15] < 2 || size < ACPI_RSDP_V2_LEN)
		return;
	len = rd32(mem + 20);
	if (len >= ACPI_RSDP_V2_LEN && len <= size) {
		mem[RSDP_XCHECKSUM] = 0;
		mem[RSDP_XCHECKSUM] = -sum(mem, len);
	}
}
