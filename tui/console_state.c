/*
 * console_state - the services every part of the console shares over its
 * state: the view stack, the status line, a monotonic clock, and whether
 * long work holds the queue (see console_state.h). Of the rest of the
 * console it calls only the wizard, to ask whether the cleanup's jobs hold
 * the session (wizard_busy; the wizard calls nothing of the console's):
 * console.c (keys and the loop), draw.c, dialog.c, prompt.c, inputs.c and
 * cleanup_view.c depend on it, none on another through it.
 */
#include "console_state.h"
#include "wizard.h"

#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

long long console_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

unsigned console_page_action(struct pager *p, enum action_id a)
{
	size_t page = (size_t)(LINES > 8 ? LINES - 7 : 1);
	switch (a) {
	case ACTION_MOVE_UP: pager_scroll(p, -1, page); return R_REDRAW;
	case ACTION_MOVE_DOWN: pager_scroll(p, 1, page); return R_REDRAW;
	case ACTION_PAGE_UP: pager_scroll(p, -(long)page, page); return R_REDRAW;
	case ACTION_PAGE_DOWN: pager_scroll(p, (long)page, page); return R_REDRAW;
	case ACTION_MOVE_FIRST: pager_scroll(p, -(long)p->nlines, page); return R_REDRAW;
	case ACTION_MOVE_LAST: pager_scroll(p, (long)p->nlines, page); return R_REDRAW;
	default: return R_NONE;
	}
}

struct view *console_top(struct console *c)
{
	for (int i = c->depth - 1; i >= 0; i--)
		if (!c->stack[i]->ops->modal)
			return c->stack[i];
	return NULL;
}

struct view *console_modal(struct console *c)
{
	struct view *v = c->depth ? c->stack[c->depth - 1] : NULL;
	return v && v->ops->modal ? v : NULL;
}

struct table *console_table(struct console *c)
{
	struct view *v = console_top(c);
	if (v == NULL)
		return &c->tabs[c->tab];
	return v->ops->is_table ? &v->table : NULL;
}

void console_say(struct console *c, int is_error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->message, sizeof(c->message), fmt, ap);
	va_end(ap);
	c->message_is_error = is_error;
	c->message_until_ms = console_now_ms() + (is_error ? 8000 : 5000);
}

const struct view_ops *console_top_ops(struct console *c)
{
	struct view *v = console_top(c);
	return v ? v->ops : &tab_view_ops;
}

struct view *console_push_view(struct console *c, const struct view_ops *ops)
{
	int at = c->depth, content = 0;	/* a content view goes under the modal ones */
	while (!ops->modal && at > 0 && c->stack[at - 1]->ops->modal)
		at--;
	for (int i = 0; i < c->depth; i++)
		content += !c->stack[i]->ops->modal;
	if (ops->modal ? c->depth - content >= CONSOLE_MAX_MODALS : content >= CONSOLE_MAX_DEPTH) {
		console_say(c, 1, "Too deep: go back first");
		return NULL;
	}
	struct view *v = calloc(1, sizeof(*v));
	if (v == NULL)
		return NULL;
	v->ops = ops;
	for (int i = c->depth; i > at; i--)
		c->stack[i] = c->stack[i - 1];
	c->stack[at] = v;
	c->depth++;
	return v;
}

void console_remove_view(struct console *c, struct view *v)
{
	int at = c->depth - 1;
	while (at >= 0 && c->stack[at] != v)
		at--;
	if (at < 0)
		return;
	for (int i = at; i + 1 < c->depth; i++)
		c->stack[i] = c->stack[i + 1];
	c->depth--;
	if (v->ops->close)
		v->ops->close(c, v);
	if (v->ops->is_table)
		table_free(&v->table);
	else
		pager_free(&v->pager);
	buf_free(&v->input);
	free(v);
}

void console_pop_view(struct console *c)
{
	if (c->depth)
		console_remove_view(c, c->stack[c->depth - 1]);
}

int console_busy(struct console *c)
{
	const char *cleanup = wizard_busy(c->wizard);
	if (c->job.w.running)
		console_say(c, 1, "A plan is being built (Esc cancels it)");
	else if (c->act.w.running)
		console_say(c, 1, "An action is running: wait for its result");
	else if (cleanup)
		console_say(c, 1, "%s", cleanup);
	else if (c->remote.w.running)
		console_say(c, 1, "Another server is being asked over ssh: wait for its answer%s",
			    c->remote.call.dry_run ? " (Esc leaves it)" : "");
	return c->job.w.running || c->act.w.running || cleanup || c->remote.w.running;
}
