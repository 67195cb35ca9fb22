/*
 * CPUs: bring-up and cross-CPU function calls (arch/x86/smpboot.c,
 * arch/x86/smp.c).
 */
#ifndef KAIROS_SMP_H
#define KAIROS_SMP_H

#include <compiler.h>
#include <cpumask.h>
#include <types.h>

/* APIC ID of each CPU number. */
extern u32 cpu_apic_id[];

/* Top of each CPU's stack (0 for the boot CPU, whose stack is static). */
extern unsigned long cpu_stack_top[];

/*
 * Starts every CPU the firmware lists (up to maxcpus=, none with nosmp),
 * in parallel, and waits for each to come online or time out. Boot CPU,
 * once, interrupts enabled.
 */
void smp_boot_cpus(void);

/*
 * Sends INIT to every AP smp_boot_cpus() will start, and notes when, so
 * that the wait the SDM asks for after INIT (10 ms on older CPUs) runs
 * while the clocks calibrate, not on its own. Boot CPU, once, after the
 * local APIC and the MADT are set up and before time_init(); optional.
 */
void smp_send_init_early(void);

/*
 * Runs fn(arg) on every online CPU in mask, the caller included if it is
 * in mask (there with interrupts disabled, elsewhere in interrupt
 * context). With wait, returns once every call has returned; without,
 * once every CPU has read fn and arg. Must be called with interrupts
 * enabled (a CPU waiting with them disabled could deadlock against another
 * caller); callers are serialised.
 */
void on_selected_cpus(const cpumask_t *mask, void (*fn)(void *), void *arg,
		      bool wait);

/* on_selected_cpus() on every online CPU but the caller. */
void smp_call_function(void (*fn)(void *), void *arg, bool wait);

/*
 * Stops every other CPU by NMI (fatal errors). With report, each stopped
 * CPU first prints its registers and backtrace (the panic report), one
 * CPU at a time in CPU order, each given 1 s and all of them 20 s; a CPU
 * that does not take the NMI within 1 s is named and skipped. Returns once
 * the others stopped (and reported) or the bounds passed; only the first
 * call does anything. Any context, interrupts disabled.
 */
void smp_send_stop(bool report);

/*
 * Has every online CPU print its registers and backtrace (the d key): the
 * caller's own first, then each other CPU's from an NMI, one at a time in
 * CPU order, waiting at most 1 s for each. Interrupts enabled, outside
 * IRQ context; callers are serialised.
 */
void smp_dump_cpus(void);

/*
 * Runs fn(arg) on CPU cpu (not the caller) from its idle loop, with
 * interrupts enabled and outside interrupt context, so that fn may block on
 * locks and make cross-CPU calls itself. One slot per CPU: returns 0,
 * -EBUSY while the slot holds work not yet started, -EINVAL for the
 * caller's own or an offline CPU. Any context but NMI. (A stand-in until
 * tasklets exist; it runs only when cpu is idle.)
 */
int smp_call_in_idle(unsigned int cpu, void (*fn)(void *), void *arg);

/* For the idle loop: is there idle work for this CPU, and run it. */
bool idle_work_pending(void);
void idle_run_work(void);

/*
 * Sends the event-check IPI (it does nothing but make the target leave
 * halt and look at its pending work) to cpu, or to every CPU of mask but
 * the caller: one all-but-self IPI when that is every other online CPU,
 * else one IPI per CPU (destinations are physical). Any context but NMI.
 */
void smp_send_event_check_cpu(unsigned int cpu);
void smp_send_event_check_mask(const cpumask_t *mask);

/*
 * Sends the timer broadcast IPI to every CPU of mask but the caller, one
 * IPI per CPU: its handler calls clockevent_broadcast_receive()
 * (include/clockevent.h). Any context but NMI.
 */
void smp_send_timer_broadcast(const cpumask_t *mask);

/* Registers the IPI handlers cross-CPU calls need (boot CPU, once). */
void smp_init_ipis(void);

struct cpu_user_regs;

/*
 * For the NMI handler: serves a stop (reports if asked, then halts for
 * good: does not return) or a dump request (prints regs' state) addressed
 * to this CPU. Returns false if there was none: the NMI came from
 * elsewhere.
 */
bool smp_handle_nmi(const struct cpu_user_regs *regs);

/* Entered by each AP on its own stack (arch/x86/boot/trampoline.S). */
void start_secondary(unsigned int cpu) __noreturn;

/* The idle loop every CPU ends in (arch/x86/setup.c). */
void idle_loop(void) __noreturn;

#endif /* KAIROS_SMP_H */
