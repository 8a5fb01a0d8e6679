/*
 * cleanup - the guided six-step cleanup, apart from its screens: the
 * wizard's saved state, what Postfix's configuration says is ours and
 * trusted, the two containment actions (run the admin's disable-account
 * command; drop an IP from mynetworks), and the incident report.
 *
 * The state file is rewritten whole after every step (a temporary file
 * renamed over the old one), so a dropped SSH session or a crash resumes
 * at the step it stopped at. Containment actions, like queue actions, are
 * journaled before they run and refused if the journal cannot be written.
 */
#ifndef SPAMTOP_CLEANUP_H
#define SPAMTOP_CLEANUP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "core/base/buf.h"
#include "core/model/detect.h"
#include "core/base/error.h"
#include "core/incident/netmatch.h"
#include "core/queue/instance.h"
#include "core/queue/queue.h"

enum cleanup_step {
	STEP_HOLD = 1, STEP_READ, STEP_IDENTIFY, STEP_CONTAIN, STEP_CLEAN, STEP_RELEASE, STEP_WATCH
};

#define CLEANUP_MAX_TARGETS 16
#define CLEANUP_DEFAULT_STATE "/var/lib/spamtop/cleanup.json"

struct cleanup_target {
	enum suspect_kind kind;
	char key[256];
	int chosen;
	uint32_t msgs_at_release;	/* its message count when the queue was released */
};

struct cleanup_state {
	int step;
	int64_t started;	/* wall-clock time the cleanup began */
	int64_t released;	/* when step 6 released the queue, 0 before */
	int have_before, have_after;
	size_t before[QN_COUNT], after[QN_COUNT];	/* the queue by state */
	struct cleanup_target targets[CLEANUP_MAX_TARGETS];
	size_t ntargets;
	int targets_set;	/* step 3 was seen: targets hold the admin's choice */
	char outcome[STEP_WATCH + 1][200];	/* what each step did, in words */
};

void cleanup_state_init(struct cleanup_state *s, int64_t now);
int cleanup_state_save(const struct cleanup_state *s, const char *path, struct error *err);
int cleanup_state_load(struct cleanup_state *s, const char *path, struct error *err);
const char *cleanup_step_title(int step);
/* Takes the suspects as targets, once (targets_set then stays): accounts,
 * trusted relays and web applications chosen, brute force not. */
void cleanup_targets_from_suspects(struct cleanup_state *s, const struct suspect *sus, size_t n);

/* The queued message is a chosen target's, by the log's attribution (queue_join). */
int cleanup_target_owns(const struct cleanup_target *t, const struct queued_msg *m);

/*
 * What one Postfix instance says: mynetworks and our domains (postconf
 * -hx). Each instance has a main.cf of its own (postmulti), so every
 * edit, read-back and reload names the instance (-c for all but the
 * default one).
 */
struct postfix_conf {
	struct postfix_instance inst;	/* which one: its name and -c directory ("" for the default) */
	struct buf mynetworks;		/* postconf -hx: expanded */
	struct buf mynetworks_raw;	/* postconf -h: as main.cf has it ($variables kept) */
	struct buf submit_users;	/* postconf -h authorized_submit_users (submit_block.h) */
	struct net_list trusted;
	struct domain_list ours;
	char config_dir[256];		/* its config_directory, where main.cf and spamtop's tables are */
};

/* The instance in (NULL: the default one) as postconf tells it; -1 with err. */
int postfix_conf_read(struct postfix_conf *c, const struct postfix_instance *in, const char *extra_domains,
		      struct error *err);
void postfix_conf_free(struct postfix_conf *c);

/*
 * Every Postfix instance on this host, the default one first. A
 * containment is done in each: an account or a web application can
 * submit through any of them, and each trusts its own mynetworks.
 */
struct postfix_confs {
	struct postfix_conf at[INSTANCE_MAX];
	int count;
	struct buf unread;	/* "NAME: why" per line: an instance postconf could not read, left out */
};

/* The default instance (-1 with err when it cannot be read) and every
 * other that postmulti lists (instance_discover); those postconf cannot
 * read are named in unread. */
int postfix_confs_read(struct postfix_confs *cs, const char *extra_domains, struct error *err);
void postfix_confs_free(struct postfix_confs *cs);
/* "" with one instance; else "NAME: " (or "default: ") to put before what is said of c. */
const char *postfix_conf_label(const struct postfix_confs *cs, const struct postfix_conf *c, char *out, size_t size);

/* One parameter's value (postconf -hx when expand, else -h: as main.cf has
 * it) in instance in (NULL: the default one). */
int cleanup_postconf(const struct postfix_instance *in, const char *param, int expand, struct buf *out,
		     struct error *err);
/* {prog} or {prog, "-c", DIR} for instance in (NULL: the default one), then
 * words, NULL-ended in argv (at most 8). */
void postfix_argv(const struct postfix_instance *in, const char *prog, const char *const words[], char *argv[8]);
/* Copies main.cf aside as main.cf.spamtop-STAMP (its path into backup); never over an existing file. */
int cleanup_backup_main_cf(const char *config_dir, struct buf *backup, struct error *err);
/*
 * One parameter of main.cf set: main.cf copied aside (its path into
 * backup), `postconf -e 'param = value'` journaled as action on target (the
 * setting itself when NULL; extra's fields in both entries, may be NULL),
 * and the value read back as main.cf has it. No reload. -1 with err.
 */
int cleanup_postconf_edit(const struct postfix_conf *c, const char *param, const char *value, const char *action,
			  const char *target, json_t *extra, const char *journal_path, struct buf *backup,
			  struct buf *out, struct error *err);
/* `postfix reload` of c's instance, journaled. Its exit status, or -1 with err. */
int cleanup_reload(const struct postfix_conf *c, const char *journal_path, struct buf *out, struct error *err);

/* The admin's disable command with {user} filled in, split into an argv; -1
 * with err if empty, too long, or the user name is refused (spawn.h). */
int cleanup_account_argv(const char *template, const char *user, char *storage, size_t size, char *argv[], int max,
			 struct error *err);
/*
 * Runs argv (journaled as `action` on `target`), output into out.
 * Returns its exit status, or -1 with err (nothing ran if the journal refused).
 */
int cleanup_run_journaled(char *const argv[], const char *action, const char *target, const char *journal_path,
			  struct buf *out, struct error *err);
/* The same, with extra's fields in both journal entries. */
int cleanup_run_journaled_with(char *const argv[], const char *action, const char *target, json_t *extra,
			       const char *journal_path, struct buf *out, struct error *err);
/*
 * The trusted relays' containment: one edit of mynetworks for all of them,
 * computed from main.cf's text (netedit.h). notes says, per address, what
 * happens: its entry goes; it is excluded already; it stays inside a wider
 * entry (listed in wider: for a host block); it enters through a $variable
 * (refused: by hand). runnable when
 * there is something to drop and nothing refused.
 */
struct mynetworks_plan {
	struct buf before, after;	/* postconf -h mynetworks, now and planned */
	struct buf notes;		/* one line per finding */
	const char **ips;		/* the addresses whose entries go */
	size_t nips;
	const char **wider;		/* the addresses a wider entry still covers (postfix_block.h: a host block) */
	size_t nwider;
	int runnable;
	int restore;			/* an undo: after is the value before an earlier edit */
	json_t *owned;			/* what ips point into, for an undo */
};
/* -1 with err (and nothing to free) when main.cf's value cannot be edited. */
int cleanup_mynetworks_plan(const struct postfix_conf *c, const char *const ips[], size_t n,
			    struct mynetworks_plan *p, struct error *err);
void mynetworks_plan_free(struct mynetworks_plan *p);
/* The instances a trusted relays' containment edits: those whose
 * mynetworks trusts one of ips (all of them with one instance; the default
 * one when none does, whose plan then says so). Returns how many. */
int cleanup_relay_instances(const struct postfix_confs *cs, const char *const ips[], size_t n,
			    const struct postfix_conf *out[INSTANCE_MAX]);
/*
 * The undo of the journal's last edit that dropped ip: mynetworks back to
 * its exact value before that edit (every address it dropped returns). -1
 * with err when the journal has no such edit or mynetworks has changed
 * since (then only the admin knows what to keep).
 */
int cleanup_mynetworks_undo_plan(const struct postfix_conf *c, const char *ip, const char *journal_path,
				 struct mynetworks_plan *p, struct error *err);
/*
 * Runs the plan: copies main.cf aside (its path into backup), `postconf -e`,
 * reads mynetworks back (raw and expanded) to verify the edit, and only
 * then `postfix reload`; all journaled. -1 with err at the first failure.
 */
int cleanup_mynetworks_apply(const struct postfix_conf *c, const struct mynetworks_plan *p, const char *journal_path,
			     struct buf *backup, struct buf *out, struct error *err);

/* The incident report, Markdown. journal_path may be NULL or unreadable (said so in the report). */
struct model;
int incident_write(FILE *f, const struct model *m, const struct suspect *sus, size_t nsus,
		   const struct cleanup_state *s, const char *const *logs, size_t nlogs, const char *journal_path,
		   struct error *err);

#endif
