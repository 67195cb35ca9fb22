/*
 * The exception table: (faulting instruction, fixup) address pairs that
 * the linker gathers in section __ex_table, between __start_ex_table and
 * __stop_ex_table (linker.ld). A #PF or #GP taken in ring 0 on a listed
 * instruction resumes at its fixup instead of being fatal (do_trap() in
 * arch/x86/traps.c). The only users are the guest-memory accessors
 * (arch/x86/uaccess.S) and tests that check the mechanism.
 *
 *     1:  movb (%rsi), %al            # may fault
 *     2:                               # resumes here either way
 *         _ASM_EXTABLE(1b, 2b)
 *
 * The registers at the fixup are those at the fault: the faulting
 * instruction's own effects are not there, but for `rep movsb` the
 * completed iterations are (%rcx counts what is left).
 */
#ifndef ASM_X86_EXTABLE_H
#define ASM_X86_EXTABLE_H

#ifdef __ASSEMBLY__

#define _ASM_EXTABLE(from, to)        \
	.pushsection __ex_table, "a"; \
	.balign 8;                    \
	.quad from, to;               \
	.popsection

#else /* !__ASSEMBLY__ */

#include <asm/regs.h>
#include <types.h>

/* The vectors fixup_exception() is for: #PF (X86_EXC_PF) and #GP. */
#ifndef X86_EXC_GP
#define X86_EXC_GP 13
#endif

/* The same, as text for inline assembly (one string, ends in a newline). */
#define _ASM_EXTABLE(from, to)              \
	"	.pushsection __ex_table, \"a\"\n" \
	"	.balign 8\n"                      \
	"	.quad " #from ", " #to "\n" \
	"	.popsection\n"

struct exception_table_entry {
	unsigned long insn;  /* address of the instruction that may fault */
	unsigned long fixup; /* where to resume if it does */
};

/*
 * If regs->rip is a listed instruction, points regs->rip at its fixup
 * and returns true; otherwise returns false and changes nothing. Any
 * context (the caller has checked that the fault came from ring 0).
 */
bool fixup_exception(struct cpu_user_regs *regs);

/* The fixup for a faulting address, or 0 if it has none. */
unsigned long search_exception_table(unsigned long addr);

#endif /* !__ASSEMBLY__ */
#endif /* ASM_X86_EXTABLE_H */
