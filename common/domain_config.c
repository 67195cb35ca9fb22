/*
 * Guest domain parameters from a module command line
 * (include/domain_config.h, docs/guest-images.md).
 *
 * The words are split by the hypervisor command line's own tokenizer
 * (param_next_token() and param_decode(), GRUB's quoting, see
 * tools/mkiso.sh), so one grub.cfg habit serves both. Sizes and times
 * are read by params.c's
 * parse_size() and parse_time_ns(), lists by param_list_next().
 *
 * Portable: no allocation, no globals, nothing printed; the host tests
 * link this file with common/params.c and common/cpumask.c.
 */
#include <compiler.h>
#include <cpumask.h>
#include <domain_config.h>
#include <errno.h>
#include <param.h>
#include <printk.h>
#include <stdarg.h>
#include <string.h>

/* Longest value, decoded, with its NUL (an HVM kernel's command line). */
#define VALUE_MAX DOMAIN_CMDLINE_MAX
/* Longest key, decoded, with its NUL: longer ones are unknown anyway. */
#define KEY_MAX 16
/* How much of an offending option a message quotes. */
#define QUOTE_MAX 48
/* Room for a reason, before the option and the form are added. */
#define WHY_MAX 160
/* One item of a CPU list: "4095-4095" and then some. */
#define CPULIST_ITEM_MAX 24

#define KIB (1UL << 10)
#define MIB (1UL << 20)

/* gang with no name copies the domain's name whole. */
BUILD_BUG_ON(sizeof(((struct domain_config *)0)->gang_name) !=
	     sizeof(((struct domain_config *)0)->name));

/* Options are split and unquoted as on the kernel command line (param.h). */

/* ---- Values ------------------------------------------------------------- */

/*
 * Reads a whole decimal or 0x-hex number. Returns 0, -EINVAL if s is not
 * one (empty, a sign, trailing junk) or -ERANGE if it exceeds u64.
 */
static int parse_uint(const char *s, u64 *val)
{
	unsigned int base = 10, d;
	bool overflow = false;
	const char *p = s;
	u64 v = 0;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (*p == '\0')
		return -EINVAL;
	for (; *p != '\0'; p++) {
		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			return -EINVAL;
		if (v > (UINT64_MAX - d) / base)
			overflow = true;
		else
			v = v * base + d;
	}
	if (overflow)
		return -ERANGE;
	*val = v;
	return 0;
}

static bool name_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* Prints bytes as "N MiB" or "N KiB" (whichever is exact) into buf. */
static const char *size_str(char *buf, size_t size, u64 bytes)
{
	if (bytes && bytes % MIB == 0)
		snprintf(buf, size, "%lu MiB", bytes / MIB);
	else if (bytes && bytes % KIB == 0)
		snprintf(buf, size, "%lu KiB", bytes / KIB);
	else
		snprintf(buf, size, "%lu bytes", bytes);
	return buf;
}

/* ---- CPU lists ---------------------------------------------------------- */

/* Reads "N" or "N-M" into [*first, *last]; 0, -EINVAL or -ERANGE. */
static int cpulist_item(char *item, unsigned int *first, unsigned int *last)
{
	char *dash = strchr(item, '-');
	u64 a, b;
	int rc;

	if (dash)
		*dash = '\0';
	/* Decimal only: "0x1-0x3" is nobody's idea of a CPU list. */
	if (item[0] == '0' && (item[1] == 'x' || item[1] == 'X'))
		return -EINVAL;
	rc = parse_uint(item, &a);
	if (rc)
		return rc;
	b = a;
	if (dash) {
		if (dash[1] == '0' && (dash[2] == 'x' || dash[2] == 'X'))
			return -EINVAL;
		rc = parse_uint(dash + 1, &b);
		if (rc)
			return rc;
		if (b < a)
			return -EINVAL;
	}
	if (b >= NR_CPUS)
		return -ERANGE;
	*first = a;
	*last = b;
	return 0;
}

int cpulist_parse(const char *list, cpumask_t *mask)
{
	char item[CPULIST_ITEM_MAX];
	const char *cursor = list;
	unsigned int first, last, cpu;
	cpumask_t m;
	bool any = false;
	int n, rc;

	if (!list)
		return -EINVAL;
	if (strcmp(list, "all") == 0) {
		cpumask_setall(mask);
		return 0;
	}
	cpumask_clear(&m);
	while ((n = param_list_next(&cursor, item, sizeof(item))) != 0) {
		if (n < 0)
			return -EINVAL;
		rc = cpulist_item(item, &first, &last);
		if (rc)
			return rc;
		for (cpu = first; cpu <= last; cpu++)
			__cpumask_set_cpu(cpu, &m);
		any = true;
	}
	if (!any)
		return -EINVAL;
	cpumask_copy(mask, &m);
	return 0;
}

/* ---- The options -------------------------------------------------------- */

/* The state of one parse. */
struct parser {
	struct domain_config *cfg;
	u64 mem_limit;
	char why[WHY_MAX]; /* the reason a setter refused its value */
};

/*
 * A setter takes the decoded value (NULL for a bare key) and returns true,
 * or false with a reason in p->why.
 */
struct domain_option {
	const char *key;
	const char *form; /* quoted in messages: what the key accepts */
	bool (*set)(struct parser *p, const char *value);
};

static __printf(2, 3) bool refuse(struct parser *p, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vsnprintf(p->why, sizeof(p->why), fmt, args);
	va_end(args);
	return false;
}

/* Reads an integer in [lo, hi] for key; false with a reason if not. */
static bool get_uint(struct parser *p, const char *value, u64 lo, u64 hi,
		     u64 *out)
{
	int rc = parse_uint(value, out);

	if (rc == -EINVAL)
		return refuse(p, "not an integer");
	if (rc || *out < lo || *out > hi)
		return refuse(p, "out of range (%lu to %lu)", lo, hi);
	return true;
}

/* Checks a name for name= and gang=: returns true or refuses. */
static bool check_name(struct parser *p, const char *value)
{
	size_t len = strlen(value), i;

	if (len > DOMAIN_NAME_MAX)
		return refuse(p, "%lu characters, more than %u", (u64)len,
			      DOMAIN_NAME_MAX);
	for (i = 0; i < len; i++)
		if (!name_char_ok(value[i]))
			return refuse(p, "character '%c' not allowed",
				      value[i]);
	return true;
}

static bool set_name(struct parser *p, const char *value)
{
	if (!check_name(p, value))
		return false;
	/* check_name() bounded the length; strlcpy() is not on every host. */
	memcpy(p->cfg->name, value, strlen(value) + 1);
	return true;
}

static bool set_vcpus(struct parser *p, const char *value)
{
	u64 v;

	if (!get_uint(p, value, 1, DOMAIN_MAX_VCPUS, &v))
		return false;
	p->cfg->vcpus = v;
	return true;
}

static bool set_mem(struct parser *p, const char *value)
{
	char a[32], b[32];
	u64 bytes;
	int rc = parse_size(value, &bytes);

	if (rc == -ERANGE)
		return refuse(p, "out of range (2^64 bytes or more)");
	if (rc)
		return refuse(p, "not a size");
	if (bytes < DOMAIN_MEM_MIN)
		return refuse(p, "%s, below the %s minimum",
			      size_str(a, sizeof(a), bytes),
			      size_str(b, sizeof(b), DOMAIN_MEM_MIN));
	if (bytes % DOMAIN_MEM_ALIGN)
		return refuse(p, "%lu bytes, not a multiple of %lu KiB", bytes,
			      DOMAIN_MEM_ALIGN / KIB);
	if (bytes > p->mem_limit)
		return refuse(p, "%s, above the limit of %s",
			      size_str(a, sizeof(a), bytes),
			      size_str(b, sizeof(b), p->mem_limit));
	p->cfg->mem = bytes;
	return true;
}

static bool set_affinity(struct parser *p, const char *value)
{
	int rc = cpulist_parse(value, &p->cfg->affinity);

	if (rc == -ERANGE)
		return refuse(p, "CPU numbers must be below %u", NR_CPUS);
	if (rc)
		return refuse(p, "not a CPU list");
	p->cfg->affinity_given = true;
	return true;
}

static bool set_weight(struct parser *p, const char *value)
{
	u64 v;

	if (!get_uint(p, value, 1, DOMAIN_WEIGHT_MAX, &v))
		return false;
	p->cfg->weight = v;
	return true;
}

/* The bound that depends on vcpus= waits for the end of the line. */
static bool set_cap(struct parser *p, const char *value)
{
	u64 v;

	if (!get_uint(p, value, 0, DOMAIN_CAP_PER_VCPU * DOMAIN_MAX_VCPUS, &v))
		return false;
	p->cfg->cap = v;
	return true;
}

/* Reads a time in [lo, hi] nanoseconds; false with a reason if not. */
static bool get_time(struct parser *p, const char *value, s64 lo, s64 hi,
		     s64 *out)
{
	u64 bare;
	int rc = parse_time_ns(value, out);

	if (rc == -ERANGE)
		return refuse(p, "out of range (2^63 ns or more)");
	if (rc && parse_uint(value, &bare) != -EINVAL)
		return refuse(p, "needs a unit (ns, us, ms or s)");
	if (rc)
		return refuse(p, "not a time");
	if (*out < lo || *out > hi)
		return refuse(p, "%ld ns, out of range (%ld to %ld ns)", *out,
			      lo, hi);
	return true;
}

static bool set_period(struct parser *p, const char *value)
{
	return get_time(p, value, DOMAIN_PERIOD_MIN_NS, DOMAIN_PERIOD_MAX_NS,
			&p->cfg->period_ns);
}

/* The bound that depends on period= waits for the end of the line. */
static bool set_budget(struct parser *p, const char *value)
{
	return get_time(p, value, DOMAIN_BUDGET_MIN_NS, DOMAIN_PERIOD_MAX_NS,
			&p->cfg->budget_ns);
}

/* Any bytes for the guest, refused whole if they do not fit. */
static bool set_args(struct parser *p, const char *value)
{
	size_t len = strlen(value);

	if (len >= sizeof(p->cfg->args))
		return refuse(p, "value longer than %u bytes",
			      (unsigned int)sizeof(p->cfg->args) - 1);
	memcpy(p->cfg->args, value, len + 1);
	return true;
}

static bool set_type(struct parser *p, const char *value)
{
	if (strcmp(value, "pv") == 0)
		p->cfg->type = DOMAIN_PV;
	else if (strcmp(value, "hvm") == 0)
		p->cfg->type = DOMAIN_HVM;
	else
		return refuse(p, "not a domain type");
	return true;
}

/* The parser has bounded the value to VALUE_MAX, the field's size. */
static bool set_cmdline(struct parser *p, const char *value)
{
	BUILD_BUG_ON(sizeof(p->cfg->cmdline) < VALUE_MAX);
	memcpy(p->cfg->cmdline, value, strlen(value) + 1);
	return true;
}

/* Bare "gang": a gang of its own, named after the domain at the end. */
static bool set_gang(struct parser *p, const char *value)
{
	if (value && !check_name(p, value))
		return false;
	p->cfg->gang = true;
	p->cfg->gang_name[0] = '\0';
	if (value)
		memcpy(p->cfg->gang_name, value, strlen(value) + 1);
	return true;
}

enum {
	OPT_NAME,
	OPT_VCPUS,
	OPT_MEM,
	OPT_AFFINITY,
	OPT_WEIGHT,
	OPT_CAP,
	OPT_PERIOD,
	OPT_BUDGET,
	OPT_GANG,
	OPT_ARGS,
	OPT_TYPE,
	OPT_CMDLINE,
	NR_OPTS,
};

static const struct domain_option options[NR_OPTS] = {
	[OPT_NAME] = {"name", "name=<1-31 of A-Z a-z 0-9 _ ->", set_name},
	[OPT_VCPUS] = {"vcpus", "vcpus=<1-64>", set_vcpus},
	[OPT_MEM] = {"mem", "mem=<size>[K|M|G], a 4K multiple from 1M",
		     set_mem},
	[OPT_AFFINITY] = {"affinity", "affinity=<CPU list, e.g. 0-3,6>|all",
			  set_affinity},
	[OPT_WEIGHT] = {"weight", "weight=<1-65535>", set_weight},
	[OPT_CAP] = {"cap",
		     "cap=<percent of one CPU, 0 (none) to 100 per vCPU>",
		     set_cap},
	[OPT_PERIOD] = {"period", "period=<integer>ns|us|ms|s, 100us to 10s",
			set_period},
	[OPT_BUDGET] = {"budget",
			"budget=<integer>ns|us|ms|s, 10us to the period",
			set_budget},
	[OPT_GANG] = {"gang", "gang or gang=<1-31 of A-Z a-z 0-9 _ ->",
		      set_gang},
	[OPT_ARGS] = {"args", "args=<text for the guest, up to 255 bytes>",
		      set_args},
	[OPT_TYPE] = {"type", "type=pv|hvm", set_type},
	[OPT_CMDLINE] =
		{"cmdline",
		 "cmdline=<the kernel's command line, up to 1023 bytes>",
		 set_cmdline},
};

#define KNOWN_KEYS \
	"name vcpus mem affinity weight cap period budget gang args type cmdline"

/* ---- Reporting ---------------------------------------------------------- */

/*
 * Records "<option as typed>: <reason>; expected <form>" (the form only
 * if opt is given) and returns -EINVAL.
 */
static __printf(5, 6) int reject(char *err, size_t errlen,
				 const struct param_token *tok,
				 const struct domain_option *opt,
				 const char *fmt, ...)
{
	int quoted = min(tok->len, (size_t)QUOTE_MAX);
	const char *more = tok->len > QUOTE_MAX ? "..." : "";
	char why[WHY_MAX];
	va_list args;

	if (!errlen)
		return -EINVAL;
	va_start(args, fmt);
	vsnprintf(why, sizeof(why), fmt, args);
	va_end(args);
	if (opt)
		snprintf(err, errlen, "%.*s%s: %s; expected %s", quoted,
			 tok->text, more, why, opt->form);
	else
		snprintf(err, errlen, "%.*s%s: %s", quoted, tok->text, more,
			 why);
	return -EINVAL;
}

/* ---- The line ----------------------------------------------------------- */

/* Applies one option; 0 or -EINVAL with the reason in err. */
static int parse_one(struct parser *p, const struct param_token *tok,
		     struct param_token *seen, char *err, size_t errlen)
{
	const struct domain_option *opt = NULL;
	char key[KEY_MAX], value[VALUE_MAX];
	size_t key_len =
		param_decode(tok->text, tok->key_len, key, sizeof(key));
	unsigned int i;

	if (key_len < sizeof(key))
		for (i = 0; i < NR_OPTS && !opt; i++)
			if (strcmp(key, options[i].key) == 0)
				opt = &options[i];
	if (tok->open_quote)
		return reject(
			err, errlen, tok, opt,
			"unterminated quote (the rest of the line is lost)");
	if (!opt && tok->text[0] == '/')
		return reject(
			err, errlen, tok, NULL,
			"looks like a file path; the module command line holds options only (GRUB 2 passes the words after the path)");
	if (!opt)
		return reject(err, errlen, tok, NULL,
			      "unknown option; known: " KNOWN_KEYS);
	i = opt - options;
	if (!tok->value) {
		if (i != OPT_GANG)
			return reject(err, errlen, tok, opt, "needs a value");
		seen[i] = *tok;
		opt->set(p, NULL);
		return 0;
	}
	if (tok->value_len == 0)
		return reject(err, errlen, tok, opt, "empty value");
	if (param_decode(tok->value, tok->value_len, value, sizeof(value)) >=
	    sizeof(value))
		return reject(err, errlen, tok, opt,
			      "value longer than %u bytes",
			      (unsigned int)sizeof(value) - 1);
	if (value[0] == '\0')
		return reject(err, errlen, tok, opt, "empty value");
	if (!opt->set(p, value))
		return reject(err, errlen, tok, opt, "%s", p->why);
	seen[i] = *tok;
	return 0;
}

/* Checks what needs several keys, once the whole line is read. */
static int check_combination(struct parser *p, const struct param_token *seen,
			     char *err, size_t errlen)
{
	struct domain_config *cfg = p->cfg;
	unsigned int cpus;
	char a[32], b[32];

	if (seen[OPT_CMDLINE].text && cfg->type != DOMAIN_HVM)
		return reject(
			err, errlen, &seen[OPT_CMDLINE], NULL,
			"a kernel command line is for type=hvm; a PV domain takes args=");
	if (seen[OPT_ARGS].text && cfg->type == DOMAIN_HVM)
		return reject(
			err, errlen, &seen[OPT_ARGS], NULL,
			"a type=hvm domain takes its kernel's command line as cmdline=");
	if (cfg->cap > DOMAIN_CAP_PER_VCPU * cfg->vcpus)
		return reject(err, errlen, &seen[OPT_CAP], &options[OPT_CAP],
			      "above the %u allowed for %u vCPU%s",
			      DOMAIN_CAP_PER_VCPU * cfg->vcpus, cfg->vcpus,
			      cfg->vcpus == 1 ? "" : "s");
	if (seen[OPT_PERIOD].text && !seen[OPT_BUDGET].text)
		return reject(err, errlen, &seen[OPT_PERIOD], NULL,
			      "given without budget=; give both or neither");
	if (seen[OPT_BUDGET].text && !seen[OPT_PERIOD].text)
		return reject(err, errlen, &seen[OPT_BUDGET], NULL,
			      "given without period=; give both or neither");
	if (cfg->budget_ns > cfg->period_ns)
		return reject(
			err, errlen, &seen[OPT_BUDGET], &options[OPT_BUDGET],
			"longer than the period (%ld ns)", cfg->period_ns);
	if (!seen[OPT_MEM].text && cfg->mem > p->mem_limit) {
		snprintf(
			err, errlen,
			"mem not given and the default %s is above the limit of %s; give mem=",
			size_str(a, sizeof(a), cfg->mem),
			size_str(b, sizeof(b), p->mem_limit));
		return -EINVAL;
	}
	cpus = cpumask_weight(&cfg->affinity);
	if (cfg->gang && cfg->affinity_given && cfg->vcpus > cpus)
		return reject(
			err, errlen, &seen[OPT_AFFINITY], NULL,
			"a gang runs its %u vCPUs at once on distinct CPUs, but the affinity allows only %u",
			cfg->vcpus, cpus);
	if (cfg->gang && !cfg->gang_name[0])
		memcpy(cfg->gang_name, cfg->name, sizeof(cfg->gang_name));
	return 0;
}

void domain_config_defaults(struct domain_config *cfg, unsigned int index)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->name, sizeof(cfg->name), "dom%u", index);
	cfg->vcpus = 1;
	cfg->mem = DOMAIN_MEM_DEFAULT;
	cpumask_setall(&cfg->affinity);
	cfg->weight = DOMAIN_WEIGHT_DEFAULT;
}

int domain_config_parse(const char *cmdline, unsigned int index, u64 mem_limit,
			struct domain_config *cfg, char *err, size_t errlen)
{
	struct param_token seen[NR_OPTS] = {{NULL}}, tok;
	struct parser p = {.cfg = cfg, .mem_limit = mem_limit};
	const char *s = cmdline ? cmdline : "";
	int rc = 0;

	domain_config_defaults(cfg, index);
	if (errlen)
		err[0] = '\0';
	for (;;) {
		while (param_is_blank(*s))
			s++;
		if (*s == '\0')
			break;
		s = param_next_token(s, &tok);
		rc = parse_one(&p, &tok, seen, err, errlen);
		if (rc)
			break;
	}
	if (!rc)
		rc = check_combination(&p, seen, err, errlen);
	if (rc)
		domain_config_defaults(cfg, index);
	return rc;
}
