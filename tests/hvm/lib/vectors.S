/*
 * The 256 interrupt and exception entry stubs and their common path.
 *
 * Stub N is at vector_stubs + 16 * N (traps.c builds the IDT from that):
 * it pushes a zero where the CPU pushes no error code (every vector but
 * 8, 10-14, 17, 21, 29 and 30: SDM Vol. 3A 6.15, AMD APM Vol. 2 8.2), then
 * N, and joins trap_common, which saves the general registers as a
 * struct trap_frame (traps.h), calls trap_dispatch(frame) with DF clear
 * on a 16-byte aligned stack, restores (trap_dispatch may have changed
 * the frame: a fix-up moves RIP) and returns with IRETQ. No FPU/SSE
 * state is saved: the kernels are built with -mgeneral-regs-only.
 */
	.text
	.macro	vector_stub n
	.balign	16
	.if (\n == 8) || ((\n >= 10) && (\n <= 14)) || (\n == 17) || (\n == 21) || (\n == 29) || (\n == 30)
	.else
	pushq	$0
	.endif
	pushq	$\n
	jmp	trap_common
	.endm

	.balign	16
	.globl	vector_stubs
vector_stubs:
	.altmacro
	.set	vec, 0
	.rept	256
	vector_stub %vec
	.set	vec, vec + 1
	.endr
	.noaltmacro
	/* Fails to assemble ("backwards") if a stub outgrew its 16 bytes. */
	.org	vector_stubs + 256 * 16

	.type	trap_common, @function
trap_common:
	push	%rax
	push	%rbx
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi
	push	%rbp
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	mov	%rsp, %rdi
	mov	%rsp, %rbx		/* callee-saved: survives the call */
	and	$-16, %rsp
	cld
	call	trap_dispatch
	mov	%rbx, %rsp
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rbp
	pop	%rdi
	pop	%rsi
	pop	%rdx
	pop	%rcx
	pop	%rbx
	pop	%rax
	add	$16, %rsp		/* vector and error code */
	iretq
	.size	trap_common, . - trap_common
