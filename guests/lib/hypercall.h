/*
 * Hypercall wrappers for Kairos guests (include/public/abi.h is the
 * normative ABI). `int $0x82`, the call number in %rax, up to five
 * arguments in %rdi, %rsi, %rdx, %r10, %r8, the result in %rax; every
 * other register, the flags and the FPU/SSE state are preserved, so the
 * only clobber is memory (the hypervisor may read and write any buffer
 * passed by address).
 *
 * Every wrapper returns the raw result: >= 0 on success, -KERR_* on error.
 */
#ifndef KAIROS_GUEST_HYPERCALL_H
#define KAIROS_GUEST_HYPERCALL_H

#include <stddef.h>
#include <stdint.h>

#include <abi.h>
#include <console.h>
#include <domain.h>
#include <event_channel.h>
#include <sched.h>
#include <shared_info.h>
#include <start_info.h>
#include <vcpu.h>

/* The raw call, for the fuzzer and the bad-argument tests. */
static inline long hypercall5(uint64_t nr, uint64_t a1, uint64_t a2,
			      uint64_t a3, uint64_t a4, uint64_t a5)
{
	register uint64_t r10 __asm__("r10") = a4;
	register uint64_t r8 __asm__("r8") = a5;
	long ret;

	__asm__ __volatile__("int $0x82"
			     : "=a"(ret)
			     : "0"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10),
			       "r"(r8)
			     : "memory");
	return ret;
}

static inline long hypercall0(uint64_t nr)
{
	return hypercall5(nr, 0, 0, 0, 0, 0);
}

static inline long hypercall1(uint64_t nr, uint64_t a1)
{
	return hypercall5(nr, a1, 0, 0, 0, 0);
}

static inline long hypercall2(uint64_t nr, uint64_t a1, uint64_t a2)
{
	return hypercall5(nr, a1, a2, 0, 0, 0);
}

static inline long hypercall3(uint64_t nr, uint64_t a1, uint64_t a2,
			      uint64_t a3)
{
	return hypercall5(nr, a1, a2, a3, 0, 0);
}

/* HYPERCALL_version: KAIROS_ABI_VERSION. */
static inline long hc_version(void)
{
	return hypercall0(HYPERCALL_version);
}

/* HYPERCALL_console_io(cmd, count, buf). */
static inline long hc_console_io(unsigned int cmd, uint64_t count,
				 const void *buf)
{
	return hypercall3(HYPERCALL_console_io, cmd, count, (uint64_t)buf);
}

static inline long hc_console_write(const void *buf, size_t count)
{
	return hc_console_io(CONSOLEIO_write, count, buf);
}

/* HYPERCALL_set_timer_op(deadline_ns): absolute system time, 0 stops. */
static inline long hc_set_timer_op(int64_t deadline_ns)
{
	return hypercall1(HYPERCALL_set_timer_op, (uint64_t)deadline_ns);
}

/* HYPERCALL_vcpu_op(cmd, vcpuid, arg). */
static inline long hc_vcpu_op(unsigned int cmd, unsigned int vcpuid, void *arg)
{
	return hypercall3(HYPERCALL_vcpu_op, cmd, vcpuid, (uint64_t)arg);
}

/* HYPERCALL_sched_op(cmd, arg). */
static inline long hc_sched_op(unsigned int cmd, void *arg)
{
	return hypercall2(HYPERCALL_sched_op, cmd, (uint64_t)arg);
}

/* HYPERCALL_event_channel_op(cmd, arg). */
static inline long hc_evtchn_op(unsigned int cmd, void *arg)
{
	return hypercall2(HYPERCALL_event_channel_op, cmd, (uint64_t)arg);
}

/* HYPERCALL_set_callbacks(upcall_entry); 0 unregisters. */
static inline long hc_set_callbacks(uint64_t entry)
{
	return hypercall1(HYPERCALL_set_callbacks, entry);
}

/* HYPERCALL_domain_op(cmd, arg). */
static inline long hc_domain_op(unsigned int cmd, void *arg)
{
	return hypercall2(HYPERCALL_domain_op, cmd, (uint64_t)arg);
}

/* DOMOP_lookup: 0 and *domid, or -KERR_*; name is cut at 31 bytes. */
static inline long hc_domain_lookup(const char *name, uint16_t *domid)
{
	struct domain_lookup l = {.domid = 0};
	unsigned int i;
	long ret;

	for (i = 0; i < sizeof(l.name) - 1 && name[i]; i++)
		l.name[i] = name[i];
	ret = hc_domain_op(DOMOP_lookup, &l);
	if (ret >= 0)
		*domid = l.domid;
	return ret;
}

/* Convenience forms. */
static inline long hc_yield(void)
{
	return hc_sched_op(SCHEDOP_yield, NULL);
}

static inline long hc_shutdown(uint32_t reason, uint32_t code)
{
	struct sched_shutdown s = {.reason = reason, .code = code};

	return hc_sched_op(SCHEDOP_shutdown, &s);
}

static inline long hc_get_time(unsigned int vcpu)
{
	return hc_vcpu_op(VCPUOP_get_time, vcpu, NULL);
}

static inline long hc_set_periodic_timer(unsigned int vcpu, uint64_t period)
{
	struct vcpu_set_periodic_timer p = {.period_ns = period};

	return hc_vcpu_op(VCPUOP_set_periodic_timer, vcpu, &p);
}

static inline long hc_stop_periodic_timer(unsigned int vcpu)
{
	return hc_vcpu_op(VCPUOP_stop_periodic_timer, vcpu, NULL);
}

/*
 * The hypercall with every register loaded from in[] and every register
 * stored to out[] after it (guests/lib/start.S): checks that the
 * hypervisor preserves what the ABI says it preserves. Layout of both:
 * REGDUMP_* indices; out[REGDUMP_RFLAGS] is the flags after the call.
 * With set_df the direction flag is set across the call (and cleared
 * again before returning to C).
 */
enum {
	REGDUMP_RAX,
	REGDUMP_RDI,
	REGDUMP_RSI,
	REGDUMP_RDX,
	REGDUMP_R10,
	REGDUMP_R8,
	REGDUMP_RBX,
	REGDUMP_RCX,
	REGDUMP_RBP,
	REGDUMP_R9,
	REGDUMP_R11,
	REGDUMP_R12,
	REGDUMP_R13,
	REGDUMP_R14,
	REGDUMP_R15,
	REGDUMP_XMM0_LO,
	REGDUMP_XMM0_HI,
	REGDUMP_XMM15_LO,
	REGDUMP_XMM15_HI,
	REGDUMP_RFLAGS,
	REGDUMP_N
};
long hypercall_regdump(const uint64_t in[REGDUMP_N], uint64_t out[REGDUMP_N],
		       int set_df);

#endif /* KAIROS_GUEST_HYPERCALL_H */
