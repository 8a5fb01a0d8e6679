/*
 * test_keymap - key bindings as data: the shipped files load without a
 * warning and bind what the help promises, user lines override and unbind,
 * and bad lines become file:line warnings.
 */
#include "testutil.h"

#include <curses.h>

#include "tui/keymap.h"

static void shipped_default_keymap_loads_cleanly_and_binds_the_essentials(void **state)
{
	(void)state;
	struct keymap k;
	keymap_init(&k);
	assert_int_equal(keymap_load_file(&k, "keymaps/default.keys"), 0);
	assert_string_equal(buf_str(&k.warnings), "");
	assert_int_equal(keymap_lookup(&k, KM_TABLE, 'q'), ACTION_QUIT);	/* via generic */
	assert_int_equal(keymap_lookup(&k, KM_TABLE, KEY_F(10)), ACTION_QUIT);
	assert_int_equal(keymap_lookup(&k, KM_TABLE, '\n'), ACTION_ENTER);
	assert_int_equal(keymap_lookup(&k, KM_TABLE, 'd'), ACTION_DELETE);
	assert_int_equal(keymap_lookup(&k, KM_TABLE, 'H'), ACTION_HOLD_ALL);
	assert_int_equal(keymap_lookup(&k, KM_TABLE, ' '), ACTION_TAG);	/* table overrides generic */
	assert_int_equal(keymap_lookup(&k, KM_PAGER, ' '), ACTION_PAGE_DOWN);
	assert_int_equal(keymap_lookup(&k, KM_PAGER, 'd'), ACTION_NONE);	/* no deleting from a pager */
	assert_int_equal(keymap_lookup(&k, KM_GENERIC, 'j'), ACTION_MOVE_DOWN);
	keymap_free(&k);
}

static void every_action_has_a_key_in_the_default_keymap(void **state)
{
	(void)state;
	struct keymap k;
	keymap_init(&k);
	keymap_load_file(&k, "keymaps/default.keys");
	for (int a = 1; a < ACTION_COUNT; a++) {
		struct buf keys = BUF_INIT;
		keymap_keys_for(&k, KM_TABLE, (enum action_id)a, &keys);
		if (keys.len == 0)
			keymap_keys_for(&k, KM_PAGER, (enum action_id)a, &keys);
		if (keys.len == 0)
			keymap_keys_for(&k, KM_WIZARD, (enum action_id)a, &keys);
		if (keys.len == 0)
			fail_msg("action %s has no key in keymaps/default.keys", action_table[a].name);
		buf_free(&keys);
	}
	keymap_free(&k);
}

static void vim_keymap_overrides_and_unbinds_on_top_of_default(void **state)
{
	(void)state;
	struct keymap k;
	keymap_init(&k);
	keymap_load_file(&k, "keymaps/default.keys");
	assert_int_equal(keymap_load_file(&k, "keymaps/vim.keys"), 0);
	assert_string_equal(buf_str(&k.warnings), "");
	assert_int_equal(keymap_lookup(&k, KM_TABLE, 'h'), ACTION_BACK);
	assert_int_equal(keymap_lookup(&k, KM_TABLE, 'o'), ACTION_HOLD);
	assert_int_equal(keymap_lookup(&k, KM_TABLE, 'u'), ACTION_NONE);
	struct buf keys = BUF_INIT;
	keymap_keys_for(&k, KM_TABLE, ACTION_HOLD, &keys);
	assert_string_equal(buf_str(&keys), "o");
	buf_free(&keys);
	keymap_free(&k);
}

static void bad_lines_are_warnings_with_file_and_line(void **state)
{
	(void)state;
	struct keymap k;
	keymap_init(&k);
	keymap_apply_line(&k, "# a comment", "keys", 1);
	keymap_apply_line(&k, "", "keys", 2);
	keymap_apply_line(&k, "bind table x delete-everything", "keys", 3);
	keymap_apply_line(&k, "bind table NoSuchKey quit", "keys", 4);
	keymap_apply_line(&k, "bind sidebar x quit", "keys", 5);
	keymap_apply_line(&k, "unbind table x", "keys", 6);
	keymap_apply_line(&k, "bind table x", "keys", 7);
	keymap_apply_line(&k, "bind table \x1b[31m quit", "keys", 8);
	keymap_apply_line(&k, "bind table C-x quit  # trailing comment", "keys", 9);
	assert_int_equal(k.nwarnings, 6);
	assert_string_equal(buf_str(&k.warnings),
			    "keys:3: unknown action 'delete-everything'\n"
			    "keys:4: unknown key 'NoSuchKey'\n"
			    "keys:5: unknown keymap (generic, table, pager, wizard) 'sidebar'\n"
			    "keys:6: unknown command 'unbind'\n"
			    "keys:7: expected: bind KEYMAP KEY ACTION\n"
			    "keys:8: unknown key '?[31m'\n");
	assert_int_equal(keymap_lookup(&k, KM_TABLE, 24), ACTION_QUIT);
	assert_int_equal(keymap_load_file(&k, "/nonexistent/keys"), -1);
	assert_int_equal(k.nwarnings, 7);
	keymap_free(&k);
}

static void key_names_round_trip(void **state)
{
	(void)state;
	const char *names[] = {"q", "G", "/", "Enter", "Esc", "Space", "PgDn", "F1", "F12", "C-l", "BackTab"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct buf b = BUF_INIT;
		int key = key_parse(names[i]);
		assert_true(key >= 0);
		key_format(key, &b);
		assert_string_equal(buf_str(&b), names[i]);
		buf_free(&b);
	}
	assert_int_equal(key_parse("F13"), -1);
	assert_int_equal(key_parse("C-1"), -1);
	assert_int_equal(key_parse("ab"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shipped_default_keymap_loads_cleanly_and_binds_the_essentials),
		cmocka_unit_test(every_action_has_a_key_in_the_default_keymap),
		cmocka_unit_test(vim_keymap_overrides_and_unbinds_on_top_of_default),
		cmocka_unit_test(bad_lines_are_warnings_with_file_and_line),
		cmocka_unit_test(key_names_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
