#include "lapic.h"
#include "probe.h"
#include "traps.h"

static struct probe *probes[256];

static void probe_handler(struct trap_frame *f)
{
	struct probe *p = probes[f->vector];
	u64 now = rdtsc_ordered();
	u32 n = p->count;

	if (n < PROBE_MAX_STAMPS)
		p->stamp[n] = now;
	p->isr_inside = lapic_vector_bit(APIC_ISR, p->vector);
	p->irr_inside = lapic_vector_bit(APIC_IRR, p->vector);
	WRITE_ONCE(p->count, n + 1);
	if (p->hook)
		p->hook(p);
	if (!p->no_eoi)
		lapic_eoi();
}

void probe_install(struct probe *p, u8 vector)
{
	bool no_eoi = p->no_eoi;
	void (*hook)(struct probe *) = p->hook;

	memset(p, 0, sizeof(*p));
	p->vector = vector;
	p->no_eoi = no_eoi;
	p->hook = hook;
	probes[vector] = p;
	set_irq_handler(vector, probe_handler);
}

void probe_remove(struct probe *p)
{
	set_irq_handler(p->vector, NULL);
	probes[p->vector] = NULL;
}
