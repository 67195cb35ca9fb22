/*
 * Kernel heap (common/xmalloc.c): small objects from power-of-two pools
 * carved out of pages, large ones as whole pages.
 *
 * Every allocation may fail: callers handle NULL. The fault-injection switch
 * makes allocations fail on demand, so that failure paths (e.g. the timer
 * heap's overflow list) can be tested.
 *
 * Concurrency: any CPU, any context except NMI, interrupts on or off; one
 * IRQ-safe lock.
 */
#ifndef KAIROS_XMALLOC_H
#define KAIROS_XMALLOC_H

#include <types.h>

/* Memory aligned to at least 16 bytes (objects >= a page: page-aligned). */
void *xmalloc_bytes(size_t size);
void *xzalloc_bytes(size_t size);
/* n objects of size bytes; NULL if n * size overflows. */
void *xmalloc_array_bytes(size_t size, size_t n);
/* Frees what the calls above returned; NULL is ignored. */
void xfree(void *p);

#define xmalloc(type)	       ((type *)xmalloc_bytes(sizeof(type)))
#define xzalloc(type)	       ((type *)xzalloc_bytes(sizeof(type)))
#define xmalloc_array(type, n) ((type *)xmalloc_array_bytes(sizeof(type), (n)))

/* count for xmalloc_fail_inject(): fail every allocation until reset. */
#define XMALLOC_FAIL_FOREVER (~0UL)

/*
 * Lets the next skip allocations succeed, then fails the following count
 * ones. xmalloc_fail_inject(0, 0) turns injection off.
 */
void xmalloc_fail_inject(unsigned long skip, unsigned long count);

struct xmalloc_stats {
	u64 allocs; /* successful allocations */
	u64 frees;
	u64 failures;	  /* real failures: out of memory */
	u64 injected;	  /* failures injected on purpose */
	u64 bytes_in_use; /* requested bytes not yet freed */
};

void xmalloc_get_stats(struct xmalloc_stats *stats);

#endif /* KAIROS_XMALLOC_H */
