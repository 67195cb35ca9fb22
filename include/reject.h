/*
 * The one-line reason a parser of untrusted input (a guest image, a
 * domain's layout) gives when it refuses it: the parsers return -EINVAL
 * and leave the reason in a caller's buffer, which the boot log prints.
 *
 * Concurrency: reject_reason() touches only its arguments; any context,
 * any CPU, interrupts on or off.
 */
#ifndef KAIROS_REJECT_H
#define KAIROS_REJECT_H

#include <compiler.h>
#include <types.h>

/*
 * Formats the reason into err[0..errlen) (always terminated when errlen
 * > 0, truncated to fit) and returns -EINVAL, so that a check reads
 * `return reject_reason(err, errlen, "...", ...);`.
 */
int reject_reason(char *err, size_t errlen, const char *fmt, ...)
	__printf(3, 4);

#endif /* KAIROS_REJECT_H */
