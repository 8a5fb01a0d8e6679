/*
 * our_domains - the domains this server takes mail for, told to the model
 * that reads its log (model_add_our_domain): a delivery over SMTP to one of
 * them is mail for us, as a gateway's transport_maps hand our domains to
 * the server inside, not relaying.
 *
 * They are what Postfix's configuration here says (mydestination,
 * virtual_alias_domains, virtual_mailbox_domains, relay_domains of every
 * instance; tables listed by `postmap -s`, files read: see
 * domain_list_read_tables), when the log read is this server's own, and
 * those the admin named (--our-domains).
 */
#ifndef SPAMTOP_OUR_DOMAINS_H
#define SPAMTOP_OUR_DOMAINS_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/buf.h"
#include "core/model/model.h"

struct our_domains_told {
	size_t configured;	/* told from Postfix's configuration */
	size_t named;		/* from the admin's list, those not told already */
	struct buf unread;	/* tables that could not be listed (sql, ldap...), a space between */
	int no_postconf;	/* the configuration was to be read and could not be */
};

/*
 * Tells m the domains: Postfix's when from_postconf, and the named list
 * (words separated by spaces or commas; NULL for none). What was told is in
 * *told (free with our_domains_told_free).
 */
void our_domains_tell(struct model *m, int from_postconf, const char *named, struct our_domains_told *told);
void our_domains_told_free(struct our_domains_told *told);
/* our_domains_tell, without the account of what was told */
void our_domains_tell_model(struct model *m, int from_postconf, const char *named);

/*
 * What our domains were read from, to see it change while a console runs:
 * each instance's main.cf, and the tables and files its domain lists name
 * ("hash:/etc/postfix/relay_domains": the file and its .db, .lmdb or .cdb).
 */
struct our_domains_watch {
	struct buf files;	/* what was read, one per line */
	uint64_t stamp;		/* their change times, sizes and inodes, as last looked at */
};

/* our_domains_tell_model, and what Postfix's part and the named list's
 * tables were read from into w (what it held before is dropped) */
void our_domains_tell_watched(struct model *m, int from_postconf, const char *named, struct our_domains_watch *w);
/* One more file (a path, or a table: "type:/path") to watch; then stamp it */
void our_domains_watch_add(struct our_domains_watch *w, const char *file);
void our_domains_watch_stamp(struct our_domains_watch *w);
/* A file w watches changed, came or went since its stamp: a stat of each */
int our_domains_watch_changed(const struct our_domains_watch *w);
void our_domains_watch_free(struct our_domains_watch *w);

#endif
