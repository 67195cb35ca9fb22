/*
 * Writes the seed corpus of fuzz_elf_image into the directory named by
 * argv[1]: valid guest images built with elf_builder.c, each a whole
 * file. Generated at build time so that no binary blobs live in the tree.
 */
#include "elf_builder.h"

#include <compiler.h>
#include <string.h>

#include <stdio.h>
#include <stdlib.h>

#define PAGE 4096UL

static u8 buf[128 * 1024] __aligned(8);
static const char *dir;

/* Writes the built image as <dir>/<name>. */
static void emit(const char *name, const struct elf_builder *b)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(b->buf, 1, b->size, f) != b->size || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	struct elf_builder b;
	unsigned int i;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	dir = argv[1];

	/* Code, read-only data, data with bss, a note and GNU_STACK. */
	eb_init(&b, buf, sizeof(buf));
	eb_standard(&b);
	emit("standard", &b);

	/* One byte of code, packed right after the headers. */
	eb_init(&b, buf, sizeof(buf));
	eb_ehdr(&b)->e_entry = 0x400000;
	eb_load(&b, PF_R | PF_X, 0x400000, 1, 1, 0);
	emit("minimal", &b);

	/* Small alignments, unsorted, with TLS, PHDR and an empty load. */
	eb_init(&b, buf, sizeof(buf));
	eb_ehdr(&b)->e_entry = 0x500010;
	eb_add(&b, PT_PHDR, PF_R);
	eb_load(&b, PF_R | PF_W, 0x600100, 0x40, 0x2000, 8);
	eb_load(&b, PF_R | PF_X, 0x500010, 0x100, 0x100, 16);
	eb_add(&b, PT_TLS, PF_R);
	eb_add(&b, PT_LOAD, PF_R);
	eb_add(&b, PT_GNU_STACK, PF_R | PF_W);
	emit("packed-unsorted", &b);

	/* The most segments accepted, one page each. */
	eb_init(&b, buf, sizeof(buf));
	eb_ehdr(&b)->e_entry = 0x400000;
	for (i = 0; i < ELF_IMAGE_MAX_SEGMENTS; i++)
		eb_load(&b, i ? PF_R : PF_R | PF_X, 0x400000 + i * PAGE, 8, 8,
			PAGE);
	emit("sixteen-segments", &b);

	/* At the top of the user half, linked with 2 MiB alignment. */
	eb_init(&b, buf, sizeof(buf));
	eb_ehdr(&b)->e_entry = GUEST_IMAGE_VADDR_END - 0x400000;
	eb_load(&b, PF_R | PF_X, GUEST_IMAGE_VADDR_END - 0x400000, 0x100, 0x100,
		0x200000);
	eb_load(&b, PF_R | PF_W, GUEST_IMAGE_VADDR_END - 0x200000, 0x10,
		0x200000, 0x200000);
	emit("top-of-window", &b);
	return 0;
}
