/*
 * Domains and vCPUs: creation, start, shutdown and crash, and the reaper
 * that destroys a stopped domain once none of its vCPUs is on a CPU.
 */
#include <console.h>
#include <domain.h>
#include <errno.h>
#include <event.h>
#include <guest_console.h>
#include <hvm.h>
#include <page.h>
#include <page_alloc.h>
#include <panic.h>
#include <printk.h>
#include <public/console.h>
#include <public/sched.h>
#include <public/vcpu.h>
#include <sched.h>
#include <shutdown.h>
#include <smp.h>
#include <string.h>
#include <systime.h>
#include <timer.h>
#include <trace.h>
#include <xmalloc.h>

DEFINE_PER_CPU(struct vcpu *, curr_vcpu);
struct vcpu *idle_vcpu[NR_CPUS];

static struct domain idle_domain = {
	.domid = DOMID_IDLE,
	.name = "idle",
};

/* Live domains, newest first; the list holds a reference to each. */
static DEFINE_SPINLOCK(domlist_lock);
static struct domain *domain_list;
static u16 next_domid = 1;
static unsigned int nr_alive;
static unsigned int nr_poweroff, nr_crashed, nr_other;

/* Stopped domains waiting for their vCPUs to leave the CPUs. */
static DEFINE_SPINLOCK(reap_lock);
static struct domain *reap_list[DOMAINS_MAX];
static unsigned int nr_reap;
static struct timer reaper_timer;
#define REAPER_RETRY MILLISECS(1)
/* Long enough for a full 64K-record ring per CPU over QEMU's serial port. */
#define TRACE_FLUSH_AFTER_DOMAINS SECONDS(10)
/* xmalloc keeps a pool page per size class; the timer heaps may grow. */
#define MAX_POOL_PAGES_KEPT 16

static const char *const shutdown_names[] = {
	[SHUTDOWN_poweroff] = "poweroff",
	[SHUTDOWN_reboot] = "reboot",
	[SHUTDOWN_suspend] = "suspend",
	[SHUTDOWN_crash] = "crash",
};

/* ------------------------------------------------------------------ */
/* The idle domain                                                     */

int idle_vcpu_alloc(unsigned int cpu)
{
	struct vcpu *v = xzalloc(struct vcpu);

	if (!v)
		return -ENOMEM;
	v->vcpu_id = cpu;
	v->domain = &idle_domain;
	v->processor = cpu;
	v->is_running = true;
	v->runstate = RUNSTATE_running;
	cpumask_set_cpu(cpu, &v->affinity);
	idle_vcpu[cpu] = v;
	return 0;
}

void idle_vcpu_init(unsigned int cpu)
{
	struct vcpu *v = idle_vcpu[cpu];

	ASSERT(v && cpu == smp_processor_id());
	v->runstate_entry = NOW();
	this_cpu(curr_vcpu) = v;
}

char *vcpu_name(const struct vcpu *v, char *buf, size_t len)
{
	if (is_idle_vcpu(v))
		snprintf(buf, len, "idle%u", v->vcpu_id);
	else
		snprintf(buf, len, "d%uv%u", v->domain->domid, v->vcpu_id);
	return buf;
}

/* ------------------------------------------------------------------ */
/* Creation                                                            */

static void free_domain_struct(struct domain *d)
{
	unsigned int i;

	for (i = 0; d->vcpus && i < d->nr_vcpus; i++)
		xfree(d->vcpus[i]);
	xfree(d->vcpus);
	hvm_domain_free(d);
	xfree(d);
}

static struct vcpu *alloc_vcpu(struct domain *d, unsigned int id)
{
	struct vcpu *v = xzalloc(struct vcpu);

	if (!v)
		return NULL;
	v->vcpu_id = id;
	v->domain = d;
	v->affinity = d->config.affinity;
	set_bit(VPF_DOWN, &v->pause_flags);
	v->vcpu_info = &d->shared_info->vcpu_info[id];
	/* Events start masked, as a CPU starts with interrupts off. */
	v->vcpu_info->evtchn_upcall_mask = 1;
	return v;
}

struct domain *domain_create(const struct domain_config *cfg, char *err,
			     size_t errlen)
{
	struct domain *d = xzalloc(struct domain);
	unsigned int i;

	if (!d || cfg->vcpus > SHARED_INFO_MAX_VCPUS)
		goto nomem;
	if (domains_alive() >= DOMAINS_MAX) {
		snprintf(err, errlen, "already %u domains, the most",
			 DOMAINS_MAX);
		xfree(d);
		return NULL;
	}
	d->config = *cfg;
	if (!cfg->affinity_given)
		d->config.affinity = cpu_online_map;
	cpumask_and(&d->config.affinity, &d->config.affinity, &cpu_online_map);
	if (cpumask_empty(&d->config.affinity)) {
		snprintf(err, errlen, "affinity names no online CPU");
		xfree(d);
		return NULL;
	}
	strlcpy(d->name, cfg->name, sizeof(d->name));
	atomic_set(&d->refcnt, 1);
	spin_lock_init(&d->evtchn_lock);
	spin_lock_init(&d->shutdown_lock);
	spin_lock_init(&d->console_lock);
	d->console_tokens = GUEST_CONSOLE_BURST;
	d->created_at = NOW();
	d->nr_vcpus = cfg->vcpus;
	if (as_create(&d->as))
		goto nomem;
	d->shared_info = alloc_pages_virt(0);
	d->start_info = alloc_pages_virt(0);
	d->vcpus = xzalloc_bytes(sizeof(*d->vcpus) * cfg->vcpus);
	if (!d->shared_info || !d->start_info || !d->vcpus || evtchn_init(d))
		goto nomem;
	memset(d->shared_info, 0, PAGE_SIZE);
	memset(d->start_info, 0, PAGE_SIZE);
	if (sched_init_domain(d, err, errlen)) {
		domain_free_resources(d);
		return NULL;
	}
	for (i = 0; i < cfg->vcpus; i++) {
		d->vcpus[i] = alloc_vcpu(d, i);
		if (!d->vcpus[i] || sched_init_vcpu(d->vcpus[i]))
			goto nomem;
	}

	spin_lock(&domlist_lock);
	d->domid = next_domid++;
	d->next_in_list = domain_list;
	domain_list = d;
	nr_alive++;
	spin_unlock(&domlist_lock);
	return d;

nomem:
	snprintf(err, errlen, "out of memory for the domain's structures");
	if (d)
		domain_free_resources(d);
	return NULL;
}

void domain_start(struct domain *d)
{
	unsigned int i;

	for (i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *v = d->vcpus[i];

		if (test_and_clear_bit(VPF_DOWN, &v->pause_flags))
			vcpu_wake(v);
	}
}

/* ------------------------------------------------------------------ */
/* Shutdown, crash and destruction                                     */

static void reaper_fn(void *unused);

void domain_shutdown(struct domain *d, u32 reason, u32 code)
{
	unsigned long flags;
	unsigned int i;

	flags = spin_lock_irqsave(&d->shutdown_lock);
	if (d->is_shutting_down) {
		spin_unlock_irqrestore(&d->shutdown_lock, flags);
		return;
	}
	d->shutdown_reason = reason;
	d->shutdown_code = code;
	WRITE_ONCE(d->is_shutting_down, true);
	spin_unlock_irqrestore(&d->shutdown_lock, flags);

	guest_console_report_drops(d);
	pr_info("Domain %u (%s) shut down: %s, code %u, after %ld ms\n",
		d->domid, d->name,
		reason <= SHUTDOWN_MAX ? shutdown_names[reason] : "?", code,
		(NOW() - d->created_at) / 1000000);
	for (i = 0; i < d->nr_vcpus; i++) {
		set_bit(VPF_DOWN, &d->vcpus[i]->pause_flags);
		vcpu_sleep_nosync(d->vcpus[i]);
	}
	sched_dump_domain(d);
	if (is_hvm_domain(d))
		hvm_report_domain(d);

	flags = spin_lock_irqsave(&reap_lock);
	ASSERT(nr_reap < ARRAY_SIZE(reap_list));
	reap_list[nr_reap++] = d;
	spin_unlock_irqrestore(&reap_lock, flags);
	set_timer(&reaper_timer, NOW());
}

void domain_crash(struct domain *d, const char *why,
		  const struct cpu_user_regs *regs)
{
	struct vcpu *v = current;

	if (d->is_shutting_down)
		return;
	d->crashed = true;
	pr_err("Domain %u (%s) crashed: %s (vCPU %u on CPU %u)\n", d->domid,
	       d->name, why, v->domain == d ? v->vcpu_id : 0,
	       smp_processor_id());
	if (regs)
		show_guest_registers(regs);
	domain_shutdown(d, SHUTDOWN_crash, regs ? (u32)regs->vector : 0);
}

static void unlink_domain(struct domain *d);

/* Returns what d holds to the allocators; d must not run anywhere. */
void domain_free_resources(struct domain *d)
{
	unsigned int i;

	if (is_hvm_domain(d))
		hvm_domain_destroy(d);
	for (i = 0; d->vcpus && i < d->nr_vcpus; i++) {
		struct vcpu *v = d->vcpus[i];

		if (!v)
			continue;
		if (v->sched_priv)
			sched_destroy_vcpu(v);
		arch_vcpu_destroy(v);
	}
	sched_destroy_domain(d);
	evtchn_destroy(d);
	guest_memory_free(d);
	as_destroy(&d->as);
	if (d->shared_info)
		free_pages_virt(d->shared_info, 0);
	if (d->start_info)
		free_pages_virt(d->start_info, 0);
	d->shared_info = NULL;
	d->start_info = NULL;
	unlink_domain(d);
	put_domain(d);
}

/*
 * Takes d off the domain list if it is on it (a domain refused while
 * being built never ran: its end is not counted as an outcome).
 */
static void unlink_domain(struct domain *d)
{
	struct domain **pp;
	bool found = false;

	spin_lock(&domlist_lock);
	for (pp = &domain_list; *pp; pp = &(*pp)->next_in_list) {
		if (*pp == d) {
			*pp = d->next_in_list;
			found = true;
			break;
		}
	}
	if (found)
		nr_alive--;
	if (found && d->is_shutting_down) {
		if (d->shutdown_reason == SHUTDOWN_poweroff)
			nr_poweroff++;
		else if (d->shutdown_reason == SHUTDOWN_crash)
			nr_crashed++;
		else
			nr_other++;
	}
	spin_unlock(&domlist_lock);
}

static bool domain_off_cpus(const struct domain *d)
{
	unsigned int i;

	for (i = 0; i < d->nr_vcpus; i++)
		if (!vcpu_is_off_cpu(d->vcpus[i]))
			return false;
	return true;
}

static struct page_alloc_stats pages_before;
static struct xmalloc_stats heap_before;
static u64 timer_heaps_before;

/*
 * Bytes the timer heaps hold: they grow with the timers domains set and
 * never shrink, which is not a leak.
 */
static u64 timer_heap_bytes(void)
{
	struct timer_stats st;
	unsigned int cpu;
	u64 bytes = 0;

	for_each_online_cpu (cpu) {
		timer_get_stats(cpu, &st);
		if (st.heap_limit)
			bytes += (st.heap_limit + 1) * sizeof(void *);
	}
	return bytes;
}

void domains_record_baseline(void)
{
	page_alloc_get_stats(&pages_before);
	xmalloc_get_stats(&heap_before);
	timer_heaps_before = timer_heap_bytes();
}

/* Every domain is gone: say so, and end the run under a test harness. */
static void all_domains_done(void)
{
	struct page_alloc_stats pages;
	struct xmalloc_stats heap;
	s64 heap_delta, page_delta;

	page_alloc_get_stats(&pages);
	xmalloc_get_stats(&heap);
	pr_info("All domains have shut down: %u poweroff, %u crashed, %u other\n",
		nr_poweroff, nr_crashed, nr_other);
	sched_report();
	console_report();
	heap_delta = (s64)(heap.bytes_in_use - heap_before.bytes_in_use) -
		     (s64)(timer_heap_bytes() - timer_heaps_before);
	page_delta = (s64)(pages_before.free_pages - pages.free_pages);
	if (heap_delta || page_delta > MAX_POOL_PAGES_KEPT)
		pr_err("Memory leak after the domains: %ld heap bytes and %ld pages not returned\n",
		       (long)heap_delta, (long)page_delta);
	else
		pr_info("Memory after the domains: all returned (heap exact, %ld pool pages kept)\n",
			(long)page_delta);
	/*
	 * Busy guests keep the idle loops, which drain the trace rings, from
	 * running; now they can, and a harness wants every record.
	 */
	trace_flush(TRACE_FLUSH_AFTER_DOMAINS);
	if (under_test_harness())
		machine_exit(EXIT_PASS);
}

/* Destroys each stopped domain whose vCPUs have all left the CPUs. */
static void reaper_fn(void *unused)
{
	struct domain *ready[ARRAY_SIZE(reap_list)];
	unsigned int i, n = 0, left = 0;
	unsigned long flags;
	bool last;

	flags = spin_lock_irqsave(&reap_lock);
	for (i = 0; i < nr_reap; i++) {
		if (domain_off_cpus(reap_list[i]))
			ready[n++] = reap_list[i];
		else
			reap_list[left++] = reap_list[i];
	}
	nr_reap = left;
	spin_unlock_irqrestore(&reap_lock, flags);
	if (left)
		set_timer(&reaper_timer, NOW() + REAPER_RETRY);

	for (i = 0; i < n; i++) {
		struct domain *d = ready[i];

		d->is_dead = true;
		domain_free_resources(d); /* unlinks it, drops the list's ref */
	}
	spin_lock(&domlist_lock);
	last = n && nr_alive == 0;
	spin_unlock(&domlist_lock);
	if (last)
		all_domains_done();
}

void domains_init(void)
{
	init_timer(&reaper_timer, reaper_fn, NULL, 0);
}

/* ------------------------------------------------------------------ */
/* References and lookups                                              */

struct domain *get_domain_by_id(u16 domid)
{
	struct domain *d;

	if (domid == DOMID_SELF)
		domid = current->domain->domid;
	spin_lock(&domlist_lock);
	for (d = domain_list; d; d = d->next_in_list)
		if (d->domid == domid && !d->is_dead) {
			atomic_inc(&d->refcnt);
			break;
		}
	spin_unlock(&domlist_lock);
	return d;
}

struct domain *get_domain_by_name(const char *name)
{
	struct domain *d;

	spin_lock(&domlist_lock);
	for (d = domain_list; d; d = d->next_in_list)
		if (!strcmp(d->name, name) && !d->is_dead) {
			atomic_inc(&d->refcnt);
			break;
		}
	spin_unlock(&domlist_lock);
	return d;
}

void put_domain(struct domain *d)
{
	if (atomic_dec_and_test(&d->refcnt))
		free_domain_struct(d);
}

void for_each_domain(void (*fn)(struct domain *d, void *arg), void *arg)
{
	struct domain *d;

	spin_lock(&domlist_lock);
	for (d = domain_list; d; d = d->next_in_list)
		fn(d, arg);
	spin_unlock(&domlist_lock);
}

unsigned int domains_alive(void)
{
	return READ_ONCE(nr_alive);
}

static void dump_one_domain(struct domain *d, void *arg)
{
	unsigned int i;

	printk("  Domain %u (%s): %s%u vCPU%s, %lu KiB, %s\n", d->domid,
	       d->name, is_hvm_domain(d) ? "HVM, " : "", d->nr_vcpus,
	       d->nr_vcpus == 1 ? "" : "s",
	       (unsigned long)(d->config.mem >> 10),
	       d->is_shutting_down ? "shutting down" : "running");
	sched_dump_domain(d);
	for (i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *v = d->vcpus[i];
		struct vcpu_info *vi = v->vcpu_info;

		if (is_hvm_vcpu(v)) {
			hvm_dump_vcpu(v);
			continue;
		}
		printk("    vCPU %u: CPU %u, flags %lx, upcall pending %u mask %u, upcall entry %#lx\n",
		       v->vcpu_id, v->processor, v->pause_flags,
		       READ_ONCE(vi->evtchn_upcall_pending),
		       READ_ONCE(vi->evtchn_upcall_mask),
		       (unsigned long)v->upcall_entry);
	}
}

void dump_domains(void)
{
	printk("Domains: %u alive (%u poweroff, %u crashed, %u other so far)\n",
	       nr_alive, nr_poweroff, nr_crashed, nr_other);
	for_each_domain(dump_one_domain, NULL);
}
