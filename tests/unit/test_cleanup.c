/*
 * test_cleanup - the wizard's state survives a save and a load, the
 * disable-account template becomes an argv without a shell, suspects become
 * targets (brute force not chosen), containment commands are journaled, and
 * the incident report on the real capture names the culprits and the
 * journaled actions, with hostile text escaped.
 */
#include "testutil.h"

#include <unistd.h>

#include "core/incident/cleanup.h"
#include "core/incident/damage.h"
#include "core/base/clock.h"
#include "core/model/ingest.h"
#include "core/model/model.h"

/* lab_cleanup - the real outbreak's suspects, as a cleanup begun at `started` takes them */
static size_t lab_cleanup(const struct model *m, struct suspect sus[8], struct cleanup_state *s, int64_t started)
{
	struct detect_thresholds th;
	detect_thresholds_default(&th);
	size_t n = detect_suspects(m, &th, sus, 8);
	cleanup_state_init(s, started);
	cleanup_targets_from_suspects(s, sus, n);
	return n;
}

static void state_survives_save_and_load(void **state)
{
	(void)state;
	struct cleanup_state s, back;
	struct error err;
	cleanup_state_init(&s, 1795564800);
	s.step = STEP_CLEAN;
	s.have_before = 1;
	s.before[QN_DEFERRED] = 39;
	s.ntargets = 2;
	s.targets[0] = (struct cleanup_target){SUSPECT_SASL_USER, "victim@lab.example", 1, 0};
	s.targets[1] = (struct cleanup_target){SUSPECT_BRUTE_FORCE, "127.0.0.66", 0, 0};
	s.targets_set = 1;
	snprintf(s.outcome[STEP_HOLD], sizeof(s.outcome[0]), "held 39 messages");
	const char *path = "/tmp/spamtop-test-cleanup/state.json";
	assert_int_equal(cleanup_state_save(&s, path, &err), 0);
	assert_int_equal(cleanup_state_load(&back, path, &err), 0);
	assert_int_equal(back.step, STEP_CLEAN);
	assert_int_equal(back.started, 1795564800);
	assert_int_equal(back.before[QN_DEFERRED], 39);
	assert_false(back.have_after);
	assert_int_equal(back.ntargets, 2);
	assert_string_equal(back.targets[0].key, "victim@lab.example");
	assert_int_equal(back.targets[1].kind, SUSPECT_BRUTE_FORCE);
	assert_false(back.targets[1].chosen);
	assert_string_equal(back.outcome[STEP_HOLD], "held 39 messages");
	test_write_file(path, "{\"schema\": \"other\"}", 19);
	assert_int_equal(cleanup_state_load(&back, path, &err), -1);
	assert_non_null(strstr(err.msg, "not a spamtop cleanup state"));
	assert_int_equal(system("rm -rf /tmp/spamtop-test-cleanup"), 0);
}

static void account_template_fills_the_user_into_one_argument(void **state)
{
	(void)state;
	char storage[256], *argv[8];
	struct error err;
	assert_int_equal(cleanup_account_argv("doveadm kick {user}", "victim@lab.example", storage, sizeof(storage),
					      argv, 8, &err), 3);
	assert_string_equal(argv[0], "doveadm");
	assert_string_equal(argv[2], "victim@lab.example");
	assert_null(argv[3]);
	assert_int_equal(cleanup_account_argv("bm-cli user logout --user={user}", "a@b", storage, sizeof(storage),
					      argv, 8, &err), 4);
	assert_string_equal(argv[3], "--user=a@b");
	assert_int_equal(cleanup_account_argv("", "a@b", storage, sizeof(storage), argv, 8, &err), -1);
	assert_int_equal(cleanup_account_argv(NULL, "a@b", storage, sizeof(storage), argv, 8, &err), -1);
	assert_non_null(strstr(err.msg, "empty"));
}

/* a user name is log text: one that would be an option or a wildcard of the
 * admin's command, or hold blanks or control characters, is refused with the
 * reason; after a "--" word a leading '-' is only a name */
static void account_template_refuses_a_user_name_that_would_be_an_option_or_a_wildcard(void **state)
{
	(void)state;
	static const struct {
		const char *user, *why;
	} refused[] = {
		{"--all", "begins with '-'"},
		{"-A", "begins with '-'"},
		{"*", "wildcard"},
		{"victim?", "wildcard"},
		{"[a-z]*@lab.example", "wildcard"},
		{"victim@lab.example; rm -rf /", "blank"},
		{"a\tb", "blank"},
		{"evil\033[2J", "control"},
	};
	char storage[256], *argv[8];
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		struct error err = {""};
		assert_int_equal(cleanup_account_argv("doveadm kick {user}", refused[i].user, storage, sizeof(storage), argv,
						      8, &err), -1);
		assert_non_null(strstr(err.msg, refused[i].why));
		assert_non_null(strstr(err.msg, "{user}"));
		assert_null(argv[0]);
	}
	struct error err;
	assert_int_equal(cleanup_account_argv("doveadm kick -- {user}", "-odd-name@lab.example", storage, sizeof(storage),
					      argv, 8, &err), 4);
	assert_string_equal(argv[3], "-odd-name@lab.example");
	assert_int_equal(cleanup_account_argv("doveadm kick -- {user}", "*", storage, sizeof(storage), argv, 8, &err), -1);
}

static void suspects_become_targets_and_brute_force_is_not_chosen(void **state)
{
	(void)state;
	struct model *m = test_lab_model();
	struct suspect sus[8];
	struct cleanup_state s;
	lab_cleanup(m, sus, &s, 0);
	assert_int_equal(s.ntargets, 3);
	assert_string_equal(s.targets[0].key, "victim@lab.example");
	assert_true(s.targets[0].chosen);
	for (size_t i = 0; i < s.ntargets; i++)
		assert_int_equal(s.targets[i].chosen, s.targets[i].kind != SUSPECT_BRUTE_FORCE);
	model_free(m);
}

static void containment_command_is_journaled_before_and_after(void **state)
{
	(void)state;
	const char *journal = "/tmp/spamtop-test-cleanup-journal.jsonl";
	unlink(journal);
	char *argv[] = {"echo", "kicked", "victim@lab.example", NULL};
	struct buf out = BUF_INIT;
	struct error err;
	assert_int_equal(cleanup_run_journaled(argv, "disable-account", "victim@lab.example", journal, &out, &err), 0);
	assert_string_equal(buf_str(&out), "kicked victim@lab.example\n");
	size_t len;
	char *text = test_read_file(journal, &len);
	assert_non_null(strstr(text, "\"phase\":\"planned\",\"operator\""));
	assert_non_null(strstr(text, "\"action\":\"disable-account\",\"selection\":\"victim@lab.example\","
				     "\"command\":[\"echo\",\"kicked\",\"victim@lab.example\"],\"exit_status\":0"));
	free(text);
	unlink(journal);
	/* a journal that cannot be written: the command does not run */
	buf_reset(&out);
	assert_int_equal(cleanup_run_journaled(argv, "disable-account", "x", "/proc/spamtop/journal", &out, &err), -1);
	assert_int_equal(out.len, 0);
	buf_free(&out);
}

/* the backup of main.cf cannot be written (a read-only directory): postconf
 * and postfix never run, the error says why */
static void main_cf_is_not_edited_when_its_backup_fails(void **state)
{
	(void)state;
	char dir[] = "/tmp/spamtop-test-maincf.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[128], marker[128];
	snprintf(path, sizeof(path), "%s/main.cf", dir);
	snprintf(marker, sizeof(marker), "%s/ran", dir);
	test_write_file(path, "mynetworks = 127.0.0.0/8\n", 25);
	char script[256];
	snprintf(script, sizeof(script), "echo \"$0 $*\" >> %s\n", marker);
	char *saved = test_fake_program(dir, "postconf", script);
	free(test_fake_program(dir, "postfix", script));
	struct postfix_conf c;
	memset(&c, 0, sizeof(c));
	snprintf(c.config_dir, sizeof(c.config_dir), "%s", dir);
	buf_puts(&c.mynetworks_raw, "127.0.0.1/32 127.0.0.2/32");
	const char *ips[] = {"127.0.0.2"};
	struct mynetworks_plan plan;
	struct error err = {""};
	assert_int_equal(cleanup_mynetworks_plan(&c, ips, 1, &plan, &err), 0);
	assert_true(plan.runnable);
	assert_int_equal(chmod(dir, 0555), 0);	/* no backup can be created beside main.cf */
	struct buf backup = BUF_INIT, out = BUF_INIT;
	int rc = cleanup_mynetworks_apply(&c, &plan, "/tmp/spamtop-test-maincf-journal.jsonl", &backup, &out, &err);
	assert_int_equal(chmod(dir, 0755), 0);
	if (geteuid() != 0) {	/* root writes into a 0555 directory: only then is the case made */
		assert_int_equal(rc, -1);
		assert_non_null(strstr(err.msg, "cannot create"));
		assert_int_equal(access(marker, F_OK), -1);
	}
	/* as root too: a backup name that exists already (O_EXCL) fails the same
	 * way; the clock is fixed, so the name it takes is known and planted */
	unlink(marker);
	char planted[256];
	for (int k = 0; k < 10; k++) {	/* every name it may take in that second */
		snprintf(planted, sizeof(planted), "%s.spamtop-20261125-000000%s%.0d", path, k ? "." : "", k);
		test_write_file(planted, "planted", 7);
	}
	struct buf again = BUF_INIT;
	buf_reset(&backup);
	clock_fix(TEST_REFERENCE);
	rc = cleanup_mynetworks_apply(&c, &plan, "/tmp/spamtop-test-maincf-journal.jsonl", &backup, &out, &err);
	clock_fix(0);
	assert_string_equal(buf_str(&backup), planted);	/* the last it tried: .9 */
	assert_int_equal(rc, -1);
	assert_non_null(strstr(err.msg, "cannot create"));
	assert_int_equal(access(marker, F_OK), -1);	/* neither postconf nor postfix ran */
	char *kept = test_read_file(path, NULL);
	assert_string_equal(kept, "mynetworks = 127.0.0.0/8\n");
	free(kept);
	setenv("PATH", saved, 1);
	free(saved);
	buf_free(&backup);
	buf_free(&out);
	buf_free(&again);
	mynetworks_plan_free(&plan);
	postfix_conf_free(&c);
	unlink("/tmp/spamtop-test-maincf-journal.jsonl");
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* what the cleanup reads of Postfix takes two postconf runs (-hx for the
 * expanded values, -h for main.cf's text), each value on its line; a
 * postconf that leaves a parameter out (one this Postfix does not know)
 * is asked once per parameter instead, and every value is still right */
static void postfix_conf_is_read_in_two_postconf_runs_each_value_in_its_place(void **state)
{
	(void)state;
	char dir[] = "/tmp/spamtop-test-postconf.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char script[1024], path[160];
	snprintf(script, sizeof(script),
		 "echo \"$*\" >> %s/ran\n"
		 "f=$1; shift; n=$#; i=0; drop=0\n"
		 "[ -e %s/drop-last ] && [ $# -gt 1 ] && drop=1\n"
		 "for p; do i=$((i + 1)); [ $drop = 1 ] && [ $i = $n ] && continue; cat %s/$f.$p 2>/dev/null || echo; done\n",
		 dir, dir, dir);
	char *saved = test_fake_program(dir, "postconf", script);
	static const char *const values[][2] = {
		{"-hx.mynetworks", "127.0.0.0/8 192.0.2.5"}, {"-h.mynetworks", "$local_nets 192.0.2.5"},
		{"-hx.config_directory", "/etc/postfix"}, {"-h.authorized_submit_users", "!www-data, static:anyone"},
		{"-hx.mydomain", "example.org"}, {"-hx.relay_domains", "relayed.example"},
		{"-hx.parent_domain_matches_subdomains", "debug_peer_list,relay_domains,smtpd_access_maps"},
	};
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		char text[128];
		snprintf(path, sizeof(path), "%s/%s", dir, values[i][0]);
		snprintf(text, sizeof(text), "%s\n", values[i][1]);
		test_write_file(path, text, strlen(text));
	}
	for (int drop = 0; drop < 2; drop++) {
		snprintf(path, sizeof(path), "%s/ran", dir);
		unlink(path);
		struct postfix_conf c;
		struct error err = {""};
		assert_int_equal(postfix_conf_read(&c, NULL, NULL, &err), 0);
		assert_string_equal(buf_str(&c.mynetworks), "127.0.0.0/8 192.0.2.5");
		assert_string_equal(buf_str(&c.mynetworks_raw), "$local_nets 192.0.2.5");
		assert_string_equal(buf_str(&c.submit_users), "!www-data, static:anyone");
		assert_string_equal(c.config_dir, "/etc/postfix");
		assert_true(domain_list_has(&c.ours, "example.org", 11));
		assert_true(domain_list_has(&c.ours, "relayed.example", 15));
		assert_false(domain_list_has(&c.ours, "192.0.2.5", 9));
		/* relay_domains' names are their subdomains' too (parent_domain_matches_subdomains),
		 * the other lists' are not */
		assert_true(domain_list_has(&c.ours, "mx.Relayed.example", 18));
		assert_false(domain_list_has(&c.ours, "xrelayed.example", 16));
		assert_false(domain_list_has(&c.ours, "sub.example.org", 15));
		postfix_conf_free(&c);
		char *ran = test_read_file(path, NULL);
		size_t runs = 0;
		for (const char *q = ran; (q = strchr(q, '\n')) != NULL; q++)
			runs++;
		assert_int_equal(runs, drop ? 2 + 9 + 2 : 2);	/* dropped: each parameter asked again, alone */
		assert_non_null(strstr(ran, "-hx mynetworks config_directory parent_domain_matches_subdomains mydomain"));
		free(ran);
		snprintf(path, sizeof(path), "%s/drop-last", dir);
		test_write_file(path, "", 0);
	}
	setenv("PATH", saved, 1);
	free(saved);
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* a stand-in postconf keeps mynetworks in a file as main.cf would: both
 * trusted relays go in one `postconf -e`, the value is read back, then
 * Postfix is reloaded; a postconf whose edit does not take is caught by the
 * read-back and Postfix is not reloaded */
static void two_trusted_relays_are_dropped_in_one_verified_edit(void **state)
{
	(void)state;
	char dir[] = "/tmp/spamtop-test-mynetworks.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[128], script[1024];
	snprintf(path, sizeof(path), "%s/main.cf", dir);
	test_write_file(path, "# main.cf\n", 10);
	snprintf(script, sizeof(script),
		 "echo \"$*\" >> %s/ran\n"
		 "case \"$1\" in\n"
		 "-h|-hx) [ \"$2\" = config_directory ] && echo %s || cat %s/value ;;\n"
		 "-e) [ -e %s/ignore-edits ] || printf '%%s\\n' \"${2#mynetworks = }\" > %s/value ;;\n"
		 "*) exit 2 ;;\n"
		 "esac\n", dir, dir, dir, dir, dir);
	char *saved = test_fake_program(dir, "postconf", script);
	snprintf(script, sizeof(script), "echo \"postfix $*\" >> %s/ran\n", dir);
	free(test_fake_program(dir, "postfix", script));
	char value[160];
	snprintf(value, sizeof(value), "%s/value", dir);
	const char *mynetworks = "127.0.0.0/8, 192.0.2.5 !192.0.2.7 [::1]/128 192.0.2.6/32\n";
	test_write_file(value, mynetworks, strlen(mynetworks));
	struct postfix_conf c;
	struct error err = {""};
	assert_int_equal(postfix_conf_read(&c, NULL, NULL, &err), 0);
	assert_string_equal(c.config_dir, dir);
	const char *ips[] = {"192.0.2.5", "192.0.2.6", "192.0.2.7"};
	struct mynetworks_plan plan;
	assert_int_equal(cleanup_mynetworks_plan(&c, ips, 3, &plan, &err), 0);
	assert_true(plan.runnable);
	assert_int_equal(plan.nips, 2);
	assert_string_equal(buf_str(&plan.after), "127.0.0.0/8 !192.0.2.7 [::1]/128");
	assert_non_null(strstr(buf_str(&plan.notes), "192.0.2.7: excluded already"));
	const char *journal = "/tmp/spamtop-test-mynetworks.jsonl";
	unlink(journal);
	struct buf backup = BUF_INIT, out = BUF_INIT;
	assert_int_equal(cleanup_mynetworks_apply(&c, &plan, journal, &backup, &out, &err), 0);
	char ran[160];
	snprintf(ran, sizeof(ran), "%s/ran", dir);
	char *calls = test_read_file(ran, NULL);
	const char *edit = strstr(calls, "-e mynetworks = 127.0.0.0/8 !192.0.2.7 [::1]/128\n");
	assert_non_null(edit);
	assert_null(strstr(edit + 1, "-e "));	/* one edit */
	const char *readback = strstr(edit, "-h mynetworks\n");
	assert_non_null(readback);
	assert_non_null(strstr(readback, "postfix reload"));	/* reloaded after the read-back */
	free(calls);
	char *now = test_read_file(value, NULL);
	assert_string_equal(now, "127.0.0.0/8 !192.0.2.7 [::1]/128\n");
	free(now);
	/* the undo: mynetworks exactly as before the edit, both relays back */
	struct postfix_conf after;
	assert_int_equal(postfix_conf_read(&after, NULL, NULL, &err), 0);
	struct mynetworks_plan undo;
	assert_int_equal(cleanup_mynetworks_undo_plan(&after, "192.0.2.6", journal, &undo, &err), 0);
	assert_string_equal(buf_str(&undo.after), "127.0.0.0/8, 192.0.2.5 !192.0.2.7 [::1]/128 192.0.2.6/32");
	clock_fix(TEST_REFERENCE + 3);	/* another backup name */
	buf_reset(&backup);
	assert_int_equal(cleanup_mynetworks_apply(&after, &undo, journal, &backup, &out, &err), 0);
	clock_fix(0);
	now = test_read_file(value, NULL);
	assert_string_equal(now, "127.0.0.0/8, 192.0.2.5 !192.0.2.7 [::1]/128 192.0.2.6/32\n");
	free(now);
	mynetworks_plan_free(&undo);
	postfix_conf_free(&after);
	/* changed since the edit (the undone value is not the edit's result): refused */
	assert_int_equal(postfix_conf_read(&after, NULL, NULL, &err), 0);
	assert_int_equal(cleanup_mynetworks_undo_plan(&after, "192.0.2.6", journal, &undo, &err), -1);
	assert_non_null(strstr(err.msg, "has changed since spamtop dropped 192.0.2.6"));
	assert_int_equal(cleanup_mynetworks_undo_plan(&after, "192.0.2.99", journal, &undo, &err), -1);
	assert_non_null(strstr(err.msg, "no mynetworks edit that dropped 192.0.2.99"));
	postfix_conf_free(&after);
	/* an edit that does not take: said, and no reload */
	test_write_file(value, mynetworks, strlen(mynetworks));
	char ignore[160];
	snprintf(ignore, sizeof(ignore), "%s/ignore-edits", dir);
	test_write_file(ignore, "", 0);
	unlink(ran);
	clock_fix(TEST_REFERENCE + 7);	/* another backup name */
	buf_reset(&backup);
	assert_int_equal(cleanup_mynetworks_apply(&c, &plan, journal, &backup, &out, &err), -1);
	clock_fix(0);
	assert_non_null(strstr(err.msg, "not as planned"));
	assert_non_null(strstr(err.msg, "Postfix was not reloaded"));
	calls = test_read_file(ran, NULL);
	assert_null(strstr(calls, "reload"));
	free(calls);
	setenv("PATH", saved, 1);
	free(saved);
	mynetworks_plan_free(&plan);
	postfix_conf_free(&c);
	buf_free(&backup);
	buf_free(&out);
	unlink(journal);
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* a relay inside a wider entry: nothing to drop from mynetworks, and the plan
 * lists it for a host block rather than leaving it trusted in silence */
static void a_relay_inside_a_wider_block_is_planned_for_a_host_block(void **state)
{
	(void)state;
	struct postfix_conf c;
	memset(&c, 0, sizeof(c));
	buf_puts(&c.mynetworks_raw, "127.0.0.0/8, 10.0.0.0/8");
	buf_puts(&c.mynetworks, "127.0.0.0/8, 10.0.0.0/8");
	net_list_parse(&c.trusted, buf_str(&c.mynetworks));
	const char *ips[] = {"10.1.2.3"};
	struct mynetworks_plan plan;
	struct error err;
	assert_int_equal(cleanup_mynetworks_plan(&c, ips, 1, &plan, &err), 0);
	assert_false(plan.runnable);
	assert_int_equal(plan.nwider, 1);
	assert_string_equal(plan.wider[0], "10.1.2.3");
	assert_non_null(strstr(buf_str(&plan.notes), "10.1.2.3: inside 10.0.0.0/8: blocked by a check_client_access entry"));
	mynetworks_plan_free(&plan);
	postfix_conf_free(&c);
}

static void incident_report_names_culprits_actions_and_queue(void **state)
{
	(void)state;
	struct model *m = test_lab_model();
	struct suspect sus[8];
	struct cleanup_state s;
	size_t n = lab_cleanup(m, sus, &s, 1795564000);
	s.have_before = s.have_after = 1;
	s.before[QN_DEFERRED] = 39;
	s.after[QN_DEFERRED] = 3;
	snprintf(s.outcome[STEP_CLEAN], sizeof(s.outcome[0]), "deleted 36 messages");
	const char *journal = "/tmp/spamtop-test-incident-journal.jsonl";
	const char *entries =
		"{\"time\":\"2026-11-24T23:50:00.000Z\",\"phase\":\"done\",\"operator\":\"root\",\"action\":\"delete\","
		"\"selection\":\"SASL user victim@lab.example\",\"command\":[\"postsuper\",\"-d\",\"-\"],\"expected\":24,"
		"\"changed\":[\"A\",\"B\"],\"gone\":[],\"unchanged\":[],\"exit_status\":0}\n"
		"{\"time\":\"2020-01-01T00:00:00.000Z\",\"phase\":\"done\",\"operator\":\"root\",\"action\":\"old-incident\"}\n"
		"{\"time\":\"2026-11-24T23:51:00.000Z\",\"phase\":\"done\",\"operator\":\"ev|l\\u001b[2J\",\"action\":\"mynetworks\","
		"\"selection\":\"mynetworks = 127.0.0.1/32\",\"command\":\"postconf -e mynetworks = 127.0.0.1/32\",\"exit_status\":0}\n";
	test_write_file(journal, entries, strlen(entries));
	const char *logs[] = {"tests/fixtures/lab-outbreak.log"};
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	struct error err;
	assert_int_equal(incident_write(f, m, sus, n, &s, logs, 1, journal, &err), 0);
	fclose(f);
	assert_non_null(strstr(text, "### sasl_user victim@lab.example (acted on)"));
	assert_non_null(strstr(text, "### trusted_relay 127.0.0.2 (acted on)"));
	assert_non_null(strstr(text, "### brute_force 127.0.0.66\n"));
	assert_non_null(strstr(text, "- 24 messages, 48 recipients, 48 deferred, 0 bounced, from 5 client IPs"));
	assert_non_null(strstr(text, "| 2026-11-24T23:50:00 | root | delete | SASL user victim@lab.example | "
				     "postsuper \\-d \\- | 24 | 2 | 0 | 0 | 0 |"));
	assert_null(strstr(text, "old-incident"));	/* before this cleanup began */
	assert_non_null(strstr(text, "ev\\|l\\\\x1b\\[2J"));	/* escaped, never raw */
	assert_null(strchr(text, '\033'));
	assert_non_null(strstr(text, "- step 5, Clean the queue: deleted 36 messages"));
	assert_non_null(strstr(text, "- Before the cleanup: 39 messages (incoming 0, active 0, deferred 39, hold 0)"));
	assert_non_null(strstr(text, "- After the release: 3 messages"));
	free(text);
	unlink(journal);
	model_free(m);
}

/* the timeline lists the suspects by the time each was first seen, whatever
 * order detection ranked them in, and the report says when it was written */
static void incident_timeline_is_in_time_order_and_dated_by_the_clock(void **state)
{
	(void)state;
	struct model *m = test_lab_model();
	struct suspect sus[8], reversed[8];
	struct cleanup_state s;
	size_t n = lab_cleanup(m, sus, &s, 1795564000);
	assert_true(n >= 3);
	for (size_t i = 0; i < n; i++)
		reversed[i] = sus[n - 1 - i];
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	struct error err;
	clock_fix(TEST_REFERENCE + 3600);
	assert_int_equal(incident_write(f, m, reversed, n, &s, NULL, 0, NULL, &err), 0);
	clock_fix(0);
	fclose(f);
	assert_non_null(strstr(text, "- Written: 2026-11-25 01:00:00 UTC by "));
	const char *at = strstr(text, "## Timeline");
	assert_non_null(at);
	int64_t last = 0;
	for (size_t k = 0; k < n; k++) {
		at = strstr(at, ": first seen: ");
		assert_non_null(at);
		const char *key = at + strlen(": first seen: ");
		const struct suspect *x = NULL;
		for (size_t i = 0; i < n && x == NULL; i++) {
			const char *kind = suspect_kind_name(sus[i].kind);
			if (strncmp(key, kind, strlen(kind)) == 0 && key[strlen(kind)] == ' '
			    && strncmp(key + strlen(kind) + 1, sus[i].agg->key->s, sus[i].agg->key->len) == 0)
				x = &sus[i];
		}
		assert_non_null(x);
		assert_true(x->agg->first_seen >= last);
		last = x->agg->first_seen;
		at = key;
	}
	int unordered = 0;	/* the order given is not time order: there is something to get wrong */
	for (size_t i = 0; i + 1 < n; i++)
		unordered |= reversed[i].agg->first_seen > reversed[i + 1].agg->first_seen;
	assert_true(unordered);
	free(text);
	model_free(m);
}

/* log text cannot make Markdown: a user name that is a link, an image, a
 * heading or HTML is written inert; a journal line of 200 KB (a delete of
 * thousands of IDs) is in the table; a line that is no entry is named */
static void incident_report_escapes_markdown_and_reads_every_journal_line(void **state)
{
	(void)state;
	struct model *m = model_new(NULL, TEST_REFERENCE);
	struct cleanup_state s;
	cleanup_state_init(&s, 1795564000);
	snprintf(s.outcome[STEP_IDENTIFY], sizeof(s.outcome[0]), "marked: ![x](http://evil.example/p.png)");
	const char *journal = "/tmp/spamtop-test-incident-md.jsonl";
	FILE *j = fopen(journal, "w");
	assert_non_null(j);
	fputs("{\"time\":\"2026-11-24T23:50:00.000Z\",\"phase\":\"done\",\"operator\":\"root\",\"action\":\"delete\","
	      "\"selection\":\"SASL user [click](http://evil.example/) <b>#x</b> www.evil.example\",\"changed\":[", j);
	for (int i = 0; i < 20000; i++)
		fprintf(j, "%s\"%010X\"", i ? "," : "", i);
	fputs("],\"exit_status\":0}\n", j);
	fputs("not a journal entry\n", j);
	fclose(j);
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	struct error err;
	assert_int_equal(incident_write(f, m, NULL, 0, &s, NULL, 0, journal, &err), 0);
	fclose(f);
	assert_non_null(strstr(text, "marked\\: \\!\\[x\\]\\(http\\://evil.example/p.png\\)"));
	assert_non_null(strstr(text, "| SASL user \\[click\\]\\(http\\://evil.example/\\) \\<b\\>\\#x\\</b\\> www\\.evil.example | "
				     " |  | 20000 | 0 | 0 | 0 |"));
	assert_non_null(strstr(text, "1 line of the journal /tmp/spamtop-test-incident-md.jsonl could not be read as "
				     "entries (line 2)"));
	assert_null(strstr(text, "](http"));
	free(text);
	unlink(journal);
	model_free(m);
}

/* what already left: the suspect's deliveries to remote domains before the
 * cleanup began, per domain, the most first; a local mailbox, a content
 * filter's hand-off, a delivery after the hold and another sender's mail are
 * not counted */
static void incident_report_counts_what_already_left_per_domain(void **state)
{
	(void)state;
	const char *log = "/tmp/spamtop-test-damage.log";
	const char *lines =
		"Nov 24 10:00:00 mail postfix/smtpd[1]: 1A2B3C4D51: client=u[192.0.2.10], sasl_method=LOGIN, sasl_username=victim@lab.example\n"
		"Nov 24 10:00:00 mail postfix/smtpd[1]: 1A2B3C4D52: client=u[192.0.2.10], sasl_method=LOGIN, sasl_username=victim@lab.example\n"
		"Nov 24 10:00:00 mail postfix/smtpd[1]: 1A2B3C4D53: client=u[192.0.2.10], sasl_method=LOGIN, sasl_username=victim@lab.example\n"
		"Nov 24 10:00:00 mail postfix/smtpd[1]: 1A2B3C4D59: client=u[192.0.2.20], sasl_method=LOGIN, sasl_username=alice@lab.example\n"
		"Nov 24 10:00:01 mail postfix/smtp[2]: 1A2B3C4D51: to=<a@gmail.example>, relay=mx.gmail.example[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)\n"
		"Nov 24 10:00:01 mail postfix/smtp[2]: 1A2B3C4D51: to=<b@Gmail.Example>, relay=mx.gmail.example[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)\n"
		"Nov 24 10:00:01 mail postfix/smtp[2]: 1A2B3C4D52: to=<c@outlook.example>, relay=mx.outlook.example[192.0.2.2]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)\n"
		"Nov 24 10:00:01 mail postfix/local[3]: 1A2B3C4D52: to=<d@lab.example>, relay=local, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (delivered to mailbox)\n"
		"Nov 24 10:00:01 mail postfix/smtp[2]: 1A2B3C4D53: to=<e@filtered.example>, relay=127.0.0.1[127.0.0.1]:10024, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 9F8E7D6C5B)\n"
		"Nov 24 10:00:01 mail postfix/smtp[2]: 1A2B3C4D59: to=<x@gmail.example>, relay=mx.gmail.example[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)\n"
		"Nov 24 11:00:00 mail postfix/smtp[2]: 1A2B3C4D53: to=<late@yahoo.example>, relay=mx.yahoo.example[192.0.2.3]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)\n";
	test_write_file(log, lines, strlen(lines));
	struct model *m = model_new(NULL, TEST_REFERENCE);
	struct source_stats st = {0};
	struct error err;
	assert_int_equal(ingest_file(m, log, &st, &err), 0);
	struct suspect sus = {SUSPECT_SASL_USER, model_agg_find(m, AGG_SASL_USER, "victim@lab.example", 18), {{0}}, 0};
	assert_non_null(sus.agg);
	struct damage d;
	const char *logs[] = {log};
	int64_t hold = 1795516200;	/* 2026-11-24 10:30 UTC: the cleanup began */
	assert_int_equal(damage_count(m, &sus, 1, logs, 1, hold, &d, &err), 0);
	assert_int_equal(d.messages, 3);
	assert_int_equal(d.delivered, 3);
	assert_int_equal(d.count, 2);
	assert_string_equal(d.d[0].domain, "gmail.example");
	assert_int_equal(d.d[0].delivered, 2);
	assert_string_equal(d.d[1].domain, "outlook.example");
	damage_free(&d);
	struct cleanup_state s;
	cleanup_state_init(&s, hold);
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	assert_int_equal(incident_write(f, m, &sus, 1, &s, logs, 1, NULL, &err), 0);
	fclose(f);
	assert_non_null(strstr(text, "## What already left\n\nAt least 3 deliveries of the suspects' 3 messages reached 2 "
				     "remote domains before the cleanup began"));
	assert_non_null(strstr(text, "- gmail.example: 2\n- outlook.example: 1\n"));
	free(text);
	model_free(m);
	unlink(log);
}

/* 127.0.0.1 and ::1 as trusted relays are processes on this machine: the
 * plan neither drops them nor blocks them inside 127.0.0.0/8, and says so;
 * the other relay goes as before */
static void this_machines_loopback_stays_trusted_in_a_mynetworks_plan(void **state)
{
	(void)state;
	struct postfix_conf c;
	memset(&c, 0, sizeof(c));
	const char *value = "127.0.0.0/8, 192.0.2.5 [::1]/128 127.0.0.1/32";
	buf_puts(&c.mynetworks_raw, value);
	net_list_parse(&c.trusted, value);
	const char *ips[] = {"127.0.0.1", "::1", "192.0.2.5"};
	struct mynetworks_plan plan;
	struct error err = {""};
	assert_int_equal(cleanup_mynetworks_plan(&c, ips, 3, &plan, &err), 0);
	assert_true(plan.runnable);
	assert_int_equal(plan.nips, 1);
	assert_string_equal(plan.ips[0], "192.0.2.5");
	assert_int_equal(plan.nwider, 0);
	assert_string_equal(buf_str(&plan.after), "127.0.0.0/8 [::1]/128 127.0.0.1/32");
	assert_non_null(strstr(buf_str(&plan.notes), "127.0.0.1: kept trusted: "));
	assert_non_null(strstr(buf_str(&plan.notes), "::1: kept trusted: "));
	mynetworks_plan_free(&plan);
	/* a relay at another loopback address (an explicit bind: the lab's hosts) is edited as any */
	const char *other[] = {"127.0.0.2"};
	assert_int_equal(cleanup_mynetworks_plan(&c, other, 1, &plan, &err), 0);
	assert_int_equal(plan.nwider, 1);
	mynetworks_plan_free(&plan);
	net_list_free(&c.trusted);
	buf_free(&c.mynetworks_raw);
}

int main(void)
{
	test_use_utc();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(state_survives_save_and_load),
		cmocka_unit_test(this_machines_loopback_stays_trusted_in_a_mynetworks_plan),
		cmocka_unit_test(account_template_fills_the_user_into_one_argument),
		cmocka_unit_test(account_template_refuses_a_user_name_that_would_be_an_option_or_a_wildcard),
		cmocka_unit_test(suspects_become_targets_and_brute_force_is_not_chosen),
		cmocka_unit_test(containment_command_is_journaled_before_and_after),
		cmocka_unit_test(main_cf_is_not_edited_when_its_backup_fails),
		cmocka_unit_test(postfix_conf_is_read_in_two_postconf_runs_each_value_in_its_place),
		cmocka_unit_test(two_trusted_relays_are_dropped_in_one_verified_edit),
		cmocka_unit_test(a_relay_inside_a_wider_block_is_planned_for_a_host_block),
		cmocka_unit_test(incident_report_names_culprits_actions_and_queue),
		cmocka_unit_test(incident_report_escapes_markdown_and_reads_every_journal_line),
		cmocka_unit_test(incident_report_counts_what_already_left_per_domain),
		cmocka_unit_test(incident_timeline_is_in_time_order_and_dated_by_the_clock),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
