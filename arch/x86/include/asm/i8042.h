/* The i8042 PS/2 keyboard controller, for the debug keys (arch/x86/i8042.c). */
#ifndef ASM_X86_I8042_H
#define ASM_X86_I8042_H

#include <types.h>

/*
 * Delivers each key typed on the PS/2 keyboard, as ASCII (US layout), to
 * rx, in IRQ context on the calling CPU: if ACPI's FADT does not rule the
 * 8042 out, probes it (every wait bounded: a missing controller never
 * hangs the boot), turns its keyboard port and IRQ 1 on, and routes IRQ 1
 * through the I/O APIC to KEYBOARD_VECTOR. Returns 0, or -ENODEV with the
 * reason printed. Boot CPU, once, after time_init() (its waits use NOW()).
 */
int i8042_input_init(void (*rx)(char c));

#endif /* ASM_X86_I8042_H */
