/*
 * test_postfix_block - an account or a host blocked by a Postfix table: the
 * table keeps the others' lines, unblocking removes only this one's, the
 * check is put in front of its restriction list once, and a key that cannot
 * be a table key is refused. Stand-in postconf and postfix record calls.
 */
#include "testutil.h"

#include <unistd.h>

#include "core/incident/cleanup.h"
#include "core/incident/postfix_block.h"

static char dir[64];

/* at - the default instance whose config_directory is d */
static const struct postfix_conf *at(const char *d)
{
	static struct postfix_conf c;
	memset(&c, 0, sizeof(c));
	snprintf(c.config_dir, sizeof(c.config_dir), "%s", d);
	return &c;
}

static void stand_ins(const char *restrictions)
{
	char script[512], path[128];
	snprintf(path, sizeof(path), "%s/restrictions", dir);
	test_write_file(path, restrictions, strlen(restrictions));
	snprintf(script, sizeof(script),
		 "echo \"postconf $*\" >> %s/ran\n"
		 "[ \"$1\" = -c ] && shift 2\n"
		 "case \"$1\" in -h) cat %s/restrictions ;; -P) echo 'submission/inet/smtpd_sender_restrictions = $mua_sender' ;;\n"
		 "-e) printf '%%s\\n' \"${2#* = }\" > %s/restrictions ;; *) exit 2 ;; esac\n",
		 dir, dir, dir);
	free(test_fake_program(dir, "postconf", script));
	snprintf(script, sizeof(script), "echo \"postfix $*\" >> %s/ran\n", dir);
	free(test_fake_program(dir, "postfix", script));
}

/* begin - a fresh directory with a main.cf and the stand-ins first on PATH; the PATH before, to give end() */
static char *begin(const char *restrictions)
{
	char *saved = test_stand_ins_begin(dir, sizeof(dir), "/tmp/spamtop-test-block.XXXXXX");
	stand_ins(restrictions);
	char main_cf[128];
	snprintf(main_cf, sizeof(main_cf), "%s/main.cf", dir);
	test_write_file(main_cf, "# main.cf\n", 10);
	return saved;
}

static void end(char *saved)
{
	test_stand_ins_end(dir, saved);
}

static void block_then_unblock_keeps_other_accounts_and_inserts_the_check_once(void **state)
{
	(void)state;
	char *saved = begin("permit_mynetworks, reject_unknown_sender_domain\n");
	char table_dir[128], table[160], journal[128];
	snprintf(table_dir, sizeof(table_dir), "%s/spamtop", dir);
	snprintf(table, sizeof(table), "%s/spamtop/sasl_access", dir);
	snprintf(journal, sizeof(journal), "%s/journal.jsonl", dir);
	assert_int_equal(mkdir(table_dir, 0755), 0);
	test_write_file(table, "earlier@lab.example REJECT blocked before\n", 42);
	struct block_plan p;
	struct error err;
	struct buf backup = BUF_INIT, out = BUF_INIT;
	assert_int_equal(block_plan_make(at(dir), BLOCK_ACCOUNT, "Victim@lab.example", 1, &p, &err), 0);
	assert_true(p.restr_change);
	assert_non_null(strstr(buf_str(&p.notes), "the service submission/inet sets its own smtpd_sender_restrictions"));
	assert_int_equal(block_apply(at(dir), &p, journal, &backup, &out, &err), 0);
	block_plan_free(&p);
	char *text = test_read_file(table, NULL);
	assert_non_null(strstr(text, "earlier@lab.example REJECT blocked before\n"));
	assert_non_null(strstr(text, "Victim@lab.example REJECT 5.7.1 account blocked by spamtop"));
	free(text);
	char want[400], path[128];
	snprintf(want, sizeof(want), "check_sasl_access texthash:%s, permit_mynetworks, reject_unknown_sender_domain\n",
		 table);
	snprintf(path, sizeof(path), "%s/restrictions", dir);
	text = test_read_file(path, NULL);
	assert_string_equal(text, want);
	free(text);
	/* a second block: the check is there already, not put in twice */
	assert_int_equal(block_plan_make(at(dir), BLOCK_ACCOUNT, "other@lab.example", 1, &p, &err), 0);
	assert_false(p.restr_change);
	block_plan_free(&p);
	/* unblock, the name in another case: only its line goes */
	assert_int_equal(block_plan_make(at(dir), BLOCK_ACCOUNT, "victim@LAB.example", 0, &p, &err), 0);
	assert_true(p.runnable);
	assert_int_equal(block_apply(at(dir), &p, journal, &backup, &out, &err), 0);
	block_plan_free(&p);
	text = test_read_file(table, NULL);
	assert_string_equal(text, "earlier@lab.example REJECT blocked before\n");
	free(text);
	assert_int_equal(block_plan_make(at(dir), BLOCK_ACCOUNT, "victim@lab.example", 0, &p, &err), 0);
	assert_false(p.runnable);	/* not blocked any more: nothing to do */
	block_plan_free(&p);
	snprintf(path, sizeof(path), "%s/ran", dir);
	text = test_read_file(path, NULL);
	assert_int_equal((int)(strstr(strstr(text, "postconf -e") + 1, "postconf -e") == NULL), 1);	/* one edit */
	free(text);
	buf_free(&backup);
	buf_free(&out);
	end(saved);
}

/* a trusted host inside a wider mynetworks block: its cidr line, the check in
 * front of smtpd_client_restrictions (ahead of anything that permits it) */
static void a_host_is_blocked_by_a_cidr_line_ahead_of_the_client_restrictions(void **state)
{
	(void)state;
	char *saved = begin("permit_mynetworks, reject_unknown_client_hostname\n");
	char table[160], path[128], want[400];
	struct block_plan p;
	struct error err;
	struct buf backup = BUF_INIT, out = BUF_INIT;
	assert_int_equal(block_plan_make(at(dir), BLOCK_HOST, "192.168.1.66", 1, &p, &err), 0);
	char journal[128];
	snprintf(journal, sizeof(journal), "%s/journal.jsonl", dir);
	assert_int_equal(block_apply(at(dir), &p, journal, &backup, &out, &err), 0);
	block_plan_free(&p);
	snprintf(table, sizeof(table), "%s/spamtop/client_access", dir);
	char *text = test_read_file(table, NULL);
	assert_string_equal(text, "192.168.1.66 REJECT 5.7.1 host blocked by spamtop: it sent spam; ask the postmaster\n");
	free(text);
	snprintf(path, sizeof(path), "%s/restrictions", dir);
	snprintf(want, sizeof(want), "check_client_access cidr:%s, permit_mynetworks, reject_unknown_client_hostname\n", table);
	text = test_read_file(path, NULL);
	assert_string_equal(text, want);
	free(text);
	buf_free(&backup);
	buf_free(&out);
	end(saved);
	static const char *const bad[] = {"192.168.0.0/16", "[::1]", "!192.0.2.1", "host.example", "--all"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(block_plan_make(at("/nonexistent"), BLOCK_HOST, bad[i], 1, &p, &err), -1);
		assert_non_null(strstr(err.msg, "not an address"));
	}
}

/* another instance (postmulti): every postconf and the reload name its
 * directory with -c, and the table is under its config_directory */
static void a_block_in_another_instance_names_it_in_every_postconf_and_the_reload(void **state)
{
	(void)state;
	char *saved = begin("permit_mynetworks\n");
	char journal[128], path[128], want[900];
	snprintf(journal, sizeof(journal), "%s/journal.jsonl", dir);
	struct postfix_conf out_conf;
	memset(&out_conf, 0, sizeof(out_conf));
	snprintf(out_conf.config_dir, sizeof(out_conf.config_dir), "%s", dir);
	snprintf(out_conf.inst.config_dir, sizeof(out_conf.inst.config_dir), "%s", dir);
	snprintf(out_conf.inst.name, sizeof(out_conf.inst.name), "postfix-out");
	struct block_plan p;
	struct error err;
	struct buf backup = BUF_INIT, out = BUF_INIT;
	assert_int_equal(block_plan_make(&out_conf, BLOCK_ACCOUNT, "victim@lab.example", 1, &p, &err), 0);
	assert_int_equal(block_apply(&out_conf, &p, journal, &backup, &out, &err), 0);
	block_plan_free(&p);
	snprintf(path, sizeof(path), "%s/ran", dir);
	char *text = test_read_file(path, NULL);
	snprintf(want, sizeof(want),
		 "postconf -c %s -h smtpd_sender_restrictions\n"
		 "postconf -c %s -P\n"
		 "postconf -c %s -e smtpd_sender_restrictions = check_sasl_access texthash:%s/spamtop/sasl_access, "
		 "permit_mynetworks\n"
		 "postconf -c %s -h smtpd_sender_restrictions\n"
		 "postfix -c %s reload\n", dir, dir, dir, dir, dir, dir);
	assert_string_equal(text, want);
	free(text);
	buf_free(&backup);
	buf_free(&out);
	end(saved);
}

static void a_name_that_cannot_be_a_table_key_is_refused(void **state)
{
	(void)state;
	static const char *const bad[] = {"", "#victim", "victim lab", "vic\ttim", "evil\033[2J", "#\033[2J"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct block_plan p;
		struct error err = {""};
		assert_int_equal(block_plan_make(at("/nonexistent"), BLOCK_ACCOUNT, bad[i], 1, &p, &err), -1);
		assert_non_null(strstr(err.msg, "table key"));
		assert_null(strchr(err.msg, '\033'));	/* the message never carries the name's escapes */
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(block_then_unblock_keeps_other_accounts_and_inserts_the_check_once),
		cmocka_unit_test(a_host_is_blocked_by_a_cidr_line_ahead_of_the_client_restrictions),
		cmocka_unit_test(a_block_in_another_instance_names_it_in_every_postconf_and_the_reload),
		cmocka_unit_test(a_name_that_cannot_be_a_table_key_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
