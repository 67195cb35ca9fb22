/*
 * The guest-memory copy loops (include/uaccess.h has the interface and
 * does the range check first). Both copy len bytes from src to dst with
 * `rep movsb` and return how many were NOT copied: 0, or what was left
 * when the copy faulted on a guest address. The fault (#PF, or #GP) finds
 * the `rep movsb` in the exception table (asm/extable.h) and resumes at
 * the fixup label, which is also the normal way out: %rcx holds the count
 * of the iterations left in both cases.
 *
 * The SMAP variant opens supervisor access to user pages (stac, RFLAGS.AC)
 * for exactly the copy and closes it (clac) on both ways out; stac and
 * clac are #UD on a CPU without SMAP, hence two routines, chosen in C by
 * cpu_has_smap().
 *
 * unsigned long __copy_guest_smap(void *dst, const void *src,
 *				   unsigned long len);
 * unsigned long __copy_guest_nosmap(void *dst, const void *src,
 *				     unsigned long len);
 */
#include <asm/extable.h>

	.text

	.globl	__copy_guest_smap
	.type	__copy_guest_smap, @function
__copy_guest_smap:
	mov	%rdx, %rcx
	stac
1:	rep movsb
2:	clac
	mov	%rcx, %rax
	ret
	_ASM_EXTABLE(1b, 2b)
	.size	__copy_guest_smap, . - __copy_guest_smap

	.globl	__copy_guest_nosmap
	.type	__copy_guest_nosmap, @function
__copy_guest_nosmap:
	mov	%rdx, %rcx
3:	rep movsb
4:	mov	%rcx, %rax
	ret
	_ASM_EXTABLE(3b, 4b)
	.size	__copy_guest_nosmap, . - __copy_guest_nosmap
