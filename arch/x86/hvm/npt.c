/*
 * Guest memory by nested paging (AMD64 APM Vol. 2, 15.25): the guest's
 * physical address space mapped onto the domain's memory, built once at
 * domain creation and never changed while the domain lives.
 *
 * The domain's memory (common/guest_memory.c) is a list of blocks of up
 * to 2 MiB; guest-physical page n is page n of that list, so the map is
 * fixed by the list alone. Each 2 MiB of guest-physical space backed by
 * one whole 2 MiB block gets one large-page entry, the rest 4 KiB
 * entries. The guest platform's holes (asm/hvm/platform.h) are left
 * unmapped, as is everything above its RAM, where the I/O APIC's and the
 * local APIC's pages are, so that every access to them exits (a nested
 * page fault) and is emulated or refused; the option-ROM area (all ones)
 * and the BIOS area are mapped read-only. Nothing else is ever mapped: a
 * guest reaches only its own memory.
 *
 * Nested walks are user accesses (APM 15.25.5): every entry has U/S set.
 */
#include <asm/hvm/hvm.h>
#include <asm/hvm/platform.h>
#include <asm/pte.h>
#include <domain.h>
#include <errno.h>
#include <page.h>
#include <page_alloc.h>
#include <string.h>

#define NPT_TABLE_FLAGS (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER)

/* The devices' pages exit because no RAM ever reaches them. */
BUILD_BUG_ON(HVM_MEM_MAX > HVM_IOAPIC_BASE);
BUILD_BUG_ON(HVM_MEM_MAX > HVM_LAPIC_BASE);
#define NPT_LARGE	(2UL << 20)
#define NPT_LARGE_PAGES (NPT_LARGE / PAGE_SIZE)

static unsigned int slot(u64 gpa, unsigned int level)
{
	return (gpa >> (12 + 9 * (level - 1))) & 511;
}

static u64 *table_of(u64 entry)
{
	return maddr_to_virt(entry & PTE_ADDR_MASK);
}

/* What the guest may do at gpa: 0 nothing (a hole), else PTE bits. */
static u64 gpa_access(const struct hvm_domain *hd, u64 gpa)
{
	if (gpa >= hd->mem)
		return 0;
	if (gpa >= HVM_VGA_HOLE_START && gpa < HVM_OPTION_ROM_START)
		return 0;
	if (gpa >= HVM_OPTION_ROM_START && gpa < HVM_BIOS_END)
		return _PAGE_PRESENT | _PAGE_USER; /* no ROMs; firmware data */
	return _PAGE_PRESENT | _PAGE_RW | _PAGE_USER;
}

/*
 * The entry for gpa at level (2: a 2 MiB slot, 1: a 4 KiB one), with
 * the tables above it created; NULL when out of memory.
 */
static u64 *walk_create(struct hvm_domain *hd, u64 gpa, unsigned int level)
{
	u64 *table = maddr_to_virt(hd->npt_root);
	unsigned int l;

	for (l = 4; l > level; l--) {
		u64 *entry = &table[slot(gpa, l)];

		if (!(*entry & _PAGE_PRESENT)) {
			u64 *next = alloc_pages_virt(0);

			if (!next)
				return NULL;
			memset(next, 0, PAGE_SIZE);
			*entry = virt_to_maddr(next) | NPT_TABLE_FLAGS;
			hd->npt_pages++;
		}
		ASSERT(!(*entry & _PAGE_PSE));
		table = table_of(*entry);
	}
	return &table[slot(gpa, level)];
}

/* True if [gpa, gpa + 2 MiB) is all ordinary RAM. */
static bool large_range_plain(const struct hvm_domain *hd, u64 gpa)
{
	return gpa + NPT_LARGE <= hd->mem &&
	       (gpa >= HVM_BIOS_END || gpa + NPT_LARGE <= HVM_VGA_HOLE_START);
}

/* Maps one memory block of d at guest-physical gpa. */
static int map_block(struct hvm_domain *hd, u64 gpa, paddr_t pa,
		     unsigned int order)
{
	u64 pages = 1ULL << order, i;

	if (pages == NPT_LARGE_PAGES && IS_ALIGNED(gpa, NPT_LARGE) &&
	    IS_ALIGNED(pa, NPT_LARGE) && large_range_plain(hd, gpa)) {
		u64 *e = walk_create(hd, gpa, 2);

		if (!e)
			return -ENOMEM;
		*e = pa | _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_PSE;
		return 0;
	}
	for (i = 0; i < pages; i++) {
		u64 g = gpa + i * PAGE_SIZE, access = gpa_access(hd, g);
		u64 *e;

		if (!access)
			continue;
		e = walk_create(hd, g, 1);
		if (!e)
			return -ENOMEM;
		*e = (pa + i * PAGE_SIZE) | access;
	}
	return 0;
}

int npt_build(struct domain *d)
{
	struct hvm_domain *hd = d->hvm;
	u64 *root = alloc_pages_virt(0), gpa = 0;
	unsigned int i;
	int rc;

	if (!root)
		return -ENOMEM;
	memset(root, 0, PAGE_SIZE);
	hd->npt_root = virt_to_maddr(root);
	hd->npt_pages = 1;
	for (i = 0; i < d->mem.nr_chunks; i++) {
		const struct guest_mem_chunk *c = &d->mem.chunks[i];

		rc = map_block(hd, gpa, c->pa, c->order);
		if (rc)
			return rc;
		gpa += PAGE_SIZE << c->order;
	}
	ASSERT(gpa == hd->mem);
	return 0;
}

static void free_table(u64 *table, unsigned int level)
{
	unsigned int i;

	if (level > 1)
		for (i = 0; i < 512; i++)
			if ((table[i] & _PAGE_PRESENT) &&
			    !(table[i] & _PAGE_PSE))
				free_table(table_of(table[i]), level - 1);
	free_pages_virt(table, 0);
}

void npt_destroy(struct domain *d)
{
	struct hvm_domain *hd = d->hvm;

	if (!hd->npt_root)
		return;
	free_table(maddr_to_virt(hd->npt_root), 4);
	hd->npt_root = 0;
	hd->npt_pages = 0;
}

paddr_t npt_translate(struct domain *d, u64 gpa, bool *writable)
{
	struct hvm_domain *hd = d->hvm;
	u64 *table, e = 0;
	unsigned int level;

	if (!hd->npt_root || gpa >= hd->mem)
		return INVALID_PADDR;
	table = maddr_to_virt(hd->npt_root);
	for (level = 4; level >= 1; level--) {
		e = table[slot(gpa, level)];
		if (!(e & _PAGE_PRESENT))
			return INVALID_PADDR;
		if (level == 2 && (e & _PAGE_PSE)) {
			if (writable)
				*writable = e & _PAGE_RW;
			return (e & PTE_ADDR_MASK & ~(NPT_LARGE - 1)) +
			       (gpa & (NPT_LARGE - 1));
		}
		if (level > 1)
			table = table_of(e);
	}
	if (writable)
		*writable = e & _PAGE_RW;
	return (e & PTE_ADDR_MASK) + (gpa & (PAGE_SIZE - 1));
}

/* Copies len bytes between gpa and buf, page by page; 0 or -EFAULT. */
static int copy_gpa(struct domain *d, u64 gpa, void *buf, size_t len,
		    bool to_guest, bool ignore_ro)
{
	u8 *p = buf;

	while (len) {
		size_t n =
			min(len, (size_t)(PAGE_SIZE - (gpa & (PAGE_SIZE - 1))));
		bool writable;
		paddr_t pa = npt_translate(d, gpa, &writable);

		if (pa == INVALID_PADDR ||
		    (to_guest && !writable && !ignore_ro))
			return -EFAULT;
		if (to_guest)
			memcpy(maddr_to_virt(pa), p, n);
		else
			memcpy(p, maddr_to_virt(pa), n);
		gpa += n;
		p += n;
		len -= n;
	}
	return 0;
}

int hvm_copy_from_gpa(struct domain *d, void *dst, u64 gpa, size_t len)
{
	return copy_gpa(d, gpa, dst, len, false, false);
}

int hvm_copy_to_gpa(struct domain *d, u64 gpa, const void *src, size_t len)
{
	return copy_gpa(d, gpa, (void *)src, len, true, false);
}

int hvm_copy_to_gpa_any(struct domain *d, u64 gpa, const void *src, size_t len)
{
	return copy_gpa(d, gpa, (void *)src, len, true, true);
}

int hvm_walk_read_gpa(void *domain, u64 gpa, void *buf, size_t len)
{
	return hvm_copy_from_gpa(domain, buf, gpa, len) ? -EFAULT : 0;
}
