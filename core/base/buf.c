/*
 * buf - growable byte string with checked appends (see buf.h).
 */
#include "core/base/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char empty_string[1] = "";

/* No text spamtop builds is near this; a request past it is a bug or an attack. */
#define BUF_MAX ((size_t)1 << 30)

/* buf_init - make an empty buffer */
void buf_init(struct buf *b)
{
	b->data = NULL;
	b->len = b->cap = 0;
	b->failed = 0;
}

/* buf_free - release the storage */
void buf_free(struct buf *b)
{
	free(b->data);
	buf_init(b);
}

/* buf_reset - empty the buffer, keep the storage */
void buf_reset(struct buf *b)
{
	b->len = 0;
	b->failed = 0;
	if (b->data)
		b->data[0] = 0;
}

/* buf_reserve - make room for extra bytes plus the terminator */
int buf_reserve(struct buf *b, size_t extra)
{
	if (b->failed)
		return -1;
	if (extra > BUF_MAX - b->len) {
		b->failed = 1;
		return -1;
	}
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	char *p = realloc(b->data, cap);
	if (p == NULL) {
		b->failed = 1;
		return -1;
	}
	b->data = p;
	b->cap = cap;
	return 0;
}

/* buf_append - append len bytes */
void buf_append(struct buf *b, const void *data, size_t len)
{
	if (buf_reserve(b, len) < 0)
		return;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = 0;
}

void buf_puts(struct buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

void buf_putc(struct buf *b, char c)
{
	buf_append(b, &c, 1);
}

void buf_put_shell_quoted(struct buf *b, const char *s)
{
	buf_putc(b, '\'');
	for (; *s; s++)
		if (*s == '\'')
			buf_puts(b, "'\\''");
		else
			buf_putc(b, *s);
	buf_putc(b, '\'');
}

/* buf_vprintf - append formatted text */
void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list copy;
	va_copy(copy, ap);
	int n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0 || buf_reserve(b, (size_t)n) < 0)
		return;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

/* buf_str - the contents as a C string, "" when empty */
const char *buf_str(const struct buf *b)
{
	return b->data ? b->data : empty_string;
}

/* sv_copy - bounded copy into a caller's array */
char *sv_copy(struct strview v, char *dst, size_t size)
{
	if (size == 0)
		return dst;
	size_t n = v.len < size - 1 ? v.len : size - 1;
	if (n)
		memcpy(dst, v.ptr, n);
	dst[n] = 0;
	return dst;
}
