/*
 * The command line in the running kernel: malformed options warn and the
 * boot goes on. The harness boots with bad options and tells this suite
 * how many warnings to expect with ktest_cmdline_warnings=<n>, and passes
 * a value with blanks and shell characters through GRUB's quoting.
 */
#include <ktest.h>
#include <param.h>
#include <printk.h>

static unsigned int expected_warnings = ~0U;
integer_param("ktest_cmdline_warnings", expected_warnings);

/* The harness passes this through GRUB's quoting (tools/mkiso.sh). */
#define QUOTED_EXPECTED "a b;$x it's"
static char quoted_value[32];
string_param("ktest_cmdline_string", quoted_value);

static void boot_warnings_counted(struct ktest *t)
{
	if (expected_warnings == ~0U)
		KT_SKIP(t, "no ktest_cmdline_warnings= on the command line");
	KT_EXPECT_EQ(t, cmdline_warnings(), expected_warnings);
}

static void malformed_options_keep_defaults(struct ktest *t)
{
	static bool flag = true;
	static unsigned int number = 7;
	static u64 size = 4096;
	static s64 slop = 50000;
	static const struct kernel_param table[] = {
		{"flag",
		 PARAM_BOOL,
		 sizeof(flag),
		 {.var = &flag},
		 "flag=on|off"},
		{"number",
		 PARAM_UINT,
		 sizeof(number),
		 {.var = &number},
		 "number=<integer>"},
		{"size",
		 PARAM_SIZE,
		 sizeof(size),
		 {.var = &size},
		 "size=<size>"},
		{"slop",
		 PARAM_TIME,
		 sizeof(slop),
		 {.var = &slop},
		 "slop=<time>"},
	};

	KT_EXPECT_EQ(t,
		     parse_params("flag=maybe number=-1 size=3X slop=50 bogus",
				  table, table + ARRAY_SIZE(table)),
		     5);
	KT_EXPECT_TRUE(t, flag);
	KT_EXPECT_EQ(t, number, 7);
	KT_EXPECT_EQ(t, size, 4096);
	KT_EXPECT_EQ(t, slop, 50000);
	KT_EXPECT_EQ(t,
		     parse_params("no-flag number=0x10 size=2M slop=10us",
				  table, table + ARRAY_SIZE(table)),
		     0);
	KT_EXPECT_TRUE(t, !flag);
	KT_EXPECT_EQ(t, number, 16);
	KT_EXPECT_EQ(t, size, 2 << 20);
	KT_EXPECT_EQ(t, slop, 10000);
}

static void quoted_value_survives_grub(struct ktest *t)
{
	if (quoted_value[0] == '\0')
		KT_SKIP(t, "no ktest_cmdline_string= on the command line");
	KT_EXPECT_STREQ(t, quoted_value, QUOTED_EXPECTED);
}

/* The harness's bad-options boot says loglvl=banana: it must change nothing. */
static void refused_loglvl_keeps_default(struct ktest *t)
{
	if (expected_warnings == ~0U)
		KT_SKIP(t, "no ktest_cmdline_warnings= on the command line");
	KT_EXPECT_EQ(t, console_loglevel, LOGLEVEL_DEFAULT);
}

KTEST_SUITE(cmdline, KTEST_CASE(boot_warnings_counted),
	    KTEST_CASE(malformed_options_keep_defaults),
	    KTEST_CASE(quoted_value_survives_grub),
	    KTEST_CASE(refused_loglvl_keeps_default));
