/*
 * test_hostile - the table of hostile strings (tests/hostile/hostile.h),
 * each in every field of a message's log lines, through every printer:
 * the text report, the JSON report, Prometheus and Influx metrics, the
 * incident report, and the terminal itself (screen_text into a real
 * curses screen on a file). The bytes written are checked: valid UTF-8,
 * no control character but newline, no C1, no code point that reorders or
 * hides text, no escape sequence but the terminal library's own.
 */
#define _GNU_SOURCE	/* memmem */
#include "testutil.h"
#include "metrics_check.h"
#include "tests/hostile/hostile.h"

#include <curses.h>
#include <fcntl.h>
#include <jansson.h>
#include <locale.h>
#include <unistd.h>

#include "core/incident/alerts.h"
#include "core/incident/cleanup.h"
#include "core/model/detect.h"
#include "core/incident/metrics.h"
#include "core/incident/report.h"
#include "core/base/sanitize.h"
#include "tui/screen.h"

/* ---- what safe bytes are (decoded here independently of core/base/sanitize) ---- */

/* next_cp - strict UTF-8: the code point at s, its length in *n; -1 if invalid */
static long next_cp(const unsigned char *s, size_t len, size_t *n)
{
	static const long min_of[5] = {0, 0, 0x80, 0x800, 0x10000};
	unsigned char c = s[0];
	size_t want = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
	if (want == 0 || want > len)
		return -1;
	long cp = want == 1 ? c : c & (0x7F >> want);
	for (size_t i = 1; i < want; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return -1;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	if (cp < min_of[want] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return -1;
	*n = want;
	return cp;
}

static int hides_or_reorders(long cp)
{
	return (cp >= 0x80 && cp <= 0x9F) || cp == 0xAD || cp == 0x61C || cp == 0x180E
	    || (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202E)
	    || (cp >= 0x2060 && cp <= 0x2069) || cp == 0xFEFF || (cp >= 0xFFF9 && cp <= 0xFFFB)
	    || (cp >= 0xE0000 && cp <= 0xE007F);
}

/* assert_safe_text - what a report, metrics or a Markdown file may contain */
static void assert_safe_text(const char *what, const char *s, size_t len)
{
	for (size_t i = 0, n = 1; i < len; i += n) {
		long cp = next_cp((const unsigned char *)s + i, len - i, &n);
		if (cp < 0)
			fail_msg("%s: invalid UTF-8 at byte %zu", what, i);
		if ((cp < 0x20 && cp != '\n') || cp == 0x7F || hides_or_reorders(cp))
			fail_msg("%s: U+%04lX at byte %zu", what, cp, i);
	}
}

/* ---- the hostile model ---- */

static struct model *hostile_model(void)
{
	char *log = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&log, &size);
	hostile_write_log(f);
	fclose(f);
	struct model *m = model_new(NULL, TEST_REFERENCE);
	for (char *p = log, *end = log + size; p < end;) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		model_add_line(m, p, n);
		p += n + 1;
	}
	free(log);
	assert_int_equal(model_totals(m)->malformed_lines, 0);
	return m;
}

static void hostile_table_reaches_every_field(void **state)
{
	(void)state;
	struct model *m = hostile_model();
	/* one message, one sender, one failing IP per string; the long one is cut, not dropped */
	assert_int_equal(model_totals(m)->messages, HOSTILE_COUNT + 1);
	assert_int_equal(model_agg_count(m, AGG_SENDER), HOSTILE_COUNT + 1);
	assert_int_equal(model_totals(m)->sasl_failures, HOSTILE_COUNT + 1);
	assert_int_equal(model_totals(m)->rejects, HOSTILE_COUNT + 1);
	assert_true(model_totals(m)->fields_cut >= 1);
	assert_true(model_agg_count(m, AGG_SASL_USER) >= HOSTILE_COUNT / 2);
	model_free(m);
}

typedef int (*report_fn)(FILE *, const struct model *, const struct report_options *, struct error *);

static char *report_of(struct model *m, report_fn fn, size_t *len)
{
	char *out = NULL;
	FILE *f = open_memstream(&out, len);
	struct report_options ro = {.top = 1000};
	detect_thresholds_default(&ro.thresholds);
	struct error err;
	assert_int_equal(fn(f, m, &ro, &err), 0);
	fclose(f);
	return out;
}

static void text_report_writes_only_safe_bytes(void **state)
{
	(void)state;
	struct model *m = hostile_model();
	size_t len;
	char *out = report_of(m, report_write_text, &len);
	assert_safe_text("text report", out, len);
	assert_non_null(strstr(out, "\\x1b]0;PWNED\\x07title"));	/* shown, escaped */
	assert_non_null(strstr(out, "\\u202egnp.exe\\u202c"));
	free(out);
	model_free(m);
}

static void json_report_is_ascii_and_gives_back_each_name_repaired(void **state)
{
	(void)state;
	struct model *m = hostile_model();
	size_t len;
	char *out = report_of(m, report_write_json, &len);
	for (size_t i = 0; i < len; i++)
		if (out[i] != '\n' && (out[i] < 0x20 || out[i] > 0x7e))
			fail_msg("JSON byte 0x%02x at %zu", (unsigned char)out[i], i);
	json_error_t jerr;
	json_t *root = json_loadb(out, len, JSON_ALLOW_NUL, &jerr);	/* \u0000 is valid JSON, kept exact */
	if (root == NULL)
		fail_msg("JSON: %s at %d", jerr.text, jerr.position);
	/* every sender comes back as the log had it, invalid UTF-8 replaced by U+FFFD */
	json_t *senders = json_object_get(root, "senders");
	for (size_t i = 0; i < HOSTILE_COUNT; i++) {
		struct buf want = BUF_INIT;
		sanitize_utf8(&want, hostile_strings[i].s, hostile_strings[i].len);
		buf_puts(&want, "@hostile.example");
		int found = 0;
		for (size_t k = 0; k < json_array_size(senders); k++) {
			json_t *key = json_object_get(json_array_get(senders, k), "key");
			found |= json_string_length(key) == want.len && memcmp(json_string_value(key), want.data, want.len) == 0;
		}
		if (!found)
			fail_msg("sender %s not given back", hostile_strings[i].name);
		buf_free(&want);
	}
	json_decref(root);
	free(out);
	model_free(m);
}

static char *metrics_of(struct model *m, enum metrics_format fmt)
{
	char *text = metrics_text(fmt, m, NULL, 1000);
	assert_safe_text(fmt == METRICS_PROMETHEUS ? "prometheus" : "influx", text, strlen(text));
	return text;
}

static void metrics_label_values_are_escaped_and_parse_strictly(void **state)
{
	(void)state;
	struct model *m = hostile_model();
	char *text = metrics_of(m, METRICS_PROMETHEUS);
	size_t users;
	check_prometheus(text, &users, "spamtop_sasl_user_messages_total");
	size_t sending = 0;	/* users seen only failing to log in have no message series */
	for (size_t i = 0; i < model_agg_count(m, AGG_SASL_USER); i++)
		sending += model_agg_at(m, AGG_SASL_USER, i)->msgs > 0;
	assert_int_equal(users, sending);
	assert_true(sending >= HOSTILE_COUNT / 2);
	assert_non_null(strstr(text, "{user=\"\\\"quoted\\\"\\\\back\\\\\\\\slash\\\\n\"}"));
	free(text);
	text = metrics_of(m, METRICS_INFLUX);
	/* line protocol: a tag value may not hold a raw space, comma or equals sign unescaped */
	for (char *line = text; *line; line = strchr(line, '\n') + 1) {
		char *tags_end = line;
		while (*tags_end != ' ' && *tags_end != '\n')
			tags_end += *tags_end == '\\' ? 2 : 1;
		assert_int_equal(*tags_end, ' ');
		if (strchr(line, '\n') == NULL)
			break;
	}
	free(text);
	model_free(m);
}

static void incident_report_writes_only_safe_bytes(void **state)
{
	(void)state;
	struct model *m = hostile_model();
	struct suspect sus[64];
	struct detect_thresholds th;
	detect_thresholds_default(&th);
	th.user_messages = 1;	/* every hostile name a suspect, so each is written */
	th.relay_messages = 1;
	th.failures = 1;
	size_t n = detect_suspects(m, &th, sus, 64);
	assert_true(n > 0);
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	static const char *const logs[] = {"/var/log/mail.log"};
	struct error err;
	assert_int_equal(incident_write(f, m, sus, n, NULL, logs, 1, NULL, &err), 0);
	fclose(f);
	assert_safe_text("incident report", out, len);
	assert_null(strstr(out, "<script>"));	/* Markdown renderers would run it */
	free(out);
	model_free(m);
}

/* ---- the terminal: screen_text on a real curses screen writing to a file ---- */

static void terminal_gets_no_escape_sequence_but_the_librarys_own(void **state)
{
	(void)state;
	if (setlocale(LC_ALL, "C.UTF-8") == NULL)
		skip();
	setenv("TERM", "xterm-256color", 1);
	setenv("LC_ALL", "C.UTF-8", 1);
	char path[] = "/tmp/spamtop-screen.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	int saved_out = dup(STDOUT_FILENO), saved_in = dup(STDIN_FILENO), null = open("/dev/null", O_RDONLY);
	fflush(stdout);
	dup2(fd, STDOUT_FILENO);
	dup2(null, STDIN_FILENO);
	int opened = screen_open(0) == 0;
	if (opened) {
		for (size_t i = 0; i < HOSTILE_COUNT; i++)
			screen_text((int)i % 24, 0, 200, hostile_strings[i].s, hostile_strings[i].len, 0, ALIGN_LEFT);
		refresh();
		screen_close();
	}
	fflush(stdout);
	dup2(saved_out, STDOUT_FILENO);
	dup2(saved_in, STDIN_FILENO);
	close(saved_out);
	close(saved_in);
	close(null);
	close(fd);
	size_t len = 0;
	char *out = test_read_file(path, &len);
	unlink(path);
	assert_true(opened);
	/* ESC only as the terminal library's own CSI or charset/keypad sequences */
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)out[i];
		if (c == 0x1b) {
			char next = i + 1 < len ? out[i + 1] : 0;
			if (strchr("[()=>78", next) == NULL || next == 0)
				fail_msg("ESC %c at byte %zu", next, i);
			if (next == '[') {	/* a CSI: none that asks the terminal things or moves its window */
				size_t j = i + 2;
				while (j < len && (unsigned char)out[j] >= 0x20 && (unsigned char)out[j] < 0x40)
					j++;
				int title_stack = j - i == 8 && (memcmp(out + i + 2, "22;0;0", 6) == 0
								  || memcmp(out + i + 2, "23;0;0", 6) == 0);
				if (j < len && (out[j] == 'n' || out[j] == 'c' || (out[j] == 't' && !title_stack)))
					fail_msg("CSI %.*s at byte %zu", (int)(j - i - 1), out + i + 1, i);
			}
		} else if ((c < 0x20 && c != '\r' && c != '\n' && c != '\b' && c != '\x0f' && c != '\x0e') || c == 0x7f) {
			fail_msg("control byte 0x%02x at %zu", c, i);
		}
	}
	/* no C1 and nothing that reorders or hides text, as code points */
	for (size_t i = 0, n = 1; i < len; i += n) {
		long cp = next_cp((const unsigned char *)out + i, len - i, &n);
		if (cp < 0)
			fail_msg("invalid UTF-8 to the terminal at byte %zu", i);
		if (hides_or_reorders(cp))
			fail_msg("U+%04lX to the terminal at byte %zu", cp, i);
	}
	assert_non_null(memmem(out, len, "\\x1b]0;PWNED\\x07title", 20));	/* shown as text */
	free(out);
}

int main(void)
{
	test_use_utc();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hostile_table_reaches_every_field),
		cmocka_unit_test(text_report_writes_only_safe_bytes),
		cmocka_unit_test(json_report_is_ascii_and_gives_back_each_name_repaired),
		cmocka_unit_test(metrics_label_values_are_escaped_and_parse_strictly),
		cmocka_unit_test(incident_report_writes_only_safe_bytes),
		cmocka_unit_test(terminal_gets_no_escape_sequence_but_the_librarys_own),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
