/*
 * test_duration - --since durations: units, bare minutes, and what is refused.
 */
#include "testutil.h"

#include "core/base/duration.h"

static void durations_take_s_m_h_d_and_bare_minutes(void **state)
{
	(void)state;
	long s = 0;
	assert_int_equal(duration_parse("90s", &s), 0);
	assert_int_equal(s, 90);
	assert_int_equal(duration_parse("30m", &s), 0);
	assert_int_equal(s, 1800);
	assert_int_equal(duration_parse("30", &s), 0);
	assert_int_equal(s, 1800);
	assert_int_equal(duration_parse("2h", &s), 0);
	assert_int_equal(s, 7200);
	assert_int_equal(duration_parse("366d", &s), 0);
	assert_int_equal(s, 366L * 86400);
}

static void malformed_or_out_of_range_durations_are_refused(void **state)
{
	(void)state;
	long s = 42;
	const char *bad[] = {"", "m", "-5m", "0", "0s", "30x", "30mm", " 30m", "367d", "99999999999999999999", "1.5h"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (duration_parse(bad[i], &s) != -1)
			fail_msg("accepted: '%s'", bad[i]);
	assert_int_equal(s, 42);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(durations_take_s_m_h_d_and_bare_minutes),
		cmocka_unit_test(malformed_or_out_of_range_durations_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
