/*
 * test_netedit - mynetworks edited by exact token: every chosen address in
 * one edit, negations, $variables, tables and separators kept byte for
 * byte, a value of 200 entries and over 3 KB edited whole, and what cannot
 * be understood (an open brace, a drop inside a group) refused with why.
 */
#include "testutil.h"

#include "core/incident/netedit.h"

static void two_relays_go_in_one_edit_and_the_rest_is_kept_byte_for_byte(void **state)
{
	(void)state;
	struct net_drop d[] = {{"192.0.2.5", 0, 0}, {"192.0.2.6", 0, 0}};
	struct buf out = BUF_INIT;
	struct error err;
	const char *raw = "127.0.0.0/8, 192.0.2.5/32 !192.0.2.7 $extra_nets hash:/etc/postfix/nets\n"
			  "    [::1]/128, 192.0.2.6 /etc/postfix/more_networks";
	assert_int_equal(netedit_without(raw, d, 2, &out, &err), 2);
	assert_string_equal(buf_str(&out), "127.0.0.0/8 !192.0.2.7 $extra_nets hash:/etc/postfix/nets\n"
					   "    [::1]/128 /etc/postfix/more_networks");
	assert_int_equal(d[0].dropped, 1);
	assert_int_equal(d[1].dropped, 1);
	buf_free(&out);
}

static void a_negated_entry_is_kept_and_says_the_address_was_never_trusted(void **state)
{
	(void)state;
	struct net_drop d[] = {{"192.168.1.66", 0, 0}};
	struct buf out = BUF_INIT;
	struct error err;
	assert_int_equal(netedit_without("!192.168.1.66, 192.168.0.0/16", d, 1, &out, &err), 0);
	assert_string_equal(buf_str(&out), "!192.168.1.66, 192.168.0.0/16");
	assert_true(d[0].excluded);
	assert_int_equal(d[0].dropped, 0);
	buf_free(&out);
}

static void leading_and_ipv6_entries_go_in_every_spelling(void **state)
{
	(void)state;
	struct net_drop d[] = {{"2001:db8::25", 0, 0}, {"10.0.0.1", 0, 0}};
	struct buf out = BUF_INIT;
	struct error err;
	assert_int_equal(netedit_without("  10.0.0.1, [2001:db8::25]/128 10.0.0.0/8,2001:db8::25 [2001:db8::]/32\n", d, 2,
					 &out, &err), 3);
	assert_string_equal(buf_str(&out), "  10.0.0.0/8 [2001:db8::]/32\n");
	assert_int_equal(d[0].dropped, 2);
	buf_free(&out);
	/* every entry dropped: the runs before and after stay, nothing else */
	buf_reset(&out);
	struct net_drop one[] = {{"10.0.0.1", 0, 0}};
	assert_int_equal(netedit_without("10.0.0.1/32", one, 1, &out, &err), 1);
	assert_string_equal(buf_str(&out), "");
	buf_free(&out);
}

/* 200 entries, 3.4 KB: nothing cut, nothing lost, two dropped from the middle */
static void a_long_value_of_200_entries_is_edited_whole(void **state)
{
	(void)state;
	struct buf raw = BUF_INIT, want = BUF_INIT, out = BUF_INIT;
	for (int i = 0; i < 200; i++) {
		char e[40];
		snprintf(e, sizeof(e), "10.%d.%d.%d/32", i / 100, i % 100, i);
		buf_printf(&raw, "%s%s", i ? (i % 8 ? ", " : ",\n    ") : "", e);
		if (i != 57 && i != 143)
			buf_printf(&want, "%s%s", want.len ? (i % 8 ? ", " : ",\n    ") : "", e);
	}
	assert_true(raw.len > 3000);
	struct net_drop d[] = {{"10.0.57.57", 0, 0}, {"10.1.43.143", 0, 0}};
	struct error err;
	assert_int_equal(netedit_without(buf_str(&raw), d, 2, &out, &err), 2);
	assert_string_equal(buf_str(&out), buf_str(&want));
	buf_free(&raw);
	buf_free(&want);
	buf_free(&out);
}

static void what_cannot_be_understood_whole_is_refused_with_the_reason(void **state)
{
	(void)state;
	struct net_drop d[] = {{"192.0.2.5", 0, 0}};
	struct buf out = BUF_INIT;
	struct error err = {""};
	assert_int_equal(netedit_without("127.0.0.0/8 { 192.0.2.5", d, 1, &out, &err), -1);
	assert_non_null(strstr(err.msg, "without its '}'"));
	assert_int_equal(netedit_without("127.0.0.0/8 { 192.0.2.5 }", d, 1, &out, &err), -1);
	assert_non_null(strstr(err.msg, "inside the group"));
	struct net_drop bad[] = {{"--all", 0, 0}};
	assert_int_equal(netedit_without("127.0.0.0/8", bad, 1, &out, &err), -1);
	assert_non_null(strstr(err.msg, "not an address"));
	buf_reset(&out);	/* a group without a drop is kept as written */
	assert_int_equal(netedit_without("{ 10.0.0.0/8 } 192.0.2.5", d, 1, &out, &err), 1);
	assert_string_equal(buf_str(&out), "{ 10.0.0.0/8 }");
	buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(two_relays_go_in_one_edit_and_the_rest_is_kept_byte_for_byte),
		cmocka_unit_test(a_negated_entry_is_kept_and_says_the_address_was_never_trusted),
		cmocka_unit_test(leading_and_ipv6_entries_go_in_every_spelling),
		cmocka_unit_test(a_long_value_of_200_entries_is_edited_whole),
		cmocka_unit_test(what_cannot_be_understood_whole_is_refused_with_the_reason),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
