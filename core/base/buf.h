/*
 * buf - the one growable byte string of spamtop.
 *
 * Every append checks its length; the contents are always NUL-terminated so
 * that buf_str() can be handed to libc. Allocation failure is remembered in
 * the buffer (buf->failed) instead of aborting: callers check once, at the end.
 */
#ifndef SPAMTOP_BUF_H
#define SPAMTOP_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
	int failed;		/* an allocation failed; contents are truncated */
};

#define BUF_INIT {NULL, 0, 0, 0}

void buf_init(struct buf *b);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
int buf_reserve(struct buf *b, size_t extra);
void buf_append(struct buf *b, const void *data, size_t len);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
/* s in single quotes, for a shell (a remote one, or one an admin pastes into): 'it'\''s' */
void buf_put_shell_quoted(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
const char *buf_str(const struct buf *b);

/* A borrowed (pointer, length) view into someone else's bytes. */
struct strview {
	const char *ptr;
	size_t len;
};

#define SV_NULL ((struct strview){NULL, 0})

static inline int sv_empty(struct strview v) { return v.len == 0; }
/* ASCII lower case, whatever the locale (log text is compared, not shown) */
static inline char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c; }
/* sv_has_upper - the view holds an ASCII capital */
static inline int sv_has_upper(struct strview v)
{
	for (size_t i = 0; i < v.len; i++)
		if (v.ptr[i] >= 'A' && v.ptr[i] <= 'Z')
			return 1;
	return 0;
}
/* sv_lower - v in ASCII lower case, copied into dst (v.len bytes: the caller's room) */
static inline struct strview sv_lower(struct strview v, char *dst)
{
	for (size_t i = 0; i < v.len; i++)
		dst[i] = ascii_lower(v.ptr[i]);
	return (struct strview){dst, v.len};
}
/* bytes_eq - n bytes alike; inline, for the short names compared on every line */
static inline int bytes_eq(const char *a, const char *b, size_t n)
{
	unsigned long long x, y;
	if (n >= 8) {	/* eight at a time, the last eight overlapping the ones before */
		for (size_t i = 0; i + 8 < n; i += 8) {
			__builtin_memcpy(&x, a + i, 8);
			__builtin_memcpy(&y, b + i, 8);
			if (x != y)
				return 0;
		}
		__builtin_memcpy(&x, a + n - 8, 8);
		__builtin_memcpy(&y, b + n - 8, 8);
		return x == y;
	}
	if (n >= 4) {	/* two loads that overlap cover 4 to 7 bytes */
		unsigned x1, y1, x2, y2;
		__builtin_memcpy(&x1, a, 4);
		__builtin_memcpy(&y1, b, 4);
		__builtin_memcpy(&x2, a + n - 4, 4);
		__builtin_memcpy(&y2, b + n - 4, 4);
		return ((x1 ^ y1) | (x2 ^ y2)) == 0;
	}
	unsigned d = 0;
	while (n--)
		d |= (unsigned char)(*a++ ^ *b++);
	return d == 0;
}
/* sv_eq - does the view hold exactly the string s? (inline: s is mostly a literal) */
static inline int sv_eq(struct strview v, const char *s)
{
	size_t n = __builtin_strlen(s);
	return v.len == n && bytes_eq(v.ptr, s, n);
}
/* Copies at most size-1 bytes into dst, NUL-terminated; returns dst. */
char *sv_copy(struct strview v, char *dst, size_t size);

#endif
