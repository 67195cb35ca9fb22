/*
 * The modes besides fuzz. Two have a verdict:
 *
 *   ipi_storm     self-IPIs as fast as the guest can send them for time=
 *                 (default 1 s), a handler EOIing each; passes if every
 *                 one sent was taken or merged into a pending one (never
 *                 more taken than sent) and the guest got through.
 *   noncanonical  a far return (LRETQ) and an IRETQ to a non-canonical
 *                 RIP: each must raise #GP in the guest, at the
 *                 instruction, and the guest goes on.
 *
 * The others end the domain on purpose; each first prints one line
 * saying what the hypervisor is expected to do, and "FAIL: survived
 * <mode>" if the guest ever runs past the point:
 *
 *   triple        an empty IDT, then #UD: the vCPU shuts down (triple
 *                 fault). Expected: the hypervisor ends the domain as
 *                 crashed (a triple fault), and nothing else.
 *   init_self     an INIT IPI to its own APIC ID. Expected: the vCPU is
 *                 reset as INIT resets a CPU and waits for a SIPI that
 *                 never comes (a Multiboot domain has no firmware to
 *                 return to); the hypervisor ends the domain, or keeps
 *                 the vCPU parked; it never resumes the old context.
 *   halt_forever  CLI; HLT with nothing armed. Expected: the vCPU blocks
 *                 for good without taking a CPU (no busy wait, no
 *                 timer); the domain stays until it is destroyed.
 */
#include "console.h"
#include "exit.h"
#include "hvmfuzz.h"
#include "lapic.h"
#include "time.h"
#include "traps.h"

#define VECTOR_STORM	 0x80
#define NONCANONICAL_RIP 0x0000800000000000ULL
#define SURVIVE_WAIT_NS	 (200 * NSEC_PER_MSEC)

volatile u32 stray_interrupts;

static void stray_interrupt(struct trap_frame *f)
{
	atomic_inc_return(&stray_interrupts);
	if (f->vector != VECTOR_SPURIOUS)
		lapic_eoi();
}

void catch_all_interrupts(void)
{
	unsigned int v;

	for (v = NR_EXCEPTIONS; v < 256; v++)
		set_irq_handler((u8)v, stray_interrupt);
	nmi_allowed = true;
}

/* ---- ipi_storm ------------------------------------------------------------ */

static volatile u32 storm_taken;

static void storm_interrupt(struct trap_frame *f)
{
	storm_taken++;
	lapic_eoi();
}

bool run_ipi_storm(void)
{
	u64 start = rdtsc_ordered(), ticks = ns_to_tsc(fuzz_opts.storm_ns);
	u64 sent = 0, elapsed;
	bool msr = lapic_mode() == LAPIC_X2APIC;

	set_irq_handler(VECTOR_STORM, storm_interrupt);
	printf("# ipi_storm: self-IPIs of vector %#x for %lu ms through %s\n",
	       VECTOR_STORM,
	       (unsigned long)(fuzz_opts.storm_ns / NSEC_PER_MSEC),
	       msr ? "the x2APIC SELF IPI register" : "the xAPIC ICR");
	do {
		if (msr)
			wrmsr(MSR_X2APIC_BASE + APIC_SELF_IPI / 16,
			      VECTOR_STORM);
		else
			lapic_self_ipi(VECTOR_STORM);
		sent++;
	} while (rdtsc_ordered() - start < ticks);
	elapsed = rdtsc_ordered() - start;
	delay_ns(NSEC_PER_MSEC); /* the last one lands */
	set_irq_handler(VECTOR_STORM, NULL);
	printf("# ipi_storm: %lu sent, %u taken in %lu ms (%lu per second)\n",
	       (unsigned long)sent, storm_taken,
	       (unsigned long)(tsc_to_ns(elapsed) / NSEC_PER_MSEC),
	       (unsigned long)muldiv64(storm_taken, clocks.tsc_hz, elapsed));
	return storm_taken >= 1 && storm_taken <= sent;
}

/* ---- noncanonical ----------------------------------------------------------- */

/*
 * far_return_to() and iret_to() (noncanonical.S) end in #GP, resuming at
 * noncanonical_resume: through their fix-ups when the fault is at the
 * instruction (hardware), through gp_at_target() when it is at the
 * target (an emulator that took the transfer first).
 */
void far_return_to(u64 target);
void iret_to(u64 target);
extern const u8 noncanonical_resume[];

static volatile u32 faults_at_target;

static void gp_at_target(struct trap_frame *f)
{
	if (f->rip != NONCANONICAL_RIP) {
		printf("\nFAIL: unexpected #GP at RIP %#lx\n",
		       (unsigned long)f->rip);
		machine_exit(false);
	}
	faults_at_target++;
	this_cpu()->fault_vector = VEC_GP;
	this_cpu()->fault_error = f->error_code;
	f->rip = (u64)noncanonical_resume;
}

static int transfer(void (*fn)(u64), u64 target, bool *at_target)
{
	u32 before = faults_at_target;

	fault_arm();
	fn(target);
	*at_target = faults_at_target != before;
	return fault_taken(NULL);
}

bool run_noncanonical(void)
{
	bool lret_at, iret_at;
	int lret, iret;

	set_irq_handler(VEC_GP, gp_at_target);
	lret = transfer(far_return_to, NONCANONICAL_RIP, &lret_at);
	iret = transfer(iret_to, NONCANONICAL_RIP, &iret_at);
	set_irq_handler(VEC_GP, NULL);
	printf("# noncanonical: LRETQ to %#lx: %s%s; IRETQ: %s%s\n",
	       (unsigned long)NONCANONICAL_RIP,
	       lret < 0 ? "no fault" : vector_name((unsigned int)lret),
	       lret < 0	 ? ""
	       : lret_at ? " at the target"
			 : " at the instruction",
	       iret < 0 ? "no fault" : vector_name((unsigned int)iret),
	       iret < 0	 ? ""
	       : iret_at ? " at the target"
			 : " at the instruction");
	return lret == VEC_GP && iret == VEC_GP;
}

/* ---- The modes that end the domain ------------------------------------------ */

static __noreturn void survived(const char *mode)
{
	delay_ns(SURVIVE_WAIT_NS);
	printf("FAIL: survived %s\n", mode);
	machine_exit(false);
}

void run_triple(void)
{
	static const struct {
		u16 limit;
		u64 base;
	} __packed empty = {0, 0};

	printf("hvmfuzz: mode=triple: empty IDT, then #UD; expected: the "
	       "domain crashes with a triple fault\n");
	console_flush();
	__asm__ __volatile__("lidt %0; ud2" ::"m"(empty));
	survived("triple");
}

void run_init_self(void)
{
	printf("hvmfuzz: mode=init_self: INIT IPI to APIC ID %u (itself); "
	       "expected: the vCPU never resumes here, the domain ends\n",
	       lapic_id());
	console_flush();
	lapic_send_ipi(lapic_id(), ICR_INIT | ICR_LEVEL_ASSERT);
	survived("init_self");
}

void run_halt_forever(void)
{
	printf("hvmfuzz: mode=halt_forever: CLI; HLT with nothing armed; "
	       "expected: the vCPU blocks for good, using no CPU\n");
	console_flush();
	nmi_allowed = true; /* an NMI ends a HLT: halt again */
	cli();
	for (;;)
		__asm__ __volatile__("hlt" ::: "memory");
}
