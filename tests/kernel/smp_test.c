/*
 * Every CPU the firmware lists comes up, knows who it is, and runs what
 * other CPUs ask it to.
 */
#include <acpi.h>
#include <asm/apic.h>
#include <asm/mm.h>
#include <atomic.h>
#include <cpumask.h>
#include <ktest.h>
#include <percpu.h>
#include <smp.h>

static DEFINE_PER_CPU(unsigned int, calls_seen);
static atomic_t identity_errors;
static atomic_t calls_total;

static unsigned int enabled_firmware_cpus(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < acpi_info.nr_cpus; i++)
		n += acpi_info.cpus[i].enabled;
	return n;
}

static void all_listed_cpus_online(struct ktest *t)
{
	/* Every CPU that was started (given a number) must be online. */
	KT_EXPECT_EQ(t, num_online_cpus(), nr_cpu_ids);
	if (acpi_info.nr_cpus == 0)
		KT_SKIP(t, "no MADT (acpi=off?)");
	if (nr_cpu_ids < enabled_firmware_cpus())
		KT_SKIP(t,
			"fewer CPUs started than listed (maxcpus= or nosmp)");
	KT_EXPECT_EQ(t, num_online_cpus(), enabled_firmware_cpus());
}

static void check_identity(void *unused)
{
	unsigned int cpu = smp_processor_id();

	if (apic_id() != cpu_apic_id[cpu] || (cpu == 0) != apic_is_bsp())
		atomic_inc(&identity_errors);
	this_cpu(calls_seen)++;
	atomic_inc(&calls_total);
}

static void every_cpu_knows_itself(struct ktest *t)
{
	unsigned int cpu;

	atomic_set(&identity_errors, 0);
	on_selected_cpus(&cpu_online_map, check_identity, NULL, true);
	KT_EXPECT_EQ(t, atomic_read(&identity_errors), 0);
	for_each_online_cpu (cpu)
		KT_EXPECT_EQ(t, per_cpu(calls_seen, cpu) >= 1, 1);
}

static void calls_reach_each_cpu_once(struct ktest *t)
{
	unsigned int round;

	atomic_set(&calls_total, 0);
	for (round = 0; round < 50; round++)
		smp_call_function(check_identity, NULL, round & 1);
	/* Calls without wait may still run: the next call waits for them. */
	smp_call_function(check_identity, NULL, true);
	KT_EXPECT_EQ(t, atomic_read(&calls_total),
		     51 * (num_online_cpus() - 1));
}

static void per_cpu_areas_distinct(struct ktest *t)
{
	unsigned int a, b;

	for_each_online_cpu (a)
		for_each_online_cpu (b)
			if (a < b)
				KT_EXPECT_TRUE(t,
					       &per_cpu(calls_seen, a) !=
						       &per_cpu(calls_seen, b));
}

static void ap_stacks_have_guards(struct ktest *t)
{
	unsigned int cpu;

	for (cpu = 1; cpu < nr_cpu_ids; cpu++) {
		unsigned long top = cpu_stack_top[cpu];

		KT_EXPECT_TRUE(t, mm_lookup(top - 8).present);
		KT_EXPECT_TRUE(t, !mm_lookup(top - STACK_SIZE - 8).present);
	}
}

KTEST_SUITE(smp, KTEST_CASE(all_listed_cpus_online),
	    KTEST_CASE(every_cpu_knows_itself),
	    KTEST_CASE(calls_reach_each_cpu_once),
	    KTEST_CASE(per_cpu_areas_distinct),
	    KTEST_CASE(ap_stacks_have_guards));
