/*
 * Multiboot (version 1) kernel validation (include/multiboot1_image.h):
 * decides whether an HVM domain's module is a Multiboot kernel that loads
 * into the domain's usable RAM, and describes the ranges to copy and zero
 * and the entry point. What is accepted, and why, is in the header.
 *
 * The image is untrusted input. Every header is copied out with memcpy()
 * before it is read, so a module at any alignment is fine; all address
 * arithmetic is done in 64 bits on 32-bit fields, so nothing wraps before
 * it is compared with 4 GiB; nothing is written but *out and err.
 */
#include <compiler.h>
#include <errno.h>
#include <multiboot1_image.h>
#include <printk.h>
#include <reject.h>
#include <string.h>

/* Multiboot kernels live in the 32-bit physical address space. */
#define FOUR_GIB (1ULL << 32)

/* ---- Helpers ------------------------------------------------------------ */

/* True if [off, off + len) lies inside [0, size), without wrapping. */
static bool range_in_file(u64 off, u64 len, size_t size)
{
	return off <= size && len <= size - off;
}

static u32 read_u32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* True if [a, a_end) and [b, b_end) share a byte. */
static bool ranges_overlap(u64 a, u64 a_end, u64 b, u64 b_end)
{
	return a < b_end && b < a_end;
}

/* "r-x" and the like, for messages. */
static const char *perms(u32 p_flags)
{
	return elf_segment_perms(p_flags & (PF_R | PF_W | PF_X));
}

/* ---- The limits --------------------------------------------------------- */

static int check_limits(const struct mb1_load_limits *lim, char *err,
			size_t errlen)
{
	u32 i;

	if (!lim || lim->mem == 0 || lim->mem > FOUR_GIB)
		return reject_reason(err, errlen,
				     "bad limits: mem must be 1 byte to 4 GiB");
	if (lim->nr_holes > MB1_MAX_HOLES)
		return reject_reason(
			err, errlen,
			"bad limits: %u holes, more than the %u allowed",
			lim->nr_holes, MB1_MAX_HOLES);
	for (i = 0; i < lim->nr_holes; i++)
		if (lim->holes[i].start >= lim->holes[i].end ||
		    !lim->holes[i].what)
			return reject_reason(
				err, errlen,
				"bad limits: hole %u is empty or unnamed", i);
	return 0;
}

/*
 * Checks that [start, end) (start < end) may be loaded: below mem and
 * clear of every hole. what names the range ("segment 2").
 */
static int check_placement(const struct mb1_load_limits *lim, const char *what,
			   u64 start, u64 end, char *err, size_t errlen)
{
	u32 i;

	if (end > lim->mem)
		return reject_reason(
			err, errlen,
			"%s: [%#lx, %#lx) ends above the domain's RAM, which ends at %#lx (%lu KiB)",
			what, start, end, lim->mem, lim->mem / 1024);
	for (i = 0; i < lim->nr_holes; i++) {
		const struct mb1_hole *h = &lim->holes[i];

		if (ranges_overlap(start, end, h->start, h->end))
			return reject_reason(
				err, errlen,
				"%s: [%#lx, %#lx) overlaps %.48s [%#lx, %#lx)",
				what, start, end, h->what, h->start, h->end);
	}
	return 0;
}

/* Appends a checked range to the plan and widens the load bounds. */
static void add_segment(struct mb1_image_info *out, u64 offset, u64 paddr,
			u64 filesz, u64 memsz, u32 phdr)
{
	struct mb1_segment *s = &out->segments[out->nr_segments++];

	s->offset = offset;
	s->paddr = paddr;
	s->filesz = filesz;
	s->memsz = memsz;
	s->phdr = phdr;
	if (out->nr_segments == 1 || paddr < out->load_start)
		out->load_start = paddr;
	if (paddr + memsz > out->load_end)
		out->load_end = paddr + memsz;
}

/* ---- The Multiboot header (3.1) ----------------------------------------- */

static bool header_at(const u8 *image, u64 off)
{
	u32 magic = read_u32(image + off);
	u32 flags = read_u32(image + off + 4);
	u32 checksum = read_u32(image + off + 8);

	return magic == MB1_HEADER_MAGIC &&
	       (u32)(magic + flags + checksum) == 0;
}

/*
 * Why no header was found, for the message: a magic with a bad checksum,
 * a good header at an odd offset, or one past the search limit.
 */
static int no_header(const u8 *image, size_t size, u64 bad_off, char *err,
		     size_t errlen)
{
	u64 limit = min((u64)size, (u64)MB1_SEARCH_LIMIT);
	u64 off;

	if (bad_off != FOUR_GIB) {
		u32 sum = MB1_HEADER_MAGIC + read_u32(image + bad_off + 4) +
			  read_u32(image + bad_off + 8);

		return reject_reason(
			err, errlen,
			"Multiboot header at offset %#lx: bad checksum %#x (magic + flags + checksum = %#x, not 0)",
			bad_off, read_u32(image + bad_off + 8), sum);
	}
	for (off = 1; off + MB1_HEADER_MIN <= limit; off++)
		if (off % MB1_HEADER_ALIGN && header_at(image, off))
			return reject_reason(
				err, errlen,
				"Multiboot header at offset %#lx is not 32-bit aligned",
				off);
	for (off = MB1_SEARCH_LIMIT - MB1_HEADER_MIN + MB1_HEADER_ALIGN;
	     off + MB1_HEADER_MIN <= size; off += MB1_HEADER_ALIGN)
		if (header_at(image, off))
			return reject_reason(
				err, errlen,
				"Multiboot header at offset %#lx is not within the first %u bytes",
				off, MB1_SEARCH_LIMIT);
	return reject_reason(
		err, errlen,
		"no Multiboot header: magic %#x with a good checksum not in the first %u bytes of the %lu-byte image",
		MB1_HEADER_MAGIC, MB1_SEARCH_LIMIT, (u64)size);
}

/* Finds the header (3.1.1) and copies as much of it as its flags use. */
static int find_header(const u8 *image, size_t size, struct mb1_header *h,
		       u64 *header_off, char *err, size_t errlen)
{
	u64 limit = min((u64)size, (u64)MB1_SEARCH_LIMIT);
	u64 bad_off = FOUR_GIB, off, need;

	for (off = 0; off + MB1_HEADER_MIN <= limit; off += MB1_HEADER_ALIGN) {
		if (header_at(image, off))
			break;
		if (bad_off == FOUR_GIB &&
		    read_u32(image + off) == MB1_HEADER_MAGIC)
			bad_off = off;
	}
	if (off + MB1_HEADER_MIN > limit)
		return no_header(image, size, bad_off, err, errlen);

	memset(h, 0, sizeof(*h));
	memcpy(h, image + off, MB1_HEADER_MIN);
	need = (h->flags & MB1_HEADER_VIDEO_MODE)    ? MB1_HEADER_VIDEO
	       : (h->flags & MB1_HEADER_AOUT_KLUDGE) ? MB1_HEADER_AOUT
						     : MB1_HEADER_MIN;
	if (off + need > size)
		return reject_reason(
			err, errlen,
			"Multiboot header at offset %#lx (flags %#x, %lu bytes) runs past the end of the %lu-byte image",
			off, h->flags, need, (u64)size);
	if (off + need > MB1_SEARCH_LIMIT)
		return reject_reason(
			err, errlen,
			"Multiboot header at offset %#lx (flags %#x, %lu bytes) is not wholly within the first %u bytes",
			off, h->flags, need, MB1_SEARCH_LIMIT);
	memcpy(h, image + off, need);
	*header_off = off;
	return 0;
}

/* 3.1.2: every requirement (bits 0-15) must be understood. */
static int check_flags(u32 flags, char *err, size_t errlen)
{
	u32 unknown =
		flags & MB1_HEADER_REQUIRED_MASK & ~MB1_HEADER_UNDERSTOOD_MASK;

	if (unknown)
		return reject_reason(
			err, errlen,
			"Multiboot header flags %#x: required feature bit %u is not supported (only bits 0-2 are)",
			flags, (u32)__builtin_ctz(unknown));
	return 0;
}

/* ---- The a.out kludge (3.1.3, flags bit 16) ----------------------------- */

static int parse_aout(const struct mb1_header *h, u64 header_off, u64 hdr_len,
		      size_t size, const struct mb1_load_limits *lim,
		      struct mb1_image_info *out, char *err, size_t errlen)
{
	u64 load = h->load_addr, text_off, load_size, load_end, mem_end;
	int rc;

	if (h->load_addr > h->header_addr)
		return reject_reason(
			err, errlen,
			"a.out kludge: load_addr %#x is above header_addr %#x",
			h->load_addr, h->header_addr);
	if ((u64)h->header_addr - load > header_off)
		return reject_reason(
			err, errlen,
			"a.out kludge: header_addr %#x - load_addr %#x is more than the header's file offset %#lx: loading would start before the file",
			h->header_addr, h->load_addr, header_off);
	text_off = header_off - ((u64)h->header_addr - load);

	if (h->load_end_addr == 0) {
		load_size = size - text_off;
	} else {
		if (h->load_end_addr <= h->load_addr)
			return reject_reason(
				err, errlen,
				"a.out kludge: load_end_addr %#x is not above load_addr %#x",
				h->load_end_addr, h->load_addr);
		load_size = (u64)h->load_end_addr - load;
		if (!range_in_file(text_off, load_size, size))
			return reject_reason(
				err, errlen,
				"a.out kludge: [load_addr %#x, load_end_addr %#x) is file bytes [%#lx, %#lx), past the end of the %lu-byte image",
				h->load_addr, h->load_end_addr, text_off,
				text_off + load_size, (u64)size);
	}
	load_end = load + load_size;
	if (load_end > FOUR_GIB)
		return reject_reason(
			err, errlen,
			"a.out kludge: load_addr %#x + %#lx bytes of file wraps past 4 GiB",
			h->load_addr, load_size);
	if (header_off + hdr_len > text_off + load_size)
		return reject_reason(
			err, errlen,
			"a.out kludge: the header (file offset %#lx) is not among the loaded bytes [%#lx, %#lx)",
			header_off, text_off, text_off + load_size);

	mem_end = load_end;
	if (h->bss_end_addr) {
		if (h->bss_end_addr < load_end)
			return reject_reason(
				err, errlen,
				"a.out kludge: bss_end_addr %#x is below the end of the loaded bytes %#lx",
				h->bss_end_addr, load_end);
		mem_end = h->bss_end_addr;
	}
	if (h->entry_addr < load || h->entry_addr >= load_end)
		return reject_reason(
			err, errlen,
			"a.out kludge: entry_addr %#x is outside the loaded bytes [%#lx, %#lx)",
			h->entry_addr, load, load_end);

	rc = check_placement(lim, "a.out kludge image", load, mem_end, err,
			     errlen);
	if (rc)
		return rc;
	add_segment(out, text_off, load, load_size, mem_end - load, 0);
	out->entry = h->entry_addr;
	return 0;
}

/* ---- ELF32 (flags bit 16 clear) ----------------------------------------- */

static const char *machine_name(u16 machine)
{
	return machine == EM_X86_64 ? " (x86-64)" : "";
}

/* Checks everything the ELF header alone can tell. */
static int check_ehdr(const u8 *image, size_t size, u32 flags,
		      struct elf32_ehdr *eh, char *err, size_t errlen)
{
	const u8 *id = image;
	u64 table;

	if (size < SELFMAG || memcmp(id, ELFMAG, SELFMAG) != 0)
		return reject_reason(
			err, errlen,
			"not an ELF file, and the Multiboot header's flags %#x lack bit 16 (the a.out kludge): nothing says where to load it",
			flags);
	if (size >= EI_NIDENT && id[EI_CLASS] == ELFCLASS64)
		return reject_reason(
			err, errlen,
			"ELF64 image: give a 32-bit one (ELFCLASS32, e.g. objcopy -O elf32-i386); Multiboot loads only ELF32, as QEMU does");
	if (size < sizeof(*eh))
		return reject_reason(
			err, errlen,
			"image is %lu bytes, smaller than the %u-byte ELF32 header",
			(u64)size, (u32)sizeof(*eh));
	memcpy(eh, image, sizeof(*eh));
	if (id[EI_CLASS] != ELFCLASS32)
		return reject_reason(err, errlen,
				     "ELF class %u, not ELFCLASS32 (1)",
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
			"ELF type %u, not ET_EXEC (2): executables linked at fixed addresses only",
			eh->e_type);
	if (eh->e_machine != EM_386)
		return reject_reason(
			err, errlen, "ELF machine %u%s, not EM_386 (3)",
			eh->e_machine, machine_name(eh->e_machine));
	if (eh->e_ehsize != sizeof(struct elf32_ehdr))
		return reject_reason(
			err, errlen,
			"e_ehsize %u, not the %u bytes of an ELF32 header",
			eh->e_ehsize, (u32)sizeof(struct elf32_ehdr));
	if (eh->e_phentsize != sizeof(struct elf32_phdr))
		return reject_reason(
			err, errlen,
			"e_phentsize %u, not the %u bytes of an ELF32 program header",
			eh->e_phentsize, (u32)sizeof(struct elf32_phdr));
	if (eh->e_phnum == 0)
		return reject_reason(
			err, errlen,
			"no program headers (e_phnum 0): nothing to load");
	if (eh->e_phnum > MB1_MAX_PHDRS)
		return reject_reason(
			err, errlen,
			"%u program headers, more than the %u accepted",
			eh->e_phnum, MB1_MAX_PHDRS);
	table = (u64)eh->e_phnum * sizeof(struct elf32_phdr);
	if (!range_in_file(eh->e_phoff, table, size))
		return reject_reason(
			err, errlen,
			"program header table at offset %#x (%lu bytes) runs past the end of the %lu-byte image",
			eh->e_phoff, table, (u64)size);
	return 0;
}

/* Checks PT_LOAD i on its own and against the ones accepted; appends it. */
static int check_load(const struct elf32_phdr *ph, u32 i, size_t size,
		      const struct mb1_load_limits *lim,
		      struct mb1_image_info *out, char *err, size_t errlen)
{
	u64 start = ph->p_paddr, end = start + ph->p_memsz;
	char what[24];
	u32 j;
	int rc;

	if (ph->p_filesz > ph->p_memsz)
		return reject_reason(
			err, errlen,
			"segment %u: p_filesz %#x larger than p_memsz %#x", i,
			ph->p_filesz, ph->p_memsz);
	if (!range_in_file(ph->p_offset, ph->p_filesz, size))
		return reject_reason(
			err, errlen,
			"segment %u: file bytes [%#x, +%#x) run past the end of the %lu-byte image",
			i, ph->p_offset, ph->p_filesz, (u64)size);
	/* gABI: an empty segment occupies no memory; it is left out. */
	if (ph->p_memsz == 0)
		return 0;
	if (end > FOUR_GIB)
		return reject_reason(
			err, errlen,
			"segment %u: physical range %#x + %#x wraps past 4 GiB",
			i, ph->p_paddr, ph->p_memsz);
	snprintf(what, sizeof(what), "segment %u", i);
	rc = check_placement(lim, what, start, end, err, errlen);
	if (rc)
		return rc;
	for (j = 0; j < out->nr_segments; j++) {
		const struct mb1_segment *o = &out->segments[j];

		if (ranges_overlap(start, end, o->paddr, o->paddr + o->memsz))
			return reject_reason(
				err, errlen,
				"segments %u and %u overlap: physical [%#lx, %#lx) and [%#lx, %#lx)",
				o->phdr, i, o->paddr, o->paddr + o->memsz,
				start, end);
	}
	if (out->nr_segments == MB1_MAX_SEGMENTS)
		return reject_reason(
			err, errlen,
			"segment %u: more than %u PT_LOAD segments", i,
			MB1_MAX_SEGMENTS);
	add_segment(out, ph->p_offset, start, ph->p_filesz, ph->p_memsz, i);
	return 0;
}

/* True if addr lies in [base, base + len). */
static bool in(u64 addr, u64 base, u64 len)
{
	return addr >= base && addr - base < len;
}

/*
 * The entry point: file-backed bytes of an executable segment, by its
 * virtual address (translated to the physical one) or else by its
 * physical address. Sets out->entry.
 */
static int check_entry(const u8 *image, const struct elf32_ehdr *eh,
		       struct mb1_image_info *out, char *err, size_t errlen)
{
	u64 entry = eh->e_entry;
	struct elf32_phdr ph;
	u32 i;

	for (i = 0; i < eh->e_phnum; i++) {
		memcpy(&ph, image + eh->e_phoff + (u64)i * sizeof(ph),
		       sizeof(ph));
		if (ph.p_type == PT_LOAD && ph.p_memsz && (ph.p_flags & PF_X) &&
		    in(entry, ph.p_vaddr, ph.p_filesz)) {
			out->entry = ph.p_paddr + (entry - ph.p_vaddr);
			return 0;
		}
	}
	for (i = 0; i < out->nr_segments; i++) {
		const struct mb1_segment *s = &out->segments[i];

		memcpy(&ph, image + eh->e_phoff + (u64)s->phdr * sizeof(ph),
		       sizeof(ph));
		if ((ph.p_flags & PF_X) && in(entry, s->paddr, s->filesz)) {
			out->entry = entry;
			return 0;
		}
	}

	/* Refused: say what the address hit, if anything. */
	for (i = 0; i < out->nr_segments; i++) {
		const struct mb1_segment *s = &out->segments[i];

		memcpy(&ph, image + eh->e_phoff + (u64)s->phdr * sizeof(ph),
		       sizeof(ph));
		if (!in(entry, ph.p_vaddr, ph.p_memsz) &&
		    !in(entry, ph.p_paddr, ph.p_memsz))
			continue;
		if (!(ph.p_flags & PF_X))
			return reject_reason(
				err, errlen,
				"entry point %#lx is in segment %u, which is not executable (flags %s)",
				entry, s->phdr, perms(ph.p_flags));
		return reject_reason(
			err, errlen,
			"entry point %#lx is in the zero-filled tail of segment %u",
			entry, s->phdr);
	}
	return reject_reason(
		err, errlen,
		"entry point %#lx is outside every PT_LOAD segment, by virtual and by physical address",
		entry);
}

static int parse_elf(const u8 *image, size_t size, u32 flags,
		     const struct mb1_load_limits *lim,
		     struct mb1_image_info *out, char *err, size_t errlen)
{
	struct elf32_ehdr eh;
	struct elf32_phdr ph;
	u32 i;
	int rc;

	rc = check_ehdr(image, size, flags, &eh, err, errlen);
	if (rc)
		return rc;
	for (i = 0; i < eh.e_phnum; i++) {
		memcpy(&ph, image + eh.e_phoff + (u64)i * sizeof(ph),
		       sizeof(ph));
		if (ph.p_type != PT_LOAD)
			continue;
		rc = check_load(&ph, i, size, lim, out, err, errlen);
		if (rc)
			return rc;
	}
	if (out->nr_segments == 0)
		return reject_reason(
			err, errlen,
			"no PT_LOAD segment with memory: nothing to load");
	return check_entry(image, &eh, out, err, errlen);
}

/* ---- The whole image ---------------------------------------------------- */

static int parse(const u8 *image, size_t size,
		 const struct mb1_load_limits *lim, struct mb1_image_info *out,
		 char *err, size_t errlen)
{
	struct mb1_header h;
	u64 off = 0;
	int rc;

	rc = check_limits(lim, err, errlen);
	if (rc)
		return rc;
	if (!image)
		size = 0;
	rc = find_header(image, size, &h, &off, err, errlen);
	if (rc)
		return rc;
	out->header_offset = off;
	out->header_flags = h.flags;
	rc = check_flags(h.flags, err, errlen);
	if (rc)
		return rc;
	if (h.flags & MB1_HEADER_VIDEO_MODE) {
		out->video_mode = true;
		out->mode_type = h.mode_type;
		out->width = h.width;
		out->height = h.height;
		out->depth = h.depth;
	}
	if (h.flags & MB1_HEADER_AOUT_KLUDGE) {
		out->aout_kludge = true;
		return parse_aout(&h, off,
				  (h.flags & MB1_HEADER_VIDEO_MODE)
					  ? MB1_HEADER_VIDEO
					  : MB1_HEADER_AOUT,
				  size, lim, out, err, errlen);
	}
	return parse_elf(image, size, h.flags, lim, out, err, errlen);
}

int mb1_image_parse(const u8 *image, size_t size,
		    const struct mb1_load_limits *limits,
		    struct mb1_image_info *out, char *err, size_t errlen)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if (errlen)
		err[0] = '\0';
	rc = parse(image, size, limits, out, err, errlen);
	if (rc)
		memset(out, 0, sizeof(*out));
	return rc;
}
