/*
 * follow - tail -F over read(2) with inode and size checks (see follow.h).
 *
 * State: an open descriptor, the offset read so far, and the bytes of a
 * line not yet ended. At the end of the file the path is stat()ed: another
 * inode means a rotation, a size below the offset means a truncation.
 */
#include "follow.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FOLLOW_CHUNK (256u * 1024)

struct log_follow {
	char path[512];
	int fd;
	dev_t dev;
	ino_t ino;
	uint64_t offset;	/* bytes of the open file consumed into buf */
	uint64_t size;		/* its size at the last look */
	char *buf;
	size_t len, max_line;
	int skipping;		/* inside the tail of an over-long line */
	struct follow_stats stats;
};

/* open_path - open the file the path names now; -1 with err if it cannot */
static int open_path(struct log_follow *f, int at_end, struct error *err)
{
	int fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		error_errno(err, errno, "cannot open %s", f->path);
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		error_set(err, "cannot follow %s: not a regular file", f->path);
		close(fd);
		return -1;
	}
	f->fd = fd;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	f->size = (uint64_t)st.st_size;
	f->offset = 0;
	if (at_end && lseek(fd, 0, SEEK_END) >= 0)
		f->offset = f->size;
	return 0;
}

struct log_follow *follow_open(const char *path, int from_start, size_t max_line, struct error *err)
{
	struct log_follow *f = calloc(1, sizeof(*f));
	if (f == NULL || strlen(path) >= sizeof(f->path)) {
		error_set(err, f ? "path too long: %s" : "out of memory following %s", path);
		free(f);
		return NULL;
	}
	snprintf(f->path, sizeof(f->path), "%s", path);
	f->max_line = max_line ? max_line : 2u * 1024 * 1024;
	f->buf = malloc(f->max_line + FOLLOW_CHUNK);
	if (f->buf == NULL) {
		error_set(err, "out of memory following %s", path);
		free(f);
		return NULL;
	}
	f->fd = -1;
	if (open_path(f, !from_start, err) < 0) {
		follow_close(f);
		return NULL;
	}
	return f;
}

static void give(struct log_follow *f, const char *p, size_t n, follow_line_fn *fn, void *arg)
{
	f->stats.lines++;
	f->stats.bytes += n + 1;
	fn(p, n, arg);
}

/* split - hand out the complete lines in buf, keep the unfinished one */
static long split(struct log_follow *f, follow_line_fn *fn, void *arg)
{
	long lines = 0;
	size_t start = 0;
	for (;;) {
		char *p = f->buf + start;
		size_t avail = f->len - start;
		char *nl = avail ? memchr(p, '\n', avail) : NULL;
		if (nl == NULL) {
			if (avail < f->max_line)
				break;
			if (!f->skipping) {	/* over-long: its head now, its tail skipped */
				f->stats.long_lines++;
				give(f, p, f->max_line, fn, arg);
				lines++;
			}
			f->skipping = 1;
			start = f->len;
			break;
		}
		size_t n = (size_t)(nl - p);
		if (f->skipping)
			f->skipping = 0;
		else {
			if (n > f->max_line) {
				f->stats.long_lines++;
				n = f->max_line;
			}
			give(f, p, n, fn, arg);
			lines++;
		}
		start += (size_t)(nl - p) + 1;
	}
	memmove(f->buf, f->buf + start, f->len - start);
	f->len -= start;
	return lines;
}

/* flush_partial - a rotation ends the old file: its unended line is a line */
static long flush_partial(struct log_follow *f, follow_line_fn *fn, void *arg)
{
	long n = 0;
	if (f->len && !f->skipping) {
		f->stats.partial_lines++;
		give(f, f->buf, f->len, fn, arg);
		n = 1;
	}
	f->len = 0;
	f->skipping = 0;
	return n;
}

/* check_path - at end of file: rotated, truncated, or just quiet? */
static long check_path(struct log_follow *f, follow_line_fn *fn, void *arg, int *reopen)
{
	struct stat st;
	*reopen = 0;
	if (stat(f->path, &st) == 0 && (st.st_ino != f->ino || st.st_dev != f->dev)) {
		f->stats.rotations++;
		*reopen = 1;
		return flush_partial(f, fn, arg);
	}
	struct stat cur;
	if (fstat(f->fd, &cur) == 0 && (uint64_t)cur.st_size < f->offset) {
		f->stats.truncations++;
		f->len = 0;	/* a half line of the old content has no end to wait for */
		f->skipping = 0;
		lseek(f->fd, 0, SEEK_SET);
		f->offset = 0;
	}
	if (fstat(f->fd, &cur) == 0)
		f->size = (uint64_t)cur.st_size;
	return 0;
}

long follow_poll(struct log_follow *f, size_t max_bytes, follow_line_fn *fn, void *arg,
		 struct error *err)
{
	long lines = 0;
	size_t budget = max_bytes ? max_bytes : (size_t)-1;
	for (int reopened = 0; reopened < 2;) {
		if (f->fd < 0 && open_path(f, 0, err) < 0)
			return lines ? lines : -1;
		ssize_t r = 0;
		while (budget > 0) {
			size_t room = f->max_line + FOLLOW_CHUNK - f->len;
			if (room > FOLLOW_CHUNK)
				room = FOLLOW_CHUNK;
			if (room > budget)
				room = budget;
			r = read(f->fd, f->buf + f->len, room);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			f->len += (size_t)r;
			f->offset += (uint64_t)r;
			budget -= (size_t)r;
			lines += split(f, fn, arg);
		}
		if (r < 0 && errno != EAGAIN) {
			error_errno(err, errno, "cannot read %s", f->path);
			close(f->fd);
			f->fd = -1;
			return lines ? lines : -1;
		}
		if (budget == 0)
			return lines;
		int reopen;
		lines += check_path(f, fn, arg, &reopen);
		if (!reopen)
			return lines;
		close(f->fd);
		f->fd = -1;
		reopened++;
	}
	return lines;
}

uint64_t follow_backlog(const struct log_follow *f)
{
	return f->size > f->offset ? f->size - f->offset : 0;
}

uint64_t follow_size(const struct log_follow *f) { return f->size; }
const struct follow_stats *follow_stats(const struct log_follow *f) { return &f->stats; }
const char *follow_path(const struct log_follow *f) { return f->path; }

void follow_close(struct log_follow *f)
{
	if (f == NULL)
		return;
	if (f->fd >= 0)
		close(f->fd);
	free(f->buf);
	free(f);
}
