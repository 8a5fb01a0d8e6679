/*
 * plan_job - long work off the key handler: an action's plan, the action
 * itself, a message's trail in big logs, the cleanup's containment and a
 * throttled release's turn, an action asked of another server. Each job runs
 * on one worker thread (struct worker: started, finished, joined) and owns
 * what it produces until the console takes it.
 *
 * An action's plan built off the key handler: selecting the
 * rows' messages and confirming tens of thousands of them from their queue
 * files takes seconds at outbreak scale, during which the screen must keep
 * answering keys. A worker thread builds the plan on the snapshot and the
 * model as they were when the admin pressed the key (the console reads no
 * log and installs no snapshot meanwhile), says how far it is, and stops
 * before anything is changed when cancelled. Nothing runs postsuper here:
 * the plan goes to the usual confirmation dialog.
 */
#ifndef SPAMTOP_PLAN_JOB_H
#define SPAMTOP_PLAN_JOB_H

#include <pthread.h>
#include <stdatomic.h>

#include "core/queue/action.h"
#include "core/incident/cleanup_session.h"
#include "core/base/progress.h"
#include "core/queue/remote_action.h"
#include "core/queue/trail.h"
#include "table.h"

/* The thread a job runs on: body(job) once, then finished. */
struct worker {
	pthread_t thread;
	int running;			/* started, and not yet joined (its result not yet taken) */
	atomic_int finished;
	void (*body)(void *job);
	void *job;
};

/* What one target (a row's key) selects; idv is storage for a one-ID selection. */
typedef void (*selection_maker)(enum table_kind tk, enum agg_kind agg, const char *parent, const char *key,
				struct selection *sel, const char **idv);

struct plan_job {
	struct worker w;		/* w.running: started, and its result not yet taken */
	struct work_progress progress;
	/* what to build */
	enum queue_action action;
	enum table_kind tk;
	enum agg_kind agg;
	char *parent;
	struct string_set targets;	/* copies: the rows may be rebuilt meanwhile */
	const struct queue_snapshot *q;
	selection_maker make;
	const struct cleanup_session *session;	/* or: the cleanup's step 5 over its targets */
	int wizard_step;		/* the wizard step the plan belongs to, 0 for none */
	/* what was built */
	struct action_plan plan;
	int rc;				/* 0: plan is ready; -1: err says why (or "cancelled") */
	struct error err;
};

/* Starts building; -1 with err if the thread cannot start (then nothing runs). */
int plan_job_start(struct plan_job *j, enum queue_action a, enum table_kind tk, enum agg_kind agg, const char *parent,
		   const struct string_set *targets, const struct queue_snapshot *q, selection_maker make,
		   struct error *err);
/* Starts building the cleanup's step 5 plan (every chosen target's queued messages). */
int plan_job_start_clean(struct plan_job *j, const struct cleanup_session *s, const struct queue_snapshot *q,
			 struct error *err);
/* 1 when it has finished (its thread joined: plan, rc, err are the caller's), 0 while it runs. */
int plan_job_poll(struct plan_job *j);
/* Asks it to stop before the next batch of queue files. */
void plan_job_cancel(struct plan_job *j);
/* Cancels and waits for it (leaving the console). */
void plan_job_abandon(struct plan_job *j);

/*
 * An action run off the key handler too: postsuper fed tens of thousands of
 * IDs, then the queue read again to classify them, takes seconds. A started
 * postsuper is not interrupted (half an action is worse than a wait).
 */
struct action_job {
	struct worker w;		/* w.running: started, and its result not yet taken */
	struct action_plan plan;	/* the confirmed plan, moved in */
	const char *journal;
	int wizard_step;		/* the wizard step it belongs to, 0 for none */
	struct action_outcome out;
	enum action_status st;
	struct error err;
};

/* Runs plan (moved into the job: the caller's copy is not freed by the caller); -1 with err if no thread. */
int action_job_start(struct action_job *j, const struct action_plan *plan, const char *journal, int wizard_step,
		     struct error *err);
/* 1 when it has finished (joined: plan, out, st, err are the caller's to use and free), 0 while it runs. */
int action_job_poll(struct action_job *j);
/* Waits for it (leaving the console) and frees what it holds. */
void action_job_wait(struct action_job *j);

/*
 * The cleanup's containment (step 4): postconf edits, a backup, a read-back,
 * postfix reload and the admin's disable command take seconds. It runs on
 * the session, which nothing else touches meanwhile (the wizard is not
 * rendered and takes no key; the console waits for it before it ends).
 */
struct contain_job {
	struct worker w;		/* w.running: started, and its result not yet taken */
	struct cleanup_session *session;
	struct buf report;		/* what was run and said, as cleanup_session_contain reports it */
	int rc;
};

/* Starts it; -1 with err if no thread (then nothing ran). */
int contain_job_start(struct contain_job *j, struct cleanup_session *s, struct error *err);
/* 1 when it has finished (joined: rc and report are the caller's; buf_free the report). */
int contain_job_poll(struct contain_job *j);
/* Waits for it (leaving the console): a started reload is let finish. */
void contain_job_wait(struct contain_job *j);

/*
 * A throttled release's turn (cleanup step 6): whether a contained source
 * sent again (then postsuper -h ALL), else the batch due (postsuper -H -).
 * It reads the model and the snapshot, which the console leaves as they are
 * meanwhile (no log read, no snapshot installed), and changes the session.
 */
struct throttle_job {
	struct worker w;		/* w.running: started, and its result not yet taken */
	struct cleanup_session *session;
	const struct model *model;
	const struct queue_snapshot *queue;
	int64_t now;
	enum throttle_turn turn;
	struct buf report;
};

int throttle_job_start(struct throttle_job *j, struct cleanup_session *s, const struct model *m,
		       const struct queue_snapshot *q, int64_t now, struct error *err);
/* 1 when it has finished (joined: turn and report are the caller's; buf_free the report). */
int throttle_job_poll(struct throttle_job *j);
/* Waits for it (leaving the console): a started postsuper is let finish. */
void throttle_job_wait(struct throttle_job *j);

/*
 * An action asked of another server over ssh (remote_action): its dry run
 * (the plan the admin reads), then on yes the run. ssh may take seconds to
 * connect and the remote spamtop minutes to confirm a big queue. Esc ends a
 * dry run (its ssh is killed: it changed nothing); a run is let finish.
 */
struct remote_job {
	struct worker w;		/* w.running: started, and its result not yet taken */
	atomic_int stop;		/* left with Esc: its ssh is ended, nothing shown (a dry run only) */
	struct remote_action call;	/* moved in */
	const char *journal;
	struct remote_answer answer;
	int rc;				/* 0: answer; -1: err (nothing ran, or ssh could not start) */
	struct error err;
};

/* Runs call (moved into the job); -1 with err if no thread (then the call is freed, nothing ran). */
int remote_job_start(struct remote_job *j, struct remote_action *call, const char *journal, struct error *err);
/* 1 when it has finished (joined: call, answer, rc, err are the caller's until remote_job_free). */
int remote_job_poll(struct remote_job *j);
/* Ends a dry run within SPAWN_STOP_POLL_MS (a run is let finish). */
void remote_job_stop(struct remote_job *j);
/* Stops a dry run, waits for it (leaving the console) and frees what it holds. */
void remote_job_wait(struct remote_job *j);
void remote_job_free(struct remote_job *j);

/*
 * A message's log trail (Enter on a message): reading gigabytes of logs for
 * one queue ID takes seconds. The worker searches copies of the paths, then
 * asks postcat for the headers (want_headers); the console fills the message
 * view when it is done, and cancels when the admin leaves that view.
 */
#define TRAIL_JOB_FILES 32

struct trail_job {
	struct worker w;		/* w.running: started, and its result not yet taken */
	struct work_progress progress;	/* bytes of the logs read, of their sizes */
	char qid[40];
	char *paths[TRAIL_JOB_FILES];
	size_t npaths, max_lines;
	int want_headers, has_instance, has_remote;
	struct postfix_instance instance;	/* the queue's instance holding it (a copy) */
	struct source_spec remote;	/* has_remote: the log is another server's, searched there over ssh */
	long found;			/* lines, or -1: err */
	struct buf lines;
	struct error err;
	int headers_rc;			/* 0: headers; -1: headers_err */
	struct buf headers;
	struct error headers_err;
};

/* Starts the search (and the headers when want_headers; in: NULL for the default instance); -1 with err. */
int trail_job_start(struct trail_job *j, const char *qid, const char *const *paths, size_t npaths,
		    size_t max_lines, int want_headers, const struct postfix_instance *in, struct error *err);
/* The search in another server's log, there, over ssh (s: an ssh source); -1 with err. */
int trail_job_start_remote(struct trail_job *j, const char *qid, const struct source_spec *s, size_t max_lines,
			   struct error *err);
/* 1 when it has finished (joined: found, lines, headers are the caller's until trail_job_free). */
int trail_job_poll(struct trail_job *j);
/* Asks it to stop at its next megabyte. */
void trail_job_cancel(struct trail_job *j);
/* Cancels and waits for it, and frees what it holds. */
void trail_job_abandon(struct trail_job *j);
void trail_job_free(struct trail_job *j);

#endif
