/*
 * submit_block - a local user kept from sendmail (see submit_block.h).
 */
#include "core/incident/submit_block.h"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/incident/cleanup.h"

/* Postfix's list separators (CHARS_COMMA_SP) */
static int separator(char c) { return c == ',' || c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/* next_element - the element starting at or after *p: its span; a "{...}" group
 * (an inline table) is one element whatever it holds. 0 at the end. */
static int next_element(const char **p, const char **start, const char **end)
{
	const char *s = *p;
	while (*s && separator(*s))
		s++;
	if (*s == 0)
		return 0;
	const char *e = s;
	for (int depth = 0; *e && (depth > 0 || !separator(*e)); e++)
		depth += *e == '{' ? 1 : *e == '}' && depth > 0 ? -1 : 0;
	*start = s;
	*end = e;
	*p = e;
	return 1;
}

static int element_is(const char *s, const char *e, const char *bang, const char *name)
{
	size_t n = strlen(name), b = strlen(bang);
	return (size_t)(e - s) == b + n && memcmp(s, bang, b) == 0 && memcmp(s + b, name, n) == 0;
}

/* plain_name - a login name as a list element, not a file, table or parameter */
static int plain_name(const char *s, const char *e)
{
	if (s == e || *s == '-')
		return 0;
	for (; s < e; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '.'
		      || *s == '_' || *s == '-'))
			return 0;
	return 1;
}

/* kept_out - the list's first element that can match name is "!name" */
static int kept_out(const char *list, const char *name)
{
	const char *p = list, *s, *e;
	while (next_element(&p, &s, &e)) {
		if (element_is(s, e, "!", name))
			return 1;
		int other = *s == '!' ? plain_name(s + 1, e) : plain_name(s, e) && !element_is(s, e, "", name);
		if (!other)
			return 0;	/* name itself, a table, a file or a parameter: it may let name in */
	}
	return 0;
}

int submit_list_edit(const char *list, const char *name, int block, struct buf *after)
{
	buf_reset(after);
	if (block) {
		if (kept_out(list, name)) {
			buf_puts(after, list);
			return 0;
		}
		buf_printf(after, "!%s", name);
		const char *p = list, *s, *e;
		if (next_element(&p, &s, &e))
			buf_printf(after, ", %s", s);
		return 1;
	}
	/* the rest byte for byte: each "!name" goes with the separators after it */
	int changed = 0, last_went = 0;
	const char *p = list, *s, *e, *from = list;
	while (next_element(&p, &s, &e)) {
		last_went = element_is(s, e, "!", name);
		if (!last_went)
			continue;
		changed = 1;
		buf_append(after, from, (size_t)(s - from));
		while (*p && separator(*p))
			p++;
		from = p;
	}
	buf_puts(after, from);
	while (last_went && after->len && separator(after->data[after->len - 1]))
		after->data[--after->len] = 0;
	return changed;
}

int submit_user_name(const char *who, char *name, size_t size, struct error *err)
{
	const struct passwd *pw = NULL;
	size_t n = strlen(who);
	if (n > 0 && n <= 10 && strspn(who, "0123456789") == n) {
		pw = getpwuid((uid_t)strtoul(who, NULL, 10));
		if (pw == NULL) {
			error_set(err, "uid %s has no name in the password file; authorized_submit_users lists names", who);
			return -1;
		}
	} else if ((pw = getpwnam(who)) == NULL) {
		error_set(err, "no user '%.64s' in the password file", who);
		return -1;
	}
	size_t len = strlen(pw->pw_name);
	if (!plain_name(pw->pw_name, pw->pw_name + len) || len >= size) {
		error_set(err, "the user name of %.64s cannot be a plain element of %s", who, SUBMIT_PARAM);
		return -1;
	}
	memcpy(name, pw->pw_name, len + 1);
	return 0;
}

int submit_plan_make(const char *now, const char *who, int block, struct submit_plan *p, struct error *err)
{
	memset(p, 0, sizeof(*p));
	p->block = block;
	if (submit_user_name(who, p->name, sizeof(p->name), err) < 0)
		return -1;
	if (block && strcmp(p->name, "root") == 0) {
		error_set(err, "root is not kept from sendmail: the system's own mail (cron, alerts) would stop too; "
			  "find the script that runs as root and stop it");
		return -1;
	}
	buf_puts(&p->before, now);
	p->runnable = submit_list_edit(buf_str(&p->before), p->name, block, &p->after);
	return 0;
}

void submit_plan_free(struct submit_plan *p)
{
	buf_free(&p->before);
	buf_free(&p->after);
}

int submit_apply(const struct postfix_conf *c, const struct submit_plan *p, const char *journal_path, struct buf *backup,
		 struct error *err)
{
	if (!p->runnable) {
		error_set(err, "%s is %s already", p->name, p->block ? "kept from sendmail" : "not kept from sendmail");
		return -1;
	}
	struct buf out = BUF_INIT;
	json_t *extra = json_object();
	json_object_set_new(extra, "local_user", json_string(p->name));
	json_object_set_new(extra, "previous", json_string(buf_str(&p->before)));
	json_object_set_new(extra, "value", json_string(buf_str(&p->after)));
	int rc = cleanup_postconf_edit(c, SUBMIT_PARAM, buf_str(&p->after),
				       p->block ? "submit-block" : "submit-unblock", p->name, extra, journal_path, backup,
				       &out, err);
	json_decref(extra);
	buf_free(&out);
	return rc;
}
