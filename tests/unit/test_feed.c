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
	assert_int_equal(feed_add_spec(&f, "mx1=/var/log/mail.log", &err), 0);
	assert_int_equal(feed_add_spec(&f, "mx2=/srv/mx2/mail.log.1", &err), 0);
	assert_int_equal(feed_add_spec(&f, "mx1=/var/log/mail.log.2.gz", &err), 0);
	assert_int_equal(feed_add_spec(&f, "mx1=/var/log/mail.log.1", &err), 0);
	assert_int_equal(feed_finish(&f, 0, &err), 0);
	assert_int_equal(f.n, 4);
	assert_string_equal(f.src[0].path, "/var/log/mail.log.2.gz");	/* mx1's slots, oldest first */
	assert_string_equal(f.src[1].path, "/srv/mx2/mail.log.1");
	assert_string_equal(f.src[2].path, "/var/log/mail.log.1");
	assert_string_equal(f.src[3].path, "/var/log/mail.log");
	assert_string_equal(f.src[0].host, "mx1");
	assert_string_equal(f.src[1].host, "mx2");
}

static void plain_files_beside_named_hosts_are_refused(void **state)
{
	(void)state;
	struct feed f = {0};
	struct error err = {""};
	assert_int_equal(feed_add_spec(&f, "mx1=/var/log/mail.log", &err), 0);
	assert_int_equal(feed_add_file(&f, "/tmp/other.log", &err), 0);
	assert_int_equal(feed_finish(&f, 0, &err), -1);
	assert_non_null(strstr(err.msg, "--source NAME=PATH"));
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
	assert_int_equal(feed_add_spec(&f, spec, &err), 0);
	snprintf(spec, sizeof(spec), "site-b=%s", b);
	assert_int_equal(feed_add_spec(&f, spec, &err), 0);
	snprintf(spec, sizeof(spec), "site-c=%s", a);
	assert_int_equal(feed_add_spec(&f, spec, &err), 0);
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

/* an ssh stand-in: it records its argv (DIR/argv) and appends the remote command to
 * DIR/asked, then runs it through a shell, as sshd does; "down" in the host name fails
 * as ssh does (exit 255) */
static void ssh_stand_in(char *dir, size_t size)
{
	snprintf(dir, size, "%s/sshbin", test_dir());
	mkdir(dir, 0755);
	char path[256];
	snprintf(path, sizeof(path), "%s/ssh", dir);
	const char *script = "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$(dirname \"$0\")/argv\"\n"
			     "while [ \"$1\" != -- ]; do shift; done\n"
			     "case \"$2\" in *down*) echo \"ssh: connect to host $2 port 22: Connection refused\" >&2; exit 255 ;; esac\n"
			     "shift 2\necho \"$*\" >> \"$(dirname \"$0\")/asked\"\nexec sh -c \"$*\"\n";
	test_write_file(path, script, strlen(script));
	chmod(path, 0755);
}

/* with_ssh_on_path - bin first on PATH; the PATH before it into saved */
static void with_ssh_on_path(const char *bin, char *saved, size_t size)
{
	const char *old = getenv("PATH");
	snprintf(saved, size, "%s", old ? old : "/usr/bin:/bin");
	char path[4400];
	snprintf(path, sizeof(path), "%s:%s", bin, saved);
	setenv("PATH", path, 1);
}

static void an_ssh_source_is_read_through_ssh_cat_or_its_end_by_tail_and_a_failed_ssh_names_its_host(void **state)
{
	(void)state;
	char bin[200], log[200], spec[300], argvfile[240], saved[4096];
	ssh_stand_in(bin, sizeof(bin));
	snprintf(log, sizeof(log), "%s/it's far.log", test_dir());
	const char *line = "Nov 24 10:00:00 mx2 postfix/smtpd[1]: 4B1C2D3E4F: client=unknown[192.0.2.1], "
			   "sasl_method=LOGIN, sasl_username=bob@x.example\n";
	test_write_file(log, line, strlen(line));
	with_ssh_on_path(bin, saved, sizeof(saved));
	struct feed f = {0};
	struct error err = {""};
	snprintf(spec, sizeof(spec), "far=ssh://admin@mx2.example.org%s", log);
	assert_int_equal(feed_add_spec(&f, spec, &err), 0);
	assert_int_equal(feed_finish(&f, 0, &err), 0);
	struct model *m = model_new(NULL, TEST_REFERENCE);
	struct source_stats st = {0};
	assert_int_equal(feed_read(&f, m, 0, 0, &st, &err), 0);	/* the report's read: whole */
	assert_string_equal(model_host_name(m, 0), "far");
	assert_int_equal(model_agg_find_host(m, 0, AGG_SASL_USER, "bob@x.example", 13)->msgs, 1);
	snprintf(argvfile, sizeof(argvfile), "%s/argv", bin);
	size_t n;
	char *argv = test_read_file(argvfile, &n);
	assert_non_null(strstr(argv, "BatchMode=yes\n"));
	assert_non_null(strstr(argv, "--\nadmin@mx2.example.org\ncat\n--\n'"));	/* the path quoted for the shell */
	free(argv);
	model_free(m);
	m = model_new(NULL, TEST_REFERENCE);	/* check's read: the log's end, and it is all there */
	assert_int_equal(feed_read(&f, m, 3600, 1, &st, &err), 0);
	assert_int_equal(model_agg_find_host(m, 0, AGG_SASL_USER, "bob@x.example", 13)->msgs, 1);
	argv = test_read_file(argvfile, &n);
	assert_non_null(strstr(argv, "--\nadmin@mx2.example.org\ntail\n-c\n33554432\n--\n'"));
	free(argv);
	model_free(m);
	struct feed g = {0};
	snprintf(spec, sizeof(spec), "far=ssh://down.example.org%s", log);
	assert_int_equal(feed_add_spec(&g, spec, &err), 0);
	m = model_new(NULL, TEST_REFERENCE);
	assert_int_equal(feed_read(&g, m, 0, 0, &st, &err), -1);
	assert_non_null(strstr(err.msg, "far (ssh down.example.org)"));
	assert_non_null(strstr(err.msg, "Connection refused"));
	model_free(m);
	m = model_new(NULL, TEST_REFERENCE);	/* and when only its end is asked for */
	err.msg[0] = 0;
	assert_int_equal(feed_read(&g, m, 3600, 1, &st, &err), -1);
	assert_non_null(strstr(err.msg, "far (ssh down.example.org)"));
	assert_non_null(strstr(err.msg, "Connection refused"));
	model_free(m);
	setenv("PATH", saved, 1);
}

/* remote_commands - what the stand-in was asked, each command's first three words, '|'-joined */
static void remote_commands(const char *dir, char *out, size_t size)
{
	char path[300];
	snprintf(path, sizeof(path), "%s/asked", dir);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char line[600];
	out[0] = 0;
	while (fgets(line, sizeof(line), f)) {
		char a[32], b[32], c[300];
		assert_int_equal(sscanf(line, "%31s %31s %299s", a, b, c), 3);
		snprintf(out + strlen(out), size - strlen(out), "%s%s %s %s", out[0] ? "|" : "", a, b, c);
	}
	fclose(f);
	unlink(path);
}

/* check's read of another server's log asks for its end, twice as much each time until the
 * piece begins before the hour: the last hour's lines are read, the log's start is not */
static void checks_read_over_ssh_asks_for_the_end_until_it_holds_the_hour(void **state)
{
	(void)state;
	char bin[200], log[200], spec[300], saved[4096], asked[400];
	ssh_stand_in(bin, sizeof(bin));
	snprintf(asked, sizeof(asked), "%s/asked", bin);
	unlink(asked);	/* the first test's commands */
	snprintf(log, sizeof(log), "%s/two-hours.log", test_dir());
	FILE *f = fopen(log, "w");
	assert_non_null(f);
	for (int i = 0; i < 2000; i++) {	/* one a 3.6 s: two hours, ~120 bytes a line */
		int t = i * 36 / 10;
		fprintf(f, "Nov 24 %02d:%02d:%02d mx postfix/smtpd[1]: %05X%06X: client=unknown[192.0.2.1], "
			"sasl_method=LOGIN, sasl_username=user%d@x.example\n", 10 + t / 3600, t / 60 % 60, t % 60,
			0xA0000 + i, i, i);
	}
	assert_int_equal(fclose(f), 0);
	snprintf(spec, sizeof(spec), "far=ssh://mx2%s", log);
	struct source_spec s;
	struct error err = {""};
	assert_int_equal(source_spec_parse(spec, &s, &err), 0);
	with_ssh_on_path(bin, saved, sizeof(saved));
	struct model *m = model_new(NULL, TEST_REFERENCE);
	struct source_stats st = {0};
	assert_int_equal(feed_read_ssh_tail(&s, m, 3600, 8192, 1 << 20, &st, &err), 0);
	remote_commands(bin, asked, sizeof(asked));
	assert_string_equal(asked, "tail -c 8192|tail -c 16384|tail -c 32768|tail -c 65536|tail -c 131072");
	assert_non_null(model_agg_find(m, AGG_SASL_USER, "user1999@x.example", 18));	/* the last line */
	assert_non_null(model_agg_find(m, AGG_SASL_USER, "user1000@x.example", 18));	/* an hour before it */
	assert_null(model_agg_find(m, AGG_SASL_USER, "user0@x.example", 15));	/* the log's start never came */
	model_free(m);
	m = model_new(NULL, TEST_REFERENCE);	/* an hour of 4 KB at the most: the log is streamed whole */
	assert_int_equal(feed_read_ssh_tail(&s, m, 3600, 1024, 4096, &st, &err), 0);
	remote_commands(bin, asked, sizeof(asked));
	char want[400];
	snprintf(want, sizeof(want), "tail -c 1024|tail -c 2048|tail -c 4096|cat -- '%s'", log);
	assert_string_equal(asked, want);
	assert_non_null(model_agg_find(m, AGG_SASL_USER, "user0@x.example", 15));	/* all of it */
	model_free(m);
	setenv("PATH", saved, 1);
}

/* feed_this_server - a feed of the files named (none: the configured log) */
static int feed_this_server(const char *const *paths, size_t n)
{
	static struct feed f;
	struct error err = {""};
	memset(&f, 0, sizeof(f));
	for (size_t i = 0; i < n; i++)
		assert_int_equal(feed_add_file(&f, paths[i], &err), 0);
	assert_int_equal(feed_finish(&f, 0, &err), 0);
	return feed_is_this_server(&f);
}

/* the log read is this server's own (its Postfix configuration holds for
 * it) when it is the configured log or one of its rotations, in its
 * directory; not a copy elsewhere, a longer name, nor standard input */
static void this_servers_log_is_the_configured_one_or_its_rotations(void **state)
{
	(void)state;
	char dir[64], log[160], path[200];
	char *saved = test_stand_ins_begin(dir, sizeof(dir), "/tmp/spamtop-test-thislog.XXXXXX");
	char bin[200], other[200];
	snprintf(bin, sizeof(bin), "%s/bin", dir);
	snprintf(other, sizeof(other), "%s/elsewhere", dir);
	assert_int_equal(mkdir(bin, 0700), 0);
	assert_int_equal(mkdir(other, 0700), 0);
	test_write_script(bin, "postconf", "exit 1\n");	/* no maillog_file: the syslog file */
	test_write_script(bin, "doveconf", "exit 1\n");
	char newpath[4096];
	snprintf(newpath, sizeof(newpath), "%s:%s", bin, saved);
	setenv("PATH", newpath, 1);
	snprintf(log, sizeof(log), "%s/mail.log", dir);
	setenv("SPAMTOP_SYSLOG_FILES", log, 1);
	static const char *const names[] = {"mail.log", "mail.log.1", "mail.log.2.gz", "mail.log-20261201",
					    "mail.logger", "elsewhere/mail.log"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		test_write_file(path, "", 0);
	}
	const char *p[2] = {path, log};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		assert_int_equal(feed_this_server(p, 1), i < 4);
		assert_int_equal(feed_this_server(p, 2), i < 4);	/* all of them, or it is not */
	}
	assert_int_equal(feed_this_server(NULL, 0), 1);	/* none named: the configured log */
	const char *dash = "-";
	assert_int_equal(feed_this_server(&dash, 1), 0);
	unsetenv("SPAMTOP_SYSLOG_FILES");
	test_stand_ins_end(dir, saved);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_hosts_rotated_files_are_read_oldest_first_and_hosts_keep_their_order),
		cmocka_unit_test(plain_files_beside_named_hosts_are_refused),
		cmocka_unit_test(every_named_host_is_in_the_model_and_an_unreadable_source_is_named),
		cmocka_unit_test(an_ssh_source_is_read_through_ssh_cat_or_its_end_by_tail_and_a_failed_ssh_names_its_host),
		cmocka_unit_test(checks_read_over_ssh_asks_for_the_end_until_it_holds_the_hour),
		cmocka_unit_test(this_servers_log_is_the_configured_one_or_its_rotations),
	};
	return cmocka_run_group_tests(tests, test_dir_setup, test_dir_teardown);
}
