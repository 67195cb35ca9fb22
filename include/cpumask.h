/*
 * CPU masks: one bit per CPU number, NR_CPUS bits (common/cpumask.c).
 *
 * Masks are passed by pointer (512 bytes at NR_CPUS = 4096). Bits at and
 * above NR_CPUS are always clear.
 *
 * Concurrency: cpumask_set_cpu(), cpumask_clear_cpu() and the
 * cpumask_test_and_*() calls are atomic and may race with each other on
 * the same mask from any context (the test_and_ forms are fully ordered,
 * the others relaxed; see include/atomic.h). Everything else reads or
 * writes the mask a word at a time: a whole-mask operation (copy, and,
 * weight, an iteration...) racing with a change may or may not see it, and
 * the __ forms and whole-mask writes must not race with any other writer
 * of the same mask.
 */
#ifndef KAIROS_CPUMASK_H
#define KAIROS_CPUMASK_H

#include <atomic.h>
#include <config.h>
#include <types.h>

#define CPUMASK_LONGS BITS_TO_LONGS(NR_CPUS)

typedef struct cpumask {
	unsigned long bits[CPUMASK_LONGS];
} cpumask_t;

/* ---------------------------------------------------------------------------
 * One CPU
 */

static inline void cpumask_set_cpu(unsigned int cpu, cpumask_t *mask)
{
	set_bit(cpu, mask->bits);
}

static inline void cpumask_clear_cpu(unsigned int cpu, cpumask_t *mask)
{
	clear_bit(cpu, mask->bits);
}

static inline void __cpumask_set_cpu(unsigned int cpu, cpumask_t *mask)
{
	__set_bit(cpu, mask->bits);
}

static inline void __cpumask_clear_cpu(unsigned int cpu, cpumask_t *mask)
{
	__clear_bit(cpu, mask->bits);
}

static inline bool cpumask_test_cpu(unsigned int cpu, const cpumask_t *mask)
{
	return test_bit(cpu, mask->bits);
}

/* Sets cpu's bit; returns its old value. */
static inline bool cpumask_test_and_set_cpu(unsigned int cpu, cpumask_t *mask)
{
	return test_and_set_bit(cpu, mask->bits);
}

/* Clears cpu's bit; returns its old value. */
static inline bool cpumask_test_and_clear_cpu(unsigned int cpu, cpumask_t *mask)
{
	return test_and_clear_bit(cpu, mask->bits);
}

/*
 * A mask holding cpu alone, in read-only memory shared by every caller.
 * Any context, cpu < NR_CPUS.
 */
const cpumask_t *cpumask_of(unsigned int cpu);

/* ---------------------------------------------------------------------------
 * Whole masks
 */

void cpumask_clear(cpumask_t *dst);
/* Sets every bit below NR_CPUS. */
void cpumask_setall(cpumask_t *dst);
void cpumask_copy(cpumask_t *dst, const cpumask_t *src);
/* dst = a & b; dst may be a or b (likewise for or and andnot). */
void cpumask_and(cpumask_t *dst, const cpumask_t *a, const cpumask_t *b);
void cpumask_or(cpumask_t *dst, const cpumask_t *a, const cpumask_t *b);
/* dst = a & ~b. */
void cpumask_andnot(cpumask_t *dst, const cpumask_t *a, const cpumask_t *b);

bool cpumask_equal(const cpumask_t *a, const cpumask_t *b);
bool cpumask_empty(const cpumask_t *mask);
/* True if every CPU below NR_CPUS is in mask. */
bool cpumask_full(const cpumask_t *mask);
/* The number of CPUs in mask. */
unsigned int cpumask_weight(const cpumask_t *mask);

/* The lowest CPU in mask, or NR_CPUS if it is empty. */
unsigned int cpumask_first(const cpumask_t *mask);
/* The lowest CPU in mask above cpu, or NR_CPUS if there is none. */
unsigned int cpumask_next(unsigned int cpu, const cpumask_t *mask);

/*
 * The lowest CPU in mask at or above start and below limit, or NR_CPUS if
 * there is none. Reads only the words below limit.
 */
unsigned int cpumask_find_below(const cpumask_t *mask, unsigned int start,
				unsigned int limit);

/* Some CPU in mask (callers must not rely on which), or NR_CPUS. */
static inline unsigned int cpumask_any(const cpumask_t *mask)
{
	return cpumask_first(mask);
}

/*
 * Visits the CPUs in mask in increasing order. The mask is read as the
 * walk goes: a CPU added above the cursor is visited, one added below is
 * not.
 */
#define for_each_cpu(cpu, mask)                            \
	for ((cpu) = cpumask_first(mask); (cpu) < NR_CPUS; \
	     (cpu) = cpumask_next((cpu), (mask)))

/*
 * Like for_each_cpu, for the CPUs of mask below limit: a walk of a mask
 * that holds only CPUs below limit then stops there, instead of reading
 * every word up to NR_CPUS after the last one.
 */
#define for_each_cpu_below(cpu, mask, limit)                                  \
	for ((cpu) = cpumask_find_below((mask), 0, (limit)); (cpu) < NR_CPUS; \
	     (cpu) = cpumask_find_below((mask), (cpu) + 1, (limit)))

/* ---------------------------------------------------------------------------
 * The system's CPUs
 *
 * cpu_present_map: CPUs the firmware lists and the hypervisor may start.
 * cpu_online_map: CPUs running the hypervisor. CPU 0, the boot CPU, is in
 * both from the start. CPU bring-up adds to them with the atomic calls
 * above; any CPU may read them at any time.
 */

extern cpumask_t cpu_online_map;
extern cpumask_t cpu_present_map;

/*
 * CPU numbers handed out so far; CPUs are numbered 0..nr_cpu_ids-1, so
 * both maps hold only CPUs below it, and their walks stop there (the
 * schedulers walk the online CPUs at every wake-up: on a 2-CPU machine
 * one word is read instead of NR_CPUS / 64).
 */
extern unsigned int nr_cpu_ids;

#define for_each_online_cpu(cpu) \
	for_each_cpu_below(cpu, &cpu_online_map, READ_ONCE(nr_cpu_ids))
#define for_each_present_cpu(cpu) \
	for_each_cpu_below(cpu, &cpu_present_map, READ_ONCE(nr_cpu_ids))

static inline bool cpu_online(unsigned int cpu)
{
	return cpumask_test_cpu(cpu, &cpu_online_map);
}

static inline bool cpu_present(unsigned int cpu)
{
	return cpumask_test_cpu(cpu, &cpu_present_map);
}

static inline unsigned int num_online_cpus(void)
{
	return cpumask_weight(&cpu_online_map);
}

#endif /* KAIROS_CPUMASK_H */
