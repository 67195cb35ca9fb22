/*
 * The firmware-side data of an HVM domain's PC (asm/hvm/pc_platform.h):
 * the e820 memory map, the Multiboot (v1) information block and the ACPI
 * tables, each built into a buffer that stands for a guest-physical range.
 * ACPI section numbers refer to the ACPI Specification 6.5, Multiboot
 * ones to the Multiboot Specification 0.6.96.
 *
 * Buffers are written with memcpy() from local structures, so they need
 * no alignment; everything outside what was built is zeroed, so no stale
 * hypervisor bytes reach a guest.
 */
#include <asm/hvm/pc_platform.h>
#include <asm/hvm/platform.h>
#include <bzimage.h>
#include <compiler.h>
#include <errno.h>
#include <multiboot1_image.h>
#include <printk.h>
#include <reject.h>
#include <string.h>

#define FOUR_GIB (1ULL << 32)

/* ---- Helpers ------------------------------------------------------------ */

/* True if mem is a domain size the layout supports. */
static bool mem_valid(u64 mem)
{
	return mem >= HVM_MEM_MIN && mem <= HVM_MEM_MAX &&
	       IS_ALIGNED(mem, HVM_MEM_ALIGN);
}

static int check_mem(u64 mem, char *err, size_t errlen)
{
	if (!mem_valid(mem))
		return reject_reason(
			err, errlen,
			"domain memory %#lx: not a multiple of 4 KiB from 2 MiB to 3 GiB",
			mem);
	return 0;
}

/* ---- The memory map ------------------------------------------------------ */

int hvm_e820_build(u64 mem, struct hvm_e820_entry *out, unsigned int max)
{
	const struct hvm_e820_entry map[HVM_E820_NR_ENTRIES] = {
		{0, HVM_LOW_RAM_END, HVM_E820_RAM},
		{HVM_EBDA_START, HVM_EBDA_END - HVM_EBDA_START,
		 HVM_E820_RESERVED},
		{HVM_BIOS_START, HVM_BIOS_SIZE, HVM_E820_RESERVED},
		{HVM_HIGH_RAM_START, mem - HVM_HIGH_RAM_START, HVM_E820_RAM},
	};

	if (!mem_valid(mem))
		return -EINVAL;
	if (max < ARRAY_SIZE(map))
		return -ENOSPC;
	memcpy(out, map, sizeof(map));
	return ARRAY_SIZE(map);
}

/* ---- Multiboot (v1) ------------------------------------------------------ */

int hvm_mb1_load_limits(u64 mem, struct mb1_load_limits *out)
{
	const struct mb1_load_limits limits = {
		.mem = mem,
		.nr_holes = 4,
		.holes =
			{
				{HVM_MB1_INFO_START, HVM_MB1_INFO_END,
				 "the multiboot information region"},
				{HVM_EBDA_START, HVM_EBDA_END,
				 "the EBDA (reserved RAM)"},
				{HVM_VGA_HOLE_START, HVM_VGA_HOLE_END,
				 "the VGA and option-ROM hole (not RAM)"},
				{HVM_BIOS_START, HVM_BIOS_END,
				 "the BIOS area (ACPI tables)"},
			},
	};

	if (!mem_valid(mem))
		return -EINVAL;
	*out = limits;
	return 0;
}

/*
 * The block's layout in its region: struct mb1_info, the memory map (its
 * u64 fields 8-byte aligned), the boot loader name, the command line.
 */
#define MB1_MMAP_OFFSET ROUNDUP(sizeof(struct mb1_info), 8)
#define MB1_MMAP_LEN	(HVM_E820_NR_ENTRIES * sizeof(struct mb1_mmap_entry))
#define MB1_NAME_OFFSET (MB1_MMAP_OFFSET + MB1_MMAP_LEN)

/* True if [start, end) is inside the usable RAM of a domain of mem bytes. */
static bool in_usable_ram(u64 start, u64 end, u64 mem)
{
	return end <= HVM_LOW_RAM_END ||
	       (start >= HVM_HIGH_RAM_START && end <= mem);
}

static int check_region(size_t buflen, u32 gpa, u64 mem, char *err,
			size_t errlen)
{
	u64 end = (u64)gpa + buflen;

	if (buflen < MB1_NAME_OFFSET + 2)
		return reject_reason(
			err, errlen,
			"information region of %lu bytes: the block, its memory map and two strings need %lu",
			(u64)buflen, (u64)MB1_NAME_OFFSET + 2);
	if (gpa % 8)
		return reject_reason(
			err, errlen,
			"information region at %#x is not 8-byte aligned", gpa);
	if (buflen > FOUR_GIB || end > FOUR_GIB)
		return reject_reason(
			err, errlen,
			"information region [%#x, %#lx) crosses 4 GiB: Multiboot addresses are 32-bit",
			gpa, end);
	if (!in_usable_ram(gpa, end, mem))
		return reject_reason(
			err, errlen,
			"information region [%#x, %#lx) is not in usable RAM",
			gpa, end);
	return 0;
}

/* The e820 map in the 3.3 format; returns the bytes written. */
static u32 put_mmap(u8 *dst, u64 mem)
{
	struct hvm_e820_entry map[HVM_E820_NR_ENTRIES];
	int n = hvm_e820_build(mem, map, ARRAY_SIZE(map));
	struct mb1_mmap_entry e;
	int i;

	for (i = 0; i < n; i++) {
		e.size = MB1_MMAP_ENTRY_SIZE;
		e.base_addr = map[i].addr;
		e.length = map[i].size;
		e.type = map[i].type == HVM_E820_RAM ? MB1_MMAP_AVAILABLE
						     : MB1_MMAP_RESERVED;
		memcpy(dst + i * sizeof(e), &e, sizeof(e));
	}
	return n * sizeof(e);
}

int hvm_mb1_info_build(u8 *buf, size_t buflen, u32 region_gpa, u64 mem,
		       const char *cmdline, const char *loader_name,
		       u32 *info_gpa, char *err, size_t errlen)
{
	struct mb1_info info = {0};
	size_t name_len, cmdline_len, cmdline_off, room;
	int rc;

	if (errlen)
		err[0] = '\0';
	rc = check_mem(mem, err, errlen);
	if (!rc)
		rc = check_region(buflen, region_gpa, mem, err, errlen);
	if (rc)
		return rc;

	cmdline = cmdline ? cmdline : "";
	loader_name = loader_name ? loader_name : "";
	/* Lengths only up to what could fit: the strings may be anything. */
	room = buflen - MB1_NAME_OFFSET;
	name_len = strnlen(loader_name, room);
	if (name_len + 1 > room - 1)
		return reject_reason(
			err, errlen,
			"boot loader name does not fit: at most %lu bytes fit in the information region [%#x, %#lx) with an empty command line",
			(u64)room - 2, region_gpa, (u64)region_gpa + buflen);
	cmdline_off = MB1_NAME_OFFSET + name_len + 1;
	room = buflen - cmdline_off;
	cmdline_len = strnlen(cmdline, room);
	if (cmdline_len + 1 > room)
		return reject_reason(
			err, errlen,
			"command line does not fit: at most %lu bytes fit in the information region [%#x, %#lx) after the block, the memory map and the boot loader name",
			(u64)room - 1, region_gpa, (u64)region_gpa + buflen);

	memset(buf, 0, buflen);
	info.flags = MB1_INFO_MEMORY | MB1_INFO_CMDLINE | MB1_INFO_MODS |
		     MB1_INFO_MMAP | MB1_INFO_BOOT_LOADER_NAME;
	/* 3.3: KiB of lower memory from 0, of upper memory from 1 MiB. */
	info.mem_lower = HVM_LOW_RAM_END / 1024;
	info.mem_upper = (mem - HVM_HIGH_RAM_START) / 1024;
	info.cmdline = region_gpa + cmdline_off;
	info.mods_count = 0;
	info.mods_addr = 0;
	info.mmap_addr = region_gpa + MB1_MMAP_OFFSET;
	info.mmap_length = put_mmap(buf + MB1_MMAP_OFFSET, mem);
	info.boot_loader_name = region_gpa + MB1_NAME_OFFSET;
	memcpy(buf, &info, sizeof(info));
	memcpy(buf + MB1_NAME_OFFSET, loader_name, name_len);
	memcpy(buf + cmdline_off, cmdline, cmdline_len);
	*info_gpa = region_gpa;
	return 0;
}

/* ---- Linux ---------------------------------------------------------------- */

static void put_le(u8 *p, size_t off, u64 v, unsigned int bytes)
{
	unsigned int i;

	for (i = 0; i < bytes; i++)
		p[off + i] = (u8)(v >> (8 * i));
}

int hvm_linux_zero_page_build(u8 *zp, const u8 *image,
			      const struct bzimage_info *info, u64 mem,
			      u32 cmdline_gpa, u32 initrd_gpa, u32 initrd_size)
{
	struct hvm_e820_entry map[HVM_E820_NR_ENTRIES];
	int n = hvm_e820_build(mem, map, ARRAY_SIZE(map));

	BUILD_BUG_ON(sizeof(map[0]) != BZ_E820_ENTRY_SIZE);
	BUILD_BUG_ON(HVM_E820_NR_ENTRIES > BZ_ZP_E820_MAX);
	if (n < 0)
		return -EINVAL;
	memset(zp, 0, BZ_ZERO_PAGE_SIZE);
	/* boot.rst: copy the header whole, then fill in the loader's part. */
	memcpy(zp + BZ_SETUP_SECTS, image + BZ_SETUP_SECTS, info->header_len);
	zp[BZ_TYPE_OF_LOADER] = 0xff;
	put_le(zp, BZ_CMD_LINE_PTR, cmdline_gpa, 4);
	put_le(zp, BZ_RAMDISK_IMAGE, initrd_size ? initrd_gpa : 0, 4);
	put_le(zp, BZ_RAMDISK_SIZE, initrd_size, 4);
	put_le(zp, BZ_ZP_ACPI_RSDP_ADDR, HVM_RSDP_GPA, 8);
	zp[BZ_ZP_E820_ENTRIES] = (u8)n;
	memcpy(zp + BZ_ZP_E820_TABLE, map, n * sizeof(map[0]));
	return 0;
}

/* ---- ACPI tables: the area ------------------------------------------------- */

/*
 * The BIOS area being filled: buf stands for guest-physical [gpa, gpa +
 * its length); tables are placed one after the other from its start.
 */
struct area {
	u8 *buf;
	u32 gpa;
	size_t used; /* bytes placed so far */
};

/* Places len bytes at the next align-aligned offset; returns that offset. */
static size_t area_place(struct area *a, size_t len, size_t align)
{
	size_t start = ROUNDUP(a->used, align);

	a->used = start + len;
	return start;
}

/* The byte that makes the len bytes at p sum to zero (5.2.5.3, 5.2.6). */
static void set_checksum(u8 *p, size_t len, u8 *csum)
{
	u8 sum = 0;
	size_t i;

	*csum = 0;
	for (i = 0; i < len; i++)
		sum += p[i];
	*csum = (u8)-sum;
}

/* A table header (5.2.6); the checksum is set once the table is whole. */
static void fill_header(struct hvm_acpi_header *h, const char *sig, u32 len,
			u8 revision, const char *oem_id)
{
	memcpy(h->signature, sig, sizeof(h->signature));
	h->length = len;
	h->revision = revision;
	h->checksum = 0;
	memcpy(h->oem_id, oem_id, sizeof(h->oem_id));
	memcpy(h->oem_table_id, HVM_ACPI_OEM_TABLE_ID, sizeof(h->oem_table_id));
	h->oem_revision = HVM_ACPI_OEM_REVISION;
	memcpy(h->creator_id, HVM_ACPI_CREATOR_ID, sizeof(h->creator_id));
	h->creator_revision = HVM_ACPI_CREATOR_REVISION;
}

/* Sets the checksum of the whole table at off (its header's length). */
static void seal_table(struct area *a, size_t off)
{
	struct hvm_acpi_header h;

	memcpy(&h, a->buf + off, sizeof(h));
	set_checksum(
		a->buf + off, h.length,
		a->buf + off +
			__builtin_offsetof(struct hvm_acpi_header, checksum));
}

static u32 gpa_of(const struct area *a, size_t off)
{
	return a->gpa + (u32)off;
}

/* ---- ACPI tables: contents ------------------------------------------------- */

/*
 * The DSDT's definition block (5.2.11.1): one named object, in the
 * encoding of 20.2 "AML Grammar Definition":
 *
 *   Name (\_S5, Package (4) { SLP_TYP, SLP_TYP, 0, 0 })
 *
 * \_S5's package gives PM1a_CNT.SLP_TYP and PM1b_CNT.SLP_TYP for the
 * soft-off state, then two reserved entries (7.4.2 "\_Sx (System
 * States)"); there is no PM1b block, so its value is never written.
 */
static const u8 dsdt_aml[HVM_ACPI_DSDT_AML_LEN] = {
	/* DefName := NameOp NameString DataRefObject (20.2.5.1) */
	0x08, /* NameOp */
	/* NameString := RootChar NamePath, a NameSeg (20.2.2) */
	'\\',		    /* RootChar: the name is absolute */
	'_', 'S', '5', '_', /* NameSeg "_S5_" */
	/* DefPackage := PackageOp PkgLength NumElements PackageElementList
	 * (20.2.5.4, "Expression Opcodes Encoding") */
	0x12, /* PackageOp */
	0x08, /* PkgLength (20.2.4): 1 byte (bits 7-6 zero), counting
	       * itself, NumElements and 6 bytes of elements */
	0x04, /* NumElements := ByteData: 4 */
	0x0a, HVM_ACPI_S5_SLP_TYP, /* ByteConst := BytePrefix ByteData
				    * (20.2.3): PM1a_CNT.SLP_TYP */
	0x0a, HVM_ACPI_S5_SLP_TYP, /* ByteConst: PM1b_CNT.SLP_TYP (there is
				    * no PM1b block) */
	0x00,			   /* ZeroOp (20.2.3): reserved */
	0x00,			   /* ZeroOp: reserved */
};
/* SLP_TYP is a 3-bit field of PM1_CNT (4.8.3.2.1). */
BUILD_BUG_ON(HVM_ACPI_S5_SLP_TYP > 7);

/* The FADT's flags and IA-PC boot flags (5.2.9, 5.2.9.3). */
#define FADT_FLAGS                                             \
	(HVM_ACPI_FADT_WBINVD | HVM_ACPI_FADT_PROC_C1 |        \
	 HVM_ACPI_FADT_PWR_BUTTON | HVM_ACPI_FADT_SLP_BUTTON | \
	 HVM_ACPI_FADT_FIX_RTC | HVM_ACPI_FADT_RESET_REG_SUP)
#define FADT_BOOT_ARCH \
	(HVM_ACPI_BOOT_LEGACY_DEVICES | HVM_ACPI_BOOT_VGA_NOT_PRESENT)
/* 5.2.9: P_LVL2_LAT > 100 and P_LVL3_LAT > 1000 say "no C2", "no C3". */
#define FADT_NO_C2_LAT 101
#define FADT_NO_C3_LAT 1001

/* A register block in system I/O space (5.2.3.2). */
static struct hvm_acpi_gas io_gas(u16 port, u8 len, u8 access_size)
{
	return (struct hvm_acpi_gas){
		.space_id = HVM_ACPI_GAS_SYSTEM_IO,
		.bit_width = len * 8,
		.bit_offset = 0,
		.access_size = access_size,
		.address = port,
	};
}

static void put_fadt(struct area *a, size_t off, u32 facs, u32 dsdt,
		     const char *oem_id)
{
	struct hvm_acpi_fadt f;

	memset(&f, 0, sizeof(f));
	fill_header(&f.header, "FACP", sizeof(f), HVM_ACPI_FADT_REVISION,
		    oem_id);
	/*
	 * 5.2.9: "If the FIRMWARE_CTRL field contains a non zero value then
	 * [X_FIRMWARE_CTRL] must be zero": the FACS is below 4 GiB, so only
	 * the 32-bit field is set. Both DSDT fields may name the table.
	 */
	f.firmware_ctrl = facs;
	f.x_firmware_ctrl = 0;
	f.dsdt = dsdt;
	f.x_dsdt = dsdt;
	f.sci_int = HVM_SCI_IRQ;
	/* No SMI command port: ACPI mode is always on (SCI_EN reads 1). */
	f.smi_cmd = 0;
	f.pm1a_evt_blk = HVM_PM1A_EVT_BLK;
	f.pm1a_cnt_blk = HVM_PM1A_CNT_BLK;
	f.pm_tmr_blk = HVM_PM_TMR_BLK;
	f.pm1_evt_len = HVM_PM1_EVT_LEN;
	f.pm1_cnt_len = HVM_PM1_CNT_LEN;
	f.pm_tmr_len = HVM_PM_TMR_LEN;
	f.p_lvl2_lat = FADT_NO_C2_LAT;
	f.p_lvl3_lat = FADT_NO_C3_LAT;
	f.iapc_boot_arch = FADT_BOOT_ARCH;
	f.flags = FADT_FLAGS;
	f.minor_version = HVM_ACPI_FADT_MINOR;
	/* PM1 registers are 16-bit (4.8.3.1, 4.8.3.2), the timer 32-bit. */
	f.x_pm1a_evt_blk = io_gas(HVM_PM1A_EVT_BLK, HVM_PM1_EVT_LEN,
				  HVM_ACPI_GAS_ACCESS_U16);
	f.x_pm1a_cnt_blk = io_gas(HVM_PM1A_CNT_BLK, HVM_PM1_CNT_LEN,
				  HVM_ACPI_GAS_ACCESS_U16);
	f.x_pm_tmr_blk =
		io_gas(HVM_PM_TMR_BLK, HVM_PM_TMR_LEN, HVM_ACPI_GAS_ACCESS_U32);
	f.reset_reg = io_gas(HVM_RESET_PORT, 1, HVM_ACPI_GAS_ACCESS_U8);
	f.reset_value = HVM_RESET_VALUE;
	/* 5.2.9: eight bytes of vendor identity, all of them significant. */
	memcpy(&f.hypervisor_vendor_id, "KAIROS\0\0", 8);
	memcpy(a->buf + off, &f, sizeof(f));
	seal_table(a, off);
}

static void put_facs(struct area *a, size_t off)
{
	struct hvm_acpi_facs facs;

	memset(&facs, 0, sizeof(facs));
	memcpy(facs.signature, "FACS", sizeof(facs.signature));
	facs.length = sizeof(facs);
	facs.version = HVM_ACPI_FACS_VERSION;
	/* 5.2.10: the FACS has no checksum. */
	memcpy(a->buf + off, &facs, sizeof(facs));
}

static void put_dsdt(struct area *a, size_t off, const char *oem_id)
{
	struct hvm_acpi_header h;

	fill_header(&h, "DSDT", sizeof(h) + sizeof(dsdt_aml),
		    HVM_ACPI_DSDT_REVISION, oem_id);
	memcpy(a->buf + off, &h, sizeof(h));
	memcpy(a->buf + off + sizeof(h), dsdt_aml, sizeof(dsdt_aml));
	seal_table(a, off);
}

/* The MADT's entries before the CPUs': the I/O APIC and the override. */
#define MADT_FIXED_LEN                         \
	(sizeof(struct hvm_acpi_madt_ioapic) + \
	 sizeof(struct hvm_acpi_madt_override))

/*
 * The I/O APIC, then the SCI's override: the SCI is level-triggered,
 * unlike an ISA IRQ (5.2.12.5), and active high as QEMU's, so that an OS
 * programs its pin as the emulation drives it (the lines are logical:
 * vioapic.h). Returns the bytes written.
 */
static size_t put_madt_interrupts(u8 *p)
{
	const struct hvm_acpi_madt_ioapic io = {
		.type = HVM_ACPI_MADT_IOAPIC,
		.length = sizeof(io),
		.ioapic_id = HVM_IOAPIC_ID,
		.address = HVM_IOAPIC_BASE,
		.gsi_base = HVM_IOAPIC_GSI_BASE,
	};
	const struct hvm_acpi_madt_override sci = {
		.type = HVM_ACPI_MADT_OVERRIDE,
		.length = sizeof(sci),
		.bus = HVM_ACPI_MADT_BUS_ISA,
		.source = HVM_SCI_IRQ,
		.gsi = HVM_SCI_IRQ,
		.flags = HVM_ACPI_MPS_ACTIVE_HIGH | HVM_ACPI_MPS_TRIGGER_LEVEL,
	};

	memcpy(p, &io, sizeof(io));
	memcpy(p + sizeof(io), &sci, sizeof(sci));
	BUILD_BUG_ON(sizeof(io) + sizeof(sci) != MADT_FIXED_LEN);
	return sizeof(io) + sizeof(sci);
}

static void put_madt(struct area *a, size_t off, unsigned int nr_vcpus,
		     const char *oem_id)
{
	struct hvm_acpi_madt m;
	struct hvm_acpi_madt_x2apic e;
	size_t at = off + sizeof(m);
	unsigned int i;

	memset(&m, 0, sizeof(m));
	fill_header(&m.header, "APIC",
		    sizeof(m) + MADT_FIXED_LEN +
			    nr_vcpus * sizeof(struct hvm_acpi_madt_x2apic),
		    HVM_ACPI_MADT_REVISION, oem_id);
	m.lapic_address = HVM_LAPIC_BASE;
	m.flags = 0; /* no PCAT_COMPAT: there are no 8259 PICs */
	memcpy(a->buf + off, &m, sizeof(m));
	at += put_madt_interrupts(a->buf + at);
	for (i = 0; i < nr_vcpus; i++) {
		e = (struct hvm_acpi_madt_x2apic){
			.type = HVM_ACPI_MADT_X2APIC,
			.length = sizeof(e),
			.x2apic_id = i,
			.flags = HVM_ACPI_MADT_ENABLED,
			.uid = i,
		};
		memcpy(a->buf + at + i * sizeof(e), &e, sizeof(e));
	}
	seal_table(a, off);
}

/* RSDT (5.2.7, 32-bit entries) or XSDT (5.2.8, 64-bit), listing n tables. */
static void put_root(struct area *a, size_t off, const char *sig,
		     size_t entry_len, const u32 *tables, unsigned int n,
		     const char *oem_id)
{
	struct hvm_acpi_header h;
	unsigned int i;

	fill_header(&h, sig, sizeof(h) + n * entry_len, 1, oem_id);
	memcpy(a->buf + off, &h, sizeof(h));
	for (i = 0; i < n; i++) {
		u64 v = tables[i]; /* little-endian: the low bytes first */

		memcpy(a->buf + off + sizeof(h) + i * entry_len, &v, entry_len);
	}
	seal_table(a, off);
}

static void put_rsdp(struct area *a, size_t off, u32 rsdt, u32 xsdt,
		     const char *oem_id)
{
	struct hvm_acpi_rsdp r;
	u8 *p = a->buf + off;

	memset(&r, 0, sizeof(r));
	memcpy(r.signature, "RSD PTR ", sizeof(r.signature));
	memcpy(r.oem_id, oem_id, sizeof(r.oem_id));
	r.revision = HVM_ACPI_RSDP_REVISION;
	r.rsdt_address = rsdt;
	r.length = sizeof(r);
	r.xsdt_address = xsdt;
	memcpy(p, &r, sizeof(r));
	/* 5.2.5.3: the first 20 bytes sum to 0, then all 36. */
	set_checksum(p, 20,
		     p + __builtin_offsetof(struct hvm_acpi_rsdp, checksum));
	set_checksum(p, sizeof(r),
		     p + __builtin_offsetof(struct hvm_acpi_rsdp,
					    extended_checksum));
}

/* The OEM ID as the tables carry it: 6 bytes, space padded. */
static int make_oem_id(const char *in, char out[6], char *err, size_t errlen)
{
	size_t n, i;

	in = in ? in : HVM_ACPI_OEM_ID;
	n = strnlen(in, 7);
	for (i = 0; i < n; i++)
		if (in[i] < 0x20 || in[i] > 0x7e)
			n = 0;
	if (n == 0 || n > 6)
		return reject_reason(
			err, errlen,
			"OEM ID \"%.8s\": 1 to 6 printable ASCII characters, please",
			in);
	memset(out, ' ', 6);
	memcpy(out, in, n);
	return 0;
}

/* ---- ACPI tables: the whole area ------------------------------------------- */

/* Where each table goes, in area order. */
struct acpi_layout {
	size_t rsdp, rsdt, xsdt, facs, fadt, dsdt, madt;
};

#define NR_ROOT_ENTRIES 2  /* FACP, APIC */
#define RSDP_ALIGN	16 /* 5.2.5.1: the scan looks on 16-byte boundaries */
#define TABLE_ALIGN	16
#define FACS_ALIGN	64 /* 5.2.10: "aligned on a 64-byte boundary" */

/*
 * Places every table, the MADT without its CPU entries, from the area's
 * start; a->used is then the bytes they take. Sizes are checked by the
 * caller.
 */
static void layout(struct area *a, struct acpi_layout *l)
{
	size_t hdr = sizeof(struct hvm_acpi_header);

	l->rsdp = area_place(a, sizeof(struct hvm_acpi_rsdp), RSDP_ALIGN);
	l->rsdt = area_place(a, hdr + NR_ROOT_ENTRIES * 4, TABLE_ALIGN);
	l->xsdt = area_place(a, hdr + NR_ROOT_ENTRIES * 8, TABLE_ALIGN);
	l->facs = area_place(a, sizeof(struct hvm_acpi_facs), FACS_ALIGN);
	l->fadt = area_place(a, sizeof(struct hvm_acpi_fadt), TABLE_ALIGN);
	l->dsdt = area_place(a, hdr + sizeof(dsdt_aml), TABLE_ALIGN);
	l->madt = area_place(a, sizeof(struct hvm_acpi_madt) + MADT_FIXED_LEN,
			     TABLE_ALIGN);
}

int hvm_acpi_build(u8 *buf, size_t buflen, u32 area_gpa, unsigned int nr_vcpus,
		   const char *oem_id, u32 *rsdp_gpa, char *err, size_t errlen)
{
	struct area a = {.buf = buf, .gpa = area_gpa};
	const size_t entry = sizeof(struct hvm_acpi_madt_x2apic);
	struct acpi_layout l;
	u32 tables[NR_ROOT_ENTRIES];
	char oem[6];
	size_t max_vcpus;
	int rc;

	if (errlen)
		err[0] = '\0';
	if (area_gpa % RSDP_ALIGN)
		return reject_reason(
			err, errlen,
			"ACPI area at %#x is not 16-byte aligned (the RSDP must be)",
			area_gpa);
	if (buflen > FOUR_GIB || (u64)area_gpa + buflen > FOUR_GIB)
		return reject_reason(
			err, errlen,
			"ACPI area [%#x, +%#lx) crosses 4 GiB: the RSDT's addresses are 32-bit",
			area_gpa, (u64)buflen);
	rc = make_oem_id(oem_id, oem, err, errlen);
	if (rc)
		return rc;
	layout(&a, &l);
	if (buflen < a.used + entry)
		return reject_reason(
			err, errlen,
			"ACPI area of %lu bytes is too small: the tables for one vCPU need %lu",
			(u64)buflen, (u64)(a.used + entry));
	max_vcpus = (buflen - a.used) / entry;
	if (nr_vcpus == 0 || nr_vcpus > max_vcpus)
		return reject_reason(
			err, errlen,
			"%u vCPUs: the %lu-byte ACPI area holds the tables for 1 to %lu",
			nr_vcpus, (u64)buflen, (u64)max_vcpus);
	memset(buf, 0, buflen);
	tables[0] = gpa_of(&a, l.fadt);
	tables[1] = gpa_of(&a, l.madt);
	put_facs(&a, l.facs);
	put_dsdt(&a, l.dsdt, oem);
	put_fadt(&a, l.fadt, gpa_of(&a, l.facs), gpa_of(&a, l.dsdt), oem);
	put_madt(&a, l.madt, nr_vcpus, oem);
	put_root(&a, l.rsdt, "RSDT", 4, tables, NR_ROOT_ENTRIES, oem);
	put_root(&a, l.xsdt, "XSDT", 8, tables, NR_ROOT_ENTRIES, oem);
	put_rsdp(&a, l.rsdp, gpa_of(&a, l.rsdt), gpa_of(&a, l.xsdt), oem);
	*rsdp_gpa = gpa_of(&a, l.rsdp);
	return 0;
}
