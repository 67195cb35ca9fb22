/*
 * Host unit tests of the boot command-line parser (common/params.c).
 *
 * The options live in a local table built by hand rather than with the
 * section macros, so the tests need no linker script. Every test starts
 * from the defaults below and an empty printk capture.
 */
/*
 * Project headers first: glibc's <sys/cdefs.h> defines __always_inline too,
 * and only a redefinition inside a system header goes unreported.
 */
#include <compiler.h>
#include <errno.h>
#include <param.h>
#include <string.h>

#include "host_support.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <cmocka.h>

/* ------------------------------------------------------------------------
 * The option table
 */

#define STR_SIZE 8 /* room for 7 characters and the NUL */

static bool flag;
static bool no_reboot; /* an option whose own name starts with "no-" */
static u8 int8;
static u16 int16;
static u32 int32;
static u64 int64;
static u64 mem;
static s64 slack;
static char str[STR_SIZE];

/* What the custom parser saw, and what it answers. */
static int custom_calls;
static bool custom_got_null;
static char custom_value[512];
static int custom_result;

static int parse_custom(const char *value)
{
	custom_calls++;
	custom_got_null = !value;
	if (value) {
		size_t n = strnlen(value, sizeof(custom_value) - 1);

		memcpy(custom_value, value, n);
		custom_value[n] = '\0';
	}
	return custom_result;
}

/* A list-taking parser, as a real custom option would be written. */
static char list_items[4][8];
static int list_count;

static int parse_list(const char *value)
{
	char item[8];
	int len;

	list_count = 0;
	while ((len = param_list_next(&value, item, sizeof(item))) != 0) {
		if (len < 0 || list_count == ARRAY_SIZE(list_items))
			return -EINVAL;
		memcpy(list_items[list_count++], item, len + 1);
	}
	return list_count ? 0 : -EINVAL;
}

#define TYPED(_name, _type, _var, _form)                            \
	{                                                           \
		.name = _name, .type = _type, .size = sizeof(_var), \
		.u = {.var = (void *)&(_var)}, .form = _form,       \
	}
#define CUSTOM(_name, _fn, _form)                                         \
	{                                                                 \
		.name = _name, .type = PARAM_CUSTOM, .u = {.parse = _fn}, \
		.form = _form,                                            \
	}

static const struct kernel_param table[] = {
	TYPED("flag", PARAM_BOOL, flag, "flag=on|off (or flag / no-flag)"),
	TYPED("no-reboot", PARAM_BOOL, no_reboot, "no-reboot=on|off"),
	TYPED("int8", PARAM_UINT, int8, "int8=<integer>"),
	TYPED("int16", PARAM_UINT, int16, "int16=<integer>"),
	TYPED("int32", PARAM_UINT, int32, "int32=<integer>"),
	TYPED("int64", PARAM_UINT, int64, "int64=<integer>"),
	TYPED("mem", PARAM_SIZE, mem, "mem=<size>[K|M|G|T]"),
	TYPED("slack", PARAM_TIME, slack, "slack=<integer>ns|us|ms|s"),
	TYPED("str", PARAM_STRING, str, "str=<string>"),
	CUSTOM("hook", parse_custom, "hook=<anything>"),
	CUSTOM("list", parse_list, "list=<item>[,<item>...]"),
};

/* Parses against the table; the capture then holds this parse's warnings. */
static unsigned int parse(const char *cmdline)
{
	host_printk_reset();
	return parse_params(cmdline, table, table + ARRAY_SIZE(table));
}

static int reset(void **state)
{
	flag = false;
	no_reboot = false;
	int8 = 8;
	int16 = 16;
	int32 = 32;
	int64 = 64;
	mem = 1;
	slack = 2;
	memcpy(str, "init", 5);
	custom_calls = 0;
	custom_got_null = false;
	memset(custom_value, 0, sizeof(custom_value));
	custom_result = 0;
	memset(list_items, 0, sizeof(list_items));
	list_count = 0;
	host_printk_reset();
	return 0;
}

/* ------------------------------------------------------------------------
 * Helpers (the project's <string.h> has no strstr)
 */

static bool output_has(const char *needle)
{
	const char *out = host_printk_output();
	size_t n = strlen(needle);

	for (; *out; out++)
		if (strncmp(out, needle, n) == 0)
			return true;
	return false;
}

static unsigned int output_lines(void)
{
	const char *out = host_printk_output();
	unsigned int lines = 0;

	for (; *out; out++)
		lines += *out == '\n';
	return lines;
}

/* Every warning is exactly one line; checks the count both ways. */
#define assert_warnings(_got, _n)                       \
	do {                                            \
		assert_int_equal((_got), (_n));         \
		assert_int_equal(output_lines(), (_n)); \
	} while (0)

#define assert_warned(_needle)                                          \
	do {                                                            \
		if (!output_has(_needle))                               \
			fail_msg("no \"%s\" in output:\n%s", (_needle), \
				 host_printk_output());                 \
	} while (0)

/* ------------------------------------------------------------------------
 * Tokens and whitespace
 */

static void test_empty_cmdline(void **state)
{
	assert_warnings(parse(""), 0);
	assert_warnings(parse(NULL), 0);
	assert_warnings(parse(" \t  \t"), 0);
	assert_int_equal(int32, 32);
	assert_false(flag);
}

static void test_extra_whitespace(void **state)
{
	assert_warnings(parse("  \tint32=5 \t\t flag  str=ab\t\n"), 0);
	assert_int_equal(int32, 5);
	assert_true(flag);
	assert_string_equal(str, "ab");
}

static void test_empty_table(void **state)
{
	host_printk_reset();
	assert_warnings(parse_params("flag", table, table), 1);
	assert_warned("cmdline: flag: unknown option");
}

static void test_later_wins(void **state)
{
	assert_warnings(parse("int32=1 int32=2 flag no-flag str=a str=b"), 0);
	assert_int_equal(int32, 2);
	assert_false(flag);
	assert_string_equal(str, "b");

	/* A malformed later occurrence leaves the earlier value. */
	assert_warnings(parse("int32=3 int32=bad"), 1);
	assert_int_equal(int32, 3);
}

static void test_warning_format(void **state)
{
	assert_warnings(parse("int32=banana"), 1);
	assert_string_equal(host_printk_output(),
			    "cmdline: int32=banana: not an integer; "
			    "expected int32=<integer>; option ignored\n");
}

static void test_warning_count(void **state)
{
	assert_warnings(parse("a int32=x b=1 flag=2 int32=7 no-int8 str"), 6);
	assert_int_equal(int32, 7);
	assert_warned("cmdline: a: unknown option");
	assert_warned("cmdline: b=1: unknown option");
	assert_warned("cmdline: no-int8: unknown option");
	assert_warned("cmdline: str: needs a value; expected str=<string>");
}

/* ------------------------------------------------------------------------
 * Unknown options
 */

static void test_unknown_option(void **state)
{
	assert_warnings(parse("bogus"), 1);
	assert_warned("cmdline: bogus: unknown option; ignored");
	host_printk_reset();
	assert_warnings(parse("bogus=1 fla flags=on =5"), 4);
	assert_warned("cmdline: bogus=1: unknown option");
	assert_warned("cmdline: fla: unknown option");
	assert_warned("cmdline: flags=on: unknown option");
	assert_warned("cmdline: =5: unknown option");
	assert_false(flag);
}

static void test_long_unknown_option(void **state)
{
	char line[600];

	/* Longer than every name and than any buffer the parser might use. */
	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	line[300] = '=';
	assert_warnings(parse(line), 1);
	assert_warned("unknown option");
	/* The warning quotes a bounded prefix and says it was cut. */
	assert_warned("cmdline: xxxxxxxx");
	assert_warned("xxx...: unknown option");
	assert_true(strlen(host_printk_output()) < 120);
}

static void test_prefix_of_name_is_unknown(void **state)
{
	/* "int" is a prefix of int8 etc.; "int32x" extends int32. */
	assert_warnings(parse("int=1 int32x=1 in"), 3);
	assert_int_equal(int32, 32);
}

/* ------------------------------------------------------------------------
 * Booleans
 */

static void test_bool_bare_and_no(void **state)
{
	assert_warnings(parse("flag"), 0);
	assert_true(flag);
	assert_warnings(parse("no-flag"), 0);
	assert_false(flag);
}

static void test_bool_spellings(void **state)
{
	static const char *const on[] = {"on", "yes", "true", "enable", "1"};
	static const char *const off[] = {"off", "no", "false", "disable", "0"};
	char line[32];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(on); i++) {
		flag = false;
		snprintf(line, sizeof(line), "flag=%s", on[i]);
		assert_warnings(parse(line), 0);
		assert_true(flag);

		snprintf(line, sizeof(line), "flag=%s", off[i]);
		assert_warnings(parse(line), 0);
		assert_false(flag);
	}
	/* Quotes are removed before the word is looked up. */
	assert_warnings(parse("flag=\"on\""), 0);
	assert_true(flag);
}

static void test_bool_malformed(void **state)
{
	flag = true;
	assert_warnings(parse("flag=maybe flag=ON flag=2 flag=onn"), 4);
	assert_true(flag);
	assert_warned(
		"cmdline: flag=maybe: not a boolean; "
		"expected flag=on|off (or flag / no-flag); option ignored");
	assert_warned("cmdline: flag=ON: not a boolean");
}

static void test_bool_empty_value(void **state)
{
	flag = true;
	assert_warnings(parse("flag="), 1);
	assert_warned("cmdline: flag=: empty value; expected flag=on|off");
	assert_true(flag);
}

static void test_no_bool_with_value(void **state)
{
	flag = true;
	assert_warnings(parse("no-flag=off"), 1);
	assert_warned("cmdline: no-flag=off: no-flag takes no value; "
		      "expected flag=on|off");
	assert_true(flag);
	assert_warnings(parse("no-flag="), 1);
	assert_true(flag);
}

static void test_no_prefix_only_for_bools(void **state)
{
	assert_warnings(parse("no-int32 no-str no-hook no-mem no-slack"), 5);
	assert_warned("cmdline: no-int32: unknown option");
	assert_warned("cmdline: no-hook: unknown option");
	assert_int_equal(custom_calls, 0);
	assert_warnings(parse("no- no"), 2);
}

static void test_no_prefix_exact_name_wins(void **state)
{
	assert_warnings(parse("no-reboot"), 0);
	assert_true(no_reboot);
	assert_warnings(parse("no-no-reboot"), 0);
	assert_false(no_reboot);
	assert_warnings(parse("no-reboot=yes"), 0);
	assert_true(no_reboot);
	/* "reboot" alone is not an option. */
	assert_warnings(parse("reboot"), 1);
}

/* ------------------------------------------------------------------------
 * Integers
 */

struct range_case {
	const char *line;
	bool ok;
};

static void check_ranges(const struct range_case *cases, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (parse(cases[i].line) != !cases[i].ok)
			fail_msg("%s: expected %s", cases[i].line,
				 cases[i].ok ? "success" : "a warning");
	}
}

static void test_uint8_range(void **state)
{
	static const struct range_case cases[] = {
		{"int8=0", true},      {"int8=255", true},
		{"int8=0xff", true},   {"int8=256", false},
		{"int8=0x100", false}, {"int8=1000", false},
	};

	check_ranges(cases, ARRAY_SIZE(cases));
	host_printk_reset();
	assert_warnings(parse("int8=255 int8=256"), 1);
	assert_int_equal(int8, 255);
	assert_warned("cmdline: int8=256: out of range (at most 255); "
		      "expected int8=<integer>; option ignored");
}

static void test_uint16_range(void **state)
{
	static const struct range_case cases[] = {
		{"int16=65535", true},
		{"int16=0xffff", true},
		{"int16=65536", false},
		{"int16=0x10000", false},
	};

	check_ranges(cases, ARRAY_SIZE(cases));
	host_printk_reset();
	assert_warnings(parse("int16=65535 int16=65536"), 1);
	assert_int_equal(int16, 65535);
	assert_warned("out of range (at most 65535)");
}

static void test_uint32_range(void **state)
{
	static const struct range_case cases[] = {
		{"int32=4294967295", true},
		{"int32=0xffffffff", true},
		{"int32=4294967296", false},
		{"int32=0x100000000", false},
	};

	check_ranges(cases, ARRAY_SIZE(cases));
	host_printk_reset();
	assert_warnings(parse("int32=4294967295 int32=4294967296"), 1);
	assert_int_equal(int32, 4294967295u);
	assert_warned("out of range (at most 4294967295)");
}

static void test_uint64_range(void **state)
{
	static const struct range_case cases[] = {
		{"int64=18446744073709551615", true},
		{"int64=0xffffffffffffffff", true},
		{"int64=0x000000000000000000ffffffffffffffff", true},
		{"int64=18446744073709551616", false},
		{"int64=18446744073709551620", false},
		{"int64=99999999999999999999999999", false},
		{"int64=0x10000000000000000", false},
	};

	check_ranges(cases, ARRAY_SIZE(cases));
	host_printk_reset();
	assert_warnings(parse("int64=18446744073709551615 "
			      "int64=18446744073709551616"),
			1);
	assert_true(int64 == UINT64_MAX);
	assert_warned("cmdline: int64=18446744073709551616: out of range "
		      "(at most 18446744073709551615)");
}

static void test_uint_forms(void **state)
{
	assert_warnings(parse("int32=0x1F"), 0);
	assert_int_equal(int32, 31);
	assert_warnings(parse("int32=0XaB"), 0);
	assert_int_equal(int32, 0xab);
	/* Leading zeros are decimal, not octal. */
	assert_warnings(parse("int32=010"), 0);
	assert_int_equal(int32, 10);
	assert_warnings(parse("int32=\"42\""), 0);
	assert_int_equal(int32, 42);
}

static void test_uint_malformed(void **state)
{
	assert_warnings(parse("int32=-1 int32=+1 int32=0x int32=12abc "
			      "int32=1.5 int32=0x1g int32=\" 1\" int32=1K"),
			8);
	assert_int_equal(int32, 32);
	assert_warned("cmdline: int32=-1: not an integer; "
		      "expected int32=<integer>");
	assert_warned("cmdline: int32=0x: not an integer");
}

static void test_typed_needs_value(void **state)
{
	assert_warnings(parse("int32 mem slack str"), 4);
	assert_warned(
		"cmdline: int32: needs a value; expected int32=<integer>");
	assert_warned("cmdline: mem: needs a value");
	assert_warned("cmdline: slack: needs a value");
	assert_warned("cmdline: str: needs a value");
}

static void test_typed_empty_value(void **state)
{
	assert_warnings(parse("int32= mem= slack= str="), 4);
	assert_warned("cmdline: int32=: empty value; expected int32=<integer>");
	assert_warned("cmdline: mem=: empty value");
	assert_warned("cmdline: slack=: empty value");
	assert_warned("cmdline: str=: empty value; expected str=<string>");
	assert_int_equal(int32, 32);
	assert_string_equal(str, "init");
}

static void test_bad_declaration(void **state)
{
	u8 three[3] = {0};
	const struct kernel_param odd = {
		.name = "odd",
		.type = PARAM_UINT,
		.size = sizeof(three),
		.u = {.var = three},
		.form = "odd=<integer>",
	};

	assert_warnings(parse_params("odd=1", &odd, &odd + 1), 1);
	assert_warned("bad declaration (3 bytes)");
	assert_int_equal(three[0], 0);
}

/* ------------------------------------------------------------------------
 * Sizes
 */

static void test_size_units(void **state)
{
	static const struct {
		const char *line;
		u64 bytes;
	} cases[] = {
		{"mem=4096", 4096},
		{"mem=0", 0},
		{"mem=4K", 4096},
		{"mem=4k", 4096},
		{"mem=2M", 2ULL << 20},
		{"mem=2m", 2ULL << 20},
		{"mem=3G", 3ULL << 30},
		{"mem=3g", 3ULL << 30},
		{"mem=1T", 1ULL << 40},
		{"mem=1t", 1ULL << 40},
		{"mem=0x10M", 16ULL << 20},
		{"mem=18446744073709551615", UINT64_MAX},
		{"mem=16777215T", 16777215ULL << 40},
		{"mem=17179869183G", 17179869183ULL << 30},
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		mem = 1;
		if (parse(cases[i].line) != 0)
			fail_msg("%s: %s", cases[i].line, host_printk_output());
		if (mem != cases[i].bytes)
			fail_msg("%s: got %llu", cases[i].line,
				 (unsigned long long)mem);
	}
}

static void test_size_malformed(void **state)
{
	/* "mem=4 K" is two options: a valid size and an unknown "K". */
	assert_warnings(parse("mem=K mem=4KB mem=4 K mem=4E mem=-4K mem=4KK "
			      "mem=1.5G"),
			7);
	assert_int_equal(mem, 4);
	assert_warned("cmdline: mem=4KB: not a size; "
		      "expected mem=<size>[K|M|G|T]; option ignored");
	assert_warned("cmdline: K: unknown option");
}

static void test_size_overflow(void **state)
{
	assert_warnings(
		parse("mem=16777216T mem=17179869184G "
		      "mem=18446744073709551616 mem=0x10000000000000000K"),
		4);
	assert_int_equal(mem, 1);
	assert_warned("cmdline: mem=16777216T: out of range");
	assert_warned("expected mem=<size>[K|M|G|T]");
}

static void test_parse_size_direct(void **state)
{
	u64 bytes = 7;

	assert_int_equal(parse_size("512M", &bytes), 0);
	assert_true(bytes == 512ULL << 20);
	bytes = 7;
	assert_int_equal(parse_size(NULL, &bytes), -EINVAL);
	assert_int_equal(parse_size("", &bytes), -EINVAL);
	assert_int_equal(parse_size("M", &bytes), -EINVAL);
	assert_int_equal(parse_size("1 M", &bytes), -EINVAL);
	assert_int_equal(parse_size("1M ", &bytes), -EINVAL);
	assert_int_equal(parse_size("99999999999999999999x", &bytes), -EINVAL);
	assert_int_equal(parse_size("99999999999999999999", &bytes), -ERANGE);
	assert_int_equal(parse_size("16777216T", &bytes), -ERANGE);
	assert_int_equal(bytes, 7);
}

/* ------------------------------------------------------------------------
 * Times
 */

static void test_time_units(void **state)
{
	static const struct {
		const char *line;
		s64 ns;
	} cases[] = {
		{"slack=7ns", 7},
		{"slack=50us", 50000},
		{"slack=10ms", 10000000},
		{"slack=3s", 3000000000LL},
		{"slack=0s", 0},
		{"slack=0x10us", 16000},
		{"slack=9223372036854775807ns", INT64_MAX},
		{"slack=9223372036854775us", 9223372036854775000LL},
		{"slack=9223372036854ms", 9223372036854000000LL},
		{"slack=9223372036s", 9223372036000000000LL},
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		slack = 2;
		if (parse(cases[i].line) != 0)
			fail_msg("%s: %s", cases[i].line, host_printk_output());
		if (slack != cases[i].ns)
			fail_msg("%s: got %lld", cases[i].line,
				 (long long)slack);
	}
}

static void test_time_needs_unit(void **state)
{
	assert_warnings(parse("slack=100"), 1);
	assert_warned("cmdline: slack=100: needs a unit (ns, us, ms or s); "
		      "expected slack=<integer>ns|us|ms|s; option ignored");
	assert_int_equal(slack, 2);
	assert_warnings(parse("slack=99999999999999999999999"), 1);
	assert_warned("cmdline: slack=99999999999999999999999: needs a unit");
}

static void test_time_malformed(void **state)
{
	assert_warnings(parse("slack=5m slack=5sec slack=5S slack=ms "
			      "slack=-5us slack=1.5s"),
			6);
	assert_int_equal(slack, 2);
	assert_warned("cmdline: slack=5m: not a time");
	assert_warned("cmdline: slack=ms: not a time");
}

static void test_time_overflow(void **state)
{
	assert_warnings(parse("slack=9223372036854775808ns "
			      "slack=9223372036854776us slack=9223372036855ms "
			      "slack=9223372037s slack=18446744073709551616s"),
			5);
	assert_int_equal(slack, 2);
	assert_warned("cmdline: slack=9223372037s: out of range");
	assert_warned("expected slack=<integer>ns|us|ms|s");
}

static void test_parse_time_direct(void **state)
{
	s64 ns = 7;

	assert_int_equal(parse_time_ns("250us", &ns), 0);
	assert_int_equal(ns, 250000);
	ns = 7;
	assert_int_equal(parse_time_ns(NULL, &ns), -EINVAL);
	assert_int_equal(parse_time_ns("", &ns), -EINVAL);
	assert_int_equal(parse_time_ns("5", &ns), -EINVAL);
	assert_int_equal(parse_time_ns("s", &ns), -EINVAL);
	assert_int_equal(parse_time_ns("5 s", &ns), -EINVAL);
	assert_int_equal(parse_time_ns("5nsx", &ns), -EINVAL);
	assert_int_equal(parse_time_ns("99999999999999999999x", &ns), -EINVAL);
	assert_int_equal(parse_time_ns("99999999999999999999ns", &ns), -ERANGE);
	assert_int_equal(parse_time_ns("9223372037s", &ns), -ERANGE);
	assert_int_equal(ns, 7);
}

/* ------------------------------------------------------------------------
 * Strings
 */

static void test_string_fits(void **state)
{
	assert_warnings(parse("str=1234567"), 0);
	assert_string_equal(str, "1234567");
	assert_warnings(parse("str=\"a b c\""), 0);
	assert_string_equal(str, "a b c");
	/* Quotes do not count towards the size. */
	assert_warnings(parse("str=\"1234567\""), 0);
	assert_string_equal(str, "1234567");
	assert_warnings(parse("str=\"\""), 0);
	assert_string_equal(str, "");
}

static void test_string_too_long(void **state)
{
	assert_warnings(parse("str=12345678"), 1);
	assert_string_equal(str, "init");
	assert_warned("cmdline: str=12345678: longer than 7 bytes; "
		      "expected str=<string>; option ignored");
	assert_warnings(parse("str=\"1234 678\""), 1);
	assert_string_equal(str, "init");
}

static void test_value_with_equals(void **state)
{
	assert_warnings(parse("str=a=b=c hook=x=y"), 0);
	assert_string_equal(str, "a=b=c");
	assert_string_equal(custom_value, "x=y");
}

/* ------------------------------------------------------------------------
 * Quotes
 */

static void test_quotes(void **state)
{
	assert_warnings(parse("hook=\"a  b\tc\" int32=\"5\" str=x\" \"y"), 0);
	assert_string_equal(custom_value, "a  b\tc");
	assert_int_equal(int32, 5);
	assert_string_equal(str, "x y");
}

/* What GRUB 2.06 hands over for the grub.cfg words s="a b" and it's. */
static void test_grub_quoting(void **state)
{
	assert_warnings(parse("\"str=a b\" \"hook=it\\'s\""), 0);
	assert_string_equal(str, "a b");
	assert_string_equal(custom_value, "it's");
	assert_warnings(parse("\"fl\"ag \"int8\"=\"7\""), 0);
	assert_true(flag);
	assert_int_equal(int8, 7);
}

static void test_backslash_escapes(void **state)
{
	/* An escaped quote is literal and does not open a quote. */
	assert_warnings(parse("str=a\\\"b int32=3"), 0);
	assert_string_equal(str, "a\"b");
	assert_int_equal(int32, 3);
	/* An escaped blank does not end the option. */
	assert_warnings(parse("str=a\\ b"), 0);
	assert_string_equal(str, "a b");
	/* A backslash at the very end stays itself. */
	assert_warnings(parse("str=ab\\"), 0);
	assert_string_equal(str, "ab\\");
	/* A name that only matches once decoded still names the option. */
	assert_warnings(parse("i\\nt8=9"), 0);
	assert_int_equal(int8, 9);
}

/* Decoded names longer than any option are unknown, however they are spelt. */
static void test_long_quoted_name(void **state)
{
	char line[300];

	memset(line, 'x', sizeof(line) - 1);
	line[0] = '"';
	line[sizeof(line) - 2] = '"';
	line[sizeof(line) - 1] = '\0';
	assert_warnings(parse(line), 1);
	assert_warned("unknown option");
}

static void test_unterminated_quote(void **state)
{
	assert_warnings(parse("int8=1 str=\"abc int32=5 flag"), 1);
	assert_warned("cmdline: str=\"abc int32=5 flag: unterminated quote");
	assert_warned("expected str=<string>; option ignored");
	/* The quote swallowed the rest of the line. */
	assert_int_equal(int8, 1);
	assert_int_equal(int32, 32);
	assert_false(flag);
	assert_string_equal(str, "init");
}

static void test_unterminated_quote_other_forms(void **state)
{
	assert_warnings(parse("flag\""), 1);
	assert_false(flag);
	assert_warned("cmdline: flag\": unterminated quote");
	assert_warnings(parse("no-flag\" x"), 1);
	assert_warnings(parse("hook=\"x"), 1);
	assert_int_equal(custom_calls, 0);
	assert_warnings(parse("bogus=\""), 1);
	assert_warned("cmdline: bogus=\": unterminated quote");
}

/* ------------------------------------------------------------------------
 * Custom options
 */

static void test_custom_success(void **state)
{
	assert_warnings(parse("hook=abc"), 0);
	assert_int_equal(custom_calls, 1);
	assert_false(custom_got_null);
	assert_string_equal(custom_value, "abc");
}

static void test_custom_null_value(void **state)
{
	assert_warnings(parse("hook"), 0);
	assert_int_equal(custom_calls, 1);
	assert_true(custom_got_null);
}

static void test_custom_empty_value(void **state)
{
	/* Custom parsers decide for themselves what an empty value means. */
	memcpy(custom_value, "stale", 6);
	assert_warnings(parse("hook="), 0);
	assert_int_equal(custom_calls, 1);
	assert_false(custom_got_null);
	assert_string_equal(custom_value, "");
}

static void test_custom_failure(void **state)
{
	custom_result = -EINVAL;
	assert_warnings(parse("hook=bad"), 1);
	assert_int_equal(custom_calls, 1);
	assert_warned("cmdline: hook=bad: invalid value (error -22); "
		      "expected hook=<anything>; option ignored");
	host_printk_reset();
	assert_warnings(parse("hook"), 1);
	assert_warned("cmdline: hook: invalid value");
	/* Positive returns are not errors. */
	custom_result = 1;
	assert_int_equal(parse("hook=x"), 0);
}

static void test_custom_value_too_long(void **state)
{
	char line[400] = "hook=";

	memset(line + 5, 'v', 300);
	assert_warnings(parse(line), 1);
	assert_int_equal(custom_calls, 0);
	assert_warned("value longer than 255 bytes; expected hook=<anything>");

	/* 255 bytes is the most a custom parser is handed. */
	host_printk_reset();
	line[5 + 255] = '\0';
	assert_warnings(parse(line), 0);
	assert_int_equal(strlen(custom_value), 255);
}

static void test_custom_list(void **state)
{
	assert_warnings(parse("list=a,bb,,ccc"), 0);
	assert_int_equal(list_count, 3);
	assert_string_equal(list_items[0], "a");
	assert_string_equal(list_items[1], "bb");
	assert_string_equal(list_items[2], "ccc");
	assert_warnings(parse("list=a,12345678"), 1);
	assert_warned("cmdline: list=a,12345678: invalid value (error -22); "
		      "expected list=<item>[,<item>...]");
}

/* ------------------------------------------------------------------------
 * param_list_next()
 */

static void test_list_iteration(void **state)
{
	const char *cursor = "a,bb,ccc";
	char item[8];

	assert_int_equal(param_list_next(&cursor, item, sizeof(item)), 1);
	assert_string_equal(item, "a");
	assert_int_equal(param_list_next(&cursor, item, sizeof(item)), 2);
	assert_string_equal(item, "bb");
	assert_int_equal(param_list_next(&cursor, item, sizeof(item)), 3);
	assert_string_equal(item, "ccc");
	assert_int_equal(param_list_next(&cursor, item, sizeof(item)), 0);
	/* The end stays the end. */
	assert_int_equal(param_list_next(&cursor, item, sizeof(item)), 0);
}

static void test_list_empty_items(void **state)
{
	const char *cursor = ",,a,,,b,";
	char item[8];

	assert_int_equal(param_list_next(&cursor, item, sizeof(item)), 1);
	assert_string_equal(item, "a");
	assert_int_equal(param_list_next(&cursor, item, sizeof(item)), 1);
	assert_string_equal(item, "b");
	assert_int_equal(param_list_next(&cursor, item, sizeof(item)), 0);

	cursor = "";
	assert_int_equal(param_list_next(&cursor, item, sizeof(item)), 0);
	cursor = ",,,";
	assert_int_equal(param_list_next(&cursor, item, sizeof(item)), 0);
	cursor = NULL;
	assert_int_equal(param_list_next(&cursor, item, sizeof(item)), 0);
}

static void test_list_enospc(void **state)
{
	const char *cursor = "abc,abcd,x";
	char item[4];

	/* Exactly fits: three characters and the NUL. */
	assert_int_equal(param_list_next(&cursor, item, sizeof(item)), 3);
	assert_string_equal(item, "abc");
	assert_int_equal(param_list_next(&cursor, item, sizeof(item)), -ENOSPC);
	assert_string_equal(item, "");
	/* The cursor moved past the item that did not fit. */
	assert_int_equal(param_list_next(&cursor, item, sizeof(item)), 1);
	assert_string_equal(item, "x");
	assert_int_equal(param_list_next(&cursor, item, sizeof(item)), 0);

	cursor = "a";
	assert_int_equal(param_list_next(&cursor, item, 0), -ENOSPC);
	assert_int_equal(param_list_next(&cursor, item, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup(fn, reset)
		T(test_empty_cmdline),
		T(test_extra_whitespace),
		T(test_empty_table),
		T(test_later_wins),
		T(test_warning_format),
		T(test_warning_count),
		T(test_unknown_option),
		T(test_long_unknown_option),
		T(test_prefix_of_name_is_unknown),
		T(test_bool_bare_and_no),
		T(test_bool_spellings),
		T(test_bool_malformed),
		T(test_bool_empty_value),
		T(test_no_bool_with_value),
		T(test_no_prefix_only_for_bools),
		T(test_no_prefix_exact_name_wins),
		T(test_uint8_range),
		T(test_uint16_range),
		T(test_uint32_range),
		T(test_uint64_range),
		T(test_uint_forms),
		T(test_uint_malformed),
		T(test_typed_needs_value),
		T(test_typed_empty_value),
		T(test_bad_declaration),
		T(test_size_units),
		T(test_size_malformed),
		T(test_size_overflow),
		T(test_parse_size_direct),
		T(test_time_units),
		T(test_time_needs_unit),
		T(test_time_malformed),
		T(test_time_overflow),
		T(test_parse_time_direct),
		T(test_string_fits),
		T(test_string_too_long),
		T(test_value_with_equals),
		T(test_quotes),
		T(test_grub_quoting),
		T(test_backslash_escapes),
		T(test_long_quoted_name),
		T(test_unterminated_quote),
		T(test_unterminated_quote_other_forms),
		T(test_custom_success),
		T(test_custom_null_value),
		T(test_custom_empty_value),
		T(test_custom_failure),
		T(test_custom_value_too_long),
		T(test_custom_list),
		T(test_list_iteration),
		T(test_list_empty_items),
		T(test_list_enospc),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
