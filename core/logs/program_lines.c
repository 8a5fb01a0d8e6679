/*
 * program_lines - a program's output as a line source (see program_lines.h).
 */
#define _GNU_SOURCE		/* pipe2, O_TMPFILE */
#include "core/logs/program_lines.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/base/spawn.h"

#define ERROR_TEXT 300		/* the first bytes of its error output, for the message */

struct program_lines {
	pid_t pid;
	int err_fd;		/* its error output: an unlinked file */
	struct line_source *src;
	char name[64];
};

/* error_file - an unlinked scratch file (its error output), or /dev/null */
static int error_file(void)
{
	int fd = open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	return fd >= 0 ? fd : open("/dev/null", O_WRONLY | O_CLOEXEC);
}

struct program_lines *program_lines_start(char *const argv[], struct error *err)
{
	struct program_lines *p = calloc(1, sizeof(*p));
	int out[2] = {-1, -1};
	if (p == NULL) {
		error_set(err, "out of memory starting %s", argv[0]);
		return NULL;
	}
	snprintf(p->name, sizeof(p->name), "%s", argv[0]);
	p->err_fd = error_file();
	if (p->err_fd < 0 || pipe2(out, O_CLOEXEC) < 0) {
		error_errno(err, errno, "cannot start %s", argv[0]);
		goto fail;
	}
	int rc = spawn_child(argv, -1, out[1], p->err_fd, &p->pid);
	close(out[1]);
	if (rc) {
		close(out[0]);
		error_errno(err, rc, "cannot run %s", argv[0]);
		goto fail;
	}
	if ((p->src = source_open_fd(out[0], p->name, 0, err)) == NULL) {
		while (waitpid(p->pid, NULL, 0) < 0 && errno == EINTR)	/* its output closed: it ends */
			;
		goto fail;
	}
	return p;
fail:
	if (p->err_fd >= 0)
		close(p->err_fd);
	free(p);
	return NULL;
}

struct line_source *program_lines_source(const struct program_lines *p) { return p->src; }

int program_lines_end(struct program_lines *p, struct error *err)
{
	int status = 0;
	while (waitpid(p->pid, &status, 0) < 0 && errno == EINTR)
		;
	int rc = WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
	if (rc < 0) {
		char text[ERROR_TEXT];
		ssize_t n = pread(p->err_fd, text, sizeof(text), 0);
		spawn_end_message(err, p->name, status, text, n > 0 ? (size_t)n : 0);
	}
	close(p->err_fd);
	free(p);
	return rc;
}
