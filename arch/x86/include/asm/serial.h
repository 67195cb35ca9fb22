/* The 16550 UART console (arch/x86/serial.c). */
#ifndef ASM_X86_SERIAL_H
#define ASM_X86_SERIAL_H

#include <types.h>

/*
 * Programs COM1 as com1= says (default 115200 8N1 at 0x3f8) and registers
 * it as a console if a UART answers there. Returns true if registered.
 * Boot CPU only.
 */
bool serial_console_init(void);

/* Registers COM1 unconditionally, for fatal paths with no console. */
void serial_console_emergency(void);

#endif /* ASM_X86_SERIAL_H */
