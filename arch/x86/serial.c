/*
  * 16550-compatible UART on COM1 (register layout: PC16550D datasheet,
 * section 8). Input, for the debug keys, by the receive interrupt through
 * the I/O APIC.
 *
 * Output is polled until that interrupt is routed; from then on it is
 * interrupt driven, as Xen's serial driver: a write only copies into a
 * transmit ring, and the transmitter-empty interrupt (on the boot CPU)
 * refills the 16-byte FIFO. A line of log then costs its writer a copy,
 * not the ~1 ms per 11 bytes the wire takes (10 ms a line in Bochs), which
 * a CPU running a guest's reserved budget cannot afford. When the ring is
 * full, a write drains it by polling first (nothing is dropped); a fatal
 * report, and the end of a test run, drain it and go back to polling.
 */
#include <asm/apic.h>
#include <asm/desc.h>
#include <asm/io.h>
#include <asm/io_apic.h>
#include <asm/serial.h>
#include <asm/traps.h>
#include <console.h>
#include <errno.h>
#include <param.h>
#include <percpu.h>
#include <printk.h>
#include <spinlock.h>
#include <string.h>

#define UART_THR 0 /* transmit holding (DLAB=0) */
#define UART_RBR 0 /* receive buffer (DLAB=0) */
#define UART_DLL 0 /* divisor latch low (DLAB=1) */
#define UART_IER 1 /* interrupt enable (DLAB=0) */
#define UART_DLM 1 /* divisor latch high (DLAB=1) */
#define UART_FCR 2 /* FIFO control (write) */
#define UART_IIR 2 /* interrupt identification (read) */
#define UART_LCR 3 /* line control */
#define UART_MCR 4 /* modem control */
#define UART_LSR 5 /* line status */
#define UART_SCR 7 /* scratch */

#define LCR_DLAB       0x80
#define LSR_DR	       0x01 /* a received byte is waiting */
#define LSR_THRE       0x20
#define IER_RX_DATA    0x01 /* interrupt: data available, or its timeout */
#define IER_THRE       0x02 /* interrupt: transmit holding register empty */
#define IIR_FIFOS_ON   0xc0 /* both bits: the FIFOs are enabled (16550A) */
#define UART_FIFO_SIZE 16   /* what one empty FIFO takes (16550A) */
#define TX_RING_SIZE   (64 * 1024)
/* How long a writer tries the ring's lock (an NMI may interrupt its holder). */
#define TX_LOCK_TRIES  1000000
#define MCR_OUT2       0x08 /* on PCs, gates the UART's interrupt line */
#define FCR_ENABLE     0xc7 /* enable and clear FIFOs, 14-byte trigger */
#define MCR_DTR_RTS    0x03
#define UART_CLOCK_HZ  1843200
#define UART_BASE_BAUD (UART_CLOCK_HZ / 16)
/* ~1 s at 115200 baud would be far longer than any real THRE wait. */
#define THRE_SPINS 100000
/* Bytes one receive interrupt takes at most (the FIFO holds 16). */
#define RX_BURST 64

struct uart_config {
	u16 io_base;
	unsigned int baud;
	u8 lcr; /* data bits, parity, stop bits */
};

static struct uart_config com1 = {
	.io_base = 0x3f8, .baud = 115200, .lcr = 0x03, /* 8N1 */
};

/* Parses "8n1": data bits 5-8, parity n|o|e|m|s, stop bits 1-2. */
static int parse_dps(const char *s, u8 *lcr)
{
	static const char parities[] = "noems";
	static const u8 parity_bits[] = {0x00, 0x08, 0x18, 0x28, 0x38};
	const char *p;

	if (strlen(s) != 3 || s[0] < '5' || s[0] > '8' ||
	    (s[2] != '1' && s[2] != '2'))
		return -EINVAL;
	p = strchr(parities, s[1]);
	if (!p || !*p)
		return -EINVAL;
	*lcr = (s[0] - '5') | (s[2] == '2' ? 0x04 : 0) |
	       parity_bits[p - parities];
	return 0;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0, base = 10, digit;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			digit = *s - '0';
		else if (base == 16 && (*s | 0x20) >= 'a' && (*s | 0x20) <= 'f')
			digit = (*s | 0x20) - 'a' + 10;
		else
			return -EINVAL;
		v = v * base + digit;
		if (v > max)
			return -ERANGE;
	}
	*out = v;
	return 0;
}

/* True for a "8n1"-shaped item: a digit, a letter, a digit. */
static bool looks_like_dps(const char *item)
{
	return strlen(item) == 3 && item[1] >= 'a' && item[1] <= 'z';
}

/* com1=<baud>[,<data><parity><stop>][,<io-base>], e.g. com1=115200,8n1,0x3f8 */
static int __init parse_com1(const char *value)
{
	struct uart_config cfg = com1;
	const char *cursor = value;
	bool seen_dps = false, seen_base = false;
	char item[16];
	unsigned long v;
	int len;

	if (!value)
		return -EINVAL;
	len = param_list_next(&cursor, item, sizeof(item));
	if (len <= 0 || parse_uint(item, UART_BASE_BAUD, &v) || v == 0 ||
	    UART_BASE_BAUD % v)
		return -EINVAL;
	cfg.baud = v;
	while ((len = param_list_next(&cursor, item, sizeof(item))) != 0) {
		if (len < 0)
			return -EINVAL;
		if (!seen_dps && !seen_base && looks_like_dps(item)) {
			if (parse_dps(item, &cfg.lcr))
				return -EINVAL;
			seen_dps = true;
		} else if (!seen_base) {
			if (parse_uint(item, 0xffff, &v) || v == 0)
				return -EINVAL;
			cfg.io_base = v;
			seen_base = true;
		} else {
			return -EINVAL;
		}
	}
	com1 = cfg;
	return 0;
}
custom_param(
	"com1", parse_com1,
	"com1=<baud>[,<data bits><parity n|o|e|m|s><stop bits>][,<io-base>] (e.g. com1=115200,8n1,0x3f8)");

/* True if a UART answers at base: the scratch register keeps what we write. */
static bool uart_present(u16 base)
{
	outb(base + UART_SCR, 0x5a);
	if (inb(base + UART_SCR) != 0x5a)
		return false;
	outb(base + UART_SCR, 0xa5);
	return inb(base + UART_SCR) == 0xa5;
}

static void uart_program(const struct uart_config *cfg)
{
	u16 base = cfg->io_base, divisor = UART_BASE_BAUD / cfg->baud;

	outb(base + UART_IER, 0);
	outb(base + UART_LCR, LCR_DLAB);
	outb(base + UART_DLL, divisor & 0xff);
	outb(base + UART_DLM, divisor >> 8);
	/* Some UARTs (Bochs's) reset to 5 data bits: always set the format. */
	outb(base + UART_LCR, cfg->lcr);
	outb(base + UART_FCR, FCR_ENABLE);
	outb(base + UART_MCR, MCR_DTR_RTS);
}

static void uart_putc(u16 base, char c)
{
	unsigned int spins;

	for (spins = 0; spins < THRE_SPINS; spins++)
		if (inb(base + UART_LSR) & LSR_THRE)
			break;
	outb(base + UART_THR, c);
}

/* ------------------------------------------------------------------ */
/* Interrupt-driven transmit                                           */

static char tx_ring[TX_RING_SIZE];
static u64 tx_head, tx_tail; /* bytes queued so far, and sent so far */
static DEFINE_SPINLOCK(tx_lock);
static bool tx_async;	  /* the transmit interrupt is routed and wanted */
static bool tx_active;	  /* IER_THRE is on: the interrupt will refill */
static u8 ier_shadow;	  /* what IER holds (receive and transmit bits) */
static u64 tx_high_water; /* the most the ring held unsent */
static u64 tx_waited;	  /* bytes sent by polling to make room */
/* What one THRE takes: 1 on an 8250 or 16450, which have no FIFO. */
static unsigned int tx_fifo_size = 1;

static void ier_write(u8 ier)
{
	ier_shadow = ier;
	outb(com1.io_base + UART_IER, ier);
}

/* Sends what the ring holds by polling. tx_lock held, or the ring idle. */
static void tx_drain_polled(void)
{
	while (tx_tail != tx_head)
		uart_putc(com1.io_base, tx_ring[tx_tail++ % TX_RING_SIZE]);
}

/* Fills the FIFO from the ring; false when the ring is empty. Locked. */
static bool tx_fill_fifo(void)
{
	unsigned int n;

	if (tx_tail == tx_head)
		return false;
	if (!(inb(com1.io_base + UART_LSR) & LSR_THRE))
		return true; /* still sending: the interrupt comes later */
	for (n = 0; n < tx_fifo_size && tx_tail != tx_head; n++)
		outb(com1.io_base + UART_THR,
		     tx_ring[tx_tail++ % TX_RING_SIZE]);
	return true;
}

/*
 * Queues c. A full ring sends its oldest byte by polling, and only that:
 * never drop a byte, and never hold the CPU for more of the wire than the
 * byte it adds.
 */
static void tx_queue(char c)
{
	if (tx_head - tx_tail == TX_RING_SIZE) {
		uart_putc(com1.io_base, tx_ring[tx_tail++ % TX_RING_SIZE]);
		tx_waited++;
	}
	tx_ring[tx_head++ % TX_RING_SIZE] = c;
	tx_high_water = max(tx_high_water, tx_head - tx_tail);
}

static bool tx_lock_bounded(unsigned long *flags)
{
	unsigned long tries;

	for (tries = 0; tries < TX_LOCK_TRIES; tries++) {
		*flags = local_irq_save();
		if (spin_trylock(&tx_lock))
			return true;
		local_irq_restore(*flags);
		cpu_relax();
	}
	return false;
}

static void serial_write(struct console *con, const char *s, size_t len)
{
	unsigned long flags;

	if (!READ_ONCE(tx_async) || !tx_lock_bounded(&flags)) {
		/* Polled; what the ring holds first, to keep the order. */
		tx_drain_polled();
		while (len--) {
			if (*s == '\n')
				uart_putc(com1.io_base, '\r');
			uart_putc(com1.io_base, *s++);
		}
		return;
	}
	while (len--) {
		if (*s == '\n')
			tx_queue('\r');
		tx_queue(*s++);
	}
	if (!tx_active && tx_fill_fifo()) {
		tx_active = true;
		ier_write(ier_shadow | IER_THRE);
	}
	spin_unlock_irqrestore(&tx_lock, flags);
}

/*
 * Writes s by polling, after the ring and with the ring's lock held, so
 * that no queued byte lands inside it: for trace frames, which tracing
 * the transmit interrupts they would cause would only multiply.
 */
static void serial_write_whole(struct console *con, const char *s, size_t len)
{
	unsigned long flags;
	bool locked = tx_lock_bounded(&flags);

	tx_drain_polled();
	while (len--) {
		if (*s == '\n')
			uart_putc(com1.io_base, '\r');
		uart_putc(com1.io_base, *s++);
	}
	if (locked)
		spin_unlock_irqrestore(&tx_lock, flags);
}

/* The transmitter is empty: the next 16 bytes, or the interrupt off. */
static void serial_tx_interrupt(void)
{
	spin_lock(&tx_lock);
	if (!tx_fill_fifo() && tx_active) {
		tx_active = false;
		ier_write(ier_shadow & ~IER_THRE);
	}
	spin_unlock(&tx_lock);
}

void serial_flush_sync(void)
{
	unsigned long flags;
	bool locked = tx_lock_bounded(&flags);

	WRITE_ONCE(tx_async, false);
	tx_drain_polled();
	if (tx_active) {
		tx_active = false;
		ier_write(ier_shadow & ~IER_THRE);
	}
	if (locked)
		spin_unlock_irqrestore(&tx_lock, flags);
}

void serial_flush(void)
{
	unsigned long flags;

	if (!READ_ONCE(tx_async))
		return;
	flags = spin_lock_irqsave(&tx_lock);
	tx_drain_polled();
	spin_unlock_irqrestore(&tx_lock, flags);
}

bool serial_tx_congested(void)
{
	return READ_ONCE(tx_async) &&
	       READ_ONCE(tx_head) - READ_ONCE(tx_tail) > TX_RING_SIZE / 2;
}

void serial_tx_report(void)
{
	unsigned long flags;
	u64 sent, high_water, waited;

	if (!tx_lock_bounded(&flags))
		return;
	sent = tx_tail;
	high_water = tx_high_water;
	waited = tx_waited;
	spin_unlock_irqrestore(&tx_lock, flags);
	if (READ_ONCE(tx_async) || sent)
		pr_info("COM1: %lu bytes sent from the ring, high-water %lu of "
			"%u, %lu waited for the wire (ring full)\n",
			(unsigned long)sent, (unsigned long)high_water,
			TX_RING_SIZE, (unsigned long)waited);
}

static struct console serial_console = {
	.name = "com1",
	.write = serial_write,
	.write_whole = serial_write_whole,
};

static bool com1_registered;

bool __init serial_console_init(void)
{
	if (!uart_present(com1.io_base))
		return false;
	uart_program(&com1);
	if ((inb(com1.io_base + UART_IIR) & IIR_FIFOS_ON) == IIR_FIFOS_ON)
		tx_fifo_size = UART_FIFO_SIZE;
	console_register(&serial_console);
	com1_registered = true;
	return true;
}

void serial_console_emergency(void)
{
	/* No presence check: writing to an absent UART is harmless. */
	uart_program(&com1);
	console_register(&serial_console);
}

/*
 * A second port for trace records (trace_port=com2): programmed like COM1
 * (115200 8N1 unless com1= changed the rate) but never a log console, so
 * that the trace drain can write to it with interrupts enabled.
 */
bool serial_port_init(u16 io_base)
{
	struct uart_config cfg = com1;

	if (!uart_present(io_base))
		return false;
	cfg.io_base = io_base;
	uart_program(&cfg);
	return true;
}

void serial_port_write(u16 io_base, const char *s, size_t len)
{
	while (len--) {
		if (*s == '\n')
			uart_putc(io_base, '\r');
		uart_putc(io_base, *s++);
	}
}

/* ------------------------------------------------------------------ */
/* Input                                                               */

static void (*rx_handler)(char c);

/* The ISA IRQ wired to the standard COM port at base; -1 for others. */
static int uart_isa_irq(u16 base)
{
	switch (base) {
	case 0x3f8: /* COM1 */
	case 0x3e8: /* COM3 */
		return 4;
	case 0x2f8: /* COM2 */
	case 0x2e8: /* COM4 */
		return 3;
	}
	return -1;
}

static void serial_interrupt(struct cpu_user_regs *regs)
{
	u16 base = com1.io_base;
	unsigned int n;

	for (n = 0; n < RX_BURST && (inb(base + UART_LSR) & LSR_DR); n++)
		rx_handler(inb(base + UART_RBR));
	if (READ_ONCE(tx_active))
		serial_tx_interrupt();
	/*
	 * The ISA line is edge triggered and stays up while a cause remains
	 * (bytes received, the transmitter empty with its interrupt on): no
	 * new edge would come. Dropping the enables and raising them again
	 * makes one, delivered after the EOI.
	 */
	if ((inb(base + UART_LSR) & LSR_DR) ||
	    (READ_ONCE(tx_active) && (inb(base + UART_LSR) & LSR_THRE))) {
		outb(base + UART_IER, 0);
		outb(base + UART_IER, READ_ONCE(ier_shadow));
	}
	apic_eoi();
}

int __init serial_input_init(void (*rx)(char c))
{
	u16 base = com1.io_base;
	int irq = uart_isa_irq(base), gsi;
	unsigned int n;

	if (!com1_registered || irq < 0 || !io_apic_ready())
		return -ENODEV;
	gsi = io_apic_route_isa_irq(irq, COM1_VECTOR, apic_id());
	if (gsi < 0)
		return gsi;
	rx_handler = rx;
	set_irq_handler(COM1_VECTOR, serial_interrupt);
	/* Whatever the firmware and the boot loader left unread. */
	for (n = 0; n < RX_BURST && (inb(base + UART_LSR) & LSR_DR); n++)
		inb(base + UART_RBR);
	outb(base + UART_MCR, MCR_DTR_RTS | MCR_OUT2);
	/* Unmasked first: an edge while masked would be lost for good. */
	io_apic_unmask_gsi(gsi);
	ier_write(IER_RX_DATA);
	/* The same line serves the transmitter: output goes by interrupt. */
	WRITE_ONCE(tx_async, true);
	pr_info("COM1: input on ISA IRQ %d (GSI %d), vector %#x, CPU %u\n", irq,
		gsi, COM1_VECTOR, smp_processor_id());
	return 0;
}
