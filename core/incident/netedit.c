/*
 * netedit - drop exact entries from a network list's text (see netedit.h).
 *
 * Tokens are split as Postfix's match lists split them (mystrtokq with
 * CHARS_COMMA_SP and braces): white space and commas separate; a token
 * that begins with '{' runs to its matching '}'.
 */
#include "core/incident/netedit.h"

#include <string.h>

#include "core/incident/netmatch.h"

static int is_separator(char c)
{
	return c == ' ' || c == '\t' || c == ',' || c == '\n' || c == '\r';
}

/* token_end - the end of the token at p, or NULL for an unbalanced brace */
static const char *token_end(const char *p)
{
	if (*p != '{') {
		while (*p && !is_separator(*p))
			p++;
		return p;
	}
	int depth = 0;
	for (; *p; p++) {
		depth += *p == '{';
		depth -= *p == '}';
		if (depth == 0)
			return p + 1;
	}
	return NULL;
}

/* drop_of - the drop whose address the token is exactly, or NULL */
static struct net_drop *drop_of(const char *tok, size_t len, struct net_drop *drops, size_t n, int *negated)
{
	char word[128];
	struct net_entry e, d;
	*negated = 0;
	if (len >= sizeof(word))
		return NULL;
	memcpy(word, tok, len);
	word[len] = 0;
	if (net_parse_entry(word, &e) < 0 || e.prefix != 128)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (net_parse_entry(drops[i].ip, &d) == 0 && memcmp(d.addr, e.addr, 16) == 0) {
			*negated = e.negated;
			return &drops[i];
		}
	return NULL;
}

static int brace_holds_drop(const char *tok, size_t len, struct net_drop *drops, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t il = strlen(drops[i].ip);
		for (const char *p = tok; p + il <= tok + len; p++)
			if (memcmp(p, drops[i].ip, il) == 0)
				return 1;
	}
	return 0;
}

int netedit_without(const char *raw, struct net_drop *drops, size_t n, struct buf *out, struct error *err)
{
	struct net_entry probe;
	for (size_t i = 0; i < n; i++) {
		drops[i].dropped = drops[i].excluded = 0;
		if (net_parse_entry(drops[i].ip, &probe) < 0 || probe.negated || probe.prefix != 128) {
			error_set(err, "'%.80s' is not an address", drops[i].ip);
			return -1;
		}
	}
	/* the runs before the first token and after the last stay as they are;
	 * a kept token comes with the separator before it (unless it is the
	 * first kept), so a dropped one takes its own away */
	int total = 0, any_kept = 0;
	const char *p = raw, *sep = raw;
	while (is_separator(*p))
		p++;
	buf_append(out, raw, (size_t)(p - raw));
	while (*p) {
		const char *end = token_end(p);
		if (end == NULL) {
			error_set(err, "mynetworks has a '{' without its '}': it cannot be edited safely");
			return -1;
		}
		size_t len = (size_t)(end - p);
		if (*p == '{' && brace_holds_drop(p, len, drops, n)) {
			error_set(err, "an address to drop is inside the group %.*s: edit it by hand", (int)(len < 80 ? len : 80), p);
			return -1;
		}
		int negated = 0;
		struct net_drop *d = *p == '{' ? NULL : drop_of(p, len, drops, n, &negated);
		if (d && negated) {
			d->excluded |= d->dropped == 0;	/* "!ip" first: Postfix never trusted it */
			d = NULL;
		}
		if (d) {
			d->dropped++;
			total++;
		} else {
			if (any_kept)
				buf_append(out, sep, (size_t)(p - sep));
			buf_append(out, p, len);
			any_kept = 1;
		}
		sep = end;
		p = end;
		while (is_separator(*p))
			p++;
	}
	buf_append(out, sep, (size_t)(p - sep));	/* the trailing run */
	return total;
}
