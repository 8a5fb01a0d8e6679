/*
 * pager - a scrollable page of text lines: a message's detail, the help
 * screen, a suspect's reasons. Lines are kept raw and sanitized when drawn.
 */
#ifndef SPAMTOP_PAGER_H
#define SPAMTOP_PAGER_H

#include <stddef.h>

#include "core/base/buf.h"

enum line_style { LS_TEXT, LS_HEADING, LS_DIM, LS_ALERT };

struct pager {
	char title[160];
	struct buf text;	/* the lines, each ended by '\n' */
	size_t *starts;		/* offset of each line in text */
	unsigned char *styles;
	size_t nlines, cap;
	size_t top;		/* first line shown */
};

void pager_init(struct pager *p, const char *title);
void pager_free(struct pager *p);
void pager_add(struct pager *p, enum line_style style, const char *s, size_t len);
void pager_puts(struct pager *p, enum line_style style, const char *s);
void pager_addf(struct pager *p, enum line_style style, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Every line of a multi-line text, each added with style. */
void pager_add_lines(struct pager *p, enum line_style style, const char *text, size_t len);
void pager_scroll(struct pager *p, long delta, size_t page);
/* A line's bytes, without its newline. */
const char *pager_line(const struct pager *p, size_t i, size_t *len);

#endif
