/*
 * Figures of the timer core for `make bench` (tests/bench/bench.py, the
 * `timer` family), never pass/fail on a number. Each figure is one log line
 *     BENCH {"bench":...,<variant>,"unit":...,"n":...,"min":...,"median":...,"p99":...,"max":...,<more>}
 * as in time_bench.c:
 *  - timer_idle: timer interrupts per second on each idle AP and on the
 *    boot CPU during a quiet wait (expected 0: tickless);
 *  - timer_latency: nanoseconds from a timer's expiry (slack 0) to its
 *    callback;
 *  - timer_coalescing: a stream of timers (default 10,000 a second, delays
 *    uniform in 0-10 ms) with slack 0, 50 us and 1 ms: hardware timer
 *    interrupts per expired timer, and each callback's lateness;
 *  - timer_cost: cycles per set_timer, stop_timer and expiry with 10 to
 *    1,000,000 timers pending on the CPU.
 * Explicit-only: `test=timer_bench`. Options, for slow emulators:
 * timer_bench_max=<n> (largest pending count measured, default 1000000),
 * timer_bench_rate=<timers per second> (the stream, default 10000),
 * timer_bench_stream=<time> (how long each stream runs, default 1s).
 * Everything runs on the boot CPU (CPU 0), which polls
 * process_pending_softirqs() while it waits: suites run before the idle
 * loop that would otherwise run TIMER_SOFTIRQ.
 */
#include <asm/tsc.h>
#include <cpumask.h>
#include <irq.h>
#include <ktest.h>
#include <param.h>
#include <percpu.h>
#include <printk.h>
#include <smp.h>
#include <softirq.h>
#include <systime.h>
#include <timer.h>
#include <xmalloc.h>

static unsigned int timer_bench_max = 1000000;
integer_param("timer_bench_max", timer_bench_max);
static unsigned int timer_bench_rate = 10000;
integer_param("timer_bench_rate", timer_bench_rate);
static s64 timer_bench_stream = SECONDS(1);
time_param("timer_bench_stream", timer_bench_stream);

static u64 seed = 0x9e3779b97f4a7c15ULL;

/* Uniform in [0, n), n < 2^31 (a 64-bit LCG's high bits). */
static u64 rand_below(u64 n)
{
	seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
	return n ? (seed >> 33) % n : 0;
}

/* Heapsort: tens of thousands of values, no allocation, no recursion. */
static void sift_down(u64 *v, unsigned int i, unsigned int n)
{
	u64 x = v[i];

	for (;;) {
		unsigned int c = 2 * i + 1;

		if (c >= n)
			break;
		if (c + 1 < n && v[c + 1] > v[c])
			c++;
		if (v[c] <= x)
			break;
		v[i] = v[c];
		i = c;
	}
	v[i] = x;
}

static void sort_u64(u64 *v, unsigned int n)
{
	unsigned int i;

	for (i = n / 2; i-- > 0;)
		sift_down(v, i, n);
	for (i = n; i-- > 1;) {
		u64 x = v[0];

		v[0] = v[i];
		v[i] = x;
		sift_down(v, 0, i);
	}
}

/*
 * Prints one BENCH line: {"bench":bench,<key>,"unit":unit, the statistics
 * of v[0..n) <,more>}. key and more are JSON members (without braces),
 * more may be "".
 */
static void report(const char *bench, const char *key, const char *unit, u64 *v,
		   unsigned int n, const char *more)
{
	const char *sep = more[0] ? "," : "";

	if (n == 0) {
		printk("BENCH {\"bench\":\"%s\",%s,\"unit\":\"%s\",\"n\":0%s%s}\n",
		       bench, key, unit, sep, more);
		return;
	}
	sort_u64(v, n);
	printk("BENCH {\"bench\":\"%s\",%s,\"unit\":\"%s\",\"n\":%u,"
	       "\"min\":%lu,\"median\":%lu,\"p99\":%lu,\"max\":%lu%s%s}\n",
	       bench, key, unit, n, (unsigned long)v[0],
	       (unsigned long)v[n / 2], (unsigned long)v[(n * 99) / 100],
	       (unsigned long)v[n - 1], sep, more);
}

static u64 cpu_interrupts(unsigned int cpu)
{
	struct timer_stats st;

	timer_get_stats(cpu, &st);
	return st.interrupts;
}

static unsigned int cpu_pending(unsigned int cpu)
{
	struct timer_stats st;

	timer_get_stats(cpu, &st);
	return st.pending;
}

/* Spins for ns, running the boot CPU's softirqs. */
static void poll_for(s_time_t ns)
{
	s_time_t end = NOW() + ns;

	while (NOW() < end)
		process_pending_softirqs();
}

/*
 * Lets the boot CPU's own timers fire first, once per boot, for up to
 * SETTLE_MAX: the TSC refinement, about a second after boot, prints a line
 * from its callback, which holds the CPU for the ~10 ms the serial port
 * takes to send it. A periodic one (the platform counter's wrap guard)
 * stays pending: the wait then ends at SETTLE_MAX.
 */
#define SETTLE_MAX SECONDS(3)

static void settle_boot_timers(void)
{
	static bool settled;
	s_time_t give_up = NOW() + SETTLE_MAX;
	unsigned int cpu = smp_processor_id();

	if (settled)
		return;
	settled = true;
	while (cpu_pending(cpu) && NOW() < give_up)
		poll_for(MILLISECS(1));
}

/* ------------------------------------------------------------------ */
/* Timer interrupts on idle CPUs                                       */

#define IDLE_WINDOWS  10
#define IDLE_WINDOW   MILLISECS(100)
#define IDLE_MAX_CPUS 8 /* CPU 0 and up to 7 APs */

static void idle_interrupts(struct ktest *t)
{
	static u64 rate[IDLE_MAX_CPUS][IDLE_WINDOWS];
	unsigned int cpus[IDLE_MAX_CPUS], pending[IDLE_MAX_CPUS];
	u64 before[IDLE_MAX_CPUS], total[IDLE_MAX_CPUS];
	unsigned int nr = 0, cpu, i, w;
	char key[64], more[160];

	/* What the boot CPU has left pending is reported. */
	settle_boot_timers();
	poll_for(MILLISECS(20));
	for_each_online_cpu (cpu) {
		if (nr == IDLE_MAX_CPUS)
			break;
		cpus[nr] = cpu;
		pending[nr] = cpu_pending(cpu);
		total[nr] = 0;
		nr++;
	}
	for (w = 0; w < IDLE_WINDOWS; w++) {
		s_time_t start = NOW(), end = start + IDLE_WINDOW, now;

		for (i = 0; i < nr; i++)
			before[i] = cpu_interrupts(cpus[i]);
		while ((now = NOW()) < end)
			process_pending_softirqs();
		for (i = 0; i < nr; i++) {
			u64 d = cpu_interrupts(cpus[i]) - before[i];

			total[i] += d;
			rate[i][w] = d * (u64)NSEC_PER_SEC / (u64)(now - start);
		}
	}
	for (i = 0; i < nr; i++) {
		snprintf(key, sizeof(key), "\"cpu\":\"%u\",\"state\":\"%s\"",
			 cpus[i], cpus[i] == 0 ? "busy wait" : "idle loop");
		snprintf(more, sizeof(more),
			 "\"window_ms\":%lu,\"interrupts\":%lu,\"pending\":%u",
			 (unsigned long)(IDLE_WINDOW / NSEC_PER_MSEC),
			 (unsigned long)total[i], pending[i]);
		report("timer_idle", key, "interrupts/s", rate[i], IDLE_WINDOWS,
		       more);
	}
	if (nr == 1)
		report("timer_idle", "\"cpu\":\"1\",\"state\":\"idle loop\"",
		       "interrupts/s", NULL, 0, "\"skipped\":\"no AP online\"");
}

/* ------------------------------------------------------------------ */
/* Deadline-to-callback latency                                         */

#define LATENCY_SHOTS	500
#define LATENCY_MIN	MICROSECS(50)
#define LATENCY_SPREAD	(MILLISECS(2) - MICROSECS(50))
#define LATENCY_GIVE_UP SECONDS(2)

static volatile s_time_t shot_fired_at;

static void shot_fn(void *data)
{
	shot_fired_at = NOW();
}

static void callback_latency(struct ktest *t)
{
	static u64 lat[LATENCY_SHOTS];
	struct timer shot;
	unsigned int i, n = 0, early = 0, lost = 0;
	char more[160];

	settle_boot_timers();
	init_timer(&shot, shot_fn, NULL, smp_processor_id());
	for (i = 0; i < LATENCY_SHOTS; i++) {
		s_time_t deadline, give_up, fired;

		shot_fired_at = 0;
		deadline = NOW() + LATENCY_MIN +
			   (s_time_t)rand_below(LATENCY_SPREAD);
		set_timer_range(&shot, deadline, 0);
		give_up = deadline + LATENCY_GIVE_UP;
		while (!shot_fired_at && NOW() < give_up)
			process_pending_softirqs();
		fired = shot_fired_at;
		if (!fired) {
			stop_timer(&shot);
			lost++;
		} else if (fired < deadline) {
			early++;
		} else {
			lat[n++] = (u64)(fired - deadline);
		}
	}
	kill_timer(&shot);
	if (early || lost)
		pr_warn("timer_bench: latency: of %u timers, %u fired early, %u never fired\n",
			LATENCY_SHOTS, early, lost);
	snprintf(
		more, sizeof(more),
		"\"early\":%u,\"lost\":%u,\"delay_min_us\":%lu,\"delay_max_us\":%lu",
		early, lost, (unsigned long)(LATENCY_MIN / NSEC_PER_USEC),
		(unsigned long)((LATENCY_MIN + LATENCY_SPREAD) /
				NSEC_PER_USEC));
	report("timer_latency", "\"slack\":\"0\"", "ns", lat, n, more);
}

/* ------------------------------------------------------------------ */
/* Coalescing: interrupts per timer on a stream of timers              */

#define STREAM_DELAY_MAX MILLISECS(10)
#define STREAM_POOL	 4096
#define STREAM_DRAIN	 SECONDS(2)

static struct {
	struct timer *timers; /* the pool, STREAM_POOL of them */
	unsigned int *free;   /* indices of idle ones (a stack) */
	unsigned int nr_free;
	u64 *late; /* each callback's lateness, ns */
	unsigned int nr_late, cap;
	unsigned int fired, early;
} stream;

/* Runs in TIMER_SOFTIRQ on CPU 0, inside the stream loop's polling. */
static void stream_fn(void *data)
{
	unsigned int i = (unsigned int)(uintptr_t)data;
	s_time_t now = NOW(), expires = timer_expires(&stream.timers[i]);

	if (now < expires)
		stream.early++;
	else if (stream.nr_late < stream.cap)
		stream.late[stream.nr_late++] = (u64)(now - expires);
	stream.fired++;
	stream.free[stream.nr_free++] = i;
}

/* One stream with the given slack; prints its BENCH line. */
static void run_stream(const char *name, s_time_t slack, u64 rate,
		       s_time_t duration)
{
	struct timer_stats before, after;
	unsigned int i, added = 0, dropped = 0, lost;
	s_time_t start, end, now, next, give_up;
	u64 gap_max = 2 * (u64)NSEC_PER_SEC / rate; /* mean 1/rate */
	u64 irqs, per_1k;
	char key[48], more[400];

	stream.nr_free = 0;
	stream.nr_late = stream.fired = stream.early = 0;
	for (i = 0; i < STREAM_POOL; i++) {
		init_timer(&stream.timers[i], stream_fn, (void *)(uintptr_t)i,
			   smp_processor_id());
		stream.free[stream.nr_free++] = STREAM_POOL - 1 - i;
	}
	poll_for(MILLISECS(5));
	timer_get_stats(smp_processor_id(), &before);
	start = NOW();
	end = start + duration;
	next = start;
	while ((now = NOW()) < end) {
		while (next <= now) {
			if (stream.nr_free) {
				i = stream.free[--stream.nr_free];
				set_timer_range(
					&stream.timers[i],
					now + (s_time_t)rand_below(
						      STREAM_DELAY_MAX + 1),
					slack);
				added++;
			} else {
				dropped++;
			}
			next += (s_time_t)rand_below(gap_max + 1);
		}
		process_pending_softirqs();
	}
	give_up = NOW() + STREAM_DELAY_MAX + STREAM_DRAIN;
	while (stream.fired < added && NOW() < give_up)
		process_pending_softirqs();
	now = NOW();
	timer_get_stats(smp_processor_id(), &after);
	lost = added - stream.fired;
	for (i = 0; i < STREAM_POOL; i++)
		kill_timer(&stream.timers[i]);
	if (stream.early || lost)
		pr_warn("timer_bench: stream, slack %s: of %u timers, %u fired early, %u never fired\n",
			name, added, stream.early, lost);

	irqs = after.interrupts - before.interrupts;
	per_1k = stream.fired ? irqs * 1000 / stream.fired : 0;
	snprintf(key, sizeof(key), "\"slack\":\"%s\"", name);
	snprintf(more, sizeof(more),
		 "\"slack_ns\":%ld,\"timers\":%u,\"interrupts\":%lu,"
		 "\"interrupts_per_1000\":%lu,\"softirqs\":%lu,"
		 "\"reprograms\":%lu,\"expired\":%lu,\"early\":%u,\"lost\":%u,"
		 "\"dropped\":%u,\"rate\":%lu,\"rate_achieved\":%lu,"
		 "\"duration_ms\":%lu,\"delay_max_us\":%lu",
		 (long)slack, stream.fired, (unsigned long)irqs,
		 (unsigned long)per_1k,
		 (unsigned long)(after.softirqs - before.softirqs),
		 (unsigned long)(after.reprograms - before.reprograms),
		 (unsigned long)(after.expired - before.expired), stream.early,
		 lost, dropped, (unsigned long)rate,
		 (unsigned long)((u64)added * NSEC_PER_SEC / (u64)duration),
		 (unsigned long)((now - start) / NSEC_PER_MSEC),
		 (unsigned long)(STREAM_DELAY_MAX / NSEC_PER_USEC));
	report("timer_coalescing", key, "ns", stream.late, stream.nr_late,
	       more);
}

static void coalescing(struct ktest *t)
{
	static const struct {
		const char *name;
		s_time_t slack;
	} slacks[] = {
		{"0", 0},
		{"50us", MICROSECS(50)},
		{"1ms", MILLISECS(1)},
	};
	u64 rate = timer_bench_rate ? timer_bench_rate : 1;
	s_time_t duration =
		timer_bench_stream > 0 ? timer_bench_stream : SECONDS(1);
	u64 expected = rate * (u64)(duration / NSEC_PER_USEC) / 1000000;
	unsigned int i;

	settle_boot_timers();
	stream.cap = (unsigned int)(expected + expected / 2 + 1024);
	if (stream.cap > (4U << 20) / sizeof(u64))
		stream.cap = (4U << 20) / sizeof(u64);
	stream.timers = xzalloc_bytes(STREAM_POOL * sizeof(struct timer));
	stream.free = xmalloc_array(unsigned int, STREAM_POOL);
	stream.late = xmalloc_array(u64, stream.cap);
	if (!stream.timers || !stream.free || !stream.late) {
		for (i = 0; i < ARRAY_SIZE(slacks); i++) {
			char key[48];

			snprintf(key, sizeof(key), "\"slack\":\"%s\"",
				 slacks[i].name);
			report("timer_coalescing", key, "ns", NULL, 0,
			       "\"skipped\":\"out of memory\"");
		}
	} else {
		for (i = 0; i < ARRAY_SIZE(slacks); i++)
			run_stream(slacks[i].name, slacks[i].slack, rate,
				   duration);
	}
	xfree(stream.late);
	xfree(stream.free);
	xfree(stream.timers);
	stream.timers = NULL;
}

/* ------------------------------------------------------------------ */
/* Cost of set_timer, stop_timer and expiry with N timers pending       */

#define CHUNK_TIMERS   16384 /* per allocation: < 1 MiB, well under 4 MiB */
#define OP_BATCH       16    /* set/stop calls per RDTSC pair */
#define OP_SAMPLES     400
#define EXPIRY_BATCH   64 /* timers due at once */
#define EXPIRY_SAMPLES 100
#define OP_BUDGET      SECONDS(2) /* per pending count, for set and stop */
#define EXPIRY_BUDGET  SECONDS(1)
#define FILL_BUDGET    SECONDS(60)
#define FILL_SOFTIRQ   1024 /* adds between softirq runs (heap growth) */
#define FAR_AHEAD      SECONDS(1000)
#define FILL_SPACING   NANOSECS(1000)

static unsigned int stray_fires;

static void never_fn(void *data)
{
	stray_fires++;
}

static struct {
	u64 first_tsc, last_tsc;
	unsigned int fired;
} due;

static void due_fn(void *data)
{
	u64 tsc = rdtsc_ordered();

	if (!due.fired++)
		due.first_tsc = tsc;
	due.last_tsc = tsc;
}

struct timer_pool {
	struct timer **chunks;
	unsigned int nr_chunks;
};

static struct timer *pool_timer(struct timer_pool *p, unsigned int i)
{
	return &p->chunks[i / CHUNK_TIMERS][i % CHUNK_TIMERS];
}

static void pool_free(struct timer_pool *p)
{
	unsigned int c;

	if (p->chunks)
		for (c = 0; c < p->nr_chunks; c++)
			xfree(p->chunks[c]);
	xfree(p->chunks);
	p->chunks = NULL;
}

static bool pool_alloc(struct timer_pool *p, unsigned int n)
{
	unsigned int c;

	p->nr_chunks = (n + CHUNK_TIMERS - 1) / CHUNK_TIMERS;
	p->chunks = xzalloc_bytes(p->nr_chunks * sizeof(*p->chunks));
	if (!p->chunks)
		return false;
	for (c = 0; c < p->nr_chunks; c++) {
		p->chunks[c] =
			xzalloc_bytes(CHUNK_TIMERS * sizeof(struct timer));
		if (!p->chunks[c]) {
			pool_free(p);
			return false;
		}
	}
	return true;
}

static const char *const op_names[] = {"set_timer", "stop_timer", "expiry"};

static void report_skipped(unsigned int pending, const char *why)
{
	char key[80], more[120];
	unsigned int op;

	for (op = 0; op < ARRAY_SIZE(op_names); op++) {
		snprintf(key, sizeof(key), "\"op\":\"%s\",\"pending\":%u",
			 op_names[op], pending);
		snprintf(more, sizeof(more), "\"skipped\":\"%s\"", why);
		report("timer_cost", key, "cycles", NULL, 0, more);
	}
}

/*
 * Runs TIMER_SOFTIRQ until the heap stops growing (it grows one doubling
 * per run, and only while timers wait on the overflow list), so that the
 * figures are those of the queue's steady state.
 */
static void settle_heap(void)
{
	unsigned int cpu = smp_processor_id(), k;
	struct timer_stats st;
	u64 grows;

	for (k = 0; k < 64; k++) {
		timer_get_stats(cpu, &st);
		grows = st.heap_grows;
		raise_softirq(TIMER_SOFTIRQ);
		process_pending_softirqs();
		timer_get_stats(cpu, &st);
		if (st.heap_grows == grows)
			break;
	}
}

/*
 * Pre-fills: n timers 1000 s ahead, in decreasing expiry 1 us apart (so
 * that a timer going to the overflow list lands at its head: a random
 * order would make filling the list quadratic), with TIMER_SOFTIRQ run
 * every FILL_SOFTIRQ adds and at the end so that the heap grows as far as
 * it can. Returns how many were set before the budget ran out.
 */
static unsigned int prefill(struct timer_pool *p, unsigned int n, s_time_t far)
{
	s_time_t give_up = NOW() + FILL_BUDGET;
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct timer *tm = pool_timer(p, i);

		init_timer(tm, never_fn, NULL, smp_processor_id());
		set_timer_range(tm, far + (s_time_t)(n - i) * FILL_SPACING, 0);
		if ((i + 1) % FILL_SOFTIRQ == 0) {
			raise_softirq(TIMER_SOFTIRQ);
			process_pending_softirqs();
			if (NOW() > give_up)
				return i + 1;
		}
	}
	settle_heap();
	return n;
}

/*
 * Stops the pre-filled timers, last first (the list's head first). Not
 * kill_timer(): their callback never runs, and kill_timer() also walks the
 * online CPU mask (NR_CPUS bits) each time.
 */
static void unfill(struct timer_pool *p, unsigned int n)
{
	while (n-- > 0)
		stop_timer(pool_timer(p, n));
	process_pending_softirqs();
}

static void measure_pending(unsigned int pending)
{
	static struct timer extra[EXPIRY_BATCH];
	static u64 set_c[OP_SAMPLES], stop_c[OP_SAMPLES];
	static u64 exp_c[EXPIRY_SAMPLES], marg_c[EXPIRY_SAMPLES];
	struct timer_pool pool = {0};
	struct timer_stats st0, st1;
	unsigned int cpu = smp_processor_id();
	unsigned int filled, in_list = 0, ns = 0, ne = 0, extra_in_list = 0;
	unsigned int i, j, bad_expiry = 0;
	s_time_t far, fill_start, fill_ns, give_up;
	u64 span = (u64)pending * FILL_SPACING;
	char key[80], more[320], common[240];

	if (pending > timer_bench_max) {
		report_skipped(pending, "above timer_bench_max=");
		return;
	}
	if (!pool_alloc(&pool, pending)) {
		report_skipped(pending, "out of memory");
		return;
	}
	stray_fires = 0;
	timer_get_stats(cpu, &st0);
	far = NOW() + FAR_AHEAD;
	fill_start = NOW();
	filled = prefill(&pool, pending, far);
	fill_ns = NOW() - fill_start;
	timer_get_stats(cpu, &st1);
	if (filled < pending) {
		unfill(&pool, filled);
		pool_free(&pool);
		report_skipped(pending, "pre-filling took over 60 s");
		return;
	}
	for (i = 0; i < pending; i++)
		if (pool_timer(&pool, i)->status == TIMER_STATUS_IN_LIST)
			in_list++;

	/* set_timer and stop_timer, OP_BATCH at a time, expiries random
	 * among the pre-filled ones. */
	for (i = 0; i < EXPIRY_BATCH; i++)
		init_timer(&extra[i], never_fn, NULL, cpu);
	give_up = NOW() + OP_BUDGET;
	while (ns < OP_SAMPLES && (ns < 10 || NOW() < give_up)) {
		s_time_t when[OP_BATCH];
		unsigned long flags;
		u64 t0;

		for (j = 0; j < OP_BATCH; j++)
			when[j] = far + (s_time_t)rand_below(span);
		flags = local_irq_save();
		t0 = rdtsc_ordered();
		for (j = 0; j < OP_BATCH; j++)
			set_timer_range(&extra[j], when[j], 0);
		set_c[ns] = (rdtsc_ordered() - t0) / OP_BATCH;
		for (j = 0; j < OP_BATCH; j++)
			if (extra[j].status == TIMER_STATUS_IN_LIST)
				extra_in_list++;
		t0 = rdtsc_ordered();
		for (j = 0; j < OP_BATCH; j++)
			stop_timer(&extra[j]);
		stop_c[ns] = (rdtsc_ordered() - t0) / OP_BATCH;
		local_irq_restore(flags);
		ns++;
		process_pending_softirqs();
	}

	/* Expiry: EXPIRY_BATCH timers already due, run by one softirq. */
	for (i = 0; i < EXPIRY_BATCH; i++)
		init_timer(&extra[i], due_fn, NULL, cpu);
	process_pending_softirqs();
	give_up = NOW() + EXPIRY_BUDGET;
	while (ne < EXPIRY_SAMPLES && (ne < 10 || NOW() < give_up)) {
		s_time_t now = NOW();
		u64 t0, t1;

		due.fired = 0;
		for (j = 0; j < EXPIRY_BATCH; j++)
			set_timer_range(&extra[j], now, 0);
		t0 = rdtsc_ordered();
		process_pending_softirqs();
		t1 = rdtsc_ordered();
		if (due.fired != EXPIRY_BATCH) {
			bad_expiry++;
			for (j = 0; j < EXPIRY_BATCH; j++)
				stop_timer(&extra[j]);
			if (bad_expiry > 10)
				break;
			continue;
		}
		exp_c[ne] = (t1 - t0) / EXPIRY_BATCH;
		marg_c[ne] =
			(due.last_tsc - due.first_tsc) / (EXPIRY_BATCH - 1);
		ne++;
	}
	for (j = 0; j < EXPIRY_BATCH; j++)
		kill_timer(&extra[j]);
	if (bad_expiry)
		pr_warn("timer_bench: %u pending: %u softirq runs did not run all %u due timers\n",
			pending, bad_expiry, EXPIRY_BATCH);

	snprintf(common, sizeof(common),
		 "\"heap_limit\":%u,\"in_list\":%u,\"fill_ms\":%lu,"
		 "\"heap_grows\":%lu,\"heap_grow_fails\":%lu,\"stray\":%u",
		 st1.heap_limit, in_list,
		 (unsigned long)(fill_ns / NSEC_PER_MSEC),
		 (unsigned long)(st1.heap_grows - st0.heap_grows),
		 (unsigned long)(st1.heap_grow_fails - st0.heap_grow_fails),
		 stray_fires);
	snprintf(key, sizeof(key), "\"op\":\"set_timer\",\"pending\":%u",
		 pending);
	snprintf(more, sizeof(more), "\"batch\":%u,\"extra_in_list\":%u,%s",
		 OP_BATCH, extra_in_list, common);
	report("timer_cost", key, "cycles", set_c, ns, more);
	snprintf(key, sizeof(key), "\"op\":\"stop_timer\",\"pending\":%u",
		 pending);
	report("timer_cost", key, "cycles", stop_c, ns, more);
	sort_u64(marg_c, ne);
	snprintf(key, sizeof(key), "\"op\":\"expiry\",\"pending\":%u", pending);
	snprintf(more, sizeof(more),
		 "\"batch\":%u,\"marginal_median\":%lu,\"incomplete\":%u,%s",
		 EXPIRY_BATCH, ne ? (unsigned long)marg_c[ne / 2] : 0UL,
		 bad_expiry, common);
	report("timer_cost", key, "cycles", exp_c, ne, more);

	unfill(&pool, pending);
	pool_free(&pool);
}

static void queue_costs(struct ktest *t)
{
	static const unsigned int sizes[] = {10, 1000, 100000, 1000000};
	unsigned int i;

	settle_boot_timers();
	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		measure_pending(sizes[i]);
}

KTEST_SUITE_EXPLICIT(timer_bench, KTEST_CASE(callback_latency),
		     KTEST_CASE(coalescing), KTEST_CASE(queue_costs),
		     KTEST_CASE(idle_interrupts));
