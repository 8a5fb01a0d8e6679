/*
 * sanitize - make attacker-chosen log text safe to show.
 *
 * sanitize_text() appends to a buffer a copy of the bytes that is valid
 * UTF-8 and holds no control characters, escape sequences or bidirectional
 * overrides: C0 controls, DEL and C1 controls become visible "\xHH" /
 * "\u0085"-style escapes, bidi and other format characters become "\u202e",
 * invalid or overlong UTF-8 bytes become U+FFFD. Everything printable passes
 * through unchanged, so ordinary addresses look as they do in the log.
 *
 * sanitize_utf8() only repairs the encoding (invalid bytes -> U+FFFD): for
 * JSON, whose encoder escapes control characters itself.
 */
#ifndef SPAMTOP_SANITIZE_H
#define SPAMTOP_SANITIZE_H

#include <stddef.h>

#include "core/base/buf.h"

void sanitize_text(struct buf *out, const char *s, size_t len);
void sanitize_utf8(struct buf *out, const char *s, size_t len);
/* Decodes one UTF-8 sequence; returns its length, 0 if invalid. */
size_t utf8_decode(const unsigned char *s, size_t len, unsigned *cp);

#endif
