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

/*
 * Another 16550 at io_base, for trace records only: programs it like COM1
 * (false if no UART answers) and writes to it, polled. The caller
 * serialises writers.
 */
bool serial_port_init(u16 io_base);
void serial_port_write(u16 io_base, const char *s, size_t len);

/*
 * Delivers each byte COM1 receives to rx, in IRQ context on the calling
 * CPU: routes the port's ISA IRQ (4 for 0x3f8) through the I/O APIC to
 * COM1_VECTOR and enables the receive interrupt. Returns 0, or -ENODEV
 * without a registered COM1 console at a standard port or an I/O APIC,
 * or the routing error. Boot CPU, once.
 */
int serial_input_init(void (*rx)(char c));

/*
 * Sends what COM1's transmit ring holds, by polling, before returning
 * (output stays interrupt driven). Any context but NMI.
 */
void serial_flush(void);

/*
 * Sends what the ring holds and goes back to polled output for good: the
 * fatal report must not wait for an interrupt that may never come. Any
 * context; takes the ring's lock only if it can within a bounded wait.
 */
void serial_flush_sync(void);

/*
 * True while COM1's transmit ring holds more than half its size unsent:
 * output that may be lost (guest consoles) should be dropped rather than
 * make its writer wait for the wire. False for polled output. Any
 * context; a snapshot, unlocked.
 */
bool serial_tx_congested(void);

/*
 * Prints the transmit ring's counts: bytes sent through it, its
 * high-water mark, and bytes a writer sent by polling because the ring
 * was full. Any context but NMI.
 */
void serial_tx_report(void);

#endif /* ASM_X86_SERIAL_H */
