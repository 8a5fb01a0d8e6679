/*
 * pager - text lines with offsets, and scrolling (see pager.h).
 */
#include "pager.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pager_init(struct pager *p, const char *title)
{
	memset(p, 0, sizeof(*p));
	buf_init(&p->text);
	snprintf(p->title, sizeof(p->title), "%s", title);
}

void pager_free(struct pager *p)
{
	buf_free(&p->text);
	free(p->starts);
	free(p->styles);
	memset(p, 0, sizeof(*p));
}

void pager_add(struct pager *p, enum line_style style, const char *s, size_t len)
{
	if (p->nlines == p->cap) {
		size_t ncap = p->cap ? p->cap * 2 : 64;
		size_t *st = realloc(p->starts, ncap * sizeof(*st));
		if (st == NULL)
			return;
		p->starts = st;
		unsigned char *sy = realloc(p->styles, ncap);
		if (sy == NULL)
			return;
		p->styles = sy;
		p->cap = ncap;
	}
	p->starts[p->nlines] = p->text.len;
	p->styles[p->nlines] = (unsigned char)style;
	p->nlines++;
	for (size_t i = 0; i < len; i++)	/* a tab (header folding) is only white space */
		buf_putc(&p->text, s[i] == '\t' ? ' ' : s[i]);
	buf_putc(&p->text, '\n');
}

void pager_puts(struct pager *p, enum line_style style, const char *s)
{
	pager_add(p, style, s, strlen(s));
}

void pager_addf(struct pager *p, enum line_style style, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	pager_add(p, style, b.data ? b.data : "", b.len);
	buf_free(&b);
}

void pager_add_lines(struct pager *p, enum line_style style, const char *text, size_t len)
{
	const char *end = text + len;
	while (text < end) {
		const char *nl = memchr(text, '\n', (size_t)(end - text));
		size_t n = nl ? (size_t)(nl - text) : (size_t)(end - text);
		pager_add(p, style, text, n);
		text += n + (nl ? 1 : 0);
	}
}

void pager_scroll(struct pager *p, long delta, size_t page)
{
	long max = p->nlines > page ? (long)(p->nlines - page) : 0;
	long t = (long)p->top + delta;
	p->top = (size_t)(t < 0 ? 0 : t > max ? max : t);
}

const char *pager_line(const struct pager *p, size_t i, size_t *len)
{
	size_t end = i + 1 < p->nlines ? p->starts[i + 1] : p->text.len;
	*len = end - p->starts[i] - 1;
	return p->text.data + p->starts[i];
}
