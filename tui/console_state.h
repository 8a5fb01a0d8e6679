/*
 * console_state - what the console knows, shared by its logic (console.c)
 * and its painter (draw.c). Only the main loop changes it between frames.
 */
#ifndef SPAMTOP_CONSOLE_STATE_H
#define SPAMTOP_CONSOLE_STATE_H

#include <stdint.h>
#include <time.h>

#include "console.h"
#include "core/action.h"
#include "core/follow.h"
#include "core/model.h"
#include "core/queue_refresh.h"
#include "core/source.h"
#include "keymap.h"
#include "pager.h"
#include "table.h"

#define CONSOLE_MAX_INPUTS 16
#define CONSOLE_MAX_DEPTH 6
#define CONSOLE_MAX_SUSPECTS 64

struct console_input {
	const char *path;
	struct log_follow *follow;	/* plain files: followed */
	struct line_source *once;	/* .gz and stdin: read to the end */
	int done;
	char error[512];
};

enum view_type { VIEW_TABLE, VIEW_PAGER };

struct view {
	enum view_type type;
	struct table table;
	struct pager pager;
};

/* What a key or a tick asks of the loop. R_DATA: new lines (rebuilt at the next tick). */
enum reaction { R_NONE = 0, R_REDRAW = 1, R_REBUILD = 2, R_QUIT = 4, R_QUEUE = 8, R_DATA = 16 };

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
	int paused, reading_history;

	/* the queue */
	struct queue_refresh *refresh;
	struct queue_snapshot *queue;
	char queue_error[300];
	time_t queue_time;	/* when the snapshot shown was read */
	long long queue_next_ms;

	struct suspect suspects[CONSOLE_MAX_SUSPECTS];
	size_t nsuspects;
	struct table_ctx ctx;

	/* views: the tabs, and drill-downs stacked over the current tab */
	struct table tabs[TAB_COUNT];
	enum tab_id tab;
	struct view *stack[CONSOLE_MAX_DEPTH];
	int depth;

	/* the modal parts */
	int dialog_open;
	struct pager dialog;
	struct action_plan plan;
	int plan_ready;
	int prompt_open;
	struct buf prompt;
	char message[400];
	int message_is_error;
	long long message_until_ms;
};

/* The view on top: a drill-down, or NULL for the current tab. */
struct view *console_top(struct console *c);
struct table *console_table(struct console *c);	/* the table on top, or NULL (a pager) */

void draw_console(struct console *c);
/* Data rows the table area holds at the current size. */
int draw_table_rows(void);

#endif
