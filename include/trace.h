/*
 * Tracing (common/trace.c): per-CPU rings of fixed-size binary records,
 * written without locks on the hot path, drained to the serial port in
 * framed, checksummed lines that survive interleaving with console text.
 * tools/ktrace.py decodes them. The wire format is fixed here and in
 * docs/trace.md; change both together, and bump TRACE_FORMAT_VERSION.
 *
 * Concurrency: trace() may be called from any context including NMI (the
 * NMI's record may be lost if it interrupts a record being written on the
 * same CPU: counted as dropped), on the calling CPU's ring only.
 * trace_set_classes() from any context. The drain runs on each CPU for
 * its own ring, from its idle loop.
 */
#ifndef KAIROS_TRACE_H
#define KAIROS_TRACE_H

#include <types.h>

#define TRACE_FORMAT_VERSION 1

/* One record: 32 bytes, little-endian, on the wire exactly as in memory. */
struct trace_record {
	u64 tsc;   /* RDTSC when the event happened */
	u16 event; /* enum trace_event */
	u16 cpu;
	u32 a; /* small argument (vector, softirq number, ns clamped) */
	u64 b;
	u64 c;
};

/*
 * Events and their arguments. Times are system time (ns) unless said; a
 * u32 "ns" argument saturates at 0xffffffff.
 */
enum trace_event {
	/* b: TSC Hz, c: TSC at system time 0, a: TRACE_FORMAT_VERSION;
	 * first in each CPU's stream, and again after the refinement. */
	TRACE_INFO = 1,
	/* a: records dropped; its place in the stream is the hole's, its
	 * tsc the first drop's. */
	TRACE_LOST = 2,
	TRACE_IRQ_ENTRY = 3,	 /* a: vector */
	TRACE_IRQ_EXIT = 4,	 /* a: vector */
	TRACE_SOFTIRQ_RAISE = 5, /* a: softirq number, b: target CPU */
	TRACE_SOFTIRQ_ENTRY = 6, /* a: softirq number */
	TRACE_SOFTIRQ_EXIT = 7,	 /* a: softirq number */
	TRACE_TIMER_SET = 8,	 /* a: slack ns, b: timer address, c: expires */
	TRACE_TIMER_STOP = 9,	 /* b: timer address */
	TRACE_TIMER_FIRE = 10,	 /* a: lateness ns, b: callback address,
				    c: timer address */
	TRACE_CLOCKEVENT_PROGRAM = 11, /* a: 1 armed, 0 refused, 2 cancelled;
					  c: deadline */
	TRACE_IDLE_ENTER = 12,
	TRACE_IDLE_EXIT = 13,
	TRACE_IPI_SEND = 14, /* a: vector, b: target CPU (~0: a mask) */
	/* The scheduler and guests (issues 6 and 7) */
	TRACE_S_TIMER_FIRE = 15,
	TRACE_SCHEDULE = 16, /* a: slice us (~0: none), b: prev, c: next vCPU */
	TRACE_CONTEXT_SWITCH = 17,  /* b: prev, c: next vCPU */
	TRACE_VCPU_WAKE = 18,	    /* b: vCPU */
	TRACE_VCPU_BLOCK = 19,	    /* b: vCPU */
	TRACE_VCPU_POLL = 20,	    /* b: vCPU, c: timeout */
	TRACE_VIRQ_DELIVER = 21,    /* a: port, b: vCPU */
	TRACE_HYPERCALL_ENTRY = 22, /* a: hypercall number, b: vCPU */
	TRACE_HYPERCALL_EXIT = 23,  /* a: hypercall number, b: result */
	/* HVM domains (include/hvm.h) */
	TRACE_HVM_EXIT = 24,   /* a: reason (enum hvm_exit_reason), b: vCPU,
				  c: guest RIP */
	TRACE_HVM_ENTRY = 25,  /* a: cycles since the exit (saturated),
				  b: vCPU, c: that exit's reason */
	TRACE_HVM_INJECT = 26, /* a: vector, b: vCPU, c: 0 interrupt,
				  2 NMI, 3 exception */
	TRACE_HVM_VTIMER = 27, /* a: lateness ns, b: vCPU, c: vector */
	TRACE_NR_EVENTS
};

/* Event classes, for trace= and the T debug key. */
#define TRACE_CLASS_IRQ	       (1U << 0) /* IRQ entry/exit, IPI send */
#define TRACE_CLASS_SOFTIRQ    (1U << 1)
#define TRACE_CLASS_TIMER      (1U << 2) /* timer set/stop/fire */
#define TRACE_CLASS_CLOCKEVENT (1U << 3)
#define TRACE_CLASS_IDLE       (1U << 4)
#define TRACE_CLASS_SCHED      (1U << 5)
#define TRACE_CLASS_GUEST      (1U << 6) /* hypercalls, virtual interrupts */
#define TRACE_CLASS_HVM	       (1U << 7) /* exits, entries, injections */
#define TRACE_CLASS_ALL	       0xffU

/* The classes being recorded now (0: tracing off). */
extern unsigned int trace_classes;

/* Records one event on the calling CPU's ring. */
void __trace(unsigned int event, u32 a, u64 b, u64 c);

/* Records the event if its class is on: one load and a branch when off. */
#define trace(cls, event, a, b, c)                                 \
	do {                                                       \
		if (__builtin_expect(trace_classes & (cls), 0))    \
			__trace((event), (a), (u64)(b), (u64)(c)); \
	} while (0)

/* Turns classes on or off (the T key toggles all). */
void trace_set_classes(unsigned int classes);

/*
 * Writes what the calling CPU's ring holds to the trace port, at most
 * max_records; returns how many it wrote. Interrupts enabled.
 */
unsigned int trace_drain(unsigned int max_records);

/*
 * The TSC's rate or origin changed (the refinement): every CPU's stream
 * gets a new TRACE_INFO before its next records. Any context.
 */
void trace_clock_changed(void);

/*
 * Before the machine stops (a test verdict): drains the calling CPU's
 * ring and waits, at most timeout, for the other CPUs to drain theirs.
 * Interrupts enabled.
 */
void trace_flush(s_time_t timeout);

/* True if the calling CPU's ring has records waiting. */
bool trace_pending(void);

/* Per-CPU counters: records written, dropped, drained. */
void trace_get_counts(unsigned int cpu, u64 *written, u64 *dropped,
		      u64 *drained);

/*
 * Copies the last n records of cpu's ring (oldest first) into out, for the
 * panic report and the z key; returns how many. Any context.
 */
unsigned int trace_last_records(unsigned int cpu, struct trace_record *out,
				unsigned int n);

/*
 * The arch's trace port (arch/x86/trace_port.c): trace_port=com1 (the
 * default: shared with the log, one frame per console-lock hold) or com2
 * (a port of its own, written with interrupts enabled). Writes one whole
 * frame line; any context but NMI.
 */
void trace_port_init(void);
void trace_port_write(const char *line, size_t len);

/* Boot CPU, after memory and time: per-CPU rings, trace= classes. */
void trace_init(void);
/* Each AP while it comes up: its ring. */
void trace_cpu_init(unsigned int cpu);

#endif /* KAIROS_TRACE_H */
