/*
 * Boot command-line options (common/cmdline.c).
 *
 * An option is declared next to the variable it sets:
 *
 *     static unsigned int loglvl = 6;
 *     integer_param("loglvl", loglvl);
 *
 * The declaration lands in the .data.param section; cmdline_parse() walks
 * that section once at boot. Every option is documented in
 * docs/command-line.md.
 *
 * Syntax, tokens separated by spaces (a value may be "double quoted"):
 *   key=value       any type
 *   key             boolean: on; custom: the parser gets value == NULL
 *   no-key          boolean: off
 *   key=on|off      also yes|no, true|false, enable|disable, 1|0
 *   integers        decimal or 0x-hex, range-checked against the variable
 *   sizes           integer with an optional K, M, G or T suffix (2G, 512M)
 *   times           integer with a unit: ns, us, ms or s (50us, 10ms);
 *                   stored as nanoseconds; a bare number is refused
 *   lists           comma-separated, read by custom parsers with
 *                   param_list_next()
 * Unknown or malformed options are reported with a warning naming the
 * option and the form it expects; the variable keeps its previous value
 * and the boot goes on. Later occurrences of an option win.
 *
 * Concurrency: boot CPU only, before other CPUs start.
 */
#ifndef KAIROS_PARAM_H
#define KAIROS_PARAM_H

#include <compiler.h>
#include <types.h>

enum param_type {
	PARAM_BOOL,   /* bool */
	PARAM_UINT,   /* unsigned integer of 1, 2, 4 or 8 bytes */
	PARAM_SIZE,   /* u64 bytes, with K/M/G/T suffixes */
	PARAM_TIME,   /* s64 nanoseconds, unit required */
	PARAM_STRING, /* char array; a value that does not fit is refused */
	PARAM_CUSTOM, /* parse(value) returns 0 or a negative errno */
};

struct kernel_param {
	const char *name;     /* option name as typed on the command line */
	enum param_type type; /* how the value is parsed */
	unsigned int size;    /* sizeof the variable (array size for strings) */
	union {
		void *var;			 /* typed options */
		int (*parse)(const char *value); /* PARAM_CUSTOM */
	} u;
	const char *form; /* expected form, quoted in warnings */
};

/*
 * The macro arguments are named _var, not var: a parameter named var would
 * also replace the .var designator of the union initializer.
 */
#define __kparam(_name, _type, _size, _u, _form)                         \
	static const struct kernel_param __used __section(".data.param") \
		__aligned(8) PASTE(__kparam_, __COUNTER__) = {           \
			.name = _name,                                   \
			.type = _type,                                   \
			.size = _size,                                   \
			.u = _u,                                         \
			.form = _form,                                   \
	}

#define boolean_param(_name, _var)                                  \
	BUILD_BUG_ON(sizeof(_var) != sizeof(bool));                 \
	__kparam(_name, PARAM_BOOL, sizeof(_var), {.var = &(_var)}, \
		 _name "=on|off (or " _name " / no-" _name ")")
/*
 * The parser stores through a u8/u16/u32/u64 pointer and accepts no sign;
 * (type)-1 > 1 holds for unsigned types only (and says so without the
 * -Wtype-limits warning that "< 0" draws).
 */
#define integer_param(_name, _var)                                  \
	BUILD_BUG_ON(sizeof(_var) != 1 && sizeof(_var) != 2 &&      \
		     sizeof(_var) != 4 && sizeof(_var) != 8);       \
	BUILD_BUG_ON((__typeof__(_var))-1 <= (__typeof__(_var))1);  \
	__kparam(_name, PARAM_UINT, sizeof(_var), {.var = &(_var)}, \
		 _name "=<integer>")
#define size_param(_name, _var)                                     \
	BUILD_BUG_ON(sizeof(_var) != sizeof(u64));                  \
	__kparam(_name, PARAM_SIZE, sizeof(_var), {.var = &(_var)}, \
		 _name "=<size>[K|M|G|T]")
#define time_param(_name, _var)                                     \
	BUILD_BUG_ON(sizeof(_var) != sizeof(s64));                  \
	__kparam(_name, PARAM_TIME, sizeof(_var), {.var = &(_var)}, \
		 _name "=<integer>ns|us|ms|s")
/*
 * _var must be a char array: its size is the limit. The warning for a value
 * that does not fit states that limit (the preprocessor cannot spell
 * sizeof as a number, so the form cannot).
 */
#define string_param(_name, _var)                                           \
	BUILD_BUG_ON(__builtin_types_compatible_p(__typeof__(_var),         \
						  __typeof__(&(_var)[0]))); \
	BUILD_BUG_ON(sizeof((_var)[0]) != 1);                               \
	__kparam(_name, PARAM_STRING, sizeof(_var), {.var = (_var)},        \
		 _name "=<string>")
#define custom_param(_name, _fn, _form) \
	__kparam(_name, PARAM_CUSTOM, 0, {.parse = (_fn)}, _form)

/*
 * The tokenizer behind parse_params(), shared with other option lines (a
 * guest module's, common/domain_config.c): one option as typed, key or
 * key=value, the value possibly quoted. A double quote toggles quoting
 * (blanks inside do not split) and a backslash makes the next byte
 * literal: GRUB hands over `"s=a b"` for a grub.cfg word `s="a b"`, and
 * `it\'s` for `it's`. Pure functions, any context.
 */
struct param_token {
	const char *text;  /* first byte of the option */
	size_t len;	   /* bytes up to the blank that ends it */
	size_t key_len;	   /* bytes before the first '=', if any */
	const char *value; /* first byte after that '='; NULL if none */
	size_t value_len;  /* raw bytes of the value, quotes included */
	bool open_quote;   /* the line ended inside a quote */
};

/* True for the bytes that separate options (newlines included). */
bool param_is_blank(char c);

/* Splits the option starting at s (not a blank); returns the byte after it. */
const char *param_next_token(const char *s, struct param_token *tok);

/*
 * Decodes raw[0..len): drops unescaped quotes, resolves backslashes. Writes
 * at most size - 1 bytes and a NUL to dst (if size > 0); returns the
 * decoded length, which may exceed what was written.
 */
size_t param_decode(const char *raw, size_t len, char *dst, size_t size);

/*
 * Parses cmdline against the options in [start, end), warning about every
 * unknown or malformed option. Returns the number of warnings printed.
 */
unsigned int parse_params(const char *cmdline, const struct kernel_param *start,
			  const struct kernel_param *end);

/*
 * Parses the boot command line against every declared option and keeps a
 * copy for boot_cmdline(). Returns the number of warnings printed.
 */
unsigned int cmdline_parse(const char *cmdline);

/* The command line as the boot loader passed it ("" if none). */
const char *boot_cmdline(void);

/* Number of warnings cmdline_parse() printed (the boot test checks it). */
unsigned int cmdline_warnings(void);

/*
 * Copies the next comma-separated item of *cursor into item (NUL-terminated)
 * and advances *cursor past it. Returns the item's length, 0 at the end of
 * the list, or -ENOSPC (cursor still advanced) if the item did not fit.
 */
int param_list_next(const char **cursor, char *item, size_t size);

/*
 * Parses a size with an optional K/M/G/T suffix, or a time with a required
 * ns/us/ms/s unit; all of s is consumed. Return 0 or -EINVAL / -ERANGE.
 */
int parse_size(const char *s, u64 *bytes);
int parse_time_ns(const char *s, s64 *ns);

#endif /* KAIROS_PARAM_H */
