/*
 * HYPERCALL_console_io(cmd, count, buf): the domain's console.
 *
 * CONSOLEIO_write: writes count bytes (at most CONSOLEIO_WRITE_MAX; more
 * is -KERR_E2BIG) from buf to the hypervisor console, prefixed by the
 * domain's id at each line start. Bytes other than printable ASCII, tab
 * and newline are shown as '?'. Returns the number of bytes printed: a
 * domain may print GUEST_CONSOLE_RATE bytes a second, in bursts of up to
 * GUEST_CONSOLE_BURST; beyond that the rest of a write is dropped, and the
 * console says how many bytes were when the domain's output resumes (or
 * the domain ends). While the console is congested (its transmit queue
 * more than half full, whoever filled it) a write prints nothing and
 * returns 0. The console is shared: no guest may flood it, and guests
 * together may not delay the hypervisor's own messages.
 */
#ifndef KAIROS_PUBLIC_CONSOLE_H
#define KAIROS_PUBLIC_CONSOLE_H

#define CONSOLEIO_write	    0
#define CONSOLEIO_WRITE_MAX 4096
#define GUEST_CONSOLE_RATE  (8 * 1024) /* bytes a second */
#define GUEST_CONSOLE_BURST (32 * 1024)

#endif /* KAIROS_PUBLIC_CONSOLE_H */
