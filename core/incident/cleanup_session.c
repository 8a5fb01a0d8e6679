/*
 * cleanup_session - what the guided cleanup does (see cleanup_session.h).
 */
#include "core/incident/cleanup_session.h"

#include <string.h>
#include <strings.h>

#include "core/incident/dovecot_block.h"
#include "core/incident/postfix_block.h"
#include "core/incident/submit_block.h"
#include "core/base/spawn.h"

void cleanup_session_init(struct cleanup_session *s, int64_t now, const char *journal, const char *disable_cmd,
			  const char *our_domains)
{
	memset(s, 0, sizeof(*s));
	cleanup_state_init(&s->st, now);
	s->journal = journal;
	s->disable_cmd = disable_cmd;
	s->our_domains = our_domains;
	struct error err;
	s->conf_ok = postfix_confs_read(&s->pf, our_domains, &err) == 0;
	if (!s->conf_ok)
		snprintf(s->conf_error, sizeof(s->conf_error), "%s", err.msg);
}

void cleanup_session_free(struct cleanup_session *s)
{
	postfix_confs_free(&s->pf);
	release_throttle_free(&s->throttle);
}

void cleanup_session_reread_conf(struct cleanup_session *s)
{
	struct error err;
	postfix_confs_free(&s->pf);
	s->conf_ok = postfix_confs_read(&s->pf, s->our_domains, &err) == 0;
	snprintf(s->conf_error, sizeof(s->conf_error), "%s", s->conf_ok ? "" : err.msg);
}

const struct agg_stats *cleanup_target_stats(const struct model *m, const struct cleanup_target *t)
{
	return model_agg_find(m, suspect_agg_kind(t->kind), t->key, strlen(t->key));
}

size_t cleanup_session_relays(const struct cleanup_session *s, const char *ips[CLEANUP_MAX_TARGETS])
{
	size_t n = 0;
	for (size_t i = 0; i < s->st.ntargets; i++)
		if (s->st.targets[i].chosen && s->st.targets[i].kind == SUSPECT_TRUSTED_RELAY)
			ips[n++] = s->st.targets[i].key;
	return n;
}

/* say_notes - a plan's notes, each a line needing the admin's eye (the instance's label first) */
static void say_notes(struct buf *report, const char *label, const struct buf *notes)
{
	for (const char *p = notes->data ? notes->data : ""; *p;) {
		size_t len = strcspn(p, "\n");
		buf_printf(report, "!%s%.*s\n", label, (int)len, p);
		p += len + (p[len] == '\n');
	}
}

/* block_in_postfix - an account or a host blocked by its Postfix table in
 * instance c (every instance for an account); said in report and in said */
static int block_in_postfix(struct cleanup_session *s, const struct postfix_conf *c, enum block_kind kind,
			    const char *key, struct buf *report, struct buf *said)
{
	int failed = !s->conf_ok;
	if (!s->conf_ok)
		buf_printf(report, "!%s NOT blocked in Postfix: its configuration is unknown: %.400s\n", key, s->conf_error);
	for (int i = 0; i < s->pf.count; i++) {
		const struct postfix_conf *in = c ? c : &s->pf.at[i];
		struct buf notes = BUF_INIT;
		struct error err;
		char label[80];
		postfix_conf_label(&s->pf, in, label, sizeof(label));
		int rc = block_now(in, kind, key, s->journal, &notes, &err);
		say_notes(report, label, &notes);
		buf_free(&notes);
		if (rc < 0)
			buf_printf(report, "!%s%s NOT blocked in Postfix: %s\n", label, key, err.msg);
		else
			buf_printf(report, "%s%s blocked in Postfix (spamtop unblock %s %s undoes it)\n", label, key,
				   kind == BLOCK_ACCOUNT ? "--sasl-user" : "--client-ip", key);
		failed |= rc < 0;
		if (c)
			break;
	}
	buf_printf(said, "%s%s%s", kind == BLOCK_HOST ? (said->len ? "; " : "") : " ", kind == BLOCK_HOST ? key : "",
		   kind == BLOCK_HOST ? " " : "");
	buf_puts(said, failed ? "NOT blocked in Postfix" : "blocked in Postfix");
	return failed ? -1 : 0;
}

/* block_at_dovecot - the account refused at Dovecot's logins, when Dovecot
 * has a deny passdb; said in report and in said (nothing when Dovecot is
 * not on this machine) */
static int block_at_dovecot(struct cleanup_session *s, const char *user, struct buf *report, struct buf *said)
{
	struct dovecot_block_plan d;
	struct buf out = BUF_INIT, notes = BUF_INIT;
	struct error err;
	int rc = dovecot_block_plan_make(s->dovecot_config, user, 1, &d, &err);
	if (rc == 0) {
		say_notes(report, "", &d.notes);
		if (d.runnable)
			rc = dovecot_block_apply(&d, s->journal, &out, &notes, &err);
		say_notes(report, "", &notes);
	}
	if (rc < 0)
		buf_printf(report, "!%s NOT blocked at Dovecot: %s\n", user, err.msg);
	else if (d.runnable)
		buf_printf(report, "%s blocked at Dovecot, its line in %s (spamtop unblock --sasl-user %s undoes it)\n",
			   user, d.deny_file, user);
	if (rc < 0 || d.runnable)
		buf_puts(said, rc < 0 ? ", NOT blocked at Dovecot" : ", blocked at Dovecot");
	dovecot_block_plan_free(&d);
	buf_free(&out);
	buf_free(&notes);
	return rc;
}

/* contain_account - the admin's --disable-cmd (when given and the name is safe), then the Postfix and Dovecot blocks */
static int contain_account(struct cleanup_session *s, const char *user, struct buf *report, struct buf *said)
{
	struct buf out = BUF_INIT;
	struct error err;
	char storage[1024], *argv[16];
	int failed = 0;
	buf_printf(said, "%s%s:", said->len ? "; " : "", user);
	if (cleanup_account_argv(s->disable_cmd, user, storage, sizeof(storage), argv, 16, &err) > 0) {
		int rc = cleanup_run_journaled(argv, "disable-account", user, s->journal, &out, &err);
		if (rc < 0)
			buf_printf(report, "!%s: %s\n", user, err.msg);
		else
			buf_printf(report, "%s%s: %s exited with status %d\n", rc ? "!" : "", user, argv[0], rc);
		for (const char *p = buf_str(&out); *p;) {
			size_t len = strcspn(p, "\n");
			buf_printf(report, "  %.*s\n", (int)len, p);
			p += len + (p[len] == '\n');
		}
		buf_printf(said, " %s %s,", argv[0], rc == 0 ? "ran" : "failed");
		failed = rc != 0;
	} else if (s->disable_cmd) {
		buf_printf(report, "!%s: --disable-cmd not run: %s\n", user, err.msg);
	}
	buf_free(&out);
	failed |= block_in_postfix(s, NULL, BLOCK_ACCOUNT, user, report, said) < 0;
	failed |= block_at_dovecot(s, user, report, said) < 0;
	return failed ? -1 : 0;
}

/* relays_in - the one mynetworks edit of instance c, and host blocks there
 * for those inside a wider entry; dropped[i] set for each ips[i] it drops */
static int relays_in(struct cleanup_session *s, const struct postfix_conf *c, const char *ips[], size_t n,
		     struct buf *report, struct buf *said, int dropped[])
{
	struct mynetworks_plan plan;
	struct buf backup = BUF_INIT, out = BUF_INIT, mine = BUF_INIT;
	struct error err;
	char label[80];
	postfix_conf_label(&s->pf, c, label, sizeof(label));
	int rc = cleanup_mynetworks_plan(c, ips, n, &plan, &err), planned = rc == 0;
	if (rc == 0 && plan.runnable)
		rc = cleanup_mynetworks_apply(c, &plan, s->journal, &backup, &out, &err);
	for (size_t k = 0; rc == 0 && plan.runnable && k < plan.nips; k++) {
		buf_printf(&mine, "%s%s", k ? ", " : "", plan.ips[k]);
		for (size_t i = 0; i < n; i++)
			dropped[i] |= plan.ips[k] == ips[i];	/* the plan keeps the pointers it was given */
	}
	if (rc < 0)
		buf_printf(report, "!%smynetworks: %s\n", label, err.msg);
	else if (plan.runnable)
		buf_printf(report, "%s%s dropped from mynetworks (now: %s, read back); main.cf saved as %s; postfix reloaded\n",
			   label, buf_str(&mine), buf_str(&plan.after), buf_str(&backup));
	for (size_t i = 0; planned && i < plan.nwider; i++)
		rc |= block_in_postfix(s, c, BLOCK_HOST, plan.wider[i], report, said);
	if (planned)
		mynetworks_plan_free(&plan);
	buf_free(&mine);
	buf_free(&backup);
	buf_free(&out);
	return rc < 0 ? -1 : 0;
}

/* contain_relays - relays_in each instance that trusts one of them */
static int contain_relays(struct cleanup_session *s, const char *ips[], size_t n, struct buf *report, struct buf *said)
{
	const struct postfix_conf *where[INSTANCE_MAX];
	int k = cleanup_relay_instances(&s->pf, ips, n, where), failed = 0, dropped[CLEANUP_MAX_TARGETS] = {0};
	struct buf names = BUF_INIT, hosts = BUF_INIT;
	for (int i = 0; i < k; i++)
		failed |= relays_in(s, where[i], ips, n, report, &hosts, dropped) < 0;
	for (size_t i = 0; i < n; i++)
		if (dropped[i])
			buf_printf(&names, "%s%s", names.len ? ", " : "", ips[i]);
	if (failed || names.len)
		buf_printf(said, "%s%s %s", said->len ? "; " : "", failed ? "trusted relays" : buf_str(&names),
			   failed ? "NOT dropped from mynetworks" : "dropped from mynetworks");
	if (hosts.len)	/* the host blocks, said after the edit */
		buf_printf(said, "%s%s", said->len && hosts.data[0] != ';' ? "; " : "", buf_str(&hosts));
	buf_free(&names);
	buf_free(&hosts);
	return failed ? -1 : 0;
}

/* web_app_in - a web application's uid kept from the sendmail of instance c (authorized_submit_users) */
static int web_app_in(struct cleanup_session *s, const struct postfix_conf *c, const char *uid, struct buf *report)
{
	struct submit_plan p;
	struct buf backup = BUF_INIT;
	struct error err;
	char label[80];
	postfix_conf_label(&s->pf, c, label, sizeof(label));
	int rc = submit_plan_make(buf_str(&c->submit_users), uid, 1, &p, &err), planned = rc == 0;
	if (planned && p.runnable)
		rc = submit_apply(c, &p, s->journal, &backup, &err);
	if (rc < 0)
		buf_printf(report, "!%suid %s NOT kept from sendmail: %s\n", label, uid, err.msg);
	else if (p.runnable)
		buf_printf(report, "%suid %s (%s) kept from sendmail: %s = %s (read back); main.cf saved as %s; "
			   "spamtop unblock --local-user %s undoes it\n", label, uid, p.name, SUBMIT_PARAM,
			   buf_str(&p.after), buf_str(&backup), p.name);
	else
		buf_printf(report, "%suid %s (%s) is kept from sendmail already (%s = %s)\n", label, uid, p.name,
			   SUBMIT_PARAM, buf_str(&p.before));
	if (planned)
		submit_plan_free(&p);
	buf_free(&backup);
	return rc < 0 ? -1 : 0;
}

/* contain_web_app - web_app_in every instance: `sendmail -C DIR` reaches any of them */
static int contain_web_app(struct cleanup_session *s, const char *uid, struct buf *report, struct buf *said)
{
	int failed = 0;
	if (!s->conf_ok)
		buf_printf(report, "!uid %s NOT kept from sendmail: %s is unknown: %.400s\n", uid, SUBMIT_PARAM,
			   s->conf_error);
	for (int i = 0; i < s->pf.count; i++)
		failed |= web_app_in(s, &s->pf.at[i], uid, report) < 0;
	failed |= !s->conf_ok;
	buf_printf(said, "%suid %s %s", said->len ? "; " : "", uid, failed ? "NOT kept from sendmail" : "kept from sendmail");
	return failed ? -1 : 0;
}

/* unread_instances - the instances postconf could not read: nothing was done there */
static void unread_instances(const struct cleanup_session *s, struct buf *report)
{
	const struct buf *u = &s->pf.unread;
	for (const char *p = u->data ? u->data : ""; *p;) {
		size_t len = strcspn(p, "\n");
		buf_printf(report, "!instance %.*s: not read, nothing done there\n", (int)len, p);
		p += len + (p[len] == '\n');
	}
}

int cleanup_session_contain(struct cleanup_session *s, struct buf *report)
{
	struct buf said = BUF_INIT;
	int failed = 0;
	for (size_t i = 0; i < s->st.ntargets; i++)
		if (s->st.targets[i].chosen && s->st.targets[i].kind == SUSPECT_SASL_USER)
			failed |= contain_account(s, s->st.targets[i].key, report, &said) < 0;
	const char *ips[CLEANUP_MAX_TARGETS];
	size_t nips = cleanup_session_relays(s, ips);
	if (nips && s->conf_ok)
		failed |= contain_relays(s, ips, nips, report, &said) < 0;
	else if (nips)
		buf_printf(report, "!trusted relays not contained: mynetworks is unknown: %s\n", s->conf_error);
	for (size_t i = 0; i < s->st.ntargets; i++)
		if (s->st.targets[i].chosen && s->st.targets[i].kind == SUSPECT_WEB_APP)
			failed |= contain_web_app(s, s->st.targets[i].key, report, &said) < 0;
	if (said.len)
		unread_instances(s, report);
	snprintf(s->st.outcome[STEP_CONTAIN], sizeof(s->st.outcome[0]), "%s", said.len ? buf_str(&said) : "nothing run");
	buf_free(&said);
	cleanup_session_reread_conf(s);	/* what Postfix says now */
	return failed ? -1 : 0;
}

int cleanup_session_clean_plan(const struct cleanup_session *s, const struct queue_snapshot *q,
			       struct work_progress *progress, struct action_plan *plan, struct error *err)
{
	static const enum suspect_kind order[] = {SUSPECT_SASL_USER, SUSPECT_TRUSTED_RELAY, SUSPECT_WEB_APP};
	int have = 0;
	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++)
		for (size_t i = 0; i < s->st.ntargets; i++) {
			const struct cleanup_target *t = &s->st.targets[i];
			if (!t->chosen || t->kind != order[k])
				continue;
			struct selection sel;
			memset(&sel, 0, sizeof(sel));
			if (t->kind == SUSPECT_SASL_USER)
				sel.sasl_user = t->key;
			else if (t->kind == SUSPECT_TRUSTED_RELAY)
				sel.client_ip = t->key;
			else
				sel.local_uid = t->key;
			sel.progress = progress;
			struct action_plan one;
			if (action_plan_build(have ? &one : plan, ACT_DELETE, 0, &sel, q, err) < 0
			    || (have && action_plan_merge(plan, &one, err) < 0)) {
				if (have)
					action_plan_free(&one);
				action_plan_free(plan);	/* built (or zeroed) by action_plan_build */
				return -1;
			}
			if (have)
				action_plan_free(&one);
			have = 1;
		}
	return have;
}

void cleanup_session_mark_release(struct cleanup_session *s, const struct model *m, int64_t now)
{
	s->st.released = now;
	for (size_t i = 0; i < s->st.ntargets; i++) {
		const struct agg_stats *a = cleanup_target_stats(m, &s->st.targets[i]);
		s->st.targets[i].msgs_at_release = a ? a->msgs : 0;
	}
}

const struct cleanup_target *cleanup_session_sent_again(const struct cleanup_session *s, const struct model *m)
{
	for (size_t i = 0; i < s->st.ntargets; i++) {
		const struct cleanup_target *t = &s->st.targets[i];
		const struct agg_stats *a = t->chosen && t->kind != SUSPECT_BRUTE_FORCE ? cleanup_target_stats(m, t) : NULL;
		if (a && a->msgs > t->msgs_at_release)
			return t;
	}
	return NULL;
}

size_t cleanup_session_throttle_start(struct cleanup_session *s, const struct model *m, const struct queue_snapshot *q,
				      size_t batch, int seconds, int64_t now)
{
	release_throttle_free(&s->throttle);
	size_t n = release_throttle_start(&s->throttle, q, batch, seconds, now);
	snprintf(s->st.outcome[STEP_RELEASE], sizeof(s->st.outcome[0]), "throttled release of %zu held messages: %zu "
		 "every %lld s, oldest first", n, s->throttle.batch, (long long)s->throttle.interval);
	cleanup_session_mark_release(s, m, now);
	return n;
}

long cleanup_session_run(struct cleanup_session *s, struct action_plan *p, struct buf *report)
{
	struct action_outcome out;
	struct error err;
	enum action_status st = action_execute(p, s->journal, &out, &err);
	long n = st != ACTION_DONE && st != ACTION_NOT_JOURNALED ? -1
	       : p->all ? (out.reported > 0 ? out.reported : 0) : (long)out.changed.count;
	if (st != ACTION_DONE)
		buf_printf(report, "!%s: %s\n", action_name(p->action), err.msg);
	action_outcome_free(&out);	/* zeroed by action_execute whatever happened */
	return n;
}

long cleanup_session_run_all(struct cleanup_session *s, enum queue_action a, const struct queue_snapshot *q,
			     struct buf *report)
{
	struct action_plan p;
	struct selection none;
	struct error err;
	memset(&none, 0, sizeof(none));
	long n = action_plan_build(&p, a, 1, &none, q, &err) < 0 ? -1 : cleanup_session_run(s, &p, report);
	action_plan_free(&p);	/* built, or zeroed, by action_plan_build */
	return n;
}

/* hold_again - a contained source sends again: the rest stays held and the queue is held whole again */
static void hold_again(struct cleanup_session *s, const struct queue_snapshot *q, const struct cleanup_target *t,
		       struct buf *report)
{
	char why[200];
	snprintf(why, sizeof(why), "%s %.120s sent again: the queue is held again", suspect_kind_name(t->kind), t->key);
	release_throttle_stop(&s->throttle, why);
	cleanup_session_run_all(s, ACT_HOLD, q, report);
	buf_printf(report, "!Throttled release STOPPED: %s\n", why);
	snprintf(s->st.outcome[STEP_WATCH], sizeof(s->st.outcome[0]), "throttled release stopped after %zu messages: %.140s",
		 s->throttle.released, why);
}

void cleanup_session_blind(struct cleanup_session *s, const char *why, struct buf *report)
{
	size_t left = s->throttle.ids.count - s->throttle.released;
	char reason[200];
	snprintf(reason, sizeof(reason), "%.120s: the log is watched no more; the rest stays held", why);
	release_throttle_stop(&s->throttle, reason);
	buf_printf(report, "Throttled release STOPPED: %.120s: the log is watched no more; the %zu not released stay held\n",
		   why, left);
	snprintf(s->st.outcome[STEP_WATCH], sizeof(s->st.outcome[0]), "throttled release stopped after %zu messages: %.140s",
		 s->throttle.released, reason);
}

enum throttle_turn cleanup_session_tick(struct cleanup_session *s, const struct model *m,
					const struct queue_snapshot *q, int64_t now, struct buf *report)
{
	if (!s->throttle.running)
		return TURN_NONE;
	const struct cleanup_target *t = cleanup_session_sent_again(s, m);
	if (t) {
		hold_again(s, q, t, report);
		return TURN_STOPPED;
	}
	struct action_plan p;
	struct error err;
	int rc = release_throttle_due(&s->throttle, q, now, &p, &err);
	if (rc < 0)
		release_throttle_stop(&s->throttle, err.msg);
	if (rc <= 0)
		return rc < 0 ? TURN_STOPPED : TURN_NONE;
	long n = p.expected ? cleanup_session_run(s, &p, report) : 0;
	action_plan_free(&p);
	if (n < 0) {
		release_throttle_stop(&s->throttle, "a batch failed: the rest stays held");
		return TURN_STOPPED;
	}
	release_throttle_done(&s->throttle, (size_t)n);
	snprintf(s->st.outcome[STEP_WATCH], sizeof(s->st.outcome[0]), "throttled release: %zu of %zu released in %zu "
		 "batches", s->throttle.released, s->throttle.ids.count, s->throttle.batches);
	return TURN_BATCH;
}
