/*
 * linesplit - buffer, memchr, hand out (see linesplit.h).
 */
#include "core/logs/linesplit.h"

#include <stdlib.h>
#include <string.h>

int linesplit_init(struct line_splitter *s, size_t max_line)
{
	memset(s, 0, sizeof(*s));
	s->max_line = max_line ? max_line : 2u * 1024 * 1024;
	s->buf = malloc(s->max_line + LINESPLIT_CHUNK);
	return s->buf ? 0 : -1;
}

void linesplit_free(struct line_splitter *s)
{
	free(s->buf);
	s->buf = NULL;
}

char *linesplit_space(struct line_splitter *s, size_t *room)
{
	size_t free_bytes = s->max_line + LINESPLIT_CHUNK - s->len;
	*room = free_bytes < LINESPLIT_CHUNK ? free_bytes : LINESPLIT_CHUNK;
	return s->buf + s->len;
}

static void give(struct line_splitter *s, const char *p, size_t n, line_fn *fn, void *arg)
{
	s->lines++;
	s->bytes += n + 1;
	fn(p, n, arg);
}

long linesplit_commit(struct line_splitter *s, size_t n, line_fn *fn, void *arg)
{
	long lines = 0;
	size_t start = 0;
	s->len += n;
	for (;;) {
		char *p = s->buf + start;
		size_t avail = s->len - start;
		char *nl = avail ? memchr(p, '\n', avail) : NULL;
		if (nl == NULL) {
			if (avail < s->max_line)
				break;
			if (!s->skipping) {	/* over-long: its head now, its tail skipped */
				s->long_lines++;
				give(s, p, s->max_line, fn, arg);
				lines++;
			}
			s->skipping = 1;
			start = s->len;
			break;
		}
		size_t len = (size_t)(nl - p);
		if (s->skipping) {
			s->skipping = 0;
		} else {
			if (len > s->max_line) {
				s->long_lines++;
				len = s->max_line;
			}
			give(s, p, len, fn, arg);
			lines++;
		}
		start += (size_t)(nl - p) + 1;
	}
	memmove(s->buf, s->buf + start, s->len - start);
	s->len -= start;
	return lines;
}

long linesplit_flush(struct line_splitter *s, line_fn *fn, void *arg)
{
	long n = 0;
	if (s->len && !s->skipping) {
		s->partial_lines++;
		give(s, s->buf, s->len, fn, arg);
		n = 1;
	}
	linesplit_drop(s);
	return n;
}

void linesplit_drop(struct line_splitter *s)
{
	s->len = 0;
	s->skipping = 0;
}
