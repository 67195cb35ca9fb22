/*
 * The interface between the scheduler core and a policy
 * (common/sched/rr.c, ...). The core calls every hook of a CPU's policy
 * with that CPU's schedule lock held and interrupts off, except init and
 * dump, and never for the idle vCPU.
 */
#ifndef KAIROS_SCHED_POLICY_H
#define KAIROS_SCHED_POLICY_H

#include <spinlock.h>
#include <types.h>

struct vcpu;
struct domain;

/* What do_schedule() decides: the vCPU to run, and for how long. */
struct task_slice {
	struct vcpu *task; /* NULL: the idle vCPU */
	s_time_t time;	   /* ns until the next decision; < 0: none needed */
};

struct scheduler {
	const char *name;     /* for logs */
	const char *opt_name; /* sched=<opt_name> */

	/* Boot: parse options, allocate global state. 0 or -errno. */
	int (*init)(void);
	/* A CPU comes up (its lock not yet contended). */
	void (*init_cpu)(unsigned int cpu);

	/*
	 * A new domain, before its vCPUs: allocate d->sched_priv and decide
	 * whether the domain can be admitted (EDF: its reservations fit).
	 * 0, or -errno with a one-line reason in err. Optional; boot or idle
	 * context, no lock held.
	 */
	int (*init_domain)(struct domain *d, char *err, size_t errlen);
	/* The domain is going away; its vCPUs' data is freed already. */
	void (*destroy_domain)(struct domain *d);

	/* A new vCPU: allocate v->sched_priv. 0 or -ENOMEM. */
	int (*alloc_vdata)(struct vcpu *v);
	/* The vCPU is going away: it is not queued; free sched_priv. */
	void (*free_vdata)(struct vcpu *v);

	/*
	 * v is runnable and not its CPU's current choice: queue it unless it
	 * is queued already (wake may come twice; it must be idempotent).
	 * Returns true if v's CPU must decide again now: v ranks above what
	 * it runs (wake-up preemption; the policy's rate limit, if it has
	 * one, is applied by its do_schedule, which then re-arms s_timer for
	 * the moment the limit expires), the CPU idles, or its preemption
	 * timer needs arming. The core then raises SCHEDULE_SOFTIRQ there, by
	 * IPI if that CPU is another. Other CPUs (an idle one to steal v) are
	 * the policy's to raise.
	 */
	bool (*wake)(struct vcpu *v);
	/* v stopped being runnable: take it off the queue if it is on it. */
	void (*sleep)(struct vcpu *v);
	/* The running v asks to give up its slice. */
	void (*yield)(struct vcpu *v);

	/*
	 * Picks the next vCPU for cpu at now. prev is the vCPU that ran
	 * (possibly idle, possibly no longer runnable): the policy
	 * re-queues it if it is still runnable and not chosen.
	 */
	struct task_slice (*do_schedule)(unsigned int cpu, struct vcpu *prev,
					 s_time_t now);

	/* The CPU a vCPU should be placed on (in its affinity, online). */
	unsigned int (*pick_cpu)(const struct vcpu *v);

	/* Prints one CPU's queue (dump key; lock held). */
	void (*dump_cpu)(unsigned int cpu);
	/* Prints what the policy knows of a domain (dump key; optional). */
	void (*dump_domain)(struct domain *d);
};

/* True if v is its CPU's current choice (the CPU's lock held). */
bool sched_vcpu_is_curr(const struct vcpu *v);

/* cpu's current choice (idle_vcpu[cpu] if none); cpu's lock held. */
struct vcpu *sched_curr(unsigned int cpu);

/*
 * Moves v to cpu: v->processor changes and v goes to cpu's list of
 * placed vCPUs; the caller holds both CPUs' schedule locks and v is
 * neither running nor being saved (!v->is_running). Its timers follow at
 * its next run.
 */
void sched_set_processor(struct vcpu *v, unsigned int cpu);

/* The first of the vCPUs placed on cpu (the core keeps the list). */
struct vcpu *sched_cpu_vcpus(unsigned int cpu);

/* Every vCPU placed on cpu; cpu's lock held (or no contention yet). */
#define for_each_placed_vcpu(v, cpu) \
	for ((v) = sched_cpu_vcpus(cpu); (v); (v) = (v)->next_on_cpu)

/* How many vCPUs are placed on cpu (a racy read for placement). */
unsigned int sched_cpu_load(unsigned int cpu);

/*
 * The online CPU of v's affinity with the fewest vCPUs placed on it (the
 * lowest-numbered among equals): the placement round-robin, credit and
 * the others' background use.
 */
unsigned int sched_least_loaded_cpu(const struct vcpu *v);

/* cpu's schedule lock, for a policy that looks at another CPU's queue. */
spinlock_t *sched_cpu_lock(unsigned int cpu);

/*
 * The rate limit (sched_ratelimit_us=, Xen's semantics): a vCPU that has
 * run for less than this since it was switched in is not preempted by a
 * wake-up; the preemption waits until it has. Policies that share by
 * weight or in turn (credit, round-robin with rr_preempt_on_wake=) apply
 * it; EDF and gang do not (a reservation's deadline and a slot boundary
 * come first). ns; 0: none. Set at boot, read-only after.
 */
s64 sched_ratelimit(void);

extern const struct scheduler sched_rr_def;
extern const struct scheduler sched_credit_def;
extern const struct scheduler sched_edf_def;
extern const struct scheduler sched_gang_def;

#endif /* KAIROS_SCHED_POLICY_H */
