#include "bootinfo.h"
#include "console.h"
#include "options.h"

#define MAX_OPTIONS 32
#define KEY_MAX	    32

struct option {
	char key[KEY_MAX];
	char value[OPTION_VALUE_MAX];
};

static struct option options[MAX_OPTIONS];
static unsigned int nr_options;

static bool is_known(const char *key, const char *const *known)
{
	for (; *known; known++)
		if (strcmp(key, *known) == 0)
			return true;
	return false;
}

/* The first c in word[0..len), or NULL. */
static const char *find_char(const char *word, char c, size_t len)
{
	for (; len; word++, len--)
		if (*word == c)
			return word;
	return NULL;
}

static void add_option(const char *image, const char *word, size_t len,
		       bool first, const char *const *known)
{
	struct option *o;
	const char *eq = find_char(word, '=', len);
	size_t klen = eq ? (size_t)(eq - word) : len;

	if (nr_options == MAX_OPTIONS || klen >= KEY_MAX)
		return;
	o = &options[nr_options];
	memcpy(o->key, word, klen);
	o->key[klen] = '\0';
	if (!is_known(o->key, known)) {
		if (!(first && !eq))
			printf("# %s: unknown option %.*s ignored\n", image,
			       (int)len, word);
		return;
	}
	if (eq) {
		size_t vlen = len - klen - 1;

		if (vlen >= OPTION_VALUE_MAX)
			vlen = OPTION_VALUE_MAX - 1;
		memcpy(o->value, eq + 1, vlen);
		o->value[vlen] = '\0';
	} else {
		strlcpy(o->value, "1", sizeof(o->value));
	}
	nr_options++;
}

void options_init(const char *image, const char *const *known)
{
	const char *p = bootinfo.cmdline;
	bool first = true;

	for (;;) {
		const char *word;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		word = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		add_option(image, word, (size_t)(p - word), first, known);
		first = false;
	}
}

const char *option_str(const char *key, const char *def)
{
	unsigned int i;

	/* The last one wins, as on the hypervisor's own command line. */
	for (i = nr_options; i-- > 0;)
		if (strcmp(options[i].key, key) == 0)
			return options[i].value;
	return def;
}

/* Parses a number at *p (decimal or 0x hex); false if none. */
static bool parse_u64(const char **p, u64 *out)
{
	const char *s = *p;
	unsigned int base = 10, digits = 0;
	u64 v = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (;; s++, digits++) {
		unsigned int d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned int)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned int)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned int)(*s - 'A' + 10);
		else
			break;
		v = v * base + d;
	}
	*p = s;
	*out = v;
	return digits > 0;
}

u64 option_u64(const char *key, u64 def)
{
	const char *s = option_str(key, NULL);
	u64 v;

	if (!s || !parse_u64(&s, &v) || *s)
		return def;
	return v;
}

u64 option_ns(const char *key, u64 unit_ns, u64 def)
{
	static const struct {
		const char *suffix;
		u64 ns;
	} units[] = {
		{"ns", 1}, {"us", 1000}, {"ms", 1000000}, {"s", 1000000000}};
	const char *s = option_str(key, NULL);
	unsigned int i;
	u64 v;

	if (!s || !parse_u64(&s, &v))
		return def;
	if (!*s)
		return v * unit_ns;
	for (i = 0; i < ARRAY_SIZE(units); i++)
		if (strcmp(s, units[i].suffix) == 0)
			return v * units[i].ns;
	return def;
}

bool option_bool(const char *key, bool def)
{
	const char *s = option_str(key, NULL);

	if (!s)
		return def;
	if (!strcmp(s, "1") || !strcmp(s, "yes") || !strcmp(s, "on"))
		return true;
	if (!strcmp(s, "0") || !strcmp(s, "no") || !strcmp(s, "off"))
		return false;
	return def;
}
