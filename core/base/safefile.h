/*
 * safefile - files spamtop creates as root, written so that nobody can
 * redirect them.
 *
 * A file is written whole under a name no one can guess or plant (mkostemp
 * in the same directory: O_EXCL, close-on-exec), given its mode with
 * fchmod, flushed to disk, and renamed over the final name: a reader sees
 * the old file or the new one, never half of one, and a symlink planted at
 * the final name is replaced, not followed. The modes: metrics 0644 (an
 * exporter reads them), the cleanup state 0600, the incident report 0640.
 */
#ifndef SPAMTOP_SAFEFILE_H
#define SPAMTOP_SAFEFILE_H

#include <stdio.h>
#include <sys/types.h>

#include "core/base/buf.h"
#include "core/base/error.h"

struct safe_file {
	FILE *f;		/* write here */
	char tmp[4096];		/* the temporary name, removed on failure */
	char path[4096];	/* the final name */
	mode_t mode;
};

/* Opens a temporary file beside path; -1 with err. */
int safe_file_open(struct safe_file *sf, const char *path, mode_t mode, struct error *err);
/* Flushes, syncs, closes and renames it into place; -1 with err (the final
 * file is then untouched and the temporary one removed). */
int safe_file_commit(struct safe_file *sf, struct error *err);
/* Gives up: closes and removes the temporary file. */
void safe_file_abort(struct safe_file *sf);
/* A small file's whole text appended to out (a table); nothing when it cannot be read. */
void safe_file_read(const char *path, struct buf *out);

#endif
