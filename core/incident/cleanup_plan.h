/*
 * cleanup_plan - the six steps of the cleanup without a screen: for each,
 * what was found and what it would run (`spamtop cleanup --plan`), for a
 * script, for a second admin following along, or to read before acting.
 * Nothing is run here: commands are printed as argv, log text sanitized.
 */
#ifndef SPAMTOP_CLEANUP_PLAN_H
#define SPAMTOP_CLEANUP_PLAN_H

#include <stdio.h>

#include "core/incident/cleanup.h"
#include "core/model/model.h"
#include "core/queue/queue.h"

struct cleanup_plan_input {
	const struct model *m;
	const struct suspect *sus;	/* this machine's suspects (detect_suspects) */
	size_t nsus;
	const struct queue_snapshot *q;	/* joined with the model; NULL: not read */
	const char *queue_error;	/* why it was not read, or NULL */
	const struct postfix_confs *pf;	/* every instance; NULL: unknown, conf_error says why */
	const char *conf_error;
	struct cleanup_state *st;	/* targets taken from the suspects unless set already */
	const char *disable_cmd;	/* --disable-cmd, or NULL */
};

/* Writes the plan; -1 with err if the output fails. */
int cleanup_plan_write(FILE *f, struct cleanup_plan_input *in, struct error *err);

#endif
