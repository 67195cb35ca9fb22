/* glob_match(): the wildcard matching behind test= selection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <ktest.h>

struct glob_case {
	const char *pattern;
	const char *name;
	bool match;
};

static const struct glob_case cases[] = {
	{"", "", true},
	{"", "a", false},
	{"*", "", true},
	{"*", "boot", true},
	{"boot", "boot", true},
	{"boot", "boots", false},
	{"boot", "boo", false},
	{"boo?", "boot", true},
	{"?", "", false},
	{"b*t", "boot", true},
	{"b*t", "bootx", false},
	{"*.case", "suite.case", true},
	{"suite.*", "suite.case", true},
	{"suite.*", "suite", false},
	{"*a*b*c", "xaybzc", true},
	{"*a*b*c", "xaybzcb", false},
	{"a**b", "ab", true},
	{"***", "anything", true},
	{"*ab", "aab", true},
	{"*aab", "aaab", true},
	{"m*y*", "memory", true},
	{"timer.*late*", "timer.never_late", true},
};

static void table(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool got = glob_match(cases[i].pattern, cases[i].name);

		if (got != cases[i].match)
			fail_msg("glob_match(\"%s\", \"%s\") = %d, expected %d",
				 cases[i].pattern, cases[i].name, got,
				 cases[i].match);
	}
}

/* Many stars against a long non-matching name must stay fast. */
static void no_exponential_backtracking(void **state)
{
	char name[4097];

	for (size_t i = 0; i < sizeof(name) - 1; i++)
		name[i] = 'a';
	name[sizeof(name) - 1] = '\0';
	assert_false(glob_match("*a*a*a*a*a*a*a*a*a*a*b", name));
	assert_true(glob_match("*a*a*a*a*a*a*a*a*a*a*", name));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table),
		cmocka_unit_test(no_exponential_backtracking),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
