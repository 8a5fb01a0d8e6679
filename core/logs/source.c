/*
 * source - chunked line reader over zlib's gzFile (see source.h).
 *
 * gzread() reads plain files transparently, so one path serves mail.log,
 * mail.log.1 and mail.log.2.gz. The buffer holds at least one whole line of
 * max_line bytes plus a read chunk; lines are found with memchr.
 */
#define _GNU_SOURCE	/* SEEK_DATA */
#include "core/logs/source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define READ_CHUNK (1u << 20)
/* zlib's gz_read reads a request of twice its buffer or more straight into
 * the caller's memory (a plain file: no copy through zlib) */
#define GZ_BUFFER (32u * 1024)
_Static_assert(SOURCE_LINES_CHUNK >= 2 * GZ_BUFFER, "source_next_lines' reads must bypass zlib's buffer");
_Static_assert(SOURCE_LINES_CHUNK <= READ_CHUNK, "what a chunk leaves of a line must fit the source's buffer");

struct line_source {
	gzFile gz;
	int fd;			/* gz's, for finding holes in a sparse plain file */
	uint64_t base;		/* the file offset reading started at (source_open_at) */
	char *buf;
	size_t cap, start, end;	/* unread bytes are buf[start..end) */
	size_t max_line;
	int eof;
	int skipping;		/* inside the tail of an over-long line */
	struct source_stats stats;
	char name[256];
};

struct line_source *source_open(const char *path, size_t max_line, struct error *err)
{
	return source_open_at(path, 0, max_line, err);
}

static struct line_source *source_from_fd(int fd, const char *path, uint64_t offset, size_t max_line,
					  struct error *err);

struct line_source *source_open_fd(int fd, const char *name, size_t max_line, struct error *err)
{
	return source_from_fd(fd, name, 0, max_line, err);
}

struct line_source *source_open_at(const char *path, uint64_t offset, size_t max_line, struct error *err)
{
	int fd = strcmp(path, "-") == 0 ? fcntl(0, F_DUPFD_CLOEXEC, 0) : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		error_errno(err, errno, "cannot open %s", path);
		return NULL;
	}
	return source_from_fd(fd, path, offset, max_line, err);
}

struct line_source *source_open_regular(const char *path, size_t max_line, struct error *err)
{
	/* O_NONBLOCK: opening a FIFO with no writer must not hang */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	struct stat st;
	if (fd < 0) {
		error_errno(err, errno, "cannot open %s", path);
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || fcntl(fd, F_SETFL, 0) < 0) {
		error_set(err, "%s is not a regular file (a FIFO, device or directory): not read", path);
		close(fd);
		return NULL;
	}
	return source_from_fd(fd, path, 0, max_line, err);
}

static struct line_source *source_from_fd(int fd, const char *path, uint64_t offset, size_t max_line,
					  struct error *err)
{
	if (max_line == 0)
		max_line = SOURCE_MAX_LINE_DEFAULT;
	if (offset && lseek(fd, (off_t)offset, SEEK_SET) < 0) {
		error_errno(err, errno, "cannot read %s", path);
		close(fd);
		return NULL;
	}
	struct line_source *s = calloc(1, sizeof(*s));
	if (s)
		s->buf = malloc(max_line + READ_CHUNK + 1);
	if (s == NULL || s->buf == NULL) {
		close(fd);
		if (s)
			free(s);
		error_set(err, "out of memory opening %s", path);
		return NULL;
	}
	s->fd = fd;
	s->gz = gzdopen(fd, "rb");
	if (s->gz == NULL) {
		close(fd);
		free(s->buf);
		free(s);
		error_set(err, "cannot read %s: out of memory", path);
		return NULL;
	}
	gzbuffer(s->gz, GZ_BUFFER);
	s->cap = max_line + READ_CHUNK;
	s->max_line = max_line;
	s->base = offset;
	s->skipping = offset > 0;	/* the line cut by the offset is not handed out */
	snprintf(s->name, sizeof(s->name), "%s", path);
	return s;
}

/* read_into - up to room more bytes of the file at dst: how many (0 at its
 * end, then eof), or -1 on error */
static long read_into(struct line_source *s, char *dst, size_t room, struct error *err)
{
	int n = gzread(s->gz, dst, (unsigned)room);
	if (n < 0) {
		int zerr;
		const char *msg = gzerror(s->gz, &zerr);
		if (zerr == Z_ERRNO)
			error_errno(err, errno, "cannot read %s", s->name);
		else
			error_set(err, "cannot read %s: %s", s->name, msg);
		return -1;
	}
	if (n == 0) {
		int zerr;
		const char *msg = gzerror(s->gz, &zerr);
		if (zerr != Z_OK && zerr != Z_BUF_ERROR) {
			error_set(err, "cannot read %s: %s", s->name, msg);
			return -1;
		}
		if (zerr == Z_BUF_ERROR)	/* gzip stream cut short: keep what was read */
			s->stats.truncated_gz = 1;
		s->eof = 1;
	}
	return n;
}

/* fill - read more bytes behind the unread ones; -1 on error */
static int fill(struct line_source *s, struct error *err)
{
	if (s->start > 0) {
		memmove(s->buf, s->buf + s->start, s->end - s->start);
		s->end -= s->start;
		s->start = 0;
	}
	size_t room = s->cap - s->end;
	if (room > READ_CHUNK)
		room = READ_CHUNK;
	long n = read_into(s, s->buf + s->end, room, err);
	if (n < 0)
		return -1;
	s->end += (size_t)n;
	return 0;
}

/* skip_hole - inside an over-long line of a plain sparse file, a hole is NUL bytes
 * with no newline: seek past it instead of reading it (a 10 GB hole in a second) */
static void skip_hole(struct line_source *s)
{
	if (!gzdirect(s->gz))
		return;
	off_t at = (off_t)gztell(s->gz), cur = lseek(s->fd, 0, SEEK_CUR);
	if (at < 0 || cur < 0)
		return;
	off_t pos = at + (off_t)s->base;
	off_t data = lseek(s->fd, pos, SEEK_DATA);
	if (data < 0 && errno == ENXIO) {	/* a hole to the end */
		struct stat st;
		data = fstat(s->fd, &st) == 0 ? st.st_size : -1;
	}
	lseek(s->fd, cur, SEEK_SET);	/* gzseek counts from where gz left it */
	if (data > pos && gzseek(s->gz, data - (off_t)s->base, SEEK_SET) == data - (off_t)s->base)
		s->stats.bytes += (uint64_t)(data - pos);
}

static void give(struct line_source *s, const char *p, size_t n, const char **line, size_t *len)
{
	*line = p;
	*len = n;
	s->stats.lines++;
	s->stats.bytes += n + 1;
}

int source_next(struct line_source *s, const char **line, size_t *len, struct error *err)
{
	for (;;) {
		char *p = s->buf + s->start;
		size_t avail = s->end - s->start;
		char *nl = avail ? memchr(p, '\n', avail) : NULL;
		if (s->skipping) {	/* the tail of an over-long line: counted in bytes, not handed out */
			size_t skip = nl ? (size_t)(nl - p) + 1 : avail;
			s->start += skip;
			s->stats.bytes += skip;
			if (nl) {
				s->skipping = 0;
				continue;
			}
			skip_hole(s);
		} else if (nl) {
			size_t n = (size_t)(nl - p);
			s->start += n + 1;
			if (n > s->max_line) {
				s->stats.long_lines++;
				s->stats.bytes += n - s->max_line;
				n = s->max_line;
			}
			give(s, p, n, line, len);
			return 1;
		} else if (avail >= s->max_line) {
			/* over-long line: hand out its head, skip the rest */
			s->stats.long_lines++;
			s->skipping = 1;
			s->start += s->max_line;
			give(s, p, s->max_line, line, len);
			s->stats.bytes--;	/* its newline is counted with the tail */
			return 1;
		} else if (s->eof) {
			if (avail == 0)
				return 0;
			s->stats.partial_last++;
			s->start = s->end;
			give(s, p, avail, line, len);
			s->stats.bytes--;	/* no newline */
			return 1;
		}
		if (s->eof)
			return 0;
		if (fill(s, err) < 0)
			return -1;
	}
}

/* split_read - the whole lines of dst[0..len) into out[] (cut at max_line
 * as source_next cuts them); the bytes after the last one taken go back to
 * the source's buffer, for the next call; how many of dst's bytes the lines took */
static size_t split_read(struct line_source *s, char *dst, size_t len, struct source_line *out, size_t max,
			 size_t *n)
{
	char *p = dst, *end = dst + len, *nl;
	while (*n < max && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		size_t l = (size_t)(nl - p);
		s->stats.lines++;
		s->stats.bytes += l + 1;
		if (l > s->max_line) {
			s->stats.long_lines++;
			l = s->max_line;
		}
		out[(*n)++] = (struct source_line){p, l};
		p = nl + 1;
	}
	memcpy(s->buf, p, (size_t)(end - p));	/* a line's head, or what out[] had no room for */
	s->start = 0;
	s->end = (size_t)(end - p);
	return (size_t)(p - dst);
}

/* buffered_lines - there are whole lines (or a line to cut, or the end) in
 * the source's own buffer, which source_next gives one by one */
static int buffered_lines(const struct line_source *s)
{
	size_t avail = s->end - s->start;
	return s->skipping || s->eof || avail >= s->max_line
	    || (avail && memchr(s->buf + s->start, '\n', avail) != NULL);
}

int source_next_lines(struct line_source *s, char *dst, size_t cap, struct source_line *out, size_t max,
		      size_t *n, size_t *used, struct error *err)
{
	*n = *used = 0;
	if (max == 0 || cap < s->max_line) {
		error_set(err, "cannot read %s: no room for a line", s->name);
		return -1;
	}
	for (;;) {
		while (*n < max && buffered_lines(s)) {	/* rare: a cut line, the end, a tail's first lines */
			const char *line;
			size_t len;
			if (*n && *used + s->max_line > cap)
				return 1;
			int rc = source_next(s, &line, &len, err);
			if (rc <= 0)
				return *n ? 1 : rc;	/* the end or the error is told on the next call */
			memcpy(dst + *used, line, len);
			out[(*n)++] = (struct source_line){dst + *used, len};
			*used += len;
		}
		if (*n)
			return 1;
		/* the start of a line without its end (shorter than max_line), then a chunk */
		size_t head = s->end - s->start;
		size_t room = cap - head < SOURCE_LINES_CHUNK ? cap - head : SOURCE_LINES_CHUNK;
		memcpy(dst, s->buf + s->start, head);
		long got = read_into(s, dst + head, room, err);
		if (got < 0)
			return -1;
		*used = split_read(s, dst, head + (size_t)got, out, max, n);
		if (*n)
			return 1;
	}
}

const struct source_stats *source_stats(const struct line_source *s) { return &s->stats; }

void source_close(struct line_source *s)
{
	if (s == NULL)
		return;
	gzclose(s->gz);
	free(s->buf);
	free(s);
}

/* rotation - "mail.log.2.gz" -> base length of "mail.log", number 2; -1 if none */
static long rotation(const char *path, size_t *base)
{
	size_t len = strlen(path);
	if (len > 3 && strcmp(path + len - 3, ".gz") == 0)
		len -= 3;
	size_t end = len;
	while (len > 0 && path[len - 1] >= '0' && path[len - 1] <= '9')
		len--;
	if (len == end || len == 0 || path[len - 1] != '.' || end - len > 6) {
		*base = strlen(path);
		return -1;
	}
	*base = len - 1;
	return strtol(path + len, NULL, 10);
}

int source_same_log(const char *a, const char *b)
{
	size_t ba, bb;
	(void)rotation(a, &ba);
	(void)rotation(b, &bb);
	return ba == bb && strncmp(a, b, ba) == 0;
}

void source_order_rotated(const char **paths, size_t n)
{
	for (size_t i = 1; i < n; i++) {	/* insertion sort: stable, and n is small */
		const char *p = paths[i];
		size_t bp, bq;
		long rp = rotation(p, &bp);
		size_t j = i;
		while (j > 0) {
			const char *q = paths[j - 1];
			long rq = rotation(q, &bq);
			int same = bp == bq && strncmp(p, q, bp) == 0;
			if (!same || rp <= rq)	/* only older rotations of the same log move ahead */
				break;
			paths[j] = q;
			j--;
		}
		paths[j] = p;
	}
}
