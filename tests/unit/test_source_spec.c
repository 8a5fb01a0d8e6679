/*
 * test_source_spec - `--source NAME=PATH` and `NAME=ssh://...`: what is
 * accepted, what is refused, and the exact ssh argv (no option injection,
 * the path quoted for the remote shell).
 */
#include "testutil.h"

#include "core/model/source_spec.h"

static void a_local_source_keeps_its_host_name_and_path(void **state)
{
	(void)state;
	struct source_spec s;
	struct error err;
	assert_int_equal(source_spec_parse("mail2=/var/log/mail.log", &s, &err), 0);
	assert_string_equal(s.host, "mail2");
	assert_string_equal(s.path, "/var/log/mail.log");
	assert_false(source_spec_is_ssh(&s));
	assert_int_equal(source_spec_parse("mx-1.example_b=logs/a=b.log", &s, &err), 0);
	assert_string_equal(s.host, "mx-1.example_b");
	assert_string_equal(s.path, "logs/a=b.log");
}

static void malformed_sources_are_refused_with_a_reason(void **state)
{
	(void)state;
	struct source_spec s;
	struct error err;
	const char *bad[] = {"/var/log/mail.log", "=x", "mail2=", "ma il=x", "m\033]0;x=y",
			     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=x", "h=ssh://mx", "h=ssh://mx/",
			     "h=ssh://-oProxyCommand=evil/x", "h=ssh://root@-oX/x", "h=ssh://@mx/x",
			     "h=ssh://mx;id/x", "h=ssh://mx:22x/x", "h=ssh://mx:/x", "h=ssh://mx:1234567/x"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err.msg[0] = 0;
		if (source_spec_parse(bad[i], &s, &err) != -1)
			fail_msg("accepted: %s", bad[i]);
		assert_true(strstr(err.msg, "--source") != NULL);
	}
}

static void an_ssh_source_runs_tail_through_ssh_with_the_path_quoted(void **state)
{
	(void)state;
	struct source_spec s;
	struct error err;
	struct buf q = BUF_INIT;
	char *argv[SOURCE_SPEC_ARGV];
	assert_int_equal(source_spec_parse("mx2=ssh://admin@mx2.example.org:2222/var/log/it's mail.log", &s, &err), 0);
	assert_true(source_spec_is_ssh(&s));
	assert_string_equal(s.ssh_target, "admin@mx2.example.org");
	assert_string_equal(s.ssh_port, "2222");
	source_spec_ssh_argv(&s, 0, &q, argv);
	const char *want[] = {"ssh", "-o", "BatchMode=yes", "-o", "ServerAliveInterval=15", "-T", "-p", "2222",
			      "--", "admin@mx2.example.org", "tail", "-F", "-n", "+1", "--",
			      "'/var/log/it'\\''s mail.log'", NULL};
	for (size_t i = 0; want[i]; i++)
		assert_string_equal(argv[i], want[i]);
	assert_null(argv[sizeof(want) / sizeof(want[0]) - 1]);
	assert_int_equal(source_spec_parse("v6=ssh://[2001:db8::1]/l", &s, &err), 0);
	assert_string_equal(s.ssh_target, "[2001:db8::1]");
	assert_string_equal(s.ssh_port, "");
	source_spec_ssh_argv(&s, 1, &q, argv);
	assert_string_equal(argv[6], "--");
	assert_string_equal(argv[10], "-n");
	assert_string_equal(argv[11], "0");	/* --from-end: new lines only */
	assert_string_equal(argv[13], "'/l'");
	buf_free(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_local_source_keeps_its_host_name_and_path),
		cmocka_unit_test(malformed_sources_are_refused_with_a_reason),
		cmocka_unit_test(an_ssh_source_runs_tail_through_ssh_with_the_path_quoted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
