/*
 * Wall-clock conversions (common/wallclock.c): the CMOS real-time clock's
 * registers as read (Motorola MC146818A datasheet: BCD or binary, 12- or
 * 24-hour, per register B) into a civil date and time, and a civil date
 * and time into seconds since 1970-01-01 00:00 (the proleptic Gregorian
 * calendar, no leap seconds, no time zone: PC firmware usually keeps
 * local time, and the RTC does not say which).
 *
 * Portable: used by the kernel's RTC driver (arch/x86/rtc.c) and by the
 * host unit tests (tests/unit/test_wallclock.c). Every call is a pure
 * function of its arguments and safe from any context.
 */
#ifndef KAIROS_WALLCLOCK_H
#define KAIROS_WALLCLOCK_H

#include <types.h>

/* Register B bits (MC146818A, "Register B"). */
#define RTC_REG_B_24HOUR (1U << 1) /* 24/12: 1 = 24-hour mode */
#define RTC_REG_B_BINARY (1U << 2) /* DM: 1 = binary, 0 = BCD */
/* In 12-hour mode the hour register's bit 7 means PM. */
#define RTC_HOUR_PM (1U << 7)

/* The earliest year a date may have: seconds since 1970 are not negative. */
#define WALLCLOCK_MIN_YEAR 1970
#define WALLCLOCK_MAX_YEAR 9999

/* A civil date and time, as the RTC keeps it. */
struct civil_time {
	int year;	     /* e.g. 2026 */
	unsigned int month;  /* 1-12 */
	unsigned int day;    /* 1-31, within the month */
	unsigned int hour;   /* 0-23 */
	unsigned int minute; /* 0-59 */
	unsigned int second; /* 0-59 (the RTC has no leap second) */
};

/* The CMOS RTC's time and date registers as read, undecoded. */
struct cmos_rtc_regs {
	u8 second, minute, hour, day, month, year; /* registers 0-9 */
	u8 status_b;				   /* register B: RTC_REG_B_* */
	bool has_century; /* the FADT names a century register */
	u8 century;	  /* its value, if has_century */
};

/* The value of a BCD byte, or -1 if either digit is above 9. */
int bcd_to_bin(u8 bcd);

/*
 * The 24-hour hour of a 12-hour clock's hour (1-12) and PM flag: 12 AM is
 * 0, 12 PM is 12. -1 if hour12 is not in 1-12.
 */
int hour12_to_24(unsigned int hour12, bool pm);

/* True for Gregorian leap years: divisible by 4, not by 100 unless by 400. */
bool is_leap_year(int year);

/* Days in month (1-12) of year; 0 for a month out of range. */
unsigned int days_in_month(int year, unsigned int month);

/* True if every field is in range, the year in [1970, 9999]. */
bool civil_time_valid(const struct civil_time *t);

/* Days from 1970-01-01 to year-month-day (negative before 1970). */
s64 days_from_civil(int year, unsigned int month, unsigned int day);

/* Seconds since 1970-01-01 00:00:00, or -1 if t is not valid. */
s64 civil_to_seconds(const struct civil_time *t);

/*
 * The inverse: the civil date and time of secs seconds since 1970
 * (secs >= 0), e.g. for a guest's virtual RTC.
 */
void seconds_to_civil(s64 secs, struct civil_time *out);

/* Day of the week of a civil date: 0 Sunday .. 6 Saturday. */
unsigned int civil_weekday(int year, unsigned int month, unsigned int day);

/*
 * Decodes the registers into *out: BCD or binary and 12- or 24-hour as
 * register B says; the century from its register when there is one, else
 * 20xx. Returns NULL on success, else a sentence saying what is invalid
 * (for the log); *out is then unspecified.
 */
const char *cmos_rtc_decode(const struct cmos_rtc_regs *regs,
			    struct civil_time *out);

#endif /* KAIROS_WALLCLOCK_H */
