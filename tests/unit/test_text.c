/*
 * test_text - the safe string pieces: sanitizing hostile text, the growable
 * buffer and interning.
 */
#include "testutil.h"

#include "core/base/buf.h"
#include "core/base/intern.h"
#include "core/base/sanitize.h"
#include "tui/screen.h"

static char *clean(const char *s, size_t len)
{
	static char out[1024];
	struct buf b = BUF_INIT;
	sanitize_text(&b, s, len);
	assert_false(b.failed);
	snprintf(out, sizeof(out), "%s", buf_str(&b));
	buf_free(&b);
	return out;
}

#define CLEAN(lit) clean((lit), sizeof(lit) - 1)

static void escape_sequences_become_visible_text(void **state)
{
	(void)state;
	assert_string_equal(CLEAN("a\x1b[31mred"), "a\\x1b[31mred");
	assert_string_equal(CLEAN("bell\x07 del\x7f nul\0x"), "bell\\x07 del\\x7f nul\\x00x");
	assert_string_equal(CLEAN("line\r\nnext\ttab"), "line\\x0d\\x0anext\\x09tab");
	/* C1 CSI (U+009B) and OSC (U+009D) as UTF-8 */
	assert_string_equal(CLEAN("x\xc2\x9b" "2J"), "x\\u009b2J");
	assert_string_equal(CLEAN("\xc2\x9d" "0;title\x07"), "\\u009d0;title\\x07");
}

static void bidi_overrides_are_shown_as_code_points(void **state)
{
	(void)state;
	assert_string_equal(CLEAN("user\xe2\x80\xae" "gpj.exe"), "user\\u202egpj.exe");
	assert_string_equal(CLEAN("\xe2\x81\xa6x\xe2\x81\xa9"), "\\u2066x\\u2069");
}

static void invalid_and_overlong_utf8_become_replacement_characters(void **state)
{
	(void)state;
	assert_string_equal(CLEAN("a\xff" "b"), "a\xef\xbf\xbd" "b");
	assert_string_equal(CLEAN("\xc0\xaf"), "\xef\xbf\xbd\xef\xbf\xbd");	/* overlong '/' */
	assert_string_equal(CLEAN("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");	/* surrogate */
	assert_string_equal(CLEAN("cut\xe2\x82"), "cut\xef\xbf\xbd\xef\xbf\xbd");
}

static void printable_utf8_and_ascii_pass_unchanged(void **state)
{
	(void)state;
	assert_string_equal(CLEAN("jos\xc3\xa9@caf\xc3\xa9.example"), "jos\xc3\xa9@caf\xc3\xa9.example");
	assert_string_equal(CLEAN("\xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x93\xa7"), "\xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x93\xa7");
	assert_string_equal(CLEAN("\"john, doe\"@x.example"), "\"john, doe\"@x.example");
}

static void utf8_repair_keeps_controls_for_json_to_escape(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	sanitize_utf8(&b, "a\x1b\xff", 3);
	assert_int_equal(b.len, 5);
	assert_memory_equal(b.data, "a\x1b\xef\xbf\xbd", 5);
	buf_free(&b);
}

static void buffer_grows_checks_and_formats(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	for (int i = 0; i < 10000; i++)
		buf_printf(&b, "%d,", i % 10);
	assert_int_equal(b.len, 20000);
	assert_false(b.failed);
	assert_int_equal(buf_str(&b)[19998], '9');
	buf_reset(&b);
	assert_string_equal(buf_str(&b), "");
	assert_int_equal(buf_reserve(&b, (size_t)-1 / 2), -1);	/* absurd size refused, remembered */
	assert_true(b.failed);
	buf_free(&b);
	char small[4];
	assert_string_equal(sv_copy((struct strview){"abcdef", 6}, small, sizeof(small)), "abc");
}

static void equal_strings_intern_to_one_pointer_nul_included(void **state)
{
	(void)state;
	struct intern_table *t = intern_new();
	const struct istr *a = intern(t, "victim@lab.example", 18);
	char copy[] = "victim@lab.example";
	assert_ptr_equal(intern(t, copy, 18), a);
	assert_ptr_not_equal(intern(t, "victim@lab.exampl", 17), a);
	const struct istr *n1 = intern(t, "a\0b", 3), *n2 = intern(t, "a\0c", 3);
	assert_ptr_not_equal(n1, n2);
	assert_int_equal(n1->len, 3);
	char key[32];
	for (int i = 0; i < 50000; i++) {	/* through several table growths */
		int n = snprintf(key, sizeof(key), "k%d", i);
		assert_non_null(intern(t, key, (size_t)n));
	}
	assert_ptr_equal(intern_find(t, "victim@lab.example", 18), a);
	assert_null(intern_find(t, "never", 5));
	assert_int_equal(intern_count(t), 50000 + 4);
	intern_free(t);
}

/* a page's long line breaks after a space, not inside a word; a word longer
 * than the row is cut; wide and multi-byte characters count by columns */
static void long_lines_break_after_a_space_not_inside_a_word(void **state)
{
	(void)state;
	const char *s = "the quick brown fox";
	assert_int_equal(screen_row_end(s, strlen(s), 0, 10), 10);	/* "the quick " */
	assert_int_equal(screen_row_end(s, strlen(s), 10, 10), 19);	/* "brown fox" */
	assert_int_equal(screen_row_end(s, strlen(s), 0, 30), 19);
	const char *word = "abcdefghijklmnop";
	assert_int_equal(screen_row_end(word, strlen(word), 0, 5), 5);
	const char *accents = "\xc3\xa9\xc3\xa9\xc3\xa9 \xc3\xa9\xc3\xa9\xc3\xa9";	/* six columns and a space */
	assert_int_equal(screen_row_end(accents, strlen(accents), 0, 5), 7);	/* "ééé " */
}

/* bytes_eq, at every length a name or queue ID has and past it: a difference
 * in any one byte is seen, whichever word (or overlapping tail) holds it;
 * sv_has_upper and sv_lower fold ASCII capitals only */
static void bytes_eq_sees_a_difference_in_any_byte_and_folding_is_ascii(void **state)
{
	(void)state;
	char a[48], b[48];
	for (size_t i = 0; i < sizeof(a); i++)
		a[i] = (char)('a' + i % 26);
	for (size_t n = 0; n <= 40; n++) {
		memcpy(b, a, sizeof(b));
		assert_true(bytes_eq(a, b, n));
		for (size_t k = 0; k < n; k++) {
			b[k] ^= 0x20;
			assert_false(bytes_eq(a, b, n));
			b[k] ^= 0x20;
		}
		b[n] ^= 0x20;	/* past the end: not compared */
		assert_true(bytes_eq(a, b, n));
	}
	struct strview v = {"Victim@Lab.EXAMPLE\xc3\x89", 20};
	char low[20];
	assert_true(sv_has_upper(v));
	assert_false(sv_has_upper((struct strview){"victim@lab.example", 18}));
	struct strview l = sv_lower(v, low);
	assert_int_equal(l.len, 20);
	assert_memory_equal(l.ptr, "victim@lab.example\xc3\x89", 20);
}

/* an indented line's further rows start at its indent: "  aaaa bbbb cccc"
 * at width 8 is "  aaaa", "  bbbb", "  cccc" (three rows, not two) */
static void a_wrapped_indented_line_keeps_its_indent(void **state)
{
	(void)state;
	assert_int_equal(screen_text_rows("  aaaa bbbb cccc", 16, 8), 3);
	assert_int_equal(screen_text_rows("aaaa bbbb cccc", 14, 8), 3);
	assert_int_equal(screen_text_rows("aaaaaa bbbbbb", 13, 8), 2);
	assert_int_equal(screen_text_rows("  aaaaaa bbbbbb", 15, 8), 2);	/* a third of 8: an indent of 2 */
	assert_int_equal(screen_text_rows("  aaaaaa bbbbbbb", 16, 8), 3);	/* 7 do not fit beside it */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(long_lines_break_after_a_space_not_inside_a_word),
		cmocka_unit_test(a_wrapped_indented_line_keeps_its_indent),
		cmocka_unit_test(bytes_eq_sees_a_difference_in_any_byte_and_folding_is_ascii),
		cmocka_unit_test(escape_sequences_become_visible_text),
		cmocka_unit_test(bidi_overrides_are_shown_as_code_points),
		cmocka_unit_test(invalid_and_overlong_utf8_become_replacement_characters),
		cmocka_unit_test(printable_utf8_and_ascii_pass_unchanged),
		cmocka_unit_test(utf8_repair_keeps_controls_for_json_to_escape),
		cmocka_unit_test(buffer_grows_checks_and_formats),
		cmocka_unit_test(equal_strings_intern_to_one_pointer_nul_included),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
