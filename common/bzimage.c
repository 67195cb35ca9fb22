/*
 * Validation of a Linux bzImage into a load plan (include/bzimage.h says
 * what is accepted and why). Section names refer to Linux's
 * Documentation/arch/x86/boot.rst.
 */
#include <bzimage.h>
#include <errno.h>
#include <reject.h>
#include <string.h>

#define PAGE_4K 0x1000ULL
#define MIB	(1ULL << 20)

/* Little-endian reads at any alignment; the caller has bounded off. */
static u64 read_le(const u8 *image, size_t off, unsigned int bytes)
{
	u64 v = 0;
	unsigned int i;

	for (i = 0; i < bytes; i++)
		v |= (u64)image[off + i] << (8 * i);
	return v;
}

static bool is_power_of_two(u64 x)
{
	return x && !(x & (x - 1));
}

bool bzimage_probe(const u8 *image, size_t size)
{
	return size >= BZ_HEADER + 4 &&
	       read_le(image, BZ_BOOT_FLAG, 2) == BZ_BOOT_FLAG_MAGIC &&
	       read_le(image, BZ_HEADER, 4) == BZ_HEADER_MAGIC;
}

/* The header's own length, from the jump at 0x200 ("Details of Header Fields"). */
static int check_header(const u8 *image, size_t size, struct bzimage_info *out,
			char *err, size_t errlen)
{
	u32 header_end;

	if (!bzimage_probe(image, size))
		return reject_reason(
			err, errlen,
			"not a bzImage: no 0xAA55 boot flag and \"HdrS\" setup header");
	if (size < BZ_VERSION + 2)
		return reject_reason(
			err, errlen,
			"the %zu-byte file ends inside the setup header, before its protocol version",
			size);
	out->version = (u16)read_le(image, BZ_VERSION, 2);
	if (out->version < BZ_PROTOCOL_MIN)
		return reject_reason(
			err, errlen,
			"boot protocol %u.%02u: Kairos needs 2.10 or later (Linux 2.6.31+), whose header gives init_size",
			out->version >> 8, out->version & 0xff);
	header_end = BZ_JUMP + 2 + image[BZ_JUMP + 1];
	if (header_end < BZ_INIT_SIZE + 4 || header_end > BZ_HEADER_LIMIT ||
	    header_end > size)
		return reject_reason(
			err, errlen,
			"the setup header ends at %#x: it must hold the 2.10 fields, end by %#x and lie in the %zu-byte file",
			header_end, BZ_HEADER_LIMIT, size);
	out->header_len = header_end - BZ_SETUP_SECTS;
	if (!(image[BZ_LOADFLAGS] & BZ_LOADED_HIGH))
		return reject_reason(
			err, errlen,
			"a zImage (loadflags without LOADED_HIGH) loads below 1 MiB: give a bzImage");
	out->kernel_64 = read_le(image, BZ_XLOADFLAGS, 2) & BZ_XLF_KERNEL_64;
	return 0;
}

/* The protected-mode part: after the setup sectors, loaded at 1 MiB. */
static int check_kernel(const u8 *image, size_t size, u64 mem,
			struct bzimage_info *out, char *err, size_t errlen)
{
	u32 sects = image[BZ_SETUP_SECTS] ?: BZ_DEFAULT_SETUP_SECTS;

	out->kernel_offset = (u64)(sects + 1) * 512;
	if (out->kernel_offset >= size)
		return reject_reason(
			err, errlen,
			"%u setup sectors leave no protected-mode kernel in the %zu-byte file",
			sects, size);
	out->kernel_size = size - out->kernel_offset;
	out->load_addr = BZ_LOAD_ADDR;
	if (out->load_addr + out->kernel_size > mem)
		return reject_reason(
			err, errlen,
			"the kernel's %lu KiB at 1 MiB do not fit the domain's %lu MiB",
			(unsigned long)(out->kernel_size >> 10),
			(unsigned long)(mem / MIB));
	return 0;
}

/* Where it runs once decompressed (boot.rst, "init_size"), and its end. */
static int check_runtime(const u8 *image, u64 mem, struct bzimage_info *out,
			 char *err, size_t errlen)
{
	u64 align = read_le(image, BZ_KERNEL_ALIGN, 4);
	u64 pref = read_le(image, BZ_PREF_ADDRESS, 8);
	u64 init_size = read_le(image, BZ_INIT_SIZE, 4);
	u64 start;

	if (image[BZ_RELOCATABLE]) {
		if (!is_power_of_two(align))
			return reject_reason(
				err, errlen,
				"kernel_alignment %#lx is not a power of two",
				(unsigned long)align);
		start = out->load_addr < pref ? pref : out->load_addr;
		if (start > mem)
			return reject_reason(
				err, errlen,
				"the kernel prefers to run at %#lx, past the domain's %lu MiB",
				(unsigned long)start,
				(unsigned long)(mem / MIB));
		start = (start + align - 1) & ~(align - 1);
	} else {
		start = pref;
	}
	if (!init_size)
		return reject_reason(
			err, errlen,
			"init_size 0: the kernel does not say how much RAM it needs while it starts");
	if (start > mem || init_size > mem - start)
		return reject_reason(
			err, errlen,
			"the kernel needs %lu KiB of RAM from %#lx while it starts (init_size); the domain has %lu MiB: give it mem=%luM or more",
			(unsigned long)(init_size >> 10), (unsigned long)start,
			(unsigned long)(mem / MIB),
			(unsigned long)((start + init_size + MIB - 1) / MIB));
	out->runtime_start = start;
	out->runtime_end = start + init_size;
	out->initrd_max = read_le(image, BZ_INITRD_ADDR_MAX, 4) + 1ULL;
	out->cmdline_max = (u32)read_le(image, BZ_CMDLINE_SIZE, 4);
	return 0;
}

int bzimage_parse(const u8 *image, size_t size, u64 mem,
		  struct bzimage_info *out, char *err, size_t errlen)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if (errlen)
		err[0] = '\0';
	rc = check_header(image, size, out, err, errlen);
	if (!rc)
		rc = check_kernel(image, size, mem, out, err, errlen);
	if (!rc)
		rc = check_runtime(image, mem, out, err, errlen);
	if (rc)
		memset(out, 0, sizeof(*out));
	return rc;
}

int bzimage_place_initrd(const struct bzimage_info *info, u64 mem, u64 size,
			 u64 *gpa, char *err, size_t errlen)
{
	u64 top = mem < info->initrd_max ? mem : info->initrd_max;
	u64 floor = info->runtime_end;
	u64 kernel_end = info->load_addr + info->kernel_size;

	if (kernel_end > floor)
		floor = kernel_end;
	top &= ~(PAGE_4K - 1);
	if (!size || size > top || ((top - size) & ~(PAGE_4K - 1)) < floor)
		return reject_reason(
			err, errlen,
			"the initramfs (%lu KiB) does not fit between the kernel's end at %#lx and %#lx: give the domain more mem=",
			(unsigned long)((size + 1023) >> 10),
			(unsigned long)floor, (unsigned long)top);
	*gpa = (top - size) & ~(PAGE_4K - 1);
	return 0;
}

int bzimage_check_cmdline(const struct bzimage_info *info, size_t len,
			  char *err, size_t errlen)
{
	if (len > info->cmdline_max)
		return reject_reason(
			err, errlen,
			"the command line has %zu bytes; this kernel takes at most %u",
			len, info->cmdline_max);
	return 0;
}
