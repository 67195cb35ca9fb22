/*
 * Writes the seed corpus of fuzz_multiboot1_image into the directory
 * named by argv[1]: valid Multiboot (v1) kernels built with mb1_builder.c,
 * ELF32 and a.out-kludge ones, each a whole file. Generated at build time
 * so that no binary blobs live in the tree.
 */
#include "mb1_builder.h"

#include <compiler.h>
#include <string.h>

#include <stdio.h>
#include <stdlib.h>

static u8 buf[128 * 1024] __aligned(8);
static const char *dir;

/* Writes the built image as <dir>/<name>. */
static void emit(const char *name, const struct mb1_builder *b)
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
	struct mb1_builder b;
	struct elf32_phdr *ph;
	u32 i;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	dir = argv[1];

	/* A kernel linked at 1 MiB: code, read-only data, data with bss. */
	mb1b_elf_init(&b, buf, sizeof(buf));
	mb1b_elf_standard(&b);
	emit("elf-standard", &b);

	/* A higher-half kernel with a virtual entry, and a video mode. */
	mb1b_elf_init(&b, buf, sizeof(buf));
	ph = mb1b_load(&b, PF_R | PF_W | PF_X, 0x100000, 0x800, 0x3000);
	ph->p_vaddr = 0xc0100000;
	mb1b_ehdr(&b)->e_entry = 0xc0100010;
	mb1b_add(&b, PT_NOTE, PF_R);
	mb1b_header(&b)->width = 80;
	mb1b_header(&b)->height = 25;
	mb1b_set_flags(&b, MB1B_ELF_FLAGS | MB1_HEADER_VIDEO_MODE);
	emit("elf-higher-half", &b);

	/* Low memory around the info region, segments out of order. */
	mb1b_elf_init(&b, buf, sizeof(buf));
	mb1b_load(&b, PF_R | PF_W, 0x10000, 0x40, 0x1000);
	mb1b_load(&b, PF_R | PF_X, 0x1000, 0x100, 0x100);
	mb1b_add(&b, PT_LOAD, PF_R);
	mb1b_ehdr(&b)->e_entry = 0x1000;
	emit("elf-low-memory", &b);

	/* The most segments accepted. */
	mb1b_elf_init(&b, buf, sizeof(buf));
	for (i = 0; i < MB1_MAX_SEGMENTS; i++)
		mb1b_load(&b, i ? PF_R : PF_R | PF_X, 0x200000 + i * 0x1000, 4,
			  8);
	mb1b_ehdr(&b)->e_entry = 0x200000;
	emit("elf-sixteen-segments", &b);

	/* a.out kludge: header at the start, bss after the file. */
	mb1b_aout_standard(&b, buf, sizeof(buf));
	emit("aout-standard", &b);

	/* a.out kludge: header deeper in, whole file, no bss. */
	mb1b_aout_init(&b, buf, sizeof(buf), 0x400000, 0x200, 0x1000, 0);
	mb1b_header(&b)->load_end_addr = 0;
	mb1b_fix_checksum(&b);
	emit("aout-whole-file", &b);
	return 0;
}
