/*
 * test_throttle - a throttled release takes the held messages oldest first,
 * N at a time, one batch per interval; a message that left the queue or is
 * no longer held meanwhile is not in its batch; it ends after the last.
 */
#include "testutil.h"

#include "core/queue/throttle.h"

/* queue - five held messages (arrival 500, 100, 400, 200, 300) and a deferred one */
static struct queue_snapshot *queue(const char *skip)
{
	static const struct {
		const char *id, *state;
		int arrival;
	} m[] = {
		{"AAAA000005", "hold", 500}, {"AAAA000001", "hold", 100}, {"AAAA000004", "hold", 400},
		{"AAAA000002", "hold", 200}, {"AAAA000003", "hold", 300}, {"AAAA000009", "deferred", 50},
	};
	struct queue_snapshot *q = queue_snapshot_new();
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		if (skip && strcmp(skip, m[i].id) == 0)
			continue;
		char line[300];
		int n = snprintf(line, sizeof(line), "{\"queue_name\": \"%s\", \"queue_id\": \"%s\", \"arrival_time\": %d, "
				 "\"message_size\": 400, \"sender\": \"s@x.example\", \"recipients\": [{\"address\": \"r@y.example\"}]}",
				 m[i].state, m[i].id, m[i].arrival);
		assert_int_equal(queue_add_json(q, line, (size_t)n), 0);
	}
	return q;
}

static void ids_of(const struct action_plan *p, char *out, size_t size)
{
	out[0] = 0;
	for (size_t i = 0; i < p->ids.count; i++)
		snprintf(out + strlen(out), size - strlen(out), "%s%s", i ? " " : "", p->ids.ids[i]);
}

static void held_messages_go_oldest_first_two_per_interval(void **state)
{
	(void)state;
	struct queue_snapshot *q = queue(NULL);
	struct release_throttle t;
	struct action_plan p;
	struct error err;
	char ids[200];
	assert_int_equal(release_throttle_start(&t, q, 2, 60, 1000), 5);
	assert_int_equal(release_throttle_due(&t, q, 1000, &p, &err), 1);	/* the first at once */
	ids_of(&p, ids, sizeof(ids));
	assert_string_equal(ids, "AAAA000001 AAAA000002");
	assert_int_equal(p.action, ACT_RELEASE);
	assert_int_equal(p.expected, 2);
	release_throttle_done(&t, p.expected);
	action_plan_free(&p);
	assert_int_equal(release_throttle_due(&t, q, 1059, &p, &err), 0);	/* not yet */
	/* meanwhile AAAA000003 left the queue: its batch holds the one left */
	queue_snapshot_free(q);
	q = queue("AAAA000003");
	assert_int_equal(release_throttle_due(&t, q, 1060, &p, &err), 1);
	ids_of(&p, ids, sizeof(ids));
	assert_string_equal(ids, "AAAA000004");
	release_throttle_done(&t, p.expected);
	action_plan_free(&p);
	assert_int_equal(release_throttle_due(&t, q, 1120, &p, &err), 1);
	ids_of(&p, ids, sizeof(ids));
	assert_string_equal(ids, "AAAA000005");
	release_throttle_done(&t, p.expected);
	action_plan_free(&p);
	assert_false(t.running);	/* the last batch ran */
	assert_int_equal(t.batches, 3);
	assert_int_equal(t.released, 4);
	assert_int_equal(release_throttle_due(&t, q, 5000, &p, &err), 0);
	release_throttle_free(&t);
	queue_snapshot_free(q);
}

static void a_stopped_release_runs_no_more_batches(void **state)
{
	(void)state;
	struct queue_snapshot *q = queue(NULL);
	struct release_throttle t;
	struct action_plan p;
	struct error err;
	assert_int_equal(release_throttle_start(&t, q, 100, 60, 1000), 5);
	release_throttle_stop(&t, "victim@lab.example sent again");
	assert_int_equal(release_throttle_due(&t, q, 1000, &p, &err), 0);
	assert_string_equal(t.stopped, "victim@lab.example sent again");
	release_throttle_free(&t);
	/* nothing held: it does not run */
	queue_snapshot_free(q);
	q = queue_snapshot_new();
	assert_int_equal(release_throttle_start(&t, q, 100, 60, 1000), 0);
	assert_false(t.running);
	release_throttle_free(&t);
	queue_snapshot_free(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(held_messages_go_oldest_first_two_per_interval),
		cmocka_unit_test(a_stopped_release_runs_no_more_batches),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
