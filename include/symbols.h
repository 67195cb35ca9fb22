/*
 * The hypervisor's own symbol table, embedded at link time by
 * tools/gensyms.sh, for symbolic backtraces.
 *
 * Concurrency: read-only data; safe from any context including NMI.
 */
#ifndef KAIROS_SYMBOLS_H
#define KAIROS_SYMBOLS_H

#include <types.h>

/*
 * Finds the code symbol containing addr. Returns its name and sets *offset
 * (addr - symbol start) and *size, or returns NULL if addr is not in the
 * image's code.
 */
const char *symbols_lookup(unsigned long addr, unsigned long *offset,
			   unsigned long *size);

/* Start address of the named code symbol, or 0 if there is none. */
unsigned long symbols_address(const char *name);

#endif /* KAIROS_SYMBOLS_H */
