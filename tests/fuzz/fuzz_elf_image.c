/*
 * libFuzzer target for the guest image validator (common/elf_image.c).
 *
 * Input: the image itself. Each input is parsed three ways: in
 * libFuzzer's exact-size buffer under the default limits (the user half,
 * 64 MiB), from a copy one byte past an aligned address (the module may
 * sit anywhere), and under a tight window and memory limit that most
 * images brush against. AddressSanitizer reports any read outside the
 * image; the invariants below must hold for any input.
 *
 *   make fuzz && build/fuzz/fuzz_elf_image build/fuzz/corpus/fuzz_elf_image
 */
#include <compiler.h>
#include <elf_image.h>
#include <errno.h>
#include <string.h>

#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

static const struct elf_image_limits default_limits = {
	.vaddr_min = GUEST_IMAGE_VADDR_MIN,
	.vaddr_end = GUEST_IMAGE_VADDR_END,
	.mem_limit = 64UL << 20,
};

static const struct elf_image_limits tight_limits = {
	.vaddr_min = 0x400000,
	.vaddr_end = 0x800000,
	.mem_limit = 16 * GUEST_PAGE_SIZE,
};

/* Stops the run with a message (libFuzzer keeps the input as a crash). */
#define CHECK(cond)                                                       \
	do {                                                              \
		if (!(cond)) {                                            \
			fprintf(stderr, "invariant broken: %s\n", #cond); \
			abort();                                          \
		}                                                         \
	} while (0)

static void check_accepted(const struct elf_image_info *info, size_t size,
			   const struct elf_image_limits *lim)
{
	u64 pages = 0;
	bool entry_ok = false;
	u32 i, j;

	CHECK(info->nr_segments >= 1 &&
	      info->nr_segments <= ELF_IMAGE_MAX_SEGMENTS);
	for (i = 0; i < info->nr_segments; i++) {
		const struct elf_segment *s = &info->segments[i];
		u64 first = ROUNDDOWN(s->vaddr, GUEST_PAGE_SIZE);
		u64 last = ROUNDUP(s->vaddr + s->memsz, GUEST_PAGE_SIZE);

		CHECK(s->memsz > 0 && s->filesz <= s->memsz);
		CHECK(s->offset <= size && s->filesz <= size - s->offset);
		CHECK(s->vaddr >= lim->vaddr_min);
		CHECK(s->vaddr + s->memsz > s->vaddr);
		CHECK(s->vaddr + s->memsz <= lim->vaddr_end);
		CHECK(!((s->flags & ELF_SEG_W) && (s->flags & ELF_SEG_X)));
		CHECK((s->flags & ~7u) == 0);
		for (j = 0; j < i; j++) {
			const struct elf_segment *o = &info->segments[j];

			CHECK(last <= ROUNDDOWN(o->vaddr, GUEST_PAGE_SIZE) ||
			      first >= ROUNDUP(o->vaddr + o->memsz,
					       GUEST_PAGE_SIZE));
			CHECK(o->phdr < s->phdr);
		}
		pages += (last - first) / GUEST_PAGE_SIZE;
		if ((s->flags & ELF_SEG_X) && info->entry >= s->vaddr &&
		    info->entry - s->vaddr < s->filesz)
			entry_ok = true;
	}
	CHECK(entry_ok);
	CHECK(pages == info->total_pages);
	CHECK(pages * GUEST_PAGE_SIZE <= lim->mem_limit);
}

/* Parses image and checks the outcome; returns it. */
static int parse_checked(const u8 *image, size_t size,
			 const struct elf_image_limits *lim,
			 struct elf_image_info *info)
{
	static const struct elf_image_info zero;
	char err[256];
	int rc;

	memset(err, 'X', sizeof(err));
	rc = elf_image_parse(image, size, lim, info, err, sizeof(err));
	CHECK(strnlen(err, sizeof(err)) < sizeof(err));
	if (rc == 0) {
		CHECK(err[0] == '\0');
		check_accepted(info, size, lim);
	} else {
		CHECK(rc == -EINVAL);
		CHECK(err[0] != '\0');
		CHECK(memcmp(info, &zero, sizeof(*info)) == 0);
	}
	return rc;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct elf_image_info info, again;
	u8 *copy;
	int rc;

	rc = parse_checked(data, size, &default_limits, &info);

	/* Unaligned, the same verdict and the same description. */
	copy = malloc(size + 1);
	if (!copy)
		abort();
	memcpy(copy + 1, data, size);
	CHECK(parse_checked(copy + 1, size, &default_limits, &again) == rc);
	CHECK(memcmp(&info, &again, sizeof(info)) == 0);
	free(copy);

	parse_checked(data, size, &tight_limits, &info);
	return 0;
}
