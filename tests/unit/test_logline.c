/*
 * test_logline - the syslog prefix in every form a Postfix line comes in.
 */
#include "testutil.h"

#include "core/logs/logline.h"

static struct time_context tc;

static int setup(void **state)
{
	(void)state;
	test_use_utc();
	time_context_init(&tc, TEST_REFERENCE);
	return 0;
}

static enum line_status parse(const char *line, struct log_line *ll)
{
	return logline_parse(&tc, line, strlen(line), ll);
}

static void assert_view(struct strview v, const char *want)
{
	char got[256];
	sv_copy(v, got, sizeof(got));
	assert_string_equal(got, want);
}

static void bsd_stamp_with_space_padded_day_is_split(void **state)
{
	(void)state;
	struct log_line ll;
	assert_int_equal(parse("Dec  2 22:24:22 hel postfix/smtpd[7676]: warning: x", &ll), LINE_POSTFIX);
	assert_view(ll.host, "hel");
	assert_view(ll.service, "smtpd");
	assert_view(ll.instance, "postfix");
	assert_int_equal(ll.pid, 7676);
	assert_view(ll.text, "warning: x");
	/* reference is 2026-11-25: a December line is from last December */
	assert_int_equal(ll.time, 1764714262);	/* 2025-12-02T22:24:22Z */
}

static void bsd_stamp_of_this_month_keeps_reference_year(void **state)
{
	(void)state;
	struct log_line ll;
	assert_int_equal(parse("Nov 24 23:12:29 mail postfix/qmgr[3015]: 186841021E4: removed", &ll),
			 LINE_POSTFIX);
	assert_int_equal(ll.time, 1795561949);	/* 2026-11-24T23:12:29Z */
}

static void december_lines_read_in_january_belong_to_previous_year(void **state)
{
	(void)state;
	struct time_context jan;
	time_context_init(&jan, (time_t)1799020800);	/* 2027-01-04 */
	struct log_line ll;
	const char *line = "Dec 31 23:59:59 mx postfix/smtpd[1]: connect from a[1.2.3.4]";
	assert_int_equal(logline_parse(&jan, line, strlen(line), &ll), LINE_POSTFIX);
	assert_int_equal(ll.time, 1798761599);	/* 2026-12-31T23:59:59Z */
	line = "Jan  3 00:00:01 mx postfix/smtpd[1]: connect from a[1.2.3.4]";
	assert_int_equal(logline_parse(&jan, line, strlen(line), &ll), LINE_POSTFIX);
	assert_int_equal(ll.time, 1798934401);	/* 2027-01-03T00:00:01Z */
}

static void bsd_stamp_with_zero_padded_day_is_read(void **state)
{
	(void)state;
	struct log_line ll;
	assert_int_equal(parse("Nov 02 10:00:00 mx postfix/smtpd[1]: x", &ll), LINE_POSTFIX);
	assert_int_equal(ll.time, 1793613600);	/* 2026-11-02T10:00:00Z */
}

/* the classic example line and relays that write "Jan 6", not "Jan  6" */
static void bsd_stamp_with_unpadded_day_is_read_as_the_padded_one(void **state)
{
	(void)state;
	struct log_line ll, padded;
	const char *line = "Nov 2 10:00:00 hermes postfix/smtpd[27666]: 7E079B666CC: client=unknown[46.48.93.60], "
			   "sasl_method=LOGIN, sasl_username=admin";
	assert_int_equal(parse(line, &ll), LINE_POSTFIX);
	assert_int_equal(ll.time, 1793613600);	/* 2026-11-02T10:00:00Z */
	assert_view(ll.host, "hermes");
	assert_view(ll.service, "smtpd");
	assert_int_equal(ll.pid, 27666);
	assert_int_equal(parse("Nov  2 10:00:00 hermes postfix/smtpd[27666]: x", &padded), LINE_POSTFIX);
	assert_int_equal(padded.time, ll.time);
	assert_int_equal(parse("Nov 2 10:00:59 mx postfix/qmgr[1]: x", &ll), LINE_POSTFIX);
	assert_int_equal(ll.time, 1793613659);	/* the minute's cache, then its seconds */
	assert_int_equal(parse("Nov 2 1:00:00 mx postfix/qmgr[1]: x", &ll), LINE_MALFORMED);
	assert_int_equal(parse("Nov 2 10:00:0", &ll), LINE_MALFORMED);
}

/* another MTA's smtpd ("exim/smtpd"? no: a bare "smtpd[1]:") is not Postfix's;
 * a stamp a few hours ahead of the reference (a host in a zone ahead, a clock
 * running fast) is this year's, not last year's */
static void a_bare_daemon_name_is_not_postfix_and_a_near_future_stamp_keeps_its_year(void **state)
{
	(void)state;
	struct log_line ll;
	assert_int_equal(parse("Nov 24 08:00:00 mx smtpd[1]: 4B1C2D3E4F: client=x[192.0.2.1]", &ll), LINE_OTHER);
	assert_int_equal(parse("Nov 24 08:00:00 mx qmgr[1]: 4B1C2D3E4F: removed", &ll), LINE_OTHER);
	assert_int_equal(parse("Nov 24 08:00:00 mx mail/smtpd[1]: 4B1C2D3E4F: removed", &ll), LINE_POSTFIX);
	struct time_context near;
	time_context_init(&near, 1795478400);	/* 2026-11-24T00:00:00Z */
	const char *line = "Nov 24 09:00:00 mx postfix/smtpd[1]: x";	/* nine hours ahead */
	assert_int_equal(logline_parse(&near, line, strlen(line), &ll), LINE_POSTFIX);
	assert_int_equal(ll.time, 1795510800);	/* 2026-11-24T09:00:00Z, not 2025 */
	line = "Nov 26 23:00:00 mx postfix/smtpd[1]: x";	/* past two days of skew: last year's */
	assert_int_equal(logline_parse(&near, line, strlen(line), &ll), LINE_POSTFIX);
	assert_true(ll.time < 1795478400 - 300 * 86400);
}

static void rfc3339_stamp_with_fraction_and_offset_is_converted_to_utc(void **state)
{
	(void)state;
	struct log_line ll;
	assert_int_equal(parse("2026-11-24T08:34:30.123456+02:00 mx postfix/smtp[12]: x", &ll),
			 LINE_POSTFIX);
	assert_int_equal(ll.time, 1795502070);	/* 06:34:30Z */
	assert_int_equal(parse("2026-11-24T06:34:30Z mx postfix/smtp[12]: x", &ll), LINE_POSTFIX);
	assert_int_equal(ll.time, 1795502070);
}

static void journalctl_short_iso_offset_without_colon_is_read(void **state)
{
	(void)state;
	struct log_line ll;
	assert_int_equal(parse("2026-11-24T08:34:30+0000 mx postfix/smtpd[99]: connect from a[1.2.3.4]", &ll),
			 LINE_POSTFIX);
	assert_int_equal(ll.time, 1795509270);
	assert_int_equal(parse("2026-11-24T08:34:30-0130 mx postfix/smtpd[99]: x", &ll), LINE_POSTFIX);
	assert_int_equal(ll.time, 1795509270 + 5400);
}

static void multi_instance_program_names_give_instance_master_service_and_daemon(void **state)
{
	(void)state;
	struct log_line ll;
	assert_int_equal(parse("Sep  6 00:44:56 trianon postfix/submission/smtpd[11538]: x", &ll), LINE_POSTFIX);
	assert_view(ll.instance, "postfix");
	assert_view(ll.service, "smtpd");
	assert_view(ll.program, "postfix/submission/smtpd");
	assert_view(ll.master_service, "submission");
	assert_int_equal(parse("Jan 29 08:11:45 mail postfix-incoming/smtpd[10752]: x", &ll), LINE_POSTFIX);
	assert_view(ll.instance, "postfix-incoming");
	assert_view(ll.service, "smtpd");
	assert_view(ll.master_service, "");
	/* the relay transport as Postfix 3's master.cf names it (syslog_name=postfix/$service_name) */
	assert_int_equal(parse("Dec 04 20:29:12 mail postfix-out/relay/smtp[10361]: x", &ll), LINE_POSTFIX);
	assert_view(ll.instance, "postfix-out");
	assert_view(ll.master_service, "relay");
	assert_view(ll.service, "smtp");
	assert_int_equal(parse("Apr 12 02:24:11 xxx postfix/smtps/smtpd[42]: x", &ll), LINE_POSTFIX);
	assert_view(ll.service, "smtpd");
	/* an instance renamed with syslog_name, recognized by its daemon name */
	assert_int_equal(parse("Apr 12 02:24:11 xxx mail-out/qmgr[42]: ABCDE12345: removed", &ll), LINE_POSTFIX);
	assert_view(ll.instance, "mail-out");
}

static void other_programs_are_other_not_errors(void **state)
{
	(void)state;
	struct log_line ll;
	assert_int_equal(parse("Nov 24 08:00:00 mx dovecot: imap-login: Login: user=<a>", &ll), LINE_OTHER);
	assert_int_equal(parse("Nov 24 08:00:00 mx kernel: [1.2] eth0 up", &ll), LINE_OTHER);
	assert_int_equal(parse("Nov 24 08:00:00 mx CRON[123]: (root) CMD (x)", &ll), LINE_OTHER);
	assert_int_equal(parse("Nov 24 08:00:00 mx amavis/x[1]: y", &ll), LINE_OTHER);
}

/* Dovecot's own log file (log_path): no host, no program, "PREFIX: TYPE: "; lines as published */
static void dovecot_log_file_lines_are_dovecot_lines_of_this_machine(void **state)
{
	(void)state;
	struct log_line ll;
	assert_int_equal(parse("Mar 13 08:32:19 imap-login: Info: Disconnected (auth failed, 1 attempts in 2 secs): "
			       "user=<Domainuser@realm>, method=GSSAPI, rip=192.168.3.140, lip=192.168.3.16, TLS", &ll),
			 LINE_OTHER);
	assert_view(ll.program, "dovecot");
	assert_int_equal(ll.host.len, 0);
	assert_int_equal(ll.pid, -1);
	assert_view(ll.text, "imap-login: Info: Disconnected (auth failed, 1 attempts in 2 secs): "
		    "user=<Domainuser@realm>, method=GSSAPI, rip=192.168.3.140, lip=192.168.3.16, TLS");
	assert_int_equal(ll.time, 1773390739);	/* 2026-03-13 08:32:19 UTC */
	/* log_timestamp = "%Y-%m-%d %H:%M:%S ": local time, no zone */
	assert_int_equal(parse("2016-08-19 15:01:05 imap-login: Info: Disconnected (auth failed, 1 attempts in 2 secs): "
			       "user=<testuser>, method=PLAIN, rip=70.111.100.1, lip=192.168.1.143, TLS", &ll),
			 LINE_OTHER);
	assert_view(ll.program, "dovecot");
	assert_int_equal(ll.time, 1471618865);
	assert_int_equal(parse("2021-09-02 23:59:33 imap(a.a.vakarchuk): Info: Logged out in=636 out=1946", &ll), LINE_OTHER);
	assert_view(ll.text, "imap(a.a.vakarchuk): Info: Logged out in=636 out=1946");
	assert_int_equal(ll.time, 1630627173);
	/* the stamp without a zone stays someone else's form; a type must follow the prefix */
	assert_int_equal(parse("2026-11-24 08:34:30 mx postfix/smtpd[1]: x", &ll), LINE_MALFORMED);
	assert_int_equal(parse("2026-11-24 08:34:30 imap-login: Login: x", &ll), LINE_MALFORMED);
	assert_int_equal(parse("Nov 24 08:00:00 imap-login: info: x", &ll), LINE_OTHER);
	assert_false(sv_eq(ll.program, "dovecot"));
}

static void program_without_pid_is_read(void **state)
{
	(void)state;
	struct log_line ll;
	assert_int_equal(parse("Nov 24 08:00:00 mx postfix/postlog: hello", &ll), LINE_POSTFIX);
	assert_int_equal(ll.pid, -1);
	assert_view(ll.text, "hello");
}

static void garbage_and_truncated_prefixes_are_malformed(void **state)
{
	(void)state;
	struct log_line ll;
	const char *bad[] = {
		"", "x", "Nov 24", "Nov 24 08:00:00", "Nov 24 08:00:00 ", "Nov 24 08:00:00 mx",
		"Nov 24 08:00:00 mx postfix/smtpd[12", "Foo 24 08:00:00 mx postfix/smtpd[1]: x",
		"Nov 44 08:00:00 mx postfix/smtpd[1]: x", "Nov 24 28:00:00 mx postfix/smtpd[1]: x",
		"2026-13-24T08:34:30Z mx postfix/smtpd[1]: x", "2026-11-24T08:34:30 mx postfix/smtpd[1]: x",
		"\x1b[31mNov 24 08:00:00 mx postfix/smtpd[1]: x",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(parse(bad[i], &ll), LINE_MALFORMED);
	/* bytes with NUL inside: length-delimited, never read past the end */
	const char nul[] = "Nov 24 08:00:00 mx\0postfix/smtpd[1]: x";
	assert_int_equal(logline_parse(&tc, nul, sizeof(nul) - 1, &ll), LINE_MALFORMED);
	for (size_t n = 0; n < 40; n++) {	/* every prefix of a good line */
		const char *good = "Nov 24 08:00:00 mx postfix/smtpd[1]: x";
		(void)logline_parse(&tc, good, n < strlen(good) ? n : strlen(good), &ll);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bsd_stamp_with_space_padded_day_is_split),
		cmocka_unit_test(bsd_stamp_of_this_month_keeps_reference_year),
		cmocka_unit_test(december_lines_read_in_january_belong_to_previous_year),
		cmocka_unit_test(bsd_stamp_with_zero_padded_day_is_read),
		cmocka_unit_test(bsd_stamp_with_unpadded_day_is_read_as_the_padded_one),
		cmocka_unit_test(a_bare_daemon_name_is_not_postfix_and_a_near_future_stamp_keeps_its_year),
		cmocka_unit_test(rfc3339_stamp_with_fraction_and_offset_is_converted_to_utc),
		cmocka_unit_test(journalctl_short_iso_offset_without_colon_is_read),
		cmocka_unit_test(multi_instance_program_names_give_instance_master_service_and_daemon),
		cmocka_unit_test(other_programs_are_other_not_errors),
		cmocka_unit_test(dovecot_log_file_lines_are_dovecot_lines_of_this_machine),
		cmocka_unit_test(program_without_pid_is_read),
		cmocka_unit_test(garbage_and_truncated_prefixes_are_malformed),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
