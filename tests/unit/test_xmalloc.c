/*
 * Host tests of common/xmalloc.c on top of common/page_alloc.c, which
 * manages a buffer of this process (the host direct map is the identity).
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
#include <xmalloc.h>

/* Test hooks (HOST_TEST only). */
void page_alloc_reset_for_test(void);
void xmalloc_reset_for_test(void);

/* compiler.h clashes with glibc's <sys/cdefs.h> (__always_inline). */
#define ARRAY_SIZE(a)	 (sizeof(a) / sizeof((a)[0]))
#define IS_ALIGNED(x, a) (((x) & ((a)-1)) == 0)

#define MiB		(1UL << 20)
#define ARENA_BYTES	(64 * MiB)
#define MAX_BLOCK_BYTES (PAGE_SIZE << MAX_ORDER)
#define MAX_CLASS_SIZE	(PAGE_SIZE / 2)
#define NR_CLASSES	8 /* 16 .. 2048 */

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

static struct xmalloc_stats heap_stats(void)
{
	struct xmalloc_stats s;

	xmalloc_get_stats(&s);
	return s;
}

static u64 free_pages_now(void)
{
	struct page_alloc_stats s;

	page_alloc_get_stats(&s);
	return s.free_pages;
}

static bool in_arena(const void *p, size_t size)
{
	const u8 *b = p;

	return b >= arena && b + size <= arena + ARENA_BYTES;
}

/* The alignment xmalloc.h promises for an object of size bytes. */
static void check_alignment(const void *p, size_t size)
{
	assert_true(IS_ALIGNED((uintptr_t)p, 16));
	if (size >= PAGE_SIZE)
		assert_true(IS_ALIGNED((uintptr_t)p, PAGE_SIZE));
}

static u8 pattern(size_t tag, size_t i)
{
	return (u8)(tag * 131 + i * 7 + 1);
}

static void fill(void *p, size_t size, size_t tag)
{
	u8 *b = p;
	size_t i;

	for (i = 0; i < size; i++)
		b[i] = pattern(tag, i);
}

static void verify(const void *p, size_t size, size_t tag)
{
	const u8 *b = p;
	size_t i;

	for (i = 0; i < size; i++)
		if (b[i] != pattern(tag, i))
			fail_msg(
				"object %zu (%zu bytes at %p) corrupt at byte %zu",
				tag, size, p, i);
}

struct object {
	u8 *p;
	size_t size;
};

static int by_address(const void *a, const void *b)
{
	const struct object *x = a, *y = b;

	return x->p < y->p ? -1 : x->p > y->p;
}

/* Checks that no two of the objects overlap (sorts them). */
static void check_disjoint(struct object *objs, size_t n)
{
	size_t i;

	qsort(objs, n, sizeof(*objs), by_address);
	for (i = 1; i < n; i++)
		assert_true(objs[i - 1].p + objs[i - 1].size <= objs[i].p);
}

/* ------------------------------------------------------------------------
 * Fixtures: a fresh page allocator over a fresh arena, an empty heap
 */

static int setup(void **state)
{
	arena = aligned_alloc(MAX_BLOCK_BYTES, ARENA_BYTES);
	if (!arena)
		return -1;
	/* Free memory is dirty, so that zeroes can only come from xzalloc. */
	memset(arena, 0xff, ARENA_BYTES);
	page_alloc_reset_for_test();
	bootmem_add_free((paddr_t)(uintptr_t)arena,
			 (paddr_t)(uintptr_t)arena + ARENA_BYTES);
	page_alloc_init();
	xmalloc_reset_for_test();
	return 0;
}

static int teardown(void **state)
{
	free(arena);
	arena = NULL;
	return 0;
}

/* ------------------------------------------------------------------------
 * Tests
 */

static void test_every_size(void **state)
{
	enum { BATCH = 256, LAST_SIZE = 3 * PAGE_SIZE + 64 };
	static struct object objs[BATCH], sorted[BATCH];
	size_t size = 1, first, i, n;
	u64 pages = free_pages_now();

	while (size <= LAST_SIZE) {
		/* A batch of consecutive sizes, all live at once. */
		for (n = 0, first = size; n < BATCH && size <= LAST_SIZE;
		     n++, size++) {
			objs[n].p = xmalloc_bytes(size);
			objs[n].size = size;
			assert_non_null(objs[n].p);
			assert_true(in_arena(objs[n].p, size));
			check_alignment(objs[n].p, size);
			fill(objs[n].p, size, first + n);
		}
		for (i = 0; i < n; i++)
			verify(objs[i].p, objs[i].size, first + i);
		memcpy(sorted, objs, n * sizeof(objs[0]));
		check_disjoint(sorted, n);
		for (i = 0; i < n; i++)
			xfree(objs[i].p);
	}

	assert_int_equal(heap_stats().bytes_in_use, 0);
	assert_int_equal(heap_stats().allocs, LAST_SIZE);
	assert_int_equal(heap_stats().frees, LAST_SIZE);
	/* Empty pool pages went back, but for one per class. */
	assert_true(free_pages_now() + NR_CLASSES >= pages);
}

static void test_many_live_objects(void **state)
{
	enum { N = 6000 };
	static struct object objs[N], sorted[N];
	u64 pages = free_pages_now(), bytes = 0;
	size_t i;

	rng_state = 0x9e3779b97f4a7c15ULL;
	for (i = 0; i < N; i++) {
		size_t size = 1 + rng_next() % (i % 10 ? 300 : 5000);

		objs[i].p = xmalloc_bytes(size);
		objs[i].size = size;
		assert_non_null(objs[i].p);
		check_alignment(objs[i].p, size);
		fill(objs[i].p, size, i);
		bytes += size;
	}
	assert_int_equal(heap_stats().bytes_in_use, bytes);
	memcpy(sorted, objs, sizeof(objs));
	check_disjoint(sorted, N);

	/* Free a random half, refill with new sizes, then free everything. */
	for (i = 0; i < N; i++) {
		if (rng_next() & 1)
			continue;
		verify(objs[i].p, objs[i].size, i);
		xfree(objs[i].p);
		objs[i].size = 1 + rng_next() % 700;
		objs[i].p = xmalloc_bytes(objs[i].size);
		assert_non_null(objs[i].p);
		fill(objs[i].p, objs[i].size, i);
	}
	for (i = 0; i < N; i++) {
		verify(objs[i].p, objs[i].size, i);
		xfree(objs[i].p);
	}
	assert_int_equal(heap_stats().bytes_in_use, 0);
	assert_int_equal(heap_stats().allocs, heap_stats().frees);
	assert_true(free_pages_now() + NR_CLASSES >= pages);
}

static void test_zero_size(void **state)
{
	void *a = xmalloc_bytes(0), *b = xmalloc_bytes(0);

	/* A real, distinct object, like malloc(0), so NULL means failure. */
	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	assert_int_equal(heap_stats().bytes_in_use, 0);
	xfree(a);
	xfree(b);
	assert_int_equal(heap_stats().frees, 2);
}

static void test_xzalloc_zeroes(void **state)
{
	static const size_t sizes[] = {1,    16,	100,  MAX_CLASS_SIZE,
				       4000, PAGE_SIZE, 10000};
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		u8 *p = xmalloc_bytes(sizes[i]), *q;

		assert_non_null(p);
		memset(p, 0xff, sizes[i]);
		xfree(p);
		q = xzalloc_bytes(sizes[i]);
		assert_non_null(q);
		/* The same slot again: the zeroes are xzalloc's own. */
		if (sizes[i] <= MAX_CLASS_SIZE)
			assert_ptr_equal(p, q);
		for (j = 0; j < sizes[i]; j++)
			assert_int_equal(q[j], 0);
		xfree(q);
	}
	assert_null(xzalloc_bytes(SIZE_MAX));
}

static void test_array(void **state)
{
	struct xmalloc_stats s;
	u64 *a;

	assert_null(xmalloc_array_bytes(SIZE_MAX / 2 + 1, 2));
	assert_null(xmalloc_array_bytes(2, SIZE_MAX / 2 + 1));
	assert_null(xmalloc_array_bytes(1UL << 32, 1UL << 32));
	assert_null(xmalloc_array(u64, SIZE_MAX / 4));
	s = heap_stats();
	assert_int_equal(s.failures, 4);
	assert_int_equal(s.allocs, 0);

	a = xmalloc_array(u64, 1000);
	assert_non_null(a);
	assert_int_equal(heap_stats().bytes_in_use, 8000);
	memset(a, 0x33, 1000 * sizeof(*a));
	xfree(a);
	assert_int_equal(heap_stats().bytes_in_use, 0);
}

static void test_impossible_sizes(void **state)
{
	void *p;

	assert_null(xmalloc_bytes(SIZE_MAX));
	assert_null(xmalloc_bytes(SIZE_MAX - PAGE_SIZE + 1));
	assert_null(xmalloc_bytes(SIZE_MAX / 2 + 1));
	assert_null(xmalloc_bytes(MAX_BLOCK_BYTES + 1));
	assert_int_equal(heap_stats().failures, 4);
	assert_int_equal(heap_stats().allocs, 0);
	assert_int_equal(heap_stats().bytes_in_use, 0);

	/* The largest block itself is fine. */
	p = xmalloc_bytes(MAX_BLOCK_BYTES);
	assert_non_null(p);
	assert_true(IS_ALIGNED((uintptr_t)p, PAGE_SIZE));
	xfree(p);
}

static void test_xfree_null(void **state)
{
	struct xmalloc_stats before = heap_stats(), after;

	xfree(NULL);
	after = heap_stats();
	assert_memory_equal(&before, &after, sizeof(before));
}

static void test_fault_injection(void **state)
{
	void *p[6];
	unsigned int i;

	/* Two through, three failed, then normal again. */
	xmalloc_fail_inject(2, 3);
	for (i = 0; i < 6; i++)
		p[i] = xmalloc_bytes(32);
	assert_non_null(p[0]);
	assert_non_null(p[1]);
	assert_null(p[2]);
	assert_null(p[3]);
	assert_null(p[4]);
	assert_non_null(p[5]);
	assert_int_equal(heap_stats().injected, 3);
	assert_int_equal(heap_stats().failures, 0);
	assert_int_equal(heap_stats().allocs, 3);
	xfree(p[0]);
	xfree(p[1]);
	xfree(p[5]);

	/* Every entry point is subject to it, large blocks too. */
	xmalloc_fail_inject(0, XMALLOC_FAIL_FOREVER);
	for (i = 0; i < 100; i++)
		assert_null(xmalloc_bytes(i * 97));
	assert_null(xzalloc_bytes(16));
	assert_null(xmalloc_array_bytes(8, 8));
	assert_null(xmalloc_bytes(3 * PAGE_SIZE));
	assert_int_equal(heap_stats().injected, 3 + 103);

	/* Impossible sizes fail as such, not as injected failures. */
	assert_null(xmalloc_bytes(SIZE_MAX));
	assert_int_equal(heap_stats().injected, 106);
	assert_int_equal(heap_stats().failures, 1);

	/* Off. */
	xmalloc_fail_inject(0, 0);
	p[0] = xmalloc_bytes(5000);
	assert_non_null(p[0]);
	xfree(p[0]);

	/* Fail the very next one only. */
	xmalloc_fail_inject(0, 1);
	assert_null(xmalloc_bytes(8));
	p[0] = xmalloc_bytes(8);
	assert_non_null(p[0]);
	xfree(p[0]);

	/* Switched off before the skip ran out: nothing fails. */
	xmalloc_fail_inject(1, 1);
	xmalloc_fail_inject(0, 0);
	for (i = 0; i < 3; i++) {
		p[i] = xmalloc_bytes(8);
		assert_non_null(p[i]);
	}
	for (i = 0; i < 3; i++)
		xfree(p[i]);
	assert_int_equal(heap_stats().injected, 107);
	assert_int_equal(heap_stats().bytes_in_use, 0);
}

static void test_pool_pages_reused(void **state)
{
	enum { N = 1000 };
	static void *objs[N];
	u64 pages = free_pages_now(), after_first = 0;
	unsigned int round, i;
	void *p, *q;

	p = xmalloc_bytes(64);
	xfree(p);
	q = xmalloc_bytes(64);
	assert_ptr_equal(p, q);
	xfree(q);
	/* One page of that class stays, ready for the next object. */
	assert_int_equal(free_pages_now(), pages - 1);

	/* Rounds spanning many pages per class use no more memory each time. */
	for (round = 0; round < 5; round++) {
		for (i = 0; i < N; i++) {
			objs[i] = xmalloc_bytes(1 + (i * 37) % MAX_CLASS_SIZE);
			assert_non_null(objs[i]);
		}
		for (i = 0; i < N; i++)
			xfree(objs[round & 1 ? i : N - 1 - i]);
		if (round == 0)
			after_first = free_pages_now();
		assert_int_equal(free_pages_now(), after_first);
	}
	assert_true(after_first + NR_CLASSES >= pages);
}

static void test_large_allocations(void **state)
{
	static const size_t sizes[] = {
		MAX_CLASS_SIZE + 1, PAGE_SIZE - 1, PAGE_SIZE,	PAGE_SIZE + 1,
		3 * PAGE_SIZE + 5,  1 * MiB,	   1 * MiB + 1, MAX_BLOCK_BYTES,
	};
	void *p[ARRAY_SIZE(sizes)];
	u64 pages, bytes = 0;
	size_t i;

	/* The heap's bookkeeping for large blocks lives in a pool page. */
	xfree(xmalloc_bytes(PAGE_SIZE));
	pages = free_pages_now();

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		u64 before = free_pages_now(), want;

		p[i] = xmalloc_bytes(sizes[i]);
		assert_non_null(p[i]);
		assert_true(in_arena(p[i], sizes[i]));
		/* Whole pages, page-aligned, in the smallest block that fits. */
		assert_true(IS_ALIGNED((uintptr_t)p[i], PAGE_SIZE));
		want = (sizes[i] + PAGE_SIZE - 1) / PAGE_SIZE;
		while (want & (want - 1))
			want++;
		assert_int_equal(before - free_pages_now(), want);
		fill(p[i], sizes[i], i);
		bytes += sizes[i];
	}
	assert_int_equal(heap_stats().bytes_in_use, bytes);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		verify(p[i], sizes[i], i);
		xfree(p[i]);
	}
	assert_int_equal(heap_stats().bytes_in_use, 0);
	assert_int_equal(free_pages_now(), pages);
}

static void test_out_of_memory(void **state)
{
	enum { MAX_BLOCKS = ARENA_BYTES / MAX_BLOCK_BYTES };
	void *blocks[MAX_BLOCKS];
	unsigned int n = 0, i;
	/* What is left after the large blocks: less than one of them. */
	static void *small[16384];
	unsigned int nr_small = 0;

	/* Take every large block, then everything small that is left. */
	while ((blocks[n] = xmalloc_bytes(MAX_BLOCK_BYTES)) != NULL)
		assert_true(++n < MAX_BLOCKS);
	assert_int_equal(heap_stats().failures, 1);
	while (nr_small < ARRAY_SIZE(small) &&
	       (small[nr_small] = xmalloc_bytes(MAX_CLASS_SIZE)) != NULL)
		nr_small++;
	assert_true(nr_small < ARRAY_SIZE(small));
	assert_int_equal(heap_stats().failures, 2);
	assert_int_equal(free_pages_now(), 0);

	/* The pages of a large block cannot be had: fails cleanly. */
	assert_null(xmalloc_bytes(2 * PAGE_SIZE));
	assert_int_equal(heap_stats().failures, 3);

	/* Fill the pool that large-block records come from... */
	while (nr_small < ARRAY_SIZE(small) &&
	       (small[nr_small] = xmalloc_bytes(32)) != NULL)
		nr_small++;
	assert_true(nr_small < ARRAY_SIZE(small));
	assert_int_equal(heap_stats().failures, 4);
	/* ...then not even the record can be had. */
	assert_null(xmalloc_bytes(2 * PAGE_SIZE));
	assert_int_equal(heap_stats().failures, 5);
	assert_int_equal(free_pages_now(), 0);

	for (i = 0; i < n; i++)
		xfree(blocks[i]);
	for (i = 0; i < nr_small; i++)
		xfree(small[i]);
	assert_int_equal(heap_stats().bytes_in_use, 0);
	assert_int_equal(heap_stats().allocs, heap_stats().frees);
}

static void test_stats_balance(void **state)
{
	static const size_t sizes[] = {0,    1,	   15,	 16,  17,
				       1000, 2048, 2049, 9000};
	void *p[ARRAY_SIZE(sizes)];
	u64 bytes = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		p[i] = xmalloc_bytes(sizes[i]);
		bytes += sizes[i];
		assert_int_equal(heap_stats().bytes_in_use, bytes);
		assert_int_equal(heap_stats().allocs, i + 1);
	}
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		xfree(p[i]);
		bytes -= sizes[i];
		assert_int_equal(heap_stats().bytes_in_use, bytes);
		assert_int_equal(heap_stats().frees, i + 1);
	}
	assert_int_equal(heap_stats().bytes_in_use, 0);
	assert_int_equal(heap_stats().failures, 0);
	assert_int_equal(heap_stats().injected, 0);
}

static void *misuse_ptr;

static void free_misuse_ptr(void *arg)
{
	xfree(misuse_ptr);
}

static void test_misuse_panics(void **state)
{
	u8 *small = xmalloc_bytes(64), *other = xmalloc_bytes(64);
	u8 *large = xmalloc_bytes(3 * PAGE_SIZE);
	u8 *page = alloc_pages_virt(0);

	assert_non_null(small);
	assert_non_null(other);
	assert_non_null(large);
	assert_non_null(page);

	misuse_ptr = small + 16;
	expect_panic(free_misuse_ptr, NULL, "not the start of a heap object");
	/* A page that is not the heap's, at an offset and at its start. */
	memset(page, 0, PAGE_SIZE);
	misuse_ptr = page + 64;
	expect_panic(free_misuse_ptr, NULL, "not a heap pointer");
	misuse_ptr = page;
	expect_panic(free_misuse_ptr, NULL, "not a heap pointer");
	/* Inside a large block. */
	misuse_ptr = large + PAGE_SIZE;
	expect_panic(free_misuse_ptr, NULL, "not a heap pointer");

	/* Double frees, with the page still in use by another object. */
	xfree(small);
	misuse_ptr = small;
	expect_panic(free_misuse_ptr, NULL, "double free");
	xfree(large);
	misuse_ptr = large;
	expect_panic(free_misuse_ptr, NULL, "freed twice");

	xfree(other);
	free_pages_virt(page, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_every_size, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_many_live_objects, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_zero_size, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_xzalloc_zeroes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_array, setup, teardown),
		cmocka_unit_test_setup_teardown(test_impossible_sizes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_xfree_null, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_fault_injection, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pool_pages_reused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_large_allocations, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_out_of_memory, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stats_balance, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_misuse_panics, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
