/*
 * Softirqs (common/softirq.c): deferred work named by a number, pending
 * per CPU, run by do_softirq() at the outermost level with interrupts
 * enabled. Lower numbers run first: TIMER_SOFTIRQ before the scheduler's,
 * the scheduler's before tasklets. Interrupt handlers only raise; the idle
 * loop (and, with guests, the return path to ring 3) runs them.
 *
 * Concurrency: raise_softirq() and cpu_raise_softirq() are safe from any
 * context but NMI, on any CPU. open_softirq() at boot, before the number
 * can be raised. do_softirq() and process_pending_softirqs() on the
 * calling CPU only, with interrupts enabled, never from IRQ context;
 * a handler runs on the CPU that raised or was sent the softirq, with
 * interrupts enabled, and is never re-entered on that CPU.
 */
#ifndef KAIROS_SOFTIRQ_H
#define KAIROS_SOFTIRQ_H

#include <cpumask.h>
#include <types.h>

enum {
	TIMER_SOFTIRQ = 0,
	SCHEDULE_SOFTIRQ,
	TASKLET_SOFTIRQ,
	TEST_SOFTIRQ, /* for the in-kernel suites */
	NR_SOFTIRQS
};

typedef void (*softirq_handler_t)(void);

/* Registers the handler of nr (once; a second handler is a bug). */
void open_softirq(unsigned int nr, softirq_handler_t handler);

/* Marks nr pending on the calling CPU. */
void raise_softirq(unsigned int nr);

/*
 * Marks nr pending on cpu; sends cpu an event-check IPI only if this call
 * newly set the bit and cpu is not the caller (a bit already set means an
 * IPI, or a run, is already on its way).
 */
void cpu_raise_softirq(unsigned int cpu, unsigned int nr);

/*
 * Marks nr pending on every CPU in mask and sends one multicast IPI to
 * those, other than the caller, whose bit was newly set.
 */
void cpumask_raise_softirq(const cpumask_t *mask, unsigned int nr);

/* True if the calling CPU has a softirq pending. */
bool softirq_pending(void);

/*
 * Runs the calling CPU's pending softirqs, lowest number first, until
 * none is pending. Interrupts enabled, outside IRQ context; a call nested
 * in another (from a handler) returns at once.
 */
void do_softirq(void);

/*
 * For long loops in hypervisor context: runs pending softirqs other than
 * SCHEDULE_SOFTIRQ (which could switch away from the loop's context).
 */
void process_pending_softirqs(void);

/*
 * schedule() switches vCPU by abandoning this CPU's stack, and with it
 * the do_softirq() loop it ran from; this tells the softirq code so (the
 * pending bits stay and run in the next context). context_switch() only.
 */
void softirq_abandon_stack(void);

/* Times each softirq number ran on cpu (for the debug dump and tests). */
u64 softirq_run_count(unsigned int cpu, unsigned int nr);

/* The IRQ entry/exit bookkeeping: IRQ context depth of the calling CPU. */
void irq_enter(void);
void irq_exit(void);
bool in_irq(void);

#endif /* KAIROS_SOFTIRQ_H */
