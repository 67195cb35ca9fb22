/*
 * The page allocator, the heap and the page tables, in the running kernel.
 */
#include <asm/mm.h>
#include <ktest.h>
#include <page_alloc.h>
#include <string.h>
#include <xmalloc.h>

extern char __text_start[], __rodata_start[], __data_start[];
extern u8 bsp_stack_guard[];

static void pages_are_usable(struct ktest *t)
{
	struct page_alloc_stats before, after;
	u8 *p;

	page_alloc_get_stats(&before);
	p = alloc_pages_virt(2);
	KT_ASSERT_TRUE(t, p != NULL);
	KT_EXPECT_TRUE(t, IS_ALIGNED(virt_to_maddr(p), 4 * PAGE_SIZE));
	memset(p, 0x5a, 4 * PAGE_SIZE);
	KT_EXPECT_EQ(t, p[4 * PAGE_SIZE - 1], 0x5a);
	page_alloc_get_stats(&after);
	KT_EXPECT_EQ(t, after.free_pages, before.free_pages - 4);
	free_pages_virt(p, 2);
	page_alloc_get_stats(&after);
	KT_EXPECT_EQ(t, after.free_pages, before.free_pages);
}

static void heap_allocates_and_frees(struct ktest *t)
{
	struct xmalloc_stats before, after;
	void *small = xmalloc_bytes(24), *large = xzalloc_bytes(3 * PAGE_SIZE);

	xmalloc_get_stats(&before);
	KT_ASSERT_TRUE(t, small && large);
	KT_EXPECT_TRUE(t, IS_ALIGNED((unsigned long)small, 16));
	KT_EXPECT_EQ(t, ((u8 *)large)[3 * PAGE_SIZE - 1], 0);
	xfree(small);
	xfree(large);
	xmalloc_get_stats(&after);
	KT_EXPECT_EQ(t, after.frees, before.frees + 2);
}

static void heap_fault_injection(struct ktest *t)
{
	void *a, *b, *c;

	xmalloc_fail_inject(1, 1);
	a = xmalloc_bytes(64);
	b = xmalloc_bytes(64);
	c = xmalloc_bytes(64);
	xmalloc_fail_inject(0, 0);
	KT_EXPECT_TRUE(t, a != NULL);
	KT_EXPECT_TRUE(t, b == NULL);
	KT_EXPECT_TRUE(t, c != NULL);
	xfree(a);
	xfree(c);
}

static void image_permissions(struct ktest *t)
{
	struct mapping_info text = mm_lookup((unsigned long)__text_start);
	struct mapping_info ro = mm_lookup((unsigned long)__rodata_start);
	struct mapping_info data = mm_lookup((unsigned long)__data_start);

	KT_EXPECT_TRUE(t, text.present && text.executable && !text.writable);
	KT_EXPECT_TRUE(t, ro.present && !ro.executable && !ro.writable);
	KT_EXPECT_TRUE(t, data.present && !data.executable && data.writable);
	KT_EXPECT_EQ(t, text.pa,
		     (unsigned long)__text_start - KERNEL_VIRT_BASE);
}

static void guard_and_null_unmapped(struct ktest *t)
{
	KT_EXPECT_TRUE(t, !mm_lookup((unsigned long)bsp_stack_guard).present);
	KT_EXPECT_TRUE(t, !mm_lookup(0).present);
	KT_EXPECT_TRUE(t, !mm_lookup(0x200000).present); /* old identity map */
}

static void direct_map_covers_ram(struct ktest *t)
{
	void *p = alloc_pages_virt(0);
	struct mapping_info m;

	KT_ASSERT_TRUE(t, p != NULL);
	m = mm_lookup((unsigned long)p);
	KT_EXPECT_TRUE(t, m.present && m.writable && !m.executable);
	KT_EXPECT_EQ(t, m.pa, virt_to_maddr(p));
	free_pages_virt(p, 0);
}

static void ioremap_is_uncached_and_reachable(struct ktest *t)
{
	/* The LAPIC's page: MMIO that every x86-64 machine has. */
	volatile u32 *lapic = ioremap(0xfee00000, PAGE_SIZE);
	struct mapping_info m;

	KT_ASSERT_TRUE(t, lapic != NULL);
	m = mm_lookup((unsigned long)lapic);
	KT_EXPECT_TRUE(t, m.present && !m.executable);
	KT_EXPECT_EQ(t, m.pa, 0xfee00000);
	KT_EXPECT_TRUE(t, ioremap(0, 0) == NULL);
}

/*
 * The frame table's lazy set-up (common/page_alloc.c). The tests run on the
 * boot CPU before its idle loop, so the background set-up has not run yet
 * and the sections the boot did not need are still deferred.
 */
#define BLOCK_PAGES   (1UL << MAX_ORDER)
#define BLOCKS_KEPT   32
#define BLOCK_PATTERN 0x6b

static bool stats_consistent(const struct page_alloc_stats *s)
{
	return s->ready_sections <= s->sections &&
	       s->deferred_pages <= s->free_pages &&
	       s->free_pages <= s->total_pages;
}

static void deferred_stats_consistent(struct ktest *t)
{
	struct page_alloc_stats s;

	page_alloc_get_stats(&s);
	KT_EXPECT_TRUE(t, stats_consistent(&s));
	KT_EXPECT_TRUE(t, s.sections > 0);
	KT_EXPECT_EQ(t, page_alloc_deferred_pending(),
		     s.ready_sections < s.sections);
	/* Deferred pages are in sections not set up, and only there. */
	KT_EXPECT_TRUE(t, s.deferred_pages <= (s.sections - s.ready_sections) *
						      BLOCK_PAGES);
}

/*
 * Allocates a max-order block and tags its first byte: one page touched,
 * as the emulator's first touch of a guest page costs a host page fault.
 */
static void *take_checked_block(struct ktest *t)
{
	u8 *p = alloc_pages_virt(MAX_ORDER);

	if (p)
		p[0] = BLOCK_PATTERN;
	return p;
}

static void put_checked_block(struct ktest *t, u8 *p)
{
	KT_EXPECT_EQ(t, p[0], BLOCK_PATTERN);
	free_pages_virt(p, MAX_ORDER);
}

/*
 * Max-order allocations beside background steps, until the whole frame
 * table is set up: each step and each allocation leaves the counts exact.
 */
static void allocation_beside_background_steps(struct ktest *t)
{
	static u8 *kept[BLOCKS_KEPT];
	struct page_alloc_stats before, now;
	unsigned int n = 0, i, rounds = 0;
	bool more = true;

	page_alloc_get_stats(&before);
	while (more) {
		if (n == BLOCKS_KEPT) {
			for (i = 0; i < n; i++)
				put_checked_block(t, kept[i]);
			n = 0;
		}
		kept[n] = take_checked_block(t);
		if (!kept[n]) {
			/*
			 * Fragmented memory (a UEFI map) may hold no more
			 * max-order blocks: that may fail only once every
			 * section is set up.
			 */
			KT_ASSERT_TRUE(t, !page_alloc_deferred_pending());
			page_alloc_get_stats(&now);
			break;
		}
		n++;
		more = page_alloc_deferred_step();
		page_alloc_get_stats(&now);
		KT_ASSERT_TRUE(t, stats_consistent(&now));
		KT_ASSERT_EQ(t, now.free_pages,
			     before.free_pages - n * BLOCK_PAGES);
		KT_ASSERT_TRUE(t, ++rounds <= now.sections + 1);
	}
	KT_EXPECT_TRUE(t, !page_alloc_deferred_pending());
	KT_EXPECT_EQ(t, now.deferred_pages, 0);
	KT_EXPECT_EQ(t, now.ready_sections, now.sections);
	/* After the background work, allocations still come and go. */
	for (i = 0; i < n; i++)
		put_checked_block(t, kept[i]);
	if (n) { /* a block given back can be taken again */
		kept[0] = take_checked_block(t);
		KT_ASSERT_TRUE(t, kept[0] != NULL);
		put_checked_block(t, kept[0]);
	}
	page_alloc_get_stats(&now);
	KT_EXPECT_EQ(t, now.free_pages, before.free_pages);
}

/*
 * Takes every free page, largest blocks first, then gives them all back:
 * what the allocator hands out is exactly what it counted as free. The
 * blocks are chained through their first bytes. Nothing else may allocate
 * meanwhile: the other CPUs are idle while suites run, and this case
 * prints nothing until the memory is back.
 */
struct taken_block {
	struct taken_block *next;
	unsigned int order;
};

static void exhaustion_and_back(struct ktest *t)
{
	struct page_alloc_stats before, empty, after;
	struct taken_block *chain = NULL, *b;
	u64 taken = 0;
	int order;

	page_alloc_get_stats(&before);
	for (order = MAX_ORDER; order >= 0; order--) {
		while ((b = alloc_pages_virt(order)) != NULL) {
			b->next = chain;
			b->order = order;
			chain = b;
			taken += 1UL << order;
		}
	}
	page_alloc_get_stats(&empty);
	while (chain) {
		b = chain;
		chain = b->next;
		free_pages_virt(b, b->order);
	}
	page_alloc_get_stats(&after);
	KT_EXPECT_EQ(t, taken, before.free_pages);
	KT_EXPECT_EQ(t, empty.free_pages, 0);
	KT_EXPECT_EQ(t, empty.deferred_pages, 0);
	KT_EXPECT_EQ(t, after.free_pages, before.free_pages);
}

KTEST_SUITE(memory, KTEST_CASE(pages_are_usable),
	    KTEST_CASE(heap_allocates_and_frees),
	    KTEST_CASE(heap_fault_injection), KTEST_CASE(image_permissions),
	    KTEST_CASE(guard_and_null_unmapped),
	    KTEST_CASE(direct_map_covers_ram),
	    KTEST_CASE(ioremap_is_uncached_and_reachable),
	    KTEST_CASE(deferred_stats_consistent),
	    KTEST_CASE(allocation_beside_background_steps),
	    KTEST_CASE(exhaustion_and_back));
