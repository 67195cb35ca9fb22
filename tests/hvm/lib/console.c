/*
 * COM1 as a polled 16550: the register interface of the National
 * Semiconductor PC16550D data sheet (THR/RBR at +0, IER +1, IIR/FCR +2,
 * LCR +3, MCR +4, LSR +5; the divisor latch at +0/+1 while LCR.DLAB).
 */
#include "console.h"
#include "cpu.h"

#define UART_THR 0
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_DLL 0
#define UART_DLM 1

#define LCR_8N1	       0x03
#define LCR_DLAB       0x80
#define FCR_ENABLE     0x07 /* FIFOs on, both cleared */
#define MCR_DTR_RTS    0x03
#define LSR_THRE       0x20
#define LSR_TEMT       0x40
#define DIVISOR_115200 1 /* 1.8432 MHz / 16 / 115200 */

/* Polls for the transmitter: bounded, a UART that never drains is not fatal. */
#define THRE_POLL_LIMIT 1000000

static struct spinlock console_spinlock;
static unsigned int console_owner = ~0U; /* slot holding console_lock() */

void console_init(void)
{
	outb(COM1_BASE + UART_IER, 0);
	outb(COM1_BASE + UART_LCR, LCR_DLAB);
	outb(COM1_BASE + UART_DLL, DIVISOR_115200);
	outb(COM1_BASE + UART_DLM, 0);
	outb(COM1_BASE + UART_LCR, LCR_8N1);
	outb(COM1_BASE + UART_FCR, FCR_ENABLE);
	outb(COM1_BASE + UART_MCR, MCR_DTR_RTS);
}

static void uart_putc(char c)
{
	unsigned int n = 0;

	while (!(inb(COM1_BASE + UART_LSR) & LSR_THRE) && n++ < THRE_POLL_LIMIT)
		cpu_relax();
	outb(COM1_BASE + UART_THR, (u8)c);
}

static void uart_write(const char *s, size_t len)
{
	while (len--)
		uart_putc(*s++);
}

void console_flush(void)
{
	unsigned int n = 0;

	while (!(inb(COM1_BASE + UART_LSR) & LSR_TEMT) && n++ < THRE_POLL_LIMIT)
		cpu_relax();
}

void console_lock(void)
{
	spin_lock(&console_spinlock);
	console_owner = this_slot();
}

void console_unlock(void)
{
	console_owner = ~0U;
	spin_unlock(&console_spinlock);
}

int vprintf(const char *fmt, va_list args)
{
	char buf[512];
	int len = vsnprintf(buf, sizeof(buf), fmt, args);
	size_t n = len < (int)sizeof(buf) ? (size_t)len : sizeof(buf) - 1;
	bool mine = console_owner == this_slot();

	if (!mine)
		spin_lock(&console_spinlock);
	uart_write(buf, n);
	if (!mine)
		spin_unlock(&console_spinlock);
	return len;
}

int printf(const char *fmt, ...)
{
	va_list args;
	int len;

	va_start(args, fmt);
	len = vprintf(fmt, args);
	va_end(args);
	return len;
}

void console_emergency(const char *text)
{
	unsigned int tries = 0;

	/* The holder may be this CPU, or one that is gone: wait, then barge. */
	while (console_owner != this_slot() &&
	       !spin_trylock(&console_spinlock) && tries++ < THRE_POLL_LIMIT)
		cpu_relax();
	uart_write(text, strlen(text));
	console_flush();
}
