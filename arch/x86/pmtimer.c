/*
 * The ACPI PM timer as a clocksource. ACPI 6.5: 4.8.3.3 (Power Management
 * Timer (PM_TMR): 3.579545 MHz, 24 bits, or 32 with TMR_VAL_EXT, read as
 * a 32-bit register), 5.2.9 (FADT: PM_TMR_BLK, X_PM_TMR_BLK and the
 * TMR_VAL_EXT and HW_REDUCED_ACPI flags, parsed into acpi_info.fadt).
 *
 * One read per sample. Some old chipsets (ICH4, PIIX4, PIIX4E: Linux's
 * acpi_pm.c reads three times on them) do not latch the counter and can
 * return a glitched value while its bits ripple. We read once: the PIIX4
 * and ICH9 that QEMU and Bochs emulate compute the value whole, later
 * chipsets latch it, a glitch during TSC calibration shows up as a
 * reference that disagrees with the others, and a triple read would
 * triple the cost of every NOW() that runs on this clock.
 */
#include <acpi.h>
#include <asm/io.h>
#include <asm/pmtimer.h>
#include <errno.h>
#include <panic.h>
#include <param.h>
#include <percpu.h>
#include <printk.h>
#include <string.h>

#define PMTIMER_MASK_24 0xffffffULL
#define PMTIMER_MASK_32 0xffffffffULL

/* Reads within which a 3.58 MHz counter must move (any I/O is slower). */
#define PMTIMER_ADVANCE_SPINS 1000000U

/* acpi_pm=off | 24bit (docs/command-line.md). */
static bool opt_pm_off;
static bool opt_pm_24bit;

static int parse_acpi_pm(const char *value)
{
	if (value && strcmp(value, "off") == 0)
		opt_pm_off = true;
	else if (value && strcmp(value, "24bit") == 0)
		opt_pm_24bit = true;
	else if (value && strcmp(value, "on") == 0)
		opt_pm_off = opt_pm_24bit = false;
	else
		return -EINVAL;
	return 0;
}
custom_param("acpi_pm", parse_acpi_pm, "acpi_pm=on|off|24bit");

/* Written once by pmtimer_init() on the boot CPU, read-only afterwards. */
static u16 pm_port;
static u32 pm_mask;
static int init_result; /* 0: not tried; 1: in use; -1: refused */

u64 pmtimer_read(void)
{
	return inl(pm_port) & pm_mask;
}

struct clocksource pmtimer_clocksource = {
	.name = "acpi_pm",
	.rating = 200,
	.read = pmtimer_read,
	.hz = PMTIMER_HZ,
};

/* True if the counter moves within PMTIMER_ADVANCE_SPINS reads. */
static bool pmtimer_advances(void)
{
	u64 first = pmtimer_read();

	for (unsigned int i = 0; i < PMTIMER_ADVANCE_SPINS; i++)
		if (pmtimer_read() != first)
			return true;
	return false;
}

/* Everything but the bookkeeping of pmtimer_init(): true if in use. */
static bool pmtimer_probe(void)
{
	const struct acpi_fadt_info *fadt = &acpi_info.fadt;

	if (opt_pm_off) {
		pr_info("ACPI PM timer: disabled by acpi_pm=off\n");
		return false;
	}
	if (!fadt->present) {
		pr_info("ACPI PM timer: none (no FADT)\n");
		return false;
	}
	if (fadt->hw_reduced) {
		pr_info("ACPI PM timer: none (hardware-reduced ACPI platform)\n");
		return false;
	}
	if (fadt->pm_timer_port == 0) {
		pr_info("ACPI PM timer: none (the FADT gives no PM_TMR_BLK)\n");
		return false;
	}
	pm_port = fadt->pm_timer_port;
	pm_mask = fadt->pm_timer_32bit && !opt_pm_24bit ? PMTIMER_MASK_32
							: PMTIMER_MASK_24;
	if (!pmtimer_advances()) {
		pr_warn("ACPI PM timer at port %#x does not count; not used\n",
			pm_port);
		return false;
	}
	pmtimer_clocksource.mask = pm_mask;
	clocksource_register(&pmtimer_clocksource);
	pr_info("ACPI PM timer: port %#x, 3.579545 MHz, %u-bit%s\n", pm_port,
		pm_mask == PMTIMER_MASK_32 ? 32 : 24,
		fadt->pm_timer_32bit && opt_pm_24bit ? " (acpi_pm=24bit)" : "");
	return true;
}

bool pmtimer_init(void)
{
	ASSERT(smp_processor_id() == 0);
	if (init_result == 0)
		init_result = pmtimer_probe() ? 1 : -1;
	return init_result > 0;
}
