/*
 * trail - a queue ID's log lines and headers (see trail.h).
 */
#define _GNU_SOURCE		/* memmem */
#include "core/queue/trail.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/logs/event.h"
#include "core/logs/source.h"
#include "core/base/spawn.h"

/* token_end - what may follow a queue ID named in a line: "QID:", "QID,",
 * "queued as QID;" (a before-queue filter's front), "queued as QID'" (Dovecot) */
static int token_end(char c)
{
	return c == ':' || c == ',' || c == ' ' || c == ';' || c == '\t' || c == '\'';
}

int trail_line_names(const char *line, size_t len, const char *qid)
{
	size_t qlen = strlen(qid);
	const char *p = line, *end = line + len;
	while (qlen && (p = memmem(p, (size_t)(end - p), qid, qlen)) != NULL) {
		int starts = p == line || p[-1] == ' ' || p[-1] == '\t';
		const char *after = p + qlen;
		if (starts && (after == end || token_end(*after)))
			return 1;
		p++;
	}
	return 0;
}

/* total_size - the files' sizes, what the progress counts to */
static size_t total_size(const char *const *paths, size_t npaths)
{
	size_t total = 0;
	struct stat st;
	for (size_t i = 0; i < npaths; i++)
		if (stat(paths[i], &st) == 0)
			total += (size_t)st.st_size;
	return total;
}

long trail_collect(const char *const *paths, size_t npaths, const char *qid, size_t max_lines,
		   struct work_progress *progress, struct buf *out, struct error *err)
{
	long found = 0;
	if (!queue_id_valid(qid, strlen(qid))) {
		error_set(err, "not a queue ID");
		return -1;
	}
	if (progress)
		atomic_store(&progress->total, total_size(paths, npaths));
	size_t done = 0, said = 0;
	for (size_t i = 0; i < npaths && (size_t)found < max_lines; i++) {
		struct line_source *src = source_open_regular(paths[i], 0, err);	/* a FIFO would hang */
		if (src == NULL)
			return -1;
		const char *line;
		size_t len;
		int rc = 0;
		while ((size_t)found < max_lines && (rc = source_next(src, &line, &len, err)) > 0) {
			done += len + 1;
			if (progress && done - said >= TRAIL_STEP_BYTES) {
				said = done;
				atomic_store(&progress->done, done);
				if (atomic_load(&progress->cancel)) {
					error_set(err, "cancelled");
					rc = -1;
					break;
				}
			}
			if (!trail_line_names(line, len, qid))
				continue;
			buf_append(out, line, len);
			buf_putc(out, '\n');
			found++;
		}
		source_close(src);
		if (rc < 0)
			return -1;
	}
	return found;
}

/* keep_named - of text (lines), those naming qid, at most max into out; returns how many */
static long keep_named(const char *text, size_t len, const char *qid, size_t max_lines, struct buf *out)
{
	long found = 0;
	for (const char *p = text, *end = text + len; p < end && (size_t)found < max_lines;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (trail_line_names(p, n, qid)) {
			buf_append(out, p, n);
			buf_putc(out, '\n');
			found++;
		}
		p += n + 1;
	}
	return found;
}

long trail_collect_remote(const struct source_spec *s, const char *qid, size_t max_lines,
			  struct work_progress *progress, struct buf *out, struct error *err)
{
	if (!queue_id_valid(qid, strlen(qid))) {
		error_set(err, "not a queue ID");
		return -1;
	}
	if (!source_spec_is_ssh(s)) {
		error_set(err, "%s is not read over ssh", s->host);
		return -1;
	}
	struct buf pattern = BUF_INIT, path = BUF_INIT;
	buf_put_shell_quoted(&pattern, qid);
	const char *words[] = {"grep", "-F", "-e", pattern.data, NULL};
	char *argv[SOURCE_SPEC_ARGV];
	source_spec_ssh_file_argv(s, words, &path, argv);
	struct spawn_result res;
	static const atomic_int never;
	long found = -1;
	if (spawn_run_stoppable(argv, 5 * 60 * 1000, progress ? &progress->cancel : &never, &res, err) == 0) {
		if (res.stopped) {
			error_set(err, "cancelled");
		} else if (res.exited && (res.status == 0 || res.status == 1)) {	/* 1: grep found none */
			found = keep_named(res.out.data ? res.out.data : "", res.out.len, qid, max_lines, out);
		} else {
			source_spec_ssh_failed(s, res.err.data, res.err.len, res.timed_out ? "timed out"
					       : "ssh or grep failed", err);
		}
		spawn_result_free(&res);
	}
	buf_free(&pattern);
	buf_free(&path);
	return found;
}

int trail_headers(const struct postfix_instance *in, const char *qid, int timeout_ms, struct buf *out,
		  struct error *err)
{
	if (!queue_id_valid(qid, strlen(qid))) {
		error_set(err, "not a queue ID");
		return -1;
	}
	char id[40];
	snprintf(id, sizeof(id), "%s", qid);
	char *argv[6];
	int argc = instance_argv(in, "postcat", argv);
	argv[argc++] = "-hq";
	argv[argc++] = id;
	argv[argc] = NULL;
	struct spawn_result res;
	if (spawn_run(argv, NULL, 0, timeout_ms, &res, err) < 0)
		return -1;
	int ok = res.exited && res.status == 0 && !res.timed_out;
	if (ok) {
		buf_append(out, res.out.data, res.out.len);
	} else if (res.timed_out) {
		error_set(err, "postcat -hq %s did not answer in %d ms", id, timeout_ms);
	} else {
		size_t n = res.err.len;
		while (n && res.err.data[n - 1] == '\n')
			n--;
		error_set(err, "postcat -hq %s: %.*s", id, (int)(n > 300 ? 300 : n),
			  n ? res.err.data : "failed (has the message left the queue?)");
	}
	spawn_result_free(&res);
	return ok ? 0 : -1;
}
