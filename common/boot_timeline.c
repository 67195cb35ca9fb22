/*
 * The boot timeline (include/boot_timeline.h): a begin and an end cycle
 * count per phase, printed as milliseconds once the TSC is calibrated.
 */
#include <boot_timeline.h>
#include <compiler.h>
#include <cycles.h>
#include <panic.h>
#include <printk.h>
#include <systime.h>

struct phase_marks {
	u64 begin; /* cycle count; 0: not begun */
	u64 end;   /* cycle count; 0: not ended */
};

static const char *const phase_names[NR_BOOT_PHASES] = {
	[BOOT_PHASE_EARLY] = "early", [BOOT_PHASE_MEMORY] = "memory",
	[BOOT_PHASE_ACPI] = "acpi",   [BOOT_PHASE_CLOCKS] = "clocks",
	[BOOT_PHASE_APS] = "aps",     [BOOT_PHASE_TSC_SYNC] = "tsc_sync",
};

/* Written by head.S, after it clears .bss, before any C code runs. */
u64 boot_entry_cycles;

static struct phase_marks marks[NR_BOOT_PHASES] __initdata;

void __init boot_phase_begin(enum boot_phase phase)
{
	ASSERT(phase < NR_BOOT_PHASES);
	marks[phase].begin = get_cycles();
}

void __init boot_phase_end(enum boot_phase phase)
{
	ASSERT(phase < NR_BOOT_PHASES);
	marks[phase].end = get_cycles();
}

/* Cycles of a phase; 0 if it was not both begun and ended in order. */
static u64 __init phase_cycles(enum boot_phase phase)
{
	u64 begin = phase == BOOT_PHASE_EARLY ? boot_entry_cycles
					      : marks[phase].begin;

	if (!begin || marks[phase].end < begin)
		return 0;
	return marks[phase].end - begin;
}

/* Microseconds in cycles at hz (0 if uncalibrated); exact to a microsecond. */
static u64 __init cycles_to_us(u64 cycles, u64 hz)
{
	u64 per_ms = hz / 1000;

	/* Boot cycles stay far below 2^64 / 1000 (years at any rate). */
	return per_ms ? cycles * 1000 / per_ms : 0;
}

/* Appends " <name> <ms>.<us>" to buf at *pos, bounded by size. */
static void __init put_ms(char *buf, size_t size, size_t *pos, const char *name,
			  u64 us)
{
	int n = snprintf(buf + *pos, size - *pos, "%s%s %lu.%03lu",
			 *pos ? ", " : "", name, (unsigned long)(us / 1000),
			 (unsigned long)(us % 1000));

	if (n > 0)
		*pos = min(size - 1, *pos + (size_t)n);
}

void __init boot_timeline_report(void)
{
	u64 now = get_cycles(), hz = tsc_hz(), named = 0, total, online;
	char line[256];
	size_t pos = 0;
	unsigned int p;

	total = now - boot_entry_cycles;
	for (p = 0; p < NR_BOOT_PHASES; p++) {
		u64 c = phase_cycles(p);

		named += c;
		put_ms(line, sizeof(line), &pos, phase_names[p],
		       cycles_to_us(c, hz));
	}
	ASSERT(named <= total);
	put_ms(line, sizeof(line), &pos, "rest",
	       cycles_to_us(total - named, hz));
	/* Without APs to start, every CPU is online when the APs phase ends. */
	online = marks[BOOT_PHASE_APS].end
			 ? marks[BOOT_PHASE_APS].end - boot_entry_cycles
			 : total;
	pr_info("Boot timeline: %s; all CPUs online at %lu.%03lu, total %lu.%03lu (ms from the first instruction, TSC at %lu kHz)\n",
		line, (unsigned long)(cycles_to_us(online, hz) / 1000),
		(unsigned long)(cycles_to_us(online, hz) % 1000),
		(unsigned long)(cycles_to_us(total, hz) / 1000),
		(unsigned long)(cycles_to_us(total, hz) % 1000),
		(unsigned long)(hz / 1000));
}
