/*
 * cleanup_cmd - spamtop cleanup --plan: the logs and the queue read, every
 * step's findings and commands printed, nothing run.
 */
#include "cleanup_cmd.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "core/cleanup_plan.h"
#include "core/clock.h"
#include "core/ingest.h"
#include "core/source.h"

#define PLAN_MAX_LOGS 16
#define QUEUE_TIMEOUT_MS 60000

struct plan_opts {
	const char *state_path, *disable_cmd, *our_domains;
	int no_queue;
	const char *logs[PLAN_MAX_LOGS];
	size_t nlogs;
};

static int parse(int argc, char **argv, struct plan_opts *o)
{
	static const struct option opts[] = {
		{"plan", no_argument, NULL, 'p'},
		{"state", required_argument, NULL, 'S'},
		{"disable-cmd", required_argument, NULL, 'D'},
		{"our-domains", required_argument, NULL, 'O'},
		{"no-queue", no_argument, NULL, 'Q'},
		{NULL, 0, NULL, 0},
	};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p': break;
		case 'S': o->state_path = optarg; break;
		case 'D': o->disable_cmd = optarg; break;
		case 'O': o->our_domains = optarg; break;
		case 'Q': o->no_queue = 1; break;
		default:
			fputs("usage: spamtop cleanup --plan [--state FILE] [--disable-cmd CMD] [--our-domains LIST]\n"
			      "               [--no-queue] [FILE...]\n", stderr);
			return -1;
		}
	}
	for (int i = optind; i < argc && o->nlogs < PLAN_MAX_LOGS; i++)
		o->logs[o->nlogs++] = argv[i];
	if (o->nlogs == 0)
		o->logs[o->nlogs++] = ingest_default_log();
	source_order_rotated(o->logs, o->nlogs);
	return 0;
}

static struct model *read_logs(const struct plan_opts *o)
{
	struct model *m = model_new(NULL, (time_t)clock_now());
	struct source_stats st = {0};
	for (size_t i = 0; m && i < o->nlogs; i++) {
		struct error err;
		if (ingest_file(m, o->logs[i], &st, &err) < 0) {
			fprintf(stderr, "spamtop: %s\n", err.msg);
			model_free(m);
			return NULL;
		}
	}
	return m;
}

static int write_plan(const struct plan_opts *o, struct model *m, struct cleanup_state *st)
{
	struct suspect sus[64];
	struct detect_thresholds th;
	detect_thresholds_default(&th);
	size_t n = detect_suspects(m, &th, sus, 64), nlocal = 0;
	for (size_t i = 0; i < n; i++)	/* the cleanup acts on this machine's queue */
		if (sus[i].agg->host == 0)
			sus[nlocal++] = sus[i];
	struct queue_snapshot *q = o->no_queue ? NULL : queue_snapshot_new();
	struct error qerr = {""}, cerr = {""}, err;
	if (q && queue_load(q, QUEUE_TIMEOUT_MS, &qerr) < 0) {
		queue_snapshot_free(q);
		q = NULL;
	}
	if (q)
		queue_join(q, m);
	struct postfix_conf conf;
	int conf_ok = postfix_conf_read(&conf, o->our_domains, &cerr) == 0;
	struct cleanup_plan_input in = {m, sus, nlocal, q, q || o->no_queue ? NULL : qerr.msg, conf_ok ? &conf : NULL,
					cerr.msg, st, o->disable_cmd};
	int rc = cleanup_plan_write(stdout, &in, &err);
	if (rc < 0)
		fprintf(stderr, "spamtop: %s\n", err.msg);
	postfix_conf_free(&conf);
	queue_snapshot_free(q);
	return rc < 0 ? 1 : 0;
}

int cleanup_command(int argc, char **argv)
{
	int plan = 0;
	for (int i = 1; i < argc; i++)
		plan |= strcmp(argv[i], "--plan") == 0;
	if (!plan)
		return CLEANUP_NOT_A_COMMAND;
	struct plan_opts o;
	memset(&o, 0, sizeof(o));
	if (parse(argc, argv, &o) < 0)
		return 2;
	struct cleanup_state st;
	struct error err;
	cleanup_state_init(&st, clock_now());
	if (o.state_path && cleanup_state_load(&st, o.state_path, &err) < 0) {
		fprintf(stderr, "spamtop: %s\n", err.msg);
		return 1;
	}
	struct model *m = read_logs(&o);
	if (m == NULL)
		return 1;
	int rc = write_plan(&o, m, &st);
	model_free(m);
	return rc;
}
