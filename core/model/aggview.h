/*
 * aggview - the columns of the aggregate tables, as data, and sorting.
 *
 * One array describes every numeric field of an aggregate (name used in
 * JSON and on the command line, column title, width). Each table kind
 * lists the fields it shows. The text report, the JSON report and the
 * console all read these arrays; none of them hard-codes a column.
 */
#ifndef SPAMTOP_AGGVIEW_H
#define SPAMTOP_AGGVIEW_H

#include <stddef.h>
#include <stdint.h>

#include "core/model/model.h"

enum agg_field {
	F_MSGS, F_RCPTS, F_BYTES, F_SENT, F_DEFERRED, F_BOUNCED, F_EXPIRED, F_HELD,
	F_DELETED, F_NULL_SENDER, F_CLIENT_IPS, F_AUTH, F_UNAUTH, F_DELIVERED_HERE, F_FAILURES,
	F_FAILURES_20M, F_MAILBOX_FAILURES, F_OWN_FAILURES, F_REJECTS, F_CONNECTS, F_PIPELINING, F_RATE_1M, F_RATE_5M, F_RATE_15M,
	F_FIELD_COUNT
};

struct agg_field_info {
	const char *name;	/* JSON key and --sort value */
	const char *title;	/* column header */
	int width;
};

extern const struct agg_field_info agg_fields[F_FIELD_COUNT];

struct agg_table_info {
	enum agg_kind kind;
	const char *name;	/* JSON key: "sasl_users" */
	const char *title;	/* "SASL users" */
	const char *key_title;	/* "User" */
	enum agg_field sort;	/* default sort */
	const enum agg_field *columns;	/* terminated by F_FIELD_COUNT */
};

extern const struct agg_table_info agg_tables[AGG_KIND_COUNT];

/* How a key is shown: a SASL user (keyed case-folded) as its name was first
 * logged; the null sender (and its empty domain) as "<>", never blank. */
struct strview agg_shown_key(const struct agg_stats *a);
uint64_t agg_field_value(const struct model *m, const struct agg_stats *a, enum agg_field f);
/* Field by name, or -1. */
int agg_field_by_name(const char *name);

/*
 * Fills out[] with up to n aggregates of kind, sorted by field (descending,
 * ties by key), keeping only those whose field is non-zero when nonzero is
 * set. Returns how many were filled.
 */
size_t agg_top(const struct model *m, enum agg_kind kind, enum agg_field field, int nonzero,
	       const struct agg_stats **out, size_t n);

#endif
