/*
 * Synthetic physical memory holding ACPI tables, shared by the host unit
 * tests (tests/unit/test_acpi.c), the fuzz target (fuzz_acpi.c) and its
 * seed generator (gen_acpi_seeds.c).
 *
 * An image is a byte buffer standing for the physical addresses
 * [base, base + used). Tables are appended to it with correct lengths and
 * checksums; the field layouts follow the ACPI Specification 6.5 sections
 * cited in common/acpi.c. Its struct acpi_mem hands out a fresh malloc'd
 * copy of exactly the bytes asked for on every map(), so AddressSanitizer
 * reports any read past them, and refuses ranges outside the image or
 * inside the "hole", which stands for unreadable memory.
 *
 * Concurrency: none; one image per thread.
 */
#ifndef KAIROS_TESTS_ACPI_IMAGE_H
#define KAIROS_TESTS_ACPI_IMAGE_H

#include <acpi.h>
#include <types.h>

struct acpi_image {
	u8 *buf; /* capacity bytes, zero where nothing was built */
	size_t capacity;
	size_t used; /* bytes that map() may return: [base, base + used) */
	u64 base;    /* physical address of buf[0] */
	u64 hole_start, hole_end; /* map() refuses to touch [start, end) */
	u64 cur; /* physical address of the table being built, 0 if none */
	void **copies; /* what map() handed out, freed by acpi_image_release */
	size_t nr_copies, max_copies;
	unsigned long maps; /* map() calls so far */
};

/* Creates an empty image of capacity bytes at physical address base. */
void acpi_image_init(struct acpi_image *im, u64 base, size_t capacity);

/* Frees the buffer and every copy. */
void acpi_image_free(struct acpi_image *im);

/* The accessor over im; map() counts calls in im->maps. */
struct acpi_mem acpi_image_mem(struct acpi_image *im);

/* Frees the copies map() handed out so far (the pointers go stale). */
void acpi_image_release(struct acpi_image *im);

/* Reserves len zeroed bytes aligned to align; returns their address. */
u64 acpi_image_alloc(struct acpi_image *im, size_t len, size_t align);

/* The buffer behind physical address pa (which must be inside). */
u8 *acpi_image_at(struct acpi_image *im, u64 pa);

/* Sets the byte sum of the len bytes at pa to 0 through the byte at csum_pa. */
void acpi_image_checksum(struct acpi_image *im, u64 pa, u32 len, u64 csum_pa);

/* ---- Building tables: begin, append fields, end ------------------------- */

/* Starts a table with a 36-byte header (5.2.6) at an align-aligned address. */
u64 acpi_table_begin(struct acpi_image *im, const char *sig, u8 revision,
		     size_t align);
void acpi_put8(struct acpi_image *im, u8 v);
void acpi_put16(struct acpi_image *im, u16 v);
void acpi_put32(struct acpi_image *im, u32 v);
void acpi_put64(struct acpi_image *im, u64 v);
void acpi_put_bytes(struct acpi_image *im, const void *p, size_t n);
/* A Generic Address Structure (5.2.3.2). */
void acpi_put_gas(struct acpi_image *im, u8 space, u8 bit_width, u64 addr);
/* Sets the length to what was appended and the checksum; returns the length. */
u32 acpi_table_end(struct acpi_image *im);

/* Recomputes the checksum of the table at pa from its length field. */
void acpi_table_fix_checksum(struct acpi_image *im, u64 pa);

/*
 * Writes an RSDP (5.2.5.3) at pa, which must be reserved: revision 0 is the
 * 20-byte ACPI 1.0 form, 2 the 36-byte one; checksums correct.
 */
void acpi_put_rsdp(struct acpi_image *im, u64 pa, u8 revision, u32 rsdt,
		   u64 xsdt);

/* An RSDT (4-byte entries) or XSDT (8-byte entries) listing n tables. */
u64 acpi_put_root(struct acpi_image *im, const char *sig, const u64 *tables,
		  unsigned int n);

/* MADT: begin, then entries (5.2.12.x), then acpi_table_end(). */
u64 acpi_madt_begin(struct acpi_image *im, u32 lapic_addr, u32 flags);
void acpi_madt_lapic(struct acpi_image *im, u8 uid, u8 apic_id, u32 flags);
void acpi_madt_x2apic(struct acpi_image *im, u32 apic_id, u32 uid, u32 flags);
void acpi_madt_ioapic(struct acpi_image *im, u8 id, u32 addr, u32 gsi_base);
void acpi_madt_override(struct acpi_image *im, u8 bus, u8 irq, u32 gsi,
			u16 flags);
void acpi_madt_nmi_source(struct acpi_image *im, u16 flags, u32 gsi);
void acpi_madt_lapic_nmi(struct acpi_image *im, u8 uid, u16 flags, u8 lint);
void acpi_madt_x2apic_nmi(struct acpi_image *im, u32 uid, u16 flags, u8 lint);
void acpi_madt_lapic_addr(struct acpi_image *im, u64 addr);

/* An HPET table (IA-PC HPET Specification 1.0a, 3.2.4). */
u64 acpi_put_hpet(struct acpi_image *im, u32 block_id, u8 space, u64 addr,
		  u8 number, u16 min_tick);

/* The FADT fields the parser reads (5.2.9); length cuts the table short. */
struct acpi_fadt_spec {
	u8 revision;
	u32 length; /* 116 (ACPI 1.0), 244 (2.0), 276 (6.x), or anything */
	u16 sci;
	u32 pm_tmr_blk;
	u8 pm_tmr_len;
	u8 century;
	u16 boot_arch;
	u32 flags;
	u8 x_pm_space;
	u64 x_pm_addr;
};
u64 acpi_put_fadt(struct acpi_image *im, const struct acpi_fadt_spec *f);

/* An MCFG with n allocations (PCI Firmware Specification 3.3, 4.1.2). */
u64 acpi_put_mcfg(struct acpi_image *im, const struct acpi_mcfg_region *r,
		  unsigned int n);

/*
 * A machine like QEMU's q35 with nr_cpus CPUs (at most 255): RSDP of the
 * given revision at the image's base, RSDT (and XSDT for revision 2),
 * FADT, MADT (one I/O APIC, five overrides, a LINT1 NMI for all), HPET,
 * MCFG. Returns the RSDP's address (im->base).
 */
u64 acpi_build_machine(struct acpi_image *im, unsigned int nr_cpus,
		       u8 rsdp_revision);

/*
 * Repairs the checksums of the RSDP at mem[0] (size bytes of memory at
 * physical address base) and of every table its root tables list that
 * lies inside mem (the first 32 of each root), so that mutated images get
 * past the checksum checks. Touches nothing outside mem, whatever it holds.
 */
void acpi_fix_checksums(u8 *mem, size_t size, u64 base);

#endif /* KAIROS_TESTS_ACPI_IMAGE_H */
