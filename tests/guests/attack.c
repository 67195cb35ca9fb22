/*
 * attack: one adversarial action, chosen by mode=, that the hypervisor
 * must answer by crashing this domain (and only this domain).
 *
 * Args: mode=<name> (mode=list prints the modes and powers off).
 *
 * Prints "ATTACK <mode>: <what>" and does it. Surviving it is a bug:
 * the guest then prints "FAIL: survived <mode>" and shuts down with
 * SHUTDOWN_crash and code 0x5afe, which the log tells apart from the
 * hypervisor killing the domain.
 */
#include <guest.h>

#define HV_TEXT	  0xffffffff80000000ull
#define HV_CODE	  0xffffffff80100000ull
#define DIRECTMAP 0xffff800000000000ull
#define SURVIVED  0x5afe

/* Data that is never executable: W^X and NX. */
static uint8_t data_ret[16] = {0xc3, 0xc3, 0xc3, 0xc3};

static void rd(uint64_t addr)
{
	(void)*(volatile uint64_t *)addr;
}

static void wr(uint64_t addr)
{
	*(volatile uint64_t *)addr = 0x4b41495253ull;
}

static void call_at(uint64_t addr)
{
	((void (*)(void))addr)();
}

static void a_read_hv(void)
{
	rd(HV_TEXT);
}

static void a_write_hv(void)
{
	wr(HV_TEXT);
}

static void a_read_directmap(void)
{
	rd(DIRECTMAP);
}

static void a_write_directmap(void)
{
	wr(DIRECTMAP);
}

static void a_read_null(void)
{
	rd(0);
}

static void a_read_noncanonical(void)
{
	rd(0x8000000000000000ull);
}

static void a_write_start_info(void)
{
	wr(GUEST_START_INFO_VADDR);
}

static void a_exec_shared_info(void)
{
	call_at(GUEST_SHARED_INFO_VADDR);
}

static void a_cli(void)
{
	__asm__ __volatile__("cli");
}

static void a_sti(void)
{
	__asm__ __volatile__("sti");
}

static void a_hlt(void)
{
	__asm__ __volatile__("hlt");
}

static void a_wrmsr(void)
{
	/* IA32_LSTAR: the syscall entry. */
	__asm__ __volatile__("wrmsr" ::"c"(0xc0000082u), "a"(0), "d"(0));
}

static void a_rdmsr(void)
{
	uint32_t lo, hi;

	__asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0xc0000080u));
}

static void a_out(void)
{
	__asm__ __volatile__("outb %%al, $0x80" ::"a"(0));
}

static void a_in(void)
{
	uint8_t v;

	/* The first serial port's data register. */
	__asm__ __volatile__("inb %%dx, %%al" : "=a"(v) : "d"(0x3f8));
}

static void a_mov_cr3(void)
{
	__asm__ __volatile__("mov %%rax, %%cr3" ::"a"(0ull) : "memory");
}

static void a_read_cr3(void)
{
	uint64_t v;

	__asm__ __volatile__("mov %%cr3, %0" : "=r"(v));
}

static void a_jump_hv(void)
{
	call_at(HV_CODE);
}

static void a_lgdt(void)
{
	static const struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} d = {0, 0};

	__asm__ __volatile__("lgdt %0" ::"m"(d));
}

static void a_lidt(void)
{
	static const struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} d = {0, 0};

	__asm__ __volatile__("lidt %0" ::"m"(d));
}

static void a_invlpg(void)
{
	__asm__ __volatile__("invlpg (%0)" ::"r"(0x400000ull) : "memory");
}

static void a_wbinvd(void)
{
	__asm__ __volatile__("wbinvd");
}

static void a_load_kernel_ss(void)
{
	/* A ring-0 selector: #GP from ring 3 whatever the GDT holds. */
	__asm__ __volatile__("mov %0, %%ss" ::"r"((uint16_t)0x10));
}

static void a_int3(void)
{
	__asm__ __volatile__("int3");
}

static void a_int80(void)
{
	__asm__ __volatile__("int $0x80");
}

static void a_int_pf(void)
{
	/* A software "page fault" through the IDT: must be refused. */
	__asm__ __volatile__("int $14");
}

static void a_syscall(void)
{
	__asm__ __volatile__("syscall" ::: "rcx", "r11", "memory");
}

static void a_sysenter(void)
{
	__asm__ __volatile__("sysenter" ::: "memory");
}

static void a_ud2(void)
{
	__asm__ __volatile__("ud2");
}

static void a_divzero(void)
{
	/* In asm: the compiler may turn 1 / x into x == 1 (x = 0 is UB). */
	__asm__ __volatile__("xor %%ecx, %%ecx\n\t"
			     "mov $1, %%eax\n\t"
			     "xor %%edx, %%edx\n\t"
			     "div %%ecx" ::
				     : "rax", "rcx", "rdx");
}

/* Never reached: keeps the compiler from seeing an endless recursion. */
static volatile unsigned int recurse_limit = ~0u;

static __attribute__((noinline)) unsigned int recurse(unsigned int n)
{
	volatile uint8_t pad[512];

	if (n == recurse_limit)
		return 0;
	pad[0] = (uint8_t)n;
	__asm__ __volatile__("" ::: "memory");
	return recurse(n + 1) + pad[0];
}

static void a_stack_overflow(void)
{
	recurse(0);
}

static void a_write_text(void)
{
	wr((uint64_t)&a_write_text);
}

static void a_exec_data(void)
{
	call_at((uint64_t)data_ret);
}

static void a_exec_stack(void)
{
	uint8_t code[16] = {0xc3};

	call_at((uint64_t)code);
}

static void a_exec_heap(void)
{
	uint8_t *p = guest_alloc(16, 16);

	if (!p)
		guest_panic("no heap");
	p[0] = 0xc3;
	call_at((uint64_t)p);
}

static void a_upcall_bad_stack(void)
{
	/*
	 * An event delivered while %rsp points at the hypervisor: the upcall
	 * frame cannot be pushed, which must crash the domain (shared_info.h),
	 * not the hypervisor. Events on and a periodic timer, so an event
	 * keeps coming after the switch to the bad stack.
	 */
	guest_timer_init(NULL, NULL);
	guest_events_enable();
	hc_set_periodic_timer(0, NSEC_PER_MSEC);
	__asm__ __volatile__("mov %%rsp, %%rbx\n\t"
			     "mov %0, %%rsp\n\t"
			     "1: pause\n\t"
			     "jmp 1b" ::"r"(HV_TEXT)
			     : "rbx", "memory");
}

static const struct attack {
	const char *name;
	void (*fn)(void);
	const char *what;
} attacks[] = {
	{"read_hv", a_read_hv, "read hypervisor text 0xffffffff80000000"},
	{"write_hv", a_write_hv, "write hypervisor text"},
	{"read_directmap", a_read_directmap, "read 0xffff800000000000"},
	{"write_directmap", a_write_directmap, "write 0xffff800000000000"},
	{"read_null", a_read_null, "read address 0"},
	{"read_noncanonical", a_read_noncanonical, "read 0x8000000000000000"},
	{"write_start_info", a_write_start_info,
	 "write the read-only start-info page"},
	{"exec_shared_info", a_exec_shared_info,
	 "call into the NX shared-info page"},
	{"cli", a_cli, "cli in ring 3"},
	{"sti", a_sti, "sti in ring 3"},
	{"hlt", a_hlt, "hlt in ring 3"},
	{"wrmsr", a_wrmsr, "wrmsr IA32_LSTAR"},
	{"rdmsr", a_rdmsr, "rdmsr IA32_EFER"},
	{"out", a_out, "outb to port 0x80"},
	{"in", a_in, "inb from port 0x3f8"},
	{"mov_cr3", a_mov_cr3, "mov to %cr3"},
	{"read_cr3", a_read_cr3, "mov from %cr3"},
	{"jump_hv", a_jump_hv, "call 0xffffffff80100000"},
	{"lgdt", a_lgdt, "lgdt"},
	{"lidt", a_lidt, "lidt"},
	{"invlpg", a_invlpg, "invlpg"},
	{"wbinvd", a_wbinvd, "wbinvd"},
	{"load_kernel_ss", a_load_kernel_ss, "mov a ring-0 selector to %ss"},
	{"int3", a_int3, "int3 (#BP)"},
	{"int80", a_int80, "int $0x80"},
	{"int_pf", a_int_pf, "int $14 (a software #PF)"},
	{"syscall", a_syscall, "syscall"},
	{"sysenter", a_sysenter, "sysenter"},
	{"ud2", a_ud2, "ud2 (#UD)"},
	{"divzero", a_divzero, "divide by zero (#DE)"},
	{"stack_overflow", a_stack_overflow,
	 "recurse into the stack guard page"},
	{"write_text", a_write_text, "write to our own R-X text"},
	{"exec_data", a_exec_data, "call into our .data (NX)"},
	{"exec_stack", a_exec_stack, "call into our stack (NX)"},
	{"exec_heap", a_exec_heap, "call into our heap (NX)"},
	{"upcall_bad_stack", a_upcall_bad_stack,
	 "take an upcall with %rsp in the hypervisor"},
};

void guest_vcpu_main(unsigned int vcpu)
{
	const char *mode = guest_arg("mode");
	unsigned int i;

	if (vcpu != 0)
		return;
	if (!mode || !strcmp(mode, "list")) {
		printf("attack: modes:");
		for (i = 0; i < ARRAY_LEN(attacks); i++)
			printf(" %s", attacks[i].name);
		printf("\n");
		if (!mode)
			guest_panic("attack: mode= is required");
		return;
	}
	for (i = 0; i < ARRAY_LEN(attacks); i++) {
		if (strcmp(mode, attacks[i].name))
			continue;
		printf("ATTACK %s: %s\n", mode, attacks[i].what);
		guest_flush();
		attacks[i].fn();
		printf("FAIL: survived %s\n", mode);
		guest_exit(SHUTDOWN_crash, SURVIVED);
	}
	guest_panic("attack: unknown mode=%s (mode=list lists them)", mode);
}
