/*
 * Host unit tests of the Multiboot (v1) image parser
 * (common/multiboot1_image.c), under the RAM layout of an HVM domain
 * (hvm_mb1_load_limits(), arch/x86/hvm/pc_platform.c).
 *
 * Images are built with tests/fuzz/mb1_builder.c in an aligned scratch
 * buffer, then copied into a malloc'ed buffer of exactly the image's size
 * (at an odd address when asked), so that AddressSanitizer reports any
 * read past the image and UBSan any misaligned one. Every refusal is
 * checked by the words of its message, and every message must fit the
 * 256-byte buffer whole.
 */
/*
 * Project headers first: glibc's <sys/cdefs.h> defines __always_inline too,
 * and only a redefinition inside a system header goes unreported.
 */
#include <asm/hvm/pc_platform.h>
#include <asm/hvm/platform.h>
#include <compiler.h>
#include <elf_image.h>
#include <errno.h>
#include <multiboot1_image.h>
#include <string.h>

#include "elf_builder.h"
#include "mb1_builder.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#define MIB	    (1UL << 20)
#define DEFAULT_MEM (64 * MIB)

/* ------------------------------------------------------------------------
 * Building and parsing
 */

#define BUILD_SIZE (256 * 1024)

static u8 build_buf[BUILD_SIZE] __aligned(8);

static struct mb1_image_info info;
static char err[256];

static struct mb1_load_limits limits_for(u64 mem)
{
	struct mb1_load_limits lim;

	assert_int_equal(hvm_mb1_load_limits(mem, &lim), 0);
	return lim;
}

/*
 * Parses the first size bytes of the image from an exact-size copy,
 * placed skew bytes past a malloc'ed (16-aligned) address.
 */
static int parse_copy(const u8 *image, size_t size, size_t skew,
		      const struct mb1_load_limits *lim)
{
	u8 *copy = malloc(size + skew ? size + skew : 1);
	int rc;

	assert_non_null(copy);
	memcpy(copy + skew, image, size);
	/* Stale contents that success or failure must overwrite. */
	memset(err, 'X', sizeof(err));
	memset(&info, 0xa5, sizeof(info));
	rc = mb1_image_parse(copy + skew, size, lim, &info, err, sizeof(err));
	free(copy);
	return rc;
}

static int parse_mem(const struct mb1_builder *b, u64 mem)
{
	struct mb1_load_limits lim = limits_for(mem);

	return parse_copy(b->buf, b->size, 0, &lim);
}

static int parse(const struct mb1_builder *b)
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
	static const struct mb1_image_info zero;

	return memcmp(&info, &zero, sizeof(info)) == 0;
}

/* Checks a refusal (rc) whose message contains every word given. */
static void check_refused(int rc, const char *const *words, unsigned int n)
{
	unsigned int i;

	assert_int_equal(rc, -EINVAL);
	assert_true(info_is_zero());
	/* Terminated, not empty, and whole: 256 bytes hold any message. */
	assert_true(strnlen(err, sizeof(err)) < sizeof(err) - 1);
	assert_true(strlen(err) > 0);
	for (i = 0; i < n; i++)
		if (!contains(err, words[i]))
			fail_msg("no \"%s\" in err: \"%s\"", words[i], err);
}

#define expect_refused_rc(rc, ...)                                 \
	do {                                                       \
		static const char *const words_[] = {__VA_ARGS__}; \
		check_refused((rc), words_, ARRAY_SIZE(words_));   \
	} while (0)

#define expect_refused(b, ...) expect_refused_rc(parse(b), __VA_ARGS__)
#define expect_refused_mem(b, mem, ...) \
	expect_refused_rc(parse_mem((b), (mem)), __VA_ARGS__)

static void expect_accepted_mem(const struct mb1_builder *b, u64 mem)
{
	int rc = parse_mem(b, mem);

	if (rc)
		fail_msg("refused: %s", err);
	assert_string_equal(err, "");
}

static void expect_accepted(const struct mb1_builder *b)
{
	expect_accepted_mem(b, DEFAULT_MEM);
}

static void begin_elf(struct mb1_builder *b)
{
	mb1b_elf_init(b, build_buf, sizeof(build_buf));
}

static void begin_standard(struct mb1_builder *b)
{
	begin_elf(b);
	mb1b_elf_standard(b);
}

static void begin_aout(struct mb1_builder *b)
{
	mb1b_aout_standard(b, build_buf, sizeof(build_buf));
}

/* ------------------------------------------------------------------------
 * Good ELF images
 */

static void test_elf_standard(void **state)
{
	struct mb1_builder b;
	const struct mb1_segment *s = info.segments;

	begin_standard(&b);
	expect_accepted(&b);
	assert_int_equal(info.header_offset, MB1B_ELF_HEADER_OFF);
	assert_int_equal(info.header_flags, MB1B_ELF_FLAGS);
	assert_false(info.aout_kludge);
	assert_false(info.video_mode);
	assert_int_equal(info.entry, MB1B_STD_ENTRY);
	assert_int_equal(info.nr_segments, 3);
	assert_int_equal(info.load_start, MB1B_STD_START);
	assert_int_equal(info.load_end, MB1B_STD_END);

	assert_int_equal(s[0].paddr, 0x100000);
	assert_int_equal(s[0].filesz, 0x2000);
	assert_int_equal(s[0].memsz, 0x2000);
	assert_int_equal(s[0].offset, mb1b_phdr(&b, 0)->p_offset);
	assert_int_equal(s[0].phdr, 0);
	assert_int_equal(s[1].paddr, 0x102000);
	assert_int_equal(s[1].phdr, 1);
	assert_int_equal(s[2].paddr, 0x103000);
	assert_int_equal(s[2].filesz, 0x100);
	assert_int_equal(s[2].memsz, 0x5000);
	assert_int_equal(s[2].offset, mb1b_phdr(&b, 2)->p_offset);

	/* The file bytes described are the ones the builder wrote. */
	assert_int_equal(b.buf[s[0].offset], 0xcc);
	assert_int_equal(b.buf[s[2].offset + s[2].filesz - 1], 0x5a);
}

/* Any alignment of the module in memory reads the same. */
static void test_unaligned_image(void **state)
{
	struct mb1_load_limits lim = limits_for(DEFAULT_MEM);
	struct mb1_image_info first;
	struct mb1_builder b;
	size_t skew;

	begin_standard(&b);
	assert_int_equal(parse_copy(b.buf, b.size, 0, &lim), 0);
	first = info;
	for (skew = 1; skew < 8; skew++) {
		assert_int_equal(parse_copy(b.buf, b.size, skew, &lim), 0);
		assert_memory_equal(&info, &first, sizeof(info));
	}
	begin_aout(&b);
	assert_int_equal(parse_copy(b.buf, b.size, 0, &lim), 0);
	first = info;
	assert_int_equal(parse_copy(b.buf, b.size, 3, &lim), 0);
	assert_memory_equal(&info, &first, sizeof(info));
}

/* A higher-half kernel: e_entry virtual, translated as QEMU and GRUB do. */
static void test_elf_virtual_entry(void **state)
{
	struct mb1_builder b;
	struct elf32_phdr *ph;

	begin_elf(&b);
	ph = mb1b_load(&b, PF_R | PF_X, 0x100000, 0x1000, 0x1000);
	ph->p_vaddr = 0xc0100000;
	mb1b_ehdr(&b)->e_entry = 0xc0100040;
	expect_accepted(&b);
	assert_int_equal(info.entry, 0x100040);
	assert_int_equal(info.segments[0].paddr, 0x100000);
}

/* The same kernel stating its physical entry, as GRUB legacy needed. */
static void test_elf_physical_entry(void **state)
{
	struct mb1_builder b;
	struct elf32_phdr *ph;

	begin_elf(&b);
	ph = mb1b_load(&b, PF_R | PF_X, 0x100000, 0x1000, 0x1000);
	ph->p_vaddr = 0xc0100000;
	mb1b_ehdr(&b)->e_entry = 0x100040;
	expect_accepted(&b);
	assert_int_equal(info.entry, 0x100040);
}

/* Low RAM outside the info region is usable; RWX and touching are fine. */
static void test_elf_low_ram_rwx_adjacent(void **state)
{
	struct mb1_builder b;

	begin_elf(&b);
	mb1b_load(&b, PF_R | PF_W | PF_X, 0x0, 0x100, 0x9000);
	mb1b_load(&b, PF_R | PF_W, HVM_MB1_INFO_END, 0x10,
		  HVM_LOW_RAM_END - HVM_MB1_INFO_END);
	mb1b_load(&b, PF_R, HVM_HIGH_RAM_START, 0x10, 0x10);
	mb1b_ehdr(&b)->e_entry = 0x10;
	expect_accepted(&b);
	assert_int_equal(info.nr_segments, 3);
	assert_int_equal(info.load_start, 0);
	assert_int_equal(info.load_end, HVM_HIGH_RAM_START + 0x10);
	assert_int_equal(info.entry, 0x10);
}

/* Unsorted segments, empty loads and other types are fine. */
static void test_elf_other_phdrs(void **state)
{
	struct mb1_builder b;

	begin_elf(&b);
	mb1b_add(&b, PT_PHDR, PF_R);
	mb1b_load(&b, PF_R | PF_W, 0x300000, 0x10, 0x2000);
	mb1b_add(&b, PT_NOTE, PF_R);
	mb1b_add(&b, PT_LOAD, PF_R); /* memsz 0: left out */
	mb1b_add(&b, PT_DYNAMIC, PF_R);
	mb1b_add(&b, PT_INTERP, PF_R);
	mb1b_load(&b, PF_R | PF_X, 0x200000, 0x100, 0x100);
	mb1b_ehdr(&b)->e_entry = 0x200000;
	expect_accepted(&b);
	assert_int_equal(info.nr_segments, 2);
	assert_int_equal(info.segments[0].phdr, 1);
	assert_int_equal(info.segments[1].phdr, 6);
	assert_int_equal(info.load_start, 0x200000);
	assert_int_equal(info.load_end, 0x302000);
}

static void test_elf_max_segments(void **state)
{
	struct mb1_builder b;
	u32 i;

	begin_elf(&b);
	for (i = 0; i < MB1_MAX_SEGMENTS; i++)
		mb1b_load(&b, i ? PF_R : PF_R | PF_X, 0x100000 + i * 0x1000, 8,
			  8);
	mb1b_ehdr(&b)->e_entry = 0x100000;
	expect_accepted(&b);
	assert_int_equal(info.nr_segments, MB1_MAX_SEGMENTS);

	mb1b_load(&b, PF_R, 0x100000 + i * 0x1000, 8, 8);
	expect_refused(&b, "segment 16", "more than 16 PT_LOAD");
}

/* A segment may end exactly at the end of RAM, not a byte further. */
static void test_elf_end_of_ram(void **state)
{
	struct mb1_builder b;
	struct elf32_phdr *ph;

	begin_elf(&b);
	mb1b_load(&b, PF_R | PF_X, 0x100000, 0x100, 0x100);
	ph = mb1b_load(&b, PF_R | PF_W, 0x1ff000, 0x10, 0x1000);
	mb1b_ehdr(&b)->e_entry = 0x100000;
	expect_accepted_mem(&b, HVM_MEM_MIN);
	assert_int_equal(info.load_end, HVM_MEM_MIN);

	ph->p_memsz++;
	expect_refused_mem(&b, HVM_MEM_MIN, "segment 1", "[0x1ff000, 0x200001)",
			   "ends above", "0x200000");
	/* The largest domain takes a kernel at its top. */
	ph->p_paddr = HVM_MEM_MAX - 0x1000;
	ph->p_memsz = 0x1000;
	expect_accepted_mem(&b, HVM_MEM_MAX);
}

/* Requirement bit 2: accepted, and reported for the builder's warning. */
static void test_video_mode(void **state)
{
	struct mb1_builder b;
	struct mb1_header *h;

	begin_standard(&b);
	h = mb1b_header(&b);
	h->mode_type = 1;
	h->width = 80;
	h->height = 25;
	h->depth = 0;
	mb1b_set_flags(&b, MB1B_ELF_FLAGS | MB1_HEADER_VIDEO_MODE);
	expect_accepted(&b);
	assert_true(info.video_mode);
	assert_int_equal(info.mode_type, 1);
	assert_int_equal(info.width, 80);
	assert_int_equal(info.height, 25);
	assert_int_equal(info.header_flags,
			 MB1B_ELF_FLAGS | MB1_HEADER_VIDEO_MODE);
}

/* Optional bits other than 16 mean nothing and are ignored. */
static void test_optional_flags(void **state)
{
	struct mb1_builder b;

	begin_standard(&b);
	mb1b_set_flags(&b, MB1B_ELF_FLAGS | (1U << 17) | (1U << 31));
	expect_accepted(&b);
	assert_int_equal(info.header_flags,
			 MB1B_ELF_FLAGS | (1U << 17) | (1U << 31));
}

/* The header may be anywhere 4-aligned, its last byte at 8191. */
static void test_header_positions(void **state)
{
	struct mb1_builder b;

	begin_standard(&b);
	mb1b_move_header(&b, MB1_SEARCH_LIMIT - MB1_HEADER_MIN);
	/* Moving left the (zeroed) video fields past 8192: not used. */
	expect_accepted(&b);
	assert_int_equal(info.header_offset, MB1_SEARCH_LIMIT - MB1_HEADER_MIN);

	/* A magic with a bad checksum first: the scan goes on. */
	begin_standard(&b);
	mb1b_move_header(&b, 0x1000 - 4);
	memcpy(b.buf + MB1B_DATA_START - 8, "\x02\xb0\xad\x1b", 4);
	expect_accepted(&b);
	assert_int_equal(info.header_offset, 0x1000 - 4);
}

/* ------------------------------------------------------------------------
 * Good a.out kludge images
 */

static void test_aout_standard(void **state)
{
	struct mb1_builder b;
	const struct mb1_segment *s = info.segments;

	begin_aout(&b);
	expect_accepted(&b);
	assert_true(info.aout_kludge);
	assert_int_equal(info.header_offset, 0);
	assert_int_equal(info.header_flags,
			 MB1_HEADER_MEMORY_INFO | MB1_HEADER_AOUT_KLUDGE);
	assert_int_equal(info.nr_segments, 1);
	assert_int_equal(s[0].offset, 0);
	assert_int_equal(s[0].paddr, MB1B_AOUT_LOAD);
	assert_int_equal(s[0].filesz, MB1B_AOUT_FILE);
	assert_int_equal(s[0].memsz, MB1B_AOUT_FILE + MB1B_AOUT_BSS);
	assert_int_equal(info.entry, MB1B_AOUT_LOAD + MB1_HEADER_VIDEO);
	assert_int_equal(info.load_start, MB1B_AOUT_LOAD);
	assert_int_equal(info.load_end,
			 MB1B_AOUT_LOAD + MB1B_AOUT_FILE + MB1B_AOUT_BSS);
}

/* load_end_addr 0: the whole file; bss_end_addr 0: no bss. */
static void test_aout_zero_fields(void **state)
{
	struct mb1_builder b;

	begin_aout(&b);
	mb1b_header(&b)->load_end_addr = 0;
	mb1b_header(&b)->bss_end_addr = 0;
	expect_accepted(&b);
	assert_int_equal(info.segments[0].filesz, MB1B_AOUT_FILE);
	assert_int_equal(info.segments[0].memsz, MB1B_AOUT_FILE);
}

/*
 * The header deeper in the file, the loaded part starting before it and
 * not at the file's start (a prefix that is not loaded), and shorter
 * than the file.
 */
static void test_aout_offsets(void **state)
{
	struct mb1_builder b;
	struct mb1_header *h;

	mb1b_aout_init(&b, build_buf, sizeof(build_buf), 0x200000, 0x400,
		       0x2000, 0);
	h = mb1b_header(&b);
	/* Load from file offset 0x100: header_addr - load_addr = 0x300. */
	h->load_addr = 0x200100;
	h->load_end_addr = 0x201000;
	mb1b_fix_checksum(&b);
	expect_accepted(&b);
	assert_int_equal(info.header_offset, 0x400);
	assert_int_equal(info.segments[0].offset, 0x100);
	assert_int_equal(info.segments[0].paddr, 0x200100);
	assert_int_equal(info.segments[0].filesz, 0xf00);
	assert_int_equal(info.segments[0].memsz, 0xf00);
	assert_int_equal(info.entry, 0x200430);
}

/* With bit 16 an ELF file is loaded from the header's fields (3.1.3). */
static void test_aout_wins_over_elf(void **state)
{
	struct mb1_builder b;
	struct mb1_header *h;

	begin_standard(&b);
	h = mb1b_header(&b);
	h->header_addr = 0x400000 + MB1B_ELF_HEADER_OFF;
	h->load_addr = 0x400000;
	h->load_end_addr = 0;
	h->bss_end_addr = 0;
	h->entry_addr = 0x400000;
	mb1b_set_flags(&b, MB1B_ELF_FLAGS | MB1_HEADER_AOUT_KLUDGE);
	expect_accepted(&b);
	assert_true(info.aout_kludge);
	assert_int_equal(info.nr_segments, 1);
	assert_int_equal(info.segments[0].offset, 0);
	assert_int_equal(info.segments[0].paddr, 0x400000);
	assert_int_equal(info.segments[0].filesz, b.size);
	assert_int_equal(info.entry, 0x400000);
}

/* ------------------------------------------------------------------------
 * Refused: the header
 */

static void test_reject_no_header(void **state)
{
	struct mb1_load_limits lim = limits_for(DEFAULT_MEM);
	struct mb1_builder b;

	expect_refused_rc(parse_copy(build_buf, 0, 0, &lim),
			  "no Multiboot header", "0x1badb002");
	expect_refused_rc(
		mb1_image_parse(NULL, 100, &lim, &info, err, sizeof(err)),
		"no Multiboot header");
	begin_standard(&b);
	memset(b.buf + b.header_off, 0, MB1_HEADER_VIDEO);
	expect_refused(&b, "no Multiboot header", "first 8192 bytes");
}

static void test_reject_header_past_limit(void **state)
{
	struct mb1_builder b;

	begin_standard(&b);
	mb1b_move_header(&b, MB1_SEARCH_LIMIT);
	expect_refused(&b, "offset 0x2000", "not within the first 8192");
	/* Straddling the limit. */
	mb1b_move_header(&b, MB1_SEARCH_LIMIT - 8);
	expect_refused(&b, "offset 0x1ff8", "not within the first 8192");
	/* 12 bytes inside, but the a.out fields its flags use are not. */
	mb1b_move_header(&b, MB1_SEARCH_LIMIT - 16);
	mb1b_set_flags(&b, MB1B_ELF_FLAGS | MB1_HEADER_AOUT_KLUDGE);
	expect_refused(&b, "offset 0x1ff0", "32 bytes",
		       "not wholly within the first 8192");
}

static void test_reject_misaligned(void **state)
{
	struct mb1_builder b;

	begin_standard(&b);
	mb1b_move_header(&b, 0x1002);
	expect_refused(&b, "offset 0x1002", "not 32-bit aligned");
}

static void test_reject_bad_checksum(void **state)
{
	struct mb1_builder b;

	begin_standard(&b);
	mb1b_header(&b)->checksum += 1;
	expect_refused(&b, "Multiboot header at offset", "bad checksum",
		       "magic + flags + checksum = 0x1, not 0");
}

static void test_reject_header_past_file(void **state)
{
	struct mb1_builder b;

	/* A 32-byte a.out header in a 40-byte file at offset 16. */
	mb1b_aout_init(&b, build_buf, sizeof(build_buf), 0x100000, 0, 0x100, 0);
	mb1b_move_header(&b, 16);
	mb1b_set_flags(&b, MB1_HEADER_AOUT_KLUDGE | MB1_HEADER_VIDEO_MODE);
	b.size = 40;
	expect_refused(&b, "offset 0x10", "48 bytes",
		       "runs past the end of the 40-byte image");
}

static void test_reject_required_flags(void **state)
{
	struct mb1_builder b;
	u32 bit;

	for (bit = 3; bit < 16; bit++) {
		char word[32];

		begin_standard(&b);
		mb1b_set_flags(&b, MB1B_ELF_FLAGS | (1U << bit));
		snprintf(word, sizeof(word), "required feature bit %u ", bit);
		assert_int_equal(parse(&b), -EINVAL);
		if (!contains(err, word) || !contains(err, "not supported"))
			fail_msg("bit %u: \"%s\"", bit, err);
	}
}

/* ------------------------------------------------------------------------
 * Refused: the ELF header
 */

static void test_reject_not_elf(void **state)
{
	struct mb1_builder b;

	begin_standard(&b);
	b.buf[0] = 'M';
	expect_refused(&b, "not an ELF file", "0x3", "lack bit 16",
		       "a.out kludge");
}

/* A real ELF64 image with a Multiboot header: QEMU's words. */
static void test_reject_elf64(void **state)
{
	struct elf_builder eb;
	struct mb1_builder b;

	eb_init(&eb, build_buf, sizeof(build_buf));
	eb_standard(&eb);
	/* The gap between the program headers and the first segment. */
	b.buf = build_buf;
	b.cap = sizeof(build_buf);
	b.size = eb.size;
	b.header_off = EB_DATA_START;
	mb1b_header(&b)->magic = MB1_HEADER_MAGIC;
	mb1b_set_flags(&b, MB1B_ELF_FLAGS);
	expect_refused(&b, "ELF64", "give a 32-bit one", "elf32-i386");
}

static void test_reject_elf_header(void **state)
{
	struct mb1_builder b;

	begin_standard(&b);
	b.buf[EI_CLASS] = 3;
	expect_refused(&b, "ELF class 3", "ELFCLASS32");

	begin_standard(&b);
	b.buf[EI_DATA] = 2;
	expect_refused(&b, "ELF data encoding 2", "little-endian");

	begin_standard(&b);
	mb1b_ehdr(&b)->e_version = 0;
	expect_refused(&b, "ELF version 1 (e_ident) / 0", "EV_CURRENT");

	begin_standard(&b);
	mb1b_ehdr(&b)->e_type = ET_DYN;
	expect_refused(&b, "ELF type 3", "ET_EXEC");

	begin_standard(&b);
	mb1b_ehdr(&b)->e_machine = EM_X86_64;
	expect_refused(&b, "ELF machine 62 (x86-64)", "not EM_386");

	begin_standard(&b);
	mb1b_ehdr(&b)->e_ehsize = 64;
	expect_refused(&b, "e_ehsize 64", "52 bytes");

	begin_standard(&b);
	mb1b_ehdr(&b)->e_phentsize = 56;
	expect_refused(&b, "e_phentsize 56", "32 bytes");

	begin_elf(&b);
	expect_refused(&b, "no program headers");

	begin_standard(&b);
	mb1b_ehdr(&b)->e_phnum = MB1_MAX_PHDRS + 1;
	expect_refused(&b, "65 program headers", "more than the 64");

	begin_standard(&b);
	mb1b_ehdr(&b)->e_phoff = b.size - 64;
	expect_refused(&b, "program header table at offset", "runs past");
}

/* A file too short for the ELF32 header, still with its magic. */
static void test_reject_short_elf(void **state)
{
	struct mb1_builder b;

	/* Header at 0 is the magic; the Multiboot header follows. */
	mb1b_aout_init(&b, build_buf, sizeof(build_buf), 0x100000, 8, 0x40, 0);
	memcpy(b.buf, ELFMAG, SELFMAG);
	b.buf[EI_CLASS] = ELFCLASS32;
	mb1b_set_flags(&b, MB1_HEADER_MEMORY_INFO);
	b.size = 8 + MB1_HEADER_MIN + 4;
	expect_refused(&b, "24 bytes", "smaller than the 52-byte ELF32 header");
}

/* ------------------------------------------------------------------------
 * Refused: ELF segments
 */

static void test_reject_segment_file_range(void **state)
{
	struct mb1_builder b;

	begin_standard(&b);
	mb1b_phdr(&b, 1)->p_filesz = 0x900;
	expect_refused(&b, "segment 1",
		       "p_filesz 0x900 larger than p_memsz 0x800");

	begin_standard(&b);
	mb1b_phdr(&b, 2)->p_offset = b.size - 0x80;
	expect_refused(&b, "segment 2", "file bytes", "run past the end");

	begin_standard(&b);
	mb1b_phdr(&b, 1)->p_offset = 0xffffff00;
	expect_refused(&b, "segment 1", "[0xffffff00, +0x800)",
		       "run past the end");
}

static void test_reject_overlap(void **state)
{
	struct mb1_builder b;

	begin_standard(&b);
	/* The bss of segment 2 runs one byte into a new segment. */
	mb1b_load(&b, PF_R, 0x107fff, 0x10, 0x10);
	expect_refused(&b, "segments 2 and 4 overlap", "[0x103000, 0x108000)",
		       "[0x107fff, 0x10800f)");

	begin_standard(&b);
	mb1b_phdr(&b, 1)->p_paddr = 0x101800;
	expect_refused(&b, "segments 0 and 1 overlap");
}

static void test_reject_wrap(void **state)
{
	struct mb1_builder b;

	begin_standard(&b);
	mb1b_phdr(&b, 2)->p_paddr = 0xfffff000;
	expect_refused(&b, "segment 2", "0xfffff000 + 0x5000",
		       "wraps past 4 GiB");
}

/* Every hole of the layout, named with its addresses. */
static void test_reject_holes(void **state)
{
	static const struct {
		u32 paddr, memsz;
		const char *what, *range;
	} cases[] = {
		{0x9800, 0x100, "the multiboot information region",
		 "[0x9000, 0x10000)"},
		{0x8000, 0x1001, "the multiboot information region",
		 "[0x9000, 0x10000)"},
		{0xffff, 0x1, "the multiboot information region",
		 "[0x9000, 0x10000)"},
		{0x9f000, 0x1000, "the EBDA", "[0x9fc00, 0xa0000)"},
		{0xb8000, 0x1000, "the VGA and option-ROM hole",
		 "[0xa0000, 0xe0000)"},
		{0xf0000, 0x100, "the BIOS area", "[0xe0000, 0x100000)"},
		{0xfffff, 0x2, "the BIOS area", "[0xe0000, 0x100000)"},
		{0x0, 0x200000, "the multiboot information region",
		 "[0x9000, 0x10000)"},
	};
	struct mb1_builder b;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char range[64];

		begin_standard(&b);
		mb1b_phdr(&b, 1)->p_paddr = cases[i].paddr;
		mb1b_phdr(&b, 1)->p_memsz = cases[i].memsz;
		mb1b_phdr(&b, 1)->p_filesz = 0;
		snprintf(range, sizeof(range), "[%#x, %#x)", cases[i].paddr,
			 cases[i].paddr + cases[i].memsz);
		assert_int_equal(parse(&b), -EINVAL);
		if (!contains(err, "segment 1") || !contains(err, range) ||
		    !contains(err, cases[i].what) ||
		    !contains(err, cases[i].range))
			fail_msg("case %u: \"%s\"", i, err);
	}
}

static void test_reject_above_mem(void **state)
{
	struct mb1_builder b;

	begin_standard(&b);
	mb1b_phdr(&b, 2)->p_paddr = 0x1fe000;
	expect_refused_mem(&b, HVM_MEM_MIN, "segment 2", "[0x1fe000, 0x203000)",
			   "ends above the domain's RAM", "0x200000",
			   "2048 KiB");
	begin_standard(&b);
	mb1b_phdr(&b, 0)->p_paddr = 0xfee00000;
	mb1b_phdr(&b, 0)->p_vaddr = 0xfee00000;
	expect_refused(&b, "segment 0", "ends above");
}

static void test_reject_nothing_to_load(void **state)
{
	struct mb1_builder b;

	begin_elf(&b);
	mb1b_add(&b, PT_LOAD, PF_R | PF_X);
	mb1b_add(&b, PT_NOTE, PF_R);
	expect_refused(&b, "no PT_LOAD segment with memory");
}

static void test_reject_entry(void **state)
{
	struct mb1_builder b;

	begin_standard(&b);
	mb1b_ehdr(&b)->e_entry = 0x500000;
	expect_refused(&b, "entry point 0x500000", "outside every PT_LOAD");

	begin_standard(&b);
	mb1b_ehdr(&b)->e_entry = 0x102010;
	expect_refused(&b, "entry point 0x102010", "segment 1",
		       "not executable", "r--");

	begin_standard(&b);
	mb1b_phdr(&b, 0)->p_filesz = 0x1000;
	mb1b_ehdr(&b)->e_entry = 0x101800;
	expect_refused(&b, "entry point 0x101800", "zero-filled tail",
		       "segment 0");

	/* A virtual entry of a segment that is not executable. */
	begin_standard(&b);
	mb1b_phdr(&b, 1)->p_vaddr = 0xc0000000;
	mb1b_ehdr(&b)->e_entry = 0xc0000010;
	expect_refused(&b, "entry point 0xc0000010", "segment 1",
		       "not executable");
}

/* ------------------------------------------------------------------------
 * Refused: the a.out kludge
 */

static void test_reject_aout_fields(void **state)
{
	struct mb1_builder b;

	begin_aout(&b);
	mb1b_header(&b)->load_addr = MB1B_AOUT_LOAD + 4;
	mb1b_fix_checksum(&b);
	expect_refused(&b, "a.out kludge", "load_addr 0x100004",
		       "above header_addr 0x100000");

	begin_aout(&b);
	mb1b_header(&b)->header_addr = MB1B_AOUT_LOAD + 0x10;
	mb1b_fix_checksum(&b);
	expect_refused(
		&b, "a.out kludge", "header_addr 0x100010",
		"more than the header's file offset 0:", "before the file");

	begin_aout(&b);
	mb1b_header(&b)->load_end_addr = MB1B_AOUT_LOAD;
	mb1b_fix_checksum(&b);
	expect_refused(&b, "load_end_addr 0x100000", "not above load_addr");

	begin_aout(&b);
	mb1b_header(&b)->load_end_addr = MB1B_AOUT_LOAD + MB1B_AOUT_FILE + 1;
	mb1b_fix_checksum(&b);
	expect_refused(&b, "load_end_addr 0x103001", "file bytes [0, 0x3001)",
		       "past the end", "12288-byte image");

	begin_aout(&b);
	mb1b_header(&b)->load_end_addr = MB1B_AOUT_LOAD + 0x10;
	mb1b_header(&b)->bss_end_addr = 0;
	mb1b_header(&b)->entry_addr = MB1B_AOUT_LOAD;
	mb1b_fix_checksum(&b);
	expect_refused(&b, "the header (file offset 0)",
		       "not among the loaded bytes [0, 0x10)");

	begin_aout(&b);
	mb1b_header(&b)->bss_end_addr = MB1B_AOUT_LOAD + MB1B_AOUT_FILE - 1;
	mb1b_fix_checksum(&b);
	expect_refused(&b, "bss_end_addr 0x102fff",
		       "below the end of the loaded bytes 0x103000");

	begin_aout(&b);
	mb1b_header(&b)->entry_addr = MB1B_AOUT_LOAD + MB1B_AOUT_FILE;
	mb1b_fix_checksum(&b);
	expect_refused(&b, "entry_addr 0x103000",
		       "outside the loaded bytes [0x100000, 0x103000)");

	begin_aout(&b);
	mb1b_header(&b)->entry_addr = MB1B_AOUT_LOAD - 1;
	mb1b_fix_checksum(&b);
	expect_refused(&b, "entry_addr 0xfffff", "outside");
}

static void test_reject_aout_wrap(void **state)
{
	struct mb1_builder b;
	struct mb1_header *h;

	/* The whole 12 KiB file loaded 4 KiB below 4 GiB. */
	begin_aout(&b);
	h = mb1b_header(&b);
	h->header_addr = 0xfffff000;
	h->load_addr = 0xfffff000;
	h->load_end_addr = 0;
	h->bss_end_addr = 0;
	h->entry_addr = 0xfffff100;
	mb1b_fix_checksum(&b);
	expect_refused(&b, "load_addr 0xfffff000 + 0x3000", "wraps past 4 GiB");
}

static void test_reject_aout_placement(void **state)
{
	struct mb1_builder b;
	struct mb1_header *h;

	mb1b_aout_init(&b, build_buf, sizeof(build_buf), 0xa0000, 0, 0x1000, 0);
	expect_refused(&b, "a.out kludge image", "[0xa0000, 0xa1000)",
		       "the VGA and option-ROM hole");

	/* The bss reaches into the info region. */
	mb1b_aout_init(&b, build_buf, sizeof(build_buf), 0x1000, 0, 0x1000,
		       0x7001);
	expect_refused(&b, "[0x1000, 0x9001)",
		       "the multiboot information region [0x9000, 0x10000)");

	begin_aout(&b);
	h = mb1b_header(&b);
	h->bss_end_addr = 0x200001;
	mb1b_fix_checksum(&b);
	expect_refused_mem(&b, HVM_MEM_MIN, "[0x100000, 0x200001)",
			   "ends above");
}

/* ------------------------------------------------------------------------
 * Limits and the error buffer
 */

static void test_reject_bad_limits(void **state)
{
	struct mb1_load_limits lim = limits_for(DEFAULT_MEM);
	struct mb1_builder b;

	begin_standard(&b);
	expect_refused_rc(parse_copy(b.buf, b.size, 0, NULL), "bad limits");
	lim.mem = 0;
	expect_refused_rc(parse_copy(b.buf, b.size, 0, &lim), "bad limits",
			  "mem");
	lim.mem = (1ULL << 32) + 1;
	expect_refused_rc(parse_copy(b.buf, b.size, 0, &lim), "bad limits");
	lim = limits_for(DEFAULT_MEM);
	lim.nr_holes = MB1_MAX_HOLES + 1;
	expect_refused_rc(parse_copy(b.buf, b.size, 0, &lim), "9 holes");
	lim = limits_for(DEFAULT_MEM);
	lim.holes[2].end = lim.holes[2].start;
	expect_refused_rc(parse_copy(b.buf, b.size, 0, &lim), "hole 2");

	/* The layout refuses domain sizes it does not support. */
	assert_int_equal(hvm_mb1_load_limits(HVM_MEM_MIN - HVM_MEM_ALIGN, &lim),
			 -EINVAL);
	assert_int_equal(hvm_mb1_load_limits(HVM_MEM_MAX + HVM_MEM_ALIGN, &lim),
			 -EINVAL);
	assert_int_equal(hvm_mb1_load_limits(DEFAULT_MEM + 1, &lim), -EINVAL);
	/* A layout without holes takes a kernel anywhere below mem. */
	lim.mem = 1ULL << 32;
	lim.nr_holes = 0;
	mb1b_phdr(&b, 1)->p_paddr = 0xb8000;
	assert_int_equal(parse_copy(b.buf, b.size, 0, &lim), 0);
}

static void test_err_buffer_small(void **state)
{
	struct mb1_load_limits lim = limits_for(DEFAULT_MEM);
	struct mb1_builder b;
	char small[8];

	begin_standard(&b);
	mb1b_ehdr(&b)->e_machine = 0;
	memset(small, 'X', sizeof(small));
	assert_int_equal(mb1_image_parse(b.buf, b.size, &lim, &info, small,
					 sizeof(small)),
			 -EINVAL);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_memory_equal(small, "ELF mac", 8);
	/* errlen 0: nothing written, still refused. */
	small[0] = 'X';
	assert_int_equal(mb1_image_parse(b.buf, b.size, &lim, &info, small, 0),
			 -EINVAL);
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

static void check_plan(size_t size, const struct mb1_load_limits *lim)
{
	u32 i, j;
	bool entry_ok = false;

	assert_true(info.nr_segments >= 1 &&
		    info.nr_segments <= MB1_MAX_SEGMENTS);
	for (i = 0; i < info.nr_segments; i++) {
		const struct mb1_segment *s = &info.segments[i];

		assert_true(s->memsz > 0 && s->filesz <= s->memsz);
		assert_true(s->offset <= size && s->filesz <= size - s->offset);
		assert_true(s->paddr + s->memsz <= lim->mem);
		for (j = 0; j < lim->nr_holes; j++)
			assert_true(s->paddr + s->memsz <=
					    lim->holes[j].start ||
				    s->paddr >= lim->holes[j].end);
		for (j = 0; j < i; j++) {
			const struct mb1_segment *o = &info.segments[j];

			assert_true(s->paddr + s->memsz <= o->paddr ||
				    s->paddr >= o->paddr + o->memsz);
		}
		if (info.entry >= s->paddr && info.entry < s->paddr + s->filesz)
			entry_ok = true;
		assert_true(s->paddr >= info.load_start);
		assert_true(s->paddr + s->memsz <= info.load_end);
	}
	assert_true(entry_ok);
}

static void test_fuzz_mutated_images(void **state)
{
	struct mb1_load_limits lim = limits_for(DEFAULT_MEM);
	struct mb1_builder b;
	unsigned int round, n, accepted = 0;

	for (round = 0; round < 4000; round++) {
		if (round % 2)
			begin_standard(&b);
		else
			begin_aout(&b);
		/* Flip a few bytes in the headers, keep the checksum. */
		for (n = 0; n < 1 + rng() % 4; n++) {
			size_t at = rng() % (b.header_off + MB1_HEADER_VIDEO);

			b.buf[at] ^= 1U << (rng() % 8);
		}
		if (rng() % 4)
			mb1b_fix_checksum(&b);
		if (parse_copy(b.buf, b.size, rng() % 4, &lim) == 0) {
			assert_string_equal(err, "");
			check_plan(b.size, &lim);
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
		cmocka_unit_test(test_elf_standard),
		cmocka_unit_test(test_unaligned_image),
		cmocka_unit_test(test_elf_virtual_entry),
		cmocka_unit_test(test_elf_physical_entry),
		cmocka_unit_test(test_elf_low_ram_rwx_adjacent),
		cmocka_unit_test(test_elf_other_phdrs),
		cmocka_unit_test(test_elf_max_segments),
		cmocka_unit_test(test_elf_end_of_ram),
		cmocka_unit_test(test_video_mode),
		cmocka_unit_test(test_optional_flags),
		cmocka_unit_test(test_header_positions),
		cmocka_unit_test(test_aout_standard),
		cmocka_unit_test(test_aout_zero_fields),
		cmocka_unit_test(test_aout_offsets),
		cmocka_unit_test(test_aout_wins_over_elf),
		cmocka_unit_test(test_reject_no_header),
		cmocka_unit_test(test_reject_header_past_limit),
		cmocka_unit_test(test_reject_misaligned),
		cmocka_unit_test(test_reject_bad_checksum),
		cmocka_unit_test(test_reject_header_past_file),
		cmocka_unit_test(test_reject_required_flags),
		cmocka_unit_test(test_reject_not_elf),
		cmocka_unit_test(test_reject_elf64),
		cmocka_unit_test(test_reject_elf_header),
		cmocka_unit_test(test_reject_short_elf),
		cmocka_unit_test(test_reject_segment_file_range),
		cmocka_unit_test(test_reject_overlap),
		cmocka_unit_test(test_reject_wrap),
		cmocka_unit_test(test_reject_holes),
		cmocka_unit_test(test_reject_above_mem),
		cmocka_unit_test(test_reject_nothing_to_load),
		cmocka_unit_test(test_reject_entry),
		cmocka_unit_test(test_reject_aout_fields),
		cmocka_unit_test(test_reject_aout_wrap),
		cmocka_unit_test(test_reject_aout_placement),
		cmocka_unit_test(test_reject_bad_limits),
		cmocka_unit_test(test_err_buffer_small),
		cmocka_unit_test(test_fuzz_mutated_images),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
