/*
 * SMEP, SMAP and UMIP (asm/cpu_protect.h). Guests run in ring 3 below
 * GUEST_VADDR_END with user pages; the hypervisor has none of its own. So
 * ring 0 never has a reason to execute a user page (SMEP catches a jump
 * into guest memory), nor to read or write one except through the
 * guest-memory accessors (include/uaccess.h), which open the window with
 * stac for the copy alone (SMAP catches every other dereference of a guest
 * pointer). UMIP keeps the descriptor-table addresses, which would tell a
 * guest where the hypervisor lives, out of ring 3.
 */
#include <asm/boot.h>
#include <asm/cpu_protect.h>
#include <asm/fpu.h>
#include <asm/processor.h>
#include <panic.h>
#include <percpu.h>
#include <printk.h>
#include <smp.h>

/* CPUID.(EAX=7,ECX=0) (SDM Vol. 2A, CPUID, table 3-8). */
#define CPUID7_EBX_SMEP (1U << 7)
#define CPUID7_EBX_SMAP (1U << 20)
#define CPUID7_ECX_UMIP (1U << 2)

/* Set by the boot CPU before any AP starts; read-only afterwards. */
static bool smap_on;

bool cpu_has_smap(void)
{
	return READ_ONCE(smap_on);
}

static const char *state(bool on)
{
	return on ? "on" : "off (not supported)";
}

void cpu_protect_init(void)
{
	bool boot_cpu = smp_processor_id() == 0;
	struct cpuid_regs r = {0};
	bool smep, smap, umip;
	unsigned long cr4;
	u64 efer;

	cpuid(0, &r);
	if (r.eax >= 7)
		cpuid_count(7, 0, &r);
	else
		r = (struct cpuid_regs){0};
	smep = r.ebx & CPUID7_EBX_SMEP;
	smap = r.ebx & CPUID7_EBX_SMAP;
	umip = r.ecx & CPUID7_ECX_UMIP;

	if (boot_cpu)
		smap_on = smap;
	else if (smap_on && !smap)
		panic("CPU%u lacks SMAP, which the boot CPU has",
		      smp_processor_id());

	/* head.S and the trampoline set NXE already; the page tables need it. */
	efer = rdmsr(MSR_EFER);
	if (!(efer & EFER_NXE))
		wrmsr(MSR_EFER, efer | EFER_NXE);

	cr4 = read_cr4();
	if (smep)
		cr4 |= X86_CR4_SMEP;
	if (smap_on)
		cr4 |= X86_CR4_SMAP;
	if (umip)
		cr4 |= X86_CR4_UMIP;
	write_cr4(cr4);
	/* RFLAGS.AC is clear from reset, but clac makes it so. */
	if (smap_on)
		__asm__ __volatile__("clac" ::: "memory");

	if (boot_cpu)
		pr_info("CPU protections: SMEP %s, SMAP %s, UMIP %s\n",
			state(smep), state(smap_on), state(umip));

	fpu_init_cpu();
}
