/*
 * test_feed - the sources a front end reads: each host's rotated files read
 * oldest first, plain files mixed with named hosts refused, ssh refused where
 * files are read once, every host named in the model, and a source that
 * cannot be read named while the others are still read.
 */
#include "testutil.h"

#include "core/model/feed.h"

static void a_hosts_rotated_files_are_read_oldest_first_and_hosts_keep_their_order(void **state)
{
	(void)state;
	struct feed f = {0};
	struct error err = {""};
	assert_int_equal(feed_add_spec(&f, "mx1=/var/log/mail.log", 0, &err), 0);
	assert_int_equal(feed_add_spec(&f, "mx2=/srv/mx2/mail.log.1", 0, &err), 0);
	assert_int_equal(feed_add_spec(&f, "mx1=/var/log/mail.log.2.gz", 0, &err), 0);
	assert_int_equal(feed_add_spec(&f, "mx1=/var/log/mail.log.1", 0, &err), 0);
	assert_int_equal(feed_finish(&f, 0, &err), 0);
	assert_int_equal(f.n, 4);
	assert_string_equal(f.src[0].path, "/var/log/mail.log.2.gz");	/* mx1's slots, oldest first */
	assert_string_equal(f.src[1].path, "/srv/mx2/mail.log.1");
	assert_string_equal(f.src[2].path, "/var/log/mail.log.1");
	assert_string_equal(f.src[3].path, "/var/log/mail.log");
	assert_string_equal(f.src[0].host, "mx1");
	assert_string_equal(f.src[1].host, "mx2");
}

static void plain_files_beside_named_hosts_and_ssh_where_files_are_read_are_refused(void **state)
{
	(void)state;
	struct feed f = {0};
	struct error err = {""};
	assert_int_equal(feed_add_spec(&f, "mx1=/var/log/mail.log", 0, &err), 0);
	assert_int_equal(feed_add_file(&f, "/tmp/other.log", &err), 0);
	assert_int_equal(feed_finish(&f, 0, &err), -1);
	assert_non_null(strstr(err.msg, "--source NAME=PATH"));
	struct feed g = {0};
	assert_int_equal(feed_add_spec(&g, "mx2=ssh://mx2.example.org/var/log/mail.log", 0, &err), -1);
	assert_non_null(strstr(err.msg, "ssh://"));
	assert_int_equal(feed_add_spec(&g, "mx2=ssh://mx2.example.org/var/log/mail.log", 1, &err), 0);
	struct feed h = {0};
	for (int i = 0; i < FEED_MAX_SOURCES; i++)
		assert_int_equal(feed_add_file(&h, "/var/log/mail.log", &err), 0);
	assert_int_equal(feed_add_file(&h, "/var/log/mail.log", &err), -1);
	assert_non_null(strstr(err.msg, "at most"));
}

static void every_named_host_is_in_the_model_and_an_unreadable_source_is_named(void **state)
{
	(void)state;
	char a[128], b[128], spec[160];
	snprintf(a, sizeof(a), "%s/a.log", test_dir());
	snprintf(b, sizeof(b), "%s/missing.log", test_dir());
	const char *line = "Nov 24 10:00:00 mx postfix/smtpd[1]: 4B1C2D3E4F: client=unknown[192.0.2.1], "
			   "sasl_method=LOGIN, sasl_username=ann@x.example\n";
	test_write_file(a, line, strlen(line));
	struct feed f = {0};
	struct error err = {""};
	snprintf(spec, sizeof(spec), "site-a=%s", a);
	assert_int_equal(feed_add_spec(&f, spec, 0, &err), 0);
	snprintf(spec, sizeof(spec), "site-b=%s", b);
	assert_int_equal(feed_add_spec(&f, spec, 0, &err), 0);
	snprintf(spec, sizeof(spec), "site-c=%s", a);
	assert_int_equal(feed_add_spec(&f, spec, 0, &err), 0);
	assert_int_equal(feed_finish(&f, 0, &err), 0);
	struct model *m = model_new(NULL, TEST_REFERENCE);
	struct source_stats st = {0};
	assert_int_equal(feed_read(&f, m, 0, 0, &st, &err), -1);
	assert_non_null(strstr(err.msg, "missing.log"));
	assert_int_equal(model_host_count(m), 3);
	assert_string_equal(model_host_name(m, 2), "site-c");
	assert_int_equal(model_agg_find_host(m, 0, AGG_SASL_USER, "ann@x.example", 13)->msgs, 1);
	assert_int_equal(model_agg_find_host(m, 2, AGG_SASL_USER, "ann@x.example", 13)->msgs, 1);
	assert_null(model_agg_find_host(m, 1, AGG_SASL_USER, "ann@x.example", 13));
	char said[256];
	feed_describe(&f, said, sizeof(said));
	assert_non_null(strstr(said, "missing.log"));
	model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_hosts_rotated_files_are_read_oldest_first_and_hosts_keep_their_order),
		cmocka_unit_test(plain_files_beside_named_hosts_and_ssh_where_files_are_read_are_refused),
		cmocka_unit_test(every_named_host_is_in_the_model_and_an_unreadable_source_is_named),
	};
	return cmocka_run_group_tests(tests, test_dir_setup, test_dir_teardown);
}
