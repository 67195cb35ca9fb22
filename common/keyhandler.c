/*
 * Debug keys (include/keyhandler.h, docs/debug-keys.md), as Xen's
 * common/keyhandler.c: the registry, the way from the console's receive
 * interrupt to a handler, and the keys themselves.
 */
#include <console.h>
#include <cpumask.h>
#include <irq.h>
#include <domain.h>
#include <hvm.h>
#include <hwreport.h>
#include <keyhandler.h>
#include <panic.h>
#include <param.h>
#include <percpu.h>
#include <printk.h>
#include <sched.h>
#include <smp.h>
#include <softirq.h>
#include <spinlock.h>
#include <systime.h>
#include <tasklet.h>
#include <timer.h>
#include <trace.h>
#include <trace_dump.h>

#define NR_KEYS	       128 /* ASCII */
#define KEY_QUEUE_SIZE 32  /* keys typed ahead of the tasklet */
#define Z_KEY_RECORDS  8   /* trace records per CPU the z key prints */
/*
 * The t key: NOW() ping-pong rounds per CPU, and how long one may take. A
 * round takes microseconds; the wait only matters when the other CPU is
 * not running at all (a descheduled vCPU under TCG took over 10 ms).
 */
#define SKEW_ROUNDS  16
#define SKEW_WAIT_MS 500

static bool opt_keys = true;
boolean_param("keys", opt_keys);

/* ------------------------------------------------------------------ */
/* The registry                                                        */

struct keyhandler {
	keyhandler_fn_t fn;
	const char *desc;
};

/* Taken with interrupts disabled. */
static DEFINE_SPINLOCK(keyhandler_lock);
static struct keyhandler keyhandlers[NR_KEYS];
static u64 key_counts[NR_KEYS];
static u64 unknown_keys;

static bool key_is_valid(unsigned char key)
{
	return key > ' ' && key < NR_KEYS - 1; /* printable, not DEL */
}

void register_keyhandler(unsigned char key, keyhandler_fn_t fn,
			 const char *desc)
{
	unsigned long flags;

	ASSERT(key_is_valid(key) && (!fn || desc));
	flags = spin_lock_irqsave(&keyhandler_lock);
	keyhandlers[key] = (struct keyhandler){.fn = fn, .desc = desc};
	spin_unlock_irqrestore(&keyhandler_lock, flags);
}

/* key's registration as it is now ({NULL, NULL} for none). */
static struct keyhandler lookup(unsigned char key)
{
	struct keyhandler kh = {0};
	unsigned long flags;

	if (key >= NR_KEYS)
		return kh;
	flags = spin_lock_irqsave(&keyhandler_lock);
	kh = keyhandlers[key];
	spin_unlock_irqrestore(&keyhandler_lock, flags);
	return kh;
}

bool keyhandler_registered(unsigned char key)
{
	return lookup(key).fn != NULL;
}

void handle_keypress(unsigned char key)
{
	struct keyhandler kh = lookup(key);

	ASSERT(local_irq_is_enabled() && !in_irq());
	if (!kh.fn) {
		unknown_keys++;
		if (key_is_valid(key))
			printk("Key '%c': no such debug key; press h for help\n",
			       key);
		else
			printk("Key %#04x: no such debug key; press h for help\n",
			       key);
		return;
	}
	printk("'%c' pressed -> %s\n", key, kh.desc);
	kh.fn(key);
	key_counts[key]++;
}

u64 keyhandler_count(unsigned char key)
{
	return key < NR_KEYS ? READ_ONCE(key_counts[key]) : 0;
}

u64 keyhandler_unknown_count(void)
{
	return READ_ONCE(unknown_keys);
}

/* ------------------------------------------------------------------ */
/* Input: receive interrupt -> queue -> tasklet                         */

/* Taken with interrupts disabled (the producer is an IRQ handler). */
static DEFINE_SPINLOCK(key_queue_lock);
static unsigned char key_queue[KEY_QUEUE_SIZE];
static unsigned int key_head, key_tail; /* free-running counts */
static u64 keys_dropped, drops_reported;
static struct tasklet key_tasklet;
static bool input_enabled;

/* The console's receive interrupt: queue the key for the tasklet. */
static void key_received(char c)
{
	unsigned long flags = spin_lock_irqsave(&key_queue_lock);

	if (key_head - key_tail < KEY_QUEUE_SIZE)
		key_queue[key_head++ % KEY_QUEUE_SIZE] = (unsigned char)c;
	else
		keys_dropped++;
	spin_unlock_irqrestore(&key_queue_lock, flags);
	tasklet_schedule(&key_tasklet);
}

/* Takes the oldest queued key into *key; false if none is queued. */
static bool next_key(unsigned char *key, u64 *dropped)
{
	unsigned long flags = spin_lock_irqsave(&key_queue_lock);
	bool got = key_tail != key_head;

	if (got)
		*key = key_queue[key_tail++ % KEY_QUEUE_SIZE];
	*dropped = keys_dropped;
	spin_unlock_irqrestore(&key_queue_lock, flags);
	return got;
}

/*
 * Where typed keys go: the debug keys (0) or an HVM domain's UART (its
 * id). Ctrl-A three times in a row moves on to the next HVM domain and
 * from the last one back to the debug keys, as Xen's console does.
 */
#define SWITCH_KEY	 0x01 /* Ctrl-A */
#define SWITCH_KEY_TIMES 3
static u16 input_domid;
static unsigned int switch_presses;

static void switch_input(void)
{
	struct domain *d;

	input_domid = hvm_next_console_domain(input_domid);
	d = input_domid ? get_domain_by_id(input_domid) : NULL;
	if (d) {
		printk("*** Serial input to domain %u (%s); Ctrl-A three times to switch\n",
		       d->domid, d->name);
		put_domain(d);
	} else {
		input_domid = 0;
		printk("*** Serial input to the debug keys; Ctrl-A three times to switch\n");
	}
}

/* One typed key: the input switch, a guest's UART or a debug key. */
static void key_typed(unsigned char key)
{
	if (key == SWITCH_KEY) {
		if (++switch_presses == SWITCH_KEY_TIMES) {
			switch_presses = 0;
			switch_input();
		}
		return;
	}
	switch_presses = 0;
	if (input_domid) {
		if (!hvm_console_input(input_domid, key)) {
			input_domid = 0;
			printk("*** That domain is gone; serial input to the debug keys\n");
		}
		return;
	}
	if (key != '\r' && key != '\n')
		handle_keypress(key);
}

/*
 * Handles at most a queue's worth of keys per run, so that a stream of
 * input cannot hold the CPU; if more came meanwhile, runs again.
 */
static void key_tasklet_fn(void *unused)
{
	unsigned char key;
	unsigned int n;
	u64 dropped;

	for (n = 0; n < KEY_QUEUE_SIZE; n++) {
		bool got = next_key(&key, &dropped);

		if (dropped != drops_reported) {
			printk("keys: %lu keys dropped (typed faster than handled)\n",
			       (unsigned long)(dropped - drops_reported));
			drops_reported = dropped;
		}
		if (!got)
			return;
		key_typed(key);
	}
	tasklet_schedule(&key_tasklet);
}

bool keyhandler_input_enabled(void)
{
	return input_enabled;
}

/* ------------------------------------------------------------------ */
/* h, a, r, q                                                          */

static void show_help(unsigned char key)
{
	unsigned int k;

	printk("Debug keys:\n");
	for (k = 0; k < NR_KEYS; k++) {
		struct keyhandler kh = lookup(k);

		if (kh.fn)
			printk("  %c  %s\n", k, kh.desc);
	}
}

static void dump_timer_queues(unsigned char key)
{
	dump_timerq();
}

/* Placeholders until the scheduler and the domain code register theirs. */
static void dump_run_queues(unsigned char key)
{
	dump_runq();
}

static void dump_domains_key(unsigned char key)
{
	dump_domains();
}

/* ------------------------------------------------------------------ */
/* t: clocks, and each CPU's NOW() against this one's                   */

/*
 * One CPU's NOW() against the caller's, by ping-pong: the caller reads
 * t0, starts round r, waits for the target to answer with its NOW() and
 * reads t1. Time runs the same on both only if the answer lies in
 * [t0, t1]; its distance from the middle estimates the offset, within
 * half the bracket. The narrowest of SKEW_ROUNDS brackets is kept.
 */
static struct {
	unsigned int round;    /* the caller's: start round n */
	unsigned int answered; /* the target's: the round it answered */
	s_time_t remote;       /* the target's NOW() in that round */
	bool done;	       /* the target left */
} probe;

#define SKEW_QUIT UINT32_MAX

/* On the target, in the call-function interrupt. */
static void skew_target(void *unused)
{
	s_time_t give_up = NOW() + MILLISECS(SKEW_WAIT_MS);
	unsigned int seen = 0, round;

	while ((round = READ_ONCE(probe.round)) != SKEW_QUIT) {
		if (round != seen) {
			probe.remote = NOW();
			smp_wmb();
			WRITE_ONCE(probe.answered, round);
			seen = round;
			give_up = NOW() + MILLISECS(SKEW_WAIT_MS);
		} else if (NOW() > give_up) {
			break;
		}
		cpu_relax();
	}
	smp_mb();
	WRITE_ONCE(probe.done, true);
}

/*
 * Measures cpu's NOW() against the caller's: *offset (cpu's minus ours)
 * within +-*half_width. False if cpu did not answer.
 */
static bool measure_skew(unsigned int cpu, s_time_t *offset,
			 s_time_t *half_width)
{
	s_time_t best = STIME_MAX, t0, t1, give_up;
	unsigned long flags;
	unsigned int r;

	probe.round = probe.answered = 0;
	probe.done = false;
	smp_mb();
	on_selected_cpus(cpumask_of(cpu), skew_target, NULL, false);
	for (r = 1; r <= SKEW_ROUNDS; r++) {
		flags = local_irq_save();
		t0 = NOW();
		WRITE_ONCE(probe.round, r);
		give_up = t0 + MILLISECS(SKEW_WAIT_MS);
		while (READ_ONCE(probe.answered) != r && NOW() < give_up)
			cpu_relax();
		t1 = NOW();
		local_irq_restore(flags);
		if (READ_ONCE(probe.answered) != r)
			break;
		smp_rmb();
		if (t1 - t0 < best) {
			best = t1 - t0;
			*offset = probe.remote - (t0 + (t1 - t0) / 2);
		}
	}
	WRITE_ONCE(probe.round, SKEW_QUIT);
	/* The probe is reused for the next CPU: let this one leave first. */
	give_up = NOW() + 2 * MILLISECS(SKEW_WAIT_MS);
	while (!READ_ONCE(probe.done) && NOW() < give_up)
		cpu_relax();
	*half_width = (best + 1) / 2;
	return best != STIME_MAX;
}

static void dump_clocks(unsigned char key)
{
	s_time_t now = NOW(), offset = 0, half = 0, bound = 0;
	unsigned int self = smp_processor_id(), cpu, measured = 0;

	printk("Clocks: system time from %s, NOW() %ld.%09ld s; TSC %s\n",
	       system_clock_name(), (long)(now / NSEC_PER_SEC),
	       (long)(now % NSEC_PER_SEC),
	       tsc_reliable() ? "in sync, NOW() runs on it"
			      : "not used for NOW()");
	arch_dump_clocks();
	printk("NOW() on each CPU against CPU%u's (best of %u brackets):\n",
	       self, SKEW_ROUNDS);
	for_each_online_cpu (cpu) {
		s_time_t abs;

		if (cpu == self)
			continue;
		if (!measure_skew(cpu, &offset, &half)) {
			printk("  CPU%u: no answer within %u ms\n", cpu,
			       SKEW_WAIT_MS);
			continue;
		}
		abs = offset < 0 ? -offset : offset;
		printk("  CPU%u: NOW() %+ld ns from CPU%u's, bracket +-%ld ns%s\n",
		       cpu, (long)offset, self, (long)half,
		       abs > half ? " (outside it: the clocks are out of step)"
				  : "");
		if (abs + half > bound)
			bound = abs + half;
		measured++;
	}
	if (!measured)
		printk("Skew bound: no other CPU to compare with\n");
	else
		printk("Skew bound: every CPU's NOW() within %ld ns of CPU%u's (%u CPUs measured)\n",
		       (long)bound, self, measured);
}

/* ------------------------------------------------------------------ */
/* d, s, T, z                                                          */

static void dump_registers(unsigned char key)
{
	smp_dump_cpus();
}

static void dump_counters(unsigned char key)
{
	char line[32 + NR_SOFTIRQS * 12];
	struct timer_stats st;
	unsigned int cpu, nr;
	int len;

	len = snprintf(line, sizeof(line), "  %-6s", "");
	for (nr = 0; nr < NR_SOFTIRQS; nr++)
		len += snprintf(line + len, sizeof(line) - len, " %10s",
				softirq_name(nr));
	printk("Softirqs run per CPU:\n%s\n", line);
	for_each_online_cpu (cpu) {
		len = snprintf(line, sizeof(line), "  CPU%-3u", cpu);
		for (nr = 0; nr < NR_SOFTIRQS; nr++)
			len += snprintf(
				line + len, sizeof(line) - len, " %10lu",
				(unsigned long)softirq_run_count(cpu, nr));
		printk("%s\n", line);
	}
	arch_dump_interrupts();
	printk("Timers per CPU:\n");
	for_each_online_cpu (cpu) {
		timer_get_stats(cpu, &st);
		printk("  CPU%u: %u pending (heap limit %u); %lu interrupts, %lu softirqs, %lu expired, %lu reprograms; %lu to the overflow list, %lu heap grows (%lu failed)\n",
		       cpu, st.pending, st.heap_limit,
		       (unsigned long)st.interrupts, (unsigned long)st.softirqs,
		       (unsigned long)st.expired, (unsigned long)st.reprograms,
		       (unsigned long)st.overflow_adds,
		       (unsigned long)st.heap_grows,
		       (unsigned long)st.heap_grow_fails);
	}
}

static void toggle_tracing(unsigned char key)
{
	if (READ_ONCE(trace_classes)) {
		trace_set_classes(0);
		printk("Tracing off\n");
	} else {
		trace_set_classes(TRACE_CLASS_ALL);
		printk("Tracing on: all classes (%#x)\n", TRACE_CLASS_ALL);
	}
}

static void print_hwreport(unsigned char key)
{
	hwreport_print();
}

static void dump_trace_records(unsigned char key)
{
	trace_dump_recent(Z_KEY_RECORDS, KERN_INFO);
}

/* ------------------------------------------------------------------ */
/* Start-up                                                            */

void __init keyhandler_init(void)
{
	int rc;

	register_keyhandler('h', show_help, "list the debug keys");
	register_keyhandler('a', dump_timer_queues,
			    "dump the timer queues of all CPUs");
	register_keyhandler('i', print_hwreport,
			    "print the hardware report (as hwreport does)");
	register_keyhandler('r', dump_run_queues, "dump the run queues");
	register_keyhandler('t', dump_clocks,
			    "show the clocks and each CPU's skew");
	register_keyhandler('d', dump_registers,
			    "dump the registers and backtrace of every CPU");
	register_keyhandler('q', dump_domains_key,
			    "dump the domains and vCPUs");
	register_keyhandler('s', dump_counters,
			    "show softirq, interrupt and timer counters");
	register_keyhandler('T', toggle_tracing,
			    "toggle tracing (all classes on or off)");
	register_keyhandler('z', dump_trace_records,
			    "dump the last trace records of every CPU");
	tasklet_init(&key_tasklet, key_tasklet_fn, NULL);

	if (!opt_keys) {
		pr_info("keys: debug keys off (keys=off)\n");
		return;
	}
	rc = arch_console_input_init(key_received);
	if (rc) {
		pr_info("keys: no console input (error %d); debug keys unavailable\n",
			rc);
		return;
	}
	input_enabled = true;
	pr_info("keys: debug keys on the serial console; press h for help\n");
}
