/*
 * contain_text - step 4's words, a line at a time (see contain_text.h).
 */
#include "core/incident/contain_text.h"

#include <stdarg.h>
#include <string.h>

#include "core/base/addr.h"
#include "core/base/spawn.h"
#include "core/incident/postfix_block.h"
#include "core/incident/submit_block.h"

struct out {
	contain_line_fn *fn;
	void *arg;
	int runnable;
};

static void say(struct out *o, enum contain_line kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void say(struct out *o, enum contain_line kind, const char *fmt, ...)
{
	struct buf line = BUF_INIT;	/* a 200-entry mynetworks is one line */
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&line, fmt, ap);
	va_end(ap);
	o->fn(kind, buf_str(&line), o->arg);
	buf_free(&line);
}

/* dash_c - " -c DIR" for c's instance, "" for the default one: as its commands are run */
static const char *dash_c(const struct postfix_conf *c, char out[300])
{
	snprintf(out, 300, "%s%s", c->inst.config_dir[0] ? " -c " : "", c->inst.config_dir);
	return out;
}

static void disable_command(struct out *o, const char *template, const char *user)
{
	char storage[1024], *argv[16];
	struct error err;
	if (template && cleanup_account_argv(template, user, storage, sizeof(storage), argv, 16, &err) > 0) {
		struct buf b = BUF_INIT;
		spawn_describe(argv, &b);
		say(o, CL_TEXT, "command: %s", buf_str(&b));
		buf_free(&b);
		o->runnable++;
	} else if (template) {
		say(o, CL_ALERT, "--disable-cmd not run: %s", err.msg);
	}
}

/* guessed_at - where the account's password was guessed, as the log shows it */
static void guessed_at(struct out *o, const struct agg_stats *a, const struct detect_thresholds *th)
{
	struct detect_thresholds defaults;
	if (th == NULL) {
		detect_thresholds_default(&defaults);
		th = &defaults;
	}
	const char *guessed = detect_guessed_at(a, th->failures);
	if (guessed && addr_is_local_loopback(guessed)) {	/* a webmail on this server: not an address to block */
		say(o, CL_ALERT, "its password was probably guessed through %s, this machine (%u failed logins, then "
		    "its login):", guessed, a->failures_before_login);
		say(o, CL_ALERT, "a webmail or another local service; its own log names the address to block");
	} else if (guessed) {
		say(o, CL_ALERT, "its password was probably guessed at %s (%u failed logins there, then its login):",
		    guessed, a->failures_before_login);
		say(o, CL_ALERT, "block that address too (spamtop block --host %s; at Dovecot and the firewall for IMAP)",
		    guessed);
	}
}

static void account(struct out *o, const struct contain_text_input *in, const char *user)
{
	say(o, CL_HEADING, "account %s", user);
	disable_command(o, in->disable_cmd, user);
	for (int i = 0; in->pf && i < in->pf->count; i++) {
		char label[80], dc[300];
		const struct postfix_conf *c = &in->pf->at[i];
		say(o, CL_TEXT, "%sblock in Postfix: a line in %s/%s, checked at the front of %s; postfix%s reload",
		    postfix_conf_label(in->pf, c, label, sizeof(label)), c->config_dir, block_table_name(BLOCK_ACCOUNT),
		    block_restriction(BLOCK_ACCOUNT), dash_c(c, dc));
	}
	if (in->pf == NULL)
		say(o, CL_ALERT, "cannot block it in Postfix here: %s", in->conf_error ? in->conf_error : "no postconf");
	o->runnable++;	/* Postfix's block, Dovecot's: each is tried */
	say(o, CL_TEXT, "it can still log in to read mail; block at Dovecot, when it has a deny passdb (doveconf -n):");
	say(o, CL_TEXT, "a line in its file; doveadm auth cache flush, kick: its logins fail there");
	const struct agg_stats *a = in->m ? model_agg_find(in->m, AGG_SASL_USER, user, strlen(user)) : NULL;
	if (a && a->proxied) {
		say(o, CL_ALERT, "it also sent %u messages through Dovecot's submission service, which takes its AUTH:",
		    a->proxied);
		say(o, CL_ALERT, "Postfix's block does not stop those; the block at Dovecot does");
	}
	guessed_at(o, a, in->th);
	say(o, CL_TEXT, "by hand: change its password in the mail server or the directory, then end its sessions");
	say(o, CL_TEXT, "(doveadm kick %s, bm-cli user logout %s)", user, user);
}

/* web_app_in - its user kept from the sendmail of one instance: the value now and after */
static void web_app_in(struct out *o, const struct contain_text_input *in, const struct postfix_conf *c,
		       const char *uid)
{
	char label[80], dc[300];
	postfix_conf_label(in->pf, c, label, sizeof(label));
	struct submit_plan p;
	struct error err;
	if (submit_plan_make(buf_str(&c->submit_users), uid, 1, &p, &err) < 0) {
		say(o, CL_ALERT, "%sits user cannot be kept from sendmail here: %s", label, err.msg);
		return;
	}
	say(o, CL_TEXT, "%s%s now:   %s", label, SUBMIT_PARAM, buf_str(&p.before));
	if (p.runnable) {
		say(o, CL_TEXT, "%s%s after: %s", label, SUBMIT_PARAM, buf_str(&p.after));
		say(o, CL_TEXT, "%scommands: copy %s/main.cf aside; postconf%s -e '%s = %s'; read it back (sendmail "
		    "reads it each time: no reload)", label, c->config_dir, dash_c(c, dc), SUBMIT_PARAM, buf_str(&p.after));
		o->runnable++;
	} else {
		say(o, CL_TEXT, "%s%s is kept from sendmail already", label, p.name);
	}
	submit_plan_free(&p);
}

static void web_app(struct out *o, const struct contain_text_input *in, const char *uid)
{
	char name[64];
	struct error err;
	int known = submit_user_name(uid, name, sizeof(name), &err) == 0;
	say(o, CL_HEADING, "web application uid %s: find and stop the script; and keep its user from sendmail", uid);
	say(o, CL_TEXT, "its user here: %s; find the script: ps -u %s -f; the web server's access log at the", known ? name : "none", uid);
	say(o, CL_TEXT, "burst's minutes (POST requests); the X-PHP-Originating-Script header of its queued mail");
	if (in->pf == NULL) {
		say(o, CL_ALERT, "its user cannot be kept from sendmail here: %s", in->conf_error ? in->conf_error : "no postconf");
		return;
	}
	for (int i = 0; i < in->pf->count; i++)
		web_app_in(o, in, &in->pf->at[i], uid);
}

/* relays_in - the one mynetworks edit of an instance for every chosen trusted relay */
static void relays_in(struct out *o, const struct contain_text_input *in, const struct postfix_conf *c,
		      const char **ips, size_t n)
{
	char label[80], dc[300];
	postfix_conf_label(in->pf, c, label, sizeof(label));
	struct mynetworks_plan plan;
	struct error err;
	if (cleanup_mynetworks_plan(c, ips, n, &plan, &err) < 0) {
		say(o, CL_ALERT, "%smynetworks cannot be edited: %s", label, err.msg);
		return;
	}
	for (const char *q = buf_str(&plan.notes); *q;) {
		size_t len = strcspn(q, "\n");
		say(o, CL_TEXT, "%s%.*s", label, (int)len, q);
		q += len + (q[len] == '\n');
	}
	say(o, CL_TEXT, "%smynetworks now:   %s", label, buf_str(&plan.before));
	if (plan.runnable) {
		say(o, CL_TEXT, "%smynetworks after: %s", label, buf_str(&plan.after));
		say(o, CL_TEXT, "%scommands: copy %s/main.cf aside; postconf%s -e 'mynetworks = %s'; read it back; "
		    "postfix%s reload", label, c->config_dir, dash_c(c, dc), buf_str(&plan.after), dash_c(c, dc));
		o->runnable++;
	}
	for (size_t i = 0; i < plan.nwider; i++) {
		say(o, CL_TEXT, "%sblock %s in Postfix: a line in %s/%s, checked at the front of %s", label, plan.wider[i],
		    c->config_dir, block_table_name(BLOCK_HOST), block_restriction(BLOCK_HOST));
		o->runnable++;
	}
	mynetworks_plan_free(&plan);
}

static void relays(struct out *o, const struct contain_text_input *in, const char **ips, size_t n)
{
	struct buf line = BUF_INIT;
	buf_puts(&line, "trusted relays:");
	for (size_t i = 0; i < n; i++)
		buf_printf(&line, " %s", ips[i]);
	say(o, CL_HEADING, "%s", buf_str(&line));
	buf_free(&line);
	if (in->pf == NULL) {
		say(o, CL_ALERT, "mynetworks is unknown: %s", in->conf_error ? in->conf_error : "no postconf");
		return;
	}
	const struct postfix_conf *where[INSTANCE_MAX];
	int k = cleanup_relay_instances(in->pf, ips, n, where);
	for (int i = 0; i < k; i++)
		relays_in(o, in, where[i], ips, n);
}

int contain_text(const struct contain_text_input *in, contain_line_fn *fn, void *arg, int *runnable)
{
	struct out o = {fn, arg, 0};
	const char *ips[CLEANUP_MAX_TARGETS];
	size_t nips = 0;
	int shown = 0;
	for (size_t i = 0; i < in->st->ntargets; i++) {
		const struct cleanup_target *t = &in->st->targets[i];
		if (!t->chosen || t->kind == SUSPECT_BRUTE_FORCE)
			continue;
		shown++;
		if (t->kind == SUSPECT_SASL_USER)
			account(&o, in, t->key);
		else if (t->kind == SUSPECT_WEB_APP)
			web_app(&o, in, t->key);
		else if (t->kind == SUSPECT_TRUSTED_RELAY)
			ips[nips++] = t->key;
	}
	if (nips)
		relays(&o, in, ips, nips);
	*runnable = o.runnable;
	return shown;
}
