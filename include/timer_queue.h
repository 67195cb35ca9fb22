/*
 * One CPU's pending timers (common/timer_queue.c): a 1-based binary
 * min-heap ordered by expiry, whose elements know their own index (O(log
 * n) removal), and a sorted overflow list for the timers the heap has no
 * room for. Plus the choice of the next hardware deadline from the timers'
 * windows (seed 002, range timers). Pure data structure: no locks, no
 * allocation, no clock; common/timer.c wraps it, and the host tests
 * (tests/unit/test_timer_queue.c) drive it against a reference model.
 *
 * Concurrency: none; the caller holds the CPU's timer lock.
 */
#ifndef KAIROS_TIMER_QUEUE_H
#define KAIROS_TIMER_QUEUE_H

#include <types.h>

enum timer_status {
	TIMER_STATUS_KILLED = 0, /* kill_timer()ed; zeroed memory reads so */
	TIMER_STATUS_INACTIVE,	 /* initialised, not pending */
	TIMER_STATUS_IN_HEAP,
	TIMER_STATUS_IN_LIST,
};

struct timer {
	s_time_t expires; /* fire no earlier than this */
	s_time_t latest;  /* ... and no later than this (expires + slack) */
	union {
		unsigned int heap_offset; /* IN_HEAP: index in heap[] */
		struct timer *list_next;  /* IN_LIST: next, by expiry */
	};
	void (*function)(void *data);
	void *data;
	s_time_t
		slack; /* the window asked for; TIMER_SLACK_DEFAULT: timer_slop */
	unsigned int cpu; /* whose queue it belongs to */
	u8 status;	  /* enum timer_status */
};

struct timer_queue {
	struct timer **heap; /* heap[1..size]; NULL while limit is 0 */
	unsigned int size;
	unsigned int limit; /* heap[] has limit + 1 slots */
	struct timer *list; /* overflow, sorted by expires (stable) */
	unsigned int list_len;
};

/* An empty queue with no heap (every timer goes to the list). */
void tq_init(struct timer_queue *q);

/*
 * Adds t (INACTIVE, expires and latest set) to the heap if it has room,
 * else to the list. Returns true if t is now the earliest timer.
 */
bool tq_add(struct timer_queue *q, struct timer *t);

/* Removes t (IN_HEAP or IN_LIST) and marks it INACTIVE. */
void tq_remove(struct timer_queue *q, struct timer *t);

/* The earliest timer (heap or list), or NULL. */
struct timer *tq_first(const struct timer_queue *q);

/*
 * Removes and returns the earliest timer if it expires at or before now
 * (INACTIVE on return), else NULL.
 */
struct timer *tq_pop_expired(struct timer_queue *q, s_time_t now);

/*
 * Installs heap[] with room for limit timers (limit > q->limit), copying
 * the current heap and then moving list timers into it while there is
 * room. Returns the old heap array for the caller to free (NULL if none).
 */
struct timer **tq_grow(struct timer_queue *q, struct timer **heap,
		       unsigned int limit);

/*
 * The heap size the next growth should have: the smallest 2^k - 1 (so
 * that heap[] is 2^k slots) that at least doubles the heap and holds every
 * timer now queued, at least 63; q->limit itself once the heap cannot
 * grow (at 2^31 - 1 timers).
 */
unsigned int tq_next_limit(const struct timer_queue *q);

/*
 * The deadline to arm for: the latest expiry among the earliest timers
 * whose windows [expires, latest] all intersect, so that one interrupt
 * serves them all, no timer is run before its expires and none after its
 * latest. Formally, with D = min over all timers of latest, it returns
 * max { expires : expires <= D } (the start of the batch's intersection).
 * 0 if the queue is empty. Visits at most max_visits timers (those with
 * expires <= D and their immediate heap children); when that is not
 * enough it returns the earliest expiry, which is always safe. *batch, if
 * not NULL, receives the number of timers the deadline will serve (1 when
 * it fell back to the earliest expiry; 0 if the queue is empty).
 */
s_time_t tq_next_deadline(const struct timer_queue *q, unsigned int max_visits,
			  unsigned int *batch);

/*
 * Checks every invariant (heap order, offsets, sizes, list order and
 * length, statuses); returns NULL or a description of the first broken.
 */
const char *tq_check(const struct timer_queue *q);

#endif /* KAIROS_TIMER_QUEUE_H */
