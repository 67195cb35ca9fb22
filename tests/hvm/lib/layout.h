/*
 * Constants shared by the C runtime and its assembly (entry.S,
 * trampoline.S, vectors.S): plain numbers, no C.
 */
#ifndef HVM_LAYOUT_H
#define HVM_LAYOUT_H

/* ---- Memory layout --------------------------------------------------- */

#define MAX_CPUS	32
#define CPU_STACK_SHIFT 14 /* 16 KiB per CPU; the stack names the CPU */
#define CPU_STACK_SIZE	(1 << CPU_STACK_SHIFT)
#define AP_TRAMPOLINE_BASE \
	0x8000 /* SIPI vector 0x08; below Kairos's MBI at 0x9000 */
#define AP_SIPI_VECTOR (AP_TRAMPOLINE_BASE >> 12)

/* The GDT (entry.S): the selectors every CPU runs with. */
#define GDT_CODE64 0x08
#define GDT_DATA   0x10
#define GDT_CODE32 0x18

/* ---- Multiboot (version 1, "Multiboot Specification 0.6.96") -------- */

#define MB_HEADER_MAGIC	      0x1badb002
#define MB_HEADER_PAGE_ALIGN  0x00000001 /* modules on 4 KiB boundaries */
#define MB_HEADER_MEMORY_INFO 0x00000002 /* mem_* and mmap_* wanted */
#define MB_BOOTLOADER_MAGIC   0x2badb002 /* in EAX at the entry */

/* The value written to the isa-debug-exit port (tests/harness/boot.py). */
#define DEBUG_EXIT_PORT 0xf4
#define DEBUG_EXIT_PASS 0x10
#define DEBUG_EXIT_FAIL 0x11

/* ---- Control registers and MSRs (Intel SDM Vol. 3A 2.5; Vol. 4) ----- */

#define CR0_PE	(1 << 0)
#define CR0_NE	(1 << 5)
#define CR0_WP	(1 << 16)
#define CR0_NW	(1 << 29)
#define CR0_CD	(1 << 30)
#define CR0_PG	0x80000000
#define CR4_PAE (1 << 5)

#define MSR_IA32_TSC	      0x10
#define MSR_IA32_APIC_BASE    0x1b
#define MSR_IA32_TSC_ADJUST   0x3b
#define MSR_IA32_TSC_DEADLINE 0x6e0
#define MSR_X2APIC_BASE	      0x800 /* + xAPIC MMIO offset / 16 (SDM 10.12.1.2) */
#define MSR_EFER	      0xc0000080
#define EFER_LME	      (1 << 8)
#define EFER_NXE	      (1 << 11)

/* Page-table entry bits (SDM Vol. 3A 4.5, tables 4-15 to 4-19). */
#define PTE_P	0x001
#define PTE_W	0x002
#define PTE_PWT 0x008
#define PTE_PCD 0x010
#define PTE_PS	0x080

#endif /* HVM_LAYOUT_H */
