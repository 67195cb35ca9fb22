/*
 * common/vsnprintf.c against glibc: every output is compared byte for byte
 * with glibc's, and so is the return value. The kernel's functions are
 * built as k_vsnprintf and k_snprintf (see vsnprintf.mk).
 *
 * The bulk is generated: every integer conversion with every combination
 * of flags, a set of widths and precisions (literal and '*') and every
 * length modifier, over values at the edges of each type; likewise for
 * %c, %s and %p. Where glibc has no defined answer (unknown conversions,
 * %n, a truncated specification) the expected output is spelled out.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

int k_vsnprintf(char *buf, size_t size, const char *fmt, va_list args);
int k_snprintf(char *buf, size_t size, const char *fmt, ...);

/* Big enough for every case; widths stay below it. */
#define OUT_MAX 1024

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static unsigned long checks;

/* ---------------------------------------------------------------------------
 * Comparison helpers
 */

/*
 * Formats with glibc and with the kernel into buffers of size bytes (NULL
 * when size is 0) and fails unless return values and stored bytes agree.
 * The kernel's buffer is allocated to exactly size bytes so that
 * AddressSanitizer catches a write past it.
 */
static void compare_at_size(const char *where, size_t size, const char *fmt,
			    va_list args)
{
	char want[OUT_MAX], shown[OUT_MAX];
	char *got = size ? malloc(size) : NULL;
	size_t stored = 0;
	bool same_bytes = true;
	va_list a1, a2;
	int wn, gn;

	va_copy(a1, args);
	va_copy(a2, args);
	wn = vsnprintf(want, sizeof(want), fmt, a1);
	if (size)
		memset(got, 0x5a, size);
	gn = k_vsnprintf(got, size, fmt, a2);
	va_end(a1);
	va_end(a2);
	checks++;

	if (wn < 0 || (size_t)wn >= sizeof(want))
		fail_msg("%s: bad case \"%s\" (glibc returned %d)", where, fmt,
			 wn);
	if (size) {
		stored = (size_t)wn < size ? (size_t)wn : size - 1;
		same_bytes =
			memcmp(got, want, stored) == 0 && got[stored] == '\0';
		memcpy(shown, got, stored);
	}
	/* Free before failing: fail_msg does not return. */
	free(got);
	if (gn != wn)
		fail_msg("%s: \"%s\" size %zu: returned %d, glibc %d (\"%s\")",
			 where, fmt, size, gn, wn, want);
	if (!same_bytes)
		fail_msg("%s: \"%s\" size %zu: got \"%.*s\", glibc \"%.*s\"",
			 where, fmt, size, (int)stored, shown, (int)stored,
			 want);
}

/* One case with room to spare, and its truncations if asked for. */
static void vcompare(const char *where, bool truncations, const char *fmt,
		     va_list args)
{
	char probe[OUT_MAX];
	va_list a;
	int n;

	compare_at_size(where, OUT_MAX, fmt, args);
	if (!truncations)
		return;
	va_copy(a, args);
	n = vsnprintf(probe, sizeof(probe), fmt, a);
	va_end(a);
	for (size_t size = 0; size <= (size_t)n + 1; size++)
		compare_at_size(where, size, fmt, args);
}

static void __attribute__((format(printf, 3, 4)))
compare_fmt(const char *where, bool truncations, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vcompare(where, truncations, fmt, args);
	va_end(args);
}

/* For generated formats, which -Wformat cannot check anyway. */
static void compare_gen(const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vcompare("generated", false, fmt, args);
	va_end(args);
}

#define WHERE_(l) __FILE__ ":" #l
#define WHERE(l)  WHERE_(l)
/* Against glibc, with room to spare. */
#define CHECK(fmt, ...) compare_fmt(WHERE(__LINE__), false, fmt, ##__VA_ARGS__)
/* Against glibc, and at every buffer size from 0 to the length + 1. */
#define CHECK_TRUNC(fmt, ...) \
	compare_fmt(WHERE(__LINE__), true, fmt, ##__VA_ARGS__)

/* Where glibc is no oracle: the kernel's output must be exactly want. */
static void expect_fmt(const char *want, const char *fmt, ...)
{
	char got[OUT_MAX];
	va_list args;
	int n;

	va_start(args, fmt);
	n = k_vsnprintf(got, sizeof(got), fmt, args);
	va_end(args);
	checks++;
	if (n != (int)strlen(want) || strcmp(got, want) != 0)
		fail_msg("\"%s\": got \"%s\" (%d), want \"%s\"", fmt, got, n,
			 want);
}

/* ---------------------------------------------------------------------------
 * Generated cases
 */

static const char *const flag_chars = "-0+ #";
static const char *const widths[] = {"", "1", "5", "24", "*"};
static const char *const precisions[] = {"",   ".",   ".0", ".1",
					 ".5", ".24", ".*"};
/* Values for '*'; each generated format runs with one pair of them. */
static const int star_widths[] = {-24, -5, 0, 7};
static const int star_precisions[] = {-3, 0, 2, 30};

/* One generated specification and the '*' arguments it takes. */
struct gen_spec {
	char fmt[32];
	bool width_star, precision_star;
	int width, precision;
};

/* Passes the '*' arguments g asks for, then val. */
#define COMPARE_GEN(g, val)                                               \
	do {                                                              \
		if ((g)->width_star && (g)->precision_star)               \
			compare_gen((g)->fmt, (g)->width, (g)->precision, \
				    val);                                 \
		else if ((g)->width_star)                                 \
			compare_gen((g)->fmt, (g)->width, val);           \
		else if ((g)->precision_star)                             \
			compare_gen((g)->fmt, (g)->precision, val);       \
		else                                                      \
			compare_gen((g)->fmt, val);                       \
	} while (0)

/*
 * Calls fn for "%<flags><width><precision><suffix>" with every subset of
 * flag_chars and every width and precision.
 */
static void for_each_spec(const char *suffix,
			  void (*fn)(const struct gen_spec *, const void *),
			  const void *ctx)
{
	for (unsigned int mask = 0; mask < 32; mask++) {
		char flags[8], *f = flags;

		for (unsigned int i = 0; flag_chars[i]; i++) {
			if (mask & (1u << i))
				*f++ = flag_chars[i];
		}
		*f = '\0';
		for (size_t wi = 0; wi < ARRAY_LEN(widths); wi++) {
			for (size_t pi = 0; pi < ARRAY_LEN(precisions); pi++) {
				struct gen_spec g;

				snprintf(g.fmt, sizeof(g.fmt), "%%%s%s%s%s",
					 flags, widths[wi], precisions[pi],
					 suffix);
				g.width_star = strchr(widths[wi], '*');
				g.precision_star = strchr(precisions[pi], '*');
				/* Vary the '*' values across the formats. */
				g.width = star_widths[(mask + pi) % 4];
				g.precision = star_precisions[(mask + wi) % 4];
				fn(&g, ctx);
			}
		}
	}
}

enum arg_type { A_INT, A_LONG, A_LLONG, A_SIZE, A_PTRDIFF, A_INTMAX };

static const struct {
	const char *text;
	enum arg_type type;
} lengths[] = {
	{"hh", A_INT},	 {"h", A_INT},	{"", A_INT},	  {"l", A_LONG},
	{"ll", A_LLONG}, {"z", A_SIZE}, {"t", A_PTRDIFF}, {"j", A_INTMAX},
};

/* Bit patterns; each is passed as the argument type the modifier names. */
static const unsigned long long int_values[] = {
	0,
	1,
	7,
	8,
	42,
	127,
	128,
	255,
	256,
	0x7fff,
	0x8000,
	0xffff,
	0x10000,
	(unsigned long long)INT32_MAX,
	(unsigned long long)INT32_MIN,
	UINT32_MAX,
	0x123456789abcdefull,
	(unsigned long long)INT64_MAX,
	(unsigned long long)INT64_MIN,
	UINT64_MAX,
	(unsigned long long)-1234567,
};

struct int_ctx {
	bool is_signed;
	enum arg_type type;
};

static void int_cases(const struct gen_spec *g, const void *arg)
{
	const struct int_ctx *ctx = arg;

	for (size_t i = 0; i < ARRAY_LEN(int_values); i++) {
		unsigned long long v = int_values[i];

		/* Out-of-range conversions wrap: GCC defines them so. */
		switch (ctx->type) {
		case A_INT:
			if (ctx->is_signed)
				COMPARE_GEN(g, (int)v);
			else
				COMPARE_GEN(g, (unsigned int)v);
			break;
		case A_LONG:
			if (ctx->is_signed)
				COMPARE_GEN(g, (long)v);
			else
				COMPARE_GEN(g, (unsigned long)v);
			break;
		case A_LLONG:
			if (ctx->is_signed)
				COMPARE_GEN(g, (long long)v);
			else
				COMPARE_GEN(g, (unsigned long long)v);
			break;
		case A_SIZE:
		case A_PTRDIFF:
			/* ptrdiff_t is the signed type of size_t's width. */
			if (ctx->is_signed)
				COMPARE_GEN(g, (ptrdiff_t)v);
			else
				COMPARE_GEN(g, (size_t)v);
			break;
		case A_INTMAX:
			if (ctx->is_signed)
				COMPARE_GEN(g, (intmax_t)v);
			else
				COMPARE_GEN(g, (uintmax_t)v);
			break;
		}
	}
}

static void test_integers_generated(void **state)
{
	unsigned long before = checks;

	for (const char *c = "diuxXo"; *c; c++) {
		for (size_t li = 0; li < ARRAY_LEN(lengths); li++) {
			struct int_ctx ctx = {
				.is_signed = *c == 'd' || *c == 'i',
				.type = lengths[li].type,
			};
			char suffix[4];

			snprintf(suffix, sizeof(suffix), "%s%c",
				 lengths[li].text, *c);
			for_each_spec(suffix, int_cases, &ctx);
		}
	}
	print_message("%lu integer cases\n", checks - before);
}

static void char_cases(const struct gen_spec *g, const void *arg)
{
	/* Promoted ints; %c takes the low byte. */
	static const int chars[] = {'a', ' ', '%', 0, 0x7f, 0xff, -1, 0x141};

	for (size_t i = 0; i < ARRAY_LEN(chars); i++)
		COMPARE_GEN(g, chars[i]);
}

static void string_cases(const struct gen_spec *g, const void *arg)
{
	static const char *const strings[] = {
		"",
		"a",
		"hello",
		"(null)",
		"exactly24characterslong!",
		"a string longer than every width and precision here",
		NULL,
	};

	for (size_t i = 0; i < ARRAY_LEN(strings); i++)
		COMPARE_GEN(g, strings[i]);
}

static void pointer_cases(const struct gen_spec *g, const void *arg)
{
	static const uintptr_t pointers[] = {
		0, 1, 0x1234, 0xdeadbeef, 0xffffffff80000000ul, UINTPTR_MAX,
	};

	for (size_t i = 0; i < ARRAY_LEN(pointers); i++)
		COMPARE_GEN(g, (void *)pointers[i]);
}

static void test_chars_strings_pointers_generated(void **state)
{
	unsigned long before = checks;

	for_each_spec("c", char_cases, NULL);
	for_each_spec("s", string_cases, NULL);
	for_each_spec("p", pointer_cases, NULL);
	print_message("%lu character, string and pointer cases\n",
		      checks - before);
}

/* ---------------------------------------------------------------------------
 * Hand-written cases against glibc
 */

/*
 * GCC's format checks object to what these cases are about: flags that C
 * says are ignored ('0' with '-'), "" as a format, NULL for %s.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-zero-length"
#pragma GCC diagnostic ignored "-Wformat-overflow"

/* Each formatted once and at every truncated size. */
static void test_truncation(void **state)
{
	CHECK_TRUNC("");
	CHECK_TRUNC("x");
	CHECK_TRUNC("plain text, no conversions");
	CHECK_TRUNC("%d", 0);
	CHECK_TRUNC("%d", -12345);
	CHECK_TRUNC("%lld", (long long)INT64_MIN);
	CHECK_TRUNC("%#llx", (unsigned long long)UINT64_MAX);
	CHECK_TRUNC("%#llo", (unsigned long long)UINT64_MAX);
	CHECK_TRUNC("[%-10s|%10s]", "left", "right");
	CHECK_TRUNC("%s=%08x (%+d) %c%%", "reg", 0xbeefu, 17, 'Z');
	CHECK_TRUNC("%p %p", (void *)0xffffffff80001000ul, NULL);
	CHECK_TRUNC("%.3s|%5.1s|%s", "abcdef", "xyz", (char *)NULL);
	CHECK_TRUNC("cpu%u: %-8s tsc=%016llx\n", 3u, "online", 0x1234abcdull);
	CHECK_TRUNC("%c%c%c", 'a', 0, 'b'); /* an embedded NUL */
}

static void test_null_buffer(void **state)
{
	char buf[4] = "xyz";

	assert_int_equal(k_snprintf(NULL, 0, "%d-%s", 12345, "abc"), 9);
	assert_int_equal(k_snprintf(NULL, 0, ""), 0);
	assert_int_equal(k_snprintf(NULL, 0, "%50d", 1), 50);
	/* Size 0 writes nothing, not even the terminator. */
	assert_int_equal(k_snprintf(buf, 0, "hello"), 5);
	assert_string_equal(buf, "xyz");
	assert_int_equal(k_snprintf(buf, 1, "hello"), 5);
	assert_int_equal(buf[0], '\0');
	assert_int_equal(buf[1], 'y');
}

static void test_extremes(void **state)
{
	CHECK("%d %d %d %d", 0, -1, INT32_MIN, INT32_MAX);
	CHECK("%u %u %x %o", 0u, UINT32_MAX, UINT32_MAX, UINT32_MAX);
	CHECK("%ld %ld %lu", (long)INT64_MIN, (long)INT64_MAX,
	      (unsigned long)UINT64_MAX);
	CHECK("%lld %lld %llu", (long long)INT64_MIN, (long long)INT64_MAX,
	      (unsigned long long)UINT64_MAX);
	CHECK("%jd %jd %ju", INTMAX_MIN, INTMAX_MAX, UINTMAX_MAX);
	CHECK("%zu %zx %zd", SIZE_MAX, SIZE_MAX, (ptrdiff_t)-1);
	CHECK("%td %td %tu", PTRDIFF_MIN, PTRDIFF_MAX, (size_t)PTRDIFF_MIN);
	CHECK("%hhd %hhd %hhu %hhx", 127, -128, 255, 0x1ff);
	CHECK("%hd %hd %hu %hx", 32767, -32768, 65535, 0x1ffff);
	CHECK("%+lld % lld %+.0lld", (long long)INT64_MIN, (long long)INT64_MIN,
	      (long long)INT64_MIN);
	CHECK("%30lld|%-30lld|%030lld|%.30lld", (long long)INT64_MIN,
	      (long long)INT64_MIN, (long long)INT64_MIN, (long long)INT64_MIN);
	CHECK("%#llo %#llX %#.30llx", (unsigned long long)UINT64_MAX,
	      (unsigned long long)UINT64_MAX, 1ull);
	CHECK("%.0d|%.0u|%.0x|%.0o|%#.0o|%#.0x|%+.0d|% .0d|%5.0d|", 0, 0u, 0u,
	      0u, 0u, 0u, 0, 0, 0);
	CHECK("%#o %#o %#5o %#.3o %#.4o", 0u, 8u, 8u, 8u, 8u);
	CHECK("%#x %#X %#08x %#-8x| %#.0x", 0u, 0xabu, 0xabu, 0xabu, 1u);
	CHECK("%-05d|%0-5d|%-+5d|%+-5d|% -5d|%+ d|% +d", 1, 1, 1, 1, 1, 1, 1);
	CHECK("%05d|%05d|%+05d|% 05d|%05.3d|%-05.3d", -1, 1, 1, 1, -1, -1);
	CHECK("%i %5i %-5i %05i", -7, -7, -7, -7);
	CHECK("%*d|%*d|%-*d|%.*d|%.*d|%*.*d", 6, 42, -6, 42, 6, 42, 4, 42, -1,
	      0, -8, 3, 7);
	CHECK("%.*s|%.*s|%*s|%-*s|", 2, "abcd", -1, "abcd", -6, "ab", 6, "ab");
	CHECK("%400d|%-400s|", 1, "pad");
	CHECK("%%|%d%%%d|%%%%", 1, 2);
	CHECK("%c|%5c|%-5c|", 'x', 'y', 'z');
	CHECK("%s|%10s|%-10s|%.0s|%.5s|%.6s", (char *)NULL, (char *)NULL,
	      (char *)NULL, (char *)NULL, (char *)NULL, (char *)NULL);
	CHECK("%p|%20p|%-20p|%.20p", NULL, NULL, NULL, NULL);
	CHECK("%p|%20p|%-20p|%.20p", (void *)0x1000, (void *)0x1000,
	      (void *)0x1000, (void *)0x1000);
	CHECK("%p", (void *)UINTPTR_MAX);
}

/* glibc formats these as we do, though C leaves them undefined. */
static void test_glibc_quirks(void **state)
{
	CHECK("%+u|% u|%+x|% o", 1u, 1u, 1u, 1u); /* sign flags: signed only */
	CHECK("%#d|%#i|%#u|%#c|%#s", 5, 5, 5u, 'c', "s"); /* '#': o, x only */
	CHECK("%05c|%05s|%05p", 'c', "s", NULL); /* '0': numbers only */
	CHECK("%.3c|%.0c", 'c', 'd');		 /* precision ignored for %c */
	CHECK("%020p|%+p|% p|%#p|%.0p", (void *)0x1234, (void *)0x1234,
	      (void *)0x1234, (void *)0x1234, (void *)0x1234);
	CHECK("%lc|%5lc", 'w', 'q'); /* wide characters taken as narrow */
}

/* ---------------------------------------------------------------------------
 * Where glibc is no oracle
 */

#pragma GCC diagnostic ignored "-Wformat-extra-args"
static void test_unknown_conversions(void **state)
{
	/* Copied as written and no argument consumed, '*' included. */
	expect_fmt("%y", "%y");
	expect_fmt("a%yb", "a%yb");
	expect_fmt("%-08.3y|7", "%-08.3y|%d", 7);
	expect_fmt("%*.*y|7", "%*.*y|%d", 7);
	expect_fmt("%lly|%hhq|%zw|7", "%lly|%hhq|%zw|%d", 7);
	/* No floating point in the kernel. */
	expect_fmt("%f %e %g %a %Lf 3", "%f %e %g %a %Lf %d", 3);
	/* %n would write through an argument: not supported. */
	expect_fmt("%n|%ln|%hhn|9", "%n|%ln|%hhn|%d", 9);
	/* Other conversions glibc has and the kernel does not. */
	expect_fmt("%C %S %m 1", "%C %S %m %d", 1);
	/* A specification cut short by the end of the format. */
	/* glibc prints "%" too, but its ASan interceptor warns about it. */
	expect_fmt("%|%|%|%", "%5%|%-5%|%05%|%.3%");
	expect_fmt("abc%", "abc%");
	expect_fmt("abc%-5", "abc%-5");
	expect_fmt("abc%5.3l", "abc%5.3l");
	expect_fmt("4%ll", "%d%ll", 4);
	/* Truncating an unknown conversion follows the same rules. */
	{
		char buf[4];

		assert_int_equal(k_snprintf(buf, sizeof(buf), "%-8y"), 4);
		assert_string_equal(buf, "%-8");
	}
}
#pragma GCC diagnostic pop

static void test_strings_not_terminated(void **state)
{
	/* Exactly three bytes, no NUL: a read past them is an ASan error. */
	char *s = malloc(3);

	memcpy(s, "abc", 3);
	expect_fmt("abc", "%.3s", s);
	expect_fmt("ab", "%.2s", s);
	expect_fmt("  abc", "%5.3s", s);
	expect_fmt("abc", "%.*s", 3, s);
	free(s);
}

static void test_width_saturates(void **state)
{
	char buf[8];

	/* Past INT_MAX glibc fails with EOVERFLOW; the kernel saturates. */
	assert_int_equal(k_snprintf(buf, sizeof(buf), "%99999999999d", 1),
			 __INT_MAX__);
	assert_string_equal(buf, "       ");
	assert_int_equal(k_snprintf(buf, sizeof(buf), "%.99999999999d", 1),
			 __INT_MAX__);
	assert_string_equal(buf, "0000000");
	/* A negative '*' width of INT_MIN is a left-justified 2^31. */
	assert_int_equal(k_snprintf(buf, sizeof(buf), "%*d", INT32_MIN, 1),
			 __INT_MAX__);
	assert_string_equal(buf, "1      ");
}

static void test_snprintf_wrapper(void **state)
{
	char buf[16];

	/* Everything else goes through k_vsnprintf. */
	assert_int_equal(k_snprintf(buf, sizeof(buf), "%s-%d", "x", -1), 4);
	assert_string_equal(buf, "x--1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_integers_generated),
		cmocka_unit_test(test_chars_strings_pointers_generated),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_null_buffer),
		cmocka_unit_test(test_extremes),
		cmocka_unit_test(test_glibc_quirks),
		cmocka_unit_test(test_unknown_conversions),
		cmocka_unit_test(test_strings_not_terminated),
		cmocka_unit_test(test_width_saturates),
		cmocka_unit_test(test_snprintf_wrapper),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);

	print_message("%lu comparisons\n", checks);
	return failed;
}
