/*
 * table - rows, cells, sorting, filtering and tags of a table (see table.h).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "table.h"

#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const tab_names[TAB_COUNT] = {
	[TAB_USERS] = "SASL users", [TAB_IPS] = "Client IPs", [TAB_SENDERS] = "Senders",
	[TAB_DOMAINS] = "Domains", [TAB_QUEUE] = "Queue", [TAB_FAILURES] = "Auth failures",
	[TAB_LOCAL] = "Local uids",
};

static const enum agg_kind tab_kind[TAB_COUNT] = {
	[TAB_USERS] = AGG_SASL_USER, [TAB_IPS] = AGG_CLIENT_IP, [TAB_SENDERS] = AGG_SENDER,
	[TAB_DOMAINS] = AGG_DOMAIN, [TAB_QUEUE] = AGG_SENDER, [TAB_FAILURES] = AGG_CLIENT_IP,
	[TAB_LOCAL] = AGG_LOCAL_UID,
};

/* The fixed-layout tables; the aggregate tabs take their columns from aggview. */
static const struct column failure_columns[] = {
	{"Client IP", 0, COL_KEY, 0, 0},
	{"AuthFail", 8, COL_FIELD, F_FAILURES, 1},
	{"Fail20m", 7, COL_FIELD, F_FAILURES_20M, 1},
	{"IMAP/POP", 8, COL_FIELD, F_MAILBOX_FAILURES, 1},
	{"OwnAcct", 7, COL_FIELD, F_OWN_FAILURES, 1},
	{"Reject", 6, COL_FIELD, F_REJECTS, 1},
	{"Conn", 6, COL_FIELD, F_CONNECTS, 1},
	{"Pipe", 5, COL_FIELD, F_PIPELINING, 1},
	{"Msgs", 6, COL_FIELD, F_MSGS, 1},
	{"Last SASL user tried", 0, COL_LAST_USER, 0, 0},
};

static const struct column queue_columns[] = {
	{"Queue ID", 12, COL_QID, 0, 0},
	{"Queue", 8, COL_QUEUE, 0, 0},
	{"Age", 6, COL_AGE, 0, 1},
	{"Size", 7, COL_SIZE, 0, 1},
	{"Rcpt", 4, COL_RCPTS, 0, 1},
	{"Sender", 0, COL_SENDER, 0, 0},
	{"SASL user", 0, COL_USER, 0, 0},
	{"Client IP", 15, COL_IP, 0, 0},
	{"Delay reason", 0, COL_REASON, 0, 0},
};

static const struct column message_columns[] = {
	{"Queue ID", 12, COL_QID, 0, 0},
	{"Seen", 8, COL_TIME, 0, 1},
	{"State", 10, COL_STATE, 0, 0},
	{"Size", 7, COL_SIZE, 0, 1},
	{"Rcpt", 4, COL_RCPTS, 0, 1},
	{"Sender", 0, COL_SENDER, 0, 0},
	{"SASL user", 0, COL_USER, 0, 0},
	{"Client IP", 15, COL_IP, 0, 0},
};

const char *tab_name(enum tab_id tab) { return tab_names[tab]; }

static void set_columns(struct table *t, const struct column *cols, size_t n)
{
	t->ncols = (int)(n < TABLE_MAX_COLUMNS ? n : TABLE_MAX_COLUMNS);
	memcpy(t->cols, cols, (size_t)t->ncols * sizeof(cols[0]));
}

static void table_zero(struct table *t)
{
	memset(t, 0, sizeof(*t));
	buf_init(&t->cursor_key);
	buf_init(&t->filter);
	buf_init(&t->parent);
}

void table_init_tab(struct table *t, enum tab_id tab)
{
	table_zero(t);
	t->agg = tab_kind[tab];
	snprintf(t->title, sizeof(t->title), "%s", tab_names[tab]);
	if (tab == TAB_QUEUE) {
		t->kind = TK_QUEUE;
		set_columns(t, queue_columns, sizeof(queue_columns) / sizeof(queue_columns[0]));
		t->sort_col = 2;	/* age: the oldest first */
		return;
	}
	if (tab == TAB_FAILURES) {
		t->kind = TK_FAILURES;
		set_columns(t, failure_columns, sizeof(failure_columns) / sizeof(failure_columns[0]));
		t->sort_col = 2;	/* failures in the lock-out window */
		return;
	}
	const struct agg_table_info *info = &agg_tables[t->agg];
	t->kind = TK_AGG;
	t->cols[0] = (struct column){info->key_title, 0, COL_KEY, 0, 0};
	t->ncols = 1;
	for (const enum agg_field *f = info->columns; *f != F_FIELD_COUNT && t->ncols < TABLE_MAX_COLUMNS; f++) {
		if (*f == info->sort)
			t->sort_col = t->ncols;
		t->cols[t->ncols++] = (struct column){agg_fields[*f].title, agg_fields[*f].width, COL_FIELD, *f, 1};
	}
}

void table_init_messages(struct table *t, enum agg_kind parent, int host, const char *key, size_t len)
{
	table_zero(t);
	t->kind = TK_MESSAGES;
	t->agg = parent;
	t->parent_host = host;
	buf_append(&t->parent, key, len);
	set_columns(t, message_columns, sizeof(message_columns) / sizeof(message_columns[0]));
	t->sort_col = 1;	/* newest first */
	snprintf(t->title, sizeof(t->title), "Messages of %s", agg_tables[parent].key_title);
}

void table_add_host_column(struct table *t)
{
	if (t->ncols == TABLE_MAX_COLUMNS || (t->ncols && t->cols[0].id == COL_HOST))
		return;
	memmove(&t->cols[1], &t->cols[0], (size_t)t->ncols * sizeof(t->cols[0]));
	t->cols[0] = (struct column){"Host", 10, COL_HOST, 0, 0};
	t->ncols++;
	t->sort_col++;
}

void table_free(struct table *t)
{
	free(t->rows);
	buf_free(&t->cursor_key);
	buf_free(&t->filter);
	buf_free(&t->parent);
	pcre2_code_free(t->filter_code);
	pcre2_match_data_free(t->filter_data);
	string_set_free(&t->tags);
	t->rows = NULL;
	t->filter_code = t->filter_data = NULL;
}

/* ---- what a row is ---- */

static const struct istr *row_istr(const struct table *t, const struct table_row *r, enum col_id c)
{
	const struct queued_msg *q = r->obj;
	const struct msg_record *m = r->obj;
	int queued = t->kind == TK_QUEUE;
	switch (c) {
	case COL_SENDER: return queued ? q->sender : m->sender;
	case COL_USER: return queued ? q->sasl_user : m->sasl_user;
	case COL_IP: return queued ? q->client_ip : m->client_ip;
	case COL_REASON: return queued ? q->delay_reason : NULL;
	case COL_LAST_USER: return ((const struct agg_stats *)r->obj)->last_user;
	default: return NULL;
	}
}

static const char *row_qid(const struct table *t, const struct table_row *r)
{
	return t->kind == TK_QUEUE ? ((const struct queued_msg *)r->obj)->qid
				   : ((const struct msg_record *)r->obj)->qid;
}

int table_row_host(const struct table *t, const struct table_row *r)
{
	switch (t->kind) {
	case TK_QUEUE: return 0;
	case TK_MESSAGES: return ((const struct msg_record *)r->obj)->host;
	default: return ((const struct agg_stats *)r->obj)->host;
	}
}

void table_row_key(const struct table *t, const struct table_row *r, struct buf *out)
{
	if (t->kind == TK_QUEUE && t->queue) {
		queue_ref(t->queue, r->obj, out);
		return;
	}
	if (t->kind == TK_QUEUE || t->kind == TK_MESSAGES) {
		buf_puts(out, row_qid(t, r));
		return;
	}
	const struct istr *k = ((const struct agg_stats *)r->obj)->key;
	buf_append(out, k->s, k->len);
}

const char *message_state(const struct msg_record *r, const struct queue_snapshot *q,
			  const struct model *m)
{
	const struct queued_msg *in = q ? queue_find_record(q, m, r) : NULL;	/* q is host 0's */
	if (in)
		return queue_name_str(in->queue);
	if (r->flags & RF_DELETED)
		return "deleted";
	if (r->flags & RF_EXPIRED)
		return "expired";
	if (r->flags & RF_REJECTED)
		return "rejected";
	if (r->flags & RF_DISCARDED)
		return "discarded";
	if (r->flags & RF_REMOVED)
		return r->bounced ? "bounced" : "delivered";
	if (r->flags & RF_HELD)
		return "held";
	return r->deferred ? "deferred" : "open";
}

static uint64_t cell_number(const struct table *t, const struct table_ctx *ctx, const struct table_row *r,
			    const struct column *c)
{
	const struct queued_msg *q = r->obj;
	const struct msg_record *m = r->obj;
	int queued = t->kind == TK_QUEUE;
	switch (c->id) {
	case COL_FIELD: return agg_field_value(ctx->model, r->obj, c->field);
	case COL_AGE: return ctx->now > q->arrival ? (uint64_t)(ctx->now - q->arrival) : 0;
	case COL_SIZE: return queued ? q->size : m->size;
	case COL_RCPTS: return queued ? q->nrcpt : m->nrcpt;
	case COL_TIME: return (uint64_t)m->first_seen;
	default: return 0;
	}
}

static void put_istr(struct buf *out, const struct istr *s, const char *empty)
{
	if (s == NULL)
		buf_puts(out, "-");
	else if (s->len == 0)
		buf_puts(out, empty);
	else
		buf_append(out, s->s, s->len);
}

static void put_age(struct buf *out, uint64_t secs)
{
	if (secs < 60)
		buf_printf(out, "%llus", (unsigned long long)secs);
	else if (secs < 3600)
		buf_printf(out, "%llum", (unsigned long long)(secs / 60));
	else if (secs < 86400 * 2)
		buf_printf(out, "%lluh", (unsigned long long)(secs / 3600));
	else
		buf_printf(out, "%llud", (unsigned long long)(secs / 86400));
}

static void put_count(struct buf *out, uint64_t v)
{
	if (v < 100000)
		buf_printf(out, "%llu", (unsigned long long)v);
	else if (v < 100000000)
		buf_printf(out, "%lluk", (unsigned long long)(v / 1000));
	else
		buf_printf(out, "%lluM", (unsigned long long)(v / 1000000));
}

void table_cell(const struct table *t, const struct table_ctx *ctx, const struct table_row *r, int col,
		struct buf *out)
{
	const struct column *c = &t->cols[col];
	switch (c->id) {
	case COL_KEY: {
		struct strview key = agg_shown_key(r->obj);
		buf_append(out, key.ptr, key.len);
		break;
	}
	case COL_QID:
		buf_puts(out, row_qid(t, r));
		break;
	case COL_HOST:
		buf_puts(out, model_host_name(ctx->model, table_row_host(t, r)));
		break;
	case COL_INSTANCE:
		if (ctx->queue)
			buf_puts(out, instance_label(queue_instance(ctx->queue, r->obj)));
		break;
	case COL_QUEUE:
		buf_puts(out, queue_name_str(((const struct queued_msg *)r->obj)->queue));
		break;
	case COL_STATE:
		buf_puts(out, message_state(r->obj, ctx->queue, ctx->model));
		break;
	case COL_AGE:
		put_age(out, cell_number(t, ctx, r, c));
		break;
	case COL_TIME: {
		time_t when = (time_t)((const struct msg_record *)r->obj)->first_seen;
		struct tm tm;
		char s[16];
		strftime(s, sizeof(s), "%H:%M:%S", localtime_r(&when, &tm));
		buf_puts(out, s);
		break;
	}
	case COL_SENDER:
	case COL_USER:
	case COL_IP:
	case COL_REASON:
	case COL_LAST_USER:
		put_istr(out, row_istr(t, r, c->id), c->id == COL_SENDER ? "<>" : "-");
		break;
	default:
		put_count(out, cell_number(t, ctx, r, c));
	}
}

/* ---- building ---- */

static int add_row(struct table *t, const struct table_ctx *ctx, const void *obj, unsigned flags)
{
	if (ctx->host >= 0 && table_row_host(t, &(struct table_row){obj, 0}) != ctx->host)
		return 0;
	if (t->nrows == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 256;
		struct table_row *n = realloc(t->rows, ncap * sizeof(*n));
		if (n == NULL)
			return -1;
		t->rows = n;
		t->cap = ncap;
	}
	t->rows[t->nrows++] = (struct table_row){obj, flags};
	return 0;
}

static int matches(const struct table *t, const struct istr *s)
{
	return s && pcre2_match(t->filter_code, (PCRE2_SPTR)s->s, s->len, 0, 0, t->filter_data, NULL) >= 0;
}

/* passes_filter - the key, or for messages any of ID, sender, user, IP */
static int passes_filter(const struct table *t, const struct table_row *r)
{
	if (t->filter_code == NULL)
		return 1;
	if (t->kind == TK_AGG || t->kind == TK_FAILURES)
		return matches(t, ((const struct agg_stats *)r->obj)->key);
	const char *qid = row_qid(t, r);
	if (pcre2_match(t->filter_code, (PCRE2_SPTR)qid, strlen(qid), 0, 0, t->filter_data, NULL) >= 0)
		return 1;
	return matches(t, row_istr(t, r, COL_SENDER)) || matches(t, row_istr(t, r, COL_USER))
	    || matches(t, row_istr(t, r, COL_IP));
}

static int is_suspect(const struct table_ctx *ctx, const struct istr *key, int user)
{
	for (size_t i = 0; key && i < ctx->nsuspects; i++) {
		const struct suspect *s = &ctx->suspects[i];
		if (s->agg->key == key && (s->kind == SUSPECT_SASL_USER) == user)
			return 1;
	}
	return 0;
}

static unsigned row_flags(const struct table *t, const struct table_ctx *ctx, const struct table_row *r)
{
	unsigned f = 0;
	if (t->kind == TK_AGG || t->kind == TK_FAILURES) {
		for (size_t i = 0; i < ctx->nsuspects; i++)	/* the suspect is this very aggregate */
			if (ctx->suspects[i].agg == r->obj)
				f |= ROW_SUSPECT;
	} else if (is_suspect(ctx, row_istr(t, r, COL_USER), 1) || is_suspect(ctx, row_istr(t, r, COL_IP), 0)
		   || is_suspect(ctx, t->kind == TK_QUEUE ? ((const struct queued_msg *)r->obj)->local_uid
				 : ((const struct msg_record *)r->obj)->local_uid, 0)) {
		f |= ROW_SUSPECT;
	}
	struct buf key = BUF_INIT;
	table_row_key(t, r, &key);
	if (t->tags.count && table_row_host(t, r) == 0 && string_set_has(&t->tags, buf_str(&key)))	/* tags act here */
		f |= ROW_TAGGED;
	buf_free(&key);
	return f;
}

struct message_walk {
	struct table *t;
	const struct table_ctx *ctx;
	const struct agg_stats *parent;
};

static int add_message(const struct msg_record *rec, void *arg)
{
	struct message_walk *w = arg;
	uint32_t idx = rec->agg[w->t->agg];
	if (idx && model_agg_at(w->ctx->model, w->t->agg, idx - 1) == w->parent)
		add_row(w->t, w->ctx, rec, 0);
	return 0;
}

static void collect(struct table *t, const struct table_ctx *ctx)
{
	if (t->kind == TK_QUEUE) {
		for (size_t i = 0; ctx->queue && i < ctx->queue->count; i++)
			add_row(t, ctx, &ctx->queue->msgs[i], 0);
	} else if (t->kind == TK_MESSAGES) {
		struct message_walk w = {t, ctx, model_agg_find_host(ctx->model, t->parent_host, t->agg,
								      t->parent.data ? t->parent.data : "", t->parent.len)};
		if (w.parent)
			model_foreach_record(ctx->model, add_message, &w);
	} else {
		for (size_t i = 0; i < model_agg_count(ctx->model, t->agg); i++) {
			const struct agg_stats *a = model_agg_at(ctx->model, t->agg, i);
			if (t->kind == TK_FAILURES && a->sasl_failures == 0)
				continue;
			add_row(t, ctx, a, 0);
		}
	}
}

/* sorting: qsort has no context argument, so the comparison reads these */
static const struct table *sort_table;
static const struct table_ctx *sort_ctx;

static int compare_rows(const void *x, const void *y)
{
	const struct table_row *a = x, *b = y;
	const struct column *c = &sort_table->cols[sort_table->sort_col];
	int r = 0;
	if (c->numeric) {
		uint64_t va = cell_number(sort_table, sort_ctx, a, c), vb = cell_number(sort_table, sort_ctx, b, c);
		r = va == vb ? 0 : va < vb ? 1 : -1;
	} else {
		struct buf ta = BUF_INIT, tb = BUF_INIT;
		table_cell(sort_table, sort_ctx, a, sort_table->sort_col, &ta);
		table_cell(sort_table, sort_ctx, b, sort_table->sort_col, &tb);
		r = strcmp(buf_str(&ta), buf_str(&tb));
		buf_free(&ta);
		buf_free(&tb);
	}
	if (r == 0) {	/* ties in a stable, readable order: by key */
		struct buf ka = BUF_INIT, kb = BUF_INIT;
		table_row_key(sort_table, a, &ka);
		table_row_key(sort_table, b, &kb);
		r = strcmp(buf_str(&ka), buf_str(&kb));
		buf_free(&ka);
		buf_free(&kb);
		return r;
	}
	return sort_table->sort_reverse ? -r : r;
}

/* find_cursor - put the cursor back on the row it was on */
static void find_cursor(struct table *t)
{
	if (t->cursor_key.len) {
		struct buf key = BUF_INIT;
		for (size_t i = 0; i < t->nrows; i++) {
			buf_reset(&key);
			table_row_key(t, &t->rows[i], &key);
			if (key.len == t->cursor_key.len && memcmp(key.data, t->cursor_key.data, key.len) == 0) {
				t->cursor = i;
				break;
			}
		}
		buf_free(&key);
	}
	if (t->cursor >= t->nrows)
		t->cursor = t->nrows ? t->nrows - 1 : 0;
}

static void remember_cursor(struct table *t)
{
	buf_reset(&t->cursor_key);
	if (t->cursor < t->nrows)
		table_row_key(t, &t->rows[t->cursor], &t->cursor_key);
}

/* add_instance_column - the queue of several Postfix instances: an Instance
 * column after the queue ID */
static void add_instance_column(struct table *t, const struct queue_snapshot *q)
{
	if (t->kind != TK_QUEUE || q == NULL || q->inst.count < 2 || t->ncols == TABLE_MAX_COLUMNS)
		return;
	for (int i = 0; i < t->ncols; i++)
		if (t->cols[i].id == COL_INSTANCE)
			return;
	memmove(&t->cols[2], &t->cols[1], (size_t)(t->ncols - 1) * sizeof(t->cols[0]));
	t->cols[1] = (struct column){"Instance", 12, COL_INSTANCE, 0, 0};
	t->ncols++;
	if (t->sort_col >= 1)
		t->sort_col++;
}

void table_rebuild(struct table *t, const struct table_ctx *ctx)
{
	t->nrows = 0;
	t->queue = ctx->queue;
	add_instance_column(t, ctx->queue);
	collect(t, ctx);
	t->total = t->nrows;
	size_t kept = 0;
	for (size_t i = 0; i < t->nrows; i++)
		if (passes_filter(t, &t->rows[i]))
			t->rows[kept++] = t->rows[i];
	t->nrows = kept;
	for (size_t i = 0; i < t->nrows; i++)
		t->rows[i].flags = row_flags(t, ctx, &t->rows[i]);
	sort_table = t;
	sort_ctx = ctx;
	if (t->nrows > 1)
		qsort(t->rows, t->nrows, sizeof(t->rows[0]), compare_rows);
	find_cursor(t);
	remember_cursor(t);
}

const char *table_parent(const struct table *t)
{
	return t->kind == TK_MESSAGES ? buf_str(&t->parent) : NULL;
}

const struct table_row *table_current(const struct table *t)
{
	return t->cursor < t->nrows ? &t->rows[t->cursor] : NULL;
}

/* ---- controls ---- */

int table_set_filter(struct table *t, const char *pattern, struct error *err)
{
	pcre2_code *code = NULL;
	pcre2_match_data *data = NULL;
	if (*pattern) {
		int ecode;
		PCRE2_SIZE eoff;
		code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
				     PCRE2_CASELESS | PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &ecode, &eoff, NULL);
		if (code == NULL) {
			PCRE2_UCHAR msg[160];
			pcre2_get_error_message(ecode, msg, sizeof(msg));
			error_set(err, "bad pattern at offset %zu: %s", (size_t)eoff, (char *)msg);
			return -1;
		}
		data = pcre2_match_data_create_from_pattern(code, NULL);
	}
	pcre2_code_free(t->filter_code);
	pcre2_match_data_free(t->filter_data);
	t->filter_code = code;
	t->filter_data = data;
	buf_reset(&t->filter);
	buf_puts(&t->filter, pattern);
	return 0;
}

void table_sort_by(struct table *t, int delta)
{
	t->sort_col = (t->sort_col + delta + t->ncols) % t->ncols;
	t->sort_reverse = 0;
}

void table_move(struct table *t, long delta)
{
	long c = (long)t->cursor + delta;
	if (c < 0 || t->nrows == 0)
		c = 0;
	else if ((size_t)c >= t->nrows)
		c = (long)t->nrows - 1;
	t->cursor = (size_t)c;
	remember_cursor(t);
}

void table_toggle_tag(struct table *t)
{
	const struct table_row *r = table_current(t);
	if (r == NULL)
		return;
	struct buf key = BUF_INIT;
	table_row_key(t, r, &key);
	if (string_set_has(&t->tags, buf_str(&key))) {
		string_set_remove(&t->tags, buf_str(&key));
		t->rows[t->cursor].flags &= ~(unsigned)ROW_TAGGED;
	} else if (string_set_add(&t->tags, buf_str(&key)) == 0) {
		t->rows[t->cursor].flags |= ROW_TAGGED;
	}
	buf_free(&key);
}

void table_untag_all(struct table *t)
{
	string_set_free(&t->tags);
	for (size_t i = 0; i < t->nrows; i++)
		t->rows[i].flags &= ~(unsigned)ROW_TAGGED;
}

size_t table_targets(const struct table *t, struct string_set *out)
{
	for (size_t i = 0; i < t->tags.count; i++)
		string_set_add(out, t->tags.items[i]);
	const struct table_row *r = table_current(t);
	if (out->count == 0 && r) {
		struct buf key = BUF_INIT;
		table_row_key(t, r, &key);
		string_set_add(out, buf_str(&key));
		buf_free(&key);
	}
	return out->count;
}

/* ---- a small set of strings (tags) ---- */

int string_set_has(const struct string_set *s, const char *str)
{
	for (size_t i = 0; i < s->count; i++)
		if (strcmp(s->items[i], str) == 0)
			return 1;
	return 0;
}

int string_set_add(struct string_set *s, const char *str)
{
	if (string_set_has(s, str))
		return 0;
	if (s->count == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 16;
		char **n = realloc(s->items, ncap * sizeof(*n));
		if (n == NULL)
			return -1;
		s->items = n;
		s->cap = ncap;
	}
	char *copy = strdup(str);
	if (copy == NULL)
		return -1;
	s->items[s->count++] = copy;
	return 0;
}

void string_set_remove(struct string_set *s, const char *str)
{
	for (size_t i = 0; i < s->count; i++)
		if (strcmp(s->items[i], str) == 0) {
			free(s->items[i]);
			s->items[i] = s->items[--s->count];
			return;
		}
}

void string_set_free(struct string_set *s)
{
	for (size_t i = 0; i < s->count; i++)
		free(s->items[i]);
	free(s->items);
	memset(s, 0, sizeof(*s));
}
