/*
 * sasl_block - an account blocked by Postfix itself: a spamtop-managed
 * check_sasl_access table at the front of smtpd_sender_restrictions. The
 * account can still log in (its owner reads mail over IMAP), but every
 * message it authenticates for is refused (5.7.1) until it is unblocked.
 *
 * The table is texthash: (read when smtpd starts; no postmap, so no map
 * type that may be missing); `postfix reload` makes new smtpd processes
 * read it. smtpd_sender_restrictions, because it is empty by default and
 * is evaluated for every message whatever its destination; in the relay or
 * recipient restrictions the check would have to be placed before
 * permit_sasl_authenticated, which an admin may have anywhere. A service
 * in master.cf that overrides smtpd_sender_restrictions (submission often
 * does) is not covered: the plan names it.
 */
#ifndef SPAMTOP_SASL_BLOCK_H
#define SPAMTOP_SASL_BLOCK_H

#include "buf.h"
#include "error.h"

#define SASL_BLOCK_TABLE "spamtop/sasl_access"	/* under config_directory */

struct sasl_block_plan {
	int block;			/* 1: block, 0: unblock */
	char user[256];
	char table[512];		/* the table's path */
	struct buf table_after;		/* the table's text after */
	struct buf restr_before, restr_after;	/* smtpd_sender_restrictions, postconf -h */
	int restr_change;		/* the check must be put in front */
	struct buf notes;		/* one finding per line */
	int runnable;			/* something to change */
};

/*
 * What blocking (or unblocking) user would change, read from postconf and
 * the table. -1 with err when user cannot be a table key (blank, control
 * character, '#' first) or the configuration cannot be read.
 */
int sasl_block_plan(const char *config_dir, const char *user, int block, struct sasl_block_plan *p, struct error *err);
void sasl_block_plan_free(struct sasl_block_plan *p);
/*
 * Runs it, journaled: the table rewritten (a temporary file renamed); when
 * the check is not yet there, main.cf copied aside (path into backup),
 * `postconf -e`, read back; then `postfix reload`.
 */
int sasl_block_apply(const char *config_dir, const struct sasl_block_plan *p, const char *journal_path,
		     struct buf *backup, struct buf *out, struct error *err);

#endif
