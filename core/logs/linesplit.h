/*
 * linesplit - cut a stream of bytes into lines, without allocation per line.
 *
 * Bytes are read straight into the splitter's buffer (linesplit_space, then
 * linesplit_commit); each complete line is handed to a callback as a view
 * valid during the call. A line longer than max_line is handed out cut at
 * max_line, its tail skipped, and counted. Used by the followers of files
 * (core/logs/follow) and of programs' output (core/logs/pipe_source).
 */
#ifndef SPAMTOP_LINESPLIT_H
#define SPAMTOP_LINESPLIT_H

#include <stddef.h>
#include <stdint.h>

#define LINESPLIT_CHUNK (256u * 1024)

typedef void line_fn(const char *line, size_t len, void *arg);

struct line_splitter {
	char *buf;
	size_t len, max_line;
	int skipping;		/* inside the tail of an over-long line */
	uint64_t lines, bytes, long_lines, partial_lines;
};

int linesplit_init(struct line_splitter *s, size_t max_line);
void linesplit_free(struct line_splitter *s);
/* Where the next bytes go, and how many fit (at most LINESPLIT_CHUNK). */
char *linesplit_space(struct line_splitter *s, size_t *room);
/* n bytes were put there: hands out the complete lines; returns how many. */
long linesplit_commit(struct line_splitter *s, size_t n, line_fn *fn, void *arg);
/* The input ended: an unended line is handed out as a line (and counted). */
long linesplit_flush(struct line_splitter *s, line_fn *fn, void *arg);
/* Forgets an unended line (its file was truncated under it). */
void linesplit_drop(struct line_splitter *s);

#endif
