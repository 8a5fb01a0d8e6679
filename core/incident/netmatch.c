/*
 * netmatch - CIDR matching and list editing for mynetworks, and domain
 * lists (see netmatch.h).
 */
#include "core/incident/netmatch.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <strings.h>

#include "core/base/safefile.h"
#include "core/base/spawn.h"

int list_word_is_table(const char *w)
{
	w += w[0] == '!';
	if (w[0] == '/')
		return 1;
	const char *colon = strchr(w, ':');
	if (colon == NULL || w[0] == '[')
		return 0;
	for (const char *p = w; p < colon; p++)
		if (!isalpha((unsigned char)*p))
			return 0;
	return colon > w;
}

int net_parse_entry(const char *w, struct net_entry *e)
{
	memset(e, 0, sizeof(*e));
	if (w[0] == '!') {
		e->negated = 1;
		w++;
	}
	const char *slash = strrchr(w, '/');
	size_t alen = slash ? (size_t)(slash - w) : strlen(w);
	int v4;
	if (addr_parse(w, alen, e->addr, &v4) < 0)
		return -1;
	int max = v4 ? 32 : 128, prefix = max;
	if (slash) {
		char *end;
		long p = strtol(slash + 1, &end, 10);
		if (*end || slash[1] == 0 || p < 0 || p > max)
			return -1;
		prefix = (int)p;
	}
	e->prefix = v4 ? prefix + 96 : prefix;
	snprintf(e->text, sizeof(e->text), "%s%s", e->negated ? "!" : "", w);
	return 0;
}

static void add_entry(struct net_list *l, const char *w)
{
	struct net_entry e;
	if (net_parse_entry(w, &e) < 0) {
		buf_printf(&l->invalid, "%s\n", w);
		return;
	}
	if (l->count == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 32;
		struct net_entry *n = realloc(l->nets, cap * sizeof(*n));
		if (n == NULL) {
			buf_printf(&l->invalid, "%s (out of memory)\n", w);
			return;
		}
		l->nets = n;
		l->cap = cap;
	}
	l->nets[l->count++] = e;
}

void list_each_word(const char *value, void (*fn)(const char *, void *), void *arg)
{
	char word[256];
	const char *p = value;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ',' || *p == '\n' || *p == '\r')
			p++;
		size_t n = 0;
		while (p[n] && p[n] != ' ' && p[n] != '\t' && p[n] != ',' && p[n] != '\n' && p[n] != '\r')
			n++;
		if (n && n < sizeof(word)) {
			memcpy(word, p, n);
			word[n] = 0;
			fn(word, arg);
		}
		p += n;
	}
}

static void net_word(const char *w, void *arg)
{
	struct net_list *l = arg;
	if (list_word_is_table(w))
		buf_printf(&l->not_evaluated, "%s\n", w);
	else
		add_entry(l, w);
}

void net_list_parse(struct net_list *l, const char *value)
{
	memset(l, 0, sizeof(*l));
	list_each_word(value, net_word, l);
}

void net_list_free(struct net_list *l)
{
	free(l->nets);
	l->nets = NULL;
	l->count = l->cap = 0;
	buf_free(&l->not_evaluated);
	buf_free(&l->invalid);
}

static int covers(const struct net_entry *e, const uint8_t a[16])
{
	int full = e->prefix / 8, rest = e->prefix % 8;
	if (memcmp(e->addr, a, (size_t)full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return (e->addr[full] & mask) == (a[full] & mask);
}

const struct net_entry *net_list_match(const struct net_list *l, const char *ip)
{
	uint8_t a[16];
	int v4;
	if (addr_parse(ip, strlen(ip), a, &v4) < 0)
		return NULL;
	for (size_t i = 0; i < l->count; i++)
		if (covers(&l->nets[i], a))
			return &l->nets[i];
	return NULL;
}

int net_list_without(const struct net_list *l, const char *ip, struct buf *out, const struct net_entry **covered)
{
	uint8_t a[16];
	int v4, removed = 0;
	*covered = NULL;
	if (addr_parse(ip, strlen(ip), a, &v4) < 0)
		return 0;
	for (size_t i = 0; i < l->count; i++) {
		const struct net_entry *e = &l->nets[i];
		if (!e->negated && e->prefix == 128 && memcmp(e->addr, a, 16) == 0) {
			removed++;
			continue;
		}
		if (!e->negated && covers(e, a) && *covered == NULL)
			*covered = e;
		buf_printf(out, "%s%s", out->len ? " " : "", e->text);
	}
	/* tables and files stay as they were */
	const char *p = l->not_evaluated.data ? l->not_evaluated.data : "";
	while (*p) {
		const char *nl = strchr(p, '\n');
		buf_printf(out, "%s%.*s", out->len ? " " : "", (int)(nl - p), p);
		p = nl + 1;
	}
	return removed;	/* *covered: a wider entry that still covers ip, if any */
}

/* add_name - a name in lower case; "." first for its subdomains */
static void add_name(struct domain_list *d, const char *w, size_t len, int subdomains)
{
	if (subdomains)
		buf_putc(&d->names, '.');
	for (size_t i = 0; i < len; i++)
		buf_putc(&d->names, (char)tolower((unsigned char)w[i]));
	buf_putc(&d->names, '\n');
}

struct adding {
	struct domain_list *d;
	int parent;		/* a name also stands for its subdomains (parent_domain_matches_subdomains) */
};

/* add_domain - a domain of the list: itself, and its subdomains when the list's names stand for them */
static void add_domain(const struct adding *a, const char *w, size_t len)
{
	add_name(a->d, w, len, 0);
	if (a->parent && w[0] != '.')
		add_name(a->d, w, len, 1);
}

static void domain_word(const char *w, void *arg)
{
	struct adding *a = arg;
	if (list_word_is_table(w))
		buf_printf(a->parent ? &a->d->parent_tables : &a->d->not_evaluated, "%s\n", w);
	else
		add_domain(a, w, strlen(w));
}

void domain_list_add(struct domain_list *d, const char *value)
{
	struct adding a = {d, 0};
	list_each_word(value, domain_word, &a);
}

void domain_list_add_relay(struct domain_list *d, const char *value, int parent_matches)
{
	struct adding a = {d, parent_matches};
	list_each_word(value, domain_word, &a);
}

#define POSTMAP_TIMEOUT_MS 10000

/* listable - a table type whose keys postmap -s prints (no server behind it) */
static int listable(const char *w)
{
	static const char *const types[] = {"hash:", "btree:", "lmdb:", "cdb:", "dbm:", "sdbm:", "texthash:"};
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strncmp(w, types[i], strlen(types[i])) == 0)
			return 1;
	return 0;
}

struct table_read {
	struct adding to;
	struct buf *unlisted;
	int depth;		/* a file naming files: Postfix reads one level */
};

/* table_key - a postmap -s line's first word: the key, a domain */
static int table_key(const char *line, size_t len, void *arg)
{
	struct table_read *r = arg;
	size_t n = 0;
	while (n < len && line[n] != ' ' && line[n] != '\t')
		n++;
	if (n)
		add_domain(&r->to, line, n);
	return 0;
}

/* list_table - its keys, by postmap -s; 0 when it could be listed */
static int list_table(struct table_read *r, const char *w)
{
	char *argv[] = {"postmap", "-s", (char *)w, NULL};
	struct spawn_result res;
	struct error err;
	if (spawn_lines(argv, POSTMAP_TIMEOUT_MS, table_key, r, &res, &err) < 0)
		return -1;
	int ok = res.exited && res.status == 0;
	spawn_result_free(&res);
	return ok ? 0 : -1;
}

static void table_word(const char *w, void *arg);

/* list_file - a "/file/name" pattern: its words, comments left out; 0 when read */
static int list_file(struct table_read *r, const char *path)
{
	struct buf text = BUF_INIT;
	safe_file_read(path, &text);
	if (text.len == 0) {
		buf_free(&text);
		return -1;
	}
	for (char *p = text.data, *end = text.data + text.len; p < end;) {	/* "#" to the line's end */
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *hash = memchr(p, '#', (size_t)((nl ? nl : end) - p));
		if (hash)
			memset(hash, ' ', (size_t)((nl ? nl : end) - hash));
		p = nl ? nl + 1 : end;
	}
	r->depth++;
	list_each_word(buf_str(&text), table_word, r);
	r->depth--;
	buf_free(&text);
	return 0;
}

static void table_word(const char *w, void *arg)
{
	struct table_read *r = arg;
	if (w[0] == '!')	/* an exclusion: nothing to add */
		return;
	if (!list_word_is_table(w)) {
		add_domain(&r->to, w, strlen(w));
		return;
	}
	buf_printf(&r->to.d->read_from, "%s\n", w);
	int listed = w[0] == '/' ? r->depth == 0 && list_file(r, w) == 0 : listable(w) && list_table(r, w) == 0;
	if (!listed)
		buf_printf(r->unlisted, "%s\n", w);
}

void domain_list_read_tables(struct domain_list *d)
{
	struct buf tables[2] = {d->not_evaluated, d->parent_tables};
	d->not_evaluated = (struct buf)BUF_INIT;
	d->parent_tables = (struct buf)BUF_INIT;
	for (int parent = 0; parent < 2; parent++) {
		struct table_read r = {{d, parent}, &d->not_evaluated, 0};
		list_each_word(buf_str(&tables[parent]), table_word, &r);
		buf_free(&tables[parent]);
	}
}

int domain_list_has(const struct domain_list *d, const char *domain, size_t len)
{
	const char *p = d->names.data ? d->names.data : "";
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = (size_t)(nl - p);
		if (n == len && strncasecmp(p, domain, len) == 0)
			return 1;
		if (p[0] == '.' && len > n && strncasecmp(p, domain + len - n, n) == 0)
			return 1;	/* ".example.com": a subdomain */
		p = nl + 1;
	}
	return 0;
}

void domain_list_free(struct domain_list *d)
{
	buf_free(&d->read_from);
	buf_free(&d->parent_tables);
	buf_free(&d->names);
	buf_free(&d->not_evaluated);
}
