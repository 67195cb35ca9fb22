/*
 * The virtual local APIC (asm/hvm/vlapic.h): registers in both modes,
 * interrupt acceptance, IPIs within the domain and the timer.
 *
 * The timer is the heart of it for Kairos: in every mode the next expiry
 * is a system time, and one ordinary timer of the timer core (on the
 * vCPU's CPU, migrating with it) fires there. Its callback raises the
 * LVT vector in IRR and wakes the vCPU; hvm_intr_assist() injects it at
 * the next VMRUN. Nothing runs while the guest does not need it: a
 * masked timer keeps its phase but arms nothing; a periodic timer whose
 * periods were missed (its vCPU was not run) delivers one interrupt for
 * all of them and keeps its phase, as Xen's no-missed-ticks mode and the
 * paravirtual periodic timer here do; a TSC-deadline that the TSC has
 * not reached when the timer fires (the TSC's rate was refined since) is
 * re-armed, so the interrupt never comes early.
 */
#include <asm/hvm/hvm.h>
#include <asm/hvm/platform.h>
#include <asm/hvm/vioapic.h>
#include <asm/hvm/vmcb.h>
#include <asm/processor.h>
#include <atomic.h>
#include <domain.h>
#include <errno.h>
#include <hvm.h>
#include <printk.h>
#include <sched.h>
#include <string.h>
#include <systime.h>
#include <trace.h>

#define REG(off) ((off) >> 4)

#define APIC_LVT_MASKED	     (1U << 16)
#define APIC_LVT_VECTOR	     0xffU
#define APIC_LVT_DELIVERY    (7U << 8)
#define APIC_LVT_LEVEL	     (1U << 15)
#define APIC_LVT_POLARITY    (1U << 13)
#define APIC_LVT_REMOTE_IRR  (1U << 14)
#define APIC_LVTT_MODE_SHIFT 17
#define APIC_LVTT_MODE_MASK  (3U << 17)
#define APIC_TIMER_ONESHOT   0
#define APIC_TIMER_PERIODIC  1
#define APIC_TIMER_DEADLINE  2

#define APIC_SPIV_ENABLE (1U << 8)
#define APIC_SPIV_MASK	 0x3ffU /* vector, enable, focus; no EOI suppression */

#define APIC_ESR_SEND_ILLEGAL (1U << 5)
#define APIC_ESR_RECV_ILLEGAL (1U << 6)
#define APIC_ESR_ILLEGAL_REG  (1U << 7)

/* ICR fields (SDM Vol. 3A, figure 11-12). */
#define ICR_VECTOR	   0xffU
#define ICR_MODE(icr)	   (((icr) >> 8) & 7)
#define ICR_LOGICAL	   (1U << 11)
#define ICR_LEVEL_ASSERT   (1U << 14)
#define ICR_TRIGGER_LEVEL  (1U << 15)
#define ICR_SHORTHAND(icr) (((icr) >> 18) & 3)
#define ICR_LOW_MASK	   0x000cdfffU /* what the low word keeps */
#define DM_SMI		   2
#define DM_STARTUP	   6

#define SH_NONE		0
#define SH_SELF		1
#define SH_ALL		2
#define SH_ALL_BUT_SELF 3

static struct vlapic *vcpu_vlapic(const struct vcpu *v)
{
	return &v->hvm->vlapic;
}

static u32 get_reg(const struct vlapic *vl, unsigned int off)
{
	return vl->regs[REG(off)];
}

static void set_reg(struct vlapic *vl, unsigned int off, u32 val)
{
	vl->regs[REG(off)] = val;
}

static bool x2apic_mode(const struct vlapic *vl)
{
	return vl->apic_base & APICBASE_EXTD;
}

static bool hw_enabled(const struct vlapic *vl)
{
	return vl->apic_base & APICBASE_ENABLE;
}

static bool sw_enabled(const struct vlapic *vl)
{
	return get_reg(vl, APIC_SPIV) & APIC_SPIV_ENABLE;
}

bool vlapic_xapic_mode(const struct vcpu *v)
{
	const struct vlapic *vl = vcpu_vlapic(v);

	return hw_enabled(vl) && !x2apic_mode(vl);
}

/* The highest bit set in a 256-bit vector bitmap, or -1. */
static int highest_bit(const unsigned long *map)
{
	int w;

	for (w = 3; w >= 0; w--) {
		unsigned long bits = READ_ONCE(map[w]);

		if (bits)
			return w * 64 + 63 - __builtin_clzl(bits);
	}
	return -1;
}

/* 32 bits of a 256-bit map, as the ISR/TMR/IRR registers show them. */
static u32 map_word(const unsigned long *map, unsigned int index)
{
	return (u32)(READ_ONCE(map[index / 2]) >> (32 * (index % 2)));
}

static u32 x2apic_id(const struct vlapic *vl)
{
	return vl->vcpu->vcpu_id;
}

/* The x2APIC logical ID: cluster in bits 31:16, one bit of 16 below. */
static u32 x2apic_ldr(const struct vlapic *vl)
{
	u32 id = x2apic_id(vl);

	return ((id >> 4) << 16) | (1U << (id & 15));
}

/* ------------------------------------------------------------------ */
/* Priorities and acceptance                                           */

static u32 processor_priority(const struct vlapic *vl)
{
	u32 tpr = get_reg(vl, APIC_TASKPRI) & 0xff;
	int isrv = highest_bit(vl->isr);
	u32 isr_class = isrv < 0 ? 0 : (u32)isrv & 0xf0;

	return (tpr & 0xf0) >= isr_class ? tpr : isr_class;
}

int vlapic_pending_vector(struct vcpu *v, bool *blocked_by_tpr)
{
	struct vlapic *vl = vcpu_vlapic(v);
	int irrv = highest_bit(vl->irr), isrv;

	*blocked_by_tpr = false;
	if (irrv < 0)
		return -1;
	isrv = highest_bit(vl->isr);
	if (isrv >= 0 && (irrv >> 4) <= (isrv >> 4))
		return -1;
	*blocked_by_tpr =
		(u32)(irrv >> 4) <= ((get_reg(vl, APIC_TASKPRI) >> 4) & 0xf);
	return irrv;
}

void vlapic_accept(struct vcpu *v, u8 vector)
{
	struct vlapic *vl = vcpu_vlapic(v);

	clear_bit(vector, vl->irr);
	set_bit(vector, vl->isr);
}

u8 vlapic_tpr_class(const struct vcpu *v)
{
	return (get_reg(vcpu_vlapic(v), APIC_TASKPRI) >> 4) & 0xf;
}

void vlapic_set_tpr_class(struct vcpu *v, u8 cls)
{
	struct vlapic *vl = vcpu_vlapic(v);
	u32 tpr = get_reg(vl, APIC_TASKPRI);

	/* CR8 holds the class only; a sub-class written by MMIO stays. */
	if (((tpr >> 4) & 0xf) != cls)
		set_reg(vl, APIC_TASKPRI, (u32)cls << 4);
}

static void record_error(struct vlapic *vl, u32 bits)
{
	__atomic_fetch_or(&vl->esr_pending, bits, __ATOMIC_RELAXED);
}

/*
 * Requests vector on v with its trigger mode: TMR says what the vector
 * was last accepted as (SDM 11.8.4), and is set before IRR, so that the
 * EOI of the interrupt always finds it.
 */
static void request(struct vcpu *v, u8 vector, bool level)
{
	struct vlapic *vl = vcpu_vlapic(v);

	if (vector < 16) {
		record_error(vl, APIC_ESR_RECV_ILLEGAL);
		return;
	}
	/* A disabled APIC accepts no fixed interrupts (SDM 11.4.7.2). */
	if (!hw_enabled(vl) || !sw_enabled(vl))
		return;
	if (level)
		set_bit(vector, vl->tmr);
	else if (test_bit(vector, vl->tmr))
		clear_bit(vector, vl->tmr);
	if (!test_and_set_bit(vector, vl->irr))
		hvm_vcpu_kick(v);
}

void vlapic_set_irq(struct vcpu *v, u8 vector)
{
	request(v, vector, false);
}

/* The EOI of a level-triggered vector goes on to the I/O APIC (11.8.5). */
static void vlapic_eoi(struct vlapic *vl)
{
	int isrv = highest_bit(vl->isr);

	if (isrv < 0)
		return;
	clear_bit(isrv, vl->isr);
	if (test_bit(isrv, vl->tmr))
		vioapic_eoi(vl->vcpu->domain, (u8)isrv);
}

/* ------------------------------------------------------------------ */
/* The timer                                                           */

static unsigned int timer_mode(const struct vlapic *vl)
{
	return (get_reg(vl, APIC_LVTT) & APIC_LVTT_MODE_MASK) >>
	       APIC_LVTT_MODE_SHIFT;
}

/* log2 of the divide configuration (SDM Vol. 3A, figure 11-10). */
static unsigned int divide_shift(const struct vlapic *vl)
{
	u32 tdcr = get_reg(vl, APIC_TDCR);
	unsigned int code = ((tdcr & 8) >> 1) | (tdcr & 3);

	return (code + 1) & 7;
}

static u64 guest_tsc(const struct vlapic *vl)
{
	return rdtsc() + vl->vcpu->domain->hvm->tsc_offset;
}

/* Arms the backing timer for what the registers say (timer_lock held). */
static void timer_arm(struct vlapic *vl)
{
	if (!vl->timer_deadline || (get_reg(vl, APIC_LVTT) & APIC_LVT_MASKED))
		stop_timer(&vl->timer);
	else
		set_timer(&vl->timer, vl->timer_deadline);
}

/*
 * The timer is unmasked: what expired meanwhile was discarded, as the
 * APIC discards a masked LVT's interrupt (SDM Vol. 3A 11.5.1). A one-shot
 * count or a TSC-deadline that passed is over; a periodic timer moves to
 * its next period, its phase kept.
 */
static void timer_unmasked(struct vlapic *vl, s_time_t now)
{
	if (!vl->timer_deadline || vl->timer_deadline > now)
		return;
	switch (timer_mode(vl)) {
	case APIC_TIMER_PERIODIC:
		vl->timer_deadline +=
			((now - vl->timer_deadline) / vl->timer_period + 1) *
			vl->timer_period;
		break;
	case APIC_TIMER_DEADLINE:
		if (guest_tsc(vl) < vl->tsc_deadline)
			break; /* not quite: the callback re-arms */
		vl->tsc_deadline = 0;
		vl->timer_deadline = 0;
		break;
	default:
		vl->timer_deadline = 0;
		break;
	}
}

static void timer_disarm(struct vlapic *vl)
{
	vl->timer_deadline = 0;
	vl->tsc_deadline = 0;
	stop_timer(&vl->timer);
}

/* TMICT was written: count from now (one-shot and periodic modes). */
static void timer_load(struct vlapic *vl, u32 count)
{
	s_time_t now = NOW();

	set_reg(vl, APIC_TMICT, count);
	if (timer_mode(vl) == APIC_TIMER_DEADLINE)
		return; /* TMICT is ignored in TSC-deadline mode */
	if (!count) {
		timer_disarm(vl);
		return;
	}
	vl->timer_period = (s_time_t)count << divide_shift(vl);
	vl->timer_start = now;
	vl->timer_deadline = now + vl->timer_period;
	timer_arm(vl);
}

static u32 timer_current_count(struct vlapic *vl)
{
	s_time_t now = NOW(), left;

	if (timer_mode(vl) == APIC_TIMER_DEADLINE || !vl->timer_deadline)
		return 0;
	if (timer_mode(vl) == APIC_TIMER_PERIODIC)
		left = vl->timer_period -
		       (now - vl->timer_start) % vl->timer_period;
	else
		left = vl->timer_deadline - now;
	if (left <= 0)
		return 0;
	return (u32)min((u64)left >> divide_shift(vl), (u64)0xffffffff);
}

/* IA32_TSC_DEADLINE was written (TSC-deadline mode). */
static void timer_set_tsc_deadline(struct vlapic *vl, u64 deadline)
{
	if (!deadline) {
		timer_disarm(vl);
		return;
	}
	vl->tsc_deadline = deadline;
	vl->timer_deadline =
		tsc_to_stime(deadline - vl->vcpu->domain->hvm->tsc_offset);
	if (vl->timer_deadline <= 0)
		vl->timer_deadline = 1; /* far in the past: now */
	timer_arm(vl);
}

static void vlapic_timer_fn(void *data)
{
	struct vlapic *vl = data;
	unsigned long flags = spin_lock_irqsave(&vl->timer_lock);
	s_time_t now = NOW(), due = vl->timer_deadline;
	u32 lvtt = get_reg(vl, APIC_LVTT);
	bool fire = false;

	switch (timer_mode(vl)) {
	case APIC_TIMER_DEADLINE:
		if (!vl->tsc_deadline)
			break;
		if (guest_tsc(vl) < vl->tsc_deadline) {
			/* NOW() ran ahead of the TSC's scale: not yet. */
			vl->timer_deadline =
				max(now + 1,
				    tsc_to_stime(
					    vl->tsc_deadline -
					    vl->vcpu->domain->hvm->tsc_offset));
			set_timer(&vl->timer, vl->timer_deadline);
			break;
		}
		vl->tsc_deadline = 0;
		vl->timer_deadline = 0;
		fire = true;
		break;
	case APIC_TIMER_PERIODIC:
		if (!due)
			break;
		if (now >= due) {
			s_time_t missed = (now - due) / vl->timer_period;

			vl->timer_missed += missed;
			vl->timer_deadline =
				due + (missed + 1) * vl->timer_period;
			fire = true;
		}
		timer_arm(vl);
		break;
	default:
		if (!due)
			break;
		if (now < due) {
			set_timer(&vl->timer, due);
			break;
		}
		vl->timer_deadline = 0;
		fire = true;
		break;
	}
	if (fire && !(lvtt & APIC_LVT_MASKED))
		vl->timer_fires++;
	spin_unlock_irqrestore(&vl->timer_lock, flags);
	if (fire && !(lvtt & APIC_LVT_MASKED)) {
		trace(TRACE_CLASS_HVM, TRACE_HVM_VTIMER,
		      (u32)min(now - due, (s_time_t)0xffffffff),
		      trace_vcpu_id(vl->vcpu), lvtt & APIC_LVT_VECTOR);
		vlapic_set_irq(vl->vcpu, lvtt & APIC_LVT_VECTOR);
	}
}

void vlapic_move_timer(struct vcpu *v, unsigned int cpu)
{
	migrate_timer(&vcpu_vlapic(v)->timer, cpu);
}

/* The LVT timer register was written (timer_lock held). */
static void lvtt_write(struct vlapic *vl, u32 val)
{
	unsigned int old_mode = timer_mode(vl), new_mode;
	bool was_masked = get_reg(vl, APIC_LVTT) & APIC_LVT_MASKED;

	val &= APIC_LVT_VECTOR | APIC_LVT_MASKED | APIC_LVTT_MODE_MASK;
	if (((val & APIC_LVTT_MODE_MASK) >> APIC_LVTT_MODE_SHIFT) == 3)
		val &= ~APIC_LVTT_MODE_MASK; /* reserved: one-shot */
	if (!sw_enabled(vl))
		val |= APIC_LVT_MASKED;
	set_reg(vl, APIC_LVTT, val);
	new_mode = timer_mode(vl);
	/* Into or out of TSC-deadline mode disarms (SDM Vol. 3A 11.5.4.1). */
	if (old_mode != new_mode && (old_mode == APIC_TIMER_DEADLINE ||
				     new_mode == APIC_TIMER_DEADLINE)) {
		timer_disarm(vl);
		set_reg(vl, APIC_TMICT, 0);
	}
	if (was_masked && !(val & APIC_LVT_MASKED))
		timer_unmasked(vl, NOW());
	timer_arm(vl);
}

/* ------------------------------------------------------------------ */
/* IPIs                                                                */

/* True if target's APIC answers to dest in the given destination mode. */
static bool matches(const struct vlapic *target, u32 dest, bool logical,
		    bool x2apic)
{
	if (!logical) {
		if (x2apic)
			return dest == 0xffffffff || dest == x2apic_id(target);
		return dest == 0xff || dest == (target->vcpu->vcpu_id & 0xff);
	}
	if (x2apic) {
		u32 ldr = x2apic_ldr(target);

		if (dest == 0xffffffff)
			return true;
		return (dest >> 16) == (ldr >> 16) && (dest & ldr & 0xffff);
	}
	{
		u32 ldr = get_reg(target, APIC_LDR) >> 24;
		u32 dfr = get_reg(target, APIC_DFR) >> 28;

		if (dest == 0xff)
			return true;
		if (dfr == 0xf) /* flat */
			return (dest & ldr) != 0;
		/* cluster: 4-bit cluster, 4-bit mask (SDM 11.6.2.2) */
		return (dest >> 4) == (ldr >> 4) && (dest & ldr & 0xf);
	}
}

/* Delivers one IPI of mode to target. */
static void deliver(struct vcpu *target, unsigned int mode, u8 vector, u32 icr)
{
	switch (mode) {
	case VLAPIC_DM_FIXED:
	case VLAPIC_DM_LOWEST:
		vlapic_set_irq(target, vector);
		break;
	case VLAPIC_DM_NMI:
		WRITE_ONCE(target->hvm->nmi_pending, true);
		hvm_vcpu_kick(target);
		break;
	case VLAPIC_DM_INIT:
		/* The level de-assert of old MP protocols does nothing. */
		if ((icr & ICR_TRIGGER_LEVEL) && !(icr & ICR_LEVEL_ASSERT))
			break;
		hvm_vcpu_init_signal(target);
		break;
	case DM_STARTUP:
		hvm_vcpu_startup_signal(target, vector);
		break;
	default:
		break; /* SMI and reserved modes: nothing to deliver to */
	}
}

/* Sends the IPI that the ICR now describes. */
static void send_ipi(struct vlapic *vl, u32 icr, u32 dest)
{
	struct vcpu *self = vl->vcpu;
	struct domain *d = self->domain;
	unsigned int mode = ICR_MODE(icr), sh = ICR_SHORTHAND(icr), i;
	bool logical = icr & ICR_LOGICAL, x2apic = x2apic_mode(vl);
	u8 vector = icr & ICR_VECTOR;

	if ((mode == VLAPIC_DM_FIXED || mode == VLAPIC_DM_LOWEST) &&
	    vector < 16) {
		record_error(vl, APIC_ESR_SEND_ILLEGAL);
		return;
	}
	for (i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *t = d->vcpus[i];
		bool hit;

		switch (sh) {
		case SH_SELF:
			hit = t == self;
			break;
		case SH_ALL:
			hit = true;
			break;
		case SH_ALL_BUT_SELF:
			hit = t != self;
			break;
		default:
			hit = matches(vcpu_vlapic(t), dest, logical, x2apic);
			break;
		}
		if (!hit)
			continue;
		deliver(t, mode, vector, icr);
		if (mode == VLAPIC_DM_LOWEST)
			break; /* one of them: the first, every time */
	}
}

/*
 * True if target's APIC answers an xAPIC-format message (an I/O APIC's)
 * to dest: 0xff is every APIC; an APIC in x2APIC mode takes the rest as
 * an x2APIC destination, zero-extended.
 */
static bool matches_msg(const struct vlapic *target, u8 dest, bool logical)
{
	return dest == 0xff ||
	       matches(target, dest, logical, x2apic_mode(target));
}

void vlapic_deliver_msg(struct domain *d, u8 dest, bool logical,
			unsigned int mode, u8 vector, bool level)
{
	unsigned int i;

	if (mode != VLAPIC_DM_FIXED && mode != VLAPIC_DM_LOWEST &&
	    mode != VLAPIC_DM_NMI && mode != VLAPIC_DM_INIT)
		return;
	for (i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *t = d->vcpus[i];

		if (!matches_msg(vcpu_vlapic(t), dest, logical))
			continue;
		if (mode == VLAPIC_DM_FIXED || mode == VLAPIC_DM_LOWEST)
			request(t, vector, level);
		else
			deliver(t, mode, vector, 0); /* INIT: an assert */
		if (mode == VLAPIC_DM_LOWEST)
			break; /* one of them: the first, as IPIs */
	}
}

/* ------------------------------------------------------------------ */
/* Registers                                                           */

/* Reads register off (16-byte aligned); false if it does not exist. */
static bool read_reg(struct vlapic *vl, unsigned int off, u32 *val)
{
	unsigned long flags;

	switch (off) {
	case APIC_ID:
		*val = x2apic_mode(vl) ? x2apic_id(vl) : get_reg(vl, APIC_ID);
		return true;
	case APIC_LDR:
		*val = x2apic_mode(vl) ? x2apic_ldr(vl) : get_reg(vl, APIC_LDR);
		return true;
	case APIC_DFR:
	case APIC_ARBPRI:
	case APIC_RRR:
		*val = get_reg(vl, off);
		return !x2apic_mode(vl);
	case APIC_PROCPRI:
		*val = processor_priority(vl);
		return true;
	case APIC_EOI:
	case APIC_SELF_IPI:
		*val = 0;
		return !x2apic_mode(vl) && off == APIC_EOI;
	case APIC_ISR ... APIC_ISR + 0x70:
		*val = map_word(vl->isr, (off - APIC_ISR) >> 4);
		return true;
	case APIC_TMR ... APIC_TMR + 0x70:
		*val = map_word(vl->tmr, (off - APIC_TMR) >> 4);
		return true;
	case APIC_IRR ... APIC_IRR + 0x70:
		*val = map_word(vl->irr, (off - APIC_IRR) >> 4);
		return true;
	case APIC_TMCCT:
		flags = spin_lock_irqsave(&vl->timer_lock);
		*val = timer_current_count(vl);
		spin_unlock_irqrestore(&vl->timer_lock, flags);
		return true;
	case APIC_LVR:
	case APIC_TASKPRI:
	case APIC_SPIV:
	case APIC_ESR:
	case APIC_ICR:
	case APIC_LVTT:
	case APIC_LVTTHMR:
	case APIC_LVTPC:
	case APIC_LVT0:
	case APIC_LVT1:
	case APIC_LVTERR:
	case APIC_TMICT:
	case APIC_TDCR:
		*val = get_reg(vl, off);
		return true;
	case APIC_ICR2:
		*val = get_reg(vl, off);
		return !x2apic_mode(vl);
	default:
		*val = 0;
		return false;
	}
}

/* The bits of an LVT entry a guest may set, by register. */
static u32 lvt_mask(unsigned int off)
{
	switch (off) {
	case APIC_LVT0:
	case APIC_LVT1:
		return APIC_LVT_VECTOR | APIC_LVT_DELIVERY | APIC_LVT_POLARITY |
		       APIC_LVT_LEVEL | APIC_LVT_MASKED;
	case APIC_LVTERR:
		return APIC_LVT_VECTOR | APIC_LVT_MASKED;
	default: /* thermal, performance */
		return APIC_LVT_VECTOR | APIC_LVT_DELIVERY | APIC_LVT_MASKED;
	}
}

static void spiv_write(struct vlapic *vl, u32 val)
{
	static const unsigned int lvts[] = {APIC_LVTT,	APIC_LVTTHMR,
					    APIC_LVTPC, APIC_LVT0,
					    APIC_LVT1,	APIC_LVTERR};
	unsigned long flags;
	unsigned int i;

	set_reg(vl, APIC_SPIV, val & APIC_SPIV_MASK);
	if (val & APIC_SPIV_ENABLE)
		return;
	/* Software-disabled: every LVT entry masked (SDM 11.4.7.2). */
	flags = spin_lock_irqsave(&vl->timer_lock);
	for (i = 0; i < ARRAY_SIZE(lvts); i++)
		set_reg(vl, lvts[i], get_reg(vl, lvts[i]) | APIC_LVT_MASKED);
	timer_arm(vl);
	spin_unlock_irqrestore(&vl->timer_lock, flags);
}

/*
 * Writes register off; false if the guest may not (it does not exist,
 * or is read-only): ignored in xAPIC mode, #GP in x2APIC mode.
 */
static bool write_reg(struct vlapic *vl, unsigned int off, u32 val)
{
	bool x2 = x2apic_mode(vl);
	unsigned long flags;

	switch (off) {
	case APIC_TASKPRI:
		set_reg(vl, off, val & 0xff);
		return true;
	case APIC_EOI:
		if (x2 && val)
			return false;
		vlapic_eoi(vl);
		return true;
	case APIC_LDR:
		if (x2)
			return false;
		set_reg(vl, off, val & 0xff000000);
		return true;
	case APIC_DFR:
		if (x2)
			return false;
		set_reg(vl, off, val | 0x0fffffff);
		return true;
	case APIC_SPIV:
		spiv_write(vl, val);
		return true;
	case APIC_ESR:
		if (x2 && val)
			return false;
		set_reg(vl, off,
			__atomic_exchange_n(&vl->esr_pending, 0,
					    __ATOMIC_RELAXED));
		return true;
	case APIC_ICR:
		set_reg(vl, off, val & ICR_LOW_MASK);
		if (!x2)
			send_ipi(vl, val, get_reg(vl, APIC_ICR2) >> 24);
		return true;
	case APIC_ICR2:
		if (x2)
			return false;
		set_reg(vl, off, val & 0xff000000);
		return true;
	case APIC_LVTT:
		flags = spin_lock_irqsave(&vl->timer_lock);
		lvtt_write(vl, val);
		spin_unlock_irqrestore(&vl->timer_lock, flags);
		return true;
	case APIC_LVTTHMR:
	case APIC_LVTPC:
	case APIC_LVT0:
	case APIC_LVT1:
	case APIC_LVTERR:
		val &= lvt_mask(off);
		if (!sw_enabled(vl))
			val |= APIC_LVT_MASKED;
		set_reg(vl, off, val);
		return true;
	case APIC_TMICT:
		flags = spin_lock_irqsave(&vl->timer_lock);
		timer_load(vl, val);
		spin_unlock_irqrestore(&vl->timer_lock, flags);
		return true;
	case APIC_TDCR: {
		u32 left;

		flags = spin_lock_irqsave(&vl->timer_lock);
		/* The count left keeps counting, at the new rate. */
		left = timer_current_count(vl);
		set_reg(vl, off, val & 0xb);
		if (left && timer_mode(vl) == APIC_TIMER_ONESHOT) {
			vl->timer_deadline =
				NOW() + ((s_time_t)left << divide_shift(vl));
			timer_arm(vl);
		} else if (vl->timer_deadline &&
			   timer_mode(vl) == APIC_TIMER_PERIODIC) {
			vl->timer_period = (s_time_t)get_reg(vl, APIC_TMICT)
					   << divide_shift(vl);
		}
		spin_unlock_irqrestore(&vl->timer_lock, flags);
		return true;
	}
	case APIC_SELF_IPI:
		if (!x2 || (val & ~0xffU))
			return false; /* bits 31:8 are reserved: #GP */
		vlapic_set_irq(vl->vcpu, val & 0xff);
		return true;
	default:
		/* ID, version, PPR, ISR/TMR/IRR, current count: read-only. */
		return false;
	}
}

int vlapic_mmio_read(struct vcpu *v, unsigned int offset, unsigned int size,
		     u64 *val)
{
	struct vlapic *vl = vcpu_vlapic(v);
	u32 reg;

	*val = 0;
	if (!vlapic_xapic_mode(v))
		return -EINVAL; /* the page is not there: reads as all ones */
	/* Registers are 32 bits at 16-byte steps; the rest reads as 0. */
	if ((offset & 0xf) >= 4 || !read_reg(vl, offset & 0xff0, &reg))
		return 0;
	*val = (u64)reg >> (8 * (offset & 3));
	if (size < 8)
		*val &= (1ULL << (8 * size)) - 1;
	return 0;
}

int vlapic_mmio_write(struct vcpu *v, unsigned int offset, unsigned int size,
		      u64 val)
{
	struct vlapic *vl = vcpu_vlapic(v);

	if (!vlapic_xapic_mode(v))
		return -EINVAL;
	/* Only whole, aligned 32-bit writes reach a register (SDM 11.4.1). */
	if (size != 4 || (offset & 0xf))
		return -EINVAL;
	if (!write_reg(vl, offset, (u32)val))
		record_error(vl, APIC_ESR_ILLEGAL_REG);
	return 0;
}

/* ------------------------------------------------------------------ */
/* MSRs                                                                */

bool vlapic_msr_owned(u32 msr)
{
	return msr == MSR_IA32_APICBASE || msr == MSR_IA32_TSC_DEADLINE ||
	       (msr >= MSR_X2APIC_FIRST && msr <= MSR_X2APIC_LAST);
}

/* A write to IA32_APIC_BASE: the mode transitions of SDM 11.12.5. */
static int apic_base_write(struct vlapic *vl, u64 val)
{
	u64 old = vl->apic_base;
	bool was_on = old & APICBASE_ENABLE, on = val & APICBASE_ENABLE;
	bool was_x2 = old & APICBASE_EXTD, x2 = val & APICBASE_EXTD;

	/* Reserved bits, and the address: relocation is not offered. */
	if (val &
	    ~(HVM_LAPIC_BASE | APICBASE_BSP | APICBASE_EXTD | APICBASE_ENABLE))
		return -EINVAL;
	if ((val & ~0xfffULL) != HVM_LAPIC_BASE)
		return -EINVAL;
	if (x2 && !on)
		return -EINVAL; /* EXTD without EN is an invalid state */
	if (was_x2 && on && !x2)
		return -EINVAL; /* x2APIC -> xAPIC must pass through disabled */
	if (!was_on && x2)
		return -EINVAL; /* disabled -> x2APIC must pass through xAPIC */
	vl->apic_base = (val & ~APICBASE_BSP) | (old & APICBASE_BSP);
	/* Hardware-disabled: reset, so it comes back as after power-up. */
	if (was_on && !on)
		vlapic_reset(vl->vcpu);
	return 0;
}

int vlapic_msr_read(struct vcpu *v, u32 msr, u64 *val)
{
	struct vlapic *vl = vcpu_vlapic(v);
	u32 reg;

	if (msr == MSR_IA32_APICBASE) {
		*val = vl->apic_base;
		return 0;
	}
	if (msr == MSR_IA32_TSC_DEADLINE) {
		unsigned long flags = spin_lock_irqsave(&vl->timer_lock);

		*val = timer_mode(vl) == APIC_TIMER_DEADLINE ? vl->tsc_deadline
							     : 0;
		spin_unlock_irqrestore(&vl->timer_lock, flags);
		return 0;
	}
	if (!x2apic_mode(vl))
		return -EINVAL;
	if (msr == MSR_X2APIC_FIRST + REG(APIC_ICR)) {
		*val = get_reg(vl, APIC_ICR) | (u64)get_reg(vl, APIC_ICR2)
						       << 32;
		return 0;
	}
	if (!read_reg(vl, (msr - MSR_X2APIC_FIRST) << 4, &reg))
		return -EINVAL;
	*val = reg;
	return 0;
}

int vlapic_msr_write(struct vcpu *v, u32 msr, u64 val)
{
	struct vlapic *vl = vcpu_vlapic(v);
	unsigned int off = (msr - MSR_X2APIC_FIRST) << 4;

	if (msr == MSR_IA32_APICBASE)
		return apic_base_write(vl, val);
	if (msr == MSR_IA32_TSC_DEADLINE) {
		unsigned long flags = spin_lock_irqsave(&vl->timer_lock);

		/* Ignored outside TSC-deadline mode (SDM 11.5.4.1). */
		if (timer_mode(vl) == APIC_TIMER_DEADLINE)
			timer_set_tsc_deadline(vl, val);
		spin_unlock_irqrestore(&vl->timer_lock, flags);
		return 0;
	}
	if (!x2apic_mode(vl))
		return -EINVAL;
	if (off == APIC_ICR) {
		/* One 64-bit write: the destination is the high half. */
		set_reg(vl, APIC_ICR2, (u32)(val >> 32));
		set_reg(vl, APIC_ICR, (u32)val & ICR_LOW_MASK);
		send_ipi(vl, (u32)val, (u32)(val >> 32));
		return 0;
	}
	if (val >> 32)
		return -EINVAL; /* the other registers are 32-bit */
	return write_reg(vl, off, (u32)val) ? 0 : -EINVAL;
}

/* ------------------------------------------------------------------ */
/* Life cycle                                                          */

/* The registers after RESET or INIT, the ID and the mode kept. */
static void reset_registers(struct vlapic *vl)
{
	unsigned int off;

	memset(vl->regs, 0, sizeof(vl->regs));
	set_reg(vl, APIC_ID, x2apic_mode(vl) ? 0 : vl->vcpu->vcpu_id << 24);
	set_reg(vl, APIC_LVR, VLAPIC_VERSION);
	set_reg(vl, APIC_DFR, 0xffffffff);
	set_reg(vl, APIC_SPIV, 0xff);
	for (off = APIC_LVTT; off <= APIC_LVTERR; off += 0x10)
		set_reg(vl, off, APIC_LVT_MASKED);
	memset(vl->irr, 0, sizeof(vl->irr));
	memset(vl->isr, 0, sizeof(vl->isr));
	memset(vl->tmr, 0, sizeof(vl->tmr));
	vl->esr_pending = 0;
}

void vlapic_reset(struct vcpu *v)
{
	struct vlapic *vl = vcpu_vlapic(v);
	unsigned long flags = spin_lock_irqsave(&vl->timer_lock);

	timer_disarm(vl);
	reset_registers(vl);
	spin_unlock_irqrestore(&vl->timer_lock, flags);
}

void vlapic_init(struct vcpu *v, bool bsp)
{
	struct vlapic *vl = vcpu_vlapic(v);

	memset(vl, 0, sizeof(*vl));
	vl->vcpu = v;
	vl->apic_base =
		HVM_LAPIC_BASE | APICBASE_ENABLE | (bsp ? APICBASE_BSP : 0);
	spin_lock_init(&vl->timer_lock);
	init_timer(&vl->timer, vlapic_timer_fn, vl, v->processor);
	reset_registers(vl);
}

void vlapic_destroy(struct vcpu *v)
{
	kill_timer(&vcpu_vlapic(v)->timer);
}

void vlapic_dump(struct vcpu *v)
{
	struct vlapic *vl = vcpu_vlapic(v);
	static const char *const modes[] = {"one-shot", "periodic",
					    "TSC-deadline", "?"};
	s_time_t now = NOW();

	printk("      APIC %s%s, TPR %02x, PPR %02x, highest IRR %d, ISR %d; timer %s%s, %lu fired, %lu periods folded",
	       !hw_enabled(vl)	 ? "disabled"
	       : x2apic_mode(vl) ? "x2APIC"
				 : "xAPIC",
	       hw_enabled(vl) && !sw_enabled(vl) ? " (software-disabled)" : "",
	       get_reg(vl, APIC_TASKPRI), processor_priority(vl),
	       highest_bit(vl->irr), highest_bit(vl->isr),
	       modes[timer_mode(vl)],
	       get_reg(vl, APIC_LVTT) & APIC_LVT_MASKED ? " masked" : "",
	       (unsigned long)vl->timer_fires, (unsigned long)vl->timer_missed);
	if (vl->timer_deadline)
		printk(", next in %ld us", (vl->timer_deadline - now) / 1000);
	printk("\n");
}
