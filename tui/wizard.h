/*
 * wizard - the guided six-step cleanup inside the console.
 *
 * Each step is a page that shows what spamtop found, what it proposes, the
 * exact command, and the keys to do it (asking first), skip it or go back:
 * 1 hold the queue, 2 read the log, 3 identify the source, 4 contain it,
 * 5 clean the queue, 6 release and watch. Queue changes go through the
 * console's confirmation dialog and core/queue/action; containment through
 * core/incident/cleanup. The state is saved after every step (core/incident/cleanup).
 */
#ifndef SPAMTOP_WIZARD_H
#define SPAMTOP_WIZARD_H

#include "console_state.h"

/* Opens (or resumes) the wizard as the top view; -1 with err. */
int wizard_open(struct console *c, int resume, struct error *err);
void wizard_free(struct wizard *w);
/* Its view (wizard_view_ops, console_state.h) takes the keys and renders the page. */
/* A queue action offered by step `step` ran (or was a dry run). */
void wizard_plan_done(struct console *c, int step, const struct action_plan *p, const struct action_outcome *o,
		      int ok);
/* The admin confirmed the containment dialog. */
unsigned wizard_contain_confirmed(struct console *c);
/* The containment job's end: its report in a dialog, step 5 next (step 4 again when it failed). */
unsigned wizard_contain_done(struct console *c, int rc, const struct buf *report);
/* The admin said yes to step 6's throttled release: it begins. */
unsigned wizard_throttle_confirmed(struct console *c);
/* Each turn of the console's loop: runs a throttled release's batch when it
 * is due, or stops it and holds the queue again when a contained source
 * sends again. Reaction flags (R_NONE when there is nothing to do). */
unsigned wizard_tick(struct console *c);
/* A new queue snapshot: the wizard notes the counts it needs. */
void wizard_queue_changed(struct console *c);

#endif
