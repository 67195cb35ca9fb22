/*
 * poller: SCHEDOP_poll, on vCPU 0 with events masked throughout (so
 * pending bits stay for us to see; the upcall never runs there).
 *
 * Args: count=<n> random-timeout polls (default 20).
 *
 * Ports: a loopback pair, a = EVTCHNOP_alloc_unbound(DOMID_SELF) and
 * b = EVTCHNOP_bind_interdomain(our domid, a), so a send on a makes b
 * pending; c, a second unbound port nobody sends on; and VIRQ_TIMER.
 * Checks:
 *  - a poll on b with nothing sent returns -KERR_ETIMEDOUT, never before
 *    its timeout (fixed and random timeouts);
 *  - a timeout already passed returns -KERR_ETIMEDOUT at once;
 *  - b already pending: returns 0 at once (with and without a timeout),
 *    also when b is second in a list of two;
 *  - the single-shot timer's VIRQ port wakes a poll, not before the
 *    timer's deadline;
 *  - with a second vCPU: vCPU 1 sends on a 10 ms later, which wakes
 *    vCPU 0 polling on b;
 *  - poll leaves evtchn_upcall_mask set.
 */
#include <guest.h>

static struct {
	volatile int go;
	volatile int64_t send_at;
	volatile int64_t sent_at;
	volatile long send_ret;
	volatile int sent;
	uint32_t a;
} x;

static void check_timeout(uint32_t port, int64_t d, const char *what)
{
	int64_t timeout = guest_now() + d;
	long ret = guest_poll(&port, 1, timeout);
	int64_t now = guest_now();
	char err[24];

	guest_check(ret == -KERR_ETIMEDOUT && now >= timeout,
		    "%s: %s after %lld ns, %lld ns after the timeout", what,
		    guest_strerror(ret, err, sizeof(err)),
		    (long long)(now - (timeout - d)),
		    (long long)(now - timeout));
}

static void vcpu1_sender(void)
{
	while (!atomic_load(&x.go))
		cpu_relax();
	guest_spin_until(x.send_at);
	x.sent_at = guest_now();
	x.send_ret = evtchn_send(x.a);
	atomic_store(&x.sent, 1);
}

void guest_vcpu_main(unsigned int vcpu)
{
	uint64_t count = guest_arg_u64("count", 20);
	uint64_t rng = 12345;
	uint32_t a, b, c, tp, list[2];
	int64_t t0, now, deadline;
	unsigned int i;
	char err[24];
	long ret;

	if (vcpu == 1)
		vcpu1_sender();
	if (vcpu != 0)
		return;

	ret = evtchn_alloc_unbound(DOMID_SELF, NULL, NULL);
	if (ret < 0)
		guest_panic("EVTCHNOP_alloc_unbound(DOMID_SELF): %ld", ret);
	a = x.a = (uint32_t)ret;
	ret = evtchn_bind_interdomain(guest_si->domid, a, NULL, NULL);
	if (ret < 0)
		guest_panic("EVTCHNOP_bind_interdomain(self %u, %u): %ld",
			    guest_si->domid, a, ret);
	b = (uint32_t)ret;
	ret = evtchn_alloc_unbound(DOMID_SELF, NULL, NULL);
	if (ret < 0)
		guest_panic("EVTCHNOP_alloc_unbound: %ld", ret);
	c = (uint32_t)ret;
	printf("poller: loopback %u <-> %u, idle port %u\n", a, b, c);

	/* Timeouts. */
	check_timeout(b, NSEC_PER_MSEC, "poll 1 ms timeout");
	check_timeout(b, 5 * NSEC_PER_MSEC, "poll 5 ms timeout");
	check_timeout(b, 20 * NSEC_PER_MSEC, "poll 20 ms timeout");
	for (i = 0; i < count; i++) {
		int64_t d = 100 * NSEC_PER_USEC +
			    (int64_t)(xorshift64s(&rng) % (5 * NSEC_PER_MSEC));
		int64_t timeout = guest_now() + d;

		ret = guest_poll(&b, 1, timeout);
		now = guest_now();
		if (ret != -KERR_ETIMEDOUT || now < timeout) {
			guest_fail("random poll %u: %s, %lld ns after timeout",
				   i, guest_strerror(ret, err, sizeof(err)),
				   (long long)(now - timeout));
			break;
		}
	}
	if (i == count)
		guest_pass("%llu random poll timeouts, none early",
			   (unsigned long long)count);
	t0 = guest_now();
	ret = guest_poll(&b, 1, t0 - NSEC_PER_MSEC);
	now = guest_now();
	guest_check(ret == -KERR_ETIMEDOUT,
		    "poll with a passed timeout: %s after %lld ns",
		    guest_strerror(ret, err, sizeof(err)),
		    (long long)(now - t0));

	/* Already pending. */
	ret = evtchn_send(a);
	guest_check(ret == 0 && evtchn_is_pending(b),
		    "loopback send on %u makes %u pending (%ld)", a, b, ret);
	t0 = guest_now();
	ret = guest_poll(&b, 1, t0 + NSEC_PER_SEC);
	now = guest_now();
	guest_check(ret == 0 && now - t0 < NSEC_PER_SEC / 2,
		    "poll on a pending port returns 0 at once (%ld, %lld ns)",
		    ret, (long long)(now - t0));
	ret = guest_poll(&b, 1, 0);
	guest_check(ret == 0, "poll without timeout on a pending port (%ld)",
		    ret);
	guest_check(evtchn_test_and_clear(b), "poll leaves the bit pending");
	list[0] = c;
	list[1] = b;
	evtchn_send(a);
	ret = guest_poll(list, 2, guest_now() + NSEC_PER_SEC);
	guest_check(ret == 0, "poll on {idle, pending} returns 0 (%ld)", ret);
	evtchn_test_and_clear(b);
	guest_check(guest_vcpu_info()->evtchn_upcall_mask == 1,
		    "poll leaves evtchn_upcall_mask set");

	/* A timer VIRQ wakes a poll. */
	ret = evtchn_bind_virq_timer(0, NULL, NULL);
	if (ret < 0)
		guest_panic("binding VIRQ_TIMER: %ld", ret);
	tp = (uint32_t)ret;
	deadline = guest_now() + 10 * NSEC_PER_MSEC;
	ret = hc_set_timer_op(deadline);
	guest_check(ret == 0, "set_timer_op(+10 ms) (%ld)", ret);
	do {
		ret = guest_poll(&tp, 1, deadline + 2 * NSEC_PER_SEC);
	} while (ret == 0 && !evtchn_test_and_clear(tp));
	now = guest_now();
	guest_check(ret == 0 && now >= deadline,
		    "timer VIRQ wakes poll: %s, %lld ns after the deadline",
		    guest_strerror(ret, err, sizeof(err)),
		    (long long)(now - deadline));

	/* Another vCPU's send wakes a poll. */
	if (guest_nr_vcpus() >= 2) {
		x.send_at = guest_now() + 10 * NSEC_PER_MSEC;
		atomic_store(&x.go, 1);
		do {
			ret = guest_poll(&b, 1, x.send_at + 2 * NSEC_PER_SEC);
		} while (ret == 0 && !evtchn_test_and_clear(b));
		now = guest_now();
		while (!atomic_load(&x.sent))
			cpu_relax();
		guest_check(ret == 0 && x.send_ret == 0 && now >= x.sent_at,
			    "vCPU 1's send wakes vCPU 0's poll: %s, %lld ns "
			    "after the send",
			    guest_strerror(ret, err, sizeof(err)),
			    (long long)(now - x.sent_at));
	} else {
		printf("poller: 1 vCPU, cross-vCPU wake-up not tested\n");
	}

	guest_check(evtchn_close(b) == 0 && evtchn_close(a) == 0 &&
			    evtchn_close(c) == 0 && evtchn_close(tp) == 0,
		    "closing the ports");
}
