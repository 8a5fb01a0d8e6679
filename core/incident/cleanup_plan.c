/*
 * cleanup_plan - every step's findings and commands, as text (see
 * cleanup_plan.h).
 */
#include "core/incident/cleanup_plan.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

#include "core/incident/contain_text.h"
#include "core/model/aggview.h"
#include "core/model/detect.h"
#include "core/base/sanitize.h"

/* put - log text, with control characters made visible */
static void put(FILE *f, const char *s, size_t len)
{
	struct buf b = BUF_INIT;
	sanitize_text(&b, s, len);
	fwrite(b.data ? b.data : "", 1, b.len, f);
	buf_free(&b);
}

static void put_str(FILE *f, const char *s) { put(f, s, strlen(s)); }

static void step_hold(FILE *f, const struct cleanup_plan_input *in)
{
	fprintf(f, "Step 1 of 6: %s\n", cleanup_step_title(STEP_HOLD));
	if (in->q)
		fprintf(f, "  queue: %zu messages: incoming %zu, active %zu, deferred %zu, hold %zu\n", in->q->count,
			in->q->by_queue[QN_INCOMING], in->q->by_queue[QN_ACTIVE], in->q->by_queue[QN_DEFERRED],
			in->q->by_queue[QN_HOLD]);
	else
		fprintf(f, "  queue: not read (%s)\n", in->queue_error ? in->queue_error : "--no-queue");
	fputs("  command: postsuper -h ALL (each Postfix instance: postsuper -c DIR -h ALL)\n\n", f);
}

static void step_read(FILE *f, const struct cleanup_plan_input *in)
{
	const struct model_totals *t = model_totals(in->m);
	fprintf(f, "Step 2 of 6: %s\n", cleanup_step_title(STEP_READ));
	fprintf(f, "  messages in the log: %llu; with the null sender from=<>: %llu\n", (unsigned long long)t->messages,
		(unsigned long long)t->null_sender);
	const struct agg_stats *top[64];
	size_t n = agg_top(in->m, AGG_DOMAIN, F_MSGS, 1, top, 64), shown = 0;
	fputs("  sender domains that are not ours:", f);
	for (size_t i = 0; i < n && shown < 8; i++) {
		if (top[i]->key->len == 0 || (in->pf && domain_list_has(&in->pf->at[0].ours, top[i]->key->s, top[i]->key->len)))
			continue;
		fprintf(f, "%s%u ", shown++ ? ", " : " ", top[i]->msgs);
		put(f, top[i]->key->s, top[i]->key->len);
	}
	fputs(shown ? "\n" : " none\n", f);
	if (in->pf == NULL)
		fprintf(f, "  (which domains are ours is unknown: %s)\n", in->conf_error ? in->conf_error : "no postconf");
	fputc('\n', f);
}

static void step_identify(FILE *f, const struct cleanup_plan_input *in)
{
	struct cleanup_state *st = in->st;
	fprintf(f, "Step 3 of 6: %s\n", cleanup_step_title(STEP_IDENTIFY));
	if (!st->targets_set)
		cleanup_targets_from_suspects(st, in->sus, in->nsus);
	if (st->ntargets == 0)
		fputs("  no suspect crossed its threshold\n", f);
	for (size_t i = 0; i < st->ntargets; i++) {
		fprintf(f, "  [%c] %s ", st->targets[i].chosen ? 'x' : ' ', suspect_kind_name(st->targets[i].kind));
		put_str(f, st->targets[i].key);
		fputc('\n', f);
		for (size_t k = 0; k < in->nsus; k++) {
			const struct istr *key = in->sus[k].agg->key;
			if (in->sus[k].kind != st->targets[i].kind || key->len != strlen(st->targets[i].key)
			    || memcmp(key->s, st->targets[i].key, key->len) != 0)
				continue;
			for (int r = 0; r < in->sus[k].nreasons; r++) {
				fputs("      - ", f);
				put_str(f, in->sus[k].reasons[r]);
				fputc('\n', f);
			}
		}
	}
	fputc('\n', f);
}

/* plan_line - one of step 4's lines: a target's name, then what is done, indented */
static void plan_line(enum contain_line kind, const char *text, void *arg)
{
	FILE *f = arg;
	fputs(kind == CL_HEADING ? "  " : "    ", f);
	put_str(f, text);
	fputc('\n', f);
}

static void step_contain(FILE *f, const struct cleanup_plan_input *in)
{
	fprintf(f, "Step 4 of 6: %s\n", cleanup_step_title(STEP_CONTAIN));
	struct contain_text_input ct = {in->st, in->pf, in->conf_error, in->m, NULL, in->disable_cmd};
	int runnable;
	if (contain_text(&ct, plan_line, f, &runnable) == 0)
		fputs("  nothing marked to contain\n", f);
	fputc('\n', f);
}

static void step_clean(FILE *f, const struct cleanup_plan_input *in)
{
	fprintf(f, "Step 5 of 6: %s\n", cleanup_step_title(STEP_CLEAN));
	if (in->q == NULL) {
		fputs("  the queue was not read\n\n", f);
		return;
	}
	size_t count = 0, bytes = 0;
	for (size_t i = 0; i < in->q->count; i++)
		for (size_t k = 0; k < in->st->ntargets; k++)
			if (cleanup_target_owns(&in->st->targets[k], &in->q->msgs[i])) {
				count++;
				bytes += in->q->msgs[i].size;
				break;
			}
	fprintf(f, "  the marked suspects' queued messages (by the log): %zu, %zu bytes\n", count, bytes);
	size_t unlogged = queue_unlogged_count(in->q);
	if (unlogged)	/* queued before the log began: the plan reads their files */
		fprintf(f, "  queued messages the log does not know: %zu; their files are read when the plan is built, "
			"and those of the marked suspects join it\n", unlogged);
	fputs("  command: postsuper -d - (their queue IDs on its standard input, each confirmed from its queue file "
	      "first); or keep them held\n\n", f);
}

int cleanup_plan_write(FILE *f, struct cleanup_plan_input *in, struct error *err)
{
	step_hold(f, in);
	step_read(f, in);
	step_identify(f, in);
	step_contain(f, in);
	step_clean(f, in);
	fprintf(f, "Step 6 of 6: %s\n  command: postsuper -H ALL; then watch the contained sources\n",
		cleanup_step_title(STEP_RELEASE));
	if (fflush(f) == EOF || ferror(f)) {
		error_errno(err, errno, "cannot write the cleanup plan");
		return -1;
	}
	return 0;
}
