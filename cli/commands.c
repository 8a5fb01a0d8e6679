/*
 * commands - the command table of the command line: every command's name,
 * one-line summary, synopsis, words and the function that runs it. The
 * help (spamtop --help, spamtop help COMMAND, spamtop COMMAND --help) and
 * the bash completion (spamtop --bash-completion: commands and each one's
 * options, taken from its own words) come from this table; README.md and
 * doc/spamtop.1 say the same (keep them in step).
 */
#include "commands.h"

#include <stdio.h>
#include <string.h>

static const char monitor_words[] =
	"check is a Nagios/Icinga plugin (exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN;\n"
	"one line, performance data after |); metrics writes Prometheus text or\n"
	"InfluxDB lines (--output: a temporary file renamed into place). Thresholds\n"
	"(warning, critical): queue 100 200, deferred 100 500, user_rate 10 20 a\n"
	"minute, user_ips 3 5, ip_failures 3 10 in 20 minutes (not this machine's\n"
	"loopback, nor an address where every failure named an account that had\n"
	"logged in from there), relay_rate 10 30 a minute, null_sender_pct 30 60,\n"
	"local_rate 10 30 a minute (sendmail, one uid),\n"
	"blocklisted 1 3 (domains refusing this server for its reputation, last hour);\n"
	"change them in /etc/spamtop.conf or\n"
	"$XDG_CONFIG_HOME/spamtop/config (lines NAME = WARN CRIT) or with --set.\n"
	"check reads the last hour of a log (--whole-log: all of it), metrics all of it.\n";

static const struct command command_table[] = {
	{"", "the live console: logs, queue, suspects, action keys",
	 "       spamtop [CONSOLE OPTIONS] [FILE...]\n",
	 "The console (the default) reads the mail logs (history first, then follows\n"
	 "them across rotation; .gz files are read once, - as it comes; default: Postfix's\n"
	 "maillog_file, else /var/log/mail.log or /var/log/maillog, else the systemd\n"
	 "journal; and Dovecot's log_path file when it writes one) and the live queue,\n"
	 "and shows SASL users, client IPs, senders, domains, the queue and\n"
	 "authentication failures, suspects flagged. ? in the console lists its keys.\n"
	 "  --dry-run        actions show what they would do and change nothing\n"
	 "  --no-queue       do not read the live queue (a log copied from elsewhere)\n"
	 "  --from-end       skip the history: only lines written from now on\n"
	 "  --since DURATION only lines of the last 90s, 30m, 2h, 1d (also --report)\n"
	 "  --ip-window D    a SASL user's client IPs are counted within D (default 1h;\n"
	 "                   an IPv6 /64 is one source; a window of 10+ of its messages)\n"
	 "  --max-keys N     users, IPs, senders, domains kept each (default 100000);\n"
	 "                   past it the coldest go, so memory stays bounded\n"
	 "  --source NAME=PATH  a log of host NAME; several hosts add a Host column\n"
	 "                   (@ shows one host at a time; a central syslog file is split\n"
	 "                   by the host names it logs, no --source needed). PATH may be\n"
	 "                   ssh://[USER@]HOST[:PORT]/PATH: ssh HOST tail -F PATH.\n"
	 "                   The first is this machine: the queue and actions are its own;\n"
	 "                   an action on an ssh host's row runs that server's spamtop\n"
	 "                   there (its dry run shown first, then run on y)\n"
	 "  --journald       read Postfix's entries from the systemd journal too\n"
	 "                   (journalctl -f -o short-iso SYSLOG_FACILITY=2)\n"
	 "  --our-domains LIST  domains this server takes mail for, added to those of\n"
	 "                   Postfix's configuration (mydestination, virtual and relay\n"
	 "                   domains, read when the log is this server's own): mail\n"
	 "                   delivered over SMTP to them (a gateway's transport_maps)\n"
	 "                   is mail for this server, not relayed\n"
	 "  --refresh SECS   refresh interval (default 1; 0.2 to 10)\n"
	 "  --keymap NAME    default, vim, or a key-binding file (see keymaps/)\n"
	 "  --queue-warn N   queue gauge turns yellow at N messages (default 100)\n"
	 "  --queue-crit N   and red at N (default 200)\n"
	 "  --alert-cmd CMD  run CMD (an argv, no shell; {check} {state} {value}\n"
	 "                   {subject} filled in) when a check turns WARNING or\n"
	 "                   CRITICAL, at most once in 5 minutes per check; the\n"
	 "                   terminal bell rings too. Journaled (action alert),\n"
	 "                   and run even when the journal cannot be written\n"
	 "  --no-color       monochrome (so does NO_COLOR in the environment)\n"
	 "  --journal FILE   audit journal (default /var/log/spamtop/journal.jsonl)\n",
	 run_console_command},
	{"cleanup", "the guided six-step cleanup (--plan, --yes)",
	 "       spamtop cleanup [--resume] [--state FILE] [--incident FILE]\n"
	 "               [--disable-cmd CMD] [--our-domains LIST] [--dovecot-config FILE]\n"
	 "               [CONSOLE OPTIONS] [FILE...]\n"
	 "       spamtop cleanup --plan [--state FILE] [--disable-cmd CMD] [--our-domains LIST]\n"
	 "               [--no-queue] [--journald] [FILE...]\n"
	 "       spamtop cleanup --yes (--sasl-user USER | --trusted-ip IP | --uid UID)...\n"
	 "               [--throttle N/SECS] [--disable-cmd CMD] [--journal FILE] [--state FILE]\n"
	 "               [--incident FILE] [--journald] [--dovecot-config FILE] [FILE...]\n",
	 "cleanup opens the console on the guided six-step cleanup (c in the console):\n"
	 "hold, read, identify, contain, clean, release and watch; its state is saved\n"
	 "after each step (--resume goes on from it) and it writes an incident report.\n"
	 "  --state FILE       the saved state (root: /var/lib/spamtop/cleanup.json)\n"
	 "  --incident FILE    the incident report (root: /var/lib/spamtop/spamtop-incident-*.md)\n"
	 "  --disable-cmd CMD  step 4 for an account, e.g. 'doveadm kick {user}' (an argv,\n"
	 "                     no shell); unset: the manual steps are shown\n"
	 "  --our-domains LIST added to the domains postconf says are ours\n"
	 "  --dovecot-config FILE  Dovecot's configuration (doveconf -c) for step 4's\n"
	 "                     block at Dovecot (default: Dovecot's own)\n"
	 "  --throttle N/SECS  step 6's throttled release (t): N messages every SECS\n"
	 "                     seconds, oldest first (default 100/60)\n"
	 "  --plan             no screen: print every step's findings and the commands it\n"
	 "                     would run (with --state, the marks saved there); runs nothing\n"
	 "  --yes              no screen, no question: run the acting steps for the targets\n"
	 "                     named (--sasl-user, --trusted-ip, --uid): hold, contain,\n"
	 "                     delete their confirmed queued messages, release; journaled;\n"
	 "                     with --throttle, the release goes in batches while the log\n"
	 "                     files (or the journal's new entries) are followed, and stops\n"
	 "                     (the queue held again) when a contained target sends again,\n"
	 "                     or (the rest held) when journalctl ends\n"
	 "  --journald         (--plan, --yes) Postfix's entries of the systemd journal, as\n"
	 "                     when there is no mail log file\n",
	 run_cleanup_command},
	{"report", "who is sending: text or JSON; the incident report",
	 "       spamtop --report [--json] [--top N] [--since DURATION] [--journald]\n"
	 "               [--our-domains LIST] [FILE... | --source NAME=PATH...]\n"
	 "       spamtop report --incident FILE [--journal FILE] [--state FILE] [FILE...]\n",
	 "Report mode reads Postfix mail logs (plain, rotated .gz, or - for stdin)\n"
	 "and prints who is sending: SASL users, client IPs, senders, sender domains,\n"
	 "authentication failures, and the suspects of an outbreak with the reasons.\n"
	 "Several logs (the mail log or the journal, Dovecot's own log file) are read\n"
	 "merged by time, each log's rotations oldest first.\n"
	 "\n"
	 "  --report         print the report and exit\n"
	 "  --json           the report as JSON (schema spamtop.report/1, see README)\n"
	 "  --top N          rows per table (default 10)\n"
	 "  --source NAME=PATH  a log of host NAME: several give a Host column; PATH may be\n"
	 "                   ssh://[USER@]HOST[:PORT]/PATH: read whole by ssh HOST cat (also\n"
	 "                   metrics; check reads its end by ssh HOST tail -c)\n"
	 "  --journald       Postfix's entries of the systemd journal (also check, metrics)\n"
	 "  --our-domains LIST  as in the console (also check, metrics)\n"
	 "  --max-keys N     as in the console\n"
	 "  --ip-window D    as in the console\n",
	 run_report_command},
	{"queue", "the live queue: counts, top senders, JSON",
	 "       spamtop queue [--json | --summary] [--log FILE]... [--journald]\n",
	 "queue reads the live queue (postqueue -j, every instance postmulti -l lists) and\n"
	 "prints one line per message: its sender, SASL user and client IP (from the log).\n"
	 "  --summary        counts by state and age and the top senders only (readable\n"
	 "                   with a million messages)\n"
	 "  --json           every message as JSON\n"
	 "  --log FILE       the mail log its SASL users and client IPs come from (repeatable)\n"
	 "  --journald       Postfix's entries of the systemd journal instead\n",
	 queue_command},
	{"hold|release|requeue|delete", "change the queued messages a selection names",
	 "       spamtop hold|release|requeue|delete (--all | SELECTION...)\n"
	 "               [--dry-run] [--yes] [--log FILE]... [--journald] [--journal FILE]\n",
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
	 "  --journal FILE   audit journal (default /var/log/spamtop/journal.jsonl)\n",
	 queue_command},
	{"block|unblock", "make Postfix refuse an account, a host, a relay, a local user",
	 "       spamtop block|unblock --sasl-user USER [--dovecot-config FILE] | --client-ip IP |\n"
	 "               --local-user USER|UID [--dry-run] [--yes] [--journal FILE]\n"
	 "       spamtop block --trusted-ip IP... [--dry-run] [--yes] [--journal FILE]\n"
	 "       spamtop unblock --trusted-ip IP [--dry-run] [--yes] [--journal FILE]\n",
	 "block --sasl-user USER makes Postfix refuse the account's mail (a line in\n"
	 "/etc/postfix/spamtop/sasl_access, check_sasl_access at the front of\n"
	 "smtpd_sender_restrictions); unblock removes the line. At Dovecot too, when it\n"
	 "has a deny passdb (doveconf -n, or -c --dovecot-config FILE): the account's\n"
	 "line in that file, then doveadm auth cache flush and kick, so that its IMAP,\n"
	 "POP3 and submission logins fail. block --client-ip IP\n"
	 "refuses a host the same way (check_client_access, smtpd_client_restrictions),\n"
	 "ahead of permit_mynetworks. block --trusted-ip IP... drops the IPs' exact\n"
	 "entries from mynetworks in one edit, read back before postfix reload;\n"
	 "unblock --trusted-ip IP puts back mynetworks' exact value before the journaled\n"
	 "edit that dropped IP (refused if it changed since). block --local-user keeps\n"
	 "a web application's user (a name, or the uid pickup logs) from sendmail:\n"
	 "\"!NAME\" put first in authorized_submit_users as it is (no reload needed);\n"
	 "unblock takes it out again. With several Postfix instances (postmulti), each\n"
	 "instance's main.cf is changed (mynetworks: where it trusts the IP), every\n"
	 "postconf and reload with -c DIR. Each shows the change, asks (or --yes) and\n"
	 "is journaled.\n",
	 contain_command},
	{"check", "a Nagios/Icinga plugin: one line, exit 0-3",
	 "       spamtop check [--log FILE... | --source NAME=PATH...] [--journald] [--window MIN]\n"
	 "               [--whole-log] [--config FILE] [--set NAME=WARN,CRIT]... [--no-queue]\n"
	 "               [--our-domains LIST]\n",
	 monitor_words,
	 monitor_command},
	{"metrics", "Prometheus or InfluxDB metrics",
	 "       spamtop metrics [--format prometheus|influx] [--output FILE] [--top N]\n"
	 "               [--log FILE... | --source NAME=PATH...] [--journald] [--window MIN]\n"
	 "               [--whole-log] [--config FILE] [--set NAME=WARN,CRIT]... [--no-queue]\n"
	 "               [--our-domains LIST]\n",
	 monitor_words,
	 monitor_command},
};

#define NCOMMANDS (sizeof(command_table) / sizeof(command_table[0]))

static const char exit_status_words[] =
	"Exit status: 0 done, 1 error, 2 usage, 3 nothing changed (declined, dry run,\n"
	"or no terminal to confirm on without --yes).\n";

/* names_have - whether word is one of names ("hold|release|...") */
static int names_have(const char *names, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = names; *p;) {
		size_t len = strcspn(p, "|");
		if (len == n && n && strncmp(p, word, n) == 0)
			return 1;
		p += len + (p[len] == '|');
	}
	return 0;
}

const struct command *command_find(const char *word)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (names_have(command_table[i].names, word))
			return &command_table[i];
	return NULL;
}

const struct command *command_console(void)
{
	return &command_table[0];
}

void command_usage(FILE *out, const struct command *c)
{
	if (c) {
		fprintf(out, "usage:\n%s\n%s\n%s", c->synopsis, c->words, exit_status_words);
		return;
	}
	fputs("usage:\n", out);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fputs(command_table[i].synopsis, out);
	fputs("       spamtop help [COMMAND] | --help | --version | --bash-completion\n\ncommands:\n", out);
	for (size_t i = 1; i < NCOMMANDS; i++)
		fprintf(out, "  %-28s %s\n", command_table[i].names, command_table[i].summary);
	fprintf(out, "  %-28s %s\n\n", "(none)", command_table[0].summary);
	const char *said = NULL;
	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (command_table[i].words == said)
			continue;	/* commands that share their words */
		said = command_table[i].words;
		fprintf(out, "%s\n", said);
	}
	fputs(exit_status_words, out);
}

/* put_options - every --option a command's synopsis and words name, once each, in order */
static void put_options(FILE *out, const struct command *c)
{
	char seen[4096] = " ";	/* " --a --b ": those said */
	const char *texts[] = {c->synopsis, c->words};
	int first = 1;
	for (int t = 0; t < 2; t++)
		for (const char *p = texts[t]; (p = strstr(p, "--")) != NULL;) {
			size_t n = 2;
			while ((p[n] >= 'a' && p[n] <= 'z') || p[n] == '-')
				n++;
			char opt[64];
			if (n > 2 && n < sizeof(opt) - 2 && (p == texts[t] || p[-1] != '-')) {
				snprintf(opt, sizeof(opt), " %.*s ", (int)n, p);
				if (strstr(seen, opt) == NULL && strlen(seen) + n + 2 < sizeof(seen)) {
					strcat(seen, opt + 1);
					fprintf(out, "%s%.*s", first ? "" : " ", (int)n, p);
					first = 0;
				}
			}
			p += n;
		}
}

void command_bash_completion(FILE *out)
{
	fputs("# bash completion for spamtop, made by spamtop --bash-completion from its\n"
	      "# command table: commands, each one's options, and values where they are known\n"
	      "_spamtop() {\n"
	      "\tlocal cur prev cmd\n"
	      "\tcur=${COMP_WORDS[COMP_CWORD]}\n"
	      "\tprev=${COMP_WORDS[COMP_CWORD-1]}\n"
	      "\tcmd=${COMP_WORDS[1]:-}\n"
	      "\tcase $prev in\n"
	      "\t--log|--journal|--state|--incident|--output|--config|--keymap)\n"
	      "\t\tCOMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n"
	      "\t--format) COMPREPLY=($(compgen -W \"prometheus influx\" -- \"$cur\")); return ;;\n"
	      "\tesac\n"
	      "\tif [ \"$COMP_CWORD\" = 1 ] && [[ $cur != -* ]]; then\n"
	      "\t\tCOMPREPLY=($(compgen -W \"help", out);
	for (size_t i = 1; i < NCOMMANDS; i++)
		for (const char *p = command_table[i].names; *p;) {
			size_t len = strcspn(p, "|");
			fprintf(out, " %.*s", (int)len, p);
			p += len + (p[len] == '|');
		}
	fputs("\" -- \"$cur\"))\n"
	      "\t\t[ ${#COMPREPLY[@]} -gt 0 ] && return\n"
	      "\tfi\n"
	      "\tlocal opts\n"
	      "\tcase $cmd in\n", out);
	for (size_t i = 1; i < NCOMMANDS; i++) {
		fprintf(out, "\t%s) opts=\"", command_table[i].names);
		put_options(out, &command_table[i]);
		fputs("\" ;;\n", out);
	}
	fputs("\t*) opts=\"", out);
	put_options(out, &command_table[0]);
	fputs(" --json --top --help --version\" ;;\n"
	      "\tesac\n"
	      "\tCOMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
	      "\t[ ${#COMPREPLY[@]} -gt 0 ] || COMPREPLY=($(compgen -f -- \"$cur\"))\n"
	      "}\n"
	      "complete -F _spamtop spamtop\n", out);
}
