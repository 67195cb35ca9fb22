/*
 * mode=fuzz: count= privileged operations chosen by a seeded PRNG
 * (splitmix64, seed=), each of a kind ops= allows:
 *
 *   msr    RDMSR of a random MSR (biased to the ranges that exist), and
 *          WRMSR of a random value; #GP is expected and recovered from
 *   io     IN or OUT of 1, 2 or 4 bytes at a random port
 *   cpuid  CPUID of a random leaf and subleaf
 *   mmio   a read or write of 1-8 bytes above the guest's RAM, or in the
 *          LAPIC page
 *
 * The guest keeps itself alive, and nothing else: it never writes what
 * it runs on (EFER, IA32_APIC_BASE, DEBUGCTL, MTRRs, PAT and the other
 * MSRs in preserve_msrs[] get back the value just read; the TSC and the
 * x2APIC MSRs are never written), never
 * sends an IPI through a random ICR write, keeps every LVT and I/O APIC
 * redirection entry it writes masked, never touches its RAM, and spares
 * the ports of the debug-exit device, of its console and the ACPI
 * power-off and reset registers the FADT names. bare=1 also spares what
 * ends or corrupts a bare QEMU PC (the legacy reset ports, PCI
 * configuration, fw_cfg DMA, device MMIO that can DMA): the list is
 * printed. Interrupts and NMIs the fuzzing causes are counted.
 *
 * It fails on an exception an operation cannot raise on hardware (any
 * but #GP from RDMSR or WRMSR, any from IN, OUT or CPUID), and if its own
 * state changed under it: checked every STATE_CHECK_EVERY operations
 * (CPUID leaf 0, CR0, CR4, EFER, the APIC ID, the TSC going forward).
 */
#include "acpi.h"
#include "bootinfo.h"
#include "console.h"
#include "hvmfuzz.h"
#include "lapic.h"
#include "time.h"
#include "traps.h"

#define STATE_CHECK_EVERY   4096
#define PROGRESS_LINES	    10
#define FOUR_GIB	    (1ULL << 32)
#define IOAPIC_IOREGSEL	    0x00
#define IOAPIC_IOWIN	    0x10
#define IOAPIC_REDIR_LOW(i) ((i) >= 0x10 && (i) <= 0x3f && !((i)&1))
#define LVT_MASK_BIT	    (1U << 16)

struct range {
	u64 first, last; /* inclusive */
};

/* ---- The PRNG (splitmix64) ----------------------------------------------- */

static u64 rng_state;

static u64 rnd(void)
{
	u64 z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static u64 rnd_below(u64 n)
{
	return n ? rnd() % n : 0;
}

static u64 rnd_in(const struct range *r)
{
	return r->first + rnd_below(r->last - r->first + 1);
}

/* A value with the shapes that find bugs: 0, all ones, one bit, small. */
static u64 rnd_value(u64 near)
{
	switch (rnd_below(8)) {
	case 0:
		return 0;
	case 1:
		return ~0ULL;
	case 2:
		return 1ULL << rnd_below(64);
	case 3:
		return near ^ (1ULL << rnd_below(64));
	case 4:
		return rnd_below(256);
	case 5:
		return (u32)rnd();
	default:
		return rnd();
	}
}

/* ---- Counts ---------------------------------------------------------------- */

struct counts {
	u64 rdmsr, rdmsr_gp, wrmsr, wrmsr_gp, wrmsr_preserved;
	u64 in, out, io_skipped;
	u64 cpuid;
	u64 mmio_read, mmio_write, mmio_fault, mmio_skipped;
	u64 wrong_fault; /* a fault the operation cannot raise */
	int wrong_vector;
	u64 wrong_rip_op; /* which operation number */
};

static struct counts n;
static u64 trace_from =
	~0ULL; /* trace_from=: print each operation from it on */

#define TRACE(op, ...)                                             \
	do {                                                       \
		if ((op) >= trace_from) {                          \
			printf("# op %lu: ", (unsigned long)(op)); \
			printf(__VA_ARGS__);                       \
			console_flush();                           \
		}                                                  \
	} while (0)

static void wrong_fault(u64 op, int vector)
{
	if (!n.wrong_fault++) {
		n.wrong_vector = vector;
		n.wrong_rip_op = op;
	}
}

/* ---- MSRs ------------------------------------------------------------------- */

/* Where MSRs are: the ranges random numbers are drawn from, mostly. */
static const struct range msr_ranges[] = {
	{0x0, 0x1fff},		  /* architectural and model-specific */
	{0x800, 0x8ff},		  /* x2APIC */
	{0x40000000, 0x400001ff}, /* hypervisor-defined */
	{0xc0000000, 0xc0000fff}, /* AMD64 architectural */
	{0xc0010000, 0xc0011fff}, /* AMD model-specific */
	{0x4b564d00, 0x4b564dff}, /* a KVM host's paravirtual ones */
};

/* Never written: even the value just read would do harm. */
static const struct range never_write_msrs[] = {
	{0x10, 0x10},	/* TSC: a write of the value read steps it back */
	{0x800, 0x8ff}, /* x2APIC: the ICR's old value is an IPI */
};

/* Writes here only put back what was just read (see the top). */
static const struct range preserve_msrs[] = {
	{0x1b, 0x1b},		  /* APIC base */
	{0x3a, 0x3b},		  /* feature control, TSC adjust */
	{0x1a0, 0x1a0},		  /* misc enable */
	{0x1d9, 0x1d9},		  /* DEBUGCTL: BTF would single-step us */
	{0x200, 0x2ff},		  /* MTRRs, PAT */
	{0x40000000, 0x400001ff}, /* hypervisor MSRs may name guest memory */
	{0x4b564d00, 0x4b564dff},
	{0xc0000080, 0xc0000080}, /* EFER */
	{0xc0010010, 0xc0010010}, /* SYSCFG */
	{0xc0010015, 0xc0010015}, /* HWCR */
	{0xc0010114, 0xc0010117}, /* VM_CR, IGNNE, SMM_CTL, VM_HSAVE_PA */
	{0xc0011000, 0xc0011fff}, /* AMD configuration */
};

static bool in_ranges(u64 v, const struct range *r, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (v >= r[i].first && v <= r[i].last)
			return true;
	return false;
}

static void op_msr(u64 op)
{
	u32 msr = rnd_below(10) == 0 ? (u32)rnd()
				     : (u32)rnd_in(&msr_ranges[rnd_below(
					       ARRAY_SIZE(msr_ranges))]);
	u64 value = 0;
	int vec;

	TRACE(op, "rdmsr %#x\n", msr);
	vec = rdmsr_safe(msr, &value);
	n.rdmsr++;
	if (vec == VEC_GP)
		n.rdmsr_gp++;
	else if (vec >= 0)
		wrong_fault(op, vec);
	if (rnd_below(2) ||
	    in_ranges(msr, never_write_msrs, ARRAY_SIZE(never_write_msrs)))
		return;
	if (in_ranges(msr, preserve_msrs, ARRAY_SIZE(preserve_msrs))) {
		if (vec >= 0)
			return;
		n.wrmsr_preserved++;
	} else {
		value = rnd_value(value);
	}
	TRACE(op, "wrmsr %#x %#lx\n", msr, (unsigned long)value);
	vec = wrmsr_safe(msr, value);
	n.wrmsr++;
	if (vec == VEC_GP)
		n.wrmsr_gp++;
	else if (vec >= 0)
		wrong_fault(op, vec);
}

/* ---- Ports ----------------------------------------------------------------- */

#define MAX_SKIPS 24

struct port_skip {
	u16 first, last;
	bool writes_only;
	const char *why;
};

static struct port_skip port_skips[MAX_SKIPS];
static unsigned int nr_port_skips;

static void skip_ports(u16 first, u16 last, bool writes_only, const char *why)
{
	if (nr_port_skips < MAX_SKIPS && last >= first)
		port_skips[nr_port_skips++] =
			(struct port_skip){first, last, writes_only, why};
}

static bool port_skipped(u16 port, unsigned int size, bool write)
{
	unsigned int i;

	for (i = 0; i < nr_port_skips; i++) {
		const struct port_skip *s = &port_skips[i];

		if ((!s->writes_only || write) && port + size - 1 >= s->first &&
		    port <= s->last)
			return true;
	}
	return false;
}

static const struct range port_ranges[] = {
	{0x0, 0xff},	/* DMA, PIC, PIT, keyboard, CMOS, POST */
	{0x100, 0x3ff}, /* ISA devices */
	{0x400, 0xfff}, /* ACPI, PCI I/O */
	{0x0, 0xffff},
};

static void op_io(u64 op)
{
	u16 port =
		(u16)rnd_in(&port_ranges[rnd_below(ARRAY_SIZE(port_ranges))]);
	unsigned int size = 1U << rnd_below(3);
	bool write = rnd_below(2);
	u32 v = (u32)rnd_value(0);

	if (port > 0x10000 - size || port_skipped(port, size, write)) {
		n.io_skipped++;
		return;
	}
	TRACE(op, "%s%u %#x%s%#x\n", write ? "out" : "in", size * 8, port,
	      write ? " " : "", write ? v : 0);
	fault_arm();
	if (write) {
		if (size == 1)
			__asm__ __volatile__(
				FIXUP_INSN("outb %b0, %w1")::"a"(v), "d"(port)
				: "memory");
		else if (size == 2)
			__asm__ __volatile__(
				FIXUP_INSN("outw %w0, %w1")::"a"(v), "d"(port)
				: "memory");
		else
			__asm__ __volatile__(FIXUP_INSN("outl %0, %w1")::"a"(v),
					     "d"(port)
					     : "memory");
		n.out++;
	} else {
		if (size == 1)
			__asm__ __volatile__(FIXUP_INSN("inb %w1, %b0")
					     : "+a"(v)
					     : "d"(port)
					     : "memory");
		else if (size == 2)
			__asm__ __volatile__(FIXUP_INSN("inw %w1, %w0")
					     : "+a"(v)
					     : "d"(port)
					     : "memory");
		else
			__asm__ __volatile__(FIXUP_INSN("inl %w1, %0")
					     : "+a"(v)
					     : "d"(port)
					     : "memory");
		n.in++;
	}
	if (fault_taken(NULL) >= 0)
		wrong_fault(op, fault_taken(NULL));
}

/* ---- CPUID ------------------------------------------------------------------ */

static void op_cpuid(u64 op)
{
	u32 max = cpuid(0).eax, ext = cpuid(0x80000000).eax, leaf, sub;
	struct cpuid_regs r;

	switch (rnd_below(4)) {
	case 0:
	case 1:
		leaf = (u32)rnd_below(max + 3);
		break;
	case 2:
		leaf = 0x80000000 + (u32)rnd_below((ext & 0xff) + 3);
		break;
	default:
		leaf = rnd_below(2) ? 0x40000000 + (u32)rnd_below(0x100)
				    : (u32)rnd();
	}
	sub = rnd_below(5) ? (u32)rnd_below(64) : (u32)rnd();
	TRACE(op, "cpuid %#x %#x\n", leaf, sub);
	fault_arm();
	__asm__ __volatile__(FIXUP_INSN("cpuid")
			     : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx),
			       "=d"(r.edx)
			     : "a"(leaf), "c"(sub)
			     : "memory");
	n.cpuid++;
	if (fault_taken(NULL) >= 0)
		wrong_fault(op, fault_taken(NULL));
}

/* ---- MMIO ------------------------------------------------------------------- */

static u64 ram_top;		 /* nothing at or below is touched */
static struct range mmio_writes; /* where writes may go (bare=1 narrows it) */
static u32 ioapic_select;	 /* the last IOREGSEL the fuzzer wrote */

static u64 mmio_access(u64 addr, unsigned int size, bool write, u64 v)
{
	fault_arm();
	switch (size | (write ? 0x10 : 0)) {
	case 1:
		__asm__ __volatile__(FIXUP_INSN("movb (%1), %b0")
				     : "+a"(v)
				     : "r"(addr)
				     : "memory");
		break;
	case 2:
		__asm__ __volatile__(FIXUP_INSN("movw (%1), %w0")
				     : "+a"(v)
				     : "r"(addr)
				     : "memory");
		break;
	case 4:
		__asm__ __volatile__(FIXUP_INSN("movl (%1), %k0")
				     : "+a"(v)
				     : "r"(addr)
				     : "memory");
		break;
	case 8:
		__asm__ __volatile__(FIXUP_INSN("movq (%1), %0")
				     : "+a"(v)
				     : "r"(addr)
				     : "memory");
		break;
	case 0x11:
		__asm__ __volatile__(FIXUP_INSN("movb %b0, (%1)")::"a"(v),
				     "r"(addr)
				     : "memory");
		break;
	case 0x12:
		__asm__ __volatile__(FIXUP_INSN("movw %w0, (%1)")::"a"(v),
				     "r"(addr)
				     : "memory");
		break;
	case 0x14:
		__asm__ __volatile__(FIXUP_INSN("movl %k0, (%1)")::"a"(v),
				     "r"(addr)
				     : "memory");
		break;
	default:
		__asm__ __volatile__(FIXUP_INSN("movq %0, (%1)")::"a"(v),
				     "r"(addr)
				     : "memory");
	}
	if (fault_taken(NULL) >= 0)
		n.mmio_fault++;
	return v;
}

/*
 * A LAPIC register write that keeps us alive; false if it must not be
 * made: the ICR (an IPI to anywhere, INIT included), the ID (our own
 * identity) and offset 0, which QEMU (hw/intc/apic.c) takes as an MSI
 * whose data is the value written. LVTs stay masked; the spurious
 * vector stays out of the exception vectors.
 */
static bool lapic_write_allowed(unsigned int reg, u32 *v)
{
	if (reg == 0 || reg == APIC_ICR_LOW || reg == APIC_ID)
		return false;
	if (reg == APIC_LVT_CMCI ||
	    (reg >= APIC_LVT_TIMER && reg <= APIC_LVT_ERROR))
		*v |= LVT_MASK_BIT;
	if (reg == APIC_SVR && (*v & 0xff) < NR_EXCEPTIONS)
		*v |= 0xf0;
	return true;
}

/* The MSI window around the LAPIC page: a write there is an interrupt. */
#define MSI_WINDOW_START 0xfee00000ULL
#define MSI_WINDOW_END	 0xfef00000ULL
#define HPET_PAGE_SIZE	 0x1000

static void op_mmio(u64 op)
{
	bool write = rnd_below(2), lapic = rnd_below(3) == 0;
	unsigned int size = 1U << rnd_below(4);
	u64 addr, v = rnd_value(0);

	if (lapic) {
		/* Registers are 32-bit at 16-byte offsets: keep writes so. */
		unsigned int reg = (unsigned int)rnd_below(0x400);

		if (write) {
			u32 w = (u32)v;

			/* In x2APIC mode the page is the MSI window's. */
			if (lapic_mode() == LAPIC_X2APIC) {
				n.mmio_skipped++;
				return;
			}
			reg &= ~0xfU;
			size = 4;
			if (!lapic_write_allowed(reg, &w)) {
				n.mmio_skipped++;
				return;
			}
			v = w;
		}
		addr = lapic_mmio_base + reg;
		if (addr + size > lapic_mmio_base + 0x1000)
			addr = lapic_mmio_base + 0x1000 - size;
	} else {
		const struct range *r =
			write ? &mmio_writes
			      : &(struct range){ram_top, FOUR_GIB - 8};

		if (r->last < r->first) {
			n.mmio_skipped++;
			return;
		}
		addr = rnd_in(r);
		if ((addr >= lapic_mmio_base &&
		     addr < lapic_mmio_base + 0x1000) ||
		    (write && addr + size > MSI_WINDOW_START &&
		     addr < MSI_WINDOW_END) ||
		    (write && acpi.hpet_address &&
		     addr + size > acpi.hpet_address &&
		     addr < acpi.hpet_address + HPET_PAGE_SIZE)) {
			n.mmio_skipped++;
			return;
		}
		if (write && acpi.ioapic_address &&
		    (addr & ~0xfffULL) == acpi.ioapic_address) {
			/* Redirection entries stay masked (IOAPIC data sheet). */
			addr = acpi.ioapic_address +
			       (rnd_below(2) ? IOAPIC_IOWIN : IOAPIC_IOREGSEL);
			size = 4;
			if (addr == acpi.ioapic_address + IOAPIC_IOREGSEL)
				ioapic_select = (u32)v & 0xff;
			else if (IOAPIC_REDIR_LOW(ioapic_select))
				v |= LVT_MASK_BIT;
		}
	}
	if (write)
		n.mmio_write++;
	else
		n.mmio_read++;
	TRACE(op, "%s%u %#lx %#lx\n", write ? "mmio write" : "mmio read",
	      size * 8, (unsigned long)addr, write ? (unsigned long)v : 0UL);
	mmio_access(addr, size, write, v);
}

/* ---- Setting up, state checks, the run ------------------------------------- */

struct cpu_state {
	struct cpuid_regs leaf0;
	u64 cr0, cr4, efer;
	u32 apic_id;
};

static struct cpu_state read_state(void)
{
	struct cpu_state s = {.leaf0 = cpuid(0),
			      .efer = rdmsr(MSR_EFER),
			      .apic_id = lapic_id()};

	__asm__ __volatile__("mov %%cr0, %0; mov %%cr4, %1"
			     : "=r"(s.cr0), "=r"(s.cr4));
	return s;
}

static void plan_skips(void)
{
	skip_ports(DEBUG_EXIT_PORT, DEBUG_EXIT_PORT + 3, false,
		   "isa-debug-exit");
	skip_ports(COM1_BASE, COM1_BASE + 7, false, "COM1, the console");
	ram_top = bootinfo.ram_end ? bootinfo.ram_end : 0x100000;
	mmio_writes = (struct range){ram_top, FOUR_GIB - 8};
	/* Power-off and reset end any machine, a Kairos domain included. */
	if (acpi.pm1a_cnt)
		skip_ports(acpi.pm1a_cnt, acpi.pm1a_cnt + 1, true,
			   "ACPI PM1a control (sleep, power-off)");
	if (acpi.pm1b_cnt)
		skip_ports(acpi.pm1b_cnt, acpi.pm1b_cnt + 1, true,
			   "ACPI PM1b control");
	if (acpi.reset_port)
		skip_ports(acpi.reset_port, acpi.reset_port, true,
			   "ACPI reset register");
	if (!fuzz_opts.bare)
		return;
	skip_ports(0x64, 0x64, true, "keyboard controller (pulse reset)");
	skip_ports(0x92, 0x92, true, "port 92 (fast reset)");
	skip_ports(0xcf8, 0xcff, true, "PCI configuration (and 0xcf9 reset)");
	skip_ports(0x70, 0x71, true, "CMOS writes");
	skip_ports(0x40, 0x43, true,
		   "PIT (a tiny count livelocks QEMU's main loop)");
	skip_ports(0x510, 0x51b, true, "fw_cfg (its DMA writes RAM)");
	if (acpi.smi_cmd)
		skip_ports(acpi.smi_cmd, acpi.smi_cmd, true,
			   "ACPI SMI command (SMM firmware)");
	/* MMIO writes only where nothing decodes: below ECAM and PCI BARs. */
	mmio_writes.last =
		(acpi.ecam_base && acpi.ecam_base > ram_top ? acpi.ecam_base
							    : 0xb0000000ULL) -
		8;
}

static void print_skips(void)
{
	unsigned int i;

	printf("# fuzz: ports spared (%s):",
	       fuzz_opts.bare ? "bare=1" : "bare=0");
	for (i = 0; i < nr_port_skips; i++)
		printf(" %#x-%#x%s", port_skips[i].first, port_skips[i].last,
		       port_skips[i].writes_only ? " (writes)" : "");
	printf("\n");
	for (i = 0; i < nr_port_skips; i++)
		printf("#   %#x-%#x: %s\n", port_skips[i].first,
		       port_skips[i].last, port_skips[i].why);
	printf("# fuzz: MMIO reads %#lx-%#lx, writes %#lx-%#lx but not "
	       "0xfee00000-0xfeefffff (MSIs) nor the HPET's page; LAPIC page "
	       "at %#lx (in xAPIC mode, never offset 0, ICR, ID; LVTs masked); I/O APIC "
	       "redirections masked\n",
	       (unsigned long)ram_top, (unsigned long)(FOUR_GIB - 1),
	       (unsigned long)mmio_writes.first,
	       (unsigned long)(mmio_writes.last + 7),
	       (unsigned long)lapic_mmio_base);
}

bool run_fuzz(void)
{
	static void (*const kinds[])(u64) = {op_msr, op_io, op_cpuid, op_mmio};
	u64 op, start, last_tsc, every = fuzz_opts.count / PROGRESS_LINES;
	struct cpu_state before;
	unsigned int enabled[4], nr_enabled = 0, i;
	u64 state_errors = 0;
	const char *state_what = "";

	rng_state = fuzz_opts.seed;
	trace_from = fuzz_opts.trace_from;
	for (i = 0; i < 4; i++)
		if (fuzz_opts.ops & (1U << i))
			enabled[nr_enabled++] = i;
	plan_skips();
	printf("# fuzz: seed=%lu count=%lu ops=%s%s%s%s\n",
	       (unsigned long)fuzz_opts.seed, (unsigned long)fuzz_opts.count,
	       fuzz_opts.ops & OP_MSR ? "msr," : "",
	       fuzz_opts.ops & OP_IO ? "io," : "",
	       fuzz_opts.ops & OP_CPUID ? "cpuid," : "",
	       fuzz_opts.ops & OP_MMIO ? "mmio" : "");
	print_skips();
	catch_all_interrupts();
	before = read_state();
	start = last_tsc = rdtsc_ordered();
	for (op = 1; op <= fuzz_opts.count; op++) {
		kinds[enabled[rnd_below(nr_enabled)]](op);
		if (op % STATE_CHECK_EVERY == 0 || op == fuzz_opts.count) {
			struct cpu_state now = read_state();
			u64 tsc = rdtsc_ordered();

			if (memcmp(&now.leaf0, &before.leaf0,
				   sizeof(now.leaf0)))
				state_errors++, state_what = "CPUID leaf 0";
			else if (now.cr0 != before.cr0 || now.cr4 != before.cr4)
				state_errors++, state_what = "CR0 or CR4";
			else if (now.efer != before.efer)
				state_errors++, state_what = "EFER";
			else if (now.apic_id != before.apic_id)
				state_errors++, state_what = "the APIC ID";
			else if (tsc < last_tsc)
				state_errors++,
					state_what = "the TSC (went back)";
			last_tsc = tsc;
		}
		if (every && op % every == 0)
			printf("# fuzz: %lu operations, %lu ms\n",
			       (unsigned long)op,
			       (unsigned long)(tsc_to_ns(rdtsc_ordered() -
							 start) /
					       NSEC_PER_MSEC));
	}
	cli();
	lapic_init(lapic_mode());
	sti();
	printf("# fuzz: %lu operations in %lu ms\n",
	       (unsigned long)fuzz_opts.count,
	       (unsigned long)(tsc_to_ns(rdtsc_ordered() - start) /
			       NSEC_PER_MSEC));
	printf("# fuzz: rdmsr %lu (%lu #GP), wrmsr %lu (%lu #GP, %lu put back); "
	       "in %lu, out %lu (%lu spared); cpuid %lu\n",
	       (unsigned long)n.rdmsr, (unsigned long)n.rdmsr_gp,
	       (unsigned long)n.wrmsr, (unsigned long)n.wrmsr_gp,
	       (unsigned long)n.wrmsr_preserved, (unsigned long)n.in,
	       (unsigned long)n.out, (unsigned long)n.io_skipped,
	       (unsigned long)n.cpuid);
	printf("# fuzz: MMIO reads %lu, writes %lu (%lu faulted, %lu spared); "
	       "%u interrupts, %u NMIs taken\n",
	       (unsigned long)n.mmio_read, (unsigned long)n.mmio_write,
	       (unsigned long)n.mmio_fault, (unsigned long)n.mmio_skipped,
	       stray_interrupts, nmi_count);
	if (n.wrong_fault)
		printf("# fuzz: %lu faults no hardware raises there, the first "
		       "%s at operation %lu\n",
		       (unsigned long)n.wrong_fault,
		       vector_name((unsigned int)n.wrong_vector),
		       (unsigned long)n.wrong_rip_op);
	if (state_errors)
		printf("# fuzz: %lu state checks failed, the last on %s\n",
		       (unsigned long)state_errors, state_what);
	return n.wrong_fault == 0 && state_errors == 0;
}
