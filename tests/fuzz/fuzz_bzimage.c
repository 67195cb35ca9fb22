/*
 * libFuzzer target for the Linux bzImage parser (common/bzimage.c), the
 * initramfs placement and command-line check it gives, and the zero page
 * built from its plan (hvm_linux_zero_page_build(),
 * arch/x86/hvm/pc_platform.c).
 *
 * Input: the image itself. Each input is parsed for the smallest domain,
 * 64 MiB, 256 MiB and the largest domain, in libFuzzer's exact-size
 * buffer and from a copy one byte past an aligned address (the module may
 * sit anywhere): the same verdict, plan and message both ways. Then once
 * more with the boot flag, "HdrS", a 2.10+ version and LOADED_HIGH
 * forced in, so that mutations reach past the header checks.
 * AddressSanitizer reports any read outside the image; the invariants
 * below must hold for any input.
 *
 *   make fuzz && build/fuzz/fuzz_bzimage build/fuzz/corpus/fuzz_bzimage
 */
#include <asm/hvm/pc_platform.h>
#include <asm/hvm/platform.h>
#include <bzimage.h>
#include <compiler.h>
#include <errno.h>
#include <string.h>

#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

/* Stops the run with a message (libFuzzer keeps the input as a crash). */
#define CHECK(cond)                                                       \
	do {                                                              \
		if (!(cond)) {                                            \
			fprintf(stderr, "invariant broken: %s\n", #cond); \
			abort();                                          \
		}                                                         \
	} while (0)

#define MIB  (1ULL << 20)
#define PAGE 0x1000ULL
/* The callers' error buffers: any message fits whole (include/bzimage.h). */
#define ERRLEN 256

static const u64 mems[] = {HVM_MEM_MIN, 64 * MIB, 256 * MIB, HVM_MEM_MAX};

static u64 get(const u8 *p, size_t off, unsigned int bytes)
{
	u64 v = 0;
	unsigned int i;

	for (i = 0; i < bytes; i++)
		v |= (u64)p[off + i] << (8 * i);
	return v;
}

static void put(u8 *p, size_t off, u64 v, unsigned int bytes)
{
	unsigned int i;

	for (i = 0; i < bytes; i++)
		p[off + i] = (u8)(v >> (8 * i));
}

/* A refusal's message: there, terminated, whole in its 256 bytes. */
static void check_message(const char *err, size_t errlen)
{
	CHECK(err[0] != '\0');
	CHECK(strnlen(err, errlen) < errlen - 1);
}

/* The plan of an accepted image, against the image's own bytes. */
static void check_plan(const struct bzimage_info *info, const u8 *image,
		       size_t size, u64 mem)
{
	u32 sects = image[BZ_SETUP_SECTS] ?: BZ_DEFAULT_SETUP_SECTS;
	u64 align = get(image, BZ_KERNEL_ALIGN, 4);
	u64 pref = get(image, BZ_PREF_ADDRESS, 8);
	u32 header_end = BZ_SETUP_SECTS + info->header_len;

	CHECK(info->version >= BZ_PROTOCOL_MIN);
	CHECK(info->version == get(image, BZ_VERSION, 2));
	CHECK(get(image, BZ_BOOT_FLAG, 2) == BZ_BOOT_FLAG_MAGIC);
	CHECK(get(image, BZ_HEADER, 4) == BZ_HEADER_MAGIC);
	CHECK(image[BZ_LOADFLAGS] & BZ_LOADED_HIGH);
	CHECK(info->kernel_64 ==
	      !!(get(image, BZ_XLOADFLAGS, 2) & BZ_XLF_KERNEL_64));
	/* The header: as the jump says, holding init_size, in the file. */
	CHECK(header_end == BZ_JUMP + 2 + image[BZ_JUMP + 1]);
	CHECK(header_end >= BZ_INIT_SIZE + 4);
	CHECK(header_end <= BZ_HEADER_LIMIT);
	CHECK(header_end <= size);
	/* The kernel: after the setup sectors, the rest of the file. */
	CHECK(info->kernel_offset == (u64)(sects + 1) * 512);
	CHECK(info->kernel_offset >= header_end);
	CHECK(info->kernel_size > 0);
	CHECK(info->kernel_offset + info->kernel_size == size);
	CHECK(info->load_addr == BZ_LOAD_ADDR);
	CHECK(info->load_addr + info->kernel_size <= mem);
	/* Where it runs: in RAM, as init_size says. */
	CHECK(info->runtime_start < info->runtime_end);
	CHECK(info->runtime_end <= mem);
	CHECK(info->runtime_end - info->runtime_start ==
	      get(image, BZ_INIT_SIZE, 4));
	if (image[BZ_RELOCATABLE]) {
		CHECK(align && !(align & (align - 1)));
		CHECK(info->runtime_start % align == 0);
		CHECK(info->runtime_start >= info->load_addr);
		CHECK(info->runtime_start >= pref);
	} else {
		CHECK(info->runtime_start == pref);
	}
	CHECK(info->initrd_max == get(image, BZ_INITRD_ADDR_MAX, 4) + 1);
	CHECK(info->cmdline_max == get(image, BZ_CMDLINE_SIZE, 4));
}

/*
 * Places an initramfs of size bytes: highest page-aligned, under
 * min(mem, initrd_max), above everything the kernel uses; or refused
 * only when no such place exists. Returns the address, or 0.
 */
static u64 check_initrd(const struct bzimage_info *info, u64 mem, u64 size)
{
	u64 top =
		(mem < info->initrd_max ? mem : info->initrd_max) & ~(PAGE - 1);
	u64 floor = info->runtime_end;
	u64 gpa = 0;
	char err[ERRLEN];

	if (info->load_addr + info->kernel_size > floor)
		floor = info->load_addr + info->kernel_size;
	memset(err, 'X', sizeof(err));
	if (bzimage_place_initrd(info, mem, size, &gpa, err, sizeof(err))) {
		check_message(err, sizeof(err));
		CHECK(!size || size > top ||
		      ((top - size) & ~(PAGE - 1)) < floor);
		return 0;
	}
	CHECK(size > 0);
	CHECK(gpa % PAGE == 0);
	CHECK(gpa + size <= mem && gpa + size <= info->initrd_max);
	CHECK(gpa >= info->runtime_end);
	CHECK(gpa >= info->load_addr + info->kernel_size);
	/* The highest: a page higher would not fit. */
	CHECK(gpa + PAGE + size > top);
	return gpa;
}

/* The zero page of an accepted image, checked against its parts. */
static void check_zero_page(const struct bzimage_info *info, const u8 *image,
			    u64 mem, u64 initrd_gpa, u32 initrd_size)
{
	struct hvm_e820_entry map[HVM_E820_NR_ENTRIES];
	u32 header_end = BZ_SETUP_SECTS + info->header_len;
	u8 *zp = malloc(BZ_ZERO_PAGE_SIZE);
	size_t i;

	CHECK(zp);
	memset(zp, 0xa5, BZ_ZERO_PAGE_SIZE);
	CHECK(hvm_linux_zero_page_build(zp, image, info, mem, HVM_LINUX_CMDLINE,
					(u32)initrd_gpa, initrd_size) == 0);
	CHECK(hvm_e820_build(mem, map, ARRAY_SIZE(map)) == HVM_E820_NR_ENTRIES);
	for (i = 0; i < BZ_ZERO_PAGE_SIZE; i++) {
		bool written =
			i == BZ_TYPE_OF_LOADER ||
			(i >= BZ_RAMDISK_IMAGE && i < BZ_RAMDISK_SIZE + 4) ||
			(i >= BZ_CMD_LINE_PTR && i < BZ_CMD_LINE_PTR + 4);

		if (i >= BZ_SETUP_SECTS && i < header_end && !written)
			CHECK(zp[i] == image[i]);
		else if (i >= header_end && i < BZ_ZP_E820_TABLE)
			CHECK(zp[i] == 0);
		else if (i >= BZ_ZP_E820_TABLE + sizeof(map))
			CHECK(zp[i] == 0);
	}
	CHECK(zp[BZ_TYPE_OF_LOADER] == 0xff);
	CHECK(get(zp, BZ_CMD_LINE_PTR, 4) == HVM_LINUX_CMDLINE);
	CHECK(get(zp, BZ_RAMDISK_IMAGE, 4) == (initrd_size ? initrd_gpa : 0));
	CHECK(get(zp, BZ_RAMDISK_SIZE, 4) == initrd_size);
	CHECK(get(zp, BZ_ZP_ACPI_RSDP_ADDR, 8) == HVM_RSDP_GPA);
	CHECK(zp[BZ_ZP_E820_ENTRIES] == HVM_E820_NR_ENTRIES);
	CHECK(memcmp(zp + BZ_ZP_E820_TABLE, map, sizeof(map)) == 0);
	free(zp);
}

/* After an accepted parse: the initramfs, the command line, the zero page. */
static void check_uses(const struct bzimage_info *info, const u8 *image,
		       u64 mem)
{
	const u64 room = mem - info->runtime_end;
	const u64 sizes[] = {0, 1, PAGE, MIB + 1, room / 2, room, mem};
	u64 gpa, initrd_gpa = 0, initrd_size = 0;
	unsigned int i;
	char err[ERRLEN];

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		gpa = check_initrd(info, mem, sizes[i]);
		if (gpa) {
			initrd_gpa = gpa;
			initrd_size = sizes[i];
		}
	}

	CHECK(bzimage_check_cmdline(info, info->cmdline_max, err,
				    sizeof(err)) == 0);
	memset(err, 'X', sizeof(err));
	CHECK(bzimage_check_cmdline(info, (size_t)info->cmdline_max + 1, err,
				    sizeof(err)) == -EINVAL);
	check_message(err, sizeof(err));

	check_zero_page(info, image, mem, initrd_gpa, (u32)initrd_size);
	check_zero_page(info, image, mem, 0, 0);
}

/* Parses image for mem and checks the outcome; returns it. */
static int parse_checked(const u8 *image, size_t size, u64 mem,
			 struct bzimage_info *info, char *err)
{
	static const struct bzimage_info zero;
	int rc;

	memset(err, 'X', ERRLEN);
	memset(info, 0xa5, sizeof(*info));
	rc = bzimage_parse(image, size, mem, info, err, ERRLEN);
	CHECK(strnlen(err, ERRLEN) < ERRLEN - 1);
	if (rc == 0) {
		CHECK(err[0] == '\0');
		CHECK(bzimage_probe(image, size));
		check_plan(info, image, size, mem);
	} else {
		CHECK(rc == -EINVAL);
		check_message(err, ERRLEN);
		CHECK(memcmp(info, &zero, sizeof(*info)) == 0);
	}
	return rc;
}

/* Every domain size, exact and unaligned: the same answers. */
static void parse_all(const u8 *data, u8 *copy, size_t size)
{
	struct bzimage_info info, again;
	char err[ERRLEN], err2[ERRLEN];
	unsigned int i;
	int rc;

	memcpy(copy, data, size);
	for (i = 0; i < ARRAY_SIZE(mems); i++) {
		rc = parse_checked(data, size, mems[i], &info, err);
		CHECK(parse_checked(copy, size, mems[i], &again, err2) == rc);
		CHECK(memcmp(&info, &again, sizeof(info)) == 0);
		CHECK(strcmp(err, err2) == 0);
		if (rc == 0)
			check_uses(&info, copy, mems[i]);
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	u8 *raw = malloc(size + 1);
	u8 *fixed = malloc(size ? size : 1);

	if (!raw || !fixed)
		abort();
	parse_all(data, raw + 1, size);

	/* A bzImage of a version Kairos takes, the rest as it came. */
	if (size >= BZ_LOADFLAGS + 1) {
		memcpy(fixed, data, size);
		put(fixed, BZ_BOOT_FLAG, BZ_BOOT_FLAG_MAGIC, 2);
		put(fixed, BZ_HEADER, BZ_HEADER_MAGIC, 4);
		if (get(fixed, BZ_VERSION, 2) < BZ_PROTOCOL_MIN)
			put(fixed, BZ_VERSION, 0x020f, 2);
		fixed[BZ_LOADFLAGS] |= BZ_LOADED_HIGH;
		parse_all(fixed, raw + 1, size);
	}
	free(fixed);
	free(raw);
	return 0;
}
