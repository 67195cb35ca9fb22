/*
 * Domains and vCPUs (common/domain.c, arch/x86/domain.c).
 *
 * A domain is one guest: an address space, vCPUs, event channels and a
 * shared-info page. Its life: domain_create() builds it stopped,
 * domain_start() wakes its vCPUs, domain_shutdown() (the guest asked) or
 * domain_crash() (the guest faulted) stop every vCPU, and once none of
 * them is on a CPU any more the reaper destroys it: event channels
 * closed, timers killed, memory and page tables freed. The struct itself
 * goes when its last reference does.
 *
 * Each CPU also has an idle vCPU (of the idle domain, DOMID_IDLE); it is
 * never in a run queue and runs the idle loop.
 */
#ifndef KAIROS_DOMAIN_H
#define KAIROS_DOMAIN_H

#include <address_space.h>
#include <atomic.h>
#include <asm/regs.h>
#include <cpumask.h>
#include <domain_config.h>
#include <percpu.h>
#include <public/event_channel.h>
#include <public/shared_info.h>
#include <public/start_info.h>
#include <spinlock.h>
#include <timer.h>
#include <types.h>

#define DOMID_IDLE 0x7fffu
/* Domains alive at once (each comes from a boot module today). */
#define DOMAINS_MAX 64
#define DOMID_MAX   0x7fefu /* below DOMID_SELF (public/event_channel.h) */

struct domain;
struct evtchn;
struct hvm_domain;
struct hvm_vcpu;

/* vcpu->pause_flags: each set bit keeps the vCPU off the CPUs. */
#define VPF_BLOCKED   0 /* waiting for an event (SCHEDOP_block or poll) */
#define VPF_DOWN      1 /* not started yet, or its domain is stopping */
#define VPF_WAIT_SIPI 2 /* HVM: INIT received, waiting for a start-up IPI */

struct vcpu {
	unsigned int vcpu_id; /* 0 .. domain->nr_vcpus - 1 */
	struct domain *domain;
	unsigned int processor;	  /* the CPU whose run queue holds it */
	unsigned int timer_cpu;	  /* where its three timers are queued */
	struct vcpu *next_on_cpu; /* the vCPUs placed on processor (sched) */
	cpumask_t affinity;	  /* CPUs it may run on */

	unsigned long pause_flags; /* VPF_* bits, atomic */
	bool is_running;	   /* on a CPU now (its state is not saved) */

	/* Run state accounting (public/vcpu.h), under the schedule lock. */
	unsigned int runstate;
	s_time_t runstate_entry;
	s_time_t runstate_time[4];

	/* The three vCPU timers (common/sched/core.c), on v->processor. */
	struct timer singleshot_timer;
	struct timer periodic_timer;
	struct timer poll_timer;
	s_time_t periodic_period;     /* 0: no periodic timer */
	s_time_t periodic_last_event; /* when it last sent VIRQ_TIMER */

	/* SCHEDOP_poll: the ports watched while polling. */
	unsigned long poll_ports[EVTCHN_WORDS];
	bool polling;	      /* blocked in SCHEDOP_poll */
	bool poll_timed_out;  /* the poll timer ended the poll */
	bool poll_result_due; /* rax gets the poll's result on resume */

	u32 virq_to_port[NR_VIRQS];  /* 0: not bound */
	struct vcpu_info *vcpu_info; /* in the shared page (direct map) */
	u32 time_generation;	     /* of the record last published there */
	u64 upcall_entry;	     /* 0: none registered */
	bool console_midline;	     /* its last console write ended mid-line */

	void *sched_priv; /* the policy's per-vCPU data */

	/* Saved state while not running (arch/x86/domain.c). */
	struct cpu_user_regs user_regs;
	void *fpu_state;

	struct hvm_vcpu *hvm; /* NULL for a paravirtual vCPU (include/hvm.h) */
};

/* A domain's memory: blocks from the page allocator, handed out in pages. */
struct guest_mem_chunk {
	paddr_t pa;
	unsigned int order;
};

struct guest_memory {
	struct guest_mem_chunk *chunks;
	unsigned int nr_chunks, cap_chunks;
	unsigned int cur_chunk;	  /* the next page comes from here */
	unsigned long cur_page;	  /* page index inside it */
	unsigned long nr_pages;	  /* allocated */
	unsigned long used_pages; /* handed out */
};

struct domain {
	u16 domid;
	char name[DOMAIN_NAME_MAX + 1];
	atomic_t refcnt; /* the domain list holds one */
	struct domain *next_in_list;

	unsigned int nr_vcpus;
	struct vcpu **vcpus;
	struct domain_config config;
	void *sched_priv; /* the policy's per-domain data */

	struct address_space as;
	struct guest_memory mem;
	struct shared_info *shared_info; /* hypervisor view (direct map) */
	struct start_info *start_info;

	spinlock_t evtchn_lock;
	struct evtchn *evtchn; /* EVTCHN_PORTS entries */

	/* Console budget (common/hypercall.c): a token bucket of bytes. */
	spinlock_t console_lock;
	s64 console_tokens;	   /* bytes it may print now */
	s_time_t console_refilled; /* when the bucket was last topped up */
	u64 console_dropped;	   /* over the rate, not yet reported */
	u64 console_dropped_busy;  /* while the console was congested */
	s_time_t console_reported; /* when drops were last reported */

	spinlock_t shutdown_lock;
	bool is_shutting_down; /* no vCPU may run again */
	bool is_dead;	       /* destroyed; only the struct remains */
	bool crashed;	       /* stopped by the hypervisor for a fault */
	u32 shutdown_reason;   /* SHUTDOWN_* */
	u32 shutdown_code;
	s_time_t created_at;

	struct hvm_domain *hvm; /* NULL for a paravirtual domain */
};

DECLARE_PER_CPU(struct vcpu *, curr_vcpu);
#define current (this_cpu(curr_vcpu))

extern struct vcpu *idle_vcpu[NR_CPUS];

static inline bool is_idle_vcpu(const struct vcpu *v)
{
	return v->domain->domid == DOMID_IDLE;
}

static inline bool is_idle_domain(const struct domain *d)
{
	return d->domid == DOMID_IDLE;
}

/* True for a hardware-assisted domain (include/hvm.h). */
static inline bool is_hvm_domain(const struct domain *d)
{
	return d->hvm != NULL;
}

static inline bool is_hvm_vcpu(const struct vcpu *v)
{
	return v->hvm != NULL;
}

/* A vCPU's name in trace records: domain id << 16 | vCPU number. */
static inline u64 trace_vcpu_id(const struct vcpu *v)
{
	return (u64)v->domain->domid << 16 | v->vcpu_id;
}

/* Room for vcpu_name(): "d32767v65535" and the NUL. */
#define VCPU_NAME_LEN 16

/* Writes v's name as traces show it ("d1v0", "idle3"); returns buf. */
char *vcpu_name(const struct vcpu *v, char *buf, size_t len);

/* True if nothing keeps v off a CPU (any context, a racy snapshot). */
static inline bool vcpu_runnable(const struct vcpu *v)
{
	return !READ_ONCE(v->pause_flags) &&
	       !READ_ONCE(v->domain->is_shutting_down);
}

/*
 * Allocates CPU cpu's idle vCPU (of the idle domain): 0 or -ENOMEM. The
 * boot CPU, for itself and for each AP before starting it (hundreds of
 * APs allocating at once would only contend for the heap's lock).
 */
int idle_vcpu_alloc(unsigned int cpu);

/* Makes the idle vCPU the calling CPU's current: each CPU for itself. */
void idle_vcpu_init(unsigned int cpu);

/*
 * Builds a stopped domain from a validated image (common/domain_build.c
 * drives it); returns it with one reference (the list's) or NULL with a
 * reason in err. Idle context or boot, interrupts enabled.
 */
struct domain *domain_create(const struct domain_config *cfg, char *err,
			     size_t errlen);

/*
 * Undoes domain_create() and whatever was built on it, for a domain that
 * never ran or whose vCPUs have all left the CPUs; takes it off the
 * domain list and drops the list's reference. Idle or softirq context.
 */
void domain_free_resources(struct domain *d);

/* Boot CPU, once: the reaper. */
void domains_init(void);

/* Notes what the allocators hold before the first domain (leak check). */
void domains_record_baseline(void);

/*
 * Gives d bytes of zeroed memory (page multiple) in blocks as large as
 * the allocator has; 0 or -ENOMEM (what was taken stays with d and goes
 * with guest_memory_free()). common/guest_memory.c.
 */
int guest_memory_alloc(struct domain *d, u64 bytes);

/* The next unused page of d's memory, or INVALID_PADDR if none is left. */
paddr_t guest_memory_take_page(struct domain *d);

/* Returns all of d's memory to the allocator. */
void guest_memory_free(struct domain *d);

/* Wakes every vCPU of d for the first time. Any context. */
void domain_start(struct domain *d);

/*
 * Stops d for good with a reason (SHUTDOWN_*) and a code: every vCPU goes
 * down, the reaper destroys the domain once none runs. Any context; the
 * first call wins, later ones do nothing.
 */
void domain_shutdown(struct domain *d, u32 reason, u32 code);

/*
 * As domain_shutdown(d, SHUTDOWN_crash, vector) for a fault the guest
 * caused, after printing why and the registers. Any context.
 */
void domain_crash(struct domain *d, const char *why,
		  const struct cpu_user_regs *regs);

/*
 * The domain with id domid (or DOMID_SELF: the caller's), with a
 * reference the caller drops with put_domain(), or NULL. Any context.
 */
struct domain *get_domain_by_id(u16 domid);
struct domain *get_domain_by_name(const char *name);
void put_domain(struct domain *d);

/* Calls fn(d, arg) for each live domain under the list lock. */
void for_each_domain(void (*fn)(struct domain *d, void *arg), void *arg);

/* Number of domains not yet destroyed. */
unsigned int domains_alive(void);

/* Printed by the 'q' debug key: domains, vCPUs, states. */
void dump_domains(void);

/* ---- arch hooks (arch/x86/domain.c) ---------------------------------- */

/* Sets v's registers for its first entry; allocates its FPU state. */
int arch_vcpu_init(struct vcpu *v, u64 entry, u64 stack_top);
void arch_vcpu_destroy(struct vcpu *v);

/*
 * Saves prev's state, loads next's, and resumes next on a fresh stack:
 * the idle loop for an idle vCPU, the guest otherwise. Called by
 * schedule() with interrupts enabled and no lock held; never returns.
 */
void context_switch(struct vcpu *prev, struct vcpu *next) __noreturn;

/* Prints a guest register frame (for domain_crash()). */
void show_guest_registers(const struct cpu_user_regs *regs);

#endif /* KAIROS_DOMAIN_H */
