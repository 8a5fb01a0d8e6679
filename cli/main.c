/*
 * spamtop - incident-response console for Postfix servers sending spam.
 *
 * This file is the command line only: it reads options, picks a command
 * from the table (commands.c: the words of every command's help) and hands
 * over to core/ (and tui/). README.md and doc/spamtop.1 say the same as the
 * table; keep the three in step.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "core/incident/cleanup.h"
#include "core/model/detect.h"
#include "core/base/duration.h"
#include "core/model/feed.h"
#include "core/base/journal.h"
#include "core/model/model.h"
#include "core/incident/report.h"
#include "core/base/safefile.h"
#include "core/logs/source.h"
#include "cleanup_cmd.h"
#include "cmd_io.h"
#include "commands.h"
#include "contain_cmd.h"
#include "monitor_cmd.h"
#include "queue_cmd.h"
#include "tui/console.h"

#define SPAMTOP_VERSION "0.1.0"


static int since_arg(const char *s, long *seconds)
{
	if (duration_parse(s, seconds) == 0)
		return 0;
	fprintf(stderr, "spamtop: --since wants a duration such as 90s, 30m, 2h or 1d\n");
	return -1;
}

/* window_arg - --ip-window: a duration from a minute to a week */
static int window_arg(const char *s, int64_t *seconds)
{
	long v;
	if (duration_parse(s, &v) == 0 && v >= 60 && v <= 7 * 86400) {
		*seconds = v;
		return 0;
	}
	fprintf(stderr, "spamtop: --ip-window wants a duration from 1m to 7d, such as 30m or 2h\n");
	return -1;
}

static int number_arg(const char *opt, const char *s, double lo, double hi, double *out)
{
	char *end;
	double v = strtod(s, &end);
	if (*s == 0 || *end || v < lo || v > hi) {
		fprintf(stderr, "spamtop: %s wants a number from %g to %g\n", opt, lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}

/* write_incident - the Markdown incident report of `spamtop report --incident FILE` */
static int write_incident(const struct model *m, const struct report_options *ro, const char *path,
			  const char *journal, const char *state_path)
{
	struct cleanup_state st;
	struct error err;
	int have_state = 0;
	if (state_path == NULL && access(CLEANUP_DEFAULT_STATE, R_OK) == 0)
		state_path = CLEANUP_DEFAULT_STATE;
	if (state_path) {
		if (cleanup_state_load(&st, state_path, &err) < 0) {
			fprintf(stderr, "spamtop: %s\n", err.msg);
			return 1;
		}
		have_state = 1;
	}
	struct suspect sus[64];
	size_t n = detect_suspects(m, &ro->thresholds, sus, 64);
	size_t nlogs = 0;
	while (ro->sources[nlogs])
		nlogs++;
	struct safe_file sf;
	int to_stdout = strcmp(path, "-") == 0;
	if (!to_stdout && safe_file_open(&sf, path, 0640, &err) < 0) {
		fprintf(stderr, "spamtop: %s\n", err.msg);
		return 1;
	}
	int rc = incident_write(to_stdout ? stdout : sf.f, m, sus, n, have_state ? &st : NULL, ro->sources, nlogs,
				journal, &err);
	if (!to_stdout && rc < 0)
		safe_file_abort(&sf);
	else if (!to_stdout)
		rc = safe_file_commit(&sf, &err);
	if (rc < 0) {
		fprintf(stderr, "spamtop: cannot write %s: %s\n", path, err.msg);
		return 1;
	}
	return 0;
}

/*
 * The options of both front ends that read logs into a model (the report
 * and the console): where the lines come from and how much of them is kept.
 * Their ids are above any character, so neither's own options can collide.
 */
enum { OPT_SOURCE = 256, OPT_SINCE, OPT_JOURNALD, OPT_MAX_KEYS, OPT_IP_WINDOW, OPT_OUR_DOMAINS };
#define LOG_OPTIONS \
	{"source", required_argument, NULL, OPT_SOURCE}, \
	{"our-domains", required_argument, NULL, OPT_OUR_DOMAINS}, \
	{"since", required_argument, NULL, OPT_SINCE}, \
	{"journald", no_argument, NULL, OPT_JOURNALD}, \
	{"max-keys", required_argument, NULL, OPT_MAX_KEYS}, \
	{"ip-window", required_argument, NULL, OPT_IP_WINDOW}

struct log_options {
	struct feed *feed;	/* --source, --journald */
	long since;		/* seconds; 0: all */
	size_t max_keys;	/* 0: the model's default */
	int64_t ip_window;	/* 0: the model's default */
	const char *our_domains;	/* --our-domains: added to what postconf says is ours */
};

/* log_option - 1 when opt is one of LOG_OPTIONS (taken), 0 when it is not, -1 when its value is wrong (said) */
static int log_option(int opt, const char *arg, struct log_options *l)
{
	struct error err = {""};
	double v;
	switch (opt) {
	case OPT_SOURCE:
		if (feed_add_spec(l->feed, arg, &err) == 0)
			return 1;
		fprintf(stderr, "spamtop: %s\n", err.msg);
		return -1;
	case OPT_SINCE: return since_arg(arg, &l->since) < 0 ? -1 : 1;
	case OPT_JOURNALD: l->feed->journald = 1; return 1;
	case OPT_MAX_KEYS:
		if (number_arg("--max-keys", arg, 16, 1e8, &v) < 0)
			return -1;
		l->max_keys = (size_t)v;
		return 1;
	case OPT_IP_WINDOW: return window_arg(arg, &l->ip_window) < 0 ? -1 : 1;
	case OPT_OUR_DOMAINS: l->our_domains = arg; return 1;
	default: return 0;
	}
}

static int run_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{"report", no_argument, NULL, 'r'},
		{"json", no_argument, NULL, 'j'},
		{"top", required_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{"incident", required_argument, NULL, 'I'},
		{"journal", required_argument, NULL, 'J'},
		{"state", required_argument, NULL, 'S'},
		LOG_OPTIONS,
		{NULL, 0, NULL, 0},
	};
	int json = 0, c, taken;
	struct model_limits lim;
	model_limits_default(&lim);
	static struct feed feed;
	struct log_options lo = {.feed = &feed};
	struct error err = {""};
	const char *incident = NULL, *state = NULL;
	const char *journal = journal_default_path();
	optind = 1;
	struct report_options ro = {.top = 10};
	detect_thresholds_default(&ro.thresholds);
	while ((c = getopt_long(argc, argv, "jt:h", opts, NULL)) != -1) {
		if ((taken = log_option(c, optarg, &lo)) != 0) {
			if (taken < 0)
				return 2;
			continue;
		}
		switch (c) {
		case 'r':
			break;
		case 'j':
			json = 1;
			break;
		case 'I': incident = optarg; break;
		case 'J': journal = optarg; break;
		case 'S': state = optarg; break;
		case 't': {
			char *end;
			long n = strtol(optarg, &end, 10);
			if (*end || n < 1 || n > 100000) {
				fprintf(stderr, "spamtop: --top wants a number from 1 to 100000\n");
				return 2;
			}
			ro.top = (size_t)n;
			break;
		}
		case 'h':
			command_usage(stdout, command_find("report"));
			return 0;
		default:
			command_usage(stderr, command_find("report"));
			return 2;
		}
	}
	for (int i = optind; i < argc; i++)
		if (feed_add_file(&feed, argv[i], &err) < 0)
			break;
	if (err.msg[0] || feed_finish(&feed, 1, &err) < 0) {
		fprintf(stderr, "spamtop: %s\n", err.msg);
		return 2;
	}
	if (lo.max_keys)
		lim.max_keys = lo.max_keys;
	if (lo.ip_window)
		lim.source_window = lo.ip_window;
	long since = lo.since;
	static const char *files[FEED_MAX_SOURCES + 2];	/* and "journald", NULL-terminated */
	for (size_t i = 0; i < feed.n; i++)
		files[i] = feed.src[i].path;
	if (feed.journald)
		files[feed.n] = "journald";
	struct model *m = model_new(&lim, (time_t)clock_now());
	if (m == NULL) {
		fprintf(stderr, "spamtop: out of memory\n");
		return 1;
	}
	if (since)
		model_set_since(m, clock_now() - since);
	struct our_domains_told domains;	/* before the lines: their deliveries are judged by them */
	our_domains_tell(m, feed_is_this_server(&feed), lo.our_domains, &domains);
	ro.domains = &domains;
	int status = 0;
	if (feed_read(&feed, m, since, 0, &ro.input, &err) < 0) {
		fprintf(stderr, "spamtop: %s\n", err.msg);
		status = 1;
	}
	ro.sources = files;
	if (incident) {
		status |= write_incident(m, &ro, incident, journal, state);
		our_domains_told_free(&domains);
		model_free(m);
		return status;
	}
	int rc = json ? report_write_json(stdout, m, &ro, &err) : report_write_text(stdout, m, &ro, &err);
	if (rc < 0) {
		fprintf(stderr, "spamtop: %s\n", err.msg);
		status = 1;
	}
	our_domains_told_free(&domains);
	model_free(m);
	return status;
}


static int run_console(int argc, char **argv, int cleanup)
{
	static const struct option opts[] = {
		{"resume", no_argument, NULL, 'R'},
		{"state", required_argument, NULL, 'S'},
		{"incident", required_argument, NULL, 'I'},
		{"disable-cmd", required_argument, NULL, 'D'},
		{"dovecot-config", required_argument, NULL, 'V'},
		{"dry-run", no_argument, NULL, 'n'},
		{"no-queue", no_argument, NULL, 'Q'},
		{"from-end", no_argument, NULL, 'e'},
		{"refresh", required_argument, NULL, 'r'},
		{"keymap", required_argument, NULL, 'k'},
		{"queue-warn", required_argument, NULL, 'w'},
		{"queue-crit", required_argument, NULL, 'c'},
		{"no-color", no_argument, NULL, 'C'},
		{"journal", required_argument, NULL, 'J'},
		{"alert-cmd", required_argument, NULL, 'A'},
		{"throttle", required_argument, NULL, 'H'},
		LOG_OPTIONS,
		{NULL, 0, NULL, 0},
	};
	static struct feed feed;
	struct error err = {""};
	struct console_options o;
	console_options_default(&o);
	o.cleanup = cleanup;
	optind = 1;
	o.journal = journal_default_path();
	int c, taken;
	double v;
	struct log_options lo = {.feed = &feed};
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if ((taken = log_option(c, optarg, &lo)) != 0) {
			if (taken < 0)
				return 2;
			continue;
		}
		switch (c) {
		case 'n': o.dry_run = 1; break;
		case 'Q': o.no_queue = 1; break;
		case 'e': o.from_end = 1; break;
		case 'C': o.no_color = 1; break;
		case 'A': o.alert_cmd = optarg; break;
		case 'k': o.keymap = optarg; break;
		case 'J': o.journal = optarg; break;
		case 'R': o.resume = 1; break;
		case 'S': o.state_path = optarg; break;
		case 'I': o.incident_path = optarg; break;
		case 'D': o.disable_cmd = optarg; break;
		case 'H':
			if (throttle_arg(optarg, &o.throttle_batch, &o.throttle_seconds) < 0)
				return 2;
			break;
		case 'V': o.dovecot_config = optarg; break;
		case 'r':
			if (number_arg("--refresh", optarg, 0.2, 10, &v) < 0)
				return 2;
			o.refresh_ms = (int)(v * 1000);
			break;
		case 'w':
		case 'c':
			if (number_arg(c == 'w' ? "--queue-warn" : "--queue-crit", optarg, 1, 1e9, &v) < 0)
				return 2;
			*(c == 'w' ? &o.queue_warn : &o.queue_crit) = (unsigned)v;
			break;
		default:
			command_usage(stderr, cleanup ? command_find("cleanup") : command_console());
			return 2;
		}
	}
	o.since = lo.since;
	o.our_domains = lo.our_domains;
	o.max_keys = lo.max_keys;
	o.ip_window = lo.ip_window;
	for (int i = optind; i < argc; i++)
		if (feed_add_file(&feed, argv[i], &err) < 0)
			break;
	if (err.msg[0] || feed_finish(&feed, 0, &err) < 0) {
		fprintf(stderr, "spamtop: %s\n", err.msg);
		return 2;
	}
	o.journald = feed.journald;	/* no mail log file: Postfix logs to the journal (the title says so) */
	if (feed.n && source_spec_is_ssh(&feed.src[0]) && !o.no_queue) {
		fputs("spamtop: the first --source is this machine, whose queue spamtop reads: give its log\n"
		      "first (or --no-queue)\n", stderr);
		return 2;
	}
	o.sources = feed.src;
	o.nsources = feed.n;
	o.this_server = feed_is_this_server(&feed);
	if (!isatty(STDOUT_FILENO)) {
		fputs("spamtop: the console needs a terminal; use --report (see --help)\n", stderr);
		return 2;
	}
	return console_run(&o);
}

int run_console_command(int argc, char **argv)
{
	return run_console(argc, argv, 0);
}

int run_cleanup_command(int argc, char **argv)
{
	int rc = cleanup_command(argc, argv);	/* --plan, --yes */
	return rc != CLEANUP_NOT_A_COMMAND ? rc : run_console(argc, argv, 1);
}

int run_report_command(int argc, char **argv)
{
	return run_report(argc, argv);
}

/* help - spamtop help [COMMAND] */
static int help(int argc, char **argv)
{
	const struct command *c = argc > 1 ? command_find(argv[1]) : NULL;
	if (argc > 1 && c == NULL) {
		fprintf(stderr, "spamtop: no command %s (spamtop help lists them)\n", argv[1][0] == '-' ? "so named" : argv[1]);
		return 2;
	}
	command_usage(stdout, c);
	return 0;
}

int main(int argc, char **argv)
{
	const char *word = argc > 1 ? argv[1] : "";
	if (strcmp(word, "--version") == 0) {
		printf("spamtop %s\n", SPAMTOP_VERSION);
		return 0;
	}
	if (strcmp(word, "--help") == 0 || strcmp(word, "-h") == 0)
		return help(1, argv);
	if (strcmp(word, "--bash-completion") == 0) {
		command_bash_completion(stdout);
		return 0;
	}
	if (strcmp(word, "help") == 0)
		return help(argc - 1, argv + 1);
	const struct command *c = word[0] != '-' ? command_find(word) : NULL;
	for (int i = 2; c && i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--help") == 0 || (i == 2 && strcmp(argv[i], "-h") == 0)) {
			command_usage(stdout, c);	/* spamtop queue --summary --help: that command's words, */
			return 0;		/* wherever --help stands (nothing is run then) */
		}
	if (c)
		return c->run(argc - 1, argv + 1);
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--report") == 0)
			return run_report(argc, argv);
	return run_console(argc, argv, 0);
}
