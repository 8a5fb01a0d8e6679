/*
 * test_view_stack - the console's one stack of views without a terminal:
 * content views stay under a dialog or the prompt, the modal view on top
 * takes the keys raw, a dialog's y runs its own callback and any other key
 * cancels it and frees the plan it held, the prompt's Enter filters the
 * table under it, and the depth limits.
 */
#include "testutil.h"

#include <locale.h>

#include "tui/console_state.h"

static struct console *console_new(void)
{
	struct console *c = calloc(1, sizeof(*c));
	assert_non_null(c);
	for (int t = 0; t < TAB_COUNT; t++)
		table_init_tab(&c->tabs[t], (enum tab_id)t);
	return c;
}

static void console_free(struct console *c)
{
	while (c->depth)
		console_pop_view(c);
	for (int t = 0; t < TAB_COUNT; t++)
		table_free(&c->tabs[t]);
	free(c);
}

static int yes_calls;

static unsigned count_yes(struct console *c)
{
	yes_calls++;
	console_close_dialog(c);
	return R_REBUILD;
}

static void a_page_opened_under_a_dialog_goes_beneath_it(void **state)
{
	(void)state;
	struct console *c = console_new();
	struct view *page = console_push_view(c, &page_view_ops);
	console_dialog(c, "a question", NULL);
	struct view *dialog = console_dialog_view(c);
	assert_ptr_equal(console_modal(c), dialog);
	struct view *later = console_push_view(c, &page_view_ops);	/* e.g. a trail found meanwhile */
	assert_ptr_equal(c->stack[c->depth - 1], dialog);	/* the dialog stays on top */
	assert_ptr_equal(console_top(c), later);	/* the content the dialog is over */
	assert_ptr_equal(c->stack[0], page);
	console_close_dialog(c);
	assert_null(console_modal(c));
	assert_null(console_dialog_view(c));
	assert_ptr_equal(console_top(c), later);
	assert_int_equal(c->depth, 2);
	console_free(c);
}

static void a_dialog_runs_its_own_yes_and_nothing_else_does(void **state)
{
	(void)state;
	struct console *c = console_new();
	yes_calls = 0;
	console_dialog(c, "confirm", count_yes);
	struct view *m = console_modal(c);
	assert_int_equal(m->ops->raw_key(c, m, 0, L'y') & R_REBUILD, R_REBUILD);
	assert_int_equal(yes_calls, 1);
	assert_null(console_dialog_view(c));
	console_dialog(c, "confirm", count_yes);	/* n, a curses key: cancelled, yes not run */
	m = console_modal(c);
	m->ops->raw_key(c, m, 0, L'n');
	assert_null(console_dialog_view(c));
	console_dialog(c, "confirm", count_yes);
	m = console_modal(c);
	m->ops->raw_key(c, m, 1, L'y');	/* a key code equal to 'y' is no y */
	assert_int_equal(yes_calls, 1);
	assert_string_equal(c->message, "Cancelled: nothing was changed");
	console_free(c);
}

static void a_cancelled_dialog_frees_the_plan_it_held(void **state)
{
	(void)state;
	struct console *c = console_new();
	assert_int_equal(id_list_add(&c->plan.ids, "4Y0Bt1lmr3z7Hb4"), 0);	/* freed or ASan says so */
	c->plan_ready = 1;
	c->dialog_step = 5;
	console_dialog(c, "confirm", count_yes);
	struct view *m = console_modal(c);
	m->ops->raw_key(c, m, 0, 27);	/* Esc */
	assert_int_equal(c->plan_ready, 0);
	assert_int_equal(c->dialog_step, 0);
	assert_int_equal(c->plan.ids.count, 0);
	console_free(c);
}

static void a_second_dialog_replaces_the_page_of_the_first(void **state)
{
	(void)state;
	struct console *c = console_new();
	pager_puts(console_dialog(c, "first", count_yes), LS_TEXT, "one");
	struct pager *p = console_dialog(c, "second", NULL);	/* e.g. the result of what y ran */
	assert_int_equal(c->depth, 1);
	assert_string_equal(p->title, "second");
	assert_int_equal(p->nlines, 0);
	assert_null(console_dialog_view(c)->yes);
	console_free(c);
}

static void keys_go_to_a_dialog_over_the_prompt_then_to_the_prompt(void **state)
{
	(void)state;
	struct console *c = console_new();
	console_open_prompt(c, &c->tabs[c->tab]);
	struct view *prompt = console_modal(c);
	assert_ptr_equal(prompt->ops, &prompt_view_ops);
	prompt->ops->raw_key(c, prompt, 0, L'v');
	console_dialog(c, "an answer came", NULL);	/* a job ended while the admin typed */
	struct view *m = console_modal(c);
	assert_ptr_equal(m->ops, &dialog_view_ops);
	m->ops->raw_key(c, m, 0, L'i');	/* closes the dialog, types nothing */
	assert_ptr_equal(console_modal(c), prompt);
	assert_string_equal(buf_str(&prompt->input), "v");
	console_free(c);
}

static void the_prompt_edits_its_line_and_enter_filters_the_table_under_it(void **state)
{
	(void)state;
	struct console *c = console_new();
	console_open_prompt(c, &c->tabs[c->tab]);
	struct view *p = console_modal(c);
	for (const wchar_t *k = L"vix\u00e9"; *k; k++)
		p->ops->raw_key(c, p, 0, (wint_t)*k);
	p->ops->raw_key(c, p, 0, 127);	/* the whole é goes, both bytes */
	assert_string_equal(buf_str(&p->input), "vix");
	p->ops->raw_key(c, p, 0, 127);
	p->ops->raw_key(c, p, 0, L'c');
	p->ops->raw_key(c, p, 0, L'\r');
	assert_null(console_modal(c));
	assert_string_equal(buf_str(&c->tabs[c->tab].filter), "vic");
	console_open_prompt(c, &c->tabs[c->tab]);	/* opens with the filter; Esc keeps it */
	p = console_modal(c);
	assert_string_equal(buf_str(&p->input), "vic");
	p->ops->raw_key(c, p, 0, 21);	/* C-u */
	p->ops->raw_key(c, p, 0, 27);
	assert_null(console_modal(c));
	assert_string_equal(buf_str(&c->tabs[c->tab].filter), "vic");
	console_free(c);
}

static void drill_downs_stop_at_the_depth_limit_and_a_dialog_still_opens(void **state)
{
	(void)state;
	struct console *c = console_new();
	for (int i = 0; i < CONSOLE_MAX_DEPTH; i++)
		assert_non_null(console_push_view(c, &page_view_ops));
	assert_null(console_push_view(c, &page_view_ops));
	assert_string_equal(c->message, "Too deep: go back first");
	console_open_prompt(c, &c->tabs[c->tab]);
	assert_non_null(console_dialog(c, "a result", NULL));	/* never lost to a deep stack */
	assert_int_equal(c->depth, CONSOLE_MAX_DEPTH + 2);
	console_free(c);
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_page_opened_under_a_dialog_goes_beneath_it),
		cmocka_unit_test(a_dialog_runs_its_own_yes_and_nothing_else_does),
		cmocka_unit_test(a_cancelled_dialog_frees_the_plan_it_held),
		cmocka_unit_test(a_second_dialog_replaces_the_page_of_the_first),
		cmocka_unit_test(keys_go_to_a_dialog_over_the_prompt_then_to_the_prompt),
		cmocka_unit_test(the_prompt_edits_its_line_and_enter_filters_the_table_under_it),
		cmocka_unit_test(drill_downs_stop_at_the_depth_limit_and_a_dialog_still_opens),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
