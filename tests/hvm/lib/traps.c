/*
 * The IDT (SDM Vol. 3A 6.14.1: 64-bit interrupt gates), the dispatcher
 * every vector enters through, the fix-up table of expected faults and
 * the fatal report.
 */
#include "console.h"
#include "cpu.h"
#include "exit.h"
#include "traps.h"

struct idt_gate {
	u16 offset_low;
	u16 selector;
	u8 ist;
	u8 type_attr; /* P, DPL 0, type 0xe: 64-bit interrupt gate */
	u16 offset_mid;
	u32 offset_high;
	u32 reserved;
} __packed;
BUILD_BUG_ON(sizeof(struct idt_gate) != 16);

#define GATE_INTERRUPT 0x8e
#define STUB_SIZE      16 /* vectors.S */

struct fixup {
	u64 insn, resume;
};

extern const u8 vector_stubs[];
extern const struct fixup __fixup_start[], __fixup_end[];

static struct idt_gate idt[256] __aligned(16);
static irq_handler_t handlers[256];
volatile bool nmi_allowed;
volatile u32 nmi_count;

static const char *const exception_names[NR_EXCEPTIONS] = {
	[0] = "#DE divide error",
	[1] = "#DB debug",
	[2] = "NMI",
	[3] = "#BP breakpoint",
	[4] = "#OF overflow",
	[5] = "#BR bound range",
	[6] = "#UD invalid opcode",
	[7] = "#NM device not available",
	[8] = "#DF double fault",
	[10] = "#TS invalid TSS",
	[11] = "#NP segment not present",
	[12] = "#SS stack fault",
	[13] = "#GP general protection",
	[14] = "#PF page fault",
	[16] = "#MF x87 error",
	[17] = "#AC alignment check",
	[18] = "#MC machine check",
	[19] = "#XM SIMD error",
	[20] = "#VE virtualization",
	[21] = "#CP control protection",
	[29] = "#VC VMM communication",
	[30] = "#SX security",
};

const char *vector_name(unsigned int vector)
{
	if (vector < NR_EXCEPTIONS && exception_names[vector])
		return exception_names[vector];
	return vector < NR_EXCEPTIONS ? "reserved exception" : "interrupt";
}

void traps_init_cpu(void)
{
	struct {
		u16 limit;
		u64 base;
	} __packed pointer = {sizeof(idt) - 1, (u64)idt};
	unsigned int v;

	if (this_slot() == 0) {
		for (v = 0; v < 256; v++) {
			u64 stub = (u64)vector_stubs + v * STUB_SIZE;

			idt[v] = (struct idt_gate){
				.offset_low = (u16)stub,
				.selector = GDT_CODE64,
				.type_attr = GATE_INTERRUPT,
				.offset_mid = (u16)(stub >> 16),
				.offset_high = (u32)(stub >> 32),
			};
		}
	}
	__asm__ __volatile__("lidt %0" ::"m"(pointer));
}

void set_irq_handler(u8 vector, irq_handler_t h)
{
	WRITE_ONCE(handlers[vector], h);
}

void fault_arm(void)
{
	this_cpu()->fault_vector = -1;
}

int fault_taken(u64 *error_code)
{
	struct cpu *c = this_cpu();

	if (error_code)
		*error_code = c->fault_error;
	return c->fault_vector;
}

int rdmsr_safe(u32 msr, u64 *value)
{
	u32 lo = 0, hi = 0;

	fault_arm();
	__asm__ __volatile__(FIXUP_INSN("rdmsr")
			     : "+a"(lo), "+d"(hi)
			     : "c"(msr)
			     : "memory");
	*value = ((u64)hi << 32) | lo;
	return fault_taken(NULL);
}

int wrmsr_safe(u32 msr, u64 value)
{
	fault_arm();
	__asm__ __volatile__(FIXUP_INSN("wrmsr")::"c"(msr), "a"((u32)value),
			     "d"((u32)(value >> 32))
			     : "memory");
	return fault_taken(NULL);
}

static const struct fixup *find_fixup(u64 rip)
{
	const struct fixup *f;

	for (f = __fixup_start; f < __fixup_end; f++)
		if (f->insn == rip)
			return f;
	return NULL;
}

static __noreturn void unexpected(const struct trap_frame *f)
{
	char line[256];

	snprintf(line, sizeof(line),
		 "\nFAIL: unexpected %s (vector %lu) on CPU %u (APIC ID %u): "
		 "error code %#lx, RIP %#lx, CR2 %#lx, RSP %#lx, RFLAGS %#lx\n",
		 vector_name((unsigned int)f->vector), (unsigned long)f->vector,
		 this_slot(), this_cpu()->apic_id, (unsigned long)f->error_code,
		 (unsigned long)f->rip, (unsigned long)read_cr2(),
		 (unsigned long)f->rsp, (unsigned long)f->rflags);
	console_emergency(line);
	machine_exit(false);
}

void trap_dispatch(struct trap_frame *f);
void trap_dispatch(struct trap_frame *f)
{
	irq_handler_t h;

	if (f->vector == VEC_NMI && nmi_allowed) {
		atomic_inc_return(&nmi_count);
		return;
	}
	h = READ_ONCE(handlers[f->vector]);
	if (f->vector < NR_EXCEPTIONS) {
		const struct fixup *fix = find_fixup(f->rip);

		if (!fix && h) {
			h(f);
			return;
		}
		if (!fix)
			unexpected(f);
		this_cpu()->fault_vector = (int)f->vector;
		this_cpu()->fault_error = f->error_code;
		f->rip = fix->resume;
		return;
	}
	if (!h)
		unexpected(f);
	h(f);
}

void fatal(const char *fmt, ...)
{
	char line[256];
	va_list args;
	int n;

	n = snprintf(line, sizeof(line), "\nFAIL: CPU %u: ", this_slot());
	va_start(args, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, args);
	va_end(args);
	strlcpy(line + strlen(line), "\n", 2);
	console_emergency(line);
	machine_exit(false);
}
