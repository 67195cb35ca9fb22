/*
 * Round-robin: one FIFO run queue per CPU and a fixed slice
 * (sched_rr_slice=, 10 ms by default). A vCPU keeps the CPU until its
 * slice ends, it blocks or yields, and then goes to the back of the
 * queue. Alone on its CPU it needs no preemption timer at all (slice
 * -1): a vCPU that wakes there raises SCHEDULE_SOFTIRQ, and the running
 * one is preempted if its slice is over, else the timer is armed for the
 * rest of it.
 *
 * With rr_preempt_on_wake=on a vCPU that blocked before its turn was over
 * keeps the rest of its slice, and when it wakes it goes to the head of
 * the queue and preempts the running vCPU with it (once that one has run
 * for the rate limit, sched_ratelimit_us=); the preempted vCPU resumes
 * next with the rest of its own turn. A vCPU that wakes with its turn
 * used up waits at the tail, as without the option. So none runs for more
 * than a slice per turn, however often it wakes: a storm of wake-ups
 * cannot take more than round-robin's share.
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
static bool opt_preempt_on_wake;
boolean_param("rr_preempt_on_wake", opt_preempt_on_wake);

struct rr_vcpu {
	struct vcpu *vcpu;
	struct rr_vcpu *next; /* in the run queue */
	bool queued;
	bool yielded;
	bool urgent; /* queued at the head, to preempt (woken with left) */
	s64 left;    /* its turn's rest when it stopped (preempt on wake) */
};

struct rr_cpu {
	struct rr_vcpu *head, *tail; /* runnable, not running */
	unsigned int nr_queued;
	s_time_t slice_end; /* when the running vCPU's slice is over */
	s_time_t run_start; /* when it was switched in (the rate limit) */
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

/* Queues rv behind the urgent vCPUs at the head, ahead of the rest. */
static void runq_push_front(struct rr_cpu *rc, struct rr_vcpu *rv)
{
	struct rr_vcpu **pp = &rc->head;

	ASSERT(!rv->queued);
	while (*pp && (*pp)->urgent)
		pp = &(*pp)->next;
	rv->next = *pp;
	*pp = rv;
	if (!rv->next)
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
	rv->urgent = false;
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
		rv->urgent = false;
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
	pr_info("Round-robin: slice %ld us, preemption on wake %s\n",
		opt_rr_slice / 1000, opt_preempt_on_wake ? "on" : "off");
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

/*
 * The CPU always decides again: to preempt for a vCPU woken with some of
 * its turn left (rr_preempt_on_wake), else to arm the slice timer of a
 * vCPU that was alone.
 */
static bool rr_wake(struct vcpu *v)
{
	struct rr_vcpu *rv = rr_priv(v);
	struct rr_cpu *rc = &per_cpu(rr_cpu, v->processor);

	if (rv->queued)
		return false;
	if (rv->left > 0) {
		rv->urgent = true;
		runq_push_front(rc, rv);
	} else {
		runq_append(rc, rv);
	}
	return true;
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

/*
 * prev, runnable and within its slice, meets an urgent vCPU at the head:
 * true if it is preempted now (queued to resume next, with the rest of its
 * turn); false if the rate limit keeps it running, *slice until then.
 */
static bool preempt_for_waker(struct rr_cpu *rc, struct rr_vcpu *rp,
			      s_time_t now, s64 *slice)
{
	s64 ran = now - rc->run_start;

	if (ran < sched_ratelimit()) {
		*slice = min(sched_ratelimit() - ran, rc->slice_end - now);
		return false;
	}
	rp->left = rc->slice_end - now;
	runq_push_front(rc, rp);
	return true;
}

static struct task_slice rr_do_schedule(unsigned int cpu, struct vcpu *prev,
					s_time_t now)
{
	struct rr_cpu *rc = &per_cpu(rr_cpu, cpu);
	struct rr_vcpu *rp = is_idle_vcpu(prev) ? NULL : rr_priv(prev);
	struct rr_vcpu *next;
	s64 slice;

	if (rp && vcpu_runnable(prev)) {
		bool in_turn = !rp->yielded && now < rc->slice_end;

		/* The running vCPU keeps the rest of its slice... */
		if (in_turn && !(rc->head && rc->head->urgent))
			return (struct task_slice){
				prev, rc->nr_queued ? rc->slice_end - now : -1};
		/* ...unless a woken vCPU preempts it (past the rate limit). */
		if (in_turn && !preempt_for_waker(rc, rp, now, &slice))
			return (struct task_slice){prev, slice};
		if (!in_turn) {
			rp->left = 0;
			runq_append(rc, rp);
		}
	} else if (rp) {
		/* Blocked: the rest of its turn waits for its wake-up. */
		rp->left = opt_preempt_on_wake && !rp->yielded
				   ? max(rc->slice_end - now, (s64)0)
				   : 0;
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
	/* A new turn, or the rest of one that a block or preemption cut. */
	slice = next->left > 0 ? next->left : opt_rr_slice;
	next->left = 0;
	rc->slice_end = now + slice;
	rc->run_start = now;
	return (struct task_slice){next->vcpu, rc->nr_queued ? slice : -1};
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
