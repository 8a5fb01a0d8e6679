/*
 * netedit - a Postfix network list as main.cf holds it (`postconf -h
 * mynetworks`: $variables unexpanded) with some addresses' exact entries
 * dropped and every other byte kept: negations, $variables, tables, files,
 * brace groups, the separators between them. All the addresses go in one
 * edit. What cannot be understood whole is refused with the reason, never
 * guessed at or cut.
 */
#ifndef SPAMTOP_NETEDIT_H
#define SPAMTOP_NETEDIT_H

#include <stddef.h>

#include "core/base/buf.h"
#include "core/base/error.h"

struct net_drop {
	const char *ip;		/* the address whose exact entries go (a.b.c.d, IPv6) */
	int dropped;		/* out: how many entries ("ip", "ip/32", "[ip]/128") went */
	int excluded;		/* out: an "!ip" entry before any other excludes it already */
};

/*
 * The text of raw without the drops' exact entries, into out. Returns the
 * number of entries dropped, or -1 with err (an unbalanced brace, an
 * address that is not one, a drop inside a brace group).
 */
int netedit_without(const char *raw, struct net_drop *drops, size_t n, struct buf *out, struct error *err);

#endif
