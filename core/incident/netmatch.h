/*
 * netmatch - Postfix network lists (mynetworks) and domain lists, as data.
 *
 * A network list is what `postconf -hx mynetworks` prints: entries separated
 * by white space or commas, each an address or CIDR block, IPv4 or IPv6,
 * IPv6 in brackets ("[::1]/128", "[2001:db8::]/32") or not. Entries that
 * are files ("/etc/postfix/network_table") or lookup tables ("cidr:...",
 * "hash:...") are kept as "not evaluated": spamtop reports them instead of
 * guessing what they hold. A domain list (mydestination, relay_domains, ...)
 * is read the same way, with tables likewise set aside until
 * domain_list_read_tables lists what postmap can.
 */
#ifndef SPAMTOP_NETMATCH_H
#define SPAMTOP_NETMATCH_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/addr.h"
#include "core/base/buf.h"

struct net_entry {
	uint8_t addr[16];	/* IPv4 as ::ffff:a.b.c.d */
	int prefix;		/* over the 128 bits */
	int negated;		/* "!192.0.2.1": a match means "not in the list" */
	char text[80];		/* as written */
};

struct net_list {
	struct net_entry *nets;	/* every entry, in order (no limit) */
	size_t count, cap;
	struct buf not_evaluated;	/* tables and files, one per line */
	struct buf invalid;		/* entries that are no address, one per line */
};

/* One entry ("192.0.2.0/24", "!192.0.2.1", "[::1]/128") into e; -1 if it is none. */
int net_parse_entry(const char *w, struct net_entry *e);
void net_list_parse(struct net_list *l, const char *value);
void net_list_free(struct net_list *l);
/* The first entry that covers ip (Postfix's first match), or NULL; a
 * negated entry ("!addr") means ip is excluded: check ->negated. */
const struct net_entry *net_list_match(const struct net_list *l, const char *ip);
/*
 * The list's text without the entries that are exactly ip (an address, a
 * /32 or a /128). Returns how many were removed; *covered is set to a wider
 * entry that still covers ip (to be narrowed by hand), else NULL. Tables and
 * files are kept as they are.
 */
int net_list_without(const struct net_list *l, const char *ip, struct buf *out, const struct net_entry **covered);

/* Calls fn on each word of a Postfix list (separated by white space or commas;
 * a word longer than 255 bytes is left out). */
void list_each_word(const char *value, void (*fn)(const char *, void *), void *arg);
/* The word is a table ("type:name", "!type:name") or a file ("/file/name"):
 * Postfix looks it up, the list's text does not say its entries. */
int list_word_is_table(const char *w);

struct domain_list {
	struct buf names;	/* lower case, one per line; ".example.com": its subdomains */
	struct buf not_evaluated;	/* tables and files, one per line */
	struct buf parent_tables;	/* relay_domains' tables, until read: their names stand
					 * for their subdomains too */
	struct buf read_from;	/* the tables and files domain_list_read_tables read or tried,
				 * one per line ("hash:/etc/postfix/relay_domains"): what to watch */
};

void domain_list_add(struct domain_list *d, const char *value);
/* relay_domains: with parent_matches (its name in parent_domain_matches_subdomains,
 * Postfix's default), each name stands for its subdomains too */
void domain_list_add_relay(struct domain_list *d, const char *value, int parent_matches);
/* Its files' words ("/file/name", one level) and the keys of its local
 * indexed tables (hash, lmdb, cdb..., by postmap -s) join its names; what
 * cannot be listed (SQL, LDAP, regexp) stays not evaluated. */
void domain_list_read_tables(struct domain_list *d);
int domain_list_has(const struct domain_list *d, const char *domain, size_t len);
void domain_list_free(struct domain_list *d);

#endif
