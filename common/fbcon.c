/*
 * The framebuffer console (include/fbcon.h): a grid of character cells in
 * RAM, drawn with a built-in bitmap font onto a linear direct-colour
 * framebuffer.
 *
 * The framebuffer is never read: it may be mapped uncached, where reads
 * from video memory cost microseconds each. Scrolling therefore moves the
 * grid and redraws every cell; to keep that rare, the screen jumps by a
 * quarter of its height when the cursor reaches the bottom line.
 */
#include <compiler.h>
#include <console.h>
#include <fbcon.h>
#include <printk.h>
#include <string.h>

/* Enough cells for 3840x2160 with the 12x24 font (320x90). */
#define FBCON_MAX_COLS 320
#define FBCON_MAX_ROWS 135
#define TAB_WIDTH      8

/* Light grey on black, as the VGA text console's attribute 0x07. */
#define FG_LEVEL 0xaa
#define BG_LEVEL 0x00

struct fbcon {
	volatile u8 *pixels; /* first pixel of the mapped framebuffer */
	u32 pitch;	     /* bytes per pixel line */
	u8 bytes_pp;	     /* 2, 3 or 4 */
	u32 fg, bg;	     /* the two pixel values drawn */
	const struct fb_font *font;
	unsigned int cols, rows, cursor_x, cursor_y;
	char cells[FBCON_MAX_ROWS][FBCON_MAX_COLS]; /* ' ' when blank */
};

static struct fbcon fbcon;

/* ------------------------------------------------------------------ */
/* Choosing                                                            */

const struct fb_font *fbcon_pick_font(u32 width, u32 height)
{
	unsigned int i = fb_nr_fonts;

	while (i-- > 1) {
		const struct fb_font *f = &fb_fonts[i];

		if (width / f->width >= FBCON_MIN_COLS &&
		    height / f->height >= FBCON_MIN_ROWS)
			return f;
	}
	return &fb_fonts[0];
}

const char *fbcon_drawable(const struct boot_framebuffer *fb)
{
	if (fb->type == BOOT_FB_NONE)
		return "no framebuffer";
	if (fb->type != BOOT_FB_RGB)
		return "not a direct-colour framebuffer";
	if (fb->bpp != 16 && fb->bpp != 24 && fb->bpp != 32)
		return "not 16, 24 or 32 bits per pixel";
	if (fb->width < fb_fonts[0].width || fb->height < fb_fonts[0].height)
		return "smaller than one character";
	return NULL;
}

/* The pixel value of an 8-bit grey level in fb's RGB layout. */
static u32 grey_pixel(const struct boot_framebuffer *fb, u8 level)
{
	const u8 pos[3] = {fb->red_pos, fb->green_pos, fb->blue_pos};
	const u8 size[3] = {fb->red_size, fb->green_size, fb->blue_size};
	u32 value = 0;
	unsigned int i;

	for (i = 0; i < 3; i++) {
		/* Scale 0..255 to 0..2^size-1, in 64 bits: size may be 32. */
		u64 max = (1ULL << size[i]) - 1;

		value |= (u32)((level * max / 255) << pos[i]);
	}
	return value;
}

/* ------------------------------------------------------------------ */
/* Drawing                                                             */

static void put_pixel(volatile u8 *p, u32 value)
{
	switch (fbcon.bytes_pp) {
	case 4:
		*(volatile u32 *)p = value;
		break;
	case 3:
		p[0] = value;
		p[1] = value >> 8;
		p[2] = value >> 16;
		break;
	default:
		*(volatile u16 *)p = value;
		break;
	}
}

static const u8 *glyph_of(char c)
{
	const struct fb_font *f = fbcon.font;
	unsigned char u = c;
	unsigned int index = u >= FB_FONT_FIRST && u <= FB_FONT_LAST
				     ? u - FB_FONT_FIRST
				     : FB_FONT_FALLBACK;

	return f->glyphs + index * f->height * f->stride;
}

static void draw_cell(unsigned int col, unsigned int row)
{
	const struct fb_font *f = fbcon.font;
	const u8 *bits = glyph_of(fbcon.cells[row][col]);
	volatile u8 *line = fbcon.pixels + (u64)row * f->height * fbcon.pitch +
			    (u64)col * f->width * fbcon.bytes_pp;
	unsigned int x, y;

	for (y = 0; y < f->height; y++, bits += f->stride) {
		volatile u8 *p = line;

		for (x = 0; x < f->width; x++, p += fbcon.bytes_pp)
			put_pixel(p, bits[x / 8] & (0x80 >> (x % 8))
					     ? fbcon.fg
					     : fbcon.bg);
		line += fbcon.pitch;
	}
}

static void draw_all(void)
{
	unsigned int row, col;

	for (row = 0; row < fbcon.rows; row++)
		for (col = 0; col < fbcon.cols; col++)
			draw_cell(col, row);
}

/* Moves the grid up by a quarter screen (a line at least) and redraws it. */
static void scroll(void)
{
	unsigned int step = fbcon.rows / 4 ? fbcon.rows / 4 : 1;
	unsigned int row;

	for (row = 0; row + step < fbcon.rows; row++)
		memcpy(fbcon.cells[row], fbcon.cells[row + step], fbcon.cols);
	for (; row < fbcon.rows; row++)
		memset(fbcon.cells[row], ' ', fbcon.cols);
	fbcon.cursor_y = fbcon.rows - step;
	draw_all();
}

static void newline(void)
{
	fbcon.cursor_x = 0;
	if (++fbcon.cursor_y == fbcon.rows)
		scroll();
}

static void put_char(char c)
{
	if (c == '\n') {
		newline();
		return;
	}
	if (c == '\r')
		return;
	if (c == '\t') {
		do
			put_char(' ');
		while (fbcon.cursor_x % TAB_WIDTH);
		return;
	}
	fbcon.cells[fbcon.cursor_y][fbcon.cursor_x] = c;
	draw_cell(fbcon.cursor_x, fbcon.cursor_y);
	if (++fbcon.cursor_x == fbcon.cols)
		newline();
}

static void fbcon_write(struct console *con, const char *s, size_t len)
{
	while (len--)
		put_char(*s++);
}

static struct console fb_console = {
	.name = "fb",
	.write = fbcon_write,
};

/* ------------------------------------------------------------------ */
/* Setting up                                                          */

/* Paints every pixel, margins included, in the background colour. */
static void clear_screen(const struct boot_framebuffer *fb)
{
	volatile u8 *line = fbcon.pixels;
	u32 x, y;

	for (y = 0; y < fb->height; y++, line += fb->pitch)
		for (x = 0; x < fb->width; x++)
			put_pixel(line + x * fbcon.bytes_pp, fbcon.bg);
}

bool __init fbcon_init(const struct boot_framebuffer *fb, void *pixels)
{
	const struct fb_font *f;

	if (fbcon_drawable(fb))
		return false;
	f = fbcon_pick_font(fb->width, fb->height);
	fbcon.pixels = pixels;
	fbcon.pitch = fb->pitch;
	fbcon.bytes_pp = fb->bpp / 8;
	fbcon.fg = grey_pixel(fb, FG_LEVEL);
	fbcon.bg = grey_pixel(fb, BG_LEVEL);
	fbcon.font = f;
	fbcon.cols = min(fb->width / f->width, (u32)FBCON_MAX_COLS);
	fbcon.rows = min(fb->height / f->height, (u32)FBCON_MAX_ROWS);
	memset(fbcon.cells, ' ', sizeof(fbcon.cells));
	clear_screen(fb);
	console_register(&fb_console);
	pr_info("Framebuffer console: %ux%u, %u bpp at %#lx; font %s (%ux%u), %ux%u cells\n",
		fb->width, fb->height, fb->bpp, (unsigned long)fb->addr,
		f->name, f->width, f->height, fbcon.cols, fbcon.rows);
	return true;
}
