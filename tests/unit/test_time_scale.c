/*
 * Host tests of the time scales (include/time_scale.h, common/time_scale.c)
 * against a 128-bit reference: the exact quotient delta * to / from,
 * computed here with unsigned __int128 division. Every conversion is
 * checked against the bounds the header promises (docs/time.md, "Scaling
 * without division"): floor or one less, ceiling or one more, below 2^63;
 * wider bounds up to 2^64; saturation beyond.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "expect_panic.h"

#include <time_scale.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

typedef unsigned __int128 u128;

#define U64_MAX	     UINT64_MAX
#define TWO_TO_63    (1ULL << 63)
#define TWO_TO_64    ((u128)1 << 64)
#define NSEC_PER_SEC 1000000000ULL

/* Random cases per rate pair, and (from, to, delta) triples in all. */
#define DELTAS_PER_PAIR 2000
#define PROPERTY_CASES	1000000

/*
 * The rates the kernel meets, and the ends of the allowed range: 1 Hz, the
 * RTC, the PIT, the ACPI PM timer, the HPET (ICH and QEMU), the TSC under
 * Bochs and on real parts, nanoseconds, and rates above 10 GHz.
 */
static const u64 rates[] = {
	1,
	2,
	3,
	32768,
	1193182,
	3579545,
	14318180,
	100000000,
	999999999,
	NSEC_PER_SEC,
	2300000000ULL,
	2999999999ULL,
	5000000000ULL,
	10000000000ULL,
	123456789012ULL,
	1ULL << 40,
	(1ULL << 62) + 1,
	TWO_TO_63 - 1,
};

/* ------------------------------------------------------------------------
 * The reference and the checks
 */

static u64 rng_state = 0x9e3779b97f4a7c15ULL;

/* xorshift64: a fixed seed gives the same cases on every host. */
static u64 rng_next(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* A value whose bit length is uniform in [0, 64]: every scale is tried. */
static u64 rng_log_uniform(void)
{
	unsigned int bits = rng_next() % 65;

	if (bits == 0)
		return 0;
	return (rng_next() >> (64 - bits)) | (1ULL << (bits - 1));
}

/* A rate in [1, 2^63), log-uniform. */
static u64 rng_rate(void)
{
	unsigned int bits = 1 + rng_next() % 63;

	return (rng_next() >> (64 - bits)) | (1ULL << (bits - 1));
}

/* The exact quotient delta * to / from: floor, and whether it is whole. */
struct exact {
	u128 floor;
	bool whole;
};

static struct exact exact_quotient(u64 delta, u64 from, u64 to)
{
	u128 n = (u128)delta * to; /* < 2^127 */

	return (struct exact){n / from, n % from == 0};
}

static u64 clamp64(u128 x)
{
	return x > U64_MAX ? U64_MAX : (u64)x;
}

#define FAIL_CASE(what, got)                                                 \
	fail_msg("%s: delta %#llx from %llu Hz to %llu Hz (mul %#llx shift " \
		 "%u): got %#llx, exact floor %#llx:%016llx%s",              \
		 what, (unsigned long long)delta, (unsigned long long)from,  \
		 (unsigned long long)to, (unsigned long long)ts->mul,        \
		 ts->shift, (unsigned long long)(got),                       \
		 (unsigned long long)(ex.floor >> 64),                       \
		 (unsigned long long)ex.floor, ex.whole ? " (whole)" : "")

/*
 * Checks scale_delta() and scale_delta_ceil() of delta against the exact
 * quotient. With x = delta * to / from and F, C the two results:
 *   x < 2^63:        F in {floor(x) - 1, floor(x)}, C in {ceil(x), ceil(x) + 1}
 *   2^63 <= x < 2^64: the error stays below 2: F >= floor(x) - 2,
 *                    C <= ceil(x) + 2 (or saturated)
 *   any x:           F <= floor(x), C >= ceil(x) (or saturated), and with
 *                    an exact scale both are exact (or saturated).
 */
static void check_delta(const struct time_scale *ts, u64 from, u64 to,
			u64 delta)
{
	struct exact ex = exact_quotient(delta, from, to);
	u128 ceil = ex.floor + !ex.whole;
	u64 f = scale_delta(delta, ts);
	u64 c = scale_delta_ceil(delta, ts);
	u128 slack = ex.floor < TWO_TO_63 ? 1 : 2;

	/* Rounding down: never above, at most slack below. */
	if (f > ex.floor)
		FAIL_CASE("scale_delta above the exact floor", f);
	if ((u128)f + slack < ex.floor && f != U64_MAX)
		FAIL_CASE("scale_delta too far below the exact floor", f);
	if (ex.floor >= TWO_TO_64 + 2 && f != U64_MAX)
		FAIL_CASE("scale_delta did not saturate", f);
	if (!ts->inexact && f != clamp64(ex.floor))
		FAIL_CASE("scale_delta of an exact scale not exact", f);

	/* Rounding up: never below, at most slack above. */
	if (c < clamp64(ceil))
		FAIL_CASE("scale_delta_ceil below the exact quotient", c);
	if (c != U64_MAX && (u128)c > ceil + slack)
		FAIL_CASE("scale_delta_ceil too far above the ceiling", c);
	if (c != U64_MAX && (u128)c * from < (u128)delta * to)
		FAIL_CASE("scale_delta_ceil below the exact quotient", c);
	if (!ts->inexact && c != clamp64(ceil))
		FAIL_CASE("scale_delta_ceil of an exact scale not exact", c);

	/* Monotonic: one tick more never gives less. */
	if (delta != U64_MAX && scale_delta(delta + 1, ts) < f)
		FAIL_CASE("scale_delta not monotonic", f);
}

/*
 * Checks scale_delta_signed(delta) and its negation: the magnitude is
 * scale_delta()'s, clamped to INT64_MAX; the sign is delta's.
 */
static void check_signed(const struct time_scale *ts, u64 from, u64 to,
			 s64 delta)
{
	u64 mag = delta < 0 ? -(u64)delta : (u64)delta;
	u64 expect = scale_delta(mag, ts);
	s64 got = scale_delta_signed(delta, ts);
	struct exact ex = exact_quotient(mag, from, to);

	if (expect > (u64)INT64_MAX)
		expect = INT64_MAX;
	if (delta < 0)
		assert_int_equal(got, -(s64)expect);
	else
		assert_int_equal(got, (s64)expect);
	/* Towards zero, within one of the exact quotient below 2^63. */
	if (ex.floor < TWO_TO_63) {
		u64 g = got < 0 ? -(u64)got : (u64)got;

		assert_true(g == ex.floor || g + 1 == ex.floor);
	}
	if (delta != INT64_MIN)
		assert_int_equal(scale_delta_signed(-delta, ts), -got);
}

/*
 * Checks that ts is the normalised scale from -> to: mul is
 * floor(to * 2^shift / from) in [2^63, 2^64), shift in [1, 126], and
 * inexact says whether the division had a remainder.
 */
static void check_scale(const struct time_scale *ts, u64 from, u64 to)
{
	u128 n;

	assert_true(ts->shift >= 1 && ts->shift <= 126);
	assert_true(ts->mul >= TWO_TO_63);
	n = (u128)to << ts->shift;
	assert_true(n / from == ts->mul);
	assert_int_equal(ts->inexact, n % from != 0);
}

/* The deltas at the edges of scale_delta's ranges for this pair. */
static unsigned int edge_deltas(u64 from, u64 to, u64 *out)
{
	static const u64 fixed[] = {
		0,
		1,
		2,
		3,
		(1ULL << 32) - 1,
		1ULL << 32,
		(1ULL << 32) + 1,
		1ULL << 53,
		TWO_TO_63 - 1,
		TWO_TO_63,
		TWO_TO_63 + 1,
		U64_MAX - 1,
		U64_MAX,
	};
	/* The largest deltas whose quotient is below 2^63 and 2^64. */
	u128 limits[] = {
		((u128)TWO_TO_63 * from - 1) / to,
		(TWO_TO_64 * from - 1) / to,
	};
	unsigned int n = 0;

	for (unsigned int i = 0; i < ARRAY_SIZE(fixed); i++)
		out[n++] = fixed[i];
	for (unsigned int i = 0; i < ARRAY_SIZE(limits); i++) {
		for (int d = -2; d <= 2; d++) {
			u128 v = limits[i] + d;

			/* Below zero wraps above U64_MAX: skipped too. */
			if (v <= U64_MAX)
				out[n++] = (u64)v;
		}
	}
	return n;
}

/* ------------------------------------------------------------------------
 * time_scale_init()
 */

static void test_init_normalises_every_pair(void **state)
{
	struct time_scale ts;

	for (unsigned int i = 0; i < ARRAY_SIZE(rates); i++) {
		for (unsigned int j = 0; j < ARRAY_SIZE(rates); j++) {
			time_scale_init(&ts, rates[i], rates[j]);
			check_scale(&ts, rates[i], rates[j]);
		}
	}
}

static void test_init_known_scales(void **state)
{
	struct time_scale ts;

	/* Same rate: 2^63 / 2^63, exact. */
	time_scale_init(&ts, NSEC_PER_SEC, NSEC_PER_SEC);
	assert_int_equal(ts.mul, TWO_TO_63);
	assert_int_equal(ts.shift, 63);
	assert_false(ts.inexact);

	/* The extremes: shift 1 and shift 126. */
	time_scale_init(&ts, 1, TWO_TO_63 - 1);
	assert_int_equal(ts.mul, U64_MAX - 1);
	assert_int_equal(ts.shift, 1);
	assert_false(ts.inexact);
	time_scale_init(&ts, TWO_TO_63 - 1, 1);
	assert_int_equal(ts.shift, 126);
	assert_int_equal(ts.mul, TWO_TO_63 + 1); /* 2^126 / (2^63 - 1) */
	assert_true(ts.inexact);

	/* A power-of-two ratio is exact, whatever the rates. */
	time_scale_init(&ts, 3579545, 3579545ULL << 20);
	assert_false(ts.inexact);
	assert_int_equal(ts.mul, TWO_TO_63);
	assert_int_equal(ts.shift, 43);

	/* PIT to nanoseconds: 838.095... ns per tick, rounded down. */
	time_scale_init(&ts, 1193182, NSEC_PER_SEC);
	assert_true(ts.inexact);
	assert_true(scale_delta(1193182, &ts) + 1 >= NSEC_PER_SEC);
	assert_true(scale_delta(1193182, &ts) <= NSEC_PER_SEC);
	assert_int_equal(scale_delta(1, &ts), 838);
	assert_int_equal(scale_delta_ceil(1, &ts), 839);
}

static void test_init_shifts_both_sides_of_64(void **state)
{
	struct time_scale ts;
	unsigned int below = 0, above = 0;

	/* Slow to fast shifts by less than 64, fast to slow by more. */
	for (unsigned int i = 0; i < ARRAY_SIZE(rates); i++) {
		for (unsigned int j = 0; j < ARRAY_SIZE(rates); j++) {
			time_scale_init(&ts, rates[i], rates[j]);
			if (ts.shift < 64)
				below++;
			else
				above++;
		}
	}
	assert_true(below > 0 && above > 0);

	/*
	 * 10 GHz to 1 Hz: 1e10 has 34 bits and its top bits are above
	 * 1's, so the shift is 63 + 34 - 1, plus one: 97.
	 */
	time_scale_init(&ts, 10000000000ULL, 1);
	assert_int_equal(ts.shift, 97);
	assert_int_equal(scale_delta(9999999999ULL, &ts), 0);
	assert_int_equal(scale_delta(10000000000ULL, &ts), 0); /* 1, less one */
	assert_int_equal(scale_delta(10000000001ULL, &ts), 1);
	assert_int_equal(scale_delta_ceil(1, &ts), 1);
	/* Rounded up, a whole quotient of an inexact scale is one more. */
	assert_int_equal(scale_delta_ceil(10000000000ULL, &ts), 2);
	assert_int_equal(scale_delta_ceil(10000000001ULL, &ts), 2);
	assert_int_equal(scale_delta(U64_MAX, &ts), 1844674407);
}

static void init_zero_from(void *arg)
{
	struct time_scale ts;

	time_scale_init(&ts, 0, NSEC_PER_SEC);
}

static void init_zero_to(void *arg)
{
	struct time_scale ts;

	time_scale_init(&ts, NSEC_PER_SEC, 0);
}

static void init_huge_from(void *arg)
{
	struct time_scale ts;

	time_scale_init(&ts, TWO_TO_63, NSEC_PER_SEC);
}

static void init_huge_to(void *arg)
{
	struct time_scale ts;

	time_scale_init(&ts, NSEC_PER_SEC, U64_MAX);
}

static void test_init_refuses_bad_rates(void **state)
{
	expect_panic(init_zero_from, NULL, "from_hz != 0");
	expect_panic(init_zero_to, NULL, "to_hz != 0");
	expect_panic(init_huge_from, NULL, "from_hz < TIME_SCALE_HZ_LIMIT");
	expect_panic(init_huge_to, NULL, "to_hz < TIME_SCALE_HZ_LIMIT");
}

/* ------------------------------------------------------------------------
 * Conversions, against the reference
 */

static void test_every_pair_at_the_edges(void **state)
{
	struct time_scale ts;
	u64 deltas[32];

	for (unsigned int i = 0; i < ARRAY_SIZE(rates); i++) {
		for (unsigned int j = 0; j < ARRAY_SIZE(rates); j++) {
			u64 from = rates[i], to = rates[j];
			unsigned int n = edge_deltas(from, to, deltas);

			time_scale_init(&ts, from, to);
			for (unsigned int k = 0; k < n; k++) {
				check_delta(&ts, from, to, deltas[k]);
				check_signed(&ts, from, to, (s64)deltas[k]);
			}
		}
	}
}

static void test_every_pair_random_deltas(void **state)
{
	struct time_scale ts;

	rng_state = 0x0123456789abcdefULL;
	for (unsigned int i = 0; i < ARRAY_SIZE(rates); i++) {
		for (unsigned int j = 0; j < ARRAY_SIZE(rates); j++) {
			time_scale_init(&ts, rates[i], rates[j]);
			for (unsigned int k = 0; k < DELTAS_PER_PAIR; k++) {
				u64 d = rng_log_uniform();

				check_delta(&ts, rates[i], rates[j], d);
				check_signed(&ts, rates[i], rates[j], (s64)d);
			}
		}
	}
}

static void test_exact_scales_are_exact(void **state)
{
	static const u64 pairs[][2] = {
		{NSEC_PER_SEC, NSEC_PER_SEC},
		{100000000, 200000000},
		{NSEC_PER_SEC, NSEC_PER_SEC / 4},
		{1, 1ULL << 62},
		{1ULL << 62, 1},
		{14318180, 14318180ULL << 30},
	};
	struct time_scale ts;

	rng_state = 0x5eed5eed5eed5eedULL;
	for (unsigned int i = 0; i < ARRAY_SIZE(pairs); i++) {
		u64 from = pairs[i][0], to = pairs[i][1];

		time_scale_init(&ts, from, to);
		assert_false(ts.inexact);
		for (unsigned int k = 0; k < 10000; k++)
			check_delta(&ts, from, to, rng_log_uniform());
	}
	/* Same rate: the identity, both ways of rounding. */
	time_scale_init(&ts, 3579545, 3579545);
	assert_int_equal(scale_delta(12345, &ts), 12345);
	assert_int_equal(scale_delta_ceil(12345, &ts), 12345);
	assert_int_equal(scale_delta(U64_MAX, &ts), U64_MAX);
	assert_int_equal(scale_delta_ceil(U64_MAX, &ts), U64_MAX);
}

/* Nanoseconds to ticks of a fast counter: where each direction saturates. */
static void test_saturation(void **state)
{
	struct time_scale ns_to_tsc, tsc_to_ns;
	const u64 hz = 5000000000ULL;
	/* 2^64 / 5 = 3689348814741910323.2: the last delta that fits. */
	const u64 last = 3689348814741910323ULL;

	time_scale_init(&ns_to_tsc, NSEC_PER_SEC, hz);
	time_scale_init(&tsc_to_ns, hz, NSEC_PER_SEC);

	/* 116.9 years of nanoseconds fill 64 bits of 5 GHz ticks. */
	assert_true(scale_delta(last, &ns_to_tsc) >= U64_MAX - 2);
	assert_int_equal(scale_delta(last + 1, &ns_to_tsc), U64_MAX);
	assert_int_equal(scale_delta(U64_MAX, &ns_to_tsc), U64_MAX);
	assert_int_equal(scale_delta_ceil(last + 1, &ns_to_tsc), U64_MAX);
	assert_int_equal(scale_delta_ceil(U64_MAX, &ns_to_tsc), U64_MAX);
	assert_int_equal(scale_delta_signed(INT64_MAX, &ns_to_tsc), INT64_MAX);
	assert_int_equal(scale_delta_signed(INT64_MIN, &ns_to_tsc), -INT64_MAX);
	assert_int_equal(scale_delta_signed(-(INT64_MAX / 5) - 1, &ns_to_tsc),
			 -INT64_MAX);

	/* The other way never saturates: 2^64 ticks are 3.7e18 ns. */
	assert_true(scale_delta(U64_MAX, &tsc_to_ns) >= U64_MAX / 5 - 1);
	assert_true(scale_delta(U64_MAX, &tsc_to_ns) <= U64_MAX / 5);
	assert_true(scale_delta_signed(INT64_MIN, &tsc_to_ns) <=
		    -(INT64_MAX / 5) + 1);

	/* The widest ratio: 2 ticks of 1 Hz fit, 3 do not. */
	time_scale_init(&ns_to_tsc, 1, TWO_TO_63 - 1);
	assert_int_equal(scale_delta(2, &ns_to_tsc), U64_MAX - 1);
	assert_int_equal(scale_delta_ceil(2, &ns_to_tsc), U64_MAX - 1);
	assert_int_equal(scale_delta(3, &ns_to_tsc), U64_MAX);
	assert_int_equal(scale_delta_ceil(3, &ns_to_tsc), U64_MAX);
	assert_int_equal(scale_delta_signed(1, &ns_to_tsc), INT64_MAX);
	assert_int_equal(scale_delta_signed(-1, &ns_to_tsc), -INT64_MAX);
	assert_int_equal(scale_delta_signed(-2, &ns_to_tsc), -INT64_MAX);
}

static void test_signed_deltas(void **state)
{
	static const s64 deltas[] = {
		0,	    -1,		  -2,
		-1193182,   -(1LL << 32), -(1LL << 32) - 1,
		-INT64_MAX, INT64_MIN,	  INT64_MAX,
	};
	struct time_scale ts;

	rng_state = 0xfeedfacecafebeefULL;
	for (unsigned int i = 0; i < ARRAY_SIZE(rates); i++) {
		for (unsigned int j = 0; j < ARRAY_SIZE(rates); j++) {
			time_scale_init(&ts, rates[i], rates[j]);
			for (unsigned int k = 0; k < ARRAY_SIZE(deltas); k++)
				check_signed(&ts, rates[i], rates[j],
					     deltas[k]);
			for (unsigned int k = 0; k < 200; k++)
				check_signed(&ts, rates[i], rates[j],
					     (s64)rng_log_uniform());
		}
	}

	/*
	 * Towards zero on both sides: 2.3 GHz ticks to ns. 23 ticks are 10
	 * ns exactly, but 10 / 23 is not a binary fraction: mul is rounded
	 * down, so a whole quotient comes out one less.
	 */
	time_scale_init(&ts, 2300000000ULL, NSEC_PER_SEC);
	assert_true(ts.inexact);
	assert_int_equal(scale_delta_signed(-23, &ts), -9);
	assert_int_equal(scale_delta_signed(23, &ts), 9);
	assert_int_equal(scale_delta_signed(-24, &ts), -10);
	assert_int_equal(scale_delta_signed(-2, &ts), 0);
	/* INT64_MIN ticks: the magnitude 2^63 is scaled, not 2^63 - 1. */
	assert_int_equal(scale_delta_signed(INT64_MIN, &ts),
			 -(s64)scale_delta(TWO_TO_63, &ts));
}

/*
 * A deadline converted with scale_delta_ceil() is reached no earlier than
 * asked: ticks * from >= ns * to. Read back with scale_delta() it is at
 * least ns - 1 (the read-back may round down by one).
 */
static void test_ceil_deadlines_never_early(void **state)
{
	static const u64 timer_hz[] = {
		1193182,       3579545,	      14318180,
		100000000,     999999999,     1000000001,
		2300000000ULL, 5000000000ULL, 10000000000ULL,
	};
	struct time_scale to_ticks, to_ns;

	rng_state = 0xdeadbeef12345678ULL;
	for (unsigned int i = 0; i < ARRAY_SIZE(timer_hz); i++) {
		u64 hz = timer_hz[i];

		time_scale_init(&to_ticks, NSEC_PER_SEC, hz);
		time_scale_init(&to_ns, hz, NSEC_PER_SEC);
		for (unsigned int k = 0; k < 100000; k++) {
			/* Up to 2^50 ns, 13 days: any timer's range. */
			u64 ns = rng_next() >> (14 + rng_next() % 50);
			u64 ticks = scale_delta_ceil(ns, &to_ticks);
			u64 back = scale_delta(ticks, &to_ns);

			assert_true((u128)ticks * NSEC_PER_SEC >=
				    (u128)ns * hz);
			assert_true(back + 1 >= ns);
			/* And not late by more than two ticks. */
			assert_true((u128)ticks * NSEC_PER_SEC <
				    (u128)ns * hz + 2 * NSEC_PER_SEC);
		}
	}
}

/*
 * The property test: random (from, to, delta) triples over the whole
 * domain, half of them with the delta at the edge of the 63-bit or the
 * 64-bit range of the result, where the error bounds are tightest.
 */
static void test_property_random_triples(void **state)
{
	struct time_scale ts;

	rng_state = 0x0ddba11c0ffee123ULL;
	for (unsigned int k = 0; k < PROPERTY_CASES; k++) {
		u64 from = rng_rate(), to = rng_rate(), delta;

		if (k % 4 < 2) {
			/*
			 * The largest deltas whose quotient stays below 2^63
			 * (k % 4 == 0) or 2^64 (1), less 0 to 3.
			 */
			u128 limit =
				((k % 4 ? TWO_TO_64 : (u128)TWO_TO_63) * from -
				 1) /
				to;
			u64 back = rng_next() % 4;

			delta = clamp64(limit);
			delta -= delta < back ? delta : back;
		} else {
			delta = rng_log_uniform();
		}
		time_scale_init(&ts, from, to);
		check_scale(&ts, from, to);
		check_delta(&ts, from, to, delta);
		check_signed(&ts, from, to, (s64)delta);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_normalises_every_pair),
		cmocka_unit_test(test_init_known_scales),
		cmocka_unit_test(test_init_shifts_both_sides_of_64),
		cmocka_unit_test(test_init_refuses_bad_rates),
		cmocka_unit_test(test_every_pair_at_the_edges),
		cmocka_unit_test(test_every_pair_random_deltas),
		cmocka_unit_test(test_exact_scales_are_exact),
		cmocka_unit_test(test_saturation),
		cmocka_unit_test(test_signed_deltas),
		cmocka_unit_test(test_ceil_deadlines_never_early),
		cmocka_unit_test(test_property_random_triples),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
