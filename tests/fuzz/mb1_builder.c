/* Multiboot (v1) kernel images for the tests (mb1_builder.h). */
#include "mb1_builder.h"

#include <compiler.h>
#include <string.h>

#include <stdio.h>
#include <stdlib.h>

#define PAGE 4096UL

/* Stops the test program: a builder misuse is a bug in the test. */
static void mb1b_fail(const char *what)
{
	fprintf(stderr, "mb1_builder: %s\n", what);
	abort();
}

static void grow(struct mb1_builder *b, size_t size)
{
	if (size > b->cap)
		mb1b_fail("image does not fit the buffer");
	if (size > b->size)
		b->size = size;
}

/* ---- Either kind ------------------------------------------------------- */

void mb1b_fix_checksum(struct mb1_builder *b)
{
	struct mb1_header h;

	memcpy(&h, b->buf + b->header_off, MB1_HEADER_MIN);
	h.checksum = -(h.magic + h.flags);
	memcpy(b->buf + b->header_off, &h, MB1_HEADER_MIN);
}

void mb1b_set_flags(struct mb1_builder *b, u32 flags)
{
	struct mb1_header h;

	memcpy(&h, b->buf + b->header_off, MB1_HEADER_MIN);
	h.flags = flags;
	memcpy(b->buf + b->header_off, &h, MB1_HEADER_MIN);
	mb1b_fix_checksum(b);
}

void mb1b_move_header(struct mb1_builder *b, size_t off)
{
	struct mb1_header h;

	memcpy(&h, b->buf + b->header_off, sizeof(h));
	memset(b->buf + b->header_off, 0, sizeof(h));
	grow(b, off + sizeof(h));
	memcpy(b->buf + off, &h, sizeof(h));
	b->header_off = off;
}

static void put_header(struct mb1_builder *b, const struct mb1_header *h)
{
	memcpy(b->buf + b->header_off, h, sizeof(*h));
	mb1b_fix_checksum(b);
}

/* ---- ELF32 ------------------------------------------------------------- */

void mb1b_elf_init(struct mb1_builder *b, void *buf, size_t cap)
{
	struct mb1_header h = {.magic = MB1_HEADER_MAGIC,
			       .flags = MB1B_ELF_FLAGS};
	struct elf32_ehdr *eh;

	if (cap < MB1B_DATA_START)
		mb1b_fail("buffer too small for the headers");
	b->buf = buf;
	b->cap = cap;
	b->size = MB1B_DATA_START;
	b->header_off = MB1B_ELF_HEADER_OFF;
	memset(buf, 0, cap);
	eh = mb1b_ehdr(b);
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS32;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_386;
	eh->e_version = EV_CURRENT;
	eh->e_phoff = sizeof(struct elf32_ehdr);
	eh->e_ehsize = sizeof(struct elf32_ehdr);
	eh->e_phentsize = sizeof(struct elf32_phdr);
	eh->e_shentsize = 40;
	put_header(b, &h);
}

struct elf32_phdr *mb1b_add(struct mb1_builder *b, u32 type, u32 flags)
{
	struct elf32_ehdr *eh = mb1b_ehdr(b);
	struct elf32_phdr *ph;

	if (eh->e_phnum >= MB1B_MAX_PHDRS)
		mb1b_fail("too many program headers");
	ph = mb1b_phdr(b, eh->e_phnum++);
	memset(ph, 0, sizeof(*ph));
	ph->p_type = type;
	ph->p_flags = flags;
	return ph;
}

struct elf32_phdr *mb1b_load(struct mb1_builder *b, u32 flags, u32 paddr,
			     u32 filesz, u32 memsz)
{
	struct elf32_phdr *ph = mb1b_add(b, PT_LOAD, flags);
	size_t off = ROUNDDOWN(b->size, PAGE) + paddr % PAGE;

	if (off < b->size)
		off += PAGE;
	grow(b, off + filesz);
	memset(b->buf + off, (flags & PF_X) ? 0xcc : 0x5a, filesz);
	ph->p_offset = off;
	ph->p_vaddr = paddr;
	ph->p_paddr = paddr;
	ph->p_filesz = filesz;
	ph->p_memsz = memsz;
	ph->p_align = PAGE;
	return ph;
}

size_t mb1b_elf_standard(struct mb1_builder *b)
{
	mb1b_ehdr(b)->e_entry = MB1B_STD_ENTRY;
	mb1b_load(b, PF_R | PF_X, 0x100000, 0x2000, 0x2000);
	mb1b_load(b, PF_R, 0x102000, 0x800, 0x800);
	mb1b_load(b, PF_R | PF_W, 0x103000, 0x100, 0x5000);
	mb1b_add(b, PT_GNU_STACK, PF_R | PF_W);
	return b->size;
}

/* ---- a.out kludge ------------------------------------------------------ */

void mb1b_aout_init(struct mb1_builder *b, void *buf, size_t cap, u32 load_addr,
		    size_t header_off, size_t file_size, u32 bss)
{
	struct mb1_header h = {
		.magic = MB1_HEADER_MAGIC,
		.flags = MB1_HEADER_MEMORY_INFO | MB1_HEADER_AOUT_KLUDGE,
		.header_addr = load_addr + header_off,
		.load_addr = load_addr,
		.load_end_addr = load_addr + file_size,
		.bss_end_addr = bss ? load_addr + file_size + bss : 0,
		.entry_addr = load_addr + header_off + MB1_HEADER_VIDEO,
	};

	if (file_size > cap || header_off + sizeof(h) > file_size)
		mb1b_fail("a.out image does not fit");
	b->buf = buf;
	b->cap = cap;
	b->size = file_size;
	b->header_off = header_off;
	memset(buf, 0, cap);
	memset(buf, 0xcc, file_size);
	put_header(b, &h);
}

size_t mb1b_aout_standard(struct mb1_builder *b, void *buf, size_t cap)
{
	mb1b_aout_init(b, buf, cap, MB1B_AOUT_LOAD, 0, MB1B_AOUT_FILE,
		       MB1B_AOUT_BSS);
	return b->size;
}
