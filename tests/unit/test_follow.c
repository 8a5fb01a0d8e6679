/*
 * test_follow - following a growing log: appends, unended lines, rename and
 * copytruncate rotation, a file that vanishes and returns, start at the end,
 * reading in slices, over-long lines.
 */
#include "testutil.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/logs/follow.h"

static struct test_lines got;

static const char *path(const char *name)
{
	static char p[2][128];
	static int k;
	k ^= 1;
	snprintf(p[k], sizeof(p[k]), "%s/%s", test_dir(), name);
	return p[k];
}

static void append(const char *name, const char *text)
{
	FILE *f = fopen(path(name), "ab");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static struct log_follow *open_log(const char *name, int from_start)
{
	struct error err;
	test_lines_reset(&got);
	struct log_follow *f = follow_open(path(name), from_start, 64, &err);
	assert_non_null(f);
	return f;
}

static void poll_all(struct log_follow *f)
{
	struct error err;
	assert_true(follow_poll(f, 0, test_collect_line, &got, &err) >= 0);
}

static void appended_lines_are_read_once_and_unended_line_waits(void **state)
{
	(void)state;
	append("a.log", "one\ntwo\n");
	struct log_follow *f = open_log("a.log", 1);
	poll_all(f);
	assert_string_equal(got.text, "one|two|");
	append("a.log", "thr");
	poll_all(f);
	assert_string_equal(got.text, "one|two|");
	append("a.log", "ee\n");
	poll_all(f);
	poll_all(f);
	assert_string_equal(got.text, "one|two|three|");
	assert_int_equal(follow_stats(f).lines, 3);
	follow_close(f);
}

static void rename_rotation_drains_old_file_then_reads_new_from_start(void **state)
{
	(void)state;
	append("r.log", "a\nb\n");
	struct log_follow *f = open_log("r.log", 1);
	poll_all(f);
	assert_int_equal(rename(path("r.log"), path("r.log.1")), 0);
	append("r.log.1", "late\nhalf");	/* the writer had not reopened yet */
	append("r.log", "new1\nnew2\n");
	poll_all(f);
	assert_string_equal(got.text, "a|b|late|half|new1|new2|");
	assert_int_equal(follow_stats(f).rotations, 1);
	assert_int_equal(follow_stats(f).partial_lines, 1);
	append("r.log", "new3\n");
	poll_all(f);
	assert_string_equal(got.text, "a|b|late|half|new1|new2|new3|");
	follow_close(f);
}

static void copytruncate_rotation_reads_the_file_again_from_start(void **state)
{
	(void)state;
	append("t.log", "old1\nold2\n");
	struct log_follow *f = open_log("t.log", 1);
	poll_all(f);
	assert_int_equal(truncate(path("t.log"), 0), 0);
	poll_all(f);
	append("t.log", "fresh\n");
	poll_all(f);
	assert_string_equal(got.text, "old1|old2|fresh|");
	assert_int_equal(follow_stats(f).truncations, 1);
	follow_close(f);
}

static void vanished_file_is_read_from_start_when_it_returns(void **state)
{
	(void)state;
	append("v.log", "x\n");
	struct log_follow *f = open_log("v.log", 1);
	poll_all(f);
	assert_int_equal(unlink(path("v.log")), 0);
	poll_all(f);
	append("v.log", "back\n");
	poll_all(f);
	assert_string_equal(got.text, "x|back|");
	follow_close(f);
}

static void file_replaced_by_a_directory_is_an_error_until_it_comes_back(void **state)
{
	(void)state;
	append("d.log", "first\n");
	struct log_follow *f = open_log("d.log", 1);
	poll_all(f);
	assert_int_equal(unlink(path("d.log")), 0);
	assert_int_equal(mkdir(path("d.log"), 0755), 0);
	struct error err = {""};
	assert_int_equal(follow_poll(f, 0, test_collect_line, &got, &err), -1);
	assert_non_null(strstr(err.msg, "not a regular file"));
	assert_int_equal(follow_poll(f, 0, test_collect_line, &got, &err), -1);	/* still, and no crash */
	assert_int_equal(rmdir(path("d.log")), 0);
	append("d.log", "back\n");
	poll_all(f);
	assert_string_equal(got.text, "first|back|");
	follow_close(f);
}

static void missing_file_is_an_error_value_not_a_crash(void **state)
{
	(void)state;
	struct error err = {""};
	assert_null(follow_open(path("absent.log"), 1, 0, &err));
	assert_non_null(strstr(err.msg, "absent.log"));
	assert_null(follow_open(test_dir(), 1, 0, &err));
	assert_non_null(strstr(err.msg, "not a regular file"));
}

static void start_at_end_skips_history(void **state)
{
	(void)state;
	append("e.log", "history\n");
	struct log_follow *f = open_log("e.log", 0);
	poll_all(f);
	append("e.log", "live\n");
	poll_all(f);
	assert_string_equal(got.text, "live|");
	follow_close(f);
}

static void budget_reads_history_in_slices_and_reports_backlog(void **state)
{
	(void)state;
	for (int i = 0; i < 100; i++)
		append("b.log", "0123456789\n");	/* 11 bytes a line */
	struct log_follow *f = open_log("b.log", 1);
	struct error err;
	assert_int_equal(follow_backlog(f), 1100);
	long n = follow_poll(f, 110, test_collect_line, &got, &err);
	assert_int_equal(n, 10);
	assert_int_equal(follow_backlog(f), 990);
	while (follow_backlog(f) > 0)
		assert_true(follow_poll(f, 110, test_collect_line, &got, &err) >= 0);
	assert_int_equal(follow_stats(f).lines, 100);
	follow_close(f);
}

static void over_long_line_is_cut_and_the_next_line_kept(void **state)
{
	(void)state;
	char big[300];
	memset(big, 'A', sizeof(big) - 2);
	big[sizeof(big) - 2] = '\n';
	big[sizeof(big) - 1] = 0;
	append("l.log", big);
	append("l.log", "after\n");
	struct log_follow *f = open_log("l.log", 1);
	poll_all(f);
	assert_int_equal(follow_stats(f).long_lines, 1);
	assert_int_equal(follow_stats(f).lines, 2);
	assert_non_null(strstr(got.text, "|after|"));
	assert_int_equal(strchr(got.text, '|') - got.text, 64);	/* cut at max_line */
	follow_close(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(appended_lines_are_read_once_and_unended_line_waits),
		cmocka_unit_test(rename_rotation_drains_old_file_then_reads_new_from_start),
		cmocka_unit_test(copytruncate_rotation_reads_the_file_again_from_start),
		cmocka_unit_test(vanished_file_is_read_from_start_when_it_returns),
		cmocka_unit_test(file_replaced_by_a_directory_is_an_error_until_it_comes_back),
		cmocka_unit_test(missing_file_is_an_error_value_not_a_crash),
		cmocka_unit_test(start_at_end_skips_history),
		cmocka_unit_test(budget_reads_history_in_slices_and_reports_backlog),
		cmocka_unit_test(over_long_line_is_cut_and_the_next_line_kept),
	};
	return cmocka_run_group_tests(tests, test_dir_setup, test_dir_teardown);
}
