/*
 * The guest's COM1: a 16550A as a driver programs it (National
 * Semiconductor PC16550D datasheet, "Register Description"), whose
 * transmitter is infinitely fast. What the guest sends goes to the
 * hypervisor's log a line at a time, "(dN) "-prefixed and under the same
 * budget as a paravirtual domain's console (guest_console.h); a line
 * the guest leaves unfinished is printed after FLUSH_AFTER. Input comes
 * from the hypervisor's serial console (vuart_input()). No interrupt
 * reaches the guest yet (there is no I/O APIC model): IIR still reports
 * what would be pending, so a polling driver works.
 *
 * Concurrency: the domain's io_lock guards the registers and the line.
 */
#include <asm/hvm/hvm.h>
#include <asm/hvm/platform.h>
#include <domain.h>
#include <guest_console.h>
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
#define IER_RDI	     0x01 /* received data available */
#define IER_THRI     0x02 /* transmitter holding register empty */
#define IER_MASK     0x0f
#define IIR_NO_INT   0x01
#define IIR_THRI     0x02
#define IIR_RDI	     0x04
#define IIR_FIFO_ON  0xc0
#define FCR_FIFO_ON  0x01
#define MCR_LOOPBACK 0x10
#define MCR_MASK     0x1f
#define LSR_DR	     0x01
#define LSR_THRE     0x20
#define LSR_TEMT     0x40
/* Modem status: carrier, data set ready and clear to send asserted. */
#define MSR_DEFAULT 0xb0

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

static void transmit(struct domain *d, u8 c)
{
	struct hvm_vuart *u = &d->hvm->uart;

	if (u->mcr & MCR_LOOPBACK) {
		unsigned int next = (u->rx_head + 1) % sizeof(u->rx);

		if (next != u->rx_tail) {
			u->rx[u->rx_head] = c;
			u->rx_head = next;
		}
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
	u->thr_interrupt = true; /* sent at once: empty again */
}

static bool rx_ready(const struct hvm_vuart *u)
{
	return u->rx_head != u->rx_tail;
}

static u8 read_iir(struct hvm_vuart *u)
{
	u8 fifo = u->fcr & FCR_FIFO_ON ? IIR_FIFO_ON : 0;

	if ((u->ier & IER_RDI) && rx_ready(u))
		return fifo | IIR_RDI;
	if ((u->ier & IER_THRI) && u->thr_interrupt) {
		u->thr_interrupt = false; /* reading IIR clears it */
		return fifo | IIR_THRI;
	}
	return fifo | IIR_NO_INT;
}

/* Modem status: in loopback, the outputs looped back (datasheet, MCR bit 4). */
static u8 read_msr(const struct hvm_vuart *u)
{
	if (!(u->mcr & MCR_LOOPBACK))
		return MSR_DEFAULT;
	return (u8)(((u->mcr & 0x02) << 3) | /* RTS -> CTS */
		    ((u->mcr & 0x01) << 5) | /* DTR -> DSR */
		    ((u->mcr & 0x04) << 4) | /* OUT1 -> RI */
		    ((u->mcr & 0x08) << 4)); /* OUT2 -> DCD */
}

int vuart_io(struct vcpu *v, u16 port, bool in, u32 *val)
{
	struct domain *d = v->domain;
	struct hvm_vuart *u = &d->hvm->uart;
	unsigned int reg = port - HVM_COM1_PORT;
	bool dlab = u->lcr & LCR_DLAB;
	unsigned long flags = spin_lock_irqsave(&d->hvm->io_lock);
	u8 b = (u8)*val;

	if (in) {
		switch (reg) {
		case UART_RBR_THR:
			if (dlab) {
				b = u->dll;
			} else if (rx_ready(u)) {
				b = u->rx[u->rx_tail];
				u->rx_tail = (u->rx_tail + 1) % sizeof(u->rx);
			} else {
				b = 0;
			}
			break;
		case UART_IER:
			b = dlab ? u->dlm : u->ier;
			break;
		case UART_IIR_FCR:
			b = read_iir(u);
			break;
		case UART_LCR:
			b = u->lcr;
			break;
		case UART_MCR:
			b = u->mcr;
			break;
		case UART_LSR:
			b = LSR_THRE | LSR_TEMT | (rx_ready(u) ? LSR_DR : 0);
			break;
		case UART_MSR:
			b = read_msr(u);
			break;
		default:
			b = u->scr;
			break;
		}
		*val = b;
	} else {
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
			} else {
				/* Enabling THRI with THR empty raises it at once. */
				if ((b & IER_THRI) && !(u->ier & IER_THRI))
					u->thr_interrupt = true;
				u->ier = b & IER_MASK;
			}
			break;
		case UART_IIR_FCR:
			u->fcr = b & FCR_FIFO_ON;
			break;
		case UART_LCR:
			u->lcr = b;
			break;
		case UART_MCR:
			u->mcr = b & MCR_MASK;
			break;
		case UART_SCR:
			u->scr = b;
			break;
		default:
			break; /* LSR and MSR are read-only */
		}
	}
	spin_unlock_irqrestore(&d->hvm->io_lock, flags);
	return 0;
}

void vuart_input(struct domain *d, u8 c)
{
	struct hvm_vuart *u = &d->hvm->uart;
	unsigned long flags = spin_lock_irqsave(&d->hvm->io_lock);
	unsigned int next = (u->rx_head + 1) % sizeof(u->rx);

	/* A full ring drops the byte, as a real UART overruns. */
	if (next != u->rx_tail) {
		u->rx[u->rx_head] = c;
		u->rx_head = next;
	}
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
}
