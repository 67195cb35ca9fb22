/*
 * Pages and the direct map: every byte of RAM is mapped once, read-write and
 * not executable, at DIRECTMAP_VIRT_START + its physical address.
 */
#ifndef KAIROS_PAGE_H
#define KAIROS_PAGE_H

#include <asm/page.h>
#include <types.h>

#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))

#define PFN_DOWN(pa) ((pa) >> PAGE_SHIFT)
#define PFN_UP(pa)   (((pa) + PAGE_SIZE - 1) >> PAGE_SHIFT)

/* A physical address no allocator ever returns. */
#define INVALID_PADDR (~(paddr_t)0)

/* Direct-map conversions; valid only for RAM. */
static inline void *maddr_to_virt(paddr_t pa)
{
	return (void *)(uintptr_t)(pa + DIRECTMAP_VIRT_START);
}

static inline paddr_t virt_to_maddr(const void *va)
{
	return (paddr_t)((uintptr_t)va - DIRECTMAP_VIRT_START);
}

#endif /* KAIROS_PAGE_H */
