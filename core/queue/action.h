/*
 * action - change the Postfix queue with postsuper, and say what changed.
 *
 * Queue IDs are validated and fed to `postsuper -X -` on standard input
 * (never on a command line, never through a shell); "all" uses postsuper's
 * own ALL. The outcome sorts every requested ID into changed (postsuper
 * reported it), gone (no longer in the queue: already delivered or deleted,
 * not an error) and unchanged (still there, not changed: e.g. already held).
 */
#ifndef SPAMTOP_ACTION_H
#define SPAMTOP_ACTION_H

#include <jansson.h>

#include "core/base/error.h"
#include "core/queue/queue.h"
#include "core/base/run.h"
#include "core/queue/select.h"

enum queue_action { ACT_HOLD, ACT_RELEASE, ACT_REQUEUE, ACT_DELETE };

struct action_plan {
	enum queue_action action;
	int all;		/* postsuper -X ALL, in every instance */
	struct instance_set inst;	/* the instances of the snapshot it was built on */
	struct id_list ids;	/* what it will touch (when not all) */
	size_t expected;	/* messages it will touch */
	size_t selected;	/* matched before confirmation */
	struct id_list dropped;	/* matched, but the queue file disagreed or was gone */
	size_t unlogged_read;	/* not in the log (selection_collect_unlogged): files read */
	size_t unlogged_kept;	/* ... and found to match: among ids */
	char what[512];		/* the selection, described */
};

struct action_outcome {
	int exit_status;	/* postsuper's */
	long reported;		/* postsuper's own total ("Deleted: N messages") */
	struct id_list changed, unchanged, gone;
	struct buf messages;	/* postsuper's diagnostics */
};

const char *action_name(enum queue_action a);	/* "delete" */
const char *action_verb(enum queue_action a);	/* "Delete" */
int action_parse(const char *name, enum queue_action *out);
/* The argv the plan runs on instance in: {"postsuper", "-d", "-"} or {.., "ALL"};
 * {"postsuper", "-c", DIR, ...} for an instance other than the default. */
void action_argv(const struct action_plan *p, const struct postfix_instance *in, char *argv[6]);
/* Whether the plan runs postsuper on instance i (it has messages there, or is "all"). */
int action_touches(const struct action_plan *p, int i);
/* Which queues the action applies to (hold ALL does not touch hold). */
int action_applies_to(enum queue_action a, enum queue_name q);

/* Runs postsuper, once per instance it touches; after (may be NULL) is a
 * snapshot taken afterwards, used to tell gone from unchanged. */
int action_run(const struct action_plan *p, struct action_outcome *o, struct error *err);
void action_classify(const struct action_plan *p, struct action_outcome *o,
		     const struct queue_snapshot *after);
void action_outcome_free(struct action_outcome *o);
void action_plan_free(struct action_plan *p);

/* Parses the stderr of postsuper run on instance inst into o (exposed for tests). */
void action_parse_output(enum queue_action a, int inst, const char *text, size_t len, struct action_outcome *o);

/*
 * Builds the plan: "all", or the selection's matching messages that the
 * action can change, confirmed from their queue files (see select.h).
 */
int action_plan_build(struct action_plan *p, enum queue_action action, int all,
		      const struct selection *sel, const struct queue_snapshot *q, struct error *err);

/*
 * A plan for the given messages, those of them still in q that the action
 * can change (a batch of a throttled release; IDs chosen by spamtop itself,
 * so no queue-file confirmation). -1 with err when out of memory.
 */
int action_plan_for_ids(struct action_plan *p, enum queue_action action, const struct queue_snapshot *q,
			const struct id_list *ids, const char *what, struct error *err);
/* Adds from's messages to into, each once: one action on several tagged rows. */
int action_plan_merge(struct action_plan *into, const struct action_plan *from, struct error *err);

enum action_status {
	ACTION_DONE = RUN_DONE,			/* ran and journaled (the outcome may still hold failures) */
	ACTION_REFUSED = RUN_REFUSED,		/* the journal could not be written: nothing was run */
	ACTION_FAILED = RUN_FAILED,		/* postsuper could not be run (journaled) */
	ACTION_NOT_JOURNALED = RUN_NOT_JOURNALED,	/* ran, but the result entry could not be written */
};

/*
 * The one way to change the queue, a journaled_run (run.h): journal
 * "planned" (or refuse), run postsuper, read the queue again, classify,
 * journal "done". err says why for every status but ACTION_DONE.
 */
enum action_status action_execute(const struct action_plan *p, const char *journal_path,
				  struct action_outcome *o, struct error *err);

/*
 * What a plan will do, for the admin to read before saying yes: the verb,
 * the count, the selection, the exact command, what confirmation dropped,
 * and the first max_ids messages. Log text in it is sanitized.
 */
void action_plan_describe(const struct action_plan *p, const struct queue_snapshot *q, size_t max_ids,
			  struct buf *out);
/*
 * "Not in the log: N queued messages read from their files; K of them match",
 * without a newline, when the plan read the files of messages the log does not
 * know (queued before it began); returns whether it wrote it. Said with an
 * empty plan too: none of those files named the selection.
 */
int action_unlogged_describe(const struct action_plan *p, struct buf *out);
/* What happened: changed / gone / not changed, postsuper's own words (sanitized). */
void action_outcome_describe(const struct action_plan *p, const struct action_outcome *o, size_t max_ids,
			     struct buf *out);

/* Journal entries for a plan, before and after. */
json_t *action_journal_planned(const struct action_plan *p);
json_t *action_journal_done(const struct action_plan *p, const struct action_outcome *o);

#endif
