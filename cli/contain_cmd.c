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
#include "core/incident/postfix_block.h"
#include "core/incident/submit_block.h"

#define CONTAIN_MAX_IPS 16

struct contain_opts {
	int block, dry_run, yes;
	const char *user, *host, *local, *journal;
	const char *ips[CONTAIN_MAX_IPS];
	size_t nips;
};

static int usage(void)
{
	fputs("usage: spamtop block|unblock --sasl-user USER | --client-ip IP | --local-user USER|UID\n"
	      "                       [--dry-run] [--yes] [--journal FILE]\n"
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
		default: return -1;
		}
	}
	if (optind < argc || (o->user != NULL) + (o->host != NULL) + (o->local != NULL) + (o->nips != 0) != 1 || (!o->block && o->nips > 1))
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

static void say_notes(const struct buf *notes)
{
	say_lines(stdout, notes->data ? notes->data : "", notes->len, "  ");
}

/* table_block - an account or a host, blocked (or unblocked) by a Postfix table */
static int table_block(const struct contain_opts *o, const struct postfix_conf *conf, enum block_kind kind,
		       const char *key)
{
	struct block_plan p;
	struct error err;
	if (block_plan_make(conf->config_dir, kind, key, o->block, &p, &err) < 0) {
		fprintf(stderr, "spamtop: %s\n", err.msg);
		return 1;
	}
	printf("%s ", o->block ? "Block" : "Unblock");
	say_text(stdout, key);
	printf(" in Postfix: %s its line in %s", o->block ? "add" : "remove", p.table);
	if (p.restr_change) {
		printf(";\n  %s = ", block_restriction(kind));
		say_text(stdout, buf_str(&p.restr_after));
		printf("\n  (main.cf copied aside first; read back after)");
	}
	puts("; then postfix reload");
	say_notes(&p.notes);
	int rc = p.runnable ? 3 : 0;
	if (p.runnable && go_ahead(o, o->block ? "Block it?" : "Unblock it?")) {
		struct buf backup = BUF_INIT, out = BUF_INIT;
		rc = block_apply(conf->config_dir, &p, o->journal, &backup, &out, &err) < 0;
		if (rc)
			fprintf(stderr, "spamtop: %s\n", err.msg);
		else
			printf("Done%s%s.\n", backup.len ? "; main.cf as it was: " : "", buf_str(&backup));
		buf_free(&backup);
		buf_free(&out);
	}
	block_plan_free(&p);
	return rc;
}

/* local_user - a web application's user kept from sendmail (or let back) */
static int local_user(const struct contain_opts *o, const struct postfix_conf *conf)
{
	struct submit_plan p;
	struct error err;
	if (submit_plan_make(buf_str(&conf->submit_users), o->local, o->block, &p, &err) < 0) {
		fprintf(stderr, "spamtop: %s\n", err.msg);
		return 1;
	}
	printf("%s local user %s %s sendmail (%s; no reload needed)\n", o->block ? "Keep" : "Let", p.name,
	       o->block ? "from" : "use", SUBMIT_PARAM);
	printf("%s now:   ", SUBMIT_PARAM);
	say_text(stdout, buf_str(&p.before));
	if (p.runnable) {
		printf("\n%s after: ", SUBMIT_PARAM);
		say_text(stdout, buf_str(&p.after));
		puts("\n(main.cf copied aside first; one postconf -e; read back)");
	} else {
		printf("\nNothing to change: %s %s.\n", p.name,
		       o->block ? "is kept from sendmail already" : "is not kept from sendmail here");
	}
	int rc = p.runnable ? 3 : 0;
	if (p.runnable && go_ahead(o, o->block ? "Keep it from sendmail?" : "Let it use sendmail again?")) {
		struct buf backup = BUF_INIT;
		rc = submit_apply(conf->config_dir, &p, o->journal, &backup, &err) < 0;
		if (rc)
			fprintf(stderr, "spamtop: %s\n", err.msg);
		else
			printf("Done; read back; main.cf as it was: %s.\n", buf_str(&backup));
		buf_free(&backup);
	}
	submit_plan_free(&p);
	return rc;
}

/* block_host - a relay inside a wider mynetworks entry: its table line, no further question */
static int block_host(const struct contain_opts *o, const struct postfix_conf *conf, const char *ip)
{
	struct buf notes = BUF_INIT;
	struct error err;
	int rc = block_now(conf->config_dir, BLOCK_HOST, ip, o->journal, &notes, &err);
	say_notes(&notes);
	buf_free(&notes);
	if (rc < 0)
		fprintf(stderr, "spamtop: %s not blocked: %s\n", ip, err.msg);
	else
		printf("%s blocked in Postfix (check_client_access; spamtop unblock --client-ip %s undoes it).\n", ip, ip);
	return rc < 0;
}

static int relays(const struct contain_opts *o, const struct postfix_conf *conf)
{
	struct mynetworks_plan p;
	struct error err;
	if (cleanup_mynetworks_plan(conf, o->ips, o->nips, &p, &err) < 0) {
		fprintf(stderr, "spamtop: mynetworks cannot be edited: %s\n", err.msg);
		return 1;
	}
	say_notes(&p.notes);
	printf("mynetworks now:   ");
	say_text(stdout, buf_str(&p.before));
	if (p.runnable) {
		printf("\nmynetworks after: ");
		say_text(stdout, buf_str(&p.after));
		puts("\n(main.cf copied aside first; one postconf -e; read back; then postfix reload)");
	} else {
		puts("\nNothing to drop from mynetworks.");
	}
	for (size_t i = 0; i < p.nwider; i++)
		printf("Block %s in Postfix: a line in %s/%s, check_client_access at the front of %s\n", p.wider[i],
		       conf->config_dir, block_table_name(BLOCK_HOST), block_restriction(BLOCK_HOST));
	int rc = p.runnable || p.nwider ? 3 : 1;
	if (rc == 3 && go_ahead(o, "Contain these trusted relays?")) {
		struct buf backup = BUF_INIT, out = BUF_INIT;
		rc = p.runnable && cleanup_mynetworks_apply(conf, &p, o->journal, &backup, &out, &err) < 0;
		if (rc)
			fprintf(stderr, "spamtop: %s\n", err.msg);
		else if (p.runnable)
			printf("Done; read back; main.cf as it was: %s (to undo: copy it back, postfix reload).\n",
			       buf_str(&backup));
		for (size_t i = 0; rc == 0 && i < p.nwider; i++)
			rc |= block_host(o, conf, p.wider[i]);
		buf_free(&backup);
		buf_free(&out);
	}
	mynetworks_plan_free(&p);
	return rc;
}

/* unrelay - mynetworks back to its value before the journaled edit that dropped the IP */
static int unrelay(const struct contain_opts *o, const struct postfix_conf *conf)
{
	struct mynetworks_plan p;
	struct error err;
	if (cleanup_mynetworks_undo_plan(conf, o->ips[0], o->journal, &p, &err) < 0) {
		fprintf(stderr, "spamtop: %s\n", err.msg);
		return 1;
	}
	say_notes(&p.notes);
	printf("mynetworks now:   ");
	say_text(stdout, buf_str(&p.before));
	printf("\nmynetworks after: ");
	say_text(stdout, buf_str(&p.after));
	puts("\n(main.cf copied aside first; one postconf -e; read back; then postfix reload)");
	int rc = 3;
	if (go_ahead(o, "Restore mynetworks?")) {
		struct buf backup = BUF_INIT, out = BUF_INIT;
		rc = cleanup_mynetworks_apply(conf, &p, o->journal, &backup, &out, &err) < 0;
		if (rc)
			fprintf(stderr, "spamtop: %s\n", err.msg);
		else
			printf("Done; read back; main.cf before the undo: %s.\n", buf_str(&backup));
		buf_free(&backup);
		buf_free(&out);
	}
	mynetworks_plan_free(&p);
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
	struct postfix_conf conf;
	struct error err;
	if (postfix_conf_read(&conf, NULL, &err) < 0) {
		fprintf(stderr, "spamtop: %s\n", err.msg);
		postfix_conf_free(&conf);
		return 1;
	}
	int rc = o.user ? table_block(&o, &conf, BLOCK_ACCOUNT, o.user)
		 : o.host ? table_block(&o, &conf, BLOCK_HOST, o.host)
		 : o.local ? local_user(&o, &conf) : o.block ? relays(&o, &conf) : unrelay(&o, &conf);
	postfix_conf_free(&conf);
	return rc;
}
