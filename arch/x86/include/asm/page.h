/*
 * x86-64 virtual memory layout (4-level paging, 48-bit addresses):
 *
 *   0xffff800000000000  direct map of all RAM (PML4 slot 256), NX
 *   0xffffffff80000000  the hypervisor image (PML4 slot 511, -2 GiB), so
 *                       that -mcmodel=kernel addressing reaches it
 *
 * The image is loaded at physical KERNEL_PHYS_START by the boot loader.
 */
#ifndef ASM_X86_PAGE_H
#define ASM_X86_PAGE_H

#define PAGE_SHIFT 12

#define DIRECTMAP_VIRT_START 0xffff800000000000UL
#define KERNEL_VIRT_BASE     0xffffffff80000000UL
#define KERNEL_PHYS_START    0x200000UL

#endif /* ASM_X86_PAGE_H */
