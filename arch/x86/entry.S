/*
 * Exception, interrupt and hypercall entry. Every vector has a 16-byte
 * stub that makes the frame uniform (error code, vector) and jumps to
 * common_entry, which saves the registers as a struct cpu_user_regs and
 * calls do_trap().
 *
 * From ring 3 the CPU switches to TSS.RSP0, the top of the CPU's own
 * stack, so a guest's frame always sits at the same place
 * (guest_cpu_user_regs()); swapgs brings in the hypervisor's %gs base
 * for per-CPU data. The way back to ring 3 goes through exit_to_guest()
 * (arch/x86/domain.c): softirqs, perhaps a switch to another vCPU, then
 * the upcall if an event waits.
 *
 * NMI, #DF and #MC run on their own stacks and may arrive in ring 0
 * while the guest's %gs base is still loaded (the few instructions
 * around swapgs), so they decide by reading MSR_GS_BASE: the
 * hypervisor's base is an upper-half address, a guest's never is.
 */
#include <asm/desc.h>

/* Vectors whose exceptions push an error code (SDM Vol. 3A, table 7-1). */
#define HAS_ERROR_CODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)
#define IS_PARANOID(v)	  ((v) == X86_EXC_NMI || (v) == X86_EXC_DF || (v) == X86_EXC_MC)

#define MSR_GS_BASE 0xc0000101
/* Offset of the saved CS from %rsp in a stub (vector and error code pushed). */
#define STUB_CS 24
/* Offset of the saved CS in a complete struct cpu_user_regs. */
#define REGS_CS (18 * 8)

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
	.if	IS_PARANOID(vec)
	jmp	paranoid_entry
	.else
	jmp	common_entry
	.endif
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

.macro SAVE_ALL
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
.endm

.macro RESTORE_ALL
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
.endm

/* Calls do_trap(regs) with a frame record, so backtraces go on. */
.macro CALL_DO_TRAP
	mov	%rsp, %rdi
	pushq	17 * 8(%rsp)		/* regs->rip */
	pushq	%rbp
	mov	%rsp, %rbp
	call	do_trap
	add	$16, %rsp
.endm

common_entry:
	testb	$3, STUB_CS(%rsp)
	jz	1f
	swapgs
1:	SAVE_ALL
	CALL_DO_TRAP
	testb	$3, REGS_CS(%rsp)
	jnz	ret_to_guest
	RESTORE_ALL
	iretq

/*
 * The way out to ring 3, with %rsp at the guest's frame on top of this
 * CPU's stack: from an entry, or after a context switch reset the stack
 * (context_switch() jumps here). exit_to_guest() returns with interrupts
 * off and the frame ready.
 */
	.globl ret_to_guest
ret_to_guest:
	mov	%rsp, %rdi
	call	exit_to_guest
	RESTORE_ALL
	swapgs
	iretq

paranoid_entry:
	SAVE_ALL
	xor	%ebx, %ebx		/* %rbx: 1 if we swapped */
	mov	$MSR_GS_BASE, %ecx
	rdmsr
	test	%edx, %edx
	js	1f			/* the hypervisor's base already */
	swapgs
	mov	$1, %ebx
1:	CALL_DO_TRAP
	test	%ebx, %ebx
	jz	2f
	swapgs
2:	RESTORE_ALL
	iretq
