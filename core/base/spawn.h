/*
 * spawn - run a program with an argv, never a shell.
 *
 * posix_spawn (the argv exec'd, without a fork that copies the whole
 * process); standard input is fed from a byte string (queue IDs for
 * postsuper), standard output and error are captured, a deadline bounds
 * the run (a hung postqueue is killed, not waited for forever). Programs
 * are looked up in PATH and then in /usr/sbin and /usr/bin, where Postfix
 * installs them, so that root cron jobs with a short PATH still work.
 */
#ifndef SPAMTOP_SPAWN_H
#define SPAMTOP_SPAWN_H

#include <stdatomic.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/base/buf.h"
#include "core/base/error.h"

struct spawn_result {
	int exited;		/* 1 if it exited normally */
	int status;		/* exit status, or the signal number */
	int timed_out;
	int stopped;		/* killed because its stop flag was set (spawn_run_stoppable) */
	struct buf out, err;
};

/*
 * Runs argv[0] with argv. stdin_data may be NULL (standard input is then
 * /dev/null). timeout_ms 0 means no deadline. Returns 0 when the program
 * ran (whatever its exit status), -1 with err when it could not be run.
 */
int spawn_run(char *const argv[], const char *stdin_data, size_t stdin_len, int timeout_ms,
	      struct spawn_result *res, struct error *err);
void spawn_result_free(struct spawn_result *res);

/* spawn_run with no input, killed (res->stopped) within SPAWN_STOP_POLL_MS of
 * *stop becoming non-zero: a wait the admin may leave. */
#define SPAWN_STOP_POLL_MS 100
int spawn_run_stoppable(char *const argv[], int timeout_ms, const atomic_int *stop, struct spawn_result *res,
			struct error *err);

/* Runs argv and calls fn on each line of its standard output as it comes,
 * without holding the whole output. Same return convention. */
int spawn_lines(char *const argv[], int timeout_ms,
		int (*fn)(const char *line, size_t len, void *arg), void *arg,
		struct spawn_result *res, struct error *err);

/*
 * Starts argv and does not wait for it (a double fork: it is nobody's
 * child to reap); standard input and output are /dev/null. For alert
 * commands, which must never hold up the console. -1 with err if it could
 * not be started: the fork failed, or the program cannot be executed (the
 * exec's own error comes back through a close-on-exec pipe; nothing waits
 * for the program itself).
 */
int spawn_detached(char *const argv[], struct error *err);

/*
 * Starts argv (found on PATH, then in /usr/sbin, /usr/bin, /sbin, /bin) with
 * in_fd (-1: /dev/null), out_fd and err_fd as its standard streams and
 * SIGPIPE at its default, without forking this process (posix_spawn); 0 and
 * *pid, or the errno of why it could not be run.
 */
int spawn_child(char *const argv[], int in_fd, int out_fd, int err_fd, pid_t *pid);

/*
 * How a started program ended (wstatus, as waitpid gave it), as a message:
 * "NAME ended with status N: TEXT" or "NAME was ended by signal N: TEXT",
 * TEXT the first of its error output (len bytes, up to 300) on one line:
 * control characters made spaces, trailing blanks dropped.
 */
void spawn_end_message(struct error *err, const char *name, int wstatus, const char *text, size_t len);

/*
 * An argv from an admin's command template ("doveadm kick {user}"): split on
 * blanks first, then each "{name}" in names[] replaced by values[], so that a
 * value stays one argument and no shell ever sees it. Values come from the
 * log: one that would begin an option (a leading '-' at the start of a word,
 * unless a "--" word came before), or holds a blank, a control character or
 * a wildcard, is refused. The strings go into storage. Returns argc, or -1
 * with err (empty, too long, or a refused value: nothing then is run).
 */
int spawn_argv_template(const char *template, const char *const names[], const char *const values[], size_t nvars,
			char *storage, size_t size, char *argv[], int max, struct error *err);

/* "postsuper -d -" style rendering of an argv, for showing and journaling. */
void spawn_describe(char *const argv[], struct buf *out);

#endif
