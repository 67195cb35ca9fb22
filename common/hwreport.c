/*
 * The hardware report (include/hwreport.h): one block, between marker
 * lines, of what the kernel found and chose, for a bug report. It only
 * gathers: every reason it prints is the one recorded where the choice
 * was made (common/clocksource.c, common/clockevent.c, the devices'
 * why_unusable), and the TSC's calibration is the 't' key's own part.
 */
#include <acpi.h>
#include <clockevent.h>
#include <clocksource.h>
#include <cpumask.h>
#include <hwreport.h>
#include <keyhandler.h>
#include <page.h>
#include <page_alloc.h>
#include <param.h>
#include <printk.h>
#include <string.h>
#include <systime.h>

static bool opt_hwreport;
boolean_param("hwreport", opt_hwreport);

bool hwreport_requested(void)
{
	return opt_hwreport;
}

/* The width in bits of a counter whose mask is 2^width - 1. */
static unsigned int mask_width(u64 mask)
{
	unsigned int w = 0;

	while (w < 64 && (mask >> w))
		w++;
	return w;
}

static void report_cpu(void)
{
	struct hw_cpu_info info;
	unsigned int i;

	arch_hwreport_cpu(&info);
	printk("cpu: %s family 0x%x model 0x%x stepping %u%s%s%s\n",
	       info.vendor, info.family, info.model, info.stepping,
	       info.brand[0] ? " (" : "", info.brand, info.brand[0] ? ")" : "");
	printk("cpu features:");
	for (i = 0; i < info.nr_features; i++)
		printk(" %s%s", info.features[i].present ? "+" : "-",
		       info.features[i].name);
	printk("\n");
	printk("cpus online: %u\n", num_online_cpus());
}

/* An OEM id without the spaces that pad it to six characters. */
static void trim_oem(char *dst, const char *src, size_t size)
{
	size_t n = strlcpy(dst, src, size);

	while (n && dst[n - 1] == ' ')
		dst[--n] = '\0';
}

static void report_acpi(void)
{
	const struct acpi_info *a = &acpi_info;
	char oem[8];
	u32 i;

	if (!a->nr_tables && !a->rsdp_revision && !a->oem_id[0]) {
		printk("acpi: none (off, or no usable RSDP)\n");
		return;
	}
	trim_oem(oem, a->oem_id, sizeof(oem));
	printk("acpi: RSDP revision %u, OEM %s; %s lists %u tables\n",
	       a->rsdp_revision, oem, a->root_is_xsdt ? "XSDT" : "RSDT",
	       a->nr_tables);
	for (i = 0; i < min(a->nr_tables, (u32)ACPI_MAX_TABLES); i++) {
		const struct acpi_table_ref *t = &a->tables[i];

		trim_oem(oem, t->oem_id, sizeof(oem));
		printk("acpi table: %s revision %u OEM %s length %u%s\n",
		       t->sig, t->revision, oem[0] ? oem : "?", t->length,
		       t->ignored ? " (ignored)" : "");
	}
}

/* Every registered clocksource, best first, and why not each unusable one. */
static void report_clocksources(void)
{
	struct clocksource *cs;
	char why[160];
	unsigned int i;

	for (i = 0; (cs = clocksource_by_rating(i)); i++) {
		const char *no = clocksource_why_not(cs, why, sizeof(why));

		printk("clocksource %s: %lu Hz, %u bits, rating %d%s%s\n",
		       cs->name, (unsigned long)cs->hz, mask_width(cs->mask),
		       cs->rating, no ? "; not for system time: " : "",
		       no ? no : "");
	}
	printk("clocksource chosen: %s (%s%s%s)\n", system_clock_name(),
	       clocksource_selection_reason(),
	       clocksource_option()[0] ? "; clocksource=" : "",
	       clocksource_option());
}

static void report_clockevents(void)
{
	struct clock_event_device *dev, *bound = clockevent_this_cpu();
	unsigned int i;

	for (i = 0; (dev = clockevent_by_index(i)); i++) {
		const char *no = clockevent_why_not_chosen(dev);

		printk("clock event %s: rating %d, %s%s%s\n", dev->name,
		       dev->rating, dev->per_cpu ? "per CPU" : "global",
		       no ? "; not a candidate: " : "", no ? no : "");
	}
	printk("clock event chosen: %s (%s)\n", bound ? bound->name : "none",
	       clockevent_choice_reason());
}

static void report_memory(void)
{
	struct page_alloc_stats st;

	page_alloc_get_stats(&st);
	printk("memory: %lu MiB managed, %lu MiB free\n",
	       (unsigned long)(st.total_pages * PAGE_SIZE >> 20),
	       (unsigned long)(st.free_pages * PAGE_SIZE >> 20));
}

void hwreport_print(void)
{
	printk("--- hwreport begin ---\n");
	report_cpu();
	report_acpi();
	report_clocksources();
	report_clockevents();
	arch_dump_clocks();
	report_memory();
	printk("--- hwreport end ---\n");
}
