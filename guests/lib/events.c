/*
 * Event channels, the upcall dispatcher, blocking and the vCPU timer.
 *
 * Which vCPU handles a port: a VIRQ port belongs to the vCPU it was bound
 * for, and only that vCPU's dispatcher handles it. Any other port (inter-
 * domain, loopback) is handled by whichever vCPU's dispatcher sees it
 * first, unless evtchn_bind_vcpu() gave it an owner: so the runtime does
 * not depend on which vCPU the hypervisor notifies by default. The
 * pending bit is cleared atomically before the handler runs, so two vCPUs
 * never both handle one event.
 */
#include "guest.h"

struct port_slot {
	evtchn_handler_t fn;
	void *arg;
	uint8_t owner; /* 0: any vCPU; v + 1: vCPU v */
};

struct timer_state {
	uint32_t port;
	volatile uint64_t count;
	volatile int64_t last;
	guest_timer_fn fn;
	void *arg;
};

static struct port_slot ports[EVTCHN_PORTS];
static struct timer_state timers[SHARED_INFO_MAX_VCPUS];
static uint64_t dropped;

void guest_upcall(void);

static bool port_ok(uint32_t port)
{
	return port > 0 && port < EVTCHN_PORTS;
}

static void set_port(uint32_t port, uint8_t owner, evtchn_handler_t fn,
		     void *arg)
{
	WRITE_ONCE(ports[port].owner, owner);
	WRITE_ONCE(ports[port].arg, arg);
	__atomic_store_n(&ports[port].fn, fn, __ATOMIC_RELEASE);
}

void evtchn_set_handler(uint32_t port, evtchn_handler_t fn, void *arg)
{
	if (!port_ok(port))
		return;
	/* Cleared first so a racing dispatcher never pairs fn with a stale arg. */
	__atomic_store_n(&ports[port].fn, NULL, __ATOMIC_RELEASE);
	WRITE_ONCE(ports[port].arg, arg);
	__atomic_store_n(&ports[port].fn, fn, __ATOMIC_RELEASE);
}

/* Handles every pending, unmasked port of this vCPU; events are masked. */
static void handle_events(struct vcpu_info *vi, unsigned int vcpu)
{
	uint64_t *pending = guest_shared->evtchn_pending;
	uint64_t *mask = guest_shared->evtchn_mask;

	for (;;) {
		uint64_t sel;

		WRITE_ONCE(vi->evtchn_upcall_pending, 0);
		/* The locked exchange orders the store above before it. */
		sel = __atomic_exchange_n(&vi->evtchn_pending_sel, 0,
					  __ATOMIC_SEQ_CST);
		if (!sel)
			return;
		while (sel) {
			unsigned int w = __builtin_ctzll(sel);
			uint64_t bits;

			sel &= sel - 1;
			if (w >= EVTCHN_WORDS)
				continue;
			bits = READ_ONCE(pending[w]) & ~READ_ONCE(mask[w]);
			while (bits) {
				unsigned int b = __builtin_ctzll(bits);
				uint32_t port = w * 64 + b;
				uint64_t bit = 1ull << b;
				uint8_t owner = READ_ONCE(ports[port].owner);
				evtchn_handler_t fn;

				bits &= bits - 1;
				if (port == 0 || (owner && owner != vcpu + 1))
					continue;
				if (!(__atomic_fetch_and(&pending[w], ~bit,
							 __ATOMIC_SEQ_CST) &
				      bit))
					continue; /* another vCPU took it */
				fn = __atomic_load_n(&ports[port].fn,
						     __ATOMIC_ACQUIRE);
				if (fn)
					fn(port, READ_ONCE(ports[port].arg));
				else
					atomic_add(&dropped, 1);
			}
		}
	}
}

/*
 * Entered with evtchn_upcall_mask set; returns with it clear and nothing
 * left pending: an event that came in while we unmasked is handled here
 * rather than lost.
 */
static void dispatch(struct vcpu_info *vi, unsigned int vcpu)
{
	for (;;) {
		handle_events(vi, vcpu);
		/* A full barrier: the load below must not pass this store. */
		__atomic_store_n(&vi->evtchn_upcall_mask, 0, __ATOMIC_SEQ_CST);
		if (!READ_ONCE(vi->evtchn_upcall_pending))
			return;
		__atomic_store_n(&vi->evtchn_upcall_mask, 1, __ATOMIC_SEQ_CST);
	}
}

/* Called by guest_upcall_entry (start.S). */
void guest_upcall(void)
{
	unsigned int vcpu = guest_vcpu_id();

	dispatch(&guest_shared->vcpu_info[vcpu], vcpu);
}

uint64_t guest_events_dropped(void)
{
	return atomic_load(&dropped);
}

void guest_events_enable(void)
{
	long ret = hc_set_callbacks((uint64_t)guest_upcall_entry);

	if (ret < 0)
		guest_panic("HYPERCALL_set_callbacks: %ld", ret);
	guest_events_restore(false);
}

bool guest_events_save(void)
{
	struct vcpu_info *vi = guest_vcpu_info();

	return __atomic_exchange_n(&vi->evtchn_upcall_mask, 1,
				   __ATOMIC_SEQ_CST) != 0;
}

void guest_events_restore(bool was_masked)
{
	unsigned int vcpu = guest_vcpu_id();
	struct vcpu_info *vi = &guest_shared->vcpu_info[vcpu];

	__atomic_store_n(&vi->evtchn_upcall_mask, 1, __ATOMIC_SEQ_CST);
	if (!was_masked)
		dispatch(vi, vcpu);
}

/* ---------------------------------------------------------------------------
 * Event-channel operations
 */

static long bound(long ret, uint32_t port, uint8_t owner, evtchn_handler_t fn,
		  void *arg)
{
	if (ret < 0)
		return ret;
	if (!port_ok(port)) {
		printf("FAIL: hypervisor returned port %u\n", port);
		return -KERR_EINVAL;
	}
	set_port(port, owner, fn, arg);
	return port;
}

long evtchn_bind_virq(uint32_t virq, unsigned int vcpu, evtchn_handler_t fn,
		      void *arg)
{
	struct evtchn_bind_virq b = {.virq = virq, .vcpu = vcpu};
	long ret = hc_evtchn_op(EVTCHNOP_bind_virq, &b);

	return bound(ret, b.port, (uint8_t)(vcpu + 1), fn, arg);
}

long evtchn_bind_virq_timer(unsigned int vcpu, evtchn_handler_t fn, void *arg)
{
	return evtchn_bind_virq(VIRQ_TIMER, vcpu, fn, arg);
}

long evtchn_alloc_unbound(uint16_t remote_dom, evtchn_handler_t fn, void *arg)
{
	struct evtchn_alloc_unbound a = {.remote_dom = remote_dom};
	long ret = hc_evtchn_op(EVTCHNOP_alloc_unbound, &a);

	return bound(ret, a.port, 0, fn, arg);
}

long evtchn_bind_interdomain(uint16_t remote_dom, uint32_t remote_port,
			     evtchn_handler_t fn, void *arg)
{
	struct evtchn_bind_interdomain b = {.remote_dom = remote_dom,
					    .remote_port = remote_port};
	long ret = hc_evtchn_op(EVTCHNOP_bind_interdomain, &b);

	return bound(ret, b.local_port, 0, fn, arg);
}

static long port_op(unsigned int cmd, uint32_t port)
{
	struct evtchn_port_op op = {.port = port};

	return hc_evtchn_op(cmd, &op);
}

long evtchn_send(uint32_t port)
{
	return port_op(EVTCHNOP_send, port);
}

long evtchn_close(uint32_t port)
{
	long ret = port_op(EVTCHNOP_close, port);

	if (ret >= 0 && port_ok(port))
		set_port(port, 0, NULL, NULL);
	return ret;
}

long evtchn_mask(uint32_t port)
{
	return port_op(EVTCHNOP_mask, port);
}

long evtchn_unmask(uint32_t port)
{
	return port_op(EVTCHNOP_unmask, port);
}

long evtchn_bind_vcpu(uint32_t port, unsigned int vcpu)
{
	struct evtchn_bind_vcpu b = {.port = port, .vcpu = vcpu};
	long ret = hc_evtchn_op(EVTCHNOP_bind_vcpu, &b);

	if (ret >= 0 && port_ok(port))
		WRITE_ONCE(ports[port].owner, (uint8_t)(vcpu + 1));
	return ret;
}

bool evtchn_is_pending(uint32_t port)
{
	if (!port_ok(port))
		return false;
	return (READ_ONCE(guest_shared->evtchn_pending[port / 64]) >>
		(port % 64)) &
	       1;
}

bool evtchn_test_and_clear(uint32_t port)
{
	uint64_t bit = 1ull << (port % 64);

	if (!port_ok(port))
		return false;
	return (__atomic_fetch_and(&guest_shared->evtchn_pending[port / 64],
				   ~bit, __ATOMIC_SEQ_CST) &
		bit) != 0;
}

/* ---------------------------------------------------------------------------
 * Blocking
 */

long guest_block(void)
{
	return hc_sched_op(SCHEDOP_block, NULL);
}

long guest_poll(const uint32_t *list, unsigned int n, int64_t timeout)
{
	struct sched_poll p = {
		.ports = (uint64_t)list,
		.nr_ports = n,
		.timeout_ns = timeout,
	};

	return hc_sched_op(SCHEDOP_poll, &p);
}

long guest_yield(void)
{
	return hc_yield();
}

/* ---------------------------------------------------------------------------
 * The vCPU timer
 */

static void timer_handler(uint32_t port, void *arg)
{
	struct timer_state *t = arg;
	int64_t now = guest_now();

	t->last = now;
	t->count = t->count + 1;
	if (t->fn)
		t->fn((unsigned int)(t - timers), now, t->arg);
}

long guest_timer_init(guest_timer_fn fn, void *arg)
{
	unsigned int vcpu = guest_vcpu_id();
	struct timer_state *t = &timers[vcpu];
	bool flags = guest_events_save();
	long ret = t->port;

	t->fn = fn;
	t->arg = arg;
	if (!t->port) {
		ret = evtchn_bind_virq_timer(vcpu, timer_handler, t);
		if (ret > 0)
			t->port = (uint32_t)ret;
	}
	guest_events_restore(flags);
	return ret;
}

static struct timer_state *timer_get(void)
{
	struct timer_state *t = &timers[guest_vcpu_id()];

	if (!t->port) {
		long ret = guest_timer_init(NULL, NULL);

		if (ret < 0)
			guest_panic("binding VIRQ_TIMER: %ld", ret);
	}
	return t;
}

uint64_t guest_timer_count(void)
{
	return timers[guest_vcpu_id()].count;
}

int64_t guest_timer_last(void)
{
	return timers[guest_vcpu_id()].last;
}

int64_t guest_sleep_until(int64_t deadline)
{
	struct timer_state *t = timer_get();
	bool flags = guest_events_save();
	uint64_t c0 = t->count;
	long ret = hc_set_timer_op(deadline);
	int64_t last;

	if (ret < 0) {
		guest_events_restore(flags);
		return ret;
	}
	while (t->count == c0) {
		guest_block();
		guest_events_save();
	}
	last = t->last;
	guest_events_restore(flags);
	return last;
}

long guest_wait_flag(volatile int *flag, int64_t deadline)
{
	struct timer_state *t = deadline ? timer_get() : NULL;
	bool flags = guest_events_save();
	uint64_t c0 = t ? t->count : 0;
	long ret = 0;

	if (t) {
		ret = hc_set_timer_op(deadline);
		if (ret < 0)
			goto out;
	}
	for (;;) {
		if (*flag) {
			ret = 0;
			break;
		}
		if (t && guest_now() >= deadline) {
			ret = -KERR_ETIMEDOUT;
			break;
		}
		/* A timer event before the deadline: arm it again. */
		if (t && t->count != c0) {
			c0 = t->count;
			hc_set_timer_op(deadline);
		}
		guest_block();
		guest_events_save();
	}
	if (t)
		hc_set_timer_op(0);
out:
	guest_events_restore(flags);
	return ret;
}
