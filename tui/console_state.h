/*
 * console_state - what the console knows, shared by its logic (console.c,
 * dialog.c, inputs.c, wizard.c) and its painter (draw.c), and the services
 * over it that all of them use (console_state.c). Only the main loop changes
 * it between frames.
 */
#ifndef SPAMTOP_CONSOLE_STATE_H
#define SPAMTOP_CONSOLE_STATE_H

#include <stdint.h>
#include <time.h>
#include <wchar.h>

#include "console.h"
#include "core/queue/action.h"
#include "core/incident/alerts.h"
#include "core/logs/follow.h"
#include "core/logs/logline.h"
#include "core/logs/pipe_source.h"
#include "core/incident/our_domains.h"
#include "core/model/model.h"
#include "core/queue/queue_refresh.h"
#include "core/logs/source.h"
#include "keymap.h"
#include "pager.h"
#include "plan_job.h"
#include "reaction.h"
#include "table.h"

#define CONSOLE_MAX_INPUTS (CONSOLE_MAX_SOURCES + 1)	/* and journald */
#define CONSOLE_MAX_DEPTH 6	/* drill-downs */
#define CONSOLE_MAX_MODALS 2	/* a dialog over the prompt */
#define CONSOLE_MAX_SUSPECTS 64

struct console_input {
	const char *path;
	struct log_follow *follow;	/* plain files: followed */
	struct line_source *once;	/* .gz and stdin: read to the end */
	struct pipe_source *pipe;	/* journald, ssh: the program's output, followed */
	int host;		/* the model's host the lines belong to */
	int remote;		/* read over ssh: its files are not on this machine */
	int journal;		/* this machine's systemd journal (journalctl --follow) */
	int journal_history;	/* its history is being read (then the entries after cursor, followed) */
	char cursor[256];	/* the last history entry's, from journalctl --show-cursor */
	struct buf ssh_path;	/* the path quoted for the remote shell */
	const struct source_spec *spec;	/* ssh: to connect again when the session ends */
	long long reconnect_ms;	/* ssh: when to try again */
	int done;
	char error[512];
	/* followed files: how far in log time the history is read (the stamp of
	 * its first line, then of the last one read), to read several in step */
	struct time_context tc;
	int64_t read_to;
};

struct wizard;
struct view;
struct console;


/*
 * What a kind of view is (tig's view_ops): the keys it reads, what it does
 * with them, how it is drawn, what it does when the model or the queue
 * changed, and what it stops when it is closed. Each is defined beside the
 * code that runs it: the tab and drill-down tables and the message pages in
 * console.c, the cleanup in cleanup_view.c, the dialog in dialog.c, the filter
 * prompt in prompt.c; the painters in draw.c. A tab is no view on the
 * stack: tab_view_ops serves it.
 *
 * A modal view (a dialog, the prompt) is drawn over the view below it and
 * reads every key raw, before any binding; it stays above the content views
 * on the stack (a view pushed under it goes beneath), and console_top()
 * names the content view under it.
 */
struct view_ops {
	const char *name;
	enum keymap_scope scope;	/* its bindings; a wizard's page falls back to the pager's */
	int is_table;			/* rows (view.table), else a page of text (view.pager) */
	int modal;
	/* The action a key is bound to; R_NONE: not this view's (the console's general keys then). */
	unsigned (*key)(struct console *c, struct view *v, enum action_id a);
	/* A modal view's keys, as they come (is_key: a curses key code). */
	unsigned (*raw_key)(struct console *c, struct view *v, int is_key, wint_t ch);
	/* Paints it (v is NULL for a tab); never changes the state. */
	void (*draw)(struct console *c, struct view *v);
	/* The model or the snapshot changed (tables are rebuilt by the loop itself), or NULL. */
	void (*on_data)(struct console *c, struct view *v);
	/* Before it is freed, or NULL. */
	void (*close)(struct console *c, struct view *v);
};

struct view {
	const struct view_ops *ops;
	struct table table;
	struct pager pager;	/* a page's text, a dialog's */
	struct buf input;	/* the prompt's line */
	unsigned (*yes)(struct console *c);	/* what y does in a dialog; NULL: it only informs */
};

extern const struct view_ops tab_view_ops, table_view_ops, page_view_ops;	/* console.c */
extern const struct view_ops wizard_view_ops;	/* cleanup_view.c */
extern const struct view_ops dialog_view_ops;	/* dialog.c */
extern const struct view_ops prompt_view_ops;	/* prompt.c */

struct console {
	const struct console_options *opt;
	struct model *model;
	struct keymap keys;
	struct console_input inputs[CONSOLE_MAX_INPUTS];
	size_t ninputs;
	char host[64];
	int is_root;

	/* reading */
	uint64_t lines_read, history_bytes, history_total;
	double lines_per_sec;
	uint64_t rate_lines;
	long long rate_since_ms;
	int paused, reading_history;	/* the history at start: tables wait for it */
	int history_done;	/* it was read once; later backlogs are live bursts */
	int behind;		/* a live burst not read yet: read on at once, rebuild less often */
	struct our_domains_watch domains;	/* what our domains were read from: read again
						 * when it changes, before the lines after it */
	long long domains_checked_ms;	/* when its files were last looked at */
	uint64_t backlog_bytes;	/* written to the followed logs, not read yet */
	int host_filter;	/* several hosts: -1 all, else the one host shown */

	/* the queue */
	struct queue_refresh *refresh;
	struct queue_snapshot *queue;
	char queue_error[300];
	time_t queue_time;	/* when the snapshot shown was read */
	long long queue_next_ms;
	long long refresh_started_ms;	/* when the background read now running began */
	long long queue_read_ms;	/* when the snapshot shown was read (started) */

	/* early warning */
	struct alert_config alert_cfg;
	struct alert_result alerts;
	enum alert_state alert_prev[AL_COUNT];
	time_t alert_cmd_last[AL_COUNT];

	struct suspect suspects[CONSOLE_MAX_SUSPECTS];
	size_t nsuspects;
	struct table_ctx ctx;

	/* views: the tabs, and drill-downs stacked over the current tab, a dialog or the prompt over them */
	struct table tabs[TAB_COUNT];
	enum tab_id tab;
	struct view *stack[CONSOLE_MAX_DEPTH + CONSOLE_MAX_MODALS];
	int depth;

	/* what an open dialog confirms */
	unsigned (*confirm_plan)(struct console *c);	/* what y does on a queue plan (console.c's run of it) */
	int dialog_step;	/* the wizard step a plan belongs to, 0 for none */
	struct action_plan plan;
	int plan_ready;
	struct plan_job job;	/* a plan being built off the key handler (job.running) */
	struct action_job act;	/* a confirmed action running off the key handler (act.running) */
	size_t job_shown;	/* the progress last said */
	uint64_t queue_serial;	/* snapshots installed */
	uint64_t joined_serial, joined_lines, joined_collections;	/* the snapshot and model last joined */
	struct trail_job trail;	/* a message's log trail searched off the key handler */
	struct remote_job remote;	/* an action asked of another server over ssh */
	struct remote_job fleet_queue;	/* the queue of the server shown alone (@), counted there */
	struct fleet_queue_view {
		int host;		/* whose counts these are; 0: none yet */
		int ok;
		struct remote_queue_counts counts;
		long long read_ms;	/* when the counts shown were asked for */
		long long asked_ms;	/* when the question now running was asked */
		char error[600];	/* why the last question failed ("" when it did not) */
	} fleet;
	long long fleet_next_ms;	/* when to ask again */
	struct remote_action remote_call;	/* the run its dry run showed, waiting for y (remote_ready) */
	int remote_ready;
	struct view *trail_view;	/* the message view it fills; NULL once left */
	size_t trail_shown;	/* megabytes last said */
	int trail_at_end;	/* the end of its view was asked for while it was searched */
	char message[400];
	int message_is_error;
	long long message_until_ms;

	struct wizard *wizard;	/* the guided cleanup, once opened */
};

/* ---- tui/console_state.c: the view stack, the status line, the clock ---- */

/* The content view on top (under any dialog or prompt): a drill-down, or NULL for the current tab. */
struct view *console_top(struct console *c);
/* The modal view on top (it takes the keys), or NULL. */
struct view *console_modal(struct console *c);
struct table *console_table(struct console *c);	/* the table on top, or NULL (a pager) */
/* A content view goes on top of the content views (under a modal one); NULL when too deep. */
struct view *console_push_view(struct console *c, const struct view_ops *ops);
/* A page's scrolling keys (R_NONE for any other action). */
unsigned console_page_action(struct pager *p, enum action_id a);
/* The ops of the view on top (tab_view_ops for a tab). */
const struct view_ops *console_top_ops(struct console *c);
void console_pop_view(struct console *c);	/* the view on top of the stack */
void console_remove_view(struct console *c, struct view *v);	/* wherever it is on the stack */
void console_say(struct console *c, int is_error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
long long console_now_ms(void);	/* a monotonic clock */
/* A plan being built or an action running (said in the status line): no other action meanwhile. */
int console_busy(struct console *c);

/* ---- tui/dialog.c: the confirmation of a queue plan ---- */

#define PLAN_SHOW_IDS 8		/* queue IDs a plan or its outcome lists */

/* Says why not (no queue, not root, not read yet) and returns 0, or returns 1. */
int console_can_change_queue(struct console *c);
/* Shows c->plan for confirmation, y running c->confirm_plan (1), or says there is
 * nothing to do and frees it (0). */
int console_offer_plan(struct console *c, int wizard_step);
/* Opens the dialog (the page of one open is replaced) with its title and what y
 * does (NULL: it only informs, any key closes it); returns its page to fill. */
struct pager *console_dialog(struct console *c, const char *title, unsigned (*yes)(struct console *c));
/* The open dialog, or NULL. */
struct view *console_dialog_view(struct console *c);
/* Closes the dialog, freeing a plan or a remote call it held. */
void console_close_dialog(struct console *c);

/* ---- tui/prompt.c: the filter prompt ---- */

/* Opens it over the status line, for the table on top, starting from its filter. */
void console_open_prompt(struct console *c, const struct table *t);

/* ---- tui/cleanup_view.c: the guided cleanup (wizard.c) in the console ---- */

/* Opens (or resumes) it as the top view; -1 with err. */
int console_open_cleanup(struct console *c, int resume, struct error *err);
/* Each turn of the loop: its jobs' ends, a throttled release's batch. Reaction flags. */
unsigned console_cleanup_tick(struct console *c);
/* A new snapshot was installed. */
void console_cleanup_queue_changed(struct console *c);
/* A queue action its step offered ran (o NULL: a dry run). */
void console_cleanup_plan_done(struct console *c, int step, const struct action_plan *p,
			       const struct action_outcome *o, int ok);

/* ---- tui/inputs.c: the logs ---- */

/* Open prints why it failed; read does one slice of reading and says whether
 * lines came; the rate is of lines a second. */
int console_open_inputs(struct console *c);
int console_read_inputs(struct console *c);
void console_update_rate(struct console *c);
void console_close_inputs(struct console *c);
/* The inputs of host that are files on this machine (for a message's trail); returns how many. */
size_t console_log_files(const struct console *c, int host, const char *paths[CONSOLE_MAX_INPUTS]);

/* ---- tui/draw.c: the painter ---- */

void draw_console(struct console *c);
/* The painters of the views' kinds (view_ops.draw). */
void draw_rows_view(struct console *c, struct view *v);	/* a tab (v NULL) or a drill-down's rows */
void draw_page_view(struct console *c, struct view *v);	/* a message, help or cleanup page */
void draw_dialog_view(struct console *c, struct view *v);	/* a box over the view below */
void draw_prompt_view(struct console *c, struct view *v);	/* a line over the status line */
/* Data rows the table area holds at the current size. */
int draw_table_rows(void);

#endif
