/*
 * Consoles: sinks for the kernel log (serial port, VGA text screen,
 * framebuffer).
 *
 * Concurrency: console_register() is boot-time only (boot CPU). The write
 * hooks are called by printk with the console lock held and interrupts
 * disabled; they must not call printk.
 */
#ifndef KAIROS_CONSOLE_H
#define KAIROS_CONSOLE_H

#include <types.h>

struct console {
	const char *name; /* "com1", "vga", "fb" */
	void (*write)(struct console *con, const char *s, size_t len);
	/*
	 * Optional: writes s whole before returning, after what is queued,
	 * with nothing else between its bytes (console_write_to() uses it).
	 */
	void (*write_whole)(struct console *con, const char *s, size_t len);
	struct console *next; /* registration list */
};

/* Adds a console and replays the log ring to it (boot CPU only). */
void console_register(struct console *con);

/* Writes to every console, bypassing the ring and the level filter. */
void console_write_raw(const char *s, size_t len);

/*
 * Writes s to the console named name only (e.g. trace frames to "com1"),
 * under the console lock, so that it never lands inside a log line.
 * Returns false if no such console is registered. Any context but NMI.
 */
bool console_write_to(const char *name, const char *s, size_t len);

/*
 * Called on a fatal error: makes sure some console is usable (registers the
 * default serial port if none is), replaying what it has not yet shown.
 */
void console_force_emergency(void);

/* Arch: registers the platform consoles the command line asks for. */
void arch_console_init(void);
/* Arch: registers the consoles that need ioremap(), after memory_init(). */
void arch_console_init_late(void);
/* Arch: registers COM1 at its defaults if no console exists (fatal paths). */
void arch_console_emergency(void);

/* Sends everything the consoles hold queued before returning. Any context. */
void console_flush(void);

/* The arch side: console_flush(), console_congested(), and the switch to
 * polled output for a fatal report. */
void arch_console_flush(void);
bool arch_console_congested(void);
void arch_console_report(void);
void arch_console_sync(void);

/*
 * True while a console has a long backlog queued for a slow wire (more
 * than half of COM1's transmit ring). Whoever may lose output (guest
 * consoles) drops it then, so that no writer waits for the wire: the
 * ring stays for the hypervisor's own messages, which are never dropped.
 * Any context; a snapshot.
 */
bool console_congested(void);

/* Prints how the consoles' queues fared (high-water marks, waits). */
void console_report(void);
/*
 * Arch: delivers each character the serial console or a keyboard receives
 * to rx, in IRQ context on the calling CPU (the debug keys). Returns 0 if
 * some input works, or a negative errno if the platform has none: no
 * serial console and no keyboard, or no interrupt route.
 * Boot CPU, once, after the interrupt controllers are set up.
 */
int arch_console_input_init(void (*rx)(char c));

#endif /* KAIROS_CONSOLE_H */
