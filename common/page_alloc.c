/*
 * Physical memory: boot memory as a sorted array of free ranges, then a
 * buddy allocator built from whatever boot memory has left.
 *
 * The buddy allocator keeps all of its state in a frame table (one
 * struct page_info per page frame between the lowest and highest free
 * page), never in the free pages themselves: free memory is not written,
 * so a stray write into it cannot corrupt the allocator, and the allocator
 * cannot hide a use-after-free by scribbling on it.
 *
 * The frame table is set up lazily, a section at a time (like Linux's
 * deferred struct page init): page_alloc_init() does no work in proportion
 * to memory size, an allocation that finds the free lists empty sets up the
 * next section itself, and the boot CPU's idle loop sets up the rest in the
 * background. What is not set up yet is free and counted as free.
 */
#include <compiler.h>
#include <page_alloc.h>
#include <panic.h>
#include <spinlock.h>
#include <string.h>

/* ------------------------------------------------------------------------
 * Boot memory
 */

/*
 * A sanitised firmware map has a few dozen usable ranges and every
 * reservation splits at most one range, so running out of entries means
 * the map itself is broken.
 */
#define BOOTMEM_MAX_RANGES 512

struct bootmem_range {
	paddr_t start; /* first byte, page-aligned */
	paddr_t end;   /* byte after the last, page-aligned, > start */
};

/*
 * Sorted by address, disjoint and never adjacent: touching ranges merge.
 * Not __initdata: once closed, the ranges say what the deferred sections
 * of the frame table hold, and nothing changes them any more.
 */
static struct bootmem_range bootmem[BOOTMEM_MAX_RANGES];
static unsigned int bootmem_nr;

/* Set by page_alloc_init(): boot memory now belongs to the buddy allocator. */
static bool bootmem_closed;

static void __init bootmem_insert(unsigned int idx, paddr_t start, paddr_t end)
{
	if (bootmem_nr == BOOTMEM_MAX_RANGES)
		panic("bootmem: more than %u free ranges; the memory map is not sane",
		      BOOTMEM_MAX_RANGES);
	memmove(&bootmem[idx + 1], &bootmem[idx],
		(bootmem_nr - idx) * sizeof(bootmem[0]));
	bootmem[idx].start = start;
	bootmem[idx].end = end;
	bootmem_nr++;
}

static void __init bootmem_remove(unsigned int idx, unsigned int count)
{
	memmove(&bootmem[idx], &bootmem[idx + count],
		(bootmem_nr - idx - count) * sizeof(bootmem[0]));
	bootmem_nr -= count;
}

void __init bootmem_add_free(paddr_t start, paddr_t end)
{
	paddr_t last = ROUNDDOWN(end, PAGE_SIZE);
	unsigned int first, past;

	ASSERT(!bootmem_closed);
	/* Checked before rounding start up, which could wrap past zero. */
	if (start >= last)
		return;
	start = ROUNDUP(start, PAGE_SIZE);
	end = last;
	if (start >= end)
		return;

	/* [first, past) are the ranges that overlap or touch [start, end). */
	for (first = 0; first < bootmem_nr; first++)
		if (bootmem[first].end >= start)
			break;
	for (past = first; past < bootmem_nr; past++)
		if (bootmem[past].start > end)
			break;

	if (first == past) {
		bootmem_insert(first, start, end);
		return;
	}
	bootmem[first].start = min(start, bootmem[first].start);
	bootmem[first].end = max(end, bootmem[past - 1].end);
	bootmem_remove(first + 1, past - first - 1);
}

void __init bootmem_reserve(paddr_t start, paddr_t end)
{
	unsigned int i;

	ASSERT(!bootmem_closed);
	if (start >= end)
		return;
	start = ROUNDDOWN(start, PAGE_SIZE);
	/*
	 * Rounding up inside the last page of the address space would wrap;
	 * no free range can hold that page (its end would be 2^64), so
	 * stopping short of it reserves the same memory.
	 */
	end = end > PAGE_MASK ? PAGE_MASK : ROUNDUP(end, PAGE_SIZE);

	for (i = 0; i < bootmem_nr;) {
		struct bootmem_range *r = &bootmem[i];

		if (r->end <= start || r->start >= end) {
			i++;
		} else if (r->start < start && r->end > end) {
			/* Strictly inside one range: nothing else overlaps. */
			bootmem_insert(i + 1, end, r->end);
			bootmem[i].end = start;
			return;
		} else if (r->start < start) {
			r->end = start;
			i++;
		} else if (r->end > end) {
			r->start = end;
			i++;
		} else {
			bootmem_remove(i, 1);
		}
	}
}

/*
 * Takes the highest fitting address below limit: low memory is what
 * callers with a limit need (the AP trampoline below 1 MiB, devices that
 * only reach 4 GiB), so allocations without one should leave it alone.
 */
paddr_t __init bootmem_alloc(u64 size, u64 align, paddr_t limit)
{
	unsigned int i;

	ASSERT(!bootmem_closed);
	ASSERT(size != 0);
	ASSERT(align >= PAGE_SIZE && (align & (align - 1)) == 0);
	if (size > PAGE_MASK)
		return INVALID_PADDR;
	size = ROUNDUP(size, PAGE_SIZE);

	for (i = bootmem_nr; i-- > 0;) {
		const struct bootmem_range *r = &bootmem[i];
		paddr_t top = min(r->end, limit);
		paddr_t base;

		if (top <= r->start || top - r->start < size)
			continue;
		base = ROUNDDOWN(top - size, align);
		if (base < r->start)
			continue;
		bootmem_reserve(base, base + size);
		return base;
	}
	return INVALID_PADDR;
}

u64 __init bootmem_free_bytes(void)
{
	u64 bytes = 0;
	unsigned int i;

	for (i = 0; i < bootmem_nr; i++)
		bytes += bootmem[i].end - bootmem[i].start;
	return bytes;
}

/* ------------------------------------------------------------------------
 * Frame table
 */

/*
 * Only the first page of a block has a state other than PG_NONE; every
 * other page (inside a block, in a hole, reserved, or the frame table
 * itself) is PG_NONE. free_pages() relies on this to reject a pointer into
 * the middle of a block, and merging relies on it to never absorb a block
 * that is not whole and free.
 */
enum page_state {
	PG_NONE = 0,  /* not the head of a block; a zeroed table is all NONE */
	PG_FREE,      /* head of a free block, on free_list[order] */
	PG_ALLOCATED, /* head of a block alloc_pages(order) returned */
};

struct page_info {
	struct page_info *next; /* free_list[order] neighbours (PG_FREE only) */
	struct page_info *prev;
	u8 state; /* enum page_state */
	u8 order; /* block order, for PG_FREE and PG_ALLOCATED */
};

BUILD_BUG_ON(MAX_ORDER > 63);

/*
 * A section: 2^MAX_ORDER frames aligned to their size, the unit of lazy
 * set-up. A block never straddles two sections, and neither does a block
 * and its buddy, so merging never looks at a section not set up yet.
 */
#define SECTION_PAGES (1UL << MAX_ORDER)

static DEFINE_SPINLOCK(page_alloc_lock);

static struct page_info *frame_table; /* covers [min_pfn, max_pfn) */
static u64 min_pfn, max_pfn;

/* Heads of doubly linked lists of free blocks, one list per order. */
static struct page_info *free_list[MAX_ORDER + 1];

static u64 total_pages;	  /* handed to the allocator at init */
static u64 nr_free_pages; /* free now, set up or not */

/*
 * Sections [0, ready_sections) of [first_section_pfn, max_pfn) are set up:
 * their frame-table entries written, their free pages on the free lists.
 * The others' entries are garbage and their pages, deferred_pages of them,
 * on no list. Written under page_alloc_lock; read without it only as a hint.
 */
static u64 first_section_pfn;
static u64 nr_sections, ready_sections;
static u64 deferred_pages;
/* The first boot memory range that may reach the next section to set up. */
static unsigned int next_seed_range;

static inline struct page_info *pfn_to_page(u64 pfn)
{
	return &frame_table[pfn - min_pfn];
}

static inline u64 page_to_pfn(const struct page_info *pg)
{
	return min_pfn + (u64)(pg - frame_table);
}

static const char *page_state_name(u8 state)
{
	switch (state) {
	case PG_FREE:
		return "free block";
	case PG_ALLOCATED:
		return "allocated block";
	default:
		return "not a block head";
	}
}

static inline bool pfn_in_table(u64 pfn)
{
	return pfn >= min_pfn && pfn < max_pfn;
}

/* True if pfn's frame-table entry has been set up (and so may be read). */
static inline bool pfn_ready(u64 pfn)
{
	return pfn_in_table(pfn) &&
	       (pfn - first_section_pfn) / SECTION_PAGES < ready_sections;
}

static void free_list_add(struct page_info *pg, unsigned int order)
{
	pg->state = PG_FREE;
	pg->order = order;
	pg->prev = NULL;
	pg->next = free_list[order];
	if (pg->next)
		pg->next->prev = pg;
	free_list[order] = pg;
}

static void free_list_del(struct page_info *pg, unsigned int order)
{
	ASSERT(pg->state == PG_FREE && pg->order == order);
	if (pg->prev)
		pg->prev->next = pg->next;
	else
		free_list[order] = pg->next;
	if (pg->next)
		pg->next->prev = pg->prev;
	pg->state = PG_NONE;
}

/* Cuts [pfn, end) into the largest blocks aligned to their own size. */
static void seed_free_range(u64 pfn, u64 end)
{
	while (pfn < end) {
		unsigned int order = MAX_ORDER;

		while (order > 0 && (!IS_ALIGNED(pfn, 1UL << order) ||
				     end - pfn < (1UL << order)))
			order--;
		free_list_add(pfn_to_page(pfn), order);
		pfn += 1UL << order;
	}
}

/*
 * Sets up the next section: zeroes its frame-table entries (all PG_NONE)
 * and puts its free memory on the free lists. Returns false if every
 * section is set up already. page_alloc_lock held.
 */
static bool set_up_next_section(void)
{
	u64 lo, hi, seeded = 0;
	unsigned int i;

	if (ready_sections == nr_sections)
		return false;
	lo = first_section_pfn + ready_sections * SECTION_PAGES;
	hi = min(lo + SECTION_PAGES, max_pfn);
	lo = max(lo, min_pfn);
	memset(pfn_to_page(lo), 0, (hi - lo) * sizeof(struct page_info));

	/* Ranges are sorted and sections taken in order: resume the scan. */
	for (i = next_seed_range; i < bootmem_nr; i++) {
		u64 start = max(PFN_DOWN(bootmem[i].start), lo);
		u64 end = min(PFN_DOWN(bootmem[i].end), hi);

		if (PFN_DOWN(bootmem[i].start) >= hi)
			break;
		if (start < end) {
			seed_free_range(start, end);
			seeded += end - start;
		}
		if (PFN_DOWN(bootmem[i].end) <= hi)
			next_seed_range = i + 1;
	}
	ASSERT(seeded <= deferred_pages);
	deferred_pages -= seeded;
	ready_sections++;
	/* The last section set up leaves nothing deferred behind. */
	ASSERT(ready_sections < nr_sections || deferred_pages == 0);
	return true;
}

void __init page_alloc_init(void)
{
	u64 table_bytes;
	paddr_t table;
	unsigned int i;

	ASSERT(!bootmem_closed);
	if (bootmem_nr == 0)
		panic("page_alloc_init: boot memory holds no free page");

	min_pfn = PFN_DOWN(bootmem[0].start);
	max_pfn = PFN_DOWN(bootmem[bootmem_nr - 1].end);
	table_bytes = (max_pfn - min_pfn) * sizeof(struct page_info);
	/* No limit: the direct map must already cover all of RAM. */
	table = bootmem_alloc(table_bytes, PAGE_SIZE, INVALID_PADDR);
	if (table == INVALID_PADDR)
		panic("page_alloc_init: no room for a %lu-byte frame table for pfns %#lx-%#lx",
		      (unsigned long)table_bytes, (unsigned long)min_pfn,
		      (unsigned long)max_pfn);
	/* Not zeroed here: each section's entries are, when it is set up. */
	frame_table = maddr_to_virt(table);

	for (i = 0; i < bootmem_nr; i++)
		total_pages +=
			PFN_DOWN(bootmem[i].end) - PFN_DOWN(bootmem[i].start);
	nr_free_pages = deferred_pages = total_pages;
	first_section_pfn = ROUNDDOWN(min_pfn, SECTION_PAGES);
	nr_sections = (max_pfn - first_section_pfn + SECTION_PAGES - 1) /
		      SECTION_PAGES;
	ready_sections = 0;
	next_seed_range = 0;
	bootmem_closed = true;
}

bool page_alloc_deferred_pending(void)
{
	return READ_ONCE(ready_sections) < READ_ONCE(nr_sections);
}

bool page_alloc_deferred_step(void)
{
	unsigned long flags = spin_lock_irqsave(&page_alloc_lock);
	bool more;

	set_up_next_section();
	more = ready_sections < nr_sections;
	spin_unlock_irqrestore(&page_alloc_lock, flags);
	return more;
}

/* ------------------------------------------------------------------------
 * Buddy allocator
 */

paddr_t alloc_pages(unsigned int order)
{
	struct page_info *pg;
	unsigned long flags;
	unsigned int o;

	if (order > MAX_ORDER)
		return INVALID_PADDR;

	flags = spin_lock_irqsave(&page_alloc_lock);
	/* Nothing fits: set up more sections until one holds a fit, or none is left. */
	for (;;) {
		for (o = order; o <= MAX_ORDER && !free_list[o]; o++)
			;
		if (o <= MAX_ORDER)
			break;
		if (!set_up_next_section()) {
			spin_unlock_irqrestore(&page_alloc_lock, flags);
			return INVALID_PADDR;
		}
	}
	pg = free_list[o];
	free_list_del(pg, o);
	/* Keep the lower half, free the upper, until the block fits. */
	while (o > order) {
		o--;
		free_list_add(pg + (1UL << o), o);
	}
	pg->state = PG_ALLOCATED;
	pg->order = order;
	nr_free_pages -= 1UL << order;
	spin_unlock_irqrestore(&page_alloc_lock, flags);

	return (paddr_t)page_to_pfn(pg) << PAGE_SHIFT;
}

void free_pages(paddr_t pa, unsigned int order)
{
	u64 pfn = PFN_DOWN(pa);
	struct page_info *pg;
	unsigned long flags;

	flags = spin_lock_irqsave(&page_alloc_lock);
	if (order > MAX_ORDER || !IS_ALIGNED(pa, PAGE_SIZE << order) ||
	    !pfn_ready(pfn))
		panic("free_pages(%#lx, %u): not a block of the page allocator",
		      (unsigned long)pa, order);
	pg = pfn_to_page(pfn);
	if (pg->state != PG_ALLOCATED || pg->order != order)
		panic("free_pages(%#lx, %u): not allocated with that order (%s, order %u)",
		      (unsigned long)pa, order, page_state_name(pg->state),
		      pg->order);

	pg->state = PG_NONE;
	nr_free_pages += 1UL << order;
	/* Merge with the buddy while it is a whole free block of our size. */
	while (order < MAX_ORDER) {
		u64 buddy_pfn = pfn ^ (1UL << order);
		struct page_info *buddy;

		/* In pfn's own section, so set up if it is in the table. */
		if (!pfn_in_table(buddy_pfn))
			break;
		buddy = pfn_to_page(buddy_pfn);
		if (buddy->state != PG_FREE || buddy->order != order)
			break;
		free_list_del(buddy, order);
		pfn &= ~(1UL << order);
		order++;
	}
	free_list_add(pfn_to_page(pfn), order);
	spin_unlock_irqrestore(&page_alloc_lock, flags);
}

void *alloc_pages_virt(unsigned int order)
{
	paddr_t pa = alloc_pages(order);

	return pa == INVALID_PADDR ? NULL : maddr_to_virt(pa);
}

void free_pages_virt(void *va, unsigned int order)
{
	free_pages(virt_to_maddr(va), order);
}

void page_alloc_get_stats(struct page_alloc_stats *stats)
{
	unsigned long flags = spin_lock_irqsave(&page_alloc_lock);

	stats->total_pages = total_pages;
	stats->free_pages = nr_free_pages;
	stats->deferred_pages = deferred_pages;
	stats->sections = nr_sections;
	stats->ready_sections = ready_sections;
	spin_unlock_irqrestore(&page_alloc_lock, flags);
}

/* ------------------------------------------------------------------------
 * Host unit tests only: the allocator is global, each test starts over.
 */
#ifdef HOST_TEST
void page_alloc_reset_for_test(void);
unsigned int bootmem_ranges_for_test(paddr_t *starts, paddr_t *ends,
				     unsigned int max);

void page_alloc_reset_for_test(void)
{
	bootmem_nr = 0;
	bootmem_closed = false;
	frame_table = NULL;
	min_pfn = 0;
	max_pfn = 0;
	memset(free_list, 0, sizeof(free_list));
	total_pages = 0;
	nr_free_pages = 0;
	first_section_pfn = 0;
	nr_sections = ready_sections = 0;
	deferred_pages = 0;
	next_seed_range = 0;
	spin_lock_init(&page_alloc_lock);
}

/* Copies up to max free ranges out; returns how many there are. */
unsigned int bootmem_ranges_for_test(paddr_t *starts, paddr_t *ends,
				     unsigned int max)
{
	unsigned int i;

	for (i = 0; i < bootmem_nr && i < max; i++) {
		starts[i] = bootmem[i].start;
		ends[i] = bootmem[i].end;
	}
	return bootmem_nr;
}
#endif
