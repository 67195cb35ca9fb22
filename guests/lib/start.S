/*
 * Guest entry points (include/public/start_info.h, shared_info.h).
 *
 * _start: every vCPU begins here with %rdi = the start-info page, %rsi =
 * its vCPU number and %rsp = the top of its own stack, 16-byte aligned:
 * no return address has been pushed, so this is not a C function. The
 * stack top goes to guest_start() as the third argument (%rdx) so the
 * runtime can tell the vCPUs apart by their stacks. %rsp is 16-byte
 * aligned at the call, as the System V ABI wants.
 *
 * guest_upcall_entry: the hypervisor enters here with %rsp pointing at a
 * struct upcall_frame {rflags, rip} it pushed 128 bytes (the red zone)
 * below the interrupted %rsp, every other register the interrupted
 * code's, and evtchn_upcall_mask set. Saves all general registers and the
 * FPU/SSE state (C code may use SSE), calls guest_upcall() on an aligned
 * stack with DF clear and a default MXCSR, restores, and returns with
 * `popfq; ret $128` (rflags, rip, and the interrupted %rsp).
 */

	.text

	.globl	_start
	.type	_start, @function
_start:
	mov	%rsp, %rdx
	xor	%ebp, %ebp
	call	guest_start
	ud2
	.size	_start, . - _start

	.globl	guest_upcall_entry
	.type	guest_upcall_entry, @function
guest_upcall_entry:
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
	mov	%rsp, %rbx		/* callee-saved: survives the call */
	sub	$512, %rsp
	and	$-16, %rsp
	fxsave64 (%rsp)
	cld
	sub	$16, %rsp		/* keeps the alignment */
	movl	$0x1f80, (%rsp)		/* MXCSR: the power-on default */
	ldmxcsr	(%rsp)
	add	$16, %rsp
	fninit
	call	guest_upcall
	fxrstor64 (%rsp)
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
	popfq
	ret	$128
	.size	guest_upcall_entry, . - guest_upcall_entry

/*
 * long hypercall_regdump(const uint64_t in[REGDUMP_N], uint64_t out[REGDUMP_N],
 *                        int set_df)   (guests/lib/hypercall.h)
 * Offsets: rax 0, rdi 8, rsi 16, rdx 24, r10 32, r8 40, rbx 48, rcx 56,
 * rbp 64, r9 72, r11 80, r12 88, r13 96, r14 104, r15 112, xmm0 120,
 * xmm15 136, rflags 152.
 */
	.globl	hypercall_regdump
	.type	hypercall_regdump, @function
hypercall_regdump:
	push	%rbp
	push	%rbx
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	push	%rsi			/* out */
	push	%rdx			/* set_df */
	mov	%rdi, %rax
	movdqu	120(%rax), %xmm0
	movdqu	136(%rax), %xmm15
	mov	8(%rax), %rdi
	mov	16(%rax), %rsi
	mov	24(%rax), %rdx
	mov	32(%rax), %r10
	mov	40(%rax), %r8
	mov	48(%rax), %rbx
	mov	56(%rax), %rcx
	mov	64(%rax), %rbp
	mov	72(%rax), %r9
	mov	80(%rax), %r11
	mov	88(%rax), %r12
	mov	96(%rax), %r13
	mov	104(%rax), %r14
	mov	112(%rax), %r15
	cmpl	$0, (%rsp)
	mov	0(%rax), %rax		/* mov leaves the flags alone */
	je	1f
	std
1:	int	$0x82
	pushfq				/* flags 0, set_df 8, out 16 */
	cld
	push	%rax			/* result 0, flags 8, set_df 16, out 24 */
	mov	24(%rsp), %rax
	mov	%rdi, 8(%rax)
	mov	%rsi, 16(%rax)
	mov	%rdx, 24(%rax)
	mov	%r10, 32(%rax)
	mov	%r8, 40(%rax)
	mov	%rbx, 48(%rax)
	mov	%rcx, 56(%rax)
	mov	%rbp, 64(%rax)
	mov	%r9, 72(%rax)
	mov	%r11, 80(%rax)
	mov	%r12, 88(%rax)
	mov	%r13, 96(%rax)
	mov	%r14, 104(%rax)
	mov	%r15, 112(%rax)
	movdqu	%xmm0, 120(%rax)
	movdqu	%xmm15, 136(%rax)
	pop	%rcx
	mov	%rcx, 0(%rax)
	pop	%rcx
	mov	%rcx, 152(%rax)
	add	$16, %rsp
	mov	0(%rax), %rax
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
	ret
	.size	hypercall_regdump, . - hypercall_regdump

	.section .note.GNU-stack, "", @progbits
