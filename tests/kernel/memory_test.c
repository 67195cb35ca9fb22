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

KTEST_SUITE(memory, KTEST_CASE(pages_are_usable),
	    KTEST_CASE(heap_allocates_and_frees),
	    KTEST_CASE(heap_fault_injection), KTEST_CASE(image_permissions),
	    KTEST_CASE(guard_and_null_unmapped),
	    KTEST_CASE(direct_map_covers_ram),
	    KTEST_CASE(ioremap_is_uncached_and_reachable));
