/*
 * Host unit tests of the Linux bzImage parser (common/bzimage.c) and of
 * the zero page an HVM domain's Linux kernel finds
 * (hvm_linux_zero_page_build(), arch/x86/hvm/pc_platform.c).
 *
 * Images are built with tests/fuzz/bz_builder.c in a scratch buffer, then
 * copied into a malloc'ed buffer of exactly the image's size (at an odd
 * address when asked), so that AddressSanitizer reports any read past the
 * image and UBSan any misaligned one. Every refusal is checked by the
 * words of its message, and every message must fit the 256-byte buffer
 * whole.
 */
/*
 * Project headers first: glibc's <sys/cdefs.h> defines __always_inline too,
 * and only a redefinition inside a system header goes unreported.
 */
#include <asm/hvm/pc_platform.h>
#include <asm/hvm/platform.h>
#include <bzimage.h>
#include <compiler.h>
#include <errno.h>
#include <string.h>

#include "bz_builder.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#define KIB	    (1UL << 10)
#define MIB	    (1UL << 20)
#define GIB	    (1UL << 30)
#define PAGE	    0x1000UL
#define DEFAULT_MEM (256 * MIB)

/* ------------------------------------------------------------------------
 * Building and parsing
 */

#define BUILD_SIZE (2 * MIB)

static u8 build_buf[BUILD_SIZE] __aligned(8);

static struct bzimage_info info;
static char err[256];

/* Builds the image p describes into the scratch buffer. */
static void begin_params(struct bz_builder *b, const struct bzb_params *p)
{
	bzb_build(b, build_buf, sizeof(build_buf), p);
}

/* The Debian-like kernel of bz_builder.h, in p as well. */
static void begin_debian(struct bz_builder *b, struct bzb_params *p)
{
	bzb_debian(p);
	begin_params(b, p);
}

/*
 * Parses the first size bytes of the image from an exact-size copy,
 * placed skew bytes past a malloc'ed (16-aligned) address.
 */
static int parse_copy(const u8 *image, size_t size, size_t skew, u64 mem)
{
	u8 *copy = malloc(size + skew ? size + skew : 1);
	int rc;

	assert_non_null(copy);
	memcpy(copy + skew, image, size);
	/* Stale contents that success or failure must overwrite. */
	memset(err, 'X', sizeof(err));
	memset(&info, 0xa5, sizeof(info));
	rc = bzimage_parse(copy + skew, size, mem, &info, err, sizeof(err));
	free(copy);
	return rc;
}

static int parse_mem(const struct bz_builder *b, u64 mem)
{
	return parse_copy(b->buf, b->size, 0, mem);
}

static int parse(const struct bz_builder *b)
{
	return parse_mem(b, DEFAULT_MEM);
}

/* The project's <string.h> has no strstr. */
static bool contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (strncmp(hay, needle, n) == 0)
			return true;
	return false;
}

static bool info_is_zero(void)
{
	static const struct bzimage_info zero;

	return memcmp(&info, &zero, sizeof(info)) == 0;
}

/* A refusal (rc) whose whole, terminated message has every word given. */
static void check_message(int rc, const char *const *words, unsigned int n)
{
	unsigned int i;

	assert_int_equal(rc, -EINVAL);
	/* Terminated, not empty, and whole: 256 bytes hold any message. */
	assert_true(strnlen(err, sizeof(err)) < sizeof(err) - 1);
	assert_true(strlen(err) > 0);
	for (i = 0; i < n; i++)
		if (!contains(err, words[i]))
			fail_msg("no \"%s\" in err: \"%s\"", words[i], err);
}

/* The same for bzimage_parse(), which also zeroes *out. */
static void check_refused(int rc, const char *const *words, unsigned int n)
{
	check_message(rc, words, n);
	assert_true(info_is_zero());
}

#define expect_message(rc, ...)                                    \
	do {                                                       \
		static const char *const words_[] = {__VA_ARGS__}; \
		check_message((rc), words_, ARRAY_SIZE(words_));   \
	} while (0)

#define expect_refused_rc(rc, ...)                                 \
	do {                                                       \
		static const char *const words_[] = {__VA_ARGS__}; \
		check_refused((rc), words_, ARRAY_SIZE(words_));   \
	} while (0)

#define expect_refused(b, ...) expect_refused_rc(parse(b), __VA_ARGS__)
#define expect_refused_mem(b, mem, ...) \
	expect_refused_rc(parse_mem((b), (mem)), __VA_ARGS__)
/* The first size bytes of the image only. */
#define expect_refused_prefix(b, size, ...)                             \
	expect_refused_rc(parse_copy((b)->buf, (size), 0, DEFAULT_MEM), \
			  __VA_ARGS__)

static void expect_accepted_mem(const struct bz_builder *b, u64 mem)
{
	int rc = parse_mem(b, mem);

	if (rc)
		fail_msg("refused: %s", err);
	assert_string_equal(err, "");
}

static void expect_accepted(const struct bz_builder *b)
{
	expect_accepted_mem(b, DEFAULT_MEM);
}

/* ------------------------------------------------------------------------
 * Accepted images
 */

/* A stock distribution kernel in 256 MiB: runs at its preferred 16 MiB. */
static void test_debian_kernel(void **state)
{
	struct bzb_params p;
	struct bz_builder b;

	begin_debian(&b, &p);
	expect_accepted(&b);
	assert_int_equal(info.version, 0x020f);
	assert_true(info.kernel_64);
	assert_int_equal(info.header_len, 0x26c - BZ_SETUP_SECTS);
	assert_int_equal(info.kernel_offset, (BZB_DEB_SETUP_SECTS + 1) * 512);
	assert_int_equal(info.kernel_size, BZB_DEB_PAYLOAD);
	assert_int_equal(info.kernel_offset + info.kernel_size, b.size);
	assert_int_equal(info.load_addr, BZ_LOAD_ADDR);
	assert_int_equal(info.runtime_start, 0x1000000);
	assert_int_equal(info.runtime_end, 0x1000000 + 40 * MIB);
	assert_int_equal(info.initrd_max, 0x80000000ULL);
	assert_int_equal(info.cmdline_max, 2047);
	/* The payload is where the plan says. */
	assert_int_equal(b.buf[info.kernel_offset], 1);
	assert_int_equal(b.buf[info.kernel_offset + 1], 8);
}

/* Any alignment of the module in memory reads the same. */
static void test_unaligned_image(void **state)
{
	struct bzimage_info first;
	struct bzb_params p;
	struct bz_builder b;
	size_t skew;

	begin_debian(&b, &p);
	assert_int_equal(parse_copy(b.buf, b.size, 0, DEFAULT_MEM), 0);
	first = info;
	for (skew = 1; skew < 8; skew++) {
		assert_int_equal(parse_copy(b.buf, b.size, skew, DEFAULT_MEM),
				 0);
		assert_memory_equal(&info, &first, sizeof(info));
	}
}

/* [runtime start, + init_size) may end exactly at the end of RAM. */
static void test_debian_smallest_mem(void **state)
{
	struct bzb_params p;
	struct bz_builder b;

	begin_debian(&b, &p);
	expect_accepted_mem(&b, 56 * MIB);
	assert_int_equal(info.runtime_end, 56 * MIB);
	expect_accepted_mem(&b, HVM_MEM_MAX);
	assert_int_equal(info.runtime_start, 0x1000000);
	expect_refused_mem(&b, 56 * MIB - PAGE, "40960 KiB", "0x1000000",
			   "init_size", "the domain has 55 MiB",
			   "give it mem=56M or more");
}

/* setup_sects 0 means 4 (boot.rst: "if this field is 0, the real value is 4"). */
static void test_setup_sects_zero(void **state)
{
	struct bzb_params p;
	struct bz_builder b;

	bzb_debian(&p);
	p.setup_sects = 0;
	begin_params(&b, &p);
	expect_accepted(&b);
	assert_int_equal(info.kernel_offset, 5 * 512);
	assert_int_equal(info.kernel_size, BZB_DEB_PAYLOAD);
	assert_int_equal(b.size, 5 * 512 + BZB_DEB_PAYLOAD);

	/* The most setup sectors the byte holds. */
	p.setup_sects = 255;
	begin_params(&b, &p);
	expect_accepted(&b);
	assert_int_equal(info.kernel_offset, 256 * 512);
	assert_int_equal(info.kernel_size, BZB_DEB_PAYLOAD);
}

/* Not relocatable: it runs at pref_address, whatever the alignment says. */
static void test_not_relocatable(void **state)
{
	struct bzb_params p;
	struct bz_builder b;

	bzb_debian(&p);
	p.relocatable = 0;
	begin_params(&b, &p);
	expect_accepted(&b);
	assert_int_equal(info.runtime_start, BZB_DEB_PREF);
	assert_int_equal(info.runtime_end, BZB_DEB_PREF + BZB_DEB_INIT_SIZE);

	/* Not rounded, and the alignment is not looked at. */
	p.pref_address = 0x1234000;
	p.kernel_alignment = 0x300000;
	begin_params(&b, &p);
	expect_accepted(&b);
	assert_int_equal(info.runtime_start, 0x1234000);

	/* A kernel of 2.6-era defaults: at 1 MiB itself. */
	p.pref_address = BZ_LOAD_ADDR;
	p.kernel_alignment = 0;
	p.init_size = 0x800000;
	begin_params(&b, &p);
	expect_accepted_mem(&b, 16 * MIB);
	assert_int_equal(info.runtime_start, BZ_LOAD_ADDR);
	assert_int_equal(info.runtime_end, BZ_LOAD_ADDR + 0x800000);
}

/* Loaded at 1 MiB, preferring less: the load address, rounded up. */
static void test_pref_below_load(void **state)
{
	struct bzb_params p;
	struct bz_builder b;

	bzb_debian(&p);
	p.pref_address = 0x80000;
	p.kernel_alignment = 0x400000;
	begin_params(&b, &p);
	expect_accepted(&b);
	assert_int_equal(info.runtime_start, 0x400000);
	assert_int_equal(info.runtime_end, 0x400000 + BZB_DEB_INIT_SIZE);

	/* An alignment 1 MiB already has: 1 MiB itself. */
	p.kernel_alignment = 0x1000;
	begin_params(&b, &p);
	expect_accepted(&b);
	assert_int_equal(info.runtime_start, BZ_LOAD_ADDR);

	p.pref_address = 0;
	p.kernel_alignment = 1;
	begin_params(&b, &p);
	expect_accepted(&b);
	assert_int_equal(info.runtime_start, BZ_LOAD_ADDR);

	/* Preferring more than 1 MiB, already aligned: pref_address. */
	p.pref_address = 0x2000000;
	p.kernel_alignment = 0x1000000;
	begin_params(&b, &p);
	expect_accepted(&b);
	assert_int_equal(info.runtime_start, 0x2000000);
}

/* The oldest protocol taken: 2.10, its header ending after init_size. */
static void test_protocol_2_10(void **state)
{
	struct bzb_params p;
	struct bz_builder b;

	bzb_debian(&p);
	p.version = BZ_PROTOCOL_MIN;
	p.jump_len = BZ_INIT_SIZE + 4 - (BZ_JUMP + 2);
	p.xloadflags = 0;
	begin_params(&b, &p);
	expect_accepted(&b);
	assert_int_equal(info.version, 0x020a);
	assert_false(info.kernel_64);
	assert_int_equal(info.header_len, BZ_INIT_SIZE + 4 - BZ_SETUP_SECTS);
	assert_int_equal(info.runtime_start, BZB_DEB_PREF);

	/* Later protocols than Kairos knows are taken as well. */
	p.version = 0x0300;
	begin_params(&b, &p);
	expect_accepted(&b);
	assert_int_equal(info.version, 0x0300);
}

/* The header may end right before the zero page's next field. */
static void test_header_at_limit(void **state)
{
	struct bzb_params p;
	struct bz_builder b;

	bzb_debian(&p);
	p.jump_len = BZ_HEADER_LIMIT - (BZ_JUMP + 2);
	begin_params(&b, &p);
	expect_accepted(&b);
	assert_int_equal(info.header_len, BZ_HEADER_LIMIT - BZ_SETUP_SECTS);
}

/* The smallest domain takes a kernel of 1 MiB that runs in place. */
static void test_smallest_domain(void **state)
{
	struct bzb_params p;
	struct bz_builder b;

	bzb_debian(&p);
	p.pref_address = BZ_LOAD_ADDR;
	p.kernel_alignment = PAGE;
	p.init_size = MIB;
	p.initrd_addr_max = 0xffffffff;
	p.payload = MIB;
	begin_params(&b, &p);
	expect_accepted_mem(&b, HVM_MEM_MIN);
	assert_int_equal(info.load_addr + info.kernel_size, HVM_MEM_MIN);
	assert_int_equal(info.runtime_start, BZ_LOAD_ADDR);
	assert_int_equal(info.runtime_end, HVM_MEM_MIN);
	assert_int_equal(info.initrd_max, 1ULL << 32);

	/* One byte more does not fit. */
	p.payload = MIB + 1;
	begin_params(&b, &p);
	expect_refused_mem(&b, HVM_MEM_MIN, "the kernel's 1024 KiB at 1 MiB",
			   "do not fit the domain's 2 MiB");
}

/* ------------------------------------------------------------------------
 * Refused: not a bzImage, or not one Kairos takes
 */

static void test_reject_not_bzimage(void **state)
{
	struct bzb_params p;
	struct bz_builder b;
	size_t size;

	begin_debian(&b, &p);
	bzb_put(&b, BZ_BOOT_FLAG, 0, 2);
	assert_false(bzimage_probe(b.buf, b.size));
	expect_refused(&b, "not a bzImage", "0xAA55 boot flag", "\"HdrS\"");

	begin_debian(&b, &p);
	b.buf[BZ_HEADER + 3] = 'T';
	assert_false(bzimage_probe(b.buf, b.size));
	expect_refused(&b, "not a bzImage");

	/* A boot sector and no more: a floppy image, an MBR. */
	begin_debian(&b, &p);
	memset(b.buf + BZ_JUMP, 0, 0x80);
	expect_refused(&b, "not a bzImage");

	/* Too short for "HdrS", whatever the bytes there are. */
	begin_debian(&b, &p);
	assert_true(bzimage_probe(b.buf, BZ_HEADER + 4));
	for (size = 0; size < BZ_HEADER + 4; size++) {
		assert_false(bzimage_probe(b.buf, size));
		expect_refused_prefix(&b, size, "not a bzImage");
	}
}

/*
 * A file that ends right after "HdrS", before the version: refused
 * without reading past it (ASan watches the exact-size copy).
 */
static void test_reject_short_header(void **state)
{
	struct bzb_params p;
	struct bz_builder b;
	size_t size;

	begin_debian(&b, &p);
	expect_refused_prefix(&b, BZ_HEADER + 4, "the 518-byte file ends",
			      "inside the setup header",
			      "before its protocol version");
	expect_refused_prefix(&b, BZ_VERSION + 1, "the 519-byte file ends");
	expect_refused_prefix(&b, BZ_VERSION + 2,
			      "the setup header ends at 0x26c",
			      "lie in the 520-byte file");
	/* Every prefix is refused, none read past. */
	for (size = BZ_HEADER + 4; size < bzb_kernel_offset(&p) + 1; size++)
		expect_refused_prefix(&b, size, "");
}

static void test_reject_protocol(void **state)
{
	struct bzb_params p;
	struct bz_builder b;

	bzb_debian(&p);
	p.version = 0x0209;
	begin_params(&b, &p);
	expect_refused(&b, "boot protocol 2.09",
		       "Kairos needs 2.10 or later (Linux 2.6.31+)",
		       "init_size");

	/* An old kernel with an old, short header: the version says why. */
	p.version = 0x0204;
	p.jump_len = 0x30;
	begin_params(&b, &p);
	expect_refused(&b, "boot protocol 2.04", "2.10 or later");

	p.version = 0x0100;
	begin_params(&b, &p);
	expect_refused(&b, "boot protocol 1.00");
}

static void test_reject_zimage(void **state)
{
	struct bzb_params p;
	struct bz_builder b;

	bzb_debian(&p);
	p.loadflags = 0;
	begin_params(&b, &p);
	expect_refused(&b, "a zImage", "loadflags without LOADED_HIGH",
		       "below 1 MiB", "give a bzImage");
	/* Every other flag set is no bzImage either. */
	p.loadflags = (u8)~BZ_LOADED_HIGH;
	begin_params(&b, &p);
	expect_refused(&b, "a zImage");
	/* Other flags beside it are fine (a loader sets CAN_USE_HEAP). */
	p.loadflags = 0xff;
	begin_params(&b, &p);
	expect_accepted(&b);
}

static void test_reject_header_end(void **state)
{
	struct bzb_params p;
	struct bz_builder b;

	/* One byte short of init_size. */
	bzb_debian(&p);
	p.jump_len = BZ_INIT_SIZE + 3 - (BZ_JUMP + 2);
	begin_params(&b, &p);
	expect_refused(&b, "the setup header ends at 0x263",
		       "it must hold the 2.10 fields", "end by 0x290",
		       "79872-byte file");

	/* One byte into edd_mbr_sig_buffer, and the furthest a byte says. */
	p.jump_len = BZ_HEADER_LIMIT + 1 - (BZ_JUMP + 2);
	begin_params(&b, &p);
	expect_refused(&b, "the setup header ends at 0x291", "end by 0x290");
	p.jump_len = 0xff;
	begin_params(&b, &p);
	expect_refused(&b, "the setup header ends at 0x301");

	/* A file that ends inside the header. */
	begin_debian(&b, &p);
	expect_refused_prefix(&b, BZB_DEB_HEADER_END - 1,
			      "the setup header ends at 0x26c",
			      "lie in the 619-byte file");
	/* Ends with it: the setup sectors are missing. */
	expect_refused_prefix(&b, BZB_DEB_HEADER_END, "27 setup sectors",
			      "620-byte file");
}

static void test_reject_no_kernel(void **state)
{
	struct bzb_params p;
	struct bz_builder b;

	bzb_debian(&p);
	p.payload = 0;
	begin_params(&b, &p);
	expect_refused(&b, "27 setup sectors leave no protected-mode kernel",
		       "in the 14336-byte file");
	/* One byte of kernel is a kernel. */
	p.payload = 1;
	begin_params(&b, &p);
	expect_accepted(&b);
	assert_int_equal(info.kernel_size, 1);

	p.setup_sects = 0;
	p.payload = 0;
	begin_params(&b, &p);
	expect_refused(&b, "4 setup sectors leave no protected-mode kernel",
		       "in the 2560-byte file");

	/* setup_sects larger than the file. */
	begin_debian(&b, &p);
	b.buf[BZ_SETUP_SECTS] = 200;
	expect_refused(&b, "200 setup sectors", "79872-byte file");
}

static void test_reject_kernel_too_big(void **state)
{
	struct bzb_params p;
	struct bz_builder b;

	bzb_debian(&p);
	p.payload = MIB + 1;
	begin_params(&b, &p);
	expect_refused_mem(&b, HVM_MEM_MIN, "the kernel's 1024 KiB at 1 MiB",
			   "do not fit the domain's 2 MiB");
	/* The test for fitting is the loaded bytes', before init_size's. */
	p.payload = 0x180000;
	begin_params(&b, &p);
	expect_refused_mem(&b, HVM_MEM_MIN, "the kernel's 1536 KiB");
}

static void test_reject_init_size(void **state)
{
	struct bzb_params p;
	struct bz_builder b;

	/* The Debian kernel in 32 MiB: it needs 56. */
	begin_debian(&b, &p);
	expect_refused_mem(&b, 32 * MIB,
			   "the kernel needs 40960 KiB of RAM from 0x1000000",
			   "while it starts (init_size)",
			   "the domain has 32 MiB", "give it mem=56M or more");

	/* The most init_size says, in the largest domain: no wrap. */
	bzb_debian(&p);
	p.init_size = 0xffffffff;
	begin_params(&b, &p);
	expect_refused_mem(&b, HVM_MEM_MAX, "4194303 KiB", "0x1000000",
			   "the domain has 3072 MiB", "mem=4112M");

	/* Not relocatable, and running at the very end of RAM. */
	bzb_debian(&p);
	p.relocatable = 0;
	p.pref_address = DEFAULT_MEM;
	begin_params(&b, &p);
	expect_refused(&b, "from 0x10000000", "give it mem=296M");

	/* Not relocatable, and preferring more than the domain has. */
	p.pref_address = 0x100000000ULL;
	begin_params(&b, &p);
	expect_refused(&b, "from 0x100000000", "the domain has 256 MiB");

	/* Relocatable, its alignment pushing it past the end of RAM. */
	bzb_debian(&p);
	p.pref_address = DEFAULT_MEM - MIB;
	p.kernel_alignment = DEFAULT_MEM;
	begin_params(&b, &p);
	expect_refused(&b, "from 0x10000000", "init_size");
}

/* A header that does not say what it needs is refused as such. */
static void test_reject_init_size_zero(void **state)
{
	struct bzb_params p;
	struct bz_builder b;

	bzb_debian(&p);
	p.init_size = 0;
	begin_params(&b, &p);
	expect_refused(&b, "init_size 0", "does not say how much RAM it needs");
	p.relocatable = 0;
	begin_params(&b, &p);
	expect_refused(&b, "init_size 0");
}

static void test_reject_alignment(void **state)
{
	static const u32 bad[] = {0, 0x300000, 0x200001, 0xffffffff, 3};
	struct bzb_params p;
	struct bz_builder b;
	unsigned int i;
	char word[64];

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		bzb_debian(&p);
		p.kernel_alignment = bad[i];
		begin_params(&b, &p);
		assert_int_equal(parse(&b), -EINVAL);
		snprintf(word, sizeof(word), "kernel_alignment %#x ", bad[i]);
		if (!contains(err, word) ||
		    !contains(err, "is not a power of two"))
			fail_msg("alignment %#x: \"%s\"", bad[i], err);
		assert_true(info_is_zero());
	}
	/* The largest power of two is one: it runs at 2 GiB. */
	bzb_debian(&p);
	p.kernel_alignment = 0x80000000;
	p.pref_address = 0;
	begin_params(&b, &p);
	expect_accepted_mem(&b, HVM_MEM_MAX);
	assert_int_equal(info.runtime_start, 0x80000000);
	expect_refused_mem(&b, 2 * GIB, "from 0x80000000", "mem=2088M");
}

static void test_reject_pref_past_mem(void **state)
{
	struct bzb_params p;
	struct bz_builder b;

	bzb_debian(&p);
	p.pref_address = DEFAULT_MEM + 1;
	begin_params(&b, &p);
	expect_refused(&b, "the kernel prefers to run at 0x10000001",
		       "past the domain's 256 MiB");

	p.pref_address = 0x8000000000000000ULL;
	begin_params(&b, &p);
	expect_refused(&b, "prefers to run at 0x8000000000000000");

	/* At the end of RAM exactly: then init_size does not fit. */
	p.pref_address = DEFAULT_MEM;
	p.kernel_alignment = PAGE;
	begin_params(&b, &p);
	expect_refused(&b, "the kernel needs 40960 KiB of RAM from 0x10000000");
}

/* The widest numbers every message can print still fit 256 bytes. */
static void test_messages_fit(void **state)
{
	struct bzb_params p;
	struct bz_builder b;

	bzb_debian(&p);
	p.relocatable = 0;
	p.pref_address = ~0ULL;
	p.init_size = 0xffffffff;
	begin_params(&b, &p);
	expect_refused_mem(&b, HVM_MEM_MAX, "init_size");

	bzb_debian(&p);
	p.pref_address = ~0ULL;
	begin_params(&b, &p);
	expect_refused_mem(&b, HVM_MEM_MAX, "0xffffffffffffffff");

	bzb_debian(&p);
	p.kernel_alignment = 0xfffffffe;
	begin_params(&b, &p);
	expect_refused(&b, "0xfffffffe");

	bzb_debian(&p);
	p.setup_sects = 255;
	p.payload = 0;
	begin_params(&b, &p);
	expect_refused(&b, "255 setup sectors", "131072-byte file");
}

/* ------------------------------------------------------------------------
 * The initramfs and the command line
 */

static u64 initrd_gpa;

/* Places an initramfs of size bytes for the kernel info describes. */
static int place(u64 mem, u64 size)
{
	memset(err, 'X', sizeof(err));
	initrd_gpa = 0xa5a5a5a5a5a5a5a5ULL;
	return bzimage_place_initrd(&info, mem, size, &initrd_gpa, err,
				    sizeof(err));
}

static void expect_placed(u64 mem, u64 size, u64 gpa)
{
	int rc = place(mem, size);

	if (rc)
		fail_msg("refused: %s", err);
	assert_int_equal(initrd_gpa, gpa);
	assert_true(initrd_gpa % PAGE == 0);
	assert_true(initrd_gpa >= info.runtime_end);
	assert_true(initrd_gpa >= info.load_addr + info.kernel_size);
	assert_true(initrd_gpa + size <= mem);
	assert_true(initrd_gpa + size <= info.initrd_max);
}

/* As high as it goes, page-aligned, below mem and initrd_addr_max. */
static void test_initrd_highest(void **state)
{
	struct bzb_params p;
	struct bz_builder b;

	begin_debian(&b, &p);
	expect_accepted(&b);
	expect_placed(DEFAULT_MEM, 10 * MIB, DEFAULT_MEM - 10 * MIB);
	expect_placed(DEFAULT_MEM, 10 * MIB + 1, DEFAULT_MEM - 10 * MIB - PAGE);
	expect_placed(DEFAULT_MEM, 1, DEFAULT_MEM - PAGE);
	expect_placed(DEFAULT_MEM, PAGE, DEFAULT_MEM - PAGE);
	/* Above 2 GiB the kernel's initrd_addr_max decides. */
	expect_accepted_mem(&b, HVM_MEM_MAX);
	expect_placed(HVM_MEM_MAX, 64 * MIB, 2 * GIB - 64 * MIB);

	/* The 2.02-era default, 896 MiB, as many kernels still say. */
	bzb_debian(&p);
	p.initrd_addr_max = 0x37ffffff;
	begin_params(&b, &p);
	expect_accepted_mem(&b, HVM_MEM_MAX);
	expect_placed(HVM_MEM_MAX, 5 * MIB + 3, 0x38000000 - 5 * MIB - PAGE);

	/* Not a page boundary: the page below it. */
	p.initrd_addr_max = 0x1234567e;
	begin_params(&b, &p);
	expect_accepted_mem(&b, HVM_MEM_MAX);
	assert_int_equal(info.initrd_max, 0x1234567f);
	expect_placed(HVM_MEM_MAX, PAGE, 0x12344000);
	/* And mem, when it is lower. */
	expect_accepted_mem(&b, 64 * MIB);
	expect_placed(64 * MIB, PAGE, 64 * MIB - PAGE);
}

/* Never below what the kernel uses while it starts. */
static void test_initrd_floor(void **state)
{
	struct bzb_params p;
	struct bz_builder b;

	/* At 64 MiB the Debian kernel uses up to 56 MiB: 8 MiB are left. */
	begin_debian(&b, &p);
	expect_accepted_mem(&b, 64 * MIB);
	expect_placed(64 * MIB, 8 * MIB, 56 * MIB);
	expect_message(place(64 * MIB, 8 * MIB + 1), "the initramfs (8193 KiB)",
		       "does not fit between the kernel's end at 0x3800000",
		       "and 0x4000000", "give the domain more mem=");

	/*
	 * A kernel whose loaded bytes reach past [runtime start, + init_size):
	 * not relocatable, at 1 MiB, 4 KiB of init_size, 64 KiB loaded.
	 */
	bzb_debian(&p);
	p.relocatable = 0;
	p.pref_address = BZ_LOAD_ADDR;
	p.init_size = PAGE;
	p.initrd_addr_max = 0x11ffff;
	begin_params(&b, &p);
	expect_accepted_mem(&b, HVM_MEM_MIN);
	assert_int_equal(info.runtime_end, 0x101000);
	expect_placed(HVM_MEM_MIN, 0x10000, 0x110000);
	expect_message(place(HVM_MEM_MIN, 0x10001), "(65 KiB)",
		       "the kernel's end at 0x110000", "and 0x120000");
}

static void test_initrd_refused(void **state)
{
	struct bzb_params p;
	struct bz_builder b;

	begin_debian(&b, &p);
	expect_accepted(&b);
	expect_message(place(DEFAULT_MEM, 0), "the initramfs (0 KiB)");
	expect_message(place(DEFAULT_MEM, DEFAULT_MEM + 1),
		       "the initramfs (262145 KiB)", "and 0x10000000");
	expect_message(place(DEFAULT_MEM, DEFAULT_MEM), "(262144 KiB)");
	expect_message(place(DEFAULT_MEM, ~0ULL), "initramfs");

	/* initrd_addr_max below the kernel's end: nowhere at all. */
	bzb_debian(&p);
	p.initrd_addr_max = 0xffffff;
	begin_params(&b, &p);
	expect_accepted(&b);
	expect_message(place(DEFAULT_MEM, 1), "the initramfs (1 KiB)",
		       "0x3800000", "and 0x1000000");
}

static void test_cmdline(void **state)
{
	struct bzb_params p;
	struct bz_builder b;

	begin_debian(&b, &p);
	expect_accepted(&b);
	assert_int_equal(bzimage_check_cmdline(&info, 0, err, sizeof(err)), 0);
	assert_int_equal(bzimage_check_cmdline(&info, 2047, err, sizeof(err)),
			 0);
	expect_message(bzimage_check_cmdline(&info, 2048, err, sizeof(err)),
		       "the command line has 2048 bytes",
		       "this kernel takes at most 2047");

	/* A kernel that takes none. */
	bzb_debian(&p);
	p.cmdline_size = 0;
	begin_params(&b, &p);
	expect_accepted(&b);
	assert_int_equal(bzimage_check_cmdline(&info, 0, err, sizeof(err)), 0);
	expect_message(bzimage_check_cmdline(&info, 1, err, sizeof(err)),
		       "has 1 bytes", "at most 0");
}

/* ------------------------------------------------------------------------
 * The zero page
 */

static void put(u8 *p, size_t off, u64 v, unsigned int bytes)
{
	unsigned int i;

	for (i = 0; i < bytes; i++)
		p[off + i] = (u8)(v >> (8 * i));
}

static u64 get(const u8 *p, size_t off, unsigned int bytes)
{
	u64 v = 0;
	unsigned int i;

	for (i = 0; i < bytes; i++)
		v |= (u64)p[off + i] << (8 * i);
	return v;
}

/*
 * Builds the zero page of the kernel in b for mem into an exact-size
 * buffer, from an exact-size copy of the image at an odd address, and
 * checks every byte of it.
 */
static void check_zero_page(const struct bz_builder *b, u64 mem, u32 cmdline,
			    u32 initrd, u32 initrd_size)
{
	struct hvm_e820_entry map[HVM_E820_NR_ENTRIES];
	u8 *zp = malloc(BZ_ZERO_PAGE_SIZE);
	u8 *copy = malloc(b->size + 1);
	u8 want[BZ_ZERO_PAGE_SIZE];
	size_t end, i;
	int n;

	assert_non_null(zp);
	assert_non_null(copy);
	memcpy(copy + 1, b->buf, b->size);
	expect_accepted_mem(b, mem);
	end = BZ_SETUP_SECTS + info.header_len;
	memset(zp, 0xa5, BZ_ZERO_PAGE_SIZE);
	assert_int_equal(hvm_linux_zero_page_build(zp, copy + 1, &info, mem,
						   cmdline, initrd,
						   initrd_size),
			 0);

	/* Field by field, what boot.rst has the loader write. */
	assert_int_equal(zp[BZ_SETUP_SECTS], b->buf[BZ_SETUP_SECTS]);
	assert_int_equal(get(zp, BZ_BOOT_FLAG, 2), BZ_BOOT_FLAG_MAGIC);
	assert_int_equal(get(zp, BZ_HEADER, 4), BZ_HEADER_MAGIC);
	assert_int_equal(get(zp, BZ_VERSION, 2), info.version);
	assert_int_equal(zp[BZ_TYPE_OF_LOADER], 0xff);
	assert_int_equal(zp[BZ_LOADFLAGS], b->buf[BZ_LOADFLAGS]);
	assert_int_equal(get(zp, BZ_CMD_LINE_PTR, 4), cmdline);
	assert_int_equal(get(zp, BZ_RAMDISK_IMAGE, 4),
			 initrd_size ? initrd : 0);
	assert_int_equal(get(zp, BZ_RAMDISK_SIZE, 4), initrd_size);
	assert_int_equal(get(zp, BZ_INIT_SIZE, 4),
			 get(b->buf, BZ_INIT_SIZE, 4));
	assert_int_equal(get(zp, BZ_ZP_ACPI_RSDP_ADDR, 8), HVM_RSDP_GPA);
	assert_int_equal(zp[BZ_ZP_E820_ENTRIES], HVM_E820_NR_ENTRIES);
	n = hvm_e820_build(mem, map, ARRAY_SIZE(map));
	assert_int_equal(n, HVM_E820_NR_ENTRIES);
	assert_memory_equal(zp + BZ_ZP_E820_TABLE, map, sizeof(map));
	assert_int_equal(
		get(zp, BZ_ZP_E820_TABLE + 3 * BZ_E820_ENTRY_SIZE, 8) +
			get(zp, BZ_ZP_E820_TABLE + 3 * BZ_E820_ENTRY_SIZE + 8,
			    8),
		mem);

	/* Byte by byte: the header copied, those fields, zero elsewhere. */
	memset(want, 0, sizeof(want));
	memcpy(want + BZ_SETUP_SECTS, b->buf + BZ_SETUP_SECTS, info.header_len);
	want[BZ_TYPE_OF_LOADER] = 0xff;
	put(want, BZ_CMD_LINE_PTR, cmdline, 4);
	put(want, BZ_RAMDISK_IMAGE, initrd_size ? initrd : 0, 4);
	put(want, BZ_RAMDISK_SIZE, initrd_size, 4);
	put(want, BZ_ZP_ACPI_RSDP_ADDR, HVM_RSDP_GPA, 8);
	want[BZ_ZP_E820_ENTRIES] = HVM_E820_NR_ENTRIES;
	memcpy(want + BZ_ZP_E820_TABLE, map, sizeof(map));
	for (i = 0; i < BZ_ZERO_PAGE_SIZE; i++)
		if (zp[i] != want[i])
			fail_msg("zero page byte %#zx: %#x, not %#x", i, zp[i],
				 want[i]);
	/* Nothing of the image past its header. */
	for (i = end; i < BZ_ZP_E820_TABLE; i++)
		assert_int_equal(zp[i], 0);
	free(copy);
	free(zp);
}

static void test_zero_page(void **state)
{
	struct bzb_params p;
	struct bz_builder b;

	begin_debian(&b, &p);
	check_zero_page(&b, DEFAULT_MEM, HVM_LINUX_CMDLINE,
			DEFAULT_MEM - 10 * MIB, 10 * MIB);
	/* No initramfs: no address either, whatever the caller passes. */
	check_zero_page(&b, DEFAULT_MEM, HVM_LINUX_CMDLINE, 0x1234000, 0);
	check_zero_page(&b, HVM_MEM_MAX, HVM_LINUX_CMDLINE, 0, 0);

	/* The shortest header: what follows it in the file is not copied. */
	bzb_debian(&p);
	p.version = BZ_PROTOCOL_MIN;
	p.jump_len = BZ_INIT_SIZE + 4 - (BZ_JUMP + 2);
	begin_params(&b, &p);
	check_zero_page(&b, 64 * MIB, HVM_LINUX_CMDLINE, 0, 0);

	/* The longest: up to edd_mbr_sig_buffer, not into it. */
	bzb_debian(&p);
	p.jump_len = BZ_HEADER_LIMIT - (BZ_JUMP + 2);
	begin_params(&b, &p);
	memset(b.buf + BZB_DEB_HEADER_END, 0x77,
	       BZ_HEADER_LIMIT + 16 - BZB_DEB_HEADER_END);
	check_zero_page(&b, 64 * MIB, 0xffffffff, 0xfffff000, 0xffffffff);
}

static void test_zero_page_bad_mem(void **state)
{
	static const u64 bad[] = {0, HVM_MEM_MIN - PAGE, 64 * MIB + 1,
				  HVM_MEM_MAX + PAGE, 4 * GIB};
	struct bzb_params p;
	struct bz_builder b;
	u8 zp[BZ_ZERO_PAGE_SIZE];
	unsigned int i;

	begin_debian(&b, &p);
	expect_accepted(&b);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(hvm_linux_zero_page_build(zp, b.buf, &info,
							   bad[i], 0, 0, 0),
				 -EINVAL);
	assert_int_equal(hvm_linux_zero_page_build(zp, b.buf, &info,
						   HVM_MEM_MIN, 0, 0, 0),
			 0);
}

/* ------------------------------------------------------------------------
 * The error buffer
 */

static void test_err_buffer_small(void **state)
{
	struct bzb_params p;
	struct bz_builder b;
	char small[8];

	begin_debian(&b, &p);
	bzb_put(&b, BZ_BOOT_FLAG, 0, 2);
	memset(small, 'X', sizeof(small));
	memset(&info, 0xa5, sizeof(info));
	assert_int_equal(bzimage_parse(b.buf, b.size, DEFAULT_MEM, &info, small,
				       sizeof(small)),
			 -EINVAL);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_memory_equal(small, "not a b", 8);
	assert_true(info_is_zero());
	/* One byte: terminated, empty. */
	small[0] = 'X';
	assert_int_equal(
		bzimage_parse(b.buf, b.size, DEFAULT_MEM, &info, small, 1),
		-EINVAL);
	assert_int_equal(small[0], '\0');
	/* errlen 0: nothing written, still refused. */
	small[0] = 'X';
	assert_int_equal(
		bzimage_parse(b.buf, b.size, DEFAULT_MEM, &info, small, 0),
		-EINVAL);
	assert_int_equal(small[0], 'X');

	/* The same for the initramfs and the command line. */
	begin_debian(&b, &p);
	expect_accepted(&b);
	memset(small, 'X', sizeof(small));
	assert_int_equal(bzimage_place_initrd(&info, DEFAULT_MEM, 0,
					      &initrd_gpa, small,
					      sizeof(small)),
			 -EINVAL);
	assert_memory_equal(small, "the ini", 8);
	memset(small, 'X', sizeof(small));
	assert_int_equal(
		bzimage_check_cmdline(&info, 4096, small, sizeof(small)),
		-EINVAL);
	assert_memory_equal(small, "the com", 8);
	small[0] = 'X';
	assert_int_equal(bzimage_check_cmdline(&info, 4096, small, 0), -EINVAL);
	assert_int_equal(small[0], 'X');
}

/* ------------------------------------------------------------------------
 * Mutations: whatever the bytes, the verdict keeps its promises
 */

static u64 rng_state = 0x9e3779b97f4a7c15ULL;

static u32 rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (u32)rng_state;
}

/* What an accepted image's plan must be, read from its own bytes. */
static void check_plan(const struct bz_builder *b, size_t size, u64 mem)
{
	u32 sects = b->buf[BZ_SETUP_SECTS] ?: BZ_DEFAULT_SETUP_SECTS;
	u64 align = get(b->buf, BZ_KERNEL_ALIGN, 4);
	u64 pref = get(b->buf, BZ_PREF_ADDRESS, 8);

	assert_true(info.version >= BZ_PROTOCOL_MIN);
	assert_int_equal(info.version, get(b->buf, BZ_VERSION, 2));
	assert_int_equal(info.header_len,
			 BZ_JUMP + 2 + b->buf[BZ_JUMP + 1] - BZ_SETUP_SECTS);
	assert_true(BZ_SETUP_SECTS + info.header_len <= BZ_HEADER_LIMIT);
	assert_true(BZ_SETUP_SECTS + info.header_len >= BZ_INIT_SIZE + 4);
	assert_true(b->buf[BZ_LOADFLAGS] & BZ_LOADED_HIGH);
	assert_int_equal(info.kernel_offset, (sects + 1) * 512);
	assert_true(info.kernel_size > 0);
	assert_int_equal(info.kernel_offset + info.kernel_size, size);
	assert_int_equal(info.load_addr, BZ_LOAD_ADDR);
	assert_true(info.load_addr + info.kernel_size <= mem);
	assert_true(info.runtime_start < info.runtime_end);
	assert_true(info.runtime_end <= mem);
	assert_int_equal(info.runtime_end - info.runtime_start,
			 get(b->buf, BZ_INIT_SIZE, 4));
	if (b->buf[BZ_RELOCATABLE]) {
		assert_true(align && !(align & (align - 1)));
		assert_true(info.runtime_start % align == 0);
		assert_true(info.runtime_start >= BZ_LOAD_ADDR);
		assert_true(info.runtime_start >= pref);
	} else {
		assert_int_equal(info.runtime_start, pref);
	}
	assert_int_equal(info.initrd_max,
			 get(b->buf, BZ_INITRD_ADDR_MAX, 4) + 1);
	assert_int_equal(info.cmdline_max, get(b->buf, BZ_CMDLINE_SIZE, 4));
}

static void test_fuzz_mutated_images(void **state)
{
	static const u64 mems[] = {HVM_MEM_MIN, 64 * MIB, DEFAULT_MEM,
				   HVM_MEM_MAX};
	/* The bytes the parser reads, most of them. */
	static const u16 fields[] = {
		BZ_SETUP_SECTS,	     BZ_JUMP + 1,
		BZ_VERSION,	     BZ_VERSION + 1,
		BZ_LOADFLAGS,	     BZ_KERNEL_ALIGN + 2,
		BZ_KERNEL_ALIGN + 3, BZ_RELOCATABLE,
		BZ_XLOADFLAGS,	     BZ_PREF_ADDRESS + 2,
		BZ_PREF_ADDRESS + 3, BZ_INIT_SIZE + 2,
		BZ_INIT_SIZE + 3,    BZ_INITRD_ADDR_MAX + 3,
	};
	struct bzb_params p;
	struct bz_builder b;
	unsigned int round, n, accepted = 0;

	for (round = 0; round < 4000; round++) {
		u64 mem = mems[rng() % ARRAY_SIZE(mems)];
		size_t size;

		bzb_debian(&p);
		p.payload = 1 + rng() % 0x4000;
		if (round % 2) {
			/* Small enough for the smallest domain. */
			p.pref_address = BZ_LOAD_ADDR;
			p.kernel_alignment = PAGE;
			p.init_size = 0x80000;
		}
		begin_params(&b, &p);
		/* Flip a few bits: in the fields read, or anywhere in the header. */
		for (n = 0; n < 1 + rng() % 3; n++) {
			size_t at =
				BZ_SETUP_SECTS +
				rng() % (BZB_DEB_HEADER_END - BZ_SETUP_SECTS);

			if (rng() % 2)
				at = fields[rng() % ARRAY_SIZE(fields)];
			b.buf[at] ^= 1U << (rng() % 8);
		}
		size = rng() % 8 ? b.size : rng() % b.size;
		if (parse_copy(b.buf, size, rng() % 4, mem) == 0) {
			assert_string_equal(err, "");
			check_plan(&b, size, mem);
			accepted++;
		} else {
			assert_true(info_is_zero());
			assert_true(strnlen(err, sizeof(err)) <
				    sizeof(err) - 1);
			assert_true(err[0] != '\0');
		}
	}
	/* The mutations leave many images whole. */
	assert_true(accepted > 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_debian_kernel),
		cmocka_unit_test(test_unaligned_image),
		cmocka_unit_test(test_debian_smallest_mem),
		cmocka_unit_test(test_setup_sects_zero),
		cmocka_unit_test(test_not_relocatable),
		cmocka_unit_test(test_pref_below_load),
		cmocka_unit_test(test_protocol_2_10),
		cmocka_unit_test(test_header_at_limit),
		cmocka_unit_test(test_smallest_domain),
		cmocka_unit_test(test_reject_not_bzimage),
		cmocka_unit_test(test_reject_short_header),
		cmocka_unit_test(test_reject_protocol),
		cmocka_unit_test(test_reject_zimage),
		cmocka_unit_test(test_reject_header_end),
		cmocka_unit_test(test_reject_no_kernel),
		cmocka_unit_test(test_reject_kernel_too_big),
		cmocka_unit_test(test_reject_init_size),
		cmocka_unit_test(test_reject_init_size_zero),
		cmocka_unit_test(test_reject_alignment),
		cmocka_unit_test(test_reject_pref_past_mem),
		cmocka_unit_test(test_messages_fit),
		cmocka_unit_test(test_initrd_highest),
		cmocka_unit_test(test_initrd_floor),
		cmocka_unit_test(test_initrd_refused),
		cmocka_unit_test(test_cmdline),
		cmocka_unit_test(test_zero_page),
		cmocka_unit_test(test_zero_page_bad_mem),
		cmocka_unit_test(test_err_buffer_small),
		cmocka_unit_test(test_fuzz_mutated_images),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
