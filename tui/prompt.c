/*
 * prompt - the filter prompt: a line edited over the status line, a modal
 * view on the console's stack. Enter sets it as the filter of the table
 * under it (empty clears it), Esc leaves it unchanged.
 */
#include "console_state.h"

#include <curses.h>
#include <string.h>

#define PROMPT_MAX 200	/* bytes of a pattern */

/* erase_char - a whole UTF-8 character */
static void erase_char(struct buf *line)
{
	while (line->len && (line->data[line->len - 1] & 0xC0) == 0x80)
		line->len--;
	if (line->len)
		line->data[--line->len] = 0;
}

static void add_char(struct buf *line, wint_t ch)
{
	char mb[8];
	mbstate_t st;
	memset(&st, 0, sizeof(st));
	size_t n = wcrtomb(mb, (wchar_t)ch, &st);
	if (n != (size_t)-1 && line->len + n <= PROMPT_MAX)
		buf_append(line, mb, n);
}

static unsigned prompt_key(struct console *c, struct view *v, int is_key, wint_t ch)
{
	if (!is_key && (ch == '\r' || ch == '\n')) {
		struct table *t = console_table(c);
		struct error err;
		if (t && table_set_filter(t, buf_str(&v->input), &err) < 0)
			console_say(c, 1, "%s", err.msg);
		console_remove_view(c, v);
		return R_REBUILD;
	}
	if (!is_key && ch == 27) {
		console_remove_view(c, v);
		return R_REDRAW;
	}
	if (!is_key && ch == 21)	/* C-u: clear the line */
		buf_reset(&v->input);
	else if ((is_key && ch == KEY_BACKSPACE) || (!is_key && (ch == 127 || ch == 8)))
		erase_char(&v->input);
	else if (!is_key && ch >= ' ' && ch != 127)
		add_char(&v->input, ch);
	return R_REDRAW;
}

const struct view_ops prompt_view_ops = {
	.name = "prompt", .scope = KM_TABLE, .modal = 1,
	.raw_key = prompt_key, .draw = draw_prompt_view,
};

void console_open_prompt(struct console *c, const struct table *t)
{
	struct view *v = console_push_view(c, &prompt_view_ops);
	if (v)
		buf_puts(&v->input, buf_str(&t->filter));
}
