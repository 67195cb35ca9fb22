/*
 * Host tests of the clocksource registry and selection
 * (include/clocksource.h, common/clocksource.c). The `clocksource=`
 * option is set the way the boot sets it, by cmdline_parse() over the
 * options the code declares (tests/unit/host/params.ld brackets them);
 * refusals are read back from the printk capture.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "expect_panic.h"
#include "host_support.h"

#include <stdio.h>

#include <clocksource.h>
#include <param.h>

/* compiler.h clashes with glibc's <sys/cdefs.h> (__always_inline). */
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Test hook in common/clocksource.c (HOST_TEST only). */
void clocksource_reset_for_test(void);

static u64 read_zero(void)
{
	return 0;
}

/* The x86 set, as their drivers describe them. */
static struct clocksource tsc, hpet, acpi_pm, pit;

static void init_x86_set(void)
{
	tsc = (struct clocksource){
		.name = "tsc",
		.rating = 300,
		.flags = CLOCKSOURCE_IS_TSC,
		.read = read_zero,
		.mask = ~0ULL,
		.hz = 2300000000ULL,
	};
	hpet = (struct clocksource){
		.name = "hpet",
		.rating = 250,
		.read = read_zero,
		.mask = 0xffffffffULL,
		.hz = 14318180,
	};
	acpi_pm = (struct clocksource){
		.name = "acpi_pm",
		.rating = 200,
		.read = read_zero,
		.mask = 0xffffff,
		.hz = 3579545,
	};
	pit = (struct clocksource){
		.name = "pit",
		.rating = 110,
		.flags = CLOCKSOURCE_NOT_FOR_NOW,
		.read = read_zero,
		.mask = 0xffff,
		.hz = 1193182,
	};
}

/* Registers the x86 set in an order unlike their ratings. */
static void register_x86_set(void)
{
	clocksource_register(&pit);
	clocksource_register(&hpet);
	clocksource_register(&tsc);
	clocksource_register(&acpi_pm);
}

/* Boots with this command line: sets (or clears) clocksource=. */
static void boot_with(const char *cmdline)
{
	assert_int_equal(cmdline_parse(cmdline), 0);
}

static int setup(void **state)
{
	clocksource_reset_for_test();
	init_x86_set();
	host_printk_reset();
	return 0;
}

/* ------------------------------------------------------------------------
 * The registry
 */

static void test_empty_registry(void **state)
{
	assert_null(clocksource_by_rating(0));
	assert_null(clocksource_find("tsc"));
	assert_null(clocksource_select());
	assert_string_equal(clocksource_option(), "");
	assert_string_equal(host_printk_output(), "");
}

static void test_by_rating_and_find(void **state)
{
	register_x86_set();
	assert_ptr_equal(clocksource_by_rating(0), &tsc);
	assert_ptr_equal(clocksource_by_rating(1), &hpet);
	assert_ptr_equal(clocksource_by_rating(2), &acpi_pm);
	assert_ptr_equal(clocksource_by_rating(3), &pit);
	assert_null(clocksource_by_rating(4));
	assert_null(clocksource_by_rating(~0U));

	assert_ptr_equal(clocksource_find("tsc"), &tsc);
	assert_ptr_equal(clocksource_find("hpet"), &hpet);
	assert_ptr_equal(clocksource_find("acpi_pm"), &acpi_pm);
	assert_ptr_equal(clocksource_find("pit"), &pit);
	/* Whole names only, case and all. */
	assert_null(clocksource_find("hpe"));
	assert_null(clocksource_find("hpet0"));
	assert_null(clocksource_find("TSC"));
	assert_null(clocksource_find(""));
}

static void test_ties_keep_registration_order(void **state)
{
	static struct clocksource cs[7];
	static const int ratings[] = {200, 100, 200, 300, 100, 200, 300};
	/* By falling rating, ties in the order registered. */
	static const unsigned int expect[] = {3, 6, 0, 2, 5, 1, 4};
	static const char *const names[] = {"a", "b", "c", "d", "e", "f", "g"};

	for (unsigned int i = 0; i < ARRAY_SIZE(cs); i++) {
		cs[i] = (struct clocksource){
			.name = names[i],
			.rating = ratings[i],
			.read = read_zero,
			.mask = 0xffff,
			.hz = 1000,
		};
		clocksource_register(&cs[i]);
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(cs); i++)
		assert_ptr_equal(clocksource_by_rating(i), &cs[expect[i]]);
	assert_null(clocksource_by_rating(ARRAY_SIZE(cs)));
	/* The first of the best-rated ones keeps system time. */
	assert_ptr_equal(clocksource_select(), &cs[3]);
}

static struct clocksource spare[CLOCKSOURCE_MAX + 1];
static char spare_names[CLOCKSOURCE_MAX + 1][8];

static void register_one_too_many(void *arg)
{
	for (unsigned int i = 0; i <= CLOCKSOURCE_MAX; i++) {
		snprintf(spare_names[i], sizeof(spare_names[i]), "cs%u", i);
		spare[i] = (struct clocksource){
			.name = spare_names[i],
			.rating = 100 + i,
			.read = read_zero,
			.mask = 0xffffffff,
			.hz = 1000000,
		};
		clocksource_register(&spare[i]);
	}
}

static void register_twice(void *arg)
{
	struct clocksource other = hpet;

	clocksource_register(&hpet);
	clocksource_register(&other);
}

static void register_bad_mask(void *arg)
{
	hpet.mask = 0x1fffe;
	clocksource_register(&hpet);
}

static void test_register_asserts(void **state)
{
	expect_panic(register_one_too_many, NULL,
		     "nr_registered < CLOCKSOURCE_MAX");
	expect_panic(register_twice, NULL, "!clocksource_find(cs->name)");
	expect_panic(register_bad_mask, NULL, "cs->mask & (cs->mask + 1)");

	/* Exactly CLOCKSOURCE_MAX fit. */
	for (unsigned int i = 0; i < CLOCKSOURCE_MAX; i++) {
		snprintf(spare_names[i], sizeof(spare_names[i]), "cs%u", i);
		spare[i] = (struct clocksource){
			.name = spare_names[i],
			.rating = 100,
			.read = read_zero,
			.mask = 0xff,
			.hz = 1000000,
		};
		clocksource_register(&spare[i]);
	}
	assert_ptr_equal(clocksource_by_rating(CLOCKSOURCE_MAX - 1),
			 &spare[CLOCKSOURCE_MAX - 1]);
}

/* ------------------------------------------------------------------------
 * Selection without clocksource=
 */

static void test_select_best_usable(void **state)
{
	register_x86_set();
	assert_ptr_equal(clocksource_select(), &tsc);

	/* A reason against, or a counter too short: the next one down. */
	tsc.why_unusable = "not invariant (CPUID 80000007h:EDX[8] clear)";
	assert_ptr_equal(clocksource_select(), &hpet);
	hpet.flags |= CLOCKSOURCE_NOT_FOR_NOW;
	assert_ptr_equal(clocksource_select(), &acpi_pm);
	acpi_pm.why_unusable = "reads back garbage";
	assert_null(clocksource_select());

	/* Unstable alone does not refuse: the driver says why, or not. */
	tsc.why_unusable = NULL;
	tsc.flags |= CLOCKSOURCE_UNSTABLE;
	assert_ptr_equal(clocksource_select(), &tsc);

	/* Without clocksource= nothing is refused, so nothing is said. */
	assert_string_equal(host_printk_output(), "");
}

/* ------------------------------------------------------------------------
 * Selection with clocksource=
 */

static void test_option_is_parsed(void **state)
{
	boot_with("clocksource=acpi_pm");
	assert_string_equal(clocksource_option(), "acpi_pm");
	boot_with("clocksource=hpet clocksource=pit");
	assert_string_equal(clocksource_option(), "pit");
	boot_with("clocksource=\"\"");
	assert_string_equal(clocksource_option(), "");

	/* A value longer than any name is refused by the parser. */
	boot_with("clocksource=hpet");
	assert_int_equal(cmdline_parse("clocksource=averyverylongname"), 1);
	assert_string_equal(clocksource_option(), "hpet");
	assert_true(expect_panic_contains(
		host_printk_output(),
		"cmdline: clocksource=averyverylongname: "));
}

static void test_usable_choice_is_taken(void **state)
{
	register_x86_set();
	boot_with("clocksource=acpi_pm");
	assert_ptr_equal(clocksource_select(), &acpi_pm);
	boot_with("clocksource=hpet");
	assert_ptr_equal(clocksource_select(), &hpet);
	/* The PIT is a clocksource like the others once it may keep time. */
	pit.flags = 0;
	boot_with("clocksource=pit");
	assert_ptr_equal(clocksource_select(), &pit);
	boot_with("clocksource=tsc");
	assert_ptr_equal(clocksource_select(), &tsc);
	assert_string_equal(host_printk_output(), "");
}

static void test_refusal_too_fast(void **state)
{
	register_x86_set();
	boot_with("clocksource=pit");
	assert_ptr_equal(clocksource_select(), &tsc);
	assert_string_equal(host_printk_output(),
			    "clocksource: \"pit\" refused (wraps every 55 ms, "
			    "too fast to keep time); using tsc\n");
}

static void test_refusal_with_reason(void **state)
{
	register_x86_set();
	tsc.why_unusable = "not invariant (CPUID 80000007h:EDX[8] clear)";
	boot_with("clocksource=tsc");
	assert_ptr_equal(clocksource_select(), &hpet);
	assert_string_equal(
		host_printk_output(),
		"clocksource: \"tsc\" refused (not invariant (CPUID "
		"80000007h:EDX[8] clear)); using hpet\n");

	/* A reason beats the flag. */
	host_printk_reset();
	pit.why_unusable = "no PIT on this board";
	boot_with("clocksource=pit");
	assert_ptr_equal(clocksource_select(), &hpet);
	assert_string_equal(host_printk_output(),
			    "clocksource: \"pit\" refused (no PIT on this "
			    "board); using hpet\n");
}

static void test_refusal_unknown(void **state)
{
	register_x86_set();
	boot_with("clocksource=hpte");
	assert_ptr_equal(clocksource_select(), &tsc);
	assert_string_equal(
		host_printk_output(),
		"clocksource: \"hpte\" refused (no such clocksource; "
		"registered: tsc, hpet, acpi_pm, pit); using tsc\n");

	/* With nothing registered at all. */
	clocksource_reset_for_test();
	host_printk_reset();
	boot_with("clocksource=tsc");
	assert_null(clocksource_select());
	assert_string_equal(
		host_printk_output(),
		"clocksource: \"tsc\" refused (no such clocksource; "
		"registered: none); no clocksource can keep system "
		"time\n");
}

static void test_refusal_nothing_usable(void **state)
{
	register_x86_set();
	tsc.why_unusable = "a CPU's TSC is behind another's";
	hpet.why_unusable = "not found";
	acpi_pm.why_unusable = "not found";
	boot_with("clocksource=pit");
	assert_null(clocksource_select());
	assert_string_equal(host_printk_output(),
			    "clocksource: \"pit\" refused (wraps every 55 ms, "
			    "too fast to keep time); no clocksource can keep "
			    "system time\n");
}

/* Selecting again repeats nothing unless the outcome changed. */
static void test_refusal_said_once(void **state)
{
	static const char first[] = "clocksource: \"pit\" refused (wraps "
				    "every 55 ms, too fast to keep time); "
				    "using tsc\n";
	static const char second[] = "clocksource: \"pit\" refused (wraps "
				     "every 55 ms, too fast to keep time); "
				     "using hpet\n";
	char both[sizeof(first) + sizeof(second)];

	register_x86_set();
	boot_with("clocksource=pit");
	assert_ptr_equal(clocksource_select(), &tsc);
	assert_ptr_equal(clocksource_select(), &tsc);
	assert_string_equal(host_printk_output(), first);

	/* The TSC turns out unusable: system time moves, and says so. */
	tsc.why_unusable = "a CPU's TSC is behind another's";
	assert_ptr_equal(clocksource_select(), &hpet);
	assert_ptr_equal(clocksource_select(), &hpet);
	snprintf(both, sizeof(both), "%s%s", first, second);
	assert_string_equal(host_printk_output(), both);
}

/* The wrap period in the message, for counters short and fast. */
static void test_refusal_wrap_periods(void **state)
{
	static const struct {
		u64 mask, hz;
		const char *why;
	} cases[] = {
		{0xff, 10000000, "wraps every 26 us, too fast to keep time"},
		{0xffff, 1193182, "wraps every 55 ms, too fast to keep time"},
		{0xffffff, 3579545,
		 "wraps every 4687 ms, too fast to keep time"},
		{0x3ffffffffULL, 1000000000,
		 "wraps every 17180 ms, too fast to keep time"},
		/* Nothing to compute from: the flag's own words. */
		{0xffff, 0, "wraps too fast to keep time"},
		{0x7ffffffffULL, 1000000000, "wraps too fast to keep time"},
	};
	char expect[256];

	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		clocksource_reset_for_test();
		init_x86_set();
		host_printk_reset();
		pit.mask = cases[i].mask;
		pit.hz = cases[i].hz;
		register_x86_set();
		boot_with("clocksource=pit");
		assert_ptr_equal(clocksource_select(), &tsc);
		snprintf(expect, sizeof(expect),
			 "clocksource: \"pit\" refused (%s); using tsc\n",
			 cases[i].why);
		assert_string_equal(host_printk_output(), expect);
	}
}

/* ------------------------------------------------------------------------
 * clocksource_delta()
 */

static u64 rng_state = 0x2545f4914f6cdd1dULL;

/* xorshift64: a fixed seed gives the same cases on every host. */
static u64 rng_next(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void test_delta_across_wraps(void **state)
{
	static const unsigned int widths[] = {16, 24, 32, 64};

	for (unsigned int w = 0; w < ARRAY_SIZE(widths); w++) {
		u64 mask = widths[w] == 64 ? ~0ULL : (1ULL << widths[w]) - 1;

		/* No wrap, a wrap, and a whole period less one tick. */
		assert_int_equal(clocksource_delta(0, 0, mask), 0);
		assert_int_equal(clocksource_delta(mask, mask, mask), 0);
		assert_int_equal(clocksource_delta(10, 3, mask), 7);
		assert_int_equal(clocksource_delta(0, mask, mask), 1);
		assert_int_equal(clocksource_delta(5, mask - 10, mask), 16);
		assert_int_equal(clocksource_delta(mask, 0, mask), mask);
		assert_int_equal(clocksource_delta(3, 4, mask), mask);

		/* Any start, any distance below one period. */
		for (unsigned int i = 0; i < 100000; i++) {
			u64 then = rng_next() & mask;
			u64 ticks = rng_next() & mask;
			u64 now = (then + ticks) & mask;

			assert_int_equal(clocksource_delta(now, then, mask),
					 ticks);
		}
	}
	/* The PM timer's 24 bits: 0xfffff0 to 0x000010 is 32 ticks. */
	assert_int_equal(clocksource_delta(0x10, 0xfffff0, 0xffffff), 0x20);
	/* The PIT's 16 bits. */
	assert_int_equal(clocksource_delta(0x0005, 0xfffb, 0xffff), 10);
	/* A 32-bit HPET. */
	assert_int_equal(clocksource_delta(0x100, 0xffffff00, 0xffffffff),
			 0x200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_empty_registry, setup),
		cmocka_unit_test_setup(test_by_rating_and_find, setup),
		cmocka_unit_test_setup(test_ties_keep_registration_order,
				       setup),
		cmocka_unit_test_setup(test_register_asserts, setup),
		cmocka_unit_test_setup(test_select_best_usable, setup),
		cmocka_unit_test_setup(test_option_is_parsed, setup),
		cmocka_unit_test_setup(test_usable_choice_is_taken, setup),
		cmocka_unit_test_setup(test_refusal_too_fast, setup),
		cmocka_unit_test_setup(test_refusal_with_reason, setup),
		cmocka_unit_test_setup(test_refusal_unknown, setup),
		cmocka_unit_test_setup(test_refusal_nothing_usable, setup),
		cmocka_unit_test_setup(test_refusal_said_once, setup),
		cmocka_unit_test_setup(test_refusal_wrap_periods, setup),
		cmocka_unit_test_setup(test_delta_across_wraps, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
