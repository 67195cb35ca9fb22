/*
 * Credit: proportional share by weight, after Xen's credit scheduler
 * (common/sched/credit.c there), simplified and measured in nanoseconds.
 *
 * Every CSCHED_ACCT_PERIOD an accounting timer gives each CPU's active
 * vCPUs that period's CPU time as credit, split by their domains'
 * weights; running burns credit one for one. A vCPU with credit left is
 * UNDER, one without is OVER; a vCPU woken from a block with credit left
 * is BOOSTed ahead of both and preempts a running UNDER or OVER vCPU at
 * once (wake-up preemption), so sleepers answer quickly. A boost lasts
 * one run of at most CSCHED_BOOST_MAX; boosted time burns credit like
 * any other, so a vCPU that wakes all the time is soon OVER, unboosted,
 * and held to its share. Each CPU's queue is ordered BOOST, UNDER, OVER,
 * first in first out within each; the head runs for a slice
 * (sched_credit_tslice=).
 *
 * - Work-conserving: an OVER vCPU still runs when nothing UNDER wants the
 *   CPU, and a CPU that would idle (or run an OVER vCPU) first steals a
 *   better queued vCPU from another CPU of that vCPU's affinity. A CPU
 *   that leaves a vCPU waiting in its queue (on a wake-up, or when it
 *   preempts it) asks an idle CPU where it may run to come for it.
 * - Caps (cap=, percent of one CPU per domain): once a capped domain has
 *   used its cap's worth of the period, its vCPUs are parked (not run,
 *   not even on an idle CPU) until the next accounting.
 * - Rate limit (sched_ratelimit_us=, the core's): a vCPU that has run for
 *   less than it since it was switched in is not preempted; a wake-up
 *   that would preempt it re-arms s_timer for when the limit expires, so
 *   the preemption is late, never lost, and a stream of wake-ups cannot
 *   make the CPU switch faster than that.
 *
 * Weights are per domain, as in Xen: a domain of weight w with n active
 * vCPUs (ran or wanted to since the last accounting) counts w / n for
 * each of them. Credit is shared per CPU, among the vCPUs placed there,
 * so shares follow weights among vCPUs that compete for one CPU; stealing
 * moves vCPUs towards idle CPUs.
 */
#include <atomic.h>
#include <cpumask.h>
#include <domain.h>
#include <errno.h>
#include <param.h>
#include <printk.h>
#include <sched_policy.h>
#include <softirq.h>
#include <systime.h>
#include <timer.h>
#include <xmalloc.h>

#define CSCHED_ACCT_PERIOD MILLISECS(30)
/*
 * At most two periods' worth may be saved up (a vCPU that waits for
 * events must not come back with a hoard), but debt is kept for several
 * periods: forgiving it would hand the heaviest consumer more than its
 * weight (credit is conserved only while neither bound is hit).
 */
#define CSCHED_CREDIT_MAX (2 * CSCHED_ACCT_PERIOD)
#define CSCHED_CREDIT_MIN (-8 * CSCHED_ACCT_PERIOD)

enum csched_pri {
	CSCHED_PRI_BOOST,
	CSCHED_PRI_UNDER,
	CSCHED_PRI_OVER,
	CSCHED_NR_PRI,
};

static const char *const pri_names[] = {"boost", "under", "over"};

/*
 * The longest run a boost buys: then the vCPU is UNDER and takes its turn
 * behind the others, so that a woken vCPU that goes on computing cannot
 * keep a second one, woken meanwhile, waiting for a whole slice.
 */
#define CSCHED_BOOST_MAX MILLISECS(1)
/* The shortest slice s_timer is armed for, whatever the rate limit. */
#define CSCHED_SLICE_MIN MICROSECS(100)
/*
 * An idle CPU whose steal found a vCPU still being saved by the CPU that
 * preempted it (the offer comes before the save) tries again this soon.
 */
#define CSCHED_STEAL_RETRY MICROSECS(50)

static s64 opt_tslice = MILLISECS(10);
time_param("sched_credit_tslice", opt_tslice);
static s64 opt_ratelimit; /* sched_ratelimit(), at most the slice */

struct csched_dom {
	struct domain *dom;
	unsigned int weight;	/* the domain's, split among its active vCPUs */
	unsigned int nr_active; /* vCPUs active in the period, by acct */
	s64 cap_ns;		/* per period; 0: uncapped */
	atomic64_t used;	/* ns run in this period, for the cap */
	bool parked;		/* over its cap until the next accounting */
};

struct csched_vcpu {
	struct vcpu *vcpu;
	struct csched_dom *sdom;
	struct csched_vcpu *next; /* in a run queue */
	s64 credit;		  /* ns; under the CPU's lock */
	s_time_t run_start;	  /* when it last started, or was charged */
	s_time_t picked_at;	  /* when this run began (the rate limit) */
	s_time_t slice_end; /* when this run's slice ends; STIME_MAX: never */
	s64 turn_left;	    /* of a turn cut short by a preemption; 0: none */
	bool queued;
	bool boost;
	bool blocked; /* stopped running not runnable: boost when woken */
	bool yielded;
	bool active;  /* ran or wanted to since the last accounting */
	bool counted; /* active at this accounting (acct's snapshot) */
	u64 steals;   /* times another CPU took it */
};

struct csched_cpu {
	struct csched_vcpu *head, *tail; /* queued, best priority first */
	unsigned int nr_queued;
};

static DEFINE_PER_CPU(struct csched_cpu, csched_cpu);
static struct timer acct_timer;

static struct csched_vcpu *svc(const struct vcpu *v)
{
	return v->sched_priv;
}

static enum csched_pri pri_of(const struct csched_vcpu *s)
{
	if (s->credit <= 0)
		return CSCHED_PRI_OVER;
	return s->boost ? CSCHED_PRI_BOOST : CSCHED_PRI_UNDER;
}

/* A parked vCPU stays off the CPUs until its domain's next period. */
static bool can_run(const struct csched_vcpu *s)
{
	return vcpu_runnable(s->vcpu) && !READ_ONCE(s->sdom->parked);
}

/* ------------------------------------------------------------------ */
/* Run queues                                                          */

/* Inserts s after every queued vCPU of the same or better priority. */
static void runq_insert(struct csched_cpu *pc, struct csched_vcpu *s)
{
	struct csched_vcpu **pp = &pc->head;
	enum csched_pri p = pri_of(s);

	ASSERT(!s->queued);
	while (*pp && pri_of(*pp) <= p)
		pp = &(*pp)->next;
	s->next = *pp;
	*pp = s;
	if (!s->next)
		pc->tail = s;
	s->queued = true;
	pc->nr_queued++;
}

/*
 * Inserts s ahead of its equals: a vCPU preempted before its slice ended
 * (by a wake-up, or the accounting's look) keeps its turn, so that the
 * runs between preemptions still last until credit is spent and shares
 * follow credit, i.e. weights, not the number of turns. Only the rest of
 * the turn (turn_left): a turn renewed at each preemption would keep the
 * CPU for ever under a storm of wake-ups, and its equals behind it would
 * starve.
 */
static void runq_insert_front(struct csched_cpu *pc, struct csched_vcpu *s)
{
	struct csched_vcpu **pp = &pc->head;
	enum csched_pri p = pri_of(s);

	ASSERT(!s->queued);
	while (*pp && pri_of(*pp) < p)
		pp = &(*pp)->next;
	s->next = *pp;
	*pp = s;
	if (!s->next)
		pc->tail = s;
	s->queued = true;
	pc->nr_queued++;
}

static void runq_remove(struct csched_cpu *pc, struct csched_vcpu *s)
{
	struct csched_vcpu **pp, *prev = NULL;

	for (pp = &pc->head; *pp; prev = *pp, pp = &(*pp)->next) {
		if (*pp != s)
			continue;
		*pp = s->next;
		if (pc->tail == s)
			pc->tail = prev;
		s->queued = false;
		pc->nr_queued--;
		return;
	}
}

/* The best queued vCPU that may run now, taken off the queue; or NULL. */
static struct csched_vcpu *runq_take(struct csched_cpu *pc)
{
	struct csched_vcpu *s;

	for (s = pc->head; s; s = s->next) {
		if (!can_run(s))
			continue;
		runq_remove(pc, s);
		return s;
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Charging and accounting                                             */

/* Burns what s ran since it started (or was last charged). Lock held. */
static void burn(struct csched_vcpu *s, s_time_t now)
{
	s64 ran = now - s->run_start;

	if (ran <= 0)
		return;
	s->credit = max(s->credit - ran, (s64)CSCHED_CREDIT_MIN);
	s->run_start = now;
	s->active = true;
	if (s->sdom->cap_ns) {
		atomic64_add(ran, &s->sdom->used);
		if (atomic64_read(&s->sdom->used) >= s->sdom->cap_ns)
			WRITE_ONCE(s->sdom->parked, true);
	}
}

/*
 * The old period's end on one CPU: charges its running vCPU and notes
 * which vCPUs were active, counting them in their domains.
 */
static void count_active(unsigned int cpu, s_time_t now)
{
	unsigned long flags = spin_lock_irqsave(sched_cpu_lock(cpu));
	struct csched_vcpu *s;
	struct vcpu *v;

	for_each_placed_vcpu(v, cpu)
	{
		s = svc(v);
		if (sched_vcpu_is_curr(v))
			burn(s, now);
		/*
		 * A vCPU with all the savings it may have (a sleeper that uses
		 * less than its share) takes no share of this period, as in
		 * Xen: its weight goes to those that compete, whose shares then
		 * follow their weights; it counts again once it spends some.
		 */
		s->counted =
			(s->active || s->queued || sched_vcpu_is_curr(v)) &&
			s->credit < CSCHED_CREDIT_MAX;
		if (s->counted)
			s->sdom->nr_active++;
	}
	spin_unlock_irqrestore(sched_cpu_lock(cpu), flags);
}

/* A vCPU's weight: its domain's, split among the domain's active vCPUs. */
static u64 vcpu_weight(const struct csched_vcpu *s)
{
	ASSERT(s->sdom->nr_active);
	/* Scaled: a weight of 1 split eight ways must not round to 0. */
	return ((u64)s->sdom->weight << 16) / s->sdom->nr_active;
}

/*
 * One CPU's share of a period: credit by weight among its active vCPUs.
 * What would take one past the savings bound is dropped, as in Xen:
 * handed to the others, it fed those that ran more than their weight,
 * kept every vCPU UNDER, and equal turns, not weights, shared the CPU.
 */
static void account_cpu(unsigned int cpu)
{
	struct csched_cpu *pc = &per_cpu(csched_cpu, cpu);
	unsigned long flags = spin_lock_irqsave(sched_cpu_lock(cpu));
	struct csched_vcpu *s;
	struct vcpu *v;
	u64 total_weight = 0;

	for_each_placed_vcpu(v, cpu) if (svc(v)->counted) total_weight +=
		vcpu_weight(svc(v));
	for_each_placed_vcpu(v, cpu)
	{
		s = svc(v);
		if (s->counted)
			s->credit = min(s->credit + (s64)(CSCHED_ACCT_PERIOD *
							  vcpu_weight(s) /
							  total_weight),
					(s64)CSCHED_CREDIT_MAX);
		s->active = false;
		s->counted = false;
		/* A new period may reorder the queue: take it out and back. */
		if (s->queued) {
			runq_remove(pc, s);
			runq_insert(pc, s);
		}
	}
	spin_unlock_irqrestore(sched_cpu_lock(cpu), flags);
}

static void unpark_domain(struct domain *d, void *unused)
{
	struct csched_dom *sdom = d->sched_priv;

	if (!sdom)
		return;
	atomic64_set(&sdom->used, 0);
	WRITE_ONCE(sdom->parked, false);
}

static void reset_active(struct domain *d, void *unused)
{
	struct csched_dom *sdom = d->sched_priv;

	if (sdom)
		sdom->nr_active = 0;
}

/*
 * Where the next accounting runs: this CPU if it idles, else the first
 * idle one, else this one. The accounting takes ~32 us in Bochs (2 CPUs,
 * 5 domains); run beside a vCPU, it delays that vCPU's timer wake-ups
 * falling due meanwhile, which set the p99 of a sleeper beside hogs
 * (61 us against 35 us when it runs elsewhere), as Linux keeps such
 * housekeeping off the CPUs that run work.
 */
static unsigned int housekeeping_cpu(void)
{
	unsigned int self = smp_processor_id(), cpu;

	if (READ_ONCE(per_cpu(curr_vcpu, self)) == idle_vcpu[self])
		return self;
	for_each_online_cpu (cpu)
		if (READ_ONCE(per_cpu(curr_vcpu, cpu)) == idle_vcpu[cpu])
			return cpu;
	return self;
}

/* Every period: credit for each CPU, caps reset, every CPU rechecked. */
static void acct_timer_fn(void *unused)
{
	s_time_t now = NOW();
	bool waiting = false;
	unsigned int cpu;

	/*
	 * Charge the old period first (it may park), count each domain's
	 * active vCPUs across the CPUs (their weights split by it), then
	 * start the new period. Only this timer's callback touches nr_active
	 * and counted: a timer's callback never runs on two CPUs at once,
	 * wherever housekeeping_cpu() moves it.
	 */
	for_each_domain(reset_active, NULL);
	for_each_online_cpu (cpu)
		count_active(cpu, now);
	for_each_online_cpu (cpu)
		account_cpu(cpu);
	for_each_domain(unpark_domain, NULL);
	/*
	 * Every CPU with vCPUs re-decides; while some vCPU waits in a queue,
	 * idle CPUs look too and may steal it (the periodic balance that
	 * complements the tickle on wake-up).
	 */
	for_each_online_cpu (cpu)
		if (READ_ONCE(per_cpu(csched_cpu, cpu).nr_queued))
			waiting = true;
	for_each_online_cpu (cpu)
		if (sched_cpu_load(cpu) ||
		    (waiting &&
		     READ_ONCE(per_cpu(curr_vcpu, cpu)) == idle_vcpu[cpu]))
			cpu_raise_softirq(cpu, SCHEDULE_SOFTIRQ);
	if (domains_alive()) {
		set_timer(&acct_timer, now + CSCHED_ACCT_PERIOD);
		migrate_timer(&acct_timer, housekeeping_cpu());
	}
}

/* ------------------------------------------------------------------ */
/* Stealing                                                            */

/*
 * A queued vCPU of another CPU, better than what cpu would run (worse
 * is pri_floor), that may run on cpu: moved to cpu and returned. Peers'
 * locks are only tried, never waited for (we hold our own: a peer that
 * holds its lock is scheduling, and offers its queue when it has).
 * *busy tells whether a candidate was still being saved by the CPU that
 * just preempted it, so that trying again soon will find it.
 */
static struct csched_vcpu *steal(unsigned int cpu, enum csched_pri pri_floor,
				 bool *busy)
{
	unsigned int peer;

	*busy = false;
	for_each_online_cpu (peer) {
		struct csched_cpu *pp = &per_cpu(csched_cpu, peer);
		struct csched_vcpu *s;

		if (peer == cpu || !READ_ONCE(pp->nr_queued) ||
		    !spin_trylock(sched_cpu_lock(peer)))
			continue;
		for (s = pp->head; s; s = s->next) {
			if (pri_of(s) >= pri_floor)
				break; /* ordered: nothing better behind */
			if (!can_run(s) ||
			    !cpumask_test_cpu(cpu, &s->vcpu->affinity))
				continue;
			if (READ_ONCE(s->vcpu->is_running)) {
				*busy = true;
				continue;
			}
			runq_remove(pp, s);
			sched_set_processor(s->vcpu, cpu);
			s->steals++;
			spin_unlock(sched_cpu_lock(peer));
			return s;
		}
		spin_unlock(sched_cpu_lock(peer));
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* The policy's hooks                                                  */

static int csched_init(void)
{
	if (opt_tslice < MICROSECS(100) || opt_tslice > SECONDS(1)) {
		pr_warn("sched_credit_tslice=%ld ns: out of range (100us to 1s); using 10ms\n",
			opt_tslice);
		opt_tslice = MILLISECS(10);
	}
	opt_ratelimit = sched_ratelimit();
	if (opt_ratelimit > opt_tslice) {
		pr_warn("sched_ratelimit: %ld us is more than the slice; using %ld us\n",
			opt_ratelimit / 1000, opt_tslice / 1000);
		opt_ratelimit = opt_tslice;
	}
	init_timer(&acct_timer, acct_timer_fn, NULL, 0);
	pr_info("Credit: slice %ld us, rate limit %ld us, accounting every %ld ms\n",
		opt_tslice / 1000, opt_ratelimit / 1000,
		(long)(CSCHED_ACCT_PERIOD / 1000000));
	return 0;
}

static void csched_init_cpu(unsigned int cpu)
{
}

static int csched_init_domain(struct domain *d, char *err, size_t errlen)
{
	struct csched_dom *sdom = xzalloc(struct csched_dom);

	if (!sdom) {
		snprintf(err, errlen, "out of memory for the credit scheduler");
		return -ENOMEM;
	}
	sdom->dom = d;
	sdom->weight = d->config.weight;
	sdom->cap_ns =
		d->config.cap ? CSCHED_ACCT_PERIOD * d->config.cap / 100 : 0;
	d->sched_priv = sdom;
	if (!timer_is_active(&acct_timer))
		set_timer(&acct_timer, NOW() + CSCHED_ACCT_PERIOD);
	return 0;
}

static void csched_destroy_domain(struct domain *d)
{
	xfree(d->sched_priv);
	d->sched_priv = NULL;
}

static int csched_alloc_vdata(struct vcpu *v)
{
	struct csched_vcpu *s = xzalloc(struct csched_vcpu);

	if (!s)
		return -ENOMEM;
	s->vcpu = v;
	s->sdom = v->domain->sched_priv;
	s->credit = CSCHED_ACCT_PERIOD / 2; /* a start, until accounted */
	v->sched_priv = s;
	return 0;
}

static void csched_free_vdata(struct vcpu *v)
{
	struct csched_vcpu *s = svc(v);

	if (!s)
		return;
	if (s->queued)
		runq_remove(&per_cpu(csched_cpu, v->processor), s);
	xfree(s);
	v->sched_priv = NULL;
}

/*
 * Asks idle CPUs other than cpu, at most one per vCPU in cpu's queue, to
 * come and steal a queued vCPU that may run there (cpu's lock held). A
 * CPU read as idle may just have found work: it only decides again. Cheap
 * when no CPU idles or the queue is pinned: this runs at every schedule.
 */
static void offer_queue(unsigned int cpu, const struct csched_cpu *pc)
{
	unsigned int other, offers = pc->nr_queued;
	const struct csched_vcpu *s;

	for_each_online_cpu (other) {
		if (!offers)
			return;
		if (other == cpu ||
		    READ_ONCE(per_cpu(curr_vcpu, other)) != idle_vcpu[other])
			continue;
		for (s = pc->head; s; s = s->next)
			if (can_run(s) &&
			    cpumask_test_cpu(other, &s->vcpu->affinity)) {
				cpu_raise_softirq(other, SCHEDULE_SOFTIRQ);
				offers--;
				break;
			}
	}
}

/*
 * True if s, queued on cpu (whose lock we hold), should preempt what cpu
 * runs: cpu idles, or s ranks higher (BOOST over UNDER, UNDER over OVER).
 * Else idle CPUs of s's affinity are asked to come and steal it.
 */
static bool tickle(unsigned int cpu, struct csched_vcpu *s)
{
	struct vcpu *curr = sched_curr(cpu);

	if (curr == idle_vcpu[cpu] || pri_of(s) < pri_of(svc(curr)))
		return true;
	offer_queue(cpu, &per_cpu(csched_cpu, cpu));
	return false;
}

static bool csched_wake(struct vcpu *v)
{
	struct csched_vcpu *s = svc(v);
	struct csched_cpu *pc = &per_cpu(csched_cpu, v->processor);

	if (s->queued)
		return false;
	/* Woken from a block with credit left: ahead of the others. */
	if (s->blocked && s->credit > 0)
		s->boost = true;
	s->blocked = false;
	s->active = true;
	runq_insert(pc, s);
	/*
	 * A queue that was empty: what runs has no slice timer (or only its
	 * cap's); the CPU must decide again to arm one.
	 */
	return tickle(v->processor, s) || pc->nr_queued == 1;
}

static void csched_sleep(struct vcpu *v)
{
	struct csched_vcpu *s = svc(v);

	if (s->queued)
		runq_remove(&per_cpu(csched_cpu, v->processor), s);
}

static void csched_yield(struct vcpu *v)
{
	svc(v)->yielded = true;
}

/* The shortest run a slice gives: the rate limit, and never under 100 us. */
static s64 slice_min(void)
{
	return max(opt_ratelimit, (s64)CSCHED_SLICE_MIN);
}

/*
 * How long next may run: alone, as long as it likes (-1); UNDER, until
 * its credit is spent (at least the rate limit, at most a slice), so
 * that none overspends much and shares follow weights closely; OVER, a
 * slice; BOOST, no more than CSCHED_BOOST_MAX of that. A capped domain's
 * vCPU also stops when the cap's budget for this period is used up (each
 * vCPU may overshoot by what the others of its domain run meanwhile).
 */
static s64 slice_for(const struct csched_cpu *pc, const struct csched_vcpu *s)
{
	s64 slice = -1;

	if (pc->nr_queued && s->credit > 0) {
		slice = min(s->credit, opt_tslice);
		slice = max(slice, slice_min());
	} else if (pc->nr_queued) {
		slice = opt_tslice;
	}
	if (slice >= 0 && s->boost) {
		s64 boost_max = max((s64)CSCHED_BOOST_MAX, opt_ratelimit);

		slice = min(slice, boost_max);
	}
	if (s->sdom->cap_ns) {
		s64 left = s->sdom->cap_ns - atomic64_read(&s->sdom->used);
		s64 cap_slice = max(left, (s64)MICROSECS(100));

		slice = slice < 0 ? cap_slice : min(slice, cap_slice);
	}
	return slice;
}

static struct task_slice csched_do_schedule(unsigned int cpu, struct vcpu *prev,
					    s_time_t now)
{
	struct csched_cpu *pc = &per_cpu(csched_cpu, cpu);
	struct csched_vcpu *sp = is_idle_vcpu(prev) ? NULL : svc(prev);
	struct csched_vcpu *next;
	s64 ran = sp ? now - sp->picked_at : 0, slice;
	bool steal_busy = false;

	if (sp) {
		burn(sp, now);
		sp->boost = false; /* a boost lasts one run */
		/* The rate limit: a runnable vCPU keeps a short run going. */
		if (can_run(sp) && !sp->yielded && ran < opt_ratelimit &&
		    sp->credit > CSCHED_CREDIT_MIN)
			return (struct task_slice){prev, opt_ratelimit - ran};
		/* Parked, it stays queued: runq_take() skips it till then. */
		sp->turn_left = 0;
		if (vcpu_runnable(prev) && now < sp->slice_end &&
		    !sp->yielded) {
			sp->turn_left = sp->slice_end - now;
			runq_insert_front(pc, sp);
		} else if (vcpu_runnable(prev)) {
			runq_insert(pc, sp);
		}
		sp->blocked = !vcpu_runnable(prev);
	}
	next = runq_take(pc);
	/* Work-conserving: rather than idle or run over credit, steal. */
	if (!next || pri_of(next) == CSCHED_PRI_OVER) {
		struct csched_vcpu *stolen =
			steal(cpu, next ? CSCHED_PRI_OVER : CSCHED_NR_PRI,
			      &steal_busy);

		if (stolen) {
			if (next)
				runq_insert(pc, next);
			next = stolen;
		}
	}
	/* A yield went behind its equals; with none, the yielder runs on. */
	if (sp)
		sp->yielded = false;
	/*
	 * Whoever waits here now (just preempted, say) and could run on an
	 * idle CPU is offered to it at once, not at the next accounting, as
	 * Linux's busy CPUs kick an idle one to balance.
	 */
	if (pc->nr_queued)
		offer_queue(cpu, pc);
	/* A steal that lost a race is tried again soon, not next period. */
	if (!next)
		return (struct task_slice){NULL, steal_busy ? CSCHED_STEAL_RETRY
							    : -1};
	next->run_start = now;
	next->picked_at = now;
	next->active = true;
	slice = slice_for(pc, next);
	if (slice >= 0 && next->turn_left > 0) {
		s64 rest = max(next->turn_left, slice_min());

		slice = min(slice, rest);
	}
	next->turn_left = 0;
	next->slice_end = slice < 0 ? STIME_MAX : now + slice;
	return (struct task_slice){next->vcpu, slice};
}

static void csched_dump_cpu(unsigned int cpu)
{
	struct csched_cpu *pc = &per_cpu(csched_cpu, cpu);
	struct csched_vcpu *s;
	char name[VCPU_NAME_LEN];

	printk("    run queue (%u):", pc->nr_queued);
	for (s = pc->head; s; s = s->next)
		printk(" %s[%s %ld us]", vcpu_name(s->vcpu, name, sizeof(name)),
		       pri_names[pri_of(s)], s->credit / 1000);
	printk("\n");
}

static void csched_dump_domain(struct domain *d)
{
	struct csched_dom *sdom = d->sched_priv;
	u64 steals = 0;
	unsigned int i;

	if (!sdom)
		return;
	for (i = 0; i < d->nr_vcpus; i++)
		if (d->vcpus[i]->sched_priv)
			steals += svc(d->vcpus[i])->steals;
	printk("Domain %u (%s): credit: weight %u, cap %u%%, %lu migrations by stealing\n",
	       d->domid, d->name, sdom->weight, d->config.cap,
	       (unsigned long)steals);
}

const struct scheduler sched_credit_def = {
	.name = "credit",
	.opt_name = "credit",
	.init = csched_init,
	.init_cpu = csched_init_cpu,
	.init_domain = csched_init_domain,
	.destroy_domain = csched_destroy_domain,
	.alloc_vdata = csched_alloc_vdata,
	.free_vdata = csched_free_vdata,
	.wake = csched_wake,
	.sleep = csched_sleep,
	.yield = csched_yield,
	.do_schedule = csched_do_schedule,
	.pick_cpu = sched_least_loaded_cpu,
	.dump_cpu = csched_dump_cpu,
	.dump_domain = csched_dump_domain,
};
