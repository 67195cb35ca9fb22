/*
 * One CPU's pending timers (include/timer_queue.h): a 1-based binary
 * min-heap ordered by expiry, a sorted overflow list for the timers the
 * heap has no room for, and the choice of the next hardware deadline from
 * the timers' windows (range timers, seed 002).
 *
 * Order among equal expiries:
 *  - in the heap, any: a timer sifts past another only if it expires
 *    strictly earlier, so a new timer stays behind equal ones near the top,
 *    but a removal can reorder equals anywhere;
 *  - in the list, insertion order (the list is sorted and stable);
 *  - between the two, the heap first: tq_first() takes the list head only
 *    if it expires strictly before the heap top.
 *
 * Pure data structure: no locks, no allocation, no clock. The caller
 * (common/timer.c) holds the CPU's timer lock, and allocates the heap
 * arrays outside it (tq_next_limit(), tq_grow()).
 */
#include <panic.h>
#include <timer_queue.h>

/*
 * Heap limits are 2^k - 1, so that heap[] (limit + 1 slots, heap[0]
 * unused) is a power of two in size and fills its allocation exactly, as
 * in Xen. The smallest is 63 timers; the largest 2^31 - 1.
 */
#define TQ_MIN_LIMIT ((1U << 6) - 1)
#define TQ_MAX_LIMIT ((1U << 31) - 1)

#define S_TIME_MAX ((s_time_t)INT64_MAX)

void tq_init(struct timer_queue *q)
{
	q->heap = NULL;
	q->size = 0;
	q->limit = 0;
	q->list = NULL;
	q->list_len = 0;
}

/* ---------------------------------------------------------------------------
 * Heap: heap[1..size], heap[i]'s children at 2i and 2i + 1, and every
 * timer expiring no earlier than its parent. Each timer's heap_offset is
 * its index; indices are computed in unsigned long, so 2i cannot wrap.
 */

static void heap_place(struct timer **heap, unsigned int i, struct timer *t)
{
	heap[i] = t;
	t->heap_offset = i;
}

/* Moves heap[i] up past every parent that expires strictly later. */
static void heap_sift_up(struct timer **heap, unsigned int i)
{
	struct timer *t = heap[i];

	while (i > 1 && t->expires < heap[i / 2]->expires) {
		heap_place(heap, i, heap[i / 2]);
		i /= 2;
	}
	heap_place(heap, i, t);
}

/* Moves heap[i] down below every child that expires strictly earlier. */
static void heap_sift_down(struct timer **heap, unsigned int size,
			   unsigned int i)
{
	struct timer *t = heap[i];

	for (;;) {
		unsigned long c = 2UL * i;

		if (c > size)
			break;
		if (c < size && heap[c + 1]->expires < heap[c]->expires)
			c++;
		if (heap[c]->expires >= t->expires)
			break;
		heap_place(heap, i, heap[c]);
		i = c;
	}
	heap_place(heap, i, t);
}

/* Adds t; there is room. */
static void heap_add(struct timer_queue *q, struct timer *t)
{
	ASSERT(q->size < q->limit);
	q->size++;
	q->heap[q->size] = t;
	heap_sift_up(q->heap, q->size);
	t->status = TIMER_STATUS_IN_HEAP;
}

/*
 * Removes t: the last timer takes its slot and sifts whichever way restores
 * the order (up if it expires before t's parent, else down). O(log n).
 */
static void heap_remove(struct timer_queue *q, struct timer *t)
{
	unsigned int i = t->heap_offset;
	struct timer *last;

	ASSERT(i >= 1 && i <= q->size && q->heap[i] == t);
	last = q->heap[q->size];
	q->heap[q->size] = NULL;
	q->size--;
	if (last == t)
		return;
	heap_place(q->heap, i, last);
	if (i > 1 && last->expires < q->heap[i / 2]->expires)
		heap_sift_up(q->heap, i);
	else
		heap_sift_down(q->heap, q->size, i);
}

/* ---------------------------------------------------------------------------
 * Overflow list: singly linked through list_next, sorted by expires, equal
 * expiries in insertion order. O(n) insertion and removal; it only holds
 * what the heap had no room for, until the next tq_grow().
 */

/* Inserts t after every timer expiring no later than it. */
static void list_add(struct timer_queue *q, struct timer *t)
{
	struct timer **pp = &q->list;

	while (*pp && (*pp)->expires <= t->expires)
		pp = &(*pp)->list_next;
	t->list_next = *pp;
	*pp = t;
	q->list_len++;
	t->status = TIMER_STATUS_IN_LIST;
}

static void list_remove(struct timer_queue *q, struct timer *t)
{
	struct timer **pp = &q->list;

	while (*pp != t) {
		ASSERT(*pp != NULL);
		pp = &(*pp)->list_next;
	}
	*pp = t->list_next;
	t->list_next = NULL;
	q->list_len--;
}

/* ---------------------------------------------------------------------------
 * Adding, removing, expiring
 */

bool tq_add(struct timer_queue *q, struct timer *t)
{
	ASSERT(t->status == TIMER_STATUS_INACTIVE);
	ASSERT(t->latest >= t->expires);
	if (q->size < q->limit)
		heap_add(q, t);
	else
		list_add(q, t);
	return tq_first(q) == t;
}

void tq_remove(struct timer_queue *q, struct timer *t)
{
	if (t->status == TIMER_STATUS_IN_HEAP)
		heap_remove(q, t);
	else if (t->status == TIMER_STATUS_IN_LIST)
		list_remove(q, t);
	else
		panic("tq_remove: timer not pending (status %u)",
		      (unsigned int)t->status);
	t->status = TIMER_STATUS_INACTIVE;
}

struct timer *tq_first(const struct timer_queue *q)
{
	struct timer *top = q->size ? q->heap[1] : NULL;

	if (q->list && (!top || q->list->expires < top->expires))
		return q->list;
	return top;
}

struct timer *tq_pop_expired(struct timer_queue *q, s_time_t now)
{
	struct timer *t = tq_first(q);

	if (!t || t->expires > now)
		return NULL;
	tq_remove(q, t);
	return t;
}

/* ---------------------------------------------------------------------------
 * Growing the heap
 */

struct timer **tq_grow(struct timer_queue *q, struct timer **heap,
		       unsigned int limit)
{
	struct timer **old = q->heap;

	ASSERT(heap != NULL && heap != old);
	ASSERT(limit > q->limit && limit <= TQ_MAX_LIMIT);
	heap[0] = NULL;
	for (unsigned int i = 1; i <= q->size; i++)
		heap[i] = old[i]; /* same index: heap_offset stays right */
	q->heap = heap;
	q->limit = limit;

	/* The list is sorted, so its earliest timers are the ones moved. */
	while (q->list && q->size < q->limit) {
		struct timer *t = q->list;

		q->list = t->list_next;
		q->list_len--;
		heap_add(q, t);
	}
	return old;
}

/*
 * The next 2^k - 1 that doubles the heap and holds every queued timer,
 * from TQ_MIN_LIMIT up to TQ_MAX_LIMIT; q->limit itself once the heap is
 * as large as it can be (nothing to grow to).
 */
unsigned int tq_next_limit(const struct timer_queue *q)
{
	/* Room for every timer now queued, and at least double the heap. */
	u64 want = (u64)q->size + q->list_len, limit = TQ_MIN_LIMIT;

	if (want < 2 * (u64)q->limit + 1)
		want = 2 * (u64)q->limit + 1;
	while (limit < want && limit < TQ_MAX_LIMIT)
		limit = 2 * limit + 1;
	return limit > q->limit ? (unsigned int)limit : q->limit;
}

/* ---------------------------------------------------------------------------
 * The next deadline (seed 002, range timers)
 *
 * Let D be the earliest `latest` of all timers. Firing at any time in
 * [E, D], E the earliest expiry, runs no timer early or late; firing at
 * d = max { expires : expires <= D } runs every timer that expires by D,
 * the most one interrupt can serve, and none of them later than needed
 * (the start of their windows' intersection, so the median lateness is 0).
 *
 * Only timers with expires <= D matter: one that expires later also has
 * latest > D, so it can neither lower D nor join the batch. In the heap
 * they form a subtree hanging from the root (a node expires no earlier
 * than its parent), so a pre-order walk that does not descend below a node
 * expiring after the current bound finds them all; in the list they are a
 * prefix. The bound starts at the heads' earliest latest and only falls,
 * so a subtree pruned once stays irrelevant; when the walk ends, every
 * timer expiring by the final D has been seen, and D is exact.
 *
 * The walk also keeps the largest expiry seen and a count. Both stay right
 * as long as the bound never falls below an expiry already counted; when
 * it does (a later node's latest is earlier than an earlier-visited node's
 * expiry), a second walk with the final, fixed D counts again.
 *
 * Cost: the first walk reads each timer at most once: those expiring by
 * the bound at the time, plus the ones it prunes: the two heap children of
 * each of those, the heap's root, and the list entry past the prefix. The
 * bound never exceeds the heads' earliest latest L0, so this is at most
 * 3 * |{expires <= L0}| + 2 reads (about 1.5 on the coalescing workload of docs/design.md,
 * where L0 is 50 us past the first expiry), and never more than
 * max_visits: the walk gives up at that many, and the earliest expiry,
 * always safe, is the answer. The second walk
 * reads a subset of what the first read. No allocation, no stack: the
 * walk moves between heap indices by arithmetic.
 */

struct deadline_scan {
	s_time_t bound;		 /* D so far: the earliest latest seen */
	s_time_t start;		 /* largest expiry counted */
	unsigned int count;	 /* timers counted (expires <= bound) */
	unsigned int visits;	 /* timers read by the first walk */
	unsigned int max_visits; /* ... at most (0: no limit, second walk) */
	bool stale;		 /* the bound fell below a counted expiry */
};

enum scan_step {
	SCAN_TAKEN,  /* t expires by the bound: counted, look further */
	SCAN_PRUNED, /* t expires after the bound, and so does what follows */
	SCAN_OVER,   /* out of visits */
};

static enum scan_step deadline_scan_timer(struct deadline_scan *s,
					  const struct timer *t)
{
	if (s->max_visits) {
		if (s->visits == s->max_visits)
			return SCAN_OVER;
		s->visits++;
	}
	if (t->expires > s->bound)
		return SCAN_PRUNED;
	if (t->latest < s->bound) {
		s->bound = t->latest;
		if (s->count && s->bound < s->start)
			s->stale = true;
	}
	if (!s->count || t->expires > s->start)
		s->start = t->expires;
	s->count++;
	return SCAN_TAKEN;
}

/* One walk over heap and list; false if out of visits. */
static bool deadline_walk(const struct timer_queue *q, struct deadline_scan *s)
{
	unsigned long i = 1;

	/* Pre-order over heap[1..size], not descending below pruned nodes. */
	while (i) {
		if (i <= q->size) {
			switch (deadline_scan_timer(s, q->heap[i])) {
			case SCAN_OVER:
				return false;
			case SCAN_TAKEN:
				i *= 2;
				continue;
			case SCAN_PRUNED:
				break;
			}
		}
		/* Next: the right sibling of i or of its nearest ancestor. */
		while (i & 1)
			i >>= 1;
		if (i)
			i++;
	}

	for (const struct timer *t = q->list; t; t = t->list_next) {
		enum scan_step step = deadline_scan_timer(s, t);

		if (step == SCAN_OVER)
			return false;
		if (step == SCAN_PRUNED)
			break;
	}
	return true;
}

s_time_t tq_next_deadline(const struct timer_queue *q, unsigned int max_visits,
			  unsigned int *batch)
{
	const struct timer *first = tq_first(q);
	struct deadline_scan s = {
		.bound = S_TIME_MAX,
		.max_visits = max_visits,
	};

	if (!first) {
		if (batch)
			*batch = 0;
		return 0;
	}
	if (q->size)
		s.bound = q->heap[1]->latest;
	if (q->list && q->list->latest < s.bound)
		s.bound = q->list->latest;

	if (!max_visits || !deadline_walk(q, &s)) {
		/*
		 * Out of visits: the earliest expiry is always safe. It serves
		 * the earliest timer and any that tie with it; 1 is what is
		 * known without counting them.
		 */
		if (batch)
			*batch = 1;
		return first->expires;
	}
	if (s.stale) {
		s.count = 0;
		s.stale = false;
		s.max_visits = 0;
		deadline_walk(q, &s);
		ASSERT(!s.stale);
	}
	ASSERT(s.count > 0);
	if (batch)
		*batch = s.count;
	return s.start;
}

/* ---------------------------------------------------------------------------
 * Invariants
 */

const char *tq_check(const struct timer_queue *q)
{
	unsigned int n = 0;

	if ((q->heap == NULL) != (q->limit == 0))
		return "heap array present without a limit, or missing with one";
	if (q->limit > TQ_MAX_LIMIT)
		return "limit too large";
	if (q->size > q->limit)
		return "heap size above its limit";
	for (unsigned int i = 1; i <= q->size; i++) {
		const struct timer *t = q->heap[i];

		if (!t)
			return "NULL in heap[1..size]";
		if (t->status != TIMER_STATUS_IN_HEAP)
			return "timer in the heap not IN_HEAP";
		if (t->heap_offset != i)
			return "heap_offset not the timer's index in the heap";
		if (t->latest < t->expires)
			return "timer in the heap with latest before expires";
		if (i > 1 && t->expires < q->heap[i / 2]->expires)
			return "heap order: a timer expires before its parent";
	}
	/*
	 * Offsets are exact, so no timer is in the heap twice; a timer in the
	 * list twice makes a cycle, which overruns list_len; a timer in both
	 * has the wrong status in one.
	 */
	for (const struct timer *t = q->list; t; t = t->list_next) {
		if (++n > q->list_len)
			return "list longer than list_len (or a cycle)";
		if (t->status != TIMER_STATUS_IN_LIST)
			return "timer in the list not IN_LIST";
		if (t->latest < t->expires)
			return "timer in the list with latest before expires";
		if (t->list_next && t->list_next->expires < t->expires)
			return "list order: a timer expires before its predecessor";
	}
	if (n != q->list_len)
		return "list shorter than list_len";
	return NULL;
}
