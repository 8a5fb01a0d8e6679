/*
 * cleanup_cmd - the cleanup without a screen. spamtop cleanup --plan: the
 * logs and the queue read, every step's findings and commands printed,
 * nothing run. spamtop cleanup --yes with the targets named on the command
 * line (--sasl-user, --trusted-ip, --uid): the steps that act, run in order
 * (hold, contain, delete the targets' queued messages, release), each
 * journaled, the state saved and the incident report written: for a script,
 * or a second admin following an agreed plan.
 */
#include "cleanup_cmd.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd_io.h"
#include "core/incident/cleanup_plan.h"
#include "core/incident/cleanup_session.h"
#include "core/incident/our_domains.h"
#include "core/base/clock.h"
#include "core/model/feed.h"
#include "core/base/journal.h"
#include "core/base/safefile.h"
#include "core/logs/follow.h"
#include "core/model/ingest.h"

#define QUEUE_TIMEOUT_MS 60000
#define WATCH_POLL_NS 200000000L	/* the logs read, the throttle asked, 5 times a second */
#define WATCH_READ_BYTES (64u << 20)	/* of each log, a poll */

struct plan_opts {
	const char *state_path, *disable_cmd, *our_domains, *journal, *incident;
	const char *dovecot_config;	/* --dovecot-config: doveconf's -c for step 4's Dovecot block */
	int no_queue, yes;
	size_t throttle_batch;		/* --throttle N/SECS: step 6 in batches (0: at once) */
	int throttle_seconds;
	const char *targets[CLEANUP_MAX_TARGETS];	/* --yes: KIND:KEY as given */
	enum suspect_kind kinds[CLEANUP_MAX_TARGETS];
	size_t ntargets;
	struct feed feed;	/* FILE..., or what Postfix logs to */
};

static int parse(int argc, char **argv, struct plan_opts *o)
{
	static const struct option opts[] = {
		{"plan", no_argument, NULL, 'p'},
		{"state", required_argument, NULL, 'S'},
		{"disable-cmd", required_argument, NULL, 'D'},
		{"our-domains", required_argument, NULL, 'O'},
		{"no-queue", no_argument, NULL, 'Q'},
		{"yes", no_argument, NULL, 'y'},
		{"sasl-user", required_argument, NULL, 'u'},
		{"trusted-ip", required_argument, NULL, 'i'},
		{"uid", required_argument, NULL, 'U'},
		{"journal", required_argument, NULL, 'J'},
		{"incident", required_argument, NULL, 'I'},
		{"throttle", required_argument, NULL, 'H'},
		{"journald", no_argument, NULL, 'j'},
		{"dovecot-config", required_argument, NULL, 'd'},
		{NULL, 0, NULL, 0},
	};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p': break;
		case 'S': o->state_path = optarg; break;
		case 'D': o->disable_cmd = optarg; break;
		case 'O': o->our_domains = optarg; break;
		case 'Q': o->no_queue = 1; break;
		case 'y': o->yes = 1; break;
		case 'J': o->journal = optarg; break;
		case 'I': o->incident = optarg; break;
		case 'j': o->feed.journald = 1; break;
		case 'd': o->dovecot_config = optarg; break;
		case 'H':
			if (throttle_arg(optarg, &o->throttle_batch, &o->throttle_seconds) < 0)
				return -1;
			break;
		case 'u':
		case 'i':
		case 'U':
			if (o->ntargets == CLEANUP_MAX_TARGETS)
				return -1;
			o->kinds[o->ntargets] = c == 'u' ? SUSPECT_SASL_USER : c == 'i' ? SUSPECT_TRUSTED_RELAY : SUSPECT_WEB_APP;
			o->targets[o->ntargets++] = optarg;
			break;
		default:
			fputs("usage: spamtop cleanup --plan [--state FILE] [--disable-cmd CMD] [--our-domains LIST]\n"
			      "               [--no-queue] [--journald] [FILE...]\n"
			      "       spamtop cleanup --yes (--sasl-user USER | --trusted-ip IP | --uid UID)...\n"
			      "               [--throttle N/SECS] [--disable-cmd CMD] [--journal FILE] [--state FILE]\n"
			      "               [--incident FILE] [--journald] [--dovecot-config FILE] [FILE...]\n",
			      stderr);
			return -1;
		}
	}
	struct error err = {""};
	for (int i = optind; i < argc && err.msg[0] == 0; i++)
		feed_add_file(&o->feed, argv[i], &err);
	if (err.msg[0] || feed_finish(&o->feed, 0, &err) < 0) {
		fprintf(stderr, "spamtop: %s\n", err.msg);
		return -1;
	}
	if (o->journal == NULL)
		o->journal = journal_default_path();
	return 0;
}

/* read_logs - the whole feed into a new model, told our domains first (a
 * gateway's mail for them is no relaying); NULL when a log cannot be read */
static struct model *read_logs(const struct plan_opts *o)
{
	struct error err;
	struct source_stats st = {0};
	struct model *m = model_new(NULL, (time_t)clock_now());
	if (m == NULL) {
		fputs("spamtop: out of memory\n", stderr);
		return NULL;
	}
	our_domains_tell_model(m, feed_is_this_server(&o->feed), o->our_domains);
	if (feed_read(&o->feed, m, 0, 0, &st, &err) < 0) {
		fprintf(stderr, "spamtop: %s\n", err.msg);
		model_free(m);
		return NULL;
	}
	return m;
}

static int write_plan(const struct plan_opts *o, struct model *m, struct cleanup_state *st)
{
	struct suspect sus[64];
	struct detect_thresholds th;
	detect_thresholds_default(&th);
	size_t n = detect_suspects(m, &th, sus, 64), nlocal = 0;
	for (size_t i = 0; i < n; i++)	/* the cleanup acts on this machine's queue */
		if (sus[i].agg->host == 0)
			sus[nlocal++] = sus[i];
	struct queue_snapshot *q = o->no_queue ? NULL : queue_snapshot_new();
	struct error qerr = {""}, cerr = {""}, err;
	if (q && queue_load(q, QUEUE_TIMEOUT_MS, &qerr) < 0) {
		queue_snapshot_free(q);
		q = NULL;
	}
	if (q)
		queue_join(q, m);
	static struct postfix_confs pf;
	int conf_ok = postfix_confs_read(&pf, o->our_domains, &cerr) == 0;
	struct cleanup_plan_input in = {m, sus, nlocal, q, q || o->no_queue ? NULL : qerr.msg, conf_ok ? &pf : NULL,
					cerr.msg, st, o->disable_cmd};
	int rc = cleanup_plan_write(stdout, &in, &err);
	if (rc < 0)
		fprintf(stderr, "spamtop: %s\n", err.msg);
	postfix_confs_free(&pf);
	queue_snapshot_free(q);
	return rc < 0 ? 1 : 0;
}

/* say_report - a session's report: "!" lines marked for the eye */
static void say_report(const struct buf *report)
{
	for (const char *p = report->data ? report->data : ""; *p;) {
		size_t len = strcspn(p, "\n");
		int alert = *p == '!';
		say_lines(stdout, p + alert, len - (size_t)alert, alert ? "  ! " : "    ");
		p += len + (p[len] == '\n');
	}
}

/* step_all - hold or release the whole queue, as step 1 and step 6 do */
static int step_all(struct cleanup_session *s, enum queue_action a, int step, const struct queue_snapshot *q)
{
	struct buf report = BUF_INIT;
	printf("Step %d of 6: %s: postsuper %s ALL\n", step, cleanup_step_title(step), a == ACT_HOLD ? "-h" : "-H");
	long n = cleanup_session_run_all(s, a, q, &report);
	say_report(&report);
	buf_free(&report);
	if (n >= 0)
		printf("    postsuper said %ld messages\n", n);
	snprintf(s->st.outcome[step], sizeof(s->st.outcome[0]), "%s: postsuper said %ld messages%s", action_name(a), n,
		 n < 0 ? " (failed)" : "");
	return n < 0 ? -1 : 0;
}

/* step_clean - the targets' queued messages deleted, confirmed from each queue file */
static int step_clean(struct cleanup_session *s, const struct model *m)
{
	printf("Step 5 of 6: %s\n", cleanup_step_title(STEP_CLEAN));
	struct queue_snapshot *q = queue_snapshot_new();
	struct error err;
	struct action_plan p;
	struct buf report = BUF_INIT;
	int rc = q && queue_load(q, QUEUE_TIMEOUT_MS, &err) == 0 ? 0 : -1;
	if (rc == 0) {
		queue_join(q, m);
		rc = cleanup_session_clean_plan(s, q, NULL, &p, &err);
	}
	long n = 0;
	if (rc > 0) {
		struct buf what = BUF_INIT;
		action_plan_describe(&p, q, 0, &what);
		say_lines(stdout, buf_str(&what), what.len, "    ");
		buf_free(&what);
		n = p.expected ? cleanup_session_run(s, &p, &report) : 0;
		action_plan_free(&p);
	}
	say_report(&report);
	buf_free(&report);
	if (rc < 0)
		printf("  ! %s\n", err.msg);
	else
		printf("    %ld messages deleted\n", n);
	snprintf(s->st.outcome[STEP_CLEAN], sizeof(s->st.outcome[0]), "delete: %ld changed%s", n,
		 rc < 0 || n < 0 ? " (failed)" : "");
	queue_snapshot_free(q);
	return rc < 0 || n < 0 ? -1 : 0;
}

/* to_model - a line into m; collected by the caller, which holds a queue joined with it */
static void to_model(const char *line, size_t len, void *arg)
{
	model_add_line(arg, line, len);
}

/* the logs followed while the queue is released: the files, and the systemd
 * journal (new entries: journalctl --follow) when Postfix logs there */
struct log_watch {
	struct log_follow *fw[FEED_MAX_SOURCES];
	size_t n;
	struct pipe_source *journal;
};

/* watch - what the logs gained since the last call, into m; NULL, or why
 * they are watched no more (journalctl ended: the release goes blind) */
static const char *watch(struct log_watch *w, struct model *m)
{
	struct error err;
	for (size_t i = 0; i < w->n; i++)
		follow_poll(w->fw[i], WATCH_READ_BYTES, to_model, m, &err);	/* a missing file is waited for */
	if (w->journal == NULL)
		return NULL;
	if (!pipe_source_ended(w->journal))
		(void)pipe_source_poll(w->journal, WATCH_READ_BYTES, to_model, m, &err);
	return pipe_source_ended(w->journal) ? pipe_source_end_message(w->journal) : NULL;
}

/* watch_open - the files followed from their ends, and the journal's new
 * entries; -1 (said) when the journal cannot be followed: nothing is released blind */
static int watch_open(const struct plan_opts *o, struct log_watch *w)
{
	const char *paths[FEED_MAX_SOURCES + 1];
	size_t np = feed_paths(&o->feed, paths);
	struct error err;
	w->n = 0;
	w->journal = NULL;
	for (size_t i = 0; i < np; i++) {
		size_t len = strlen(paths[i]);
		if (strcmp(paths[i], "-") == 0 || (len > 3 && strcmp(paths[i] + len - 3, ".gz") == 0))
			continue;	/* standard input was read to its end; a rotated .gz grows no more */
		if ((w->fw[w->n] = follow_open(paths[i], 0, SOURCE_MAX_LINE_DEFAULT, &err)) != NULL)
			w->n++;
		else
			fprintf(stderr, "spamtop: %s\n", err.msg);
	}
	if (o->feed.journald && (w->journal = ingest_journal_new_entries(&err)) == NULL) {
		printf("  ! the systemd journal cannot be followed: %s; nothing was released\n", err.msg);
		return -1;
	}
	return 0;
}

static void watch_close(struct log_watch *w)
{
	for (size_t i = 0; i < w->n; i++)
		follow_close(w->fw[i]);
	pipe_source_close(w->journal);
}

/* reload - the queue read again and joined with the log */
static int reload(struct queue_snapshot **q, const struct model *m)
{
	struct error err;
	queue_snapshot_free(*q);
	*q = queue_snapshot_new();
	if (*q == NULL || queue_load(*q, QUEUE_TIMEOUT_MS, &err) < 0) {
		printf("  ! the queue cannot be read: %s\n", *q ? err.msg : "out of memory");
		return -1;
	}
	queue_join(*q, m);
	return 0;
}

/*
 * step_throttled_release - step 6 in batches, oldest first, the logs
 * followed between them: a contained target that sends again stops it and
 * the queue is held again (-1); 0 when every held message was released
 */
static int step_throttled_release(struct cleanup_session *s, const struct plan_opts *o, struct model *m)
{
	printf("Step 6 of 6: %s: %zu messages every %d s, oldest first, the logs watched\n",
	       cleanup_step_title(STEP_RELEASE), o->throttle_batch, o->throttle_seconds);
	struct log_watch w;
	struct queue_snapshot *q = NULL;
	int rc = watch_open(o, &w);
	if (rc == 0)
		rc = reload(&q, m);
	size_t n = rc == 0 ? cleanup_session_throttle_start(s, m, q, o->throttle_batch, o->throttle_seconds, clock_now())
			   : 0;
	if (rc == 0 && n == 0)
		puts("    no message is held: nothing to release");
	while (rc == 0 && s->throttle.running) {
		const char *blind = watch(&w, m);
		if (blind) {	/* what is released now could not be watched: the rest stays held */
			struct buf report = BUF_INIT;
			cleanup_session_blind(s, blind, &report);
			say_report(&report);
			buf_free(&report);
			rc = -1;
			break;
		}
		int64_t now = clock_now();
		int collected = model_wants_collect(m) && model_collect(m) >= 0;	/* q's names then move too */
		if ((collected || now >= s->throttle.next_at) && reload(&q, m) < 0) {
			rc = -1;
			break;
		}
		struct buf report = BUF_INIT;
		enum throttle_turn turn = cleanup_session_tick(s, m, q, now, &report);
		say_report(&report);
		buf_free(&report);
		if (turn == TURN_BATCH)
			printf("    batch %zu: %zu of %zu released\n", s->throttle.batches, s->throttle.released,
			       s->throttle.ids.count);
		if (turn == TURN_STOPPED)
			rc = -1;
		struct timespec pause = {0, WATCH_POLL_NS};
		if (rc == 0 && s->throttle.running)
			nanosleep(&pause, NULL);
	}
	watch_close(&w);
	queue_snapshot_free(q);
	return rc;
}

static int write_incident_report(const struct plan_opts *o, const struct cleanup_session *s, const struct model *m)
{
	char path[512];
	time_t t = (time_t)s->st.started;
	struct tm tm;
	char stamp[32];
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", gmtime_r(&t, &tm));
	snprintf(path, sizeof(path), "%s", o->incident ? o->incident : "");
	if (!o->incident)
		snprintf(path, sizeof(path), "/var/lib/spamtop/spamtop-incident-%s.md", stamp);
	struct suspect sus[64];
	struct detect_thresholds th;
	detect_thresholds_default(&th);
	size_t n = detect_suspects(m, &th, sus, 64);
	struct safe_file sf;
	struct error err;
	const char *paths[FEED_MAX_SOURCES + 1];
	size_t npaths = feed_paths(&o->feed, paths);
	int rc = safe_file_open(&sf, path, 0640, &err);
	if (rc == 0 && incident_write(sf.f, m, sus, n, &s->st, paths, npaths, o->journal, &err) < 0) {
		safe_file_abort(&sf);
		rc = -1;
	} else if (rc == 0) {
		rc = safe_file_commit(&sf, &err);
	}
	if (rc < 0)
		fprintf(stderr, "spamtop: cannot write the incident report %s: %s\n", path, err.msg);
	else
		printf("Incident report: %s\n", path);
	return rc;
}

static void save_state(const struct plan_opts *o, const struct cleanup_session *s)
{
	struct error err;
	const char *path = o->state_path ? o->state_path : CLEANUP_DEFAULT_STATE;
	if (cleanup_state_save(&s->st, path, &err) < 0)
		fprintf(stderr, "spamtop: %s\n", err.msg);
}

/* run_yes - the acting steps in order, for the named targets */
static int run_yes(const struct plan_opts *o, struct model *m)
{
	struct cleanup_session s;
	struct error err;
	setvbuf(stdout, NULL, _IOLBF, 0);	/* each step said when done: a release may take hours */
	cleanup_session_init(&s, clock_now(), o->journal, o->disable_cmd, o->our_domains);
	s.dovecot_config = o->dovecot_config;
	for (size_t i = 0; i < o->ntargets; i++) {
		struct cleanup_target *t = &s.st.targets[s.st.ntargets++];
		t->kind = o->kinds[i];
		snprintf(t->key, sizeof(t->key), "%s", o->targets[i]);
		t->chosen = 1;
	}
	s.st.targets_set = 1;
	struct queue_snapshot *q = queue_snapshot_new();
	if (q == NULL || queue_load(q, QUEUE_TIMEOUT_MS, &err) < 0) {
		fprintf(stderr, "spamtop: the queue cannot be read: %s; nothing was changed\n", q ? err.msg : "out of memory");
		queue_snapshot_free(q);
		cleanup_session_free(&s);
		return 1;
	}
	memcpy(s.st.before, q->by_queue, sizeof(s.st.before));
	s.st.have_before = 1;
	int failed = step_all(&s, ACT_HOLD, STEP_HOLD, q) < 0;
	save_state(o, &s);
	struct buf report = BUF_INIT;
	printf("Step 4 of 6: %s\n", cleanup_step_title(STEP_CONTAIN));
	failed |= cleanup_session_contain(&s, &report) < 0;
	say_report(&report);
	buf_free(&report);
	save_state(o, &s);
	failed |= step_clean(&s, m) < 0;
	save_state(o, &s);
	if (failed) {
		puts("A step failed: the queue stays held (release it with spamtop release --all once it is right).");
	} else if (o->throttle_batch) {
		failed |= step_throttled_release(&s, o, m) < 0;
		s.st.step = STEP_WATCH;
	} else {
		failed |= step_all(&s, ACT_RELEASE, STEP_RELEASE, q) < 0;
		cleanup_session_mark_release(&s, m, clock_now());
		s.st.step = STEP_WATCH;
	}
	queue_snapshot_free(q);
	q = queue_snapshot_new();
	if (q && queue_load(q, QUEUE_TIMEOUT_MS, &err) == 0) {
		memcpy(s.st.after, q->by_queue, sizeof(s.st.after));
		s.st.have_after = 1;
	}
	queue_snapshot_free(q);
	save_state(o, &s);
	failed |= write_incident_report(o, &s, m) < 0;
	cleanup_session_free(&s);
	return failed ? 1 : 0;
}

int cleanup_command(int argc, char **argv)
{
	int plan = 0, yes = 0;
	for (int i = 1; i < argc; i++) {
		plan |= strcmp(argv[i], "--plan") == 0;
		yes |= strcmp(argv[i], "--yes") == 0;
	}
	if (!plan && !yes)
		return CLEANUP_NOT_A_COMMAND;
	struct plan_opts o;
	memset(&o, 0, sizeof(o));
	if (parse(argc, argv, &o) < 0)
		return 2;
	if (yes && (plan || o.ntargets == 0)) {
		fputs("spamtop: cleanup --yes runs the steps for the targets named: --sasl-user, --trusted-ip or --uid "
		      "(and not with --plan)\n", stderr);
		return 2;
	}
	if (yes) {
		struct model *m = read_logs(&o);
		int rc = m ? run_yes(&o, m) : 1;
		if (m)
			model_free(m);
		return rc;
	}
	struct cleanup_state st;
	struct error err;
	cleanup_state_init(&st, clock_now());
	if (o.state_path && cleanup_state_load(&st, o.state_path, &err) < 0) {
		fprintf(stderr, "spamtop: %s\n", err.msg);
		return 1;
	}
	struct model *m = read_logs(&o);
	if (m == NULL)
		return 1;
	int rc = write_plan(&o, m, &st);
	model_free(m);
	return rc;
}
