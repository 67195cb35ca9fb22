/*
 * The guest's own page tables, walked by the hypervisor
 * (arch/x86/hvm/guest_walk.c): a guest linear address to the
 * guest-physical one the guest's paging mode gives, with the page fault
 * the guest would take if it cannot (Intel SDM Vol. 3A, chapter 4
 * "Paging"; AMD APM Vol. 2, 5). Used to fetch the instruction of an exit
 * that needs decoding and the memory operands of string I/O.
 *
 * Modes: paging off (identity), 32-bit paging (4 MiB pages with CR4.PSE,
 * PSE-36 high bits), PAE, 4-level and 5-level (CR4.LA57) long mode with
 * 2 MiB and 1 GiB pages. Checked: present, R/W (supervisor writes too when
 * CR0.WP), U/S, NX with EFER.NXE, reserved bits (physical-address bits at
 * and above MAXPHYADDR, NX without EFER.NXE, PS where it cannot be, a
 * large page's low address bits). Not done: setting the accessed and
 * dirty bits (the CPU set them in its own walk before the exit), SMEP,
 * SMAP and protection keys. PAE's four PDPTEs are read from memory at
 * each walk, where the CPU loads them at a CR3 write.
 *
 * Concurrency: pure functions of the context and what read_gpa returns.
 */
#ifndef ASM_X86_HVM_GUEST_WALK_H
#define ASM_X86_HVM_GUEST_WALK_H

#include <types.h>

struct guest_walk_ctx {
	u64 cr0, cr3, cr4, efer; /* the guest's (EFER without SVME) */
	u8 maxphyaddr;		 /* physical address bits; 0 means 52 */
	/* Reads len bytes of guest-physical memory: 0, or -EFAULT if not RAM. */
	int (*read_gpa)(void *opaque, u64 gpa, void *buf, size_t len);
	void *opaque;
};

#define GUEST_WALK_WRITE 0x1
#define GUEST_WALK_USER	 0x2 /* from CPL 3 */
#define GUEST_WALK_FETCH 0x4

/* #PF error code bits (SDM Vol. 3A, 4.7). */
#define PF_ERR_PRESENT 0x01
#define PF_ERR_WRITE   0x02
#define PF_ERR_USER    0x04
#define PF_ERR_RSVD    0x08
#define PF_ERR_FETCH   0x10

/*
 * Translates linear: 0 and *gpa; -EFAULT with *pf_error the #PF error
 * code; -EINVAL for a non-canonical address in long mode (a #GP, not a
 * #PF); -EIO if a paging-structure entry is not in RAM.
 */
int guest_walk(const struct guest_walk_ctx *ctx, u64 linear,
	       unsigned int access, u64 *gpa, u32 *pf_error);

/*
 * Copies len bytes of guest linear memory into buf, across pages; the
 * errors of guest_walk(), with *fault_linear the address that failed.
 */
int guest_read_linear(const struct guest_walk_ctx *ctx, u64 linear, void *buf,
		      size_t len, unsigned int access, u32 *pf_error,
		      u64 *fault_linear);

#endif /* ASM_X86_HVM_GUEST_WALK_H */
