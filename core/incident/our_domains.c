/*
 * our_domains - the domains this server takes mail for, told to the model
 * (see our_domains.h).
 *
 * A domain list of Postfix's holds names, "/file/name" (its words) and
 * "type:table" (its keys). The tables whose keys `postmap -s` can list are
 * the local indexed ones; an SQL or LDAP table cannot be listed, and is
 * named as unread. A "!name" excludes, and is left out.
 */
#include "core/incident/our_domains.h"

#include <string.h>

#include "core/base/safefile.h"
#include "core/base/spawn.h"
#include "core/incident/cleanup.h"
#include "core/incident/netmatch.h"

#define POSTMAP_TIMEOUT_MS 10000

struct expand {
	void (*fn)(const char *domain, size_t len, void *arg);
	void *arg;
	struct buf *unread;
	int depth;		/* a file naming files: Postfix reads one level */
};

/* listable - a table type whose keys postmap -s prints (no server behind it) */
static int listable(const char *w)
{
	static const char *const types[] = {"hash:", "btree:", "lmdb:", "cdb:", "dbm:", "sdbm:", "texthash:"};
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strncmp(w, types[i], strlen(types[i])) == 0)
			return 1;
	return 0;
}

static void note_unread(struct expand *x, const char *w)
{
	if (x->unread)
		buf_printf(x->unread, "%s%s", x->unread->len ? " " : "", w);
}

/* table_keys - each line's first word: the key, a domain */
static int table_key(const char *line, size_t len, void *arg)
{
	struct expand *x = arg;
	size_t n = 0;
	while (n < len && line[n] != ' ' && line[n] != '\t')
		n++;
	if (n)
		x->fn(line, n, x->arg);
	return 0;
}

static void list_table(struct expand *x, const char *w)
{
	char *argv[] = {"postmap", "-s", (char *)w, NULL};
	struct spawn_result res;
	struct error err;
	if (spawn_lines(argv, POSTMAP_TIMEOUT_MS, table_key, x, &res, &err) < 0) {
		note_unread(x, w);
		return;
	}
	if (!res.exited || res.status != 0)
		note_unread(x, w);
	spawn_result_free(&res);
}

static void expand_word(const char *w, void *arg);

/* list_file - a "/file/name" pattern: its words, comments left out */
static void list_file(struct expand *x, const char *path)
{
	struct buf text = BUF_INIT;
	safe_file_read(path, &text);
	if (text.len == 0) {
		note_unread(x, path);
		buf_free(&text);
		return;
	}
	for (char *p = text.data, *end = text.data + text.len; p < end;) {	/* "#" to the line's end */
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *hash = memchr(p, '#', (size_t)((nl ? nl : end) - p));
		if (hash)
			memset(hash, ' ', (size_t)((nl ? nl : end) - hash));
		p = nl ? nl + 1 : end;
	}
	x->depth++;
	list_each_word(buf_str(&text), expand_word, x);
	x->depth--;
	buf_free(&text);
}

static void expand_word(const char *w, void *arg)
{
	struct expand *x = arg;
	if (w[0] == '!')
		return;
	if (!list_word_is_table(w))
		x->fn(w, strlen(w), x->arg);
	else if (w[0] == '/' && x->depth == 0)
		list_file(x, w);
	else if (listable(w))
		list_table(x, w);
	else
		note_unread(x, w);
}

void our_domains_expand(const char *value, void (*fn)(const char *domain, size_t len, void *arg), void *arg,
			struct buf *unread)
{
	struct expand x = {fn, arg, unread, 0};
	list_each_word(value, expand_word, &x);
}

static void tell_one(const char *domain, size_t len, void *arg)
{
	(void)model_add_our_domain(arg, domain, len);
}

void our_domains_tell(struct model *m, int from_postconf, const char *named, struct our_domains_told *told)
{
	memset(told, 0, sizeof(*told));
	size_t before = model_our_domains_named(m);
	if (from_postconf) {
		struct postfix_confs pf;
		struct error err;
		if (postfix_confs_read(&pf, NULL, &err) < 0)
			told->no_postconf = 1;
		for (int i = 0; i < pf.count; i++) {
			our_domains_expand(buf_str(&pf.at[i].ours.names), tell_one, m, NULL);
			our_domains_expand(buf_str(&pf.at[i].ours.not_evaluated), tell_one, m, &told->unread);
		}
		postfix_confs_free(&pf);
	}
	told->configured = model_our_domains_named(m) - before;
	if (named)
		our_domains_expand(named, tell_one, m, &told->unread);
	told->named = model_our_domains_named(m) - before - told->configured;
}

void our_domains_told_free(struct our_domains_told *told)
{
	buf_free(&told->unread);
}
