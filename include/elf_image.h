/*
 * Guest images: validation and description of a static ELF64 x86-64
 * executable (common/elf_image.c), the format of a guest domain's
 * multiboot2 module. docs/guest-images.md lists the checks and why each
 * exists.
 *
 * The layout is the System V ABI's, generic part (gABI): chapter 4,
 * "ELF Header", and chapter 5, "Program Header"; EM_X86_64 and the
 * 4 KiB page come from the System V AMD64 psABI, 4.1.1 and 5.1.
 *
 * Concurrency: elf_image_parse() is a pure function of its arguments (no
 * globals, no allocation, nothing printed); any context, any CPU.
 */
#ifndef KAIROS_ELF_IMAGE_H
#define KAIROS_ELF_IMAGE_H

#include <compiler.h>
#include <public/abi.h>
#include <types.h>

/* ---- ELF64 on-file layout (gABI "ELF Header", "Program Header") ------- */

/* e_ident[] indexes and values. */
#define EI_NIDENT   16
#define EI_MAG0	    0
#define EI_CLASS    4
#define EI_DATA	    5
#define EI_VERSION  6
#define ELFMAG	    "\177ELF"
#define SELFMAG	    4
#define ELFCLASS64  2 /* 64-bit objects */
#define ELFDATA2LSB 1 /* two's complement, little-endian */
#define EV_CURRENT  1 /* e_ident[EI_VERSION] and e_version */

/* e_type. */
#define ET_REL	1
#define ET_EXEC 2 /* executable at fixed addresses: the only one accepted */
#define ET_DYN	3 /* shared object or position-independent executable */
#define ET_CORE 4

/* e_machine (psABI 4.1.1). */
#define EM_X86_64 62

/* e_phnum: the real count is in section header 0 (not supported). */
#define PN_XNUM 0xffff

/* p_type. */
#define PT_NULL	     0
#define PT_LOAD	     1 /* bytes to map: the only type the loader acts on */
#define PT_DYNAMIC   2 /* dynamic linking information: refused */
#define PT_INTERP    3 /* program interpreter (ld.so): refused */
#define PT_NOTE	     4
#define PT_PHDR	     6
#define PT_TLS	     7
#define PT_GNU_STACK 0x6474e551

/* p_flags. */
#define PF_X 0x1
#define PF_W 0x2
#define PF_R 0x4

struct elf64_ehdr {
	u8 e_ident[EI_NIDENT]; /* magic, class, data encoding, version */
	u16 e_type;	       /* ET_* */
	u16 e_machine;	       /* EM_* */
	u32 e_version;	       /* EV_CURRENT */
	u64 e_entry;	       /* virtual address of the first instruction */
	u64 e_phoff;	       /* file offset of the program header table */
	u64 e_shoff;	       /* file offset of the section headers (unused) */
	u32 e_flags;	       /* none defined for x86-64 */
	u16 e_ehsize;	       /* sizeof(struct elf64_ehdr) */
	u16 e_phentsize;       /* sizeof(struct elf64_phdr) */
	u16 e_phnum;	       /* program headers, PN_XNUM if more */
	u16 e_shentsize;
	u16 e_shnum;
	u16 e_shstrndx;
};
BUILD_BUG_ON(sizeof(struct elf64_ehdr) != 64);

struct elf64_phdr {
	u32 p_type;   /* PT_* */
	u32 p_flags;  /* PF_* */
	u64 p_offset; /* file offset of the segment's first byte */
	u64 p_vaddr;  /* virtual address of that byte */
	u64 p_paddr;  /* ignored */
	u64 p_filesz; /* bytes in the file */
	u64 p_memsz;  /* bytes in memory; past p_filesz they are zero */
	u64 p_align;  /* 0 or 1 (none), else a power of two */
};
BUILD_BUG_ON(sizeof(struct elf64_phdr) != 56);

/* ---- What a guest image may be ---------------------------------------- */

/* The guest page: the granule of mapping and protection (psABI 5.1). */

/*
 * The default window for a guest's segments: the lower (user) half of the
 * 48-bit address space, minus the first 4 MiB so that a null pointer, or
 * a small offset from one, never lands on guest code or data.
 */
#define GUEST_IMAGE_VADDR_END GUEST_VADDR_END

/* Most PT_LOAD segments an image may have (linkers emit 2 to 5). */
#define ELF_IMAGE_MAX_SEGMENTS 16
/* Most program headers of any type an image may have. */
#define ELF_IMAGE_MAX_PHDRS 64

/* What the caller allows. */
struct elf_image_limits {
	u64 vaddr_min; /* segments start at or above; page aligned */
	u64 vaddr_end; /* segments end at or below; page aligned, > min */
	u64 mem_limit; /* bytes the page-rounded segments may take */
};

/* Segment permissions: the PF_* bits, nothing else. */
#define ELF_SEG_X PF_X
#define ELF_SEG_W PF_W
#define ELF_SEG_R PF_R

/* One PT_LOAD segment, as validated. */
struct elf_segment {
	u64 vaddr;  /* p_vaddr: first byte in guest memory (not rounded) */
	u64 memsz;  /* bytes in memory, > 0 */
	u64 filesz; /* bytes copied from the image, <= memsz; rest zeroed */
	u64 offset; /* where the copied bytes start in the image */
	u32 flags;  /* ELF_SEG_R|W|X; never W and X together */
	u32 phdr;   /* index of its program header (for messages) */
};

/*
 * A validated image. Every segment's bytes [offset, offset + filesz) lie
 * inside the image; every segment's pages [ROUNDDOWN(vaddr),
 * ROUNDUP(vaddr + memsz)) lie inside the limits' window and share no page
 * with another segment; entry lies in the file-backed part of an
 * executable segment.
 */
struct elf_image_info {
	u64 entry;	 /* e_entry */
	u32 nr_segments; /* 1..ELF_IMAGE_MAX_SEGMENTS */
	struct elf_segment segments[ELF_IMAGE_MAX_SEGMENTS]; /* phdr order */
	u64 total_pages; /* GUEST_PAGE_SIZE pages the segments span */
};

/*
 * Validates the ELF64 guest image of size bytes at image, reading nothing
 * outside [image, image + size) and making no assumption about its
 * alignment, and describes it in *info. Returns 0, or -EINVAL with a
 * one-line reason in err (always NUL-terminated if errlen > 0; "" on
 * success) and *info zeroed. Checks, in order: the header (magic, class,
 * encoding, version, type, machine, header sizes), the program header
 * table's bounds, then each program header in turn, then the entry point
 * and the memory total; the first failure is the one reported. Limits
 * that are not page aligned or empty are refused the same way. 256
 * bytes of err hold any message whole.
 */
int elf_image_parse(const void *image, size_t size,
		    const struct elf_image_limits *limits,
		    struct elf_image_info *info, char *err, size_t errlen);

/* "r-x" and the like, for logs: flags is a struct elf_segment's. */
static inline const char *elf_segment_perms(u32 flags)
{
	static const char *const perms[8] = {
		"---", "--x", "-w-", "-wx", "r--", "r-x", "rw-", "rwx",
	};

	return perms[flags & 7];
}

#endif /* KAIROS_ELF_IMAGE_H */
