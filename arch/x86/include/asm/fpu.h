/*
 * Guest FPU/SSE/AVX state (arch/x86/fpu.c). The hypervisor itself never
 * touches these registers (it is built with -mgeneral-regs-only), so
 * whatever they hold belongs to the guest vCPU that ran last: saving and
 * restoring them is needed only when a CPU switches vCPUs, never on a
 * hypercall or an interrupt.
 *
 * A state area is fpu_state_size() bytes, 64-byte aligned (FPU_STATE_ALIGN),
 * in the XSAVE standard format when the CPU has XSAVE, else the 512-byte
 * FXSAVE format; it must be set up by fpu_state_init() before its first
 * fpu_save() or fpu_restore() (XRSTOR checks the header).
 */
#ifndef ASM_X86_FPU_H
#define ASM_X86_FPU_H

#include <types.h>

#define FPU_STATE_ALIGN 64

/* XCR0 / XSTATE_BV components (SDM Vol. 1, 13.1). */
#define XFEATURE_X87 (1ULL << 0)
#define XFEATURE_SSE (1ULL << 1)
#define XFEATURE_AVX (1ULL << 2)

/*
 * Enables the FPU for use by guests on the calling CPU: CR0.MP and NE set,
 * EM and TS clear; CR4.OSFXSR and OSXMMEXCPT; with XSAVE, CR4.OSXSAVE and
 * XCR0 = x87 | SSE (| AVX if present); then fninit. Called once per CPU
 * from cpu_protect_init(); the boot CPU decides the format and prints it,
 * an AP must offer the same or the boot stops.
 */
void fpu_init_cpu(void);

/* Bytes in a state area (512 for FXSAVE; CPUID 0xD for XSAVE). */
unsigned int fpu_state_size(void);

/* The XCR0 components saved and restored, 0 if the format is FXSAVE. */
u64 fpu_xfeatures(void);

/*
 * Writes the state of a fresh vCPU: every register zero, x87 control word
 * 0x37f, MXCSR 0x1f80 (all exceptions masked, round to nearest).
 */
void fpu_state_init(void *area);

/* Saves the calling CPU's FPU/SSE/AVX registers into area. */
void fpu_save(void *area);

/* Loads the calling CPU's FPU/SSE/AVX registers from area. */
void fpu_restore(const void *area);

#endif /* ASM_X86_FPU_H */
