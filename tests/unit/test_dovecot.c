/*
 * test_dovecot - Dovecot's submission and login lines, in the forms its source writes
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

/* parse - the whole line (syslog's, or Dovecot's own file's): only a "dovecot" program's text is read */
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
	assert_view(ev.service, "submission");
	/* other services' logins name their service (Dovecot 2.4 writes "Logged in") */
	assert_int_equal(parse("Dec  3 12:00:00 mx dovecot: imap-login: Login: user=<a>, method=PLAIN, "
			       "rip=192.0.2.1, lip=192.0.2.2, mpid=1, TLS, session=<s>", &ev),
			 DV_LOGIN);
	assert_view(ev.service, "imap");
	assert_int_equal(parse("Sep 10 12:00:00 mx dovecot[2241633]: pop3-login: Logged in: user=<b@example.org>, "
			       "method=PLAIN, rip=192.0.2.3, lip=192.0.2.2, mpid=7, TLS, session=<t>", &ev),
			 DV_LOGIN);
	assert_view(ev.service, "pop3");
	assert_view(ev.user, "b@example.org");
	assert_view(ev.client_ip, "192.0.2.3");
	/* no such service, and a program of Dovecot's that is no login process */
	assert_int_equal(parse("Dec  3 12:00:00 mx dovecot: lmtp-login: Login: user=<a>, method=PLAIN, "
			       "rip=192.0.2.1, lip=192.0.2.2, session=<s>", &ev),
			 DV_NONE);
	assert_int_equal(parse("Dec  3 12:00:00 mx dovecot: imap(a)<1><s>: Login: user=<a>, method=PLAIN, "
			       "rip=192.0.2.1, lip=192.0.2.2, session=<s>", &ev),
			 DV_NONE);
}

/*
 * Failed logins as Dovecot's login processes have written them: fail2ban's
 * published samples (1.2 to 2.3: tests/files/logs/dovecot), Dovecot 2.4's
 * "Login aborted" from its source (login_aborted_event) and as published
 * by others' parsers of real servers' logs.
 */
static void failed_logins_at_every_login_service_in_every_version_format(void **state)
{
	(void)state;
	static const struct {
		const char *line, *service, *user, *ip;
		long attempts;
	} cases[] = {
		{"Jun 13 16:30:54 platypus dovecot: imap-login: Disconnected (auth failed, 2 attempts): "
		 "user=<username.bob>, method=PLAIN, rip=49.176.98.87, lip=113.212.99.194, TLS",
		 "imap", "username.bob", "49.176.98.87", 2},
		{"Jun 14 00:48:21 platypus dovecot: imap-login: Disconnected (auth failed, 1 attempts): method=PLAIN, "
		 "rip=59.167.242.100, lip=113.212.99.194, TLS: Disconnected",
		 "imap", "", "59.167.242.100", 1},
		{"Jun 23 00:52:43 vhost1-ua dovecot: pop3-login: Disconnected: Inactivity (auth failed, 1 attempts): "
		 "user=<info>, method=PLAIN, rip=193.95.245.163, lip=176.214.13.210",
		 "pop3", "info", "193.95.245.163", 1},
		{"Jul  2 13:49:31 hostname dovecot[442]: pop3-login: Aborted login (auth failed, 1 attempts in 17 secs): "
		 "user=<test>, method=PLAIN, rip=192.51.100.13, lip=203.0.113.17, session=<YADINsQCDs5BH8Pg>",
		 "pop3", "test", "192.51.100.13", 1},
		{"Dec  3 12:00:00 mx dovecot: imap-login: Aborted login by logging out (auth failed, 3 attempts in 9 secs): "
		 "user=<victim@example.org>, method=PLAIN, rip=203.0.113.66, lip=127.0.0.1, session=<u1>",
		 "imap", "victim@example.org", "203.0.113.66", 3},
		{"Sep 13 04:00:41 ncc dovecot[32629]: pop3-login: Login aborted: Connection closed (auth failed, 1 attempts "
		 "in 2 secs) (auth_failed): user=<admin@example.com>, method=PLAIN, rip=90.153.107.201, lip=78.47.94.167, "
		 "session=<x>",
		 "pop3", "admin@example.com", "90.153.107.201", 1},
		{"Sep 10 17:14:04 ngm dovecot[2241633]: managesieve-login: Login aborted: Logged out (auth failed, 4 attempts "
		 "in 2 secs) (auth_failed): user=<bogus@invalid.example>, method=PLAIN, rip=127.0.0.1, lip=127.0.0.1, TLS",
		 "managesieve", "bogus@invalid.example", "127.0.0.1", 4},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dovecot_event ev;
		assert_int_equal(parse(cases[i].line, &ev), DV_AUTH_FAILED);
		assert_view(ev.service, cases[i].service);
		assert_view(ev.user, cases[i].user);
		assert_view(ev.client_ip, cases[i].ip);
		assert_int_equal(ev.attempts, cases[i].attempts);
	}
}

/*
 * Dovecot's own log file (log_path): the same messages after "PREFIX: Info: ",
 * as published from servers that log there, and the relay line in that form
 */
static void lines_of_dovecots_own_log_file_give_the_same_events(void **state)
{
	(void)state;
	struct dovecot_event ev;
	assert_int_equal(parse("Mar 13 08:32:19 imap-login: Info: Disconnected (auth failed, 1 attempts in 2 secs): "
			       "user=<Domainuser@realm>, method=GSSAPI, rip=192.168.3.140, lip=192.168.3.16, TLS, "
			       "session=<cbzvKektkQDAqAOM>", &ev),
			 DV_AUTH_FAILED);
	assert_view(ev.service, "imap");
	assert_view(ev.user, "Domainuser@realm");
	assert_view(ev.client_ip, "192.168.3.140");
	assert_int_equal(ev.attempts, 1);
	assert_int_equal(parse("2016-08-19 15:01:05 imap-login: Info: Disconnected (auth failed, 1 attempts in 2 secs): "
			       "user=<testuser>, method=PLAIN, rip=70.111.100.1, lip=192.168.1.143, TLS, "
			       "session=<7+xfSmt62gBQgCQz>", &ev),
			 DV_AUTH_FAILED);
	assert_view(ev.client_ip, "70.111.100.1");
	assert_int_equal(parse("2021-09-02 23:59:51 pop3-login: Info: Login: user=<a.a.kozak>, method=DIGEST-MD5, "
			       "rip=10.100.200.200, lip=10.100.200.1, mpid=3754, TLS, session=<SIDLdsdsgnLuNsKZAoX>", &ev),
			 DV_LOGIN);
	assert_view(ev.service, "pop3");
	assert_view(ev.user, "a.a.kozak");
	assert_view(ev.session, "SIDLdsdsgnLuNsKZAoX");
	assert_int_equal(parse("Dec  3 12:00:01 submission(bob)<17><x>: Info: Successfully relayed message: "
			       "from=<bob@x>, size=10, id=T1, nrcpt=1, reply=`250 2.0.0 Ok: queued as 3A4B5C6D7E'", &ev),
			 DV_RELAYED);
	assert_view(ev.user, "bob");
	assert_view(ev.queued_as, "3A4B5C6D7E");
	/* other types and programs of that file say nothing of logins */
	assert_int_equal(parse("2013-08-11 03:56:40 auth-worker(default): Info: pam(username,1.2.3.4): "
			       "pam_authenticate() failed: Authentication failure (password mismatch?)", &ev),
			 DV_NONE);
	assert_int_equal(parse("Mar 13 08:32:19 imap-login: Debug: Ignoring unknown passdb extra field: original_user", &ev),
			 DV_NONE);
}

static void a_login_ended_without_a_failed_password_is_no_failure(void **state)
{
	(void)state;
	static const char *const lines[] = {
		"Jul  2 13:49:32 hostname dovecot[442]: pop3-login: Disconnected (no auth attempts in 58 secs): "
		"user=<>, rip=192.51.100.13, lip=203.0.113.17, session=<LgDINsQCkttVIMPg>",
		"Dec 12 11:19:11 dunnart dovecot: pop3-login: Aborted login (tried to use disabled plaintext auth): "
		"rip=190.210.136.21, lip=113.212.99.193",
		"Dec  3 12:00:00 mx dovecot: imap-login: Login aborted: Connection closed (auth service reported "
		"temporary failure): user=<a>, rip=192.0.2.1, lip=192.0.2.2",
		/* the name tried is the client's: a failure written inside it is no failure */
		"Dec  3 12:00:00 mx dovecot: imap-login: Disconnected (disconnected while authenticating, waited 1 secs): "
		"user=<(auth failed, 99 attempts in 1 secs): >, method=PLAIN, rip=198.51.100.9, lip=192.0.2.1, session=<v>",
	};
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		struct dovecot_event ev;
		assert_int_equal(parse(lines[i], &ev), DV_NONE);
	}
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

/* rip= is what Dovecot writes of an address: anything else (a line another
 * program wrote to syslog as "dovecot") is no event, never a client's key */
static void a_remote_address_that_is_no_address_is_no_event(void **state)
{
	(void)state;
	struct dovecot_event ev;
	assert_int_equal(parse("Dec  3 12:00:00 mx dovecot: imap-login: Disconnected (auth failed, 1 attempts in 2 secs): "
			       "user=<a>, method=PLAIN, rip=1.2.3.4 } flush ruleset, lip=192.0.2.1, session=<s>", &ev),
			 DV_NONE);
	assert_int_equal(parse("Dec  3 12:00:00 mx dovecot: imap-login: Login: user=<a>, method=PLAIN, "
			       "rip=\x1b[2J, lip=192.0.2.1, session=<s>", &ev),
			 DV_NONE);
	assert_int_equal(parse("Dec  3 12:00:00 mx dovecot: imap-login: Login: user=<a>, method=PLAIN, "
			       "rip=2001:DB8::a:1, lip=::1, session=<s>", &ev),
			 DV_LOGIN);
}

static void a_cut_dovecot_line_gives_no_event_or_the_whole_address(void **state)
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
	for (size_t n = 0; n < strlen(login); n++) {	/* nothing, or the whole address: never a part of it */
		char *copy = malloc(n ? n : 1);
		memcpy(copy, login, n);
		if (dovecot_parse((struct strview){copy, n}, &ev) != DV_NONE) {
			assert_int_equal(ev.kind, DV_LOGIN);
			assert_view(ev.client_ip, "192.0.2.1");
			assert_true(n >= strlen("submission-login: Login: user=<a>, method=PLAIN, rip=192.0.2.1, lip="));
		}
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
		cmocka_unit_test(failed_logins_at_every_login_service_in_every_version_format),
		cmocka_unit_test(lines_of_dovecots_own_log_file_give_the_same_events),
		cmocka_unit_test(a_login_ended_without_a_failed_password_is_no_failure),
		cmocka_unit_test(a_remote_address_that_is_no_address_is_no_event),
		cmocka_unit_test(a_cut_dovecot_line_gives_no_event_or_the_whole_address),
	};
	test_use_utc();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
