/*
 * source - read a log file (plain or .gz) or standard input as lines.
 *
 * Lines are returned as views into an internal buffer, valid until the next
 * call; no allocation per line. Compressed files are recognized by content,
 * not by name. A line longer than max_line is returned cut at max_line and
 * counted (the rest of it is skipped, the lines after it are not lost); a
 * last line without a newline is returned and counted; read errors end the
 * source with a message, never a crash.
 */
#ifndef SPAMTOP_SOURCE_H
#define SPAMTOP_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/error.h"

#define SOURCE_MAX_LINE_DEFAULT (2u * 1024 * 1024)

struct line_source;

struct source_stats {
	uint64_t lines, bytes;
	uint64_t long_lines;	/* cut at max_line */
	uint64_t partial_last;	/* a final line without newline */
	uint64_t truncated_gz;	/* compressed files that ended early */
	uint64_t skipped_bytes;	/* passed over by ingest_file_tail */
};

/* path "-" means standard input. Returns NULL and fills err on failure. */
struct line_source *source_open(const char *path, size_t max_line, struct error *err);
/* From byte offset of a plain file on (the line it cuts is skipped): reading a tail. */
struct line_source *source_open_at(const char *path, uint64_t offset, size_t max_line, struct error *err);
/* Regular files only: a FIFO, device or directory (a log replaced by one) is
 * an error with the reason, never a read that hangs. */
struct line_source *source_open_regular(const char *path, size_t max_line, struct error *err);
/* An open descriptor (a pipe from a program) read to its end; the source
 * owns fd from here, and closes it even when it cannot be opened. */
struct line_source *source_open_fd(int fd, const char *name, size_t max_line, struct error *err);
/* 1: a line; 0: end of input; -1: read error (err filled). */
int source_next(struct line_source *s, const char **line, size_t *len, struct error *err);

struct source_line {
	const char *line;
	size_t len;
};

/*
 * The next lines, many at once, as source_next gives them one by one (cut
 * and counted alike), but read straight into dst rather than the source's
 * own buffer: a history read copies each byte once. At most max lines (at
 * least 1), in at most cap bytes of dst (at least the source's max_line),
 * read SOURCE_LINES_CHUNK bytes at a time: their views into dst in out[],
 * their count in *n, and the bytes of dst they take in *used. 1: lines (at
 * least one); 0: end of input; -1: read error (err filled; the lines before
 * it were given). Lines that out[] had no room for are given by the next call.
 */
#define SOURCE_LINES_CHUNK (128u * 1024)
int source_next_lines(struct line_source *s, char *dst, size_t cap, struct source_line *out, size_t max,
		      size_t *n, size_t *used, struct error *err);
const struct source_stats *source_stats(const struct line_source *s);
void source_close(struct line_source *s);

/*
 * Puts rotated logs in time order, oldest first, as a shell glob does not:
 * "mail.log mail.log.1 mail.log.2.gz" becomes "mail.log.2.gz mail.log.1
 * mail.log" (a higher rotation number is older). Names without a rotation
 * number keep their places relative to each other, after the rotated ones
 * of the same base name.
 */
void source_order_rotated(const char **paths, size_t n);
/* The two paths name one log: the same name but for a rotation's number
 * (and .gz): "mail.log.2.gz" and "mail.log", not "dovecot.log". */
int source_same_log(const char *a, const char *b);

#endif
