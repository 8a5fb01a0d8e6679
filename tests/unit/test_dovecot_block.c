/*
 * test_dovecot_block - an account refused at Dovecot through its deny
 * passdb: the file found in doveconf -n as Dovecot 2.3 and 2.4 print it,
 * the file keeping the others' lines and its mode, the auth cache flushed
 * and the sessions kicked, nothing changed without a deny passdb, and a
 * name that cannot be a line refused. Stand-in doveconf and doveadm record
 * their calls; tests/lab proves it on the real Dovecot.
 */
#include "testutil.h"

#include <sys/stat.h>
#include <unistd.h>

#include "core/incident/dovecot_block.h"

static char dir[64];

/* what the lab's Dovecot 2.3.19 prints (doveconf -n), trimmed */
static const char conf_23[] =
	"# 2.3.19.1 (9b53102964): /run/spamtop-lab-dovecot/dovecot.conf\n"
	"# OS: Linux 6.1.0 x86_64 Debian 12.8\n"
	"auth_mechanisms = plain login\n"
	"passdb {\n"
	"  args = %s/deny-users\n"
	"  deny = yes\n"
	"  driver = passwd-file\n"
	"}\n"
	"passdb {\n"
	"  args = scheme=PLAIN username_format=%%u /run/spamtop-lab-dovecot/users\n"
	"  driver = passwd-file\n"
	"}\n"
	"service imap-login {\n"
	"  inet_listener imap {\n"
	"    port = 2143\n"
	"  }\n"
	"}\n";

static void the_deny_file_is_found_as_dovecot_23_and_24_print_it(void **state)
{
	(void)state;
	char text[1024], path[512];
	int late;
	snprintf(text, sizeof(text), conf_23, "/etc/dovecot");
	assert_int_equal(dovecot_deny_file(text, path, sizeof(path), &late), 1);
	assert_string_equal(path, "/etc/dovecot/deny-users");
	assert_false(late);
	/* 2.4: named sections, passwd_file_path, a quoted value; a passdb nested
	 * in a protocol section is not the top level's */
	static const char conf_24[] =
		"protocol imap {\n  passdb nested {\n    deny = yes\n    driver = passwd-file\n"
		"    passwd_file_path = /etc/dovecot/imap-deny\n  }\n}\n"
		"passdb pam {\n  driver = pam\n}\n"
		"passdb deny-users {\n  deny = yes\n  driver = passwd-file\n"
		"  passwd_file_path = \"/etc/dovecot/deny users\"\n}\n";
	assert_int_equal(dovecot_deny_file(conf_24, path, sizeof(path), &late), 1);
	assert_string_equal(path, "/etc/dovecot/deny users");
	assert_true(late);	/* after pam: the account may log in there first */
	/* no deny passdb: a passwd-file without deny, deny over another driver */
	static const char none[] = "passdb {\n  args = /etc/dovecot/users\n  driver = passwd-file\n}\n"
				   "passdb {\n  deny = yes\n  driver = sql\n  args = /etc/dovecot/sql.conf\n}\n"
				   "passdb {\n  deny = no\n  driver = passwd-file\n  args = /etc/dovecot/x\n}\n";
	assert_int_equal(dovecot_deny_file(none, path, sizeof(path), &late), 0);
}

static void the_deny_file_keeps_the_others_lines_and_unblock_removes_only_its_own(void **state)
{
	(void)state;
	struct buf after = BUF_INIT;
	const char *text = "alice@lab.example\nvictim@lab.example.org\n# a comment\nbob@lab.example:::reason\n";
	assert_int_equal(dovecot_deny_edit(text, "victim@lab.example", 1, &after), 0);
	assert_string_equal(buf_str(&after), "alice@lab.example\nvictim@lab.example.org\n# a comment\n"
			    "bob@lab.example:::reason\nvictim@lab.example\n");
	struct buf again = BUF_INIT;	/* blocked twice: one line */
	assert_int_equal(dovecot_deny_edit(buf_str(&after), "victim@lab.example", 1, &again), 1);
	assert_string_equal(buf_str(&again), buf_str(&after));
	struct buf back = BUF_INIT;
	assert_int_equal(dovecot_deny_edit(buf_str(&after), "bob@lab.example", 0, &back), 1);
	assert_string_equal(buf_str(&back), "alice@lab.example\nvictim@lab.example.org\n# a comment\n"
			    "victim@lab.example\n");
	buf_free(&after);
	buf_free(&again);
	buf_free(&back);
}

/* stand_ins - doveconf printing conf (with the deny file in dir), doveadm and
 * doveconf recording their calls in dir/ran */
static void stand_ins(const char *conf)
{
	char path[128], script[512];
	snprintf(path, sizeof(path), "%s/conf", dir);
	test_write_file(path, conf, strlen(conf));
	snprintf(script, sizeof(script), "echo \"doveconf $*\" >> %s/ran\ncat %s/conf\n", dir, dir);
	free(test_fake_program(dir, "doveconf", script));
	snprintf(script, sizeof(script), "echo \"doveadm $*\" >> %s/ran\n", dir);
	free(test_fake_program(dir, "doveadm", script));
}

static char *begin(const char *conf)
{
	char *saved = test_stand_ins_begin(dir, sizeof(dir), "/tmp/spamtop-test-dovecot.XXXXXX");
	stand_ins(conf);
	return saved;
}

static void end(char *saved)
{
	test_stand_ins_end(dir, saved);
}

static void block_rewrites_the_file_in_its_mode_then_flushes_and_kicks_journaled(void **state)
{
	(void)state;
	char *saved = begin(""), conf[1024];
	snprintf(conf, sizeof(conf), conf_23, dir);
	stand_ins(conf);
	char deny[128], journal[128], ran[128];
	snprintf(deny, sizeof(deny), "%s/deny-users", dir);
	snprintf(journal, sizeof(journal), "%s/journal.jsonl", dir);
	snprintf(ran, sizeof(ran), "%s/ran", dir);
	test_write_file(deny, "alice@lab.example\n", 18);
	assert_int_equal(chmod(deny, 0640), 0);
	struct dovecot_block_plan p;
	struct error err;
	struct buf out = BUF_INIT, notes = BUF_INIT;
	assert_int_equal(dovecot_block_plan_make("/etc/dc/dovecot.conf", "victim@lab.example", 1, &p, &err), 0);
	assert_true(p.installed);
	assert_true(p.runnable);
	assert_string_equal(p.deny_file, deny);
	assert_int_equal(dovecot_block_apply(&p, journal, &out, &notes, &err), 0);
	dovecot_block_plan_free(&p);
	assert_string_equal(buf_str(&notes), "");
	char *text = test_read_file(deny, NULL);
	assert_string_equal(text, "alice@lab.example\nvictim@lab.example\n");
	free(text);
	struct stat st;
	assert_int_equal(stat(deny, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	text = test_read_file(ran, NULL);
	assert_string_equal(text, "doveconf -c /etc/dc/dovecot.conf -n\n"
			    "doveadm -c /etc/dc/dovecot.conf auth cache flush victim@lab.example\n"
			    "doveadm -c /etc/dc/dovecot.conf kick victim@lab.example\n");
	free(text);
	text = test_read_file(journal, NULL);
	assert_non_null(strstr(text, "\"action\":\"block-account-dovecot\""));
	assert_non_null(strstr(text, "\"action\":\"dovecot-kick\""));
	free(text);
	/* unblock: its line goes, the cache is flushed, nobody is kicked */
	assert_int_equal(unlink(ran), 0);
	assert_int_equal(dovecot_block_plan_make(NULL, "victim@lab.example", 0, &p, &err), 0);
	assert_int_equal(dovecot_block_apply(&p, journal, &out, &notes, &err), 0);
	dovecot_block_plan_free(&p);
	text = test_read_file(deny, NULL);
	assert_string_equal(text, "alice@lab.example\n");
	free(text);
	text = test_read_file(ran, NULL);
	assert_string_equal(text, "doveconf -n\ndoveadm auth cache flush victim@lab.example\n");
	free(text);
	assert_int_equal(dovecot_block_plan_make(NULL, "victim@lab.example", 0, &p, &err), 0);
	assert_false(p.runnable);	/* not in the file any more */
	dovecot_block_plan_free(&p);
	buf_free(&out);
	buf_free(&notes);
	end(saved);
}

static void without_a_usable_deny_passdb_nothing_changes_and_the_plan_says_why(void **state)
{
	(void)state;
	char *saved = begin("passdb {\n  driver = pam\n}\n");
	struct dovecot_block_plan p;
	struct error err;
	assert_int_equal(dovecot_block_plan_make(NULL, "victim@lab.example", 1, &p, &err), 0);
	assert_true(p.installed);
	assert_false(p.runnable);
	assert_non_null(strstr(buf_str(&p.notes), "Dovecot has no deny passdb"));
	assert_non_null(strstr(buf_str(&p.notes), "auth-deny.conf.ext"));
	dovecot_block_plan_free(&p);
	/* a file per service (Dovecot's documented deny.%s): which one is not guessed */
	stand_ins("passdb {\n  args = /etc/dovecot/deny.%s\n  deny = yes\n  driver = passwd-file\n}\n");
	assert_int_equal(dovecot_block_plan_make(NULL, "victim@lab.example", 1, &p, &err), 0);
	assert_false(p.runnable);
	assert_non_null(strstr(buf_str(&p.notes), "names its file with variables (/etc/dovecot/deny.%s)"));
	dovecot_block_plan_free(&p);
	end(saved);
}

static void a_name_that_cannot_be_a_line_of_the_file_is_refused(void **state)
{
	(void)state;
	static const char *const bad[] = {"", "#victim", "vic tim", "victim:x", "vic\ttim", "vic\033[2Jtim", "#\033[2J"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct dovecot_block_plan p;
		struct error err;
		assert_int_equal(dovecot_block_plan_make(NULL, bad[i], 1, &p, &err), -1);
		assert_null(strchr(err.msg, '\033'));	/* the message never carries the name's escapes */
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_deny_file_is_found_as_dovecot_23_and_24_print_it),
		cmocka_unit_test(the_deny_file_keeps_the_others_lines_and_unblock_removes_only_its_own),
		cmocka_unit_test(block_rewrites_the_file_in_its_mode_then_flushes_and_kicks_journaled),
		cmocka_unit_test(without_a_usable_deny_passdb_nothing_changes_and_the_plan_says_why),
		cmocka_unit_test(a_name_that_cannot_be_a_line_of_the_file_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
