/*
 * follow - read a growing log file as lines, tail -F style.
 *
 * A follower reads only the bytes written since its last call, never
 * re-reading or skipping a line: a rename rotation (the path now names a new
 * inode) is noticed, the old file is drained to its end and the new one is
 * read from its start; a copytruncate rotation (the file got shorter) is
 * read again from the start; a file that disappears is waited for and read
 * from its start when it comes back. Each call reads at most a byte budget,
 * so a caller with a screen to keep alive can read a huge history in slices.
 * No allocation per line; lines are views into the follower's buffer, valid
 * during the callback only. An over-long line is cut and counted.
 */
#ifndef SPAMTOP_FOLLOW_H
#define SPAMTOP_FOLLOW_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/error.h"

struct follow_stats {
	uint64_t lines, bytes;
	uint64_t long_lines;	/* cut at max_line */
	uint64_t rotations;	/* the path named a new file */
	uint64_t truncations;	/* the file got shorter (copytruncate) */
	uint64_t partial_lines;	/* a line without newline handed out at a rotation */
};

struct log_follow;

typedef void follow_line_fn(const char *line, size_t len, void *arg);	/* as line_fn */

/* from_start: read what the file holds already; else only what is appended. */
struct log_follow *follow_open(const char *path, int from_start, size_t max_line, struct error *err);
/*
 * Reads up to max_bytes of new input, calling fn on each complete line.
 * Returns the number of lines, or -1 with err when the file cannot be read
 * now (missing, unreadable); following resumes on a later call.
 */
long follow_poll(struct log_follow *f, size_t max_bytes, follow_line_fn *fn, void *arg,
		 struct error *err);
/* Bytes in the file not read yet (the backlog), and the file's size. */
uint64_t follow_backlog(const struct log_follow *f);
uint64_t follow_size(const struct log_follow *f);
struct follow_stats follow_stats(const struct log_follow *f);
const char *follow_path(const struct log_follow *f);
void follow_close(struct log_follow *f);

#endif
