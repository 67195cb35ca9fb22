/*
 * The guest's ACPI fixed hardware (ACPI 6.5, 4.8 "ACPI Hardware
 * Model"), at the ports the FADT gives (asm/hvm/platform.h): the PM1a
 * event block (status and enable), the PM1a control block, where
 * writing SLP_TYP = the DSDT's \_S5 value with SLP_EN powers the domain
 * off, and the 24-bit PM timer at 3.579545 MHz, which follows system
 * time, so that a guest can calibrate its TSC against it as against
 * QEMU's. ACPI mode is always on (SCI_EN reads as set; there is no SMI
 * command port).
 */
#include <asm/hvm/hvm.h>
#include <asm/hvm/platform.h>
#include <domain.h>
#include <errno.h>
#include <printk.h>
#include <public/sched.h>
#include <systime.h>
#include <time_scale.h>

#define PM_TIMER_HZ	   3579545
#define PM_TIMER_MASK	   0xffffff
#define PM1_CNT_SCI_EN	   (1U << 0)
#define PM1_CNT_SLP_TYP(v) (((v) >> 10) & 7)
#define PM1_CNT_SLP_EN	   (1U << 13)
#define PM1_STS_TMR	   (1U << 0)
#define PM1_STS_WAK	   (1U << 15)

static u32 pm_timer(void)
{
	return (u32)mul_div_u64((u64)NOW(), PM_TIMER_HZ, NSEC_PER_SEC) &
	       PM_TIMER_MASK;
}

/* The 32 bits of the register that holds port, and port's byte in it. */
static u32 read_block(struct hvm_domain *hd, u16 base)
{
	switch (base) {
	case HVM_PM1A_EVT_BLK:
		return hd->pm1_status | (u32)hd->pm1_enable << 16;
	case HVM_PM1A_CNT_BLK:
		return hd->pm1_control | PM1_CNT_SCI_EN;
	default:
		return pm_timer();
	}
}

static void sleep_request(struct vcpu *v, u16 control)
{
	struct domain *d = v->domain;
	unsigned int typ = PM1_CNT_SLP_TYP(control);

	if (typ == HVM_ACPI_S5_SLP_TYP) {
		vuart_flush(d);
		printk("Domain %u (%s): ACPI power-off (S5 by PM1a control)\n",
		       d->domid, d->name);
		domain_shutdown(d, SHUTDOWN_poweroff, 0);
		return;
	}
	/* Said once: a guest probing sleep states must not flood the log. */
	if (!__atomic_exchange_n(&d->hvm->sleep_refused_reported, true,
				 __ATOMIC_RELAXED))
		printk("(d%u) [hvm: ACPI sleep type %u asked for: only S5 (power-off) is offered; ignored (said once)]\n",
		       d->domid, typ);
}

int acpi_pm_io(struct vcpu *v, u16 port, unsigned int size, bool in, u32 *val)
{
	struct hvm_domain *hd = v->domain->hvm;
	u16 base = port < HVM_PM1A_CNT_BLK ? HVM_PM1A_EVT_BLK
		   : port < HVM_PM_TMR_BLK ? HVM_PM1A_CNT_BLK
					   : HVM_PM_TMR_BLK;
	unsigned int shift = 8 * (port - base);
	unsigned long flags;
	u32 mask = size == 4 ? 0xffffffffU : (1U << (8 * size)) - 1;
	u32 w;

	if (base == HVM_PM1A_CNT_BLK && port >= HVM_PM1A_CNT_BLK + 2)
		return -ENODEV; /* PM1_CNT_LEN is 2 */
	flags = spin_lock_irqsave(&hd->io_lock);
	if (in) {
		*val = (read_block(hd, base) >> shift) & mask;
		spin_unlock_irqrestore(&hd->io_lock, flags);
		return 0;
	}
	w = (*val & mask) << shift;
	switch (base) {
	case HVM_PM1A_EVT_BLK:
		/* Status bits clear where 1 is written; enable is plain. */
		hd->pm1_status &= ~(u16)(w & 0xffff);
		if (shift + 8 * size > 16)
			hd->pm1_enable = (u16)(w >> 16);
		break;
	case HVM_PM1A_CNT_BLK:
		hd->pm1_control =
			(u16)((hd->pm1_control & ~(mask << shift)) | w) &
			~PM1_CNT_SLP_EN;
		spin_unlock_irqrestore(&hd->io_lock, flags);
		if (w & PM1_CNT_SLP_EN)
			sleep_request(v, (u16)w | hd->pm1_control);
		return 0;
	default:
		break; /* the timer is read-only */
	}
	spin_unlock_irqrestore(&hd->io_lock, flags);
	return 0;
}
