/*
 * Kernel heap: power-of-two size classes of 16 .. PAGE_SIZE/2 bytes carved
 * out of pool pages, and whole page blocks for anything larger.
 *
 * A pool page starts with a header (struct pool_page) and packs its slots
 * against the end of the page, so a slot of class size c sits at a multiple
 * of c and never at the page start. That gives xfree() its dispatch for
 * free: a page-aligned pointer is a large block, anything else is a slot
 * whose header is at the start of its page.
 *
 * The header holds a bitmap of free slots and the size each live slot was
 * asked for, so (like the page allocator) the heap never writes into free
 * objects, a double free is caught exactly, and bytes_in_use counts
 * requested bytes. The price is the header: the largest class fits one
 * object per page, the 1 KiB class three.
 *
 * Large blocks must be page-aligned (see xmalloc.h), which leaves no room
 * for a header in front of them; their order and size live in a
 * struct large_block taken from the pools and found through a hash of the
 * block's address.
 *
 * Lock order: xmalloc_lock, then the page allocator's lock.
 */
#include <compiler.h>
#include <page_alloc.h>
#include <panic.h>
#include <spinlock.h>
#include <string.h>
#include <xmalloc.h>

#define MIN_CLASS_SHIFT 4 /* 16 bytes: the alignment xmalloc.h promises */
#define MAX_CLASS_SHIFT (PAGE_SHIFT - 1)
#define NR_CLASSES	(MAX_CLASS_SHIFT - MIN_CLASS_SHIFT + 1)
#define MAX_CLASS_SIZE	(1UL << MAX_CLASS_SHIFT)

/* Larger requests could never be met: the biggest page block. */
#define MAX_ALLOC_SIZE (PAGE_SIZE << MAX_ORDER)

/* ------------------------------------------------------------------------
 * Pool pages
 */

#define POOL_MAGIC     0x4c4f4f50U /* "POOL" */
#define POOL_MAP_WORDS 4	   /* 256 slots; the 16-byte class fits 224 */

struct pool_page {
	u32 magic;		/* POOL_MAGIC while the page is a pool */
	u16 class_idx;		/* size class: 16 << class_idx bytes */
	u16 nr_free;		/* free slots */
	struct pool_page *next; /* partial[class_idx]: pages with a free slot */
	struct pool_page *prev;
	u64 free_map[POOL_MAP_WORDS]; /* bit n set: slot n is free */
	u16 requested[]; /* per live slot: bytes the caller asked for */
};

/* Slots of size bytes that fit after the header and its requested[] array. */
#define POOL_CAPACITY(size) \
	((PAGE_SIZE - sizeof(struct pool_page)) / ((size) + sizeof(u16)))

BUILD_BUG_ON(POOL_CAPACITY(1UL << MIN_CLASS_SHIFT) > POOL_MAP_WORDS * 64);
BUILD_BUG_ON(POOL_CAPACITY(MAX_CLASS_SIZE) < 1);
BUILD_BUG_ON(MAX_CLASS_SIZE > 0xffff); /* requested[] is u16 */

static DEFINE_SPINLOCK(xmalloc_lock);

/* Per class: pool pages with at least one free slot. */
static struct pool_page *partial[NR_CLASSES];

static inline size_t class_size(unsigned int idx)
{
	return 1UL << (idx + MIN_CLASS_SHIFT);
}

static inline unsigned int class_capacity(unsigned int idx)
{
	return POOL_CAPACITY(class_size(idx));
}

/* Offset of slot 0 from the page start. */
static inline size_t class_first_slot(unsigned int idx)
{
	return PAGE_SIZE - class_capacity(idx) * class_size(idx);
}

/* Smallest class holding size bytes; size <= MAX_CLASS_SIZE. */
static unsigned int size_to_class(size_t size)
{
	if (size <= (1UL << MIN_CLASS_SHIFT))
		return 0;
	return (64 - __builtin_clzl(size - 1)) - MIN_CLASS_SHIFT;
}

static void partial_add(struct pool_page *pp)
{
	struct pool_page **head = &partial[pp->class_idx];

	pp->prev = NULL;
	pp->next = *head;
	if (pp->next)
		pp->next->prev = pp;
	*head = pp;
}

static void partial_del(struct pool_page *pp)
{
	if (pp->prev)
		pp->prev->next = pp->next;
	else
		partial[pp->class_idx] = pp->next;
	if (pp->next)
		pp->next->prev = pp->prev;
}

/* Returns a fresh pool page of class idx on the partial list, or NULL. */
static struct pool_page *pool_page_new(unsigned int idx)
{
	unsigned int cap = class_capacity(idx);
	struct pool_page *pp = alloc_pages_virt(0);
	unsigned int w;

	if (!pp)
		return NULL;
	pp->magic = POOL_MAGIC;
	pp->class_idx = idx;
	pp->nr_free = cap;
	for (w = 0; w < POOL_MAP_WORDS; w++) {
		unsigned int bits = cap > w * 64 ? min(cap - w * 64, 64U) : 0;

		pp->free_map[w] = bits == 64 ? ~0UL : (1UL << bits) - 1;
	}
	partial_add(pp);
	return pp;
}

/* Returns a slot of class idx recorded as holding requested bytes, or NULL. */
static void *pool_alloc(unsigned int idx, size_t requested)
{
	struct pool_page *pp = partial[idx];
	unsigned int w, slot;

	if (!pp)
		pp = pool_page_new(idx);
	if (!pp)
		return NULL;
	ASSERT(pp->nr_free > 0);

	for (w = 0; w < POOL_MAP_WORDS && !pp->free_map[w]; w++)
		;
	ASSERT(w < POOL_MAP_WORDS);
	slot = w * 64 + __builtin_ctzl(pp->free_map[w]);
	pp->free_map[w] &= ~(1UL << (slot % 64));
	pp->requested[slot] = requested;
	if (--pp->nr_free == 0)
		partial_del(pp);

	return (char *)pp + class_first_slot(idx) + slot * class_size(idx);
}

/*
 * Frees the slot at p, panicking if p is not a live slot. Returns the bytes
 * it was allocated for.
 */
static size_t pool_free(void *p)
{
	struct pool_page *pp = (void *)((uintptr_t)p & PAGE_MASK);
	size_t offset = (uintptr_t)p & ~PAGE_MASK;
	unsigned int idx, slot, cap;
	size_t first, requested;
	u64 bit;

	if (pp->magic != POOL_MAGIC || pp->class_idx >= NR_CLASSES)
		panic("xfree(%p): not a heap pointer", p);
	idx = pp->class_idx;
	cap = class_capacity(idx);
	first = class_first_slot(idx);
	if (offset < first || !IS_ALIGNED(offset - first, class_size(idx)))
		panic("xfree(%p): not the start of a heap object", p);
	slot = (offset - first) >> (idx + MIN_CLASS_SHIFT);
	bit = 1UL << (slot % 64);
	if (pp->free_map[slot / 64] & bit)
		panic("xfree(%p): double free", p);

	requested = pp->requested[slot];
	pp->free_map[slot / 64] |= bit;
	if (pp->nr_free++ == 0)
		partial_add(pp);
	/*
	 * Give an empty page back unless it is the class's only page with
	 * room, so that alloc/free at a page boundary does not bounce pages
	 * through the page allocator.
	 */
	if (pp->nr_free == cap && (pp->prev || pp->next)) {
		partial_del(pp);
		pp->magic = 0;
		free_pages_virt(pp, 0);
	}
	return requested;
}

/* ------------------------------------------------------------------------
 * Large blocks
 */

#define LARGE_HASH_SHIFT 6

struct large_block {
	struct large_block *next; /* hash chain */
	void *va;		  /* page-aligned block, as handed out */
	size_t size;		  /* bytes the caller asked for */
	unsigned int order;	  /* of the page block */
};

static struct large_block *large_hash[1U << LARGE_HASH_SHIFT];

static struct large_block **large_bucket(const void *va)
{
	/* Fibonacci hashing: blocks are aligned, so low pfn bits repeat. */
	u64 h = ((uintptr_t)va >> PAGE_SHIFT) * 0x9e3779b97f4a7c15UL;

	return &large_hash[h >> (64 - LARGE_HASH_SHIFT)];
}

/* Smallest order whose block holds size bytes; size <= MAX_ALLOC_SIZE. */
static unsigned int size_to_order(size_t size)
{
	size_t pages = (size + PAGE_SIZE - 1) >> PAGE_SHIFT;

	return pages <= 1 ? 0 : 64 - __builtin_clzl(pages - 1);
}

static void *large_alloc(size_t size)
{
	unsigned int order = size_to_order(size);
	struct large_block *lb, **bucket;
	void *va;

	lb = pool_alloc(size_to_class(sizeof(*lb)), sizeof(*lb));
	if (!lb)
		return NULL;
	va = alloc_pages_virt(order);
	if (!va) {
		pool_free(lb);
		return NULL;
	}
	bucket = large_bucket(va);
	lb->va = va;
	lb->size = size;
	lb->order = order;
	lb->next = *bucket;
	*bucket = lb;
	return va;
}

/* Frees the large block at p, panicking if there is none. Returns its size. */
static size_t large_free(void *p)
{
	struct large_block **link, *lb;
	size_t size;

	for (link = large_bucket(p); *link; link = &(*link)->next)
		if ((*link)->va == p)
			break;
	lb = *link;
	if (!lb)
		panic("xfree(%p): not a heap pointer, or freed twice", p);
	*link = lb->next;
	free_pages_virt(lb->va, lb->order);
	size = lb->size;
	pool_free(lb);
	return size;
}

/* ------------------------------------------------------------------------
 * Interface
 */

static struct xmalloc_stats stats;

/* Fault injection: let inject_skip through, then fail inject_count. */
static unsigned long inject_skip;
static unsigned long inject_count;

/* Returns true if this allocation is to fail on purpose. */
static bool inject_failure(void)
{
	if (inject_count == 0)
		return false;
	if (inject_skip > 0) {
		inject_skip--;
		return false;
	}
	if (inject_count != XMALLOC_FAIL_FOREVER)
		inject_count--;
	return true;
}

void *xmalloc_bytes(size_t size)
{
	unsigned long flags = spin_lock_irqsave(&xmalloc_lock);
	void *p;

	/* Impossible sizes fail before injection gets to count them. */
	if (size > MAX_ALLOC_SIZE) {
		stats.failures++;
		spin_unlock_irqrestore(&xmalloc_lock, flags);
		return NULL;
	}
	if (inject_failure()) {
		stats.injected++;
		spin_unlock_irqrestore(&xmalloc_lock, flags);
		return NULL;
	}

	if (size <= MAX_CLASS_SIZE)
		p = pool_alloc(size_to_class(size), size);
	else
		p = large_alloc(size);
	if (p) {
		stats.allocs++;
		stats.bytes_in_use += size;
	} else {
		stats.failures++;
	}
	spin_unlock_irqrestore(&xmalloc_lock, flags);
	return p;
}

void *xzalloc_bytes(size_t size)
{
	void *p = xmalloc_bytes(size);

	if (p)
		memset(p, 0, size);
	return p;
}

void *xmalloc_array_bytes(size_t size, size_t n)
{
	size_t bytes;

	if (__builtin_mul_overflow(size, n, &bytes))
		bytes = SIZE_MAX; /* fails, and is counted, as too large */
	return xmalloc_bytes(bytes);
}

void xfree(void *p)
{
	unsigned long flags;
	size_t size;

	if (!p)
		return;
	flags = spin_lock_irqsave(&xmalloc_lock);
	if (IS_ALIGNED((uintptr_t)p, PAGE_SIZE))
		size = large_free(p);
	else
		size = pool_free(p);
	ASSERT(stats.bytes_in_use >= size);
	stats.bytes_in_use -= size;
	stats.frees++;
	spin_unlock_irqrestore(&xmalloc_lock, flags);
}

void xmalloc_fail_inject(unsigned long skip, unsigned long count)
{
	unsigned long flags = spin_lock_irqsave(&xmalloc_lock);

	inject_skip = skip;
	inject_count = count;
	spin_unlock_irqrestore(&xmalloc_lock, flags);
}

void xmalloc_get_stats(struct xmalloc_stats *out)
{
	unsigned long flags = spin_lock_irqsave(&xmalloc_lock);

	*out = stats;
	spin_unlock_irqrestore(&xmalloc_lock, flags);
}

/* ------------------------------------------------------------------------
 * Host unit tests only: the heap is global, each test starts over (after
 * resetting the page allocator under it).
 */
#ifdef HOST_TEST
void xmalloc_reset_for_test(void);

void xmalloc_reset_for_test(void)
{
	memset(partial, 0, sizeof(partial));
	memset(large_hash, 0, sizeof(large_hash));
	memset(&stats, 0, sizeof(stats));
	inject_skip = 0;
	inject_count = 0;
	spin_lock_init(&xmalloc_lock);
}
#endif
