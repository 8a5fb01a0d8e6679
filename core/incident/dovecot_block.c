/*
 * dovecot_block - an account refused at Dovecot (see dovecot_block.h).
 */
#include "core/incident/dovecot_block.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/base/run.h"
#include "core/base/safefile.h"
#include "core/base/spawn.h"
#include "core/incident/cleanup.h"

#define DOVECOT_TIMEOUT_MS 10000

/* ---- doveconf -n ---- */

/* trimmed - the line's text without its indentation and trailing blanks */
static size_t trimmed(const char **p, size_t len)
{
	while (len && (**p == ' ' || **p == '\t'))
		(*p)++, len--;
	while (len && ((*p)[len - 1] == ' ' || (*p)[len - 1] == '\t' || (*p)[len - 1] == '\r'))
		len--;
	return len;
}

/* setting - "name = value" of a line: the value, unquoted, if the name is name */
static int setting(const char *line, size_t len, const char *name, const char **value, size_t *vlen)
{
	size_t n = strlen(name);
	if (len < n + 2 || memcmp(line, name, n) != 0 || strncmp(line + n, " =", 2) != 0)
		return 0;
	const char *v = line + n + 2;
	size_t vl = trimmed(&v, len - n - 2);
	if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"')
		v++, vl -= 2;
	*value = v;
	*vlen = vl;
	return 1;
}

/* a passdb section as read: the settings that make it a deny list */
struct passdb_seen {
	int passwd_file, deny;
	char path[512];
};

static void copy_view(char *dst, size_t size, const char *s, size_t len)
{
	snprintf(dst, size, "%.*s", (int)(len < size ? len : size - 1), s);
}

/* passdb_setting - one line at the passdb section's own level */
static void passdb_setting(struct passdb_seen *pd, const char *line, size_t len)
{
	const char *v;
	size_t vl;
	if (setting(line, len, "driver", &v, &vl))
		pd->passwd_file = vl == 11 && memcmp(v, "passwd-file", 11) == 0;
	else if (setting(line, len, "deny", &v, &vl))
		pd->deny = vl == 3 && memcmp(v, "yes", 3) == 0;
	else if (setting(line, len, "passwd_file_path", &v, &vl))
		copy_view(pd->path, sizeof(pd->path), v, vl);
	else if (setting(line, len, "args", &v, &vl)) {	/* 2.3: [key=value ...] path */
		const char *last = v + vl;
		while (last > v && last[-1] != ' ')
			last--;
		copy_view(pd->path, sizeof(pd->path), last, (size_t)(v + vl - last));
	}
}

int dovecot_deny_file(const char *doveconf_n, char *path, size_t size, int *after_others)
{
	int depth = 0, in_passdb = 0;
	*after_others = 0;
	struct passdb_seen pd;
	for (const char *p = doveconf_n; *p;) {
		size_t raw = strcspn(p, "\n");
		const char *line = p;
		size_t len = trimmed(&line, raw);
		p += raw + (p[raw] == '\n');
		if (len && line[len - 1] == '{') {	/* "passdb {", "passdb name {", "service x {" */
			if (depth == 0 && len >= 8 && memcmp(line, "passdb ", 7) == 0) {
				in_passdb = 1;
				memset(&pd, 0, sizeof(pd));
			}
			depth++;
		} else if (len == 1 && line[0] == '}') {
			if (depth > 0 && --depth == 0 && in_passdb) {
				in_passdb = 0;
				if (pd.passwd_file && pd.deny && pd.path[0] == '/') {
					snprintf(path, size, "%s", pd.path);
					return 1;
				}
				*after_others |= !pd.deny;
			}
		} else if (in_passdb && depth == 1) {
			passdb_setting(&pd, line, len);
		}
	}
	return 0;
}

/* ---- the deny file ---- */

/* user_refused - a name that cannot be a line of the file; the message
 * quotes it only once it is known to hold no control character */
static int user_refused(const char *user, struct error *err)
{
	for (const unsigned char *p = (const unsigned char *)user; *p; p++)
		if (*p <= ' ' || *p == 0x7f || *p == ':') {
			error_set(err, "an account name with a blank, a control character or ':' cannot be a line "
				  "of Dovecot's deny file");
			return -1;
		}
	if (user[0] == 0 || user[0] == '#') {
		error_set(err, "'%.80s' cannot be a line of Dovecot's deny file (empty, or '#' first)", user);
		return -1;
	}
	return 0;
}

int dovecot_deny_edit(const char *text, const char *user, int block, struct buf *after)
{
	size_t ulen = strlen(user);
	int had = 0;
	for (const char *p = text; *p;) {
		size_t len = strcspn(p, "\n");
		size_t field = strcspn(p, ":\n");
		int mine = field == ulen && memcmp(p, user, ulen) == 0;
		had |= mine;
		if (!mine) {
			buf_append(after, p, len);
			buf_putc(after, '\n');
		}
		p += len + (p[len] == '\n');
	}
	if (block)
		buf_printf(after, "%s\n", user);
	return had;
}

/* dovecot_argv - PROGRAM [-c CONFIG] WORDS... */
static void dovecot_argv(const char *program, const char *config, const char *const words[], char *argv[], size_t n)
{
	size_t k = 0;
	argv[k++] = (char *)program;
	if (config && config[0]) {
		argv[k++] = (char *)"-c";
		argv[k++] = (char *)config;
	}
	for (size_t i = 0; words[i] && k + 1 < n; i++)
		argv[k++] = (char *)words[i];
	argv[k] = NULL;
}

/* find_deny_file - doveconf -n read; 0 and a note (none when Dovecot is not here) when no file */
static int find_deny_file(struct dovecot_block_plan *p)
{
	static const char *const words[] = {"-n", NULL};
	char *argv[8];
	dovecot_argv("doveconf", p->config, words, argv, 8);
	struct spawn_result res;
	struct error err;
	if (spawn_run(argv, NULL, 0, DOVECOT_TIMEOUT_MS, &res, &err) < 0)
		return 0;	/* no doveconf: no Dovecot to block at */
	p->installed = 1;
	int found = 0, late = 0;
	if (!res.exited || res.status != 0)
		buf_printf(&p->notes, "Dovecot: its configuration could not be read (doveconf -n exited with status %d): "
			   "its logins are not refused; change the password\n", res.status);
	else if (!(found = dovecot_deny_file(buf_str(&res.out), p->deny_file, sizeof(p->deny_file), &late)))
		buf_puts(&p->notes, "Dovecot has no deny passdb: its IMAP, POP3 and submission logins are not refused "
			 "(enable one: Debian's conf.d/10-auth.conf, !include auth-deny.conf.ext; then spamtop "
			 "keeps its file)\n");
	else if (strchr(p->deny_file, '%')) {	/* deny.%s: a file per service, or per domain */
		buf_printf(&p->notes, "Dovecot's deny passdb names its file with variables (%s): spamtop does not guess "
			   "which files; add the account's line by hand\n", p->deny_file);
		p->deny_file[0] = 0;
		found = 0;
	} else if (late) {
		buf_puts(&p->notes, "Dovecot's deny passdb comes after another passdb, which may let the account in "
			 "first: move it before the others (Dovecot's documentation says so)\n");
	}
	spawn_result_free(&res);
	return found;
}

int dovecot_block_plan_make(const char *config, const char *user, int block, struct dovecot_block_plan *p,
			    struct error *err)
{
	memset(p, 0, sizeof(*p));
	if (user_refused(user, err) < 0)
		return -1;
	p->block = block;
	snprintf(p->user, sizeof(p->user), "%s", user);
	snprintf(p->config, sizeof(p->config), "%s", config ? config : "");
	if (!find_deny_file(p))
		return 0;
	struct buf text = BUF_INIT;
	safe_file_read(p->deny_file, &text);
	int had = dovecot_deny_edit(buf_str(&text), user, block, &p->file_after);
	buf_free(&text);
	if (!block && !had)
		buf_printf(&p->notes, "%s is not in Dovecot's deny file %s\n", user, p->deny_file);
	p->runnable = block || had;
	return 0;
}

void dovecot_block_plan_free(struct dovecot_block_plan *p)
{
	buf_free(&p->file_after);
	buf_free(&p->notes);
}

/*
 * past_dovecots_second - sleeps into the next second of the clock. Dovecot's
 * auth process checks a passwd-file for change at most once a second
 * (db-passwd-file.c: last_sync_time == ioloop_time); a login in the second
 * the file was written may still be answered from the file as it was read
 * before. From the next second on, every lookup sees the new file: only then
 * are the account's sessions kicked, and the change said done.
 */
static void past_dovecots_second(void)
{
	struct timespec now;
	if (clock_gettime(CLOCK_REALTIME, &now) < 0)
		return;
	struct timespec wait = {0, 1000000000L - now.tv_nsec + 20000000L};	/* and 20 ms */
	if (wait.tv_nsec >= 1000000000L) {
		wait.tv_sec = 1;
		wait.tv_nsec -= 1000000000L;
	}
	while (nanosleep(&wait, &wait) < 0 && errno == EINTR)
		;
}

#define DOVEADM_NO_USER 68	/* kick: the user had no session (EX_NOUSER): nothing to end */

/* doveadm - one doveadm command, journaled; a failure is a note, an exit
 * with status nothing_to_do (0: none) is none */
static void doveadm(const struct dovecot_block_plan *p, const char *const words[], int nothing_to_do,
		    const char *action, const char *journal_path, struct buf *out, struct buf *notes)
{
	char *argv[12];
	dovecot_argv("doveadm", p->config, words, argv, 12);
	struct error err;
	int rc = cleanup_run_journaled(argv, action, p->user, journal_path, out, &err);
	if (rc < 0)
		buf_printf(notes, "doveadm %s %s: %s\n", words[0], words[1], err.msg);
	else if (rc > 0 && rc != nothing_to_do)
		buf_printf(notes, "doveadm %s %s exited with status %d\n", words[0], words[1], rc);
}

int dovecot_block_apply(const struct dovecot_block_plan *p, const char *journal_path, struct buf *out,
			struct buf *notes, struct error *err)
{
	if (!p->runnable) {
		error_set(err, "nothing to change at Dovecot");
		return -1;
	}
	struct file_replace r = {p->deny_file, &p->file_after, p->block ? "block-account-dovecot" : "unblock-account-dovecot",
				 p->user, 0644};
	if (run_file_replace(&r, journal_path, err) < 0)
		return -1;
	past_dovecots_second();
	const char *flush[] = {"auth", "cache", "flush", p->user, NULL};
	doveadm(p, flush, 0, "dovecot-auth-cache-flush", journal_path, out, notes);
	if (p->block) {
		const char *kick[] = {"kick", p->user, NULL};
		doveadm(p, kick, DOVEADM_NO_USER, "dovecot-kick", journal_path, out, notes);
	}
	return 0;
}
