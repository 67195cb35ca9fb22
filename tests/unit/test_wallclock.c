/*
 * Host tests of include/wallclock.h and common/wallclock.c: the CMOS RTC
 * decode (BCD and binary, 12- and 24-hour, century register or 20xx) and
 * civil dates to seconds since 1970, checked against values computed
 * independently (GNU date -u -d '<date>' +%s).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <wallclock.h>

/* ---------------------------------------------------------------------------
 * BCD and 12-hour clocks
 */

static void bcd_digits(void **state)
{
	assert_int_equal(bcd_to_bin(0x00), 0);
	assert_int_equal(bcd_to_bin(0x09), 9);
	assert_int_equal(bcd_to_bin(0x10), 10);
	assert_int_equal(bcd_to_bin(0x59), 59);
	assert_int_equal(bcd_to_bin(0x99), 99);
	/* Every byte: valid iff both nibbles are digits, then 10 * hi + lo. */
	for (unsigned int b = 0; b < 256; b++) {
		unsigned int hi = b >> 4, lo = b & 0xf;

		if (hi <= 9 && lo <= 9)
			assert_int_equal(bcd_to_bin(b), hi * 10 + lo);
		else
			assert_int_equal(bcd_to_bin(b), -1);
	}
}

static void twelve_hour_clock(void **state)
{
	assert_int_equal(hour12_to_24(12, false), 0); /* 12 AM: midnight */
	assert_int_equal(hour12_to_24(1, false), 1);
	assert_int_equal(hour12_to_24(11, false), 11);
	assert_int_equal(hour12_to_24(12, true), 12); /* 12 PM: noon */
	assert_int_equal(hour12_to_24(1, true), 13);
	assert_int_equal(hour12_to_24(11, true), 23);
	assert_int_equal(hour12_to_24(0, false), -1);
	assert_int_equal(hour12_to_24(0, true), -1);
	assert_int_equal(hour12_to_24(13, false), -1);
	assert_int_equal(hour12_to_24(13, true), -1);
}

/* ---------------------------------------------------------------------------
 * Calendar
 */

static void leap_years(void **state)
{
	assert_true(is_leap_year(2024));
	assert_true(is_leap_year(2000)); /* divisible by 400 */
	assert_true(is_leap_year(2400));
	assert_false(is_leap_year(1900)); /* by 100, not by 400 */
	assert_false(is_leap_year(2100));
	assert_false(is_leap_year(2023));
	assert_int_equal(days_in_month(2024, 2), 29);
	assert_int_equal(days_in_month(2023, 2), 28);
	assert_int_equal(days_in_month(2100, 2), 28);
	assert_int_equal(days_in_month(2000, 2), 29);
	assert_int_equal(days_in_month(2023, 4), 30);
	assert_int_equal(days_in_month(2023, 12), 31);
	assert_int_equal(days_in_month(2023, 0), 0);
	assert_int_equal(days_in_month(2023, 13), 0);
}

struct date_case {
	struct civil_time t;
	s64 seconds; /* date -u -d '...' +%s */
};

static const struct date_case dates[] = {
	{{1970, 1, 1, 0, 0, 0}, 0},
	{{1970, 1, 1, 0, 0, 1}, 1},
	{{1970, 1, 2, 0, 0, 0}, 86400},
	{{1999, 12, 31, 23, 59, 59}, 946684799},
	{{2000, 1, 1, 0, 0, 0}, 946684800},
	{{2000, 2, 29, 12, 0, 0}, 951825600},
	{{2000, 3, 1, 0, 0, 0}, 951868800},
	{{2024, 1, 1, 0, 0, 0}, 1704067200}, /* Bochs's time0 in the harness */
	{{2024, 2, 29, 0, 0, 0}, 1709164800},
	{{2024, 12, 31, 23, 59, 59}, 1735689599},
	{{2026, 11, 22, 5, 40, 12}, 1795326012},
	{{2038, 1, 19, 3, 14, 8}, 2147483648LL}, /* past 2^31 - 1 */
	{{2100, 2, 28, 0, 0, 0}, 4107456000LL},
	{{2100, 3, 1, 0, 0, 0}, 4107542400LL}, /* 2100 has no 29 Feb */
	{{9999, 12, 31, 23, 59, 59}, 253402300799LL},
};

static void dates_to_seconds(void **state)
{
	for (size_t i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
		s64 got = civil_to_seconds(&dates[i].t);

		if (got != dates[i].seconds)
			fail_msg(
				"%04d-%02u-%02u %02u:%02u:%02u: got %lld, expected %lld",
				dates[i].t.year, dates[i].t.month,
				dates[i].t.day, dates[i].t.hour,
				dates[i].t.minute, dates[i].t.second,
				(long long)got, (long long)dates[i].seconds);
	}
}

/* seconds_to_civil() undoes civil_to_seconds() on every table entry. */
static void seconds_to_dates(void **state)
{
	for (size_t i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
		struct civil_time t;

		seconds_to_civil(dates[i].seconds, &t);
		if (t.year != dates[i].t.year || t.month != dates[i].t.month ||
		    t.day != dates[i].t.day || t.hour != dates[i].t.hour ||
		    t.minute != dates[i].t.minute ||
		    t.second != dates[i].t.second)
			fail_msg("%lld: got %04d-%02u-%02u %02u:%02u:%02u",
				 (long long)dates[i].seconds, t.year, t.month,
				 t.day, t.hour, t.minute, t.second);
	}
}

/* Every day's midnight from 1970 to 2405 converts back to itself. */
static void seconds_round_trip_daily(void **state)
{
	for (s64 day = 0; day < days_from_civil(2406, 1, 1); day++) {
		struct civil_time t;

		seconds_to_civil(day * 86400 + 86399, &t);
		assert_int_equal(days_from_civil(t.year, t.month, t.day), day);
		assert_int_equal(t.hour * 3600 + t.minute * 60 + t.second,
				 86399);
	}
}

/* Known weekdays: 1970-01-01 Thursday, 2000-01-01 Saturday, ... */
static void weekdays(void **state)
{
	assert_int_equal(civil_weekday(1970, 1, 1), 4);
	assert_int_equal(civil_weekday(2000, 1, 1), 6);
	assert_int_equal(civil_weekday(2024, 1, 1), 1);
	assert_int_equal(civil_weekday(2026, 12, 6), 0);
	assert_int_equal(civil_weekday(1969, 12, 31), 3);
}

/* Consecutive days are 86400 s apart, across months, leap days, years. */
static void days_are_consecutive(void **state)
{
	s64 prev = days_from_civil(1969, 12, 31);

	assert_int_equal(prev, -1);
	for (int year = 1970; year <= 2405; year++)
		for (unsigned int m = 1; m <= 12; m++)
			for (unsigned int d = 1; d <= days_in_month(year, m);
			     d++) {
				s64 day = days_from_civil(year, m, d);

				if (day != prev + 1)
					fail_msg(
						"%04d-%02u-%02u is day %lld, after %lld",
						year, m, d, (long long)day,
						(long long)prev);
				prev = day;
			}
	/* 400 Gregorian years are 146097 days. */
	assert_int_equal(days_from_civil(2400, 1, 1) -
				 days_from_civil(2000, 1, 1),
			 146097);
}

static void invalid_dates(void **state)
{
	static const struct civil_time bad[] = {
		{1969, 12, 31, 23, 59, 59}, /* before the epoch */
		{10000, 1, 1, 0, 0, 0},
		{2023, 2, 29, 0, 0, 0}, /* not a leap year */
		{2100, 2, 29, 0, 0, 0},
		{2024, 4, 31, 0, 0, 0},
		{2024, 0, 1, 0, 0, 0},
		{2024, 13, 1, 0, 0, 0},
		{2024, 1, 0, 0, 0, 0},
		{2024, 1, 32, 0, 0, 0},
		{2024, 1, 1, 24, 0, 0},
		{2024, 1, 1, 0, 60, 0},
		{2024, 1, 1, 0, 0, 60},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_false(civil_time_valid(&bad[i]));
		assert_int_equal(civil_to_seconds(&bad[i]), -1);
	}
	assert_true(civil_time_valid(
		&(struct civil_time){2024, 2, 29, 23, 59, 59}));
}

/* ---------------------------------------------------------------------------
 * CMOS decode
 */

#define BCD_24H RTC_REG_B_24HOUR
#define BCD_12H 0
#define BIN_24H (RTC_REG_B_BINARY | RTC_REG_B_24HOUR)
#define BIN_12H RTC_REG_B_BINARY

/* Decodes r, expecting success and the date y-mo-d h:mi:s. */
static void expect_decode(const struct cmos_rtc_regs *r, int y, unsigned int mo,
			  unsigned int d, unsigned int h, unsigned int mi,
			  unsigned int s)
{
	struct civil_time t;
	const char *why = cmos_rtc_decode(r, &t);

	if (why)
		fail_msg("decode failed: %s", why);
	assert_int_equal(t.year, y);
	assert_int_equal(t.month, mo);
	assert_int_equal(t.day, d);
	assert_int_equal(t.hour, h);
	assert_int_equal(t.minute, mi);
	assert_int_equal(t.second, s);
}

static void expect_invalid(const struct cmos_rtc_regs *r)
{
	struct civil_time t;

	assert_non_null(cmos_rtc_decode(r, &t));
}

static void decode_bcd_24h(void **state)
{
	struct cmos_rtc_regs r = {.second = 0x12,
				  .minute = 0x40,
				  .hour = 0x05,
				  .day = 0x22,
				  .month = 0x11,
				  .year = 0x26,
				  .status_b = BCD_24H};

	expect_decode(&r, 2026, 11, 22, 5, 40, 12); /* no century: 20xx */
	r.hour = 0x23;
	expect_decode(&r, 2026, 11, 22, 23, 40, 12);
}

static void decode_binary_24h(void **state)
{
	struct cmos_rtc_regs r = {.second = 59,
				  .minute = 59,
				  .hour = 23,
				  .day = 31,
				  .month = 12,
				  .year = 99,
				  .status_b = BIN_24H};

	expect_decode(&r, 2099, 12, 31, 23, 59, 59);
}

static void decode_12h_edges(void **state)
{
	struct cmos_rtc_regs r = {.second = 0x00,
				  .minute = 0x00,
				  .day = 0x01,
				  .month = 0x01,
				  .year = 0x24,
				  .status_b = BCD_12H};

	r.hour = 0x12; /* 12 AM */
	expect_decode(&r, 2024, 1, 1, 0, 0, 0);
	r.hour = 0x12 | RTC_HOUR_PM; /* 12 PM */
	expect_decode(&r, 2024, 1, 1, 12, 0, 0);
	r.hour = 0x01; /* 1 AM */
	expect_decode(&r, 2024, 1, 1, 1, 0, 0);
	r.hour = 0x01 | RTC_HOUR_PM; /* 1 PM */
	expect_decode(&r, 2024, 1, 1, 13, 0, 0);
	r.hour = 0x11 | RTC_HOUR_PM; /* 11 PM */
	expect_decode(&r, 2024, 1, 1, 23, 0, 0);
	r.hour = 0x11; /* 11 AM */
	expect_decode(&r, 2024, 1, 1, 11, 0, 0);

	/* The same in binary: the PM flag is still bit 7. */
	r = (struct cmos_rtc_regs){.second = 30,
				   .minute = 15,
				   .day = 15,
				   .month = 6,
				   .year = 25,
				   .status_b = BIN_12H};
	r.hour = 12;
	expect_decode(&r, 2025, 6, 15, 0, 15, 30);
	r.hour = 12 | RTC_HOUR_PM;
	expect_decode(&r, 2025, 6, 15, 12, 15, 30);
	r.hour = 7 | RTC_HOUR_PM;
	expect_decode(&r, 2025, 6, 15, 19, 15, 30);

	/* Hour 0 and 13 do not exist on a 12-hour clock. */
	r.hour = 0;
	expect_invalid(&r);
	r.hour = 0 | RTC_HOUR_PM;
	expect_invalid(&r);
	r.hour = 13;
	expect_invalid(&r);
	r.status_b = BCD_12H;
	r.hour = 0x13 | RTC_HOUR_PM;
	r.second = 0x30, r.minute = 0x15, r.day = 0x15, r.month = 0x06,
	r.year = 0x25;
	expect_invalid(&r);
}

static void decode_century(void **state)
{
	struct cmos_rtc_regs r = {.second = 0x00,
				  .minute = 0x00,
				  .hour = 0x00,
				  .day = 0x01,
				  .month = 0x01,
				  .year = 0x00,
				  .status_b = BCD_24H,
				  .has_century = true,
				  .century = 0x20};

	expect_decode(&r, 2000, 1, 1, 0, 0, 0);
	r.century = 0x21;
	expect_decode(&r, 2100, 1, 1, 0, 0, 0);
	r.century = 0x19;
	r.year = 0x99;
	expect_decode(&r, 1999, 1, 1, 0, 0, 0);
	/* 29 February: the century decides whether it exists. */
	r.month = 0x02;
	r.day = 0x29;
	r.year = 0x00;
	r.century = 0x20;
	expect_decode(&r, 2000, 2, 29, 0, 0, 0);
	r.century = 0x21;
	expect_invalid(&r); /* 2100-02-29 */
	r.century = 0x19;
	expect_invalid(&r); /* 1900: before 1970 as well */
	/* Binary century. */
	r = (struct cmos_rtc_regs){.second = 1,
				   .minute = 2,
				   .hour = 3,
				   .day = 4,
				   .month = 5,
				   .year = 6,
				   .status_b = BIN_24H,
				   .has_century = true,
				   .century = 21};
	expect_decode(&r, 2106, 5, 4, 3, 2, 1);
	/* A century register that is not BCD. */
	r.status_b = BCD_24H;
	r.century = 0x2a;
	r.second = 0x01, r.minute = 0x02, r.hour = 0x03, r.day = 0x04,
	r.month = 0x05, r.year = 0x06;
	expect_invalid(&r);
}

static void decode_invalid(void **state)
{
	const struct cmos_rtc_regs good = {.second = 0x12,
					   .minute = 0x40,
					   .hour = 0x05,
					   .day = 0x22,
					   .month = 0x11,
					   .year = 0x26,
					   .status_b = BCD_24H};
	struct cmos_rtc_regs r;

	/* An absent CMOS reads all ones. */
	r = (struct cmos_rtc_regs){0xff, 0xff,	  0xff,	 0xff, 0xff,
				   0xff, BCD_24H, false, 0};
	expect_invalid(&r);
	r.status_b = BIN_24H;
	expect_invalid(&r);

	r = good, r.second = 0x60;
	expect_invalid(&r);
	r = good, r.second = 0x1a; /* not BCD */
	expect_invalid(&r);
	r = good, r.minute = 0x60;
	expect_invalid(&r);
	r = good, r.hour = 0x24;
	expect_invalid(&r);
	r = good, r.day = 0x00;
	expect_invalid(&r);
	r = good, r.day = 0x31; /* 31 November */
	expect_invalid(&r);
	r = good, r.month = 0x00;
	expect_invalid(&r);
	r = good, r.month = 0x13;
	expect_invalid(&r);
	r = good, r.status_b = BIN_24H, r.year = 100;
	expect_invalid(&r);
	r = good, r.status_b = BIN_24H, r.hour = 24, r.second = 12,
	r.minute = 40, r.day = 22, r.month = 11, r.year = 26;
	expect_invalid(&r);
	r = good, r.has_century = true, r.century = 0x19; /* 1926 */
	expect_invalid(&r);
	/* A binary 12-hour PM flag must not leak into 24-hour mode. */
	r = good, r.hour = 0x05 | RTC_HOUR_PM;
	expect_invalid(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bcd_digits),
		cmocka_unit_test(twelve_hour_clock),
		cmocka_unit_test(leap_years),
		cmocka_unit_test(dates_to_seconds),
		cmocka_unit_test(days_are_consecutive),
		cmocka_unit_test(seconds_to_dates),
		cmocka_unit_test(seconds_round_trip_daily),
		cmocka_unit_test(weekdays),
		cmocka_unit_test(invalid_dates),
		cmocka_unit_test(decode_bcd_24h),
		cmocka_unit_test(decode_binary_24h),
		cmocka_unit_test(decode_12h_edges),
		cmocka_unit_test(decode_century),
		cmocka_unit_test(decode_invalid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
