/*
 * remote_action - a queue action on another server, done there by that
 * server's own spamtop over ssh.
 *
 * A host read from `--source NAME=ssh://[USER@]HOST[:PORT]/PATH` keeps its
 * queue on that server, where this machine's postsuper cannot reach. An
 * action on its rows runs, as an argv (no local shell):
 *
 *   ssh -o BatchMode=yes -o ServerAliveInterval=15 -T [-p PORT] -- TARGET
 *       spamtop VERB '--sasl-user=USER' ... '--log=PATH' '--dry-run'|'--yes'
 *
 * The remote spamtop reads its own queue and the same log, confirms the
 * selection from its own queue files, and journals there. First a dry run,
 * whose plan (what, how many, the command) the admin reads; then, on yes,
 * the run, journaled here too (run_journaled: what was asked, remote_host
 * the server it was asked of (the entry's own "host" is this machine), the remote
 * exit status and what it said). ssh hands the words to the remote user's
 * shell: each is single-quoted, and each value is attached to its option so
 * that none can be read as an option; a value holding a control character
 * is refused (a shell other than sh may read a newline in quotes).
 */
#ifndef SPAMTOP_REMOTE_ACTION_H
#define SPAMTOP_REMOTE_ACTION_H

#include <stdatomic.h>

#include "core/queue/action.h"
#include "core/base/buf.h"
#include "core/base/error.h"
#include "core/queue/select.h"
#include "core/model/source_spec.h"

#define REMOTE_ACTION_ARGV 48
#define REMOTE_ACTION_TIMEOUT_MS (10 * 60 * 1000)	/* a delete of 100 000 confirmed messages */

struct remote_action {
	enum queue_action action;
	char host[MODEL_HOST_NAME];	/* the source's name: the Host column */
	char what[512];			/* the selection, described */
	int dry_run;
	struct buf words;		/* every word of argv (ssh's, then the remote command's, quoted), each
					   NUL-ended: argv points into it alone, so the struct may be moved */
	char *argv[REMOTE_ACTION_ARGV];
};

/* The remote's answer. */
struct remote_answer {
	int status;		/* the remote exit status (spamtop's: 0 done, 3 nothing changed; ssh's 255) */
	long messages;		/* the count of its plan line ("Delete 6 messages: ..."), -1 without one */
	int dry_run_done;	/* it said "Dry run: nothing was changed." */
	struct buf text;	/* what it printed, as it came (sanitize before showing) */
};

/* The argv for the ssh source s, sel NULL for every queued message (--all); -1 with err
 * (no ssh source, a refused value, too many words). */
int remote_action_build(struct remote_action *r, const struct source_spec *s, enum queue_action a,
			const struct selection *sel, int dry_run, struct error *err);
void remote_action_free(struct remote_action *r);
/* The command as the admin reads it: "ssh -o BatchMode=yes ... 'spamtop' 'delete' ..." */
void remote_action_describe(const struct remote_action *r, struct buf *out);
/* The run a dry run showed: the same words, --yes for --dry-run. */
void remote_action_confirmed(const struct remote_action *dry, struct remote_action *run);

/*
 * Runs it. A dry run is not journaled here (it changes nothing) and ends
 * (-1 with err) when *stop is set (stop may be NULL); a run is,
 * through run_journaled with the host, and refused (-1 with err, nothing
 * run) when the journal cannot be written. -1 with err too when ssh cannot
 * be started; else 0 with the answer, whatever its status.
 */
int remote_action_run(const struct remote_action *r, const char *journal_path, const atomic_int *stop,
		      struct remote_answer *a, struct error *err);
void remote_answer_free(struct remote_answer *a);

/* ---- another server's queue, counted there by its own spamtop ---- */

/* `ssh ... TARGET 'spamtop' 'queue' '--summary'` as a call to run (not journaled:
 * it changes nothing); -1 with err when s is not an ssh source. */
int remote_queue_build(struct remote_action *r, const struct source_spec *s, struct error *err);

struct remote_queue_counts {
	size_t total;
	size_t by_queue[QN_COUNT];
};

/* Reads `spamtop queue --summary`'s counts ("Queue (postqueue -j): N messages, ...",
 * then "  hold N" lines); -1 when the text holds no such heading (an error, ssh's words). */
int remote_queue_parse(const char *text, struct remote_queue_counts *out);

/* Reads the plan line and the dry run's last words from text (exposed for tests). */
void remote_answer_parse(enum queue_action action, struct remote_answer *a);

#endif
