/*
 * reputation - blocklisting seen in delivery status texts (see reputation.h).
 */
#include "core/logs/reputation.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/base/buf.h"

const struct reputation_entry reputation_entries[] = {
#define REPUTATION(cls, pattern, what, removal, source) {cls, pattern, what, removal, source},
#include "core/logs/reputation.def"
#undef REPUTATION
};
const size_t reputation_entry_count = sizeof(reputation_entries) / sizeof(reputation_entries[0]);

const char *reputation_class_name(enum reputation_class c)
{
	return c == RP_PROVIDER ? "provider" : "dnsbl";
}

/*
 * The patterns by their first byte, built once: one pass over a text tries
 * at each byte only the patterns that start with it (a pass per pattern,
 * each a memchr for its first byte, cost a deferral a thousand cycles).
 */
#define PATTERNS_MAX 64
static uint64_t starting_with[256];	/* bit e: pattern e starts with the byte */
static size_t pattern_len[PATTERNS_MAX];
static pthread_once_t patterns_once = PTHREAD_ONCE_INIT;
_Static_assert(sizeof(reputation_entries) / sizeof(reputation_entries[0]) <= PATTERNS_MAX,
	       "a pattern's bit must fit in starting_with");

static void index_patterns(void)
{
	for (size_t e = 0; e < reputation_entry_count; e++) {
		const char *pat = reputation_entries[e].pattern;
		pattern_len[e] = strlen(pat);
		if (pattern_len[e])
			starting_with[(unsigned char)pat[0]] |= 1ull << e;
	}
}

/* first_pattern - the first entry (in the table's order) whose pattern is in s[0..n), -1: none */
static int first_pattern(const char *s, size_t n)
{
	pthread_once(&patterns_once, index_patterns);
	uint64_t wanted = ~0ull;	/* entries before the best found so far */
	int best = -1;
	for (size_t i = 0; i < n && wanted; i++) {
		uint64_t cand = starting_with[(unsigned char)s[i]] & wanted;
		while (cand) {
			int e = __builtin_ctzll(cand);
			cand &= cand - 1;
			const char *pat = reputation_entries[e].pattern;
			size_t m = pattern_len[e];
			if (m <= n - i && memcmp(s + i, pat, m) == 0) {
				best = e;
				wanted = e ? (1ull << e) - 1 : 0;	/* only earlier entries can do better */
				break;
			}
		}
	}
	return best;
}

static int digit(char c) { return c >= '0' && c <= '9'; }

/* reply_code - the length of "421-4.7.28 " or "421 4.7.28 " at s (0: none):
 * Postfix joins a multi-line reply's lines with a space, each line keeping
 * its code ("an unusual rate of 421-4.7.28 unsolicited mail") */
static size_t reply_code(const char *s, size_t n)
{
	if (n < 10 || !digit(s[0]) || !digit(s[1]) || !digit(s[2]) || (s[3] != '-' && s[3] != ' ')
	    || !digit(s[4]) || s[5] != '.')
		return 0;
	size_t i = 6, k;
	for (k = 0; i < n && digit(s[i]) && k < 3; i++, k++)
		;
	if (k == 0 || i >= n || s[i] != '.')
		return 0;
	for (i++, k = 0; i < n && digit(s[i]) && k < 3; i++, k++)
		;
	return k && i < n && s[i] == ' ' ? i + 1 : 0;
}

/* remote_reply - the remote site's own words in a status text: after
 * "host X said: " or "host X refused to talk to me: " (smtp_proto.c,
 * smtp_connect.c); NULL when the site said nothing (a connection refused or
 * timed out: most deferrals, which are then not scanned at all) */
static const char *remote_reply(const char *text, size_t len)
{
	static const char said[] = " said: ", refused[] = " refused to talk to me: ";
	for (const char *p = text, *end = text + len; (p = memchr(p, ' ', (size_t)(end - p))) != NULL; p++) {
		if ((size_t)(end - p) >= sizeof(said) - 1 && memcmp(p, said, sizeof(said) - 1) == 0)
			return p + sizeof(said) - 1;
		if ((size_t)(end - p) >= sizeof(refused) - 1 && memcmp(p, refused, sizeof(refused) - 1) == 0)
			return p + sizeof(refused) - 1;
	}
	return NULL;
}

int reputation_classify(const char *status, size_t status_len)
{
	const char *text = remote_reply(status, status_len);
	if (text == NULL)
		return -1;
	size_t len = status_len - (size_t)(text - status);
	char low[512];
	size_t n = 0;
	for (size_t i = 0; i < len && n < sizeof(low);) {
		size_t code = (i == 0 || text[i - 1] == ' ') ? reply_code(text + i, len - i) : 0;
		if (code) {
			i += code;	/* the text reads on as one sentence */
			continue;
		}
		char c = text[i++];
		low[n++] = ascii_lower(c);
	}
	return first_pattern(low, n);
}

static struct reputation_domain *domain_slot(struct reputation_log *log, const char *domain, size_t len)
{
	if (len >= sizeof(log->d[0].domain))
		len = sizeof(log->d[0].domain) - 1;
	for (size_t i = 0; i < log->count; i++)
		if (strlen(log->d[i].domain) == len && strncasecmp(log->d[i].domain, domain, len) == 0)
			return &log->d[i];
	if (log->count == REPUTATION_MAX_DOMAINS)
		return NULL;
	struct reputation_domain *d = &log->d[log->count++];
	memset(d, 0, sizeof(*d));
	for (size_t i = 0; i < len; i++)
		d->domain[i] = ascii_lower(domain[i]);
	return d;
}

void reputation_note(struct reputation_log *log, const char *domain, size_t len, int entry, int64_t t)
{
	if (entry < 0 || (size_t)entry >= reputation_entry_count)
		return;
	log->refusals++;
	struct reputation_domain *d = domain_slot(log, domain, len);
	if (d == NULL) {
		log->other_domains++;
		return;
	}
	if (d->refusals++ == 0 || t < d->first_seen)
		d->first_seen = t;
	if (t > d->last_seen)
		d->last_seen = t;
	if (entry < 64)
		d->entries |= 1ull << entry;
}

static int more_refusals(const void *x, const void *y)
{
	const struct reputation_domain *a = *(const struct reputation_domain *const *)x;
	const struct reputation_domain *b = *(const struct reputation_domain *const *)y;
	if (a->refusals != b->refusals)
		return a->refusals < b->refusals ? 1 : -1;
	return strcmp(a->domain, b->domain);
}

size_t reputation_top(const struct reputation_log *log, const struct reputation_domain **out, size_t n)
{
	const struct reputation_domain *all[REPUTATION_MAX_DOMAINS];
	for (size_t i = 0; i < log->count; i++)
		all[i] = &log->d[i];
	if (log->count > 1)
		qsort(all, log->count, sizeof(all[0]), more_refusals);
	size_t k = log->count < n ? log->count : n;
	memcpy(out, all, k * sizeof(all[0]));
	return k;
}

size_t reputation_domains_since(const struct reputation_log *log, int64_t since,
				const struct reputation_domain **worst)
{
	size_t n = 0;
	*worst = NULL;
	for (size_t i = 0; i < log->count; i++)
		if (log->d[i].last_seen >= since) {
			n++;
			if (*worst == NULL || log->d[i].refusals > (*worst)->refusals)
				*worst = &log->d[i];
		}
	return n;
}
