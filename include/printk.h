/*
 * Kernel log: printk() with levels, kept in a log ring and written to every
 * registered console (common/printk.c).
 *
 * Concurrency: printk() may be called from any context, including IRQ, NMI
 * and fault handlers, on any CPU; lines from different CPUs do not
 * interleave within a line. Messages printed before any console exists are
 * kept in the ring and replayed when the first console registers.
 */
#ifndef KAIROS_PRINTK_H
#define KAIROS_PRINTK_H

#include <compiler.h>
#include <stdarg.h>
#include <types.h>

/* Levels as in Linux: lower is more important. */
#define LOGLEVEL_EMERG	 0
#define LOGLEVEL_ALERT	 1
#define LOGLEVEL_CRIT	 2
#define LOGLEVEL_ERR	 3
#define LOGLEVEL_WARNING 4
#define LOGLEVEL_NOTICE	 5
#define LOGLEVEL_INFO	 6
#define LOGLEVEL_DEBUG	 7
#define LOGLEVEL_DEFAULT LOGLEVEL_INFO

/* A message starts with KERN_SOH and a level digit; none means DEFAULT. */
#define KERN_SOH     "\001"
#define KERN_EMERG   KERN_SOH "0"
#define KERN_ALERT   KERN_SOH "1"
#define KERN_CRIT    KERN_SOH "2"
#define KERN_ERR     KERN_SOH "3"
#define KERN_WARNING KERN_SOH "4"
#define KERN_NOTICE  KERN_SOH "5"
#define KERN_INFO    KERN_SOH "6"
#define KERN_DEBUG   KERN_SOH "7"

void printk(const char *fmt, ...) __printf(1, 2);
void vprintk(const char *fmt, va_list args);

#define pr_emerg(fmt, ...)  printk(KERN_EMERG fmt, ##__VA_ARGS__)
#define pr_err(fmt, ...)    printk(KERN_ERR fmt, ##__VA_ARGS__)
#define pr_warn(fmt, ...)   printk(KERN_WARNING fmt, ##__VA_ARGS__)
#define pr_notice(fmt, ...) printk(KERN_NOTICE fmt, ##__VA_ARGS__)
#define pr_info(fmt, ...)   printk(KERN_INFO fmt, ##__VA_ARGS__)
#define pr_debug(fmt, ...)  printk(KERN_DEBUG fmt, ##__VA_ARGS__)

/*
 * Messages at a level numerically <= console_loglevel reach the consoles
 * (all are kept in the ring). Set by loglvl=<0-7>; default 6 (info).
 */
extern unsigned int console_loglevel;

/*
 * Switches the timestamp prefix from raw TSC cycles to nanoseconds since
 * boot, once system time exists. Boot CPU, before other CPUs run.
 */
void printk_set_clock(s_time_t (*now_ns)(void));

/* Formatting (common/vsnprintf.c): C99 semantics, returns the would-be length. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list args);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

#endif /* KAIROS_PRINTK_H */
