/*
 * A text screen of character cells (common/text_screen.c): what a VGA
 * text console writes, kept apart from the hardware so that it can be
 * tested on the host.
 *
 * The text lives in a shadow in RAM, a ring of lines, and the screen's
 * memory is only written, never read: under QEMU and Bochs every access
 * to it is a call into the emulator, and on real machines it is
 * uncached. Where the hardware can show the screen from any cell of a
 * larger window (the VGA CRTC's start address), a scroll moves that
 * origin a line down and writes one blank line, and the whole screen is
 * rewritten only when the origin reaches the window's end; elsewhere a
 * scroll moves a quarter screen and rewrites the screen.
 */
#ifndef TEXT_SCREEN_H
#define TEXT_SCREEN_H

#include <types.h>

struct text_screen {
	/* Set by the caller before text_screen_init(). */
	volatile u16 *window; /* the screen's memory, window_cells cells */
	unsigned int window_cells;
	unsigned int cols, rows;
	u16 *shadow; /* rows * cols cells */
	u16 blank;   /* a space in the screen's colours */
	/* Shows the screen from window cell origin on; NULL if it cannot. */
	void (*set_origin)(unsigned int origin);

	/* Private to common/text_screen.c. */
	unsigned int top;    /* the shadow line shown at the top */
	unsigned int origin; /* the window cell shown at the top left */
	unsigned int x, y;   /* the cursor, in screen cells */
};

/*
 * Blanks the screen and puts the cursor and origin at the top left.
 * The caller has filled in the fields above; window_cells >= rows * cols.
 */
void text_screen_init(struct text_screen *s);

/*
 * Writes len characters ('\n' starts a line, '\r' is dropped) in attr's
 * colours, scrolling at the bottom. Not reentrant: the console lock
 * serialises callers.
 */
void text_screen_write(struct text_screen *s, const char *p, size_t len,
		       u8 attr);

#endif /* TEXT_SCREEN_H */
