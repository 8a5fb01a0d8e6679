/*
 * screen - the terminal: curses set-up, colours, and the one function that
 * puts text on it.
 *
 * screen_text() is the only way text reaches the terminal: it sanitizes the
 * bytes (core/base/sanitize: no control characters, no escape sequences, valid
 * UTF-8), measures display width with wcwidth(), clips with an ellipsis and
 * pads. In a locale that is not UTF-8, non-ASCII characters are shown as
 * '?'. With NO_COLOR set or a monochrome terminal, colours become bold,
 * reverse and underline.
 */
#ifndef SPAMTOP_SCREEN_H
#define SPAMTOP_SCREEN_H

#include <stddef.h>

enum screen_style {
	ST_NORMAL, ST_HEADER, ST_TAB, ST_TAB_ACTIVE, ST_TITLE, ST_CURSOR, ST_SUSPECT, ST_OK,
	ST_WARN, ST_CRIT, ST_STATUS, ST_TAGGED, ST_DIALOG, ST_DIM, ST_COUNT
};

enum screen_align { ALIGN_LEFT, ALIGN_RIGHT };

/* 0, or -1 when there is no usable terminal. */
int screen_open(int want_color);
void screen_close(void);
int screen_is_open(void);
/* The descriptor keys arrive on, to wait for them with poll(). */
int screen_input_fd(void);
int screen_rows(void);
int screen_cols(void);
int screen_style(enum screen_style s);
/*
 * Draws len bytes of s at (y, x) in at most width columns with attributes
 * attr, sanitized, clipped with an ellipsis, padded with spaces to width.
 * Returns the columns used before padding.
 */
int screen_text(int y, int x, int width, const char *s, size_t len, int attr, enum screen_align align);
int screen_puts(int y, int x, int width, const char *s, int attr);
/* Like screen_text, but long text goes on over up to max_rows rows, broken
 * after a space (a word longer than a row is cut), each row after the first
 * indented as the text begins (up to a third of the width); returns the
 * rows used. */
int screen_text_wrap(int y, int x, int width, int max_rows, const char *s, size_t len, int attr);
/* The rows screen_text_wrap takes for s at width (no curses needed). */
int screen_text_rows(const char *s, size_t len, int width);
/* Where the row of sanitized text s that begins at from ends (no curses needed). */
size_t screen_row_end(const char *s, size_t len, size_t from, int width);
/* Display width of s once sanitized, as screen_text would draw it. */
int screen_width(const char *s, size_t len);

#endif
