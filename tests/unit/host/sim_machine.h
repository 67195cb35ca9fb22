/*
 * A simulated machine for host unit tests of the timer, softirq and
 * scheduler code (tests/unit/host/sim_machine.c): a few CPUs played in
 * turn by the test's one thread, a system clock that moves only when the
 * test says so, and behind include/clockevent.h a per-CPU one-shot device
 * that fires exactly at its deadline in simulated time. Event-check IPIs
 * are counted; the softirqs they stand for are run by sim_run_softirqs().
 *
 * Nothing sleeps or reads the host's clock: a simulated second costs only
 * the events in it. One simulated machine per process.
 */
#ifndef HOST_SIM_MACHINE_H
#define HOST_SIM_MACHINE_H

#include <types.h>

/* What sim_set_cpu_event() calls, as the CPU it was set for. */
typedef void (*sim_event_fn)(unsigned int cpu);

/*
 * Brings up CPUs 0..nr_cpus-1: their per-CPU areas, the online map; the
 * caller then plays CPU 0. Once per process, before anything else.
 */
void sim_init(unsigned int nr_cpus);

/* Makes the calling thread play cpu (this_cpu(), smp_processor_id()). */
void sim_enter(unsigned int cpu);

/* The simulated system time (what NOW() returns). */
s_time_t sim_now(void);

/*
 * Runs every CPU's pending softirqs, each as that CPU, until none is
 * pending anywhere (an IPI's effect). Returns with CPU 0 entered.
 */
void sim_run_softirqs(void);

/*
 * Moves time forward to end, firing each clock event and CPU event at its
 * time, in time order (lower CPU first on a tie), each followed by the
 * softirqs it raised. Ends at end with CPU 0 entered.
 */
void sim_run_until(s_time_t end);
void sim_run_for(s_time_t delta);

/* Calls fn as cpu at time t (one per CPU; 0 cancels): a guest's action. */
void sim_set_cpu_event(unsigned int cpu, s_time_t t, sim_event_fn fn);

/* The deadline cpu's clock event device is armed for; 0 if none. */
s_time_t sim_armed_deadline(unsigned int cpu);

/* Clock event interrupts cpu took, and event-check IPIs sent to it. */
u64 sim_interrupts(unsigned int cpu);
u64 sim_ipis(unsigned int cpu);

/*
 * For a stand-in of context_switch(): abandons the softirq loop the
 * calling CPU runs, as the kernel abandons that stack; sim_run_softirqs()
 * carries on with what is still pending.
 */
void sim_abandon_stack(void) __attribute__((noreturn));

#endif /* HOST_SIM_MACHINE_H */
