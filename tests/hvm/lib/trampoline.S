/*
 * The AP start-up trampoline, copied to AP_TRAMPOLINE_BASE (0x8000) by
 * smp.c before the SIPIs: an AP starts here in real mode with CS = 0x0800,
 * IP = 0 (the SIPI vector 0x08: SDM Vol. 3A 8.4.4.1, 10.6.1), loads our
 * GDT (a 32-bit base: LGDT with a 32-bit operand), enters protected mode
 * and far-jumps to ap_entry32 in entry.S, which takes it the boot CPU's
 * way to long mode. Only offsets from the trampoline's start are used
 * here, so it runs wherever it is copied to (on a 4 KiB boundary).
 */
#include "layout.h"

	.section .rodata.trampoline, "a"
	.code16
	.globl	ap_trampoline_start, ap_trampoline_end, ap_gdt_pointer
ap_trampoline_start:
	cli
	cld
	mov	%cs, %ax
	mov	%ax, %ds
	lgdtl	ap_gdt_pointer - ap_trampoline_start
	mov	%cr0, %eax
	or	$CR0_PE, %eax
	mov	%eax, %cr0
	ljmpl	$GDT_CODE32, $ap_entry32

	.balign	8
ap_gdt_pointer:
	.word	0		/* filled from gdt_pointer by smp.c */
	.long	0
ap_trampoline_end:
