/*
 * Exception and interrupt entry. Every vector has a 16-byte stub that makes
 * the frame uniform (error code, vector) and jumps to common_entry, which
 * saves the registers as a struct cpu_user_regs and calls do_trap().
 *
 * All entries come from ring 0 for now; the ring-3 path (swapgs, softirqs
 * on the way out) arrives with guests.
 */
#include <asm/desc.h>

/* Vectors whose exceptions push an error code (SDM Vol. 3A, table 7-1). */
#define HAS_ERROR_CODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

	.section .text.entry, "ax"

	.balign 16
	.globl exception_entry
exception_entry:
	.set	vec, 0
	.rept	NR_EXCEPTIONS
	.balign	16
	.if	!HAS_ERROR_CODE(vec)
	pushq	$0
	.endif
	pushq	$vec
	jmp	common_entry
	.set	vec, vec + 1
	.endr

	.balign 16
	.globl irq_entry
irq_entry:
	.set	vec, NR_EXCEPTIONS
	.rept	256 - NR_EXCEPTIONS
	.balign	16
	pushq	$0
	pushq	$vec
	jmp	common_entry
	.set	vec, vec + 1
	.endr

common_entry:
	pushq	%rdi
	pushq	%rsi
	pushq	%rdx
	pushq	%rcx
	pushq	%rax
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%rbx
	pushq	%rbp
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	cld
	mov	%rsp, %rdi
	/* A frame record for the interrupted context, so backtraces go on. */
	pushq	17 * 8(%rsp)		/* regs->rip */
	pushq	%rbp
	mov	%rsp, %rbp
	call	do_trap
	add	$16, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbp
	popq	%rbx
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rax
	popq	%rcx
	popq	%rdx
	popq	%rsi
	popq	%rdi
	add	$16, %rsp		/* vector and error code */
	iretq
