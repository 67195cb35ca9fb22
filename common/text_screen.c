/*
 * A text screen of character cells: a shadow ring of lines in RAM, and
 * scrolling by the hardware's origin where it has one (text_screen.h).
 */
#include <panic.h>
#include <text_screen.h>

static u16 *shadow_line(struct text_screen *s, unsigned int y)
{
	return s->shadow + ((s->top + y) % s->rows) * s->cols;
}

static volatile u16 *window_line(struct text_screen *s, unsigned int y)
{
	return s->window + s->origin + y * s->cols;
}

/* Writes every cell of the shadow to the screen. */
static void redraw(struct text_screen *s)
{
	unsigned int x, y;

	for (y = 0; y < s->rows; y++) {
		const u16 *from = shadow_line(s, y);
		volatile u16 *to = window_line(s, y);

		for (x = 0; x < s->cols; x++)
			to[x] = from[x];
	}
}

/* Moves the text up by lines lines, blank ones coming in at the bottom. */
static void scroll(struct text_screen *s, unsigned int lines)
{
	unsigned int x, y, next = s->origin + lines * s->cols;
	bool in_window = next + s->rows * s->cols <= s->window_cells;

	ASSERT(lines > 0 && lines <= s->rows);
	s->top = (s->top + lines) % s->rows;
	for (y = s->rows - lines; y < s->rows; y++)
		for (x = 0; x < s->cols; x++)
			shadow_line(s, y)[x] = s->blank;
	s->y -= lines;

	if (!s->set_origin) {
		redraw(s);
		return;
	}
	/* Blank the new lines before they are shown, then show them. */
	s->origin = in_window ? next : 0;
	if (in_window) {
		for (y = s->rows - lines; y < s->rows; y++)
			for (x = 0; x < s->cols; x++)
				window_line(s, y)[x] = s->blank;
	} else {
		redraw(s);
	}
	s->set_origin(s->origin);
}

/* A scroll at the bottom: one line by the origin, else a quarter screen. */
static void newline(struct text_screen *s)
{
	s->x = 0;
	if (++s->y < s->rows)
		return;
	if (s->set_origin)
		scroll(s, 1);
	else
		scroll(s, s->rows / 4 ? s->rows / 4 : 1);
}

void text_screen_init(struct text_screen *s)
{
	unsigned int i;

	ASSERT(s->cols > 0 && s->rows > 0);
	ASSERT(s->window_cells >= s->rows * s->cols);
	s->top = s->origin = s->x = s->y = 0;
	for (i = 0; i < s->rows * s->cols; i++)
		s->shadow[i] = s->blank;
	redraw(s);
	if (s->set_origin)
		s->set_origin(0);
}

void text_screen_write(struct text_screen *s, const char *p, size_t len,
		       u8 attr)
{
	while (len--) {
		char c = *p++;
		u16 cell = (u16)attr << 8 | (u8)c;

		if (c == '\n') {
			newline(s);
			continue;
		}
		if (c == '\r')
			continue;
		shadow_line(s, s->y)[s->x] = cell;
		window_line(s, s->y)[s->x] = cell;
		if (++s->x == s->cols)
			newline(s);
	}
}
