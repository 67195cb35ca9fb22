/*
 * The x86 part of the hardware report (include/hwreport.h): the boot
 * CPU's identity and the features that decide the clocks, the APIC mode
 * and HVM, from CPUID (Intel SDM Vol. 2A, "CPUID"; AMD APM Vol. 3,
 * appendix E).
 */
#include <hwreport.h>
#include <panic.h>
#include <string.h>

#include <asm/processor.h>

#define LEAF_BASIC	 0x0
#define LEAF_FEATURES	 0x1
#define LEAF_POWER	 0x6
#define LEAF_EXT_MAX	 0x80000000
#define LEAF_EXT_FEAT	 0x80000001
#define LEAF_BRAND_FIRST 0x80000002
#define LEAF_BRAND_LAST	 0x80000004
#define LEAF_EXT_POWER	 0x80000007

#define FEAT_ECX_VMX	      (1U << 5)
#define FEAT_ECX_X2APIC	      (1U << 21)
#define FEAT_ECX_TSC_DEADLINE (1U << 24)
#define FEAT_ECX_HYPERVISOR   (1U << 31)
#define POWER_EAX_ARAT	      (1U << 2) /* APIC timer always running */
#define EXT_FEAT_ECX_SVM      (1U << 2)
#define EXT_POWER_EDX_INVTSC  (1U << 8)

/* Family, model and stepping from leaf 1's EAX, extended fields folded in. */
static void decode_signature(u32 eax, struct hw_cpu_info *info)
{
	unsigned int family = (eax >> 8) & 0xf, model = (eax >> 4) & 0xf;

	/* The extended fields count only for these base values (SDM 3.2). */
	if (family == 0xf)
		family += (eax >> 20) & 0xff;
	if (family == 0x6 || family >= 0xf)
		model |= ((eax >> 16) & 0xf) << 4;
	info->family = family;
	info->model = model;
	info->stepping = eax & 0xf;
}

static void add_feature(struct hw_cpu_info *info, const char *name,
			bool present)
{
	ASSERT(info->nr_features < HW_CPU_MAX_FEATURES);
	info->features[info->nr_features++] =
		(struct hw_cpu_feature){name, present};
}

/* The brand string of leaves 80000002h-80000004h, if max_ext has them. */
static void read_brand(u32 max_ext, struct hw_cpu_info *info)
{
	struct cpuid_regs r;
	unsigned int i, leaf;
	char *p = info->brand;

	info->brand[0] = '\0';
	if (max_ext < LEAF_BRAND_LAST)
		return;
	for (leaf = LEAF_BRAND_FIRST; leaf <= LEAF_BRAND_LAST; leaf++) {
		cpuid(leaf, &r);
		memcpy(p, &r.eax, 4);
		memcpy(p + 4, &r.ebx, 4);
		memcpy(p + 8, &r.ecx, 4);
		memcpy(p + 12, &r.edx, 4);
		p += 16;
	}
	*p = '\0';
	/* Vendors pad on the left; the report wants the words. */
	for (i = 0; info->brand[i] == ' '; i++)
		;
	memmove(info->brand, info->brand + i, strlen(info->brand + i) + 1);
}

void arch_hwreport_cpu(struct hw_cpu_info *info)
{
	struct cpuid_regs r, feat, power = {0}, ext = {0}, ext_power = {0};
	u32 max_basic, max_ext;

	memset(info, 0, sizeof(*info));
	cpuid(LEAF_BASIC, &r);
	max_basic = r.eax;
	memcpy(info->vendor, &r.ebx, 4);
	memcpy(info->vendor + 4, &r.edx, 4);
	memcpy(info->vendor + 8, &r.ecx, 4);
	cpuid(LEAF_FEATURES, &feat);
	decode_signature(feat.eax, info);
	if (max_basic >= LEAF_POWER)
		cpuid(LEAF_POWER, &power);
	cpuid(LEAF_EXT_MAX, &r);
	max_ext = r.eax;
	if (max_ext >= LEAF_EXT_FEAT)
		cpuid(LEAF_EXT_FEAT, &ext);
	if (max_ext >= LEAF_EXT_POWER)
		cpuid(LEAF_EXT_POWER, &ext_power);
	read_brand(max_ext, info);

	add_feature(info, "x2apic", feat.ecx & FEAT_ECX_X2APIC);
	add_feature(info, "tsc_deadline_timer",
		    feat.ecx & FEAT_ECX_TSC_DEADLINE);
	add_feature(info, "invariant_tsc",
		    ext_power.edx & EXT_POWER_EDX_INVTSC);
	add_feature(info, "arat", power.eax & POWER_EAX_ARAT);
	add_feature(info, "svm", ext.ecx & EXT_FEAT_ECX_SVM);
	add_feature(info, "vmx", feat.ecx & FEAT_ECX_VMX);
	add_feature(info, "hypervisor", feat.ecx & FEAT_ECX_HYPERVISOR);
}
