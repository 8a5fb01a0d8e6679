/*
 * our_domains - the domains this server takes mail for, told to the model
 * (see our_domains.h). Postfix's lists are read by postfix_confs_read, their
 * tables listed by domain_list_read_tables; the admin's list the same way.
 */
#include "core/incident/our_domains.h"

#include <string.h>

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

void our_domains_tell(struct model *m, int from_postconf, const char *named, struct our_domains_told *told)
{
	memset(told, 0, sizeof(*told));
	size_t before = model_our_domains_named(m);
	if (from_postconf) {
		struct postfix_confs pf;
		struct error err;
		if (postfix_confs_read(&pf, NULL, &err) < 0)
			told->no_postconf = 1;
		for (int i = 0; i < pf.count; i++)
			tell_list(m, &pf.at[i].ours, &told->unread);
		postfix_confs_free(&pf);
	}
	told->configured = model_our_domains_named(m) - before;
	if (named) {
		struct domain_list d = {BUF_INIT, BUF_INIT, BUF_INIT};
		domain_list_add(&d, named);
		domain_list_read_tables(&d);
		tell_list(m, &d, &told->unread);
		domain_list_free(&d);
	}
	told->named = model_our_domains_named(m) - before - told->configured;
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
