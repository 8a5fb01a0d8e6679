/*
 * test_linesplit - cutting a byte stream into lines without allocation per
 * line: the same lines whatever the reads' sizes, an over-long line's head
 * once and its tail skipped (the next line intact), an unended line at the
 * end, NUL bytes kept, a truncated file's partial line forgotten.
 */
#include "testutil.h"

#include "core/logs/linesplit.h"

struct got {
	char lines[64][64];
	size_t lens[64];
	int n;
};

static void collect(const char *line, size_t len, void *arg)
{
	struct got *g = arg;
	assert_true(g->n < 64);
	size_t keep = len < sizeof(g->lines[0]) ? len : sizeof(g->lines[0]) - 1;
	memcpy(g->lines[g->n], line, keep);
	g->lines[g->n][keep] = 0;
	g->lens[g->n++] = len;
}

/* feed - text into s in reads of `step` bytes (0: random sizes from 1 to 7) */
static void feed(struct line_splitter *s, const char *text, size_t len, size_t step, struct got *g)
{
	unsigned seed = 7;
	for (size_t at = 0; at < len;) {
		size_t room, want = step ? step : 1 + (seed = seed * 1103515245 + 12345) % 7;
		char *space = linesplit_space(s, &room);
		size_t n = want < room ? want : room;
		if (n > len - at)
			n = len - at;
		memcpy(space, text + at, n);
		linesplit_commit(s, n, collect, g);
		at += n;
	}
}

static void the_same_lines_come_out_whatever_the_size_of_the_reads(void **state)
{
	(void)state;
	const char text[] = "Nov 24 10:00:00 mx postfix/smtpd[1]: connect\n\nsecond line\nthird\n";
	for (size_t step = 0; step <= sizeof(text); step++) {
		struct line_splitter s;
		struct got g = {0};
		assert_int_equal(linesplit_init(&s, 128), 0);
		feed(&s, text, sizeof(text) - 1, step, &g);
		assert_int_equal(g.n, 4);
		assert_string_equal(g.lines[0], "Nov 24 10:00:00 mx postfix/smtpd[1]: connect");
		assert_int_equal(g.lens[1], 0);	/* an empty line is a line */
		assert_string_equal(g.lines[2], "second line");
		assert_string_equal(g.lines[3], "third");
		assert_int_equal(s.lines, 4);
		assert_int_equal(s.bytes, sizeof(text) - 1);
		linesplit_free(&s);
	}
}

static void an_over_long_line_gives_its_head_once_and_the_next_line_is_whole(void **state)
{
	(void)state;
	char text[200];
	memset(text, 'x', 100);	/* 100 bytes, then its end */
	memcpy(text + 100, "\nafter\n", 7);
	for (size_t step = 0; step <= 40; step += 5) {
		struct line_splitter s;
		struct got g = {0};
		assert_int_equal(linesplit_init(&s, 16), 0);
		feed(&s, text, 107, step, &g);
		assert_int_equal(g.n, 2);
		assert_int_equal(g.lens[0], 16);	/* cut at max_line */
		assert_string_equal(g.lines[1], "after");
		assert_int_equal(s.long_lines, 1);
		linesplit_free(&s);
	}
	struct line_splitter s;	/* exactly max_line long: whole, not counted */
	struct got g = {0};
	assert_int_equal(linesplit_init(&s, 5), 0);
	feed(&s, "12345\n", 6, 6, &g);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.lines[0], "12345");
	assert_int_equal(s.long_lines, 0);
	linesplit_free(&s);
}

static void an_unended_last_line_is_given_at_the_end_and_a_truncated_one_is_forgotten(void **state)
{
	(void)state;
	struct line_splitter s;
	struct got g = {0};
	assert_int_equal(linesplit_init(&s, 64), 0);
	feed(&s, "one\ntw", 6, 0, &g);
	assert_int_equal(g.n, 1);
	assert_int_equal(linesplit_flush(&s, collect, &g), 1);
	assert_string_equal(g.lines[1], "tw");
	assert_int_equal(s.partial_lines, 1);
	assert_int_equal(linesplit_flush(&s, collect, &g), 0);	/* nothing left */
	feed(&s, "half a li", 9, 0, &g);
	linesplit_drop(&s);	/* the file was truncated under it */
	feed(&s, "new\n", 4, 0, &g);
	assert_int_equal(g.n, 3);
	assert_string_equal(g.lines[2], "new");
	linesplit_free(&s);
}

static void nul_bytes_stay_inside_their_line(void **state)
{
	(void)state;
	struct line_splitter s;
	struct got g = {0};
	assert_int_equal(linesplit_init(&s, 64), 0);
	feed(&s, "a\0b\nc\n", 6, 0, &g);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.lens[0], 3);
	assert_memory_equal(g.lines[0], "a\0b", 3);
	linesplit_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_same_lines_come_out_whatever_the_size_of_the_reads),
		cmocka_unit_test(an_over_long_line_gives_its_head_once_and_the_next_line_is_whole),
		cmocka_unit_test(an_unended_last_line_is_given_at_the_end_and_a_truncated_one_is_forgotten),
		cmocka_unit_test(nul_bytes_stay_inside_their_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
