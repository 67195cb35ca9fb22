/*
 * Tasklets (include/tasklet.h): per-CPU FIFO lists run from
 * TASKLET_SOFTIRQ. One lock covers every list and every tasklet's state,
 * as in Xen: tasklets are rare and short, and one lock makes "scheduled
 * while running" and kill simple to get right.
 */
#include <irq.h>
#include <panic.h>
#include <percpu.h>
#include <smp.h>
#include <softirq.h>
#include <spinlock.h>
#include <tasklet.h>

struct tasklet_list {
	struct tasklet *head;
	struct tasklet *tail;
};

static DEFINE_SPINLOCK(tasklet_lock);
static DEFINE_PER_CPU(struct tasklet_list, tasklet_list);

/* Appends t to cpu's list and makes sure that CPU runs it. Lock held. */
static void enqueue(struct tasklet *t, unsigned int cpu)
{
	struct tasklet_list *l = &per_cpu(tasklet_list, cpu);

	t->next = NULL;
	t->scheduled_on = cpu;
	if (l->tail)
		l->tail->next = t;
	else
		l->head = t;
	l->tail = t;
	cpu_raise_softirq(cpu, TASKLET_SOFTIRQ);
}

/* Removes the queued t from its CPU's list. Lock held. */
static void dequeue(struct tasklet *t)
{
	struct tasklet_list *l = &per_cpu(tasklet_list, t->scheduled_on);
	struct tasklet **pp = &l->head, *prev = NULL;

	while (*pp && *pp != t) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	ASSERT(*pp == t);
	*pp = t->next;
	if (l->tail == t)
		l->tail = prev;
	t->next = NULL;
	t->scheduled_on = -1;
}

void tasklet_init(struct tasklet *t, void (*func)(void *data), void *data)
{
	*t = (struct tasklet){.scheduled_on = -1, .func = func, .data = data};
}

void tasklet_schedule_on_cpu(struct tasklet *t, unsigned int cpu)
{
	unsigned long flags = spin_lock_irqsave(&tasklet_lock);

	ASSERT(cpu_online(cpu));
	if (!t->is_dead) {
		if (t->is_running)
			t->scheduled_on =
				cpu; /* queued again when it returns */
		else if (t->scheduled_on < 0)
			enqueue(t, cpu);
		/* else queued already: it runs once, where it is */
	}
	spin_unlock_irqrestore(&tasklet_lock, flags);
}

void tasklet_schedule(struct tasklet *t)
{
	tasklet_schedule_on_cpu(t, smp_processor_id());
}

void tasklet_kill(struct tasklet *t)
{
	unsigned long flags;

	ASSERT(local_irq_is_enabled());
	flags = spin_lock_irqsave(&tasklet_lock);
	t->is_dead = true;
	if (t->scheduled_on >= 0 && !t->is_running)
		dequeue(t);
	t->scheduled_on = -1;
	while (t->is_running) {
		spin_unlock_irqrestore(&tasklet_lock, flags);
		cpu_relax();
		flags = spin_lock_irqsave(&tasklet_lock);
	}
	spin_unlock_irqrestore(&tasklet_lock, flags);
}

/*
 * TASKLET_SOFTIRQ: runs the tasklets queued when it started, so that one
 * that keeps rescheduling itself cannot hold the CPU; if any are left, it
 * raises itself again and other softirqs get their turn.
 */
static void tasklet_softirq_action(void)
{
	struct tasklet_list *l = &this_cpu(tasklet_list);
	unsigned int cpu = smp_processor_id();
	unsigned long flags = spin_lock_irqsave(&tasklet_lock);
	struct tasklet *last = l->tail;

	while (l->head) {
		struct tasklet *t = l->head;
		bool was_last = t == last;

		dequeue(t);
		t->is_running = true;
		spin_unlock_irqrestore(&tasklet_lock, flags);
		t->func(t->data);
		flags = spin_lock_irqsave(&tasklet_lock);
		t->is_running = false;
		if (t->scheduled_on >= 0 && !t->is_dead)
			enqueue(t, t->scheduled_on);
		else
			t->scheduled_on = -1;
		if (was_last)
			break;
	}
	if (l->head)
		cpu_raise_softirq(cpu, TASKLET_SOFTIRQ);
	spin_unlock_irqrestore(&tasklet_lock, flags);
}

void tasklet_subsys_init(void)
{
	open_softirq(TASKLET_SOFTIRQ, tasklet_softirq_action);
}
