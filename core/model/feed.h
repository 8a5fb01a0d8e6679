/*
 * feed - the logs a front end reads, as the admin named them: plain files
 * (rotated sets, .gz, "-"), `--source NAME=PATH` hosts, `--source
 * NAME=ssh://...` (followed by the console, read whole by ssh HOST cat for the
 * others, or its end by ssh HOST tail -c when only the last seconds are
 * wanted), the systemd journal; with
 * none named, Postfix's log as it is configured (ingest_default_log: its
 * maillog_file, the syslog file, else the journal).
 *
 * The report, check and metrics read a feed once (feed_read); the console
 * follows the same specs. One name per host: a host's files are read oldest
 * first (app.log.2.gz, app.log.1, app.log), the first host named is host 0
 * (this machine). Unnamed files are split by the host name each line was
 * logged with (a central syslog file: see model.h).
 */
#ifndef SPAMTOP_FEED_H
#define SPAMTOP_FEED_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/error.h"
#include "core/model/model.h"
#include "core/logs/source.h"
#include "core/model/source_spec.h"

#define FEED_MAX_SOURCES 16

struct feed {
	struct source_spec src[FEED_MAX_SOURCES];
	size_t n;
	int journald;		/* the systemd journal too (or alone) */
	int named;		/* some source was given as NAME=PATH */
	int configured;		/* nothing was named: feed_finish took the logs as configured here */
};

/* `--source NAME=PATH` or NAME=ssh://...; -1 with err. */
int feed_add_spec(struct feed *f, const char *arg, struct error *err);
/* A plain FILE ("-": standard input); -1 with err past FEED_MAX_SOURCES. */
int feed_add_file(struct feed *f, const char *path, struct error *err);
/*
 * Ready to read: plain files mixed with named sources refused (err); with
 * nothing named, the configured log (or the journal when Postfix logs only
 * there, or stdin_default: "-"); each host's files oldest first.
 */
int feed_finish(struct feed *f, int stdin_default, struct error *err);
/*
 * Reads the feed into m (each source's host named first): the journal from
 * `seconds` ago (all of it at 0); each file whole, or with tail_files its
 * last `seconds` of log time (measured back from its last line). A source
 * that cannot be read is reported in err (the last one) and the rest are
 * still read: -1 then, else 0.
 */
int feed_read(const struct feed *f, struct model *m, int64_t seconds, int tail_files,
	      struct source_stats *stats, struct error *err);
/*
 * The last `seconds` of an ssh source's log into m without copying it all:
 * `tail -c` of first_bytes of its end, twice as much each time until the
 * piece begins before the window or is the whole file, kept in an unnamed
 * file here and read as a local file's end is (ingest_file_tail). Past
 * max_bytes (an hour bigger than that, or stamps that cannot be read) the
 * log is read whole, streamed, never kept here. feed_read uses 32 MiB and
 * 1 GiB. -1 with err (the host and what ssh said).
 */
int feed_read_ssh_tail(const struct source_spec *s, struct model *m, int64_t seconds, uint64_t first_bytes,
		       uint64_t max_bytes, struct source_stats *stats, struct error *err);
/* The feed reads this server's own logs only: Postfix's as configured here
 * (or its rotated files), Dovecot's, the journal. What Postfix's
 * configuration here says (our domains) holds for their lines. */
int feed_is_this_server(const struct feed *f);
/* A new model (dated by the clock) with the whole feed read into it; NULL
 * with err when it cannot be made or a source cannot be read (a command
 * acting on the queue by what the log says acts on all of it or not at all). */
struct model *feed_model(const struct feed *f, struct error *err);
/* The files' paths, in reading order (NULL-terminated: FEED_MAX_SOURCES + 1). */
size_t feed_paths(const struct feed *f, const char *out[FEED_MAX_SOURCES + 1]);
/* What was read, for a title or a report: "a.log, b.log" / "the systemd journal". */
void feed_describe(const struct feed *f, char *out, size_t size);

#endif
