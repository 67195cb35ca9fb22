/*
 * The vendor-neutral half of HVM vCPUs (include/hvm.h): their life
 * cycle beside the portable struct vcpu, INIT and start-up IPIs, the
 * context switch's part, and what the debug keys and the end-of-domain
 * report show.
 */
#include <asm/fpu.h>
#include <asm/hvm/hvm.h>
#include <asm/processor.h>
#include <domain.h>
#include <errno.h>
#include <hvm.h>
#include <printk.h>
#include <sched.h>
#include <string.h>
#include <xmalloc.h>

#define DEFINE_DR_ACCESSORS(n)                                               \
	static inline u64 read_dr##n(void)                                   \
	{                                                                    \
		u64 v;                                                       \
		__asm__ __volatile__("mov %%dr" #n ", %0" : "=r"(v));        \
		return v;                                                    \
	}                                                                    \
	static inline void write_dr##n(u64 v)                                \
	{                                                                    \
		__asm__ __volatile__("mov %0, %%dr" #n ::"r"(v) : "memory"); \
	}
DEFINE_DR_ACCESSORS(0)
DEFINE_DR_ACCESSORS(1)
DEFINE_DR_ACCESSORS(2)
DEFINE_DR_ACCESSORS(3)
#undef DEFINE_DR_ACCESSORS

/* ------------------------------------------------------------------ */
/* vCPUs                                                               */

int hvm_vcpu_create(struct vcpu *v)
{
	struct hvm_vcpu *hv = xzalloc(struct hvm_vcpu);
	int rc;

	if (!hv)
		return -ENOMEM;
	hv->vcpu = v;
	v->hvm = hv;
	vlapic_init(v, v->vcpu_id == 0);
	hv->tsc_aux = v->vcpu_id;
	rc = svm_vcpu_init(v);
	if (rc)
		return rc;
	/* Application processors wait for their start-up IPI. */
	if (v->vcpu_id)
		set_bit(VPF_WAIT_SIPI, &v->pause_flags);
	return 0;
}

static void hvm_vcpu_free(struct vcpu *v)
{
	if (!v->hvm)
		return;
	vlapic_destroy(v);
	svm_vcpu_destroy(v);
	xfree(v->hvm);
	v->hvm = NULL;
}

void hvm_domain_destroy(struct domain *d)
{
	struct hvm_domain *hd = d->hvm;
	unsigned int i;

	if (!hd)
		return;
	vioapic_destroy(d); /* no device interrupt reaches a vCPU freed below */
	for (i = 0; d->vcpus && i < d->nr_vcpus; i++)
		if (d->vcpus[i])
			hvm_vcpu_free(d->vcpus[i]);
	vuart_destroy(d);
	npt_destroy(d);
	xfree(hd->ports_reported);
	hd->ports_reported = NULL;
}

void hvm_domain_free(struct domain *d)
{
	xfree(d->hvm);
	d->hvm = NULL;
}

void hvm_vcpu_move_timers(struct vcpu *v, unsigned int cpu)
{
	vlapic_move_timer(v, cpu);
}

void hvm_switch_from(struct vcpu *prev)
{
	struct hvm_vcpu *hv = prev->hvm;
	u64 host_xcr0 = fpu_xfeatures();

	hvm_exit_close(prev);
	hv->dr[0] = read_dr0();
	hv->dr[1] = read_dr1();
	hv->dr[2] = read_dr2();
	hv->dr[3] = read_dr3();
	/* fpu_save() must see every component the hypervisor switches. */
	if (host_xcr0 && hv->xcr0 != host_xcr0)
		xsetbv(0, host_xcr0);
}

void hvm_switch_to(struct vcpu *next)
{
	struct hvm_vcpu *hv = next->hvm;
	u64 host_xcr0 = fpu_xfeatures();

	write_dr0(hv->dr[0]);
	write_dr1(hv->dr[1]);
	write_dr2(hv->dr[2]);
	write_dr3(hv->dr[3]);
	/* The guest's XCR0 stays live until the next switch: nothing else
	 * in the hypervisor uses XSAVE. */
	if (host_xcr0 && hv->xcr0 != host_xcr0)
		xsetbv(0, hv->xcr0);
}

/* ------------------------------------------------------------------ */
/* INIT and start-up IPIs                                              */

/* True if nothing but an INIT, SIPI or NMI from outside can restart v. */
static bool vcpu_stopped_for_good(const struct vcpu *v)
{
	if (test_bit(VPF_WAIT_SIPI, &v->pause_flags))
		return true;
	return test_bit(VPF_BLOCKED, &v->pause_flags) &&
	       READ_ONCE(v->hvm->halted_irq_off) &&
	       !READ_ONCE(v->hvm->nmi_pending);
}

void hvm_check_stuck(struct domain *d)
{
	unsigned int i;

	for (i = 0; i < d->nr_vcpus; i++)
		if (!vcpu_stopped_for_good(d->vcpus[i]))
			return;
	domain_crash(d,
		     "every vCPU is halted with interrupts off or waits for a "
		     "start-up IPI: nothing can wake the domain",
		     NULL);
}

void hvm_vcpu_init_signal(struct vcpu *target)
{
	if (test_and_set_bit(VPF_WAIT_SIPI, &target->pause_flags))
		return; /* waiting already: a second INIT changes nothing */
	/* Its own CPU resets its state when the SIPI comes. */
	WRITE_ONCE(target->hvm->reset_pending, true);
	vcpu_sleep_nosync(target);
	hvm_check_stuck(target->domain);
}

void hvm_vcpu_startup_signal(struct vcpu *target, u8 vector)
{
	struct hvm_vcpu *hv = target->hvm;

	/* A SIPI to a vCPU not waiting for one is ignored (SDM 9.4.4.2). */
	if (!test_bit(VPF_WAIT_SIPI, &target->pause_flags) ||
	    READ_ONCE(hv->sipi_pending))
		return;
	hv->sipi_vector = vector;
	smp_wmb(); /* the vector before the flag the vCPU looks at */
	WRITE_ONCE(hv->sipi_pending, true);
	clear_bit(VPF_WAIT_SIPI, &target->pause_flags);
	vcpu_wake(target);
}

/* ------------------------------------------------------------------ */
/* Dumps and reports                                                   */

struct next_domain {
	u16 after, found;
};

static void find_next_hvm(struct domain *d, void *arg)
{
	struct next_domain *n = arg;

	if (is_hvm_domain(d) && !d->is_shutting_down && d->domid > n->after &&
	    (!n->found || d->domid < n->found))
		n->found = d->domid;
}

u16 hvm_next_console_domain(u16 domid)
{
	struct next_domain n = {.after = domid};

	for_each_domain(find_next_hvm, &n);
	return n.found;
}

bool hvm_console_input(u16 domid, u8 c)
{
	struct domain *d = get_domain_by_id(domid);
	bool ok = d && is_hvm_domain(d) && !d->is_shutting_down;

	if (ok)
		vuart_input(d, c);
	if (d)
		put_domain(d);
	return ok;
}

const char *hvm_exit_name(unsigned int reason)
{
	return reason < HVM_EXIT_NR ? hvm_exit_names[reason] : "?";
}

void hvm_dump_vcpu(struct vcpu *v)
{
	struct hvm_vcpu *hv = v->hvm;
	u64 total = 0;
	unsigned int i;

	for (i = 0; i < HVM_EXIT_NR; i++)
		total += hv->exits[i].count;
	printk("    vCPU %u: CPU %u, flags %lx, HVM rip %lx, %lu exits, %lu interrupts injected%s%s\n",
	       v->vcpu_id, v->processor, v->pause_flags,
	       (unsigned long)v->user_regs.rip, (unsigned long)total,
	       (unsigned long)hv->injections,
	       test_bit(VPF_WAIT_SIPI, &v->pause_flags) ? ", waiting for SIPI"
							: "",
	       test_bit(VPF_BLOCKED, &v->pause_flags) ? ", halted" : "");
	vlapic_dump(v);
	/* The domain's devices once, after its last vCPU. */
	if (v->vcpu_id == v->domain->nr_vcpus - 1)
		vioapic_dump(v->domain);
}

void hvm_report_domain(struct domain *d)
{
	struct hvm_exit_stat sum[HVM_EXIT_NR];
	char line[512];
	size_t n;
	u64 total = 0;
	unsigned int i, r;

	memset(sum, 0, sizeof(sum));
	for (i = 0; i < d->nr_vcpus; i++) {
		for (r = 0; r < HVM_EXIT_NR; r++) {
			const struct hvm_exit_stat *s =
				&d->vcpus[i]->hvm->exits[r];

			sum[r].count += s->count;
			sum[r].cycles += s->cycles;
			sum[r].cycles_max =
				max(sum[r].cycles_max, s->cycles_max);
		}
	}
	n = 0;
	for (r = 0; r < HVM_EXIT_NR; r++) {
		if (!sum[r].count)
			continue;
		total += sum[r].count;
		n += snprintf(line + n, sizeof(line) - n,
			      "%s %s %lu (mean %lu cycles)", n ? "," : "",
			      hvm_exit_names[r], (unsigned long)sum[r].count,
			      (unsigned long)(sum[r].cycles / sum[r].count));
		if (n >= sizeof(line))
			break;
	}
	printk("Domain %u (%s): %lu HVM exits:%s\n", d->domid, d->name,
	       (unsigned long)total, total ? line : " none");
}
