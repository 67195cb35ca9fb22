#include "console.h"
#include "exit.h"
#include "ktap.h"
#include "lapic.h"
#include "options.h"
#include "smp.h"
#include "time.h"

#define GLOB_MAX 64
#define NAME_MAX 48

struct totals {
	unsigned int passed, failed, skipped;
};

static const char *selection;

void test_fail(struct test *t, const char *file, int line, const char *fmt, ...)
{
	char msg[200];
	va_list args;

	va_start(args, fmt);
	vsnprintf(msg, sizeof(msg), fmt, args);
	va_end(args);
	t->failed = true;
	printf("    # %s: %s:%d: %s\n", t->name, file, line, msg);
}

void test_skip(struct test *t, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vsnprintf(t->skip_reason, sizeof(t->skip_reason), fmt, args);
	va_end(args);
	t->skipped = true;
}

void test_diag(struct test *t, const char *fmt, ...)
{
	char msg[200];
	va_list args;

	va_start(args, fmt);
	vsnprintf(msg, sizeof(msg), fmt, args);
	va_end(args);
	printf("    # %s\n", msg);
}

void sort_u64(u64 *v, unsigned int n)
{
	unsigned int i, j;

	for (i = 1; i < n; i++) {
		u64 x = v[i];

		for (j = i; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

void test_report_ns(struct test *t, const char *what, u64 *samples,
		    unsigned int n)
{
	if (n == 0) {
		test_diag(t, "%s.%s %s n=0", t->suite, t->name, what);
		return;
	}
	sort_u64(samples, n);
	test_diag(t, "%s.%s %s n=%u min=%lu median=%lu p99=%lu max=%lu ns",
		  t->suite, t->name, what, n, (unsigned long)samples[0],
		  (unsigned long)samples[n / 2],
		  (unsigned long)samples[(n * 99) / 100],
		  (unsigned long)samples[n - 1]);
}

/* ---- Selection ---------------------------------------------------------- */

static bool glob_selects(const char *glob, const struct test_suite *s,
			 const char *reported, const struct test_case *c)
{
	char full[NAME_MAX * 2];

	if (glob_match(glob, s->name) || glob_match(glob, reported))
		return true;
	if (!c)
		return false;
	snprintf(full, sizeof(full), "%s.%s", s->name, c->name);
	if (glob_match(glob, full))
		return true;
	snprintf(full, sizeof(full), "%s.%s", reported, c->name);
	return glob_match(glob, full);
}

static bool case_selected(const struct test_suite *s, const char *reported,
			  const struct test_case *c)
{
	const char *p = selection;

	while (*p) {
		char glob[GLOB_MAX];
		size_t n = 0;

		while (*p && *p != ',') {
			if (n < sizeof(glob) - 1)
				glob[n++] = *p;
			p++;
		}
		glob[n] = '\0';
		if (*p == ',')
			p++;
		if (n && glob_selects(glob, s, reported, c))
			return true;
	}
	return false;
}

static unsigned int selected_cases(const struct test_suite *s,
				   const char *reported)
{
	unsigned int i, n = 0;

	for (i = 0; i < s->nr_cases; i++)
		n += case_selected(s, reported, &s->cases[i]);
	return n;
}

static void reported_name(char *buf, const struct test_suite *s,
			  enum lapic_mode mode)
{
	if (s->per_lapic_mode)
		snprintf(buf, NAME_MAX, "%s-%s", s->name,
			 lapic_mode_name(mode));
	else
		strlcpy(buf, s->name, NAME_MAX);
}

/* ---- Running ------------------------------------------------------------- */

/* Can every online CPU's LAPIC be put in mode? */
static bool mode_available(enum lapic_mode mode)
{
	return mode == LAPIC_XAPIC || x2apic_supported();
}

static void run_suite(const struct test_suite *s, const char *reported,
		      enum lapic_mode mode, unsigned int index,
		      struct totals *totals)
{
	unsigned int i, n = 0;
	bool suite_failed = false;
	u64 start = rdtsc_ordered();

	printf("    KTAP version 1\n    # Subtest: %s\n    1..%u\n", reported,
	       selected_cases(s, reported));
	for (i = 0; i < s->nr_cases; i++) {
		const struct test_case *c = &s->cases[i];
		struct test t = {
			.suite = reported, .name = c->name, .mode = mode};

		if (!case_selected(s, reported, c))
			continue;
		if (mode_available(mode))
			c->run(&t);
		else
			test_skip(&t, "%s mode not available (CPUID.1:ECX[21])",
				  lapic_mode_name(mode));
		n++;
		if (t.failed) {
			printf("    not ok %u %s\n", n, c->name);
			totals->failed++;
			suite_failed = true;
		} else if (t.skipped) {
			printf("    ok %u %s # SKIP %s\n", n, c->name,
			       t.skip_reason);
			totals->skipped++;
		} else {
			printf("    ok %u %s\n", n, c->name);
			totals->passed++;
		}
	}
	printf("    # %s took %lu ms\n", reported,
	       (unsigned long)(tsc_to_ns(rdtsc_ordered() - start) /
			       NSEC_PER_MSEC));
	printf("%sok %u %s\n", suite_failed ? "not " : "", index, reported);
}

void run_suites(const char *image, const struct test_suite *const *suites,
		unsigned int nr_suites, struct run_modes modes)
{
	struct totals totals = {0};
	unsigned int i, m, planned = 0, index = 0;
	char name[NAME_MAX];

	selection = option_str("test", "*");
	for (m = 0; m < modes.n; m++)
		for (i = 0; i < nr_suites; i++) {
			if (m > 0 && !suites[i]->per_lapic_mode)
				continue;
			reported_name(name, suites[i], modes.mode[m]);
			planned += selected_cases(suites[i], name) > 0;
		}
	printf("KTAP version 1\n1..%u\n", planned);
	for (m = 0; m < modes.n; m++) {
		enum lapic_mode mode = modes.mode[m];

		if (mode_available(mode) && lapic_mode() != mode)
			smp_set_lapic_mode(mode);
		for (i = 0; i < nr_suites; i++) {
			if (m > 0 && !suites[i]->per_lapic_mode)
				continue;
			reported_name(name, suites[i], mode);
			if (selected_cases(suites[i], name) == 0)
				continue;
			run_suite(suites[i], name, mode, ++index, &totals);
		}
	}
	if (planned == 0)
		printf("# %s: test=%s selects no test\n", image, selection);
	printf("# %s: %u passed, %u failed, %u skipped\n", image, totals.passed,
	       totals.failed, totals.skipped);
	machine_exit(planned > 0 && totals.failed == 0);
}
