/*
 * far_return_to(target) and iret_to(target), for mode=noncanonical: an
 * LRETQ and an IRETQ to target in the 64-bit code segment, on the
 * caller's stack. With a non-canonical target hardware raises #GP(0) at
 * the instruction, nothing popped (SDM Vol. 2, RET and IRET; AMD APM
 * Vol. 3, RETF and IRETQ); the fix-ups resume at noncanonical_resume,
 * which takes the stack back from RBX (callee-saved, kept across the
 * trap) and returns to the caller. Neither returns otherwise: the
 * transfer would run at target.
 */
#include "layout.h"

	.text
	.globl	far_return_to
	.type	far_return_to, @function
far_return_to:
	push	%rbx
	mov	%rsp, %rbx
	pushq	$GDT_CODE64
	pushq	%rdi
1:	lretq
	.size	far_return_to, . - far_return_to

	.globl	iret_to
	.type	iret_to, @function
iret_to:
	push	%rbx
	mov	%rsp, %rbx
	pushq	$GDT_DATA	/* SS */
	pushq	%rbx		/* RSP */
	pushfq
	pushq	$GDT_CODE64
	pushq	%rdi
2:	iretq
	.size	iret_to, . - iret_to

	.globl	noncanonical_resume
	.type	noncanonical_resume, @function
noncanonical_resume:
	mov	%rbx, %rsp
	pop	%rbx
	ret
	.size	noncanonical_resume, . - noncanonical_resume

	.pushsection .fixup_table, "a"
	.balign	8
	.quad	1b, noncanonical_resume
	.quad	2b, noncanonical_resume
	.popsection
