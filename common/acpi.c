/*
 * ACPI table discovery and parsing (include/acpi.h). Section numbers refer
 * to the ACPI Specification 6.5. ACPI only reserves the signatures of the
 * HPET and MCFG tables (5.2.6, "DESCRIPTION_HEADER signatures for tables
 * reserved by ACPI"); their layouts come from the IA-PC HPET Specification
 * 1.0a and the PCI Firmware Specification 3.3.
 *
 * Nothing here trusts the firmware. Every byte arrives through struct
 * acpi_mem; a table is checked as a whole (readable, signature, length,
 * checksum) before any field is read, and every field read is checked
 * against the table's length again, so a bad table can only be rejected,
 * never make us read past what the accessor handed out. Tables need not be
 * aligned, and all their numbers are little-endian (5.2), so fields are
 * assembled byte by byte.
 */
#include <acpi.h>
#include <compiler.h>
#include <errno.h>
#include <printk.h>
#include <string.h>

#define U64_MAX ((u64)~0ULL)

#define acpi_warn(fmt, ...) pr_warn("acpi: " fmt, ##__VA_ARGS__)

/* ---------------------------------------------------------------------------
 * Limits and layouts
 */

/* 5.2.6: the header every system description table starts with. */
#define HDR_SIGNATURE 0
#define HDR_LENGTH    4
#define HDR_REVISION  8
#define HDR_OEMID     10 /* 6 bytes (5.2.6) */
#define HDR_OEMID_LEN 6
#define HDR_LEN	      36

/*
 * No real table is near this (a DSDT, the largest, is a few hundred KiB);
 * it bounds what a corrupt length can make us map.
 */
#define TABLE_MAX_LEN (16U << 20)

/* Root-table entries we look at; real firmware lists a few dozen. */
#define ROOT_MAX_ENTRIES 256

/* 5.2.5.3: RSDP fields. */
#define RSDP_SIGNATURE	 "RSD PTR "
#define RSDP_OEMID	 9
#define RSDP_REVISION	 15
#define RSDP_RSDT	 16
#define RSDP_LENGTH	 20
#define RSDP_XSDT	 24
#define RSDP_REVISION_V2 2    /* revision 0 is ACPI 1.0; 2 is 2.0 and later */
#define RSDP_MAX_LEN	 4096 /* bounds a corrupt Length field */
#define RSDP_OEMID_LEN	 6

/* 5.2.5.1: where a BIOS puts the RSDP, on 16-byte boundaries. */
#define BDA_EBDA_SEGMENT 0x40e
#define EBDA_SCAN_LEN	 1024
#define EBDA_LIMIT	 0xa0000 /* conventional memory ends here */
#define BIOS_ROM_START	 0xe0000
#define BIOS_ROM_END	 0x100000
#define RSDP_ALIGN	 16

/* 5.2.7 and 5.2.8: the root tables' entries follow the header. */
#define RSDT_ENTRY_LEN 4
#define XSDT_ENTRY_LEN 8

/* 5.2.12: MADT fields, flags and interrupt controller structure types. */
#define MADT_LAPIC_ADDR	     36
#define MADT_FLAGS	     40
#define MADT_ENTRIES	     44
#define MADT_PCAT_COMPAT     (1U << 0)
#define MADT_LAPIC	     0x0 /* 5.2.12.2 */
#define MADT_IOAPIC	     0x1 /* 5.2.12.3 */
#define MADT_OVERRIDE	     0x2 /* 5.2.12.5 */
#define MADT_NMI_SOURCE	     0x3 /* 5.2.12.6 */
#define MADT_LAPIC_NMI	     0x4 /* 5.2.12.7 */
#define MADT_LAPIC_OVERRIDE  0x5 /* 5.2.12.8 */
#define MADT_X2APIC	     0x9 /* 5.2.12.12 */
#define MADT_X2APIC_NMI	     0xa /* 5.2.12.13 */
#define MADT_NR_KNOWN_TYPES  0xb
#define ENTRY_HDR_LEN	     2	       /* every entry starts: type, length */
#define LAPIC_ENABLED	     (1U << 0) /* 5.2.12.2, "Local APIC Flags" */
#define LAPIC_ONLINE_CAPABLE (1U << 1)
/* The broadcast IDs name no CPU (SDM Vol. 3A, 11.6.2.1; 11.12 for x2APIC). */
#define XAPIC_INVALID_ID  0xff
#define X2APIC_INVALID_ID 0xffffffffU
#define LAPIC_NMI_UID_ALL 0xff /* 5.2.12.7: all processors */
/* A local APIC has two local interrupt pins, LINT0 and LINT1 (SDM 11.5.1). */
#define LINT_MAX 1

/* IA-PC HPET Specification 1.0a, 3.2.4: the HPET description table. */
#define HPET_BLOCK_ID	     36
#define HPET_BASE_GAS	     40
#define HPET_NUMBER	     52
#define HPET_MIN_TICK	     53
#define HPET_PAGE_PROTECTION 55
#define HPET_LEN	     56
/* The block ID mirrors GCAP_ID bits 31:0 (HPET spec 2.3.4). */
#define HPET_ID_REV_MASK      0xffU
#define HPET_ID_NUM_TIM_SHIFT 8 /* the last timer's index: count - 1 */
#define HPET_ID_NUM_TIM_MASK  0x1fU
#define HPET_ID_COUNT_SIZE    (1U << 13)
#define HPET_ID_LEGACY_ROUTE  (1U << 15)
#define HPET_ID_VENDOR_SHIFT  16

/* 5.2.3.2: Generic Address Structure fields and address spaces. */
#define GAS_SPACE_ID	 0
#define GAS_ADDRESS	 4
#define GAS_LEN		 12
#define GAS_SPACE_MEMORY 0
#define GAS_SPACE_IO	 1

/* 5.2.9, "FADT Format": the offsets of the fields we read. */
#define FADT_SCI_INT	    46
#define FADT_PM_TMR_BLK	    76
#define FADT_PM_TMR_LEN	    91
#define FADT_CENTURY	    108
#define FADT_IAPC_BOOT_ARCH 109
#define FADT_FLAGS	    112
#define FADT_X_PM_TMR_BLK   208
#define FADT_PM_TMR_LEN_OK  4 /* "If the PM Timer is supported ... 4" */
#define FADT_BOOT_ARCH_REV  2 /* revision 1 (ACPI 1.0) reserved offset 109 */
/* 5.2.9, "Fixed ACPI Description Table Fixed Feature Flags". */
#define FADT_TMR_VAL_EXT     (1U << 8)
#define FADT_HW_REDUCED_ACPI (1U << 20)
/* 5.2.9.3, "IA-PC Boot Architecture Flags". */
#define BOOT_ARCH_LEGACY_DEVICES       (1U << 0)
#define BOOT_ARCH_8042		       (1U << 1)
#define BOOT_ARCH_VGA_NOT_PRESENT      (1U << 2)
#define BOOT_ARCH_CMOS_RTC_NOT_PRESENT (1U << 5)
/* System I/O space (5.2.3.2, address space 1) is the 64 KiB of ports. */
#define IO_PORT_MAX 0xffff

/* PCI Firmware Specification 3.3, 4.1.2: MCFG and its allocations. */
#define MCFG_ENTRIES	     44
#define MCFG_ENTRY_LEN	     16
#define MCFG_ENTRY_BASE	     0
#define MCFG_ENTRY_SEGMENT   8
#define MCFG_ENTRY_BUS_START 10
#define MCFG_ENTRY_BUS_END   11

/* ---------------------------------------------------------------------------
 * Reading bytes
 */

static u16 le16(const u8 *p)
{
	return (u16)(p[0] | p[1] << 8);
}

static u32 le32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static u64 le64(const u8 *p)
{
	return (u64)le32(p) | (u64)le32(p + 4) << 32;
}

/* True if size bytes at off lie inside len bytes. */
static bool fits(u64 len, u64 off, u64 size)
{
	return off <= len && size <= len - off;
}

/* A checked table: len bytes at p, from physical address pa. */
struct table {
	const u8 *p;
	u32 len;
	u64 pa;
	const char *name; /* for messages: "MADT", not "APIC" */
};

/* Field readers: 0 for a field outside the table (callers check first). */
static u8 t8(const struct table *t, u32 off)
{
	return fits(t->len, off, 1) ? t->p[off] : 0;
}

static u16 t16(const struct table *t, u32 off)
{
	return fits(t->len, off, 2) ? le16(t->p + off) : 0;
}

static u32 t32(const struct table *t, u32 off)
{
	return fits(t->len, off, 4) ? le32(t->p + off) : 0;
}

static u64 t64(const struct table *t, u32 off)
{
	return fits(t->len, off, 8) ? le64(t->p + off) : 0;
}

/* Returns the sum of len bytes modulo 256: 0 for a valid table (5.2.6). */
static u8 checksum(const u8 *p, u64 len)
{
	u8 sum = 0;

	while (len--)
		sum += *p++;
	return sum;
}

/* Maps len bytes at pa, refusing ranges that wrap; NULL if unreadable. */
static const u8 *map(const struct acpi_mem *m, u64 pa, u64 len)
{
	if (len == 0 || pa > U64_MAX - len)
		return NULL;
	return m->map(m->ctx, pa, len);
}

/* Copies n bytes of firmware text into dst (n + 1 bytes), '?' for junk. */
static void copy_text(char *dst, const u8 *src, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? (char)src[i] : '?';
	dst[n] = '\0';
}

/* The name a table goes by in messages: its signature, or the usual name. */
static const char *table_name(const char *sig)
{
	if (strcmp(sig, "APIC") == 0)
		return "MADT";
	if (strcmp(sig, "FACP") == 0)
		return "FADT";
	return sig;
}

/*
 * Maps and checks the table at pa (5.2.6): readable, signature sig, length
 * between min_len (at least the header) and TABLE_MAX_LEN, bytes summing to
 * zero. Returns true with *t filled; otherwise warns
 * "acpi: <name> at <pa>: <reason>; <consequence>" and returns false.
 */
static __init bool table_get(const struct acpi_mem *m, u64 pa, const char *sig,
			     u32 min_len, const char *consequence,
			     struct table *t)
{
	const char *name = table_name(sig);
	char found[5];
	const u8 *p;
	u32 len;

	p = map(m, pa, HDR_LEN);
	if (!p) {
		acpi_warn("%s at 0x%lx: not readable; %s\n", name, pa,
			  consequence);
		return false;
	}
	if (memcmp(p + HDR_SIGNATURE, sig, 4) != 0) {
		copy_text(found, p + HDR_SIGNATURE, 4);
		acpi_warn("%s at 0x%lx: signature is \"%s\", not \"%s\"; %s\n",
			  name, pa, found, sig, consequence);
		return false;
	}
	len = le32(p + HDR_LENGTH);
	if (len < min_len) {
		acpi_warn(
			"%s at 0x%lx: length %u is below the minimum of %u; %s\n",
			name, pa, len, min_len, consequence);
		return false;
	}
	if (len > TABLE_MAX_LEN) {
		acpi_warn(
			"%s at 0x%lx: length %u is implausible (over %u MiB); %s\n",
			name, pa, len, TABLE_MAX_LEN >> 20, consequence);
		return false;
	}
	p = map(m, pa, len);
	if (!p) {
		acpi_warn("%s at 0x%lx: its %u bytes are not readable; %s\n",
			  name, pa, len, consequence);
		return false;
	}
	/* The second mapping is the one we use: check what it says. */
	if (memcmp(p + HDR_SIGNATURE, sig, 4) != 0 ||
	    le32(p + HDR_LENGTH) != len) {
		acpi_warn("%s at 0x%lx: header changed between reads; %s\n",
			  name, pa, consequence);
		return false;
	}
	if (checksum(p, len) != 0) {
		acpi_warn("%s at 0x%lx: checksum bad; %s\n", name, pa,
			  consequence);
		return false;
	}
	*t = (struct table){.p = p, .len = len, .pa = pa, .name = name};
	return true;
}

/* ---------------------------------------------------------------------------
 * The RSDP (5.2.5)
 */

enum rsdp_verdict {
	RSDP_BAD,     /* not even the ACPI 1.0 part is valid */
	RSDP_V1_ONLY, /* revision 2+, but only the ACPI 1.0 part is valid */
	RSDP_GOOD,    /* valid for its revision */
};

/*
 * Checks the RSDP at r, of which len bytes are readable (5.2.5.3): the
 * signature and the checksum of the first 20 bytes always; for revision 2
 * and up also the Length field and the extended checksum over Length
 * bytes. *why says what failed for any verdict but RSDP_GOOD.
 */
static __init enum rsdp_verdict rsdp_check(const u8 *r, size_t len,
					   const char **why)
{
	u32 full;

	if (len < ACPI_RSDP_V1_LEN) {
		*why = "is shorter than 20 bytes";
		return RSDP_BAD;
	}
	if (memcmp(r, RSDP_SIGNATURE, 8) != 0) {
		*why = "has no \"RSD PTR \" signature";
		return RSDP_BAD;
	}
	if (checksum(r, ACPI_RSDP_V1_LEN) != 0) {
		*why = "checksum bad";
		return RSDP_BAD;
	}
	if (r[RSDP_REVISION] < RSDP_REVISION_V2)
		return RSDP_GOOD;
	if (len < ACPI_RSDP_V2_LEN) {
		*why = "only its 20-byte ACPI 1.0 part is available";
		return RSDP_V1_ONLY;
	}
	full = le32(r + RSDP_LENGTH);
	if (full < ACPI_RSDP_V2_LEN || full > RSDP_MAX_LEN) {
		*why = "Length field is implausible";
		return RSDP_V1_ONLY;
	}
	if (full > len) {
		*why = "Length field runs past the bytes available";
		return RSDP_V1_ONLY;
	}
	if (checksum(r, full) != 0) {
		*why = "extended checksum bad";
		return RSDP_V1_ONLY;
	}
	return RSDP_GOOD;
}

/*
 * Maps the RSDP at pa with as many bytes as its revision and Length field
 * call for (at least 20, at most RSDP_MAX_LEN); *len gets the count.
 * Returns NULL if not even 20 bytes are readable.
 */
static __init const u8 *rsdp_map(const struct acpi_mem *m, u64 pa, u32 *len)
{
	const u8 *r = map(m, pa, ACPI_RSDP_V1_LEN), *full;
	u32 want;

	*len = ACPI_RSDP_V1_LEN;
	if (!r || r[RSDP_REVISION] < RSDP_REVISION_V2)
		return r;
	full = map(m, pa, ACPI_RSDP_V2_LEN);
	if (!full)
		return r;
	*len = ACPI_RSDP_V2_LEN;
	want = le32(full + RSDP_LENGTH);
	if (want <= ACPI_RSDP_V2_LEN || want > RSDP_MAX_LEN)
		return full;
	r = map(m, pa, want);
	if (!r)
		return full;
	*len = want;
	return r;
}

/* True if a valid RSDP (for its revision) is at pa. */
static __init bool rsdp_valid_at(const struct acpi_mem *m, u64 pa)
{
	const char *why;
	u32 len;
	const u8 *r = rsdp_map(m, pa, &len);

	return r && rsdp_check(r, len, &why) == RSDP_GOOD;
}

/* Scans [start, start + len) on 16-byte boundaries; 0 and *pa if found. */
static __init int rsdp_scan(const struct acpi_mem *m, u64 start, u64 len,
			    u64 *pa)
{
	const u8 *area = map(m, start, len);
	u64 off;

	if (!area)
		return -ENOENT;
	for (off = 0; fits(len, off, ACPI_RSDP_V1_LEN); off += RSDP_ALIGN) {
		if (memcmp(area + off, RSDP_SIGNATURE, 8) != 0)
			continue;
		/* Map it on its own: a 2.0 RSDP may run past the area. */
		if (rsdp_valid_at(m, start + off)) {
			*pa = start + off;
			return 0;
		}
	}
	return -ENOENT;
}

int __init acpi_find_rsdp_bios(const struct acpi_mem *m, u64 *rsdp_pa)
{
	const u8 *word = map(m, BDA_EBDA_SEGMENT, 2);
	u64 ebda = word ? (u64)le16(word) << 4 : 0;

	if (ebda && ebda < EBDA_LIMIT &&
	    rsdp_scan(m, ebda, min((u64)EBDA_SCAN_LEN, EBDA_LIMIT - ebda),
		      rsdp_pa) == 0)
		return 0;
	return rsdp_scan(m, BIOS_ROM_START, BIOS_ROM_END - BIOS_ROM_START,
			 rsdp_pa);
}

/* ---------------------------------------------------------------------------
 * MADT (5.2.12)
 */

/* Shortest valid entry of each type we read (5.2.12.2 to 5.2.12.13). */
static const u8 madt_entry_min_len[MADT_NR_KNOWN_TYPES] = {
	[MADT_LAPIC] = 8,     [MADT_IOAPIC] = 12,
	[MADT_OVERRIDE] = 10, [MADT_NMI_SOURCE] = 8,
	[MADT_LAPIC_NMI] = 6, [MADT_LAPIC_OVERRIDE] = 12,
	[MADT_X2APIC] = 16,   [MADT_X2APIC_NMI] = 12,
};

/* One MADT entry: len bytes at offset off of the table, len >= 2. */
struct madt_entry {
	const struct table *t;
	u32 off;
	u8 type;
	u8 len;
};

/* Entry field readers, bounded by the entry (and so by the table). */
static u8 e8(const struct madt_entry *e, u32 off)
{
	return off < e->len ? t8(e->t, e->off + off) : 0;
}

static u16 e16(const struct madt_entry *e, u32 off)
{
	return fits(e->len, off, 2) ? t16(e->t, e->off + off) : 0;
}

static u32 e32(const struct madt_entry *e, u32 off)
{
	return fits(e->len, off, 4) ? t32(e->t, e->off + off) : 0;
}

static u64 e64(const struct madt_entry *e, u32 off)
{
	return fits(e->len, off, 8) ? t64(e->t, e->off + off) : 0;
}

/*
 * Adds the processor of a type-0 or type-9 entry: one that is neither
 * enabled nor online-capable cannot be used, ever (5.2.12.2), the invalid
 * ID is skipped, and a second entry for an APIC ID already listed is
 * dropped.
 */
static __init void madt_add_cpu(const struct madt_entry *e, u32 apic_id,
				u32 uid, u32 flags, struct acpi_info *out)
{
	bool x2apic = e->type == MADT_X2APIC;
	bool enabled = flags & LAPIC_ENABLED;
	/* The bit is reserved when Enabled is set (5.2.12.2). */
	bool online_capable = !enabled && (flags & LAPIC_ONLINE_CAPABLE);
	struct acpi_cpu *cpu;
	u32 i;

	if (!enabled && !online_capable) {
		out->nr_cpus_absent++;
		return;
	}
	if (apic_id == (x2apic ? X2APIC_INVALID_ID : XAPIC_INVALID_ID)) {
		acpi_warn(
			"MADT at 0x%lx: %s entry at offset %u has the invalid APIC ID %#x; entry skipped\n",
			e->t->pa, x2apic ? "x2APIC" : "local APIC", e->off,
			apic_id);
		return;
	}
	for (i = 0; i < out->nr_cpus; i++) {
		if (out->cpus[i].apic_id != apic_id)
			continue;
		acpi_warn(
			"MADT at 0x%lx: APIC ID %#x listed again by the entry at offset %u; that entry dropped\n",
			e->t->pa, apic_id, e->off);
		return;
	}
	if (out->nr_cpus == ACPI_MAX_CPUS) {
		out->nr_cpus_dropped++;
		return;
	}
	cpu = &out->cpus[out->nr_cpus++];
	cpu->apic_id = apic_id;
	cpu->uid = uid;
	cpu->enabled = enabled;
	cpu->online_capable = online_capable;
	cpu->x2apic_entry = x2apic;
	out->nr_cpus_enabled += enabled;
	out->nr_cpus_online_capable += online_capable;
}

static __init void madt_add_ioapic(const struct madt_entry *e,
				   struct acpi_info *out)
{
	struct acpi_ioapic *io;
	u32 addr = e32(e, 4);

	if (addr == 0) {
		acpi_warn(
			"MADT at 0x%lx: I/O APIC entry at offset %u has address 0; entry skipped\n",
			e->t->pa, e->off);
		return;
	}
	if (out->nr_ioapics == ACPI_MAX_IOAPICS) {
		out->nr_ioapics_dropped++;
		return;
	}
	io = &out->ioapics[out->nr_ioapics++];
	io->id = e8(e, 2);
	io->addr = addr;
	io->gsi_base = e32(e, 8);
}

static __init void madt_add_override(const struct madt_entry *e,
				     struct acpi_info *out)
{
	struct acpi_irq_override *o;

	if (out->nr_overrides == ACPI_MAX_OVERRIDES) {
		out->nr_overrides_dropped++;
		return;
	}
	o = &out->overrides[out->nr_overrides++];
	o->bus = e8(e, 2);
	o->irq = e8(e, 3);
	o->gsi = e32(e, 4);
	o->flags = e16(e, 8);
}

static __init void madt_add_nmi_source(const struct madt_entry *e,
				       struct acpi_info *out)
{
	struct acpi_nmi_source *n;

	if (out->nr_nmi_sources == ACPI_MAX_NMI_SOURCES) {
		out->nr_nmi_sources_dropped++;
		return;
	}
	n = &out->nmi_sources[out->nr_nmi_sources++];
	n->flags = e16(e, 2);
	n->gsi = e32(e, 4);
}

/* Types 4 and 0xa differ only in layout and in how they say "all". */
static __init void madt_add_lapic_nmi(const struct madt_entry *e,
				      struct acpi_info *out)
{
	struct acpi_lapic_nmi *n;
	u32 uid;
	u16 flags;
	u8 lint;

	if (e->type == MADT_LAPIC_NMI) {
		uid = e8(e, 2);
		if (uid == LAPIC_NMI_UID_ALL)
			uid = ACPI_UID_ALL;
		flags = e16(e, 3);
		lint = e8(e, 5);
	} else {
		flags = e16(e, 2);
		uid = e32(e, 4);
		lint = e8(e, 8);
	}
	if (lint > LINT_MAX) {
		acpi_warn(
			"MADT at 0x%lx: NMI entry at offset %u names LINT%u; entry skipped\n",
			e->t->pa, e->off, lint);
		return;
	}
	if (out->nr_lapic_nmis == ACPI_MAX_LAPIC_NMIS) {
		out->nr_lapic_nmis_dropped++;
		return;
	}
	n = &out->lapic_nmis[out->nr_lapic_nmis++];
	n->uid = uid;
	n->flags = flags;
	n->lint = lint;
}

/* 5.2.12.8: one 64-bit address replaces the header's 32-bit one. */
static __init void madt_lapic_override(const struct madt_entry *e,
				       struct acpi_info *out)
{
	if (out->lapic_addr_override) {
		acpi_warn(
			"MADT at 0x%lx: a second local APIC address override at offset %u; entry skipped\n",
			e->t->pa, e->off);
		return;
	}
	out->lapic_addr = e64(e, 4);
	out->lapic_addr_override = true;
}

static __init void madt_entry(const struct madt_entry *e, struct acpi_info *out)
{
	if (e->type >= MADT_NR_KNOWN_TYPES || !madt_entry_min_len[e->type])
		return; /* SAPIC, GIC and friends: not on this architecture */
	if (e->len < madt_entry_min_len[e->type]) {
		acpi_warn(
			"MADT at 0x%lx: type %u entry at offset %u is %u bytes, shorter than %u; entry skipped\n",
			e->t->pa, e->type, e->off, e->len,
			madt_entry_min_len[e->type]);
		return;
	}
	switch (e->type) {
	case MADT_LAPIC:
		madt_add_cpu(e, e8(e, 3), e8(e, 2), e32(e, 4), out);
		break;
	case MADT_X2APIC:
		madt_add_cpu(e, e32(e, 4), e32(e, 12), e32(e, 8), out);
		break;
	case MADT_IOAPIC:
		madt_add_ioapic(e, out);
		break;
	case MADT_OVERRIDE:
		madt_add_override(e, out);
		break;
	case MADT_NMI_SOURCE:
		madt_add_nmi_source(e, out);
		break;
	case MADT_LAPIC_NMI:
	case MADT_X2APIC_NMI:
		madt_add_lapic_nmi(e, out);
		break;
	case MADT_LAPIC_OVERRIDE:
		madt_lapic_override(e, out);
		break;
	}
}

/* Warns about what did not fit in one of the fixed arrays. */
static __init void report_dropped(const struct table *t, u32 dropped, u32 kept,
				  const char *what)
{
	if (dropped)
		acpi_warn("%s at 0x%lx: %u %s beyond the %u kept; ignored\n",
			  t->name, t->pa, dropped, what, kept);
}

static __init bool madt_parse(const struct table *t, struct acpi_info *out)
{
	struct madt_entry e = {.t = t};
	u32 off;

	out->madt_present = true;
	out->lapic_addr = t32(t, MADT_LAPIC_ADDR);
	out->pcat_compat = t32(t, MADT_FLAGS) & MADT_PCAT_COMPAT;
	for (off = MADT_ENTRIES; off < t->len; off += e.len) {
		if (!fits(t->len, off, ENTRY_HDR_LEN)) {
			acpi_warn(
				"MADT at 0x%lx: entry at offset %u is cut off by the end of the table; walk ended\n",
				t->pa, off);
			break;
		}
		e.off = off;
		e.type = t8(t, off);
		e.len = t8(t, off + 1);
		if (e.len < ENTRY_HDR_LEN) {
			acpi_warn(
				"MADT at 0x%lx: entry at offset %u (type %u) has length %u; walk ended\n",
				t->pa, off, e.type, e.len);
			break;
		}
		if (!fits(t->len, off, e.len)) {
			acpi_warn(
				"MADT at 0x%lx: entry at offset %u (type %u, length %u) runs past the end of the table (%u bytes); walk ended\n",
				t->pa, off, e.type, e.len, t->len);
			break;
		}
		madt_entry(&e, out);
	}
	report_dropped(t, out->nr_cpus_dropped, ACPI_MAX_CPUS, "CPUs");
	report_dropped(t, out->nr_ioapics_dropped, ACPI_MAX_IOAPICS,
		       "I/O APICs");
	report_dropped(t, out->nr_overrides_dropped, ACPI_MAX_OVERRIDES,
		       "interrupt source overrides");
	report_dropped(t, out->nr_nmi_sources_dropped, ACPI_MAX_NMI_SOURCES,
		       "NMI sources");
	report_dropped(t, out->nr_lapic_nmis_dropped, ACPI_MAX_LAPIC_NMIS,
		       "local APIC NMI entries");
	return true;
}

/* ---------------------------------------------------------------------------
 * HPET (IA-PC HPET Specification 1.0a, 3.2.4)
 */

static __init bool hpet_parse(const struct table *t, struct acpi_info *out)
{
	struct acpi_hpet_info *h = &out->hpet;
	u8 space = t8(t, HPET_BASE_GAS + GAS_SPACE_ID);
	u64 addr = t64(t, HPET_BASE_GAS + GAS_ADDRESS);
	u32 id = t32(t, HPET_BLOCK_ID);

	/* The timer block's registers are memory-mapped (HPET spec 2.3). */
	if (space != GAS_SPACE_MEMORY) {
		acpi_warn(
			"HPET at 0x%lx: base address is in address space %u, not system memory; table ignored\n",
			t->pa, space);
		return false;
	}
	if (addr == 0) {
		acpi_warn("HPET at 0x%lx: base address is 0; table ignored\n",
			  t->pa);
		return false;
	}
	if (h->present) {
		h->nr_extra++;
		pr_info("ACPI: HPET #%u at 0x%lx not used (only the first one is)\n",
			t8(t, HPET_NUMBER), addr);
		return true;
	}
	h->present = true;
	h->address = addr;
	h->hw_rev = id & HPET_ID_REV_MASK;
	h->comparators =
		((id >> HPET_ID_NUM_TIM_SHIFT) & HPET_ID_NUM_TIM_MASK) + 1;
	h->counter_64bit = id & HPET_ID_COUNT_SIZE;
	h->legacy_replacement = id & HPET_ID_LEGACY_ROUTE;
	h->pci_vendor = id >> HPET_ID_VENDOR_SHIFT;
	h->number = t8(t, HPET_NUMBER);
	h->min_tick = t16(t, HPET_MIN_TICK);
	h->page_protection = t8(t, HPET_PAGE_PROTECTION);
	return true;
}

/* ---------------------------------------------------------------------------
 * FADT (5.2.9): the table grew with every revision, so its length decides
 * which fields exist.
 */

/*
 * Picks the PM timer's port (4.8.3.3): X_PM_TMR_BLK if present and an I/O
 * port, since it supersedes PM_TMR_BLK (5.2.9), else PM_TMR_BLK; either
 * way PM_TMR_LEN must be 4.
 */
static __init void fadt_pm_timer(const struct table *t,
				 struct acpi_fadt_info *f)
{
	u32 blk =
		fits(t->len, FADT_PM_TMR_BLK, 4) ? t32(t, FADT_PM_TMR_BLK) : 0;
	u8 len = t8(t, FADT_PM_TMR_LEN);
	u64 x_addr = 0;
	u8 x_space = 0;

	if (fits(t->len, FADT_X_PM_TMR_BLK, GAS_LEN)) {
		x_space = t8(t, FADT_X_PM_TMR_BLK + GAS_SPACE_ID);
		x_addr = t64(t, FADT_X_PM_TMR_BLK + GAS_ADDRESS);
	}
	if (x_addr && x_space == GAS_SPACE_IO && x_addr <= IO_PORT_MAX) {
		if (blk && blk != x_addr)
			acpi_warn(
				"FADT at 0x%lx: X_PM_TMR_BLK (0x%lx) and PM_TMR_BLK (0x%x) differ; using X_PM_TMR_BLK\n",
				t->pa, x_addr, blk);
		f->pm_timer_port = (u16)x_addr;
		f->pm_timer_from_x = true;
	} else {
		if (x_addr)
			acpi_warn(
				"FADT at 0x%lx: X_PM_TMR_BLK 0x%lx in address space %u is not an I/O port; using PM_TMR_BLK\n",
				t->pa, x_addr, x_space);
		if (blk > IO_PORT_MAX) {
			acpi_warn(
				"FADT at 0x%lx: PM_TMR_BLK 0x%x is not an I/O port; no PM timer\n",
				t->pa, blk);
			blk = 0;
		}
		f->pm_timer_port = (u16)blk;
	}
	if (f->pm_timer_port && len != FADT_PM_TMR_LEN_OK) {
		acpi_warn(
			"FADT at 0x%lx: PM_TMR_LEN is %u, not 4; no PM timer\n",
			t->pa, len);
		f->pm_timer_port = 0;
		f->pm_timer_from_x = false;
	}
}

static __init bool fadt_parse(const struct table *t, struct acpi_info *out)
{
	struct acpi_fadt_info *f = &out->fadt;

	f->present = true;
	f->revision = t8(t, HDR_REVISION);
	f->length = t->len;
	f->sci_irq = t16(t, FADT_SCI_INT);
	f->century = t8(t, FADT_CENTURY);
	f->flags = t32(t, FADT_FLAGS);
	f->hw_reduced = f->flags & FADT_HW_REDUCED_ACPI;
	f->pm_timer_32bit = f->flags & FADT_TMR_VAL_EXT;

	f->boot_arch_valid = f->revision >= FADT_BOOT_ARCH_REV &&
			     fits(t->len, FADT_IAPC_BOOT_ARCH, 2);
	if (f->boot_arch_valid) {
		f->boot_arch = t16(t, FADT_IAPC_BOOT_ARCH);
		f->legacy_devices = f->boot_arch & BOOT_ARCH_LEGACY_DEVICES;
		f->i8042 = f->boot_arch & BOOT_ARCH_8042;
		f->vga_not_present = f->boot_arch & BOOT_ARCH_VGA_NOT_PRESENT;
		f->cmos_rtc_not_present =
			f->boot_arch & BOOT_ARCH_CMOS_RTC_NOT_PRESENT;
	} else {
		/* What every PC had before the field existed. */
		f->legacy_devices = true;
		f->i8042 = true;
	}

	/* Hardware-reduced platforms have no fixed hardware (4.1). */
	if (!f->hw_reduced)
		fadt_pm_timer(t, f);
	if (!f->pm_timer_port)
		f->pm_timer_32bit = false;
	return true;
}

/* ---------------------------------------------------------------------------
 * MCFG (PCI Firmware Specification 3.3, 4.1.2)
 */

static __init bool mcfg_parse(const struct table *t, struct acpi_info *out)
{
	u32 off, stray = (t->len - MCFG_ENTRIES) % MCFG_ENTRY_LEN;

	out->mcfg_present = true;
	if (stray)
		acpi_warn(
			"MCFG at 0x%lx: %u stray bytes after the last allocation; ignored\n",
			t->pa, stray);
	for (off = MCFG_ENTRIES; fits(t->len, off, MCFG_ENTRY_LEN);
	     off += MCFG_ENTRY_LEN) {
		struct acpi_mcfg_region r = {
			.base = t64(t, off + MCFG_ENTRY_BASE),
			.segment = t16(t, off + MCFG_ENTRY_SEGMENT),
			.bus_start = t8(t, off + MCFG_ENTRY_BUS_START),
			.bus_end = t8(t, off + MCFG_ENTRY_BUS_END),
		};

		if (r.base == 0 || r.bus_start > r.bus_end) {
			acpi_warn(
				"MCFG at 0x%lx: allocation at offset %u (base 0x%lx, buses 0x%02x-0x%02x) is malformed; skipped\n",
				t->pa, off, r.base, r.bus_start, r.bus_end);
			continue;
		}
		if (out->nr_mcfg == ACPI_MAX_MCFG) {
			out->nr_mcfg_dropped++;
			continue;
		}
		out->mcfg[out->nr_mcfg++] = r;
	}
	report_dropped(t, out->nr_mcfg_dropped, ACPI_MAX_MCFG, "ECAM regions");
	return true;
}

/* ---------------------------------------------------------------------------
 * The root table and the walk
 */

/* The tables we parse; the others are listed but never read past the header. */
static const struct table_parser {
	const char *sig;
	u32 min_len;
	bool (*parse)(const struct table *t, struct acpi_info *out);
} table_parsers[] = {
	{"APIC", MADT_ENTRIES, madt_parse},
	{"FACP", HDR_LEN, fadt_parse},
	{"HPET", HPET_LEN, hpet_parse},
	{"MCFG", MCFG_ENTRIES, mcfg_parse},
};

/* True if a table of this kind was already taken (a second HPET is fine). */
static __init bool already_have(const char *sig, const struct acpi_info *out)
{
	if (strcmp(sig, "APIC") == 0)
		return out->madt_present;
	if (strcmp(sig, "FACP") == 0)
		return out->fadt.present;
	if (strcmp(sig, "MCFG") == 0)
		return out->mcfg_present;
	return false;
}

/* Looks at the index-th table the root table lists, at pa. */
static __init void table_visit(const struct acpi_mem *m, u64 pa, u32 index,
			       struct acpi_info *out)
{
	struct acpi_table_ref scratch, *ref = &scratch;
	const struct table_parser *tp = NULL;
	const u8 *hdr = pa ? map(m, pa, HDR_LEN) : NULL;
	struct table t;
	unsigned int i;

	if (index < ACPI_MAX_TABLES)
		ref = &out->tables[index];
	memset(ref, 0, sizeof(*ref));
	ref->pa = pa;
	if (!hdr) {
		memcpy(ref->sig, "????", sizeof(ref->sig));
		ref->ignored = true;
		acpi_warn(
			"table %u of the root table at 0x%lx: not readable; ignored\n",
			index, pa);
		return;
	}
	copy_text(ref->sig, hdr + HDR_SIGNATURE, 4);
	ref->length = le32(hdr + HDR_LENGTH);
	ref->revision = hdr[HDR_REVISION];
	copy_text(ref->oem_id, hdr + HDR_OEMID, HDR_OEMID_LEN);

	for (i = 0; i < ARRAY_SIZE(table_parsers); i++)
		if (memcmp(hdr, table_parsers[i].sig, 4) == 0)
			tp = &table_parsers[i];
	if (!tp)
		return;
	if (already_have(tp->sig, out)) {
		acpi_warn("%s at 0x%lx: a second %s; table ignored\n",
			  table_name(tp->sig), pa, table_name(tp->sig));
		ref->ignored = true;
		return;
	}
	if (!table_get(m, pa, tp->sig, tp->min_len, "table ignored", &t) ||
	    !tp->parse(&t, out))
		ref->ignored = true;
}

/* Visits every table the root table lists (esize-byte addresses). */
static __init void root_walk(const struct acpi_mem *m, const struct table *root,
			     u32 esize, struct acpi_info *out)
{
	u32 n = (root->len - HDR_LEN) / esize, i;
	u32 stray = (root->len - HDR_LEN) % esize;

	if (stray)
		acpi_warn(
			"%s at 0x%lx: %u stray bytes after the last entry; ignored\n",
			root->name, root->pa, stray);
	out->nr_tables = n;
	if (n > ROOT_MAX_ENTRIES) {
		acpi_warn(
			"%s at 0x%lx: lists %u tables; only the first %u are looked at\n",
			root->name, root->pa, n, ROOT_MAX_ENTRIES);
		n = ROOT_MAX_ENTRIES;
	}
	for (i = 0; i < n; i++) {
		u32 off = HDR_LEN + i * esize;
		u64 pa = esize == XSDT_ENTRY_LEN ? t64(root, off)
						 : t32(root, off);

		table_visit(m, pa, i, out);
	}
}

int __init acpi_parse(const struct acpi_mem *m, const void *rsdp,
		      size_t rsdp_len, struct acpi_info *out)
{
	const u8 *r = rsdp;
	const char *why = NULL;
	enum rsdp_verdict verdict;
	struct table root;
	bool have_root = false;
	u64 xsdt = 0;
	u32 rsdt;

	memset(out, 0, sizeof(*out));
	verdict = r ? rsdp_check(r, rsdp_len, &why) : RSDP_BAD;
	if (verdict == RSDP_BAD) {
		acpi_warn("RSDP %s; no ACPI tables\n", r ? why : "missing");
		return -EINVAL;
	}
	out->rsdp_revision = r[RSDP_REVISION];
	copy_text(out->oem_id, r + RSDP_OEMID, RSDP_OEMID_LEN);
	rsdt = le32(r + RSDP_RSDT);
	if (verdict == RSDP_V1_ONLY)
		acpi_warn("RSDP revision %u: %s; using the RSDT\n",
			  out->rsdp_revision, why);
	else if (out->rsdp_revision >= RSDP_REVISION_V2)
		xsdt = le64(r + RSDP_XSDT);

	/* 5.2.5.3: on ACPI 2.0 and later the XSDT supersedes the RSDT. */
	if (xsdt)
		have_root = table_get(m, xsdt, "XSDT", HDR_LEN,
				      rsdt ? "falling back to the RSDT"
					   : "and there is no RSDT",
				      &root);
	if (have_root) {
		out->root_is_xsdt = true;
	} else if (rsdt) {
		have_root = table_get(m, rsdt, "RSDT", HDR_LEN,
				      "no ACPI tables", &root);
	} else if (!xsdt) {
		acpi_warn("RSDP lists no root table; no ACPI tables\n");
	}
	if (!have_root)
		return -EINVAL;
	out->root_pa = root.pa;
	root_walk(m, &root, out->root_is_xsdt ? XSDT_ENTRY_LEN : RSDT_ENTRY_LEN,
		  out);
	return 0;
}

int __init acpi_parse_at(const struct acpi_mem *m, u64 rsdp_pa,
			 struct acpi_info *out)
{
	u32 len;
	const u8 *r = rsdp_map(m, rsdp_pa, &len);
	int err;

	if (!r) {
		memset(out, 0, sizeof(*out));
		acpi_warn("RSDP at 0x%lx: not readable; no ACPI tables\n",
			  rsdp_pa);
		return -EFAULT;
	}
	err = acpi_parse(m, r, len, out);
	out->rsdp_pa = rsdp_pa;
	return err;
}

/* ---------------------------------------------------------------------------
 * The boot log
 */

static const char *plural(u32 n)
{
	return n == 1 ? "" : "s";
}

static __init const char *rsdp_source_name(enum acpi_rsdp_source s)
{
	switch (s) {
	case ACPI_RSDP_MB2_V1:
		return "the multiboot2 ACPI 1.0 tag";
	case ACPI_RSDP_MB2_V2:
		return "the multiboot2 ACPI 2.0 tag";
	case ACPI_RSDP_BIOS:
		return "the BIOS area";
	case ACPI_RSDP_EFI_V1:
		return "the EFI system table (ACPI 1.0 GUID)";
	case ACPI_RSDP_EFI_V2:
		return "the EFI system table (ACPI 2.0 GUID)";
	default:
		return "the caller";
	}
}

static __init void print_root(const struct acpi_info *info)
{
	char list[ACPI_MAX_TABLES * sizeof("XXXX(ignored) ")];
	char where[32] = "";
	size_t used = 0;
	u32 i;

	list[0] = '\0';
	for (i = 0; i < min(info->nr_tables, (u32)ACPI_MAX_TABLES); i++) {
		const struct acpi_table_ref *ref = &info->tables[i];
		int n = snprintf(list + used, sizeof(list) - used, " %s%s",
				 ref->sig, ref->ignored ? "(ignored)" : "");

		if (n < 0 || (size_t)n >= sizeof(list) - used)
			break;
		used += n;
	}
	if (info->rsdp_pa)
		snprintf(where, sizeof(where), " at 0x%lx", info->rsdp_pa);
	pr_info("ACPI: RSDP revision %u (OEM %s) from %s%s\n",
		info->rsdp_revision, info->oem_id,
		rsdp_source_name(info->rsdp_source), where);
	pr_info("ACPI: %s at 0x%lx lists %u table%s:%s%s\n",
		info->root_is_xsdt ? "XSDT" : "RSDT", info->root_pa,
		info->nr_tables, plural(info->nr_tables), list,
		info->nr_tables > ACPI_MAX_TABLES ? " ..." : "");
}

static __init void print_madt(const struct acpi_info *info)
{
	char capable[32] = "", absent[40] = "";
	u32 i;

	if (!info->madt_present) {
		pr_warn("ACPI: no MADT: one CPU, no I/O APIC\n");
		return;
	}
	if (info->nr_cpus_online_capable)
		snprintf(capable, sizeof(capable), ", %u online-capable",
			 info->nr_cpus_online_capable);
	if (info->nr_cpus_absent)
		snprintf(absent, sizeof(absent), "; %u more not present",
			 info->nr_cpus_absent);
	pr_info("ACPI: MADT: %u CPU%s (%u enabled%s%s), %u I/O APIC%s, %u override%s, LAPIC at 0x%lx%s\n",
		info->nr_cpus, plural(info->nr_cpus), info->nr_cpus_enabled,
		capable, absent, info->nr_ioapics, plural(info->nr_ioapics),
		info->nr_overrides, plural(info->nr_overrides),
		info->lapic_addr, info->pcat_compat ? ", 8259 PICs" : "");
	for (i = 0; i < info->nr_ioapics; i++)
		pr_debug("ACPI:   I/O APIC %u at 0x%x, GSI %u+\n",
			 info->ioapics[i].id, info->ioapics[i].addr,
			 info->ioapics[i].gsi_base);
	for (i = 0; i < info->nr_overrides; i++)
		pr_debug("ACPI:   bus %u IRQ %u -> GSI %u, flags %#x\n",
			 info->overrides[i].bus, info->overrides[i].irq,
			 info->overrides[i].gsi, info->overrides[i].flags);
	for (i = 0; i < info->nr_nmi_sources; i++)
		pr_debug("ACPI:   NMI source GSI %u, flags %#x\n",
			 info->nmi_sources[i].gsi, info->nmi_sources[i].flags);
	for (i = 0; i < info->nr_lapic_nmis; i++)
		pr_debug("ACPI:   NMI on LINT%u of UID %#x, flags %#x\n",
			 info->lapic_nmis[i].lint, info->lapic_nmis[i].uid,
			 info->lapic_nmis[i].flags);
}

static __init void print_fadt(const struct acpi_fadt_info *f)
{
	if (!f->present) {
		pr_warn("ACPI: no FADT: no PM timer\n");
		return;
	}
	if (f->pm_timer_port)
		pr_info("ACPI: FADT: PM timer at port %#x, %u-bit%s\n",
			f->pm_timer_port, f->pm_timer_32bit ? 32 : 24,
			f->hw_reduced ? ", hardware-reduced" : "");
	else
		pr_info("ACPI: FADT: no PM timer%s\n",
			f->hw_reduced ? " (hardware-reduced ACPI)" : "");
	pr_debug(
		"ACPI:   FADT revision %u, %u bytes, SCI %u, century %#x, boot flags %#x%s\n",
		f->revision, f->length, f->sci_irq, f->century, f->boot_arch,
		f->boot_arch_valid ? "" : " (absent)");
}

void __init acpi_info_print(const struct acpi_info *info)
{
	const struct acpi_hpet_info *h = &info->hpet;
	u32 i;

	print_root(info);
	print_madt(info);
	if (h->present)
		pr_info("ACPI: HPET at 0x%lx, %u comparator%s, %s\n",
			h->address, h->comparators, plural(h->comparators),
			h->counter_64bit ? "64-bit" : "32-bit");
	else
		pr_info("ACPI: no HPET\n");
	print_fadt(&info->fadt);
	if (info->mcfg_present)
		pr_info("ACPI: MCFG: %u ECAM region%s\n", info->nr_mcfg,
			plural(info->nr_mcfg));
	for (i = 0; i < info->nr_mcfg; i++)
		pr_info("ACPI:   segment %u, buses 0x%02x-0x%02x at 0x%lx\n",
			info->mcfg[i].segment, info->mcfg[i].bus_start,
			info->mcfg[i].bus_end, info->mcfg[i].base);
}
