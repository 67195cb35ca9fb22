/*
 * Host unit tests of the module command-line parser
 * (common/domain_config.c) and its CPU-list parser: every key, its
 * bounds and its errors, the quoting rules shared with the hypervisor's
 * command line, and the checks that need several keys. Every refusal is
 * checked by the words of its message.
 */
/*
 * Project headers first: glibc's <sys/cdefs.h> defines __always_inline too,
 * and only a redefinition inside a system header goes unreported.
 */
#include <compiler.h>
#include <cpumask.h>
#include <domain_config.h>
#include <errno.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#define MIB	  (1UL << 20)
#define MEM_LIMIT (256 * MIB)
#define NS_US	  1000LL
#define NS_MS	  1000000LL
#define NS_S	  1000000000LL

static struct domain_config cfg;
static char err[256];

/* ------------------------------------------------------------------------
 * Helpers
 */

/* The project's <string.h> has no strstr. */
static bool contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (strncmp(hay, needle, n) == 0)
			return true;
	return false;
}

/* Parses line as module 3 with the default limit. */
static int parse(const char *line)
{
	memset(err, 'X', sizeof(err));
	memset(&cfg, 0xa5, sizeof(cfg));
	return domain_config_parse(line, 3, MEM_LIMIT, &cfg, err, sizeof(err));
}

static void expect_ok(const char *line)
{
	if (parse(line) != 0)
		fail_msg("\"%s\" refused: %s", line, err);
	assert_string_equal(err, "");
}

/* True if cfg holds exactly the defaults of module 3. */
static bool cfg_is_default(void)
{
	struct domain_config d;

	domain_config_defaults(&d, 3);
	return memcmp(&d, &cfg, sizeof(d)) == 0;
}

static void expect_refused_words(const char *line, const char *const *words,
				 unsigned int n)
{
	unsigned int i;

	if (parse(line) != -EINVAL)
		fail_msg("\"%s\" accepted", line);
	assert_true(strnlen(err, sizeof(err)) < sizeof(err));
	assert_true(strlen(err) > 0);
	for (i = 0; i < n; i++)
		if (!contains(err, words[i]))
			fail_msg("\"%s\": message \"%s\" lacks \"%s\"", line,
				 err, words[i]);
	assert_true(cfg_is_default());
}

/* Refused, with a message containing every word given. */
#define expect_refused(line, ...)                                         \
	do {                                                              \
		static const char *const words_[] = {__VA_ARGS__};        \
		expect_refused_words((line), words_, ARRAY_SIZE(words_)); \
	} while (0)

/* The CPUs of a mask as a list, for comparisons ("0-3,6"). */
static const char *mask_str(const cpumask_t *m)
{
	static char buf[512];
	unsigned int cpu, start;
	size_t n = 0;

	buf[0] = '\0';
	for (cpu = cpumask_first(m); cpu < NR_CPUS;) {
		start = cpu;
		while (cpu + 1 < NR_CPUS && cpumask_test_cpu(cpu + 1, m))
			cpu++;
		n += snprintf(buf + n, sizeof(buf) - n, "%s%u", n ? "," : "",
			      start);
		if (cpu > start)
			n += snprintf(buf + n, sizeof(buf) - n, "-%u", cpu);
		cpu = cpumask_next(cpu, m);
		assert_true(n < sizeof(buf));
	}
	return buf;
}

/* ------------------------------------------------------------------------
 * Defaults and the line as a whole
 */

static void test_defaults(void **state)
{
	expect_ok("");
	assert_true(cfg_is_default());
	assert_string_equal(cfg.name, "dom3");
	assert_int_equal(cfg.vcpus, 1);
	assert_int_equal(cfg.mem, DOMAIN_MEM_DEFAULT);
	assert_true(cpumask_full(&cfg.affinity));
	assert_false(cfg.affinity_given);
	assert_int_equal(cfg.weight, 256);
	assert_int_equal(cfg.cap, 0);
	assert_int_equal(cfg.period_ns, 0);
	assert_int_equal(cfg.budget_ns, 0);
	assert_false(cfg.gang);
	assert_string_equal(cfg.gang_name, "");

	expect_ok(" \t\r\n ");
	assert_true(cfg_is_default());
	assert_int_equal(
		domain_config_parse(NULL, 3, MEM_LIMIT, &cfg, err, sizeof(err)),
		0);
	assert_true(cfg_is_default());

	domain_config_defaults(&cfg, 4294967295u);
	assert_string_equal(cfg.name, "dom4294967295");
}

static void test_everything(void **state)
{
	expect_ok("name=ticker vcpus=4 mem=32M affinity=0-3,6 weight=512 "
		  "cap=150 period=10ms budget=2500us gang=g1");
	assert_string_equal(cfg.name, "ticker");
	assert_int_equal(cfg.vcpus, 4);
	assert_int_equal(cfg.mem, 32 * MIB);
	assert_string_equal(mask_str(&cfg.affinity), "0-3,6");
	assert_true(cfg.affinity_given);
	assert_int_equal(cfg.weight, 512);
	assert_int_equal(cfg.cap, 150);
	assert_int_equal(cfg.period_ns, 10 * NS_MS);
	assert_int_equal(cfg.budget_ns, 2500 * NS_US);
	assert_true(cfg.gang);
	assert_string_equal(cfg.gang_name, "g1");
}

/* As on the hypervisor's command line, the last occurrence wins. */
static void test_last_wins(void **state)
{
	expect_ok("vcpus=2 name=a vcpus=3 name=b");
	assert_int_equal(cfg.vcpus, 3);
	assert_string_equal(cfg.name, "b");
}

static void test_unknown_option(void **state)
{
	expect_refused("vcpus=2 frob=1",
		       "frob=1: unknown option; known: name vcpus mem affinity "
		       "weight cap period budget gang args type cmdline");
	expect_refused("VCPUS=2", "VCPUS=2: unknown option");
	expect_refused("no-gang", "no-gang: unknown option");
	expect_refused("averyveryverylongkeyname=1", "unknown option");
	/* The first failure is the one reported. */
	expect_refused("a=1 b=2", "a=1: unknown option");
}

/* What GRUB 2 does not pass, and some other loader might. */
static void test_path_first(void **state)
{
	expect_refused("/boot/guest.elf vcpus=2", "/boot/guest.elf",
		       "looks like a file path", "options only");
}

static void test_quoting(void **state)
{
	/* GRUB hands `name="ab"` over as name=ab, `"a b"` as "a b". */
	expect_ok("\"name=ab\" \"vcpus\"=2 mem=\"8M\"");
	assert_string_equal(cfg.name, "ab");
	assert_int_equal(cfg.vcpus, 2);
	assert_int_equal(cfg.mem, 8 * MIB);
	expect_ok("name=a\\-b");
	assert_string_equal(cfg.name, "a-b");
	expect_refused("\"name=my guest\"", "name=my guest",
		       "character ' ' not allowed");
	expect_refused("name=it\\'s", "character ''' not allowed");
	expect_refused("vcpus=\"2", "unterminated quote", "vcpus=<1-64>");
	expect_refused("name=\"\"", "empty value");
	/* A tab is a blank, as for the hypervisor's command line. */
	expect_ok("vcpus=2\tweight=3");
	assert_int_equal(cfg.weight, 3);
}

static void test_needs_value(void **state)
{
	expect_refused("vcpus", "vcpus: needs a value; expected vcpus=<1-64>");
	expect_refused("name", "name: needs a value");
	expect_refused("mem=", "mem=: empty value");
	expect_refused("period=", "period=: empty value");
}

static void test_long_value(void **state)
{
	char line[1200];

	memcpy(line, "affinity=", 9);
	memset(line + 9, '1', 1100);
	line[1109] = '\0';
	expect_refused(line, "value longer than 1023 bytes");
	/* The quote of the option is cut short. */
	assert_true(contains(err, "111..."));
}

/* ------------------------------------------------------------------------
 * Each key
 */

static void test_name(void **state)
{
	expect_ok("name=A-z_09");
	assert_string_equal(cfg.name, "A-z_09");
	expect_ok("name=x");
	assert_string_equal(cfg.name, "x");
	expect_ok("name=abcdefghijklmnopqrstuvwxyz01234");
	assert_string_equal(cfg.name, "abcdefghijklmnopqrstuvwxyz01234");
	expect_refused("name=abcdefghijklmnopqrstuvwxyz012345",
		       "32 characters, more than 31",
		       "expected name=<1-31 of A-Z a-z 0-9 _ ->");
	expect_refused("name=a.b", "name=a.b: character '.' not allowed");
	expect_refused("name=caf\xc3\xa9", "not allowed");
}

static void test_vcpus(void **state)
{
	expect_ok("vcpus=1");
	assert_int_equal(cfg.vcpus, 1);
	expect_ok("vcpus=64");
	assert_int_equal(cfg.vcpus, 64);
	expect_ok("vcpus=0x10");
	assert_int_equal(cfg.vcpus, 16);
	expect_refused("vcpus=0", "vcpus=0: out of range (1 to 64)",
		       "expected vcpus=<1-64>");
	expect_refused("vcpus=65", "out of range (1 to 64)");
	expect_refused("vcpus=99999999999999999999999", "out of range");
	expect_refused("vcpus=-1", "vcpus=-1: not an integer");
	expect_refused("vcpus=2x", "not an integer");
	expect_refused("vcpus=0x", "not an integer");
}

static void test_mem(void **state)
{
	expect_ok("mem=1M");
	assert_int_equal(cfg.mem, MIB);
	expect_ok("mem=1024k");
	assert_int_equal(cfg.mem, MIB);
	expect_ok("mem=256M");
	assert_int_equal(cfg.mem, MEM_LIMIT);
	expect_ok("mem=0x200000");
	assert_int_equal(cfg.mem, 2 * MIB);
	expect_ok("mem=1028K");
	assert_int_equal(cfg.mem, 1028 * 1024);
	expect_refused("mem=1020K",
		       "mem=1020K: 1020 KiB, below the 1 MiB minimum",
		       "expected mem=<size>[K|M|G]");
	expect_refused("mem=0", "0 bytes, below the 1 MiB minimum");
	expect_refused("mem=1050000", "1050000 bytes, not a multiple of 4 KiB");
	expect_refused("mem=1026K", "not a multiple of 4 KiB");
	expect_refused("mem=257M", "257 MiB, above the limit of 256 MiB");
	expect_refused("mem=1G", "1024 MiB, above the limit");
	expect_refused("mem=lots", "mem=lots: not a size");
	expect_refused("mem=4P", "not a size");
	expect_refused("mem=99999999999T", "out of range");
}

/* A default above a small limit must be overridden with mem=. */
static void test_mem_limit_and_default(void **state)
{
	assert_int_equal(
		domain_config_parse("", 0, 8 * MIB, &cfg, err, sizeof(err)),
		-EINVAL);
	assert_string_equal(
		err,
		"mem not given and the default 16 MiB is above the limit of 8 MiB; give mem=");
	assert_int_equal(domain_config_parse("mem=8M", 0, 8 * MIB, &cfg, err,
					     sizeof(err)),
			 0);
	assert_int_equal(cfg.mem, 8 * MIB);
	/* A limit that is no whole number of MiB is given in KiB. */
	assert_int_equal(domain_config_parse("mem=2M", 0, 1536 * 1024, &cfg,
					     err, sizeof(err)),
			 -EINVAL);
	assert_true(contains(err, "above the limit of 1536 KiB"));
}

static void test_affinity(void **state)
{
	expect_ok("affinity=0-3,6");
	assert_string_equal(mask_str(&cfg.affinity), "0-3,6");
	assert_int_equal(cpumask_weight(&cfg.affinity), 5);
	expect_ok("affinity=5");
	assert_string_equal(mask_str(&cfg.affinity), "5");
	expect_ok("affinity=7,1,3-3,2-4");
	assert_string_equal(mask_str(&cfg.affinity), "1-4,7");
	expect_ok("affinity=all");
	assert_true(cpumask_full(&cfg.affinity));
	assert_true(cfg.affinity_given);
	expect_refused("affinity=3-1", "affinity=3-1: not a CPU list",
		       "expected affinity=<CPU list, e.g. 0-3,6>|all");
	expect_refused("affinity=,", "not a CPU list");
	expect_refused("affinity=a", "not a CPU list");
	expect_refused("affinity=1-", "not a CPU list");
	expect_refused("affinity=-1", "not a CPU list");
	expect_refused("affinity=1-2-3", "not a CPU list");
	expect_refused("affinity=0x1", "not a CPU list");
	expect_refused("affinity=99999", "CPU numbers must be below");
}

static void test_weight(void **state)
{
	expect_ok("weight=1");
	assert_int_equal(cfg.weight, 1);
	expect_ok("weight=65535");
	assert_int_equal(cfg.weight, 65535);
	expect_refused("weight=0", "weight=0: out of range (1 to 65535)",
		       "expected weight=<1-65535>");
	expect_refused("weight=65536", "out of range (1 to 65535)");
	expect_refused("weight=heavy", "not an integer");
}

static void test_cap(void **state)
{
	expect_ok("cap=0");
	assert_int_equal(cfg.cap, 0);
	expect_ok("cap=100");
	assert_int_equal(cfg.cap, 100);
	/* The bound follows vcpus= wherever it is on the line. */
	expect_ok("cap=400 vcpus=4");
	assert_int_equal(cfg.cap, 400);
	expect_ok("vcpus=64 cap=6400");
	expect_refused("cap=101", "cap=101: above the 100 allowed for 1 vCPU;",
		       "expected cap=<percent of one CPU");
	expect_refused("cap=201 vcpus=2",
		       "cap=201: above the 200 allowed for 2 vCPUs;");
	expect_refused("cap=6401", "out of range (0 to 6400)");
	expect_refused("cap=50%", "not an integer");
}

static void test_period_budget(void **state)
{
	expect_ok("period=10ms budget=3ms");
	assert_int_equal(cfg.period_ns, 10 * NS_MS);
	assert_int_equal(cfg.budget_ns, 3 * NS_MS);
	expect_ok("budget=100us period=100us");
	assert_int_equal(cfg.period_ns, 100 * NS_US);
	assert_int_equal(cfg.budget_ns, 100 * NS_US);
	expect_ok("period=10s budget=10us");
	assert_int_equal(cfg.period_ns, 10 * NS_S);
	assert_int_equal(cfg.budget_ns, 10 * NS_US);
	expect_ok("period=2000000ns budget=1ms");
	assert_int_equal(cfg.period_ns, 2 * NS_MS);

	expect_refused("period=10ms",
		       "period=10ms: given without budget=", "both or neither");
	expect_refused("budget=1ms", "budget=1ms: given without period=");
	expect_refused(
		"period=1ms budget=2ms",
		"budget=2ms: longer than the period (1000000 ns)",
		"expected budget=<integer>ns|us|ms|s, 10us to the period");
	expect_refused("period=10 budget=1ms",
		       "period=10: needs a unit (ns, us, ms or s)",
		       "expected period=<integer>ns|us|ms|s, 100us to 10s");
	expect_refused("period=99us budget=10us",
		       "99000 ns, out of range (100000 to 10000000000 ns)");
	expect_refused("period=11s budget=10us", "period=11s", "out of range");
	expect_refused("period=1ms budget=9us", "budget=9us",
		       "9000 ns, out of range (10000 to");
	expect_refused("period=1h budget=1ms", "period=1h: not a time");
	expect_refused("period=-1ms budget=1ms", "not a time");
	expect_refused("period=99999999999999s budget=1ms", "out of range");
}

static void test_args(void **state)
{
	char line[400], want[300];

	expect_ok("vcpus=2");
	assert_string_equal(cfg.args, "");
	expect_ok("args=mode=cli,count=5 name=x");
	assert_string_equal(cfg.args, "mode=cli,count=5");
	/* Quoted, blanks and all, as the hypervisor's own command line. */
	expect_ok("args=\"a b  c\"");
	assert_string_equal(cfg.args, "a b  c");
	expect_refused("args=", "args=: empty value");
	/* 255 bytes fit; 256 are refused, not cut. */
	memset(want, 'x', 255);
	want[255] = '\0';
	snprintf(line, sizeof(line), "args=%s", want);
	expect_ok(line);
	assert_string_equal(cfg.args, want);
	snprintf(line, sizeof(line), "args=%sy", want);
	expect_refused(line, "longer than 255 bytes");
}

/* type= and cmdline=: an HVM kernel and its command line. */
static void test_type_and_cmdline(void **state)
{
	char line[1200], want[1100];

	expect_ok("vcpus=2");
	assert_int_equal(cfg.type, DOMAIN_PV);
	assert_string_equal(cfg.cmdline, "");
	expect_ok("type=hvm cmdline=\"test=apic lapic_mode=x2apic\" vcpus=2");
	assert_int_equal(cfg.type, DOMAIN_HVM);
	assert_string_equal(cfg.cmdline, "test=apic lapic_mode=x2apic");
	expect_ok("type=pv");
	assert_int_equal(cfg.type, DOMAIN_PV);
	expect_refused("type=kvm",
		       "type=kvm: not a domain type; expected type=pv|hvm");
	expect_refused("cmdline=quiet",
		       "cmdline=quiet: a kernel command line is for type=hvm");
	expect_refused("type=hvm args=x", "args=x: a type=hvm domain takes",
		       "cmdline=");
	/* A refused line leaves the defaults, the type included. */
	assert_int_equal(cfg.type, DOMAIN_PV);
	/* 1023 bytes fit; 1024 are refused, not cut. */
	memset(want, 'k', 1023);
	want[1023] = '\0';
	snprintf(line, sizeof(line), "type=hvm cmdline=%s", want);
	expect_ok(line);
	assert_string_equal(cfg.cmdline, want);
	snprintf(line, sizeof(line), "type=hvm cmdline=%sy", want);
	expect_refused(line, "value longer than 1023 bytes");
}

static void test_gang(void **state)
{
	expect_ok("gang");
	assert_true(cfg.gang);
	assert_string_equal(cfg.gang_name, "dom3");
	/* A bare gang is named after the domain, whatever the order. */
	expect_ok("gang name=pair vcpus=2");
	assert_string_equal(cfg.gang_name, "pair");
	expect_ok("gang=shared name=x");
	assert_string_equal(cfg.gang_name, "shared");
	assert_string_equal(cfg.name, "x");
	expect_refused("gang=a/b", "gang=a/b: character '/' not allowed",
		       "expected gang or gang=<1-31");
	expect_refused("gang=", "gang=: empty value");
	/* Its vCPUs run at once on distinct CPUs: the affinity must allow. */
	expect_ok("gang vcpus=2 affinity=0,1");
	expect_refused("gang vcpus=4 affinity=0-2", "affinity=0-2",
		       "a gang runs its 4 vCPUs at once on distinct CPUs",
		       "but the affinity allows only 3");
	/* Without a gang, more vCPUs than CPUs is just overcommitment. */
	expect_ok("vcpus=4 affinity=0");
}

/* A short buffer gets the message's start; none at all is fine too. */
static void test_err_buffer_small(void **state)
{
	char small[8];

	memset(small, 'X', sizeof(small));
	assert_int_equal(domain_config_parse("vcpus=0", 0, MEM_LIMIT, &cfg,
					     small, sizeof(small)),
			 -EINVAL);
	assert_string_equal(small, "vcpus=0");
	assert_int_equal(
		domain_config_parse("frob", 0, MEM_LIMIT, &cfg, NULL, 0),
		-EINVAL);
	assert_int_equal(domain_config_parse("", 0, 0, &cfg, NULL, 0), -EINVAL);
	memset(small, 'X', sizeof(small));
	assert_int_equal(domain_config_parse("vcpus=1", 0, MEM_LIMIT, &cfg,
					     small, sizeof(small)),
			 0);
	assert_string_equal(small, "");
}

/* ------------------------------------------------------------------------
 * CPU lists on their own
 */

static void test_cpulist(void **state)
{
	cpumask_t m;

	assert_int_equal(cpulist_parse("0", &m), 0);
	assert_string_equal(mask_str(&m), "0");
	assert_int_equal(cpulist_parse("0-3,6", &m), 0);
	assert_string_equal(mask_str(&m), "0-3,6");
	assert_int_equal(cpulist_parse(",1,,2,", &m), 0);
	assert_string_equal(mask_str(&m), "1-2");
	assert_int_equal(cpulist_parse("all", &m), 0);
	assert_true(cpumask_full(&m));
	assert_int_equal(cpulist_parse("0-" STRINGIFY(NR_CPUS), &m), -ERANGE);
	/* The last CPU, alone and in a range. */
	{
		char line[32];

		snprintf(line, sizeof(line), "%u", NR_CPUS - 1);
		assert_int_equal(cpulist_parse(line, &m), 0);
		assert_int_equal(cpumask_weight(&m), 1);
		assert_true(cpumask_test_cpu(NR_CPUS - 1, &m));
		snprintf(line, sizeof(line), "0-%u", NR_CPUS - 1);
		assert_int_equal(cpulist_parse(line, &m), 0);
		assert_true(cpumask_full(&m));
		snprintf(line, sizeof(line), "%u", NR_CPUS);
		assert_int_equal(cpulist_parse(line, &m), -ERANGE);
	}

	/* A refused list leaves the mask alone. */
	cpumask_clear(&m);
	cpumask_set_cpu(9, &m);
	assert_int_equal(cpulist_parse("", &m), -EINVAL);
	assert_int_equal(cpulist_parse(",", &m), -EINVAL);
	assert_int_equal(cpulist_parse(NULL, &m), -EINVAL);
	assert_int_equal(cpulist_parse("1,x", &m), -EINVAL);
	assert_int_equal(cpulist_parse("2-1", &m), -EINVAL);
	assert_int_equal(cpulist_parse("1 2", &m), -EINVAL);
	assert_int_equal(cpulist_parse("ALL", &m), -EINVAL);
	assert_int_equal(cpulist_parse("1,99999999999999999999999", &m),
			 -ERANGE);
	assert_int_equal(cpulist_parse("000000000000000000000000001", &m),
			 -EINVAL);
	assert_string_equal(mask_str(&m), "9");
}

/* ------------------------------------------------------------------------
 * Random lines
 */

static u64 rng_state = 0x2545f4914f6cdd1dULL;

static u64 rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x9e3779b97f4a7c15ULL;
}

/* Pieces lines are made of, so that many lines get far into the parser. */
static const char *const pieces[] = {
	"name=",   "vcpus=",  "mem=", "affinity=", "weight=", "cap=",
	"period=", "budget=", "gang", "=",	   "\"",      "\\",
	" ",	   "\t",      ",",    "-",	   "0",	      "1",
	"64",	   "65",      "4",    "M",	   "K",	      "ms",
	"us",	   "s",	      "abc",  "all",	   "x",	      "\xff",
};

static void test_fuzz_random_lines(void **state)
{
	unsigned int iter, accepted = 0, n;
	char line[128];

	for (iter = 0; iter < 50000; iter++) {
		size_t len = 0;
		int rc;

		for (n = rng() % 12; n > 0; n--) {
			const char *p = pieces[rng() % ARRAY_SIZE(pieces)];
			size_t plen = strlen(p);

			if (len + plen >= sizeof(line))
				break;
			memcpy(line + len, p, plen);
			len += plen;
		}
		line[len] = '\0';
		rc = parse(line);
		if (rc == 0) {
			accepted++;
			assert_string_equal(err, "");
			assert_true(cfg.vcpus >= 1 &&
				    cfg.vcpus <= DOMAIN_MAX_VCPUS);
			assert_true(cfg.mem >= DOMAIN_MEM_MIN &&
				    cfg.mem <= MEM_LIMIT &&
				    cfg.mem % 4096 == 0);
			assert_true(cfg.weight >= 1 &&
				    cfg.weight <= DOMAIN_WEIGHT_MAX);
			assert_true(cfg.cap <= 100 * cfg.vcpus);
			assert_true(cfg.budget_ns <= cfg.period_ns);
			assert_true((cfg.period_ns == 0) ==
				    (cfg.budget_ns == 0));
			assert_true(strlen(cfg.name) >= 1 &&
				    strlen(cfg.name) <= DOMAIN_NAME_MAX);
			assert_true(cfg.gang == (cfg.gang_name[0] != '\0'));
			assert_false(cpumask_empty(&cfg.affinity));
		} else {
			assert_int_equal(rc, -EINVAL);
			assert_true(strlen(err) > 0);
			assert_true(cfg_is_default());
		}
	}
	assert_true(accepted > 500);
	assert_true(accepted < 49000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_everything),
		cmocka_unit_test(test_last_wins),
		cmocka_unit_test(test_unknown_option),
		cmocka_unit_test(test_path_first),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_needs_value),
		cmocka_unit_test(test_long_value),
		cmocka_unit_test(test_name),
		cmocka_unit_test(test_vcpus),
		cmocka_unit_test(test_mem),
		cmocka_unit_test(test_mem_limit_and_default),
		cmocka_unit_test(test_affinity),
		cmocka_unit_test(test_weight),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_period_budget),
		cmocka_unit_test(test_args),
		cmocka_unit_test(test_type_and_cmdline),
		cmocka_unit_test(test_gang),
		cmocka_unit_test(test_err_buffer_small),
		cmocka_unit_test(test_cpulist),
		cmocka_unit_test(test_fuzz_random_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
