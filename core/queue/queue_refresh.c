/*
 * queue_refresh - one worker thread per load, results under a mutex (see
 * queue_refresh.h).
 */
#include "core/queue/queue_refresh.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum refresh_state { RS_IDLE, RS_RUNNING, RS_DONE };

struct queue_refresh {
	pthread_mutex_t lock;
	pthread_t thread;
	int joinable;
	enum refresh_state state;
	int timeout_ms;
	int rc;
	struct queue_snapshot *snap;
	struct error err;
};

static void *worker(void *arg)
{
	struct queue_refresh *r = arg;
	struct error err = {""};
	struct queue_snapshot *q = queue_snapshot_new();
	int rc = q ? queue_load(q, r->timeout_ms, &err) : -1;
	if (q == NULL)
		error_set(&err, "out of memory reading the queue");
	if (rc < 0) {
		queue_snapshot_free(q);
		q = NULL;
	}
	pthread_mutex_lock(&r->lock);
	r->snap = q;
	r->rc = rc;
	r->err = err;
	r->state = RS_DONE;
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

struct queue_refresh *queue_refresh_new(int timeout_ms)
{
	struct queue_refresh *r = calloc(1, sizeof(*r));
	if (r == NULL)
		return NULL;
	pthread_mutex_init(&r->lock, NULL);
	r->timeout_ms = timeout_ms;
	return r;
}

static void join(struct queue_refresh *r)
{
	if (r->joinable) {
		pthread_join(r->thread, NULL);
		r->joinable = 0;
	}
}

int queue_refresh_start(struct queue_refresh *r, struct error *err)
{
	pthread_mutex_lock(&r->lock);
	enum refresh_state s = r->state;
	pthread_mutex_unlock(&r->lock);
	if (s != RS_IDLE)
		return 0;
	join(r);
	r->state = RS_RUNNING;
	int e = pthread_create(&r->thread, NULL, worker, r);
	if (e != 0) {
		r->state = RS_IDLE;
		error_errno(err, e, "cannot start reading the queue");
		return -1;
	}
	r->joinable = 1;
	return 1;
}

int queue_refresh_take(struct queue_refresh *r, struct queue_snapshot **out, struct error *err)
{
	pthread_mutex_lock(&r->lock);
	int done = r->state == RS_DONE;
	int rc = r->rc;
	struct queue_snapshot *snap = r->snap;
	if (done) {
		if (rc < 0)
			*err = r->err;
		r->snap = NULL;
		r->state = RS_IDLE;
	}
	pthread_mutex_unlock(&r->lock);
	if (!done)
		return 0;
	join(r);
	*out = snap;
	return rc < 0 ? -1 : 1;
}

int queue_refresh_busy(struct queue_refresh *r)
{
	pthread_mutex_lock(&r->lock);
	int busy = r->state == RS_RUNNING;
	pthread_mutex_unlock(&r->lock);
	return busy;
}

void queue_refresh_free(struct queue_refresh *r)
{
	if (r == NULL)
		return;
	join(r);
	queue_snapshot_free(r->snap);
	pthread_mutex_destroy(&r->lock);
	free(r);
}
