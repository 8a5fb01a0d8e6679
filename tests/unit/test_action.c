/*
 * test_action - the one way to change the queue, when the tools fail: a
 * postsuper that stops half way leaves a per-message account in the result
 * and the journal; a journal on a full disk refuses the action before
 * postsuper runs; a queue that cannot be read afterwards calls nothing gone.
 * Stand-in postsuper/postqueue scripts on PATH; the real ones are the lab's.
 */
#include "testutil.h"

#include <unistd.h>

#include "core/queue/action.h"

#define IDS "31C49102266 32016102221 4A1B2C3D4E 5B2C3D4E5F"

static void plan_of_four(struct action_plan *p)
{
	memset(p, 0, sizeof(*p));
	p->action = ACT_DELETE;
	char ids[] = IDS, *save = NULL;
	for (char *id = strtok_r(ids, " ", &save); id; id = strtok_r(NULL, " ", &save))
		id_list_add(&p->ids, id);
	p->expected = p->selected = p->ids.count;
	snprintf(p->what, sizeof(p->what), "SASL user victim@lab.example");
}

static char *fake_tools(const char *postqueue_script)
{
	char *path = test_fake_program(test_dir(), "postsuper",
		"echo \"$*\" > \"$(dirname \"$0\")/postsuper.ran\"\n"
		"n=0\nwhile read id; do n=$((n+1)); [ $n -le 2 ] && echo \"postsuper: $id: removed\" >&2; done\n"
		"echo 'postsuper: fatal: lock /var/spool/postfix: Resource temporarily unavailable' >&2\nexit 75\n");
	free(test_fake_program(test_dir(), "postqueue", postqueue_script));
	return path;
}

static void postsuper_failing_half_way_is_accounted_per_message_and_journaled(void **state)
{
	(void)state;
	char *path = fake_tools("for id in 4A1B2C3D4E 5B2C3D4E5F; do echo \"{\\\"queue_id\\\": \\\"$id\\\", "
				"\\\"queue_name\\\": \\\"deferred\\\"}\"; done\n");
	char journal[128];
	snprintf(journal, sizeof(journal), "%s/journal.jsonl", test_dir());
	struct action_plan p;
	plan_of_four(&p);
	struct action_outcome o;
	struct error err;
	assert_int_equal(action_execute(&p, journal, &o, &err), ACTION_DONE);
	assert_int_equal(o.exit_status, 75);
	assert_int_equal(o.changed.count, 2);
	assert_string_equal(o.changed.ids[0], "31C49102266");
	assert_int_equal(o.unchanged.count, 2);
	assert_string_equal(o.unchanged.ids[1], "5B2C3D4E5F");
	assert_int_equal(o.gone.count, 0);
	struct buf said = BUF_INIT;
	action_outcome_describe(&p, &o, 10, &said);
	assert_non_null(strstr(buf_str(&said), "Done: 2 changed, 0 already gone from the queue, 2 not changed (exit status 75)"));
	assert_non_null(strstr(buf_str(&said), "not changed: 4A1B2C3D4E"));
	assert_non_null(strstr(buf_str(&said), "Resource temporarily unavailable"));
	size_t len;
	char *text = test_read_file(journal, &len);
	char *done = strstr(text, "\"phase\":\"done\"");
	assert_non_null(strstr(text, "\"phase\":\"planned\""));
	assert_non_null(done);
	assert_non_null(strstr(done, "\"exit_status\":75"));
	assert_non_null(strstr(done, "\"changed\":[\"31C49102266\",\"32016102221\"]"));
	assert_non_null(strstr(done, "\"unchanged\":[\"4A1B2C3D4E\",\"5B2C3D4E5F\"]"));
	free(text);
	buf_free(&said);
	action_outcome_free(&o);
	action_plan_free(&p);
	setenv("PATH", path, 1);
	free(path);
}

static void full_disk_under_the_journal_refuses_before_postsuper_runs(void **state)
{
	(void)state;
	char *path = fake_tools("exit 0\n");
	struct action_plan p;
	plan_of_four(&p);
	struct action_outcome o;
	struct error err = {""};
	assert_int_equal(action_execute(&p, "/dev/full", &o, &err), ACTION_REFUSED);
	assert_non_null(strstr(err.msg, "No space left on device"));
	char ran[128];
	snprintf(ran, sizeof(ran), "%s/postsuper.ran", test_dir());
	assert_int_not_equal(access(ran, F_OK), 0);	/* never an action without its record */
	action_plan_free(&p);
	setenv("PATH", path, 1);
	free(path);
}

static void unreadable_queue_afterwards_calls_nothing_gone(void **state)
{
	(void)state;
	char *path = fake_tools("echo 'postqueue: fatal: Queue report unavailable - mail system is down' >&2\nexit 69\n");
	char journal[128];
	snprintf(journal, sizeof(journal), "%s/journal2.jsonl", test_dir());
	struct action_plan p;
	plan_of_four(&p);
	struct action_outcome o;
	struct error err;
	assert_int_equal(action_execute(&p, journal, &o, &err), ACTION_DONE);
	assert_int_equal(o.changed.count, 2);
	assert_int_equal(o.gone.count, 0);	/* unknown is not gone */
	assert_int_equal(o.unchanged.count, 2);
	assert_non_null(strstr(buf_str(&o.messages), "could not read the queue afterwards"));
	action_outcome_free(&o);
	action_plan_free(&p);
	setenv("PATH", path, 1);
	free(path);
}

/* a plan over two instances runs one postsuper per instance, -c naming the
 * other's configuration directory, each fed its own instance's IDs only */
static void a_plan_over_two_instances_runs_postsuper_once_in_each(void **state)
{
	(void)state;
	char *path = test_fake_program(test_dir(), "postsuper",
		"f=\"$(dirname \"$0\")/postsuper.$#\"\necho \"$*\" > \"$f\"\n"
		"while read id; do echo \"$id\" >> \"$f\"; echo \"postsuper: $id: removed\" >&2; done\n"
		"echo \"postsuper: Deleted: 1 message\" >&2\n");
	struct action_plan p;
	memset(&p, 0, sizeof(p));
	p.action = ACT_DELETE;
	static const char listing[] = "-  -  y  /etc/postfix\npostfix-out  mta  y  /etc/postfix-out\n";
	instance_parse_postmulti(&p.inst, listing, sizeof(listing) - 1);
	id_list_add_in(&p.ids, 0, "31C49102266");
	id_list_add_in(&p.ids, 1, "31C49102266");	/* the same ID, in the other queue */
	p.expected = p.selected = 2;
	struct action_outcome o;
	struct error err;
	assert_int_equal(action_run(&p, &o, &err), 0);
	char file[128];
	snprintf(file, sizeof(file), "%s/postsuper.2", test_dir());	/* postsuper -d - */
	char *one = test_read_file(file, NULL);
	assert_string_equal(one, "-d -\n31C49102266\n");
	snprintf(file, sizeof(file), "%s/postsuper.4", test_dir());	/* postsuper -c DIR -d - */
	char *two = test_read_file(file, NULL);
	assert_string_equal(two, "-c /etc/postfix-out -d -\n31C49102266\n");
	assert_int_equal(o.changed.count, 2);
	assert_true(id_list_has_in(&o.changed, 1, "31C49102266"));
	assert_int_equal(o.reported, 2);	/* the totals of both runs */
	json_t *e = action_journal_done(&p, &o);
	json_t *changed = json_object_get(e, "changed");
	assert_string_equal(json_string_value(json_array_get(changed, 1)), "postfix-out:31C49102266");
	assert_int_equal(json_array_size(json_object_get(e, "commands")), 2);
	json_decref(e);
	struct buf said = BUF_INIT;
	action_plan_describe(&p, NULL, 0, &said);
	assert_non_null(strstr(buf_str(&said), "Command: postsuper -c /etc/postfix-out -d -   (instance postfix-out: 1 queue ID on standard input)"));
	buf_free(&said);
	free(one);
	free(two);
	action_outcome_free(&o);
	action_plan_free(&p);
	setenv("PATH", path, 1);
	free(path);
}

static void merged_plans_count_a_message_in_both_once(void **state)
{
	(void)state;
	struct action_plan a, b;
	struct error err;
	plan_of_four(&a);
	plan_of_four(&b);	/* the same four messages, selected again (two tagged rows) */
	id_list_add(&b.ids, "6C3D4E5F6A");
	b.expected = b.ids.count;
	assert_int_equal(action_plan_merge(&a, &b, &err), 0);
	assert_int_equal(a.ids.count, 5);
	assert_int_equal(a.expected, 5);	/* "Delete 5 messages", not 9 */
	action_plan_free(&a);
	action_plan_free(&b);
}

static void a_plan_shows_a_hostile_selection_sanitized(void **state)
{
	(void)state;
	struct action_plan p;
	plan_of_four(&p);
	snprintf(p.what, sizeof(p.what), "SASL user \x1b]0;owned\x07" "evil\x1b[2J@x.example");
	struct buf b = BUF_INIT;
	struct queue_snapshot *q = queue_snapshot_new();	/* its messages already left: only the heading */
	action_plan_describe(&p, q, 10, &b);
	queue_snapshot_free(q);
	for (size_t k = 0; k < b.len; k++)
		if ((unsigned char)b.data[k] < 0x20 && b.data[k] != '\n')
			fail_msg("a control byte 0x%02x reached the plan's text", (unsigned char)b.data[k]);
	assert_non_null(strstr(buf_str(&b), "evil"));
	buf_free(&b);
	action_plan_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(full_disk_under_the_journal_refuses_before_postsuper_runs),
		cmocka_unit_test(postsuper_failing_half_way_is_accounted_per_message_and_journaled),
		cmocka_unit_test(unreadable_queue_afterwards_calls_nothing_gone),
		cmocka_unit_test(a_plan_over_two_instances_runs_postsuper_once_in_each),
		cmocka_unit_test(merged_plans_count_a_message_in_both_once),
		cmocka_unit_test(a_plan_shows_a_hostile_selection_sanitized),
	};
	return cmocka_run_group_tests(tests, test_dir_setup, test_dir_teardown);
}
