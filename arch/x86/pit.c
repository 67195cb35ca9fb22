/*
 * The 8254 PIT as a clocksource (channel 2, free-running) and as a clock
 * event device (channel 0, one-shot on IRQ 0). Intel 8254 datasheet
 * (231164): "Mode 0: Interrupt on Terminal Count", "Mode 2: Rate
 * Generator", "Counter Latch Command". See asm/pit.h.
 */
#include <asm/io.h>
#include <asm/io_apic.h>
#include <asm/pit.h>
#include <asm/platform_timer.h>
#include <irq.h>
#include <panic.h>
#include <percpu.h>
#include <printk.h>
#include <spinlock.h>
#include <systime.h>
#include <time_scale.h>

/* Reads of channel 2 within which it must have moved (0.84 us a tick). */
#define PIT_ADVANCE_SPINS 100000U

/*
 * The closest deadline worth programming: 16 ticks (13.4 us), as Linux's
 * i8253 driver (min_delta 0xF): three port writes, each a bus cycle on
 * hardware and an exit under emulation, plus the interrupt's own path.
 */
#define PIT_MIN_DELTA_TICKS 16
/*
 * scale_delta() returns the exact quotient or one less (time_scale.h),
 * so adding two ticks rounds up: the count never ends early.
 */
#define SCALE_ROUND_UP_TICKS 2

/* Serialises latch-and-read of channel 2 and the programming of channel 0. */
static DEFINE_SPINLOCK(pit_lock);
/* Channel 2 runs free for the clocksource; cleared by pit_delay_us(). */
static bool ch2_free_running;
static bool pit_initialised;
/* Channel 2 counted at pit_init(): there is an 8254 (QEMU's pit=off has none). */
static bool pit_found;

static struct time_scale ns_to_ticks;
/* Channel 0: boot CPU, interrupts off or its handler. */
static bool event_armed;

/* ---------------------------------------------------------------------------
 * The clocksource: channel 2
 */

/* Mode 2, reload 0 (65536), gate on, speaker off. Caller holds pit_lock. */
static void ch2_start_free_running(void)
{
	outb(PORT_B, (inb(PORT_B) & ~PORT_B_SPEAKER) | PORT_B_GATE2);
	outb(PIT_MODE_CMD, PIT_CH2_MODE2);
	outb(PIT_CH2_DATA, 0);
	outb(PIT_CH2_DATA, 0);
	ch2_free_running = true;
}

void pit_clocksource_start(void)
{
	unsigned long flags = spin_lock_irqsave(&pit_lock);

	ch2_start_free_running();
	spin_unlock_irqrestore(&pit_lock, flags);
}

void pit_channel2_taken_for_delay(void)
{
	unsigned long flags = spin_lock_irqsave(&pit_lock);

	ch2_free_running = false;
	spin_unlock_irqrestore(&pit_lock, flags);
}

/*
 * Channel 2 latched and read: it counts down from 65536 (read as 0) to 1
 * in mode 2, so 65536 minus the count, modulo 2^16, counts up.
 */
static u64 pit_clocksource_read(void)
{
	unsigned long flags = spin_lock_irqsave(&pit_lock);
	u16 count;

	if (!ch2_free_running)
		ch2_start_free_running();
	outb(PIT_MODE_CMD, PIT_CH2_LATCH);
	count = inb(PIT_CH2_DATA);
	count |= (u16)inb(PIT_CH2_DATA) << 8;
	spin_unlock_irqrestore(&pit_lock, flags);
	return (u16)(0U - count);
}

struct clocksource pit_clocksource = {
	.name = "pit",
	.rating = 110,
	.flags = CLOCKSOURCE_NOT_FOR_NOW,
	.read = pit_clocksource_read,
	.mask = 0xffff,
	.hz = PIT_HZ,
	.why_unusable = "the PIT wraps every 55 ms, too fast to keep system "
			"time: it serves TSC calibration only",
};

/* ---------------------------------------------------------------------------
 * The clock event device: channel 0, mode 0, IRQ 0
 */

/* Control word alone: OUT0 goes low and stays low until a count comes. */
static void ch0_stop(void)
{
	unsigned long flags = spin_lock_irqsave(&pit_lock);

	outb(PIT_MODE_CMD, PIT_CH0_MODE0);
	spin_unlock_irqrestore(&pit_lock, flags);
}

/* IRQ context, after the EOI (asm/platform_timer.h). */
static bool pit_event_interrupt(struct clock_event_device *dev)
{
	if (!READ_ONCE(event_armed))
		return false;
	WRITE_ONCE(event_armed, false);
	return true;
}

/*
 * The HPET takes IRQ 0; its LegacyReplacement cuts the PIT off anyway.
 * Also the shutdown: writing the control word may not cancel a count in
 * flight on every implementation (QEMU's keeps its pending transition),
 * so event_armed is what guarantees that no handler runs.
 */
static void pit_event_release(struct clock_event_device *dev)
{
	WRITE_ONCE(event_armed, false);
	ch0_stop();
}

static const struct irq0_owner_ops pit_irq0_ops = {
	.interrupt = pit_event_interrupt,
	.release = pit_event_release,
};

static void pit_event_setup(struct clock_event_device *dev)
{
	WRITE_ONCE(event_armed, false);
	ch0_stop();
	platform_timer_claim_irq0(dev, &pit_irq0_ops); /* reports failure */
}

/*
 * A count-down always ends in an interrupt, N + 1 ticks after a count N
 * is written (mode 0), so the device is armed even for a t that has
 * passed: it then fires within a few microseconds, after t. Hence true.
 */
static bool pit_event_set_next(struct clock_event_device *dev, s_time_t t)
{
	s_time_t delta = t - NOW();
	unsigned long flags;
	u64 ticks;

	/* Only the device whose setup() ran last is wired to IRQ 0. */
	ASSERT(platform_timer_irq0_owner() == dev);
	/* NOW() first: the count starts after it, so it ends after t. */
	ticks = scale_delta(delta > 0 ? (u64)delta : 0, &ns_to_ticks) +
		SCALE_ROUND_UP_TICKS;
	if (ticks > PIT_MAX_COUNT)
		ticks = PIT_MAX_COUNT;
	WRITE_ONCE(event_armed, true);
	flags = spin_lock_irqsave(&pit_lock);
	outb(PIT_MODE_CMD, PIT_CH0_MODE0);
	outb(PIT_CH0_DATA, ticks & 0xff);
	outb(PIT_CH0_DATA, ticks >> 8);
	spin_unlock_irqrestore(&pit_lock, flags);
	return true;
}

struct clock_event_device pit_event_device = {
	.name = "pit",
	.rating = 50,
	.per_cpu = false,
	.setup = pit_event_setup,
	.set_next_event = pit_event_set_next,
	.shutdown = pit_event_release,
};

/* ---------------------------------------------------------------------------
 * Initialisation
 */

/* True if channel 2 moves within PIT_ADVANCE_SPINS reads. */
static bool pit_channel2_counts(void)
{
	u64 first = pit_clocksource_read();

	for (unsigned int i = 0; i < PIT_ADVANCE_SPINS; i++)
		if (pit_clocksource_read() != first)
			return true;
	return false;
}

bool pit_present(void)
{
	return !pit_initialised || pit_found;
}

void pit_init(void)
{
	struct clock_event_device *dev = &pit_event_device;

	ASSERT(smp_processor_id() == 0);
	if (pit_initialised)
		return;
	pit_initialised = true;

	pit_clocksource_start();
	pit_found = pit_channel2_counts();
	if (!pit_found) {
		/* No 8254 at all: neither channel 0 nor 2 will ever count. */
		dev->why_unusable = "no PIT (channel 2 does not count)";
		clockevent_register(dev);
		pr_info("PIT: none (channel 2 does not count); no pit clocksource or clock event device\n");
		return;
	}
	clocksource_register(&pit_clocksource);

	time_scale_init(&ns_to_ticks, NSEC_PER_SEC, PIT_HZ);
	dev->min_delta_ns =
		(PIT_MIN_DELTA_TICKS * NSEC_PER_SEC + PIT_HZ - 1) / PIT_HZ;
	/* Rounding down keeps ticks(max_delta_ns) + 2 within 16 bits. */
	dev->max_delta_ns =
		(PIT_MAX_COUNT - SCALE_ROUND_UP_TICKS) * NSEC_PER_SEC / PIT_HZ;
	if (!io_apic_ready())
		dev->why_unusable = "no usable I/O APIC to deliver IRQ 0";
	clockevent_register(dev);

	pr_info("PIT: 1.193182 MHz; channel 2 free-running for calibration, channel 0 one-shot on IRQ 0%s\n",
		dev->why_unusable ? " (unusable: no I/O APIC)" : "");
}
