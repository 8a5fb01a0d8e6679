/*
 * parse_ahead - a history read on two cores: two parser threads take turns
 * at a source, each copying a block of lines out of it and splitting them
 * into their syslog fields and Postfix events (logline_parse, event_parse:
 * no model state) while the other reads, and the calling thread applies the
 * parsed blocks to the model in the order they were read.
 *
 * The lines are copied into the block, so that the views of a parsed line
 * stay valid until the caller is done with its block; a few blocks are in
 * flight, so memory stays bounded whatever the size of the log.
 */
#ifndef SPAMTOP_PARSE_AHEAD_H
#define SPAMTOP_PARSE_AHEAD_H

#include <time.h>

#include "core/base/error.h"
#include "core/logs/event.h"
#include "core/logs/logline.h"
#include "core/logs/source.h"

struct parsed_line {
	const char *line;
	size_t len;
	enum line_status st;
	struct log_line ll;	/* st != LINE_MALFORMED */
	struct pf_event ev;	/* st == LINE_POSTFIX */
};

typedef void parsed_fn(const struct parsed_line *p, void *arg);

/*
 * Reads src to its end, calling fn for every line in order on the calling
 * thread (year-less stamps dated by reference, as the model does). 0 at the
 * end of the source; -1 with err when it could not be read to its end (the
 * lines before were applied) or no thread could be started (then nothing was).
 */
int parse_ahead_run(struct line_source *src, time_t reference, parsed_fn *fn, void *arg, struct error *err);

#endif
