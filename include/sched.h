/*
 * The scheduler core (common/sched/core.c): per-CPU s_timer, schedule()
 * as SCHEDULE_SOFTIRQ's handler, wake and sleep, and the three vCPU
 * timers. The policy behind it is chosen with sched= (sched_policy.h).
 *
 * Locking: each CPU has a schedule lock (taken with interrupts off) that
 * guards its run queue and the scheduling fields of the vCPUs assigned to
 * it (runstate, is_running, sched_priv). A vCPU's timers live on its
 * processor.
 */
#ifndef KAIROS_SCHED_H
#define KAIROS_SCHED_H

#include <types.h>

struct vcpu;
struct domain;

/* Boot CPU, once, after timers and softirqs: picks the policy. */
void scheduler_init(void);

/* Gives CPU cpu its s_timer and run queue; that CPU, when it comes up. */
void scheduler_cpu_init(unsigned int cpu);

/*
 * Places a new vCPU (offline, VPF_DOWN set) on a CPU of its affinity and
 * gives it to the policy; 0 or -ENOMEM. Any context, no lock held.
 */
int sched_init_vcpu(struct vcpu *v);

/* Takes v away from the policy; v must be down and not running. */
void sched_destroy_vcpu(struct vcpu *v);

/*
 * The policy's view of a new domain, before its vCPUs exist: 0, or
 * -errno with a one-line reason (EDF's admission control refuses a
 * reservation that cannot be met). Boot or idle context.
 */
int sched_init_domain(struct domain *d, char *err, size_t errlen);
/* After every vCPU of d was destroyed. */
void sched_destroy_domain(struct domain *d);
/* The policy's lines about d for the 'q' key and the shutdown report. */
void sched_dump_domain(struct domain *d);

/*
 * Makes v runnable if nothing else keeps it off (pause flags clear) and
 * asks its CPU to reschedule. Any context, any CPU.
 */
void vcpu_wake(struct vcpu *v);

/*
 * Takes v off the CPUs after the caller set a pause flag: out of its run
 * queue, or descheduled at its CPU's next schedule(). nosync returns at
 * once. Any context.
 */
void vcpu_sleep_nosync(struct vcpu *v);

/*
 * The softirq check of every way back into a guest (PV and HVM): runs
 * pending softirqs, with a reschedule if current cannot run, until none
 * is pending, and returns current with interrupts off. schedule() in
 * there may switch to another vCPU and abandon this stack, so the call
 * may not return; when it does, current is runnable and on this CPU.
 * Only on a guest vCPU's stack, on its way out of the hypervisor.
 */
struct vcpu *run_softirqs_before_entry(void);

/* True once v is off every CPU and its state saved. Any context. */
bool vcpu_is_off_cpu(const struct vcpu *v);

/*
 * The current vCPU blocks until an event is pending for it (returns at
 * once if one is); the switch happens on the way out to the guest.
 */
void vcpu_block(void);

/* The current vCPU gives up the rest of its slice. */
void vcpu_yield(void);

/*
 * The current vCPU polls the ports in ports (a bitmap of EVTCHN_PORTS)
 * until one is pending or timeout (absolute ns; 0 = never). Returns 0 if
 * one is pending already; else 1: blocked, and the hypercall's result
 * (0 or -ETIMEDOUT) is put in place when the vCPU resumes.
 */
int vcpu_poll(const unsigned long *ports, s_time_t timeout);

/* Wakes v if it is polling port (event_channel.c, on a send). */
void vcpu_poll_check(struct vcpu *v, unsigned int port);

/* The result of a finished poll, for the resuming vCPU; see vcpu_poll(). */
bool vcpu_take_poll_result(struct vcpu *v, long *result);

/* vCPU timer operations for hypercalls; the caller validated the times. */
void vcpu_set_singleshot_timer(struct vcpu *v, s_time_t deadline);
void vcpu_stop_singleshot_timer(struct vcpu *v);
void vcpu_set_periodic_timer(struct vcpu *v, s_time_t period);

/*
 * The SCHEDULE_SOFTIRQ handler: stops s_timer, asks the policy for the
 * next vCPU and its slice, re-arms s_timer, accounts run time and, when
 * the vCPU changes, switches (and does not return).
 */
void schedule(void);

/* The 'r' debug key: every CPU's run queue and vCPU accounting. */
void dump_runq(void);

/*
 * One line: schedule() calls and switches on all CPUs, and the cycles
 * schedule() takes up to the switch (the policy's decision and the
 * bookkeeping; the switch itself is context_switch()). Any context.
 */
void sched_report(void);

/* Run-state accounting snapshot for VCPUOP_get_runstate. */
struct vcpu_runstate_info;
void vcpu_get_runstate(struct vcpu *v, struct vcpu_runstate_info *out);

/* Called by context_switch() once prev's state is saved. */
void sched_context_saved(struct vcpu *prev);

#endif /* KAIROS_SCHED_H */
