/*
 * Linux x86 kernels in the bzImage format: the parts of the boot protocol
 * (Linux's Documentation/arch/x86/boot.rst, "The Linux/x86 Boot
 * Protocol") a loader needs to put one in memory and enter it through the
 * 32-bit boot protocol, and the validation of an image into a load plan
 * (common/bzimage.c).
 *
 * What is accepted, and why:
 *
 *  - A bzImage: the boot sector's 0xAA55 flag and the "HdrS" signature
 *    in the setup header, protocol version 2.10 or later (Linux 2.6.31,
 *    2009), because only from 2.10 does the header say how much memory
 *    the kernel needs while it decompresses and starts (init_size) and
 *    where it prefers to run (pref_address): without them a kernel that
 *    does not fit would crash late instead of being refused. A zImage
 *    (not LOADED_HIGH) is refused: it loads below 1 MiB.
 *  - The protected-mode part is loaded at 1 MiB (BZ_LOAD_ADDR, where
 *    every bzImage may be loaded) and runs from its runtime start: the
 *    load address raised to pref_address and then rounded up to
 *    kernel_alignment for a relocatable kernel, pref_address otherwise
 *    (boot.rst, "init_size"). [runtime start, + init_size) must lie in
 *    the domain's RAM, and so must the loaded bytes.
 *  - The initramfs goes as high as it can below initrd_addr_max and the
 *    end of RAM, page-aligned, as QEMU and GRUB place it, and must stay
 *    above everything the kernel uses while it starts.
 *  - The command line may have at most cmdline_size bytes.
 *
 * Concurrency: every function here is a pure function of its arguments
 * (no globals, no allocation, nothing printed); any context, any CPU.
 */
#ifndef KAIROS_BZIMAGE_H
#define KAIROS_BZIMAGE_H

#include <compiler.h>
#include <types.h>

/* ---- The setup header, as file offsets (boot.rst "The Real-Mode Kernel Header") */

#define BZ_SETUP_SECTS	   0x1f1 /* u8: 512-byte setup sectors; 0 means 4 */
#define BZ_BOOT_FLAG	   0x1fe /* u16: 0xAA55 */
#define BZ_JUMP		   0x200 /* u16: jmp; its byte at 0x201 ends the header */
#define BZ_HEADER	   0x202 /* u32: "HdrS" */
#define BZ_VERSION	   0x206 /* u16: protocol, major << 8 | minor */
#define BZ_TYPE_OF_LOADER  0x210 /* u8, written: 0xff, no assigned ID */
#define BZ_LOADFLAGS	   0x211 /* u8 */
#define BZ_RAMDISK_IMAGE   0x218 /* u32, written */
#define BZ_RAMDISK_SIZE	   0x21c /* u32, written */
#define BZ_CMD_LINE_PTR	   0x228 /* u32, written */
#define BZ_INITRD_ADDR_MAX 0x22c /* u32: highest byte an initrd may use */
#define BZ_KERNEL_ALIGN	   0x230 /* u32 (2.05+) */
#define BZ_RELOCATABLE	   0x234 /* u8 (2.05+) */
#define BZ_XLOADFLAGS	   0x236 /* u16 (2.12+) */
#define BZ_CMDLINE_SIZE	   0x238 /* u32 (2.06+): bytes, NUL excluded */
#define BZ_PREF_ADDRESS	   0x258 /* u64 (2.10+) */
#define BZ_INIT_SIZE	   0x260 /* u32 (2.10+) */
/* The header ends before this zero-page offset (edd_mbr_sig_buffer). */
#define BZ_HEADER_LIMIT 0x290

#define BZ_BOOT_FLAG_MAGIC     0xaa55
#define BZ_HEADER_MAGIC	       0x53726448 /* "HdrS", little-endian */
#define BZ_PROTOCOL_MIN	       0x020a	  /* 2.10: init_size, pref_address */
#define BZ_LOADED_HIGH	       0x01 /* loadflags: protected mode at 1 MiB */
#define BZ_XLF_KERNEL_64       0x01 /* xloadflags: has a 64-bit entry */
#define BZ_DEFAULT_SETUP_SECTS 4

/* ---- The zero page (boot.rst "The Zero Page", struct boot_params) ------ */

#define BZ_ZERO_PAGE_SIZE    4096
#define BZ_ZP_ACPI_RSDP_ADDR 0x070 /* u64 (2.14+) */
#define BZ_ZP_E820_ENTRIES   0x1e8 /* u8 */
#define BZ_ZP_E820_TABLE     0x2d0 /* struct bz_e820_entry[] */
#define BZ_ZP_E820_MAX	     128
/* The memory map entry: as ACPI's and as struct hvm_e820_entry. */
#define BZ_E820_ENTRY_SIZE 20

/* Where the protected-mode kernel is loaded (boot.rst: "at 0x100000"). */
#define BZ_LOAD_ADDR 0x100000ULL

/* A validated image and where its parts go in a domain of mem bytes. */
struct bzimage_info {
	u16 version;	   /* boot protocol, >= BZ_PROTOCOL_MIN */
	bool kernel_64;	   /* it says it has a 64-bit entry (for the log) */
	u32 header_len;	   /* setup header bytes from BZ_SETUP_SECTS */
	u64 kernel_offset; /* file offset of the protected-mode kernel */
	u64 kernel_size;   /* its bytes, > 0 */
	u64 load_addr;	   /* BZ_LOAD_ADDR; also the 32-bit entry point */
	u64 runtime_start; /* where the kernel runs once decompressed */
	u64 runtime_end;   /* runtime_start + init_size, <= mem */
	u64 initrd_max;	   /* one past the highest byte an initrd may use */
	u32 cmdline_max;   /* longest command line, NUL excluded */
};

/* True if the image has a bzImage's boot flag and "HdrS" (any version). */
bool bzimage_probe(const u8 *image, size_t size);

/*
 * Validates the bzImage of size bytes at image for a domain of mem bytes
 * of RAM from 0 (holes below 1 MiB are the caller's: nothing is loaded
 * there), reading nothing outside [image, image + size) and assuming no
 * alignment. Returns 0 and the plan in *out, or -EINVAL with a one-line
 * reason in err (NUL-terminated if errlen > 0; "" on success; 256 bytes
 * hold any message whole) and *out zeroed.
 */
int bzimage_parse(const u8 *image, size_t size, u64 mem,
		  struct bzimage_info *out, char *err, size_t errlen);

/*
 * Where an initramfs of size bytes goes: the highest page-aligned address
 * at which it ends at or below min(mem, info->initrd_max), if that is at
 * or above info->runtime_end and the end of the loaded kernel. Returns 0
 * and the address in *gpa, or -EINVAL with the reason in err.
 */
int bzimage_place_initrd(const struct bzimage_info *info, u64 mem, u64 size,
			 u64 *gpa, char *err, size_t errlen);

/*
 * Checks a command line of len bytes (NUL excluded) against the kernel's
 * limit: 0, or -EINVAL with the reason in err.
 */
int bzimage_check_cmdline(const struct bzimage_info *info, size_t len,
			  char *err, size_t errlen);

#endif /* KAIROS_BZIMAGE_H */
