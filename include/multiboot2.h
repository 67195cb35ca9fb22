/*
 * Multiboot2: the header the image carries for the boot loader, and the
 * on-wire layout of the boot-information block the loader hands back.
 * Section numbers refer to the Multiboot2 Specification version 2.0.
 *
 * The constants are plain integers so that the 32-bit entry code can use
 * them from assembly; everything C-only sits under !__ASSEMBLY__. Consumers
 * other than the entry code use struct boot_info (bootinfo.h), filled by
 * mb2_parse(), instead of walking tags themselves.
 */
#ifndef KAIROS_MULTIBOOT2_H
#define KAIROS_MULTIBOOT2_H

/* ---- Image header (spec 3.1) ------------------------------------------ */

/* 3.1.2: identifies the header; the sum with the checksum must be zero. */
#define MULTIBOOT2_HEADER_MAGIC 0xE85250D6
/* 3.1.2 architecture: 0 is 32-bit protected mode i386. */
#define MULTIBOOT2_ARCH_I386 0
/*
 * 3.1.2: magic + architecture + header_length + checksum == 0 (mod 2^32).
 * The negation wraps to the right u32 in C and in GAS alike.
 */
#define MULTIBOOT2_HEADER_CHECKSUM(header_length) \
	(-(MULTIBOOT2_HEADER_MAGIC + MULTIBOOT2_ARCH_I386 + (header_length)))

/* 3.1.3: header tags are u16 type, u16 flags, u32 size, 8-byte aligned. */
#define MULTIBOOT2_HEADER_TAG_END		  0
#define MULTIBOOT2_HEADER_TAG_INFORMATION_REQUEST 1  /* 3.1.4 */
#define MULTIBOOT2_HEADER_TAG_ADDRESS		  2  /* 3.1.5 */
#define MULTIBOOT2_HEADER_TAG_ENTRY_ADDRESS	  3  /* 3.1.6 */
#define MULTIBOOT2_HEADER_TAG_CONSOLE_FLAGS	  4  /* 3.1.9 */
#define MULTIBOOT2_HEADER_TAG_FRAMEBUFFER	  5  /* 3.1.10 */
#define MULTIBOOT2_HEADER_TAG_MODULE_ALIGN	  6  /* 3.1.11 */
#define MULTIBOOT2_HEADER_TAG_EFI_BS		  7  /* 3.1.12 */
#define MULTIBOOT2_HEADER_TAG_ENTRY_ADDRESS_EFI32 8  /* 3.1.7 */
#define MULTIBOOT2_HEADER_TAG_ENTRY_ADDRESS_EFI64 9  /* 3.1.8 */
#define MULTIBOOT2_HEADER_TAG_RELOCATABLE	  10 /* 3.1.13 */

/* 3.1.3 flags bit 0: the loader may ignore the tag if it lacks support. */
#define MULTIBOOT2_HEADER_TAG_OPTIONAL 1

/* 3.1.9 console_flags: bit 0 a console is required, bit 1 EGA text works. */
#define MULTIBOOT2_CONSOLE_FLAGS_CONSOLE_REQUIRED   1
#define MULTIBOOT2_CONSOLE_FLAGS_EGA_TEXT_SUPPORTED 2

/* ---- Hand-over (spec 3.3) --------------------------------------------- */

/* 3.3: EAX holds this on entry, EBX the information block's address. */
#define MULTIBOOT2_BOOTLOADER_MAGIC 0x36d76289

/* ---- Boot information (spec 3.6) ------------------------------------- */

/* 3.6.1: the block and every tag in it start 8-byte aligned. */
#define MULTIBOOT2_INFO_ALIGN 8
#define MULTIBOOT2_TAG_ALIGN  8
/* 3.6.1: u32 total_size, u32 reserved, then the tags. */
#define MULTIBOOT2_INFO_FIXED_SIZE 8
/* 3.6.2: every tag starts with u32 type, u32 size. */
#define MULTIBOOT2_TAG_HEADER_SIZE 8
/* 3.6.2: the list ends with a tag of type 0 and size 8. */
#define MULTIBOOT2_END_TAG_SIZE 8

/* Information tag types, with the section that defines each layout. */
#define MULTIBOOT2_TAG_END		     0
#define MULTIBOOT2_TAG_CMDLINE		     1	/* 3.6.5 */
#define MULTIBOOT2_TAG_LOADER_NAME	     2	/* 3.6.9 */
#define MULTIBOOT2_TAG_MODULE		     3	/* 3.6.6 */
#define MULTIBOOT2_TAG_BASIC_MEMINFO	     4	/* 3.6.3 */
#define MULTIBOOT2_TAG_BOOTDEV		     5	/* 3.6.4 */
#define MULTIBOOT2_TAG_MMAP		     6	/* 3.6.8 */
#define MULTIBOOT2_TAG_VBE		     7	/* 3.6.11 */
#define MULTIBOOT2_TAG_FRAMEBUFFER	     8	/* 3.6.12 */
#define MULTIBOOT2_TAG_ELF_SECTIONS	     9	/* 3.6.7 */
#define MULTIBOOT2_TAG_APM		     10 /* 3.6.10 */
#define MULTIBOOT2_TAG_EFI32		     11 /* 3.6.13 */
#define MULTIBOOT2_TAG_EFI64		     12 /* 3.6.14 */
#define MULTIBOOT2_TAG_SMBIOS		     13 /* 3.6.15 */
#define MULTIBOOT2_TAG_ACPI_OLD		     14 /* 3.6.16 */
#define MULTIBOOT2_TAG_ACPI_NEW		     15 /* 3.6.17 */
#define MULTIBOOT2_TAG_NETWORK		     16 /* 3.6.18 */
#define MULTIBOOT2_TAG_EFI_MMAP		     17 /* 3.6.19 */
#define MULTIBOOT2_TAG_EFI_BS_NOT_TERMINATED 18 /* 3.6.20 */
#define MULTIBOOT2_TAG_EFI32_IH		     19 /* 3.6.21 */
#define MULTIBOOT2_TAG_EFI64_IH		     20 /* 3.6.22 */
#define MULTIBOOT2_TAG_LOAD_BASE_ADDR	     21 /* 3.6.23 */

/* 3.6.8 memory-map entry types; every other value means reserved. */
#define MULTIBOOT2_MEMORY_AVAILABLE	   1
#define MULTIBOOT2_MEMORY_RESERVED	   2
#define MULTIBOOT2_MEMORY_ACPI_RECLAIMABLE 3
#define MULTIBOOT2_MEMORY_NVS		   4
#define MULTIBOOT2_MEMORY_BADRAM	   5

/* 3.6.8: entry_size is a multiple of 8 and entries are at least 24 bytes. */
#define MULTIBOOT2_MMAP_ENTRY_ALIGN   8
#define MULTIBOOT2_MMAP_ENTRY_VERSION 0

/* 3.6.12 framebuffer_type; higher values are reserved for the future. */
#define MULTIBOOT2_FRAMEBUFFER_TYPE_INDEXED  0
#define MULTIBOOT2_FRAMEBUFFER_TYPE_RGB	     1
#define MULTIBOOT2_FRAMEBUFFER_TYPE_EGA_TEXT 2
/* 3.6.12: an EGA text cell is a character byte and an attribute byte. */
#define MULTIBOOT2_FRAMEBUFFER_EGA_TEXT_BPP 16

/*
 * Sizes of the RSDP copies in tags 14 and 15: ACPI 6.5, 5.2.5.3, the
 * revision-0 structure ends after RsdtAddress (20 bytes), the revision-2
 * one after the reserved bytes (36 bytes).
 */
#define ACPI_RSDP_V1_SIZE 20
#define ACPI_RSDP_V2_SIZE 36

/*
 * The EFI memory map of tag 17 (3.6.19) is the firmware's GetMemoryMap()
 * output: UEFI 2.10, 7.2.3 EFI_BOOT_SERVICES.GetMemoryMap().
 */
#define EFI_MEMORY_DESCRIPTOR_VERSION 1
#define EFI_PAGE_SHIFT		      12 /* NumberOfPages counts 4 KiB pages */

/* UEFI 2.10, 7.2.1 EFI_MEMORY_TYPE; usage after ExitBootServices(). */
#define EFI_RESERVED_MEMORY_TYPE	0 /* not usable */
#define EFI_LOADER_CODE			1 /* free once the loader is done */
#define EFI_LOADER_DATA			2 /* (holds the info block) */
#define EFI_BOOT_SERVICES_CODE		3 /* free after ExitBootServices */
#define EFI_BOOT_SERVICES_DATA		4
#define EFI_RUNTIME_SERVICES_CODE	5 /* kept for runtime services */
#define EFI_RUNTIME_SERVICES_DATA	6
#define EFI_CONVENTIONAL_MEMORY		7  /* free */
#define EFI_UNUSABLE_MEMORY		8  /* errors detected */
#define EFI_ACPI_RECLAIM_MEMORY		9  /* free once ACPI tables are read */
#define EFI_ACPI_MEMORY_NVS		10 /* preserved across sleep */
#define EFI_MEMORY_MAPPED_IO		11
#define EFI_MEMORY_MAPPED_IO_PORT_SPACE 12
#define EFI_PAL_CODE			13
#define EFI_PERSISTENT_MEMORY		14 /* NVDIMM: not general RAM */
#define EFI_UNACCEPTED_MEMORY		15 /* needs acceptance (TDX/SNP) */
#define EFI_MAX_MEMORY_TYPE		16 /* first value the spec leaves open */

#ifndef __ASSEMBLY__

#include <compiler.h>
#include <types.h>

/* 3.1.1: the image header, 8-byte aligned in the first 32 KiB. */
struct mb2_header {
	u32 magic;	   /* MULTIBOOT2_HEADER_MAGIC */
	u32 architecture;  /* MULTIBOOT2_ARCH_I386 */
	u32 header_length; /* bytes, tags included */
	u32 checksum;	   /* MULTIBOOT2_HEADER_CHECKSUM(header_length) */
};
BUILD_BUG_ON(sizeof(struct mb2_header) != 16);

/* 3.1.3: the start of every header tag. */
struct mb2_header_tag {
	u16 type;  /* MULTIBOOT2_HEADER_TAG_* */
	u16 flags; /* MULTIBOOT2_HEADER_TAG_OPTIONAL or 0 */
	u32 size;  /* bytes including this header, excluding padding */
};
BUILD_BUG_ON(sizeof(struct mb2_header_tag) != 8);

/* 3.6.1: the fixed part at the start of the information block. */
struct mb2_info {
	u32 total_size; /* bytes, this field and the end tag included */
	u32 reserved;	/* zero, ignored */
};
BUILD_BUG_ON(sizeof(struct mb2_info) != MULTIBOOT2_INFO_FIXED_SIZE);

/* 3.6.2: the start of every information tag. */
struct mb2_tag {
	u32 type; /* MULTIBOOT2_TAG_* */
	u32 size; /* bytes including this header, excluding padding */
};
BUILD_BUG_ON(sizeof(struct mb2_tag) != MULTIBOOT2_TAG_HEADER_SIZE);

/* 3.6.5 and 3.6.9: command line and boot-loader name. */
struct mb2_tag_string {
	u32 type;
	u32 size;
	char string[]; /* UTF-8, NUL-terminated inside the tag */
};
BUILD_BUG_ON(sizeof(struct mb2_tag_string) != 8);

/* 3.6.6: one tag per module. */
struct mb2_tag_module {
	u32 type;
	u32 size;
	u32 mod_start; /* physical address of the first byte */
	u32 mod_end;   /* physical address one past the last byte */
	char string[]; /* NUL-terminated */
};
BUILD_BUG_ON(sizeof(struct mb2_tag_module) != 16);

/* 3.6.3: lower memory starts at 0, upper memory at 1 MiB. */
struct mb2_tag_basic_meminfo {
	u32 type;
	u32 size;
	u32 mem_lower; /* KiB */
	u32 mem_upper; /* KiB */
};
BUILD_BUG_ON(sizeof(struct mb2_tag_basic_meminfo) != 16);

/* 3.6.4: the BIOS disk the image came from. */
struct mb2_tag_bootdev {
	u32 type;
	u32 size;
	u32 biosdev;	   /* INT 13h drive number */
	u32 partition;	   /* 0xffffffff if unused */
	u32 sub_partition; /* 0xffffffff if unused */
};
BUILD_BUG_ON(sizeof(struct mb2_tag_bootdev) != 20);

/* 3.6.8: entries follow, entry_size bytes apart. */
struct mb2_tag_mmap {
	u32 type;
	u32 size;
	u32 entry_size;	   /* >= sizeof(struct mb2_mmap_entry), multiple of 8 */
	u32 entry_version; /* MULTIBOOT2_MMAP_ENTRY_VERSION */
};
BUILD_BUG_ON(sizeof(struct mb2_tag_mmap) != 16);

/* 3.6.8: one memory-map entry (newer versions only append fields). */
struct mb2_mmap_entry {
	u64 base_addr;
	u64 length;
	u32 type; /* MULTIBOOT2_MEMORY_* */
	u32 reserved;
};
BUILD_BUG_ON(sizeof(struct mb2_mmap_entry) != 24);

/*
 * 3.6.12: the part common to all framebuffer types. The specification
 * draws "reserved" as a u8, but GRUB, the reference loader, writes a u16,
 * so the colour information starts at offset 32; we follow GRUB.
 */
struct mb2_tag_framebuffer {
	u32 type;
	u32 size;
	u64 framebuffer_addr;  /* physical */
	u32 framebuffer_pitch; /* bytes per line */
	u32 framebuffer_width; /* pixels, or characters for EGA text */
	u32 framebuffer_height;
	u8 framebuffer_bpp;
	u8 framebuffer_type; /* MULTIBOOT2_FRAMEBUFFER_TYPE_* */
	u16 reserved;
};
BUILD_BUG_ON(sizeof(struct mb2_tag_framebuffer) != 32);

/*
 * 3.6.12 indexed colour information. The specification says u32, GRUB
 * writes a u16 with the palette right after it; the low 16 bits read the
 * same either way, which is all we use.
 */
struct mb2_framebuffer_palette {
	u16 num_colors;
};
BUILD_BUG_ON(sizeof(struct mb2_framebuffer_palette) != 2);

/* 3.6.12: one palette entry. */
struct mb2_color {
	u8 red;
	u8 green;
	u8 blue;
};
BUILD_BUG_ON(sizeof(struct mb2_color) != 3);

/* 3.6.12 direct-RGB colour information. */
struct mb2_framebuffer_rgb {
	u8 red_field_position;
	u8 red_mask_size;
	u8 green_field_position;
	u8 green_mask_size;
	u8 blue_field_position;
	u8 blue_mask_size;
};
BUILD_BUG_ON(sizeof(struct mb2_framebuffer_rgb) != 6);

/* 3.6.14 and 3.6.22: a 64-bit EFI pointer (system table, image handle). */
/* 3.6.13: the 32-bit EFI system table's physical address. */
struct mb2_tag_efi32 {
	u32 type;
	u32 size;
	u32 pointer;
};
BUILD_BUG_ON(sizeof(struct mb2_tag_efi32) != 12);

struct mb2_tag_efi64 {
	u32 type;
	u32 size;
	u64 pointer;
};
BUILD_BUG_ON(sizeof(struct mb2_tag_efi64) != 16);

/* 3.6.16 and 3.6.17: a copy of the RSDP follows the tag header. */
struct mb2_tag_rsdp {
	u32 type;
	u32 size;
	u8 rsdp[];
};
BUILD_BUG_ON(sizeof(struct mb2_tag_rsdp) != 8);

/* 3.6.19: descriptors follow, descr_size bytes apart. */
struct mb2_tag_efi_mmap {
	u32 type;
	u32 size;
	u32 descr_size; /* >= sizeof(struct efi_memory_descriptor) */
	u32 descr_vers; /* EFI_MEMORY_DESCRIPTOR_VERSION */
};
BUILD_BUG_ON(sizeof(struct mb2_tag_efi_mmap) != 16);

/* 3.6.23: where a relocatable image was placed. */
struct mb2_tag_load_base_addr {
	u32 type;
	u32 size;
	u32 load_base_addr;
};
BUILD_BUG_ON(sizeof(struct mb2_tag_load_base_addr) != 12);

/*
 * UEFI 2.10, 7.2.3 EFI_MEMORY_DESCRIPTOR. Packed because firmware may use
 * a descriptor size that is not a multiple of 8, leaving later
 * descriptors unaligned.
 */
struct efi_memory_descriptor {
	u32 type; /* EFI_* memory type */
	u32 pad;
	u64 physical_start;  /* 4 KiB aligned */
	u64 virtual_start;   /* unused before SetVirtualAddressMap() */
	u64 number_of_pages; /* of 4 KiB */
	u64 attribute;	     /* EFI_MEMORY_* capability bits */
} __packed;
BUILD_BUG_ON(sizeof(struct efi_memory_descriptor) != 40);

struct boot_memrange;

#endif /* !__ASSEMBLY__ */

#endif /* KAIROS_MULTIBOOT2_H */
