/*
 * HYPERCALL_vcpu_op(cmd, vcpuid, arg): per-vCPU timers and information.
 * Timer commands act on the calling vCPU only (another vcpuid is
 * -KERR_EPERM); VCPUOP_get_runstate and VCPUOP_get_time accept any vCPU
 * of the calling domain.
 *
 *   VCPUOP_set_periodic_timer   arg -> struct vcpu_set_periodic_timer: a
 *       VIRQ_TIMER every period_ns (at least VCPU_PERIODIC_MIN_NS) while
 *       the vCPU runs; missed periods give one event, not a burst.
 *   VCPUOP_stop_periodic_timer  no arg.
 *   VCPUOP_set_singleshot_timer arg -> struct vcpu_set_singleshot_timer;
 *       with VCPU_SSHOTTMR_future a deadline already passed is
 *       -KERR_ETIME instead of firing at once.
 *   VCPUOP_stop_singleshot_timer no arg.
 *   VCPUOP_get_runstate         arg -> struct vcpu_runstate_info (written).
 *   VCPUOP_get_time             returns the current system time in ns.
 */
#ifndef KAIROS_PUBLIC_VCPU_H
#define KAIROS_PUBLIC_VCPU_H

#include <stdint.h>

#define VCPUOP_set_periodic_timer    0
#define VCPUOP_stop_periodic_timer   1
#define VCPUOP_set_singleshot_timer  2
#define VCPUOP_stop_singleshot_timer 3
#define VCPUOP_get_runstate	     4
#define VCPUOP_get_time		     5

#define VCPU_PERIODIC_MIN_NS 100000ll /* 100 us */

struct vcpu_set_periodic_timer {
	uint64_t period_ns;
};

struct vcpu_set_singleshot_timer {
	uint64_t timeout_abs_ns; /* absolute system time */
	uint32_t flags;		 /* VCPU_SSHOTTMR_* */
	uint32_t pad;		 /* must be 0 */
};
#define VCPU_SSHOTTMR_future 0x1

/* Run states, as Xen's. */
#define RUNSTATE_running  0 /* on a CPU */
#define RUNSTATE_runnable 1 /* waiting for a CPU */
#define RUNSTATE_blocked  2 /* waiting for an event */
#define RUNSTATE_offline  3 /* not started, or its domain is gone */

struct vcpu_runstate_info {
	uint32_t state; /* RUNSTATE_* now */
	uint32_t pad;
	uint64_t state_entry_time; /* system time it entered that state */
	uint64_t time[4];	   /* ns spent in each state so far */
};

#endif /* KAIROS_PUBLIC_VCPU_H */
