/*
 * test_dovecot - Dovecot's submission lines, in the forms its source writes
 * (src/submission/submission-backend-relay.c, src/login-common with the
 * default mail_log_prefix and login_log_format_elements), as syslog files
 * them, and with the client's own words written to look like fields.
 */
#include "testutil.h"

#include "core/logs/dovecot.h"
#include "core/logs/logline.h"

static void assert_view(struct strview v, const char *want)
{
	char got[512];
	sv_copy(v, got, sizeof(got));
	assert_string_equal(got, want);
}

/* parse - the whole syslog line: only a "dovecot" program's text is read */
static enum dovecot_kind parse(const char *line, struct dovecot_event *ev)
{
	struct time_context tc;
	struct log_line ll;
	time_context_init(&tc, TEST_REFERENCE);
	assert_int_equal(logline_parse(&tc, line, strlen(line), &ll), LINE_OTHER);
	assert_true(sv_eq(ll.program, "dovecot"));
	return dovecot_parse(ll.text, ev);
}

static void relayed_message_names_account_session_transaction_and_queue_id(void **state)
{
	(void)state;
	struct dovecot_event ev;
	assert_int_equal(parse("Dec  3 12:00:01 mx dovecot: submission(mallory@example.org)<4242><aB3dE5fG7hI>: "
			       "Successfully relayed message: from=<mallory@example.org>, size=1834, "
			       "id=uOiFOqF6Z2VkBAAAaHN5jQ, nrcpt=2, reply=`250 2.0.0 Ok: queued as 4Q9xY70rZbz1M'", &ev),
			 DV_RELAYED);
	assert_view(ev.user, "mallory@example.org");
	assert_view(ev.session, "aB3dE5fG7hI");
	assert_view(ev.trans_id, "uOiFOqF6Z2VkBAAAaHN5jQ");
	assert_view(ev.queued_as, "4Q9xY70rZbz1M");
	/* the per-recipient form (a reply per recipient), from an RFC 3339 syslog, pid logged */
	assert_int_equal(parse("2026-12-03T12:00:01.123456+00:00 mx dovecot[900]: submission(bob)<17><x>: "
			       "Successfully relayed message: from=<>, to=<a@b.example>, size=10, id=T1, rcpt=1/2, "
			       "reply=`250 2.0.0 Ok: queued as 3A4B5C6D7E'", &ev),
			 DV_RELAYED);
	assert_view(ev.user, "bob");
	assert_view(ev.trans_id, "T1");
	assert_view(ev.queued_as, "3A4B5C6D7E");
}

static void a_refused_or_foreign_relay_names_no_queue_id(void **state)
{
	(void)state;
	struct dovecot_event ev;
	assert_int_equal(parse("Dec  3 12:00:01 mx dovecot: submission(bob)<17><x>: Failed to relay message: "
			       "from=<bob@x>, size=10, nrcpt=1, reply=`554 5.7.1 Relay access denied'", &ev),
			 DV_NONE);
	assert_int_equal(parse("Dec  3 12:00:01 mx dovecot: submission(bob)<17><x>: Successfully relayed message: "
			       "from=<bob@x>, size=10, id=T, nrcpt=1, reply=`250 OK id=1r2s3t-000abc-XY'", &ev),
			 DV_NONE);
	assert_int_equal(parse("Dec  3 12:00:01 mx dovecot: imap(bob)<17><x>: Logged out in=1 out=2", &ev), DV_NONE);
}

static void a_sender_written_as_fields_does_not_change_the_id_or_the_queue_id(void **state)
{
	(void)state;
	struct dovecot_event ev;
	/* smtp_address_encode quotes the local part; its text stays inside from=<> */
	assert_int_equal(parse("Dec  3 12:00:01 mx dovecot: submission(eve)<17><s1>: Successfully relayed message: "
			       "from=<\"x, id=FAKE, nrcpt=1, reply=`250 2.0.0 Ok: queued as 1111111111'\"@evil.example>, "
			       "size=10, id=REAL, nrcpt=1, reply=`250 2.0.0 Ok: queued as 2222222222'", &ev),
			 DV_RELAYED);
	assert_view(ev.user, "eve");
	assert_view(ev.trans_id, "REAL");
	assert_view(ev.queued_as, "2222222222");
}

static void login_gives_the_client_address_of_a_session(void **state)
{
	(void)state;
	struct dovecot_event ev;
	assert_int_equal(parse("Dec  3 12:00:00 mx dovecot: submission-login: Login: user=<mallory@example.org>, "
			       "method=PLAIN, rip=203.0.113.9, lip=127.0.0.1, mpid=4242, TLS, session=<aB3dE5fG7hI>", &ev),
			 DV_LOGIN);
	assert_view(ev.user, "mallory@example.org");
	assert_view(ev.method, "PLAIN");
	assert_view(ev.client_ip, "203.0.113.9");
	assert_view(ev.session, "aB3dE5fG7hI");
	assert_int_equal(parse("Dec  3 12:00:00 mx dovecot: submission-login: Login: user=<a>, method=LOGIN, "
			       "rip=2001:db8::7, lip=::1, mpid=1, session=<IPv6>", &ev),
			 DV_LOGIN);
	assert_view(ev.client_ip, "2001:db8::7");
	/* other services' logins are not submissions */
	assert_int_equal(parse("Dec  3 12:00:00 mx dovecot: imap-login: Login: user=<a>, method=PLAIN, "
			       "rip=192.0.2.1, lip=192.0.2.2, mpid=1, TLS, session=<s>", &ev),
			 DV_NONE);
}

static void failed_login_counts_attempts_and_a_name_written_as_fields_is_only_a_name(void **state)
{
	(void)state;
	struct dovecot_event ev;
	assert_int_equal(parse("Dec  3 12:00:00 mx dovecot: submission-login: Disconnected (auth failed, 3 attempts "
			       "in 12 secs): user=<admin>, method=PLAIN, rip=198.51.100.4, lip=192.0.2.1, TLS, "
			       "session=<q1>", &ev),
			 DV_AUTH_FAILED);
	assert_int_equal(ev.attempts, 3);
	assert_view(ev.user, "admin");
	assert_view(ev.client_ip, "198.51.100.4");
	/* the name tried is the client's: Dovecot does not escape '>' or ',' */
	assert_int_equal(parse("Dec  3 12:00:00 mx dovecot: submission-login: Disconnected: Connection closed "
			       "(auth failed, 1 attempts in 2 secs): user=<x>, method=PLAIN, rip=6.6.6.6, lip=1.1.1.1, "
			       "session=<fake>>, method=LOGIN, rip=198.51.100.5, lip=192.0.2.1, session=<q2>", &ev),
			 DV_AUTH_FAILED);
	assert_view(ev.client_ip, "198.51.100.5");
	assert_view(ev.session, "q2");
	assert_view(ev.method, "LOGIN");
	assert_view(ev.user, "x>, method=PLAIN, rip=6.6.6.6, lip=1.1.1.1, session=<fake>");
}

static void truncated_dovecot_lines_are_no_event(void **state)
{
	(void)state;
	const char *full = "submission(eve)<17><s1>: Successfully relayed message: from=<a@b>, size=10, id=R, "
			   "nrcpt=1, reply=`250 2.0.0 Ok: queued as 2222222222'";
	const char *login = "submission-login: Login: user=<a>, method=PLAIN, rip=192.0.2.1, lip=192.0.2.2, "
			    "mpid=1, TLS, session=<s>";
	struct dovecot_event ev;
	for (size_t n = 0; n < strlen(full); n++) {	/* every cut but the whole line: nothing, never a read past it */
		char *copy = malloc(n ? n : 1);
		memcpy(copy, full, n);
		assert_int_equal(dovecot_parse((struct strview){copy, n}, &ev), DV_NONE);
		free(copy);
	}
	for (size_t n = 0; n < strlen(login); n++) {
		char *copy = malloc(n ? n : 1);
		memcpy(copy, login, n);
		assert_int_equal(dovecot_parse((struct strview){copy, n}, &ev), DV_NONE);
		free(copy);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(relayed_message_names_account_session_transaction_and_queue_id),
		cmocka_unit_test(a_refused_or_foreign_relay_names_no_queue_id),
		cmocka_unit_test(a_sender_written_as_fields_does_not_change_the_id_or_the_queue_id),
		cmocka_unit_test(login_gives_the_client_address_of_a_session),
		cmocka_unit_test(failed_login_counts_attempts_and_a_name_written_as_fields_is_only_a_name),
		cmocka_unit_test(truncated_dovecot_lines_are_no_event),
	};
	test_use_utc();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
