/*
 * wizard - the six steps of the guided cleanup (see wizard.h).
 *
 * Every page is rendered anew from the model, the queue snapshot and the
 * saved state whenever either changes; what is slow to find (sample log
 * lines, subjects from postcat) is found once per target and kept.
 */
#include "wizard.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "core/incident/cleanup_session.h"
#include "core/incident/contain_text.h"
#include "core/base/safefile.h"
#include "core/queue/throttle.h"
#include "core/queue/trail.h"
#include "plan_job.h"

#define SAMPLE_LINES 2
#define SAMPLE_SUBJECTS 3
#define MAX_SUSPECTS 64	/* as many as the console shows */

struct wizard {
	struct cleanup_session s;	/* the state and what acts: core/incident/cleanup_session */
	char state_path[512];
	char report_path[512];
	size_t cursor;		/* step 3: the target under the cursor */
	struct buf samples[CLEANUP_MAX_TARGETS];	/* log lines, found once */
	int sampled[CLEANUP_MAX_TARGETS];
	struct buf subjects;	/* step 5: subjects of a few of the messages */
	int subjects_found;
	struct contain_job contain;	/* step 4 running off the key handler */
	struct throttle_job throttle;	/* a throttled release's turn, likewise */
	uint64_t throttle_lines;	/* the model's lines when the throttle last looked */
};

/* say - the console's status line */
__attribute__((format(printf, 3, 4)))
static void say(const struct wizard_env *x, int is_error, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	x->ask->say(x->con, is_error, msg);
}

static const struct agg_stats *target_stats(const struct wizard_env *x, const struct cleanup_target *t)
{
	return cleanup_target_stats(x->model, t);
}

static void enter_step(struct wizard *w, const struct wizard_env *x);

static void save(struct wizard *w, const struct wizard_env *x)
{
	struct error err;
	if (cleanup_state_save(&w->s.st, w->state_path, &err) < 0)
		say(x, 1, "%s", err.msg);
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

int wizard_open(struct wizard **wp, const struct wizard_env *x, int resume, struct error *err)
{
	if (*wp == NULL) {
		struct wizard *w = calloc(1, sizeof(*w));
		if (w == NULL) {
			error_set(err, "out of memory");
			return -1;
		}
		cleanup_session_init(&w->s, clock_now(), x->opt->journal, x->opt->disable_cmd, x->opt->our_domains);
		w->s.dovecot_config = x->opt->dovecot_config;
		default_paths(w, x->opt, x->is_root);
		if (resume && cleanup_state_load(&w->s.st, w->state_path, err) < 0) {
			cleanup_session_free(&w->s);
			free(w);
			return -1;
		}
		if (resume)
			default_paths(w, x->opt, x->is_root);	/* the report is named by the resumed start */
		*wp = w;
	}
	enter_step(*wp, x);	/* a resumed step 3 or 5 */
	return 0;
}

void wizard_free(struct wizard *w)
{
	if (w == NULL)
		return;
	contain_job_wait(&w->contain);	/* a started reload is let finish: before the session goes */
	throttle_job_wait(&w->throttle);	/* and a started postsuper */
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

static void page_hold(struct wizard *w, const struct wizard_env *x, struct pager *p)
{
	pager_puts(p, LS_TEXT, "Stop the bleeding: held mail stays in the queue, nothing leaves while you look.");
	put_queue(p, x->queue, "Queue now");
	pager_puts(p, LS_TEXT, "");
	pager_puts(p, LS_HEADING, "Proposed: postsuper -h ALL");
	pager_puts(p, LS_TEXT, "  (or hold only the suspects' messages from the console: h on their rows)");
	if (x->queue && w->s.st.outcome[STEP_HOLD][0]) {
		size_t moving = x->queue->by_queue[QN_ACTIVE] + x->queue->by_queue[QN_DEFERRED]
				+ x->queue->by_queue[QN_INCOMING];
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

static void put_sparkline(const struct wizard_env *x, struct pager *p)
{
	static const char levels[] = " .:-=+*#%@";
	struct minute_count mc;
	memset(&mc, 0, sizeof(mc));
	int64_t now = model_now(x->model);
	mc.from = (now / 60 - 14) * 60;
	model_foreach_record(x->model, count_minute, &mc);
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

static void page_read(struct wizard *w, const struct wizard_env *x, struct pager *p)
{
	const struct model_totals *t = model_totals(x->model);
	double share = t->messages ? 100.0 * (double)t->null_sender / (double)t->messages : 0;
	pager_addf(p, LS_TEXT, "Messages in the log: %llu; with the null sender from=<>: %llu (%.0f%%)",
		   (unsigned long long)t->messages, (unsigned long long)t->null_sender, share);
	put_sparkline(x, p);
	pager_puts(p, LS_TEXT, "");
	pager_puts(p, LS_HEADING, "Sender domains that are not ours");
	if (!w->s.conf_ok)
		pager_addf(p, LS_ALERT, "  which domains are ours is unknown: %s", w->s.conf_error);
	else if (w->s.pf.at[0].ours.not_evaluated.len)
		pager_addf(p, LS_DIM, "  (tables not evaluated: %s)", buf_str(&w->s.pf.at[0].ours.not_evaluated));
	const struct agg_stats *top[64];
	size_t n = agg_top(x->model, AGG_DOMAIN, F_MSGS, 1, top, 64), shown = 0;
	for (size_t i = 0; i < n && shown < 8; i++) {
		if (top[i]->key->len == 0 || (w->s.conf_ok && domain_list_has(&w->s.pf.at[0].ours, top[i]->key->s, top[i]->key->len)))
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
	n = agg_top(x->model, AGG_SENDER, F_MSGS, 1, top, 5);
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
static void find_sample(struct wizard *w, const struct wizard_env *x, size_t i)
{
	if (w->sampled[i])
		return;
	w->sampled[i] = 1;
	struct first_record f = {target_stats(x, &w->s.st.targets[i]), suspect_agg_kind(w->s.st.targets[i].kind), x->model, ""};
	if (f.agg)
		model_foreach_record(x->model, find_first, &f);
	struct error err;
	if (f.qid[0])
		trail_collect((const char **)x->logs, x->nlogs, f.qid, SAMPLE_LINES, NULL, &w->samples[i], &err);
}

static const struct suspect *suspect_of(const struct wizard_env *x, const struct cleanup_target *t)
{
	for (size_t i = 0; i < x->nsuspects; i++) {
		const struct istr *k = x->suspects[i].agg->key;
		if (x->suspects[i].agg->host == 0 && x->suspects[i].kind == t->kind && k->len == strlen(t->key) && memcmp(k->s, t->key, k->len) == 0)
			return &x->suspects[i];
	}
	return NULL;
}

/* other_hosts - suspects on other hosts: this cleanup acts on this machine only, so
 * they are named with where to act on them, never left unsaid */
static void other_hosts(const struct wizard_env *x, struct pager *p)
{
	size_t n = 0;
	for (size_t i = 0; i < x->nsuspects; i++) {
		const struct suspect *s = &x->suspects[i];
		if (s->agg->host == 0)
			continue;
		if (n++ == 0) {
			pager_puts(p, LS_TEXT, "");
			pager_addf(p, LS_HEADING, "On other hosts (this cleanup acts on %s only):", model_host_name(x->model, 0));
		}
		struct buf b = BUF_INIT;
		buf_printf(&b, "  %s ", suspect_kind_name(s->kind));
		buf_append(&b, s->agg->key->len ? s->agg->key->s : "<>", s->agg->key->len ? s->agg->key->len : 2);
		buf_printf(&b, " on %s", model_host_name(x->model, s->agg->host));
		pager_add(p, LS_ALERT, b.data, b.len);
		buf_free(&b);
	}
	if (n)
		pager_puts(p, LS_TEXT, "  Act on them from their rows (h, d over ssh), or run spamtop cleanup on that host.");
}

static void page_identify(struct wizard *w, const struct wizard_env *x, struct pager *p)
{
	if (w->s.st.ntargets == 0) {
		pager_puts(p, LS_TEXT, "No suspect crossed its threshold here. Look at the tabs (SASL users, Client IPs) yourself.");
		other_hosts(x, p);
		keys_line(p, "next step");
		return;
	}
	pager_puts(p, LS_TEXT, "Suspects, the most mail first. Space marks the ones to act on (Up/Down to move).");
	pager_puts(p, LS_TEXT, "");
	for (size_t i = 0; i < w->s.st.ntargets; i++) {
		const struct cleanup_target *t = &w->s.st.targets[i];
		const struct agg_stats *a = target_stats(x, t);
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
		const struct suspect *s = suspect_of(x, t);
		for (int r = 0; s && r < s->nreasons; r++)
			pager_addf(p, LS_ALERT, "      - %s", s->reasons[r]);
		for (int k = 0, said = 0; t->kind == SUSPECT_TRUSTED_RELAY && k < w->s.pf.count; k++) {
			const struct postfix_conf *pfc = &w->s.pf.at[k];
			const struct net_entry *e = net_list_match(&pfc->trusted, t->key);
			e = e && e->negated ? NULL : e;	/* "!ip" first: excluded, not trusted */
			char label[80];
			postfix_conf_label(&w->s.pf, pfc, label, sizeof(label));
			if (e)
				pager_addf(p, LS_ALERT, "      %strusted: in mynetworks as %s", label, e->text);
			said += e != NULL;
			if (!said && k == w->s.pf.count - 1)
				pager_addf(p, LS_TEXT, "      not in mynetworks%s (it relayed for another reason: see "
					   "smtpd_relay_restrictions)", w->s.pf.count > 1 ? " of any instance" : "");
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
	other_hosts(x, p);
	keys_line(p, "act on the marked suspects");
}

/* page_line - one of step 4's lines on the page: a target's name as a heading */
static void page_line(enum contain_line kind, const char *text, void *arg)
{
	static const int style[] = {[CL_HEADING] = LS_HEADING, [CL_TEXT] = LS_TEXT, [CL_ALERT] = LS_ALERT};
	pager_addf(arg, style[kind], kind == CL_HEADING ? "%s" : "  %s", text);
}

/* contain_describe - what step 4 would do (contain_text): how many targets it names */
static int contain_describe(struct wizard *w, const struct wizard_env *x, struct pager *p, int *runnable)
{
	struct contain_text_input in = {&w->s.st, w->s.conf_ok ? &w->s.pf : NULL, w->s.conf_error, x->model,
					&x->opt->thresholds, x->opt->disable_cmd};
	return contain_text(&in, page_line, p, runnable);
}

static void page_contain(struct wizard *w, const struct wizard_env *x, struct pager *p)
{
	int runnable;
	if (contain_describe(w, x, p, &runnable) == 0)
		pager_puts(p, LS_TEXT, "No account or trusted relay is marked (step 3): nothing to contain.");
	if (!x->is_root || x->opt->dry_run)
		pager_puts(p, LS_DIM, "Read-only here (not root, or --dry-run): run the commands above yourself.");
	keys_line(p, runnable ? "do the above (asks first)" : "next step");
}

/* targets_queued - the chosen targets' queued messages: how many, their
 * bytes, and the first max of them into ids */
static size_t targets_queued(struct wizard *w, const struct wizard_env *x, size_t *count, size_t *bytes, const struct queued_msg **ids, size_t max)
{
	size_t nids = 0;
	for (size_t i = 0; x->queue && i < x->queue->count; i++) {
		const struct queued_msg *m = &x->queue->msgs[i];
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
static void find_subjects(struct wizard *w, const struct wizard_env *x)
{
	const struct queued_msg *ids[SAMPLE_SUBJECTS];
	size_t count = 0, bytes = 0, nids = targets_queued(w, x, &count, &bytes, ids, SAMPLE_SUBJECTS);
	if (w->subjects_found || nids == 0)
		return;
	w->subjects_found = 1;
	for (size_t i = 0; i < nids; i++) {
		struct buf h = BUF_INIT;
		struct error err;
		if (trail_headers(queue_instance(x->queue, ids[i]), ids[i]->qid, 5000, &h, &err) == 0) {
			const char *subj = strstr(buf_str(&h), "Subject:");
			if (subj && (subj == h.data || subj[-1] == '\n'))
				buf_printf(&w->subjects, "  %s  %.*s\n", ids[i]->qid, (int)strcspn(subj, "\n"), subj);
		}
		buf_free(&h);
	}
}

static void page_clean(struct wizard *w, const struct wizard_env *x, struct pager *p)
{
	if (x->queue == NULL) {
		pager_puts(p, LS_DIM, "The queue has not been read.");
		keys_line(p, "next step");
		return;
	}
	size_t count = 0, bytes = 0;
	targets_queued(w, x, &count, &bytes, NULL, 0);
	pager_addf(p, LS_TEXT, "The marked suspects' queued messages (from the log; each is confirmed from its queue "
		   "file before anything is done): %zu, %zu bytes", count, bytes);
	size_t unlogged = queue_unlogged_count(x->queue);
	if (unlogged)	/* queued before the log began */
		pager_addf(p, LS_TEXT, "Queued messages the log does not know: %zu; their files are read when the plan "
			   "is built, and those of the marked suspects join it.", unlogged);
	if (w->subjects.len) {
		pager_puts(p, LS_HEADING, "A few of their subjects");
		pager_add_lines(p, LS_TEXT, w->subjects.data, w->subjects.len);
	}
	pager_puts(p, LS_ALERT, "Legitimate mail of the same account or host is in this set too.");
	pager_puts(p, LS_TEXT, "");
	pager_puts(p, LS_TEXT, "Enter deletes them (postsuper -d -, asks first); k keeps them held for review; n leaves them.");
	keys_line(p, "delete them");
}

static size_t throttle_batch(const struct wizard_env *x)
{
	return x->opt->throttle_batch ? x->opt->throttle_batch : THROTTLE_DEFAULT_BATCH;
}

static int throttle_seconds(const struct wizard_env *x)
{
	return x->opt->throttle_seconds ? x->opt->throttle_seconds : THROTTLE_DEFAULT_SECONDS;
}

static void page_release(const struct wizard_env *x, struct pager *p)
{
	put_queue(p, x->queue, "Queue now");
	pager_puts(p, LS_HEADING, "Proposed: postsuper -H ALL");
	pager_addf(p, LS_TEXT, "Or t: release the held queue in batches of %zu every %d s, oldest first (--throttle), so",
		   throttle_batch(x), throttle_seconds(x));
	pager_puts(p, LS_TEXT, "that providers who rate-limit a server after a flood see an ordinary sender; it stops and");
	pager_puts(p, LS_TEXT, "holds the queue again if a contained account or host sends again.");
	pager_puts(p, LS_TEXT, "Then this page watches whether the suspects' traffic resumes.");
	keys_line(p, "release the whole queue (asks first)");
}

/* put_throttle - a throttled release's progress, on the watch page */
static void put_throttle(struct wizard *w, struct pager *p)
{
	const struct release_throttle *t = &w->s.throttle;
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


static void page_watch(struct wizard *w, const struct wizard_env *x, struct pager *p)
{
	put_queue(p, x->queue, "Queue now");
	pager_puts(p, LS_TEXT, "");
	put_throttle(w, p);
	int resumed = 0;
	for (size_t i = 0; i < w->s.st.ntargets; i++) {
		const struct cleanup_target *t = &w->s.st.targets[i];
		if (!t->chosen || t->kind == SUSPECT_BRUTE_FORCE)
			continue;
		const struct agg_stats *a = target_stats(x, t);
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

static void render(struct wizard *w, const struct wizard_env *x, struct pager *p)
{
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
	case STEP_HOLD: page_hold(w, x, p); break;
	case STEP_READ: page_read(w, x, p); break;
	case STEP_IDENTIFY: page_identify(w, x, p); break;
	case STEP_CONTAIN: page_contain(w, x, p); break;
	case STEP_CLEAN: page_clean(w, x, p); break;
	case STEP_RELEASE: page_release(x, p); break;
	default: page_watch(w, x, p); break;
	}
	p->top = top < p->nlines ? top : 0;
}

/* ---- doing ---- */

static void write_report(struct wizard *w, const struct wizard_env *x)
{
	struct safe_file sf;
	struct error err;
	if (safe_file_open(&sf, w->report_path, 0640, &err) < 0) {
		say(x, 1, "cannot write the incident report: %s", err.msg);
		return;
	}
	int rc = incident_write(sf.f, x->model, x->suspects, x->nsuspects, &w->s.st, x->inputs, x->ninputs, x->opt->journal,
				&err);
	if (rc < 0)
		safe_file_abort(&sf);
	else
		rc = safe_file_commit(&sf, &err);
	if (rc < 0)
		say(x, 1, "cannot write the incident report %s: %s", w->report_path, err.msg);
	else
		say(x, 0, "Incident report written to %s", w->report_path);
}

/*
 * enter_step - what a step shows that is found rather than drawn: step 3
 * takes the suspects as targets (once: from then on only the admin changes
 * them) and reads a sample of each one's log lines; step 5 reads a few
 * subjects. Called from key handlers, never while drawing.
 */
static void enter_step(struct wizard *w, const struct wizard_env *x)
{
	if (w->s.st.step == STEP_IDENTIFY && !w->s.st.targets_set) {
		struct suspect local[MAX_SUSPECTS];	/* the cleanup acts on this machine's queue */
		size_t nlocal = 0;
		for (size_t i = 0; i < x->nsuspects && nlocal < MAX_SUSPECTS; i++)
			if (x->suspects[i].agg->host == 0)
				local[nlocal++] = x->suspects[i];
		cleanup_targets_from_suspects(&w->s.st, local, nlocal);
	}
	if (w->s.st.step == STEP_IDENTIFY)
		for (size_t i = 0; i < w->s.st.ntargets; i++)
			find_sample(w, x, i);
	if (w->s.st.step == STEP_CLEAN)
		find_subjects(w, x);
}

static void go(struct wizard *w, const struct wizard_env *x, int step)
{
	w->s.st.step = step < STEP_HOLD ? STEP_HOLD : step > STEP_WATCH ? STEP_WATCH : step;
	enter_step(w, x);
	save(w, x);
}

static unsigned offer_all(struct wizard *w, const struct wizard_env *x, enum queue_action a, int step)
{
	struct error err;
	if (!x->ask->can_change_queue(x->con))
		return R_REDRAW;
	struct selection none;
	memset(&none, 0, sizeof(none));
	struct action_plan plan;
	if (action_plan_build(&plan, a, 1, &none, x->queue, &err) < 0)
		say(x, 1, "%s", err.msg);
	else if (!x->ask->offer_plan(x->con, &plan, step))
		go(w, x, step + 1);	/* nothing to hold or release: the step is done already */
	return R_REDRAW;
}

static unsigned offer_delete(struct wizard *w, const struct wizard_env *x)
{
	if (x->ask->can_change_queue(x->con))	/* confirmed from the queue files: off the key handler */
		x->ask->build_clean_plan(x->con, &w->s);
	return R_REDRAW;
}

static unsigned offer_contain(struct wizard *w, const struct wizard_env *x)
{
	int runs = x->is_root && !x->opt->dry_run;
	struct pager *d = x->ask->dialog(x->con, runs ? "Confirm the containment (journaled)"
					 : "Read-only: these are for you to run", runs ? WIZARD_YES_CONTAIN : WIZARD_YES_NONE);
	int runnable;
	contain_describe(w, x, d, &runnable);
	if (!runnable) {
		x->ask->close_dialog(x->con);
		go(w, x, STEP_CLEAN);
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

static unsigned contain_confirmed(struct wizard *w, const struct wizard_env *x)
{
	struct error err;
	x->ask->close_dialog(x->con);
	if (contain_job_start(&w->contain, &w->s, &err) < 0) {
		say(x, 1, "%s: nothing was run", err.msg);
		return R_REDRAW;
	}
	say(x, 0, "Containing: postconf, postfix reload, the disable command (journaled; the result comes "
		    "in a dialog)");
	return R_REDRAW;
}

static unsigned contain_done(struct wizard *w, const struct wizard_env *x, int rc, const struct buf *report)
{
	dialog_report(x->ask->dialog(x->con, "Containment (any key closes)", WIZARD_YES_NONE), report);
	go(w, x, rc < 0 ? STEP_CONTAIN : STEP_CLEAN);
	return R_REBUILD;
}

/* mark_release - the targets' message counts when the queue is let go: what "sends again" is measured from */
static void mark_release(struct wizard *w, const struct wizard_env *x)
{
	cleanup_session_mark_release(&w->s, x->model, clock_now());
}

static unsigned offer_throttle(const struct wizard_env *x)
{
	if (!x->ask->can_change_queue(x->con))
		return R_REDRAW;
	size_t held = x->queue->by_queue[QN_HOLD];
	if (held == 0) {
		say(x, 0, "Nothing is held: nothing to release");
		return R_REDRAW;
	}
	size_t batch = throttle_batch(x);
	int secs = throttle_seconds(x);
	struct pager *d = x->ask->dialog(x->con, x->opt->dry_run ? "DRY RUN: nothing will be changed"
					 : "Confirm a throttled release (journaled)", x->opt->dry_run ? WIZARD_YES_NONE : WIZARD_YES_THROTTLE);
	pager_addf(d, LS_TEXT, "Release %zu held message%s in %zu batch%s of up to %zu, one every %d s, oldest "
		   "first", held, held == 1 ? "" : "s", (held + batch - 1) / batch, (held + batch - 1) / batch == 1 ? "" : "es",
		   batch, secs);
	pager_addf(d, LS_TEXT, "(postsuper -H -, each batch's queue IDs on its standard input; about %zu s in all).",
		   ((held + batch - 1) / batch - 1) * (size_t)secs);
	pager_puts(d, LS_TEXT, "If a contained account or host sends again, it stops and holds the queue again.");
	pager_puts(d, LS_TEXT, "");
	pager_puts(d, LS_TEXT, x->opt->dry_run ? "any key closes; nothing is run" : "y: begin   any other key: cancel");
	return R_REDRAW;
}

static unsigned throttle_confirmed(struct wizard *w, const struct wizard_env *x)
{
	x->ask->close_dialog(x->con);
	if (x->queue)
		cleanup_session_throttle_start(&w->s, x->model, x->queue, throttle_batch(x), throttle_seconds(x), clock_now());
	go(w, x, STEP_WATCH);
	return R_REBUILD;
}

/* throttle_said - a throttle turn's report: its last line, what the admin must see, on the status line */
static void throttle_said(const struct wizard_env *x, const struct buf *report)
{
	if (report->len == 0)
		return;
	const char *last = report->data + report->len - 1, *p = last;
	while (p > report->data && p[-1] != '\n')
		p--;
	say(x, *p == '!', "%.*s", (int)(last - p - (*p == '!')), p + (*p == '!'));
}

unsigned wizard_confirmed(struct wizard *w, const struct wizard_env *x, enum wizard_yes yes)
{
	switch (yes) {
	case WIZARD_YES_CONTAIN: return contain_confirmed(w, x);
	case WIZARD_YES_THROTTLE: return throttle_confirmed(w, x);
	default: return R_NONE;
	}
}

const char *wizard_busy(const struct wizard *w)
{
	if (w && w->contain.w.running)
		return "The containment is running: wait for its result";
	if (w && w->throttle.w.running)
		return "A batch of the throttled release is running: a moment";
	return NULL;
}

int wizard_reads_queue(const struct wizard *w) { return w && w->throttle.w.running; }

unsigned wizard_tick(struct wizard *w, const struct wizard_env *x)
{
	if (w == NULL)
		return R_NONE;
	if (contain_job_poll(&w->contain)) {	/* the containment has finished: its report, the next step */
		unsigned r = contain_done(w, x, w->contain.rc, &w->contain.report);
		buf_free(&w->contain.report);
		return r;
	}
	if (throttle_job_poll(&w->throttle)) {	/* a turn has run: say it, save the state */
		throttle_said(x, &w->throttle.report);
		buf_free(&w->throttle.report);
		if (w->throttle.turn == TURN_NONE)
			return R_NONE;
		save(w, x);
		return R_REBUILD | R_QUEUE;
	}
	if (w->s.throttle.running && x->blind && !w->throttle.w.running) {	/* nothing more released blind */
		struct buf report = BUF_INIT;	/* the command line says its line; here, the reason */
		cleanup_session_blind(&w->s, x->blind, &report);
		buf_free(&report);
		say(x, 1, "Throttled release STOPPED: %s", w->s.throttle.stopped);
		save(w, x);
		return R_REBUILD | R_QUEUE;
	}
	if (!w->s.throttle.running || x->queue == NULL || x->reading_history || x->dialog_open || x->action_running
	    || w->contain.w.running || w->throttle.w.running)
		return R_NONE;
	uint64_t lines = model_totals(x->model)->lines;
	int64_t now = clock_now();
	if (now < w->s.throttle.next_at && lines == w->throttle_lines)
		return R_NONE;	/* no batch due, and nothing new logged that could stop it */
	w->throttle_lines = lines;
	struct error err;
	if (throttle_job_start(&w->throttle, &w->s, x->model, x->queue, now, &err) < 0)
		say(x, 1, "%s", err.msg);
	return R_NONE;
}

void wizard_plan_done(struct wizard *w, const struct wizard_env *x, int step, const struct action_plan *p, const struct action_outcome *o,
		      int ok)
{
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
		save(w, x);
		return;
	}
	if (step == STEP_RELEASE)
		mark_release(w, x);
	go(w, x, step + 1);
	if (step == STEP_RELEASE)
		write_report(w, x);
}

void wizard_queue_changed(struct wizard *w, const struct wizard_env *x)
{
	if (w == NULL || x->queue == NULL || x->reading_history)
		return;
	if (!w->s.st.have_before && w->s.st.step == STEP_HOLD && !w->s.st.outcome[STEP_HOLD][0]) {
		queue_counts(x->queue, w->s.st.before);
		w->s.st.have_before = 1;
		save(w, x);
	}
	if (w->s.st.released && x->queue_time > w->s.st.released && !w->s.st.have_after) {
		queue_counts(x->queue, w->s.st.after);
		w->s.st.have_after = 1;
		save(w, x);
		write_report(w, x);
	}
}

static unsigned wizard_action(struct wizard *w, const struct wizard_env *x, enum action_id a)
{
	int step = w->s.st.step;
	switch (a) {
	case ACTION_STEP_NEXT:
		go(w, x, step + 1);
		return R_REBUILD;
	case ACTION_STEP_BACK:
		go(w, x, step - 1);
		return R_REBUILD;
	case ACTION_INCIDENT_REPORT:
		write_report(w, x);
		return R_REDRAW;
	case ACTION_STEP_THROTTLE:
		return step == STEP_RELEASE ? offer_throttle(x) : R_NONE;
	case ACTION_STEP_KEEP:
		if (step != STEP_CLEAN)
			return R_NONE;
		snprintf(w->s.st.outcome[STEP_CLEAN], sizeof(w->s.st.outcome[0]), "kept the suspects' messages held for review");
		go(w, x, STEP_RELEASE);
		return R_REBUILD;
	case ACTION_TAG:
		if (step == STEP_IDENTIFY && w->cursor < w->s.st.ntargets) {
			w->s.st.targets[w->cursor].chosen = !w->s.st.targets[w->cursor].chosen;
			w->s.st.targets_set = 1;
			save(w, x);
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
		case STEP_HOLD: return offer_all(w, x, ACT_HOLD, STEP_HOLD);
		case STEP_CLEAN: return offer_delete(w, x);
		case STEP_RELEASE: return offer_all(w, x, ACT_RELEASE, STEP_RELEASE);
		case STEP_CONTAIN: return offer_contain(w, x);
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
			go(w, x, step + 1);
			return R_REBUILD;
		case STEP_READ:
			snprintf(w->s.st.outcome[STEP_READ], sizeof(w->s.st.outcome[0]), "read");
			go(w, x, step + 1);
			return R_REBUILD;
		default:
			return R_NONE;
		}
	default:
		return R_NONE;
	}
}

/* ---- the wizard as the console's view ---- */

/* wizard_key - a step's keys (R_NONE for others: the page scrolls); nothing while a job holds the session */
unsigned wizard_key(struct wizard *w, const struct wizard_env *x, enum action_id a)
{
	const char *busy = wizard_busy(w);
	if (busy && a != ACTION_QUIT) {	/* the session is a job's now */
		x->ask->say(x->con, 1, busy);
		return R_REDRAW;
	}
	return x->reading_history ? R_NONE : wizard_action(w, x, a);	/* its pages need the whole history */
}

/* wizard_render - the page again, unless a job is changing the session */
void wizard_render(struct wizard *w, const struct wizard_env *x, struct pager *p)
{
	if (!wizard_busy(w))
		render(w, x, p);
}
