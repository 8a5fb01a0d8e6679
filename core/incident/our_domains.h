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

#endif
