/*
 * Host tests of include/cpumask.h and common/cpumask.c. Built twice: with
 * the kernel's NR_CPUS (a whole number of words) and with NR_CPUS = 130
 * (test_cpumask_small), whose last word is only partly used.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>

#include <cpumask.h>

#define NR_THREADS 4

/* What the kernel's CPU bring-up hands out (arch/x86/smpboot.c). */
unsigned int nr_cpu_ids = 1;

/* CPUs on both sides of every word boundary a mask has, and the ends. */
static unsigned int edge_cpus[3 * CPUMASK_LONGS + 2];
static unsigned int nr_edge_cpus;

static int setup(void **state)
{
	nr_edge_cpus = 0;
	edge_cpus[nr_edge_cpus++] = 0;
	edge_cpus[nr_edge_cpus++] = 1;
	for (unsigned int w = 1; w < CPUMASK_LONGS; w++) {
		edge_cpus[nr_edge_cpus++] = w * BITS_PER_LONG - 1;
		edge_cpus[nr_edge_cpus++] = w * BITS_PER_LONG;
	}
	if (edge_cpus[nr_edge_cpus - 1] != NR_CPUS - 1)
		edge_cpus[nr_edge_cpus++] = NR_CPUS - 1;
	return 0;
}

/* Fills mask with the edge CPUs. */
static void set_edges(cpumask_t *mask)
{
	cpumask_clear(mask);
	for (unsigned int i = 0; i < nr_edge_cpus; i++)
		cpumask_set_cpu(edge_cpus[i], mask);
}

/* ---------------------------------------------------------------------------
 * One CPU
 */

static void test_set_clear_test(void **state)
{
	cpumask_t m;

	cpumask_clear(&m);
	for (unsigned int i = 0; i < nr_edge_cpus; i++) {
		unsigned int cpu = edge_cpus[i];

		assert_false(cpumask_test_cpu(cpu, &m));
		cpumask_set_cpu(cpu, &m);
		assert_true(cpumask_test_cpu(cpu, &m));
		assert_int_equal(cpumask_weight(&m), i + 1);
	}
	for (unsigned int i = 0; i < nr_edge_cpus; i++) {
		unsigned int cpu = edge_cpus[i];

		cpumask_clear_cpu(cpu, &m);
		assert_false(cpumask_test_cpu(cpu, &m));
		assert_int_equal(cpumask_weight(&m), nr_edge_cpus - i - 1);
	}
	assert_true(cpumask_empty(&m));

	__cpumask_set_cpu(NR_CPUS - 1, &m);
	assert_true(cpumask_test_cpu(NR_CPUS - 1, &m));
	assert_false(cpumask_test_cpu(NR_CPUS - 2, &m));
	__cpumask_clear_cpu(NR_CPUS - 1, &m);
	assert_true(cpumask_empty(&m));

	assert_false(cpumask_test_and_set_cpu(64, &m));
	assert_true(cpumask_test_and_set_cpu(64, &m));
	assert_true(cpumask_test_cpu(64, &m));
	assert_true(cpumask_test_and_clear_cpu(64, &m));
	assert_false(cpumask_test_and_clear_cpu(64, &m));
	assert_true(cpumask_empty(&m));
}

static void test_cpumask_of(void **state)
{
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
		const cpumask_t *m = cpumask_of(cpu);

		assert_true(cpumask_test_cpu(cpu, m));
		assert_int_equal(cpumask_weight(m), 1);
		assert_int_equal(cpumask_first(m), cpu);
		assert_int_equal(cpumask_next(cpu, m), NR_CPUS);
	}
}

/* ---------------------------------------------------------------------------
 * Whole masks
 */

static void test_empty_full_weight(void **state)
{
	cpumask_t m;

	cpumask_clear(&m);
	assert_true(cpumask_empty(&m));
	assert_false(cpumask_full(&m));
	assert_int_equal(cpumask_weight(&m), 0);

	cpumask_setall(&m);
	assert_false(cpumask_empty(&m));
	assert_true(cpumask_full(&m));
	assert_int_equal(cpumask_weight(&m), NR_CPUS);
	/* Nothing at or above NR_CPUS, even in the last word's spare bits. */
	assert_int_equal(cpumask_next(NR_CPUS - 1, &m), NR_CPUS);
	if (NR_CPUS % BITS_PER_LONG)
		assert_int_equal(m.bits[CPUMASK_LONGS - 1],
				 (1UL << (NR_CPUS % BITS_PER_LONG)) - 1);

	/* Any one CPU missing, at the edges, and it is no longer full. */
	for (unsigned int i = 0; i < nr_edge_cpus; i++) {
		cpumask_clear_cpu(edge_cpus[i], &m);
		assert_false(cpumask_full(&m));
		assert_int_equal(cpumask_weight(&m), NR_CPUS - 1);
		cpumask_set_cpu(edge_cpus[i], &m);
		assert_true(cpumask_full(&m));
	}

	cpumask_clear(&m);
	cpumask_set_cpu(NR_CPUS - 1, &m);
	assert_false(cpumask_empty(&m));
	assert_int_equal(cpumask_weight(&m), 1);
}

static void test_first_next_any(void **state)
{
	cpumask_t m;

	cpumask_clear(&m);
	assert_int_equal(cpumask_first(&m), NR_CPUS);
	assert_int_equal(cpumask_any(&m), NR_CPUS);
	assert_int_equal(cpumask_next(0, &m), NR_CPUS);

	set_edges(&m);
	assert_int_equal(cpumask_first(&m), 0);
	assert_true(cpumask_test_cpu(cpumask_any(&m), &m));
	for (unsigned int i = 0; i + 1 < nr_edge_cpus; i++) {
		assert_int_equal(cpumask_next(edge_cpus[i], &m),
				 edge_cpus[i + 1]);
		/* From just below the next one, too. */
		if (edge_cpus[i + 1] - 1 > edge_cpus[i])
			assert_int_equal(cpumask_next(edge_cpus[i + 1] - 2, &m),
					 edge_cpus[i + 1]);
	}
	assert_int_equal(cpumask_next(NR_CPUS - 1, &m), NR_CPUS);

	cpumask_clear(&m);
	cpumask_set_cpu(NR_CPUS - 1, &m);
	assert_int_equal(cpumask_first(&m), NR_CPUS - 1);
	assert_int_equal(cpumask_next(0, &m), NR_CPUS - 1);
}

static void test_for_each_cpu(void **state)
{
	cpumask_t m;
	unsigned int cpu, n = 0;

	cpumask_clear(&m);
	for_each_cpu (cpu, &m)
		fail_msg("visited CPU %u of an empty mask", cpu);

	set_edges(&m);
	for_each_cpu (cpu, &m) {
		assert_true(n < nr_edge_cpus);
		assert_int_equal(cpu, edge_cpus[n]);
		n++;
	}
	assert_int_equal(n, nr_edge_cpus);
	assert_int_equal(cpu, NR_CPUS);

	/* Every CPU of a full mask, in order. */
	cpumask_setall(&m);
	n = 0;
	for_each_cpu (cpu, &m)
		assert_int_equal(cpu, n++);
	assert_int_equal(n, NR_CPUS);
}

static void test_find_below(void **state)
{
	cpumask_t m;
	unsigned int cpu, n = 0;

	set_edges(&m);
	/* Every limit at and beside each edge: only CPUs below it are found. */
	for (unsigned int i = 0; i < nr_edge_cpus; i++) {
		unsigned int limit = edge_cpus[i];

		assert_int_equal(cpumask_find_below(&m, limit, limit), NR_CPUS);
		assert_int_equal(cpumask_find_below(&m, limit, limit + 1),
				 limit);
		if (i + 1 < nr_edge_cpus)
			assert_int_equal(cpumask_find_below(&m, limit + 1,
							    edge_cpus[i + 1]),
					 NR_CPUS);
	}
	/* A limit above NR_CPUS is NR_CPUS. */
	assert_int_equal(cpumask_find_below(&m, NR_CPUS - 1, ~0U), NR_CPUS - 1);
	assert_int_equal(cpumask_find_below(&m, NR_CPUS, ~0U), NR_CPUS);

	/* The walk visits the edges below the limit, in order. */
	for_each_cpu_below(cpu, &m, BITS_PER_LONG + 1)
	{
		assert_int_equal(cpu, edge_cpus[n]);
		n++;
	}
	assert_int_equal(cpu, NR_CPUS);
	for (unsigned int i = 0; i < nr_edge_cpus; i++)
		if (edge_cpus[i] < BITS_PER_LONG + 1)
			n--;
	assert_int_equal(n, 0);
}

static void test_and_or_andnot(void **state)
{
	cpumask_t a, b, d, expect;

	/* a: CPUs 0 mod 3; b: CPUs 0 mod 2. */
	cpumask_clear(&a);
	cpumask_clear(&b);
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
		if (cpu % 3 == 0)
			cpumask_set_cpu(cpu, &a);
		if (cpu % 2 == 0)
			cpumask_set_cpu(cpu, &b);
	}

	cpumask_and(&d, &a, &b);
	cpumask_clear(&expect);
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu += 6)
		cpumask_set_cpu(cpu, &expect);
	assert_true(cpumask_equal(&d, &expect));

	cpumask_or(&d, &a, &b);
	cpumask_clear(&expect);
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
		if (cpu % 2 == 0 || cpu % 3 == 0)
			cpumask_set_cpu(cpu, &expect);
	assert_true(cpumask_equal(&d, &expect));

	cpumask_andnot(&d, &a, &b);
	cpumask_clear(&expect);
	for (unsigned int cpu = 3; cpu < NR_CPUS; cpu += 6)
		cpumask_set_cpu(cpu, &expect);
	assert_true(cpumask_equal(&d, &expect));

	/* The destination may be a source. */
	cpumask_copy(&d, &a);
	assert_true(cpumask_equal(&d, &a));
	cpumask_andnot(&d, &d, &d);
	assert_true(cpumask_empty(&d));
	cpumask_copy(&d, &a);
	cpumask_or(&d, &d, &b);
	cpumask_and(&d, &d, &b);
	assert_true(cpumask_equal(&d, &b));

	/* equal sees a difference in any word. */
	for (unsigned int i = 0; i < nr_edge_cpus; i++) {
		cpumask_copy(&d, &a);
		if (cpumask_test_cpu(edge_cpus[i], &d))
			cpumask_clear_cpu(edge_cpus[i], &d);
		else
			cpumask_set_cpu(edge_cpus[i], &d);
		assert_false(cpumask_equal(&d, &a));
	}
}

/* ---------------------------------------------------------------------------
 * The system maps
 */

static void test_system_maps(void **state)
{
	unsigned int cpu, n = 0;

	/* CPU 0 is in both from the start, and alone. */
	assert_true(cpu_online(0));
	assert_true(cpu_present(0));
	assert_int_equal(num_online_cpus(), 1);
	assert_int_equal(cpumask_weight(&cpu_present_map), 1);
	for_each_online_cpu (cpu)
		assert_int_equal(cpu, 0);

	nr_cpu_ids = NR_CPUS;
	cpumask_set_cpu(NR_CPUS - 1, &cpu_present_map);
	cpumask_set_cpu(NR_CPUS - 1, &cpu_online_map);
	assert_true(cpu_online(NR_CPUS - 1));
	assert_int_equal(num_online_cpus(), 2);
	for_each_present_cpu (cpu)
		n++;
	assert_int_equal(n, 2);
	cpumask_clear_cpu(NR_CPUS - 1, &cpu_online_map);
	cpumask_clear_cpu(NR_CPUS - 1, &cpu_present_map);
	assert_false(cpu_online(NR_CPUS - 1));
	assert_int_equal(num_online_cpus(), 1);
	nr_cpu_ids = 1;
}

/* The walks of the system maps stop at nr_cpu_ids. */
static void test_system_walks_stop_at_nr_cpu_ids(void **state)
{
	unsigned int cpu, n = 0;

	nr_cpu_ids = 3;
	cpumask_set_cpu(1, &cpu_online_map);
	cpumask_set_cpu(2, &cpu_online_map);
	/* Not a CPU the kernel would have: shows where the walk ends. */
	cpumask_set_cpu(NR_CPUS - 1, &cpu_online_map);
	for_each_online_cpu (cpu)
		assert_int_equal(cpu, n++);
	assert_int_equal(n, 3);
	assert_int_equal(cpu, NR_CPUS);
	cpumask_clear_cpu(NR_CPUS - 1, &cpu_online_map);
	cpumask_clear_cpu(2, &cpu_online_map);
	cpumask_clear_cpu(1, &cpu_online_map);
	nr_cpu_ids = 1;
}

/* ---------------------------------------------------------------------------
 * Concurrent updates
 */

static cpumask_t shared_mask;

/* Thread id owns the CPUs id mod NR_THREADS; all share every word. */
static void *flip_own_cpus(void *arg)
{
	unsigned int id = (unsigned int)(uintptr_t)arg;

	for (unsigned int rep = 0; rep < 200; rep++)
		for (unsigned int cpu = id; cpu < NR_CPUS; cpu += NR_THREADS) {
			cpumask_set_cpu(cpu, &shared_mask);
			if (rep % 2 == 0)
				cpumask_clear_cpu(cpu, &shared_mask);
		}
	return NULL;
}

static void test_concurrent_set_clear(void **state)
{
	pthread_t threads[NR_THREADS];

	cpumask_clear(&shared_mask);
	for (unsigned int i = 0; i < NR_THREADS; i++)
		assert_int_equal(pthread_create(&threads[i], NULL,
						flip_own_cpus,
						(void *)(uintptr_t)i),
				 0);
	for (unsigned int i = 0; i < NR_THREADS; i++)
		assert_int_equal(pthread_join(threads[i], NULL), 0);
	assert_true(cpumask_full(&shared_mask));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_clear_test),
		cmocka_unit_test(test_cpumask_of),
		cmocka_unit_test(test_empty_full_weight),
		cmocka_unit_test(test_first_next_any),
		cmocka_unit_test(test_for_each_cpu),
		cmocka_unit_test(test_find_below),
		cmocka_unit_test(test_and_or_andnot),
		cmocka_unit_test(test_system_maps),
		cmocka_unit_test(test_system_walks_stop_at_nr_cpu_ids),
		cmocka_unit_test(test_concurrent_set_clear),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
