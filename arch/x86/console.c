/*
 * Choosing the consoles: console=<list> of com1, vga, fb or none.
 */
#include <asm/i8042.h>
#include <asm/mm.h>
#include <asm/serial.h>
#include <asm/vga.h>
#include <bootinfo.h>
#include <console.h>
#include <errno.h>
#include <fbcon.h>
#include <param.h>
#include <printk.h>
#include <string.h>

#define CONSOLE_COM1 (1U << 0)
#define CONSOLE_VGA  (1U << 1)
#define CONSOLE_FB   (1U << 2)

static unsigned int wanted_consoles = CONSOLE_COM1 | CONSOLE_VGA | CONSOLE_FB;

static int __init parse_console(const char *value)
{
	const char *cursor = value;
	unsigned int wanted = 0;
	char item[8];
	int len;

	if (!value)
		return -EINVAL;
	while ((len = param_list_next(&cursor, item, sizeof(item))) != 0) {
		if (len < 0)
			return -EINVAL;
		if (strcmp(item, "com1") == 0)
			wanted |= CONSOLE_COM1;
		else if (strcmp(item, "vga") == 0)
			wanted |= CONSOLE_VGA;
		else if (strcmp(item, "fb") == 0)
			wanted |= CONSOLE_FB;
		else if (strcmp(item, "none") != 0)
			return -EINVAL;
	}
	wanted_consoles = wanted;
	return 0;
}
custom_param("console", parse_console, "console=<com1|vga|fb|none>[,...]");

void __init arch_console_init(void)
{
	bool com1 = false, vga = false;

	if (wanted_consoles & CONSOLE_COM1)
		com1 = serial_console_init();
	if (wanted_consoles & CONSOLE_VGA)
		vga = vga_console_init(&boot_info.fb);
	pr_info("Consoles: %s%s%s\n", com1 ? "com1 " : "", vga ? "vga " : "",
		!com1 && !vga ? "none" : "");
	if ((wanted_consoles & CONSOLE_COM1) && !com1)
		pr_info("console: no UART answers at COM1; serial console off\n");
}

/*
 * The framebuffer lies outside RAM, so it needs ioremap(): this runs
 * after memory_init(), and the log ring brings the screen up to date.
 */
void __init arch_console_init_late(void)
{
	const struct boot_framebuffer *fb = &boot_info.fb;
	const char *why;
	void *pixels;

	if (!(wanted_consoles & CONSOLE_FB) || fb->type == BOOT_FB_NONE ||
	    fb->type == BOOT_FB_EGA_TEXT)
		return;
	why = fbcon_drawable(fb);
	if (why) {
		pr_info("console: framebuffer %ux%u, %u bpp: %s; not drawn\n",
			fb->width, fb->height, fb->bpp, why);
		return;
	}
	/* No PAT set up: uncached. The console only ever writes to it. */
	pixels = ioremap(fb->addr, (size_t)fb->pitch * fb->height);
	if (!pixels) {
		pr_info("console: cannot map the framebuffer at %#lx\n",
			(unsigned long)fb->addr);
		return;
	}
	fbcon_init(fb, pixels);
}

void arch_console_emergency(void)
{
	serial_console_emergency();
}

void arch_console_flush(void)
{
	serial_flush();
}

void arch_console_report(void)
{
	serial_tx_report();
}

bool arch_console_congested(void)
{
	return serial_tx_congested();
}

void arch_console_sync(void)
{
	serial_flush_sync();
}

/* COM1 and the PS/2 keyboard both feed rx; either one is enough. */
int __init arch_console_input_init(void (*rx)(char c))
{
	int serial = serial_input_init(rx);
	int keyboard = i8042_input_init(rx);

	return serial && keyboard ? serial : 0;
}
