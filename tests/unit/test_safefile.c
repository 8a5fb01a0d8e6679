/*
 * test_safefile - files spamtop writes as root: the final name is replaced,
 * never followed (a planted symlink points elsewhere), the mode is the one
 * stated, nothing is left behind on failure.
 */
#include "testutil.h"

#include <dirent.h>
#include <unistd.h>

#include "core/base/safefile.h"

static size_t entries(const char *dir)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	size_t n = 0;
	for (struct dirent *e; (e = readdir(d)) != NULL;)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void a_symlink_at_the_final_name_is_replaced_not_followed(void **state)
{
	(void)state;
	char victim[256], out[256];
	snprintf(victim, sizeof(victim), "%s/victim", test_dir());
	snprintf(out, sizeof(out), "%s/metrics.prom", test_dir());
	test_write_file(victim, "precious", 8);
	assert_int_equal(symlink(victim, out), 0);
	struct safe_file sf;
	struct error err;
	assert_int_equal(safe_file_open(&sf, out, 0644, &err), 0);
	fputs("spamtop_queue_up 1\n", sf.f);
	assert_int_equal(safe_file_commit(&sf, &err), 0);
	char *v = test_read_file(victim, NULL);
	assert_string_equal(v, "precious");
	free(v);
	struct stat st;
	assert_int_equal(lstat(out, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(entries(test_dir()), 2);	/* the victim and the file: no temporary left */
}

static void the_stated_mode_is_kept_and_an_abort_leaves_nothing(void **state)
{
	(void)state;
	char path[256];
	snprintf(path, sizeof(path), "%s/cleanup.json", test_dir());
	mode_t old = umask(0);	/* a careless umask changes nothing */
	struct safe_file sf;
	struct error err;
	assert_int_equal(safe_file_open(&sf, path, 0600, &err), 0);
	assert_int_equal(safe_file_commit(&sf, &err), 0);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	size_t before = entries(test_dir());
	assert_int_equal(safe_file_open(&sf, path, 0600, &err), 0);
	fputs("half", sf.f);
	safe_file_abort(&sf);
	assert_int_equal(entries(test_dir()), before);
	umask(old);
	char nodir[300];
	snprintf(nodir, sizeof(nodir), "%s/no/such/dir/x", test_dir());
	assert_int_equal(safe_file_open(&sf, nodir, 0600, &err), -1);
	assert_non_null(strstr(err.msg, "cannot create a temporary file for"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_symlink_at_the_final_name_is_replaced_not_followed),
		cmocka_unit_test(the_stated_mode_is_kept_and_an_abort_leaves_nothing),
	};
	return cmocka_run_group_tests(tests, test_dir_setup, test_dir_teardown);
}
