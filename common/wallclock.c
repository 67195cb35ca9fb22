/*
 * Wall-clock conversions: CMOS RTC registers (Motorola MC146818A
 * datasheet, "Time, Calendar and Alarm Locations", "Register B") to a
 * civil date, and a civil date to seconds since 1970. See
 * include/wallclock.h.
 */
#include <wallclock.h>

/* Days from 0000-03-01 to 1970-01-01 in the proleptic Gregorian calendar. */
#define DAYS_0000_03_01_TO_EPOCH 719468
#define DAYS_PER_400_YEARS	 146097
#define SECS_PER_DAY		 86400

int bcd_to_bin(u8 bcd)
{
	unsigned int hi = bcd >> 4, lo = bcd & 0xf;

	if (hi > 9 || lo > 9)
		return -1;
	return hi * 10 + lo;
}

int hour12_to_24(unsigned int hour12, bool pm)
{
	if (hour12 < 1 || hour12 > 12)
		return -1;
	/* 12 AM is midnight (0), 12 PM is noon (12). */
	return (hour12 % 12) + (pm ? 12 : 0);
}

bool is_leap_year(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

unsigned int days_in_month(int year, unsigned int month)
{
	static const unsigned char days[12] = {31, 28, 31, 30, 31, 30,
					       31, 31, 30, 31, 30, 31};

	if (month < 1 || month > 12)
		return 0;
	if (month == 2 && is_leap_year(year))
		return 29;
	return days[month - 1];
}

bool civil_time_valid(const struct civil_time *t)
{
	return t->year >= WALLCLOCK_MIN_YEAR && t->year <= WALLCLOCK_MAX_YEAR &&
	       t->month >= 1 && t->month <= 12 && t->day >= 1 &&
	       t->day <= days_in_month(t->year, t->month) && t->hour <= 23 &&
	       t->minute <= 59 && t->second <= 59;
}

/*
 * Counts from 1 March, so that the leap day ends the year: Howard
 * Hinnant's days_from_civil ("chrono-Compatible Low-Level Date
 * Algorithms"), exact for every year, negative ones included.
 */
s64 days_from_civil(int year, unsigned int month, unsigned int day)
{
	s64 y = (s64)year - (month <= 2);
	s64 era = (y >= 0 ? y : y - 399) / 400;
	s64 yoe = y - era * 400; /* 0-399 */
	s64 doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day -
		  1;					 /* 0-365 */
	s64 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; /* 0-146096 */

	return era * DAYS_PER_400_YEARS + doe - DAYS_0000_03_01_TO_EPOCH;
}

/*
 * Days since 1970 back to a date, the inverse of days_from_civil() by
 * the same 400-year eras counted from 1 March.
 */
static void civil_from_days(s64 days, int *year, unsigned int *month,
			    unsigned int *day)
{
	s64 z = days + DAYS_0000_03_01_TO_EPOCH;
	s64 era = (z >= 0 ? z : z - (DAYS_PER_400_YEARS - 1)) /
		  DAYS_PER_400_YEARS;
	s64 doe = z - era * DAYS_PER_400_YEARS; /* 0-146096 */
	s64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) /
		  365;					   /* 0-399 */
	s64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100); /* 0-365 */
	s64 mp = (5 * doy + 2) / 153; /* 0-11, from March */

	*day = (unsigned int)(doy - (153 * mp + 2) / 5 + 1);
	*month = (unsigned int)(mp < 10 ? mp + 3 : mp - 9);
	*year = (int)(yoe + era * 400 + (*month <= 2));
}

void seconds_to_civil(s64 secs, struct civil_time *out)
{
	s64 days = secs / SECS_PER_DAY, rem = secs % SECS_PER_DAY;

	if (rem < 0) {
		rem += SECS_PER_DAY;
		days--;
	}
	civil_from_days(days, &out->year, &out->month, &out->day);
	out->hour = (unsigned int)(rem / 3600);
	out->minute = (unsigned int)(rem / 60 % 60);
	out->second = (unsigned int)(rem % 60);
}

unsigned int civil_weekday(int year, unsigned int month, unsigned int day)
{
	s64 days = days_from_civil(year, month, day);

	/* 1970-01-01 was a Thursday (4). */
	return (unsigned int)(((days % 7) + 7 + 4) % 7);
}

s64 civil_to_seconds(const struct civil_time *t)
{
	if (!civil_time_valid(t))
		return -1;
	return days_from_civil(t->year, t->month, t->day) * SECS_PER_DAY +
	       t->hour * 3600 + t->minute * 60 + t->second;
}

/* A register's value in binary or BCD, or -1 if it is not valid BCD. */
static int rtc_value(u8 raw, bool binary)
{
	return binary ? raw : bcd_to_bin(raw);
}

const char *cmos_rtc_decode(const struct cmos_rtc_regs *regs,
			    struct civil_time *out)
{
	bool binary = regs->status_b & RTC_REG_B_BINARY;
	bool hour24 = regs->status_b & RTC_REG_B_24HOUR;
	u8 hour_raw = regs->hour;
	int second, minute, hour, day, month, year, century = 20;

	second = rtc_value(regs->second, binary);
	minute = rtc_value(regs->minute, binary);
	if (!hour24)
		hour_raw &= ~RTC_HOUR_PM;
	hour = rtc_value(hour_raw, binary);
	day = rtc_value(regs->day, binary);
	month = rtc_value(regs->month, binary);
	year = rtc_value(regs->year, binary);
	if (regs->has_century)
		century = rtc_value(regs->century, binary);
	if (second < 0 || minute < 0 || hour < 0 || day < 0 || month < 0 ||
	    year < 0 || century < 0)
		return "a register is not valid BCD";

	if (!hour24) {
		hour = hour12_to_24(hour, regs->hour & RTC_HOUR_PM);
		if (hour < 0)
			return "the hour is not in 1-12 (12-hour mode)";
	}
	if (year > 99)
		return "the year register is above 99";
	if (century > 99)
		return "the century register is above 99";

	*out = (struct civil_time){
		.year = century * 100 + year,
		.month = month,
		.day = day,
		.hour = hour,
		.minute = minute,
		.second = second,
	};
	if (out->year < WALLCLOCK_MIN_YEAR)
		return "the year is before 1970";
	if (out->month < 1 || out->month > 12)
		return "the month is not in 1-12";
	if (out->day < 1 || out->day > days_in_month(out->year, out->month))
		return "the day is not in the month";
	if (out->hour > 23 || out->minute > 59 || out->second > 59)
		return "the time of day is out of range";
	return NULL;
}
