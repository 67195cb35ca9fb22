/*
 * rtc: the CMOS clock as an OS reads it at boot (MC146818A data sheet;
 * the PC's CMOS at ports 0x70/0x71): registers 0x00-0x09 give a valid
 * date and time, in BCD or binary and 12- or 24-hour form as register B
 * says; register D reports valid time; register A's update-in-progress
 * bit is set for at most 244 us + 1984 us around each update, and the
 * seconds change as it falls; over ~1.1 s the seconds advance by 1 or 2.
 */
#include "acpi.h"
#include "hvmtest.h"
#include "time.h"

#define CMOS_INDEX 0x70
#define CMOS_DATA  0x71

#define RTC_SECONDS 0x00
#define RTC_MINUTES 0x02
#define RTC_HOURS   0x04
#define RTC_WEEKDAY 0x06
#define RTC_DAY	    0x07
#define RTC_MONTH   0x08
#define RTC_YEAR    0x09
#define RTC_REG_A   0x0a
#define RTC_REG_B   0x0b
#define RTC_REG_D   0x0d

#define REG_A_UIP    0x80
#define REG_B_24H    0x02
#define REG_B_BINARY 0x04
#define REG_D_VRT    0x80
#define HOUR_PM	     0x80

#define UIP_MAX_NS	(2228 * NSEC_PER_USEC) /* 244 us + 1984 us */
#define ADVANCE_WAIT_NS (1100 * NSEC_PER_MSEC)
#define RISE_SLACK_NS	(100 * NSEC_PER_USEC)
#define UIP_EXTRA_NS	(1000 * NSEC_PER_MSEC)
#define UIP_SLACK_NS	(50 * NSEC_PER_MSEC) /* preemption while UIP is set */
/* Reads this close leave no 244 us without a read of register A. */
#define DENSE_GAP_NS  (100 * NSEC_PER_USEC)
#define SECONDS_EVERY 8

static u64 max_u64(u64 a, u64 b)
{
	return a > b ? a : b;
}

static u8 cmos_read(u8 reg)
{
	outb(CMOS_INDEX, reg);
	return inb(CMOS_DATA);
}

struct rtc_time {
	u8 sec, min, hour, weekday, day, month, year, century;
};

/* Reads until two reads agree, each with UIP clear; false if never. */
static bool read_time(struct rtc_time *out)
{
	unsigned int tries;

	for (tries = 0; tries < 100; tries++) {
		struct rtc_time a, b;
		u64 start = rdtsc_ordered();

		while ((cmos_read(RTC_REG_A) & REG_A_UIP) &&
		       rdtsc_ordered() - start < ns_to_tsc(2 * UIP_MAX_NS))
			cpu_relax();
		a = (struct rtc_time){
			cmos_read(RTC_SECONDS),
			cmos_read(RTC_MINUTES),
			cmos_read(RTC_HOURS),
			cmos_read(RTC_WEEKDAY),
			cmos_read(RTC_DAY),
			cmos_read(RTC_MONTH),
			cmos_read(RTC_YEAR),
			acpi.century_cmos ? cmos_read(acpi.century_cmos) : 0};
		b = (struct rtc_time){
			cmos_read(RTC_SECONDS),
			cmos_read(RTC_MINUTES),
			cmos_read(RTC_HOURS),
			cmos_read(RTC_WEEKDAY),
			cmos_read(RTC_DAY),
			cmos_read(RTC_MONTH),
			cmos_read(RTC_YEAR),
			acpi.century_cmos ? cmos_read(acpi.century_cmos) : 0};
		if (!memcmp(&a, &b, sizeof(a))) {
			*out = a;
			return true;
		}
	}
	return false;
}

static bool valid_bcd(u8 v)
{
	return (v & 0xf) <= 9 && (v >> 4) <= 9;
}

static u8 bcd(u8 v)
{
	return (u8)((v >> 4) * 10 + (v & 0xf));
}

static unsigned int days_in_month(unsigned int month, unsigned int year)
{
	static const u8 days[] = {31, 28, 31, 30, 31, 30,
				  31, 31, 30, 31, 30, 31};

	if (month == 2 && year % 4 == 0 && (year % 100 != 0 || year % 400 == 0))
		return 29;
	return days[month - 1];
}

static void date_time(struct test *t)
{
	u8 b = cmos_read(RTC_REG_B), d = cmos_read(RTC_REG_D);
	bool binary = b & REG_B_BINARY, h24 = b & REG_B_24H;
	struct rtc_time r;
	unsigned int sec, min, hour, day, month, year, century, pm;

	if (!CHECK(t, read_time(&r), "no two reads of the time agreed"))
		return;
	CHECK(t, d & REG_D_VRT, "register D %#x: time not valid (VRT clear)",
	      d);
	pm = !h24 && (r.hour & HOUR_PM);
	r.hour &= h24 ? 0xff : (u8)~HOUR_PM;
	if (!binary) {
		const u8 *f = &r.sec;
		unsigned int i;

		for (i = 0; i < sizeof(r); i++)
			if (!CHECK(t, valid_bcd(f[i]),
				   "register field %u = %#x is not BCD", i,
				   f[i]))
				return;
	}
	sec = binary ? r.sec : bcd(r.sec);
	min = binary ? r.min : bcd(r.min);
	hour = binary ? r.hour : bcd(r.hour);
	day = binary ? r.day : bcd(r.day);
	month = binary ? r.month : bcd(r.month);
	year = binary ? r.year : bcd(r.year);
	century =
		acpi.century_cmos ? (binary ? r.century : bcd(r.century)) : 20;
	if (!h24)
		hour = hour % 12 + (pm ? 12 : 0);
	test_diag(t,
		  "%02u%02u-%02u-%02u %02u:%02u:%02u, weekday %u (%s, "
		  "%s-hour; B %#x)",
		  century, year, month, day, hour, min, sec, r.weekday,
		  binary ? "binary" : "BCD", h24 ? "24" : "12", b);
	CHECK(t, sec < 60 && min < 60 && hour < 24, "time %u:%u:%u", hour, min,
	      sec);
	CHECK(t, year < 100, "year %u", year);
	if (CHECK(t, month >= 1 && month <= 12, "month %u", month))
		CHECK(t,
		      day >= 1 &&
			      day <= days_in_month(month, century * 100 + year),
		      "day %u of month %u", day, month);
	CHECK(t, r.weekday >= 1 && r.weekday <= 7, "weekday %u", r.weekday);
}

static u8 read_seconds(void)
{
	struct rtc_time r;

	read_time(&r);
	return r.sec;
}

/*
 * Watches register A for one more second after the main loop saw no UIP
 * (this vCPU preempted across it?); returns the falling edges seen. The
 * seconds are read every SECONDS_EVERY polls: an update between two such
 * reads, around which no two reads were more than DENSE_GAP_NS apart (so
 * that every 244 us before it held a read of register A), must have shown
 * UIP; it counts in *dense, and in *dense_missed if it did not.
 */
static unsigned int watch_one_more_second(u64 start, unsigned int *dense,
					  unsigned int *dense_missed)
{
	u64 last = rdtsc_ordered(), gap = 0, gap_before = ~0ull;
	u8 sec = cmos_read(RTC_SECONDS);
	bool uip = false, uip_since = false;
	unsigned int edges = 0, polls = 0;
	u8 now_sec;

	while (!edges &&
	       last - start < ns_to_tsc(ADVANCE_WAIT_NS + UIP_EXTRA_NS)) {
		bool now = cmos_read(RTC_REG_A) & REG_A_UIP;
		u64 polled = rdtsc_ordered();

		edges += uip && !now;
		uip_since |= now;
		uip = now;
		gap = max_u64(gap, polled - last);
		last = polled;
		if (++polls % SECONDS_EVERY)
			continue;
		now_sec = cmos_read(RTC_SECONDS);
		polled = rdtsc_ordered();
		gap = max_u64(gap, polled - last);
		last = polled;
		if (now_sec != sec &&
		    max_u64(gap, gap_before) <= ns_to_tsc(DENSE_GAP_NS)) {
			(*dense)++;
			*dense_missed += !uip_since;
		}
		sec = now_sec;
		gap_before = gap;
		gap = 0;
		uip_since = now;
	}
	return edges;
}

/*
 * Polls register A for ~1.1 s. At each rising edge of UIP the seconds
 * still hold (the update starts 244 us after UIP is set): they are read
 * then, and must have changed at the falling edge. A rising edge this
 * vCPU saw late (more than RISE_SLACK_NS after the last poll that saw UIP
 * clear, the seconds read included: it was preempted) proves nothing and
 * is not judged; the time UIP stayed set is measured from the last poll
 * before the rise, an upper bound.
 */
static void seconds_advance(struct test *t)
{
	bool binary = cmos_read(RTC_REG_B) & REG_B_BINARY;
	u64 start, last, clear_seen = 0, longest = 0, polls = 0;
	unsigned int edges = 0, judged = 0, stale = 0, s0, s1, step;
	unsigned int dense = 0, dense_missed = 0;
	bool uip, timely = false;
	u8 at_rise = 0;

	s0 = read_seconds();
	uip = cmos_read(RTC_REG_A) & REG_A_UIP;
	start = last = rdtsc_ordered();
	while (last - start < ns_to_tsc(ADVANCE_WAIT_NS)) {
		bool now = cmos_read(RTC_REG_A) & REG_A_UIP;
		u64 polled = rdtsc_ordered();

		if (now && !uip) {
			at_rise = cmos_read(RTC_SECONDS);
			timely = rdtsc_ordered() - last <=
				 ns_to_tsc(RISE_SLACK_NS);
			clear_seen = last;
		} else if (!now && uip && clear_seen) {
			u8 after = cmos_read(RTC_SECONDS);

			edges++;
			if (polled - clear_seen > longest)
				longest = polled - clear_seen;
			if (timely) {
				judged++;
				stale += after == at_rise;
			}
		}
		uip = now;
		last = polled;
		polls++;
	}
	s1 = read_seconds();
	if (!edges)
		edges = watch_one_more_second(start, &dense, &dense_missed);
	if (!binary) {
		s0 = bcd((u8)s0);
		s1 = bcd((u8)s1);
	}
	step = (s1 + 60 - s0) % 60;
	test_diag(t,
		  "seconds %u -> %u over %lu ms; %lu polls of register A; "
		  "UIP set %u times (%u judged), at most %lu us",
		  s0, s1, (unsigned long)(ADVANCE_WAIT_NS / NSEC_PER_MSEC),
		  (unsigned long)polls, edges, judged,
		  (unsigned long)(tsc_to_ns(longest) / NSEC_PER_USEC));
	CHECK(t, step == 1 || step == 2, "the seconds moved by %u in 1.1 s",
	      step);
	CHECK(t, stale == 0, "%u of %u updates left the seconds unchanged",
	      stale, judged);
	/* The bound is loose by the polls' gaps; far past it is a stuck UIP. */
	if (edges)
		CHECK(t, tsc_to_ns(longest) <= UIP_MAX_NS + UIP_SLACK_NS,
		      "UIP stayed set up to %lu us",
		      (unsigned long)(tsc_to_ns(longest) / NSEC_PER_USEC));
	else if (dense)
		check_strict(t, dense_missed == 0,
			     "UIP never seen set across %u of %u updates "
			     "polled every %lu us or faster",
			     dense_missed, dense,
			     (unsigned long)(DENSE_GAP_NS / NSEC_PER_USEC));
	else
		test_diag(t, "UIP not judged: this vCPU was preempted across "
			     "every update");
}

DEFINE_SUITE(rtc, false, TEST_CASE(date_time), TEST_CASE(seconds_advance));
