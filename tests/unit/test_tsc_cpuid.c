/*
 * The TSC's rate from CPUID leaves 15h and 16h (arch/x86/tsc_cpuid.c):
 * the crystal from ECX, from the SDM's model table where ECX is 0, from
 * leaf 16h's base frequency otherwise, and the leaves that state nothing.
 * The leaf values are those of the parts named (SDM Vol. 2A and 3B,
 * 18.7.3), written out by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include <asm/tsc_cpuid.h>

/* An Intel family 6 part with leaves up to 16h. */
static struct tsc_cpuid_leaves intel(u32 model, u32 eax, u32 ebx, u32 ecx,
				     u32 base_mhz)
{
	return (struct tsc_cpuid_leaves){.intel = true,
					 .family = 6,
					 .model = model,
					 .max_leaf = 0x16,
					 .l15_eax = eax,
					 .l15_ebx = ebx,
					 .l15_ecx = ecx,
					 .l16_eax = base_mhz};
}

/* Ice Lake and later give the crystal: 38.4 MHz * 88 / 1. */
static void crystal_from_ecx(void **state)
{
	struct tsc_cpuid_leaves l = intel(0x7e, 1, 88, 38400000, 3300);
	struct tsc_cpuid_rate r;

	(void)state;
	assert_true(tsc_cpuid_rate(&l, &r));
	assert_int_equal(r.crystal_hz, 38400000);
	assert_int_equal(r.hz, 3379200000ULL);
	assert_int_equal(r.tolerance_ppm, 1000);
	assert_non_null(r.how);
}

/* Skylake client (06_5EH) leaves ECX 0: the SDM's 24 MHz; 24 MHz * 300/2. */
static void skylake_client_ecx0_is_24mhz(void **state)
{
	struct tsc_cpuid_leaves l = intel(0x5e, 2, 300, 0, 3600);
	struct tsc_cpuid_rate r;

	(void)state;
	assert_true(tsc_cpuid_rate(&l, &r));
	assert_int_equal(r.crystal_hz, 24000000);
	assert_int_equal(r.hz, 3600000000ULL);
	assert_int_equal(r.tolerance_ppm, 1000);
	/* The other client models of the table. */
	for (u32 m = 0; m < 4; m++) {
		static const u32 models[] = {0x4e, 0x5e, 0x8e, 0x9e};

		l.model = models[m];
		assert_true(tsc_cpuid_rate(&l, &r));
		assert_int_equal(r.crystal_hz, 24000000);
	}
}

/* Xeon Scalable (06_55H) and Denverton (06_5FH): 25 MHz; Goldmont 19.2. */
static void server_and_atom_crystals(void **state)
{
	struct tsc_cpuid_leaves l = intel(0x55, 2, 168, 0, 2100);
	struct tsc_cpuid_rate r;

	(void)state;
	assert_true(tsc_cpuid_rate(&l, &r));
	assert_int_equal(r.crystal_hz, 25000000);
	assert_int_equal(r.hz, 2100000000ULL);
	l = intel(0x5f, 1, 88, 0, 0);
	l.max_leaf = 0x15; /* Denverton has no leaf 16h */
	assert_true(tsc_cpuid_rate(&l, &r));
	assert_int_equal(r.hz, 2200000000ULL);
	l = intel(0x5c, 1, 78, 0, 1500);
	assert_true(tsc_cpuid_rate(&l, &r));
	assert_int_equal(r.crystal_hz, 19200000);
	assert_int_equal(r.hz, 1497600000ULL);
}

/* A model outside the table: the TSC runs at leaf 16h's base frequency. */
static void crystal_from_leaf16(void **state)
{
	struct tsc_cpuid_leaves l = intel(0xa5, 2, 216, 0, 2900);
	struct tsc_cpuid_rate r;

	(void)state;
	assert_true(tsc_cpuid_rate(&l, &r));
	assert_int_equal(r.hz, 2900000000ULL);
	/* 2900 * 2 / 216 MHz = 26.851851 MHz. */
	assert_int_equal(r.crystal_hz, 26851851);
	/* The nominal 1000 ppm plus whole MHz: 1/2900 rounds up to 345 ppm. */
	assert_int_equal(r.tolerance_ppm, 1000 + 345);
}

/* Leaves that state no rate. */
static void nothing_stated(void **state)
{
	struct tsc_cpuid_leaves l;
	struct tsc_cpuid_rate r;

	(void)state;
	l = intel(0xa5, 2, 216, 0, 0); /* no crystal, no base frequency */
	assert_false(tsc_cpuid_rate(&l, &r));
	assert_int_equal(r.hz, 0);
	l = intel(0xa5, 2, 216, 0, 2900);
	l.max_leaf = 0x15; /* leaf 16h's value is not there to read */
	assert_false(tsc_cpuid_rate(&l, &r));
	l = intel(0x5e, 0, 300, 0, 3600); /* a zero denominator */
	assert_false(tsc_cpuid_rate(&l, &r));
	l = intel(0x5e, 2, 0, 0, 3600); /* ratio not enumerated */
	assert_false(tsc_cpuid_rate(&l, &r));
	l = intel(0x5e, 2, 300, 0, 3600);
	l.max_leaf = 0x14;
	assert_false(tsc_cpuid_rate(&l, &r));
	l = intel(0x5e, 2, 300, 0, 3600);
	l.intel = false; /* AMD: the leaves mean nothing there */
	assert_false(tsc_cpuid_rate(&l, &r));
	l = intel(0x5e, 2, 300, 0, 3600);
	l.family = 0xf;			     /* the table is family 6's */
	assert_true(tsc_cpuid_rate(&l, &r)); /* by leaf 16h instead */
	assert_int_equal(r.hz, 3600000000ULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(crystal_from_ecx),
		cmocka_unit_test(skylake_client_ecx0_is_24mhz),
		cmocka_unit_test(server_and_atom_crystals),
		cmocka_unit_test(crystal_from_leaf16),
		cmocka_unit_test(nothing_stated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
