/* Page tables and memory set-up (arch/x86/mm.c). */
#ifndef ASM_X86_MM_H
#define ASM_X86_MM_H

#include <asm/boot.h>

/* Uncached MMIO mappings live here (PML4 slot 384), never in the direct map. */
#define IOREMAP_VIRT_START 0xffffc00000000000UL
#define IOREMAP_VIRT_SIZE  (1UL << 39)

/*
 * Stacks of the secondary CPUs: slots of twice STACK_SIZE (PML4 slot 400),
 * the stack in the upper half, the lower half never mapped (the guard).
 */
#define STACKS_VIRT_START 0xffffc80000000000UL
#define STACK_SLOT_SIZE	  (2UL * STACK_SIZE)
#define STACKS_VIRT_SIZE  (1UL << 39)

/* The physical range the AP trampoline will use, kept out of the allocator. */
#define TRAMPOLINE_PHYS	    0x8000UL
#define LOW_MEMORY_RESERVED 0x100000UL /* the first MiB, as Xen and Linux do */

#ifndef __ASSEMBLY__
#include <bootinfo.h>
#include <types.h>

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

/*
 * Allocates a stack with an unmapped guard below it; returns its lowest
 * address, or NULL when out of memory. Any CPU, interrupts enabled or not.
 */
void *alloc_guarded_stack(void);

/* True if addr lies in a stack alloc_guarded_stack() returned: [*lo, *hi). */
bool guarded_stack_bounds(unsigned long addr, unsigned long *lo,
			  unsigned long *hi);

/*
 * Page tables for the AP trampoline: the hypervisor's, plus an identity
 * mapping of the low 2 MiB; the top-level table lies below 4 GiB so that
 * 32-bit code can load it. Returns its physical address. Boot CPU only.
 */
paddr_t trampoline_page_tables(void);

/*
 * Copies the hypervisor's half of the top-level table (slots 256-511,
 * all supervisor-only) into a guest's pml4. Those slots never change
 * after boot, so a copy stays right. Any context.
 */
void copy_hypervisor_mappings(u64 *pml4);

/* Physical address of the hypervisor's own top-level page table. */
paddr_t idle_page_table(void);

/* What the live page tables say about one virtual address. */
struct mapping_info {
	bool present;
	bool writable;
	bool executable;
	paddr_t pa; /* valid if present */
};

/* Walks the current page tables for va (any context, read-only). */
struct mapping_info mm_lookup(unsigned long va);

#endif /* !__ASSEMBLY__ */
#endif /* ASM_X86_MM_H */
