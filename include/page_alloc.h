/*
 * Physical memory (common/page_alloc.c): a boot-time range allocator that
 * turns the firmware memory map into free memory, then a buddy allocator of
 * 2^order contiguous pages.
 *
 * Boot sequence (boot CPU only, before other CPUs run):
 *   bootmem_add_free() for each usable range of the memory map,
 *   bootmem_reserve() for each range in use (kernel, modules, info block,
 *                     AP trampoline, the first page),
 *   bootmem_alloc() for early page tables,
 *   page_alloc_init(), after which the bootmem_* calls must not be used.
 *
 * page_alloc_init() takes time independent of memory size: the frame table
 * is set up a section (2^MAX_ORDER pages) at a time, by an allocation that
 * finds nothing free in what is set up, and by page_alloc_deferred_step()
 * from the boot CPU's idle loop. Memory not set up yet counts as free; an
 * allocation fails only when all of memory is set up and none fits.
 *
 * alloc_pages()/free_pages() may be called on any CPU, from any context
 * except NMI, with interrupts enabled or disabled: one IRQ-safe lock
 * serialises them.
 */
#ifndef KAIROS_PAGE_ALLOC_H
#define KAIROS_PAGE_ALLOC_H

#include <page.h>
#include <types.h>

/*
 * Largest block: 2^MAX_ORDER pages (16 MiB with 4 KiB pages): the largest
 * xmalloc(), which a CPU's timer heap of 2M timers needs.
 */
#define MAX_ORDER 12

/* Adds [start, end) as free RAM; unaligned edges are trimmed to pages. */
void bootmem_add_free(paddr_t start, paddr_t end);

/* Removes [start, end) from free RAM; edges widened to whole pages. */
void bootmem_reserve(paddr_t start, paddr_t end);

/*
 * Takes size bytes aligned to align (a power of two, at least a page) from
 * free boot memory, wholly below limit. Returns INVALID_PADDR if no range
 * fits. The memory is not zeroed.
 */
paddr_t bootmem_alloc(u64 size, u64 align, paddr_t limit);

/* Total bytes currently free in boot memory. */
u64 bootmem_free_bytes(void);

/*
 * Builds the buddy allocator from what is left of boot memory; its frame
 * table is itself taken from boot memory. Panics if that is impossible.
 */
void page_alloc_init(void);

/* True while some of the frame table is not set up. Any context; a hint. */
bool page_alloc_deferred_pending(void);

/*
 * Sets up one more section if any is left (a bounded amount of work, with
 * the allocator's lock held); returns true if more are left. Any CPU, any
 * context but NMI; the boot CPU's idle loop calls it.
 */
bool page_alloc_deferred_step(void);

/* Returns 2^order contiguous free pages, aligned to their size, or INVALID_PADDR. */
paddr_t alloc_pages(unsigned int order);

/* Frees pages that alloc_pages(order) returned; a mismatch is a BUG. */
void free_pages(paddr_t pa, unsigned int order);

/* The same through the direct map: NULL on failure. */
void *alloc_pages_virt(unsigned int order);
void free_pages_virt(void *va, unsigned int order);

struct page_alloc_stats {
	u64 total_pages;    /* pages handed to the allocator at init */
	u64 free_pages;	    /* pages free now, deferred ones included */
	u64 deferred_pages; /* free pages of sections not set up yet */
	u64 sections;	    /* sections of the frame table */
	u64 ready_sections; /* of which set up */
};

void page_alloc_get_stats(struct page_alloc_stats *stats);

#endif /* KAIROS_PAGE_ALLOC_H */
