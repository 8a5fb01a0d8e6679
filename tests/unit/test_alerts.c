/*
 * test_alerts - early warning on the real capture and crafted queues: each
 * state (OK, WARNING, CRITICAL, UNKNOWN), a quiet log, the threshold file
 * and flags with their warnings; and the metrics a monitoring system reads:
 * Prometheus text checked by a strict parser, Influx lines, bounded
 * cardinality, hostile label values escaped.
 */
#include "testutil.h"
#include "metrics_check.h"

#include <ctype.h>
#include <unistd.h>

#include "core/incident/alerts.h"
#include "core/model/ingest.h"
#include "core/incident/metrics.h"

static struct queue_snapshot *queue_of(size_t n)
{
	struct queue_snapshot *q = queue_snapshot_new();
	for (size_t i = 0; i < n; i++) {
		char line[300];
		int len = snprintf(line, sizeof(line), "{\"queue_name\": \"%s\", \"queue_id\": \"%05zX1A2B3\", "
				   "\"arrival_time\": 1795564800, \"message_size\": 400, \"sender\": \"s@x.example\", "
				   "\"recipients\": [{\"address\": \"r@y.example\"}]}", i % 2 ? "deferred" : "hold", i);
		assert_int_equal(queue_add_json(q, line, (size_t)len), 0);
	}
	return q;
}

static void the_outbreak_is_critical_with_the_culprits_named(void **state)
{
	(void)state;
	struct model *m = test_lab_model();
	struct alert_config c;
	alert_config_default(&c);
	struct queue_snapshot *q = queue_of(39);
	struct alert_result r;
	alert_evaluate(&c, m, q, model_now(m), 15, &r);	/* "now" is the end of the burst */
	assert_int_equal(r.v[AL_USER_RATE].state, ALERT_CRITICAL);
	assert_true(r.v[AL_USER_RATE].value >= 20);
	assert_string_equal(r.v[AL_USER_RATE].subject, "victim@lab.example");
	assert_int_equal(r.v[AL_USER_IPS].value, 5);
	assert_int_equal(r.v[AL_USER_IPS].state, ALERT_CRITICAL);
	assert_string_equal(r.v[AL_RELAY_RATE].subject, "127.0.0.2");
	assert_int_equal(r.v[AL_RELAY_RATE].value, 12);
	assert_int_equal(r.v[AL_RELAY_RATE].state, ALERT_WARNING);
	assert_int_equal(r.v[AL_IP_FAILURES].value, 4);
	assert_int_equal(r.v[AL_IP_FAILURES].state, ALERT_WARNING);
	assert_int_equal(r.v[AL_NULL_SENDER].value, 10);	/* 4 of the 39 that leave (one went to postmaster) */
	assert_int_equal(r.v[AL_QUEUE].state, ALERT_OK);
	assert_int_equal(r.worst, ALERT_CRITICAL);
	/* a queue that cannot be read during the burst: the burst still ranks first */
	alert_evaluate(&c, m, NULL, model_now(m), 15, &r);
	assert_int_equal(r.v[AL_QUEUE].state, ALERT_UNKNOWN);
	assert_int_equal(r.worst, ALERT_CRITICAL);
	queue_snapshot_free(q);
	alert_config_free(&c);
	model_free(m);
}

/* ip_failures - the ip_failures check of m as it stands, by default thresholds */
static struct alert_value ip_failures(const struct model *m)
{
	struct alert_config c;
	alert_config_default(&c);
	struct alert_result r;
	alert_evaluate(&c, m, NULL, model_now(m), 15, &r);
	alert_config_free(&c);
	return r.v[AL_IP_FAILURES];
}

/* failed logins from this machine's loopback are a webmail's users': the
 * ip_failures check names the address of a real brute force, never 127.0.0.1 */
static void failures_from_this_machines_loopback_raise_no_alert(void **state)
{
	(void)state;
	struct model *m = model_new(NULL, TEST_REFERENCE);
	char line[300];
	for (int k = 0; k < 12; k++) {
		snprintf(line, sizeof(line), "Nov 24 10:00:%02d mx dovecot: imap-login: Disconnected (auth failed, 1 attempts "
			 "in 2 secs): user=<u%d@x.example>, method=PLAIN, rip=127.0.0.1, lip=127.0.0.1, session=<s%d>",
			 k, k, k);
		assert_int_equal(model_add_line(m, line, strlen(line)), LINE_OTHER);
	}
	assert_int_equal(ip_failures(m).state, ALERT_OK);
	for (int k = 0; k < 3; k++) {
		snprintf(line, sizeof(line), "Nov 24 10:01:%02d mx postfix/smtpd[2]: warning: unknown[192.0.2.9]: SASL LOGIN "
			 "authentication failed: UGFzc3dvcmQ6", k);
		assert_int_equal(model_add_line(m, line, strlen(line)), LINE_POSTFIX);
	}
	struct alert_value v = ip_failures(m);
	assert_int_equal(v.state, ALERT_WARNING);
	assert_string_equal(v.subject, "192.0.2.9");
	model_free(m);
}

/* a phone with an old password, polling where its account logs in from:
 * no ip_failures alert, however often it fails */
static void failures_of_an_account_where_it_logged_in_raise_no_alert(void **state)
{
	(void)state;
	struct model *m = model_new(NULL, TEST_REFERENCE);
	const char *login = "Nov 24 09:59:00 mx dovecot: imap-login: Login: user=<alice@x.example>, method=PLAIN, "
			    "rip=192.0.2.30, lip=192.0.2.1, mpid=1, TLS, session=<ok>";
	assert_int_equal(model_add_line(m, login, strlen(login)), LINE_OTHER);
	char line[300];
	for (int k = 0; k < 12; k++) {
		snprintf(line, sizeof(line), "Nov 24 10:%02d:00 mx dovecot: imap-login: Disconnected (auth failed, 1 attempts "
			 "in 2 secs): user=<alice@x.example>, method=PLAIN, rip=192.0.2.30, lip=192.0.2.1, session=<s%d>",
			 k, k);
		assert_int_equal(model_add_line(m, line, strlen(line)), LINE_OTHER);
	}
	assert_int_equal(ip_failures(m).state, ALERT_OK);
	const char *other = "Nov 24 10:12:00 mx dovecot: imap-login: Disconnected (auth failed, 1 attempts in 2 secs): "
			    "user=<admin@x.example>, method=PLAIN, rip=192.0.2.30, lip=192.0.2.1, session=<a>";
	assert_int_equal(model_add_line(m, other, strlen(other)), LINE_OTHER);
	struct alert_value v = ip_failures(m);
	assert_int_equal(v.state, ALERT_CRITICAL);	/* 13 within 20 minutes, one name not its own */
	assert_string_equal(v.subject, "192.0.2.30");
	model_free(m);
}

/* a burst across a minute's turn (9 messages at 09:59:58-59, 15 at 10:00:00-02)
 * is one burst: the minute's rate and the busiest minute are not halved */
static void a_burst_across_a_minutes_turn_is_not_halved(void **state)
{
	(void)state;
	struct model *m = model_new(NULL, TEST_REFERENCE);
	char line[200];
	for (int k = 0; k < 24; k++) {
		int sec = k < 9 ? 58 + k / 5 : (k - 9) / 5;
		snprintf(line, sizeof(line), "Nov 24 %s:%02d mx postfix/smtpd[1]: %05XABC: client=u[192.0.2.%d], "
			 "sasl_method=LOGIN, sasl_username=victim@x.example", k < 9 ? "09:59" : "10:00", sec, k, k % 5);
		assert_int_equal(model_add_line(m, line, strlen(line)), LINE_POSTFIX);
	}
	const struct agg_stats *u = model_agg_find(m, AGG_SASL_USER, "victim@x.example", 16);
	assert_int_equal(agg_rate(m, &u->msg_rate, 1), 15);	/* the bucket of 10:00 alone */
	assert_true(agg_rate_sliding(m, &u->msg_rate) >= 23);	/* the 60 seconds to 10:00:02 */
	assert_true(u->peak_1m >= 23);
	struct alert_config c;
	alert_config_default(&c);
	c.skip_queue = 1;
	struct alert_result r;
	alert_evaluate(&c, m, NULL, model_now(m), 15, &r);
	assert_int_equal(r.v[AL_USER_RATE].state, ALERT_CRITICAL);
	alert_config_free(&c);
	model_free(m);
}

static void queue_size_alone_gives_each_state(void **state)
{
	(void)state;
	struct model *m = model_new(NULL, TEST_REFERENCE);	/* no log at all */
	struct alert_config c;
	alert_config_default(&c);
	struct alert_result r;
	size_t sizes[] = {99, 100, 199, 200};
	enum alert_state want[] = {ALERT_OK, ALERT_WARNING, ALERT_WARNING, ALERT_CRITICAL};
	for (int i = 0; i < 4; i++) {
		struct queue_snapshot *q = queue_of(sizes[i]);
		alert_evaluate(&c, m, q, TEST_REFERENCE, 15, &r);
		assert_int_equal(r.v[AL_QUEUE].state, want[i]);
		assert_int_equal(r.worst, want[i]);
		queue_snapshot_free(q);
	}
	alert_evaluate(&c, m, NULL, TEST_REFERENCE, 15, &r);	/* could not be read */
	assert_int_equal(r.worst, ALERT_UNKNOWN);
	c.skip_queue = 1;	/* --no-queue: left out */
	alert_evaluate(&c, m, NULL, TEST_REFERENCE, 15, &r);
	assert_int_equal(r.worst, ALERT_OK);
	alert_config_free(&c);
	model_free(m);
}

static void a_quiet_log_raises_nothing(void **state)
{
	(void)state;
	struct model *m = test_lab_model();
	struct alert_config c;
	alert_config_default(&c);
	struct alert_result r;
	c.skip_queue = 1;
	alert_evaluate(&c, m, NULL, model_now(m) + 2 * 3600, 15, &r);	/* two hours later */
	assert_int_equal(r.worst, ALERT_OK);
	assert_int_equal(r.v[AL_USER_RATE].value, 0);
	assert_int_equal(r.v[AL_USER_IPS].value, 0);
	alert_config_free(&c);
	model_free(m);
}

static void threshold_file_and_flags_override_with_warnings_for_bad_lines(void **state)
{
	(void)state;
	const char *path = "/tmp/spamtop-test-alerts.conf";
	const char *text = "# thresholds\nqueue = 10 20\ndeferred=5,6\nuser_rate = 30\nnope = 1 2\n"
			   "relay_rate = 9 3\n\n   # indented comment\n";
	test_write_file(path, text, strlen(text));
	struct alert_config c;
	alert_config_default(&c);
	assert_int_equal(alert_config_load(&c, path), 0);
	assert_int_equal(c.t[AL_QUEUE].warn, 10);
	assert_int_equal(c.t[AL_QUEUE].crit, 20);
	assert_int_equal(c.t[AL_DEFERRED].crit, 6);
	assert_int_equal(c.t[AL_USER_RATE].crit, 20);	/* bad line: default kept */
	assert_int_equal(c.t[AL_RELAY_RATE].warn, 10);
	assert_string_equal(buf_str(&c.warnings),
			    "/tmp/spamtop-test-alerts.conf:4: user_rate wants two numbers, warning then critical\n"
			    "/tmp/spamtop-test-alerts.conf:5: unknown threshold 'nope'\n"
			    "/tmp/spamtop-test-alerts.conf:6: relay_rate wants two numbers, warning then critical\n");
	assert_int_equal(alert_config_set(&c, "queue=1,2"), 0);
	assert_int_equal(c.t[AL_QUEUE].crit, 2);
	assert_int_equal(alert_config_set(&c, "queue"), -1);
	assert_int_equal(alert_config_load(&c, "/nonexistent/spamtop.conf"), 0);
	unlink(path);
	alert_config_free(&c);
}

static void prometheus_output_parses_strictly_with_hostile_names_escaped(void **state)
{
	(void)state;
	struct model *m = test_lab_model();
	const char *evil = "Nov 24 23:35:37 mail postfix/smtpd[1]: 9F1A2B3C4D: client=unknown[127.0.0.9], "
			   "sasl_method=LOGIN, sasl_username=ev\"il\\user\x1b[2J\xff";
	model_add_line(m, evil, strlen(evil));
	struct queue_snapshot *q = queue_of(3);
	char *text = metrics_text(METRICS_PROMETHEUS, m, q, 10);
	size_t n;
	check_prometheus(text, &n, "spamtop_sasl_user_messages_total");
	assert_int_equal(n, 3);
	assert_non_null(strstr(text, "spamtop_sasl_user_messages_total{user=\"victim@lab.example\"} 24\n"));
	assert_non_null(strstr(text, "{user=\"ev\\\"il\\\\user\\\\x1b[2J\xef\xbf\xbd\"}"));
	assert_non_null(strstr(text, "spamtop_queue_messages{queue=\"hold\"} 2\n"));
	assert_non_null(strstr(text, "spamtop_queue_up 1\n"));
	assert_non_null(strstr(text, "spamtop_alert_state{check=\"user_ips\"} 2\n"));
	assert_null(strchr(text, '\033'));
	char newest[96];	/* the newest Postfix line's time: the evil line, 23:35:37 on Nov 24 */
	snprintf(newest, sizeof(newest), "\nspamtop_log_newest_line_timestamp_seconds %lld\n",
		 (long long)model_host_last_time(m, 0));
	assert_non_null(strstr(text, newest));
	assert_int_equal(model_host_last_time(m, 0) % 86400, 23 * 3600 + 35 * 60 + 37);
	free(text);
	text = metrics_text(METRICS_PROMETHEUS, m, NULL, 10);
	check_prometheus(text, &n, "spamtop_queue_messages");
	assert_int_equal(n, 0);
	assert_non_null(strstr(text, "spamtop_queue_up 0\n"));
	free(text);
	queue_snapshot_free(q);
	model_free(m);
}

static void per_user_series_are_bounded_by_top(void **state)
{
	(void)state;
	struct model *m = model_new(NULL, TEST_REFERENCE);
	for (int i = 0; i < 500; i++) {
		char line[200];
		int len = snprintf(line, sizeof(line), "Nov 24 23:35:37 mail postfix/smtpd[1]: %05X1A2B3C: "
				   "client=unknown[10.0.%d.%d], sasl_method=LOGIN, sasl_username=user%d@x.example",
				   i, i / 250, i % 250, i);
		model_add_line(m, line, (size_t)len);
	}
	char *text = metrics_text(METRICS_PROMETHEUS, m, NULL, 7);
	size_t n;
	check_prometheus(text, &n, "spamtop_sasl_user_messages_total");
	assert_int_equal(n, 7);
	check_prometheus(text, &n, "spamtop_client_ip_messages_total");
	assert_int_equal(n, 7);
	free(text);
	model_free(m);
}

static void influx_lines_have_measurement_tags_value_and_time(void **state)
{
	(void)state;
	struct model *m = test_lab_model();
	const char *odd = "Nov 24 23:35:37 mail postfix/smtpd[1]: 9F1A2B3C4D: client=unknown[127.0.0.9], "
			  "sasl_method=LOGIN, sasl_username=a b,c=d";
	model_add_line(m, odd, strlen(odd));
	char *text = metrics_text(METRICS_INFLUX, m, NULL, 10);
	assert_non_null(strstr(text, "spamtop_sasl_user_messages_total,user=victim@lab.example value=24i 1795564800000000000\n"));
	assert_non_null(strstr(text, "spamtop_sasl_user_messages_total,user=a\\ b\\,c\\=d value=1i 1795564800000000000\n"));
	assert_non_null(strstr(text, "spamtop_queue_up value=0i 1795564800000000000\n"));
	assert_null(strstr(text, "# "));
	char *copy = strdup(text), *save = NULL;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *v = strstr(line, " value=");
		assert_non_null(v);
		long long iv, ts;
		char tail;
		assert_int_equal(sscanf(v, " value=%lldi %lld%c", &iv, &ts, &tail), 2);
	}
	free(copy);
	free(text);
	model_free(m);
}

/* wait_for - a file the detached command makes (at most 5 s) */
static int wait_for(const char *path)
{
	for (int i = 0; i < 500; i++) {
		if (access(path, F_OK) == 0)
			return 1;
		usleep(10000);
	}
	return 0;
}

static void the_alert_command_runs_between_a_planned_and_a_done_record(void **state)
{
	(void)state;
	char journal[200], marker[200], tmpl[300];
	snprintf(journal, sizeof(journal), "%s/journal", test_dir());
	snprintf(marker, sizeof(marker), "%s/queue-CRITICAL", test_dir());
	snprintf(tmpl, sizeof(tmpl), "touch %s/{check}-{state}", test_dir());
	struct alert_value v = {.state = ALERT_CRITICAL, .value = 250};
	struct error err;
	assert_int_equal(alert_command_run(tmpl, AL_QUEUE, &v, journal, &err), RUN_DONE);
	assert_true(wait_for(marker));
	size_t len;
	char *text = test_read_file(journal, &len);
	json_error_t je;
	char *nl = strchr(text, '\n');
	assert_non_null(nl);
	json_t *planned = json_loadb(text, (size_t)(nl - text), 0, &je), *done = json_loads(nl + 1, 0, &je);
	assert_string_equal(json_string_value(json_object_get(planned, "phase")), "planned");
	assert_string_equal(json_string_value(json_object_get(planned, "action")), "alert");
	assert_string_equal(json_string_value(json_object_get(planned, "selection")), "queue");
	assert_string_equal(json_string_value(json_array_get(json_object_get(planned, "command"), 1)), marker);
	assert_string_equal(json_string_value(json_object_get(done, "phase")), "done");
	assert_true(json_is_true(json_object_get(done, "started")));
	json_decref(planned);
	json_decref(done);
	free(text);
}

static void the_alert_command_still_runs_when_the_journal_cannot_be_written(void **state)
{
	(void)state;
	char marker[200], tmpl[300];
	snprintf(marker, sizeof(marker), "%s/deferred-WARNING", test_dir());
	snprintf(tmpl, sizeof(tmpl), "touch %s/{check}-{state}", test_dir());
	struct alert_value v = {.state = ALERT_WARNING, .value = 80};
	struct error err;
	char blocked[200], journal[250];	/* the journal's folder is a plain file: it cannot be made */
	snprintf(blocked, sizeof(blocked), "%s/not-a-folder", test_dir());
	FILE *f = fopen(blocked, "w");
	assert_non_null(f);
	fclose(f);
	snprintf(journal, sizeof(journal), "%s/journal", blocked);
	assert_int_equal(alert_command_run(tmpl, AL_DEFERRED, &v, journal, &err),
			 RUN_NOT_JOURNALED);	/* a full disk is an outbreak's symptom: the alert goes out */
	assert_true(wait_for(marker));
	assert_true(strlen(err.msg) > 0);	/* and the admin hears why it is not recorded */
}

static void an_alert_command_that_cannot_start_is_journaled_as_not_started(void **state)
{
	(void)state;
	char journal[200];
	snprintf(journal, sizeof(journal), "%s/journal-failed", test_dir());
	struct alert_value v = {.state = ALERT_CRITICAL, .value = 9};
	struct error err;
	assert_int_equal(alert_command_run("/nonexistent/alert-program {check}", AL_QUEUE, &v, journal, &err), RUN_FAILED);
	size_t len;
	char *text = test_read_file(journal, &len);
	json_error_t je;
	char *nl = strchr(text, '\n');
	assert_non_null(nl);
	json_t *done = json_loads(nl + 1, 0, &je);
	assert_string_equal(json_string_value(json_object_get(done, "phase")), "done");
	assert_true(json_is_false(json_object_get(done, "started")));
	json_decref(done);
	assert_non_null(strstr(err.msg, "cannot run /nonexistent/alert-program"));	/* exec's own failure, said */
	free(text);
}

/* a busy sender of mail for this server (every message delivered over lmtp)
 * raises no relay alert; the same rate relayed on to other servers does */
static void mail_for_this_server_raises_no_relay_alert(void **state)
{
	(void)state;
	for (int onward = 0; onward <= 1; onward++) {
		struct model *m = model_new(NULL, TEST_REFERENCE);
		for (int i = 0; i < 30; i++) {
			char line[400];
			const char *fmt[] = {
				"Nov 24 12:00:%02d mx postfix/smtpd[9]: 7E%08X: client=mail-x.google.com[209.85.1.1]",
				"Nov 24 12:00:%02d mx postfix/qmgr[7]: 7E%08X: from=<f@gmail.example>, size=900, nrcpt=1 "
				"(queue active)",
				onward ? "Nov 24 12:00:%02d mx postfix/smtp[6]: 7E%08X: to=<x@elsewhere.example>, relay=mx."
					 "elsewhere.example[192.0.2.9]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (ok)"
				       : "Nov 24 12:00:%02d mx postfix/lmtp[6]: 7E%08X: to=<u@example.org>, relay=mail[private/"
					 "dovecot-lmtp], delay=0.1, delays=0/0/0/0.1, dsn=2.0.0, status=sent (250 2.0.0 Saved)",
			};
			for (size_t k = 0; k < 3; k++) {
				snprintf(line, sizeof(line), fmt[k], i, (unsigned)i);
				assert_int_equal(model_add_line(m, line, strlen(line)), LINE_POSTFIX);
			}
		}
		struct alert_config c;
		alert_config_default(&c);
		struct alert_result r;
		alert_evaluate(&c, m, NULL, model_now(m), 15, &r);
		assert_int_equal(r.v[AL_RELAY_RATE].state, onward ? ALERT_CRITICAL : ALERT_OK);
		alert_config_free(&c);
		model_free(m);
	}
}

/* add_message - message i from client ip (NULL: made here, as bounce(8)'s
 * notices are), its sender from, delivered here over lmtp or onward by smtp */
static void add_message(struct model *m, int i, const char *ip, const char *from, int here)
{
	char line[400];
	int sec = i % 60;
	if (ip) {
		snprintf(line, sizeof(line), "Nov 24 12:00:%02d mx postfix/smtpd[9]: 7F%08X: client=h.example[%s]", sec,
			 (unsigned)i, ip);
		assert_int_equal(model_add_line(m, line, strlen(line)), LINE_POSTFIX);
	}
	snprintf(line, sizeof(line), "Nov 24 12:00:%02d mx postfix/qmgr[7]: 7F%08X: from=<%s>, size=900, nrcpt=1 "
		 "(queue active)", sec, (unsigned)i, from);
	assert_int_equal(model_add_line(m, line, strlen(line)), LINE_POSTFIX);
	snprintf(line, sizeof(line), here ? "Nov 24 12:00:%02d mx postfix/lmtp[6]: 7F%08X: to=<u@example.org>, relay=mail["
		 "private/dovecot-lmtp], delay=0.1, delays=0/0/0/0.1, dsn=2.0.0, status=sent (250 2.0.0 Saved)"
		 : "Nov 24 12:00:%02d mx postfix/smtp[6]: 7F%08X: to=<x@elsewhere.example>, relay=mx.elsewhere.example"
		 "[192.0.2.9]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)", sec, (unsigned)i);
	assert_int_equal(model_add_line(m, line, strlen(line)), LINE_POSTFIX);
}

/* null_sender_check - the null_sender_pct check of m at its last line */
static struct alert_value null_sender_check(const struct model *m)
{
	struct alert_config c;
	alert_config_default(&c);
	struct alert_result r;
	alert_evaluate(&c, m, NULL, model_now(m), 15, &r);
	alert_config_free(&c);
	return r.v[AL_NULL_SENDER];
}

/* the null-sender share is of the mail leaving this server: a quiet night's
 * bounces for our users (delivered here) and a handful of messages raise
 * nothing; this server's own bounces count, as leaving mail, once */
static void null_sender_share_is_of_mail_leaving_and_enough_of_it(void **state)
{
	(void)state;
	struct model *m = model_new(NULL, TEST_REFERENCE);
	add_message(m, 0, "209.85.1.1", "news@gmail.example", 1);
	add_message(m, 1, "209.85.1.1", "", 1);	/* Gmail's bounces of our users' mail */
	add_message(m, 2, "209.85.1.1", "", 1);
	for (int i = 3; i < 7; i++)	/* four leaving, two of them bounces: too few to tell */
		add_message(m, i, "192.0.2.5", i % 2 ? "" : "a@example.org", 0);
	struct alert_value v = null_sender_check(m);
	assert_int_equal(v.state, ALERT_OK);
	assert_true(v.value == 0);
	for (int i = 7; i < 15; i++)	/* eight more: 5 of 12 leaving are bounces */
		add_message(m, i, "192.0.2.5", i < 10 ? "" : "a@example.org", 0);
	v = null_sender_check(m);
	assert_int_equal((int)(v.value + 0.5), 42);
	assert_int_equal(v.state, ALERT_WARNING);
	model_free(m);
	/* a relay's 10 messages and this server's 10 bounce notices (no client=):
	 * half of what leaves, not 10 bounces of 10 clients' messages */
	m = model_new(NULL, TEST_REFERENCE);
	for (int i = 0; i < 20; i++)
		add_message(m, i, i < 10 ? "10.0.0.7" : NULL, i < 10 ? "x@spam.example" : "", 0);
	v = null_sender_check(m);
	assert_int_equal((int)(v.value + 0.5), 50);
	assert_int_equal(v.state, ALERT_WARNING);
	model_free(m);
}

int main(void)
{
	test_use_utc();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_outbreak_is_critical_with_the_culprits_named),
		cmocka_unit_test(mail_for_this_server_raises_no_relay_alert),
		cmocka_unit_test(null_sender_share_is_of_mail_leaving_and_enough_of_it),
		cmocka_unit_test(a_burst_across_a_minutes_turn_is_not_halved),
		cmocka_unit_test(failures_from_this_machines_loopback_raise_no_alert),
		cmocka_unit_test(failures_of_an_account_where_it_logged_in_raise_no_alert),
		cmocka_unit_test(queue_size_alone_gives_each_state),
		cmocka_unit_test(a_quiet_log_raises_nothing),
		cmocka_unit_test(threshold_file_and_flags_override_with_warnings_for_bad_lines),
		cmocka_unit_test(prometheus_output_parses_strictly_with_hostile_names_escaped),
		cmocka_unit_test(per_user_series_are_bounded_by_top),
		cmocka_unit_test(influx_lines_have_measurement_tags_value_and_time),
		cmocka_unit_test(the_alert_command_runs_between_a_planned_and_a_done_record),
		cmocka_unit_test(the_alert_command_still_runs_when_the_journal_cannot_be_written),
		cmocka_unit_test(an_alert_command_that_cannot_start_is_journaled_as_not_started),
	};
	return cmocka_run_group_tests(tests, test_dir_setup, test_dir_teardown);
}
