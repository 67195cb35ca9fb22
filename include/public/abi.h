/*
 * The Kairos guest ABI: how a paravirtual guest calls the hypervisor.
 * docs/guest-abi.md is the prose reference; this header and its siblings
 * in include/public/ are the normative one. They are shared verbatim by
 * the hypervisor and by guests, so they use only <stdint.h> types and
 * never change a published layout: new calls and fields get new numbers.
 *
 * Calling convention (x86-64): `int $0x82` from ring 3 with the call
 * number in %rax and up to five arguments in %rdi, %rsi, %rdx, %r10, %r8
 * (the System V syscall registers). The result comes back in %rax: zero
 * or a positive value on success, a negative KERR_* code on failure.
 * Every other register, the flags and the FPU/SSE state are preserved.
 * Pointer arguments are guest virtual addresses; the hypervisor reads
 * and writes them with the guest's own permissions and returns
 * -KERR_EFAULT for any byte it cannot reach.
 */
#ifndef KAIROS_PUBLIC_ABI_H
#define KAIROS_PUBLIC_ABI_H

#include <stdint.h>

/* major << 16 | minor; a guest refuses a different major. */
#define KAIROS_ABI_VERSION	0x00010000u
#define KAIROS_ABI_MAJOR(v)	((v) >> 16)
#define KAIROS_HYPERCALL_VECTOR 0x82

/* Call numbers (%rax). */
#define HYPERCALL_version	   0 /* () -> KAIROS_ABI_VERSION */
#define HYPERCALL_console_io	   1 /* console.h */
#define HYPERCALL_set_timer_op	   2 /* (int64_t deadline_ns): sched.h */
#define HYPERCALL_vcpu_op	   3 /* vcpu.h */
#define HYPERCALL_sched_op	   4 /* sched.h */
#define HYPERCALL_event_channel_op 5 /* event_channel.h */
#define HYPERCALL_set_callbacks	   6 /* (uint64_t upcall_entry): shared_info.h */
#define HYPERCALL_domain_op	   7 /* domain.h */
#define NR_HYPERCALLS		   8

/*
 * Error codes, returned negated. The values are the hypervisor's own
 * (include/errno.h) and part of the ABI.
 */
#define KERR_EPERM     1   /* not allowed for this domain or vCPU */
#define KERR_ENOENT    2   /* no such domain or port */
#define KERR_E2BIG     7   /* a size above the documented maximum */
#define KERR_ENOMEM    12  /* the hypervisor is out of memory */
#define KERR_EFAULT    14  /* a guest pointer the hypervisor cannot use */
#define KERR_EBUSY     16  /* already bound or in use */
#define KERR_EEXIST    17  /* already exists */
#define KERR_EINVAL    22  /* a bad argument (number, flag, time) */
#define KERR_ENOSPC    28  /* no free port */
#define KERR_ENOSYS    38  /* no such call or sub-command */
#define KERR_ETIME     62  /* a deadline that has already passed */
#define KERR_ETIMEDOUT 110 /* a poll whose timeout expired first */

/*
 * Guest virtual address layout. The hypervisor maps the start-info page
 * read-only and the shared-info page read-write, both not executable;
  * the image's segments follow its program headers from
 * GUEST_IMAGE_VADDR_MIN; the vCPU stacks (each above an unmapped guard
 * page) and then the heap come after the image, from the next 2 MiB
 * boundary plus 2 MiB (start_info.h gives the heap; each vCPU starts with
 * %rsp at the top of its own stack). Everything at or above
 * GUEST_VADDR_END belongs to the hypervisor and is never reachable.
 */
#define GUEST_START_INFO_VADDR	UINT64_C(0x200000)
#define GUEST_SHARED_INFO_VADDR UINT64_C(0x201000)
#define GUEST_IMAGE_VADDR_MIN	UINT64_C(0x400000)
#define GUEST_VADDR_END		UINT64_C(0x800000000000)
#define GUEST_PAGE_SIZE		UINT64_C(4096)

#endif /* KAIROS_PUBLIC_ABI_H */
