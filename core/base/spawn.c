/*
 * spawn - posix_spawn (no shell: an argv) with pipes, poll and a deadline (see spawn.h).
 */
#define _GNU_SOURCE		/* pipe2 */
#include "core/base/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *const fallback_dirs[] = {"/usr/sbin", "/usr/bin", "/sbin", "/bin", NULL};

/* in_dir - dir/name, when it is a file this process may execute */
static int in_dir(const char *dir, size_t dlen, const char *name, char *out, size_t size)
{
	int n = snprintf(out, size, "%.*s/%s", (int)dlen, dir, name);
	struct stat st;
	return n > 0 && (size_t)n < size && stat(out, &st) == 0 && S_ISREG(st.st_mode) && access(out, X_OK) == 0;
}

/* program_path - where name is run from: itself when it holds a '/', else the
 * first of PATH's directories, then of where Postfix lives, that has it
 * (postsuper and postcat are in /usr/sbin, often not on a user's PATH);
 * 0, or ENOENT. Found in the parent, so that a child only execs. */
static int program_path(const char *name, char *out, size_t size)
{
	if (strchr(name, '/'))
		return snprintf(out, size, "%s", name) < (int)size ? 0 : ENAMETOOLONG;
	const char *path = getenv("PATH");
	for (const char *p = path ? path : ""; *p;) {
		const char *colon = strchr(p, ':');
		size_t len = colon ? (size_t)(colon - p) : strlen(p);
		if (len && in_dir(p, len, name, out, size))
			return 0;
		p += len + (colon != NULL);
	}
	for (const char *const *d = fallback_dirs; *d; d++)
		if (in_dir(*d, strlen(*d), name, out, size))
			return 0;
	return ENOENT;
}

void spawn_end_message(struct error *err, const char *name, int wstatus, const char *text, size_t len)
{
	char line[300];
	size_t n = len < sizeof(line) - 1 ? len : sizeof(line) - 1;
	for (size_t i = 0; i < n; i++)
		line[i] = (unsigned char)text[i] < 0x20 || text[i] == 0x7f ? ' ' : text[i];
	while (n > 0 && line[n - 1] == ' ')
		n--;
	line[n] = 0;
	const char *sep = n ? ": " : "";
	if (WIFEXITED(wstatus))
		error_set(err, "%s ended with status %d%s%s", name, WEXITSTATUS(wstatus), sep, line);
	else
		error_set(err, "%s was ended by signal %d%s%s", name, WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0, sep,
			  line);
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct line_feed {
	int (*fn)(const char *, size_t, void *);
	void *arg;
	struct buf pending;
	int stopped;
};

/* feed_lines - hand complete lines of new output to the callback */
static void feed_lines(struct line_feed *lf, const char *data, size_t n)
{
	buf_append(&lf->pending, data, n);
	size_t start = 0;
	for (size_t i = 0; i < lf->pending.len && !lf->stopped; i++) {
		if (lf->pending.data[i] != '\n')
			continue;
		if (lf->fn(lf->pending.data + start, i - start, lf->arg))
			lf->stopped = 1;
		start = i + 1;
	}
	if (lf->stopped)
		start = lf->pending.len;
	memmove(lf->pending.data, lf->pending.data + start, lf->pending.len - start);
	lf->pending.len -= start;
	if (lf->pending.data)
		lf->pending.data[lf->pending.len] = 0;
}

static int run_piped(char *const argv[], const char *in, size_t in_len, int timeout_ms, const atomic_int *stop,
		     struct line_feed *lf, struct spawn_result *res, struct error *err);

static int run(char *const argv[], const char *in, size_t in_len, int timeout_ms, const atomic_int *stop,
	       struct line_feed *lf, struct spawn_result *res, struct error *err)
{
	memset(res, 0, sizeof(*res));
	/* a child that stops reading its input must not kill us with SIGPIPE */
	struct sigaction ignore = {.sa_handler = SIG_IGN}, old_pipe;
	sigaction(SIGPIPE, &ignore, &old_pipe);
	int rc = run_piped(argv, in, in_len, timeout_ms, stop, lf, res, err);
	sigaction(SIGPIPE, &old_pipe, NULL);
	return rc;
}

/*
 * spawn_child (see spawn.h): posix_spawn, not fork: a fork copies the page
 * tables of the whole process, which a big model and queue make slow (at
 * 100 000 queued messages, the postcat batches spent more time forking than
 * reading).
 */
int spawn_child(char *const argv[], int in_fd, int out_fd, int err_fd, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t dfl;
	char path[1024];
	int rc = program_path(argv[0], path, sizeof(path));
	if (rc)
		return rc;
	if ((rc = posix_spawn_file_actions_init(&fa)) != 0)
		return rc;
	if ((rc = posix_spawnattr_init(&at)) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return rc;
	}
	rc = in_fd < 0 ? posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0)
	    : posix_spawn_file_actions_adddup2(&fa, in_fd, 0);
	if (!rc)
		rc = posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
	if (!rc)
		rc = posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	if (!rc)
		rc = posix_spawnattr_setsigdefault(&at, &dfl);
	if (!rc)
		rc = posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGDEF);
	if (!rc)
		rc = posix_spawn(pid, path, &fa, &at, argv, environ);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	return rc;
}

static int run_piped(char *const argv[], const char *in, size_t in_len, int timeout_ms, const atomic_int *stop,
		     struct line_feed *lf, struct spawn_result *res, struct error *err)
{
	int pin[2] = {-1, -1}, pout[2] = {-1, -1}, perr[2] = {-1, -1};
	if ((in != NULL && pipe2(pin, O_CLOEXEC) < 0) || pipe2(pout, O_CLOEXEC) < 0 || pipe2(perr, O_CLOEXEC) < 0) {
		error_errno(err, errno, "cannot run %s: pipe", argv[0]);
		goto fail_pipes;
	}
	pid_t pid;
	int exec_errno = spawn_child(argv, in ? pin[0] : -1, pout[1], perr[1], &pid);
	if (exec_errno) {
		error_errno(err, exec_errno, "cannot run %s", argv[0]);
		goto fail_pipes;
	}
	close(pout[1]);
	close(perr[1]);
	pout[1] = perr[1] = -1;
	if (pin[0] >= 0) {
		close(pin[0]);
		pin[0] = -1;
	}
	if (pin[1] >= 0 && in_len == 0) {
		close(pin[1]);
		pin[1] = -1;
	} else if (pin[1] >= 0) {
		fcntl(pin[1], F_SETFL, O_NONBLOCK);
	}
	size_t in_off = 0;
	long long deadline = timeout_ms > 0 ? now_ms() + timeout_ms : 0;
	char chunk[65536];
	while (pout[0] >= 0 || perr[0] >= 0) {
		struct pollfd fds[3];
		int nfds = 0, iout = -1, ierr = -1, iin = -1;
		if (pout[0] >= 0)
			fds[iout = nfds++] = (struct pollfd){pout[0], POLLIN, 0};
		if (perr[0] >= 0)
			fds[ierr = nfds++] = (struct pollfd){perr[0], POLLIN, 0};
		if (pin[1] >= 0)
			fds[iin = nfds++] = (struct pollfd){pin[1], POLLOUT, 0};
		int wait_ms = -1;
		if (deadline) {
			long long left = deadline - now_ms();
			if (left <= 0) {
				res->timed_out = 1;
				kill(pid, SIGKILL);
				break;
			}
			wait_ms = (int)left;
		}
		if (stop) {
			if (atomic_load(stop)) {
				res->stopped = 1;
				kill(pid, SIGKILL);
				break;
			}
			if (wait_ms < 0 || wait_ms > SPAWN_STOP_POLL_MS)
				wait_ms = SPAWN_STOP_POLL_MS;
		}
		int rc = poll(fds, (nfds_t)nfds, wait_ms);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0)
			break;
		if (iin >= 0 && fds[iin].revents) {
			ssize_t w = write(pin[1], in + in_off, in_len - in_off);
			if (w > 0)
				in_off += (size_t)w;
			if (w < 0 && errno != EAGAIN) {
				close(pin[1]);	/* the child stopped reading */
				pin[1] = -1;
			} else if (in_off == in_len) {
				close(pin[1]);
				pin[1] = -1;
			}
		}
		int *fdp[2] = {&pout[0], &perr[0]};
		int idx[2] = {iout, ierr};
		for (int k = 0; k < 2; k++) {
			if (idx[k] < 0 || !fds[idx[k]].revents)
				continue;
			ssize_t r = read(*fdp[k], chunk, sizeof(chunk));
			if (r > 0) {
				if (k == 0 && lf)
					feed_lines(lf, chunk, (size_t)r);
				else
					buf_append(k == 0 ? &res->out : &res->err, chunk, (size_t)r);
			} else if (r == 0 || errno != EINTR) {
				close(*fdp[k]);
				*fdp[k] = -1;
			}
		}
	}
	for (int *fd = (int[]){pin[1], pout[0], perr[0]}, i = 0; i < 3; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	int wstatus = 0;
	while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	if (lf && lf->pending.len && !lf->stopped)
		lf->fn(lf->pending.data, lf->pending.len, lf->arg);
	if (WIFEXITED(wstatus)) {
		res->exited = 1;
		res->status = WEXITSTATUS(wstatus);
	} else if (WIFSIGNALED(wstatus)) {
		res->status = WTERMSIG(wstatus);
	}
	return 0;

fail_pipes:
	for (int *fd = (int[]){pin[0], pin[1], pout[0], pout[1], perr[0], perr[1]}, i = 0; i < 6; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	return -1;
}

int spawn_run(char *const argv[], const char *stdin_data, size_t stdin_len, int timeout_ms,
	      struct spawn_result *res, struct error *err)
{
	return run(argv, stdin_data, stdin_len, timeout_ms, NULL, NULL, res, err);
}

int spawn_run_stoppable(char *const argv[], int timeout_ms, const atomic_int *stop, struct spawn_result *res,
			struct error *err)
{
	return run(argv, NULL, 0, timeout_ms, stop, NULL, res, err);
}

int spawn_lines(char *const argv[], int timeout_ms,
		int (*fn)(const char *line, size_t len, void *arg), void *arg,
		struct spawn_result *res, struct error *err)
{
	struct line_feed lf = {fn, arg, BUF_INIT, 0};
	int rc = run(argv, NULL, 0, timeout_ms, NULL, &lf, res, err);
	buf_free(&lf.pending);
	return rc;
}

void spawn_result_free(struct spawn_result *res)
{
	buf_free(&res->out);
	buf_free(&res->err);
}

void spawn_describe(char *const argv[], struct buf *out)
{
	for (int i = 0; argv[i]; i++) {
		if (i)
			buf_putc(out, ' ');
		buf_puts(out, argv[i]);
	}
}

int spawn_detached(char *const argv[], struct error *err)
{
	int pexec[2];	/* closed by a successful exec; else the errno of the failed one */
	char path[1024];
	int found = program_path(argv[0], path, sizeof(path));
	if (found) {
		error_errno(err, found, "cannot run %s", argv[0]);
		return -1;
	}
	if (pipe2(pexec, O_CLOEXEC) < 0) {
		error_errno(err, errno, "cannot run %s: pipe", argv[0]);
		return -1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		error_errno(err, errno, "cannot run %s: fork", argv[0]);
		close(pexec[0]);
		close(pexec[1]);
		return -1;
	}
	if (pid == 0) {
		setsid();
		close(pexec[0]);
		if (fork() != 0)
			_exit(0);
		int devnull = open("/dev/null", O_RDWR);
		dup2(devnull, 0);
		dup2(devnull, 1);
		dup2(devnull, 2);
		signal(SIGPIPE, SIG_DFL);
		execv(path, argv);
		int e = errno;
		ssize_t told = write(pexec[1], &e, sizeof(e));	/* nothing more to do if it cannot */
		(void)told;
		_exit(127);
	}
	close(pexec[1]);
	int status, e = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	ssize_t n;
	while ((n = read(pexec[0], &e, sizeof(e))) < 0 && errno == EINTR)
		;
	close(pexec[0]);
	if (n == (ssize_t)sizeof(e)) {
		error_errno(err, e, "cannot run %s", argv[0]);
		return -1;
	}
	return 0;
}

/*
 * template_value_refused - why a value from the log cannot fill a word of an
 * admin's command, or NULL. At the start of a word before any "--" it must
 * not begin with '-' (it would be an option); anywhere, no blank, control
 * character or wildcard (a command such as doveadm reads '*' and '?' as
 * "every user").
 */
static const char *template_value_refused(const char *v, int word_start, int options_ended)
{
	if (word_start && !options_ended && v[0] == '-')
		return "begins with '-' (it would be read as an option; end the template's options with --)";
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if (*p <= ' ' || *p == 0x7f)
			return "holds a blank or a control character";
		if (strchr("*?[]{}~", *p))
			return "holds a wildcard character (* ? [ ] { } ~)";
	}
	return NULL;
}

int spawn_argv_template(const char *template, const char *const names[], const char *const values[], size_t nvars,
			char *storage, size_t size, char *argv[], int max, struct error *err)
{
	size_t used = 0;
	int n = 0, options_ended = 0;
	const char *p = template ? template : "";
	error_set(err, "the command is empty");
	while (*p && n < max - 1) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == 0)
			break;
		struct buf w = BUF_INIT;
		const char *why = NULL;
		while (*p && *p != ' ' && *p != '\t' && why == NULL) {
			size_t k = 0;
			while (k < nvars && strncmp(p, names[k], strlen(names[k])) != 0)
				k++;
			if (k < nvars) {
				if ((why = template_value_refused(values[k], w.len == 0, options_ended)))
					error_set(err, "refusing to fill %s with the text from the log: it %s", names[k], why);
				buf_puts(&w, values[k]);
				p += strlen(names[k]);
			} else {
				buf_putc(&w, *p++);
			}
		}
		if (why == NULL && (used + w.len + 1 > size || w.failed))
			error_set(err, "the command is too long");
		if (why || used + w.len + 1 > size || w.failed) {
			buf_free(&w);
			n = 0;
			break;
		}
		options_ended |= strcmp(buf_str(&w), "--") == 0;
		argv[n++] = memcpy(storage + used, buf_str(&w), w.len + 1);
		used += w.len + 1;
		buf_free(&w);
	}
	argv[n] = NULL;
	return n ? n : -1;
}
