/*
 * Event channels (common/event_channel.c): the hypervisor side of
 * public/event_channel.h, and how the rest of the hypervisor raises
 * events for vCPUs.
 *
 * Locking: each domain's evtchn_lock guards its port table; an
 * interdomain binding changes under both ends' locks (lower domid
 * first), so either end's lock keeps the other end's domain alive.
 */
#ifndef KAIROS_EVENT_H
#define KAIROS_EVENT_H

#include <types.h>

struct domain;
struct vcpu;

/* Sets up d's port table; 0 or -ENOMEM. Before d runs. */
int evtchn_init(struct domain *d);

/* Closes every port of d (peers' ends become unbound) and frees them. */
void evtchn_destroy(struct domain *d);

/* Raises virq on v if a port is bound to it. Any context. */
void send_guest_vcpu_virq(struct vcpu *v, unsigned int virq);

/* The EVTCHNOP_* hypercall for the current vCPU. */
long do_event_channel_op(unsigned int cmd, u64 arg);

/*
 * True if v has an event the upcall should deliver now: pending and not
 * masked by evtchn_upcall_mask. Any context (a snapshot).
 */
bool vcpu_events_need_delivery(const struct vcpu *v);

/* True if port of v's domain is pending in its shared page. */
bool evtchn_port_pending(const struct vcpu *v, unsigned int port);

#endif /* KAIROS_EVENT_H */
