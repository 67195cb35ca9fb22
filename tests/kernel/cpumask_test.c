/*
 * CPU masks in the kernel build: the single-CPU table of cpumask_of() as
 * laid out by the real link, and the boot CPU in the system maps. The host
 * tests (tests/unit/test_cpumask.c) cover every operation.
 */
#include <cpumask.h>
#include <ktest.h>
#include <percpu.h>

static void cpumask_of_every_cpu(struct ktest *t)
{
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
		const cpumask_t *m = cpumask_of(cpu);

		if (!KT_EXPECT_EQ(t, cpumask_first(m), cpu) ||
		    !KT_EXPECT_EQ(t, cpumask_weight(m), 1))
			return;
	}
}

static void boot_cpu_is_online_and_present(struct ktest *t)
{
	unsigned int cpu, seen = 0;
	cpumask_t m;

	KT_EXPECT_TRUE(t, cpu_online(smp_processor_id()));
	KT_EXPECT_TRUE(t, cpu_present(0));
	KT_EXPECT_TRUE(t, num_online_cpus() >= 1);
	for_each_online_cpu (cpu) {
		KT_EXPECT_TRUE(t, cpu_present(cpu));
		seen++;
	}
	KT_EXPECT_EQ(t, seen, num_online_cpus());

	cpumask_andnot(&m, &cpu_online_map, &cpu_present_map);
	KT_EXPECT_TRUE(t, cpumask_empty(&m));
	cpumask_and(&m, &cpu_online_map, cpumask_of(0));
	KT_EXPECT_TRUE(t, cpumask_equal(&m, cpumask_of(0)));
}

KTEST_SUITE(cpumask, KTEST_CASE(cpumask_of_every_cpu),
	    KTEST_CASE(boot_cpu_is_online_and_present));
