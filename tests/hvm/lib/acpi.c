#include "acpi.h"

#define RSDP_AREA_START 0xe0000
#define RSDP_AREA_END	0x100000
#define RSDP_V1_LENGTH	20

struct acpi_rsdp {
	char signature[8]; /* "RSD PTR " */
	u8 checksum;	   /* of the first 20 bytes */
	char oem_id[6];
	u8 revision;
	u32 rsdt;
	u32 length; /* revision >= 2 from here on */
	u64 xsdt;
	u8 extended_checksum;
	u8 reserved[3];
} __packed;

struct acpi_header {
	char signature[4];
	u32 length;
	u8 revision;
	u8 checksum;
	char oem_id[6];
	char oem_table_id[8];
	u32 oem_revision;
	u32 creator_id;
	u32 creator_revision;
} __packed;

/* The generic address structure (5.2.3.2). */
struct acpi_gas {
	u8 space_id; /* 0 system memory, 1 system I/O */
	u8 bit_width, bit_offset, access_size;
	u64 address;
} __packed;

#define GAS_SYSTEM_IO 1

/* FADT field offsets (table 5.9) and flags. */
#define FADT_SMI_CMD		48
#define FADT_PM1A_CNT_BLK	64
#define FADT_PM1B_CNT_BLK	68
#define FADT_PM_TMR_BLK		76
#define FADT_CENTURY		108
#define FADT_FLAGS		112
#define FADT_RESET_REG		116
#define FADT_X_PM_TMR_BLK	208
#define FADT_FLAG_TMR_VAL_EXT	(1U << 8)
#define FADT_FLAG_RESET_REG_SUP (1U << 10)

/* MADT entry types (table 5.21) and flags. */
#define MADT_LOCAL_APIC	    0
#define MADT_IO_APIC	    1
#define MADT_OVERRIDE	    2
#define MADT_LAPIC_OVERRIDE 5
#define MADT_LOCAL_X2APIC   9
#define MADT_CPU_ENABLED    0x1
#define MADT_ENTRIES_OFFSET 44 /* header, LAPIC address, flags */

struct acpi_info acpi;

static u8 checksum(const void *p, size_t len)
{
	const u8 *b = p;
	u8 sum = 0;

	while (len--)
		sum += *b++;
	return sum;
}

static void problem(const char *what, const struct acpi_header *h)
{
	size_t n = strlen(acpi.problems);

	snprintf(acpi.problems + n, sizeof(acpi.problems) - n, "%s%.4s %s",
		 n ? "; " : "", h ? h->signature : "", what);
}

static u8 read8(const struct acpi_header *h, unsigned int off)
{
	return ((const u8 *)h)[off];
}

static u32 read32(const struct acpi_header *h, unsigned int off)
{
	u32 v;

	memcpy(&v, (const u8 *)h + off, sizeof(v));
	return v;
}

static void add_cpu(u8 type, u32 apic_id, u32 uid, u32 flags)
{
	struct acpi_cpu *c;

	if (type == MADT_LOCAL_APIC)
		acpi.nr_type0++;
	else
		acpi.nr_type9++;
	if (acpi.nr_cpus == ACPI_MAX_CPUS)
		return;
	c = &acpi.cpus[acpi.nr_cpus++];
	*c = (struct acpi_cpu){.apic_id = apic_id,
			       .uid = uid,
			       .type = type,
			       .enabled = flags & MADT_CPU_ENABLED};
	acpi.nr_enabled += c->enabled;
}

/* An I/O APIC entry: the first one is kept, the others counted. */
static void add_ioapic(const struct acpi_header *h, unsigned int off)
{
	if (!acpi.nr_ioapics++) {
		acpi.ioapic_id = read8(h, off + 2);
		acpi.ioapic_address = read32(h, off + 4);
		acpi.ioapic_gsi_base = read32(h, off + 8);
	}
}

static void add_override(const struct acpi_header *h, unsigned int off)
{
	struct acpi_override *o;
	u16 flags;

	if (acpi.nr_overrides == ACPI_MAX_OVERRIDES) {
		problem("has more overrides than kept", h);
		return;
	}
	memcpy(&flags, (const u8 *)h + off + 8, sizeof(flags));
	o = &acpi.overrides[acpi.nr_overrides++];
	*o = (struct acpi_override){.bus = read8(h, off + 2),
				    .irq = read8(h, off + 3),
				    .flags = flags,
				    .gsi = read32(h, off + 4)};
}

static void parse_madt(const struct acpi_header *h)
{
	unsigned int off = MADT_ENTRIES_OFFSET;

	acpi.madt = true;
	acpi.lapic_address = read32(h, 36);
	while (off + 2 <= h->length) {
		u8 type = read8(h, off), len = read8(h, off + 1);

		if (len < 2 || off + len > h->length) {
			problem("has a malformed entry", h);
			return;
		}
		if (type == MADT_LOCAL_APIC && len >= 8)
			add_cpu(type, read8(h, off + 3), read8(h, off + 2),
				read32(h, off + 4));
		else if (type == MADT_LOCAL_X2APIC && len >= 16)
			add_cpu(type, read32(h, off + 4), read32(h, off + 12),
				read32(h, off + 8));
		else if (type == MADT_IO_APIC && len >= 12)
			add_ioapic(h, off);
		else if (type == MADT_OVERRIDE && len >= 10)
			add_override(h, off);
		else if (type == MADT_LAPIC_OVERRIDE && len >= 12)
			acpi.lapic_address = read32(h, off + 4) |
					     (u64)read32(h, off + 8) << 32;
		off += len;
	}
}

static u16 gas_port(const struct acpi_header *h, unsigned int off)
{
	struct acpi_gas g;

	if (off + sizeof(g) > h->length)
		return 0;
	memcpy(&g, (const u8 *)h + off, sizeof(g));
	return g.space_id == GAS_SYSTEM_IO && g.address < 0x10000
		       ? (u16)g.address
		       : 0;
}

static void parse_fadt(const struct acpi_header *h)
{
	u16 x_port;

	acpi.fadt = true;
	if (h->length < FADT_FLAGS + 4) {
		problem("is too short", h);
		return;
	}
	acpi.smi_cmd = (u16)read32(h, FADT_SMI_CMD);
	acpi.pm1a_cnt = (u16)read32(h, FADT_PM1A_CNT_BLK);
	acpi.pm1b_cnt = (u16)read32(h, FADT_PM1B_CNT_BLK);
	acpi.pm_timer_port = (u16)read32(h, FADT_PM_TMR_BLK);
	acpi.century_cmos = read8(h, FADT_CENTURY);
	acpi.pm_timer_32bit = read32(h, FADT_FLAGS) & FADT_FLAG_TMR_VAL_EXT;
	if (read32(h, FADT_FLAGS) & FADT_FLAG_RESET_REG_SUP)
		acpi.reset_port = gas_port(h, FADT_RESET_REG);
	/* ACPI 2.0+: X_PM_TMR_BLK, when set, takes precedence (5.2.9). */
	x_port = gas_port(h, FADT_X_PM_TMR_BLK);
	if (x_port) {
		acpi.pm_timer_from_x = x_port != acpi.pm_timer_port;
		acpi.pm_timer_port = x_port;
	}
}

static void parse_mcfg(const struct acpi_header *h)
{
	/* 36-byte header, 8 reserved, then 16-byte allocation entries. */
	if (h->length >= 44 + 16) {
		u64 base;

		memcpy(&base, (const u8 *)h + 44, sizeof(base));
		acpi.ecam_base = base;
		acpi.ecam_size =
			((u64)read8(h, 44 + 11) - read8(h, 44 + 10) + 1) << 20;
	}
}

static void parse_table(u64 addr)
{
	const struct acpi_header *h = (const struct acpi_header *)addr;

	if (addr == 0 || addr >= (1ULL << 32))
		return;
	if (acpi.nr_tables < ARRAY_SIZE(acpi.signatures)) {
		memcpy(acpi.signatures[acpi.nr_tables], h->signature, 4);
		acpi.signatures[acpi.nr_tables][4] = '\0';
	}
	acpi.nr_tables++;
	if (h->length < sizeof(*h) || checksum(h, h->length)) {
		problem("has a bad checksum or length", h);
		return;
	}
	if (!memcmp(h->signature, "APIC", 4))
		parse_madt(h);
	else if (!memcmp(h->signature, "FACP", 4))
		parse_fadt(h);
	else if (!memcmp(h->signature, "MCFG", 4))
		parse_mcfg(h);
	else if (!memcmp(h->signature, "HPET", 4) && h->length >= 52)
		memcpy(&acpi.hpet_address, (const u8 *)h + 44, 8);
}

static const struct acpi_rsdp *find_rsdp(void)
{
	u64 p;

	for (p = RSDP_AREA_START; p < RSDP_AREA_END; p += 16) {
		const struct acpi_rsdp *r = (const struct acpi_rsdp *)p;

		if (memcmp(r->signature, "RSD PTR ", 8) ||
		    checksum(r, RSDP_V1_LENGTH))
			continue;
		if (r->revision >= 2 &&
		    (r->length < sizeof(*r) || checksum(r, r->length)))
			continue;
		return r;
	}
	return NULL;
}

void acpi_init(void)
{
	const struct acpi_rsdp *r = find_rsdp();
	const struct acpi_header *root;
	unsigned int i, n, entry_size;

	if (!r)
		return;
	acpi.found = true;
	acpi.rsdp = (u64)r;
	acpi.revision = r->revision;
	memcpy(acpi.oem_id, r->oem_id, 6);
	acpi.xsdt = r->revision >= 2 && r->xsdt && r->xsdt < (1ULL << 32);
	root = (const struct acpi_header *)(acpi.xsdt ? r->xsdt : r->rsdt);
	entry_size = acpi.xsdt ? 8 : 4;
	if (root->length < sizeof(*root) || checksum(root, root->length)) {
		problem("has a bad checksum or length", root);
		return;
	}
	n = (root->length - (unsigned int)sizeof(*root)) / entry_size;
	for (i = 0; i < n; i++) {
		u64 addr = 0;

		memcpy(&addr, (const u8 *)root + sizeof(*root) + i * entry_size,
		       entry_size);
		parse_table(addr);
	}
}

const struct acpi_cpu *acpi_find_cpu(u32 apic_id)
{
	unsigned int i;

	for (i = 0; i < acpi.nr_cpus; i++)
		if (acpi.cpus[i].apic_id == apic_id)
			return &acpi.cpus[i];
	return NULL;
}

u32 acpi_isa_irq_gsi(u8 irq, u16 *flags)
{
	unsigned int i;

	for (i = 0; i < acpi.nr_overrides; i++)
		if (acpi.overrides[i].bus == 0 &&
		    acpi.overrides[i].irq == irq) {
			*flags = acpi.overrides[i].flags;
			return acpi.overrides[i].gsi;
		}
	*flags = 0;
	return irq;
}
