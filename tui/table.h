/*
 * table - the rows of one tab or drill-down list, built from the model and
 * the queue snapshot: columns as data, sorting, a PCRE2 filter, tags, and a
 * cursor that stays on its row while the numbers move under it.
 *
 * No curses here: the table says what is in each cell; tui/draw.c draws.
 * Rows point into the model and the snapshot, so a table is rebuilt after
 * every change of either (table_rebuild) and never kept across one.
 */
#ifndef SPAMTOP_TABLE_H
#define SPAMTOP_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "core/model/aggview.h"
#include "core/base/buf.h"
#include "core/model/detect.h"
#include "core/base/error.h"
#include "core/queue/queue.h"

enum tab_id { TAB_USERS, TAB_IPS, TAB_SENDERS, TAB_DOMAINS, TAB_QUEUE, TAB_FAILURES, TAB_LOCAL, TAB_COUNT };

enum table_kind { TK_AGG, TK_FAILURES, TK_QUEUE, TK_MESSAGES };

enum col_id {
	COL_KEY, COL_FIELD, COL_QID, COL_QUEUE, COL_AGE, COL_SIZE, COL_SENDER, COL_RCPTS,
	COL_USER, COL_IP, COL_REASON, COL_TIME, COL_STATE, COL_LAST_USER, COL_HOST, COL_INSTANCE
};

struct column {
	const char *title;
	int width;		/* 0: shares what is left with the other flexible columns */
	enum col_id id;
	enum agg_field field;	/* COL_FIELD */
	int numeric;		/* right-aligned, sorted largest first */
};

#define TABLE_MAX_COLUMNS 16

enum row_flag { ROW_SUSPECT = 1, ROW_TAGGED = 2, ROW_QUEUED = 4 };

struct table_row {
	const void *obj;	/* agg_stats, queued_msg or msg_record */
	unsigned flags;
};

/* What a table is built from; rebuilt by the console each refresh. */
struct table_ctx {
	const struct model *model;
	const struct queue_snapshot *queue;	/* may be NULL (not read yet, or --no-queue) */
	const struct suspect *suspects;
	size_t nsuspects;
	int64_t now;		/* wall-clock time, for queue ages */
	int host;		/* several hosts: -1 every host's rows, else this host's only */
};

struct string_set {
	char **items;
	size_t count, cap;
};

struct table {
	enum table_kind kind;
	enum agg_kind agg;	/* TK_AGG, TK_FAILURES; TK_MESSAGES: the parent's kind */
	char title[160];
	struct column cols[TABLE_MAX_COLUMNS];
	int ncols;
	int sort_col, sort_reverse;
	struct table_row *rows;
	size_t nrows, cap, total;	/* total: rows before the filter */
	size_t cursor, top;
	struct buf cursor_key;	/* the key under the cursor, to find it again */
	struct buf filter;	/* the pattern as typed */
	void *filter_code, *filter_data;
	struct string_set tags;
	struct buf parent;	/* TK_MESSAGES: the user, IP, sender or domain drilled into */
	int parent_host;	/* and the host it is on */
	const struct queue_snapshot *queue;	/* TK_QUEUE: the snapshot its rows are in */
};

void table_init_tab(struct table *t, enum tab_id tab);
/* A drill-down: the messages (in the queue or seen in the log) of one key. */
void table_init_messages(struct table *t, enum agg_kind parent, int host, const char *key, size_t len);
/* Several hosts: a Host column first. */
void table_add_host_column(struct table *t);
/* The host a row is on (the queue is this machine's: host 0). */
int table_row_host(const struct table *t, const struct table_row *r);
void table_free(struct table *t);

void table_rebuild(struct table *t, const struct table_ctx *ctx);
/* The text of a cell (raw, unsanitized: the screen sanitizes). */
void table_cell(const struct table *t, const struct table_ctx *ctx, const struct table_row *r, int col,
		struct buf *out);
/* The row's key: user, IP, sender, domain, or queue ID ("" for the null sender);
 * a queued message of an instance other than the default: "INSTANCE:QID". */
void table_row_key(const struct table *t, const struct table_row *r, struct buf *out);
const struct table_row *table_current(const struct table *t);
/* TK_MESSAGES: the key drilled into (user, IP, sender, domain); else NULL. */
const char *table_parent(const struct table *t);

/* Compiles pattern (case-insensitive; empty clears); -1 with err leaves the old filter. */
int table_set_filter(struct table *t, const char *pattern, struct error *err);
void table_sort_by(struct table *t, int delta);
void table_move(struct table *t, long delta);
void table_toggle_tag(struct table *t);
void table_untag_all(struct table *t);
/* Tagged keys if any, else the current row's; returns how many. */
size_t table_targets(const struct table *t, struct string_set *out);

int string_set_has(const struct string_set *s, const char *str);
int string_set_add(struct string_set *s, const char *str);
void string_set_remove(struct string_set *s, const char *str);
void string_set_free(struct string_set *s);

const char *tab_name(enum tab_id tab);
/* "in queue: deferred", "deleted", "delivered", ...: a logged message's state. */
const char *message_state(const struct msg_record *r, const struct queue_snapshot *q,
			  const struct model *m);

#endif
