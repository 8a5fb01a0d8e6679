/*
 * throttle - the held queue released in batches, oldest first: N messages
 * every M seconds, so that the mail providers who rate-limit a server that
 * floods them right after an incident see an ordinary sender. The caller
 * runs each batch (a plan) and stops the release (and holds again) when a
 * contained source sends again; this module only keeps the order and time.
 */
#ifndef SPAMTOP_THROTTLE_H
#define SPAMTOP_THROTTLE_H

#include <stdint.h>

#include "core/queue/action.h"

#define THROTTLE_DEFAULT_BATCH 100
#define THROTTLE_DEFAULT_SECONDS 60

struct release_throttle {
	struct id_list ids;	/* the messages held when it began, oldest first */
	size_t next;		/* the first not yet released */
	size_t batch;
	int64_t interval, next_at;	/* seconds; when the next batch is due */
	size_t batches, released;	/* run so far, and messages they changed */
	int running;
	char stopped[200];	/* why it stopped before the end, or "" */
};

/* Takes the held messages of q, oldest first; 0 if none is held (then it does not run). */
size_t release_throttle_start(struct release_throttle *t, const struct queue_snapshot *q, size_t batch,
			      int64_t interval, int64_t now);
/*
 * The batch due at now as a release plan of those of its messages still
 * held in q: 1 a plan, 0 none due (or finished: running then is 0), -1 err.
 */
int release_throttle_due(struct release_throttle *t, const struct queue_snapshot *q, int64_t now,
			 struct action_plan *plan, struct error *err);
/* A batch ran and changed n messages. */
void release_throttle_done(struct release_throttle *t, size_t n);
void release_throttle_stop(struct release_throttle *t, const char *why);
void release_throttle_free(struct release_throttle *t);

#endif
