/*
 * dialog - the confirmation dialog of a queue plan: whether the queue may be
 * changed here at all, the plan shown with its exact command, and the
 * dialog closed. What y does is the dialog's own callback (dialog_yes): the
 * console's run of the plan, the wizard's containment or throttled release,
 * an action asked of another server. The wizard offers its plans here too.
 */
#include "console_state.h"

void console_close_dialog(struct console *c)
{
	c->dialog_open = 0;
	c->dialog_yes = NULL;
	c->dialog_step = 0;
	pager_free(&c->dialog);
	if (c->plan_ready)
		action_plan_free(&c->plan);
	c->plan_ready = 0;
	if (c->remote_ready)
		remote_action_free(&c->remote_call);
	c->remote_ready = 0;
}

struct pager *console_dialog(struct console *c, const char *title, unsigned (*yes)(struct console *c))
{
	if (c->dialog_open)	/* its page goes; a plan or a remote call it held stays its owner's */
		pager_free(&c->dialog);
	pager_init(&c->dialog, title);
	c->dialog_open = 1;
	c->dialog_yes = yes;
	return &c->dialog;
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
		console_say(c, 0, "No queued message that %s can change matches %s", action_name(c->plan.action),
		    c->plan.what);
		action_plan_free(&c->plan);
		return 0;
	}
	console_dialog(c, c->opt->dry_run ? "DRY RUN: nothing will be changed" : "Confirm a change to the queue",
		       c->confirm_plan);
	struct buf b = BUF_INIT;
	action_plan_describe(&c->plan, c->queue, PLAN_SHOW_IDS, &b);
	pager_add_lines(&c->dialog, LS_TEXT, b.data, b.len);
	buf_free(&b);
	if (c->plan.action == ACT_DELETE && !c->plan.all)
		pager_puts(&c->dialog, LS_TEXT, "Mind: legitimate mail from the same source is in this set too.");
	pager_puts(&c->dialog, LS_TEXT, "");
	pager_addf(&c->dialog, LS_TEXT, "y: %s   any other key: cancel", c->opt->dry_run ? "show the result of the dry run"
		   : "run it (journaled)");
	c->dialog_step = wizard_step;
	c->plan_ready = 1;
	return 1;
}
