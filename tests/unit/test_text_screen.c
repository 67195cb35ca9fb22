/*
 * The text screen behind the VGA console (common/text_screen.c): what the
 * screen shows after writes and scrolls, by the origin and by rewriting,
 * checked against the lines written, and what a scroll writes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include <string.h>
#include <text_screen.h>

#define COLS	     8
#define ROWS	     4
#define ATTR	     0x07
#define BLANK	     (ATTR << 8 | ' ')
#define POISON	     0xdead
#define WINDOW_HOLD  6 /* screens' worth of lines the window holds, about */
#define WINDOW_CELLS (COLS * ROWS * WINDOW_HOLD + 3 * COLS)

static u16 window[WINDOW_CELLS];
static u16 shadow[COLS * ROWS];
static unsigned int shown_origin, origin_calls;
static struct text_screen screen;

static void record_origin(unsigned int origin)
{
	shown_origin = origin;
	origin_calls++;
}

static void set_up(bool hardware_origin)
{
	for (unsigned int i = 0; i < WINDOW_CELLS; i++)
		window[i] = POISON;
	shown_origin = ~0u;
	origin_calls = 0;
	screen = (struct text_screen){
		.window = window,
		.window_cells = hardware_origin ? WINDOW_CELLS : COLS * ROWS,
		.cols = COLS,
		.rows = ROWS,
		.shadow = shadow,
		.blank = BLANK,
		.set_origin = hardware_origin ? record_origin : NULL,
	};
	text_screen_init(&screen);
}

static unsigned int origin_now(void)
{
	return screen.set_origin ? shown_origin : 0;
}

/* Screen line y as text, trailing blanks cut; a cell not text reads '?'. */
static void shown_line(unsigned int y, char *out)
{
	unsigned int x, end = 0;

	for (x = 0; x < COLS; x++) {
		u16 cell = window[origin_now() + y * COLS + x];

		out[x] = (cell >> 8) == ATTR ? (char)(cell & 0xff) : '?';
		if (out[x] != ' ')
			end = x + 1;
	}
	out[end] = '\0';
}

static void assert_shows(const char *const want[ROWS])
{
	char line[COLS + 1];

	for (unsigned int y = 0; y < ROWS; y++) {
		shown_line(y, line);
		assert_string_equal(line, want[y]);
	}
}

static void put(const char *s)
{
	text_screen_write(&screen, s, strlen(s), ATTR);
}

static void test_init_blanks_the_screen_at_origin_0(void **state)
{
	(void)state;
	set_up(true);
	assert_int_equal(origin_calls, 1);
	assert_int_equal(shown_origin, 0);
	for (unsigned int i = 0; i < COLS * ROWS; i++)
		assert_int_equal(window[i], BLANK);
	/* The rest of the window is not the screen yet: left alone. */
	assert_int_equal(window[COLS * ROWS], POISON);
}

static void test_text_wraps_and_drops_carriage_returns(void **state)
{
	static const char *const want[ROWS] = {"ab", "01234567", "89", ""};

	(void)state;
	set_up(true);
	put("a\rb\n0123456789");
	assert_shows(want);
	assert_int_equal(shown_origin, 0);
}

/* Line i of a test, as written by put_lines(). */
static void line_text(unsigned int i, char *out)
{
	snprintf(out, COLS + 1, "L%u", i % 10000000);
}

static void put_lines(unsigned int from, unsigned int to)
{
	char buf[COLS + 1];

	for (unsigned int i = from; i < to; i++) {
		line_text(i, buf);
		put(buf);
		put("\n");
	}
}

/*
 * After n lines, each ended by '\n': from the top while they fit, then
 * the last ROWS - 1 and the blank line the cursor is on.
 */
static void assert_shows_last_lines(unsigned int n)
{
	unsigned int first = n < ROWS ? 0 : n - (ROWS - 1);
	char want[ROWS][COLS + 1];
	const char *ptrs[ROWS];

	for (unsigned int y = 0; y < ROWS; y++) {
		if (first + y < n)
			line_text(first + y, want[y]);
		else
			want[y][0] = '\0';
		ptrs[y] = want[y];
	}
	assert_shows(ptrs);
}

static void test_scroll_moves_the_origin_a_line(void **state)
{
	unsigned int before;

	(void)state;
	set_up(true);
	put_lines(0, ROWS - 1);
	assert_int_equal(shown_origin, 0);
	put_lines(ROWS - 1, ROWS);
	assert_int_equal(shown_origin, COLS);
	assert_shows_last_lines(ROWS);
	/* The line scrolled off is still in the window: nothing rewrote it. */
	assert_int_equal(window[0], ATTR << 8 | 'L');
	before = origin_calls;
	put_lines(ROWS, ROWS + 3);
	assert_int_equal(origin_calls, before + 3);
	assert_int_equal(shown_origin, 4 * COLS);
	assert_shows_last_lines(ROWS + 3);
	/* The window past the screen is still untouched. */
	assert_int_equal(window[shown_origin + ROWS * COLS], POISON);
}

static void test_origin_rolls_over_at_the_window_end(void **state)
{
	unsigned int n, last_origin = 0;
	bool rolled = false;

	(void)state;
	set_up(true);
	for (n = 1; n < 10 * ROWS * WINDOW_HOLD; n++) {
		put_lines(n - 1, n);
		assert_true(shown_origin + ROWS * COLS <= WINDOW_CELLS);
		assert_int_equal(shown_origin % COLS, 0);
		if (shown_origin < last_origin)
			rolled = true;
		last_origin = shown_origin;
		assert_shows_last_lines(n);
	}
	assert_true(rolled);
}

static void test_without_an_origin_scrolls_by_rewriting(void **state)
{
	(void)state;
	set_up(false);
	assert_int_equal(origin_calls, 0);
	put_lines(0, ROWS);
	/* A quarter screen (one line of four) moved up, the screen redrawn. */
	assert_shows_last_lines(ROWS);
	for (unsigned int n = ROWS + 1; n < 5 * ROWS; n++) {
		put_lines(n - 1, n);
		assert_shows_last_lines(n);
	}
	assert_int_equal(origin_calls, 0);
	assert_int_equal(window[COLS * ROWS], POISON);
}

static void test_long_line_scrolls_mid_write(void **state)
{
	static const char *const want[ROWS] = {"bbbbbbbb", "cccccccc",
					       "dddddddd", "e"};

	(void)state;
	set_up(true);
	put("aaaaaaaabbbbbbbbccccccccdddddddde");
	assert_shows(want);
	assert_int_equal(shown_origin, COLS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_blanks_the_screen_at_origin_0),
		cmocka_unit_test(test_text_wraps_and_drops_carriage_returns),
		cmocka_unit_test(test_scroll_moves_the_origin_a_line),
		cmocka_unit_test(test_origin_rolls_over_at_the_window_end),
		cmocka_unit_test(test_without_an_origin_scrolls_by_rewriting),
		cmocka_unit_test(test_long_line_scrolls_mid_write),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
