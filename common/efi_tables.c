/*
 * The RSDP through the EFI system table (include/efi_tables.h). Offsets
 * are the UEFI specification's structures for each firmware width; every
 * read goes through m->map() with exactly the bytes it needs, so a corrupt
 * pointer or count can do no more than make a map() fail.
 */
#include <efi_tables.h>
#include <errno.h>
#include <string.h>

/* EFI_TABLE_HEADER: Signature u64, Revision, HeaderSize, CRC32, Reserved. */
#define HDR_SIZE_OFFSET 12
#define HDR_LEN		24

/* EFI_SYSTEM_TABLE after the header: UINTN-sized fields and pointers. */
struct st_layout {
	u32 nr_entries; /* offset of NumberOfTableEntries */
	u32 table;	/* offset of ConfigurationTable */
	u32 size;	/* the whole structure (HeaderSize is at least this) */
	u32 word;	/* sizeof(UINTN) and of a pointer */
	u32 entry;	/* sizeof(EFI_CONFIGURATION_TABLE) */
};

/*
 * 64-bit: FirmwareVendor 24, FirmwareRevision 32 (4 bytes of padding
 * after), six handles and protocol pointers 40-87, RuntimeServices 88,
 * BootServices 96, NumberOfTableEntries 104, ConfigurationTable 112.
 * 32-bit: the same fields packed in 4-byte words from 24.
 */
static const struct st_layout layout64 = {104, 112, 120, 8, 24};
static const struct st_layout layout32 = {64, 68, 72, 4, 20};

#define GUID_LEN 16

/* The GUIDs as EFI_GUID lays them out: Data1-3 little-endian, Data4 as is. */
static const u8 acpi20_guid[GUID_LEN] = {0x71, 0xe8, 0x68, 0x88, 0xf1, 0xe4,
					 0xd3, 0x11, 0xbc, 0x22, 0x00, 0x80,
					 0xc7, 0x3c, 0x88, 0x81};
static const u8 acpi10_guid[GUID_LEN] = {0x30, 0x2d, 0x9d, 0xeb, 0x88, 0x2d,
					 0xd3, 0x11, 0x9a, 0x16, 0x00, 0x90,
					 0x27, 0x3f, 0xc1, 0x4d};

/* A little-endian word of width bytes (4 or 8). */
static u64 read_word(const u8 *p, u32 width)
{
	u64 v = 0;
	u32 i;

	for (i = 0; i < width; i++)
		v |= (u64)p[i] << (8 * i);
	return v;
}

/* Reads the entry count and table address from a checked system table. */
static int read_system_table(const struct acpi_mem *m, u64 st_pa,
			     const struct st_layout *l, u64 *count, u64 *table)
{
	const u8 *st = m->map(m->ctx, st_pa, l->size);
	u32 header_size;

	if (!st)
		return -EFAULT;
	if (read_word(st, 8) != EFI_SYSTEM_TABLE_SIGNATURE)
		return -EINVAL;
	header_size = (u32)read_word(st + HDR_SIZE_OFFSET, 4);
	if (header_size < l->size)
		return -EINVAL;
	*count = read_word(st + l->nr_entries, l->word);
	*table = read_word(st + l->table, l->word);
	if (*count > EFI_MAX_CONFIG_TABLES || (*count && !*table))
		return -EINVAL;
	return 0;
}

int efi_find_rsdp(const struct acpi_mem *m, u64 st_pa, bool is64, u64 *rsdp_pa,
		  enum efi_rsdp_guid *which)
{
	const struct st_layout *l = is64 ? &layout64 : &layout32;
	const u8 *entries;
	u64 count, table, i;
	int err;

	*which = EFI_RSDP_NONE;
	if (!st_pa)
		return -EINVAL;
	err = read_system_table(m, st_pa, l, &count, &table);
	if (err)
		return err;
	if (!count)
		return -ENOENT;
	if (table + count * l->entry < table)
		return -EINVAL;
	entries = m->map(m->ctx, table, count * l->entry);
	if (!entries)
		return -EFAULT;
	for (i = 0; i < count; i++) {
		const u8 *e = entries + i * l->entry;
		u64 pa = read_word(e + GUID_LEN, l->word);

		if (!pa)
			continue;
		if (memcmp(e, acpi20_guid, GUID_LEN) == 0) {
			*rsdp_pa = pa;
			*which = EFI_RSDP_ACPI_20;
			return 0; /* the best there is */
		}
		if (memcmp(e, acpi10_guid, GUID_LEN) == 0 &&
		    *which == EFI_RSDP_NONE) {
			*rsdp_pa = pa;
			*which = EFI_RSDP_ACPI_10;
		}
	}
	return *which == EFI_RSDP_NONE ? -ENOENT : 0;
}
