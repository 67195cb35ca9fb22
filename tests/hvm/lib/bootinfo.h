/*
 * What the Multiboot loader told us, copied out of its information block
 * before anything else touches low memory (on Kairos the block lives at
 * 0x9000-0xffff; QEMU puts it after the image): the command line, the
 * memory sizes and the memory map.
 */
#ifndef HVM_BOOTINFO_H
#define HVM_BOOTINFO_H

#include "arch.h"

#define BOOT_CMDLINE_MAX 1024
#define BOOT_MMAP_MAX	 32

struct mmap_range {
	u64 base, length;
	u32 type; /* 1: available RAM (Multiboot 0.6.96, 3.3) */
};

struct bootinfo {
	u32 flags;			/* the information block's flags */
	u32 mem_lower, mem_upper;	/* KiB below 640K and above 1 MiB */
	char cmdline[BOOT_CMDLINE_MAX]; /* "" if none */
	struct mmap_range mmap[BOOT_MMAP_MAX];
	unsigned int nr_mmap;
	/* End of the highest RAM below 4 GiB (the mmap's, else mem_upper's). */
	u64 ram_end;
};

extern struct bootinfo bootinfo;

/* Copies the block at physical address mbi (boot CPU, first thing). */
void bootinfo_copy(u32 mbi);

#endif /* HVM_BOOTINFO_H */
