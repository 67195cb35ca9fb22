/*
 * fuzz: random hypercalls from a seeded xorshift PRNG.
 *
 * Args: count=<n> calls (default 1000000), seed=<n> (default 1).
 *
 * Call numbers are mostly valid (0 .. NR_HYPERCALLS - 1), sometimes out
 * of range; sub-commands mostly valid, sometimes not; arguments biased
 * towards interesting values: 0, small integers, valid and bad port
 * numbers, DOMID_SELF and our domain id, times around now, and pointers
 * into our scratch heap, the start-info and shared-info pages, our text,
 * the hypervisor's half, non-canonical and unmapped addresses.
 *
 * What the fuzzer must not do to itself, and how it avoids it:
 *  - shut down: SCHEDOP_shutdown is never issued. Out-of-range call and
 *    command numbers are drawn so that neither their low 8 nor their
 *    low 32 bits name a call (or sched_op command) that could block or
 *    shut down, in case the hypervisor truncated them (badargs checks it
 *    does not);
 *  - block forever: VIRQ_TIMER is bound once (the runtime's timer port)
 *    and that port is never handed to EVTCHNOP_close, _mask or
 *    _bind_vcpu; before every SCHEDOP_block the periodic timer (1 ms) and
 *    a single-shot timer 2 ms ahead are armed again and the port unmasked
 *    again, whatever random calls did to them. SCHEDOP_poll always gets a
 *    timeout of at most 2 ms from now (never 0 = none), or one already
 *    passed, and then the timer port heads its list and the timers are
 *    armed; its struct is always ours, or an address the hypervisor
 *    cannot read;
 *  - lose its upcall: HYPERCALL_set_callbacks only ever gets our entry,
 *    0 or an address the hypervisor must refuse, and our entry is
 *    registered again right after;
 *  - corrupt itself: the hypervisor may write through any pointer we
 *    pass, so pointers into our memory are only ever the scratch heap,
 *    the spare end of the shared-info page and unused vcpu_info slots
 *    (never ours: its time record is how we tell time) - plus read-only
 *    and executable pages that a write must fail on;
 *  - print random memory: console writes go from invalid addresses, or
 *    are too long (-KERR_E2BIG); one in a thousand writes a fixed line.
 * Deadlines come from VCPUOP_get_time, which no scribbling can corrupt.
 *
 * Every 1000 calls HYPERCALL_version must still answer the ABI version;
 * every 50000 calls all ports but the timer's are closed (random
 * allocations would exhaust them). Prints progress every 100000 calls
 * and at the end a count per result; a result that is not 0, positive or
 * a documented -KERR_* code is a FAIL.
 */
#include <guest.h>

#define SCRATCH_SIZE 16384
#define HV_ADDR	     0xffffffff80000000ull
#define DIRECTMAP    0xffff800000000000ull
#define SHARED_END   (GUEST_SHARED_INFO_VADDR + GUEST_PAGE_SIZE)
#define NR_ERRS	     128

static uint64_t rng;
static uint8_t *scratch;
static uint32_t timer_port;
static uint16_t self;
static unsigned int nr_vcpus;
static uint64_t results[NR_ERRS], positive, zero, undocumented;
static uint64_t blocks, polls, timer_ticks;
static const char line[] = "fuzz: a console write\n";

static uint64_t rnd(void)
{
	return xorshift64s(&rng);
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static bool chance(unsigned int per_thousand)
{
	return below(1000) < per_thousand;
}

static const uint64_t interesting[] = {
	0,
	1,
	2,
	3,
	4,
	7,
	8,
	15,
	16,
	31,
	32,
	63,
	64,
	127,
	128,
	129,
	255,
	256,
	1023,
	1024,
	1025,
	4095,
	4096,
	4097,
	0x7fef,
	0x7ff0,
	0x7ff1,
	0xffff,
	0x10000,
	0x7fffffff,
	0x80000000,
	0xfffffffe,
	0xffffffff,
	0x100000000ull,
	0x7fffffffffffffffull,
	0x8000000000000000ull,
	0xfffffffffffffffeull,
	0xffffffffffffffffull,
	100000,
	1000000,
	1000000000ull,
};

/* Addresses that must not be read or written by the hypervisor. */
static const uint64_t bad_addrs[] = {
	0,
	0x1000,
	0x300000,
	0x7fff00000000ull,
	HV_ADDR,
	DIRECTMAP,
	0xffffffff80100000ull,
	GUEST_VADDR_END,
	GUEST_VADDR_END - 2,
	0x8000000000000000ull,
	0xfffffffffffffffcull,
	SHARED_END - 2,
};

static uint64_t bad_ptr(void)
{
	return bad_addrs[below(ARRAY_LEN(bad_addrs))];
}

/* A pointer the hypervisor may read or write without hurting us. */
static uint64_t ptr(void)
{
	unsigned int r = (unsigned int)below(100);

	if (r < 55)
		return (uint64_t)scratch + below(SCRATCH_SIZE - 64);
	if (r < 65)
		return bad_ptr();
	if (r < 70)
		return GUEST_START_INFO_VADDR + below(GUEST_PAGE_SIZE);
	if (r < 75) /* the shared-info page past struct shared_info */
		return SHARED_END - 1 -
		       below(GUEST_PAGE_SIZE - sizeof(struct shared_info));
	if (r < 78) /* the last vcpu_info slot, unused unless 64 vCPUs */
		return nr_vcpus < SHARED_INFO_MAX_VCPUS
			       ? (uint64_t)&guest_shared
					 ->vcpu_info[SHARED_INFO_MAX_VCPUS - 1]
			       : bad_ptr();
	if (r < 84)
		return (uint64_t)guest_vcpu_main + below(64);
	if (r < 88)
		return (uint64_t)line;
	return (uint64_t)scratch + SCRATCH_SIZE - 1 - below(8);
}

static uint32_t port(void)
{
	unsigned int r = (unsigned int)below(10);

	if (r < 6)
		return (uint32_t)(1 + below(16));
	if (r < 7)
		return timer_port;
	if (r < 9)
		return (uint32_t)below(EVTCHN_PORTS + 2);
	return (uint32_t)interesting[below(ARRAY_LEN(interesting))];
}

static uint64_t arg(void)
{
	unsigned int r = (unsigned int)below(100);

	if (r < 25)
		return below(17);
	if (r < 45)
		return interesting[below(ARRAY_LEN(interesting))];
	if (r < 70)
		return ptr();
	if (r < 80)
		return port();
	if (r < 85)
		return (uint64_t)hc_get_time(0) + below(10 * NSEC_PER_MSEC);
	return rnd();
}

/* An out-of-range number whose low 8 and 32 bits are out of range too. */
static uint64_t bad_number(unsigned int limit)
{
	for (;;) {
		uint64_t v =
			below(2) ? interesting[below(ARRAY_LEN(interesting))]
				 : rnd();

		if ((v & 0xff) >= limit && (v & 0xffffffffull) >= limit)
			return v;
	}
}

/* Fills scratch at p (if it is scratch) with n random words. */
static void fill(uint64_t p, unsigned int words)
{
	uint64_t *w = (uint64_t *)p;
	unsigned int i;

	/* Written so that no pointer near 2^64 wraps into the range. */
	if (p < (uint64_t)scratch ||
	    p - (uint64_t)scratch > SCRATCH_SIZE - (uint64_t)words * 8)
		return;
	for (i = 0; i < words; i++)
		w[i] = below(3) ? arg() : (port() | ((uint64_t)port() << 32));
}

static void rearm_wakeup(void)
{
	hc_set_callbacks((uint64_t)guest_upcall_entry);
	hc_set_periodic_timer(0, NSEC_PER_MSEC);
	hc_set_timer_op(hc_get_time(0) + 2 * NSEC_PER_MSEC);
	evtchn_unmask(timer_port);
}

static void count_result(long ret)
{
	if (ret == 0)
		zero++;
	else if (ret > 0)
		positive++;
	else if (ret >= -(NR_ERRS - 1)) {
		switch (-ret) {
		case KERR_EPERM:
		case KERR_ENOENT:
		case KERR_E2BIG:
		case KERR_ENOMEM:
		case KERR_EFAULT:
		case KERR_EBUSY:
		case KERR_EEXIST:
		case KERR_EINVAL:
		case KERR_ENOSPC:
		case KERR_ENOSYS:
		case KERR_ETIME:
		case KERR_ETIMEDOUT:
			break;
		default:
			undocumented++;
		}
		results[-ret]++;
	} else {
		undocumented++;
	}
}

static long fuzz_sched_op(void)
{
	static const uint64_t cmds[] = {SCHEDOP_yield, SCHEDOP_block,
					SCHEDOP_poll};
	uint64_t cmd = below(10) ? cmds[below(ARRAY_LEN(cmds))] : bad_number(4);
	long ret;

	if (cmd == SCHEDOP_block) {
		bool flags;

		rearm_wakeup();
		ret = hc_sched_op(SCHEDOP_block, NULL);
		flags = guest_events_save();
		(void)flags;
		blocks++;
		return ret;
	}
	if (cmd == SCHEDOP_poll) {
		struct sched_poll *p = (void *)(scratch + 1024);
		uint32_t *list = (uint32_t *)(scratch + 2048);
		unsigned int i;
		int64_t now = hc_get_time(0);

		for (i = 0; i < 140; i++)
			list[i] = port();
		p->ports = below(10) ? (uint64_t)list : bad_ptr();
		p->nr_ports =
			below(10) ? (uint32_t)(1 + below(8)) : (uint32_t)arg();
		p->pad = below(20) ? 0 : (uint32_t)arg();
		p->timeout_ns =
			below(20)
				? now + (int64_t)below(2 * NSEC_PER_MSEC)
				: (below(2) ? -(int64_t)below(1000) : now - 1);
		if (p->timeout_ns == 0)
			p->timeout_ns = now + 1;
		/*
		 * A timeout in the past must time out at once; in case the
		 * hypervisor took a negative one for "none", the timer port
		 * heads the list and the timers are armed.
		 */
		if (p->timeout_ns < now) {
			rearm_wakeup();
			evtchn_test_and_clear(timer_port);
			list[0] = timer_port;
		}
		polls++;
		return hc_sched_op(SCHEDOP_poll,
				   below(10) ? (void *)p : (void *)bad_ptr());
	}
	return hypercall2(HYPERCALL_sched_op, cmd, arg());
}

static long fuzz_evtchn_op(void)
{
	uint64_t cmd =
		below(10) ? below(EVTCHNOP_bind_vcpu + 1) : bad_number(8);
	uint64_t p;
	uint32_t *w;

	if (below(8) == 0)
		return hypercall2(HYPERCALL_event_channel_op, cmd, bad_ptr());
	p = (uint64_t)scratch + 8 * below(SCRATCH_SIZE / 8 - 8);
	w = (uint32_t *)p;
	switch (cmd) {
	case EVTCHNOP_bind_virq:
		w[0] = below(4) ? VIRQ_TIMER : (uint32_t)arg();
		w[1] = below(4) ? (uint32_t)below(nr_vcpus + 1)
				: (uint32_t)arg();
		w[2] = (uint32_t)arg();
		break;
	case EVTCHNOP_alloc_unbound:
	case EVTCHNOP_bind_interdomain:
		w[0] = (below(3) ? (below(2) ? DOMID_SELF : self)
				 : (uint32_t)arg()) &
		       0xffff;
		if (below(10) == 0)
			w[0] |= (uint32_t)arg() << 16; /* pad */
		w[1] = port();
		w[2] = (uint32_t)arg();
		break;
	case EVTCHNOP_close:
	case EVTCHNOP_mask:
	case EVTCHNOP_bind_vcpu:
		do
			w[0] = port();
		while (w[0] == timer_port);
		w[1] = below(4) ? (uint32_t)below(nr_vcpus + 1)
				: (uint32_t)arg();
		break;
	default:
		w[0] = port();
		w[1] = (uint32_t)arg();
		break;
	}
	return hypercall2(HYPERCALL_event_channel_op, cmd, p);
}

static long fuzz_one(void)
{
	uint64_t nr =
		below(20) ? below(NR_HYPERCALLS) : bad_number(NR_HYPERCALLS);
	uint64_t a1, a2, p;

	switch (nr) {
	case HYPERCALL_console_io:
		if (chance(1))
			return hc_console_write(line, sizeof(line) - 1);
		a1 = below(4) ? CONSOLEIO_write : bad_number(1);
		if (below(2)) {
			/* Not the one with readable bytes before the hole. */
			do
				p = bad_ptr();
			while (p == SHARED_END - 2);
			return hypercall3(nr, a1, arg(), p);
		}
		/* From a valid buffer, but too long to be written. */
		return hypercall3(nr, a1,
				  CONSOLEIO_WRITE_MAX + 1 + below(1ull << 40),
				  (uint64_t)scratch);
	case HYPERCALL_set_timer_op:
		return hc_set_timer_op(
			below(2) ? (int64_t)arg()
				 : hc_get_time(0) +
					   (int64_t)below(NSEC_PER_SEC));
	case HYPERCALL_vcpu_op:
		a1 = below(10) ? below(VCPUOP_get_time + 1) : bad_number(6);
		a2 = below(4) ? 0 : (below(2) ? below(nr_vcpus + 2) : arg());
		p = ptr();
		fill(p, 4);
		return hypercall3(nr, a1, a2, p);
	case HYPERCALL_sched_op:
		return fuzz_sched_op();
	case HYPERCALL_event_channel_op:
		return fuzz_evtchn_op();
	case HYPERCALL_set_callbacks: {
		static const uint64_t entries[] = {0,
						   HV_ADDR,
						   DIRECTMAP,
						   GUEST_VADDR_END,
						   0x8000000000000000ull,
						   ~0ull};
		long ret = hc_set_callbacks(
			below(3) ? entries[below(ARRAY_LEN(entries))]
				 : (uint64_t)guest_upcall_entry);

		hc_set_callbacks((uint64_t)guest_upcall_entry);
		return ret;
	}
	case HYPERCALL_domain_op: {
		static const char *const names[] = {"fuzz", "ping", "pong",
						    "dom0", "",	    "x"};
		struct domain_lookup *l = (void *)(scratch + 4096);

		a1 = below(10) ? DOMOP_lookup : bad_number(1);
		if (below(4) == 0)
			return hypercall2(nr, a1, ptr());
		memset(l, 0, sizeof(*l));
		if (below(4))
			strlcpy(l->name,
				below(2) ? guest_si->name
					 : names[below(ARRAY_LEN(names))],
				sizeof(l->name));
		else
			memset(l->name, 'a' + (int)below(26), sizeof(l->name));
		if (below(10) == 0)
			l->pad[below(3)] = (uint16_t)arg();
		return hypercall2(nr, a1, (uint64_t)l);
	}
	case HYPERCALL_version:
		return hypercall5(nr, arg(), arg(), arg(), arg(), arg());
	default:
		return hypercall5(nr, arg(), arg(), arg(), arg(), arg());
	}
}

static void close_all_but_timer(void)
{
	struct evtchn_port_op op;
	uint32_t p;

	for (p = 1; p < EVTCHN_PORTS; p++) {
		if (p == timer_port)
			continue;
		op.port = p;
		hc_evtchn_op(EVTCHNOP_close, &op);
	}
}

static void tick(unsigned int vcpu, int64_t now, void *arg)
{
	timer_ticks++;
}

void guest_vcpu_main(unsigned int vcpu)
{
	uint64_t count = guest_arg_u64("count", 1000000);
	uint64_t seed = guest_arg_u64("seed", 1);
	uint64_t i, version_bad = 0;
	unsigned int e;
	int64_t start;
	long ret;

	if (vcpu != 0)
		return;
	rng = seed ^ 0x9e3779b97f4a7c15ull;
	self = guest_si->domid;
	nr_vcpus = guest_nr_vcpus();
	scratch = guest_alloc(SCRATCH_SIZE, 4096);
	if (!scratch)
		guest_panic("fuzz: no heap for the scratch area");
	ret = guest_timer_init(tick, NULL);
	if (ret < 0)
		guest_panic("fuzz: binding VIRQ_TIMER: %ld", ret);
	timer_port = (uint32_t)ret;
	printf("fuzz: %llu calls, seed %llu, timer port %u\n",
	       (unsigned long long)count, (unsigned long long)seed, timer_port);
	start = hc_get_time(0);

	for (i = 1; i <= count; i++) {
		count_result(fuzz_one());
		if (i % 1000 == 0 && hc_version() != KAIROS_ABI_VERSION)
			version_bad++;
		if (i % 50000 == 0)
			close_all_but_timer();
		if (i % 100000 == 0)
			printf("fuzz: %llu calls, %llu s, %llu blocks, %llu "
			       "polls, %llu ticks\n",
			       (unsigned long long)i,
			       (unsigned long long)((hc_get_time(0) - start) /
						    NSEC_PER_SEC),
			       (unsigned long long)blocks,
			       (unsigned long long)polls,
			       (unsigned long long)timer_ticks);
	}
	hc_stop_periodic_timer(0);
	hc_set_timer_op(0);

	printf("fuzz: results: 0: %llu, >0: %llu", (unsigned long long)zero,
	       (unsigned long long)positive);
	for (e = 1; e < NR_ERRS; e++) {
		char buf[24];

		if (results[e])
			printf(", %s: %llu",
			       guest_strerror(-(long)e, buf, sizeof(buf)),
			       (unsigned long long)results[e]);
	}
	printf("\n");
	printf("fuzz: %llu blocks, %llu polls, %llu timer events, %llu "
	       "dropped events\n",
	       (unsigned long long)blocks, (unsigned long long)polls,
	       (unsigned long long)timer_ticks,
	       (unsigned long long)guest_events_dropped());
	guest_check(undocumented == 0, "fuzz: no undocumented result (%llu)",
		    (unsigned long long)undocumented);
	guest_check(version_bad == 0,
		    "fuzz: HYPERCALL_version kept answering (%llu bad)",
		    (unsigned long long)version_bad);
	guest_check(hc_version() == KAIROS_ABI_VERSION,
		    "fuzz: %llu calls survived", (unsigned long long)count);
}
