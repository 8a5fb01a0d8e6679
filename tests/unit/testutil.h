/*
 * testutil - shared helpers for the cmocka unit tests. Tests run from the
 * repository root, so fixtures are at tests/fixtures/ and ../shared/corpus/.
 */
#ifndef SPAMTOP_TESTUTIL_H
#define SPAMTOP_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/model/ingest.h"
#include "core/model/model.h"

/* 2026-11-25T00:00:00Z: the reference "now" for BSD year inference */
#define TEST_REFERENCE ((time_t)1795564800)

static inline void test_use_utc(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
}

/* Reads a whole file; the caller frees. NULL (and a test failure) if absent. */
static inline char *test_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		fail_msg("cannot open fixture %s", path);
		return NULL;
	}
	size_t cap = 1 << 16, n = 0;
	char *data = malloc(cap);
	size_t got;
	while ((got = fread(data + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap)
			data = realloc(data, cap *= 2);
	}
	fclose(f);
	data = realloc(data, n + 1);
	data[n] = 0;
	if (len)
		*len = n;
	return data;
}

/* Calls fn on each line of a text (without its newline). */
static inline void test_each_line(const char *text, void (*fn)(const char *, size_t, void *), void *arg)
{
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		fn(p, n, arg);
		p += n + (nl ? 1 : 0);
	}
}

/* Writes data to a new temporary file; returns its path (static storage per call site). */
static inline void test_write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static inline void test_write_script(const char *dir, const char *name, const char *script)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n%s", script);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, 0755), 0);
}

/*
 * Writes an executable shell script dir/name and puts dir first on PATH:
 * a stand-in for a Postfix tool in failure tests (the real tools are
 * exercised by the lab). Unless the test wrote its own, a postmulti there
 * lists the default instance alone, whatever this machine runs. Returns the
 * PATH that was in force, to restore.
 */
static inline char *test_fake_program(const char *dir, const char *name, const char *script)
{
	char path[256], newpath[4096];
	test_write_script(dir, name, script);
	snprintf(path, sizeof(path), "%s/postmulti", dir);
	if (access(path, X_OK) != 0)
		test_write_script(dir, "postmulti", "echo '-               -               y         /etc/postfix'\n");
	char *old = strdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	snprintf(newpath, sizeof(newpath), "%s:%s", dir, old);
	setenv("PATH", newpath, 1);
	return old;
}

/* A scratch directory dir (made from template, "/tmp/spamtop-test-X.XXXXXX")
 * for stand-in programs; returns the PATH in force, which test_stand_ins_end
 * puts back before removing the directory. */
static inline char *test_stand_ins_begin(char *dir, size_t size, const char *template)
{
	snprintf(dir, size, "%s", template);
	assert_non_null(mkdtemp(dir));
	return strdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
}

static inline void test_stand_ins_end(const char *dir, char *saved_path)
{
	setenv("PATH", saved_path, 1);
	free(saved_path);
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* The scratch directory of a test file, made and removed by the group fixtures below. */
static inline char *test_dir(void)
{
	static char dir[64];
	return dir;
}

static inline int test_dir_setup(void **state)
{
	(void)state;
	snprintf(test_dir(), 64, "/tmp/spamtop-test.XXXXXX");
	return mkdtemp(test_dir()) ? 0 : -1;
}

static inline int test_dir_teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", test_dir());
	return system(cmd);
}

/* Lines handed to a callback, joined with '|', for comparing in one assert. */
struct test_lines {
	char text[4096];
	size_t len;
};

static inline void test_lines_reset(struct test_lines *l)
{
	l->len = 0;
	l->text[0] = 0;
}

/* test_collect_line - a line_fn/follow_line_fn: arg is a struct test_lines */
static inline void test_collect_line(const char *line, size_t len, void *arg)
{
	struct test_lines *l = arg;
	if (l->len + len + 1 < sizeof(l->text)) {
		memcpy(l->text + l->len, line, len);
		l->len += len;
		l->text[l->len++] = '|';
		l->text[l->len] = 0;
	}
}

/* The model of the real outbreak recorded from the lab. */
static inline struct model *test_lab_model(void)
{
	struct model *m = model_new(NULL, TEST_REFERENCE);
	assert_non_null(m);
	struct source_stats st = {0};
	struct error err;
	assert_int_equal(ingest_file(m, "tests/fixtures/lab-outbreak.log", &st, &err), 0);
	return m;
}

#endif
