/*
 * Writes the seed corpus of fuzz_bzimage into the directory named by
 * argv[1]: bzImages built with bz_builder.c, each a whole file: kernels
 * the parser takes (the Debian-like one of bz_builder.h in its variants,
 * one small enough for the smallest domain) and near misses, one field
 * off each. Payloads are small, so that the fuzzer runs fast. Generated at
 * build time so that no binary blobs live in the tree.
 */
#include "bz_builder.h"

#include <compiler.h>
#include <string.h>

#include <stdio.h>
#include <stdlib.h>

static u8 buf[256 * 1024] __aligned(8);
static const char *dir;

/* Writes the first size bytes of the built image as <dir>/<name>. */
static void emit_size(const char *name, const struct bz_builder *b, size_t size)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(b->buf, 1, size, f) != size || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

/* Builds the image p describes and writes it whole. */
static void emit(const char *name, const struct bzb_params *p)
{
	struct bz_builder b;

	bzb_build(&b, buf, sizeof(buf), p);
	emit_size(name, &b, b.size);
}

/* The Debian-like kernel, with a 4 KiB payload. */
static void debian(struct bzb_params *p)
{
	bzb_debian(p);
	p->payload = 0x1000;
}

int main(int argc, char **argv)
{
	struct bzb_params p;
	struct bz_builder b;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	dir = argv[1];

	/* Taken. */
	debian(&p);
	emit("debian", &p);

	debian(&p);
	p.setup_sects = 0;
	emit("setup-sects-zero", &p);

	debian(&p);
	p.version = BZ_PROTOCOL_MIN;
	p.jump_len = BZ_INIT_SIZE + 4 - (BZ_JUMP + 2);
	p.xloadflags = 0;
	emit("protocol-2.10", &p);

	debian(&p);
	p.jump_len = BZ_HEADER_LIMIT - (BZ_JUMP + 2);
	emit("header-at-limit", &p);

	debian(&p);
	p.relocatable = 0;
	emit("not-relocatable", &p);

	debian(&p);
	p.pref_address = 0x80000;
	p.kernel_alignment = 0x400000;
	emit("pref-below-1m", &p);

	/* Fits the smallest domain, initramfs and all. */
	debian(&p);
	p.pref_address = BZ_LOAD_ADDR;
	p.kernel_alignment = 0x1000;
	p.init_size = 0x80000;
	p.initrd_addr_max = 0x1fffff;
	p.cmdline_size = 255;
	emit("tiny", &p);

	/* Refused, one thing wrong each. */
	debian(&p);
	p.version = 0x0209;
	emit("protocol-2.09", &p);

	debian(&p);
	p.loadflags = 0;
	emit("zimage", &p);

	debian(&p);
	p.jump_len = BZ_INIT_SIZE + 3 - (BZ_JUMP + 2);
	emit("header-short", &p);

	debian(&p);
	p.jump_len = BZ_HEADER_LIMIT + 1 - (BZ_JUMP + 2);
	emit("header-past-limit", &p);

	debian(&p);
	p.payload = 0;
	emit("no-kernel", &p);

	debian(&p);
	p.init_size = 0;
	emit("init-size-zero", &p);

	debian(&p);
	p.init_size = 0xffffffff;
	emit("init-size-huge", &p);

	debian(&p);
	p.kernel_alignment = 0x300000;
	emit("alignment-not-power-of-two", &p);

	debian(&p);
	p.pref_address = 0xc0000001;
	emit("pref-past-mem", &p);

	debian(&p);
	p.initrd_addr_max = 0xffffff;
	emit("initrd-max-low", &p);

	/* Files that end in the header: after "HdrS", and before its end. */
	debian(&p);
	bzb_build(&b, buf, sizeof(buf), &p);
	emit_size("ends-after-hdrs", &b, BZ_HEADER + 4);
	emit_size("ends-in-header", &b, BZB_DEB_HEADER_END - 1);
	return 0;
}
