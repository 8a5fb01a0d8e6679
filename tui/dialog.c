/*
 * dialog - the confirmation dialog of a queue plan: whether the queue may be
 * changed here at all, the plan shown with its exact command, and the
 * dialog closed. The dialog is a modal view on the console's stack; what y
 * does is its own callback (view.yes): the console's run of the plan, the
 * wizard's containment or throttled release, an action asked of another
 * server. The wizard offers its plans here too.
 */
#include "console_state.h"

#include <stdlib.h>

/* dialog_close - what the dialog held and was not taken by its y goes with it */
static void dialog_close(struct console *c, struct view *v)
{
	(void)v;
	c->dialog_step = 0;
	if (c->plan_ready)
		action_plan_free(&c->plan);
	c->plan_ready = 0;
	if (c->remote_ready)
		remote_action_free(&c->remote_call);
	c->remote_ready = 0;
}

/* dialog_key - y runs what it confirms; any other key cancels it, or closes a page that only informs */
static unsigned dialog_key(struct console *c, struct view *v, int is_key, wint_t ch)
{
	if (v->yes && !is_key && (ch == 'y' || ch == 'Y'))
		return v->yes(c);	/* it closes the dialog, or opens the next page in it */
	if (v->yes)
		console_say(c, 0, "Cancelled: nothing was changed");
	console_remove_view(c, v);
	return R_REBUILD;
}

const struct view_ops dialog_view_ops = {
	.name = "dialog", .scope = KM_PAGER, .modal = 1,
	.raw_key = dialog_key, .draw = draw_dialog_view, .close = dialog_close,
};

struct view *console_dialog_view(struct console *c)
{
	for (int i = c->depth - 1; i >= 0; i--)
		if (c->stack[i]->ops == &dialog_view_ops)
			return c->stack[i];
	return NULL;
}

void console_close_dialog(struct console *c)
{
	struct view *v = console_dialog_view(c);
	if (v)
		console_remove_view(c, v);
}

struct pager *console_dialog(struct console *c, const char *title, unsigned (*yes)(struct console *c))
{
	struct view *v = console_dialog_view(c);
	if (v)	/* its page goes; a plan or a remote call it held stays its owner's */
		pager_free(&v->pager);
	else if ((v = console_push_view(c, &dialog_view_ops)) == NULL)
		abort();	/* out of memory: a dialog always has its place on the stack (CONSOLE_MAX_MODALS) */
	pager_init(&v->pager, title);
	v->yes = yes;
	return &v->pager;
}

int console_can_change_queue(struct console *c)
{
	if (c->opt->no_queue)
		console_say(c, 1, "The queue is not read (--no-queue): nothing to act on");
	else if (!c->is_root && !c->opt->dry_run)
		console_say(c, 1, "Changing the queue needs root (postsuper). Read-only here; --dry-run previews actions.");
	else if (c->queue == NULL)
		console_say(c, 1, "The queue has not been read yet%s%s", c->queue_error[0] ? ": " : "", c->queue_error);
	else
		return 1;
	return 0;
}

int console_offer_plan(struct console *c, int wizard_step)
{
	if (c->plan.expected == 0) {
		struct buf why = BUF_INIT;
		if (action_unlogged_describe(&c->plan, &why))	/* read from their files, and none was it */
			buf_puts(&why, ")");
		console_say(c, 0, "No queued message that %s can change matches %s%s%s", action_name(c->plan.action),
		    c->plan.what, why.len ? " (" : "", buf_str(&why));
		buf_free(&why);
		action_plan_free(&c->plan);
		return 0;
	}
	struct pager *d = console_dialog(c, c->opt->dry_run ? "DRY RUN: nothing will be changed"
					 : "Confirm a change to the queue", c->confirm_plan);
	struct buf b = BUF_INIT;
	action_plan_describe(&c->plan, c->queue, PLAN_SHOW_IDS, &b);
	pager_add_lines(d, LS_TEXT, b.data, b.len);
	buf_free(&b);
	if (c->plan.action == ACT_DELETE && !c->plan.all)
		pager_puts(d, LS_TEXT, "Mind: legitimate mail from the same source is in this set too.");
	pager_puts(d, LS_TEXT, "");
	pager_addf(d, LS_TEXT, "y: %s   any other key: cancel", c->opt->dry_run ? "show the result of the dry run"
		   : "run it (journaled)");
	c->dialog_step = wizard_step;
	c->plan_ready = 1;
	return 1;
}
