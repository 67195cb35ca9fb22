/*
 * EDF: partitioned earliest-deadline-first with reservations, for
 * domains given period= and budget= (docs/guest-images.md).
 *
 * Each vCPU of such a domain is a server: every period it may run for its
 * budget, and the job of each period has that period's end as deadline.
 * Admission control places every vCPU on one CPU of its affinity (first
 * fit, in CPU order) so that no CPU's reserved utilisation, the sum of
 * budget / period, exceeds 100%: EDF then meets every deadline on that
 * CPU (Liu and Layland). A domain whose reservations do not fit is
 * refused with the reason. The scheduler timer enforces budgets: a vCPU
 * runs until its budget is spent or an earlier deadline is released.
 *
 * A vCPU that blocks and wakes is admitted back as a constant-bandwidth
 * server would be: if what is left of its budget could not run before
 * its deadline at its reserved rate, it starts a new period now. So a
 * sleeper cannot take more than its share by saving budget up.
 *
 * Domains without a reservation run in the background, round-robin with
 * sched_rr_slice=, whenever no reserved vCPU of the CPU has budget left
 * and wants to run. Deadline misses (a job still runnable with budget
 * left at its deadline) are counted and reported with the domain.
 */
#include <cpumask.h>
#include <domain.h>
#include <errno.h>
#include <param.h>
#include <printk.h>
#include <sched_policy.h>
#include <spinlock.h>
#include <systime.h>
#include <xmalloc.h>

#define PPM	     1000000ULL
#define EDF_UTIL_MAX PPM /* 100% of a CPU */
#define EDF_BG_SLICE MILLISECS(10)

struct edf_dom {
	s64 period; /* 0: background */
	s64 budget;
	u64 util_ppm;	      /* budget / period per vCPU */
	unsigned int *cpu_of; /* each vCPU's CPU, chosen at admission */
};

struct edf_vcpu {
	struct vcpu *vcpu;
	struct edf_dom *sdom;
	struct edf_vcpu *next; /* queued (runnable, not running) */
	bool queued;
	s_time_t deadline; /* the current job's */
	s64 remaining;	   /* budget left in this period */
	s_time_t run_start;
	u64 periods; /* jobs released */
	u64 misses;  /* jobs that missed their deadline */
};

struct edf_cpu {
	struct edf_vcpu *queue; /* queued vCPUs, unordered (few per CPU) */
	unsigned int nr_queued;
	u64 util_ppm; /* reserved; under edf_admission_lock */
	s_time_t bg_slice_end;
};

static DEFINE_PER_CPU(struct edf_cpu, edf_cpu);
/* Admission and release of reservations: boot and the reaper. */
static DEFINE_SPINLOCK(edf_admission_lock);

static struct edf_vcpu *evc(const struct vcpu *v)
{
	return v->sched_priv;
}

static bool is_rt(const struct edf_vcpu *e)
{
	return e->sdom->period != 0;
}

/* ------------------------------------------------------------------ */
/* Admission                                                           */

static int edf_init_domain(struct domain *d, char *err, size_t errlen)
{
	/* Too big for the stack; used under edf_admission_lock only. */
	static u64 planned[NR_CPUS];
	struct edf_dom *sdom = xzalloc(struct edf_dom);
	unsigned long flags;
	unsigned int i, cpu;

	if (!sdom || !(sdom->cpu_of = xzalloc_bytes(sizeof(unsigned int) *
						    d->config.vcpus))) {
		xfree(sdom);
		snprintf(err, errlen, "out of memory for the EDF scheduler");
		return -ENOMEM;
	}
	sdom->period = d->config.period_ns;
	sdom->budget = d->config.budget_ns;
	d->sched_priv = sdom;
	if (!sdom->period) {
		for (i = 0; i < d->config.vcpus; i++)
			sdom->cpu_of[i] = NR_CPUS; /* the background: any */
		return 0;
	}
	/* Rounded up: admission errs on the safe side. */
	sdom->util_ppm = (sdom->budget * PPM + sdom->period - 1) / sdom->period;

	flags = spin_lock_irqsave(&edf_admission_lock);
	for_each_online_cpu (cpu)
		planned[cpu] = 0;
	for (i = 0; i < d->config.vcpus; i++) {
		sdom->cpu_of[i] = NR_CPUS;
		for_each_online_cpu (cpu) {
			u64 used =
				per_cpu(edf_cpu, cpu).util_ppm + planned[cpu];

			if (!cpumask_test_cpu(cpu, &d->config.affinity) ||
			    used + sdom->util_ppm > EDF_UTIL_MAX)
				continue;
			sdom->cpu_of[i] = cpu;
			planned[cpu] += sdom->util_ppm;
			break;
		}
		if (sdom->cpu_of[i] == NR_CPUS)
			break;
	}
	if (i < d->config.vcpus) {
		spin_unlock_irqrestore(&edf_admission_lock, flags);
		snprintf(
			err, errlen,
			"EDF admission: vCPU %u (budget %ld us every %ld us, %lu.%lu%% of a CPU) fits on no CPU of its affinity (each would exceed 100%%)",
			i, sdom->budget / 1000, sdom->period / 1000,
			(unsigned long)(sdom->util_ppm / 10000),
			(unsigned long)(sdom->util_ppm / 1000 % 10));
		d->sched_priv = NULL;
		xfree(sdom->cpu_of);
		xfree(sdom);
		return -ENOSPC;
	}
	for_each_online_cpu (cpu)
		per_cpu(edf_cpu, cpu).util_ppm += planned[cpu];
	spin_unlock_irqrestore(&edf_admission_lock, flags);
	return 0;
}

static void edf_destroy_domain(struct domain *d)
{
	struct edf_dom *sdom = d->sched_priv;
	unsigned long flags;
	unsigned int i;

	if (!sdom)
		return;
	flags = spin_lock_irqsave(&edf_admission_lock);
	for (i = 0; sdom->period && i < d->config.vcpus; i++)
		if (sdom->cpu_of[i] < NR_CPUS)
			per_cpu(edf_cpu, sdom->cpu_of[i]).util_ppm -=
				sdom->util_ppm;
	spin_unlock_irqrestore(&edf_admission_lock, flags);
	xfree(sdom->cpu_of);
	xfree(sdom);
	d->sched_priv = NULL;
}

static unsigned int edf_pick_cpu(const struct vcpu *v)
{
	struct edf_dom *sdom = v->domain->sched_priv;

	/* A reserved vCPU where admission put it; the background anywhere. */
	if (sdom->cpu_of[v->vcpu_id] < NR_CPUS)
		return sdom->cpu_of[v->vcpu_id];
	return sched_least_loaded_cpu(v);
}

/* ------------------------------------------------------------------ */
/* Jobs                                                                */

/*
 * Releases the jobs whose deadlines have passed: one new job with a full
 * budget, the deadline moved on by whole periods; a runnable job left
 * with budget at its deadline missed it.
 */
static void release_jobs(struct edf_vcpu *e, s_time_t now, bool wants_cpu)
{
	s64 periods;

	if (!is_rt(e) || now < e->deadline)
		return;
	if (wants_cpu && e->remaining > 0 && e->periods)
		e->misses++;
	periods = (now - e->deadline) / e->sdom->period + 1;
	e->deadline += periods * e->sdom->period;
	e->remaining = e->sdom->budget;
	e->periods += periods;
}

static void queue_add(struct edf_cpu *pc, struct edf_vcpu *e)
{
	ASSERT(!e->queued);
	e->next = NULL;
	/* At the tail: the background's round-robin order. */
	if (!pc->queue) {
		pc->queue = e;
	} else {
		struct edf_vcpu *t = pc->queue;

		while (t->next)
			t = t->next;
		t->next = e;
	}
	e->queued = true;
	pc->nr_queued++;
}

static void queue_del(struct edf_cpu *pc, struct edf_vcpu *e)
{
	struct edf_vcpu **pp;

	for (pp = &pc->queue; *pp; pp = &(*pp)->next)
		if (*pp == e) {
			*pp = e->next;
			e->queued = false;
			pc->nr_queued--;
			return;
		}
}

/* ------------------------------------------------------------------ */
/* The policy's hooks                                                  */

static int edf_init(void)
{
	pr_info("EDF: reservations admitted up to 100%% per CPU, background round-robin every %ld ms\n",
		(long)(EDF_BG_SLICE / 1000000));
	return 0;
}

static void edf_init_cpu(unsigned int cpu)
{
}

static int edf_alloc_vdata(struct vcpu *v)
{
	struct edf_vcpu *e = xzalloc(struct edf_vcpu);

	if (!e)
		return -ENOMEM;
	e->vcpu = v;
	e->sdom = v->domain->sched_priv;
	e->deadline = NOW(); /* the first job is released at its first run */
	v->sched_priv = e;
	return 0;
}

static void edf_free_vdata(struct vcpu *v)
{
	struct edf_vcpu *e = evc(v);

	if (!e)
		return;
	if (e->queued)
		queue_del(&per_cpu(edf_cpu, v->processor), e);
	xfree(e);
	v->sched_priv = NULL;
}

/* True if a should run before b (both runnable): EDF, budget first. */
static bool before(const struct edf_vcpu *a, const struct edf_vcpu *b)
{
	bool a_rt = is_rt(a) && a->remaining > 0;
	bool b_rt = is_rt(b) && b->remaining > 0;

	if (a_rt != b_rt)
		return a_rt;
	return a_rt && a->deadline < b->deadline;
}

/*
 * Preempts what v's CPU runs if v, woken, comes first in EDF order: an
 * earlier absolute deadline with budget left (or the CPU idles). No rate
 * limit: a reservation's deadline does not wait.
 */
static bool edf_wake(struct vcpu *v)
{
	struct edf_vcpu *e = evc(v);
	struct edf_cpu *pc = &per_cpu(edf_cpu, v->processor);
	struct vcpu *curr = sched_curr(v->processor);
	s_time_t now = NOW();

	if (e->queued)
		return false;
	/* The constant-bandwidth rule: no saving budget up while asleep. */
	if (is_rt(e) && (now >= e->deadline ||
			 (u64)e->remaining * e->sdom->period >
				 (u64)(e->deadline - now) * e->sdom->budget)) {
		e->deadline = now + e->sdom->period;
		e->remaining = e->sdom->budget;
		e->periods++;
	}
	queue_add(pc, e);
	/*
	 * With a queue that was empty, what runs may have no slice timer
	 * (the background alone): the CPU decides again to arm one.
	 */
	return curr == idle_vcpu[v->processor] || before(e, evc(curr)) ||
	       pc->nr_queued == 1;
}

static void edf_sleep(struct vcpu *v)
{
	struct edf_vcpu *e = evc(v);

	if (e->queued)
		queue_del(&per_cpu(edf_cpu, v->processor), e);
}

static void edf_yield(struct vcpu *v)
{
	/* A reserved vCPU that yields gives up the rest of this job. */
	if (is_rt(evc(v)))
		evc(v)->remaining = 0;
}

static struct task_slice edf_do_schedule(unsigned int cpu, struct vcpu *prev,
					 s_time_t now)
{
	struct edf_cpu *pc = &per_cpu(edf_cpu, cpu);
	struct edf_vcpu *ep = is_idle_vcpu(prev) ? NULL : evc(prev);
	struct edf_vcpu *e, *best = NULL;
	s_time_t next_event = STIME_MAX;
	struct vcpu *v;
	s64 slice;

	if (ep) {
		if (is_rt(ep))
			ep->remaining -=
				min(now - ep->run_start, ep->remaining);
		if (vcpu_runnable(prev) && !ep->queued)
			queue_add(pc, ep);
	}
	/* Release due jobs; note when the next release of a waiter is. */
	for_each_placed_vcpu(v, cpu)
	{
		e = evc(v);
		release_jobs(e, now, e->queued);
		if (is_rt(e) && e->queued)
			next_event = min(next_event, e->deadline);
	}
	for (e = pc->queue; e; e = e->next)
		if (vcpu_runnable(e->vcpu) &&
		    (is_rt(e) ? e->remaining > 0 : 1) &&
		    (!best || before(e, best)))
			best = e;
	if (!best)
		return (struct task_slice){
			NULL, next_event == STIME_MAX ? -1 : next_event - now};
	queue_del(pc, best);
	best->run_start = now;
	if (is_rt(best)) {
		/* Its budget, or until a job with an earlier deadline comes. */
		slice = min(best->remaining, best->deadline - now);
		slice = min(slice, next_event - now);
	} else {
		/* The background: a slice if it shares, and any release. */
		slice = pc->nr_queued ? EDF_BG_SLICE : -1;
		if (next_event != STIME_MAX)
			slice = slice < 0 ? next_event - now
					  : min(slice, next_event - now);
	}
	return (struct task_slice){best->vcpu, slice};
}

static void edf_dump_cpu(unsigned int cpu)
{
	struct edf_cpu *pc = &per_cpu(edf_cpu, cpu);
	struct edf_vcpu *e;
	char name[VCPU_NAME_LEN];

	printk("    reserved %lu.%lu%%; queue (%u):",
	       (unsigned long)(pc->util_ppm / 10000),
	       (unsigned long)(pc->util_ppm / 1000 % 10), pc->nr_queued);
	for (e = pc->queue; e; e = e->next)
		printk(" %s", vcpu_name(e->vcpu, name, sizeof(name)));
	printk("\n");
}

static void edf_dump_domain(struct domain *d)
{
	struct edf_dom *sdom = d->sched_priv;
	u64 periods = 0, misses = 0;
	unsigned int i;

	if (!sdom)
		return;
	if (!sdom->period) {
		printk("Domain %u (%s): EDF: background (no reservation)\n",
		       d->domid, d->name);
		return;
	}
	for (i = 0; i < d->nr_vcpus; i++)
		if (d->vcpus[i]->sched_priv) {
			periods += evc(d->vcpus[i])->periods;
			misses += evc(d->vcpus[i])->misses;
		}
	printk("Domain %u (%s): EDF: budget %ld us every %ld us, %lu periods, %lu deadline misses\n",
	       d->domid, d->name, sdom->budget / 1000, sdom->period / 1000,
	       (unsigned long)periods, (unsigned long)misses);
}

const struct scheduler sched_edf_def = {
	.name = "EDF",
	.opt_name = "edf",
	.init = edf_init,
	.init_cpu = edf_init_cpu,
	.init_domain = edf_init_domain,
	.destroy_domain = edf_destroy_domain,
	.alloc_vdata = edf_alloc_vdata,
	.free_vdata = edf_free_vdata,
	.wake = edf_wake,
	.sleep = edf_sleep,
	.yield = edf_yield,
	.do_schedule = edf_do_schedule,
	.pick_cpu = edf_pick_cpu,
	.dump_cpu = edf_dump_cpu,
	.dump_domain = edf_dump_domain,
};
