/* Page-table entry bits (SDM Vol. 3A, 5.5.5, tables 5-15 to 5-20). */
#ifndef ASM_X86_PTE_H
#define ASM_X86_PTE_H

#define _PAGE_PRESENT (1UL << 0)
#define _PAGE_RW      (1UL << 1)
#define _PAGE_USER    (1UL << 2)
#define _PAGE_PWT     (1UL << 3)
#define _PAGE_PCD     (1UL << 4)
#define _PAGE_PSE     (1UL << 7)
#define _PAGE_GLOBAL  (1UL << 8)
#define _PAGE_NX      (1UL << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000UL

/* The first top-level slot of the upper (hypervisor) half. */
#define PML4_FIRST_HYPERVISOR_SLOT 256

#endif /* ASM_X86_PTE_H */
