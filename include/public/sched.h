/*
 * Scheduling calls.
 *
 * HYPERCALL_set_timer_op(int64_t deadline_ns): sets the calling vCPU's
 * single-shot timer to the absolute system time deadline_ns (as
 * vcpu_time_info computes it); 0 stops it. A deadline already passed
 * fires at once. The timer sends VIRQ_TIMER (event_channel.h), never
 * before the deadline. Negative, or more than TIMER_MAX_HORIZON_NS ahead:
 * -KERR_EINVAL.
 *
 * HYPERCALL_sched_op(cmd, arg):
 *   SCHEDOP_yield     gives up the CPU to another runnable vCPU, if any.
 *   SCHEDOP_block     clears the vCPU's evtchn_upcall_mask and sleeps until
 *                     an event is pending for it (returns at once if one
 *                     already is); the upcall runs before the call returns.
 *   SCHEDOP_poll      arg -> struct sched_poll: sleeps until one of the
 *                     ports is pending (returns 0) or timeout_ns passes
 *                     (returns -KERR_ETIMEDOUT); does not unmask events.
 *   SCHEDOP_shutdown  arg -> struct sched_shutdown: stops the whole
 *                     domain with a reason; does not return.
 */
#ifndef KAIROS_PUBLIC_SCHED_H
#define KAIROS_PUBLIC_SCHED_H

#include <stdint.h>

#define TIMER_MAX_HORIZON_NS (365ll * 24 * 3600 * 1000000000ll)

#define SCHEDOP_yield	 0
#define SCHEDOP_block	 1
#define SCHEDOP_shutdown 2
#define SCHEDOP_poll	 3

/* At most this many ports per poll (more is -KERR_E2BIG). */
#define SCHED_POLL_MAX_PORTS 128

struct sched_poll {
	uint64_t ports;	   /* guest address of nr_ports uint32_t port numbers */
	uint32_t nr_ports; /* 1 .. SCHED_POLL_MAX_PORTS */
	uint32_t pad;	   /* must be 0 */
	int64_t timeout_ns; /* absolute system time; 0 = no timeout */
};

/* Shutdown reasons (as Xen's); anything else is -KERR_EINVAL. */
#define SHUTDOWN_poweroff 0 /* finished normally */
#define SHUTDOWN_reboot	  1 /* asks to be restarted (logged; not restarted) */
#define SHUTDOWN_suspend  2 /* reserved: treated as poweroff */
#define SHUTDOWN_crash	  3 /* the guest found itself broken */
#define SHUTDOWN_MAX	  3

struct sched_shutdown {
	uint32_t reason; /* SHUTDOWN_* */
	uint32_t code;	 /* free-form exit code shown in the log */
};

#endif /* KAIROS_PUBLIC_SCHED_H */
