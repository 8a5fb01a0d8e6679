/*
 * reputation - is our server being blocklisted? Remote sites answer an
 * outbreak with deferrals and bounces whose text names the cause: a DNS
 * blocklist ("blocked using zen.spamhaus.org") or a provider's reputation
 * block (Gmail's "unusual rate of unsolicited mail", Microsoft's S3150,
 * Yahoo's TSS04). reputation_classify() finds the entry of reputation.def a
 * status text matches; a reputation_log keeps, per destination domain, how
 * many deliveries were refused so, since when, and by which entries.
 * Bounded: past REPUTATION_MAX_DOMAINS domains the rest are counted together.
 */
#ifndef SPAMTOP_REPUTATION_H
#define SPAMTOP_REPUTATION_H

#include <stddef.h>
#include <stdint.h>

enum reputation_class { RP_DNSBL, RP_PROVIDER };

struct reputation_entry {
	enum reputation_class cls;
	const char *pattern;	/* lower case; found anywhere in the text */
	const char *what;	/* "Spamhaus (ZEN: ...)" */
	const char *removal;	/* where to ask for removal, "" when the reply names the list */
	const char *source;	/* where the text was found */
};

extern const struct reputation_entry reputation_entries[];
extern const size_t reputation_entry_count;

#define REPUTATION_MAX_DOMAINS 256

struct reputation_domain {
	char domain[128];
	uint32_t refusals;
	int64_t first_seen, last_seen;
	uint64_t entries;	/* bit i: reputation_entries[i] matched */
};

struct reputation_log {
	struct reputation_domain d[REPUTATION_MAX_DOMAINS];
	size_t count;
	uint64_t refusals;	/* every refusal, the domains past the limit included */
	uint64_t other_domains;	/* refusals of domains past the limit */
};

/* The entry a delivery status text matches (index), or -1: only the remote
 * site's reply ("host X said: ...") is read. */
int reputation_classify(const char *text, size_t len);
const char *reputation_class_name(enum reputation_class c);	/* "dnsbl", "provider" */

/* A delivery to a recipient of domain was refused for entry at t. */
void reputation_note(struct reputation_log *log, const char *domain, size_t len, int entry, int64_t t);
/* The domains, the most refusals first (up to n); returns how many. */
size_t reputation_top(const struct reputation_log *log, const struct reputation_domain **out, size_t n);
/* Domains with a refusal at or after since. */
size_t reputation_domains_since(const struct reputation_log *log, int64_t since,
				const struct reputation_domain **worst);

#endif
