/*
 * contain_cmd - spamtop block|unblock --sasl-user USER | --client-ip IP |
 * --local-user USER, spamtop block --trusted-ip IP...
 *
 * As every action: what will change is shown first, --dry-run stops there,
 * the admin confirms (or gives --yes), and each step is journaled.
 * Unblocking a trusted relay is restoring main.cf's mynetworks from the
 * backup the block made (named in its output and the journal).
 */
#include "contain_cmd.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd_io.h"
#include "core/incident/cleanup.h"
#include "core/base/journal.h"
#include "core/incident/dovecot_block.h"
#include "core/incident/postfix_block.h"
#include "core/incident/submit_block.h"

#define CONTAIN_MAX_IPS 16

struct contain_opts {
	int block, dry_run, yes;
	const char *user, *host, *local, *journal;
	const char *dovecot_config;	/* --dovecot-config: doveconf's and doveadm's -c */
	const char *ips[CONTAIN_MAX_IPS];
	size_t nips;
};

static int usage(void)
{
	fputs("usage: spamtop block|unblock --sasl-user USER [--dovecot-config FILE] | --client-ip IP |\n"
	      "                       --local-user USER|UID [--dry-run] [--yes] [--journal FILE]\n"
	      "       spamtop block --trusted-ip IP... [--dry-run] [--yes] [--journal FILE]\n"
	      "       spamtop unblock --trusted-ip IP [--dry-run] [--yes] [--journal FILE]\n", stderr);
	return 2;
}

static int parse(int argc, char **argv, struct contain_opts *o)
{
	static const struct option opts[] = {
		{"sasl-user", required_argument, NULL, 'u'},
		{"trusted-ip", required_argument, NULL, 'i'},
		{"client-ip", required_argument, NULL, 'c'},
		{"local-user", required_argument, NULL, 'l'},
		{"dry-run", no_argument, NULL, 'n'},
		{"yes", no_argument, NULL, 'y'},
		{"journal", required_argument, NULL, 'J'},
		{"dovecot-config", required_argument, NULL, 'D'},
		{NULL, 0, NULL, 0},
	};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'u': o->user = optarg; break;
		case 'c': o->host = optarg; break;
		case 'l': o->local = optarg; break;
		case 'i':
			if (o->nips == CONTAIN_MAX_IPS)
				return -1;
			o->ips[o->nips++] = optarg;
			break;
		case 'n': o->dry_run = 1; break;
		case 'y': o->yes = 1; break;
		case 'J': o->journal = optarg; break;
		case 'D': o->dovecot_config = optarg; break;
		default: return -1;
		}
	}
	if (optind < argc || (o->user != NULL) + (o->host != NULL) + (o->local != NULL) + (o->nips != 0) != 1 || (!o->block && o->nips > 1)
	    || (o->dovecot_config && !o->user))
		return -1;
	if (o->journal == NULL)
		o->journal = journal_default_path();
	return 0;
}

/* go_ahead - 1 to run it: not a dry run, and --yes or the admin said yes */
static int go_ahead(const struct contain_opts *o, const char *question)
{
	if (o->dry_run) {
		puts("Dry run: nothing was changed.");
		return 0;
	}
	int yes = o->yes ? 1 : ask(question);
	if (yes < 0)
		fputs("spamtop: no terminal to confirm on; run again with --yes. Nothing was changed.\n", stderr);
	else if (!yes)
		puts("Nothing was changed.");
	return yes == 1;
}

/* confirm - 0 when there is nothing to change, or it is to run (--yes, or the admin said yes); else 3 */
static int confirm(const struct contain_opts *o, int runnable, const char *question)
{
	return runnable && !go_ahead(o, question) ? 3 : 0;
}

static void say_notes(const struct buf *notes)
{
	say_lines(stdout, notes->data ? notes->data : "", notes->len, "  ");
}

/* heading - which instance the lines below are of, when there are several */
static void heading(const struct postfix_confs *pf, const struct postfix_conf *c)
{
	if (pf->count > 1)
		printf("Instance %s (%s):\n", instance_label(&c->inst), c->config_dir);
}

/* say_dovecot - the account's block at Dovecot, as planned; nothing when Dovecot is not here */
static void say_dovecot(const struct contain_opts *o, const struct dovecot_block_plan *d)
{
	if (d->runnable) {
		printf("%s ", o->block ? "Block" : "Unblock");
		say_text(stdout, d->user);
		printf(" at Dovecot (IMAP, POP3, submission): %s its line in ", o->block ? "add" : "remove");
		say_text(stdout, d->deny_file);
		printf(", the deny passdb's file; then doveadm auth cache flush%s\n", o->block ? ", doveadm kick" : "");
	}
	say_notes(&d->notes);
}

/* apply_dovecot - the planned Dovecot block run; 1 when it failed */
static int apply_dovecot(const struct dovecot_block_plan *d, const char *journal)
{
	struct buf out = BUF_INIT, notes = BUF_INIT;
	struct error err;
	int rc = dovecot_block_apply(d, journal, &out, &notes, &err);
	if (rc < 0)
		fprintf(stderr, "spamtop: Dovecot: %s\n", err.msg);
	else
		puts("Done at Dovecot.");
	say_notes(&notes);
	buf_free(&out);
	buf_free(&notes);
	return rc < 0;
}

/* table_block - an account or a host, blocked (or unblocked) by a Postfix table in every instance;
 * an account at Dovecot too, when it has a deny passdb */
static int table_block(const struct contain_opts *o, const struct postfix_confs *pf, enum block_kind kind,
		       const char *key)
{
	struct block_plan p[INSTANCE_MAX];
	struct dovecot_block_plan d = {0};
	struct error err;
	int n = 0, runnable = 0, rc = 0;
	for (; n < pf->count; n++)
		if (block_plan_make(&pf->at[n], kind, key, o->block, &p[n], &err) < 0) {
			fprintf(stderr, "spamtop: %s\n", err.msg);
			rc = 1;
			break;
		}
	for (int i = 0; rc == 0 && i < n; i++) {
		heading(pf, &pf->at[i]);
		printf("%s ", o->block ? "Block" : "Unblock");
		say_text(stdout, key);
		printf(" in Postfix: %s its line in %s", o->block ? "add" : "remove", p[i].table);
		if (p[i].restr_change) {
			printf(";\n  %s = ", block_restriction(kind));
			say_text(stdout, buf_str(&p[i].restr_after));
			printf("\n  (main.cf copied aside first; read back after)");
		}
		puts("; then postfix reload");
		say_notes(&p[i].notes);
		runnable += p[i].runnable;
	}
	if (rc == 0 && kind == BLOCK_ACCOUNT) {
		if (dovecot_block_plan_make(o->dovecot_config, key, o->block, &d, &err) < 0) {
			fprintf(stderr, "spamtop: %s\n", err.msg);
			rc = 1;
		}
		say_dovecot(o, &d);
	}
	if (rc == 0)
		rc = confirm(o, runnable + d.runnable, o->block ? "Block it?" : "Unblock it?");
	for (int i = 0; rc == 0 && runnable && i < n; i++) {
		if (!p[i].runnable)
			continue;
		struct buf backup = BUF_INIT, out = BUF_INIT;
		if (block_apply(&pf->at[i], &p[i], o->journal, &backup, &out, &err) < 0) {
			fprintf(stderr, "spamtop: %s\n", err.msg);
			rc = 1;
		} else {
			printf("Done%s%s%s%s.\n", pf->count > 1 ? " in " : "", pf->count > 1 ? instance_label(&pf->at[i].inst) : "",
			       backup.len ? "; main.cf as it was: " : "", buf_str(&backup));
		}
		buf_free(&backup);
		buf_free(&out);
	}
	if (rc == 0 && d.runnable)	/* rc 0: confirmed; a dry run or a "no" made it 3 */
		rc = apply_dovecot(&d, o->journal);
	dovecot_block_plan_free(&d);
	for (int i = 0; i < n; i++)
		block_plan_free(&p[i]);
	return rc;
}

/* local_user - a web application's user kept from sendmail (or let back), in every instance */
static int local_user(const struct contain_opts *o, const struct postfix_confs *pf)
{
	struct submit_plan p[INSTANCE_MAX];
	struct error err;
	int n = 0, runnable = 0, rc = 0;
	for (; n < pf->count; n++)
		if (submit_plan_make(buf_str(&pf->at[n].submit_users), o->local, o->block, &p[n], &err) < 0) {
			fprintf(stderr, "spamtop: %s\n", err.msg);
			rc = 1;
			break;
		}
	if (rc == 0)
		printf("%s local user %s %s sendmail (%s; no reload needed)\n", o->block ? "Keep" : "Let", p[0].name,
		       o->block ? "from" : "use", SUBMIT_PARAM);
	for (int i = 0; rc == 0 && i < n; i++) {
		heading(pf, &pf->at[i]);
		printf("%s now:   ", SUBMIT_PARAM);
		say_text(stdout, buf_str(&p[i].before));
		if (p[i].runnable) {
			printf("\n%s after: ", SUBMIT_PARAM);
			say_text(stdout, buf_str(&p[i].after));
			puts("\n(main.cf copied aside first; one postconf -e; read back)");
		} else {
			printf("\nNothing to change: %s %s.\n", p[i].name,
			       o->block ? "is kept from sendmail already" : "is not kept from sendmail here");
		}
		runnable += p[i].runnable;
	}
	if (rc == 0)
		rc = confirm(o, runnable, o->block ? "Keep it from sendmail?" : "Let it use sendmail again?");
	for (int i = 0; rc == 0 && runnable && i < n; i++) {
		if (!p[i].runnable)
			continue;
		struct buf backup = BUF_INIT;
		if (submit_apply(&pf->at[i], &p[i], o->journal, &backup, &err) < 0) {
			fprintf(stderr, "spamtop: %s\n", err.msg);
			rc = 1;
		} else {
			printf("Done%s%s; read back; main.cf as it was: %s.\n", pf->count > 1 ? " in " : "",
			       pf->count > 1 ? instance_label(&pf->at[i].inst) : "", buf_str(&backup));
		}
		buf_free(&backup);
	}
	for (int i = 0; i < n; i++)
		submit_plan_free(&p[i]);
	return rc;
}

/* block_host - a relay inside a wider mynetworks entry of instance c: its table line, no further question */
static int block_host(const struct contain_opts *o, const struct postfix_conf *c, const char *ip)
{
	struct buf notes = BUF_INIT;
	struct error err;
	int rc = block_now(c, BLOCK_HOST, ip, o->journal, &notes, &err);
	say_notes(&notes);
	buf_free(&notes);
	if (rc < 0)
		fprintf(stderr, "spamtop: %s not blocked: %s\n", ip, err.msg);
	else
		printf("%s blocked in Postfix (check_client_access; spamtop unblock --client-ip %s undoes it).\n", ip, ip);
	return rc < 0;
}

/* say_relay_plan - one instance's mynetworks edit, now and after */
static void say_relay_plan(const struct postfix_confs *pf, const struct postfix_conf *c, const struct mynetworks_plan *p)
{
	heading(pf, c);
	say_notes(&p->notes);
	printf("mynetworks now:   ");
	say_text(stdout, buf_str(&p->before));
	if (p->runnable) {
		printf("\nmynetworks after: ");
		say_text(stdout, buf_str(&p->after));
		puts("\n(main.cf copied aside first; one postconf -e; read back; then postfix reload)");
	} else {
		puts("\nNothing to drop from mynetworks.");
	}
	for (size_t i = 0; i < p->nwider; i++)
		printf("Block %s in Postfix: a line in %s/%s, check_client_access at the front of %s\n", p->wider[i],
		       c->config_dir, block_table_name(BLOCK_HOST), block_restriction(BLOCK_HOST));
}

/* relay_plans_run - each instance's mynetworks edit (then its host blocks), once the admin agreed */
static int relay_plans_run(const struct contain_opts *o, const struct postfix_conf *const where[],
			   const struct mynetworks_plan p[], int n, const char *question)
{
	int todo = 0;
	for (int i = 0; i < n; i++)
		todo += p[i].runnable || p[i].nwider;
	if (todo == 0)
		return 1;
	if (!go_ahead(o, question))
		return 3;
	int rc = 0;
	for (int i = 0; i < n; i++) {
		struct buf backup = BUF_INIT, out = BUF_INIT;
		struct error err;
		if (p[i].runnable && cleanup_mynetworks_apply(where[i], &p[i], o->journal, &backup, &out, &err) < 0) {
			fprintf(stderr, "spamtop: %s\n", err.msg);
			rc = 1;
		} else if (p[i].runnable) {
			printf("Done%s%s; read back; main.cf as it was: %s (to undo: spamtop unblock --trusted-ip).\n",
			       where[i]->inst.config_dir[0] ? " in " : "", where[i]->inst.name, buf_str(&backup));
		}
		for (size_t k = 0; rc == 0 && k < p[i].nwider; k++)
			rc |= block_host(o, where[i], p[i].wider[k]);
		buf_free(&backup);
		buf_free(&out);
	}
	return rc;
}

/* relays - the trusted relays dropped from mynetworks of every instance that trusts one */
static int relays(const struct contain_opts *o, const struct postfix_confs *pf)
{
	const struct postfix_conf *where[INSTANCE_MAX];
	struct mynetworks_plan p[INSTANCE_MAX];
	int k = cleanup_relay_instances(pf, o->ips, o->nips, where), n = 0, rc = 0;
	for (; n < k; n++) {
		struct error err;
		if (cleanup_mynetworks_plan(where[n], o->ips, o->nips, &p[n], &err) < 0) {
			fprintf(stderr, "spamtop: mynetworks cannot be edited: %s\n", err.msg);
			rc = 1;
			break;
		}
		say_relay_plan(pf, where[n], &p[n]);
	}
	if (rc == 0)
		rc = relay_plans_run(o, where, p, n, "Contain these trusted relays?");
	for (int i = 0; i < n; i++)
		mynetworks_plan_free(&p[i]);
	return rc;
}

/* unrelay - mynetworks back to its value before the journaled edit that
 * dropped the IP, in each instance it was dropped from; nothing changes if
 * one of them cannot be restored */
static int unrelay(const struct contain_opts *o, const struct postfix_confs *pf)
{
	const struct postfix_conf *where[INSTANCE_MAX];
	struct mynetworks_plan p[INSTANCE_MAX];
	struct error err, why = {""};
	int n = 0, refused = 0;
	for (int i = 0; i < pf->count && !refused; i++) {
		if (cleanup_mynetworks_undo_plan(&pf->at[i], o->ips[0], o->journal, &p[n], &err) == 0) {
			where[n++] = &pf->at[i];
			continue;
		}
		refused = strstr(err.msg, "has no mynetworks edit") == NULL;	/* not an instance it was dropped from */
		if (refused || why.msg[0] == 0)
			why = err;
	}
	int rc = 1;
	if (refused || n == 0)
		fprintf(stderr, "spamtop: %s\n", why.msg);
	else {
		for (int i = 0; i < n; i++)
			say_relay_plan(pf, where[i], &p[i]);
		rc = relay_plans_run(o, where, p, n, "Restore mynetworks?");
	}
	for (int i = 0; i < n; i++)
		mynetworks_plan_free(&p[i]);
	return rc;
}

int contain_command(int argc, char **argv)
{
	struct contain_opts o;
	memset(&o, 0, sizeof(o));
	if (strcmp(argv[0], "block") == 0)
		o.block = 1;
	else if (strcmp(argv[0], "unblock") != 0)
		return CONTAIN_NOT_A_COMMAND;
	if (parse(argc, argv, &o) < 0)
		return usage();
	static struct postfix_confs pf;
	struct error err;
	if (postfix_confs_read(&pf, NULL, &err) < 0) {
		fprintf(stderr, "spamtop: %s\n", err.msg);
		return 1;
	}
	say_lines(stderr, pf.unread.data ? pf.unread.data : "", pf.unread.len, "spamtop: instance not read, left as it is: ");
	int rc = o.user ? table_block(&o, &pf, BLOCK_ACCOUNT, o.user)
		 : o.host ? table_block(&o, &pf, BLOCK_HOST, o.host)
		 : o.local ? local_user(&o, &pf) : o.block ? relays(&o, &pf) : unrelay(&o, &pf);
	postfix_confs_free(&pf);
	return rc;
}
