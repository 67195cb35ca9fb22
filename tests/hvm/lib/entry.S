/*
 * The way in: the Multiboot (v1) header, the 32-bit entry a Multiboot
 * loader jumps to, and the path to long mode that the boot CPU and every
 * AP (from trampoline.S) share.
 *
 * multiboot_entry: 32-bit protected mode, paging off, flat CS/DS, EAX =
 * 0x2badb002 and EBX = the multiboot information's physical address
 * (Multiboot Specification 0.6.96, 3.2 "Machine state"); ESP, the GDT and
 * the IDT are undefined. A wrong EAX ends the machine at once with the
 * FAIL value on the debug-exit port (there is no console yet).
 *
 * enter_long_mode: ESP = the CPU's stack top, ESI = its slot (0 for the
 * boot CPU). Enables PAE, loads the identity map of the first 4 GiB (2 MiB
 * pages; the fourth GiB, where the LAPIC, I/O APIC and PCI holes live,
 * cache-disabled), sets EFER.LME (and NXE if CPUID offers it), clears
 * CR0.CD/NW (an AP starts with caches off after INIT: SDM Vol. 3A 9.1.1,
 * table 9-1) and turns paging on (SDM Vol. 3A 9.8.5, "Initializing IA-32e
 * mode"), then far-jumps into 64-bit code, which calls boot_main(mbi) on
 * the boot CPU and ap_main(slot) on an AP.
 */
#include "layout.h"

	.section .multiboot, "a"
	.balign	4
multiboot_header:
	.long	MB_HEADER_MAGIC
	.long	MB_HEADER_PAGE_ALIGN | MB_HEADER_MEMORY_INFO
	.long	-(MB_HEADER_MAGIC + (MB_HEADER_PAGE_ALIGN | MB_HEADER_MEMORY_INFO))

	.section .text.entry, "ax"
	.code32
	.globl	multiboot_entry
	.type	multiboot_entry, @function
multiboot_entry:
	cli
	cld
	cmp	$MB_BOOTLOADER_MAGIC, %eax
	jne	bad_loader
	mov	%ebx, multiboot_info_pa
	lgdt	gdt_pointer
	ljmp	$GDT_CODE32, $1f
1:	mov	$GDT_DATA, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	mov	%eax, %fs
	mov	%eax, %gs

	/* A loader need not clear .bss (the ELF's memsz past filesz). */
	mov	$__bss_start, %edi
	mov	$__bss_end, %ecx
	sub	%edi, %ecx
	xor	%eax, %eax
	rep stosb

	/* PML4[0] -> PDPT; PDPT[0..3] -> four page directories. */
	mov	$pdpt + (PTE_P | PTE_W), %eax
	mov	%eax, pml4
	mov	$page_directories + (PTE_P | PTE_W), %eax
	mov	$pdpt, %edi
	mov	$4, %ecx
2:	mov	%eax, (%edi)
	add	$4096, %eax
	add	$8, %edi
	loop	2b
	/* 2048 2 MiB pages; from 3 GiB on (entry 1536) uncached. */
	xor	%ecx, %ecx
3:	mov	%ecx, %eax
	shl	$21, %eax
	or	$(PTE_P | PTE_W | PTE_PS), %eax
	cmp	$1536, %ecx
	jb	4f
	or	$(PTE_PCD | PTE_PWT), %eax
4:	mov	%eax, page_directories(, %ecx, 8)
	inc	%ecx
	cmp	$2048, %ecx
	jb	3b

	mov	$cpu_stacks + CPU_STACK_SIZE, %esp
	xor	%esi, %esi
	jmp	enter_long_mode

bad_loader:
	mov	$DEBUG_EXIT_FAIL, %al
	out	%al, $DEBUG_EXIT_PORT
5:	hlt
	jmp	5b
	.size	multiboot_entry, . - multiboot_entry

/* From trampoline.S: 32-bit protected mode on our GDT, nothing else set. */
	.globl	ap_entry32
	.type	ap_entry32, @function
ap_entry32:
	mov	$GDT_DATA, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	mov	%eax, %fs
	mov	%eax, %gs
	/* A slot of our own, whatever order the APs arrive in. */
	mov	$1, %esi
	lock xadd %esi, ap_next_slot
	cmp	$MAX_CPUS, %esi
	jae	6f
	mov	%esi, %esp
	inc	%esp
	shl	$CPU_STACK_SHIFT, %esp
	add	$cpu_stacks, %esp
	jmp	enter_long_mode
6:	cli			/* more CPUs than slots: this one stays out */
	hlt
	jmp	6b
	.size	ap_entry32, . - ap_entry32

	.type	enter_long_mode, @function
enter_long_mode:
	mov	%cr4, %eax
	or	$CR4_PAE, %eax
	mov	%eax, %cr4
	mov	$pml4, %eax
	mov	%eax, %cr3

	/* EFER bits in EDI: LME, and NXE when CPUID.80000001H:EDX[20]. */
	mov	$EFER_LME, %edi
	mov	$0x80000000, %eax
	cpuid
	cmp	$0x80000001, %eax
	jb	7f
	mov	$0x80000001, %eax
	cpuid
	bt	$20, %edx
	jnc	7f
	or	$EFER_NXE, %edi
7:	mov	$MSR_EFER, %ecx
	rdmsr
	or	%edi, %eax
	wrmsr

	mov	%cr0, %eax
	and	$~(CR0_CD | CR0_NW), %eax
	or	$(CR0_PG | CR0_WP | CR0_NE | CR0_PE), %eax
	mov	%eax, %cr0
	ljmp	$GDT_CODE64, $long_mode_entry
	.size	enter_long_mode, . - enter_long_mode

	.code64
	.type	long_mode_entry, @function
long_mode_entry:
	mov	$GDT_DATA, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	xor	%eax, %eax
	mov	%eax, %fs
	mov	%eax, %gs
	mov	%esp, %esp	/* zero-extends: the stack is below 4 GiB */
	xor	%ebp, %ebp
	test	%esi, %esi
	jnz	8f
	mov	multiboot_info_pa, %edi
	call	boot_main
	ud2
8:	mov	%esi, %edi
	call	ap_main
	ud2
	.size	long_mode_entry, . - long_mode_entry

	.data
	.balign	8
gdt:
	.quad	0
	.quad	0x00af9a000000ffff	/* GDT_CODE64: 64-bit code, DPL 0 */
	.quad	0x00cf92000000ffff	/* GDT_DATA: flat 4 GiB read/write */
	.quad	0x00cf9a000000ffff	/* GDT_CODE32: flat 4 GiB 32-bit code */
gdt_end:
	.globl	gdt_pointer
gdt_pointer:
	.word	gdt_end - gdt - 1
	.long	gdt

	.balign	4
	.globl	multiboot_info_pa
multiboot_info_pa:
	.long	0
	.globl	ap_next_slot
ap_next_slot:
	.long	1		/* slot 0 is the boot CPU's */

	.bss
	.balign	4096
	.globl	pml4
pml4:
	.skip	4096
pdpt:
	.skip	4096
page_directories:
	.skip	4 * 4096
	.globl	cpu_stacks
cpu_stacks:
	.skip	MAX_CPUS * CPU_STACK_SIZE
