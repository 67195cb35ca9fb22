/*
 * The scheduler core, after Xen's common/sched/core.c: each CPU has an
 * s_timer whose callback only raises SCHEDULE_SOFTIRQ; schedule(), that
 * softirq's handler, asks the policy for the next vCPU and its slice,
 * re-arms s_timer (or not: a negative slice means no preemption is
 * needed, the tickless case) and switches. The vCPU timers (single-shot,
 * periodic, poll) are ordinary timers of the timer core on the vCPU's
 * CPU.
 */
#include <cpumask.h>
#include <cycles.h>
#include <domain.h>
#include <errno.h>
#include <event.h>
#include <hvm.h>
#include <param.h>
#include <printk.h>
#include <public/vcpu.h>
#include <sched.h>
#include <sched_policy.h>
#include <smp.h>
#include <softirq.h>
#include <string.h>
#include <systime.h>
#include <timer.h>
#include <trace.h>

struct sched_cpu {
	spinlock_t lock;     /* the run queue and its vCPUs' fields */
	struct vcpu *curr;   /* chosen by the last schedule(), under lock */
	struct vcpu *placed; /* every vCPU whose processor this is */
	unsigned int nr_placed;
	struct timer s_timer; /* the policy's next decision */
	u64 nr_schedules;     /* schedule() calls */
	u64 nr_switches;      /* of which changed vCPU */
	u64 cycles;	      /* spent in schedule() up to the switch */
	u64 cycles_max;
	u64 nr_preempted;      /* switches away from a runnable vCPU */
	s_time_t shortest_run; /* the shortest such vCPU's run; 0: none */
};

static DEFINE_PER_CPU(struct sched_cpu, sched_cpu);
static const struct scheduler *ops;

static char opt_sched[16] = "credit";
string_param("sched", opt_sched);

/*
 * The rate limit: Xen's sched_ratelimit_us= (an integer of microseconds),
 * or sched_ratelimit= (a time); the last one given counts. Off by default,
 * unlike Xen's 1000 us: a timing hypervisor's guests wake by their own
 * timers, and one that wakes within the limit of a hog's switch-in waits
 * for the rest of it; in Bochs, beside three hogs, 100 us already makes
 * the sleeper's lateness p99 3.7 times what it is alone, 0 makes it 1.8
 * (docs/scheduler.md). Wake-up storms are held to their share by the
 * policies' accounting, not by this.
 */
#define SCHED_RATELIMIT_DEFAULT 0
#define SCHED_RATELIMIT_MAX	MILLISECS(500) /* Xen's bound */
static s64 opt_ratelimit = SCHED_RATELIMIT_DEFAULT;
time_param("sched_ratelimit", opt_ratelimit);

static int parse_ratelimit_us(const char *value)
{
	unsigned long us = 0;
	const char *c = value;

	if (!*c)
		return -EINVAL;
	for (; *c; c++) {
		if (*c < '0' || *c > '9' || us > 1000000000UL)
			return -EINVAL;
		us = us * 10 + (unsigned long)(*c - '0');
	}
	opt_ratelimit = (s64)us * 1000;
	return 0;
}
custom_param("sched_ratelimit_us", parse_ratelimit_us,
	     "sched_ratelimit_us=<integer> (microseconds)");

s64 sched_ratelimit(void)
{
	return opt_ratelimit;
}

static const struct scheduler *const schedulers[] = {
	&sched_rr_def,
	&sched_credit_def,
	&sched_edf_def,
	&sched_gang_def,
};

spinlock_t *sched_cpu_lock(unsigned int cpu)
{
	return &per_cpu(sched_cpu, cpu).lock;
}

/* Adds v to the list of cpu, its processor. */
static void place(struct vcpu *v, unsigned int cpu)
{
	struct sched_cpu *sd = &per_cpu(sched_cpu, cpu);

	v->next_on_cpu = sd->placed;
	sd->placed = v;
	WRITE_ONCE(sd->nr_placed, sd->nr_placed + 1);
}

/* Takes v off its processor's list. */
static void unplace(struct vcpu *v)
{
	struct sched_cpu *sd = &per_cpu(sched_cpu, v->processor);
	struct vcpu **pp;

	for (pp = &sd->placed; *pp != v; pp = &(*pp)->next_on_cpu)
		ASSERT(*pp);
	*pp = v->next_on_cpu;
	WRITE_ONCE(sd->nr_placed, sd->nr_placed - 1);
}

void sched_set_processor(struct vcpu *v, unsigned int cpu)
{
	ASSERT(spin_is_locked(&per_cpu(sched_cpu, v->processor).lock));
	ASSERT(spin_is_locked(&per_cpu(sched_cpu, cpu).lock));
	ASSERT(!READ_ONCE(v->is_running));
	unplace(v);
	place(v, cpu);
	WRITE_ONCE(v->processor, cpu);
}

struct vcpu *sched_cpu_vcpus(unsigned int cpu)
{
	return per_cpu(sched_cpu, cpu).placed;
}

unsigned int sched_cpu_load(unsigned int cpu)
{
	return READ_ONCE(per_cpu(sched_cpu, cpu).nr_placed);
}

unsigned int sched_least_loaded_cpu(const struct vcpu *v)
{
	unsigned int cpu, best = NR_CPUS;

	for_each_online_cpu (cpu) {
		if (!cpumask_test_cpu(cpu, &v->affinity))
			continue;
		if (best == NR_CPUS ||
		    sched_cpu_load(cpu) < sched_cpu_load(best))
			best = cpu;
	}
	return best == NR_CPUS ? cpumask_first(&cpu_online_map) : best;
}

/* Brings v's timers to the CPU it runs on now (they fire where it is). */
static void vcpu_move_timers(struct vcpu *v, unsigned int cpu)
{
	if (v->timer_cpu == cpu)
		return;
	migrate_timer(&v->singleshot_timer, cpu);
	migrate_timer(&v->periodic_timer, cpu);
	migrate_timer(&v->poll_timer, cpu);
	if (is_hvm_vcpu(v))
		hvm_vcpu_move_timers(v, cpu);
	v->timer_cpu = cpu;
}

/* ------------------------------------------------------------------ */
/* Locking and accounting                                              */

/* Locks v's CPU's schedule lock, following v if it moves meanwhile. */
static spinlock_t *vcpu_schedule_lock(const struct vcpu *v,
				      unsigned long *flags)
{
	for (;;) {
		unsigned int cpu = READ_ONCE(v->processor);
		spinlock_t *lock = &per_cpu(sched_cpu, cpu).lock;

		*flags = spin_lock_irqsave(lock);
		if (cpu == READ_ONCE(v->processor))
			return lock;
		spin_unlock_irqrestore(lock, *flags);
	}
}

/* Moves v to state at now, charging the time spent in the old one. */
static void runstate_change(struct vcpu *v, unsigned int state, s_time_t now)
{
	s_time_t delta = now - v->runstate_entry;

	if (delta > 0)
		v->runstate_time[v->runstate] += delta;
	v->runstate = state;
	v->runstate_entry = now;
}

/* The state a vCPU that stopped running goes to. */
static unsigned int stopped_state(const struct vcpu *v)
{
	if (vcpu_runnable(v))
		return RUNSTATE_runnable;
	if (test_bit(VPF_DOWN, &v->pause_flags) ||
	    test_bit(VPF_WAIT_SIPI, &v->pause_flags) ||
	    v->domain->is_shutting_down)
		return RUNSTATE_offline;
	return RUNSTATE_blocked;
}

void vcpu_get_runstate(struct vcpu *v, struct vcpu_runstate_info *out)
{
	unsigned long flags;
	spinlock_t *lock = vcpu_schedule_lock(v, &flags);
	s_time_t now = NOW();
	unsigned int i;

	out->state = v->runstate;
	out->pad = 0;
	out->state_entry_time = v->runstate_entry;
	for (i = 0; i < 4; i++)
		out->time[i] = v->runstate_time[i];
	if (now > v->runstate_entry)
		out->time[v->runstate] += now - v->runstate_entry;
	spin_unlock_irqrestore(lock, flags);
}

/* ------------------------------------------------------------------ */
/* vCPU timers                                                         */

/*
 * Sends VIRQ_TIMER if a period has passed and re-arms for the next one.
 * Missed periods give one event; the phase stays start + k * period.
 * On v's CPU while v runs there.
 */
static void vcpu_periodic_timer_work(struct vcpu *v)
{
	s_time_t now = NOW(), period = READ_ONCE(v->periodic_period);
	s_time_t next;

	if (!period)
		return;
	next = v->periodic_last_event + period;
	if (now >= next) {
		send_guest_vcpu_virq(v, VIRQ_TIMER);
		v->periodic_last_event +=
			period * ((now - v->periodic_last_event) / period);
		next = v->periodic_last_event + period;
	}
	set_timer(&v->periodic_timer, next);
}

static void periodic_timer_fn(void *data)
{
	struct vcpu *v = data;

	/* Only while v runs: a stale expiry after a switch does nothing. */
	if (current == v)
		vcpu_periodic_timer_work(v);
}

static void singleshot_timer_fn(void *data)
{
	send_guest_vcpu_virq(data, VIRQ_TIMER);
}

static void vcpu_unblock(struct vcpu *v)
{
	if (test_and_clear_bit(VPF_BLOCKED, &v->pause_flags))
		vcpu_wake(v);
}

static void poll_timer_fn(void *data)
{
	struct vcpu *v = data;

	if (!READ_ONCE(v->polling))
		return;
	v->poll_timed_out = true;
	WRITE_ONCE(v->polling, false);
	vcpu_unblock(v);
}

void vcpu_set_singleshot_timer(struct vcpu *v, s_time_t deadline)
{
	set_timer(&v->singleshot_timer, deadline);
}

void vcpu_stop_singleshot_timer(struct vcpu *v)
{
	stop_timer(&v->singleshot_timer);
}

void vcpu_set_periodic_timer(struct vcpu *v, s_time_t period)
{
	ASSERT(v == current);
	stop_timer(&v->periodic_timer);
	WRITE_ONCE(v->periodic_period, period);
	v->periodic_last_event = NOW();
	vcpu_periodic_timer_work(v);
}

/* ------------------------------------------------------------------ */
/* Blocking, polling, yielding                                         */

void vcpu_block(void)
{
	struct vcpu *v = current;

	set_bit(VPF_BLOCKED, &v->pause_flags);
	smp_mb(); /* the flag before the look at pending: see vcpu_kick() */
	if (vcpu_events_need_delivery(v)) {
		clear_bit(VPF_BLOCKED, &v->pause_flags);
		return;
	}
	trace(TRACE_CLASS_SCHED, TRACE_VCPU_BLOCK, 0, trace_vcpu_id(v), 0);
	raise_softirq(SCHEDULE_SOFTIRQ);
}

int vcpu_poll(const unsigned long *ports, s_time_t timeout)
{
	struct vcpu *v = current;
	unsigned int w, port;

	memcpy(v->poll_ports, ports, sizeof(v->poll_ports));
	v->poll_timed_out = false;
	WRITE_ONCE(v->polling, true);
	set_bit(VPF_BLOCKED, &v->pause_flags);
	smp_mb(); /* polling and the flag before the look at the ports */
	for (w = 0; w < EVTCHN_WORDS; w++) {
		unsigned long bits = ports[w];

		while (bits) {
			port = w * 64 + __builtin_ctzl(bits);
			bits &= bits - 1;
			if (evtchn_port_pending(v, port)) {
				WRITE_ONCE(v->polling, false);
				clear_bit(VPF_BLOCKED, &v->pause_flags);
				return 0;
			}
		}
	}
	if (timeout)
		set_timer(&v->poll_timer, timeout);
	v->poll_result_due = true;
	trace(TRACE_CLASS_SCHED, TRACE_VCPU_POLL, 0, trace_vcpu_id(v), timeout);
	raise_softirq(SCHEDULE_SOFTIRQ);
	return 1;
}

void vcpu_poll_check(struct vcpu *v, unsigned int port)
{
	if (READ_ONCE(v->polling) && test_bit(port, v->poll_ports)) {
		WRITE_ONCE(v->polling, false);
		vcpu_unblock(v);
	}
}

bool vcpu_take_poll_result(struct vcpu *v, long *result)
{
	if (!v->poll_result_due)
		return false;
	v->poll_result_due = false;
	stop_timer(&v->poll_timer);
	WRITE_ONCE(v->polling, false);
	*result = v->poll_timed_out ? -ETIMEDOUT : 0;
	return true;
}

void vcpu_yield(void)
{
	struct vcpu *v = current;
	unsigned long flags;
	spinlock_t *lock = vcpu_schedule_lock(v, &flags);

	ops->yield(v);
	spin_unlock_irqrestore(lock, flags);
	raise_softirq(SCHEDULE_SOFTIRQ);
}

/* ------------------------------------------------------------------ */
/* Wake and sleep                                                      */

struct vcpu *sched_curr(unsigned int cpu)
{
	return per_cpu(sched_cpu, cpu).curr;
}

bool sched_vcpu_is_curr(const struct vcpu *v)
{
	return per_cpu(sched_cpu, v->processor).curr == v;
}

/*
 * The policy's wake runs whenever v is runnable and not its CPU's choice,
 * even if v's run state already says runnable: schedule() may have seen
 * v blocked (and not queued it) and then, before its run-state update,
 * the flag cleared. The policy's wake is idempotent (as in Xen).
 */
void vcpu_wake(struct vcpu *v)
{
	unsigned long flags;
	spinlock_t *lock = vcpu_schedule_lock(v, &flags);
	unsigned int cpu = v->processor;
	bool woken = false, resched = false;

	if (vcpu_runnable(v)) {
		if (v->runstate >= RUNSTATE_blocked)
			runstate_change(v, RUNSTATE_runnable, NOW());
		if (!sched_vcpu_is_curr(v)) {
			resched = ops->wake(v);
			woken = true;
		}
	}
	spin_unlock_irqrestore(lock, flags);
	if (woken)
		trace(TRACE_CLASS_SCHED, TRACE_VCPU_WAKE, resched,
		      trace_vcpu_id(v), cpu);
	/* The policy ranks v above cpu's choice: preempt it now. */
	if (resched)
		cpu_raise_softirq(cpu, SCHEDULE_SOFTIRQ);
}

void vcpu_sleep_nosync(struct vcpu *v)
{
	unsigned long flags;
	spinlock_t *lock = vcpu_schedule_lock(v, &flags);

	if (!vcpu_runnable(v)) {
		if (sched_vcpu_is_curr(v)) {
			cpu_raise_softirq(v->processor, SCHEDULE_SOFTIRQ);
		} else if (v->runstate == RUNSTATE_runnable) {
			ops->sleep(v);
			runstate_change(v, stopped_state(v), NOW());
		}
	}
	spin_unlock_irqrestore(lock, flags);
}

bool vcpu_is_off_cpu(const struct vcpu *v)
{
	return !READ_ONCE(v->is_running) && v->runstate != RUNSTATE_running &&
	       v->runstate != RUNSTATE_runnable;
}

void sched_context_saved(struct vcpu *prev)
{
	smp_wmb(); /* the saved state before the flag */
	WRITE_ONCE(prev->is_running, false);
}

/* ------------------------------------------------------------------ */
/* schedule()                                                          */

static void s_timer_fn(void *unused)
{
	trace(TRACE_CLASS_SCHED, TRACE_S_TIMER_FIRE, 0, 0, 0);
	raise_softirq(SCHEDULE_SOFTIRQ);
}

/* Charges this schedule() call's cycles so far (the lock held). */
static void account_cost(struct sched_cpu *sd, u64 start)
{
	u64 spent = get_cycles() - start;

	sd->cycles += spent;
	sd->cycles_max = max(sd->cycles_max, spent);
}

/*
 * One line: how often a runnable vCPU was switched away from (a wake-up,
 * a slice's or budget's end, a yield) and the shortest run it had had;
 * where the policy applies the rate limit, no such run is shorter than
 * it except one cut by a cap or a yield.
 */
static void sched_report_preemptions(void)
{
	s_time_t shortest = 0;
	u64 preempted = 0;
	unsigned int cpu;

	for_each_online_cpu (cpu) {
		struct sched_cpu *sd = &per_cpu(sched_cpu, cpu);
		unsigned long flags = spin_lock_irqsave(&sd->lock);

		preempted += sd->nr_preempted;
		if (sd->nr_preempted &&
		    (!shortest || sd->shortest_run < shortest))
			shortest = sd->shortest_run;
		spin_unlock_irqrestore(&sd->lock, flags);
	}
	pr_info("Preemptions: %lu of runnable vCPUs, the shortest after %ld us of running (rate limit %ld us)\n",
		(unsigned long)preempted, shortest / 1000,
		opt_ratelimit / 1000);
}

/* prev, runnable, leaves the CPU at now: note how long it had run. */
static void note_preemption(struct sched_cpu *sd, const struct vcpu *prev,
			    s_time_t now)
{
	s_time_t ran = now - prev->runstate_entry;

	if (!sd->nr_preempted++ || ran < sd->shortest_run)
		sd->shortest_run = ran;
}

void sched_report(void)
{
	u64 calls = 0, switches = 0, cycles = 0, worst = 0;
	unsigned int cpu;

	for_each_online_cpu (cpu) {
		struct sched_cpu *sd = &per_cpu(sched_cpu, cpu);
		unsigned long flags = spin_lock_irqsave(&sd->lock);

		calls += sd->nr_schedules;
		switches += sd->nr_switches;
		cycles += sd->cycles;
		worst = max(worst, sd->cycles_max);
		spin_unlock_irqrestore(&sd->lock, flags);
	}
	pr_info("Scheduler %s: %lu schedule() calls, %lu switches; schedule() to the switch: mean %lu cycles, max %lu\n",
		ops->name, (unsigned long)calls, (unsigned long)switches,
		(unsigned long)(calls ? cycles / calls : 0),
		(unsigned long)worst);
	sched_report_preemptions();
}

struct vcpu *run_softirqs_before_entry(void)
{
	struct vcpu *v;

	for (;;) {
		local_irq_disable();
		v = current;
		ASSERT(!is_idle_vcpu(v));
		if (!vcpu_runnable(v))
			raise_softirq(SCHEDULE_SOFTIRQ);
		if (!softirq_pending())
			return v;
		local_irq_enable();
		do_softirq();
	}
}

void schedule(void)
{
	unsigned int cpu = smp_processor_id();
	struct sched_cpu *sd = &this_cpu(sched_cpu);
	struct vcpu *prev = current, *next;
	struct task_slice slice;
	u64 start = get_cycles();
	s_time_t now;

	ASSERT(!in_irq());
	spin_lock_irq(&sd->lock);
	now = NOW();
	sd->nr_schedules++;
	stop_timer(&sd->s_timer);
	slice = ops->do_schedule(cpu, prev, now);
	next = slice.task ? slice.task : idle_vcpu[cpu];
	sd->curr = next;
	ASSERT(next->processor == cpu);
	ASSERT(next == prev || is_idle_vcpu(next) || vcpu_runnable(next));
	if (slice.time >= 0)
		set_timer(&sd->s_timer, now + slice.time);
	trace(TRACE_CLASS_SCHED, TRACE_SCHEDULE,
	      slice.time < 0 ? ~0U : (u32)min(slice.time / 1000, (s64)~0U - 1),
	      trace_vcpu_id(prev), trace_vcpu_id(next));
	if (next == prev) {
		account_cost(sd, start);
		spin_unlock_irq(&sd->lock);
		return;
	}
	/* A vCPU leaving another CPU must be saved there first. */
	while (READ_ONCE(next->is_running))
		cpu_relax();
	if (!is_idle_vcpu(prev) && vcpu_runnable(prev))
		note_preemption(sd, prev, now);
	runstate_change(prev,
			is_idle_vcpu(prev) ? RUNSTATE_runnable
					   : stopped_state(prev),
			now);
	runstate_change(next, RUNSTATE_running, now);
	WRITE_ONCE(next->is_running, true);
	sd->nr_switches++;
	account_cost(sd, start);
	spin_unlock_irq(&sd->lock);

	if (!is_idle_vcpu(prev))
		stop_timer(&prev->periodic_timer);
	if (!is_idle_vcpu(next)) {
		vcpu_move_timers(next, cpu);
		vcpu_periodic_timer_work(next);
	}
	trace(TRACE_CLASS_SCHED, TRACE_CONTEXT_SWITCH, 0, trace_vcpu_id(prev),
	      trace_vcpu_id(next));
	context_switch(prev, next);
}

/* ------------------------------------------------------------------ */
/* vCPU set-up and teardown                                            */

int sched_init_vcpu(struct vcpu *v)
{
	unsigned long flags;
	int rc;

	ASSERT(test_bit(VPF_DOWN, &v->pause_flags));
	v->processor = ops->pick_cpu(v);
	ASSERT(cpumask_test_cpu(v->processor, &cpu_online_map));
	init_timer(&v->singleshot_timer, singleshot_timer_fn, v, v->processor);
	init_timer(&v->periodic_timer, periodic_timer_fn, v, v->processor);
	init_timer(&v->poll_timer, poll_timer_fn, v, v->processor);
	v->timer_cpu = v->processor;
	v->runstate = RUNSTATE_offline;
	v->runstate_entry = NOW();
	flags = spin_lock_irqsave(&per_cpu(sched_cpu, v->processor).lock);
	rc = ops->alloc_vdata(v);
	if (!rc)
		place(v, v->processor);
	spin_unlock_irqrestore(&per_cpu(sched_cpu, v->processor).lock, flags);
	return rc;
}

void sched_destroy_vcpu(struct vcpu *v)
{
	unsigned long flags;
	spinlock_t *lock;

	ASSERT(vcpu_is_off_cpu(v));
	kill_timer(&v->singleshot_timer);
	kill_timer(&v->periodic_timer);
	kill_timer(&v->poll_timer);
	lock = vcpu_schedule_lock(v, &flags);
	ops->free_vdata(v);
	unplace(v);
	spin_unlock_irqrestore(lock, flags);
}

/* ------------------------------------------------------------------ */
/* Set-up and dump                                                     */

static const char *const runstate_names[] = {"running", "runnable", "blocked",
					     "offline"};

static void dump_vcpu_line(struct vcpu *v, s_time_t now)
{
	char name[VCPU_NAME_LEN];
	s_time_t t[4];
	unsigned int i;

	for (i = 0; i < 4; i++)
		t[i] = v->runstate_time[i];
	if (now > v->runstate_entry)
		t[v->runstate] += now - v->runstate_entry;
	printk("    %-8s CPU %u %-8s flags %lx  run %ld us, wait %ld us, blocked %ld us\n",
	       vcpu_name(v, name, sizeof(name)), v->processor,
	       runstate_names[v->runstate & 3], v->pause_flags,
	       t[RUNSTATE_running] / 1000, t[RUNSTATE_runnable] / 1000,
	       t[RUNSTATE_blocked] / 1000);
}

static void dump_vcpu_cb(struct domain *d, void *arg)
{
	unsigned int i;

	for (i = 0; i < d->nr_vcpus; i++)
		dump_vcpu_line(d->vcpus[i], *(s_time_t *)arg);
}

void dump_runq(void)
{
	s_time_t now = NOW();
	unsigned int cpu;

	printk("Run queues (%s scheduler):\n", ops->name);
	for_each_online_cpu (cpu) {
		struct sched_cpu *sd = &per_cpu(sched_cpu, cpu);
		unsigned long flags = spin_lock_irqsave(&sd->lock);
		char name[VCPU_NAME_LEN];

		printk("  CPU %u: running %s, %lu schedules, %lu switches, s_timer %s",
		       cpu, vcpu_name(sd->curr, name, sizeof(name)),
		       sd->nr_schedules, sd->nr_switches,
		       timer_is_active(&sd->s_timer) ? "armed" : "idle");
		if (timer_is_active(&sd->s_timer))
			printk(" in %ld us",
			       (timer_expires(&sd->s_timer) - now) / 1000);
		printk("\n");
		ops->dump_cpu(cpu);
		spin_unlock_irqrestore(&sd->lock, flags);
	}
	if (domains_alive()) {
		printk("  vCPUs:\n");
		for_each_domain(dump_vcpu_cb, &now);
	}
}

void scheduler_cpu_init(unsigned int cpu)
{
	struct sched_cpu *sd = &per_cpu(sched_cpu, cpu);

	spin_lock_init(&sd->lock);
	sd->curr = idle_vcpu[cpu];
	init_timer(&sd->s_timer, s_timer_fn, NULL, cpu);
	/* Slices and budgets are exact: no coalescing slack for s_timer. */
	timer_set_slack(&sd->s_timer, 0);
	ops->init_cpu(cpu);
}

int sched_init_domain(struct domain *d, char *err, size_t errlen)
{
	return ops->init_domain ? ops->init_domain(d, err, errlen) : 0;
}

void sched_destroy_domain(struct domain *d)
{
	if (ops->destroy_domain)
		ops->destroy_domain(d);
}

void sched_dump_domain(struct domain *d)
{
	if (ops->dump_domain)
		ops->dump_domain(d);
}

void __init scheduler_init(void)
{
	unsigned int i;
	int rc;

	for (i = 0; i < ARRAY_SIZE(schedulers); i++)
		if (!strcmp(schedulers[i]->opt_name, opt_sched))
			ops = schedulers[i];
	if (!ops) {
		pr_warn("sched=%s: unknown scheduler; using %s\n", opt_sched,
			sched_credit_def.opt_name);
		ops = &sched_credit_def;
	}
	if (opt_ratelimit < 0 || opt_ratelimit > SCHED_RATELIMIT_MAX) {
		pr_warn("sched_ratelimit: %ld us out of range (0 to %ld us); using %ld us\n",
			opt_ratelimit / 1000,
			(long)(SCHED_RATELIMIT_MAX / 1000),
			(long)(SCHED_RATELIMIT_DEFAULT / 1000));
		opt_ratelimit = SCHED_RATELIMIT_DEFAULT;
	}
	rc = ops->init();
	if (rc)
		panic("scheduler %s failed to start (%d)", ops->name, rc);
	open_softirq(SCHEDULE_SOFTIRQ, schedule);
	pr_info("Scheduler: %s\n", ops->name);
}
