/*
 * spamtop - incident-response console for Postfix servers sending spam.
 *
 * This file is the command line only: it reads options, picks a mode
 * (report, queue commands) and hands over to core/ (and tui/). Usage is in
 * usage() below, in README.md and in doc/spamtop.1; keep the three in step.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/cleanup.h"
#include "core/detect.h"
#include "core/duration.h"
#include "core/feed.h"
#include "core/ingest.h"
#include "core/journal.h"
#include "core/model.h"
#include "core/report.h"
#include "core/safefile.h"
#include "core/source.h"
#include "cleanup_cmd.h"
#include "contain_cmd.h"
#include "monitor_cmd.h"
#include "queue_cmd.h"
#include "tui/console.h"

#define SPAMTOP_VERSION "0.1.0"

static void usage(FILE *out)
{
	fputs("usage: spamtop [CONSOLE OPTIONS] [FILE...]\n"
	      "       spamtop cleanup [--resume] [--state FILE] [--incident FILE]\n"
	      "               [--disable-cmd CMD] [--our-domains LIST] [CONSOLE OPTIONS] [FILE...]\n"
	      "       spamtop cleanup --plan [--state FILE] [--disable-cmd CMD] [--our-domains LIST]\n"
	      "               [--no-queue] [FILE...]\n"
	      "       spamtop cleanup --yes (--sasl-user USER | --trusted-ip IP | --uid UID)...\n"
	      "               [--disable-cmd CMD] [--journal FILE] [--state FILE] [--incident FILE] [FILE...]\n"
	      "       spamtop --report [--json] [--top N] [--since DURATION] [--journald]\n"
	      "               [FILE... | --source NAME=PATH...]\n"
	      "       spamtop report --incident FILE [--journal FILE] [--state FILE] [FILE...]\n"
	      "       spamtop queue [--json] [--log FILE]... [--journald]\n"
	      "       spamtop hold|release|requeue|delete (--all | SELECTION...)\n"
	      "               [--dry-run] [--yes] [--log FILE]... [--journald] [--journal FILE]\n"
	      "       spamtop block|unblock --sasl-user USER | --client-ip IP [--dry-run] [--yes]\n"
	      "               [--journal FILE]\n"
	      "       spamtop block --trusted-ip IP... [--dry-run] [--yes] [--journal FILE]\n"
	      "       spamtop unblock --trusted-ip IP [--dry-run] [--yes] [--journal FILE]\n"
	      "       spamtop check [--log FILE... | --source NAME=PATH...] [--journald] [--window MIN]\n"
	      "               [--whole-log] [--config FILE] [--set NAME=WARN,CRIT]... [--no-queue]\n"
	      "       spamtop metrics [--format prometheus|influx] [--output FILE] [--top N]\n"
	      "               [same options as check]\n"
	      "       spamtop --help | --version\n"
	      "\n"
	      "The console (the default) reads the mail logs (history first, then follows\n"
	      "them across rotation; .gz files are read once, - as it comes; default: Postfix's\n"
	      "maillog_file, else /var/log/mail.log or /var/log/maillog, else the systemd\n"
	      "journal) and the live queue, and shows SASL\n"
	      "users, client IPs, senders, domains, the queue and authentication failures,\n"
	      "suspects flagged. ? in the console lists its keys.\n"
	      "  --dry-run        actions show what they would do and change nothing\n"
	      "  --no-queue       do not read the live queue (a log copied from elsewhere)\n"
	      "  --from-end       skip the history: only lines written from now on\n"
	      "  --since DURATION only lines of the last 90s, 30m, 2h, 1d (also --report)\n"
	      "  --ip-window D    a SASL user's client IPs are counted within D (default 1h;\n"
	      "                   an IPv6 /64 is one source; a window of 10+ of its messages)\n"
	      "  --max-keys N     users, IPs, senders, domains kept each (default 100000);\n"
	      "                   past it the coldest go, so memory stays bounded\n"
	      "  --source NAME=PATH  a log of host NAME; several hosts add a Host column (a\n"
	      "                   central syslog file is split by the host names it logs)\n"
	      "                   (@ shows one host at a time). PATH may be\n"
	      "                   ssh://[USER@]HOST[:PORT]/PATH: ssh HOST tail -F PATH.\n"
	      "                   The first is this machine: the queue and actions are its\n"
	      "  --journald       read Postfix's entries from the systemd journal too\n"
	      "                   (journalctl -f -o short-iso SYSLOG_FACILITY=2)\n"
	      "  --refresh SECS   refresh interval (default 1; 0.2 to 10)\n"
	      "  --keymap NAME    default, vim, or a key-binding file (see keymaps/)\n"
	      "  --queue-warn N   queue gauge turns yellow at N messages (default 100)\n"
	      "  --queue-crit N   and red at N (default 200)\n"
	      "  --alert-cmd CMD  run CMD (an argv, no shell; {check} {state} {value}\n"
	      "                   {subject} filled in) when a check turns WARNING or\n"
	      "                   CRITICAL, at most once in 5 minutes per check; the\n"
	      "                   terminal bell rings too\n"
	      "  --no-color       monochrome (so does NO_COLOR in the environment)\n"
	      "  --journal FILE   audit journal (default /var/log/spamtop/journal.jsonl)\n"
	      "\n"
	      "cleanup opens the console on the guided six-step cleanup (c in the console):\n"
	      "hold, read, identify, contain, clean, release and watch; its state is saved\n"
	      "after each step (--resume goes on from it) and it writes an incident report.\n"
	      "  --state FILE       the saved state (root: /var/lib/spamtop/cleanup.json)\n"
	      "  --incident FILE    the incident report (root: /var/lib/spamtop/spamtop-incident-*.md)\n"
	      "  --disable-cmd CMD  step 4 for an account, e.g. 'doveadm kick {user}' (an argv,\n"
	      "                     no shell); unset: the manual steps are shown\n"
	      "  --our-domains LIST added to the domains postconf says are ours\n"
	      "  --throttle N/SECS  step 6's throttled release (t): N messages every SECS\n"
	      "                     seconds, oldest first (default 100/60)\n"
	      "  --plan             no screen: print every step's findings and the commands it\n"
	      "                     would run (with --state, the marks saved there); runs nothing\n"
	      "  --yes              no screen, no question: run the acting steps for the targets\n"
	      "                     named (--sasl-user, --trusted-ip, --uid): hold, contain,\n"
	      "                     delete their confirmed queued messages, release; journaled\n"
	      "\n"
	      "block --sasl-user USER makes Postfix refuse the account's mail (a line in\n"
	      "/etc/postfix/spamtop/sasl_access, check_sasl_access at the front of\n"
	      "smtpd_sender_restrictions); unblock removes the line. block --client-ip IP\n"
	      "refuses a host the same way (check_client_access, smtpd_client_restrictions),\n"
	      "ahead of permit_mynetworks. block --trusted-ip IP... drops the IPs' exact\n"
	      "entries from mynetworks in one edit, read back before postfix reload;\n"
	      "unblock --trusted-ip IP puts back mynetworks' exact value before the journaled\n"
	      "edit that dropped IP (refused if it changed since). Each shows the change,\n"
	      "asks (or --yes) and is journaled.\n"
	      "\n"
	      "Report mode reads Postfix mail logs (plain, rotated .gz, or - for stdin)\n"
	      "and prints who is sending: SASL users, client IPs, senders, sender domains,\n"
	      "authentication failures, and the suspects of an outbreak with the reasons.\n"
	      "\n"
	      "  --report         print the report and exit\n"
	      "  --json           the report as JSON (schema spamtop.report/1, see README)\n"
	      "  --top N          rows per table (default 10)\n"
	      "  --source NAME=PATH  a log of host NAME: several give a Host column\n"
	      "  --journald       Postfix's entries of the systemd journal (also check, metrics)\n"
	      "  --max-keys N     as in the console\n"
	      "  --ip-window D    as in the console\n"
	      "\n"
	      "Queue commands read the live queue (postqueue -j) and change it with\n"
	      "postsuper, queue IDs on its standard input, never through a shell.\n"
	      "SELECTION is one or more of (a message must match all of them):\n"
	      "  --id QUEUEID  --sasl-user USER  --sender ADDR  --client-ip IP\n"
	      "  --sender-domain DOMAIN  --match PCRE  (on sender or recipients)\n"
	      "  --instance NAME  (a Postfix instance, \"default\" for the default one;\n"
	      "                every instance postmulti -l lists is read; --id takes NAME:QUEUEID)\n"
	      "  --uid N       submitted locally (sendmail) by user ID N: a web application\n"
	      "  --all            every queued message (hold and release only)\n"
	      "  --dry-run        show what would be done, change nothing\n"
	      "  --yes            do not ask (needed without a terminal)\n"
	      "  --log FILE       mail log for --sasl-user/--client-ip (repeatable)\n"
	      "  --journal FILE   audit journal (default /var/log/spamtop/journal.jsonl)\n"
	      "\n"
	      "check is a Nagios/Icinga plugin (exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN;\n"
	      "one line, performance data after |); metrics writes Prometheus text or\n"
	      "InfluxDB lines (--output: a temporary file renamed into place). Thresholds\n"
	      "(warning, critical): queue 100 200, deferred 100 500, user_rate 10 20 a\n"
	      "minute, user_ips 3 5, ip_failures 3 10 in 20 minutes, relay_rate 10 30 a\n"
	      "minute, null_sender_pct 30 60, local_rate 10 30 a minute (sendmail, one uid),\n"
	      "blocklisted 1 3 (domains refusing this server for its reputation, last hour);\n"
	      "change them in /etc/spamtop.conf or\n"
	      "$XDG_CONFIG_HOME/spamtop/config (lines NAME = WARN CRIT) or with --set.\n"
	      "check reads the last hour of a log (--whole-log: all of it), metrics all of it.\n"
	      "\n"
	      "Exit status: 0 done, 1 error, 2 usage, 3 nothing changed (declined, dry run,\n"
	      "or no terminal to confirm on without --yes).\n", out);
}

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

/* throttle_arg - "N/SECS": step 6's batches of N messages every SECS seconds */
static int throttle_arg(const char *s, size_t *batch, int *seconds)
{
	char *end;
	long n = strtol(s, &end, 10), secs = *end == '/' ? strtol(end + 1, &end, 10) : -1;
	if (*s == 0 || *end || n < 1 || n > 100000 || secs < 1 || secs > 3600) {
		fprintf(stderr, "spamtop: --throttle wants N/SECS: 1 to 100000 messages every 1 to 3600 seconds\n");
		return -1;
	}
	*batch = (size_t)n;
	*seconds = (int)secs;
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
		{"since", required_argument, NULL, 'T'},
		{"source", required_argument, NULL, 's'},
		{"journald", no_argument, NULL, 'D'},
		{"max-keys", required_argument, NULL, 'K'},
		{"ip-window", required_argument, NULL, 'W'},
		{NULL, 0, NULL, 0},
	};
	int json = 0, c;
	struct model_limits lim;
	model_limits_default(&lim);
	double v;
	long since = 0;
	static struct feed feed;
	struct error err = {""};
	const char *incident = NULL, *state = NULL;
	const char *journal = journal_default_path();
	optind = 1;
	struct report_options ro = {.top = 10};
	detect_thresholds_default(&ro.thresholds);
	while ((c = getopt_long(argc, argv, "jt:h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			break;
		case 'j':
			json = 1;
			break;
		case 'D': feed.journald = 1; break;
		case 'K':
			if (number_arg("--max-keys", optarg, 16, 1e8, &v) < 0)
				return 2;
			lim.max_keys = (size_t)v;
			break;
		case 'W':
			if (window_arg(optarg, &lim.source_window) < 0)
				return 2;
			break;
		case 'I': incident = optarg; break;
		case 'J': journal = optarg; break;
		case 'S': state = optarg; break;
		case 'T':
			if (since_arg(optarg, &since) < 0)
				return 2;
			break;
		case 's':
			if (feed_add_spec(&feed, optarg, 0, &err) < 0) {
				fprintf(stderr, "spamtop: %s\n", err.msg);
				return 2;
			}
			break;
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
			usage(stdout);
			return 0;
		default:
			usage(stderr);
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
	int status = 0;
	if (feed_read(&feed, m, since, 0, &ro.input, &err) < 0) {
		fprintf(stderr, "spamtop: %s\n", err.msg);
		status = 1;
	}
	ro.sources = files;
	if (incident) {
		status |= write_incident(m, &ro, incident, journal, state);
		model_free(m);
		return status;
	}
	int rc = json ? report_write_json(stdout, m, &ro, &err) : report_write_text(stdout, m, &ro, &err);
	if (rc < 0) {
		fprintf(stderr, "spamtop: %s\n", err.msg);
		status = 1;
	}
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
		{"our-domains", required_argument, NULL, 'O'},
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
		{"journald", no_argument, NULL, 'j'},
		{"source", required_argument, NULL, 's'},
		{"since", required_argument, NULL, 'T'},
		{"max-keys", required_argument, NULL, 'K'},
		{"ip-window", required_argument, NULL, 'W'},
		{"throttle", required_argument, NULL, 'H'},
		{NULL, 0, NULL, 0},
	};
	static struct feed feed;
	struct error err = {""};
	struct console_options o;
	console_options_default(&o);
	o.cleanup = cleanup;
	optind = 1;
	o.journal = journal_default_path();
	int c;
	double v;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n': o.dry_run = 1; break;
		case 'Q': o.no_queue = 1; break;
		case 'e': o.from_end = 1; break;
		case 'C': o.no_color = 1; break;
		case 'A': o.alert_cmd = optarg; break;
		case 'j': o.journald = 1; break;
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
		case 'O': o.our_domains = optarg; break;
		case 'T':
			if (since_arg(optarg, &o.since) < 0)
				return 2;
			break;
		case 'K':
			if (number_arg("--max-keys", optarg, 16, 1e8, &v) < 0)
				return 2;
			o.max_keys = (size_t)v;
			break;
		case 'W':
			if (window_arg(optarg, &o.ip_window) < 0)
				return 2;
			break;
		case 's':
			if (feed_add_spec(&feed, optarg, 1, &err) < 0) {
				fprintf(stderr, "spamtop: %s\n", err.msg);
				return 2;
			}
			break;
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
			usage(stderr);
			return 2;
		}
	}
	feed.journald = o.journald;
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
	if (!isatty(STDOUT_FILENO)) {
		fputs("spamtop: the console needs a terminal; use --report (see --help)\n", stderr);
		return 2;
	}
	return console_run(&o);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("spamtop %s\n", SPAMTOP_VERSION);
		return 0;
	}
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc > 2 && argv[1][0] != '-' && strcmp(argv[2], "--help") == 0) {	/* spamtop cleanup --help, ... */
		usage(stdout);
		return 0;
	}
	if (argc > 1 && argv[1][0] != '-') {
		int rc = queue_command(argc - 1, argv + 1);
		if (rc != QUEUE_NOT_A_COMMAND)
			return rc;
		rc = monitor_command(argc - 1, argv + 1);
		if (rc != MONITOR_NOT_A_COMMAND)
			return rc;
		rc = contain_command(argc - 1, argv + 1);
		if (rc != CONTAIN_NOT_A_COMMAND)
			return rc;
	}
	if (argc > 1 && strcmp(argv[1], "cleanup") == 0) {
		int rc = cleanup_command(argc - 1, argv + 1);
		return rc != CLEANUP_NOT_A_COMMAND ? rc : run_console(argc - 1, argv + 1, 1);
	}
	if (argc > 1 && strcmp(argv[1], "report") == 0)
		return run_report(argc - 1, argv + 1);
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--report") == 0)
			return run_report(argc, argv);
	return run_console(argc, argv, 0);
}
