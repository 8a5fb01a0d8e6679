/*
 * report - text and JSON reports over the model (see report.h).
 *
 * Both forms walk the same tables (aggview.h), so a column added there
 * shows in both.
 */
#include "core/incident/report.h"

#include <jansson.h>
#include <string.h>
#include <time.h>

#include "core/model/aggview.h"
#include "core/base/json_out.h"
#include "core/base/sanitize.h"

#define REPORT_SCHEMA "spamtop.report/1"

/* ---- JSON ---- */

static json_t *json_text(const char *s, size_t len)
{
	struct buf b = BUF_INIT;
	sanitize_utf8(&b, s, len);
	json_t *j = b.failed ? json_null() : json_stringn(buf_str(&b), b.len);
	buf_free(&b);
	return j ? j : json_null();
}

static json_t *json_time(int64_t t)
{
	if (t == 0)
		return json_null();
	char tmp[32];
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(tmp, sizeof(tmp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(tmp);
}

static void set_u64(json_t *o, const char *key, uint64_t v)
{
	json_object_set_new(o, key, json_integer((json_int_t)v));
}

static json_t *agg_json(const struct model *m, const struct agg_table_info *ti,
			const struct agg_stats *a)
{
	json_t *o = json_object();
	struct strview key = agg_shown_key(a);
	json_object_set_new(o, "key", json_text(key.ptr, key.len));
	if (model_host_count(m) > 1)
		json_object_set_new(o, "host", json_string(model_host_name(m, a->host)));
	if (a->several_spellings)	/* a SASL user logged in several cases: one account */
		json_object_set_new(o, "several_spellings", json_true());
	for (int f = 0; f < F_FIELD_COUNT; f++)
		set_u64(o, agg_fields[f].name, agg_field_value(m, a, (enum agg_field)f));
	set_u64(o, "peak_1m", a->peak_1m);
	json_object_set_new(o, "first_seen", json_time(a->first_seen));
	json_object_set_new(o, "last_seen", json_time(a->last_seen));
	if (ti->kind == AGG_SASL_USER && a->proxied)	/* past a Postfix block of the account */
		set_u64(o, "submission_proxy", a->proxied);
	if (ti->kind == AGG_SASL_USER && a->cracked_from) {	/* logged in where logins had failed */
		json_object_set_new(o, "login_after_failures_from", json_text(a->cracked_from->s, a->cracked_from->len));
		set_u64(o, "failures_before_login", a->failures_before_login);
	}
	if (ti->kind == AGG_CLIENT_IP) {
		set_u64(o, "peak_sasl_failures_20m", a->peak_failures_20m);
		json_object_set_new(o, "last_sasl_user",
				    a->last_user ? json_text(a->last_user->s, a->last_user->len)
						 : json_null());
	}
	return o;
}

static json_t *tables_json(const struct model *m, const struct report_options *o, json_t *root)
{
	const struct agg_stats **rows = calloc(o->top ? o->top : 1, sizeof(*rows));
	if (rows == NULL)
		return NULL;
	for (int k = 0; k < AGG_KIND_COUNT; k++) {
		const struct agg_table_info *ti = &agg_tables[k];
		size_t n = agg_top(m, ti->kind, ti->sort, 0, rows, o->top);
		json_t *arr = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(arr, agg_json(m, ti, rows[i]));
		json_object_set_new(root, ti->name, arr);
	}
	/* brute force view: client IPs by SASL failures */
	size_t n = agg_top(m, AGG_CLIENT_IP, F_FAILURES, 1, rows, o->top);
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, agg_json(m, &agg_tables[AGG_CLIENT_IP], rows[i]));
	json_object_set_new(root, "auth_failures", arr);
	free(rows);
	return root;
}

static json_t *suspects_json(const struct model *m, const struct report_options *o)
{
	struct suspect list[64];
	size_t n = detect_suspects(m, &o->thresholds, list, 64);
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		const struct suspect *s = &list[i];
		json_t *j = json_object();
		json_object_set_new(j, "kind", json_string(suspect_kind_name(s->kind)));
		struct strview key = agg_shown_key(s->agg);
		json_object_set_new(j, "key", json_text(key.ptr, key.len));
		if (model_host_count(m) > 1)
			json_object_set_new(j, "host", json_string(model_host_name(m, s->agg->host)));
		set_u64(j, "messages", s->agg->msgs);
		set_u64(j, "client_ips", s->agg->distinct_ips);
		set_u64(j, "client_ips_in_window", s->agg->peak_window_sources);
		set_u64(j, "unauthenticated", s->agg->unauth_msgs);
		set_u64(j, "sasl_failures", s->agg->sasl_failures);
		json_t *reasons = json_array();
		for (int r = 0; r < s->nreasons; r++)
			json_array_append_new(reasons, json_string(s->reasons[r]));
		json_object_set_new(j, "reasons", reasons);
		json_array_append_new(arr, j);
	}
	return arr;
}

static json_t *totals_json(const struct model *m)
{
	const struct model_totals *t = model_totals(m);
	json_t *o = json_object();
	set_u64(o, "messages", t->messages);
	set_u64(o, "authenticated", t->auth_messages);
	set_u64(o, "unauthenticated", t->unauth_messages);
	set_u64(o, "local_submissions", t->local_submissions);
	set_u64(o, "bounce_notices", t->bounce_notices);
	set_u64(o, "filter_copies", t->filter_copies);
	set_u64(o, "submission_proxy", t->proxied_messages);
	set_u64(o, "before_queue_filter", t->front_messages);
	set_u64(o, "requeued_copies", t->requeued_copies);
	set_u64(o, "null_sender", t->null_sender);
	set_u64(o, "recipients", t->rcpts);
	set_u64(o, "bytes", t->bytes_queued);
	set_u64(o, "sent", t->sent);
	set_u64(o, "deferred", t->deferred);
	set_u64(o, "bounced", t->bounced);
	set_u64(o, "expired", t->expired);
	set_u64(o, "connects", t->connects);
	set_u64(o, "sasl_failures", t->sasl_failures);
	set_u64(o, "mailbox_login_failures", t->mailbox_failures);
	set_u64(o, "sasl_server_faults", t->sasl_server_faults);
	set_u64(o, "pipelining", t->pipelining);
	set_u64(o, "rejects", t->rejects);
	set_u64(o, "held", t->held);
	set_u64(o, "released", t->released);
	set_u64(o, "deleted", t->deleted);
	set_u64(o, "requeued", t->requeued);
	set_u64(o, "held_by_summary", t->summary_held);
	set_u64(o, "released_by_summary", t->summary_released);
	set_u64(o, "deleted_by_summary", t->summary_deleted);
	set_u64(o, "open_records", model_open_count(m));
	set_u64(o, "evicted_open_records", t->evicted_open);
	json_t *by_class = json_object(), *by_code = json_object();
	for (int c = 0; c < RJ_CLASS_COUNT; c++)
		if (t->rejects_by_class[c])
			set_u64(by_class, reject_class_name((enum reject_class)c), t->rejects_by_class[c]);
	for (size_t i = 0; i < sizeof(t->reject_codes) / sizeof(t->reject_codes[0]); i++)
		if (t->reject_codes[i].count)
			set_u64(by_code, t->reject_codes[i].code, t->reject_codes[i].count);
	json_t *rej = json_object();
	json_object_set_new(rej, "by_class", by_class);
	json_object_set_new(rej, "by_code", by_code);
	json_object_set_new(o, "rejects_breakdown", rej);
	return o;
}

static json_t *input_json(const struct model *m, const struct report_options *o)
{
	const struct model_totals *t = model_totals(m);
	json_t *in = json_object();
	json_t *names = json_array();
	for (const char *const *s = o->sources; s && *s; s++)
		json_array_append_new(names, json_text(*s, strlen(*s)));
	json_object_set_new(in, "sources", names);
	if (model_host_count(m) > 1) {	/* named, or the names a central log's lines were logged with */
		json_t *hosts = json_array();
		for (int h = 0; h < model_host_count(m); h++) {
			json_t *e = json_object();
			json_object_set_new(e, "name", json_text(model_host_name(m, h), strlen(model_host_name(m, h))));
			json_object_set_new(e, "this_machine", json_boolean(h == 0 && model_host_0_is_here(m)));
			json_array_append_new(hosts, e);
		}
		json_object_set_new(in, "hosts", hosts);
	}
	if (o->domains) {	/* what mail delivered over SMTP is mail for us */
		json_t *d = json_object();
		set_u64(d, "configured", o->domains->configured);
		set_u64(d, "named", o->domains->named);
		json_object_set_new(d, "configuration_unread", json_boolean(o->domains->no_postconf));
		json_object_set_new(d, "unread_tables", json_text(buf_str(&o->domains->unread), o->domains->unread.len));
		json_object_set_new(in, "our_domains", d);
	}
	set_u64(in, "lines", t->lines);
	set_u64(in, "bytes", o->input.bytes ? o->input.bytes : t->bytes);	/* read, with skipped tails */
	set_u64(in, "postfix_lines", t->postfix_lines);
	set_u64(in, "other_lines", t->other_lines);
	set_u64(in, "malformed_lines", t->malformed_lines);
	set_u64(in, "before_since_lines", t->before_since);
	set_u64(in, "bad_time_lines", t->bad_time);
	set_u64(in, "too_many_hosts_lines", t->too_many_hosts);
	set_u64(in, "long_lines", o->input.long_lines);
	set_u64(in, "partial_last_lines", o->input.partial_last);
	set_u64(in, "truncated_compressed_files", o->input.truncated_gz);
	set_u64(in, "fields_cut", t->fields_cut);
	json_object_set_new(in, "first_time", json_time(t->first_time));
	json_object_set_new(in, "last_time", json_time(t->last_time));
	return in;
}

/* reputation_json - deliveries refused for our reputation, by destination */
static json_t *reputation_json(const struct model *m, size_t top)
{
	const struct reputation_log *log = model_reputation(m);
	json_t *o = json_object(), *arr = json_array();
	set_u64(o, "refusals", log->refusals);
	const struct reputation_domain *rows[REPUTATION_MAX_DOMAINS];
	size_t n = reputation_top(log, rows, top < REPUTATION_MAX_DOMAINS ? top : REPUTATION_MAX_DOMAINS);
	for (size_t i = 0; i < n; i++) {
		json_t *d = json_object(), *causes = json_array();
		json_object_set_new(d, "domain", json_text(rows[i]->domain, strlen(rows[i]->domain)));
		set_u64(d, "refusals", rows[i]->refusals);
		json_object_set_new(d, "first_seen", json_time(rows[i]->first_seen));
		json_object_set_new(d, "last_seen", json_time(rows[i]->last_seen));
		for (size_t e = 0; e < reputation_entry_count && e < 64; e++)
			if (rows[i]->entries & (1ull << e)) {
				json_t *c = json_object();
				json_object_set_new(c, "class", json_string(reputation_class_name(reputation_entries[e].cls)));
				json_object_set_new(c, "what", json_string(reputation_entries[e].what));
				json_object_set_new(c, "removal", json_string(reputation_entries[e].removal));
				json_array_append_new(causes, c);
			}
		json_object_set_new(d, "causes", causes);
		json_array_append_new(arr, d);
	}
	json_object_set_new(o, "domains", arr);
	return o;
}

int report_write_json(FILE *out, const struct model *m, const struct report_options *o,
		      struct error *err)
{
	json_t *root = json_object();
	json_object_set_new(root, "schema", json_string(REPORT_SCHEMA));
	json_object_set_new(root, "input", input_json(m, o));
	json_object_set_new(root, "totals", totals_json(m));
	json_object_set_new(root, "suspects", suspects_json(m, o));
	json_object_set_new(root, "reputation", reputation_json(m, o->top));
	if (tables_json(m, o, root) == NULL) {
		json_decref(root);
		error_set(err, "out of memory writing the report");
		return -1;
	}
	int rc = json_out_file(root, JSON_INDENT(2) | JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER, out);
	json_decref(root);
	if (rc != 0 || fputc('\n', out) == EOF) {
		error_set(err, "cannot write the report");
		return -1;
	}
	return 0;
}

/* ---- text ---- */

#define HOST_WIDTH 12

/* put_cell - a sanitized string, cut or padded to width display columns */
static void put_cell(FILE *out, const char *s, size_t len, int width)
{
	struct buf b = BUF_INIT;
	sanitize_text(&b, s, len);
	/* count code points as columns; enough for a report (the console measures) */
	int cols = 0;
	size_t i = 0;
	while (i < b.len && cols < width) {
		size_t n = 1;
		unsigned char c = (unsigned char)b.data[i];
		if (c >= 0xF0) n = 4;
		else if (c >= 0xE0) n = 3;
		else if (c >= 0xC0) n = 2;
		if (cols == width - 1 && b.len - i > n) {
			fputs("~", out);	/* cut */
			cols++;
			break;
		}
		fwrite(b.data + i, 1, n, out);
		i += n;
		cols++;
	}
	for (; cols < width; cols++)
		fputc(' ', out);
	buf_free(&b);
}

static void text_table(FILE *out, const struct model *m, const struct agg_table_info *ti,
		       enum agg_field sort, int nonzero, const char *title, size_t top)
{
	const struct agg_stats **rows = calloc(top ? top : 1, sizeof(*rows));
	if (rows == NULL)
		return;
	size_t n = agg_top(m, ti->kind, sort, nonzero, rows, top);
	fprintf(out, "\n%s (%zu of %zu, by %s)\n", title, n, model_agg_count(m, ti->kind),
		agg_fields[sort].name);
	int hosts = model_host_count(m) > 1;	/* several: a Host column first */
	if (hosts)
		fprintf(out, "%-*s ", HOST_WIDTH, "Host");
	fprintf(out, "%-32s", ti->key_title);
	for (const enum agg_field *f = ti->columns; *f != F_FIELD_COUNT; f++)
		fprintf(out, " %*s", agg_fields[*f].width, agg_fields[*f].title);
	fputc('\n', out);
	for (size_t i = 0; i < n; i++) {
		if (hosts) {
			const char *h = model_host_name(m, rows[i]->host);
			put_cell(out, h, strlen(h), HOST_WIDTH);
			fputc(' ', out);
		}
		struct strview key = agg_shown_key(rows[i]);
		put_cell(out, key.ptr, key.len, 32);
		for (const enum agg_field *f = ti->columns; *f != F_FIELD_COUNT; f++)
			fprintf(out, " %*llu", agg_fields[*f].width,
				(unsigned long long)agg_field_value(m, rows[i], *f));
		fputc('\n', out);
	}
	free(rows);
}

static void text_suspects(FILE *out, const struct model *m, const struct report_options *o)
{
	struct suspect list[64];
	size_t n = detect_suspects(m, &o->thresholds, list, 64);
	fprintf(out, "\nSuspects: %zu\n", n);
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "  %-14s ", suspect_kind_name(list[i].kind));
		struct strview key = agg_shown_key(list[i].agg);
		put_cell(out, key.ptr, key.len, 32);
		if (model_host_count(m) > 1)
			fprintf(out, " on %s", model_host_name(m, list[i].agg->host));
		fputc('\n', out);
		for (int r = 0; r < list[i].nreasons; r++)
			fprintf(out, "      - %s\n", list[i].reasons[r]);
	}
}

void report_reputation_text(FILE *out, const struct model *m, size_t top)
{
	const struct reputation_log *log = model_reputation(m);
	if (log->refusals == 0)
		return;
	fprintf(out, "BLOCKLISTED: %llu deliveries refused for this server's reputation by %zu destination domains%s\n",
		(unsigned long long)log->refusals, log->count, log->other_domains ? " and more" : "");
	const struct reputation_domain *rows[REPUTATION_MAX_DOMAINS];
	size_t n = reputation_top(log, rows, top < REPUTATION_MAX_DOMAINS ? top : REPUTATION_MAX_DOMAINS);
	uint64_t lists = 0;
	for (size_t i = 0; i < n; i++) {
		char since[32];
		time_t tt = (time_t)rows[i]->first_seen;
		struct tm tm;
		strftime(since, sizeof(since), "%Y-%m-%d %H:%M", gmtime_r(&tt, &tm));
		fputs("  ", out);
		put_cell(out, rows[i]->domain, strlen(rows[i]->domain), 28);
		fprintf(out, " %6u since %s UTC:", rows[i]->refusals, since);
		for (size_t e = 0; e < reputation_entry_count && e < 64; e++)
			if (rows[i]->entries & (1ull << e))
				fprintf(out, " %s;", reputation_entries[e].what);
		fputc('\n', out);
		lists |= rows[i]->entries;
	}
	for (size_t e = 0; e < reputation_entry_count && e < 64; e++)
		if ((lists & (1ull << e)) && reputation_entries[e].removal[0])
			fprintf(out, "  ask for removal: %s at %s\n", reputation_entries[e].what, reputation_entries[e].removal);
}

/* our_domains_text - which domains mail delivered over SMTP is mail for us for */
static void our_domains_text(FILE *out, const struct our_domains_told *d)
{
	if (d == NULL || (d->configured + d->named == 0 && d->unread.len == 0 && !d->no_postconf))
		return;
	if (d->no_postconf)
		fprintf(out, "Our domains: Postfix's configuration could not be read (postconf), %zu named", d->named);
	else
		fprintf(out, "Our domains: %zu from Postfix's configuration, %zu named", d->configured, d->named);
	if (d->unread.len) {
		struct buf b = BUF_INIT;	/* configuration text, shown as any other */
		sanitize_text(&b, d->unread.data, d->unread.len);
		fprintf(out, " (tables not listed: %s)", buf_str(&b));
		buf_free(&b);
	}
	fputs("; mail delivered over SMTP to them is mail for this server, not relayed\n", out);
}

int report_write_text(FILE *out, const struct model *m, const struct report_options *o,
		      struct error *err)
{
	const struct model_totals *t = model_totals(m);
	fprintf(out, "spamtop report: %llu lines (%llu Postfix, %llu other, %llu malformed",
		(unsigned long long)t->lines, (unsigned long long)t->postfix_lines,
		(unsigned long long)t->other_lines, (unsigned long long)t->malformed_lines);
	if (t->before_since)
		fprintf(out, ", %llu before --since", (unsigned long long)t->before_since);
	if (t->bad_time)
		fprintf(out, ", %llu stamped before 1990 or over a day ahead, ignored", (unsigned long long)t->bad_time);
	if (t->too_many_hosts)
		fprintf(out, ", %llu from hosts past the first %d, ignored", (unsigned long long)t->too_many_hosts,
			MODEL_MAX_HOSTS);
	fputs(")\n", out);
	if (model_host_count(m) > 1) {
		fputs("Hosts:", out);
		for (int h = 0; h < model_host_count(m); h++) {
			const char *name = model_host_name(m, h);
			fputs(h ? ", " : " ", out);
			struct buf b = BUF_INIT;	/* a logged host name is log text */
			sanitize_text(&b, name, strlen(name));
			fputs(buf_str(&b), out);
			buf_free(&b);
			if (h == 0 && model_host_0_is_here(m))
				fputs(" (this machine)", out);
		}
		fputs(model_host_0_is_here(m) ? "\n" : " (none is this machine)\n", out);
	}
	our_domains_text(out, o->domains);
	uint64_t named = t->auth_messages + t->unauth_messages + t->local_submissions + t->bounce_notices;
	fprintf(out, "Messages: %llu (%llu over SASL, %llu unauthenticated, %llu local, %llu notices from "
		"Postfix itself, %llu begun before the log), %llu with null sender <>\n",
		(unsigned long long)t->messages, (unsigned long long)t->auth_messages,
		(unsigned long long)t->unauth_messages, (unsigned long long)t->local_submissions,
		(unsigned long long)t->bounce_notices,
		(unsigned long long)(t->messages > named ? t->messages - named : 0),
		(unsigned long long)t->null_sender);
	if (t->filter_copies)
		fprintf(out, "Content filter: %llu re-injected copies tied to their original (not counted again)\n",
			(unsigned long long)t->filter_copies);
	if (t->front_messages)
		fprintf(out, "Before-queue filter: %llu messages queued behind it, charged to its front smtpd's client "
			"and account\n", (unsigned long long)t->front_messages);
	if (t->proxied_messages)
		fprintf(out, "Dovecot submission: %llu messages it relayed, charged to the account that logged in "
			"and its address\n", (unsigned long long)t->proxied_messages);
	fprintf(out, "Deliveries: %llu sent, %llu deferred, %llu bounced, %llu expired\n",
		(unsigned long long)t->sent, (unsigned long long)t->deferred,
		(unsigned long long)t->bounced, (unsigned long long)t->expired);
	report_reputation_text(out, m, o->top);
	fprintf(out, "SASL failures: %llu", (unsigned long long)t->sasl_failures);
	if (t->mailbox_failures)	/* a Postfix block does not reach those */
		fprintf(out, " (%llu at Dovecot's IMAP/POP3 logins)", (unsigned long long)t->mailbox_failures);
	fprintf(out, "   Rejects: %llu", (unsigned long long)t->rejects);
	for (int c = 0; c < RJ_CLASS_COUNT; c++)
		if (t->rejects_by_class[c])
			fprintf(out, "  %s=%llu", reject_class_name((enum reject_class)c),
				(unsigned long long)t->rejects_by_class[c]);
	fputc('\n', out);
	text_suspects(out, m, o);
	static const enum agg_kind order[] = {AGG_SASL_USER, AGG_CLIENT_IP, AGG_LOCAL_UID, AGG_SENDER, AGG_DOMAIN};
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		const struct agg_table_info *ti = &agg_tables[order[i]];
		if (order[i] == AGG_LOCAL_UID && model_agg_count(m, AGG_LOCAL_UID) == 0)
			continue;	/* nothing submitted locally */
		text_table(out, m, ti, ti->sort, 0, ti->title, o->top);
	}
	text_table(out, m, &agg_tables[AGG_CLIENT_IP], F_FAILURES, 1, "Auth failures", o->top);
	if (ferror(out)) {
		error_set(err, "cannot write the report");
		return -1;
	}
	return 0;
}
