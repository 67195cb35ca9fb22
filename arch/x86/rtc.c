/*
 * The CMOS RTC, read once. Motorola MC146818A datasheet: "Time, Calendar
 * and Alarm Locations" (registers 0-9), "Register A" (UIP), "Register B"
 * (DM, 24/12); ACPI 6.5, 5.2.9 for the FADT's CENTURY index and
 * CMOS_RTC_NOT_PRESENT flag.
 */
#include <acpi.h>
#include <asm/io.h>
#include <asm/rtc.h>
#include <printk.h>
#include <wallclock.h>

/*
 * Index and data ports. Bit 7 of the index is the NMI mask on many
 * chipsets; we write indexes below 0x80, which leaves NMIs enabled.
 */
#define CMOS_INDEX 0x70
#define CMOS_DATA  0x71

/* Registers (MC146818A, "Time, Calendar and Alarm Locations"). */
#define RTC_SECONDS   0x00
#define RTC_MINUTES   0x02
#define RTC_HOURS     0x04
#define RTC_DAY	      0x07 /* of the month */
#define RTC_MONTH     0x08
#define RTC_YEAR      0x09
#define RTC_REG_A     0x0a
#define RTC_REG_B     0x0b
#define RTC_REG_A_UIP 0x80 /* update in progress */
/* The CMOS RAM's size: a century index at or above it is bogus. */
#define CMOS_RAM_SIZE 0x80

/*
 * UIP stays set for at most 1984 us of each second (MC146818A, "Update
 * Cycle"); each port read takes at least 0.1 us even on an emulator, so
 * 10^6 reads wait well over that.
 */
#define RTC_UIP_SPINS 1000000U
/* Two consecutive reads disagree only across a second's update. */
#define RTC_READ_TRIES 10

static u8 cmos_read(u8 index)
{
	outb(CMOS_INDEX, index);
	return inb(CMOS_DATA);
}

int rtc_read_seconds(void)
{
	/*
	 * With UIP clear no update starts for 244 us (MC146818A, "Update
	 * Cycle"): the seconds register read right after is whole.
	 */
	if (cmos_read(RTC_REG_A) & RTC_REG_A_UIP)
		return -1;
	return cmos_read(RTC_SECONDS);
}

/* True once the update-in-progress flag reads clear. */
static bool rtc_wait_uip_clear(void)
{
	for (unsigned int i = 0; i < RTC_UIP_SPINS; i++)
		if (!(cmos_read(RTC_REG_A) & RTC_REG_A_UIP))
			return true;
	return false;
}

static void rtc_read_regs(struct cmos_rtc_regs *r, u8 century_index)
{
	r->second = cmos_read(RTC_SECONDS);
	r->minute = cmos_read(RTC_MINUTES);
	r->hour = cmos_read(RTC_HOURS);
	r->day = cmos_read(RTC_DAY);
	r->month = cmos_read(RTC_MONTH);
	r->year = cmos_read(RTC_YEAR);
	r->status_b = cmos_read(RTC_REG_B);
	r->has_century = century_index != 0;
	r->century = century_index ? cmos_read(century_index) : 0;
}

static bool rtc_regs_equal(const struct cmos_rtc_regs *a,
			   const struct cmos_rtc_regs *b)
{
	return a->second == b->second && a->minute == b->minute &&
	       a->hour == b->hour && a->day == b->day && a->month == b->month &&
	       a->year == b->year && a->status_b == b->status_b &&
	       a->century == b->century;
}

/* Two consecutive reads outside an update that agree; false if none. */
static bool rtc_read_stable(struct cmos_rtc_regs *r, u8 century_index)
{
	struct cmos_rtc_regs again;

	for (unsigned int i = 0; i < RTC_READ_TRIES; i++) {
		if (!rtc_wait_uip_clear())
			return false;
		rtc_read_regs(r, century_index);
		if (!rtc_wait_uip_clear())
			return false;
		rtc_read_regs(&again, century_index);
		if (rtc_regs_equal(r, &again))
			return true;
	}
	return false;
}

s64 rtc_read_wallclock(void)
{
	u8 century_index = acpi_info.fadt.century;
	struct cmos_rtc_regs regs;
	struct civil_time t;
	const char *why;

	if (acpi_info.fadt.cmos_rtc_not_present) {
		pr_info("RTC: none (the FADT says CMOS_RTC_NOT_PRESENT); no wall clock\n");
		return -1;
	}
	if (century_index >= CMOS_RAM_SIZE) {
		pr_warn("RTC: the FADT's century index %#x is outside the CMOS; assuming 20xx\n",
			century_index);
		century_index = 0;
	}
	if (!rtc_read_stable(&regs, century_index)) {
		pr_warn("RTC: no two consecutive reads agreed outside an update (%u tries); no wall clock\n",
			RTC_READ_TRIES);
		return -1;
	}
	why = cmos_rtc_decode(&regs, &t);
	if (why) {
		pr_warn("RTC: invalid date: %s (registers %02x:%02x:%02x %02x-%02x-%02x, century %02x, B %02x); no wall clock\n",
			why, regs.hour, regs.minute, regs.second, regs.day,
			regs.month, regs.year, regs.century, regs.status_b);
		return -1;
	}
	pr_info("RTC: %04d-%02u-%02u %02u:%02u:%02u\n", t.year, t.month, t.day,
		t.hour, t.minute, t.second);
	return civil_to_seconds(&t);
}
