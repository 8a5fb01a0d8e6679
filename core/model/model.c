/*
 * model - records joined by queue ID, and aggregates over them (see model.h).
 *
 * Storage: aggregates are arrays indexed through pointer-keyed hash tables
 * (keys are interned, so equal strings are equal pointers); records live in
 * a pool with a free list, open ones in a queue-ID hash table and an
 * arrival-ordered list, ended ones in a FIFO ring. Nothing here allocates
 * per line unless it meets a string, a message or a key it has not seen.
 */
#include "core/model/model.h"

#include <stdint.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "core/logs/dovecot.h"

#define NONE 0u
#define LAST_ENDED 64	/* ended records a filter's "queued as" is looked for in */
#define LAST_ENDED_FILTER 1024	/* a power of two */
#define MODEL_MAX_NAMES (2 * MODEL_MAX_HOSTS)	/* logged host names: machines and instances' own */
#define PROXY_LOGINS 256	/* recent logins to a submission proxy, for their client's address */
#define DOVECOT_MAX_ATTEMPTS 100	/* failed AUTHs counted of one connection to it */
#define PROXY_FRONTS 1024	/* before-queue filter front smtpds remembered, by pid */
#define EARLY_RELAYS 256	/* Dovecot relay lines read before Postfix's lines of their message */
#define EARLY_WINDOW 300	/* seconds of log within which Postfix's client= line may still come */
#define PIPE_SLOTS 4096	/* originals handed to a pipe(8) filter, and local submissions, remembered */
#define PIPE_WINDOW 600	/* seconds within which a filter's copy comes back */
#define HERE_LEARNED 768	/* recipients' domains learned from deliveries here, at most */
#define HERE_NAMED 1000000	/* and domains named ours (the configuration), at most */

struct agg_table {		/* found through their keys' istr.ref[kind] */
	struct agg_stats *items;
	size_t count, cap;
};

/* the string a field last stored: most lines repeat it ("unknown", "LOGIN") */
struct last_stored {
	const struct intern_table *table;
	struct istr *s;
};

struct pair_set {		/* distinct (user, ip) pairs */
	const void **slots;	/* 2 per entry */
	size_t mask, count;
};

/* (account, client IP) pairs by the hash of their texts, which outlives the
 * strings' moves at a collection: the account logged in from the address,
 * first at `first` (log time: files read one after the other need not
 * come in time order, a Dovecot file after the mail log) */
struct login_seen {
	uint64_t key;		/* 0: empty */
	int64_t first;
};

struct login_set {
	struct login_seen *slots;
	size_t mask, count;
	uint64_t seed;		/* random: the texts are the clients' */
};
#define LOGIN_SET_MAX (1u << 20)	/* past it, a failure is not told from guessing */

struct model {
	struct model_limits lim;
	struct time_context tc;
	uint64_t qid_seed;	/* queue IDs' hash */
	struct intern_table *host_strings[MODEL_MAX_HOSTS];
	char host_names[MODEL_MAX_HOSTS][MODEL_HOST_NAME];
	int64_t host_last[MODEL_MAX_HOSTS];	/* the time of each host's newest Postfix line, 0: none */
	int nhosts, named, host;	/* host: the one lines now belong to */
	int by_logged_name;	/* hosts told apart by each line's logged host name */
	int host_0_here;	/* host 0 is this machine (see model_host_0_is_here) */
	struct logged_name {
		char name[MODEL_HOST_NAME];
		uint8_t len;	/* strlen(name): compared on every line */
		uint8_t host;
	} logged[MODEL_MAX_NAMES];	/* each host name lines were logged with, and its host */
	int nlogged, last_logged;	/* last_logged: the previous line's (a cache), -1: none */
	char local_name[MODEL_HOST_NAME];	/* this machine's, short: its lines are host 0 */
	char inst_names[MODEL_MAX_INSTANCES][MODEL_INSTANCE_NAME];	/* [0]: "postfix" */
	int ninst, inst;	/* inst: the instance of the line being applied */
	int64_t since;
	size_t collect_at[AGG_KIND_COUNT];	/* aggregates past which to collect */
	int collect_due;	/* a kind passed its collect_at (checked once per line: a flag) */
	struct agg_table aggs[AGG_KIND_COUNT];
	struct pair_set user_ips;
	struct here_domains {	/* our domains: named (model_add_our_domain), or learned from
				 * deliveries here */
		uint64_t *hash;	/* domain_name_hash(); 0: free */
		size_t mask;	/* slots - 1, a power of two; 0 before the first */
		size_t count, learned, named;
	} here_domains, our_parents;	/* and domains whose subdomains are ours (".example.com") */
	struct login_set account_logins;	/* accounts that logged in from an address (see own_failures) */
	struct last_stored client_name, sasl_method;	/* forgotten when strings move */
	struct model_totals totals;
	struct reputation_log reputation;	/* refusals for reputation, every host's */
	int64_t now;
	/* records */
	struct msg_record *pool;
	size_t pool_cap, pool_used;
	uint32_t free_list;	/* index + 1, chained through .newer */
	uint32_t *open_slots;	/* index + 1, keyed by qid */
	size_t open_mask, open_count;
	uint32_t oldest, newest;	/* arrival list ends */
	uint32_t *ended;	/* ring of index + 1 */
	size_t ended_head, ended_count;
	struct {		/* the newest LAST_ENDED of the ring, with their queue IDs' hashes */
		uint32_t hash[LAST_ENDED], id[LAST_ENDED];
		size_t next;
		uint8_t held[LAST_ENDED_FILTER];	/* how many of them have a hash of these low bits:
							 * a sent line's "queued as" is mostly none */
	} last_ended;
	struct pipe_table {	/* a pipe(8) filter's ends: originals it took, local submissions, lately;
				 * direct-mapped by pipe key (a newer one takes the slot) */
		uint64_t key[PIPE_SLOTS];
		uint32_t id[PIPE_SLOTS];
		uint32_t qid_hash[PIPE_SLOTS];	/* the record's when noted: a reused record is not it */
		int64_t at[PIPE_SLOTS];
		uint16_t hops[PIPE_SLOTS];	/* piped: its "delivered via" lines counted as sent so far */
	} *piped, *local_msgs;	/* allocated on the first line through a pipe */
	struct proxy_login {	/* a client that logged in to the proxy: copies, not strings (they move) */
		uint64_t session;	/* text_id_hash() of its session ID */
		uint8_t host;
		char ip[48], method[24];
	} logins[PROXY_LOGINS];
	size_t logins_next;
	struct early_relay {	/* a relay line read before its message's client= line: another
				 * file read in step (the console), ahead by a few lines */
		uint32_t qid_hash;
		uint8_t qid_len;	/* 0: free, or taken */
		uint8_t host;
		char qid[32];
		int64_t at;
		uint64_t trace;		/* text_id_hash() of its transaction ID */
		char user[256], ip[48], method[24];
	} *early;		/* EARLY_RELAYS, allocated on the first */
	size_t early_next;
	int64_t early_newest;	/* the newest one's time: none looked for long after it */
	struct proxy_front {	/* a before-queue filter's front smtpd: its transaction's client */
		long pid;
		uint8_t host;
		char ip[48], name[128], user[256], method[24];
	} *fronts;		/* PROXY_FRONTS by pid, allocated on the first "NOQUEUE: client=" */
};

static uint64_t ptr_hash(const void *p)
{
	return ((uintptr_t)p >> 3) * 0x9E3779B97F4A7C15ull;
}

/* ---- minute rings ---- */

/* ring_add - count one at time t into a ring of size buckets; returns the
 * count of t's minute (0 when t is older than the ring remembers) */
static uint32_t ring_add(int32_t *newest, uint16_t *n, int size, int64_t t)
{
	int32_t minute = (int32_t)(t / 60);
	if (minute > *newest) {
		int64_t gap = (int64_t)minute - *newest;
		if (gap >= size)
			memset(n, 0, (size_t)size * sizeof(*n));
		else
			for (int64_t i = 1; i <= gap; i++)
				n[(*newest + i) % size] = 0;
		*newest = minute;
	} else if (*newest - minute >= size) {
		return 0;
	}
	uint16_t *b = &n[minute % size];
	if (*b < UINT16_MAX)
		(*b)++;
	return *b;
}

/* ring_sub - take back one counted at time t, if the ring still holds its
 * minute; returns the minute's count before, 0 when it is gone */
static uint32_t ring_sub(int32_t newest, uint16_t *n, int size, int64_t t)
{
	int32_t minute = (int32_t)(t / 60);
	if (minute > newest || newest - minute >= size || n[minute % size] == 0)
		return 0;
	return n[minute % size]--;
}

static uint64_t ring_sum(int32_t newest, const uint16_t *n, int size, int64_t now, int minutes)
{
	if (minutes < 1)
		minutes = 1;
	if (minutes > size)
		minutes = size;
	int64_t last = now / 60, first = last - minutes + 1;
	uint64_t sum = 0;
	for (int64_t mnt = first; mnt <= last; mnt++)
		if (mnt >= 0 && mnt <= newest && newest - mnt < size)
			sum += n[mnt % size];
	return sum;
}

uint64_t agg_rate(const struct model *m, const struct minute_ring *r, int minutes)
{
	return ring_sum(r->newest, r->n, RATE_MINUTES, m->now, minutes);
}

uint64_t agg_failures_within(const struct model *m, const struct agg_stats *a, int minutes)
{
	const struct failure_ring *r = a->fail_rate;
	return r ? ring_sum(r->newest, r->n, FAILURE_MINUTES, m->now, minutes) : 0;
}

/* ---- aggregate tables ---- */

/* agg_get - the aggregate for key (index + 1), created on first sight (noting
 * when the kind passes the size it is collected at); 0 on ENOMEM */
static uint32_t agg_get(struct model *m, enum agg_kind kind, struct istr *key, int64_t now)
{
	if (key->ref[kind])
		return key->ref[kind];
	struct agg_table *t = &m->aggs[kind];
	if (t->count == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 64;
		struct agg_stats *ni = realloc(t->items, ncap * sizeof(*ni));
		if (ni == NULL)
			return NONE;
		t->items = ni;
		t->cap = ncap;
	}
	struct agg_stats *a = &t->items[t->count];
	memset(a, 0, sizeof(*a));
	a->key = key;
	a->host = (uint8_t)m->host;
	a->first_seen = a->last_seen = now;
	a->msg_rate.newest = (int32_t)(now / 60);
	key->ref[kind] = (uint32_t)(++t->count);
	if (t->count > m->collect_at[kind])
		m->collect_due = 1;
	return key->ref[kind];
}

static void agg_table_free(struct agg_table *t)
{
	for (size_t i = 0; i < t->count; i++) {
		free(t->items[i].fail_rate);
		free(t->items[i].recent);
	}
	free(t->items);
}

static struct agg_stats *agg_ptr(struct model *m, enum agg_kind k, uint32_t id)
{
	return id ? &m->aggs[k].items[id - 1] : NULL;
}

/* ---- distinct (user, ip) pairs ---- */

/* pair_add - 1 if the pair is new, 0 if known or out of memory */
static int pair_add(struct pair_set *s, const void *a, const void *b)
{
	if ((s->count + 1) * 4 > (s->mask + 1) * 3) {
		size_t nmask = s->mask ? s->mask * 2 + 1 : 255;
		const void **ns = calloc(2 * (nmask + 1), sizeof(*ns));
		if (ns == NULL)
			return 0;
		for (size_t i = 0; s->slots && i <= s->mask; i++) {
			if (s->slots[2 * i] == NULL)
				continue;
			size_t j = (ptr_hash(s->slots[2 * i]) ^ ptr_hash(s->slots[2 * i + 1]) * 31) & nmask;
			while (ns[2 * j])
				j = (j + 1) & nmask;
			ns[2 * j] = s->slots[2 * i];
			ns[2 * j + 1] = s->slots[2 * i + 1];
		}
		free(s->slots);
		s->slots = ns;
		s->mask = nmask;
	}
	size_t j = (ptr_hash(a) ^ ptr_hash(b) * 31) & s->mask;
	while (s->slots[2 * j]) {
		if (s->slots[2 * j] == a && s->slots[2 * j + 1] == b)
			return 0;
		j = (j + 1) & s->mask;
	}
	s->slots[2 * j] = a;
	s->slots[2 * j + 1] = b;
	s->count++;
	return 1;
}

/* ---- accounts that logged in from an address ---- */

/* login_key - the two strings' own hashes (their table's random seed, kept
 * when strings move), mixed: no string is hashed again */
static uint64_t login_key(const struct login_set *s, const struct istr *account, const struct istr *ip)
{
	uint64_t h = ((uint64_t)account->hash << 32 | ip->hash) ^ s->seed;
	h = (h ^ (h >> 31)) * 0xbf58476d1ce4e5b9ull;
	h ^= h >> 29;
	return h ? h : 1;
}

static struct login_seen *login_slot(const struct login_set *s, uint64_t key)
{
	size_t j = key & s->mask;
	while (s->slots[j].key && s->slots[j].key != key)
		j = (j + 1) & s->mask;
	return &s->slots[j];
}

/* login_note - account logged in from ip at t (a message over SMTP AUTH, a Dovecot login) */
static void login_note(struct login_set *s, const struct istr *account, const struct istr *ip, int64_t t)
{
	if (account == NULL || ip == NULL || s->count >= LOGIN_SET_MAX)
		return;
	if ((s->count + 1) * 4 > (s->mask + 1) * 3) {
		size_t nmask = s->mask ? s->mask * 2 + 1 : 255;
		struct login_seen *ns = calloc(nmask + 1, sizeof(*ns));
		if (ns == NULL)
			return;
		struct login_set grown = {ns, nmask, s->count, s->seed};
		for (size_t i = 0; s->slots && i <= s->mask; i++)
			if (s->slots[i].key)
				*login_slot(&grown, s->slots[i].key) = s->slots[i];
		free(s->slots);
		*s = grown;
	}
	uint64_t key = login_key(s, account, ip);
	struct login_seen *slot = login_slot(s, key);
	if (slot->key == 0) {
		*slot = (struct login_seen){key, t};
		s->count++;
	} else if (t < slot->first) {
		slot->first = t;
	}
}

/* login_before - the account had logged in from ip at t or before */
static int login_before(const struct login_set *s, const struct istr *account, const struct istr *ip, int64_t t)
{
	if (s->slots == NULL || account == NULL || ip == NULL)
		return 0;
	const struct login_seen *seen = login_slot(s, login_key(s, account, ip));
	return seen->key != 0 && seen->first <= t;
}

/* model_own_failures_only - all of the address's failed logins named an
 * account that had logged in from it before: the account's own phone or mail
 * client with an old password, not someone guessing (whose first failure
 * comes before any login of the account from there) */
int model_own_failures_only(const struct agg_stats *ip)
{
	return ip->sasl_failures > 0 && ip->own_failures == ip->sasl_failures;
}

/* ---- model life cycle ---- */

void model_limits_default(struct model_limits *lim)
{
	lim->max_open = 500000;
	lim->keep_ended = 50000;
	lim->max_field = 1024;
	lim->max_keys = 100000;
	lim->source_window = 3600;
	lim->spread_messages = 10;
}

struct model *model_new(const struct model_limits *lim, time_t reference)
{
	struct model *m = calloc(1, sizeof(*m));
	if (m == NULL)
		return NULL;
	if (lim)
		m->lim = *lim;
	else
		model_limits_default(&m->lim);
	if (m->lim.max_open < 1)
		m->lim.max_open = 1;
	if (m->lim.max_field < 16)
		m->lim.max_field = 16;
	for (int k = 0; k < AGG_KIND_COUNT; k++)
		m->collect_at[k] = m->lim.max_keys ? m->lim.max_keys : SIZE_MAX;
	time_context_init(&m->tc, reference);
	m->host_strings[0] = intern_new();
	m->qid_seed = intern_process_seed();	/* a parser thread hashes IDs for it (event.h) */
	m->account_logins.seed = intern_seed();
	m->nhosts = 1;
	m->by_logged_name = 1;
	m->last_logged = -1;
	if (gethostname(m->local_name, sizeof(m->local_name) - 1) < 0)
		m->local_name[0] = 0;
	m->local_name[strcspn(m->local_name, ".")] = 0;
	m->ninst = 1;
	snprintf(m->inst_names[0], sizeof(m->inst_names[0]), "postfix");
	m->open_mask = 1023;
	m->open_slots = calloc(m->open_mask + 1, sizeof(*m->open_slots));
	m->ended = m->lim.keep_ended ? calloc(m->lim.keep_ended, sizeof(*m->ended)) : NULL;
	if (m->host_strings[0] == NULL || m->open_slots == NULL || (m->lim.keep_ended && m->ended == NULL)) {
		model_free(m);
		return NULL;
	}
	return m;
}

void model_free(struct model *m)
{
	if (m == NULL)
		return;
	for (int k = 0; k < AGG_KIND_COUNT; k++)
		agg_table_free(&m->aggs[k]);
	free(m->user_ips.slots);
	free(m->account_logins.slots);
	free(m->here_domains.hash);
	free(m->our_parents.hash);
	free(m->early);
	for (int h = 0; h < m->nhosts; h++)
		intern_free(m->host_strings[h]);
	free(m->pool);
	free(m->open_slots);
	free(m->ended);
	free(m->piped);
	free(m->local_msgs);
	free(m->fronts);
	free(m);
}

const struct model_totals *model_totals(const struct model *m) { return &m->totals; }
int64_t model_now(const struct model *m) { return m->now; }
size_t model_open_count(const struct model *m) { return m->open_count; }
size_t model_ended_count(const struct model *m) { return m->ended_count; }

size_t model_string_bytes(const struct model *m)
{
	size_t n = 0;
	for (int h = 0; h < m->nhosts; h++)
		n += intern_bytes(m->host_strings[h]);
	return n;
}

int model_add_host(struct model *m, const char *name)
{
	if (!m->named)
		m->host_0_here = 1;	/* the first name given is this machine's (logged names: see below) */
	m->by_logged_name = 0;
	int known = m->named ? model_host_by_name(m, name) : -1;
	if (known >= 0)
		return known;
	int h = m->named ? m->nhosts : 0;
	if (h == MODEL_MAX_HOSTS)
		return -1;
	if (h > 0) {
		m->host_strings[h] = intern_new();
		if (m->host_strings[h] == NULL)
			return -1;
		m->nhosts++;
	}
	snprintf(m->host_names[h], sizeof(m->host_names[h]), "%s", name);
	m->named = 1;
	return h;
}

void model_set_since(struct model *m, int64_t t) { m->since = t; }

void model_set_host(struct model *m, int host)
{
	if (host >= 0 && host < m->nhosts)
		m->host = host;
}

int model_host_count(const struct model *m) { return m->nhosts; }
int model_host_0_is_here(const struct model *m) { return m->host_0_here; }

int64_t model_host_last_time(const struct model *m, int host)
{
	return host >= 0 && host < m->nhosts ? m->host_last[host] : 0;
}

const char *model_host_name(const struct model *m, int host)
{
	return host >= 0 && host < m->nhosts ? m->host_names[host] : "";
}

int model_host_by_name(const struct model *m, const char *name)
{
	for (int h = 0; h < m->nhosts; h++)
		if (strcmp(m->host_names[h], name) == 0)
			return h;
	return -1;
}

size_t model_agg_count(const struct model *m, enum agg_kind kind)
{
	return m->aggs[kind].count;
}

const struct agg_stats *model_agg_at(const struct model *m, enum agg_kind kind, size_t i)
{
	return i < m->aggs[kind].count ? &m->aggs[kind].items[i] : NULL;
}

const struct agg_stats *model_agg_find(const struct model *m, enum agg_kind kind,
				       const char *key, size_t len)
{
	return model_agg_find_host(m, 0, kind, key, len);
}

const struct agg_stats *model_agg_find_host(const struct model *m, int host, enum agg_kind kind,
					    const char *key, size_t len)
{
	if (host < 0 || host >= m->nhosts)
		return NULL;
	const struct istr *k = intern_find(m->host_strings[host], key, len);
	uint32_t id = k ? k->ref[kind] : NONE;
	return id ? &m->aggs[kind].items[id - 1] : NULL;
}

/* ---- strings ---- */

static struct istr *store(struct model *m, struct strview v)
{
	if (v.len > m->lim.max_field) {
		v.len = m->lim.max_field;
		m->totals.fields_cut++;
	}
	struct istr *s = intern(m->host_strings[m->host], v.ptr, v.len);
	if (s == NULL)
		m->totals.out_of_memory++;
	return s;
}

/* store_hashed - store, with the view's intern hash that the parser's thread
 * computed (event.h); 0 when none was (an event the model made up) */
static struct istr *store_hashed(struct model *m, struct strview v, uint32_t h)
{
	if (h == 0 || v.len > m->lim.max_field)
		return store(m, v);	/* cut: another hash */
	struct istr *s = intern_hashed(m->host_strings[m->host], v.ptr, v.len, h);
	if (s == NULL)
		m->totals.out_of_memory++;
	return s;
}

/* store_repeated - store, for a field whose lines mostly repeat the last value */
static struct istr *store_repeated(struct model *m, struct last_stored *last, struct strview v)
{
	const struct intern_table *t = m->host_strings[m->host];
	if (last->s && last->table == t && last->s->len == v.len && (v.len == 0 || memcmp(last->s->s, v.ptr, v.len) == 0))
		return last->s;
	last->table = t;
	last->s = store(m, v);
	return last->s;
}

/*
 * store_account - a SASL user's account: its name case-folded (ASCII), so
 * that "Admin@x" and "admin@x" are one account, as Dovecot's default
 * auth_username_format (%Lu) and most SASL back ends make them
 */
static struct istr *store_account(struct model *m, struct strview v)
{
	if (!sv_has_upper(v))
		return store(m, v);
	char folded[1024];
	size_t n = v.len < sizeof(folded) ? v.len : sizeof(folded);
	if (n < v.len)
		m->totals.fields_cut++;
	return store(m, sv_lower((struct strview){v.ptr, n}, folded));
}

/* event_account - store_account of the event's sasl_username, with what the
 * parser's thread found of it (event.h: account_hash, account_folds) */
static struct istr *event_account(struct model *m, const struct pf_event *ev)
{
	struct strview v = ev->sasl_username;
	if (ev->account_hash == 0)
		return store_account(m, v);
	if (!ev->account_folds)
		return store_hashed(m, v, ev->account_hash);
	char folded[1024];	/* the parser hashed none longer */
	return store_hashed(m, sv_lower(v, folded), ev->account_hash);
}

size_t client_source(const char *ip, size_t len, char *out, size_t size)
{
	char text[INET6_ADDRSTRLEN];
	struct in6_addr a;
	if (memchr(ip, ':', len) == NULL || len >= sizeof(text))
		return 0;
	memcpy(text, ip, len);
	text[len] = 0;
	if (inet_pton(AF_INET6, text, &a) != 1)
		return 0;
	memset(a.s6_addr + 8, 0, 8);
	if (inet_ntop(AF_INET6, &a, text, sizeof(text)) == NULL)
		return 0;
	int n = snprintf(out, size, "%s/64", text);
	return n > 0 && (size_t)n < size ? (size_t)n : 0;
}

/* source_of - the client source of an address: an IPv6 one's /64 */
static const struct istr *source_of(struct model *m, const struct istr *ip)
{
	char prefix[INET6_ADDRSTRLEN + 4];
	size_t n = client_source(ip->s, ip->len, prefix, sizeof(prefix));
	return n ? store(m, (struct strview){prefix, n}) : ip;
}

/*
 * recent_source - a user sent from src at t: remember it (the least recently
 * seen source makes room) and, when the window ending at t holds enough of
 * its messages, how many sources it holds: rate and spread weighed together,
 * so that a user roaming between home, phone and office is no suspect
 */
static void recent_source(struct model *m, struct agg_stats *u, const struct istr *src, int64_t t)
{
	if (u->recent == NULL && (u->recent = calloc(1, sizeof(*u->recent))) == NULL) {
		m->totals.out_of_memory++;
		return;
	}
	struct recent_sources *rs = u->recent;
	int64_t from = t - m->lim.source_window;
	uint32_t at = rs->n, oldest = 0;
	for (uint32_t i = 0; i < rs->n; i++) {
		if (rs->src[i] == src)
			at = i;
		if (rs->last[i] < rs->last[oldest])
			oldest = i;
	}
	if (at == rs->n && rs->n == RECENT_SOURCES)
		at = oldest;
	if (at == rs->n)
		rs->n++;
	if (rs->src[at] != src || rs->last[at] < from)
		rs->msgs[at] = 0;	/* a new source, or one idle for a window */
	rs->src[at] = src;
	if (t > rs->last[at])
		rs->last[at] = t;
	rs->msgs[at]++;
	uint32_t sources = 0, msgs = 0;
	for (uint32_t i = 0; i < rs->n; i++)
		if (rs->last[i] >= from) {
			sources++;
			msgs += rs->msgs[i];
		}
	if (msgs >= m->lim.spread_messages && sources > u->peak_window_sources)
		u->peak_window_sources = sources;
}

uint32_t agg_sources_within(const struct model *m, const struct agg_stats *a)
{
	uint32_t n = 0;
	for (uint32_t i = 0; a->recent && i < a->recent->n; i++)
		n += a->recent->last[i] >= m->now - m->lim.source_window;
	return n;
}

int64_t model_source_window(const struct model *m) { return m->lim.source_window; }
uint32_t model_spread_messages(const struct model *m) { return m->lim.spread_messages; }

/* note_spelling - how an account's name was logged: the first spelling, and
 * whether it was ever logged otherwise */
static void note_spelling(struct agg_stats *u, const struct istr *spelling)
{
	if (u == NULL || spelling == NULL)
		return;
	if (u->spelling == NULL)
		u->spelling = spelling;
	else if (spelling != u->spelling)
		u->several_spellings = 1;
}

size_t address_domain(const char *addr, size_t len, char *dst, size_t size)
{
	const char *at = NULL;
	for (size_t i = len; i > 0; i--)
		if (addr[i - 1] == '@') {
			at = addr + i;
			break;
		}
	size_t n = 0;
	if (at && size > 0) {
		size_t dlen = (size_t)(addr + len - at);
		for (; n < dlen && n + 1 < size; n++)
			dst[n] = ascii_lower(at[n]);
	}
	if (size > 0)
		dst[n] = 0;
	return n;
}

/* ---- records ---- */

static struct msg_record *rec(struct model *m, uint32_t id) { return &m->pool[id - 1]; }

static uint32_t qid_hash(const struct model *m, const char *qid, size_t len)
{
	return intern_hash_seeded(m->qid_seed, qid, len);
}

static size_t qid_slot(const struct model *m, int host, int inst, const char *qid, size_t len, uint32_t h)
{
	size_t j = h & m->open_mask;
	while (m->open_slots[j]) {
		const struct msg_record *r = &m->pool[m->open_slots[j] - 1];
		if (r->qid_hash == h && r->qid_len == len && r->host == host && r->instance == inst
		    && bytes_eq(r->qid, qid, len))
			break;
		j = (j + 1) & m->open_mask;
	}
	return j;
}

const struct msg_record *model_find_open(const struct model *m, const char *qid)
{
	return model_find_open_host(m, 0, qid);
}

/* open_id - the open record of qid (h: its qid_hash) in one instance on host
 * (index + 1), or NONE; never created */
static uint32_t open_id(const struct model *m, int host, int inst, const char *qid, size_t len, uint32_t h)
{
	if (len == 0 || len >= sizeof(m->pool->qid))
		return NONE;
	return m->open_slots[qid_slot(m, host, inst, qid, len, h)];
}

/* open_any - the open record of qid in instance inst, else in another one:
 * a line logged under another syslog_name than its instance's (Debian's
 * master.cf gives relay "-o syslog_name=postfix/$service_name" in every
 * instance), or a filter re-injecting into another instance */
static uint32_t open_any_hashed(const struct model *m, int host, int inst, const char *qid, size_t len,
				uint32_t h)
{
	uint32_t id = open_id(m, host, inst, qid, len, h);
	for (int i = 0; id == NONE && i < m->ninst; i++)
		if (i != inst)
			id = open_id(m, host, i, qid, len, h);
	return id;
}

static uint32_t open_any(const struct model *m, int host, int inst, const char *qid, size_t len)
{
	return open_any_hashed(m, host, inst, qid, len, qid_hash(m, qid, len));
}

const struct msg_record *model_find_open_host(const struct model *m, int host, const char *qid)
{
	uint32_t id = open_any(m, host, 0, qid, strlen(qid));
	return id ? &m->pool[id - 1] : NULL;
}

const struct msg_record *model_find_open_in(const struct model *m, int host, int inst, const char *qid)
{
	size_t len = strlen(qid);
	uint32_t id = inst >= 0 && inst < m->ninst ? open_id(m, host, inst, qid, len, qid_hash(m, qid, len)) : NONE;
	return id ? &m->pool[id - 1] : NULL;
}

/* instance_of - the number of the instance a line's syslog_name prefix names,
 * added on first sight; past MODEL_MAX_INSTANCES, the first one's */
static int instance_of(struct model *m, struct strview name)
{
	if (name.len >= MODEL_INSTANCE_NAME)
		return 0;
	for (int i = 0; i < m->ninst; i++)
		if (bytes_eq(m->inst_names[i], name.ptr, name.len) && m->inst_names[i][name.len] == 0)
			return i;
	if (m->ninst == MODEL_MAX_INSTANCES || name.len == 0)
		return 0;
	memcpy(m->inst_names[m->ninst], name.ptr, name.len);
	m->inst_names[m->ninst][name.len] = 0;
	return m->ninst++;
}

int model_instance_find(const struct model *m, const char *name)
{
	for (int i = 0; i < m->ninst; i++)
		if (strcmp(m->inst_names[i], name) == 0)
			return i;
	return -1;
}

int model_instance_count(const struct model *m) { return m->ninst; }

const char *model_instance_name(const struct model *m, int inst)
{
	return inst >= 0 && inst < m->ninst ? m->inst_names[inst] : "";
}

static int open_grow(struct model *m)
{
	size_t nmask = m->open_mask * 2 + 1;
	uint32_t *ns = calloc(nmask + 1, sizeof(*ns));
	if (ns == NULL)
		return -1;
	for (size_t i = 0; i <= m->open_mask; i++) {
		uint32_t id = m->open_slots[i];
		if (!id)
			continue;
		size_t j = m->pool[id - 1].qid_hash & nmask;
		while (ns[j])
			j = (j + 1) & nmask;
		ns[j] = id;
	}
	free(m->open_slots);
	m->open_slots = ns;
	m->open_mask = nmask;
	return 0;
}

/* open_remove - delete a slot with backward-shift (linear probing) */
static void open_remove(struct model *m, size_t j)
{
	m->open_slots[j] = 0;
	size_t i = (j + 1) & m->open_mask;
	while (m->open_slots[i]) {
		uint32_t id = m->open_slots[i];
		size_t home = m->pool[id - 1].qid_hash & m->open_mask;
		/* move it back if its home is not within (j, i] cyclically */
		if ((i > j && (home <= j || home > i)) || (i < j && home <= j && home > i)) {
			m->open_slots[j] = id;
			m->open_slots[i] = 0;
			j = i;
		}
		i = (i + 1) & m->open_mask;
	}
	m->open_count--;
}

static void list_unlink(struct model *m, uint32_t id)
{
	struct msg_record *r = rec(m, id);
	if (r->older)
		rec(m, r->older)->newer = r->newer;
	else
		m->oldest = r->newer;
	if (r->newer)
		rec(m, r->newer)->older = r->older;
	else
		m->newest = r->older;
	r->older = r->newer = NONE;
}

static void record_release(struct model *m, uint32_t id)
{
	rec(m, id)->newer = m->free_list;
	m->free_list = id;
}

/* record_close - take an open record out of the open set into the ended ring */
static void record_close(struct model *m, uint32_t id)
{
	struct msg_record *r = rec(m, id);
	open_remove(m, qid_slot(m, r->host, r->instance, r->qid, r->qid_len, r->qid_hash));
	list_unlink(m, id);
	if (m->lim.keep_ended == 0) {
		record_release(m, id);
		return;
	}
	size_t pos = (m->ended_head + m->ended_count) % m->lim.keep_ended;
	if (m->ended_count == m->lim.keep_ended) {
		record_release(m, m->ended[m->ended_head]);
		m->ended_head = (m->ended_head + 1) % m->lim.keep_ended;
		m->ended_count--;
	}
	m->ended[pos] = id;
	m->ended_count++;
	size_t last = m->last_ended.next % LAST_ENDED;
	if (m->last_ended.next++ >= LAST_ENDED)	/* the one it replaces */
		m->last_ended.held[m->last_ended.hash[last] & (LAST_ENDED_FILTER - 1)]--;
	m->last_ended.hash[last] = r->qid_hash;
	m->last_ended.id[last] = id;
	m->last_ended.held[r->qid_hash & (LAST_ENDED_FILTER - 1)]++;
}

static uint32_t record_alloc(struct model *m)
{
	if (m->free_list) {
		uint32_t id = m->free_list;
		m->free_list = rec(m, id)->newer;
		return id;
	}
	if (m->pool_used == m->pool_cap) {
		size_t ncap = m->pool_cap ? m->pool_cap * 2 : 1024;
		if (ncap > UINT32_MAX - 1)
			return NONE;
		struct msg_record *np = realloc(m->pool, ncap * sizeof(*np));
		if (np == NULL)
			return NONE;
		m->pool = np;
		m->pool_cap = ncap;
	}
	return (uint32_t)(++m->pool_used);
}

/*
 * record_for - the open record of qid in the line's instance, started on
 * first sight. A line that does not start a message (starts 0) may belong
 * to a record open in another instance (see open_any).
 */
static struct msg_record *record_for_hashed(struct model *m, struct strview qid, uint32_t h, int64_t t,
					     int starts)
{
	if (qid.len == 0 || qid.len >= sizeof(m->pool->qid))
		return NULL;
	size_t j = qid_slot(m, m->host, m->inst, qid.ptr, qid.len, h);
	if (m->open_slots[j])
		return rec(m, m->open_slots[j]);
	uint32_t other = starts ? NONE : open_any_hashed(m, m->host, m->inst, qid.ptr, qid.len, h);
	if (other)
		return rec(m, other);
	if (m->open_count >= m->lim.max_open && m->oldest) {
		record_close(m, m->oldest);
		m->totals.evicted_open++;
		j = qid_slot(m, m->host, m->inst, qid.ptr, qid.len, h);
	}
	if ((m->open_count + 1) * 4 > (m->open_mask + 1) * 3) {
		if (open_grow(m) < 0) {
			m->totals.out_of_memory++;
			return NULL;
		}
		j = qid_slot(m, m->host, m->inst, qid.ptr, qid.len, h);
	}
	uint32_t id = record_alloc(m);
	if (id == NONE) {
		m->totals.out_of_memory++;
		return NULL;
	}
	struct msg_record *r = rec(m, id);
	memset(r, 0, sizeof(*r));
	memcpy(r->qid, qid.ptr, qid.len);
	r->qid_len = (uint8_t)qid.len;
	r->qid_hash = h;
	r->host = (uint8_t)m->host;
	r->instance = (uint8_t)m->inst;
	r->first_seen = r->last_seen = t;
	m->open_slots[j] = id;
	m->open_count++;
	r->older = m->newest;
	if (m->newest)
		rec(m, m->newest)->newer = id;
	else
		m->oldest = id;
	m->newest = id;
	return r;
}

static struct msg_record *record_for(struct model *m, struct strview qid, int64_t t, int starts)
{
	return record_for_hashed(m, qid, qid_hash(m, qid.ptr, qid.len), t, starts);
}

int model_foreach_record(const struct model *m, int (*fn)(const struct msg_record *, void *),
			 void *arg)
{
	for (uint32_t id = m->oldest; id; id = m->pool[id - 1].newer) {
		int rc = fn(&m->pool[id - 1], arg);
		if (rc)
			return rc;
	}
	for (size_t i = 0; i < m->ended_count; i++) {
		int rc = fn(&m->pool[m->ended[(m->ended_head + i) % m->lim.keep_ended] - 1], arg);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- applying events ---- */

/* each_agg - run fn over the record's aggregates */
#define FOR_EACH_AGG(m, r, a, body)                                             \
	for (int k_ = 0; k_ < AGG_KIND_COUNT; k_++) {                           \
		struct agg_stats *a = agg_ptr((m), (enum agg_kind)k_, (r)->agg[k_]); \
		if (a) { body; }                                                \
	}

static struct agg_stats *touch(struct model *m, enum agg_kind k, struct istr *key,
			       int64_t t, uint32_t *id_out)
{
	if (key == NULL)
		return NULL;
	uint32_t id = agg_get(m, k, key, t);
	if (id == NONE) {
		m->totals.out_of_memory++;
		return NULL;
	}
	if (id_out)
		*id_out = id;
	struct agg_stats *a = agg_ptr(m, k, id);
	if (t > a->last_seen)
		a->last_seen = t;
	return a;
}

/* minute_count - the ring's count of minute mnt (epoch / 60) */
static uint32_t minute_count(const struct minute_ring *r, int64_t mnt)
{
	if (mnt < 0 || mnt > r->newest || r->newest - mnt >= RATE_MINUTES)
		return 0;	/* not in the ring (yet, or any more) */
	return r->n[(uint64_t)mnt % RATE_MINUTES];
}

/* sliding_with - messages in the 60 seconds ending at t, this minute's count
 * given: it, and the part of the previous minute the window still covers (a
 * burst across a minute's turn is not halved) */
static uint32_t sliding_with(const struct minute_ring *r, int64_t t, uint32_t this_minute)
{
	uint64_t sec = (uint64_t)(t % 60);
	return (uint32_t)(this_minute + (uint64_t)minute_count(r, t / 60 - 1) * (60 - sec) / 60);
}

/* sliding_minute - sliding_with this minute's count from the ring */
static uint32_t sliding_minute(const struct minute_ring *r, int64_t t)
{
	return sliding_with(r, t, minute_count(r, t / 60));
}

uint64_t agg_rate_sliding(const struct model *m, const struct minute_ring *r)
{
	return sliding_minute(r, m->now);
}

/* count_message - a message is attributed to an aggregate once */
static void count_message(struct agg_stats *a, const struct msg_record *r, int64_t t)
{
	a->msgs++;
	uint32_t in_minute = ring_add(&a->msg_rate.newest, a->msg_rate.n, RATE_MINUTES, t);
	uint32_t sliding = sliding_with(&a->msg_rate, t, in_minute);	/* never below in_minute */
	if (sliding > a->peak_1m)
		a->peak_1m = sliding;
	if (r->flags & RF_NULL_SENDER)
		a->null_sender++;
}

/* dest_here - a record's deliveries so far all stayed on this server: here,
 * to a program here (pipe), or dropped (discard); one that went on makes it
 * relayed mail */
static int dest_here(uint8_t dest)
{
	return dest != 0 && !(dest & DEST_ONWARD);
}

/* give_outcomes, take_outcomes - a record's deliveries (sent, deferred,
 * bounced recipients) counted in an aggregate, or taken back (never below 0) */
static void give_outcomes(struct agg_stats *a, const struct msg_record *r)
{
	a->sent += r->sent;
	a->deferred += r->deferred;
	a->bounced += r->bounced;
	a->delivered_here += dest_here(r->dest);
}

static void take_outcomes(struct agg_stats *a, const struct msg_record *r)
{
	a->sent -= a->sent >= r->sent ? r->sent : a->sent;
	a->deferred -= a->deferred >= r->deferred ? r->deferred : a->deferred;
	a->bounced -= a->bounced >= r->bounced ? r->bounced : a->bounced;
	a->delivered_here -= dest_here(r->dest) && a->delivered_here;
}

/* set_dest, note_dest - where r's deliveries went (a delivery's is added):
 * a message counts as delivered here while every delivery of it stayed here
 * (dest_here); its aggregates follow */
static void set_dest(struct model *m, struct msg_record *r, uint8_t dest)
{
	int before = dest_here(r->dest);
	r->dest = dest;
	int after = dest_here(r->dest);
	if (after != before)
		FOR_EACH_AGG(m, r, a, if (after) a->delivered_here++; else if (a->delivered_here) a->delivered_here--);
}

static void note_dest(struct model *m, struct msg_record *r, uint8_t dest)
{
	set_dest(m, r, r->dest | dest);
}

/* uncount_message - count_message taken back (a record found to be a copy) */
static void uncount_message(struct agg_stats *a, const struct msg_record *r)
{
	if (a->msgs)
		a->msgs--;
	uint32_t before = ring_sub(a->msg_rate.newest, a->msg_rate.n, RATE_MINUTES, r->first_seen);
	if (before && before == a->peak_1m)	/* its minute made the peak */
		a->peak_1m--;
	if ((r->flags & RF_NULL_SENDER) && a->null_sender)
		a->null_sender--;
	if (r->flags & RF_QUEUED) {
		a->rcpts -= a->rcpts >= r->nrcpt ? r->nrcpt : a->rcpts;
		a->bytes -= a->bytes >= r->size ? r->size : a->bytes;
	}
	take_outcomes(a, r);	/* link_copy gives them to the origin's */
}

/*
 * record_uncount - take back what a record counted as a message of its own
 * (apply_client, apply_queued, count_record): it turned out to be a copy.
 */
static void record_uncount(struct model *m, struct msg_record *r)
{
	struct model_totals *tot = &m->totals;
	if ((r->flags & RF_COUNTED) && tot->messages)
		tot->messages--;
	if (r->client_ip) {
		uint64_t *n = r->sasl_user ? &tot->auth_messages : &tot->unauth_messages;
		*n -= *n ? 1 : 0;
		struct agg_stats *ip = agg_ptr(m, AGG_CLIENT_IP, r->agg[AGG_CLIENT_IP]);
		if (ip) {
			uint32_t *k = r->sasl_user ? &ip->auth_msgs : &ip->unauth_msgs;
			*k -= *k ? 1 : 0;
		}
	}
	if (r->flags & RF_QUEUED) {
		tot->rcpts -= tot->rcpts >= r->nrcpt ? r->nrcpt : tot->rcpts;
		tot->bytes_queued -= tot->bytes_queued >= r->size ? r->size : tot->bytes_queued;
		if ((r->flags & RF_NULL_SENDER) && tot->null_sender)
			tot->null_sender--;
	}
	FOR_EACH_AGG(m, r, a, uncount_message(a, r));
}

/* copy_origin - what a copy takes from its origin: client, account, aggregates */
static void copy_origin(struct msg_record *c, const struct msg_record *o)
{
	c->client_ip = o->client_ip;
	c->client_name = o->client_name;
	c->sasl_user = o->sasl_user;
	c->sasl_method = o->sasl_method;
	c->local_uid = o->local_uid;
	memcpy(c->agg, o->agg, sizeof(c->agg));
}

/*
 * link_copy - c is a copy of o (a content filter's, or o requeued): it takes
 * o's origin (SASL user, client, local uid, sender, aggregates and
 * Message-ID) and counts no message; the caller counts the copy.
 */
static void link_copy(struct model *m, struct msg_record *c, struct msg_record *o)
{
	c->flags |= RF_COPY | RF_COUNTED;
	o->flags |= RF_HAS_COPY;
	copy_origin(c, o);
	c->msgid_hash = o->msgid_hash;
	if (o->flags & RF_LOCAL)
		c->flags |= RF_LOCAL;
	memcpy(c->origin_qid, o->qid, sizeof(c->origin_qid));
	FOR_EACH_AGG(m, c, a, give_outcomes(a, c));	/* what the copy met already (a quick local delivery) */
}

/*
 * recharge_copies - o's client and account changed after a content filter's
 * copy was tied to it (Dovecot's relay line, or a front's proxy-accept, read
 * after the copy's client= line): the copy, which is what the queue holds
 * now, takes them too, with the deliveries it met. Copies arrive after
 * their origin: the open records newer than o are looked at, newest first.
 */
static void recharge_copies(struct model *m, const struct msg_record *o)
{
	if (!(o->flags & RF_HAS_COPY))
		return;
	for (uint32_t id = m->newest; id; id = rec(m, id)->older) {
		struct msg_record *c = rec(m, id);
		if (c->first_seen < o->first_seen)
			break;
		if (c == o || !(c->flags & RF_COPY) || c->host != o->host || strcmp(c->origin_qid, o->qid) != 0)
			continue;
		FOR_EACH_AGG(m, c, a, take_outcomes(a, c));
		copy_origin(c, o);
		FOR_EACH_AGG(m, c, a, give_outcomes(a, c));
	}
}

/* open_here - the open record of qid on the current host (in any instance),
 * never created */
static struct msg_record *open_here(struct model *m, struct strview qid)
{
	uint32_t id = open_any(m, m->host, m->inst, qid.ptr, qid.len);
	return id ? rec(m, id) : NULL;
}

/*
 * login_after_failures - account u logged in from ip (an SMTP AUTH message,
 * a Dovecot login): when that address failed logins within the lock-out
 * window before, the password may have been guessed there. The most such
 * failures, and that address, are kept as evidence for the account.
 */
static void login_after_failures(struct agg_stats *u, const struct agg_stats *ip, int64_t t)
{
	if (u == NULL || ip == NULL || ip->fail_rate == NULL || model_own_failures_only(ip))
		return;
	const struct failure_ring *r = ip->fail_rate;
	uint64_t n = ring_sum(r->newest, r->n, FAILURE_MINUTES, t, FAILURE_WINDOW_MINUTES);
	if (n > u->failures_before_login) {
		u->failures_before_login = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
		u->cracked_from = ip->key;
	}
}

static void early_take(struct model *m, struct msg_record *r, int64_t t);

static void apply_client(struct model *m, struct msg_record *r, const struct pf_event *ev, int64_t t)
{
	if (r->client_ip || (r->flags & RF_COPY))
		return;		/* a second client= for the same record: not a new message */
	struct strview name = ev->client_name, addr = ev->client_ip;
	if (ev->orig_qid.len) {	/* a copy re-injected by a filter speaking XFORWARD */
		struct msg_record *o = open_here(m, ev->orig_qid);
		if (o != NULL && o != r && !(o->flags & RF_COPY)) {
			link_copy(m, r, o);
			m->totals.filter_copies++;
			return;
		}
		memcpy(r->origin_qid, ev->orig_qid.ptr, ev->orig_qid.len);
		if (ev->orig_client_ip.len) {	/* its origin is not in this log: the client XFORWARD names */
			name = ev->orig_client_name;
			addr = ev->orig_client_ip;
		}
	}
	struct istr *ip_key = addr.ptr == ev->client_ip.ptr ? store_hashed(m, addr, ev->client_ip_hash)
	    : store(m, addr);
	r->client_ip = ip_key;
	r->client_name = store_repeated(m, &m->client_name, name);
	struct agg_stats *ip = touch(m, AGG_CLIENT_IP, ip_key, t, &r->agg[AGG_CLIENT_IP]);
	struct istr *user_key = NULL;	/* the account (case-folded), when it authenticated */
	if (ev->sasl_username.len && !ev->orig_qid.len) {
		user_key = event_account(m, ev);
		struct strview logged = ev->sasl_username;	/* as its queue file says; mostly the account */
		int same = user_key && user_key->len == logged.len
			   && (ev->account_hash ? !ev->account_folds : memcmp(user_key->s, logged.ptr, logged.len) == 0);
		r->sasl_user = same ? user_key : store(m, logged);
		r->sasl_method = store_repeated(m, &m->sasl_method, ev->sasl_method);
		struct agg_stats *u = touch(m, AGG_SASL_USER, user_key, t, &r->agg[AGG_SASL_USER]);
		if (u) {
			count_message(u, r, t);
			note_spelling(u, r->sasl_user);
			const struct istr *src = r->client_ip ? source_of(m, r->client_ip) : NULL;
			if (src && pair_add(&m->user_ips, user_key, src))
				u->distinct_ips++;
			if (src)
				recent_source(m, u, src, t);
			login_after_failures(u, ip, t);
			login_note(&m->account_logins, user_key, ip_key, t);
		}
		m->totals.auth_messages++;
	} else {
		m->totals.unauth_messages++;
	}
	if (ip) {
		count_message(ip, r, t);
		if (r->sasl_user) {
			ip->auth_msgs++;
			ip->last_user = user_key ? user_key : r->sasl_user;
		} else {
			ip->unauth_msgs++;
		}
	}
	if (ev->orig_qid.len)
		r->flags |= RF_COPY;
	/* a qmgr line may have come first (lines out of order) */
	if (r->flags & RF_QUEUED)
		for (int k = AGG_SASL_USER; k <= AGG_CLIENT_IP; k++) {
			struct agg_stats *a = agg_ptr(m, (enum agg_kind)k, r->agg[k]);
			if (a) {
				a->rcpts += r->nrcpt;
				a->bytes += r->size;
			}
		}
	early_take(m, r, t);
}

/* sender_domain - the sender's domain in lower case, stored (NULL without
 * one), with what the parser's thread found of it (event.h) */
static struct istr *sender_domain(struct model *m, const struct pf_event *ev)
{
	char dom[256];
	if (ev->sender_domain_hash == 0) {
		size_t dlen = address_domain(ev->sender.ptr, ev->sender.len, dom, sizeof(dom));
		return dlen ? store(m, (struct strview){dom, dlen}) : NULL;
	}
	struct strview v = {ev->sender.ptr + ev->sender.len - ev->sender_domain_len, ev->sender_domain_len};
	if (ev->sender_domain_folds)	/* the parser hashed none longer than 255 */
		v = sv_lower(v, dom);
	return store_hashed(m, v, ev->sender_domain_hash);
}

static void apply_queued(struct model *m, struct msg_record *r, const struct pf_event *ev, int64_t t)
{
	if (r->flags & RF_QUEUED)
		return;		/* qmgr logs from= again on every retry */
	r->flags |= RF_QUEUED;
	struct istr *sender_key = store_hashed(m, ev->sender, ev->sender_hash);
	r->sender = sender_key;
	r->size = (uint64_t)ev->size;
	r->nrcpt = (uint32_t)ev->nrcpt;
	if (ev->sender.len == 0)
		r->flags |= RF_NULL_SENDER;
	if ((r->flags & RF_COPY) && r->origin_qid[0] && r->agg[AGG_SENDER])
		return;		/* its origin counted it */
	if (ev->sender.len == 0)
		m->totals.null_sender++;
	m->totals.rcpts += r->nrcpt;
	m->totals.bytes_queued += r->size;
	struct agg_stats *s = touch(m, AGG_SENDER, sender_key, t, &r->agg[AGG_SENDER]);
	if (s)
		count_message(s, r, t);
	struct istr *domain_key = sender_domain(m, ev);
	if (domain_key) {
		struct agg_stats *d = touch(m, AGG_DOMAIN, domain_key, t, &r->agg[AGG_DOMAIN]);
		if (d)
			count_message(d, r, t);
	}
	FOR_EACH_AGG(m, r, a, {
		a->rcpts += r->nrcpt;
		a->bytes += r->size;
		if (k_ >= AGG_SASL_USER && (r->flags & RF_NULL_SENDER))
			a->null_sender++;
	});
}

/* recently_ended - qid among the last few records ended on this host: a
 * copy delivered at once (locally) may end before its origin's "queued as" */
static struct msg_record *recently_ended(struct model *m, struct strview qid, uint32_t h)
{
	size_t n = m->last_ended.next < LAST_ENDED ? m->last_ended.next : LAST_ENDED;
	if (n > m->ended_count)	/* the ring keeps fewer (limits.keep_ended) */
		n = m->ended_count;
	if (m->last_ended.held[h & (LAST_ENDED_FILTER - 1)] == 0)
		return NULL;	/* mostly none has its hash: said without a look at the 64 */
	for (size_t i = 0; i < n; i++) {	/* newest first; the records' hashes side by side */
		size_t j = (m->last_ended.next - 1 - i) % LAST_ENDED;
		if (m->last_ended.hash[j] != h)
			continue;
		struct msg_record *r = rec(m, m->last_ended.id[j]);
		if (r->host == m->host && r->qid_len == qid.len && memcmp(r->qid, qid.ptr, qid.len) == 0)
			return r;
	}
	return NULL;
}

/* ---- a submission proxy's accounts (Dovecot's submission service) ---- */

/* add_record - an aggregate takes on a record it did not count so far: the
 * message, and what its queue and delivery lines brought already */
static void add_record(struct agg_stats *a, const struct msg_record *r, int64_t t)
{
	count_message(a, r, r->first_seen ? r->first_seen : t);
	if (r->flags & RF_QUEUED) {
		a->rcpts += r->nrcpt;
		a->bytes += r->size;
	}
	give_outcomes(a, r);
	a->held += (r->flags & RF_HELD) != 0;
	if (t > a->last_seen)
		a->last_seen = t;
}

static void proxy_login_note(struct model *m, const struct dovecot_event *dv)
{
	struct proxy_login *l = &m->logins[m->logins_next++ % PROXY_LOGINS];
	l->session = text_id_hash(dv->session.ptr, dv->session.len);
	l->host = (uint8_t)m->host;
	sv_copy(dv->client_ip, l->ip, sizeof(l->ip));
	sv_copy(dv->method, l->method, sizeof(l->method));
}

/* proxy_login_find - the newest login of this session on this host, or NULL */
static const struct proxy_login *proxy_login_find(const struct model *m, struct strview session)
{
	uint64_t h = text_id_hash(session.ptr, session.len);
	size_t n = m->logins_next < PROXY_LOGINS ? m->logins_next : PROXY_LOGINS;
	for (size_t i = 0; i < n; i++) {
		const struct proxy_login *l = &m->logins[(m->logins_next - 1 - i) % PROXY_LOGINS];
		if (l->session == h && l->host == m->host)
			return l;
	}
	return NULL;
}

static struct strview sv_of(const char *s) { return (struct strview){s, strlen(s)}; }

/*
 * charge_to - r was queued from a proxy's address as unauthenticated (a
 * before-queue filter's, Dovecot's submission service's); its client was
 * name[ip] (empty ip: not known, the proxy's stays) and its account user
 * (empty: none). The proxy's counts are taken back and given to them. The
 * account's aggregate, or NULL.
 */
static struct agg_stats *charge_to(struct model *m, struct msg_record *r, struct strview user, struct strview method,
				   struct strview name, struct strview ip, int64_t t)
{
	struct model_totals *tot = &m->totals;
	struct agg_stats *ipa = agg_ptr(m, AGG_CLIENT_IP, r->agg[AGG_CLIENT_IP]);
	if (ipa && ipa->unauth_msgs)
		ipa->unauth_msgs--;
	struct istr *key = ip.len ? store(m, ip) : NULL;
	if (key && key != r->client_ip) {
		if (ipa)
			uncount_message(ipa, r);
		r->agg[AGG_CLIENT_IP] = NONE;
		r->client_ip = key;
		r->client_name = store(m, name.len ? name : sv_of("unknown"));
		ipa = touch(m, AGG_CLIENT_IP, key, t, &r->agg[AGG_CLIENT_IP]);
		if (ipa)
			add_record(ipa, r, t);
	}
	if (user.len == 0) {
		if (ipa)
			ipa->unauth_msgs++;
		return NULL;
	}
	tot->unauth_messages -= tot->unauth_messages ? 1 : 0;
	tot->auth_messages++;
	struct istr *user_key = store_account(m, user);
	int same = user_key && user_key->len == user.len && memcmp(user_key->s, user.ptr, user.len) == 0;
	r->sasl_user = same ? user_key : store(m, user);
	r->sasl_method = method.len ? store_repeated(m, &m->sasl_method, method) : NULL;
	if (ipa) {
		ipa->auth_msgs++;
		ipa->last_user = user_key ? user_key : r->sasl_user;
	}
	struct agg_stats *u = touch(m, AGG_SASL_USER, user_key, t, &r->agg[AGG_SASL_USER]);
	if (u == NULL)
		return NULL;
	add_record(u, r, t);
	note_spelling(u, r->sasl_user);
	const struct istr *src = key ? source_of(m, r->client_ip) : NULL;
	if (src && pair_add(&m->user_ips, user_key, src))
		u->distinct_ips++;
	if (src)
		recent_source(m, u, src, r->first_seen ? r->first_seen : t);
	login_after_failures(u, ipa, t);
	return u;
}

/* relay_chargeable - a record a relay line charges: queued from the proxy,
 * unauthenticated; a record charged to an account already (XCLIENT), a copy
 * or a local submission is left as it is */
static int relay_chargeable(const struct msg_record *r)
{
	return !r->sasl_user && r->client_ip && !(r->flags & (RF_COPY | RF_LOCAL | RF_PROXIED | RF_FRONT));
}

/* relayed_record - the record a proxy's "queued as QID" (a valid queue ID)
 * names, open or among the last ended (its line may follow "removed") */
static struct msg_record *relayed_record(struct model *m, struct strview qid)
{
	m->inst = 0;
	struct msg_record *r = open_here(m, qid);
	return r ? r : recently_ended(m, qid, qid_hash(m, qid.ptr, qid.len));
}

/* proxied_record - that record, when the proxy's line charges it */
static struct msg_record *proxied_record(struct model *m, struct strview qid)
{
	if (!queue_id_valid(qid.ptr, qid.len))
		return NULL;
	struct msg_record *r = relayed_record(m, qid);
	return r && relay_chargeable(r) ? r : NULL;
}

/* charge_relay - r was the account's, sent from ip (empty: not known) */
static void charge_relay(struct model *m, struct msg_record *r, struct strview user, struct strview method,
			 struct strview ip, uint64_t trace, int64_t t)
{
	struct agg_stats *u = charge_to(m, r, user, method, SV_NULL, ip, t);
	r->flags |= RF_PROXIED;
	r->trace_id_hash = trace;
	m->totals.proxied_messages++;
	if (u)
		u->proxied++;
	recharge_copies(m, r);
}

/* early_keep - a relay line whose message no Postfix line has named yet */
static void early_keep(struct model *m, struct strview qid, struct strview user, struct strview method,
		       struct strview ip, uint64_t trace, int64_t t)
{
	if (qid.len >= sizeof(m->early->qid) || user.len >= sizeof(m->early->user)
	    || (m->early == NULL && (m->early = calloc(EARLY_RELAYS, sizeof(*m->early))) == NULL))
		return;
	struct early_relay *e = &m->early[m->early_next++ % EARLY_RELAYS];
	e->qid_hash = qid_hash(m, qid.ptr, qid.len);
	e->qid_len = (uint8_t)qid.len;
	e->host = (uint8_t)m->host;
	memcpy(e->qid, qid.ptr, qid.len);
	e->at = t;
	e->trace = trace;
	sv_copy(user, e->user, sizeof(e->user));
	sv_copy(ip, e->ip, sizeof(e->ip));
	sv_copy(method, e->method, sizeof(e->method));
	if (t > m->early_newest)
		m->early_newest = t;
}

/* early_take - r's client= line is read: a relay line that came before it charges it now */
static void early_take(struct model *m, struct msg_record *r, int64_t t)
{
	if (m->early == NULL || t - m->early_newest > EARLY_WINDOW || !relay_chargeable(r))
		return;
	for (size_t i = 0; i < EARLY_RELAYS; i++) {
		struct early_relay *e = &m->early[i];
		if (e->qid_hash != r->qid_hash || e->qid_len != r->qid_len || e->host != r->host
		    || memcmp(e->qid, r->qid, e->qid_len) != 0 || t - e->at > EARLY_WINDOW || e->at - t > EARLY_WINDOW)
			continue;
		e->qid_len = 0;
		charge_relay(m, r, sv_of(e->user), sv_of(e->method), sv_of(e->ip), e->trace, t);
		return;
	}
}

/*
 * apply_proxied - "Successfully relayed message ... queued as QID": the
 * message Postfix queued from Dovecot as unauthenticated was the account's,
 * sent from the address its login line named (when read). A line read
 * before any of Postfix's lines of its message is kept until its client=
 * line comes (early_take).
 */
static void apply_proxied(struct model *m, const struct dovecot_event *dv, int64_t t)
{
	if (!queue_id_valid(dv->queued_as.ptr, dv->queued_as.len))
		return;
	struct msg_record *r = relayed_record(m, dv->queued_as);
	const struct proxy_login *login = proxy_login_find(m, dv->session);
	struct strview method = login ? sv_of(login->method) : SV_NULL, ip = login ? sv_of(login->ip) : SV_NULL;
	uint64_t trace = text_id_hash(dv->trans_id.ptr, dv->trans_id.len);
	if (r == NULL || (r->client_ip == NULL && !(r->flags & (RF_COPY | RF_LOCAL | RF_FRONT))))
		early_keep(m, dv->queued_as, dv->user, method, ip, trace, t);
	else if (relay_chargeable(r))
		charge_relay(m, r, dv->user, method, ip, trace, t);
}

/* ---- a before-queue content filter (smtpd_proxy_filter, SMTPD_PROXY_README):
 * the front smtpd talks to the client and logs "NOQUEUE: client=..." with its
 * account; the message is queued by the smtpd behind the filter, from the
 * filter's address; the front's "proxy-accept: ... queued as QID" ties them */

static struct proxy_front *front_slot(struct model *m, long pid, int create)
{
	if (m->fronts == NULL && (!create || (m->fronts = calloc(PROXY_FRONTS, sizeof(*m->fronts))) == NULL)) {
		m->totals.out_of_memory += create;
		return NULL;
	}
	struct proxy_front *f = &m->fronts[(unsigned long)pid % PROXY_FRONTS];
	if (!create && (f->pid != pid || f->host != m->host || !f->ip[0]))
		return NULL;
	return f;
}

/* front_client - "NOQUEUE: client=": this smtpd's transaction's client and account */
static void front_client(struct model *m, const struct log_line *ll, const struct pf_event *ev)
{
	struct proxy_front *f = ll->pid >= 0 ? front_slot(m, ll->pid, 1) : NULL;
	if (f == NULL)
		return;
	f->pid = ll->pid;
	f->host = (uint8_t)m->host;
	int fits = ev->client_ip.len < sizeof(f->ip) && ev->client_name.len < sizeof(f->name)
	    && ev->sasl_username.len < sizeof(f->user) && ev->sasl_method.len < sizeof(f->method);
	sv_copy(fits ? ev->client_ip : SV_NULL, f->ip, sizeof(f->ip));	/* too long: forgotten */
	sv_copy(ev->client_name, f->name, sizeof(f->name));
	sv_copy(ev->sasl_username, f->user, sizeof(f->user));
	sv_copy(ev->sasl_method, f->method, sizeof(f->method));
}

/* front_accept - "proxy-accept: ... queued as QID": QID is that transaction's */
static void front_accept(struct model *m, const struct log_line *ll, const struct pf_event *ev, int64_t t)
{
	struct proxy_front *f = front_slot(m, ll->pid, 0);
	struct msg_record *r = f ? proxied_record(m, ev->queued_as) : NULL;
	if (r == NULL)
		return;
	charge_to(m, r, sv_of(f->user), sv_of(f->method), sv_of(f->name), sv_of(f->ip), t);
	r->flags |= RF_FRONT;
	m->totals.front_messages++;
	f->ip[0] = 0;	/* one message a transaction */
	recharge_copies(m, r);
}

/*
 * handed_to_filter - a sent status whose "queued as" names a record open
 * here that began after r: the content filter's copy. It is tied to r (taking
 * back what it counted as a message of the filter's address) and the hop is
 * no delivery. The copy's client= line comes first: the filter answers only
 * once the copy is queued.
 */
static int handed_to_filter(struct model *m, struct msg_record *r, const struct pf_event *ev)
{
	uint32_t h = qid_hash(m, ev->queued_as.ptr, ev->queued_as.len);	/* once: every sent line asks */
	uint32_t id = open_any_hashed(m, m->host, m->inst, ev->queued_as.ptr, ev->queued_as.len, h);
	struct msg_record *c = id ? rec(m, id) : recently_ended(m, ev->queued_as, h);
	if (c == NULL || c == r || c->first_seen < r->first_seen)
		return 0;
	if (c->flags & RF_COPY)	/* tied already (XFORWARD): the hop's own line */
		return strcmp(c->origin_qid, r->qid) == 0;
	if (c->client_ip == NULL || c->sasl_user != NULL)
		return 0;	/* a filter's re-injection is unauthenticated */
	record_uncount(m, c);
	link_copy(m, c, r);
	m->totals.filter_copies++;
	return 1;
}

/* ---- a pipe(8) content filter re-injecting through sendmail (FILTER_README's
 * simple filter, spamc -e sendmail): the copy comes back through pickup as a
 * local submission of the filter's uid, with the original's Message-ID and
 * envelope sender ---- */

static int delivered_via_pipe(const struct pf_event *ev)
{
	return ev->status == DS_SENT && ev->status_text.len > 14 && memcmp(ev->status_text.ptr, "delivered via ", 14) == 0;
}

/*
 * A pipe filter's copy and its original are known by the same key: the
 * Message-ID's hash; for a message that came with none (cleanup logged
 * message-id=<>, or made one up for the copy: msgid_hash 0), its envelope
 * sender and a recipient, which the filter passes on (-f ${sender} --
 * ${recipient}), seen at the original's hop and at the copy's delivery.
 */
static uint64_t id_less_key(const struct msg_record *r, struct strview rcpt)
{
	if (r->msgid_hash || !(r->flags & RF_MESSAGE_ID) || r->sender == NULL || r->sender->len == 0)
		return 0;	/* it has a Message-ID, or what it had is not logged yet */
	uint64_t k = text_id_hash(r->sender->s, r->sender->len) ^ text_id_hash(rcpt.ptr, rcpt.len) * 0x9e3779b97f4a7c15ull;
	return k ? k : 1;
}

/* pipe_slot - key's slot in t when it names a record still there on this host, else -1 */
static long pipe_slot(const struct model *m, const struct pipe_table *t, uint64_t key)
{
	size_t i = key & (PIPE_SLOTS - 1);
	if (key == 0 || t == NULL || t->key[i] != key || t->id[i] == 0)
		return -1;
	const struct msg_record *r = &m->pool[t->id[i] - 1];
	return r->qid_hash == t->qid_hash[i] && r->host == m->host ? (long)i : -1;
}

/* pipe_note - r under key into t at time at; its slot, or -1 when out of memory */
static long pipe_note(struct model *m, struct pipe_table **t, const struct msg_record *r, uint64_t key, int64_t at)
{
	if (*t == NULL && (*t = calloc(1, sizeof(**t))) == NULL) {
		m->totals.out_of_memory++;
		return -1;
	}
	size_t i = key & (PIPE_SLOTS - 1);
	(*t)->key[i] = key;
	(*t)->id[i] = (uint32_t)(r - m->pool) + 1;
	(*t)->qid_hash[i] = r->qid_hash;
	(*t)->at[i] = at;
	(*t)->hops[i] = 0;
	return (long)i;
}

/* pipe_copy_of - is c, a local submission, the copy of o a pipe filter re-injected? */
static int pipe_copy_of(const struct msg_record *c, const struct msg_record *o, int64_t piped_at)
{
	return c != o && (c->flags & RF_LOCAL) && !(c->flags & RF_COPY) && c->client_ip == NULL
	    && c->sasl_user == NULL && o->sender && c->sender == o->sender && c->first_seen >= o->first_seen
	    && c->first_seen - piped_at <= PIPE_WINDOW && piped_at - c->first_seen <= PIPE_WINDOW;
}

/* hops_back - o's hops to the filter, counted as sent, were no delivery */
static void hops_back(struct model *m, struct msg_record *o, unsigned hops)
{
	hops = hops < o->sent ? hops : o->sent;
	o->sent = (uint16_t)(o->sent - hops);
	m->totals.sent -= m->totals.sent >= hops ? hops : m->totals.sent;
	FOR_EACH_AGG(m, o, a, a->sent -= a->sent >= hops ? hops : a->sent);
}

/* pipe_link - c is o's copy: what it counted as a local submission is taken
 * back, and o's hops to the filter (counted as sent) were no delivery */
static void pipe_link(struct model *m, struct msg_record *c, struct msg_record *o, unsigned hops)
{
	record_uncount(m, c);
	m->totals.local_submissions -= m->totals.local_submissions ? 1 : 0;
	c->flags &= (uint16_t)~RF_LOCAL;
	c->local_uid = NULL;
	link_copy(m, c, o);
	m->totals.filter_copies++;
	hops_back(m, o, hops);
	set_dest(m, o, o->dest & (uint8_t)~DEST_PIPE);	/* its hops were none: its copy's deliveries say */
}

/*
 * piped_to_filter - o's "delivered via SERVICE service": when a local
 * submission of the same Message-ID and sender came back already, that is
 * its copy and this line a hop (1: not a delivery); else o is remembered,
 * and the line counts as sent until a copy shows up.
 */
static int piped_to_filter(struct model *m, struct msg_record *o, const struct pf_event *ev, int64_t t)
{
	if (o->flags & (RF_COPY | RF_LOCAL))
		return 0;
	uint64_t key = o->msgid_hash ? o->msgid_hash : id_less_key(o, ev->rcpt);
	if (key == 0)
		return 0;
	long i = pipe_slot(m, m->local_msgs, key);
	if (i >= 0) {
		struct msg_record *c = &m->pool[m->local_msgs->id[i] - 1];
		if ((c->flags & RF_COPY) && strcmp(c->origin_qid, o->qid) == 0)
			return 1;	/* tied already: another recipient's hop */
		if (pipe_copy_of(c, o, t)) {
			pipe_link(m, c, o, 0);
			return 1;
		}
	}
	long k = pipe_slot(m, m->piped, key);
	if (k < 0 || m->piped->id[k] != (uint32_t)(o - m->pool) + 1)
		k = pipe_note(m, &m->piped, o, key, t);
	if (k >= 0)
		m->piped->hops[k]++;
	return 0;
}

/* local_message_id - a local submission's Message-ID: the copy of a message
 * a pipe filter took lately, or one it is about to be; remembered either way */
static void local_message_id(struct model *m, struct msg_record *c, uint64_t key, int64_t t)
{
	long k = pipe_slot(m, m->piped, key);
	if (k >= 0) {
		struct msg_record *o = &m->pool[m->piped->id[k] - 1];
		if (pipe_copy_of(c, o, m->piped->at[k])) {
			pipe_link(m, c, o, m->piped->hops[k]);
			m->piped->hops[k] = 0;
		}
	}
	pipe_note(m, &m->local_msgs, c, key, t);	/* tied: o's later hops are known as hops */
}

/*
 * local_delivery_seen - a delivery of c, a local submission that came with no
 * Message-ID: by its sender and this recipient, the copy of a message a pipe
 * filter took (tied now, as local_message_id ties one by its ID), or, tied
 * already, one more of its original's hops known as a hop
 */
static void local_delivery_seen(struct model *m, struct msg_record *c, struct strview rcpt, int64_t t)
{
	if (c->flags & RF_COPY) {
		long k = c->origin_qid[0] ? pipe_slot(m, m->piped, id_less_key(c, rcpt)) : -1;
		struct msg_record *o = k >= 0 ? &m->pool[m->piped->id[k] - 1] : NULL;
		if (o && strcmp(o->qid, c->origin_qid) == 0) {
			hops_back(m, o, m->piped->hops[k]);
			m->piped->hops[k] = 0;
		}
		return;
	}
	uint64_t key = c->flags & RF_LOCAL ? id_less_key(c, rcpt) : 0;
	if (key)
		local_message_id(m, c, key, t);
}

/* note_reputation - a refusal whose text says our server is blocklisted */
static void note_reputation(struct model *m, const struct pf_event *ev, int64_t t)
{
	int entry = ev->reputation;	/* classified by event_parse (off the model's thread) */
	if (entry < 0)
		return;
	struct strview rcpt = ev->rcpt.len ? ev->rcpt : (struct strview){"", 0};
	const char *at = memchr(rcpt.ptr, '@', rcpt.len);
	const char *domain = at ? at + 1 : rcpt.ptr;
	reputation_note(&m->reputation, domain, (size_t)(rcpt.ptr + rcpt.len - domain), entry, t);
}

const struct reputation_log *model_reputation(const struct model *m) { return &m->reputation; }

int64_t model_reference(const struct model *m) { return m->tc.reference; }

/* here_slot - h's slot in the table, or the free one where it would go */
static uint64_t *here_slot(const struct here_domains *d, uint64_t h)
{
	size_t i = (size_t)h & d->mask;
	while (d->hash[i] && d->hash[i] != h)
		i = (i + 1) & d->mask;
	return &d->hash[i];
}

static int here_has(const struct here_domains *d, uint64_t h)
{
	return h && d->count && *here_slot(d, h) == h;
}

/* here_add - 1 when h is new, 0 when known, -1 out of memory */
static int here_add(struct here_domains *d, uint64_t h)
{
	if ((d->count + 1) * 4 > (d->mask + 1) * 3 || d->hash == NULL) {
		size_t nmask = d->mask ? d->mask * 2 + 1 : 255;
		uint64_t *nh = calloc(nmask + 1, sizeof(*nh));
		if (nh == NULL)
			return -1;
		struct here_domains grown = {nh, nmask, d->count, d->learned, d->named};
		for (size_t i = 0; d->hash && i <= d->mask; i++)
			if (d->hash[i])
				*here_slot(&grown, d->hash[i]) = d->hash[i];
		free(d->hash);
		*d = grown;
	}
	uint64_t *slot = here_slot(d, h);
	if (*slot)
		return 0;
	*slot = h;
	d->count++;
	return 1;
}

int model_add_our_domain(struct model *m, const char *domain, size_t len)
{
	int parent = len && domain[0] == '.';
	struct here_domains *d = parent ? &m->our_parents : &m->here_domains;
	uint64_t h = domain_name_hash(domain + parent, len - (size_t)parent);
	if (h == 0 || m->here_domains.named + m->our_parents.named >= HERE_NAMED)
		return -1;
	int added = here_add(d, h);
	d->named += added == 1;
	return added < 0 ? -1 : 0;
}

size_t model_our_domains_named(const struct model *m)
{
	return m->here_domains.named + m->our_parents.named;
}

/* ours_by_parent - the recipient's domain is below one whose subdomains are ours */
static int ours_by_parent(const struct model *m, struct strview rcpt)
{
	const char *at = NULL;
	for (size_t i = rcpt.len; i > 0 && at == NULL; i--)
		if (rcpt.ptr[i - 1] == '@')
			at = rcpt.ptr + i;
	if (at == NULL)
		return 0;
	for (const char *p = at, *end = rcpt.ptr + rcpt.len; p < end; p++)
		if (*p == '.' && here_has(&m->our_parents, domain_name_hash(p + 1, (size_t)(end - p - 1))))
			return 1;
	return 0;
}

/* learn_domain - the recipient's domain (h) is ours: a delivery took mail for it here */
static void learn_domain(struct model *m, struct here_domains *d, uint64_t h)
{
	if (h == 0 || d->learned >= HERE_LEARNED)
		return;
	int added = here_add(d, h);
	d->learned += added == 1;
	if (added < 0)
		m->totals.out_of_memory++;
}

/*
 * dest_of - where a delivery took the message. A delivery for one of our
 * domains is mail for us whatever its transport: error(8) and retry(8),
 * which defer for a destination Postfix holds back (a gateway's inside
 * server down: all but its first messages are error(8)'s), and smtp(8) to a
 * gateway's inside server (transport_maps). Our domains are those named
 * (Postfix's configuration) and those a delivery here took mail for: a
 * delivery here teaches its domain; one to an alias's target (orig_to=)
 * does not, that recipient may be anyone's.
 */
static uint8_t dest_of(struct model *m, const struct pf_event *ev)
{
	struct here_domains *d = &m->here_domains;
	if (ev->dest == DEST_BY_DOMAIN || ev->dest == DEST_ONWARD) {
		if (here_has(d, ev->rcpt_domain_hash) || (m->our_parents.count && ours_by_parent(m, ev->rcpt)))
			return DEST_HERE;
		return ev->dest == DEST_ONWARD ? DEST_ONWARD : DEST_UNKNOWN;
	}
	if (ev->dest == DEST_HERE && ev->orig_to.len == 0)
		learn_domain(m, d, ev->rcpt_domain_hash);
	return ev->dest;
}

static void apply_delivery(struct model *m, struct msg_record *r, const struct pf_event *ev, int64_t t)
{
	if (ev->queued_as.len && handed_to_filter(m, r, ev))
		return;
	if (delivered_via_pipe(ev) && piped_to_filter(m, r, ev, t))
		return;
	if ((r->flags & (RF_LOCAL | RF_COPY)) && ev->rcpt.len)
		local_delivery_seen(m, r, ev->rcpt, t);
	uint8_t dest = dest_of(m, ev);
	if (dest)
		note_dest(m, r, dest);
	switch (ev->status) {
	case DS_SENT:
		m->totals.sent++;
		r->sent++;
		FOR_EACH_AGG(m, r, a, a->sent++);
		break;
	case DS_DEFERRED:
		m->totals.deferred++;
		r->deferred++;
		FOR_EACH_AGG(m, r, a, a->deferred++);
		note_reputation(m, ev, t);
		break;
	case DS_BOUNCED:
		m->totals.bounced++;
		r->bounced++;
		FOR_EACH_AGG(m, r, a, a->bounced++);
		note_reputation(m, ev, t);
		break;
	case DS_EXPIRED:
		m->totals.expired++;
		FOR_EACH_AGG(m, r, a, a->expired++);
		break;
	default:
		break;
	}
}

static void apply_sasl_failure(struct model *m, const struct pf_event *ev, int64_t t)
{
	if (ev->server_fault) {
		m->totals.sasl_server_faults++;
		return;
	}
	m->totals.sasl_failures++;
	struct agg_stats *ip = touch(m, AGG_CLIENT_IP, store_hashed(m, ev->client_ip, ev->client_ip_hash), t, NULL);
	if (ip) {
		ip->sasl_failures++;
		if (ip->fail_rate == NULL) {
			ip->fail_rate = calloc(1, sizeof(*ip->fail_rate));
			if (ip->fail_rate)
				ip->fail_rate->newest = (int32_t)(t / 60);
		}
		if (ip->fail_rate) {
			struct failure_ring *r = ip->fail_rate;
			ring_add(&r->newest, r->n, FAILURE_MINUTES, t);
			uint64_t window = ring_sum(r->newest, r->n, FAILURE_MINUTES, t, FAILURE_WINDOW_MINUTES);
			if (window > ip->peak_failures_20m)
				ip->peak_failures_20m = (uint32_t)window;
		}
	}
	if (ev->sasl_username.len) {
		struct agg_stats *u = touch(m, AGG_SASL_USER, event_account(m, ev), t, NULL);
		if (u) {
			note_spelling(u, store(m, ev->sasl_username));
			u->sasl_failures++;
		}
		if (ip && u) {	/* the account it attacks: named since Postfix snapshot 20231006 (3.9), and by Debian 12's 3.7.11 */
			ip->last_user = u->key;
			if (login_before(&m->account_logins, u->key, ip->key, t))
				ip->own_failures++;
		}
	}
}

/* apply_reject - charged to the client; a queued message's (cleanup's header
 * and body rejects) to the one its client= line named: the logged text
 * before " from NAME[IP]" is the message's own and may name anyone */
static void apply_reject(struct model *m, const struct msg_record *r, const struct pf_event *ev, int64_t t)
{
	struct model_totals *tot = &m->totals;
	tot->rejects++;
	tot->rejects_by_class[ev->reject_class]++;
	if (ev->reject_code.len == 3) {
		size_t n = sizeof(tot->reject_codes) / sizeof(tot->reject_codes[0]);
		for (size_t i = 0; i < n; i++) {
			struct reject_code_count *c = &tot->reject_codes[i];
			if (c->code[0] == 0)
				memcpy(c->code, ev->reject_code.ptr, 3);
			if (memcmp(c->code, ev->reject_code.ptr, 3) == 0) {
				c->count++;
				break;
			}
		}
	}
	struct agg_stats *ip = r && r->client_ip ? agg_ptr(m, AGG_CLIENT_IP, r->agg[AGG_CLIENT_IP])
	    : touch(m, AGG_CLIENT_IP, store_hashed(m, ev->client_ip, ev->client_ip_hash), t, NULL);
	if (ip)
		ip->rejects++;
}

/* reject_ends_message - a refusal at the end of DATA or of the content
 * (END-OF-MESSAGE: a milter, smtpd_end_of_data_restrictions; DATA; cleanup's
 * "header ..."/"body ..."): the transaction fails and the queue file goes;
 * a refused recipient leaves the message to the others */
static int reject_ends_message(const struct pf_event *ev)
{
	struct strview st = ev->reject_stage;
	return sv_eq(st, "END-OF-MESSAGE") || sv_eq(st, "DATA") || (st.len > 7 && memcmp(st.ptr, "header ", 7) == 0)
	    || (st.len > 5 && memcmp(st.ptr, "body ", 5) == 0);
}

/* count_record - a message counts once, whichever of its lines comes first */
static void count_record(struct model *m, struct msg_record *r)
{
	if (!(r->flags & RF_COUNTED)) {
		r->flags |= RF_COUNTED;
		m->totals.messages++;
		m->totals.bounce_notices += (r->flags & RF_NOTICE) != 0;
	}
}

/* mark_notice - "ORIG: sender non-delivery notification: NOTICE": the
 * notice is a message of Postfix's own, named as such in the totals */
static void mark_notice(struct model *m, const struct pf_event *ev, int64_t t)
{
	if (!queue_id_valid(ev->other_qid.ptr, ev->other_qid.len))
		return;
	struct msg_record *n = record_for(m, ev->other_qid, t, 0);
	if (n == NULL || (n->flags & RF_NOTICE))
		return;
	n->flags |= RF_NOTICE;
	m->totals.bounce_notices += (n->flags & RF_COUNTED) != 0;
}

/*
 * apply_pickup - "uid=N from=<S>": mail submitted locally (sendmail), charged
 * to the user ID that submitted it. With orig_id= it is a message postsuper
 * -r sent back through pickup: the same message under a new queue ID, tied
 * to its original (whose file is gone) like a filter's copy.
 */
static void apply_pickup(struct model *m, struct msg_record *r, const struct pf_event *ev, int64_t t)
{
	if ((r->flags & (RF_LOCAL | RF_COPY)) || r->client_ip)
		return;		/* a second pickup line for the same record */
	if (ev->orig_qid.len) {
		struct msg_record *o = open_here(m, ev->orig_qid);
		if (o != NULL && o != r) {
			link_copy(m, r, o);
			m->totals.requeued_copies++;
			record_close(m, (uint32_t)(o - m->pool) + 1);
			return;
		}
		count_record(m, r);	/* its original is not in this log */
		return;
	}
	r->flags |= RF_LOCAL;
	m->totals.local_submissions++;
	count_record(m, r);
	if (r->sender == NULL)	/* what a pipe filter's copy is known by, with its Message-ID */
		r->sender = store_hashed(m, ev->sender, ev->sender_hash);
	if (ev->local_uid.len == 0)
		return;
	struct istr *uid = store(m, ev->local_uid);
	r->local_uid = uid;
	struct agg_stats *a = touch(m, AGG_LOCAL_UID, uid, t, &r->agg[AGG_LOCAL_UID]);
	if (a == NULL)
		return;
	count_message(a, r, t);
	if (r->flags & RF_QUEUED) {	/* qmgr's line came first */
		a->rcpts += r->nrcpt;
		a->bytes += r->size;
	}
}

/*
 * made_up_here - a local submission's Message-ID that cleanup made up for it
 * because it came with none: "<YYYYMMDDhhmmss.QID@myhostname>", or
 * "<QID@myhostname>" with long queue IDs (cleanup_message.c), QID its own
 */
static int made_up_here(const struct msg_record *r, struct strview id)
{
	/* id as event_parse gives it, without the angle brackets */
	if (!(r->flags & RF_LOCAL) || r->qid_len == 0 || id.len < (size_t)r->qid_len + 2)
		return 0;
	const char *at = memchr(id.ptr, '@', id.len);
	if (at == NULL || (size_t)(at - id.ptr) < r->qid_len)
		return 0;
	const char *q = at - r->qid_len;
	return memcmp(q, r->qid, r->qid_len) == 0 && (q == id.ptr || q[-1] == '.');
}

/* apply_record_event - events about one queue ID */
static void apply_record_event(struct model *m, const struct pf_event *ev, int64_t t)
{
	uint32_t h = ev->qid_hash ? ev->qid_hash : qid_hash(m, ev->qid.ptr, ev->qid.len);	/* 0: none made */
	struct msg_record *r = record_for_hashed(m, ev->qid, h, t, ev->kind == EV_CLIENT || ev->kind == EV_PICKUP);
	if (r == NULL)
		return;
	if (t > r->last_seen)
		r->last_seen = t;
	switch (ev->kind) {
	case EV_CLIENT:
		apply_client(m, r, ev, t);
		count_record(m, r);	/* a copy tied to its origin is counted already */
		break;
	case EV_PICKUP:
		apply_pickup(m, r, ev, t);
		break;
	case EV_MESSAGE_ID:
		r->flags |= RF_MESSAGE_ID;	/* kept as a hash: it proves a filter's copy */
		if (!(r->flags & RF_COPY))
			r->msgid_hash = made_up_here(r, ev->message_id) ? 0 : ev->message_id_hash;
		if ((r->flags & (RF_LOCAL | RF_COPY)) == RF_LOCAL && r->msgid_hash)
			local_message_id(m, r, r->msgid_hash, t);	/* one without: at its deliveries */
		break;
	case EV_QUEUED:
		count_record(m, r);	/* first seen at qmgr when the log began mid-way */
		apply_queued(m, r, ev, t);
		break;
	case EV_DELIVERY:
		apply_delivery(m, r, ev, t);
		break;
	case EV_HOLD:
		if (!(r->flags & RF_HELD)) {
			r->flags |= RF_HELD;
			m->totals.held++;
			FOR_EACH_AGG(m, r, a, a->held++);
		}
		break;
	case EV_RELEASE:
		r->flags &= (uint16_t)~RF_HELD;
		m->totals.released++;
		break;
	case EV_REQUEUED:
		m->totals.requeued++;
		break;
	case EV_DELETED:
		r->flags |= RF_DELETED | RF_REMOVED;
		m->totals.deleted++;
		FOR_EACH_AGG(m, r, a, a->deleted++);
		record_close(m, (uint32_t)(r - m->pool) + 1);
		break;
	case EV_EXPIRED:
		r->flags |= RF_EXPIRED;
		apply_delivery(m, r, ev, t);
		break;
	case EV_REMOVED:
		r->flags |= RF_REMOVED;
		record_close(m, (uint32_t)(r - m->pool) + 1);
		break;
	case EV_REJECT:
		apply_reject(m, r, ev, t);
		if (reject_ends_message(ev)) {	/* cleanup removes the file, and Postfix before 3.10 logs no "removed" */
			r->flags |= RF_REJECTED;
			record_close(m, (uint32_t)(r - m->pool) + 1);
		}
		break;
	case EV_DISCARD:	/* cleanup drops the file; no "removed" before Postfix 3.10 */
		r->flags |= RF_DISCARDED;
		record_close(m, (uint32_t)(r - m->pool) + 1);
		break;
	case EV_BOUNCE_NOTICE:
		mark_notice(m, ev, t);
		break;
	default:
		break;
	}
}

void model_apply(struct model *m, const struct log_line *ll, const struct pf_event *ev)
{
	int64_t t = ll->time;
	struct model_totals *tot = &m->totals;
	if (t > m->now)
		m->now = t;
	if (tot->first_time == 0 || t < tot->first_time)
		tot->first_time = t;
	if (t > tot->last_time)
		tot->last_time = t;
	tot->events[ev->kind]++;
	if (ev->qid.len && ev->kind != EV_OTHER) {
		m->inst = instance_of(m, ll->instance);
		apply_record_event(m, ev, t);
		return;
	}
	switch (ev->kind) {
	case EV_CONNECT: {
		struct agg_stats *ip = touch(m, AGG_CLIENT_IP, store_hashed(m, ev->client_ip, ev->client_ip_hash), t, NULL);
		if (ip)
			ip->connects++;
		tot->connects++;
		break;
	}
	case EV_SASL_FAIL:
		apply_sasl_failure(m, ev, t);
		break;
	case EV_PROXY_CLIENT:
		front_client(m, ll, ev);
		break;
	case EV_PROXY_ACCEPT:
		front_accept(m, ll, ev, t);
		break;
	case EV_REJECT:
		apply_reject(m, NULL, ev, t);
		break;
	case EV_PIPELINING: {
		struct agg_stats *ip = touch(m, AGG_CLIENT_IP, store_hashed(m, ev->client_ip, ev->client_ip_hash), t, NULL);
		if (ip)
			ip->pipelining++;
		tot->pipelining++;
		break;
	}
	case EV_QUEUE_SUMMARY:
		/* "postsuper -h ALL" logs only this line: count it as such */
		if (ev->summary == SUM_HOLD)
			tot->summary_held += (uint64_t)ev->count;
		else if (ev->summary == SUM_RELEASE)
			tot->summary_released += (uint64_t)ev->count;
		else if (ev->summary == SUM_DELETE)
			tot->summary_deleted += (uint64_t)ev->count;
		break;
	default:
		break;
	}
}

/*
 * time_out_of_range - a stamp before 1990 or more than a day after both the
 * reference time and the clock: a broken clock or a forged line. It must not
 * reach the per-minute rings (a year-6100 minute does not fit their index)
 * nor make every real line look a day old.
 */
static int time_out_of_range(const struct model *m, int64_t t)
{
	if (t < MODEL_EARLIEST_TIME)
		return 1;
	return t > m->tc.reference + 86400 && t > clock_now() + 86400;
}

/* ---- hosts by logged name (a central syslog file) ---- */

/* same_host - names equal up to the first dot of either ("mx1" is "mx1.example.org") */
static int same_host(const char *a, size_t alen, const char *b, size_t blen)
{
	const char *da = memchr(a, '.', alen), *db = memchr(b, '.', blen);
	size_t na = da ? (size_t)(da - a) : alen, nb = db ? (size_t)(db - b) : blen;
	return na == nb && memcmp(a, b, na) == 0;
}

/* swap_hosts - host 0's lines were another machine's: this machine's name
 * (host k, just seen) becomes host 0 and that one host k */
static uint8_t swapped(uint8_t h, int k)
{
	return h == 0 ? (uint8_t)k : h == k ? 0 : h;
}

static void swap_hosts(struct model *m, int k)
{
	struct intern_table *t = m->host_strings[0];
	m->host_strings[0] = m->host_strings[k];
	m->host_strings[k] = t;
	char name[MODEL_HOST_NAME];
	memcpy(name, m->host_names[0], sizeof(name));
	memcpy(m->host_names[0], m->host_names[k], sizeof(name));
	memcpy(m->host_names[k], name, sizeof(name));
	int64_t last = m->host_last[0];
	m->host_last[0] = m->host_last[k];
	m->host_last[k] = last;
	for (size_t i = 0; i < m->pool_used; i++)
		m->pool[i].host = swapped(m->pool[i].host, k);
	for (int kind = 0; kind < AGG_KIND_COUNT; kind++)
		for (size_t i = 0; i < m->aggs[kind].count; i++)
			m->aggs[kind].items[i].host = swapped(m->aggs[kind].items[i].host, k);
	for (int i = 0; i < m->nlogged; i++)
		m->logged[i].host = swapped(m->logged[i].host, k);
}

/*
 * new_name_host - the host of a name first seen now, on a line of instance.
 * A name equal to one seen up to the first dot is that machine (a syslog
 * that logged the short name, then the full one). The same syslog_name
 * under two names is two machines; a name that comes
 * with an instance never seen before is that instance's myhostname (Postfix's
 * own maillog_file logs each instance's) on the machine of host 0.
 */
static int new_name_host(struct model *m, const char *name, size_t len, struct strview instance)
{
	for (int i = 0; i < m->nlogged; i++)	/* "mx1.example.org" where "mx1" was logged: one machine */
		if (same_host(m->logged[i].name, strlen(m->logged[i].name), name, len))
			return m->logged[i].host;
	char inst[MODEL_INSTANCE_NAME];
	snprintf(inst, sizeof(inst), "%.*s", (int)instance.len, instance.ptr);
	if (m->nlogged > 0 && model_instance_find(m, inst) < 0)
		return 0;
	int h = model_add_host(m, name);	/* the first name is host 0's */
	const char *local = m->local_name;
	int here = same_host(name, len, local, strlen(local));
	if (h > 0 && here && !same_host(m->host_names[0], strlen(m->host_names[0]), local, strlen(local))) {
		swap_hosts(m, h);
		h = 0;
	}
	m->host_0_here = h == 0 ? here : m->host_0_here;
	m->by_logged_name = 1;	/* model_add_host turned it off */
	return h;
}

/* logged_host - the host of a line by the name it was logged with; -1 past the limits */
static int logged_host(struct model *m, struct strview name, struct strview instance)
{
	if (name.len >= MODEL_HOST_NAME)
		name.len = MODEL_HOST_NAME - 1;
	int i = m->last_logged;
	if (i >= 0 && m->logged[i].len == name.len && bytes_eq(m->logged[i].name, name.ptr, name.len))
		return m->logged[i].host;
	for (i = 0; i < m->nlogged; i++)
		if (m->logged[i].len == name.len && memcmp(m->logged[i].name, name.ptr, name.len) == 0) {
			m->last_logged = i;
			return m->logged[i].host;
		}
	if (m->nlogged == MODEL_MAX_NAMES)
		return -1;
	char copy[MODEL_HOST_NAME];
	memcpy(copy, name.ptr, name.len);
	copy[name.len] = 0;
	int h = new_name_host(m, copy, name.len, instance);
	if (h < 0)
		return -1;
	i = m->nlogged++;
	memcpy(m->logged[i].name, copy, name.len + 1);
	m->logged[i].len = (uint8_t)name.len;
	m->logged[i].host = (uint8_t)h;
	m->last_logged = i;
	return h;
}

/* known_host - the host of a name Postfix's lines were logged with, or -1:
 * Dovecot's syslog may name the machine where Postfix's maillog_file names
 * myhostname, and its lines name no host of their own */
static int known_host(const struct model *m, struct strview name)
{
	for (int i = 0; i < m->nlogged; i++)
		if (m->logged[i].len == name.len && memcmp(m->logged[i].name, name.ptr, name.len) == 0)
			return m->logged[i].host;
	return -1;
}

/* dovecot_login - an account logged in at one of Dovecot's services: after
 * failed logins from that address, evidence that its password was guessed */
static void dovecot_login(struct model *m, const struct dovecot_event *dv, int64_t t)
{
	if (dv->user.len == 0)
		return;
	struct istr *user_key = store_account(m, dv->user);
	login_note(&m->account_logins, user_key, store(m, dv->client_ip), t);
	const struct agg_stats *ip = model_agg_find_host(m, m->host, AGG_CLIENT_IP, dv->client_ip.ptr, dv->client_ip.len);
	if (ip == NULL || ip->fail_rate == NULL)	/* the common case: a mail client's login */
		return;
	struct agg_stats *u = touch(m, AGG_SASL_USER, user_key, t, NULL);
	if (u)
		note_spelling(u, store(m, dv->user));
	login_after_failures(u, ip, t);
}

/* dovecot_failures - failed logins Postfix never sees, counted as its own
 * are: the submission service's, and IMAP, POP3 and ManageSieve's, which
 * guess the same passwords */
static void dovecot_failures(struct model *m, const struct dovecot_event *dv, int64_t t)
{
	struct pf_event ev = {.kind = EV_SASL_FAIL, .client_ip = dv->client_ip, .sasl_username = dv->user};
	long n = dv->attempts < DOVECOT_MAX_ATTEMPTS ? dv->attempts : DOVECOT_MAX_ATTEMPTS;
	for (long i = 0; i < n; i++)
		apply_sasl_failure(m, &ev, t);
	if (sv_eq(dv->service, "submission"))
		return;
	m->totals.mailbox_failures += (uint64_t)n;
	const struct istr *ip_key = store(m, dv->client_ip);	/* stored by apply_sasl_failure */
	struct agg_stats *ip = ip_key ? agg_ptr(m, AGG_CLIENT_IP, ip_key->ref[AGG_CLIENT_IP]) : NULL;
	if (ip)
		ip->mailbox_failures += (uint32_t)n;
	const struct istr *user_key = dv->user.len ? store_account(m, dv->user) : NULL;
	struct agg_stats *u = user_key ? agg_ptr(m, AGG_SASL_USER, user_key->ref[AGG_SASL_USER]) : NULL;
	if (u)
		u->mailbox_failures += (uint32_t)n;
}

/* apply_dovecot - a Dovecot line that names who sent a message (see dovecot.h) */
static void apply_dovecot(struct model *m, const struct log_line *ll)
{
	struct dovecot_event dv;
	if (dovecot_parse(ll->text, &dv) == DV_NONE)
		return;
	if (m->by_logged_name && ll->host.len) {	/* a host Postfix's lines named; else the only one */
		int h = known_host(m, ll->host);
		if (h < 0 && m->nhosts > 1)
			return;
		m->host = h < 0 ? 0 : h;
	}
	if (ll->time > m->now)
		m->now = ll->time;
	if (dv.kind == DV_LOGIN) {
		if (sv_eq(dv.service, "submission") && dv.session.len)
			proxy_login_note(m, &dv);
		dovecot_login(m, &dv, ll->time);
	} else if (dv.kind == DV_RELAYED) {
		apply_proxied(m, &dv, ll->time);
	} else if (dv.kind == DV_AUTH_FAILED) {
		dovecot_failures(m, &dv, ll->time);
	}
}

enum line_status model_add_line(struct model *m, const char *line, size_t len)
{
	struct log_line ll;
	struct pf_event ev;
	enum line_status st = logline_parse(&m->tc, line, len, &ll);
	return model_add_parsed(m, len, st, &ll, &ev, 0);
}

enum line_status model_add_parsed(struct model *m, size_t len, enum line_status st, const struct log_line *ll,
				  struct pf_event *ev, int ev_parsed)
{
	struct model_totals *tot = &m->totals;
	tot->lines++;
	tot->bytes += len + 1;
	if (st == LINE_MALFORMED) {
		tot->malformed_lines++;
		return st;
	}
	if (time_out_of_range(m, ll->time)) {
		tot->bad_time++;
		return LINE_MALFORMED;
	}
	if (ll->time < m->since) {
		tot->before_since++;
		return st;
	}
	if (st == LINE_OTHER) {
		tot->other_lines++;
		if (ll->program.len == 7 && bytes_eq(ll->program.ptr, "dovecot", 7))
			apply_dovecot(m, ll);
		return st;
	}
	if (m->by_logged_name && ll->host.len) {
		int h = logged_host(m, ll->host, ll->instance);
		if (h < 0) {
			tot->too_many_hosts++;
			return st;
		}
		m->host = h;
	}
	tot->postfix_lines++;
	if (ll->time > m->host_last[m->host])
		m->host_last[m->host] = ll->time;
	if (!ev_parsed)
		event_parse(ll, ev);
	model_apply(m, ll, ev);
	return st;
}

void model_prefetch(const struct model *m, const struct pf_event *ev)
{
	if (ev->qid_hash)
		__builtin_prefetch(&m->open_slots[ev->qid_hash & m->open_mask]);
	const struct intern_table *t = m->host_strings[m->host];
	if (ev->client_ip_hash)
		intern_prefetch(t, ev->client_ip_hash);
	if (ev->sender_hash)
		intern_prefetch(t, ev->sender_hash);
}

/* ---- collecting cold aggregates (see model_collect in model.h) ---- */

int model_wants_collect(const struct model *m)
{
	return m->collect_due;
}

/* each_open - fn over every open record */
static void each_open(struct model *m, void (*fn)(struct model *, struct msg_record *, void *), void *arg)
{
	for (uint32_t id = m->oldest; id; id = rec(m, id)->newer)
		fn(m, rec(m, id), arg);
}

/* each_live - fn over every open and kept record */
static void each_live(struct model *m, void (*fn)(struct model *, struct msg_record *, void *), void *arg)
{
	each_open(m, fn, arg);
	for (size_t i = 0; i < m->ended_count; i++)
		fn(m, rec(m, m->ended[(m->ended_head + i) % m->lim.keep_ended]), arg);
}

struct cold_agg {
	uint32_t idx;
	uint64_t activity;
	int64_t last_seen;
};

static int colder_first(const void *x, const void *y)
{
	const struct cold_agg *a = x, *b = y;
	if (a->activity != b->activity)
		return a->activity < b->activity ? -1 : 1;
	return (a->last_seen > b->last_seen) - (a->last_seen < b->last_seen);
}

/* coldest_first - rearrange a[0..n) so that its first k are the k coldest, in
 * no order (a quickselect: linear, where sorting all was a twentieth of a
 * history read's time on a log with many one-off senders) */
static void coldest_first(struct cold_agg *a, size_t n, size_t k)
{
	while (k > 0 && k < n) {
		struct cold_agg p = a[(n - 1) / 2];	/* Hoare: both parts are then non-empty */
		size_t i = 0, j = n - 1;
		for (;;) {
			while (colder_first(&a[i], &p) < 0)
				i++;
			while (colder_first(&a[j], &p) > 0)
				j--;
			if (i >= j)
				break;
			struct cold_agg t = a[i];
			a[i++] = a[j];
			a[j--] = t;
		}
		/* a[0..j] are no warmer than p, a[j+1..n) no colder */
		if (k <= j + 1) {
			n = j + 1;
		} else {
			a += j + 1;
			n -= j + 1;
			k -= j + 1;
		}
	}
}

static void mark_used(struct model *m, struct msg_record *r, void *arg)
{
	(void)m;
	uint8_t **used = arg;
	for (int k = 0; k < AGG_KIND_COUNT; k++)
		if (r->agg[k])
			used[k][r->agg[k] - 1] = 1;
}

/* evict_kind - drop the coldest unused aggregates of kind k down to target; map[old] = new id or 0 */
static size_t evict_kind(struct model *m, enum agg_kind k, const uint8_t *used, size_t target, uint32_t *map)
{
	struct agg_table *t = &m->aggs[k];
	for (size_t i = 0; i < t->count; i++)
		map[i] = (uint32_t)(i + 1);	/* kept unless chosen below */
	struct cold_agg *cold = malloc((t->count ? t->count : 1) * sizeof(*cold));
	if (cold == NULL)
		return 0;
	size_t n = 0;
	for (size_t i = 0; i < t->count; i++) {
		const struct agg_stats *a = &t->items[i];
		if (!used[i])
			cold[n++] = (struct cold_agg){(uint32_t)i, (uint64_t)a->msgs + a->sasl_failures + a->rejects
						      + a->connects, a->last_seen};
	}
	size_t drop = t->count > target ? t->count - target : 0;
	if (drop > n)
		drop = n;
	coldest_first(cold, n, drop);
	for (size_t i = 0; i < drop; i++)
		map[cold[i].idx] = 0;
	free(cold);
	size_t kept = 0;
	for (size_t i = 0; i < t->count; i++) {
		struct agg_stats *a = &t->items[i];
		if (map[i] == 0) {
			free(a->fail_rate);
			free(a->recent);
			((struct istr *)a->key)->ref[k] = NONE;
			continue;
		}
		t->items[kept] = *a;
		map[i] = (uint32_t)++kept;
		((struct istr *)a->key)->ref[k] = map[i];
	}
	t->count = kept;
	return drop;
}

static void remap_record(struct model *m, struct msg_record *r, void *arg)
{
	(void)m;
	uint32_t **map = arg;
	for (int k = 0; k < AGG_KIND_COUNT; k++)
		if (r->agg[k])
			r->agg[k] = map[k][r->agg[k] - 1];
}

/* string moves: phase COPY copies every string in use into fresh tables, once,
 * and leaves the copy's address in the old string (fwd); it may fail, and UNDO
 * then clears those marks; phase POINT moves every pointer to the copy */
enum move_phase { MOVE_COPY, MOVE_UNDO, MOVE_POINT };

struct string_move {
	struct intern_table *to[MODEL_MAX_HOSTS];
	enum move_phase phase;
	int failed;
};

static const struct istr *moved(struct string_move *sm, int host, const struct istr *s)
{
	struct istr *old = (struct istr *)s;
	if (old == NULL)
		return NULL;
	switch (sm->phase) {
	case MOVE_COPY:
		if (old->fwd == NULL && (old->fwd = intern_hashed(sm->to[host], s->s, s->len, s->hash)) == NULL)
			sm->failed = 1;
		return s;
	case MOVE_UNDO:
		old->fwd = NULL;
		return s;
	default:
		return old->fwd;
	}
}

static void move_record(struct model *m, struct msg_record *r, void *arg)
{
	(void)m;
	struct string_move *sm = arg;
	r->client_name = moved(sm, r->host, r->client_name);
	r->client_ip = moved(sm, r->host, r->client_ip);
	r->sasl_user = moved(sm, r->host, r->sasl_user);
	r->sasl_method = moved(sm, r->host, r->sasl_method);
	r->sender = moved(sm, r->host, r->sender);
	r->local_uid = moved(sm, r->host, r->local_uid);
}

/* move_pairs - (user, IP) pairs whose user and IP are both kept (the user's aggregate
 * gives the host); POINT rebuilds the set */
static void move_pairs(struct model *m, struct string_move *sm)
{
	struct pair_set old = m->user_ips, fresh = {NULL, 0, 0};
	for (size_t i = 0; old.slots && i <= old.mask; i++) {
		const struct istr *u = old.slots[2 * i], *ip = old.slots[2 * i + 1];
		if (u == NULL || u->ref[AGG_SASL_USER] == NONE || ip->ref[AGG_CLIENT_IP] == NONE)
			continue;	/* a user or an IP gone cold: the IP counts again if it returns */
		int h = m->aggs[AGG_SASL_USER].items[u->ref[AGG_SASL_USER] - 1].host;
		const struct istr *nu = moved(sm, h, u), *nip = moved(sm, h, ip);
		if (sm->phase == MOVE_POINT)
			pair_add(&fresh, nu, nip);
	}
	if (sm->phase == MOVE_POINT) {
		free(old.slots);
		m->user_ips = fresh;
	}
}

static void move_aggs(struct model *m, struct string_move *sm)
{
	for (int k = 0; k < AGG_KIND_COUNT; k++)
		for (size_t i = 0; i < m->aggs[k].count; i++) {
			struct agg_stats *a = &m->aggs[k].items[i];
			const struct istr *key = moved(sm, a->host, a->key);
			a->last_user = moved(sm, a->host, a->last_user);
			a->cracked_from = moved(sm, a->host, a->cracked_from);
			a->spelling = moved(sm, a->host, a->spelling);
			for (uint32_t s = 0; a->recent && s < a->recent->n; s++)
				a->recent->src[s] = moved(sm, a->host, a->recent->src[s]);
			if (sm->phase == MOVE_POINT)
				((struct istr *)key)->ref[k] = (uint32_t)(i + 1);
			a->key = key;
		}
}

static void move_all(struct model *m, struct string_move *sm, enum move_phase phase)
{
	sm->phase = phase;
	move_pairs(m, sm);	/* first: it reads the aggregates' indices in the old strings */
	move_aggs(m, sm);
	each_live(m, move_record, sm);
}

static int move_strings(struct model *m)
{
	struct string_move sm = {{NULL}, MOVE_COPY, 0};
	for (int h = 0; h < m->nhosts; h++)
		if ((sm.to[h] = intern_new_like(m->host_strings[h], intern_count(m->host_strings[h]) / 2)) == NULL)
			sm.failed = 1;
	if (!sm.failed)
		move_all(m, &sm, MOVE_COPY);
	if (sm.failed) {
		move_all(m, &sm, MOVE_UNDO);
		for (int h = 0; h < m->nhosts; h++)
			intern_free(sm.to[h]);
		return -1;
	}
	move_all(m, &sm, MOVE_POINT);
	m->client_name = m->sasl_method = (struct last_stored){NULL, NULL};	/* they point into the old tables */
	for (int h = 0; h < m->nhosts; h++) {
		intern_free(m->host_strings[h]);
		m->host_strings[h] = sm.to[h];
	}
	return 0;
}

long model_collect(struct model *m)
{
	uint8_t *used[AGG_KIND_COUNT] = {NULL};
	uint32_t *map[AGG_KIND_COUNT] = {NULL};
	long dropped = 0, rc = 0;
	for (int k = 0; k < AGG_KIND_COUNT; k++) {
		used[k] = calloc(m->aggs[k].count + 1, 1);
		map[k] = calloc(m->aggs[k].count + 1, sizeof(*map[k]));
		if (used[k] == NULL || map[k] == NULL)
			rc = -1;
	}
	if (rc == 0) {
		each_open(m, mark_used, used);	/* kept ended records lose their link to a key that goes */
		size_t target = m->lim.max_keys ? m->lim.max_keys / 2 : SIZE_MAX;
		for (int k = 0; k < AGG_KIND_COUNT; k++)
			dropped += (long)evict_kind(m, (enum agg_kind)k, used[k], target, map[k]);
		each_live(m, remap_record, map);
		rc = move_strings(m);
	}
	m->collect_due = 0;
	for (int k = 0; k < AGG_KIND_COUNT; k++) {
		free(used[k]);
		free(map[k]);
		size_t next = m->aggs[k].count / 4 * 5;	/* what could not go waits for more to come */
		if (m->lim.max_keys)
			m->collect_at[k] = next > m->lim.max_keys ? next : m->lim.max_keys;
		if (m->aggs[k].count > m->collect_at[k])
			m->collect_due = 1;
	}
	m->totals.evicted_keys += (uint64_t)dropped;
	m->totals.collections++;
	if (rc < 0)
		m->totals.out_of_memory++;
	return rc < 0 ? -1 : dropped;
}
