/*
 * contain_cmd - spamtop block|unblock --sasl-user USER | --trusted-ip IP...
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
#include "core/cleanup.h"
#include "core/journal.h"
#include "core/sasl_block.h"

#define CONTAIN_MAX_IPS 16

struct contain_opts {
	int block, dry_run, yes;
	const char *user, *journal;
	const char *ips[CONTAIN_MAX_IPS];
	size_t nips;
};

static int usage(void)
{
	fputs("usage: spamtop block|unblock --sasl-user USER [--dry-run] [--yes] [--journal FILE]\n"
	      "       spamtop block --trusted-ip IP... [--dry-run] [--yes] [--journal FILE]\n", stderr);
	return 2;
}

static int parse(int argc, char **argv, struct contain_opts *o)
{
	static const struct option opts[] = {
		{"sasl-user", required_argument, NULL, 'u'},
		{"trusted-ip", required_argument, NULL, 'i'},
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
	if (optind < argc || (o->user == NULL) == (o->nips == 0) || (!o->block && o->nips))
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
	for (const char *p = notes->data ? notes->data : ""; *p;) {
		size_t len = strcspn(p, "\n");
		char line[1024];
		snprintf(line, sizeof(line), "%.*s", (int)len, p);
		fputs("  ", stdout);
		say_text(stdout, line);
		fputc('\n', stdout);
		p += len + (p[len] == '\n');
	}
}

static int account(const struct contain_opts *o, const struct postfix_conf *conf)
{
	struct sasl_block_plan p;
	struct error err;
	if (sasl_block_plan(conf->config_dir, o->user, o->block, &p, &err) < 0) {
		fprintf(stderr, "spamtop: %s\n", err.msg);
		return 1;
	}
	printf("%s ", o->block ? "Block" : "Unblock");
	say_text(stdout, o->user);
	printf(" in Postfix: %s its line in %s", o->block ? "add" : "remove", p.table);
	if (p.restr_change) {
		printf(";\n  smtpd_sender_restrictions = ");
		say_text(stdout, buf_str(&p.restr_after));
		printf("\n  (main.cf copied aside first; read back after)");
	}
	puts("; then postfix reload");
	say_notes(&p.notes);
	int rc = p.runnable ? 3 : 0;
	if (p.runnable && go_ahead(o, o->block ? "Block this account?" : "Unblock this account?")) {
		struct buf backup = BUF_INIT, out = BUF_INIT;
		rc = sasl_block_apply(conf->config_dir, &p, o->journal, &backup, &out, &err) < 0;
		if (rc)
			fprintf(stderr, "spamtop: %s\n", err.msg);
		else
			printf("Done%s%s.\n", backup.len ? "; main.cf as it was: " : "", buf_str(&backup));
		buf_free(&backup);
		buf_free(&out);
	}
	sasl_block_plan_free(&p);
	return rc;
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
	int rc = 1;
	if (p.runnable) {
		printf("\nmynetworks after: ");
		say_text(stdout, buf_str(&p.after));
		puts("\n(main.cf copied aside first; one postconf -e; read back; then postfix reload)");
		rc = 3;
	} else {
		puts("\nNothing to drop from mynetworks.");
	}
	if (p.runnable && go_ahead(o, "Drop these from mynetworks?")) {
		struct buf backup = BUF_INIT, out = BUF_INIT;
		rc = cleanup_mynetworks_apply(conf, &p, o->journal, &backup, &out, &err) < 0;
		if (rc)
			fprintf(stderr, "spamtop: %s\n", err.msg);
		else
			printf("Done; read back; main.cf as it was: %s (to undo: copy it back, postfix reload).\n",
			       buf_str(&backup));
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
	int rc = o.user ? account(&o, &conf) : relays(&o, &conf);
	postfix_conf_free(&conf);
	return rc;
}
