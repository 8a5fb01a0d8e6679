/*
 * test_event - every Postfix event form an incident needs, on real lines:
 * fail2ban's published test logs (with its verdicts), the postfix-grok-
 * patterns messages, and lines recorded from the real Postfix lab.
 */
#include "testutil.h"

#include <jansson.h>

#include "core/logs/event.h"
#include "core/logs/logline.h"

static struct time_context tc;

static int setup(void **state)
{
	(void)state;
	test_use_utc();
	time_context_init(&tc, TEST_REFERENCE);
	return 0;
}

static void assert_view(struct strview v, const char *want)
{
	char got[512];
	sv_copy(v, got, sizeof(got));
	assert_string_equal(got, want);
}

/* parse_line - full line through the prefix scanner and the event parser */
static void parse_line(const char *line, struct pf_event *ev)
{
	struct log_line ll;
	assert_int_equal(logline_parse(&tc, line, strlen(line), &ll), LINE_POSTFIX);
	event_parse(&ll, ev);
}

/* parse_msg - a message text for a given service (grok corpus form) */
static void parse_msg(const char *service, const char *text, struct pf_event *ev)
{
	struct log_line ll = {.service = {service, strlen(service)}, .text = {text, strlen(text)}};
	event_parse(&ll, ev);
}

/* Reads line N (1-based) of a text file into buf. */
static void nth_line(const char *text, int n, char *buf, size_t size)
{
	const char *p = text;
	for (int i = 1; i < n && p; i++) {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	assert_non_null(p);
	const char *nl = strchr(p, '\n');
	size_t len = nl ? (size_t)(nl - p) : strlen(p);
	assert_true(len < size);
	memcpy(buf, p, len);
	buf[len] = 0;
}

/* fail2ban's verdicts: every line it counts as a failure is one for us, with its IP */
static void fail2ban_verdicts_hold(const char *log, const char *expect)
{
	char *text = test_read_file(log, NULL);
	char *exp = test_read_file(expect, NULL);
	int checked = 0;
	for (char *line = strtok(exp, "\n"); line; line = strtok(NULL, "\n")) {
		json_error_t jerr;
		json_t *o = json_loads(line, 0, &jerr);
		assert_non_null(o);
		int n = (int)json_integer_value(json_object_get(o, "line"));
		const char *kind = json_string_value(json_object_get(o, "kind"));
		const char *ip = json_string_value(json_object_get(o, "ip"));
		int match = json_is_true(json_object_get(o, "match"));
		char buf[2048];
		nth_line(text, n, buf, sizeof(buf));
		struct pf_event ev;
		parse_line(buf, &ev);
		if (strcmp(kind, "sasl_auth_failed") == 0) {
			assert_int_equal(ev.kind, EV_SASL_FAIL);
			/* fail2ban does not count a lost authentication server */
			assert_int_equal(!ev.server_fault, match);
		} else {
			/* rejects, or pipelining violations fail2ban also bans for */
			assert_true(ev.kind == EV_REJECT || ev.kind == EV_PIPELINING);
		}
		assert_view(ev.client_ip, ip);
		checked++;
		json_decref(o);
	}
	assert_true(checked >= 8);
	free(text);
	free(exp);
}

static void sasl_failures_match_fail2ban_verdicts_and_ips(void **state)
{
	(void)state;
	fail2ban_verdicts_hold("tests/fixtures/corpus/fail2ban-postfix-sasl.log",
			       "tests/fixtures/corpus/fail2ban-postfix-sasl.expect.jsonl");
}

static void rejects_match_fail2ban_verdicts_and_ips(void **state)
{
	(void)state;
	fail2ban_verdicts_hold("tests/fixtures/corpus/fail2ban-postfix.log",
			       "tests/fixtures/corpus/fail2ban-postfix.expect.jsonl");
}

static void noqueue_reject_is_split_into_code_text_and_envelope(void **state)
{
	(void)state;
	struct pf_event ev;
	parse_line("Jul 12 07:47:48 saturn postfix/smtpd[8738]: NOQUEUE: reject: RCPT from "
		   "1-2-3-4-example.com[1.2.3.4]: 554 5.7.1 <smtp@example.com>: Relay access denied; "
		   "from=<john@example.com> to=<smtp@example.org> proto=SMTP helo=<198.51.100.17>", &ev);
	assert_int_equal(ev.kind, EV_REJECT);
	assert_int_equal(ev.qid.len, 0);
	assert_view(ev.reject_stage, "RCPT");
	assert_view(ev.client_name, "1-2-3-4-example.com");
	assert_view(ev.reject_code, "554");
	assert_view(ev.reject_text, "5.7.1 <smtp@example.com>: Relay access denied");
	assert_int_equal(ev.reject_class, RJ_RELAY_DENIED);
	assert_view(ev.sender, "john@example.com");
	assert_view(ev.rcpt, "smtp@example.org");
	assert_view(ev.proto, "SMTP");
	assert_view(ev.helo, "198.51.100.17");
}

static void reject_classes_follow_the_reason(void **state)
{
	(void)state;
	struct {
		const char *line;
		enum reject_class want;
	} cases[] = {
		{"Feb 21 09:21:54 xxx postfix/smtpd[14398]: NOQUEUE: reject: RCPT from example.com[192.0.43.10]: "
		 "450 4.7.1 : Helo command rejected: Host not found; from=<> to=<> proto=ESMTP helo=", RJ_HELO},
		{"Jul 18 23:12:56 xxx postfix/smtpd[8738]: NOQUEUE: reject: RCPT from foo[192.51.100.43]: 554 5.7.1 "
		 "<foo@bad.domain>: Sender address rejected: match bad.domain; from=<foo@bad.domain> "
		 "to=<foo@porcupine.org> proto=SMTP helo=<192.51.100.43>", RJ_SENDER},
		{"Aug 10 10:55:38 f postfix/smtpd[2162]: NOQUEUE: reject: VRFY from x.net[72.53.132.234]: 550 5.1.1 : "
		 "Recipient address rejected: User unknown in local recipient tab", RJ_UNKNOWN_USER},
		{"Dec 21 21:17:29 xxx postfix/smtpd[7150]: NOQUEUE: reject: RCPT from b.example.com[93.184.216.34]: "
		 "450 4.7.1 Client host rejected: cannot find your hostname, [93.184.216.34]; from=<a@example.com> "
		 "to=<g@example.com> proto=ESMTP helo=<b.example.com>", RJ_CLIENT},
		{"Dec 21 21:17:29 xxx postfix/smtpd[7150]: NOQUEUE: reject: RCPT from unknown[198.51.100.9]: "
		 "554 5.7.1 Service unavailable; Client host [198.51.100.9] blocked using zen.spamhaus.org; "
		 "from=<a@example.com> to=<g@example.com> proto=ESMTP helo=<x>", RJ_RBL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pf_event ev;
		parse_line(cases[i].line, &ev);
		assert_int_equal(ev.kind, EV_REJECT);
		assert_int_equal(ev.reject_class, cases[i].want);
	}
}

static void ehlo_reject_without_envelope_addresses_is_read(void **state)
{
	(void)state;
	struct pf_event ev;
	parse_line("Jan 31 13:55:24 xxx postfix/smtpd[3462]: NOQUEUE: reject: EHLO from s271272.static.corbina.ru"
		   "[78.107.251.238]: 504 5.5.2 <User>: Helo command rejected: need fully-qualified hostname; "
		   "proto=SMTP helo=<User>", &ev);
	assert_int_equal(ev.kind, EV_REJECT);
	assert_view(ev.reject_stage, "EHLO");
	assert_view(ev.reject_code, "504");
	assert_view(ev.client_ip, "78.107.251.238");
	assert_int_equal(ev.reject_class, RJ_HELO);
}

/* the grok-patterns corpus: message parts per service, every one recognized */
static void grok_smtpd_messages_are_recognized(void **state)
{
	(void)state;
	struct pf_event ev;
	parse_msg("smtpd", "connect from 061238241086.static.ctinets.com[61.238.241.86]", &ev);
	assert_int_equal(ev.kind, EV_CONNECT);
	assert_view(ev.client_ip, "61.238.241.86");
	parse_msg("smtpd", "disconnect from 061238241086.static.ctinets.com[61.238.241.86]", &ev);
	assert_int_equal(ev.kind, EV_DISCONNECT);
	parse_msg("smtpd", "4104E3D: client=061238241086.static.ctinets.com[61.238.241.86]", &ev);
	assert_int_equal(ev.kind, EV_CLIENT);
	assert_view(ev.qid, "4104E3D");
	assert_view(ev.client_name, "061238241086.static.ctinets.com");
	assert_int_equal(ev.sasl_username.len, 0);
	parse_msg("smtpd", "NOQUEUE: reject: RCPT from 061238241086.static.ctinets.com[61.238.241.86]: 550 5.1.1 "
		  "<toernooicommissie@example.com>: Recipient address rejected: User unknown in virtual mailbox "
		  "table; from=<wumt5@cchfdc.com> to=<toernooicommissie@example.com> proto=ESMTP helo=<ecsolved.com>", &ev);
	assert_int_equal(ev.kind, EV_REJECT);
	assert_int_equal(ev.reject_class, RJ_UNKNOWN_USER);
	assert_view(ev.sender, "wumt5@cchfdc.com");
	parse_msg("smtpd", "lost connection after STARTTLS from unknown[72.13.58.7]", &ev);
	assert_int_equal(ev.kind, EV_OTHER);
}

static void grok_cleanup_and_qmgr_messages_are_recognized(void **state)
{
	(void)state;
	struct pf_event ev;
	parse_msg("cleanup", "0F5383D: message-id=<544D2523.30609@rhsoft.net>", &ev);
	assert_int_equal(ev.kind, EV_MESSAGE_ID);
	assert_view(ev.message_id, "544D2523.30609@rhsoft.net");
	/* hashed as the queue file's header will be, to prove a filter's copy */
	assert_true(ev.message_id_hash == message_id_hash(" <544D2523.30609@rhsoft.net>", 28));
	assert_true(ev.message_id_hash != 0);
	parse_msg("cleanup", "4104E3D: message-id=<>", &ev);
	assert_int_equal(ev.kind, EV_MESSAGE_ID);
	assert_int_equal(ev.message_id.len, 0);
	assert_true(ev.message_id_hash == 0);
	parse_msg("cleanup", "4104E3D: milter-reject: END-OF-MESSAGE from 061238241086.static.ctinets.com"
		  "[61.238.241.86]: 5.7.1 Blocked by SpamAssassin; from=<wumt5@cchfdc.com> "
		  "to=<voorzitter@example.com> proto=ESMTP helo=<ecsolved.com>", &ev);
	assert_int_equal(ev.kind, EV_REJECT);
	assert_view(ev.qid, "4104E3D");
	assert_view(ev.reject_stage, "END-OF-MESSAGE");
	assert_int_equal(ev.reject_class, RJ_CONTENT);
	assert_view(ev.reject_text, "5.7.1 Blocked by SpamAssassin");
	assert_view(ev.rcpt, "voorzitter@example.com");
	/* a milter's HOLD, as cleanup_milter.c logs it (the text is the milter's own) */
	parse_msg("cleanup", "4104E3D: milter-hold: END-OF-MESSAGE from mail.example[192.0.2.7]: milter triggers "
		  "HOLD action; from=<ann@x.example> to=<bob@y.example> proto=ESMTP helo=<mail.example>", &ev);
	assert_int_equal(ev.kind, EV_HOLD);
	assert_view(ev.qid, "4104E3D");
	assert_view(ev.client_ip, "192.0.2.7");
	assert_view(ev.reject_text, "milter triggers HOLD action");
	assert_view(ev.sender, "ann@x.example");
	/* a DISCARD, the milter's and header_checks' (cleanup_act_log's form) */
	parse_msg("cleanup", "4104E3D: milter-discard: END-OF-MESSAGE from mail.example[192.0.2.7]: milter triggers "
		  "DISCARD action; from=<ann@x.example> to=<bob@y.example> proto=ESMTP helo=<mail.example>", &ev);
	assert_int_equal(ev.kind, EV_DISCARD);
	assert_view(ev.client_ip, "192.0.2.7");
	parse_msg("cleanup", "4104E3D: discard: header Subject: cheap from mail.example[192.0.2.7]; from=<ann@x.example> "
		  "to=<bob@y.example> proto=ESMTP helo=<mail.example>: dropped", &ev);
	assert_int_equal(ev.kind, EV_DISCARD);
	assert_view(ev.reject_text, "dropped");
	parse_msg("qmgr", "0F5383D: removed", &ev);
	assert_int_equal(ev.kind, EV_REMOVED);
	parse_msg("qmgr", "0F5383D: from=<owner-postfix-users@postfix.org>, size=5360, nrcpt=1 (queue active)", &ev);
	assert_int_equal(ev.kind, EV_QUEUED);
	assert_view(ev.sender, "owner-postfix-users@postfix.org");
	assert_int_equal(ev.size, 5360);
	assert_int_equal(ev.nrcpt, 1);
}

static void grok_delivery_messages_give_relay_orig_to_and_status(void **state)
{
	(void)state;
	struct pf_event ev;
	parse_msg("pipe", "153053D: to=<tom@example.com>, orig_to=<admin@example.com>, relay=dovecot, delay=3.4, "
		  "delays=3.3/0.03/0/0.12, dsn=2.0.0, status=sent (delivered via dovecot service)", &ev);
	assert_int_equal(ev.kind, EV_DELIVERY);
	assert_view(ev.rcpt, "tom@example.com");
	assert_view(ev.orig_to, "admin@example.com");
	assert_view(ev.relay, "dovecot");
	assert_view(ev.delay, "3.4");
	assert_view(ev.dsn, "2.0.0");
	assert_int_equal(ev.status, DS_SENT);
	assert_view(ev.status_text, "delivered via dovecot service");
	parse_msg("smtp", "7EE668039: to=<admin@example.com>, relay=127.0.0.1[127.0.0.1]:2525, delay=3.6, "
		  "delays=0.2/0.02/0.04/3.3, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 153053D)", &ev);
	assert_view(ev.relay, "127.0.0.1[127.0.0.1]:2525");
	assert_view(ev.status_text, "250 2.0.0 Ok: queued as 153053D");
}

/* Postfix 3.11 logs its TLS feature status between delays= and dsn=
 * (smtp_log_tls_feature_status = yes, the default; postconf.proto): an
 * unknown field is skipped, the status still read */
static void a_postfix_311_tls_feature_field_leaves_the_status_read(void **state)
{
	(void)state;
	struct pf_event ev;
	parse_msg("smtp", "7EE668039: to=<a@gmail.example>, relay=gmail-smtp-in.l.google.com[192.0.2.27]:25, "
		  "delay=1.2, delays=0.1/0/0.4/0.7, tls=may/requiretls:none, dsn=2.0.0, status=sent (250 2.0.0 OK "
		  "1733300000 x1si2)", &ev);
	assert_int_equal(ev.kind, EV_DELIVERY);
	assert_int_equal(ev.status, DS_SENT);
	assert_view(ev.dsn, "2.0.0");
	assert_view(ev.status_text, "250 2.0.0 OK 1733300000 x1si2");
	parse_msg("smtp", "8AA668039: to=<b@outlook.example>, relay=none, delay=30, delays=0/0/30/0, "
		  "tls=encrypt/!requiretls:nostarttls, dsn=5.7.10, status=bounced (TLS is required, but was not offered by host "
		  "mx.outlook.example[192.0.2.28])", &ev);
	assert_int_equal(ev.status, DS_BOUNCED);
	assert_view(ev.dsn, "5.7.10");
}

static void grok_anvil_statistics_give_ip_and_value_ipv6_included(void **state)
{
	(void)state;
	struct pf_event ev;
	parse_msg("anvil", "statistics: max connection rate 1/60s for (smtpd:61.238.241.86) at Oct 26 18:13:50", &ev);
	assert_int_equal(ev.kind, EV_ANVIL);
	assert_view(ev.anvil_what, "connection rate");
	assert_int_equal(ev.count, 1);
	assert_view(ev.client_ip, "61.238.241.86");
	parse_msg("anvil", "statistics: max connection count 1 for (smtpd:2604:8d00:0:1::3) at Oct 26 17:46:59", &ev);
	assert_view(ev.client_ip, "2604:8d00:0:1::3");
	parse_msg("anvil", "statistics: max cache size 1 at Oct 26 18:13:50", &ev);
	assert_int_equal(ev.kind, EV_ANVIL);
	assert_int_equal(ev.client_ip.len, 0);
}

static void lab_client_line_with_sasl_login_is_read(void **state)
{
	(void)state;
	struct pf_event ev;
	parse_line("Nov 24 23:12:29 mail postfix/smtpd[3018]: C1B7D1021F2: client=unknown[127.0.0.11], "
		   "sasl_method=LOGIN, sasl_username=victim@lab.example", &ev);
	assert_int_equal(ev.kind, EV_CLIENT);
	assert_view(ev.qid, "C1B7D1021F2");
	assert_view(ev.client_name, "unknown");
	assert_view(ev.client_ip, "127.0.0.11");
	assert_view(ev.sasl_method, "LOGIN");
	assert_view(ev.sasl_username, "victim@lab.example");
	parse_line("Nov 24 23:12:29 mail postfix/smtpd[3018]: C1B7D1021F2: client=a.example[192.0.2.1]:4711, "
		   "sasl_method=PLAIN, sasl_username=bob, sasl_sender=boss@example.com", &ev);
	assert_view(ev.client_ip, "192.0.2.1");
	assert_view(ev.sasl_username, "bob");
	assert_view(ev.sasl_sender, "boss@example.com");
}

static void lab_sasl_failure_names_the_attacked_user(void **state)
{
	(void)state;
	struct pf_event ev;
	parse_line("Nov 24 23:12:29 mail postfix/smtpd[3018]: warning: unknown[127.0.0.66]: SASL LOGIN "
		   "authentication failed: authentication failure, sasl_username=victim@lab.example", &ev);
	assert_int_equal(ev.kind, EV_SASL_FAIL);
	assert_view(ev.client_ip, "127.0.0.66");
	assert_view(ev.sasl_method, "LOGIN");
	assert_view(ev.status_text, "authentication failure");
	assert_view(ev.sasl_username, "victim@lab.example");
	assert_int_equal(ev.server_fault, 0);
}

/* Postfix writes "(unavailable)" when the SASL server named no one
 * (smtpd_sasl_glue.c): no account is attacked by that name */
static void a_failure_whose_name_is_unavailable_names_no_account(void **state)
{
	(void)state;
	struct pf_event ev;
	parse_line("Nov 24 23:12:29 mail postfix/smtpd[3018]: warning: unknown[192.0.2.66]: SASL PLAIN "
		   "authentication failed: , sasl_username=(unavailable)", &ev);
	assert_int_equal(ev.kind, EV_SASL_FAIL);
	assert_view(ev.client_ip, "192.0.2.66");
	assert_null(ev.sasl_username.ptr);
	assert_int_equal(ev.sasl_username.len, 0);
}

static void lab_deferred_delivery_and_null_sender_are_read(void **state)
{
	(void)state;
	struct pf_event ev;
	parse_line("Nov 24 23:12:29 mail postfix/smtp[3023]: 186841021E4: to=<partner1@remote.example>, relay=none, "
		   "delay=0.06, delays=0.02/0.04/0/0, dsn=4.4.1, status=deferred (connect to 127.0.0.1[127.0.0.1]:2599: "
		   "Connection refused)", &ev);
	assert_int_equal(ev.kind, EV_DELIVERY);
	assert_int_equal(ev.status, DS_DEFERRED);
	assert_view(ev.status_text, "connect to 127.0.0.1[127.0.0.1]:2599: Connection refused");
	parse_line("Nov 24 23:12:32 mail postfix/qmgr[3015]: 2BAD610223A: from=<>, size=300, nrcpt=1 (queue active)", &ev);
	assert_int_equal(ev.kind, EV_QUEUED);
	assert_int_equal(ev.has_sender, 1);
	assert_int_equal(ev.sender.len, 0);
}

/* the lab's gateway (lab.sh gateway) on Postfix 3.7: relay_domains' mail by the
 * relay transport, then, the destination held back, by error(8) */
static void a_delivery_says_where_it_took_the_message(void **state)
{
	(void)state;
	static const struct {
		const char *program;
		uint8_t dest;
	} agents[] = {
		{"postfix/relay/smtp", DEST_HERE}, {"postfix-out/relay/smtp", DEST_HERE},
		{"postfix/lmtp", DEST_HERE}, {"postfix/local", DEST_HERE}, {"postfix/virtual", DEST_HERE},
		{"postfix/smtp", DEST_ONWARD}, {"postfix-out/smtp", DEST_ONWARD},
		{"postfix/error", DEST_BY_DOMAIN}, {"postfix/retry", DEST_BY_DOMAIN},
		{"postfix/pipe", DEST_PIPE}, {"postfix/discard", DEST_DROPPED}, {"postfix/bounce", DEST_UNKNOWN},
	};
	for (size_t i = 0; i < sizeof(agents) / sizeof(agents[0]); i++) {
		char line[512];
		snprintf(line, sizeof(line), "Dec 04 20:29:12 mail %s[10361]: A337812046A: to=<user3@gateway.example>, "
			 "relay=none, delay=0.05, delays=0.03/0.02/0/0, dsn=4.4.1, status=deferred (connect to "
			 "127.0.0.1[127.0.0.1]:2599: Connection refused)", agents[i].program);
		struct pf_event ev;
		parse_line(line, &ev);
		assert_int_equal(ev.kind, EV_DELIVERY);
		assert_int_equal(ev.dest, agents[i].dest);
	}
	struct pf_event ev;	/* an alias of ours forwarded on is mail for us */
	parse_line("Nov 24 12:00:01 mx postfix/smtp[6]: 7C000001: to=<a@gmail.example>, orig_to=<alias@example.org>, "
		   "relay=gmail.example[192.0.2.40]:25, delay=0.1, delays=0/0/0/0.1, dsn=2.0.0, status=sent (250 ok)", &ev);
	assert_int_equal(ev.dest, DEST_HERE);
}

static void expired_and_bounce_notification_lines_are_read(void **state)
{
	(void)state;
	struct pf_event ev;
	parse_msg("qmgr", "4A3F3102252: from=<spam@x.example>, status=expired, returned to sender", &ev);
	assert_int_equal(ev.kind, EV_EXPIRED);
	assert_view(ev.sender, "spam@x.example");
	parse_msg("bounce", "4A3F3102252: sender non-delivery notification: 5B1C2102260", &ev);
	assert_int_equal(ev.kind, EV_BOUNCE_NOTICE);
	assert_view(ev.other_qid, "5B1C2102260");
	parse_msg("pickup", "4A3F3102252: uid=0 from=<root>", &ev);
	assert_int_equal(ev.kind, EV_PICKUP);
	assert_view(ev.sender, "root");
}

/* pickup.c: "%s: uid=%d from=<%s>" and, for a requeued message, " orig_id=%s";
 * the sender is the submitter's text (sendmail -f) and may imitate a field */
static void pickup_lines_give_the_uid_and_a_requeued_messages_orig_id(void **state)
{
	(void)state;
	struct pf_event ev;
	parse_msg("pickup", "26EC0102057: uid=33 from=<noreply@lab.example>", &ev);
	assert_int_equal(ev.kind, EV_PICKUP);
	assert_view(ev.local_uid, "33");
	assert_view(ev.sender, "noreply@lab.example");
	assert_int_equal(ev.orig_qid.len, 0);
	parse_msg("pickup", "5B1C2102260: uid=106 from=<ann@x.example> orig_id=4A3F3102252", &ev);
	assert_int_equal(ev.kind, EV_PICKUP);
	assert_view(ev.sender, "ann@x.example");
	assert_view(ev.orig_qid, "4A3F3102252");
	parse_msg("pickup", "5B1C2102260: uid=33 from=<a> orig_id=4A3F3102252>", &ev);	/* -f 'a> orig_id=...' */
	assert_view(ev.sender, "a> orig_id=4A3F3102252");
	assert_int_equal(ev.orig_qid.len, 0);
	parse_msg("pickup", "5B1C2102260: uid=33 from=<a> uid=0 from=<b>", &ev);
	assert_view(ev.local_uid, "33");
	assert_view(ev.sender, "a> uid=0 from=<b");
	parse_msg("pickup", "5B1C2102260: uid=x3 from=<a>", &ev);
	assert_int_not_equal(ev.kind, EV_PICKUP);
	parse_msg("pickup", "5B1C2102260: uid=33 from=<a", &ev);
	assert_int_not_equal(ev.kind, EV_PICKUP);
	parse_msg("qmgr", "4A3F3102252: from=<ann@x.example>, status=force-expired, returned to sender", &ev);
	assert_int_equal(ev.kind, EV_EXPIRED);
}

static void lab_postsuper_lines_are_read_per_id_and_as_totals(void **state)
{
	(void)state;
	char *text = test_read_file("tests/fixtures/lab-postsuper.log", NULL);
	int kinds[EV_KIND_COUNT] = {0};
	long summary_total = 0;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		struct pf_event ev;
		parse_line(line, &ev);
		kinds[ev.kind]++;
		if (ev.kind == EV_QUEUE_SUMMARY)
			summary_total += ev.count;
		else
			assert_true(queue_id_valid(ev.qid.ptr, ev.qid.len));
	}
	assert_int_equal(kinds[EV_HOLD], 1);
	assert_int_equal(kinds[EV_RELEASE], 1);
	assert_int_equal(kinds[EV_REQUEUED], 1);
	assert_int_equal(kinds[EV_DELETED], 1);
	assert_int_equal(kinds[EV_QUEUE_SUMMARY], 6);
	assert_int_equal(summary_total, 39 + 1 + 1 + 39 + 1 + 1);
	free(text);
}

static void ipv6_clients_are_read_with_and_without_prefix(void **state)
{
	(void)state;
	struct pf_event ev;
	parse_msg("smtpd", "connect from mail.example[2001:db8::1]", &ev);
	assert_int_equal(ev.kind, EV_CONNECT);
	assert_view(ev.client_ip, "2001:db8::1");
	parse_msg("smtpd", "ABCDE12345: client=unknown[IPv6:2001:db8::25], sasl_method=PLAIN, sasl_username=u", &ev);
	assert_view(ev.client_ip, "2001:db8::25");
	parse_msg("smtpd", "warning: unknown[2001:db8::66]: SASL PLAIN authentication failed: x", &ev);
	assert_int_equal(ev.kind, EV_SASL_FAIL);
	assert_view(ev.client_ip, "2001:db8::66");
}

static void odd_addresses_with_quotes_commas_and_brackets_are_read_whole(void **state)
{
	(void)state;
	struct pf_event ev;
	parse_msg("qmgr", "ABCDE12345: from=<\"john, doe\"@x.example>, size=10, nrcpt=2 (queue active)", &ev);
	assert_int_equal(ev.kind, EV_QUEUED);
	assert_view(ev.sender, "\"john, doe\"@x.example");
	assert_int_equal(ev.nrcpt, 2);
	parse_msg("qmgr", "ABCDE12345: from=<a>b@x.example>, size=10, nrcpt=1 (queue active)", &ev);
	assert_view(ev.sender, "a>b@x.example");
	parse_msg("smtp", "ABCDE12345: to=<\"a b\"@x.example>, relay=none, delay=1, delays=0/0/0/0, dsn=5.0.0, "
		  "status=bounced (host said: 550 no)", &ev);
	assert_view(ev.rcpt, "\"a b\"@x.example");
	assert_int_equal(ev.status, DS_BOUNCED);
}

static void queue_ids_short_and_long_are_valid_and_words_are_not(void **state)
{
	(void)state;
	const char *good[] = {
		"1C205316C411", "4104E3D", "186841021E4",	/* short: 5 hex of usec, hex inode */
		"4jfm9W2lRrz81Zg",	/* long, recorded: no z in the time part */
		"4jfm9X6zkSz81dF",	/* recorded: a z in the microseconds, then the separator */
		"4jfz9z6zkSz81dF",	/* several z before the last one */
		"4Lhq5C0Q6Bz1xyk", "3sBXp05mTyz9Rw1", "zzzzzzzzzzz1",
	};
	const char *bad[] = {
		"NOQUEUE", "warning", "statistics", "abc", "1C20;rm", "1C205 316", "ABCDEZZ12",
		"../../etc", "-h", "", "ABCDE",	/* a short ID has at least one inode digit */
		"abcdef12", "1c205316c411",	/* short IDs are upper-case */
		"4jfm9W2aRrz81Zg", "4jfm9W2lRrz81Eg",	/* vowels are never in long IDs */
		"4jfm9z81Zg",		/* the last z too early: time is 10 or more characters */
		"4jfm9W2lRrz",		/* nothing after the separator */
		"4jfm9W2lRr-81Zg", "4jfm9W2lRrz81Zg4jfm9W2lRrz81Zg4jf",	/* other characters, over 32 */
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!queue_id_valid(good[i], strlen(good[i])))
			fail_msg("%s refused", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (queue_id_valid(bad[i], strlen(bad[i])))
			fail_msg("%s accepted", bad[i]);
	assert_false(queue_id_valid("1C205316C411\n", 13));
	/* the log parser applies the same rule as the validator */
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		char text[128];
		snprintf(text, sizeof(text), "%s: removed", good[i]);
		struct pf_event ev;
		parse_msg("qmgr", text, &ev);
		assert_int_equal(ev.kind, EV_REMOVED);
		assert_view(ev.qid, good[i]);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[128];
		snprintf(text, sizeof(text), "%s: removed", bad[i]);
		struct pf_event ev;
		parse_msg("qmgr", text, &ev);
		assert_int_equal(ev.kind, EV_OTHER);
	}
}

/* every "QID: " a real long-ID capture holds, counted apart from the parser */
static void every_long_queue_id_of_a_real_capture_is_read(void **state)
{
	(void)state;
	char *text = test_read_file("tests/fixtures/lab-long-ids-xforward.log", NULL);
	int lines = 0, read = 0, several_z = 0;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		/* independent count: "]: " then letters and digits then ": " */
		const char *p = strstr(line, "]: ");
		if (p == NULL)
			continue;
		p += 3;
		size_t n = strspn(p, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
		if (n < 6 || strncmp(p + n, ": ", 2) != 0 || strncmp(p, "NOQUEUE", 7) == 0
		    || strncmp(p, "warning", 7) == 0)
			continue;
		lines++;
		int z = 0;
		char *copy = strdup(line);
		for (size_t i = 0; i < n; i++)
			z += p[i] == 'z';
		several_z += z > 1;
		struct pf_event ev;
		parse_line(copy, &ev);
		if (ev.qid.len == n && memcmp(ev.qid.ptr, copy + (p - line), n) == 0)
			read++;
		else
			print_message("not read: %s\n", line);
		free(copy);
	}
	print_message("%d lines with a queue ID, %d with several z\n", lines, several_z);
	assert_true(lines > 500);
	assert_true(several_z > 0);	/* the capture holds the shape that was dropped */
	assert_int_equal(read, lines);
	free(text);
}

static void client_line_fields_are_read_in_smtpds_order(void **state)
{
	(void)state;
	struct pf_event ev;
	/* an outsider's AUTH= value: logged as sasl_sender, read as nothing else */
	parse_msg("smtpd", "4jfm9k5dgmz81s9: client=unknown[203.0.113.9], "
		  "sasl_sender=\"x, sasl_method=LOGIN, sasl_username=ceo@example.org, y\"", &ev);
	assert_int_equal(ev.kind, EV_CLIENT);
	assert_view(ev.client_ip, "203.0.113.9");
	assert_int_equal(ev.sasl_username.len, 0);
	assert_int_equal(ev.sasl_method.len, 0);
	assert_view(ev.sasl_sender, "\"x, sasl_method=LOGIN, sasl_username=ceo@example.org, y\"");
	/* an authenticated client's own AUTH= cannot replace its name either */
	parse_msg("smtpd", "8F04F1041B2: client=unknown[192.0.2.7], sasl_method=LOGIN, sasl_username=bob, "
		  "sasl_sender=a, sasl_username=ceo@example.org", &ev);
	assert_view(ev.sasl_username, "bob");
	assert_view(ev.sasl_sender, "a, sasl_username=ceo@example.org");
	/* a re-injected copy (XFORWARD), as recorded from the lab */
	parse_msg("10025/smtpd", "4jfm9W3KZFz81Zj: client=unknown[127.0.0.1], orig_queue_id=4jfm9W2lRrz81Zg, "
		  "orig_client=unknown[127.0.0.13]", &ev);
	assert_view(ev.client_ip, "127.0.0.1");
	assert_view(ev.orig_qid, "4jfm9W2lRrz81Zg");
	assert_view(ev.orig_client_ip, "127.0.0.13");
	assert_int_equal(ev.sasl_sender.len, 0);
	/* an XFORWARD tail after a client's AUTH= value may be its own text: not believed */
	parse_msg("smtpd", "8F04F1041B2: client=unknown[192.0.2.7], sasl_sender=<x>, "
		  "orig_queue_id=8F04F1041B1, orig_client=mx[192.0.2.1]", &ev);
	assert_int_equal(ev.orig_qid.len, 0);
	assert_int_equal(ev.orig_client_ip.len, 0);
	assert_view(ev.sasl_sender, "<x>, orig_queue_id=8F04F1041B1, orig_client=mx[192.0.2.1]");
	/* a tail that does not parse to the end of the line is no tail */
	parse_msg("smtpd", "8F04F1041B2: client=unknown[192.0.2.7], orig_queue_id=ABCDEF123 y", &ev);
	assert_int_equal(ev.orig_qid.len, 0);
	/* orig_client alone (no queue ID forwarded) */
	parse_msg("10025/smtpd", "8F04F1041B2: client=unknown[127.0.0.1], orig_client=mx[192.0.2.1]", &ev);
	assert_int_equal(ev.orig_qid.len, 0);
	assert_view(ev.orig_client_ip, "192.0.2.1");
}

/* a before-queue filter's front smtpd (smtpd.c, recorded from the lab): its
 * client line has no queue ID, and only the proxy's reply, before the first
 * "; from=<", names one: the client's sender, recipient and HELO follow it */
static void before_queue_filter_front_lines_give_the_client_and_the_replys_queue_id(void **state)
{
	(void)state;
	struct pf_event ev;
	parse_line("Dec  3 12:39:55 mail postfix/smtpd[9918]: NOQUEUE: client=unknown[127.0.0.11], sasl_method=LOGIN, "
		   "sasl_username=victim@lab.example", &ev);
	assert_int_equal(ev.kind, EV_PROXY_CLIENT);
	assert_int_equal(ev.qid.len, 0);
	assert_view(ev.client_ip, "127.0.0.11");
	assert_view(ev.sasl_username, "victim@lab.example");
	parse_line("Dec  3 12:39:55 mail postfix/smtpd[9918]: proxy-accept: END-OF-MESSAGE: 250 2.0.0 from "
		   "MTA(smtp:[127.0.0.1]:10025): 250 2.0.0 Ok: queued as 0FB251020E6; from=<alice@lab.example> "
		   "to=<partner1@remote.example> proto=ESMTP helo=<host-127-0-0-1.lab.example> "
		   "sasl_username=<alice@lab.example>", &ev);
	assert_int_equal(ev.kind, EV_PROXY_ACCEPT);
	assert_view(ev.queued_as, "0FB251020E6");
	/* a reply without a queue ID: the sender's own "queued as" is not one */
	parse_line("Dec  3 12:39:55 mail postfix/smtpd[9918]: proxy-accept: END-OF-MESSAGE: 250 OK; "
		   "from=<x queued as 1A2B3C4D5E; from=<y> to=<z> proto=ESMTP helo=<h>", &ev);
	assert_int_equal(ev.kind, EV_OTHER);
	parse_line("Dec  3 12:39:55 mail postfix/smtpd[9918]: proxy-reject: END-OF-MESSAGE: 554 5.7.1 spam; from=<a> "
		   "to=<b> proto=ESMTP helo=<h>", &ev);
	assert_int_equal(ev.kind, EV_OTHER);
	/* a forged AUTH= value on the front's client line names no account */
	parse_line("Dec  3 12:39:55 mail postfix/smtpd[9918]: NOQUEUE: client=unknown[127.0.0.99], sasl_sender=\"x, "
		   "sasl_method=LOGIN, sasl_username=alice@lab.example, y\"", &ev);
	assert_int_equal(ev.kind, EV_PROXY_CLIENT);
	assert_int_equal(ev.sasl_username.len, 0);
}

static void sent_status_names_the_next_queue_id(void **state)
{
	(void)state;
	struct pf_event ev;
	parse_msg("smtp", "4jfm9W2lRrz81Zg: to=<partner1@remote.example>, relay=127.0.0.1[127.0.0.1]:10024, "
		  "delay=0.09, delays=0.01/0.01/0.04/0.02, dsn=2.0.0, status=sent (250 2.0.0 from "
		  "MTA(smtp:[127.0.0.1]:10025): 250 2.0.0 Ok: queued as 4jfm9W3KZFz81Zj)", &ev);
	assert_int_equal(ev.status, DS_SENT);
	assert_view(ev.queued_as, "4jfm9W3KZFz81Zj");
	parse_msg("smtp", "85DD01041A2: to=<a@b>, relay=x[192.0.2.1]:25, delay=1, dsn=2.0.0, "
		  "status=sent (250 2.0.0 Ok: queued as 8F04F1041B2)", &ev);
	assert_view(ev.queued_as, "8F04F1041B2");
	parse_msg("smtp", "85DD01041A2: to=<a@b>, relay=x[192.0.2.1]:25, delay=1, dsn=2.0.0, "
		  "status=sent (250 ok: queued as <not an id>)", &ev);
	assert_int_equal(ev.queued_as.len, 0);
	parse_msg("smtp", "85DD01041A2: to=<a@b>, relay=none, delay=1, dsn=4.4.1, "
		  "status=deferred (queued as 8F04F1041B2)", &ev);
	assert_int_equal(ev.queued_as.len, 0);	/* only a sent message was taken */
}

static void long_queue_id_lines_are_joined_by_their_id(void **state)
{
	(void)state;
	struct pf_event ev;
	parse_msg("smtpd", "4Lhq5C0Q6Bz1xyk: client=unknown[192.0.2.7], sasl_method=LOGIN, sasl_username=x", &ev);
	assert_int_equal(ev.kind, EV_CLIENT);
	assert_view(ev.qid, "4Lhq5C0Q6Bz1xyk");
}

static void truncated_and_hostile_texts_never_read_past_the_end(void **state)
{
	(void)state;
	const char *full[] = {
		"ABCDE12345: to=<a@b>, orig_to=<c@d>, relay=none, delay=1, dsn=4.0.0, status=deferred (x)",
		"ABCDE12345: client=unknown[127.0.0.1], sasl_method=LOGIN, sasl_username=victim",
		"NOQUEUE: reject: RCPT from x[1.2.3.4]: 554 5.7.1 <a>: Relay access denied; from=<a> to=<b> proto=SMTP helo=<h>",
		"warning: unknown[1.2.3.4]: SASL LOGIN authentication failed: x, sasl_username=u",
		"ABCDE12345: from=<a@b>, size=1, nrcpt=1 (queue active)",
		"statistics: max connection rate 1/60s for (smtpd:1.2.3.4) at Oct 26 18:13:50",
		"ABCDE12345: reject: header Subject: x from y[1.2.3.4]; from=<a> to=<b> proto=ESMTP helo=<h>: 5.7.1 no",
	};
	/* every prefix, copied to an exact-size heap block so ASan sees any over-read */
	for (size_t i = 0; i < sizeof(full) / sizeof(full[0]); i++) {
		size_t n = strlen(full[i]);
		for (size_t k = 0; k <= n; k++) {
			char *copy = malloc(k ? k : 1);
			memcpy(copy, full[i], k);
			struct pf_event ev;
			parse_msg("smtpd", "", &ev);
			struct log_line ll = {.service = {"smtpd", 5}, .text = {copy, k}};
			event_parse(&ll, &ev);
			free(copy);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sasl_failures_match_fail2ban_verdicts_and_ips),
		cmocka_unit_test(rejects_match_fail2ban_verdicts_and_ips),
		cmocka_unit_test(noqueue_reject_is_split_into_code_text_and_envelope),
		cmocka_unit_test(reject_classes_follow_the_reason),
		cmocka_unit_test(ehlo_reject_without_envelope_addresses_is_read),
		cmocka_unit_test(grok_smtpd_messages_are_recognized),
		cmocka_unit_test(grok_cleanup_and_qmgr_messages_are_recognized),
		cmocka_unit_test(grok_delivery_messages_give_relay_orig_to_and_status),
		cmocka_unit_test(a_postfix_311_tls_feature_field_leaves_the_status_read),
		cmocka_unit_test(grok_anvil_statistics_give_ip_and_value_ipv6_included),
		cmocka_unit_test(lab_client_line_with_sasl_login_is_read),
		cmocka_unit_test(lab_sasl_failure_names_the_attacked_user),
		cmocka_unit_test(a_failure_whose_name_is_unavailable_names_no_account),
		cmocka_unit_test(lab_deferred_delivery_and_null_sender_are_read),
		cmocka_unit_test(a_delivery_says_where_it_took_the_message),
		cmocka_unit_test(expired_and_bounce_notification_lines_are_read),
		cmocka_unit_test(lab_postsuper_lines_are_read_per_id_and_as_totals),
		cmocka_unit_test(pickup_lines_give_the_uid_and_a_requeued_messages_orig_id),
		cmocka_unit_test(ipv6_clients_are_read_with_and_without_prefix),
		cmocka_unit_test(odd_addresses_with_quotes_commas_and_brackets_are_read_whole),
		cmocka_unit_test(queue_ids_short_and_long_are_valid_and_words_are_not),
		cmocka_unit_test(every_long_queue_id_of_a_real_capture_is_read),
		cmocka_unit_test(client_line_fields_are_read_in_smtpds_order),
		cmocka_unit_test(sent_status_names_the_next_queue_id),
		cmocka_unit_test(before_queue_filter_front_lines_give_the_client_and_the_replys_queue_id),
		cmocka_unit_test(long_queue_id_lines_are_joined_by_their_id),
		cmocka_unit_test(truncated_and_hostile_texts_never_read_past_the_end),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
