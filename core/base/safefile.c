/*
 * safefile - write a file whole, then rename it into place (see safefile.h).
 */
#define _GNU_SOURCE	/* mkostemp: the descriptor is close-on-exec from its first moment */
#include "core/base/safefile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int safe_file_open(struct safe_file *sf, const char *path, mode_t mode, struct error *err)
{
	memset(sf, 0, sizeof(*sf));
	size_t len = strlen(path);
	if (len == 0 || len + 8 >= sizeof(sf->tmp) || path[len - 1] == '/') {
		error_set(err, "cannot write %s: not a file name", path);
		return -1;
	}
	memcpy(sf->path, path, len + 1);
	snprintf(sf->tmp, sizeof(sf->tmp), "%s.XXXXXX", path);	/* the same directory: rename stays atomic */
	int fd = mkostemp(sf->tmp, O_CLOEXEC);
	if (fd < 0) {
		error_errno(err, errno, "cannot create a temporary file for %s", path);
		return -1;
	}
	if (fchmod(fd, mode) < 0 || (sf->f = fdopen(fd, "w")) == NULL) {
		error_errno(err, errno, "cannot write %s", sf->tmp);
		close(fd);
		unlink(sf->tmp);
		return -1;
	}
	sf->mode = mode;
	return 0;
}

int safe_file_commit(struct safe_file *sf, struct error *err)
{
	int rc = 0, saved = 0;
	if (fflush(sf->f) != 0 || ferror(sf->f) || fsync(fileno(sf->f)) < 0) {
		rc = -1;
		saved = errno;
	}
	if (fclose(sf->f) != 0 && rc == 0) {
		rc = -1;
		saved = errno;
	}
	sf->f = NULL;
	if (rc == 0 && rename(sf->tmp, sf->path) < 0) {
		rc = -1;
		saved = errno;
	}
	if (rc < 0) {
		error_errno(err, saved ? saved : EIO, "cannot write %s", sf->path);
		unlink(sf->tmp);
	}
	return rc;
}

void safe_file_abort(struct safe_file *sf)
{
	if (sf->f)
		fclose(sf->f);
	sf->f = NULL;
	if (sf->tmp[0])
		unlink(sf->tmp);
}

void safe_file_read(const char *path, struct buf *out)
{
	FILE *f = fopen(path, "re");
	char chunk[4096];
	size_t n;
	while (f && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(out, chunk, n);
	if (f)
		fclose(f);
}
