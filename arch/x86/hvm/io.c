/*
 * The guest's I/O port space (docs/hvm.md, "The platform"): the devices
 * a small kernel written for a QEMU PC expects, and the PC's answer for
 * everything else: reads return all ones, writes are ignored, and the
 * first access to each unknown port is logged (a bounded number of lines
 * per domain), so that a guest probing for hardware is neither broken
 * nor noisy.
 *
 * IN and OUT take their port, size and next RIP from the exit (EXITINFO1
 * and EXITINFO2, APM 15.10.2); INS and OUTS move their data through the
 * guest's own page tables (guest_walk.c), a bounded number of repetitions
 * per exit: the instruction restarts for the rest, so a long REP OUTSB
 * cannot hold the CPU.
 */
#include <asm/hvm/guest_walk.h>
#include <asm/hvm/hvm.h>
#include <asm/hvm/platform.h>
#include <asm/hvm/vmcb.h>
#include <domain.h>
#include <errno.h>
#include <page.h>
#include <printk.h>
#include <public/sched.h>
#include <string.h>
#include <xmalloc.h>

/* Repetitions of a string instruction handled in one exit. */
#define STRING_IO_BATCH 64
/* Lines about unknown ports, per domain, before it falls silent. */
#define UNKNOWN_PORT_LINES 32

#define X86_EFLAGS_DF (1ULL << 10)

static u32 size_mask(unsigned int size)
{
	return size == 4 ? 0xffffffffU : (1U << (8 * size)) - 1;
}

/* Says once per port, and at most UNKNOWN_PORT_LINES times, what happened. */
static void report_unknown_port(struct vcpu *v, u16 port, unsigned int size,
				bool in)
{
	struct hvm_domain *hd = v->domain->hvm;
	unsigned long flags;
	bool first;

	flags = spin_lock_irqsave(&hd->io_lock);
	if (!hd->ports_reported)
		hd->ports_reported = xzalloc_bytes(65536 / 8);
	first = hd->ports_reported &&
		!test_and_set_bit(port, hd->ports_reported) &&
		hd->nr_ports_reported++ <= UNKNOWN_PORT_LINES;
	spin_unlock_irqrestore(&hd->io_lock, flags);
	if (!first)
		return;
	if (hd->nr_ports_reported > UNKNOWN_PORT_LINES)
		printk("(d%u) [hvm: more unknown I/O ports; no longer reported]\n",
		       v->domain->domid);
	else
		printk("(d%u) [hvm: I/O port %#x (%s, %u byte%s) is not emulated: reads all ones, writes are ignored]\n",
		       v->domain->domid, port, in ? "in" : "out", size,
		       size == 1 ? "" : "s");
}

/* isa-debug-exit: the value written ends the domain (QEMU: the exit code). */
static void debug_exit(struct vcpu *v, u32 val)
{
	struct domain *d = v->domain;

	d->hvm->debug_exit_code = val;
	vuart_flush(d);
	printk("Domain %u (%s): isa-debug-exit port %#x written with %#x\n",
	       d->domid, d->name, HVM_DEBUG_EXIT_PORT, val);
	domain_shutdown(d, SHUTDOWN_poweroff, val);
}

/* The reset control register: RST_CPU ends the domain as a reboot. */
static void reset_control(struct vcpu *v, u32 val)
{
	struct domain *d = v->domain;

	if (!(val & HVM_RESET_RST_CPU))
		return;
	vuart_flush(d);
	printk("Domain %u (%s): reset (port %#x written with %#x): reboot\n",
	       d->domid, d->name, HVM_RESET_PORT, val);
	domain_shutdown(d, SHUTDOWN_reboot, 0);
}

/* One access of size bytes at port: *val in or out. */
static void port_access(struct vcpu *v, u16 port, unsigned int size, bool in,
			u32 *val)
{
	int rc = -ENODEV;
	unsigned int i;

	if (in)
		*val = size_mask(size);
	if (port >= HVM_COM1_PORT && port < HVM_COM1_PORT + 8) {
		/* Byte registers: a wider access takes the next ports too. */
		for (i = 0, rc = 0; i < size && port + i < HVM_COM1_PORT + 8;
		     i++) {
			u32 b = (*val >> (8 * i)) & 0xff;

			vuart_io(v, port + i, in, &b);
			if (in)
				*val = (*val & ~(0xffU << (8 * i))) |
				       (b & 0xff) << (8 * i);
		}
	} else if (port == HVM_CMOS_PORT || port == HVM_CMOS_PORT + 1) {
		rc = vrtc_io(v, port, in, val);
	} else if (port >= HVM_DEBUG_EXIT_PORT &&
		   port < HVM_DEBUG_EXIT_PORT + 4) {
		if (!in)
			debug_exit(v, *val & size_mask(size));
		rc = 0;
	} else if (port == HVM_RESET_PORT && size == 1) {
		if (in)
			*val = 0;
		else
			reset_control(v, *val & 0xff);
		rc = 0;
	} else if (port == 0x80) {
		rc = 0; /* POST codes: nobody is listening */
	} else if (port >= HVM_FW_CFG_PORT && port < HVM_FW_CFG_PORT + 2) {
		rc = fw_cfg_io(v, port, size, in, val);
	} else if (port >= HVM_PM1A_EVT_BLK && port < HVM_PM_TMR_BLK + 4) {
		rc = acpi_pm_io(v, port, size, in, val);
	}
	if (rc == -ENODEV)
		report_unknown_port(v, port, size, in);
	if (in)
		*val &= size_mask(size);
}

/* The register, offset and address size of a string instruction's operand. */
static u64 addr_mask(unsigned int asize)
{
	return asize == 8 ? ~0ULL : (1ULL << (8 * asize)) - 1;
}

static void inject_pf(struct vcpu *v, u64 linear, u32 error)
{
	v->hvm->svm.vmcb->cr2 = linear;
	hvm_inject_exception(v, 14, true, error);
}

/* INS/OUTS: up to STRING_IO_BATCH elements; false if RIP must stay. */
static bool string_io(struct vcpu *v, struct cpu_user_regs *regs, u64 info,
		      u16 port, unsigned int size)
{
	struct hvm_guest_state st;
	struct guest_walk_ctx ctx;
	bool in = info & SVM_IOIO_IN, rep = info & SVM_IOIO_REP;
	unsigned int asize = ((info >> SVM_IOIO_ASIZE_SHIFT) & 7) == 1	 ? 2
			     : ((info >> SVM_IOIO_ASIZE_SHIFT) & 7) == 2 ? 4
									 : 8;
	unsigned int seg = in ? 0 /* ES */ : (info >> SVM_IOIO_SEG_SHIFT) & 7;
	u64 mask = addr_mask(asize), *index = in ? &regs->rdi : &regs->rsi;
	s64 step = (regs->rflags & X86_EFLAGS_DF) ? -(s64)size : (s64)size;
	unsigned int n;

	hvm_get_guest_state(v, &st);
	ctx = (struct guest_walk_ctx){.cr0 = st.cr0,
				      .cr3 = st.cr3,
				      .cr4 = st.cr4,
				      .efer = st.efer,
				      .read_gpa = hvm_walk_read_gpa,
				      .opaque = v->domain};
	for (n = 0; n < STRING_IO_BATCH; n++) {
		u64 linear, gpa;
		u32 val = 0, pf_error;
		unsigned int access = (st.cpl == 3 ? GUEST_WALK_USER : 0) |
				      (in ? GUEST_WALK_WRITE : 0);
		int rc;

		if (rep && !(regs->rcx & mask))
			return true;
		linear = hvm_seg_base(v, seg) + (*index & mask);
		if (!st.long_mode)
			linear &= 0xffffffff;
		rc = guest_walk(&ctx, linear, access, &gpa, &pf_error);
		if (rc == -EFAULT) {
			inject_pf(v, linear, pf_error);
			return false;
		}
		if (rc || (gpa & (PAGE_SIZE - 1)) + size > PAGE_SIZE) {
			/* Tables outside RAM, or an element across pages. */
			hvm_inject_gp(v);
			return false;
		}
		if (!in && hvm_copy_from_gpa(v->domain, &val, gpa, size)) {
			hvm_inject_gp(v);
			return false;
		}
		port_access(v, port, size, in, &val);
		if (in && hvm_copy_to_gpa(v->domain, gpa, &val, size)) {
			hvm_inject_gp(v);
			return false;
		}
		*index = (*index & ~mask) | ((*index + step) & mask);
		if (!rep)
			return true;
		regs->rcx = (regs->rcx & ~mask) | ((regs->rcx - 1) & mask);
		if (v->domain->is_shutting_down)
			return false;
	}
	return !(regs->rcx & mask);
}

void hvm_handle_io(struct vcpu *v, struct cpu_user_regs *regs, u64 info,
		   u64 next_rip)
{
	u16 port = info >> SVM_IOIO_PORT_SHIFT;
	unsigned int size = (info >> SVM_IOIO_SIZE_SHIFT) & 7;
	u32 val;

	size = size == 4 ? 4 : size == 2 ? 2 : 1;
	if (info & SVM_IOIO_STR) {
		if (!string_io(v, regs, info, port, size))
			return;
	} else if (info & SVM_IOIO_IN) {
		port_access(v, port, size, true, &val);
		/* IN EAX clears the top half; IN AL/AX keep the rest. */
		if (size == 4)
			regs->rax = val;
		else
			regs->rax = (regs->rax & ~(u64)size_mask(size)) | val;
	} else {
		val = (u32)regs->rax & size_mask(size);
		port_access(v, port, size, false, &val);
	}
	/* The exit gives the next RIP for I/O even without NRIP save. */
	hvm_advance_rip(v, regs, (unsigned int)(next_rip - regs->rip));
}
