/* Constants shared by the 32-bit entry and C code. */
#ifndef ASM_X86_BOOT_H
#define ASM_X86_BOOT_H

/* Stacks: one page of guard below each (unmapped once paging is final). */
#define STACK_ORDER 2
#define STACK_SIZE  (4096 << STACK_ORDER)

/* GDT selectors (arch/x86/desc.c builds the runtime GDT in this order). */
#define __HYPERVISOR_CS 0x08
#define __HYPERVISOR_DS 0x10
#define __USER_CS32	0x18 /* reserved for SYSRET's layout */
#define __USER_DS	0x23
#define __USER_CS	0x2b
#define __TSS_SEL	0x30

/*
 * Control-register and MSR bits the entry code and the CPU set-up use
 * (SDM Vol. 3A, 2.5; XSAVE: 13.1).
 */
#define X86_CR0_PE	   (1 << 0)
#define X86_CR0_MP	   (1 << 1)
#define X86_CR0_EM	   (1 << 2)
#define X86_CR0_TS	   (1 << 3)
#define X86_CR0_NE	   (1 << 5)
#define X86_CR0_WP	   (1 << 16)
#define X86_CR0_PG	   (1 << 31)
#define X86_CR4_PAE	   (1 << 5)
#define X86_CR4_PGE	   (1 << 7)
#define X86_CR4_OSFXSR	   (1 << 9)
#define X86_CR4_OSXMMEXCPT (1 << 10)
#define X86_CR4_UMIP	   (1 << 11)
#define X86_CR4_OSXSAVE	   (1 << 18)
#define X86_CR4_SMEP	   (1 << 20)
#define X86_CR4_SMAP	   (1 << 21)
#define MSR_EFER	   0xc0000080
#define EFER_SCE	   (1 << 0)
#define EFER_LME	   (1 << 8)
#define EFER_NXE	   (1 << 11)

#endif /* ASM_X86_BOOT_H */
