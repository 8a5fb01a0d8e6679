/*
 * plan_job - a plan built by a worker thread (see plan_job.h).
 */
#include "plan_job.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/queue/select.h"

/* ---- the thread every job runs on ---- */

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	w->body(w->job);
	atomic_store(&w->finished, 1);
	return NULL;
}

/* worker_start - body(job) on a new thread; -1 with err when none can start */
static int worker_start(struct worker *w, void (*body)(void *), void *job, const char *what, struct error *err)
{
	w->body = body;
	w->job = job;
	atomic_store(&w->finished, 0);
	if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
		error_set(err, "cannot start a thread to %s", what);
		return -1;
	}
	w->running = 1;
	return 0;
}

/* worker_poll - joined once it has said it finished: 1 then, else 0 */
static int worker_poll(struct worker *w)
{
	if (!w->running || !atomic_load(&w->finished))
		return 0;
	pthread_join(w->thread, NULL);
	w->running = 0;
	return 1;
}

/* worker_join - waits for it; 0 when none was running */
static int worker_join(struct worker *w)
{
	if (!w->running)
		return 0;
	pthread_join(w->thread, NULL);
	w->running = 0;
	return 1;
}

/* build - every target's selection, planned and merged into one plan */
static int build(struct plan_job *j)
{
	for (size_t i = 0; i < j->targets.count; i++) {
		struct selection sel;
		const char *idv[1];
		j->make(j->tk, j->agg, j->parent, j->targets.items[i], &sel, idv);
		sel.progress = &j->progress;
		struct action_plan one;
		int rc = selection_compile(&sel, &j->err);
		if (rc == 0)
			rc = action_plan_build(i ? &one : &j->plan, j->action, 0, &sel, j->q, &j->err);
		selection_free(&sel);
		if (rc == 0 && i) {
			rc = action_plan_merge(&j->plan, &one, &j->err);
			action_plan_free(&one);
		}
		if (rc < 0) {
			if (i)
				action_plan_free(&j->plan);
			return -1;
		}
	}
	return 0;
}

static void run(void *arg)
{
	struct plan_job *j = arg;
	if (j->session) {
		int rc = cleanup_session_clean_plan(j->session, j->q, &j->progress, &j->plan, &j->err);
		if (rc == 0)
			error_set(&j->err, "No suspect is marked (step 3)");
		j->rc = rc > 0 ? 0 : -1;
	} else {
		j->rc = build(j);
	}
}

int plan_job_start(struct plan_job *j, enum queue_action a, enum table_kind tk, enum agg_kind agg, const char *parent,
		   const struct string_set *targets, const struct queue_snapshot *q, selection_maker make,
		   struct error *err)
{
	memset(j, 0, sizeof(*j));
	j->action = a;
	j->tk = tk;
	j->agg = agg;
	j->q = q;
	j->make = make;
	j->parent = parent ? strdup(parent) : NULL;
	for (size_t i = 0; i < targets->count; i++)
		if (string_set_add(&j->targets, targets->items[i]) < 0) {
			error_set(err, "out of memory");
			goto fail;
		}
	if (worker_start(&j->w, run, j, "build the plan", err) < 0)
		goto fail;
	return 0;
fail:
	string_set_free(&j->targets);
	free(j->parent);
	return -1;
}

int plan_job_start_clean(struct plan_job *j, const struct cleanup_session *s, const struct queue_snapshot *q,
			 struct error *err)
{
	memset(j, 0, sizeof(*j));
	j->session = s;
	j->q = q;
	j->wizard_step = STEP_CLEAN;
	return worker_start(&j->w, run, j, "build the plan", err);
}

int plan_job_poll(struct plan_job *j)
{
	if (!worker_poll(&j->w))
		return 0;
	string_set_free(&j->targets);
	free(j->parent);
	j->parent = NULL;
	return 1;
}

void plan_job_cancel(struct plan_job *j)
{
	atomic_store(&j->progress.cancel, 1);
}

void plan_job_abandon(struct plan_job *j)
{
	if (!j->w.running)
		return;
	plan_job_cancel(j);
	worker_join(&j->w);
	string_set_free(&j->targets);
	free(j->parent);
	j->parent = NULL;
	if (j->rc == 0)
		action_plan_free(&j->plan);
}

/* ---- an action ---- */

static void run_action(void *arg)
{
	struct action_job *j = arg;
	j->st = action_execute(&j->plan, j->journal, &j->out, &j->err);
}

int action_job_start(struct action_job *j, const struct action_plan *plan, const char *journal, int wizard_step,
		     struct error *err)
{
	memset(j, 0, sizeof(*j));
	j->plan = *plan;
	j->journal = journal;
	j->wizard_step = wizard_step;
	return worker_start(&j->w, run_action, j, "run the action", err);
}

int action_job_poll(struct action_job *j)
{
	return worker_poll(&j->w);
}

void action_job_wait(struct action_job *j)
{
	if (!worker_join(&j->w))
		return;
	action_outcome_free(&j->out);
	action_plan_free(&j->plan);
}

/* ---- the cleanup's containment ---- */

static void run_contain(void *arg)
{
	struct contain_job *j = arg;
	j->rc = cleanup_session_contain(j->session, &j->report);
}

int contain_job_start(struct contain_job *j, struct cleanup_session *s, struct error *err)
{
	memset(j, 0, sizeof(*j));
	j->session = s;
	return worker_start(&j->w, run_contain, j, "contain", err);
}

int contain_job_poll(struct contain_job *j)
{
	return worker_poll(&j->w);
}

void contain_job_wait(struct contain_job *j)
{
	if (!worker_join(&j->w))
		return;
	buf_free(&j->report);
}

/* ---- a throttled release's turn ---- */

static void run_throttle(void *arg)
{
	struct throttle_job *j = arg;
	j->turn = cleanup_session_tick(j->session, j->model, j->queue, j->now, &j->report);
}

int throttle_job_start(struct throttle_job *j, struct cleanup_session *s, const struct model *m,
		       const struct queue_snapshot *q, int64_t now, struct error *err)
{
	memset(j, 0, sizeof(*j));
	j->session = s;
	j->model = m;
	j->queue = q;
	j->now = now;
	return worker_start(&j->w, run_throttle, j, "run the throttled release", err);
}

int throttle_job_poll(struct throttle_job *j)
{
	return worker_poll(&j->w);
}

void throttle_job_wait(struct throttle_job *j)
{
	if (!worker_join(&j->w))
		return;
	buf_free(&j->report);
}

/* ---- a message's trail ---- */

static void run_trail(void *arg)
{
	struct trail_job *j = arg;
	if (j->has_remote)
		j->found = trail_collect_remote(&j->remote, j->qid, j->max_lines, &j->progress, &j->lines, &j->err);
	else
		j->found = trail_collect((const char *const *)j->paths, j->npaths, j->qid, j->max_lines, &j->progress,
					 &j->lines, &j->err);
	if (j->want_headers && !atomic_load(&j->progress.cancel))
		j->headers_rc = trail_headers(j->has_instance ? &j->instance : NULL, j->qid, 10000, &j->headers,
					      &j->headers_err);
}

int trail_job_start(struct trail_job *j, const char *qid, const char *const *paths, size_t npaths,
		    size_t max_lines, int want_headers, const struct postfix_instance *in, struct error *err)
{
	memset(j, 0, sizeof(*j));
	snprintf(j->qid, sizeof(j->qid), "%s", qid);
	j->max_lines = max_lines;
	j->want_headers = want_headers;
	if (in) {
		j->instance = *in;
		j->has_instance = 1;
	}
	for (size_t i = 0; i < npaths && i < TRAIL_JOB_FILES; i++) {
		j->paths[i] = strdup(paths[i]);
		if (j->paths[i] == NULL) {
			trail_job_free(j);
			error_set(err, "out of memory");
			return -1;
		}
		j->npaths++;
	}
	if (worker_start(&j->w, run_trail, j, "search the logs", err) < 0) {
		trail_job_free(j);
		return -1;
	}
	return 0;
}

int trail_job_start_remote(struct trail_job *j, const char *qid, const struct source_spec *s, size_t max_lines,
			   struct error *err)
{
	memset(j, 0, sizeof(*j));
	snprintf(j->qid, sizeof(j->qid), "%s", qid);
	j->max_lines = max_lines;
	j->remote = *s;
	j->has_remote = 1;
	return worker_start(&j->w, run_trail, j, "search another server's log", err);
}

int trail_job_poll(struct trail_job *j)
{
	return worker_poll(&j->w);
}

void trail_job_cancel(struct trail_job *j)
{
	atomic_store(&j->progress.cancel, 1);
}

void trail_job_free(struct trail_job *j)
{
	for (size_t i = 0; i < j->npaths; i++)
		free(j->paths[i]);
	j->npaths = 0;
	buf_free(&j->lines);
	buf_free(&j->headers);
}

void trail_job_abandon(struct trail_job *j)
{
	trail_job_cancel(j);
	worker_join(&j->w);
	trail_job_free(j);
}

/* ---- an action asked of another server ---- */

static void run_remote(void *arg)
{
	struct remote_job *j = arg;
	j->rc = remote_action_run(&j->call, j->journal, j->call.dry_run ? &j->stop : NULL, &j->answer, &j->err);
}

int remote_job_start(struct remote_job *j, struct remote_action *call, const char *journal, struct error *err)
{
	memset(j, 0, sizeof(*j));
	j->call = *call;
	memset(call, 0, sizeof(*call));
	j->journal = journal;
	if (worker_start(&j->w, run_remote, j, "ask the other server", err) < 0) {
		remote_action_free(&j->call);
		return -1;
	}
	return 0;
}

int remote_job_poll(struct remote_job *j)
{
	return worker_poll(&j->w);
}

void remote_job_stop(struct remote_job *j)
{
	atomic_store(&j->stop, 1);
}

void remote_job_wait(struct remote_job *j)
{
	remote_job_stop(j);
	if (!worker_join(&j->w))
		return;
	remote_job_free(j);
}

void remote_job_free(struct remote_job *j)
{
	remote_action_free(&j->call);
	remote_answer_free(&j->answer);
}
