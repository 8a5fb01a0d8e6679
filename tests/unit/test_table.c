/*
 * test_table - the console's tables without a terminal: rows of the real
 * outbreak sorted largest first, a suspect marked, the cursor kept on its
 * row while the numbers move, a filter that keeps the total, tags as the
 * targets of an action, a drill-down into one user's messages, and the
 * host filter of a central log.
 */
#include "testutil.h"

#include "tui/table.h"

static struct table_ctx ctx_for(struct model *m, struct suspect *sus, size_t *nsus)
{
	struct detect_thresholds th;
	detect_thresholds_default(&th);
	*nsus = detect_suspects(m, &th, sus, 16);
	return (struct table_ctx){m, NULL, sus, *nsus, 0, -1};
}

static const char *key_of(const struct table *t, size_t i, struct buf *b)
{
	buf_reset(b);
	table_row_key(t, &t->rows[i], b);
	return buf_str(b);
}

static void the_users_tab_lists_the_victim_first_marked_as_a_suspect(void **state)
{
	(void)state;
	struct model *m = test_lab_model();
	struct suspect sus[16];
	size_t n;
	struct table_ctx ctx = ctx_for(m, sus, &n);
	struct table t;
	table_init_tab(&t, TAB_USERS);
	table_rebuild(&t, &ctx);
	struct buf b = BUF_INIT;
	assert_int_equal(t.nrows, 2);
	assert_string_equal(key_of(&t, 0, &b), "victim@lab.example");
	assert_true(t.rows[0].flags & ROW_SUSPECT);
	assert_false(t.rows[1].flags & ROW_SUSPECT);
	buf_reset(&b);
	table_cell(&t, &ctx, &t.rows[0], t.sort_col, &b);	/* the sorted column: messages */
	assert_string_equal(buf_str(&b), "24");
	t.sort_reverse = 1;	/* the console's reverse key */
	table_rebuild(&t, &ctx);
	assert_string_equal(key_of(&t, 0, &b), "alice@lab.example");
	table_sort_by(&t, 1);	/* the next column: largest first again */
	assert_int_equal(t.sort_reverse, 0);
	buf_free(&b);
	table_free(&t);
	model_free(m);
}

static void the_cursor_stays_on_its_row_when_the_order_changes(void **state)
{
	(void)state;
	struct model *m = test_lab_model();
	struct suspect sus[16];
	size_t n;
	struct table_ctx ctx = ctx_for(m, sus, &n);
	struct table t;
	table_init_tab(&t, TAB_USERS);
	table_rebuild(&t, &ctx);
	table_move(&t, 1);	/* on alice */
	struct buf b = BUF_INIT;
	table_row_key(&t, table_current(&t), &b);
	assert_string_equal(buf_str(&b), "alice@lab.example");
	for (int i = 0; i < 30; i++) {	/* alice sends 30 more: she comes first */
		char line[256];
		snprintf(line, sizeof(line), "Nov 24 23:40:%02d mail postfix/smtpd[9]: 4B2C11023%02d: client=unknown[127.0.0.1], "
			 "sasl_method=LOGIN, sasl_username=alice@lab.example", i, i);
		assert_int_equal(model_add_line(m, line, strlen(line)), LINE_POSTFIX);
	}
	ctx = ctx_for(m, sus, &n);
	table_rebuild(&t, &ctx);
	assert_string_equal(key_of(&t, 0, &b), "alice@lab.example");
	buf_reset(&b);
	table_row_key(&t, table_current(&t), &b);
	assert_string_equal(buf_str(&b), "alice@lab.example");	/* followed her to the top */
	buf_free(&b);
	table_free(&t);
	model_free(m);
}

static void a_filter_keeps_the_total_and_tags_are_the_targets(void **state)
{
	(void)state;
	struct model *m = test_lab_model();
	struct suspect sus[16];
	size_t n;
	struct table_ctx ctx = ctx_for(m, sus, &n);
	struct table t;
	table_init_tab(&t, TAB_SENDERS);
	table_rebuild(&t, &ctx);
	size_t all = t.nrows;
	assert_true(all > 2);
	struct error err;
	assert_int_equal(table_set_filter(&t, "CHEAP-pills", &err), 0);	/* case-insensitive */
	table_rebuild(&t, &ctx);
	assert_true(t.nrows >= 2 && t.nrows < all);
	assert_int_equal(t.total, all);
	assert_int_equal(table_set_filter(&t, "([unclosed", &err), -1);	/* the old filter stays */
	table_rebuild(&t, &ctx);
	assert_true(t.nrows < all);
	struct string_set targets = {0};
	assert_int_equal(table_targets(&t, &targets), 1);	/* no tag: the current row */
	string_set_free(&targets);
	table_toggle_tag(&t);
	table_move(&t, 1);
	table_toggle_tag(&t);
	assert_int_equal(table_targets(&t, &targets), 2);
	string_set_free(&targets);
	table_untag_all(&t);
	assert_int_equal(table_targets(&t, &targets), 1);
	string_set_free(&targets);
	assert_int_equal(table_set_filter(&t, "", &err), 0);
	table_rebuild(&t, &ctx);
	assert_int_equal(t.nrows, all);
	table_free(&t);
	model_free(m);
}

static void a_drill_down_lists_one_users_messages(void **state)
{
	(void)state;
	struct model *m = test_lab_model();
	struct suspect sus[16];
	size_t n;
	struct table_ctx ctx = ctx_for(m, sus, &n);
	struct table t;
	table_init_messages(&t, AGG_SASL_USER, 0, "victim@lab.example", 18);
	table_rebuild(&t, &ctx);
	assert_int_equal(t.nrows, 24);
	assert_string_equal(table_parent(&t), "victim@lab.example");
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < t.nrows; i++) {
		const char *k = key_of(&t, i, &b);
		assert_true(queue_id_valid(k, strlen(k)));
	}
	buf_free(&b);
	table_free(&t);
	model_free(m);
}

static void a_central_logs_hosts_get_a_column_and_a_filter(void **state)
{
	(void)state;
	struct model *m = model_new(NULL, TEST_REFERENCE);
	const char *lines[] = {
		"Nov 24 10:00:00 mx1 postfix/smtpd[1]: 4B1C2D3E4F: client=unknown[192.0.2.1], sasl_method=LOGIN, sasl_username=ann@x.example",
		"Nov 24 10:00:00 mx2 postfix/smtpd[1]: 4B1C2D3E4F: client=unknown[192.0.2.2], sasl_method=LOGIN, sasl_username=ann@x.example",
		"Nov 24 10:00:01 mx2 postfix/smtpd[1]: 5B1C2D3E4F: client=unknown[192.0.2.2], sasl_method=LOGIN, sasl_username=ann@x.example",
	};
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(model_add_line(m, lines[i], strlen(lines[i])), LINE_POSTFIX);
	struct suspect sus[16];
	size_t n;
	struct table_ctx ctx = ctx_for(m, sus, &n);
	struct table t;
	table_init_tab(&t, TAB_USERS);
	table_add_host_column(&t);
	table_add_host_column(&t);	/* once */
	assert_int_equal(t.cols[0].id, COL_HOST);
	assert_true(t.cols[1].id != COL_HOST);
	table_rebuild(&t, &ctx);
	assert_int_equal(t.nrows, 2);	/* ann on each host */
	struct buf b = BUF_INIT;
	table_cell(&t, &ctx, &t.rows[0], 0, &b);
	assert_string_equal(buf_str(&b), "mx2");	/* 2 messages there, first */
	ctx.host = 0;
	table_rebuild(&t, &ctx);
	assert_int_equal(t.nrows, 1);
	assert_int_equal(table_row_host(&t, &t.rows[0]), 0);
	buf_free(&b);
	table_free(&t);
	model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_users_tab_lists_the_victim_first_marked_as_a_suspect),
		cmocka_unit_test(the_cursor_stays_on_its_row_when_the_order_changes),
		cmocka_unit_test(a_filter_keeps_the_total_and_tags_are_the_targets),
		cmocka_unit_test(a_drill_down_lists_one_users_messages),
		cmocka_unit_test(a_central_logs_hosts_get_a_column_and_a_filter),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
