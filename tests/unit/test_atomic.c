/*
 * Host tests of include/atomic.h: every counter operation at both widths,
 * the bitmap operations across word boundaries, and atomicity under four
 * threads hammering the same words.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>

#include <asm/system.h>
#include <atomic.h>

#define NR_THREADS	4
#define INCS_PER_THREAD 200000

/* ---------------------------------------------------------------------------
 * Counters, one thread
 */

static void test_atomic_int_ops(void **state)
{
	atomic_t v = ATOMIC_INIT(5);

	assert_int_equal(atomic_read(&v), 5);
	atomic_set(&v, -3);
	assert_int_equal(atomic_read(&v), -3);
	atomic_add(10, &v);
	assert_int_equal(atomic_read(&v), 7);
	atomic_sub(9, &v);
	assert_int_equal(atomic_read(&v), -2);
	atomic_inc(&v);
	assert_int_equal(atomic_read(&v), -1);
	atomic_dec(&v);
	assert_int_equal(atomic_read(&v), -2);
	assert_int_equal(atomic_inc_return(&v), -1);
	assert_int_equal(atomic_inc_return(&v), 0);

	atomic_set(&v, 2);
	assert_false(atomic_dec_and_test(&v));
	assert_true(atomic_dec_and_test(&v));
	assert_false(atomic_dec_and_test(&v));
	assert_int_equal(atomic_read(&v), -1);

	/* cmpxchg returns what it found, whether or not it stored. */
	atomic_set(&v, 10);
	assert_int_equal(atomic_cmpxchg(&v, 11, 20), 10);
	assert_int_equal(atomic_read(&v), 10);
	assert_int_equal(atomic_cmpxchg(&v, 10, 20), 10);
	assert_int_equal(atomic_read(&v), 20);

	assert_int_equal(atomic_xchg(&v, 7), 20);
	assert_int_equal(atomic_read(&v), 7);

	atomic_set(&v, 0x0f);
	assert_int_equal(atomic_fetch_or(0x30, &v), 0x0f);
	assert_int_equal(atomic_read(&v), 0x3f);
	assert_int_equal(atomic_fetch_and(0x21, &v), 0x3f);
	assert_int_equal(atomic_read(&v), 0x21);

	/* int wraps like the hardware register it lives in. */
	atomic_set(&v, INT32_MAX);
	assert_int_equal(atomic_xchg(&v, INT32_MIN), INT32_MAX);
	assert_int_equal(atomic_inc_return(&v), INT32_MIN + 1);
}

static void test_atomic64_ops(void **state)
{
	const s64 big = 0x123456789aLL; /* needs more than 32 bits */
	atomic64_t v = ATOMIC_INIT(big);

	assert_int_equal(atomic64_read(&v), big);
	atomic64_set(&v, -big);
	assert_int_equal(atomic64_read(&v), -big);
	atomic64_add(2 * big, &v);
	assert_int_equal(atomic64_read(&v), big);
	atomic64_sub(big + 1, &v);
	assert_int_equal(atomic64_read(&v), -1);
	atomic64_inc(&v);
	assert_int_equal(atomic64_read(&v), 0);
	atomic64_dec(&v);
	assert_int_equal(atomic64_read(&v), -1);

	atomic64_set(&v, 1LL << 32);
	assert_int_equal(atomic64_inc_return(&v), (1LL << 32) + 1);
	atomic64_set(&v, 1LL << 32);
	assert_false(atomic64_dec_and_test(&v));
	assert_int_equal(atomic64_read(&v), (1LL << 32) - 1);
	atomic64_set(&v, 1);
	assert_true(atomic64_dec_and_test(&v));

	atomic64_set(&v, big);
	assert_int_equal(atomic64_cmpxchg(&v, big + 1, 0), big);
	assert_int_equal(atomic64_read(&v), big);
	assert_int_equal(atomic64_cmpxchg(&v, big, -big), big);
	assert_int_equal(atomic64_read(&v), -big);
	assert_int_equal(atomic64_xchg(&v, 3), -big);

	atomic64_set(&v, 1);
	assert_int_equal(atomic64_fetch_or(1LL << 40, &v), 1);
	assert_int_equal(atomic64_read(&v), (1LL << 40) | 1);
	assert_int_equal(atomic64_fetch_and(1LL << 40, &v), (1LL << 40) | 1);
	assert_int_equal(atomic64_read(&v), 1LL << 40);
}

/* ---------------------------------------------------------------------------
 * Bitmaps, one thread
 */

static void test_bitops(void **state)
{
	unsigned long map[3] = {0, 0, 0};
	static const unsigned int bits[] = {0, 1, 63, 64, 65, 127, 128, 191};
	unsigned int i;

	assert_int_equal(BITS_PER_LONG, 64);
	assert_int_equal(BITS_TO_LONGS(0), 0);
	assert_int_equal(BITS_TO_LONGS(1), 1);
	assert_int_equal(BITS_TO_LONGS(64), 1);
	assert_int_equal(BITS_TO_LONGS(65), 2);

	for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		assert_false(test_bit(bits[i], map));
		set_bit(bits[i], map);
		assert_true(test_bit(bits[i], map));
	}
	assert_int_equal(map[0], 0x8000000000000003UL);
	assert_int_equal(map[1], 0x8000000000000003UL);
	assert_int_equal(map[2], 0x8000000000000001UL);
	assert_false(test_bit(2, map));
	assert_false(test_bit(126, map));

	clear_bit(64, map);
	assert_false(test_bit(64, map));
	assert_true(test_bit(65, map));
	assert_int_equal(map[1], 0x8000000000000002UL);

	/* test_and_* return the bit as it was. */
	assert_false(test_and_set_bit(100, map));
	assert_true(test_and_set_bit(100, map));
	assert_true(test_bit(100, map));
	assert_true(test_and_clear_bit(100, map));
	assert_false(test_and_clear_bit(100, map));
	assert_false(test_bit(100, map));

	__set_bit(150, map);
	assert_true(test_bit(150, map));
	__clear_bit(150, map);
	assert_false(test_bit(150, map));
	__clear_bit(191, map);
	assert_int_equal(map[2], 0x1UL);
}

/* ---------------------------------------------------------------------------
 * Four threads
 */

static atomic_t shared_int;
static atomic64_t shared_s64;
static unsigned long shared_map[4];
static unsigned long claims_map[2];
static atomic_t claims_won;

static void *hammer(void *arg)
{
	unsigned int id = (unsigned int)(uintptr_t)arg;

	for (unsigned int i = 0; i < INCS_PER_THREAD; i++) {
		atomic_inc(&shared_int);
		atomic64_add(3, &shared_s64);
		if (i % 2)
			atomic_dec(&shared_int);
	}
	/*
	 * Every thread sets its own bits in the same words (bit b belongs
	 * to thread b % NR_THREADS): a lost update would lose another
	 * thread's bit.
	 */
	for (unsigned int rep = 0; rep < 1000; rep++)
		for (unsigned int b = id; b < 256; b += NR_THREADS) {
			set_bit(b, shared_map);
			if (rep != 999)
				clear_bit(b, shared_map);
		}
	/* Everyone races for every bit; each bit has exactly one winner. */
	for (unsigned int b = 0; b < 128; b++)
		if (!test_and_set_bit(b, claims_map))
			atomic_inc(&claims_won);
	return NULL;
}

static void test_threads_lose_no_update(void **state)
{
	pthread_t threads[NR_THREADS];
	unsigned int i;

	for (i = 0; i < NR_THREADS; i++)
		assert_int_equal(pthread_create(&threads[i], NULL, hammer,
						(void *)(uintptr_t)i),
				 0);
	for (i = 0; i < NR_THREADS; i++)
		assert_int_equal(pthread_join(threads[i], NULL), 0);

	assert_int_equal(atomic_read(&shared_int),
			 NR_THREADS * INCS_PER_THREAD / 2);
	assert_int_equal(atomic64_read(&shared_s64),
			 3LL * NR_THREADS * INCS_PER_THREAD);
	for (i = 0; i < 4; i++)
		assert_int_equal(shared_map[i], ~0UL);
	assert_int_equal(claims_map[0], ~0UL);
	assert_int_equal(claims_map[1], ~0UL);
	assert_int_equal(atomic_read(&claims_won), 128);
}

/*
 * Message passing: the writer's smp_wmb() pairs with the reader's
 * smp_rmb(), so a reader that sees the flag sees the data.
 */
static int mp_data;
static int mp_flag;

static void *mp_writer(void *arg)
{
	for (int i = 1; i <= 10000; i++) {
		while (READ_ONCE(mp_flag))
			cpu_relax();
		WRITE_ONCE(mp_data, i);
		smp_wmb();
		WRITE_ONCE(mp_flag, 1);
	}
	return NULL;
}

static void test_barriers_pass_messages(void **state)
{
	pthread_t writer;

	assert_int_equal(pthread_create(&writer, NULL, mp_writer, NULL), 0);
	for (int i = 1; i <= 10000; i++) {
		while (!READ_ONCE(mp_flag))
			cpu_relax();
		smp_rmb();
		assert_int_equal(READ_ONCE(mp_data), i);
		smp_mb();
		WRITE_ONCE(mp_flag, 0);
	}
	assert_int_equal(pthread_join(writer, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_atomic_int_ops),
		cmocka_unit_test(test_atomic64_ops),
		cmocka_unit_test(test_bitops),
		cmocka_unit_test(test_threads_lose_no_update),
		cmocka_unit_test(test_barriers_pass_messages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
