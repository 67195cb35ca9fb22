/*
 * HYPERCALL_event_channel_op(cmd, arg): event channels, as Xen's.
 *
 * A port is a number 1 .. EVTCHN_PORTS - 1 local to a domain. Sending on
 * a port marks the other end pending in its domain's shared_info (and,
 * if that port is not masked, its vCPU's evtchn_upcall_pending), and
 * wakes that vCPU if it is blocked or polling. Every command takes a
 * pointer to its struct; fields marked out are written on success, and a
 * struct that is not writable is -KERR_EFAULT before anything is done.
 * Ports are allocated lowest free first, from 1. New ports notify vCPU 0.
 *
 * Errors: -KERR_EINVAL for a port number out of range or not in the
 * state the command needs, a bad virq or non-zero pad; -KERR_ENOENT for a
 * vCPU or domain that does not exist; -KERR_EEXIST for a virq already
 * bound on that vCPU (as Xen); -KERR_ENOSPC when no port is free.
 *
 *   EVTCHNOP_bind_virq      a virtual interrupt of one of our vCPUs
 *   EVTCHNOP_alloc_unbound  a port that domain remote_dom may bind to
 *   EVTCHNOP_bind_interdomain  connects to remote_dom's unbound port
 *   EVTCHNOP_send           notifies the other end (or, for a virq port,
 *                           the vCPU itself)
 *   EVTCHNOP_close          frees the port; an interdomain peer's end
 *                           becomes unbound again
 *   EVTCHNOP_mask, EVTCHNOP_unmask  set or clear the port's mask bit;
 *                           unmask re-raises the upcall if it is pending
 *   EVTCHNOP_bind_vcpu      which of our vCPUs gets the port's upcalls
 */
#ifndef KAIROS_PUBLIC_EVENT_CHANNEL_H
#define KAIROS_PUBLIC_EVENT_CHANNEL_H

#include <stdint.h>

#define EVTCHNOP_bind_virq	  0
#define EVTCHNOP_alloc_unbound	  1
#define EVTCHNOP_bind_interdomain 2
#define EVTCHNOP_send		  3
#define EVTCHNOP_close		  4
#define EVTCHNOP_mask		  5
#define EVTCHNOP_unmask		  6
#define EVTCHNOP_bind_vcpu	  7

/* Virtual interrupts. */
#define VIRQ_TIMER 0 /* the vCPU's single-shot and periodic timers */
#define NR_VIRQS   1

#define DOMID_SELF 0x7ff0u

struct evtchn_bind_virq {
	uint32_t virq; /* VIRQ_* */
	uint32_t vcpu; /* one vCPU per binding */
	uint32_t port; /* out */
};

struct evtchn_alloc_unbound {
	uint16_t remote_dom; /* a domain id, or DOMID_SELF */
	uint16_t pad;	     /* must be 0 */
	uint32_t port;	     /* out */
};

struct evtchn_bind_interdomain {
	uint16_t remote_dom;  /* a domain id, or DOMID_SELF */
	uint16_t pad;	      /* must be 0 */
	uint32_t remote_port; /* unbound, allocated for us */
	uint32_t local_port;  /* out */
};

struct evtchn_port_op { /* send, close, mask, unmask */
	uint32_t port;
};

struct evtchn_bind_vcpu {
	uint32_t port;
	uint32_t vcpu;
};

#endif /* KAIROS_PUBLIC_EVENT_CHANNEL_H */
