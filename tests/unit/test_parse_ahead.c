/*
 * test_parse_ahead - the two-core history read gives the model exactly what
 * the one-line-at-a-time read gives: every line, in order, across many
 * blocks and past a line of 1.5 MB, and the recorded outbreak's figures.
 */
#include "testutil.h"

#include "core/model/ingest.h"
#include "core/logs/parse_ahead.h"

struct seen {
	long lines, postfix, out_of_order, last;
	size_t longest;
};

static void count_in_order(const struct parsed_line *p, void *arg)
{
	struct seen *s = arg;
	char number[9] = "";
	memcpy(number, p->line + p->len - 8, 8);	/* each line ends with its number */
	long n = strtol(number, NULL, 10);
	if (n != s->last + 1)
		s->out_of_order++;
	s->last = n;
	s->lines++;
	s->postfix += p->st == LINE_POSTFIX;
	if (p->len > s->longest)
		s->longest = p->len;
}

/* every_line_in_order - 20 000 lines with a 1.5 MB one among them, read ahead */
static void every_line_in_order(void)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/many.log", test_dir());
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	for (long i = 1; i <= 20000; i++) {
		if (i == 7777)	/* a subject-sized monster in the middle */
			fprintf(f, "Nov 24 10:00:00 mx postfix/cleanup[2]: 4B1C2D3E4F: warning: header Subject: %0*d %08ld\n",
				1500000, 0, i);
		else
			fprintf(f, "Nov 24 10:00:00 mx postfix/smtpd[1]: connect from unknown[192.0.2.%ld] %08ld\n", i % 250, i);
	}
	assert_int_equal(fclose(f), 0);
	struct error err = {""};
	struct ahead_input in = {.src = source_open(path, 0, &err)};
	assert_non_null(in.src);
	struct seen s = {0};
	assert_int_equal(parse_ahead_merge(&in, 1, TEST_REFERENCE, count_in_order, NULL, &s, &err), 0);
	assert_null(in.src);
	assert_int_equal(in.stats.lines, 20000);
	assert_int_equal(s.lines, 20000);
	assert_int_equal(s.postfix, 20000);
	assert_int_equal(s.out_of_order, 0);
	assert_true(s.longest > 1500000);
}

static void every_line_arrives_once_in_order_across_blocks_and_a_long_line(void **state)
{
	(void)state;
	every_line_in_order();
}

/* with_no_parser_thread - body run as when none could be started: the calling
 * thread reads and parses every block itself, the turns it takes when the
 * parser is behind */
static void with_no_parser_thread(void (*body)(void))
{
	parse_ahead_set_threads(0);
	body();
	parse_ahead_set_threads(-1);
}

static void with_no_parser_thread_the_caller_reads_every_line_itself_in_order(void **state)
{
	(void)state;
	with_no_parser_thread(every_line_in_order);
}

/* write_numbered - lines stamped 10:00:00 + t seconds for t = first, first + step, ... (n of
 * them), each ending with its rank in the time order of all the files (t + 1) */
static void write_numbered(const char *path, long first, long step, long n, int garbage_first)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	if (garbage_first)	/* no time: applied as soon as its stream is looked at, rank 0 */
		fprintf(f, "\x01garbage without a stamp %08d\n", 0);
	for (long t = first; t < first + n * step; t += step)
		fprintf(f, "Nov 24 %02ld:%02ld:%02ld mx postfix/smtpd[1]: connect from unknown[192.0.2.1] %08ld\n",
			10 + t / 3600, t / 60 % 60, t % 60, t + 1);
	assert_int_equal(fclose(f), 0);
}

/*
 * Two logs, one of them rotated: a.log.1 then a.log (stream 0) hold the even
 * seconds, b.log (stream 1) the odd ones. Every line is applied once, in
 * the order of their times, across blocks; a line without a stamp goes when
 * its stream is reached; a file that cannot be read leaves the rest read.
 */
static void two_logs_merged(void)
{
	char a1[128], a[128], b[128];
	snprintf(a1, sizeof(a1), "%s/a.log.1", test_dir());
	snprintf(a, sizeof(a), "%s/a.log", test_dir());
	snprintf(b, sizeof(b), "%s/b.log", test_dir());
	write_numbered(a1, 0, 2, 3000, 0);	/* seconds 0 .. 5998 */
	write_numbered(a, 6000, 2, 3000, 0);	/* 6000 .. 11998 */
	write_numbered(b, 1, 2, 6000, 1);	/* 1 .. 11999 */
	struct error err = {""};
	struct ahead_input in[3] = {
		{.src = source_open(a1, 0, &err), .stream = 0},
		{.src = source_open(a, 0, &err), .stream = 0},
		{.src = source_open(b, 0, &err), .stream = 1},
	};
	struct seen s = {.last = -1};
	assert_int_equal(parse_ahead_merge(in, 3, TEST_REFERENCE, count_in_order, NULL, &s, &err), 0);
	assert_int_equal(s.lines, 12001);
	assert_int_equal(s.postfix, 12000);
	assert_int_equal(s.out_of_order, 0);
	assert_int_equal(in[0].stats.lines + in[1].stats.lines + in[2].stats.lines, 12001);
	/* through the model: a file missing among them is told, the others read whole */
	struct model *m = model_new(NULL, TEST_REFERENCE);
	const char *paths[] = {a1, "/nonexistent/mail.log", a, b};
	const int stream[] = {0, 0, 0, 1};
	struct source_stats st = {0};
	assert_int_equal(ingest_files(m, paths, stream, 4, 0, &st, &err), -1);
	assert_non_null(strstr(err.msg, "cannot open /nonexistent/mail.log"));
	assert_int_equal(st.lines, 12001);
	assert_int_equal(model_totals(m)->connects, 12000);
	model_free(m);
}

static void two_logs_are_merged_by_their_lines_times_and_rotations_read_in_turn(void **state)
{
	(void)state;
	two_logs_merged();
}

static void two_logs_are_merged_alike_with_no_parser_thread(void **state)
{
	(void)state;
	with_no_parser_thread(two_logs_merged);
}

/*
 * Within one second Postfix's lines go first, whatever the order of the
 * files: Dovecot's relay line follows Postfix's lines of the message it
 * relayed, and must find the message open. The lab's real logs, named
 * Dovecot's file first, charged 25 of the account's 54 messages without it.
 */
static void in_the_same_second_postfix_lines_go_before_dovecots(void **state)
{
	(void)state;
	char pf[128], dv[128];
	snprintf(pf, sizeof(pf), "%s/mail.log", test_dir());
	snprintf(dv, sizeof(dv), "%s/dovecot.log", test_dir());
	FILE *f = fopen(pf, "w");
	assert_non_null(f);
	fputs("Dec  3 12:00:01 mx postfix/smtpd[7]: 4A0001: client=localhost[127.0.0.1]\n"
	      "Dec  3 12:00:01 mx postfix/cleanup[8]: 4A0001: message-id=<m1@x>\n"
	      "Dec  3 12:00:01 mx postfix/qmgr[9]: 4A0001: from=<bob@x>, size=10, nrcpt=1 (queue active)\n", f);
	assert_int_equal(fclose(f), 0);
	assert_non_null(f = fopen(dv, "w"));
	fputs("Dec 03 12:00:01 submission(bob@x)<17><sess>: Info: Successfully relayed message: from=<bob@x>, "
	      "size=10, id=T1, nrcpt=1, reply=`250 2.0.0 Ok: queued as 4A0001'\n", f);
	assert_int_equal(fclose(f), 0);
	struct model *m = model_new(NULL, TEST_REFERENCE);
	const char *paths[] = {dv, pf};
	const int stream[] = {0, 1};
	struct source_stats st = {0};
	struct error err = {""};
	assert_int_equal(ingest_files(m, paths, stream, 2, 0, &st, &err), 0);
	assert_int_equal(model_totals(m)->proxied_messages, 1);
	assert_int_equal(model_agg_find(m, AGG_SASL_USER, "bob@x", 5)->msgs, 1);
	model_free(m);
}

static void model_add_line_cb(const char *line, size_t len, void *arg)
{
	model_add_line(arg, line, len);
}

static void the_recorded_outbreak_reads_the_same_on_two_cores_as_line_by_line(void **state)
{
	(void)state;
	char *text = test_read_file("tests/fixtures/lab-outbreak.log", NULL);
	struct model *one = model_new(NULL, TEST_REFERENCE), *two = model_new(NULL, TEST_REFERENCE);
	test_each_line(text, model_add_line_cb, one);
	struct source_stats st = {0};
	struct error err = {""};
	assert_int_equal(ingest_file(two, "tests/fixtures/lab-outbreak.log", &st, &err), 0);
	const struct model_totals *a = model_totals(one), *b = model_totals(two);
	assert_int_equal(a->lines, b->lines);
	assert_int_equal(a->postfix_lines, b->postfix_lines);
	assert_int_equal(a->messages, b->messages);
	assert_int_equal(a->sasl_failures, b->sasl_failures);
	assert_int_equal(a->rcpts, b->rcpts);
	assert_int_equal(a->deferred, b->deferred);
	assert_int_equal(memcmp(a->events, b->events, sizeof(a->events)), 0);
	assert_int_equal(model_agg_find(two, AGG_SASL_USER, "victim@lab.example", 18)->msgs, 24);
	assert_int_equal(model_agg_find(one, AGG_SASL_USER, "victim@lab.example", 18)->msgs, 24);
	model_free(one);
	model_free(two);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_line_arrives_once_in_order_across_blocks_and_a_long_line),
		cmocka_unit_test(with_no_parser_thread_the_caller_reads_every_line_itself_in_order),
		cmocka_unit_test(the_recorded_outbreak_reads_the_same_on_two_cores_as_line_by_line),
		cmocka_unit_test(two_logs_are_merged_by_their_lines_times_and_rotations_read_in_turn),
		cmocka_unit_test(two_logs_are_merged_alike_with_no_parser_thread),
		cmocka_unit_test(in_the_same_second_postfix_lines_go_before_dovecots),
	};
	return cmocka_run_group_tests(tests, test_dir_setup, test_dir_teardown);
}
