/*
 * Shared by the softirq, tasklet and timer suites: handing work to the
 * other CPUs' idle loops and bounded waits that keep the boot CPU's own
 * softirqs running (suites run on CPU 0 before its idle loop, so nobody
 * else runs them).
 */
#ifndef TESTS_KERNEL_DEFERRED_HELPERS_H
#define TESTS_KERNEL_DEFERRED_HELPERS_H

#include <asm/system.h>
#include <atomic.h>
#include <cpumask.h>
#include <errno.h>
#include <percpu.h>
#include <smp.h>
#include <softirq.h>
#include <systime.h>
#include <types.h>

/*
 * Emulators are slow, not stuck: a wait this long that still fails means
 * the work is lost (TCG with 8 vCPUs on 2 busy host cores has been seen to
 * stall a vCPU for tens of milliseconds, never for seconds).
 */
#define KT_WAIT_LIMIT SECONDS(10)

/*
 * How late past its window (expiry + slack) a timer's callback may run on
 * this machine, and where that bound came from (timer_test.c says why
 * each value): ktest_latency_bound= if given, else generous under a
 * hypervisor.
 */
s_time_t kt_latency_bound(void);
const char *kt_latency_bound_source(void);

/*
 * Waits until cond holds or timeout passes, running the calling CPU's
 * pending softirqs (but never SCHEDULE_SOFTIRQ) meanwhile. True if cond
 * held.
 */
#define kt_wait_until(cond, timeout)                              \
	({                                                        \
		s_time_t __kt_end = NOW() + (timeout);            \
		bool __kt_ok;                                     \
		while (!(__kt_ok = (cond)) && NOW() < __kt_end) { \
			process_pending_softirqs();               \
			cpu_relax();                              \
		}                                                 \
		__kt_ok;                                          \
	})

/* Spins for ns, running the calling CPU's softirqs. */
static inline void kt_idle_for(s_time_t ns)
{
	s_time_t end = NOW() + ns;

	while (NOW() < end) {
		process_pending_softirqs();
		cpu_relax();
	}
}

/*
 * smp_call_in_idle(), retried while cpu's slot still holds work it has not
 * started. 0, or the error that stuck.
 */
static inline int kt_call_in_idle(unsigned int cpu, void (*fn)(void *),
				  void *arg)
{
	s_time_t give_up = NOW() + KT_WAIT_LIMIT;
	int rc;

	while ((rc = smp_call_in_idle(cpu, fn, arg)) == -EBUSY &&
	       NOW() < give_up) {
		process_pending_softirqs();
		cpu_relax();
	}
	return rc;
}

/* One job run on many CPUs at once (kt_run_everywhere()). */
struct kt_job {
	void (*fn)(unsigned int cpu, void *arg);
	void *arg;
	atomic_t done; /* CPUs that have returned from fn */
};

static inline void kt_job_run(void *p)
{
	struct kt_job *job = p;

	job->fn(smp_processor_id(), job->arg);
	smp_mb();
	atomic_inc(&job->done);
}

/*
 * Runs fn(cpu, arg) on every online CPU at once: the others from their
 * idle loops, the caller (with interrupts enabled, as in its idle loop)
 * directly. Returns the number of CPUs that had not finished within
 * timeout of the caller's own return (0: all done).
 */
static inline unsigned int kt_run_everywhere(struct kt_job *job,
					     s_time_t timeout)
{
	unsigned int self = smp_processor_id(), cpu, posted = 1;

	atomic_set(&job->done, 0);
	smp_mb();
	for_each_online_cpu (cpu)
		if (cpu != self && kt_call_in_idle(cpu, kt_job_run, job) == 0)
			posted++;
	kt_job_run(job);
	kt_wait_until(atomic_read(&job->done) >= (int)posted, timeout);
	smp_mb();
	return num_online_cpus() - atomic_read(&job->done);
}

/* A small xorshift generator: repeatable pseudo-random test data. */
static inline u64 kt_rand(u64 *state)
{
	u64 x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *state = x;
}

#endif /* TESTS_KERNEL_DEFERRED_HELPERS_H */
