/*
 * source_spec - one log source of one host, as given on the command line:
 * `--source NAME=PATH` (a local file) or `--source NAME=ssh://[USER@]HOST[:PORT]/PATH`
 * (the file on another server, read by `ssh HOST tail -F PATH`).
 *
 * The ssh command is an argv (no local shell). The remote side does run
 * the command through the login shell, so the path is single-quoted for
 * it, and host and user may not begin with '-' (they would be options).
 */
#ifndef SPAMTOP_SOURCE_SPEC_H
#define SPAMTOP_SOURCE_SPEC_H

#include <stddef.h>

#include "core/base/buf.h"
#include "core/base/error.h"
#include "core/model/model.h"
#include "core/logs/pipe_source.h"

#define SOURCE_SPEC_ARGV 20

struct source_spec {
	char host[MODEL_HOST_NAME];	/* the name shown in the Host column; "" for a plain FILE */
	char path[1024];
	char ssh_target[256];	/* [USER@]HOST for an ssh source, "" for a local file */
	char ssh_port[6];	/* "" for ssh's default */
};

/* Parses NAME=PATH or NAME=ssh://...; -1 with err on a malformed one. */
int source_spec_parse(const char *arg, struct source_spec *s, struct error *err);
/* A plain FILE argument: no host name. */
void source_spec_file(struct source_spec *s, const char *path);
int source_spec_is_ssh(const struct source_spec *s);
/* `ssh -o BatchMode=yes -o ServerAliveInterval=15 -T [-p PORT] -- [USER@]HOST`:
 * the words before the remote command (NULL-terminated); returns how many. */
int source_spec_ssh_prefix(const struct source_spec *s, char *argv[SOURCE_SPEC_ARGV]);
/*
 * `ssh ... HOST WORDS... -- 'PATH'`: a command run there on the source's
 * file (words NULL-terminated, passed as they are: quote any that is not a
 * plain word for the remote shell); the quoted path lives in quoted, which
 * must outlive argv, as the words must. The commands below are made by it.
 */
void source_spec_ssh_file_argv(const struct source_spec *s, const char *const *words, struct buf *quoted,
			       char *argv[SOURCE_SPEC_ARGV]);
/*
 * The argv of `ssh ... HOST tail -F -n +1 -- 'PATH'` (-n 0 with from_end:
 * new lines only) into argv (SOURCE_SPEC_ARGV entries, NULL-terminated);
 * the quoted path lives in quoted, which must outlive argv.
 */
void source_spec_ssh_argv(const struct source_spec *s, int from_end, struct buf *quoted,
			  char *argv[SOURCE_SPEC_ARGV]);

/* `ssh ... HOST cat -- 'PATH'`: the file read once to its end (report, check, metrics). */
void source_spec_ssh_read_argv(const struct source_spec *s, struct buf *quoted, char *argv[SOURCE_SPEC_ARGV]);
/* `ssh ... HOST tail -c BYTES -- 'PATH'`: the file's last bytes (check's last hour);
 * bytes_text (at least 24 bytes) holds the count and must outlive argv, as quoted does. */
void source_spec_ssh_tail_argv(const struct source_spec *s, uint64_t bytes, char *bytes_text, struct buf *quoted,
			       char *argv[SOURCE_SPEC_ARGV]);
/*
 * err says that reading s over ssh failed: "HOST (ssh TARGET): " and the
 * first line of said (what ssh or the remote command wrote; sanitized: it
 * comes from elsewhere), or otherwise when said holds nothing. said may be
 * err's own message.
 */
void source_spec_ssh_failed(const struct source_spec *s, const char *said, size_t len, const char *otherwise,
			    struct error *err);
/* ssh started on the source's argv (source_spec_ssh_argv), its lines read as
 * they come; NULL with err when it cannot start. */
struct pipe_source *source_spec_ssh_start(const struct source_spec *s, int from_end, struct buf *quoted,
					  struct error *err);

#endif
