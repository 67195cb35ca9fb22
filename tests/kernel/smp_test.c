/*
 * Every CPU the firmware lists comes up, knows who it is, and runs what
 * other CPUs ask it to.
 */
#include <acpi.h>
#include <asm/apic.h>
#include <asm/mm.h>
#include <atomic.h>
#include <cpumask.h>
#include <errno.h>
#include <ktest.h>
#include <percpu.h>
#include <printk.h>
#include <asm/delay.h>
#include <asm/traps.h>
#include <smp.h>
#include <spinlock.h>
#include <systime.h>

/* A vector for this suite's own IPIs (see the vector map in asm/desc.h). */
#define TEST_IPI_VECTOR 0xd8
/* Bounded waits, in PIT-timed milliseconds: emulators are slow, not stuck. */
#define WAIT_LIMIT_MS 10000

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

/* Waits until *count reaches target or the limit passes; true if it did. */
static bool wait_for_count(atomic_t *count, int target)
{
	unsigned int ms;

	for (ms = 0; ms < WAIT_LIMIT_MS; ms++) {
		if (atomic_read(count) >= target)
			return true;
		pit_delay_us(1000);
	}
	return atomic_read(count) >= target;
}

static DEFINE_PER_CPU(atomic_t, ipis_received);
static atomic_t ipis_total;

static void test_ipi_interrupt(struct cpu_user_regs *regs)
{
	atomic_inc(&this_cpu(ipis_received));
	atomic_inc(&ipis_total);
	apic_eoi();
}

static void send_test_ipi_to_all_others(void *unused)
{
	unsigned int self = smp_processor_id(), cpu;

	for_each_online_cpu (cpu)
		if (cpu != self)
			apic_send_ipi(cpu_apic_id[cpu], APIC_DM_FIXED,
				      TEST_IPI_VECTOR);
}

/*
 * One sender at a time: IPIs of one vector that meet at a busy receiver
 * merge in its IRR, so concurrent senders could not be counted exactly.
 */
static void every_cpu_ipis_every_other(struct ktest *t)
{
	unsigned int n = num_online_cpus(), sender, cpu;
	int expected = 0;

	set_irq_handler(TEST_IPI_VECTOR, test_ipi_interrupt);
	atomic_set(&ipis_total, 0);
	for_each_online_cpu (cpu)
		atomic_set(&per_cpu(ipis_received, cpu), 0);
	for_each_online_cpu (sender) {
		on_selected_cpus(cpumask_of(sender),
				 send_test_ipi_to_all_others, NULL, true);
		expected += n - 1;
		if (!wait_for_count(&ipis_total, expected))
			break;
	}
	set_irq_handler(TEST_IPI_VECTOR, NULL);
	KT_EXPECT_EQ(t, atomic_read(&ipis_total), n * (n - 1));
	for_each_online_cpu (cpu)
		KT_EXPECT_EQ(t, atomic_read(&per_cpu(ipis_received, cpu)),
			     n - 1);
}

static DEFINE_SPINLOCK(stress_lock);
static unsigned long stress_counter;
static unsigned int stress_rounds;
static s_time_t stress_deadline;
static DEFINE_PER_CPU(unsigned long, stress_taken);

/*
 * A read-modify-write the lock alone makes atomic. Each CPU stops at its
 * round count or at the deadline, whichever comes first, but takes the
 * lock at least once: under TCG on an overcommitted host a ticket's
 * hand-over can wait a whole host time slice for the next holder's vCPU
 * thread, so a fixed count alone made the run time depend on host load.
 */
static void lock_stress(void *unused)
{
	unsigned long *taken = &this_cpu(stress_taken);

	*taken = 0;
	do {
		spin_lock(&stress_lock);
		WRITE_ONCE(stress_counter, READ_ONCE(stress_counter) + 1);
		spin_unlock(&stress_lock);
		(*taken)++;
	} while (*taken < stress_rounds && NOW() < stress_deadline);
}

static void lock_stress_keeps_counter_exact(struct ktest *t)
{
	unsigned int n = num_online_cpus(), cpu;
	unsigned long expected = 0;

	if (n < 2)
		KT_SKIP(t, "needs 2 CPUs or more");
	/* About 8,000 acquisitions in all, or two seconds of contention. */
	stress_rounds = max(100U, 8000U / n);
	stress_counter = 0;
	stress_deadline = NOW() + SECONDS(2);
	on_selected_cpus(&cpu_online_map, lock_stress, NULL, true);
	for_each_online_cpu (cpu) {
		KT_EXPECT_TRUE(t, per_cpu(stress_taken, cpu) >= 1);
		expected += per_cpu(stress_taken, cpu);
	}
	KT_EXPECT_EQ(t, stress_counter, expected);
	pr_info("smp_test: %lu lock acquisitions on %u CPUs\n", expected, n);
}

static atomic_t callers_done, caller_calls;
static unsigned int caller_rounds;

static void count_call(void *unused)
{
	atomic_inc(&caller_calls);
}

/* Each CPU makes cross-CPU calls of its own while the others do the same. */
static void call_storm(void *unused)
{
	unsigned int round;

	for (round = 0; round < caller_rounds; round++)
		smp_call_function(count_call, NULL, round & 1);
	/* The last call waited: every earlier one has been read by now. */
	atomic_inc(&callers_done);
}

static void concurrent_callers_do_not_deadlock(struct ktest *t)
{
	unsigned int n = num_online_cpus(), cpu;

	if (n < 2)
		KT_SKIP(t, "needs 2 CPUs or more");
	/*
	 * Odd, so that the last call waits. Each call needs every other CPU
	 * to take its IPI; under TCG on an overcommitted host that is a round
	 * of the host's scheduler, ~6 ms with 8 CPUs on 2 cores: about 50
	 * calls in all keep the test to a second or two there.
	 */
	caller_rounds = max(2U, 48U / n) | 1;
	atomic_set(&callers_done, 0);
	atomic_set(&caller_calls, 0);
	for_each_online_cpu (cpu)
		if (cpu != smp_processor_id())
			KT_ASSERT_EQ(t, smp_call_in_idle(cpu, call_storm, NULL),
				     0);
	call_storm(NULL);
	KT_EXPECT_TRUE(t, wait_for_count(&callers_done, n));
	KT_EXPECT_TRUE(
		t, wait_for_count(&caller_calls, n * caller_rounds * (n - 1)));
	KT_EXPECT_EQ(t, atomic_read(&caller_calls),
		     n * caller_rounds * (n - 1));
}

static void idle_work_slot_is_exclusive(struct ktest *t)
{
	if (num_online_cpus() < 2)
		KT_SKIP(t, "needs 2 CPUs or more");
	KT_EXPECT_EQ(t, smp_call_in_idle(smp_processor_id(), count_call, NULL),
		     -EINVAL);
	KT_EXPECT_EQ(t, smp_call_in_idle(1, NULL, NULL), -EINVAL);
}

KTEST_SUITE(smp, KTEST_CASE(all_listed_cpus_online),
	    KTEST_CASE(every_cpu_knows_itself),
	    KTEST_CASE(calls_reach_each_cpu_once),
	    KTEST_CASE(per_cpu_areas_distinct),
	    KTEST_CASE(ap_stacks_have_guards),
	    KTEST_CASE(every_cpu_ipis_every_other),
	    KTEST_CASE(lock_stress_keeps_counter_exact),
	    KTEST_CASE(concurrent_callers_do_not_deadlock),
	    KTEST_CASE(idle_work_slot_is_exclusive));
