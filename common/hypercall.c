/*
 * The hypercalls (public/abi.h and its siblings). Every argument is
 * checked here or by the operation it reaches: numbers against their
 * ranges, times against the horizon, guest pointers by the copy
 * routines (uaccess.h), which fail with -EFAULT instead of faulting. A
 * bad argument is the guest's problem, never the hypervisor's.
 */
#include <console.h>
#include <domain.h>
#include <errno.h>
#include <event.h>
#include <guest_console.h>
#include <hypercall.h>
#include <printk.h>
#include <public/abi.h>
#include <public/console.h>
#include <public/domain.h>
#include <public/sched.h>
#include <public/vcpu.h>
#include <sched.h>
#include <string.h>
#include <systime.h>
#include <trace.h>
#include <uaccess.h>

BUILD_BUG_ON(KERR_EPERM != EPERM || KERR_ENOENT != ENOENT ||
	     KERR_E2BIG != E2BIG || KERR_ENOMEM != ENOMEM ||
	     KERR_EFAULT != EFAULT || KERR_EBUSY != EBUSY ||
	     KERR_EEXIST != EEXIST || KERR_EINVAL != EINVAL ||
	     KERR_ENOSPC != ENOSPC || KERR_ENOSYS != ENOSYS ||
	     KERR_ETIME != ETIME || KERR_ETIMEDOUT != ETIMEDOUT);

static u64 hypercall_counts[NR_HYPERCALLS + 1]; /* last: unknown */

u64 hypercall_count(unsigned int nr)
{
	return hypercall_counts[min(nr, (unsigned int)NR_HYPERCALLS)];
}

/* A deadline a guest may ask for: not negative, not absurdly far. */
static bool deadline_ok(s64 t)
{
	return t >= 0 && t - NOW() <= TIMER_MAX_HORIZON_NS;
}

/* ------------------------------------------------------------------ */
/* Console                                                             */

static long do_console_io(u64 cmd, u64 count, u64 buf)
{
	char chunk[CONSOLEIO_WRITE_MAX];

	if (cmd != CONSOLEIO_write)
		return -ENOSYS;
	if (count > CONSOLEIO_WRITE_MAX)
		return -E2BIG;
	if (copy_from_guest(chunk, buf, count))
		return -EFAULT;
	return guest_console_write(current, chunk, count);
}

/* ------------------------------------------------------------------ */
/* Timers and scheduling                                               */

static long do_set_timer_op(s64 deadline)
{
	struct vcpu *v = current;

	if (deadline == 0) {
		vcpu_stop_singleshot_timer(v);
		return 0;
	}
	if (!deadline_ok(deadline))
		return -EINVAL;
	vcpu_set_singleshot_timer(v, deadline);
	return 0;
}

static long do_vcpu_op(u64 cmd, u64 vcpuid, u64 arg)
{
	struct vcpu *v = current;
	struct domain *d = v->domain;

	if (vcpuid >= d->nr_vcpus)
		return -ENOENT;
	if (cmd <= VCPUOP_stop_singleshot_timer && vcpuid != v->vcpu_id)
		return -EPERM;
	switch (cmd) {
	case VCPUOP_set_periodic_timer: {
		struct vcpu_set_periodic_timer op;

		if (copy_from_guest(&op, arg, sizeof(op)))
			return -EFAULT;
		if (op.period_ns < (u64)VCPU_PERIODIC_MIN_NS ||
		    op.period_ns > (u64)TIMER_MAX_HORIZON_NS)
			return -EINVAL;
		vcpu_set_periodic_timer(v, op.period_ns);
		return 0;
	}
	case VCPUOP_stop_periodic_timer:
		vcpu_set_periodic_timer(v, 0);
		return 0;
	case VCPUOP_set_singleshot_timer: {
		struct vcpu_set_singleshot_timer op;

		if (copy_from_guest(&op, arg, sizeof(op)))
			return -EFAULT;
		if (op.pad || (op.flags & ~VCPU_SSHOTTMR_future) ||
		    op.timeout_abs_ns == 0 ||
		    !deadline_ok((s64)op.timeout_abs_ns))
			return -EINVAL;
		if ((op.flags & VCPU_SSHOTTMR_future) &&
		    (s64)op.timeout_abs_ns < NOW())
			return -ETIME;
		vcpu_set_singleshot_timer(v, op.timeout_abs_ns);
		return 0;
	}
	case VCPUOP_stop_singleshot_timer:
		vcpu_stop_singleshot_timer(v);
		return 0;
	case VCPUOP_get_runstate: {
		struct vcpu_runstate_info info;

		vcpu_get_runstate(d->vcpus[vcpuid], &info);
		return copy_to_guest(arg, &info, sizeof(info)) ? -EFAULT : 0;
	}
	case VCPUOP_get_time:
		return NOW();
	default:
		return -ENOSYS;
	}
}

static long sched_poll(u64 arg)
{
	unsigned long ports[EVTCHN_WORDS] = {0};
	u32 list[SCHED_POLL_MAX_PORTS];
	struct sched_poll op;
	unsigned int i;

	if (copy_from_guest(&op, arg, sizeof(op)))
		return -EFAULT;
	if (op.pad || op.nr_ports == 0)
		return -EINVAL;
	if (op.nr_ports > SCHED_POLL_MAX_PORTS)
		return -E2BIG;
	if (op.timeout_ns && !deadline_ok(op.timeout_ns))
		return -EINVAL;
	if (copy_from_guest(list, op.ports, op.nr_ports * sizeof(list[0])))
		return -EFAULT;
	for (i = 0; i < op.nr_ports; i++) {
		if (list[i] == 0 || list[i] >= EVTCHN_PORTS)
			return -EINVAL;
		__set_bit(list[i], ports);
	}
	/* Blocked: the result (0 or -ETIMEDOUT) is set on resume. */
	vcpu_poll(ports, op.timeout_ns);
	return 0;
}

static long do_sched_op(u64 cmd, u64 arg)
{
	struct vcpu *v = current;

	switch (cmd) {
	case SCHEDOP_yield:
		vcpu_yield();
		return 0;
	case SCHEDOP_block:
		/* As Xen: events on, so the wake-up's upcall can run. */
		WRITE_ONCE(v->vcpu_info->evtchn_upcall_mask, 0);
		vcpu_block();
		return 0;
	case SCHEDOP_poll:
		return sched_poll(arg);
	case SCHEDOP_shutdown: {
		struct sched_shutdown op;

		if (copy_from_guest(&op, arg, sizeof(op)))
			return -EFAULT;
		if (op.reason > SHUTDOWN_MAX)
			return -EINVAL;
		domain_shutdown(v->domain, op.reason, op.code);
		return 0;
	}
	default:
		return -ENOSYS;
	}
}

/* ------------------------------------------------------------------ */
/* Callbacks and domains                                               */

static long do_set_callbacks(u64 entry)
{
	if (entry >= GUEST_VADDR_END)
		return -EINVAL;
	current->upcall_entry = entry;
	return 0;
}

static long do_domain_op(u64 cmd, u64 arg)
{
	struct domain_lookup op;
	struct domain *d;

	if (cmd != DOMOP_lookup)
		return -ENOSYS;
	if (copy_from_guest(&op, arg, sizeof(op)))
		return -EFAULT;
	if (op.pad[0] || op.pad[1] || op.pad[2] ||
	    strnlen(op.name, sizeof(op.name)) == sizeof(op.name))
		return -EINVAL;
	d = get_domain_by_name(op.name);
	if (!d)
		return -ENOENT;
	op.domid = d->domid;
	put_domain(d);
	return copy_to_guest(arg, &op, sizeof(op)) ? -EFAULT : 0;
}

/* ------------------------------------------------------------------ */
/* Dispatch                                                            */

long do_hypercall(u64 nr, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5)
{
	struct vcpu *v = current;
	long rc;

	hypercall_counts[min(nr, (u64)NR_HYPERCALLS)]++;
	trace(TRACE_CLASS_GUEST, TRACE_HYPERCALL_ENTRY, (u32)min(nr, (u64)~0U),
	      trace_vcpu_id(v), a1);
	switch (nr) {
	case HYPERCALL_version:
		rc = KAIROS_ABI_VERSION;
		break;
	case HYPERCALL_console_io:
		rc = do_console_io(a1, a2, a3);
		break;
	case HYPERCALL_set_timer_op:
		rc = do_set_timer_op((s64)a1);
		break;
	case HYPERCALL_vcpu_op:
		rc = do_vcpu_op(a1, a2, a3);
		break;
	case HYPERCALL_sched_op:
		rc = do_sched_op(a1, a2);
		break;
	case HYPERCALL_event_channel_op:
		rc = a1 > 0xffffffffUL ? -ENOSYS : do_event_channel_op(a1, a2);
		break;
	case HYPERCALL_set_callbacks:
		rc = do_set_callbacks(a1);
		break;
	case HYPERCALL_domain_op:
		rc = do_domain_op(a1, a2);
		break;
	default:
		rc = -ENOSYS;
	}
	(void)a4;
	(void)a5;
	trace(TRACE_CLASS_GUEST, TRACE_HYPERCALL_EXIT, (u32)min(nr, (u64)~0U),
	      rc, 0);
	return rc;
}
