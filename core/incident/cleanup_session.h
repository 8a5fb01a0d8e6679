/*
 * cleanup_session - the guided cleanup's doing, apart from its screens:
 * the saved state, what Postfix says, and the steps that act (step 3's
 * targets, taken once; step 4's containment; step 6's release and its
 * throttle). What each did is said in a report: one line a finding, "!"
 * first when it needs the admin's eye. A screen draws the report, a
 * command prints it; nothing here draws or reads keys.
 */
#ifndef SPAMTOP_CLEANUP_SESSION_H
#define SPAMTOP_CLEANUP_SESSION_H

#include "core/incident/cleanup.h"
#include "core/model/model.h"
#include "core/queue/throttle.h"

struct cleanup_session {
	struct cleanup_state st;
	struct postfix_confs pf;	/* every instance; pf.at[0], the default one, when conf_ok */
	int conf_ok;
	char conf_error[512];
	const char *journal;		/* the audit journal */
	const char *disable_cmd;	/* --disable-cmd, or NULL */
	const char *our_domains;	/* --our-domains, or NULL */
	const char *dovecot_config;	/* --dovecot-config (doveconf's -c), or NULL: Dovecot's default */
	struct release_throttle throttle;
};

/* A new session begun at now; reads what Postfix says (conf_ok, conf_error). */
void cleanup_session_init(struct cleanup_session *s, int64_t now, const char *journal, const char *disable_cmd,
			  const char *our_domains);
void cleanup_session_free(struct cleanup_session *s);
/* Reads Postfix's configuration again (after a containment changed it). */
void cleanup_session_reread_conf(struct cleanup_session *s);
/* The aggregate a target is, in m (NULL if m has none). */
const struct agg_stats *cleanup_target_stats(const struct model *m, const struct cleanup_target *t);
/* The chosen trusted relays' addresses; returns how many. */
size_t cleanup_session_relays(const struct cleanup_session *s, const char *ips[CLEANUP_MAX_TARGETS]);
/*
 * Step 4: for each chosen account, the admin's --disable-cmd (when its
 * name is safe), a Postfix block and a block at Dovecot, when it has a deny
 * passdb (dovecot_block); the chosen trusted relays' one
 * mynetworks edit, and a host block for those inside a wider entry; each
 * chosen web application kept from sendmail. The Postfix edits are made in
 * every instance (one that trusts none of the relays is left as it is).
 * All journaled; the step's outcome set. 0 when everything ran, -1 if not.
 */
int cleanup_session_contain(struct cleanup_session *s, struct buf *report);
/*
 * Step 5: one delete plan over every chosen account's, relay's and web
 * application's queued messages (selected by the log, confirmed from each
 * queue file; progress, when not NULL, counts them and may stop it).
 * 1 a plan, 0 nothing is chosen, -1 with err.
 */
int cleanup_session_clean_plan(const struct cleanup_session *s, const struct queue_snapshot *q,
			       struct work_progress *progress, struct action_plan *plan, struct error *err);
/* Runs a plan as every action runs (journaled); the messages it changed
 * (postsuper's own count for ALL), or -1 (said in report). */
long cleanup_session_run(struct cleanup_session *s, struct action_plan *p, struct buf *report);
/* The whole queue held or released (postsuper -h/-H ALL, every instance), run as above. */
long cleanup_session_run_all(struct cleanup_session *s, enum queue_action a, const struct queue_snapshot *q,
			     struct buf *report);
/* Step 6: the targets' message counts when the queue is let go ("sends again" is measured from them). */
void cleanup_session_mark_release(struct cleanup_session *s, const struct model *m, int64_t now);
/* A chosen target that logged mail since the release, or NULL. */
const struct cleanup_target *cleanup_session_sent_again(const struct cleanup_session *s, const struct model *m);
/* Step 6's throttled release begins: the held messages of q; how many. */
size_t cleanup_session_throttle_start(struct cleanup_session *s, const struct model *m, const struct queue_snapshot *q,
				      size_t batch, int seconds, int64_t now);
/*
 * The log that watched step 6's throttled release is lost (why: "journalctl
 * ended with status 1: ..."): the release stops, and what it had not
 * released stays held; said in report, kept as the step's outcome.
 */
void cleanup_session_blind(struct cleanup_session *s, const char *why, struct buf *report);
enum throttle_turn { TURN_NONE, TURN_BATCH, TURN_STOPPED };
/*
 * The throttle's turn at now: when a contained target sent again, it stops
 * and the queue is held again (TURN_STOPPED); when a batch is due, it runs
 * (TURN_BATCH); else TURN_NONE. Said in report.
 */
enum throttle_turn cleanup_session_tick(struct cleanup_session *s, const struct model *m,
					const struct queue_snapshot *q, int64_t now, struct buf *report);

#endif
