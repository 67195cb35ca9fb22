/*
 * What the boot loader told us, in a loader-neutral form. Filled from the
 * multiboot2 information block by mb2_parse() (common/multiboot2.c).
 *
 * Concurrency: written once by the boot CPU before anything else reads it;
 * read-only afterwards.
 */
#ifndef KAIROS_BOOTINFO_H
#define KAIROS_BOOTINFO_H

#include <types.h>

/* Enough for real EFI maps once adjacent ranges of one type are merged. */
#define BOOT_MAX_MEMRANGES 256
#define BOOT_MAX_MODULES   32

/* Memory range types, numbered as in the E820 / multiboot2 memory map. */
enum boot_mem_type {
	BOOT_MEM_USABLE = 1,
	BOOT_MEM_RESERVED = 2,
	BOOT_MEM_ACPI_RECLAIMABLE = 3,
	BOOT_MEM_ACPI_NVS = 4,
	BOOT_MEM_BAD = 5,
};

struct boot_memrange {
	u64 base; /* first byte */
	u64 len;  /* length in bytes, never 0 */
	u32 type; /* enum boot_mem_type; unknown types become RESERVED */
};

struct boot_module {
	paddr_t start;	     /* first byte */
	paddr_t end;	     /* one past the last byte; end > start */
	const char *cmdline; /* module string, "" if none; inside the info */
};

enum boot_fb_type {
	BOOT_FB_NONE = 0, /* no framebuffer tag */
	BOOT_FB_INDEXED,  /* palette-based graphics */
	BOOT_FB_RGB,	  /* direct-colour graphics (e.g. UEFI GOP) */
	BOOT_FB_EGA_TEXT, /* 80x25 text at 0xb8000 (BIOS boots) */
};

struct boot_framebuffer {
	enum boot_fb_type type;
	paddr_t addr; /* physical address of the first pixel / character */
	u32 pitch;    /* bytes per line */
	u32 width;    /* pixels, or characters for text */
	u32 height;   /* pixels, or lines for text */
	u8 bpp;	      /* bits per pixel (16 per cell for text) */
	/*
	 * BOOT_FB_RGB only: where each colour lies in a pixel, as a bit
	 * position and a number of bits. The parser guarantees each field
	 * has at least one bit, lies inside bpp bits and overlaps no other.
	 */
	u8 red_pos, red_size;
	u8 green_pos, green_size;
	u8 blue_pos, blue_size;
};

struct boot_info {
	const char *cmdline;	 /* "" if no command-line tag */
	const char *loader_name; /* "" if no boot-loader-name tag */

	u32 nr_memranges; /* entries in mem[], sorted by base */
	struct boot_memrange mem[BOOT_MAX_MEMRANGES];
	bool mem_from_efi; /* map came from the EFI memory-map tag */

	u32 nr_modules;
	struct boot_module modules[BOOT_MAX_MODULES];

	const void *rsdp; /* copy inside the info block, or NULL */
	u32 rsdp_len;	  /* bytes at rsdp */
	u8 rsdp_revision; /* 0 for the ACPI 1.0 tag, 2 for the new one */

	struct boot_framebuffer fb;

	bool efi_boot;		     /* an EFI system-table tag was present */
	paddr_t efi_system_table;    /* 0 if none */
	bool efi_system_table_64bit; /* tag 12; else tag 11 (32-bit firmware) */

	u32 info_size; /* total_size of the multiboot2 block */
};

/* Parsed at boot by arch code; see the concurrency note above. */
extern struct boot_info boot_info;

/*
 * Parses the multiboot2 information block at info, of which at most avail
 * bytes may be read, into *bi. Non-fatal oddities (unknown tag types, more
 * modules or ranges than fit, a range of unknown type) are reported with
 * printk warnings. Returns 0, or -EINVAL with a one-line reason in err
 * (always NUL-terminated) when the block cannot be trusted at all.
 */
int mb2_parse(const void *info, size_t avail, struct boot_info *bi, char *err,
	      size_t errlen);

/*
 * Sorts the n ranges of in[] by base and resolves overlaps (the more
 * restrictive type wins: any type beats usable, else the higher number);
 * adjacent ranges of one type are merged and zero-length ones dropped;
 * unknown types count as reserved; base + len is clipped at 2^64 - 1. At
 * most cap ranges are written to out[], which must not overlap in[]:
 * the lowest ones; *dropped gets the number that did not fit. Returns the
 * number written. Pure function, prints nothing; boot only (__init).
 */
u32 memranges_sanitise(const struct boot_memrange *in, u32 n,
		       struct boot_memrange *out, u32 cap, u32 *dropped);

/* Total bytes of BOOT_MEM_USABLE ranges. */
u64 boot_usable_bytes(const struct boot_info *bi);

#endif /* KAIROS_BOOTINFO_H */
