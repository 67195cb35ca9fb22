/*
 * pong: the passive end of the ping/pong event-channel test between two
 * domains (guests/ping.c is the other end).
 *
 * Args: peer=<domain name> (default "ping"), rounds=<n> (default 1000,
 * give both ends the same), timeout=<time> for the whole run (default
 * 60s).
 *
 * Rendezvous (there is no directory service, only DOMOP_lookup):
 *  1. pong looks up the peer's domain id by name, yielding between tries
 *     until it exists (both domains start at boot, in any order);
 *  2. pong's FIRST port allocation, before it binds anything else, is
 *     EVTCHNOP_alloc_unbound(remote_dom = peer). Ports are allocated
 *     lowest free first, as Xen does, so this is port 1 (PONG_PORT): the
 *     port number ping binds to. pong checks that it got port 1;
 *  3. ping retries EVTCHNOP_bind_interdomain(pong, PONG_PORT) until pong
 *     has allocated it.
 * Then every event pong receives it answers at once from its handler,
 * and after rounds events it powers off.
 */
#include <guest.h>

#define PONG_PORT 1

struct pong {
	uint32_t port;
	unsigned int rounds;
	volatile unsigned int received;
	volatile int done;
};

static void on_ping(uint32_t port, void *arg)
{
	struct pong *p = arg;
	long ret = evtchn_send(port);

	if (ret < 0)
		guest_fail("pong: EVTCHNOP_send: %ld", ret);
	p->received = p->received + 1;
	if (p->received >= p->rounds)
		p->done = 1;
}

void guest_vcpu_main(unsigned int vcpu)
{
	static struct pong p;
	const char *peer = guest_arg("peer");
	int64_t timeout = guest_arg_ns("timeout", 60 * NSEC_PER_SEC);
	int64_t start = guest_now(), deadline = start + timeout;
	uint16_t peer_dom = 0;
	long ret;

	if (vcpu != 0)
		return;
	if (!peer || !*peer)
		peer = "ping";
	p.rounds = (unsigned int)guest_arg_u64("rounds", 1000);
	if (!p.rounds)
		guest_panic("rounds= must be at least 1");

	while ((ret = hc_domain_lookup(peer, &peer_dom)) < 0) {
		if (ret != -KERR_ENOENT || guest_now() >= deadline)
			guest_panic("pong: DOMOP_lookup(%s): %ld", peer, ret);
		guest_yield();
	}
	printf("pong: peer %s is domain %u\n", peer, peer_dom);

	ret = evtchn_alloc_unbound(peer_dom, on_ping, &p);
	if (ret < 0)
		guest_panic("pong: EVTCHNOP_alloc_unbound: %ld", ret);
	p.port = (uint32_t)ret;
	if (!guest_check(p.port == PONG_PORT,
			 "pong: first allocated port is %u (got %u)", PONG_PORT,
			 p.port))
		guest_exit(SHUTDOWN_crash, 1);

	guest_events_enable();
	ret = guest_wait_flag(&p.done, deadline);
	guest_check(ret == 0, "pong: answered %u of %u pings", p.received,
		    p.rounds);
}
