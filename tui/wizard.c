/*
 * wizard - the six steps of the guided cleanup (see wizard.h).
 *
 * Every page is rendered anew from the model, the queue snapshot and the
 * saved state whenever either changes; what is slow to find (sample log
 * lines, subjects from postcat) is found once per target and kept.
 */
#include "wizard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <pwd.h>
#include <time.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "core/incident/cleanup_session.h"
#include "core/base/safefile.h"
#include "core/incident/postfix_block.h"
#include "core/base/spawn.h"
#include "core/queue/throttle.h"
#include "core/queue/trail.h"

#define SAMPLE_LINES 2
#define SAMPLE_SUBJECTS 3

struct wizard {
	struct cleanup_session s;	/* the state and what acts: core/incident/cleanup_session */
	char state_path[512];
	char report_path[512];
	size_t cursor;		/* step 3: the target under the cursor */
	struct buf samples[CLEANUP_MAX_TARGETS];	/* log lines, found once */
	int sampled[CLEANUP_MAX_TARGETS];
	struct buf subjects;	/* step 5: subjects of a few of the messages */
	int subjects_found;
};

static const struct agg_stats *target_stats(struct console *c, const struct cleanup_target *t)
{
	return cleanup_target_stats(c->model, t);
}

static void enter_step(struct console *c);

static void save(struct console *c)
{
	struct error err;
	if (cleanup_state_save(&c->wizard->s.st, c->wizard->state_path, &err) < 0)
		console_say(c, 1, "%s", err.msg);
}

static void queue_counts(const struct queue_snapshot *q, size_t out[QN_COUNT])
{
	memcpy(out, q->by_queue, sizeof(q->by_queue));
}

static void default_paths(struct wizard *w, const struct console_options *o, int root)
{
	const char *home = getenv("HOME");
	if (o->state_path)
		snprintf(w->state_path, sizeof(w->state_path), "%s", o->state_path);
	else if (root)
		snprintf(w->state_path, sizeof(w->state_path), "%s", CLEANUP_DEFAULT_STATE);
	else
		snprintf(w->state_path, sizeof(w->state_path), "%s/.spamtop-cleanup.json", home ? home : ".");
	if (o->incident_path) {
		snprintf(w->report_path, sizeof(w->report_path), "%s", o->incident_path);
		return;
	}
	char stamp[32];
	time_t t = (time_t)w->s.st.started;
	struct tm tm;
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", gmtime_r(&t, &tm));
	snprintf(w->report_path, sizeof(w->report_path), "%s/spamtop-incident-%s.md",
		 root ? "/var/lib/spamtop" : ".", stamp);
}

int wizard_open(struct console *c, int resume, struct error *err)
{
	if (c->wizard == NULL) {
		struct wizard *w = calloc(1, sizeof(*w));
		if (w == NULL) {
			error_set(err, "out of memory");
			return -1;
		}
		cleanup_session_init(&w->s, clock_now(), c->opt->journal, c->opt->disable_cmd, c->opt->our_domains);
		default_paths(w, c->opt, c->is_root);
		if (resume && cleanup_state_load(&w->s.st, w->state_path, err) < 0) {
			cleanup_session_free(&w->s);
			free(w);
			return -1;
		}
		if (resume)
			default_paths(w, c->opt, c->is_root);	/* the report is named by the resumed start */
		c->wizard = w;
	}
	enter_step(c);	/* a resumed step 3 or 5 */
	struct view *v = console_push_view(c, &wizard_view_ops);
	if (v == NULL) {
		error_set(err, "too many views open");
		return -1;
	}
	pager_init(&v->pager, "Cleanup");
	return 0;
}

void wizard_free(struct wizard *w)
{
	if (w == NULL)
		return;
	for (int i = 0; i < CLEANUP_MAX_TARGETS; i++)
		buf_free(&w->samples[i]);
	buf_free(&w->subjects);
	cleanup_session_free(&w->s);
	free(w);
}

/* ---- pages ---- */

static void keys_line(struct pager *p, const char *what_enter)
{
	pager_puts(p, LS_TEXT, "");
	pager_addf(p, LS_DIM, "Enter: %s   n: next step   b: back   i: incident report   Esc: leave (the state is kept)",
		   what_enter);
}

static void put_queue(struct pager *p, const struct queue_snapshot *q, const char *label)
{
	if (q == NULL) {
		pager_addf(p, LS_DIM, "%s: not read yet", label);
		return;
	}
	pager_addf(p, LS_TEXT, "%s: %zu messages: incoming %zu, active %zu, deferred %zu, hold %zu", label, q->count,
		   q->by_queue[QN_INCOMING], q->by_queue[QN_ACTIVE], q->by_queue[QN_DEFERRED], q->by_queue[QN_HOLD]);
}

static void page_hold(struct console *c, struct pager *p)
{
	pager_puts(p, LS_TEXT, "Stop the bleeding: held mail stays in the queue, nothing leaves while you look.");
	put_queue(p, c->queue, "Queue now");
	pager_puts(p, LS_TEXT, "");
	pager_puts(p, LS_HEADING, "Proposed: postsuper -h ALL");
	pager_puts(p, LS_TEXT, "  (or hold only the suspects' messages from the console: h on their rows)");
	if (c->queue && c->wizard->s.st.outcome[STEP_HOLD][0]) {
		size_t moving = c->queue->by_queue[QN_ACTIVE] + c->queue->by_queue[QN_DEFERRED]
				+ c->queue->by_queue[QN_INCOMING];
		pager_addf(p, moving ? LS_ALERT : LS_TEXT, "%s", moving
			   ? "Still in incoming/active/deferred: new mail keeps arriving, hold again or go on."
			   : "Nothing is left in incoming, active or deferred.");
	}
	keys_line(p, "hold the whole queue (asks first)");
}

struct minute_count {
	int64_t from;
	uint32_t n[15];
};

static int count_minute(const struct msg_record *r, void *arg)
{
	struct minute_count *mc = arg;
	if (r->first_seen >= mc->from && r->first_seen < mc->from + 15 * 60)
		mc->n[(r->first_seen - mc->from) / 60]++;
	return 0;
}

static void put_sparkline(struct console *c, struct pager *p)
{
	static const char levels[] = " .:-=+*#%@";
	struct minute_count mc;
	memset(&mc, 0, sizeof(mc));
	int64_t now = model_now(c->model);
	mc.from = (now / 60 - 14) * 60;
	model_foreach_record(c->model, count_minute, &mc);
	uint32_t max = 1;
	for (int i = 0; i < 15; i++)
		if (mc.n[i] > max)
			max = mc.n[i];
	char line[16];
	for (int i = 0; i < 15; i++)
		line[i] = levels[mc.n[i] ? 1 + (mc.n[i] * 8) / max : 0];
	line[15] = 0;
	pager_addf(p, LS_TEXT, "Messages a minute, last 15 minutes of log time: [%s]  peak %u a minute", line, max);
}

static void page_read(struct console *c, struct pager *p)
{
	const struct model_totals *t = model_totals(c->model);
	struct wizard *w = c->wizard;
	double share = t->messages ? 100.0 * (double)t->null_sender / (double)t->messages : 0;
	pager_addf(p, LS_TEXT, "Messages in the log: %llu; with the null sender from=<>: %llu (%.0f%%)",
		   (unsigned long long)t->messages, (unsigned long long)t->null_sender, share);
	put_sparkline(c, p);
	pager_puts(p, LS_TEXT, "");
	pager_puts(p, LS_HEADING, "Sender domains that are not ours");
	if (!w->s.conf_ok)
		pager_addf(p, LS_ALERT, "  which domains are ours is unknown: %s", w->s.conf_error);
	else if (w->s.conf.ours.not_evaluated.len)
		pager_addf(p, LS_DIM, "  (tables not evaluated: %s)", buf_str(&w->s.conf.ours.not_evaluated));
	const struct agg_stats *top[64];
	size_t n = agg_top(c->model, AGG_DOMAIN, F_MSGS, 1, top, 64), shown = 0;
	for (size_t i = 0; i < n && shown < 8; i++) {
		if (top[i]->key->len == 0 || (w->s.conf_ok && domain_list_has(&w->s.conf.ours, top[i]->key->s, top[i]->key->len)))
			continue;
		struct buf b = BUF_INIT;
		buf_printf(&b, "  %6u messages  ", top[i]->msgs);
		buf_append(&b, top[i]->key->s, top[i]->key->len);
		pager_add(p, LS_ALERT, b.data, b.len);
		buf_free(&b);
		shown++;
	}
	if (shown == 0)
		pager_puts(p, LS_TEXT, "  none");
	pager_puts(p, LS_TEXT, "");
	pager_puts(p, LS_HEADING, "Top envelope senders");
	n = agg_top(c->model, AGG_SENDER, F_MSGS, 1, top, 5);
	for (size_t i = 0; i < n; i++) {
		struct buf b = BUF_INIT;
		buf_printf(&b, "  %6u messages  ", top[i]->msgs);
		buf_append(&b, top[i]->key->len ? top[i]->key->s : "<>", top[i]->key->len ? top[i]->key->len : 2);
		pager_add(p, LS_TEXT, b.data, b.len);
		buf_free(&b);
	}
	keys_line(p, "next step");
}

struct first_record {
	const struct agg_stats *agg;
	enum agg_kind kind;
	const struct model *m;
	char qid[33];
};

static int find_first(const struct msg_record *r, void *arg)
{
	struct first_record *f = arg;
	uint32_t idx = r->agg[f->kind];
	if (idx && model_agg_at(f->m, f->kind, idx - 1) == f->agg) {
		snprintf(f->qid, sizeof(f->qid), "%s", r->qid);
		return 1;
	}
	return 0;
}

/* find_sample - a couple of log lines of one of the target's messages (read once, on entering step 3) */
static void find_sample(struct console *c, size_t i)
{
	struct wizard *w = c->wizard;
	if (w->sampled[i])
		return;
	w->sampled[i] = 1;
	struct first_record f = {target_stats(c, &w->s.st.targets[i]), suspect_agg_kind(w->s.st.targets[i].kind), c->model, ""};
	if (f.agg)
		model_foreach_record(c->model, find_first, &f);
	const char *paths[CONSOLE_MAX_INPUTS];
	size_t n = console_log_files(c, 0, paths);
	struct error err;
	if (f.qid[0])
		trail_collect(paths, n, f.qid, SAMPLE_LINES, NULL, &w->samples[i], &err);
}

static const struct suspect *suspect_of(struct console *c, const struct cleanup_target *t)
{
	for (size_t i = 0; i < c->nsuspects; i++) {
		const struct istr *k = c->suspects[i].agg->key;
		if (c->suspects[i].agg->host == 0 && c->suspects[i].kind == t->kind && k->len == strlen(t->key) && memcmp(k->s, t->key, k->len) == 0)
			return &c->suspects[i];
	}
	return NULL;
}

/* other_hosts - suspects on other hosts: this cleanup acts on this machine only, so
 * they are named with where to act on them, never left unsaid */
static void other_hosts(struct console *c, struct pager *p)
{
	size_t n = 0;
	for (size_t i = 0; i < c->nsuspects; i++) {
		const struct suspect *s = &c->suspects[i];
		if (s->agg->host == 0)
			continue;
		if (n++ == 0) {
			pager_puts(p, LS_TEXT, "");
			pager_addf(p, LS_HEADING, "On other hosts (this cleanup acts on %s only):", model_host_name(c->model, 0));
		}
		struct buf b = BUF_INIT;
		buf_printf(&b, "  %s ", suspect_kind_name(s->kind));
		buf_append(&b, s->agg->key->len ? s->agg->key->s : "<>", s->agg->key->len ? s->agg->key->len : 2);
		buf_printf(&b, " on %s", model_host_name(c->model, s->agg->host));
		pager_add(p, LS_ALERT, b.data, b.len);
		buf_free(&b);
	}
	if (n)
		pager_puts(p, LS_TEXT, "  Act on them from their rows (h, d over ssh), or run spamtop cleanup on that host.");
}

static void page_identify(struct console *c, struct pager *p)
{
	struct wizard *w = c->wizard;
	if (w->s.st.ntargets == 0) {
		pager_puts(p, LS_TEXT, "No suspect crossed its threshold here. Look at the tabs (SASL users, Client IPs) yourself.");
		other_hosts(c, p);
		keys_line(p, "next step");
		return;
	}
	pager_puts(p, LS_TEXT, "Suspects, the most mail first. Space marks the ones to act on (Up/Down to move).");
	pager_puts(p, LS_TEXT, "");
	for (size_t i = 0; i < w->s.st.ntargets; i++) {
		const struct cleanup_target *t = &w->s.st.targets[i];
		const struct agg_stats *a = target_stats(c, t);
		pager_addf(p, i == w->cursor ? LS_HEADING : LS_TEXT, "%s [%c] %s %s", i == w->cursor ? ">" : " ",
			   t->chosen ? 'x' : ' ', suspect_kind_name(t->kind), t->key);
		if (a && t->kind == SUSPECT_SASL_USER)
			pager_addf(p, LS_TEXT, "      %u messages, %u recipients, from %u client IPs; %u SASL failures "
				   "against it", a->msgs, a->rcpts, a->distinct_ips, a->sasl_failures);
		else if (a && t->kind == SUSPECT_WEB_APP)
			pager_addf(p, LS_TEXT, "      %u messages, %u recipients submitted locally (sendmail) by uid %s",
				   a->msgs, a->rcpts, t->key);
		else if (a)
			pager_addf(p, LS_TEXT, "      %u messages (%u authenticated, %u not, %u with the null sender), "
				   "%u recipients; %u SASL failures from it", a->msgs, a->auth_msgs, a->unauth_msgs,
				   a->null_sender, a->rcpts, a->sasl_failures);
		const struct suspect *s = suspect_of(c, t);
		for (int r = 0; s && r < s->nreasons; r++)
			pager_addf(p, LS_ALERT, "      - %s", s->reasons[r]);
		if (t->kind == SUSPECT_TRUSTED_RELAY && w->s.conf_ok) {
			const struct net_entry *e = net_list_match(&w->s.conf.trusted, t->key);
			e = e && e->negated ? NULL : e;	/* "!ip" first: excluded, not trusted */
			pager_addf(p, e ? LS_ALERT : LS_TEXT, "      %s%s%s", e ? "trusted: in mynetworks as " : "not in mynetworks",
				   e ? e->text : "", e ? "" : " (it relayed for another reason: see smtpd_relay_restrictions)");
		}
		const char *q = w->samples[i].data ? w->samples[i].data : "";
		while (*q) {
			const char *nl = strchr(q, '\n');
			struct buf b = BUF_INIT;
			buf_puts(&b, "      | ");
			buf_append(&b, q, (size_t)(nl - q));
			pager_add(p, LS_DIM, b.data, b.len);
			buf_free(&b);
			q = nl + 1;
		}
	}
	other_hosts(c, p);
	keys_line(p, "act on the marked suspects");
}

/* web_app_advice - a web application that sends through sendmail: what to
 * do by hand (nothing here is run: the script is the admin's to find) */
static void web_app_advice(struct pager *p, const char *uid)
{
	char name[64];
	const struct passwd *pw = getpwuid((uid_t)strtoul(uid, NULL, 10));
	snprintf(name, sizeof(name), "%s", pw ? pw->pw_name : uid);
	pager_addf(p, LS_HEADING, "Web application: uid %s (%s on this machine)", uid, pw ? name : "no such user");
	pager_addf(p, LS_TEXT, "  find the script: ps -u %s -f; the web server's access log at the burst's minutes", uid);
	pager_addf(p, LS_TEXT, "  (POST requests); the X-PHP-Originating-Script header of its queued mail (Enter on one)");
	pager_addf(p, LS_TEXT, "  disable it, then keep that user from sendmail until it is fixed:");
	pager_addf(p, LS_TEXT, "    postconf -e 'authorized_submit_users = !%s, static:all'", name);
}

/* describe_relays - the one mynetworks edit for every chosen trusted relay */
static void describe_relays(struct console *c, struct pager *p, int *runnable)
{
	struct wizard *w = c->wizard;
	const char *ips[CLEANUP_MAX_TARGETS];
	size_t n = cleanup_session_relays(&w->s, ips);
	pager_addf(p, LS_HEADING, "Trusted relay%s", n == 1 ? "" : "s");
	if (!w->s.conf_ok) {
		pager_addf(p, LS_ALERT, "  mynetworks is unknown: %s", w->s.conf_error);
		return;
	}
	struct mynetworks_plan plan;
	struct error err;
	if (cleanup_mynetworks_plan(&w->s.conf, ips, n, &plan, &err) < 0) {
		pager_addf(p, LS_ALERT, "  mynetworks cannot be edited: %s", err.msg);
		return;
	}
	pager_add_lines(p, LS_TEXT, plan.notes.data ? plan.notes.data : "", plan.notes.len);
	pager_addf(p, LS_TEXT, "  mynetworks now:   %s", buf_str(&plan.before));
	if (plan.runnable) {
		pager_addf(p, LS_TEXT, "  mynetworks after: %s", buf_str(&plan.after));
		pager_addf(p, LS_TEXT, "  will: copy %s/main.cf aside, postconf -e (one edit), read it back, postfix reload",
			   w->s.conf.config_dir);
		(*runnable)++;
	}
	for (size_t i = 0; i < plan.nwider; i++) {
		pager_addf(p, LS_TEXT, "  will block %s in Postfix: a line in %s/%s, check_client_access at the front of %s",
			   plan.wider[i], w->s.conf.config_dir, block_table_name(BLOCK_HOST), block_restriction(BLOCK_HOST));
		(*runnable)++;
	}
	mynetworks_plan_free(&plan);
}

/* contain_plan - what step 4 would do, in words and (when run) for real */
static int contain_describe(struct console *c, struct pager *p, int *runnable)
{
	struct wizard *w = c->wizard;
	int shown = 0, relays = 0;
	*runnable = 0;
	for (size_t i = 0; i < w->s.st.ntargets; i++) {
		const struct cleanup_target *t = &w->s.st.targets[i];
		if (!t->chosen || t->kind == SUSPECT_BRUTE_FORCE)
			continue;
		shown++;
		if (t->kind == SUSPECT_SASL_USER) {
			pager_addf(p, LS_HEADING, "Account %s", t->key);
			char storage[1024], *argv[16];
			struct error err;
			if (cleanup_account_argv(c->opt->disable_cmd, t->key, storage, sizeof(storage), argv, 16, &err) > 0) {
				struct buf b = BUF_INIT;
				spawn_describe(argv, &b);
				pager_addf(p, LS_TEXT, "  will run: %s", buf_str(&b));
				buf_free(&b);
				(*runnable)++;
			} else if (c->opt->disable_cmd) {
				pager_addf(p, LS_ALERT, "  --disable-cmd not run: %s", err.msg);
			}
			pager_addf(p, LS_TEXT, "  will block it in Postfix: a line in %s/%s, check_sasl_access at the front of",
				   w->s.conf.config_dir[0] ? w->s.conf.config_dir : "/etc/postfix", block_table_name(BLOCK_ACCOUNT));
			pager_addf(p, LS_TEXT, "  smtpd_sender_restrictions (once), postfix reload: it can still log in to read mail");
			(*runnable)++;
			pager_addf(p, LS_TEXT, "  change its password in the mail server or the directory, then end its");
			pager_addf(p, LS_TEXT, "  sessions, e.g. doveadm kick %s  or  bm-cli user logout %s", t->key, t->key);
			continue;
		}
		if (t->kind == SUSPECT_WEB_APP) {
			web_app_advice(p, t->key);
			continue;
		}
		relays++;
	}
	if (relays)
		describe_relays(c, p, runnable);
	return shown;
}

static void page_contain(struct console *c, struct pager *p)
{
	int runnable;
	if (contain_describe(c, p, &runnable) == 0)
		pager_puts(p, LS_TEXT, "No account or trusted relay is marked (step 3): nothing to contain.");
	if (!c->is_root || c->opt->dry_run)
		pager_puts(p, LS_DIM, "Read-only here (not root, or --dry-run): run the commands above yourself.");
	keys_line(p, runnable ? "do the above (asks first)" : "next step");
}

/* targets_queued - the chosen targets' queued messages: how many, their
 * bytes, and the first max of them into ids */
static size_t targets_queued(struct console *c, size_t *count, size_t *bytes, const struct queued_msg **ids, size_t max)
{
	struct wizard *w = c->wizard;
	size_t nids = 0;
	for (size_t i = 0; c->queue && i < c->queue->count; i++) {
		const struct queued_msg *m = &c->queue->msgs[i];
		for (size_t k = 0; k < w->s.st.ntargets; k++)
			if (cleanup_target_owns(&w->s.st.targets[k], m)) {
				(*count)++;
				*bytes += m->size;
				if (nids < max)
					ids[nids++] = m;
				break;
			}
	}
	return nids;
}

/* find_subjects - the subjects of a few of the targets' queued messages
 * (postcat, once, on entering step 5) */
static void find_subjects(struct console *c)
{
	struct wizard *w = c->wizard;
	const struct queued_msg *ids[SAMPLE_SUBJECTS];
	size_t count = 0, bytes = 0, nids = targets_queued(c, &count, &bytes, ids, SAMPLE_SUBJECTS);
	if (w->subjects_found || nids == 0)
		return;
	w->subjects_found = 1;
	for (size_t i = 0; i < nids; i++) {
		struct buf h = BUF_INIT;
		struct error err;
		if (trail_headers(queue_instance(c->queue, ids[i]), ids[i]->qid, 5000, &h, &err) == 0) {
			const char *subj = strstr(buf_str(&h), "Subject:");
			if (subj && (subj == h.data || subj[-1] == '\n'))
				buf_printf(&w->subjects, "  %s  %.*s\n", ids[i]->qid, (int)strcspn(subj, "\n"), subj);
		}
		buf_free(&h);
	}
}

static void page_clean(struct console *c, struct pager *p)
{
	struct wizard *w = c->wizard;
	if (c->queue == NULL) {
		pager_puts(p, LS_DIM, "The queue has not been read.");
		keys_line(p, "next step");
		return;
	}
	size_t count = 0, bytes = 0;
	targets_queued(c, &count, &bytes, NULL, 0);
	pager_addf(p, LS_TEXT, "The marked suspects' queued messages (from the log; each is confirmed from its queue "
		   "file before anything is done): %zu, %zu bytes", count, bytes);
	if (w->subjects.len) {
		pager_puts(p, LS_HEADING, "A few of their subjects");
		pager_add_lines(p, LS_TEXT, w->subjects.data, w->subjects.len);
	}
	pager_puts(p, LS_ALERT, "Legitimate mail of the same account or host is in this set too.");
	pager_puts(p, LS_TEXT, "");
	pager_puts(p, LS_TEXT, "Enter deletes them (postsuper -d -, asks first); k keeps them held for review; n leaves them.");
	keys_line(p, "delete them");
}

static size_t throttle_batch(const struct console *c)
{
	return c->opt->throttle_batch ? c->opt->throttle_batch : THROTTLE_DEFAULT_BATCH;
}

static int throttle_seconds(const struct console *c)
{
	return c->opt->throttle_seconds ? c->opt->throttle_seconds : THROTTLE_DEFAULT_SECONDS;
}

static void page_release(struct console *c, struct pager *p)
{
	put_queue(p, c->queue, "Queue now");
	pager_puts(p, LS_HEADING, "Proposed: postsuper -H ALL");
	pager_addf(p, LS_TEXT, "Or t: release the held queue in batches of %zu every %d s, oldest first (--throttle), so",
		   throttle_batch(c), throttle_seconds(c));
	pager_puts(p, LS_TEXT, "that providers who rate-limit a server after a flood see an ordinary sender; it stops and");
	pager_puts(p, LS_TEXT, "holds the queue again if a contained account or host sends again.");
	pager_puts(p, LS_TEXT, "Then this page watches whether the suspects' traffic resumes.");
	keys_line(p, "release the whole queue (asks first)");
}

/* put_throttle - a throttled release's progress, on the watch page */
static void put_throttle(struct console *c, struct pager *p)
{
	const struct release_throttle *t = &c->wizard->s.throttle;
	if (t->ids.count == 0)
		return;
	pager_addf(p, t->stopped[0] ? LS_ALERT : LS_HEADING, "Throttled release: %zu of %zu held messages released in %zu "
		   "batch%s of up to %zu every %lld s%s%s", t->released, t->ids.count, t->batches, t->batches == 1 ? "" : "es",
		   t->batch, (long long)t->interval, t->stopped[0] ? "; STOPPED: " : t->running ? "" : "; finished",
		   t->stopped);
	if (t->running) {
		long long in = (long long)(t->next_at - clock_now());
		pager_addf(p, LS_TEXT, "  next batch in %lld s (s: stop it, the rest stays held)", in > 0 ? in : 0);
	}
	pager_puts(p, LS_TEXT, "");
}


static void page_watch(struct console *c, struct pager *p)
{
	struct wizard *w = c->wizard;
	put_queue(p, c->queue, "Queue now");
	pager_puts(p, LS_TEXT, "");
	put_throttle(c, p);
	int resumed = 0;
	for (size_t i = 0; i < w->s.st.ntargets; i++) {
		const struct cleanup_target *t = &w->s.st.targets[i];
		if (!t->chosen || t->kind == SUSPECT_BRUTE_FORCE)
			continue;
		const struct agg_stats *a = target_stats(c, t);
		uint32_t since = a && a->msgs > t->msgs_at_release ? a->msgs - t->msgs_at_release : 0;
		resumed += since > 0;
		pager_addf(p, since ? LS_ALERT : LS_TEXT, "%s %s: %s%u message(s) since the release", suspect_kind_name(t->kind),
			   t->key, since ? "SENDING AGAIN: " : "quiet, ", since);
	}
	if (resumed)
		pager_puts(p, LS_ALERT, "Traffic resumed: hold the queue again (H) and check the containment (b).");
	pager_puts(p, LS_TEXT, "");
	pager_addf(p, LS_TEXT, "Incident report: %s", w->report_path);
	pager_puts(p, LS_DIM, "i: write the report again   b: back   Esc: leave (the console keeps watching)");
}

static void wizard_render(struct console *c, struct pager *p)
{
	struct wizard *w = c->wizard;
	int step = w->s.st.step;
	char title[160];
	if (step == STEP_WATCH)
		snprintf(title, sizeof(title), "Cleanup: watching after the release");
	else
		snprintf(title, sizeof(title), "Cleanup step %d of 6: %s", step, cleanup_step_title(step));
	size_t top = p->top;
	pager_free(p);
	pager_init(p, title);
	for (int s = STEP_HOLD; s < step && s <= STEP_RELEASE; s++)
		if (w->s.st.outcome[s][0])
			pager_addf(p, LS_DIM, "  done: %d. %s: %s", s, cleanup_step_title(s), w->s.st.outcome[s]);
	pager_puts(p, LS_TEXT, "");
	switch (step) {
	case STEP_HOLD: page_hold(c, p); break;
	case STEP_READ: page_read(c, p); break;
	case STEP_IDENTIFY: page_identify(c, p); break;
	case STEP_CONTAIN: page_contain(c, p); break;
	case STEP_CLEAN: page_clean(c, p); break;
	case STEP_RELEASE: page_release(c, p); break;
	default: page_watch(c, p); break;
	}
	p->top = top < p->nlines ? top : 0;
}

/* ---- doing ---- */

static void write_report(struct console *c)
{
	struct wizard *w = c->wizard;
	struct safe_file sf;
	struct error err;
	if (safe_file_open(&sf, w->report_path, 0640, &err) < 0) {
		console_say(c, 1, "cannot write the incident report: %s", err.msg);
		return;
	}
	const char *logs[CONSOLE_MAX_INPUTS];
	for (size_t i = 0; i < c->ninputs; i++)
		logs[i] = c->inputs[i].path;
	int rc = incident_write(sf.f, c->model, c->suspects, c->nsuspects, &w->s.st, logs, c->ninputs, c->opt->journal,
				&err);
	if (rc < 0)
		safe_file_abort(&sf);
	else
		rc = safe_file_commit(&sf, &err);
	if (rc < 0)
		console_say(c, 1, "cannot write the incident report %s: %s", w->report_path, err.msg);
	else
		console_say(c, 0, "Incident report written to %s", w->report_path);
}

/*
 * enter_step - what a step shows that is found rather than drawn: step 3
 * takes the suspects as targets (once: from then on only the admin changes
 * them) and reads a sample of each one's log lines; step 5 reads a few
 * subjects. Called from key handlers, never while drawing.
 */
static void enter_step(struct console *c)
{
	struct wizard *w = c->wizard;
	if (w->s.st.step == STEP_IDENTIFY && !w->s.st.targets_set) {
		struct suspect local[CONSOLE_MAX_SUSPECTS];	/* the cleanup acts on this machine's queue */
		size_t nlocal = 0;
		for (size_t i = 0; i < c->nsuspects; i++)
			if (c->suspects[i].agg->host == 0)
				local[nlocal++] = c->suspects[i];
		cleanup_targets_from_suspects(&w->s.st, local, nlocal);
	}
	if (w->s.st.step == STEP_IDENTIFY)
		for (size_t i = 0; i < w->s.st.ntargets; i++)
			find_sample(c, i);
	if (w->s.st.step == STEP_CLEAN)
		find_subjects(c);
}

static void go(struct console *c, int step)
{
	struct wizard *w = c->wizard;
	w->s.st.step = step < STEP_HOLD ? STEP_HOLD : step > STEP_WATCH ? STEP_WATCH : step;
	enter_step(c);
	save(c);
}

static unsigned offer_all(struct console *c, enum queue_action a, int step)
{
	struct error err;
	if (!console_can_change_queue(c))
		return R_REDRAW;
	struct selection none;
	memset(&none, 0, sizeof(none));
	if (action_plan_build(&c->plan, a, 1, &none, c->queue, &err) == 0 && !console_offer_plan(c, step))
		go(c, step + 1);	/* nothing to hold or release: the step is done already */
	return R_REDRAW;
}

static unsigned offer_delete(struct console *c)
{
	struct error err;
	if (!console_can_change_queue(c))
		return R_REDRAW;
	if (c->job.w.running) {
		console_say(c, 1, "A plan is being built (Esc cancels it)");
		return R_REDRAW;
	}
	/* the targets' messages are confirmed from their queue files: tens of thousands in an
	 * outbreak, so off the key handler (console.c's job_tick offers the plan when built) */
	if (plan_job_start_clean(&c->job, &c->wizard->s, c->queue, &err) < 0)
		console_say(c, 1, "%s", err.msg);
	else
		console_say(c, 0, "Building the plan (Esc cancels)...");
	c->job_shown = 0;
	return R_REDRAW;
}

static unsigned offer_contain(struct console *c)
{
	int runs = c->is_root && !c->opt->dry_run;
	struct pager *d = console_dialog(c, runs ? "Confirm the containment (journaled)"
					 : "Read-only: these are for you to run", runs ? wizard_contain_confirmed : NULL);
	int runnable;
	contain_describe(c, d, &runnable);
	if (!runnable) {
		console_close_dialog(c);
		go(c, STEP_CLEAN);
		return R_REBUILD;
	}
	pager_puts(d, LS_TEXT, "");
	pager_puts(d, LS_TEXT, runs ? "y: run it   any other key: cancel" : "any key closes; nothing is run");
	return R_REDRAW;
}

/* dialog_report - a session's report into the dialog d: "!" lines stand out */
static void dialog_report(struct pager *d, const struct buf *report)
{
	for (const char *p = report->data ? report->data : ""; *p;) {
		size_t len = strcspn(p, "\n");
		int alert = *p == '!';
		pager_add(d, alert ? LS_ALERT : LS_TEXT, p + alert, len - (size_t)alert);
		p += len + (p[len] == '\n');
	}
}

unsigned wizard_contain_confirmed(struct console *c)
{
	struct error err;
	console_close_dialog(c);
	if (contain_job_start(&c->contain, &c->wizard->s, &err) < 0) {
		console_say(c, 1, "%s: nothing was run", err.msg);
		return R_REDRAW;
	}
	console_say(c, 0, "Containing: postconf, postfix reload, the disable command (journaled; the result comes "
		    "in a dialog)");
	return R_REDRAW;
}

unsigned wizard_contain_done(struct console *c, int rc, const struct buf *report)
{
	dialog_report(console_dialog(c, "Containment (any key closes)", NULL), report);
	go(c, rc < 0 ? STEP_CONTAIN : STEP_CLEAN);
	return R_REBUILD;
}

/* mark_release - the targets' message counts when the queue is let go: what "sends again" is measured from */
static void mark_release(struct console *c)
{
	cleanup_session_mark_release(&c->wizard->s, c->model, clock_now());
}

static unsigned offer_throttle(struct console *c)
{
	if (!console_can_change_queue(c))
		return R_REDRAW;
	size_t held = c->queue->by_queue[QN_HOLD];
	if (held == 0) {
		console_say(c, 0, "Nothing is held: nothing to release");
		return R_REDRAW;
	}
	size_t batch = throttle_batch(c);
	int secs = throttle_seconds(c);
	struct pager *d = console_dialog(c, c->opt->dry_run ? "DRY RUN: nothing will be changed"
					 : "Confirm a throttled release (journaled)", c->opt->dry_run ? NULL : wizard_throttle_confirmed);
	pager_addf(d, LS_TEXT, "Release %zu held message%s in %zu batch%s of up to %zu, one every %d s, oldest "
		   "first", held, held == 1 ? "" : "s", (held + batch - 1) / batch, (held + batch - 1) / batch == 1 ? "" : "es",
		   batch, secs);
	pager_addf(d, LS_TEXT, "(postsuper -H -, each batch's queue IDs on its standard input; about %zu s in all).",
		   ((held + batch - 1) / batch - 1) * (size_t)secs);
	pager_puts(d, LS_TEXT, "If a contained account or host sends again, it stops and holds the queue again.");
	pager_puts(d, LS_TEXT, "");
	pager_puts(d, LS_TEXT, c->opt->dry_run ? "any key closes; nothing is run" : "y: begin   any other key: cancel");
	return R_REDRAW;
}

unsigned wizard_throttle_confirmed(struct console *c)
{
	struct wizard *w = c->wizard;
	console_close_dialog(c);
	if (c->queue)
		cleanup_session_throttle_start(&w->s, c->model, c->queue, throttle_batch(c), throttle_seconds(c), clock_now());
	go(c, STEP_WATCH);
	return R_REBUILD;
}

/* throttle_said - a throttle turn's report: its last line, what the admin must see, on the status line */
static void throttle_said(struct console *c, const struct buf *report)
{
	if (report->len == 0)
		return;
	const char *last = report->data + report->len - 1, *p = last;
	while (p > report->data && p[-1] != '\n')
		p--;
	console_say(c, *p == '!', "%.*s", (int)(last - p - (*p == '!')), p + (*p == '!'));
}

unsigned wizard_tick(struct console *c)
{
	struct wizard *w = c->wizard;
	if (throttle_job_poll(&c->throttle)) {	/* a turn has run: say it, save the state */
		throttle_said(c, &c->throttle.report);
		buf_free(&c->throttle.report);
		if (c->throttle.turn == TURN_NONE)
			return R_NONE;
		save(c);
		return R_REBUILD | R_QUEUE;
	}
	if (w == NULL || !w->s.throttle.running || c->queue == NULL || c->reading_history || console_dialog_view(c)
	    || c->contain.w.running || c->throttle.w.running)
		return R_NONE;
	uint64_t lines = model_totals(c->model)->lines;
	int64_t now = clock_now();
	if (now < w->s.throttle.next_at && lines == c->throttle_lines)
		return R_NONE;	/* no batch due, and nothing new logged that could stop it */
	c->throttle_lines = lines;
	struct error err;
	if (throttle_job_start(&c->throttle, &w->s, c->model, c->queue, now, &err) < 0)
		console_say(c, 1, "%s", err.msg);
	return R_NONE;
}

void wizard_plan_done(struct console *c, int step, const struct action_plan *p, const struct action_outcome *o,
		      int ok)
{
	struct wizard *w = c->wizard;
	if (w == NULL || step < STEP_HOLD || step > STEP_RELEASE)
		return;
	char *out = w->s.st.outcome[step];
	size_t size = sizeof(w->s.st.outcome[0]);
	if (o == NULL)
		snprintf(out, size, "dry run: would %s %zu messages (%.100s)", action_name(p->action), p->expected, p->what);
	else if (p->all)
		snprintf(out, size, "%s: postsuper said %ld messages (exit status %d)", action_name(p->action), o->reported,
			 o->exit_status);
	else
		snprintf(out, size, "%s: %zu changed, %zu already gone, %zu not changed (%.100s)", action_name(p->action),
			 o->changed.count, o->gone.count, o->unchanged.count, p->what);
	if (!ok) {
		save(c);
		return;
	}
	if (step == STEP_RELEASE)
		mark_release(c);
	go(c, step + 1);
	if (step == STEP_RELEASE)
		write_report(c);
}

void wizard_queue_changed(struct console *c)
{
	struct wizard *w = c->wizard;
	if (w == NULL || c->queue == NULL || c->reading_history)
		return;
	if (!w->s.st.have_before && w->s.st.step == STEP_HOLD && !w->s.st.outcome[STEP_HOLD][0]) {
		queue_counts(c->queue, w->s.st.before);
		w->s.st.have_before = 1;
		save(c);
	}
	if (w->s.st.released && c->queue_time > w->s.st.released && !w->s.st.have_after) {
		queue_counts(c->queue, w->s.st.after);
		w->s.st.have_after = 1;
		save(c);
		write_report(c);
	}
}

static unsigned wizard_action(struct console *c, enum action_id a)
{
	struct wizard *w = c->wizard;
	int step = w->s.st.step;
	switch (a) {
	case ACTION_STEP_NEXT:
		go(c, step + 1);
		return R_REBUILD;
	case ACTION_STEP_BACK:
		go(c, step - 1);
		return R_REBUILD;
	case ACTION_INCIDENT_REPORT:
		write_report(c);
		return R_REDRAW;
	case ACTION_STEP_THROTTLE:
		return step == STEP_RELEASE ? offer_throttle(c) : R_NONE;
	case ACTION_STEP_KEEP:
		if (step != STEP_CLEAN)
			return R_NONE;
		snprintf(w->s.st.outcome[STEP_CLEAN], sizeof(w->s.st.outcome[0]), "kept the suspects' messages held for review");
		go(c, STEP_RELEASE);
		return R_REBUILD;
	case ACTION_TAG:
		if (step == STEP_IDENTIFY && w->cursor < w->s.st.ntargets) {
			w->s.st.targets[w->cursor].chosen = !w->s.st.targets[w->cursor].chosen;
			w->s.st.targets_set = 1;
			save(c);
		}
		return R_REBUILD;
	case ACTION_MOVE_UP:
	case ACTION_MOVE_DOWN:
		if (step != STEP_IDENTIFY)
			return R_NONE;
		if (a == ACTION_MOVE_UP && w->cursor > 0)
			w->cursor--;
		else if (a == ACTION_MOVE_DOWN && w->cursor + 1 < w->s.st.ntargets)
			w->cursor++;
		return R_REBUILD;
	case ACTION_STEP_DO:
		switch (step) {
		case STEP_HOLD: return offer_all(c, ACT_HOLD, STEP_HOLD);
		case STEP_CLEAN: return offer_delete(c);
		case STEP_RELEASE: return offer_all(c, ACT_RELEASE, STEP_RELEASE);
		case STEP_CONTAIN: return offer_contain(c);
		case STEP_IDENTIFY:
			w->s.st.targets_set = 1;
			{
				struct buf b = BUF_INIT;
				for (size_t i = 0; i < w->s.st.ntargets; i++)
					if (w->s.st.targets[i].chosen)
						buf_printf(&b, "%s%s", b.len ? ", " : "", w->s.st.targets[i].key);
				snprintf(w->s.st.outcome[STEP_IDENTIFY], sizeof(w->s.st.outcome[0]), "marked: %s",
					 b.len ? buf_str(&b) : "none");
				buf_free(&b);
			}
			go(c, step + 1);
			return R_REBUILD;
		case STEP_READ:
			snprintf(w->s.st.outcome[STEP_READ], sizeof(w->s.st.outcome[0]), "read");
			go(c, step + 1);
			return R_REBUILD;
		default:
			return R_NONE;
		}
	default:
		return R_NONE;
	}
}

/* ---- the wizard as a view (console_state.h) ---- */

/* wizard_key - a step's keys, else its page scrolls; nothing while a job holds the session */
static unsigned wizard_key(struct console *c, struct view *v, enum action_id a)
{
	if ((c->contain.w.running || c->throttle.w.running) && a != ACTION_QUIT)	/* the session is a job's now */
		return console_busy(c), R_REDRAW;
	unsigned r = R_NONE;
	if (!c->reading_history)	/* its pages need the whole history */
		r = wizard_action(c, a);
	return r ? r : console_page_action(&v->pager, a);
}

/* wizard_on_data - the page again, unless a job is changing the session */
static void wizard_on_data(struct console *c, struct view *v)
{
	if (!c->contain.w.running && !c->throttle.w.running)
		wizard_render(c, &v->pager);
}

const struct view_ops wizard_view_ops = {
	.name = "cleanup", .scope = KM_WIZARD, .key = wizard_key, .draw = draw_page_view, .on_data = wizard_on_data,
};
