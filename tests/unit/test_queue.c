/*
 * test_queue - the queue snapshot from real postqueue -j and -p output of the
 * lab's queue, selections over it, postcat attributes and postsuper output.
 */
#include "testutil.h"

#include "core/base/clock.h"

#include <unistd.h>

#include "core/queue/action.h"
#include "core/model/ingest.h"
#include "core/queue/queue.h"
#include "core/queue/select.h"

static struct queue_snapshot *from_json(void)
{
	struct queue_snapshot *q = queue_snapshot_new();
	char *text = test_read_file("tests/fixtures/lab-postqueue.jsonl", NULL);
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
		assert_int_equal(queue_add_json(q, line, strlen(line)), 0);
	free(text);
	return q;
}

static size_t count_sender(const struct queue_snapshot *q, const char *sender)
{
	size_t n = 0;
	for (size_t i = 0; i < q->count; i++)
		n += strcmp(q->msgs[i].sender->s, sender) == 0;
	return n;
}

static void json_listing_gives_every_message_with_queue_size_sender_and_recipients(void **state)
{
	(void)state;
	struct queue_snapshot *q = from_json();
	assert_int_equal(q->count, 39);
	assert_int_equal(q->by_queue[QN_DEFERRED], 39);
	assert_int_equal(q->bad_lines, 0);
	assert_int_equal(count_sender(q, ""), 4);	/* MAILER-DAEMON is the null sender */
	assert_int_equal(count_sender(q, "offers@bulk-mailer.example"), 8);
	assert_int_equal(count_sender(q, "alice@lab.example"), 3);
	size_t two = 0;
	for (size_t i = 0; i < q->count; i++) {
		assert_true(q->msgs[i].size > 400);
		assert_non_null(q->msgs[i].delay_reason);
		assert_string_equal(q->msgs[i].delay_reason->s, "connect to 127.0.0.1[127.0.0.1]:2599: Connection refused");
		two += q->msgs[i].nrcpt == 2;
	}
	assert_int_equal(two, 24);	/* the victim's messages had two recipients each */
	queue_snapshot_free(q);
}

static void plain_listing_matches_the_json_listing(void **state)
{
	(void)state;
	struct queue_snapshot *j = from_json(), *p = queue_snapshot_new();
	size_t len = 0;
	char *text = test_read_file("tests/fixtures/lab-postqueue.txt", &len);
	assert_int_equal(queue_add_listing(p, text, len), 0);
	assert_int_equal(p->count, j->count);
	assert_int_equal(p->bad_lines, 0);
	for (size_t i = 0; i < j->count; i++) {
		const struct queued_msg *a = &j->msgs[i], *b = queue_find(p, a->qid);
		assert_non_null(b);
		assert_int_equal(b->size, a->size);
		assert_string_equal(b->sender->s, a->sender->s);
		assert_int_equal(b->nrcpt, a->nrcpt);
		assert_string_equal(b->delay_reason->s, a->delay_reason->s);
		struct strview ra = queue_recipients(j, a), rb = queue_recipients(p, b);
		assert_int_equal(ra.len, rb.len);
		assert_memory_equal(ra.ptr, rb.ptr, ra.len);
		assert_int_equal(b->queue, QN_DEFERRED);
	}
	free(text);
	queue_snapshot_free(j);
	queue_snapshot_free(p);
}

/* postqueue -p gives no year: the listing's stamp is this year's unless that
 * is more than two days ahead of the clock (then last year's), so a message
 * queued on New Year's Eve and listed after midnight is not a year old */
static void a_listing_stamp_takes_the_year_the_clock_gives(void **state)
{
	(void)state;
	static const char listing[] =
		"-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------\n"
		"ABCDE12345*     445 Thu Dec 31 23:59:00  a@b.example\n"
		"                                         c@d.example\n\n"
		"BCDEF23456      500 Tue Nov 24 23:12:29  x@y.example\n"
		"                                         c@d.example\n\n"
		"-- 1 Kbytes in 2 Requests.\n";
	int64_t expect[][3] = {
		{1798763400, 1798761540, 1795561949},	/* 2027-01-01 00:30: both of 2026 */
		{1781524800, 1767225540, 1764025949},	/* 2026-06-15: both ahead, so both of 2025 */
		{1795564800, 1767225540, 1795561949},	/* 2026-11-25 00:00: Nov 24 of 2026, Dec 31 of 2025 */
	};
	for (size_t k = 0; k < sizeof(expect) / sizeof(expect[0]); k++) {
		clock_fix(expect[k][0]);
		struct queue_snapshot *q = queue_snapshot_new();
		assert_int_equal(queue_add_listing(q, listing, sizeof(listing) - 1), 0);
		clock_fix(0);
		assert_int_equal(q->count, 2);
		assert_int_equal(q->msgs[0].arrival, expect[k][1]);
		assert_int_equal(q->msgs[1].arrival, expect[k][2]);
		queue_snapshot_free(q);
	}
}

static void held_and_active_marks_and_empty_queue_are_read(void **state)
{
	(void)state;
	struct queue_snapshot *q = queue_snapshot_new();
	const char *listing =
		"-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------\n"
		"ABCDE12345!     445 Tue Nov 24 23:12:29  MAILER-DAEMON\n"
		"                                         a@b.example\n\n"
		"BCDEF23456*     500 Tue Nov 24 23:12:30  x@y.example\n"
		"                                         c@d.example\n\n"
		"-- 1 Kbytes in 2 Requests.\n";
	queue_add_listing(q, listing, strlen(listing));
	assert_int_equal(q->count, 2);
	assert_int_equal(q->msgs[0].queue, QN_HOLD);
	assert_string_equal(q->msgs[0].sender->s, "");
	assert_int_equal(q->msgs[1].queue, QN_ACTIVE);
	assert_null(q->msgs[1].delay_reason);
	queue_snapshot_free(q);
	q = queue_snapshot_new();
	queue_add_listing(q, "Mail queue is empty\n", 20);
	assert_int_equal(q->count, 0);
	assert_int_equal(q->bad_lines, 0);
	queue_snapshot_free(q);
}

static void hostile_json_lines_are_counted_not_trusted(void **state)
{
	(void)state;
	struct queue_snapshot *q = queue_snapshot_new();
	const char *bad[] = {
		"", "{", "[]", "{\"queue_id\": 5}", "{\"queue_id\": \"x;rm -rf /\"}",
		"{\"queue_id\": \"ABCDE12345\n\"}", "\x01\x02garbage",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(queue_add_json(q, bad[i], strlen(bad[i])), -1);
	assert_int_equal(q->bad_lines, 7);
	assert_int_equal(q->count, 0);
	const char *odd = "{\"queue_id\":\"ABCDE12345\",\"queue_name\":\"weird\",\"sender\":\"\\u001b[2J@x\","
			  "\"recipients\":[{\"address\":\"a@b\"},{\"nope\":1}]}";
	assert_int_equal(queue_add_json(q, odd, strlen(odd)), 0);
	assert_int_equal(q->msgs[0].queue, QN_OTHER);
	assert_int_equal(q->msgs[0].nrcpt, 1);
	queue_snapshot_free(q);
}

static void age_histogram_uses_qshape_buckets(void **state)
{
	(void)state;
	struct queue_snapshot *q = queue_snapshot_new();
	int64_t now = 1795564800;
	int ages_min[] = {0, 4, 7, 30, 2000, 5, 10};	/* 5 and 10: a bucket's limit is its first age out */
	char line[128];
	for (int i = 0; i < 7; i++) {
		snprintf(line, sizeof(line), "{\"queue_id\":\"ABCDE1234%d\",\"queue_name\":\"deferred\",\"arrival_time\":%lld}",
			 i, (long long)(now - ages_min[i] * 60));
		assert_int_equal(queue_add_json(q, line, strlen(line)), 0);
	}
	size_t h[QUEUE_AGE_BUCKETS];
	queue_age_histogram(q, now, h);
	assert_int_equal(h[0], 2);	/* < 5 min */
	assert_int_equal(h[1], 2);	/* < 10: 7, and 5 exactly */
	assert_int_equal(h[2], 1);	/* < 20: 10 exactly */
	assert_int_equal(h[3], 1);	/* < 40 */
	assert_int_equal(h[9], 1);	/* 1280+ */
	queue_snapshot_free(q);
}

static void join_with_log_gives_user_and_ip_and_selection_finds_them(void **state)
{
	(void)state;
	test_use_utc();
	struct queue_snapshot *q = from_json();
	struct model *m = model_new(NULL, TEST_REFERENCE);
	struct source_stats st = {0};
	struct error err;
	assert_int_equal(ingest_file(m, "tests/fixtures/lab-outbreak.log", &st, &err), 0);
	queue_join(q, m);
	struct selection s = {.sasl_user = "victim@lab.example"};
	assert_int_equal(selection_compile(&s, &err), 0);
	struct id_list ids = {0};
	assert_int_equal(selection_collect(&s, q, &ids, &err), 0);
	assert_int_equal(ids.count, 24);
	id_list_free(&ids);
	struct selection ip = {.client_ip = "127.0.0.2", .sender = "<>"};
	selection_collect(&ip, q, &ids, &err);
	assert_int_equal(ids.count, 4);
	id_list_free(&ids);
	struct selection ip_alone = {.client_ip = "127.0.0.2"};	/* the trusted relay's, nothing else */
	selection_collect(&ip_alone, q, &ids, &err);
	assert_int_equal(ids.count, 12);
	id_list_free(&ids);
	struct selection dom_alone = {.sender_domain = "CHEAP-PILLS.example"};	/* any case */
	selection_collect(&dom_alone, q, &ids, &err);
	assert_int_equal(ids.count, 24);
	id_list_free(&ids);
	struct selection dom = {.sender_domain = "CHEAP-PILLS.example", .match = "victims1\\.example$"};
	assert_int_equal(selection_compile(&dom, &err), 0);
	selection_collect(&dom, q, &ids, &err);
	assert_int_equal(ids.count, 8);
	id_list_free(&ids);
	selection_free(&dom);
	selection_free(&s);
	model_free(m);
	queue_snapshot_free(q);
}

static void invalid_ids_and_patterns_are_refused_with_a_message(void **state)
{
	(void)state;
	struct error err;
	const char *ids[] = {"ABCDE12345", "ABC;rm\x1b[2J"};
	struct selection s = {.ids = ids, .nids = 2};
	assert_int_equal(selection_compile(&s, &err), -1);
	assert_string_equal(err.msg, "'ABC;rm?[2J' is not a Postfix queue ID (short: upper-case hex; long: digits and consonants, z before the inode)");
	struct selection r = {.match = "(unclosed"};
	assert_int_equal(selection_compile(&r, &err), -1);
	assert_non_null(strstr(err.msg, "--match pattern: missing closing parenthesis"));
}

struct attrs {
	int n;
	char seen[8][3][64];
};

static void collect_attr(const char *qid, const char *name, const char *value, void *arg)
{
	struct attrs *a = arg;
	if (a->n < 8 && (strcmp(name, "sasl_username") == 0 || strcmp(name, "client_address") == 0)) {
		snprintf(a->seen[a->n][0], 64, "%s", qid);
		snprintf(a->seen[a->n][1], 64, "%s", name);
		snprintf(a->seen[a->n][2], 64, "%s", value);
		a->n++;
	}
}

static void postcat_output_gives_each_files_sasl_user_and_client_address(void **state)
{
	(void)state;
	size_t len = 0;
	char *text = test_read_file("tests/fixtures/lab-postcat.txt", &len);
	struct attrs a = {0};
	postcat_attributes(text, len, collect_attr, &a);
	assert_int_equal(a.n, 3);	/* the victim's: user and address; the relay's: address only */
	assert_string_equal(a.seen[0][1], "sasl_username");
	assert_string_equal(a.seen[0][2], "victim@lab.example");
	assert_string_equal(a.seen[1][1], "client_address");
	assert_true(strncmp(a.seen[1][2], "127.0.0.1", 9) == 0);
	assert_string_equal(a.seen[2][2], "127.0.0.2");
	assert_string_not_equal(a.seen[0][0], a.seen[2][0]);
	free(text);
}

/* named_values - one name's reports (POSTCAT_PICKUP_UID ...), as "QID=VALUE;" */
struct named_values {
	const char *name;
	char got[256];
};

static void collect_named(const char *qid, const char *name, const char *value, void *arg)
{
	struct named_values *nv = arg;
	if (strcmp(name, nv->name) == 0) {
		size_t n = strlen(nv->got);
		snprintf(nv->got + n, sizeof(nv->got) - n, "%s=%s;", qid, value);
	}
}

/* the uid of pickup's Received header, and only when it is the file's first
 * header: a real web application's message and alice's (SMTP) one, then a
 * message whose own text imitates pickup's header after the real first one */
static void postcat_gives_the_uid_of_pickups_first_received_header_only(void **state)
{
	(void)state;
	size_t len = 0;
	char *text = test_read_file("tests/fixtures/lab-webapp-postcat.txt", &len);
	struct named_values uid = {POSTCAT_PICKUP_UID, ""};
	postcat_attributes(text, len, collect_named, &uid);
	assert_string_equal(uid.got, "38246102375=33;");
	free(text);
	static const char forged[] =
		"*** ENVELOPE RECORDS deferred/3/4B1C2D3E4F ***\n"
		"sender: x@y.example\n"
		"*** MESSAGE CONTENTS deferred/3/4B1C2D3E4F ***\n"
		"Received: from host (unknown [192.0.2.1])\n"
		"Received: by mx (Postfix, from userid 33)\n"
		"*** HEADER EXTRACTED deferred/3/4B1C2D3E4F ***\n"
		"*** ENVELOPE RECORDS deferred/5/5C2D3E4F5A ***\n"
		"*** MESSAGE CONTENTS deferred/5/5C2D3E4F5A ***\n"
		"Received: by mx (Postfix, from userid 33x)\n"
		"*** ENVELOPE RECORDS deferred/6/6D3E4F5A6B ***\n"
		"*** MESSAGE CONTENTS deferred/6/6D3E4F5A6B ***\n"
		"Received: by mx (Postfix, from userid 1000)";	/* cut short: no newline */
	uid.got[0] = 0;
	postcat_attributes(forged, sizeof(forged) - 1, collect_named, &uid);
	assert_string_equal(uid.got, "6D3E4F5A6B=1000;");
}

/* a real message relayed by Dovecot's submission service: Postfix's own
 * Received header ("by ... with ESMTP id QID") gives its queue ID by another
 * name, Dovecot's folded "id TRANS" line the ID its log line names with the
 * account */
static void postcat_gives_the_ids_of_dovecots_and_postfixs_received_headers(void **state)
{
	(void)state;
	size_t len = 0;
	char *text = test_read_file("tests/fixtures/lab-dovecot-postcat.txt", &len);
	struct named_values id = {POSTCAT_RECEIVED_ID, ""};
	postcat_attributes(text, len, collect_named, &id);
	assert_string_equal(id.got, "C21C3102626=+hBCLxZZEWvQBgAAg+zDdQ;");
	/* Postfix's own: the queue ID its smtpd gave, under another name (a pipe
	 * filter's copy of a message without Message-ID is proven by it) */
	struct named_values by = {POSTCAT_RECEIVED_BY_ID, ""};
	postcat_attributes(text, len, collect_named, &by);
	assert_string_equal(by.got, "C21C3102626=C21C3102626;");
	free(text);
	char *log = test_read_file("tests/fixtures/lab-dovecot.log", &len);
	assert_non_null(strstr(log, "id=+hBCLxZZEWvQBgAAg+zDdQ, nrcpt=1, reply=`250 2.0.0 Ok: "));
	assert_non_null(strstr(log, "bytes queued as C21C3102626'"));
	free(log);
	static const char copy[] =	/* smtpd.c's "by" line for one recipient, and for several (";") */
		"*** ENVELOPE RECORDS deferred/7/7A1B2C3D4E ***\n"
		"*** MESSAGE CONTENTS deferred/7/7A1B2C3D4E ***\n"
		"Received: by mx (Postfix, from userid 65534)\n"
		"\tid 7A1B2C3D4E; Mon, 24 Nov 2026 12:00:01 +0000 (UTC)\n"
		"Received: from h (unknown [192.0.2.5])\n"
		"\tby mx.example (Postfix) with ESMTPSA id 5A0001F00D\n"
		"\tfor <a@y.example>; Mon, 24 Nov 2026 12:00:00 +0000 (UTC)\n"
		"Received: from h (unknown [192.0.2.6])\n"
		"\tby mx.example (Postfix) with ESMTPSA id 5A0002F00D;\n";
	by.got[0] = 0;
	postcat_attributes(copy, sizeof(copy) - 1, collect_named, &by);
	assert_string_equal(by.got, "7A1B2C3D4E=5A0001F00D;7A1B2C3D4E=5A0002F00D;");
	/* an envelope's or a body's "id" line is no Received header's */
	static const char other[] =
		"*** ENVELOPE RECORDS deferred/3/4B1C2D3E4F ***\n"
		"\tid NOTAHEADER\n"
		"*** MESSAGE CONTENTS deferred/3/4B1C2D3E4F ***\n"
		"Subject: hello\n"
		"\tid FOLDEDSUBJECT\n"
		"*** HEADER EXTRACTED deferred/3/4B1C2D3E4F ***\n"
		"Received: from x\n"
		"\tid INBODY\n";
	id.got[0] = 0;
	postcat_attributes(other, sizeof(other) - 1, collect_named, &id);
	assert_string_equal(id.got, "");
}

static void postsuper_output_sorts_ids_into_changed_and_reads_the_total(void **state)
{
	(void)state;
	struct action_outcome o = {0};
	const char *out = "postsuper: 31C49102266: removed\npostsuper: 32016102221: removed\n"
			  "postsuper: warning: invalid mail queue id: x;rm\npostsuper: Deleted: 2 messages\n";
	action_parse_output(ACT_DELETE, 0, out, strlen(out), &o);
	assert_int_equal(o.changed.count, 2);
	assert_int_equal(o.reported, 2);
	assert_non_null(strstr(buf_str(&o.messages), "invalid mail queue id"));
	struct action_plan p = {.action = ACT_DELETE};
	id_list_add(&p.ids, "31C49102266");
	id_list_add(&p.ids, "32016102221");
	id_list_add(&p.ids, "ABCDE12345");	/* gone before we came */
	id_list_add(&p.ids, "BCDEF23456");	/* still queued: not changed */
	struct queue_snapshot *after = queue_snapshot_new();
	const char *still = "{\"queue_id\":\"BCDEF23456\",\"queue_name\":\"hold\"}";
	queue_add_json(after, still, strlen(still));
	action_classify(&p, &o, after);
	assert_int_equal(o.gone.count, 1);
	assert_string_equal(o.gone.ids[0], "ABCDE12345");
	assert_int_equal(o.unchanged.count, 1);
	assert_string_equal(o.unchanged.ids[0], "BCDEF23456");
	queue_snapshot_free(after);
	action_outcome_free(&o);
	action_plan_free(&p);
	struct action_outcome h = {0};
	out = "postsuper: Placed on hold: 39 messages\n";
	action_parse_output(ACT_HOLD, 0, out, strlen(out), &h);
	assert_int_equal(h.reported, 39);
	assert_int_equal(h.changed.count, 0);
	action_outcome_free(&h);
}

static void a_selection_becomes_a_command_line_quoted_for_a_shell(void **state)
{
	(void)state;
	const char *ids[] = {"1A2B3C4D5E"};
	struct selection sel = {.ids = ids, .nids = 1, .sasl_user = "it's me", .sender_domain = "x.example"};
	struct buf out = BUF_INIT;
	selection_command(&sel, "delete", &out);
	assert_string_equal(buf_str(&out), "spamtop delete --id '1A2B3C4D5E' --sasl-user 'it'\\''s me' "
					   "--sender-domain 'x.example'");
	buf_reset(&out);
	struct selection hostile = {.sender = "$(reboot)`id`;\"\n"};
	selection_command(&hostile, "hold", &out);
	assert_string_equal(buf_str(&out), "spamtop hold --sender '$(reboot)`id`;\"\n'");
	buf_free(&out);
}

static void hold_all_touches_everything_but_hold_and_release_only_hold(void **state)
{
	(void)state;
	assert_true(action_applies_to(ACT_HOLD, QN_DEFERRED));
	assert_false(action_applies_to(ACT_HOLD, QN_HOLD));
	assert_true(action_applies_to(ACT_RELEASE, QN_HOLD));
	assert_false(action_applies_to(ACT_RELEASE, QN_ACTIVE));
	assert_true(action_applies_to(ACT_DELETE, QN_HOLD));
	struct action_plan p = {.action = ACT_RELEASE, .all = 1};
	char *argv[6];
	action_argv(&p, NULL, argv);
	assert_string_equal(argv[0], "postsuper");
	assert_string_equal(argv[1], "-H");
	assert_string_equal(argv[2], "ALL");
	assert_null(argv[3]);
}

static void postmulti_listing_gives_each_instance_and_its_config_directory(void **state)
{
	(void)state;
	static const char listing[] =
		"-               -               y         /etc/postfix\n"
		"postfix-out     mta             y         /etc/postfix-out\n"
		"postfix-in      mta             n         /srv/mail config/in\n"
		"garbage\n"
		"postfix-x       -               y         relative/dir\n";
	struct instance_set s;
	assert_int_equal(instance_parse_postmulti(&s, listing, sizeof(listing) - 1), 3);
	assert_int_equal(s.count, 3);
	assert_string_equal(instance_label(&s.at[0]), "default");
	assert_string_equal(s.at[0].config_dir, "");	/* no -c for the default */
	assert_string_equal(s.at[1].name, "postfix-out");
	assert_string_equal(s.at[1].config_dir, "/etc/postfix-out");
	assert_string_equal(s.at[1].syslog_name, "postfix-out");
	assert_string_equal(s.at[2].config_dir, "/srv/mail config/in");	/* disabled: still read */
	assert_int_equal(instance_by_syslog_name(&s, "postfix-out", 11), 1);
	assert_int_equal(instance_by_syslog_name(&s, "postfix-o", 9), -1);
	char *argv[3];
	assert_int_equal(instance_argv(&s.at[0], "postcat", argv), 1);
	assert_int_equal(instance_argv(&s.at[2], "postcat", argv), 3);
	assert_string_equal(argv[1], "-c");
	assert_string_equal(argv[2], "/srv/mail config/in");	/* one argument, blanks and all */
	assert_int_equal(instance_parse_postmulti(&s, "", 0), 1);	/* nothing: the default alone */
}

/* two_instance_queue - 4B1C2D3E4F in both instances, 5C2D3E4F5A in postfix-out only */
static struct queue_snapshot *two_instance_queue(void)
{
	struct queue_snapshot *q = queue_snapshot_new();
	static const char listing[] = "-  -  y  /etc/postfix\npostfix-out  mta  y  /etc/postfix-out\n";
	instance_parse_postmulti(&q->inst, listing, sizeof(listing) - 1);
	const char *a = "{\"queue_name\": \"deferred\", \"queue_id\": \"4B1C2D3E4F\", \"sender\": \"ann@x.example\", \"recipients\": []}";
	const char *b = "{\"queue_name\": \"hold\", \"queue_id\": \"4B1C2D3E4F\", \"sender\": \"bob@x.example\", \"recipients\": []}";
	const char *c = "{\"queue_name\": \"deferred\", \"queue_id\": \"5C2D3E4F5A\", \"sender\": \"bob@x.example\", \"recipients\": []}";
	assert_int_equal(queue_add_json(q, a, strlen(a)), 0);
	q->loading = 1;
	assert_int_equal(queue_add_json(q, b, strlen(b)), 0);
	assert_int_equal(queue_add_json(q, c, strlen(c)), 0);
	q->loading = 0;
	return q;
}

static void a_queue_id_is_found_in_its_own_instance_and_named_with_it(void **state)
{
	(void)state;
	struct queue_snapshot *q = two_instance_queue();
	assert_string_equal(queue_find_in(q, 0, "4B1C2D3E4F")->sender->s, "ann@x.example");
	assert_string_equal(queue_find_in(q, 1, "4B1C2D3E4F")->sender->s, "bob@x.example");
	assert_null(queue_find_in(q, 0, "5C2D3E4F5A"));
	assert_string_equal(queue_find(q, "5C2D3E4F5A")->sender->s, "bob@x.example");
	assert_string_equal(queue_find_ref(q, "postfix-out:4B1C2D3E4F")->sender->s, "bob@x.example");
	assert_string_equal(queue_find_ref(q, "default:4B1C2D3E4F")->sender->s, "ann@x.example");
	assert_null(queue_find_ref(q, "postfix-in:4B1C2D3E4F"));
	struct buf ref = BUF_INIT;
	queue_ref(q, queue_find_in(q, 1, "4B1C2D3E4F"), &ref);
	assert_string_equal(buf_str(&ref), "postfix-out:4B1C2D3E4F");
	buf_free(&ref);
	/* selections: by reference, by instance; each ID keeps its instance */
	const char *ids[] = {"postfix-out:4B1C2D3E4F"};
	struct selection sel = {.ids = ids, .nids = 1};
	struct error err;
	assert_int_equal(selection_compile(&sel, &err), 0);
	struct id_list got = {0};
	assert_int_equal(selection_collect(&sel, q, &got, &err), 0);
	assert_int_equal(got.count, 1);
	assert_int_equal(got.inst[0], 1);
	id_list_free(&got);
	struct selection by_inst = {.instance = "postfix-out"};
	assert_int_equal(selection_collect(&by_inst, q, &got, &err), 0);
	assert_int_equal(got.count, 2);
	assert_true(id_list_has_in(&got, 1, "5C2D3E4F5A"));
	assert_false(id_list_has_in(&got, 0, "4B1C2D3E4F"));
	id_list_free(&got);
	const char *bad[] = {"postfix-out:4b1c"};
	struct selection wrong = {.ids = bad, .nids = 1};
	assert_int_equal(selection_compile(&wrong, &err), -1);
	queue_snapshot_free(q);
}

/* a filter's re-injection smtpd logging under an admin's own syslog_name
 * (postfix-reinject), which is no instance's: its records join the instance
 * that queues their ID; an instance's own record of the same ID comes first,
 * and an ID queued in both instances is not guessed */
static void a_record_under_a_stray_syslog_name_joins_the_instance_that_queues_it(void **state)
{
	(void)state;
	test_use_utc();
	struct queue_snapshot *q = two_instance_queue();
	struct model *m = model_new(NULL, TEST_REFERENCE);
	static const char *const lines[] = {
		"Nov 25 10:00:00 mail postfix/smtpd[1]: 4B1C2D3E4F: client=unknown[192.0.2.1], sasl_method=LOGIN, "
		"sasl_username=ann@x.example",
		"Nov 25 10:00:01 mail postfix-reinject/smtpd[2]: 5C2D3E4F5A: client=unknown[127.0.0.1], sasl_method=LOGIN, "
		"sasl_username=eve@x.example",
		"Nov 25 10:00:02 mail postfix-out/smtpd[3]: 4B1C2D3E4F: client=unknown[192.0.2.3], sasl_method=LOGIN, "
		"sasl_username=bob@x.example",
	};
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		model_add_line(m, lines[i], strlen(lines[i]));
	queue_join(q, m);
	assert_string_equal(queue_find_in(q, 0, "4B1C2D3E4F")->sasl_user->s, "ann@x.example");
	assert_string_equal(queue_find_in(q, 1, "4B1C2D3E4F")->sasl_user->s, "bob@x.example");
	assert_string_equal(queue_find_in(q, 1, "5C2D3E4F5A")->sasl_user->s, "eve@x.example");
	const struct msg_record *stray = queue_record(q, m, queue_find_in(q, 1, "5C2D3E4F5A"));
	assert_non_null(stray);
	assert_ptr_equal(queue_find_record(q, m, stray), queue_find_in(q, 1, "5C2D3E4F5A"));
	/* the same ID logged under the stray name is queued in both instances: which one is not known */
	const char *both = "Nov 25 10:00:03 mail postfix-reinject/smtpd[2]: 4B1C2D3E4F: client=unknown[127.0.0.1]";
	model_add_line(m, both, strlen(both));
	const struct msg_record *r = model_find_open_in(m, 0, model_instance_find(m, "postfix-reinject"), "4B1C2D3E4F");
	assert_non_null(r);
	assert_null(queue_find_record(q, m, r));
	model_free(m);
	queue_snapshot_free(q);
}

/*
 * A log that began after the account's mail was queued (rotated, --since,
 * a console started with --from-end) does not say whose it is: a plan by
 * account or client reads those messages' files (the real postcat -eq of the
 * lab's queue, tests/fixtures/lab-postcat.txt) and takes those that match;
 * messages the log knows are never read for it
 */
static void a_plan_reads_the_files_of_messages_the_log_does_not_know(void **state)
{
	(void)state;
	test_use_utc();
	char dir[] = "/tmp/spamtop-test-unlogged.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *cwd = getcwd(NULL, 0), script[512];
	snprintf(script, sizeof(script), "echo \"$*\" >> %s/argv\ncat '%s/tests/fixtures/lab-postcat.txt'\n", dir, cwd);
	char *saved = test_fake_program(dir, "postcat", script);
	struct queue_snapshot *q = from_json();
	struct model *m = model_new(NULL, TEST_REFERENCE);	/* no log at all */
	queue_join(q, m);
	struct error err;
	struct selection user = {.sasl_user = "victim@lab.example"};
	assert_int_equal(selection_compile(&user, &err), 0);
	struct action_plan p;
	assert_int_equal(action_plan_build(&p, ACT_DELETE, 0, &user, q, &err), 0);
	assert_int_equal(p.selected, 0);	/* the log names none */
	assert_int_equal(p.unlogged_read, q->count);
	assert_int_equal(p.unlogged_kept, 1);
	assert_int_equal(p.ids.count, 1);
	assert_string_equal(p.ids.ids[0], "31C49102266");	/* its file names the account */
	struct buf out = BUF_INIT;
	action_plan_describe(&p, q, 10, &out);
	assert_non_null(strstr(buf_str(&out), "Not in the log: 39 queued messages read from their files; 1 of them match\n"));
	buf_free(&out);
	action_plan_free(&p);
	struct selection relay = {.client_ip = "127.0.0.2"};
	assert_int_equal(action_plan_build(&p, ACT_HOLD, 0, &relay, q, &err), 0);
	assert_int_equal(p.ids.count, 1);
	assert_string_equal(p.ids.ids[0], "E5F4C10226D");
	action_plan_free(&p);
	model_free(m);
	/* the whole log knows every queued message: nothing is read for that */
	m = model_new(NULL, TEST_REFERENCE);
	struct source_stats st = {0};
	assert_int_equal(ingest_file(m, "tests/fixtures/lab-outbreak.log", &st, &err), 0);
	queue_join(q, m);
	struct id_list ids = {0};
	assert_int_equal(selection_collect_unlogged(&user, q, &ids, &err), 0);
	assert_int_equal(ids.count, 0);
	id_list_free(&ids);
	model_free(m);
	/* nor for a selection the queue alone answers, log or not */
	m = model_new(NULL, TEST_REFERENCE);
	queue_join(q, m);
	struct selection sender = {.sender = "<>"};
	assert_int_equal(selection_collect_unlogged(&sender, q, &ids, &err), 0);
	assert_int_equal(ids.count, 0);
	selection_free(&user);
	model_free(m);
	queue_snapshot_free(q);
	setenv("PATH", saved, 1);
	free(saved);
	free(cwd);
	snprintf(script, sizeof(script), "rm -rf %s", dir);
	assert_int_equal(system(script), 0);
}

/* 200 000 lookups in a list of 100 000 IDs: hashed (the confirmation of an
 * outbreak's queue looked each postcat line up in lists this long) */
static void id_lists_find_each_id_in_its_instance_at_outbreak_size(void **state)
{
	(void)state;
	struct id_list l = {0};
	char id[16];
	for (int i = 0; i < 100000; i++) {
		snprintf(id, sizeof(id), "%011X", 0x100000 + i * 7919);
		assert_int_equal(id_list_add_in(&l, i % 2, id), 0);
	}
	clock_t t0 = clock();
	for (int i = 0; i < 100000; i++) {
		snprintf(id, sizeof(id), "%011X", 0x100000 + i * 7919);
		assert_true(id_list_has_in(&l, i % 2, id));
		assert_false(id_list_has_in(&l, 1 - i % 2, id));	/* the other instance's */
	}
	double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	assert_true(secs < 2.0);	/* linear search: minutes */
	assert_true(id_list_has(&l, "0000088D598"));	/* the 1000th, in any instance */
	assert_false(id_list_has(&l, "ABCDEF12345"));
	id_list_free(&l);
	assert_false(id_list_has(&l, "ABCDEF12345"));
}

/* Postfix before 3.1 has no postqueue -j: its "invalid option" sends the
 * reader to postqueue -p (the recorded listing), which gives the same queue */
static void postfix_before_3_1_is_read_through_postqueue_p(void **state)
{
	(void)state;
	char dir[] = "/tmp/spamtop-test-oldpf.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char script[512];
	char *cwd = getcwd(NULL, 0);
	snprintf(script, sizeof(script),
		 "case \"$1\" in -j) echo 'postqueue: invalid option -- '\"'\"'j'\"'\"'' >&2; exit 64 ;;\n"
		 "-p) cat '%s/tests/fixtures/lab-postqueue.txt' ;;\n*) exit 99 ;; esac\n", cwd);
	char *saved = test_fake_program(dir, "postqueue", script);
	struct queue_snapshot *q = queue_snapshot_new();
	struct error err;
	assert_int_equal(queue_load(q, 5000, &err), 0);
	assert_string_equal(q->method, "postqueue -p");
	struct queue_snapshot *j = from_json();	/* the same queue as postqueue -j gave it */
	assert_int_equal(q->count, j->count);
	assert_non_null(queue_find(q, "31C49102266"));
	assert_int_equal(queue_find(q, "31C49102266")->nrcpt, 2);
	queue_snapshot_free(j);
	queue_snapshot_free(q);
	setenv("PATH", saved, 1);
	free(saved);
	free(cwd);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void every_message_of_a_big_queue_is_found_by_its_id(void **state)
{
	(void)state;
	struct queue_snapshot *q = queue_snapshot_new();
	enum { N = 20000 };
	for (int i = 0; i < N; i++) {
		char line[160];
		int n = snprintf(line, sizeof(line), "{\"queue_name\": \"deferred\", \"queue_id\": \"%05X%X\", "
				 "\"sender\": \"s%d@x.example\", \"recipients\": []}", i % 0x100000, i + 1, i);
		assert_int_equal(queue_add_json(q, line, (size_t)n), 0);
	}
	assert_int_equal(q->count, N);
	for (int i = 0; i < N; i++) {
		char id[33], want[32];
		snprintf(id, sizeof(id), "%05X%X", i % 0x100000, i + 1);
		snprintf(want, sizeof(want), "s%d@x.example", i);
		const struct queued_msg *m = queue_find(q, id);
		assert_non_null(m);
		assert_string_equal(m->qid, id);
		assert_string_equal(m->sender->s, want);
	}
	assert_null(queue_find(q, "FFFFFFFFFF"));
	queue_snapshot_free(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(json_listing_gives_every_message_with_queue_size_sender_and_recipients),
		cmocka_unit_test(plain_listing_matches_the_json_listing),
		cmocka_unit_test(held_and_active_marks_and_empty_queue_are_read),
		cmocka_unit_test(a_listing_stamp_takes_the_year_the_clock_gives),
		cmocka_unit_test(hostile_json_lines_are_counted_not_trusted),
		cmocka_unit_test(age_histogram_uses_qshape_buckets),
		cmocka_unit_test(join_with_log_gives_user_and_ip_and_selection_finds_them),
		cmocka_unit_test(a_plan_reads_the_files_of_messages_the_log_does_not_know),
		cmocka_unit_test(invalid_ids_and_patterns_are_refused_with_a_message),
		cmocka_unit_test(postcat_output_gives_each_files_sasl_user_and_client_address),
		cmocka_unit_test(postcat_gives_the_uid_of_pickups_first_received_header_only),
		cmocka_unit_test(postcat_gives_the_ids_of_dovecots_and_postfixs_received_headers),
		cmocka_unit_test(postsuper_output_sorts_ids_into_changed_and_reads_the_total),
		cmocka_unit_test(a_selection_becomes_a_command_line_quoted_for_a_shell),
		cmocka_unit_test(hold_all_touches_everything_but_hold_and_release_only_hold),
		cmocka_unit_test(every_message_of_a_big_queue_is_found_by_its_id),
		cmocka_unit_test(postfix_before_3_1_is_read_through_postqueue_p),
		cmocka_unit_test(id_lists_find_each_id_in_its_instance_at_outbreak_size),
		cmocka_unit_test(postmulti_listing_gives_each_instance_and_its_config_directory),
		cmocka_unit_test(a_queue_id_is_found_in_its_own_instance_and_named_with_it),
		cmocka_unit_test(a_record_under_a_stray_syslog_name_joins_the_instance_that_queues_it),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
