/*
 * cpuid: what an OS reads from CPUID before it trusts the platform
 * (Intel SDM Vol. 2A "CPUID"; AMD APM Vol. 3 appendix E): the vendor and
 * leaf ranges, family and model, the APIC ID in leaf 1 on every vCPU, the
 * features a guest's timer and interrupt code choose by (x2APIC,
 * TSC-deadline, ARAT), the hypervisor bit, and the topology leaves.
 */
#include "hvmtest.h"
#include "lapic.h"
#include "smp.h"
#include "time.h"

#define CPUID_1_ECX_X2APIC	 (1U << 21)
#define CPUID_1_ECX_TSC_DEADLINE (1U << 24)
#define CPUID_1_ECX_HYPERVISOR	 (1U << 31)
#define CPUID_6_EAX_ARAT	 (1U << 2)
#define TOPOLOGY_MAX_LEVELS	 8
#define WORK_TIMEOUT_NS		 (1000 * NSEC_PER_MSEC)

static bool printable(const char *s, unsigned int n)
{
	while (n--) {
		if (*s < 0x20 || *s > 0x7e)
			return false;
		s++;
	}
	return true;
}

static void vendor(struct test *t)
{
	struct cpuid_regs r = cpuid(0), e = cpuid(0x80000000);
	char v[13];

	memcpy(v, &r.ebx, 4);
	memcpy(v + 4, &r.edx, 4);
	memcpy(v + 8, &r.ecx, 4);
	v[12] = '\0';
	test_diag(t, "vendor \"%s\", max leaf %#x, max extended leaf %#x", v,
		  r.eax, e.eax);
	CHECK(t, printable(v, 12), "the vendor string is not printable");
}

static void max_leaves(struct test *t)
{
	u32 basic = cpuid(0).eax, ext = cpuid(0x80000000).eax;

	CHECK(t, basic >= 1, "max basic leaf %#x", basic);
	CHECK(t, ext >= 0x80000001 && ext <= 0x800000ff,
	      "max extended leaf %#x", ext);
}

static void family_model(struct test *t)
{
	u32 sig = cpuid(1).eax;
	u32 family = (sig >> 8) & 0xf, model = (sig >> 4) & 0xf;

	/* Display family and model (SDM Vol. 2A, CPUID leaf 1 EAX). */
	if (family == 0xf)
		family += (sig >> 20) & 0xff;
	if (family == 0x6 || family >= 0xf)
		model |= ((sig >> 16) & 0xf) << 4;
	test_diag(t, "signature %#x: family %#x, model %#x, stepping %u", sig,
		  family, model, sig & 0xf);
	CHECK(t, family != 0, "family 0 in signature %#x", sig);
}

/* ---- Per-vCPU identity ------------------------------------------------- */

struct identity {
	u32 lapic_id;  /* from the LAPIC, in the CPU's mode */
	u32 leaf1_id;  /* leaf 1 EBX[31:24] */
	u32 leaf_b_id; /* leaf 0xb EDX, if the leaf exists */
	bool x2apic;   /* the LAPIC was in x2APIC mode */
};

static struct identity identities[MAX_CPUS];

static void read_identity(void *unused)
{
	struct identity *id = &identities[this_slot()];

	id->lapic_id = lapic_id();
	id->leaf1_id = cpuid(1).ebx >> 24;
	id->leaf_b_id = cpuid(0).eax >= 0xb ? cpuid_count(0xb, 0).edx : 0;
	id->x2apic = lapic_mode() == LAPIC_X2APIC;
}

static void apic_id_every_vcpu(struct test *t)
{
	bool has_leaf_b = cpuid(0).eax >= 0xb && cpuid_count(0xb, 0).ebx != 0 &&
			  ((cpuid_count(0xb, 0).ecx >> 8) & 0xff) != 0;
	unsigned int i;

	memset(identities, 0, sizeof(identities));
	if (!CHECK(t, smp_call_all(read_identity, NULL, WORK_TIMEOUT_NS),
		   "a vCPU did not answer"))
		return;
	for (i = 0; i < MAX_CPUS; i++) {
		const struct identity *id = &identities[i];

		if (!cpus[i].online)
			continue;
		CHECK(t, id->leaf1_id == (id->lapic_id & 0xff),
		      "CPU %u: CPUID.1:EBX[31:24] = %u, LAPIC ID %u", i,
		      id->leaf1_id, id->lapic_id);
		CHECK(t, id->lapic_id == cpus[i].apic_id,
		      "CPU %u: LAPIC ID %u, was %u when it came up", i,
		      id->lapic_id, cpus[i].apic_id);
		if (has_leaf_b)
			CHECK(t,
			      (id->x2apic
				       ? id->leaf_b_id
				       : id->leaf_b_id & 0xff) == id->lapic_id,
			      "CPU %u: CPUID.0BH:EDX = %u, LAPIC ID %u", i,
			      id->leaf_b_id, id->lapic_id);
	}
}

/* ---- Features ------------------------------------------------------------ */

/* Passes if present; else fails if expected, skips if not. */
static void feature(struct test *t, bool present, bool expected,
		    const char *what, const char *option)
{
	if (present)
		return;
	if (expected)
		CHECK(t, false, "%s absent, and %s=1 expects it", what, option);
	else
		test_skip(t, "%s absent (%s=1 makes this a failure)", what,
			  option);
}

static void x2apic(struct test *t)
{
	feature(t, cpuid(1).ecx & CPUID_1_ECX_X2APIC, expect.x2apic,
		"x2APIC (CPUID.1:ECX[21])", "expect_x2apic");
}

static void tsc_deadline(struct test *t)
{
	feature(t, cpuid(1).ecx & CPUID_1_ECX_TSC_DEADLINE, expect.tsc_deadline,
		"TSC-deadline timer (CPUID.1:ECX[24])", "expect_tsc_deadline");
}

static void arat(struct test *t)
{
	bool present = cpuid(0).eax >= 6 && (cpuid(6).eax & CPUID_6_EAX_ARAT);

	feature(t, present, expect.arat,
		"always-running APIC timer (CPUID.6:EAX[2])", "expect_arat");
}

static void hypervisor(struct test *t)
{
	feature(t, cpuid(1).ecx & CPUID_1_ECX_HYPERVISOR, expect.hypervisor,
		"hypervisor bit (CPUID.1:ECX[31])", "expect_hypervisor");
}

/* ---- Topology (leaf 0xb, and 0x1f where it exists) -------------------- */

struct topology {
	u32 x2apic_id;
	unsigned int nr_levels;
	u8 type[TOPOLOGY_MAX_LEVELS];	/* ECX[15:8]: 1 SMT, 2 core, ... */
	u8 shift[TOPOLOGY_MAX_LEVELS];	/* EAX[4:0] */
	u16 count[TOPOLOGY_MAX_LEVELS]; /* EBX[15:0] */
};

static struct topology topologies[MAX_CPUS];
static u32 topology_leaf;

static void read_topology(void *unused)
{
	struct topology *tp = &topologies[this_slot()];
	unsigned int i;

	memset(tp, 0, sizeof(*tp));
	for (i = 0; i < TOPOLOGY_MAX_LEVELS; i++) {
		struct cpuid_regs r = cpuid_count(topology_leaf, i);

		if (((r.ecx >> 8) & 0xff) == 0)
			break;
		tp->type[i] = (u8)(r.ecx >> 8);
		tp->shift[i] = r.eax & 0x1f;
		tp->count[i] = (u16)r.ebx;
		tp->x2apic_id = r.edx;
		tp->nr_levels++;
	}
}

static void check_topology(struct test *t, u32 leaf)
{
	const struct topology *first = NULL;
	unsigned int i, j, top;

	topology_leaf = leaf;
	if (!CHECK(t, smp_call_all(read_topology, NULL, WORK_TIMEOUT_NS),
		   "a vCPU did not answer"))
		return;
	/* Subleaf 0 of a real topology leaf is a valid level (type != 0). */
	if (topologies[0].nr_levels == 0) {
		test_skip(t, "leaf %#x: EBX %#x but no valid level", leaf,
			  cpuid_count(leaf, 0).ebx);
		return;
	}
	for (i = 0; i < MAX_CPUS; i++) {
		const struct topology *tp = &topologies[i];

		if (!cpus[i].online)
			continue;
		if (!first) {
			first = tp;
			test_diag(t,
				  "leaf %#x: %u levels, top shift %u, %u "
				  "logical processors at the top",
				  leaf, tp->nr_levels,
				  tp->nr_levels ? tp->shift[tp->nr_levels - 1]
						: 0,
				  tp->nr_levels ? tp->count[tp->nr_levels - 1]
						: 0);
		}
		if (!CHECK(t,
			   tp->nr_levels == first->nr_levels &&
				   !memcmp(tp->type, first->type,
					   sizeof(tp->type)) &&
				   !memcmp(tp->shift, first->shift,
					   sizeof(tp->shift)),
			   "leaf %#x: CPU %u's levels differ from CPU 0's",
			   leaf, i))
			return;
		CHECK(t, (tp->x2apic_id & 0xff) == (cpus[i].apic_id & 0xff),
		      "leaf %#x: CPU %u reports x2APIC ID %u, LAPIC ID %u",
		      leaf, i, tp->x2apic_id, cpus[i].apic_id);
		for (j = 1; j < tp->nr_levels; j++)
			CHECK(t, tp->shift[j] >= tp->shift[j - 1],
			      "leaf %#x: shifts go down at level %u", leaf, j);
	}
	top = first->nr_levels - 1;
	/* Each package (APIC IDs equal above the top shift) fits its count. */
	for (i = 0; i < MAX_CPUS; i++) {
		unsigned int in_package = 0;

		if (!cpus[i].online)
			continue;
		for (j = 0; j < MAX_CPUS; j++)
			in_package += cpus[j].online &&
				      (topologies[j].x2apic_id >>
				       first->shift[top]) ==
					      (topologies[i].x2apic_id >>
					       first->shift[top]);
		CHECK(t, in_package <= first->count[top],
		      "leaf %#x: %u vCPUs in CPU %u's package, the leaf says "
		      "%u logical processors",
		      leaf, in_package, i, first->count[top]);
	}
}

static void topology(struct test *t)
{
	u32 max = cpuid(0).eax;

	if (max < 0xb || cpuid_count(0xb, 0).ebx == 0) {
		test_skip(t, "no leaf 0xb");
		return;
	}
	check_topology(t, 0xb);
	if (max >= 0x1f && cpuid_count(0x1f, 0).ebx != 0)
		check_topology(t, 0x1f);
}

DEFINE_SUITE(cpuid, false, TEST_CASE(vendor), TEST_CASE(max_leaves),
	     TEST_CASE(family_model), TEST_CASE(apic_id_every_vcpu),
	     TEST_CASE(x2apic), TEST_CASE(tsc_deadline), TEST_CASE(arat),
	     TEST_CASE(hypervisor), TEST_CASE(topology));
