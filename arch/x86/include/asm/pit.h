/*
 * The Intel 8254 programmable interval timer (Intel 8254 datasheet, order
 * no. 231164: "Control Word Format", "Counter Latch Command", "Mode 0",
 * "Mode 2"), as every PC has it at ports 0x40-0x43, clocked at 1.193182
 * MHz (14.31818 MHz / 12). arch/x86/pit.c drives
 *   - channel 2 as the clocksource "pit" (rating 110): mode 2 with reload
 *     0 (65536), free-running, read with the latch command and returned
 *     counting up, 16 bits. It wraps every 55 ms, so system time never
 *     runs on it (CLOCKSOURCE_NOT_FOR_NOW): it serves TSC calibration;
 *   - channel 0 as the clock event device "pit" (rating 50, global, wired
 *     to the boot CPU): mode 0 (interrupt on terminal count) on ISA IRQ 0,
 *     which it shares with the HPET (asm/platform_timer.h: the device
 *     whose setup() ran last owns IRQ 0).
 * arch/x86/delay.c's pit_delay_us() uses channel 2 too, in mode 0.
 *
 * Concurrency: pit_init() runs on the boot CPU, first from time_init()
 * (tests may call it again: it does nothing then). Channel 2 has two
 * users that must not overlap: pit_delay_us() (boot CPU only, unlocked)
 * reprograms it, and the clocksource's next read puts it back into
 * free-running mode, restarting the count: a delta taken across a delay
 * is meaningless, and a read on another CPU during a delay would spoil
 * the delay. The clocksource's read() is otherwise safe from any context
 * on any CPU but NMI (a spinlock, interrupts off, covers latch and
 * reads). The clock event device follows include/clockevent.h: programmed
 * by the boot CPU, with interrupts off or from its own handler; while it
 * serves the broadcast, from any CPU under the broadcast's lock (its
 * interrupt still comes to the boot CPU; the broadcast re-arms after
 * every interrupt it is given, so a race with an arming loses nothing).
 */
#ifndef ASM_X86_PIT_H
#define ASM_X86_PIT_H

#include <asm/delay.h> /* pit_delay_us(), channel 2's other user */
#include <clockevent.h>
#include <clocksource.h>
#include <types.h>

#define PIT_HZ	      1193182UL
#define PIT_MAX_COUNT 0xffff /* a count of 0 means 65536 */

/* I/O ports. */
#define PIT_CH0_DATA 0x40
#define PIT_CH2_DATA 0x42
#define PIT_MODE_CMD 0x43

/* Control word: SC1 SC0 | RW1 RW0 | M2 M1 M0 | BCD ("Control Word Format"). */
#define PIT_SEL_CH0  (0U << 6)
#define PIT_SEL_CH2  (2U << 6)
#define PIT_RW_LATCH (0U << 4) /* counter latch command */
#define PIT_RW_LOHI  (3U << 4) /* least, then most significant byte */
#define PIT_MODE_0   (0U << 1) /* interrupt on terminal count */
#define PIT_MODE_2   (2U << 1) /* rate generator */
#define PIT_BINARY   0U

#define PIT_CH0_MODE0 (PIT_SEL_CH0 | PIT_RW_LOHI | PIT_MODE_0 | PIT_BINARY)
#define PIT_CH2_MODE0 (PIT_SEL_CH2 | PIT_RW_LOHI | PIT_MODE_0 | PIT_BINARY)
#define PIT_CH2_MODE2 (PIT_SEL_CH2 | PIT_RW_LOHI | PIT_MODE_2 | PIT_BINARY)
#define PIT_CH2_LATCH (PIT_SEL_CH2 | PIT_RW_LATCH)

/*
 * PC/AT system control port B (not part of the 8254): bit 0 drives
 * channel 2's GATE, bit 1 the speaker, bit 5 reads channel 2's OUT.
 */
#define PORT_B	       0x61
#define PORT_B_GATE2   0x01
#define PORT_B_SPEAKER 0x02
#define PORT_B_OUT2    0x20

/*
 * Starts channel 2 and registers the clocksource if it counts (else says
 * there is no PIT and marks the clock event device unusable), registers the clock event device (with why_unusable set if IRQ 0
 * cannot be routed) and reports them on the log. Boot CPU; idempotent.
 */
void pit_init(void);

/*
 * False once pit_init() found no 8254 (channel 2 does not count): then
 * pit_delay_us() cannot time anything. True before pit_init(). Any CPU.
 */
bool pit_present(void);

/*
 * Puts channel 2 (back) into free-running mode for the clocksource, with
 * the speaker off; the count restarts. Boot CPU, not during a delay.
 */
void pit_clocksource_start(void);

/* For pit_delay_us(): channel 2 is being taken for a one-shot count. */
void pit_channel2_taken_for_delay(void);

/* The devices, for tests (registered by pit_init()). */
extern struct clocksource pit_clocksource;
extern struct clock_event_device pit_event_device;

#endif /* ASM_X86_PIT_H */
