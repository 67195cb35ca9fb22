/*
 * bench: figures, not checks. bench=1 runs this instead of the suites
 * (make bench's hvm family boots it beside the paravirtual bench guest).
 * Each figure is one line in the format of tests/guests/bench.c, so that
 * the two guests' figures land in the same tables:
 *
 *   BENCH {"bench":"hvm_exit","exit":<what>,"mode":<LAPIC mode>,"unit":"ns",
 *          "n":..,"min":..,"median":..,"p99":..,"max":..,"batch":..,
 *          "tsc_hz":..,"cycles_median":..}
 *   BENCH {"bench":"virq_latency","timer":"HVM one-shot",...,"early":..}
 *
 * hvm_exit: what one intercepted instruction costs the guest, exit,
 * handling and VMRUN together (timed with RDTSC, which does not exit),
 * over batches of BATCH; CPUID's is the cheapest round trip. "hlt" is a
 * self-IPI sent with interrupts off, then STI; HLT: the HLT exit finds
 * the interrupt pending and returns at once; "self-IPI" is the same
 * without the HLT, so the difference of the two is the HLT exit.
 * virq_latency: the local APIC timer armed 100 us to 2 ms ahead, the vCPU
 * halted, from the due time to the handler's RDTSC (the path of the
 * seeds: the host's interrupt, TIMER_SOFTIRQ, the virtual timer's
 * callback, the injection); "early" counts interrupts before the due
 * time (one-shot: before the earliest the calibration allows).
 *
 * The lines sit in a KTAP report of one case, bench, which fails only on
 * what is wrong rather than slow: an early interrupt, or a figure with
 * no sample at all.
 */
#include "console.h"
#include "exit.h"
#include "hvmtest.h"
#include "lapic.h"
#include "options.h"
#include "probe.h"
#include "smp.h"
#include "time.h"
#include "traps.h"

#define BATCH		      10
#define DEFAULT_EXIT_SAMPLES  1000
#define DEFAULT_TIMER_SAMPLES 200
#define MAX_SAMPLES	      4096
#define TIMER_MIN_NS	      (100 * NSEC_PER_USEC)
#define TIMER_SPAN_NS	      (1900 * NSEC_PER_USEC)
#define TIMER_WAIT_NS	      (100 * NSEC_PER_MSEC) /* then it is lost */
#define POST_PORT	      0x80

#define CPUID_1_ECX_TSC_DEADLINE (1U << 24)

static u64 samples[MAX_SAMPLES], cycles[MAX_SAMPLES];
static struct probe bench_probe;
static u64 rng = 0x9e3779b97f4a7c15ULL;
static unsigned int problems; /* early interrupts, empty figures */

/* A delay from TIMER_MIN_NS to TIMER_MIN_NS + TIMER_SPAN_NS (xorshift). */
static u64 next_delay_ns(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return TIMER_MIN_NS + rng % TIMER_SPAN_NS;
}

/* Prints one BENCH line of samples[0..n) (ns), sorting them; extra is
 * more JSON members, each with its leading comma. */
static void print_bench(const char *kind, const char *what, unsigned int n,
			const char *extra)
{
	if (n == 0) {
		problems++;
		printf("BENCH {\"bench\":\"%s\",%s,\"unit\":\"ns\",\"n\":0,"
		       "\"skipped\":\"no samples\"}\n",
		       kind, what);
		return;
	}
	sort_u64(samples, n);
	printf("BENCH {\"bench\":\"%s\",%s,\"unit\":\"ns\",\"n\":%u,"
	       "\"min\":%lu,\"median\":%lu,\"p99\":%lu,\"max\":%lu,"
	       "\"tsc_hz\":%lu%s}\n",
	       kind, what, n, (unsigned long)samples[0],
	       (unsigned long)samples[n / 2],
	       (unsigned long)samples[(n * 99) / 100],
	       (unsigned long)samples[n - 1], (unsigned long)clocks.tsc_hz,
	       extra);
}

/* ---- Exits -------------------------------------------------------------- */

static void op_cpuid(void)
{
	cpuid(0);
}

static void op_rdmsr_apic_base(void)
{
	rdmsr(MSR_IA32_APIC_BASE);
}

static void op_out_post(void)
{
	outb(POST_PORT, 0);
}

static void op_lapic_read(void)
{
	lapic_read(APIC_TPR);
}

/* Times n batches of BATCH calls of op; prints them as exit `what`. */
static void bench_exit(const char *what, void (*op)(void), unsigned int n)
{
	char key[96], extra[64];
	unsigned int i, j;

	for (i = 0; i < n; i++) {
		u64 t0 = rdtsc_ordered();

		for (j = 0; j < BATCH; j++)
			op();
		cycles[i] = (rdtsc_ordered() - t0) / BATCH;
		samples[i] = tsc_to_ns(cycles[i]);
	}
	sort_u64(cycles, n);
	snprintf(key, sizeof(key), "\"exit\":\"%s\",\"mode\":\"%s\"", what,
		 lapic_mode_name(lapic_mode()));
	snprintf(extra, sizeof(extra), ",\"batch\":%u,\"cycles_median\":%lu",
		 BATCH, (unsigned long)cycles[n / 2]);
	print_bench("hvm_exit", key, n, extra);
}

/* One self-IPI sent with interrupts off, then STI (and HLT if halt): the
 * time from before the IPI to the handler, in TSC cycles; 0 if lost. */
static u64 self_ipi_round(bool halt)
{
	u64 t0;

	cli();
	bench_probe.count = 0;
	t0 = rdtsc_ordered();
	lapic_self_ipi(VECTOR_PING);
	if (halt)
		sti_hlt();
	else
		sti();
	if (!wait_flag(&bench_probe.count, TIMER_WAIT_NS))
		return 0;
	return bench_probe.stamp[0] - t0;
}

static void bench_self_ipi(const char *what, bool halt, unsigned int n)
{
	char key[96], extra[64];
	unsigned int i, got = 0;

	probe_install(&bench_probe, VECTOR_PING);
	for (i = 0; i < n; i++) {
		u64 c = self_ipi_round(halt);

		if (c) {
			cycles[got] = c;
			samples[got++] = tsc_to_ns(c);
		}
	}
	probe_remove(&bench_probe);
	snprintf(key, sizeof(key), "\"exit\":\"%s\",\"mode\":\"%s\"", what,
		 lapic_mode_name(lapic_mode()));
	sort_u64(cycles, got);
	snprintf(extra, sizeof(extra), ",\"batch\":1,\"cycles_median\":%lu",
		 got ? (unsigned long)cycles[got / 2] : 0UL);
	print_bench("hvm_exit", key, got, extra);
}

static void bench_exits(unsigned int n)
{
	bench_exit("cpuid", op_cpuid, n);
	bench_exit("rdmsr", op_rdmsr_apic_base, n);
	bench_exit("out", op_out_post, n);
	bench_exit("mmio", op_lapic_read, n);
	bench_self_ipi("hlt", true, n);
	bench_self_ipi("self-IPI", false, n);
}

/* ---- Virtual timer latency ------------------------------------------------ */

/* Halts until the probe has counted one interrupt or the wait ran out. */
static bool halt_until_interrupt(void)
{
	u64 start = rdtsc_ordered();

	while (!bench_probe.count &&
	       rdtsc_ordered() - start < ns_to_tsc(TIMER_WAIT_NS))
		sti_hlt();
	return bench_probe.count != 0;
}

/* The latency past due of one one-shot expiry (divide by 1), in ns; *early
 * counts one before the calibration's earliest; false if lost. */
static bool oneshot_round(u64 *latency, unsigned int *early)
{
	u64 ns = next_delay_ns(), count = lapic_count_for_ns(ns, 1), t0, due;

	cli();
	bench_probe.count = 0;
	lapic_write(APIC_TMICT, 0);
	t0 = rdtsc_ordered();
	lapic_write(APIC_TMICT, (u32)count);
	if (!halt_until_interrupt())
		return false;
	due = t0 + muldiv64(count, clocks.tsc_hz, clocks.lapic_hz);
	*early += bench_probe.stamp[0] < t0 + lapic_count_min_tsc(count, 1);
	*latency = bench_probe.stamp[0] > due
			   ? tsc_to_ns(bench_probe.stamp[0] - due)
			   : 0;
	return true;
}

/* As oneshot_round, for a TSC-deadline expiry. */
static bool deadline_round(u64 *latency, unsigned int *early)
{
	u64 deadline;

	cli();
	bench_probe.count = 0;
	deadline = rdtsc_ordered() + ns_to_tsc(next_delay_ns());
	wrmsr(MSR_IA32_TSC_DEADLINE, deadline);
	if (!halt_until_interrupt())
		return false;
	*early += bench_probe.stamp[0] < deadline;
	*latency = bench_probe.stamp[0] > deadline
			   ? tsc_to_ns(bench_probe.stamp[0] - deadline)
			   : 0;
	return true;
}

static void bench_timer(const char *what, u32 lvt,
			bool (*round)(u64 *, unsigned int *), unsigned int n)
{
	unsigned int i, got = 0, early = 0, lost = 0;
	char key[64], extra[64];

	lapic_timer_stop();
	probe_install(&bench_probe, VECTOR_TIMER);
	lapic_write(APIC_TDCR, lapic_tdcr_for(1));
	lapic_write(APIC_LVT_TIMER, lvt | VECTOR_TIMER);
	__asm__ __volatile__("mfence" ::: "memory");
	for (i = 0; i < n; i++) {
		if (round(&samples[got], &early))
			got++;
		else
			lost++;
	}
	sti();
	lapic_timer_stop();
	probe_remove(&bench_probe);
	snprintf(key, sizeof(key), "\"timer\":\"%s\"", what);
	snprintf(extra, sizeof(extra), ",\"early\":%u,\"missed\":%u", early,
		 lost);
	if (early)
		printf("# bench: %s: %u interrupts before the due time\n", what,
		       early);
	problems += early;
	print_bench("virq_latency", key, got, extra);
}

/* A sample count of 1 to MAX_SAMPLES, saying so when it had to change. */
static unsigned int clamp_samples(const char *key, u64 n)
{
	u64 kept = n < 1 ? 1 : n > MAX_SAMPLES ? MAX_SAMPLES : n;

	if (kept != n)
		printf("# bench: %s=%lu: taking %lu (1 to %u)\n", key,
		       (unsigned long)n, (unsigned long)kept, MAX_SAMPLES);
	return (unsigned int)kept;
}

__noreturn void run_bench(void)
{
	unsigned int n_exit = clamp_samples(
		"bench_count", option_u64("bench_count", DEFAULT_EXIT_SAMPLES));
	unsigned int n_timer = clamp_samples(
		"bench_timer_count",
		option_u64("bench_timer_count", DEFAULT_TIMER_SAMPLES));
	bool deadline = cpuid(1).ecx & CPUID_1_ECX_TSC_DEADLINE;

	printf("KTAP version 1\n1..1\n");
	printf("# bench: %u samples per exit, %u per timer, TSC %lu Hz\n",
	       n_exit, n_timer, (unsigned long)clocks.tsc_hz);
	if (lapic_mode() != LAPIC_XAPIC)
		smp_set_lapic_mode(LAPIC_XAPIC);
	bench_exits(n_exit); /* in xAPIC mode: its MMIO exit included */
	if (x2apic_supported()) {
		smp_set_lapic_mode(LAPIC_X2APIC);
		bench_exit("rdmsr x2APIC", op_lapic_read, n_exit);
	}
	bench_timer("HVM one-shot", LVT_TIMER_ONESHOT, oneshot_round, n_timer);
	if (deadline)
		bench_timer("HVM TSC-deadline", LVT_TIMER_DEADLINE,
			    deadline_round, n_timer);
	else
		printf("BENCH {\"bench\":\"virq_latency\",\"timer\":\"HVM "
		       "TSC-deadline\",\"unit\":\"ns\",\"n\":0,\"skipped\":"
		       "\"no TSC-deadline timer in CPUID\"}\n");
	printf("%s 1 bench\n", problems ? "not ok" : "ok");
	machine_exit(problems == 0);
}
