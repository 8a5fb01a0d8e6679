/*
 * test_queue_refresh - the queue read in the background: a result arrives
 * without the caller waiting on postqueue, a failing or hanging postqueue
 * becomes an error value, and a second start while one runs is refused.
 */
#include "testutil.h"

#include <unistd.h>

#include "core/queue/queue_refresh.h"


/* wait_take - poll take() as the console's loop does, up to 10 s */
static int wait_take(struct queue_refresh *r, struct queue_snapshot **q, struct error *err)
{
	for (int i = 0; i < 1000; i++) {
		int rc = queue_refresh_take(r, q, err);
		if (rc != 0)
			return rc;
		usleep(10000);
	}
	fail_msg("no result from the background queue read within 10 s");
	return 0;
}

static void finished_load_hands_over_its_snapshot(void **state)
{
	(void)state;
	char *path = test_fake_program(test_dir(), "postqueue",
		"echo '{\"queue_name\": \"deferred\", \"queue_id\": \"31C49102266\", \"arrival_time\": 1795564800, "
		"\"message_size\": 448, \"sender\": \"promo3@cheap-pills.example\", \"recipients\": "
		"[{\"address\": \"buyer23@victims2.example\", \"delay_reason\": \"connection refused\"}]}'\n"
		"echo '{\"queue_name\": \"hold\", \"queue_id\": \"4A1B2C3D4E\", \"arrival_time\": 1795564801, "
		"\"message_size\": 500, \"sender\": \"\", \"recipients\": [{\"address\": \"x@y.example\"}]}'\n");
	struct queue_refresh *r = queue_refresh_new(5000);
	struct error err;
	struct queue_snapshot *q = NULL;
	assert_int_equal(queue_refresh_start(r, &err), 1);
	assert_int_equal(wait_take(r, &q, &err), 1);
	assert_non_null(q);
	assert_int_equal(q->count, 2);
	assert_int_equal(q->by_queue[QN_HOLD], 1);
	assert_int_equal(q->by_queue[QN_DEFERRED], 1);
	assert_int_equal(queue_refresh_take(r, &q, &err), 0);	/* handed over once */
	queue_snapshot_free(q);
	queue_refresh_free(r);
	setenv("PATH", path, 1);
	free(path);
}

static void failing_postqueue_is_an_error_with_its_message(void **state)
{
	(void)state;
	char *path = test_fake_program(test_dir(), "postqueue",
				       "echo 'postqueue: fatal: Queue report unavailable - mail system is down' >&2\nexit 69\n");
	struct queue_refresh *r = queue_refresh_new(5000);
	struct error err = {""};
	struct queue_snapshot *q = NULL;
	assert_int_equal(queue_refresh_start(r, &err), 1);
	assert_int_equal(wait_take(r, &q, &err), -1);
	assert_null(q);
	assert_non_null(strstr(err.msg, "mail system is down"));
	queue_refresh_free(r);
	setenv("PATH", path, 1);
	free(path);
}

static void hanging_postqueue_is_cut_off_while_the_caller_keeps_running(void **state)
{
	(void)state;
	char *path = test_fake_program(test_dir(), "postqueue", "exec sleep 30\n");
	struct queue_refresh *r = queue_refresh_new(300);
	struct error err = {""};
	struct queue_snapshot *q = NULL;
	assert_int_equal(queue_refresh_start(r, &err), 1);
	assert_int_equal(queue_refresh_take(r, &q, &err), 0);	/* returns at once */
	assert_true(queue_refresh_busy(r));
	assert_int_equal(queue_refresh_start(r, &err), 0);	/* one at a time */
	assert_int_equal(wait_take(r, &q, &err), -1);
	assert_non_null(strstr(err.msg, "did not answer"));
	queue_refresh_free(r);
	setenv("PATH", path, 1);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(finished_load_hands_over_its_snapshot),
		cmocka_unit_test(failing_postqueue_is_an_error_with_its_message),
		cmocka_unit_test(hanging_postqueue_is_cut_off_while_the_caller_keeps_running),
	};
	return cmocka_run_group_tests(tests, test_dir_setup, test_dir_teardown);
}
