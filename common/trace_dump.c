/*
 * Trace records as text (include/trace_dump.h): the flight recorder of
 * every CPU, decoded on board for the panic report and the z key.
 */
#include <cpumask.h>
#include <hvm.h>
#include <printk.h>
#include <softirq.h>
#include <symbols.h>
#include <systime.h>
#include <time_scale.h>
#include <trace_dump.h>

/* Records one dump can print per CPU (trace_last_records() keeps 16). */
#define DUMP_MAX_RECORDS 16
#define RECORD_LINE_MAX	 160

static const char *const event_names[] = {
	[TRACE_INFO] = "info",
	[TRACE_LOST] = "lost",
	[TRACE_IRQ_ENTRY] = "irq_entry",
	[TRACE_IRQ_EXIT] = "irq_exit",
	[TRACE_SOFTIRQ_RAISE] = "softirq_raise",
	[TRACE_SOFTIRQ_ENTRY] = "softirq_entry",
	[TRACE_SOFTIRQ_EXIT] = "softirq_exit",
	[TRACE_TIMER_SET] = "timer_set",
	[TRACE_TIMER_STOP] = "timer_stop",
	[TRACE_TIMER_FIRE] = "timer_fire",
	[TRACE_CLOCKEVENT_PROGRAM] = "clockevent_program",
	[TRACE_IDLE_ENTER] = "idle_enter",
	[TRACE_IDLE_EXIT] = "idle_exit",
	[TRACE_IPI_SEND] = "ipi_send",
	[TRACE_S_TIMER_FIRE] = "s_timer_fire",
	[TRACE_SCHEDULE] = "schedule",
	[TRACE_CONTEXT_SWITCH] = "context_switch",
	[TRACE_VCPU_WAKE] = "vcpu_wake",
	[TRACE_VCPU_BLOCK] = "vcpu_block",
	[TRACE_VCPU_POLL] = "vcpu_poll",
	[TRACE_VIRQ_DELIVER] = "virq_deliver",
	[TRACE_HYPERCALL_ENTRY] = "hypercall_entry",
	[TRACE_HYPERCALL_EXIT] = "hypercall_exit",
	[TRACE_HVM_EXIT] = "hvm_exit",
	[TRACE_HVM_ENTRY] = "hvm_entry",
	[TRACE_HVM_INJECT] = "hvm_inject",
	[TRACE_HVM_VTIMER] = "hvm_vtimer",
};
/* A new event needs its name here (and its arguments below). */
BUILD_BUG_ON(ARRAY_SIZE(event_names) != TRACE_NR_EVENTS);

static const char *const softirq_names[] = {
	[TIMER_SOFTIRQ] = "TIMER",
	[SCHEDULE_SOFTIRQ] = "SCHEDULE",
	[TASKLET_SOFTIRQ] = "TASKLET",
	[TEST_SOFTIRQ] = "TEST",
};
BUILD_BUG_ON(ARRAY_SIZE(softirq_names) != NR_SOFTIRQS);

const char *softirq_name(unsigned int nr)
{
	return nr < NR_SOFTIRQS ? softirq_names[nr] : "?";
}

/* "[    1.234567890] ": system time when the TSC runs it, else raw TSC. */
static int format_time(u64 tsc, char *buf, size_t size)
{
	u64 hz = tsc_hz(), tsc0, ns;

	if (!tsc_reliable() || !hz || tsc < (tsc0 = stime_to_tsc(0)))
		return snprintf(buf, size, "[c%13lu] ", (unsigned long)tsc);
	ns = mul_div_u64(tsc - tsc0, NSEC_PER_SEC, hz);
	return snprintf(buf, size, "[%5lu.%09lu] ",
			(unsigned long)(ns / NSEC_PER_SEC),
			(unsigned long)(ns % NSEC_PER_SEC));
}

/* "name+0x12/0x40" for a code address, else its hex value. */
static const char *format_symbol(u64 addr, char *buf, size_t size)
{
	unsigned long off, len;
	const char *name = symbols_lookup(addr, &off, &len);

	if (name)
		snprintf(buf, size, "%s+%#lx/%#lx", name, off, len);
	else
		snprintf(buf, size, "%#lx", (unsigned long)addr);
	return buf;
}

/* The event's arguments in words (include/trace.h documents them). */
static void format_args(const struct trace_record *r, char *buf, size_t size)
{
	char sym[80];

	switch (r->event) {
	case TRACE_INFO:
		snprintf(buf, size, "format %u, TSC %lu Hz, TSC %lu at time 0",
			 r->a, (unsigned long)r->b, (unsigned long)r->c);
		break;
	case TRACE_LOST:
		snprintf(buf, size, "%u records dropped", r->a);
		break;
	case TRACE_IRQ_ENTRY:
	case TRACE_IRQ_EXIT:
		snprintf(buf, size, "vector %#x", r->a);
		break;
	case TRACE_SOFTIRQ_RAISE:
		snprintf(buf, size, "%s on CPU%lu", softirq_name(r->a),
			 (unsigned long)r->b);
		break;
	case TRACE_SOFTIRQ_ENTRY:
	case TRACE_SOFTIRQ_EXIT:
		snprintf(buf, size, "%s", softirq_name(r->a));
		break;
	case TRACE_TIMER_SET:
		snprintf(buf, size, "timer %#lx expires %ld slack %u ns",
			 (unsigned long)r->b, (long)r->c, r->a);
		break;
	case TRACE_TIMER_STOP:
		snprintf(buf, size, "timer %#lx", (unsigned long)r->b);
		break;
	case TRACE_TIMER_FIRE:
		snprintf(buf, size, "%s timer %#lx, %u ns late",
			 format_symbol(r->b, sym, sizeof(sym)),
			 (unsigned long)r->c, r->a);
		break;
	case TRACE_CLOCKEVENT_PROGRAM:
		if (r->a == 2)
			snprintf(buf, size, "cancelled");
		else
			snprintf(buf, size, "%s for %ld",
				 r->a ? "armed" : "refused", (long)r->c);
		break;
	case TRACE_IPI_SEND:
		if (r->b == ~0ULL)
			snprintf(buf, size, "vector %#x to all other CPUs",
				 r->a);
		else
			snprintf(buf, size, "vector %#x to CPU%lu", r->a,
				 (unsigned long)r->b);
		break;
	case TRACE_IDLE_ENTER:
	case TRACE_IDLE_EXIT:
	case TRACE_S_TIMER_FIRE:
		buf[0] = '\0';
		break;
	case TRACE_HVM_EXIT:
		snprintf(buf, size, "%s d%luv%lu rip %#lx", hvm_exit_name(r->a),
			 (unsigned long)(r->b >> 16),
			 (unsigned long)(r->b & 0xffff), (unsigned long)r->c);
		break;
	case TRACE_HVM_ENTRY:
		snprintf(buf, size, "d%luv%lu after %s, %u cycles",
			 (unsigned long)(r->b >> 16),
			 (unsigned long)(r->b & 0xffff),
			 hvm_exit_name((unsigned int)r->c), r->a);
		break;
	case TRACE_HVM_INJECT:
		snprintf(buf, size, "vector %#x into d%luv%lu (%s)", r->a,
			 (unsigned long)(r->b >> 16),
			 (unsigned long)(r->b & 0xffff),
			 r->c == 2   ? "NMI"
			 : r->c == 3 ? "exception"
				     : "interrupt");
		break;
	case TRACE_HVM_VTIMER:
		snprintf(buf, size, "vector %#lx for d%luv%lu, %u ns late",
			 (unsigned long)r->c, (unsigned long)(r->b >> 16),
			 (unsigned long)(r->b & 0xffff), r->a);
		break;
	default:
		snprintf(buf, size, "a %#x b %#lx c %#lx", r->a,
			 (unsigned long)r->b, (unsigned long)r->c);
	}
}

void trace_format_record(const struct trace_record *rec, char *buf, size_t size)
{
	const char *name =
		rec->event < TRACE_NR_EVENTS ? event_names[rec->event] : NULL;
	char args[RECORD_LINE_MAX];
	int len = format_time(rec->tsc, buf, size);

	if (len < 0 || (size_t)len >= size)
		return;
	format_args(rec, args, sizeof(args));
	if (!name)
		snprintf(buf + len, size - len, "CPU%u event %u: %s", rec->cpu,
			 rec->event, args);
	else if (args[0])
		snprintf(buf + len, size - len, "CPU%u %-18s %s", rec->cpu,
			 name, args);
	else
		snprintf(buf + len, size - len, "CPU%u %s", rec->cpu, name);
}

void trace_dump_recent(unsigned int n, const char *level)
{
	struct trace_record recs[DUMP_MAX_RECORDS];
	char line[RECORD_LINE_MAX + 40];
	u64 written, dropped, drained;
	unsigned int cpu, got, i;

	if (n > DUMP_MAX_RECORDS)
		n = DUMP_MAX_RECORDS;
	printk("%sLast trace records, up to %u per CPU, oldest first (tracing %s):\n",
	       level, n, READ_ONCE(trace_classes) ? "on" : "off");
	for_each_online_cpu (cpu) {
		trace_get_counts(cpu, &written, &dropped, &drained);
		got = trace_last_records(cpu, recs, n);
		printk("%sCPU%u: %u shown; %lu recorded, %lu dropped, %lu drained\n",
		       level, cpu, got, (unsigned long)written,
		       (unsigned long)dropped, (unsigned long)drained);
		for (i = 0; i < got; i++) {
			trace_format_record(&recs[i], line, sizeof(line));
			printk("%s  %s\n", level, line);
		}
	}
}
