/*
 * Builds ELF64 guest images in memory for the tests of common/elf_image.c:
 * the host unit tests (tests/unit/test_elf_image.c) and the fuzz target's
 * seed corpus (gen_elf_seeds.c).
 *
 * Layout: the ELF header at 0, room for EB_MAX_PHDRS program headers
 * right after it, then each loadable segment's file bytes, appended in
 * the order the segments are added. The headers stay in the buffer, so a
 * test may change any field after building.
 */
#ifndef ELF_BUILDER_H
#define ELF_BUILDER_H

#include <elf_image.h>
#include <types.h>

/* Program headers the builder has room for (more than the parser takes). */
#define EB_MAX_PHDRS 20
/* Where segment bytes may start: after the header and the table. */
#define EB_DATA_START \
	(sizeof(struct elf64_ehdr) + EB_MAX_PHDRS * sizeof(struct elf64_phdr))

struct elf_builder {
	u8 *buf;     /* 8-byte aligned, cap bytes */
	size_t cap;  /* bytes buf holds */
	size_t size; /* bytes of image built so far */
};

/*
 * Starts an image in buf: a valid header (ET_EXEC, EM_X86_64, entry 0)
 * with no program headers yet. Zeroes the buffer.
 */
void eb_init(struct elf_builder *b, void *buf, size_t cap);

static inline struct elf64_ehdr *eb_ehdr(struct elf_builder *b)
{
	return (struct elf64_ehdr *)b->buf;
}

/* Program header i (i < e_phnum, or the next one to be added). */
static inline struct elf64_phdr *eb_phdr(struct elf_builder *b, u32 i)
{
	return (struct elf64_phdr *)(b->buf + sizeof(struct elf64_ehdr)) + i;
}

/* Appends a zeroed program header of type (and flags); returns it. */
struct elf64_phdr *eb_add(struct elf_builder *b, u32 type, u32 flags);

/*
 * Appends a PT_LOAD of memsz bytes at vaddr, the first filesz of them
 * from the file (filled with a recognisable pattern). With align >= 4096
 * the file bytes start on an offset congruent to vaddr modulo the page,
 * as a linker places them; with a smaller align they follow the previous
 * bytes at the next 8-byte boundary. Returns the header.
 */
struct elf64_phdr *eb_load(struct elf_builder *b, u32 flags, u64 vaddr,
			   u64 filesz, u64 memsz, u64 align);

/*
 * The image most tests start from, as a static linker lays one out:
 *   0  PT_LOAD r-x 0x400000, 0x1800 bytes (code; entry 0x400100)
 *   1  PT_LOAD r-- 0x402000, 0x800 bytes (read-only data)
 *   2  PT_LOAD rw- 0x403000, 0x100 file bytes, 0x3000 in memory (bss)
 *   3  PT_NOTE, 4  PT_GNU_STACK rw-
 * 6 pages in all. Returns the image size.
 */
size_t eb_standard(struct elf_builder *b);

#define EB_STD_ENTRY 0x400100UL
#define EB_STD_PAGES 6

#endif /* ELF_BUILDER_H */
