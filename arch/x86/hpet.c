/*
 * The HPET as a clocksource and as a clock event device. IA-PC HPET (High
 * Precision Event Timers) Specification 1.0a: 2.3 for the registers, 3.2.4
 * for the ACPI table (parsed into acpi_info.hpet by common/acpi.c).
 */
#include <acpi.h>
#include <asm/hpet.h>
#include <asm/io_apic.h>
#include <asm/mm.h>
#include <asm/platform_timer.h>
#include <errno.h>
#include <irq.h>
#include <panic.h>
#include <param.h>
#include <percpu.h>
#include <printk.h>
#include <string.h>
#include <systime.h>
#include <time_scale.h>

/* Memory-mapped registers (2.3.1): a 1 KiB block. */
#define HPET_MMIO_SIZE	0x400
#define HPET_GCAP_ID	0x000 /* General Capabilities and ID, 2.3.4 */
#define HPET_GEN_CONF	0x010 /* General Configuration, 2.3.5 */
#define HPET_GINTR_STA	0x020 /* General Interrupt Status, 2.3.6 */
#define HPET_MAIN_CNT	0x0f0 /* Main Counter Value, 2.3.7 */
#define HPET_TN_CONF(n) (0x100 + 0x20 * (n)) /* Timer N Config, 2.3.8 */
#define HPET_TN_CMP(n)	(0x108 + 0x20 * (n)) /* Comparator, 2.3.9 */
#define HPET_MAX_TIMERS 32

/* GCAP_ID (2.3.4). */
#define HPET_GCAP_NUM_TIM_CAP(c) ((unsigned int)(((c) >> 8) & 0x1f) + 1)
#define HPET_GCAP_COUNT_SIZE_CAP (1UL << 13) /* main counter is 64-bit */
#define HPET_GCAP_LEG_RT_CAP	 (1UL << 15) /* LegacyReplacement capable */
#define HPET_GCAP_PERIOD(c)	 ((u32)((c) >> 32)) /* COUNTER_CLK_PERIOD */
/* The period is in femtoseconds, non-zero and at most 100 ns (2.3.4). */
#define HPET_MAX_PERIOD_FS 0x05f5e100U
#define FSEC_PER_SEC	   1000000000000000ULL
#define FSEC_PER_NSEC	   1000000ULL

/* GEN_CONF (2.3.5). */
#define HPET_CONF_ENABLE (1U << 0) /* ENABLE_CNF: main counter runs */
/*
 * LEG_RT_CNF: timer 0 drives IRQ 0 of the 8259 and input 2 of the I/O
 * APIC, timer 1 IRQ 8; the PIT's and the RTC's interrupts are cut off.
 */
#define HPET_CONF_LEGACY       (1U << 1)
#define HPET_LEGACY_IOAPIC_PIN 2

/* Tn_CONF_CAP (2.3.8). */
#define HPET_TN_INT_TYPE_LEVEL (1U << 1)    /* Tn_INT_TYPE_CNF: 1 = level */
#define HPET_TN_INT_ENB	       (1U << 2)    /* Tn_INT_ENB_CNF */
#define HPET_TN_PERIODIC       (1U << 3)    /* Tn_TYPE_CNF */
#define HPET_TN_SIZE_CAP       (1U << 5)    /* comparator is 64-bit */
#define HPET_TN_VAL_SET	       (1U << 6)    /* Tn_VAL_SET_CNF */
#define HPET_TN_32MODE	       (1U << 8)    /* Tn_32MODE_CNF */
#define HPET_TN_INT_ROUTE      (0x1fU << 9) /* Tn_INT_ROUTE_CNF */
#define HPET_TN_FSB_EN	       (1U << 14)   /* Tn_FSB_EN_CNF */
#define HPET_T0_INT_STS	       (1U << 0)    /* GINTR_STA bit of timer 0 */

/* Reads a counter that must move within this many tries (even at 10 MHz). */
#define HPET_ADVANCE_SPINS 1000000U

/*
 * Comparators match on equality, and on several chipsets (ATI, ICH9/10,
 * some AMD) a comparator write takes effect a few counter ticks late.
 * Following Linux (arch/x86/kernel/hpet.c, HPET_MIN_CYCLES and
 * HPET_MIN_PROG_DELTA), an armed comparator less than HPET_ARM_MARGIN
 * ticks ahead of the counter counts as passed, and no deadline closer than
 * HPET_MIN_DELTA_TICKS is worth programming.
 */
#define HPET_ARM_MARGIN	     128
#define HPET_MIN_DELTA_TICKS (HPET_ARM_MARGIN * 3 / 2)
/*
 * The farthest deadline. In 32-bit mode a quarter of the wrap: the
 * comparator then never comes near the half-wrap point where "passed" and
 * "ahead" become ambiguous, however late the write lands (10.7 s at
 * QEMU's 100 MHz, 75 s at 14.318 MHz). In 64-bit mode 2^34 ticks (172 s at
 * 100 MHz): the per-CPU layer re-arms that rarely, and ticks * period_fs
 * stays below 2^64 when it is turned into nanoseconds (2^34 * 2^27).
 */
#define HPET_MAX_DELTA_TICKS_32 (1ULL << 30)
#define HPET_MAX_DELTA_TICKS_64 (1ULL << 34)
/*
 * scale_delta() returns the exact quotient or one less (time_scale.h),
 * so adding two ticks rounds up: the comparator never fires early.
 */
#define SCALE_ROUND_UP_TICKS 2

/* hpet=off | 32bit (docs/command-line.md). */
static bool opt_hpet_off;
static bool opt_hpet_32bit;

static int parse_hpet(const char *value)
{
	if (value && strcmp(value, "off") == 0)
		opt_hpet_off = true;
	else if (value && strcmp(value, "32bit") == 0)
		opt_hpet_32bit = true;
	else if (value && strcmp(value, "on") == 0)
		opt_hpet_off = opt_hpet_32bit = false;
	else
		return -EINVAL;
	return 0;
}
custom_param("hpet", parse_hpet, "hpet=on|off|32bit");

/* Written once by hpet_init() on the boot CPU, read-only afterwards. */
static volatile u8 *hpet_mmio;
static int init_result; /* 0: not tried; 1: in use; -1: refused */
static u32 period_fs;
static u64 counter_hz;
static bool counter_32bit;  /* clocksource reads the low half */
static bool event_32bit;    /* comparator 0 compares 32 bits */
static u64 event_max_ticks; /* HPET_MAX_DELTA_TICKS_32 or _64 */
static struct time_scale ns_to_ticks;

/* Comparator 0 state; boot CPU, interrupts off or its handler. */
static u32 t0_conf; /* what was last written to Tn_CONF_CAP of timer 0 */
static u32 gen_conf;
static bool event_armed;

/* ---------------------------------------------------------------------------
 * Register access (2.3: 32- and 64-bit accesses are both allowed)
 */

static inline u32 hpet_read32(unsigned int reg)
{
	return *(volatile u32 *)(hpet_mmio + reg);
}

static inline void hpet_write32(unsigned int reg, u32 val)
{
	*(volatile u32 *)(hpet_mmio + reg) = val;
}

static inline u64 hpet_read64(unsigned int reg)
{
	return *(volatile u64 *)(hpet_mmio + reg);
}

static inline void hpet_write64(unsigned int reg, u64 val)
{
	*(volatile u64 *)(hpet_mmio + reg) = val;
}

/* ---------------------------------------------------------------------------
 * The clocksource
 */

u32 hpet_read_counter32(void)
{
	return hpet_read32(HPET_MAIN_CNT);
}

u64 hpet_read_counter(void)
{
	if (counter_32bit)
		return hpet_read32(HPET_MAIN_CNT);
	return hpet_read64(HPET_MAIN_CNT);
}

u64 hpet_hz(void)
{
	return init_result > 0 ? counter_hz : 0;
}

bool hpet_is_32bit(void)
{
	return counter_32bit;
}

struct clocksource hpet_clocksource = {
	.name = "hpet",
	.rating = 250,
	.read = hpet_read_counter,
};

/* ---------------------------------------------------------------------------
 * The clock event device: comparator 0, one-shot, on IRQ 0
 */

/* The counter as comparator 0 sees it (its low half in 32-bit mode). */
static u64 event_counter(void)
{
	if (event_32bit)
		return hpet_read32(HPET_MAIN_CNT);
	return hpet_read64(HPET_MAIN_CNT);
}

/* How far cmp is ahead of counter value now, signed, in the event width. */
static s64 event_ticks_ahead(u64 cmp, u64 now)
{
	if (event_32bit)
		return (s32)(u32)(cmp - now);
	return (s64)(cmp - now);
}

static void write_t0_conf(u32 conf)
{
	t0_conf = conf;
	hpet_write32(HPET_TN_CONF(0), conf);
}

/* IRQ context, after the EOI (asm/platform_timer.h). */
static bool hpet_event_interrupt(struct clock_event_device *dev)
{
	/* Edge-triggered as we program it; level would latch the status. */
	if (t0_conf & HPET_TN_INT_TYPE_LEVEL)
		hpet_write32(HPET_GINTR_STA, HPET_T0_INT_STS);
	if (!READ_ONCE(event_armed))
		return false;
	WRITE_ONCE(event_armed, false);
	return true;
}

/* The PIT takes IRQ 0: LegacyReplacement off, comparator 0 quiet. */
static void hpet_event_release(struct clock_event_device *dev)
{
	WRITE_ONCE(event_armed, false);
	write_t0_conf(t0_conf & ~HPET_TN_INT_ENB);
	gen_conf &= ~HPET_CONF_LEGACY;
	hpet_write32(HPET_GEN_CONF, gen_conf);
}

static const struct irq0_owner_ops hpet_irq0_ops = {
	.interrupt = hpet_event_interrupt,
	.release = hpet_event_release,
};

/* One-shot, edge-triggered, interrupt disabled until armed. */
static void hpet_event_setup(struct clock_event_device *dev)
{
	static bool gsi_warned;
	u32 conf = hpet_read32(HPET_TN_CONF(0));
	int gsi;

	conf &= ~(HPET_TN_INT_TYPE_LEVEL | HPET_TN_INT_ENB | HPET_TN_PERIODIC |
		  HPET_TN_VAL_SET | HPET_TN_32MODE | HPET_TN_INT_ROUTE |
		  HPET_TN_FSB_EN);
	if (event_32bit && (conf & HPET_TN_SIZE_CAP))
		conf |= HPET_TN_32MODE;
	WRITE_ONCE(event_armed, false);
	write_t0_conf(conf);
	gsi = platform_timer_claim_irq0(dev, &hpet_irq0_ops);
	if (gsi < 0)
		return; /* reported; why_unusable already said it would be */
	if (gsi != HPET_LEGACY_IOAPIC_PIN && !gsi_warned) {
		pr_warn("HPET: the MADT sends IRQ 0 to GSI %d, but LegacyReplacement drives I/O APIC input %d (IA-PC HPET 1.0a, 2.3.5); its interrupts may not arrive\n",
			gsi, HPET_LEGACY_IOAPIC_PIN);
		gsi_warned = true;
	}
	gen_conf |= HPET_CONF_LEGACY;
	hpet_write32(HPET_GEN_CONF, gen_conf);
}

static bool hpet_event_set_next(struct clock_event_device *dev, s_time_t t)
{
	s_time_t delta = t - NOW();
	u64 ticks, cmp;

	/* Only the device whose setup() ran last is wired to IRQ 0. */
	ASSERT(platform_timer_irq0_owner() == dev);
	/* NOW() first: the counter read after it can only be later. */
	ticks = scale_delta(delta > 0 ? (u64)delta : 0, &ns_to_ticks) +
		SCALE_ROUND_UP_TICKS;
	if (ticks > event_max_ticks)
		ticks = event_max_ticks;
	cmp = event_counter() + ticks;
	if (event_32bit)
		hpet_write32(HPET_TN_CMP(0), (u32)cmp);
	else
		hpet_write64(HPET_TN_CMP(0), cmp);
	WRITE_ONCE(event_armed, true);
	if (!(t0_conf & HPET_TN_INT_ENB))
		write_t0_conf(t0_conf | HPET_TN_INT_ENB);

	/* A comparator the counter has passed would only match after a wrap. */
	if (event_ticks_ahead(cmp, event_counter()) >= HPET_ARM_MARGIN)
		return true;
	WRITE_ONCE(event_armed, false);
	write_t0_conf(t0_conf & ~HPET_TN_INT_ENB);
	return false;
}

static void hpet_event_shutdown(struct clock_event_device *dev)
{
	WRITE_ONCE(event_armed, false);
	write_t0_conf(t0_conf & ~HPET_TN_INT_ENB);
}

struct clock_event_device hpet_event_device = {
	.name = "hpet",
	.rating = 100,
	.per_cpu = false,
	.setup = hpet_event_setup,
	.set_next_event = hpet_event_set_next,
	.shutdown = hpet_event_shutdown,
};

/* ---------------------------------------------------------------------------
 * Initialisation
 */

/* Nanoseconds in ticks counter ticks, rounded up; ticks <= 2^34. */
static s_time_t ticks_to_ns_up(u64 ticks)
{
	return (s_time_t)((ticks * period_fs + FSEC_PER_NSEC - 1) /
			  FSEC_PER_NSEC);
}

/* Why comparator 0 cannot interrupt the boot CPU, or NULL if it can. */
static const char *event_unusable_reason(u64 gcap)
{
	if (!(gcap & HPET_GCAP_LEG_RT_CAP))
		return "no LegacyReplacement routing (LEG_RT_CAP clear), and "
		       "routing comparators through the I/O APIC is not "
		       "implemented";
	if (!io_apic_ready())
		return "no usable I/O APIC to deliver IRQ 0";
	return NULL;
}

static void register_event_device(u64 gcap)
{
	struct clock_event_device *dev = &hpet_event_device;
	u32 t0_cap = hpet_read32(HPET_TN_CONF(0));

	event_32bit = counter_32bit || !(t0_cap & HPET_TN_SIZE_CAP);
	event_max_ticks =
		event_32bit ? HPET_MAX_DELTA_TICKS_32 : HPET_MAX_DELTA_TICKS_64;
	/* ticks = ns * 10^6 / period_fs: exact rates, no rounded Hz. */
	time_scale_init(&ns_to_ticks, period_fs, FSEC_PER_NSEC);
	dev->min_delta_ns = ticks_to_ns_up(HPET_MIN_DELTA_TICKS);
	/* Rounding down keeps ticks(max_delta_ns) + 2 within the limit. */
	dev->max_delta_ns =
		(s_time_t)((event_max_ticks - SCALE_ROUND_UP_TICKS) *
			   period_fs / FSEC_PER_NSEC);
	dev->why_unusable = event_unusable_reason(gcap);
	clockevent_register(dev);
	if (dev->why_unusable)
		pr_warn("HPET: comparator 0 not usable as a clock event device: %s\n",
			dev->why_unusable);
}

/* Stops the counter and every comparator's interrupt, zeroes, restarts. */
static void hpet_reset_counter(u64 gcap)
{
	unsigned int n, timers = HPET_GCAP_NUM_TIM_CAP(gcap);

	gen_conf = hpet_read32(HPET_GEN_CONF) &
		   ~(HPET_CONF_ENABLE | HPET_CONF_LEGACY);
	hpet_write32(HPET_GEN_CONF, gen_conf);
	for (n = 0; n < timers && n < HPET_MAX_TIMERS; n++) {
		u32 conf = hpet_read32(HPET_TN_CONF(n));

		hpet_write32(HPET_TN_CONF(n),
			     conf & ~(HPET_TN_INT_ENB | HPET_TN_FSB_EN));
	}
	hpet_write32(HPET_GINTR_STA, ~0U); /* write 1 to clear (2.3.6) */
	/* The main counter is writable only while halted (2.3.7). */
	hpet_write64(HPET_MAIN_CNT, 0);
	gen_conf |= HPET_CONF_ENABLE;
	hpet_write32(HPET_GEN_CONF, gen_conf);
}

/* True if the main counter moves within HPET_ADVANCE_SPINS reads. */
static bool hpet_counter_advances(void)
{
	u32 first = hpet_read32(HPET_MAIN_CNT);

	for (unsigned int i = 0; i < HPET_ADVANCE_SPINS; i++)
		if (hpet_read32(HPET_MAIN_CNT) != first)
			return true;
	return false;
}

/* Everything but the bookkeeping of hpet_init(): true if in use. */
static bool hpet_probe(void)
{
	const struct acpi_hpet_info *info = &acpi_info.hpet;
	u64 gcap;
	bool hw_64bit;

	if (opt_hpet_off) {
		pr_info("HPET: disabled by hpet=off\n");
		return false;
	}
	if (!info->present) {
		pr_info("HPET: none (no ACPI HPET table)\n");
		return false;
	}
	hpet_mmio = ioremap(info->address, HPET_MMIO_SIZE);
	if (!hpet_mmio) {
		pr_warn("HPET at %#lx: cannot map it; not used\n",
			info->address);
		return false;
	}
	gcap = hpet_read64(HPET_GCAP_ID);
	period_fs = HPET_GCAP_PERIOD(gcap);
	if (gcap == ~0ULL || period_fs == 0 || period_fs > HPET_MAX_PERIOD_FS) {
		pr_warn("HPET at %#lx: COUNTER_CLK_PERIOD %u fs is outside (0, %u] (IA-PC HPET 1.0a, 2.3.4: at most 100 ns); not used\n",
			info->address, period_fs, HPET_MAX_PERIOD_FS);
		return false;
	}
	hw_64bit = gcap & HPET_GCAP_COUNT_SIZE_CAP;
	if (hw_64bit != info->counter_64bit)
		pr_warn("HPET: the ACPI table says %s-bit, GCAP_ID says %s-bit; going by GCAP_ID\n",
			info->counter_64bit ? "64" : "32",
			hw_64bit ? "64" : "32");

	hpet_reset_counter(gcap);
	if (!hpet_counter_advances()) {
		pr_warn("HPET at %#lx: the main counter does not advance; not used\n",
			info->address);
		gen_conf &= ~HPET_CONF_ENABLE;
		hpet_write32(HPET_GEN_CONF, gen_conf);
		return false;
	}

	counter_32bit = !hw_64bit || opt_hpet_32bit;
	counter_hz = (FSEC_PER_SEC + period_fs / 2) / period_fs;
	hpet_clocksource.hz = counter_hz;
	hpet_clocksource.mask = counter_32bit ? 0xffffffffULL : ~0ULL;
	clocksource_register(&hpet_clocksource);

	pr_info("HPET: %lu.%06lu MHz (period %u fs), %u comparators, %s-bit counter%s%s\n",
		counter_hz / 1000000, counter_hz % 1000000, period_fs,
		HPET_GCAP_NUM_TIM_CAP(gcap), counter_32bit ? "32" : "64",
		counter_32bit && hw_64bit ? " (hpet=32bit)" : "",
		gcap & HPET_GCAP_LEG_RT_CAP ? ", LegacyReplacement capable"
					    : "");
	register_event_device(gcap);
	return true;
}

bool hpet_init(void)
{
	ASSERT(smp_processor_id() == 0);
	if (init_result == 0)
		init_result = hpet_probe() ? 1 : -1;
	return init_result > 0;
}
