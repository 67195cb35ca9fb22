/*
 * GDT, TSS and IDT (SDM Vol. 3A, chapters 3 and 7).
 */
#include <asm/boot.h>
#include <asm/desc.h>
#include <asm/processor.h>
#include <panic.h>
#include <percpu.h>
#include <string.h>

#define GDT_ENTRIES 8 /* null, CS, DS, user CS32, user DS, user CS, TSS x2 */

struct desc_ptr {
	u16 limit;
	u64 base;
} __packed;

struct idt_gate {
	u16 offset_low;
	u16 selector;
	u8 ist;
	u8 type_attr; /* P, DPL, type */
	u16 offset_mid;
	u32 offset_high;
	u32 reserved;
} __packed;
BUILD_BUG_ON(sizeof(struct idt_gate) != 16);

#define GATE_INTERRUPT 0x8e /* present, DPL 0, 64-bit interrupt gate */
#define GATE_DPL3      0x60 /* `int n` allowed from ring 3 */

static DEFINE_PER_CPU(u64, gdt[GDT_ENTRIES]) __aligned(16);
static DEFINE_PER_CPU(struct tss64, tss) __aligned(64);
DEFINE_PER_CPU(unsigned long, stack_top);
static struct idt_gate idt[256] __aligned(4096);

/* Entry stubs (arch/x86/entry.S), one per vector, 16 bytes apart. */
extern const char exception_entry[NR_EXCEPTIONS][16];
extern const char irq_entry[256 - NR_EXCEPTIONS][16];

static void set_gate(unsigned int vector, const void *handler, unsigned int ist,
		     u8 type)
{
	unsigned long addr = (unsigned long)handler;

	idt[vector] = (struct idt_gate){
		.offset_low = addr & 0xffff,
		.selector = __HYPERVISOR_CS,
		.ist = ist,
		.type_attr = type,
		.offset_mid = (addr >> 16) & 0xffff,
		.offset_high = addr >> 32,
	};
}

void __init idt_init(void)
{
	unsigned int v;

	for (v = 0; v < NR_EXCEPTIONS; v++)
		set_gate(v, exception_entry[v], 0, GATE_INTERRUPT);
	for (v = NR_EXCEPTIONS; v < 256; v++)
		set_gate(v, irq_entry[v - NR_EXCEPTIONS], 0, GATE_INTERRUPT);
	/* These must never run on a stack that may be the broken one. */
	set_gate(X86_EXC_NMI, exception_entry[X86_EXC_NMI], IST_NMI,
		 GATE_INTERRUPT);
	set_gate(X86_EXC_DF, exception_entry[X86_EXC_DF], IST_DF,
		 GATE_INTERRUPT);
	set_gate(X86_EXC_MC, exception_entry[X86_EXC_MC], IST_MC,
		 GATE_INTERRUPT);
	/*
	 * The one gate ring 3 may use: hypercalls. An interrupt gate, so
	 * the entry runs with interrupts off until the frame is complete;
	 * any other `int n` from a guest is a #GP, a guest fault.
	 */
	set_gate(HYPERCALL_VECTOR, irq_entry[HYPERCALL_VECTOR - NR_EXCEPTIONS],
		 0, GATE_INTERRUPT | GATE_DPL3);
}

/* A 16-byte available 64-bit TSS descriptor (SDM Vol. 3A, 8.2.3). */
static void set_tss_desc(u64 *slot, const struct tss64 *tss)
{
	u64 base = (u64)tss, limit = sizeof(*tss) - 1;

	slot[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
		  (0x89ULL << 40) | (((limit >> 16) & 0xf) << 48) |
		  (((base >> 24) & 0xff) << 56);
	slot[1] = base >> 32;
}

void load_cpu_descriptors(const struct cpu_stacks *stacks)
{
	u64 *gdt = this_cpu(gdt);
	struct tss64 *tss = &this_cpu(tss);
	struct desc_ptr gdtr = {sizeof(this_cpu(gdt)) - 1, (u64)gdt};
	struct desc_ptr idtr = {sizeof(idt) - 1, (u64)idt};
	unsigned int i;

	gdt[0] = 0;
	gdt[__HYPERVISOR_CS >> 3] =
		0x00af9a000000ffffULL; /* 64-bit code, DPL 0 */
	gdt[__HYPERVISOR_DS >> 3] = 0x00cf92000000ffffULL; /* data, DPL 0 */
	gdt[__USER_CS32 >> 3] = 0x00cffa000000ffffULL; /* 32-bit code, DPL 3 */
	gdt[__USER_DS >> 3] = 0x00cff2000000ffffULL;   /* data, DPL 3 */
	gdt[__USER_CS >> 3] = 0x00affa000000ffffULL;   /* 64-bit code, DPL 3 */

	memset(tss, 0, sizeof(*tss));
	for (i = 0; i < NR_IST; i++)
		tss->ist[i] = (u64)stacks->ist_top[i];
	/* Entries from ring 3 build their frame at the top of this stack. */
	ASSERT(IS_ALIGNED((unsigned long)stacks->stack_top, 16));
	tss->rsp[0] = (u64)stacks->stack_top;
	this_cpu(stack_top) = (unsigned long)stacks->stack_top;
	tss->iomap_base = sizeof(*tss);
	set_tss_desc(&gdt[__TSS_SEL >> 3], tss);

	__asm__ __volatile__("lgdt %0" ::"m"(gdtr));
	/* Reload CS with a far return, then the data segments. */
	__asm__ __volatile__("pushq %0\n\t"
			     "leaq 1f(%%rip), %%rax\n\t"
			     "pushq %%rax\n\t"
			     "lretq\n"
			     "1:\n\t"
			     "mov %1, %%ds\n\t"
			     "mov %1, %%es\n\t"
			     "mov %1, %%ss" ::"i"(__HYPERVISOR_CS),
			     "r"(__HYPERVISOR_DS)
			     : "rax", "memory");
	__asm__ __volatile__("ltr %w0" ::"r"(__TSS_SEL));
	__asm__ __volatile__("lidt %0" ::"m"(idtr));
	/* What a guest's %gs base starts as (the swapgs partner). */
	wrmsr(MSR_KERNEL_GS_BASE, 0);
}
