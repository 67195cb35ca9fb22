/*
 * Host tests of common/timer_queue.c (include/timer_queue.h): the heap,
 * the overflow list, growth, and the choice of the next deadline.
 *
 * The random runs drive the queue against a reference model, a plain
 * sorted array of (expires, seq) pairs, and check every invariant and the
 * whole contents after every step. Their seeds are fixed and printed;
 * TIMER_QUEUE_SEED=<n> in the environment replaces them with one of its
 * own. The simulation at the end prints the interrupts per timer and the
 * lateness of the coalescing rule on the coalescing workload of
 * docs/design.md, "Choosing the next deadline" (10,000 timers a second,
 * delays uniform in 0-10 ms, 50 us slack).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "expect_panic.h"

#include <compiler.h>
#include <string.h> /* the kernel's (include/string.h) */
#include <timer_queue.h>

#define S_TIME_MAX INT64_MAX
#define S_TIME_MIN INT64_MIN

#define US 1000LL
#define MS 1000000LL

/* ---------------------------------------------------------------------------
 * Helpers
 */

/* splitmix64: small, fast, and every seed (0 too) gives a good stream. */
static u64 rng_state;

static void rng_seed(u64 seed)
{
	rng_state = seed;
}

static u64 rnd(void)
{
	u64 z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n), n > 0 (modulo bias below n / 2^64: nil for our n). */
static u64 rnd_below(u64 n)
{
	return rnd() % n;
}

static bool chance(unsigned int percent)
{
	return rnd_below(100) < percent;
}

static void timer_setup(struct timer *t)
{
	memset(t, 0, sizeof(*t));
	t->status = TIMER_STATUS_INACTIVE;
}

/* The window [expires, expires + slack], saturating as timer.c must. */
static void set_window(struct timer *t, s_time_t expires, s_time_t slack)
{
	t->expires = expires;
	t->slack = slack;
	t->latest = expires > S_TIME_MAX - slack ? S_TIME_MAX : expires + slack;
}

static void check_queue_ok(const struct timer_queue *q)
{
	const char *err = tq_check(q);

	if (err)
		fail_msg("tq_check: %s", err);
}

/* Installs a heap array of limit slots, freeing the old one. */
static void grow_to(struct timer_queue *q, unsigned int limit)
{
	struct timer **old_expected = q->heap;
	struct timer **heap = malloc((limit + 1UL) * sizeof(*heap));
	struct timer **old;

	assert_non_null(heap);
	old = tq_grow(q, heap, limit);
	assert_ptr_equal(old, old_expected);
	assert_ptr_equal(q->heap, heap);
	assert_int_equal(q->limit, limit);
	free(old);
}

static void queue_free(struct timer_queue *q)
{
	free(q->heap);
	q->heap = NULL;
}

/* What tq_next_deadline() must return, by brute force over ts[0..n). */
struct expected_deadline {
	s_time_t deadline; /* max { expires : expires <= bound } */
	s_time_t bound;	   /* min latest */
	s_time_t earliest; /* min expires */
	unsigned int batch;
};

static struct expected_deadline brute_deadline(struct timer *const *ts,
					       unsigned int n)
{
	struct expected_deadline e = {
		.bound = S_TIME_MAX,
		.earliest = S_TIME_MAX,
	};
	bool any = false;

	for (unsigned int i = 0; i < n; i++) {
		if (ts[i]->latest < e.bound)
			e.bound = ts[i]->latest;
		if (ts[i]->expires < e.earliest)
			e.earliest = ts[i]->expires;
	}
	for (unsigned int i = 0; i < n; i++) {
		if (ts[i]->expires > e.bound)
			continue;
		if (!any || ts[i]->expires > e.deadline)
			e.deadline = ts[i]->expires;
		any = true;
		e.batch++;
	}
	return e;
}

/*
 * Checks tq_next_deadline() against the brute force, with every visit it
 * wants and with a budget of max_visits (exact or the fallback: the
 * earliest expiry, batch 1); if thorough, also with a budget of one visit
 * per timer (always enough) and of none.
 */
static void check_deadline(const struct timer_queue *q,
			   const struct expected_deadline *e,
			   unsigned int pending, unsigned int max_visits,
			   bool thorough)
{
	unsigned int batch = ~0U;
	s_time_t d;

	d = tq_next_deadline(q, ~0U, &batch);
	if (!pending) {
		assert_int_equal(d, 0);
		assert_int_equal(batch, 0);
		return;
	}
	assert_int_equal(d, e->deadline);
	assert_int_equal(batch, e->batch);
	if (thorough) {
		/* A visit per timer is enough: never the fallback. */
		assert_int_equal(tq_next_deadline(q, pending, &batch),
				 e->deadline);
		assert_int_equal(batch, e->batch);
		assert_int_equal(tq_next_deadline(q, 0, NULL), e->earliest);
	}

	batch = ~0U;
	d = tq_next_deadline(q, max_visits, &batch);
	if (d != e->deadline || batch != e->batch) {
		assert_int_equal(d, e->earliest);
		assert_int_equal(batch, 1);
	}
}

/* ---------------------------------------------------------------------------
 * Small cases and edges
 */

static void test_empty(void **state)
{
	struct timer_queue q;
	unsigned int batch = 7;

	tq_init(&q);
	check_queue_ok(&q);
	assert_null(tq_first(&q));
	assert_null(tq_pop_expired(&q, S_TIME_MAX));
	assert_int_equal(tq_next_deadline(&q, ~0U, &batch), 0);
	assert_int_equal(batch, 0);
	assert_int_equal(tq_next_deadline(&q, 0, &batch), 0);
	assert_int_equal(tq_next_limit(&q), 63);

	grow_to(&q, 1);
	check_queue_ok(&q);
	assert_null(tq_first(&q));
	queue_free(&q);
}

static void test_next_limit(void **state)
{
	struct timer_queue q;

	tq_init(&q);
	assert_int_equal(tq_next_limit(&q), 63);
	q.limit = 1;
	assert_int_equal(tq_next_limit(&q), 63);
	q.limit = 31;
	assert_int_equal(tq_next_limit(&q), 63);
	q.limit = 63;
	assert_int_equal(tq_next_limit(&q), 127);
	q.limit = 100;
	assert_int_equal(tq_next_limit(&q), 255);
	/* Room for the whole list at once, not one doubling per softirq. */
	q.limit = 63;
	q.size = 63;
	q.list_len = 900;
	assert_int_equal(tq_next_limit(&q), 1023);
	q.size = 0;
	q.list_len = 0;
	q.limit = (1U << 30) - 1;
	assert_int_equal(tq_next_limit(&q), (1U << 31) - 1);
	/* As large as it gets: no growth (the caller must not call tq_grow). */
	q.limit = (1U << 31) - 1;
	assert_int_equal(tq_next_limit(&q), q.limit);
	q.limit = 1U << 31;
	assert_int_equal(tq_next_limit(&q), q.limit);
	(void)state;
}

/* Removal of the only element, the root, the last, and one in between. */
static void test_heap_removal_positions(void **state)
{
	struct timer t[7];
	struct timer_queue q;

	tq_init(&q);
	grow_to(&q, 8);
	for (unsigned int i = 0; i < 7; i++)
		timer_setup(&t[i]);

	/* The only element. */
	set_window(&t[0], 10, 0);
	assert_true(tq_add(&q, &t[0]));
	assert_int_equal(t[0].status, TIMER_STATUS_IN_HEAP);
	assert_int_equal(t[0].heap_offset, 1);
	tq_remove(&q, &t[0]);
	assert_int_equal(t[0].status, TIMER_STATUS_INACTIVE);
	assert_int_equal(q.size, 0);
	assert_null(tq_first(&q));
	check_queue_ok(&q);

	/* 10, 20, ..., 70 in order: heap[i] is t[i - 1]. */
	for (unsigned int i = 0; i < 7; i++) {
		set_window(&t[i], 10 * (i + 1), 0);
		assert_int_equal(tq_add(&q, &t[i]), i == 0);
		check_queue_ok(&q);
	}
	for (unsigned int i = 0; i < 7; i++)
		assert_int_equal(t[i].heap_offset, i + 1);

	/* The last element: nothing moves. */
	tq_remove(&q, &t[6]);
	check_queue_ok(&q);
	assert_int_equal(q.size, 6);
	for (unsigned int i = 0; i < 6; i++)
		assert_int_equal(t[i].heap_offset, i + 1);

	/* The root: the last (60) comes up and sifts down; 20 is the top. */
	tq_remove(&q, &t[0]);
	check_queue_ok(&q);
	assert_ptr_equal(tq_first(&q), &t[1]);

	/*
	 * Replacements that stay and that sift up. Heap 1 | 100 2 | 101 102
	 * 3 4 (heap[i] is t[i - 1]): removing 100 brings 4 to index 2, where
	 * it stays (after 1, before 101 and 102); removing 101 then brings 3
	 * to index 4, below 4, so it must sift up past it.
	 */
	while (tq_first(&q))
		tq_remove(&q, tq_first(&q));
	{
		static const s_time_t e[7] = {1, 100, 2, 101, 102, 3, 4};
		static const s_time_t order[5] = {1, 2, 3, 4, 102};

		for (unsigned int i = 0; i < 7; i++) {
			set_window(&t[i], e[i], 0);
			tq_add(&q, &t[i]);
		}
		for (unsigned int i = 0; i < 7; i++)
			assert_int_equal(t[i].heap_offset, i + 1);
		tq_remove(&q, &t[1]);
		check_queue_ok(&q);
		assert_int_equal(t[6].heap_offset, 2);
		tq_remove(&q, &t[3]);
		check_queue_ok(&q);
		assert_int_equal(t[5].heap_offset, 2); /* 1 | 3 2 | 4 102 */
		assert_int_equal(t[6].heap_offset, 4);
		for (unsigned int i = 0; i < 5; i++) {
			struct timer *p = tq_pop_expired(&q, S_TIME_MAX);

			assert_non_null(p);
			assert_int_equal(p->expires, order[i]);
			check_queue_ok(&q);
		}
		assert_null(tq_first(&q));
	}
	queue_free(&q);
}

static void test_heap_removal_positions_pop_order(void **state)
{
	/* Removal from every position of heaps of every size up to 33. */
	struct timer t[33];
	struct timer_queue q;

	for (unsigned int n = 1; n <= 33; n++) {
		for (unsigned int victim = 0; victim < n; victim++) {
			s_time_t last = S_TIME_MIN;
			struct timer *p;
			unsigned int popped = 0;

			tq_init(&q);
			grow_to(&q, n);
			rng_seed(n * 100 + victim);
			for (unsigned int i = 0; i < n; i++) {
				timer_setup(&t[i]);
				set_window(&t[i], (s_time_t)rnd_below(20), 0);
				tq_add(&q, &t[i]);
			}
			check_queue_ok(&q);
			tq_remove(&q, &t[victim]);
			check_queue_ok(&q);
			while ((p = tq_pop_expired(&q, S_TIME_MAX))) {
				assert_true(p != &t[victim]);
				assert_true(p->expires >= last);
				last = p->expires;
				popped++;
				check_queue_ok(&q);
			}
			assert_int_equal(popped, n - 1);
			queue_free(&q);
		}
	}
}

/* Equal expiries: the list keeps insertion order; nothing is lost. */
static void test_equal_expiries(void **state)
{
	enum { N = 50 };
	struct timer t[N];
	struct timer_queue q;
	struct timer *p;
	unsigned int n;

	/* List only: first in, first out. */
	tq_init(&q);
	for (unsigned int i = 0; i < N; i++) {
		timer_setup(&t[i]);
		set_window(&t[i], 5, i);
		assert_int_equal(tq_add(&q, &t[i]), i == 0);
		assert_int_equal(t[i].status, TIMER_STATUS_IN_LIST);
	}
	check_queue_ok(&q);
	assert_null(tq_pop_expired(&q, 4));
	for (unsigned int i = 0; i < N; i++) {
		assert_ptr_equal(tq_pop_expired(&q, 5), &t[i]);
		check_queue_ok(&q);
	}
	assert_null(tq_first(&q));

	/* Heap and list together: all come out, at the same expiry. */
	grow_to(&q, N / 2);
	for (unsigned int i = 0; i < N; i++) {
		set_window(&t[i], -5, 0);
		assert_int_equal(tq_add(&q, &t[i]), i == 0);
	}
	assert_int_equal(q.size, N / 2);
	assert_int_equal(q.list_len, N - N / 2);
	check_queue_ok(&q);
	n = 0;
	while ((p = tq_pop_expired(&q, -5))) {
		assert_int_equal(p->expires, -5);
		assert_int_equal(p->status, TIMER_STATUS_INACTIVE);
		n++;
	}
	assert_int_equal(n, N);
	queue_free(&q);
}

/* Between heap and list, a tie goes to the heap; tq_add says so. */
static void test_add_reports_first(void **state)
{
	struct timer a, b, c, d;
	struct timer_queue q;

	tq_init(&q);
	grow_to(&q, 1);
	timer_setup(&a);
	timer_setup(&b);
	timer_setup(&c);
	timer_setup(&d);
	set_window(&a, 100, 0);
	assert_true(tq_add(&q, &a)); /* heap */
	set_window(&b, 50, 0);
	assert_true(tq_add(&q, &b)); /* list, before the heap's top */
	assert_int_equal(b.status, TIMER_STATUS_IN_LIST);
	assert_ptr_equal(tq_first(&q), &b);
	set_window(&c, 50, 0);
	assert_false(tq_add(&q, &c)); /* list, after b */
	set_window(&d, 200, 0);
	assert_false(tq_add(&q, &d));
	/* The heap's top goes, b and c stay on the list; a tie with b. */
	tq_remove(&q, &a);
	set_window(&a, 50, 0);
	assert_true(tq_add(&q, &a)); /* heap top ties list head: heap first */
	assert_ptr_equal(tq_first(&q), &a);
	assert_ptr_equal(tq_pop_expired(&q, 50), &a);
	assert_ptr_equal(tq_pop_expired(&q, 50), &b);
	assert_ptr_equal(tq_pop_expired(&q, 50), &c);
	assert_null(tq_pop_expired(&q, 199));
	assert_ptr_equal(tq_pop_expired(&q, 200), &d);
	check_queue_ok(&q);
	queue_free(&q);
}

/* System time is signed: negative expiries, and both ends of s_time_t. */
static void test_extremes(void **state)
{
	static const s_time_t e[] = {
		S_TIME_MAX,
		S_TIME_MIN,
		-1,
		0,
		1,
		S_TIME_MAX - 1,
		S_TIME_MIN + 1,
		-1000000000000LL,
		S_TIME_MAX,
		S_TIME_MIN,
	};
	enum { N = sizeof(e) / sizeof(e[0]) };
	struct timer t[N];
	struct timer_queue q;
	struct timer *p;
	s_time_t last = S_TIME_MIN;
	unsigned int batch;

	for (unsigned int limit = 0; limit <= N; limit += 3) {
		tq_init(&q);
		if (limit)
			grow_to(&q, limit);
		for (unsigned int i = 0; i < N; i++) {
			timer_setup(&t[i]);
			set_window(&t[i], e[i], i % 2 ? S_TIME_MAX : 0);
			tq_add(&q, &t[i]);
			check_queue_ok(&q);
		}
		assert_int_equal(tq_first(&q)->expires, S_TIME_MIN);
		/*
		 * [MIN, -1] twice and [MIN + 1, MIN + 1]: the deadline is
		 * MIN + 1, for the three.
		 */
		assert_int_equal(tq_next_deadline(&q, ~0U, &batch),
				 S_TIME_MIN + 1);
		assert_int_equal(batch, 3);
		last = S_TIME_MIN;
		for (unsigned int i = 0; i < N - 2; i++) {
			p = tq_pop_expired(&q, S_TIME_MAX - 1);
			assert_non_null(p);
			assert_true(p->expires >= last);
			last = p->expires;
			check_queue_ok(&q);
		}
		assert_null(tq_pop_expired(&q, S_TIME_MAX - 1));
		/* Both [MAX, MAX]: the latest cannot go beyond MAX. */
		assert_int_equal(tq_next_deadline(&q, ~0U, &batch), S_TIME_MAX);
		assert_int_equal(batch, 2);
		assert_non_null(tq_pop_expired(&q, S_TIME_MAX));
		assert_non_null(tq_pop_expired(&q, S_TIME_MAX));
		assert_null(tq_first(&q));
		queue_free(&q);
	}
}

/* Growth that moves only part of the list: its earliest timers. */
static void test_grow_partial(void **state)
{
	enum { N = 40 };
	struct timer t[N];
	struct timer_queue q;
	struct timer *p;
	s_time_t last = S_TIME_MIN;
	unsigned int n = 0;

	tq_init(&q);
	rng_seed(3);
	for (unsigned int i = 0; i < N; i++) {
		timer_setup(&t[i]);
		set_window(&t[i], (s_time_t)rnd_below(30) - 15, 0);
		tq_add(&q, &t[i]);
	}
	assert_int_equal(q.list_len, N);
	grow_to(&q, 7);
	check_queue_ok(&q);
	assert_int_equal(q.size, 7);
	assert_int_equal(q.list_len, N - 7);
	/* Every heap timer expires no later than every list timer. */
	for (unsigned int i = 1; i <= q.size; i++)
		assert_true(q.heap[i]->expires <= q.list->expires);

	/* Again, with a heap holding timers, and then room for all. */
	grow_to(&q, 20);
	check_queue_ok(&q);
	assert_int_equal(q.size, 20);
	assert_int_equal(q.list_len, N - 20);
	grow_to(&q, 64);
	check_queue_ok(&q);
	assert_int_equal(q.size, N);
	assert_int_equal(q.list_len, 0);
	assert_null(q.list);
	for (unsigned int i = 0; i < N; i++)
		assert_int_equal(t[i].status, TIMER_STATUS_IN_HEAP);

	while ((p = tq_pop_expired(&q, S_TIME_MAX))) {
		assert_true(p->expires >= last);
		last = p->expires;
		n++;
	}
	assert_int_equal(n, N);
	queue_free(&q);
}

static struct timer panic_timer;
static struct timer_queue panic_queue;

static void add_pending_timer(void *arg)
{
	tq_init(&panic_queue);
	timer_setup(&panic_timer);
	set_window(&panic_timer, 1, 0);
	tq_add(&panic_queue, &panic_timer);
	tq_add(&panic_queue, &panic_timer);
}

static void remove_inactive_timer(void *arg)
{
	tq_init(&panic_queue);
	timer_setup(&panic_timer);
	tq_remove(&panic_queue, &panic_timer);
}

static void add_inverted_window(void *arg)
{
	tq_init(&panic_queue);
	timer_setup(&panic_timer);
	panic_timer.expires = 10;
	panic_timer.latest = 9;
	tq_add(&panic_queue, &panic_timer);
}

static void test_misuse_panics(void **state)
{
	expect_panic(add_pending_timer, NULL,
		     "t->status == TIMER_STATUS_INACTIVE");
	expect_panic(remove_inactive_timer, NULL, "not pending");
	expect_panic(add_inverted_window, NULL, "t->latest >= t->expires");
}

/* True if tq_check() finds something broken and says what. */
static bool check_says(const struct timer_queue *q, const char *what)
{
	const char *err = tq_check(q);

	return err && expect_panic_contains(err, what);
}

/* tq_check() names what is broken. */
static void test_check_detects(void **state)
{
	struct timer t[4];
	struct timer_queue q;

	tq_init(&q);
	grow_to(&q, 2);
	for (unsigned int i = 0; i < 4; i++) {
		timer_setup(&t[i]);
		set_window(&t[i], 10 * i, 5);
		tq_add(&q, &t[i]);
	}
	check_queue_ok(&q); /* heap: t0 t1; list: t2 t3 */

	t[1].heap_offset = 1;
	assert_non_null(tq_check(&q));
	t[1].heap_offset = 2;
	t[1].expires = -1;
	assert_true(check_says(&q, "heap order"));
	t[1].expires = 10;
	t[0].latest = -1;
	assert_true(check_says(&q, "latest"));
	t[0].latest = 5;
	t[0].status = TIMER_STATUS_IN_LIST;
	assert_true(check_says(&q, "IN_HEAP"));
	t[0].status = TIMER_STATUS_IN_HEAP;
	q.size = 3;
	assert_true(check_says(&q, "limit"));
	q.size = 2;
	check_queue_ok(&q);

	t[3].expires = 0;
	assert_true(check_says(&q, "list order"));
	t[3].expires = 30;
	q.list_len = 1;
	assert_true(check_says(&q, "list_len"));
	q.list_len = 3;
	assert_true(check_says(&q, "list_len"));
	q.list_len = 2;
	t[3].list_next = &t[2]; /* a cycle */
	assert_non_null(tq_check(&q));
	t[3].list_next = NULL;
	t[2].status = TIMER_STATUS_IN_HEAP;
	assert_true(check_says(&q, "IN_LIST"));
	t[2].status = TIMER_STATUS_IN_LIST;
	check_queue_ok(&q);
	queue_free(&q);
}

/* ---------------------------------------------------------------------------
 * Random runs against the model
 */

enum run_mode {
	RUN_LIST_ONLY, /* limit 0 for ever: every timer on the list */
	RUN_BIG_HEAP,  /* a heap larger than the pool: never full */
	RUN_MIXED,     /* growth that fails at random, up to a cap */
};

static const char *const run_mode_name[] = {"list only", "big heap", "mixed"};

#define POOL 384

struct model_entry {
	s_time_t expires;
	u64 seq;
	unsigned int id;
};

struct run {
	enum run_mode mode;
	u64 seed;
	unsigned long step;
	struct timer_queue q;
	struct timer pool[POOL];
	u64 seq[POOL]; /* the model's key for each pending timer */
	bool pending[POOL];
	bool seen[POOL];
	struct model_entry model[POOL]; /* sorted by (expires, seq) */
	unsigned int n;
	u64 next_seq;
	s_time_t now;
	unsigned int cap; /* the largest heap growth may reach */
	/* Coverage: what the run went through. */
	unsigned int max_list, max_size, grows, failed_grows, pops, restarts;
};

static int entry_before(const struct model_entry *a, s_time_t expires, u64 seq)
{
	return a->expires < expires || (a->expires == expires && a->seq < seq);
}

/* The index of the first entry not before (expires, seq). */
static unsigned int model_lower_bound(const struct run *r, s_time_t expires,
				      u64 seq)
{
	unsigned int lo = 0, hi = r->n;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (entry_before(&r->model[mid], expires, seq))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void model_add(struct run *r, unsigned int id)
{
	struct timer *t = &r->pool[id];
	unsigned int i;

	assert_false(r->pending[id]);
	r->seq[id] = r->next_seq++;
	i = model_lower_bound(r, t->expires, r->seq[id]);
	memmove(&r->model[i + 1], &r->model[i],
		(r->n - i) * sizeof(r->model[0]));
	r->model[i] = (struct model_entry){t->expires, r->seq[id], id};
	r->n++;
	r->pending[id] = true;
}

static void model_remove(struct run *r, unsigned int id)
{
	struct timer *t = &r->pool[id];
	unsigned int i = model_lower_bound(r, t->expires, r->seq[id]);

	assert_true(r->pending[id]);
	assert_true(i < r->n);
	assert_int_equal(r->model[i].id, id);
	memmove(&r->model[i], &r->model[i + 1],
		(r->n - i - 1) * sizeof(r->model[0]));
	r->n--;
	r->pending[id] = false;
}

static unsigned int timer_id(const struct run *r, const struct timer *t)
{
	if (t < r->pool || t >= r->pool + POOL)
		fail_msg("seed %lu step %lu: a timer not from the pool",
			 (unsigned long)r->seed, r->step);
	return t - r->pool;
}

/* The whole queue against the model: invariants, contents, statuses. */
static void run_check(struct run *r)
{
	const char *err = tq_check(&r->q);
	struct timer *first = tq_first(&r->q);

	if (err)
		fail_msg("seed %lu step %lu (%s): tq_check: %s",
			 (unsigned long)r->seed, r->step,
			 run_mode_name[r->mode], err);
	assert_int_equal(r->q.size + r->q.list_len, r->n);
	memset(r->seen, 0, sizeof(r->seen));
	for (unsigned int i = 1; i <= r->q.size; i++) {
		unsigned int id = timer_id(r, r->q.heap[i]);

		assert_false(r->seen[id]);
		r->seen[id] = true;
	}
	for (struct timer *t = r->q.list; t; t = t->list_next) {
		unsigned int id = timer_id(r, t);

		assert_false(r->seen[id]);
		r->seen[id] = true;
	}
	for (unsigned int id = 0; id < POOL; id++) {
		u8 status = r->pool[id].status;

		assert_int_equal(r->seen[id], r->pending[id]);
		if (r->pending[id])
			assert_true(status == TIMER_STATUS_IN_HEAP ||
				    status == TIMER_STATUS_IN_LIST);
		else
			assert_int_equal(status, TIMER_STATUS_INACTIVE);
	}
	if (r->n == 0) {
		assert_null(first);
	} else {
		assert_non_null(first);
		assert_int_equal(first->expires, r->model[0].expires);
	}
	if (r->mode == RUN_LIST_ONLY)
		assert_int_equal(r->q.size, 0);
	if (r->mode == RUN_BIG_HEAP)
		assert_int_equal(r->q.list_len, 0);
	if (r->q.list_len > r->max_list)
		r->max_list = r->q.list_len;
	if (r->q.size > r->max_size)
		r->max_size = r->q.size;
}

/* The deadline against the brute force over the model's timers. */
static void run_check_deadline(struct run *r)
{
	struct timer *ts[POOL];
	struct expected_deadline e;

	for (unsigned int i = 0; i < r->n; i++)
		ts[i] = &r->pool[r->model[i].id];
	e = brute_deadline(ts, r->n);
	check_deadline(&r->q, &e, r->n, (unsigned int)rnd_below(8),
		       r->step % 8 == 0);
}

/* Expiries near now, coarse enough for many ties; now and then an end. */
static s_time_t random_expiry(const struct run *r)
{
	switch (rnd_below(100)) {
	case 0:
		return S_TIME_MIN + (s_time_t)rnd_below(3);
	case 1:
		return S_TIME_MAX - (s_time_t)rnd_below(3);
	default:
		return r->now - 2 * US + (s_time_t)rnd_below(200) * 100;
	}
}

static s_time_t random_slack(void)
{
	switch (rnd_below(4)) {
	case 0:
		return 0;
	case 1:
		return S_TIME_MAX; /* no upper bound (saturates) */
	default:
		return (s_time_t)rnd_below(3 * US);
	}
}

static void run_add(struct run *r, unsigned int id)
{
	struct timer *t = &r->pool[id];
	s_time_t before = r->n ? r->model[0].expires : 0;
	bool was_empty = r->n == 0;
	bool first;

	set_window(t, random_expiry(r), random_slack());
	first = tq_add(&r->q, t);
	model_add(r, id);
	/* True exactly when t is now first: strictly earliest must be. */
	assert_int_equal(first, tq_first(&r->q) == t);
	if (was_empty || t->expires < before)
		assert_true(first);
	if (!was_empty && t->expires > before)
		assert_false(first);
}

static void run_pop(struct run *r)
{
	bool all = !chance(20); /* or stop after a few, as a busy CPU may */
	unsigned int max = all ? ~0U : (unsigned int)rnd_below(4);
	s_time_t last = S_TIME_MIN;
	struct timer *t;

	r->now += (s_time_t)rnd_below(3 * US);
	for (unsigned int k = 0; k < max; k++) {
		unsigned int id;

		t = tq_pop_expired(&r->q, r->now);
		if (!t)
			break;
		id = timer_id(r, t);

		/* Not early, in order, the model's first, and out. */
		assert_true(t->expires <= r->now);
		assert_true(t->expires >= last);
		last = t->expires;
		assert_int_equal(t->expires, r->model[0].expires);
		if (r->mode == RUN_LIST_ONLY) /* stable: (expires, seq) order */
			assert_int_equal(id, r->model[0].id);
		assert_int_equal(t->status, TIMER_STATUS_INACTIVE);
		model_remove(r, id);
		r->pops++;
		/* The full check follows the step; the invariants now. */
		check_queue_ok(&r->q);
		assert_int_equal(r->q.size + r->q.list_len, r->n);
	}
	/* Nothing left behind that should have gone. */
	if (all)
		assert_true(r->n == 0 || r->model[0].expires > r->now);
}

/*
 * Mixed runs: a new queue (heap absent, a new cap) holding the same
 * timers, in a random order, so that growth starts over. timer.c never
 * shrinks a heap; this is the test's way of going through growth again.
 */
static void run_restart(struct run *r)
{
	unsigned int ids[POOL], n = 0;

	for (unsigned int id = 0; id < POOL; id++) {
		if (!r->pending[id])
			continue;
		tq_remove(&r->q, &r->pool[id]);
		model_remove(r, id);
		ids[n++] = id;
	}
	assert_int_equal(r->q.size + r->q.list_len, 0);
	queue_free(&r->q);
	tq_init(&r->q);
	r->cap = 1 + (unsigned int)rnd_below(POOL / 2);
	for (unsigned int i = n; i > 0; i--) {
		unsigned int j = (unsigned int)rnd_below(i), id = ids[j];

		ids[j] = ids[i - 1];
		tq_add(&r->q, &r->pool[id]);
		model_add(r, id);
	}
	r->restarts++;
}

static void run_grow(struct run *r)
{
	unsigned int limit;

	if (r->mode != RUN_MIXED || r->q.limit >= r->cap)
		return;
	/* As timer.c does: grow when the list is in use; sometimes anyway. */
	if (!r->q.list_len && !chance(5))
		return;
	if (chance(50)) { /* the allocation failed: the list keeps them */
		r->failed_grows++;
		return;
	}
	if (chance(70))
		limit = tq_next_limit(&r->q);
	else
		limit = r->q.limit + 1 + (unsigned int)rnd_below(16);
	if (limit > r->cap)
		limit = r->cap;
	grow_to(&r->q, limit);
	r->grows++;
}

#define RUN_PHASE 5000 /* steps */

static void random_run(enum run_mode mode, u64 seed, unsigned long steps)
{
	struct run *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	print_message("# %-9s seed %#lx, %lu steps\n", run_mode_name[mode],
		      (unsigned long)seed, steps);
	r->mode = mode;
	r->seed = seed;
	rng_seed(seed);
	r->now = (s_time_t)rnd_below(1ULL << 41) - (1LL << 40); /* +-18 min */
	tq_init(&r->q);
	if (mode == RUN_BIG_HEAP)
		grow_to(&r->q, 1024);
	for (unsigned int id = 0; id < POOL; id++)
		timer_setup(&r->pool[id]);

	for (r->step = 0; r->step < steps; r->step++) {
		/* Phases that fill the queue and that drain it, in turn. */
		bool filling = (r->step / RUN_PHASE) % 2 == 0;
		unsigned int set_ops = filling ? 70 : 40;
		unsigned int pop_ops = filling ? 3 : 45;
		unsigned int op = (unsigned int)rnd_below(100);
		unsigned int id = (unsigned int)rnd_below(POOL);

		if (mode == RUN_MIXED && r->step % RUN_PHASE == 0)
			run_restart(r);
		if (op < set_ops) {
			if (!r->pending[id]) {
				run_add(r, id);
			} else if (chance(40)) {
				tq_remove(&r->q, &r->pool[id]);
				model_remove(r, id);
				assert_int_equal(r->pool[id].status,
						 TIMER_STATUS_INACTIVE);
			} else { /* set_timer on a pending timer */
				tq_remove(&r->q, &r->pool[id]);
				model_remove(r, id);
				run_add(r, id);
			}
		} else if (op < set_ops + pop_ops) {
			run_pop(r);
		} else {
			run_grow(r);
		}
		run_check(r);
		run_check_deadline(r);
	}

	print_message("#   %u pops, heap up to %u, list up to %u, %u grows "
		      "(%u failed), %u restarts\n",
		      r->pops, r->max_size, r->max_list, r->grows,
		      r->failed_grows, r->restarts);
	assert_true(r->pops > steps / 10);
	if (mode != RUN_BIG_HEAP)
		assert_true(r->max_list > 16);
	if (mode != RUN_LIST_ONLY)
		assert_true(r->max_size > 16);
	if (mode == RUN_MIXED)
		assert_true(r->grows > 10 && r->failed_grows > 10);
	queue_free(&r->q);
	free(r);
}

#define RANDOM_STEPS 200000UL

/* The seeds, or TIMER_QUEUE_SEED's one. */
static unsigned int run_seeds(const u64 *fixed, unsigned int n, u64 *out)
{
	const char *env = getenv("TIMER_QUEUE_SEED");

	if (env) {
		out[0] = strtoull(env, NULL, 0);
		return 1;
	}
	memcpy(out, fixed, n * sizeof(*out));
	return n;
}

static void test_random_list_only(void **state)
{
	static const u64 fixed[] = {0x5eed0001};
	u64 seeds[ARRAY_SIZE(fixed)];
	unsigned int n = run_seeds(fixed, ARRAY_SIZE(fixed), seeds);

	for (unsigned int i = 0; i < n; i++)
		random_run(RUN_LIST_ONLY, seeds[i], RANDOM_STEPS);
}

static void test_random_big_heap(void **state)
{
	static const u64 fixed[] = {0x5eed0002};
	u64 seeds[ARRAY_SIZE(fixed)];
	unsigned int n = run_seeds(fixed, ARRAY_SIZE(fixed), seeds);

	for (unsigned int i = 0; i < n; i++)
		random_run(RUN_BIG_HEAP, seeds[i], RANDOM_STEPS);
}

static void test_random_mixed(void **state)
{
	static const u64 fixed[] = {0x5eed0003, 0x5eed0004, 0x5eed0005};
	u64 seeds[ARRAY_SIZE(fixed)];
	unsigned int n = run_seeds(fixed, ARRAY_SIZE(fixed), seeds);

	for (unsigned int i = 0; i < n; i++)
		random_run(RUN_MIXED, seeds[i], RANDOM_STEPS);
}

/* ---------------------------------------------------------------------------
 * Coalescing: the deadline's promises
 */

/* Seed 002's example: [100,103] [101,104] [102,104] [104,106] -> 102. */
static void test_deadline_seed_example(void **state)
{
	static const s_time_t w[4][2] = {
		{100, 103}, {101, 104}, {102, 104}, {104, 106}};
	struct timer t[4];
	struct timer_queue q;
	unsigned int batch;

	for (unsigned int limit = 0; limit <= 4; limit++) {
		tq_init(&q);
		if (limit)
			grow_to(&q, limit);
		for (unsigned int i = 0; i < 4; i++) {
			timer_setup(&t[i]);
			set_window(&t[i], w[i][0], w[i][1] - w[i][0]);
			tq_add(&q, &t[i]);
		}
		assert_int_equal(tq_next_deadline(&q, ~0U, &batch), 102);
		assert_int_equal(batch, 3);
		queue_free(&q);
	}
}

/*
 * A bound that falls below an expiry already counted: heap 100 | 102 101,
 * windows [100,103] [102,200] [101,101]. The walk counts 102 before 101's
 * window lowers D to 101; the answer is 101, for two timers.
 */
static void test_deadline_bound_falls(void **state)
{
	static const s_time_t w[3][2] = {{100, 103}, {102, 200}, {101, 101}};
	struct timer t[3];
	struct timer_queue q;
	unsigned int batch;

	tq_init(&q);
	grow_to(&q, 4);
	for (unsigned int i = 0; i < 3; i++) {
		timer_setup(&t[i]);
		set_window(&t[i], w[i][0], w[i][1] - w[i][0]);
		tq_add(&q, &t[i]);
		assert_int_equal(t[i].heap_offset, i + 1);
	}
	assert_int_equal(tq_next_deadline(&q, ~0U, &batch), 101);
	assert_int_equal(batch, 2);
	/* 3 visits are enough; 2 are not. */
	assert_int_equal(tq_next_deadline(&q, 3, &batch), 101);
	assert_int_equal(batch, 2);
	assert_int_equal(tq_next_deadline(&q, 2, &batch), 100);
	assert_int_equal(batch, 1);
	queue_free(&q);
}

/*
 * The visits the walk needs: the timers expiring by D, the heap children
 * it reads to prune them, and one list timer past the batch. Heap of 63
 * with heap[i] expiring at i; windows [1, 3], [2, 100], [3, 100], the
 * rest [i, i + 100]: D = 3 and the batch is heap[1..3]; the walk also
 * reads heap[4..7] to prune them. 7 visits, not 6. The same 63 timers on
 * the list: the 3 and the 4th to stop at.
 */
static void test_deadline_visits(void **state)
{
	enum { N = 63 };
	struct timer t[N];
	struct timer_queue q;
	unsigned int batch;

	for (unsigned int limit = 0; limit <= N; limit += N) {
		unsigned int needed = limit ? 7 : 4;

		tq_init(&q);
		if (limit)
			grow_to(&q, limit);
		for (unsigned int i = 0; i < N; i++) {
			timer_setup(&t[i]);
			set_window(&t[i], i + 1, i == 0 ? 2 : 100);
			tq_add(&q, &t[i]);
			if (limit)
				assert_int_equal(t[i].heap_offset, i + 1);
		}
		assert_int_equal(tq_next_deadline(&q, needed, &batch), 3);
		assert_int_equal(batch, 3);
		assert_int_equal(tq_next_deadline(&q, needed - 1, &batch), 1);
		assert_int_equal(batch, 1);
		queue_free(&q);
	}
}

/* A wide batch and a budget too small for it: the earliest expiry. */
static void test_deadline_fallback(void **state)
{
	enum { N = 100 };
	struct timer t[N];
	struct timer_queue q;
	unsigned int batch;

	for (unsigned int limit = 0; limit <= N; limit += N / 2) {
		tq_init(&q);
		if (limit)
			grow_to(&q, limit);
		for (unsigned int i = 0; i < N; i++) {
			timer_setup(&t[i]);
			set_window(&t[i], 1000 + i, 1000 - i);
			tq_add(&q, &t[i]);
		}
		assert_int_equal(tq_next_deadline(&q, ~0U, &batch),
				 1000 + N - 1);
		assert_int_equal(batch, N);
		assert_int_equal(tq_next_deadline(&q, N, &batch), 1000 + N - 1);
		assert_int_equal(batch, N);
		for (unsigned int budget = 0; budget < N / 2; budget++) {
			assert_int_equal(tq_next_deadline(&q, budget, &batch),
					 1000);
			assert_int_equal(batch, 1);
		}
		queue_free(&q);
	}
}

/*
 * Random sets of timers, random slack from 0 to 1 ms (a quarter of them
 * 0), in heaps and lists of random shapes: the deadline d keeps the
 * promises.
 */
static void test_deadline_promises(void **state)
{
	enum { SETS = 20000, MAX_N = 200 };
	static struct timer t[MAX_N];
	struct timer *ts[MAX_N];
	struct timer_queue q;
	u64 seed = 0xc0a1e5ce;

	print_message("# coalescing: %u sets, seed %#lx\n", SETS,
		      (unsigned long)seed);
	rng_seed(seed);
	for (unsigned int set = 0; set < SETS; set++) {
		unsigned int n = 1 + (unsigned int)rnd_below(MAX_N);
		static const s_time_t spans[] = {1, 10 * US, 1 * MS, 10 * MS};
		s_time_t span = spans[rnd_below(ARRAY_SIZE(spans))];
		s_time_t base = (s_time_t)rnd_below(1ULL << 40) - (1LL << 39);
		bool no_slack = chance(20);
		unsigned int limits[] = {0, n / 2, n, n + 10};
		unsigned int limit = limits[rnd_below(4)];
		struct expected_deadline e;
		unsigned int batch, popped = 0;
		struct timer *p;
		s_time_t d;

		tq_init(&q);
		if (limit)
			grow_to(&q, limit);
		for (unsigned int i = 0; i < n; i++) {
			s_time_t slack = no_slack || chance(25)
						 ? 0
						 : (s_time_t)rnd_below(MS + 1);

			timer_setup(&t[i]);
			set_window(&t[i], base + (s_time_t)rnd_below(span),
				   slack);
			tq_add(&q, &t[i]);
			ts[i] = &t[i];
		}
		check_queue_ok(&q);
		e = brute_deadline(ts, n);
		d = tq_next_deadline(&q, ~0U, &batch);

		/* (3) not before the first timer; (5) at it with no slack. */
		assert_true(d >= e.earliest);
		if (no_slack)
			assert_int_equal(d, e.earliest);
		/* (2) within every window that is still to come. */
		for (unsigned int i = 0; i < n; i++)
			assert_true(d <= t[i].latest);
		/* The deadline itself, and (4) the batch count. */
		assert_int_equal(d, e.deadline);
		assert_int_equal(batch, e.batch);
		/* (6) any budget: exact or the earliest expiry. */
		check_deadline(&q, &e, n, (unsigned int)rnd_below(2 * n), true);

		/* (1) firing at d runs exactly the timers expiring by d. */
		while ((p = tq_pop_expired(&q, d))) {
			assert_true(p->expires <= d);
			assert_true(d <= p->latest);
			popped++;
		}
		assert_int_equal(popped, batch);
		for (unsigned int i = 0; i < n; i++)
			if (t[i].status != TIMER_STATUS_INACTIVE)
				assert_true(t[i].expires > d);
		check_queue_ok(&q);
		queue_free(&q);
	}
}

/* ---------------------------------------------------------------------------
 * A whole run: the coalescing workload of docs/design.md
 */

struct sim_result {
	unsigned int timers;
	unsigned long interrupts;
	s_time_t median_late, max_late;
	unsigned int max_pending;
};

static int cmp_s_time(const void *a, const void *b)
{
	s_time_t x = *(const s_time_t *)a, y = *(const s_time_t *)b;

	return (x > y) - (x < y);
}

/*
 * One CPU: timers arriving at random (uniform arrival times over the run,
 * so a Poisson stream), each set for its arrival plus a delay uniform in
 * [0, max_delay], with the given slack. The device is armed for
 * tq_next_deadline() and re-armed when a new timer expires before the
 * armed deadline (docs/design.md), or after every add if always_rearm. At
 * each deadline every expired timer is run; the heap starts absent and
 * grows as timer.c grows it, when the list is in use.
 */
static struct sim_result simulate(u64 seed, unsigned int timers,
				  s_time_t duration, s_time_t max_delay,
				  s_time_t slack, bool always_rearm)
{
	struct timer *t = calloc(timers, sizeof(*t));
	s_time_t *arrival = calloc(timers, sizeof(*arrival));
	s_time_t *late = calloc(timers, sizeof(*late));
	struct sim_result res = {.timers = timers};
	struct timer_queue q;
	s_time_t armed = 0, now = 0;
	bool is_armed = false;
	unsigned int next = 0, ran = 0;

	assert_true(t && arrival && late);
	rng_seed(seed);
	for (unsigned int i = 0; i < timers; i++)
		arrival[i] = (s_time_t)rnd_below(duration);
	qsort(arrival, timers, sizeof(*arrival), cmp_s_time);
	tq_init(&q);

	while (next < timers || tq_first(&q)) {
		if (next < timers && (!is_armed || arrival[next] < armed)) {
			struct timer *n = &t[next];

			now = arrival[next];
			timer_setup(n);
			set_window(n, now + (s_time_t)rnd_below(max_delay + 1),
				   slack);
			tq_add(&q, n);
			next++;
			if (q.size + q.list_len > res.max_pending)
				res.max_pending = q.size + q.list_len;
			if (always_rearm || !is_armed || n->expires < armed) {
				armed = tq_next_deadline(&q, ~0U, NULL);
				is_armed = true;
			}
			assert_true(armed >= now);
			continue;
		}
		/* The interrupt. */
		now = armed;
		res.interrupts++;
		for (struct timer *p; (p = tq_pop_expired(&q, now));) {
			assert_true(p->expires <= now && now <= p->latest);
			late[ran++] = now - p->expires;
		}
		if (q.list_len) {
			unsigned int limit = tq_next_limit(&q);

			grow_to(&q, limit);
		}
		is_armed = tq_first(&q) != NULL;
		if (is_armed)
			armed = tq_next_deadline(&q, ~0U, NULL);
		check_queue_ok(&q);
	}
	assert_int_equal(ran, timers);
	qsort(late, timers, sizeof(*late), cmp_s_time);
	res.median_late = late[timers / 2];
	res.max_late = late[timers - 1];
	assert_true(res.max_late <= slack);
	queue_free(&q);
	free(t);
	free(arrival);
	free(late);
	return res;
}

static void test_simulation(void **state)
{
	static const s_time_t slacks[] = {0, 50 * US, 1 * MS};
	const u64 seed = 0x3a3a3a3a;
	const unsigned int timers = 100000; /* 10 s at 10,000 a second */
	double ratio[ARRAY_SIZE(slacks)];

	print_message(
		"# simulation (the coalescing workload): %u timers over 10 s, "
		"delays uniform 0-10 ms, seed %#lx\n",
		timers, (unsigned long)seed);
	for (unsigned int i = 0; i < ARRAY_SIZE(slacks); i++) {
		for (int always = 0; always <= 1; always++) {
			struct sim_result res =
				simulate(seed, timers, 10000 * MS, 10 * MS,
					 slacks[i], always);
			double per = (double)res.interrupts / res.timers;

			print_message("#   slack %4lld us, re-arm %-14s: %.3f "
				      "interrupts/timer, lateness median %lld "
				      "ns, max %lld ns, up to %u pending\n",
				      (long long)(slacks[i] / US),
				      always ? "after every add"
					     : "when earlier",
				      per, (long long)res.median_late,
				      (long long)res.max_late, res.max_pending);
			if (!always)
				ratio[i] = per;
		}
	}
	/* With no slack nearly every timer needs its own interrupt. */
	assert_true(ratio[0] > 0.99);
	/* Slack is what saves interrupts. */
	assert_true(ratio[1] < 0.8);
	assert_true(ratio[2] < ratio[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_next_limit),
		cmocka_unit_test(test_heap_removal_positions),
		cmocka_unit_test(test_heap_removal_positions_pop_order),
		cmocka_unit_test(test_equal_expiries),
		cmocka_unit_test(test_add_reports_first),
		cmocka_unit_test(test_extremes),
		cmocka_unit_test(test_grow_partial),
		cmocka_unit_test(test_misuse_panics),
		cmocka_unit_test(test_check_detects),
		cmocka_unit_test(test_random_list_only),
		cmocka_unit_test(test_random_big_heap),
		cmocka_unit_test(test_random_mixed),
		cmocka_unit_test(test_deadline_seed_example),
		cmocka_unit_test(test_deadline_bound_falls),
		cmocka_unit_test(test_deadline_visits),
		cmocka_unit_test(test_deadline_fallback),
		cmocka_unit_test(test_deadline_promises),
		cmocka_unit_test(test_simulation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
