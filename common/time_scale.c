/*
 * Time scales (include/time_scale.h): the one division behind every
 * multiply-and-shift conversion between counter rates. docs/time.md,
 * "Scaling without division", has the math and the error bounds.
 */
#include <panic.h>
#include <time_scale.h>

/* Rates at or above this are refused: see time_scale_init(). */
#define TIME_SCALE_HZ_LIMIT (1ULL << 63)

/* Bits needed to write x (x != 0): 1 for 1, 64 for 2^63 and above. */
static unsigned int bit_length(u64 x)
{
	return 64 - __builtin_clzll(x);
}

/*
 * floor(n / d), where n < d * 2^64 so that the quotient fits in 64 bits.
 * Sets *exact if the remainder is zero. Restoring division, one quotient
 * bit a step: unsigned __int128 division would call libgcc's __udivti3,
 * which the kernel does not link.
 */
static u64 div128_by_64(unsigned __int128 n, u64 d, bool *exact)
{
	u64 rem = (u64)(n >> 64), lo = (u64)n, q = 0;

	ASSERT(rem < d);
	for (int bit = 63; bit >= 0; bit--) {
		/*
		 * rem < d before the step, so 2 * rem + 1 < 2d: when the
		 * doubling carries out of 64 bits the true value exceeds d,
		 * and the wrapped subtraction gives the right remainder.
		 */
		u64 carry = rem >> 63;

		rem = (rem << 1) | ((lo >> bit) & 1);
		q <<= 1;
		if (carry || rem >= d) {
			rem -= d;
			q |= 1;
		}
	}
	*exact = rem == 0;
	return q;
}

u64 mul_div_u64(u64 a, u64 b, u64 c)
{
	unsigned __int128 n = (unsigned __int128)a * b;
	bool exact;

	ASSERT(c != 0);
	if ((u64)(n >> 64) >= c)
		return ~0ULL;
	return div128_by_64(n, c, &exact);
}

/*
 * The shift s makes mul = floor(to * 2^s / from) land in [2^63, 2^64).
 * Write to = T * 2^(a - 64) and from = F * 2^(b - 64), where a and b are
 * their bit lengths and T, F in [2^63, 2^64) are them shifted up to the
 * top bit. At s0 = 63 + b - a, to * 2^s0 / from = (T / F) * 2^63, with
 * T / F in (1/2, 2): if T >= F the quotient is in [2^63, 2^64) already;
 * otherwise it is in (2^62, 2^63) and one more bit, s0 + 1, puts it in
 * (2^63, 2^64). With a, b in [1, 63], s is in [1, 126], and the dividend
 * to * 2^s < 2^64 * from < 2^127 fits in 128 bits.
 */
void time_scale_init(struct time_scale *ts, u64 from_hz, u64 to_hz)
{
	unsigned int from_bits, to_bits, shift;
	bool exact;

	ASSERT(from_hz != 0 && from_hz < TIME_SCALE_HZ_LIMIT);
	ASSERT(to_hz != 0 && to_hz < TIME_SCALE_HZ_LIMIT);

	from_bits = bit_length(from_hz);
	to_bits = bit_length(to_hz);
	shift = 63 + from_bits - to_bits;
	if (to_hz << (64 - to_bits) < from_hz << (64 - from_bits))
		shift++;

	ts->mul = div128_by_64((unsigned __int128)to_hz << shift, from_hz,
			       &exact);
	ts->shift = shift;
	ts->inexact = !exact;
	ASSERT(ts->mul >> 63);
}
