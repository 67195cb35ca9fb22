/*
 * Gang scheduling (co-scheduling): all vCPUs of a gang run at the same
 * time on distinct CPUs, and none of them runs at any other time.
 *
 * Time is cut into slots of sched_gang_slot= (10 ms), aligned to system
 * time: slot k is [k * slot, (k + 1) * slot). System time is one clock
 * for every CPU (its readings agree across CPUs: docs/time.md), so every
 * CPU knows which slot it is in without asking the others, and the gangs
 * take the slots in turn: slot k belongs to gang k mod (number of gangs).
 * Each CPU holding a member of that gang runs the member at the slot's
 * start; s_timer, armed without slack for the boundary, is all the
 * coordination there is; after every gang has had its slot comes one for
 * the other domains (the background). What starts the members apart is each CPU's
 * timer interrupt latency: the start skew, measured per slot as the
 * spread of the members' switch-in times and reported with the gang.
 *
 * A domain joins a gang with gang= (its own, named after it) or
 * gang=<name> (domains sharing a name form one gang). Admission places
 * the gang's vCPUs on distinct CPUs of their affinity and refuses a
 * domain for which there are not enough. A CPU whose gang member is
 * blocked, or that holds no member of the slot's gang, runs the other
 * domains' vCPUs round-robin (the background): that never makes a gang
 * member run without the others.
 */
#include <cpumask.h>
#include <domain.h>
#include <errno.h>
#include <param.h>
#include <printk.h>
#include <sched_policy.h>
#include <spinlock.h>
#include <string.h>
#include <systime.h>
#include <xmalloc.h>

#define GANG_MAX      32
#define SKEW_SAMPLES  4096 /* the last slots' skews, for the percentiles */
#define GANG_BG_SLICE MILLISECS(10)

static s64 opt_slot = MILLISECS(10);
time_param("sched_gang_slot", opt_slot);

struct gang {
	char name[DOMAIN_NAME_MAX + 1];
	unsigned int nr_members;
	unsigned int nr_domains;
	cpumask_t cpus;		/* where its members are placed */
	spinlock_t skew_lock;	/* the fields below */
	s64 slot;		/* the slot being measured */
	unsigned int started;	/* members switched in during it */
	s_time_t first, last;	/* their earliest and latest switch-in */
	u64 slots;		/* slots in which every member started */
	u64 partial;		/* slots in which some member did not */
	s64 skew[SKEW_SAMPLES]; /* ns; the last ones, circular */
	s64 skew_max;
};

struct gang_vcpu {
	struct vcpu *vcpu;
	struct gang *gang;	/* NULL: the background */
	struct gang_vcpu *next; /* in the background queue */
	bool queued;		/* runnable, waiting (either kind) */
	bool yielded;		/* background: gave up its slice */
	s64 started_slot;	/* the slot it last started in */
};

struct gang_cpu {
	struct gang_vcpu *bg_head, *bg_tail; /* background, round-robin */
	unsigned int nr_bg_queued;
	s_time_t bg_slice_end;
};

/* The gangs in creation order; slots go round them. */
static DEFINE_SPINLOCK(gangs_lock);
static struct gang *gangs[GANG_MAX];
static unsigned int nr_gangs;

static DEFINE_PER_CPU(struct gang_cpu, gang_cpu);

struct gang_dom {
	struct gang *gang;    /* NULL: background */
	unsigned int *cpu_of; /* each vCPU's CPU */
};

static struct gang_vcpu *gvc(const struct vcpu *v)
{
	return v->sched_priv;
}

static s64 slot_of(s_time_t t)
{
	return t / opt_slot;
}

/*
 * The gang that owns slot k, or NULL: the gangs in turn, and after them
 * one slot for the background, so that gangs covering every CPU cannot
 * starve the other domains. gangs_lock held.
 */
static struct gang *slot_owner(s64 k)
{
	s64 i = k % (nr_gangs + 1);

	return i < nr_gangs ? gangs[i] : NULL;
}

/* ------------------------------------------------------------------ */
/* Admission                                                           */

static struct gang *find_gang(const char *name)
{
	unsigned int i;

	for (i = 0; i < nr_gangs; i++)
		if (!strcmp(gangs[i]->name, name))
			return gangs[i];
	return NULL;
}

static int gang_init_domain(struct domain *d, char *err, size_t errlen)
{
	struct gang_dom *sdom = xzalloc(struct gang_dom);
	unsigned int i, cpu, n = d->config.vcpus;
	struct gang *g = NULL, *fresh = NULL;
	cpumask_t used;
	unsigned long flags;

	if (!sdom || !(sdom->cpu_of = xzalloc_bytes(sizeof(unsigned int) * n)))
		goto nomem;
	d->sched_priv = sdom;
	for (i = 0; i < n; i++)
		sdom->cpu_of[i] = NR_CPUS;
	if (!d->config.gang)
		return 0;

	fresh = xzalloc(struct gang);
	if (!fresh)
		goto nomem;
	flags = spin_lock_irqsave(&gangs_lock);
	g = find_gang(d->config.gang_name);
	if (!g && nr_gangs == GANG_MAX) {
		spin_unlock_irqrestore(&gangs_lock, flags);
		snprintf(err, errlen, "gang %s: already %u gangs, the most",
			 d->config.gang_name, GANG_MAX);
		goto fail;
	}
	used = g ? g->cpus : (cpumask_t){0};
	/* Each vCPU on a CPU of the affinity no member of the gang holds. */
	for (i = 0; i < n; i++) {
		for_each_online_cpu (cpu)
			if (cpumask_test_cpu(cpu, &d->config.affinity) &&
			    !cpumask_test_cpu(cpu, &used))
				break;
		if (cpu >= NR_CPUS)
			break;
		sdom->cpu_of[i] = cpu;
		cpumask_set_cpu(cpu, &used);
	}
	if (i < n) {
		spin_unlock_irqrestore(&gangs_lock, flags);
		snprintf(
			err, errlen,
			"gang %s: its %u vCPU%s here need distinct CPUs of the affinity, and only %u are free of the gang",
			d->config.gang_name, n, n == 1 ? "" : "s", i);
		goto fail;
	}
	if (!g) {
		g = fresh;
		fresh = NULL;
		strlcpy(g->name, d->config.gang_name, sizeof(g->name));
		spin_lock_init(&g->skew_lock);
		g->slot = -1;
		gangs[nr_gangs++] = g;
	}
	g->cpus = used;
	g->nr_members += n;
	g->nr_domains++;
	sdom->gang = g;
	spin_unlock_irqrestore(&gangs_lock, flags);
	xfree(fresh);
	return 0;

nomem:
	snprintf(err, errlen, "out of memory for the gang scheduler");
fail:
	xfree(fresh);
	if (sdom)
		xfree(sdom->cpu_of);
	xfree(sdom);
	d->sched_priv = NULL;
	return -ENOMEM;
}

static void gang_destroy_domain(struct domain *d)
{
	struct gang_dom *sdom = d->sched_priv;
	struct gang *g = sdom ? sdom->gang : NULL;
	unsigned long flags;
	unsigned int i;

	if (!sdom)
		return;
	if (g) {
		flags = spin_lock_irqsave(&gangs_lock);
		for (i = 0; i < d->config.vcpus; i++)
			cpumask_clear_cpu(sdom->cpu_of[i], &g->cpus);
		g->nr_members -= d->config.vcpus;
		if (--g->nr_domains == 0) {
			for (i = 0; i < nr_gangs && gangs[i] != g; i++)
				;
			memmove(&gangs[i], &gangs[i + 1],
				(nr_gangs - i - 1) * sizeof(gangs[0]));
			nr_gangs--;
		} else {
			g = NULL;
		}
		spin_unlock_irqrestore(&gangs_lock, flags);
		xfree(g); /* no vCPU of it is left on any CPU */
	}
	xfree(sdom->cpu_of);
	xfree(sdom);
	d->sched_priv = NULL;
}

static unsigned int gang_pick_cpu(const struct vcpu *v)
{
	struct gang_dom *sdom = v->domain->sched_priv;

	/* A member where admission put it; the background anywhere. */
	if (sdom->cpu_of[v->vcpu_id] < NR_CPUS)
		return sdom->cpu_of[v->vcpu_id];
	return sched_least_loaded_cpu(v);
}

/* ------------------------------------------------------------------ */
/* The start skew                                                      */

/* A member started at t in slot k: fold it into the gang's skew. */
static void note_start(struct gang *g, s64 k, s_time_t t)
{
	unsigned long flags = spin_lock_irqsave(&g->skew_lock);

	if (k != g->slot) {
		if (g->slot >= 0 && g->started < g->nr_members)
			g->partial++; /* some member was blocked or late */
		g->slot = k;
		g->started = 0;
		g->first = g->last = t;
	}
	g->first = min(g->first, t);
	g->last = max(g->last, t);
	if (++g->started == g->nr_members) {
		s64 skew = g->last - g->first;

		g->skew[g->slots % SKEW_SAMPLES] = skew;
		g->skew_max = max(g->skew_max, skew);
		g->slots++;
	}
	spin_unlock_irqrestore(&g->skew_lock, flags);
}

/* ------------------------------------------------------------------ */
/* The background queue                                                */

static void bg_add(struct gang_cpu *pc, struct gang_vcpu *s)
{
	s->next = NULL;
	if (pc->bg_tail)
		pc->bg_tail->next = s;
	else
		pc->bg_head = s;
	pc->bg_tail = s;
	pc->nr_bg_queued++;
}

static void bg_del(struct gang_cpu *pc, struct gang_vcpu *s)
{
	struct gang_vcpu **pp, *prev = NULL;

	for (pp = &pc->bg_head; *pp; prev = *pp, pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			if (pc->bg_tail == s)
				pc->bg_tail = prev;
			pc->nr_bg_queued--;
			return;
		}
}

static void enqueue(struct gang_cpu *pc, struct gang_vcpu *s)
{
	ASSERT(!s->queued);
	s->queued = true;
	if (!s->gang)
		bg_add(pc, s);
}

static void dequeue(struct gang_cpu *pc, struct gang_vcpu *s)
{
	if (!s->queued)
		return;
	s->queued = false;
	if (!s->gang)
		bg_del(pc, s);
}

/* ------------------------------------------------------------------ */
/* The policy's hooks                                                  */

static int gang_init(void)
{
	if (opt_slot < MICROSECS(100) || opt_slot > SECONDS(1)) {
		pr_warn("sched_gang_slot=%ld ns: out of range (100us to 1s); using 10ms\n",
			opt_slot);
		opt_slot = MILLISECS(10);
	}
	pr_info("Gang: slots of %ld us aligned to system time, taken by the gangs in turn\n",
		opt_slot / 1000);
	return 0;
}

static void gang_init_cpu(unsigned int cpu)
{
}

static int gang_alloc_vdata(struct vcpu *v)
{
	struct gang_vcpu *s = xzalloc(struct gang_vcpu);
	struct gang_dom *sdom = v->domain->sched_priv;

	if (!s)
		return -ENOMEM;
	s->vcpu = v;
	s->gang = sdom->gang;
	s->started_slot = -1;
	v->sched_priv = s;
	return 0;
}

static void gang_free_vdata(struct vcpu *v)
{
	struct gang_vcpu *s = gvc(v);

	if (!s)
		return;
	dequeue(&per_cpu(gang_cpu, v->processor), s);
	xfree(s);
	v->sched_priv = NULL;
}

/* This CPU's member of the gang that owns slot k, if it may run now. */
static struct gang_vcpu *slot_member(unsigned int cpu, s64 k)
{
	struct gang *owner;
	struct vcpu *v;
	unsigned long flags = spin_lock_irqsave(&gangs_lock);

	owner = slot_owner(k);
	spin_unlock_irqrestore(&gangs_lock, flags);
	if (!owner)
		return NULL;
	for_each_placed_vcpu(v, cpu) if (gvc(v)->gang == owner &&
					 gvc(v)->queued &&
					 vcpu_runnable(v)) return gvc(v);
	return NULL;
}

/*
 * No wake-up preemption outside slot boundaries: the CPU decides again
 * at once, but a woken member waits for its gang's slot and a woken
 * background vCPU for the running one's slice (gang_do_schedule); the
 * decision only arms s_timer for them (a waiting member needs the next
 * boundary). The one preemption: a member woken in its own slot takes its
 * CPU back from the background, as at the slot's start.
 */
static bool gang_wake(struct vcpu *v)
{
	struct gang_vcpu *s = gvc(v);
	struct gang_cpu *pc = &per_cpu(gang_cpu, v->processor);

	if (s->queued)
		return false;
	enqueue(pc, s);
	return true;
}

static void gang_sleep(struct vcpu *v)
{
	dequeue(&per_cpu(gang_cpu, v->processor), gvc(v));
}

/*
 * A background vCPU that yields goes to the back of its queue; a gang
 * member keeps its slot (the others run with it, not instead of it).
 */
static void gang_yield(struct vcpu *v)
{
	if (!gvc(v)->gang)
		gvc(v)->yielded = true;
}

/* True if a gang member placed here is runnable and waits for its slot. */
static bool member_waiting(unsigned int cpu)
{
	struct vcpu *v;

	for_each_placed_vcpu(v, cpu) if (gvc(v)->gang &&
					 gvc(v)->queued) return true;
	return false;
}

static struct task_slice gang_do_schedule(unsigned int cpu, struct vcpu *prev,
					  s_time_t now)
{
	struct gang_cpu *pc = &per_cpu(gang_cpu, cpu);
	struct gang_vcpu *sp = is_idle_vcpu(prev) ? NULL : gvc(prev);
	struct gang_vcpu *next;
	s64 k = slot_of(now), slice = -1;
	s_time_t slot_end = (k + 1) * opt_slot;
	bool yielded;

	if (sp && vcpu_runnable(prev) && !sp->queued)
		enqueue(pc, sp);
	/* Re-queued at the tail: a yielder lets the head go first. */
	yielded = sp && sp->yielded;
	if (yielded)
		sp->yielded = false;
	next = slot_member(cpu, k);
	if (next) {
		dequeue(pc, next);
		if (next->started_slot != k) {
			next->started_slot = k;
			note_start(next->gang, k, now);
		}
		return (struct task_slice){next->vcpu, slot_end - now};
	}
	/* The background, round-robin; prev keeps the rest of its slice. */
	if (sp && !sp->gang && sp->queued && now < pc->bg_slice_end &&
	    !yielded) {
		next = sp;
	} else {
		next = pc->bg_head;
		pc->bg_slice_end = now + GANG_BG_SLICE;
	}
	if (next) {
		dequeue(pc, next);
		if (pc->nr_bg_queued)
			slice = pc->bg_slice_end - now;
	}
	/* A member waiting here must be on time for the next boundary. */
	if (member_waiting(cpu))
		slice = slice < 0 ? slot_end - now : min(slice, slot_end - now);
	return (struct task_slice){next ? next->vcpu : NULL, slice};
}

static void gang_dump_cpu(unsigned int cpu)
{
	struct gang_cpu *pc = &per_cpu(gang_cpu, cpu);
	struct gang_vcpu *s;
	struct vcpu *v;
	char name[VCPU_NAME_LEN];

	printk("    background (%u):", pc->nr_bg_queued);
	for (s = pc->bg_head; s; s = s->next)
		printk(" %s", vcpu_name(s->vcpu, name, sizeof(name)));
	printk("; gang members:");
	for_each_placed_vcpu(v, cpu) if (gvc(v)->gang)
		printk(" %s(%s%s)", vcpu_name(v, name, sizeof(name)),
		       gvc(v)->gang->name, gvc(v)->queued ? ", waiting" : "");
	printk("\n");
}

/* Sorts a[0..n) ascending (Shell's gaps; a few thousand samples). */
static void sort_s64(s64 *a, u64 n)
{
	static const u64 gaps[] = {701, 301, 132, 57, 23, 10, 4, 1};
	unsigned int g;
	u64 i, j;

	for (g = 0; g < ARRAY_SIZE(gaps); g++)
		for (i = gaps[g]; i < n; i++) {
			s64 v = a[i];

			for (j = i; j >= gaps[g] && a[j - gaps[g]] > v;
			     j -= gaps[g])
				a[j] = a[j - gaps[g]];
			a[j] = v;
		}
}

static void gang_dump_domain(struct domain *d)
{
	static s64 sorted[SKEW_SAMPLES];
	struct gang_dom *sdom = d->sched_priv;
	struct gang *g = sdom ? sdom->gang : NULL;
	unsigned long flags;
	u64 n, i;

	if (!g) {
		printk("Domain %u (%s): gang: background (no gang)\n", d->domid,
		       d->name);
		return;
	}
	flags = spin_lock_irqsave(&g->skew_lock);
	n = min(g->slots, (u64)SKEW_SAMPLES);
	for (i = 0; i < n; i++)
		sorted[i] = g->skew[i];
	spin_unlock_irqrestore(&g->skew_lock, flags);
	if (!n) {
		printk("Domain %u (%s): gang %s of %u vCPUs: no slot with every member started\n",
		       d->domid, d->name, g->name, g->nr_members);
		return;
	}
	sort_s64(sorted, n);
	printk("Domain %u (%s): gang %s of %u vCPUs: %lu slots all started, %lu partial; start skew min %ld ns, median %ld ns, p99 %ld ns, max %ld ns\n",
	       d->domid, d->name, g->name, g->nr_members,
	       (unsigned long)g->slots, (unsigned long)g->partial, sorted[0],
	       sorted[n / 2], sorted[(n * 99) / 100], g->skew_max);
}

const struct scheduler sched_gang_def = {
	.name = "gang",
	.opt_name = "gang",
	.init = gang_init,
	.init_cpu = gang_init_cpu,
	.init_domain = gang_init_domain,
	.destroy_domain = gang_destroy_domain,
	.alloc_vdata = gang_alloc_vdata,
	.free_vdata = gang_free_vdata,
	.wake = gang_wake,
	.sleep = gang_sleep,
	.yield = gang_yield,
	.do_schedule = gang_do_schedule,
	.pick_cpu = gang_pick_cpu,
	.dump_cpu = gang_dump_cpu,
	.dump_domain = gang_dump_domain,
};
