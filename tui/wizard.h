/*
 * wizard - the guided six-step cleanup inside the console.
 *
 * Each step is a page that shows what spamtop found, what it proposes, the
 * exact command, and the keys to do it (asking first), skip it or go back:
 * 1 hold the queue, 2 read the log, 3 identify the source, 4 contain it,
 * 5 clean the queue, 6 release and watch. What the steps do is the core's
 * cleanup session (core/incident/cleanup_session); the wizard renders it and
 * runs its long parts (containment, a throttled release's turns) on its own
 * worker jobs.
 *
 * It never sees the console: the console hands it a wizard_env at every
 * call (what it shows now: the model, the queue, the suspects, the options)
 * and a few services (its status line, its dialog, its queue plans), the
 * one way the wizard acts on the screen or the queue.
 */
#ifndef SPAMTOP_WIZARD_H
#define SPAMTOP_WIZARD_H

#include <stddef.h>
#include <time.h>

#include "console.h"
#include "core/base/error.h"
#include "core/incident/cleanup_session.h"
#include "core/model/detect.h"
#include "core/model/model.h"
#include "core/queue/action.h"
#include "core/queue/queue.h"
#include "keymap.h"
#include "pager.h"
#include "reaction.h"

struct console;	/* only handed back to the services */
struct wizard;

/* What y does in a dialog the wizard opens. */
enum wizard_yes { WIZARD_YES_NONE, WIZARD_YES_CONTAIN, WIZARD_YES_THROTTLE };

/* What the wizard may ask of the console. */
struct wizard_services {
	void (*say)(struct console *c, int is_error, const char *msg);
	/* Opens a dialog (or replaces the page of the open one); its page to fill. */
	struct pager *(*dialog)(struct console *c, const char *title, enum wizard_yes yes);
	void (*close_dialog)(struct console *c);
	/* Says why not and returns 0 when the queue cannot be changed here. */
	int (*can_change_queue)(struct console *c);
	/* Offers plan (the console takes it) for confirmation on behalf of step;
	 * 0 when nothing matches (then it is freed): the step has nothing to do. */
	int (*offer_plan)(struct console *c, struct action_plan *plan, int step);
	/* Step 5's plan, confirmed from the queue files off the key handler, offered when built. */
	void (*build_clean_plan)(struct console *c, struct cleanup_session *s);
};

/* What the console shows the wizard, as it is at the call. */
struct wizard_env {
	const struct console_options *opt;
	struct model *model;
	const struct queue_snapshot *queue;	/* NULL until read */
	time_t queue_time;	/* when it was read */
	const struct suspect *suspects;
	size_t nsuspects;
	int is_root;
	int reading_history;	/* the pages need the whole history */
	int action_running;	/* a confirmed queue action: no throttle turn meanwhile */
	int dialog_open;	/* no throttle turn while the admin reads one */
	const char *blind;	/* why this machine's log is watched no more (journalctl ended), or NULL */
	const char *const *logs;	/* this machine's log files (samples of a suspect's lines) */
	size_t nlogs;
	const char *const *inputs;	/* every input, as the incident report names them */
	size_t ninputs;
	const struct wizard_services *ask;
	struct console *con;
};

/* Opens (or resumes) the cleanup into *w (kept when already open); -1 with err. */
int wizard_open(struct wizard **w, const struct wizard_env *x, int resume, struct error *err);
/* Waits for its jobs (a started reload or postsuper is let finish) and frees it. */
void wizard_free(struct wizard *w);
/* The page of the current step, rendered anew into p. */
void wizard_render(struct wizard *w, const struct wizard_env *x, struct pager *p);
/* A key bound to a (KM_WIZARD, then the pager's): reaction flags, R_NONE when not a step's (the page scrolls). */
unsigned wizard_key(struct wizard *w, const struct wizard_env *x, enum action_id a);
/* Why nothing else may be done now (a job holds the session), or NULL. */
const char *wizard_busy(const struct wizard *w);
/* A throttle turn reads the model and the snapshot: nothing may change them meanwhile. */
int wizard_reads_queue(const struct wizard *w);
/* A queue action offered by step `step` ran (o NULL: it was a dry run). */
void wizard_plan_done(struct wizard *w, const struct wizard_env *x, int step, const struct action_plan *p,
		      const struct action_outcome *o, int ok);
/* The admin said y to a dialog the wizard opened. */
unsigned wizard_confirmed(struct wizard *w, const struct wizard_env *x, enum wizard_yes yes);
/* Each turn of the console's loop: a job's end (containment, a throttle turn),
 * or a throttled release's batch when due. Reaction flags. */
unsigned wizard_tick(struct wizard *w, const struct wizard_env *x);
/* A new queue snapshot: the wizard notes the counts it needs. */
void wizard_queue_changed(struct wizard *w, const struct wizard_env *x);

#endif
