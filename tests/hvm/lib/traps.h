/*
 * Exceptions and interrupts: the IDT, handlers for interrupt vectors, and
 * expected faults.
 *
 * Every exception a test did not ask for is fatal: the CPU, vector, error
 * code, RIP and CR2 go to the console as a "FAIL: " line and the machine
 * ends with the FAIL verdict. So is an interrupt on a vector without a
 * handler.
 *
 * An instruction that may fault on purpose (RDMSR of a missing MSR, an
 * access to an x2APIC register in xAPIC mode) is written with FIXUP_INSN:
 * a fault at exactly that instruction resumes after it, and
 * fault_taken() then returns the vector (or -1 if it ran). The wrappers
 * below cover what the kernels need.
 *
 * Concurrency: handlers are shared by all CPUs; set them before a CPU
 * can take the vector. The fault record is per CPU.
 */
#ifndef HVM_TRAPS_H
#define HVM_TRAPS_H

#include "arch.h"

/* What trap_common (vectors.S) saved, lowest address first. */
struct trap_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector, error_code;
	u64 rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

#define VEC_DE	      0
#define VEC_DB	      1
#define VEC_NMI	      2
#define VEC_BP	      3
#define VEC_UD	      6
#define VEC_DF	      8
#define VEC_GP	      13
#define VEC_PF	      14
#define NR_EXCEPTIONS 32

typedef void (*irq_handler_t)(struct trap_frame *frame);

/* Loads the IDT on this CPU (the boot CPU builds it first). */
void traps_init_cpu(void);

/*
 * h handles vector on every CPU; NULL makes it unexpected again. On an
 * exception vector (0-31) h sees what no fix-up claims: a test that
 * expects an interrupt there (an emulated LAPIC delivering an illegal
 * vector) sets one for that while.
 */
void set_irq_handler(u8 vector, irq_handler_t h);

/* Lets NMIs through without failing (counted in nmi_count) while true. */
extern volatile bool nmi_allowed;
extern volatile u32 nmi_count;

/*
 * An instruction that may fault: on a fault at label 1 execution resumes
 * at label 2. Use in an asm statement with a "memory" clobber.
 */
#define FIXUP_INSN(insn)                     \
	"1: " insn "\n2:\n"                  \
	".pushsection .fixup_table, \"a\"\n" \
	".balign 8\n.quad 1b, 2b\n.popsection\n"

/* Forgets this CPU's last expected fault; call before a FIXUP_INSN. */
void fault_arm(void);
/* The vector of the fault since fault_arm(), or -1; its error code. */
int fault_taken(u64 *error_code);

/* The wrappers: each returns the vector of the fault it took, or -1. */
int rdmsr_safe(u32 msr, u64 *value);
int wrmsr_safe(u32 msr, u64 value);

/* Ends the machine: the fatal report, then the FAIL verdict. */
__noreturn void fatal(const char *fmt, ...) __printf(1, 2);

/* The exception's short name ("#GP"), or "interrupt". */
const char *vector_name(unsigned int vector);

#endif /* HVM_TRAPS_H */
