/*
 * CPU masks: the whole-mask operations, cpumask_of(), and the system's
 * online and present maps.
 */
#include <cpumask.h>

/* The boot CPU is CPU 0 and runs before anything can look at the maps. */
cpumask_t cpu_online_map = {.bits = {1UL}};
cpumask_t cpu_present_map = {.bits = {1UL}};

/* Bits of the last word that stand for CPUs (all of them if it is full). */
#define LAST_WORD_MASK (NR_CPUS % BITS_PER_LONG ? BIT_MASK(NR_CPUS) - 1 : ~0UL)

/* ---------------------------------------------------------------------------
 * cpumask_of()
 *
 * A table of NR_CPUS masks would take NR_CPUS^2 / 8 bytes (2 MiB). Instead
 * the table has BITS_PER_LONG + 1 rows of one mask's worth of words; row
 * r + 1 has bit r set in its first word and every other word is zero, and
 * row 0 is all zero. The mask of CPU k * BITS_PER_LONG + r is the window
 * of CPUMASK_LONGS words that ends k words early, inside row r + 1:
 * its word k is row r + 1's first word, its words below k are the tail of
 * row r (zero, as k < CPUMASK_LONGS) and its words above k the zero words
 * of row r + 1. The table is one flat array so that a window crossing a
 * row boundary stays inside one object.
 */

BUILD_BUG_ON(BITS_PER_LONG != 64);

#define ONE_CPU_ROW(r)	  [((r) + 1) * CPUMASK_LONGS] = 1UL << (r)
#define ONE_CPU_ROWS2(r)  ONE_CPU_ROW(r), ONE_CPU_ROW((r) + 1)
#define ONE_CPU_ROWS4(r)  ONE_CPU_ROWS2(r), ONE_CPU_ROWS2((r) + 2)
#define ONE_CPU_ROWS8(r)  ONE_CPU_ROWS4(r), ONE_CPU_ROWS4((r) + 4)
#define ONE_CPU_ROWS16(r) ONE_CPU_ROWS8(r), ONE_CPU_ROWS8((r) + 8)
#define ONE_CPU_ROWS32(r) ONE_CPU_ROWS16(r), ONE_CPU_ROWS16((r) + 16)
#define ONE_CPU_ROWS64(r) ONE_CPU_ROWS32(r), ONE_CPU_ROWS32((r) + 32)

static const unsigned long one_cpu_rows[(BITS_PER_LONG + 1) * CPUMASK_LONGS] = {
	ONE_CPU_ROWS64(0),
};

const cpumask_t *cpumask_of(unsigned int cpu)
{
	unsigned int row = cpu % BITS_PER_LONG + 1;
	unsigned int k = cpu / BITS_PER_LONG;

	return (const cpumask_t *)&one_cpu_rows[row * CPUMASK_LONGS - k];
}

/* ---------------------------------------------------------------------------
 * Whole masks
 */

void cpumask_clear(cpumask_t *dst)
{
	for (unsigned int i = 0; i < CPUMASK_LONGS; i++)
		dst->bits[i] = 0;
}

void cpumask_setall(cpumask_t *dst)
{
	for (unsigned int i = 0; i < CPUMASK_LONGS - 1; i++)
		dst->bits[i] = ~0UL;
	dst->bits[CPUMASK_LONGS - 1] = LAST_WORD_MASK;
}

void cpumask_copy(cpumask_t *dst, const cpumask_t *src)
{
	for (unsigned int i = 0; i < CPUMASK_LONGS; i++)
		dst->bits[i] = src->bits[i];
}

void cpumask_and(cpumask_t *dst, const cpumask_t *a, const cpumask_t *b)
{
	for (unsigned int i = 0; i < CPUMASK_LONGS; i++)
		dst->bits[i] = a->bits[i] & b->bits[i];
}

void cpumask_or(cpumask_t *dst, const cpumask_t *a, const cpumask_t *b)
{
	for (unsigned int i = 0; i < CPUMASK_LONGS; i++)
		dst->bits[i] = a->bits[i] | b->bits[i];
}

void cpumask_andnot(cpumask_t *dst, const cpumask_t *a, const cpumask_t *b)
{
	for (unsigned int i = 0; i < CPUMASK_LONGS; i++)
		dst->bits[i] = a->bits[i] & ~b->bits[i];
}

bool cpumask_equal(const cpumask_t *a, const cpumask_t *b)
{
	for (unsigned int i = 0; i < CPUMASK_LONGS; i++)
		if (a->bits[i] != b->bits[i])
			return false;
	return true;
}

bool cpumask_empty(const cpumask_t *mask)
{
	for (unsigned int i = 0; i < CPUMASK_LONGS; i++)
		if (mask->bits[i])
			return false;
	return true;
}

bool cpumask_full(const cpumask_t *mask)
{
	for (unsigned int i = 0; i < CPUMASK_LONGS - 1; i++)
		if (mask->bits[i] != ~0UL)
			return false;
	return mask->bits[CPUMASK_LONGS - 1] == LAST_WORD_MASK;
}

/*
 * Bits set in w, by summing adjacent fields of 1, 2, then 4 bits (Hacker's
 * Delight, 2nd ed., 5-1). Not __builtin_popcountl(): without -mpopcnt GCC
 * turns that into a call to libgcc, which the kernel does not link.
 */
static unsigned int hweight_long(unsigned long w)
{
	w -= (w >> 1) & 0x5555555555555555UL;
	w = (w & 0x3333333333333333UL) + ((w >> 2) & 0x3333333333333333UL);
	w = (w + (w >> 4)) & 0x0f0f0f0f0f0f0f0fUL;
	return (w * 0x0101010101010101UL) >> 56;
}

unsigned int cpumask_weight(const cpumask_t *mask)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < CPUMASK_LONGS; i++)
		n += hweight_long(mask->bits[i]);
	return n;
}

unsigned int cpumask_find_below(const cpumask_t *mask, unsigned int start,
				unsigned int limit)
{
	unsigned int i, last, cpu;
	unsigned long w;

	if (limit > NR_CPUS)
		limit = NR_CPUS;
	if (start >= limit)
		return NR_CPUS;
	i = BIT_WORD(start);
	last = BIT_WORD(limit - 1);
	/* Drop the bits below start in its word. */
	w = mask->bits[i] & ~(BIT_MASK(start) - 1);
	while (!w) {
		if (++i > last)
			return NR_CPUS;
		w = mask->bits[i];
	}
	cpu = i * BITS_PER_LONG + __builtin_ctzl(w);
	return cpu < limit ? cpu : NR_CPUS;
}

unsigned int cpumask_first(const cpumask_t *mask)
{
	return cpumask_find_below(mask, 0, NR_CPUS);
}

unsigned int cpumask_next(unsigned int cpu, const cpumask_t *mask)
{
	if (cpu >= NR_CPUS - 1)
		return NR_CPUS;
	return cpumask_find_below(mask, cpu + 1, NR_CPUS);
}
