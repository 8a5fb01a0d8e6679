/*
 * action - postsuper runs and their outcomes (see action.h).
 */
#include "core/queue/action.h"

#include <stdio.h>
#include <string.h>

#include "core/logs/event.h"
#include "core/base/journal.h"
#include "core/base/sanitize.h"
#include "core/base/spawn.h"

#define POSTSUPER_TIMEOUT_MS 300000

static const struct {
	const char *name, *verb, *flag, *done;	/* done: what postsuper logs per ID */
} actions[] = {
	[ACT_HOLD] = {"hold", "Hold", "-h", "placed on hold"},
	[ACT_RELEASE] = {"release", "Release", "-H", "released from hold"},
	[ACT_REQUEUE] = {"requeue", "Requeue", "-r", "requeued"},
	[ACT_DELETE] = {"delete", "Delete", "-d", "removed"},
};

const char *action_name(enum queue_action a) { return actions[a].name; }
const char *action_verb(enum queue_action a) { return actions[a].verb; }

int action_parse(const char *name, enum queue_action *out)
{
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		if (strcmp(actions[i].name, name) == 0) {
			*out = (enum queue_action)i;
			return 0;
		}
	return -1;
}

int action_applies_to(enum queue_action a, enum queue_name q)
{
	switch (a) {
	case ACT_HOLD: return q != QN_HOLD && q != QN_CORRUPT;
	case ACT_RELEASE: return q == QN_HOLD;
	case ACT_REQUEUE:
	case ACT_DELETE: return q != QN_CORRUPT;
	}
	return 0;
}

void action_argv(const struct action_plan *p, const struct postfix_instance *in, char *argv[6])
{
	int n = instance_argv(in, "postsuper", argv);
	argv[n++] = (char *)actions[p->action].flag;
	argv[n++] = p->all ? "ALL" : "-";
	argv[n] = NULL;
}

/* plan_instance - the plan's instance i (out of range: the default one) */
static const struct postfix_instance *plan_instance(const struct action_plan *p, int i)
{
	return &p->inst.at[i >= 0 && i < p->inst.count ? i : 0];
}

/* instances - a plan made by hand names none: the default instance */
static int instances(const struct action_plan *p)
{
	return p->inst.count > 0 ? p->inst.count : 1;
}

int action_touches(const struct action_plan *p, int i)
{
	if (i < 0 || i >= instances(p))
		return 0;
	if (p->all)
		return 1;
	for (size_t k = 0; k < p->ids.count; k++)
		if (p->ids.inst[k] == i)
			return 1;
	return 0;
}

/* action_parse_output - "postsuper: ID: removed", "postsuper: Deleted: 3 messages" */
void action_parse_output(enum queue_action a, int inst, const char *text, size_t len, struct action_outcome *o)
{
	const char *p = text, *end = text + len, *done = actions[a].done;
	size_t dlen = strlen(done);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		const char *q = p;
		if ((size_t)(e - q) > 11 && memcmp(q, "postsuper: ", 11) == 0)
			q += 11;
		const char *colon = memchr(q, ':', (size_t)(e - q));
		if (colon && queue_id_valid(q, (size_t)(colon - q)) && (size_t)(e - colon) == dlen + 2
		    && memcmp(colon + 2, done, dlen) == 0) {
			char id[33];
			memcpy(id, q, (size_t)(colon - q));
			id[colon - q] = 0;
			id_list_add_in(&o->changed, inst, id);
		} else if (colon && colon + 2 < e && colon[1] == ' ' && colon[2] >= '0' && colon[2] <= '9') {
			o->reported = (o->reported < 0 ? 0 : o->reported) + strtol(colon + 2, NULL, 10);	/* totals */
		} else if (e > p) {
			buf_append(&o->messages, p, (size_t)(e - p));
			buf_putc(&o->messages, '\n');
		}
		p = nl ? nl + 1 : end;
	}
}

/* run_instance - postsuper on instance i, fed its queue IDs */
static int run_instance(const struct action_plan *p, int i, struct action_outcome *o, struct error *err)
{
	struct buf in = BUF_INIT;
	for (size_t k = 0; !p->all && k < p->ids.count; k++) {
		if (p->ids.inst[k] != i)
			continue;
		if (!queue_id_valid(p->ids.ids[k], strlen(p->ids.ids[k]))) {	/* never reached: defensive */
			error_set(err, "refusing to pass an invalid queue ID to postsuper");
			buf_free(&in);
			return -1;
		}
		buf_puts(&in, p->ids.ids[k]);
		buf_putc(&in, '\n');
	}
	if (in.failed) {
		error_set(err, "out of memory preparing the queue IDs");
		buf_free(&in);
		return -1;
	}
	char *argv[6];
	action_argv(p, plan_instance(p, i), argv);
	struct spawn_result res;
	int rc = spawn_run(argv, p->all ? NULL : buf_str(&in), in.len, POSTSUPER_TIMEOUT_MS, &res, err);
	buf_free(&in);
	if (rc < 0)
		return -1;
	int status = res.exited ? res.status : 128 + res.status;
	if (o->exit_status == 0)
		o->exit_status = status;	/* the first failure's */
	action_parse_output(p->action, i, buf_str(&res.err), res.err.len, o);
	action_parse_output(p->action, i, buf_str(&res.out), res.out.len, o);
	if (res.timed_out)
		buf_puts(&o->messages, "postsuper did not finish in time and was stopped\n");
	spawn_result_free(&res);
	return 0;
}

int action_run(const struct action_plan *p, struct action_outcome *o, struct error *err)
{
	memset(o, 0, sizeof(*o));
	o->reported = -1;
	for (int i = 0; i < instances(p); i++)
		if (action_touches(p, i) && run_instance(p, i, o, err) < 0)
			return -1;
	return 0;
}

void action_classify(const struct action_plan *p, struct action_outcome *o,
		     const struct queue_snapshot *after)
{
	for (size_t i = 0; !p->all && i < p->ids.count; i++) {
		const char *id = p->ids.ids[i];
		int inst = p->ids.inst[i];
		if (id_list_has_in(&o->changed, inst, id))
			continue;
		const struct queued_msg *m = after ? queue_find_in(after, inst, id) : NULL;
		id_list_add_in(m || !after ? &o->unchanged : &o->gone, inst, id);
	}
}

void action_outcome_free(struct action_outcome *o)
{
	id_list_free(&o->changed);
	id_list_free(&o->unchanged);
	id_list_free(&o->gone);
	buf_free(&o->messages);
}

void action_plan_free(struct action_plan *p)
{
	id_list_free(&p->ids);
	id_list_free(&p->dropped);
}

/*
 * add_unlogged - the queued messages the log cannot judge (it does not say
 * where they came from: queued before it began) are read from their files;
 * those that match join the plan, the others are no one's business here
 */
static int add_unlogged(struct action_plan *p, enum queue_action action, const struct selection *sel,
			const struct queue_snapshot *q, struct error *err)
{
	struct id_list found = {0}, unlogged = {0}, others = {0};
	if (selection_collect_unlogged(sel, q, &found, err) < 0)
		return -1;
	for (size_t i = 0; i < found.count; i++)
		if (action_applies_to(action, queue_find_in(q, found.inst[i], found.ids[i])->queue)
		    && !id_list_has_in(&p->ids, found.inst[i], found.ids[i])
		    && id_list_add_in(&unlogged, found.inst[i], found.ids[i]) < 0)
			goto oom;
	id_list_free(&found);
	p->unlogged_read = unlogged.count;
	if (unlogged.count && selection_confirm(sel, q, &unlogged, &others, err) < 0) {
		char why[sizeof(err->msg)];
		snprintf(why, sizeof(why), "%s", err->msg);
		error_set(err, "cannot read the queue files of the messages the log does not know: %s", why);
		id_list_free(&unlogged);
		id_list_free(&others);
		return -1;
	}
	id_list_free(&others);
	p->unlogged_kept = unlogged.count;
	for (size_t i = 0; i < unlogged.count; i++)
		if (id_list_add_in(&p->ids, unlogged.inst[i], unlogged.ids[i]) < 0)
			goto oom;
	id_list_free(&unlogged);
	return 0;
oom:
	id_list_free(&found);
	id_list_free(&unlogged);
	error_set(err, "out of memory selecting messages");
	return -1;
}

int action_plan_build(struct action_plan *p, enum queue_action action, int all,
		      const struct selection *sel, const struct queue_snapshot *q, struct error *err)
{
	memset(p, 0, sizeof(*p));
	p->action = action;
	p->inst = q->inst;
	if (all) {
		p->all = 1;
		for (size_t i = 0; i < q->count; i++)
			p->expected += action_applies_to(action, q->msgs[i].queue);
		snprintf(p->what, sizeof(p->what), "all");
		return 0;
	}
	struct buf what = BUF_INIT;
	selection_describe(sel, &what);
	snprintf(p->what, sizeof(p->what), "%s", buf_str(&what));
	buf_free(&what);
	struct id_list matched = {0};
	if (selection_collect(sel, q, &matched, err) < 0)
		return -1;
	for (size_t i = 0; i < matched.count; i++)	/* only messages the action can change */
		if (action_applies_to(action, queue_find_in(q, matched.inst[i], matched.ids[i])->queue)
		    && id_list_add_in(&p->ids, matched.inst[i], matched.ids[i]) < 0) {
			id_list_free(&matched);
			error_set(err, "out of memory selecting messages");
			return -1;
		}
	id_list_free(&matched);
	p->selected = p->ids.count;
	if (selection_confirm(sel, q, &p->ids, &p->dropped, err) < 0) {
		char why[sizeof(err->msg)];
		snprintf(why, sizeof(why), "%s", err->msg);
		error_set(err, "cannot confirm the selection from the queue files: %s", why);
		return -1;
	}
	if (add_unlogged(p, action, sel, q, err) < 0)
		return -1;
	p->expected = p->ids.count;
	return 0;
}

int action_plan_for_ids(struct action_plan *p, enum queue_action action, const struct queue_snapshot *q,
			const struct id_list *ids, const char *what, struct error *err)
{
	memset(p, 0, sizeof(*p));
	p->action = action;
	p->inst = q->inst;
	snprintf(p->what, sizeof(p->what), "%s", what);
	for (size_t i = 0; i < ids->count; i++) {
		const struct queued_msg *m = queue_find_in(q, ids->inst[i], ids->ids[i]);
		if (m && action_applies_to(action, m->queue) && id_list_add_in(&p->ids, ids->inst[i], ids->ids[i]) < 0) {
			error_set(err, "out of memory selecting messages");
			action_plan_free(p);
			return -1;
		}
	}
	p->selected = p->expected = p->ids.count;
	return 0;
}

int action_plan_merge(struct action_plan *into, const struct action_plan *from, struct error *err)
{
	for (size_t i = 0; i < from->ids.count; i++)
		if (!id_list_has_in(&into->ids, from->ids.inst[i], from->ids.ids[i])
		    && id_list_add_in(&into->ids, from->ids.inst[i], from->ids.ids[i]) < 0)
			goto oom;
	for (size_t i = 0; i < from->dropped.count; i++)
		if (!id_list_has_in(&into->dropped, from->dropped.inst[i], from->dropped.ids[i])
		    && id_list_add_in(&into->dropped, from->dropped.inst[i], from->dropped.ids[i]) < 0)
			goto oom;
	into->selected += from->selected;
	into->unlogged_read += from->unlogged_read;
	into->unlogged_kept += from->unlogged_kept;
	into->expected = into->ids.count;
	size_t n = strlen(into->what);
	snprintf(into->what + n, sizeof(into->what) - n, "; %s", from->what);
	return 0;
oom:
	error_set(err, "out of memory merging selections");
	return -1;
}

/* ---- the run: one journaled operation (run.h) ---- */

struct execution {
	const struct action_plan *p;
	struct action_outcome *o;
};

static json_t *execution_planned(void *arg)
{
	return action_journal_planned(((struct execution *)arg)->p);
}

/* execution_work - postsuper on each instance, then the queue read again to tell
 * what left from what stayed */
static int execution_work(void *arg, struct error *err)
{
	struct execution *x = arg;
	if (action_run(x->p, x->o, err) < 0)
		return -1;
	struct queue_snapshot *after = queue_snapshot_new();
	struct error qerr;
	if (after && queue_load(after, 30000, &qerr) < 0) {
		buf_printf(&x->o->messages, "could not read the queue afterwards: %s\n", qerr.msg);
		queue_snapshot_free(after);
		after = NULL;	/* then no ID can be called gone */
	}
	action_classify(x->p, x->o, after);
	queue_snapshot_free(after);
	return 0;
}

static json_t *execution_done(void *arg, const struct error *failed)
{
	struct execution *x = arg;
	if (failed == NULL)
		return action_journal_done(x->p, x->o);
	json_t *e = action_journal_done(x->p, &(struct action_outcome){.exit_status = -1});
	json_object_set_new(e, "error", json_string(failed->msg));
	return e;
}

enum action_status action_execute(const struct action_plan *p, const char *journal_path,
				  struct action_outcome *o, struct error *err)
{
	memset(o, 0, sizeof(*o));
	struct execution x = {p, o};
	struct journaled_op op = {execution_planned, execution_work, execution_done, &x, 0};
	return (enum action_status)journaled_run(&op, journal_path, err);
}

/* ids_json - queue IDs; one of an instance other than the default is
 * written "INSTANCE:QID" (no queue ID holds a ':') */
static json_t *ids_json(const struct action_plan *p, const struct id_list *l)
{
	json_t *a = json_array();
	for (size_t i = 0; i < l->count; i++) {
		const struct postfix_instance *in = plan_instance(p, l->inst[i]);
		char ref[sizeof(in->name) + sizeof(l->ids[0]) + 1];
		snprintf(ref, sizeof(ref), "%s%s%s", in->name, in->name[0] ? ":" : "", l->ids[i]);
		json_array_append_new(a, json_string(ref));
	}
	return a;
}

static json_t *argv_json(const struct action_plan *p, int i)
{
	char *argv[6];
	action_argv(p, plan_instance(p, i), argv);
	return journal_argv(argv);
}

static json_t *plan_json(const struct action_plan *p, const char *phase)
{
	json_t *e = journal_entry(phase);
	json_t *cmds = json_array();	/* one per instance it runs on */
	for (int i = 0; i < instances(p); i++)
		if (action_touches(p, i))
			json_array_append_new(cmds, argv_json(p, i));
	json_object_set_new(e, "action", json_string(action_name(p->action)));
	json_object_set_new(e, "selection", json_string(p->all ? "all" : p->what));
	json_object_set_new(e, "command", argv_json(p, 0));
	if (p->inst.count > 1)
		json_object_set_new(e, "commands", cmds);
	else
		json_decref(cmds);
	json_object_set_new(e, "expected", json_integer((json_int_t)p->expected));
	json_object_set_new(e, "selected", json_integer((json_int_t)p->selected));
	json_object_set_new(e, "dropped", ids_json(p, &p->dropped));
	if (p->unlogged_read) {	/* the files read of messages the log does not know, and how many matched */
		json_object_set_new(e, "unlogged_read", json_integer((json_int_t)p->unlogged_read));
		json_object_set_new(e, "unlogged_kept", json_integer((json_int_t)p->unlogged_kept));
	}
	json_object_set_new(e, "ids", ids_json(p, &p->ids));
	return e;
}

json_t *action_journal_planned(const struct action_plan *p)
{
	return plan_json(p, "planned");
}

json_t *action_journal_done(const struct action_plan *p, const struct action_outcome *o)
{
	json_t *e = plan_json(p, "done");
	json_object_del(e, "ids");
	json_object_del(e, "dropped");
	json_object_set_new(e, "exit_status", json_integer(o->exit_status));
	json_object_set_new(e, "postsuper_total", json_integer(o->reported));
	json_object_set_new(e, "changed", ids_json(p, &o->changed));
	json_object_set_new(e, "unchanged", ids_json(p, &o->unchanged));
	json_object_set_new(e, "gone", ids_json(p, &o->gone));
	if (o->messages.len)
		json_object_set_new(e, "messages", json_stringn(buf_str(&o->messages), o->messages.len));
	return e;
}

static void put_text(struct buf *out, const char *s)
{
	sanitize_text(out, s, strlen(s));
}

void action_plan_describe(const struct action_plan *p, const struct queue_snapshot *q, size_t max_ids,
			  struct buf *out)
{
	buf_printf(out, "%s %zu message%s: ", action_verb(p->action), p->expected, p->expected == 1 ? "" : "s");
	put_text(out, p->all ? "all queued messages" : p->what);
	buf_putc(out, '\n');
	for (int i = 0; i < instances(p); i++) {
		if (!action_touches(p, i) && !(i == 0 && p->ids.count == 0))
			continue;
		char *argv[6];
		action_argv(p, plan_instance(p, i), argv);
		buf_puts(out, "Command: ");
		spawn_describe(argv, out);
		size_t n = 0;
		for (size_t k = 0; k < p->ids.count; k++)
			n += p->ids.inst[k] == i;
		if (p->inst.count > 1 && p->all)
			buf_printf(out, "   (instance %s)\n", instance_label(plan_instance(p, i)));
		else if (p->inst.count > 1)
			buf_printf(out, "   (instance %s: %zu queue ID%s on standard input)\n",
				   instance_label(plan_instance(p, i)), n, n == 1 ? "" : "s");
		else
			buf_puts(out, p->all ? "\n" : "   (queue IDs on standard input)\n");
	}
	size_t logged = p->ids.count - p->unlogged_kept;
	if (p->selected != logged || p->dropped.count)
		buf_printf(out, "Selected from the log: %zu; confirmed by their queue files: %zu; dropped: %zu\n",
			   p->selected, logged, p->dropped.count);
	if (action_unlogged_describe(p, out))
		buf_putc(out, '\n');
	for (size_t i = 0; !p->all && i < p->ids.count && i < max_ids; i++) {
		const struct queued_msg *m = queue_find_in(q, p->ids.inst[i], p->ids.ids[i]);
		buf_printf(out, "  %-12s %-8s ", p->ids.ids[i], m ? queue_name_str(m->queue) : "?");
		if (p->inst.count > 1)
			buf_printf(out, "%-12s ", instance_label(plan_instance(p, p->ids.inst[i])));
		if (m)
			sanitize_text(out, m->sender->len ? m->sender->s : "<>", m->sender->len ? m->sender->len : 2);
		buf_putc(out, '\n');
	}
	if (!p->all && p->ids.count > max_ids)
		buf_printf(out, "  ... and %zu more\n", p->ids.count - max_ids);
}

int action_unlogged_describe(const struct action_plan *p, struct buf *out)
{
	if (p->unlogged_read == 0)
		return 0;
	buf_printf(out, "Not in the log: %zu queued message%s read from their files; %zu of them match",
		   p->unlogged_read, p->unlogged_read == 1 ? "" : "s", p->unlogged_kept);
	return 1;
}

void action_outcome_describe(const struct action_plan *p, const struct action_outcome *o, size_t max_ids,
			     struct buf *out)
{
	if (p->all)
		buf_printf(out, "postsuper: %ld message%s changed (exit status %d)\n", o->reported,
			   o->reported == 1 ? "" : "s", o->exit_status);
	else
		buf_printf(out, "Done: %zu changed, %zu already gone from the queue, %zu not changed (exit status %d)\n",
			   o->changed.count, o->gone.count, o->unchanged.count, o->exit_status);
	for (size_t i = 0; i < o->unchanged.count && i < max_ids; i++)
		buf_printf(out, "  not changed: %s\n", o->unchanged.ids[i]);
	if (o->messages.len) {
		buf_puts(out, "postsuper said:\n");
		put_text(out, buf_str(&o->messages));
		buf_putc(out, '\n');
	}
}
