/*
 * logline - split one mail-log line into time, host, program, pid and text.
 *
 * Forms read: BSD syslog ("Jun 21 08:34:30 host prog[pid]: text", day padded
 * with a space or a zero, or not at all: "Jan 6 08:39:06"), RFC 3339 as written by rsyslog and by Postfix's
 * maillog_file ("2026-11-24T08:34:30.123456+00:00 host ..."), and journalctl
 * -o short-iso ("2026-11-24T08:34:30+0000 host ..."). BSD stamps carry no
 * year: it is inferred from a reference time (a December line read in
 * January belongs to the previous year) and the local time zone.
 *
 * Dovecot's own log file (log_path) is read too: "STAMP PREFIX: TYPE: text"
 * ("Mar 13 08:32:19 imap-login: Info: Disconnected ..."; its stamp in the
 * default log_timestamp, or "2016-08-19 15:01:05", local time) is given as
 * a line of program "dovecot", no host, its text from PREFIX on.
 *
 * A Postfix line is one whose program is "postfix..." (postfix/smtpd,
 * postfix-out/smtpd, postfix/submission/smtpd) or ends in a Postfix daemon
 * name after a '/'. Other lines are LINE_OTHER: counted by the caller, never
 * an error. No allocation; all views point into the caller's line.
 */
#ifndef SPAMTOP_LOGLINE_H
#define SPAMTOP_LOGLINE_H

#include <stdint.h>
#include <time.h>

#include "core/base/buf.h"

enum line_status {
	LINE_POSTFIX,		/* a Postfix line, fully split */
	LINE_OTHER,		/* a well-formed line from another program */
	LINE_MALFORMED,		/* no recognizable time stamp or program */
};

struct log_line {
	int64_t time;		/* seconds since the epoch, UTC */
	struct strview host;
	struct strview program;	/* "postfix/submission/smtpd" */
	struct strview instance;	/* "postfix" / "postfix-out": before the first '/' */
	struct strview service;	/* "smtpd": after the last '/' */
	struct strview master_service;	/* "submission", "relay": between the first and the last
					 * '/', the master.cf service whose syslog_name is
					 * postfix/$service_name; empty without one */
	long pid;		/* -1 when absent */
	struct strview text;	/* after "prog[pid]: " */
};

/* The last local minute converted: its stamp's text, and its epoch. */
struct minute_cache {
	char stamp[16];
	int64_t epoch;
};

struct time_context {
	int64_t reference;	/* stamps more than 2 days after it are last year's */
	int ref_year;		/* year of the reference time */
	struct minute_cache bsd;	/* "Mmm dd hh:mm" */
	struct minute_cache iso;	/* Dovecot's "YYYY-MM-DD HH:MM" (a local time without zone) */
};

/* Reference time for year inference: now, or a fixed time in tests. */
void time_context_init(struct time_context *tc, time_t reference);

enum line_status logline_parse(struct time_context *tc, const char *line, size_t len,
			       struct log_line *out);

/* Parses just the time stamp; returns the bytes consumed (0 if none). */
size_t logline_parse_time(struct time_context *tc, const char *s, size_t len, int64_t *out);

#endif
