/*
 * Host unit-test stand-in for arch/x86/include/asm/page.h: "physical"
 * addresses are the test process's own addresses, so the direct map is the
 * identity.
 */
#ifndef HOST_ASM_PAGE_H
#define HOST_ASM_PAGE_H

#define PAGE_SHIFT	     12
#define DIRECTMAP_VIRT_START 0UL

#endif /* HOST_ASM_PAGE_H */
