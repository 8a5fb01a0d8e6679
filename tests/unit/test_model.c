/*
 * test_model - records joined by queue ID and the aggregates over them,
 * on the real lab capture and on crafted sequences of real line forms.
 */
#include "testutil.h"

#include "core/base/clock.h"

#include "core/model/aggview.h"
#include "core/incident/alerts.h"
#include "core/model/detect.h"
#include "core/model/ingest.h"
#include "core/model/model.h"

static int setup(void **state)
{
	(void)state;
	test_use_utc();
	return 0;
}

static void add(struct model *m, const char *line)
{
	assert_int_equal(model_add_line(m, line, strlen(line)), LINE_POSTFIX);
}

/* addf - add, the line printed from fmt */
__attribute__((format(printf, 2, 3))) static void addf(struct model *m, const char *fmt, ...)
{
	char line[400];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	assert_true(n > 0 && (size_t)n < sizeof(line));
	add(m, line);
}

static void model_add_line_cb(const char *line, size_t len, void *arg)
{
	model_add_line(arg, line, len);
}

static const struct agg_stats *find(const struct model *m, enum agg_kind k, const char *key)
{
	return model_agg_find(m, k, key, strlen(key));
}

struct victim_check {
	int records;
	int bad;
};

static int check_victim_record(const struct msg_record *r, void *arg)
{
	struct victim_check *vc = arg;
	if (r->sasl_user == NULL || strcmp(r->sasl_user->s, "victim@lab.example") != 0)
		return 0;
	vc->records++;
	/* smtpd gave the user and IP, cleanup the message-id, qmgr the sender and size */
	if (r->client_ip == NULL || strncmp(r->client_ip->s, "127.0.0.1", 9) != 0
	    || r->sender == NULL || strstr(r->sender->s, "@cheap-pills.example") == NULL
	    || !(r->flags & RF_MESSAGE_ID) || r->size == 0 || r->nrcpt != 2 || r->deferred != 2)
		vc->bad++;
	return 0;
}

static void sasl_users_messages_are_joined_across_smtpd_cleanup_qmgr_and_smtp(void **state)
{
	(void)state;
	struct model *m = test_lab_model();
	struct victim_check vc = {0, 0};
	model_foreach_record(m, check_victim_record, &vc);
	assert_int_equal(vc.records, 24);
	assert_int_equal(vc.bad, 0);
	const struct agg_stats *u = find(m, AGG_SASL_USER, "victim@lab.example");
	assert_non_null(u);
	assert_int_equal(u->msgs, 24);
	assert_int_equal(u->rcpts, 48);
	assert_int_equal(u->distinct_ips, 5);
	assert_int_equal(u->deferred, 48);
	assert_int_equal(u->sasl_failures, 4);	/* the brute force before the break-in */
	const struct agg_stats *d = find(m, AGG_DOMAIN, "cheap-pills.example");
	assert_non_null(d);
	assert_int_equal(d->msgs, 24);
	model_free(m);
}

static void trusted_relay_ip_counts_unauthenticated_and_null_sender_mail(void **state)
{
	(void)state;
	struct model *m = test_lab_model();
	const struct agg_stats *ip = find(m, AGG_CLIENT_IP, "127.0.0.2");
	assert_non_null(ip);
	assert_int_equal(ip->msgs, 12);
	assert_int_equal(ip->unauth_msgs, 12);
	assert_int_equal(ip->auth_msgs, 0);
	assert_int_equal(ip->null_sender, 4);
	const struct model_totals *t = model_totals(m);
	assert_int_equal(t->messages, 40);
	assert_int_equal(t->auth_messages, 28);
	assert_int_equal(t->unauth_messages, 12);
	assert_int_equal(t->null_sender, 4);
	assert_int_equal(t->sasl_failures, 4);
	assert_int_equal(t->rejects_by_class[RJ_RELAY_DENIED], 1);
	assert_int_equal(t->sent, 1);
	assert_int_equal(model_open_count(m), 39);	/* all but the delivered one are queued */
	model_free(m);
}

static void qmgr_retries_do_not_count_a_message_twice(void **state)
{
	(void)state;
	struct model *m = model_new(NULL, TEST_REFERENCE);
	add(m, "Nov 24 10:00:00 mx postfix/smtpd[1]: 1A2B3C4D5E: client=unknown[192.0.2.1], sasl_method=LOGIN, sasl_username=u1");
	for (int i = 0; i < 3; i++) {	/* first attempt and two retries */
		add(m, "Nov 24 10:00:01 mx postfix/qmgr[2]: 1A2B3C4D5E: from=<a@x.example>, size=100, nrcpt=3 (queue active)");
		add(m, "Nov 24 10:00:02 mx postfix/smtp[3]: 1A2B3C4D5E: to=<b@y.example>, relay=none, delay=1, "
		       "delays=0/0/1/0, dsn=4.4.1, status=deferred (connect refused)");
	}
	const struct agg_stats *s = find(m, AGG_SENDER, "a@x.example");
	assert_int_equal(s->msgs, 1);
	assert_int_equal(s->rcpts, 3);
	assert_int_equal(s->bytes, 100);
	assert_int_equal(s->deferred, 3);
	const struct agg_stats *u = find(m, AGG_SASL_USER, "u1");
	assert_int_equal(u->msgs, 1);
	assert_int_equal(u->rcpts, 3);
	assert_int_equal(model_totals(m)->messages, 1);
	model_free(m);
}

static void reused_queue_id_after_removed_starts_a_new_record(void **state)
{
	(void)state;
	struct model *m = model_new(NULL, TEST_REFERENCE);
	add(m, "Nov 24 10:00:00 mx postfix/smtpd[1]: 1A2B3C4D5E: client=unknown[192.0.2.1], sasl_method=LOGIN, sasl_username=first");
	add(m, "Nov 24 10:00:01 mx postfix/qmgr[2]: 1A2B3C4D5E: from=<a@x.example>, size=100, nrcpt=1 (queue active)");
	add(m, "Nov 24 10:00:02 mx postfix/qmgr[2]: 1A2B3C4D5E: removed");
	assert_null(model_find_open(m, "1A2B3C4D5E"));
	add(m, "Nov 24 11:00:00 mx postfix/smtpd[1]: 1A2B3C4D5E: client=unknown[192.0.2.9], sasl_method=LOGIN, sasl_username=second");
	add(m, "Nov 24 11:00:01 mx postfix/qmgr[2]: 1A2B3C4D5E: from=<b@x.example>, size=50, nrcpt=1 (queue active)");
	const struct msg_record *r = model_find_open(m, "1A2B3C4D5E");
	assert_non_null(r);
	assert_string_equal(r->sasl_user->s, "second");
	assert_string_equal(r->sender->s, "b@x.example");
	assert_int_equal(find(m, AGG_SASL_USER, "first")->msgs, 1);
	assert_int_equal(find(m, AGG_SASL_USER, "second")->msgs, 1);
	assert_int_equal(find(m, AGG_SENDER, "b@x.example")->bytes, 50);
	assert_int_equal(model_totals(m)->messages, 2);
	assert_int_equal(model_ended_count(m), 1);
	model_free(m);
}

static void two_hosts_keep_their_own_records_and_aggregates_for_one_queue_id(void **state)
{
	(void)state;
	struct model *m = model_new(NULL, TEST_REFERENCE);
	assert_int_equal(model_host_count(m), 1);
	assert_int_equal(model_add_host(m, "mail1"), 0);
	assert_int_equal(model_add_host(m, "mail2"), 1);
	assert_int_equal(model_add_host(m, "mail1"), 0);	/* a name given again: its host */
	assert_int_equal(model_host_count(m), 2);
	assert_int_equal(model_host_by_name(m, "mail2"), 1);
	assert_int_equal(model_host_by_name(m, "mail3"), -1);
	/* the same queue ID and the same user on both hosts: two messages, two users */
	model_set_host(m, 0);
	add(m, "Nov 24 10:00:00 mx1 postfix/smtpd[1]: 1A2B3C4D5E: client=unknown[192.0.2.1], sasl_method=LOGIN, sasl_username=alice");
	model_set_host(m, 1);
	add(m, "Nov 24 10:00:00 mx2 postfix/smtpd[1]: 1A2B3C4D5E: client=unknown[198.51.100.7], sasl_method=LOGIN, sasl_username=alice");
	add(m, "Nov 24 10:00:01 mx2 postfix/qmgr[2]: 1A2B3C4D5E: from=<spam@x.example>, size=900, nrcpt=3 (queue active)");
	model_set_host(m, 0);
	add(m, "Nov 24 10:00:01 mx1 postfix/qmgr[2]: 1A2B3C4D5E: from=<ok@ours.example>, size=100, nrcpt=1 (queue active)");
	const struct msg_record *r0 = model_find_open(m, "1A2B3C4D5E");
	const struct msg_record *r1 = model_find_open_host(m, 1, "1A2B3C4D5E");
	assert_non_null(r0);
	assert_non_null(r1);
	assert_ptr_not_equal(r0, r1);
	assert_int_equal(r0->host, 0);
	assert_int_equal(r1->host, 1);
	assert_string_equal(r0->client_ip->s, "192.0.2.1");
	assert_string_equal(r1->sender->s, "spam@x.example");
	assert_int_equal(r1->size, 900);
	const struct agg_stats *a0 = model_agg_find_host(m, 0, AGG_SASL_USER, "alice", 5);
	const struct agg_stats *a1 = model_agg_find_host(m, 1, AGG_SASL_USER, "alice", 5);
	assert_non_null(a0);
	assert_non_null(a1);
	assert_ptr_not_equal(a0, a1);
	assert_int_equal(a0->host, 0);
	assert_int_equal(a1->host, 1);
	assert_int_equal(a0->rcpts, 1);
	assert_int_equal(a1->rcpts, 3);
	assert_null(model_agg_find_host(m, 0, AGG_SENDER, "spam@x.example", 14));
	assert_non_null(model_agg_find_host(m, 1, AGG_SENDER, "spam@x.example", 14));
	assert_int_equal(model_agg_count(m, AGG_SASL_USER), 2);
	assert_int_equal(model_totals(m)->messages, 2);
	assert_string_equal(model_host_name(m, 1), "mail2");
	model_free(m);
}

static void lines_before_since_are_counted_and_skipped(void **state)
{
	(void)state;
	struct model *m = model_new(NULL, TEST_REFERENCE);
	struct tm tm = {.tm_year = 2026 - 1900, .tm_mon = 10, .tm_mday = 24, .tm_hour = 10, .tm_min = 30};
	model_set_since(m, (int64_t)timegm(&tm));
	add(m, "Nov 24 10:00:00 mx postfix/smtpd[1]: 1A2B3C4D5E: client=unknown[192.0.2.1], sasl_method=LOGIN, sasl_username=old");
	add(m, "Nov 24 10:29:59 mx postfix/qmgr[2]: 1A2B3C4D5E: from=<a@x.example>, size=100, nrcpt=1 (queue active)");
	add(m, "Nov 24 10:30:00 mx postfix/smtpd[1]: 2B3C4D5E6F: client=unknown[192.0.2.2], sasl_method=LOGIN, sasl_username=new");
	assert_int_equal(model_totals(m)->before_since, 2);
	assert_int_equal(model_totals(m)->lines, 3);
	assert_null(find(m, AGG_SASL_USER, "old"));
	assert_non_null(find(m, AGG_SASL_USER, "new"));
	assert_null(model_find_open(m, "1A2B3C4D5E"));
	model_free(m);
}

/* one_message - a whole message from user/ip/sender, removed at the end unless keep_open */
static void one_message(struct model *m, int n, const char *user, const char *ip, const char *sender, int keep_open)
{
	char line[512];
	if (user)
		snprintf(line, sizeof(line), "Nov 24 10:%02d:%02d mx postfix/smtpd[1]: 1A%09X: client=unknown[%s], sasl_method=LOGIN, sasl_username=%s",
			 n / 60 % 60, n % 60, (unsigned)n, ip, user);
	else
		snprintf(line, sizeof(line), "Nov 24 10:%02d:%02d mx postfix/smtpd[1]: 1A%09X: client=relay[%s]", n / 60 % 60, n % 60, (unsigned)n, ip);
	add(m, line);
	snprintf(line, sizeof(line), "Nov 24 10:%02d:%02d mx postfix/qmgr[2]: 1A%09X: from=<%s>, size=100, nrcpt=1 (queue active)",
		 n / 60 % 60, n % 60, (unsigned)n, sender);
	add(m, line);
	if (!keep_open) {
		snprintf(line, sizeof(line), "Nov 24 10:%02d:%02d mx postfix/qmgr[2]: 1A%09X: removed", n / 60 % 60, n % 60, (unsigned)n);
		add(m, line);
	}
}

/* one_off_messages - 100 messages (numbered from 100), each from its own
 * relay address and sender: cold keys for a collection to drop */
static void one_off_messages(struct model *m)
{
	char ip[32], sender[64];
	for (int i = 0; i < 100; i++) {
		snprintf(ip, sizeof(ip), "198.51.100.%d", i);
		snprintf(sender, sizeof(sender), "once%d@one%d.example", i, i);
		one_message(m, 100 + i, NULL, ip, sender, 0);
	}
}

struct sender_seen {
	const char *sender;
	int found;
	uint32_t agg;
};

static int find_sender_record(const struct msg_record *r, void *arg)
{
	struct sender_seen *s = arg;
	if (r->sender && strcmp(r->sender->s, s->sender) == 0) {
		s->found++;
		s->agg = r->agg[AGG_SENDER];
	}
	return 0;
}

static void collecting_drops_cold_keys_and_keeps_heavy_and_referenced_ones(void **state)
{
	(void)state;
	struct model_limits lim;
	model_limits_default(&lim);
	lim.keep_ended = 1000;	/* kept history does not pin a key: only open messages do */
	lim.max_keys = 8;
	struct model *m = model_new(&lim, TEST_REFERENCE);
	for (int i = 0; i < 20; i++)
		one_message(m, i, "victim", "192.0.2.1", "spam@pills.example", 0);
	one_off_messages(m);
	one_message(m, 300, NULL, "203.0.113.9", "open@still.example", 1);
	size_t bytes_before = model_string_bytes(m);
	assert_true(model_wants_collect(m));
	assert_true(model_collect(m) > 0);
	assert_false(model_wants_collect(m));
	for (int k = 0; k < AGG_KIND_COUNT; k++)
		assert_true(model_agg_count(m, (enum agg_kind)k) <= 6);
	assert_true(model_string_bytes(m) <= bytes_before);	/* the history still names them */
	assert_true(model_totals(m)->evicted_keys > 0);
	/* the heavy account and its sender stay whole */
	const struct agg_stats *v = find(m, AGG_SASL_USER, "victim");
	assert_non_null(v);
	assert_int_equal(v->msgs, 20);
	assert_int_equal(v->distinct_ips, 1);
	assert_int_equal(find(m, AGG_SENDER, "spam@pills.example")->msgs, 20);
	assert_int_equal(find(m, AGG_DOMAIN, "pills.example")->msgs, 20);
	/* the open message keeps its keys, and its record still joins */
	assert_non_null(find(m, AGG_SENDER, "open@still.example"));
	const struct msg_record *r = model_find_open(m, "1A00000012C");
	assert_non_null(r);
	assert_string_equal(r->sender->s, "open@still.example");
	add(m, "Nov 24 10:05:01 mx postfix/smtp[3]: 1A00000012C: to=<x@y.example>, relay=none, delay=1, status=deferred (connect to 127.0.0.1[127.0.0.1]:2599: Connection refused)");
	assert_int_equal(find(m, AGG_SENDER, "open@still.example")->deferred, 1);
	assert_int_equal(find(m, AGG_CLIENT_IP, "203.0.113.9")->deferred, 1);
	/* the cold ones went; their messages stay in the history, strings intact */
	assert_null(find(m, AGG_SENDER, "once0@one0.example"));
	struct sender_seen seen = {"once0@one0.example", 0, 1};
	model_foreach_record(m, find_sender_record, &seen);
	assert_int_equal(seen.found, 1);
	assert_int_equal(seen.agg, 0);
	/* a known (user, IP) pair stays known: the victim from the same IP is not a new IP */
	one_message(m, 400, "victim", "192.0.2.1", "spam@pills.example", 0);
	assert_int_equal(find(m, AGG_SASL_USER, "victim")->distinct_ips, 1);
	model_free(m);
}

/* 100 senders of 1 to 50 messages each, met in a shuffled order: a collection
 * down to 20 keeps exactly the 20 busiest (the selection of the coldest is
 * a partition, not a sort: every one of them must still be right) */
static void collecting_keeps_exactly_the_busiest_senders_whatever_their_order(void **state)
{
	(void)state;
	struct model_limits lim;
	model_limits_default(&lim);
	lim.max_keys = 40;
	struct model *m = model_new(&lim, TEST_REFERENCE);
	char sender[64];
	int n = 0;
	for (int round = 0; round < 50; round++)
		for (int i = 0; i < 100; i++) {
			int k = i * 37 % 100;	/* sender k sends 1 + k / 2 messages */
			if (round < 1 + k / 2) {
				snprintf(sender, sizeof(sender), "s%d@d%d.example", k, k);
				one_message(m, n++, NULL, "192.0.2.7", sender, 0);
			}
		}
	assert_true(model_wants_collect(m));
	assert_true(model_collect(m) > 0);
	assert_int_equal(model_agg_count(m, AGG_SENDER), 20);
	for (int k = 0; k < 100; k++) {
		snprintf(sender, sizeof(sender), "s%d@d%d.example", k, k);
		const struct agg_stats *a = find(m, AGG_SENDER, sender);
		if (k >= 80) {
			assert_non_null(a);
			assert_int_equal(a->msgs, 1 + k / 2);
		} else {
			assert_null(a);
		}
	}
	model_free(m);
}

static void endless_new_senders_stay_under_the_key_limit(void **state)
{
	(void)state;
	struct model_limits lim;
	model_limits_default(&lim);
	lim.keep_ended = 100;
	lim.max_keys = 1000;
	struct model *m = model_new(&lim, TEST_REFERENCE);
	char ip[32], sender[64];
	size_t most = 0, most_bytes = 0;
	for (int i = 0; i < 50000; i++) {
		snprintf(ip, sizeof(ip), "10.%d.%d.%d", i >> 16 & 255, i >> 8 & 255, i & 255);
		snprintf(sender, sizeof(sender), "bot%d@spam%d.example", i, i);
		one_message(m, i, NULL, ip, sender, 0);
		if (model_wants_collect(m))
			assert_true(model_collect(m) >= 0);
		for (int k = 0; k < AGG_KIND_COUNT; k++)
			if (model_agg_count(m, (enum agg_kind)k) > most)
				most = model_agg_count(m, (enum agg_kind)k);
		if (model_string_bytes(m) > most_bytes)
			most_bytes = model_string_bytes(m);
	}
	assert_true(most <= 1001);
	assert_true(most_bytes < 120000);	/* ~1000 keys of each kind, ~30 bytes each */
	assert_true(model_totals(m)->collections >= 90);	/* one per 500 new keys: down to half the limit */
	assert_int_equal(model_totals(m)->messages, 50000);
	model_free(m);
}

static void lines_out_of_order_still_join(void **state)
{
	(void)state;
	struct model *m = model_new(NULL, TEST_REFERENCE);
	add(m, "Nov 24 10:00:01 mx postfix/qmgr[2]: 1A2B3C4D5F: from=<a@x.example>, size=10, nrcpt=2 (queue active)");
	add(m, "Nov 24 10:00:02 mx postfix/smtp[3]: 1A2B3C4D5F: to=<b@y.example>, relay=none, delay=1, "
	       "delays=0/0/1/0, dsn=2.0.0, status=sent (ok)");
	add(m, "Nov 24 10:00:00 mx postfix/smtpd[1]: 1A2B3C4D5F: client=unknown[192.0.2.1], sasl_method=LOGIN, sasl_username=late");
	const struct agg_stats *u = find(m, AGG_SASL_USER, "late");
	assert_int_equal(u->msgs, 1);
	assert_int_equal(u->rcpts, 2);
	assert_int_equal(u->bytes, 10);
	assert_int_equal(model_totals(m)->messages, 1);
	model_free(m);
}

static void open_records_are_capped_and_evictions_counted(void **state)
{
	(void)state;
	struct model_limits lim;
	model_limits_default(&lim);
	lim.max_open = 10;
	lim.keep_ended = 5;
	struct model *m = model_new(&lim, TEST_REFERENCE);
	char line[256];
	for (int i = 0; i < 100; i++) {
		snprintf(line, sizeof(line), "Nov 24 10:00:00 mx postfix/smtpd[1]: %010X: client=unknown[192.0.2.%d]",
			 0x10000 + i, i % 200);
		add(m, line);
	}
	assert_int_equal(model_open_count(m), 10);
	assert_int_equal(model_totals(m)->evicted_open, 90);
	assert_int_equal(model_ended_count(m), 5);	/* evicted go to the ended ring, capped */
	assert_null(model_find_open(m, "0000010000"));
	assert_non_null(model_find_open(m, "0000010063"));
	assert_int_equal(model_totals(m)->messages, 100);	/* counts survive eviction */
	model_free(m);
}

static void rates_cover_one_five_and_fifteen_minutes_of_log_time(void **state)
{
	(void)state;
	struct model *m = model_new(NULL, TEST_REFERENCE);
	const char *times[] = {"09:40:00", "09:50:00", "09:56:30", "09:59:10", "09:59:50"};
	char line[256];
	for (int i = 0; i < 5; i++) {
		snprintf(line, sizeof(line), "Nov 24 %s mx postfix/smtpd[1]: %010X: client=unknown[192.0.2.1], "
			 "sasl_method=LOGIN, sasl_username=r", times[i], 0xA0000 + i);
		add(m, line);
	}
	const struct agg_stats *u = find(m, AGG_SASL_USER, "r");
	assert_int_equal(agg_field_value(m, u, F_RATE_1M), 2);
	assert_int_equal(agg_field_value(m, u, F_RATE_5M), 3);
	assert_int_equal(agg_field_value(m, u, F_RATE_15M), 4);
	assert_int_equal(u->msgs, 5);
	assert_int_equal(u->peak_1m, 2);
	model_free(m);
}

static void three_failures_in_twenty_minutes_flag_brute_force_but_spread_ones_do_not(void **state)
{
	(void)state;
	struct model *m = model_new(NULL, TEST_REFERENCE);
	const char *fast[] = {"10:00:00", "10:07:00", "10:19:00"};
	const char *slow[] = {"08:00:00", "09:00:00", "10:00:00"};
	char line[256];
	for (int i = 0; i < 3; i++) {
		snprintf(line, sizeof(line), "Nov 24 %s mx postfix/smtpd[1]: warning: unknown[198.51.100.1]: "
			 "SASL LOGIN authentication failed: authentication failure", slow[i]);
		add(m, line);
		snprintf(line, sizeof(line), "Nov 24 %s mx postfix/smtpd[1]: warning: unknown[198.51.100.2]: "
			 "SASL LOGIN authentication failed: authentication failure", fast[i]);
		add(m, line);
	}
	struct detect_thresholds th;
	detect_thresholds_default(&th);
	struct suspect s[8];
	size_t n = detect_suspects(m, &th, s, 8);
	assert_int_equal(n, 1);
	assert_int_equal(s[0].kind, SUSPECT_BRUTE_FORCE);
	assert_string_equal(s[0].agg->key->s, "198.51.100.2");
	assert_int_equal(find(m, AGG_CLIENT_IP, "198.51.100.1")->sasl_failures, 3);
	assert_int_equal(find(m, AGG_CLIENT_IP, "198.51.100.1")->peak_failures_20m, 1);
	model_free(m);
}

static void brute_force_ip_remembers_the_account_it_attacks(void **state)
{
	(void)state;
	struct model *m = test_lab_model();
	const struct agg_stats *ip = find(m, AGG_CLIENT_IP, "127.0.0.66");
	assert_non_null(ip);
	assert_non_null(ip->last_user);
	assert_string_equal(ip->last_user->s, "victim@lab.example");
	model_free(m);
}

static void the_heaviest_suspects_are_kept_whatever_the_scan_order(void **state)
{
	(void)state;
	struct model *m = model_new(NULL, TEST_REFERENCE);
	char line[200];
	for (int u = 0; u < 6; u++)	/* five light senders first, the heavy one last */
		for (int k = 0; k < (u == 5 ? 30 : 3); k++) {
			snprintf(line, sizeof(line), "Nov 24 10:%02d:00 mx postfix/smtpd[1]: %X%02X%02XABC: client=x[192.0.2.%d], "
				 "sasl_method=LOGIN, sasl_username=user%d@example.com", k, u, k, u, 10 + u, u);
			add(m, line);
		}
	/* a relay that also carries a little authenticated mail is still a relay */
	for (int k = 0; k < 12; k++) {
		snprintf(line, sizeof(line), "Nov 24 10:59:00 mx postfix/smtpd[1]: 9%02XDEF12: client=relay[192.0.2.99]", k);
		add(m, line);
	}
	add(m, "Nov 24 10:59:00 mx postfix/smtpd[1]: 8FFDEF12: client=relay[192.0.2.99], sasl_method=LOGIN, "
	       "sasl_username=admin@example.com");
	struct detect_thresholds t;
	detect_thresholds_default(&t);
	t.user_client_ips = 1;	/* every user a suspect, so that there are more than n */
	struct suspect sus[2];
	assert_int_equal(detect_suspects(m, &t, sus, 2), 2);
	assert_string_equal(sus[0].agg->key->s, "user5@example.com");
	assert_int_equal(sus[1].kind, SUSPECT_TRUSTED_RELAY);
	assert_string_equal(sus[1].agg->key->s, "192.0.2.99");
	model_free(m);
}

static void a_busy_day_alone_makes_no_suspect(void **state)
{
	(void)state;
	struct model *m = model_new(NULL, TEST_REFERENCE);
	char line[200];
	for (int k = 0; k < 300; k++) {	/* 300 messages over five hours, from one IP */
		snprintf(line, sizeof(line), "Nov 24 %02d:%02d:00 mx postfix/smtpd[1]: %05XABC: client=x[192.0.2.10], "
			 "sasl_method=LOGIN, sasl_username=busy@example.com", 8 + k / 60, k % 60, k);
		add(m, line);
	}
	struct detect_thresholds t;
	detect_thresholds_default(&t);
	struct suspect sus[4];
	assert_true(find(m, AGG_SASL_USER, "busy@example.com")->msgs >= t.user_messages);
	assert_int_equal(detect_suspects(m, &t, sus, 4), 0);
	t.user_client_ips = 1;	/* with another rule broken, the count is evidence too */
	assert_int_equal(detect_suspects(m, &t, sus, 4), 1);
	assert_int_equal(sus[0].nreasons, 2);
	assert_non_null(strstr(sus[0].reasons[1], "300 messages in the log"));
	model_free(m);
}

static void postsuper_lines_mark_records_and_close_deleted_ones(void **state)
{
	(void)state;
	struct model *m = model_new(NULL, TEST_REFERENCE);
	add(m, "Nov 24 10:00:00 mx postfix/smtpd[1]: 1A2B3C4D60: client=unknown[192.0.2.1], sasl_method=LOGIN, sasl_username=h");
	add(m, "Nov 24 10:00:00 mx postfix/smtpd[1]: 1A2B3C4D61: client=unknown[192.0.2.1], sasl_method=LOGIN, sasl_username=h");
	add(m, "Nov 24 10:00:05 mx postfix/postsuper[9]: 1A2B3C4D60: placed on hold");
	add(m, "Nov 24 10:00:05 mx postfix/postsuper[9]: Placed on hold: 1 message");
	assert_true(model_find_open(m, "1A2B3C4D60")->flags & RF_HELD);
	add(m, "Nov 24 10:00:06 mx postfix/postsuper[9]: 1A2B3C4D60: released from hold");
	assert_false(model_find_open(m, "1A2B3C4D60")->flags & RF_HELD);
	add(m, "Nov 24 10:00:07 mx postfix/postsuper[9]: 1A2B3C4D61: removed");
	add(m, "Nov 24 10:00:07 mx postfix/postsuper[9]: Deleted: 1 message");
	assert_null(model_find_open(m, "1A2B3C4D61"));
	const struct model_totals *t = model_totals(m);
	assert_int_equal(t->held, 1);
	assert_int_equal(t->summary_held, 1);
	assert_int_equal(t->released, 1);
	assert_int_equal(t->deleted, 1);
	assert_int_equal(t->summary_deleted, 1);
	assert_int_equal(find(m, AGG_SASL_USER, "h")->deleted, 1);
	/* a milter's HOLD (rspamd, MIMEDefang) holds the message at cleanup: its sender's held count */
	add(m, "Nov 24 10:00:08 mx postfix/smtpd[1]: 1A2B3C4D62: client=unknown[192.0.2.1], sasl_method=LOGIN, sasl_username=h");
	add(m, "Nov 24 10:00:08 mx postfix/cleanup[2]: 1A2B3C4D62: milter-hold: END-OF-MESSAGE from unknown[192.0.2.1]: "
	    "milter triggers HOLD action; from=<h@x.example> to=<r@y.example> proto=ESMTP helo=<x>");
	assert_true(model_find_open(m, "1A2B3C4D62")->flags & RF_HELD);
	assert_int_equal(find(m, AGG_SASL_USER, "h")->held, 2);
	model_free(m);
}

/* a message refused or discarded at the end of DATA (a milter, header
 * checks) is never queued: its record ends there, as Postfix before 3.10
 * logs no "removed" for it; a refused recipient leaves the message open for
 * the others */
/* december_capture - the model of a lab capture recorded on 2026-12-03, read
 * as on the day after */
static struct model *december_capture(const char *path)
{
	struct model *m = model_new(NULL, (time_t)1796342400);
	assert_non_null(m);
	struct source_stats st = {0};
	struct error err;
	assert_int_equal(ingest_file(m, path, &st, &err), 0);
	return m;
}

/* default_suspects - detect_suspects with the default thresholds */
static size_t default_suspects(const struct model *m, struct suspect *sus, size_t n)
{
	struct detect_thresholds th;
	detect_thresholds_default(&th);
	return detect_suspects(m, &th, sus, n);
}

/* dovecot - a Dovecot line: not Postfix's, read all the same */
static void dovecot(struct model *m, const char *line)
{
	assert_int_equal(model_add_line(m, line, strlen(line)), LINE_OTHER);
}

/* proxied_message - message n of a Dovecot submission client: its login from
 * ip (session Sn), Postfix's lines for queue ID 4A00n from the proxy's
 * 127.0.0.1, and, when relayed_line is set, Dovecot's relay line */
static void proxied_message(struct model *m, int n, const char *user, const char *ip, int relayed_line)
{
	char line[400];
	snprintf(line, sizeof(line), "Nov 24 12:00:%02d mx dovecot: submission-login: Login: user=<%s>, method=PLAIN, "
		 "rip=%s, lip=127.0.0.1, mpid=%d, TLS, session=<S%d>", n % 60, user, ip, 100 + n, n);
	dovecot(m, line);
	snprintf(line, sizeof(line), "Nov 24 12:00:%02d mx postfix/smtpd[9]: 4A%04X: client=localhost[127.0.0.1]", n % 60, n);
	add(m, line);
	snprintf(line, sizeof(line), "Nov 24 12:00:%02d mx postfix/cleanup[8]: 4A%04X: message-id=<%d@x>", n % 60, n, n);
	add(m, line);
	snprintf(line, sizeof(line), "Nov 24 12:00:%02d mx postfix/qmgr[7]: 4A%04X: from=<%s>, size=500, nrcpt=2 "
		 "(queue active)", n % 60, n, user);
	add(m, line);
	if (relayed_line) {
		snprintf(line, sizeof(line), "Nov 24 12:00:%02d mx dovecot: submission(%s)<%d><S%d>: Successfully relayed "
			 "message: from=<%s>, size=480, id=T%d, nrcpt=2, reply=`250 2.0.0 Ok: queued as 4A%04X'",
			 n % 60, user, 100 + n, n, user, n, n);
		dovecot(m, line);
	}
	snprintf(line, sizeof(line), "Nov 24 12:00:%02d mx postfix/smtp[6]: 4A%04X: to=<v@y.example>, relay=none, "
		 "delay=1, delays=0/0/1/0, dsn=4.4.1, status=deferred (connect refused)", n % 60, n);
	add(m, line);
}

static void a_dovecot_submission_is_charged_to_its_account_and_the_address_that_logged_in(void **state)
{
	(void)state;
	struct model *m = model_new(NULL, TEST_REFERENCE);
	proxied_message(m, 1, "mallory@example.org", "203.0.113.9", 1);
	const struct msg_record *r = model_find_open(m, "4A0001");
	assert_non_null(r);
	assert_true(r->flags & RF_PROXIED);
	assert_string_equal(r->sasl_user->s, "mallory@example.org");
	assert_string_equal(r->sasl_method->s, "PLAIN");
	assert_string_equal(r->client_ip->s, "203.0.113.9");
	assert_int_equal(r->trace_id_hash, text_id_hash("T1", 2));
	const struct agg_stats *u = find(m, AGG_SASL_USER, "mallory@example.org");
	assert_non_null(u);
	assert_int_equal(u->msgs, 1);
	assert_int_equal(u->rcpts, 2);
	assert_int_equal(u->bytes, 500);
	assert_int_equal(u->deferred, 1);
	assert_int_equal(u->distinct_ips, 1);
	const struct agg_stats *client = find(m, AGG_CLIENT_IP, "203.0.113.9");
	assert_int_equal(client->msgs, 1);
	assert_int_equal(client->auth_msgs, 1);
	assert_int_equal(client->deferred, 1);
	const struct agg_stats *proxy = find(m, AGG_CLIENT_IP, "127.0.0.1");
	assert_int_equal(proxy->msgs, 0);
	assert_int_equal(proxy->unauth_msgs, 0);
	assert_int_equal(proxy->rcpts, 0);
	const struct model_totals *t = model_totals(m);
	assert_int_equal(t->messages, 1);
	assert_int_equal(t->auth_messages, 1);
	assert_int_equal(t->unauth_messages, 0);
	assert_int_equal(t->proxied_messages, 1);
	model_free(m);
}

/*
 * Dovecot's relay line read before Postfix's lines of its message (the
 * console reads Dovecot's own file and the mail log in steps, a few lines
 * apart): kept, and the message charged when its client= line comes.
 */
static void a_relay_line_read_before_postfix_lines_charges_the_message_when_they_come(void **state)
{
	(void)state;
	struct model *m = model_new(NULL, TEST_REFERENCE);
	dovecot(m, "Nov 24 12:00:01 submission-login: Info: Login: user=<mallory@example.org>, method=PLAIN, "
		   "rip=203.0.113.9, lip=127.0.0.1, mpid=100, TLS, session=<S1>");
	dovecot(m, "Nov 24 12:00:02 submission(mallory@example.org)<100><S1>: Info: Successfully relayed message: "
		   "from=<mallory@example.org>, size=480, id=T1, nrcpt=2, reply=`250 2.0.0 Ok: queued as 4A0001'");
	assert_int_equal(model_totals(m)->proxied_messages, 0);
	add(m, "Nov 24 12:00:01 mx postfix/smtpd[9]: 4A0001: client=localhost[127.0.0.1]");
	add(m, "Nov 24 12:00:01 mx postfix/qmgr[7]: 4A0001: from=<mallory@example.org>, size=500, nrcpt=2 (queue active)");
	const struct msg_record *r = model_find_open(m, "4A0001");
	assert_true(r->flags & RF_PROXIED);
	assert_string_equal(r->sasl_user->s, "mallory@example.org");
	assert_string_equal(r->client_ip->s, "203.0.113.9");
	assert_int_equal(r->trace_id_hash, text_id_hash("T1", 2));
	const struct agg_stats *u = find(m, AGG_SASL_USER, "mallory@example.org");
	assert_int_equal(u->msgs, 1);
	assert_int_equal(u->rcpts, 2);
	assert_int_equal(find(m, AGG_CLIENT_IP, "127.0.0.1")->msgs, 0);
	assert_int_equal(model_totals(m)->proxied_messages, 1);
	/* kept once: another message of that queue ID later is no relay of it */
	add(m, "Nov 24 12:00:03 mx postfix/qmgr[7]: 4A0001: removed");
	add(m, "Nov 24 12:01:00 mx postfix/smtpd[9]: 4A0001: client=localhost[127.0.0.1]");
	assert_false(model_find_open(m, "4A0001")->flags & RF_PROXIED);
	assert_int_equal(model_totals(m)->proxied_messages, 1);
	model_free(m);
}

static void a_dovecot_outbreak_names_the_account_not_the_proxy_as_a_trusted_relay(void **state)
{
	(void)state;
	struct detect_thresholds th;
	detect_thresholds_default(&th);
	struct suspect sus[4];
	for (int relayed = 0; relayed <= 1; relayed++) {
		struct model *m = model_new(NULL, TEST_REFERENCE);
		char ip[32];
		for (int n = 0; n < 40; n++) {	/* 40 messages in a minute, from 20 addresses */
			snprintf(ip, sizeof(ip), "198.51.100.%d", 1 + n % 20);
			proxied_message(m, n, "mallory@example.org", ip, relayed);
		}
		size_t found = detect_suspects(m, &th, sus, 4);
		assert_int_equal(found, 1);
		if (!relayed) {	/* Postfix's lines alone: the proxy looks like a trusted relay */
			assert_int_equal(sus[0].kind, SUSPECT_TRUSTED_RELAY);
			assert_string_equal(sus[0].agg->key->s, "127.0.0.1");
		} else {
			assert_int_equal(sus[0].kind, SUSPECT_SASL_USER);
			assert_string_equal(sus[0].agg->key->s, "mallory@example.org");
			assert_int_equal(sus[0].agg->distinct_ips, 20);
		}
		model_free(m);
	}
}

static void a_relay_line_after_removed_is_charged_and_an_xclient_account_is_not_counted_twice(void **state)
{
	(void)state;
	struct model *m = model_new(NULL, TEST_REFERENCE);
	/* delivered at once: Postfix's "removed" before Dovecot logs its reply; no login line read */
	add(m, "Nov 24 12:00:00 mx postfix/smtpd[9]: 4B0001: client=localhost[127.0.0.1]");
	add(m, "Nov 24 12:00:00 mx postfix/qmgr[7]: 4B0001: from=<a@example.org>, size=300, nrcpt=1 (queue active)");
	add(m, "Nov 24 12:00:00 mx postfix/local[5]: 4B0001: to=<b@example.org>, relay=local, delay=0, "
	       "delays=0/0/0/0, dsn=2.0.0, status=sent (delivered to mailbox)");
	add(m, "Nov 24 12:00:00 mx postfix/qmgr[7]: 4B0001: removed");
	dovecot(m, "Nov 24 12:00:01 mx dovecot: submission(alice)<5><Q>: Successfully relayed message: from=<a@example.org>, "
		   "size=280, id=TT, nrcpt=1, reply=`250 2.0.0 Ok: queued as 4B0001'");
	const struct agg_stats *u = find(m, AGG_SASL_USER, "alice");
	assert_non_null(u);
	assert_int_equal(u->msgs, 1);
	assert_int_equal(u->sent, 1);
	assert_int_equal(find(m, AGG_CLIENT_IP, "127.0.0.1")->auth_msgs, 1);	/* no login line: the proxy's address */
	assert_int_equal(find(m, AGG_CLIENT_IP, "127.0.0.1")->unauth_msgs, 0);
	/* with XCLIENT Postfix names the account itself: Dovecot's line adds nothing */
	add(m, "Nov 24 12:00:02 mx postfix/smtpd[9]: 4B0002: client=unknown[192.0.2.7], sasl_method=XCLIENT, "
	       "sasl_username=alice");
	dovecot(m, "Nov 24 12:00:03 mx dovecot: submission(alice)<5><Q>: Successfully relayed message: from=<a@example.org>, "
		   "size=280, id=TU, nrcpt=1, reply=`250 2.0.0 Ok: queued as 4B0002'");
	dovecot(m, "Nov 24 12:00:03 mx dovecot: submission(alice)<5><Q>: Successfully relayed message: from=<a@example.org>, "
		   "size=280, id=TU, nrcpt=1, reply=`250 2.0.0 Ok: queued as 4B0002'");
	assert_int_equal(u->msgs, 2);
	assert_int_equal(model_totals(m)->proxied_messages, 1);
	assert_int_equal(model_totals(m)->auth_messages, 2);
	model_free(m);
}

/* Dovecot's submission service in front of an amavis-style filter: the
 * filter's copy (XFORWARD) is tied to the message before Dovecot's relay line
 * is read. The copy is what the queue holds: it takes the account and the
 * address that logged in, with the deferral it met */
static void a_filter_copy_tied_before_dovecots_relay_line_takes_the_account(void **state)
{
	(void)state;
	struct model *m = model_new(NULL, TEST_REFERENCE);
	dovecot(m, "Nov 24 12:00:00 mx dovecot: submission-login: Login: user=<mallory@example.org>, method=PLAIN, "
		   "rip=203.0.113.9, lip=127.0.0.1, mpid=101, TLS, session=<S1>");
	add(m, "Nov 24 12:00:00 mx postfix/smtpd[9]: 4A0001: client=localhost[127.0.0.1]");
	add(m, "Nov 24 12:00:00 mx postfix/cleanup[8]: 4A0001: message-id=<1@x>");
	add(m, "Nov 24 12:00:00 mx postfix/qmgr[7]: 4A0001: from=<mallory@example.org>, size=500, nrcpt=1 (queue active)");
	add(m, "Nov 24 12:00:01 mx postfix/smtpd[10]: 4B0002: client=localhost[127.0.0.1], orig_queue_id=4A0001, "
	       "orig_client=localhost[127.0.0.1]");
	add(m, "Nov 24 12:00:01 mx postfix/cleanup[8]: 4B0002: message-id=<1@x>");
	add(m, "Nov 24 12:00:01 mx postfix/qmgr[7]: 4B0002: from=<mallory@example.org>, size=700, nrcpt=1 (queue active)");
	add(m, "Nov 24 12:00:01 mx postfix/smtp[6]: 4A0001: to=<v@y.example>, relay=127.0.0.1[127.0.0.1]:10024, delay=1, "
	       "delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 4B0002)");
	add(m, "Nov 24 12:00:01 mx postfix/qmgr[7]: 4A0001: removed");
	add(m, "Nov 24 12:00:02 mx postfix/smtp[6]: 4B0002: to=<v@y.example>, relay=none, delay=1, delays=0/0/1/0, "
	       "dsn=4.4.1, status=deferred (connect refused)");
	const struct msg_record *c = model_find_open(m, "4B0002");
	assert_null(c->sasl_user);	/* before Dovecot's line: the proxy's unauthenticated message */
	assert_int_equal(find(m, AGG_CLIENT_IP, "127.0.0.1")->deferred, 1);
	dovecot(m, "Nov 24 12:00:02 mx dovecot: submission(mallory@example.org)<101><S1>: Successfully relayed message: "
		   "from=<mallory@example.org>, size=480, id=T1, nrcpt=1, reply=`250 2.0.0 Ok: queued as 4A0001'");
	assert_non_null(c->sasl_user);
	assert_string_equal(c->sasl_user->s, "mallory@example.org");
	assert_string_equal(c->client_ip->s, "203.0.113.9");
	const struct agg_stats *u = find(m, AGG_SASL_USER, "mallory@example.org");
	assert_int_equal(u->msgs, 1);
	assert_int_equal(u->deferred, 1);
	assert_int_equal(find(m, AGG_CLIENT_IP, "203.0.113.9")->deferred, 1);
	assert_int_equal(find(m, AGG_CLIENT_IP, "127.0.0.1")->deferred, 0);
	assert_int_equal(find(m, AGG_SENDER, "mallory@example.org")->deferred, 1);	/* moved, not doubled */
	assert_int_equal(model_totals(m)->messages, 1);
	model_free(m);
}

/* the real capture: Postfix's lines from maillog_file, Dovecot's from rsyslog
 * (another stamp format, the machine's name): the same host, its relays the account's */
static void the_lab_dovecot_capture_charges_every_relay_to_its_account(void **state)
{
	(void)state;
	struct model *m = december_capture("tests/fixtures/lab-dovecot.log");
	assert_int_equal(model_host_count(m), 1);
	const struct model_totals *t = model_totals(m);
	assert_int_equal(t->proxied_messages, 32);
	const struct agg_stats *u = find(m, AGG_SASL_USER, "victim@lab.example");
	assert_int_equal(u->msgs, 54);
	assert_int_equal(u->distinct_ips, 10);
	assert_int_equal(find(m, AGG_SASL_USER, "alice@lab.example")->msgs, 6);	/* 4 to Postfix, 2 through Dovecot */
	const struct agg_stats *proxy = find(m, AGG_CLIENT_IP, "127.0.0.1");
	assert_int_equal(proxy->unauth_msgs, 0);
	assert_int_equal(find(m, AGG_CLIENT_IP, "127.0.0.31")->auth_msgs, 6);
	struct suspect sus[8];
	size_t n = default_suspects(m, sus, 8);
	assert_true(n >= 1);
	assert_string_equal(sus[0].agg->key->s, "victim@lab.example");
	for (size_t i = 0; i < n; i++)
		assert_string_not_equal(sus[i].agg->key->s, "127.0.0.1");
	const struct msg_record *r = model_find_open(m, "C21C3102626");	/* lab-dovecot-postcat.txt's */
	assert_non_null(r);
	assert_true(r->flags & RF_PROXIED);
	assert_string_equal(r->client_ip->s, "127.0.0.31");
	assert_int_equal(r->trace_id_hash, text_id_hash("+hBCLxZZEWvQBgAAg+zDdQ", 22));
	model_free(m);
}

/* Dovecot's submission service takes AUTH itself: its failed logins are the
 * brute force Postfix never sees; the name tried may imitate the fields after it */
static void dovecot_failed_logins_are_sasl_failures_of_the_address_that_tried(void **state)
{
	(void)state;
	struct model *m = model_new(NULL, TEST_REFERENCE);
	dovecot(m, "Nov 24 12:00:00 mx dovecot: submission-login: Disconnected (auth failed, 2 attempts in 4 secs): "
		   "user=<victim@example.org>, method=PLAIN, rip=198.51.100.7, lip=192.0.2.1, TLS, session=<a1>");
	dovecot(m, "Nov 24 12:01:00 mx dovecot: submission-login: Disconnected: Connection closed (auth failed, "
		   "1 attempts in 2 secs): user=<x>, method=PLAIN, rip=192.0.2.200, lip=1.1.1.1, session=<f>>, "
		   "method=LOGIN, rip=198.51.100.7, lip=192.0.2.1, session=<a2>");
	const struct agg_stats *ip = find(m, AGG_CLIENT_IP, "198.51.100.7");
	assert_non_null(ip);
	assert_int_equal(ip->sasl_failures, 3);
	assert_null(find(m, AGG_CLIENT_IP, "192.0.2.200"));
	assert_int_equal(find(m, AGG_SASL_USER, "victim@example.org")->sasl_failures, 2);
	assert_int_equal(model_totals(m)->sasl_failures, 3);
	struct detect_thresholds th;
	detect_thresholds_default(&th);
	struct suspect sus[4];
	assert_int_equal(detect_suspects(m, &th, sus, 4), 1);
	assert_int_equal(sus[0].kind, SUSPECT_BRUTE_FORCE);
	assert_string_equal(sus[0].agg->key->s, "198.51.100.7");
	model_free(m);
}

/* IMAP, POP3 and ManageSieve logins check the same passwords: their failures
 * are brute force too, counted apart as no Postfix block reaches them */
static void imap_and_pop3_failed_logins_are_brute_force_that_postfix_cannot_block(void **state)
{
	(void)state;
	struct model *m = model_new(NULL, TEST_REFERENCE);
	dovecot(m, "Nov 24 12:00:00 mx dovecot: imap-login: Disconnected (auth failed, 2 attempts in 4 secs): "
		   "user=<victim@example.org>, method=PLAIN, rip=198.51.100.8, lip=192.0.2.1, TLS, session=<i1>");
	dovecot(m, "Nov 24 12:02:00 mx dovecot: pop3-login: Login aborted: Connection closed (auth failed, 1 attempts "
		   "in 2 secs) (auth_failed): user=<Victim@example.org>, method=PLAIN, rip=198.51.100.8, "
		   "lip=192.0.2.1, session=<p1>");
	add(m, "Nov 24 12:03:00 mx postfix/smtpd[5]: warning: unknown[198.51.100.8]: SASL LOGIN authentication "
	       "failed: UGFzc3dvcmQ6");
	const struct agg_stats *ip = find(m, AGG_CLIENT_IP, "198.51.100.8");
	assert_int_equal(ip->sasl_failures, 4);
	assert_int_equal(ip->mailbox_failures, 3);
	assert_int_equal(ip->peak_failures_20m, 4);
	const struct agg_stats *u = find(m, AGG_SASL_USER, "victim@example.org");	/* one account, either case */
	assert_int_equal(u->sasl_failures, 3);
	assert_int_equal(u->mailbox_failures, 3);
	assert_int_equal(model_totals(m)->sasl_failures, 4);
	assert_int_equal(model_totals(m)->mailbox_failures, 3);
	struct suspect sus[4];
	assert_int_equal(default_suspects(m, sus, 4), 1);
	assert_int_equal(sus[0].kind, SUSPECT_BRUTE_FORCE);
	assert_string_equal(sus[0].agg->key->s, "198.51.100.8");
	assert_int_equal(sus[0].nreasons, 2);
	assert_string_equal(sus[0].reasons[1], "3 of its 4 failed logins at Dovecot's IMAP, POP3 or ManageSieve logins, "
			    "which a Postfix block does not reach");
	model_free(m);
}

/* A phone with an old password: its account logged in from the address
 * before (another of its devices there, over IMAP or SMTP AUTH), then the
 * failures all name that account. No brute force, and the login once the
 * password is fixed is no guess that came true; an address that failed
 * before any login of the account still is, and so is a second name tried */
/*
 * The mail log read first, then Dovecot's own log file (log_path): the
 * account's SMTP AUTH login comes before the IMAP failures in reading order,
 * after them in time. Guessed at IMAP, then used to send: the failures are
 * a guesser's, not the account's own device, whatever the order of the files.
 */
static void a_login_read_before_earlier_failures_does_not_make_them_the_accounts_own(void **state)
{
	(void)state;
	struct model *m = model_new(NULL, TEST_REFERENCE);
	add(m, "Nov 24 12:30:00 mx postfix/smtpd[5]: 5D0001: client=unknown[192.0.2.77], sasl_method=LOGIN, "
	       "sasl_username=alice@example.org");
	char line[300];
	for (int k = 0; k < 3; k++) {
		snprintf(line, sizeof(line), "Nov 24 12:0%d:00 imap-login: Info: Disconnected (auth failed, 1 attempts "
			 "in 2 secs): user=<alice@example.org>, method=PLAIN, rip=192.0.2.77, lip=192.0.2.1, TLS, "
			 "session=<g%d>", k, k);
		dovecot(m, line);
	}
	const struct agg_stats *ip = find(m, AGG_CLIENT_IP, "192.0.2.77");
	assert_int_equal(ip->mailbox_failures, 3);
	assert_int_equal(ip->own_failures, 0);
	struct suspect sus[4];
	assert_int_equal(default_suspects(m, sus, 4), 1);
	assert_int_equal(sus[0].kind, SUSPECT_BRUTE_FORCE);
	assert_string_equal(sus[0].agg->key->s, "192.0.2.77");
	/* a failure after that login, in the same file: the account's own device again */
	dovecot(m, "Nov 24 12:31:00 imap-login: Info: Disconnected (auth failed, 1 attempts in 2 secs): "
		   "user=<alice@example.org>, method=PLAIN, rip=192.0.2.77, lip=192.0.2.1, TLS, session=<p>");
	assert_int_equal(ip->own_failures, 1);
	model_free(m);
}

static void failures_of_an_account_where_it_logged_in_before_are_its_own_device(void **state)
{
	(void)state;
	struct model *m = model_new(NULL, TEST_REFERENCE);
	char line[300];
	dovecot(m, "Nov 24 11:58:00 mx dovecot: imap-login: Login: user=<alice@example.org>, method=PLAIN, "
		   "rip=203.0.113.5, lip=192.0.2.1, mpid=7, TLS, session=<laptop>");
	add(m, "Nov 24 11:59:00 mx postfix/smtpd[5]: 5D0001: client=unknown[198.51.100.9], sasl_method=LOGIN, "
	       "sasl_username=alice@example.org");
	for (int k = 0; k < 6; k++) {	/* the phone, every three minutes */
		snprintf(line, sizeof(line), "Nov 24 12:%02d:00 mx dovecot: imap-login: Disconnected (auth failed, 1 "
			 "attempts in 2 secs): user=<Alice@example.org>, method=PLAIN, rip=203.0.113.5, lip=192.0.2.1, "
			 "TLS, session=<p%d>", 3 * k, k);
		dovecot(m, line);
		snprintf(line, sizeof(line), "Nov 24 12:%02d:30 mx postfix/smtpd[5]: warning: unknown[198.51.100.9]: SASL "
			 "LOGIN authentication failed: UGFzc3dvcmQ6, sasl_username=alice@example.org", 3 * k);
		add(m, line);
		snprintf(line, sizeof(line), "Nov 24 12:%02d:40 mx dovecot: imap-login: Disconnected (auth failed, 1 "
			 "attempts in 2 secs): user=<alice@example.org>, method=PLAIN, rip=192.0.2.200, lip=192.0.2.1, "
			 "TLS, session=<g%d>", 3 * k, k);
		dovecot(m, line);	/* a guesser: no login of the account from there before */
	}
	dovecot(m, "Nov 24 12:20:00 mx dovecot: imap-login: Login: user=<alice@example.org>, method=PLAIN, "
		   "rip=203.0.113.5, lip=192.0.2.1, mpid=9, TLS, session=<fixed>");
	const struct agg_stats *home = find(m, AGG_CLIENT_IP, "203.0.113.5"), *office = find(m, AGG_CLIENT_IP, "198.51.100.9");
	const struct agg_stats *guesser = find(m, AGG_CLIENT_IP, "192.0.2.200");
	assert_int_equal(home->sasl_failures, 6);
	assert_int_equal(home->own_failures, 6);
	assert_true(model_own_failures_only(home));
	assert_int_equal(office->own_failures, 6);
	assert_true(model_own_failures_only(office));
	assert_int_equal(guesser->sasl_failures, 6);
	assert_int_equal(guesser->own_failures, 0);
	const struct agg_stats *u = find(m, AGG_SASL_USER, "alice@example.org");
	assert_int_equal(u->failures_before_login, 0);	/* the fixed phone's login is no cracking */
	struct suspect sus[4];
	assert_int_equal(default_suspects(m, sus, 4), 1);
	assert_int_equal(sus[0].kind, SUSPECT_BRUTE_FORCE);
	assert_string_equal(sus[0].agg->key->s, "192.0.2.200");
	/* another name tried from the home address: someone there guesses */
	dovecot(m, "Nov 24 12:21:00 mx dovecot: imap-login: Disconnected (auth failed, 1 attempts in 2 secs): "
		   "user=<bob@example.org>, method=PLAIN, rip=203.0.113.5, lip=192.0.2.1, TLS, session=<b>");
	assert_false(model_own_failures_only(home));
	assert_int_equal(default_suspects(m, sus, 4), 2);
	model_free(m);
}

/* a login noted before a collection that drops the address's string still
 * makes the phone's later failures there its own */
static void a_login_noted_outlives_a_collection_of_its_strings(void **state)
{
	(void)state;
	struct model_limits lim;
	model_limits_default(&lim);
	lim.max_keys = 8;
	struct model *m = model_new(&lim, TEST_REFERENCE);
	dovecot(m, "Nov 24 11:58:00 mx dovecot: imap-login: Login: user=<alice@example.org>, method=PLAIN, "
		   "rip=203.0.113.5, lip=192.0.2.1, mpid=7, TLS, session=<laptop>");
	one_off_messages(m);
	size_t bytes_before = model_string_bytes(m);
	assert_true(model_collect(m) > 0);
	assert_true(model_string_bytes(m) < bytes_before);
	for (int k = 0; k < 3; k++)
		dovecot(m, "Nov 24 12:00:00 mx dovecot: imap-login: Disconnected (auth failed, 1 attempts in 2 secs): "
			   "user=<alice@example.org>, method=PLAIN, rip=203.0.113.5, lip=192.0.2.1, TLS, session=<p>");
	const struct agg_stats *home = find(m, AGG_CLIENT_IP, "203.0.113.5");
	assert_int_equal(home->sasl_failures, 3);
	assert_int_equal(home->own_failures, 3);
	model_free(m);
}

/* spam_from - n messages of user in one minute, each from its own address */
static void spam_from(struct model *m, const char *user, int n)
{
	char line[300];
	for (int i = 0; i < n; i++) {
		snprintf(line, sizeof(line), "Nov 24 13:00:%02d mx postfix/smtpd[9]: 5C%04X: client=unknown[203.0.113.%d], "
			 "sasl_method=LOGIN, sasl_username=%s", i % 60, i, 1 + i % 50, user);
		add(m, line);
	}
}

/* The break-in itself: the account logs in from an address right after that
 * address failed logins. Kept as the account's evidence; a reason only when
 * the account also broke a sending rule (a mistyped password is no outbreak) */
static void a_login_after_failed_logins_from_that_address_is_evidence_against_the_account(void **state)
{
	(void)state;
	struct model *m = model_new(NULL, TEST_REFERENCE);
	for (int i = 0; i < 4; i++)
		dovecot(m, "Nov 24 12:00:00 mx dovecot: imap-login: Disconnected (auth failed, 1 attempts in 2 secs): "
			   "user=<alice@example.org>, method=PLAIN, rip=198.51.100.9, lip=192.0.2.1, TLS, session=<f>");
	dovecot(m, "Nov 24 12:05:00 mx dovecot: imap-login: Login: user=<victim@example.org>, method=PLAIN, "
		   "rip=198.51.100.9, lip=192.0.2.1, mpid=7, TLS, session=<ok>");
	/* an address that failed nothing: an ordinary login leaves no account behind */
	dovecot(m, "Nov 24 12:05:00 mx dovecot: imap-login: Login: user=<bob@example.org>, method=PLAIN, "
		   "rip=192.0.2.77, lip=192.0.2.1, mpid=8, TLS, session=<ok2>");
	assert_null(find(m, AGG_SASL_USER, "bob@example.org"));
	const struct agg_stats *u = find(m, AGG_SASL_USER, "victim@example.org");
	assert_non_null(u);
	assert_int_equal(u->failures_before_login, 4);
	assert_string_equal(u->cracked_from->s, "198.51.100.9");
	struct suspect sus[4];
	assert_int_equal(default_suspects(m, sus, 4), 1);	/* the brute force alone: the account sent nothing */
	assert_int_equal(sus[0].kind, SUSPECT_BRUTE_FORCE);
	spam_from(m, "victim@example.org", 30);
	assert_int_equal(default_suspects(m, sus, 4), 2);
	assert_int_equal(sus[0].kind, SUSPECT_SASL_USER);
	assert_string_equal(sus[0].agg->key->s, "victim@example.org");
	assert_string_equal(sus[0].reasons[sus[0].nreasons - 1],
			    "logged in from 198.51.100.9 after 4 failed logins from there within 20 minutes (threshold 3)");
	model_free(m);
}

/* Postfix's own SMTP AUTH counts as a login; failures older than 20 minutes,
 * or an address that is no address, are no evidence */
static void smtp_auth_after_failures_counts_and_old_failures_do_not(void **state)
{
	(void)state;
	struct model *m = model_new(NULL, TEST_REFERENCE);
	for (int i = 0; i < 3; i++)
		add(m, "Nov 24 11:00:00 mx postfix/smtpd[5]: warning: unknown[198.51.100.10]: SASL LOGIN authentication "
		       "failed: UGFzc3dvcmQ6");
	add(m, "Nov 24 11:30:00 mx postfix/smtpd[9]: 5D0001: client=unknown[198.51.100.10], sasl_method=LOGIN, "
	       "sasl_username=carol@example.org");
	assert_int_equal(find(m, AGG_SASL_USER, "carol@example.org")->failures_before_login, 0);
	for (int i = 0; i < 3; i++)
		add(m, "Nov 24 11:40:00 mx postfix/smtpd[5]: warning: unknown[198.51.100.10]: SASL LOGIN authentication "
		       "failed: UGFzc3dvcmQ6");
	add(m, "Nov 24 11:41:00 mx postfix/smtpd[9]: 5D0002: client=unknown[198.51.100.10], sasl_method=LOGIN, "
	       "sasl_username=carol@example.org");
	const struct agg_stats *u = find(m, AGG_SASL_USER, "carol@example.org");
	assert_int_equal(u->failures_before_login, 3);
	assert_string_equal(u->cracked_from->s, "198.51.100.10");
	/* a forged "address" (a line written to syslog by anyone) never reaches a
	 * reason's text; Dovecot's rip= must be an address's characters at all */
	dovecot(m, "Nov 24 11:42:00 mx dovecot: imap-login: Disconnected (auth failed, 1 attempts in 2 secs): "
		   "user=<x>, method=PLAIN, rip=1.2.3.4 } flush ruleset, lip=192.0.2.1, session=<g>");
	assert_int_equal(model_totals(m)->mailbox_failures, 0);
	for (int i = 0; i < 3; i++)
		add(m, "Nov 24 11:42:00 mx postfix/smtpd[5]: warning: x[1.2.3.4\x1b[2J]: SASL LOGIN authentication "
		       "failed: UGFzc3dvcmQ6");
	add(m, "Nov 24 11:42:30 mx postfix/smtpd[9]: 5D0003: client=x[1.2.3.4\x1b[2J], sasl_method=LOGIN, "
	       "sasl_username=dave@example.org");
	spam_from(m, "dave@example.org", 30);
	struct suspect sus[8];
	size_t n = default_suspects(m, sus, 8);
	for (size_t i = 0; i < n; i++)
		for (int r = 0; r < sus[i].nreasons; r++)
			assert_null(strstr(sus[i].reasons[r], "1.2.3.4"));
	assert_int_equal(find(m, AGG_SASL_USER, "dave@example.org")->failures_before_login, 3);
	model_free(m);
}

/* a trusted relay at 127.0.0.1 is a process on this machine: its reasons say so
 * (the cure is finding the process, not untrusting the loopback) */
static void a_trusted_relay_at_this_machines_loopback_is_said_to_be_a_local_process(void **state)
{
	(void)state;
	struct model *m = model_new(NULL, TEST_REFERENCE);
	char line[200];
	for (int i = 0; i < 30; i++) {
		snprintf(line, sizeof(line), "Nov 24 13:00:%02d mx postfix/smtpd[9]: 6A%04X: client=%s", i,
			 i, i % 2 ? "localhost[127.0.0.1]" : "web[192.0.2.5]");
		add(m, line);
	}
	struct suspect sus[4];
	assert_int_equal(default_suspects(m, sus, 4), 2);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(sus[i].kind, SUSPECT_TRUSTED_RELAY);
		int local = strcmp(sus[i].agg->key->s, "127.0.0.1") == 0;
		assert_int_equal(sus[i].nreasons, local ? 2 : 1);
		if (local)
			assert_string_equal(sus[i].reasons[1], "this machine's own loopback: a process here sends over SMTP "
				"(a web application's mail library, a script)");
	}
	model_free(m);
}

/* a webmail on the server logs its users in to IMAP from 127.0.0.1: failures
 * there are its users' typos passed on, no source to block; they still count
 * on the address's row and against the accounts tried */
static void imap_failures_from_this_machine_are_no_brute_force_source(void **state)
{
	(void)state;
	struct model *m = model_new(NULL, TEST_REFERENCE);
	for (int i = 0; i < 4; i++)
		dovecot(m, "Nov 24 12:00:00 mx dovecot: imap-login: Disconnected (auth failed, 1 attempts in 2 secs): "
			   "user=<alice@example.org>, method=PLAIN, rip=127.0.0.1, lip=127.0.0.1, session=<w>");
	for (int i = 0; i < 3; i++)
		dovecot(m, "Nov 24 12:00:00 mx dovecot: imap-login: Disconnected (auth failed, 1 attempts in 2 secs): "
			   "user=<alice@example.org>, method=PLAIN, rip=127.0.0.2, lip=127.0.0.1, session=<x>");
	struct suspect sus[4];
	assert_int_equal(default_suspects(m, sus, 4), 1);	/* 127.0.0.2 is a host like any */
	assert_string_equal(sus[0].agg->key->s, "127.0.0.2");
	assert_int_equal(find(m, AGG_CLIENT_IP, "127.0.0.1")->mailbox_failures, 4);
	assert_int_equal(find(m, AGG_SASL_USER, "alice@example.org")->sasl_failures, 7);
	model_free(m);
}

/* the real Dovecot's lines of the lab's break-in (tests/lab/lab.sh
 * imap-break-in): three wrong passwords at IMAP, two hung up and one logged
 * out, then the account's own, from 127.0.0.68 */
static void the_lab_imap_break_in_is_brute_force_and_evidence_against_the_account(void **state)
{
	(void)state;
	struct model *m = december_capture("tests/fixtures/lab-dovecot-imap.log");
	const struct agg_stats *ip = find(m, AGG_CLIENT_IP, "127.0.0.68");
	assert_non_null(ip);
	assert_int_equal(ip->sasl_failures, 3);
	assert_int_equal(ip->mailbox_failures, 3);
	const struct agg_stats *u = find(m, AGG_SASL_USER, "victim@lab.example");
	assert_int_equal(u->failures_before_login, 3);
	assert_string_equal(u->cracked_from->s, "127.0.0.68");
	struct suspect sus[4];
	assert_int_equal(default_suspects(m, sus, 4), 1);
	assert_int_equal(sus[0].kind, SUSPECT_BRUTE_FORCE);
	model_free(m);
}

/* inbound_or_relayed - message i from ip, unauthenticated, to rcpt, delivered by
 * agent (postfix/AGENT) with its relay, orig_to= when alias is set */
static void inbound_or_relayed(struct model *m, int i, const char *ip, const char *rcpt, const char *agent,
			       const char *relay, const char *alias)
{
	char orig[120] = "";
	if (alias)
		snprintf(orig, sizeof(orig), ", orig_to=<%s>", alias);
	int sec = i % 60;
	addf(m, "Nov 24 12:00:%02d mx postfix/smtpd[9]: 7C%08X: client=h.example[%s]", sec, (unsigned)i, ip);
	addf(m, "Nov 24 12:00:%02d mx postfix/qmgr[7]: 7C%08X: from=<s%d@sender.example>, size=900, nrcpt=1 "
	     "(queue active)", sec, (unsigned)i, i);
	addf(m, "Nov 24 12:00:%02d mx postfix/%s[6]: 7C%08X: to=<%s>%s, relay=%s, delay=0.1, delays=0/0/0/0.1, "
	     "dsn=2.0.0, status=sent (250 2.0.0 Ok)", sec, agent, (unsigned)i, rcpt, orig, relay);
	addf(m, "Nov 24 12:00:%02d mx postfix/qmgr[7]: 7C%08X: removed", sec, (unsigned)i);
}

/* a busy sender of mail for this server (Gmail delivering to our users over
 * lmtp, local or virtual, to our aliases forwarded on, to relay_domains
 * that a gateway's relay transport hands to the server inside, or to a
 * domain discard(8) drops) relays nothing: no trusted relay, no relay alert */
static void mail_delivered_here_is_no_relaying(void **state)
{
	(void)state;
	static const char *agents[][3] = {
		{"lmtp", "mail.example.org[private/dovecot-lmtp]", NULL},
		{"local", "local", NULL},
		{"virtual", "virtual", NULL},
		{"smtp", "alt1.gmail-smtp-in.l.google.com[192.0.2.40]:25", "alias@example.org"},
		{"relay/smtp", "exchange.example.org[10.1.2.3]:25", NULL},
		{"discard", "none", NULL},	/* transport_maps "discard:": dropped here */
	};
	for (size_t k = 0; k < sizeof(agents) / sizeof(agents[0]); k++) {
		struct model *m = model_new(NULL, TEST_REFERENCE);
		for (int i = 0; i < 30; i++)
			inbound_or_relayed(m, i, "209.85.1.1", "user@example.org", agents[k][0], agents[k][1], agents[k][2]);
		const struct agg_stats *ip = find(m, AGG_CLIENT_IP, "209.85.1.1");
		assert_int_equal(ip->unauth_msgs, 30);
		assert_int_equal(ip->delivered_here, 30);
		struct suspect sus[4];
		assert_int_equal(default_suspects(m, sus, 4), 0);
		assert_int_equal(detect_relayed_part(ip, ip->peak_1m), 0);
		model_free(m);
	}
}

/* a gateway whose inside server is down: the relay transport defers the first
 * message, error(8) the rest ("delivery temporarily suspended", as the lab's
 * Postfix 3.7 logs them): mail for us all the same, by the domain the first
 * showed to be ours; error(8)'s deferrals for a domain never delivered here
 * are relayed mail */
static void a_held_back_destination_is_judged_by_its_domain(void **state)
{
	(void)state;
	struct model *m = model_new(NULL, TEST_REFERENCE);
	inbound_or_relayed(m, 0, "209.85.1.1", "user0@Gateway.Example", "relay/smtp", "none", NULL);
	for (int i = 1; i < 30; i++)
		inbound_or_relayed(m, i, "209.85.1.1", "user@gateway.example", "error", "none", NULL);
	for (int i = 30; i < 42; i++)	/* held back for another domain, never delivered here */
		inbound_or_relayed(m, i, "10.0.0.7", "x@elsewhere.example", "error", "none", NULL);
	assert_int_equal(find(m, AGG_CLIENT_IP, "209.85.1.1")->delivered_here, 30);
	assert_int_equal(find(m, AGG_CLIENT_IP, "10.0.0.7")->delivered_here, 0);
	struct suspect sus[4];
	assert_int_equal(default_suspects(m, sus, 4), 1);
	assert_string_equal(sus[0].agg->key->s, "10.0.0.7");
	model_free(m);
}

/* mail that pipe(8) hands to a mailbox program here (dovecot-lda, as Debian's
 * "dovecot unix - n n - - pipe ... argv=/usr/lib/dovecot/deliver" sets it up)
 * stayed on this server: Gmail delivering 30 messages a minute to our users
 * that way is no trusted relay */
static void mail_a_pipe_delivers_to_a_mailbox_program_is_mail_for_us(void **state)
{
	(void)state;
	struct model *m = model_new(NULL, TEST_REFERENCE);
	for (int i = 0; i < 30; i++) {
		int sec = i % 60;
		addf(m, "Nov 24 12:00:%02d mx postfix/smtpd[9]: 7E%08X: client=mail-x.google.com[209.85.1.1]", sec,
		     (unsigned)i);
		addf(m, "Nov 24 12:00:%02d mx postfix/qmgr[7]: 7E%08X: from=<s%d@gmail.example>, size=900, nrcpt=1 "
		     "(queue active)", sec, (unsigned)i, i);
		addf(m, "Nov 24 12:00:%02d mx postfix/pipe[6]: 7E%08X: to=<user%d@example.org>, relay=dovecot, delay=0.1, "
		     "delays=0/0/0/0.1, dsn=2.0.0, status=sent (delivered via dovecot service)", sec, (unsigned)i, i);
		addf(m, "Nov 24 12:00:%02d mx postfix/qmgr[7]: 7E%08X: removed", sec, (unsigned)i);
	}
	assert_int_equal(find(m, AGG_CLIENT_IP, "209.85.1.1")->delivered_here, 30);
	struct suspect sus[4];
	assert_int_equal(default_suspects(m, sus, 4), 0);
	model_free(m);
}

/* a gateway whose transport_maps hand our domains to the inside server over
 * smtp: mail for a domain named ours (Postfix's configuration) is mail for
 * us; without the name the same log is relaying, and mail for other domains
 * still is. A domain a delivery here took mail for is ours too. */
static void smtp_to_the_inside_server_for_our_domain_is_mail_for_us(void **state)
{
	(void)state;
	for (int named = 0; named < 2; named++) {
		struct model *m = model_new(NULL, TEST_REFERENCE);
		char dom[32];
		for (int d = 0; named && d < 5000; d++) {	/* a hosting server's many domains */
			snprintf(dom, sizeof(dom), "customer%d.example", d);
			assert_int_equal(model_add_our_domain(m, dom, strlen(dom)), 0);
		}
		if (named)
			assert_int_equal(model_add_our_domain(m, "Gateway.Example", 15), 0);
		assert_int_equal(model_our_domains_named(m), named ? 5001 : 0);
		for (int i = 0; i < 30; i++)
			inbound_or_relayed(m, i, "209.85.1.1", i % 2 ? "user@gateway.example" : "user@customer4321.example",
					   "smtp", "inside.gateway.example[10.1.2.3]:25", NULL);
		for (int i = 30; i < 42; i++)
			inbound_or_relayed(m, i, "10.0.0.7", "x@elsewhere.example", "smtp", "mx.elsewhere.example[192.0.2.9]:25",
					   NULL);
		assert_int_equal(find(m, AGG_CLIENT_IP, "209.85.1.1")->delivered_here, named ? 30 : 0);
		assert_int_equal(find(m, AGG_CLIENT_IP, "10.0.0.7")->delivered_here, 0);
		struct suspect sus[4];
		assert_int_equal(default_suspects(m, sus, 4), named ? 1 : 2);
		assert_string_equal(sus[0].agg->key->s, named ? "10.0.0.7" : "209.85.1.1");
		model_free(m);
	}
	struct model *m = model_new(NULL, TEST_REFERENCE);	/* ".corp.example": its subdomains, not itself */
	assert_int_equal(model_add_our_domain(m, ".Corp.example", 13), 0);
	static const char *const rcpt[] = {"a@mail.corp.example", "b@x.EU.corp.example", "c@corp.example",
					   "d@evilcorp.example"};
	for (int i = 0; i < 40; i++)
		inbound_or_relayed(m, i, i < 20 ? "209.85.1.1" : "10.0.0.7", rcpt[i / 10], "smtp",
				   "inside.corp.example[10.1.2.3]:25", NULL);
	assert_int_equal(find(m, AGG_CLIENT_IP, "209.85.1.1")->delivered_here, 20);
	assert_int_equal(find(m, AGG_CLIENT_IP, "10.0.0.7")->delivered_here, 0);
	assert_int_equal(model_our_domains_named(m), 1);
	model_free(m);
	m = model_new(NULL, TEST_REFERENCE);	/* learned: a split domain, some users inside */
	inbound_or_relayed(m, 0, "209.85.1.1", "ann@example.org", "lmtp", "mail[private/dovecot-lmtp]", NULL);
	for (int i = 1; i < 30; i++)
		inbound_or_relayed(m, i, "209.85.1.1", "bob@Example.ORG", "smtp", "inside.example.org[10.1.2.3]:25", NULL);
	assert_int_equal(find(m, AGG_CLIENT_IP, "209.85.1.1")->delivered_here, 30);
	assert_int_equal(model_our_domains_named(m), 0);
	model_free(m);
}

/* a trusted host whose mail goes on to other servers is a relay; one that
 * also sends mail for this server (an office behind one address) is judged
 * on the share it relays, and the reason says so */
static void a_relay_is_judged_on_the_mail_it_relays(void **state)
{
	(void)state;
	struct model *m = model_new(NULL, TEST_REFERENCE);
	for (int i = 0; i < 12; i++)
		inbound_or_relayed(m, i, "10.0.0.7", "x@elsewhere.example", "smtp", "mx.elsewhere.example[192.0.2.9]:25", NULL);
	struct suspect sus[4];
	assert_int_equal(default_suspects(m, sus, 4), 1);
	assert_int_equal(sus[0].kind, SUSPECT_TRUSTED_RELAY);
	assert_string_equal(sus[0].reasons[0], "12 unauthenticated messages in its busiest minute (threshold 10)");
	for (int i = 12; i < 32; i++)	/* 20 more, for this server */
		inbound_or_relayed(m, i, "10.0.0.7", "user@example.org", "lmtp", "mail[private/dovecot-lmtp]", NULL);
	assert_int_equal(default_suspects(m, sus, 4), 1);
	assert_string_equal(sus[0].reasons[0], "12 unauthenticated messages relayed in its busiest minute "
			    "(20 of its 32 were mail for this server) (threshold 10)");
	for (int i = 32; i < 60; i++)	/* mostly mail for this server: 12 of 60 relayed in the minute */
		inbound_or_relayed(m, i, "10.0.0.7", "user@example.org", "lmtp", "mail[private/dovecot-lmtp]", NULL);
	assert_int_equal(default_suspects(m, sus, 4), 1);
	model_free(m);
	/* a message with one recipient here and one elsewhere is relayed mail */
	m = model_new(NULL, TEST_REFERENCE);
	for (int i = 0; i < 12; i++) {
		addf(m, "Nov 24 12:00:%02d mx postfix/smtpd[9]: 7D%08X: client=h.example[10.0.0.8]", i, (unsigned)i);
		addf(m, "Nov 24 12:00:%02d mx postfix/qmgr[7]: 7D%08X: from=<s@sender.example>, size=900, nrcpt=2 "
		     "(queue active)", i, (unsigned)i);
		addf(m, "Nov 24 12:00:%02d mx postfix/lmtp[6]: 7D%08X: to=<user@example.org>, relay=mail[private/"
		     "dovecot-lmtp], delay=0.1, delays=0/0/0/0.1, dsn=2.0.0, status=sent (250 2.0.0 Saved)", i, (unsigned)i);
		addf(m, "Nov 24 12:00:%02d mx postfix/smtp[5]: 7D%08X: to=<x@elsewhere.example>, relay=mx.elsewhere."
		     "example[192.0.2.9]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)", i, (unsigned)i);
		addf(m, "Nov 24 12:00:%02d mx postfix/qmgr[7]: 7D%08X: removed", i, (unsigned)i);
	}
	assert_int_equal(find(m, AGG_CLIENT_IP, "10.0.0.8")->delivered_here, 0);
	assert_int_equal(default_suspects(m, sus, 4), 1);
	model_free(m);
}

/* pipe_filter_lines - a message of victim through FILTER_README's simple
 * filter (pipe(8), re-injecting with sendmail as uid 65534): the original,
 * then its copy before (copy_first) the pipe's two "delivered via" lines, or
 * between them */
static void pipe_filter_lines_ids(struct model *m, int copy_first, const char *copy_sender, const char *orig_id,
				  const char *copy_id)
{
	char line[300];
	add(m, "Nov 24 12:00:00 mx postfix/smtpd[9]: 5A0001: client=unknown[192.0.2.5], sasl_method=LOGIN, "
	       "sasl_username=victim@example.org");
	snprintf(line, sizeof(line), "Nov 24 12:00:00 mx postfix/cleanup[8]: 5A0001: message-id=%s", orig_id);
	add(m, line);
	add(m, "Nov 24 12:00:00 mx postfix/qmgr[7]: 5A0001: from=<promo@spam.example>, size=500, nrcpt=2 (queue active)");
	const char *hops[] = {
		"Nov 24 12:00:01 mx postfix/pipe[6]: 5A0001: to=<a@y.example>, relay=filter, delay=1, delays=0/0/0/1, "
		"dsn=2.0.0, status=sent (delivered via filter service)",
		"Nov 24 12:00:01 mx postfix/pipe[6]: 5A0001: to=<b@y.example>, relay=filter, delay=1, delays=0/0/0/1, "
		"dsn=2.0.0, status=sent (delivered via filter service)",
		"Nov 24 12:00:01 mx postfix/qmgr[7]: 5A0001: removed",
	};
	if (!copy_first)	/* one hop before the copy, the other after it */
		add(m, hops[0]);
	snprintf(line, sizeof(line), "Nov 24 12:00:01 mx postfix/pickup[5]: 5B0002: uid=65534 from=<%s>", copy_sender);
	add(m, line);
	snprintf(line, sizeof(line), "Nov 24 12:00:01 mx postfix/cleanup[8]: 5B0002: message-id=%s", copy_id);
	add(m, line);
	snprintf(line, sizeof(line), "Nov 24 12:00:01 mx postfix/qmgr[7]: 5B0002: from=<%s>, size=600, nrcpt=2 "
		 "(queue active)", copy_sender);
	add(m, line);
	for (int i = copy_first ? 0 : 1; i < 3; i++)
		add(m, hops[i]);
	add(m, "Nov 24 12:00:02 mx postfix/smtp[4]: 5B0002: to=<a@y.example>, relay=none, delay=1, delays=0/0/1/0, "
	       "dsn=4.4.1, status=deferred (connect refused)");
}

static void pipe_filter_lines(struct model *m, int copy_first, const char *copy_sender)
{
	pipe_filter_lines_ids(m, copy_first, copy_sender, "<m1@x.example>", "<m1@x.example>");
}

/* is_victims_copy - 5B0002 is 5A0001's copy, victim's, and no local submission */
static void is_victims_copy(struct model *m)
{
	const struct msg_record *c = model_find_open(m, "5B0002");
	assert_non_null(c);
	assert_true(c->flags & RF_COPY);
	assert_string_equal(c->origin_qid, "5A0001");
	assert_string_equal(c->sasl_user->s, "victim@example.org");
	assert_int_equal(find(m, AGG_SASL_USER, "victim@example.org")->msgs, 1);
	assert_int_equal(find(m, AGG_SASL_USER, "victim@example.org")->sent, 0);
	assert_int_equal(model_totals(m)->local_submissions, 0);
	assert_int_equal(model_totals(m)->filter_copies, 1);
	/* the hops to the filter stayed here, the copy went on: relayed mail, whichever came first */
	assert_int_equal(find(m, AGG_SASL_USER, "victim@example.org")->delivered_here, 0);
}

/* spam often has no Message-ID (cleanup logs message-id=<>); the copy then has
 * none either (sendmail -G, as FILTER_README's filter runs it) or the one
 * cleanup makes up for a local submission: the copy is tied by its sender */
static const char copy_to_b[] = "Nov 24 12:00:02 mx postfix/smtp[4]: 5B0002: to=<b@y.example>, relay=none, "
				"delay=1, delays=0/0/1/0, dsn=4.4.1, status=deferred (connect refused)";

static void a_pipe_filters_copy_of_a_message_without_message_id_is_tied_by_sender(void **state)
{
	(void)state;
	const char *copy_ids[] = {"<>", "<20261124120001.5B0002@mx.example>", "<5B0002@mx.example>"};
	for (int copy_first = 0; copy_first <= 1; copy_first++)
		for (size_t k = 0; k < 3; k++) {	/* the last: long queue IDs, <QID@myhostname> */
			struct model *m = model_new(NULL, TEST_REFERENCE);
			pipe_filter_lines_ids(m, copy_first, "promo@spam.example", "<>", copy_ids[k]);
			add(m, copy_to_b);	/* each recipient's hop is known as one by the copy's delivery to it */
			is_victims_copy(m);
			model_free(m);
		}
}

/* several messages of one sender without a Message-ID through the filter at
 * once: each copy is tied to its own original by the recipient it carries,
 * whatever order the copies come back in */
static void id_less_copies_of_one_sender_are_tied_to_their_own_originals(void **state)
{
	(void)state;
	struct model *m = model_new(NULL, TEST_REFERENCE);
	for (int i = 0; i < 4; i++) {
		addf(m, "Nov 24 12:00:00 mx postfix/smtpd[9]: 6A000%d: client=unknown[192.0.2.%d], sasl_method=LOGIN, "
		     "sasl_username=%s@example.org", i, i + 1, i % 2 ? "victim" : "other");
		addf(m, "Nov 24 12:00:00 mx postfix/cleanup[8]: 6A000%d: message-id=<>", i);
		addf(m, "Nov 24 12:00:00 mx postfix/qmgr[7]: 6A000%d: from=<promo@spam.example>, size=500, nrcpt=1 "
		     "(queue active)", i);
		addf(m, "Nov 24 12:00:01 mx postfix/pipe[6]: 6A000%d: to=<r%d@y.example>, relay=filter, delay=1, "
		     "delays=0/0/0/1, dsn=2.0.0, status=sent (delivered via filter service)", i, i);
	}
	for (int i = 3; i >= 0; i--) {	/* the copies in the other order */
		addf(m, "Nov 24 12:00:02 mx postfix/pickup[5]: 6B000%d: uid=65534 from=<promo@spam.example>", i);
		addf(m, "Nov 24 12:00:02 mx postfix/cleanup[8]: 6B000%d: message-id=<>", i);
		addf(m, "Nov 24 12:00:02 mx postfix/qmgr[7]: 6B000%d: from=<promo@spam.example>, size=600, nrcpt=1 "
		     "(queue active)", i);
		addf(m, "Nov 24 12:00:03 mx postfix/smtp[4]: 6B000%d: to=<r%d@y.example>, relay=none, delay=1, "
		     "delays=0/0/1/0, dsn=4.4.1, status=deferred (connect refused)", i, i);
	}
	for (int i = 0; i < 4; i++) {
		char qid[8], origin[8];
		snprintf(qid, sizeof(qid), "6B000%d", i);
		snprintf(origin, sizeof(origin), "6A000%d", i);
		const struct msg_record *c = model_find_open(m, qid);
		assert_non_null(c);
		assert_string_equal(c->origin_qid, origin);
		assert_string_equal(c->sasl_user->s, i % 2 ? "victim@example.org" : "other@example.org");
	}
	assert_int_equal(find(m, AGG_SASL_USER, "victim@example.org")->deferred, 2);
	assert_int_equal(model_totals(m)->sent, 0);
	assert_int_equal(model_totals(m)->local_submissions, 0);
	model_free(m);
}

/* without a Message-ID the sender is all that ties: a local message of another
 * sender, or one whose Message-ID is its own (not cleanup's for it), stays local */
static void a_local_message_is_no_id_less_copy_unless_its_sender_matches(void **state)
{
	(void)state;
	struct model *m = model_new(NULL, TEST_REFERENCE);
	pipe_filter_lines_ids(m, 0, "www-data@x.example", "<>", "<>");
	assert_false(model_find_open(m, "5B0002")->flags & RF_COPY);
	assert_int_equal(find(m, AGG_LOCAL_UID, "65534")->msgs, 1);
	model_free(m);
	m = model_new(NULL, TEST_REFERENCE);
	pipe_filter_lines_ids(m, 0, "promo@spam.example", "<>", "<20261124120001.5C0003@mx.example>");
	assert_false(model_find_open(m, "5B0002")->flags & RF_COPY);
	assert_int_equal(model_totals(m)->local_submissions, 1);
	model_free(m);
}

static void a_pipe_filters_copy_through_sendmail_is_the_senders_in_either_order(void **state)
{
	(void)state;
	for (int copy_first = 0; copy_first <= 1; copy_first++) {
		struct model *m = model_new(NULL, TEST_REFERENCE);
		pipe_filter_lines(m, copy_first, "promo@spam.example");
		const struct msg_record *c = model_find_open(m, "5B0002");
		assert_non_null(c);
		assert_true(c->flags & RF_COPY);
		assert_false(c->flags & RF_LOCAL);
		assert_string_equal(c->origin_qid, "5A0001");
		assert_string_equal(c->sasl_user->s, "victim@example.org");
		const struct agg_stats *u = find(m, AGG_SASL_USER, "victim@example.org");
		assert_int_equal(u->msgs, 1);
		assert_int_equal(u->rcpts, 2);
		assert_int_equal(u->deferred, 1);
		assert_int_equal(u->sent, 0);	/* the hops to the filter were no delivery */
		const struct agg_stats *uid = find(m, AGG_LOCAL_UID, "65534");
		assert_true(uid == NULL || uid->msgs == 0);	/* the filter is no web application */
		const struct model_totals *t = model_totals(m);
		assert_int_equal(t->messages, 1);
		assert_int_equal(t->filter_copies, 1);
		assert_int_equal(t->local_submissions, 0);
		assert_int_equal(t->sent, 0);
		model_free(m);
	}
}

static void a_local_message_of_another_sender_is_no_pipe_filters_copy(void **state)
{
	(void)state;
	struct model *m = model_new(NULL, TEST_REFERENCE);
	pipe_filter_lines(m, 0, "www-data@x.example");	/* same Message-ID, other sender: a web app's own */
	const struct msg_record *c = model_find_open(m, "5B0002");
	assert_false(c->flags & RF_COPY);
	assert_true(c->flags & RF_LOCAL);
	assert_int_equal(find(m, AGG_LOCAL_UID, "65534")->msgs, 1);
	assert_int_equal(find(m, AGG_SASL_USER, "victim@example.org")->sent, 2);	/* a pipe delivery stays one */
	assert_int_equal(model_totals(m)->filter_copies, 0);
	model_free(m);
}

/* the real capture of FILTER_README's simple filter (pipe(8) and sendmail -G as
 * uid 65534): every copy is its sender's, the outsider's two without a
 * Message-ID (message-id=<> for the original and the copy) included */
static void the_lab_pipe_filter_capture_ties_every_copy(void **state)
{
	(void)state;
	struct model *m = december_capture("tests/fixtures/lab-filter-pipe.log");
	const struct model_totals *t = model_totals(m);
	assert_int_equal(t->filter_copies, 42);
	assert_int_equal(t->messages, 42);
	assert_int_equal(t->local_submissions, 0);
	const struct agg_stats *u = find(m, AGG_SASL_USER, "victim@lab.example");
	assert_int_equal(u->msgs, 24);
	assert_int_equal(u->deferred, 48);
	assert_int_equal(u->sent, 0);
	const struct agg_stats *uid = find(m, AGG_LOCAL_UID, "65534");
	assert_true(uid == NULL || uid->msgs == 0);
	assert_int_equal(find(m, AGG_CLIENT_IP, "127.0.0.99")->msgs, 2);	/* the outsider's, through the filter */
	struct suspect sus[8];
	size_t n = default_suspects(m, sus, 8);
	assert_string_equal(sus[0].agg->key->s, "victim@lab.example");
	for (size_t i = 0; i < n; i++)
		assert_int_not_equal(sus[i].kind, SUSPECT_WEB_APP);
	model_free(m);
}

/* the real capture behind a before-queue filter: every message is queued from
 * 127.0.0.1 (the filter) and charged to its front smtpd's client and account */
static void the_lab_before_queue_filter_capture_charges_the_front_clients(void **state)
{
	(void)state;
	struct model *m = december_capture("tests/fixtures/lab-proxy-filter.log");
	const struct model_totals *t = model_totals(m);
	assert_int_equal(t->messages, 42);
	assert_int_equal(t->front_messages, 42);
	assert_int_equal(t->auth_messages, 28);
	assert_int_equal(t->unauth_messages, 14);
	const struct agg_stats *u = find(m, AGG_SASL_USER, "victim@lab.example");
	assert_int_equal(u->msgs, 24);
	assert_int_equal(u->distinct_ips, 5);
	assert_int_equal(find(m, AGG_CLIENT_IP, "127.0.0.2")->unauth_msgs, 12);
	assert_int_equal(find(m, AGG_CLIENT_IP, "127.0.0.99")->unauth_msgs, 2);	/* forged AUTH=: no account */
	const struct agg_stats *filter = find(m, AGG_CLIENT_IP, "127.0.0.1");
	assert_true(filter->unauth_msgs == 0 && filter->auth_msgs == 4);	/* only alice's own, over SASL */
	struct suspect sus[8];
	size_t n = default_suspects(m, sus, 8);
	assert_string_equal(sus[0].agg->key->s, "victim@lab.example");
	for (size_t i = 0; i < n; i++)
		assert_string_not_equal(sus[i].agg->key->s, "127.0.0.1");
	model_free(m);
}

static void a_message_refused_or_discarded_at_the_end_of_data_ends_there(void **state)
{
	(void)state;
	struct model *m = model_new(NULL, TEST_REFERENCE);
	add(m, "Nov 24 10:00:00 mx postfix/smtpd[1]: 2B3C4D5E60: client=unknown[192.0.2.1], sasl_method=LOGIN, sasl_username=h");
	add(m, "Nov 24 10:00:00 mx postfix/smtpd[1]: 2B3C4D5E61: client=unknown[192.0.2.1], sasl_method=LOGIN, sasl_username=h");
	add(m, "Nov 24 10:00:00 mx postfix/smtpd[1]: 2B3C4D5E62: client=unknown[192.0.2.1], sasl_method=LOGIN, sasl_username=h");
	add(m, "Nov 24 10:00:01 mx postfix/cleanup[2]: 2B3C4D5E60: milter-reject: END-OF-MESSAGE from unknown[192.0.2.1]: "
	    "5.7.1 spam; from=<h@x.example> to=<r@y.example> proto=ESMTP helo=<x>");
	/* cleanup_message.c's cleanup_act_log form: the envelope, then the text */
	add(m, "Nov 24 10:00:01 mx postfix/cleanup[2]: 2B3C4D5E61: reject: header Subject: cheap from unknown[192.0.2.1]; "
	    "from=<h@x.example> to=<r@y.example> proto=ESMTP helo=<x>: 5.7.1 message content rejected");
	add(m, "Nov 24 10:00:01 mx postfix/smtpd[1]: 2B3C4D5E62: reject: RCPT from unknown[192.0.2.1]: 550 5.1.1 "
	    "<nobody@y.example>: Recipient address rejected; from=<h@x.example> to=<nobody@y.example> proto=ESMTP helo=<x>");
	add(m, "Nov 24 10:00:00 mx postfix/smtpd[1]: 2B3C4D5E63: client=unknown[192.0.2.1], sasl_method=LOGIN, sasl_username=h");
	add(m, "Nov 24 10:00:01 mx postfix/cleanup[2]: 2B3C4D5E63: milter-discard: END-OF-MESSAGE from unknown[192.0.2.1]: "
	    "milter triggers DISCARD action; from=<h@x.example> to=<r@y.example> proto=ESMTP helo=<x>");
	assert_null(model_find_open(m, "2B3C4D5E60"));
	assert_null(model_find_open(m, "2B3C4D5E61"));
	assert_null(model_find_open(m, "2B3C4D5E63"));	/* discarded: accepted, then dropped */
	assert_non_null(model_find_open(m, "2B3C4D5E62"));
	assert_int_equal(model_open_count(m), 1);
	assert_int_equal(model_totals(m)->rejects, 3);
	assert_int_equal(find(m, AGG_CLIENT_IP, "192.0.2.1")->rejects, 3);
	model_free(m);
}

static void huge_fields_are_cut_and_counted_not_stored_whole(void **state)
{
	(void)state;
	struct model *m = model_new(NULL, TEST_REFERENCE);
	size_t n = 100000;
	char *line = malloc(n + 200);
	int k = snprintf(line, 200, "Nov 24 10:00:01 mx postfix/qmgr[2]: 1A2B3C4D70: from=<");
	memset(line + k, 'a', n);
	snprintf(line + k + n, 200, "@x.example>, size=1, nrcpt=1 (queue active)");
	add(m, line);
	assert_int_equal(model_totals(m)->fields_cut, 1);
	assert_int_equal(model_agg_at(m, AGG_SENDER, 0)->key->len, 1024);
	free(line);
	model_free(m);
}

static void address_domain_is_lower_cased_and_empty_for_null_sender(void **state)
{
	(void)state;
	char d[64];
	assert_int_equal(address_domain("Bob@Example.COM", 15, d, sizeof(d)), 11);
	assert_string_equal(d, "example.com");
	assert_int_equal(address_domain("", 0, d, sizeof(d)), 0);
	assert_string_equal(d, "");
	assert_int_equal(address_domain("\"a@b\"@c.example", 15, d, sizeof(d)), 9);
	assert_string_equal(d, "c.example");
	assert_int_equal(address_domain("root", 4, d, sizeof(d)), 0);
}

/* count_lines - lines of a capture holding every one of the words */
static int count_lines(const char *text, const char *a, const char *b)
{
	int n = 0;
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[4096];
		snprintf(line, sizeof(line), "%.*s", (int)len, p);
		n += strstr(line, a) && (!b || strstr(line, b));
		p += len + (nl != NULL);
	}
	return n;
}

/* a real amavis-style filter capture: each copy is its origin's, counted once */
static void content_filter_copies_are_tied_to_their_origin_and_counted_once(const char *path, int xforward)
{
	char *text = test_read_file(path, NULL);
	struct model_limits lim;
	model_limits_default(&lim);
	struct model *m = model_new(&lim, TEST_REFERENCE);
	test_each_line(text, model_add_line_cb, m);
	const struct model_totals *t = model_totals(m);
	/* independent counts: smtpd's own client= lines are the messages, the
	 * re-injection smtpd's are the copies */
	int originals = count_lines(text, "postfix/smtpd[", ": client=");
	int copies = count_lines(text, "postfix/10025/smtpd[", ": client=");
	assert_int_equal(copies, originals);
	assert_int_equal(count_lines(text, "orig_queue_id=", NULL), xforward ? copies : 0);
	assert_int_equal(t->messages, (uint64_t)originals);
	assert_int_equal(t->filter_copies, (uint64_t)copies);
	/* the filter's address sent nothing of its own: alice's 4 from 127.0.0.1 */
	const struct agg_stats *lo = find(m, AGG_CLIENT_IP, "127.0.0.1");
	assert_non_null(lo);
	assert_int_equal(lo->msgs, 4);
	assert_int_equal(lo->unauth_msgs, 0);
	/* the copies' deferrals are the account's */
	const struct agg_stats *v = find(m, AGG_SASL_USER, "victim@lab.example");
	assert_non_null(v);
	assert_true(v->deferred >= v->msgs);
	struct suspect sus[8];
	size_t n = default_suspects(m, sus, 8);
	for (size_t i = 0; i < n; i++)
		assert_string_not_equal(sus[i].agg->key->s, "127.0.0.1");
	model_free(m);
	free(text);
}

static void xforward_filter_copies_are_tied_by_orig_queue_id(void **state)
{
	(void)state;
	content_filter_copies_are_tied_to_their_origin_and_counted_once("tests/fixtures/lab-long-ids-xforward.log", 1);
}

static void plain_filter_copies_are_tied_by_queued_as(void **state)
{
	(void)state;
	content_filter_copies_are_tied_to_their_origin_and_counted_once("tests/fixtures/lab-filter.log", 0);
}

/* Postfix 3.5+'s qmgr: "QID: from=<s>, status=force-expired, returned to
 * sender" (qmgr_active.c) after postsuper -f; not a new message */
static void force_expired_is_an_expiry_not_a_new_message(void **state)
{
	(void)state;
	struct model *m = model_new(NULL, TEST_REFERENCE);
	add(m, "Nov 24 10:00:00 mx postfix/qmgr[3]: 4B1C2D3E4F: from=<ann@x.example>, size=10, nrcpt=1 (queue active)");
	add(m, "Nov 24 10:05:00 mx postfix/qmgr[3]: 4B1C2D3E4F: from=<ann@x.example>, status=force-expired, returned to sender");
	/* a log that begins at the expiry: nothing new either */
	add(m, "Nov 24 10:05:00 mx postfix/qmgr[3]: 5C2D3E4F5A: from=<bob@x.example>, status=force-expired, returned to sender");
	const struct model_totals *t = model_totals(m);
	assert_int_equal(t->messages, 1);
	assert_int_equal(t->events[EV_EXPIRED], 2);
	assert_int_equal(find(m, AGG_SENDER, "ann@x.example")->msgs, 1);
	model_free(m);
}

/* the future-stamp rule reads the clock, not only the time the model was
 * made: a console that has run for three days keeps counting the lines
 * written now, and a line more than a day past the clock is refused */
static void a_console_running_for_days_keeps_counting_the_lines_written_now(void **state)
{
	(void)state;
	struct model *m = model_new(NULL, TEST_REFERENCE);	/* 2026-11-25 00:00 UTC */
	clock_fix(TEST_REFERENCE + 3 * 86400);
	add(m, "2026-11-27T23:59:00Z mx postfix/smtpd[1]: 4B1C2D3E4F: client=unknown[192.0.2.1], sasl_method=LOGIN, "
	       "sasl_username=ann");
	const char *ahead = "2026-11-30T00:00:01Z mx postfix/smtpd[1]: 5C2D3E4F5A: client=unknown[192.0.2.1]";
	assert_int_equal(model_add_line(m, ahead, strlen(ahead)), LINE_MALFORMED);	/* 1 day 1 s past the clock */
	clock_fix(0);
	assert_int_equal(model_totals(m)->messages, 1);
	assert_int_equal(model_totals(m)->bad_time, 1);
	model_free(m);
}

/* a stamp before 1990 or past the clock by more than a day is counted and
 * ignored: a year-6100 line must not reach the per-minute rings */
static void impossible_time_stamps_are_counted_and_ignored(void **state)
{
	(void)state;
	struct model *m = model_new(NULL, TEST_REFERENCE);
	const char *bad[] = {
		"6100-11-24T10:00:00Z mx postfix/smtpd[1]: 4B1C2D3E4F: client=unknown[192.0.2.1], sasl_method=LOGIN, sasl_username=ann",
		"1970-01-01T00:00:01Z mx postfix/smtpd[1]: 5C2D3E4F5A: client=unknown[192.0.2.1], sasl_method=LOGIN, sasl_username=ann",
		"9999-12-31T23:59:59+14:00 mx postfix/smtpd[1]: warning: unknown[192.0.2.9]: SASL LOGIN authentication failed: x",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(model_add_line(m, bad[i], strlen(bad[i])), LINE_MALFORMED);
	add(m, "Nov 24 10:00:00 mx postfix/smtpd[1]: 6D3E4F5A6B: client=unknown[192.0.2.1], sasl_method=LOGIN, sasl_username=ann");
	const struct model_totals *t = model_totals(m);
	assert_int_equal(t->bad_time, 3);
	assert_int_equal(t->messages, 1);
	assert_int_equal(t->sasl_failures, 0);
	assert_int_equal(find(m, AGG_SASL_USER, "ann")->msgs, 1);
	assert_int_equal(agg_rate(m, &find(m, AGG_SASL_USER, "ann")->msg_rate, 1), 1);
	model_free(m);
}

/* bounce's "ORIG: sender non-delivery notification: NOTICE" (bounce_notify_
 * service.c): the notice is a message Postfix wrote, named as such */
static void bounce_notices_are_named_in_the_totals(void **state)
{
	(void)state;
	struct model *m = model_new(NULL, TEST_REFERENCE);
	add(m, "Nov 24 10:00:00 mx postfix/smtpd[1]: 4B1C2D3E4F: client=unknown[192.0.2.1], sasl_method=LOGIN, sasl_username=ann");
	add(m, "Nov 24 10:00:00 mx postfix/qmgr[3]: 4B1C2D3E4F: from=<ann@x.example>, size=10, nrcpt=1 (queue active)");
	add(m, "Nov 24 10:00:01 mx postfix/local[4]: 4B1C2D3E4F: to=<nobody@x.example>, relay=local, delay=1, dsn=5.1.1, status=bounced (unknown user: \"nobody\")");
	add(m, "Nov 24 10:00:01 mx postfix/cleanup[2]: 7E3F4A5B6C: message-id=<20261124100001.7E3F4A5B6C@mx>");
	add(m, "Nov 24 10:00:01 mx postfix/bounce[5]: 4B1C2D3E4F: sender non-delivery notification: 7E3F4A5B6C");
	add(m, "Nov 24 10:00:01 mx postfix/qmgr[3]: 7E3F4A5B6C: from=<>, size=2000, nrcpt=1 (queue active)");
	add(m, "Nov 24 10:00:01 mx postfix/qmgr[3]: 4B1C2D3E4F: removed");
	/* a message begun before the log: only its qmgr line */
	add(m, "Nov 24 10:00:02 mx postfix/qmgr[3]: 8F4A5B6C7D: from=<old@x.example>, size=10, nrcpt=1 (queue active)");
	const struct model_totals *t = model_totals(m);
	assert_int_equal(t->messages, 3);
	assert_int_equal(t->auth_messages, 1);
	assert_int_equal(t->bounce_notices, 1);
	assert_int_equal(t->messages - t->auth_messages - t->unauth_messages - t->local_submissions
			 - t->bounce_notices, 1);	/* begun before the log */
	/* the null sender's key is shown as <>, never blank */
	const struct agg_stats *null = find(m, AGG_SENDER, "");
	assert_non_null(null);
	struct strview shown = agg_shown_key(null);
	assert_int_equal(shown.len, 2);
	assert_memory_equal(shown.ptr, "<>", 2);
	model_free(m);
}

/* "Admin@x" and "admin@x" are one account (Dovecot's default %Lu); each
 * record keeps the name as logged, which is what its queue file says */
static void a_user_whose_name_differs_only_in_case_is_one_account(void **state)
{
	(void)state;
	struct model *m = model_new(NULL, TEST_REFERENCE);
	add(m, "Nov 24 10:00:00 mx postfix/smtpd[1]: 4B1C2D3E4F: client=unknown[192.0.2.1], sasl_method=LOGIN, sasl_username=Admin@X.example");
	add(m, "Nov 24 10:00:01 mx postfix/smtpd[1]: 5C2D3E4F5A: client=unknown[192.0.2.2], sasl_method=LOGIN, sasl_username=admin@x.example");
	add(m, "Nov 24 10:00:02 mx postfix/smtpd[1]: 6D3E4F5A6B: client=unknown[192.0.2.3], sasl_method=LOGIN, sasl_username=ADMIN@X.EXAMPLE");
	add(m, "Nov 24 10:00:03 mx postfix/smtpd[1]: warning: unknown[192.0.2.9]: SASL LOGIN authentication failed: UGFzc3dvcmQ6, sasl_username=aDmIn@x.example");
	assert_int_equal(model_agg_count(m, AGG_SASL_USER), 1);
	const struct agg_stats *u = find(m, AGG_SASL_USER, "admin@x.example");
	assert_non_null(u);
	assert_int_equal(u->msgs, 3);
	assert_int_equal(u->distinct_ips, 3);
	assert_int_equal(u->sasl_failures, 1);
	assert_true(u->several_spellings);
	struct strview shown = agg_shown_key(u);	/* as first logged */
	assert_int_equal(shown.len, strlen("Admin@X.example"));
	assert_memory_equal(shown.ptr, "Admin@X.example", shown.len);
	assert_string_equal(model_find_open(m, "6D3E4F5A6B")->sasl_user->s, "ADMIN@X.EXAMPLE");
	assert_string_equal(find(m, AGG_CLIENT_IP, "192.0.2.9")->last_user->s, "admin@x.example");
	model_free(m);
}

/* a real capture: a web application's 40 messages through sendmail as
 * www-data (uid 33) beside the outbreak, and one message requeued by
 * postsuper -r (pickup's orig_id=): the uid is named with its exact count,
 * the requeued message is its original, not a new local submission */
static void web_app_uid_is_named_and_a_requeued_message_is_its_original(void **state)
{
	(void)state;
	char *text = test_read_file("tests/fixtures/lab-webapp.log", NULL);
	struct model *m = model_new(NULL, TEST_REFERENCE);
	test_each_line(text, model_add_line_cb, m);
	int webapp = count_lines(text, "postfix/pickup[", ": uid=33 from=<");
	int smtp = count_lines(text, "postfix/smtpd[", ": client=");
	int requeued = count_lines(text, "postfix/pickup[", " orig_id=");
	assert_int_equal(webapp, 40);
	assert_int_equal(requeued, 1);
	const struct model_totals *t = model_totals(m);
	assert_int_equal(t->messages, (uint64_t)(smtp + webapp));
	assert_int_equal(t->local_submissions, (uint64_t)webapp);
	assert_int_equal(t->requeued_copies, (uint64_t)requeued);
	const struct agg_stats *uid = find(m, AGG_LOCAL_UID, "33");
	assert_non_null(uid);
	assert_int_equal(uid->msgs, 40);
	assert_int_equal(uid->deferred, 40);
	assert_int_equal(model_agg_count(m, AGG_LOCAL_UID), 1);	/* the requeue's uid is no submitter */
	/* the requeued message's deliveries are still the account's: 24 x 2 + 2 */
	assert_int_equal(find(m, AGG_SASL_USER, "victim@lab.example")->deferred, 50);
	struct suspect sus[8];
	size_t n = default_suspects(m, sus, 8);
	size_t web = 0;
	for (size_t i = 0; i < n; i++)
		if (sus[i].kind == SUSPECT_WEB_APP) {
			web++;
			assert_ptr_equal(sus[i].agg, uid);
		}
	assert_int_equal(web, 1);
	model_free(m);
	free(text);
}

/* a user who roams (home, phone, office, two hosts of his own) over three
 * days, with IPv6 privacy addresses that change every message, is no
 * suspect; the outbreak's spread within an hour still is */
static void a_roaming_user_is_no_suspect_and_a_spread_burst_is(void **state)
{
	(void)state;
	struct model *m = model_new(NULL, TEST_REFERENCE);
	static const char *const ips[] = {"198.51.100.7", "2001:db8:5:6:a1b2:c3d4:e5f6:1", "203.0.113.40",
					  "192.0.2.33", "192.0.2.34", "2001:db8:5:6:9999:8888:7777:2"};
	char line[300];
	for (int k = 0; k < 16; k++) {	/* 16 messages over three days, 6 addresses, 5 sources */
		snprintf(line, sizeof(line), "Nov %d %02d:%02d:00 mx postfix/smtpd[1]: %05XABC: client=x[%s], "
			 "sasl_method=LOGIN, sasl_username=roamer@example.com", 22 + k / 6, 7 + (k % 6) * 2, k, k,
			 ips[k % 6]);
		add(m, line);
	}
	for (int k = 0; k < 30; k++) {	/* his v6 privacy addresses: one /64, one source */
		snprintf(line, sizeof(line), "Nov 25 09:%02d:00 mx postfix/smtpd[1]: %05XDEF: client=x[2001:db8:7:8:%x:1:2:3], "
			 "sasl_method=LOGIN, sasl_username=phone@example.com", k, k, 0x100 + k);
		add(m, line);
	}
	const struct agg_stats *r = find(m, AGG_SASL_USER, "roamer@example.com");
	assert_int_equal(r->distinct_ips, 5);	/* ever: the two v6 addresses are one /64 */
	assert_true(r->peak_window_sources < 3);
	const struct agg_stats *p = find(m, AGG_SASL_USER, "phone@example.com");
	assert_int_equal(p->distinct_ips, 1);
	struct detect_thresholds th;
	detect_thresholds_default(&th);
	struct suspect sus[8];
	assert_int_equal(detect_suspects(m, &th, sus, 8), 0);
	for (int k = 0; k < 12; k++) {	/* then 12 messages from 4 addresses within a minute */
		snprintf(line, sizeof(line), "Nov 25 11:00:%02d mx postfix/smtpd[1]: %05X123: client=x[192.0.2.%d], "
			 "sasl_method=LOGIN, sasl_username=roamer@example.com", k, k, 100 + k % 4);
		add(m, line);
	}
	assert_int_equal(r->peak_window_sources, 4);
	size_t n = detect_suspects(m, &th, sus, 8);
	assert_int_equal(n, 1);
	assert_ptr_equal(sus[0].agg, r);
	assert_string_equal(sus[0].reasons[0], "4 client IPs (an IPv6 /64 as one) within 60 minutes in which it sent "
			    "10+ messages (threshold 3)");
	char src[64];
	assert_int_equal(client_source("2001:db8:7:8:101:1:2:3", 22, src, sizeof(src)), strlen("2001:db8:7:8::/64"));
	assert_string_equal(src, "2001:db8:7:8::/64");
	assert_int_equal(client_source("192.0.2.1", 9, src, sizeof(src)), 0);	/* IPv4: itself */
	assert_int_equal(client_source("::ffff:zz", 9, src, sizeof(src)), 0);
	model_free(m);
}

/* a real capture: Postfix's own deferrals and bounces from sites that answer
 * as Gmail (a multi-line reply Postfix joins, each line keeping its code),
 * Microsoft (S3150) and a Spamhaus user do; the dead relay's "Connection
 * refused" and other replies are no reputation block */
static void refusals_for_reputation_are_counted_by_destination_domain(void **state)
{
	(void)state;
	char *text = test_read_file("tests/fixtures/lab-blocklisted.log", NULL);
	struct model *m = model_new(NULL, TEST_REFERENCE);
	test_each_line(text, model_add_line_cb, m);
	int refused = count_lines(text, "relay=127.0.0.1[127.0.0.1]:2600", "status=");
	assert_int_equal(refused, 9);
	const struct reputation_log *log = model_reputation(m);
	assert_int_equal(log->refusals, (uint64_t)refused);
	assert_int_equal(log->count, 3);
	const struct reputation_domain *top[4];
	assert_int_equal(reputation_top(log, top, 4), 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(top[i]->refusals, 3);
	assert_string_equal(top[1]->domain, "gmail.example");	/* ties by name */
	int gmail = reputation_classify("host x said: 421-4.7.28 [127.0.0.1] Our system has detected an unusual rate of "
					"421-4.7.28 unsolicited mail originating from your IP address.", 110);
	assert_true(gmail >= 0);
	assert_int_equal(reputation_entries[gmail].cls, RP_PROVIDER);
	const char *dead = "connect to 127.0.0.1[127.0.0.1]:2599: Connection refused";
	assert_int_equal(reputation_classify(dead, strlen(dead)), -1);
	const char *busy = "host x said: 450 4.2.0 <x>: mailbox busy, try again later";
	assert_int_equal(reputation_classify(busy, strlen(busy)), -1);
	const char *domino = "host x said: 550 5.1.1 Recipient not listed in Domino Directory";
	assert_int_equal(reputation_classify(domino, strlen(domino)), -1);
	model_free(m);
	free(text);
}

/* kumina/postfix_exporter's test lines (tests/fixtures/corpus/README.md):
 * every line read, and the counts that project's own test asserts for them
 * (removed 1 + 31, one SASL failure, one authenticated message); its lines
 * were logged by four machines, each its own host */
static void a_published_exporter_corpus_reads_with_its_own_expected_counts(void **state)
{
	(void)state;
	char *text = test_read_file("tests/fixtures/corpus/kumina-postfix-exporter.log", NULL);
	struct model *m = model_new(NULL, TEST_REFERENCE);
	test_each_line(text, model_add_line_cb, m);
	const struct model_totals *t = model_totals(m);
	assert_int_equal(t->lines, 38);
	assert_int_equal(t->postfix_lines, 38);
	assert_int_equal(t->malformed_lines, 0);
	assert_int_equal(t->events[EV_REMOVED], 32);
	assert_int_equal(t->sasl_failures, 1);	/* the saslauthd warnings name no client: no guess */
	assert_int_equal(t->auth_messages, 1);
	assert_int_equal(model_host_count(m), 4);
	int gw = model_host_by_name(m, "mailgw-out1"), tcc = model_host_by_name(m, "tcc1");
	assert_true(gw > 0 && tcc > 0);
	assert_int_equal(model_agg_find_host(m, gw, AGG_SASL_USER, "user@domain", 11)->msgs, 1);
	assert_int_equal(model_agg_find_host(m, tcc, AGG_CLIENT_IP, "192.168.1.2", 11)->sasl_failures, 1);
	assert_null(find(m, AGG_SASL_USER, "user@domain"));	/* not host 0's (letterman) */
	model_free(m);
	free(text);
}

/* Hsn723/postfix_exporter's test lines (tests/fixtures/corpus/README.md):
 * every line read, with the counts that project's test asserts (expired 2,
 * one of them force-expired; a deferral and a bounce; 4 deliveries sent; 2
 * smtpd messages; 1 SASL failure; a postscreen reject); its NetEase "DT:SPM"
 * replies are a refusal for reputation */
static void a_second_exporter_corpus_reads_with_its_own_expected_counts(void **state)
{
	(void)state;
	char *text = test_read_file("tests/fixtures/corpus/hsn723-postfix-exporter.log", NULL);
	struct model *m = model_new(NULL, TEST_REFERENCE);
	test_each_line(text, model_add_line_cb, m);
	const struct model_totals *t = model_totals(m);
	assert_int_equal(t->lines, 60);
	assert_int_equal(t->postfix_lines, 60);
	assert_int_equal(t->malformed_lines, 0);
	assert_int_equal(t->events[EV_REMOVED], 32);
	assert_int_equal(t->events[EV_EXPIRED], 2);
	assert_int_equal(t->messages, 2);
	assert_int_equal(t->sasl_failures, 1);
	assert_int_equal(t->sent, 4);
	assert_int_equal(t->deferred, 1);
	assert_int_equal(t->bounced, 1);
	assert_int_equal(t->events[EV_BOUNCE_NOTICE], 1);
	assert_int_equal(t->rejects, 1);
	assert_int_equal(model_reputation(m)->refusals, 2);
	assert_string_equal(model_reputation(m)->d[0].domain, "domain.com");
	model_free(m);
	free(text);
	text = test_read_file("tests/fixtures/corpus/crowdsec-hub-postfix.log", NULL);	/* crowdsecurity/hub's */
	m = model_new(NULL, TEST_REFERENCE);
	test_each_line(text, model_add_line_cb, m);
	t = model_totals(m);
	assert_int_equal(t->malformed_lines, 0);
	assert_int_equal(t->sasl_failures, 1);
	assert_int_equal(t->rejects, 1);
	model_free(m);
	free(text);
}

/* normal_day - 24 hours of ordinary traffic, in the lines Postfix writes (as
 * recorded in the lab captures): 40 users sending now and then, roaming
 * between home, office and a phone whose IPv6 privacy address changes with
 * every message; a newsletter account sending 150 messages over five hours;
 * each message through a content filter (its copy re-injected, "queued as");
 * a few bounces and their notices; a web shop's order mails through sendmail */
static void normal_day(struct model *m)
{
	char line[400];
	unsigned id = 0x100000;
	for (int minute = 0; minute < 24 * 60; minute += 7) {
		int h = minute / 60, mi = minute % 60, u = (minute / 7) % 40;
		const char *who = u % 3 == 0 ? "office" : u % 3 == 1 ? "home" : "phone";
		char ip[64];
		if (u % 3 == 2)
			snprintf(ip, sizeof(ip), "2001:db8:%x:1:%x:%x:1:2", u, minute, minute * 7);
		else
			snprintf(ip, sizeof(ip), "198.51.%d.%d", u % 3 == 0 ? 100 : 101, u + (minute % 3));
		unsigned orig = id++, copy = id++;
		snprintf(line, sizeof(line), "Nov 23 %02d:%02d:01 mx postfix/smtpd[1]: %X: client=%s[%s], sasl_method=LOGIN, "
			 "sasl_username=user%d@example.org", h, mi, orig, who, ip, u);
		add(m, line);
		snprintf(line, sizeof(line), "Nov 23 %02d:%02d:01 mx postfix/qmgr[3]: %X: from=<user%d@example.org>, size=900, "
			 "nrcpt=1 (queue active)", h, mi, orig, u);
		add(m, line);
		snprintf(line, sizeof(line), "Nov 23 %02d:%02d:02 mx postfix/10025/smtpd[4]: %X: client=localhost[127.0.0.1]",
			 h, mi, copy);
		add(m, line);
		snprintf(line, sizeof(line), "Nov 23 %02d:%02d:02 mx postfix/qmgr[3]: %X: from=<user%d@example.org>, size=1200, "
			 "nrcpt=1 (queue active)", h, mi, copy, u);
		add(m, line);
		snprintf(line, sizeof(line), "Nov 23 %02d:%02d:02 mx postfix/smtp[5]: %X: to=<friend%d@remote.example>, "
			 "relay=127.0.0.1[127.0.0.1]:10024, delay=1, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as %X)",
			 h, mi, orig, u, copy);
		add(m, line);
		snprintf(line, sizeof(line), "Nov 23 %02d:%02d:02 mx postfix/qmgr[3]: %X: removed", h, mi, orig);
		add(m, line);
		int bounce = minute % 140 == 0;
		snprintf(line, sizeof(line), "Nov 23 %02d:%02d:03 mx postfix/smtp[6]: %X: to=<friend%d@remote.example>, "
			 "relay=mx.remote.example[192.0.2.25]:25, delay=2, dsn=%s, status=%s", h, mi, copy, u,
			 bounce ? "5.1.1" : "2.0.0", bounce ? "bounced (host said: 550 5.1.1 unknown user)" : "sent (250 ok)");
		add(m, line);
		if (bounce) {
			unsigned notice = id++;
			snprintf(line, sizeof(line), "Nov 23 %02d:%02d:03 mx postfix/bounce[7]: %X: sender non-delivery "
				 "notification: %X", h, mi, copy, notice);
			add(m, line);
			snprintf(line, sizeof(line), "Nov 23 %02d:%02d:03 mx postfix/qmgr[3]: %X: from=<>, size=3000, nrcpt=1 "
				 "(queue active)", h, mi, notice);
			add(m, line);
		}
		snprintf(line, sizeof(line), "Nov 23 %02d:%02d:03 mx postfix/qmgr[3]: %X: removed", h, mi, copy);
		add(m, line);
		if (minute % 35 == 0) {	/* the shop's order confirmation */
			snprintf(line, sizeof(line), "Nov 23 %02d:%02d:04 mx postfix/pickup[8]: %X: uid=33 from=<shop@example.org>",
				 h, mi, id++);
			add(m, line);
		}
	}
	for (int k = 0; k < 150; k++) {	/* the newsletter: 150 over five hours, one address */
		snprintf(line, sizeof(line), "Nov 23 %02d:%02d:30 mx postfix/smtpd[1]: %X: client=news[203.0.113.5], "
			 "sasl_method=LOGIN, sasl_username=news@example.org", 9 + k / 30, (k % 30) * 2, id++);
		add(m, line);
	}
}

/* a day of ordinary traffic names no suspect and leaves check OK; the lab's
 * outbreak after it is still named, with its exact counts */
static void a_normal_day_names_no_suspect_and_the_outbreak_after_it_is_named(void **state)
{
	(void)state;
	struct model *m = model_new(NULL, TEST_REFERENCE);
	normal_day(m);
	const struct model_totals *t = model_totals(m);
	assert_true(t->messages > 300);
	assert_true(t->filter_copies > 200);
	assert_true(t->bounce_notices > 5);
	struct suspect sus[8];
	size_t n = default_suspects(m, sus, 8);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "unexpected suspect %s %s: %s\n", suspect_kind_name(sus[i].kind), sus[i].agg->key->s,
			sus[i].reasons[0]);
	assert_int_equal(n, 0);
	struct alert_config c;
	alert_config_default(&c);
	c.skip_queue = 1;
	struct alert_result r;
	alert_evaluate(&c, m, NULL, model_now(m), 15, &r);
	assert_int_equal(r.worst, ALERT_OK);
	alert_config_free(&c);
	struct source_stats st = {0};
	struct error err;
	assert_int_equal(ingest_file(m, "tests/fixtures/lab-outbreak.log", &st, &err), 0);
	n = default_suspects(m, sus, 8);
	assert_int_equal(n, 3);
	assert_int_equal(sus[0].kind, SUSPECT_SASL_USER);
	assert_string_equal(sus[0].agg->key->s, "victim@lab.example");
	assert_int_equal(sus[0].agg->msgs, 24);
	assert_int_equal(sus[0].agg->peak_window_sources, 5);
	assert_int_equal(sus[1].kind, SUSPECT_TRUSTED_RELAY);
	assert_int_equal(sus[1].agg->unauth_msgs, 12);
	assert_int_equal(sus[2].kind, SUSPECT_BRUTE_FORCE);
	assert_int_equal(sus[2].agg->sasl_failures, 4);
	model_free(m);
}

/* a log read twice (or a line repeated by a relay): the second client= line
 * of one message counts nothing again */
static void a_repeated_client_line_counts_the_message_once(void **state)
{
	(void)state;
	struct model *m = model_new(NULL, TEST_REFERENCE);
	const char *line = "Nov 24 10:00:00 mx postfix/smtpd[1]: 4B1C2D3E4F: client=u[192.0.2.1], sasl_method=LOGIN, sasl_username=ann";
	add(m, line);
	add(m, line);
	assert_int_equal(model_totals(m)->messages, 1);
	assert_int_equal(model_totals(m)->auth_messages, 1);
	assert_int_equal(find(m, AGG_SASL_USER, "ann")->msgs, 1);
	assert_int_equal(find(m, AGG_CLIENT_IP, "192.0.2.1")->msgs, 1);
	model_free(m);
}

/* an IP with as much authenticated as unauthenticated mail is a host of
 * users, not a relay: the relay rule wants mostly unauthenticated mail */
static void an_ip_with_as_much_authenticated_mail_is_no_relay(void **state)
{
	(void)state;
	struct model *m = model_new(NULL, TEST_REFERENCE);
	char line[200];
	for (int k = 0; k < 24; k++) {
		snprintf(line, sizeof(line), "Nov 24 10:00:%02d mx postfix/smtpd[1]: %05XABC: client=gw[192.0.2.7]%s", k, k,
			 k % 2 ? ", sasl_method=LOGIN, sasl_username=staff@example.org" : "");
		add(m, line);
	}
	struct detect_thresholds th;
	detect_thresholds_default(&th);
	struct suspect sus[4];
	size_t n = detect_suspects(m, &th, sus, 4);
	for (size_t i = 0; i < n; i++)
		assert_int_not_equal(sus[i].kind, SUSPECT_TRUSTED_RELAY);
	add(m, "Nov 24 10:00:30 mx postfix/smtpd[1]: FFFFFABC: client=gw[192.0.2.7]");	/* one more: mostly */
	n = detect_suspects(m, &th, sus, 4);
	int relay = 0;
	for (size_t i = 0; i < n; i++)
		relay += sus[i].kind == SUSPECT_TRUSTED_RELAY;
	assert_int_equal(relay, 1);
	model_free(m);
}

/* open_in_instance - open records of host 0 in one instance (a foreach callback) */
struct instance_count {
	int inst;
	int open;
};

static int count_open_in_instance(const struct msg_record *r, void *arg)
{
	struct instance_count *c = arg;
	c->open += r->instance == c->inst && !(r->flags & RF_REMOVED);
	return 0;
}

/* a real two-instance capture (postmulti's postfix-out beside the default):
 * each instance's messages are keyed by it, and postfix-out's deliveries,
 * logged as postfix/relay/smtp (Debian's master.cf), join their message */
static void each_instance_keys_its_messages_and_relay_lines_join_them(void **state)
{
	(void)state;
	char *text = test_read_file("tests/fixtures/lab-instances.log", NULL);
	struct model *m = model_new(NULL, TEST_REFERENCE);
	test_each_line(text, model_add_line_cb, m);
	int out_msgs = count_lines(text, "postfix-out/smtpd[", ": client=");
	int out_rcpts = count_lines(text, "postfix/relay/smtp[", "status=deferred");
	assert_int_equal(out_msgs, 6);
	assert_int_equal(out_rcpts, out_msgs);	/* no postfix-out/ delivery line at all */
	assert_int_equal(count_lines(text, "postfix-out/smtp", "status="), 0);
	assert_int_equal(model_instance_count(m), 2);
	int out = model_instance_find(m, "postfix-out");
	assert_int_equal(out, 1);
	assert_int_equal(model_instance_find(m, "postfix"), 0);
	struct instance_count c = {out, 0};
	model_foreach_record(m, count_open_in_instance, &c);
	assert_int_equal(c.open, out_msgs);
	int default_msgs = count_lines(text, "postfix/smtpd[", ": client=");
	assert_int_equal(model_totals(m)->messages, (uint64_t)(default_msgs + out_msgs));
	/* 24 of the account's messages with 2 recipients each in the default
	 * instance, 6 of 1 in postfix-out: every deferral is charged to it */
	const struct agg_stats *v = find(m, AGG_SASL_USER, "victim@lab.example");
	assert_int_equal(v->msgs, 30);
	assert_int_equal(v->deferred, 24 * 2 + out_rcpts);
	model_free(m);
	free(text);
}

/* a queue ID is unique within one instance only */
static void one_queue_id_in_two_instances_is_two_messages(void **state)
{
	(void)state;
	struct model *m = model_new(NULL, TEST_REFERENCE);
	add(m, "Nov 24 10:00:00 mx postfix/smtpd[1]: 4B1C2D3E4F: client=unknown[192.0.2.1], sasl_method=LOGIN, sasl_username=ann");
	add(m, "Nov 24 10:00:00 mx postfix-out/smtpd[2]: 4B1C2D3E4F: client=unknown[192.0.2.2], sasl_method=LOGIN, sasl_username=bob");
	add(m, "Nov 24 10:00:00 mx postfix/qmgr[3]: 4B1C2D3E4F: from=<ann@x.example>, size=10, nrcpt=1 (queue active)");
	add(m, "Nov 24 10:00:00 mx postfix-out/qmgr[4]: 4B1C2D3E4F: from=<bob@x.example>, size=20, nrcpt=3 (queue active)");
	add(m, "Nov 24 10:00:01 mx postfix-out/qmgr[4]: 4B1C2D3E4F: removed");
	assert_int_equal(model_totals(m)->messages, 2);
	const struct msg_record *ann = model_find_open_in(m, 0, 0, "4B1C2D3E4F");
	assert_non_null(ann);
	assert_string_equal(ann->sasl_user->s, "ann");
	assert_int_equal(ann->nrcpt, 1);
	assert_null(model_find_open_in(m, 0, 1, "4B1C2D3E4F"));	/* bob's ended */
	assert_int_equal(find(m, AGG_SASL_USER, "bob")->rcpts, 3);
	assert_int_equal(find(m, AGG_SASL_USER, "ann")->rcpts, 1);
	/* a delivery line under a third syslog_name joins the open one */
	add(m, "Nov 24 10:00:02 mx postfix-relay/smtp[5]: 4B1C2D3E4F: to=<r@y.example>, relay=none, delay=1, dsn=4.4.1, status=deferred (connect refused)");
	assert_int_equal(find(m, AGG_SASL_USER, "ann")->deferred, 1);
	assert_int_equal(find(m, AGG_SASL_USER, "bob")->deferred, 0);
	model_free(m);
}

static void a_copy_delivered_before_its_origins_queued_as_is_still_tied(void **state)
{
	(void)state;
	struct model_limits lim;
	model_limits_default(&lim);
	struct model *m = model_new(&lim, TEST_REFERENCE);
	add(m, "Nov 24 10:00:00 mail postfix/smtpd[1]: 85DD01041A2: client=unknown[192.0.2.7], sasl_method=LOGIN, sasl_username=bob");
	add(m, "Nov 24 10:00:00 mail postfix/cleanup[2]: 85DD01041A2: message-id=<m1@x>");
	add(m, "Nov 24 10:00:00 mail postfix/qmgr[3]: 85DD01041A2: from=<bob@x.example>, size=10, nrcpt=1 (queue active)");
	add(m, "Nov 24 10:00:01 mail postfix/10025/smtpd[4]: 8F04F1041B2: client=unknown[127.0.0.1]");
	add(m, "Nov 24 10:00:01 mail postfix/qmgr[3]: 8F04F1041B2: from=<bob@x.example>, size=10, nrcpt=1 (queue active)");
	add(m, "Nov 24 10:00:01 mail postfix/local[5]: 8F04F1041B2: to=<postmaster@x.example>, relay=local, delay=0, dsn=2.0.0, status=sent (delivered to mailbox)");
	add(m, "Nov 24 10:00:01 mail postfix/qmgr[3]: 8F04F1041B2: removed");
	add(m, "Nov 24 10:00:01 mail postfix/smtp[6]: 85DD01041A2: to=<postmaster@x.example>, relay=127.0.0.1[127.0.0.1]:10024, delay=1, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 8F04F1041B2)");
	const struct model_totals *t = model_totals(m);
	assert_int_equal(t->messages, 1);
	assert_int_equal(t->filter_copies, 1);
	assert_int_equal(t->sent, 1);	/* the hop to the filter is no delivery */
	assert_int_equal(find(m, AGG_CLIENT_IP, "127.0.0.1")->msgs, 0);
	assert_int_equal(find(m, AGG_CLIENT_IP, "127.0.0.1")->peak_1m, 0);
	assert_int_equal(find(m, AGG_SENDER, "bob@x.example")->msgs, 1);
	assert_int_equal(find(m, AGG_SASL_USER, "bob")->sent, 1);
	model_free(m);
}

static void a_queued_messages_reject_is_charged_to_its_own_client(void **state)
{
	(void)state;
	struct model_limits lim;
	model_limits_default(&lim);
	struct model *m = model_new(&lim, TEST_REFERENCE);
	add(m, "Nov 24 10:00:00 mail postfix/smtpd[1]: 85DD01041A2: client=unknown[203.0.113.9]");
	add(m, "Nov 24 10:00:00 mail postfix/cleanup[2]: 85DD01041A2: reject: header Subject: hi from "
	       "x[192.0.2.1]; from=<a@b> from unknown[203.0.113.9]; from=<a@b> to=<c@d> proto=ESMTP "
	       "helo=<h>: 5.7.1 message content rejected");
	assert_int_equal(find(m, AGG_CLIENT_IP, "203.0.113.9")->rejects, 1);
	assert_null(find(m, AGG_CLIENT_IP, "192.0.2.1"));
	model_free(m);
}

/* one message on a host, second i, queue ID 4B1C2D3E<round> (reused by every host) */
static void host_message(struct model *m, const char *host, const char *user, int i, int round)
{
	char line[512];
	snprintf(line, sizeof(line), "Nov 24 10:00:%02d %s postfix/smtpd[1]: 4B1C2D3E%02d: client=unknown[192.0.2.%d], "
		 "sasl_method=LOGIN, sasl_username=%s", i, host, round, i + 1, user);
	add(m, line);
	snprintf(line, sizeof(line), "Nov 24 10:00:%02d %s postfix/qmgr[2]: 4B1C2D3E%02d: from=<%s>, size=100, nrcpt=%d (queue active)",
		 i, host, round, user, i + 1);
	add(m, line);
}

/* a central syslog file (rsyslog collecting three servers): each line's host
 * name is its host, a queue ID reused on each is three messages, and the
 * figures are those of the same lines read as three named sources */
static void a_central_log_is_split_by_the_host_each_line_was_logged_by(void **state)
{
	(void)state;
	static const char *hosts[] = {"mx1", "mx2", "mx3"};
	struct model *central = model_new(NULL, TEST_REFERENCE), *named = model_new(NULL, TEST_REFERENCE);
	for (int i = 0; i < 9; i++)
		host_message(central, hosts[i % 3], i % 3 == 1 ? "bob@x.example" : "ann@x.example", i, i / 3);
	for (int h = 0; h < 3; h++) {
		model_set_host(named, model_add_host(named, hosts[h]));
		for (int i = h; i < 9; i += 3)
			host_message(named, hosts[h], h == 1 ? "bob@x.example" : "ann@x.example", i, i / 3);
	}
	assert_int_equal(model_host_count(central), 3);
	assert_int_equal(model_totals(central)->messages, 9);
	assert_false(model_host_0_is_here(central));	/* three other servers: none is this one */
	assert_true(model_host_0_is_here(named));	/* the first named source is, by definition */
	for (int h = 0; h < 3; h++) {
		int c = model_host_by_name(central, hosts[h]), n = model_host_by_name(named, hosts[h]);
		assert_int_equal(c, h);
		const char *user = h == 1 ? "bob@x.example" : "ann@x.example";
		const struct agg_stats *a = model_agg_find_host(central, c, AGG_SASL_USER, user, strlen(user));
		const struct agg_stats *b = model_agg_find_host(named, n, AGG_SASL_USER, user, strlen(user));
		assert_non_null(a);
		assert_non_null(b);
		assert_int_equal(a->msgs, 3);
		assert_int_equal(a->msgs, b->msgs);
		assert_int_equal(a->rcpts, b->rcpts);
		assert_int_equal(a->distinct_ips, b->distinct_ips);
		const struct msg_record *r = model_find_open_host(central, c, "4B1C2D3E02");
		assert_non_null(r);
		assert_string_equal(r->sasl_user->s, user);	/* never another host's line */
	}
	assert_null(model_agg_find_host(central, 1, AGG_SASL_USER, "ann@x.example", 13));
	model_free(central);
	model_free(named);
}

/* on a central log the lines of this machine are host 0 (the live queue joins
 * its records) even when another server's lines come first; a log of one
 * host name, whatever it is, stays one host */
static void this_machine_is_host_0_of_a_central_log_and_a_copied_log_is_one_host(void **state)
{
	(void)state;
	char self[MODEL_HOST_NAME] = "";
	assert_int_equal(gethostname(self, sizeof(self) - 1), 0);
	self[strcspn(self, ".")] = 0;
	char fqdn[MODEL_HOST_NAME + 16];
	snprintf(fqdn, sizeof(fqdn), "%s.lab.example", self);	/* rsyslog may log the full name */
	struct model *m = model_new(NULL, TEST_REFERENCE);
	host_message(m, "other-mx", "ann@x.example", 0, 0);
	host_message(m, "other-mx", "ann@x.example", 1, 1);
	host_message(m, fqdn, "bob@x.example", 2, 1);
	host_message(m, "third-mx", "ann@x.example", 3, 1);
	assert_int_equal(model_host_count(m), 3);
	assert_string_equal(model_host_name(m, 0), fqdn);
	assert_true(model_host_0_is_here(m));
	assert_int_equal(model_agg_find(m, AGG_SASL_USER, "bob@x.example", 13)->msgs, 1);
	assert_null(model_agg_find(m, AGG_SASL_USER, "ann@x.example", 13));
	int other = model_host_by_name(m, "other-mx");
	assert_true(other > 0);
	assert_int_equal(model_agg_find_host(m, other, AGG_SASL_USER, "ann@x.example", 13)->msgs, 2);
	const struct msg_record *r = model_find_open(m, "4B1C2D3E01");	/* the queue joins this one */
	assert_string_equal(r->sasl_user->s, "bob@x.example");
	assert_int_equal(model_find_open_host(m, other, "4B1C2D3E01")->host, other);
	assert_string_equal(model_find_open_host(m, other, "4B1C2D3E01")->sasl_user->s, "ann@x.example");
	/* each host's newest Postfix line follows its name through the swap (check's log age) */
	int third = model_host_by_name(m, "third-mx");
	assert_true(model_host_last_time(m, other) > 0);
	assert_int_equal(model_host_last_time(m, 0) - model_host_last_time(m, other), 1);	/* 10:00:02, 10:00:01 */
	assert_int_equal(model_host_last_time(m, third) - model_host_last_time(m, 0), 1);	/* 10:00:03 */
	model_free(m);

	m = model_new(NULL, TEST_REFERENCE);	/* a server's log read on an admin's laptop */
	host_message(m, "faraway-mx", "ann@x.example", 0, 0);
	host_message(m, "faraway-mx.example.org", "bob@x.example", 1, 1);	/* its syslog now logs the full name */
	assert_int_equal(model_host_count(m), 1);
	assert_int_equal(model_agg_find(m, AGG_SASL_USER, "ann@x.example", 13)->msgs, 1);
	model_free(m);
}

/* naming sources (--source NAME=PATH) decides the hosts: the lines' names are not read */
static void named_sources_decide_the_hosts_not_the_logged_names(void **state)
{
	(void)state;
	struct model *m = model_new(NULL, TEST_REFERENCE);
	model_set_host(m, model_add_host(m, "site-a"));
	host_message(m, "mx1", "ann@x.example", 0, 0);
	host_message(m, "mx2", "bob@x.example", 1, 1);
	assert_int_equal(model_host_count(m), 1);
	assert_string_equal(model_host_name(m, 0), "site-a");
	model_free(m);
}

/* past MODEL_MAX_HOSTS machines the lines are counted and ignored, never merged into another's */
static void lines_of_hosts_past_the_limit_are_counted_not_merged(void **state)
{
	(void)state;
	struct model *m = model_new(NULL, TEST_REFERENCE);
	char host[32];
	for (int h = 0; h < MODEL_MAX_HOSTS + 2; h++) {
		snprintf(host, sizeof(host), "mx%d", h);
		host_message(m, host, "ann@x.example", h % 60, 0);
	}
	assert_int_equal(model_host_count(m), MODEL_MAX_HOSTS);
	assert_int_equal(model_totals(m)->too_many_hosts, 4);	/* two lines each of two */
	assert_int_equal(model_totals(m)->messages, MODEL_MAX_HOSTS);
	for (int h = 0; h < MODEL_MAX_HOSTS; h++)
		assert_int_equal(model_agg_find_host(m, h, AGG_SASL_USER, "ann@x.example", 13)->msgs, 1);
	model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(xforward_filter_copies_are_tied_by_orig_queue_id),
		cmocka_unit_test(plain_filter_copies_are_tied_by_queued_as),
		cmocka_unit_test(a_copy_delivered_before_its_origins_queued_as_is_still_tied),
		cmocka_unit_test(a_queued_messages_reject_is_charged_to_its_own_client),
		cmocka_unit_test(sasl_users_messages_are_joined_across_smtpd_cleanup_qmgr_and_smtp),
		cmocka_unit_test(trusted_relay_ip_counts_unauthenticated_and_null_sender_mail),
		cmocka_unit_test(qmgr_retries_do_not_count_a_message_twice),
		cmocka_unit_test(reused_queue_id_after_removed_starts_a_new_record),
		cmocka_unit_test(two_hosts_keep_their_own_records_and_aggregates_for_one_queue_id),
		cmocka_unit_test(lines_before_since_are_counted_and_skipped),
		cmocka_unit_test(collecting_drops_cold_keys_and_keeps_heavy_and_referenced_ones),
		cmocka_unit_test(collecting_keeps_exactly_the_busiest_senders_whatever_their_order),
		cmocka_unit_test(endless_new_senders_stay_under_the_key_limit),
		cmocka_unit_test(lines_out_of_order_still_join),
		cmocka_unit_test(open_records_are_capped_and_evictions_counted),
		cmocka_unit_test(rates_cover_one_five_and_fifteen_minutes_of_log_time),
		cmocka_unit_test(three_failures_in_twenty_minutes_flag_brute_force_but_spread_ones_do_not),
		cmocka_unit_test(brute_force_ip_remembers_the_account_it_attacks),
		cmocka_unit_test(imap_and_pop3_failed_logins_are_brute_force_that_postfix_cannot_block),
		cmocka_unit_test(failures_of_an_account_where_it_logged_in_before_are_its_own_device),
		cmocka_unit_test(a_login_read_before_earlier_failures_does_not_make_them_the_accounts_own),
		cmocka_unit_test(a_login_noted_outlives_a_collection_of_its_strings),
		cmocka_unit_test(a_login_after_failed_logins_from_that_address_is_evidence_against_the_account),
		cmocka_unit_test(smtp_auth_after_failures_counts_and_old_failures_do_not),
		cmocka_unit_test(the_lab_imap_break_in_is_brute_force_and_evidence_against_the_account),
		cmocka_unit_test(a_trusted_relay_at_this_machines_loopback_is_said_to_be_a_local_process),
		cmocka_unit_test(imap_failures_from_this_machine_are_no_brute_force_source),
		cmocka_unit_test(the_heaviest_suspects_are_kept_whatever_the_scan_order),
		cmocka_unit_test(a_busy_day_alone_makes_no_suspect),
		cmocka_unit_test(postsuper_lines_mark_records_and_close_deleted_ones),
		cmocka_unit_test(a_message_refused_or_discarded_at_the_end_of_data_ends_there),
		cmocka_unit_test(a_dovecot_submission_is_charged_to_its_account_and_the_address_that_logged_in),
		cmocka_unit_test(a_relay_line_read_before_postfix_lines_charges_the_message_when_they_come),
		cmocka_unit_test(a_dovecot_outbreak_names_the_account_not_the_proxy_as_a_trusted_relay),
		cmocka_unit_test(a_relay_line_after_removed_is_charged_and_an_xclient_account_is_not_counted_twice),
		cmocka_unit_test(a_filter_copy_tied_before_dovecots_relay_line_takes_the_account),
		cmocka_unit_test(the_lab_dovecot_capture_charges_every_relay_to_its_account),
		cmocka_unit_test(dovecot_failed_logins_are_sasl_failures_of_the_address_that_tried),
		cmocka_unit_test(a_pipe_filters_copy_through_sendmail_is_the_senders_in_either_order),
		cmocka_unit_test(a_local_message_of_another_sender_is_no_pipe_filters_copy),
		cmocka_unit_test(mail_delivered_here_is_no_relaying),
		cmocka_unit_test(smtp_to_the_inside_server_for_our_domain_is_mail_for_us),
		cmocka_unit_test(mail_a_pipe_delivers_to_a_mailbox_program_is_mail_for_us),
		cmocka_unit_test(a_held_back_destination_is_judged_by_its_domain),
		cmocka_unit_test(a_relay_is_judged_on_the_mail_it_relays),
		cmocka_unit_test(a_pipe_filters_copy_of_a_message_without_message_id_is_tied_by_sender),
		cmocka_unit_test(id_less_copies_of_one_sender_are_tied_to_their_own_originals),
		cmocka_unit_test(a_local_message_is_no_id_less_copy_unless_its_sender_matches),
		cmocka_unit_test(the_lab_pipe_filter_capture_ties_every_copy),
		cmocka_unit_test(the_lab_before_queue_filter_capture_charges_the_front_clients),
		cmocka_unit_test(huge_fields_are_cut_and_counted_not_stored_whole),
		cmocka_unit_test(address_domain_is_lower_cased_and_empty_for_null_sender),
		cmocka_unit_test(each_instance_keys_its_messages_and_relay_lines_join_them),
		cmocka_unit_test(one_queue_id_in_two_instances_is_two_messages),
		cmocka_unit_test(force_expired_is_an_expiry_not_a_new_message),
		cmocka_unit_test(impossible_time_stamps_are_counted_and_ignored),
		cmocka_unit_test(a_console_running_for_days_keeps_counting_the_lines_written_now),
		cmocka_unit_test(bounce_notices_are_named_in_the_totals),
		cmocka_unit_test(a_user_whose_name_differs_only_in_case_is_one_account),
		cmocka_unit_test(web_app_uid_is_named_and_a_requeued_message_is_its_original),
		cmocka_unit_test(a_roaming_user_is_no_suspect_and_a_spread_burst_is),
		cmocka_unit_test(refusals_for_reputation_are_counted_by_destination_domain),
		cmocka_unit_test(a_published_exporter_corpus_reads_with_its_own_expected_counts),
		cmocka_unit_test(a_second_exporter_corpus_reads_with_its_own_expected_counts),
		cmocka_unit_test(a_normal_day_names_no_suspect_and_the_outbreak_after_it_is_named),
		cmocka_unit_test(a_repeated_client_line_counts_the_message_once),
		cmocka_unit_test(an_ip_with_as_much_authenticated_mail_is_no_relay),
		cmocka_unit_test(a_central_log_is_split_by_the_host_each_line_was_logged_by),
		cmocka_unit_test(this_machine_is_host_0_of_a_central_log_and_a_copied_log_is_one_host),
		cmocka_unit_test(named_sources_decide_the_hosts_not_the_logged_names),
		cmocka_unit_test(lines_of_hosts_past_the_limit_are_counted_not_merged),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
