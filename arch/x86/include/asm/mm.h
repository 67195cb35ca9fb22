/* Page tables and memory set-up (arch/x86/mm.c). */
#ifndef ASM_X86_MM_H
#define ASM_X86_MM_H

#include <bootinfo.h>
#include <types.h>

/* Uncached MMIO mappings live here (PML4 slot 384), never in the direct map. */
#define IOREMAP_VIRT_START 0xffffc00000000000UL
#define IOREMAP_VIRT_SIZE  (1UL << 39)

/* The physical range the AP trampoline will use, kept out of the allocator. */
#define TRAMPOLINE_PHYS	    0x8000UL
#define LOW_MEMORY_RESERVED 0x100000UL /* the first MiB, as Xen and Linux do */

/*
 * Turns the firmware map into free memory (keeping the multiboot2 block at
 * info_pa, the image, the modules and the low megabyte), builds the final
 * page tables (direct map of RAM, the image with per-section permissions,
 * guard pages unmapped), switches to them and starts the page allocator.
 * Boot CPU only.
 */
void memory_init(const struct boot_info *bi, paddr_t info_pa);

/*
 * Maps size bytes of MMIO at pa uncached; returns the virtual address of pa,
 * or NULL if the ioremap area is exhausted. Boot CPU or with the caller's
 * own serialisation (the mapping never goes away).
 */
void *ioremap(paddr_t pa, size_t size);

/* What the live page tables say about one virtual address. */
struct mapping_info {
	bool present;
	bool writable;
	bool executable;
	paddr_t pa; /* valid if present */
};

/* Walks the current page tables for va (any context, read-only). */
struct mapping_info mm_lookup(unsigned long va);

#endif /* ASM_X86_MM_H */
