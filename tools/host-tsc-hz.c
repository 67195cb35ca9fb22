/*
 * host-tsc-hz: the rate of this host's TSC, measured against CLOCK_MONOTONIC.
 *
 *     build/host-tsc-hz [-r ROUNDS] [-t MS] [-v]
 *
 * prints one line, "<hz> <error_ppm>": the TSC's rate in Hz (an integer)
 * and a bound on its error in parts per million. The boot harness
 * (tests/harness/boot.py) passes the rate to QEMU boots as test_tsc_hz=:
 * under TCG the guest's RDTSC returns the host's TSC, and QEMU's HPET and
 * ACPI PM timer follow the host's CLOCK_MONOTONIC, so this is the rate the
 * kernel should find when it calibrates its TSC against them.
 *
 * Method: ROUNDS rounds (default 7) of about MS milliseconds (default 100).
 * A round reads CLOCK_MONOTONIC at its start and at its end, each time
 * bracketed by two TSC reads; of BRACKET_TRIES tries it keeps the narrowest
 * bracket, so that an interrupt or a preemption between the reads does not
 * spoil it. The clock was read at some TSC value inside the bracket: the
 * round's rate is the brackets' midpoints over the clock's interval, and
 * its error at most half of both bracket widths (plus a nanosecond of
 * clock resolution at each end) over the interval. The result is the
 * median of the rounds' rates; its error bound is the larger of the widest
 * round's bracket error and half the spread of the rates (which covers a
 * clock slewed by NTP, or a TSC that is not constant, during the run).
 *
 * Diagnostics go to stderr; the exit status is 0 on success, 1 if the TSC
 * cannot be measured (no rate could be taken), 2 on a usage error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#if !defined(__x86_64__) && !defined(__i386__)
#error "host-tsc-hz reads the x86 TSC"
#endif

#include <cpuid.h>

#define DEFAULT_ROUNDS	 7
#define MAX_ROUNDS	 101
#define DEFAULT_ROUND_MS 100
#define BRACKET_TRIES	 64
#define NSEC_PER_SEC	 1000000000LL

/* A read of the TSC that neither earlier nor later instructions pass. */
static inline uint64_t rdtsc_ordered(void)
{
	uint32_t lo, hi;

	__asm__ __volatile__("lfence\n\trdtsc\n\tlfence"
			     : "=a"(lo), "=d"(hi)::"memory");
	return ((uint64_t)hi << 32) | lo;
}

static int64_t timespec_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * NSEC_PER_SEC + ts->tv_nsec;
}

/* One CLOCK_MONOTONIC reading and the TSC values that bracket it. */
struct sample {
	int64_t ns;
	uint64_t tsc_before, tsc_after;
};

static uint64_t width(const struct sample *s)
{
	return s->tsc_after - s->tsc_before;
}

/* The narrowest-bracketed of BRACKET_TRIES readings. */
static int take_sample(struct sample *best)
{
	best->tsc_before = 0;
	best->tsc_after = UINT64_MAX;
	for (int i = 0; i < BRACKET_TRIES; i++) {
		struct timespec ts;
		struct sample s;

		s.tsc_before = rdtsc_ordered();
		if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
			return -1;
		s.tsc_after = rdtsc_ordered();
		s.ns = timespec_ns(&ts);
		if (s.tsc_after > s.tsc_before && width(&s) < width(best))
			*best = s;
	}
	return best->tsc_after == UINT64_MAX ? -1 : 0;
}

struct round {
	double hz;
	double error; /* relative: the bracket bound over the interval */
};

static int measure_round(struct round *r, long round_ms, int verbose, int n)
{
	struct sample start, end;
	struct timespec until;
	int64_t ns;
	double cycles, slack;

	if (take_sample(&start) != 0)
		return -1;
	ns = start.ns + (int64_t)round_ms * 1000000;
	until.tv_sec = ns / NSEC_PER_SEC;
	until.tv_nsec = ns % NSEC_PER_SEC;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) ==
	       EINTR)
		;
	if (take_sample(&end) != 0)
		return -1;
	ns = end.ns - start.ns;
	if (ns <= 0 || end.tsc_before <= start.tsc_after)
		return -1;
	/* Midpoint to midpoint, halved before adding so that nothing wraps. */
	cycles = (double)(end.tsc_before - start.tsc_before) +
		 (double)width(&end) / 2 - (double)width(&start) / 2;
	r->hz = cycles * NSEC_PER_SEC / (double)ns;
	/* Half of each bracket, and 1 ns of clock resolution at each end. */
	slack = (double)(width(&start) + width(&end)) / 2 + 2 * r->hz / 1e9;
	r->error = slack / cycles;
	if (verbose)
		fprintf(stderr,
			"round %d: %.0f Hz over %.3f ms, brackets %llu and %llu "
			"cycles, error <= %.3f ppm\n",
			n, r->hz, (double)ns / 1e6,
			(unsigned long long)width(&start),
			(unsigned long long)width(&end), r->error * 1e6);
	return 0;
}

static int compare_hz(const void *a, const void *b)
{
	double x = ((const struct round *)a)->hz;
	double y = ((const struct round *)b)->hz;

	return (x > y) - (x < y);
}

/* CPUID.80000007h:EDX bit 8: the TSC runs at a constant rate in every state. */
static int tsc_invariant(void)
{
	unsigned int eax, ebx, ecx, edx;

	if ((unsigned int)__get_cpuid_max(0x80000000, NULL) < 0x80000007U)
		return 0;
	__cpuid(0x80000007, eax, ebx, ecx, edx);
	return (edx >> 8) & 1;
}

/* Stays on the CPU it runs on: TSCs of different CPUs may differ. */
static void pin_to_this_cpu(void)
{
	int cpu = sched_getcpu();
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET((size_t)cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0)
		fprintf(stderr, "host-tsc-hz: cannot pin to CPU %d: %s\n", cpu,
			strerror(errno));
}

static long parse_number(const char *arg, const char *what, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < lo || v > hi) {
		fprintf(stderr,
			"host-tsc-hz: %s must be %ld to %ld, not '%s'\n", what,
			lo, hi, arg);
		exit(2);
	}
	return v;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: host-tsc-hz [-r ROUNDS] [-t MS] [-v]\n"
		"Prints \"<hz> <error_ppm>\": the host TSC's rate against "
		"CLOCK_MONOTONIC,\nthe median of ROUNDS rounds (default %d) "
		"of MS milliseconds (default %d).\n-v shows each round on "
		"stderr.\n",
		DEFAULT_ROUNDS, DEFAULT_ROUND_MS);
}

int main(int argc, char **argv)
{
	struct round rounds[MAX_ROUNDS];
	long nrounds = DEFAULT_ROUNDS, round_ms = DEFAULT_ROUND_MS;
	int verbose = 0, opt, n = 0;
	double hz, lo, hi, bracket = 0, spread, error;

	while ((opt = getopt(argc, argv, "hr:t:v")) != -1) {
		switch (opt) {
		case 'r':
			nrounds = parse_number(optarg, "ROUNDS", 1, MAX_ROUNDS);
			break;
		case 't':
			round_ms = parse_number(optarg, "MS", 1, 10000);
			break;
		case 'v':
			verbose = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (!tsc_invariant())
		fprintf(stderr,
			"host-tsc-hz: warning: CPUID does not report an "
			"invariant TSC; its rate may change\n");
	pin_to_this_cpu();

	for (long i = 0; i < nrounds; i++) {
		if (measure_round(&rounds[n], round_ms, verbose, (int)i + 1) ==
		    0)
			n++;
		else if (verbose)
			fprintf(stderr, "round %ld: no usable reading\n",
				i + 1);
	}
	if (n == 0) {
		fprintf(stderr,
			"host-tsc-hz: no round gave a usable reading\n");
		return 1;
	}
	qsort(rounds, (size_t)n, sizeof(rounds[0]), compare_hz);
	hz = n % 2 ? rounds[n / 2].hz
		   : (rounds[n / 2 - 1].hz + rounds[n / 2].hz) / 2;
	lo = rounds[0].hz;
	hi = rounds[n - 1].hz;
	for (int i = 0; i < n; i++)
		bracket = fmax(bracket, rounds[i].error);
	spread = (hi - lo) / 2 / hz;
	error = fmax(bracket, spread);
	if (verbose)
		fprintf(stderr,
			"median of %d rounds: %.0f Hz; rates %.0f to %.0f "
			"(half-spread %.3f ppm), widest bracket error %.3f "
			"ppm\n",
			n, hz, lo, hi, spread * 1e6, bracket * 1e6);
	printf("%.0f %.3f\n", hz, error * 1e6);
	return 0;
}
