/*
 * The console: COM1 (a 16550 at 0x3f8), 115200 8N1, polled. Lines go out
 * whole, one CPU at a time. Everything the kernels print is small: on
 * Kairos a domain's console is rate-limited (8 KiB/s, 32 KiB bursts).
 */
#ifndef HVM_CONSOLE_H
#define HVM_CONSOLE_H

#include "arch.h"

#define COM1_BASE 0x3f8

/* Programs the UART (boot CPU, before anything is printed). */
void console_init(void);

/* Formats (common/vsnprintf.c) and prints, holding the console lock. */
int printf(const char *fmt, ...) __printf(1, 2);
int vprintf(const char *fmt, va_list args);

/*
 * Holds the console for a caller that reprograms the UART (the uart
 * suite): other CPUs' output waits. Not from an interrupt handler.
 */
void console_lock(void);
void console_unlock(void);

/* Waits until the UART has sent everything (before the machine ends). */
void console_flush(void);

/* For the fatal path: prints even if another CPU holds the lock. */
void console_emergency(const char *text);

#endif /* HVM_CONSOLE_H */
