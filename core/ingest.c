/*
 * ingest - the read loop: source lines into the model (see ingest.h).
 *
 * This is the hot loop of a history read: no allocation per line here,
 * the source hands out views and the model parses them in place.
 */
#include "ingest.h"

#include <string.h>
#include <unistd.h>

#include "spawn.h"

int ingest_file(struct model *m, const char *path, struct source_stats *stats, struct error *err)
{
	struct line_source *src = source_open(path, 0, err);
	if (src == NULL)
		return -1;
	const char *line;
	size_t len;
	int rc;
	while ((rc = source_next(src, &line, &len, err)) > 0) {
		model_add_line(m, line, len);
		if (model_wants_collect(m))	/* nothing outside holds the model's pointers here */
			model_collect(m);
	}
	const struct source_stats *st = source_stats(src);
	stats->lines += st->lines;
	stats->bytes += st->bytes;
	stats->long_lines += st->long_lines;
	stats->partial_last += st->partial_last;
	stats->truncated_gz += st->truncated_gz;
	source_close(src);
	return rc < 0 ? -1 : 0;
}

const char *ingest_default_log(void)
{
	static char path[512];
	char *argv[] = {"postconf", "-h", "maillog_file", NULL};
	struct spawn_result res;
	struct error err;
	if (spawn_run(argv, NULL, 0, 5000, &res, &err) == 0) {
		size_t n = res.out.len;
		while (n && (res.out.data[n - 1] == '\n' || res.out.data[n - 1] == ' '))
			n--;
		int ok = res.exited && res.status == 0 && n > 0 && n < sizeof(path) && res.out.data[0] == '/';
		if (ok) {
			memcpy(path, res.out.data, n);
			path[n] = 0;
		}
		spawn_result_free(&res);
		if (ok)
			return path;
	}
	if (access("/var/log/mail.log", R_OK) == 0)
		return "/var/log/mail.log";
	return "/var/log/maillog";
}
