/*
 * Test suites and their KTAP v1 output, in exactly the form the
 * hypervisor's own suites print (common/ktest.c) and
 * tests/harness/ktap.py reads:
 *
 *     KTAP version 1
 *     1..<suites>
 *         KTAP version 1
 *         # Subtest: <suite>
 *         1..<cases>
 *         # <diagnostic of the next case>
 *         ok 1 <case>
 *         not ok 2 <case>
 *         ok 3 <case> # SKIP <reason>
 *     ok 1 <suite>            (not ok if a case failed)
 *     # <image>: <P> passed, <F> failed, <S> skipped
 *
 * A suite marked per_lapic_mode runs once for each LAPIC mode the run
 * covers (lapic_mode=), reported as "<suite>-xapic" and "<suite>-x2apic".
 * test=<glob>[,<glob>...] selects suites or single cases: each glob is
 * matched against the suite's name, its reported name, and
 * "<name>.<case>" for both; the default selects everything.
 *
 * Concurrency: cases run on the boot CPU, interrupts on; a case may hand
 * work to the APs (smp.h) and must leave the LAPIC and the IDT handlers as
 * it found them.
 */
#ifndef HVM_KTAP_H
#define HVM_KTAP_H

#include "cpu.h"

struct test {
	const char *suite;    /* the reported name, e.g. "timer-x2apic" */
	const char *name;     /* the case */
	enum lapic_mode mode; /* the LAPIC mode the case runs in */
	bool failed;
	bool skipped;
	char skip_reason[128];
};

struct test_case {
	const char *name;
	void (*run)(struct test *t);
};

struct test_suite {
	const char *name;
	const struct test_case *cases;
	unsigned int nr_cases;
	bool per_lapic_mode;
};

#define TEST_CASE(fn)   \
	{               \
#fn, fn \
	}

#define DEFINE_SUITE(sname, per_mode, ...)                             \
	static const struct test_case sname##_cases[] = {__VA_ARGS__}; \
	const struct test_suite sname##_suite = {                      \
		.name = #sname,                                        \
		.cases = sname##_cases,                                \
		.nr_cases = ARRAY_SIZE(sname##_cases),                 \
		.per_lapic_mode = per_mode,                            \
	}

/* Records a failure: "    # <case>: <file>:<line>: <message>". */
void test_fail(struct test *t, const char *file, int line, const char *fmt, ...)
	__printf(4, 5);

/* True if cond; else a failure with the message. */
#define CHECK(t, cond, ...)                                            \
	({                                                             \
		bool __ok = (cond);                                    \
		if (!__ok)                                             \
			test_fail(t, __FILE__, __LINE__, __VA_ARGS__); \
		__ok;                                                  \
	})

/* Marks the case skipped with the reason (the case then returns). */
void test_skip(struct test *t, const char *fmt, ...) __printf(2, 3);

/* A diagnostic line of the case: "    # <text>". */
void test_diag(struct test *t, const char *fmt, ...) __printf(2, 3);

/*
 * Sorts samples (ns) and prints "    # <suite>.<case> <what> n=<n>
 * min=<> median=<> p99=<> max=<> ns".
 */
void test_report_ns(struct test *t, const char *what, u64 *samples,
		    unsigned int n);

/* Sorts v[0..n) in ascending order (insertion sort: n is small). */
void sort_u64(u64 *v, unsigned int n);

/* The run's LAPIC modes, from lapic_mode= (xapic, x2apic or both). */
struct run_modes {
	enum lapic_mode mode[2];
	unsigned int n;
};

/*
 * Runs the suites test= selects, in order, each per-LAPIC-mode suite once
 * per mode (moving every CPU to that mode first), prints the totals and
 * ends the machine: PASS if at least one case ran and none failed.
 */
__noreturn void run_suites(const char *image,
			   const struct test_suite *const *suites,
			   unsigned int nr_suites, struct run_modes modes);

#endif /* HVM_KTAP_H */
