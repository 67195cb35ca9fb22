/*
 * Tasklets (common/tasklet.c): a function to run once, soon, on one CPU,
 * from TASKLET_SOFTIRQ. A tasklet is on at most one CPU's list at a time;
 * scheduling it while it is queued does nothing more; scheduling it while
 * its function runs queues it again, to run after the function returns.
 *
 * Concurrency: tasklet_schedule() and tasklet_schedule_on_cpu() are safe
 * from any context but NMI, on any CPU. tasklet_kill() waits for a running
 * function to finish and unqueues the tasklet; not from the tasklet's own
 * function, not with interrupts disabled. The function runs with
 * interrupts enabled, on the CPU it was scheduled on.
 */
#ifndef KAIROS_TASKLET_H
#define KAIROS_TASKLET_H

#include <types.h>

struct tasklet {
	struct tasklet *next; /* on a CPU's list */
	int scheduled_on;     /* CPU whose list holds it; -1: none */
	bool is_running;      /* its function is running */
	bool is_dead;	      /* killed: further schedules are ignored */
	void (*func)(void *data);
	void *data;
};

void tasklet_init(struct tasklet *t, void (*func)(void *data), void *data);
void tasklet_schedule(struct tasklet *t); /* on the calling CPU */
void tasklet_schedule_on_cpu(struct tasklet *t, unsigned int cpu);
void tasklet_kill(struct tasklet *t);

/* Boot CPU, once: registers TASKLET_SOFTIRQ. */
void tasklet_subsys_init(void);

#endif /* KAIROS_TASKLET_H */
