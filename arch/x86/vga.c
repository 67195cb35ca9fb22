/*
 * VGA text console: for machines without a serial port, booted by BIOS
 * (UEFI leaves a graphics framebuffer instead: common/fbcon.c).
 *
 * The text lives in a shadow in RAM, and the screen is only written, a
 * cell at a time, never read. Text memory is an emulated device under
 * QEMU and Bochs (every access a call into the emulator) and uncached on
 * real machines, so scrolling it in place, reading each cell back, cost
 * about 1 ms a line under QEMU TCG: most of the boot's time once the
 * screen was full. A scroll also moves a quarter screen at a time, so a
 * whole-screen rewrite comes once every few lines rather than at each.
 */
#include <asm/vga.h>
#include <compiler.h>
#include <console.h>
#include <page.h>
#include <string.h>

#define VGA_ATTR  0x07 /* light grey on black */
#define VGA_BLANK (VGA_ATTR << 8 | ' ')
/* The largest text mode accepted; VESA's largest is 132x60. */
#define VGA_MAX_COLS 256
#define VGA_MAX_ROWS 256
/* The shadow holds what a mode of up to this many cells shows. */
#define VGA_MAX_CELLS (160 * 64)

static volatile u16 *screen;
static u16 shadow[VGA_MAX_CELLS];
static unsigned int cols, rows, cursor_x, cursor_y;

/* Writes every cell of the shadow to the screen. */
static void vga_redraw(void)
{
	unsigned int i;

	for (i = 0; i < rows * cols; i++)
		screen[i] = shadow[i];
}

/* Moves the text up by a quarter screen (at least a line) and redraws. */
static void vga_scroll(void)
{
	unsigned int lines = rows / 4 ? rows / 4 : 1;
	unsigned int kept = (rows - lines) * cols;
	unsigned int i;

	memmove(shadow, shadow + lines * cols, kept * sizeof(shadow[0]));
	for (i = kept; i < rows * cols; i++)
		shadow[i] = VGA_BLANK;
	vga_redraw();
	cursor_y = rows - lines;
}

static void vga_putc(char c)
{
	if (c == '\n') {
		cursor_x = 0;
		cursor_y++;
	} else if (c != '\r') {
		unsigned int cell = cursor_y * cols + cursor_x;

		shadow[cell] = VGA_ATTR << 8 | (u8)c;
		screen[cell] = shadow[cell];
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
	    fb->width > VGA_MAX_COLS || fb->height > VGA_MAX_ROWS ||
	    fb->width * fb->height > VGA_MAX_CELLS)
		return false;
	/* Legacy VGA memory lies in the low megabyte, which the direct map covers. */
	if (fb->addr + (u64)fb->width * fb->height * 2 > 0x100000)
		return false;
	screen = maddr_to_virt(fb->addr);
	cols = fb->width;
	rows = fb->height;
	for (i = 0; i < rows * cols; i++)
		shadow[i] = VGA_BLANK;
	vga_redraw();
	console_register(&vga_console);
	return true;
}
