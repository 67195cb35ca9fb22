/*
 * Symbol lookup in the table that tools/gensyms.sh links into the image.
 */
#include <string.h>
#include <symbols.h>

extern const u64 kairos_symbols_count;
extern const u64 kairos_symbols_addrs[];
extern const u32 kairos_symbols_sizes[];
extern const u32 kairos_symbols_names[];
extern const char kairos_symbols_strtab[];
extern const char __text_start[], __text_end[];

/* Index of the last symbol starting at or below addr, or -1. */
static long symbol_index_at_or_below(unsigned long addr)
{
	long lo = 0, hi = (long)kairos_symbols_count - 1, found = -1;

	while (lo <= hi) {
		long mid = lo + (hi - lo) / 2;

		if (kairos_symbols_addrs[mid] <= addr) {
			found = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	return found;
}

const char *symbols_lookup(unsigned long addr, unsigned long *offset,
			   unsigned long *size)
{
	long i;
	unsigned long start, len;

	if (addr < (unsigned long)__text_start ||
	    addr >= (unsigned long)__text_end)
		return NULL;
	i = symbol_index_at_or_below(addr);
	if (i < 0)
		return NULL;
	start = kairos_symbols_addrs[i];
	len = kairos_symbols_sizes[i];
	/* Assembly symbols carry no size: they extend to the next symbol. */
	if (len == 0)
		len = (u64)i + 1 < kairos_symbols_count
			      ? kairos_symbols_addrs[i + 1] - start
			      : (unsigned long)__text_end - start;
	*offset = addr - start;
	*size = len;
	return &kairos_symbols_strtab[kairos_symbols_names[i]];
}

unsigned long symbols_address(const char *name)
{
	u64 i;

	for (i = 0; i < kairos_symbols_count; i++)
		if (strcmp(&kairos_symbols_strtab[kairos_symbols_names[i]],
			   name) == 0)
			return kairos_symbols_addrs[i];
	return 0;
}
