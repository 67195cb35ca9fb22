/*
 * Multiboot (version 1) kernels: the protocol's on-wire layouts, and the
 * validation of an image into a load plan (common/multiboot1_image.c).
 * Section numbers refer to the Multiboot Specification version 0.6.96;
 * the ELF32 layout is the System V gABI's ("ELF Header", "Program
 * Header"), EM_386 from the i386 psABI.
 *
 * What is accepted, and why (the loader is QEMU's -kernel's twin, so a
 * kernel that boots there boots here, and nothing that could load outside
 * usable RAM does):
 *
 *  - The header (3.1.1): 32-bit aligned, wholly inside the first 8192
 *    bytes, magic + flags + checksum == 0 (mod 2^32); the first aligned
 *    magic with a good checksum is the header, as a loader's scan finds
 *    it. Its fields must lie in the file, and in those 8192 bytes, as far
 *    as its flags say they exist.
 *  - Required flags (bits 0-15): bit 0 (align modules: there are none),
 *    bit 1 (memory information: always given), bit 2 (a video mode: none
 *    is set, as on QEMU, which warns and boots; reported in the info so
 *    the builder can say so). Any other bit is refused: 3.1.2 says a
 *    loader that does not understand a requirement must not boot the
 *    kernel. Bits 16-31 are optional; only bit 16 has a meaning.
 *  - Bit 16, the "a.out kludge" (3.1.3): one range loaded from the file
 *    offset header_offset - (header_addr - load_addr), of load_end_addr -
 *    load_addr bytes (the rest of the file if load_end_addr is 0), zeroed
 *    up to bss_end_addr (none if 0). load_addr <= header_addr, that file
 *    offset not negative, load_end_addr > load_addr, the loaded bytes in
 *    the file, the header itself among them (header_addr names its
 *    address), bss_end_addr 0 or >= the loaded end, nothing past 4 GiB,
 *    entry_addr in the loaded bytes. Used even if the file is also ELF,
 *    as 3.1.3 says.
 *  - Without bit 16 the file is ELF32: ELFCLASS32 (an ELF64 is refused
 *    with "give a 32-bit image", as QEMU does), little-endian, EV_CURRENT,
 *    ET_EXEC, EM_386, 52/32-byte headers, 1..MB1_MAX_PHDRS program
 *    headers in the file. Each PT_LOAD with p_memsz > 0 is loaded at
 *    p_paddr (filesz <= memsz, its bytes in the file, nothing past 4 GiB,
 *    no byte shared with another segment; at most MB1_MAX_SEGMENTS).
 *    Other types are ignored, as QEMU and GRUB do; alignment is not
 *    checked (the loader copies bytes, it maps nothing). Segments may be
 *    writable and executable at once (one RWX segment is common in small
 *    kernels).
 *  - The ELF entry: e_entry must be in the file-backed bytes of an
 *    executable (PF_X) PT_LOAD. If it lies in one's virtual range
 *    [p_vaddr, p_vaddr + p_filesz) the entry is translated to p_paddr +
 *    (e_entry - p_vaddr), as QEMU and GRUB 2 do for higher-half kernels;
 *    otherwise it must lie in one's physical range and is used as it is
 *    (kernels linked for GRUB legacy state a physical entry).
 *  - Every loaded range [paddr, paddr + memsz) must end at or below the
 *    limits' mem and touch none of the limits' holes (for an HVM domain:
 *    the multiboot information region, the EBDA, the VGA hole and the
 *    BIOS area; hvm_mb1_load_limits() in asm/hvm/pc_platform.h).
 *
 * Concurrency: mb1_image_parse() is a pure function of its arguments (no
 * globals, no allocation, nothing printed); any context, any CPU.
 */
#ifndef KAIROS_MULTIBOOT1_IMAGE_H
#define KAIROS_MULTIBOOT1_IMAGE_H

#include <compiler.h>
#include <elf_image.h>
#include <types.h>

/* ---- The image header (3.1) --------------------------------------------- */

/* 3.1.1: where the header may be, and its magic. */
#define MB1_HEADER_MAGIC 0x1badb002U
#define MB1_SEARCH_LIMIT 8192 /* the header lies wholly in these bytes */
#define MB1_HEADER_ALIGN 4
#define MB1_HEADER_MIN	 12 /* magic, flags, checksum */
#define MB1_HEADER_AOUT	 32 /* ... and the address fields (bit 16) */
#define MB1_HEADER_VIDEO 48 /* ... and the graphics fields (bit 2) */

/* 3.1.2: flags. Bits 0-15 are requirements, bits 16-31 options. */
#define MB1_HEADER_PAGE_ALIGN	 (1U << 0)  /* modules on 4 KiB pages */
#define MB1_HEADER_MEMORY_INFO	 (1U << 1)  /* mem_* and mmap_* wanted */
#define MB1_HEADER_VIDEO_MODE	 (1U << 2)  /* mode_type..depth valid */
#define MB1_HEADER_AOUT_KLUDGE	 (1U << 16) /* header_addr..entry_addr */
#define MB1_HEADER_REQUIRED_MASK 0xffffU
#define MB1_HEADER_UNDERSTOOD_MASK \
	(MB1_HEADER_PAGE_ALIGN | MB1_HEADER_MEMORY_INFO | MB1_HEADER_VIDEO_MODE)

/* The header as it lies in the file; the fields past 12 per the flags. */
struct mb1_header {
	u32 magic;	   /* MB1_HEADER_MAGIC */
	u32 flags;	   /* MB1_HEADER_* */
	u32 checksum;	   /* magic + flags + checksum == 0 (mod 2^32) */
	u32 header_addr;   /* bit 16: physical address of magic */
	u32 load_addr;	   /* bit 16: where the file's loaded part starts */
	u32 load_end_addr; /* bit 16: its end; 0: the rest of the file */
	u32 bss_end_addr;  /* bit 16: zeroed up to here; 0: no bss */
	u32 entry_addr;	   /* bit 16: the physical entry point */
	u32 mode_type;	   /* bit 2: 0 linear graphics, 1 EGA text */
	u32 width;	   /* bit 2: pixels or characters; 0: any */
	u32 height;	   /* bit 2: likewise */
	u32 depth;	   /* bit 2: bits per pixel; 0: any */
} __packed;
BUILD_BUG_ON(sizeof(struct mb1_header) != MB1_HEADER_VIDEO);

/* ---- Machine state at entry (3.2) ---------------------------------------- */

/* EAX at the kernel's entry; EBX holds the information block's address. */
#define MB1_BOOTLOADER_MAGIC 0x2badb002U

/* ---- The boot information block (3.3) ------------------------------------ */

/* flags: which of the fields below are valid. */
#define MB1_INFO_MEMORY		  (1U << 0) /* mem_lower, mem_upper */
#define MB1_INFO_BOOT_DEVICE	  (1U << 1)
#define MB1_INFO_CMDLINE	  (1U << 2)
#define MB1_INFO_MODS		  (1U << 3) /* mods_count, mods_addr */
#define MB1_INFO_AOUT_SYMS	  (1U << 4)
#define MB1_INFO_ELF_SHDR	  (1U << 5)
#define MB1_INFO_MMAP		  (1U << 6) /* mmap_length, mmap_addr */
#define MB1_INFO_DRIVES		  (1U << 7)
#define MB1_INFO_CONFIG_TABLE	  (1U << 8)
#define MB1_INFO_BOOT_LOADER_NAME (1U << 9)
#define MB1_INFO_APM_TABLE	  (1U << 10)
#define MB1_INFO_VBE		  (1U << 11)
#define MB1_INFO_FRAMEBUFFER	  (1U << 12)

/* Every address is guest-physical, below 4 GiB. */
struct mb1_info {
	u32 flags;	   /* MB1_INFO_* */
	u32 mem_lower;	   /* KiB of RAM from 0 (at most 640) */
	u32 mem_upper;	   /* KiB of RAM from 1 MiB to the first hole */
	u32 boot_device;   /* BIOS drive and partitions */
	u32 cmdline;	   /* NUL-terminated command line */
	u32 mods_count;	   /* boot modules ... */
	u32 mods_addr;	   /* ... and their array */
	u32 syms[4];	   /* a.out symbols or ELF section headers */
	u32 mmap_length;   /* bytes of memory map ... */
	u32 mmap_addr;	   /* ... at the first entry's size field */
	u32 drives_length; /* BIOS drive structures */
	u32 drives_addr;
	u32 config_table;      /* BIOS GET CONFIGURATION result */
	u32 boot_loader_name;  /* NUL-terminated */
	u32 apm_table;	       /* APM BIOS interface */
	u32 vbe_control_info;  /* VBE controller information ... */
	u32 vbe_mode_info;     /* ... and mode information */
	u16 vbe_mode;	       /* current VBE mode */
	u16 vbe_interface_seg; /* VBE 3.0 protected-mode interface */
	u16 vbe_interface_off;
	u16 vbe_interface_len;
	u64 framebuffer_addr; /* flags bit 12 */
	u32 framebuffer_pitch;
	u32 framebuffer_width;
	u32 framebuffer_height;
	u8 framebuffer_bpp;
	u8 framebuffer_type;
	u8 color_info[6];
} __packed;
BUILD_BUG_ON(sizeof(struct mb1_info) != 116);

/*
 * One memory map entry. size counts the bytes after itself (20 here), so
 * the next entry is at (u8 *)e + e->size + 4; mmap_addr points at the
 * first entry's size field, as every loader and kernel reads it.
 */
struct mb1_mmap_entry {
	u32 size;
	u64 base_addr;
	u64 length;
	u32 type; /* MB1_MMAP_AVAILABLE or anything else: reserved */
} __packed;
BUILD_BUG_ON(sizeof(struct mb1_mmap_entry) != 24);

#define MB1_MMAP_ENTRY_SIZE (sizeof(struct mb1_mmap_entry) - sizeof(u32))
#define MB1_MMAP_AVAILABLE  1
#define MB1_MMAP_RESERVED   2

/* ---- ELF32 on-file layout (gABI "ELF Header", "Program Header") --------- */

#define ELFCLASS32 1 /* 32-bit objects */
#define EM_386	   3 /* Intel 80386 (i386 psABI) */

struct elf32_ehdr {
	u8 e_ident[EI_NIDENT]; /* magic, class, data encoding, version */
	u16 e_type;	       /* ET_* */
	u16 e_machine;	       /* EM_* */
	u32 e_version;	       /* EV_CURRENT */
	u32 e_entry;	       /* address of the first instruction */
	u32 e_phoff;	       /* file offset of the program header table */
	u32 e_shoff;	       /* section headers (unused) */
	u32 e_flags;	       /* none defined for i386 */
	u16 e_ehsize;	       /* sizeof(struct elf32_ehdr) */
	u16 e_phentsize;       /* sizeof(struct elf32_phdr) */
	u16 e_phnum;	       /* program headers */
	u16 e_shentsize;
	u16 e_shnum;
	u16 e_shstrndx;
};
BUILD_BUG_ON(sizeof(struct elf32_ehdr) != 52);

struct elf32_phdr {
	u32 p_type;   /* PT_* */
	u32 p_offset; /* file offset of the segment's first byte */
	u32 p_vaddr;  /* its virtual address */
	u32 p_paddr;  /* its physical address: where it is loaded */
	u32 p_filesz; /* bytes in the file */
	u32 p_memsz;  /* bytes in memory; past p_filesz they are zero */
	u32 p_flags;  /* PF_* */
	u32 p_align;  /* ignored */
};
BUILD_BUG_ON(sizeof(struct elf32_phdr) != 32);

/* ---- Limits and results --------------------------------------------------- */

/* Most PT_LOAD segments with memory (linkers emit 1 to 5 for a kernel). */
#define MB1_MAX_SEGMENTS 16
/* Most program headers of any type. */
#define MB1_MAX_PHDRS 64
/* Most holes a layout may have. */
#define MB1_MAX_HOLES 8

/* A guest-physical range nothing may be loaded into. */
struct mb1_hole {
	u64 start;	  /* first byte */
	u64 end;	  /* one past the last; > start */
	const char *what; /* for messages: "the BIOS area" */
};

/*
 * Where a kernel may load: below mem, outside every hole. The RAM layout
 * of an HVM domain comes from hvm_mb1_load_limits().
 */
struct mb1_load_limits {
	u64 mem;      /* loads end at or below; 1 .. 4 GiB */
	u32 nr_holes; /* 0 .. MB1_MAX_HOLES */
	struct mb1_hole holes[MB1_MAX_HOLES];
};

/*
 * One range to load: filesz bytes from the image, then memsz - filesz
 * zero bytes, at guest-physical paddr.
 */
struct mb1_segment {
	u64 offset; /* where the copied bytes start in the image */
	u64 paddr;  /* guest-physical address of the first byte */
	u64 filesz; /* bytes copied, <= memsz */
	u64 memsz;  /* bytes in memory, > 0; past filesz they are zero */
	u32 phdr;   /* program header index (0 for the a.out kludge) */
};

/*
 * A validated image. Every segment's file bytes lie inside the image;
 * every segment's memory lies below the limits' mem, outside every hole,
 * and shares no byte with another; entry lies in the file-backed bytes of
 * a segment (an executable one for ELF).
 */
struct mb1_image_info {
	u32 header_offset; /* file offset of the Multiboot header */
	u32 header_flags;  /* its flags word, as found */
	bool aout_kludge;  /* loaded from the header's address fields */
	bool video_mode;   /* flags bit 2: a mode was asked for, none given */
	u32 mode_type;	   /* the mode asked for, if video_mode */
	u32 width;
	u32 height;
	u32 depth;
	u64 entry;	 /* guest-physical EIP at entry */
	u32 nr_segments; /* 1..MB1_MAX_SEGMENTS */
	struct mb1_segment segments[MB1_MAX_SEGMENTS]; /* header order */
	u64 load_start; /* lowest loaded address */
	u64 load_end;	/* one past the highest loaded address */
};

/*
 * Validates the Multiboot v1 kernel of size bytes at image, reading
 * nothing outside [image, image + size) and making no assumption about
 * its alignment, and describes how to load it in *out. Returns 0, or
 * -EINVAL with a one-line reason in err (always NUL-terminated if errlen
 * > 0; "" on success) and *out zeroed. Checks, in order: the limits, the
 * header and its flags, then the a.out fields or the ELF header and each
 * program header in turn, then the entry point; the first failure is the
 * one reported. 256 bytes of err hold any message whole.
 */
int mb1_image_parse(const u8 *image, size_t size,
		    const struct mb1_load_limits *limits,
		    struct mb1_image_info *out, char *err, size_t errlen);

#endif /* KAIROS_MULTIBOOT1_IMAGE_H */
