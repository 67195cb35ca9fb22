/*
 * The kernel log: printk() formats a message, stamps every line with the
 * time, keeps it in a ring and writes it to every registered console whose
 * level filter lets it through. The ring holds everything printed before
 * the first console existed, so no early message is lost.
 */
#include <console.h>
#include <cycles.h>
#include <errno.h>
#include <irq.h>
#include <param.h>
#include <percpu.h>
#include <printk.h>
#include <spinlock.h>
#include <string.h>

#define LOG_RING_SIZE	(64 * 1024)
#define PRINTK_LINE_MAX 512
#define PREFIX_MAX	32
/*
 * Bounded spinning for the lock once a fatal error is being reported, and
 * in NMI handlers (the holder may be stopped, or be the interrupted CPU).
 */
#define EMERGENCY_SPINS 10000000UL
#define NO_OWNER	UINT32_MAX

unsigned int console_loglevel = LOGLEVEL_DEFAULT;

static int __init parse_loglvl(const char *value)
{
	if (!value || value[0] < '0' || value[0] > '7' || value[1] != '\0')
		return -EINVAL;
	console_loglevel = value[0] - '0';
	return 0;
}
custom_param("loglvl", parse_loglvl, "loglvl=<0-7>");

/*
 * Each line in the ring is stored as one level digit, then the stamped
 * text up to and including its newline.
 */
static char log_ring[LOG_RING_SIZE];
static u64 log_head; /* bytes ever written; the ring holds the last ones */

static DEFINE_SPINLOCK(printk_lock);
static u32 printk_owner = NO_OWNER; /* the CPU holding printk_lock */
/* A fatal report gave up waiting for a holder: never wait again. */
static bool lock_abandoned;
static struct console *consoles;
static bool at_line_start = true;
static unsigned int line_level;
static bool emergency;
static s_time_t (*clock_ns)(void);

void printk_set_clock(s_time_t (*now_ns)(void))
{
	clock_ns = now_ns;
}

static void ring_put(const char *s, size_t len)
{
	while (len--)
		log_ring[log_head++ % LOG_RING_SIZE] = *s++;
}

static void consoles_write(const char *s, size_t len, unsigned int level)
{
	struct console *con;

	if (level > console_loglevel)
		return;
	for (con = consoles; con; con = con->next)
		con->write(con, s, len);
}

/* "[    1.234567] " with a clock, "[c  123456789012] " (TSC cycles) before. */
static size_t format_prefix(char *buf, size_t size)
{
	if (clock_ns) {
		s_time_t ns = clock_ns();

		return snprintf(buf, size, "[%5lu.%06lu] ",
				(unsigned long)(ns / 1000000000),
				(unsigned long)(ns % 1000000000) / 1000);
	}
	return snprintf(buf, size, "[c%13lu] ", (unsigned long)get_cycles());
}

/* Appends text of one level to the ring and consoles; lock held. */
static void log_emit(const char *s, unsigned int level)
{
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) + 1 : strlen(s);

		if (at_line_start) {
			char prefix[PREFIX_MAX], digit = '0' + level;
			size_t plen = format_prefix(prefix, sizeof(prefix));

			line_level = level;
			ring_put(&digit, 1);
			ring_put(prefix, plen);
			consoles_write(prefix, plen, line_level);
			at_line_start = false;
		}
		ring_put(s, len);
		consoles_write(s, len, line_level);
		if (nl)
			at_line_start = true;
		s += len;
	}
}

/*
 * Takes the log lock, except where waiting could hang: a CPU re-entering
 * printk (an NMI or a fault inside it) writes without the lock it holds;
 * in an NMI handler or a fatal report the wait is bounded (the holder may
 * be the CPU that crashed, or be stopped), and once a fatal report gave
 * up on a holder it only tries the lock. *locked says whether it got it.
 */
static unsigned long printk_lock_irqsave(bool *locked)
{
	unsigned long flags = local_irq_save();
	u32 self = smp_processor_id();
	unsigned long spins;
	bool fatal = READ_ONCE(emergency);

	*locked = false;
	if (READ_ONCE(printk_owner) == self)
		return flags;
	if (!fatal && !in_nmi()) {
		spin_lock(&printk_lock);
		goto owned;
	}
	if (fatal && READ_ONCE(lock_abandoned)) {
		if (spin_trylock(&printk_lock))
			goto owned;
		return flags;
	}
	for (spins = 0; spins < EMERGENCY_SPINS; spins++)
		if (spin_trylock(&printk_lock))
			goto owned;
	if (fatal)
		WRITE_ONCE(lock_abandoned, true);
	return flags;
owned:
	WRITE_ONCE(printk_owner, self);
	*locked = true;
	return flags;
}

static void printk_unlock_irqrestore(bool locked, unsigned long flags)
{
	if (locked) {
		WRITE_ONCE(printk_owner, NO_OWNER);
		spin_unlock(&printk_lock);
	}
	local_irq_restore(flags);
}

void vprintk(const char *fmt, va_list args)
{
	char text[PRINTK_LINE_MAX];
	const char *body = text;
	unsigned int level = LOGLEVEL_DEFAULT;
	unsigned long flags;
	bool locked;
	int len;

	len = vsnprintf(text, sizeof(text), fmt, args);
	if (text[0] == KERN_SOH[0] && text[1] >= '0' && text[1] <= '7') {
		level = text[1] - '0';
		body += 2;
	}
	flags = printk_lock_irqsave(&locked);
	log_emit(body, level);
	if (len >= (int)sizeof(text))
		log_emit(" [message truncated]\n", level);
	printk_unlock_irqrestore(locked, flags);
}

bool console_write_to(const char *name, const char *s, size_t len)
{
	struct console *con;
	unsigned long flags;
	bool locked, found = false;

	flags = printk_lock_irqsave(&locked);
	for (con = consoles; con; con = con->next)
		if (strcmp(con->name, name) == 0) {
			if (con->write_whole)
				con->write_whole(con, s, len);
			else
				con->write(con, s, len);
			found = true;
			break;
		}
	printk_unlock_irqrestore(locked, flags);
	return found;
}

void printk(const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vprintk(fmt, args);
	va_end(args);
}

/* Writes the ring's complete lines that pass the level filter to con. */
static void log_replay(struct console *con)
{
	u64 pos = log_head > LOG_RING_SIZE ? log_head - LOG_RING_SIZE : 0;
	bool lost = pos > 0;
	char line[PRINTK_LINE_MAX + PREFIX_MAX];

	if (lost) {
		static const char msg[] =
			"[early log overflowed: oldest lines lost]\n";

		con->write(con, msg, sizeof(msg) - 1);
		/* The oldest line is cut: resume after its newline. */
		while (pos < log_head &&
		       log_ring[pos++ % LOG_RING_SIZE] != '\n')
			;
	}
	while (pos < log_head) {
		unsigned int level = log_ring[pos++ % LOG_RING_SIZE] - '0';
		size_t len = 0;

		while (pos < log_head) {
			char c = log_ring[pos++ % LOG_RING_SIZE];

			if (len < sizeof(line))
				line[len++] = c;
			if (c == '\n')
				break;
		}
		if (level <= console_loglevel)
			con->write(con, line, len);
	}
}

void console_register(struct console *con)
{
	unsigned long flags;
	bool locked;

	flags = printk_lock_irqsave(&locked);
	log_replay(con);
	con->next = consoles;
	consoles = con;
	printk_unlock_irqrestore(locked, flags);
}

void console_write_raw(const char *s, size_t len)
{
	struct console *con;

	for (con = consoles; con; con = con->next)
		con->write(con, s, len);
}

void console_flush(void)
{
	arch_console_flush();
}

void console_report(void)
{
	arch_console_report();
}

bool console_congested(void)
{
	return arch_console_congested();
}

void console_force_emergency(void)
{
	WRITE_ONCE(emergency, true);
	arch_console_sync();
	if (!consoles)
		arch_console_emergency();
	if (console_loglevel < LOGLEVEL_ERR)
		console_loglevel = LOGLEVEL_ERR;
}
