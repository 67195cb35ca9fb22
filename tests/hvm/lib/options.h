/*
 * The command line's options: blank-separated words, each `key=value` or
 * a bare `key` (value "1"). A word without `=` that is not a known key
 * is the image's own name (QEMU and GRUB put it first) and is ignored.
 * Each image lists the keys it knows; options_init() reports the others
 * (one "# <image>: unknown option ..." line each) and goes on.
 */
#ifndef HVM_OPTIONS_H
#define HVM_OPTIONS_H

#include "arch.h"

#define OPTION_VALUE_MAX 256

/* Parses bootinfo.cmdline; known is NULL-terminated. Boot CPU, once. */
void options_init(const char *image, const char *const *known);

/* The value of key, or def if absent. */
const char *option_str(const char *key, const char *def);

/* An unsigned integer (decimal or 0x hex); def if absent or malformed. */
u64 option_u64(const char *key, u64 def);

/*
 * A duration in nanoseconds: a number with a unit, ns, us, ms or s
 * ("500us", "2s"); a bare number is in unit_ns units. def if absent.
 */
u64 option_ns(const char *key, u64 unit_ns, u64 def);

/* True if the value is 1, yes or on; false for 0, no, off; def if absent. */
bool option_bool(const char *key, bool def);

#endif /* HVM_OPTIONS_H */
