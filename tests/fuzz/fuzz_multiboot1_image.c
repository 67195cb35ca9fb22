/*
 * libFuzzer target for the Multiboot (v1) image parser
 * (common/multiboot1_image.c), under the RAM layout of an HVM domain
 * (hvm_mb1_load_limits()).
 *
 * Input: the image itself. Each input is parsed in libFuzzer's exact-size
 * buffer for a 64 MiB domain, from a copy one byte past an aligned
 * address (the module may sit anywhere), for the smallest and the largest
 * domain, and once more with the checksum of the first header candidate
 * repaired, so that mutations reach past the header check.
 * AddressSanitizer reports any read outside the image; the invariants
 * below must hold for any input.
 *
 *   make fuzz && build/fuzz/fuzz_multiboot1_image build/fuzz/corpus/fuzz_multiboot1_image
 */
#include <asm/hvm/pc_platform.h>
#include <asm/hvm/platform.h>
#include <compiler.h>
#include <errno.h>
#include <multiboot1_image.h>
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

static void check_accepted(const struct mb1_image_info *info, size_t size,
			   const struct mb1_load_limits *lim)
{
	u64 lo = ~0ULL, hi = 0;
	bool entry_ok = false;
	u32 i, j;

	CHECK(info->nr_segments >= 1 && info->nr_segments <= MB1_MAX_SEGMENTS);
	CHECK(info->header_offset % MB1_HEADER_ALIGN == 0);
	CHECK(info->header_offset + MB1_HEADER_MIN <= MB1_SEARCH_LIMIT);
	CHECK((info->header_flags & MB1_HEADER_REQUIRED_MASK &
	       ~MB1_HEADER_UNDERSTOOD_MASK) == 0);
	CHECK(info->aout_kludge ==
	      !!(info->header_flags & MB1_HEADER_AOUT_KLUDGE));
	CHECK(info->video_mode ==
	      !!(info->header_flags & MB1_HEADER_VIDEO_MODE));
	CHECK(!info->aout_kludge || info->nr_segments == 1);
	for (i = 0; i < info->nr_segments; i++) {
		const struct mb1_segment *s = &info->segments[i];
		u64 end = s->paddr + s->memsz;

		CHECK(s->memsz > 0 && s->filesz <= s->memsz);
		CHECK(s->offset <= size && s->filesz <= size - s->offset);
		CHECK(end > s->paddr && end <= lim->mem);
		for (j = 0; j < lim->nr_holes; j++)
			CHECK(end <= lim->holes[j].start ||
			      s->paddr >= lim->holes[j].end);
		for (j = 0; j < i; j++) {
			const struct mb1_segment *o = &info->segments[j];

			CHECK(end <= o->paddr ||
			      s->paddr >= o->paddr + o->memsz);
			CHECK(o->phdr < s->phdr);
		}
		if (info->entry >= s->paddr &&
		    info->entry - s->paddr < s->filesz)
			entry_ok = true;
		lo = s->paddr < lo ? s->paddr : lo;
		hi = end > hi ? end : hi;
	}
	CHECK(entry_ok);
	CHECK(info->load_start == lo && info->load_end == hi);
}

/* Parses image and checks the outcome; returns it. */
static int parse_checked(const u8 *image, size_t size, u64 mem,
			 struct mb1_image_info *info)
{
	static const struct mb1_image_info zero;
	struct mb1_load_limits lim;
	char err[256];
	int rc;

	CHECK(hvm_mb1_load_limits(mem, &lim) == 0);
	memset(err, 'X', sizeof(err));
	rc = mb1_image_parse(image, size, &lim, info, err, sizeof(err));
	CHECK(strnlen(err, sizeof(err)) < sizeof(err) - 1);
	if (rc == 0) {
		CHECK(err[0] == '\0');
		check_accepted(info, size, &lim);
	} else {
		CHECK(rc == -EINVAL);
		CHECK(err[0] != '\0');
		CHECK(memcmp(info, &zero, sizeof(*info)) == 0);
	}
	return rc;
}

/* Sets the checksum of the first aligned magic in the search area. */
static void repair_checksum(u8 *image, size_t size)
{
	size_t limit = size < MB1_SEARCH_LIMIT ? size : MB1_SEARCH_LIMIT;
	size_t off;
	u32 w[3];

	for (off = 0; off + MB1_HEADER_MIN <= limit; off += 4) {
		memcpy(w, image + off, sizeof(w));
		if (w[0] == MB1_HEADER_MAGIC) {
			w[2] = -(w[0] + w[1]);
			memcpy(image + off, w, sizeof(w));
			return;
		}
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct mb1_image_info info, again;
	u8 *copy;
	int rc;

	rc = parse_checked(data, size, 64UL << 20, &info);

	/* Unaligned, the same verdict and the same description. */
	copy = malloc(size + 1);
	if (!copy)
		abort();
	memcpy(copy + 1, data, size);
	CHECK(parse_checked(copy + 1, size, 64UL << 20, &again) == rc);
	CHECK(memcmp(&info, &again, sizeof(info)) == 0);

	parse_checked(copy + 1, size, HVM_MEM_MIN, &info);
	parse_checked(copy + 1, size, HVM_MEM_MAX, &info);

	repair_checksum(copy + 1, size);
	parse_checked(copy + 1, size, 64UL << 20, &info);
	free(copy);
	return 0;
}
