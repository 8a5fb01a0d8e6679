/*
 * run - the one journaled run of a command that changes something outside
 * the queue's postsuper path: containment (postconf, the disable command),
 * reloads, an action asked of another server over ssh.
 *
 * The journal gets a "planned" entry before the program starts (no entry,
 * no run: the caller is told why and nothing ran) and a "done" entry after,
 * with the exit status and, when asked, what the program printed (repaired
 * to valid UTF-8, at most RUN_JOURNAL_OUTPUT bytes). Both carry the command
 * as its argv (journal_argv), the action and what it was done to.
 */
#ifndef SPAMTOP_RUN_H
#define SPAMTOP_RUN_H

#include <jansson.h>

#include "buf.h"
#include "error.h"

#define RUN_JOURNAL_OUTPUT 8192

struct run_request {
	char *const *argv;
	const char *action;	/* the journal's "action": "reload", "mynetworks", "delete" */
	const char *target;	/* its "selection": what it is done to */
	json_t *extra;		/* more fields for both entries (borrowed), or NULL */
	int timeout_ms;
	int journal_output;	/* the "done" entry keeps the program's output */
};

/*
 * Journals, runs, journals. Returns the exit status (128 + the signal when
 * killed), or -1 with err when the planned entry could not be written (then
 * nothing ran), the program could not be run, or the done entry could not
 * be written. What the program printed (standard output, then error) is
 * appended to out.
 */
int run_journaled(const struct run_request *r, const char *journal_path, struct buf *out, struct error *err);

#endif
