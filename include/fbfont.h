/*
 * Bitmap fonts for the framebuffer console, generated at build time from
 * PSF console fonts by tools/mkfont.py (build/gen/fbfont.c): no glyph is
 * drawn by hand.
 *
 * Concurrency: constant data, read from any context.
 */
#ifndef KAIROS_FBFONT_H
#define KAIROS_FBFONT_H

#include <types.h>

#define FB_FONT_FIRST 0x20 /* ' ': the first glyph of a table */
#define FB_FONT_LAST  0x7e /* '~': the last printable one */
/* After the printable ones: the glyph for every other byte (U+FFFD or '?'). */
#define FB_FONT_FALLBACK (FB_FONT_LAST - FB_FONT_FIRST + 1)
#define FB_FONT_GLYPHS	 (FB_FONT_FALLBACK + 1)

struct fb_font {
	const char *name; /* the PSF file's, e.g. "Lat15-Terminus16" */
	u8 width;	  /* pixels, at most 32 */
	u8 height;	  /* pixels, at most 64 */
	u8 stride;	  /* bytes per glyph row: (width + 7) / 8 */
	/* FB_FONT_GLYPHS glyphs of height * stride bytes; the leftmost pixel
	 * of a row is the top bit of its first byte. */
	const u8 *glyphs;
};

/* The fonts built in, smallest first. */
extern const struct fb_font fb_fonts[];
extern const unsigned int fb_nr_fonts;

#endif /* KAIROS_FBFONT_H */
