/*
 * Debug keys (common/keyhandler.c).
 *
 * keyhandler, in every test=* boot: the registry with a key of its own,
 * and every built-in key run once through handle_keypress() (their output
 * is checked by the keys machine; here: that each runs and returns).
 *
 * keys, explicit (test=keys): the harness types every key on COM1
 * (tests/harness/matrix.py, the "keys" machine); the suite keeps the boot
 * CPU's softirqs running until each registered key and one unknown key
 * came through the receive interrupt and ran, for at most KEYS_WAIT.
 */
#include <keyhandler.h>
#include <ktest.h>
#include <printk.h>
#include <trace.h>

#include "deferred_helpers.h"

#define NR_ASCII  128
#define TEST_KEY  '~' /* no built-in key */
#define KEYS_WAIT SECONDS(20)

static unsigned int test_key_runs;
static unsigned char test_key_seen;

static void test_key_fn(unsigned char key)
{
	test_key_runs++;
	test_key_seen = key;
}

static void registered_key_runs(struct ktest *t)
{
	u64 before = keyhandler_count(TEST_KEY);

	KT_ASSERT_TRUE(t, !keyhandler_registered(TEST_KEY));
	register_keyhandler(TEST_KEY, test_key_fn, "keyhandler suite");
	KT_EXPECT_TRUE(t, keyhandler_registered(TEST_KEY));
	handle_keypress(TEST_KEY);
	KT_EXPECT_EQ(t, test_key_runs, 1);
	KT_EXPECT_EQ(t, test_key_seen, TEST_KEY);
	KT_EXPECT_EQ(t, keyhandler_count(TEST_KEY), before + 1);
	register_keyhandler(TEST_KEY, NULL, NULL);
	KT_EXPECT_TRUE(t, !keyhandler_registered(TEST_KEY));
}

static void later_registration_replaces(struct ktest *t)
{
	register_keyhandler(TEST_KEY, test_key_fn, "first");
	register_keyhandler(TEST_KEY, test_key_fn, "second");
	test_key_runs = 0;
	handle_keypress(TEST_KEY);
	KT_EXPECT_EQ(t, test_key_runs, 1);
	register_keyhandler(TEST_KEY, NULL, NULL);
}

static void unknown_key_is_counted(struct ktest *t)
{
	u64 before = keyhandler_unknown_count();

	handle_keypress(TEST_KEY);
	handle_keypress(0x80);
	KT_EXPECT_EQ(t, keyhandler_unknown_count(), before + 2);
}

static void builtin_keys_are_registered(struct ktest *t)
{
	const char *k;

	for (k = "hartdqsTz"; *k; k++)
		if (!keyhandler_registered(*k))
			ktest_fail(t, __FILE__, __LINE__, "key '%c' missing",
				   *k);
}

/*
 * T last, twice, so that tracing is on only between the two (the other
 * suites find the rings as they left them); then the classes the boot
 * asked for are put back.
 */
static void every_key_runs(struct ktest *t)
{
	unsigned int classes = trace_classes, key;
	u64 before;

	for (key = 0; key < NR_ASCII; key++) {
		if (!keyhandler_registered(key) || key == 'T')
			continue;
		before = keyhandler_count(key);
		handle_keypress(key);
		KT_EXPECT_EQ(t, keyhandler_count(key), before + 1);
	}
	before = keyhandler_count('T');
	handle_keypress('T');
	handle_keypress('T');
	KT_EXPECT_EQ(t, keyhandler_count('T'), before + 2);
	trace_set_classes(classes);
}

KTEST_SUITE(keyhandler, KTEST_CASE(registered_key_runs),
	    KTEST_CASE(later_registration_replaces),
	    KTEST_CASE(unknown_key_is_counted),
	    KTEST_CASE(builtin_keys_are_registered),
	    KTEST_CASE(every_key_runs));

/* ------------------------------------------------------------------ */
/* Keys typed on COM1                                                  */

static u64 counts_before[NR_ASCII], unknown_before;

static bool every_key_arrived(void)
{
	unsigned int key;

	for (key = 0; key < NR_ASCII; key++)
		if (keyhandler_registered(key) &&
		    keyhandler_count(key) == counts_before[key])
			return false;
	return keyhandler_unknown_count() != unknown_before;
}

static void typed_keys_run(struct ktest *t)
{
	char list[2 * NR_ASCII + 1];
	unsigned int key, len = 0;

	if (!keyhandler_input_enabled())
		KT_SKIP(t, "no console input (keys=off, or no I/O APIC)");
	for (key = 0; key < NR_ASCII; key++) {
		counts_before[key] = keyhandler_count(key);
		if (keyhandler_registered(key)) {
			list[len++] = ' ';
			list[len++] = (char)key;
		}
	}
	list[len] = '\0';
	unknown_before = keyhandler_unknown_count();
	/* The harness starts typing when it sees this line. */
	printk("keys: waiting up to %ld s for every debug key on the console:%s, and one unknown key\n",
	       (long)(KEYS_WAIT / NSEC_PER_SEC), list);
	kt_wait_until(every_key_arrived(), KEYS_WAIT);
	for (key = 0; key < NR_ASCII; key++)
		if (keyhandler_registered(key) &&
		    keyhandler_count(key) == counts_before[key])
			ktest_fail(t, __FILE__, __LINE__,
				   "key '%c' did not arrive within %ld s", key,
				   (long)(KEYS_WAIT / NSEC_PER_SEC));
	KT_EXPECT_TRUE(t, keyhandler_unknown_count() != unknown_before);
}

KTEST_SUITE_EXPLICIT(keys, KTEST_CASE(typed_keys_run));
