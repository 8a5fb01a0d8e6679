/*
 * cleanup_plan - every step's findings and commands, as text (see
 * cleanup_plan.h).
 */
#include "core/incident/cleanup_plan.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

#include "core/incident/postfix_block.h"
#include "core/model/aggview.h"
#include "core/model/detect.h"
#include "core/base/sanitize.h"
#include "core/base/spawn.h"
#include "core/incident/submit_block.h"

/* put - log text, with control characters made visible */
static void put(FILE *f, const char *s, size_t len)
{
	struct buf b = BUF_INIT;
	sanitize_text(&b, s, len);
	fwrite(b.data ? b.data : "", 1, b.len, f);
	buf_free(&b);
}

static void put_str(FILE *f, const char *s) { put(f, s, strlen(s)); }

static void put_argv(FILE *f, char *const argv[])
{
	struct buf b = BUF_INIT;
	spawn_describe(argv, &b);
	put(f, b.data ? b.data : "", b.len);
	buf_free(&b);
}

static void step_hold(FILE *f, const struct cleanup_plan_input *in)
{
	fprintf(f, "Step 1 of 6: %s\n", cleanup_step_title(STEP_HOLD));
	if (in->q)
		fprintf(f, "  queue: %zu messages: incoming %zu, active %zu, deferred %zu, hold %zu\n", in->q->count,
			in->q->by_queue[QN_INCOMING], in->q->by_queue[QN_ACTIVE], in->q->by_queue[QN_DEFERRED],
			in->q->by_queue[QN_HOLD]);
	else
		fprintf(f, "  queue: not read (%s)\n", in->queue_error ? in->queue_error : "--no-queue");
	fputs("  command: postsuper -h ALL (each Postfix instance: postsuper -c DIR -h ALL)\n\n", f);
}

static void step_read(FILE *f, const struct cleanup_plan_input *in)
{
	const struct model_totals *t = model_totals(in->m);
	fprintf(f, "Step 2 of 6: %s\n", cleanup_step_title(STEP_READ));
	fprintf(f, "  messages in the log: %llu; with the null sender from=<>: %llu\n", (unsigned long long)t->messages,
		(unsigned long long)t->null_sender);
	const struct agg_stats *top[64];
	size_t n = agg_top(in->m, AGG_DOMAIN, F_MSGS, 1, top, 64), shown = 0;
	fputs("  sender domains that are not ours:", f);
	for (size_t i = 0; i < n && shown < 8; i++) {
		if (top[i]->key->len == 0 || (in->pf && domain_list_has(&in->pf->at[0].ours, top[i]->key->s, top[i]->key->len)))
			continue;
		fprintf(f, "%s%u ", shown++ ? ", " : " ", top[i]->msgs);
		put(f, top[i]->key->s, top[i]->key->len);
	}
	fputs(shown ? "\n" : " none\n", f);
	if (in->pf == NULL)
		fprintf(f, "  (which domains are ours is unknown: %s)\n", in->conf_error ? in->conf_error : "no postconf");
	fputc('\n', f);
}

static void step_identify(FILE *f, const struct cleanup_plan_input *in)
{
	struct cleanup_state *st = in->st;
	fprintf(f, "Step 3 of 6: %s\n", cleanup_step_title(STEP_IDENTIFY));
	if (!st->targets_set)
		cleanup_targets_from_suspects(st, in->sus, in->nsus);
	if (st->ntargets == 0)
		fputs("  no suspect crossed its threshold\n", f);
	for (size_t i = 0; i < st->ntargets; i++) {
		fprintf(f, "  [%c] %s ", st->targets[i].chosen ? 'x' : ' ', suspect_kind_name(st->targets[i].kind));
		put_str(f, st->targets[i].key);
		fputc('\n', f);
		for (size_t k = 0; k < in->nsus; k++) {
			const struct istr *key = in->sus[k].agg->key;
			if (in->sus[k].kind != st->targets[i].kind || key->len != strlen(st->targets[i].key)
			    || memcmp(key->s, st->targets[i].key, key->len) != 0)
				continue;
			for (int r = 0; r < in->sus[k].nreasons; r++) {
				fputs("      - ", f);
				put_str(f, in->sus[k].reasons[r]);
				fputc('\n', f);
			}
		}
	}
	fputc('\n', f);
}

/* dash_c - " -c DIR" for c's instance, "" for the default one: as its commands are run */
static const char *dash_c(const struct postfix_conf *c, char out[300])
{
	snprintf(out, 300, "%s%s", c->inst.config_dir[0] ? " -c " : "", c->inst.config_dir);
	return out;
}

static void contain_account(FILE *f, const struct cleanup_plan_input *in, const char *user)
{
	fputs("  account ", f);
	put_str(f, user);
	fputc('\n', f);
	char storage[1024], *argv[16];
	struct error err;
	if (in->disable_cmd && cleanup_account_argv(in->disable_cmd, user, storage, sizeof(storage), argv, 16, &err) > 0) {
		fputs("    command: ", f);
		put_argv(f, argv);
		fputc('\n', f);
	} else if (in->disable_cmd) {
		fputs("    --disable-cmd not run: ", f);
		put_str(f, err.msg);
		fputc('\n', f);
	}
	fputs("    by hand: change its password, then end its sessions (doveadm kick, bm-cli user logout)\n", f);
	for (int i = 0; in->pf && i < in->pf->count; i++) {
		char label[80], dc[300];
		const struct postfix_conf *c = &in->pf->at[i];
		fprintf(f, "    %sblock in Postfix: a line in %s/%s, checked at the front of %s; postfix%s reload\n",
			postfix_conf_label(in->pf, c, label, sizeof(label)), c->config_dir, block_table_name(BLOCK_ACCOUNT),
			block_restriction(BLOCK_ACCOUNT), dash_c(c, dc));
	}
	fputs("    block at Dovecot, when it has a deny passdb (doveconf -n): a line in its file; doveadm auth cache "
	      "flush, kick\n", f);
	const struct agg_stats *a = in->m ? model_agg_find(in->m, AGG_SASL_USER, user, strlen(user)) : NULL;
	if (a && a->proxied)
		fprintf(f, "    it also sent %u messages through Dovecot's submission service, which takes its AUTH:\n"
			"    Postfix's block does not stop those; the block at Dovecot does\n", a->proxied);
	struct detect_thresholds th;
	detect_thresholds_default(&th);
	const char *guessed = detect_guessed_at(a, th.failures);
	if (guessed && addr_is_local_loopback(guessed))	/* a webmail on this server: not an address to block */
		fprintf(f, "    its password was probably guessed through %s, this machine (%u failed logins, then its "
			"login):\n    a webmail or another local service; its own log names the address to block\n",
			guessed, a->failures_before_login);
	else if (guessed)
		fprintf(f, "    its password was probably guessed at %s (%u failed logins there, then its login):\n"
			"    block that address too (spamtop block --host %s; at Dovecot and the firewall for IMAP)\n",
			guessed, a->failures_before_login, guessed);
}

/* put_notes - a plan's notes, indented, the instance's label first */
static void put_notes(FILE *f, const char *label, const struct buf *notes)
{
	for (const char *p = notes->data ? notes->data : ""; *p;) {
		size_t len = strcspn(p, "\n");
		fprintf(f, "    %s", label);
		put(f, p, len);
		fputc('\n', f);
		p += len + (p[len] == '\n');
	}
}

/* relays_in - the mynetworks edit of one instance, now and after */
static void relays_in(FILE *f, const struct cleanup_plan_input *in, const struct postfix_conf *c, const char **ips,
		      size_t n)
{
	char label[80], dc[300];
	postfix_conf_label(in->pf, c, label, sizeof(label));
	struct mynetworks_plan plan;
	struct error err;
	if (cleanup_mynetworks_plan(c, ips, n, &plan, &err) < 0) {
		fprintf(f, "    %smynetworks cannot be edited: ", label);
		put_str(f, err.msg);
		fputc('\n', f);
		return;
	}
	put_notes(f, label, &plan.notes);
	fprintf(f, "    %smynetworks now:   ", label);
	put_str(f, buf_str(&plan.before));
	fputc('\n', f);
	if (plan.runnable) {
		fprintf(f, "    %smynetworks after: ", label);
		put_str(f, buf_str(&plan.after));
		fprintf(f, "\n    %scommands: copy %s/main.cf aside; postconf%s -e 'mynetworks = ", label, c->config_dir,
			dash_c(c, dc));
		put_str(f, buf_str(&plan.after));
		fprintf(f, "'; read it back; postfix%s reload\n", dash_c(c, dc));
	}
	mynetworks_plan_free(&plan);
}

static void contain_relays(FILE *f, const struct cleanup_plan_input *in, const char **ips, size_t n)
{
	fputs("  trusted relays:", f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, " %s", ips[i]);	/* client IPs: addresses, checked by the model */
	fputc('\n', f);
	if (in->pf == NULL) {
		fprintf(f, "    mynetworks is unknown: %s\n", in->conf_error ? in->conf_error : "no postconf");
		return;
	}
	const struct postfix_conf *where[INSTANCE_MAX];
	int k = cleanup_relay_instances(in->pf, ips, n, where);
	for (int i = 0; i < k; i++)
		relays_in(f, in, where[i], ips, n);
}

/* web_app_in - authorized_submit_users of one instance, now and after */
static void web_app_in(FILE *f, const struct cleanup_plan_input *in, const struct postfix_conf *c, const char *uid)
{
	char label[80], dc[300];
	postfix_conf_label(in->pf, c, label, sizeof(label));
	struct submit_plan p;
	struct error err;
	if (submit_plan_make(buf_str(&c->submit_users), uid, 1, &p, &err) < 0) {
		fprintf(f, "    %scannot: ", label);
		put_str(f, err.msg);
		fputc('\n', f);
		return;
	}
	fprintf(f, "    %s%s now:   ", label, SUBMIT_PARAM);
	put_str(f, buf_str(&p.before));
	if (p.runnable) {
		fprintf(f, "\n    %s%s after: ", label, SUBMIT_PARAM);
		put_str(f, buf_str(&p.after));
		fprintf(f, "\n    %scommands: copy %s/main.cf aside; postconf%s -e '%s = ", label, c->config_dir,
			dash_c(c, dc), SUBMIT_PARAM);
		put_str(f, buf_str(&p.after));
		fputs("'; read it back (sendmail reads it each time: no reload)\n", f);
	} else {
		fprintf(f, "\n    %s%s is kept from sendmail already\n", label, p.name);
	}
	submit_plan_free(&p);
}

/* contain_web_app - its user kept from sendmail: authorized_submit_users now and after, in every instance */
static void contain_web_app(FILE *f, const struct cleanup_plan_input *in, const char *uid)
{
	fputs("  web application uid ", f);
	put_str(f, uid);	/* the state file's text: sanitized like every key */
	fputs(": find and stop the script; and keep its user from sendmail\n", f);
	if (in->pf == NULL) {
		fputs("    cannot: ", f);
		put_str(f, in->conf_error);
		fputc('\n', f);
		return;
	}
	for (int i = 0; i < in->pf->count; i++)
		web_app_in(f, in, &in->pf->at[i], uid);
}

static void step_contain(FILE *f, const struct cleanup_plan_input *in)
{
	const struct cleanup_state *st = in->st;
	const char *ips[CLEANUP_MAX_TARGETS];
	size_t nips = 0, shown = 0;
	fprintf(f, "Step 4 of 6: %s\n", cleanup_step_title(STEP_CONTAIN));
	for (size_t i = 0; i < st->ntargets; i++) {
		const struct cleanup_target *t = &st->targets[i];
		if (!t->chosen || t->kind == SUSPECT_BRUTE_FORCE)
			continue;
		shown++;
		if (t->kind == SUSPECT_SASL_USER)
			contain_account(f, in, t->key);
		else if (t->kind == SUSPECT_TRUSTED_RELAY)
			ips[nips++] = t->key;
		else if (t->kind == SUSPECT_WEB_APP)
			contain_web_app(f, in, t->key);
	}
	if (nips)
		contain_relays(f, in, ips, nips);
	if (shown == 0)
		fputs("  nothing marked to contain\n", f);
	fputc('\n', f);
}

static void step_clean(FILE *f, const struct cleanup_plan_input *in)
{
	fprintf(f, "Step 5 of 6: %s\n", cleanup_step_title(STEP_CLEAN));
	if (in->q == NULL) {
		fputs("  the queue was not read\n\n", f);
		return;
	}
	size_t count = 0, bytes = 0;
	for (size_t i = 0; i < in->q->count; i++)
		for (size_t k = 0; k < in->st->ntargets; k++)
			if (cleanup_target_owns(&in->st->targets[k], &in->q->msgs[i])) {
				count++;
				bytes += in->q->msgs[i].size;
				break;
			}
	fprintf(f, "  the marked suspects' queued messages (by the log): %zu, %zu bytes\n", count, bytes);
	size_t unlogged = queue_unlogged_count(in->q);
	if (unlogged)	/* queued before the log began: the plan reads their files */
		fprintf(f, "  queued messages the log does not know: %zu; their files are read when the plan is built, "
			"and those of the marked suspects join it\n", unlogged);
	fputs("  command: postsuper -d - (their queue IDs on its standard input, each confirmed from its queue file "
	      "first); or keep them held\n\n", f);
}

int cleanup_plan_write(FILE *f, struct cleanup_plan_input *in, struct error *err)
{
	step_hold(f, in);
	step_read(f, in);
	step_identify(f, in);
	step_contain(f, in);
	step_clean(f, in);
	fprintf(f, "Step 6 of 6: %s\n  command: postsuper -H ALL; then watch the contained sources\n",
		cleanup_step_title(STEP_RELEASE));
	if (fflush(f) == EOF || ferror(f)) {
		error_errno(err, errno, "cannot write the cleanup plan");
		return -1;
	}
	return 0;
}
