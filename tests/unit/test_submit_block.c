/*
 * test_submit_block - a web application's user kept from sendmail by
 * authorized_submit_users: "!name" put first in the list as it is, so that
 * nothing else changes; nothing done when the list keeps it out already
 * (first match wins: a "!name" after a table is not enough); taken out
 * again byte for byte; names that are not plain list elements refused;
 * root never blocked.
 */
#include "testutil.h"

#include "core/incident/submit_block.h"

static void block_puts_the_exclusion_first_and_keeps_the_list(void **state)
{
	(void)state;
	struct buf out = BUF_INIT;
	assert_int_equal(submit_list_edit("static:anyone", "www-data", 1, &out), 1);
	assert_string_equal(buf_str(&out), "!www-data, static:anyone");
	/* a restrictive list stays restrictive: nobody is let in by the block */
	assert_int_equal(submit_list_edit("root, postfix\n  hash:/etc/postfix/submitters", "www-data", 1, &out), 1);
	assert_string_equal(buf_str(&out), "!www-data, root, postfix\n  hash:/etc/postfix/submitters");
	/* an empty list lets nobody submit: the exclusion alone keeps it so */
	assert_int_equal(submit_list_edit("", "www-data", 1, &out), 1);
	assert_string_equal(buf_str(&out), "!www-data");
	buf_free(&out);
}

static void block_is_nothing_to_do_only_when_the_first_match_is_the_exclusion(void **state)
{
	(void)state;
	struct buf out = BUF_INIT;
	assert_int_equal(submit_list_edit("!www-data, static:anyone", "www-data", 1, &out), 0);
	assert_string_equal(buf_str(&out), "!www-data, static:anyone");
	assert_int_equal(submit_list_edit("root, !nobody !www-data static:anyone", "www-data", 1, &out), 0);
	/* a table or the name itself before it may let the user in: block again, first */
	assert_int_equal(submit_list_edit("static:anyone, !www-data", "www-data", 1, &out), 1);
	assert_string_equal(buf_str(&out), "!www-data, static:anyone, !www-data");
	assert_int_equal(submit_list_edit("www-data !www-data", "www-data", 1, &out), 1);
	assert_int_equal(submit_list_edit("inline:{ !www-data } !www-data", "www-data", 1, &out), 1);
	/* another user's exclusion is not this one's */
	assert_int_equal(submit_list_edit("!www-data2, static:anyone", "www-data", 1, &out), 1);
	buf_free(&out);
}

static void unblock_takes_out_only_the_exclusion_byte_for_byte(void **state)
{
	(void)state;
	struct buf out = BUF_INIT;
	assert_int_equal(submit_list_edit("!www-data, static:anyone", "www-data", 0, &out), 1);
	assert_string_equal(buf_str(&out), "static:anyone");
	assert_int_equal(submit_list_edit("root,\t!www-data ,  postfix", "www-data", 0, &out), 1);
	assert_string_equal(buf_str(&out), "root,\tpostfix");
	assert_int_equal(submit_list_edit("root, !www-data", "www-data", 0, &out), 1);
	assert_string_equal(buf_str(&out), "root");
	assert_int_equal(submit_list_edit("!www-data", "www-data", 0, &out), 1);
	assert_string_equal(buf_str(&out), "");
	/* a group is one element: what it holds is not touched */
	assert_int_equal(submit_list_edit("inline:{ !www-data, x } static:anyone", "www-data", 0, &out), 0);
	assert_string_equal(buf_str(&out), "inline:{ !www-data, x } static:anyone");
	assert_int_equal(submit_list_edit("!www-data2 static:anyone", "www-data", 0, &out), 0);
	assert_string_equal(buf_str(&out), "!www-data2 static:anyone");
	buf_free(&out);
}

static void a_uid_is_its_login_name_and_odd_names_are_refused(void **state)
{
	(void)state;
	char name[64];
	struct error err;
	assert_int_equal(submit_user_name("0", name, sizeof(name), &err), 0);
	assert_string_equal(name, "root");
	assert_int_equal(submit_user_name("root", name, sizeof(name), &err), 0);
	assert_string_equal(name, "root");
	assert_int_equal(submit_user_name("4000000000", name, sizeof(name), &err), -1);
	assert_non_null(strstr(err.msg, "no name in the password file"));
	assert_int_equal(submit_user_name("no-such-user-here", name, sizeof(name), &err), -1);
	assert_int_equal(submit_user_name("!root", name, sizeof(name), &err), -1);
	assert_int_equal(submit_user_name("root, static:anyone", name, sizeof(name), &err), -1);
	assert_int_equal(submit_user_name("", name, sizeof(name), &err), -1);
}

static void root_is_never_kept_from_sendmail(void **state)
{
	(void)state;
	struct submit_plan p;
	struct error err;
	assert_int_equal(submit_plan_make("static:anyone", "0", 1, &p, &err), -1);
	assert_non_null(strstr(err.msg, "root is not kept from sendmail"));
	/* an exclusion of root made by hand can still be taken out */
	assert_int_equal(submit_plan_make("!root, static:anyone", "root", 0, &p, &err), 0);
	assert_true(p.runnable);
	assert_string_equal(buf_str(&p.after), "static:anyone");
	submit_plan_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(block_puts_the_exclusion_first_and_keeps_the_list),
		cmocka_unit_test(block_is_nothing_to_do_only_when_the_first_match_is_the_exclusion),
		cmocka_unit_test(unblock_takes_out_only_the_exclusion_byte_for_byte),
		cmocka_unit_test(a_uid_is_its_login_name_and_odd_names_are_refused),
		cmocka_unit_test(root_is_never_kept_from_sendmail),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
