/*
 * Event channels, after Xen's common/event_channel.c: per-domain ports
 * that are unbound (waiting for a named remote domain), interdomain
 * (connected to a port of another domain, or of the same one) or bound
 * to a virtual interrupt of one vCPU. Sending marks the other end
 * pending in its domain's shared page and kicks the vCPU it notifies.
 */
#include <domain.h>
#include <errno.h>
#include <event.h>
#include <public/event_channel.h>
#include <sched.h>
#include <smp.h>
#include <string.h>
#include <trace.h>
#include <uaccess.h>
#include <xmalloc.h>

enum evtchn_state {
	ECS_FREE,
	ECS_UNBOUND,	 /* waiting for remote_domid to bind */
	ECS_INTERDOMAIN, /* connected */
	ECS_VIRQ,	 /* a virtual interrupt */
};

struct evtchn {
	u8 state;	       /* enum evtchn_state */
	u16 notify_vcpu;       /* who gets the upcall */
	u16 remote_domid;      /* ECS_UNBOUND */
	u32 virq;	       /* ECS_VIRQ */
	struct domain *remote; /* ECS_INTERDOMAIN */
	u32 remote_port;       /* ECS_INTERDOMAIN */
};

static bool port_is_valid(unsigned int port)
{
	return port > 0 && port < EVTCHN_PORTS;
}

int evtchn_init(struct domain *d)
{
	d->evtchn = xzalloc_bytes(sizeof(struct evtchn) * EVTCHN_PORTS);
	return d->evtchn ? 0 : -ENOMEM;
}

/* ------------------------------------------------------------------ */
/* Raising events                                                      */

/* Makes v notice a pending event: wake it if it blocked, or IPI it. */
static void vcpu_kick(struct vcpu *v)
{
	bool running = READ_ONCE(v->is_running);

	smp_mb(); /* pending before the look at the blocked flag */
	if (!READ_ONCE(v->polling) &&
	    test_and_clear_bit(VPF_BLOCKED, &v->pause_flags))
		vcpu_wake(v);
	else if (running && v->processor != smp_processor_id())
		smp_send_event_check_cpu(v->processor);
}

/* Marks port pending in d and tells the vCPU it notifies. */
static void evtchn_set_pending(struct domain *d, unsigned int port,
			       unsigned int vcpu_id)
{
	struct shared_info *si = d->shared_info;
	struct vcpu *v;

	if (vcpu_id >= d->nr_vcpus)
		return;
	v = d->vcpus[vcpu_id];
	if (test_and_set_bit(port, (unsigned long *)si->evtchn_pending))
		return;
	if (!test_bit(port, (unsigned long *)si->evtchn_mask) &&
	    !test_and_set_bit(
		    port / 64,
		    (unsigned long *)&v->vcpu_info->evtchn_pending_sel)) {
		WRITE_ONCE(v->vcpu_info->evtchn_upcall_pending, 1);
		vcpu_kick(v);
	}
	vcpu_poll_check(v, port);
}

void send_guest_vcpu_virq(struct vcpu *v, unsigned int virq)
{
	struct domain *d = v->domain;
	unsigned long flags;
	u32 port;

	ASSERT(virq < NR_VIRQS);
	flags = spin_lock_irqsave(&d->evtchn_lock);
	port = v->virq_to_port[virq];
	if (port && d->evtchn)
		evtchn_set_pending(d, port, v->vcpu_id);
	spin_unlock_irqrestore(&d->evtchn_lock, flags);
}

bool vcpu_events_need_delivery(const struct vcpu *v)
{
	return READ_ONCE(v->vcpu_info->evtchn_upcall_pending) &&
	       !READ_ONCE(v->vcpu_info->evtchn_upcall_mask);
}

bool evtchn_port_pending(const struct vcpu *v, unsigned int port)
{
	return port_is_valid(port) &&
	       test_bit(
		       port,
		       (unsigned long *)v->domain->shared_info->evtchn_pending);
}

/* ------------------------------------------------------------------ */
/* Port operations                                                     */

/* The lowest free port of d, or -ENOSPC. d's lock held. */
static int get_free_port(struct domain *d)
{
	unsigned int port;

	for (port = 1; port < EVTCHN_PORTS; port++)
		if (d->evtchn[port].state == ECS_FREE)
			return port;
	return -ENOSPC;
}

/* Locks two domains' port tables in a fixed order (one if the same). */
static void double_evtchn_lock(struct domain *a, struct domain *b,
			       unsigned long *flags)
{
	*flags = spin_lock_irqsave(a < b ? &a->evtchn_lock : &b->evtchn_lock);
	if (a != b)
		spin_lock(a < b ? &b->evtchn_lock : &a->evtchn_lock);
}

static void double_evtchn_unlock(struct domain *a, struct domain *b,
				 unsigned long flags)
{
	if (a != b)
		spin_unlock(a < b ? &b->evtchn_lock : &a->evtchn_lock);
	spin_unlock_irqrestore(a < b ? &a->evtchn_lock : &b->evtchn_lock,
			       flags);
}

/* Clears a freed port's bits so a later user starts clean. */
static void reset_port(struct domain *d, unsigned int port)
{
	memset(&d->evtchn[port], 0, sizeof(d->evtchn[port]));
	clear_bit(port, (unsigned long *)d->shared_info->evtchn_pending);
}

static long bind_virq(struct domain *d, struct evtchn_bind_virq *op)
{
	struct vcpu *v;
	unsigned long flags;
	int port;

	if (op->virq >= NR_VIRQS)
		return -EINVAL;
	if (op->vcpu >= d->nr_vcpus)
		return -ENOENT;
	v = d->vcpus[op->vcpu];
	flags = spin_lock_irqsave(&d->evtchn_lock);
	if (v->virq_to_port[op->virq]) {
		spin_unlock_irqrestore(&d->evtchn_lock, flags);
		return -EEXIST;
	}
	port = get_free_port(d);
	if (port > 0) {
		d->evtchn[port].state = ECS_VIRQ;
		d->evtchn[port].virq = op->virq;
		d->evtchn[port].notify_vcpu = op->vcpu;
		v->virq_to_port[op->virq] = port;
		op->port = port;
	}
	spin_unlock_irqrestore(&d->evtchn_lock, flags);
	return port < 0 ? port : 0;
}

static long alloc_unbound(struct domain *d, struct evtchn_alloc_unbound *op)
{
	struct domain *rd;
	unsigned long flags;
	int port;

	if (op->pad)
		return -EINVAL;
	rd = get_domain_by_id(op->remote_dom);
	if (!rd)
		return -ENOENT;
	flags = spin_lock_irqsave(&d->evtchn_lock);
	port = get_free_port(d);
	if (port > 0) {
		d->evtchn[port].state = ECS_UNBOUND;
		d->evtchn[port].remote_domid = rd->domid;
		op->port = port;
	}
	spin_unlock_irqrestore(&d->evtchn_lock, flags);
	put_domain(rd);
	return port < 0 ? port : 0;
}

static long bind_interdomain(struct domain *d,
			     struct evtchn_bind_interdomain *op)
{
	struct domain *rd;
	struct evtchn *rchn;
	unsigned long flags;
	long rc = 0;
	int port;

	if (op->pad)
		return -EINVAL;
	if (!port_is_valid(op->remote_port))
		return -EINVAL;
	rd = get_domain_by_id(op->remote_dom);
	if (!rd)
		return -ENOENT;
	double_evtchn_lock(d, rd, &flags);
	rchn = &rd->evtchn[op->remote_port];
	if (rd->is_dead || !rd->evtchn)
		rc = -ENOENT;
	else if (rchn->state != ECS_UNBOUND || rchn->remote_domid != d->domid)
		rc = -EINVAL;
	else if ((port = get_free_port(d)) < 0)
		rc = port;
	if (!rc) {
		d->evtchn[port] =
			(struct evtchn){.state = ECS_INTERDOMAIN,
					.remote = rd,
					.remote_port = op->remote_port};
		rchn->state = ECS_INTERDOMAIN;
		rchn->remote = d;
		rchn->remote_port = port;
		op->local_port = port;
	}
	double_evtchn_unlock(d, rd, flags);
	put_domain(rd);
	return rc;
}

static long evtchn_send(struct domain *d, unsigned int port)
{
	struct evtchn *chn;
	unsigned long flags;
	long rc = 0;

	if (!port_is_valid(port))
		return -EINVAL;
	flags = spin_lock_irqsave(&d->evtchn_lock);
	chn = &d->evtchn[port];
	switch (chn->state) {
	case ECS_INTERDOMAIN: {
		/* Our lock keeps the binding, hence the remote, alive. */
		struct domain *rd = chn->remote;
		struct evtchn *rchn = &rd->evtchn[chn->remote_port];

		evtchn_set_pending(rd, chn->remote_port, rchn->notify_vcpu);
		break;
	}
	case ECS_VIRQ:
		evtchn_set_pending(d, port, chn->notify_vcpu);
		break;
	case ECS_UNBOUND:
		break; /* nobody listens yet: dropped, as Xen does */
	default:
		rc = -EINVAL;
	}
	spin_unlock_irqrestore(&d->evtchn_lock, flags);
	return rc;
}

/* Closes port of d; both locks of an interdomain pair are taken. */
static long evtchn_close(struct domain *d, unsigned int port)
{
	struct evtchn *chn;
	struct domain *rd = NULL;
	unsigned long flags;
	long rc = 0;

	if (!port_is_valid(port))
		return -EINVAL;
again:
	flags = spin_lock_irqsave(&d->evtchn_lock);
	chn = &d->evtchn[port];
	if (chn->state == ECS_INTERDOMAIN && !rd) {
		/* Take the remote's lock too, in order; then look again. */
		rd = chn->remote;
		atomic_inc(&rd->refcnt);
		spin_unlock_irqrestore(&d->evtchn_lock, flags);
		double_evtchn_lock(d, rd, &flags);
		chn = &d->evtchn[port];
		if (chn->state != ECS_INTERDOMAIN || chn->remote != rd) {
			double_evtchn_unlock(d, rd, flags);
			put_domain(rd);
			rd = NULL;
			goto again;
		}
	}
	switch (chn->state) {
	case ECS_FREE:
		rc = -EINVAL;
		break;
	case ECS_VIRQ:
		d->vcpus[chn->notify_vcpu]->virq_to_port[chn->virq] = 0;
		reset_port(d, port);
		break;
	case ECS_UNBOUND:
		reset_port(d, port);
		break;
	case ECS_INTERDOMAIN: {
		struct evtchn *rchn = &rd->evtchn[chn->remote_port];

		/* The other end waits for us again, as in Xen. */
		rchn->state = ECS_UNBOUND;
		rchn->remote = NULL;
		rchn->remote_domid = d->domid;
		reset_port(d, port);
		break;
	}
	}
	if (rd) {
		double_evtchn_unlock(d, rd, flags);
		put_domain(rd);
	} else {
		spin_unlock_irqrestore(&d->evtchn_lock, flags);
	}
	return rc;
}

static long evtchn_mask(struct domain *d, unsigned int port, bool mask)
{
	struct shared_info *si = d->shared_info;
	unsigned long flags;
	unsigned int vcpu_id;

	if (!port_is_valid(port))
		return -EINVAL;
	flags = spin_lock_irqsave(&d->evtchn_lock);
	if (d->evtchn[port].state == ECS_FREE) {
		spin_unlock_irqrestore(&d->evtchn_lock, flags);
		return -EINVAL;
	}
	vcpu_id = d->evtchn[port].notify_vcpu;
	if (mask) {
		set_bit(port, (unsigned long *)si->evtchn_mask);
	} else if (test_and_clear_bit(port, (unsigned long *)si->evtchn_mask) &&
		   test_bit(port, (unsigned long *)si->evtchn_pending)) {
		/* Pending while masked: raise the upcall now. */
		struct vcpu *v = d->vcpus[vcpu_id];

		if (!test_and_set_bit(port / 64,
				      (unsigned long *)&v->vcpu_info
					      ->evtchn_pending_sel)) {
			WRITE_ONCE(v->vcpu_info->evtchn_upcall_pending, 1);
			vcpu_kick(v);
		}
	}
	spin_unlock_irqrestore(&d->evtchn_lock, flags);
	return 0;
}

static long bind_vcpu(struct domain *d, const struct evtchn_bind_vcpu *op)
{
	unsigned long flags;
	long rc = 0;

	if (!port_is_valid(op->port))
		return -EINVAL;
	if (op->vcpu >= d->nr_vcpus)
		return -ENOENT;
	flags = spin_lock_irqsave(&d->evtchn_lock);
	switch (d->evtchn[op->port].state) {
	case ECS_UNBOUND:
	case ECS_INTERDOMAIN:
		d->evtchn[op->port].notify_vcpu = op->vcpu;
		break;
	default: /* a virq belongs to the vCPU it was bound for */
		rc = -EINVAL;
	}
	spin_unlock_irqrestore(&d->evtchn_lock, flags);
	return rc;
}

void evtchn_destroy(struct domain *d)
{
	unsigned int port;

	if (!d->evtchn)
		return;
	for (port = 1; port < EVTCHN_PORTS; port++)
		if (d->evtchn[port].state != ECS_FREE)
			evtchn_close(d, port);
	xfree(d->evtchn);
	d->evtchn = NULL;
}

/* ------------------------------------------------------------------ */
/* The hypercall                                                       */

/*
 * Copies the argument in, runs op, copies it back out if asked to. An
 * argument that cannot be written back is refused before op runs (by
 * writing it back unchanged first), so a port is never bound without
 * the guest learning its number.
 */
#define EVTCHN_OP(type, arg, call, out)                                       \
	({                                                                    \
		type op_;                                                     \
		long rc_;                                                     \
		if (copy_from_guest(&op_, (arg), sizeof(op_)) ||              \
		    ((out) && copy_to_guest((arg), &op_, sizeof(op_))))       \
			return -EFAULT;                                       \
		rc_ = call(d, &op_);                                          \
		if (!rc_ && (out) && copy_to_guest((arg), &op_, sizeof(op_))) \
			rc_ = -EFAULT;                                        \
		rc_;                                                          \
	})

static long port_op(u64 arg, u32 *port)
{
	struct evtchn_port_op op;

	if (copy_from_guest(&op, arg, sizeof(op)))
		return -EFAULT;
	*port = op.port;
	return 0;
}

long do_event_channel_op(unsigned int cmd, u64 arg)
{
	struct domain *d = current->domain;
	u32 port;

	switch (cmd) {
	case EVTCHNOP_bind_virq:
		return EVTCHN_OP(struct evtchn_bind_virq, arg, bind_virq, true);
	case EVTCHNOP_alloc_unbound:
		return EVTCHN_OP(struct evtchn_alloc_unbound, arg,
				 alloc_unbound, true);
	case EVTCHNOP_bind_interdomain:
		return EVTCHN_OP(struct evtchn_bind_interdomain, arg,
				 bind_interdomain, true);
	case EVTCHNOP_bind_vcpu:
		return EVTCHN_OP(struct evtchn_bind_vcpu, arg, bind_vcpu,
				 false);
	case EVTCHNOP_send:
		return port_op(arg, &port) ?: evtchn_send(d, port);
	case EVTCHNOP_close:
		return port_op(arg, &port) ?: evtchn_close(d, port);
	case EVTCHNOP_mask:
		return port_op(arg, &port) ?: evtchn_mask(d, port, true);
	case EVTCHNOP_unmask:
		return port_op(arg, &port) ?: evtchn_mask(d, port, false);
	default:
		return -ENOSYS;
	}
}
