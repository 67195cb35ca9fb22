/*
 * What each kernel image provides to the runtime: its name, the
 * command-line keys it knows, and its main function, which boot_main()
 * (boot.c) calls once the common start-up is done:
 *
 *   the Multiboot information copied; COM1 programmed; the IDT loaded;
 *   the 8259 PICs masked; the options parsed; the ACPI tables read; the
 *   boot CPU's LAPIC up in xAPIC mode; the TSC and LAPIC timer
 *   calibrated; interrupts off; no AP started (smp.h starts them).
 */
#ifndef HVM_IMAGE_H
#define HVM_IMAGE_H

#include "arch.h"

struct image {
	const char *name;
	const char *const *options; /* NULL-terminated */
	__noreturn void (*main)(void);
};

extern const struct image image;

#endif /* HVM_IMAGE_H */
