/*
 * test_report - the reports on the real lab outbreak name the abused SASL
 * user, the abused trusted relay and the brute-force source with correct
 * counts; hostile log text comes out as safe bytes in text and JSON.
 */
#include "testutil.h"

#include <jansson.h>

#include "core/model/ingest.h"
#include "core/incident/report.h"

static int setup(void **state)
{
	(void)state;
	test_use_utc();
	return 0;
}

static char *render(struct model *m, int json, size_t *len)
{
	char *out = NULL;
	FILE *f = open_memstream(&out, len);
	struct report_options ro = {.top = 10};
	detect_thresholds_default(&ro.thresholds);
	struct error err;
	assert_int_equal(json ? report_write_json(f, m, &ro, &err) : report_write_text(f, m, &ro, &err), 0);
	fclose(f);
	return out;
}

static json_t *lab_json(void)
{
	struct model *m = model_new(NULL, TEST_REFERENCE);
	struct source_stats st = {0};
	struct error err;
	assert_int_equal(ingest_file(m, "tests/fixtures/lab-outbreak.log", &st, &err), 0);
	size_t len;
	char *out = render(m, 1, &len);
	json_error_t jerr;
	json_t *root = json_loadb(out, len, 0, &jerr);
	assert_non_null(root);
	free(out);
	model_free(m);
	return root;
}

static json_t *suspect(json_t *root, const char *kind, const char *key)
{
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(root, "suspects"), i, s)
		if (strcmp(json_string_value(json_object_get(s, "kind")), kind) == 0
		    && strcmp(json_string_value(json_object_get(s, "key")), key) == 0)
			return s;
	fail_msg("no %s suspect %s", kind, key);
	return NULL;
}

static long num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	assert_true(json_is_integer(v));
	return (long)json_integer_value(v);
}

static void json_report_names_compromised_account_and_trusted_relay_with_counts(void **state)
{
	(void)state;
	json_t *root = lab_json();
	assert_string_equal(json_string_value(json_object_get(root, "schema")), "spamtop.report/1");
	json_t *suspects = json_object_get(root, "suspects");
	assert_int_equal(json_array_size(suspects), 3);
	/* the biggest sender first */
	json_t *first = json_array_get(suspects, 0);
	assert_string_equal(json_string_value(json_object_get(first, "kind")), "sasl_user");
	assert_string_equal(json_string_value(json_object_get(first, "key")), "victim@lab.example");
	assert_int_equal(num(first, "messages"), 24);
	assert_int_equal(num(first, "client_ips"), 5);
	json_t *relay = suspect(root, "trusted_relay", "127.0.0.2");
	assert_int_equal(num(relay, "messages"), 12);
	assert_int_equal(num(relay, "unauthenticated"), 12);
	json_t *brute = suspect(root, "brute_force", "127.0.0.66");
	assert_int_equal(num(brute, "sasl_failures"), 4);
	/* alice, the normal user, is in the table but not a suspect */
	json_t *users = json_object_get(root, "sasl_users");
	assert_int_equal(json_array_size(users), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(users, 1), "key")), "alice@lab.example");
	json_t *totals = json_object_get(root, "totals");
	assert_int_equal(num(totals, "messages"), 40);
	assert_int_equal(num(totals, "null_sender"), 4);
	assert_int_equal(num(json_object_get(json_object_get(totals, "rejects_breakdown"), "by_class"),
			     "relay_denied"), 1);
	assert_int_equal(num(json_object_get(root, "input"), "lines"), 325);
	json_decref(root);
}

static struct model *hostile_model(void)
{
	struct model *m = model_new(NULL, TEST_REFERENCE);
	static const char *lines[] = {
		"Nov 24 10:00:00 mx postfix/smtpd[1]: 1A2B3C4D5E: client=unknown[192.0.2.1], sasl_method=LOGIN, "
		"sasl_username=ev\x1b]0;owned\x07il\xc2\x9b" "2J\xff",
		"Nov 24 10:00:01 mx postfix/qmgr[2]: 1A2B3C4D5E: from=<\x1b[2J\xe2\x80\xae" "x@evil.example>, size=1, nrcpt=1 (queue active)",
	};
	for (size_t i = 0; i < 2; i++)
		model_add_line(m, lines[i], strlen(lines[i]));
	return m;
}

static void json_report_of_hostile_text_is_pure_ascii_valid_json(void **state)
{
	(void)state;
	struct model *m = hostile_model();
	size_t len;
	char *out = render(m, 1, &len);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)out[i];
		assert_true(c == '\n' || (c >= 0x20 && c < 0x7f));
	}
	json_error_t jerr;
	json_t *root = json_loadb(out, len, 0, &jerr);
	assert_non_null(root);
	const char *user = json_string_value(json_object_get(json_array_get(json_object_get(root, "sasl_users"), 0), "key"));
	assert_string_equal(user, "ev\x1b]0;owned\x07il\xc2\x9b" "2J\xef\xbf\xbd");	/* escaped in transit, intact after */
	json_decref(root);
	free(out);
	model_free(m);
}

static void text_report_of_hostile_text_has_no_control_or_format_characters(void **state)
{
	(void)state;
	struct model *m = hostile_model();
	size_t len;
	char *out = render(m, 0, &len);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)out[i];
		assert_true(c == '\n' || c >= 0x20);
		assert_true(c != 0x7f);
		if (c == 0xc2)	/* no C1 control encoded */
			assert_false((unsigned char)out[i + 1] >= 0x80 && (unsigned char)out[i + 1] <= 0x9f);
	}
	assert_null(strstr(out, "\xe2\x80\xae"));
	assert_non_null(strstr(out, "ev\\x1b]0;owned\\x07il\\u009b2J"));
	free(out);
	model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(json_report_names_compromised_account_and_trusted_relay_with_counts),
		cmocka_unit_test(json_report_of_hostile_text_is_pure_ascii_valid_json),
		cmocka_unit_test(text_report_of_hostile_text_has_no_control_or_format_characters),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
