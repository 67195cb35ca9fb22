/*
 * smp: every vCPU the MADT lists came up through INIT-SIPI-SIPI (lib/smp.c
 * did it before the suites) and knows its APIC ID; fixed IPIs reach one
 * vCPU, every other one (the all-but-self shorthand) and come back; a
 * ping-pong measures the round trip; and the TSC never goes back between
 * vCPUs (a reading that happens after another, on any vCPU, is never
 * smaller: the order comes from a lock).
 */
#include "acpi.h"
#include "hvmtest.h"
#include "lapic.h"
#include "smp.h"
#include "time.h"
#include "traps.h"

#define VECTOR_IPI_TEST 0x50
#define WORK_TIMEOUT_NS (1000 * NSEC_PER_MSEC)
#define TSC_CHECK_NS	(20 * NSEC_PER_MSEC)
#define MAX_ROUNDS	1000

static volatile u32 ipis_seen[MAX_CPUS];
static volatile u32 pongs;
static u64 samples[MAX_ROUNDS];

static bool need_aps(struct test *t)
{
	if (nr_cpus_online > 1)
		return true;
	test_skip(t, "one vCPU");
	return false;
}

/* The online AP slots, in order; returns how many. */
static unsigned int online_aps(unsigned int *slots)
{
	unsigned int i, n = 0;

	for (i = 1; i < MAX_CPUS; i++)
		if (cpus[i].online)
			slots[n++] = i;
	return n;
}

static void all_vcpus_started(struct test *t)
{
	char ids[MAX_CPUS * 12] = "";
	unsigned int i;
	u64 slowest = 0;

	for (i = 0; i < MAX_CPUS; i++) {
		if (cpus[i].online)
			snprintf(ids + strlen(ids), sizeof(ids) - strlen(ids),
				 " %u", cpus[i].apic_id);
		if (smp_boot.ap_ns[i] > slowest)
			slowest = smp_boot.ap_ns[i];
	}
	test_diag(t,
		  "%u vCPUs online, APIC IDs%s; %u of %u APs started in "
		  "%lu us, the slowest INIT to online in %lu us",
		  nr_cpus_online, ids, smp_boot.started,
		  smp_boot.listed ? smp_boot.listed - 1 : 0,
		  (unsigned long)(smp_boot.elapsed_ns / NSEC_PER_USEC),
		  (unsigned long)(slowest / NSEC_PER_USEC));
	CHECK(t, acpi.madt, "no MADT");
	for (i = 0; i < smp_boot.nr_missing; i++)
		CHECK(t, false, "APIC ID %u never came up",
		      smp_boot.missing[i]);
	CHECK(t, smp_boot.over_limit == 0,
	      "%u CPUs beyond this kernel's %u were not started",
	      smp_boot.over_limit, MAX_CPUS);
	CHECK(t, nr_cpus_online == smp_boot.listed,
	      "%u vCPUs online, the MADT lists %u enabled", nr_cpus_online,
	      smp_boot.listed);
	if (expect.vcpus)
		CHECK(t, nr_cpus_online == expect.vcpus,
		      "%u vCPUs online, expect_vcpus=%u", nr_cpus_online,
		      expect.vcpus);
}

static void madt_cpu_entries(struct test *t)
{
	unsigned int i, j;

	test_diag(t, "MADT: %u Local APIC and %u Local x2APIC entries",
		  acpi.nr_type0, acpi.nr_type9);
	for (i = 0; i < acpi.nr_cpus; i++)
		for (j = 0; j < i; j++) {
			CHECK(t, acpi.cpus[i].apic_id != acpi.cpus[j].apic_id,
			      "APIC ID %u listed twice", acpi.cpus[i].apic_id);
			CHECK(t,
			      acpi.cpus[i].uid != acpi.cpus[j].uid ||
				      acpi.cpus[i].type != acpi.cpus[j].type,
			      "processor UID %u listed twice",
			      acpi.cpus[i].uid);
		}
	if (expect.x2apic_madt)
		CHECK(t, acpi.nr_type0 == 0 && acpi.nr_type9 >= 1,
		      "expect_x2apic_madt=1: %u Local APIC entries, %u Local "
		      "x2APIC",
		      acpi.nr_type0, acpi.nr_type9);
}

static u32 ids_now[MAX_CPUS];

static void read_id(void *unused)
{
	ids_now[this_slot()] = lapic_id();
}

static void apic_ids(struct test *t)
{
	unsigned int i, j;

	if (!CHECK(t, smp_call_all(read_id, NULL, WORK_TIMEOUT_NS),
		   "a vCPU did not answer"))
		return;
	for (i = 0; i < MAX_CPUS; i++) {
		if (!cpus[i].online)
			continue;
		CHECK(t, ids_now[i] == cpus[i].apic_id,
		      "CPU %u: LAPIC ID %u, %u at start-up", i, ids_now[i],
		      cpus[i].apic_id);
		CHECK(t, acpi_find_cpu(ids_now[i]) != NULL,
		      "CPU %u: APIC ID %u is not in the MADT", i, ids_now[i]);
		for (j = 0; j < i; j++)
			CHECK(t, !cpus[j].online || ids_now[j] != ids_now[i],
			      "CPUs %u and %u both have APIC ID %u", j, i,
			      ids_now[i]);
	}
}

/* ---- Fixed IPIs ---------------------------------------------------------- */

static void ipi_test_interrupt(struct trap_frame *f)
{
	atomic_inc_return(&ipis_seen[this_slot()]);
	lapic_eoi();
}

static void send_test_ipi(void *arg)
{
	lapic_send_ipi(*(u32 *)arg,
		       ICR_FIXED | ICR_LEVEL_ASSERT | VECTOR_IPI_TEST);
}

static bool seen(unsigned int slot, u32 times)
{
	return wait_flag(&ipis_seen[slot], expect.max_latency_ns) &&
	       ipis_seen[slot] == times;
}

static void ipi_to_each(struct test *t)
{
	unsigned int slots[MAX_CPUS], n, i;
	u32 bsp = cpus[0].apic_id;

	if (!need_aps(t))
		return;
	n = online_aps(slots);
	set_irq_handler(VECTOR_IPI_TEST, ipi_test_interrupt);
	/* The boot CPU to each AP, and each AP back. */
	for (i = 0; i < n; i++) {
		unsigned int s = slots[i];

		ipis_seen[s] = ipis_seen[0] = 0;
		lapic_send_ipi(cpus[s].apic_id,
			       ICR_FIXED | ICR_LEVEL_ASSERT | VECTOR_IPI_TEST);
		CHECK(t, seen(s, 1), "CPU %u got %u of 1 IPI from CPU 0", s,
		      ipis_seen[s]);
		smp_call(s, send_test_ipi, &bsp);
		CHECK(t, smp_wait(s, WORK_TIMEOUT_NS) && seen(0, 1),
		      "CPU 0 got %u of 1 IPI from CPU %u", ipis_seen[0], s);
	}
	/* AP to AP. */
	if (n >= 2) {
		u32 dest = cpus[slots[1]].apic_id;

		ipis_seen[slots[1]] = 0;
		smp_call(slots[0], send_test_ipi, &dest);
		CHECK(t,
		      smp_wait(slots[0], WORK_TIMEOUT_NS) && seen(slots[1], 1),
		      "CPU %u got %u of 1 IPI from CPU %u", slots[1],
		      ipis_seen[slots[1]], slots[0]);
	}
	/* All but self: every AP once, the boot CPU not at all. */
	memset((void *)ipis_seen, 0, sizeof(ipis_seen));
	lapic_send_ipi(0, ICR_ALL_BUT_SELF | ICR_FIXED | ICR_LEVEL_ASSERT |
				  VECTOR_IPI_TEST);
	for (i = 0; i < n; i++)
		CHECK(t, seen(slots[i], 1),
		      "CPU %u got %u IPIs from one "
		      "all-but-self",
		      slots[i], ipis_seen[slots[i]]);
	delay_ns(NSEC_PER_MSEC);
	CHECK(t, ipis_seen[0] == 0, "the sender got its own all-but-self IPI");
	set_irq_handler(VECTOR_IPI_TEST, NULL);
}

static void ping_interrupt(struct trap_frame *f)
{
	lapic_send_ipi(cpus[0].apic_id,
		       ICR_FIXED | ICR_LEVEL_ASSERT | VECTOR_PONG);
	lapic_eoi();
}

static void pong_interrupt(struct trap_frame *f)
{
	atomic_inc_return(&pongs);
	lapic_eoi();
}

static void ipi_ping_pong(struct test *t)
{
	unsigned int slots[MAX_CPUS], rounds = expect.ipi_rounds, r, n = 0;

	if (!need_aps(t))
		return;
	online_aps(slots);
	if (rounds > MAX_ROUNDS)
		rounds = MAX_ROUNDS;
	set_irq_handler(VECTOR_PING, ping_interrupt);
	set_irq_handler(VECTOR_PONG, pong_interrupt);
	pongs = 0;
	for (r = 0; r < rounds; r++) {
		u64 t0 = rdtsc_ordered(), t1;

		lapic_send_ipi(cpus[slots[0]].apic_id,
			       ICR_FIXED | ICR_LEVEL_ASSERT | VECTOR_PING);
		while (READ_ONCE(pongs) == r &&
		       rdtsc_ordered() - t0 < ns_to_tsc(expect.max_latency_ns))
			cpu_relax();
		t1 = rdtsc_ordered();
		if (!CHECK(t, READ_ONCE(pongs) == r + 1,
			   "round %u: no pong from CPU %u within %lu us", r,
			   slots[0],
			   (unsigned long)(expect.max_latency_ns /
					   NSEC_PER_USEC)))
			break;
		samples[n++] = tsc_to_ns(t1 - t0);
	}
	delay_ns(NSEC_PER_MSEC); /* a late pong lands while the handler is in */
	set_irq_handler(VECTOR_PING, NULL);
	set_irq_handler(VECTOR_PONG, NULL);
	test_report_ns(t, "round trip", samples, n);
}

/* ---- The TSC across vCPUs ----------------------------------------------- */

static struct {
	struct spinlock lock;
	u64 last;
	u64 max_step_back;
	u64 reads;
	u32 reads_by[MAX_CPUS];
	u64 end;
} tsc_order;

static void tsc_order_work(void *unused)
{
	unsigned int slot = this_slot();

	for (;;) {
		u64 now;

		spin_lock(&tsc_order.lock);
		now = rdtsc_ordered();
		if (now < tsc_order.last &&
		    tsc_order.last - now > tsc_order.max_step_back)
			tsc_order.max_step_back = tsc_order.last - now;
		tsc_order.last = now;
		tsc_order.reads++;
		tsc_order.reads_by[slot]++;
		spin_unlock(&tsc_order.lock);
		if (now >= tsc_order.end)
			break;
		cpu_relax();
	}
}

static void tsc_monotonic(struct test *t)
{
	unsigned int i;

	memset(&tsc_order, 0, sizeof(tsc_order));
	tsc_order.end = rdtsc_ordered() + ns_to_tsc(TSC_CHECK_NS);
	if (!CHECK(t, smp_call_all(tsc_order_work, NULL, WORK_TIMEOUT_NS),
		   "a vCPU did not finish"))
		return;
	test_diag(t,
		  "%lu ordered TSC reads on %u vCPUs in %lu ms, largest "
		  "step back %lu cycles",
		  (unsigned long)tsc_order.reads, nr_cpus_online,
		  (unsigned long)(TSC_CHECK_NS / NSEC_PER_MSEC),
		  (unsigned long)tsc_order.max_step_back);
	CHECK(t, tsc_order.max_step_back == 0,
	      "the TSC went back by up to %lu cycles between vCPUs",
	      (unsigned long)tsc_order.max_step_back);
	for (i = 0; i < MAX_CPUS; i++)
		if (cpus[i].online)
			CHECK(t, tsc_order.reads_by[i] > 0,
			      "CPU %u took no part", i);
}

DEFINE_SUITE(smp, true, TEST_CASE(all_vcpus_started),
	     TEST_CASE(madt_cpu_entries), TEST_CASE(apic_ids),
	     TEST_CASE(ipi_to_each), TEST_CASE(ipi_ping_pong),
	     TEST_CASE(tsc_monotonic));
