/*
 * bench: figures of the guest interface for `make bench` (the `guest`
 * family of tests/bench/bench.py; docs/bench.md says what they mean).
 * Never a FAIL on a number: a figure that cannot be measured is printed
 * with "n":0 and a "skipped" reason.
 *
 * Args (blank-separated, as every guest's):
 *   mode=<list>   what to measure, comma-separated, in the order given
 *                 (default hypercall,yield,timer,periodic):
 *     hypercall   HYPERCALL_version, and SCHEDOP_yield with nothing else
 *                 runnable (schedule() without a switch): count batches of
 *                 batch calls, each batch timed with rdtsc;
 *     yield       vCPU-to-vCPU switches: two vCPUs on one CPU that
 *                 SCHEDOP_yield to each other (vCPU 0 and 1 of this domain
 *                 when it has two, and this domain's vCPU 0 and the peer
 *                 domain's when peer= is given); count batches of batch
 *                 yields of vCPU 0, each 2 * batch switches;
 *     timer       count single-shot timers (set_timer_op at an absolute
 *                 deadline ahead= apart, then SCHEDOP_block): VIRQ_TIMER
 *                 handler's guest_now() - deadline;
 *     periodic    count ticks of the periodic timer (period=), spinning
 *                 (see guests/ticker.c: the periodic timer only runs while
 *                 its vCPU does): each tick's lateness past its period
 *                 boundary;
 *     peer        the other end of the two-domain yield (alone: no other
 *                 mode), with peer=<the measuring domain's name>.
 *   count=<n>     samples per figure (default 1000)
 *   batch=<n>     calls per timed batch (default 10)
 *   ahead=<min>-<max>  single-shot deadlines, uniform (default 100us-2ms)
 *   period=<time> the periodic timer's (default 1ms)
 *   peer=<name>   the peer domain (none: only the one-domain switch)
 *   seed=<n>      the PRNG's (default 1)
 *   start=<time>  system time to wait for before the first figure
 *                 (default 1500ms: the hypervisor's TSC refinement, 1 s
 *                 after its boot calibration, rewrites every time record
 *                 and prints a line, which costs Bochs 10 ms of serial
 *                 output; at least 2ms after our start, for vCPU 1 and
 *                 the peer to park)
 *
 * Each figure is one line
 *   BENCH {"bench":<kind>,<what>,"unit":"ns","n":..,"min":..,"median":..,
 *          "p99":..,"max":..,<more>}
 * with kinds hypercall_rtt ("call"), vcpu_switch ("between") and
 * virq_latency ("timer"). The measuring domain wants its vCPUs and the
 * peer alone on one CPU (affinity=0): anything else runnable there turns
 * a yield into a switch to it, and shows in every tail.
 *
 * The peer protocol: the peer allocates ports 1 (start/ready) and 2
 * (stop) for the measuring domain, which binds both at its start, then
 * polls with events masked (never running); the measuring domain sends on
 * 1, the peer answers on 1 and yields until 2 is pending. The peer gives
 * up when the measuring domain is gone.
 */
#include <guest.h>

#define COUNT_MAX     100000
#define BATCH_MAX     10000
#define WARMUP	      100
#define START_PORT    1
#define STOP_PORT     2
#define FIND_TIMEOUT  (10 * NSEC_PER_SEC)
#define PEER_CHECK_NS (5 * NSEC_PER_SEC)

static unsigned int count, batch;
static int64_t *samples, *cycles;

/* ---------------------------------------------------------------------------
 * Reporting
 */

/* Cycles to ns: tsc_hz from start_info (0: unknown, ns = cycles). */
static int64_t cycles_to_ns(uint64_t cyc, uint64_t div)
{
	uint64_t hz = guest_tsc_hz();

	if (!hz)
		return (int64_t)(cyc / div);
	return (int64_t)(((unsigned __int128)cyc * NSEC_PER_SEC +
			  (hz * div) / 2) /
			 ((unsigned __int128)hz * div));
}

/*
 * Prints BENCH {"bench":kind,<what>,"unit":"ns",statistics of v[0..n),
 * <more>}; what and more are JSON members without braces (more may be
 * ""). n 0 prints "n":0 only: pass the reason in more as "skipped". The
 * line goes out in one CONSOLEIO_write, not through printf's 200-byte
 * buffer: a line split over two writes may have another vCPU's or the
 * hypervisor's output between its halves.
 */
static void report(const char *kind, const char *what, int64_t *v, size_t n,
		   const char *more)
{
	static char line[768];
	const char *sep = more[0] ? "," : "";
	int len;

	if (!n) {
		len = snprintf(line, sizeof(line),
			       "BENCH {\"bench\":\"%s\",%s,\"unit\":\"ns\","
			       "\"n\":0%s%s}\n",
			       kind, what, sep, more);
	} else {
		guest_sort_s64(v, n);
		len = snprintf(line, sizeof(line),
			       "BENCH {\"bench\":\"%s\",%s,\"unit\":\"ns\","
			       "\"n\":%zu,\"min\":%lld,\"median\":%lld,"
			       "\"p99\":%lld,\"max\":%lld%s%s}\n",
			       kind, what, n, (long long)v[0],
			       (long long)v[n / 2],
			       (long long)v[(n * 99) / 100],
			       (long long)v[n - 1], sep, more);
	}
	if (len < 0 || (size_t)len >= sizeof(line))
		guest_panic("BENCH line too long (%d)", len);
	guest_flush();
	hc_console_write(line, (size_t)len);
}

/* "cycles_min":..,...,"cycles_max":.. of c[0..n) (sorted here), per div. */
static int cycle_stats(char *buf, size_t size, int64_t *c, size_t n,
		       uint64_t div)
{
	guest_sort_s64(c, n);
	return snprintf(buf, size,
			"\"cycles_min\":%llu,\"cycles_median\":%llu,"
			"\"cycles_p99\":%llu,\"cycles_max\":%llu",
			(unsigned long long)((uint64_t)c[0] / div),
			(unsigned long long)((uint64_t)c[n / 2] / div),
			(unsigned long long)((uint64_t)c[(n * 99) / 100] / div),
			(unsigned long long)((uint64_t)c[n - 1] / div));
}

/* Per-call figures from count batches' cycles (cycles[]), div calls each. */
static void report_batches(const char *kind, const char *what, uint64_t div,
			   const char *extra)
{
	char more[320];
	unsigned int i;
	int len;

	for (i = 0; i < count; i++)
		samples[i] = cycles_to_ns((uint64_t)cycles[i], div);
	len = snprintf(more, sizeof(more), "\"batch\":%u,\"tsc_hz\":%llu,",
		       batch, (unsigned long long)guest_tsc_hz());
	len += cycle_stats(more + len, sizeof(more) - len, cycles, count, div);
	if (extra[0])
		snprintf(more + len, sizeof(more) - len, ",%s", extra);
	report(kind, what, samples, count, more);
}

static void skip(const char *kind, const char *what, const char *why)
{
	char more[160];

	snprintf(more, sizeof(more), "\"skipped\":\"%s\"", why);
	report(kind, what, NULL, 0, more);
}

static uint64_t runnable_ns(void)
{
	struct vcpu_runstate_info rs;

	if (hc_vcpu_op(VCPUOP_get_runstate, guest_vcpu_id(), &rs) < 0)
		return 0;
	return rs.time[RUNSTATE_runnable];
}

/* ---------------------------------------------------------------------------
 * Hypercalls
 */

enum call { CALL_NONE, CALL_VERSION, CALL_YIELD };

/* TSC cycles for n calls (inlined with call constant: no dispatch). */
static inline __attribute__((always_inline)) int64_t timed_batch(enum call c,
								 unsigned int n)
{
	uint64_t t0 = guest_rdtsc();
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (c == CALL_VERSION)
			hc_version();
		else if (c == CALL_YIELD)
			hc_yield();
	}
	return (int64_t)(guest_rdtsc() - t0);
}

static void bench_hypercall(void)
{
	int64_t overhead;
	char extra[64];
	unsigned int i;

	/* The timing itself: an empty batch (lfence; rdtsc twice). */
	for (i = 0; i < count; i++)
		cycles[i] = timed_batch(CALL_NONE, 0);
	guest_sort_s64(cycles, count);
	overhead = cycles[count / 2];
	snprintf(extra, sizeof(extra), "\"overhead_cycles\":%lld",
		 (long long)overhead);

	for (i = 0; i < WARMUP; i++)
		hc_version();
	for (i = 0; i < count; i++)
		cycles[i] = timed_batch(CALL_VERSION, batch);
	report_batches("hypercall_rtt", "\"call\":\"version\"", batch, extra);

	/* Nothing else runnable here: schedule() picks us again. */
	for (i = 0; i < WARMUP; i++)
		hc_yield();
	for (i = 0; i < count; i++)
		cycles[i] = timed_batch(CALL_YIELD, batch);
	report_batches("hypercall_rtt", "\"call\":\"yield (alone)\"", batch,
		       extra);
}

/* ---------------------------------------------------------------------------
 * Switches: vCPU 1 of this domain
 */

static struct {
	uint32_t a, b; /* loopback: a send on a makes b pending (vCPU 1's) */
	volatile int ready;
	volatile int stop;
	volatile uint64_t yields;
} sib;

/* vCPU 1: parks in SCHEDOP_poll until started, then yields until stop. */
static void sibling(void)
{
	while (!atomic_load(&sib.ready))
		guest_yield();
	while (!evtchn_test_and_clear(sib.b))
		guest_poll(&sib.b, 1, 0);
	while (!READ_ONCE(sib.stop)) {
		hc_yield();
		sib.yields = sib.yields + 1;
	}
}

static void sibling_setup(void)
{
	long ret = evtchn_alloc_unbound(DOMID_SELF, NULL, NULL);

	if (ret < 0)
		guest_panic("EVTCHNOP_alloc_unbound(DOMID_SELF): %ld", ret);
	sib.a = (uint32_t)ret;
	ret = evtchn_bind_interdomain(guest_si->domid, sib.a, NULL, NULL);
	if (ret < 0)
		guest_panic("EVTCHNOP_bind_interdomain(self): %ld", ret);
	sib.b = (uint32_t)ret;
	ret = evtchn_bind_vcpu(sib.b, 1);
	if (ret < 0)
		guest_panic("EVTCHNOP_bind_vcpu(%u, 1): %ld", sib.b, ret);
	atomic_store(&sib.ready, 1);
}

/* Times count batches of batch yields; fills cycles[]. */
static void time_yields(uint64_t *waited, int64_t *elapsed)
{
	uint64_t r0;
	int64_t t0;
	unsigned int i;

	for (i = 0; i < WARMUP; i++)
		hc_yield();
	r0 = runnable_ns();
	t0 = guest_now();
	for (i = 0; i < count; i++)
		cycles[i] = timed_batch(CALL_YIELD, batch);
	*elapsed = guest_now() - t0;
	*waited = runnable_ns() - r0;
}

static void bench_switch_sibling(void)
{
	const char *what = "\"between\":\"vCPUs of one domain\"";
	int64_t deadline = guest_now() + FIND_TIMEOUT, elapsed;
	uint64_t waited, y0;
	char extra[160];

	if (guest_nr_vcpus() < 2) {
		skip("vcpu_switch", what,
		     "one vCPU (vcpus=2 affinity=0 needed)");
		return;
	}
	if (READ_ONCE(sib.stop)) {
		skip("vcpu_switch", what,
		     "vCPU 1 released (yield given twice)");
		return;
	}
	evtchn_send(sib.a);
	while (!READ_ONCE(sib.yields)) {
		if (guest_now() >= deadline) {
			skip("vcpu_switch", what, "vCPU 1 did not start");
			return;
		}
		hc_yield();
	}
	y0 = sib.yields;
	time_yields(&waited, &elapsed);
	y0 = sib.yields - y0;
	atomic_store(&sib.stop, 1);
	snprintf(
		extra, sizeof(extra),
		"\"yields\":%llu,\"peer_yields\":%llu,\"waiting_permille\":%llu",
		(unsigned long long)count * batch, (unsigned long long)y0,
		(unsigned long long)(elapsed > 0
					     ? waited * 1000 / (uint64_t)elapsed
					     : 0));
	report_batches("vcpu_switch", what, 2ull * batch, extra);
}

/* ---------------------------------------------------------------------------
 * Switches: the peer domain
 */

static struct {
	const char *name;
	uint16_t dom;
	uint32_t start, stop; /* our ends of the peer's ports 1 and 2 */
	volatile int ready;
	bool bound, stopped;
} peer;

static void on_ready(uint32_t port, void *arg)
{
	peer.ready = 1;
}

/* At the start: find the peer and bind to its two ports. */
static void peer_connect(void)
{
	int64_t deadline = guest_now() + FIND_TIMEOUT;
	long ret;

	while ((ret = hc_domain_lookup(peer.name, &peer.dom)) < 0) {
		if (ret != -KERR_ENOENT || guest_now() >= deadline) {
			printf("bench: peer %s not found (%ld)\n", peer.name,
			       ret);
			return;
		}
		guest_yield();
	}
	while ((ret = evtchn_bind_interdomain(peer.dom, START_PORT, on_ready,
					      NULL)) < 0) {
		if (guest_now() >= deadline) {
			printf("bench: cannot bind to %s port %u (%ld)\n",
			       peer.name, START_PORT, ret);
			return;
		}
		guest_yield();
	}
	peer.start = (uint32_t)ret;
	while ((ret = evtchn_bind_interdomain(peer.dom, STOP_PORT, NULL,
					      NULL)) < 0) {
		if (guest_now() >= deadline) {
			printf("bench: cannot bind to %s port %u (%ld)\n",
			       peer.name, STOP_PORT, ret);
			return;
		}
		guest_yield();
	}
	peer.stop = (uint32_t)ret;
	peer.bound = true;
	printf("bench: peer %s is domain %u\n", peer.name, peer.dom);
}

static void peer_stop(void)
{
	if (peer.bound && !peer.stopped)
		evtchn_send(peer.stop);
	peer.stopped = true;
}

static void bench_switch_peer(void)
{
	const char *what = "\"between\":\"two domains\"";
	int64_t elapsed;
	uint64_t waited;
	char extra[160];
	long ret;

	if (!peer.name)
		return; /* not asked for */
	if (!peer.bound || peer.stopped) {
		skip("vcpu_switch", what, "no peer domain");
		return;
	}
	peer.ready = 0;
	evtchn_send(peer.start);
	ret = guest_wait_flag(&peer.ready, guest_now() + FIND_TIMEOUT);
	if (ret < 0) {
		skip("vcpu_switch", what, "the peer did not answer");
		peer_stop();
		return;
	}
	time_yields(&waited, &elapsed);
	peer_stop();
	snprintf(extra, sizeof(extra),
		 "\"yields\":%llu,\"waiting_permille\":%llu",
		 (unsigned long long)count * batch,
		 (unsigned long long)(elapsed > 0 ? waited * 1000 /
							    (uint64_t)elapsed
						  : 0));
	report_batches("vcpu_switch", what, 2ull * batch, extra);
}

/* mode=peer: the other end (see the top of the file). */
static void run_peer(void)
{
	const char *name = guest_arg("peer");
	int64_t deadline = guest_now() + FIND_TIMEOUT;
	uint32_t ports[2];
	uint16_t dom = 0, now_dom;
	uint64_t yields = 0;
	long ret;

	if (!name || !*name)
		name = "bench";
	while ((ret = hc_domain_lookup(name, &dom)) < 0) {
		if (ret != -KERR_ENOENT || guest_now() >= deadline)
			guest_panic("bench peer: DOMOP_lookup(%s): %ld", name,
				    ret);
		guest_yield();
	}
	ports[0] = (uint32_t)evtchn_alloc_unbound(dom, NULL, NULL);
	ports[1] = (uint32_t)evtchn_alloc_unbound(dom, NULL, NULL);
	if (ports[0] != START_PORT || ports[1] != STOP_PORT)
		guest_panic("bench peer: ports %d and %d, expected %u and %u",
			    (int)ports[0], (int)ports[1], START_PORT,
			    STOP_PORT);
	printf("bench peer: waiting for %s (domain %u)\n", name, dom);
	/* Events stay masked: the bits are ours to test. */
	for (;;) {
		guest_poll(ports, 2, guest_now() + PEER_CHECK_NS);
		if (evtchn_is_pending(STOP_PORT)) {
			printf("bench peer: stopped before the start\n");
			return;
		}
		if (evtchn_test_and_clear(START_PORT))
			break;
		if (hc_domain_lookup(name, &now_dom) < 0 || now_dom != dom) {
			printf("bench peer: %s is gone\n", name);
			return;
		}
	}
	evtchn_send(START_PORT);
	while (!evtchn_is_pending(STOP_PORT)) {
		hc_yield();
		if (!(++yields & 0xffff) &&
		    (hc_domain_lookup(name, &now_dom) < 0 || now_dom != dom)) {
			printf("bench peer: %s is gone\n", name);
			break;
		}
	}
	printf("bench peer: %llu yields\n", (unsigned long long)yields);
}

/* ---------------------------------------------------------------------------
 * Timers
 */

/* A time with a unit, as guest_arg_ns() reads one; -1 if malformed. */
static int64_t parse_ns(const char *s)
{
	static const struct {
		const char *unit;
		int64_t scale;
	} units[] = {{"ns", 1},
		     {"us", NSEC_PER_USEC},
		     {"ms", NSEC_PER_MSEC},
		     {"s", NSEC_PER_SEC}};
	int64_t v = 0;
	unsigned int i;

	if (*s < '0' || *s > '9')
		return -1;
	while (*s >= '0' && *s <= '9') {
		v = v * 10 + (*s++ - '0');
		if (v > NSEC_PER_SEC * 3600)
			return -1;
	}
	for (i = 0; i < ARRAY_LEN(units); i++)
		if (!strcmp(s, units[i].unit))
			return v * units[i].scale;
	return -1;
}

static void bench_timer(uint64_t *rng)
{
	const char *arg = guest_arg("ahead");
	int64_t lo = 100 * NSEC_PER_USEC, hi = 2 * NSEC_PER_MSEC;
	unsigned int i, early = 0;
	char more[160];

	if (arg) {
		/* min-max: each a time with a unit. */
		const char *dash = strchr(arg, '-');
		char buf[32];

		if (!dash || (size_t)(dash - arg) >= sizeof(buf))
			guest_panic("ahead=%s: expected <min>-<max>", arg);
		memcpy(buf, arg, (size_t)(dash - arg));
		buf[dash - arg] = '\0';
		lo = parse_ns(buf);
		hi = parse_ns(dash + 1);
		if (lo <= 0 || hi <= lo)
			guest_panic("ahead=%s: expected 0 < min < max", arg);
	}
	/* A stale event (a tick, say) must not end the first sleep. */
	guest_sleep_until(guest_now() + lo);
	for (i = 0; i < count; i++) {
		int64_t deadline =
			guest_now() + lo +
			(int64_t)(xorshift64s(rng) % (uint64_t)(hi - lo));
		int64_t woke = guest_sleep_until(deadline);

		if (woke < 0 && woke > -4096)
			guest_panic("set_timer_op: %lld", (long long)woke);
		samples[i] = woke - deadline;
		if (samples[i] < 0)
			early++;
	}
	snprintf(more, sizeof(more),
		 "\"early\":%u,\"ahead_min_ns\":%lld,\"ahead_max_ns\":%lld",
		 early, (long long)lo, (long long)hi);
	report("virq_latency", "\"timer\":\"single-shot\"", samples, count,
	       more);
}

struct ticks {
	volatile unsigned int seen;
};

static void on_tick(unsigned int vcpu, int64_t now, void *arg)
{
	struct ticks *t = arg;

	if (t->seen < count) {
		samples[t->seen] = now;
		t->seen = t->seen + 1;
	}
}

static void bench_periodic(void)
{
	static struct ticks t;
	int64_t period = guest_arg_ns("period", NSEC_PER_MSEC);
	int64_t start, after, last;
	unsigned int k, early = 0;
	uint64_t missed;
	char more[160];
	long ret;

	if (period < VCPU_PERIODIC_MIN_NS)
		guest_panic("period=%lld ns: below VCPU_PERIODIC_MIN_NS",
			    (long long)period);
	/* Once untimed, so that the timed call finds its code warm. */
	hc_set_periodic_timer(0, (uint64_t)period);
	hc_stop_periodic_timer(0);
	t.seen = 0;
	guest_timer_init(on_tick, &t);
	start = guest_now();
	ret = hc_set_periodic_timer(0, (uint64_t)period);
	after = guest_now();
	if (ret < 0) {
		skip("virq_latency", "\"timer\":\"periodic\"",
		     "VCPUOP_set_periodic_timer failed");
		guest_timer_init(NULL, NULL);
		return;
	}
	while (t.seen < count)
		cpu_relax();
	hc_stop_periodic_timer(0);
	guest_timer_init(NULL, NULL);

	/*
	 * As guests/ticker.c: tick k (from 0) comes at or after boundary
	 * k + 1 of the phase the hypervisor took in the call (at or after
	 * start); its lateness is its distance past the boundary it follows.
	 */
	last = samples[count - 1];
	for (k = 0; k < count; k++) {
		int64_t since = samples[k] - start;

		if (since < (int64_t)(k + 1) * period)
			early++;
		samples[k] = since % period;
	}
	missed = (uint64_t)((last - start) / period) - count;
	snprintf(more, sizeof(more),
		 "\"early\":%u,\"missed\":%llu,\"period_ns\":%lld,"
		 "\"phase_ns\":%lld",
		 early, (unsigned long long)missed, (long long)period,
		 (long long)(after - start));
	report("virq_latency", "\"timer\":\"periodic\"", samples, count, more);
}

/* ---------------------------------------------------------------------------
 * The program
 */

enum mode { MODE_HYPERCALL, MODE_YIELD, MODE_TIMER, MODE_PERIODIC, MODE_PEER };

static const char *const mode_names[] = {"hypercall", "yield", "timer",
					 "periodic", "peer"};

/*
 * The modes of a comma-separated list, in order, into m[] (at most max);
 * returns how many. An unknown word is fatal.
 */
static unsigned int parse_modes(const char *list, enum mode *m,
				unsigned int max)
{
	const char *p = list;
	unsigned int n = 0;

	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		unsigned int i;

		for (i = 0; i < ARRAY_LEN(mode_names); i++)
			if (strlen(mode_names[i]) == len &&
			    !strncmp(p, mode_names[i], len))
				break;
		if (i == ARRAY_LEN(mode_names))
			guest_panic("mode=%s: expected a comma-separated list "
				    "of hypercall, yield, timer, periodic, or "
				    "peer alone",
				    list);
		if (n == max)
			guest_panic("mode=%s: more than %u modes", list, max);
		m[n++] = (enum mode)i;
		p += len;
		if (*p == ',')
			p++;
	}
	return n;
}

void guest_vcpu_main(unsigned int vcpu)
{
	const char *modes = guest_arg("mode");
	uint64_t c = guest_arg_u64("count", 1000);
	uint64_t b = guest_arg_u64("batch", 10);
	uint64_t rng = guest_arg_u64("seed", 1);
	enum mode m[16];
	unsigned int nr_modes, i;
	int64_t start;

	if (!modes || !*modes)
		modes = "hypercall,yield,timer,periodic";
	nr_modes = parse_modes(modes, m, ARRAY_LEN(m));
	if (nr_modes == 1 && m[0] == MODE_PEER) {
		if (vcpu == 0)
			run_peer();
		return;
	}
	if (vcpu == 1)
		sibling();
	if (vcpu != 0)
		return;

	for (i = 0; i < nr_modes; i++)
		if (m[i] == MODE_PEER)
			guest_panic("mode=%s: peer goes alone", modes);
	if (c == 0 || c > COUNT_MAX)
		guest_panic("count=%llu: expected 1 to %u",
			    (unsigned long long)c, COUNT_MAX);
	if (b == 0 || b > BATCH_MAX)
		guest_panic("batch=%llu: expected 1 to %u",
			    (unsigned long long)b, BATCH_MAX);
	count = (unsigned int)c;
	batch = (unsigned int)b;
	samples = guest_alloc(count * sizeof(int64_t), 8);
	cycles = guest_alloc(count * sizeof(int64_t), 8);
	if (!samples || !cycles)
		guest_panic("no heap for %u samples", count);
	peer.name = guest_arg("peer");
	if (peer.name && !*peer.name)
		peer.name = NULL;

	if (guest_nr_vcpus() >= 2)
		sibling_setup();
	if (peer.name)
		peer_connect();
	guest_timer_init(NULL, NULL);
	guest_events_enable();
	/* Let vCPU 1 and the peer park, and the boot settle. */
	start = guest_arg_ns("start", 1500 * NSEC_PER_MSEC);
	if (start < guest_now() + 2 * NSEC_PER_MSEC)
		start = guest_now() + 2 * NSEC_PER_MSEC;
	guest_sleep_until(start);
	printf("bench: %s; count=%u batch=%u tsc_hz=%llu vcpus=%u\n", modes,
	       count, batch, (unsigned long long)guest_tsc_hz(),
	       guest_nr_vcpus());

	for (i = 0; i < nr_modes; i++) {
		switch (m[i]) {
		case MODE_HYPERCALL:
			bench_hypercall();
			break;
		case MODE_YIELD:
			bench_switch_sibling();
			bench_switch_peer();
			break;
		case MODE_TIMER:
			bench_timer(&rng);
			break;
		case MODE_PERIODIC:
			bench_periodic();
			break;
		case MODE_PEER:
			break;
		}
	}

	/* Release vCPU 1 and the peer, whatever ran. */
	if (guest_nr_vcpus() >= 2 && !READ_ONCE(sib.stop)) {
		atomic_store(&sib.stop, 1);
		evtchn_send(sib.a);
	}
	peer_stop();
}
