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

static void every_line_arrives_once_in_order_across_blocks_and_a_long_line(void **state)
{
	(void)state;
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
	struct line_source *src = source_open(path, 0, &err);
	assert_non_null(src);
	struct seen s = {0};
	assert_int_equal(parse_ahead_run(src, TEST_REFERENCE, count_in_order, &s, &err), 0);
	source_close(src);
	assert_int_equal(s.lines, 20000);
	assert_int_equal(s.postfix, 20000);
	assert_int_equal(s.out_of_order, 0);
	assert_true(s.longest > 1500000);
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
		cmocka_unit_test(the_recorded_outbreak_reads_the_same_on_two_cores_as_line_by_line),
	};
	return cmocka_run_group_tests(tests, test_dir_setup, test_dir_teardown);
}
