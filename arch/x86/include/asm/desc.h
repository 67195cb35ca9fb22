/*
 * Descriptor tables: a GDT and 64-bit TSS per CPU, one IDT for all CPUs
 * (arch/x86/desc.c).
 */
#ifndef ASM_X86_DESC_H
#define ASM_X86_DESC_H

/* Interrupt stack table slots (SDM Vol. 3A, 7.14.5): 1-based. */
#define IST_NMI 1
#define IST_DF	2
#define IST_MC	3
#define NR_IST	3

/*
 * Vectors (SDM Vol. 3A, table 7-1) and the ones we assign. The LAPIC's
 * priority class is vector / 16 (SDM Vol. 3A, 11.8.3): a vector waits
 * while one of a higher or equal class is in service on the CPU.
 *
 *   0x00-0x1f  exceptions
 *   0x20-0x2f  the legacy PIC's IRQs 0-15 (masked; spurious 7 and 15)
 *   0x30       platform timer: HPET or PIT (asm/platform_timer.h)
 *   0x31       COM1 receive: debug keys (arch/x86/serial.c)
 *   0x32       PS/2 keyboard: debug keys (arch/x86/i8042.c)
 *   0x82       hypercalls from ring 3 (public/abi.h; the gate has DPL 3)
 *   0xd0-0xf0  in-kernel test suites (tests/kernel/)
 *   0xf9       timer broadcast IPI (arch/x86/smp.c, common/clockevent_broadcast.c)
 *   0xfa       LAPIC timer (asm/lapic_timer.h)
 *   0xfb       call function IPI (arch/x86/smp.c)
 *   0xfc       event check IPI (arch/x86/smp.c)
 *   0xfe       LAPIC error (asm/apic.h)
 *   0xff       LAPIC spurious
 */
#define X86_EXC_NMI	     2
#define X86_EXC_BP	     3
#define X86_EXC_DF	     8
#define X86_EXC_PF	     14
#define X86_EXC_MC	     18
#define NR_EXCEPTIONS	     32
#define PIC_VECTOR_BASE	     0x20 /* legacy 8259 IRQs 0-15 */
#define COM1_VECTOR	     0x31 /* lowest class above the PIC's: input */
#define KEYBOARD_VECTOR	     0x32
#define CALL_FUNCTION_VECTOR 0xfb
#define EVENT_CHECK_VECTOR   0xfc /* only wakes the CPU to look for work */
#define SPURIOUS_VECTOR	     0xff /* LAPIC spurious interrupt */
#define HYPERCALL_VECTOR     0x82 /* KAIROS_HYPERCALL_VECTOR */

/* In the LAPIC timer's class: a deadline the broadcast hands over. */
#define TIMER_BROADCAST_VECTOR 0xf9

#ifndef __ASSEMBLY__
#include <compiler.h>
#include <percpu.h>
#include <types.h>

struct tss64 {
	u32 reserved0;
	u64 rsp[3]; /* stacks for privilege changes to rings 0-2 */
	u64 reserved1;
	u64 ist[7]; /* interrupt stack table, ist[0] is IST1 */
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base; /* past the limit: no I/O bitmap */
} __packed;
BUILD_BUG_ON(sizeof(struct tss64) != 104);

/* Stacks a CPU needs before it takes its first exception. */
struct cpu_stacks {
	void *ist_top[NR_IST]; /* top of the NMI, #DF and #MC stacks */
	void *stack_top;       /* the CPU's own stack: TSS.RSP0 */
};

/* Top of this CPU's own stack, where entries from ring 3 put their frame. */
DECLARE_PER_CPU(unsigned long, stack_top);

/* Builds the shared IDT; boot CPU, once, before interrupts are enabled. */
void idt_init(void);

/*
 * Loads this CPU's GDT, TSS (with its IST stacks) and the IDT. Each CPU
 * calls it once on itself, with interrupts disabled.
 */
void load_cpu_descriptors(const struct cpu_stacks *stacks);

/* Which known stack holds addr: [*lo, *hi), or false if none does. */
bool stack_bounds(unsigned long addr, unsigned long *lo, unsigned long *hi);

#endif /* !__ASSEMBLY__ */

#endif /* ASM_X86_DESC_H */
