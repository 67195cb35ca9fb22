/* Linux bzImages for the tests (bz_builder.h). */
#include "bz_builder.h"

#include <compiler.h>
#include <string.h>

#include <stdio.h>
#include <stdlib.h>

/* Header fields the parser does not read, written as a kernel has them. */
#define BZB_SYSSIZE	    0x1f4 /* u32: payload / 16 */
#define BZB_VID_MODE	    0x1fa /* u16: 0xffff, "normal" */
#define BZB_KERNEL_VERSION  0x20e /* u16: pointer to the version string */
#define BZB_HEAP_END_PTR    0x224 /* u16, written by real-mode loaders */
#define BZB_PAYLOAD_OFFSET  0x248 /* u32 (2.08+) */
#define BZB_PAYLOAD_LENGTH  0x24c /* u32 (2.08+) */
#define BZB_HANDOVER_OFFSET 0x264 /* u32 (2.11+) */
#define BZB_KERNEL_INFO	    0x268 /* u32 (2.15+) */
#define BZB_FIELDS_END	    0x26c

/* Stops the test program: a builder misuse is a bug in the test. */
static void bzb_fail(const char *what)
{
	fprintf(stderr, "bz_builder: %s\n", what);
	abort();
}

void bzb_debian(struct bzb_params *p)
{
	memset(p, 0, sizeof(*p));
	p->setup_sects = BZB_DEB_SETUP_SECTS;
	p->jump_len = BZB_DEB_JUMP_LEN;
	p->version = BZB_DEB_VERSION;
	p->loadflags = BZ_LOADED_HIGH;
	p->kernel_alignment = BZB_DEB_ALIGN;
	p->relocatable = 1;
	p->xloadflags = BZB_DEB_XLOADFLAGS;
	p->cmdline_size = BZB_DEB_CMDLINE;
	p->pref_address = BZB_DEB_PREF;
	p->init_size = BZB_DEB_INIT_SIZE;
	p->initrd_addr_max = BZB_DEB_INITRD_MAX;
	p->payload = BZB_DEB_PAYLOAD;
}

size_t bzb_kernel_offset(const struct bzb_params *p)
{
	return ((size_t)(p->setup_sects ?: BZ_DEFAULT_SETUP_SECTS) + 1) * 512;
}

void bzb_put(struct bz_builder *b, size_t off, u64 v, unsigned int bytes)
{
	unsigned int i;

	if (bytes > 8 || off + bytes > b->size)
		bzb_fail("field outside the image");
	for (i = 0; i < bytes; i++)
		b->buf[off + i] = (u8)(v >> (8 * i));
}

u64 bzb_get(const struct bz_builder *b, size_t off, unsigned int bytes)
{
	u64 v = 0;
	unsigned int i;

	if (bytes > 8 || off + bytes > b->size)
		bzb_fail("field outside the image");
	for (i = 0; i < bytes; i++)
		v |= (u64)b->buf[off + i] << (8 * i);
	return v;
}

size_t bzb_build(struct bz_builder *b, void *buf, size_t cap,
		 const struct bzb_params *p)
{
	size_t koff = bzb_kernel_offset(p);
	size_t i;

	if (koff + p->payload > cap)
		bzb_fail("image does not fit the buffer");
	b->buf = buf;
	b->cap = cap;
	b->size = koff + p->payload;
	memset(buf, 0, cap);

	/* The boot sector: a PE/COFF stub's "MZ", then the setup header. */
	b->buf[0] = 'M';
	b->buf[1] = 'Z';
	memset(b->buf + BZB_FIELDS_END, 0x90, koff - BZB_FIELDS_END);
	for (i = 0; i < p->payload; i++)
		b->buf[koff + i] = (u8)(i * 7 + 1);

	b->buf[BZ_SETUP_SECTS] = p->setup_sects;
	bzb_put(b, BZB_SYSSIZE, (p->payload + 15) / 16, 4);
	bzb_put(b, BZB_VID_MODE, 0xffff, 2);
	bzb_put(b, BZ_BOOT_FLAG, BZ_BOOT_FLAG_MAGIC, 2);
	b->buf[BZ_JUMP] = 0xeb; /* jmp short */
	b->buf[BZ_JUMP + 1] = p->jump_len;
	bzb_put(b, BZ_HEADER, BZ_HEADER_MAGIC, 4);
	bzb_put(b, BZ_VERSION, p->version, 2);
	bzb_put(b, BZB_KERNEL_VERSION, 0x3c80, 2);
	b->buf[BZ_LOADFLAGS] = p->loadflags;
	/* Fields only a loader writes: junk that must not survive. */
	b->buf[BZ_TYPE_OF_LOADER] = 0x42;
	bzb_put(b, BZ_RAMDISK_IMAGE, BZB_JUNK, 4);
	bzb_put(b, BZ_RAMDISK_SIZE, BZB_JUNK, 4);
	bzb_put(b, BZ_CMD_LINE_PTR, BZB_JUNK, 4);
	bzb_put(b, BZB_HEAP_END_PTR, 0, 2);
	bzb_put(b, BZ_INITRD_ADDR_MAX, p->initrd_addr_max, 4);
	bzb_put(b, BZ_KERNEL_ALIGN, p->kernel_alignment, 4);
	b->buf[BZ_RELOCATABLE] = p->relocatable;
	b->buf[BZ_RELOCATABLE + 1] = 21; /* min_alignment: log2(2 MiB) */
	bzb_put(b, BZ_XLOADFLAGS, p->xloadflags, 2);
	bzb_put(b, BZ_CMDLINE_SIZE, p->cmdline_size, 4);
	bzb_put(b, BZB_PAYLOAD_OFFSET, 0x3b4, 4);
	bzb_put(b, BZB_PAYLOAD_LENGTH, p->payload / 2, 4);
	bzb_put(b, BZ_PREF_ADDRESS, p->pref_address, 8);
	bzb_put(b, BZ_INIT_SIZE, p->init_size, 4);
	bzb_put(b, BZB_HANDOVER_OFFSET, 0x190, 4);
	bzb_put(b, BZB_KERNEL_INFO, 0x1a2b3c, 4);
	return b->size;
}
