/*
 * queue_refresh - read the live queue in the background.
 *
 * A console must not freeze while postqueue walks a queue of a million
 * messages, or hangs. queue_refresh_start() runs queue_load() on a worker
 * thread into a fresh snapshot; queue_refresh_take() hands the finished
 * snapshot (or the reason there is none) to the caller's thread. The worker
 * touches nothing but its own snapshot, so no other locking is needed.
 */
#ifndef SPAMTOP_QUEUE_REFRESH_H
#define SPAMTOP_QUEUE_REFRESH_H

#include "core/base/error.h"
#include "core/queue/queue.h"

struct queue_refresh;

struct queue_refresh *queue_refresh_new(int timeout_ms);
/* Starts a load unless one is running: 1 started, 0 busy, -1 with err. */
int queue_refresh_start(struct queue_refresh *r, struct error *err);
/*
 * 1: a load finished and *out is its snapshot (the caller frees it);
 * -1: a load finished and failed (err says why); 0: nothing new yet.
 */
int queue_refresh_take(struct queue_refresh *r, struct queue_snapshot **out, struct error *err);
int queue_refresh_busy(struct queue_refresh *r);
/* Waits for a running load, then frees. */
void queue_refresh_free(struct queue_refresh *r);

#endif
