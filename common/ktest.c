/*
 * The in-kernel test runner: selection by test=, KTAP v1 output
 * (Documentation/dev-tools/ktap.rst in Linux), verdict by machine_exit().
 */
#include <ktest.h>
#include <param.h>
#include <printk.h>
#include <shutdown.h>
#include <string.h>
#include <systime.h>
#include <trace.h>

/* How long the verdict waits for the other CPUs to drain their traces. */
#define TRACE_FLUSH_TIMEOUT MILLISECS(500)

#define GLOB_MAX 128

static char test_selection[256];
string_param("test", test_selection);

extern const struct ktest_suite __ktest_start[], __ktest_end[];

#define for_each_ktest_suite(s) for (s = __ktest_start; s < __ktest_end; s++)

bool ktest_requested(void)
{
	return test_selection[0] != '\0';
}

static bool has_wildcard(const char *glob)
{
	return strchr(glob, '*') || strchr(glob, '?');
}

/* Does glob select the whole suite, or case c of it (c may be NULL)? */
static bool glob_selects(const char *glob, const struct ktest_suite *s,
			 const struct ktest_case *c)
{
	char full[GLOB_MAX];

	if (s->explicit_only) {
		/* Only an exact name, never a wildcard, runs these. */
		if (has_wildcard(glob))
			return false;
		if (strcmp(glob, s->name) == 0)
			return true;
		if (!c)
			return false;
		snprintf(full, sizeof(full), "%s.%s", s->name, c->name);
		return strcmp(glob, full) == 0;
	}
	if (glob_match(glob, s->name))
		return true;
	if (!c)
		return false;
	snprintf(full, sizeof(full), "%s.%s", s->name, c->name);
	return glob_match(glob, full);
}

static bool case_selected(const struct ktest_suite *s,
			  const struct ktest_case *c)
{
	const char *cursor = test_selection;
	char glob[GLOB_MAX];
	int len;

	while ((len = param_list_next(&cursor, glob, sizeof(glob))) != 0)
		if (len > 0 && glob_selects(glob, s, c))
			return true;
	return false;
}

static unsigned int selected_cases(const struct ktest_suite *s)
{
	unsigned int i, n = 0;

	for (i = 0; i < s->nr_cases; i++)
		n += case_selected(s, &s->cases[i]);
	return n;
}

void ktest_fail(struct ktest *t, const char *file, int line, const char *fmt,
		...)
{
	char msg[200];
	va_list args;

	va_start(args, fmt);
	vsnprintf(msg, sizeof(msg), fmt, args);
	va_end(args);
	t->failed = true;
	pr_info("    # %s: %s:%d: %s\n", t->name, file, line, msg);
}

struct ktest_totals {
	unsigned int passed, failed, skipped;
};

/* Runs the selected cases of s as KTAP subtest number index. */
static void run_suite(const struct ktest_suite *s, unsigned int index,
		      struct ktest_totals *totals)
{
	unsigned int i, n = 0;
	bool suite_failed = false;

	pr_info("    KTAP version 1\n");
	pr_info("    # Subtest: %s\n", s->name);
	pr_info("    1..%u\n", selected_cases(s));
	for (i = 0; i < s->nr_cases; i++) {
		const struct ktest_case *c = &s->cases[i];
		struct ktest t = {.name = c->name};

		if (!case_selected(s, c))
			continue;
		c->run(&t);
		n++;
		if (t.failed) {
			pr_info("    not ok %u %s\n", n, c->name);
			totals->failed++;
			suite_failed = true;
		} else if (t.skip) {
			pr_info("    ok %u %s # SKIP %s\n", n, c->name, t.skip);
			totals->skipped++;
		} else {
			pr_info("    ok %u %s\n", n, c->name);
			totals->passed++;
		}
	}
	pr_info("%sok %u %s\n", suite_failed ? "not " : "", index, s->name);
}

void ktest_run_selected(void)
{
	const struct ktest_suite *s;
	struct ktest_totals totals = {0};
	unsigned int nr_suites = 0, index = 0;

	if (console_loglevel < LOGLEVEL_INFO) {
		pr_notice(
			"ktest: raising loglvl to %d so that results are visible\n",
			LOGLEVEL_INFO);
		console_loglevel = LOGLEVEL_INFO;
	}
	for_each_ktest_suite (s)
		nr_suites += selected_cases(s) > 0;

	pr_info("KTAP version 1\n");
	pr_info("1..%u\n", nr_suites);
	for_each_ktest_suite (s)
		if (selected_cases(s) > 0)
			run_suite(s, ++index, &totals);

	if (nr_suites == 0)
		pr_err("ktest: test=%s selects no test\n", test_selection);
	pr_info("# ktest: %u passed, %u failed, %u skipped\n", totals.passed,
		totals.failed, totals.skipped);
	/* What was traced reaches the host before the machine stops. */
	if (trace_classes)
		trace_flush(TRACE_FLUSH_TIMEOUT);
	machine_exit(nr_suites > 0 && totals.failed == 0 ? EXIT_PASS
							 : EXIT_FAIL);
}
