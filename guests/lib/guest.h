/*
 * The Kairos guest runtime (guests/lib/): everything a paravirtual guest
 * program needs besides its own code. docs/guest-runtime.md is the guide;
 * include/public/ is the ABI.
 *
 * A program defines
 *
 *     void guest_vcpu_main(unsigned int vcpu);
 *
 * which every vCPU runs once the runtime is set up (all vCPUs start at
 * once). When it returns on vCPU 0 the runtime waits for every other vCPU
 * to return too, then shuts the domain down: SHUTDOWN_crash if any check
 * failed (guest_fail(), guest_check()), SHUTDOWN_poweroff otherwise. A
 * vCPU other than 0 that returns stops its timers and blocks for good.
 * guest_exit() shuts down at once from anywhere.
 *
 * Events start masked on every vCPU; guest_events_enable() (per vCPU)
 * registers the upcall and unmasks them.
 */
#ifndef KAIROS_GUEST_H
#define KAIROS_GUEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hypercall.h"

#define __printf_like(a, b) __attribute__((__format__(__printf__, a, b)))
#define __noreturn_fn	    __attribute__((__noreturn__))
#define ARRAY_LEN(a)	    (sizeof(a) / sizeof((a)[0]))
#define READ_ONCE(x)	    (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v)    (*(volatile __typeof__(x) *)&(x) = (v))
#define barrier()	    __asm__ __volatile__("" ::: "memory")

#define NSEC_PER_USEC 1000ll
#define NSEC_PER_MSEC 1000000ll
#define NSEC_PER_SEC  1000000000ll

/* ---------------------------------------------------------------------------
 * The program and the runtime
 */

/* The program: run by every vCPU (see above). */
void guest_vcpu_main(unsigned int vcpu);

/* The start-info page, the shared-info page, nr_vcpus. */
extern const struct start_info *guest_si;
extern struct shared_info *guest_shared;
unsigned int guest_nr_vcpus(void);

/*
 * The calling vCPU's number, found from %rsp (each vCPU runs on its own
 * stack, upcalls included). Cheap: a scan of at most nr_vcpus entries.
 */
unsigned int guest_vcpu_id(void);
struct vcpu_info *guest_vcpu_info(void);
/* The calling vCPU's stack: [bottom, top); a guard page is below bottom. */
uint64_t guest_stack_top(unsigned int vcpu);

/* The upcall entry (start.S), registered on every vCPU at start. */
void guest_upcall_entry(void);

/* Shuts the domain down now; this vCPU's pending output is flushed. */
void guest_exit(uint32_t reason, uint32_t code) __noreturn_fn;

/* Waits until every vCPU has called it the same number of times. */
void guest_barrier(void);

/* A bump allocator over start_info's heap; NULL when it is exhausted. */
void *guest_alloc(size_t size, size_t align);

/* ---------------------------------------------------------------------------
 * Console: printf is line-buffered per vCPU; a line goes out whole in one
 * CONSOLEIO_write when it ends ('\n') or fills the buffer (200 bytes).
 * Formatting is common/vsnprintf.c (no floating point, no %n).
 */
int printf(const char *fmt, ...) __printf_like(1, 2);
int vprintf(const char *fmt, va_list ap);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list args);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf_like(3, 4);
/* Writes this vCPU's partial line, if any. */
void guest_flush(void);

/* ---------------------------------------------------------------------------
 * Tests: the conventions of docs/guest-runtime.md. PASS/FAIL lines; any
 * FAIL makes the final shutdown SHUTDOWN_crash.
 */
void guest_pass(const char *fmt, ...) __printf_like(1, 2);
void guest_fail(const char *fmt, ...) __printf_like(1, 2);
/* PASS: <what> or FAIL: <what>; returns ok. */
bool guest_check(bool ok, const char *what, ...) __printf_like(2, 3);
unsigned int guest_failures(void);
/* FAIL: <message>, then SHUTDOWN_crash. */
void guest_panic(const char *fmt, ...) __printf_like(1, 2) __noreturn_fn;
void guest_assert_fail(const char *cond, const char *file,
		       int line) __noreturn_fn;
#define guest_assert(cond)                                            \
	do {                                                          \
		if (!(cond))                                          \
			guest_assert_fail(#cond, __FILE__, __LINE__); \
	} while (0)

/* The name of an error result ("-KERR_EINVAL", "0", "42"), in buf. */
const char *guest_strerror(long ret, char *buf, size_t size);

/* ---------------------------------------------------------------------------
 * Arguments: start_info->cmdline, blank-separated key=value words (the
 * module's args=). A key given twice takes its last value.
 */
/* The value of key; "" for a bare word `key`; NULL when absent. */
const char *guest_arg(const char *key);
/* Decimal or 0x hexadecimal; a malformed value is fatal (guest_panic). */
uint64_t guest_arg_u64(const char *key, uint64_t def);
/* A time with a unit: ns, us, ms or s ("10ms"); malformed is fatal. */
int64_t guest_arg_ns(const char *key, int64_t def);

/* ---------------------------------------------------------------------------
 * Time: system time in ns from the calling vCPU's vcpu_time_info, or
 * VCPUOP_get_time when the hypervisor flags the TSC unreliable.
 */
int64_t guest_now(void);
uint64_t guest_tsc_hz(void);
static inline uint64_t guest_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ __volatile__("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
	return ((uint64_t)hi << 32) | lo;
}
static inline void cpu_relax(void)
{
	__asm__ __volatile__("pause" ::: "memory");
}
/* Spins (no hypercall) until guest_now() >= deadline. */
void guest_spin_until(int64_t deadline);

/* ---------------------------------------------------------------------------
 * Events. A handler runs on the vCPU the port is bound to, with that
 * vCPU's events masked, from the upcall or from guest_events_restore().
 * Ports bound by these functions get their handler before the call
 * returns; bind them while the receiving vCPU has events masked (the
 * state every vCPU starts in), else an event arriving in between is
 * dropped (counted in guest_events_dropped()).
 */
typedef void (*evtchn_handler_t)(uint32_t port, void *arg);

/* All return the port (> 0) or -KERR_*. */
long evtchn_bind_virq(uint32_t virq, unsigned int vcpu, evtchn_handler_t fn,
		      void *arg);
long evtchn_bind_virq_timer(unsigned int vcpu, evtchn_handler_t fn, void *arg);
long evtchn_alloc_unbound(uint16_t remote_dom, evtchn_handler_t fn, void *arg);
long evtchn_bind_interdomain(uint16_t remote_dom, uint32_t remote_port,
			     evtchn_handler_t fn, void *arg);
/* These return 0 or -KERR_*. */
long evtchn_send(uint32_t port);
long evtchn_close(uint32_t port);
long evtchn_mask(uint32_t port);
long evtchn_unmask(uint32_t port);
long evtchn_bind_vcpu(uint32_t port, unsigned int vcpu);
void evtchn_set_handler(uint32_t port, evtchn_handler_t fn, void *arg);
bool evtchn_is_pending(uint32_t port);
/* Clears the pending bit; returns whether it was set. */
bool evtchn_test_and_clear(uint32_t port);
uint64_t guest_events_dropped(void);

/* This vCPU: registers the upcall entry, then unmasks events. */
void guest_events_enable(void);
/* Masks this vCPU's events; returns whether they were masked before. */
bool guest_events_save(void);
/* Back to the state guest_events_save() returned (handles what is pending). */
void guest_events_restore(bool was_masked);

/* SCHEDOP_block: unmasks events, sleeps until one is pending. */
long guest_block(void);
/* SCHEDOP_poll: timeout is absolute system time, 0 = none. */
long guest_poll(const uint32_t *ports, unsigned int n, int64_t timeout);
long guest_yield(void);

/*
 * The calling vCPU's timer (VIRQ_TIMER, the single-shot and the periodic
 * timer both). guest_timer_init() binds it with the runtime's handler,
 * which counts events, notes guest_now() and calls fn (may be NULL); the
 * functions below bind it on first use if it is not. Returns the port.
 */
typedef void (*guest_timer_fn)(unsigned int vcpu, int64_t now, void *arg);
long guest_timer_init(guest_timer_fn fn, void *arg);
/* Timer events seen on the calling vCPU so far, and when the last came. */
uint64_t guest_timer_count(void);
int64_t guest_timer_last(void);
/*
 * Sets the single-shot timer to deadline and blocks until the next timer
 * event; returns the guest_now() its handler saw (with a periodic timer
 * also running that may be a periodic tick).
 */
int64_t guest_sleep_until(int64_t deadline);
/*
 * Blocks until *flag is nonzero (0) or, with a deadline, system time
 * reaches it (-KERR_ETIMEDOUT); uses the single-shot timer when it has a
 * deadline. Events are handled while it waits.
 */
long guest_wait_flag(volatile int *flag, int64_t deadline);

/* ---------------------------------------------------------------------------
 * Atomics and locks
 */
typedef struct {
	volatile uint32_t locked;
} spinlock_t;
#define SPINLOCK_INIT \
	{             \
		0     \
	}
void spin_lock(spinlock_t *l);
void spin_unlock(spinlock_t *l);
/* With this vCPU's events masked (for data handlers also touch). */
bool spin_lock_irqsave(spinlock_t *l);
void spin_unlock_irqrestore(spinlock_t *l, bool was_masked);

#define atomic_add(p, v)   __atomic_add_fetch((p), (v), __ATOMIC_SEQ_CST)
#define atomic_load(p)	   __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define atomic_store(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)

/* ---------------------------------------------------------------------------
 * Strings (common/string.c) and small helpers
 */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
size_t strlcpy(char *dst, const char *src, size_t size);

/* Sorts v[0..n) ascending (heap sort: no recursion, no allocation). */
void guest_sort_s64(int64_t *v, size_t n);
/*
 * Sorts v and prints "<what>: n=N min=.. median=.. p99=.. max=.. ns"
 * (nothing but "n=0" when n is 0).
 */
void guest_stats_print(const char *what, int64_t *v, size_t n);

/* xorshift64*: a fast PRNG for tests; never returns 0 state. */
static inline uint64_t xorshift64s(uint64_t *state)
{
	uint64_t x = *state ? *state : 0x9e3779b97f4a7c15ull;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dull;
}

#endif /* KAIROS_GUEST_H */
