/*
 * Multiboot2 entry: the boot loader jumps to start32 in 32-bit protected
 * mode, paging off, EAX = magic, EBX = physical address of the information
 * block (Multiboot2 spec 3.3). We check the CPU, build nothing at run time
 * (the boot page tables are static), enter long mode and jump to the
 * higher-half C entry start_hypervisor(magic, info).
 *
 * Any failure before C prints a reason on COM1 and the VGA text screen and
 * halts: never a silent triple fault.
 */
#include <asm/boot.h>
#include <asm/page.h>
#include <multiboot2.h>

#define COM1 0x3f8

	.section .boot.header, "a"
	.balign 8
mb2_header:
	.long MULTIBOOT2_HEADER_MAGIC
	.long MULTIBOOT2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long -(MULTIBOOT2_HEADER_MAGIC + MULTIBOOT2_ARCH_I386 + (mb2_header_end - mb2_header))

	/* Console flags: we can drive EGA text, so GRUB may leave it on. */
	.balign 8
	.short MULTIBOOT2_HEADER_TAG_CONSOLE_FLAGS
	.short 0
	.long 12
	.long MULTIBOOT2_CONSOLE_FLAGS_EGA_TEXT_SUPPORTED

	/*
	 * Framebuffer, optional, any mode: without this tag GRUB's BIOS
	 * loader never leaves text mode. GRUB turns it into gfxpayload=auto
	 * when `multiboot2` runs; grub.cfg then says text for BIOS boots
	 * unless a VBE mode is asked for (tools/mkiso.sh).
	 */
	.balign 8
	.short MULTIBOOT2_HEADER_TAG_FRAMEBUFFER
	.short MULTIBOOT2_HEADER_TAG_OPTIONAL
	.long 20
	.long 0 /* width: any */
	.long 0 /* height: any */
	.long 0 /* depth: any */

	.balign 8
	.short MULTIBOOT2_HEADER_TAG_END
	.short 0
	.long 8
mb2_header_end:

	.section .boot.text, "ax"
	.code32
	.globl start32
start32:
	/*
	 * The boot timeline starts here (include/boot_timeline.h): the TSC
	 * first, before any other work. RDTSC is not optional on a CPU with
	 * long mode, which is checked below. The magic moves out of EAX first.
	 */
	mov	%eax, %edi		/* magic, kept for C */
	rdtsc
	mov	%eax, entry_tsc
	mov	%edx, entry_tsc + 4
	cli
	cld
	mov	%ebx, %esi		/* info block, kept for C */
	mov	$boot_stack32_top, %esp

	cmp	$MULTIBOOT2_BOOTLOADER_MAGIC, %edi
	mov	$msg_not_mb2, %ebx
	jne	early_fail

	/* CPUID exists iff EFLAGS.ID can be toggled (SDM Vol. 1, 19.1). */
	pushfl
	pop	%eax
	mov	%eax, %ecx
	xor	$(1 << 21), %eax
	push	%eax
	popfl
	pushfl
	pop	%eax
	xor	%ecx, %eax
	mov	$msg_no_cpuid, %ebx
	jz	early_fail

	mov	$0x80000000, %eax
	cpuid
	cmp	$0x80000001, %eax
	mov	$msg_no_lm, %ebx
	jb	early_fail
	mov	$0x80000001, %eax
	cpuid
	bt	$29, %edx		/* CPUID.80000001H:EDX.LM */
	jnc	early_fail
	bt	$20, %edx		/* CPUID.80000001H:EDX.NX */
	mov	$msg_no_nx, %ebx
	jnc	early_fail

	/* Long mode (SDM Vol. 3A, 10.8.5): PAE, CR3, EFER.LME, then CR0.PG. */
	mov	%cr4, %eax
	or	$X86_CR4_PAE, %eax
	mov	%eax, %cr4
	mov	$boot_pml4, %eax
	mov	%eax, %cr3
	mov	$MSR_EFER, %ecx
	rdmsr
	or	$(EFER_LME | EFER_NXE), %eax
	wrmsr
	mov	%cr0, %eax
	or	$(X86_CR0_PG | X86_CR0_WP | X86_CR0_PE), %eax
	mov	%eax, %cr0

	lgdt	boot_gdt_ptr
	ljmp	$__HYPERVISOR_CS, $start64_low

/*
 * Prints the NUL-terminated message at EBX on COM1 (programmed 115200 8N1
 * first: firmware may have left it at anything) and on the VGA text screen,
 * then halts for good.
 */
early_fail:
	mov	$(COM1 + 3), %dx
	mov	$0x80, %al		/* LCR: DLAB on */
	out	%al, %dx
	mov	$(COM1 + 0), %dx
	mov	$1, %al			/* divisor 1: 115200 baud */
	out	%al, %dx
	mov	$(COM1 + 1), %dx
	xor	%al, %al
	out	%al, %dx
	mov	$(COM1 + 3), %dx
	mov	$0x03, %al		/* LCR: 8 data bits, no parity, 1 stop */
	out	%al, %dx
	mov	$0xb8000, %edi
1:	movzbl	(%ebx), %eax
	test	%al, %al
	jz	3f
	mov	$100000, %ecx		/* bounded: a missing UART reads 0xff */
	mov	$(COM1 + 5), %dx
2:	in	%dx, %al
	test	$0x20, %al		/* LSR.THRE */
	jnz	4f
	loop	2b
4:	movzbl	(%ebx), %eax
	mov	$COM1, %dx
	out	%al, %dx
	mov	$0x4f, %ah		/* white on red */
	mov	%ax, (%edi)
	add	$2, %edi
	inc	%ebx
	jmp	1b
3:	cli
	hlt
	jmp	3b

	.code64
start64_low:
	mov	$__HYPERVISOR_DS, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	xor	%eax, %eax
	mov	%eax, %fs
	mov	%eax, %gs
	movabs	$start64_high, %rax
	jmp	*%rax

	.section .boot.data, "aw"
	/* Identity-mapped only: start64_high copies it to boot_entry_cycles. */
	.balign 8
entry_tsc:
	.quad	0

msg_not_mb2:
	.asciz	"Kairos: boot failed: not started by a Multiboot2 boot loader\r\n"
msg_no_cpuid:
	.asciz	"Kairos: boot failed: this CPU has no CPUID instruction\r\n"
msg_no_lm:
	.asciz	"Kairos: boot failed: this CPU does not support 64-bit long mode\r\n"
msg_no_nx:
	.asciz	"Kairos: boot failed: NX (execute disable) is missing or disabled in the firmware setup\r\n"

	.balign 8
boot_gdt:
	.quad	0
	.quad	0x00af9a000000ffff	/* 0x08: 64-bit code, DPL 0 */
	.quad	0x00cf92000000ffff	/* 0x10: data, DPL 0 */
boot_gdt_end:
boot_gdt_ptr:
	.short	boot_gdt_end - boot_gdt - 1
	.long	boot_gdt

/*
 * Boot page tables, static: the first 4 GiB identity-mapped (slot 0) and at
 * the direct map (slot 256), and the first 2 GiB at -2 GiB (slot 511) for
 * the image, all with 2 MiB pages. arch/x86/mm.c replaces them.
 */
#define PTE_P  0x001
#define PTE_W  0x002
#define PTE_PS 0x080

	.balign 4096
	.globl boot_pml4
boot_pml4:
	.quad	boot_pdpt_low + (PTE_P | PTE_W)
	.fill	255, 8, 0
	.quad	boot_pdpt_low + (PTE_P | PTE_W)
	.fill	254, 8, 0
	.quad	boot_pdpt_high + (PTE_P | PTE_W)
boot_pdpt_low:
	.quad	boot_pd + 0x0000 + (PTE_P | PTE_W)
	.quad	boot_pd + 0x1000 + (PTE_P | PTE_W)
	.quad	boot_pd + 0x2000 + (PTE_P | PTE_W)
	.quad	boot_pd + 0x3000 + (PTE_P | PTE_W)
	.fill	508, 8, 0
boot_pdpt_high:
	.fill	510, 8, 0
	.quad	boot_pd + 0x0000 + (PTE_P | PTE_W)
	.quad	boot_pd + 0x1000 + (PTE_P | PTE_W)
boot_pd:
	.set	pa, 0
	.rept	2048
	.quad	pa + (PTE_P | PTE_W | PTE_PS)
	.set	pa, pa + 0x200000
	.endr

	.balign 16
	.fill	256, 4, 0
boot_stack32_top:

/* ------------------------------------------------------------------------ */
	.section .text.entry, "ax"
	.code64
start64_high:
	/* The info block pointer and magic survive in callee-saved registers. */
	mov	%edi, %r12d
	mov	%esi, %r13d

	/*
	 * Eight bytes a step: emulators run a string instruction one element
	 * at a time, so this is eight times as fast as stosb under TCG. The
	 * linker script page-aligns both ends.
	 */
	lea	__bss_start(%rip), %rdi
	lea	__bss_end(%rip), %rcx
	sub	%rdi, %rcx
	shr	$3, %rcx
	xor	%eax, %eax
	rep stosq
	/* The boot page tables still map .boot: keep the TSC past them. */
	mov	entry_tsc, %rax
	mov	%rax, boot_entry_cycles(%rip)

	lea	bsp_stack + STACK_SIZE(%rip), %rsp
	xor	%ebp, %ebp		/* ends the backtrace frame chain */
	mov	%r12d, %edi
	mov	%r13d, %esi
	call	start_hypervisor
	ud2

	.section .bss.stack_aligned, "aw", @nobits
	.balign 4096
	.globl bsp_stack_guard, bsp_stack
bsp_stack_guard:
	.skip	4096
bsp_stack:
	.skip	STACK_SIZE
