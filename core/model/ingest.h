/*
 * ingest - feed whole log files (plain, .gz or stdin) into the model.
 */
#ifndef SPAMTOP_INGEST_H
#define SPAMTOP_INGEST_H

#include "core/base/error.h"
#include "core/model/model.h"
#include "core/logs/logline.h"
#include "core/logs/pipe_source.h"
#include "core/logs/source.h"

/* Reads every line of path into m, adding to *stats. -1 with err on failure. */
int ingest_file(struct model *m, const char *path, struct source_stats *stats, struct error *err);
/*
 * Reads several files of one host into m, merged by their lines' times:
 * files of the same stream number (next to each other, oldest first: a
 * log's rotations) one after the other, and the streams (the mail log,
 * Dovecot's own log) line by line in time order; with seconds > 0, only
 * each file's last `seconds` (as ingest_file_tail). A file that cannot be
 * opened or read is told in err (-1) and the others are read all the same.
 */
int ingest_files(struct model *m, const char *const *paths, const int *stream, size_t n, int64_t seconds,
		 struct source_stats *stats, struct error *err);
/* The same, with the output of program (an argv, never a shell; NULL: none)
 * as one more stream: Postfix logging to the journal and Dovecot to its own
 * file are read in time order too. -1 with err also when the program
 * cannot run or ends with a status other than 0 (what it said on stderr). */
int ingest_sources(struct model *m, const char *const *paths, const int *stream, size_t n, int64_t seconds,
		   char *const *program, struct source_stats *stats, struct error *err);
/* journalctl's argv for the mail facility's entries, from `seconds` ago
 * (0: all), written into j (which it points into). */
struct journal_argv {
	char *argv[6];
	char since[40];
};
char **ingest_journal_argv(int64_t seconds, struct journal_argv *j);

/* The time stamp of path's first line; 0 when it has none or cannot be read. */
int64_t ingest_first_line_time(const char *path, struct time_context *tc);

/*
 * Reads only the lines of the last `seconds` of log time of path (measured
 * back from its last line), finding where they start by a binary search on
 * the time stamps; .gz files, standard input and files under 8 MB are read
 * whole. The bytes passed over are counted in stats->skipped_bytes.
 */
int ingest_file_tail(struct model *m, const char *path, int64_t seconds, struct source_stats *stats,
		     struct error *err);

/*
 * Reads Postfix's entries of the systemd journal (journalctl --output=short-iso
 * SYSLOG_FACILITY=2, an argv; from `seconds` ago when seconds > 0, else all of
 * it) into m, on two cores as a file is. -1 with err when journalctl cannot
 * run or fails.
 */
int ingest_journal(struct model *m, int64_t seconds, struct source_stats *stats, struct error *err);
/* A program's standard output read to its end into m (an argv, no shell):
 * journalctl, or ssh reading another server's log; -1 with err when it
 * cannot start or ends with a non-zero status (what it said on stderr). */
int ingest_program(struct model *m, char *const argv[], struct source_stats *stats, struct error *err);

/*
 * Postfix's new entries of the systemd journal as they come (journalctl
 * --follow --lines=0, an argv): the console with --from-end, and the
 * cleanup's watch. NULL with err when journalctl cannot start.
 */
struct pipe_source *ingest_journal_new_entries(struct error *err);
/*
 * The console's journal in two parts, so that it knows when the history is
 * read: the history, ended by journalctl's "-- cursor: C" line
 * (ingest_journal_history), then the entries after C followed
 * (ingest_journal_follow_after; with no cursor, an empty journal: all).
 * ingest_journal_own_line tells journalctl's own lines ("-- ...") from log
 * lines, and copies a cursor (letters, digits, '=' and ';' only) into cursor.
 */
struct pipe_source *ingest_journal_history(struct error *err);
int ingest_journal_own_line(const char *line, size_t len, char *cursor, size_t size);
struct pipe_source *ingest_journal_follow_after(const char *cursor, struct error *err);

/*
 * The mail log when none is named: Postfix's maillog_file when set; else the
 * first syslog file that exists (/var/log/mail.log, /var/log/maillog; the
 * environment's SPAMTOP_SYSLOG_FILES, colon-separated, instead, for tests);
 * NULL when there is none: Postfix logs to the systemd journal only (a Debian
 * 12 server without rsyslog), and the caller reads the journal.
 */
const char *ingest_default_log(void);

/*
 * Dovecot's own log file when it writes one (doveconf: info_log_path, else
 * log_path, an absolute path readable here): its IMAP and POP3 logins and
 * failures and its submission relay lines are not in the mail log then.
 * NULL when Dovecot logs to syslog or stderr, or doveconf cannot run.
 */
const char *ingest_default_dovecot_log(void);

#endif
