/*
 * Boot command-line parser (include/param.h): splits a command line into
 * options, matches them against a table of struct kernel_param and sets the
 * variables they name.
 *
 * Portable on purpose: no linker-section symbols and only the string
 * routines of include/string.h, so the host unit tests link this file as is.
 * Nothing here writes through the command line; a value is copied into a
 * bounded buffer before it is parsed.
 */
#include <errno.h>
#include <param.h>
#include <printk.h>
#include <stdarg.h>
#include <string.h>

/*
 * Longest value (after quote removal, with its NUL) handed to a custom
 * parser or to the number parsers; far above any valid number. On the
 * stack, not static, so that a custom parser may call parse_params() itself.
 */
#define PARAM_VALUE_MAX 256

/* Longest option name, decoded, with its NUL. */
#define PARAM_NAME_MAX 64

/* How much of an offending option a warning quotes, so it stays one line. */
#define PARAM_QUOTE_MAX 64

#define NSEC_PER_USEC 1000ULL
#define NSEC_PER_MSEC 1000000ULL
#define NSEC_PER_SEC  1000000000ULL

/* ------------------------------------------------------------------------
 * Numbers
 */

/* Returns the value of hex digit c, or -1 if c is not one. */
static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Reads a decimal or 0x-hex number at s and sets *end past its digits.
 * Returns 0, -EINVAL if there is no digit, or -ERANGE if it exceeds u64;
 * on -ERANGE every digit is still consumed, so that the caller can tell
 * "too large" from trailing junk.
 */
static int parse_number(const char *s, u64 *val, const char **end)
{
	unsigned int base = 10;
	const char *p = s;
	bool overflow = false;
	u64 v = 0;
	int d;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	s = p;
	for (; (d = hex_digit(*p)) >= 0 && (unsigned int)d < base; p++) {
		if (v > (UINT64_MAX - d) / base)
			overflow = true;
		else
			v = v * base + d;
	}
	*end = p;
	if (p == s)
		return -EINVAL;
	if (overflow)
		return -ERANGE;
	*val = v;
	return 0;
}

int parse_size(const char *s, u64 *bytes)
{
	unsigned int shift = 0;
	const char *p;
	u64 v = 0;
	int err;

	if (!s)
		return -EINVAL;
	err = parse_number(s, &v, &p);
	if (err == -EINVAL)
		return err;
	switch (*p) {
	case 'K':
	case 'k':
		shift = 10;
		break;
	case 'M':
	case 'm':
		shift = 20;
		break;
	case 'G':
	case 'g':
		shift = 30;
		break;
	case 'T':
	case 't':
		shift = 40;
		break;
	}
	if (shift)
		p++;
	if (*p != '\0')
		return -EINVAL;
	if (err)
		return err;
	if (v > UINT64_MAX >> shift)
		return -ERANGE;
	*bytes = v << shift;
	return 0;
}

static const struct {
	const char *unit;
	u64 ns;
} time_units[] = {
	{"ns", 1},
	{"us", NSEC_PER_USEC},
	{"ms", NSEC_PER_MSEC},
	{"s", NSEC_PER_SEC},
};

int parse_time_ns(const char *s, s64 *ns)
{
	const char *p;
	unsigned int i;
	u64 v = 0;
	int err;

	if (!s)
		return -EINVAL;
	err = parse_number(s, &v, &p);
	if (err == -EINVAL)
		return err;
	for (i = 0; i < ARRAY_SIZE(time_units); i++) {
		if (strcmp(p, time_units[i].unit) != 0)
			continue;
		if (err)
			return err;
		if (v > (u64)INT64_MAX / time_units[i].ns)
			return -ERANGE;
		*ns = (s64)(v * time_units[i].ns);
		return 0;
	}
	return -EINVAL;
}

/* Returns true if s is a number with nothing after it (a time sans unit). */
static bool is_bare_number(const char *s)
{
	const char *end;
	u64 v;

	return parse_number(s, &v, &end) != -EINVAL && *end == '\0';
}

/* ------------------------------------------------------------------------
 * Lists
 */

int param_list_next(const char **cursor, char *item, size_t size)
{
	const char *s = *cursor;
	size_t len;

	if (!s)
		return 0;
	/* Empty items are skipped, so that 0 means the end and nothing else. */
	while (*s == ',')
		s++;
	for (len = 0; s[len] != '\0' && s[len] != ','; len++)
		;
	*cursor = s + len;
	if (len == 0)
		return 0;
	if (len >= size) {
		if (size)
			item[0] = '\0';
		return -ENOSPC;
	}
	memcpy(item, s, len);
	item[len] = '\0';
	return len;
}

/* ------------------------------------------------------------------------
 * Tokens
 */

/* Newlines count as blanks: some loaders leave one at the end of the line. */
bool param_is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

const char *param_next_token(const char *s, struct param_token *tok)
{
	bool quoted = false;
	const char *p;

	tok->text = s;
	tok->value = NULL;
	for (p = s; *p != '\0' && (quoted || !param_is_blank(*p)); p++) {
		if (*p == '\\' && p[1] != '\0')
			p++;
		else if (*p == '"')
			quoted = !quoted;
		else if (*p == '=' && !tok->value)
			tok->value = p + 1;
	}
	tok->len = p - s;
	tok->key_len = tok->value ? (size_t)(tok->value - 1 - s) : tok->len;
	tok->value_len = tok->value ? (size_t)(p - tok->value) : 0;
	tok->open_quote = quoted;
	return p;
}

size_t param_decode(const char *raw, size_t len, char *dst, size_t size)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		if (raw[i] == '"')
			continue;
		if (raw[i] == '\\' && i + 1 < len)
			i++;
		if (n + 1 < size)
			dst[n] = raw[i];
		n++;
	}
	if (size)
		dst[min(n, size - 1)] = '\0';
	return n;
}

/* Returns the length of the value once decoded. */
static size_t unquoted_len(const struct param_token *tok)
{
	return param_decode(tok->value, tok->value_len, NULL, 0);
}

/* Copies the decoded value; dst must hold unquoted_len() + 1. */
static void copy_unquoted(char *dst, const struct param_token *tok)
{
	param_decode(tok->value, tok->value_len, dst, unquoted_len(tok) + 1);
}

/* Returns the option named key (NUL-terminated), or NULL. */
static const struct kernel_param *find_param(const char *key,
					     const struct kernel_param *start,
					     const struct kernel_param *end)
{
	const struct kernel_param *param;

	for (param = start; param < end; param++)
		if (strcmp(param->name, key) == 0)
			return param;
	return NULL;
}

/* ------------------------------------------------------------------------
 * Warnings
 */

/*
 * Prints one warning line quoting the option as typed and, when the option
 * is known, the form it expects. Always returns 1 (one warning printed).
 */
static unsigned int __printf(3, 4)
	warn_option(const struct param_token *tok,
		    const struct kernel_param *param, const char *fmt, ...)
{
	int quoted = min(tok->len, (size_t)PARAM_QUOTE_MAX);
	const char *more = tok->len > PARAM_QUOTE_MAX ? "..." : "";
	char reason[96];
	va_list args;

	va_start(args, fmt);
	vsnprintf(reason, sizeof(reason), fmt, args);
	va_end(args);
	if (param)
		printk(KERN_WARNING
		       "cmdline: %.*s%s: %s; expected %s; option ignored\n",
		       quoted, tok->text, more, reason,
		       param->form ? param->form : param->name);
	else
		printk(KERN_WARNING "cmdline: %.*s%s: %s; ignored\n", quoted,
		       tok->text, more, reason);
	return 1;
}

/* ------------------------------------------------------------------------
 * Setting one option
 */

/* Each spelling pair of a boolean value: the word for on and for off. */
static const struct {
	const char *on;
	const char *off;
} bool_words[] = {
	{"on", "off"},	       {"yes", "no"}, {"true", "false"},
	{"enable", "disable"}, {"1", "0"},
};

static unsigned int set_bool(const struct param_token *tok,
			     const struct kernel_param *param,
			     const char *value)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bool_words); i++) {
		if (strcmp(value, bool_words[i].on) == 0) {
			*(bool *)param->u.var = true;
			return 0;
		}
		if (strcmp(value, bool_words[i].off) == 0) {
			*(bool *)param->u.var = false;
			return 0;
		}
	}
	return warn_option(tok, param, "not a boolean");
}

static unsigned int set_uint(const struct param_token *tok,
			     const struct kernel_param *param,
			     const char *value)
{
	u64 max = param->size >= sizeof(u64) ? UINT64_MAX
					     : (1ULL << (param->size * 8)) - 1;
	const char *end;
	u64 v = 0;
	int err;

	err = parse_number(value, &v, &end);
	if (err == -EINVAL || *end != '\0')
		return warn_option(tok, param, "not an integer");
	if (err || v > max)
		return warn_option(tok, param, "out of range (at most %llu)",
				   (unsigned long long)max);
	switch (param->size) {
	case 1:
		*(u8 *)param->u.var = v;
		break;
	case 2:
		*(u16 *)param->u.var = v;
		break;
	case 4:
		*(u32 *)param->u.var = v;
		break;
	case 8:
		*(u64 *)param->u.var = v;
		break;
	default:
		/* Only a hand-made table gets here: integer_param() checks. */
		return warn_option(tok, param, "bad declaration (%u bytes)",
				   param->size);
	}
	return 0;
}

static unsigned int set_size(const struct param_token *tok,
			     const struct kernel_param *param,
			     const char *value)
{
	int err = parse_size(value, param->u.var);

	if (err == -ERANGE)
		return warn_option(tok, param,
				   "out of range (2^64 bytes or more)");
	if (err)
		return warn_option(tok, param, "not a size");
	return 0;
}

static unsigned int set_time(const struct param_token *tok,
			     const struct kernel_param *param,
			     const char *value)
{
	int err = parse_time_ns(value, param->u.var);

	if (err == -ERANGE)
		return warn_option(tok, param,
				   "out of range (2^63 ns or more)");
	if (err && is_bare_number(value))
		return warn_option(tok, param,
				   "needs a unit (ns, us, ms or s)");
	if (err)
		return warn_option(tok, param, "not a time");
	return 0;
}

/* Copies straight into the variable: its size, not our buffer, is the limit. */
static unsigned int set_string(const struct param_token *tok,
			       const struct kernel_param *param)
{
	if (param->size == 0 || unquoted_len(tok) > param->size - 1)
		return warn_option(tok, param, "longer than %u bytes",
				   param->size ? param->size - 1 : 0);
	copy_unquoted(param->u.var, tok);
	return 0;
}

static unsigned int set_custom(const struct param_token *tok,
			       const struct kernel_param *param,
			       const char *value)
{
	int err = param->u.parse(value);

	if (err < 0)
		return warn_option(tok, param, "invalid value (error %d)", err);
	return 0;
}

/* Applies one option; returns the number of warnings printed (0 or 1). */
static unsigned int parse_one(const struct param_token *tok,
			      const struct kernel_param *start,
			      const struct kernel_param *end)
{
	static const char no_prefix[] = "no-";
	const size_t no_len = sizeof(no_prefix) - 1;
	const struct kernel_param *param = NULL;
	char value[PARAM_VALUE_MAX], key[PARAM_NAME_MAX];
	size_t key_len =
		param_decode(tok->text, tok->key_len, key, sizeof(key));
	bool negate = false;

	/* A key longer than any name cannot name an option: it is unknown. */
	if (key_len < sizeof(key))
		param = find_param(key, start, end);
	/* An exact name wins, so an option may itself be called "no-...". */
	if (!param && key_len < sizeof(key) && key_len > no_len &&
	    strncmp(key, no_prefix, no_len) == 0) {
		param = find_param(key + no_len, start, end);
		/* Only booleans have a no- form; others are just unknown. */
		if (param && param->type != PARAM_BOOL)
			param = NULL;
		negate = param != NULL;
	}
	if (tok->open_quote)
		return warn_option(
			tok, param,
			"unterminated quote (rest of the line lost)");
	if (!param)
		return warn_option(tok, NULL, "unknown option");
	if (negate) {
		if (tok->value)
			return warn_option(tok, param, "no-%s takes no value",
					   param->name);
		*(bool *)param->u.var = false;
		return 0;
	}

	if (!tok->value) {
		if (param->type == PARAM_BOOL) {
			*(bool *)param->u.var = true;
			return 0;
		}
		if (param->type == PARAM_CUSTOM)
			return set_custom(tok, param, NULL);
		return warn_option(tok, param, "needs a value");
	}
	if (tok->value_len == 0 && param->type != PARAM_CUSTOM)
		return warn_option(tok, param, "empty value");
	if (param->type == PARAM_STRING)
		return set_string(tok, param);

	if (unquoted_len(tok) >= sizeof(value))
		return warn_option(tok, param, "value longer than %u bytes",
				   (unsigned int)sizeof(value) - 1);
	copy_unquoted(value, tok);

	switch (param->type) {
	case PARAM_BOOL:
		return set_bool(tok, param, value);
	case PARAM_UINT:
		return set_uint(tok, param, value);
	case PARAM_SIZE:
		return set_size(tok, param, value);
	case PARAM_TIME:
		return set_time(tok, param, value);
	case PARAM_CUSTOM:
		return set_custom(tok, param, value);
	case PARAM_STRING:
		break;
	}
	return warn_option(tok, param, "bad declaration (type %d)",
			   param->type);
}

unsigned int parse_params(const char *cmdline, const struct kernel_param *start,
			  const struct kernel_param *end)
{
	unsigned int warnings = 0;
	struct param_token tok;
	const char *p = cmdline;

	if (!p)
		return 0;
	for (;;) {
		while (param_is_blank(*p))
			p++;
		if (*p == '\0')
			return warnings;
		p = param_next_token(p, &tok);
		warnings += parse_one(&tok, start, end);
	}
}
