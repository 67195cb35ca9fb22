/*
 * Tracing (include/trace.h, docs/trace.md): per-CPU rings of binary
 * records, a per-CPU flight recorder of the last few, and the drain that
 * frames records for the serial port.
 *
 * A ring has one producer and one consumer, both its own CPU: trace()
 * appends at head with interrupts off (an interrupt's record cannot tear
 * the one being written), the idle loop's drain consumes from tail with
 * interrupts on. A full ring drops the new record and counts it, so what
 * reaches the host is a contiguous stream with explicit holes
 * (TRACE_LOST records).
 */
#include <atomic.h>
#include <crc32.h>
#include <cycles.h>
#include <errno.h>
#include <irq.h>
#include <panic.h>
#include <param.h>
#include <percpu.h>
#include <printk.h>
#include <string.h>
#include <systime.h>
#include <trace.h>
#include <xmalloc.h>
#include <cpumask.h>

/* Records per frame line: 8 x 32 bytes, 344 characters of base64. */
#define FRAME_RECORDS 8
#define FRAME_MARKER  "@KT1 "
/* The flight recorder: the last records, always overwritten. */
#define RECENT_RECORDS 16

struct trace_ring {
	struct trace_record *rec;
	u32 mask;	       /* records - 1 (a power of two) */
	u64 head;	       /* next to write (producer) */
	u64 tail;	       /* next to drain (consumer) */
	bool writing;	       /* an NMI must not tear a record being written */
	u32 lost;	       /* dropped since the last TRACE_LOST went out */
	u64 lost_at;	       /* the ring position of the hole they left */
	u64 lost_tsc;	       /* when the first of them was dropped */
	unsigned int info_gen; /* trace_info_gen when TRACE_INFO last left */
	u64 written, dropped, drained;
	struct trace_record recent[RECENT_RECORDS];
	u64 recent_head;
};

static DEFINE_PER_CPU(struct trace_ring, trace_ring);

unsigned int trace_classes;
/* Bumped when the TSC's rate or origin changes: each CPU resends INFO. */
static unsigned int trace_info_gen = 1;
static unsigned int opt_trace_records = 4096;
integer_param("trace_buf", opt_trace_records);

static const struct {
	const char *name;
	unsigned int bits;
} class_names[] = {
	{"irq", TRACE_CLASS_IRQ},     {"softirq", TRACE_CLASS_SOFTIRQ},
	{"timer", TRACE_CLASS_TIMER}, {"clockevent", TRACE_CLASS_CLOCKEVENT},
	{"idle", TRACE_CLASS_IDLE},   {"sched", TRACE_CLASS_SCHED},
	{"guest", TRACE_CLASS_GUEST}, {"hvm", TRACE_CLASS_HVM},
	{"all", TRACE_CLASS_ALL},
};
static unsigned int opt_trace_classes;

/* trace=<class>[,<class>...]: which events to record from boot on. */
static int __init parse_trace(const char *value)
{
	unsigned int classes = 0;

	while (value && *value) {
		const char *end = strchr(value, ',');
		size_t len = end ? (size_t)(end - value) : strlen(value);
		unsigned int i;

		for (i = 0; i < ARRAY_SIZE(class_names); i++)
			if (strlen(class_names[i].name) == len &&
			    strncmp(class_names[i].name, value, len) == 0)
				break;
		if (i == ARRAY_SIZE(class_names))
			return -EINVAL;
		classes |= class_names[i].bits;
		value = end ? end + 1 : NULL;
	}
	if (!classes)
		return -EINVAL;
	opt_trace_classes = classes;
	return 0;
}
custom_param("trace", parse_trace,
	     "trace=<irq|softirq|timer|clockevent|idle|sched|guest|all>[,...]");

/* ------------------------------------------------------------------ */
/* Recording                                                           */

static void fill(struct trace_record *r, unsigned int event, u32 a, u64 b,
		 u64 c)
{
	r->tsc = get_cycles();
	r->event = (u16)event;
	r->cpu = (u16)smp_processor_id();
	r->a = a;
	r->b = b;
	r->c = c;
}

void __trace(unsigned int event, u32 a, u64 b, u64 c)
{
	struct trace_ring *ring = &this_cpu(trace_ring);
	unsigned long flags;

	if (!ring->rec)
		return;
	flags = local_irq_save();
	if (ring->writing) {
		/* An NMI inside a record: dropped, and counted only here (it
		 * has no place in the stream that the decoder could mark). */
		ring->dropped++;
		local_irq_restore(flags);
		return;
	}
	ring->writing = true;
	fill(&ring->recent[ring->recent_head++ % RECENT_RECORDS], event, a, b,
	     c);
	if (ring->head - READ_ONCE(ring->tail) > ring->mask) {
		if (ring->lost++ ==
		    0) { /* the hole starts after what is there */
			ring->lost_at = ring->head;
			ring->lost_tsc = ring->recent[(ring->recent_head - 1) %
						      RECENT_RECORDS]
						 .tsc;
		}
		ring->dropped++;
	} else {
		ring->rec[ring->head & ring->mask] =
			ring->recent[(ring->recent_head - 1) % RECENT_RECORDS];
		barrier();
		WRITE_ONCE(ring->head, ring->head + 1);
		ring->written++;
	}
	ring->writing = false;
	local_irq_restore(flags);
}

void trace_set_classes(unsigned int classes)
{
	__atomic_store_n(&trace_classes, classes, __ATOMIC_SEQ_CST);
}

/* ------------------------------------------------------------------ */
/* The drain                                                           */

/* Encodes records into one frame line in line[]; returns its length. */
static size_t encode_frame(const struct trace_record *recs, unsigned int n,
			   char *line)
{
	size_t len = sizeof(FRAME_MARKER) - 1, bytes = n * sizeof(*recs);

	memcpy(line, FRAME_MARKER, len);
	len += base64_encode(recs, bytes, line + len);
	len += snprintf(line + len, 12, "*%08x\n", crc32(0, recs, bytes));
	return len;
}

bool trace_pending(void)
{
	struct trace_ring *ring = &this_cpu(trace_ring);

	return ring->rec && (READ_ONCE(ring->head) != ring->tail || ring->lost);
}

/*
 * Takes the hole's TRACE_LOST record if the drain has reached it: the
 * records before the hole went out first, so the marker sits where the
 * records are missing, with the time the first of them was dropped.
 */
static bool take_lost(struct trace_ring *ring, struct trace_record *r)
{
	unsigned long flags = local_irq_save();
	bool due = ring->lost && ring->tail == ring->lost_at;

	if (due) {
		fill(r, TRACE_LOST, ring->lost, 0, 0);
		r->tsc = ring->lost_tsc;
		ring->lost = 0;
	}
	local_irq_restore(flags);
	return due;
}

unsigned int trace_drain(unsigned int max_records)
{
	struct trace_ring *ring = &this_cpu(trace_ring);
	char line[sizeof(FRAME_MARKER) +
		  BASE64_LEN(FRAME_RECORDS * sizeof(struct trace_record)) + 12];
	struct trace_record batch[FRAME_RECORDS];
	unsigned int done = 0;

	ASSERT(local_irq_is_enabled());
	while (done < max_records && trace_pending()) {
		unsigned int n = 0, meta = 0;
		unsigned int gen = READ_ONCE(trace_info_gen);

		/* Every CPU's stream says how to read its own timestamps. */
		if (ring->info_gen != gen) {
			fill(&batch[n++], TRACE_INFO, TRACE_FORMAT_VERSION,
			     tsc_hz(), stime_to_tsc(0));
			ring->info_gen = gen;
			meta++;
		}
		while (n < FRAME_RECORDS) {
			if (take_lost(ring, &batch[n])) {
				n++;
				meta++;
				continue;
			}
			if (ring->tail == READ_ONCE(ring->head))
				break;
			smp_rmb();
			batch[n++] = ring->rec[ring->tail & ring->mask];
			WRITE_ONCE(ring->tail, ring->tail + 1);
		}
		/* INFO belongs before the records it describes, in time too. */
		if (batch[0].event == TRACE_INFO && n > 1 &&
		    ring->info_gen == gen && meta &&
		    batch[1].tsc < batch[0].tsc)
			batch[0].tsc = batch[1].tsc;
		trace_port_write(line, encode_frame(batch, n, line));
		ring->drained += n - meta;
		done += n - meta;
	}
	return done;
}

void trace_clock_changed(void)
{
	__atomic_add_fetch(&trace_info_gen, 1, __ATOMIC_RELAXED);
}

void trace_flush(s_time_t timeout)
{
	s_time_t end = NOW() + timeout;
	unsigned int cpu;

	while (trace_pending())
		trace_drain(~0U);
	/* The others drain from their idle loops: give them the time. */
	for_each_online_cpu (cpu) {
		struct trace_ring *ring = &per_cpu(trace_ring, cpu);

		while (ring->rec &&
		       (READ_ONCE(ring->tail) != READ_ONCE(ring->head) ||
			READ_ONCE(ring->lost)) &&
		       NOW() < end)
			cpu_relax();
	}
}

/* ------------------------------------------------------------------ */
/* Readers                                                             */

void trace_get_counts(unsigned int cpu, u64 *written, u64 *dropped,
		      u64 *drained)
{
	struct trace_ring *ring = &per_cpu(trace_ring, cpu);

	*written = READ_ONCE(ring->written);
	*dropped = READ_ONCE(ring->dropped);
	*drained = READ_ONCE(ring->drained);
}

unsigned int trace_last_records(unsigned int cpu, struct trace_record *out,
				unsigned int n)
{
	struct trace_ring *ring = &per_cpu(trace_ring, cpu);
	u64 head = READ_ONCE(ring->recent_head), i;

	if (n > RECENT_RECORDS)
		n = RECENT_RECORDS;
	if (n > head)
		n = (unsigned int)head;
	for (i = 0; i < n; i++)
		out[i] = ring->recent[(head - n + i) % RECENT_RECORDS];
	return n;
}

/* ------------------------------------------------------------------ */
/* Start-up                                                            */

void trace_cpu_init(unsigned int cpu)
{
	struct trace_ring *ring = &per_cpu(trace_ring, cpu);
	struct trace_record *rec;

	if (ring->rec)
		return;
	rec = xmalloc_array(struct trace_record, opt_trace_records);
	if (!rec) {
		pr_warn("trace: no memory for CPU %u's ring of %u records; it records nothing\n",
			cpu, opt_trace_records);
		return;
	}
	ring->mask = opt_trace_records - 1;
	smp_wmb();
	ring->rec = rec;
}

void trace_init(void)
{
	unsigned int i;

	if (opt_trace_records < 64 ||
	    (opt_trace_records & (opt_trace_records - 1))) {
		pr_warn("trace: trace_buf=%u is not a power of two >= 64; using 4096\n",
			opt_trace_records);
		opt_trace_records = 4096;
	}
	trace_port_init();
	trace_cpu_init(0);
	if (!opt_trace_classes)
		return;
	trace_set_classes(opt_trace_classes);
	printk("trace: recording");
	for (i = 0; i + 1 < ARRAY_SIZE(class_names); i++)
		if (opt_trace_classes & class_names[i].bits)
			printk(" %s", class_names[i].name);
	printk(", %u records per CPU\n", opt_trace_records);
}
