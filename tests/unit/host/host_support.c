/*
 * What every host unit test links besides the code under test: the state
 * behind the host stand-ins of the arch headers, and a printk that keeps
 * what the code printed so that tests can assert on warnings.
 */
#include "host_support.h"

#include <panic.h>
#include <printk.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Thread_local bool host_irqs_enabled = true;
unsigned int console_loglevel = LOGLEVEL_DEBUG;

static char captured[64 * 1024];
static size_t captured_len;

void vprintk(const char *fmt, va_list args)
{
	char line[1024];
	const char *text = line;
	int n = vsnprintf(line, sizeof(line), fmt, args);

	if (n < 0)
		return;
	if (line[0] == KERN_SOH[0] && line[1] != '\0')
		text += 2;
	if (getenv("HOST_TEST_VERBOSE"))
		fputs(text, stderr);
	n = strlen(text);
	if (captured_len + n < sizeof(captured)) {
		memcpy(captured + captured_len, text, n + 1);
		captured_len += n;
	}
}

void printk(const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vprintk(fmt, args);
	va_end(args);
}

void panic(const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	fputs("panic: ", stderr);
	vfprintf(stderr, fmt, args);
	fputc('\n', stderr);
	va_end(args);
	abort();
}

const char *host_printk_output(void)
{
	captured[captured_len] = '\0';
	return captured;
}

void host_printk_reset(void)
{
	captured_len = 0;
	captured[0] = '\0';
}
