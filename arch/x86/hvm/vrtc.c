/*
 * The guest's CMOS RTC and NVRAM (Motorola MC146818A datasheet; ports
 * 0x70 index, 0x71 data): the date and time follow the hypervisor's
 * clock from the wall-clock time the boot read (boot_wallclock()), in
 * the BCD or binary and 12- or 24-hour format register B asks for, with
 * the update cycle of the real part: update-in-progress rises 244 us
 * before each second and falls 1984 us after it, when the new time
 * becomes readable (the datasheet's tBUC and tUC), so that a reader who
 * waits for UIP to fall sees the seconds change then. The clock cannot be set: writes to it are
 * ignored; the rest of the 128 bytes is plain NVRAM.
 */
#include <asm/hvm/hvm.h>
#include <asm/hvm/platform.h>
#include <domain.h>
#include <systime.h>
#include <wallclock.h>

#define RTC_SECONDS	     0x00
#define RTC_MINUTES	     0x02
#define RTC_HOURS	     0x04
#define RTC_WEEKDAY	     0x06
#define RTC_DAY		     0x07
#define RTC_MONTH	     0x08
#define RTC_YEAR	     0x09
#define RTC_REG_A	     0x0a
#define RTC_REG_B	     0x0b
#define RTC_REG_C	     0x0c
#define RTC_REG_D	     0x0d
#define RTC_CENTURY	     0x32 /* where QEMU and most PCs keep it */
#define RTC_REG_A_UIP	     0x80
#define RTC_REG_A_DEFAULT    0x26    /* 32.768 kHz time base, 1024 Hz rate */
#define RTC_REG_D_VRT	     0x80    /* valid RAM and time */
#define RTC_BEFORE_UPDATE_NS 244000  /* tBUC: UIP set before the update */
#define RTC_UPDATE_NS	     1984000 /* tUC: the update cycle */
/* Without an RTC of its own to start from: 2024-01-01 00:00 UTC. */
#define RTC_FALLBACK_EPOCH 1704067200LL

static u8 to_bcd(unsigned int v)
{
	return (u8)(((v / 10) << 4) | (v % 10));
}

static u8 encode(unsigned int v, u8 reg_b)
{
	return reg_b & RTC_REG_B_BINARY ? (u8)v : to_bcd(v);
}

/* Nanoseconds since 1970 on the guest's clock. */
static s64 rtc_now_ns(void)
{
	s64 base = boot_wallclock();

	if (base < 0)
		base = RTC_FALLBACK_EPOCH;
	return base * NSEC_PER_SEC + NOW();
}

static u8 clock_register(const struct hvm_vrtc *rtc, u8 index)
{
	u8 reg_b = rtc->nvram[RTC_REG_B];
	s64 ns = rtc_now_ns();
	struct civil_time t;
	unsigned int hour;

	/* The registers show the new second once the update cycle is over. */
	seconds_to_civil((ns - RTC_UPDATE_NS) / NSEC_PER_SEC, &t);
	switch (index) {
	case RTC_SECONDS:
		return encode(t.second, reg_b);
	case RTC_MINUTES:
		return encode(t.minute, reg_b);
	case RTC_HOURS:
		if (reg_b & RTC_REG_B_24HOUR)
			return encode(t.hour, reg_b);
		hour = t.hour % 12 ? t.hour % 12 : 12;
		return encode(hour, reg_b) | (t.hour >= 12 ? RTC_HOUR_PM : 0);
	case RTC_WEEKDAY:
		return encode(civil_weekday(t.year, t.month, t.day) + 1, reg_b);
	case RTC_DAY:
		return encode(t.day, reg_b);
	case RTC_MONTH:
		return encode(t.month, reg_b);
	case RTC_YEAR:
		return encode((unsigned int)t.year % 100, reg_b);
	case RTC_CENTURY:
		return encode((unsigned int)t.year / 100, reg_b);
	case RTC_REG_A:
		return RTC_REG_A_DEFAULT |
		       (ns % NSEC_PER_SEC >= NSEC_PER_SEC -
							RTC_BEFORE_UPDATE_NS ||
					ns % NSEC_PER_SEC < RTC_UPDATE_NS
				? RTC_REG_A_UIP
				: 0);
	case RTC_REG_C:
		return 0; /* no alarm, periodic or update interrupts */
	case RTC_REG_D:
		return RTC_REG_D_VRT;
	default:
		return rtc->nvram[index];
	}
}

static bool is_clock(u8 index)
{
	return index <= RTC_YEAR || index == RTC_CENTURY ||
	       (index >= RTC_REG_A && index <= RTC_REG_D && index != RTC_REG_B);
}

int vrtc_io(struct vcpu *v, u16 port, bool in, u32 *val)
{
	struct hvm_domain *hd = v->domain->hvm;
	struct hvm_vrtc *rtc = &hd->rtc;
	unsigned long flags = spin_lock_irqsave(&hd->io_lock);

	if (port == HVM_CMOS_PORT) {
		if (in)
			*val = 0xff; /* the index port is write-only */
		else
			rtc->index =
				*val & 0x7f; /* bit 7 gates NMIs: ignored */
	} else if (in) {
		*val = clock_register(rtc, rtc->index);
	} else if (rtc->index == RTC_REG_B) {
		/* Format bits; SET (bit 7) would stop a clock we keep. */
		rtc->nvram[RTC_REG_B] = (u8)*val & 0x7e;
	} else if (!is_clock(rtc->index)) {
		rtc->nvram[rtc->index] = (u8)*val;
	}
	spin_unlock_irqrestore(&hd->io_lock, flags);
	return 0;
}

void vrtc_init(struct domain *d)
{
	/* 24-hour BCD, as PC firmware leaves it. */
	d->hvm->rtc.nvram[RTC_REG_B] = RTC_REG_B_24HOUR;
}
