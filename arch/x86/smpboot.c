/*
 * Bringing up the application processors (SDM Vol. 3A, 9.4 "Multiple-
 * Processor (MP) Initialization" and 9.4.4.1, the INIT-SIPI-SIPI
 * sequence). All APs are kicked at once and the boot CPU then waits for
 * them, so bring-up costs one round of delays, not one per CPU.
 */
#include <acpi.h>
#include <asm/apic.h>
#include <asm/boot.h>
#include <asm/cpu_protect.h>
#include <asm/desc.h>
#include <asm/mm.h>
#include <asm/processor.h>
#include <cpumask.h>
#include <cycles.h>
#include <irq.h>
#include <page.h>
#include <panic.h>
#include <param.h>
#include <domain.h>
#include <hvm.h>
#include <percpu.h>
#include <sched.h>
#include <printk.h>
#include <smp.h>
#include <string.h>
#include <systime.h>
#include <timer.h>
#include <trace.h>
#include <xmalloc.h>

/* SDM 9.4.4.1: 10 ms after INIT, 200 us after each STARTUP IPI. */
#define INIT_DELAY_US 10000
#define SIPI_DELAY_US 200
/*
 * How long the APs get to check in (smp_callin_timeout=): generous for
 * emulators; hundreds of emulated CPUs on a busy host may need more.
 */
#define CALLIN_TIMEOUT_DEFAULT MILLISECS(2000)
#define CALLIN_TIMEOUT_MIN     MILLISECS(10)
#define CALLIN_TIMEOUT_MAX     SECONDS(60)
static s64 opt_callin_timeout = CALLIN_TIMEOUT_DEFAULT;
time_param("smp_callin_timeout", opt_callin_timeout);

static unsigned int opt_maxcpus = NR_CPUS;
integer_param("maxcpus", opt_maxcpus);
static bool opt_nosmp;
boolean_param("nosmp", opt_nosmp);

/* Read by ap_entry64 (trampoline.S) before the AP has a stack. */
unsigned int nr_cpu_ids = 1;
u32 cpu_apic_id[NR_CPUS];
unsigned long cpu_stack_top[NR_CPUS];
unsigned long ap_idle_cr3;

static struct cpu_stacks *ap_stacks[NR_CPUS];
static volatile bool cpu_called_in[NR_CPUS];
/* Set when the boot CPU stops waiting: a straggler must not join later. */
static volatile bool callin_closed;

extern const char trampoline_start[], trampoline_end[];
extern u32 trampoline_cr3;

void __noreturn start_secondary(unsigned int cpu)
{
	if (callin_closed) {
		/* Reported as missing already: stay out of the way. */
		for (;;)
			__asm__ __volatile__("cli; hlt");
	}
	percpu_enter(cpu);
	load_cpu_descriptors(ap_stacks[cpu]);
	cpu_protect_init();
	hvm_cpu_init();
	apic_init_secondary();
	time_init_secondary();
	timer_cpu_init();
	idle_vcpu_init(cpu);
	scheduler_cpu_init(cpu);
	cpu_called_in[cpu] = true;
	cpumask_set_cpu(cpu, &cpu_online_map);
	idle_loop();
}

/* CPUID.0 vendor strings, EBX-EDX-ECX, as little-endian words. */
#define VENDOR_INTEL_EBX 0x756e6547 /* "Genu" "ineI" "ntel" */
#define VENDOR_INTEL_EDX 0x49656e69
#define VENDOR_INTEL_ECX 0x6c65746e
#define VENDOR_AMD_EBX	 0x68747541 /* "Auth" "enti" "cAMD" */
#define VENDOR_AMD_EDX	 0x69746e65
#define VENDOR_AMD_ECX	 0x444d4163
#define VENDOR_HYGON_EBX 0x6f677948 /* "Hygo" "nGen" "uine" */
#define VENDOR_HYGON_EDX 0x6e65476e
#define VENDOR_HYGON_ECX 0x656e6975
/* Linux's figure for the wait after a STARTUP IPI once INIT needs none. */
#define SIPI_DELAY_MODERN_US 10

/* The family CPUID.1:EAX gives, extended family added for family 0Fh. */
static unsigned int cpu_family(u32 eax)
{
	unsigned int family = (eax >> 8) & 0xf;

	return family == 0xf ? family + ((eax >> 20) & 0xff) : family;
}

/*
 * The SDM's 10 ms wait after INIT (9.4.4.1) is for older processors:
 * Linux skips it (smp_quirk_init_udelay()) on Intel from family 6, AMD
 * from family 0Fh and Hygon from family 18h, and so does this; any other
 * CPU keeps the wait.
 */
static bool init_delay_needed(unsigned int *family_out)
{
	struct cpuid_regs v, sig;
	unsigned int family;

	cpuid(0, &v);
	cpuid(1, &sig);
	family = *family_out = cpu_family(sig.eax);
	if (v.ebx == VENDOR_INTEL_EBX && v.edx == VENDOR_INTEL_EDX &&
	    v.ecx == VENDOR_INTEL_ECX)
		return family < 6;
	if (v.ebx == VENDOR_AMD_EBX && v.edx == VENDOR_AMD_EDX &&
	    v.ecx == VENDOR_AMD_ECX)
		return family < 0xf;
	if (v.ebx == VENDOR_HYGON_EBX && v.edx == VENDOR_HYGON_EDX &&
	    v.ecx == VENDOR_HYGON_ECX)
		return family < 0x18;
	return true;
}

/* Allocates what CPU cpu needs before it runs: per-CPU area, stacks. */
static bool prepare_cpu(unsigned int cpu, u32 apic)
{
	struct cpu_stacks *stacks = xzalloc(struct cpu_stacks);
	void *stack = alloc_guarded_stack();
	unsigned int i;

	if (!stacks || !stack || percpu_alloc_area(cpu) ||
	    idle_vcpu_alloc(cpu) || hvm_cpu_prepare(cpu))
		return false;
	for (i = 0; i < NR_IST; i++) {
		void *ist = alloc_guarded_stack();

		if (!ist)
			return false;
		stacks->ist_top[i] = (char *)ist + STACK_SIZE;
	}
	stacks->stack_top = (char *)stack + STACK_SIZE;
	ap_stacks[cpu] = stacks;
	trace_cpu_init(cpu);
	cpu_apic_id[cpu] = apic;
	cpumask_set_cpu(cpu, &cpu_present_map);
	cpu_stack_top[cpu] = (unsigned long)stack + STACK_SIZE;
	return true;
}

/* Copies the trampoline below 1 MiB; returns the STARTUP IPI vector. */
static u8 install_trampoline(void)
{
	size_t size = trampoline_end - trampoline_start;
	u8 *dst = maddr_to_virt(TRAMPOLINE_PHYS);

	BUILD_BUG_ON(TRAMPOLINE_PHYS & (PAGE_SIZE - 1));
	BUILD_BUG_ON(TRAMPOLINE_PHYS >= 0x100000);
	ASSERT(size <= PAGE_SIZE);
	memcpy(dst, trampoline_start, size);
	/* Patch the copy: trampoline_cr3's offset within the trampoline. */
	*(u32 *)(dst + ((const char *)&trampoline_cr3 - trampoline_start)) =
		trampoline_page_tables();
	ap_idle_cr3 = idle_page_table();
	return TRAMPOLINE_PHYS >> PAGE_SHIFT;
}

/* When smp_send_init_early() sent INIT (a cycle count); 0: it did not. */
static u64 init_sent_cycles;

/* True if the firmware CPU c is one enumerate_cpus() may start. */
static bool startable(const struct acpi_cpu *c, u32 boot_apic)
{
	return c->enabled && c->apic_id != boot_apic &&
	       !(apic_mode() == APIC_MODE_XAPIC && c->apic_id > XAPIC_MAX_ID);
}

void __init smp_send_init_early(void)
{
	unsigned int i, n = 1, limit = min(opt_maxcpus, (unsigned int)NR_CPUS);
	u32 boot_apic = apic_id();

	if (opt_nosmp || limit <= 1)
		return;
	/*
	 * The same CPUs enumerate_cpus() takes, in the same order; one it
	 * then fails to prepare stays in wait-for-SIPI, as it was.
	 */
	for (i = 0; i < acpi_info.nr_cpus && n < limit; i++) {
		const struct acpi_cpu *c = &acpi_info.cpus[i];

		if (!startable(c, boot_apic))
			continue;
		if (apic_send_ipi(c->apic_id, APIC_DM_INIT, 0))
			pr_err("SMP: INIT to APIC ID %u not delivered\n",
			       c->apic_id);
		n++;
	}
	if (n > 1)
		init_sent_cycles = get_cycles();
}

/* Waits out what is left of the INIT delay since INIT was sent. */
static void wait_after_init(u64 sent, unsigned long delay_us)
{
	u64 need = tsc_hz() / 1000000 * delay_us, gone = get_cycles() - sent;

	if (gone < need)
		udelay((need - gone) / (tsc_hz() / 1000000));
}

/* Numbers the firmware's CPUs (the boot CPU is 0); returns how many. */
static unsigned int enumerate_cpus(u32 boot_apic)
{
	unsigned int i, limit = min(opt_maxcpus, (unsigned int)NR_CPUS);

	cpu_apic_id[0] = boot_apic;
	if (limit == 0)
		limit = 1;
	for (i = 0; i < acpi_info.nr_cpus && nr_cpu_ids < limit; i++) {
		const struct acpi_cpu *c = &acpi_info.cpus[i];

		if (!c->enabled || c->apic_id == boot_apic)
			continue;
		if (!startable(c, boot_apic)) {
			pr_warn("SMP: APIC ID %u is out of reach in xAPIC mode; CPU not started\n",
				c->apic_id);
			continue;
		}
		if (!prepare_cpu(nr_cpu_ids, c->apic_id)) {
			pr_err("SMP: out of memory for CPU %u (APIC ID %u); not started\n",
			       nr_cpu_ids, c->apic_id);
			break;
		}
		nr_cpu_ids++;
	}
	return nr_cpu_ids;
}

static void send_to_aps(enum apic_delivery dm, u8 vector, bool skip_called_in)
{
	unsigned int cpu;

	for (cpu = 1; cpu < nr_cpu_ids; cpu++)
		if (!(skip_called_in && cpu_called_in[cpu]) &&
		    apic_send_ipi(cpu_apic_id[cpu], dm, vector))
			pr_err("SMP: IPI to APIC ID %u not delivered\n",
			       cpu_apic_id[cpu]);
}

static unsigned int count_called_in(void)
{
	unsigned int cpu, n = 0;

	for (cpu = 1; cpu < nr_cpu_ids; cpu++)
		n += cpu_called_in[cpu];
	return n;
}

/* Waits until wanted APs have checked in or the call-in timeout passed. */
static void wait_for_callins(unsigned int wanted)
{
	s_time_t end;

	if (opt_callin_timeout < CALLIN_TIMEOUT_MIN ||
	    opt_callin_timeout > CALLIN_TIMEOUT_MAX) {
		pr_warn("smp_callin_timeout=%ld ns: out of range (10ms to 60s); using 2s\n",
			opt_callin_timeout);
		opt_callin_timeout = CALLIN_TIMEOUT_DEFAULT;
	}
	end = NOW() + opt_callin_timeout;

	while (count_called_in() < wanted && NOW() < end)
		cpu_relax();
}

void __init smp_boot_cpus(void)
{
	unsigned int wanted, online;
	u64 t0, t1, t_sipi, tsc_per_ms, us;
	unsigned int family;
	bool legacy;
	u8 vector;

	cpumask_set_cpu(0, &cpu_online_map);
	if (opt_nosmp || opt_maxcpus == 1) {
		pr_info("SMP: disabled by %s; 1 CPU\n",
			opt_nosmp ? "nosmp" : "maxcpus=1");
		return;
	}
	wanted = enumerate_cpus(apic_id()) - 1;
	if (acpi_info.nr_cpus > nr_cpu_ids)
		pr_info("SMP: %u of %u firmware CPUs used (maxcpus=%u)\n",
			nr_cpu_ids, acpi_info.nr_cpus, opt_maxcpus);
	if (wanted == 0) {
		pr_info("SMP: 1 CPU\n");
		return;
	}
	vector = install_trampoline();
	tsc_per_ms = tsc_hz() / 1000;

	legacy = init_delay_needed(&family);
	t0 = get_cycles();
	if (!init_sent_cycles) {
		send_to_aps(APIC_DM_INIT, 0, false);
		init_sent_cycles = t0;
	}
	if (legacy)
		wait_after_init(init_sent_cycles, INIT_DELAY_US);
	t_sipi = get_cycles();
	send_to_aps(APIC_DM_STARTUP, vector, false);
	udelay(legacy ? SIPI_DELAY_US : SIPI_DELAY_MODERN_US);
	/* SDM 9.4.4.1: a second STARTUP IPI for those that missed the first. */
	send_to_aps(APIC_DM_STARTUP, vector, true);
	wait_for_callins(wanted);
	callin_closed = true;
	t1 = get_cycles();

	online = count_called_in();
	for (unsigned int cpu = 1; cpu < nr_cpu_ids; cpu++)
		if (!cpu_called_in[cpu])
			pr_err("SMP: CPU %u (APIC ID %u) did not start within %ld ms; skipped\n",
			       cpu, cpu_apic_id[cpu],
			       (long)(opt_callin_timeout / 1000000));
	/* The line tests/bench/bench.py reads: keep its shape. */
	us = tsc_per_ms ? (t1 - t0) * 1000 / tsc_per_ms : 0;
	pr_info("SMP: %u CPUs online (%u of %u APs started in %lu.%03lu ms, %lu Mcycles)\n",
		online + 1, online, wanted, (unsigned long)(us / 1000),
		(unsigned long)(us % 1000), (unsigned long)((t1 - t0) >> 20));
	pr_info("SMP: INIT %lu us before the first STARTUP IPI (CPU family %#x: %s)\n",
		(unsigned long)((t_sipi - init_sent_cycles) * 1000 /
				(tsc_per_ms ? tsc_per_ms : 1)),
		family,
		legacy ? "10 ms needed, SDM 9.4.4.1" : "no wait needed");
}
