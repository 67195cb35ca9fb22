/*
 * Round-robin: one FIFO run queue per CPU and a fixed slice
 * (sched_rr_slice=, 10 ms by default). A vCPU keeps the CPU until its
 * slice ends, it blocks or yields, and then goes to the back of the
 * queue. Alone on its CPU it needs no preemption timer at all (slice
 * -1): a vCPU that wakes there raises SCHEDULE_SOFTIRQ, and the running
 * one is preempted if its slice is over, else the timer is armed for the
 * rest of it.
 */
#include <cpumask.h>
#include <domain.h>
#include <errno.h>
#include <param.h>
#include <printk.h>
#include <sched_policy.h>
#include <systime.h>
#include <xmalloc.h>

#define RR_SLICE_MIN MICROSECS(100)
#define RR_SLICE_MAX SECONDS(1)

static s64 opt_rr_slice = MILLISECS(10);
time_param("sched_rr_slice", opt_rr_slice);

struct rr_vcpu {
	struct vcpu *vcpu;
	struct rr_vcpu *next; /* in the run queue */
	bool queued;
	bool yielded;
};

struct rr_cpu {
	struct rr_vcpu *head, *tail; /* runnable, not running */
	unsigned int nr_queued;
	s_time_t slice_end; /* when the running vCPU's slice is over */
};

static DEFINE_PER_CPU(struct rr_cpu, rr_cpu);

static struct rr_vcpu *rr_priv(const struct vcpu *v)
{
	return v->sched_priv;
}

static void runq_append(struct rr_cpu *rc, struct rr_vcpu *rv)
{
	ASSERT(!rv->queued);
	rv->next = NULL;
	if (rc->tail)
		rc->tail->next = rv;
	else
		rc->head = rv;
	rc->tail = rv;
	rv->queued = true;
	rc->nr_queued++;
}

static struct rr_vcpu *runq_pop(struct rr_cpu *rc)
{
	struct rr_vcpu *rv = rc->head;

	if (!rv)
		return NULL;
	rc->head = rv->next;
	if (!rc->head)
		rc->tail = NULL;
	rv->queued = false;
	rc->nr_queued--;
	return rv;
}

static void runq_remove(struct rr_cpu *rc, struct rr_vcpu *rv)
{
	struct rr_vcpu **pp, *prev = NULL;

	for (pp = &rc->head; *pp; prev = *pp, pp = &(*pp)->next) {
		if (*pp != rv)
			continue;
		*pp = rv->next;
		if (rc->tail == rv)
			rc->tail = prev;
		rv->queued = false;
		rc->nr_queued--;
		return;
	}
}

static int rr_init(void)
{
	if (opt_rr_slice < RR_SLICE_MIN || opt_rr_slice > RR_SLICE_MAX) {
		pr_warn("sched_rr_slice=%ld ns: out of range (100us to 1s); using 10ms\n",
			opt_rr_slice);
		opt_rr_slice = MILLISECS(10);
	}
	pr_info("Round-robin: slice %ld us\n", opt_rr_slice / 1000);
	return 0;
}

static void rr_init_cpu(unsigned int cpu)
{
}

static int rr_alloc_vdata(struct vcpu *v)
{
	struct rr_vcpu *rv = xzalloc(struct rr_vcpu);

	if (!rv)
		return -ENOMEM;
	rv->vcpu = v;
	v->sched_priv = rv;
	return 0;
}

static void rr_free_vdata(struct vcpu *v)
{
	struct rr_vcpu *rv = rr_priv(v);

	if (!rv)
		return;
	if (rv->queued)
		runq_remove(&per_cpu(rr_cpu, v->processor), rv);
	xfree(rv);
	v->sched_priv = NULL;
}

static void rr_wake(struct vcpu *v)
{
	struct rr_vcpu *rv = rr_priv(v);

	if (!rv->queued)
		runq_append(&per_cpu(rr_cpu, v->processor), rv);
}

static void rr_sleep(struct vcpu *v)
{
	struct rr_vcpu *rv = rr_priv(v);

	if (rv->queued)
		runq_remove(&per_cpu(rr_cpu, v->processor), rv);
}

static void rr_yield(struct vcpu *v)
{
	rr_priv(v)->yielded = true;
}

static struct task_slice rr_do_schedule(unsigned int cpu, struct vcpu *prev,
					s_time_t now)
{
	struct rr_cpu *rc = &per_cpu(rr_cpu, cpu);
	struct rr_vcpu *rp = is_idle_vcpu(prev) ? NULL : rr_priv(prev);
	struct rr_vcpu *next;

	if (rp && vcpu_runnable(prev)) {
		/* The running vCPU keeps the rest of its slice. */
		if (!rp->yielded && now < rc->slice_end)
			return (struct task_slice){
				prev, rc->nr_queued ? rc->slice_end - now : -1};
		runq_append(rc, rp);
	}
	if (rp)
		rp->yielded = false;
	/*
	 * A queued vCPU may have stopped being runnable (its domain is
	 * shutting down) before vcpu_sleep_nosync() reached it: skip it;
	 * the sleep finds it unqueued and does the accounting.
	 */
	do
		next = runq_pop(rc);
	while (next && !vcpu_runnable(next->vcpu));
	if (!next)
		return (struct task_slice){NULL, -1};
	rc->slice_end = now + opt_rr_slice;
	return (struct task_slice){next->vcpu,
				   rc->nr_queued ? opt_rr_slice : -1};
}

static void rr_dump_cpu(unsigned int cpu)
{
	struct rr_cpu *rc = &per_cpu(rr_cpu, cpu);
	struct rr_vcpu *rv;

	char name[VCPU_NAME_LEN];

	printk("    run queue (%u):", rc->nr_queued);
	for (rv = rc->head; rv; rv = rv->next)
		printk(" %s", vcpu_name(rv->vcpu, name, sizeof(name)));
	printk("\n");
}

const struct scheduler sched_rr_def = {
	.name = "round-robin",
	.opt_name = "rr",
	.init = rr_init,
	.init_cpu = rr_init_cpu,
	.alloc_vdata = rr_alloc_vdata,
	.free_vdata = rr_free_vdata,
	.wake = rr_wake,
	.sleep = rr_sleep,
	.yield = rr_yield,
	.do_schedule = rr_do_schedule,
	.pick_cpu = sched_least_loaded_cpu,
	.dump_cpu = rr_dump_cpu,
};
