/*
 * The CMOS real-time clock (arch/x86/rtc.c): Motorola MC146818A
 * compatible, behind the index/data ports 0x70/0x71 of every PC, read
 * once at boot for the date in the boot log (the conversions are
 * include/wallclock.h). The FADT may say there is none
 * (IAPC_BOOT_ARCH.CMOS_RTC_NOT_PRESENT, ACPI 6.5, 5.2.9.3) and may name
 * the CMOS index of a century register (FADT CENTURY, 5.2.9).
 *
 * Concurrency: boot CPU, interrupts enabled or not; nothing else uses the
 * CMOS index port, so the index/data pair is not locked. The one other
 * reader, the TSC's last-resort calibration, runs in time_init() before
 * the wall clock is read.
 */
#ifndef ASM_X86_RTC_H
#define ASM_X86_RTC_H

#include <types.h>

/*
 * Reads the date and time (two consecutive reads outside an update must
 * agree, within a bounded number of tries), prints it on one log line
 * ("RTC: 2026-11-22 05:40:12") and returns it in seconds since 1970-01-01
 * 00:00 as the RTC keeps it (usually local time). Returns -1, with a
 * message saying why, if the FADT says there is no RTC, if the RTC never
 * settles, or if its values are not a valid date.
 */
s64 rtc_read_wallclock(void);

/*
 * The seconds register as it reads (BCD or binary: compare it only with
 * itself), or -1 while an update is in progress. Its change once a
 * second makes the RTC a (slow) time reference where nothing else
 * counts. The caller checks the FADT's CMOS_RTC_NOT_PRESENT first.
 */
int rtc_read_seconds(void);

#endif /* ASM_X86_RTC_H */
