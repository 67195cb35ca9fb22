/*
 * Timers (include/timer.h), after Xen's common/timer.c: per-CPU queues
 * (include/timer_queue.h) under per-CPU locks, TIMER_SOFTIRQ to run them,
 * the clock event device armed for the next deadline chosen from the
 * timers' windows (range timers, seed 002).
 */
#include <clockevent.h>
#include <cpumask.h>
#include <irq.h>
#include <panic.h>
#include <param.h>
#include <percpu.h>
#include <printk.h>
#include <smp.h>
#include <softirq.h>
#include <spinlock.h>
#include <symbols.h>
#include <systime.h>
#include <timer.h>
#include <trace.h>
#include <xmalloc.h>

/* Timers tq_next_deadline() may look at before it settles for less. */
#define DEADLINE_MAX_VISITS 256
/* Entries dump_timerq() prints per CPU (heap, then list). */
#define DUMP_MAX_ENTRIES 16

static s_time_t opt_timer_slop = MICROSECS(50);
time_param("timer_slop", opt_timer_slop);

struct timers {
	spinlock_t lock;
	struct timer_queue queue;
	struct timer *running; /* whose callback runs now, if any */
	s_time_t armed;	       /* the deadline asked of the hardware; 0: none */
	struct timer_stats stats;
} __aligned(64);

static DEFINE_PER_CPU(struct timers, timers) = {.lock = SPIN_LOCK_UNLOCKED};

/* ------------------------------------------------------------------ */
/* Locking a timer's CPU                                               */

/*
 * Locks the queue of the CPU t belongs to; NULL (nothing locked) if t is
 * killed. t->cpu changes only under both CPUs' locks (migrate_timer()), so
 * the value read again under the lock is stable.
 */
static struct timers *lock_timer(struct timer *t, unsigned long *flags)
{
	for (;;) {
		unsigned int cpu = READ_ONCE(t->cpu);
		struct timers *ts;

		if (READ_ONCE(t->status) == TIMER_STATUS_KILLED)
			return NULL;
		ts = &per_cpu(timers, cpu);
		*flags = spin_lock_irqsave(&ts->lock);
		if (likely(t->cpu == cpu)) {
			if (t->status != TIMER_STATUS_KILLED)
				return ts;
			spin_unlock_irqrestore(&ts->lock, *flags);
			return NULL;
		}
		spin_unlock_irqrestore(&ts->lock, *flags);
	}
}

static bool is_pending(const struct timer *t)
{
	return t->status == TIMER_STATUS_IN_HEAP ||
	       t->status == TIMER_STATUS_IN_LIST;
}

/* A duration for a 32-bit trace argument: saturating, never negative. */
static u32 clamp_u32(s_time_t ns)
{
	return ns <= 0 ? 0 : ns >= (s_time_t)UINT32_MAX ? UINT32_MAX : (u32)ns;
}

/* expires + slack, saturating: a window never wraps into the past. */
static s_time_t window_end(s_time_t expires, s_time_t slack)
{
	s_time_t end;

	if (__builtin_add_overflow(expires, slack, &end))
		return STIME_MAX;
	return end;
}

/*
 * Queues t on ts (locked) and, if the deadline armed there is no longer
 * inside t's window, has that CPU's TIMER_SOFTIRQ choose a new one.
 */
static void activate(struct timers *ts, struct timer *t)
{
	tq_add(&ts->queue, t);
	if (t->status == TIMER_STATUS_IN_LIST) {
		/* The heap is full: the softirq grows it. */
		ts->stats.overflow_adds++;
		cpu_raise_softirq(t->cpu, TIMER_SOFTIRQ);
	}
	if (ts->armed == 0 || t->latest < ts->armed) {
		/* Only a new deadline helps; raising twice costs nothing. */
		ts->armed = t->latest;
		cpu_raise_softirq(t->cpu, TIMER_SOFTIRQ);
	}
}

/*
 * Takes t (pending) off ts (locked). If it was the earliest, the deadline
 * armed for it may now serve nobody: that CPU's softirq recomputes it,
 * and cancels the interrupt if no timer is left (tickless).
 */
static void deactivate(struct timers *ts, struct timer *t)
{
	bool was_first = tq_first(&ts->queue) == t;

	tq_remove(&ts->queue, t);
	if (was_first && ts->armed)
		cpu_raise_softirq(t->cpu, TIMER_SOFTIRQ);
}

/* ------------------------------------------------------------------ */
/* The interface                                                       */

void init_timer(struct timer *timer, void (*function)(void *data), void *data,
		unsigned int cpu)
{
	ASSERT(cpu < NR_CPUS);
	ASSERT(!is_pending(timer) || timer->function == NULL);
	*timer = (struct timer){
		.function = function,
		.data = data,
		.slack = TIMER_SLACK_DEFAULT,
		.cpu = cpu,
		.status = TIMER_STATUS_INACTIVE,
	};
}

void set_timer_range(struct timer *timer, s_time_t expires, s_time_t slack)
{
	unsigned long flags;
	struct timers *ts;

	ASSERT(slack >= 0);
	ts = lock_timer(timer, &flags);
	if (!ts)
		return;
	if (is_pending(timer))
		deactivate(ts, timer);
	timer->expires = expires;
	timer->latest = window_end(expires, slack);
	trace(TRACE_CLASS_TIMER, TRACE_TIMER_SET, clamp_u32(slack), timer,
	      expires);
	activate(ts, timer);
	spin_unlock_irqrestore(&ts->lock, flags);
}

void set_timer(struct timer *timer, s_time_t expires)
{
	s_time_t slack = READ_ONCE(timer->slack);

	set_timer_range(timer, expires,
			slack == TIMER_SLACK_DEFAULT ? opt_timer_slop : slack);
}

void timer_set_slack(struct timer *timer, s_time_t slack)
{
	ASSERT(slack >= 0 || slack == TIMER_SLACK_DEFAULT);
	WRITE_ONCE(timer->slack, slack);
}

void stop_timer(struct timer *timer)
{
	unsigned long flags;
	struct timers *ts = lock_timer(timer, &flags);

	if (!ts)
		return;
	trace(TRACE_CLASS_TIMER, TRACE_TIMER_STOP, 0, timer, 0);
	if (is_pending(timer))
		deactivate(ts, timer);
	spin_unlock_irqrestore(&ts->lock, flags);
}

void migrate_timer(struct timer *timer, unsigned int new_cpu)
{
	struct timers *old_ts, *new_ts;
	unsigned int old_cpu;
	unsigned long flags;
	bool pending;

	ASSERT(new_cpu < NR_CPUS && cpu_online(new_cpu));
	for (;;) {
		old_cpu = READ_ONCE(timer->cpu);
		if (READ_ONCE(timer->status) == TIMER_STATUS_KILLED ||
		    old_cpu == new_cpu)
			return;
		old_ts = &per_cpu(timers, old_cpu);
		new_ts = &per_cpu(timers, new_cpu);
		/* A fixed order, lower CPU first, so two migrations cannot deadlock. */
		flags = local_irq_save();
		spin_lock(old_cpu < new_cpu ? &old_ts->lock : &new_ts->lock);
		spin_lock(old_cpu < new_cpu ? &new_ts->lock : &old_ts->lock);
		if (likely(timer->cpu == old_cpu))
			break;
		spin_unlock(&new_ts->lock);
		spin_unlock(&old_ts->lock);
		local_irq_restore(flags);
	}
	if (timer->status != TIMER_STATUS_KILLED) {
		pending = is_pending(timer);
		if (pending)
			tq_remove(&old_ts->queue, timer);
		timer->cpu = new_cpu;
		if (pending)
			activate(new_ts, timer);
	}
	spin_unlock(&new_ts->lock);
	spin_unlock(&old_ts->lock);
	local_irq_restore(flags);
}

void kill_timer(struct timer *timer)
{
	unsigned long flags;
	struct timers *ts;
	unsigned int cpu;

	ASSERT(this_cpu(timers).running != timer);
	ts = lock_timer(timer, &flags);
	if (ts) {
		if (is_pending(timer))
			deactivate(ts, timer);
		timer->status = TIMER_STATUS_KILLED;
		spin_unlock_irqrestore(&ts->lock, flags);
	}
	/* The callback may still run where the timer was: wait it out. */
	for_each_online_cpu (cpu)
		while (READ_ONCE(per_cpu(timers, cpu).running) == timer)
			cpu_relax();
}

bool timer_is_active(const struct timer *timer)
{
	u8 status = READ_ONCE(timer->status);

	return status == TIMER_STATUS_IN_HEAP || status == TIMER_STATUS_IN_LIST;
}

s_time_t timer_expires(const struct timer *timer)
{
	return READ_ONCE(timer->expires);
}

s_time_t timer_slop(void)
{
	return opt_timer_slop;
}

void timer_get_stats(unsigned int cpu, struct timer_stats *out)
{
	struct timers *ts = &per_cpu(timers, cpu);
	unsigned long flags = spin_lock_irqsave(&ts->lock);

	*out = ts->stats;
	out->pending = ts->queue.size + ts->queue.list_len;
	out->heap_limit = ts->queue.limit;
	spin_unlock_irqrestore(&ts->lock, flags);
}

/* ------------------------------------------------------------------ */
/* TIMER_SOFTIRQ                                                       */

/*
 * Moves the overflow list into a bigger heap. Allocates with interrupts
 * enabled and no lock held (never from IRQ context or with interrupts
 * off); if allocation fails, the timers stay on the list, counted.
 */
static void grow_heap(struct timers *ts)
{
	unsigned long flags;
	unsigned int limit;
	struct timer **heap, **old;

	flags = spin_lock_irqsave(&ts->lock);
	limit = ts->queue.list_len ? tq_next_limit(&ts->queue) : 0;
	spin_unlock_irqrestore(&ts->lock, flags);
	if (!limit)
		return;
	heap = xmalloc_array(struct timer *, (size_t)limit + 1);
	flags = spin_lock_irqsave(&ts->lock);
	if (!heap) {
		ts->stats.heap_grow_fails++;
		old = NULL;
	} else if (limit > ts->queue.limit) {
		old = tq_grow(&ts->queue, heap, limit);
		ts->stats.heap_grows++;
	} else {
		old = heap; /* grown meanwhile: cannot happen, but be safe */
	}
	spin_unlock_irqrestore(&ts->lock, flags);
	xfree(old);
}

/*
 * Runs every expired timer, with the lock dropped around each callback,
 * then arms the clock event device for the next deadline; if that
 * deadline has already come, raises the softirq again instead.
 */
static void timer_softirq_action(void)
{
	struct timers *ts = &this_cpu(timers);
	unsigned long flags;
	struct timer *t;
	s_time_t now, next;

	ts->stats.softirqs++;
	if (READ_ONCE(ts->queue.list_len))
		grow_heap(ts);

	flags = spin_lock_irqsave(&ts->lock);
	now = NOW();
	while ((t = tq_pop_expired(&ts->queue, now)) != NULL) {
		void (*fn)(void *) = t->function;
		void *data = t->data;

		ts->running = t;
		ts->stats.expired++;
		trace(TRACE_CLASS_TIMER, TRACE_TIMER_FIRE,
		      clamp_u32(NOW() - t->expires), fn, t);
		spin_unlock_irqrestore(&ts->lock, flags);
		fn(data);
		flags = spin_lock_irqsave(&ts->lock);
		ts->running = NULL;
	}

	next = tq_next_deadline(&ts->queue, DEADLINE_MAX_VISITS, NULL);
	ts->armed = next;
	if (!next) {
		reprogram_timer(0); /* tickless: no timer, no interrupt */
	} else if (reprogram_timer(next)) {
		ts->stats.reprograms++;
	} else {
		ts->armed = 0;
		raise_softirq(TIMER_SOFTIRQ);
	}
	spin_unlock_irqrestore(&ts->lock, flags);
}

/* The clock event device's handler: IRQ context, only raises. */
static void timer_interrupt(void)
{
	this_cpu(timers).stats.interrupts++;
	raise_softirq(TIMER_SOFTIRQ);
}

/* ------------------------------------------------------------------ */
/* Debug dump                                                          */

struct dump_entry {
	s_time_t expires, latest;
	void (*function)(void *);
	void *data;
	bool in_list;
};

/* Prints one timer, expiry relative to now. */
static void dump_entry(const struct dump_entry *e, s_time_t now)
{
	unsigned long off, size;
	const char *sym =
		symbols_lookup((unsigned long)e->function, &off, &size);

	printk("    %s ex=%+ldus win=%ldus %s+%#lx data=%p\n",
	       e->in_list ? "list" : "heap",
	       (long)((e->expires - now) / NSEC_PER_USEC),
	       (long)((e->latest - e->expires) / NSEC_PER_USEC),
	       sym ? sym : "?", sym ? off : (unsigned long)e->function,
	       e->data);
}

/* Copies up to max entries of cpu's queue (heap order, then list). */
static unsigned int snapshot_queue(unsigned int cpu, struct dump_entry *out,
				   unsigned int max, struct timer_stats *stats,
				   s_time_t *armed)
{
	struct timers *ts = &per_cpu(timers, cpu);
	unsigned long flags = spin_lock_irqsave(&ts->lock);
	unsigned int n = 0, i;
	struct timer *t;

	for (i = 1; i <= ts->queue.size && n < max; i++, n++) {
		t = ts->queue.heap[i];
		out[n] = (struct dump_entry){t->expires, t->latest, t->function,
					     t->data, false};
	}
	for (t = ts->queue.list; t && n < max; t = t->list_next, n++)
		out[n] = (struct dump_entry){t->expires, t->latest, t->function,
					     t->data, true};
	*stats = ts->stats;
	stats->pending = ts->queue.size + ts->queue.list_len;
	stats->heap_limit = ts->queue.limit;
	*armed = ts->armed;
	spin_unlock_irqrestore(&ts->lock, flags);
	return n;
}

void dump_timerq(void)
{
	struct dump_entry entries[DUMP_MAX_ENTRIES];
	s_time_t now = NOW(), armed;
	struct timer_stats st;
	unsigned int cpu, n, i;

	printk("Dumping timer queues (now %ld ns, slop %ld ns):\n", (long)now,
	       (long)opt_timer_slop);
	for_each_online_cpu (cpu) {
		n = snapshot_queue(cpu, entries, DUMP_MAX_ENTRIES, &st, &armed);
		printk("CPU%u: %u pending (heap limit %u), armed %+ldus, %lu interrupts, %lu expired\n",
		       cpu, st.pending, st.heap_limit,
		       armed ? (long)((armed - now) / NSEC_PER_USEC) : 0L,
		       (unsigned long)st.interrupts, (unsigned long)st.expired);
		for (i = 0; i < n; i++)
			dump_entry(&entries[i], now);
		if (st.pending > n)
			printk("    ... %u more\n", st.pending - n);
	}
}

/* ------------------------------------------------------------------ */
/* Start-up                                                            */

void timer_cpu_init(void)
{
	unsigned long flags = local_irq_save();

	tq_init(&this_cpu(timers).queue);
	clockevent_set_handler(timer_interrupt);
	local_irq_restore(flags);
}

void timer_subsys_init(void)
{
	open_softirq(TIMER_SOFTIRQ, timer_softirq_action);
	timer_cpu_init();
	pr_info("timers: per-CPU heap with overflow list, default slack %ld us\n",
		(long)(opt_timer_slop / NSEC_PER_USEC));
}
