/*
 * run - a command run between two journal entries (see run.h).
 */
#include "run.h"

#include <string.h>

#include "journal.h"
#include "sanitize.h"
#include "spawn.h"

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

int run_journaled(const struct run_request *r, const char *journal_path, struct buf *out, struct error *err)
{
	struct journal j;
	if (journal_open(&j, journal_path, err) < 0)
		return -1;
	if (journal_append(&j, entry(r, "planned"), err) < 0) {
		journal_close(&j);
		return -1;
	}
	struct spawn_result res;
	size_t from = out->len;
	int rc = spawn_run(r->argv, NULL, 0, r->timeout_ms, &res, err);
	int status = rc < 0 ? -1 : res.exited ? res.status : 128 + res.status;
	if (rc == 0) {
		buf_append(out, res.out.data ? res.out.data : "", res.out.len);
		buf_append(out, res.err.data ? res.err.data : "", res.err.len);
		spawn_result_free(&res);
	}
	json_t *e = entry(r, "done");
	json_object_set_new(e, "exit_status", json_integer(status));
	if (rc < 0)
		json_object_set_new(e, "error", json_string(err->msg));
	if (r->journal_output)
		json_object_set_new(e, "output", text_json(out->data ? out->data + from : "", out->len - from, RUN_JOURNAL_OUTPUT));
	struct error jerr;
	if (journal_append(&j, e, &jerr) < 0 && rc == 0) {
		*err = jerr;
		status = -1;
	}
	journal_close(&j);
	return status;
}
