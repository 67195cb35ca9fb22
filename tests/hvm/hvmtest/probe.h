/*
 * Interrupt probes: a handler the suites put on a vector to see an
 * interrupt arrive. It counts, stamps the TSC, notes whether the vector's
 * ISR bit was set inside the handler (it must be: SDM Vol. 3A 10.8.4) and
 * EOIs, unless the probe defers the EOI to the test.
 */
#ifndef HVMTEST_PROBE_H
#define HVMTEST_PROBE_H

#include "arch.h"

#define PROBE_MAX_STAMPS 64

struct probe {
	u8 vector;
	bool no_eoi;	    /* the test EOIs (to see ISR while in service) */
	volatile u32 count; /* interrupts taken */
	volatile bool isr_inside; /* the ISR bit, at the last one */
	volatile bool irr_inside; /* the IRR bit, at the last one */
	volatile u64
		stamp[PROBE_MAX_STAMPS]; /* TSC at each of the first ones */
	void (*hook)(struct probe *p);	 /* called inside, after the stamp */
};

/* Resets p and puts it on p->vector. */
void probe_install(struct probe *p, u8 vector);

/* Takes it off again (the vector becomes unexpected). */
void probe_remove(struct probe *p);

#endif /* HVMTEST_PROBE_H */
