/*
 * Exceptions and interrupts: dispatch, fatal-fault reports with registers
 * and a symbolic backtrace, spurious interrupts.
 */
#include <asm/apic.h>
#include <asm/boot.h>
#include <asm/cpu_protect.h>
#include <asm/desc.h>
#include <asm/extable.h>
#include <asm/lapic_timer.h>
#include <asm/mm.h>
#include <asm/pic.h>
#include <asm/platform_timer.h>
#include <asm/processor.h>
#include <asm/traps.h>
#include <console.h>
#include <domain.h>
#include <hypercall.h>
#include <irq.h>
#include <keyhandler.h>
#include <panic.h>
#include <percpu.h>
#include <printk.h>
#include <softirq.h>
#include <trace.h>
#include <shutdown.h>
#include <smp.h>
#include <string.h>
#include <symbols.h>

#define BACKTRACE_MAX_FRAMES 32

static const char *const exception_names[NR_EXCEPTIONS] = {
	[0] = "#DE divide error",
	[1] = "#DB debug",
	[2] = "NMI",
	[3] = "#BP breakpoint",
	[4] = "#OF overflow",
	[5] = "#BR bound range exceeded",
	[6] = "#UD invalid opcode",
	[7] = "#NM device not available",
	[8] = "#DF double fault",
	[9] = "coprocessor segment overrun",
	[10] = "#TS invalid TSS",
	[11] = "#NP segment not present",
	[12] = "#SS stack-segment fault",
	[13] = "#GP general protection",
	[14] = "#PF page fault",
	[16] = "#MF x87 floating-point error",
	[17] = "#AC alignment check",
	[18] = "#MC machine check",
	[19] = "#XM SIMD floating-point",
	[20] = "#VE virtualization exception",
	[21] = "#CP control protection",
	[28] = "#HV hypervisor injection",
	[29] = "#VC VMM communication",
	[30] = "#SX security exception",
};

/* The boot CPU's exception stacks, each with an unmapped guard page below. */
struct guarded_stack {
	u8 guard[4096];
	u8 stack[STACK_SIZE];
} __aligned(4096);
static struct guarded_stack
	bsp_ist_stacks[NR_IST] __section(".bss.stack_aligned");
extern u8 bsp_stack_guard[], bsp_stack[];

/* Names of the vectors we assign (the map is in asm/desc.h), for dumps. */
static const struct {
	u8 vector;
	const char *name;
} vector_names[] = {
	{PLATFORM_TIMER_VECTOR, "platform timer"},
	{COM1_VECTOR, "COM1 receive"},
	{LOCAL_TIMER_VECTOR, "LAPIC timer"},
	{CALL_FUNCTION_VECTOR, "call function IPI"},
	{EVENT_CHECK_VECTOR, "event check IPI"},
	{APIC_ERROR_VECTOR, "LAPIC error"},
	{SPURIOUS_VECTOR, "LAPIC spurious"},
};

static unsigned long irq_counts[256];
static irq_handler_t irq_handlers[256];
static DEFINE_PER_CPU(unsigned int, nmi_depth);

unsigned long irq_count(unsigned int vector)
{
	return vector < 256 ? READ_ONCE(irq_counts[vector]) : 0;
}

bool stack_bounds(unsigned long addr, unsigned long *lo, unsigned long *hi)
{
	unsigned int i;

	if (guarded_stack_bounds(addr, lo, hi))
		return true;
	if (addr >= (unsigned long)bsp_stack &&
	    addr < (unsigned long)bsp_stack + STACK_SIZE) {
		*lo = (unsigned long)bsp_stack;
		*hi = *lo + STACK_SIZE;
		return true;
	}
	for (i = 0; i < NR_IST; i++) {
		unsigned long base = (unsigned long)bsp_ist_stacks[i].stack;

		if (addr >= base && addr < base + STACK_SIZE) {
			*lo = base;
			*hi = base + STACK_SIZE;
			return true;
		}
	}
	return false;
}

/* Guard pages to unmap once the final page tables exist (arch/x86/mm.c). */
void *const boot_guard_pages[] = {
	bsp_stack_guard,
	bsp_ist_stacks[0].guard,
	bsp_ist_stacks[1].guard,
	bsp_ist_stacks[2].guard,
};
const unsigned int nr_boot_guard_pages = ARRAY_SIZE(boot_guard_pages);

void __init trap_init(void)
{
	struct cpu_stacks stacks;
	unsigned int i;

	for (i = 0; i < NR_IST; i++)
		stacks.ist_top[i] = bsp_ist_stacks[i].stack + STACK_SIZE;
	stacks.stack_top = bsp_stack + STACK_SIZE;
	idt_init();
	load_cpu_descriptors(&stacks);
}

static void print_symbol_line(unsigned long addr)
{
	unsigned long off, size;
	const char *name = symbols_lookup(addr, &off, &size);

	if (name)
		pr_emerg("  [<%016lx>] %s+0x%lx/0x%lx\n", addr, name, off,
			 size);
	else
		pr_emerg("  [<%016lx>] ?\n", addr);
}

/* Prints the return addresses of the frame records chained from rbp. */
static void walk_frame_chain(unsigned long rbp)
{
	unsigned long lo, hi;
	unsigned int depth;

	if (!stack_bounds(rbp, &lo, &hi))
		return;
	for (depth = 0; depth < BACKTRACE_MAX_FRAMES; depth++) {
		const unsigned long *frame = (const unsigned long *)rbp;
		unsigned long next;

		/* Each record must lie on the same stack, above the last one. */
		if (rbp & 7 || rbp < lo || rbp + 16 > hi)
			return;
		if (frame[1] == 0)
			return;
		print_symbol_line(frame[1]);
		next = frame[0];
		if (next <= rbp)
			return;
		rbp = next;
	}
	pr_emerg("  ... (more frames)\n");
}

void show_backtrace(unsigned long rip, unsigned long rbp)
{
	pr_emerg("Backtrace:\n");
	print_symbol_line(rip);
	walk_frame_chain(rbp);
}

/*
 * The backtrace of a trapped context. A fault on a function's first
 * instruction, or at an address outside the code (a call through a bad
 * pointer), comes before the callee pushed its frame: its caller's return
 * address is then the word at the stack pointer.
 */
static void show_trap_backtrace(const struct cpu_user_regs *regs)
{
	unsigned long off, size, lo, hi;
	const char *name = symbols_lookup(regs->rip, &off, &size);

	pr_emerg("Backtrace:\n");
	print_symbol_line(regs->rip);
	if ((!name || off == 0) && stack_bounds(regs->rsp, &lo, &hi) &&
	    IS_ALIGNED(regs->rsp, 8) && regs->rsp + 8 <= hi)
		print_symbol_line(*(const unsigned long *)regs->rsp);
	walk_frame_chain(regs->rbp);
}

void dump_backtrace(void)
{
	unsigned long here = ({
		__label__ l;
l:
		(unsigned long)&&l;
	});

	show_backtrace(here, (unsigned long)__builtin_frame_address(0));
}

/*
 * The calling CPU's registers as they are at the capture point, for
 * reports that have no trap frame (panic(), the d key's own CPU). The
 * general registers hold whatever the surrounding code left in them.
 */
#define CAPTURE(r, reg) \
	__asm__ __volatile__("mov %%" #reg ", %0" : "=m"((r)->reg))
static __always_inline void capture_registers(struct cpu_user_regs *r)
{
	CAPTURE(r, r15);
	CAPTURE(r, r14);
	CAPTURE(r, r13);
	CAPTURE(r, r12);
	CAPTURE(r, rbx);
	CAPTURE(r, r11);
	CAPTURE(r, r10);
	CAPTURE(r, r9);
	CAPTURE(r, r8);
	CAPTURE(r, rax);
	CAPTURE(r, rcx);
	CAPTURE(r, rdx);
	CAPTURE(r, rsi);
	CAPTURE(r, rdi);
	CAPTURE(r, rsp);
	__asm__ __volatile__("lea 0(%%rip), %0" : "=r"(r->rip));
	__asm__ __volatile__("mov %%cs, %0" : "=r"(r->cs));
	__asm__ __volatile__("mov %%ss, %0" : "=r"(r->ss));
	r->rbp = (unsigned long)__builtin_frame_address(0);
	r->rflags = local_save_flags();
	r->vector = 0;
	r->error_code = 0;
}
#undef CAPTURE

void show_registers(const struct cpu_user_regs *r)
{
	pr_emerg("CPU %u  RIP %04lx:[<%016lx>]  RFLAGS %016lx\n",
		 smp_processor_id(), r->cs, r->rip, r->rflags);
	pr_emerg("RAX %016lx  RBX %016lx  RCX %016lx\n", r->rax, r->rbx,
		 r->rcx);
	pr_emerg("RDX %016lx  RSI %016lx  RDI %016lx\n", r->rdx, r->rsi,
		 r->rdi);
	pr_emerg("RBP %016lx  RSP %016lx  R8  %016lx\n", r->rbp, r->rsp, r->r8);
	pr_emerg("R9  %016lx  R10 %016lx  R11 %016lx\n", r->r9, r->r10, r->r11);
	pr_emerg("R12 %016lx  R13 %016lx  R14 %016lx\n", r->r12, r->r13,
		 r->r14);
	pr_emerg("R15 %016lx  SS  %04lx\n", r->r15, r->ss);
	pr_emerg("CR0 %016lx  CR2 %016lx  CR3 %016lx  CR4 %016lx\n", read_cr0(),
		 read_cr2(), read_cr3(), read_cr4());
}

/* Decodes the page-fault error code (SDM Vol. 3A, 5.7, figure 5-12). */
static void show_page_fault(const struct cpu_user_regs *regs)
{
	unsigned long ec = regs->error_code;

	pr_emerg("Page fault at CR2=%016lx: %s, %s access from ring %s%s%s\n",
		 read_cr2(),
		 ec & 1 ? "protection violation" : "page not present",
		 ec & 16 ? "instruction fetch" : (ec & 2 ? "write" : "read"),
		 ec & 4 ? "3" : "0", ec & 8 ? ", reserved bit set" : "",
		 ec & 32 ? ", protection key" : "");
}

void show_execution_state(const struct cpu_user_regs *regs)
{
	show_registers(regs);
	show_trap_backtrace(regs);
}

void dump_execution_state(void)
{
	struct cpu_user_regs regs;

	capture_registers(&regs);
	show_registers(&regs);
	show_backtrace(regs.rip, regs.rbp);
}

static void __noreturn fatal_trap(const struct cpu_user_regs *regs)
{
	unsigned int vec = regs->vector;
	const char *name = exception_names[vec] ? exception_names[vec]
						: "reserved exception";

	if (!fatal_error_begin()) {
		/* Faulting while reporting a fault: say so plainly and stop. */
		char msg[160];
		int len = snprintf(msg, sizeof(msg),
				   "\nFATAL: vector %u at %016lx (CR2 %016lx) "
				   "inside the fault handler of CPU %u\n",
				   vec, regs->rip, read_cr2(),
				   smp_processor_id());

		console_write_raw(msg, min(len, (int)sizeof(msg) - 1));
		machine_exit(EXIT_FAIL);
	}
	console_force_emergency();
	pr_emerg("\n");
	pr_emerg("FATAL TRAP: vector %u, %s, error code %#lx\n", vec, name,
		 regs->error_code);
	if (vec == X86_EXC_PF)
		show_page_fault(regs);
	show_execution_state(regs);
	/* Out before the others are stopped, in case that goes wrong. */
	fatal_error_end();
}

bool in_nmi(void)
{
	return this_cpu(nmi_depth) != 0;
}

static void do_nmi(const struct cpu_user_regs *regs)
{
	this_cpu(nmi_depth)++;
	/* A stop does not return; a dump request returns true. */
	if (!smp_handle_nmi(regs))
		/* No other NMI sources are armed yet: report, carry on. */
		pr_warn("NMI received on CPU %u at %016lx (unexpected)\n",
			smp_processor_id(), regs->rip);
	this_cpu(nmi_depth)--;
}

/* What a vector is used for, for the dumps. */
static const char *vector_name(unsigned int vec)
{
	unsigned int i;

	if (vec < NR_EXCEPTIONS)
		return exception_names[vec] ? exception_names[vec]
					    : "reserved exception";
	if (vec >= PIC_VECTOR_BASE && vec < PIC_VECTOR_BASE + 16)
		return "legacy PIC";
	for (i = 0; i < ARRAY_SIZE(vector_names); i++)
		if (vector_names[i].vector == vec)
			return vector_names[i].name;
	return READ_ONCE(irq_handlers[vec]) ? "(a test suite's)"
					    : "(unassigned)";
}

void arch_dump_interrupts(void)
{
	unsigned int vec;

	printk("Interrupts and exceptions per vector, all CPUs (non-zero only):\n");
	for (vec = 0; vec < ARRAY_SIZE(irq_counts); vec++)
		if (irq_count(vec))
			printk("  %#04x %-20s %lu\n", vec, vector_name(vec),
			       irq_count(vec));
}

void set_irq_handler(u8 vector, irq_handler_t fn)
{
	ASSERT(vector >= NR_EXCEPTIONS && vector != SPURIOUS_VECTOR);
	ASSERT(!fn || !READ_ONCE(irq_handlers[vector]) ||
	       READ_ONCE(irq_handlers[vector]) == fn);
	WRITE_ONCE(irq_handlers[vector], fn);
}

static void do_irq(struct cpu_user_regs *regs)
{
	unsigned int vec = regs->vector;
	irq_handler_t fn = READ_ONCE(irq_handlers[vec]);

	if (vec == SPURIOUS_VECTOR)
		return; /* never acknowledged (SDM Vol. 3A, 11.9) */
	if (vec >= PIC_VECTOR_BASE && vec < PIC_VECTOR_BASE + 16) {
		unsigned int irq = vec - PIC_VECTOR_BASE;

		if (pic_irq_is_spurious(irq))
			return;
		pic_eoi(irq);
	}
	if (fn) {
		irq_enter();
		trace(TRACE_CLASS_IRQ, TRACE_IRQ_ENTRY, vec, 0, 0);
		fn(regs);
		trace(TRACE_CLASS_IRQ, TRACE_IRQ_EXIT, vec, 0, 0);
		irq_exit();
		return;
	}
	/* Unacknowledged, it would block its priority class for good. */
	apic_eoi_if_in_service(vec);
	if (irq_counts[vec] == 1)
		pr_warn("unexpected interrupt on vector %#x (nothing routed there)\n",
			vec);
}

/* True if the frame was taken from ring 3: a guest was running. */
static bool guest_mode(const struct cpu_user_regs *regs)
{
	return (regs->cs & 3) == 3;
}

/*
 * An exception in a guest is the guest's fault: its domain is crashed,
 * the hypervisor and the other domains go on. The way out to ring 3
 * then switches away from the stopped vCPU.
 */
static void guest_fault(struct cpu_user_regs *regs)
{
	char why[96];

	snprintf(why, sizeof(why), "%s at %#lx",
		 exception_names[regs->vector] ? exception_names[regs->vector]
					       : "exception",
		 regs->rip);
	if (regs->vector == X86_EXC_PF)
		snprintf(why + strlen(why), sizeof(why) - strlen(why),
			 ", address %#lx", read_cr2());
	local_irq_enable();
	domain_crash(current->domain, why, regs);
}

/* int $0x82 from ring 3: public/abi.h's calling convention. */
static void guest_hypercall(struct cpu_user_regs *regs)
{
	local_irq_enable();
	regs->rax = do_hypercall(regs->rax, regs->rdi, regs->rsi, regs->rdx,
				 regs->r10, regs->r8);
}

void do_trap(struct cpu_user_regs *regs)
{
	unsigned int vec = regs->vector;

	/*
	 * An interrupt during a guest copy (uaccess.S) arrives with RFLAGS.AC
	 * set, SMAP lifted; close it for the handler (IRETQ brings it back).
	 */
	if (cpu_has_smap())
		__asm__ __volatile__("clac" ::: "memory");

	irq_counts[vec & 0xff]++;
	if (vec == X86_EXC_NMI)
		do_nmi(regs);
	else if ((vec == X86_EXC_PF || vec == X86_EXC_GP) && !(regs->cs & 3) &&
		 fixup_exception(regs))
		return; /* a guest-memory access that faulted: asm/extable.h */
	else if (vec < NR_EXCEPTIONS && guest_mode(regs))
		guest_fault(regs);
	else if (vec < NR_EXCEPTIONS)
		fatal_trap(regs);
	else if (vec == HYPERCALL_VECTOR && guest_mode(regs))
		guest_hypercall(regs);
	else
		do_irq(regs);
}
