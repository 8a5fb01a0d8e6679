/*
 * sanitize - render hostile bytes as safe, visible, valid UTF-8 (see sanitize.h).
 */
#include "core/base/sanitize.h"

#include <stdio.h>

static const char replacement[] = "\xEF\xBF\xBD";	/* U+FFFD */

/* utf8_decode - strict decoder: rejects overlongs, surrogates, > U+10FFFF */
size_t utf8_decode(const unsigned char *s, size_t len, unsigned *cp)
{
	unsigned c = s[0];
	size_t n;
	unsigned min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xC2 && c <= 0xDF) {
		n = 2, min = 0x80, c &= 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3, min = 0x800, c &= 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4, min = 0x10000, c &= 0x07;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return n;
}

/* is_format_char - code points that reorder or hide text on a terminal: shown as
 * \uXXXX, so that two names that look alike differ on the screen too */
static int is_format_char(unsigned cp)
{
	return (cp >= 0x80 && cp <= 0x9F)	/* C1 controls, incl. CSI 0x9B */
	    || cp == 0x00AD || cp == 0x180E	/* soft hyphen, Mongolian vowel separator */
	    || cp == 0x061C || cp == 0x200E || cp == 0x200F	/* marks */
	    || (cp >= 0x200B && cp <= 0x200D)	/* zero-width space, non-joiner, joiner */
	    || (cp >= 0x202A && cp <= 0x202E)	/* embeddings, overrides */
	    || (cp >= 0x2060 && cp <= 0x2064)	/* word joiner, invisible operators */
	    || (cp >= 0x2066 && cp <= 0x2069)	/* isolates */
	    || cp == 0x2028 || cp == 0x2029	/* line/paragraph separators */
	    || cp == 0xFEFF || (cp >= 0xFFF9 && cp <= 0xFFFB)	/* BOM, annotations */
	    || (cp >= 0xE0000 && cp <= 0xE007F);	/* tag characters */
}

static void put_escape(struct buf *out, const char *fmt, unsigned v)
{
	char tmp[16];
	int n = snprintf(tmp, sizeof(tmp), fmt, v);
	if (n > 0)
		buf_append(out, tmp, (size_t)n);
}

void sanitize_text(struct buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		size_t run = i;
		while (run < len && p[run] >= 0x20 && p[run] < 0x7F)
			run++;
		if (run > i) {
			buf_append(out, p + i, run - i);
			i = run;
			continue;
		}
		unsigned cp;
		size_t n = utf8_decode(p + i, len - i, &cp);
		if (n == 0) {
			buf_append(out, replacement, 3);
			i++;
		} else if (cp < 0x20 || cp == 0x7F) {
			put_escape(out, "\\x%02x", cp);
			i++;
		} else if (is_format_char(cp)) {
			put_escape(out, "\\u%04x", cp);
			i += n;
		} else {
			buf_append(out, p + i, n);
			i += n;
		}
	}
}

void sanitize_utf8(struct buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		unsigned cp;
		size_t n = utf8_decode(p + i, len - i, &cp);
		if (n == 0) {
			buf_append(out, replacement, 3);
			i++;
		} else {
			buf_append(out, p + i, n);
			i += n;
		}
	}
}
