/*
 * alerts - threshold table, config file and evaluation (see alerts.h).
 */
#include "core/incident/alerts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/journal.h"
#include "core/base/sanitize.h"
#include "core/base/spawn.h"
#include "core/model/detect.h"

const struct alert_info alert_table[AL_COUNT] = {
	[AL_QUEUE] = {"queue", "messages in the queue", {100, 200}, 1},
	[AL_DEFERRED] = {"deferred", "messages in the deferred queue", {100, 500}, 1},
	[AL_USER_RATE] = {"user_rate", "messages a minute from one SASL user", {10, 20}, 0},
	[AL_USER_IPS] = {"user_ips", "client IPs one SASL user sent from", {3, 5}, 0},
	[AL_IP_FAILURES] = {"ip_failures", "SASL failures from one IP in 20 minutes", {3, 10}, 0},
	[AL_RELAY_RATE] = {"relay_rate", "unauthenticated messages a minute from one IP", {10, 30}, 0},
	[AL_NULL_SENDER] = {"null_sender_pct", "percent of recent messages leaving with the null sender", {30, 60}, 0},
	[AL_LOCAL_RATE] = {"local_rate", "messages a minute submitted locally by one uid", {10, 30}, 0},
	[AL_REPUTATION] = {"blocklisted", "destinations refusing this server for its reputation in the last hour",
			   {1, 3}, 0},
};

static const char *const state_names[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};

const char *alert_state_name(enum alert_state s) { return state_names[s]; }

void alert_config_default(struct alert_config *c)
{
	for (int i = 0; i < AL_COUNT; i++)
		c->t[i] = alert_table[i].dflt;
	c->skip_queue = 0;
	buf_init(&c->warnings);
}

void alert_config_free(struct alert_config *c) { buf_free(&c->warnings); }

static int by_name(const char *name, size_t len)
{
	for (int i = 0; i < AL_COUNT; i++)
		if (strlen(alert_table[i].name) == len && strncmp(alert_table[i].name, name, len) == 0)
			return i;
	return -1;
}

/* parse_pair - "warn crit" or "warn,crit"; both numbers, warn <= crit */
static int parse_pair(const char *s, struct alert_threshold *t)
{
	char *end;
	double w = strtod(s, &end);
	if (end == s)
		return -1;
	while (*end == ' ' || *end == '\t' || *end == ',')
		end++;
	char *end2;
	double c = strtod(end, &end2);
	if (end2 == end)
		return -1;
	while (*end2 == ' ' || *end2 == '\t' || *end2 == '\r' || *end2 == '\n')
		end2++;
	if (*end2 || w < 0 || c < w)
		return -1;
	t->warn = w;
	t->crit = c;
	return 0;
}

int alert_config_apply_line(struct alert_config *c, const char *line, const char *origin, unsigned lineno)
{
	const char *eq = strchr(line, '=');
	if (eq == NULL) {
		buf_printf(&c->warnings, "%s:%u: expected: name = warn crit\n", origin, lineno);
		return -1;
	}
	const char *a = line, *b = eq;
	while (*a == ' ' || *a == '\t')
		a++;
	while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
		b--;
	int id = by_name(a, (size_t)(b - a));
	struct alert_threshold t;
	if (id < 0) {
		buf_printf(&c->warnings, "%s:%u: unknown threshold '", origin, lineno);
		sanitize_text(&c->warnings, a, (size_t)(b - a));
		buf_puts(&c->warnings, "'\n");
		return -1;
	}
	if (parse_pair(eq + 1, &t) < 0) {
		buf_printf(&c->warnings, "%s:%u: %s wants two numbers, warning then critical\n", origin, lineno,
			   alert_table[id].name);
		return -1;
	}
	c->t[id] = t;
	return 0;
}

int alert_config_load(struct alert_config *c, const char *path)
{
	FILE *f = fopen(path, "re");
	if (f == NULL)
		return 0;
	char line[512];
	unsigned n = 0;
	while (fgets(line, sizeof(line), f)) {
		n++;
		char *hash = strchr(line, '#');
		if (hash)
			*hash = 0;
		if (strspn(line, " \t\r\n") == strlen(line))
			continue;
		alert_config_apply_line(c, line, path, n);
	}
	fclose(f);
	return 0;
}

void alert_config_load_defaults(struct alert_config *c)
{
	alert_config_load(c, "/etc/spamtop.conf");
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char path[1024];
	if (xdg && *xdg)
		snprintf(path, sizeof(path), "%.1000s/spamtop/config", xdg);
	else
		snprintf(path, sizeof(path), "%.1000s/.config/spamtop/config", home ? home : "/");
	alert_config_load(c, path);
}

int alert_config_set(struct alert_config *c, const char *spec)
{
	return alert_config_apply_line(c, spec, "command line", 0);
}

struct worst {
	double value;
	const struct istr *who;
	int host;
};

static void consider(struct worst *w, double v, const struct agg_stats *a)
{
	if (v > w->value || w->who == NULL || (v == w->value && a->host < w->host)) {	/* ties: the first host */
		w->value = v;
		w->who = a->key;
		w->host = a->host;
	}
}

static void set(struct alert_result *r, const struct alert_config *c, enum alert_id id, double v,
		const struct istr *who)
{
	struct alert_value *av = &r->v[id];
	av->value = v;
	av->measured = 1;
	av->subject[0] = 0;
	if (who) {
		struct buf b = BUF_INIT;
		sanitize_text(&b, who->s, who->len);
		snprintf(av->subject, sizeof(av->subject), "%s", buf_str(&b));
		buf_free(&b);
	}
	av->state = v >= c->t[id].crit ? ALERT_CRITICAL : v >= c->t[id].warn ? ALERT_WARNING : ALERT_OK;
}

/* set_text - set() with a subject that is no interned string */
static void set_text(struct alert_result *r, const struct alert_config *c, enum alert_id id, double v,
		     const char *who)
{
	set(r, c, id, v, NULL);
	if (who) {
		struct buf b = BUF_INIT;
		sanitize_text(&b, who, strlen(who));
		snprintf(r->v[id].subject, sizeof(r->v[id].subject), "%s", buf_str(&b));
		buf_free(&b);
	}
}

/* set_worst - set() for the worst of a kind: "key", or "key on HOST" from a fleet's log */
static void set_worst(struct alert_result *r, const struct alert_config *c, const struct model *m, enum alert_id id,
		      const struct worst *w)
{
	set(r, c, id, w->value, w->who);
	if (w->who && model_host_count(m) > 1) {
		size_t n = strlen(r->v[id].subject);
		struct buf b = BUF_INIT;
		const char *host = model_host_name(m, w->host);
		sanitize_text(&b, host, strlen(host));
		snprintf(r->v[id].subject + n, sizeof(r->v[id].subject) - n, " on %s", buf_str(&b));
		buf_free(&b);
	}
}

#define NULL_SENDER_MIN 10	/* leaving messages in the window below which their share is no sign */

void alert_evaluate(const struct alert_config *c, const struct model *m, const struct queue_snapshot *q,
		    int64_t wall_now, int window_minutes, struct alert_result *out)
{
	memset(out, 0, sizeof(*out));
	if (window_minutes < 1)
		window_minutes = 1;
	if (window_minutes > 15)
		window_minutes = 15;
	int quiet = model_now(m) < wall_now - (int64_t)window_minutes * 60;	/* nothing logged lately */
	struct worst rate = {0, NULL, 0}, ips = {0, NULL, 0}, fails = {0, NULL, 0}, relay = {0, NULL, 0},
		     local = {0, NULL, 0};
	for (size_t i = 0; i < model_agg_count(m, AGG_LOCAL_UID); i++) {
		const struct agg_stats *a = model_agg_at(m, AGG_LOCAL_UID, i);
		consider(&local, quiet ? 0 : (double)agg_rate_sliding(m, &a->msg_rate), a);
	}
	for (size_t i = 0; i < model_agg_count(m, AGG_SASL_USER); i++) {
		const struct agg_stats *a = model_agg_at(m, AGG_SASL_USER, i);
		consider(&rate, quiet ? 0 : (double)agg_rate_sliding(m, &a->msg_rate), a);
		if (a->last_seen >= wall_now - 3600)	/* users active in the last hour */
			consider(&ips, agg_sources_within(m, a), a);
	}
	for (size_t i = 0; i < model_agg_count(m, AGG_CLIENT_IP); i++) {
		const struct agg_stats *a = model_agg_at(m, AGG_CLIENT_IP, i);
		if (detect_may_be_guessing(a))
			consider(&fails, quiet ? 0 : (double)agg_failures_within(m, a, FAILURE_WINDOW_MINUTES), a);
		if (a->auth_msgs == 0 && a->unauth_msgs > 0)	/* mail for this server is not relayed */
			consider(&relay, quiet ? 0 : (double)detect_relayed_part(a, agg_rate_sliding(m, &a->msg_rate)), a);
	}
	uint64_t null_leaving = 0, leaving = 0;
	for (size_t i = 0; i < model_agg_count(m, AGG_SENDER) && !quiet; i++) {
		const struct agg_stats *a = model_agg_at(m, AGG_SENDER, i);
		uint64_t n = detect_leaving_part(a, agg_rate(m, &a->msg_rate, window_minutes));
		leaving += n;
		if (a->key->len == 0)
			null_leaving += n;	/* one per host */
	}
	set_worst(out, c, m, AL_USER_RATE, &rate);
	set_worst(out, c, m, AL_USER_IPS, &ips);
	set_worst(out, c, m, AL_IP_FAILURES, &fails);
	set_worst(out, c, m, AL_RELAY_RATE, &relay);
	set_worst(out, c, m, AL_LOCAL_RATE, &local);
	const struct reputation_domain *worst;
	size_t refusing = reputation_domains_since(model_reputation(m), model_now(m) - 3600, &worst);
	set_text(out, c, AL_REPUTATION, quiet ? 0 : (double)refusing, worst && !quiet ? worst->domain : NULL);
	set(out, c, AL_NULL_SENDER, leaving >= NULL_SENDER_MIN ? 100.0 * (double)null_leaving / (double)leaving : 0, NULL);
	if (q) {
		set(out, c, AL_QUEUE, (double)q->count, NULL);
		set(out, c, AL_DEFERRED, (double)q->by_queue[QN_DEFERRED], NULL);
	} else if (!c->skip_queue) {
		out->v[AL_QUEUE].state = out->v[AL_DEFERRED].state = ALERT_UNKNOWN;
	}
	static const int severity[] = {[ALERT_OK] = 0, [ALERT_UNKNOWN] = 1, [ALERT_WARNING] = 2, [ALERT_CRITICAL] = 3};
	out->worst = ALERT_OK;	/* a spam burst outranks a queue that could not be read */
	for (int i = 0; i < AL_COUNT; i++)
		if (severity[out->v[i].state] > severity[out->worst])
			out->worst = out->v[i].state;
}

/* ---- the alert command: one journaled run ---- */

struct alert_run {
	char *const *argv;
	const char *check, *state;
	double value;
};

static json_t *alert_entry(const struct alert_run *r, const char *phase)
{
	json_t *e = journal_entry(phase);
	json_object_set_new(e, "action", json_string("alert"));
	json_object_set_new(e, "selection", json_string(r->check));
	json_object_set_new(e, "state", json_string(r->state));
	json_object_set_new(e, "value", json_real(r->value));
	json_object_set_new(e, "command", journal_argv(r->argv));
	return e;
}

static json_t *alert_planned(void *arg) { return alert_entry(arg, "planned"); }

static int alert_start(void *arg, struct error *err)
{
	return spawn_detached(((struct alert_run *)arg)->argv, err);
}

static json_t *alert_done(void *arg, const struct error *failed)
{
	json_t *e = alert_entry(arg, "done");
	json_object_set_new(e, "started", json_boolean(failed == NULL));	/* detached: no exit status */
	if (failed)
		json_object_set_new(e, "error", json_string(failed->msg));
	return e;
}

enum run_status alert_command_run(const char *cmd_template, enum alert_id id, const struct alert_value *v,
				  const char *journal_path, struct error *err)
{
	char value[32];
	snprintf(value, sizeof(value), "%g", v->value);
	static const char *const names[] = {"{check}", "{state}", "{value}", "{subject}"};
	const char *values[] = {alert_table[id].name, alert_state_name(v->state), value, v->subject};
	char storage[2048], *argv[32];
	if (spawn_argv_template(cmd_template, names, values, 4, storage, sizeof(storage), argv, 32, err) < 0)
		return RUN_FAILED;
	struct alert_run r = {argv, alert_table[id].name, alert_state_name(v->state), v->value};
	struct journaled_op op = {alert_planned, alert_start, alert_done, &r, 1};
	return journaled_run(&op, journal_path, err);
}
