/*
 * Converting counter ticks between rates without dividing: a time scale
 * holds a 64-bit multiplier normalised to [2^63, 2^64) and a right shift,
 * so that  to_ticks = (from_ticks * mul) >> shift  with a 128-bit product
 * (one MUL and one SHRD on x86-64). The multiplier keeps 64 significant
 * bits, so for any delta whose result fits in 63 bits the result is the
 * exact quotient floor(delta * to_hz / from_hz) or one less (the proof is
 * in docs/time.md). scale_delta_ceil() rounds up instead, for deadlines.
 * Division happens once, in time_scale_init().
 *
 * Portable: used by the kernel and by the host unit tests
 * (tests/unit/test_time_scale.c). All calls are pure functions of their
 * arguments and safe from any context.
 */
#ifndef KAIROS_TIME_SCALE_H
#define KAIROS_TIME_SCALE_H

#include <types.h>

struct time_scale {
	u64 mul;	    /* in [2^63, 2^64): 64 significant bits */
	unsigned int shift; /* 1..126 */
	bool inexact; /* mul = to_hz * 2^shift / from_hz was rounded down */
};

/*
 * The scale that turns ticks of a from_hz counter into ticks of a to_hz
 * one. Both rates must be non-zero and below 2^63; ASSERTed.
 */
void time_scale_init(struct time_scale *ts, u64 from_hz, u64 to_hz);

/*
 * floor(a * b / c) with a 128-bit intermediate, saturating at ~0ULL when
 * the quotient does not fit; c must be non-zero (ASSERTed). A division
 * loop of 64 steps: for set-up and reports, not for hot paths.
 */
u64 mul_div_u64(u64 a, u64 b, u64 c);

/*
 * Scales an unsigned delta, rounding down: floor(delta * to_hz / from_hz)
 * or one less while that is below 2^63 (exactly the floor if !inexact).
 * The caller keeps the result below 2^64 (584 years of nanoseconds);
 * beyond that it saturates at ~0ULL. The shift is below 128, so shifting
 * the 128-bit product is defined for every scale.
 */
static inline u64 scale_delta(u64 delta, const struct time_scale *ts)
{
	unsigned __int128 p = (unsigned __int128)delta * ts->mul;

	p >>= ts->shift;
	return (p >> 64) ? ~0ULL : (u64)p;
}

/*
 * Scales a signed delta: scale_delta() of its magnitude, sign restored, so
 * both signs round towards zero (INT64_MIN's magnitude, 2^63, is taken
 * exactly). Saturates at -INT64_MAX and INT64_MAX alike.
 */
static inline s64 scale_delta_signed(s64 delta, const struct time_scale *ts)
{
	u64 mag = delta < 0 ? -(u64)delta : (u64)delta;
	u64 r = scale_delta(mag, ts);

	if (r > (u64)INT64_MAX)
		r = (u64)INT64_MAX;
	return delta < 0 ? -(s64)r : (s64)r;
}

/*
 * Scales an unsigned delta, rounding up: never below the exact quotient
 * delta * to_hz / from_hz, and at most ceil(that) + 1 while it is below
 * 2^63 (exactly the ceiling if !inexact). For turning a time into counter
 * ticks so that a deadline does not fire early. It multiplies by mul
 * rounded up (mul + inexact; the 128-bit sum cannot overflow) and takes
 * the ceiling of the shifted product; saturates at ~0ULL like
 * scale_delta().
 */
static inline u64 scale_delta_ceil(u64 delta, const struct time_scale *ts)
{
	unsigned __int128 p = (unsigned __int128)delta * ts->mul;

	if (!delta)
		return 0;
	if (ts->inexact)
		p += delta;
	/* p >= 2^63 here; ceil(p / 2^shift) = floor((p - 1) / 2^shift) + 1. */
	p = ((p - 1) >> ts->shift) + 1;
	return (p >> 64) ? ~0ULL : (u64)p;
}

#endif /* KAIROS_TIME_SCALE_H */
