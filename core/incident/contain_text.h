/*
 * contain_text - step 4's words: what containing each marked target does,
 * a line at a time, for the printed plan (cleanup --plan) and the wizard's
 * page alike, so that both say the same.
 *
 * An account: the admin's --disable-cmd, Postfix's block in each instance,
 * the block at Dovecot, what Postfix's block does not stop, where its
 * password was guessed, the steps by hand. A web application: where to
 * find its script, its user kept from each instance's sendmail. The
 * trusted relays: one mynetworks edit in each instance that trusts one.
 * The lines are raw text (names from the log and the configuration): the
 * caller shows them sanitized.
 */
#ifndef SPAMTOP_CONTAIN_TEXT_H
#define SPAMTOP_CONTAIN_TEXT_H

#include "core/incident/cleanup.h"
#include "core/model/detect.h"
#include "core/model/model.h"

enum contain_line {
	CL_HEADING,		/* a target: "account USER", "trusted relays: IP IP" */
	CL_TEXT,		/* what is done, and how */
	CL_ALERT,		/* what cannot be done, or what the admin must know */
};

typedef void contain_line_fn(enum contain_line kind, const char *text, void *arg);

struct contain_text_input {
	const struct cleanup_state *st;	/* its chosen targets */
	const struct postfix_confs *pf;	/* every instance; NULL: unknown, conf_error says why */
	const char *conf_error;
	const struct model *m;		/* the account's evidence (NULL: none) */
	const struct detect_thresholds *th;	/* NULL: the defaults */
	const char *disable_cmd;	/* --disable-cmd, or NULL */
};

/*
 * Gives fn step 4's lines for every chosen target (brute-force sources are
 * not contained: they send no mail). Returns how many targets it named;
 * *runnable is how many changes step 4 would make.
 */
int contain_text(const struct contain_text_input *in, contain_line_fn *fn, void *arg, int *runnable);

#endif
