/*
 * test_wizard - the guided cleanup without a console: it is handed what
 * the console shows (the real outbreak's model, suspects and queue) and a
 * recorder for the services it may ask (dialog, plans, status line). Step 1
 * offers holding the whole queue on its own behalf and moves on when done;
 * step 3 takes the suspects as targets, the admin's Space unmarks one; step 4 without root only shows the
 * commands; step 5 asks the console to build its plan off the key handler,
 * and nothing at all when the queue cannot be changed.
 */
#include "testutil.h"

#include "core/queue/queue.h"
#include "tui/wizard.h"

struct asked {
	char said[400];
	char dialog_title[200];
	enum wizard_yes dialog_yes;
	int dialogs, plans, plan_step, plan_all, clean_plans, can_change;
	enum queue_action plan_action;
	size_t plan_expected;
	struct pager page;
};

static struct asked asked;

static void say(struct console *c, int is_error, const char *msg)
{
	(void)c;
	(void)is_error;
	snprintf(asked.said, sizeof(asked.said), "%s", msg);
}

static struct pager *dialog(struct console *c, const char *title, enum wizard_yes yes)
{
	(void)c;
	asked.dialogs++;
	snprintf(asked.dialog_title, sizeof(asked.dialog_title), "%s", title);
	asked.dialog_yes = yes;
	pager_free(&asked.page);
	pager_init(&asked.page, title);
	return &asked.page;
}

static void close_dialog(struct console *c) { (void)c; }

static int can_change_queue(struct console *c)
{
	(void)c;
	return asked.can_change;
}

static int offer_plan(struct console *c, struct action_plan *plan, int step)
{
	(void)c;
	asked.plans++;
	asked.plan_step = step;
	asked.plan_action = plan->action;
	asked.plan_all = plan->all;
	asked.plan_expected = plan->expected;
	action_plan_free(plan);	/* the console takes it */
	return 1;
}

static void build_clean_plan(struct console *c, struct cleanup_session *s)
{
	(void)c;
	(void)s;
	asked.clean_plans++;
}

static const struct wizard_services recorder = {say, dialog, close_dialog, can_change_queue, offer_plan, build_clean_plan};

struct outbreak {
	struct console_options opt;
	struct model *model;
	struct queue_snapshot *queue;
	struct suspect suspects[64];
	struct wizard_env x;
	char state[128], report[128], journal[128];
};

static void outbreak_open(struct outbreak *o)
{
	memset(&asked, 0, sizeof(asked));
	memset(o, 0, sizeof(*o));
	console_options_default(&o->opt);
	snprintf(o->state, sizeof(o->state), "%s/cleanup.json", test_dir());
	snprintf(o->report, sizeof(o->report), "%s/incident.md", test_dir());
	snprintf(o->journal, sizeof(o->journal), "%s/journal", test_dir());
	o->opt.state_path = o->state;
	o->opt.incident_path = o->report;
	o->opt.journal = o->journal;
	o->model = test_lab_model();
	o->queue = queue_snapshot_new();
	size_t len = 0;
	char *text = test_read_file("tests/fixtures/lab-postqueue.jsonl", &len);
	for (char *line = text, *nl; line < text + len; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(text + len - line));
		if (nl == NULL)
			nl = text + len;
		assert_int_equal(queue_add_json(o->queue, line, (size_t)(nl - line)), 0);
	}
	free(text);
	struct detect_thresholds th;
	detect_thresholds_default(&th);
	o->x = (struct wizard_env){
		.opt = &o->opt, .model = o->model, .queue = o->queue,
		.suspects = o->suspects, .nsuspects = detect_suspects(o->model, &th, o->suspects, 64),
		.ask = &recorder,
	};
	asked.can_change = 1;
}

static void outbreak_close(struct outbreak *o, struct wizard *w)
{
	wizard_free(w);
	queue_snapshot_free(o->queue);
	model_free(o->model);
	pager_free(&asked.page);
}

/* wizard_at - the cleanup opened on the outbreak, moved on to step (n: next, as the admin would) */
static struct wizard *wizard_at(struct outbreak *o, int step)
{
	outbreak_open(o);
	struct wizard *w = NULL;
	struct error err;
	assert_int_equal(wizard_open(&w, &o->x, 0, &err), 0);
	for (int i = 1; i < step; i++)
		wizard_key(w, &o->x, ACTION_STEP_NEXT);
	return w;
}

static int page_has(struct wizard *w, const struct wizard_env *x, const char *text)
{
	struct pager p;
	pager_init(&p, "");
	wizard_render(w, x, &p);
	int found = strstr(p.title, text) != NULL;	/* the step is named in the title */
	for (size_t i = 0; i < p.nlines && !found; i++) {
		size_t len;
		const char *s = pager_line(&p, i, &len);
		char line[1024];
		snprintf(line, sizeof(line), "%.*s", (int)len, s);
		found = strstr(line, text) != NULL;
	}
	pager_free(&p);
	return found;
}

static void step_1_offers_holding_the_whole_queue_and_moves_on_when_it_is_done(void **state)
{
	(void)state;
	struct outbreak o;
	struct wizard *w = wizard_at(&o, 1);
	assert_true(page_has(w, &o.x, "Cleanup step 1 of 6"));
	wizard_key(w, &o.x, ACTION_STEP_DO);
	assert_int_equal(asked.plans, 1);
	assert_int_equal(asked.plan_step, 1);
	assert_int_equal(asked.plan_action, ACT_HOLD);
	assert_true(asked.plan_all);
	assert_int_equal(asked.plan_expected, o.queue->count - o.queue->by_queue[QN_HOLD]);
	assert_true(asked.plan_expected > 0);
	struct action_plan done = {.action = ACT_HOLD, .all = 1, .expected = asked.plan_expected};
	struct action_outcome out;
	memset(&out, 0, sizeof(out));
	out.reported = (long)asked.plan_expected;
	wizard_plan_done(w, &o.x, 1, &done, &out, 1);
	assert_true(page_has(w, &o.x, "Cleanup step 2 of 6"));
	assert_true(page_has(w, &o.x, "done: 1."));
	outbreak_close(&o, w);
}

static void step_3_takes_the_senders_among_the_suspects_as_targets_and_space_unmarks_one(void **state)
{
	(void)state;
	struct outbreak o;
	struct wizard *w = wizard_at(&o, 3);
	assert_true(page_has(w, &o.x, "Cleanup step 3 of 6"));
	assert_true(page_has(w, &o.x, "> [x] sasl_user victim@lab.example"));	/* the cursor on the first */
	assert_true(page_has(w, &o.x, "[x] trusted_relay 127.0.0.2"));
	assert_true(page_has(w, &o.x, "[ ] brute_force 127.0.0.66"));	/* sends nothing: not marked */
	assert_false(page_has(w, &o.x, "alice@lab.example"));	/* an ordinary user is no target */
	wizard_key(w, &o.x, ACTION_TAG);	/* Space: the admin unmarks the victim */
	assert_true(page_has(w, &o.x, "> [ ] sasl_user victim@lab.example"));
	assert_int_equal(asked.plans + asked.dialogs + asked.clean_plans, 0);	/* reading asks nothing */
	outbreak_close(&o, w);
}

static void step_4_without_root_only_shows_the_commands(void **state)
{
	(void)state;
	struct outbreak o;
	struct wizard *w = wizard_at(&o, 4);
	wizard_key(w, &o.x, ACTION_STEP_DO);
	assert_int_equal(asked.dialogs, 1);
	assert_string_equal(asked.dialog_title, "Read-only: these are for you to run");
	assert_int_equal(asked.dialog_yes, WIZARD_YES_NONE);	/* y runs nothing */
	assert_null(wizard_busy(w));
	outbreak_close(&o, w);
}

static void step_5_asks_the_console_to_build_its_plan_only_when_the_queue_can_change(void **state)
{
	(void)state;
	struct outbreak o;
	struct wizard *w = wizard_at(&o, 5);
	assert_true(page_has(w, &o.x, "Cleanup step 5 of 6"));
	asked.can_change = 0;
	wizard_key(w, &o.x, ACTION_STEP_DO);
	assert_int_equal(asked.clean_plans, 0);
	asked.can_change = 1;
	wizard_key(w, &o.x, ACTION_STEP_DO);
	assert_int_equal(asked.clean_plans, 1);
	assert_int_equal(asked.plans, 0);	/* the plan comes from the console's job, not from the key */
	outbreak_close(&o, w);
}

int main(void)
{
	test_use_utc();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(step_1_offers_holding_the_whole_queue_and_moves_on_when_it_is_done),
		cmocka_unit_test(step_3_takes_the_senders_among_the_suspects_as_targets_and_space_unmarks_one),
		cmocka_unit_test(step_4_without_root_only_shows_the_commands),
		cmocka_unit_test(step_5_asks_the_console_to_build_its_plan_only_when_the_queue_can_change),
	};
	return cmocka_run_group_tests(tests, test_dir_setup, test_dir_teardown);
}
