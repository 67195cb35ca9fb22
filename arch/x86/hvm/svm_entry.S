/*
 * The VMRUN loop (AMD64 APM Vol. 2, 15.5 "VMRUN Instruction" and 15.17
 * "Global Interrupt Flag"), after Xen's svm/entry.S.
 *
 * %rsp sits at the guest's register frame on top of this CPU's stack
 * (a struct cpu_user_regs, as for a paravirtual vCPU: context_switch()
 * copies it in and out), so no vCPU owns a hypervisor stack here either.
 * svm_enter_prepare() runs softirqs (which may switch to another vCPU and
 * never come back), queues the events to inject and writes RIP, RSP,
 * RFLAGS and RAX into the VMCB; it returns with interrupts off and the
 * two VMCB addresses in %rax (the guest's) and %rdx (the host's VMSAVE
 * area).
 *
 * Then, with GIF clear (CLGI) so that no interrupt or NMI arrives while
 * the segment state is the guest's:
 *   STI          host RFLAGS.IF=1 saved by VMRUN: with V_INTR_MASKING the
 *                host's IF gates physical interrupts in the guest, and each
 *                one ends the guest's run (the INTR intercept)
 *   VMLOAD       the guest's FS, GS, TR, LDTR, KernelGsBase, STAR/LSTAR/
 *                CSTAR/SFMASK and SYSENTER MSRs (VMRUN does not load them)
 *   VMRUN        back here at #VMEXIT with the host's RSP, RAX, CR0/3/4,
 *                EFER, GDTR, IDTR and segments, GIF still clear
 *   VMSAVE       the guest's VMLOAD state, then VMLOAD the host's (until
 *                then %gs is the guest's: no per-CPU access, no NMI)
 *   STGI         the interrupt or NMI that ended the run is taken here
 * and svm_vmexit_handler() handles the exit.
 */
/* Offsets in struct cpu_user_regs (asm/regs.h). */
#define R15 0
#define R14 8
#define R13 16
#define R12 24
#define RBP 32
#define RBX 40
#define R11 48
#define R10 56
#define R9  64
#define R8  72
#define RCX 88
#define RDX 96
#define RSI 104
#define RDI 112

/* Below the frame while the guest runs: the two VMCB addresses. */
#define GUEST_VMCB 0
#define HOST_VMCB  8
#define SLOTS	   16

	.section .text, "ax"

	.globl svm_vmrun_loop
svm_vmrun_loop:
	mov	%rsp, %rdi
	call	svm_enter_prepare	/* interrupts off on return */
	sub	$SLOTS, %rsp
	mov	%rax, GUEST_VMCB(%rsp)
	mov	%rdx, HOST_VMCB(%rsp)
	clgi
	sti
	vmload	%rax
	mov	SLOTS + RBX(%rsp), %rbx
	mov	SLOTS + RCX(%rsp), %rcx
	mov	SLOTS + RDX(%rsp), %rdx
	mov	SLOTS + RSI(%rsp), %rsi
	mov	SLOTS + RDI(%rsp), %rdi
	mov	SLOTS + RBP(%rsp), %rbp
	mov	SLOTS + R8(%rsp), %r8
	mov	SLOTS + R9(%rsp), %r9
	mov	SLOTS + R10(%rsp), %r10
	mov	SLOTS + R11(%rsp), %r11
	mov	SLOTS + R12(%rsp), %r12
	mov	SLOTS + R13(%rsp), %r13
	mov	SLOTS + R14(%rsp), %r14
	mov	SLOTS + R15(%rsp), %r15
	/* %rax: the guest VMCB's address (the guest's RAX is in the VMCB) */
	vmrun	%rax
	.globl svm_vmrun_return
svm_vmrun_return:	/* where the host resumes: never a guest's RIP */
	mov	%rbx, SLOTS + RBX(%rsp)
	mov	%rcx, SLOTS + RCX(%rsp)
	mov	%rdx, SLOTS + RDX(%rsp)
	mov	%rsi, SLOTS + RSI(%rsp)
	mov	%rdi, SLOTS + RDI(%rsp)
	mov	%rbp, SLOTS + RBP(%rsp)
	mov	%r8, SLOTS + R8(%rsp)
	mov	%r9, SLOTS + R9(%rsp)
	mov	%r10, SLOTS + R10(%rsp)
	mov	%r11, SLOTS + R11(%rsp)
	mov	%r12, SLOTS + R12(%rsp)
	mov	%r13, SLOTS + R13(%rsp)
	mov	%r14, SLOTS + R14(%rsp)
	mov	%r15, SLOTS + R15(%rsp)
	mov	GUEST_VMCB(%rsp), %rax
	vmsave	%rax
	mov	HOST_VMCB(%rsp), %rax
	vmload	%rax
	add	$SLOTS, %rsp
	/* A frame record, so that backtraces from the handler end here. */
	xor	%ebp, %ebp
	stgi
	mov	%rsp, %rdi
	call	svm_vmexit_handler
	jmp	svm_vmrun_loop
