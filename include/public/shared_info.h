/*
 * The shared-info page: event channel bits and per-vCPU records the
 * hypervisor and the guest both write, and the time records only the
 * hypervisor writes. Mapped read-write (never executable) at
 * GUEST_SHARED_INFO_VADDR. The hypervisor never trusts what it reads
 * here: a guest that scribbles on the page only confuses itself.
 */
#ifndef KAIROS_PUBLIC_SHARED_INFO_H
#define KAIROS_PUBLIC_SHARED_INFO_H

#include <stdint.h>

#define SHARED_INFO_MAX_VCPUS 64
#define EVTCHN_PORTS	      1024 /* ports 1 .. EVTCHN_PORTS - 1; 0 is never valid */
#define EVTCHN_WORDS	      (EVTCHN_PORTS / 64)

/*
 * System time for this vCPU, as Xen's vcpu_time_info: at the instant the
 * TSC read tsc_timestamp, system time was system_time (ns since boot);
 * from there, with d = (int64_t)(rdtsc() - tsc_timestamp),
 *
 *   now = system_time + sign(d) * ((|d| * tsc_to_system_mul) >> tsc_shift)
 *
 * with a 128-bit product (tsc_shift may be 64 or more). This is exactly
 * the hypervisor's own NOW(), so a timer the guest set for deadline T
 * fires when the guest's now is at least T. d is signed because the
 * record may have been stamped on another CPU whose TSC was a few cycles
 * ahead. version is odd
 * while the hypervisor rewrites the record: read version, then the
 * fields, then version again, and retry if it was odd or has changed.
 * If TIME_INFO_TSC_UNRELIABLE is set the TSC does not keep system time on
 * this machine; use VCPUOP_get_time (vcpu.h) instead.
 */
struct vcpu_time_info {
	uint32_t version;
	uint8_t tsc_shift;
	uint8_t flags;
	uint16_t pad;
	uint64_t tsc_timestamp;
	int64_t system_time;
	uint64_t tsc_to_system_mul;
};
#define TIME_INFO_TSC_UNRELIABLE 0x01

/*
 * Per-vCPU event state. When the hypervisor marks an event pending for a
 * vCPU it sets the port's bit in evtchn_pending, its word's bit in
 * evtchn_pending_sel and evtchn_upcall_pending; if evtchn_upcall_mask is
 * clear it then enters the upcall (below) before the vCPU runs guest code
 * again, setting evtchn_upcall_mask on the way. The guest clears
 * evtchn_upcall_pending and the selector bits it handles, and clears
 * evtchn_upcall_mask when it can take the next upcall.
 */
struct vcpu_info {
	uint8_t evtchn_upcall_pending;
	uint8_t evtchn_upcall_mask;
	uint8_t pad[6];
	uint64_t evtchn_pending_sel; /* bit w: a port in word w is pending */
	struct vcpu_time_info time;
};

struct shared_info {
	struct vcpu_info vcpu_info[SHARED_INFO_MAX_VCPUS];
	uint64_t evtchn_pending[EVTCHN_WORDS]; /* set by the hypervisor */
	uint64_t evtchn_mask[EVTCHN_WORDS];    /* a set bit blocks the upcall */
	int64_t boot_wallclock; /* Unix seconds at system time 0 */
};

/*
  * The upcall. HYPERCALL_set_callbacks(entry) registers it for the calling
 * vCPU (a user address; 0 unregisters; each vCPU registers its own).
 * Whenever the hypervisor returns to the vCPU with evtchn_upcall_pending
 * set and evtchn_upcall_mask clear, it delivers the upcall; without an
 * entry the event just stays pending. To deliver it the hypervisor pushes, below the guest's
 * %rsp less a 128-byte red zone, a struct upcall_frame, and resumes the
 * vCPU at entry with %rsp pointing at the frame and every other register
 * as it was. The guest saves what it uses, handles its events, and
 * returns with `popfq; ret $128` from %rsp = the frame: that restores
 * rflags, rip and the original %rsp. Events stay masked
 * (evtchn_upcall_mask = 1) until the guest clears the mask; an upcall
 * that cannot be pushed (the stack is not writable) crashes the domain.
 */
struct upcall_frame {
	uint64_t rflags;
	uint64_t rip;
};
#define UPCALL_RED_ZONE 128

#endif /* KAIROS_PUBLIC_SHARED_INFO_H */
