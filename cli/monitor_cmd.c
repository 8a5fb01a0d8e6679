/*
 * monitor_cmd - early warning for the monitoring system the admin runs:
 *
 *   spamtop check [--log FILE]... [--window 15m] [--config FILE] [--set NAME=WARN,CRIT]... [--no-queue]
 *       a Nagios/Icinga plugin: one status line with performance data,
 *       exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (works from cron and NRPE)
 *   spamtop metrics [--format prometheus|influx] [--output FILE] [--top N] [same options]
 *       Prometheus text exposition or InfluxDB line protocol; --output
 *       writes a temporary file and renames it (node_exporter's textfile
 *       collector never sees half a file)
 */
#include "monitor_cmd.h"
#include "core/base/clock.h"
#include "core/base/safefile.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/incident/alerts.h"
#include "core/model/feed.h"
#include "core/incident/metrics.h"
#include "core/incident/our_domains.h"
#include "core/queue/queue.h"
#include "core/logs/source.h"

#define CHECK_LOG_SECONDS (3600 + 120)	/* what check reads of a log: its last hour */
#define QUEUE_TIMEOUT_MS 30000

struct monitor_opts {
	struct feed feed;	/* --log FILE, --source NAME=PATH, --journald */
	int window, no_queue, top;
	int whole_log;		/* metrics, check --whole-log: the whole log, not its last hour */
	enum metrics_format format;
	const char *output;
	const char *our_domains;	/* --our-domains: added to what postconf says is ours */
	struct alert_config config;
};

static int parse_window(const char *s, int *minutes)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (end == s || v < 1 || v > 15 || !(*end == 0 || (*end == 'm' && end[1] == 0)))
		return -1;	/* minutes: the rate rings hold 15 of them */
	*minutes = (int)v;
	return 0;
}

static int parse_opts(int argc, char **argv, struct monitor_opts *o, int metrics)
{
	static const struct option opts[] = {
		{"log", required_argument, NULL, 'l'},
		{"source", required_argument, NULL, 'S'},
		{"window", required_argument, NULL, 'w'},
		{"whole-log", no_argument, NULL, 'W'},
		{"journald", no_argument, NULL, 'j'},
		{"config", required_argument, NULL, 'c'},
		{"set", required_argument, NULL, 's'},
		{"no-queue", no_argument, NULL, 'Q'},
		{"format", required_argument, NULL, 'f'},
		{"output", required_argument, NULL, 'o'},
		{"top", required_argument, NULL, 't'},
		{"our-domains", required_argument, NULL, 'O'},
		{NULL, 0, NULL, 0},
	};
	int ch, explicit_config = 0;
	struct error err = {""};
	optind = 1;
	o->window = 15;
	o->top = 10;
	o->whole_log = metrics;	/* its counters count from the log's start */
	alert_config_default(&o->config);
	/* config files first, so that --set on the command line wins */
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--config") == 0 || strncmp(argv[i], "--config=", 9) == 0)
			explicit_config = 1;
	if (!explicit_config)
		alert_config_load_defaults(&o->config);
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'l':
		case 'S':
			if ((ch == 'l' ? feed_add_file(&o->feed, optarg, &err) : feed_add_spec(&o->feed, optarg, &err)) < 0) {
				fprintf(stderr, "spamtop: %s\n", err.msg);
				return -1;
			}
			break;
		case 'O':
			o->our_domains = optarg;
			break;
		case 'w':
			if (parse_window(optarg, &o->window) < 0) {
				fprintf(stderr, "spamtop: --window wants minutes from 1 to 15, e.g. 15m\n");
				return -1;
			}
			break;
		case 'c':
			if (access(optarg, R_OK) != 0) {
				fprintf(stderr, "spamtop: cannot read %s\n", optarg);
				return -1;
			}
			alert_config_load(&o->config, optarg);
			break;
		case 's':
			if (alert_config_set(&o->config, optarg) < 0) {
				fputs("spamtop: --set wants NAME=WARN,CRIT\n", stderr);
				return -1;
			}
			break;
		case 'Q':
			o->no_queue = 1;
			o->config.skip_queue = 1;
			break;
		case 'o': o->output = optarg; break;
		case 'W': o->whole_log = 1; break;
		case 'j': o->feed.journald = 1; break;
		case 'f':
			if (!metrics || (strcmp(optarg, "prometheus") != 0 && strcmp(optarg, "influx") != 0)) {
				fputs("spamtop: --format is prometheus or influx (metrics only)\n", stderr);
				return -1;
			}
			o->format = strcmp(optarg, "influx") == 0 ? METRICS_INFLUX : METRICS_PROMETHEUS;
			break;
		case 't': {
			char *end;
			long n = strtol(optarg, &end, 10);
			if (*end || n < 1 || n > 256) {
				fputs("spamtop: --top wants 1 to 256\n", stderr);
				return -1;
			}
			o->top = (int)n;
			break;
		}
		default:
			return -1;
		}
	}
	if (optind < argc) {
		fputs("spamtop: unexpected argument (logs go after --log)\n", stderr);
		return -1;
	}
	if (feed_finish(&o->feed, 0, &err) < 0) {
		fprintf(stderr, "spamtop: %s\n", err.msg);
		return -1;
	}
	return 0;
}

/* measure - read the logs and the queue; a failure to read either is reported in why,
 * and *log_failed says whether the logs were the one */
static struct model *measure(struct monitor_opts *o, struct queue_snapshot **q, char *why, size_t size,
			     int *log_failed)
{
	struct model *m = model_new(NULL, (time_t)clock_now());
	struct source_stats st = {0};
	struct error err;
	why[0] = 0;
	/* check: the last hour (client IPs per user in an hour; the rates and the 20-minute
	 * failures fall inside it) and a margin, not the whole log; metrics: all of it */
	int64_t seconds = CHECK_LOG_SECONDS;
	if (m)	/* before the lines: their deliveries are judged by them */
		our_domains_tell_model(m, feed_is_this_server(&o->feed), o->our_domains);
	*log_failed = m && feed_read(&o->feed, m, o->whole_log ? 0 : seconds, !o->whole_log, &st, &err) < 0;
	if (*log_failed)
		snprintf(why, size, "%s", err.msg);
	*q = NULL;
	if (!o->no_queue) {
		*q = queue_snapshot_new();
		if (*q && queue_load(*q, QUEUE_TIMEOUT_MS, &err) < 0) {
			queue_snapshot_free(*q);
			*q = NULL;
			if (!why[0])
				snprintf(why, size, "cannot read the queue: %s", err.msg);
		}
	}
	return m;
}

/* put_plugin_text - text in a plugin's status line: one line, and no '|',
 * which starts the performance data (a user named "x | queue=0;..." must
 * not write numbers Nagios and Icinga would graph) */
static void put_plugin_text(const char *s)
{
	for (; *s; s++)
		putchar(*s == '\n' || *s == '\r' ? ' ' : *s == '|' ? '/' : *s);
}

/* perfdata - the values measured; none of the log's when it could not be read (a graph
 * must show a gap there, not a quiet server) */
static void perfdata(const struct alert_config *c, const struct alert_result *r, int log_failed)
{
	int n = 0;
	for (int i = 0; i < AL_COUNT; i++)
		if (r->v[i].measured && !(log_failed && i != AL_QUEUE && i != AL_DEFERRED))
			printf("%s %s=%g;%g;%g;0;", n++ ? "" : " |", alert_table[i].name, r->v[i].value, c->t[i].warn,
			       c->t[i].crit);
	putchar('\n');
}

/*
 * say_log_age - a log whose newest line is over an hour old (the hour check
 * reads): said in the status text, for every rate measured against the
 * clock is 0 there and a bare OK would hide a syslog that stopped writing
 * (no state of its own: a quiet relay may log nothing for hours)
 */
static void say_log_age(const struct model *m, int64_t now)
{
	int hosts = model_host_count(m);
	for (int h = 0; h < hosts; h++) {	/* each host's: one dead server among live ones too */
		int64_t last = model_host_last_time(m, h), age = last ? now - last : 0;
		if (age <= 3600)
			continue;
		printf("; newest Postfix line%s", hosts > 1 ? " of " : "");
		if (hosts > 1)
			put_plugin_text(model_host_name(m, h));
		if (age < 120 * 60)
			printf(" %lld min old", (long long)(age / 60));
		else if (age < 48 * 3600)
			printf(" %lld h old", (long long)(age / 3600));
		else
			printf(" %lld days old", (long long)(age / 86400));
		printf(" (is Postfix still logging there?)");
	}
}

static int cmd_check(struct monitor_opts *o)
{
	struct queue_snapshot *q;
	char why[600];
	int log_failed;
	struct model *m = measure(o, &q, why, sizeof(why), &log_failed);
	if (m == NULL) {
		puts("SPAMTOP UNKNOWN - out of memory");
		return 3;
	}
	struct alert_result r;
	alert_evaluate(&o->config, m, q, clock_now(), o->window, &r);
	/* a log or queue that cannot be read is not OK: the word says what the exit status says */
	enum alert_state shown = r.worst == ALERT_OK && why[0] ? ALERT_UNKNOWN : r.worst;
	printf("SPAMTOP %s - ", alert_state_name(shown));
	int said = 0;
	for (int i = 0; i < AL_COUNT; i++) {
		const struct alert_value *v = &r.v[i];
		if (v->state != ALERT_WARNING && v->state != ALERT_CRITICAL)
			continue;
		printf("%s%s %g%s", said++ ? "; " : "", alert_table[i].what, v->value, v->subject[0] ? " " : "");
		put_plugin_text(v->subject);
		printf(" >= %g", v->state == ALERT_CRITICAL ? o->config.t[i].crit : o->config.t[i].warn);
	}
	if (why[0]) {
		printf("%s", said++ ? "; " : "");
		put_plugin_text(why);
	}
	if (!said && q)
		printf("%zu queued, ", q->count);
	if (!said)
		printf("nothing over its threshold");
	say_log_age(m, clock_now());
	perfdata(&o->config, &r, log_failed);
	queue_snapshot_free(q);
	model_free(m);
	return shown == ALERT_OK ? 0 : shown == ALERT_WARNING ? 1 : shown == ALERT_CRITICAL ? 2 : 3;
}

static int cmd_metrics(struct monitor_opts *o)
{
	struct queue_snapshot *q;
	char why[600];
	int log_failed;
	struct model *m = measure(o, &q, why, sizeof(why), &log_failed);
	if (m == NULL)
		return 1;
	if (why[0])
		fprintf(stderr, "spamtop: %s\n", why);
	if (log_failed) {	/* counters of nothing read would fall to 0: a scraper sees a reset, then a burst */
		fprintf(stderr, "spamtop: no metrics written%s\n", o->output ? " (the last file is kept)" : "");
		queue_snapshot_free(q);
		model_free(m);
		return 1;
	}
	struct alert_result r;
	alert_evaluate(&o->config, m, q, clock_now(), o->window, &r);
	struct safe_file out;	/* a temporary name no one can plant, renamed into place */
	struct error err;
	FILE *f = stdout;
	if (o->output) {
		if (safe_file_open(&out, o->output, 0644, &err) < 0) {
			fprintf(stderr, "spamtop: %s\n", err.msg);
			model_free(m);
			queue_snapshot_free(q);
			return 1;
		}
		f = out.f;
	}
	metrics_write(f, o->format, m, q, &r, (size_t)o->top, clock_now());
	int rc = 0;
	if (o->output && safe_file_commit(&out, &err) < 0) {
		fprintf(stderr, "spamtop: %s\n", err.msg);
		rc = 1;
	}
	queue_snapshot_free(q);
	model_free(m);
	return rc;
}

int monitor_command(int argc, char **argv)
{
	int check = strcmp(argv[0], "check") == 0, metrics = strcmp(argv[0], "metrics") == 0;
	if (!check && !metrics)
		return MONITOR_NOT_A_COMMAND;
	struct monitor_opts o;
	memset(&o, 0, sizeof(o));
	int rc;
	if (parse_opts(argc, argv, &o, metrics) < 0)
		rc = check ? 3 : 2;	/* a plugin's usage error is UNKNOWN */
	else
		rc = check ? cmd_check(&o) : cmd_metrics(&o);
	if (o.config.warnings.len)
		fputs(buf_str(&o.config.warnings), stderr);
	alert_config_free(&o.config);
	return rc;
}
