/*
 * test_spawn - running programs without a shell, with input, deadlines and
 * errors as values; and the audit journal they are recorded in.
 */
#include "testutil.h"

#include "core/base/clock.h"

#include <jansson.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/journal.h"
#include "core/base/spawn.h"

static void stdin_bytes_reach_the_program_and_output_comes_back(void **state)
{
	(void)state;
	char *argv[] = {"cat", NULL};
	struct spawn_result r;
	struct error err;
	const char *ids = "ABCDE12345\nBCDEF23456\n";
	assert_int_equal(spawn_run(argv, ids, strlen(ids), 5000, &r, &err), 0);
	assert_true(r.exited);
	assert_int_equal(r.status, 0);
	assert_string_equal(buf_str(&r.out), ids);
	spawn_result_free(&r);
}

static void arguments_are_never_interpreted_by_a_shell(void **state)
{
	(void)state;
	char *argv[] = {"echo", "a;b", "$(id)", "`x`", "|", NULL};
	struct spawn_result r;
	struct error err;
	assert_int_equal(spawn_run(argv, NULL, 0, 5000, &r, &err), 0);
	assert_string_equal(buf_str(&r.out), "a;b $(id) `x` |\n");
	spawn_result_free(&r);
}

static void exit_status_and_stderr_are_captured(void **state)
{
	(void)state;
	char *argv[] = {"ls", "/nonexistent-spamtop", NULL};
	struct spawn_result r;
	struct error err;
	assert_int_equal(spawn_run(argv, NULL, 0, 5000, &r, &err), 0);
	assert_true(r.exited);
	assert_int_not_equal(r.status, 0);
	assert_non_null(strstr(buf_str(&r.err), "nonexistent-spamtop"));
	spawn_result_free(&r);
}

static void missing_program_is_an_error_value(void **state)
{
	(void)state;
	char *argv[] = {"no-such-program-spamtop", NULL};
	struct spawn_result r;
	struct error err = {""};
	assert_int_equal(spawn_run(argv, NULL, 0, 5000, &r, &err), -1);
	assert_string_equal(err.msg, "cannot run no-such-program-spamtop: No such file or directory");
}

/* PATH first, then where Postfix lives: a stand-in on PATH wins; a program
 * off PATH (postsuper is in /usr/sbin, not on every user's PATH) still runs */
static void a_program_is_found_on_path_first_then_where_postfix_lives(void **state)
{
	(void)state;
	char dir[] = "/tmp/spamtop-path.XXXXXX", script[64], *old = getenv("PATH");
	char *saved = old ? strdup(old) : NULL;
	assert_non_null(mkdtemp(dir));
	snprintf(script, sizeof(script), "%s/true", dir);
	FILE *f = fopen(script, "w");
	assert_non_null(f);
	fputs("#!/bin/sh\nexit 7\n", f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(script, 0755), 0);
	char *argv[] = {"true", NULL};
	struct spawn_result r;
	struct error err = {""};
	setenv("PATH", dir, 1);
	assert_int_equal(spawn_run(argv, NULL, 0, 5000, &r, &err), 0);
	assert_int_equal(r.status, 7);	/* the stand-in on PATH */
	spawn_result_free(&r);
	setenv("PATH", "/nonexistent-spamtop", 1);
	assert_int_equal(spawn_run(argv, NULL, 0, 5000, &r, &err), 0);
	assert_true(r.exited);
	assert_int_equal(r.status, 0);	/* /usr/bin/true, off PATH */
	spawn_result_free(&r);
	assert_int_equal(spawn_detached(argv, &err), 0);
	char *missing[] = {"no-such-program-spamtop", NULL};
	assert_int_equal(spawn_detached(missing, &err), -1);
	assert_string_equal(err.msg, "cannot run no-such-program-spamtop: No such file or directory");
	if (saved)
		setenv("PATH", saved, 1);
	free(saved);
	unlink(script);
	rmdir(dir);
}

static void a_hung_program_is_killed_at_the_deadline(void **state)
{
	(void)state;
	char *argv[] = {"sleep", "30", NULL};
	struct spawn_result r;
	struct error err;
	time_t t0 = time(NULL);
	assert_int_equal(spawn_run(argv, NULL, 0, 300, &r, &err), 0);
	assert_true(r.timed_out);
	assert_false(r.exited);
	assert_true(time(NULL) - t0 < 5);
	spawn_result_free(&r);
}

static void a_program_that_ignores_its_input_does_not_kill_us(void **state)
{
	(void)state;
	char *argv[] = {"true", NULL};
	size_t n = 4 << 20;	/* more than a pipe holds */
	char *big = malloc(n);
	memset(big, 'x', n);
	struct spawn_result r;
	struct error err;
	assert_int_equal(spawn_run(argv, big, n, 5000, &r, &err), 0);
	assert_true(r.exited);
	assert_int_equal(r.status, 0);
	spawn_result_free(&r);
	free(big);
}

static int count_line(const char *line, size_t len, void *arg)
{
	(void)line;
	(void)len;
	(*(int *)arg)++;
	return 0;
}

static void output_lines_are_streamed_to_a_callback(void **state)
{
	(void)state;
	char *argv[] = {"seq", "1", "100000", NULL};
	struct spawn_result r;
	struct error err;
	int lines = 0;
	assert_int_equal(spawn_lines(argv, 5000, count_line, &lines, &r, &err), 0);
	assert_int_equal(lines, 100000);
	assert_int_equal(r.out.len, 0);	/* never held whole */
	spawn_result_free(&r);
}

static void journal_entries_carry_who_when_where_and_are_flushed(void **state)
{
	(void)state;
	char path[] = "/tmp/spamtop-journal.XXXXXX";
	assert_non_null(mkdtemp(path));
	char file[128];
	snprintf(file, sizeof(file), "%s/sub/dir/journal.jsonl", path);
	setenv("SUDO_USER", "alice-admin", 1);
	struct journal j;
	struct error err;
	assert_int_equal(journal_open(&j, file, &err), 0);
	clock_fix(TEST_REFERENCE + 61);
	json_t *e = journal_entry("planned");
	clock_fix(0);
	json_object_set_new(e, "action", json_string("delete"));
	assert_int_equal(journal_append(&j, e, &err), 0);
	/* readable at once, before close: flushed */
	char *text = test_read_file(file, NULL);
	json_error_t jerr;
	json_t *back = json_loads(text, 0, &jerr);
	assert_non_null(back);
	assert_string_equal(json_string_value(json_object_get(back, "operator")), "alice-admin");
	assert_string_equal(json_string_value(json_object_get(back, "phase")), "planned");
	assert_string_equal(json_string_value(json_object_get(back, "action")), "delete");
	assert_string_equal(json_string_value(json_object_get(back, "time")), "2026-11-25T00:01:01.000Z");
	assert_non_null(json_object_get(back, "host"));
	json_decref(back);
	free(text);
	journal_close(&j);
	unsetenv("SUDO_USER");
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", path);
	assert_int_equal(system(cmd), 0);
}

static void unwritable_journal_is_a_clear_error(void **state)
{
	(void)state;
	struct journal j;
	struct error err = {""};
	assert_int_equal(journal_open(&j, "/proc/spamtop/journal.jsonl", &err), -1);
	assert_non_null(strstr(err.msg, "/proc/spamtop"));
	assert_int_equal(journal_open(&j, "/dev/full", &err), 0);
	assert_int_equal(journal_append(&j, journal_entry("planned"), &err), -1);
	assert_non_null(strstr(err.msg, "No space left on device"));
	journal_close(&j);
}

static void detached_program_runs_without_being_waited_for(void **state)
{
	(void)state;
	const char *mark = "/tmp/spamtop-test-detached.mark";
	unlink(mark);
	char *argv[] = {"sh", "-c", "sleep 1; echo ran > /tmp/spamtop-test-detached.mark", NULL};
	struct error err;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(spawn_detached(argv, &err), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* did not wait for the sleep (the whole interval: its seconds alone flip at a second's turn) */
	int64_t elapsed_ms = (int64_t)(t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_true(elapsed_ms < 500);
	assert_int_not_equal(access(mark, F_OK), 0);
	for (int i = 0; i < 500 && access(mark, F_OK) != 0; i++)
		usleep(10000);
	assert_int_equal(access(mark, F_OK), 0);
	unlink(mark);
}

static void *stop_soon(void *arg)
{
	usleep(150 * 1000);
	atomic_store((atomic_int *)arg, 1);
	return NULL;
}

static void a_stoppable_run_is_killed_soon_after_its_stop_flag_is_set(void **state)
{
	(void)state;
	atomic_int stop = 0;
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, stop_soon, &stop), 0);
	char *argv[] = {"sleep", "30", NULL};
	struct spawn_result res;
	struct error err;
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(spawn_run_stoppable(argv, 60000, &stop, &res, &err), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	pthread_join(t, NULL);
	long ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	assert_true(res.stopped);
	assert_false(res.exited);	/* killed, not ended by itself */
	assert_true(ms >= 150 && ms < 2000);
	spawn_result_free(&res);
	atomic_int never = 0;	/* unset, it runs to its end */
	char *echo[] = {"sh", "-c", "sleep 0.2; echo done", NULL};
	assert_int_equal(spawn_run_stoppable(echo, 60000, &never, &res, &err), 0);
	assert_false(res.stopped);
	assert_string_equal(buf_str(&res.out), "done\n");
	spawn_result_free(&res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(detached_program_runs_without_being_waited_for),
		cmocka_unit_test(stdin_bytes_reach_the_program_and_output_comes_back),
		cmocka_unit_test(arguments_are_never_interpreted_by_a_shell),
		cmocka_unit_test(exit_status_and_stderr_are_captured),
		cmocka_unit_test(missing_program_is_an_error_value),
		cmocka_unit_test(a_hung_program_is_killed_at_the_deadline),
		cmocka_unit_test(a_program_that_ignores_its_input_does_not_kill_us),
		cmocka_unit_test(output_lines_are_streamed_to_a_callback),
		cmocka_unit_test(journal_entries_carry_who_when_where_and_are_flushed),
		cmocka_unit_test(unwritable_journal_is_a_clear_error),
		cmocka_unit_test(a_stoppable_run_is_killed_soon_after_its_stop_flag_is_set),
		cmocka_unit_test(a_program_is_found_on_path_first_then_where_postfix_lives),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
