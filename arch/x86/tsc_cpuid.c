/*
 * The TSC's rate from CPUID leaves 15h and 16h (asm/tsc_cpuid.h). Leaf
 * 15h gives TSC = crystal * EBX / EAX; the crystal is ECX, or, where ECX
 * is 0, the nominal frequency the SDM's table (Vol. 3B, 18.7.3) gives for
 * the model, or else it follows from leaf 16h's base frequency, which the
 * TSC runs at on these parts (the method Linux's native_calibrate_tsc()
 * uses since it dropped its own 24 MHz table for the client models).
 */
#include <asm/tsc_cpuid.h>

#define PPM 1000000ULL
/* A stated crystal or ratio is nominal: how far it may be from the truth. */
#define NOMINAL_TOLERANCE_PPM 1000

struct crystal_model {
	u32 model; /* family 6 */
	u32 hz;
	const char *how;
};

/* SDM Vol. 3B, 18.7.3, "Nominal Core Crystal Clock Frequency". */
static const struct crystal_model crystal_table[] = {
	{0x4e, 24000000,
	 "CPUID 15h, crystal 24 MHz by the SDM's table (Skylake client)"},
	{0x5e, 24000000,
	 "CPUID 15h, crystal 24 MHz by the SDM's table (Skylake client)"},
	{0x8e, 24000000,
	 "CPUID 15h, crystal 24 MHz by the SDM's table (Kaby Lake client)"},
	{0x9e, 24000000,
	 "CPUID 15h, crystal 24 MHz by the SDM's table (Kaby Lake client)"},
	{0x55, 25000000,
	 "CPUID 15h, crystal 25 MHz by the SDM's table (Xeon Scalable)"},
	{0x5f, 25000000,
	 "CPUID 15h, crystal 25 MHz by the SDM's table (Atom Denverton)"},
	{0x5c, 19200000,
	 "CPUID 15h, crystal 19.2 MHz by the SDM's table (Atom Goldmont)"},
};

/* The table's crystal for the model, or NULL. */
static const struct crystal_model *crystal_by_model(u32 family, u32 model)
{
	unsigned int i;

	if (family != 6)
		return NULL;
	for (i = 0; i < sizeof(crystal_table) / sizeof(crystal_table[0]); i++)
		if (crystal_table[i].model == model)
			return &crystal_table[i];
	return NULL;
}

bool tsc_cpuid_rate(const struct tsc_cpuid_leaves *in,
		    struct tsc_cpuid_rate *out)
{
	const struct crystal_model *m;
	u32 base_mhz;

	*out = (struct tsc_cpuid_rate){0};
	if (!in->intel || in->max_leaf < 0x15 || !in->l15_eax || !in->l15_ebx)
		return false;
	out->tolerance_ppm = NOMINAL_TOLERANCE_PPM;
	if (in->l15_ecx) {
		out->crystal_hz = in->l15_ecx;
		out->how = "CPUID 15h, crystal from ECX";
	} else if ((m = crystal_by_model(in->family, in->model)) != NULL) {
		out->crystal_hz = m->hz;
		out->how = m->how;
	} else if (in->max_leaf >= 0x16 && (in->l16_eax & 0xffff)) {
		base_mhz = in->l16_eax & 0xffff;
		/* Whole MHz: the base may be up to 1 MHz above what it says. */
		out->tolerance_ppm += (u32)((PPM + base_mhz - 1) / base_mhz);
		out->hz = (u64)base_mhz * 1000000;
		out->crystal_hz = out->hz * in->l15_eax / in->l15_ebx;
		out->how =
			"CPUID 15h, crystal derived from the CPUID 16h base frequency";
		return true;
	} else {
		*out = (struct tsc_cpuid_rate){0};
		return false;
	}
	out->hz = out->crystal_hz * in->l15_ebx / in->l15_eax;
	return true;
}
