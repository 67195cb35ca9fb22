/*
 * PIT channel 2 as a one-shot stopwatch (Intel 8254 datasheet: mode 0,
 * "interrupt on terminal count"; OUT2 is readable in port 0x61 bit 5).
 * Channel 2 is also the "pit" clocksource (asm/pit.h), which restarts its
 * free-running count on its next read.
 */
#include <asm/delay.h>
#include <asm/io.h>
#include <asm/pit.h>

/* Far longer than a full count (55 ms) even on a slow emulator. */
#define OUT2_SPIN_LIMIT 200000000UL

/* Counts down count PIT ticks; false if OUT2 never rose. */
static bool pit_count_down(u16 count)
{
	unsigned long spins;

	outb(PORT_B, (inb(PORT_B) & ~PORT_B_SPEAKER) | PORT_B_GATE2);
	outb(PIT_MODE_CMD, PIT_CH2_MODE0);
	outb(PIT_CH2_DATA, count & 0xff);
	outb(PIT_CH2_DATA, count >> 8);
	for (spins = 0; spins < OUT2_SPIN_LIMIT; spins++)
		if (inb(PORT_B) & PORT_B_OUT2)
			return true;
	return false;
}

bool pit_delay_us(unsigned long us)
{
	unsigned long ticks = (us * PIT_HZ + 999999) / 1000000;

	/* Without an 8254, port B's OUT2 bit may read as set: no wait. */
	if (!pit_present())
		return false;
	pit_channel2_taken_for_delay();
	while (ticks > 0) {
		u16 chunk = ticks > PIT_MAX_COUNT ? PIT_MAX_COUNT : ticks;

		if (!pit_count_down(chunk))
			return false;
		ticks -= chunk;
	}
	return true;
}
