/*
 * postfix_block - an account or a host blocked by Postfix itself, through
 * a spamtop-managed table checked at the front of a restriction list:
 *
 *   account: check_sasl_access texthash:CONFIG/spamtop/sasl_access at the
 *            front of smtpd_sender_restrictions. The account can still log
 *            in (its owner reads mail over IMAP), but every message it
 *            authenticates for is refused (5.7.1) until it is unblocked.
 *   host:    check_client_access cidr:CONFIG/spamtop/client_access at the
 *            front of smtpd_client_restrictions: a trusted relay inside a
 *            wider mynetworks block (192.168.1.66 in 192.168.0.0/16) is
 *            refused before permit_mynetworks is ever reached, without
 *            narrowing the block by hand.
 *
 * Both table types are read when smtpd starts (no postmap, so no map type
 * that may be missing); `postfix reload` makes new smtpd processes read
 * them. These restriction lists, because they are empty by default and
 * evaluated for every message whatever its destination (with
 * smtpd_delay_reject, Postfix's default, at RCPT TO); in the relay or
 * recipient restrictions the check would have to go before
 * permit_sasl_authenticated and permit_mynetworks, which an admin may have
 * anywhere. A service in master.cf that overrides the list (submission
 * often does) is not covered: the plan names it.
 */
#ifndef SPAMTOP_POSTFIX_BLOCK_H
#define SPAMTOP_POSTFIX_BLOCK_H

#include "core/base/buf.h"
#include "core/base/error.h"

struct postfix_conf;	/* cleanup.h: the instance changed */

enum block_kind { BLOCK_ACCOUNT, BLOCK_HOST };

struct block_plan {
	enum block_kind kind;
	int block;			/* 1: block, 0: unblock */
	char key[256];			/* the account, or the host's address */
	char table[512];		/* the table's path */
	struct buf table_after;		/* the table's text after */
	struct buf restr_before, restr_after;	/* the restriction list, postconf -h */
	int restr_change;		/* the check must be put in front */
	struct buf notes;		/* one finding per line */
	int runnable;			/* something to change */
};

/* The table's path under config_directory, the list it is checked in. */
const char *block_table_name(enum block_kind kind);
const char *block_restriction(enum block_kind kind);
/*
 * What blocking (or unblocking) key would change in c's instance, read
 * from its postconf and the table under its config_directory. -1 with err when key cannot be a table key (an account with a
 * blank, a control character or '#' first; a host that is no address) or
 * the configuration cannot be read.
 */
int block_plan_make(const struct postfix_conf *c, enum block_kind kind, const char *key, int block, struct block_plan *p,
		    struct error *err);
void block_plan_free(struct block_plan *p);
/*
 * Runs it, journaled: the table rewritten (a temporary file renamed); when
 * the check is not yet there, main.cf copied aside (path into backup),
 * `postconf -e`, read back; then `postfix reload`.
 */
int block_apply(const struct postfix_conf *c, const struct block_plan *p, const char *journal_path, struct buf *backup,
		struct buf *out, struct error *err);
/* Blocks key at once, planned and applied (the admin confirmed the whole
 * containment already); the plan's notes (master.cf overrides) into notes. */
int block_now(const struct postfix_conf *c, enum block_kind kind, const char *key, const char *journal_path,
	      struct buf *notes, struct error *err);

#endif
