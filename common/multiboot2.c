/*
 * Multiboot2 boot-information parser: turns the loader's tag list into
 * struct boot_info (bootinfo.h). Section numbers refer to the Multiboot2
 * Specification version 2.0.
 *
 * The block is checked completely before anything is taken from it, so a
 * block that breaks the structure yields -EINVAL and no half-filled
 * boot_info; past that check the walk may trust every tag header. Oddities
 * that leave the structure intact (duplicates, unknown types, too many
 * modules or ranges) are warnings, since refusing to boot over them helps
 * nobody.
 */
#include <bootinfo.h>
#include <compiler.h>
#include <errno.h>
#include <multiboot2.h>
#include <printk.h>
#include <string.h>

#define mb2_warn(fmt, ...) pr_warn("multiboot2: " fmt, ##__VA_ARGS__)

/* 3.6.1: the fixed part and the end tag are the least a block can hold. */
#define MB2_MIN_INFO_SIZE (MULTIBOOT2_INFO_FIXED_SIZE + MULTIBOOT2_END_TAG_SIZE)

#define U64_MAX ((u64)~0ULL)

/* 3.6.3: upper memory starts at 1 MiB; both sizes are in KiB. */
#define BASIC_MEMINFO_UPPER_BASE 0x100000ULL
#define KIB			 1024ULL

/* ---- Reading a memory map ---------------------------------------------- */

/*
 * A half-open range [start, end); end never wraps because every decoder
 * clips at 2^64 - 1, which costs at most the top byte of the address space.
 */
struct span {
	u64 start;
	u64 end;
	u32 type; /* enum boot_mem_type */
};

/*
 * A memory map in whatever layout it arrived: count entries, stride bytes
 * apart. decode() returns false for an entry that covers nothing, and
 * prints what it had to fix only if warn is set, so that the sweep, which
 * decodes every entry many times, stays quiet.
 */
struct memmap_source {
	const u8 *first;
	u32 count;
	u32 stride;
	bool (*decode)(const u8 *entry, struct span *s, bool warn);
};

/* The sweep's view of entry i. */
static __init bool source_get(const struct memmap_source *src, u32 i,
			      struct span *s)
{
	return src->decode(src->first + (size_t)i * src->stride, s, false);
}

/* Fills s from start and len, clipping at 2^64 - 1; false if empty. */
static __init bool span_set(struct span *s, u64 start, u64 len, u32 type,
			    bool *clipped)
{
	*clipped = len > U64_MAX - start;
	s->start = start;
	s->end = *clipped ? U64_MAX : start + len;
	s->type = type;
	return s->end > s->start;
}

/* Returns true for the types of enum boot_mem_type. */
static __init bool boot_mem_type_known(u32 type)
{
	return type >= BOOT_MEM_USABLE && type <= BOOT_MEM_BAD;
}

/*
 * Where ranges overlap the higher rank wins: anything is more restrictive
 * than usable, and among the rest the E820 numbering already grows with
 * how careful we must be (reserved < ACPI reclaimable < NVS < bad).
 */
static __init u32 boot_mem_type_rank(u32 type)
{
	return type == BOOT_MEM_USABLE ? 0 : type;
}

static __init bool decode_boot_memrange(const u8 *entry, struct span *s,
					bool warn)
{
	const struct boot_memrange *r = (const void *)entry;
	u32 type = boot_mem_type_known(r->type) ? r->type : BOOT_MEM_RESERVED;
	bool clipped;

	return span_set(s, r->base, r->len, type, &clipped);
}

/* 3.6.8: the types are E820's; everything else means reserved. */
static __init bool decode_mb2_mmap_entry(const u8 *entry, struct span *s,
					 bool warn)
{
	const struct mb2_mmap_entry *e = (const void *)entry;
	u32 type = e->type;
	bool clipped;

	if (e->length == 0)
		return false;
	if (!boot_mem_type_known(type)) {
		if (warn)
			mb2_warn(
				"memory range 0x%lx+0x%lx has unknown type %u, treated as reserved\n",
				e->base_addr, e->length, type);
		type = BOOT_MEM_RESERVED;
	}
	if (!span_set(s, e->base_addr, e->length, type, &clipped))
		return false;
	if (clipped && warn)
		mb2_warn(
			"memory range 0x%lx+0x%lx overflows 2^64, clipped at 0x%lx\n",
			e->base_addr, e->length, U64_MAX);
	return true;
}

/* UEFI 2.10, 7.2.1: what each EFI type is to us after ExitBootServices. */
static __init u32 efi_type_to_boot(u32 efi_type)
{
	switch (efi_type) {
	case EFI_LOADER_CODE:
	case EFI_LOADER_DATA:
	case EFI_BOOT_SERVICES_CODE:
	case EFI_BOOT_SERVICES_DATA:
	case EFI_CONVENTIONAL_MEMORY:
		return BOOT_MEM_USABLE;
	case EFI_ACPI_RECLAIM_MEMORY:
		return BOOT_MEM_ACPI_RECLAIMABLE;
	case EFI_ACPI_MEMORY_NVS:
		return BOOT_MEM_ACPI_NVS;
	case EFI_UNUSABLE_MEMORY:
		return BOOT_MEM_BAD;
	default:
		/* Runtime services, MMIO, PAL code, persistent, unaccepted. */
		return BOOT_MEM_RESERVED;
	}
}

static __init bool decode_efi_descriptor(const u8 *entry, struct span *s,
					 bool warn)
{
	const struct efi_memory_descriptor *d = (const void *)entry;
	u64 pages = d->number_of_pages;
	u64 start = d->physical_start;
	u64 len;
	bool clipped;

	if (pages == 0)
		return false;
	if (d->type >= EFI_MAX_MEMORY_TYPE && warn)
		mb2_warn(
			"EFI memory range 0x%lx (%lu pages) has unknown type 0x%x, treated as reserved\n",
			start, pages, d->type);
	/* A page count too big to shift clips just like an overflowing end. */
	len = pages > (U64_MAX >> EFI_PAGE_SHIFT) ? U64_MAX
						  : pages << EFI_PAGE_SHIFT;
	if (!span_set(s, start, len, efi_type_to_boot(d->type), &clipped))
		return false;
	if (clipped && warn)
		mb2_warn(
			"EFI memory range 0x%lx (%lu pages) overflows 2^64, clipped at 0x%lx\n",
			start, pages, U64_MAX);
	return true;
}

/* ---- Sanitising a memory map ------------------------------------------ */

/* Stores a finished range in out[], or counts it in *dropped if full. */
static __init void store_span(const struct span *s, struct boot_memrange *out,
			      u32 *nr, u32 cap, u32 *dropped)
{
	if (*nr == cap) {
		(*dropped)++;
		return;
	}
	out[*nr].base = s->start;
	out[*nr].len = s->end - s->start;
	out[*nr].type = s->type;
	(*nr)++;
}

/*
 * The sweep's output stage: *pending holds the last range until the next
 * one shows whether they merge, so that a range only counts (stored or
 * dropped) once it has absorbed all its neighbours of the same type.
 */
struct sweep_out {
	struct boot_memrange *out;
	u32 cap;
	u32 nr;
	u32 dropped;
	struct span pending;
	bool have_pending;
};

static __init void sweep_emit(struct sweep_out *o, const struct span *next)
{
	if (o->have_pending && o->pending.end == next->start &&
	    o->pending.type == next->type) {
		o->pending.end = next->end;
		return;
	}
	if (o->have_pending)
		store_span(&o->pending, o->out, &o->nr, o->cap, &o->dropped);
	o->pending = *next;
	o->have_pending = true;
}

static __init void sweep_finish(struct sweep_out *o)
{
	if (o->have_pending)
		store_span(&o->pending, o->out, &o->nr, o->cap, &o->dropped);
	o->have_pending = false;
}

/*
 * Sweeps the address space upwards: at each step, find the lowest covered
 * address at or above cur, the winning type there and the next boundary of
 * any range; emit that piece. Quadratic in the number of entries, which
 * is at most a few hundred, and it needs no copy of the loader's map,
 * however long it is.
 */
static __init u32 memmap_sweep(const struct memmap_source *src,
			       struct boot_memrange *out, u32 cap, u32 *dropped)
{
	struct sweep_out o = {.out = out, .cap = cap};
	struct span piece = {0}, s;
	u64 cur = 0;
	u32 i;

	for (;;) {
		bool covered = false;
		u32 rank = 0;

		/* The lowest covered address at or above cur. */
		for (i = 0; i < src->count; i++) {
			u64 from;

			if (!source_get(src, i, &s) || s.end <= cur)
				continue;
			from = s.start > cur ? s.start : cur;
			if (!covered || from < piece.start)
				piece.start = from;
			covered = true;
		}
		if (!covered)
			break;

		/* The type that wins there, and where the next change is. */
		piece.end = U64_MAX;
		piece.type = BOOT_MEM_USABLE;
		for (i = 0; i < src->count; i++) {
			if (!source_get(src, i, &s))
				continue;
			if (s.start > piece.start) {
				if (s.start < piece.end)
					piece.end = s.start;
			} else if (s.end > piece.start) {
				if (s.end < piece.end)
					piece.end = s.end;
				if (boot_mem_type_rank(s.type) >= rank) {
					rank = boot_mem_type_rank(s.type);
					piece.type = s.type;
				}
			}
		}

		sweep_emit(&o, &piece);
		cur = piece.end;
		/* No range ends above 2^64 - 1 (see struct span). */
		if (cur == U64_MAX)
			break;
	}
	sweep_finish(&o);
	*dropped = o.dropped;
	return o.nr;
}

__init u32 memranges_sanitise(const struct boot_memrange *in, u32 n,
			      struct boot_memrange *out, u32 cap, u32 *dropped)
{
	struct memmap_source src = {
		.first = (const u8 *)in,
		.count = n,
		.stride = sizeof(*in),
		.decode = decode_boot_memrange,
	};

	return memmap_sweep(&src, out, cap, dropped);
}

/* Decodes every entry once with warnings on, then sanitises into bi. */
static __init void memmap_load(struct boot_info *bi,
			       const struct memmap_source *src)
{
	struct span s;
	u32 i, dropped;

	for (i = 0; i < src->count; i++)
		src->decode(src->first + (size_t)i * src->stride, &s, true);

	bi->nr_memranges =
		memmap_sweep(src, bi->mem, BOOT_MAX_MEMRANGES, &dropped);
	if (dropped)
		mb2_warn(
			"memory map has %u more ranges than the %u that fit; the highest %u are ignored\n",
			dropped, BOOT_MAX_MEMRANGES, dropped);
}

/* ---- Checking the structure -------------------------------------------- */

/* Records a one-line reason; err is always terminated if errlen > 0. */
static __init __printf(3, 4) int reject(char *err, size_t errlen,
					const char *fmt, ...)
{
	va_list args;

	if (errlen) {
		va_start(args, fmt);
		vsnprintf(err, errlen, fmt, args);
		va_end(args);
	}
	return -EINVAL;
}

/*
 * The fixed part each tag type we read must hold, beyond which its
 * variable part starts; 0 for types we never look into, whose contents
 * cannot hurt us.
 */
static __init u32 tag_min_size(u32 type)
{
	switch (type) {
	case MULTIBOOT2_TAG_CMDLINE:
	case MULTIBOOT2_TAG_LOADER_NAME:
		return sizeof(struct mb2_tag_string);
	case MULTIBOOT2_TAG_MODULE:
		return sizeof(struct mb2_tag_module);
	case MULTIBOOT2_TAG_BASIC_MEMINFO:
		return sizeof(struct mb2_tag_basic_meminfo);
	case MULTIBOOT2_TAG_MMAP:
		return sizeof(struct mb2_tag_mmap);
	case MULTIBOOT2_TAG_FRAMEBUFFER:
		return sizeof(struct mb2_tag_framebuffer);
	case MULTIBOOT2_TAG_EFI32:
		return sizeof(struct mb2_tag_efi32);
	case MULTIBOOT2_TAG_EFI64:
		return sizeof(struct mb2_tag_efi64);
	case MULTIBOOT2_TAG_ACPI_OLD:
		return sizeof(struct mb2_tag_rsdp) + ACPI_RSDP_V1_SIZE;
	case MULTIBOOT2_TAG_ACPI_NEW:
		return sizeof(struct mb2_tag_rsdp) + ACPI_RSDP_V2_SIZE;
	case MULTIBOOT2_TAG_EFI_MMAP:
		return sizeof(struct mb2_tag_efi_mmap);
	default:
		return 0;
	}
}

/* True if a NUL ends the string at offset off inside the tag. */
static __init bool tag_string_terminated(const struct mb2_tag *tag, u32 off)
{
	const char *s = (const char *)tag + off;
	u32 room = tag->size - off;

	return strnlen(s, room) < room;
}

/* Checks the colour information each framebuffer type carries. */
static __init int check_framebuffer(const struct mb2_tag *tag, u32 off,
				    char *err, size_t errlen)
{
	const struct mb2_tag_framebuffer *fb = (const void *)tag;
	u32 room = tag->size - sizeof(*fb);
	const struct mb2_framebuffer_palette *pal = (const void *)(fb + 1);

	switch (fb->framebuffer_type) {
	case MULTIBOOT2_FRAMEBUFFER_TYPE_INDEXED:
		if (room < sizeof(*pal))
			return reject(
				err, errlen,
				"tag 8 at offset 0x%x: size %u too small for the palette size",
				off, tag->size);
		if ((u64)pal->num_colors * sizeof(struct mb2_color) >
		    room - sizeof(*pal))
			return reject(
				err, errlen,
				"tag 8 at offset 0x%x: %u palette colours overrun the %u-byte tag",
				off, pal->num_colors, tag->size);
		return 0;
	case MULTIBOOT2_FRAMEBUFFER_TYPE_RGB:
		if (room < sizeof(struct mb2_framebuffer_rgb))
			return reject(
				err, errlen,
				"tag 8 at offset 0x%x: size %u too small for the RGB field layout",
				off, tag->size);
		return 0;
	default:
		/* EGA text has no colour information; others are unknown. */
		return 0;
	}
}

/* Checks what a tag of a type we read must satisfy beyond its size. */
static __init int check_tag_body(const struct mb2_tag *tag, u32 off, char *err,
				 size_t errlen)
{
	const struct mb2_tag_mmap *mmap = (const void *)tag;
	const struct mb2_tag_efi_mmap *efi = (const void *)tag;

	switch (tag->type) {
	case MULTIBOOT2_TAG_CMDLINE:
	case MULTIBOOT2_TAG_LOADER_NAME:
		if (!tag_string_terminated(tag, sizeof(struct mb2_tag_string)))
			return reject(
				err, errlen,
				"tag %u at offset 0x%x: string not NUL-terminated within its %u bytes",
				tag->type, off, tag->size);
		return 0;
	case MULTIBOOT2_TAG_MODULE:
		if (!tag_string_terminated(tag, sizeof(struct mb2_tag_module)))
			return reject(
				err, errlen,
				"tag 3 at offset 0x%x: module string not NUL-terminated within its %u bytes",
				off, tag->size);
		return 0;
	case MULTIBOOT2_TAG_MMAP:
		/* 3.6.8: entry_size is a multiple of 8, version 0 for now. */
		if (mmap->entry_size < sizeof(struct mb2_mmap_entry) ||
		    !IS_ALIGNED(mmap->entry_size, MULTIBOOT2_MMAP_ENTRY_ALIGN))
			return reject(
				err, errlen,
				"tag 6 at offset 0x%x: bad memory-map entry_size %u (need a multiple of 8, at least %u)",
				off, mmap->entry_size,
				(u32)sizeof(struct mb2_mmap_entry));
		if (mmap->entry_version != MULTIBOOT2_MMAP_ENTRY_VERSION)
			return reject(
				err, errlen,
				"tag 6 at offset 0x%x: unsupported memory-map entry_version %u (need 0)",
				off, mmap->entry_version);
		return 0;
	case MULTIBOOT2_TAG_EFI_MMAP:
		if (efi->descr_size < sizeof(struct efi_memory_descriptor))
			return reject(
				err, errlen,
				"tag 17 at offset 0x%x: bad EFI descriptor size %u (need at least %u)",
				off, efi->descr_size,
				(u32)sizeof(struct efi_memory_descriptor));
		if (efi->descr_vers != EFI_MEMORY_DESCRIPTOR_VERSION)
			return reject(
				err, errlen,
				"tag 17 at offset 0x%x: unsupported EFI descriptor version %u (need %u)",
				off, efi->descr_vers,
				EFI_MEMORY_DESCRIPTOR_VERSION);
		return 0;
	case MULTIBOOT2_TAG_FRAMEBUFFER:
		return check_framebuffer(tag, off, err, errlen);
	default:
		return 0;
	}
}

/*
 * Walks the block with every read bounds-checked (3.6.1, 3.6.2): returns
 * 0 if each tag lies inside total_size, is big enough for its type and
 * the list ends with an end tag; else -EINVAL and a reason in err.
 */
static __init int mb2_check(const void *info, size_t avail, char *err,
			    size_t errlen)
{
	const u8 *base = info;
	const struct mb2_info *hdr = info;
	size_t off, total;

	if (!info)
		return reject(err, errlen, "no information block");
	if (!IS_ALIGNED((uintptr_t)info, MULTIBOOT2_INFO_ALIGN))
		return reject(
			err, errlen,
			"information block at 0x%lx is not 8-byte aligned",
			(unsigned long)(uintptr_t)info);
	if (avail < MB2_MIN_INFO_SIZE)
		return reject(
			err, errlen,
			"only %lu bytes available, below the %u-byte minimum (fixed part and end tag)",
			(unsigned long)avail, MB2_MIN_INFO_SIZE);
	total = hdr->total_size;
	if (total < MB2_MIN_INFO_SIZE)
		return reject(
			err, errlen,
			"total_size %lu below the %u-byte minimum (fixed part and end tag)",
			(unsigned long)total, MB2_MIN_INFO_SIZE);
	if (total > avail)
		return reject(err, errlen,
			      "total_size %lu exceeds the %lu bytes available",
			      (unsigned long)total, (unsigned long)avail);

	for (off = MULTIBOOT2_INFO_FIXED_SIZE;;) {
		const struct mb2_tag *tag = (const void *)(base + off);
		u32 min;
		int rc;

		/* Padding after the last tag may carry off past total. */
		if (off > total || total - off < MULTIBOOT2_TAG_HEADER_SIZE)
			return reject(
				err, errlen,
				"missing end tag: tags run out at offset 0x%lx of total_size %lu",
				(unsigned long)off, (unsigned long)total);
		if (tag->size < MULTIBOOT2_TAG_HEADER_SIZE)
			return reject(
				err, errlen,
				"tag %u at offset 0x%lx: size %u below the 8-byte tag header",
				tag->type, (unsigned long)off, tag->size);
		if (tag->size > total - off)
			return reject(
				err, errlen,
				"tag %u at offset 0x%lx: size %u overruns total_size %lu",
				tag->type, (unsigned long)off, tag->size,
				(unsigned long)total);
		if (tag->type == MULTIBOOT2_TAG_END) {
			if (tag->size != MULTIBOOT2_END_TAG_SIZE)
				return reject(
					err, errlen,
					"end tag at offset 0x%lx: size %u, not 8",
					(unsigned long)off, tag->size);
			return 0;
		}
		min = tag_min_size(tag->type);
		if (tag->size < min)
			return reject(
				err, errlen,
				"tag %u at offset 0x%lx: size %u below the %u bytes its type needs",
				tag->type, (unsigned long)off, tag->size, min);
		rc = check_tag_body(tag, (u32)off, err, errlen);
		if (rc)
			return rc;
		/* 3.6.2: the next tag starts at the next 8-byte boundary. */
		off += ROUNDUP((size_t)tag->size, MULTIBOOT2_TAG_ALIGN);
	}
}

/* ---- Taking the information out ----------------------------------------- */

/* Valid only on a block mb2_check() accepted: it guarantees an end tag. */
#define for_each_mb2_tag(tag, info)                                        \
	for ((tag) = (const struct mb2_tag *)((const u8 *)(info) +         \
					      MULTIBOOT2_INFO_FIXED_SIZE); \
	     (tag)->type != MULTIBOOT2_TAG_END;                            \
	     (tag) = (const struct mb2_tag *)((const u8 *)(tag) +          \
					      ROUNDUP((size_t)(tag)->size, \
						      MULTIBOOT2_TAG_ALIGN)))

/* Tag types that carry one fact each: more than one is a loader bug. */
static __init bool tag_is_unique(u32 type)
{
	switch (type) {
	case MULTIBOOT2_TAG_CMDLINE:
	case MULTIBOOT2_TAG_LOADER_NAME:
	case MULTIBOOT2_TAG_BASIC_MEMINFO:
	case MULTIBOOT2_TAG_BOOTDEV:
	case MULTIBOOT2_TAG_MMAP:
	case MULTIBOOT2_TAG_VBE:
	case MULTIBOOT2_TAG_FRAMEBUFFER:
	case MULTIBOOT2_TAG_ELF_SECTIONS:
	case MULTIBOOT2_TAG_APM:
	case MULTIBOOT2_TAG_EFI32:
	case MULTIBOOT2_TAG_EFI64:
	case MULTIBOOT2_TAG_SMBIOS:
	case MULTIBOOT2_TAG_ACPI_OLD:
	case MULTIBOOT2_TAG_ACPI_NEW:
	case MULTIBOOT2_TAG_EFI_MMAP:
	case MULTIBOOT2_TAG_EFI_BS_NOT_TERMINATED:
	case MULTIBOOT2_TAG_EFI32_IH:
	case MULTIBOOT2_TAG_EFI64_IH:
	case MULTIBOOT2_TAG_LOAD_BASE_ADDR:
		return true;
	default:
		return false;
	}
}

#define MB2_NR_TAG_TYPES (MULTIBOOT2_TAG_LOAD_BASE_ADDR + 1)

/* The first tag of each unique type, found in one walk. */
struct mb2_tags {
	const struct mb2_tag *first[MB2_NR_TAG_TYPES];
};

static __init void module_add(struct boot_info *bi,
			      const struct mb2_tag_module *mod, u32 index,
			      u32 *ignored)
{
	struct boot_module *m;

	if (mod->mod_start >= mod->mod_end) {
		mb2_warn(
			"module %u (\"%s\") has start 0x%x not below end 0x%x, skipped\n",
			index, mod->string, mod->mod_start, mod->mod_end);
		return;
	}
	if (bi->nr_modules == BOOT_MAX_MODULES) {
		(*ignored)++;
		return;
	}
	m = &bi->modules[bi->nr_modules++];
	m->start = mod->mod_start;
	m->end = mod->mod_end;
	m->cmdline = mod->string;
}

/* 3.6.12: width * bpp bits must fit the pitch and the whole in 2^64. */
static __init bool framebuffer_geometry_ok(const struct mb2_tag_framebuffer *fb)
{
	u64 line_bits = (u64)fb->framebuffer_width * fb->framebuffer_bpp;
	u64 bytes = (u64)fb->framebuffer_pitch * fb->framebuffer_height;

	if (!fb->framebuffer_width || !fb->framebuffer_height ||
	    !fb->framebuffer_bpp)
		return false;
	if (line_bits > (u64)fb->framebuffer_pitch * 8)
		return false;
	return bytes <= U64_MAX - fb->framebuffer_addr;
}

/*
 * True if a colour field of size bits (1 to 32) at pos lies inside a
 * bpp-bit pixel.
 */
static __init bool rgb_field_ok(u8 pos, u8 size, u8 bpp)
{
	return size > 0 && size <= 32 && (u32)pos + size <= bpp;
}

/* The bits of a colour field, as a mask of the pixel value. */
static __init u64 rgb_field_mask(u8 pos, u8 size)
{
	return ((1ULL << size) - 1) << pos;
}

/*
 * 3.6.12: copies the RGB field layout into out; false, with a warning
 * naming the fields, if a field is empty, leaves the pixel or overlaps
 * another (drawing with it would write outside the colour bits).
 */
static __init bool rgb_layout_load(struct boot_framebuffer *out,
				   const struct mb2_tag_framebuffer *fb)
{
	const struct mb2_framebuffer_rgb *rgb = (const void *)(fb + 1);
	u8 bpp = fb->framebuffer_bpp;
	u64 r, g, b;

	if (!rgb_field_ok(rgb->red_field_position, rgb->red_mask_size, bpp) ||
	    !rgb_field_ok(rgb->green_field_position, rgb->green_mask_size,
			  bpp) ||
	    !rgb_field_ok(rgb->blue_field_position, rgb->blue_mask_size, bpp))
		goto bad;
	r = rgb_field_mask(rgb->red_field_position, rgb->red_mask_size);
	g = rgb_field_mask(rgb->green_field_position, rgb->green_mask_size);
	b = rgb_field_mask(rgb->blue_field_position, rgb->blue_mask_size);
	if ((r & g) || (r & b) || (g & b))
		goto bad;
	out->red_pos = rgb->red_field_position;
	out->red_size = rgb->red_mask_size;
	out->green_pos = rgb->green_field_position;
	out->green_size = rgb->green_mask_size;
	out->blue_pos = rgb->blue_field_position;
	out->blue_size = rgb->blue_mask_size;
	return true;
bad:
	mb2_warn(
		"framebuffer at 0x%lx, %u bpp, with an impossible RGB layout (red %u+%u, green %u+%u, blue %u+%u bits) ignored\n",
		fb->framebuffer_addr, bpp, rgb->red_field_position,
		rgb->red_mask_size, rgb->green_field_position,
		rgb->green_mask_size, rgb->blue_field_position,
		rgb->blue_mask_size);
	return false;
}

static __init void framebuffer_load(struct boot_info *bi,
				    const struct mb2_tag_framebuffer *fb)
{
	enum boot_fb_type type;

	switch (fb->framebuffer_type) {
	case MULTIBOOT2_FRAMEBUFFER_TYPE_INDEXED:
		type = BOOT_FB_INDEXED;
		break;
	case MULTIBOOT2_FRAMEBUFFER_TYPE_RGB:
		type = BOOT_FB_RGB;
		break;
	case MULTIBOOT2_FRAMEBUFFER_TYPE_EGA_TEXT:
		type = BOOT_FB_EGA_TEXT;
		break;
	default:
		mb2_warn("framebuffer of unknown type %u ignored\n",
			 fb->framebuffer_type);
		return;
	}
	if (!framebuffer_geometry_ok(fb) ||
	    (type == BOOT_FB_EGA_TEXT &&
	     fb->framebuffer_bpp != MULTIBOOT2_FRAMEBUFFER_EGA_TEXT_BPP)) {
		mb2_warn(
			"framebuffer at 0x%lx with inconsistent geometry %ux%u, %u bpp, pitch %u ignored\n",
			fb->framebuffer_addr, fb->framebuffer_width,
			fb->framebuffer_height, fb->framebuffer_bpp,
			fb->framebuffer_pitch);
		return;
	}
	if (type == BOOT_FB_RGB && !rgb_layout_load(&bi->fb, fb))
		return;
	bi->fb.type = type;
	bi->fb.addr = fb->framebuffer_addr;
	bi->fb.pitch = fb->framebuffer_pitch;
	bi->fb.width = fb->framebuffer_width;
	bi->fb.height = fb->framebuffer_height;
	bi->fb.bpp = fb->framebuffer_bpp;
}

/* 3.6.16 and 3.6.17: the new RSDP tag wins whatever the order. */
static __init void rsdp_load(struct boot_info *bi, const struct mb2_tags *t)
{
	const struct mb2_tag *tag = t->first[MULTIBOOT2_TAG_ACPI_NEW];
	u8 revision = 2;

	if (!tag) {
		tag = t->first[MULTIBOOT2_TAG_ACPI_OLD];
		revision = 0;
	}
	if (!tag)
		return;
	bi->rsdp = ((const struct mb2_tag_rsdp *)tag)->rsdp;
	bi->rsdp_len = tag->size - sizeof(struct mb2_tag_rsdp);
	bi->rsdp_revision = revision;
}

/* Prefers the E820-style map, then EFI's, then the two basic sizes. */
static __init void memory_load(struct boot_info *bi, const struct mb2_tags *t)
{
	const struct mb2_tag_mmap *mmap =
		(const void *)t->first[MULTIBOOT2_TAG_MMAP];
	const struct mb2_tag_efi_mmap *efi =
		(const void *)t->first[MULTIBOOT2_TAG_EFI_MMAP];
	const struct mb2_tag_basic_meminfo *basic =
		(const void *)t->first[MULTIBOOT2_TAG_BASIC_MEMINFO];
	struct boot_memrange ranges[2];
	struct memmap_source src;
	u32 dropped;

	if (mmap) {
		src.first = (const u8 *)(mmap + 1);
		src.stride = mmap->entry_size;
		src.count = (mmap->size - sizeof(*mmap)) / mmap->entry_size;
		src.decode = decode_mb2_mmap_entry;
		memmap_load(bi, &src);
		return;
	}
	if (efi) {
		src.first = (const u8 *)(efi + 1);
		src.stride = efi->descr_size;
		src.count = (efi->size - sizeof(*efi)) / efi->descr_size;
		src.decode = decode_efi_descriptor;
		memmap_load(bi, &src);
		bi->mem_from_efi = true;
		return;
	}
	if (!basic) {
		mb2_warn("no memory map and no basic memory information\n");
		return;
	}
	mb2_warn(
		"no memory map; guessing from basic memory information (%u KiB low, %u KiB high)\n",
		basic->mem_lower, basic->mem_upper);
	ranges[0].base = 0;
	ranges[0].len = basic->mem_lower * KIB;
	ranges[0].type = BOOT_MEM_USABLE;
	ranges[1].base = BASIC_MEMINFO_UPPER_BASE;
	ranges[1].len = basic->mem_upper * KIB;
	ranges[1].type = BOOT_MEM_USABLE;
	bi->nr_memranges =
		memranges_sanitise(ranges, ARRAY_SIZE(ranges), bi->mem,
				   BOOT_MAX_MEMRANGES, &dropped);
}

__init int mb2_parse(const void *info, size_t avail, struct boot_info *bi,
		     char *err, size_t errlen)
{
	const struct mb2_tag *tag;
	struct mb2_tags tags = {{NULL}};
	u32 nr_module_tags = 0, modules_ignored = 0;
	int rc;

	memset(bi, 0, sizeof(*bi));
	bi->cmdline = "";
	bi->loader_name = "";
	if (errlen)
		err[0] = '\0';

	rc = mb2_check(info, avail, err, errlen);
	if (rc)
		return rc;
	bi->info_size = ((const struct mb2_info *)info)->total_size;

	for_each_mb2_tag (tag, info) {
		u32 off = (u32)((const u8 *)tag - (const u8 *)info);

		if (tag->type == MULTIBOOT2_TAG_MODULE) {
			module_add(bi, (const void *)tag, nr_module_tags++,
				   &modules_ignored);
			continue;
		}
		if (!tag_is_unique(tag->type)) {
			if (tag->type >= MB2_NR_TAG_TYPES)
				pr_debug(
					"multiboot2: tag %u at offset 0x%x of unknown type ignored\n",
					tag->type, off);
			continue;
		}
		if (tags.first[tag->type]) {
			mb2_warn(
				"duplicate tag %u at offset 0x%x ignored; the first one wins\n",
				tag->type, off);
			continue;
		}
		tags.first[tag->type] = tag;
	}

	if (modules_ignored)
		mb2_warn("%u modules beyond the first %u ignored\n",
			 modules_ignored, BOOT_MAX_MODULES);

	tag = tags.first[MULTIBOOT2_TAG_CMDLINE];
	if (tag)
		bi->cmdline = ((const struct mb2_tag_string *)tag)->string;
	tag = tags.first[MULTIBOOT2_TAG_LOADER_NAME];
	if (tag)
		bi->loader_name = ((const struct mb2_tag_string *)tag)->string;

	memory_load(bi, &tags);
	rsdp_load(bi, &tags);

	tag = tags.first[MULTIBOOT2_TAG_FRAMEBUFFER];
	if (tag)
		framebuffer_load(bi, (const void *)tag);

	tag = tags.first[MULTIBOOT2_TAG_EFI64];
	if (tag) {
		bi->efi_boot = true;
		bi->efi_system_table_64bit = true;
		bi->efi_system_table =
			((const struct mb2_tag_efi64 *)tag)->pointer;
	} else if ((tag = tags.first[MULTIBOOT2_TAG_EFI32]) != NULL) {
		/* A 32-bit firmware: its table has 4-byte pointers. */
		bi->efi_boot = true;
		bi->efi_system_table =
			((const struct mb2_tag_efi32 *)tag)->pointer;
	}
	if (tags.first[MULTIBOOT2_TAG_EFI_BS_NOT_TERMINATED])
		mb2_warn(
			"EFI boot services were not terminated; Kairos expects the loader to exit them\n");
	return 0;
}

u64 boot_usable_bytes(const struct boot_info *bi)
{
	u64 total = 0;
	u32 i;

	for (i = 0; i < bi->nr_memranges && i < BOOT_MAX_MEMRANGES; i++)
		if (bi->mem[i].type == BOOT_MEM_USABLE)
			total += bi->mem[i].len;
	return total;
}
