/*
 * Host unit tests of the multiboot2 boot-information parser
 * (common/multiboot2.c).
 *
 * Blocks are built tag by tag in an aligned scratch buffer, then copied
 * into a malloc'ed buffer of exactly the bytes the parser may read, so
 * that AddressSanitizer reports any read past them.
 */
/*
 * Project headers first: glibc's <sys/cdefs.h> defines __always_inline too,
 * and only a redefinition inside a system header goes unreported.
 */
#include <bootinfo.h>
#include <compiler.h>
#include <errno.h>
#include <multiboot2.h>
#include <string.h>

#include "host_support.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#define U64_MAX ((u64)~0ULL)
#define MIB	0x100000ULL

/* ------------------------------------------------------------------------
 * Building information blocks
 */

#define BUILD_SIZE (64 * 1024)

static u8 build_buf[BUILD_SIZE] __aligned(8);

/* A block being built: tags are appended at 8-byte boundaries. */
struct mbi {
	u8 *buf;
	u32 len; /* bytes used so far */
};

static void mbi_begin(struct mbi *m)
{
	memset(build_buf, 0, sizeof(build_buf));
	m->buf = build_buf;
	m->len = MULTIBOOT2_INFO_FIXED_SIZE;
}

/* Appends a zeroed tag of size bytes and returns it for filling in. */
static void *mbi_tag(struct mbi *m, u32 type, u32 size)
{
	struct mb2_tag *tag;

	m->len = ROUNDUP(m->len, MULTIBOOT2_TAG_ALIGN);
	assert_true(m->len + size <= BUILD_SIZE);
	tag = (void *)(m->buf + m->len);
	tag->type = type;
	tag->size = size;
	m->len += size;
	return tag;
}

/* Sets total_size to what has been built, without adding an end tag. */
static u32 mbi_close(struct mbi *m)
{
	((struct mb2_info *)m->buf)->total_size = m->len;
	return m->len;
}

/* Appends the end tag and sets total_size. */
static u32 mbi_end(struct mbi *m)
{
	mbi_tag(m, MULTIBOOT2_TAG_END, MULTIBOOT2_END_TAG_SIZE);
	return mbi_close(m);
}

static struct mb2_tag_string *mbi_string(struct mbi *m, u32 type, const char *s)
{
	u32 n = strlen(s) + 1;
	struct mb2_tag_string *t = mbi_tag(m, type, sizeof(*t) + n);

	memcpy(t->string, s, n);
	return t;
}

static void mbi_module(struct mbi *m, u32 start, u32 end, const char *s)
{
	u32 n = strlen(s) + 1;
	struct mb2_tag_module *t =
		mbi_tag(m, MULTIBOOT2_TAG_MODULE, sizeof(*t) + n);

	t->mod_start = start;
	t->mod_end = end;
	memcpy(t->string, s, n);
}

static void mbi_basic_meminfo(struct mbi *m, u32 lower_kib, u32 upper_kib)
{
	struct mb2_tag_basic_meminfo *t =
		mbi_tag(m, MULTIBOOT2_TAG_BASIC_MEMINFO, sizeof(*t));

	t->mem_lower = lower_kib;
	t->mem_upper = upper_kib;
}

/* An E820-style map with entries entry_size bytes apart. */
static struct mb2_tag_mmap *mbi_mmap_sized(struct mbi *m,
					   const struct mb2_mmap_entry *e,
					   u32 n, u32 entry_size)
{
	struct mb2_tag_mmap *t =
		mbi_tag(m, MULTIBOOT2_TAG_MMAP, sizeof(*t) + n * entry_size);
	u32 i;

	t->entry_size = entry_size;
	t->entry_version = MULTIBOOT2_MMAP_ENTRY_VERSION;
	for (i = 0; i < n; i++)
		memcpy((u8 *)(t + 1) + i * entry_size, &e[i],
		       entry_size < sizeof(*e) ? entry_size : sizeof(*e));
	return t;
}

static struct mb2_tag_mmap *mbi_mmap(struct mbi *m,
				     const struct mb2_mmap_entry *e, u32 n)
{
	return mbi_mmap_sized(m, e, n, sizeof(*e));
}

/* An EFI map with the descriptor size real firmware uses (48). */
#define EFI_DESC_SIZE 48

struct efi_range {
	u32 type;
	u64 start;
	u64 pages;
};

static struct mb2_tag_efi_mmap *mbi_efi_mmap_sized(struct mbi *m,
						   const struct efi_range *r,
						   u32 n, u32 desc_size)
{
	struct mb2_tag_efi_mmap *t =
		mbi_tag(m, MULTIBOOT2_TAG_EFI_MMAP, sizeof(*t) + n * desc_size);
	u32 i;

	t->descr_size = desc_size;
	t->descr_vers = EFI_MEMORY_DESCRIPTOR_VERSION;
	for (i = 0; i < n; i++) {
		struct efi_memory_descriptor d = {
			.type = r[i].type,
			.physical_start = r[i].start,
			.virtual_start = 0,
			.number_of_pages = r[i].pages,
			.attribute = 0xf,
		};

		memcpy((u8 *)(t + 1) + i * desc_size, &d,
		       desc_size < sizeof(d) ? desc_size : sizeof(d));
	}
	return t;
}

static struct mb2_tag_efi_mmap *mbi_efi_mmap(struct mbi *m,
					     const struct efi_range *r, u32 n)
{
	return mbi_efi_mmap_sized(m, r, n, EFI_DESC_SIZE);
}

/* An RSDP copy of len bytes, starting with its signature. */
static struct mb2_tag_rsdp *mbi_rsdp(struct mbi *m, u32 type, u32 len)
{
	struct mb2_tag_rsdp *t = mbi_tag(m, type, sizeof(*t) + len);

	memcpy(t->rsdp, "RSD PTR ", len < 8 ? len : 8);
	if (len > 15)
		t->rsdp[15] = type == MULTIBOOT2_TAG_ACPI_NEW ? 2 : 0;
	return t;
}

static struct mb2_tag_framebuffer *mbi_fb(struct mbi *m, u32 size, u8 type,
					  u64 addr, u32 pitch, u32 width,
					  u32 height, u8 bpp)
{
	struct mb2_tag_framebuffer *t =
		mbi_tag(m, MULTIBOOT2_TAG_FRAMEBUFFER, size);

	t->framebuffer_addr = addr;
	t->framebuffer_pitch = pitch;
	t->framebuffer_width = width;
	t->framebuffer_height = height;
	t->framebuffer_bpp = bpp;
	t->framebuffer_type = type;
	return t;
}

static void mbi_fb_ega(struct mbi *m)
{
	mbi_fb(m, sizeof(struct mb2_tag_framebuffer),
	       MULTIBOOT2_FRAMEBUFFER_TYPE_EGA_TEXT, 0xb8000, 160, 80, 25, 16);
}

/* UEFI GOP: 1024x768, 32 bpp, xRGB. */
static void mbi_fb_gop(struct mbi *m)
{
	struct mb2_tag_framebuffer *t =
		mbi_fb(m,
		       sizeof(struct mb2_tag_framebuffer) +
			       sizeof(struct mb2_framebuffer_rgb),
		       MULTIBOOT2_FRAMEBUFFER_TYPE_RGB, 0x80000000, 4096, 1024,
		       768, 32);
	struct mb2_framebuffer_rgb rgb = {16, 8, 8, 8, 0, 8};

	memcpy(t + 1, &rgb, sizeof(rgb));
}

static void mbi_efi64(struct mbi *m, u32 type, u64 pointer)
{
	struct mb2_tag_efi64 *t = mbi_tag(m, type, sizeof(*t));

	t->pointer = pointer;
}

/* ------------------------------------------------------------------------
 * Parsing, and looking at the result
 */

static struct boot_info bi;
static char err[160];
static u8 *copy; /* what the parser saw; freed by the teardown */
static size_t copy_len;

/* Parses the first avail bytes of the block from an exact-size copy. */
static int parse_avail(const struct mbi *m, size_t avail)
{
	free(copy);
	copy = malloc(avail ? avail : 1);
	assert_non_null(copy);
	memset(copy, 0, avail);
	memcpy(copy, m->buf, avail < m->len ? avail : m->len);
	copy_len = avail;
	host_printk_reset();
	memset(err, 'x', sizeof(err));
	return mb2_parse(copy, avail, &bi, err, sizeof(err));
}

static int parse(const struct mbi *m)
{
	return parse_avail(m, m->len);
}

static int teardown(void **state)
{
	free(copy);
	copy = NULL;
	return 0;
}

/* Offset of a parser-returned pointer inside the copy, -1 if outside. */
static long offset_in_copy(const void *p)
{
	const u8 *b = p;

	if (b < copy || b >= copy + copy_len)
		return -1;
	return b - copy;
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

#define assert_warned(_needle)                                          \
	do {                                                            \
		if (!contains(host_printk_output(), (_needle)))         \
			fail_msg("no \"%s\" in output:\n%s", (_needle), \
				 host_printk_output());                 \
	} while (0)

#define assert_quiet()                                     \
	do {                                               \
		if (host_printk_output()[0])               \
			fail_msg("unexpected output:\n%s", \
				 host_printk_output());    \
	} while (0)

/* Asserts -EINVAL and that the reason mentions needle. */
#define assert_rejected(_rc, _needle)             \
	do {                                      \
		assert_int_equal((_rc), -EINVAL); \
		assert_err_has(_needle);          \
	} while (0)

static void assert_range(u32 i, u64 base, u64 len, u32 type)
{
	assert_true(i < bi.nr_memranges);
	assert_int_equal(bi.mem[i].base, base);
	assert_int_equal(bi.mem[i].len, len);
	assert_int_equal(bi.mem[i].type, type);
}

/* ------------------------------------------------------------------------
 * Well-formed boots
 */

/* The tags of a legacy-BIOS boot as GRUB describes it, no end tag yet. */
static void build_bios_tags(struct mbi *m)
{
	static const struct mb2_mmap_entry e820[] = {
		{0, 0x9fc00, MULTIBOOT2_MEMORY_AVAILABLE, 0},
		{0x9fc00, 0x400, MULTIBOOT2_MEMORY_RESERVED, 0},
		{0xf0000, 0x10000, MULTIBOOT2_MEMORY_RESERVED, 0},
		{MIB, 0x7ee0000, MULTIBOOT2_MEMORY_AVAILABLE, 0},
		{0x7fe0000, 0x20000, MULTIBOOT2_MEMORY_ACPI_RECLAIMABLE, 0},
		{0xfffc0000, 0x40000, MULTIBOOT2_MEMORY_RESERVED, 0},
	};
	struct mb2_tag_bootdev *dev;

	mbi_begin(m);
	mbi_string(m, MULTIBOOT2_TAG_CMDLINE, "loglvl=7 console=com1");
	mbi_string(m, MULTIBOOT2_TAG_LOADER_NAME, "GRUB 2.12");
	mbi_basic_meminfo(m, 639, 130560);
	dev = mbi_tag(m, MULTIBOOT2_TAG_BOOTDEV, sizeof(*dev));
	dev->biosdev = 0x80;
	dev->partition = 0;
	dev->sub_partition = 0xffffffff;
	mbi_mmap(m, e820, ARRAY_SIZE(e820));
	mbi_module(m, 0x200000, 0x280000, "dom0 vcpus=2 weight=256");
	mbi_module(m, 0x280000, 0x281000, "");
	mbi_rsdp(m, MULTIBOOT2_TAG_ACPI_OLD, ACPI_RSDP_V1_SIZE);
	mbi_fb_ega(m);
}

static u32 build_bios_boot(struct mbi *m)
{
	build_bios_tags(m);
	return mbi_end(m);
}

static void test_bios_boot(void **state)
{
	struct mbi m;
	u32 total = build_bios_boot(&m);

	assert_int_equal(parse(&m), 0);
	assert_string_equal(err, "");
	assert_quiet();
	assert_int_equal(bi.info_size, total);

	assert_string_equal(bi.cmdline, "loglvl=7 console=com1");
	assert_true(offset_in_copy(bi.cmdline) > 0);
	assert_string_equal(bi.loader_name, "GRUB 2.12");
	assert_true(offset_in_copy(bi.loader_name) > 0);

	/* The mmap wins over basic meminfo; nothing to merge here. */
	assert_false(bi.mem_from_efi);
	assert_int_equal(bi.nr_memranges, 6);
	assert_range(0, 0, 0x9fc00, BOOT_MEM_USABLE);
	assert_range(1, 0x9fc00, 0x400, BOOT_MEM_RESERVED);
	assert_range(2, 0xf0000, 0x10000, BOOT_MEM_RESERVED);
	assert_range(3, MIB, 0x7ee0000, BOOT_MEM_USABLE);
	assert_range(4, 0x7fe0000, 0x20000, BOOT_MEM_ACPI_RECLAIMABLE);
	assert_range(5, 0xfffc0000, 0x40000, BOOT_MEM_RESERVED);
	assert_int_equal(boot_usable_bytes(&bi), 0x9fc00 + 0x7ee0000);

	assert_int_equal(bi.nr_modules, 2);
	assert_int_equal(bi.modules[0].start, 0x200000);
	assert_int_equal(bi.modules[0].end, 0x280000);
	assert_string_equal(bi.modules[0].cmdline, "dom0 vcpus=2 weight=256");
	assert_int_equal(bi.modules[1].start, 0x280000);
	assert_int_equal(bi.modules[1].end, 0x281000);
	assert_string_equal(bi.modules[1].cmdline, "");
	assert_true(offset_in_copy(bi.modules[1].cmdline) > 0);

	assert_non_null(bi.rsdp);
	assert_true(offset_in_copy(bi.rsdp) > 0);
	assert_memory_equal(bi.rsdp, "RSD PTR ", 8);
	assert_int_equal(bi.rsdp_len, ACPI_RSDP_V1_SIZE);
	assert_int_equal(bi.rsdp_revision, 0);

	assert_int_equal(bi.fb.type, BOOT_FB_EGA_TEXT);
	assert_int_equal(bi.fb.addr, 0xb8000);
	assert_int_equal(bi.fb.pitch, 160);
	assert_int_equal(bi.fb.width, 80);
	assert_int_equal(bi.fb.height, 25);
	assert_int_equal(bi.fb.bpp, 16);

	assert_false(bi.efi_boot);
	assert_int_equal(bi.efi_system_table, 0);
}

/* A UEFI boot: only the EFI map, both RSDP tags, GOP framebuffer. */
static const struct efi_range efi_map[] = {
	{EFI_BOOT_SERVICES_CODE, 0, 1},
	{EFI_CONVENTIONAL_MEMORY, 0x1000, 0x9e},
	{EFI_RESERVED_MEMORY_TYPE, 0x9f000, 1},
	{EFI_CONVENTIONAL_MEMORY, MIB, 0x700},
	{EFI_LOADER_CODE, 0x800000, 0x80},
	{EFI_LOADER_DATA, 0x880000, 0x80},
	{EFI_BOOT_SERVICES_DATA, 0x900000, 0x100},
	{EFI_CONVENTIONAL_MEMORY, 0xa00000, 0x100},
	{EFI_ACPI_RECLAIM_MEMORY, 0x7f00000, 4},
	{EFI_ACPI_MEMORY_NVS, 0x7f04000, 4},
	{EFI_RUNTIME_SERVICES_CODE, 0x7f08000, 4},
	{EFI_RUNTIME_SERVICES_DATA, 0x7f0c000, 4},
	{EFI_UNUSABLE_MEMORY, 0x8000000, 16},
	{EFI_MEMORY_MAPPED_IO, 0xfec00000, 0x400},
	{EFI_CONVENTIONAL_MEMORY, 0x20000000, 0}, /* empty: skipped */
	{EFI_PERSISTENT_MEMORY, 0x100000000, 0x1000},
	{EFI_UNACCEPTED_MEMORY, 0x110000000, 0x10},
};

static u32 build_efi_boot(struct mbi *m, bool new_rsdp_first)
{
	struct mb2_tag_load_base_addr *base;

	mbi_begin(m);
	mbi_string(m, MULTIBOOT2_TAG_CMDLINE, "");
	mbi_string(m, MULTIBOOT2_TAG_LOADER_NAME, "GRUB 2.12");
	mbi_efi64(m, MULTIBOOT2_TAG_EFI64, 0x7f9e018);
	mbi_efi64(m, MULTIBOOT2_TAG_EFI64_IH, 0x7e3c118);
	if (new_rsdp_first)
		mbi_rsdp(m, MULTIBOOT2_TAG_ACPI_NEW, ACPI_RSDP_V2_SIZE);
	mbi_rsdp(m, MULTIBOOT2_TAG_ACPI_OLD, ACPI_RSDP_V1_SIZE);
	if (!new_rsdp_first)
		mbi_rsdp(m, MULTIBOOT2_TAG_ACPI_NEW, ACPI_RSDP_V2_SIZE);
	mbi_fb_gop(m);
	mbi_efi_mmap(m, efi_map, ARRAY_SIZE(efi_map));
	base = mbi_tag(m, MULTIBOOT2_TAG_LOAD_BASE_ADDR, sizeof(*base));
	base->load_base_addr = 0x200000;
	return mbi_end(m);
}

static void check_efi_boot(void)
{
	assert_string_equal(err, "");
	assert_quiet();
	assert_string_equal(bi.cmdline, "");
	assert_string_equal(bi.loader_name, "GRUB 2.12");

	assert_true(bi.mem_from_efi);
	assert_int_equal(bi.nr_memranges, 10);
	/* Boot-services code next to conventional memory: one range. */
	assert_range(0, 0, 0x9f000, BOOT_MEM_USABLE);
	assert_range(1, 0x9f000, 0x1000, BOOT_MEM_RESERVED);
	/* Conventional, loader and boot-services memory merge. */
	assert_range(2, MIB, 0xa00000, BOOT_MEM_USABLE);
	assert_range(3, 0x7f00000, 0x4000, BOOT_MEM_ACPI_RECLAIMABLE);
	assert_range(4, 0x7f04000, 0x4000, BOOT_MEM_ACPI_NVS);
	/* Runtime code and data: one reserved range. */
	assert_range(5, 0x7f08000, 0x8000, BOOT_MEM_RESERVED);
	assert_range(6, 0x8000000, 0x10000, BOOT_MEM_BAD);
	assert_range(7, 0xfec00000, 0x400000, BOOT_MEM_RESERVED);
	/* Persistent and unaccepted memory are not general RAM (yet). */
	assert_range(8, 0x100000000, 0x1000000, BOOT_MEM_RESERVED);
	assert_range(9, 0x110000000, 0x10000, BOOT_MEM_RESERVED);
	assert_int_equal(boot_usable_bytes(&bi), 0x9f000 + 0xa00000);

	assert_true(bi.efi_boot);
	assert_int_equal(bi.efi_system_table, 0x7f9e018);

	assert_non_null(bi.rsdp);
	assert_int_equal(bi.rsdp_revision, 2);
	assert_int_equal(bi.rsdp_len, ACPI_RSDP_V2_SIZE);
	assert_memory_equal(bi.rsdp, "RSD PTR ", 8);
	assert_int_equal(((const u8 *)bi.rsdp)[15], 2);

	assert_int_equal(bi.fb.type, BOOT_FB_RGB);
	assert_int_equal(bi.fb.addr, 0x80000000);
	assert_int_equal(bi.fb.pitch, 4096);
	assert_int_equal(bi.fb.width, 1024);
	assert_int_equal(bi.fb.height, 768);
	assert_int_equal(bi.fb.bpp, 32);
	assert_int_equal(bi.fb.red_pos, 16);
	assert_int_equal(bi.fb.red_size, 8);
	assert_int_equal(bi.fb.green_pos, 8);
	assert_int_equal(bi.fb.green_size, 8);
	assert_int_equal(bi.fb.blue_pos, 0);
	assert_int_equal(bi.fb.blue_size, 8);
	assert_int_equal(bi.nr_modules, 0);
}

static void test_efi_boot_old_rsdp_first(void **state)
{
	struct mbi m;

	build_efi_boot(&m, false);
	assert_int_equal(parse(&m), 0);
	check_efi_boot();
}

static void test_efi_boot_new_rsdp_first(void **state)
{
	struct mbi m;

	build_efi_boot(&m, true);
	assert_int_equal(parse(&m), 0);
	check_efi_boot();
}

static void test_rsdp_old_only(void **state)
{
	struct mbi m;

	mbi_begin(&m);
	/* A longer copy than ACPI 1.0 needs is kept whole. */
	mbi_rsdp(&m, MULTIBOOT2_TAG_ACPI_OLD, ACPI_RSDP_V1_SIZE + 4);
	mbi_end(&m);
	assert_int_equal(parse(&m), 0);
	assert_int_equal(offset_in_copy(bi.rsdp), 16);
	assert_int_equal(bi.rsdp_len, ACPI_RSDP_V1_SIZE + 4);
	assert_int_equal(bi.rsdp_revision, 0);
}

static void test_efi_boot_services_not_terminated(void **state)
{
	struct mbi m;

	mbi_begin(&m);
	mbi_tag(&m, MULTIBOOT2_TAG_EFI_BS_NOT_TERMINATED, 8);
	mbi_efi64(&m, MULTIBOOT2_TAG_EFI64, 0x1234000);
	mbi_end(&m);
	assert_int_equal(parse(&m), 0);
	assert_true(bi.efi_boot);
	assert_warned("boot services were not terminated");
}

/* Tag 11, a 32-bit firmware's system table; tag 12 wins beside it. */
static void test_efi32_system_table(void **state)
{
	struct mbi m;
	struct mb2_tag_efi32 *t;

	mbi_begin(&m);
	t = mbi_tag(&m, MULTIBOOT2_TAG_EFI32, sizeof(*t));
	t->pointer = 0x7f9e000;
	mbi_end(&m);
	assert_int_equal(parse(&m), 0);
	assert_true(bi.efi_boot);
	assert_false(bi.efi_system_table_64bit);
	assert_int_equal(bi.efi_system_table, 0x7f9e000);

	mbi_begin(&m);
	t = mbi_tag(&m, MULTIBOOT2_TAG_EFI32, sizeof(*t));
	t->pointer = 0x7f9e000;
	mbi_efi64(&m, MULTIBOOT2_TAG_EFI64, 0x7f9e018);
	mbi_end(&m);
	assert_int_equal(parse(&m), 0);
	assert_true(bi.efi_system_table_64bit);
	assert_int_equal(bi.efi_system_table, 0x7f9e018);

	mbi_begin(&m);
	mbi_tag(&m, MULTIBOOT2_TAG_EFI32, 8);
	mbi_end(&m);
	assert_rejected(parse(&m), "tag 11 at offset 0x8: size 8 below the 12");
}

/* The E820-style map wins when the loader passes both. */
static void test_mmap_preferred_over_efi_mmap(void **state)
{
	static const struct mb2_mmap_entry e[] = {
		{0, 0x80000, MULTIBOOT2_MEMORY_AVAILABLE, 0},
	};
	struct mbi m;

	mbi_begin(&m);
	mbi_efi_mmap(&m, efi_map, ARRAY_SIZE(efi_map));
	mbi_mmap(&m, e, 1);
	mbi_end(&m);
	assert_int_equal(parse(&m), 0);
	assert_false(bi.mem_from_efi);
	assert_int_equal(bi.nr_memranges, 1);
	assert_range(0, 0, 0x80000, BOOT_MEM_USABLE);
}

static void test_basic_meminfo_fallback(void **state)
{
	struct mbi m;

	mbi_begin(&m);
	mbi_basic_meminfo(&m, 639, 64 * 1024);
	mbi_end(&m);
	assert_int_equal(parse(&m), 0);
	assert_warned("basic memory information");
	assert_false(bi.mem_from_efi);
	assert_int_equal(bi.nr_memranges, 2);
	assert_range(0, 0, 639 * 1024, BOOT_MEM_USABLE);
	assert_range(1, MIB, 64 * MIB, BOOT_MEM_USABLE);
}

static void test_no_memory_information(void **state)
{
	struct mbi m;

	mbi_begin(&m);
	mbi_string(&m, MULTIBOOT2_TAG_CMDLINE, "x");
	mbi_end(&m);
	assert_int_equal(parse(&m), 0);
	assert_int_equal(bi.nr_memranges, 0);
	assert_int_equal(boot_usable_bytes(&bi), 0);
	assert_warned("no memory map");
}

/* The smallest valid block; every field must come out zero or "". */
static void test_minimal_block_zero_fills(void **state)
{
	struct mbi m;

	mbi_begin(&m);
	assert_int_equal(mbi_end(&m), 16);
	memset(&bi, 0xa5, sizeof(bi));
	assert_int_equal(parse(&m), 0);
	assert_string_equal(bi.cmdline, "");
	assert_string_equal(bi.loader_name, "");
	assert_int_equal(bi.nr_memranges, 0);
	assert_int_equal(bi.mem[0].base, 0);
	assert_false(bi.mem_from_efi);
	assert_int_equal(bi.nr_modules, 0);
	assert_null(bi.modules[0].cmdline);
	assert_null(bi.rsdp);
	assert_int_equal(bi.rsdp_len, 0);
	assert_int_equal(bi.fb.type, BOOT_FB_NONE);
	assert_false(bi.efi_boot);
	assert_int_equal(bi.efi_system_table, 0);
	assert_int_equal(bi.info_size, 16);
}

/* Loaders may stop total_size at the end tag or pad it; both are fine. */
static void test_total_size_not_multiple_of_8(void **state)
{
	struct mbi m;

	mbi_begin(&m);
	mbi_end(&m);
	m.len += 5;
	mbi_close(&m);
	assert_int_equal(parse(&m), 0);
	assert_int_equal(bi.info_size, 21);
}

static void test_duplicate_tags_first_wins(void **state)
{
	static const struct mb2_mmap_entry a[] = {
		{0, 0x1000, MULTIBOOT2_MEMORY_AVAILABLE, 0},
	};
	static const struct mb2_mmap_entry b[] = {
		{0, 0x2000, MULTIBOOT2_MEMORY_RESERVED, 0},
	};
	struct mbi m;

	mbi_begin(&m);
	mbi_string(&m, MULTIBOOT2_TAG_CMDLINE, "first");
	mbi_mmap(&m, a, 1);
	mbi_string(&m, MULTIBOOT2_TAG_CMDLINE, "second");
	mbi_mmap(&m, b, 1);
	mbi_end(&m);
	assert_int_equal(parse(&m), 0);
	assert_string_equal(bi.cmdline, "first");
	assert_int_equal(bi.nr_memranges, 1);
	assert_range(0, 0, 0x1000, BOOT_MEM_USABLE);
	assert_warned("duplicate tag 1 at offset 0x");
	assert_warned("duplicate tag 6 at offset 0x");
}

static void test_unknown_tags_ignored(void **state)
{
	struct mbi m;

	mbi_begin(&m);
	mbi_tag(&m, 0x1234, 8 + 13);
	mbi_string(&m, MULTIBOOT2_TAG_CMDLINE, "after");
	mbi_tag(&m, 99, 8);
	/* Known but unused, with a body we never look into. */
	mbi_tag(&m, MULTIBOOT2_TAG_SMBIOS, 8 + 8 + 3);
	mbi_tag(&m, MULTIBOOT2_TAG_NETWORK, 8 + 5);
	mbi_end(&m);
	assert_int_equal(parse(&m), 0);
	assert_string_equal(bi.cmdline, "after");
	assert_warned("tag 4660 at offset 0x8 of unknown type ignored");
	assert_warned("tag 99 at offset");
}

/* ------------------------------------------------------------------------
 * Memory maps through the parser
 */

static void test_mmap_entry_quirks(void **state)
{
	static const struct mb2_mmap_entry e[] = {
		{MIB, 0x100000, MULTIBOOT2_MEMORY_AVAILABLE, 0},
		{0x300000, 0, MULTIBOOT2_MEMORY_BADRAM, 0}, /* skipped */
		{0x400000, 0x1000, 12, 0},		    /* PRAM */
		{0xfffffffffff00000, 0x200000, MULTIBOOT2_MEMORY_RESERVED, 0},
	};
	struct mbi m;

	mbi_begin(&m);
	mbi_mmap(&m, e, ARRAY_SIZE(e));
	mbi_end(&m);
	assert_int_equal(parse(&m), 0);
	assert_int_equal(bi.nr_memranges, 3);
	assert_range(0, MIB, MIB, BOOT_MEM_USABLE);
	assert_range(1, 0x400000, 0x1000, BOOT_MEM_RESERVED);
	assert_range(2, 0xfffffffffff00000, U64_MAX - 0xfffffffffff00000,
		     BOOT_MEM_RESERVED);
	assert_warned("unknown type 12, treated as reserved");
	assert_warned("0xfffffffffff00000+0x200000 overflows 2^64, clipped");
}

/* Entries larger than 24 bytes (a future entry_version 0 extension). */
static void test_mmap_larger_entries(void **state)
{
	static const struct mb2_mmap_entry e[] = {
		{0x2000, 0x1000, MULTIBOOT2_MEMORY_AVAILABLE, 0},
		{0, 0x2000, MULTIBOOT2_MEMORY_AVAILABLE, 0},
	};
	struct mbi m;
	struct mb2_tag_mmap *t;

	mbi_begin(&m);
	t = mbi_mmap_sized(&m, e, ARRAY_SIZE(e), 40);
	/* A trailing partial entry is not an entry. */
	t->size += 16;
	m.len += 16;
	mbi_end(&m);
	assert_int_equal(parse(&m), 0);
	assert_int_equal(bi.nr_memranges, 1);
	assert_range(0, 0, 0x3000, BOOT_MEM_USABLE);
}

/* Descriptors 44 bytes apart: most of them are not 8-byte aligned. */
static void test_efi_mmap_tight_descriptors(void **state)
{
	static const struct efi_range r[] = {
		{EFI_CONVENTIONAL_MEMORY, 0x1000, 2},
		{EFI_ACPI_MEMORY_NVS, 0x3000, 1},
		{0x80000001, 0x4000, 1}, /* OS-defined type */
		{EFI_CONVENTIONAL_MEMORY, 0xfffffffffffff000, 4},
	};
	struct mbi m;

	mbi_begin(&m);
	mbi_efi_mmap_sized(&m, r, ARRAY_SIZE(r), 44);
	mbi_end(&m);
	assert_int_equal(parse(&m), 0);
	assert_true(bi.mem_from_efi);
	assert_int_equal(bi.nr_memranges, 4);
	assert_range(0, 0x1000, 0x2000, BOOT_MEM_USABLE);
	assert_range(1, 0x3000, 0x1000, BOOT_MEM_ACPI_NVS);
	assert_range(2, 0x4000, 0x1000, BOOT_MEM_RESERVED);
	assert_range(3, 0xfffffffffffff000, 0xfff, BOOT_MEM_USABLE);
	assert_warned("unknown type 0x80000001, treated as reserved");
	assert_warned("overflows 2^64, clipped");
}

static void test_mmap_too_many_ranges(void **state)
{
	static struct mb2_mmap_entry e[BOOT_MAX_MEMRANGES + 44];
	struct mbi m;
	u32 i;

	/* Alternating types, so that nothing merges. */
	for (i = 0; i < ARRAY_SIZE(e); i++) {
		e[i].base_addr = (u64)i * 0x1000;
		e[i].length = 0x1000;
		e[i].type = i % 2 ? MULTIBOOT2_MEMORY_RESERVED
				  : MULTIBOOT2_MEMORY_AVAILABLE;
	}
	mbi_begin(&m);
	mbi_mmap(&m, e, ARRAY_SIZE(e));
	mbi_end(&m);
	assert_int_equal(parse(&m), 0);
	assert_int_equal(bi.nr_memranges, BOOT_MAX_MEMRANGES);
	assert_range(BOOT_MAX_MEMRANGES - 1,
		     (u64)(BOOT_MAX_MEMRANGES - 1) * 0x1000, 0x1000,
		     BOOT_MEM_RESERVED);
	assert_warned("44 more ranges than the 256 that fit");
}

/* ------------------------------------------------------------------------
 * The sanitiser on its own
 */

static struct boot_memrange out[BOOT_MAX_MEMRANGES];

static u32 sanitise(const struct boot_memrange *in, u32 n, u32 cap,
		    u32 *dropped)
{
	memset(out, 0xa5, sizeof(out));
	return memranges_sanitise(in, n, out, cap, dropped);
}

static void assert_out(u32 i, u64 base, u64 len, u32 type)
{
	assert_int_equal(out[i].base, base);
	assert_int_equal(out[i].len, len);
	assert_int_equal(out[i].type, type);
}

#define USE  BOOT_MEM_USABLE
#define RES  BOOT_MEM_RESERVED
#define ACPI BOOT_MEM_ACPI_RECLAIMABLE
#define NVS  BOOT_MEM_ACPI_NVS
#define BAD  BOOT_MEM_BAD

static void test_sanitise_empty(void **state)
{
	static const struct boot_memrange in[] = {{0x1000, 0, USE}};
	u32 dropped = 7;

	assert_int_equal(sanitise(NULL, 0, 4, &dropped), 0);
	assert_int_equal(dropped, 0);
	assert_int_equal(sanitise(in, 1, 4, &dropped), 0);
}

static void test_sanitise_unsorted_and_merged(void **state)
{
	static const struct boot_memrange in[] = {
		{0x5000, 0x1000, USE}, /* adjacent to the next: merges */
		{0x4000, 0x1000, USE}, {0x0, 0x1000, RES},
		{0x1000, 0x1000, USE}, /* adjacent, other type: stays */
		{0x8000, 0x1000, USE}, /* gap before: stays */
		{0x4800, 0x800, USE},  /* duplicate coverage, same type */
		{0x4000, 0x1000, USE}, /* exact duplicate */
	};
	u32 dropped;

	assert_int_equal(sanitise(in, ARRAY_SIZE(in), 16, &dropped), 4);
	assert_int_equal(dropped, 0);
	assert_out(0, 0x0, 0x1000, RES);
	assert_out(1, 0x1000, 0x1000, USE);
	assert_out(2, 0x4000, 0x2000, USE);
	assert_out(3, 0x8000, 0x1000, USE);
}

static void test_sanitise_reserved_splits_usable(void **state)
{
	static const struct boot_memrange in[] = {
		{0x0, 0x10000, USE},
		{0x4000, 0x2000, RES},
	};
	u32 dropped;

	assert_int_equal(sanitise(in, ARRAY_SIZE(in), 16, &dropped), 3);
	assert_out(0, 0x0, 0x4000, USE);
	assert_out(1, 0x4000, 0x2000, RES);
	assert_out(2, 0x6000, 0xa000, USE);
}

/* Anything beats usable; among the rest the higher type number wins. */
static void test_sanitise_overlap_precedence(void **state)
{
	static const struct boot_memrange in[] = {
		{0x0, 0x4000, RES},
		{0x2000, 0x4000, USE}, /* loses [0x2000, 0x4000) */
		{0x8000, 0x4000, NVS},
		{0xa000, 0x4000, ACPI}, /* loses to NVS, beats usable */
		{0xb000, 0x4000, USE},
		{0x10000, 0x1000, ACPI},
		{0x10800, 0x100, BAD},	/* bad beats everything */
		{0x10000, 0x4000, RES}, /* loses to ACPI where they meet */
	};
	u32 dropped;

	assert_int_equal(sanitise(in, ARRAY_SIZE(in), 16, &dropped), 9);
	assert_out(0, 0x0, 0x4000, RES);
	assert_out(1, 0x4000, 0x2000, USE);
	assert_out(2, 0x8000, 0x4000, NVS);
	assert_out(3, 0xc000, 0x2000, ACPI);
	assert_out(4, 0xe000, 0x1000, USE);
	assert_out(5, 0x10000, 0x800, ACPI);
	assert_out(6, 0x10800, 0x100, BAD);
	assert_out(7, 0x10900, 0x700, ACPI);
	assert_out(8, 0x11000, 0x3000, RES);
}

static void test_sanitise_unknown_type_is_reserved(void **state)
{
	static const struct boot_memrange in[] = {
		{0x0, 0x1000, 0},
		{0x1000, 0x1000, 9},
		{0x2000, 0x1000, RES},
		{0x2800, 0x1000, USE},
	};
	u32 dropped;

	assert_int_equal(sanitise(in, ARRAY_SIZE(in), 16, &dropped), 2);
	assert_out(0, 0x0, 0x3000, RES);
	assert_out(1, 0x3000, 0x800, USE);
}

static void test_sanitise_clips_overflow(void **state)
{
	static const struct boot_memrange in[] = {
		{0xfffffffffffff000, 0x2000, USE},
		{0xffffffffffffe000, 0x1000, USE},
		{U64_MAX, 1, RES}, /* nothing left after clipping */
		{0, U64_MAX, RES}, /* all of it: loses nothing to usable */
	};
	u32 dropped;

	assert_int_equal(sanitise(in, 3, 16, &dropped), 1);
	assert_out(0, 0xffffffffffffe000, 0x1fff, USE);
	assert_int_equal(sanitise(in, 4, 16, &dropped), 1);
	assert_out(0, 0, U64_MAX, RES);
}

static void test_sanitise_too_many(void **state)
{
	static struct boot_memrange in[300];
	u32 dropped, i;

	/* Disjoint, given top-down: the lowest ones must be kept. */
	for (i = 0; i < ARRAY_SIZE(in); i++) {
		in[i].base = (u64)(ARRAY_SIZE(in) - 1 - i) * 0x2000;
		in[i].len = 0x1000;
		in[i].type = USE;
	}
	assert_int_equal(sanitise(in, 300, BOOT_MAX_MEMRANGES, &dropped),
			 BOOT_MAX_MEMRANGES);
	assert_int_equal(dropped, 300 - BOOT_MAX_MEMRANGES);
	for (i = 0; i < BOOT_MAX_MEMRANGES; i++)
		assert_out(i, (u64)i * 0x2000, 0x1000, USE);

	/* Counted after merging: three touching ranges drop as one. */
	in[0] = (struct boot_memrange){0x0, 0x1000, USE};
	in[1] = (struct boot_memrange){0x2000, 0x1000, RES};
	in[2] = (struct boot_memrange){0x3000, 0x1000, RES};
	in[3] = (struct boot_memrange){0x4000, 0x1000, RES};
	in[4] = (struct boot_memrange){0x8000, 0x1000, USE};
	assert_int_equal(sanitise(in, 5, 1, &dropped), 1);
	assert_int_equal(dropped, 2);
	assert_out(0, 0x0, 0x1000, USE);
	assert_int_equal(sanitise(in, 5, 0, &dropped), 0);
	assert_int_equal(dropped, 3);
}

/* ------------------------------------------------------------------------
 * Modules
 */

static void test_module_start_not_below_end(void **state)
{
	struct mbi m;

	mbi_begin(&m);
	mbi_module(&m, 0x300000, 0x200000, "backwards");
	mbi_module(&m, 0x300000, 0x300000, "empty");
	mbi_module(&m, 0x400000, 0x401000, "good");
	mbi_end(&m);
	assert_int_equal(parse(&m), 0);
	assert_int_equal(bi.nr_modules, 1);
	assert_string_equal(bi.modules[0].cmdline, "good");
	assert_warned(
		"module 0 (\"backwards\") has start 0x300000 not below end 0x200000, skipped");
	assert_warned("module 1 (\"empty\")");
}

static void test_too_many_modules(void **state)
{
	struct mbi m;
	char name[16];
	u32 i;

	mbi_begin(&m);
	for (i = 0; i < BOOT_MAX_MODULES + 3; i++) {
		snprintf(name, sizeof(name), "mod%u", i);
		mbi_module(&m, 0x1000000 + i * 0x1000,
			   0x1000000 + (i + 1) * 0x1000, name);
	}
	mbi_end(&m);
	assert_int_equal(parse(&m), 0);
	assert_int_equal(bi.nr_modules, BOOT_MAX_MODULES);
	assert_string_equal(bi.modules[BOOT_MAX_MODULES - 1].cmdline, "mod31");
	assert_warned("3 modules beyond the first 32 ignored");
}

/* ------------------------------------------------------------------------
 * Framebuffers
 */

static void test_fb_indexed(void **state)
{
	struct mbi m;
	struct mb2_tag_framebuffer *t;
	struct mb2_framebuffer_palette pal = {16};

	mbi_begin(&m);
	t = mbi_fb(&m, sizeof(*t) + sizeof(pal) + 16 * 3,
		   MULTIBOOT2_FRAMEBUFFER_TYPE_INDEXED, 0xa0000, 320, 320, 200,
		   8);
	memcpy(t + 1, &pal, sizeof(pal));
	mbi_end(&m);
	assert_int_equal(parse(&m), 0);
	assert_false(contains(host_printk_output(), "framebuffer"));
	assert_int_equal(bi.fb.type, BOOT_FB_INDEXED);
	assert_int_equal(bi.fb.bpp, 8);
	assert_int_equal(bi.fb.width, 320);
}

static void test_fb_inconsistent_ignored(void **state)
{
	struct mbi m;

	/* Pitch too small for the width. */
	mbi_begin(&m);
	mbi_fb(&m, sizeof(struct mb2_tag_framebuffer) + 6,
	       MULTIBOOT2_FRAMEBUFFER_TYPE_RGB, 0x80000000, 1024, 1024, 768,
	       32);
	mbi_end(&m);
	assert_int_equal(parse(&m), 0);
	assert_int_equal(bi.fb.type, BOOT_FB_NONE);
	assert_warned("inconsistent geometry 1024x768, 32 bpp, pitch 1024");

	/* EGA text cells are 16 bits. */
	mbi_begin(&m);
	mbi_fb(&m, sizeof(struct mb2_tag_framebuffer),
	       MULTIBOOT2_FRAMEBUFFER_TYPE_EGA_TEXT, 0xb8000, 160, 80, 25, 8);
	mbi_end(&m);
	assert_int_equal(parse(&m), 0);
	assert_int_equal(bi.fb.type, BOOT_FB_NONE);
	assert_warned("inconsistent geometry");

	/* Would end past 2^64. */
	mbi_begin(&m);
	mbi_fb(&m, sizeof(struct mb2_tag_framebuffer),
	       MULTIBOOT2_FRAMEBUFFER_TYPE_EGA_TEXT, U64_MAX - 100, 160, 80, 25,
	       16);
	mbi_end(&m);
	assert_int_equal(parse(&m), 0);
	assert_int_equal(bi.fb.type, BOOT_FB_NONE);

	/* A type the specification reserves for the future. */
	mbi_begin(&m);
	mbi_fb(&m, sizeof(struct mb2_tag_framebuffer), 3, 0xb8000, 160, 80, 25,
	       16);
	mbi_end(&m);
	assert_int_equal(parse(&m), 0);
	assert_int_equal(bi.fb.type, BOOT_FB_NONE);
	assert_warned("framebuffer of unknown type 3 ignored");
}

/* An RGB framebuffer with the field layout given as six bytes. */
static void mbi_fb_rgb(struct mbi *m, u8 bpp, u32 pitch,
		       const struct mb2_framebuffer_rgb *rgb)
{
	struct mb2_tag_framebuffer *t = mbi_fb(
		m, sizeof(*t) + sizeof(*rgb), MULTIBOOT2_FRAMEBUFFER_TYPE_RGB,
		0xfd000000, pitch, 800, 600, bpp);

	memcpy(t + 1, rgb, sizeof(*rgb));
}

static void test_fb_rgb_layouts_kept(void **state)
{
	struct mbi m;
	struct mb2_framebuffer_rgb rgb565 = {11, 5, 5, 6, 0, 5};
	struct mb2_framebuffer_rgb bgr24 = {0, 8, 8, 8, 16, 8};

	/* 16 bpp, 5:6:5 (a VBE mode under SeaBIOS). */
	mbi_begin(&m);
	mbi_fb_rgb(&m, 16, 1600, &rgb565);
	mbi_end(&m);
	assert_int_equal(parse(&m), 0);
	assert_false(contains(host_printk_output(), "framebuffer"));
	assert_int_equal(bi.fb.type, BOOT_FB_RGB);
	assert_int_equal(bi.fb.red_pos, 11);
	assert_int_equal(bi.fb.green_size, 6);
	assert_int_equal(bi.fb.blue_size, 5);

	/* 24 bpp, blue highest. */
	mbi_begin(&m);
	mbi_fb_rgb(&m, 24, 2400, &bgr24);
	mbi_end(&m);
	assert_int_equal(parse(&m), 0);
	assert_int_equal(bi.fb.type, BOOT_FB_RGB);
	assert_int_equal(bi.fb.bpp, 24);
	assert_int_equal(bi.fb.blue_pos, 16);
}

/* A layout that cannot be drawn with is refused, never half taken. */
static void test_fb_rgb_bad_layouts_ignored(void **state)
{
	static const struct mb2_framebuffer_rgb bad[] = {
		{16, 8, 8, 8, 0, 0},  /* blue has no bits */
		{28, 8, 8, 8, 0, 8},  /* red leaves the 32-bit pixel */
		{16, 8, 12, 8, 0, 8}, /* green overlaps red */
		{0, 8, 8, 8, 0, 8},   /* blue is red */
		{0, 40, 8, 8, 0, 8},  /* 40 bits for one colour */
		{255, 8, 8, 8, 0, 8}, /* position past any pixel */
	};
	struct mbi m;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		mbi_begin(&m);
		mbi_fb_rgb(&m, i == 4 ? 64 : 32, 6400, &bad[i]);
		mbi_end(&m);
		assert_int_equal(parse(&m), 0);
		assert_int_equal(bi.fb.type, BOOT_FB_NONE);
		assert_int_equal(bi.fb.red_size, 0);
		assert_warned("with an impossible RGB layout");
	}
	mbi_begin(&m);
	mbi_fb_rgb(&m, 32, 3200, &bad[2]);
	mbi_end(&m);
	assert_int_equal(parse(&m), 0);
	assert_warned(
		"framebuffer at 0xfd000000, 32 bpp, with an impossible RGB layout (red 16+8, green 12+8, blue 0+8 bits) ignored");
}

/* ------------------------------------------------------------------------
 * Broken blocks
 */

static void test_reject_bad_buffer(void **state)
{
	struct mbi m;
	u8 *raw;
	int rc;

	mbi_begin(&m);
	mbi_end(&m);

	/* Misaligned: the parser must not even read total_size. */
	raw = malloc(m.len + 4);
	assert_non_null(raw);
	memcpy(raw + 4, m.buf, m.len);
	rc = mb2_parse(raw + 4, m.len, &bi, err, sizeof(err));
	free(raw);
	assert_rejected(rc, "not 8-byte aligned");

	assert_rejected(mb2_parse(NULL, 16, &bi, err, sizeof(err)),
			"no information block");
	assert_rejected(parse_avail(&m, 15), "only 15 bytes available");
	assert_rejected(parse_avail(&m, 0), "only 0 bytes available");
}

static void test_reject_total_size(void **state)
{
	struct mbi m;

	mbi_begin(&m);
	mbi_end(&m);
	((struct mb2_info *)m.buf)->total_size = 0;
	assert_rejected(parse(&m), "total_size 0 below the 16-byte minimum");
	((struct mb2_info *)m.buf)->total_size = 7;
	assert_rejected(parse(&m), "total_size 7 below the 16-byte minimum");
	((struct mb2_info *)m.buf)->total_size = 17;
	assert_rejected(parse(&m),
			"total_size 17 exceeds the 16 bytes available");
	((struct mb2_info *)m.buf)->total_size = 0xffffffff;
	assert_rejected(parse(&m), "exceeds");
}

static void test_reject_tag_overruns_total_size(void **state)
{
	struct mbi m;
	struct mb2_tag_string *t;

	mbi_begin(&m);
	t = mbi_string(&m, MULTIBOOT2_TAG_CMDLINE, "abc");
	mbi_end(&m);
	t->size = m.len; /* past the end tag and total_size */
	/* More bytes available than total_size: still out of bounds. */
	assert_rejected(parse_avail(&m, m.len + 64),
			"tag 1 at offset 0x8: size 32 overruns total_size 32");
}

static void test_reject_tag_smaller_than_header(void **state)
{
	struct mbi m;

	mbi_begin(&m);
	mbi_string(&m, MULTIBOOT2_TAG_LOADER_NAME, "GRUB"); /* 0x08..0x15 */
	mbi_tag(&m, 100, 48);				    /* 0x18..0x48 */
	mbi_tag(&m, MULTIBOOT2_TAG_BOOTDEV, 4);		    /* 0x48 */
	mbi_end(&m);
	assert_int_equal(parse(&m), -EINVAL);
	assert_string_equal(
		err,
		"tag 5 at offset 0x48: size 4 below the 8-byte tag header");

	/* Size 0 would loop forever if it were let through. */
	mbi_begin(&m);
	mbi_tag(&m, MULTIBOOT2_TAG_CMDLINE, 0);
	m.len += 8;
	mbi_end(&m);
	assert_rejected(parse(&m), "size 0 below the 8-byte tag header");
}

static void test_reject_missing_end_tag(void **state)
{
	struct mbi m;

	/* Tags fill total_size exactly. */
	mbi_begin(&m);
	mbi_string(&m, MULTIBOOT2_TAG_CMDLINE, "1234567"); /* size 16 */
	mbi_close(&m);
	assert_rejected(parse(&m), "missing end tag");

	/* The padding after the last tag runs past total_size. */
	mbi_begin(&m);
	mbi_string(&m, MULTIBOOT2_TAG_CMDLINE, "abcd"); /* size 13 */
	mbi_close(&m);
	assert_rejected(parse_avail(&m, 64), "missing end tag");

	/* Room for half of the end tag only. */
	mbi_begin(&m);
	mbi_string(&m, MULTIBOOT2_TAG_CMDLINE, "abc"); /* 0x08..0x14 */
	mbi_end(&m);				       /* 0x18..0x20 */
	((struct mb2_info *)m.buf)->total_size = 0x1c;
	assert_rejected(parse(&m),
			"tags run out at offset 0x18 of total_size 28");

	/* An end tag must be exactly 8 bytes. */
	mbi_begin(&m);
	mbi_tag(&m, MULTIBOOT2_TAG_END, 16);
	mbi_close(&m);
	assert_rejected(parse(&m), "end tag at offset 0x8: size 16, not 8");
}

static void test_reject_unterminated_strings(void **state)
{
	struct mbi m;
	struct mb2_tag_string *s;
	struct mb2_tag_module *mod;

	mbi_begin(&m);
	s = mbi_tag(&m, MULTIBOOT2_TAG_CMDLINE, sizeof(*s) + 3);
	memcpy(s->string, "abc", 3);
	mbi_end(&m);
	assert_rejected(parse(&m),
			"tag 1 at offset 0x8: string not NUL-terminated");

	mbi_begin(&m);
	s = mbi_tag(&m, MULTIBOOT2_TAG_LOADER_NAME, sizeof(*s));
	mbi_end(&m);
	assert_rejected(parse(&m), "tag 2 at offset 0x8: string not NUL");

	mbi_begin(&m);
	mod = mbi_tag(&m, MULTIBOOT2_TAG_MODULE, sizeof(*mod) + 5);
	mod->mod_start = 0x1000;
	mod->mod_end = 0x2000;
	memcpy(mod->string, "dom0 ", 5);
	mbi_end(&m);
	assert_rejected(parse(&m), "module string not NUL-terminated");

	mbi_begin(&m);
	mbi_tag(&m, MULTIBOOT2_TAG_MODULE, 12);
	mbi_end(&m);
	assert_rejected(parse(&m),
			"tag 3 at offset 0x8: size 12 below the 16 bytes");
}

static void test_reject_bad_mmap(void **state)
{
	static const struct mb2_mmap_entry e[] = {
		{0, 0x1000, MULTIBOOT2_MEMORY_AVAILABLE, 0},
	};
	struct mbi m;
	struct mb2_tag_mmap *t;

	mbi_begin(&m);
	mbi_mmap_sized(&m, e, 1, 20);
	mbi_end(&m);
	assert_rejected(parse(&m), "bad memory-map entry_size 20");

	mbi_begin(&m);
	mbi_mmap_sized(&m, e, 1, 28);
	mbi_end(&m);
	assert_rejected(parse(&m), "bad memory-map entry_size 28");

	mbi_begin(&m);
	mbi_mmap_sized(&m, e, 0, 0);
	mbi_end(&m);
	assert_rejected(parse(&m), "entry_size 0");

	mbi_begin(&m);
	t = mbi_mmap(&m, e, 1);
	t->entry_version = 1;
	mbi_end(&m);
	assert_rejected(parse(&m), "entry_version 1");

	mbi_begin(&m);
	mbi_tag(&m, MULTIBOOT2_TAG_MMAP, 12);
	mbi_end(&m);
	assert_rejected(parse(&m), "tag 6 at offset 0x8: size 12 below the 16");
}

static void test_reject_bad_efi_mmap(void **state)
{
	struct mbi m;
	struct mb2_tag_efi_mmap *t;

	mbi_begin(&m);
	mbi_efi_mmap_sized(&m, efi_map, 2, 32);
	mbi_end(&m);
	assert_rejected(parse(&m), "bad EFI descriptor size 32");

	mbi_begin(&m);
	t = mbi_efi_mmap(&m, efi_map, 2);
	t->descr_vers = 2;
	mbi_end(&m);
	assert_rejected(parse(&m), "EFI descriptor version 2");
}

static void test_reject_short_fixed_parts(void **state)
{
	struct mbi m;
	struct mb2_tag_framebuffer *t;
	struct mb2_framebuffer_palette pal = {100};

	mbi_begin(&m);
	mbi_tag(&m, MULTIBOOT2_TAG_ACPI_OLD, 8 + ACPI_RSDP_V1_SIZE - 1);
	mbi_end(&m);
	assert_rejected(parse(&m),
			"tag 14 at offset 0x8: size 27 below the 28");

	mbi_begin(&m);
	mbi_tag(&m, MULTIBOOT2_TAG_ACPI_NEW, 8 + ACPI_RSDP_V1_SIZE);
	mbi_end(&m);
	assert_rejected(parse(&m),
			"tag 15 at offset 0x8: size 28 below the 44");

	mbi_begin(&m);
	mbi_tag(&m, MULTIBOOT2_TAG_EFI64, 12);
	mbi_end(&m);
	assert_rejected(parse(&m),
			"tag 12 at offset 0x8: size 12 below the 16");

	mbi_begin(&m);
	mbi_tag(&m, MULTIBOOT2_TAG_BASIC_MEMINFO, 12);
	mbi_end(&m);
	assert_rejected(parse(&m), "tag 4 at offset 0x8: size 12");

	mbi_begin(&m);
	mbi_tag(&m, MULTIBOOT2_TAG_FRAMEBUFFER, 31);
	mbi_end(&m);
	assert_rejected(parse(&m), "tag 8 at offset 0x8: size 31 below the 32");

	mbi_begin(&m);
	mbi_fb(&m, 32 + 5, MULTIBOOT2_FRAMEBUFFER_TYPE_RGB, 0x80000000, 4096,
	       1024, 768, 32);
	mbi_end(&m);
	assert_rejected(parse(&m), "too small for the RGB field layout");

	mbi_begin(&m);
	mbi_fb(&m, 33, MULTIBOOT2_FRAMEBUFFER_TYPE_INDEXED, 0xa0000, 320, 320,
	       200, 8);
	mbi_end(&m);
	assert_rejected(parse(&m), "too small for the palette size");

	mbi_begin(&m);
	t = mbi_fb(&m, 32 + 2 + 16 * 3, MULTIBOOT2_FRAMEBUFFER_TYPE_INDEXED,
		   0xa0000, 320, 320, 200, 8);
	memcpy(t + 1, &pal, sizeof(pal));
	mbi_end(&m);
	assert_rejected(parse(&m),
			"100 palette colours overrun the 82-byte tag");
}

/* A rejected block leaves boot_info zeroed, whatever came before it. */
static void test_reject_leaves_nothing_behind(void **state)
{
	struct mbi m;
	struct mb2_tag_string *s;

	build_bios_tags(&m);
	s = mbi_tag(&m, MULTIBOOT2_TAG_CMDLINE, sizeof(*s) + 2);
	memcpy(s->string, "no", 2);
	mbi_end(&m);
	memset(&bi, 0xa5, sizeof(bi));
	assert_int_equal(parse(&m), -EINVAL);
	assert_string_equal(bi.cmdline, "");
	assert_int_equal(bi.nr_memranges, 0);
	assert_int_equal(bi.nr_modules, 0);
	assert_null(bi.rsdp);
	assert_int_equal(bi.fb.type, BOOT_FB_NONE);
	assert_int_equal(bi.info_size, 0);
	/* Nothing was taken, so nothing was warned about. */
	assert_quiet();
}

static void test_err_buffer_small(void **state)
{
	struct mbi m;
	char small[10];

	mbi_begin(&m);
	mbi_end(&m);
	((struct mb2_info *)m.buf)->total_size = 7;
	free(copy);
	copy = malloc(16);
	assert_non_null(copy);
	memcpy(copy, m.buf, 16);

	memset(small, 'x', sizeof(small));
	assert_int_equal(mb2_parse(copy, 16, &bi, small, sizeof(small)),
			 -EINVAL);
	assert_string_equal(small, "total_siz");

	memset(small, 'x', sizeof(small));
	assert_int_equal(mb2_parse(copy, 16, &bi, small, 1), -EINVAL);
	assert_int_equal(small[0], '\0');
	assert_int_equal(small[1], 'x');

	/* No buffer at all is allowed when errlen is 0. */
	assert_int_equal(mb2_parse(copy, 16, &bi, NULL, 0), -EINVAL);

	/* Success leaves an empty string. */
	((struct mb2_info *)copy)->total_size = 16;
	memset(small, 'x', sizeof(small));
	assert_int_equal(mb2_parse(copy, 16, &bi, small, sizeof(small)), 0);
	assert_string_equal(small, "");
}

/* ------------------------------------------------------------------------
 * Robustness: mutated blocks must never make the parser misbehave
 */

static u64 rng_state = 0x6b6169726f73ULL; /* fixed seed: reproducible */

/* xorshift64: good enough to pick offsets and values. */
static u64 rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static bool inside_copy(const void *p, size_t len)
{
	long off = offset_in_copy(p);

	return off >= 0 && (size_t)off + len <= copy_len;
}

/* What any accepted block must satisfy, however odd its contents. */
static void check_invariants(void)
{
	u64 prev_end = 0;
	u32 i;

	assert_true(bi.info_size >= 16 && bi.info_size <= copy_len);
	assert_true(bi.cmdline[0] == '\0' ||
		    inside_copy(bi.cmdline, strlen(bi.cmdline) + 1));
	assert_true(bi.loader_name[0] == '\0' ||
		    inside_copy(bi.loader_name, strlen(bi.loader_name) + 1));

	assert_true(bi.nr_memranges <= BOOT_MAX_MEMRANGES);
	for (i = 0; i < bi.nr_memranges; i++) {
		const struct boot_memrange *r = &bi.mem[i];

		assert_true(r->len > 0);
		assert_true(r->len <= U64_MAX - r->base);
		assert_true(r->type >= BOOT_MEM_USABLE &&
			    r->type <= BOOT_MEM_BAD);
		assert_true(i == 0 || r->base >= prev_end);
		if (i > 0 && r->base == prev_end)
			assert_true(r->type != bi.mem[i - 1].type);
		prev_end = r->base + r->len;
	}
	(void)boot_usable_bytes(&bi);

	assert_true(bi.nr_modules <= BOOT_MAX_MODULES);
	for (i = 0; i < bi.nr_modules; i++) {
		assert_true(bi.modules[i].start < bi.modules[i].end);
		assert_true(inside_copy(bi.modules[i].cmdline,
					strlen(bi.modules[i].cmdline) + 1));
	}
	if (bi.rsdp)
		assert_true(inside_copy(bi.rsdp, bi.rsdp_len));
	else
		assert_int_equal(bi.rsdp_len, 0);
}

/* Field-like values that tend to reach edge cases. */
static u32 interesting_u32(u32 total)
{
	static const u32 values[] = {
		0,  1,	7,  8,	9,  15, 16,	    17,		20,
		23, 24, 28, 32, 40, 48, 0x7fffffff, 0xfffffff8, 0xffffffff};
	u64 pick = rng() % (ARRAY_SIZE(values) + 2);

	if (pick == ARRAY_SIZE(values))
		return total;
	if (pick == ARRAY_SIZE(values) + 1)
		return rng() % (total + 16);
	return values[pick];
}

static void fuzz_one(const u8 *block, u32 len)
{
	struct mbi m = {.buf = build_buf, .len = len};
	size_t avail = len;
	u32 edits = 1 + rng() % 6, i;
	int rc;

	memcpy(build_buf, block, len);
	for (i = 0; i < edits; i++) {
		switch (rng() % 4) {
		case 0: /* flip random bits of a byte */
			build_buf[rng() % len] ^= (u8)(1 + rng() % 255);
			break;
		case 1: { /* a plausible-looking size, type or count */
			u32 off = (rng() % (len / 4)) * 4;
			u32 v = interesting_u32(len);

			memcpy(build_buf + off, &v, sizeof(v));
			break;
		}
		case 2: /* fewer bytes readable than the block claims */
			avail = rng() % (avail + 1);
			break;
		default: /* total_size itself */
			((struct mb2_info *)build_buf)->total_size =
				interesting_u32(len);
			break;
		}
	}
	rc = parse_avail(&m, avail);
	assert_true(strnlen(err, sizeof(err)) < sizeof(err));
	if (rc == 0) {
		assert_string_equal(err, "");
		check_invariants();
	} else {
		assert_int_equal(rc, -EINVAL);
		assert_true(err[0] != '\0');
	}
}

static void test_fuzz_mutated_blocks(void **state)
{
	static u8 seeds[3][4096] __aligned(8);
	u32 seed_len[3];
	struct mbi m;
	unsigned int accepted = 0, iter;
	u32 i;

	seed_len[0] = build_bios_boot(&m);
	memcpy(seeds[0], m.buf, seed_len[0]);
	seed_len[1] = build_efi_boot(&m, false);
	memcpy(seeds[1], m.buf, seed_len[1]);
	/* Small tags densely packed, so that mutations hit headers often. */
	mbi_begin(&m);
	mbi_string(&m, MULTIBOOT2_TAG_CMDLINE, "a");
	for (i = 0; i < 4; i++)
		mbi_module(&m, 0x1000 * i, 0x1000 * (i + 1), "m");
	mbi_basic_meminfo(&m, 640, 1024);
	mbi_rsdp(&m, MULTIBOOT2_TAG_ACPI_NEW, ACPI_RSDP_V2_SIZE);
	mbi_fb_ega(&m);
	seed_len[2] = mbi_end(&m);
	memcpy(seeds[2], m.buf, seed_len[2]);
	assert_true(seed_len[0] <= sizeof(seeds[0]) &&
		    seed_len[1] <= sizeof(seeds[1]));

	for (iter = 0; iter < 6000; iter++) {
		u32 s = iter % 3;

		fuzz_one(seeds[s], seed_len[s]);
		accepted += err[0] == '\0';
	}
	/* Both outcomes must have been exercised to mean anything. */
	assert_true(accepted > 100);
	assert_true(accepted < 5900);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_bios_boot, teardown),
		cmocka_unit_test_teardown(test_efi_boot_old_rsdp_first,
					  teardown),
		cmocka_unit_test_teardown(test_efi_boot_new_rsdp_first,
					  teardown),
		cmocka_unit_test_teardown(test_rsdp_old_only, teardown),
		cmocka_unit_test_teardown(test_efi_boot_services_not_terminated,
					  teardown),
		cmocka_unit_test_teardown(test_efi32_system_table, teardown),
		cmocka_unit_test_teardown(test_mmap_preferred_over_efi_mmap,
					  teardown),
		cmocka_unit_test_teardown(test_basic_meminfo_fallback,
					  teardown),
		cmocka_unit_test_teardown(test_no_memory_information, teardown),
		cmocka_unit_test_teardown(test_minimal_block_zero_fills,
					  teardown),
		cmocka_unit_test_teardown(test_total_size_not_multiple_of_8,
					  teardown),
		cmocka_unit_test_teardown(test_duplicate_tags_first_wins,
					  teardown),
		cmocka_unit_test_teardown(test_unknown_tags_ignored, teardown),
		cmocka_unit_test_teardown(test_mmap_entry_quirks, teardown),
		cmocka_unit_test_teardown(test_mmap_larger_entries, teardown),
		cmocka_unit_test_teardown(test_efi_mmap_tight_descriptors,
					  teardown),
		cmocka_unit_test_teardown(test_mmap_too_many_ranges, teardown),
		cmocka_unit_test(test_sanitise_empty),
		cmocka_unit_test(test_sanitise_unsorted_and_merged),
		cmocka_unit_test(test_sanitise_reserved_splits_usable),
		cmocka_unit_test(test_sanitise_overlap_precedence),
		cmocka_unit_test(test_sanitise_unknown_type_is_reserved),
		cmocka_unit_test(test_sanitise_clips_overflow),
		cmocka_unit_test(test_sanitise_too_many),
		cmocka_unit_test_teardown(test_module_start_not_below_end,
					  teardown),
		cmocka_unit_test_teardown(test_too_many_modules, teardown),
		cmocka_unit_test_teardown(test_fb_indexed, teardown),
		cmocka_unit_test_teardown(test_fb_inconsistent_ignored,
					  teardown),
		cmocka_unit_test_teardown(test_fb_rgb_layouts_kept, teardown),
		cmocka_unit_test_teardown(test_fb_rgb_bad_layouts_ignored,
					  teardown),
		cmocka_unit_test_teardown(test_reject_bad_buffer, teardown),
		cmocka_unit_test_teardown(test_reject_total_size, teardown),
		cmocka_unit_test_teardown(test_reject_tag_overruns_total_size,
					  teardown),
		cmocka_unit_test_teardown(test_reject_tag_smaller_than_header,
					  teardown),
		cmocka_unit_test_teardown(test_reject_missing_end_tag,
					  teardown),
		cmocka_unit_test_teardown(test_reject_unterminated_strings,
					  teardown),
		cmocka_unit_test_teardown(test_reject_bad_mmap, teardown),
		cmocka_unit_test_teardown(test_reject_bad_efi_mmap, teardown),
		cmocka_unit_test_teardown(test_reject_short_fixed_parts,
					  teardown),
		cmocka_unit_test_teardown(test_reject_leaves_nothing_behind,
					  teardown),
		cmocka_unit_test_teardown(test_err_buffer_small, teardown),
		cmocka_unit_test_teardown(test_fuzz_mutated_blocks, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
