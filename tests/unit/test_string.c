/*
 * common/string.c against glibc. It is built twice (see string.mk): k_* is
 * the kernel's build, with rep movsb/stosb on x86-64, and kg_* the portable
 * C fallback. Every test runs against both.
 *
 * Bytes around every destination are filled with a guard pattern and
 * checked afterwards, since AddressSanitizer cannot see accesses made by
 * inline assembly; buffers a routine must not read past are allocated to
 * their exact size, so that it can see those of the C versions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define DECLARE_KSTRING(p)                                      \
	void *p##memcpy(void *dst, const void *src, size_t n);  \
	void *p##memmove(void *dst, const void *src, size_t n); \
	void *p##memset(void *dst, int c, size_t n);            \
	int p##memcmp(const void *a, const void *b, size_t n);  \
	size_t p##strlen(const char *s);                        \
	size_t p##strnlen(const char *s, size_t max);           \
	int p##strcmp(const char *a, const char *b);            \
	int p##strncmp(const char *a, const char *b, size_t n); \
	char *p##strchr(const char *s, int c);                  \
	size_t p##strlcpy(char *dst, const char *src, size_t size)

DECLARE_KSTRING(k_);
DECLARE_KSTRING(kg_);

/* One build of common/string.c. */
struct impl {
	void *(*memcpy)(void *dst, const void *src, size_t n);
	void *(*memmove)(void *dst, const void *src, size_t n);
	void *(*memset)(void *dst, int c, size_t n);
	int (*memcmp)(const void *a, const void *b, size_t n);
	size_t (*strlen)(const char *s);
	size_t (*strnlen)(const char *s, size_t max);
	int (*strcmp)(const char *a, const char *b);
	int (*strncmp)(const char *a, const char *b, size_t n);
	char *(*strchr)(const char *s, int c);
	size_t (*strlcpy)(char *dst, const char *src, size_t size);
};

#define IMPL(p)                                                         \
	{                                                               \
		p##memcpy, p##memmove, p##memset, p##memcmp, p##strlen, \
			p##strnlen, p##strcmp, p##strncmp, p##strchr,   \
			p##strlcpy,                                     \
	}

static struct impl kernel_impl = IMPL(k_);
static struct impl generic_impl = IMPL(kg_);

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#define MAX_LEN	  300
#define MAX_ALIGN 16
#define GUARD	  0xa5
/* Room for any offset, any length and a guard band on either side. */
#define AREA (MAX_ALIGN + MAX_LEN + 2 * 64)

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

/* A pattern that differs from its neighbours and from GUARD everywhere. */
static unsigned char pattern(size_t i)
{
	return (unsigned char)(i * 7 + 1) == GUARD ? 0
						   : (unsigned char)(i * 7 + 1);
}

/* ---------------------------------------------------------------------------
 * Memory
 */

static void test_memcpy(void **state)
{
	const struct impl *k = *state;
	unsigned char src[AREA], dst[AREA], want[AREA];

	for (size_t i = 0; i < AREA; i++)
		src[i] = pattern(i);
	for (size_t len = 0; len <= MAX_LEN; len++) {
		for (size_t so = 0; so < MAX_ALIGN; so++) {
			for (size_t d = 0; d < MAX_ALIGN; d++) {
				size_t dofs = 64 + d;

				memset(dst, GUARD, sizeof(dst));
				memset(want, GUARD, sizeof(want));
				memcpy(want + dofs, src + so, len);
				assert_ptr_equal(
					k->memcpy(dst + dofs, src + so, len),
					dst + dofs);
				assert_memory_equal(dst, want, AREA);
			}
		}
	}
}

static void test_memset(void **state)
{
	/* memset takes the value as an int and stores its low byte. */
	static const int values[] = {0, 1, 0x7f, 0x80, 0xff, -1, 0x1ab, GUARD};
	const struct impl *k = *state;
	unsigned char dst[AREA], want[AREA];

	for (size_t v = 0; v < ARRAY_LEN(values); v++) {
		/* A guard that differs from the byte being stored. */
		int guard = (unsigned char)values[v] == GUARD ? 0x5a : GUARD;

		for (size_t len = 0; len <= MAX_LEN; len++) {
			for (size_t d = 0; d < MAX_ALIGN; d++) {
				size_t dofs = 64 + d;

				memset(dst, guard, sizeof(dst));
				memset(want, guard, sizeof(want));
				memset(want + dofs, values[v], len);
				assert_ptr_equal(
					k->memset(dst + dofs, values[v], len),
					dst + dofs);
				assert_memory_equal(dst, want, AREA);
			}
		}
	}
}

/*
 * memmove within one buffer, destination shift bytes from the source in
 * either direction, compared with glibc's memmove on a copy.
 */
static void test_memmove_overlap(void **state)
{
	const struct impl *k = *state;
	unsigned char got[AREA], want[AREA];

	for (size_t len = 0; len <= MAX_LEN; len++) {
		for (int shift = -33; shift <= 33; shift++) {
			for (size_t a = 0; a < 4; a++) {
				/* memcpy covers all 16 alignments. */
				size_t so = 64 + a * 3;
				size_t dofs = so + shift;

				for (size_t i = 0; i < AREA; i++)
					got[i] = want[i] = pattern(i);
				assert_ptr_equal(
					k->memmove(got + dofs, got + so, len),
					got + dofs);
				memmove(want + dofs, want + so, len);
				assert_memory_equal(got, want, AREA);
			}
		}
	}
}

static void test_memmove_disjoint(void **state)
{
	const struct impl *k = *state;
	unsigned char src[AREA], dst[AREA];

	for (size_t i = 0; i < AREA; i++)
		src[i] = pattern(i);
	for (size_t len = 0; len <= MAX_LEN; len++) {
		for (size_t so = 0; so < MAX_ALIGN; so++) {
			for (size_t d = 0; d < MAX_ALIGN; d++) {
				size_t dofs = 64 + d;

				memset(dst, GUARD, sizeof(dst));
				k->memmove(dst + dofs, src + so, len);
				assert_memory_equal(dst + dofs, src + so, len);
				assert_int_equal(dst[dofs - 1], GUARD);
				assert_int_equal(dst[dofs + len], GUARD);
			}
		}
	}
}

static void test_memcmp(void **state)
{
	const struct impl *k = *state;
	unsigned char a[MAX_LEN + MAX_ALIGN], b[MAX_LEN + MAX_ALIGN];

	memset(a, 1, sizeof(a));
	memset(b, 2, sizeof(b));
	assert_int_equal(k->memcmp(a, b, 0), 0); /* reads nothing */
	for (size_t len = 1; len <= MAX_LEN; len += len < 40 ? 1 : 37) {
		for (size_t ao = 0; ao < MAX_ALIGN; ao += 5) {
			for (size_t pos = 0; pos < len; pos++) {
				size_t bo = (ao + pos) % MAX_ALIGN;

				for (size_t i = 0; i < len; i++)
					a[ao + i] = b[bo + i] = pattern(i);
				assert_int_equal(k->memcmp(a + ao, b + bo, len),
						 0);
				/* Bytes compare as unsigned: 0x80 > 0x7f. */
				a[ao + pos] = 0x80;
				b[bo + pos] = 0x7f;
				assert_int_equal(
					sign(k->memcmp(a + ao, b + bo, len)),
					sign(memcmp(a + ao, b + bo, len)));
				assert_true(k->memcmp(a + ao, b + bo, len) > 0);
				assert_true(k->memcmp(b + bo, a + ao, len) < 0);
				/* A difference past n does not count. */
				assert_int_equal(k->memcmp(a + ao, b + bo, pos),
						 0);
			}
		}
	}
}

/* ---------------------------------------------------------------------------
 * NUL-terminated strings
 */

/* A heap copy of exactly len bytes of s, unterminated unless s[len] is 0. */
static char *exact(const char *s, size_t len)
{
	char *p = malloc(len ? len : 1);

	memcpy(p, s, len);
	return p;
}

static void test_strlen_strnlen(void **state)
{
	const struct impl *k = *state;
	char buf[MAX_ALIGN + MAX_LEN + 1];

	for (size_t len = 0; len <= MAX_LEN; len++) {
		for (size_t o = 0; o < MAX_ALIGN; o++) {
			char *s = buf + o;

			memset(buf, 'x', sizeof(buf));
			s[len] = '\0';
			assert_int_equal(k->strlen(s), len);
			assert_int_equal(k->strnlen(s, len), len);
			assert_int_equal(k->strnlen(s, len + 1), len);
			assert_int_equal(k->strnlen(s, SIZE_MAX), len);
			assert_int_equal(k->strnlen(s, len / 2), len / 2);
			assert_int_equal(k->strnlen(s, 0), 0);
		}
	}
	/* max bytes, no terminator: strnlen must not read further. */
	for (size_t len = 0; len <= 40; len++) {
		char *s =
			exact("0123456789012345678901234567890123456789", len);

		assert_int_equal(k->strnlen(s, len), len);
		free(s);
	}
}

static void test_strcmp_strncmp(void **state)
{
	static const char *const strings[] = {
		"",	"a",	 "b",	  "ab",		 "abc",
		"abd",	"abcd",	 "ABC",	  "\x7f",	 "\x80",
		"\xff", "a\xff", "a\x01", "hello world", "hello",
	};
	const size_t count = ARRAY_LEN(strings);
	const struct impl *k = *state;

	for (size_t i = 0; i < count; i++) {
		for (size_t j = 0; j < count; j++) {
			const char *a = strings[i], *b = strings[j];

			assert_int_equal(sign(k->strcmp(a, b)),
					 sign(strcmp(a, b)));
			for (size_t n = 0; n <= 13; n++)
				assert_int_equal(sign(k->strncmp(a, b, n)),
						 sign(strncmp(a, b, n)));
			assert_int_equal(sign(k->strncmp(a, b, SIZE_MAX)),
					 sign(strcmp(a, b)));
		}
	}
}

static void test_strncmp_limits(void **state)
{
	const struct impl *k = *state;
	/* Unterminated, exact-size: only n bytes may be read. */
	char *a = exact("abcdef", 6), *b = exact("abcdeg", 6);

	assert_int_equal(k->strncmp(a, b, 0), 0);
	assert_int_equal(k->strncmp(a, b, 5), 0);
	assert_true(k->strncmp(a, b, 6) < 0);
	assert_true(k->strncmp(b, a, 6) > 0);
	free(a);
	free(b);
	/* Equal up to a terminator: nothing after it counts. */
	assert_int_equal(k->strncmp("ab\0x", "ab\0y", 4), 0);
	assert_int_equal(k->strcmp("ab\0x", "ab\0y"), 0);
}

static void test_strchr(void **state)
{
	const struct impl *k = *state;
	const char *s = "hello, w\xe9rld", *empty = "";

	assert_ptr_equal(k->strchr(s, 'h'), s);
	assert_ptr_equal(k->strchr(s, 'l'), s + 2); /* the first one */
	assert_ptr_equal(k->strchr(s, 'd'), s + 11);
	assert_ptr_equal(k->strchr(s, 'z'), NULL);
	/* The terminator is part of the string. */
	assert_ptr_equal(k->strchr(s, '\0'), s + 12);
	assert_ptr_equal(k->strchr(empty, '\0'), empty);
	assert_ptr_equal(k->strchr(empty, 'a'), NULL);
	/* c is converted to char: 0xe9, -23 and 0x1e9 all find the same. */
	assert_ptr_equal(k->strchr(s, 0xe9), s + 8);
	assert_ptr_equal(k->strchr(s, -23), s + 8);
	assert_ptr_equal(k->strchr(s, 0x1e9), s + 8);
	assert_ptr_equal(k->strchr(s, 0x100 + 'w'), s + 7);
	assert_ptr_equal(k->strchr(s, 0x100), s + 12);
	for (int c = -128; c < 256; c++)
		assert_ptr_equal(k->strchr(s, c), strchr(s, c));
}

/* BSD strlcpy, which glibc 2.36 lacks, spelled out. */
static size_t ref_strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

static void test_strlcpy(void **state)
{
	static const char *const srcs[] = {"", "a", "hello",
					   "exactly sixteen!"};
	const struct impl *k = *state;

	for (size_t i = 0; i < ARRAY_LEN(srcs); i++) {
		const char *src = srcs[i];
		size_t len = strlen(src);

		for (size_t size = 0; size <= len + 3; size++) {
			/* Exact size, so a write past size is an ASan error. */
			char *got = malloc(size ? size : 1);
			char *want = malloc(size ? size : 1);

			memset(got, GUARD, size ? size : 1);
			memset(want, GUARD, size ? size : 1);
			assert_int_equal(k->strlcpy(got, src, size), len);
			ref_strlcpy(want, src, size);
			/* Size 0 writes nothing at all. */
			assert_memory_equal(got, want, size ? size : 1);
			if (size)
				assert_int_equal(
					got[size - 1 < len ? size - 1 : len],
					'\0');
			free(got);
			free(want);
		}
	}
	/* The full length is returned however little fits: truncation test. */
	{
		char buf[4];

		assert_true(k->strlcpy(buf, "truncated", sizeof(buf)) >=
			    sizeof(buf));
		assert_string_equal(buf, "tru");
	}
}

/* Each test once per build, named after it. */
#define BOTH(f)                                                 \
	{#f " (kernel)", f, NULL, NULL, &kernel_impl},          \
	{                                                       \
#f " (generic C)", f, NULL, NULL, &generic_impl \
	}

int main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(test_memcpy),	    BOTH(test_memset),
		BOTH(test_memmove_overlap), BOTH(test_memmove_disjoint),
		BOTH(test_memcmp),	    BOTH(test_strlen_strnlen),
		BOTH(test_strcmp_strncmp),  BOTH(test_strncmp_limits),
		BOTH(test_strchr),	    BOTH(test_strlcpy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
