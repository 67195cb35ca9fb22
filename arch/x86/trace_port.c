/*
 * Where trace frames go (include/trace.h): trace_port=com1, the default,
 * shares COM1 with the log, each frame written under the console lock so
 * that it never lands inside a log line (interrupts are off for one
 * line); trace_port=com2 gives frames a UART of their own at 0x2f8,
 * written under its own lock with interrupts enabled, so that draining
 * does not hold interrupts off (docs/trace.md).
 */
#include <asm/serial.h>
#include <console.h>
#include <errno.h>
#include <param.h>
#include <printk.h>
#include <spinlock.h>
#include <string.h>
#include <trace.h>

#define COM2_IO_BASE 0x2f8

static bool use_com2;
/* Taken with interrupts enabled only: no IRQ handler writes frames. */
static DEFINE_SPINLOCK(com2_lock);

static int __init parse_trace_port(const char *value)
{
	if (value && strcmp(value, "com1") == 0)
		use_com2 = false;
	else if (value && strcmp(value, "com2") == 0)
		use_com2 = true;
	else
		return -EINVAL;
	return 0;
}
custom_param("trace_port", parse_trace_port, "trace_port=com1|com2");

void trace_port_init(void)
{
	if (use_com2 && !serial_port_init(COM2_IO_BASE)) {
		pr_warn("trace: no UART answers at COM2 (%#x); trace frames go to com1\n",
			COM2_IO_BASE);
		use_com2 = false;
	}
}

void trace_port_write(const char *line, size_t len)
{
	if (use_com2) {
		spin_lock(&com2_lock);
		serial_port_write(COM2_IO_BASE, line, len);
		spin_unlock(&com2_lock);
		return;
	}
	console_write_to("com1", line, len);
}
