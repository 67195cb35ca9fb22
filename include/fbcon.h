/*
 * The framebuffer console (common/fbcon.c): the kernel log drawn as text
 * on the linear framebuffer the boot loader set up (UEFI GOP, or VBE under
 * BIOS), with a font built in (include/fbfont.h) sized from the
 * resolution. It scrolls, replays the log ring when registered, and shows
 * whatever printk prints, fatal reports and debug keys included.
 *
 * Concurrency: fbcon_init() is boot-time only (boot CPU). Drawing happens
 * in the console's write hook, under printk's lock (include/console.h).
 * fbcon_pick_font() and fbcon_drawable() are pure.
 */
#ifndef KAIROS_FBCON_H
#define KAIROS_FBCON_H

#include <bootinfo.h>
#include <fbfont.h>

/*
 * The font for a width x height screen: the largest that still gives at
 * least FBCON_MIN_COLS columns and FBCON_MIN_ROWS rows, else the smallest.
 */
#define FBCON_MIN_COLS 160
#define FBCON_MIN_ROWS 60
const struct fb_font *fbcon_pick_font(u32 width, u32 height);

/*
 * NULL if the console can draw on fb (direct colour, 16, 24 or 32 bits
 * per pixel, at least one cell of the smallest font), else why not.
 */
const char *fbcon_drawable(const struct boot_framebuffer *fb);

/*
 * Registers the console on fb, whose first pixel is mapped at pixels
 * (uncached or write-combining: the console never reads it back), clears
 * the screen and prints one line naming the mode and the font. Returns
 * false, drawing nothing, if fbcon_drawable() refuses fb.
 */
bool fbcon_init(const struct boot_framebuffer *fb, void *pixels);

#endif /* KAIROS_FBCON_H */
