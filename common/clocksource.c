/*
 * The clocksource registry (include/clocksource.h) and the `clocksource=`
 * option: which counter system time runs on, and a clear word on the log
 * when the one asked for cannot be it.
 */
#include <clocksource.h>
#include <panic.h>
#include <param.h>
#include <printk.h>
#include <string.h>

/*
 * `clocksource=<name>`: room for 15 bytes, twice the longest x86 name
 * (acpi_pm, 7) and more; a longer value cannot name a clocksource, and
 * the parser refuses it.
 */
static char clocksource_choice[16];
string_param("clocksource", clocksource_choice);

/*
 * Registered clocksources by falling rating; equal ratings keep their
 * registration order, so the order never depends on how a sort breaks ties.
 */
static struct clocksource *registry[CLOCKSOURCE_MAX];
static unsigned int nr_registered;

/* ---------------------------------------------------------------------------
 * The registry
 */

void clocksource_register(struct clocksource *cs)
{
	unsigned int i;

	ASSERT(cs->name && cs->read);
	/* clocksource_delta() masks a difference: width bits, all ones. */
	ASSERT(cs->mask && (cs->mask & (cs->mask + 1)) == 0);
	ASSERT(!clocksource_find(cs->name));
	ASSERT(nr_registered < CLOCKSOURCE_MAX);

	/* Insert after every one rated at least as high. */
	for (i = nr_registered; i > 0 && registry[i - 1]->rating < cs->rating;
	     i--)
		registry[i] = registry[i - 1];
	registry[i] = cs;
	nr_registered++;
}

struct clocksource *clocksource_find(const char *name)
{
	for (unsigned int i = 0; i < nr_registered; i++)
		if (strcmp(registry[i]->name, name) == 0)
			return registry[i];
	return NULL;
}

struct clocksource *clocksource_by_rating(unsigned int i)
{
	return i < nr_registered ? registry[i] : NULL;
}

const char *clocksource_option(void)
{
	return clocksource_choice;
}

/* ---------------------------------------------------------------------------
 * Selection
 */

#define NS_PER_SEC 1000000000ULL
#define NS_PER_MS  1000000ULL
#define NS_PER_US  1000ULL

/* Longest refusal line; a longer one is cut, still naming the choice. */
#define REFUSAL_MAX 256

/* The last refusal printed, so that selecting again does not repeat it. */
static char last_refusal[REFUSAL_MAX];

/* Why the last clocksource_select() took what it took (hwreport). */
static const char *selection_reason = "not selected yet";

/* True if system time can run on cs: no reason against, fast enough. */
static bool usable_for_now(const struct clocksource *cs)
{
	return !cs->why_unusable && !(cs->flags & CLOCKSOURCE_NOT_FOR_NOW);
}

/*
 * Writes why cs cannot keep system time into buf (cs is not usable). A
 * counter flagged CLOCKSOURCE_NOT_FOR_NOW with no reason of its own gets
 * its wrap period: system time would miss wraps between two reads (the
 * PIT's 16 bits at 1193182 Hz last 55 ms).
 */
static void why_not_for_now(const struct clocksource *cs, char *buf,
			    size_t size)
{
	u64 wrap_ns;

	if (cs->why_unusable) {
		snprintf(buf, size, "%s", cs->why_unusable);
		return;
	}
	/* (mask + 1) * 10^9 fits in 64 bits for counters up to 34 bits. */
	if (!cs->hz || cs->mask >> 34) {
		snprintf(buf, size, "wraps too fast to keep time");
		return;
	}
	wrap_ns = (cs->mask + 1) * NS_PER_SEC / cs->hz;
	if (wrap_ns >= NS_PER_MS)
		snprintf(buf, size,
			 "wraps every %llu ms, too fast to keep time",
			 (unsigned long long)(wrap_ns + NS_PER_MS / 2) /
				 NS_PER_MS);
	else
		snprintf(buf, size,
			 "wraps every %llu us, too fast to keep time",
			 (unsigned long long)(wrap_ns + NS_PER_US / 2) /
				 NS_PER_US);
}

const char *clocksource_why_not(const struct clocksource *cs, char *buf,
				size_t size)
{
	if (usable_for_now(cs))
		return NULL;
	why_not_for_now(cs, buf, size);
	return buf;
}

/* Writes "no such clocksource; registered: a, b" into buf. */
static void why_unknown(char *buf, size_t size)
{
	size_t len = snprintf(buf, size, "no such clocksource; registered:");

	for (unsigned int i = 0; i < nr_registered && len < size; i++)
		len += snprintf(buf + len, size - len, "%s %s", i ? "," : "",
				registry[i]->name);
	if (!nr_registered && len < size)
		snprintf(buf + len, size - len, " none");
}

/* The best-rated clocksource that can keep system time, or NULL. */
static struct clocksource *best_for_now(void)
{
	for (unsigned int i = 0; i < nr_registered; i++)
		if (usable_for_now(registry[i]))
			return registry[i];
	return NULL;
}

/*
 * Reports that the clocksource= choice was refused for reason and taken
 * (NULL: nothing) is used instead, unless the same line was the last one
 * printed: time code selects again when the TSC turns out unusable, and
 * an unchanged refusal need not be said twice.
 */
static void report_refusal(const char *reason, const struct clocksource *taken)
{
	char line[REFUSAL_MAX];

	snprintf(line, sizeof(line), "clocksource: \"%s\" refused (%s); %s%s",
		 clocksource_choice, reason,
		 taken ? "using " : "no clocksource can keep system time",
		 taken ? taken->name : "");
	if (strcmp(line, last_refusal) == 0)
		return;
	memcpy(last_refusal, line, strlen(line) + 1);
	pr_warn("%s\n", line);
}

struct clocksource *clocksource_select(void)
{
	struct clocksource *choice, *taken;
	char reason[160];

	if (!clocksource_choice[0]) {
		selection_reason = "the best-rated that can keep system time";
		return best_for_now();
	}

	choice = clocksource_find(clocksource_choice);
	if (!choice)
		why_unknown(reason, sizeof(reason));
	else if (usable_for_now(choice)) {
		selection_reason = "chosen with clocksource=";
		return choice;
	} else
		why_not_for_now(choice, reason, sizeof(reason));

	selection_reason = "the best-rated that can keep system time, "
			   "clocksource= being refused";
	taken = best_for_now();
	report_refusal(reason, taken);
	return taken;
}

const char *clocksource_selection_reason(void)
{
	return selection_reason;
}

/* ---------------------------------------------------------------------------
 * Host unit tests only: the registry is global, each test starts over.
 */
#ifdef HOST_TEST
void clocksource_reset_for_test(void);

void clocksource_reset_for_test(void)
{
	memset(registry, 0, sizeof(registry));
	nr_registered = 0;
	last_refusal[0] = '\0';
	selection_reason = "not selected yet";
	clocksource_choice[0] = '\0';
}
#endif
