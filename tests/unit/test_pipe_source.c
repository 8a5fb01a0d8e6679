/*
 * test_pipe_source - a program's output as log lines: every line, in order,
 * the last one even without a newline; its end and exit status as an error
 * value; a program that writes nothing does not block the caller; one that
 * cannot be run says so; an open stream (standard input) is read the same way.
 */
#include "testutil.h"

#include <unistd.h>

#include "core/logs/pipe_source.h"

static struct test_lines got;

/* drain - poll until the program ends (10 s at most); returns the last error */
static void drain(struct pipe_source *p, struct error *err)
{
	for (int i = 0; i < 1000 && !pipe_source_ended(p); i++)
		if (pipe_source_poll(p, 0, test_collect_line, &got, err) == 0)
			usleep(10000);
}

static void every_line_arrives_in_order_and_the_end_is_an_error_value(void **state)
{
	(void)state;
	test_lines_reset(&got);
	char *argv[] = {"sh", "-c", "printf 'one\\ntwo\\n'; sleep 0.1; printf 'three\\nlast'; echo oops >&2; exit 3", NULL};
	struct error err = {""};
	struct pipe_source *p = pipe_source_start(argv, 0, &err);
	assert_non_null(p);
	drain(p, &err);
	assert_true(pipe_source_ended(p));
	assert_string_equal(got.text, "one|two|three|last|");
	assert_string_equal(err.msg, "sh ended with status 3: oops");
	assert_int_equal(pipe_source_poll(p, 0, test_collect_line, &got, &err), -1);
	pipe_source_close(p);
}

static void a_quiet_program_does_not_block_and_is_stopped_on_close(void **state)
{
	(void)state;
	char *argv[] = {"sleep", "30", NULL};
	struct error err;
	struct pipe_source *p = pipe_source_start(argv, 0, &err);
	assert_non_null(p);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(pipe_source_poll(p, 0, test_collect_line, &got, &err), 0);
	pipe_source_close(p);	/* SIGTERM, reaped */
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(t1.tv_sec - t0.tv_sec < 2);
}

static void a_stream_is_read_without_blocking_and_its_end_is_no_error(void **state)
{
	(void)state;
	test_lines_reset(&got);
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	struct error err = {""};
	struct pipe_source *p = pipe_source_from_fd(fds[0], "standard input", 0, &err);
	assert_non_null(p);
	assert_int_equal(pipe_source_poll(p, 0, test_collect_line, &got, &err), 0);	/* quiet: no wait */
	assert_int_equal(write(fds[1], "one\ntw", 6), 6);
	assert_int_equal(pipe_source_poll(p, 0, test_collect_line, &got, &err), 1);
	assert_int_equal(write(fds[1], "o\nend", 5), 5);
	close(fds[1]);
	drain(p, &err);
	assert_true(pipe_source_ended(p));
	assert_string_equal(got.text, "one|two|end|");
	assert_string_equal(err.msg, "");
	pipe_source_close(p);
}

static void a_program_that_cannot_run_says_so(void **state)
{
	(void)state;
	char *argv[] = {"spamtop-no-such-journalctl", NULL};
	struct error err = {""};
	struct pipe_source *p = pipe_source_start(argv, 0, &err);
	assert_non_null(p);
	drain(p, &err);
	assert_string_equal(err.msg, "cannot run spamtop-no-such-journalctl: No such file or directory");
	assert_int_equal(pipe_source_exit_status(p), 127);
	pipe_source_close(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_line_arrives_in_order_and_the_end_is_an_error_value),
		cmocka_unit_test(a_quiet_program_does_not_block_and_is_stopped_on_close),
		cmocka_unit_test(a_stream_is_read_without_blocking_and_its_end_is_no_error),
		cmocka_unit_test(a_program_that_cannot_run_says_so),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
