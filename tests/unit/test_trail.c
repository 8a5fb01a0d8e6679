/*
 * test_trail - a queue ID's trail from the recorded real capture (plain and
 * .gz), whole-token matching, headers from a postcat found on PATH, and
 * another server's trail searched there over ssh.
 */
#include "testutil.h"

#include <sys/stat.h>
#include <unistd.h>

#include "core/queue/trail.h"

#define CAPTURE "tests/fixtures/lab-outbreak.log"

static void trail_of_a_message_spans_smtpd_cleanup_qmgr_and_smtp(void **state)
{
	(void)state;
	const char *paths[] = {CAPTURE};
	struct buf out = BUF_INIT;
	struct error err;
	assert_int_equal(trail_collect(paths, 1, "31C49102266", 100, NULL, &out, &err), 5);
	const char *s = buf_str(&out);
	const char *client = strstr(s, "smtpd[8723]: 31C49102266: client=unknown[127.0.0.13]");
	const char *cleanup = strstr(s, "cleanup[8727]: 31C49102266: message-id=");
	const char *qmgr = strstr(s, "qmgr[8719]: 31C49102266: from=<promo3@cheap-pills.example>");
	const char *smtp = strstr(s, "smtp[8728]: 31C49102266: to=<extra23@victims2.example>");
	assert_non_null(client);
	assert_true(client < cleanup && cleanup < qmgr && qmgr < smtp);
	buf_free(&out);
}

static void trail_reads_rotated_gz_files_in_the_order_given(void **state)
{
	(void)state;
	assert_int_equal(system("gzip -c " CAPTURE " > /tmp/spamtop-test-trail.log.1.gz"), 0);
	const char *paths[] = {"/tmp/spamtop-test-trail.log.1.gz", CAPTURE};
	struct buf out = BUF_INIT;
	struct error err;
	assert_int_equal(trail_collect(paths, 2, "31C49102266", 100, NULL, &out, &err), 10);
	buf_reset(&out);
	assert_int_equal(trail_collect(paths, 2, "31C49102266", 3, NULL, &out, &err), 3);
	unlink(paths[0]);
	buf_free(&out);
}

static void queue_id_matches_only_as_a_whole_token(void **state)
{
	(void)state;
	const char *l1 = "host postfix/qmgr[1]: 1C205316C411: removed";
	assert_true(trail_line_names(l1, strlen(l1), "1C205316C411"));
	assert_false(trail_line_names(l1, strlen(l1), "1C205316C41"));
	assert_false(trail_line_names(l1, strlen(l1), "C205316C411"));
	const char *l2 = "host postfix/bounce[2]: 5A1B2C3D4E: sender non-delivery notification: 6F7E8D9C0B";
	assert_true(trail_line_names(l2, strlen(l2), "6F7E8D9C0B"));
	const char *l3 = "from=<x1C205316C411@example>";
	assert_false(trail_line_names(l3, strlen(l3), "1C205316C411"));
	/* the proxies that name Postfix's reply: Dovecot's relay line, a before-queue filter's front */
	const char *l4 = "vm dovecot: submission(victim@lab.example)<1744><Ifajdblh59R/AAAf>: Successfully relayed "
			 "message: from=<a@b>, size=254, id=T, nrcpt=1, reply=`250 2.0.0 Ok: 487 bytes queued as C21C3102626'";
	assert_true(trail_line_names(l4, strlen(l4), "C21C3102626"));
	const char *l5 = "mail postfix/smtpd[9918]: proxy-accept: END-OF-MESSAGE: 250 2.0.0 Ok: queued as 0FB251020E6; "
			 "from=<a@b> to=<c@d> proto=ESMTP helo=<h>";
	assert_true(trail_line_names(l5, strlen(l5), "0FB251020E6"));
}

static void invalid_queue_id_and_missing_file_are_errors(void **state)
{
	(void)state;
	const char *paths[] = {"/nonexistent/mail.log"};
	struct buf out = BUF_INIT;
	struct error err = {""};
	assert_int_equal(trail_collect(paths, 1, "ABC; rm -rf /", 10, NULL, &out, &err), -1);
	assert_string_equal(err.msg, "not a queue ID");
	assert_int_equal(trail_collect(paths, 1, "31C49102266", 10, NULL, &out, &err), -1);
	assert_non_null(strstr(err.msg, "/nonexistent/mail.log"));
	assert_int_equal(trail_headers(NULL, "../../etc/passwd", 1000, &out, &err), -1);
	buf_free(&out);
}

/* a log replaced by a FIFO (or a device) is refused with the reason: opening
 * it must not hang the console waiting for a writer */
static void a_fifo_in_place_of_a_log_is_refused_not_waited_on(void **state)
{
	(void)state;
	char dir[] = "/tmp/spamtop-test-fifo.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char fifo[128];
	snprintf(fifo, sizeof(fifo), "%s/mail.log", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	const char *paths[] = {fifo};
	struct buf out = BUF_INIT;
	struct error err = {""};
	alarm(10);	/* a hang fails the test instead of stopping the run */
	assert_int_equal(trail_collect(paths, 1, "31C49102266", 10, NULL, &out, &err), -1);
	alarm(0);
	assert_non_null(strstr(err.msg, "is not a regular file"));
	const char *dev[] = {"/dev/zero"};
	assert_int_equal(trail_collect(dev, 1, "31C49102266", 10, NULL, &out, &err), -1);
	assert_non_null(strstr(err.msg, "/dev/zero is not a regular file"));
	buf_free(&out);
	unlink(fifo);
	rmdir(dir);
}

static void headers_come_from_postcat_hq_with_the_id_as_one_argument(void **state)
{
	(void)state;
	char dir[] = "/tmp/spamtop-test-trail.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *saved = test_fake_program(dir, "postcat",
					"[ \"$1\" = -hq ] || exit 9\nprintf 'Subject: hello %s\\nFrom: a@b\\n' \"$2\"\n");
	struct buf out = BUF_INIT;
	struct error err;
	assert_int_equal(trail_headers(NULL, "31C49102266", 5000, &out, &err), 0);
	assert_string_equal(buf_str(&out), "Subject: hello 31C49102266\nFrom: a@b\n");
	setenv("PATH", saved, 1);
	free(saved);
	saved = test_fake_program(dir, "postcat", "echo \"postcat: fatal: open queue file $2: "
				  "No such file or directory\" >&2\nexit 1\n");
	assert_int_equal(trail_headers(NULL, "31C49102266", 5000, &out, &err), -1);
	assert_non_null(strstr(err.msg, "No such file or directory"));
	setenv("PATH", saved, 1);
	free(saved);
	buf_free(&out);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* another server's trail: grep runs there (an ssh stand-in that hands the words to a shell,
 * as sshd does), and the same lines come back as the local search finds */
static void another_servers_trail_is_searched_there_over_ssh_with_the_same_lines(void **state)
{
	(void)state;
	char dir[] = "/tmp/spamtop-test-trail.XXXXXX", capture[600];
	assert_non_null(mkdtemp(dir));
	assert_non_null(realpath(CAPTURE, capture));
	char *saved = test_fake_program(dir, "ssh", "while [ \"$1\" != -- ]; do shift; done\nshift 2\n"
					"echo \"$*\" >> \"$(dirname \"$0\")/asked\"\nexec sh -c \"$*\"\n");
	struct source_spec s;
	char arg[700];
	snprintf(arg, sizeof(arg), "mx2=ssh://root@mx2:2222%s", capture);
	struct error err;
	assert_int_equal(source_spec_parse(arg, &s, &err), 0);
	struct buf far = BUF_INIT, near = BUF_INIT;
	const char *paths[] = {CAPTURE};
	assert_int_equal(trail_collect_remote(&s, "31C49102266", 100, NULL, &far, &err), 5);
	assert_int_equal(trail_collect(paths, 1, "31C49102266", 100, NULL, &near, &err), 5);
	assert_string_equal(buf_str(&far), buf_str(&near));
	buf_reset(&far);	/* grep -F finds the ID inside a longer one; only whole tokens are kept */
	assert_int_equal(trail_collect_remote(&s, "31C4910226", 100, NULL, &far, &err), 0);
	assert_int_equal(trail_collect_remote(&s, "31C49102266", 2, NULL, &far, &err), 2);
	char asked[700], want[900];
	snprintf(asked, sizeof(asked), "%s/asked", dir);
	size_t len;
	char *text = test_read_file(asked, &len);
	snprintf(want, sizeof(want), "grep -F -e '31C49102266' -- '%s'\n", capture);
	assert_int_equal(strncmp(text, want, strlen(want)), 0);	/* the words, quoted for its shell */
	free(text);
	assert_int_equal(trail_collect_remote(&s, "31C4'$(id)", 100, NULL, &far, &err), -1);	/* never sent */
	assert_string_equal(err.msg, "not a queue ID");
	setenv("PATH", saved, 1);
	free(saved);
	saved = test_fake_program(dir, "ssh", "echo 'ssh: connect to host mx2 port 2222: Connection refused' >&2\n"
				  "exit 255\n");
	assert_int_equal(trail_collect_remote(&s, "31C49102266", 100, NULL, &far, &err), -1);
	assert_non_null(strstr(err.msg, "mx2"));
	assert_non_null(strstr(err.msg, "Connection refused"));
	setenv("PATH", saved, 1);
	free(saved);
	buf_free(&far);
	buf_free(&near);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* a trail search in a big log says how far it is and stops when cancelled */
static void a_search_in_a_big_log_counts_its_bytes_and_stops_when_cancelled(void **state)
{
	(void)state;
	char dir[] = "/tmp/spamtop-test-trail.XXXXXX", path[64];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/big.log", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	for (int i = 0; i < 40000; i++)	/* about 3.5 MB */
		fprintf(f, "Nov 24 10:00:00 mx postfix/qmgr[2]: %s: from=<a@b.example>, size=1, nrcpt=1 (queue active)\n",
			i == 39999 ? "31C49102266" : "4B1C2D3E4F");
	assert_int_equal(fclose(f), 0);
	const char *paths[] = {path};
	struct work_progress pr = {0};
	struct buf out = BUF_INIT;
	struct error err;
	assert_int_equal(trail_collect(paths, 1, "31C49102266", 10, &pr, &out, &err), 1);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(atomic_load(&pr.total), (size_t)st.st_size);
	assert_true(atomic_load(&pr.done) >= (size_t)st.st_size - TRAIL_STEP_BYTES);
	buf_reset(&out);
	atomic_store(&pr.cancel, 1);	/* the admin left the view */
	assert_int_equal(trail_collect(paths, 1, "31C49102266", 10, &pr, &out, &err), -1);
	assert_string_equal(err.msg, "cancelled");
	assert_int_equal(out.len, 0);	/* stopped before the end, where the line is */
	buf_free(&out);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(trail_of_a_message_spans_smtpd_cleanup_qmgr_and_smtp),
		cmocka_unit_test(trail_reads_rotated_gz_files_in_the_order_given),
		cmocka_unit_test(queue_id_matches_only_as_a_whole_token),
		cmocka_unit_test(invalid_queue_id_and_missing_file_are_errors),
		cmocka_unit_test(headers_come_from_postcat_hq_with_the_id_as_one_argument),
		cmocka_unit_test(another_servers_trail_is_searched_there_over_ssh_with_the_same_lines),
		cmocka_unit_test(a_search_in_a_big_log_counts_its_bytes_and_stops_when_cancelled),
		cmocka_unit_test(a_fifo_in_place_of_a_log_is_refused_not_waited_on),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
