/*
 * test_reputation - the refusals for reputation read from delivery status
 * texts: every pattern of reputation.def is found in a remote site's reply
 * (in any case, across a multi-line reply's inner codes), nothing is read
 * where the site said nothing or refused for another reason (no false
 * alarm), and the per-domain log stays bounded.
 */
#include "testutil.h"

#include <ctype.h>

#include "core/logs/reputation.h"

static int classify(const char *text)
{
	return reputation_classify(text, strlen(text));
}

static void every_pattern_is_found_in_a_remote_reply_in_any_case(void **state)
{
	(void)state;
	assert_true(reputation_entry_count <= 64);	/* a domain's entries are a 64-bit mask */
	for (size_t i = 0; i < reputation_entry_count; i++) {
		const char *pat = reputation_entries[i].pattern;
		for (const char *p = pat; *p; p++)
			assert_false(isupper((unsigned char)*p));	/* compared with lower-cased text */
		char text[512], upper[256];
		snprintf(text, sizeof(text), "host mx.example.org[192.0.2.7] said: 550 5.7.1 Refused: %s (in reply to "
			 "end of DATA command)", pat);
		int e = classify(text);
		assert_true(e >= 0 && (size_t)e <= i);	/* this entry, or a more specific one before it */
		assert_non_null(strstr(text, reputation_entries[e].pattern));
		size_t n = 0;
		for (; pat[n] && n + 1 < sizeof(upper); n++)
			upper[n] = (char)toupper((unsigned char)pat[n]);
		upper[n] = 0;
		snprintf(text, sizeof(text), "host mx.example.org[192.0.2.7] said: 421 4.7.0 %s", upper);
		assert_int_equal(classify(text), e);
	}
}

/* the table's order decides, not the text's: a reply naming the generic
 * "blocked using" before the specific list gets the list's entry */
static void the_earliest_entry_of_the_table_wins_wherever_the_text_names_it(void **state)
{
	(void)state;
	int spamhaus = -1, blocked = -1;
	for (size_t i = 0; i < reputation_entry_count; i++) {
		if (strcmp(reputation_entries[i].pattern, "spamhaus") == 0)
			spamhaus = (int)i;
		if (strcmp(reputation_entries[i].pattern, "blocked using ") == 0)
			blocked = (int)i;
	}
	assert_true(spamhaus >= 0 && blocked > spamhaus);
	assert_int_equal(classify("host mx.example.org[192.0.2.7] said: 554 5.7.1 Service unavailable; Client host "
				  "[198.51.100.9] blocked using zen.spamhaus.org"), spamhaus);
	assert_int_equal(classify("host mx.example.org[192.0.2.7] said: 554 5.7.1 blocked using a list of ours"),
			 blocked);
}

static void a_multi_line_reply_reads_on_across_its_inner_codes(void **state)
{
	(void)state;
	int e = classify("host gmail-smtp-in.l.google.com[192.0.2.26] said: 421-4.7.28 Our system has detected an "
			 "unusual rate of 421-4.7.28 unsolicited mail originating from your IP address. (in reply to end "
			 "of DATA command)");
	assert_true(e >= 0);
	assert_int_equal(reputation_entries[e].cls, RP_PROVIDER);
	assert_non_null(strstr(reputation_entries[e].what, "Gmail"));
}

static void no_refusal_is_read_where_the_site_said_nothing_or_refused_otherwise(void **state)
{
	(void)state;
	/* a deferral Postfix wrote itself: the pattern is not the remote site's word */
	char text[256];
	snprintf(text, sizeof(text), "connect to mx.example.org[192.0.2.7]:25: %s", reputation_entries[0].pattern);
	assert_int_equal(classify(text), -1);
	assert_int_equal(classify("connect to mx.example.org[192.0.2.7]:25: Connection refused"), -1);
	assert_int_equal(classify("host mx.example.org[192.0.2.7] said: 550 5.1.1 <nobody@example.org>: Recipient "
				  "address rejected: User unknown in virtual mailbox table"), -1);
	assert_int_equal(classify("host mx.example.org[192.0.2.7] said: 452 4.2.2 Mailbox full"), -1);
	assert_int_equal(classify(""), -1);
}

static void the_log_counts_per_domain_and_past_its_limit_together(void **state)
{
	(void)state;
	struct reputation_log *log = calloc(1, sizeof(*log));
	assert_non_null(log);
	reputation_note(log, "Gmail.com", 9, 0, 100);
	reputation_note(log, "gmail.com", 9, 1, 50);	/* one domain whatever the case; earlier time */
	reputation_note(log, "x.example", 9, -1, 60);	/* not a refusal for reputation: ignored */
	assert_int_equal(log->count, 1);
	assert_int_equal(log->refusals, 2);
	assert_int_equal(log->d[0].refusals, 2);
	assert_int_equal(log->d[0].first_seen, 50);
	assert_int_equal(log->d[0].last_seen, 100);
	assert_int_equal(log->d[0].entries, 3);
	char name[32];
	for (int i = 0; i < REPUTATION_MAX_DOMAINS + 5; i++) {
		int n = snprintf(name, sizeof(name), "d%d.example", i);
		reputation_note(log, name, (size_t)n, 0, 200);
	}
	assert_int_equal(log->count, REPUTATION_MAX_DOMAINS);
	assert_int_equal(log->other_domains, 6);	/* counted, not lost */
	const struct reputation_domain *worst;
	assert_int_equal(reputation_domains_since(log, 150, &worst), REPUTATION_MAX_DOMAINS - 1);
	const struct reputation_domain *top[1];
	assert_int_equal(reputation_top(log, top, 1), 1);
	assert_string_equal(top[0]->domain, "gmail.com");
	free(log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_pattern_is_found_in_a_remote_reply_in_any_case),
		cmocka_unit_test(the_earliest_entry_of_the_table_wins_wherever_the_text_names_it),
		cmocka_unit_test(a_multi_line_reply_reads_on_across_its_inner_codes),
		cmocka_unit_test(no_refusal_is_read_where_the_site_said_nothing_or_refused_otherwise),
		cmocka_unit_test(the_log_counts_per_domain_and_past_its_limit_together),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
