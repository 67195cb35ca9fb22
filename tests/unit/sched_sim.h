/*
 * The scheduler on the simulated machine (tests/unit/sched_sim.c): the
 * real core (common/sched/core.c) and policy behind a stand-in of
 * context_switch() that records every switch, and guests reduced to what
 * the scheduler sees: a vCPU either spins or runs a burst, blocks, and is
 * woken by its single-shot timer.
 */
#ifndef SCHED_SIM_H
#define SCHED_SIM_H

#include <domain.h>

/* One switch, as context_switch() saw it. */
struct sim_switch {
	s_time_t at;
	unsigned int cpu;
	struct vcpu *prev, *next;
};

/* Boots nr_cpus CPUs with this command line (sched=... and options). */
void sched_sim_boot(unsigned int nr_cpus, const char *cmdline);

/*
 * A domain from a module command line (domain_config_parse()): admitted
 * and its vCPUs placed, not started; NULL with the reason in err.
 */
struct domain *sim_domain_try(const char *cmdline, char *err, size_t errlen);
/* The same, failing the test if the domain is refused. */
struct domain *sim_domain(const char *cmdline);

/*
 * Wakes every vCPU of d for the first time (domain_start()); they run
 * from the next sim_run_*() on.
 */
void sim_domain_start(struct domain *d);

/* Shuts d down, waits until no vCPU of it runs, and frees it. */
void sim_domain_destroy(struct domain *d);
void sim_destroy_all(void);

/*
 * From its next run on, v runs burst ns of CPU time, blocks for sleep
 * ns (its single-shot timer wakes it), and so on; burst 0: spins.
 */
void sim_vcpu_set_burst(struct vcpu *v, s_time_t burst, s_time_t sleep);

/* CPU time v had (its current run included), and its longest wait from
 * a wake-up to running again. */
s_time_t sim_vcpu_ran(struct vcpu *v);
s_time_t sim_vcpu_max_wake_latency(struct vcpu *v);
/* CPU time v had in [from, to), from the switch log. */
s_time_t sim_vcpu_ran_between(struct vcpu *v, s_time_t from, s_time_t to);

/* What vCPU cpu runs at time t (from the switch log; NULL: idle). */
struct vcpu *sim_running_at(unsigned int cpu, s_time_t t);

/*
 * A test's teardown: destroys every domain, runs 100 ms so that their
 * timers stop, and forgets the switch log.
 */
int sim_teardown(void **state);

/* Fails the test unless d's scheduler report (sched_dump_domain()) has text. */
void sim_assert_report_has(struct domain *d, const char *text);

/* The switches so far, oldest first; sim_log_reset() forgets them. */
const struct sim_switch *sim_log(unsigned int *n);
void sim_log_reset(void);

#endif /* SCHED_SIM_H */
