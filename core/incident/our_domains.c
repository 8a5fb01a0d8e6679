/*
 * our_domains - the domains this server takes mail for, told to the model
 * (see our_domains.h). Postfix's lists are read by postfix_confs_read, their
 * tables listed by domain_list_read_tables; the admin's list the same way.
 */
#include "core/incident/our_domains.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/incident/cleanup.h"
#include "core/incident/netmatch.h"

/* tell_list - the list's names to the model; its unlisted tables to unread */
static void tell_list(struct model *m, const struct domain_list *d, struct buf *unread)
{
	const char *p = buf_str(&d->names);
	for (const char *nl; (nl = strchr(p, '\n')) != NULL; p = nl + 1)
		(void)model_add_our_domain(m, p, (size_t)(nl - p));
	p = buf_str(&d->not_evaluated);
	for (const char *nl; (nl = strchr(p, '\n')) != NULL; p = nl + 1)
		buf_printf(unread, "%s%.*s", unread->len ? " " : "", (int)(nl - p), p);
}

/* tell - our_domains_tell; what was read from into w too, when given */
static void tell(struct model *m, int from_postconf, const char *named, struct our_domains_told *told,
		 struct our_domains_watch *w)
{
	memset(told, 0, sizeof(*told));
	size_t before = model_our_domains_named(m);
	if (from_postconf) {
		struct postfix_confs pf;
		struct error err;
		if (postfix_confs_read(&pf, NULL, &err) < 0)
			told->no_postconf = 1;
		for (int i = 0; i < pf.count; i++) {
			tell_list(m, &pf.at[i].ours, &told->unread);
			if (w && pf.at[i].config_dir[0]) {
				char main_cf[300];
				snprintf(main_cf, sizeof(main_cf), "%s/main.cf", pf.at[i].config_dir);
				buf_printf(&w->files, "%s\n%s", main_cf, buf_str(&pf.at[i].ours.read_from));
			}
		}
		postfix_confs_free(&pf);
	}
	told->configured = model_our_domains_named(m) - before;
	if (named) {
		struct domain_list d = {BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT};
		domain_list_add(&d, named);
		domain_list_read_tables(&d);
		tell_list(m, &d, &told->unread);
		if (w)
			buf_printf(&w->files, "%s", buf_str(&d.read_from));
		domain_list_free(&d);
	}
	told->named = model_our_domains_named(m) - before - told->configured;
}

void our_domains_tell(struct model *m, int from_postconf, const char *named, struct our_domains_told *told)
{
	tell(m, from_postconf, named, told, NULL);
}

void our_domains_told_free(struct our_domains_told *told)
{
	buf_free(&told->unread);
}

void our_domains_tell_model(struct model *m, int from_postconf, const char *named)
{
	struct our_domains_told told;
	our_domains_tell(m, from_postconf, named, &told);
	our_domains_told_free(&told);
}

void our_domains_tell_watched(struct model *m, int from_postconf, const char *named, struct our_domains_watch *w)
{
	struct our_domains_told told;
	buf_free(&w->files);
	tell(m, from_postconf, named, &told, w);
	our_domains_told_free(&told);
	our_domains_watch_stamp(w);
}

void our_domains_watch_add(struct our_domains_watch *w, const char *file)
{
	buf_printf(&w->files, "%s\n", file);
}

/* mix - one file's state into the stamp: its change time, size and inode, or its absence */
static uint64_t mix(uint64_t h, const char *path)
{
	struct stat st;
	uint64_t v[4] = {0, 0, 0, 0};
	if (stat(path, &st) == 0) {
		v[0] = (uint64_t)st.st_mtim.tv_sec;
		v[1] = (uint64_t)st.st_mtim.tv_nsec;
		v[2] = (uint64_t)st.st_size;
		v[3] = (uint64_t)st.st_ino;
	}
	for (int i = 0; i < 4; i++)
		h = (h ^ v[i]) * 0x100000001b3ull;
	return h;
}

/* stamp_of - every watched file's state; a table ("type:/path") is its file and
 * the files postmap makes of it, a plain file (main.cf, a "/file" list) itself */
static uint64_t stamp_of(const struct our_domains_watch *w)
{
	static const char *const made[] = {"", ".db", ".lmdb", ".cdb"};
	uint64_t h = 0xcbf29ce484222325ull;
	const char *p = buf_str(&w->files);
	for (const char *nl; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		int table = p[0] != '/';
		const char *path = table ? memchr(p, ':', (size_t)(nl - p)) : p;
		if (path && path[0] == ':')
			path++;
		if (path == NULL || path[0] != '/' || nl - path > 1000)
			continue;	/* a table of no file (mysql:, ldap: name one, but read a database) */
		char name[1024];
		for (size_t i = 0; i < (table ? sizeof(made) / sizeof(made[0]) : 1); i++) {
			snprintf(name, sizeof(name), "%.*s%s", (int)(nl - path), path, made[i]);
			h = mix(h, name);
		}
	}
	return h;
}

void our_domains_watch_stamp(struct our_domains_watch *w)
{
	w->stamp = stamp_of(w);
}

int our_domains_watch_changed(const struct our_domains_watch *w)
{
	return stamp_of(w) != w->stamp;
}

void our_domains_watch_free(struct our_domains_watch *w)
{
	buf_free(&w->files);
}
