/*
 * cleanup - wizard state, Postfix configuration, containment and the
 * incident report (see cleanup.h).
 */
#include "core/incident/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "core/incident/damage.h"
#include "core/base/journal.h"
#include "core/incident/netedit.h"
#include "core/base/run.h"
#include "core/base/safefile.h"
#include "core/base/json_out.h"
#include "core/model/model.h"
#include "core/base/sanitize.h"
#include "core/base/spawn.h"

#define POSTCONF_TIMEOUT_MS 10000
#define RELOAD_TIMEOUT_MS 30000
#define BACKUP_TRIES 10		/* backups of main.cf in one second */

static const char *const step_titles[STEP_WATCH + 1] = {
	"", "Hold the queue", "Read the log", "Identify the source", "Contain", "Clean the queue",
	"Release and watch", "Watch",
};

const char *cleanup_step_title(int step)
{
	return step >= STEP_HOLD && step <= STEP_WATCH ? step_titles[step] : "?";
}

void cleanup_state_init(struct cleanup_state *s, int64_t now)
{
	memset(s, 0, sizeof(*s));
	s->step = STEP_HOLD;
	s->started = now;
}

void cleanup_targets_from_suspects(struct cleanup_state *s, const struct suspect *sus, size_t n)
{
	if (s->targets_set)
		return;
	for (size_t i = 0; i < n && s->ntargets < CLEANUP_MAX_TARGETS; i++) {
		struct cleanup_target *t = &s->targets[s->ntargets];
		size_t len = sus[i].agg->key->len < sizeof(t->key) - 1 ? sus[i].agg->key->len : sizeof(t->key) - 1;
		memset(t, 0, sizeof(*t));
		t->kind = sus[i].kind;
		memcpy(t->key, sus[i].agg->key->s, len);
		t->chosen = sus[i].kind != SUSPECT_BRUTE_FORCE;	/* they send no mail: nothing to clean */
		s->ntargets++;
	}
	s->targets_set = s->ntargets > 0;	/* taken: from now on only the admin changes them */
}

int cleanup_target_owns(const struct cleanup_target *t, const struct queued_msg *m)
{
	int user = t->kind == SUSPECT_SASL_USER;	/* an account, whatever the case (model.h) */
	const struct istr *k = user ? m->sasl_user : t->kind == SUSPECT_WEB_APP ? m->local_uid : m->client_ip;
	return t->chosen && t->kind != SUSPECT_BRUTE_FORCE && k && k->len == strlen(t->key)
	    && (user ? strncasecmp(k->s, t->key, k->len) : memcmp(k->s, t->key, k->len)) == 0;
}

/* ---- the state file ---- */

static json_t *counts_json(const size_t c[QN_COUNT])
{
	json_t *o = json_object();
	for (int i = 0; i < QN_COUNT; i++)
		json_object_set_new(o, queue_name_str((enum queue_name)i), json_integer((json_int_t)c[i]));
	return o;
}

static void counts_load(json_t *o, size_t c[QN_COUNT])
{
	for (int i = 0; i < QN_COUNT; i++)
		c[i] = (size_t)json_integer_value(json_object_get(o, queue_name_str((enum queue_name)i)));
}

int cleanup_state_save(const struct cleanup_state *s, const char *path, struct error *err)
{
	json_t *root = json_object();
	json_object_set_new(root, "schema", json_string("spamtop.cleanup/1"));
	json_object_set_new(root, "step", json_integer(s->step));
	json_object_set_new(root, "started", json_integer(s->started));
	json_object_set_new(root, "released", json_integer(s->released));
	json_object_set_new(root, "targets_set", json_boolean(s->targets_set));
	if (s->have_before)
		json_object_set_new(root, "queue_before", counts_json(s->before));
	if (s->have_after)
		json_object_set_new(root, "queue_after", counts_json(s->after));
	json_t *ts = json_array();
	for (size_t i = 0; i < s->ntargets; i++) {
		const struct cleanup_target *t = &s->targets[i];
		json_t *o = json_object();
		json_object_set_new(o, "kind", json_string(suspect_kind_name(t->kind)));
		json_object_set_new(o, "key", json_string(t->key));
		json_object_set_new(o, "chosen", json_boolean(t->chosen));
		json_object_set_new(o, "msgs_at_release", json_integer(t->msgs_at_release));
		json_array_append_new(ts, o);
	}
	json_object_set_new(root, "targets", ts);
	json_t *out = json_array();
	for (int i = 0; i <= STEP_WATCH; i++)
		json_array_append_new(out, json_string(s->outcome[i]));
	json_object_set_new(root, "outcomes", out);

	char dir[512];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = 0;
		mkdir(dir, 0700);
	}
	struct safe_file sf;
	if (safe_file_open(&sf, path, 0600, err) < 0) {
		json_decref(root);
		return -1;
	}
	int rc = json_out_file(root, JSON_INDENT(2) | JSON_ENSURE_ASCII, sf.f);
	json_decref(root);
	if (rc < 0) {
		safe_file_abort(&sf);
		error_set(err, "cannot save the cleanup state to %s", path);
		return -1;
	}
	return safe_file_commit(&sf, err);
}

static enum suspect_kind kind_parse(const char *s)
{
	if (strcmp(s, suspect_kind_name(SUSPECT_TRUSTED_RELAY)) == 0)
		return SUSPECT_TRUSTED_RELAY;
	if (strcmp(s, suspect_kind_name(SUSPECT_BRUTE_FORCE)) == 0)
		return SUSPECT_BRUTE_FORCE;
	if (strcmp(s, suspect_kind_name(SUSPECT_WEB_APP)) == 0)
		return SUSPECT_WEB_APP;
	return SUSPECT_SASL_USER;
}

int cleanup_state_load(struct cleanup_state *s, const char *path, struct error *err)
{
	json_error_t jerr;
	json_t *root = json_load_file(path, 0, &jerr);
	if (root == NULL) {
		error_set(err, "cannot read the cleanup state %s: %s", path, jerr.text);
		return -1;
	}
	const char *schema = json_string_value(json_object_get(root, "schema"));
	if (schema == NULL || strcmp(schema, "spamtop.cleanup/1") != 0) {
		error_set(err, "%s is not a spamtop cleanup state", path);
		json_decref(root);
		return -1;
	}
	cleanup_state_init(s, json_integer_value(json_object_get(root, "started")));
	s->step = (int)json_integer_value(json_object_get(root, "step"));
	if (s->step < STEP_HOLD || s->step > STEP_WATCH)
		s->step = STEP_HOLD;
	s->released = json_integer_value(json_object_get(root, "released"));
	s->targets_set = json_is_true(json_object_get(root, "targets_set"));
	json_t *b = json_object_get(root, "queue_before"), *a = json_object_get(root, "queue_after");
	if ((s->have_before = b != NULL))
		counts_load(b, s->before);
	if ((s->have_after = a != NULL))
		counts_load(a, s->after);
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(root, "targets"), i, t) {
		if (s->ntargets >= CLEANUP_MAX_TARGETS)
			break;
		struct cleanup_target *ct = &s->targets[s->ntargets++];
		const char *kind = json_string_value(json_object_get(t, "kind"));
		ct->kind = kind_parse(kind ? kind : "");
		snprintf(ct->key, sizeof(ct->key), "%s", json_string_value(json_object_get(t, "key")) ?: "");
		ct->chosen = json_is_true(json_object_get(t, "chosen"));
		ct->msgs_at_release = (uint32_t)json_integer_value(json_object_get(t, "msgs_at_release"));
	}
	json_array_foreach(json_object_get(root, "outcomes"), i, t)
		if (i <= STEP_WATCH)
			snprintf(s->outcome[i], sizeof(s->outcome[i]), "%s", json_string_value(t) ?: "");
	json_decref(root);
	return 0;
}

/* ---- Postfix's configuration ---- */

void postfix_argv(const struct postfix_instance *in, const char *prog, const char *const words[], char *argv[8])
{
	int n = instance_argv(in, prog, argv);
	for (int i = 0; words[i] && n < 7; i++)
		argv[n++] = (char *)words[i];
	argv[n] = NULL;
}

/* cleanup_postconf - one parameter's value into out (-hx: expanded, -h: as main.cf has it) */
int cleanup_postconf(const struct postfix_instance *in, const char *param, int expand, struct buf *out,
		     struct error *err)
{
	char name[64];
	snprintf(name, sizeof(name), "%s", param);
	const char *words[] = {expand ? "-hx" : "-h", name, NULL};
	char *argv[8];
	postfix_argv(in, "postconf", words, argv);
	struct spawn_result res;
	if (spawn_run(argv, NULL, 0, POSTCONF_TIMEOUT_MS, &res, err) < 0)
		return -1;
	int ok = res.exited && res.status == 0;
	buf_reset(out);
	if (ok) {
		size_t n = res.out.len;
		while (n && (res.out.data[n - 1] == '\n' || res.out.data[n - 1] == ' '))
			n--;
		buf_append(out, n ? res.out.data : "", n);
	} else {
		struct buf cmd = BUF_INIT;
		spawn_describe(argv, &cmd);
		error_set(err, "%s failed: %s", buf_str(&cmd), res.err.len ? buf_str(&res.err) : "no message");
		buf_free(&cmd);
	}
	spawn_result_free(&res);
	return ok ? 0 : -1;
}

/*
 * postconf_lines - `postconf [-c DIR] -h[x] P1 P2 ...` once, each value into
 * out[i]: 0, or -1 when it is not one line per parameter (one that this
 * Postfix does not know is left out, with a warning) or postconf failed
 */
static int postconf_lines(const struct postfix_instance *in, int expand, const char *const params[], int n,
			  struct buf out[])
{
	char *argv[24];
	int k = instance_argv(in, "postconf", argv);
	argv[k++] = expand ? "-hx" : "-h";
	for (int i = 0; i < n && k < 23; i++)
		argv[k++] = (char *)params[i];
	argv[k] = NULL;
	struct spawn_result res;
	struct error err;
	if (spawn_run(argv, NULL, 0, POSTCONF_TIMEOUT_MS, &res, &err) < 0)
		return -1;
	int i = 0;
	const char *p = buf_str(&res.out);
	for (; res.exited && res.status == 0 && i < n && *p; i++) {
		size_t len = strcspn(p, "\n"), keep = len;
		while (keep && p[keep - 1] == ' ')
			keep--;
		buf_reset(&out[i]);
		buf_append(&out[i], p, keep);
		p += len + (p[len] == '\n');
	}
	int rc = i == n && *p == 0 && res.exited && res.status == 0 ? 0 : -1;
	spawn_result_free(&res);
	return rc;
}

/* postconf_values - postconf_lines, else one postconf per parameter: -1
 * with err when one of the first `required` cannot be read (the others
 * are then empty) */
static int postconf_values(const struct postfix_instance *in, int expand, const char *const params[], int n,
			   int required, struct buf out[], struct error *err)
{
	if (postconf_lines(in, expand, params, n, out) == 0)
		return 0;
	for (int i = 0; i < n; i++)
		if (cleanup_postconf(in, params[i], expand, &out[i], err) < 0 && i < required)
			return -1;
	return 0;
}

int postfix_conf_read(struct postfix_conf *c, const struct postfix_instance *in, const char *extra_domains,
		      struct error *err)
{
	/* two postconf runs an instance: opening the cleanup costs no more with several */
	static const char *const expanded[] = {
		"mynetworks", "config_directory", "parent_domain_matches_subdomains", "mydomain", "myorigin",
		"mydestination", "virtual_alias_domains", "virtual_mailbox_domains", "relay_domains",
	};
	static const char *const raw[] = {"mynetworks", "authorized_submit_users"};
	enum { NX = sizeof(expanded) / sizeof(expanded[0]), NR = sizeof(raw) / sizeof(raw[0]) };
	memset(c, 0, sizeof(*c));
	if (in)
		c->inst = *in;
	struct buf xv[NX], rv[NR];
	for (int i = 0; i < NX; i++)
		buf_init(&xv[i]);
	for (int i = 0; i < NR; i++)
		buf_init(&rv[i]);
	int rc = postconf_values(&c->inst, 1, expanded, NX, 2, xv, err) < 0
		 || postconf_values(&c->inst, 0, raw, NR, NR, rv, err) < 0 ? -1 : 0;
	c->mynetworks = xv[0];
	c->mynetworks_raw = rv[0];
	c->submit_users = rv[1];
	snprintf(c->config_dir, sizeof(c->config_dir), "%s", buf_str(&xv[1]));
	if (rc == 0) {
		net_list_parse(&c->trusted, buf_str(&c->mynetworks));
		for (int i = 3; i < NX - 1; i++)
			domain_list_add(&c->ours, buf_str(&xv[i]));
		/* relay_domains: "example.com" is its subdomains' too, as long as
		 * parent_domain_matches_subdomains names it (Postfix's default) */
		domain_list_add_relay(&c->ours, buf_str(&xv[NX - 1]), strstr(buf_str(&xv[2]), "relay_domains") != NULL);
		if (extra_domains)
			domain_list_add(&c->ours, extra_domains);
		domain_list_read_tables(&c->ours);
	}
	for (int i = 1; i < NX; i++)
		buf_free(&xv[i]);
	return rc;
}

void postfix_conf_free(struct postfix_conf *c)
{
	buf_free(&c->mynetworks);
	buf_free(&c->mynetworks_raw);
	buf_free(&c->submit_users);
	net_list_free(&c->trusted);
	domain_list_free(&c->ours);
}

int postfix_confs_read(struct postfix_confs *cs, const char *extra_domains, struct error *err)
{
	memset(cs, 0, sizeof(*cs));
	struct instance_set set;
	instance_discover(&set, POSTCONF_TIMEOUT_MS);
	if (postfix_conf_read(&cs->at[0], NULL, extra_domains, err) < 0) {
		postfix_conf_free(&cs->at[0]);
		return -1;
	}
	cs->count = 1;
	for (int i = 1; i < set.count; i++) {
		struct error why;
		if (postfix_conf_read(&cs->at[cs->count], &set.at[i], extra_domains, &why) == 0)
			cs->count++;
		else {
			postfix_conf_free(&cs->at[cs->count]);
			buf_printf(&cs->unread, "%s: %s\n", set.at[i].name, why.msg);
		}
	}
	return 0;
}

void postfix_confs_free(struct postfix_confs *cs)
{
	for (int i = 0; i < cs->count; i++)
		postfix_conf_free(&cs->at[i]);
	buf_free(&cs->unread);
	cs->count = 0;
}

const char *postfix_conf_label(const struct postfix_confs *cs, const struct postfix_conf *c, char *out, size_t size)
{
	if (cs->count + (cs->unread.len > 0) <= 1)
		snprintf(out, size, "%s", "");
	else
		snprintf(out, size, "%s: ", instance_label(&c->inst));
	return out;
}

/* ---- containment ---- */

int cleanup_relay_instances(const struct postfix_confs *cs, const char *const ips[], size_t n,
			    const struct postfix_conf *out[INSTANCE_MAX])
{
	int k = 0;
	for (int i = 0; i < cs->count; i++) {
		int trusts = cs->count == 1;
		for (size_t j = 0; j < n && !trusts; j++) {
			const struct net_entry *e = net_list_match(&cs->at[i].trusted, ips[j]);
			trusts = e && !e->negated;
		}
		if (trusts)
			out[k++] = &cs->at[i];
	}
	if (k == 0 && cs->count > 0)
		out[k++] = &cs->at[0];	/* trusted nowhere: the default one's plan says so */
	return k;
}

int cleanup_account_argv(const char *template, const char *user, char *storage, size_t size, char *argv[], int max,
			 struct error *err)
{
	static const char *const names[] = {"{user}"};
	const char *values[] = {user};
	return spawn_argv_template(template, names, values, 1, storage, size, argv, max, err);
}

int cleanup_run_journaled(char *const argv[], const char *action, const char *target, const char *journal_path,
			  struct buf *out, struct error *err)
{
	return cleanup_run_journaled_with(argv, action, target, NULL, journal_path, out, err);
}

int cleanup_run_journaled_with(char *const argv[], const char *action, const char *target, json_t *extra,
			       const char *journal_path, struct buf *out, struct error *err)
{
	struct run_request r = {argv, action, target, extra, RELOAD_TIMEOUT_MS, 0};
	return run_journaled(&r, journal_path, out, err);
}

int cleanup_postconf_edit(const struct postfix_conf *c, const char *param, const char *value, const char *action,
			  const char *target, json_t *extra, const char *journal_path, struct buf *backup,
			  struct buf *out, struct error *err)
{
	if (cleanup_backup_main_cf(c->config_dir, backup, err) < 0)
		return -1;
	struct buf setting = BUF_INIT, now = BUF_INIT;
	buf_printf(&setting, "%s = %s", param, value);
	const char *words[] = {"-e", buf_str(&setting), NULL};
	char *edit[8];
	postfix_argv(&c->inst, "postconf", words, edit);
	int rc = cleanup_run_journaled_with(edit, action, target ? target : buf_str(&setting), extra, journal_path,
					    out, err);
	if (rc > 0)
		error_set(err, "postconf -e failed (exit status %d); main.cf as it was is in %s", rc, buf_str(backup));
	if (rc == 0 && cleanup_postconf(&c->inst, param, 0, &now, err) < 0)
		rc = -1;	/* not read back: not known to be in place */
	else if (rc == 0 && strcmp(buf_str(&now), value) != 0) {
		error_set(err, "%s reads back as '%.300s', not as planned; main.cf as it was is in %s", param,
			  buf_str(&now), buf_str(backup));
		rc = -1;
	}
	buf_free(&setting);
	buf_free(&now);
	return rc == 0 ? 0 : -1;
}

int cleanup_reload(const struct postfix_conf *c, const char *journal_path, struct buf *out, struct error *err)
{
	static const char *const words[] = {"reload", NULL};
	char *argv[8];
	postfix_argv(&c->inst, "postfix", words, argv);
	return cleanup_run_journaled(argv, "reload", c->inst.config_dir[0] ? c->inst.config_dir : "postfix",
				     journal_path, out, err);
}

static int copy_file(const char *from, const char *to, struct error *err)
{
	int in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		error_errno(err, errno, "cannot read %s", from);
		return -1;
	}
	int outfd = open(to, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (outfd < 0) {
		error_errno(err, errno, "cannot create %s", to);
		close(in);
		return -1;
	}
	char chunk[65536];
	ssize_t n;
	int rc = 0;
	while ((n = read(in, chunk, sizeof(chunk))) > 0)
		if (write(outfd, chunk, (size_t)n) != n) {
			rc = -1;
			break;
		}
	if (n < 0 || rc < 0 || fsync(outfd) < 0) {
		error_errno(err, errno, "cannot copy %s to %s", from, to);
		rc = -1;
	}
	close(in);
	close(outfd);
	return rc;
}

int cleanup_backup_main_cf(const char *config_dir, struct buf *backup, struct error *err)
{
	char main_cf[300], stamp[32];
	time_t now = (time_t)clock_now();
	struct tm tm;
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", gmtime_r(&now, &tm));
	snprintf(main_cf, sizeof(main_cf), "%s/main.cf", config_dir);
	struct stat st;
	for (int k = 0; k < BACKUP_TRIES; k++) {	/* several edits in one second: .1, .2, ... */
		buf_reset(backup);
		buf_printf(backup, "%s.spamtop-%s", main_cf, stamp);
		if (k)
			buf_printf(backup, ".%d", k);
		if (lstat(buf_str(backup), &st) < 0)
			break;	/* a free name (copy_file's O_EXCL still refuses one planted since) */
	}
	return copy_file(main_cf, buf_str(backup), err);
}

/* net_tokens_equal - the same entries in the same order, whatever separates them */
static int net_tokens_equal(const char *a, const char *b)
{
	static const char sep[] = " \t,\r\n";
	for (;;) {
		a += strspn(a, sep);
		b += strspn(b, sep);
		size_t la = strcspn(a, sep), lb = strcspn(b, sep);
		if (la != lb || memcmp(a, b, la) != 0)
			return 0;
		if (la == 0)
			return 1;
		a += la;
		b += lb;
	}
}

void mynetworks_plan_free(struct mynetworks_plan *p)
{
	buf_free(&p->before);
	buf_free(&p->after);
	buf_free(&p->notes);
	free(p->ips);
	free(p->wider);
	json_decref(p->owned);
	memset(p, 0, sizeof(*p));
}

/*
 * local_loopback_note - 127.0.0.1 or ::1 as a trusted relay is a process on
 * this machine speaking SMTP (a web application's mail library, a script).
 * Untrusting it, or blocking it ahead of permit_mynetworks, would also stop
 * whatever else relays through it: webmail, Dovecot's submission service, a
 * monitoring job. The plan leaves it trusted and says what to do instead.
 */
static void local_loopback_note(struct buf *notes, const char *ip)
{
	buf_printf(notes, "%s: this machine's own loopback: the mail comes from a process here (a web application's "
		   "SMTP library, a script), not from a host to untrust\n", ip);
	buf_printf(notes, "%s: kept trusted: untrusting it would also stop webmail, Dovecot's submission service and "
		   "whatever else relays through it\n", ip);
	buf_printf(notes, "%s: find the process while it sends (ss -tnp '( dport = :25 )'), stop it; keep the queue "
		   "held meanwhile\n", ip);
}

int cleanup_mynetworks_plan(const struct postfix_conf *c, const char *const ips[], size_t n,
			    struct mynetworks_plan *p, struct error *err)
{
	memset(p, 0, sizeof(*p));
	struct net_drop *drops = calloc(n ? n : 1, sizeof(*drops));
	p->ips = calloc(n ? n : 1, sizeof(*p->ips));
	p->wider = calloc(n ? n : 1, sizeof(*p->wider));
	if (drops == NULL || p->ips == NULL || p->wider == NULL) {
		free(drops);
		mynetworks_plan_free(p);
		error_set(err, "out of memory");
		return -1;
	}
	size_t nd = 0;	/* this machine's loopback stays trusted: see local_loopback_note */
	for (size_t i = 0; i < n; i++)
		if (!addr_is_local_loopback(ips[i]))
			drops[nd++].ip = ips[i];
	buf_puts(&p->before, buf_str(&c->mynetworks_raw));
	int dropped = netedit_without(buf_str(&c->mynetworks_raw), drops, nd, &p->after, err);
	if (dropped < 0) {
		free(drops);
		mynetworks_plan_free(p);
		return -1;
	}
	int refused = 0;
	for (size_t i = 0, k = 0; i < n; i++) {
		if (addr_is_local_loopback(ips[i])) {
			local_loopback_note(&p->notes, ips[i]);
			continue;
		}
		struct net_drop *d = &drops[k++];
		struct buf without = BUF_INIT;
		const struct net_entry *wider = NULL, *first = net_list_match(&c->trusted, ips[i]);
		int exact = net_list_without(&c->trusted, ips[i], &without, &wider);
		buf_free(&without);
		if (d->dropped) {
			p->ips[p->nips++] = ips[i];
			buf_printf(&p->notes, "%s: its entry in mynetworks goes\n", ips[i]);
		} else if (exact) {	/* in the expanded list, not in main.cf's text */
			buf_printf(&p->notes, "%s: enters mynetworks through a $variable: edit that by hand\n", ips[i]);
			refused = 1;
		} else if (d->excluded || (first && first->negated)) {
			buf_printf(&p->notes, "%s: excluded already (!%s): not trusted\n", ips[i], ips[i]);
		}
		if (wider && !(first && first->negated)) {
			buf_printf(&p->notes, "%s: inside %s: blocked by a check_client_access entry ahead of "
				   "permit_mynetworks instead\n", ips[i], wider->text);
			p->wider[p->nwider++] = ips[i];
		}
		else if (!d->dropped && !exact && !first)
			buf_printf(&p->notes, "%s: not in mynetworks: it relayed for another reason (smtpd_relay_restrictions)\n",
				   ips[i]);
	}
	if (c->trusted.not_evaluated.len)
		buf_puts(&p->notes, "tables and files in mynetworks are kept as they are and not looked into\n");
	free(drops);
	p->runnable = p->nips > 0 && !refused;
	return 0;
}

/* last_edit_of - the journal's last successful mynetworks edit of c's
 * instance that dropped ip, or NULL (the caller decrefs) */
static json_t *last_edit_of(const struct postfix_conf *c, const char *journal_path, const char *ip)
{
	FILE *j = fopen(journal_path, "re");
	char *line = NULL;
	size_t cap = 0;
	json_t *found = NULL;
	while (j && getline(&line, &cap, j) > 0) {
		json_t *e = json_loads(line, 0, NULL);
		const char *action = json_string_value(json_object_get(e, "action"));
		const char *phase = json_string_value(json_object_get(e, "phase"));
		int hit = 0;
		size_t i;
		json_t *v;
		if (action && phase && strcmp(action, "mynetworks") == 0 && strcmp(phase, "done") == 0
		    && json_integer_value(json_object_get(e, "exit_status")) == 0
		    && json_is_string(json_object_get(e, "previous")) && json_is_string(json_object_get(e, "value"))
		    && strcmp(json_string_value(json_object_get(e, "instance")) ?: "", c->inst.config_dir) == 0)
			json_array_foreach(json_object_get(e, "dropped"), i, v) hit |= strcmp(json_string_value(v) ?: "", ip) == 0;
		if (hit) {
			json_decref(found);
			found = json_incref(e);
		}
		json_decref(e);
	}
	free(line);
	if (j)
		fclose(j);
	return found;
}

int cleanup_mynetworks_undo_plan(const struct postfix_conf *c, const char *ip, const char *journal_path,
				 struct mynetworks_plan *p, struct error *err)
{
	memset(p, 0, sizeof(*p));
	json_t *e = last_edit_of(c, journal_path, ip);
	if (e == NULL) {
		error_set(err, "the journal %s has no mynetworks edit that dropped %.80s", journal_path, ip);
		return -1;
	}
	const char *value = json_string_value(json_object_get(e, "value"));
	if (!net_tokens_equal(buf_str(&c->mynetworks_raw), value)) {
		error_set(err, "mynetworks has changed since spamtop dropped %.80s (now '%.200s'): restore it by hand "
			  "from the main.cf backup", ip, buf_str(&c->mynetworks_raw));
		json_decref(e);
		return -1;
	}
	p->restore = 1;
	p->runnable = 1;
	buf_puts(&p->before, buf_str(&c->mynetworks_raw));
	buf_puts(&p->after, json_string_value(json_object_get(e, "previous")));
	size_t i, n = json_array_size(json_object_get(e, "dropped"));
	json_t *v;
	p->ips = calloc(n ? n : 1, sizeof(*p->ips));
	p->wider = calloc(1, sizeof(*p->wider));
	p->owned = json_incref(json_object_get(e, "dropped"));
	json_array_foreach(p->owned, i, v) p->ips[p->nips++] = json_string_value(v);
	buf_printf(&p->notes, "the edit of %.19s is undone: mynetworks as it was before it\n",
		   json_string_value(json_object_get(e, "time")) ?: "?");
	json_decref(e);
	return 0;
}

/* mynetworks_verify - what postconf says now is the plan's value, and none of the dropped addresses has an entry */
static int mynetworks_verify(const struct postfix_conf *c, const struct mynetworks_plan *p, struct error *err)
{
	struct buf raw = BUF_INIT, expanded = BUF_INIT;
	int rc = cleanup_postconf(&c->inst, "mynetworks", 0, &raw, err) < 0
		 || cleanup_postconf(&c->inst, "mynetworks", 1, &expanded, err) < 0 ? -1 : 0;
	if (rc == 0 && !net_tokens_equal(buf_str(&raw), buf_str(&p->after))) {
		error_set(err, "mynetworks reads back as '%.300s', not as planned", buf_str(&raw));
		rc = -1;
	}
	struct net_list now;
	net_list_parse(&now, buf_str(&expanded));
	for (size_t i = 0; rc == 0 && !p->restore && i < p->nips; i++) {
		struct buf without = BUF_INIT;
		const struct net_entry *wider;
		if (net_list_without(&now, p->ips[i], &without, &wider) > 0) {
			error_set(err, "%s is still in mynetworks after the edit", p->ips[i]);
			rc = -1;
		}
		buf_free(&without);
	}
	net_list_free(&now);
	buf_free(&raw);
	buf_free(&expanded);
	return rc;
}

int cleanup_mynetworks_apply(const struct postfix_conf *c, const struct mynetworks_plan *p, const char *journal_path,
			     struct buf *backup, struct buf *out, struct error *err)
{
	if (!p->runnable) {
		error_set(err, "nothing to drop from mynetworks");
		return -1;
	}
	if (cleanup_backup_main_cf(c->config_dir, backup, err) < 0)
		return -1;
	struct buf setting = BUF_INIT;
	buf_printf(&setting, "mynetworks = %s", buf_str(&p->after));
	const char *words[] = {"-e", buf_str(&setting), NULL};
	char *edit[8];
	postfix_argv(&c->inst, "postconf", words, edit);
	json_t *extra = json_object(), *ips = json_array();	/* what `spamtop unblock --trusted-ip` restores */
	if (c->inst.config_dir[0])	/* which main.cf: the undo finds the edit of its own instance */
		json_object_set_new(extra, "instance", json_string(c->inst.config_dir));
	for (size_t i = 0; i < p->nips; i++)
		json_array_append_new(ips, json_string(p->ips[i]));
	json_object_set_new(extra, p->restore ? "restored" : "dropped", ips);
	json_object_set_new(extra, "previous", json_string(buf_str(&p->before)));
	json_object_set_new(extra, "value", json_string(buf_str(&p->after)));
	int rc = cleanup_run_journaled_with(edit, "mynetworks", buf_str(&setting), extra, journal_path, out, err);
	json_decref(extra);
	buf_free(&setting);
	if (rc != 0) {
		if (rc > 0)
			error_set(err, "postconf -e failed (exit status %d); main.cf is unchanged or saved in %s", rc,
				  buf_str(backup));
		return -1;
	}
	if (mynetworks_verify(c, p, err) < 0) {	/* nothing reloaded: Postfix still runs the old value */
		char why[sizeof(err->msg)];
		snprintf(why, sizeof(why), "%s", err->msg);
		error_set(err, "%s; Postfix was not reloaded; main.cf as it was is in %s", why, buf_str(backup));
		return -1;
	}
	rc = cleanup_reload(c, journal_path, out, err);
	if (rc > 0)
		error_set(err, "postfix reload failed (exit status %d): mynetworks is changed in main.cf", rc);
	return rc == 0 ? 0 : -1;
}

/* ---- the incident report ---- */

/*
 * md_text - log text as inert Markdown: control characters made visible
 * (sanitize), then a backslash before every ASCII punctuation character
 * that begins a Markdown construct (links, images, emphasis, code, HTML,
 * entities, headings, lists, tables, URL autolinks) and before the dot of
 * a "www." that would become a link.
 */
static void md_text(FILE *f, const char *s, size_t len)
{
	static const char markdown[] = "\\`*_{}[]()<>#+-!|~&:";
	struct buf b = BUF_INIT;
	sanitize_text(&b, s, len);
	for (size_t i = 0; i < b.len; i++) {
		char ch = b.data[i];
		int www = ch == '.' && i >= 3 && strncasecmp(b.data + i - 3, "www", 3) == 0;
		if ((ch && strchr(markdown, ch)) || www)
			fputc('\\', f);
		fputc(ch, f);
	}
	buf_free(&b);
}

static void md_str(FILE *f, const char *s) { md_text(f, s, strlen(s)); }

static void put_time(FILE *f, int64_t t)
{
	char s[32];
	time_t tt = (time_t)t;
	struct tm tm;
	strftime(s, sizeof(s), "%Y-%m-%d %H:%M:%S UTC", gmtime_r(&tt, &tm));
	fputs(s, f);
}

/* put_damage - the suspects' messages that already left, per recipient domain */
static void put_damage(FILE *f, const struct model *m, const struct suspect *sus, size_t nsus, const char *const *logs,
		       size_t nlogs, int64_t until)
{
	struct damage d;
	struct error err;
	if (nsus == 0 || nlogs == 0)
		return;
	fputs("## What already left\n\n", f);
	if (damage_count(m, sus, nsus, logs, nlogs, until, &d, &err) < 0) {
		fputs("The logs could not be read again: ", f);
		md_str(f, err.msg);
		fputs("\n\n", f);
		damage_free(&d);
		return;
	}
	if (d.delivered == 0) {
		fprintf(f, "None of the suspects' %zu messages was delivered to a remote domain%s.\n\n", d.messages,
			until ? " before the cleanup began" : "");
		damage_free(&d);
		return;
	}
	fprintf(f, "At least %llu deliveries of the suspects' %zu messages reached %zu remote domains%s (messages the "
		"model no longer holds are not counted):\n\n", (unsigned long long)d.delivered, d.messages, d.count,
		until ? " before the cleanup began" : "");
	for (size_t i = 0; i < d.count && i < 20; i++) {
		fputs("- ", f);
		md_str(f, d.d[i].domain);
		fprintf(f, ": %u\n", d.d[i].delivered);
	}
	if (d.count > 20)
		fprintf(f, "- and %zu more domains\n", d.count - 20);
	fputc('\n', f);
	damage_free(&d);
}

/* put_reputation - the remote sites that refuse this server, and the lists
 * to ask for removal from (once the outbreak is stopped) */
static void put_reputation(FILE *f, const struct model *m)
{
	const struct reputation_log *log = model_reputation(m);
	if (log->refusals == 0)
		return;
	fprintf(f, "## Blocklisting\n\n%llu deliveries were refused for this server's reputation:\n\n",
		(unsigned long long)log->refusals);
	const struct reputation_domain *rows[REPUTATION_MAX_DOMAINS];
	size_t n = reputation_top(log, rows, 20);
	uint64_t lists = 0;
	for (size_t i = 0; i < n; i++) {
		fputs("- ", f);
		md_text(f, rows[i]->domain, strlen(rows[i]->domain));
		fprintf(f, ": %u refused since ", rows[i]->refusals);
		put_time(f, rows[i]->first_seen);
		for (size_t e = 0; e < reputation_entry_count && e < 64; e++)
			if (rows[i]->entries & (1ull << e))
				fprintf(f, "; %s", reputation_entries[e].what);
		fputc('\n', f);
		lists |= rows[i]->entries;
	}
	fputs("\nOnce the outbreak is stopped, ask for removal:\n\n", f);
	for (size_t e = 0; e < reputation_entry_count && e < 64; e++)
		if (lists & (1ull << e))
			fprintf(f, "- %s: %s\n", reputation_entries[e].what,
				reputation_entries[e].removal[0] ? reputation_entries[e].removal : "the list the reply names");
	fputc('\n', f);
}

static void put_counts(FILE *f, const char *label, const size_t c[QN_COUNT])
{
	size_t total = 0;
	for (int i = 0; i < QN_COUNT; i++)
		total += c[i];
	fprintf(f, "- %s: %zu messages (incoming %zu, active %zu, deferred %zu, hold %zu)\n", label, total,
		c[QN_INCOMING], c[QN_ACTIVE], c[QN_DEFERRED], c[QN_HOLD]);
}

static size_t json_list_len(json_t *e, const char *key)
{
	json_t *v = json_object_get(e, key);
	return json_is_array(v) ? json_array_size(v) : 0;
}

static void put_journal_row(FILE *f, json_t *e, const char *time)
{
	json_t *cmd = json_object_get(e, "command");
	struct buf c = BUF_INIT;
	if (json_is_array(cmd)) {
		size_t i;
		json_t *w;
		json_array_foreach(cmd, i, w) buf_printf(&c, "%s%s", i ? " " : "", json_string_value(w) ?: "");
	} else if (json_is_string(cmd)) {
		buf_puts(&c, json_string_value(cmd));
	}
	fprintf(f, "| %.19s | ", time);
	md_str(f, json_string_value(json_object_get(e, "operator")) ?: "?");
	fputs(" | ", f);
	md_str(f, json_string_value(json_object_get(e, "action")) ?: "?");
	fputs(" | ", f);
	md_str(f, json_string_value(json_object_get(e, "selection")) ?: "");
	fputs(" | ", f);
	md_str(f, buf_str(&c));
	fputs(" | ", f);
	json_t *exp = json_object_get(e, "expected");
	if (exp)
		fprintf(f, "%lld", (long long)json_integer_value(exp));
	json_t *total = json_object_get(e, "postsuper_total");
	size_t changed = json_list_len(e, "changed");
	if (changed == 0 && total)
		changed = (size_t)json_integer_value(total);
	fprintf(f, " | %zu | %zu | %zu | %lld |\n", changed, json_list_len(e, "gone"), json_list_len(e, "unchanged"),
		(long long)json_integer_value(json_object_get(e, "exit_status")));
	buf_free(&c);
}

/* put_journal - every entry since the cleanup began, as a table; lines of
 * any length (a delete of thousands of IDs is one long line); a line that
 * is not a journal entry is named, never skipped in silence */
static void put_journal(FILE *f, const char *path, int64_t since)
{
	FILE *j = path ? fopen(path, "re") : NULL;
	if (j == NULL) {
		fprintf(f, "The audit journal %s could not be read.\n", path ? path : "(none)");
		return;
	}
	char stamp[32];
	time_t tt = (time_t)since;
	struct tm tm;
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", gmtime_r(&tt, &tm));
	fputs("| time (UTC) | operator | action | selection | command | expected | changed | gone | not changed | exit |\n"
	      "|---|---|---|---|---|---|---|---|---|---|\n", f);
	char *line = NULL;
	size_t cap = 0, rows = 0, lineno = 0;
	struct buf unreadable = BUF_INIT;
	size_t nunreadable = 0;
	while (getline(&line, &cap, j) > 0) {
		lineno++;
		json_t *e = json_loads(line, 0, NULL);
		const char *time = json_string_value(json_object_get(e, "time"));
		const char *phase = json_string_value(json_object_get(e, "phase"));
		if (e == NULL || time == NULL || phase == NULL) {
			if (nunreadable++ < 20)
				buf_printf(&unreadable, "%s%zu", unreadable.len ? ", " : "", lineno);
		} else if (strcmp(time, stamp) >= 0 && strcmp(phase, "done") == 0) {
			put_journal_row(f, e, time);
			rows++;
		}
		json_decref(e);
	}
	free(line);
	fclose(j);
	if (rows == 0)
		fputs("\nNo action was journaled since the cleanup began.\n", f);
	if (nunreadable)
		fprintf(f, "\n%zu line%s of the journal %s could not be read as entries (line %s%s): look at them by hand.\n",
			nunreadable, nunreadable == 1 ? "" : "s", path, buf_str(&unreadable), nunreadable > 20 ? ", ..." : "");
	buf_free(&unreadable);
}

static void put_suspects(FILE *f, const struct model *m, const struct suspect *sus, size_t n,
			 const struct cleanup_state *s)
{
	for (size_t i = 0; i < n; i++) {
		const struct agg_stats *a = sus[i].agg;
		int chosen = 0;
		for (size_t t = 0; a->host == 0 && t < s->ntargets; t++)	/* the cleanup acts on host 0 */
			if (s->targets[t].kind == sus[i].kind && strlen(s->targets[t].key) == a->key->len
			    && memcmp(s->targets[t].key, a->key->s, a->key->len) == 0)
				chosen = s->targets[t].chosen;
		fprintf(f, "### %s ", suspect_kind_name(sus[i].kind));
		md_text(f, a->key->s, a->key->len);
		if (model_host_count(m) > 1) {
			fputs(" on ", f);
			md_text(f, model_host_name(m, a->host), strlen(model_host_name(m, a->host)));
		}
		fprintf(f, "%s\n\n", chosen ? " (acted on)" : "");
		fprintf(f, "- %u messages, %u recipients, %u deferred, %u bounced", a->msgs, a->rcpts, a->deferred,
			a->bounced);
		if (sus[i].kind == SUSPECT_SASL_USER)
			fprintf(f, ", from %u client IPs", a->distinct_ips);
		if (sus[i].kind == SUSPECT_WEB_APP)
			fputs(", submitted locally (sendmail) by this uid", f);
		fprintf(f, "; %u SASL failures; %u deleted\n", a->sasl_failures, a->deleted);
		fputs("- first seen ", f);
		put_time(f, a->first_seen);
		fputs(", last seen ", f);
		put_time(f, a->last_seen);
		fputc('\n', f);
		for (int r = 0; r < sus[i].nreasons; r++)
			fprintf(f, "- %s\n", sus[i].reasons[r]);
		fputc('\n', f);
	}
	(void)m;
}

int incident_write(FILE *f, const struct model *m, const struct suspect *sus, size_t nsus,
		   const struct cleanup_state *s, const char *const *logs, size_t nlogs, const char *journal_path,
		   struct error *err)
{
	char host[256] = "";
	gethostname(host, sizeof(host) - 1);
	const struct model_totals *t = model_totals(m);
	fputs("# Incident report: spam sent through ", f);
	md_str(f, host);
	fputs("\n\n- Written: ", f);
	put_time(f, clock_now());
	fputs(" by ", f);
	md_str(f, journal_operator());
	fputs("\n- Logs read:", f);
	for (size_t i = 0; i < nlogs; i++) {
		fputs(i ? ", " : " ", f);
		md_str(f, logs[i]);
	}
	fprintf(f, " (%llu lines)\n- Log time: ", (unsigned long long)t->lines);
	put_time(f, t->first_time);
	fputs(" to ", f);
	put_time(f, t->last_time);
	fprintf(f, "\n- Messages: %llu (%llu authenticated, %llu unauthenticated, %llu with the null sender); "
		"%llu SASL failures; %llu rejects\n\n", (unsigned long long)t->messages,
		(unsigned long long)t->auth_messages, (unsigned long long)t->unauth_messages,
		(unsigned long long)t->null_sender, (unsigned long long)t->sasl_failures, (unsigned long long)t->rejects);

	fputs("## Timeline\n\n", f);
	fputs("- ", f);
	put_time(f, t->first_time);
	fputs(": the log begins\n", f);
	size_t order[64], n = nsus < 64 ? nsus : 64;
	for (size_t i = 0; i < n; i++) {	/* in time order: an insertion sort of a handful */
		size_t j = i;
		for (; j > 0 && sus[order[j - 1]].agg->first_seen > sus[i].agg->first_seen; j--)
			order[j] = order[j - 1];
		order[j] = i;
	}
	for (size_t k = 0; k < n; k++) {
		const struct suspect *x = &sus[order[k]];
		fputs("- ", f);
		put_time(f, x->agg->first_seen);
		fprintf(f, ": first seen: %s ", suspect_kind_name(x->kind));
		md_text(f, x->agg->key->s, x->agg->key->len);
		fputc('\n', f);
	}
	if (s) {
		fputs("- ", f);
		put_time(f, s->started);
		fputs(": the cleanup began\n", f);
		for (int step = STEP_HOLD; step <= STEP_WATCH; step++)
			if (s->outcome[step][0]) {
				fprintf(f, "- step %d, %s: ", step, cleanup_step_title(step));
				md_str(f, s->outcome[step]);
				fputc('\n', f);
			}
	}
	fputs("\n## Suspects and evidence\n\n", f);
	if (nsus == 0)
		fputs("No suspect crossed its threshold.\n\n", f);
	put_suspects(f, m, sus, nsus, s ? s : &(struct cleanup_state){0});

	put_damage(f, m, sus, nsus, logs, nlogs, s ? s->started : 0);
	put_reputation(f, m);

	fputs("## Actions (from the audit journal)\n\n", f);
	put_journal(f, journal_path, s ? s->started : 0);

	fputs("\n## The queue\n\n", f);
	if (s && s->have_before)
		put_counts(f, "Before the cleanup", s->before);
	if (s && s->have_after)
		put_counts(f, "After the release", s->after);
	if (!s || (!s->have_before && !s->have_after))
		fputs("The queue was not read during a cleanup.\n", f);
	if (ferror(f)) {
		error_errno(err, errno, "cannot write the incident report");
		return -1;
	}
	return 0;
}
