/*
 * Builds Multiboot (v1) kernel images in memory for the tests of
 * common/multiboot1_image.c: the host unit tests
 * (tests/unit/test_multiboot1_image.c) and the fuzz target's seed corpus
 * (gen_mb1_seeds.c). Two kinds:
 *
 *  - ELF32: the ELF header at 0, room for MB1B_MAX_PHDRS program headers
 *    after it, the Multiboot header at MB1B_ELF_HEADER_OFF (flags: page
 *    alignment and memory information, as tests/hvm's kernels have), then
 *    each loadable segment's file bytes, in the order they are added.
 *  - a.out kludge: a flat binary loaded at a fixed address, the Multiboot
 *    header (flag bit 16 and its address fields) inside it.
 *
 * Everything stays in the buffer, so a test may change any field after
 * building; mb1b_fix_checksum() makes a changed header valid again.
 */
#ifndef MB1_BUILDER_H
#define MB1_BUILDER_H

#include <multiboot1_image.h>
#include <types.h>

/* Program headers the builder has room for (more than the parser takes). */
#define MB1B_MAX_PHDRS 70
/* Where the ELF kind's Multiboot header goes: after the table, aligned. */
#define MB1B_ELF_HEADER_OFF                                         \
	ROUNDUP(sizeof(struct elf32_ehdr) +                         \
			MB1B_MAX_PHDRS * sizeof(struct elf32_phdr), \
		8)
/* Where segment bytes may start: after the Multiboot header. */
#define MB1B_DATA_START (MB1B_ELF_HEADER_OFF + MB1_HEADER_VIDEO)
/* The ELF kind's Multiboot flags. */
#define MB1B_ELF_FLAGS (MB1_HEADER_PAGE_ALIGN | MB1_HEADER_MEMORY_INFO)

struct mb1_builder {
	u8 *buf;	   /* 8-byte aligned, cap bytes */
	size_t cap;	   /* bytes buf holds */
	size_t size;	   /* bytes of image built so far */
	size_t header_off; /* where the Multiboot header is */
};

/* ---- Either kind ------------------------------------------------------- */

static inline struct mb1_header *mb1b_header(struct mb1_builder *b)
{
	return (struct mb1_header *)(b->buf + b->header_off);
}

/* Sets the header's checksum so that magic + flags + checksum == 0. */
void mb1b_fix_checksum(struct mb1_builder *b);

/* Sets the header's flags and fixes the checksum. */
void mb1b_set_flags(struct mb1_builder *b, u32 flags);

/*
 * Moves the header to file offset off (any alignment; the image grows if
 * needed, the old place is zeroed).
 */
void mb1b_move_header(struct mb1_builder *b, size_t off);

/* ---- ELF32 ------------------------------------------------------------- */

/*
 * Starts an ELF32 image in buf: a valid header (ET_EXEC, EM_386, entry 0)
 * with no program headers yet, and the Multiboot header. Zeroes buf.
 */
void mb1b_elf_init(struct mb1_builder *b, void *buf, size_t cap);

static inline struct elf32_ehdr *mb1b_ehdr(struct mb1_builder *b)
{
	return (struct elf32_ehdr *)b->buf;
}

/* Program header i (i < e_phnum, or the next one to be added). */
static inline struct elf32_phdr *mb1b_phdr(struct mb1_builder *b, u32 i)
{
	return (struct elf32_phdr *)(b->buf + sizeof(struct elf32_ehdr)) + i;
}

/* Appends a zeroed program header of type (and flags); returns it. */
struct elf32_phdr *mb1b_add(struct mb1_builder *b, u32 type, u32 flags);

/*
 * Appends a PT_LOAD of memsz bytes at physical (and virtual) address
 * paddr, the first filesz of them from the file (0xcc for code, 0x5a
 * for data), at the next file offset congruent to paddr modulo 4 KiB.
 * Returns the header.
 */
struct elf32_phdr *mb1b_load(struct mb1_builder *b, u32 flags, u32 paddr,
			     u32 filesz, u32 memsz);

/*
 * The ELF image most tests start from, as a linker lays out a kernel
 * linked at 1 MiB:
 *   0  PT_LOAD r-x 0x100000, 0x2000 bytes (code; entry 0x10000c)
 *   1  PT_LOAD r-- 0x102000, 0x800 bytes
 *   2  PT_LOAD rw- 0x103000, 0x100 file bytes, 0x5000 in memory (bss)
 *   3  PT_GNU_STACK rw-
 * Returns the image size.
 */
size_t mb1b_elf_standard(struct mb1_builder *b);

#define MB1B_STD_ENTRY 0x10000cU
#define MB1B_STD_START 0x100000U
#define MB1B_STD_END   0x108000U

/* ---- a.out kludge ------------------------------------------------------ */

/*
 * A flat image of file_size bytes (0xcc) loaded at load_addr, with the
 * Multiboot header at file offset header_off (flags: memory information
 * and the a.out kludge): header_addr = load_addr + header_off,
 * load_end_addr = load_addr + file_size, bss_end_addr = that + bss (0
 * if bss is 0), entry_addr = header_addr + 48. Zeroes buf.
 */
void mb1b_aout_init(struct mb1_builder *b, void *buf, size_t cap, u32 load_addr,
		    size_t header_off, size_t file_size, u32 bss);

/* The a.out image most tests start from: 0x3000 bytes at 1 MiB, header
 * at 0, 0x4000 bytes of bss. */
size_t mb1b_aout_standard(struct mb1_builder *b, void *buf, size_t cap);

#define MB1B_AOUT_LOAD 0x100000U
#define MB1B_AOUT_FILE 0x3000U
#define MB1B_AOUT_BSS  0x4000U

#endif /* MB1_BUILDER_H */
