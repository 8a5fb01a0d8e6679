/*
 * screen - curses set-up and sanitized, width-aware text output (see screen.h).
 */
#define _XOPEN_SOURCE_EXTENDED 1
#include "screen.h"

#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "core/base/buf.h"
#include "core/base/sanitize.h"

static int is_open, utf8_term, styles[ST_COUNT];
static FILE *tty_in;	/* keys come from the terminal, even when the log is standard input */

/* colour pairs, or attributes alone on a monochrome terminal / NO_COLOR */
static const struct {
	short fg, bg;
	int attr, mono;
} style_def[ST_COUNT] = {
	[ST_NORMAL] = {-1, -1, 0, 0},
	[ST_HEADER] = {COLOR_CYAN, -1, A_BOLD, A_BOLD},
	[ST_TAB] = {COLOR_WHITE, COLOR_BLUE, 0, 0},
	[ST_TAB_ACTIVE] = {COLOR_BLACK, COLOR_CYAN, A_BOLD, A_REVERSE | A_BOLD},
	[ST_TITLE] = {COLOR_BLACK, COLOR_GREEN, 0, A_REVERSE},
	[ST_CURSOR] = {COLOR_BLACK, COLOR_CYAN, 0, A_REVERSE},
	[ST_SUSPECT] = {COLOR_RED, -1, A_BOLD, A_BOLD},
	[ST_OK] = {COLOR_GREEN, -1, 0, 0},
	[ST_WARN] = {COLOR_YELLOW, -1, A_BOLD, A_BOLD},
	[ST_CRIT] = {COLOR_WHITE, COLOR_RED, A_BOLD, A_REVERSE | A_BOLD},
	[ST_STATUS] = {COLOR_BLACK, COLOR_CYAN, 0, A_REVERSE},
	[ST_TAGGED] = {COLOR_YELLOW, -1, A_BOLD, A_BOLD | A_UNDERLINE},
	[ST_DIALOG] = {COLOR_WHITE, COLOR_BLUE, 0, A_REVERSE},
	[ST_DIM] = {COLOR_BLUE, -1, A_BOLD, A_DIM},
};

int screen_open(int want_color)
{
	setlocale(LC_ALL, "");
	const char *cs = nl_langinfo(CODESET);
	utf8_term = cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
	tty_in = fopen("/dev/tty", "re");	/* "e": close-on-exec, never a child's */
	if (newterm(NULL, stdout, tty_in ? tty_in : stdin) == NULL) {
		if (tty_in)
			fclose(tty_in);
		tty_in = NULL;
		return -1;
	}
	is_open = 1;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	int color = want_color && getenv("NO_COLOR") == NULL && has_colors();
	if (color) {
		start_color();
		use_default_colors();
	}
	for (int s = 0; s < ST_COUNT; s++) {
		if (color && s > 0) {
			init_pair((short)s, style_def[s].fg, style_def[s].bg);
			styles[s] = COLOR_PAIR(s) | style_def[s].attr;
		} else {
			styles[s] = style_def[s].mono;
		}
	}
	return 0;
}

void screen_close(void)
{
	if (is_open) {
		endwin();
		is_open = 0;
	}
	if (tty_in)
		fclose(tty_in);
	tty_in = NULL;
}

int screen_is_open(void) { return is_open; }
int screen_input_fd(void) { return tty_in ? fileno(tty_in) : 0; }
int screen_rows(void) { return LINES; }
int screen_cols(void) { return COLS; }
int screen_style(enum screen_style s) { return styles[s]; }

/* glyph - one code point of sanitized text: its width, and what to draw */
static int glyph(unsigned cp, wchar_t *wc)
{
	if (cp < 0x80 || utf8_term) {
		int w = cp < 0x80 ? 1 : wcwidth((wchar_t)cp);
		if (w >= 0) {
			*wc = (wchar_t)cp;
			return w;
		}
	}
	*wc = L'?';
	return 1;
}

/* measure - columns of the sanitized text */
static int measure(const struct buf *b)
{
	int width = 0;
	const unsigned char *p = (const unsigned char *)b->data;
	for (size_t i = 0; i < b->len;) {
		unsigned cp;
		size_t n = utf8_decode(p + i, b->len - i, &cp);
		wchar_t wc;
		width += glyph(n ? cp : '?', &wc);
		i += n ? n : 1;
	}
	return width;
}

int screen_width(const char *s, size_t len)
{
	struct buf b = BUF_INIT;
	sanitize_text(&b, s, len);
	int w = measure(&b);
	buf_free(&b);
	return w;
}

int screen_text(int y, int x, int width, const char *s, size_t len, int attr, enum screen_align align)
{
	if (width <= 0 || y < 0 || y >= LINES || x >= COLS)
		return 0;
	if (x + width > COLS)
		width = COLS - x;
	struct buf b = BUF_INIT;
	sanitize_text(&b, s, len);
	int total = measure(&b);
	int clip = total > width;	/* leave the last column for the ellipsis */
	int room = clip ? width - 1 : width;
	int pad = !clip && align == ALIGN_RIGHT ? width - total : 0;
	attr_t old_attr;
	short old_pair;
	attr_get(&old_attr, &old_pair, NULL);
	attrset(attr);
	move(y, x);
	for (int i = 0; i < pad; i++)
		addch(' ');
	int used = 0;
	const unsigned char *p = (const unsigned char *)b.data;
	for (size_t i = 0; i < b.len;) {
		unsigned cp;
		size_t n = utf8_decode(p + i, b.len - i, &cp);
		wchar_t wc[2] = {0, 0};
		int w = glyph(n ? cp : '?', &wc[0]);
		if (used + w > room)
			break;
		addnwstr(wc, 1);
		used += w;
		i += n ? n : 1;
	}
	if (clip) {
		if (utf8_term)
			addnwstr(L"\u2026", 1);
		else
			addch('~');
		used++;
	}
	for (int i = pad + used; i < width; i++)
		addch(' ');
	attrset(old_attr);
	buf_free(&b);
	return pad + used;
}

int screen_puts(int y, int x, int width, const char *s, int attr)
{
	return screen_text(y, x, width, s, strlen(s), attr, ALIGN_LEFT);
}

size_t screen_row_end(const char *s, size_t len, size_t from, int width)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = from, after_space = 0;
	int used = 0, word = 0;	/* a break goes after a word's space, not inside the indent */
	while (i < len) {
		unsigned cp;
		size_t n = utf8_decode(p + i, len - i, &cp);
		wchar_t wc;
		int w = glyph(n ? cp : '?', &wc);
		if (used + w > width && i > from)
			break;
		used += w;
		i += n ? n : 1;
		if (cp == ' ' && word)
			after_space = i;
		word |= cp != ' ';
	}
	return i < len && after_space > from ? after_space : i;	/* a word longer than the row is cut */
}

/* hanging_indent - the columns a wrapped line's further rows start at: its
 * own leading spaces (at most a third of the width), so that an indented
 * item reads as one */
static int hanging_indent(const struct buf *b, int width)
{
	int n = 0;
	while ((size_t)n < b->len && b->data[n] == ' ' && n < width / 3)
		n++;
	return n;
}

int screen_text_rows(const char *s, size_t len, int width)
{
	struct buf b = BUF_INIT;
	sanitize_text(&b, s, len);
	if (width <= 0)
		width = 1;
	int rows = 0, indent = hanging_indent(&b, width);
	size_t i = 0;
	do {	/* as screen_text_wrap breaks them */
		if (rows > 0 && b.data[i] == ' ')
			i++;
		i = screen_row_end(b.data ? b.data : "", b.len, i, rows > 0 ? width - indent : width);
		rows++;
	} while (i < b.len);
	buf_free(&b);
	return rows;
}

int screen_text_wrap(int y, int x, int width, int max_rows, const char *s, size_t len, int attr)
{
	if (width <= 0 || max_rows <= 0)
		return 0;
	struct buf b = BUF_INIT;
	sanitize_text(&b, s, len);
	attrset(attr);
	int row = 0, indent = hanging_indent(&b, width);
	size_t i = 0;
	do {	/* one row at a time, broken after a space when a word would not fit */
		if (row > 0 && b.data[i] == ' ')
			i++;	/* a row cut at a word's end does not begin the next with its space */
		int lead = row > 0 ? indent : 0;
		size_t end = screen_row_end(b.data ? b.data : "", b.len, i, width - lead);
		int used = lead;
		move(y + row, x);
		for (int k = 0; k < lead; k++)
			addch(' ');
		const unsigned char *p = (const unsigned char *)b.data;
		while (i < end) {
			unsigned cp;
			size_t n = utf8_decode(p + i, b.len - i, &cp);
			wchar_t wc[2] = {0, 0};
			used += glyph(n ? cp : '?', &wc[0]);
			addnwstr(wc, 1);
			i += n ? n : 1;
		}
		for (; used < width; used++)
			addch(' ');
		row++;
	} while (i < b.len && row < max_rows);
	attrset(A_NORMAL);
	buf_free(&b);
	return row;
}
