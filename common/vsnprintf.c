/*
 * vsnprintf and snprintf: the C99 integer, character and string
 * conversions, formatted byte for byte as glibc formats them so that host
 * tests can use glibc as the oracle.
 *
 * Deliberately missing:
 *  - floating point (%f, %e, %g, %a): the kernel is built without SSE;
 *  - %n: writing through an argument turns a bad format into a memory
 *    write, and nothing in the kernel needs it;
 *  - wide characters: %lc and %ls are taken as %c and %s.
 * A conversion outside this set is copied to the output as written (e.g.
 * "%5y") and consumes no argument, not even for a '*' width: with the
 * format already wrong, guessing an argument's type could only turn a
 * garbled message into a bad read.
 */
#include <compiler.h>
#include <printk.h>
#include <stdarg.h>
#include <string.h>
#include <types.h>

/* ---------------------------------------------------------------------------
 * Output sink: counts every byte, stores those that fit
 */

struct sink {
	char *buf;   /* NULL is allowed when size is 0 */
	size_t size; /* bytes buf holds, including the terminating NUL */
	size_t len;  /* length of the full output produced so far */
};

static void put_bytes(struct sink *s, const char *p, size_t n)
{
	while (n && s->len + 1 < s->size) {
		s->buf[s->len++] = *p++;
		n--;
	}
	/* Past the end of the buffer only the length matters. */
	s->len += n;
}

static void put_repeat(struct sink *s, char c, size_t n)
{
	while (n && s->len + 1 < s->size) {
		s->buf[s->len++] = c;
		n--;
	}
	s->len += n;
}

/* ---------------------------------------------------------------------------
 * Conversion specifications
 */

#define FL_LEFT	 0x01 /* '-': pad on the right */
#define FL_ZERO	 0x02 /* '0': pad numbers with zeros after sign and prefix */
#define FL_PLUS	 0x04 /* '+': '+' before non-negative signed numbers */
#define FL_SPACE 0x08 /* ' ': ' ' before them, unless '+' */
#define FL_ALT	 0x10 /* '#': 0 before octal, 0x before non-zero hex */

enum length_mod { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z, LEN_T, LEN_J };

struct spec {
	unsigned int flags;  /* FL_* */
	bool width_star;     /* width is the next int argument */
	bool precision_star; /* precision is the next int argument */
	unsigned int width;  /* minimum field width; 0 when absent */
	int precision;	     /* -1 when absent */
	enum length_mod len; /* hh, h, l, ll, z, t or j */
	char conv;	     /* conversion character; '\0' at end of format */
};

/* Decimal digits at *p, saturated at INT_MAX; advances *p past them. */
static unsigned int parse_digits(const char **p)
{
	unsigned int v = 0;

	while (**p >= '0' && **p <= '9') {
		unsigned int d = **p - '0';

		if (v > (__INT_MAX__ - d) / 10)
			v = __INT_MAX__;
		else
			v = v * 10 + d;
		(*p)++;
	}
	return v;
}

/*
 * Parses the specification after a '%' without touching the arguments;
 * returns a pointer to its conversion character (or to the terminating
 * NUL of a truncated specification).
 */
static const char *parse_spec(const char *p, struct spec *sp)
{
	*sp = (struct spec){.precision = -1};

	for (;; p++) {
		if (*p == '-')
			sp->flags |= FL_LEFT;
		else if (*p == '0')
			sp->flags |= FL_ZERO;
		else if (*p == '+')
			sp->flags |= FL_PLUS;
		else if (*p == ' ')
			sp->flags |= FL_SPACE;
		else if (*p == '#')
			sp->flags |= FL_ALT;
		else
			break;
	}

	if (*p == '*') {
		sp->width_star = true;
		p++;
	} else {
		sp->width = parse_digits(&p);
	}

	if (*p == '.') {
		p++;
		if (*p == '*') {
			sp->precision_star = true;
			p++;
		} else {
			/* A lone '.' means precision 0. */
			sp->precision = parse_digits(&p);
		}
	}

	switch (*p) {
	case 'h':
		p++;
		sp->len = LEN_H;
		if (*p == 'h') {
			p++;
			sp->len = LEN_HH;
		}
		break;
	case 'l':
		p++;
		sp->len = LEN_L;
		if (*p == 'l') {
			p++;
			sp->len = LEN_LL;
		}
		break;
	case 'z':
		p++;
		sp->len = LEN_Z;
		break;
	case 't':
		p++;
		sp->len = LEN_T;
		break;
	case 'j':
		p++;
		sp->len = LEN_J;
		break;
	}

	sp->conv = *p;
	return p;
}

static bool conv_known(char conv)
{
	switch (conv) {
	case 'd':
	case 'i':
	case 'u':
	case 'x':
	case 'X':
	case 'o':
	case 'c':
	case 's':
	case 'p':
		return true;
	default:
		return false;
	}
}

/* ---------------------------------------------------------------------------
 * Arguments
 *
 * A va_list parameter is an array type on x86-64 and cannot be passed on by
 * address, so vsnprintf works on a va_copy and passes a pointer to that.
 */

static void fetch_stars(va_list *ap, struct spec *sp)
{
	if (sp->width_star) {
		int w = va_arg(*ap, int);

		/* Negative means '-'; negate as unsigned to survive INT_MIN. */
		if (w < 0) {
			sp->flags |= FL_LEFT;
			sp->width = 0u - (unsigned int)w;
		} else {
			sp->width = w;
		}
	}
	if (sp->precision_star) {
		int prec = va_arg(*ap, int);

		/* A negative '*' precision is taken as if it were absent. */
		sp->precision = prec < 0 ? -1 : prec;
	}
}

static unsigned long long fetch_unsigned(va_list *ap, enum length_mod len)
{
	switch (len) {
	case LEN_HH:
		return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_H:
		return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_L:
		return va_arg(*ap, unsigned long);
	case LEN_LL:
		return va_arg(*ap, unsigned long long);
	case LEN_Z:
		return va_arg(*ap, size_t);
	case LEN_T:
		/* The unsigned type of ptrdiff_t's width. */
		return (size_t)va_arg(*ap, ptrdiff_t);
	case LEN_J:
		return va_arg(*ap, uintmax_t);
	default:
		return va_arg(*ap, unsigned int);
	}
}

static long long fetch_signed(va_list *ap, enum length_mod len)
{
	switch (len) {
	case LEN_HH:
		return (signed char)va_arg(*ap, int);
	case LEN_H:
		return (short)va_arg(*ap, int);
	case LEN_L:
		return va_arg(*ap, long);
	case LEN_LL:
		return va_arg(*ap, long long);
	case LEN_Z:
		/* Signed, size_t's width: ssize_t is not freestanding. */
		return (ptrdiff_t)va_arg(*ap, size_t);
	case LEN_T:
		return va_arg(*ap, ptrdiff_t);
	case LEN_J:
		return va_arg(*ap, intmax_t);
	default:
		return va_arg(*ap, int);
	}
}

/* ---------------------------------------------------------------------------
 * Fields
 */

/* Text padded to the field width with spaces; '0' does not apply. */
static void put_field(struct sink *s, const struct spec *sp, const char *p,
		      size_t n)
{
	size_t pad = sp->width > n ? sp->width - n : 0;

	if (!(sp->flags & FL_LEFT))
		put_repeat(s, ' ', pad);
	put_bytes(s, p, n);
	if (sp->flags & FL_LEFT)
		put_repeat(s, ' ', pad);
}

static void put_string(struct sink *s, const struct spec *sp, const char *str)
{
	static const char null_str[] = "(null)";
	size_t max = sp->precision < 0 ? (size_t)-1 : (size_t)sp->precision;

	/*
	 * As glibc: a NULL that "(null)" would not fit the precision of
	 * prints nothing, rather than a misleading fragment like "(nu".
	 */
	if (!str)
		str = max >= sizeof(null_str) - 1 ? null_str : "";
	/* strnlen: with a precision, str need not be terminated. */
	put_field(s, sp, str, strnlen(str, max));
}

/*
 * A number: [pad][sign][0x][zeros][digits][pad]. signed_conv says whether
 * '+' and ' ' apply (they do for %d, %i and, as in glibc, %p).
 */
static void put_number(struct sink *s, const struct spec *sp,
		       unsigned long long mag, bool negative, bool signed_conv,
		       unsigned int base, bool upper)
{
	static const char lower_digits[] = "0123456789abcdef";
	static const char upper_digits[] = "0123456789ABCDEF";
	const char *set = upper ? upper_digits : lower_digits;
	char digits[24]; /* ULLONG_MAX in octal has 22 digits */
	char *d = digits + sizeof(digits);
	char prefix[3];
	size_t nd, np = 0, zeros = 0, body, pad;
	unsigned long long v = mag;

	/* Precision 0 with value 0 prints no digits at all. */
	if (!(v == 0 && sp->precision == 0)) {
		do {
			*--d = set[v % base];
			v /= base;
		} while (v);
	}
	nd = digits + sizeof(digits) - d;
	if (sp->precision >= 0 && (size_t)sp->precision > nd)
		zeros = sp->precision - nd;
	/* '#' with octal raises the precision just enough to lead with 0. */
	if ((sp->flags & FL_ALT) && base == 8 && zeros == 0 &&
	    (nd == 0 || mag != 0))
		zeros = 1;

	if (negative)
		prefix[np++] = '-';
	else if (signed_conv && (sp->flags & FL_PLUS))
		prefix[np++] = '+';
	else if (signed_conv && (sp->flags & FL_SPACE))
		prefix[np++] = ' ';
	if ((sp->flags & FL_ALT) && base == 16 && mag != 0) {
		prefix[np++] = '0';
		prefix[np++] = upper ? 'X' : 'x';
	}

	body = np + zeros + nd;
	pad = sp->width > body ? sp->width - body : 0;
	/* '0' is ignored with '-' or with a precision, as C99 says. */
	if ((sp->flags & FL_ZERO) && !(sp->flags & FL_LEFT) &&
	    sp->precision < 0) {
		zeros += pad;
		pad = 0;
	}

	if (!(sp->flags & FL_LEFT))
		put_repeat(s, ' ', pad);
	put_bytes(s, prefix, np);
	put_repeat(s, '0', zeros);
	put_bytes(s, d, nd);
	if (sp->flags & FL_LEFT)
		put_repeat(s, ' ', pad);
}

static void put_pointer(struct sink *s, struct spec *sp, const void *ptr)
{
	static const char nil_str[] = "(nil)";

	/* glibc's %p is %#lx, except that NULL is "(nil)" as if by %s. */
	if (!ptr) {
		put_field(s, sp, nil_str, sizeof(nil_str) - 1);
		return;
	}
	sp->flags |= FL_ALT;
	put_number(s, sp, (uintptr_t)ptr, false, true, 16, false);
}

/* ---------------------------------------------------------------------------
 * Entry points
 */

static void put_conversion(struct sink *s, struct spec *sp, va_list *ap)
{
	long long sv;
	char c;

	switch (sp->conv) {
	case 'd':
	case 'i':
		sv = fetch_signed(ap, sp->len);
		/* Negate as unsigned: -LLONG_MIN does not fit a long long. */
		put_number(s, sp,
			   sv < 0 ? 0ull - (unsigned long long)sv
				  : (unsigned long long)sv,
			   sv < 0, true, 10, false);
		break;
	case 'u':
		put_number(s, sp, fetch_unsigned(ap, sp->len), false, false, 10,
			   false);
		break;
	case 'x':
	case 'X':
		put_number(s, sp, fetch_unsigned(ap, sp->len), false, false, 16,
			   sp->conv == 'X');
		break;
	case 'o':
		put_number(s, sp, fetch_unsigned(ap, sp->len), false, false, 8,
			   false);
		break;
	case 'c':
		c = (char)va_arg(*ap, int);
		put_field(s, sp, &c, 1);
		break;
	case 's':
		put_string(s, sp, va_arg(*ap, const char *));
		break;
	case 'p':
		put_pointer(s, sp, va_arg(*ap, const void *));
		break;
	}
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list args)
{
	struct sink s = {.buf = buf, .size = size, .len = 0};
	const char *p = fmt;
	va_list ap;

	va_copy(ap, args);
	while (*p) {
		const char *start = p;
		struct spec sp;

		if (*p != '%') {
			while (*p && *p != '%')
				p++;
			put_bytes(&s, start, p - start);
			continue;
		}

		p = parse_spec(p + 1, &sp);
		if (sp.conv == '%') {
			/* Flags and width on %% are ignored, as glibc does. */
			put_bytes(&s, "%", 1);
			p++;
			continue;
		}
		if (!conv_known(sp.conv)) {
			/* Copied as written; one cut short ends the format. */
			if (*p)
				p++;
			put_bytes(&s, start, p - start);
			continue;
		}
		p++;
		fetch_stars(&ap, &sp);
		put_conversion(&s, &sp, &ap);
	}
	va_end(ap);

	if (size)
		buf[s.len < size ? s.len : size - 1] = '\0';
	/* Saturate: a negative return would read as an error to the caller. */
	return s.len > __INT_MAX__ ? __INT_MAX__ : (int)s.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list args;
	int n;

	va_start(args, fmt);
	n = vsnprintf(buf, size, fmt, args);
	va_end(args);
	return n;
}
