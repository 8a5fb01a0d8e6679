/*
 * test_source - reading logs as lines: plain, .gz (also cut short), stdin
 * form, 1 MB and longer lines, NUL bytes, a last line without newline.
 */
#include "testutil.h"

#include <unistd.h>
#include <zlib.h>

#include "core/model/ingest.h"
#include "core/logs/source.h"

static char *path(const char *name)
{
	static char p[128];
	snprintf(p, sizeof(p), "%s/%s", test_dir(), name);
	return p;
}

/* read_all - every line, with lengths, joined by '\n' */
static size_t read_all(const char *file, size_t max_line, char *out, size_t size, struct source_stats *st)
{
	struct error err;
	struct line_source *s = source_open(file, max_line, &err);
	assert_non_null(s);
	const char *line;
	size_t len, used = 0;
	int rc;
	while ((rc = source_next(s, &line, &len, &err)) > 0) {
		assert_true(used + len + 1 <= size);
		memcpy(out + used, line, len);
		used += len;
		out[used++] = '\n';
	}
	assert_int_equal(rc, 0);
	*st = *source_stats(s);
	source_close(s);
	return used;
}

/* read_many - read_all, but many lines a call (source_next_lines), up to max a call */
static size_t read_many(const char *file, size_t max_line, size_t max, char *out, size_t size,
			struct source_stats *st)
{
	struct error err;
	struct line_source *s = source_open(file, max_line, &err);
	assert_non_null(s);
	size_t cap = (max_line ? max_line : SOURCE_MAX_LINE_DEFAULT) + SOURCE_LINES_CHUNK;
	char *dst = malloc(cap);
	struct source_line *lines = malloc(max * sizeof(*lines));
	assert_true(dst && lines);
	size_t n, used, total = 0;
	int rc;
	while ((rc = source_next_lines(s, dst, cap, lines, max, &n, &used, &err)) > 0) {
		assert_true(n >= 1 && n <= max && used <= cap);
		for (size_t i = 0; i < n; i++) {
			assert_true(lines[i].line >= dst && lines[i].line + lines[i].len <= dst + cap);
			assert_true(total + lines[i].len + 1 <= size);
			memcpy(out + total, lines[i].line, lines[i].len);
			total += lines[i].len;
			out[total++] = '\n';
		}
	}
	assert_int_equal(rc, 0);
	*st = *source_stats(s);
	source_close(s);
	free(dst);
	free(lines);
	return total;
}

/* the same lines and counts one at a time and many at a time */
static void assert_read_alike(const char *file, size_t max_line, size_t max)
{
	size_t size = 8u << 20;
	char *a = malloc(size), *b = malloc(size);
	struct source_stats sa, sb;
	size_t la = read_all(file, max_line, a, size, &sa);
	size_t lb = read_many(file, max_line, max, b, size, &sb);
	assert_int_equal(la, lb);
	assert_memory_equal(a, b, la);
	assert_int_equal(sa.lines, sb.lines);
	assert_int_equal(sa.bytes, sb.bytes);
	assert_int_equal(sa.long_lines, sb.long_lines);
	assert_int_equal(sa.partial_last, sb.partial_last);
	assert_int_equal(sa.truncated_gz, sb.truncated_gz);
	free(a);
	free(b);
}

/*
 * source_next_lines reads straight into the caller's buffer, splitting a
 * chunk at a time; it must give what source_next gives: lines across chunk
 * edges, empty lines, lines cut at max_line (one inside a chunk, one longer
 * than a chunk), a last line without newline, a .gz, and calls that take
 * one line or three at a time (the rest kept for the next call).
 */
static void many_lines_a_call_are_the_lines_one_at_a_time_gives(void **state)
{
	(void)state;
	const char *plain = path("many.log");
	FILE *f = fopen(plain, "w");
	assert_non_null(f);
	for (int i = 0; i < 30000; i++) {
		if (i % 97 == 0)
			fputs("\n", f);
		else if (i == 1 || i == 5000)	/* cut at the 4 000-byte limit: inside the first chunk, and maybe across two */
			fprintf(f, "%07d %0*d\n", i, 6000, 0);
		else if (i == 9000)	/* longer than a chunk */
			fprintf(f, "%07d %0*d\n", i, (int)SOURCE_LINES_CHUNK * 2, 0);
		else
			fprintf(f, "Nov 24 10:00:00 mx postfix/smtpd[1]: connect from unknown[192.0.2.%d] %07d\n", i % 250,
				i);
	}
	fputs("a last line without newline", f);
	assert_int_equal(fclose(f), 0);
	assert_read_alike(plain, 4000, 4096);
	assert_read_alike(plain, 4000, 3);
	assert_read_alike(plain, 4000, 1);
	assert_read_alike(plain, 0, 4096);
	size_t n = 0;
	char *text = test_read_file(plain, &n);
	gzFile gz = gzopen(path("many.log.1.gz"), "wb");
	assert_int_equal(gzwrite(gz, text, (unsigned)n), (int)n);
	gzclose(gz);
	free(text);
	assert_read_alike(path("many.log.1.gz"), 4000, 4096);
	struct source_stats st;
	char *out = malloc(8u << 20);
	read_many(plain, 4000, 4096, out, 8u << 20, &st);
	assert_int_equal(st.lines, 30001);
	assert_int_equal(st.long_lines, 3);
	assert_int_equal(st.partial_last, 1);
	free(out);
}

static void gz_file_reads_the_same_lines_as_plain(void **state)
{
	(void)state;
	size_t n;
	char *text = test_read_file("tests/fixtures/lab-outbreak.log", &n);
	gzFile gz = gzopen(path("mail.log.2.gz"), "wb");
	assert_int_equal(gzwrite(gz, text, (unsigned)n), (int)n);
	gzclose(gz);
	char *a = malloc(n + 16), *b = malloc(n + 16);
	struct source_stats sa, sb;
	size_t la = read_all("tests/fixtures/lab-outbreak.log", 0, a, n + 16, &sa);
	size_t lb = read_all(path("mail.log.2.gz"), 0, b, n + 16, &sb);
	assert_int_equal(la, n);
	assert_int_equal(lb, n);
	assert_memory_equal(a, b, n);
	assert_int_equal(sa.lines, 325);
	assert_int_equal(sb.lines, 325);
	free(a);
	free(b);
	free(text);
}

static void truncated_gz_keeps_what_was_read_and_says_so(void **state)
{
	(void)state;
	size_t n = 0;
	char *text = test_read_file("tests/fixtures/lab-outbreak.log", &n);
	gzFile gz = gzopen(path("cut.gz"), "wb");
	gzwrite(gz, text, (unsigned)n);
	gzclose(gz);
	size_t gzlen = 0;
	char *z = test_read_file(path("cut.gz"), &gzlen);
	test_write_file(path("cut.gz"), z, gzlen / 2);
	char *out = malloc(n + 16);
	struct source_stats st;
	size_t got = read_all(path("cut.gz"), 0, out, n + 16, &st);
	assert_true(got > 0 && got < n);
	assert_memory_equal(out, text, got - 1 < 1000 ? got - 1 : 1000);
	assert_int_equal(st.truncated_gz, 1);
	free(out);
	free(z);
	free(text);
}

static void one_megabyte_line_is_returned_whole(void **state)
{
	(void)state;
	size_t big = 1 << 20;
	char *data = malloc(big + 64);
	memset(data, 'x', big);
	memcpy(data + big, "\nnext line\n", 11);
	test_write_file(path("big.log"), data, big + 11);
	char *out = malloc(big + 64);
	struct source_stats st;
	size_t got = read_all(path("big.log"), 0, out, big + 64, &st);
	assert_int_equal(got, big + 11);
	assert_int_equal(st.lines, 2);
	assert_int_equal(st.long_lines, 0);
	free(out);
	free(data);
}

static void line_over_the_limit_is_cut_and_the_next_line_survives(void **state)
{
	(void)state;
	size_t big = 3u << 20;
	char *data = malloc(big + 64);
	memset(data, 'y', big);
	memcpy(data + big, "\nafter\n", 7);
	test_write_file(path("huge.log"), data, big + 7);
	struct error err;
	struct line_source *s = source_open(path("huge.log"), 1 << 20, &err);
	assert_non_null(s);
	const char *line;
	size_t len;
	assert_int_equal(source_next(s, &line, &len, &err), 1);
	assert_int_equal(len, 1 << 20);
	assert_int_equal(source_next(s, &line, &len, &err), 1);
	assert_int_equal(len, 5);
	assert_memory_equal(line, "after", 5);
	assert_int_equal(source_next(s, &line, &len, &err), 0);
	assert_int_equal(source_stats(s)->long_lines, 1);
	assert_int_equal(source_stats(s)->bytes, big + 7);	/* the skipped tail is read, and counted */
	source_close(s);
	free(data);
}

static void last_line_without_newline_is_returned_and_counted(void **state)
{
	(void)state;
	test_write_file(path("partial.log"), "one\ntwo\nthr", 11);
	char out[64];
	struct source_stats st;
	size_t got = read_all(path("partial.log"), 0, out, sizeof(out), &st);
	assert_int_equal(got, 12);
	assert_memory_equal(out, "one\ntwo\nthr\n", 12);
	assert_int_equal(st.partial_last, 1);
	assert_int_equal(st.bytes, 11);
}

static void nul_bytes_stay_inside_their_line(void **state)
{
	(void)state;
	test_write_file(path("nul.log"), "a\0b\nc\n", 6);
	struct error err;
	struct line_source *s = source_open(path("nul.log"), 0, &err);
	const char *line;
	size_t len;
	assert_int_equal(source_next(s, &line, &len, &err), 1);
	assert_int_equal(len, 3);
	assert_memory_equal(line, "a\0b", 3);
	assert_int_equal(source_next(s, &line, &len, &err), 1);
	assert_int_equal(len, 1);
	source_close(s);
}

static void missing_file_and_directory_give_clear_errors(void **state)
{
	(void)state;
	struct error err = {""};
	assert_null(source_open(path("nope.log"), 0, &err));
	assert_non_null(strstr(err.msg, "nope.log"));
	assert_non_null(strstr(err.msg, "No such file"));
	struct line_source *s = source_open(test_dir(), 0, &err);
	if (s) {		/* open(2) of a directory succeeds; reading it fails */
		const char *line;
		size_t len;
		assert_int_equal(source_next(s, &line, &len, &err), -1);
		assert_non_null(strstr(err.msg, "Is a directory"));
		source_close(s);
	}
}

static void rotated_logs_are_put_oldest_first(void **state)
{
	(void)state;
	const char *glob[] = {"/var/log/mail.log", "/var/log/mail.log.1", "/var/log/mail.log.10.gz",
			      "/var/log/mail.log.2.gz", "/var/log/other.log"};
	source_order_rotated(glob, 5);
	assert_string_equal(glob[0], "/var/log/mail.log.10.gz");
	assert_string_equal(glob[1], "/var/log/mail.log.2.gz");
	assert_string_equal(glob[2], "/var/log/mail.log.1");
	assert_string_equal(glob[3], "/var/log/mail.log");
	assert_string_equal(glob[4], "/var/log/other.log");
	const char *mixed[] = {"b.log", "a.log.1", "a.log", "-"};
	source_order_rotated(mixed, 4);
	assert_string_equal(mixed[0], "b.log");
	assert_string_equal(mixed[1], "a.log.1");
	assert_string_equal(mixed[2], "a.log");
	assert_string_equal(mixed[3], "-");
}

/* ten_hours - a 20 MB log, one line every quarter second from 12:00 to 22:00 */
static size_t ten_hours(const char *file)
{
	FILE *f = fopen(file, "w");
	size_t n = 0;
	for (int t = 12 * 3600 * 4; t < 22 * 3600 * 4; t++, n++)
		fprintf(f, "Nov 24 %02d:%02d:%02d mx postfix/smtpd[1]: %010X: client=unknown[192.0.2.%d], "
			"sasl_method=LOGIN, sasl_username=user%d@example.com and some padding to be long\n",
			t / 4 / 3600, t / 4 / 60 % 60, t / 4 % 60, (unsigned)t, t % 250, t % 400);
	fclose(f);
	return n;
}

static void a_tail_read_starts_just_before_the_window_of_a_big_log(void **state)
{
	(void)state;
	size_t all = ten_hours(path("big.log"));
	struct model *m = model_new(NULL, TEST_REFERENCE);
	struct source_stats st = {0};
	struct error err;
	assert_int_equal(ingest_file_tail(m, path("big.log"), 1800, &st, &err), 0);
	const struct model_totals *t = model_totals(m);
	int64_t last = t->last_time;
	assert_true(t->first_time <= last - 1800);	/* the whole window */
	assert_true(t->first_time >= last - 1800 - 120);	/* and not much more */
	assert_true(t->lines >= 1800 * 4 && t->lines < all / 10);
	assert_true(st.skipped_bytes > (15u << 20));
	uint64_t window_lines = t->lines;
	model_free(m);
	/* with Dovecot's own file beside it (small: read whole), merged: the same window of the big one */
	FILE *f = fopen(path("dovecot.log"), "w");
	assert_non_null(f);
	fputs("Nov 24 21:50:00 imap-login: Info: Disconnected (auth failed, 1 attempts in 2 secs): user=<a@x>, "
	      "method=PLAIN, rip=192.0.2.9, lip=192.0.2.1, session=<s>\n", f);
	assert_int_equal(fclose(f), 0);
	m = model_new(NULL, TEST_REFERENCE);
	struct source_stats mst = {0};
	char big[256], dv[256];	/* path() reuses its buffer */
	snprintf(big, sizeof(big), "%s", path("big.log"));
	snprintf(dv, sizeof(dv), "%s", path("dovecot.log"));
	const char *both[] = {big, dv};
	const int stream[] = {0, 1};
	assert_int_equal(ingest_files(m, both, stream, 2, 1800, &mst, &err), 0);
	assert_int_equal(model_totals(m)->lines, window_lines + 1);
	assert_int_equal(model_totals(m)->sasl_failures, 1);
	assert_int_equal(mst.skipped_bytes, st.skipped_bytes);
	model_free(m);
	/* compressed: read whole */
	size_t len = 0;
	char *text = test_read_file(path("big.log"), &len);
	gzFile gz = gzopen(path("big.log.gz"), "wb1");
	gzwrite(gz, text, (unsigned)len);
	gzclose(gz);
	free(text);
	m = model_new(NULL, TEST_REFERENCE);
	struct source_stats gst = {0};
	assert_int_equal(ingest_file_tail(m, path("big.log.gz"), 1800, &gst, &err), 0);
	assert_int_equal(model_totals(m)->lines, all);
	assert_int_equal(gst.skipped_bytes, 0);
	model_free(m);
}

/* journalctl's own lines in the console's journal stream are not log lines:
 * its cursor (what the follow starts after) is kept, and only as a cursor's
 * characters; a log line is never taken for one */
static void journalctls_own_lines_and_its_cursor_are_told_from_log_lines(void **state)
{
	(void)state;
	char cursor[64] = "";
	static const char mark[] = "-- cursor: s=14e2;i=145;b=0123abcd;m=91;t=6610e2;x=1e5e";
	assert_true(ingest_journal_own_line(mark, strlen(mark), cursor, sizeof(cursor)));
	assert_string_equal(cursor, "s=14e2;i=145;b=0123abcd;m=91;t=6610e2;x=1e5e");
	static const char *const own[] = {"-- No entries --", "-- Boot 0123abcd --", "-- cursor: s=1 --rm -rf",
					  "-- cursor: "};
	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
		strcpy(cursor, "kept");
		assert_true(ingest_journal_own_line(own[i], strlen(own[i]), cursor, sizeof(cursor)));
		assert_string_equal(cursor, "kept");	/* no cursor in it, or not only a cursor's characters */
	}
	static const char log[] = "2026-11-24T23:35:37+0000 mail postfix/smtpd[9]: -- cursor: s=1";
	assert_false(ingest_journal_own_line(log, strlen(log), cursor, sizeof(cursor)));
	char tiny[8];
	assert_true(ingest_journal_own_line(mark, strlen(mark), tiny, sizeof(tiny)));	/* too long: not kept */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rotated_logs_are_put_oldest_first),
		cmocka_unit_test(gz_file_reads_the_same_lines_as_plain),
		cmocka_unit_test(many_lines_a_call_are_the_lines_one_at_a_time_gives),
		cmocka_unit_test(truncated_gz_keeps_what_was_read_and_says_so),
		cmocka_unit_test(one_megabyte_line_is_returned_whole),
		cmocka_unit_test(line_over_the_limit_is_cut_and_the_next_line_survives),
		cmocka_unit_test(last_line_without_newline_is_returned_and_counted),
		cmocka_unit_test(nul_bytes_stay_inside_their_line),
		cmocka_unit_test(missing_file_and_directory_give_clear_errors),
		cmocka_unit_test(a_tail_read_starts_just_before_the_window_of_a_big_log),
		cmocka_unit_test(journalctls_own_lines_and_its_cursor_are_told_from_log_lines),
	};
	return cmocka_run_group_tests(tests, test_dir_setup, test_dir_teardown);
}
