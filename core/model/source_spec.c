/*
 * source_spec - parsing `--source NAME=PATH|ssh://...` (see source_spec.h).
 */
#include "core/model/source_spec.h"

#include <stdio.h>
#include <string.h>

#include "core/base/sanitize.h"

static int name_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')
	    || ch == '.' || ch == '-' || ch == '_';
}

/* host_ok - a host name, IPv4 or [IPv6] literal, optional user@: nothing ssh reads as an option */
static int target_ok(const char *s, size_t n)
{
	if (n == 0 || s[0] == '-')
		return 0;
	const char *at = memchr(s, '@', n);
	if (at && (at + 1 == s + n || at[1] == '-' || at == s))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!name_char(s[i]) && s[i] != '@' && s[i] != ':' && s[i] != '[' && s[i] != ']')
			return 0;
	return 1;
}

static int parse_ssh(const char *url, struct source_spec *s, struct error *err)
{
	const char *slash = strchr(url, '/');
	if (slash == NULL || slash[1] == 0) {
		error_set(err, "--source %s=ssh://HOST/PATH: the path is missing", s->host);
		return -1;
	}
	size_t n = (size_t)(slash - url);
	const char *colon = NULL;	/* a port after the host (not inside [IPv6]) */
	const char *close = memchr(url, ']', n);
	const char *from = close ? close : url;
	colon = memchr(from, ':', (size_t)(slash - from));
	size_t tn = colon ? (size_t)(colon - url) : n;
	if (!target_ok(url, tn) || tn >= sizeof(s->ssh_target)) {
		error_set(err, "--source %s: bad ssh host (letters, digits, . - _ and user@; not starting with -)", s->host);
		return -1;
	}
	memcpy(s->ssh_target, url, tn);
	s->ssh_target[tn] = 0;
	if (colon) {
		size_t pn = (size_t)(slash - colon - 1);
		if (pn == 0 || pn >= sizeof(s->ssh_port) || strspn(colon + 1, "0123456789") < pn) {
			error_set(err, "--source %s: bad ssh port", s->host);
			return -1;
		}
		memcpy(s->ssh_port, colon + 1, pn);
		s->ssh_port[pn] = 0;
	}
	if (strlen(slash) >= sizeof(s->path)) {
		error_set(err, "--source %s: path too long", s->host);
		return -1;
	}
	snprintf(s->path, sizeof(s->path), "%s", slash);
	return 0;
}

int source_spec_parse(const char *arg, struct source_spec *s, struct error *err)
{
	memset(s, 0, sizeof(*s));
	const char *eq = strchr(arg, '=');
	size_t n = eq ? (size_t)(eq - arg) : 0;
	if (eq == NULL || n == 0 || eq[1] == 0) {
		error_set(err, "--source wants NAME=PATH or NAME=ssh://HOST/PATH");
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (!name_char(arg[i])) {
			error_set(err, "--source: a host name is letters, digits, '.', '-' and '_'");
			return -1;
		}
	if (n >= sizeof(s->host)) {
		error_set(err, "--source: host names are at most %d characters", MODEL_HOST_NAME - 1);
		return -1;
	}
	memcpy(s->host, arg, n);
	const char *where = eq + 1;
	if (strncmp(where, "ssh://", 6) == 0)
		return parse_ssh(where + 6, s, err);
	if (strlen(where) >= sizeof(s->path)) {
		error_set(err, "--source %s: path too long", s->host);
		return -1;
	}
	snprintf(s->path, sizeof(s->path), "%s", where);
	return 0;
}

void source_spec_file(struct source_spec *s, const char *path)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->path, sizeof(s->path), "%s", path);
}

int source_spec_is_ssh(const struct source_spec *s) { return s->ssh_target[0] != 0; }

int source_spec_ssh_prefix(const struct source_spec *s, char *argv[SOURCE_SPEC_ARGV])
{
	int i = 0;
	static char *const fixed[] = {"ssh", "-o", "BatchMode=yes", "-o", "ServerAliveInterval=15", "-T"};
	for (size_t k = 0; k < sizeof(fixed) / sizeof(fixed[0]); k++)
		argv[i++] = fixed[k];
	if (s->ssh_port[0]) {
		argv[i++] = "-p";
		argv[i++] = (char *)s->ssh_port;
	}
	argv[i++] = "--";
	argv[i++] = (char *)s->ssh_target;
	argv[i] = NULL;
	return i;
}

void source_spec_ssh_file_argv(const struct source_spec *s, const char *const *words, struct buf *quoted,
			       char *argv[SOURCE_SPEC_ARGV])
{
	buf_reset(quoted);
	buf_put_shell_quoted(quoted, s->path);
	int i = source_spec_ssh_prefix(s, argv);
	while (*words && i < SOURCE_SPEC_ARGV - 3)
		argv[i++] = (char *)*words++;
	argv[i++] = "--";
	argv[i++] = quoted->data;
	argv[i] = NULL;
}

void source_spec_ssh_argv(const struct source_spec *s, int from_end, struct buf *quoted,
			  char *argv[SOURCE_SPEC_ARGV])
{
	const char *words[] = {"tail", "-F", "-n", from_end ? "0" : "+1", NULL};
	source_spec_ssh_file_argv(s, words, quoted, argv);
}

void source_spec_ssh_read_argv(const struct source_spec *s, struct buf *quoted, char *argv[SOURCE_SPEC_ARGV])
{
	const char *words[] = {"cat", NULL};
	source_spec_ssh_file_argv(s, words, quoted, argv);
}

void source_spec_ssh_tail_argv(const struct source_spec *s, uint64_t bytes, char *bytes_text, struct buf *quoted,
			       char *argv[SOURCE_SPEC_ARGV])
{
	snprintf(bytes_text, 24, "%llu", (unsigned long long)bytes);
	const char *words[] = {"tail", "-c", bytes_text, NULL};
	source_spec_ssh_file_argv(s, words, quoted, argv);
}

void source_spec_ssh_failed(const struct source_spec *s, const char *said, size_t len, const char *otherwise,
			    struct error *err)
{
	struct buf line = BUF_INIT;
	const char *nl = len ? memchr(said, '\n', len) : NULL;
	sanitize_text(&line, len ? said : "", nl ? (size_t)(nl - said) : len);	/* before err is written over */
	error_set(err, "%s (ssh %.100s): %.300s", s->host, s->ssh_target, line.len ? buf_str(&line) : otherwise);
	buf_free(&line);
}

struct pipe_source *source_spec_ssh_start(const struct source_spec *s, int from_end, struct buf *quoted,
					  struct error *err)
{
	char *argv[SOURCE_SPEC_ARGV];
	source_spec_ssh_argv(s, from_end, quoted, argv);
	return pipe_source_start(argv, 0, err);
}
