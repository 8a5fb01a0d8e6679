/*
 * pipe_source - a child's stdout, non-blocking, as lines (see pipe_source.h).
 */
#define _GNU_SOURCE		/* pipe2 */
#include "core/logs/pipe_source.h"

#include "core/base/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct pipe_source {
	pid_t pid;
	int out, err;		/* read ends; -1 once closed */
	int ended;
	int status;		/* its exit status once ended; -1 when killed (or a stream) */
	int exec_errno;		/* why it could not be run (then it has ended at once) */
	char name[64];
	char errtext[300];	/* the first of its error output */
	size_t errlen;
	char end[sizeof(((struct error *)0)->msg)];	/* once ended: why, as finish said it */
	struct line_splitter lines;
};

struct pipe_source *pipe_source_start(char *const argv[], size_t max_line, struct error *err)
{
	struct pipe_source *p = calloc(1, sizeof(*p));
	int out[2] = {-1, -1}, errp[2] = {-1, -1};
	if (p == NULL || linesplit_init(&p->lines, max_line) < 0) {
		error_set(err, "out of memory starting %s", argv[0]);
		free(p);
		return NULL;
	}
	snprintf(p->name, sizeof(p->name), "%s", argv[0]);
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
		error_errno(err, errno, "cannot start %s", argv[0]);
		for (int i = 0; i < 2; i++) {
			if (out[i] >= 0)
				close(out[i]);
			if (errp[i] >= 0)
				close(errp[i]);
		}
		linesplit_free(&p->lines);
		free(p);
		return NULL;
	}
	/* a program that cannot run is told as its end, as one that ends is:
	 * the caller reads on (an ssh source is started again later) */
	p->exec_errno = spawn_child(argv, -1, out[1], errp[1], &p->pid);
	if (p->exec_errno)
		p->pid = -1;
	close(out[1]);
	close(errp[1]);
	p->out = out[0];
	p->err = errp[0];
	fcntl(p->out, F_SETFL, O_NONBLOCK);
	fcntl(p->err, F_SETFL, O_NONBLOCK);
	return p;
}

struct pipe_source *pipe_source_from_fd(int fd, const char *name, size_t max_line, struct error *err)
{
	struct pipe_source *p = calloc(1, sizeof(*p));
	if (p == NULL || linesplit_init(&p->lines, max_line) < 0) {
		error_set(err, "out of memory reading %s", name);
		free(p);
		return NULL;
	}
	p->pid = -1;
	p->err = -1;
	p->out = fd;
	snprintf(p->name, sizeof(p->name), "%s", name);
	fcntl(p->out, F_SETFL, fcntl(p->out, F_GETFL) | O_NONBLOCK);
	return p;
}

/* drain_errors - keep the first of what it says on stderr, for the message */
static void drain_errors(struct pipe_source *p)
{
	char chunk[4096];
	ssize_t r;
	while (p->err >= 0 && (r = read(p->err, chunk, sizeof(chunk))) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return;
			break;
		}
		size_t room = sizeof(p->errtext) - 1 - p->errlen;
		size_t n = (size_t)r < room ? (size_t)r : room;
		memcpy(p->errtext + p->errlen, chunk, n);
		p->errlen += n;
	}
	close(p->err);
	p->err = -1;
}

/* finish - its end: waited for, and said in err and kept (pipe_source_end_message) */
static void finish(struct pipe_source *p, struct error *err)
{
	int status = 0;
	drain_errors(p);
	p->ended = 1;
	if (p->exec_errno) {	/* 127: a command not found, as a shell says */
		p->status = 127;
		error_errno(err, p->exec_errno, "cannot run %s", p->name);
	} else if (p->pid < 0) {	/* a stream, not a program: its end is no error */
		p->status = -1;
		error_set(err, "%s", "");
	} else {
		while (waitpid(p->pid, &status, 0) < 0 && errno == EINTR)
			;
		p->pid = -1;
		p->status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		spawn_end_message(err, p->name, status, p->errtext, p->errlen);
	}
	snprintf(p->end, sizeof(p->end), "%s", err->msg);
}

long pipe_source_poll(struct pipe_source *p, size_t max_bytes, line_fn *fn, void *arg, struct error *err)
{
	long lines = 0;
	size_t budget = max_bytes ? max_bytes : (size_t)-1;
	if (p->ended) {
		error_set(err, "%s has ended", p->name);
		return -1;
	}
	drain_errors(p);
	while (budget > 0) {
		size_t room;
		char *space = linesplit_space(&p->lines, &room);
		if (room > budget)
			room = budget;
		ssize_t r = read(p->out, space, room);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			return lines;
		if (r <= 0) {	/* the program closed its output: it ends */
			lines += linesplit_flush(&p->lines, fn, arg);
			close(p->out);
			p->out = -1;
			finish(p, err);
			return lines ? lines : -1;
		}
		budget -= (size_t)r;
		lines += linesplit_commit(&p->lines, (size_t)r, fn, arg);
	}
	return lines;
}

int pipe_source_ended(const struct pipe_source *p) { return p->ended; }
const char *pipe_source_end_message(const struct pipe_source *p) { return p->ended ? p->end : ""; }
int pipe_source_exit_status(const struct pipe_source *p) { return p->ended ? p->status : -1; }
int pipe_source_fd(const struct pipe_source *p) { return p->out; }

void pipe_source_close(struct pipe_source *p)
{
	if (p == NULL)
		return;
	if (p->pid > 0) {
		kill(p->pid, SIGTERM);
		while (waitpid(p->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (p->out >= 0)
		close(p->out);
	if (p->err >= 0)
		close(p->err);
	linesplit_free(&p->lines);
	free(p);
}
