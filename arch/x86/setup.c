/*
 * The boot sequence: the first C code on the boot CPU, in the order the
 * machine comes to life.
 */
#include <asm/acpi_boot.h>
#include <asm/apic.h>
#include <asm/cpu_protect.h>
#include <asm/desc.h>
#include <asm/io_apic.h>
#include <asm/mm.h>
#include <asm/pic.h>
#include <asm/processor.h>
#include <irq.h>
#include <asm/traps.h>
#include <boot_timeline.h>
#include <bootinfo.h>
#include <console.h>
#include <domain.h>
#include <domain_build.h>
#include <hvm.h>
#include <hwreport.h>
#include <keyhandler.h>
#include <ktest.h>
#include <multiboot2.h>
#include <page.h>
#include <page_alloc.h>
#include <panic.h>
#include <param.h>
#include <percpu.h>
#include <printk.h>
#include <sched.h>
#include <smp.h>
#include <softirq.h>
#include <systime.h>
#include <tasklet.h>
#include <timer.h>
#include <trace.h>
#include <version.h>

/* Records the idle loop drains before it looks for other work again. */
#define TRACE_DRAIN_BATCH 32

/* The boot page tables map the first 4 GiB: the block must lie below. */
#define EARLY_MAP_LIMIT (4UL << 30)
/* No multiboot2 block is anywhere near this; it bounds what we may read. */
#define MB2_INFO_MAX (16UL << 20)

struct boot_info boot_info;

void start_hypervisor(u32 mb2_magic, u32 mb2_info_pa) __noreturn;

/* Parses the multiboot2 block or stops with the reason. */
static void __init parse_boot_info(u32 magic, paddr_t info_pa)
{
	char err[160];
	size_t avail = min(MB2_INFO_MAX, EARLY_MAP_LIMIT - info_pa);

	/* head.S checked the magic; keep the check next to the parse too. */
	if (magic != MULTIBOOT2_BOOTLOADER_MAGIC)
		panic("not started by a Multiboot2 boot loader (magic %#x)",
		      magic);
	if (info_pa == 0 || info_pa >= EARLY_MAP_LIMIT)
		panic("multiboot2 information at %#lx is out of reach",
		      info_pa);
	if (mb2_parse(maddr_to_virt(info_pa), avail, &boot_info, err,
		      sizeof(err)))
		panic("multiboot2 information is corrupt: %s", err);
}

static void __init report_boot(void)
{
	unsigned int i;

	pr_info("Boot loader: %s (%s boot)\n",
		boot_info.loader_name[0] ? boot_info.loader_name : "unknown",
		boot_info.efi_boot ? "UEFI" : "BIOS");
	pr_info("Command line: %s\n", boot_cmdline());
	for (i = 0; i < boot_info.nr_modules; i++)
		pr_info("Module %u: [%#lx-%#lx) %s\n", i,
			boot_info.modules[i].start, boot_info.modules[i].end,
			boot_info.modules[i].cmdline);
}

/*
 * The idle loop: run what other CPUs left for this one, else halt with
 * interrupts enabled until something happens. Checking with interrupts
 * off and halting with `sti; hlt` loses no wake-up.
 */
void __noreturn idle_loop(void)
{
	for (;;) {
		local_irq_disable();
		if (idle_work_pending()) {
			local_irq_enable();
			idle_run_work();
			continue;
		}
		/* Tasklets run from their softirq, timers from theirs. */
		if (softirq_pending()) {
			local_irq_enable();
			do_softirq();
			continue;
		}
		/* Trace frames leave only when there is nothing else to do. */
		if (trace_pending()) {
			local_irq_enable();
			trace_drain(TRACE_DRAIN_BATCH);
			continue;
		}
		/*
		 * The frame table's background set-up, a section per pass so
		 * that an interrupt waits one section at most; on the boot CPU
		 * only, so that CPUs do not queue on the allocator's lock.
		 */
		if (smp_processor_id() == 0 && page_alloc_deferred_pending()) {
			local_irq_enable();
			page_alloc_deferred_step();
			continue;
		}
		trace(TRACE_CLASS_IDLE, TRACE_IDLE_ENTER, 0, 0, 0);
		safe_halt();
		trace(TRACE_CLASS_IDLE, TRACE_IDLE_EXIT, 0, 0, 0);
	}
}

void __init start_hypervisor(u32 mb2_magic, u32 mb2_info_pa)
{
	/* Per-CPU data and trap handlers first: everything after may fault. */
	percpu_init_boot_cpu();
	trap_init();
	/*
	 * The CR0/CR4 protections and the FPU before the first line: an
	 * emulator like QEMU's TCG translates code for one set of control
	 * bits, so each change after the first printk made it translate the
	 * log's code again (about 1 ms under QEMU TCG, near the noise).
	 */
	cpu_protect_init();
	print_banner();

	parse_boot_info(mb2_magic, mb2_info_pa);
	cmdline_parse(boot_info.cmdline);
	arch_console_init();
	report_boot();
	boot_phase_end(BOOT_PHASE_EARLY);

	boot_phase_begin(BOOT_PHASE_MEMORY);
	memory_init(&boot_info, mb2_info_pa);
	boot_phase_end(BOOT_PHASE_MEMORY);
	arch_console_init_late();
	boot_phase_begin(BOOT_PHASE_ACPI);
	acpi_boot_init();
	pic_disable();
	apic_init_boot_cpu();
	io_apic_init();
	smp_init_ipis();
	/* The APs' INIT wait overlaps the calibration below. */
	smp_send_init_early();
	boot_phase_end(BOOT_PHASE_ACPI);
	boot_phase_begin(BOOT_PHASE_CLOCKS);
	time_init();
	boot_phase_end(BOOT_PHASE_CLOCKS);
	timer_subsys_init();
	if (idle_vcpu_alloc(0))
		panic("no memory for the boot CPU's idle vCPU");
	idle_vcpu_init(0);
	scheduler_init();
	scheduler_cpu_init(0);
	domains_init();
	tasklet_subsys_init();
	trace_init();
	hvm_init();
	if (hvm_cpu_prepare(0))
		panic("no memory for the boot CPU's SVM host save area");
	hvm_cpu_init();
	local_irq_enable();
	boot_phase_begin(BOOT_PHASE_APS);
	smp_boot_cpus();
	boot_phase_end(BOOT_PHASE_APS);
	/* The TSC warp check, then the clocks' own timers (cheap). */
	boot_phase_begin(BOOT_PHASE_TSC_SYNC);
	time_init_late();
	boot_phase_end(BOOT_PHASE_TSC_SYNC);
	keyhandler_init();
	/* The boot ends here: what follows is the tests' or the domains'. */
	boot_timeline_report();
	if (hwreport_requested())
		hwreport_print();

	if (ktest_requested())
		ktest_run_selected();

	if (domains_build_from_modules(&boot_info))
		pr_info("Boot complete; running the domains\n");
	else
		pr_info("Boot complete; idling (no domains)\n");
	domains_start_built();
	idle_loop();
}
