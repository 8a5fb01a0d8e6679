/*
 * metrics - Prometheus and Influx writers (see metrics.h).
 *
 * Both formats are written from the same list of series: a family (name,
 * help, type), labels, a value. emit() knows each format's syntax.
 */
#include "core/incident/metrics.h"

#include <string.h>

#include "core/model/aggview.h"
#include "core/base/sanitize.h"

struct writer {
	FILE *f;
	enum metrics_format fmt;
	int64_t now;
	const char *family;	/* the last family announced (Prometheus HELP/TYPE) */
};

/* put_label - a label or tag value, sanitized, escaped for the format */
static void put_label(struct writer *w, const char *s, size_t len)
{
	struct buf b = BUF_INIT;
	sanitize_text(&b, s, len);
	for (size_t i = 0; i < b.len; i++) {
		char c = b.data[i];
		if (w->fmt == METRICS_PROMETHEUS && (c == '\\' || c == '"'))
			fputc('\\', w->f);
		else if (w->fmt == METRICS_INFLUX && (c == '\\' || c == ',' || c == '=' || c == ' '))
			fputc('\\', w->f);
		fputc(c, w->f);
	}
	buf_free(&b);
}

static void family(struct writer *w, const char *name, const char *type, const char *help)
{
	if (w->fmt == METRICS_PROMETHEUS && (w->family == NULL || strcmp(w->family, name) != 0))
		fprintf(w->f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
	w->family = name;
}

/* emit_host - one sample with a label and, from a fleet's log, the host:
 * name{label="value",host="mx2"} v, or name,label=value,host=mx2 value=vi ts */
static void emit_host(struct writer *w, const char *name, const char *label, const char *lv, size_t lvlen,
		      const char *host, uint64_t v)
{
	fputs(name, w->f);
	if (label && w->fmt == METRICS_PROMETHEUS) {
		fprintf(w->f, "{%s=\"", label);
		put_label(w, lv, lvlen);
		if (host) {
			fputs("\",host=\"", w->f);
			put_label(w, host, strlen(host));
		}
		fputs("\"}", w->f);
	} else if (label) {
		fprintf(w->f, ",%s=", label);
		put_label(w, lv, lvlen);
		if (host) {
			fputs(",host=", w->f);
			put_label(w, host, strlen(host));
		}
	}
	if (w->fmt == METRICS_PROMETHEUS)
		fprintf(w->f, " %llu\n", (unsigned long long)v);
	else
		fprintf(w->f, " value=%lldi %lld000000000\n", (long long)v, (long long)w->now);
}

/* emit - one sample: name{label="value"} v, or name,label=value value=vi ts */
static void emit(struct writer *w, const char *name, const char *label, const char *lv, size_t lvlen, uint64_t v)
{
	emit_host(w, name, label, lv, lvlen, NULL, v);
}

static void emit_plain(struct writer *w, const char *name, const char *type, const char *help, uint64_t v)
{
	family(w, name, type, help);
	emit(w, name, NULL, NULL, 0, v);
}

static void emit_top(struct writer *w, const struct model *m, enum agg_kind kind, enum agg_field field,
		     const char *name, const char *type, const char *help, const char *label, size_t top)
{
	const struct agg_stats *rows[256];
	if (top > 256)
		top = 256;
	size_t n = agg_top(m, kind, field, 1, rows, top);
	if (n == 0)
		return;
	family(w, name, type, help);
	int hosts = model_host_count(m) > 1;	/* a fleet's log: the same user on two hosts is two series */
	for (size_t i = 0; i < n; i++) {
		struct strview key = agg_shown_key(rows[i]);
		emit_host(w, name, label, key.ptr, key.len, hosts ? model_host_name(m, rows[i]->host) : NULL,
			  agg_field_value(m, rows[i], field));
	}
}

/* put_newest_lines - when each host's newest Postfix line was logged: `time() - it`
 * tells a log that stopped being written (a quiet relay's threshold is the admin's) */
static void put_newest_lines(struct writer *w, const struct model *m)
{
	static const char name[] = "spamtop_log_newest_line_timestamp_seconds";
	int hosts = model_host_count(m);
	for (int h = 0, said = 0; h < hosts; h++) {
		int64_t last = model_host_last_time(m, h);
		if (last <= 0)
			continue;
		if (!said++)
			family(w, name, "gauge", "When the newest Postfix line read was logged (Unix time; of each host "
			       "of a fleet).");
		const char *host = model_host_name(m, h);
		emit(w, name, hosts > 1 ? "host" : NULL, host, strlen(host), (uint64_t)last);
	}
}

void metrics_write(FILE *f, enum metrics_format fmt, const struct model *m, const struct queue_snapshot *q,
		   const struct alert_result *alerts, size_t top, int64_t now)
{
	struct writer w = {f, fmt, now, NULL};
	const struct model_totals *t = model_totals(m);
	emit_plain(&w, "spamtop_queue_up", "gauge", "1 if the Postfix queue could be read.", q != NULL);
	if (q) {
		family(&w, "spamtop_queue_messages", "gauge", "Messages in the Postfix queue, by queue.");
		for (int i = 0; i <= QN_MAILDROP; i++) {
			const char *name = queue_name_str((enum queue_name)i);
			emit(&w, "spamtop_queue_messages", "queue", name, strlen(name), q->by_queue[i]);
		}
		emit_plain(&w, "spamtop_queue_bytes", "gauge", "Bytes in the Postfix queue.", q->bytes);
	}
	emit_plain(&w, "spamtop_log_lines_total", "counter", "Mail log lines read.", t->lines);
	put_newest_lines(&w, m);
	emit_plain(&w, "spamtop_messages_total", "counter", "Messages seen in the log.", t->messages);
	emit_plain(&w, "spamtop_null_sender_messages_total", "counter", "Messages with the null sender.", t->null_sender);
	emit_plain(&w, "spamtop_sasl_failures_total", "counter", "SASL authentication failures.", t->sasl_failures);
	family(&w, "spamtop_rejects_total", "counter", "SMTP rejects, by class.");
	for (int c = 0; c < RJ_CLASS_COUNT; c++) {
		const char *name = reject_class_name((enum reject_class)c);
		emit(&w, "spamtop_rejects_total", "class", name, strlen(name), t->rejects_by_class[c]);
	}
	emit_top(&w, m, AGG_SASL_USER, F_MSGS, "spamtop_sasl_user_messages_total", "counter",
		 "Messages sent by a SASL user (the top users only).", "user", top);
	emit_top(&w, m, AGG_SASL_USER, F_RCPTS, "spamtop_sasl_user_recipients_total", "counter",
		 "Recipients of a SASL user's messages (the top users only).", "user", top);
	emit_top(&w, m, AGG_SASL_USER, F_CLIENT_IPS, "spamtop_sasl_user_client_ips", "gauge",
		 "Distinct client IPs a SASL user sent from (the top users only).", "user", top);
	emit_top(&w, m, AGG_CLIENT_IP, F_MSGS, "spamtop_client_ip_messages_total", "counter",
		 "Messages received from a client IP (the top IPs only).", "ip", top);
	emit_top(&w, m, AGG_CLIENT_IP, F_FAILURES, "spamtop_client_ip_sasl_failures_total", "counter",
		 "SASL failures from a client IP (the top IPs only).", "ip", top);
	emit_top(&w, m, AGG_LOCAL_UID, F_MSGS, "spamtop_local_uid_messages_total", "counter",
		 "Messages submitted locally (sendmail) by a user ID (the top ones only).", "uid", top);
	const struct reputation_domain *refusing[REPUTATION_MAX_DOMAINS];
	size_t nrep = reputation_top(model_reputation(m), refusing, top < REPUTATION_MAX_DOMAINS ? top : REPUTATION_MAX_DOMAINS);
	if (nrep)
		family(&w, "spamtop_reputation_refusals_total", "counter",
		       "Deliveries refused for this server's reputation, by destination domain (the top ones only).");
	for (size_t i = 0; i < nrep; i++)
		emit(&w, "spamtop_reputation_refusals_total", "domain", refusing[i]->domain,
		     strlen(refusing[i]->domain), refusing[i]->refusals);
	if (alerts) {
		family(&w, "spamtop_alert_state", "gauge", "Each early-warning check: 0 OK, 1 warning, 2 critical, 3 unknown.");
		for (int i = 0; i < AL_COUNT; i++)
			emit(&w, "spamtop_alert_state", "check", alert_table[i].name, strlen(alert_table[i].name),
			     alerts->v[i].state);
	}
}
