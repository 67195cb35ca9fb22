/* ELF64 guest images for the tests (elf_builder.h). */
#include "elf_builder.h"

#include <compiler.h>
#include <string.h>

#include <stdio.h>
#include <stdlib.h>

#define PAGE 4096UL

/* Stops the test program: a builder misuse is a bug in the test. */
static void eb_fail(const char *what)
{
	fprintf(stderr, "elf_builder: %s\n", what);
	abort();
}

void eb_init(struct elf_builder *b, void *buf, size_t cap)
{
	struct elf64_ehdr *eh;

	if (cap < EB_DATA_START)
		eb_fail("buffer too small for the headers");
	b->buf = buf;
	b->cap = cap;
	b->size = EB_DATA_START;
	memset(buf, 0, cap);
	eh = eb_ehdr(b);
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_phoff = sizeof(struct elf64_ehdr);
	eh->e_ehsize = sizeof(struct elf64_ehdr);
	eh->e_phentsize = sizeof(struct elf64_phdr);
	eh->e_shentsize = 64;
}

struct elf64_phdr *eb_add(struct elf_builder *b, u32 type, u32 flags)
{
	struct elf64_ehdr *eh = eb_ehdr(b);
	struct elf64_phdr *ph;

	if (eh->e_phnum >= EB_MAX_PHDRS)
		eb_fail("too many program headers");
	ph = eb_phdr(b, eh->e_phnum++);
	memset(ph, 0, sizeof(*ph));
	ph->p_type = type;
	ph->p_flags = flags;
	return ph;
}

struct elf64_phdr *eb_load(struct elf_builder *b, u32 flags, u64 vaddr,
			   u64 filesz, u64 memsz, u64 align)
{
	struct elf64_phdr *ph = eb_add(b, PT_LOAD, flags);
	size_t off;

	if (align >= PAGE)
		off = ROUNDUP(b->size, PAGE) + vaddr % PAGE;
	else
		off = ROUNDUP(b->size, 8);
	if (off > b->cap || filesz > b->cap - off)
		eb_fail("image does not fit the buffer");
	/* int3 for code, a byte pattern for data: never all zeroes. */
	memset(b->buf + off, (flags & PF_X) ? 0xcc : 0x5a, filesz);
	ph->p_offset = off;
	ph->p_vaddr = vaddr;
	ph->p_paddr = vaddr;
	ph->p_filesz = filesz;
	ph->p_memsz = memsz;
	ph->p_align = align;
	b->size = off + filesz;
	return ph;
}

size_t eb_standard(struct elf_builder *b)
{
	eb_ehdr(b)->e_entry = EB_STD_ENTRY;
	eb_load(b, PF_R | PF_X, 0x400000, 0x1800, 0x1800, PAGE);
	eb_load(b, PF_R, 0x402000, 0x800, 0x800, PAGE);
	eb_load(b, PF_R | PF_W, 0x403000, 0x100, 0x3000, PAGE);
	eb_add(b, PT_NOTE, PF_R);
	eb_add(b, PT_GNU_STACK, PF_R | PF_W);
	return b->size;
}
