/*
 * pipe_source - follow the output of a program as log lines.
 *
 * For `journalctl -f -o short-iso`: the program is started with an argv
 * (fork/execvp, never a shell), its standard output is read without
 * blocking, as much as is there on each call, and cut into lines
 * (core/logs/linesplit). When it ends, what it wrote last is still handed out and
 * its exit status, with the first of its error output, becomes the error.
 */
#ifndef SPAMTOP_PIPE_SOURCE_H
#define SPAMTOP_PIPE_SOURCE_H

#include <stddef.h>

#include "core/base/error.h"
#include "core/logs/linesplit.h"

struct pipe_source;

struct pipe_source *pipe_source_start(char *const argv[], size_t max_line, struct error *err);
/*
 * Reads what is there (up to max_bytes), calling fn on each line. Returns
 * the number of lines; -1 with err once the program has ended (the lines it
 * wrote before are handed out first).
 */
/* An open stream (standard input) read the same way; its end is not an error (empty err). */
struct pipe_source *pipe_source_from_fd(int fd, const char *name, size_t max_line, struct error *err);
long pipe_source_poll(struct pipe_source *p, size_t max_bytes, line_fn *fn, void *arg, struct error *err);
int pipe_source_ended(const struct pipe_source *p);
/* Once ended: the program's exit status; -1 if a signal ended it, or while it runs. */
int pipe_source_exit_status(const struct pipe_source *p);
/* Once ended, why, as the poll that saw the end said it ("" before, or for a stream). */
const char *pipe_source_end_message(const struct pipe_source *p);
/* The descriptor its lines come on (-1 once ended), to wait for them with poll(). */
int pipe_source_fd(const struct pipe_source *p);
/* Stops the program (SIGTERM) if it still runs, and frees. */
void pipe_source_close(struct pipe_source *p);

#endif
