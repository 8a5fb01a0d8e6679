/*
 * test_program_lines - a program's output read as a line source (the
 * journal's history, merged with files): every line in order, its exit as
 * an error value with the first of what it wrote to its error output, free
 * of control characters; a program that writes much there does not block
 * the read; one that cannot run says so before anything is read.
 */
#include "testutil.h"

#include "core/logs/program_lines.h"

static struct test_lines got;

/* read_all - every line of the program's output, then its end */
static int read_all(struct program_lines *p, struct error *err)
{
	struct line_source *src = program_lines_source(p);
	const char *line;
	size_t len;
	test_lines_reset(&got);
	while (source_next(src, &line, &len, err) > 0)
		test_collect_line(line, len, &got);
	source_close(src);
	return program_lines_end(p, err);
}

static void every_line_is_read_in_order_and_a_clean_exit_is_no_error(void **state)
{
	(void)state;
	char *argv[] = {"printf", "one\\ntwo\\nlast", NULL};
	struct error err = {""};
	struct program_lines *p = program_lines_start(argv, &err);
	assert_non_null(p);
	assert_int_equal(read_all(p, &err), 0);
	assert_string_equal(got.text, "one|two|last|");
}

static void a_failing_exit_is_an_error_with_its_words_on_one_clean_line(void **state)
{
	(void)state;
	char *argv[] = {"sh", "-c", "echo line; printf 'No journal\\033[2J files\\nwere found.\\n' >&2; exit 1", NULL};
	struct error err = {""};
	struct program_lines *p = program_lines_start(argv, &err);
	assert_non_null(p);
	assert_int_equal(read_all(p, &err), -1);
	assert_string_equal(got.text, "line|");
	assert_string_equal(err.msg, "sh ended with status 1: No journal [2J files were found.");
}

static void much_error_output_does_not_block_the_read(void **state)
{
	(void)state;
	/* 1 MB on stderr before the one line: through a pipe nobody reads, the program would hang */
	char *argv[] = {"sh", "-c", "head -c 1048576 /dev/zero | tr '\\0' x >&2; echo after", NULL};
	struct error err = {""};
	struct program_lines *p = program_lines_start(argv, &err);
	assert_non_null(p);
	assert_int_equal(read_all(p, &err), 0);
	assert_string_equal(got.text, "after|");
}

static void a_program_that_cannot_run_says_so(void **state)
{
	(void)state;
	char *argv[] = {"spamtop-no-such-program", NULL};
	struct error err = {""};
	assert_null(program_lines_start(argv, &err));
	assert_string_equal(err.msg, "cannot run spamtop-no-such-program: No such file or directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_line_is_read_in_order_and_a_clean_exit_is_no_error),
		cmocka_unit_test(a_failing_exit_is_an_error_with_its_words_on_one_clean_line),
		cmocka_unit_test(much_error_output_does_not_block_the_read),
		cmocka_unit_test(a_program_that_cannot_run_says_so),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
