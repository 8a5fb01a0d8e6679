/*
 * remote_action - an action asked of another server's spamtop (see remote_action.h).
 */
#include "core/queue/remote_action.h"

#include <stdlib.h>
#include <string.h>

#include "core/base/run.h"
#include "core/base/spawn.h"

/* word_ok - nothing a remote shell could read other than as the text itself */
static int word_ok(const char *w)
{
	for (const unsigned char *p = (const unsigned char *)w; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

/* add_word - one word of the remote command, single-quoted, NUL-ended */
static void add_word(struct buf *b, const char *w)
{
	buf_put_shell_quoted(b, w);
	buf_append(b, "", 1);
}

/* point_argv - argv at each word of r->words */
static void point_argv(struct remote_action *r)
{
	int n = 0;
	for (size_t at = 0; at < r->words.len && n < REMOTE_ACTION_ARGV - 1; at += strlen(r->words.data + at) + 1)
		r->argv[n++] = r->words.data + at;
	r->argv[n] = NULL;
}

/* start_words - ssh's words for s, then 'spamtop' and the command's name; returns how many ssh's are */
static int start_words(struct remote_action *r, const struct source_spec *s, const char *command)
{
	char *prefix[SOURCE_SPEC_ARGV];
	int nprefix = source_spec_ssh_prefix(s, prefix);
	for (int i = 0; i < nprefix; i++)	/* copied: the argv lives in words alone, and moves with it */
		buf_append(&r->words, prefix[i], strlen(prefix[i]) + 1);
	add_word(&r->words, "spamtop");
	add_word(&r->words, command);
	return nprefix;
}

int remote_action_build(struct remote_action *r, const struct source_spec *s, enum queue_action a,
			const struct selection *sel, int dry_run, struct error *err)
{
	memset(r, 0, sizeof(*r));
	if (!source_spec_is_ssh(s)) {
		error_set(err, "%s is not read over ssh: spamtop cannot reach its queue", s->host[0] ? s->host : s->path);
		return -1;
	}
	r->action = a;
	r->dry_run = dry_run;
	snprintf(r->host, sizeof(r->host), "%s", s->host);
	struct buf what = BUF_INIT, opts = BUF_INIT;
	size_t nopts = 1;
	if (sel == NULL) {	/* every queued message: postsuper's ALL there */
		buf_puts(&what, "every queued message");
		buf_append(&opts, "--all", 6);
	} else {
		selection_describe(sel, &what);
		nopts += selection_words(sel, &opts);
		buf_printf(&opts, "--log=%s", s->path);	/* the log it is shown from */
		buf_append(&opts, "", 1);
	}
	snprintf(r->what, sizeof(r->what), "%s", buf_str(&what));
	buf_free(&what);
	int rc = 0;
	if (start_words(r, s, action_name(a)) + 3 + (int)nopts >= REMOTE_ACTION_ARGV) {
		error_set(err, "too many options for one remote command");
		rc = -1;
	}
	for (size_t i = 0, at = 0; rc == 0 && i < nopts; i++) {
		const char *w = opts.data + at;
		if (!word_ok(w)) {
			error_set(err, "a value holds a control character: it is not sent to a remote shell");
			rc = -1;
		}
		add_word(&r->words, w);
		at += strlen(w) + 1;
	}
	add_word(&r->words, dry_run ? "--dry-run" : "--yes");
	buf_free(&opts);
	if (rc < 0) {
		remote_action_free(r);
		return -1;
	}
	point_argv(r);	/* the words are all written: data moves no more */
	return 0;
}

void remote_action_confirmed(const struct remote_action *dry, struct remote_action *run)
{
	*run = *dry;
	memset(&run->words, 0, sizeof(run->words));
	int last = 0;
	while (dry->argv[last + 1])
		last++;
	buf_append(&run->words, dry->words.data, (size_t)(dry->argv[last] - dry->words.data));
	add_word(&run->words, "--yes");
	run->dry_run = 0;
	point_argv(run);
}

void remote_action_describe(const struct remote_action *r, struct buf *out)
{
	spawn_describe(r->argv, out);
}

void remote_action_free(struct remote_action *r)
{
	buf_free(&r->words);
	r->argv[0] = NULL;
}

int remote_queue_build(struct remote_action *r, const struct source_spec *s, struct error *err)
{
	memset(r, 0, sizeof(*r));
	if (!source_spec_is_ssh(s)) {
		error_set(err, "%s is not read over ssh: spamtop cannot read its queue", s->host[0] ? s->host : s->path);
		return -1;
	}
	r->dry_run = 1;	/* it changes nothing: not journaled, and it may be stopped */
	snprintf(r->host, sizeof(r->host), "%s", s->host);
	snprintf(r->what, sizeof(r->what), "its queue");
	start_words(r, s, "queue");
	add_word(&r->words, "--summary");
	point_argv(r);
	return 0;
}

int remote_queue_parse(const char *text, struct remote_queue_counts *out)
{
	memset(out, 0, sizeof(*out));
	int seen = 0;
	for (const char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		char *end;
		if (strncmp(line, "Queue (", 7) == 0) {
			const char *colon = strstr(line, "): ");
			const char *nl = strchr(line, '\n');
			if (colon == NULL || (nl && colon > nl))
				continue;
			out->total = strtoul(colon + 3, &end, 10);
			seen = end > colon + 3 && strncmp(end, " message", 8) == 0;
			continue;
		}
		if (!seen || strncmp(line, "  ", 2) != 0)
			continue;
		size_t n = strcspn(line + 2, " \n");
		enum queue_name q = queue_name_parse(line + 2, n);
		const char *num = line + 2 + n + strspn(line + 2 + n, " ");
		unsigned long v = strtoul(num, &end, 10);
		if (q != QN_OTHER && end > num && (*end == '\n' || *end == 0))
			out->by_queue[q] = v;
	}
	return seen ? 0 : -1;
}

/* plan_count - "Delete 6 messages: ..." at the start of a line: 6 */
static long plan_count(const char *verb, const char *text)
{
	size_t vl = strlen(verb);
	for (const char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		if (strncmp(line, verb, vl) != 0 || line[vl] != ' ')
			continue;
		char *end;
		long n = strtol(line + vl + 1, &end, 10);
		if (end > line + vl + 1 && strncmp(end, " message", 8) == 0)
			return n;
	}
	return -1;
}

void remote_answer_parse(enum queue_action action, struct remote_answer *a)
{
	const char *text = buf_str(&a->text);
	a->messages = plan_count(action_verb(action), text);
	a->dry_run_done = strstr(text, "\nDry run: nothing was changed.\n") != NULL;
}

int remote_action_run(const struct remote_action *r, const char *journal_path, const atomic_int *stop,
		      struct remote_answer *a, struct error *err)
{
	memset(a, 0, sizeof(*a));
	a->status = -1;
	if (r->dry_run) {
		struct spawn_result res;
		if (spawn_run_stoppable(r->argv, REMOTE_ACTION_TIMEOUT_MS, stop, &res, err) < 0)
			return -1;
		if (res.stopped) {
			spawn_result_free(&res);
			error_set(err, "left before %s answered", r->host);
			return -1;
		}
		a->status = res.exited ? res.status : 128 + res.status;
		buf_append(&a->text, res.out.data ? res.out.data : "", res.out.len);
		buf_append(&a->text, res.err.data ? res.err.data : "", res.err.len);
		spawn_result_free(&res);
	} else {
		json_t *extra = json_object();
		json_object_set_new(extra, "remote_host", json_string(r->host));
		json_object_set_new(extra, "where", json_string("remote"));
		struct run_request req = {r->argv, action_name(r->action), r->what, extra, REMOTE_ACTION_TIMEOUT_MS, 1};
		a->status = run_journaled(&req, journal_path, &a->text, err);
		json_decref(extra);
		if (a->status < 0)
			return -1;
	}
	remote_answer_parse(r->action, a);
	return 0;
}

void remote_answer_free(struct remote_answer *a)
{
	buf_free(&a->text);
}
