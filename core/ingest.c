/*
 * ingest - the read loop: source lines into the model (see ingest.h).
 *
 * This is the hot loop of a history read: no allocation per line here,
 * the source hands out views and the model parses them in place.
 */
#include "ingest.h"

int ingest_file(struct model *m, const char *path, struct source_stats *stats, struct error *err)
{
	struct line_source *src = source_open(path, 0, err);
	if (src == NULL)
		return -1;
	const char *line;
	size_t len;
	int rc;
	while ((rc = source_next(src, &line, &len, err)) > 0)
		model_add_line(m, line, len);
	const struct source_stats *st = source_stats(src);
	stats->lines += st->lines;
	stats->bytes += st->bytes;
	stats->long_lines += st->long_lines;
	stats->partial_last += st->partial_last;
	stats->truncated_gz += st->truncated_gz;
	source_close(src);
	return rc < 0 ? -1 : 0;
}
