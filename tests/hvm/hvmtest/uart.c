/*
 * uart: COM1's 16550 registers as a serial driver probes and programs
 * them (PC16550D data sheet): LCR and the divisor latch read back, the
 * scratch register, LSR's THRE and TEMT when idle, IER read back, IIR's
 * "no interrupt" and "THR empty" identifications, THR empty cleared by
 * the IIR read that names it and pending again after each THR write
 * (what Linux's 8250 driver relies on), IIR's priorities (received data
 * before THR empty), and, if emulated, MCR loopback. COM1 is the
 * console: each case holds the console and restores 115200 8N1 before it
 * reports anything. The interrupt itself is the ioapic suite's.
 */
#include "console.h"
#include "hvmtest.h"
#include "time.h"

#define UART_RBR 0
#define UART_THR 0
#define UART_DLL 0
#define UART_IER 1
#define UART_DLM 1
#define UART_IIR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_MSR 6
#define UART_SCR 7

#define LCR_8N1	      0x03
#define LCR_8E1	      0x1b
#define LCR_DLAB      0x80
#define MCR_NORMAL    0x03 /* DTR, RTS */
#define MCR_OUTPUTS   0x0f /* DTR, RTS, OUT1, OUT2 */
#define MCR_LOOP      0x10
#define LSR_DR	      0x01
#define LSR_THRE      0x20
#define LSR_TEMT      0x40
#define IER_ERBFI     0x01
#define IER_ETBEI     0x02
#define IIR_NO_INT    0x01
#define IIR_ID_MASK   0x0f
#define IIR_THRE      0x02
#define IIR_RX_MASK   0x07 /* received data, with or without timeout */
#define IIR_RX	      0x04
#define IIR_FIFOS     0xc0
#define FCR_FIFO_1    0x07 /* FIFOs on and cleared, trigger level 1 */
#define LOOPBACK_BYTE 'Z'
#define IDLE_WAIT_NS  (20 * NSEC_PER_MSEC)

static u8 rd(unsigned int reg)
{
	return inb(COM1_BASE + reg);
}

static void wr(unsigned int reg, u8 v)
{
	outb(COM1_BASE + reg, v);
}

/* Holds the console once what it printed has left the UART. */
static void hold(void)
{
	console_lock();
	console_flush();
}

static void lcr_and_divisor(struct test *t)
{
	u8 lcr, dll, dlm, back;

	hold();
	wr(UART_LCR, LCR_8E1);
	lcr = rd(UART_LCR);
	wr(UART_LCR, LCR_DLAB | LCR_8N1);
	wr(UART_DLL, 0x0c); /* 9600 baud */
	wr(UART_DLM, 0x00);
	dll = rd(UART_DLL);
	dlm = rd(UART_DLM);
	wr(UART_DLL, 0x01); /* back to 115200 */
	wr(UART_DLM, 0x00);
	wr(UART_LCR, LCR_8N1);
	back = rd(UART_LCR);
	console_unlock();
	CHECK(t, lcr == LCR_8E1, "LCR %#x, wrote %#x", lcr, LCR_8E1);
	CHECK(t, dll == 0x0c && dlm == 0, "divisor latch %#x:%#x, wrote 0:0xc",
	      dlm, dll);
	CHECK(t, back == LCR_8N1, "LCR %#x after restoring 8N1", back);
}

static void scratch(struct test *t)
{
	static const u8 values[] = {0x55, 0xaa, 0x00, 0xff, 0x5a};
	u8 got[ARRAY_SIZE(values)];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(values); i++) {
		wr(UART_SCR, values[i]);
		got[i] = rd(UART_SCR);
	}
	for (i = 0; i < ARRAY_SIZE(values); i++)
		CHECK(t, got[i] == values[i], "scratch %#x, wrote %#x", got[i],
		      values[i]);
}

static void lsr_idle(struct test *t)
{
	u64 start;
	u8 lsr;

	hold();
	start = rdtsc_ordered();
	while (((lsr = rd(UART_LSR)) & (LSR_THRE | LSR_TEMT)) !=
		       (LSR_THRE | LSR_TEMT) &&
	       rdtsc_ordered() - start < ns_to_tsc(IDLE_WAIT_NS))
		cpu_relax();
	console_unlock();
	CHECK(t, (lsr & (LSR_THRE | LSR_TEMT)) == (LSR_THRE | LSR_TEMT),
	      "LSR %#x: THRE and TEMT not both set when idle", lsr);
}

static void ier(struct test *t)
{
	u8 a, b, c;

	hold();
	wr(UART_IER, 0x05);
	a = rd(UART_IER);
	wr(UART_IER, 0x0f);
	b = rd(UART_IER);
	wr(UART_IER, 0);
	c = rd(UART_IER);
	console_unlock();
	CHECK(t, a == 0x05, "IER %#x, wrote 0x05", a);
	CHECK(t, b == 0x0f, "IER %#x, wrote 0x0f", b);
	CHECK(t, c == 0, "IER %#x, wrote 0", c);
}

static void iir(struct test *t)
{
	u8 idle, thre;

	hold();
	wr(UART_IER, 0);
	idle = rd(UART_IIR);
	/* THR empty with its interrupt enabled: the THRE identification. */
	wr(UART_IER, IER_ETBEI);
	thre = rd(UART_IIR);
	wr(UART_IER, 0);
	console_unlock();
	CHECK(t, idle & IIR_NO_INT, "IIR %#x with IER 0: an interrupt pending",
	      idle);
	CHECK(t, (idle & IIR_FIFOS) == IIR_FIFOS,
	      "IIR %#x: FIFOs enabled by FCR but bits 7:6 clear", idle);
	CHECK(t, (thre & IIR_ID_MASK) == IIR_THRE,
	      "IIR %#x with ETBEI set and THR empty: not THRE (0x2)", thre);
}

/* Waits (bounded) until THR is empty. */
static void wait_thre(void)
{
	u64 start = rdtsc_ordered();

	while (!(rd(UART_LSR) & LSR_THRE) &&
	       rdtsc_ordered() - start < ns_to_tsc(IDLE_WAIT_NS))
		cpu_relax();
}

/*
 * THR empty with ETBEI set: IIR names it once (the read clears it), and
 * each THR write makes it pending again once THR is empty. The bytes
 * written make this diagnostic line, so the check needs no loopback.
 */
static void thre_iir(struct test *t)
{
	static const char line[] =
		"    # uart.thre_iir: THR empty again after each byte\n";
	unsigned int i, not_again = 0, not_cleared = 0;
	u8 first, second;

	hold();
	wr(UART_IER, 0);
	wr(UART_IER, IER_ETBEI);
	first = rd(UART_IIR);
	second = rd(UART_IIR);
	for (i = 0; i < sizeof(line) - 1; i++) {
		wr(UART_THR, (u8)line[i]);
		wait_thre();
		not_again += (rd(UART_IIR) & IIR_ID_MASK) != IIR_THRE;
		not_cleared += !(rd(UART_IIR) & IIR_NO_INT);
	}
	wr(UART_IER, 0);
	console_unlock();
	CHECK(t, (first & IIR_ID_MASK) == IIR_THRE,
	      "IIR %#x once ETBEI was set: not THR empty", first);
	CHECK(t, second & IIR_NO_INT,
	      "IIR %#x after the read that named THR empty", second);
	CHECK(t, not_again == 0,
	      "%u of %u THR writes left no THR empty interrupt", not_again,
	      (unsigned int)sizeof(line) - 1);
	CHECK(t, not_cleared == 0,
	      "%u times the IIR read that named THR empty did not clear it",
	      not_cleared);
}

/* Received data (loopback) ranks above THR empty; reading RBR ends it. */
static void iir_priorities(struct test *t)
{
	unsigned int drained = 0;
	u8 lsr = 0, rx, thre, none;
	u64 start;

	hold();
	while ((rd(UART_LSR) & LSR_DR) && drained++ < 64)
		rd(UART_RBR);
	wr(UART_IIR, FCR_FIFO_1);
	wr(UART_MCR, MCR_LOOP);
	wr(UART_IER, 0);
	wr(UART_THR, LOOPBACK_BYTE);
	start = rdtsc_ordered();
	while (!((lsr = rd(UART_LSR)) & LSR_DR) &&
	       rdtsc_ordered() - start < ns_to_tsc(IDLE_WAIT_NS))
		cpu_relax();
	wr(UART_IER, IER_ERBFI | IER_ETBEI);
	rx = rd(UART_IIR);
	rd(UART_RBR);
	thre = rd(UART_IIR);
	none = rd(UART_IIR);
	wr(UART_IER, 0);
	wr(UART_MCR, MCR_NORMAL);
	rd(UART_MSR); /* clears the delta bits the loop set */
	console_unlock();
	if (!(lsr & LSR_DR)) {
		printf("\n");
		test_skip(t, "MCR loopback not emulated (no byte came back)");
		return;
	}
	CHECK(t, (rx & IIR_RX_MASK) == IIR_RX,
	      "IIR %#x with a byte received and THR empty: not received data",
	      rx);
	CHECK(t, (thre & IIR_ID_MASK) == IIR_THRE,
	      "IIR %#x once the byte was read: not THR empty", thre);
	CHECK(t, none & IIR_NO_INT, "IIR %#x after THR empty was named", none);
}

static void loopback(struct test *t)
{
	u8 msr_all, msr_none, lsr = 0, data = 0;
	u64 start;
	unsigned int drained = 0;

	hold();
	while ((rd(UART_LSR) & LSR_DR) && drained++ < 64)
		rd(UART_RBR);
	wr(UART_MCR, MCR_LOOP | MCR_OUTPUTS);
	msr_all = rd(UART_MSR);
	wr(UART_MCR, MCR_LOOP);
	msr_none = rd(UART_MSR);
	wr(UART_THR, LOOPBACK_BYTE);
	start = rdtsc_ordered();
	while (!((lsr = rd(UART_LSR)) & LSR_DR) &&
	       rdtsc_ordered() - start < ns_to_tsc(IDLE_WAIT_NS))
		cpu_relax();
	if (lsr & LSR_DR)
		data = rd(UART_RBR);
	wr(UART_MCR, MCR_NORMAL);
	rd(UART_MSR); /* clears the delta bits the loop set */
	console_unlock();
	if (!(lsr & LSR_DR)) {
		/* The byte may have gone to the wire: end its line. */
		printf("\n");
		test_skip(t, "MCR loopback not emulated (no byte came back)");
		return;
	}
	CHECK(t, data == LOOPBACK_BYTE, "looped back %#x, sent %#x", data,
	      LOOPBACK_BYTE);
	/* Loopback: CTS = RTS, DSR = DTR, RI = OUT1, DCD = OUT2. */
	CHECK(t, (msr_all & 0xf0) == 0xf0, "MSR %#x with every output on",
	      msr_all);
	CHECK(t, (msr_none & 0xf0) == 0, "MSR %#x with every output off",
	      msr_none);
}

DEFINE_SUITE(uart, false, TEST_CASE(lcr_and_divisor), TEST_CASE(scratch),
	     TEST_CASE(lsr_idle), TEST_CASE(ier), TEST_CASE(iir),
	     TEST_CASE(thre_iir), TEST_CASE(iir_priorities),
	     TEST_CASE(loopback));
