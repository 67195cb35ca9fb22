#include "bootinfo.h"

/* The information block (Multiboot 0.6.96, 3.3 "Boot information format"). */
struct mb_info {
	u32 flags;
	u32 mem_lower, mem_upper; /* flags bit 0 */
	u32 boot_device;	  /* bit 1 */
	u32 cmdline;		  /* bit 2 */
	u32 mods_count, mods_addr;
	u32 syms[4];
	u32 mmap_length, mmap_addr; /* bit 6 */
} __packed;

/* One memory map entry; size counts the bytes after itself. */
struct mb_mmap_entry {
	u32 size;
	u64 base_addr, length;
	u32 type;
} __packed;

#define MB_INFO_MEMORY	0x001
#define MB_INFO_CMDLINE 0x004
#define MB_INFO_MMAP	0x040
#define MB_MMAP_RAM	1
#define FOUR_GIB	(1ULL << 32)

struct bootinfo bootinfo;

void bootinfo_copy(u32 mbi)
{
	const struct mb_info *info = (const struct mb_info *)(u64)mbi;
	u64 pos, end;

	bootinfo.flags = info->flags;
	if (info->flags & MB_INFO_MEMORY) {
		bootinfo.mem_lower = info->mem_lower;
		bootinfo.mem_upper = info->mem_upper;
		bootinfo.ram_end = 0x100000 + (u64)info->mem_upper * 1024;
	}
	if (info->flags & MB_INFO_CMDLINE)
		strlcpy(bootinfo.cmdline, (const char *)(u64)info->cmdline,
			sizeof(bootinfo.cmdline));
	if (!(info->flags & MB_INFO_MMAP))
		return;
	pos = info->mmap_addr;
	end = pos + info->mmap_length;
	while (pos + sizeof(struct mb_mmap_entry) <= end &&
	       bootinfo.nr_mmap < BOOT_MMAP_MAX) {
		const struct mb_mmap_entry *e =
			(const struct mb_mmap_entry *)pos;
		struct mmap_range *r = &bootinfo.mmap[bootinfo.nr_mmap++];

		r->base = e->base_addr;
		r->length = e->length;
		r->type = e->type;
		if (e->type == MB_MMAP_RAM && r->base < FOUR_GIB) {
			u64 top = r->base + r->length;

			top = top > FOUR_GIB ? FOUR_GIB : top;
			if (top > bootinfo.ram_end)
				bootinfo.ram_end = top;
		}
		pos += e->size + sizeof(e->size);
	}
}
