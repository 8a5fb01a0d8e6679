/*
 * queue_cmd - the queue commands of the command line:
 *   spamtop queue [--json] [--log FILE]...
 *   spamtop hold|release|requeue|delete (--all | SELECTION...) [--dry-run] [--yes]
 *
 * The order of an action is fixed: read the queue, select, confirm the
 * selection from the queue files, show exactly what will run and on how many
 * messages, stop here on --dry-run, ask (or take --yes), write the journal's
 * "planned" entry (refuse if it cannot be written), run postsuper, read the
 * queue again, report and journal each message's outcome.
 */
#include "queue_cmd.h"


#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd_io.h"
#include "core/base/clock.h"
#include "core/queue/action.h"
#include "core/model/feed.h"
#include "core/base/journal.h"
#include "core/base/sanitize.h"

#define QUEUE_TIMEOUT_MS 30000
#define SHOW_IDS 10

struct queue_opts {
	struct selection sel;
	struct feed feed;	/* --log FILE..., --journald: for selections by what the log says */
	const char *journal;
	int all, dry_run, yes, json, summary;
	const char *ids[256];
};

static int parse_opts(int argc, char **argv, struct queue_opts *o)
{
	static const struct option opts[] = {
		{"id", required_argument, NULL, 'i'},
		{"sasl-user", required_argument, NULL, 'u'},
		{"sender", required_argument, NULL, 's'},
		{"client-ip", required_argument, NULL, 'c'},
		{"sender-domain", required_argument, NULL, 'D'},
		{"match", required_argument, NULL, 'm'},
		{"instance", required_argument, NULL, 'I'},
		{"uid", required_argument, NULL, 'U'},
		{"all", no_argument, NULL, 'a'},
		{"dry-run", no_argument, NULL, 'n'},
		{"yes", no_argument, NULL, 'y'},
		{"json", no_argument, NULL, 'j'},
		{"summary", no_argument, NULL, 'S'},
		{"log", required_argument, NULL, 'l'},
		{"journald", no_argument, NULL, 'L'},
		{"journal", required_argument, NULL, 'J'},
		{NULL, 0, NULL, 0},
	};
	int c;
	struct error err = {""};
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (o->sel.nids >= sizeof(o->ids) / sizeof(o->ids[0])) {
				fprintf(stderr, "spamtop: at most %zu --id options\n", sizeof(o->ids) / sizeof(o->ids[0]));
				return -1;
			}
			o->ids[o->sel.nids++] = optarg;
			o->sel.ids = o->ids;
			break;
		case 'u': o->sel.sasl_user = optarg; break;
		case 's': o->sel.sender = optarg; break;
		case 'c': o->sel.client_ip = optarg; break;
		case 'D': o->sel.sender_domain = optarg; break;
		case 'm': o->sel.match = optarg; break;
		case 'I': o->sel.instance = optarg; break;
		case 'U': o->sel.local_uid = optarg; break;
		case 'a': o->all = 1; break;
		case 'n': o->dry_run = 1; break;
		case 'y': o->yes = 1; break;
		case 'j': o->json = 1; break;
		case 'S': o->summary = 1; break;
		case 'J': o->journal = optarg; break;
		case 'l':
			if (feed_add_file(&o->feed, optarg, &err) < 0) {
				fprintf(stderr, "spamtop: %s\n", err.msg);
				return -1;
			}
			break;
		case 'L': o->feed.journald = 1; break;
		default:
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "spamtop: unexpected argument '");
		say_text(stderr, argv[optind]);
		fprintf(stderr, "'\n");
		return -1;
	}
	if (o->journal == NULL)
		o->journal = journal_default_path();
	return 0;
}

/* load_model - the log, for selections by SASL user or client IP */
static struct model *load_model(struct queue_opts *o)
{
	struct error err;
	struct model *m = feed_finish(&o->feed, 0, &err) < 0 ? NULL : feed_model(&o->feed, &err);
	if (m == NULL)
		fprintf(stderr, "spamtop: %s\n", err.msg);
	return m;
}

static struct queue_snapshot *snapshot(struct model *m)
{
	struct queue_snapshot *q = queue_snapshot_new();
	struct error err;
	if (q == NULL || queue_load(q, QUEUE_TIMEOUT_MS, &err) < 0) {
		fprintf(stderr, "spamtop: cannot read the queue: %s\n", q ? err.msg : "out of memory");
		queue_snapshot_free(q);
		return NULL;
	}
	if (m)
		queue_join(q, m);
	return q;
}

/* ---- spamtop queue ---- */

static json_t *istr_json(const struct istr *s)
{
	if (s == NULL)
		return json_null();
	struct buf b = BUF_INIT;
	sanitize_utf8(&b, s->s, s->len);
	json_t *j = json_stringn(buf_str(&b), b.len);
	buf_free(&b);
	return j ? j : json_null();
}

static int print_queue_json(const struct queue_snapshot *q, int64_t now)
{
	json_t *root = json_object();
	json_object_set_new(root, "schema", json_string("spamtop.queue/1"));
	json_object_set_new(root, "method", json_string(q->method));
	json_object_set_new(root, "total", json_integer((json_int_t)q->count));
	json_object_set_new(root, "bytes", json_integer((json_int_t)q->bytes));
	json_t *byq = json_object();
	for (int i = 0; i < QN_COUNT; i++)
		json_object_set_new(byq, queue_name_str((enum queue_name)i), json_integer((json_int_t)q->by_queue[i]));
	json_object_set_new(root, "by_queue", byq);
	size_t ages[QUEUE_AGE_BUCKETS];
	queue_age_histogram(q, now, ages);
	json_t *aj = json_array();
	for (int i = 0; i < QUEUE_AGE_BUCKETS; i++) {
		json_t *b = json_object();
		json_object_set_new(b, "max_minutes", queue_age_limits_minutes[i] < 0 ? json_null()
						     : json_integer(queue_age_limits_minutes[i]));
		json_object_set_new(b, "count", json_integer((json_int_t)ages[i]));
		json_array_append_new(aj, b);
	}
	json_object_set_new(root, "ages", aj);
	json_t *msgs = json_array();
	for (size_t i = 0; i < q->count; i++) {
		const struct queued_msg *m = &q->msgs[i];
		json_t *o = json_object();
		json_object_set_new(o, "queue_id", json_string(m->qid));
		json_object_set_new(o, "instance", json_string(instance_label(queue_instance(q, m))));
		json_object_set_new(o, "queue", json_string(queue_name_str(m->queue)));
		json_object_set_new(o, "arrival_time", json_integer(m->arrival));
		json_object_set_new(o, "size", json_integer((json_int_t)m->size));
		json_object_set_new(o, "sender", istr_json(m->sender));
		json_object_set_new(o, "recipients", json_integer(m->nrcpt));
		json_object_set_new(o, "delay_reason", istr_json(m->delay_reason));
		json_object_set_new(o, "sasl_user", istr_json(m->sasl_user));
		json_object_set_new(o, "client_ip", istr_json(m->client_ip));
		json_object_set_new(o, "local_uid", istr_json(m->local_uid));
		json_array_append_new(msgs, o);
	}
	json_object_set_new(root, "messages", msgs);
	int rc = json_dumpf(root, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER);
	json_decref(root);
	putchar('\n');
	return rc == 0 ? 0 : 1;
}

/* put_column - sanitized text in a column of width bytes: cut at a character
 * boundary (a byte count would split a UTF-8 sequence), padded with blanks */
static void put_column(const char *s, size_t width)
{
	size_t n = strlen(s);
	if (n > width) {
		n = width;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;	/* s[n] continues a character: cut before it */
	}
	printf("%.*s%*s", (int)n, s, (int)(width - n), "");
}

/* print_queue_heading - the total, and each instance's share of it */
static void print_queue_heading(const struct queue_snapshot *q)
{
	printf("Queue (%s): %zu messages, %llu bytes\n", q->method, q->count, (unsigned long long)q->bytes);
	if (q->inst.count > 1) {
		printf("Instances:");
		for (int i = 0; i < q->inst.count; i++) {
			size_t n = 0;
			for (size_t k = 0; k < q->count; k++)
				n += q->msgs[k].instance == i;
			printf("%s %s (%s) %zu", i ? "," : "", instance_label(&q->inst.at[i]),
			       q->inst.at[i].config_dir[0] ? q->inst.at[i].config_dir : "default", n);
		}
		putchar('\n');
	}
}

/* print_queue_counts - the heading, the count of each queue and the ages, the line of ages left open */
static void print_queue_counts(const struct queue_snapshot *q, int64_t now)
{
	print_queue_heading(q);
	for (int i = 0; i < QN_COUNT; i++)
		if (q->by_queue[i] || i <= QN_HOLD)
			printf("  %-9s %zu\n", queue_name_str((enum queue_name)i), q->by_queue[i]);
	size_t ages[QUEUE_AGE_BUCKETS];
	queue_age_histogram(q, now, ages);
	printf("Ages (minutes):");
	for (int i = 0; i < QUEUE_AGE_BUCKETS; i++)
		if (queue_age_limits_minutes[i] < 0)
			printf("  %d+: %zu", queue_age_limits_minutes[i - 1], ages[i]);
		else
			printf("  <%d: %zu", queue_age_limits_minutes[i], ages[i]);
}

static void print_queue_text(const struct queue_snapshot *q, int64_t now)
{
	print_queue_counts(q, now);
	printf("\n\n%-12s %-8s %8s  %-32s %-24s %s\n", "Queue ID", "Queue", "Size", "Sender", "SASL user", "Client IP");
	for (size_t i = 0; i < q->count; i++) {
		const struct queued_msg *m = &q->msgs[i];
		struct buf s = BUF_INIT, u = BUF_INIT, ip = BUF_INIT;	/* log text: sanitized, all of it */
		sanitize_text(&s, m->sender->len ? m->sender->s : "<>", m->sender->len ? m->sender->len : 2);
		if (m->sasl_user)
			sanitize_text(&u, m->sasl_user->s, m->sasl_user->len);
		if (m->client_ip)
			sanitize_text(&ip, m->client_ip->s, m->client_ip->len);
		struct buf ref = BUF_INIT;
		queue_ref(q, m, &ref);
		printf("%-12s %-8s %8llu  ", buf_str(&ref), queue_name_str(m->queue), (unsigned long long)m->size);
		put_column(buf_str(&s), 32);
		putchar(' ');
		put_column(m->sasl_user ? buf_str(&u) : "-", 24);
		printf(" %s\n", m->client_ip ? buf_str(&ip) : "-");
		buf_free(&s);
		buf_free(&u);
		buf_free(&ip);
		buf_free(&ref);
	}
}

struct count_row {
	const struct istr *key;
	uint32_t n;
};

static int by_count(const void *a, const void *b)
{
	const struct count_row *x = a, *y = b;
	return x->n != y->n ? (x->n < y->n ? 1 : -1) : strcmp(x->key->s, y->key->s);
}

/* top_counts - the most frequent keys; counts are kept in each istr's ref[0] */
static void print_top(const char *title, struct istr **keys, size_t n, size_t top)
{
	struct count_row *rows = malloc((n ? n : 1) * sizeof(*rows));
	size_t used = 0;
	for (size_t i = 0; rows && i < n; i++)
		if (keys[i]->ref[0]) {
			rows[used++] = (struct count_row){keys[i], keys[i]->ref[0]};
			keys[i]->ref[0] = 0;	/* each key once */
		}
	if (rows)
		qsort(rows, used, sizeof(*rows), by_count);
	printf("\n%s (%zu distinct)\n", title, used);
	for (size_t i = 0; i < used && i < top; i++) {
		printf("  %7u  ", rows[i].n);
		say_text(stdout, rows[i].key->len ? rows[i].key->s : "<>");
		putchar('\n');
	}
	free(rows);
}

/* print_queue_summary - counts only: what is readable with a million messages */
static void print_queue_summary(struct queue_snapshot *q, int64_t now)
{
	print_queue_counts(q, now);
	putchar('\n');
	struct istr **senders = malloc((q->count ? q->count : 1) * sizeof(*senders));
	struct istr **domains = malloc((q->count ? q->count : 1) * sizeof(*domains));
	size_t ns = 0, nd = 0;
	for (size_t i = 0; senders && domains && i < q->count; i++) {
		struct istr *s = (struct istr *)q->msgs[i].sender;
		if (s->ref[0]++ == 0)
			senders[ns++] = s;
		char dom[256];
		size_t dl = address_domain(s->s, s->len, dom, sizeof(dom));
		struct istr *d = intern(q->strings, dom, dl);
		if (d && d->ref[1]++ == 0)
			domains[nd++] = d;
	}
	print_top("Top senders", senders, ns, 10);
	for (size_t i = 0; i < nd; i++) {	/* domains counted in ref[1]; print_top reads ref[0] */
		domains[i]->ref[0] = domains[i]->ref[1];
		domains[i]->ref[1] = 0;
	}
	print_top("Top sender domains", domains, nd, 10);
	free(senders);
	free(domains);
}

static int cmd_queue(struct queue_opts *o)
{
	struct model *m = load_model(o);
	if (m == NULL)
		return 1;
	struct queue_snapshot *q = snapshot(m);
	if (q == NULL) {
		model_free(m);
		return 1;
	}
	int rc = 0;
	if (o->json)
		rc = print_queue_json(q, clock_now());
	else if (o->summary)
		print_queue_summary(q, clock_now());
	else
		print_queue_text(q, clock_now());
	queue_snapshot_free(q);
	model_free(m);
	return rc;
}

/* ---- actions ---- */

/* ask - yes/no on the controlling terminal; -1 when there is none */
static void show_plan(const struct action_plan *p, const struct queue_snapshot *q)
{
	struct buf b = BUF_INIT;
	action_plan_describe(p, q, SHOW_IDS, &b);
	fputs(buf_str(&b), stdout);
	buf_free(&b);
}

static void show_outcome(const struct action_plan *p, const struct action_outcome *o)
{
	struct buf b = BUF_INIT;
	action_outcome_describe(p, o, SHOW_IDS, &b);
	fputs(buf_str(&b), stdout);
	buf_free(&b);
}

static int run_action(struct action_plan *p, struct queue_opts *o)
{
	struct action_outcome out;
	struct error err;
	int rc = action_execute(p, o->journal, &out, &err);
	if (rc == ACTION_REFUSED) {
		fprintf(stderr, "spamtop: %s\nspamtop: refusing to act without an audit record; nothing was changed\n",
			err.msg);
		return 1;
	}
	if (rc == ACTION_FAILED) {
		fprintf(stderr, "spamtop: %s\n", err.msg);
		return 1;
	}
	show_outcome(p, &out);
	if (rc == ACTION_NOT_JOURNALED)
		fprintf(stderr, "spamtop: the action ran but its result could not be journaled: %s\n", err.msg);
	rc = rc == ACTION_DONE && out.exit_status == 0 && out.unchanged.count == 0 ? 0 : 1;
	action_outcome_free(&out);
	return rc;
}

static int cmd_action(enum queue_action action, struct queue_opts *o)
{
	struct error err;
	if (o->all == !selection_is_empty(&o->sel)) {
		fprintf(stderr, "spamtop: %s needs either --all or a selection (--id, --sasl-user, --sender, "
			"--client-ip, --sender-domain, --match, --instance, --uid)\n", action_name(action));
		return 2;
	}
	if (o->all && action == ACT_DELETE) {
		fprintf(stderr, "spamtop: delete --all is not offered: hold everything, then delete a selection "
			"(or run postsuper -d ALL yourself)\n");
		return 2;
	}
	if (selection_compile(&o->sel, &err) < 0) {
		fprintf(stderr, "spamtop: %s\n", err.msg);
		return 2;
	}
	if (geteuid() != 0 && !o->dry_run) {
		fprintf(stderr, "spamtop: %s needs root: postsuper is reserved for the superuser. Nothing was "
			"changed; --dry-run shows what would be done.\n", action_name(action));
		selection_free(&o->sel);
		return 1;
	}
	struct model *m = NULL;
	if (selection_needs_confirmation(&o->sel) && (m = load_model(o)) == NULL)
		return 1;
	struct queue_snapshot *q = snapshot(m);
	if (q == NULL) {
		model_free(m);
		selection_free(&o->sel);
		return 1;
	}
	struct action_plan p;
	int rc = 0;
	if (action_plan_build(&p, action, o->all, &o->sel, q, &err) < 0) {
		fprintf(stderr, "spamtop: %s\n", err.msg);
		rc = 1;
	} else if (p.expected == 0) {
		printf("No queued message that %s can change matches ", action_name(action));
		say_text(stdout, p.all ? "the queue" : p.what);
		printf("; nothing to do.\n");
		struct buf why = BUF_INIT;
		if (action_unlogged_describe(&p, &why))
			printf("%s\n", buf_str(&why));
		buf_free(&why);
		rc = 3;
	} else {
		show_plan(&p, q);
		if (o->dry_run) {
			printf("Dry run: nothing was changed.\n");
			rc = 3;
		} else if (!o->yes) {
			char question[96];
			snprintf(question, sizeof(question), "%s %zu message%s?", action_verb(action), p.expected,
				 p.expected == 1 ? "" : "s");
			int yes = ask(question);
			if (yes < 0)
				fprintf(stderr, "spamtop: no terminal to confirm on; run again with --yes. Nothing was changed.\n");
			else if (!yes)
				printf("Nothing was changed.\n");
			rc = yes == 1 ? 0 : 3;
		}
		if (rc == 0)
			rc = run_action(&p, o);
	}
	action_plan_free(&p);
	queue_snapshot_free(q);
	model_free(m);
	selection_free(&o->sel);
	return rc;
}

int queue_command(int argc, char **argv)
{
	enum queue_action action;
	int is_queue = strcmp(argv[0], "queue") == 0;
	if (!is_queue && action_parse(argv[0], &action) < 0)
		return QUEUE_NOT_A_COMMAND;
	struct queue_opts o;
	memset(&o, 0, sizeof(o));
	if (parse_opts(argc, argv, &o) < 0)
		return 2;
	return is_queue ? cmd_queue(&o) : cmd_action(action, &o);
}
