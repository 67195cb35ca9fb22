/*
 * VGA text console: for machines without a serial port, booted by BIOS
 * (UEFI leaves a graphics framebuffer instead, which this does not draw).
 */
#include <asm/vga.h>
#include <compiler.h>
#include <console.h>
#include <page.h>
#include <string.h>

#define VGA_ATTR 0x07 /* light grey on black */

static volatile u16 *screen;
static unsigned int cols, rows, cursor_x, cursor_y;

static void vga_scroll(void)
{
	unsigned int i;

	for (i = 0; i < (rows - 1) * cols; i++)
		screen[i] = screen[i + cols];
	for (; i < rows * cols; i++)
		screen[i] = VGA_ATTR << 8 | ' ';
	cursor_y = rows - 1;
}

static void vga_putc(char c)
{
	if (c == '\n') {
		cursor_x = 0;
		cursor_y++;
	} else if (c != '\r') {
		screen[cursor_y * cols + cursor_x] = VGA_ATTR << 8 | (u8)c;
		if (++cursor_x == cols) {
			cursor_x = 0;
			cursor_y++;
		}
	}
	if (cursor_y == rows)
		vga_scroll();
}

static void vga_write(struct console *con, const char *s, size_t len)
{
	while (len--)
		vga_putc(*s++);
}

static struct console vga_console = {
	.name = "vga",
	.write = vga_write,
};

bool __init vga_console_init(const struct boot_framebuffer *fb)
{
	unsigned int i;

	if (fb->type != BOOT_FB_EGA_TEXT || fb->width == 0 || fb->height == 0 ||
	    fb->width > 256 || fb->height > 256)
		return false;
	/* Legacy VGA memory lies in the low megabyte, which the direct map covers. */
	if (fb->addr + (u64)fb->width * fb->height * 2 > 0x100000)
		return false;
	screen = maddr_to_virt(fb->addr);
	cols = fb->width;
	rows = fb->height;
	for (i = 0; i < rows * cols; i++)
		screen[i] = VGA_ATTR << 8 | ' ';
	console_register(&vga_console);
	return true;
}
