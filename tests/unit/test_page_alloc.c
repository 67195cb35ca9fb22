/*
 * Host tests of common/page_alloc.c: boot memory on made-up addresses (it
 * never touches the memory), the buddy allocator on a buffer of this
 * process, whose addresses the host direct map takes as physical.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "expect_panic.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <page_alloc.h>

/* compiler.h clashes with glibc's <sys/cdefs.h> (__always_inline). */
#define ARRAY_SIZE(a)	 (sizeof(a) / sizeof((a)[0]))
#define IS_ALIGNED(x, a) (((x) & ((a)-1)) == 0)

/* Test hooks in common/page_alloc.c (HOST_TEST only). */
void page_alloc_reset_for_test(void);
unsigned int bootmem_ranges_for_test(paddr_t *starts, paddr_t *ends,
				     unsigned int max);

#define KiB (1UL << 10)
#define MiB (1UL << 20)

#define MAX_BLOCK_BYTES (PAGE_SIZE << MAX_ORDER)
#define ARENA_BYTES	(32 * MiB)
#define ARENA_PAGES	(ARENA_BYTES / PAGE_SIZE)

/* Bytes the arena is filled with before init: free memory must keep them. */
#define ARENA_FILL 0xa5
/* Bytes a test writes into a block before freeing it. */
#define FREED_FILL 0x5a

static u8 *arena;

/* ------------------------------------------------------------------------
 * Helpers
 */

static u64 rng_state;

static u64 rng_next(void)
{
	/* xorshift64: a fixed seed gives the same sequence on every host. */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static paddr_t arena_pa(u64 offset)
{
	return (paddr_t)(uintptr_t)arena + offset;
}

static struct page_alloc_stats get_stats(void)
{
	struct page_alloc_stats s;

	page_alloc_get_stats(&s);
	return s;
}

/* Allocates every max-order block there is, frees them, returns the count. */
static unsigned int count_max_order_blocks(void)
{
	paddr_t blocks[ARENA_BYTES / MAX_BLOCK_BYTES];
	unsigned int n = 0, i;
	paddr_t pa;

	while ((pa = alloc_pages(MAX_ORDER)) != INVALID_PADDR) {
		assert_true(n < ARRAY_SIZE(blocks));
		blocks[n++] = pa;
	}
	for (i = 0; i < n; i++)
		free_pages(blocks[i], MAX_ORDER);
	return n;
}

static void init_whole_arena(void)
{
	bootmem_add_free(arena_pa(0), arena_pa(ARENA_BYTES));
	page_alloc_init();
}

/* ------------------------------------------------------------------------
 * Fixtures: one fresh allocator and arena per test
 */

static int setup(void **state)
{
	page_alloc_reset_for_test();
	/* Aligned to the largest block so that whole max-order blocks exist. */
	arena = aligned_alloc(MAX_BLOCK_BYTES, ARENA_BYTES);
	if (!arena)
		return -1;
	memset(arena, ARENA_FILL, ARENA_BYTES);
	return 0;
}

static int teardown(void **state)
{
	free(arena);
	arena = NULL;
	return 0;
}

/* ------------------------------------------------------------------------
 * Boot memory
 */

static void expect_ranges(const paddr_t *starts, const paddr_t *ends,
			  unsigned int n)
{
	paddr_t s[16], e[16];
	unsigned int i;

	assert_int_equal(bootmem_ranges_for_test(s, e, 16), n);
	for (i = 0; i < n; i++) {
		assert_int_equal(s[i], starts[i]);
		assert_int_equal(e[i], ends[i]);
	}
}

static void test_bootmem_add_trims_and_merges(void **state)
{
	bootmem_add_free(0x1005, 0x4fff);
	expect_ranges((paddr_t[]){0x2000}, (paddr_t[]){0x4000}, 1);

	/* Touching on either side merges. */
	bootmem_add_free(0x4000, 0x6000);
	bootmem_add_free(0x1000, 0x2000);
	expect_ranges((paddr_t[]){0x1000}, (paddr_t[]){0x6000}, 1);

	/* Disjoint ones stay sorted whatever the order they come in. */
	bootmem_add_free(0x10000, 0x20000);
	bootmem_add_free(0x8000, 0x9000);
	expect_ranges((paddr_t[]){0x1000, 0x8000, 0x10000},
		      (paddr_t[]){0x6000, 0x9000, 0x20000}, 3);

	/* Overlapping ones merge, bridging everything they touch. */
	bootmem_add_free(0x5000, 0x10800);
	expect_ranges((paddr_t[]){0x1000}, (paddr_t[]){0x20000}, 1);

	/* Less than a page, empty, reversed: nothing to add. */
	bootmem_add_free(0x30010, 0x30ff0);
	bootmem_add_free(0x40000, 0x40000);
	bootmem_add_free(0x50000, 0x41000);
	/* At the very top: rounding must not wrap. */
	bootmem_add_free(INVALID_PADDR - 0x10, INVALID_PADDR);
	expect_ranges((paddr_t[]){0x1000}, (paddr_t[]){0x20000}, 1);
	assert_int_equal(bootmem_free_bytes(), 0x1f000);
}

static void test_bootmem_reserve_splits_and_trims(void **state)
{
	bootmem_add_free(0x100000, 0x200000);
	bootmem_add_free(0x300000, 0x400000);

	/* Inside one range: widened to whole pages, the range splits. */
	bootmem_reserve(0x150010, 0x150020);
	expect_ranges((paddr_t[]){0x100000, 0x151000, 0x300000},
		      (paddr_t[]){0x150000, 0x200000, 0x400000}, 3);

	/* Over an edge: trims. */
	bootmem_reserve(0xff000, 0x101001);
	bootmem_reserve(0x1ff800, 0x200800);
	expect_ranges((paddr_t[]){0x102000, 0x151000, 0x300000},
		      (paddr_t[]){0x150000, 0x1ff000, 0x400000}, 3);

	/* Over a whole range and parts of its neighbours. */
	bootmem_reserve(0x140000, 0x310000);
	expect_ranges((paddr_t[]){0x102000, 0x310000},
		      (paddr_t[]){0x140000, 0x400000}, 2);

	/* Outside any range, empty, or up to the top: harmless. */
	bootmem_reserve(0x500000, 0x600000);
	bootmem_reserve(0x120000, 0x120000);
	bootmem_reserve(0x3ff000, INVALID_PADDR);
	expect_ranges((paddr_t[]){0x102000, 0x310000},
		      (paddr_t[]){0x140000, 0x3ff000}, 2);
	assert_int_equal(bootmem_free_bytes(), 0x3e000 + 0xef000);
}

static void test_bootmem_alloc(void **state)
{
	u64 before;

	bootmem_add_free(1 * MiB, 2 * MiB);
	bootmem_add_free(16 * MiB, 32 * MiB);
	before = bootmem_free_bytes();

	/* Highest address first. */
	assert_int_equal(bootmem_alloc(PAGE_SIZE, PAGE_SIZE, INVALID_PADDR),
			 32 * MiB - PAGE_SIZE);
	/* Sizes round up to pages; alignment is honoured. */
	assert_int_equal(
		bootmem_alloc(3 * PAGE_SIZE - 100, 2 * MiB, INVALID_PADDR),
		30 * MiB);
	assert_int_equal(bootmem_free_bytes(), before - 4 * PAGE_SIZE);
	expect_ranges((paddr_t[]){1 * MiB, 16 * MiB, 30 * MiB + 3 * PAGE_SIZE},
		      (paddr_t[]){2 * MiB, 30 * MiB, 32 * MiB - PAGE_SIZE}, 3);

	/* The block lies wholly below the limit. */
	assert_int_equal(bootmem_alloc(PAGE_SIZE, PAGE_SIZE, 20 * MiB + 100),
			 20 * MiB - PAGE_SIZE);
	/* Does not fit below the limit in the high range: the low one. */
	assert_int_equal(bootmem_alloc(4 * PAGE_SIZE, PAGE_SIZE,
				       16 * MiB + 2 * PAGE_SIZE),
			 2 * MiB - 4 * PAGE_SIZE);

	/* Nothing fits: too big, too low a limit, no aligned spot. */
	before = bootmem_free_bytes();
	assert_int_equal(bootmem_alloc(32 * MiB, PAGE_SIZE, INVALID_PADDR),
			 INVALID_PADDR);
	assert_int_equal(bootmem_alloc(PAGE_SIZE, PAGE_SIZE, 1 * MiB),
			 INVALID_PADDR);
	assert_int_equal(bootmem_alloc(PAGE_SIZE, 1UL << 30, INVALID_PADDR),
			 INVALID_PADDR);
	assert_int_equal(bootmem_alloc(INVALID_PADDR, PAGE_SIZE, INVALID_PADDR),
			 INVALID_PADDR);
	assert_int_equal(bootmem_free_bytes(), before);

	/* Exactly everything that is left, then nothing. */
	assert_int_equal(bootmem_alloc(before, PAGE_SIZE, 2 * MiB),
			 INVALID_PADDR);
	assert_int_equal(
		bootmem_alloc(1 * MiB - 4 * PAGE_SIZE, PAGE_SIZE, 2 * MiB),
		1 * MiB);
	assert_int_equal(bootmem_alloc(PAGE_SIZE, PAGE_SIZE, 2 * MiB),
			 INVALID_PADDR);
}

static void add_too_many_ranges(void *arg)
{
	paddr_t pa;

	/* Every other page: nothing merges. */
	for (pa = 0; pa < 2 * 600 * PAGE_SIZE; pa += 2 * PAGE_SIZE)
		bootmem_add_free(pa, pa + PAGE_SIZE);
}

static void split_too_many_ranges(void *arg)
{
	paddr_t pa;

	bootmem_add_free(0, 1 * MiB * 1024);
	for (pa = PAGE_SIZE; pa < 2 * 600 * PAGE_SIZE; pa += 2 * PAGE_SIZE)
		bootmem_reserve(pa, pa + PAGE_SIZE);
}

static void test_bootmem_overflow_panics(void **state)
{
	expect_panic(add_too_many_ranges, NULL, "more than 512 free ranges");
	expect_panic(split_too_many_ranges, NULL, "more than 512 free ranges");
}

/* ------------------------------------------------------------------------
 * Buddy allocator
 */

static void test_init_hands_over_boot_memory(void **state)
{
	struct page_alloc_stats s;
	u64 boot_pages;

	bootmem_add_free(arena_pa(0), arena_pa(ARENA_BYTES));
	boot_pages = bootmem_free_bytes() / PAGE_SIZE;
	page_alloc_init();

	s = get_stats();
	assert_int_equal(s.free_pages, s.total_pages);
	/* Everything but the frame table, a few dozen bytes per page. */
	assert_true(s.total_pages < boot_pages);
	assert_true(boot_pages - s.total_pages <= PFN_UP(ARENA_PAGES * 64) + 1);
	/* The table is taken from the top, so the low blocks are whole. */
	assert_int_equal(count_max_order_blocks(),
			 ARENA_BYTES / MAX_BLOCK_BYTES - 1);
}

static void test_alloc_each_order(void **state)
{
	struct page_alloc_stats before;
	unsigned int order;

	init_whole_arena();
	before = get_stats();
	for (order = 0; order <= MAX_ORDER; order++) {
		u64 bytes = PAGE_SIZE << order;
		paddr_t pa = alloc_pages(order);

		assert_int_not_equal(pa, INVALID_PADDR);
		assert_true(IS_ALIGNED(pa, bytes));
		assert_true(pa >= arena_pa(0) &&
			    pa + bytes <= arena_pa(ARENA_BYTES));
		assert_int_equal(get_stats().free_pages,
				 before.free_pages - (1UL << order));
		memset(maddr_to_virt(pa), FREED_FILL, bytes);
		free_pages(pa, order);
		assert_int_equal(get_stats().free_pages, before.free_pages);
	}
	assert_int_equal(alloc_pages(MAX_ORDER + 1), INVALID_PADDR);

	/* The virtual flavour is the same blocks through the direct map. */
	{
		u8 *va = alloc_pages_virt(3);

		assert_non_null(va);
		assert_true(IS_ALIGNED(virt_to_maddr(va), PAGE_SIZE << 3));
		memset(va, FREED_FILL, PAGE_SIZE << 3);
		free_pages_virt(va, 3);
		assert_null(alloc_pages_virt(MAX_ORDER + 1));
	}
	assert_int_equal(get_stats().free_pages, before.free_pages);
}

struct live_block {
	paddr_t pa;
	unsigned int order;
};

/* Shadow of the arena: bit n set while page n is handed out. */
static u8 shadow[ARENA_PAGES / 8];

static bool shadow_test(u64 page)
{
	return shadow[page / 8] & (1U << (page % 8));
}

static void shadow_flip(u64 page)
{
	shadow[page / 8] ^= 1U << (page % 8);
}

/*
 * Checks that a block just allocated is aligned, in the arena, overlaps no
 * live block and holds what the test left there (the allocator did not
 * write into free memory); then marks it live.
 */
static void take_block(paddr_t pa, unsigned int order)
{
	u64 first = (pa - arena_pa(0)) / PAGE_SIZE, n = 1UL << order, i;
	unsigned int b;

	assert_true(IS_ALIGNED(pa, PAGE_SIZE << order));
	assert_true(pa >= arena_pa(0) && first + n <= ARENA_PAGES);
	for (i = first; i < first + n; i++) {
		const u8 *page = arena + i * PAGE_SIZE;

		assert_false(shadow_test(i));
		shadow_flip(i);
		for (b = 0; b < 32; b++)
			assert_true(page[b] == ARENA_FILL ||
				    page[b] == FREED_FILL);
	}
	memset(maddr_to_virt(pa), (u8)order, 32);
}

/* Checks the block still holds its tag, scribbles on it, frees it. */
static void put_block(paddr_t pa, unsigned int order)
{
	u64 first = (pa - arena_pa(0)) / PAGE_SIZE, n = 1UL << order, i;
	const u8 *p = maddr_to_virt(pa);
	unsigned int b;

	for (b = 0; b < 32; b++)
		assert_int_equal(p[b], order);
	for (i = first; i < first + n; i++) {
		assert_true(shadow_test(i));
		shadow_flip(i);
		memset(arena + i * PAGE_SIZE, FREED_FILL, 32);
	}
	free_pages(pa, order);
}

static void test_random_alloc_free(void **state)
{
	static struct live_block live[1024];
	unsigned int nr_live = 0, max_blocks, step, i;
	u64 live_pages = 0, failures = 0;
	struct page_alloc_stats s;

	memset(shadow, 0, sizeof(shadow));
	rng_state = 0x2545f4914f6cdd1dULL;
	init_whole_arena();
	s = get_stats();
	max_blocks = count_max_order_blocks();

	for (step = 0; step < 40000; step++) {
		u64 r = rng_next();
		bool do_alloc =
			nr_live == 0 || (nr_live < ARRAY_SIZE(live) && (r & 1));

		if (do_alloc) {
			/* Mostly small blocks, sometimes any size. */
			unsigned int order =
				(r >> 8) % 4 ? (r >> 16) % 3
					     : (r >> 16) % (MAX_ORDER + 1);
			paddr_t pa = alloc_pages(order);

			if (pa == INVALID_PADDR) {
				failures++;
				continue;
			}
			take_block(pa, order);
			live[nr_live].pa = pa;
			live[nr_live].order = order;
			nr_live++;
			live_pages += 1UL << order;
		} else {
			i = (r >> 8) % nr_live;
			put_block(live[i].pa, live[i].order);
			live_pages -= 1UL << live[i].order;
			live[i] = live[--nr_live];
		}
		assert_int_equal(get_stats().free_pages,
				 s.total_pages - live_pages);
	}
	/* The sequence must have run the arena close to full at times. */
	assert_true(failures > 0);

	while (nr_live > 0) {
		nr_live--;
		put_block(live[nr_live].pa, live[nr_live].order);
	}
	assert_int_equal(get_stats().free_pages, s.total_pages);
	/* Fully coalesced again. */
	assert_int_equal(count_max_order_blocks(), max_blocks);
}

static paddr_t all_pages[ARENA_PAGES];

/* Takes single pages until none is left; returns how many. */
static u64 exhaust(void)
{
	u64 n = 0;
	paddr_t pa;

	while ((pa = alloc_pages(0)) != INVALID_PADDR) {
		assert_true(n < ARENA_PAGES);
		take_block(pa, 0);
		all_pages[n++] = pa;
	}
	return n;
}

static void release_all(u64 n)
{
	u64 i;

	/* In a shuffled order, so that merges happen in every pattern. */
	for (i = n; i > 1; i--) {
		u64 j = rng_next() % i;
		paddr_t t = all_pages[i - 1];

		all_pages[i - 1] = all_pages[j];
		all_pages[j] = t;
	}
	for (i = 0; i < n; i++)
		put_block(all_pages[i], 0);
}

static void test_exhaustion(void **state)
{
	unsigned int order, max_blocks;
	struct page_alloc_stats s;
	u64 n;

	memset(shadow, 0, sizeof(shadow));
	rng_state = 42;
	init_whole_arena();
	s = get_stats();
	max_blocks = count_max_order_blocks();

	n = exhaust();
	assert_int_equal(n, s.total_pages);
	assert_int_equal(get_stats().free_pages, 0);
	for (order = 0; order <= MAX_ORDER; order++)
		assert_int_equal(alloc_pages(order), INVALID_PADDR);

	release_all(n);
	assert_int_equal(get_stats().free_pages, s.total_pages);
	assert_int_equal(get_stats().total_pages, s.total_pages);
	assert_int_equal(count_max_order_blocks(), max_blocks);
}

static void test_reserved_never_handed_out(void **state)
{
	/* [start, end) offsets into the arena that must stay untouched. */
	static const u64 kept[][2] = {
		{0, 2 * PAGE_SIZE},		/* reserved, unaligned edges */
		{5 * MiB, 7 * MiB + PAGE_SIZE}, /* reserved */
		{9 * MiB, 12 * MiB},		/* never added: a hole */
		{20 * MiB, 20 * MiB + PAGE_SIZE}, /* taken by bootmem_alloc */
	};
	u64 n, i, expected = 0;
	unsigned int k;

	memset(shadow, 0, sizeof(shadow));
	rng_state = 7;
	bootmem_add_free(arena_pa(0), arena_pa(9 * MiB));
	bootmem_add_free(arena_pa(12 * MiB), arena_pa(ARENA_BYTES));
	bootmem_reserve(arena_pa(100), arena_pa(PAGE_SIZE + 1));
	bootmem_reserve(arena_pa(5 * MiB), arena_pa(7 * MiB + 1));
	assert_int_equal(bootmem_alloc(PAGE_SIZE, PAGE_SIZE,
				       arena_pa(20 * MiB + PAGE_SIZE)),
			 arena_pa(20 * MiB));
	expected = bootmem_free_bytes() / PAGE_SIZE;
	page_alloc_init();
	/* The frame table spans the hole too, and comes out of boot memory. */
	assert_true(get_stats().total_pages < expected);

	n = exhaust();
	assert_int_equal(n, get_stats().total_pages);
	for (i = 0; i < n; i++) {
		u64 off = all_pages[i] - arena_pa(0);

		for (k = 0; k < ARRAY_SIZE(kept); k++)
			assert_false(off >= kept[k][0] && off < kept[k][1]);
	}
	release_all(n);
	assert_int_equal(get_stats().free_pages, get_stats().total_pages);
}

static void test_unaligned_range_gives_aligned_blocks(void **state)
{
	u64 lo = 3 * PAGE_SIZE + 17, hi = 20 * MiB - 5 * PAGE_SIZE - 3;
	u64 taken = 0, boot_pages;
	unsigned int order;
	paddr_t pa;

	memset(shadow, 0, sizeof(shadow));
	bootmem_add_free(arena_pa(lo), arena_pa(hi));
	boot_pages = bootmem_free_bytes() / PAGE_SIZE;
	assert_int_equal(boot_pages, (20 * MiB - 10 * PAGE_SIZE) / PAGE_SIZE);
	page_alloc_init();

	/* Largest blocks first: all come out aligned, inside the range. */
	for (order = MAX_ORDER + 1; order-- > 0;) {
		while ((pa = alloc_pages(order)) != INVALID_PADDR) {
			take_block(pa, order);
			assert_true(pa >= arena_pa(lo) &&
				    pa + (PAGE_SIZE << order) <= arena_pa(hi));
			taken += 1UL << order;
		}
	}
	assert_int_equal(taken, get_stats().total_pages);
	assert_int_equal(get_stats().free_pages, 0);
}

static void init_without_memory(void *arg)
{
	page_alloc_init();
}

static void init_without_room_for_table(void *arg)
{
	/* Two pages 64 GiB apart: the table for the span cannot fit. */
	bootmem_add_free(arena_pa(0), arena_pa(PAGE_SIZE));
	bootmem_add_free(arena_pa(64UL << 30),
			 arena_pa((64UL << 30) + PAGE_SIZE));
	page_alloc_init();
}

static void test_init_panics(void **state)
{
	expect_panic(init_without_memory, NULL, "no free page");
	expect_panic(init_without_room_for_table, NULL,
		     "-byte frame table for pfns");
}

static paddr_t misuse_pa;

static void free_order0(void *arg)
{
	free_pages(misuse_pa, 0);
}

static void free_order1(void *arg)
{
	free_pages(misuse_pa, 1);
}

static void free_order3(void *arg)
{
	free_pages(misuse_pa, 3);
}

static void free_too_big_order(void *arg)
{
	free_pages(misuse_pa, MAX_ORDER + 1);
}

static void test_free_misuse_panics(void **state)
{
	paddr_t pa;

	init_whole_arena();
	pa = alloc_pages(2);
	assert_int_not_equal(pa, INVALID_PADDR);

	misuse_pa = pa;
	expect_panic(
		free_order1, NULL,
		"not allocated with that order (allocated block, order 2)");
	/* Order 3 passes the alignment check only on a 32 KiB boundary. */
	expect_panic(free_order3, NULL,
		     IS_ALIGNED(pa, PAGE_SIZE << 3)
			     ? "not allocated with that order (allocated block"
			     : "not a block of the page allocator");
	expect_panic(free_too_big_order, NULL,
		     "not a block of the page allocator");
	misuse_pa = pa + PAGE_SIZE;
	expect_panic(free_order0, NULL, "not a block head");
	misuse_pa = pa + 1;
	expect_panic(free_order0, NULL, "not a block of the page allocator");
	misuse_pa = arena_pa(ARENA_BYTES);
	expect_panic(free_order0, NULL, "not a block of the page allocator");
	misuse_pa = arena_pa(0) - PAGE_SIZE;
	expect_panic(free_order0, NULL, "not a block of the page allocator");

	/* Double free: the block is free (and merged) by then. */
	free_pages(pa, 2);
	misuse_pa = pa;
	expect_panic(free_order1, NULL, "not allocated with that order");
	/* Never allocated at all. */
	misuse_pa = arena_pa(8 * MiB);
	expect_panic(free_order0, NULL, "not allocated with that order");
}

/* ------------------------------------------------------------------------
 * Lazy set-up of the frame table, a section (one max-order block) at a time
 */

#define SECTION_BYTES  MAX_BLOCK_BYTES
#define ARENA_SECTIONS (ARENA_BYTES / SECTION_BYTES)

static void test_init_defers_the_frame_table(void **state)
{
	struct page_alloc_stats s;
	const u8 *top = arena + ARENA_BYTES - PAGE_SIZE;
	paddr_t pa;
	unsigned int b;

	init_whole_arena();
	s = get_stats();
	assert_int_equal(s.sections, ARENA_SECTIONS);
	assert_int_equal(s.ready_sections, 0);
	assert_int_equal(s.deferred_pages, s.total_pages);
	assert_int_equal(s.free_pages, s.total_pages);
	assert_true(page_alloc_deferred_pending());
	/* The table, at the top of the arena, was not written by init. */
	for (b = 0; b < PAGE_SIZE; b++)
		assert_int_equal(top[b], ARENA_FILL);

	/* The first allocation sets up the first section, and only that. */
	pa = alloc_pages(0);
	assert_int_not_equal(pa, INVALID_PADDR);
	assert_true(pa < arena_pa(SECTION_BYTES));
	s = get_stats();
	assert_int_equal(s.ready_sections, 1);
	assert_int_equal(s.deferred_pages,
			 s.total_pages - SECTION_BYTES / PAGE_SIZE);
	assert_int_equal(s.free_pages, s.total_pages - 1);
	free_pages(pa, 0);
	assert_int_equal(get_stats().free_pages, s.total_pages);
}

static void test_background_steps_beside_allocations(void **state)
{
	paddr_t pa[ARENA_SECTIONS * 2];
	struct page_alloc_stats s, now;
	unsigned int n = 0, i, steps = 0;

	memset(shadow, 0, sizeof(shadow));
	init_whole_arena();
	s = get_stats();
	/* An allocation, a background step, another allocation... */
	do {
		pa[n] = alloc_pages(MAX_ORDER - 1);
		assert_int_not_equal(pa[n], INVALID_PADDR);
		take_block(pa[n], MAX_ORDER - 1);
		n++;
		steps++;
		now = get_stats();
		assert_int_equal(now.free_pages,
				 s.total_pages -
					 n * (MAX_BLOCK_BYTES / 2 / PAGE_SIZE));
		assert_true(now.deferred_pages <= now.free_pages);
	} while (page_alloc_deferred_step());
	assert_false(page_alloc_deferred_pending());
	assert_int_equal(get_stats().deferred_pages, 0);
	assert_int_equal(get_stats().ready_sections, ARENA_SECTIONS);
	/* Stepping with nothing left is harmless. */
	assert_false(page_alloc_deferred_step());
	assert_true(steps <= ARENA_SECTIONS);

	/* After the background work: allocations from what it set up. */
	pa[n] = alloc_pages(MAX_ORDER - 1);
	assert_int_not_equal(pa[n], INVALID_PADDR);
	take_block(pa[n], MAX_ORDER - 1);
	n++;
	for (i = 0; i < n; i++)
		put_block(pa[i], MAX_ORDER - 1);
	assert_int_equal(get_stats().free_pages, s.total_pages);
	/* Fully merged: the low section whole, the top one holds the table. */
	assert_int_equal(count_max_order_blocks(), ARENA_SECTIONS - 1);
}

static void test_exhaustion_from_nothing_set_up(void **state)
{
	struct page_alloc_stats s;
	u64 n;

	memset(shadow, 0, sizeof(shadow));
	rng_state = 7;
	init_whole_arena();
	s = get_stats();
	n = exhaust();
	assert_int_equal(n, s.total_pages);
	assert_int_equal(get_stats().deferred_pages, 0);
	assert_false(page_alloc_deferred_pending());
	assert_int_equal(alloc_pages(MAX_ORDER), INVALID_PADDR);
	release_all(n);
	assert_int_equal(get_stats().free_pages, s.total_pages);
}

/* Ranges with holes, one across the section boundary, one section empty. */
static void test_sections_with_holes(void **state)
{
	struct page_alloc_stats s;
	u64 n, expected;

	memset(shadow, 0, sizeof(shadow));
	rng_state = 11;
	bootmem_add_free(arena_pa(1 * MiB), arena_pa(3 * MiB));
	bootmem_add_free(arena_pa(12 * MiB), arena_pa(20 * MiB));
	bootmem_add_free(arena_pa(30 * MiB), arena_pa(ARENA_BYTES));
	page_alloc_init();
	s = get_stats();
	expected = s.total_pages;
	assert_int_equal(s.deferred_pages, expected);
	n = exhaust();
	assert_int_equal(n, expected);
	assert_int_equal(get_stats().deferred_pages, 0);
	release_all(n);
	assert_int_equal(get_stats().free_pages, expected);
	/* The holes and the table were never handed out (take_block checked
	 * every page against the shadow and the arena bounds). */
	assert_int_equal(shadow_test(0), 0);
}

static void free_deferred(void *arg)
{
	free_pages(arena_pa(SECTION_BYTES), 0);
}

static void test_free_into_deferred_section_panics(void **state)
{
	paddr_t pa;

	init_whole_arena();
	pa = alloc_pages(0); /* sets up the low section only */
	assert_true(pa < arena_pa(SECTION_BYTES));
	expect_panic(free_deferred, NULL, "not a block of the page allocator");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_bootmem_add_trims_and_merges, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_bootmem_reserve_splits_and_trims, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bootmem_alloc, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bootmem_overflow_panics,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_init_hands_over_boot_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_each_order, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_random_alloc_free, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_exhaustion, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_reserved_never_handed_out,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_unaligned_range_gives_aligned_blocks, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_init_panics, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_free_misuse_panics, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_init_defers_the_frame_table, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_background_steps_beside_allocations, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_exhaustion_from_nothing_set_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sections_with_holes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_free_into_deferred_section_panics, setup,
			teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
