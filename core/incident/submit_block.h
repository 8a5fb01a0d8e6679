/*
 * submit_block - a local user kept from sendmail: the containment of a web
 * application that sends spam through sendmail (pickup, uid=N).
 *
 * Postfix's authorized_submit_users lists who may submit with sendmail(1)
 * and postdrop(1), matched left to right, "!name" excluding one; sendmail
 * reads it on every run, so no reload is needed. Blocking puts "!NAME" in
 * front of the list as it is (whatever the list allowed before stays
 * allowed, and nothing is opened to users the list kept out); unblocking
 * takes that one element out again.
 */
#ifndef SPAMTOP_SUBMIT_BLOCK_H
#define SPAMTOP_SUBMIT_BLOCK_H

#include <stddef.h>

#include "core/base/buf.h"
#include "core/base/error.h"

struct postfix_conf;	/* cleanup.h: the instance edited */

#define SUBMIT_PARAM "authorized_submit_users"

/*
 * The list with "!name" first (block), or without its "!name" elements
 * (unblock), into after. 1 when that changes it, 0 when there is nothing
 * to do (after is then the list as it is). Elements are separated by
 * commas and white space, as Postfix reads them.
 */
int submit_list_edit(const char *list, const char *name, int block, struct buf *after);

/*
 * The login name of who (a user name, or a numeric uid as pickup logs it),
 * checked to exist in the password file and to be a plain list element
 * (no blank, comma, '!', '$', '/', ':' or control character). -1 with err.
 */
int submit_user_name(const char *who, char *name, size_t size, struct error *err);

struct submit_plan {
	char name[64];		/* the login name */
	int block;
	struct buf before, after;	/* postconf -h authorized_submit_users, now and planned */
	int runnable;		/* the value changes */
};

/* Plans the edit of the value as it is now (postfix_conf's submit_users);
 * -1 with err (nothing to free). root is never blocked: the system's own
 * mail would stop with the script's. */
int submit_plan_make(const char *now, const char *who, int block, struct submit_plan *p, struct error *err);
void submit_plan_free(struct submit_plan *p);

/*
 * Runs the plan in c's instance: its main.cf copied aside (its path into backup), one
 * `postconf -e` (journaled as submit-block or submit-unblock, with the
 * value before and after), the value read back. -1 with err.
 */
int submit_apply(const struct postfix_conf *c, const struct submit_plan *p, const char *journal_path, struct buf *backup,
		 struct error *err);

#endif
