/*
 * test_remote_action - an action asked of another server's spamtop over
 * ssh, and the journaled run it goes through: the exact argv, every word
 * coming out of a real remote shell as it went in (hostile values too), a
 * value a shell could misread refused, the remote's plan line read, and the
 * journal's two entries around a run (none written: nothing run).
 */
#include "testutil.h"

#include <fcntl.h>
#include <jansson.h>

#include "core/queue/remote_action.h"
#include "core/base/run.h"
#include "core/base/spawn.h"

static struct selection sasl_user_selection(const char *user)
{
	struct selection sel;
	memset(&sel, 0, sizeof(sel));
	sel.sasl_user = user;
	return sel;
}

static void the_remote_command_is_ssh_in_batch_mode_then_spamtop_with_each_value_attached(void **state)
{
	(void)state;
	struct source_spec s;
	struct error err;
	assert_int_equal(source_spec_parse("mx2=ssh://root@127.0.0.1:2222/var/log/mail.log", &s, &err), 0);
	struct selection sel = sasl_user_selection("victim@lab.example");
	struct remote_action r;
	assert_int_equal(remote_action_build(&r, &s, ACT_DELETE, &sel, 1, &err), 0);
	const char *want[] = {"ssh", "-o", "BatchMode=yes", "-o", "ServerAliveInterval=15", "-T", "-p", "2222", "--",
			      "root@127.0.0.1", "'spamtop'", "'delete'", "'--sasl-user=victim@lab.example'",
			      "'--log=/var/log/mail.log'", "'--dry-run'", NULL};
	for (size_t i = 0; want[i]; i++)
		assert_string_equal(r.argv[i], want[i]);
	assert_null(r.argv[sizeof(want) / sizeof(want[0]) - 1]);
	assert_string_equal(r.host, "mx2");
	assert_string_equal(r.what, "SASL user victim@lab.example");
	struct remote_action run;	/* what the dry run showed, confirmed: the same words but the last */
	remote_action_confirmed(&r, &run);
	remote_action_free(&r);	/* the run owns its words */
	for (size_t i = 0; i + 2 < sizeof(want) / sizeof(want[0]); i++)
		assert_string_equal(run.argv[i], want[i]);
	assert_string_equal(run.argv[14], "'--yes'");
	assert_null(run.argv[15]);
	assert_false(run.dry_run);
	remote_action_free(&run);
	assert_int_equal(remote_action_build(&r, &s, ACT_HOLD, &sel, 0, &err), 0);
	assert_string_equal(r.argv[11], "'hold'");
	assert_string_equal(r.argv[14], "'--yes'");
	remote_action_free(&r);
	/* every queued message there: --all, postsuper's ALL on that server; no log needed */
	assert_int_equal(remote_action_build(&r, &s, ACT_RELEASE, NULL, 1, &err), 0);
	assert_string_equal(r.argv[11], "'release'");
	assert_string_equal(r.argv[12], "'--all'");
	assert_string_equal(r.argv[13], "'--dry-run'");
	assert_null(r.argv[14]);
	assert_string_equal(r.what, "every queued message");
	remote_action_free(&r);
}

/* remote_words - what a POSIX shell makes of the remote command, as sshd hands it
 * over: the words after the target joined by blanks, run with `spamtop` a function
 * printing each of its arguments NUL-ended */
static size_t remote_words(const struct remote_action *r, struct buf *words)
{
	struct buf cmd = BUF_INIT;
	buf_puts(&cmd, "spamtop() { for a; do printf '%s\\0' \"$a\"; done; }; ");
	int i = 0;
	while (strcmp(r->argv[i], "--") != 0)
		i++;
	for (i += 2; r->argv[i]; i++)
		buf_printf(&cmd, "%s ", r->argv[i]);
	char *argv[] = {"sh", "-c", (char *)buf_str(&cmd), NULL};
	struct spawn_result res;
	struct error err;
	assert_int_equal(spawn_run(argv, NULL, 0, 5000, &res, &err), 0);
	assert_int_equal(res.status, 0);
	buf_append(words, res.out.data ? res.out.data : "", res.out.len);
	spawn_result_free(&res);
	buf_free(&cmd);
	size_t n = 0;
	for (size_t at = 0; at < words->len; at += strlen(words->data + at) + 1)
		n++;
	return n;
}

static void hostile_values_reach_the_remote_spamtop_as_one_word_each_and_unchanged(void **state)
{
	(void)state;
	struct source_spec s;
	struct error err;
	assert_int_equal(source_spec_parse("mx2=ssh://mx2.example.org/var/log/it's $HOME `id`.log", &s, &err), 0);
	const char *user = "x'; touch /tmp/spamtop-pwned; echo '$(id) `id` * \"q\" \\ --yes";
	const char *ids[] = {"4Bc1Dq2xYzz", "ABCDEF123"};
	struct selection sel = sasl_user_selection(user);
	sel.ids = ids;
	sel.nids = 2;
	sel.sender = "-rf";
	sel.match = "^a.*|b$";
	struct remote_action r;
	assert_int_equal(remote_action_build(&r, &s, ACT_DELETE, &sel, 0, &err), 0);
	struct buf words = BUF_INIT;
	const char *want[] = {"delete", "--id=4Bc1Dq2xYzz", "--id=ABCDEF123", "--sasl-user=x'; touch /tmp/spamtop-pwned; echo '$(id) `id` * \"q\" \\ --yes",
			      "--sender=-rf", "--match=^a.*|b$", "--log=/var/log/it's $HOME `id`.log", "--yes"};
	size_t n = remote_words(&r, &words);
	assert_int_equal(n, sizeof(want) / sizeof(want[0]));
	size_t at = 0;
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(words.data + at, want[i]);
		at += strlen(words.data + at) + 1;
	}
	assert_int_equal(access("/tmp/spamtop-pwned", F_OK), -1);
	buf_free(&words);
	remote_action_free(&r);
}

static void a_value_with_a_control_character_or_a_local_source_is_refused(void **state)
{
	(void)state;
	struct source_spec s;
	struct error err;
	struct remote_action r;
	assert_int_equal(source_spec_parse("mx2=ssh://mx2/var/log/mail.log", &s, &err), 0);
	struct selection sel = sasl_user_selection("a\nb");
	assert_int_equal(remote_action_build(&r, &s, ACT_DELETE, &sel, 1, &err), -1);
	assert_non_null(strstr(err.msg, "control character"));
	sel = sasl_user_selection("a\033[2Jb");
	assert_int_equal(remote_action_build(&r, &s, ACT_DELETE, &sel, 1, &err), -1);
	assert_int_equal(source_spec_parse("mx2=/var/log/mail.log", &s, &err), 0);
	sel = sasl_user_selection("victim");
	assert_int_equal(remote_action_build(&r, &s, ACT_DELETE, &sel, 1, &err), -1);
	assert_non_null(strstr(err.msg, "not read over ssh"));
}

static void the_remote_plan_line_and_the_end_of_its_dry_run_are_read(void **state)
{
	(void)state;
	struct remote_answer a;
	memset(&a, 0, sizeof(a));
	buf_puts(&a.text, "Delete 6 messages: SASL user victim@lab.example\n"
			  "Command: postsuper -d -   (6 queue IDs on standard input)\n"
			  "  7C1B810E3D1  deferred  promo@cheap-pills.example\n"
			  "Dry run: nothing was changed.\n");
	remote_answer_parse(ACT_DELETE, &a);
	assert_int_equal(a.messages, 6);
	assert_true(a.dry_run_done);
	remote_answer_parse(ACT_HOLD, &a);	/* another verb's line is not this plan's */
	assert_int_equal(a.messages, -1);
	buf_reset(&a.text);
	buf_puts(&a.text, "spamtop: cannot read the queue: postqueue: fatal: ...\n");
	remote_answer_parse(ACT_DELETE, &a);
	assert_int_equal(a.messages, -1);
	assert_false(a.dry_run_done);
	buf_reset(&a.text);
	buf_puts(&a.text, "  Delete 99 messages: a sender's text, indented\nDelete 1 message: queue ID ABC\n");
	remote_answer_parse(ACT_DELETE, &a);
	assert_int_equal(a.messages, 1);
	remote_answer_free(&a);
}

static void another_servers_queue_is_counted_by_its_spamtop_and_its_words_read_back(void **state)
{
	(void)state;
	struct source_spec s;
	struct error err;
	assert_int_equal(source_spec_parse("mx2=ssh://root@127.0.0.1:2222/var/log/mail.log", &s, &err), 0);
	struct remote_action r;
	assert_int_equal(remote_queue_build(&r, &s, &err), 0);
	assert_string_equal(r.argv[9], "root@127.0.0.1");
	assert_string_equal(r.argv[10], "'spamtop'");
	assert_string_equal(r.argv[11], "'queue'");
	assert_string_equal(r.argv[12], "'--summary'");
	assert_null(r.argv[13]);
	assert_true(r.dry_run);	/* it changes nothing: never journaled */
	remote_action_free(&r);
	struct remote_queue_counts q;
	const char *summary = "Queue (postqueue -j): 45 messages, 19660 bytes\n"
			      "Instances: default (default) 39, postfix-out (/etc/postfix-out) 6\n"
			      "  incoming  0\n  active    1\n  deferred  39\n  hold      5\n"
			      "Ages (minutes):  <5: 45  <10: 0\n\nTop senders (2 distinct)\n"
			      "       24  hold 999\n  1234567  deferred\n";	/* senders' text counts nothing */
	assert_int_equal(remote_queue_parse(summary, &q), 0);
	assert_int_equal(q.total, 45);
	assert_int_equal(q.by_queue[QN_HOLD], 5);
	assert_int_equal(q.by_queue[QN_DEFERRED], 39);
	assert_int_equal(q.by_queue[QN_ACTIVE], 1);
	assert_int_equal(remote_queue_parse("bash: line 1: spamtop: command not found\n", &q), -1);
	assert_int_equal(remote_queue_parse("  hold 7\n", &q), -1);	/* no heading: no counts believed */
	assert_int_equal(remote_queue_parse("  hold 7\nQueue (postqueue -j): 3 messages, 9 bytes\n  deferred  3\n"
					    "  active 2 of them stuck\n", &q), 0);
	assert_int_equal(q.by_queue[QN_HOLD], 0);	/* before the heading: not a count */
	assert_int_equal(q.by_queue[QN_DEFERRED], 3);
	assert_int_equal(q.by_queue[QN_ACTIVE], 0);	/* words after the number: not a count */
	assert_int_equal(source_spec_parse("mx2=/var/log/mail.log", &s, &err), 0);
	assert_int_equal(remote_queue_build(&r, &s, &err), -1);
}

static json_t *journal_line(const char *path, int n)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char line[16384];
	json_t *j = NULL;
	for (int i = 0; i <= n && fgets(line, sizeof(line), f); i++)
		if (i == n)
			j = json_loads(line, 0, NULL);
	fclose(f);
	assert_non_null(j);
	return j;
}

static void a_journaled_run_writes_planned_then_done_with_its_status_and_output(void **state)
{
	(void)state;
	char dir[] = "/tmp/spamtop-run.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[128];
	snprintf(path, sizeof(path), "%s/j.jsonl", dir);
	char *argv[] = {"sh", "-c", "printf 'Done: 6 changed\\n\\377'; exit 3", NULL};
	json_t *extra = json_pack("{s:s}", "remote_host", "mx2");
	struct run_request r = {argv, "delete", "SASL user victim", extra, 5000, 1};
	struct buf out = BUF_INIT;
	struct error err;
	assert_int_equal(run_journaled(&r, path, &out, &err), 3);
	assert_string_equal(buf_str(&out), "Done: 6 changed\n\377");
	json_t *planned = journal_line(path, 0), *done = journal_line(path, 1);
	assert_string_equal(json_string_value(json_object_get(planned, "phase")), "planned");
	assert_string_equal(json_string_value(json_object_get(done, "phase")), "done");
	assert_string_equal(json_string_value(json_object_get(planned, "remote_host")), "mx2");
	assert_string_equal(json_string_value(json_array_get(json_object_get(done, "command"), 2)), argv[2]);
	assert_int_equal(json_integer_value(json_object_get(done, "exit_status")), 3);
	assert_string_equal(json_string_value(json_object_get(done, "output")), "Done: 6 changed\n\xef\xbf\xbd");
	assert_null(json_object_get(planned, "output"));
	json_decref(planned);
	json_decref(done);
	json_decref(extra);
	buf_free(&out);
	unlink(path);
	rmdir(dir);
}

static void a_run_whose_journal_cannot_be_written_does_not_run(void **state)
{
	(void)state;
	char marker[] = "/tmp/spamtop-run-marker.XXXXXX";
	int fd = mkstemp(marker);
	assert_true(fd >= 0);
	close(fd);
	unlink(marker);
	char touch[160];
	snprintf(touch, sizeof(touch), "touch %s", marker);
	char *argv[] = {"sh", "-c", touch, NULL};
	struct run_request r = {argv, "reload", "postfix", NULL, 5000, 0};
	struct buf out = BUF_INIT;
	struct error err;
	assert_int_equal(run_journaled(&r, "/proc/spamtop-no-such/j.jsonl", &out, &err), -1);
	assert_true(err.msg[0] != 0);
	assert_int_equal(access(marker, F_OK), -1);
	buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_remote_command_is_ssh_in_batch_mode_then_spamtop_with_each_value_attached),
		cmocka_unit_test(hostile_values_reach_the_remote_spamtop_as_one_word_each_and_unchanged),
		cmocka_unit_test(a_value_with_a_control_character_or_a_local_source_is_refused),
		cmocka_unit_test(the_remote_plan_line_and_the_end_of_its_dry_run_are_read),
		cmocka_unit_test(another_servers_queue_is_counted_by_its_spamtop_and_its_words_read_back),
		cmocka_unit_test(a_journaled_run_writes_planned_then_done_with_its_status_and_output),
		cmocka_unit_test(a_run_whose_journal_cannot_be_written_does_not_run),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
