/*
 * inputs - the logs the console reads, and the host each belongs to: plain
 * files followed (tail -F), .gz files read once, standard input, ssh
 * sources and journald read as streams that never block; each read in
 * slices of time, so that a huge history or a burst never freezes the
 * screen, and cold aggregates collected between slices.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "console_state.h"
#include "core/model/ingest.h"

#define READ_SLICE_MS 40	/* log reading per loop turn, at most */
#define BEHIND_SLICE_MS 200	/* a live burst: longer slices, fewer rebuilds, keys still answered */
#define SSH_RETRY_MS 5000	/* an ended ssh source is started again after this */
#define STEP_BYTES (16u << 10)	/* several logs' history is read in steps of this, the one behind first */

/* is_plain_file - followed; a .gz (by content) or anything else is read once */
static int is_plain_file(const char *path)
{
	struct stat st;
	if (strcmp(path, "-") == 0 || stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	unsigned char magic[2] = {0, 0};
	FILE *f = fopen(path, "rbe");
	if (f == NULL)
		return 0;
	size_t n = fread(magic, 1, 2, f);
	fclose(f);
	return !(n == 2 && magic[0] == 0x1f && magic[1] == 0x8b);	/* gzip */
}

size_t console_log_files(const struct console *c, int host, const char *paths[CONSOLE_MAX_INPUTS])
{
	size_t n = 0;
	for (size_t i = 0; i < c->ninputs; i++)
		if (c->inputs[i].pipe == NULL && c->inputs[i].host == host && strcmp(c->inputs[i].path, "-") != 0)
			paths[n++] = c->inputs[i].path;
	return n;
}

/* input_host - the model's host for a source: named ones by name, the first name is host 0 */
static int input_host(struct console *c, const struct source_spec *s, struct error *err)
{
	if (s->host[0] == 0)
		return 0;
	int h = model_add_host(c->model, s->host);
	if (h < 0)
		error_set(err, "%s: at most %d hosts", s->host, MODEL_MAX_HOSTS);
	return h;
}

static int open_source(struct console *c, struct console_input *in, const struct source_spec *s, struct error *err)
{
	in->path = s->path;
	in->host = input_host(c, s, err);
	if (in->host < 0)
		return -1;
	if (source_spec_is_ssh(s)) {
		in->remote = 1;
		in->spec = s;
		in->pipe = source_spec_ssh_start(s, c->opt->from_end, &in->ssh_path, err);
		return in->pipe ? 0 : -1;
	}
	if (strcmp(in->path, "-") == 0) {	/* a stream that may go on: never waited for */
		in->pipe = pipe_source_from_fd(STDIN_FILENO, "standard input", 0, err);
		return in->pipe ? 0 : -1;
	}
	if (is_plain_file(in->path)) {
		in->follow = follow_open(in->path, !c->opt->from_end, 0, err);
		if (in->follow)
			c->history_total += follow_backlog(in->follow);
		time_context_init(&in->tc, (time_t)model_reference(c->model));
		in->read_to = c->opt->from_end ? 0 : ingest_first_line_time(in->path, &in->tc);
	} else {
		in->once = source_open(in->path, 0, err);
	}
	return in->follow || in->once ? 0 : -1;
}

int console_open_inputs(struct console *c)
{
	if (c->opt->journald) {
		struct console_input *in = &c->inputs[c->ninputs++];
		struct error err;
		in->path = "journald";
		in->journal = 1;
		in->journal_history = !c->opt->from_end;	/* the history first, then what comes after it */
		in->pipe = in->journal_history ? ingest_journal_history(&err) : ingest_journal_new_entries(&err);
		if (in->pipe == NULL) {
			fprintf(stderr, "spamtop: %s\n", err.msg);
			return -1;
		}
	}
	for (size_t i = 0; i < c->opt->nsources && c->ninputs < CONSOLE_MAX_INPUTS; i++) {
		struct console_input *in = &c->inputs[c->ninputs++];
		struct error err;
		buf_init(&in->ssh_path);
		if (open_source(c, in, &c->opt->sources[i], &err) < 0) {
			fprintf(stderr, "spamtop: %s\n", err.msg);
			return -1;
		}
	}
	return 0;
}

static void add_line(const char *line, size_t len, void *arg)
{
	struct console *c = arg;
	model_add_line(c->model, line, len);
	c->lines_read++;
	c->rate_lines++;
}

/* an input's lines, and (a followed file) how far in log time they have got */
struct step_read {
	struct console *c;
	struct console_input *in;
};

/* journal_line - a line of the journal: journalctl's own ("-- cursor: ...", "-- No entries --") kept out */
static void journal_line(const char *line, size_t len, void *arg)
{
	struct step_read *r = arg;
	if (!ingest_journal_own_line(line, len, r->in->cursor, sizeof(r->in->cursor)))
		add_line(line, len, r->c);
}

/* journal_history_read - the history's end: the entries after its last one
 * followed from now on; a history that failed stays ended, its error said */
static void journal_history_read(struct console_input *in)
{
	if (!in->journal_history || !pipe_source_ended(in->pipe))
		return;
	in->journal_history = 0;
	if (pipe_source_exit_status(in->pipe) != 0)
		return;
	struct error err;
	struct pipe_source *p = ingest_journal_follow_after(in->cursor, &err);
	if (p == NULL) {
		snprintf(in->error, sizeof(in->error), "%s", err.msg);
		return;
	}
	pipe_source_close(in->pipe);
	in->pipe = p;
	in->error[0] = 0;
}


static void add_timed_line(const char *line, size_t len, void *arg)
{
	struct step_read *r = arg;
	int64_t t;
	if (logline_parse_time(&r->in->tc, line, len, &t))
		r->in->read_to = t;
	add_line(line, len, r->c);
}

/* furthest_behind - of the followed files with lines left, the one whose
 * reading has got least far in log time; NULL unless two have lines left */
static struct console_input *furthest_behind(struct console *c)
{
	struct console_input *best = NULL;
	int with_lines = 0;
	for (size_t i = 0; i < c->ninputs; i++) {
		struct console_input *in = &c->inputs[i];
		if (in->follow == NULL || follow_backlog(in->follow) == 0)
			continue;
		with_lines++;
		if (best == NULL || in->read_to < best->read_to)
			best = in;
	}
	return with_lines >= 2 ? best : NULL;
}

/*
 * read_in_step - while several followed files have lines to read (the
 * history of the mail log and of Dovecot's own file), a step of the one
 * behind in log time: Dovecot's failed logins and the account's SMTP AUTH
 * login after them are applied about in the order they happened
 */
static void read_in_step(struct console *c, long long deadline)
{
	struct console_input *in;
	while (console_now_ms() < deadline && (in = furthest_behind(c)) != NULL) {
		struct error err;
		struct step_read r = {c, in};
		model_set_host(c->model, in->host);
		if (follow_poll(in->follow, STEP_BYTES, add_timed_line, &r, &err) <= 0) {
			if (follow_backlog(in->follow))	/* said below, where the file is read alone */
				break;
		}
	}
}

/* reconnect - an ssh session that ended is started again every SSH_RETRY_MS, new lines only
 * (what was written while it was down is not read: the alert line said it ended) */
static void reconnect(struct console_input *in)
{
	long long t = console_now_ms();
	if (in->spec == NULL || !pipe_source_ended(in->pipe))
		return;
	if (in->reconnect_ms == 0) {
		in->reconnect_ms = t + SSH_RETRY_MS;
		return;
	}
	if (t < in->reconnect_ms)
		return;
	struct error err;
	struct pipe_source *p = source_spec_ssh_start(in->spec, 1, &in->ssh_path, &err);
	in->reconnect_ms = 0;
	if (p == NULL) {
		snprintf(in->error, sizeof(in->error), "%s", err.msg);
		return;
	}
	pipe_source_close(in->pipe);
	in->pipe = p;
	snprintf(in->error, sizeof(in->error), "%s: ssh connected again; lines written while it was down are not read",
		 in->spec->host);
}

/* collect_model - past the key limit, drop the coldest aggregates; every pointer into the
 * model goes stale, so the suspects are forgotten and the queue joined again at once,
 * and the tables are rebuilt before they are next used (reading asks for a rebuild) */
static void collect_model(struct console *c)
{
	if (!model_wants_collect(c->model))
		return;
	model_collect(c->model);
	c->nsuspects = 0;
	if (c->queue)
		queue_join(c->queue, c->model);
}

int console_read_inputs(struct console *c)
{
	long long deadline = console_now_ms() + (c->behind ? BEHIND_SLICE_MS : READ_SLICE_MS);
	uint64_t before = c->lines_read, backlog = 0;
	int files_pending = 0, journal_pending = 0;
	read_in_step(c, deadline);
	for (size_t i = 0; i < c->ninputs; i++) {
		struct console_input *in = &c->inputs[i];
		struct error err;
		model_set_host(c->model, in->host);
		while (in->once && !in->done && console_now_ms() < deadline) {
			const char *line;
			size_t len;
			for (int n = 0; n < 4096; n++) {
				int rc = source_next(in->once, &line, &len, &err);
				if (rc <= 0) {
					in->done = 1;
					if (rc < 0)
						snprintf(in->error, sizeof(in->error), "%s", err.msg);
					break;
				}
				add_line(line, len, c);
			}
		}
		if (in->once && !in->done)
			files_pending = 1;	/* a .gz of the history */
		if (in->pipe)
			reconnect(in);
		struct step_read jr = {c, in};
		while (in->pipe && !pipe_source_ended(in->pipe) && console_now_ms() < deadline) {
			long n = in->journal ? pipe_source_poll(in->pipe, 4u << 20, journal_line, &jr, &err)
					     : pipe_source_poll(in->pipe, 4u << 20, add_line, c, &err);
			if (n < 0 && !(in->journal_history && pipe_source_exit_status(in->pipe) == 0))
				snprintf(in->error, sizeof(in->error), "%s", err.msg);
			if (n <= 0)
				break;
		}
		if (in->journal_history)
			journal_pending |= !pipe_source_ended(in->pipe);
		journal_history_read(in);
		if (in->pipe && pipe_source_ended(in->pipe) && in->error[0] == 0)	/* its last poll read lines too */
			snprintf(in->error, sizeof(in->error), "%s", pipe_source_end_message(in->pipe));
		while (in->follow && console_now_ms() < deadline) {
			long n = follow_poll(in->follow, 4u << 20, add_line, c, &err);
			if (n < 0) {
				snprintf(in->error, sizeof(in->error), "%s", err.msg);
				break;
			}
			in->error[0] = 0;
			if (follow_backlog(in->follow) == 0)
				break;
		}
		if (in->follow)
			backlog += follow_backlog(in->follow);
	}
	collect_model(c);
	c->reading_history = !c->history_done && (backlog > 0 || files_pending || journal_pending);
	if (backlog == 0 && !files_pending && !journal_pending)
		c->history_done = 1;
	c->behind = c->history_done && backlog > 0;
	c->backlog_bytes = backlog;
	uint64_t done = 0;
	for (size_t i = 0; i < c->ninputs; i++)
		if (c->inputs[i].follow)
			done += follow_stats(c->inputs[i].follow).bytes;
	c->history_bytes = done;
	if (c->history_total < done)
		c->history_total = done;
	return c->lines_read != before;
}

void console_update_rate(struct console *c)
{
	long long t = console_now_ms();
	if (t - c->rate_since_ms >= 1000) {
		c->lines_per_sec = (double)c->rate_lines * 1000.0 / (double)(t - c->rate_since_ms);
		c->rate_lines = 0;
		c->rate_since_ms = t;
	}
}

void console_close_inputs(struct console *c)
{
	for (size_t i = 0; i < c->ninputs; i++) {
		follow_close(c->inputs[i].follow);
		source_close(c->inputs[i].once);
		pipe_source_close(c->inputs[i].pipe);
		buf_free(&c->inputs[i].ssh_path);
	}
}
