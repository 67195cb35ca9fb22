/*
 * Builds synthetic Linux bzImages in memory for the tests of
 * common/bzimage.c: the host unit tests (tests/unit/test_bzimage.c) and
 * the fuzz target's seed corpus (gen_bz_seeds.c).
 *
 * The image, as a real kernel's (boot.rst "The Real-Mode Kernel Header"):
 * the boot sector ("MZ" at 0, 0xAA55 at 0x1fe), the setup header from
 * 0x1f1 (setup_sects, syssize, the jump at 0x200 whose second byte ends
 * the header at 0x202 + that byte, "HdrS", the version and the fields
 * include/bzimage.h names), the rest of the setup sectors (0x90), then
 * the protected-mode payload (a byte pattern). Every field is in the
 * buffer, so a test may change any of them after building (bzb_put()).
 */
#ifndef BZ_BUILDER_H
#define BZ_BUILDER_H

#include <bzimage.h>
#include <types.h>

/* What bzb_build() writes; bzb_debian() fills in a stock kernel's. */
struct bzb_params {
	u8 setup_sects;	      /* 512-byte sectors after the boot sector */
	u8 jump_len;	      /* at 0x201: the header ends at 0x202 + it */
	u16 version;	      /* major << 8 | minor */
	u8 loadflags;	      /* BZ_LOADED_HIGH for a bzImage */
	u32 kernel_alignment; /* a power of two */
	u8 relocatable;	      /* relocatable_kernel */
	u16 xloadflags;	      /* BZ_XLF_KERNEL_64 and others */
	u32 cmdline_size;     /* bytes, NUL excluded */
	u64 pref_address;     /* where it prefers to run */
	u32 init_size;	      /* bytes it needs from its runtime start */
	u32 initrd_addr_max;  /* highest byte an initramfs may use */
	size_t payload;	      /* protected-mode bytes */
};

/*
 * A 2.15 relocatable, 64-bit capable kernel as Debian 12 ships one
 * (Linux 6.1, CONFIG_PHYSICAL_START 16 MiB, CONFIG_PHYSICAL_ALIGN
 * 2 MiB), with a 64 KiB payload instead of its ~7 MiB.
 */
#define BZB_DEB_SETUP_SECTS 27
#define BZB_DEB_JUMP_LEN    0x6a /* the header ends at 0x26c */
#define BZB_DEB_HEADER_END  (BZ_JUMP + 2 + BZB_DEB_JUMP_LEN)
#define BZB_DEB_VERSION	    0x020f
#define BZB_DEB_ALIGN	    0x200000U
#define BZB_DEB_XLOADFLAGS  0x7f
#define BZB_DEB_CMDLINE	    2047U
#define BZB_DEB_PREF	    0x1000000ULL
#define BZB_DEB_INIT_SIZE   0x2800000U /* 40 MiB */
#define BZB_DEB_INITRD_MAX  0x7fffffffU
#define BZB_DEB_PAYLOAD	    0x10000U
/* A loader-written field the image holds junk in, to be overwritten. */
#define BZB_JUNK 0xdeadbeefU

struct bz_builder {
	u8 *buf;     /* cap bytes */
	size_t cap;  /* bytes buf holds */
	size_t size; /* bytes of image built */
};

/* The parameters of the Debian-like kernel above. */
void bzb_debian(struct bzb_params *p);

/*
 * Builds the image p describes into buf (zeroed first): (setup_sects or
 * BZ_DEFAULT_SETUP_SECTS if 0, plus 1) * 512 bytes of boot sector and
 * setup, then p->payload bytes. Writes every header field up to 0x26c
 * whatever jump_len says (fields past the header end are then payload or
 * setup bytes a parser must not read as header). Returns the size.
 */
size_t bzb_build(struct bz_builder *b, void *buf, size_t cap,
		 const struct bzb_params *p);

/* Writes/reads the little-endian field of bytes (1..8) at off. */
void bzb_put(struct bz_builder *b, size_t off, u64 v, unsigned int bytes);
u64 bzb_get(const struct bz_builder *b, size_t off, unsigned int bytes);

/* The file offset of the protected-mode payload (kernel_offset). */
size_t bzb_kernel_offset(const struct bzb_params *p);

#endif /* BZ_BUILDER_H */
