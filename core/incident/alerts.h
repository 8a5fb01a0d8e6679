/*
 * alerts - early warning: measured values against warning and critical
 * thresholds, in the states monitoring systems use (OK, WARNING, CRITICAL,
 * UNKNOWN).
 *
 * Each check is one row of a table (name, what it measures, default
 * thresholds); the values come from the log model and, when it could be
 * read, the queue. Thresholds are read from a config file of `name = warn
 * crit` lines (/etc/spamtop.conf, then $XDG_CONFIG_HOME/spamtop/config) and
 * flags; a bad line is a warning with file and line. Rates are counted in
 * log time over the last minutes; a log whose newest line is older than the
 * window counts as quiet. Distinct client IPs are counted over the log read,
 * for the users that sent in the last hour.
 */
#ifndef SPAMTOP_ALERTS_H
#define SPAMTOP_ALERTS_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/buf.h"
#include "core/base/error.h"
#include "core/base/run.h"
#include "core/model/model.h"
#include "core/queue/queue.h"

enum alert_state { ALERT_OK, ALERT_WARNING, ALERT_CRITICAL, ALERT_UNKNOWN };

enum alert_id {
	AL_QUEUE,		/* messages in the queue */
	AL_DEFERRED,		/* messages in the deferred queue */
	AL_USER_RATE,		/* messages a minute from one SASL user */
	AL_USER_IPS,		/* distinct client IPs of one SASL user */
	AL_IP_FAILURES,		/* SASL failures from one IP within 20 minutes */
	AL_RELAY_RATE,		/* unauthenticated messages a minute from one IP */
	AL_NULL_SENDER,		/* null-sender share of the window's messages, percent */
	AL_LOCAL_RATE,		/* messages a minute submitted locally (sendmail) by one uid */
	AL_REPUTATION,		/* destination domains refusing our mail for reputation, last hour */
	AL_COUNT
};

struct alert_threshold {
	double warn, crit;
};

struct alert_info {
	const char *name;	/* config and perfdata name */
	const char *what;	/* for people */
	struct alert_threshold dflt;
	int needs_queue;
};

extern const struct alert_info alert_table[AL_COUNT];

struct alert_config {
	struct alert_threshold t[AL_COUNT];
	int skip_queue;		/* the queue is not to be read: its checks are left out, not UNKNOWN */
	struct buf warnings;	/* "file:line: ...\n" */
};

struct alert_value {
	double value;
	char subject[160];	/* who: the user or IP behind the worst value */
	enum alert_state state;
	int measured;		/* 0: could not be measured (no queue) */
};

struct alert_result {
	struct alert_value v[AL_COUNT];
	enum alert_state worst;
};

void alert_config_default(struct alert_config *c);
void alert_config_free(struct alert_config *c);
/* Applies a config file; a missing file is not an error (returns 0). */
int alert_config_load(struct alert_config *c, const char *path);
/* /etc/spamtop.conf, then $XDG_CONFIG_HOME/spamtop/config (default ~/.config). */
void alert_config_load_defaults(struct alert_config *c);
/* One line of a threshold file (origin and lineno for its warnings); -1 if it does not parse. */
int alert_config_apply_line(struct alert_config *c, const char *line, const char *origin, unsigned lineno);
/* "name=warn,crit" from a flag; -1 if it does not parse. */
int alert_config_set(struct alert_config *c, const char *spec);
/* Measures every check; q may be NULL (queue checks are then UNKNOWN). */
void alert_evaluate(const struct alert_config *c, const struct model *m, const struct queue_snapshot *q,
		    int64_t wall_now, int window_minutes, struct alert_result *out);
const char *alert_state_name(enum alert_state s);
/*
 * The admin's --alert-cmd for check id, its {check} {state} {value}
 * {subject} filled in (spawn_argv_template: a log value that would be an
 * option, a wildcard or holds blanks is refused), started detached, between
 * a "planned" and a "done" record in the journal (action "alert"). It is run
 * even when the journal cannot be written (a full disk is an outbreak's
 * symptom): RUN_NOT_JOURNALED then; RUN_FAILED when it was not run; err
 * says why for both.
 */
enum run_status alert_command_run(const char *cmd_template, enum alert_id id, const struct alert_value *v,
				  const char *journal_path, struct error *err);

#endif
