/*
 * The scheduler on the simulated machine (tests/unit/sched_sim.h): what
 * common/sched/core.c calls outside itself, played by the test: domains
 * and vCPUs (common/domain.c's part), the context switch
 * (arch/x86/domain.c's part, which here records the switch and abandons
 * the softirq loop as the real one abandons the stack), and the event
 * delivery that wakes a blocked vCPU (common/event_channel.c's part).
 */
#include "sched_sim.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "host_support.h"
#include "sim_machine.h"

#include <domain_config.h>
#include <event.h>
#include <hvm.h>
#include <param.h>
#include <public/vcpu.h>
#include <sched.h>
#include <smp.h>
#include <softirq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systime.h>

#define SIM_MAX_DOMAINS 16

/* A vCPU and what the simulation knows of it (the vCPU first). */
struct sim_vcpu {
	struct vcpu v;
	s_time_t ran;	     /* CPU time, up to its last switch-out */
	s_time_t in_at;	     /* when its current run began */
	bool on_cpu;	     /* switched in, not yet out */
	s_time_t burst;	     /* 0: spins */
	s_time_t sleep;	     /* after each burst */
	s_time_t burst_left; /* of the current burst */
	s_time_t woke_at;    /* unblocked, not yet run; 0: not waiting */
	s_time_t max_wake_latency;
};

static struct domain idle_domain = {.domid = DOMID_IDLE, .name = "idle"};
struct vcpu *idle_vcpu[NR_CPUS];
DEFINE_PER_CPU(struct vcpu *, curr_vcpu);

static struct domain *domains[SIM_MAX_DOMAINS];
static unsigned int nr_domains;
static u16 next_domid = 1;

static struct sim_switch *switch_log;
static unsigned int log_len, log_cap;

static struct sim_vcpu *sv(struct vcpu *v)
{
	return (struct sim_vcpu *)v;
}

/* ------------------------------------------------------------------ */
/* What the core calls                                                 */

char *vcpu_name(const struct vcpu *v, char *buf, size_t len)
{
	if (is_idle_vcpu(v))
		snprintf(buf, len, "idle%u", v->vcpu_id);
	else
		snprintf(buf, len, "d%uv%u", v->domain->domid, v->vcpu_id);
	return buf;
}

void for_each_domain(void (*fn)(struct domain *d, void *arg), void *arg)
{
	unsigned int i;

	for (i = 0; i < nr_domains; i++)
		fn(domains[i], arg);
}

unsigned int domains_alive(void)
{
	return nr_domains;
}

/* An event for v: a blocked vCPU wakes (vcpu_kick()'s part). */
void send_guest_vcpu_virq(struct vcpu *v, unsigned int virq)
{
	if (test_and_clear_bit(VPF_BLOCKED, &v->pause_flags)) {
		sv(v)->woke_at = NOW();
		vcpu_wake(v);
	}
}

bool vcpu_events_need_delivery(const struct vcpu *v)
{
	return false;
}

bool evtchn_port_pending(const struct vcpu *v, unsigned int port)
{
	return false;
}

void hvm_vcpu_move_timers(struct vcpu *v, unsigned int cpu)
{
}

/* The running vCPU's burst is over: it sets its timer and blocks. */
static void burst_end(unsigned int cpu)
{
	struct vcpu *v = current;

	ASSERT(!is_idle_vcpu(v) && sv(v)->burst);
	sv(v)->burst_left = 0;
	vcpu_set_singleshot_timer(v, NOW() + sv(v)->sleep);
	vcpu_block();
}

static void log_switch(struct vcpu *prev, struct vcpu *next)
{
	if (log_len == log_cap) {
		log_cap = log_cap ? 2 * log_cap : 1024;
		switch_log = realloc(switch_log, log_cap * sizeof(*switch_log));
		assert_non_null(switch_log);
	}
	switch_log[log_len++] =
		(struct sim_switch){NOW(), smp_processor_id(), prev, next};
}

void context_switch(struct vcpu *prev, struct vcpu *next)
{
	unsigned int cpu = smp_processor_id();
	s_time_t now = NOW();

	ASSERT(next->processor == cpu);
	if (!is_idle_vcpu(prev)) {
		struct sim_vcpu *p = sv(prev);

		ASSERT(p->on_cpu);
		p->ran += now - p->in_at;
		if (p->burst_left)
			p->burst_left -= now - p->in_at;
		p->on_cpu = false;
	}
	sim_set_cpu_event(cpu, 0, NULL);
	if (!is_idle_vcpu(next)) {
		struct sim_vcpu *n = sv(next);

		ASSERT(!n->on_cpu && vcpu_runnable(next));
		ASSERT(cpumask_test_cpu(cpu, &next->affinity));
		n->on_cpu = true;
		n->in_at = now;
		if (n->woke_at) {
			if (now - n->woke_at > n->max_wake_latency)
				n->max_wake_latency = now - n->woke_at;
			n->woke_at = 0;
		}
		if (n->burst) {
			if (n->burst_left <= 0)
				n->burst_left = n->burst;
			sim_set_cpu_event(cpu, now + n->burst_left, burst_end);
		}
	}
	log_switch(prev, next);
	this_cpu(curr_vcpu) = next;
	sched_context_saved(prev);
	softirq_abandon_stack();
	sim_abandon_stack();
}

/* ------------------------------------------------------------------ */
/* Boot and domains                                                    */

void sched_sim_boot(unsigned int nr_cpus, const char *cmdline)
{
	unsigned int cpu;

	assert_int_equal(cmdline_parse(cmdline), 0);
	sim_init(nr_cpus);
	timer_subsys_init();
	for (cpu = 0; cpu < nr_cpus; cpu++) {
		struct vcpu *v = calloc(1, sizeof(*v));

		assert_non_null(v);
		v->vcpu_id = cpu;
		v->domain = &idle_domain;
		v->processor = cpu;
		v->is_running = true;
		v->runstate = RUNSTATE_running;
		cpumask_set_cpu(cpu, &v->affinity);
		idle_vcpu[cpu] = v;
	}
	this_cpu(curr_vcpu) = idle_vcpu[0];
	scheduler_init();
	scheduler_cpu_init(0);
	for (cpu = 1; cpu < nr_cpus; cpu++) {
		sim_enter(cpu);
		timer_cpu_init();
		this_cpu(curr_vcpu) = idle_vcpu[cpu];
		scheduler_cpu_init(cpu);
	}
	sim_enter(0);
}

struct domain *sim_domain_try(const char *cmdline, char *err, size_t errlen)
{
	struct domain_config cfg;
	struct domain *d;
	unsigned int i;

	assert_true(nr_domains < SIM_MAX_DOMAINS);
	assert_int_equal(domain_config_parse(cmdline, next_domid, 1UL << 30,
					     &cfg, err, errlen),
			 0);
	cpumask_and(&cfg.affinity, &cfg.affinity, &cpu_online_map);
	d = calloc(1, sizeof(*d));
	assert_non_null(d);
	d->domid = next_domid++;
	memcpy(d->name, cfg.name, sizeof(d->name));
	d->config = cfg;
	if (sched_init_domain(d, err, errlen)) {
		free(d);
		return NULL;
	}
	d->nr_vcpus = cfg.vcpus;
	d->vcpus = calloc(cfg.vcpus, sizeof(*d->vcpus));
	assert_non_null(d->vcpus);
	for (i = 0; i < cfg.vcpus; i++) {
		struct sim_vcpu *s = calloc(1, sizeof(*s));
		struct vcpu *v = &s->v;

		assert_non_null(s);
		v->vcpu_id = i;
		v->domain = d;
		v->affinity = cfg.affinity;
		set_bit(VPF_DOWN, &v->pause_flags);
		assert_int_equal(sched_init_vcpu(v), 0);
		d->vcpus[i] = v;
	}
	domains[nr_domains++] = d;
	return d;
}

struct domain *sim_domain(const char *cmdline)
{
	char err[256] = "";
	struct domain *d = sim_domain_try(cmdline, err, sizeof(err));

	if (!d)
		fail_msg("domain \"%s\" refused: %s", cmdline, err);
	return d;
}

void sim_domain_start(struct domain *d)
{
	unsigned int i;

	for (i = 0; i < d->nr_vcpus; i++)
		if (test_and_clear_bit(VPF_DOWN, &d->vcpus[i]->pause_flags))
			vcpu_wake(d->vcpus[i]);
}

void sim_domain_destroy(struct domain *d)
{
	unsigned int i;

	WRITE_ONCE(d->is_shutting_down, true);
	for (i = 0; i < d->nr_vcpus; i++) {
		set_bit(VPF_DOWN, &d->vcpus[i]->pause_flags);
		vcpu_sleep_nosync(d->vcpus[i]);
	}
	sim_run_softirqs();
	for (i = 0; i < d->nr_vcpus; i++) {
		assert_true(vcpu_is_off_cpu(d->vcpus[i]));
		sched_destroy_vcpu(d->vcpus[i]);
	}
	sched_destroy_domain(d);
	for (i = 0; domains[i] != d; i++)
		;
	domains[i] = domains[--nr_domains];
	for (i = 0; i < d->nr_vcpus; i++)
		free(d->vcpus[i]);
	free(d->vcpus);
	free(d);
}

void sim_destroy_all(void)
{
	while (nr_domains)
		sim_domain_destroy(domains[nr_domains - 1]);
}

/* ------------------------------------------------------------------ */
/* Workloads and measurements                                          */

void sim_vcpu_set_burst(struct vcpu *v, s_time_t burst, s_time_t sleep)
{
	sv(v)->burst = burst;
	sv(v)->sleep = sleep;
}

s_time_t sim_vcpu_ran(struct vcpu *v)
{
	struct sim_vcpu *s = sv(v);

	return s->ran + (s->on_cpu ? NOW() - s->in_at : 0);
}

s_time_t sim_vcpu_max_wake_latency(struct vcpu *v)
{
	return sv(v)->max_wake_latency;
}

static s_time_t overlap(s_time_t a, s_time_t b, s_time_t from, s_time_t to)
{
	a = a > from ? a : from;
	b = b < to ? b : to;
	return b > a ? b - a : 0;
}

s_time_t sim_vcpu_ran_between(struct vcpu *v, s_time_t from, s_time_t to)
{
	s_time_t start = -1, sum = 0;
	unsigned int i;

	for (i = 0; i < log_len; i++) {
		if (switch_log[i].prev == v && start >= 0) {
			sum += overlap(start, switch_log[i].at, from, to);
			start = -1;
		}
		if (switch_log[i].next == v)
			start = switch_log[i].at;
	}
	if (start >= 0)
		sum += overlap(start, NOW(), from, to);
	return sum;
}

struct vcpu *sim_running_at(unsigned int cpu, s_time_t t)
{
	struct vcpu *v = NULL;
	unsigned int i;

	for (i = 0; i < log_len && switch_log[i].at <= t; i++)
		if (switch_log[i].cpu == cpu)
			v = is_idle_vcpu(switch_log[i].next)
				    ? NULL
				    : switch_log[i].next;
	return v;
}

const struct sim_switch *sim_log(unsigned int *n)
{
	*n = log_len;
	return switch_log;
}

void sim_log_reset(void)
{
	log_len = 0;
}

/* libc's, declared here: <string.h> on the include path is the kernel's. */
char *strstr(const char *haystack, const char *needle);

int sim_teardown(void **state)
{
	sim_destroy_all();
	sim_run_for(MILLISECS(100));
	sim_log_reset();
	return 0;
}

void sim_assert_report_has(struct domain *d, const char *text)
{
	host_printk_reset();
	sched_dump_domain(d);
	if (!strstr(host_printk_output(), text))
		fail_msg("report \"%s\" lacks \"%s\"", host_printk_output(),
			 text);
}
