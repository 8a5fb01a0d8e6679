/*
 * run - operations between two journal entries (see run.h).
 */
#include "core/base/run.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/journal.h"
#include "core/base/safefile.h"
#include "core/base/sanitize.h"
#include "core/base/spawn.h"

enum run_status journaled_run(const struct journaled_op *op, const char *journal_path, struct error *err)
{
	struct journal j;
	int journaled = journal_open(&j, journal_path, err) == 0;
	if (journaled && journal_append(&j, op->planned_entry(op->arg), err) < 0) {
		journal_close(&j);
		journaled = 0;
	}
	if (!journaled && !op->best_effort)
		return RUN_REFUSED;
	if (!journaled) {	/* best effort: the work is done, unrecorded, and said to be */
		struct error why = *err;
		if (op->perform(op->arg, err) < 0)
			return RUN_FAILED;
		*err = why;
		return RUN_NOT_JOURNALED;
	}
	if (op->perform(op->arg, err) < 0) {
		struct error ignored;	/* the failure is what the caller hears of */
		journal_append(&j, op->done_entry(op->arg, err), &ignored);
		journal_close(&j);
		return RUN_FAILED;
	}
	int rc = journal_append(&j, op->done_entry(op->arg, NULL), err);
	journal_close(&j);
	return rc < 0 ? RUN_NOT_JOURNALED : RUN_DONE;
}

/* ---- a program ---- */

struct program_run {
	const struct run_request *r;
	struct buf *out;
	size_t from;		/* where its output starts in out */
	int status;
};

/* text_json - text as the journal can hold it (valid UTF-8), at most max bytes of it */
static json_t *text_json(const char *s, size_t len, size_t max)
{
	struct buf b = BUF_INIT;
	sanitize_utf8(&b, s, len > max ? max : len);
	json_t *j = json_stringn(buf_str(&b), b.len);
	buf_free(&b);
	return j ? j : json_null();
}

static json_t *entry(const struct run_request *r, const char *phase)
{
	json_t *e = journal_entry(phase);
	json_object_set_new(e, "action", json_string(r->action));
	json_object_set_new(e, "selection", text_json(r->target, strlen(r->target), 4096));
	json_object_set_new(e, "command", journal_argv(r->argv));
	if (r->extra)
		json_object_update(e, r->extra);
	return e;
}

static json_t *program_planned(void *arg)
{
	return entry(((struct program_run *)arg)->r, "planned");
}

static int program_work(void *arg, struct error *err)
{
	struct program_run *p = arg;
	struct spawn_result res;
	if (spawn_run(p->r->argv, NULL, 0, p->r->timeout_ms, &res, err) < 0)
		return -1;
	p->status = res.exited ? res.status : 128 + res.status;
	buf_append(p->out, res.out.data ? res.out.data : "", res.out.len);
	buf_append(p->out, res.err.data ? res.err.data : "", res.err.len);
	spawn_result_free(&res);
	return 0;
}

static json_t *program_done(void *arg, const struct error *failed)
{
	struct program_run *p = arg;
	json_t *e = entry(p->r, "done");
	json_object_set_new(e, "exit_status", json_integer(failed ? -1 : p->status));
	if (failed)
		json_object_set_new(e, "error", json_string(failed->msg));
	if (p->r->journal_output)
		json_object_set_new(e, "output", text_json(p->out->data ? p->out->data + p->from : "",
							   p->out->len - p->from, RUN_JOURNAL_OUTPUT));
	return e;
}

int run_journaled(const struct run_request *r, const char *journal_path, struct buf *out, struct error *err)
{
	struct program_run p = {r, out, out->len, -1};
	struct journaled_op op = {program_planned, program_work, program_done, &p, 0};
	return journaled_run(&op, journal_path, err) == RUN_DONE ? p.status : -1;
}

/* ---- a file replaced whole ---- */

static json_t *replace_entry(const struct file_replace *r, const char *phase)
{
	json_t *e = journal_entry(phase);
	json_object_set_new(e, "action", json_string(r->action));
	json_object_set_new(e, "selection", json_string(r->selection));
	json_object_set_new(e, "table", json_string(r->path));
	return e;
}

static json_t *replace_planned(void *arg)
{
	return replace_entry(arg, "planned");
}

static int replace_work(void *arg, struct error *err)
{
	const struct file_replace *r = arg;
	struct stat st;
	int existed = stat(r->path, &st) == 0;
	struct safe_file sf;
	if (safe_file_open(&sf, r->path, existed ? st.st_mode & 07777 : r->new_mode, err) < 0)
		return -1;
	if (existed && fchown(fileno(sf.f), st.st_uid, st.st_gid) < 0) {
		error_errno(err, errno, "cannot give the new %s its owner", r->path);
		safe_file_abort(&sf);
		return -1;
	}
	if (fwrite(r->text->data ? r->text->data : "", 1, r->text->len, sf.f) != r->text->len) {
		safe_file_abort(&sf);
		error_set(err, "cannot write %s", r->path);
		return -1;
	}
	return safe_file_commit(&sf, err);
}

static json_t *replace_done(void *arg, const struct error *failed)
{
	json_t *e = replace_entry(arg, "done");
	json_object_set_new(e, "exit_status", json_integer(failed ? 1 : 0));
	if (failed)
		json_object_set_new(e, "error", json_string(failed->msg));
	return e;
}

int run_file_replace(const struct file_replace *r, const char *journal_path, struct error *err)
{
	struct journaled_op op = {replace_planned, replace_work, replace_done, (void *)r, 0};
	return journaled_run(&op, journal_path, err) == RUN_DONE ? 0 : -1;
}
