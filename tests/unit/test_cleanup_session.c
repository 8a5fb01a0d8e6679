/*
 * test_cleanup_session - the cleanup's doing without a screen, on the
 * recorded lab outbreak, against stand-in postconf, postfix, postqueue and
 * postsuper that keep their state in files and record every call: step 4
 * contains each chosen account and relay once and says so; the throttled
 * release runs its batches on time and stops, holding the queue again,
 * when the contained account logs mail again.
 */
#include "testutil.h"

#include <unistd.h>

#include "core/incident/cleanup_session.h"
#include "core/base/clock.h"

static char dir[64];
static char *saved_path;

/* stand_ins - postconf keeps each parameter in DIR/p.NAME; the others record their calls in DIR/ran */
static int stand_ins(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/spamtop-test-session.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	char script[1024], path[160];
	snprintf(script, sizeof(script),
		 "echo \"postconf $*\" >> %s/ran\n"
		 "case \"$1\" in\n"
		 "-h|-hx) [ \"$2\" = config_directory ] && echo %s || cat %s/p.$2 2>/dev/null || echo ;;\n"
		 "-e) n=${2%%%% = *}; printf '%%s\\n' \"${2#* = }\" > %s/p.$n ;;\n"
		 "-P) ;;\n"
		 "*) exit 2 ;;\n"
		 "esac\n", dir, dir, dir, dir);
	saved_path = test_fake_program(dir, "postconf", script);
	snprintf(script, sizeof(script), "echo \"postfix $*\" >> %s/ran\n", dir);
	free(test_fake_program(dir, "postfix", script));
	snprintf(script, sizeof(script),
		 "for m in AAAA000003:300 AAAA000001:100 AAAA000002:200; do\n"
		 "printf '{\"queue_name\": \"hold\", \"queue_id\": \"%%s\", \"arrival_time\": %%s, \"message_size\": 400, "
		 "\"sender\": \"s@x.example\", \"recipients\": [{\"address\": \"r@y.example\"}]}\\n' \"${m%%%%:*}\" \"${m#*:}\"\n"
		 "done\n");
	free(test_fake_program(dir, "postqueue", script));
	snprintf(script, sizeof(script),
		 "echo \"postsuper $*\" >> %s/ran\n"
		 "[ \"$2\" = - ] && while read -r id; do echo \"postsuper: $id: released from hold\" >&2; echo \"$id\" >> %s/ids; done\n"
		 "exit 0\n", dir, dir);
	free(test_fake_program(dir, "postsuper", script));
	snprintf(path, sizeof(path), "%s/main.cf", dir);
	test_write_file(path, "# main.cf\n", 10);
	snprintf(path, sizeof(path), "%s/p.mynetworks", dir);
	test_write_file(path, "127.0.0.0/8, 192.0.2.5 10.0.0.0/8\n", 34);
	return 0;
}

static int remove_stand_ins(void **state)
{
	(void)state;
	setenv("PATH", saved_path, 1);
	free(saved_path);
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static char *file_of(const char *name)
{
	char path[160];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return test_read_file(path, NULL);
}

static void target(struct cleanup_session *s, enum suspect_kind kind, const char *key)
{
	struct cleanup_target *t = &s->st.targets[s->st.ntargets++];
	memset(t, 0, sizeof(*t));
	t->kind = kind;
	snprintf(t->key, sizeof(t->key), "%s", key);
	t->chosen = 1;
	s->st.targets_set = 1;
}

static void step_4_contains_each_account_and_relay_once_and_says_so(void **state)
{
	(void)state;
	char journal[128];
	snprintf(journal, sizeof(journal), "%s/journal.jsonl", dir);
	struct cleanup_session s;
	cleanup_session_init(&s, TEST_REFERENCE, journal, "echo kicked {user}", NULL);
	assert_true(s.conf_ok);
	target(&s, SUSPECT_SASL_USER, "victim@lab.example");
	target(&s, SUSPECT_SASL_USER, "--all");
	target(&s, SUSPECT_TRUSTED_RELAY, "192.0.2.5");
	target(&s, SUSPECT_TRUSTED_RELAY, "10.1.2.3");
	struct buf report = BUF_INIT;
	assert_int_equal(cleanup_session_contain(&s, &report), 0);
	const char *r = buf_str(&report);
	assert_non_null(strstr(r, "victim@lab.example: echo exited with status 0\n  kicked victim@lab.example\n"));
	assert_non_null(strstr(r, "victim@lab.example blocked in Postfix (spamtop unblock --sasl-user victim@lab.example"));
	assert_non_null(strstr(r, "!--all: --disable-cmd not run: refusing to fill {user}"));
	assert_non_null(strstr(r, "192.0.2.5 dropped from mynetworks (now: 127.0.0.0/8 10.0.0.0/8, read back)"));
	assert_non_null(strstr(r, "10.1.2.3 blocked in Postfix (spamtop unblock --client-ip 10.1.2.3"));
	assert_string_equal(s.st.outcome[STEP_CONTAIN], "victim@lab.example: echo ran, blocked in Postfix; --all: blocked "
			    "in Postfix; 192.0.2.5 dropped from mynetworks; 10.1.2.3 blocked in Postfix");
	char *v = file_of("spamtop/sasl_access");
	assert_non_null(strstr(v, "victim@lab.example REJECT 5.7.1"));
	free(v);
	v = file_of("spamtop/client_access");
	assert_non_null(strstr(v, "10.1.2.3 REJECT 5.7.1"));
	free(v);
	v = file_of("ran");	/* mynetworks edited once; each restriction list once */
	const char *e = strstr(v, "postconf -e mynetworks");
	assert_non_null(e);
	assert_null(strstr(e + 1, "postconf -e mynetworks"));
	e = strstr(v, "postconf -e smtpd_sender_restrictions");
	assert_non_null(e);
	assert_null(strstr(e + 1, "postconf -e smtpd_sender_restrictions"));
	free(v);
	buf_free(&report);
	cleanup_session_free(&s);
}

/* a web application's uid: its user put first in authorized_submit_users as
 * Postfix has it, read back, journaled; a second containment changes nothing */
static void step_4_keeps_a_web_applications_user_from_sendmail(void **state)
{
	(void)state;
	char journal[128], path[160];
	snprintf(journal, sizeof(journal), "%s/journal-web.jsonl", dir);
	snprintf(path, sizeof(path), "%s/p.authorized_submit_users", dir);
	test_write_file(path, "root, static:anyone\n", 20);
	struct cleanup_session s;
	cleanup_session_init(&s, TEST_REFERENCE, journal, NULL, NULL);
	assert_true(s.conf_ok);
	target(&s, SUSPECT_WEB_APP, "33");
	struct buf report = BUF_INIT;
	assert_int_equal(cleanup_session_contain(&s, &report), 0);
	assert_non_null(strstr(buf_str(&report), "uid 33 (www-data) kept from sendmail: authorized_submit_users = "
				"!www-data, root, static:anyone (read back)"));
	assert_string_equal(s.st.outcome[STEP_CONTAIN], "uid 33 kept from sendmail");
	char *v = file_of("p.authorized_submit_users");
	assert_string_equal(v, "!www-data, root, static:anyone\n");
	free(v);
	v = file_of("journal-web.jsonl");
	assert_non_null(strstr(v, "\"action\":\"submit-block\""));
	assert_non_null(strstr(v, "\"previous\":\"root, static:anyone\""));
	free(v);
	buf_reset(&report);
	assert_int_equal(cleanup_session_contain(&s, &report), 0);	/* the conf was read again after the edit */
	assert_non_null(strstr(buf_str(&report), "uid 33 (www-data) is kept from sendmail already"));
	buf_free(&report);
	cleanup_session_free(&s);
}

static void throttled_release_runs_on_time_and_stops_when_the_account_sends_again(void **state)
{
	(void)state;
	char journal[128], ids[160];
	snprintf(journal, sizeof(journal), "%s/journal2.jsonl", dir);
	snprintf(ids, sizeof(ids), "%s/ids", dir);
	unlink(ids);
	struct model *m = test_lab_model();
	struct cleanup_session s;
	cleanup_session_init(&s, TEST_REFERENCE, journal, NULL, NULL);
	target(&s, SUSPECT_SASL_USER, "victim@lab.example");
	struct queue_snapshot *q = queue_snapshot_new();
	struct error err;
	assert_int_equal(queue_load(q, 10000, &err), 0);
	assert_int_equal(cleanup_session_throttle_start(&s, m, q, 2, 60, 5000), 3);
	assert_int_equal(s.st.targets[0].msgs_at_release, 24);
	struct buf report = BUF_INIT;
	assert_int_equal(cleanup_session_tick(&s, m, q, 5000, &report), TURN_BATCH);
	char *v = file_of("ids");
	assert_string_equal(v, "AAAA000001\nAAAA000002\n");	/* oldest first */
	free(v);
	assert_int_equal(cleanup_session_tick(&s, m, q, 5030, &report), TURN_NONE);	/* not yet due */
	const char *again = "Nov 24 23:40:00 mail postfix/smtpd[9999]: 7F7F7F7F7F: client=unknown[192.0.2.99], "
			    "sasl_method=LOGIN, sasl_username=victim@lab.example";
	model_add_line(m, again, strlen(again));
	assert_int_equal(cleanup_session_tick(&s, m, q, 5060, &report), TURN_STOPPED);
	assert_non_null(strstr(buf_str(&report), "!Throttled release STOPPED: sasl_user victim@lab.example sent again"));
	v = file_of("ran");
	assert_non_null(strstr(v, "postsuper -h ALL"));
	free(v);
	v = file_of("ids");
	assert_string_equal(v, "AAAA000001\nAAAA000002\n");	/* the third stays held */
	free(v);
	assert_false(s.throttle.running);
	assert_int_equal(cleanup_session_tick(&s, m, q, 9000, &report), TURN_NONE);
	buf_free(&report);
	queue_snapshot_free(q);
	cleanup_session_free(&s);
	model_free(m);
}

/* the journal that watched the release is lost: it stops after the batch it
 * ran, the rest held (no postsuper run for them), the step's outcome says why */
static void a_release_whose_log_is_lost_stops_with_the_rest_held(void **state)
{
	(void)state;
	char journal[128], ids[160];
	snprintf(journal, sizeof(journal), "%s/journal3.jsonl", dir);
	snprintf(ids, sizeof(ids), "%s/ids", dir);
	unlink(ids);
	struct model *m = test_lab_model();
	struct cleanup_session s;
	cleanup_session_init(&s, TEST_REFERENCE, journal, NULL, NULL);
	struct queue_snapshot *q = queue_snapshot_new();
	struct error err;
	assert_int_equal(queue_load(q, 10000, &err), 0);
	assert_int_equal(cleanup_session_throttle_start(&s, m, q, 2, 60, 5000), 3);
	struct buf report = BUF_INIT;
	assert_int_equal(cleanup_session_tick(&s, m, q, 5000, &report), TURN_BATCH);
	buf_reset(&report);
	cleanup_session_blind(&s, "journalctl ended with status 1: journal gone", &report);
	assert_string_equal(buf_str(&report), "Throttled release STOPPED: journalctl ended with status 1: journal gone: "
			    "the log is watched no more; the 1 not released stay held\n");
	assert_false(s.throttle.running);
	assert_string_equal(s.throttle.stopped, "journalctl ended with status 1: journal gone: the log is watched no "
			    "more; the rest stays held");
	assert_non_null(strstr(s.st.outcome[STEP_WATCH], "throttled release stopped after 2 messages: journalctl ended"));
	assert_int_equal(cleanup_session_tick(&s, m, q, 5060, &report), TURN_NONE);	/* no batch after it */
	char *v = file_of("ids");
	assert_string_equal(v, "AAAA000001\nAAAA000002\n");
	free(v);
	buf_free(&report);
	queue_snapshot_free(q);
	cleanup_session_free(&s);
	model_free(m);
}

/* a postconf that fails: nothing is blocked, and step 4 says so instead of "blocked" */
static void step_4_without_postfixs_configuration_blocks_nothing_and_says_so(void **state)
{
	(void)state;
	char path[160], journal[128];
	snprintf(path, sizeof(path), "%s/postconf", dir);
	char *kept = test_read_file(path, NULL);
	test_write_script(dir, "postconf", "echo 'postconf: fatal: open /etc/postfix/main.cf: No such file' >&2; exit 1\n");
	snprintf(journal, sizeof(journal), "%s/journal-noconf.jsonl", dir);
	struct cleanup_session s;
	cleanup_session_init(&s, TEST_REFERENCE, journal, NULL, NULL);
	assert_false(s.conf_ok);
	target(&s, SUSPECT_SASL_USER, "victim@lab.example");
	struct buf report = BUF_INIT;
	assert_int_equal(cleanup_session_contain(&s, &report), -1);
	assert_non_null(strstr(buf_str(&report), "!victim@lab.example NOT blocked in Postfix: its configuration is unknown"));
	assert_non_null(strstr(s.st.outcome[STEP_CONTAIN], "NOT blocked in Postfix"));
	buf_free(&report);
	cleanup_session_free(&s);
	test_write_script(dir, "postconf", kept + strlen("#!/bin/sh\n"));	/* the stand-in back, for the next tests */
	free(kept);
}

int main(void)
{
	test_use_utc();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(step_4_contains_each_account_and_relay_once_and_says_so),
		cmocka_unit_test(step_4_keeps_a_web_applications_user_from_sendmail),
		cmocka_unit_test(step_4_without_postfixs_configuration_blocks_nothing_and_says_so),
		cmocka_unit_test(throttled_release_runs_on_time_and_stops_when_the_account_sends_again),
		cmocka_unit_test(a_release_whose_log_is_lost_stops_with_the_rest_held),
	};
	return cmocka_run_group_tests(tests, stand_ins, remove_stand_ins);
}
