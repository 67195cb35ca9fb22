/*
 * The x86 side of vCPUs: their first register state, the context switch,
 * the way out to ring 3 (softirqs, then the upcall) and guest faults.
 *
 * A vCPU's registers live in the frame at the top of its CPU's stack
 * while it runs (every entry from ring 3 lands there), and in
 * vcpu->user_regs while it does not. Switching copies the frame out and
 * the next vCPU's in, then abandons the stack: the idle loop or
 * ret_to_guest starts afresh on it, as Xen's reset_stack_and_jump()
 * does. No vCPU needs a hypervisor stack of its own.
 */
#include <asm/boot.h>
#include <asm/desc.h>
#include <asm/fpu.h>
#include <asm/processor.h>
#include <domain.h>
#include <errno.h>
#include <event.h>
#include <hvm.h>
#include <asm/hvm/hvm.h>
#include <page.h>
#include <printk.h>
#include <public/shared_info.h>
#include <sched.h>
#include <softirq.h>
#include <string.h>
#include <systime.h>
#include <trace.h>
#include <uaccess.h>
#include <xmalloc.h>

#define X86_EFLAGS_IF	     (1UL << 9)
#define X86_EFLAGS_RESERVED1 (1UL << 1) /* always set */

void idle_loop(void) __noreturn;
void ret_to_guest(void) __noreturn;
void exit_to_guest(struct cpu_user_regs *regs);

/* The guest's frame at the top of this CPU's stack. */
static struct cpu_user_regs *guest_cpu_user_regs(void)
{
	return (struct cpu_user_regs *)this_cpu(stack_top) - 1;
}

/* Runs fn on a fresh stack, keeping the guest frame's space intact. */
#define reset_stack_and_jump(fn)                                       \
	__asm__ __volatile__(                                          \
		"mov %0, %%rsp; jmp " #fn ::"r"(guest_cpu_user_regs()) \
		: "memory")
#define reset_stack_and_call(fn)                                        \
	__asm__ __volatile__(                                           \
		"mov %0, %%rsp; call " #fn ::"r"(guest_cpu_user_regs()) \
		: "memory")

int arch_vcpu_init(struct vcpu *v, u64 entry, u64 stack_top)
{
	struct cpu_user_regs *r = &v->user_regs;

	/* XSAVE wants 64-byte alignment; xmalloc page-aligns a page. */
	v->fpu_state =
		xmalloc_bytes(max((unsigned long)fpu_state_size(), PAGE_SIZE));
	if (!v->fpu_state)
		return -ENOMEM;
	fpu_state_init(v->fpu_state);
	memset(r, 0, sizeof(*r));
	r->rip = entry;
	r->cs = __USER_CS | 3;
	r->ss = __USER_DS | 3;
	r->rsp = stack_top;
	r->rflags = X86_EFLAGS_IF | X86_EFLAGS_RESERVED1;
	r->rdi = GUEST_START_INFO_VADDR;
	r->rsi = v->vcpu_id;
	return 0;
}

void arch_vcpu_destroy(struct vcpu *v)
{
	xfree(v->fpu_state);
	v->fpu_state = NULL;
}

/* Publishes the system-time record in v's vcpu_info (Xen's protocol). */
static void update_vcpu_time_info(struct vcpu *v)
{
	struct vcpu_time_info *t = &v->vcpu_info->time;
	struct guest_time_record rec;
	bool tsc_ok = time_guest_record(&rec);
	u32 version = READ_ONCE(t->version);

	/* The guest may have scribbled on version: make it odd our way. */
	version = (version | 1) + 0;
	WRITE_ONCE(t->version, version);
	smp_wmb();
	t->tsc_timestamp = rec.tsc_stamp;
	t->system_time = rec.stime_stamp;
	t->tsc_to_system_mul = rec.mul;
	t->tsc_shift = rec.shift;
	t->flags = tsc_ok ? 0 : TIME_INFO_TSC_UNRELIABLE;
	smp_wmb();
	WRITE_ONCE(t->version, version + 1);
	v->time_generation = rec.generation;
}

void context_switch(struct vcpu *prev, struct vcpu *next)
{
	struct cpu_user_regs *frame = guest_cpu_user_regs();

	ASSERT(prev != next);
	ASSERT(next->processor == smp_processor_id());
	local_irq_disable();
	if (!is_idle_vcpu(prev)) {
		prev->user_regs = *frame;
		if (is_hvm_vcpu(prev))
			hvm_switch_from(prev);
		fpu_save(prev->fpu_state);
	}
	if (is_idle_vcpu(next) || is_hvm_vcpu(next)) {
		/* VMRUN loads the guest's CR3; the host runs on its own. */
		as_switch(NULL);
	} else {
		as_switch(&next->domain->as);
		update_vcpu_time_info(next);
	}
	if (!is_idle_vcpu(next)) {
		*frame = next->user_regs;
		fpu_restore(next->fpu_state);
		if (is_hvm_vcpu(next))
			hvm_switch_to(next);
	}
	this_cpu(curr_vcpu) = next;
	/* From here another CPU may take prev: its state is all saved. */
	sched_context_saved(prev);
	softirq_abandon_stack();
	if (is_idle_vcpu(next))
		reset_stack_and_call(idle_loop);
	else if (is_hvm_vcpu(next))
		hvm_resume();
	else
		reset_stack_and_jump(ret_to_guest);
	__builtin_unreachable();
}

/*
 * Enters the guest's upcall: pushes a struct upcall_frame below the red
 * zone and points rip at the entry, events masked. False if the frame
 * cannot be written (the domain is crashed by the caller).
 */
static bool push_upcall_frame(struct vcpu *v, struct cpu_user_regs *regs)
{
	struct upcall_frame f = {.rflags = regs->rflags, .rip = regs->rip};
	u64 sp = regs->rsp - UPCALL_RED_ZONE - sizeof(f);

	if (sp > regs->rsp || copy_to_guest(sp, &f, sizeof(f)))
		return false;
	WRITE_ONCE(v->vcpu_info->evtchn_upcall_mask, 1);
	regs->rsp = sp;
	regs->rip = v->upcall_entry;
	trace(TRACE_CLASS_GUEST, TRACE_VIRQ_DELIVER, 0, trace_vcpu_id(v),
	      v->upcall_entry);
	return true;
}

/*
 * The last C code before ring 3 (entry.S: ret_to_guest): runs softirqs,
 * which may switch to another vCPU and never come back here, then gives
 * the guest what it is owed: a poll result, a fresh time record, the
 * upcall. Returns with interrupts off.
 */
void exit_to_guest(struct cpu_user_regs *regs)
{
	struct vcpu *v;
	long result;

	for (;;) {
		v = run_softirqs_before_entry();
		ASSERT(regs == guest_cpu_user_regs());
		if (vcpu_take_poll_result(v, &result))
			regs->rax = result;
		if (v->time_generation != time_guest_record_generation())
			update_vcpu_time_info(v);
		if (!v->upcall_entry || !vcpu_events_need_delivery(v))
			return;
		if (push_upcall_frame(v, regs))
			return;
		local_irq_enable();
		domain_crash(v->domain, "upcall stack not writable", regs);
	}
}

void show_guest_registers(const struct cpu_user_regs *r)
{
	printk("  rip %016lx  rsp %016lx  rflags %016lx  error %lx\n", r->rip,
	       r->rsp, r->rflags, r->error_code);
	printk("  rax %016lx  rbx %016lx  rcx %016lx  rdx %016lx\n", r->rax,
	       r->rbx, r->rcx, r->rdx);
	printk("  rsi %016lx  rdi %016lx  rbp %016lx  r8  %016lx\n", r->rsi,
	       r->rdi, r->rbp, r->r8);
	printk("  r9  %016lx  r10 %016lx  r11 %016lx  r12 %016lx\n", r->r9,
	       r->r10, r->r11, r->r12);
	printk("  r13 %016lx  r14 %016lx  r15 %016lx  cr2 %016lx\n", r->r13,
	       r->r14, r->r15,
	       r->vector == 14 && !is_hvm_vcpu(current) ? read_cr2() : 0);
	if (is_hvm_vcpu(current))
		hvm_show_state(current);
}
