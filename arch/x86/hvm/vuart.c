/*
 * The guest's COM1: a 16550A as a driver programs it (National
 * Semiconductor PC16550D datasheet, "Register Description"), on a line
 * that is infinitely fast. What the guest sends goes to the hypervisor's
 * log a line at a time, "(dN) "-prefixed and under the same budget as a
 * paravirtual domain's console (guest_console.h); a line the guest
 * leaves unfinished is printed after FLUSH_AFTER. Input comes from the
 * hypervisor's serial console (vuart_input()) into a 64-byte receive
 * FIFO (a 16550A's holds 16: more room for what is typed in a burst).
 *
 * Interrupts (datasheet table IV, "Interrupt Control Functions"), each
 * enabled by its IER bit, highest priority first: receiver line status
 * (an overrun: a byte came with the FIFO full); received data available
 * (the FIFO at its trigger level, or any byte without FIFOs) and the
 * character timeout (fewer bytes than the trigger level: at once, four
 * character times taking no time on this line); THR empty; modem status
 * (the delta bits, which only loopback mode changes). IIR names the
 * highest; the UART's interrupt output is their OR, and reaches the I/O
 * APIC's GSI 4 through the PC's gate: only while MCR.OUT2 is set and
 * never in loopback mode, which forces OUT2 inactive (datasheet, MCR
 * bit 4). The I/O APIC thus sees an edge each time the output goes from
 * no cause to some.
 *
 * THR empty: a byte written is sent at once, so THR is always empty. The
 * interrupt becomes pending when ETBEI goes from 0 to 1 and after each
 * THR write (the write clears it, the instant transmission sets it
 * again), and is cleared by a read of IIR that reports it. This is what
 * Linux's 8250 driver probes (serial8250_do_startup()'s THRE tests).
 *
 * Concurrency: the domain's io_lock guards the registers and the line;
 * the GSI is driven with it held (vioapic.h: io_lock comes first), so the
 * I/O APIC sees the output's changes in the order they happen.
 */
#include <asm/hvm/hvm.h>
#include <asm/hvm/platform.h>
#include <asm/hvm/vioapic.h>
#include <domain.h>
#include <guest_console.h>
#include <printk.h>
#include <systime.h>

#define FLUSH_AFTER MILLISECS(100)

/* Registers by offset from the base port. */
#define UART_RBR_THR 0 /* DLL when LCR.DLAB */
#define UART_IER     1 /* DLM when LCR.DLAB */
#define UART_IIR_FCR 2
#define UART_LCR     3
#define UART_MCR     4
#define UART_LSR     5
#define UART_MSR     6
#define UART_SCR     7

#define LCR_DLAB     0x80
#define IER_ERBFI    0x01 /* received data available */
#define IER_ETBEI    0x02 /* transmitter holding register empty */
#define IER_ELSI     0x04 /* receiver line status */
#define IER_EDSSI    0x08 /* modem status */
#define IER_MASK     0x0f
#define IIR_MODEM    0x00
#define IIR_NO_INT   0x01
#define IIR_THRE     0x02
#define IIR_RDA	     0x04
#define IIR_RLS	     0x06
#define IIR_TIMEOUT  0x0c
#define IIR_FIFO_ON  0xc0
#define FCR_FIFO_ON  0x01
#define FCR_CLEAR_RX 0x02
#define FCR_KEEP     0xc9 /* FIFO enable, DMA mode, trigger level */
#define MCR_OUT2     0x08
#define MCR_LOOPBACK 0x10
#define MCR_MASK     0x1f
#define LSR_DR	     0x01
#define LSR_OE	     0x02
#define LSR_THRE     0x20
#define LSR_TEMT     0x40
/* Modem status: carrier, data set ready and clear to send asserted. */
#define MSR_DEFAULT 0xb0
#define MSR_RI	    0x40
#define MSR_TERI    0x04

/* The receive FIFO's trigger levels by FCR bits 7:6 (datasheet FCR). */
static const unsigned int trigger_level[4] = {1, 4, 8, 14};

static struct vcpu *console_vcpu(struct domain *d)
{
	return d->vcpus[0]; /* one vCPU's line state for the whole UART */
}

/* Prints what the line holds (io_lock held). */
static void flush_line(struct domain *d)
{
	struct hvm_vuart *u = &d->hvm->uart;

	if (!u->line_len)
		return;
	guest_console_write(console_vcpu(d), u->line, u->line_len);
	u->line_len = 0;
}

static void flush_timer_fn(void *data)
{
	struct domain *d = data;
	unsigned long flags = spin_lock_irqsave(&d->hvm->io_lock);

	flush_line(d);
	spin_unlock_irqrestore(&d->hvm->io_lock, flags);
}

/* ------------------------------------------------------------------ */
/* Receiving and interrupts                                            */

static unsigned int rx_count(const struct hvm_vuart *u)
{
	return (u->rx_head + sizeof(u->rx) - u->rx_tail) % sizeof(u->rx);
}

/* A byte into the receive FIFO; with the FIFO full it is lost (OE). */
static void rx_push(struct hvm_vuart *u, u8 c)
{
	unsigned int next = (u->rx_head + 1) % sizeof(u->rx);

	if (next == u->rx_tail) {
		u->lsr_errors |= LSR_OE;
		return;
	}
	u->rx[u->rx_head] = c;
	u->rx_head = next;
}

static u8 rx_pop(struct hvm_vuart *u)
{
	u8 c;

	if (!rx_count(u))
		return 0;
	c = u->rx[u->rx_tail];
	u->rx_tail = (u->rx_tail + 1) % sizeof(u->rx);
	return c;
}

/* The highest-priority interrupt enabled and pending: IIR bits 3:0. */
static u8 pending_id(const struct hvm_vuart *u)
{
	unsigned int n = rx_count(u);

	if ((u->ier & IER_ELSI) && u->lsr_errors)
		return IIR_RLS;
	if ((u->ier & IER_ERBFI) && n) {
		if (!(u->fcr & FCR_FIFO_ON) || n >= trigger_level[u->fcr >> 6])
			return IIR_RDA;
		return IIR_TIMEOUT;
	}
	if ((u->ier & IER_ETBEI) && u->thre_latch)
		return IIR_THRE;
	if ((u->ier & IER_EDSSI) && u->msr_delta)
		return IIR_MODEM;
	return IIR_NO_INT;
}

/* Drives the GSI with what the UART's gated output now is (io_lock held). */
static void update_irq(struct domain *d)
{
	struct hvm_vuart *u = &d->hvm->uart;
	bool line = (u->mcr & (MCR_OUT2 | MCR_LOOPBACK)) == MCR_OUT2 &&
		    pending_id(u) != IIR_NO_INT;

	if (line == u->irq_line)
		return;
	u->irq_line = line;
	vioapic_set_irq(d, HVM_COM1_GSI, line);
}

/* ------------------------------------------------------------------ */
/* Registers                                                           */

static void transmit(struct domain *d, u8 c)
{
	struct hvm_vuart *u = &d->hvm->uart;

	u->thre_latch = true; /* sent at once: empty again */
	if (u->mcr & MCR_LOOPBACK) {
		rx_push(u, c);
		return;
	}
	if (c == '\r')
		return; /* the log's lines end in '\n' alone */
	u->line[u->line_len++] = (char)c;
	if (c == '\n' || u->line_len == sizeof(u->line))
		flush_line(d);
	if (u->line_len)
		set_timer(&u->flush_timer, NOW() + FLUSH_AFTER);
	else
		stop_timer(&u->flush_timer);
}

static u8 read_iir(struct hvm_vuart *u)
{
	u8 id = pending_id(u);

	if (id == IIR_THRE)
		u->thre_latch = false; /* reading IIR that names it clears it */
	return (u->fcr & FCR_FIFO_ON ? IIR_FIFO_ON : 0) | id;
}

/* Modem status lines: in loopback, the outputs looped back (MCR bit 4). */
static u8 modem_lines(const struct hvm_vuart *u)
{
	if (!(u->mcr & MCR_LOOPBACK))
		return MSR_DEFAULT;
	return (u8)(((u->mcr & 0x02) << 3) | /* RTS -> CTS */
		    ((u->mcr & 0x01) << 5) | /* DTR -> DSR */
		    ((u->mcr & 0x04) << 4) | /* OUT1 -> RI */
		    ((u->mcr & 0x08) << 4)); /* OUT2 -> DCD */
}

/* MCR written: the lines that changed set their delta bits in MSR. */
static void write_mcr(struct hvm_vuart *u, u8 b)
{
	u8 before = modem_lines(u), after, delta;

	u->mcr = b & MCR_MASK;
	after = modem_lines(u);
	delta = (u8)((before ^ after) >> 4);
	/* TERI is RI's trailing edge only: MSR.RI going from 1 to 0. */
	if (!(before & MSR_RI) || (after & MSR_RI))
		delta &= (u8)~MSR_TERI;
	u->msr_delta |= delta;
}

/* FCR: FIFO enable and trigger level stick; a change of FCR0 clears. */
static void write_fcr(struct hvm_vuart *u, u8 b)
{
	bool clear = ((b ^ u->fcr) & FCR_FIFO_ON) ||
		     (b & (FCR_FIFO_ON | FCR_CLEAR_RX)) ==
			     (FCR_FIFO_ON | FCR_CLEAR_RX);

	/* FCR0 must be set for the other bits to be written (datasheet). */
	u->fcr = b & FCR_FIFO_ON ? b & FCR_KEEP : 0;
	if (clear)
		u->rx_tail = u->rx_head; /* the transmit FIFO is always empty */
}

static u8 read_reg(struct hvm_vuart *u, unsigned int reg)
{
	bool dlab = u->lcr & LCR_DLAB;
	u8 b;

	switch (reg) {
	case UART_RBR_THR:
		return dlab ? u->dll : rx_pop(u);
	case UART_IER:
		return dlab ? u->dlm : u->ier;
	case UART_IIR_FCR:
		return read_iir(u);
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		b = LSR_THRE | LSR_TEMT | (rx_count(u) ? LSR_DR : 0) |
		    u->lsr_errors;
		u->lsr_errors = 0;
		return b;
	case UART_MSR:
		b = modem_lines(u) | u->msr_delta;
		u->msr_delta = 0;
		return b;
	default:
		return u->scr;
	}
}

static void write_reg(struct domain *d, unsigned int reg, u8 b)
{
	struct hvm_vuart *u = &d->hvm->uart;
	bool dlab = u->lcr & LCR_DLAB;

	switch (reg) {
	case UART_RBR_THR:
		if (dlab)
			u->dll = b;
		else
			transmit(d, b);
		break;
	case UART_IER:
		if (dlab) {
			u->dlm = b;
			break;
		}
		/* ETBEI from 0 to 1 with THR empty: pending at once. */
		if ((b & IER_ETBEI) && !(u->ier & IER_ETBEI))
			u->thre_latch = true;
		u->ier = b & IER_MASK;
		break;
	case UART_IIR_FCR:
		write_fcr(u, b);
		break;
	case UART_LCR:
		u->lcr = b;
		break;
	case UART_MCR:
		write_mcr(u, b);
		break;
	case UART_SCR:
		u->scr = b;
		break;
	default:
		break; /* LSR and MSR are read-only */
	}
}

int vuart_io(struct vcpu *v, u16 port, bool in, u32 *val)
{
	struct domain *d = v->domain;
	unsigned int reg = port - HVM_COM1_PORT;
	unsigned long flags = spin_lock_irqsave(&d->hvm->io_lock);

	if (in)
		*val = read_reg(&d->hvm->uart, reg);
	else
		write_reg(d, reg, (u8)*val);
	update_irq(d);
	spin_unlock_irqrestore(&d->hvm->io_lock, flags);
	return 0;
}

void vuart_input(struct domain *d, u8 c)
{
	unsigned long flags = spin_lock_irqsave(&d->hvm->io_lock);

	rx_push(&d->hvm->uart, c);
	update_irq(d);
	spin_unlock_irqrestore(&d->hvm->io_lock, flags);
}

void vuart_init(struct domain *d)
{
	struct hvm_vuart *u = &d->hvm->uart;

	u->lcr = 0x03; /* 8N1, as firmware leaves it */
	u->dll = 1;    /* 115200 baud */
	u->mcr = 0x08; /* OUT2 */
	init_timer(&u->flush_timer, flush_timer_fn, d,
		   console_vcpu(d)->processor);
}

void vuart_flush(struct domain *d)
{
	unsigned long flags = spin_lock_irqsave(&d->hvm->io_lock);

	flush_line(d);
	spin_unlock_irqrestore(&d->hvm->io_lock, flags);
}

void vuart_destroy(struct domain *d)
{
	kill_timer(&d->hvm->uart.flush_timer);
	vuart_flush(d);
	/* A guest that died mid-line: end it, or the next log line joins it. */
	if (console_vcpu(d)->console_midline)
		printk("\n");
}
