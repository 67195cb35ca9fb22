/*
 * A domain's console (common/guest_console.c): what a guest writes,
 * through the console hypercall (public/console.h) or its virtual UART,
 * reaches the hypervisor's log a line at a time, each line prefixed with
 * "(dN) ", under the domain's budget of GUEST_CONSOLE_RATE bytes a second
 * in bursts of GUEST_CONSOLE_BURST; what is over it, or comes while the
 * console is congested, is dropped and counted, and the count is printed
 * when output resumes or the domain ends.
 *
 * Concurrency: any context but NMI; the budget has its own lock per
 * domain. A line is printed whole by one printk.
 */
#ifndef KAIROS_GUEST_CONSOLE_H
#define KAIROS_GUEST_CONSOLE_H

#include <types.h>

struct domain;
struct vcpu;

/*
 * Prints up to len bytes that v wrote; returns how many it printed (the
 * rest was over the budget and is counted as dropped).
 */
size_t guest_console_write(struct vcpu *v, const char *buf, size_t len);

/* Says how much of d's console output was dropped, if any (at its end). */
void guest_console_report_drops(struct domain *d);

#endif /* KAIROS_GUEST_CONSOLE_H */
