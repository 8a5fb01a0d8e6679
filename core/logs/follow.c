/*
 * follow - tail -F over read(2) with inode and size checks (see follow.h).
 *
 * State: an open descriptor, the offset read so far, and the bytes of a
 * line not yet ended. At the end of the file the path is stat()ed: another
 * inode means a rotation, a size below the offset means a truncation.
 */
#define _GNU_SOURCE	/* SEEK_DATA */
#include "core/logs/follow.h"

#include "core/logs/linesplit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct log_follow {
	char path[512];
	int fd;
	dev_t dev;
	ino_t ino;
	uint64_t offset;	/* bytes of the open file consumed into buf */
	uint64_t size;		/* its size at the last look */
	struct line_splitter lines;
	struct follow_stats stats;	/* rotations, truncations; the rest from lines */
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
	if (linesplit_init(&f->lines, max_line) < 0) {
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

/* check_path - at end of file: rotated, truncated, or just quiet? */
static long check_path(struct log_follow *f, follow_line_fn *fn, void *arg, int *reopen)
{
	struct stat st;
	*reopen = 0;
	if (stat(f->path, &st) == 0 && (st.st_ino != f->ino || st.st_dev != f->dev)) {
		f->stats.rotations++;
		*reopen = 1;
		return linesplit_flush(&f->lines, fn, arg);	/* the old file's unended line is a line */
	}
	struct stat cur;
	if (fstat(f->fd, &cur) == 0 && (uint64_t)cur.st_size < f->offset) {
		f->stats.truncations++;
		linesplit_drop(&f->lines);	/* a half line of the old content has no end to wait for */
		lseek(f->fd, 0, SEEK_SET);
		f->offset = 0;
	}
	if (fstat(f->fd, &cur) == 0)
		f->size = (uint64_t)cur.st_size;
	return 0;
}

/* skip_hole - inside an over-long line, a hole of a sparse file is NUL bytes with no
 * newline: seek past it instead of reading it */
static void skip_hole(struct log_follow *f)
{
	if (!f->lines.skipping || f->lines.len != 0)
		return;
	off_t data = lseek(f->fd, (off_t)f->offset, SEEK_DATA);
	if (data < 0 && errno == ENXIO)	/* a hole to the end */
		data = lseek(f->fd, 0, SEEK_END);
	if (data > (off_t)f->offset) {
		f->lines.bytes += (uint64_t)data - f->offset;
		f->offset = (uint64_t)data;
	}
	lseek(f->fd, (off_t)f->offset, SEEK_SET);
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
			skip_hole(f);
			size_t room;
			char *space = linesplit_space(&f->lines, &room);
			if (room > budget)
				room = budget;
			r = read(f->fd, space, room);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			f->offset += (uint64_t)r;
			budget -= (size_t)r;
			lines += linesplit_commit(&f->lines, (size_t)r, fn, arg);
		}
		if (r < 0 && errno != EAGAIN) {
			error_errno(err, errno, "cannot read %s", f->path);
			close(f->fd);
			f->fd = -1;
			return lines ? lines : -1;
		}
		if (budget == 0) {	/* more may be there: the backlog must say so */
			struct stat st;
			if (fstat(f->fd, &st) == 0 && (uint64_t)st.st_size > f->size)
				f->size = (uint64_t)st.st_size;
			return lines;
		}
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
struct follow_stats follow_stats(const struct log_follow *f)
{
	struct follow_stats st = f->stats;	/* the line counts live in the splitter */
	st.lines = f->lines.lines;
	st.bytes = f->lines.bytes;
	st.long_lines = f->lines.long_lines;
	st.partial_lines = f->lines.partial_lines;
	return st;
}
const char *follow_path(const struct log_follow *f) { return f->path; }

void follow_close(struct log_follow *f)
{
	if (f == NULL)
		return;
	if (f->fd >= 0)
		close(f->fd);
	linesplit_free(&f->lines);
	free(f);
}
