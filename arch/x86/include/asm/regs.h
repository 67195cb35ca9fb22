/*
 * The register frame every exception and interrupt entry builds on the
 * stack (arch/x86/entry.S). Field order is the push order, reversed.
 */
#ifndef ASM_X86_REGS_H
#define ASM_X86_REGS_H

#include <types.h>

struct cpu_user_regs {
	u64 r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
	u64 rax, rcx, rdx, rsi, rdi;
	u64 vector;	/* pushed by the entry stub */
	u64 error_code; /* by the CPU, or 0 by the stub */
	/* The hardware interrupt frame (SDM Vol. 3A, 7.14.2). */
	u64 rip, cs, rflags, rsp, ss;
};

#define REGS_OFFSET_VECTOR (15 * 8)

#endif /* ASM_X86_REGS_H */
