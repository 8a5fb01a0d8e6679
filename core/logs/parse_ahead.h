/*
 * parse_ahead - a history read on two cores: a parser thread reads blocks
 * of lines from a source and splits them into their syslog fields and
 * Postfix events (logline_parse, event_parse: no model state), and the
 * calling thread applies the parsed blocks to the model in the order they
 * were read, parsing the next one itself when it would otherwise wait;
 * several logs (streams) are merged by their lines' times.
 *
 * The lines are read into the block's own buffer, so that the views of a
 * parsed line stay valid until the caller is done with its block; a few
 * blocks are in flight, so memory stays bounded whatever the size of the log.
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

/* A source to read; those of one stream (the same number, next to each
 * other in the array) are read one after the other: a log's rotations. */
struct ahead_input {
	struct line_source *src;	/* closed by parse_ahead_merge (then NULL) */
	int stream;
	struct source_stats stats;	/* what it read, once closed */
};

/*
 * Reads every input to its end, calling fn for every line on the calling
 * thread (year-less stamps dated by reference, as the model does): each
 * stream's lines in order, and the streams merged by the lines' times (the
 * earliest next line; in the same second Postfix's first, then the earlier
 * stream's; a line without a time as it comes), so that a login in one file
 * and the failures before it in another meet in time order. A source that fails is left for the next one
 * of its stream. 0 when all were read; -1 with err when one could not be
 * read to its end (the lines before were applied, and the rest read) or
 * memory ran out (then nothing was). When no parser thread can be started,
 * the calling thread reads and parses alone, slower. soon, when given, is called
 * for a line a few lines before fn (one stream only): it may prefetch what
 * the line will touch, and changes nothing.
 */
int parse_ahead_merge(struct ahead_input *in, size_t n, time_t reference, parsed_fn *fn, parsed_fn *soon,
		      void *arg, struct error *err);

/* How many parser threads a read starts, at most (tests: 0, the calling
 * thread alone, as when none can be started); negative: the default */
void parse_ahead_set_threads(int n);

#endif
