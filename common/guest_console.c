/*
 * A domain's console output (include/guest_console.h): lines prefixed
 * with the domain's id, printable ASCII only, under a per-domain byte
 * budget; shared by the console hypercall and the HVM UART.
 */
#include <console.h>
#include <domain.h>
#include <guest_console.h>
#include <printk.h>
#include <public/console.h>
#include <spinlock.h>
#include <systime.h>

/* A guest line up to this long reaches the log whole, in one printk. */
#define CONSOLE_CHUNK 256

/* Prints what the guest wrote so far on this line; "(dN) " at a start. */
static void guest_console_flush(struct vcpu *v, char *line, size_t n)
{
	line[n] = '\0';
	if (v->console_midline)
		printk("%s", line);
	else
		printk("(d%u) %s", v->domain->domid, line);
	v->console_midline = line[n - 1] != '\n';
}

/*
 * Writes the guest's bytes in lines, printable ASCII only; a write that
 * does not end its line is continued by the vCPU's next one.
 */
static void guest_console_put(struct vcpu *v, const char *buf, size_t len)
{
	char line[CONSOLE_CHUNK + 1];
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		char c = buf[i];

		if (c != '\n' && c != '\t' && (c < 0x20 || c > 0x7e))
			c = '?';
		line[n++] = c;
		if (c == '\n' || n == CONSOLE_CHUNK) {
			guest_console_flush(v, line, n);
			n = 0;
		}
	}
	if (n)
		guest_console_flush(v, line, n);
}

/* Prints how much of d's output was dropped since the last report, and why. */
static void console_report_drops(struct domain *d, u64 over_rate, u64 busy)
{
	bool midline = current->domain == d && current->console_midline;

	if (over_rate)
		printk("%s(d%u) [console: %lu bytes dropped: over %u bytes/s]\n",
		       midline ? "\n" : "", d->domid, (unsigned long)over_rate,
		       GUEST_CONSOLE_RATE);
	if (busy)
		printk("%s(d%u) [console: %lu bytes dropped: the console was "
		       "busy]\n",
		       midline && !over_rate ? "\n" : "", d->domid,
		       (unsigned long)busy);
	if (midline && (over_rate || busy))
		current->console_midline = false;
}

/*
 * How many of count bytes d may print now: none while the console is
 * congested (other domains' output fills it), else what its token bucket
 * holds (GUEST_CONSOLE_RATE a second, GUEST_CONSOLE_BURST at most). The
 * rest is counted as dropped; earlier drops are reported, once a second
 * at most, when output goes on.
 */
static size_t console_budget(struct domain *d, size_t count)
{
	s_time_t now = NOW();
	bool busy = console_congested();
	unsigned long flags = spin_lock_irqsave(&d->console_lock);
	s64 earned =
		(now - d->console_refilled) * GUEST_CONSOLE_RATE / NSEC_PER_SEC;
	u64 over_rate = 0, over_busy = 0;
	size_t allowed = 0;
	s64 have;

	if (earned > 0) {
		have = d->console_tokens + earned;
		d->console_tokens = min(have, (s64)GUEST_CONSOLE_BURST);
		d->console_refilled = now;
	}
	if (!busy) {
		have = max(d->console_tokens, (s64)0);
		allowed = min((s64)count, have);
		d->console_tokens -= allowed;
	}
	if (allowed && (d->console_dropped || d->console_dropped_busy) &&
	    now - d->console_reported >= SECONDS(1)) {
		over_rate = d->console_dropped;
		over_busy = d->console_dropped_busy;
		d->console_dropped = d->console_dropped_busy = 0;
		d->console_reported = now;
	}
	if (busy)
		d->console_dropped_busy += count;
	else
		d->console_dropped += count - allowed;
	spin_unlock_irqrestore(&d->console_lock, flags);
	console_report_drops(d, over_rate, over_busy);
	return allowed;
}

void guest_console_report_drops(struct domain *d)
{
	unsigned long flags = spin_lock_irqsave(&d->console_lock);
	u64 over_rate = d->console_dropped, busy = d->console_dropped_busy;

	d->console_dropped = d->console_dropped_busy = 0;
	spin_unlock_irqrestore(&d->console_lock, flags);
	console_report_drops(d, over_rate, busy);
}

size_t guest_console_write(struct vcpu *v, const char *buf, size_t len)
{
	size_t allowed = console_budget(v->domain, len);

	if (allowed)
		guest_console_put(v, buf, allowed);
	return allowed;
}
