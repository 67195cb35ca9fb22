/*
 * Guest image validation (include/elf_image.h): decides whether a
 * multiboot2 module is a static ELF64 x86-64 executable the domain
 * builder can load safely, and describes its segments.
 *
 * The image is untrusted input. Every header is copied out with memcpy()
 * before it is read, so a module at any alignment is fine; every range is
 * checked for wrap-around before it is compared with anything; nothing is
 * written but *info and err. The reasons behind each check are in
 * docs/guest-images.md.
 */
#include <compiler.h>
#include <elf_image.h>
#include <errno.h>
#include <printk.h>
#include <reject.h>
#include <string.h>

#define U64_MAX ((u64)~0ULL)

/* ---- Helpers ------------------------------------------------------------ */

static bool is_power_of_2(u64 x)
{
	return x && !(x & (x - 1));
}

/* True if [off, off + len) lies inside [0, size), without wrapping. */
static bool range_in_file(u64 off, u64 len, size_t size)
{
	return off <= size && len <= size - off;
}

static u64 page_down(u64 x)
{
	return ROUNDDOWN(x, GUEST_PAGE_SIZE);
}

/* Only for x <= 2^64 - GUEST_PAGE_SIZE: callers bound x by the window. */
static u64 page_up(u64 x)
{
	return ROUNDUP(x, GUEST_PAGE_SIZE);
}

static const char *type_name(u16 type)
{
	switch (type) {
	case ET_REL:
		return " (relocatable object)";
	case ET_DYN:
		return " (shared object or position-independent executable)";
	case ET_CORE:
		return " (core dump)";
	default:
		return "";
	}
}

/* ---- The ELF header ----------------------------------------------------- */

/* Checks everything the file header alone can tell. */
static int check_ehdr(const struct elf64_ehdr *eh, size_t size, char *err,
		      size_t errlen)
{
	const u8 *id = eh->e_ident;
	u64 table;

	if (memcmp(id, ELFMAG, SELFMAG) != 0)
		return reject_reason(
			err, errlen,
			"not an ELF file: magic %02x %02x %02x %02x, expected 7f 45 4c 46",
			id[0], id[1], id[2], id[3]);
	if (id[EI_CLASS] != ELFCLASS64)
		return reject_reason(
			err, errlen,
			"ELF class %u, not ELFCLASS64 (2): 64-bit images only",
			id[EI_CLASS]);
	if (id[EI_DATA] != ELFDATA2LSB)
		return reject_reason(
			err, errlen,
			"ELF data encoding %u, not ELFDATA2LSB (1): little-endian images only",
			id[EI_DATA]);
	if (id[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
		return reject_reason(
			err, errlen,
			"ELF version %u (e_ident) / %u (e_version), not EV_CURRENT (1)",
			id[EI_VERSION], eh->e_version);
	if (eh->e_type != ET_EXEC)
		return reject_reason(
			err, errlen,
			"ELF type %u%s, not ET_EXEC (2): static executables linked at fixed addresses only",
			eh->e_type, type_name(eh->e_type));
	if (eh->e_machine != EM_X86_64)
		return reject_reason(err, errlen,
				     "ELF machine %u, not EM_X86_64 (62)",
				     eh->e_machine);
	if (eh->e_ehsize != sizeof(struct elf64_ehdr))
		return reject_reason(
			err, errlen,
			"e_ehsize %u, not the %u bytes of an ELF64 header",
			eh->e_ehsize, (u32)sizeof(struct elf64_ehdr));
	if (eh->e_phentsize != sizeof(struct elf64_phdr))
		return reject_reason(
			err, errlen,
			"e_phentsize %u, not the %u bytes of an ELF64 program header",
			eh->e_phentsize, (u32)sizeof(struct elf64_phdr));
	if (eh->e_phnum == 0)
		return reject_reason(
			err, errlen,
			"no program headers (e_phnum 0): nothing to load");
	if (eh->e_phnum == PN_XNUM)
		return reject_reason(
			err, errlen,
			"e_phnum is PN_XNUM (extended numbering): more than %u program headers",
			ELF_IMAGE_MAX_PHDRS);
	if (eh->e_phnum > ELF_IMAGE_MAX_PHDRS)
		return reject_reason(
			err, errlen,
			"%u program headers, more than the %u accepted",
			eh->e_phnum, ELF_IMAGE_MAX_PHDRS);
	/* e_phnum <= 64 here, so the table's size cannot wrap. */
	table = (u64)eh->e_phnum * sizeof(struct elf64_phdr);
	if (!range_in_file(eh->e_phoff, table, size))
		return reject_reason(
			err, errlen,
			"program header table at offset %#lx (%lu bytes) runs past the end of the %lu-byte image",
			eh->e_phoff, table, (u64)size);
	return 0;
}

/* ---- Program headers ---------------------------------------------------- */

/*
 * Checks one PT_LOAD program header (index i) on its own and against the
 * segments already accepted; appends it to info unless it is empty.
 */
static int check_load(const struct elf64_phdr *ph, u32 i, size_t size,
		      const struct elf_image_limits *limits,
		      struct elf_image_info *info, char *err, size_t errlen)
{
	struct elf_segment *seg;
	u64 end, first, last;
	u32 j;

	if (ph->p_filesz > ph->p_memsz)
		return reject_reason(
			err, errlen,
			"segment %u: p_filesz %#lx larger than p_memsz %#lx", i,
			ph->p_filesz, ph->p_memsz);
	if (!range_in_file(ph->p_offset, ph->p_filesz, size))
		return reject_reason(
			err, errlen,
			"segment %u: file bytes [%#lx, +%#lx) run past the end of the %lu-byte image",
			i, ph->p_offset, ph->p_filesz, (u64)size);
	/* gABI: an empty segment occupies no memory; it is left out. */
	if (ph->p_memsz == 0)
		return 0;
	if (ph->p_vaddr > U64_MAX - ph->p_memsz)
		return reject_reason(
			err, errlen,
			"segment %u: virtual range %#lx + %#lx wraps past 2^64",
			i, ph->p_vaddr, ph->p_memsz);
	end = ph->p_vaddr + ph->p_memsz;
	if (ph->p_vaddr < limits->vaddr_min || end > limits->vaddr_end)
		return reject_reason(
			err, errlen,
			"segment %u: virtual range [%#lx, %#lx) outside the guest window [%#lx, %#lx)",
			i, ph->p_vaddr, end, limits->vaddr_min,
			limits->vaddr_end);
	if ((ph->p_flags & PF_W) && (ph->p_flags & PF_X))
		return reject_reason(
			err, errlen,
			"segment %u at %#lx: writable and executable (flags %s); no page may be both",
			i, ph->p_vaddr,
			elf_segment_perms(ph->p_flags & (PF_R | PF_W | PF_X)));
	if (ph->p_align > 1 && !is_power_of_2(ph->p_align))
		return reject_reason(
			err, errlen,
			"segment %u: p_align %#lx is not a power of two", i,
			ph->p_align);
	if (ph->p_align >= GUEST_PAGE_SIZE &&
	    ph->p_vaddr % GUEST_PAGE_SIZE != ph->p_offset % GUEST_PAGE_SIZE)
		return reject_reason(
			err, errlen,
			"segment %u: p_vaddr %#lx and p_offset %#lx differ modulo the %lu-byte page (p_align %#lx)",
			i, ph->p_vaddr, ph->p_offset, GUEST_PAGE_SIZE,
			ph->p_align);

	/* The window's bounds are page aligned, so neither rounding wraps. */
	first = page_down(ph->p_vaddr);
	last = page_up(end);
	for (j = 0; j < info->nr_segments; j++) {
		const struct elf_segment *o = &info->segments[j];
		u64 o_first = page_down(o->vaddr);
		u64 o_last = page_up(o->vaddr + o->memsz);

		if (first < o_last && o_first < last)
			return reject_reason(
				err, errlen,
				"segments %u and %u overlap: pages [%#lx, %#lx) and [%#lx, %#lx) intersect",
				o->phdr, i, o_first, o_last, first, last);
	}
	if (info->nr_segments == ELF_IMAGE_MAX_SEGMENTS)
		return reject_reason(
			err, errlen,
			"segment %u: more than %u PT_LOAD segments", i,
			ELF_IMAGE_MAX_SEGMENTS);

	seg = &info->segments[info->nr_segments++];
	seg->vaddr = ph->p_vaddr;
	seg->memsz = ph->p_memsz;
	seg->filesz = ph->p_filesz;
	seg->offset = ph->p_offset;
	seg->flags = ph->p_flags & (PF_R | PF_W | PF_X);
	seg->phdr = i;
	info->total_pages += (last - first) / GUEST_PAGE_SIZE;
	return 0;
}

/* Walks the program headers: loads are checked, dynamic linking refused. */
static int check_phdrs(const u8 *image, size_t size,
		       const struct elf64_ehdr *eh,
		       const struct elf_image_limits *limits,
		       struct elf_image_info *info, char *err, size_t errlen)
{
	struct elf64_phdr ph;
	u32 i;
	int rc;

	for (i = 0; i < eh->e_phnum; i++) {
		memcpy(&ph, image + eh->e_phoff + (u64)i * sizeof(ph),
		       sizeof(ph));
		switch (ph.p_type) {
		case PT_LOAD:
			rc = check_load(&ph, i, size, limits, info, err,
					errlen);
			if (rc)
				return rc;
			break;
		case PT_INTERP:
			return reject_reason(
				err, errlen,
				"segment %u: PT_INTERP (needs a program interpreter); static images only",
				i);
		case PT_DYNAMIC:
			return reject_reason(
				err, errlen,
				"segment %u: PT_DYNAMIC (needs dynamic linking); static images only",
				i);
		default:
			/* Notes, TLS templates, GNU_STACK...: nothing to load. */
			break;
		}
	}
	return 0;
}

/* ---- The whole image ---------------------------------------------------- */

/* The entry point must be file-backed code: inside an executable segment. */
static int check_entry(const struct elf_image_info *info, char *err,
		       size_t errlen)
{
	u64 entry = info->entry;
	u32 i;

	for (i = 0; i < info->nr_segments; i++) {
		const struct elf_segment *seg = &info->segments[i];

		if (entry < seg->vaddr || entry - seg->vaddr >= seg->memsz)
			continue;
		if (!(seg->flags & ELF_SEG_X))
			return reject_reason(
				err, errlen,
				"entry point %#lx is in segment %u, which is not executable (flags %s)",
				entry, seg->phdr,
				elf_segment_perms(seg->flags));
		if (entry - seg->vaddr >= seg->filesz)
			return reject_reason(
				err, errlen,
				"entry point %#lx is in the zero-filled tail of segment %u (file bytes end at %#lx)",
				entry, seg->phdr, seg->vaddr + seg->filesz);
		return 0;
	}
	return reject_reason(
		err, errlen,
		"entry point %#lx is outside every PT_LOAD segment", entry);
}

int elf_image_parse(const void *image, size_t size,
		    const struct elf_image_limits *limits,
		    struct elf_image_info *info, char *err, size_t errlen)
{
	struct elf64_ehdr eh;
	int rc;

	memset(info, 0, sizeof(*info));
	if (errlen)
		err[0] = '\0';

	if (!limits || limits->vaddr_min >= limits->vaddr_end ||
	    limits->vaddr_min % GUEST_PAGE_SIZE ||
	    limits->vaddr_end % GUEST_PAGE_SIZE)
		return reject_reason(
			err, errlen,
			"bad limits: the guest window must be non-empty and page aligned");
	if (!image || size < sizeof(eh))
		return reject_reason(
			err, errlen,
			"image is %lu bytes, smaller than the %u-byte ELF64 header",
			image ? (u64)size : 0, (u32)sizeof(eh));
	memcpy(&eh, image, sizeof(eh));

	rc = check_ehdr(&eh, size, err, errlen);
	if (!rc)
		rc = check_phdrs(image, size, &eh, limits, info, err, errlen);
	if (!rc && info->nr_segments == 0)
		rc = reject_reason(
			err, errlen,
			"no PT_LOAD segment with memory: nothing to load");
	if (!rc) {
		info->entry = eh.e_entry;
		rc = check_entry(info, err, errlen);
	}
	/* At most 16 segments of at most 2^64 / 4 KiB pages: no wrap. */
	if (!rc && info->total_pages > limits->mem_limit / GUEST_PAGE_SIZE)
		rc = reject_reason(
			err, errlen,
			"segments need %lu KiB (%lu pages), above the memory limit of %lu KiB",
			info->total_pages * (GUEST_PAGE_SIZE / 1024),
			info->total_pages, limits->mem_limit / 1024);
	if (rc)
		memset(info, 0, sizeof(*info));
	return rc;
}
