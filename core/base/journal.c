/*
 * journal - append-only JSON-lines audit trail (see journal.h).
 */
#include "core/base/journal.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "core/base/json_out.h"

/* make_parents - mkdir -p of the directory part of path */
static int make_parents(const char *path)
{
	char dir[512];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir)
		return 0;
	*slash = 0;
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(dir, 0750) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(dir, 0750) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

int journal_open(struct journal *j, const char *path, struct error *err)
{
	memset(j, 0, sizeof(*j));
	snprintf(j->path, sizeof(j->path), "%s", path);
	if (make_parents(path) < 0) {
		error_errno(err, errno, "cannot create the directory of audit journal %s", path);
		return -1;
	}
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0640);
	if (fd < 0) {
		error_errno(err, errno, "cannot open audit journal %s", path);
		return -1;
	}
	j->f = fdopen(fd, "a");
	if (j->f == NULL) {
		error_errno(err, errno, "cannot open audit journal %s", path);
		close(fd);
		return -1;
	}
	return 0;
}

const char *journal_operator(void)
{
	static char name[64];
	const char *u = getenv("SUDO_USER");
	if (u == NULL || *u == 0)
		u = getenv("USER");
	if (u == NULL || *u == 0) {
		struct passwd *pw = getpwuid(getuid());
		u = pw ? pw->pw_name : NULL;
	}
	if (u == NULL)
		snprintf(name, sizeof(name), "uid %u", (unsigned)getuid());
	else
		snprintf(name, sizeof(name), "%s", u);
	return name;
}

json_t *journal_entry(const char *phase)
{
	char stamp[40], host[256] = "";
	int64_t ms = clock_now_ms();
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&secs, &tm);
	size_t n = strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(stamp + n, sizeof(stamp) - n, ".%03dZ", (int)(ms % 1000));
	gethostname(host, sizeof(host) - 1);
	json_t *e = json_object();
	json_object_set_new(e, "time", json_string(stamp));
	json_object_set_new(e, "phase", json_string(phase));
	json_object_set_new(e, "operator", json_string(journal_operator()));
	json_object_set_new(e, "host", json_string(host));
	json_object_set_new(e, "pid", json_integer((json_int_t)getpid()));
	return e;
}

int journal_append(struct journal *j, json_t *entry, struct error *err)
{
	char *line = json_out_string(entry, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER);
	json_decref(entry);
	if (line == NULL) {
		error_set(err, "cannot write audit journal %s: out of memory", j->path);
		return -1;
	}
	int rc = 0;
	if (j->f == NULL || fputs(line, j->f) == EOF || fputc('\n', j->f) == EOF || fflush(j->f) == EOF
	    || fsync(fileno(j->f)) < 0) {
		error_errno(err, errno, "cannot write audit journal %s", j->path);
		rc = -1;
	}
	free(line);
	return rc;
}

void journal_close(struct journal *j)
{
	if (j->f)
		fclose(j->f);
	j->f = NULL;
}

const char *journal_default_path(void)
{
	const char *env = getenv("SPAMTOP_JOURNAL");
	return env && *env ? env : JOURNAL_DEFAULT_PATH;
}

json_t *journal_argv(char *const argv[])
{
	json_t *a = json_array();
	for (int i = 0; argv[i]; i++)
		json_array_append_new(a, json_string(argv[i]));
	return a;
}
