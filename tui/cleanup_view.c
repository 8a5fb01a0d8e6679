/*
 * cleanup_view - the console's side of the guided cleanup: the view the
 * wizard's pages are shown in, what the console shows the wizard at each
 * call (wizard_env), and the services it lends it (its status line, its
 * dialog, its queue plans). The wizard sees the console through nothing else.
 */
#include "console_state.h"

#include "wizard.h"

struct cleanup_env {
	struct wizard_env x;
	const char *logs[CONSOLE_MAX_INPUTS];
	const char *inputs[CONSOLE_MAX_INPUTS];
};

static void say(struct console *c, int is_error, const char *msg)
{
	console_say(c, is_error, "%s", msg);
}

static unsigned contain_yes(struct console *c);
static unsigned throttle_yes(struct console *c);

static struct pager *dialog(struct console *c, const char *title, enum wizard_yes yes)
{
	return console_dialog(c, title, yes == WIZARD_YES_CONTAIN ? contain_yes
			      : yes == WIZARD_YES_THROTTLE ? throttle_yes : NULL);
}

static int offer_plan(struct console *c, struct action_plan *plan, int step)
{
	c->plan = *plan;	/* the dialog holds it now */
	return console_offer_plan(c, step);
}

static void build_clean_plan(struct console *c, struct cleanup_session *s)
{
	struct error err;
	if (console_busy(c))
		return;
	if (plan_job_start_clean(&c->job, s, c->queue, &err) < 0)	/* console.c's job_tick offers it */
		console_say(c, 1, "%s", err.msg);
	else
		console_say(c, 0, "Building the plan (Esc cancels)...");
	c->job_shown = 0;
}

static const struct wizard_services services = {
	.say = say,
	.dialog = dialog,
	.close_dialog = console_close_dialog,
	.can_change_queue = console_can_change_queue,
	.offer_plan = offer_plan,
	.build_clean_plan = build_clean_plan,
};

/* env_of - what the console shows now */
static const struct wizard_env *env_of(struct console *c, struct cleanup_env *e)
{
	e->x = (struct wizard_env){
		.opt = c->opt, .model = c->model, .queue = c->queue, .queue_time = c->queue_time,
		.suspects = c->suspects, .nsuspects = c->nsuspects, .is_root = c->is_root,
		.reading_history = c->reading_history, .action_running = c->act.w.running,
		.dialog_open = console_dialog_view(c) != NULL,
		.logs = e->logs, .nlogs = console_log_files(c, 0, e->logs),
		.inputs = e->inputs, .ninputs = c->ninputs, .ask = &services, .con = c,
	};
	for (size_t i = 0; i < c->ninputs; i++) {
		const struct console_input *in = &c->inputs[i];
		e->inputs[i] = in->path;
		if (in->journal && pipe_source_ended(in->pipe)) {	/* the journal is this machine's log */
			const char *why = pipe_source_end_message(in->pipe);
			e->x.blind = why[0] ? why : "journalctl ended";
		}
	}
	return &e->x;
}

static unsigned contain_yes(struct console *c)
{
	struct cleanup_env e;
	return wizard_confirmed(c->wizard, env_of(c, &e), WIZARD_YES_CONTAIN);
}

static unsigned throttle_yes(struct console *c)
{
	struct cleanup_env e;
	return wizard_confirmed(c->wizard, env_of(c, &e), WIZARD_YES_THROTTLE);
}

/* cleanup_key - a step's keys, else the page scrolls */
static unsigned cleanup_key(struct console *c, struct view *v, enum action_id a)
{
	struct cleanup_env e;
	unsigned r = wizard_key(c->wizard, env_of(c, &e), a);
	return r ? r : console_page_action(&v->pager, a);
}

static void cleanup_on_data(struct console *c, struct view *v)
{
	struct cleanup_env e;
	wizard_render(c->wizard, env_of(c, &e), &v->pager);
}

const struct view_ops wizard_view_ops = {
	.name = "cleanup", .scope = KM_WIZARD, .key = cleanup_key, .draw = draw_page_view, .on_data = cleanup_on_data,
};

int console_open_cleanup(struct console *c, int resume, struct error *err)
{
	struct cleanup_env e;
	if (wizard_open(&c->wizard, env_of(c, &e), resume, err) < 0)
		return -1;
	struct view *v = console_push_view(c, &wizard_view_ops);
	if (v == NULL) {
		error_set(err, "too many views open");
		return -1;
	}
	pager_init(&v->pager, "Cleanup");
	return 0;
}

unsigned console_cleanup_tick(struct console *c)
{
	struct cleanup_env e;
	return c->wizard ? wizard_tick(c->wizard, env_of(c, &e)) : R_NONE;
}

void console_cleanup_queue_changed(struct console *c)
{
	struct cleanup_env e;
	if (c->wizard)
		wizard_queue_changed(c->wizard, env_of(c, &e));
}

void console_cleanup_plan_done(struct console *c, int step, const struct action_plan *p,
			       const struct action_outcome *o, int ok)
{
	struct cleanup_env e;
	if (c->wizard)
		wizard_plan_done(c->wizard, env_of(c, &e), step, p, o, ok);
}
