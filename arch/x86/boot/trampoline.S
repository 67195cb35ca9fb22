/*
 * The AP trampoline: where a STARTUP IPI lands. The boot CPU copies
 * [trampoline_start, trampoline_end) to TRAMPOLINE_PHYS, below 1 MiB, and
 * patches trampoline_cr3 before sending the IPIs (SDM Vol. 3A, 9.4.4: the
 * vector of a STARTUP IPI is the 4 KiB page where the AP starts in real
 * mode, CS = vector << 8, IP = 0).
 *
 * Real mode -> 32-bit protected mode -> long mode, on the trampoline's own
 * GDT and the page tables at trampoline_cr3 (the hypervisor's, plus an
 * identity mapping of the trampoline page), then a jump to ap_entry64 in
 * the higher half. Every AP runs this at once: nothing here is written.
 */
#include <asm/boot.h>
#include <asm/mm.h>

#define TRAMP(sym) (TRAMPOLINE_PHYS + ((sym) - trampoline_start))

#define TRAMP_CS32 0x08
#define TRAMP_DS   0x10
#define TRAMP_CS64 0x18

	.section .rodata.trampoline, "a"
	.balign 16
	.globl trampoline_start, trampoline_end, trampoline_cr3
	.code16
trampoline_start:
	cli
	cld
	mov	%cs, %ax
	mov	%ax, %ds
	lgdtl	(trampoline_gdt_ptr - trampoline_start)
	mov	%cr0, %eax
	or	$X86_CR0_PE, %eax
	mov	%eax, %cr0
	ljmpl	$TRAMP_CS32, $TRAMP(trampoline_32)

	.code32
trampoline_32:
	mov	$TRAMP_DS, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	mov	%cr4, %eax
	or	$X86_CR4_PAE, %eax
	mov	%eax, %cr4
	mov	TRAMP(trampoline_cr3), %eax
	mov	%eax, %cr3
	/* NXE before paging: the hypervisor's tables use the NX bit. */
	mov	$MSR_EFER, %ecx
	rdmsr
	or	$(EFER_LME | EFER_NXE), %eax
	wrmsr
	mov	%cr0, %eax
	or	$(X86_CR0_PG | X86_CR0_WP | X86_CR0_PE), %eax
	mov	%eax, %cr0
	ljmp	$TRAMP_CS64, $TRAMP(trampoline_64)

	.code64
trampoline_64:
	movabs	$ap_entry64, %rax
	jmp	*%rax

	.balign 8
trampoline_gdt:
	.quad	0
	.quad	0x00cf9a000000ffff	/* 0x08: 32-bit code */
	.quad	0x00cf92000000ffff	/* 0x10: data */
	.quad	0x00af9a000000ffff	/* 0x18: 64-bit code */
trampoline_gdt_end:
trampoline_gdt_ptr:
	.short	trampoline_gdt_end - trampoline_gdt - 1
	.long	TRAMP(trampoline_gdt)
	.balign 4
trampoline_cr3:
	.long	0
trampoline_end:

/*
 * 64-bit AP entry, in the higher half but still on the trampoline's page
 * tables and GDT. Finds this CPU's number by its APIC ID, takes its stack
 * and calls start_secondary(cpu).
 */
	.section .text.entry, "ax"
	.code64
ap_entry64:
	/* The x2APIC ID (CPUID leaf 0xb) if the leaf exists, else leaf 1's. */
	xor	%eax, %eax
	cpuid
	cmp	$0xb, %eax
	jb	1f
	mov	$0xb, %eax
	xor	%ecx, %ecx
	cpuid
	test	%ebx, %ebx
	jz	1f
	mov	%edx, %r8d
	jmp	2f
1:	mov	$1, %eax
	cpuid
	shr	$24, %ebx
	mov	%ebx, %r8d
2:	/* Scan ap_apic_id[1..nr_cpu_ids) for it. */
	mov	nr_cpu_ids(%rip), %ecx
	mov	$1, %edi
3:	cmp	%ecx, %edi
	jae	4f
	lea	cpu_apic_id(%rip), %rax
	cmp	(%rax, %rdi, 4), %r8d
	je	5f
	inc	%edi
	jmp	3b
4:	/* Not a CPU we started: stop here, quietly. */
	cli
	hlt
	jmp	4b
5:	/* The hypervisor's page tables map everything allocated since. */
	mov	ap_idle_cr3(%rip), %rax
	mov	%rax, %cr3
	lea	cpu_stack_top(%rip), %rax
	mov	(%rax, %rdi, 8), %rsp
	xor	%ebp, %ebp
	call	start_secondary
	ud2
