/*
 * dovecot_block - an account refused at Dovecot: its IMAP, POP3 and
 * submission logins, which Postfix's block (postfix_block) does not reach.
 *
 * Dovecot's way is a deny passdb, which an admin enables once (Debian ships
 * it as conf.d/auth-deny.conf.ext, included from conf.d/10-auth.conf):
 *
 *   passdb {
 *     driver = passwd-file
 *     deny = yes
 *     args = /etc/dovecot/deny-users     (2.4: passwd_file_path = ...)
 *   }
 *
 * A user found in that file fails to log in, whatever the password. spamtop
 * finds the file in `doveconf -n`, adds (or removes) the account's line,
 * then has doveadm flush the account from the auth cache and kick its
 * sessions, so that a stolen password stops working at once. Without a deny
 * passdb nothing is changed and the plan says how to enable one.
 */
#ifndef SPAMTOP_DOVECOT_BLOCK_H
#define SPAMTOP_DOVECOT_BLOCK_H

#include <stddef.h>

#include "core/base/buf.h"
#include "core/base/error.h"

struct dovecot_block_plan {
	int block;			/* 1: block, 0: unblock */
	char user[256];
	char config[512];		/* doveconf's and doveadm's -c; "" for Dovecot's default */
	char deny_file[512];		/* the deny passdb's file; "" when there is none */
	int installed;			/* doveconf ran: Dovecot is on this machine */
	struct buf file_after;		/* the file's text after */
	struct buf notes;		/* one finding per line */
	int runnable;			/* something to change */
};

/*
 * The file of the first deny passdb (driver passwd-file, deny = yes) in the
 * text `doveconf -n` prints, 2.3's "args" (its last word) or 2.4's
 * "passwd_file_path"; 0 when there is none. after_others: another passdb
 * comes before it (Dovecot may let the account in there first).
 */
int dovecot_deny_file(const char *doveconf_n, char *path, size_t size, int *after_others);
/* The deny file's text without user's lines, and with one when block: 1 if
 * user had a line. A line's user is what precedes its first ':'. */
int dovecot_deny_edit(const char *text, const char *user, int block, struct buf *after);
/*
 * What blocking (or unblocking) user at Dovecot would change, read from
 * doveconf (config: -c, or NULL) and the deny file. Dovecot not installed,
 * its configuration unreadable or no deny passdb: 0, not runnable, with a
 * note saying so (none when not installed). -1 with err when user cannot be
 * a line of the file (empty, a blank, a control character, ':' or '#' first).
 */
int dovecot_block_plan_make(const char *config, const char *user, int block, struct dovecot_block_plan *p,
			    struct error *err);
void dovecot_block_plan_free(struct dovecot_block_plan *p);
/*
 * Runs it, journaled: the file rewritten (a temporary file renamed), a
 * wait into the next second (Dovecot re-reads the file at most once a
 * second), then `doveadm auth cache flush USER` and, blocking,
 * `doveadm kick USER`; what
 * they printed into out, their failures into notes (the file is in force
 * once written: a login looks it up).
 */
int dovecot_block_apply(const struct dovecot_block_plan *p, const char *journal_path, struct buf *out,
			struct buf *notes, struct error *err);

#endif
