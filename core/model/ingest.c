/*
 * ingest - the read loop: source lines into the model (see ingest.h).
 *
 * This is the hot loop of a history read: no allocation per line here,
 * the source hands out views and the model parses them in place.
 */
#include "core/model/ingest.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "core/logs/logline.h"
#include "core/logs/parse_ahead.h"
#include "core/logs/pipe_source.h"
#include "core/logs/program_lines.h"
#include "core/base/spawn.h"

#define TAIL_PROBE 8192	/* bytes read to find one line's time stamp */
#define TAIL_MIN_SIZE (8u << 20)	/* smaller files are read whole */

/* prefetch_parsed - a line about to be applied: what it will look up, asked for */
static void prefetch_parsed(const struct parsed_line *p, void *arg)
{
	if (p->st == LINE_POSTFIX)
		model_prefetch(arg, &p->ev);
}

/* apply_parsed - one line split by a parser thread, into the model */
static void apply_parsed(const struct parsed_line *p, void *arg)
{
	struct model *m = arg;
	model_add_parsed(m, p->len, p->st, &p->ll, (struct pf_event *)&p->ev, 1);
	if (model_wants_collect(m))	/* nothing outside holds the model's pointers here */
		model_collect(m);
}

static void add_stats(struct source_stats *to, const struct source_stats *st)
{
	to->lines += st->lines;
	to->bytes += st->bytes;
	to->long_lines += st->long_lines;
	to->partial_last += st->partial_last;
	to->truncated_gz += st->truncated_gz;
}

/* line_time_at - the time of the first whole line after offset (at offset 0,
 * the file's first line; the last one in the file with last set); 0 when
 * there is none or it has no time stamp */
static int64_t line_time_at(int fd, struct time_context *tc, uint64_t offset, int last)
{
	char buf[TAIL_PROBE];
	ssize_t n = pread(fd, buf, sizeof(buf), (off_t)offset);
	if (n <= 0)
		return 0;
	const char *end = buf + n, *line = buf;
	if (last) {	/* the start of the last complete line */
		while (end > buf && end[-1] != '\n')
			end--;
		if (end == buf)
			return 0;
		line = end - 1;
		while (line > buf && line[-1] != '\n')
			line--;
	} else if (offset > 0) {	/* the line the offset cuts is not whole */
		const char *nl = memchr(buf, '\n', (size_t)n);
		if (nl == NULL)
			return 0;
		line = nl + 1;
	}
	int64_t t = 0;
	return logline_parse_time(tc, line, (size_t)(end - line), &t) ? t : 0;
}

/* tail_offset - an offset whose line is older than the file's last line by more than
 * seconds (binary search on time stamps, which a log writes in order); 0 for the start */
static uint64_t tail_offset(int fd, uint64_t size, int64_t seconds)
{
	struct time_context tc;
	time_context_init(&tc, (time_t)clock_now());
	int64_t last = line_time_at(fd, &tc, size > TAIL_PROBE ? size - TAIL_PROBE : 0, 1);
	if (last == 0)
		return 0;
	uint64_t lo = 0, hi = size;
	while (hi - lo > TAIL_PROBE) {
		uint64_t mid = lo + (hi - lo) / 2;
		int64_t t = line_time_at(fd, &tc, mid, 0);
		if (t != 0 && t < last - seconds)
			lo = mid;
		else
			hi = mid;	/* newer, or not known: start earlier rather than miss lines */
	}
	return lo;
}

int64_t ingest_first_line_time(const char *path, struct time_context *tc)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	int64_t t = line_time_at(fd, tc, 0, 0);
	close(fd);
	return t;
}

/* tail_start - where the lines of the last `seconds` of path begin: 0 for a
 * .gz, standard input or a file under TAIL_MIN_SIZE (read whole) */
static uint64_t tail_start(const char *path, int64_t seconds)
{
	uint64_t offset = 0;
	int fd = strcmp(path, "-") == 0 ? -1 : open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	unsigned char magic[2] = {0, 0};
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size >= TAIL_MIN_SIZE
	    && pread(fd, magic, 2, 0) == 2 && !(magic[0] == 0x1f && magic[1] == 0x8b))
		offset = tail_offset(fd, (uint64_t)st.st_size, seconds);
	if (fd >= 0)
		close(fd);
	return offset;
}

char **ingest_journal_argv(int64_t seconds, struct journal_argv *j)
{
	static const char *const words[] = {"journalctl", "--no-pager", "--output=short-iso", "SYSLOG_FACILITY=2"};
	size_t n = 0;
	for (; n < sizeof(words) / sizeof(words[0]); n++)
		j->argv[n] = (char *)words[n];
	if (seconds > 0) {
		snprintf(j->since, sizeof(j->since), "--since=@%lld", (long long)(clock_now() - seconds));
		j->argv[n++] = j->since;
	}
	j->argv[n] = NULL;
	return j->argv;
}

/* open_inputs - paths[] as parse_ahead's inputs from in[k] on (a file that
 * cannot be opened is told in err, the others read); the number opened */
static size_t open_inputs(struct ahead_input *in, size_t k, const char *const *paths, const int *stream, size_t n,
			  int64_t seconds, struct source_stats *stats, struct error *err, int *rc)
{
	for (size_t i = 0; i < n; i++) {
		struct error open_err;
		uint64_t offset = seconds > 0 ? tail_start(paths[i], seconds) : 0;
		stats->skipped_bytes += offset;
		if ((in[k].src = source_open_at(paths[i], offset, 0, &open_err)) == NULL) {
			*err = open_err;
			*rc = -1;
			continue;
		}
		in[k++].stream = stream[i];
	}
	return k;
}

int ingest_sources(struct model *m, const char *const *paths, const int *stream, size_t n, int64_t seconds,
		   char *const *program, struct source_stats *stats, struct error *err)
{
	struct ahead_input *in = calloc(n + 1, sizeof(*in));
	if (in == NULL) {
		error_set(err, "out of memory");
		return -1;
	}
	size_t k = 0;
	int rc = 0;
	struct program_lines *prog = NULL;
	if (program) {	/* first: on a tie its lines go before the files' (parse_ahead_merge) */
		if ((prog = program_lines_start(program, err)) == NULL) {
			rc = -1;
		} else {
			in[k].src = program_lines_source(prog);
			in[k++].stream = -1;
		}
	}
	k = open_inputs(in, k, paths, stream, n, seconds, stats, err, &rc);
	struct error read_err;
	if (k && parse_ahead_merge(in, k, (time_t)model_reference(m), apply_parsed, prefetch_parsed, m, &read_err) < 0) {
		*err = read_err;
		rc = -1;
	}
	struct error end_err;
	if (prog && program_lines_end(prog, &end_err) < 0) {	/* its words before a file's */
		*err = end_err;
		rc = -1;
	}
	for (size_t i = 0; i < k; i++)
		add_stats(stats, &in[i].stats);
	free(in);
	return rc;
}

int ingest_files(struct model *m, const char *const *paths, const int *stream, size_t n, int64_t seconds,
		 struct source_stats *stats, struct error *err)
{
	return ingest_sources(m, paths, stream, n, seconds, NULL, stats, err);
}

int ingest_file(struct model *m, const char *path, struct source_stats *stats, struct error *err)
{
	static const int one_stream = 0;
	return ingest_files(m, &path, &one_stream, 1, 0, stats, err);
}

int ingest_file_tail(struct model *m, const char *path, int64_t seconds, struct source_stats *stats,
		     struct error *err)
{
	static const int one_stream = 0;
	return ingest_files(m, &path, &one_stream, 1, seconds, stats, err);
}

int ingest_program(struct model *m, char *const argv[], struct source_stats *stats, struct error *err)
{
	return ingest_sources(m, NULL, NULL, 0, 0, argv, stats, err);
}

int ingest_journal(struct model *m, int64_t seconds, struct source_stats *stats, struct error *err)
{
	struct journal_argv j;
	return ingest_sources(m, NULL, NULL, 0, 0, ingest_journal_argv(seconds, &j), stats, err);
}

struct pipe_source *ingest_journal_history(struct error *err)
{
	static char *argv[] = {"journalctl", "--no-pager", "--output=short-iso", "--show-cursor", "SYSLOG_FACILITY=2",
			       NULL};
	return pipe_source_start(argv, 0, err);
}

int ingest_journal_own_line(const char *line, size_t len, char *cursor, size_t size)
{
	static const char own[] = "-- ", mark[] = "-- cursor: ";
	if (len < sizeof(own) - 1 || memcmp(line, own, sizeof(own) - 1) != 0)
		return 0;
	size_t n = len - (sizeof(mark) - 1);
	if (len < sizeof(mark) - 1 || memcmp(line, mark, sizeof(mark) - 1) != 0 || n == 0 || n >= size)
		return 1;	/* "-- No entries --", a boot's marker: journalctl's, not a log line */
	const char *c = line + sizeof(mark) - 1;
	for (size_t i = 0; i < n; i++)	/* s=...;i=...;b=...: no other character is a cursor's */
		if (!((c[i] >= '0' && c[i] <= '9') || (c[i] >= 'a' && c[i] <= 'z') || (c[i] >= 'A' && c[i] <= 'Z')
		      || c[i] == '=' || c[i] == ';'))
			return 1;
	memcpy(cursor, c, n);
	cursor[n] = 0;
	return 1;
}

struct pipe_source *ingest_journal_follow_after(const char *cursor, struct error *err)
{
	char after[320];
	char *argv[] = {"journalctl", "--follow", "--no-tail", "--no-pager", "--output=short-iso", "SYSLOG_FACILITY=2",
			NULL, NULL};
	if (cursor && cursor[0] && strlen(cursor) < sizeof(after) - 16) {
		snprintf(after, sizeof(after), "--after-cursor=%s", cursor);
		argv[6] = after;
	}
	return pipe_source_start(argv, 0, err);
}

struct pipe_source *ingest_journal_new_entries(struct error *err)
{
	static char *live[] = {"journalctl", "--follow", "--lines=0", "--no-pager", "--output=short-iso",
			       "SYSLOG_FACILITY=2", NULL};
	return pipe_source_start(live, 0, err);
}

/* setting_value - what `doveconf -h NAME` (or postconf) printed: the bare value */
static int setting_value(char *const argv[], char *out, size_t size)
{
	struct spawn_result res;
	struct error err;
	if (spawn_run(argv, NULL, 0, 5000, &res, &err) < 0)
		return 0;
	size_t n = res.out.len;
	while (n && (res.out.data[n - 1] == '\n' || res.out.data[n - 1] == ' '))
		n--;
	int ok = res.exited && res.status == 0 && n > 0 && n < size && memchr(res.out.data, '\n', n) == NULL;
	if (ok) {
		memcpy(out, res.out.data, n);
		out[n] = 0;
	}
	spawn_result_free(&res);
	return ok;
}

const char *ingest_default_dovecot_log(void)
{
	static char path[512];
	/* login failures and logins are Info: info_log_path when set, else log_path */
	char *info[] = {"doveconf", "-h", "info_log_path", NULL}, *log[] = {"doveconf", "-h", "log_path", NULL};
	if (!setting_value(info, path, sizeof(path)) && !setting_value(log, path, sizeof(path)))
		return NULL;
	if (path[0] != '/' || strncmp(path, "/dev/", 5) == 0 || access(path, R_OK) != 0)
		return NULL;	/* "syslog" (the mail log has them), stderr (the journal), or nothing to read */
	return path;
}

const char *ingest_default_log(void)
{
	static char path[512];
	char *argv[] = {"postconf", "-h", "maillog_file", NULL};
	if (setting_value(argv, path, sizeof(path)) && path[0] == '/')
		return path;
	/* the syslog files Debian (mail.log) and Red Hat (maillog) write; a list for the tests */
	const char *files = getenv("SPAMTOP_SYSLOG_FILES");
	snprintf(path, sizeof(path), "%s", files && *files ? files : "/var/log/mail.log:/var/log/maillog");
	for (char *p = path, *colon; *p; p = colon + 1) {
		colon = strchr(p, ':');
		if (colon)
			*colon = 0;
		if (access(p, R_OK) == 0)
			return p;
		if (colon == NULL)
			break;
	}
	return NULL;	/* no file: Postfix logs to the systemd journal only (Debian 12 without rsyslog) */
}
