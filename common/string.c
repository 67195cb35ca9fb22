/*
 * Freestanding string and memory routines.
 *
 * The compiler emits calls to memcpy, memset, memmove and memcmp on its own
 * (struct copies, large initialisers), so these names must exist in the
 * kernel even where no source line calls them.
 *
 * On x86-64, memcpy and memset use the string instructions: with the
 * "fast strings" feature (Intel SDM Vol. 1, 7.3.9.3; ERMSB, Intel
 * Optimization Manual 3.7.6) a plain `rep movsb`/`rep stosb` is as fast as
 * any hand-unrolled loop and needs no SSE, which the kernel may not touch.
 * KAIROS_STRING_GENERIC selects the portable C versions instead so the host
 * unit test can exercise them under AddressSanitizer too, which does not see
 * the memory accesses made by inline assembly.
 */
#include <string.h>
#include <types.h>

#if defined(__x86_64__) && !defined(KAIROS_STRING_GENERIC)
#define STRING_USE_REP 1
#else
#define STRING_USE_REP 0
#endif

/* ---------------------------------------------------------------------------
 * Memory
 */

/*
 * Copies lowest address first, so it is also correct for overlapping
 * buffers with dst below src; memmove relies on that.
 */
static void copy_forward(unsigned char *d, const unsigned char *s, size_t n)
{
#if STRING_USE_REP
	/*
	 * rep movsb is defined to behave as the byte-by-byte loop even when
	 * the buffers overlap (SDM Vol. 2B, MOVS/REP), so this holds for it.
	 */
	__asm__ __volatile__("rep movsb"
			     : "+D"(d), "+S"(s), "+c"(n)
			     :
			     : "memory");
#else
	while (n--)
		*d++ = *s++;
#endif
}

void *memcpy(void *dst, const void *src, size_t n)
{
	copy_forward(dst, src, n);
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	/*
	 * Only a destination that starts inside the source needs the
	 * backward copy; compare as integers, as pointers into different
	 * objects may not be ordered in C.
	 */
	if ((uintptr_t)d - (uintptr_t)s >= n) {
		copy_forward(d, s, n);
		return dst;
	}
	while (n) {
		n--;
		d[n] = s[n];
	}
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
#if STRING_USE_REP
	void *d = dst;
	size_t words = n / 8, tail = n % 8;

	/*
	 * Eight bytes a step for the bulk: emulators (QEMU's TCG, Bochs) run
	 * a string instruction one element at a time, so stosq is eight
	 * times as fast as stosb there, and no slower on hardware.
	 */
	__asm__ __volatile__("rep stosq"
			     : "+D"(d), "+c"(words)
			     : "a"((u8)c * 0x0101010101010101ULL)
			     : "memory");
	__asm__ __volatile__("rep stosb"
			     : "+D"(d), "+c"(tail)
			     : "a"(c)
			     : "memory");
#else
	unsigned char *d = dst;

	while (n--)
		*d++ = (unsigned char)c;
#endif
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;

	for (; n; n--, p++, q++) {
		if (*p != *q)
			return *p - *q;
	}
	return 0;
}

/* ---------------------------------------------------------------------------
 * NUL-terminated strings
 */

size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return p - s;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	/* Tests the bound first: s need not be terminated within max. */
	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;

	while (*p && *p == *q) {
		p++;
		q++;
	}
	return *p - *q;
}

int strncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;

	for (; n; n--, p++, q++) {
		if (*p != *q)
			return *p - *q;
		if (!*p)
			break;
	}
	return 0;
}

char *strchr(const char *s, int c)
{
	/* The terminator is part of the string: strchr(s, 0) finds it. */
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

size_t strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size - 1 ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}
