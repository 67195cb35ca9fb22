/*
 * Host unit tests of the guest image validator (common/elf_image.c).
 *
 * Images are built with tests/fuzz/elf_builder.c in an aligned scratch
 * buffer, then copied into a malloc'ed buffer of exactly the image's size
 * (at an odd address when asked), so that AddressSanitizer reports any
 * read past the image and UBSan any misaligned one. Every refusal is
 * checked by the words of its message.
 */
/*
 * Project headers first: glibc's <sys/cdefs.h> defines __always_inline too,
 * and only a redefinition inside a system header goes unreported.
 */
#include <compiler.h>
#include <elf_image.h>
#include <errno.h>
#include <string.h>

#include "elf_builder.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#define PAGE	  GUEST_PAGE_SIZE
#define MIB	  (1UL << 20)
#define MEM_LIMIT (64 * MIB)

/* ------------------------------------------------------------------------
 * Building and parsing
 */

#define BUILD_SIZE (256 * 1024)

static u8 build_buf[BUILD_SIZE] __aligned(8);

static struct elf_image_info info;
static char err[256];

static const struct elf_image_limits default_limits = {
	.vaddr_min = GUEST_IMAGE_VADDR_MIN,
	.vaddr_end = GUEST_IMAGE_VADDR_END,
	.mem_limit = MEM_LIMIT,
};

static void begin(struct elf_builder *b)
{
	eb_init(b, build_buf, sizeof(build_buf));
}

/* The standard image (elf_builder.h), ready to be spoilt. */
static void begin_standard(struct elf_builder *b)
{
	begin(b);
	eb_standard(b);
}

/*
 * Parses the first size bytes of the built image from an exact-size copy,
 * placed skew bytes past a malloc'ed (16-aligned) address.
 */
static int parse_copy(const struct elf_builder *b, size_t size, size_t skew,
		      const struct elf_image_limits *limits)
{
	u8 *copy = malloc(size + skew ? size + skew : 1);
	int rc;

	assert_non_null(copy);
	memcpy(copy + skew, b->buf, size);
	/* Stale contents that success or failure must overwrite. */
	memset(err, 'X', sizeof(err));
	memset(&info, 0xa5, sizeof(info));
	rc = elf_image_parse(copy + skew, size, limits, &info, err,
			     sizeof(err));
	free(copy);
	return rc;
}

static int parse_limits(const struct elf_builder *b,
			const struct elf_image_limits *limits)
{
	return parse_copy(b, b->size, 0, limits);
}

static int parse(const struct elf_builder *b)
{
	return parse_limits(b, &default_limits);
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

#define assert_err_has(_needle)                                               \
	do {                                                                  \
		if (!contains(err, (_needle)))                                \
			fail_msg("no \"%s\" in err: \"%s\"", (_needle), err); \
	} while (0)

static bool info_is_zero(void)
{
	static const struct elf_image_info zero;

	return memcmp(&info, &zero, sizeof(info)) == 0;
}

/* Parses b and checks a refusal whose message contains every word given. */
static void expect_refused_limits(const struct elf_builder *b,
				  const struct elf_image_limits *limits,
				  const char *const *words, unsigned int n)
{
	unsigned int i;

	assert_int_equal(parse_limits(b, limits), -EINVAL);
	assert_true(info_is_zero());
	assert_true(strnlen(err, sizeof(err)) < sizeof(err));
	assert_true(strlen(err) > 0);
	for (i = 0; i < n; i++) {
		assert_err_has(words[i]);
	}
}

#define expect_refused(b, ...)                                      \
	do {                                                        \
		static const char *const words_[] = {__VA_ARGS__};  \
		expect_refused_limits((b), &default_limits, words_, \
				      ARRAY_SIZE(words_));          \
	} while (0)

#define expect_refused_with(b, limits, ...)                        \
	do {                                                       \
		static const char *const words_[] = {__VA_ARGS__}; \
		expect_refused_limits((b), (limits), words_,       \
				      ARRAY_SIZE(words_));         \
	} while (0)

static void expect_accepted(const struct elf_builder *b)
{
	int rc = parse(b);

	if (rc)
		fail_msg("refused: %s", err);
	assert_string_equal(err, "");
}

/* ------------------------------------------------------------------------
 * Good images
 */

static void test_standard_image(void **state)
{
	struct elf_builder b;
	const struct elf_segment *s = info.segments;

	begin_standard(&b);
	expect_accepted(&b);
	assert_int_equal(info.entry, EB_STD_ENTRY);
	assert_int_equal(info.nr_segments, 3);
	assert_int_equal(info.total_pages, EB_STD_PAGES);

	assert_int_equal(s[0].vaddr, 0x400000);
	assert_int_equal(s[0].memsz, 0x1800);
	assert_int_equal(s[0].filesz, 0x1800);
	assert_int_equal(s[0].offset, eb_phdr(&b, 0)->p_offset);
	assert_int_equal(s[0].flags, ELF_SEG_R | ELF_SEG_X);
	assert_int_equal(s[0].phdr, 0);

	assert_int_equal(s[1].vaddr, 0x402000);
	assert_int_equal(s[1].flags, ELF_SEG_R);
	assert_int_equal(s[1].phdr, 1);

	assert_int_equal(s[2].vaddr, 0x403000);
	assert_int_equal(s[2].memsz, 0x3000);
	assert_int_equal(s[2].filesz, 0x100);
	assert_int_equal(s[2].offset, eb_phdr(&b, 2)->p_offset);
	assert_int_equal(s[2].flags, ELF_SEG_R | ELF_SEG_W);
	assert_int_equal(s[2].phdr, 2);

	/* The file bytes described are the ones the builder wrote. */
	assert_int_equal(b.buf[s[0].offset], 0xcc);
	assert_int_equal(b.buf[s[2].offset + s[2].filesz - 1], 0x5a);
}

/* Any alignment of the module in memory reads the same. */
static void test_unaligned_image(void **state)
{
	struct elf_builder b;
	size_t skew;

	begin_standard(&b);
	for (skew = 0; skew < 8; skew++) {
		assert_int_equal(parse_copy(&b, b.size, skew, &default_limits),
				 0);
		assert_int_equal(info.nr_segments, 3);
		assert_int_equal(info.entry, EB_STD_ENTRY);
	}
}

/* A single read-execute segment is a whole image. */
static void test_minimal_image(void **state)
{
	struct elf_builder b;

	begin(&b);
	eb_ehdr(&b)->e_entry = 0x400000;
	eb_load(&b, PF_R | PF_X, 0x400000, 1, 1, 0);
	expect_accepted(&b);
	assert_int_equal(info.nr_segments, 1);
	assert_int_equal(info.total_pages, 1);
}

/* Headers of types the loader does not act on are skipped. */
static void test_other_types_ignored(void **state)
{
	static const u32 types[] = {PT_NULL, PT_NOTE,	   PT_PHDR,
				    PT_TLS,  PT_GNU_STACK, 0x6474e552,
				    5,	     0x70000000,   0xffffffff};
	struct elf_builder b;
	unsigned int i;

	begin_standard(&b);
	for (i = 0; i < ARRAY_SIZE(types); i++) {
		struct elf64_phdr *ph =
			eb_add(&b, types[i], PF_R | PF_W | PF_X);

		/* Garbage in fields a skipped header never uses. */
		ph->p_offset = ~0UL;
		ph->p_vaddr = 0x10;
		ph->p_memsz = ~0UL;
		ph->p_align = 3;
	}
	expect_accepted(&b);
	assert_int_equal(info.nr_segments, 3);
}

/* A PT_LOAD with no memory is left out and checked for nothing else. */
static void test_empty_load_ignored(void **state)
{
	struct elf_builder b;
	struct elf64_phdr *ph;

	begin_standard(&b);
	ph = eb_add(&b, PT_LOAD, PF_R | PF_W | PF_X);
	ph->p_vaddr = 0x400000; /* would overlap, and is W+X */
	expect_accepted(&b);
	assert_int_equal(info.nr_segments, 3);
	assert_int_equal(info.total_pages, EB_STD_PAGES);
}

/* Below the page, p_align asks nothing of p_vaddr and p_offset. */
static void test_small_alignment(void **state)
{
	static const u64 aligns[] = {0, 1, 2, 8, 2048};
	struct elf_builder b;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(aligns); i++) {
		begin(&b);
		eb_ehdr(&b)->e_entry = 0x400123;
		eb_load(&b, PF_R | PF_X, 0x400123, 0x80, 0x80, aligns[i]);
		assert_true(eb_phdr(&b, 0)->p_offset % PAGE != 0x123);
		expect_accepted(&b);
	}
	/* Larger powers of two only need the congruence modulo the page. */
	begin(&b);
	eb_ehdr(&b)->e_entry = 0x400000;
	eb_load(&b, PF_R | PF_X, 0x400000, 0x80, 0x80, 0x200000);
	expect_accepted(&b);
}

/* The window's edges are inclusive at the bottom, exclusive at the top. */
static void test_window_edges(void **state)
{
	struct elf_builder b;

	begin(&b);
	eb_ehdr(&b)->e_entry = GUEST_IMAGE_VADDR_MIN;
	eb_load(&b, PF_R | PF_X, GUEST_IMAGE_VADDR_MIN, 0x10, 0x10, PAGE);
	eb_load(&b, PF_R | PF_W, GUEST_IMAGE_VADDR_END - PAGE, 0, PAGE, PAGE);
	expect_accepted(&b);
	assert_int_equal(info.total_pages, 2);
}

/* Segments may share no page, but may sit in adjacent ones. */
static void test_adjacent_pages(void **state)
{
	struct elf_builder b;

	begin(&b);
	eb_ehdr(&b)->e_entry = 0x400000;
	eb_load(&b, PF_R | PF_X, 0x400000, 0x1000, 0x1000, PAGE);
	eb_load(&b, PF_R, 0x401000, 0x10, 0x10, PAGE);
	/* Out of address order: the linker's order is not relied upon. */
	eb_load(&b, PF_R | PF_W, 0x3ff000 + 0x1000 * 5, 0, 0x10, PAGE);
	expect_accepted(&b);
	assert_int_equal(info.nr_segments, 3);
	assert_int_equal(info.total_pages, 3);
}

static void test_max_segments(void **state)
{
	struct elf_builder b;
	unsigned int i;

	begin(&b);
	eb_ehdr(&b)->e_entry = 0x400000;
	for (i = 0; i < ELF_IMAGE_MAX_SEGMENTS; i++)
		eb_load(&b, i ? PF_R : PF_R | PF_X, 0x400000 + i * PAGE, 8, 8,
			PAGE);
	expect_accepted(&b);
	assert_int_equal(info.nr_segments, ELF_IMAGE_MAX_SEGMENTS);
	assert_int_equal(info.total_pages, ELF_IMAGE_MAX_SEGMENTS);

	eb_load(&b, PF_R, 0x400000 + i * PAGE, 8, 8, PAGE);
	expect_refused(&b, "segment 16", "more than 16 PT_LOAD segments");
}

/* The memory limit counts pages, and an image that fills it exactly fits. */
static void test_mem_limit_exact(void **state)
{
	struct elf_image_limits limits = default_limits;
	struct elf_builder b;

	begin_standard(&b);
	limits.mem_limit = EB_STD_PAGES * PAGE;
	assert_int_equal(parse_limits(&b, &limits), 0);
	limits.mem_limit = EB_STD_PAGES * PAGE + PAGE - 1;
	assert_int_equal(parse_limits(&b, &limits), 0);
	limits.mem_limit = EB_STD_PAGES * PAGE - 1;
	expect_refused_with(&b, &limits, "segments need 24 KiB (6 pages)",
			    "above the memory limit of 23 KiB");
}

static void test_perms_strings(void **state)
{
	assert_string_equal(elf_segment_perms(0), "---");
	assert_string_equal(elf_segment_perms(ELF_SEG_R), "r--");
	assert_string_equal(elf_segment_perms(ELF_SEG_R | ELF_SEG_X), "r-x");
	assert_string_equal(elf_segment_perms(ELF_SEG_R | ELF_SEG_W), "rw-");
	assert_string_equal(elf_segment_perms(ELF_SEG_W | ELF_SEG_X), "-wx");
	assert_string_equal(elf_segment_perms(7), "rwx");
}

/* ------------------------------------------------------------------------
 * The ELF header
 */

static void test_reject_truncated(void **state)
{
	struct elf_builder b;
	size_t size;

	begin_standard(&b);
	for (size = 0; size < sizeof(struct elf64_ehdr); size += 7) {
		assert_int_equal(parse_copy(&b, size, 0, &default_limits),
				 -EINVAL);
		assert_err_has("smaller than the 64-byte");
		assert_true(info_is_zero());
	}
	assert_int_equal(elf_image_parse(NULL, 4096, &default_limits, &info,
					 err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(
		err, "image is 0 bytes, smaller than the 64-byte ELF64 header");
	/* Cut inside the program header table, then inside a segment. */
	assert_int_equal(parse_copy(&b, sizeof(struct elf64_ehdr) + 100, 0,
				    &default_limits),
			 -EINVAL);
	assert_err_has("program header table");
	assert_int_equal(parse_copy(&b, b.size - 1, 0, &default_limits),
			 -EINVAL);
	assert_err_has("segment 2: file bytes");
	assert_err_has("run past the end");
}

static void test_reject_magic(void **state)
{
	struct elf_builder b;

	begin_standard(&b);
	eb_ehdr(&b)->e_ident[0] = 0x7e;
	expect_refused(&b, "not an ELF file", "magic 7e 45 4c 46");
	begin_standard(&b);
	eb_ehdr(&b)->e_ident[3] = 'G';
	expect_refused(&b, "not an ELF file", "magic 7f 45 4c 47");
}

static void test_reject_class(void **state)
{
	struct elf_builder b;

	begin_standard(&b);
	eb_ehdr(&b)->e_ident[EI_CLASS] = 1;
	expect_refused(&b, "ELF class 1", "not ELFCLASS64", "64-bit");
}

static void test_reject_big_endian(void **state)
{
	struct elf_builder b;

	begin_standard(&b);
	eb_ehdr(&b)->e_ident[EI_DATA] = 2;
	expect_refused(&b, "data encoding 2", "little-endian");
}

static void test_reject_version(void **state)
{
	struct elf_builder b;

	begin_standard(&b);
	eb_ehdr(&b)->e_ident[EI_VERSION] = 0;
	expect_refused(&b, "ELF version 0 (e_ident) / 1 (e_version)",
		       "EV_CURRENT");
	begin_standard(&b);
	eb_ehdr(&b)->e_version = 2;
	expect_refused(&b, "ELF version 1 (e_ident) / 2 (e_version)");
}

static void test_reject_type(void **state)
{
	struct elf_builder b;

	begin_standard(&b);
	eb_ehdr(&b)->e_type = ET_DYN;
	expect_refused(&b, "ELF type 3", "position-independent", "not ET_EXEC");
	begin_standard(&b);
	eb_ehdr(&b)->e_type = ET_REL;
	expect_refused(&b, "ELF type 1 (relocatable object)");
	begin_standard(&b);
	eb_ehdr(&b)->e_type = ET_CORE;
	expect_refused(&b, "ELF type 4 (core dump)");
	begin_standard(&b);
	eb_ehdr(&b)->e_type = 0xfe00;
	expect_refused(&b, "ELF type 65024, not ET_EXEC");
}

static void test_reject_machine(void **state)
{
	struct elf_builder b;

	begin_standard(&b);
	eb_ehdr(&b)->e_machine = 3; /* EM_386 */
	expect_refused(&b, "ELF machine 3", "EM_X86_64");
}

static void test_reject_header_sizes(void **state)
{
	struct elf_builder b;

	begin_standard(&b);
	eb_ehdr(&b)->e_ehsize = 52;
	expect_refused(&b, "e_ehsize 52", "64 bytes");
	begin_standard(&b);
	eb_ehdr(&b)->e_phentsize = 32;
	expect_refused(&b, "e_phentsize 32", "56 bytes");
	begin_standard(&b);
	eb_ehdr(&b)->e_phentsize = 64; /* a larger entry is refused too */
	expect_refused(&b, "e_phentsize 64");
}

static void test_reject_phnum(void **state)
{
	struct elf_builder b;

	begin_standard(&b);
	eb_ehdr(&b)->e_phnum = 0;
	expect_refused(&b, "no program headers");
	begin_standard(&b);
	eb_ehdr(&b)->e_phnum = PN_XNUM;
	expect_refused(&b, "PN_XNUM");
	begin_standard(&b);
	eb_ehdr(&b)->e_phnum = ELF_IMAGE_MAX_PHDRS + 1;
	expect_refused(&b, "65 program headers", "more than the 64");
}

static void test_reject_phdr_table_bounds(void **state)
{
	struct elf_builder b;

	begin_standard(&b);
	eb_ehdr(&b)->e_phoff = b.size - sizeof(struct elf64_phdr);
	expect_refused(&b, "program header table at offset",
		       "runs past the end");
	begin_standard(&b);
	eb_ehdr(&b)->e_phoff = b.size + 1;
	expect_refused(&b, "program header table");
	/* An offset that would wrap the end around 2^64. */
	begin_standard(&b);
	eb_ehdr(&b)->e_phoff = ~0UL - 100;
	expect_refused(&b, "program header table at offset 0xffffffffffffff9b");
	/* The table's last byte is the image's last byte: accepted. */
	begin(&b);
	eb_ehdr(&b)->e_entry = 0x400000;
	eb_load(&b, PF_R | PF_X, 0x400000, 0x10, 0x10, 0);
	memcpy(b.buf + b.size, eb_phdr(&b, 0), sizeof(struct elf64_phdr));
	eb_ehdr(&b)->e_phoff = b.size;
	b.size += sizeof(struct elf64_phdr);
	expect_accepted(&b);
}

/* ------------------------------------------------------------------------
 * Program headers
 */

static void test_reject_no_load(void **state)
{
	struct elf_builder b;

	begin(&b);
	eb_add(&b, PT_NOTE, PF_R);
	eb_add(&b, PT_GNU_STACK, PF_R | PF_W);
	expect_refused(&b, "no PT_LOAD segment", "nothing to load");
	/* Only empty ones is the same as none. */
	begin(&b);
	eb_add(&b, PT_LOAD, PF_R | PF_X);
	expect_refused(&b, "no PT_LOAD segment");
}

static void test_reject_filesz_above_memsz(void **state)
{
	struct elf_builder b;

	begin_standard(&b);
	eb_phdr(&b, 2)->p_memsz = 0xff;
	expect_refused(&b,
		       "segment 2: p_filesz 0x100 larger than p_memsz 0xff");
	/* Even with no memory at all. */
	begin_standard(&b);
	eb_phdr(&b, 1)->p_memsz = 0;
	expect_refused(&b, "segment 1: p_filesz 0x800 larger than p_memsz 0");
}

static void test_reject_file_range(void **state)
{
	struct elf_builder b;

	begin_standard(&b);
	eb_phdr(&b, 1)->p_offset = b.size - 0x7ff;
	eb_phdr(&b, 1)->p_align = 0;
	expect_refused(&b, "segment 1: file bytes", "+0x800",
		       "run past the end of the");
	begin_standard(&b);
	eb_phdr(&b, 1)->p_offset = ~0UL - 0x10; /* offset + filesz wraps */
	eb_phdr(&b, 1)->p_align = 0;
	expect_refused(&b, "segment 1: file bytes [0xffffffffffffffef");
	begin_standard(&b);
	eb_phdr(&b, 0)->p_filesz = ~0UL; /* and p_memsz, to pass the above */
	eb_phdr(&b, 0)->p_memsz = ~0UL;
	expect_refused(&b, "segment 0: file bytes");
}

static void test_reject_vaddr_wrap(void **state)
{
	struct elf_builder b;

	begin_standard(&b);
	eb_phdr(&b, 2)->p_vaddr = 0xfffffffffffff000UL;
	eb_phdr(&b, 2)->p_memsz = 0x2000;
	expect_refused(&b,
		       "segment 2: virtual range 0xfffffffffffff000 + 0x2000",
		       "wraps");
}

static void test_reject_outside_window(void **state)
{
	struct elf_builder b;

	/* Page 0 and the first 4 MiB. */
	begin_standard(&b);
	eb_phdr(&b, 1)->p_vaddr = 0x2000;
	expect_refused(&b, "segment 1: virtual range [0x2000, 0x2800)",
		       "outside the guest window [0x400000, 0x800000000000)");
	begin_standard(&b);
	eb_phdr(&b, 1)->p_vaddr = 0x3ff800; /* straddles the bottom */
	expect_refused(&b, "segment 1", "outside the guest window");
	/* Across the top of the user half, and in the hypervisor's half. */
	begin_standard(&b);
	eb_phdr(&b, 2)->p_vaddr = GUEST_IMAGE_VADDR_END - 0x1000;
	expect_refused(
		&b,
		"segment 2: virtual range [0x7ffffffff000, 0x800000002000)");
	begin_standard(&b);
	eb_phdr(&b, 0)->p_vaddr = 0xffffffff80000000UL;
	expect_refused(&b, "segment 0: virtual range [0xffffffff80000000",
		       "outside the guest window");
}

static void test_reject_custom_window(void **state)
{
	struct elf_image_limits limits = {
		.vaddr_min = 0x400000,
		.vaddr_end = 0x405000,
		.mem_limit = MEM_LIMIT,
	};
	struct elf_builder b;

	begin_standard(&b);
	/* The bss ends at 0x406000, one page past this window. */
	expect_refused_with(&b, &limits, "segment 2",
			    "outside the guest window [0x400000, 0x405000)");
	limits.vaddr_end = 0x406000;
	assert_int_equal(parse_limits(&b, &limits), 0);
}

static void test_reject_write_execute(void **state)
{
	struct elf_builder b;

	begin_standard(&b);
	eb_phdr(&b, 2)->p_flags = PF_R | PF_W | PF_X;
	expect_refused(&b, "segment 2 at 0x403000",
		       "writable and executable (flags rwx)");
	begin_standard(&b);
	eb_phdr(&b, 0)->p_flags = PF_W | PF_X;
	expect_refused(&b, "segment 0", "(flags -wx)");
}

static void test_reject_alignment(void **state)
{
	struct elf_builder b;

	begin_standard(&b);
	eb_phdr(&b, 1)->p_align = 0x3000;
	expect_refused(&b, "segment 1: p_align 0x3000 is not a power of two");
	begin_standard(&b);
	eb_phdr(&b, 1)->p_align = 3;
	expect_refused(&b, "p_align 0x3 is not a power of two");
	begin_standard(&b);
	eb_phdr(&b, 1)->p_offset += 8;
	expect_refused(&b, "segment 1: p_vaddr 0x402000 and p_offset",
		       "differ modulo the 4096-byte page");
}

static void test_reject_overlap(void **state)
{
	struct elf_builder b;

	/* The same bytes twice. */
	begin_standard(&b);
	eb_load(&b, PF_R, 0x402400, 0x10, 0x10, PAGE);
	expect_refused(&b, "segments 1 and 5 overlap",
		       "pages [0x402000, 0x403000) and [0x402000, 0x403000)");
	/* Disjoint bytes in one page: one page, two sets of permissions. */
	begin(&b);
	eb_ehdr(&b)->e_entry = 0x400000;
	eb_load(&b, PF_R | PF_X, 0x400000, 0x800, 0x800, PAGE);
	eb_load(&b, PF_R | PF_W, 0x400800, 0x10, 0x800, PAGE);
	expect_refused(&b, "segments 0 and 1 overlap");
	/* A big one swallowing a small one placed before it. */
	begin(&b);
	eb_ehdr(&b)->e_entry = 0x500000;
	eb_load(&b, PF_R, 0x480000, 0x10, 0x10, PAGE);
	eb_load(&b, PF_R | PF_X, 0x400000, 0x10, 0x200000, PAGE);
	expect_refused(&b, "segments 0 and 1 overlap");
}

static void test_reject_dynamic(void **state)
{
	struct elf_builder b;

	begin_standard(&b);
	eb_add(&b, PT_INTERP, PF_R);
	expect_refused(&b, "segment 5: PT_INTERP", "static images only");
	begin_standard(&b);
	eb_add(&b, PT_DYNAMIC, PF_R | PF_W);
	expect_refused(&b, "segment 5: PT_DYNAMIC", "static images only");
}

/* ------------------------------------------------------------------------
 * The whole image
 */

static void test_reject_entry(void **state)
{
	struct elf_builder b;

	begin_standard(&b);
	eb_ehdr(&b)->e_entry = 0x401800; /* one past the code */
	expect_refused(&b, "entry point 0x401800 is outside every PT_LOAD");
	begin_standard(&b);
	eb_ehdr(&b)->e_entry = 0;
	expect_refused(&b, "entry point 0 is outside every PT_LOAD");
	begin_standard(&b);
	eb_ehdr(&b)->e_entry = 0x402010;
	expect_refused(&b, "entry point 0x402010 is in segment 1",
		       "not executable (flags r--)");
	begin_standard(&b);
	eb_ehdr(&b)->e_entry = 0x404000;
	expect_refused(&b, "in segment 2, which is not executable (flags rw-)");
	/* Code whose tail is zero-filled: the entry must be in the file. */
	begin(&b);
	eb_ehdr(&b)->e_entry = 0x400100;
	eb_load(&b, PF_R | PF_X, 0x400000, 0x100, 0x1000, PAGE);
	expect_refused(&b, "entry point 0x400100 is in the zero-filled tail",
		       "file bytes end at 0x400100");
	eb_ehdr(&b)->e_entry = 0x4000ff;
	expect_accepted(&b);
}

static void test_reject_over_mem_limit(void **state)
{
	struct elf_builder b;

	begin_standard(&b);
	eb_phdr(&b, 2)->p_memsz = MEM_LIMIT; /* 16384 pages, plus 3 */
	expect_refused(&b, "segments need 65548 KiB (16387 pages)",
		       "above the memory limit of 65536 KiB");
}

static void test_reject_bad_limits(void **state)
{
	struct elf_image_limits limits = default_limits;
	struct elf_builder b;

	begin_standard(&b);
	limits.vaddr_min = 0x400800;
	expect_refused_with(&b, &limits, "bad limits");
	limits = default_limits;
	limits.vaddr_end = GUEST_IMAGE_VADDR_END - 1;
	expect_refused_with(&b, &limits, "bad limits");
	limits = default_limits;
	limits.vaddr_end = limits.vaddr_min;
	expect_refused_with(&b, &limits, "bad limits");
	assert_int_equal(
		elf_image_parse(b.buf, b.size, NULL, &info, err, sizeof(err)),
		-EINVAL);
	assert_err_has("bad limits");
}

/* A short buffer gets the message's start; none at all is fine too. */
static void test_err_buffer_small(void **state)
{
	struct elf_builder b;
	char small[12];

	begin_standard(&b);
	eb_ehdr(&b)->e_machine = 3;
	memset(small, 'X', sizeof(small));
	assert_int_equal(elf_image_parse(b.buf, b.size, &default_limits, &info,
					 small, sizeof(small)),
			 -EINVAL);
	assert_string_equal(small, "ELF machine");
	assert_int_equal(
		elf_image_parse(b.buf, b.size, &default_limits, &info, NULL, 0),
		-EINVAL);
	/* And on success the message is emptied. */
	begin_standard(&b);
	memset(small, 'X', sizeof(small));
	assert_int_equal(elf_image_parse(b.buf, b.size, &default_limits, &info,
					 small, sizeof(small)),
			 0);
	assert_string_equal(small, "");
}

/* ------------------------------------------------------------------------
 * Random corruption
 */

static u64 rng_state = 0x9e3779b97f4a7c15ULL;

/* xorshift64*: deterministic, so that a failure reproduces. */
static u64 rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

/* Values that sit on the edges the checks compare against. */
static const u64 edge_values[] = {
	0,
	1,
	0xfff,
	0x1000,
	0x400000,
	0x3ff000,
	0x7ffffffff000UL,
	0x800000000000UL,
	0xffffffff80000000UL,
	0xfffffffffffff000UL,
	~0UL,
	~0UL - 55,
	0x8000000000000000UL,
};

/* Overwrites a random header field (or a random byte) of the image. */
static void mutate(u8 *image, size_t size)
{
	size_t headers = EB_DATA_START;
	size_t at = rng() % headers;
	u64 v = (rng() & 1) ? edge_values[rng() % ARRAY_SIZE(edge_values)]
			    : rng();
	unsigned int width = 1u << (rng() % 4);

	if (rng() % 8 == 0)
		at = rng() % size;
	at = ROUNDDOWN(at, width);
	if (at + width > size)
		return;
	memcpy(image + at, &v, width);
}

/* What every accepted image must satisfy, whatever it was built from. */
static void check_accepted(size_t size, const struct elf_image_limits *lim)
{
	u64 pages = 0;
	bool entry_ok = false;
	u32 i, j;

	assert_string_equal(err, "");
	assert_true(info.nr_segments >= 1 &&
		    info.nr_segments <= ELF_IMAGE_MAX_SEGMENTS);
	for (i = 0; i < info.nr_segments; i++) {
		const struct elf_segment *s = &info.segments[i];
		u64 first = ROUNDDOWN(s->vaddr, PAGE);
		u64 last = ROUNDUP(s->vaddr + s->memsz, PAGE);

		assert_true(s->memsz > 0 && s->filesz <= s->memsz);
		assert_true(s->offset <= size && s->filesz <= size - s->offset);
		assert_true(s->vaddr >= lim->vaddr_min);
		assert_true(s->vaddr + s->memsz > s->vaddr);
		assert_true(s->vaddr + s->memsz <= lim->vaddr_end);
		assert_false((s->flags & ELF_SEG_W) && (s->flags & ELF_SEG_X));
		assert_int_equal(s->flags & ~7u, 0);
		for (j = 0; j < i; j++) {
			const struct elf_segment *o = &info.segments[j];

			assert_true(last <= ROUNDDOWN(o->vaddr, PAGE) ||
				    first >=
					    ROUNDUP(o->vaddr + o->memsz, PAGE));
		}
		pages += (last - first) / PAGE;
		if ((s->flags & ELF_SEG_X) && info.entry >= s->vaddr &&
		    info.entry - s->vaddr < s->filesz)
			entry_ok = true;
	}
	assert_true(entry_ok);
	assert_int_equal(pages, info.total_pages);
	assert_true(pages * PAGE <= lim->mem_limit);
}

static void test_fuzz_mutated_images(void **state)
{
	static const struct elf_image_limits tight = {
		.vaddr_min = 0x400000,
		.vaddr_end = 0x800000,
		.mem_limit = 16 * PAGE,
	};
	struct elf_builder b;
	unsigned int iter, n, accepted = 0;
	u8 *copy;

	for (iter = 0; iter < 20000; iter++) {
		const struct elf_image_limits *lim =
			iter % 4 == 3 ? &tight : &default_limits;
		size_t size;
		int rc;

		begin_standard(&b);
		if (iter % 3 == 0)
			eb_load(&b, PF_R, 0x410000, 0x20, 0x5000, PAGE);
		size = b.size;
		for (n = rng() % 4; n > 0; n--)
			mutate(b.buf, size);
		if (rng() % 16 == 0)
			size = rng() % (size + 1);
		/* Exact size: ASan stops any read past the image. */
		copy = malloc(size ? size : 1);
		assert_non_null(copy);
		memcpy(copy, b.buf, size);
		rc = elf_image_parse(copy, size, lim, &info, err, sizeof(err));
		if (rc == 0) {
			check_accepted(size, lim);
			accepted++;
		} else {
			assert_int_equal(rc, -EINVAL);
			assert_true(strlen(err) > 0 &&
				    strlen(err) < sizeof(err));
			assert_true(info_is_zero());
		}
		free(copy);
	}
	/* Both outcomes must have been exercised for this to mean anything. */
	assert_true(accepted > 1000);
	assert_true(accepted < 19000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_standard_image),
		cmocka_unit_test(test_unaligned_image),
		cmocka_unit_test(test_minimal_image),
		cmocka_unit_test(test_other_types_ignored),
		cmocka_unit_test(test_empty_load_ignored),
		cmocka_unit_test(test_small_alignment),
		cmocka_unit_test(test_window_edges),
		cmocka_unit_test(test_adjacent_pages),
		cmocka_unit_test(test_max_segments),
		cmocka_unit_test(test_mem_limit_exact),
		cmocka_unit_test(test_perms_strings),
		cmocka_unit_test(test_reject_truncated),
		cmocka_unit_test(test_reject_magic),
		cmocka_unit_test(test_reject_class),
		cmocka_unit_test(test_reject_big_endian),
		cmocka_unit_test(test_reject_version),
		cmocka_unit_test(test_reject_type),
		cmocka_unit_test(test_reject_machine),
		cmocka_unit_test(test_reject_header_sizes),
		cmocka_unit_test(test_reject_phnum),
		cmocka_unit_test(test_reject_phdr_table_bounds),
		cmocka_unit_test(test_reject_no_load),
		cmocka_unit_test(test_reject_filesz_above_memsz),
		cmocka_unit_test(test_reject_file_range),
		cmocka_unit_test(test_reject_vaddr_wrap),
		cmocka_unit_test(test_reject_outside_window),
		cmocka_unit_test(test_reject_custom_window),
		cmocka_unit_test(test_reject_write_execute),
		cmocka_unit_test(test_reject_alignment),
		cmocka_unit_test(test_reject_overlap),
		cmocka_unit_test(test_reject_dynamic),
		cmocka_unit_test(test_reject_entry),
		cmocka_unit_test(test_reject_over_mem_limit),
		cmocka_unit_test(test_reject_bad_limits),
		cmocka_unit_test(test_err_buffer_small),
		cmocka_unit_test(test_fuzz_mutated_images),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
