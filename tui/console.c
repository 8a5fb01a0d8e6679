/*
 * console - the main loop and the actions of the live console (see console.h).
 *
 * One loop: read a slice of new log lines (a time budget, so a huge history
 * never freezes the screen), take a finished background queue read, rebuild
 * the table on top, paint, and wait for a key or the next tick. Key handlers
 * change state and return reaction flags; only the loop paints.
 */
#define _XOPEN_SOURCE_EXTENDED 1
#include "console.h"

#include <curses.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "console_state.h"
#include "core/base/clock.h"
#include "core/base/sanitize.h"
#include "core/base/addr.h"
#include "core/incident/our_domains.h"
#include "core/queue/trail.h"
#include "screen.h"
#include "wizard.h"

#ifndef SPAMTOP_KEYMAP_DIR
#define SPAMTOP_KEYMAP_DIR "/usr/local/share/spamtop/keymaps"
#endif

#define QUEUE_TIMEOUT_MS 60000
#define TRAIL_MAX_LINES 2000

static volatile sig_atomic_t got_signal;

static void on_signal(int sig) { got_signal = sig; }

/* on_crash - put the terminal back before dying of a crash signal, then die of it */
static void on_crash(int sig)
{
	screen_close();
	signal(sig, SIG_DFL);
	raise(sig);
}

void console_options_default(struct console_options *o)
{
	memset(o, 0, sizeof(*o));
	o->keymap = "default";
	o->refresh_ms = 1000;
	detect_thresholds_default(&o->thresholds);
}


/* ---- the queue ---- */

/* install_queue - show snapshot q, read from started_ms on */
static void install_queue(struct console *c, struct queue_snapshot *q, long long started_ms)
{
	queue_snapshot_free(c->queue);
	c->queue = q;
	c->queue_serial++;	/* a new snapshot: joined to the model at the next rebuild */
	c->queue_time = (time_t)clock_now();
	c->queue_read_ms = started_ms;
	c->queue_error[0] = 0;
	queue_join(c->queue, c->model);
	console_cleanup_queue_changed(c);
}

/* queue_tick - take a finished read, start the next; 1 when the snapshot changed */
static int queue_tick(struct console *c, int force)
{
	if (c->opt->no_queue || c->refresh == NULL)
		return 0;
	struct queue_snapshot *q = NULL;
	struct error err;
	int rc = queue_refresh_take(c->refresh, &q, &err);
	if (rc > 0 && c->refresh_started_ms < c->queue_read_ms) {
		queue_snapshot_free(q);	/* older than the one read after an action */
		rc = 0;
		c->queue_next_ms = console_now_ms();
	} else if (rc > 0) {
		install_queue(c, q, c->refresh_started_ms);
	} else if (rc < 0) {
		char when[16];
		time_t t = (time_t)clock_now();
		struct tm tm;
		strftime(when, sizeof(when), "%H:%M:%S", localtime_r(&t, &tm));
		snprintf(c->queue_error, sizeof(c->queue_error), "%s: %.260s", when, err.msg);
		for (char *p = c->queue_error; *p; p++)
			if (*p == '\n')
				*p = ' ';
	}
	if (rc != 0)
		c->queue_next_ms = console_now_ms() + (c->opt->refresh_ms < 1000 ? 1000 : c->opt->refresh_ms);
	if ((force || console_now_ms() >= c->queue_next_ms) && !c->paused)
		if (queue_refresh_start(c->refresh, &err) > 0)
			c->refresh_started_ms = console_now_ms();
	return rc > 0;
}

/* ---- early warning ---- */

#define ALERT_CMD_INTERVAL 300	/* seconds between two runs of the alert command for one check */

/* run_alert_cmd - the admin's command with {check} {state} {value} {subject} filled in */
static void run_alert_cmd(struct console *c, int i)
{
	struct error err;
	enum run_status st = alert_command_run(c->opt->alert_cmd, (enum alert_id)i, &c->alerts.v[i], c->opt->journal, &err);
	if (st == RUN_FAILED)
		console_say(c, 1, "alert command not run: %s", err.msg);
	else if (st == RUN_NOT_JOURNALED)
		console_say(c, 1, "alert command run, but not journaled: %s", err.msg);
}

/* watch_alerts - a bell and the alert command when a check gets worse */
static void watch_alerts(struct console *c)
{
	alert_evaluate(&c->alert_cfg, c->model, c->queue, clock_now(), 15, &c->alerts);
	time_t now = (time_t)clock_now();
	for (int i = 0; i < AL_COUNT; i++) {
		enum alert_state st = c->alerts.v[i].state, was = c->alert_prev[i];
		int worse = (st == ALERT_CRITICAL && was != ALERT_CRITICAL) || (st == ALERT_WARNING && was == ALERT_OK);
		c->alert_prev[i] = st;
		if (!worse)
			continue;
		beep();
		if (c->opt->alert_cmd && now - c->alert_cmd_last[i] >= ALERT_CMD_INTERVAL) {
			c->alert_cmd_last[i] = now;
			run_alert_cmd(c, i);
		}
	}
}

/* ---- rebuilding what is shown ---- */

static void rebuild(struct console *c)
{
	c->nsuspects = detect_suspects(c->model, &c->opt->thresholds, c->suspects, CONSOLE_MAX_SUSPECTS);
	watch_alerts(c);
	const struct model_totals *mt = model_totals(c->model);
	int job_reads_queue = c->job.w.running || wizard_reads_queue(c->wizard);	/* no write under a worker's reads */
	if (c->queue && !job_reads_queue && (c->joined_serial != c->queue_serial || c->joined_lines != mt->lines
			 || c->joined_collections != mt->collections)) {
		queue_join(c->queue, c->model);	/* the log may know more of each message now */
		c->joined_serial = c->queue_serial;	/* a tab switch alone joins nothing again */
		c->joined_lines = mt->lines;
		c->joined_collections = mt->collections;
	}
	c->ctx = (struct table_ctx){c->model, c->queue, c->suspects, c->nsuspects, clock_now(), c->host_filter};
	struct table *t = console_table(c);
	struct view *v = console_top(c);
	if (t && model_host_count(c->model) > 1)	/* a second host may come with any line (a central log) */
		table_add_host_column(t);
	if (t)
		table_rebuild(t, &c->ctx);
	else if (v && v->ops->on_data)
		v->ops->on_data(c, v);
}

/* ---- views ---- */

static void put_istr_line(struct pager *p, const char *label, const struct istr *s, const char *none)
{
	struct buf b = BUF_INIT;
	buf_printf(&b, "  %-12s ", label);
	if (s == NULL)
		buf_puts(&b, none);
	else
		buf_append(&b, s->len ? s->s : "<>", s->len ? s->len : 2);
	pager_add(p, LS_TEXT, b.data, b.len);
	buf_free(&b);
}

/* ssh_source_of - the ssh source host's lines come from, or NULL */
static const struct source_spec *ssh_source_of(const struct console *c, int host)
{
	for (size_t i = 0; i < c->ninputs; i++)
		if (c->inputs[i].host == host && c->inputs[i].remote && c->inputs[i].spec)
			return c->inputs[i].spec;
	return NULL;
}

/* open_message - the detail of one queued or logged message (ref: a queue
 * reference, see queue.h): facts, log trail, headers */
static void open_message(struct console *c, const char *ref, int host)
{
	struct view *v = console_push_view(c, &page_view_ops);
	if (v == NULL)
		return;
	struct pager *p = &v->pager;
	char title[96];
	snprintf(title, sizeof(title), "Message %s", ref);
	pager_init(p, title);
	const struct queued_msg *qm = c->queue && host == 0 ? queue_find_ref(c->queue, ref) : NULL;
	const struct msg_record *r = qm ? queue_record(c->queue, c->model, qm) : NULL;
	const char *qid = queue_ref_qid(ref);
	if (r == NULL)
		r = model_find_open_host(c->model, host, qid);
	if (qm && c->queue->inst.count > 1)
		pager_addf(p, LS_HEADING, "Instance: %s (%s)", instance_label(queue_instance(c->queue, qm)),
			   queue_instance(c->queue, qm)->config_dir[0] ? queue_instance(c->queue, qm)->config_dir
			   : "the default configuration directory");
	if (model_host_count(c->model) > 1)
		pager_addf(p, LS_HEADING, "Host: %s", model_host_name(c->model, host));
	pager_addf(p, LS_HEADING, "State: %s", qm ? queue_name_str(qm->queue) : r ? message_state(r, NULL, c->model)
		   : "not in the queue");
	if (qm) {
		put_istr_line(p, "Sender", qm->sender, "-");
		pager_addf(p, LS_TEXT, "  %-12s %llu bytes, %u recipient(s)", "Size", (unsigned long long)qm->size, qm->nrcpt);
		struct strview rc = queue_recipients(c->queue, qm);
		for (const char *r0 = rc.ptr, *end = rc.ptr + rc.len; r0 < end;) {
			const char *nl = memchr(r0, '\n', (size_t)(end - r0));
			size_t n = nl ? (size_t)(nl - r0) : (size_t)(end - r0);
			struct buf line = BUF_INIT;
			buf_printf(&line, "  %-12s ", "Recipient");
			buf_append(&line, r0, n);
			pager_add(p, LS_TEXT, line.data, line.len);
			buf_free(&line);
			r0 += n + 1;
		}
		put_istr_line(p, "Delay reason", qm->delay_reason, "-");
	}
	if (r) {
		put_istr_line(p, "SASL user", r->sasl_user, "- (not authenticated)");
		put_istr_line(p, "SASL method", r->sasl_method, "-");
		put_istr_line(p, "Client name", r->client_name, "-");
		put_istr_line(p, "Client IP", r->client_ip, "-");
		if (r->flags & RF_PROXIED)
			pager_addf(p, LS_TEXT, "  %-12s through Dovecot's submission service: its line names the account",
				   "Submitted");
		if (r->flags & RF_FRONT)
			pager_addf(p, LS_TEXT, "  %-12s through a before-queue filter: its front smtpd names the client",
				   "Submitted");
	}
	pager_puts(p, LS_TEXT, "");
	const char *paths[CONSOLE_MAX_INPUTS];
	size_t n = console_log_files(c, host, paths);
	const struct source_spec *far = host ? ssh_source_of(c, host) : NULL;	/* searched there */
	int headers = !c->opt->no_queue && host == 0;
	struct error err;
	trail_job_abandon(&c->trail);	/* one search at a time: a left view's has been cancelled */
	c->trail_view = NULL;
	if (far && n == 0 ? trail_job_start_remote(&c->trail, qid, far, TRAIL_MAX_LINES, &err) < 0
	    : trail_job_start(&c->trail, qid, paths, n, TRAIL_MAX_LINES, headers,
			      qm ? queue_instance(c->queue, qm) : NULL, &err) < 0) {
		pager_addf(p, LS_ALERT, "  %s", err.msg);
		return;
	}
	c->trail_view = v;
	c->trail_shown = 0;
	c->trail_at_end = 0;
	if (far && n == 0)
		console_say(c, 0, "Searching %s's log for %s over ssh (Esc leaves)...", far->host, qid);
	else
		console_say(c, 0, "Searching the logs for %s (Esc leaves)...", qid);
}


/* fill_trail - the message view's log trail and headers, found by the trail job */
static void fill_trail(struct console *c, struct pager *p, struct trail_job *j)
{
	long found = j->found;
	pager_addf(p, LS_HEADING, "Log trail: %ld line(s)%s", found < 0 ? 0 : found,
		   found == TRAIL_MAX_LINES ? " (the first ones only)" : "");
	if (found < 0)
		pager_addf(p, LS_ALERT, "  %s", j->err.msg);
	pager_add_lines(p, LS_TEXT, j->lines.data ? j->lines.data : "", j->lines.len);
	pager_puts(p, LS_TEXT, "");
	pager_puts(p, LS_HEADING, "Headers (postcat -hq)");
	if (c->opt->no_queue)
		pager_puts(p, LS_DIM, "  not read: --no-queue");
	else if (!j->want_headers)
		pager_addf(p, LS_DIM, "  not read: the queue spamtop reads is this machine's (%s)",
			   model_host_name(c->model, 0));
	else if (j->headers_rc < 0)
		pager_addf(p, LS_DIM, "  %s", j->headers_err.msg);
	else
		pager_add_lines(p, LS_TEXT, j->headers.data ? j->headers.data : "", j->headers.len);
}

/* trail_tick - the search of a message's trail: how far, in the status line;
 * when done, the lines in its view (if the admin is still there) */
static unsigned trail_tick(struct console *c)
{
	struct trail_job *j = &c->trail;
	if (!j->w.running)
		return R_NONE;
	if (trail_job_poll(j)) {
		if (c->trail_view) {
			fill_trail(c, &c->trail_view->pager, j);
			if (c->trail_at_end)	/* G was pressed while it was searched */
				console_page_action(&c->trail_view->pager, ACTION_MOVE_LAST);
			console_say(c, 0, "Log trail of %s: %ld line(s)", j->qid, j->found < 0 ? 0 : j->found);
		}
		c->trail_view = NULL;
		trail_job_free(j);
		return R_REDRAW;
	}
	size_t mb = atomic_load(&j->progress.done) >> 20, total = atomic_load(&j->progress.total) >> 20;
	if (total && (mb != c->trail_shown || !c->message[0])) {	/* a key clears the status line */
		c->trail_shown = mb;
		console_say(c, 0, "Searching the logs for %s: %zu / %zu MB (Esc leaves)", j->qid, mb, total);
		return R_REDRAW;
	}
	return R_NONE;
}

/* help_line - one action's keys, name and help on the help page */
static void help_line(struct console *c, struct pager *p, enum action_id a, struct buf *keys)
{
	buf_reset(keys);
	keymap_keys_for(&c->keys, KM_TABLE, a, keys);
	if (keys->len == 0)
		keymap_keys_for(&c->keys, KM_PAGER, a, keys);
	if (keys->len == 0)
		keymap_keys_for(&c->keys, KM_WIZARD, a, keys);
	pager_addf(p, keys->len ? LS_TEXT : LS_DIM, "  %-18s %-15s %s", keys->len ? buf_str(keys) : "(unbound)",
		   action_table[a].name, action_table[a].help);
}

static void open_help(struct console *c)
{
	static const enum action_id incident[] = {ACTION_HOLD_ALL, ACTION_DELETE, ACTION_RELEASE_ALL, ACTION_CLEANUP,
						  ACTION_WHY};
	struct view *v = console_push_view(c, &page_view_ops);
	if (v == NULL)
		return;
	struct pager *p = &v->pager;
	pager_init(p, "Help: keys of the active keymap (Esc or q to leave)");
	struct buf keys = BUF_INIT;
	pager_puts(p, LS_HEADING, "In an incident");	/* first, on the first page of any screen */
	for (size_t i = 0; i < sizeof(incident) / sizeof(incident[0]); i++)
		help_line(c, p, incident[i], &keys);
	const char *group = "";
	for (int a = 1; a < ACTION_COUNT; a++) {
		if (strcmp(group, action_table[a].group) != 0) {
			group = action_table[a].group;
			pager_puts(p, LS_TEXT, "");
			pager_add(p, LS_HEADING, group, strlen(group));
		}
		help_line(c, p, (enum action_id)a, &keys);
	}
	buf_free(&keys);
	pager_puts(p, LS_TEXT, "");
	pager_puts(p, LS_HEADING, "Marks");
	pager_puts(p, LS_TEXT, "  !  a suspect (w tells why)     *  tagged: actions apply to every tagged row");
	pager_addf(p, LS_TEXT, "  The queue gauge turns yellow at %g messages and red at %g.",
		   c->alert_cfg.t[AL_QUEUE].warn, c->alert_cfg.t[AL_QUEUE].crit);
	if (c->keys.nwarnings) {
		pager_puts(p, LS_TEXT, "");
		pager_puts(p, LS_ALERT, "Key-binding warnings");
		pager_add_lines(p, LS_ALERT, c->keys.warnings.data, c->keys.warnings.len);
	}
}

static void open_why(struct console *c)
{
	struct table *t = console_table(c);
	const struct table_row *r = t ? table_current(t) : NULL;
	struct view *v = console_push_view(c, &page_view_ops);
	if (v == NULL)
		return;
	struct pager *p = &v->pager;
	pager_init(p, "Suspects and the rules they broke (Esc to leave)");
	/* the row's own aggregate (of its host), or every suspect */
	const struct agg_stats *row = r && (t->kind == TK_AGG || t->kind == TK_FAILURES) ? r->obj : NULL;
	size_t shown = 0;
	for (size_t i = 0; i < c->nsuspects; i++) {
		const struct suspect *s = &c->suspects[i];
		if (row && s->agg != row)
			continue;
		struct buf line = BUF_INIT;
		buf_printf(&line, "%s ", suspect_kind_name(s->kind));
		struct strview key = agg_shown_key(s->agg);
		buf_append(&line, key.ptr, key.len);
		if (s->agg->several_spellings)
			buf_puts(&line, " (one account, logged in several spellings)");
		if (model_host_count(c->model) > 1)
			buf_printf(&line, " on %s", model_host_name(c->model, s->agg->host));
		buf_printf(&line, ": %u messages", s->agg->msgs);
		pager_add(p, LS_ALERT, line.data, line.len);
		buf_free(&line);
		for (int k = 0; k < s->nreasons; k++)
			pager_addf(p, LS_TEXT, "  - %s", s->reasons[k]);
		shown++;
	}
	if (shown == 0) {
		pager_puts(p, LS_TEXT, row ? "This row is not a suspect." : "No suspects.");
		const struct detect_thresholds *th = &c->opt->thresholds;
		pager_addf(p, LS_DIM, "Thresholds: SASL user from %u client IPs (an IPv6 /64 as one) within %lld minutes "
			   "in which it sent %u+ messages, %u messages a minute, %u messages; unauthenticated relay of "
			   "%u a minute or %u in all; sendmail from one uid %u a minute; %u SASL failures in 20 minutes.",
			   th->user_client_ips, (long long)(model_source_window(c->model) / 60),
			   model_spread_messages(c->model), th->user_rate_1m, th->user_messages, th->relay_rate_1m,
			   th->relay_messages, th->local_rate_1m, th->failures);
	}
}

static unsigned enter(struct console *c)
{
	struct table *t = console_table(c);
	const struct table_row *r = t ? table_current(t) : NULL;
	if (r == NULL)
		return R_NONE;
	struct buf key = BUF_INIT;
	table_row_key(t, r, &key);
	int host = table_row_host(t, r);
	if (t->kind == TK_QUEUE || t->kind == TK_MESSAGES) {
		open_message(c, buf_str(&key), host);
	} else {
		struct view *v = console_push_view(c, &table_view_ops);
		if (v) {
			table_init_messages(&v->table, t->agg, host, key.data ? key.data : "", key.len);
		}
	}
	buf_free(&key);
	return R_REBUILD;
}

/* ---- queue actions ---- */

/* select_key - the criterion of a user's, IP's, sender's or domain's key */
static void select_key(enum agg_kind agg, const char *key, struct selection *sel)
{
	switch (agg) {
	case AGG_SASL_USER: sel->sasl_user = key; break;
	case AGG_CLIENT_IP: sel->client_ip = key; break;
	case AGG_SENDER: sel->sender = *key ? key : "<>"; break;
	case AGG_DOMAIN: sel->sender_domain = key; break;
	case AGG_LOCAL_UID: sel->local_uid = key; break;
	default: break;
	}
}

/*
 * selection_for - what one target (a row's key) selects. A message drilled
 * into from a user or an IP keeps that parent in its selection: its queue
 * file must still name them (a reused queue ID is not someone else's mail).
 */
static void selection_for(enum table_kind tk, enum agg_kind agg, const char *parent, const char *key,
			  struct selection *sel, const char **idv)
{
	memset(sel, 0, sizeof(*sel));
	if (tk == TK_QUEUE || tk == TK_MESSAGES) {
		idv[0] = key;
		sel->ids = idv;
		sel->nids = 1;
		if (tk == TK_MESSAGES && parent)
			select_key(agg, parent, sel);
		return;
	}
	select_key(agg, key, sel);
}

/* elsewhere - the row is another host's: its queue is not this machine's */
static int elsewhere(struct console *c, int all, const char *verb)
{
	struct table *t = console_table(c);
	const struct table_row *r = t && !all ? table_current(t) : NULL;
	if (r == NULL || table_row_host(t, r) == 0)
		return 0;
	const char *there = model_host_name(c->model, table_row_host(t, r));
	struct buf cmd = BUF_INIT, key = BUF_INIT;
	if (verb && t->kind != TK_FAILURES) {	/* what to run there instead */
		struct selection sel;
		const char *idv[1];
		table_row_key(t, r, &key);
		selection_for(t->kind, t->agg, table_parent(t), buf_str(&key), &sel, idv);
		buf_puts(&cmd, "; there: ");
		selection_command(&sel, verb, &cmd);
	}
	console_say(c, 1, "That row is on %s; spamtop acts on this machine, %s, only%s", there,
		    model_host_name(c->model, 0), buf_str(&cmd));
	buf_free(&cmd);
	buf_free(&key);
	return 1;
}

/* start_remote - the dry run of a (sel NULL: every message) asked of s's server */
static void start_remote(struct console *c, const struct source_spec *s, enum queue_action a,
			 const struct selection *sel)
{
	struct remote_action call;
	struct error err;
	int rc = remote_action_build(&call, s, a, sel, 1, &err);
	if (rc == 0)
		rc = remote_job_start(&c->remote, &call, c->opt->journal, &err);
	if (rc < 0)
		console_say(c, 1, "%s: nothing was asked of %s", err.msg, s->host);
	else
		console_say(c, 0, "Asking %s's spamtop over ssh what %s would change (Esc leaves it)...", s->host,
			    action_name(a));
}

/*
 * ask_remote - the current row is of a host read over ssh: that server's own
 * spamtop plans the action there (a dry run, off the key handler); its plan
 * comes in a dialog (remote_tick). 0 when the row is not such a host's.
 */
static int ask_remote(struct console *c, enum queue_action a)
{
	struct table *t = console_table(c);
	const struct table_row *r = t ? table_current(t) : NULL;
	const struct source_spec *s = r && t->kind != TK_FAILURES ? ssh_source_of(c, table_row_host(t, r)) : NULL;
	if (s == NULL || table_row_host(t, r) == 0)
		return 0;
	struct buf key = BUF_INIT;
	struct selection sel;
	const char *idv[1];
	table_row_key(t, r, &key);
	selection_for(t->kind, t->agg, table_parent(t), buf_str(&key), &sel, idv);
	start_remote(c, s, a, &sel);
	buf_free(&key);
	return 1;
}

/*
 * ask_remote_all - hold or release all while one other host is shown alone
 * (@): that host's queue, by its own spamtop when it is read over ssh, else
 * refused with the command to run there. 0 when this machine or every host
 * is shown (then it is this machine's queue, as the title says).
 */
static int ask_remote_all(struct console *c, enum queue_action a)
{
	int h = c->host_filter;
	if (h <= 0)
		return 0;
	const struct source_spec *s = ssh_source_of(c, h);
	if (s)
		start_remote(c, s, a, NULL);
	else
		console_say(c, 1, "Host %s only is shown; spamtop acts on this machine, %s, only; there: spamtop %s --all",
			    model_host_name(c->model, h), model_host_name(c->model, 0), action_name(a));
	return 1;
}

static unsigned confirm_remote(struct console *c);

/* remote_status_meaning - what an exit status of ssh running spamtop there says, beyond spamtop's own */
static const char *remote_status_meaning(int status)
{
	switch (status) {
	case 255: return ": ssh failed";
	case 127: return ": no spamtop on that server's PATH";
	case 126: return ": spamtop there cannot be run";
	default: return "";
	}
}

/* offer_remote - the remote's dry run: its plan, and y to run it there */
static void offer_remote(struct console *c, struct remote_job *j)
{
	const char *host = j->call.host;
	int runnable = j->rc == 0 && j->answer.messages > 0 && j->answer.dry_run_done;
	int asks = runnable && !c->opt->dry_run;
	struct pager *d = console_dialog(c, asks ? "Confirm a change to another server's queue"
					 : "Another server's queue (any key closes)", asks ? confirm_remote : NULL);
	if (j->rc < 0) {
		pager_addf(d, LS_ALERT, "%s: nothing was asked of %s", j->err.msg, host);
		return;
	}
	pager_addf(d, LS_HEADING, "On %s, its own spamtop planned (over ssh; exit status %d%s):", host,
		   j->answer.status, remote_status_meaning(j->answer.status));
	pager_add_lines(d, LS_TEXT, buf_str(&j->answer.text), j->answer.text.len);
	pager_puts(d, LS_TEXT, "");
	if (!runnable) {
		pager_addf(d, LS_DIM, "Nothing to run on %s.", host);
		return;
	}
	remote_action_confirmed(&j->call, &c->remote_call);
	struct buf cmd = BUF_INIT;
	remote_action_describe(&c->remote_call, &cmd);
	pager_addf(d, LS_TEXT, "Runs here: %s", buf_str(&cmd));
	buf_free(&cmd);
	pager_addf(d, LS_DIM, "%s's spamtop confirms again from its queue files and journals there; "
		   "this console journals what it asked and the answer.", host);
	if (c->opt->dry_run) {
		pager_puts(d, LS_DIM, "DRY RUN: nothing will be asked to change.");
		remote_action_free(&c->remote_call);
		return;
	}
	pager_addf(d, LS_TEXT, "y: run it on %s   any other key: cancel", host);
	c->remote_ready = 1;
}

/* show_remote_result - what the remote run answered */
static void show_remote_result(struct console *c, struct remote_job *j)
{
	int ok = j->rc == 0 && j->answer.status == 0;
	struct pager *d = console_dialog(c, ok ? "Done on another server (any key closes)" : "Not done (any key closes)", NULL);
	if (j->rc < 0) {
		pager_addf(d, LS_ALERT, "%s", j->err.msg);
		pager_addf(d, LS_ALERT, "Nothing was asked of %s.", j->call.host);
		return;
	}
	pager_addf(d, LS_HEADING, "%s answered (exit status %d%s):", j->call.host, j->answer.status,
		   remote_status_meaning(j->answer.status));
	pager_add_lines(d, LS_TEXT, buf_str(&j->answer.text), j->answer.text.len);
	pager_puts(d, LS_TEXT, "");
	pager_addf(d, LS_DIM, "Journaled here to %s, and on %s by its spamtop", c->opt->journal, j->call.host);
}

#define FLEET_QUEUE_MS 15000	/* another server's queue is counted again this often */

/*
 * fleet_queue_tick - while another server read over ssh is shown alone
 * (@), its queue is counted there by its spamtop (queue --summary) off the
 * key handler, again every FLEET_QUEUE_MS; the queue line shows those
 * counts, never this machine's, under that host's name.
 */
static unsigned fleet_queue_tick(struct console *c)
{
	struct remote_job *j = &c->fleet_queue;
	if (remote_job_poll(j)) {
		struct fleet_queue_view *f = &c->fleet;
		struct remote_queue_counts counts;
		if (j->rc == 0 && remote_queue_parse(buf_str(&j->answer.text), &counts) == 0) {
			f->ok = 1;
			f->counts = counts;
			f->read_ms = f->asked_ms;
			f->error[0] = 0;
		} else if (j->rc < 0) {	/* the last counts stay, said stale (as this machine's are) */
			snprintf(f->error, sizeof(f->error), "%s", j->err.msg);
		} else {
			snprintf(f->error, sizeof(f->error), "exit status %d%s: %.120s", j->answer.status,
				 remote_status_meaning(j->answer.status), buf_str(&j->answer.text));
		}
		remote_job_free(j);
		c->fleet_next_ms = console_now_ms() + FLEET_QUEUE_MS;
		return R_REDRAW;
	}
	int h = c->host_filter;
	const struct source_spec *s = h > 0 ? ssh_source_of(c, h) : NULL;
	if (s == NULL || j->w.running || (h == c->fleet.host && console_now_ms() < c->fleet_next_ms))
		return R_NONE;
	struct remote_action call;
	struct error err;
	if (h != c->fleet.host)
		memset(&c->fleet, 0, sizeof(c->fleet));
	c->fleet.host = h;
	c->fleet.asked_ms = console_now_ms();
	if (remote_queue_build(&call, s, &err) < 0 || remote_job_start(j, &call, NULL, &err) < 0) {
		snprintf(c->fleet.error, sizeof(c->fleet.error), "%s", err.msg);
		c->fleet_next_ms = console_now_ms() + FLEET_QUEUE_MS;
	}
	return R_REDRAW;
}

/* remote_tick - the other server answered */
static unsigned remote_tick(struct console *c)
{
	struct remote_job *j = &c->remote;
	if (!remote_job_poll(j))
		return R_NONE;
	if (atomic_load(&j->stop)) {
		console_say(c, 0, "Left before %s answered: nothing was changed", j->call.host);
	} else {
		console_close_dialog(c);
		if (j->call.dry_run)
			offer_remote(c, j);
		else
			show_remote_result(c, j);
		console_say(c, j->rc < 0 || j->answer.status == 255, "%s answered", j->call.host);
	}
	remote_job_free(j);
	c->fleet_next_ms = 0;	/* that server's queue changed: count it again at once */
	return R_REBUILD;
}

/* confirm_remote - y: the run the dry run showed, on that server */
static unsigned confirm_remote(struct console *c)
{
	struct remote_action call = c->remote_call;
	c->remote_ready = 0;	/* the call moves into the job */
	console_close_dialog(c);
	struct error err;
	char host[sizeof(call.host)];
	snprintf(host, sizeof(host), "%s", call.host);
	if (remote_job_start(&c->remote, &call, c->opt->journal, &err) < 0)
		console_say(c, 1, "%s: nothing was asked of %s", err.msg, host);
	else
		console_say(c, 0, "Running on %s over ssh (journaled; the screen keeps answering)", host);
	return R_REDRAW;
}

/* say_firewall_block - the delete key on the Auth failures tab: brute-force
 * sources send no mail; the firewall command that would block one, said
 * only for a key that is an address, never for this machine's loopback nor
 * for an address whose failures were all its accounts' own */
static void say_firewall_block(struct console *c, struct table *t)
{
	const struct table_row *row = table_current(t);
	const struct agg_stats *a = row->obj;
	struct buf k = BUF_INIT;
	table_row_key(t, row, &k);
	uint8_t addr[16];
	int is_v4;
	if (addr_parse(buf_str(&k), k.len, addr, &is_v4) < 0)
		console_say(c, 1, "Brute-force sources send no mail; this row's key is no address to block");
	else if (addr_is_local_loopback(buf_str(&k)))
		console_say(c, 0, "%s is this machine: a webmail or another local service passes its users' logins on; "
			    "its own log names the address to block", buf_str(&k));
	else if (a && a->last_user && model_own_failures_only(a))
		console_say(c, 0, "%s: its failed logins all name accounts that had logged in from there (the last: %s): "
			    "old passwords on their own devices, not guessing; a block would lock their owners out",
			    buf_str(&k), a->last_user->s);
	else
		console_say(c, 0, "Brute-force sources send no mail. To block one: nft add element inet filter "
			    "blocklist { %s timeout 20m } (spamtop runs nothing)", buf_str(&k));
	buf_free(&k);
}

static unsigned queue_action(struct console *c, enum queue_action a, int all)
{
	struct error err;
	if (console_busy(c))
		return R_REDRAW;
	struct table *ft = all ? NULL : console_table(c);
	if (ft && ft->kind == TK_FAILURES && table_current(ft)) {	/* no queue in it: with or without one */
		say_firewall_block(c, ft);
		return R_REDRAW;
	}
	if ((all ? ask_remote_all(c, a) : ask_remote(c, a)) || elsewhere(c, all, action_name(a))
	    || !console_can_change_queue(c))
		return R_REDRAW;
	if (all) {
		struct selection none;
		memset(&none, 0, sizeof(none));
		action_plan_build(&c->plan, a, 1, &none, c->queue, &err);
	} else {
		struct table *t = console_table(c);
		if (t == NULL || table_current(t) == NULL) {
			console_say(c, 1, "No row selected");
			return R_REDRAW;
		}
		struct string_set targets = {0};
		table_targets(t, &targets);
		int rc = plan_job_start(&c->job, a, t->kind, t->agg, table_parent(t), &targets, c->queue, selection_for, &err);
		string_set_free(&targets);
		if (rc < 0)
			console_say(c, 1, "%s", err.msg);
		else
			console_say(c, 0, "Building the plan (Esc cancels)...");
		c->job_shown = 0;
		return R_REDRAW;	/* the dialog comes when the job is done (job_tick) */
	}
	console_offer_plan(c, 0);
	return R_REDRAW;
}

/*
 * job_tick - a plan being built: its progress in the status line; when it
 * is done, the confirmation dialog (or why not). While it runs the console
 * reads no log and installs no new snapshot: the job reads both.
 */
static unsigned job_tick(struct console *c)
{
	struct plan_job *j = &c->job;
	if (!j->w.running)
		return R_NONE;
	if (plan_job_poll(j)) {
		if (j->rc == 0) {
			c->plan = j->plan;
			console_offer_plan(c, j->wizard_step);
		} else if (atomic_load(&j->progress.cancel)) {
			console_say(c, 0, "Cancelled while the plan was built: nothing was changed");
		} else {
			console_say(c, 1, "%s", j->err.msg);
		}
		return R_REBUILD;
	}
	size_t done = atomic_load(&j->progress.done), total = atomic_load(&j->progress.total);
	if (total && (done != c->job_shown || !c->message[0])) {	/* a key clears the status line */
		c->job_shown = done;
		console_say(c, 0, "Building the plan: %zu / %zu confirmed from their queue files (Esc cancels)", done, total);
		return R_REDRAW;
	}
	return R_NONE;
}

/* reload_queue_now - after an action the admin waits for the result anyway: read the
 * queue at once, so that the next proposal counts what is there now */
static void reload_queue_now(struct console *c)
{
	struct queue_snapshot *q = queue_snapshot_new();
	struct error err;
	long long started = console_now_ms();
	if (q == NULL || queue_load(q, QUEUE_TIMEOUT_MS / 6, &err) < 0) {
		queue_snapshot_free(q);
		return;	/* the background reads go on as before */
	}
	install_queue(c, q, started);
}

/* confirm - the admin said yes: run the plan and show what happened */
static unsigned confirm(struct console *c)
{
	struct action_plan plan = c->plan;
	c->plan_ready = 0;	/* the plan moves out of the dialog */
	int step = c->dialog_step;
	c->dialog_step = 0;
	if (c->opt->dry_run) {
		struct pager *d = console_dialog(c, "Dry run: nothing was changed (any key closes)", NULL);
		struct buf b = BUF_INIT;
		action_plan_describe(&plan, c->queue, PLAN_SHOW_IDS, &b);
		pager_add_lines(d, LS_TEXT, b.data, b.len);
		buf_free(&b);
		if (step)
			console_cleanup_plan_done(c, step, &plan, NULL, 1);
		action_plan_free(&plan);
		return R_REBUILD;
	}
	struct error err;
	console_close_dialog(c);	/* its result comes in a new one (act_tick) */
	if (action_job_start(&c->act, &plan, c->opt->journal, step, &err) < 0) {
		console_say(c, 1, "%s: nothing was changed", err.msg);
		action_plan_free(&plan);
		return R_REDRAW;
	}
	console_say(c, 0, "Running: %s %zu message%s (journaled; the screen keeps answering)", action_name(plan.action),
		    plan.expected, plan.expected == 1 ? "" : "s");
	return R_REDRAW;
}

/* act_tick - a confirmed action that has finished: the queue read at once, what happened in the dialog */
static unsigned act_tick(struct console *c)
{
	if (!action_job_poll(&c->act))
		return R_NONE;
	struct action_plan plan = c->act.plan;
	struct action_outcome out = c->act.out;
	struct error err = c->act.err;
	enum action_status st = c->act.st;
	int step = c->act.wizard_step;
	reload_queue_now(c);
	struct pager *d = console_dialog(c, st == ACTION_DONE ? "Done (any key closes)" : "Action failed (any key closes)", NULL);
	if (st == ACTION_REFUSED) {
		pager_addf(d, LS_ALERT, "%s", err.msg);
		pager_puts(d, LS_ALERT, "Refused: no action runs without its audit record. Nothing was changed.");
	} else if (st == ACTION_FAILED) {
		pager_addf(d, LS_ALERT, "%s", err.msg);
	} else {
		struct buf b = BUF_INIT;
		action_outcome_describe(&plan, &out, PLAN_SHOW_IDS, &b);
		pager_add_lines(d, LS_TEXT, b.data, b.len);
		buf_free(&b);
		if (st == ACTION_NOT_JOURNALED)
			pager_addf(d, LS_ALERT, "The result could not be journaled: %s", err.msg);
		else
			pager_addf(d, LS_DIM, "Journaled to %s", c->opt->journal);
		if (step)
			console_cleanup_plan_done(c, step, &plan, &out, st == ACTION_DONE && out.exit_status == 0);
	}
	action_outcome_free(&out);
	action_plan_free(&plan);
	return R_REBUILD | R_QUEUE;
}

/* ---- keys ---- */

static unsigned table_action(struct console *c, struct table *t, enum action_id a)
{
	size_t page = (size_t)draw_table_rows();
	switch (a) {
	case ACTION_MOVE_UP: table_move(t, -1); return R_REDRAW;
	case ACTION_MOVE_DOWN: table_move(t, 1); return R_REDRAW;
	case ACTION_PAGE_UP: table_move(t, -(long)page); return R_REDRAW;
	case ACTION_PAGE_DOWN: table_move(t, (long)page); return R_REDRAW;
	case ACTION_MOVE_FIRST: table_move(t, -(long)t->nrows); return R_REDRAW;
	case ACTION_MOVE_LAST: table_move(t, (long)t->nrows); return R_REDRAW;
	case ACTION_ENTER: return enter(c);
	case ACTION_SORT_NEXT: table_sort_by(t, 1); return R_REBUILD;
	case ACTION_SORT_PREV: table_sort_by(t, -1); return R_REBUILD;
	case ACTION_SORT_REVERSE: t->sort_reverse = !t->sort_reverse; return R_REBUILD;
	case ACTION_TAG:
		if (elsewhere(c, 0, NULL))	/* tags are for actions, and actions for this machine's rows */
			return R_REDRAW;
		table_toggle_tag(t);
		table_move(t, 1);
		return R_REDRAW;
	case ACTION_UNTAG_ALL: table_untag_all(t); return R_REDRAW;
	case ACTION_FILTER: console_open_prompt(c, t); return R_REDRAW;
	case ACTION_WHY: open_why(c); return R_REDRAW;
	case ACTION_HOLD: return queue_action(c, ACT_HOLD, 0);
	case ACTION_RELEASE: return queue_action(c, ACT_RELEASE, 0);
	case ACTION_DELETE: return queue_action(c, ACT_DELETE, 0);
	case ACTION_REQUEUE: return queue_action(c, ACT_REQUEUE, 0);
	case ACTION_HOLD_ALL: return queue_action(c, ACT_HOLD, 1);
	case ACTION_RELEASE_ALL: return queue_action(c, ACT_RELEASE, 1);
	default: return R_NONE;
	}
}

static unsigned switch_tab(struct console *c, int tab)
{
	while (c->depth)
		console_pop_view(c);
	c->tab = (enum tab_id)((tab + TAB_COUNT) % TAB_COUNT);
	return R_REBUILD;
}

/* next_host - several hosts: show one host's rows, the next one's, then all again */
static unsigned next_host(struct console *c)
{
	int n = model_host_count(c->model);
	if (n < 2) {
		console_say(c, 0, "One host only (several: --source NAME=PATH)");
		return R_REDRAW;
	}
	c->host_filter = c->host_filter + 1 >= n ? -1 : c->host_filter + 1;
	if (c->host_filter < 0)
		console_say(c, 0, "Every host shown");
	else
		console_say(c, 0, "Host %s only", model_host_name(c->model, c->host_filter));
	return R_REBUILD;
}

static unsigned general_action(struct console *c, enum action_id a)
{
	switch (a) {
	case ACTION_QUIT:
		if (c->depth) {
			console_pop_view(c);
			return R_REBUILD;
		}
		return R_QUIT;
	case ACTION_BACK:
		if (c->depth)
			console_pop_view(c);
		return R_REBUILD;
	case ACTION_HELP: open_help(c); return R_REDRAW;
	case ACTION_CLEANUP: {
		struct error err;
		if (wizard_busy(c->wizard))	/* its session is a job's now */
			return console_busy(c), R_REDRAW;
		while (c->depth)
			console_pop_view(c);
		if (console_open_cleanup(c, 0, &err) < 0)
			console_say(c, 1, "%s", err.msg);
		return R_REBUILD;
	}
	case ACTION_PAUSE:
		c->paused = !c->paused;
		console_say(c, 0, c->paused ? "Paused: the log and the queue are not read" : "Resumed");
		return R_REDRAW;
	case ACTION_REFRESH_FASTER:
	case ACTION_REFRESH_SLOWER: {
		struct console_options *o = (struct console_options *)c->opt;
		int ms = a == ACTION_REFRESH_FASTER ? o->refresh_ms / 2 : o->refresh_ms * 2;
		o->refresh_ms = ms < 200 ? 200 : ms > 10000 ? 10000 : ms;
		console_say(c, 0, "Refresh every %.1f s", o->refresh_ms / 1000.0);
		return R_REDRAW;
	}
	case ACTION_REFRESH_NOW: return R_QUEUE | R_REDRAW;
	case ACTION_NEXT_TAB: return switch_tab(c, (int)c->tab + 1);
	case ACTION_PREV_TAB: return switch_tab(c, (int)c->tab - 1);
	case ACTION_TAB_USERS: return switch_tab(c, TAB_USERS);
	case ACTION_TAB_IPS: return switch_tab(c, TAB_IPS);
	case ACTION_TAB_SENDERS: return switch_tab(c, TAB_SENDERS);
	case ACTION_TAB_DOMAINS: return switch_tab(c, TAB_DOMAINS);
	case ACTION_TAB_QUEUE: return switch_tab(c, TAB_QUEUE);
	case ACTION_TAB_FAILURES: return switch_tab(c, TAB_FAILURES);
	case ACTION_TAB_LOCAL: return switch_tab(c, TAB_LOCAL);
	case ACTION_HOST_NEXT: return next_host(c);
	default: return R_NONE;
	}
}

static unsigned handle_key(struct console *c, int is_key, wint_t ch)
{
	if (is_key && ch == KEY_RESIZE)
		return R_REDRAW;
	struct view *m = console_modal(c);
	if (m)
		return m->ops->raw_key(c, m, is_key, ch);
	c->message[0] = 0;
	int key = (int)ch;
	if (is_key)
		key = (int)ch;
	else if (ch == '\r')
		key = '\n';
	else if (ch > 255)
		return R_NONE;	/* not bindable: would alias a curses key code */
	struct view *v = console_top(c);
	const struct view_ops *ops = console_top_ops(c);
	enum action_id a = keymap_lookup(&c->keys, ops->scope, key);
	if (ops->scope == KM_WIZARD && a == ACTION_NONE)	/* the wizard's page scrolls like a pager */
		a = keymap_lookup(&c->keys, KM_PAGER, key);
	if (a == ACTION_NONE)
		return R_NONE;
	if (c->job.w.running && a == ACTION_BACK) {	/* Esc: stop building the plan; nothing has changed */
		plan_job_cancel(&c->job);
		console_say(c, 0, "Cancelling the plan...");
		return R_REDRAW;
	}
	if (c->remote.w.running && c->remote.call.dry_run && a == ACTION_BACK) {
		remote_job_stop(&c->remote);	/* its ssh is ended: a dry run changed nothing */
		console_say(c, 0, "Stopping the question to %s...", c->remote.call.host);
		return R_REDRAW;
	}
	unsigned r = ops->key(c, v, a);
	return r ? r : general_action(c, a);
}

/* ---- the views' kinds (console_state.h) ---- */

/* table_key - a tab's or a drill-down's rows (not built while the history is read) */
static unsigned table_key(struct console *c, struct view *v, enum action_id a)
{
	(void)v;
	return c->reading_history ? R_NONE : table_action(c, console_table(c), a);
}

/* page_key - a message's or a help page: scrolls; the end asked for before a
 * trail came is kept for it */
static unsigned page_key(struct console *c, struct view *v, enum action_id a)
{
	if (v == c->trail_view)
		c->trail_at_end = a == ACTION_MOVE_LAST || (c->trail_at_end && a != ACTION_MOVE_UP
			&& a != ACTION_PAGE_UP && a != ACTION_MOVE_FIRST);
	return console_page_action(&v->pager, a);
}

/* page_close - a message left before its trail was found: stop looking */
static void page_close(struct console *c, struct view *v)
{
	if (v == c->trail_view) {
		trail_job_cancel(&c->trail);
		c->trail_view = NULL;
	}
}

const struct view_ops tab_view_ops = {
	.name = "tab", .scope = KM_TABLE, .is_table = 1, .key = table_key, .draw = draw_rows_view,
};
const struct view_ops table_view_ops = {
	.name = "table", .scope = KM_TABLE, .is_table = 1, .key = table_key, .draw = draw_rows_view,
};
const struct view_ops page_view_ops = {
	.name = "page", .scope = KM_PAGER, .key = page_key, .draw = draw_page_view, .close = page_close,
};

/* ---- set-up ---- */

static int load_keymaps(struct console *c)
{
	char path[PATH_MAX], dir[PATH_MAX] = "";
	const char *env = getenv("SPAMTOP_KEYMAP_DIR");
	if (env)
		snprintf(dir, sizeof(dir), "%s", env);
	else {
		ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);	/* keymaps/ beside the binary */
		if (n > 0) {
			path[n] = 0;
			char *slash = strrchr(path, '/');
			if (slash)
				*slash = 0;
			snprintf(dir, sizeof(dir), "%.4000s/keymaps", path);
		}
		snprintf(path, sizeof(path), "%s/default.keys", dir);
		if (access(path, R_OK) != 0)
			snprintf(dir, sizeof(dir), "%s", SPAMTOP_KEYMAP_DIR);
	}
	snprintf(path, sizeof(path), "%s/default.keys", dir);
	if (keymap_load_file(&c->keys, path) < 0) {
		fprintf(stderr, "spamtop: cannot read the default key bindings %s (set SPAMTOP_KEYMAP_DIR)\n", path);
		return -1;
	}
	const char *km = c->opt->keymap;
	if (km && strcmp(km, "default") != 0) {
		if (strchr(km, '/'))
			snprintf(path, sizeof(path), "%s", km);
		else
			snprintf(path, sizeof(path), "%s/%s.keys", dir, km);
		if (keymap_load_file(&c->keys, path) < 0) {
			fprintf(stderr, "spamtop: cannot read keymap %s\n", path);
			return -1;
		}
	}
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	if (xdg && *xdg)
		snprintf(path, sizeof(path), "%s/spamtop/keys", xdg);
	else
		snprintf(path, sizeof(path), "%s/.config/spamtop/keys", home ? home : "/");
	if (access(path, R_OK) == 0)
		keymap_load_file(&c->keys, path);
	return 0;
}

static int console_open(struct console *c, const struct console_options *o)
{
	memset(c, 0, sizeof(*c));
	c->opt = o;
	c->confirm_plan = confirm;	/* the plan dialog's y (dialog.c): run it here */
	c->is_root = geteuid() == 0;
	keymap_init(&c->keys);
	if (gethostname(c->host, sizeof(c->host) - 1) < 0)
		snprintf(c->host, sizeof(c->host), "?");
	for (char *p = c->host; *p; p++)
		if (*p < ' ' || *p > '~')
			*p = '?';
	if (load_keymaps(c) < 0)
		return -1;
	alert_config_default(&c->alert_cfg);
	alert_config_load_defaults(&c->alert_cfg);
	if (o->queue_warn)
		c->alert_cfg.t[AL_QUEUE].warn = o->queue_warn;
	if (o->queue_crit)
		c->alert_cfg.t[AL_QUEUE].crit = o->queue_crit;
	c->alert_cfg.skip_queue = o->no_queue;
	struct model_limits lim;
	model_limits_default(&lim);
	if (o->max_keys)
		lim.max_keys = o->max_keys;
	if (o->ip_window)
		lim.source_window = o->ip_window;
	c->model = model_new(&lim, (time_t)clock_now());
	if (c->model == NULL) {
		fprintf(stderr, "spamtop: out of memory\n");
		return -1;
	}
	if (o->since)
		model_set_since(c->model, clock_now() - o->since);
	our_domains_tell_watched(c->model, o->this_server, o->our_domains, &c->domains);	/* before the lines:
											 * their deliveries are judged by them */
	if (console_open_inputs(c) < 0)
		return -1;
	c->host_filter = -1;
	for (int t = 0; t < TAB_COUNT; t++)
		table_init_tab(&c->tabs[t], (enum tab_id)t);	/* a Host column is added at a rebuild when needed */
	if (!o->no_queue)
		c->refresh = queue_refresh_new(QUEUE_TIMEOUT_MS);
	c->rate_since_ms = console_now_ms();
	if (c->keys.nwarnings)
		console_say(c, 1, "%u key-binding warning(s): see help (?)", c->keys.nwarnings);
	if (c->alert_cfg.warnings.len)
		console_say(c, 1, "threshold file: %.300s", buf_str(&c->alert_cfg.warnings));
	struct error err;
	if (o->cleanup && console_open_cleanup(c, o->resume, &err) < 0) {
		fprintf(stderr, "spamtop: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static void console_close(struct console *c)
{
	while (c->depth)	/* a dialog's close frees the plan it held */
		console_pop_view(c);
	plan_job_abandon(&c->job);	/* before the snapshot and the model it reads go */
	action_job_wait(&c->act);	/* a started postsuper is let finish */
	wizard_free(c->wizard);	/* waits for a started reload or postsuper of the cleanup */
	remote_job_wait(&c->remote);	/* ssh ends when its remote command does */
	remote_job_wait(&c->fleet_queue);	/* a count: its ssh is stopped */
	trail_job_abandon(&c->trail);
	for (int t = 0; t < TAB_COUNT; t++)
		table_free(&c->tabs[t]);
	console_close_inputs(c);
	queue_refresh_free(c->refresh);
	queue_snapshot_free(c->queue);
	our_domains_watch_free(&c->domains);
	model_free(c->model);
	keymap_free(&c->keys);
	alert_config_free(&c->alert_cfg);
}

static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: poll() returns, the loop ends cleanly */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = on_crash;
	sa.sa_flags = SA_RESETHAND;
	for (const int *s = (const int[]){SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, 0}; *s; s++)
		sigaction(*s, &sa, NULL);
}

/* wait_input - until a key, or the next tick */
static void wait_input(int ms)
{
	struct pollfd pfd = {screen_input_fd(), POLLIN, 0};
	poll(&pfd, 1, ms);
}

/*
 * reread_our_domains - Postfix's domain lists (or a table of them) changed
 * while the console runs (a gateway's new relay_domains): read again before
 * the lines written after the change, whose deliveries are judged by them.
 * A domain taken out stays ours until the console is started again.
 */
static void reread_our_domains(struct console *c, long long now)
{
	if (c->reading_history || now - c->domains_checked_ms < c->opt->refresh_ms)
		return;	/* a burst is read step after step: the files are looked at once a tick */
	c->domains_checked_ms = now;
	if (!our_domains_watch_changed(&c->domains))
		return;
	size_t before = model_our_domains_named(c->model);
	our_domains_tell_watched(c->model, c->opt->this_server, c->opt->our_domains, &c->domains);
	console_say(c, 0, "Postfix's configuration changed: our domains read again (%zu more)",
		    model_our_domains_named(c->model) - before);
}

/*
 * loop - rows point into the model and the snapshot, so whenever either
 * changes the table is rebuilt before anything reads it again. While the
 * history is read, the tables are not shown at all (only the progress),
 * and live lines are read once per refresh tick.
 */
static void loop(struct console *c)
{
	unsigned r = R_REBUILD;
	long long last_paint = 0, next_read = 0;
	while (!got_signal) {
		long long t = console_now_ms();
		r |= job_tick(c) | act_tick(c) | trail_tick(c) | remote_tick(c) | fleet_queue_tick(c);
		int frozen = c->job.w.running || wizard_reads_queue(c->wizard);	/* a job reads the model and the snapshot */
		if (!c->paused && !frozen && (c->reading_history || c->behind || t >= next_read)) {
			int was_reading = c->reading_history;
			reread_our_domains(c, t);
			if (console_read_inputs(c) || was_reading != c->reading_history)
				r |= R_REBUILD;	/* rows point into the model: rebuilt before any use */
			next_read = t + c->opt->refresh_ms;
		}
		console_update_rate(c);
		r |= console_cleanup_tick(c);	/* the containment's end, a throttled release's next batch or its stop */
		frozen = c->job.w.running || wizard_reads_queue(c->wizard);	/* the tick may have started a turn: */
		if (!frozen && queue_tick(c, (r & R_QUEUE) != 0))	/* the snapshot it reads stays */
			r |= R_REBUILD;
		r &= ~(unsigned)R_QUEUE;
		if (c->message[0] && t > c->message_until_ms) {
			c->message[0] = 0;
			r |= R_REDRAW;
		}
		if ((r & R_REBUILD) && !c->reading_history) {
			rebuild(c);
			r = (r & ~(unsigned)R_REBUILD) | R_REDRAW;
		}
		if ((r & R_REDRAW) || t - last_paint >= (c->reading_history ? 250 : c->opt->refresh_ms)) {
			draw_console(c);
			last_paint = t;
			r &= ~(unsigned)R_REDRAW;
		}
		wait_input(c->reading_history || c->behind ? 0 : 100);
		wint_t ch;
		int got;
		while ((got = get_wch(&ch)) != ERR) {
			unsigned k = handle_key(c, got == KEY_CODE_YES, ch);
			if (k & R_QUIT)
				return;
			r |= k;
		}
	}
}

int console_run(const struct console_options *o)
{
	struct console *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return 1;
	if (console_open(c, o) < 0) {
		console_close(c);
		free(c);
		return 1;
	}
	install_signals();
	if (screen_open(!o->no_color) < 0) {
		fprintf(stderr, "spamtop: no usable terminal (TERM=%s); --report works without one\n",
			getenv("TERM") ? getenv("TERM") : "");
		console_close(c);
		free(c);
		return 1;
	}
	nodelay(stdscr, TRUE);
	loop(c);
	screen_close();
	int sig = got_signal;
	console_close(c);
	free(c);
	if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP)
		return 128 + sig;
	return 0;
}
