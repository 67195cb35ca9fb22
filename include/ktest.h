/*
 * In-kernel test suites (common/ktest.c). A suite registers itself at link
 * time; `test=<glob>[,<glob>...]` on the command line selects suites (glob
 * on the suite name) or single cases (glob on "suite.case"). Results go out
 * as KTAP v1 through the kernel log, then the verdict leaves through
 * machine_exit(). Boots without test= never run a test.
 *
 *     static void frob_works(struct ktest *t)
 *     {
 *             KT_EXPECT_EQ(t, frob(2), 4);
 *     }
 *     KTEST_SUITE(frob, KTEST_CASE(frob_works));
 *
 * Concurrency: suites run on the boot CPU, interrupts enabled, after the
 * boot sequence; a case may block interrupts itself.
 */
#ifndef KAIROS_KTEST_H
#define KAIROS_KTEST_H

#include <compiler.h>
#include <string.h>
#include <types.h>

struct ktest {
	const char *name; /* case being run */
	bool failed;	  /* an expectation failed */
	const char *skip; /* reason, if the case skipped itself */
};

struct ktest_case {
	const char *name;
	void (*run)(struct ktest *t);
};

struct ktest_suite {
	const char *name;
	const struct ktest_case *cases;
	unsigned int nr_cases;
	/* Run only when selected by exact name (e.g. a deliberate crash). */
	bool explicit_only;
};

#define KTEST_CASE(fn)                 \
	{                              \
		.name = #fn, .run = fn \
	}

#define __KTEST_SUITE(sname, explicit, ...)                                   \
	static const struct ktest_case sname##_ktest_cases[] = {__VA_ARGS__}; \
	static const struct ktest_suite sname##_ktest_suite __used __section( \
		".data.ktest") __aligned(8) = {                               \
		.name = #sname,                                               \
		.cases = sname##_ktest_cases,                                 \
		.nr_cases = ARRAY_SIZE(sname##_ktest_cases),                  \
		.explicit_only = explicit,                                    \
	}

#define KTEST_SUITE(sname, ...)		 __KTEST_SUITE(sname, false, __VA_ARGS__)
#define KTEST_SUITE_EXPLICIT(sname, ...) __KTEST_SUITE(sname, true, __VA_ARGS__)

/* Records a failure with its location and message. */
void ktest_fail(struct ktest *t, const char *file, int line, const char *fmt,
		...) __printf(4, 5);

#define KT_EXPECT_TRUE(t, cond)                                          \
	({                                                               \
		bool __ok = (cond);                                      \
		if (!__ok)                                               \
			ktest_fail(t, __FILE__, __LINE__, "expected %s", \
				   #cond);                               \
		__ok;                                                    \
	})

#define KT_EXPECT_EQ(t, a, b)                                                           \
	({                                                                              \
		long long __a = (long long)(a), __b = (long long)(b);                   \
		bool __ok = __a == __b;                                                 \
		if (!__ok)                                                              \
			ktest_fail(                                                     \
				t, __FILE__, __LINE__,                                  \
				"expected %s == %s, got %lld (%#llx) and %lld (%#llx)", \
				#a, #b, __a, __a, __b, __b);                            \
		__ok;                                                                   \
	})

#define KT_EXPECT_STREQ(t, a, b)                                               \
	({                                                                     \
		const char *__a = (a), *__b = (b);                             \
		bool __ok = __a && __b && strcmp(__a, __b) == 0;               \
		if (!__ok)                                                     \
			ktest_fail(t, __FILE__, __LINE__,                      \
				   "expected %s == %s, got \"%s\" and \"%s\"", \
				   #a, #b, __a ? __a : "(null)",               \
				   __b ? __b : "(null)");                      \
		__ok;                                                          \
	})

/* The ASSERT forms end the case on failure. */
#define KT_ASSERT_TRUE(t, cond)               \
	do {                                  \
		if (!KT_EXPECT_TRUE(t, cond)) \
			return;               \
	} while (0)
#define KT_ASSERT_EQ(t, a, b)               \
	do {                                \
		if (!KT_EXPECT_EQ(t, a, b)) \
			return;             \
	} while (0)

/* Marks the case skipped (not failed) with reason, and ends it. */
#define KT_SKIP(t, reason)            \
	do {                          \
		(t)->skip = (reason); \
		return;               \
	} while (0)

/* True if test= was given. */
bool ktest_requested(void);

/*
 * Runs the suites test= selects, prints KTAP, and leaves through
 * machine_exit() with PASS only if every selected case passed and at least
 * one was selected.
 */
void ktest_run_selected(void) __noreturn;

/* Shell-style match of name against pattern ('*', '?'). */
bool glob_match(const char *pattern, const char *name);

#endif /* KAIROS_KTEST_H */
