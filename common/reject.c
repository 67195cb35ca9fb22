/*
 * A refusal's reason (include/reject.h), shared by the parsers of guest
 * images and domain layouts.
 */
#include <errno.h>
#include <printk.h>
#include <reject.h>
#include <stdarg.h>

int reject_reason(char *err, size_t errlen, const char *fmt, ...)
{
	va_list args;

	if (errlen) {
		va_start(args, fmt);
		vsnprintf(err, errlen, fmt, args);
		va_end(args);
	}
	return -EINVAL;
}
