/*
 * draw - paints the console from its state: header, alert line, tabs, the
 * table or pager on top, the status line, and a dialog or prompt over them.
 * Nothing here changes state; every string goes through screen_text().
 */
#define _XOPEN_SOURCE_EXTENDED 1
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "console_state.h"
#include "screen.h"

#define HEADER_ROWS 5	/* title, queue, alerts, tabs, view line */

int draw_table_rows(void)
{
	int n = LINES - HEADER_ROWS - 2;	/* column titles, status line */
	return n > 1 ? n : 1;
}

static void put(int y, int x, int w, const char *s, enum screen_style st)
{
	screen_puts(y, x, w, s, screen_style(st));
}

static void draw_title(struct console *c)
{
	struct buf b = BUF_INIT;
	int hosts = model_host_count(c->model);
	buf_printf(&b, "spamtop on %s", c->host);
	if (hosts > 1)
		for (int h = 0; h < hosts; h++)
			buf_printf(&b, "%s%s", h ? ", " : " - hosts ", model_host_name(c->model, h));
	for (size_t i = 0; hosts == 1 && i < c->ninputs && i < 3; i++)
		buf_printf(&b, "%s%s", i ? ", " : " - ", c->inputs[i].path);
	if (hosts == 1 && c->ninputs > 3)
		buf_printf(&b, " +%zu", c->ninputs - 3);
	const struct model_totals *t = model_totals(c->model);
	buf_printf(&b, " - %llu lines, %.0f/s", (unsigned long long)t->lines, c->lines_per_sec);
	if (c->behind)	/* the log grows faster than it is read: say by how much */
		buf_printf(&b, ", %.1f MB behind", (double)c->backlog_bytes / 1e6);
	if (t->before_since)
		buf_printf(&b, " (%llu before --since)", (unsigned long long)t->before_since);
	if (t->bad_time)
		buf_printf(&b, " (%llu with an impossible time, ignored)", (unsigned long long)t->bad_time);
	if (t->too_many_hosts)
		buf_printf(&b, " (%llu from hosts past the first %d, ignored)", (unsigned long long)t->too_many_hosts,
			   MODEL_MAX_HOSTS);
	if (t->last_time) {
		time_t last = (time_t)t->last_time;
		struct tm tm;
		char when[32];
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime_r(&last, &tm));
		buf_printf(&b, " - log time %s", when);
	}
	put(0, 0, COLS, buf_str(&b), ST_HEADER);
	buf_reset(&b);
	if (c->paused)
		buf_puts(&b, "[PAUSED] ");
	if (c->opt->dry_run)
		buf_puts(&b, "[DRY RUN] ");
	else if (!c->is_root)
		buf_puts(&b, "[READ-ONLY: not root] ");
	if (b.len)
		screen_text(0, COLS - (int)b.len, (int)b.len, b.data, b.len, screen_style(ST_WARN), ALIGN_LEFT);
	buf_free(&b);
}

/* draw_queue - the queue by state with a gauge against the thresholds */
/* queue_gauge - "Queue N [|||   ] " at (y, 0) in the style of the count against the limits; returns the next x */
static int queue_gauge(int y, size_t total, size_t warn, size_t crit)
{
	struct buf b = BUF_INIT;
	enum screen_style st = total >= crit ? ST_CRIT : total >= warn ? ST_WARN : ST_OK;
	buf_printf(&b, "Queue %6zu ", total);
	put(y, 0, (int)b.len, buf_str(&b), st);
	int x = (int)b.len;
	buf_free(&b);
	int gauge = 20;
	size_t filled = crit ? (total * (size_t)gauge + crit - 1) / crit : 0;
	if (filled > (size_t)gauge)
		filled = (size_t)gauge;
	mvaddch(y, x++, '[');
	for (int i = 0; i < gauge; i++)
		mvaddch(y, x++, (chtype)(i < (int)filled ? '|' : ' ') | (chtype)screen_style(i < (int)filled ? st : ST_NORMAL));
	mvaddch(y, x++, ']');
	return x;
}

/* draw_fleet_queue - the queue of the server shown alone, as its spamtop counted it over ssh */
static void draw_fleet_queue(struct console *c, int y)
{
	const struct fleet_queue_view *f = &c->fleet;
	const char *host = model_host_name(c->model, f->host);
	struct buf b = BUF_INIT;
	if (!f->ok) {
		buf_printf(&b, "Queue on %s: %s", host, f->error[0] ? f->error : "counting over ssh...");
		put(y, 0, COLS, buf_str(&b), f->error[0] ? ST_WARN : ST_DIM);
		buf_free(&b);
		return;
	}
	size_t crit = (size_t)c->alert_cfg.t[AL_QUEUE].crit;
	int x = queue_gauge(y, f->counts.total, (size_t)c->alert_cfg.t[AL_QUEUE].warn, crit);
	long long age = (console_now_ms() - f->read_ms) / 1000;
	buf_printf(&b, " hold %zu  deferred %zu  active %zu  incoming %zu  crit %zu  on %s (over ssh, %llds ago)",
		   f->counts.by_queue[QN_HOLD], f->counts.by_queue[QN_DEFERRED], f->counts.by_queue[QN_ACTIVE],
		   f->counts.by_queue[QN_INCOMING], crit, host, age);
	if (f->error[0])
		buf_printf(&b, "  STALE: %s", f->error);
	put(y, x, COLS - x, buf_str(&b), f->error[0] ? ST_WARN : ST_NORMAL);
	buf_free(&b);
}

static void draw_queue(struct console *c)
{
	struct buf b = BUF_INIT;
	int y = 1;
	move(y, 0);
	clrtoeol();
	if (c->host_filter > 0 && c->fleet.host == c->host_filter) {	/* another server's, read over ssh */
		buf_free(&b);
		draw_fleet_queue(c, y);
		return;
	}
	if (c->opt->no_queue) {
		put(y, 0, COLS, "Queue: not read (--no-queue)", ST_DIM);
		buf_free(&b);
		return;
	}
	if (c->queue == NULL) {
		put(y, 0, COLS, c->queue_error[0] ? c->queue_error : "Queue: reading...",
		    c->queue_error[0] ? ST_CRIT : ST_DIM);
		buf_free(&b);
		return;
	}
	size_t crit = (size_t)c->alert_cfg.t[AL_QUEUE].crit;
	int x = queue_gauge(y, c->queue->count, (size_t)c->alert_cfg.t[AL_QUEUE].warn, crit);
	buf_printf(&b, " hold %zu  deferred %zu  active %zu  incoming %zu  crit %zu",	/* held first: what an */
		   c->queue->by_queue[QN_HOLD], c->queue->by_queue[QN_DEFERRED], c->queue->by_queue[QN_ACTIVE],
		   c->queue->by_queue[QN_INCOMING], crit);	/* incident is about, never cut at 80 columns */
	if (model_host_count(c->model) > 1)	/* several hosts shown: whose queue this is */
		buf_printf(&b, "  on %s", model_host_name(c->model, 0));
	if (c->queue_error[0])
		buf_printf(&b, "  STALE since %s", c->queue_error);
	put(y, x, COLS - x, buf_str(&b), c->queue_error[0] ? ST_WARN : ST_NORMAL);
	buf_free(&b);
}

static void draw_alerts(struct console *c)
{
	int y = 2;
	move(y, 0);
	clrtoeol();
	if (c->reading_history) {
		struct buf b = BUF_INIT;
		double pct = c->history_total ? 100.0 * (double)c->history_bytes / (double)c->history_total : 0;
		if (c->history_total)
			buf_printf(&b, "Reading history: %.0f%% (%llu of %llu MB), %.0f lines/s", pct,
				   (unsigned long long)(c->history_bytes >> 20),
				   (unsigned long long)(c->history_total >> 20), c->lines_per_sec);
		else	/* compressed files only: their length is not known before */
			buf_printf(&b, "Reading history: %llu lines, %.0f lines/s", (unsigned long long)c->lines_read,
				   c->lines_per_sec);
		put(y, 0, COLS, buf_str(&b), ST_WARN);
		buf_free(&b);
		return;
	}
	int x = 0;
	for (size_t i = 0; i < c->ninputs && x < COLS; i++)	/* a log that cannot be read comes first */
		if (c->inputs[i].error[0]) {
			x += screen_puts(y, x, COLS - x, c->inputs[i].error, screen_style(ST_CRIT));
			x += screen_puts(y, x, COLS - x, " ", 0);
		}
	for (int st = ALERT_CRITICAL; st >= ALERT_WARNING; st--) {	/* thresholds crossed: names only, */
		struct buf b = BUF_INIT;				/* the culprits follow as suspects */
		for (int i = 0; i < AL_COUNT; i++)
			if (c->alerts.v[i].state == (enum alert_state)st)
				buf_printf(&b, "%s%s", b.len ? " " : (st == ALERT_CRITICAL ? "CRIT " : "WARN "),
					   alert_table[i].name);
		if (b.len && x < COLS) {
			x += screen_puts(y, x, COLS - x, buf_str(&b), screen_style(st == ALERT_CRITICAL ? ST_CRIT : ST_WARN));
			x += screen_puts(y, x, COLS - x, " ", 0);
		}
		buf_free(&b);
	}
	if (c->nsuspects == 0) {
		if (x == 0)
			put(y, 0, COLS, "No suspects: no account, trusted relay, web app or brute-force source over its threshold", ST_OK);
		return;
	}
	static const char *const label[] = {
		[SUSPECT_SASL_USER] = "compromised account",
		[SUSPECT_TRUSTED_RELAY] = "trusted relay",
		[SUSPECT_BRUTE_FORCE] = "brute force",
		[SUSPECT_WEB_APP] = "web app uid",
	};
	x += screen_puts(y, x, 7, "ALERT ", screen_style(ST_CRIT));
	for (size_t i = 0; i < c->nsuspects && x < COLS; i++) {
		const struct suspect *s = &c->suspects[i];
		struct buf b = BUF_INIT;
		buf_printf(&b, "%s%s ", i ? " | " : " ", label[s->kind]);
		x += screen_puts(y, x, COLS - x, buf_str(&b), screen_style(ST_SUSPECT));
		struct strview key = agg_shown_key(s->agg);
		x += screen_text(y, x, COLS - x, key.ptr, key.len, screen_style(ST_SUSPECT) | A_UNDERLINE,
				 ALIGN_LEFT);
		if (model_host_count(c->model) > 1 && x < COLS) {
			buf_reset(&b);
			buf_printf(&b, " on %s", model_host_name(c->model, s->agg->host));
			x += screen_puts(y, x, COLS - x, buf_str(&b), screen_style(ST_SUSPECT));
		}
		buf_free(&b);
	}
}

static void draw_tabs(struct console *c)
{
	int y = 3, x = 0;
	move(y, 0);
	attrset(screen_style(ST_TAB));
	for (int i = 0; i < COLS; i++)
		addch(' ');
	for (int t = 0; t < TAB_COUNT && x < COLS; t++) {
		char label[48];
		snprintf(label, sizeof(label), " %d %s ", t + 1, tab_name((enum tab_id)t));
		x += screen_puts(y, x, COLS - x, label, screen_style(t == (int)c->tab ? ST_TAB_ACTIVE : ST_TAB));
		x += screen_puts(y, x, COLS - x, " ", screen_style(ST_TAB));
	}
	attrset(A_NORMAL);
}

/* the numbers that go first when the screen is narrow: the least needed */
static const enum agg_field narrow_drops[] = {
	F_RATE_15M, F_RATE_5M, F_BOUNCED, F_EXPIRED, F_BYTES, F_CONNECTS, F_PIPELINING, F_OWN_FAILURES, F_MAILBOX_FAILURES, F_NULL_SENDER,
	F_REJECTS, F_SENT, F_HELD, F_DELETED, F_FAILURES_20M,
};

/* drop_column - hide the shown column of field f (w 0), giving back its room; 0 if none */
static int drop_column(const struct table *t, enum agg_field f, int *w)
{
	for (int i = 0; i < t->ncols; i++)
		if (t->cols[i].id == COL_FIELD && t->cols[i].field == f && w[i]) {
			w[i] = 0;
			return t->cols[i].width + 1;
		}
	return 0;
}

/*
 * layout - column widths, 0 for a column not shown: the flexible (name)
 * columns keep `want` (their longest shown text) before every number column
 * is shown; on a narrow screen the least needed numbers go first.
 */
static void layout(const struct table *t, int width, int want, int *w)
{
	int fixed = 2, flex = 0;	/* 2: the marker column */
	for (int i = 0; i < t->ncols; i++) {
		w[i] = t->cols[i].width;
		fixed += t->cols[i].width + 1;
		flex += t->cols[i].width == 0;
	}
	for (size_t d = 0; d < sizeof(narrow_drops) / sizeof(narrow_drops[0]); d++)
		if (fixed + flex * (want + 1) > width)
			fixed -= drop_column(t, narrow_drops[d], w);
	int rest = width - fixed;
	for (int i = 0; i < t->ncols; i++)
		if (t->cols[i].width == 0) {
			w[i] = flex ? rest / flex : 0;
			if (w[i] < 6)
				w[i] = 6;
		}
}

/* wanted_width - the longest text of the flexible columns in the rows shown (up to 40) */
static int wanted_width(struct console *c, const struct table *t, int rows)
{
	int want = 12;
	struct buf cell = BUF_INIT;
	for (int r = 0; r < rows && t->top + (size_t)r < t->nrows; r++)
		for (int col = 0; col < t->ncols; col++) {
			if (t->cols[col].width)
				continue;
			buf_reset(&cell);
			table_cell(t, &c->ctx, &t->rows[t->top + (size_t)r], col, &cell);
			int n = screen_width(cell.data ? cell.data : "", cell.len);
			if (n > want)
				want = n < 40 ? n : 40;
		}
	buf_free(&cell);
	return want;
}

static void draw_view_line(struct console *c, const struct table *t)
{
	struct buf b = BUF_INIT;
	if (console_top(c)) {	/* a drill-down */
		buf_puts(&b, t->title);
		buf_puts(&b, " ");
		buf_append(&b, t->parent.data ? t->parent.data : "", t->parent.len);
		buf_puts(&b, " - ");
	}
	buf_printf(&b, "%zu rows", t->nrows);
	if (t->kind == TK_QUEUE && c->host_filter > 0)	/* the rows are this machine's queue files */
		buf_printf(&b, ": this tab lists %s's queue, read here; %s's is counted on the queue line",
			   model_host_name(c->model, 0), model_host_name(c->model, c->host_filter));
	else if (c->host_filter >= 0)
		buf_printf(&b, " on host %s only", model_host_name(c->model, c->host_filter));
	if (t->filter.len)
		buf_printf(&b, " of %zu, filter /%s/", t->total, buf_str(&t->filter));
	buf_printf(&b, ", sorted by %s%s", t->cols[t->sort_col].title, t->sort_reverse ? " (reversed)" : "");
	if (t->tags.count)
		buf_printf(&b, ", %zu tagged", t->tags.count);
	screen_text(4, 0, COLS, b.data, b.len, screen_style(ST_HEADER), ALIGN_LEFT);
	buf_free(&b);
}

static void draw_table(struct console *c, struct table *t)
{
	int w[TABLE_MAX_COLUMNS], rows = draw_table_rows();
	if (t->cursor < t->top)
		t->top = t->cursor;
	if (t->cursor >= t->top + (size_t)rows)
		t->top = t->cursor - (size_t)rows + 1;
	layout(t, COLS, wanted_width(c, t, rows), w);
	int shown_last = -1;	/* the last column shown takes the rest of the line */
	for (int i = 0; i < t->ncols; i++)
		if (w[i])
			shown_last = i;
	draw_view_line(c, t);
	int y = HEADER_ROWS, x = 2;
	move(y, 0);
	attrset(screen_style(ST_TITLE));
	for (int i = 0; i < COLS; i++)
		addch(' ');
	for (int i = 0; i < t->ncols && x < COLS; i++) {
		if (w[i] == 0)
			continue;
		int attr = screen_style(ST_TITLE) | (i == t->sort_col ? A_BOLD | A_UNDERLINE : 0);
		screen_text(y, x, w[i], t->cols[i].title, strlen(t->cols[i].title), attr,
			    t->cols[i].numeric ? ALIGN_RIGHT : ALIGN_LEFT);
		x += w[i] + 1;
	}
	attrset(A_NORMAL);
	struct buf cell = BUF_INIT;
	for (int r = 0; r < rows; r++) {
		size_t i = t->top + (size_t)r;
		y = HEADER_ROWS + 1 + r;
		move(y, 0);
		clrtoeol();
		if (i >= t->nrows)
			continue;
		const struct table_row *row = &t->rows[i];
		int attr = i == t->cursor ? screen_style(ST_CURSOR)
			   : row->flags & ROW_TAGGED ? screen_style(ST_TAGGED)
			   : row->flags & ROW_SUSPECT ? screen_style(ST_SUSPECT) : (int)A_NORMAL;
		const char *mark = row->flags & ROW_TAGGED ? "*" : row->flags & ROW_SUSPECT ? "!" : " ";
		screen_puts(y, 0, COLS, "", attr);	/* the whole row, gaps included */
		screen_puts(y, 0, 2, mark, attr);
		x = 2;
		for (int col = 0; col < t->ncols && x < COLS; col++) {
			if (w[col] == 0)
				continue;
			buf_reset(&cell);
			table_cell(t, &c->ctx, row, col, &cell);
			int last = col == shown_last;
			int width = last ? COLS - x : w[col];	/* the last column takes the rest */
			screen_puts(y, x, width, "", attr);
			screen_text(y, x, w[col] < width ? w[col] : width, cell.data ? cell.data : "", cell.len, attr,
				    t->cols[col].numeric ? ALIGN_RIGHT : ALIGN_LEFT);
			if (last && !t->cols[col].numeric)	/* the last text column takes the rest */
				screen_text(y, x, width, cell.data ? cell.data : "", cell.len, attr, ALIGN_LEFT);
			x += w[col] + 1;
		}
	}
	buf_free(&cell);
	if (t->nrows == 0) {
		const char *empty = t->filter.len ? "No row matches the filter." : c->reading_history
				    ? "Reading the log..." : "Nothing here yet.";
		put(HEADER_ROWS + 2, 2, COLS - 2, empty, ST_DIM);
	}
}

/* first_shown - p->top, or, when the page is scrolled to its end and wrapped
 * lines would push the last ones off the screen, the first line from which
 * the end fits (the scroll position itself is not changed: this only draws) */
static size_t first_shown(const struct pager *p, int rows, int width)
{
	if (p->top + (size_t)rows < p->nlines)
		return p->top;
	size_t first = p->nlines;
	int used = 0;
	while (first > p->top) {
		size_t len;
		const char *s = pager_line(p, first - 1, &len);
		used += screen_text_rows(s, len, width);
		if (used > rows)
			break;
		first--;
	}
	return first;
}

static void draw_pager(const struct pager *p, int y0, int rows, int x0, int width, int base_attr)
{
	static const enum screen_style line_styles[] = {
		[LS_TEXT] = ST_NORMAL, [LS_HEADING] = ST_HEADER, [LS_DIM] = ST_DIM, [LS_ALERT] = ST_SUSPECT,
	};
	size_t i = first_shown(p, rows, width);
	for (int r = 0; r < rows;) {	/* long lines wrap, so a log line is read whole */
		if (i >= p->nlines) {
			screen_puts(y0 + r++, x0, width, "", base_attr);
			continue;
		}
		size_t len;
		const char *s = pager_line(p, i, &len);
		int attr = base_attr ? base_attr : screen_style(line_styles[p->styles[i]]);
		r += screen_text_wrap(y0 + r, x0, width, rows - r, s, len, attr);
		i++;
	}
}

static void draw_status(struct console *c, enum keymap_scope scope)
{
	int y = LINES - 1;
	if (c->message[0]) {
		put(y, 0, COLS, c->message, c->message_is_error ? ST_CRIT : ST_STATUS);
		return;
	}
	static const struct {
		enum action_id action;
		const char *word;
	} hints[] = {	/* the most needed first: what does not fit is left out */
		{ACTION_STEP_DO, "do"}, {ACTION_STEP_NEXT, "next"}, {ACTION_STEP_BACK, "back a step"},
		{ACTION_ENTER, "open"}, {ACTION_BACK, "back"}, {ACTION_HELP, "help"}, {ACTION_QUIT, "quit"},
		{ACTION_FILTER, "filter"}, {ACTION_HOLD_ALL, "hold all"}, {ACTION_DELETE, "delete"},
		{ACTION_RELEASE_ALL, "release all"}, {ACTION_CLEANUP, "cleanup"}, {ACTION_WHY, "why"},
	};
	struct buf b = BUF_INIT, k = BUF_INIT;
	int held = c->queue && c->queue->by_queue[QN_HOLD] > 0;
	for (int pass = 0; pass < 2; pass++) {	/* 0: what is never left out; 1: the rest, in order */
		for (size_t i = 0; i < sizeof(hints) / sizeof(hints[0]); i++) {
			int urgent = held && hints[i].action == ACTION_RELEASE_ALL;	/* once anything is held */
			if (urgent != (pass == 0))
				continue;
			buf_reset(&k);
			keymap_keys_for(&c->keys, scope, hints[i].action, &k);
			if (k.len == 0)
				continue;
			char *comma = strchr(k.data, ',');	/* the first key is enough here */
			int klen = comma ? (int)(comma - k.data) : (int)k.len;
			if (b.len + (size_t)klen + strlen(hints[i].word) + 3 > (size_t)COLS)
				continue;
			buf_printf(&b, " %.*s %s ", klen, k.data, hints[i].word);
		}
	}
	put(y, 0, COLS, buf_str(&b), ST_STATUS);
	buf_free(&b);
	buf_free(&k);
}

void draw_dialog_view(struct console *c, struct view *v)
{
	(void)c;
	const struct pager *d = &v->pager;
	int w = COLS - 8 > 100 ? 100 : COLS - 8;
	int h = 2;
	for (size_t i = 0; i < d->nlines; i++) {	/* long lines wrap */
		size_t len;
		const char *s = pager_line(d, i, &len);
		int cols = screen_width(s, len);
		h += cols > w - 2 ? (cols + w - 3) / (w - 2) : 1;
	}
	if (h > LINES - 4)
		h = LINES - 4;
	int y0 = (LINES - h) / 2, x0 = (COLS - w) / 2;
	int attr = screen_style(ST_DIALOG);
	screen_puts(y0, x0, w, "", attr);
	screen_text(y0, x0 + 1, w - 2, d->title, strlen(d->title), attr | A_BOLD, ALIGN_LEFT);
	for (int r = 1; r < h - 1; r++) {	/* a margin inside the box */
		mvaddch(y0 + r, x0, ' ' | (chtype)attr);
		mvaddch(y0 + r, x0 + w - 1, ' ' | (chtype)attr);
	}
	draw_pager(&v->pager, y0 + 1, h - 2, x0 + 1, w - 2, attr);
	screen_puts(y0 + h - 1, x0, w, "", attr);
}

void draw_prompt_view(struct console *c, struct view *v)
{
	(void)c;
	struct buf b = BUF_INIT;
	buf_puts(&b, "Filter (PCRE2, case-insensitive; Enter applies, empty clears, C-u erases, Esc cancels): /");
	buf_append(&b, v->input.data ? v->input.data : "", v->input.len);
	put(LINES - 1, 0, COLS, buf_str(&b), ST_STATUS);
	buf_free(&b);
}

void draw_page_view(struct console *c, struct view *v)
{
	(void)c;
	put(4, 0, COLS, v->pager.title, ST_HEADER);
	draw_pager(&v->pager, HEADER_ROWS, LINES - HEADER_ROWS - 1, 0, COLS, 0);
}

void draw_rows_view(struct console *c, struct view *v)
{
	(void)v;
	if (c->reading_history)	/* the tables wait for the history */
		put(4, 0, COLS, "The tables appear when the history is read; q quits.", ST_DIM);
	else
		draw_table(c, console_table(c));
}

/* draw_console - the frame: the lines above, the content view, the status line, the modal views over them */
void draw_console(struct console *c)
{
	erase();
	if (LINES < 10 || COLS < 40) {
		put(0, 0, COLS, "terminal too small: 40x10 min", ST_WARN);
		refresh();
		return;
	}
	draw_title(c);
	draw_queue(c);
	draw_alerts(c);
	draw_tabs(c);
	const struct view_ops *ops = console_top_ops(c);
	ops->draw(c, console_top(c));
	draw_status(c, ops->scope);
	for (int i = 0; i < c->depth; i++)
		if (c->stack[i]->ops->modal)
			c->stack[i]->ops->draw(c, c->stack[i]);
	refresh();
}
