/*
 * run - the one way spamtop changes anything: an operation between two
 * journal entries.
 *
 * An operation says what its "planned" entry holds, does its work, and says
 * what its "done" entry holds. journaled_run writes "planned" first and
 * refuses (nothing is done) when that entry cannot be written and flushed;
 * then it does the work and writes "done", also when the work failed. The
 * queue actions (action_execute: postsuper once per instance, queue IDs on
 * its standard input, the outcome of each message) and every other command
 * (run_journaled: containment's postconf and disable command, reloads, an
 * action asked of another server over ssh) go through it, and the alert
 * command (alerts.c), which alone is run even when its record cannot be
 * written.
 */
#ifndef SPAMTOP_RUN_H
#define SPAMTOP_RUN_H

#include <jansson.h>
#include <sys/types.h>

#include "core/base/buf.h"
#include "core/base/error.h"

enum run_status {
	RUN_DONE,		/* done and journaled (the work's own outcome may still hold failures) */
	RUN_REFUSED,		/* the journal could not be written: nothing was done */
	RUN_FAILED,		/* the work could not be done (journaled) */
	RUN_NOT_JOURNALED,	/* done, but the done entry could not be written */
};

struct journaled_op {
	json_t *(*planned_entry)(void *arg);	/* a new "planned" entry (journal_entry) */
	int (*perform)(void *arg, struct error *err);	/* -1 with err: could not be done */
	json_t *(*done_entry)(void *arg, const struct error *failed);	/* the "done" entry; failed: why the work failed, or NULL */
	void *arg;
	int best_effort;	/* worked even when the journal cannot be written (an alert must go out
				   on a full disk): then RUN_NOT_JOURNALED, err saying why */
};

/* Journals, works, journals; err says why for every status but RUN_DONE. */
enum run_status journaled_run(const struct journaled_op *op, const char *journal_path, struct error *err);

/* ---- a program's run as one journaled operation ---- */

#define RUN_JOURNAL_OUTPUT 8192

struct run_request {
	char *const *argv;
	const char *action;	/* the journal's "action": "reload", "mynetworks", "delete" */
	const char *target;	/* its "selection": what it is done to */
	json_t *extra;		/* more fields for both entries (borrowed), or NULL */
	int timeout_ms;
	int journal_output;	/* the "done" entry keeps what the program printed (valid UTF-8, at most
				   RUN_JOURNAL_OUTPUT bytes) */
};

/*
 * The entries carry the command as its argv (journal_argv), the action and
 * the target; "done" the exit status. Returns the exit status (128 + the
 * signal when killed), or -1 with err when the planned entry could not be
 * written (then nothing ran), the program could not be run, or the done
 * entry could not be written. What the program printed (standard output,
 * then error) is appended to out.
 */
int run_journaled(const struct run_request *r, const char *journal_path, struct buf *out, struct error *err);

/* ---- a file replaced whole as one journaled operation ---- */

struct file_replace {
	const char *path;
	const struct buf *text;	/* its new content */
	const char *action;	/* the journal's "action": "block-account" */
	const char *selection;	/* its "selection": the key the change is about */
	mode_t new_mode;	/* for a file that did not exist; one that did keeps its owner,
				   group and mode (a daemon reads it as its own user) */
};

/* Journals ("table": the path), writes the text under a temporary name
 * (safefile) and renames it over path, journals; 0, or -1 with err. */
int run_file_replace(const struct file_replace *r, const char *journal_path, struct error *err);

#endif
