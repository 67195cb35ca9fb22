/*
 * The i8042 PS/2 controller's keyboard port, as input for the debug keys
 * on machines without a serial port (USB legacy emulation presents USB
 * keyboards so on most PCs).
 *
 * The controller translates the keyboard's scan code set 2 into set 1 when
 * its configuration byte says so (the usual setting, which we ask for); if
 * it will not, set 2 is decoded instead. Only keys that give ASCII in the
 * US layout count, with either shift key; everything else is dropped.
 *
 * References: the IBM PC/AT Technical Reference (8042 commands, status
 * and command byte); scan code sets from the same and from Microsoft's
 * "Keyboard Scan Code Specification" (rev. 1.3a).
 */
#include <acpi.h>
#include <asm/apic.h>
#include <asm/desc.h>
#include <asm/i8042.h>
#include <asm/io.h>
#include <asm/io_apic.h>
#include <asm/traps.h>
#include <errno.h>
#include <printk.h>
#include <smp.h>
#include <systime.h>

#define I8042_DATA    0x60
#define I8042_STATUS  0x64 /* read */
#define I8042_COMMAND 0x64 /* write */

#define STATUS_OBF (1U << 0) /* output buffer full: a byte to read */
#define STATUS_IBF (1U << 1) /* input buffer full: the 8042 is busy */
#define STATUS_AUX (1U << 5) /* the byte came from the mouse port */

#define CMD_READ_CONFIG	 0x20
#define CMD_WRITE_CONFIG 0x60
#define CMD_DISABLE_AUX	 0xa7
#define CMD_DISABLE_KBD	 0xad
#define CMD_ENABLE_KBD	 0xae

#define CONFIG_KBD_IRQ	     (1U << 0)
#define CONFIG_AUX_IRQ	     (1U << 1)
#define CONFIG_KBD_CLOCK_OFF (1U << 4)
#define CONFIG_TRANSLATE     (1U << 6)

#define KBD_ISA_IRQ 1

/* Bounds on every wait: a controller answers within microseconds. */
#define WAIT_US	     10000
#define WAIT_STEP_US 10
#define FLUSH_MAX    64 /* bytes drained at most, whatever is pending */
#define IRQ_BURST    16 /* bytes read per interrupt at most */

/* Scan code prefixes and break markers. */
#define SC_EXTENDED 0xe0
#define SC_PAUSE    0xe1
#define SC1_BREAK   0x80 /* set 1: the make code with the top bit */
#define SC2_BREAK   0xf0 /* set 2: a prefix before the make code */
#define SC1_LSHIFT  0x2a
#define SC1_RSHIFT  0x36
#define SC2_LSHIFT  0x12
#define SC2_RSHIFT  0x59
#define SCANCODES   0x80

/* Set 1 make codes to US ASCII, unshifted and shifted. */
static const char set1_plain[SCANCODES] = {
	[0x02] = '1',  [0x03] = '2',  [0x04] = '3',  [0x05] = '4',
	[0x06] = '5',  [0x07] = '6',  [0x08] = '7',  [0x09] = '8',
	[0x0a] = '9',  [0x0b] = '0',  [0x0c] = '-',  [0x0d] = '=',
	[0x0f] = '\t', [0x10] = 'q',  [0x11] = 'w',  [0x12] = 'e',
	[0x13] = 'r',  [0x14] = 't',  [0x15] = 'y',  [0x16] = 'u',
	[0x17] = 'i',  [0x18] = 'o',  [0x19] = 'p',  [0x1a] = '[',
	[0x1b] = ']',  [0x1c] = '\n', [0x1e] = 'a',  [0x1f] = 's',
	[0x20] = 'd',  [0x21] = 'f',  [0x22] = 'g',  [0x23] = 'h',
	[0x24] = 'j',  [0x25] = 'k',  [0x26] = 'l',  [0x27] = ';',
	[0x28] = '\'', [0x29] = '`',  [0x2b] = '\\', [0x2c] = 'z',
	[0x2d] = 'x',  [0x2e] = 'c',  [0x2f] = 'v',  [0x30] = 'b',
	[0x31] = 'n',  [0x32] = 'm',  [0x33] = ',',  [0x34] = '.',
	[0x35] = '/',  [0x39] = ' ',
};

static const char set1_shifted[SCANCODES] = {
	[0x02] = '!',  [0x03] = '@', [0x04] = '#',  [0x05] = '$', [0x06] = '%',
	[0x07] = '^',  [0x08] = '&', [0x09] = '*',  [0x0a] = '(', [0x0b] = ')',
	[0x0c] = '_',  [0x0d] = '+', [0x0f] = '\t', [0x10] = 'Q', [0x11] = 'W',
	[0x12] = 'E',  [0x13] = 'R', [0x14] = 'T',  [0x15] = 'Y', [0x16] = 'U',
	[0x17] = 'I',  [0x18] = 'O', [0x19] = 'P',  [0x1a] = '{', [0x1b] = '}',
	[0x1c] = '\n', [0x1e] = 'A', [0x1f] = 'S',  [0x20] = 'D', [0x21] = 'F',
	[0x22] = 'G',  [0x23] = 'H', [0x24] = 'J',  [0x25] = 'K', [0x26] = 'L',
	[0x27] = ':',  [0x28] = '"', [0x29] = '~',  [0x2b] = '|', [0x2c] = 'Z',
	[0x2d] = 'X',  [0x2e] = 'C', [0x2f] = 'V',  [0x30] = 'B', [0x31] = 'N',
	[0x32] = 'M',  [0x33] = '<', [0x34] = '>',  [0x35] = '?', [0x39] = ' ',
};

/* Set 2 make codes to the set 1 ones of the same keys (what translation does). */
static const u8 set2_to_set1[SCANCODES] = {
	[0x16] = 0x02,
	[0x1e] = 0x03,
	[0x26] = 0x04,
	[0x25] = 0x05,
	[0x2e] = 0x06,
	[0x36] = 0x07,
	[0x3d] = 0x08,
	[0x3e] = 0x09,
	[0x46] = 0x0a,
	[0x45] = 0x0b,
	[0x4e] = 0x0c,
	[0x55] = 0x0d,
	[0x0d] = 0x0f,
	[0x15] = 0x10,
	[0x1d] = 0x11,
	[0x24] = 0x12,
	[0x2d] = 0x13,
	[0x2c] = 0x14,
	[0x35] = 0x15,
	[0x3c] = 0x16,
	[0x43] = 0x17,
	[0x44] = 0x18,
	[0x4d] = 0x19,
	[0x54] = 0x1a,
	[0x5b] = 0x1b,
	[0x5a] = 0x1c,
	[0x1c] = 0x1e,
	[0x1b] = 0x1f,
	[0x23] = 0x20,
	[0x2b] = 0x21,
	[0x34] = 0x22,
	[0x33] = 0x23,
	[0x3b] = 0x24,
	[0x42] = 0x25,
	[0x4b] = 0x26,
	[0x4c] = 0x27,
	[0x52] = 0x28,
	[0x0e] = 0x29,
	[0x5d] = 0x2b,
	[0x1a] = 0x2c,
	[0x22] = 0x2d,
	[0x21] = 0x2e,
	[0x2a] = 0x2f,
	[0x32] = 0x30,
	[0x31] = 0x31,
	[0x3a] = 0x32,
	[0x41] = 0x33,
	[0x49] = 0x34,
	[0x4a] = 0x35,
	[0x29] = 0x39,
	[SC2_LSHIFT] = SC1_LSHIFT,
	[SC2_RSHIFT] = SC1_RSHIFT,
};

/* Decoder state; only the keyboard interrupt touches it, on one CPU. */
static struct {
	void (*rx)(char c);
	bool set2;	    /* the controller does not translate */
	bool extended;	    /* an 0xe0 (or 0xe1) prefix came before */
	bool released;	    /* set 2: an 0xf0 prefix came before */
	unsigned int shift; /* bit 0: left shift down, bit 1: right */
	u64 ignored;	    /* bytes of keys that give no ASCII */
} kbd;

/* ------------------------------------------------------------------ */
/* Talking to the controller                                           */

/* Waits until (status & mask) == want; false after WAIT_US. */
static bool wait_status(u8 mask, u8 want)
{
	unsigned int waited;

	for (waited = 0; waited < WAIT_US; waited += WAIT_STEP_US) {
		if ((inb(I8042_STATUS) & mask) == want)
			return true;
		udelay(WAIT_STEP_US);
	}
	return false;
}

static bool write_port(u16 port, u8 value)
{
	if (!wait_status(STATUS_IBF, 0))
		return false;
	outb(port, value);
	return true;
}

/* Reads the controller's answer to a command into *value. */
static bool read_data(u8 *value)
{
	if (!wait_status(STATUS_OBF, STATUS_OBF))
		return false;
	*value = inb(I8042_DATA);
	return true;
}

/* Drops what the firmware, the loader or a key left unread. */
static void flush_output(void)
{
	unsigned int n;

	for (n = 0; n < FLUSH_MAX && (inb(I8042_STATUS) & STATUS_OBF); n++) {
		inb(I8042_DATA);
		udelay(WAIT_STEP_US);
	}
}

/* ------------------------------------------------------------------ */
/* Decoding                                                            */

/* Updates the shift state for a set 1 make or break; true if a shift key. */
static bool track_shift(u8 code, bool released)
{
	unsigned int bit = code == SC1_LSHIFT	? 1U
			   : code == SC1_RSHIFT ? 2U
						: 0;

	if (!bit)
		return false;
	if (released)
		kbd.shift &= ~bit;
	else
		kbd.shift |= bit;
	return true;
}

/* Handles one set 1 key event (code below 0x80). */
static void key_event(u8 code, bool released)
{
	char c;

	if (track_shift(code, released) || released)
		return;
	c = (kbd.shift ? set1_shifted : set1_plain)[code];
	if (c)
		kbd.rx(c);
	else
		kbd.ignored++;
}

/* Takes one byte from the keyboard, in the set the controller delivers. */
static void decode_byte(u8 byte)
{
	bool extended = kbd.extended;

	if (byte == SC_EXTENDED || byte == SC_PAUSE) {
		kbd.extended = true;
		return;
	}
	if (kbd.set2 && byte == SC2_BREAK) {
		kbd.released = true;
		return;
	}
	kbd.extended = false;
	if (kbd.set2) {
		bool released = kbd.released;

		kbd.released = false;
		/* Extended keys (arrows, right Ctrl...) give no ASCII. */
		if (!extended && byte < SCANCODES && set2_to_set1[byte])
			key_event(set2_to_set1[byte], released);
		return;
	}
	if (!extended)
		key_event(byte & ~SC1_BREAK, byte & SC1_BREAK);
}

static void keyboard_interrupt(struct cpu_user_regs *regs)
{
	unsigned int n;
	u8 status;

	for (n = 0; n < IRQ_BURST; n++) {
		status = inb(I8042_STATUS);
		if (!(status & STATUS_OBF))
			break;
		if (status & STATUS_AUX)
			inb(I8042_DATA); /* a mouse's: not ours */
		else
			decode_byte(inb(I8042_DATA));
	}
	apic_eoi();
}

/* ------------------------------------------------------------------ */
/* Setting up                                                          */

/* NULL if ACPI allows an 8042 here, else why not. */
static const char *__init acpi_rules_out(void)
{
	const struct acpi_fadt_info *f = &acpi_info.fadt;

	if (!f->present)
		return NULL; /* no FADT: probe, as on a PC/AT */
	if (f->hw_reduced)
		return "the FADT says the platform is hardware-reduced";
	if (f->boot_arch_valid && !f->i8042)
		return "the FADT's IAPC_BOOT_ARCH has no 8042 flag";
	return NULL;
}

/*
 * Keyboard port on with its interrupt, the mouse port off, translation
 * asked for; *config gets the byte the controller kept. NULL, or the step
 * that got no answer.
 */
static const char *__init controller_setup(u8 *config)
{
	/* Nothing decodes at 0x64 on a machine without one: all ones. */
	if (inb(I8042_STATUS) == 0xff)
		return "status port reads 0xff";
	if (!write_port(I8042_COMMAND, CMD_DISABLE_KBD) ||
	    !write_port(I8042_COMMAND, CMD_DISABLE_AUX))
		return "it does not take commands";
	flush_output();
	if (!write_port(I8042_COMMAND, CMD_READ_CONFIG) || !read_data(config))
		return "it does not answer the read-configuration command";
	*config |= CONFIG_KBD_IRQ | CONFIG_TRANSLATE;
	*config &= ~(CONFIG_AUX_IRQ | CONFIG_KBD_CLOCK_OFF);
	if (!write_port(I8042_COMMAND, CMD_WRITE_CONFIG) ||
	    !write_port(I8042_DATA, *config))
		return "it does not take the configuration byte";
	if (!write_port(I8042_COMMAND, CMD_READ_CONFIG) || !read_data(config))
		return "it does not answer the read-configuration command";
	return NULL;
}

int __init i8042_input_init(void (*rx)(char c))
{
	const char *why = acpi_rules_out();
	u8 config = 0;
	int gsi;

	if (!why && !io_apic_ready())
		why = "no I/O APIC to route IRQ 1";
	if (!why)
		why = controller_setup(&config);
	if (why) {
		pr_info("i8042: no PS/2 keyboard input: %s\n", why);
		return -ENODEV;
	}
	gsi = io_apic_route_isa_irq(KBD_ISA_IRQ, KEYBOARD_VECTOR, apic_id());
	if (gsi < 0) {
		pr_info("i8042: cannot route IRQ %d (error %d)\n", KBD_ISA_IRQ,
			gsi);
		return gsi;
	}
	kbd.rx = rx;
	kbd.set2 = !(config & CONFIG_TRANSLATE);
	set_irq_handler(KEYBOARD_VECTOR, keyboard_interrupt);
	/* Unmasked before the port is on: an edge while masked is lost. */
	io_apic_unmask_gsi(gsi);
	write_port(I8042_COMMAND, CMD_ENABLE_KBD);
	flush_output();
	pr_info("i8042: keyboard input on ISA IRQ %d (GSI %d), vector %#x, CPU %u, scan code set %d\n",
		KBD_ISA_IRQ, gsi, KEYBOARD_VECTOR, smp_processor_id(),
		kbd.set2 ? 2 : 1);
	return 0;
}
