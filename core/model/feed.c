/*
 * feed - the logs a front end reads, as the admin named them (see feed.h).
 */
#include "core/model/feed.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/base/clock.h"
#include "core/base/spawn.h"
#include "core/logs/logline.h"
#include "core/model/ingest.h"

#define SSH_TAIL_FIRST_BYTES ((uint64_t)32 << 20)	/* an hour of a busy server's log, often */
#define SSH_TAIL_MAX_BYTES ((uint64_t)1 << 30)	/* kept in /tmp at the most */
#define SSH_TAIL_TIMEOUT_MS (10 * 60 * 1000)

int feed_add_spec(struct feed *f, const char *arg, struct error *err)
{
	if (f->n == FEED_MAX_SOURCES) {
		error_set(err, "at most %d logs", FEED_MAX_SOURCES);
		return -1;
	}
	if (source_spec_parse(arg, &f->src[f->n], err) < 0)
		return -1;
	f->n++;
	f->named = 1;
	return 0;
}

int feed_add_file(struct feed *f, const char *path, struct error *err)
{
	if (f->n == FEED_MAX_SOURCES) {
		error_set(err, "at most %d logs", FEED_MAX_SOURCES);
		return -1;
	}
	source_spec_file(&f->src[f->n++], path);
	return 0;
}

/* first_of_host - whether src[i] is its host's first source */
static int first_of_host(const struct feed *f, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (strcmp(f->src[j].host, f->src[i].host) == 0)
			return 0;
	return 1;
}

/* order_by_host - each host's rotated files oldest first, in the slots its files had */
static void order_by_host(struct feed *f)
{
	static char copy[FEED_MAX_SOURCES][sizeof(f->src[0].path)];
	for (size_t i = 0; i < f->n; i++) {
		if (!first_of_host(f, i))
			continue;
		const char *paths[FEED_MAX_SOURCES];
		size_t slot[FEED_MAX_SOURCES], k = 0;
		for (size_t j = i; j < f->n; j++)
			if (strcmp(f->src[j].host, f->src[i].host) == 0 && !source_spec_is_ssh(&f->src[j])) {
				memcpy(copy[k], f->src[j].path, sizeof(copy[k]));
				paths[k] = copy[k];
				slot[k++] = j;
			}
		source_order_rotated(paths, k);
		for (size_t j = 0; j < k; j++)
			snprintf(f->src[slot[j]].path, sizeof(f->src[0].path), "%s", paths[j]);
	}
}

static int same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int feed_finish(struct feed *f, int stdin_default, struct error *err)
{
	for (size_t i = 0; f->named && i < f->n; i++)
		if (f->src[i].host[0] == 0) {
			error_set(err, "with --source, give every log as --source NAME=PATH");
			return -1;
		}
	if (f->n == 0 && !f->journald) {
		f->configured = !stdin_default;
		const char *log = stdin_default ? "-" : ingest_default_log();
		if (log)
			source_spec_file(&f->src[f->n++], log);
		else
			f->journald = 1;	/* no mail log file: Postfix logs to the journal */
		const char *dovecot = stdin_default ? NULL : ingest_default_dovecot_log();
		if (dovecot && !(log && same_file(log, dovecot)))
			source_spec_file(&f->src[f->n++], dovecot);
	}
	order_by_host(f);
	return 0;
}

/* dir_of - the directory part of path ("." for a bare name); its base name returned */
static const char *dir_of(const char *path, char *dir, size_t size)
{
	const char *slash = strrchr(path, '/');
	if (slash == NULL)
		snprintf(dir, size, ".");
	else
		snprintf(dir, size, "%.*s", (int)(slash - path + 1), path);
	return slash ? slash + 1 : path;
}

/* rotation_of - path is log, or one of its rotated files (log.1, log.2.gz, log-20261201) */
static int rotation_of(const char *path, const char *log)
{
	if (log[0] == 0)
		return 0;
	if (same_file(path, log))
		return 1;
	char pdir[1024], ldir[1024];
	const char *pb = dir_of(path, pdir, sizeof(pdir)), *lb = dir_of(log, ldir, sizeof(ldir));
	size_t n = strlen(lb);
	return strncmp(pb, lb, n) == 0 && (pb[n] == '.' || pb[n] == '-') && same_file(pdir, ldir);
}

int feed_is_this_server(const struct feed *f)
{
	if (f->named)
		return 0;
	if (f->configured)
		return 1;	/* feed_finish asked postconf and doveconf already */
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->src[i].path, "-") == 0)
			return 0;	/* whoever wrote it */
	if (f->n == 0)
		return 1;	/* the journal */
	char logs[2][512];	/* Postfix's and Dovecot's, as configured here (each asks postconf or doveconf) */
	const char *log = ingest_default_log();
	snprintf(logs[0], sizeof(logs[0]), "%s", log ? log : "");
	log = ingest_default_dovecot_log();
	snprintf(logs[1], sizeof(logs[1]), "%s", log ? log : "");
	for (size_t i = 0; i < f->n; i++)
		if (!rotation_of(f->src[i].path, logs[0]) && !rotation_of(f->src[i].path, logs[1]))
			return 0;
	return 1;
}

/* read_over_ssh - another server's log, whole (a pipe cannot be read from its end back) */
static int read_over_ssh(const struct source_spec *s, struct model *m, struct source_stats *stats, struct error *err)
{
	struct buf quoted = BUF_INIT;
	char *argv[SOURCE_SPEC_ARGV];
	source_spec_ssh_read_argv(s, &quoted, argv);
	int rc = ingest_program(m, argv, stats, err);
	if (rc < 0)
		source_spec_ssh_failed(s, err->msg, strlen(err->msg), "ssh failed", err);
	buf_free(&quoted);
	return rc;
}

/* The end of another server's log, as tail -c gave it, kept in a file of this machine's. */
struct ssh_piece {
	FILE *f;
	uint64_t bytes;
	size_t lines;
	struct time_context tc;
	int64_t first[2];	/* the times of its first two lines (0: none): the first may be cut */
	int64_t last;		/* of its last line that has one */
	int write_failed;
};

static int piece_line(const char *line, size_t len, void *arg)
{
	struct ssh_piece *p = arg;
	p->bytes += len + 1;
	if (fwrite(line, 1, len, p->f) != len || putc('\n', p->f) == EOF) {
		p->write_failed = 1;
		return 1;	/* stop reading */
	}
	int64_t t;
	if (logline_parse_time(&p->tc, line, len, &t) == 0)
		t = 0;
	if (p->lines < 2)
		p->first[p->lines] = t;
	p->lines++;
	if (t)
		p->last = t;
	return 0;
}

/* piece_covers - the piece holds the whole window: it is the whole file (shorter than
 * asked), or its first whole line is older than `seconds` before its last */
static int piece_covers(const struct ssh_piece *p, uint64_t asked, int64_t seconds)
{
	if (p->bytes < asked)
		return 1;
	int64_t first = p->first[1];	/* the first line is cut where tail -c began */
	return first && p->last && first <= p->last - seconds;
}

/* fetch_piece - the last `bytes` of s's log into a new unnamed file (p->f); -1 with err */
static int fetch_piece(const struct source_spec *s, uint64_t bytes, time_t reference, struct ssh_piece *p,
		       struct error *err)
{
	memset(p, 0, sizeof(*p));
	time_context_init(&p->tc, reference);
	if ((p->f = tmpfile()) == NULL) {
		error_errno(err, errno, "%s: cannot keep its log's end here (tmpfile)", s->host);
		return -1;
	}
	struct buf quoted = BUF_INIT;
	char *argv[SOURCE_SPEC_ARGV], count[24];
	source_spec_ssh_tail_argv(s, bytes, count, &quoted, argv);
	struct spawn_result res;
	int rc = spawn_lines(argv, SSH_TAIL_TIMEOUT_MS, piece_line, p, &res, err);
	buf_free(&quoted);
	if (rc == 0 && (p->write_failed || fflush(p->f) != 0)) {
		error_errno(err, errno, "%s: cannot keep its log's end here", s->host);
		rc = -1;
	} else if (rc == 0 && (!res.exited || res.status != 0)) {
		source_spec_ssh_failed(s, res.err.data, res.err.len, res.timed_out ? "timed out" : "ssh failed", err);
		rc = -1;
	}
	spawn_result_free(&res);
	if (rc < 0) {
		fclose(p->f);
		p->f = NULL;
	}
	return rc;
}

/*
 * feed_read_ssh_tail - the last `seconds` of another server's log without
 * reading all of it over the network (see feed.h)
 */
int feed_read_ssh_tail(const struct source_spec *s, struct model *m, int64_t seconds, uint64_t first_bytes,
		       uint64_t max_bytes, struct source_stats *stats, struct error *err)
{
	struct ssh_piece p;
	for (uint64_t bytes = first_bytes;; bytes *= 2) {
		if (bytes > max_bytes)	/* an hour bigger than this: streamed, not kept on disk */
			return read_over_ssh(s, m, stats, err);
		if (fetch_piece(s, bytes, (time_t)model_reference(m), &p, err) < 0)
			return -1;
		if (piece_covers(&p, bytes, seconds))
			break;
		fclose(p.f);
	}
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fileno(p.f));
	int rc = ingest_file_tail(m, path, seconds, stats, err);
	fclose(p.f);
	if (rc < 0)
		source_spec_ssh_failed(s, err->msg, strlen(err->msg), "its log's end could not be read", err);
	return rc;
}

/*
 * read_local_files - the files of one host from src[i] on: merged by their
 * lines' times (ingest_sources), a log's rotations one stream, with the
 * journal when journal is its argv; the number of sources read
 */
static size_t read_local_files(const struct feed *f, size_t i, struct model *m, int64_t seconds,
			       char *const *journal, struct source_stats *stats, struct error *err, int *rc)
{
	const char *paths[FEED_MAX_SOURCES];
	int stream[FEED_MAX_SOURCES];
	size_t n = 0;
	for (size_t j = i; j < f->n && !source_spec_is_ssh(&f->src[j]) && strcmp(f->src[j].host, f->src[i].host) == 0; j++) {
		stream[n] = n == 0 ? 0 : stream[n - 1] + !source_same_log(paths[n - 1], f->src[j].path);
		paths[n++] = f->src[j].path;
	}
	if (ingest_sources(m, paths, stream, n, seconds, journal, stats, err) < 0)
		*rc = -1;
	return n;
}

/* local_group - the first of this machine's files (no host named), or f->n */
static size_t local_group(const struct feed *f)
{
	size_t i = 0;
	while (i < f->n && (source_spec_is_ssh(&f->src[i]) || f->src[i].host[0]))
		i++;
	return i;
}

int feed_read(const struct feed *f, struct model *m, int64_t seconds, int tail_files,
	      struct source_stats *stats, struct error *err)
{
	int rc = 0;
	struct journal_argv j;
	char **journal = ingest_journal_argv(seconds, &j);
	size_t merged = f->journald ? local_group(f) : f->n;	/* the journal read with this machine's files */
	if (f->journald && merged == f->n && ingest_sources(m, NULL, NULL, 0, 0, journal, stats, err) < 0)
		rc = -1;
	for (size_t i = 0; i < f->n;) {
		if (f->src[i].host[0]) {
			int h = model_add_host(m, f->src[i].host);
			if (h < 0) {
				error_set(err, "%s: at most %d hosts", f->src[i].host, MODEL_MAX_HOSTS);
				rc = -1;
				i++;
				continue;
			}
			model_set_host(m, h);
		}
		int tail = tail_files && seconds > 0;
		if (!source_spec_is_ssh(&f->src[i])) {
			i += read_local_files(f, i, m, tail ? seconds : 0, f->journald && i == merged ? journal : NULL,
					      stats, err, &rc);
			continue;
		}
		if ((tail ? feed_read_ssh_tail(&f->src[i], m, seconds, SSH_TAIL_FIRST_BYTES, SSH_TAIL_MAX_BYTES, stats, err)
			  : read_over_ssh(&f->src[i], m, stats, err)) < 0)
			rc = -1;
		i++;
	}
	return rc;
}

struct model *feed_model(const struct feed *f, struct error *err)
{
	struct model *m = model_new(NULL, (time_t)clock_now());
	struct source_stats st = {0};
	if (m == NULL) {
		error_set(err, "out of memory");
		return NULL;
	}
	if (feed_read(f, m, 0, 0, &st, err) < 0) {
		model_free(m);
		return NULL;
	}
	return m;
}

size_t feed_paths(const struct feed *f, const char *out[FEED_MAX_SOURCES + 1])
{
	for (size_t i = 0; i < f->n; i++)
		out[i] = f->src[i].path;
	out[f->n] = NULL;
	return f->n;
}

void feed_describe(const struct feed *f, char *out, size_t size)
{
	size_t used = 0;
	out[0] = 0;
	for (size_t i = 0; i < f->n && used < size; i++)
		used += (size_t)snprintf(out + used, size - used, "%s%s", i ? ", " : "",
					 strcmp(f->src[i].path, "-") == 0 ? "standard input" : f->src[i].path);
	if (f->journald && used < size)
		snprintf(out + used, size - used, "%sthe systemd journal", f->n ? ", " : "");
}
