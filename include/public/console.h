/*
 * HYPERCALL_console_io(cmd, count, buf): the domain's console.
 *
 * CONSOLEIO_write: writes count bytes (at most CONSOLEIO_WRITE_MAX; more
 * is -KERR_E2BIG, never a silent truncation) from buf to the hypervisor
 * console, prefixed by the domain's name at each line start. Bytes other
 * than printable ASCII, tab and newline are shown as '?'. Returns count.
 */
#ifndef KAIROS_PUBLIC_CONSOLE_H
#define KAIROS_PUBLIC_CONSOLE_H

#define CONSOLEIO_write	    0
#define CONSOLEIO_WRITE_MAX 4096

#endif /* KAIROS_PUBLIC_CONSOLE_H */
