/*
 * report - the model as a report: plain text tables or JSON.
 *
 * The JSON form is a documented, stable schema ("spamtop.report/1", see
 * README) for scripts and tests; every string in it is valid UTF-8 and the
 * output is pure ASCII (non-ASCII is \u-escaped), so it is safe to print.
 * The text form shows sanitized strings only (see sanitize.h).
 */
#ifndef SPAMTOP_REPORT_H
#define SPAMTOP_REPORT_H

#include <stdio.h>

#include "core/incident/our_domains.h"
#include "core/model/detect.h"
#include "core/base/error.h"
#include "core/model/model.h"
#include "core/logs/source.h"

struct report_options {
	size_t top;		/* rows per table */
	struct detect_thresholds thresholds;
	struct source_stats input;	/* summed over the sources read */
	const char *const *sources;	/* names of the inputs, NULL-terminated */
	const struct our_domains_told *domains;	/* told to the model (NULL: none was) */
};

int report_write_json(FILE *out, const struct model *m, const struct report_options *o,
		      struct error *err);
/* The BLOCKLISTED lines (nothing when no delivery was refused for reputation). */
void report_reputation_text(FILE *out, const struct model *m, size_t top);
int report_write_text(FILE *out, const struct model *m, const struct report_options *o,
		      struct error *err);

#endif
