/*
 * Supervisor protections against guest memory (arch/x86/cpu_protect.c):
 * SMEP (no execution of user pages in ring 0), SMAP (no ring-0 data access
 * to user pages outside a stac/clac bracket), UMIP (no SGDT, SIDT, SLDT,
 * SMSW, STR in ring 3), and EFER.NXE.
 */
#ifndef ASM_X86_CPU_PROTECT_H
#define ASM_X86_CPU_PROTECT_H

#include <types.h>

#include <asm/boot.h>

/*
 * Turns on what the CPU has of SMEP, SMAP and UMIP, makes sure EFER.NXE
 * is set, then sets up the FPU (fpu_init_cpu()). Every CPU, once, early:
 * the boot CPU right after memory_init() (it prints what it enabled), an
 * AP as it starts. SMAP is all or nothing: an AP enables it exactly when
 * the boot CPU did, and stops the boot if it lacks it.
 */
void cpu_protect_init(void);

/*
 * True if SMAP is on (on every CPU): ring-0 access to guest pages must
 * then be bracketed by stac/clac, which are #UD without it.
 */
bool cpu_has_smap(void);

#endif /* ASM_X86_CPU_PROTECT_H */
