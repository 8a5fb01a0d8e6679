/*
 * throttle - a held queue released in timed batches (see throttle.h).
 */
#include "core/queue/throttle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct held {
	int64_t arrival;
	const struct queued_msg *m;
};

static int older_first(const void *a, const void *b)
{
	const struct held *x = a, *y = b;
	if (x->arrival != y->arrival)
		return x->arrival < y->arrival ? -1 : 1;
	return strcmp(x->m->qid, y->m->qid);	/* a stable order for equal times */
}

size_t release_throttle_start(struct release_throttle *t, const struct queue_snapshot *q, size_t batch,
			      int64_t interval, int64_t now)
{
	memset(t, 0, sizeof(*t));
	t->batch = batch ? batch : THROTTLE_DEFAULT_BATCH;
	t->interval = interval > 0 ? interval : THROTTLE_DEFAULT_SECONDS;
	struct held *h = calloc(q->count ? q->count : 1, sizeof(*h));
	size_t n = 0;
	for (size_t i = 0; h && i < q->count; i++)
		if (q->msgs[i].queue == QN_HOLD)
			h[n++] = (struct held){q->msgs[i].arrival, &q->msgs[i]};
	qsort(h, n, sizeof(*h), older_first);
	for (size_t i = 0; i < n; i++)
		if (id_list_add_in(&t->ids, h[i].m->instance, h[i].m->qid) < 0)
			break;
	free(h);
	t->next_at = now;	/* the first batch at once */
	t->running = t->ids.count > 0;
	return t->ids.count;
}

int release_throttle_due(struct release_throttle *t, const struct queue_snapshot *q, int64_t now,
			 struct action_plan *plan, struct error *err)
{
	if (!t->running || now < t->next_at)
		return 0;
	if (t->next >= t->ids.count) {
		t->running = 0;
		return 0;
	}
	struct id_list batch = {0};
	size_t end = t->next + t->batch < t->ids.count ? t->next + t->batch : t->ids.count;
	for (size_t i = t->next; i < end; i++)
		if (id_list_add_in(&batch, t->ids.inst[i], t->ids.ids[i]) < 0) {
			id_list_free(&batch);
			error_set(err, "out of memory");
			return -1;
		}
	char what[160];
	snprintf(what, sizeof(what), "held messages %zu to %zu of %zu, oldest first (batch %zu)", t->next + 1, end,
		 t->ids.count, t->batches + 1);
	int rc = action_plan_for_ids(plan, ACT_RELEASE, q, &batch, what, err);
	id_list_free(&batch);
	if (rc < 0)
		return -1;
	t->next = end;
	t->next_at = now + t->interval;
	return 1;
}

void release_throttle_done(struct release_throttle *t, size_t n)
{
	t->batches++;
	t->released += n;
	if (t->next >= t->ids.count)
		t->running = 0;
}

void release_throttle_stop(struct release_throttle *t, const char *why)
{
	t->running = 0;
	snprintf(t->stopped, sizeof(t->stopped), "%s", why);
}

void release_throttle_free(struct release_throttle *t)
{
	id_list_free(&t->ids);
	memset(t, 0, sizeof(*t));
}
