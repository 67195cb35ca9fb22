/*
 * ping: the active end of the ping/pong event-channel test (the
 * rendezvous is described in guests/pong.c).
 *
 * Args: peer=<domain name> (default "pong"), rounds=<n> (default 1000),
 * mode=upcall|poll (default upcall), timeout=<time> to find and bind to
 * the peer (default 10s), round_timeout=<time> for one round trip
 * (default 1s, at most 60s).
 *
 * Finds pong with DOMOP_lookup, then retries
 * EVTCHNOP_bind_interdomain(pong, 1) until pong has allocated the port.
 * Each round sends on the port and waits for the answer: with
 * mode=upcall in the event handler (SCHEDOP_block), with mode=poll by
 * SCHEDOP_poll on the port with events masked. A round that takes more
 * than round_timeout fails. Reports round-trip min/median/p99/max.
 */
#include <guest.h>

#define PONG_PORT	  1
#define ROUND_TIMEOUT_MAX (60 * NSEC_PER_SEC)

struct ping {
	volatile int got;
	volatile int64_t when;
};

static void on_pong(uint32_t port, void *arg)
{
	struct ping *p = arg;

	p->when = guest_now();
	p->got = 1;
}

void guest_vcpu_main(unsigned int vcpu)
{
	static struct ping p;
	const char *peer = guest_arg("peer");
	const char *mode = guest_arg("mode");
	uint64_t rounds = guest_arg_u64("rounds", 1000);
	int64_t timeout = guest_arg_ns("timeout", 10 * NSEC_PER_SEC);
	int64_t round_timeout = guest_arg_ns("round_timeout", NSEC_PER_SEC);
	int64_t deadline = guest_now() + timeout, *rtt;
	bool poll_mode;
	uint16_t peer_dom = 0;
	uint32_t port;
	unsigned int i, done = 0;
	long ret;

	if (vcpu != 0)
		return;
	if (!peer || !*peer)
		peer = "pong";
	if (!mode || !strcmp(mode, "upcall"))
		poll_mode = false;
	else if (!strcmp(mode, "poll"))
		poll_mode = true;
	else
		guest_panic("mode=%s: expected upcall or poll", mode);
	if (!rounds || rounds > 1000000)
		guest_panic("rounds=%llu: expected 1 to 1000000",
			    (unsigned long long)rounds);
	if (round_timeout <= 0 || round_timeout > ROUND_TIMEOUT_MAX)
		guest_panic(
			"round_timeout=%s: expected more than 0 and at most "
			"60s",
			guest_arg("round_timeout"));
	rtt = guest_alloc(rounds * sizeof(int64_t), 8);
	if (!rtt)
		guest_panic("no heap for %llu samples",
			    (unsigned long long)rounds);

	while ((ret = hc_domain_lookup(peer, &peer_dom)) < 0) {
		if (ret != -KERR_ENOENT || guest_now() >= deadline)
			guest_panic("ping: DOMOP_lookup(%s): %ld", peer, ret);
		guest_yield();
	}
	printf("ping: peer %s is domain %u\n", peer, peer_dom);

	while ((ret = evtchn_bind_interdomain(peer_dom, PONG_PORT, on_pong,
					      &p)) < 0) {
		if (guest_now() >= deadline)
			guest_panic("ping: EVTCHNOP_bind_interdomain(%u, %u): "
				    "%ld",
				    peer_dom, PONG_PORT, ret);
		guest_yield();
	}
	port = (uint32_t)ret;
	printf("ping: bound local port %u to %s port %u, %llu rounds (%s)\n",
	       port, peer, PONG_PORT, (unsigned long long)rounds,
	       poll_mode ? "poll" : "upcall");
	if (!poll_mode)
		guest_events_enable();

	for (i = 0; i < rounds; i++) {
		int64_t t0 = guest_now();

		p.got = 0;
		ret = evtchn_send(port);
		if (ret < 0) {
			guest_fail("ping: EVTCHNOP_send round %u: %ld", i, ret);
			break;
		}
		if (poll_mode) {
			/* Woken without our bit set: poll again. */
			do {
				ret = guest_poll(&port, 1, t0 + round_timeout);
			} while (ret == 0 && !evtchn_test_and_clear(port));
			p.when = guest_now();
		} else {
			ret = guest_wait_flag(&p.got, t0 + round_timeout);
		}
		if (ret < 0) {
			guest_fail("ping: no answer to round %u: %ld", i, ret);
			break;
		}
		rtt[i] = p.when - t0;
		done++;
	}
	guest_check(done == rounds, "ping: %u of %llu round trips", done,
		    (unsigned long long)rounds);
	guest_stats_print("ping round trip", rtt, done);
}
